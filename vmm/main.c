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
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "default_kernel.h"
#include "boot/boot.h"
#include "boot/linux.h"
#include "machine.h"
#include "util.h"

#define LINUX_DEFAULT_RAM (128ULL << 20)	/* QEMU's default */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: minivmm [options]\n"
		"Boot a kernel image on KVM with emulated PC devices; its serial port (COM1)\n"
		"is this terminal.  Without --bios, the built-in demo kernel boots.\n"
		"\n"
		"  -b, --bios FILE     firmware image (64 or 128 KiB) mapped to end at 0xfffff and\n"
		"                      at 4 GiB; the CPU starts at F000:FFF0 in real mode\n"
		"  -k, --kernel FILE   instead of --bios, a kernel loaded as a boot loader would:\n"
		"                      a Linux bzImage (32-bit entry, e820 map, ACPI tables for\n"
		"                      power-off), else a multiboot or multiboot2 kernel\n"
		"  -i, --initrd FILE   Linux: an initramfs, put at the top of RAM; multiboot:\n"
		"                      modules as QEMU takes them, \"FILE ARGS,FILE ARGS\"\n"
		"  -a, --append LINE   the kernel command line; Linux's default:\n"
		"                      \"%s\"\n"
		"      --reboot        when the guest reboots, restart it (every device reset,\n"
		"                      images reloaded) instead of exiting with status 0\n"
		"      --vga           show the VGA text screen (80x25 at 0xb8000) on this terminal\n"
		"                      and type on its PS/2 keyboard; COM1 then goes to --serial\n"
		"      --serial DEST   where COM1 goes: stdio (the default without --vga), none\n"
		"                      (the default with --vga), or a file to write its output to\n"
		"      --debugcon FILE where bytes written to port 0xe9 go (default: stderr)\n"
		"      --testdev       add QEMU's pc-testdev (ports 0xe0-0xe3, 0xe8, 0xea-0xeb,\n"
		"                      0x2000-0x2017, MMIO at 0xff000000), for test kernels\n"
		"  -m, --memory SIZE   guest RAM, 1 MiB to 3 GiB in whole pages (default 16M,\n"
		"                      128M with --kernel): digits, then K, M or G (either case),\n"
		"                      optionally followed by iB or B, e.g. 1024K, 16M, 16MiB, 1GB;\n"
		"                      no suffix means MiB\n"
		"      --stats         print exit, bus, device and event counts when the guest stops\n"
		"      --trace LIST    print device events to stderr as they happen, each with a\n"
		"                      timestamp and the guest's CS:RIP; LIST is a comma-separated\n"
		"                      choice of %s (io: every port and MMIO access)\n"
		"      --trace-file F  write the device events as a Chrome trace (JSON) to F:\n"
		"                      a timeline per IRQ line and device, for Perfetto\n"
		"      --gdb PORT      a GDB remote stub on 127.0.0.1:PORT (target remote :PORT)\n"
		"      --gdb-wait      with --gdb: stop before the first instruction until gdb\n"
		"                      connects and continues\n"
		"      --kvm-device PATH  the KVM device to use (default /dev/kvm)\n"
		"      --no-seccomp    run without the per-thread system call allow-lists (for\n"
		"                      debugging: valgrind, a new call being added)\n"
		"  -h, --help          this help\n"
		"\n"
		"On a terminal, Ctrl-A x quits, Ctrl-A h lists the other console escapes.\n"
		"Exit status: the guest's (V << 1) | 1 when it writes V to port 0xf4;\n"
		"0 when you quit; 2 for a bad option, image or missing KVM; 4 when the guest\n"
		"dies (triple fault, hang, KVM error); 128+N when stopped by signal N.\n"
		"A guest that powers off or reboots (without --reboot) ends it with status 0.\n",
		LINUX_DEFAULT_CMDLINE, trace_list_help());
}

/*
 * Exactly DIGITS [UNIT [iB | B]], UNIT one of K M G in either case and
 * always binary: "16", "16M", "16MiB", "16MB", "1024K", "1G", "1GiB".  A
 * plain number is MiB, like QEMU's -m.  No spaces, signs or other suffixes
 * (strtoull would take " -1" and "16iB").
 */
