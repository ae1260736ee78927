// SPDX-License-Identifier: MIT
/*
 * Start-up time: how long from "start the VMM" to the guest's first serial
 * byte (bench/kernels/hello.asm writes it to COM1 THR first thing), twice:
 *
 *   in-process:    bench_vmm_create() + run until the byte reaches a pipe,
 *                  against raw_kvm_create() + KVM_RUN until the first exit
 *                  (that OUT) + write(2) of the byte to a pipe;
 *   process level: fork+exec `minivmm --bios hello.bin` with stdout a
 *                  pipe, until the first byte arrives and until it exits,
 *                  against the same for raw_hello (bench/raw_hello.c).
 *
 * The runs alternate, minivmm then the baseline, so that a busy host
 * slows both alike.
 */
#define _GNU_SOURCE	/* pipe2() */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "child.h"
#include "harness.h"
#include "raw_kvm.h"
#include "watchdog.h"

#define STARTUP_INPROC_FULL 50
#define STARTUP_INPROC_QUICK 10
#define STARTUP_PROC_FULL 20
#define STARTUP_PROC_QUICK 5
#define STARTUP_TIMEOUT_NS (10 * UINT64_C(1000000000))	/* per run */
#define STARTUP_GOAL_RATIO 1.1
#define STARTUP_GOAL_ABS_MS 5.0

#define COM1_THR 0x3f8
#define STARTUP_RAM (16u << 20)		/* minivmm's default, as in the process runs */

/* Timestamps the first byte to come out of a pipe, then drains it to EOF. */
struct first_byte {
	int fds[2];
	pthread_t thread;
	uint64_t first_ns;
	uint8_t byte;
};

