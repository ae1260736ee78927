/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_CLOCK_H
#define MINIVMM_CLOCK_H

#include <stdint.h>
#include <time.h>

#include "util.h"

/* The devices' time base: CLOCK_MONOTONIC in nanoseconds, the same clock
 * the device timers (timer.c) are armed against. */
static inline uint64_t clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

#endif