static int parse_size(const char *arg, uint64_t *out)
{
	const char *p = arg;
	uint64_t value = 0, unit;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (value > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		value = value * 10 + digit;
	}
	switch (*p) {
	case '\0': unit = MIB; break;
	case 'k': case 'K': unit = KIB; p++; break;
	case 'm': case 'M': unit = MIB; p++; break;
	case 'g': case 'G': unit = GIB; p++; break;
	default: return -EINVAL;
	}
	if (strcmp(p, "") != 0 && strcmp(p, "iB") != 0 && strcmp(p, "B") != 0)
		return -EINVAL;
	if (value > UINT64_MAX / unit)
		return -ERANGE;
	*out = value * unit;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	enum { OPT_STATS = 256, OPT_TRACE, OPT_KVM_DEVICE, OPT_NO_SECCOMP, OPT_REBOOT, OPT_VGA,
	       OPT_SERIAL, OPT_DEBUGCON, OPT_TESTDEV, OPT_GDB, OPT_GDB_WAIT, OPT_TRACE_FILE };
	static const struct option longopts[] = {
		{ "bios", required_argument, NULL, 'b' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "reboot", no_argument, NULL, OPT_REBOOT },
		{ "vga", no_argument, NULL, OPT_VGA },
		{ "serial", required_argument, NULL, OPT_SERIAL },
		{ "debugcon", required_argument, NULL, OPT_DEBUGCON },
		{ "testdev", no_argument, NULL, OPT_TESTDEV },
		{ "gdb", required_argument, NULL, OPT_GDB },
		{ "gdb-wait", no_argument, NULL, OPT_GDB_WAIT },
		{ "trace-file", required_argument, NULL, OPT_TRACE_FILE },
		{ "memory", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "kvm-device", required_argument, NULL, OPT_KVM_DEVICE },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool memory_given = false;
	int opt;

	*opts = (struct options){ .ram_size = VM_RAM_DEFAULT, .kvm_path = VM_KVM_DEVICE,
				   .seccomp = true };
	opterr = 0;	/* we word the errors ourselves, on one line */
	while ((opt = getopt_long(argc, argv, ":b:k:i:a:m:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			opts->bios_path = optarg;
			break;
		case 'k':
			opts->kernel_path = optarg;
			break;
		case 'i':
			opts->initrd_path = optarg;
			break;
		case 'a':
			opts->append = optarg;
			break;
		case OPT_REBOOT:
			opts->reboot = true;
			break;
		case OPT_VGA:
			opts->vga = true;
			break;
		case OPT_SERIAL:
			opts->serial = optarg;
			break;
		case OPT_DEBUGCON:
			opts->debugcon = optarg;
			break;
		case OPT_TESTDEV:
			opts->testdev = true;
			break;
		case OPT_GDB: {
			char *end;
			long port;

			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || port < 1 || port > 65535 ||
			    optarg[0] < '0' || optarg[0] > '9') {
				fprintf(stderr, "minivmm: bad --gdb '%s': give a TCP port from 1 to "
					"65535 (e.g. 1234)\n", optarg);
				return -EINVAL;
			}
			opts->gdb_port = (int)port;
			break;
		}
		case OPT_GDB_WAIT:
			opts->gdb_wait = true;
			break;
		case OPT_TRACE_FILE:
			opts->trace_file = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &opts->ram_size) < 0 ||
			    opts->ram_size < VM_RAM_MIN || opts->ram_size > VM_RAM_MAX ||
			    opts->ram_size % 4096 != 0) {
				fprintf(stderr, "minivmm: bad --memory '%s': give a size from 1M to 3G "
					"in whole pages (e.g. 16M)\n", optarg);
				return -EINVAL;
			}
			memory_given = true;
			break;
		case OPT_NO_SECCOMP:
			opts->seccomp = false;
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
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "minivmm: cannot write the help: %s\n",
					strerror(errno));
				exit(EXIT_SETUP);
			}
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
		fprintf(stderr, "minivmm: unexpected argument '%s' (an image goes after --bios "
			"or --kernel)\n", argv[optind]);
		return -EINVAL;
	}
	if (opts->bios_path != NULL && opts->kernel_path != NULL) {
		fprintf(stderr, "minivmm: --bios and --kernel both say what to boot: give one\n");
		return -EINVAL;
	}
	if (opts->kernel_path == NULL && (opts->initrd_path != NULL || opts->append != NULL)) {
		fprintf(stderr, "minivmm: %s needs --kernel\n",
			opts->initrd_path != NULL ? "--initrd" : "--append");
		return -EINVAL;
	}
	if (opts->gdb_wait && opts->gdb_port == 0) {
		fprintf(stderr, "minivmm: --gdb-wait needs --gdb PORT\n");
		return -EINVAL;
	}
	if (opts->kernel_path != NULL && !memory_given)
		opts->ram_size = LINUX_DEFAULT_RAM;
	return 0;
}

