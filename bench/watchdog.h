/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BENCH_WATCHDOG_H
#define MINIVMM_BENCH_WATCHDOG_H

/*
 * A time limit for minivmm runs inside the benchmark's process: a thread
 * that stops the machine (machine_stop) if it is still running when the
 * time is up, so that a guest or VMM that hangs ends the benchmark with an
 * error instead of stalling it.  Started before the timed section (its
 * thread costs nothing there), told which machine once there is one.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "machine.h"

struct bench_watchdog {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct timespec deadline;	/* CLOCK_MONOTONIC */
	struct machine *m;		/* what to stop, NULL until watched */
	bool done, fired;
};

/* Start the clock: `timeout_ns` from now.  0, or -errno with err set. */
int bench_watchdog_start(struct bench_watchdog *w, uint64_t timeout_ns, struct error *err);

/* The machine to stop when time is up (at once if it already is). */
void bench_watchdog_watch(struct bench_watchdog *w, struct machine *m);

/* End the watch; true if the time ran out. */
bool bench_watchdog_stop(struct bench_watchdog *w);

#endif
