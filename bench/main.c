// SPDX-License-Identifier: MIT
/*
 * minivmm-bench [--quick] [--data DIR] [NAME...]
 *
 * Runs the named benchmarks (all by default) and prints, for each metric,
 * median, p99 and max through minivmm and through a bare baseline in the
 * same process, and their ratio against the goal.  See docs/benchmarks.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "util.h"

static const struct bench_entry {
	const char *name;
	int (*run)(const struct bench_options *o, struct error *err);
	const char *what;
} bench_entries[] = {
	{ "pio", bench_pio, "port I/O exit dispatch" },
	{ "mmio", bench_mmio, "MMIO exit dispatch" },
	{ "uart", bench_uart, "UART transmit throughput" },
	{ "irq", bench_irq, "interrupt injection latency" },
	{ "console", bench_irq_console, "console byte to IRQ latency" },
	{ "pit", bench_pit, "PIT fidelity" },
	{ "startup", bench_startup, "start-up time" },
	{ "memory", bench_memory, "resident memory beyond guest RAM" },
};

/* Which KVM this is: the figures mean different things on each. */
static void bench_describe_machine(void)
{
	char line[512], model[256] = "?";
	bool vmx = false, svm = false;
	struct utsname u;
	time_t now = time(NULL);
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0 && strchr(line, ':') != NULL)
			snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
		if (strncmp(line, "flags", 5) == 0) {
			vmx = vmx || strstr(line, " vmx") != NULL;
			svm = svm || strstr(line, " svm") != NULL;
		}
	}
	if (f != NULL)
		fclose(f);
	model[strcspn(model, "\n")] = '\0';
	uname(&u);
	printf("minivmm-bench: %s", ctime(&now));
	printf("minivmm-bench: %s, kernel %s, %ld CPUs\n", model, u.release,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("minivmm-bench: /dev/kvm is %s\n", vmx ? "hardware-backed (VT-x)" :
	       svm ? "hardware-backed (AMD-V)" :
	       "not hardware-backed (no vmx/svm flag: paravirtual KVM such as PVM)");
	printf("\n%-34s %9s %9s %9s | %9s %9s %9s %-4s | %s\n", "metric", "median", "p99",
	       "max", "raw med", "raw p99", "raw max", "unit", "ratio of medians");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "data", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_options o = { 0 };
	int opt, failed = 0;

	while ((opt = getopt_long(argc, argv, "qd:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			o.quick = true;
			break;
		case 'd':
			o.data_dir = optarg;
			break;
		default:
			printf("usage: minivmm-bench [--quick] [--data DIR] [NAME...]\nNAME:");
			for (size_t i = 0; i < ARRAY_SIZE(bench_entries); i++)
				printf(" %s", bench_entries[i].name);
			printf("\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		bool known = false;

		for (size_t j = 0; j < ARRAY_SIZE(bench_entries); j++)
			known = known || strcmp(argv[i], bench_entries[j].name) == 0;
		if (!known) {
			fprintf(stderr, "minivmm-bench: unknown benchmark '%s' (see --help)\n",
				argv[i]);
			return 2;
		}
	}
	bench_describe_machine();
	for (size_t j = 0; j < ARRAY_SIZE(bench_entries); j++) {
		const struct bench_entry *b = &bench_entries[j];
		struct error err = { "" };
		bool wanted = optind == argc;

		for (int i = optind; i < argc; i++)
			wanted = wanted || strcmp(argv[i], b->name) == 0;
		if (!wanted)
			continue;
		if (b->run(&o, &err) < 0) {
			printf("%-34s could not run: %s\n", b->what, err.msg);
			failed = 1;
		}
	}
	return failed;
}
