/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_TIMER_H
#define MINIVMM_TIMER_H

/*
 * The timer service every timed device uses.
 *
 * Device models own no timers: each reports the absolute time of its next
 * event (a next_deadline function, CLOCK_MONOTONIC nanoseconds, UINT64_MAX
 * for "never") and does its work when called at that time (expired).  A
 * device_timer keeps one timerfd armed at the device's next deadline and
 * watched by the loop thread, which calls expired() with the device lock
 * held and then re-arms.  Whoever changes the device's state (a bus access
 * on the vCPU thread, console input on the loop thread) calls
 * device_timer_update() afterwards, under the same lock.
 *
 * A timerfd rather than an ev_timer: libev's epoll backend rounds timeouts
 * up to whole milliseconds and fires a repeating timer at most once per
 * loop iteration; a timerfd keeps nanoseconds and may be re-armed from the
 * vCPU thread without waking the loop.
 *
 * A halted vCPU waits on the same timerfds (struct device_timers lists
 * them) and runs an expired timer itself: the interrupt it raises then
 * reaches the guest after one thread wake-up, not two in a row (loop,
 * then a kick to the vCPU), which a host's idle wake-ups make expensive.
 * Whichever thread reads the timerfd first runs it; the other finds it
 * empty and does nothing.
 */

#include <ev.h>
#include <pthread.h>
#include <stdint.h>

#include "error.h"

#define DEVICE_TIMERS_MAX 8

struct device_timer;

/* The machine's timers, the loop that watches them and the lock they run
 * under.  The list changes only while the vCPU thread is not running. */
struct device_timers {
	struct ev_loop *loop;
	pthread_mutex_t *lock;	/* the device lock, taken around expired() */
	struct device_timer *list[DEVICE_TIMERS_MAX];
	unsigned n;
};

struct device_timer {
	int fd;
	ev_io watcher;
	struct device_timers *timers;	/* NULL: not set up */
	uint64_t armed_ns;	/* UINT64_MAX: disarmed.  Under *lock. */
	uint64_t (*next_deadline)(void *opaque, uint64_t now_ns);
	void (*expired)(void *opaque, uint64_t now_ns);
	void *opaque;
};

/* Create the timerfd, list it in `timers` and start watching it
 * (disarmed).  0 or -errno. */
int device_timer_init(struct device_timer *t, struct device_timers *timers,
		      uint64_t (*next_deadline)(void *opaque, uint64_t now_ns),
		      void (*expired)(void *opaque, uint64_t now_ns), void *opaque,
		      struct error *err);

/* If the timer has expired, run it (takes the device lock): any thread. */
void device_timer_fire(struct device_timer *t);

/* Re-arm for the device's next deadline if it changed.  Lock held; any thread. */
void device_timer_update(struct device_timer *t, uint64_t now_ns);

/* Stop watching, unlist and close (loop thread, after the vCPU stopped). */
void device_timer_exit(struct device_timer *t);

#endif
