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
#include "util.h"

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
		"      --stats         print exit, bus, device and event counts when the guest stops\n"
		"      --trace LIST    print device events to stderr as they happen, each with a\n"
		"                      timestamp and the guest's CS:RIP; LIST is a comma-separated\n"
		"                      choice of %s (io: every port and MMIO access)\n"
		"      --kvm-device PATH  the KVM device to use (default /dev/kvm)\n"
		"  -h, --help          this help\n"
		"\n"
		"On a terminal, Ctrl-A x quits, Ctrl-A h lists the other console escapes.\n"
		"Exit status: the guest's (V << 1) | 1 when it writes V to port 0xf4;\n"
		"0 when you quit; 2 for a bad option, image or missing KVM; 4 when the guest\n"
		"dies (triple fault, hang, KVM error); 128+N when stopped by signal N.\n",
		trace_list_help());
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
	case 'k': case 'K': unit = KIB; end++; break;
	case 'm': case 'M': unit = MIB; end++; break;
	case 'g': case 'G': unit = GIB; end++; break;
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
	enum { OPT_STATS = 256, OPT_TRACE, OPT_KVM_DEVICE };
	static const struct option longopts[] = {
		{ "bios", required_argument, NULL, 'b' },
		{ "memory", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "kvm-device", required_argument, NULL, OPT_KVM_DEVICE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*opts = (struct options){ .ram_size = VM_RAM_DEFAULT, .kvm_path = VM_KVM_DEVICE };
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
		case OPT_KVM_DEVICE:
			opts->kvm_path = optarg;
			break;
		case OPT_TRACE: {
			struct error err;

			if (trace_parse_list(optarg, &opts->trace_mask, &err) < 0) {
				fprintf(stderr, "minivmm: %s\n", err.msg);
				return -EINVAL;
			}
			break;
		}
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

/* Build, run and take down the machine; the only place that reports how. */
static int run_machine(struct machine *m, const struct options *opts, const uint8_t *image,
		       size_t image_size)
{
	struct error err = { "" };
	int status;

	if (machine_create(m, opts, image, image_size, &err) < 0) {
		machine_destroy(m);
		fprintf(stderr, "minivmm: %s\n", err.msg);
		return EXIT_SETUP;
	}
	status = machine_run(m);	/* the terminal is restored when it returns */
	if (m->exit_message[0] != '\0')
		fprintf(stderr, "minivmm: %s\n", m->exit_message);
	if (opts->stats)
		machine_print_stats(m, stderr);
	machine_destroy(m);
	return status;
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
