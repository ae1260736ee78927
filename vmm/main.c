// SPDX-License-Identifier: MIT
/*
 * minivmm: boot a kernel written from scratch on KVM, with every piece of
 * I/O going through devices emulated in this process.
 *
 * main() parses the command line, loads the image, builds the machine, runs
 * the loop until something stops it, and is the only place that turns
 * errors into messages and exit statuses.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "default_kernel.h"
#include "machine.h"

#define MIB (1ULL << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm [options]\n"
		"Boot a kernel image on KVM with emulated PC devices; its serial port (COM1)\n"
		"is this terminal.  Without --bios, the built-in demo kernel boots.\n"
		"\n"
		"  -b, --bios FILE     firmware image (64 or 128 KiB) mapped to end at 0xfffff and\n"
		"                      at 4 GiB; the CPU starts at F000:FFF0 in real mode\n"
		"  -m, --memory SIZE   guest RAM, e.g. 16M, 1G (default 16 MiB, 1 MiB to 3 GiB;\n"
		"                      a plain number means MiB)\n"
		"      --stats         print exit and bus statistics when the guest stops\n"
		"      --trace-io      log every port and MMIO access to stderr\n"
		"  -h, --help          this help\n"
		"\n"
		"On a terminal, Ctrl-A x quits, Ctrl-A h lists the other console escapes.\n"
		"Exit status: the guest's (V << 1) | 1 when it writes V to port 0xf4;\n"
		"0 when you quit; 2 for a bad option, image or missing KVM; 4 when the guest\n"
		"dies (triple fault, hang, KVM error); 128+N when stopped by signal N.\n");
}

/* "16", "16M", "16MiB", "512K", "1G": a plain number is MiB, like QEMU's -m. */
static int parse_size(const char *arg, uint64_t *out)
{
	char *end;
	uint64_t value, unit = MIB;

	errno = 0;
	value = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || arg[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': unit = 1ULL << 10; end++; break;
	case 'm': case 'M': unit = MIB; end++; break;
	case 'g': case 'G': unit = 1ULL << 30; end++; break;
	default: break;
	}
	if (strcmp(end, "") != 0 && strcmp(end, "iB") != 0 && strcmp(end, "B") != 0)
		return -EINVAL;
	if (value > UINT64_MAX / unit)
		return -ERANGE;
	*out = value * unit;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	enum { OPT_STATS = 256, OPT_TRACE_IO };
	static const struct option longopts[] = {
		{ "bios", required_argument, NULL, 'b' },
		{ "memory", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "trace-io", no_argument, NULL, OPT_TRACE_IO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*opts = (struct options){ .ram_size = VM_RAM_DEFAULT };
	opterr = 0;	/* we word the errors ourselves, on one line */
	while ((opt = getopt_long(argc, argv, ":b:m:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			opts->bios_path = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &opts->ram_size) < 0 ||
			    opts->ram_size < VM_RAM_MIN || opts->ram_size > VM_RAM_MAX ||
			    opts->ram_size % 4096 != 0) {
				fprintf(stderr, "minivmm: bad --memory '%s': give a size from 1M to 3G "
					"in whole pages (e.g. 16M)\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_STATS:
			opts->stats = true;
			break;
		case OPT_TRACE_IO:
			opts->trace_io = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			fprintf(stderr, "minivmm: option '%s' needs a value (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "minivmm: unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "minivmm: unexpected argument '%s' (an image goes after --bios)\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Read the whole image, refusing sizes that are not a firmware image. */
static int load_image(const char *path, uint8_t **image, size_t *size)
{
	struct error err;
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (f == NULL) {
		fprintf(stderr, "minivmm: cannot open image '%s': %s\n", path, strerror(errno));
		return -errno;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fprintf(stderr, "minivmm: cannot read image '%s': not a regular file\n", path);
		fclose(f);
		return -EINVAL;
	}
	if (vm_check_rom_size((size_t)len, &err) < 0) {
		fprintf(stderr, "minivmm: bad image '%s': it %s\n", path, err.msg);
		fclose(f);
		return -EINVAL;
	}
	buf = malloc((size_t)len);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "minivmm: cannot read image '%s': %s\n", path,
			buf == NULL ? "out of memory" : "short read");
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*image = buf;
	*size = (size_t)len;
	return 0;
}

static void on_stop(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	machine_stop(w->data, EXIT_SIGNAL_BASE + w->signum, "stopped by signal %d (%s)",
		     w->signum, strsignal(w->signum));
}

static void print_stats(struct machine *m)
{
	const struct vcpu_stats *s = &m->vcpu.stats;

	fprintf(stderr,
		"minivmm: stats: %" PRIu64 " exits: %" PRIu64 " io, %" PRIu64 " mmio, %" PRIu64
		" hlt, %" PRIu64 " kicks, %" PRIu64 " irq windows; %" PRIu64 " interrupts injected\n",
		s->exits, s->io, s->mmio, s->hlt, s->intr, s->irq_window, s->injected);
	for (int space = 0; space < BUS_NR_SPACES; space++) {
		const struct bus_unclaimed *u = &m->bus.unclaimed[space];

		fprintf(stderr, "minivmm: stats: unclaimed %s accesses: %" PRIu64 " reads, %" PRIu64
			" writes", bus_space_name(space), u->reads, u->writes);
		if (u->reads + u->writes > 0)
			fprintf(stderr, " (last at 0x%" PRIx64 ")", u->last_addr);
		fputc('\n', stderr);
	}
}

static int run_machine(struct machine *m, const struct options *opts, const uint8_t *image,
		       size_t image_size)
{
	static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
	ev_signal signal_watchers[3];
	struct error err = { "" };
	int ret;

	m->opts = opts;
	m->vm.kvm_fd = m->vm.vm_fd = -1;
	m->vcpu.fd = m->vcpu.wake_fd = -1;
	pthread_mutex_init(&m->lock, NULL);
	bus_init(&m->bus);
	m->loop = ev_default_loop(EVFLAG_AUTO);
	if (m->loop == NULL) {
		fprintf(stderr, "minivmm: cannot create the event loop\n");
		return EXIT_SETUP;
	}
	ev_async_init(&m->stop_watcher, on_stop);
	ev_async_start(m->loop, &m->stop_watcher);
	for (int i = 0; i < 3; i++) {
		ev_signal_init(&signal_watchers[i], on_signal, stop_signals[i]);
		signal_watchers[i].data = m;
		ev_signal_start(m->loop, &signal_watchers[i]);
	}
	/* A vanished stdout reader is handled where we write, not by dying. */
	signal(SIGPIPE, SIG_IGN);

	ret = vm_create(&m->vm, &err);
	if (ret == 0)
		ret = vm_setup_memory(&m->vm, opts->ram_size, image, image_size, &err);
	if (ret == 0)
		ret = vcpu_create(&m->vcpu, m->vm.kvm_fd, m->vm.vm_fd, &err);
	if (ret == 0)
		ret = board_setup(m, &err);
	if (ret == 0)
		ret = vcpu_start(m, &err);

	if (ret == 0) {
		ev_run(m->loop, 0);
		vcpu_join(m);
	}
	board_teardown(m);	/* flushes the guest's output, restores the terminal */

	if (ret < 0) {
		fprintf(stderr, "minivmm: %s\n", err.msg);
		ret = EXIT_SETUP;
	} else {
		if (m->exit_message[0] != '\0')
			fprintf(stderr, "minivmm: %s\n", m->exit_message);
		if (opts->stats)
			print_stats(m);
		ret = m->exit_status;
	}
	vcpu_destroy(&m->vcpu);
	vm_destroy(&m->vm);
	return ret;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct machine *m;
	uint8_t *image = NULL;
	size_t image_size;
	int status;

	if (parse_options(argc, argv, &opts) < 0)
		return EXIT_SETUP;
	if (opts.bios_path != NULL) {
		if (load_image(opts.bios_path, &image, &image_size) < 0)
			return EXIT_SETUP;
	}

	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		fprintf(stderr, "minivmm: out of memory\n");
		return EXIT_SETUP;
	}
	if (image != NULL)
		status = run_machine(m, &opts, image, image_size);
	else
		status = run_machine(m, &opts, default_kernel, default_kernel_size);
	free(image);
	free(m);
	return status;
}