/* What a file that is not a regular file is, for "it is ...". */
static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return "a directory";
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFSOCK: return "a socket";
	default: return "not a regular file";
	}
}

/*
 * Read a whole file named by an option, refusing anything but a regular
 * file; a firmware image (`what` "image") must also have a ROM's size.
 * The open never blocks (a FIFO would wait for a writer) and the file must
 * still be exactly as long as fstat said when read to its end.
 */
static int load_file(const char *path, const char *what, uint64_t max_size, uint8_t **image,
		     size_t *size)
{
	struct error err;
	struct stat st;
	uint8_t *buf;
	size_t len, got = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		/* A socket cannot be opened at all (ENXIO): say what it is. */
		if (ret == -ENXIO && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			fprintf(stderr, "minivmm: bad %s '%s': it is a socket, not a regular "
				"file\n", what, path);
		else
			fprintf(stderr, "minivmm: cannot open %s '%s': %s\n", what, path,
				strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		fprintf(stderr, "minivmm: cannot read %s '%s': %s\n", what, path,
			strerror(-ret));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "minivmm: bad %s '%s': it is %s, not a regular file\n", what, path,
			file_kind(st.st_mode));
		close(fd);
		return -EINVAL;
	}
	len = (uint64_t)st.st_size > SIZE_MAX ? SIZE_MAX : (size_t)st.st_size;
	if (strcmp(what, "image") == 0 && vm_check_rom_size(len, &err) < 0) {
		fprintf(stderr, "minivmm: bad image '%s': it %s\n", path, err.msg);
		close(fd);
		return -EINVAL;
	}
	if (max_size != 0 && len > max_size) {
		fprintf(stderr, "minivmm: bad %s '%s': it is %zu bytes (%.1f MiB), more than the "
			"%.1f MiB of guest RAM (--memory)\n", what, path, len, (double)len / MIB,
			(double)max_size / MIB);
		close(fd);
		return -EFBIG;
	}
	/* One byte more than expected, to notice a file that grew. */
	buf = malloc(len + 1);
	if (buf == NULL) {
		fprintf(stderr, "minivmm: cannot read %s '%s': out of memory\n", what, path);
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, len + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			fprintf(stderr, "minivmm: cannot read %s '%s': %s\n", what, path,
				strerror(-ret));
			free(buf);
			close(fd);
			return ret;
		}
		if (n == 0 || (got += (size_t)n) == len + 1)
			break;
	}
	close(fd);
	if (got != len) {
		fprintf(stderr, "minivmm: cannot read %s '%s': it changed size while being "
			"read (%zu bytes, then %s%zu)\n", what, path, len, got > len ? "at least " : "",
			got);
		free(buf);
		return -EIO;
	}
	*image = buf;
	*size = len;
	return 0;
}

/* A multiboot kernel's modules, from --initrd "FILE ARGS,FILE ARGS". */
struct modules {
	char spec[4096];		/* the split command lines point in here */
	const char *cmdlines[BOOT_MAX_MODULES];
	struct multiboot_module list[BOOT_MAX_MODULES];
	size_t n;
};

static int load_modules(const char *spec, uint64_t ram_size, struct modules *mods)
{
	struct error err;
	int n = multiboot_split_modules(spec, mods->spec, sizeof(mods->spec), mods->cmdlines,
					BOOT_MAX_MODULES, &err);

	if (n < 0) {
		fprintf(stderr, "minivmm: bad --initrd '%s': %s\n", spec, err.msg);
		return n;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		size_t len = multiboot_module_path_len(mods->cmdlines[i]);
		uint8_t *data;
		size_t size;

		snprintf(path, sizeof(path), "%.*s", (int)len, mods->cmdlines[i]);
		if (load_file(path, "module", ram_size, &data, &size) < 0)
			return -EINVAL;
		mods->list[mods->n++] = (struct multiboot_module){
			.data = data, .size = size, .cmdline = mods->cmdlines[i],
		};
	}
	return 0;
}

