/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BENCH_CHILD_H
#define MINIVMM_BENCH_CHILD_H

/*
 * A VMM as a child process, for the process-level benchmarks (start-up,
 * memory): fork+exec with stdin /dev/null, stdout a pipe we read and
 * stderr a temporary file we read at the end (for error messages, and so
 * that the child's last words do not land in our table), every wait
 * bounded by a deadline, and a child that overstays killed.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct bench_child {
	pid_t pid;		/* 0 once reaped */
	int out_fd;		/* read end of the child's stdout, -1 when closed */
	uint64_t start_ns;	/* bench_now_ns() just before fork() */
	uint64_t first_ns;	/* when its first output byte arrived, 0 before */
	uint64_t eof_ns;	/* when its stdout closed, 0 before */
	char out[256];		/* the start of its output, NUL-terminated */
	size_t out_len;		/* bytes read in all (out keeps the first ones) */
	int err_fd;		/* the child's stderr, a temporary file; -1 when closed */
	char err[256];		/* its first line, once reaped or killed */
};

/* Start argv[0] (a path) with argv.  0 (then end with bench_child_reap()
 * or bench_child_kill()), or -errno with err set and nothing left open. */
int bench_child_start(struct bench_child *c, char *const argv[], struct error *err);

/*
 * Read the child's output until it contains `until` (a byte), or until it
 * closes its stdout when `until` is -1.  0; -ETIMEDOUT past the deadline
 * (absolute, bench_now_ns()); -EPIPE if the output ended first.
 */
int bench_child_read(struct bench_child *c, int until, uint64_t deadline_ns);

/*
 * Reap the child once its stdout has closed (bench_child_read(c, -1, ...)):
 * *status is its exit status, or 128 + signal.  *exit_ns when reaped.
 * Fills c->err and closes everything.
 */
void bench_child_reap(struct bench_child *c, int *status, uint64_t *exit_ns);

/* End a child that is still there (SIGTERM, then SIGKILL after a second),
 * reap it, fill c->err and close everything.  Harmless on a reaped child. */
void bench_child_kill(struct bench_child *c);

#endif