static void *first_byte_thread(void *arg)
{
	struct first_byte *f = arg;
	uint8_t buf[256];
	ssize_t n;

	while ((n = read(f->fds[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (f->first_ns == 0) {
			f->first_ns = bench_now_ns();
			f->byte = buf[0];
		}
	}
	return NULL;
}

static int first_byte_start(struct first_byte *f, struct error *err)
{
	int ret;

	memset(f, 0, sizeof(*f));
	if (pipe2(f->fds, O_CLOEXEC) < 0)
		return error_set(err, -errno, "pipe: %s", strerror(errno));
	ret = pthread_create(&f->thread, NULL, first_byte_thread, f);
	if (ret != 0) {
		close(f->fds[0]);
		close(f->fds[1]);
		return error_set(err, -ret, "pthread_create: %s", strerror(ret));
	}
	return 0;
}

/* Close the write end (EOF for the reader), wait for it: did 'h' arrive? */
static bool first_byte_finish(struct first_byte *f)
{
	close(f->fds[1]);
	pthread_join(f->thread, NULL);
	close(f->fds[0]);
	return f->first_ns != 0 && f->byte == 'h';
}

/* minivmm in this process: create, run to the guest's exit. */
static int startup_minivmm(const uint8_t *image, size_t size, uint64_t *first,
			   uint64_t *create, struct error *err)
{
	struct bench_watchdog w;
	struct first_byte f;
	struct bench_vmm b;
	uint64_t t0, t1 = 0;
	int ret = first_byte_start(&f, err);

	if (ret < 0)
		return ret;
	ret = bench_watchdog_start(&w, STARTUP_TIMEOUT_NS, err);
	if (ret < 0) {
		first_byte_finish(&f);
		return ret;
	}
	t0 = bench_now_ns();
	ret = bench_vmm_create(&b, image, size, STARTUP_RAM, f.fds[1], err);
	if (ret == 0) {
		int status;

		t1 = bench_now_ns();
		bench_watchdog_watch(&w, b.m);
		status = bench_vmm_run(&b);
		if (status != 1)
			ret = error_set(err, -EIO, "minivmm stopped with status %d, not 1: %s",
					status, b.m->exit_message);
	}
	bench_watchdog_stop(&w);
	bench_vmm_destroy(&b);
	if (!first_byte_finish(&f) && ret == 0)
		ret = error_set(err, -EIO, "minivmm: the guest's first byte did not arrive");
	*first = f.first_ns - t0;
	*create = t1 - t0;
	return ret;
}

/* The baseline in this process: create, KVM_RUN to the first OUT, write it. */
static int startup_raw(const uint8_t *image, size_t size, uint64_t *first, uint64_t *create,
		       struct error *err)
{
	struct first_byte f;
	struct raw_kvm k;
	uint64_t t0, t1;
	int ret = first_byte_start(&f, err);

	if (ret < 0)
		return ret;
	t0 = bench_now_ns();
	ret = raw_kvm_create(&k, image, size, STARTUP_RAM, err);
	t1 = bench_now_ns();
	if (ret == 0 && (ret = raw_kvm_run(&k)) < 0)
		error_set(err, ret, "KVM_RUN failed: %s", strerror(-ret));
	if (ret == 0 && (k.run->exit_reason != KVM_EXIT_IO || k.run->io.port != COM1_THR ||
			 k.run->io.direction != KVM_EXIT_IO_OUT))
		ret = error_set(err, -EIO, "raw: the first exit is not an OUT to COM1 THR");
	if (ret == 0 && write(f.fds[1], (uint8_t *)k.run + k.run->io.data_offset, 1) != 1)
		ret = error_set(err, -EIO, "write to the pipe failed");
	raw_kvm_destroy(&k);
	if (!first_byte_finish(&f) && ret == 0)
		ret = error_set(err, -EIO, "raw: the guest's first byte did not arrive");
	*first = f.first_ns - t0;
	*create = t1 - t0;
	return ret;
}

/* One child process: fork to first byte, fork to exit.  Checks its output. */
static int startup_child(char *const argv[], uint64_t *first, uint64_t *exit, struct error *err)
{
	struct bench_child c;
	uint64_t exit_ns;
	int ret, status;

	ret = bench_child_start(&c, argv, err);
	if (ret < 0)
		return ret;
	ret = bench_child_read(&c, -1, c.start_ns + STARTUP_TIMEOUT_NS);
	if (ret < 0) {
		bench_child_kill(&c);
		return error_set(err, ret, "%s: no exit within %llu s (%s)", argv[0],
				 (unsigned long long)(STARTUP_TIMEOUT_NS / 1000000000), c.err);
	}
	bench_child_reap(&c, &status, &exit_ns);
	if (status != 1 || strcmp(c.out, "hello\n") != 0)
		return error_set(err, -EIO, "%s: exit status %d (not 1), output \"%s\", %s",
				 argv[0], status, c.out, c.err);
	*first = c.first_ns - c.start_ns;
	*exit = exit_ns - c.start_ns;
	return 0;
}

static void startup_row(const struct bench_options *o, const char *metric, const char *name,
			uint64_t *mine, uint64_t *raw, size_t n, bool goal_abs)
{
	struct bench_summary sm, sr;
	char label[64];

	snprintf(label, sizeof(label), "startup-%s-minivmm", name);
	bench_save(o, label, mine, n);
	snprintf(label, sizeof(label), "startup-%s-raw", name);
	bench_save(o, label, raw, n);
	sm = bench_summarize(mine, n);
	sr = bench_summarize(raw, n);
	bench_row(metric, "ms", 1e-6, &sm, &sr, STARTUP_GOAL_RATIO, false);
	if (goal_abs)
		printf("%-34s   minivmm median %.2f ms (goal <= %.0f ms absolute: %s)\n", "",
		       sm.median * 1e-6, STARTUP_GOAL_ABS_MS,
		       sm.median * 1e-6 <= STARTUP_GOAL_ABS_MS ? "met" : "MISSED");
	fflush(stdout);
}

/* Every sample, one array of n each. */
enum {
	INPROC_MINE, INPROC_RAW,		/* in-process: to first byte */
	CREATE_MINE, CREATE_RAW,		/* in-process: the create call alone */
	FIRST_MINE, FIRST_RAW,			/* process: fork to first byte */
	EXIT_MINE, EXIT_RAW,			/* process: fork to exit */
	NR_SERIES
};

int bench_startup(const struct bench_options *o, struct error *err)
{
	char image_path[4096];
	char *minivmm_argv[] = { BENCH_MINIVMM_PATH, "--bios", image_path, NULL };
	char *raw_argv[] = { BENCH_RAW_HELLO_PATH, image_path, NULL };
	size_t n_in = o->quick ? STARTUP_INPROC_QUICK : STARTUP_INPROC_FULL;
	size_t n_proc = o->quick ? STARTUP_PROC_QUICK : STARTUP_PROC_FULL;
	size_t n = n_in > n_proc ? n_in : n_proc;
	uint64_t *all, *v[NR_SERIES];
	struct bench_summary cm, cr;
	uint8_t *image;
	size_t size;
	int ret;

	snprintf(image_path, sizeof(image_path), "%s/hello.bin", BENCH_KERNEL_DIR);
	ret = bench_load_kernel("hello", &image, &size, err);
	if (ret < 0)
		return ret;
	all = calloc(NR_SERIES * n, sizeof(uint64_t));
	if (all == NULL) {
		free(image);
		return error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < NR_SERIES; i++)
		v[i] = all + i * n;

	for (size_t i = 0; ret == 0 && i < n_in; i++) {
		ret = startup_minivmm(image, size, &v[INPROC_MINE][i], &v[CREATE_MINE][i], err);
		if (ret == 0)
			ret = startup_raw(image, size, &v[INPROC_RAW][i], &v[CREATE_RAW][i], err);
	}
	if (ret == 0) {
		startup_row(o, "start-up to 1st byte, in-process", "inproc", v[INPROC_MINE],
			    v[INPROC_RAW], n_in, false);
		cm = bench_summarize(v[CREATE_MINE], n_in);
		cr = bench_summarize(v[CREATE_RAW], n_in);
		printf("%-34s   of which creating the VM: bench_vmm_create() median %.2f ms, "
		       "raw_kvm_create() median %.2f ms\n", "", cm.median * 1e-6, cr.median * 1e-6);
	}

	for (size_t i = 0; ret == 0 && i < n_proc; i++) {
		ret = startup_child(minivmm_argv, &v[FIRST_MINE][i], &v[EXIT_MINE][i], err);
		if (ret == 0)
			ret = startup_child(raw_argv, &v[FIRST_RAW][i], &v[EXIT_RAW][i], err);
	}
	if (ret == 0) {
		startup_row(o, "start-up to 1st byte, process", "first", v[FIRST_MINE],
			    v[FIRST_RAW], n_proc, true);
		startup_row(o, "start-up to exit, process", "exit", v[EXIT_MINE], v[EXIT_RAW],
			    n_proc, true);
	}
	free(all);
	free(image);
	return ret;
}