/* Build, run and take down the machine; the only place that reports how. */
/* How long the last words at exit may wait for stderr's reader. */
#define EXIT_WRITE_TIMEOUT_MS 2000

static int run_machine(struct machine *m, const struct options *opts,
		       const struct boot_images *images)
{
	struct error err = { "" };
	FILE *words;
	char *text = NULL;
	size_t len = 0;
	int status;

	if (machine_create(m, opts, images, &err) < 0) {
		machine_destroy(m);
		fprintf(stderr, "minivmm: %s\n", err.msg);
		return EXIT_SETUP;
	}
	status = machine_run(m);	/* the terminal is restored when it returns */
	/*
	 * The last words go out through a buffer and a bounded write: stderr's
	 * reader may have stopped reading, and exit must not hang on it.
	 */
	words = open_memstream(&text, &len);
	if (words == NULL)
		words = stderr;		/* out of memory: write them as we can */
	if (m->exit_message[0] != '\0')
		fprintf(words, "minivmm: %s\n", m->exit_message);
	console_report(&m->console, words);	/* guest output or input that was lost */
	if (opts->stats)
		machine_print_stats(m, words);
	if (words != stderr && fclose(words) == 0) {
		nbwrite_all(&m->err_out, text, len, EXIT_WRITE_TIMEOUT_MS);
		free(text);
	}
	machine_destroy(m);
	return status;
}

/*
 * Before anything opens a file or prints: fds 0, 1 and 2 must be open, or
 * the next open() (the image, the event loop's epoll fd, /dev/kvm) would
 * take the place of a closed stdio stream, and the guest's output or our
 * messages would land in it.  A closed one becomes /dev/null.
 */
static int open_stdio(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int null_fd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* 0..fd-1 are open, so this is fd. */
		null_fd = open("/dev/null", O_RDWR);
		if (null_fd != fd) {
			fprintf(stderr, "minivmm: fd %d is closed and /dev/null cannot stand in "
				"for it: %s\n", fd, null_fd < 0 ? strerror(errno) : "wrong fd");
			return -EBADF;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct machine *m;
	struct boot_images images = { .bios = default_kernel, .bios_size = default_kernel_size };
	uint8_t *bios = NULL, *kernel = NULL, *initrd = NULL;
	struct modules modules = { .n = 0 };
	int status = EXIT_SETUP;

	/*
	 * A reader that went away gets EPIPE where we write, not a SIGPIPE
	 * that would kill us with 141 instead of our status (the console
	 * handles EPIPE on the guest's output; the vCPU thread blocks it).
	 */
	signal(SIGPIPE, SIG_IGN);
	if (open_stdio() < 0)
		return EXIT_SETUP;
	if (parse_options(argc, argv, &opts) < 0)
		return EXIT_SETUP;
	if (opts.bios_path != NULL) {
		if (load_file(opts.bios_path, "image", 0, &bios, &images.bios_size) < 0)
			goto out;
		images.bios = bios;
	}
	if (opts.kernel_path != NULL) {
		if (load_file(opts.kernel_path, "kernel", opts.ram_size, &kernel, &images.kernel_size) < 0)
			goto out;
		images.kernel = kernel;
		images.kernel_path = opts.kernel_path;
		images.cmdline = opts.append;
	}
	if (opts.initrd_path != NULL) {
		enum boot_kernel_kind kind = boot_kernel_kind(kernel, images.kernel_size);

		if (kind == BOOT_KERNEL_MULTIBOOT || kind == BOOT_KERNEL_MULTIBOOT2) {
			if (load_modules(opts.initrd_path, opts.ram_size, &modules) < 0)
				goto out;
			images.modules = modules.list;
			images.nr_modules = modules.n;
		} else {
			if (load_file(opts.initrd_path, "initrd", opts.ram_size, &initrd,
				      &images.initrd_size) < 0)
				goto out;
			images.initrd = initrd;
		}
	}

	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		fprintf(stderr, "minivmm: out of memory\n");
		goto out;
	}
	status = run_machine(m, &opts, &images);
	free(m);
out:
	free(bios);
	free(kernel);
	free(initrd);
	for (size_t i = 0; i < modules.n; i++)
		free((void *)modules.list[i].data);
	return status;
}
