// SPDX-License-Identifier: MIT
#include "watchdog.h"

#include <errno.h>
#include <string.h>

#define WATCHDOG_MESSAGE "minivmm-bench: time limit reached, stopped"

static void *watchdog_thread(void *arg)
{
	struct bench_watchdog *w = arg;
	int ret = 0;

	pthread_mutex_lock(&w->lock);
	while (!w->done && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&w->cond, &w->lock, &w->deadline);
	if (!w->done) {
		w->fired = true;
		if (w->m != NULL)
			machine_stop(w->m, EXIT_GUEST_FAULT, WATCHDOG_MESSAGE);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int bench_watchdog_start(struct bench_watchdog *w, uint64_t timeout_ns, struct error *err)
{
	pthread_condattr_t attr;
	int ret;

	memset(w, 0, sizeof(*w));
	clock_gettime(CLOCK_MONOTONIC, &w->deadline);
	w->deadline.tv_sec += (time_t)(timeout_ns / 1000000000u);
	w->deadline.tv_nsec += (long)(timeout_ns % 1000000000u);
	if (w->deadline.tv_nsec >= 1000000000L) {
		w->deadline.tv_sec++;
		w->deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	ret = pthread_create(&w->thread, NULL, watchdog_thread, w);
	if (ret != 0) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		return error_set(err, -ret, "cannot start the watchdog: %s", strerror(ret));
	}
	return 0;
}

void bench_watchdog_watch(struct bench_watchdog *w, struct machine *m)
{
	pthread_mutex_lock(&w->lock);
	w->m = m;
	if (w->fired)
		machine_stop(m, EXIT_GUEST_FAULT, WATCHDOG_MESSAGE);
	pthread_mutex_unlock(&w->lock);
}

bool bench_watchdog_stop(struct bench_watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	return w->fired;
}
