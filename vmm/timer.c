// SPDX-License-Identifier: MIT
#include "timer.h"

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"

void device_timer_update(struct device_timer *t, uint64_t now_ns)
{
	uint64_t deadline = t->next_deadline(t->opaque, now_ns);
	struct itimerspec its = { 0 };

	if (deadline == t->armed_ns || t->fd < 0)
		return;
	t->armed_ns = deadline;
	if (deadline != UINT64_MAX) {
		/* 0 would disarm: an already-due deadline fires at once anyway. */
		if (deadline == 0)
			deadline = 1;
		its.it_value.tv_sec = (time_t)(deadline / NSEC_PER_SEC);
		its.it_value.tv_nsec = (long)(deadline % NSEC_PER_SEC);
	}
	timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void device_timer_fire(struct device_timer *t)
{
	uint64_t expirations, now;

	/* Empty: re-armed meanwhile, or the other thread ran it first. */
	if (read(t->fd, &expirations, sizeof(expirations)) < 0)
		return;
	pthread_mutex_lock(t->timers->lock);
	now = clock_now_ns();
	t->armed_ns = UINT64_MAX;
	t->expired(t->opaque, now);
	device_timer_update(t, now);
	pthread_mutex_unlock(t->timers->lock);
}

static void device_timer_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	device_timer_fire(w->data);
}

int device_timer_init(struct device_timer *t, struct device_timers *timers,
		      uint64_t (*next_deadline)(void *opaque, uint64_t now_ns),
		      void (*expired)(void *opaque, uint64_t now_ns), void *opaque,
		      struct error *err)
{
	if (timers->n == DEVICE_TIMERS_MAX)
		return error_set(err, -ENOSPC, "too many device timers (raise DEVICE_TIMERS_MAX)");
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0)
		return error_set(err, -errno, "timerfd_create failed: %s", strerror(errno));
	t->timers = timers;
	timers->list[timers->n++] = t;
	t->armed_ns = UINT64_MAX;
	t->next_deadline = next_deadline;
	t->expired = expired;
	t->opaque = opaque;
	ev_io_init(&t->watcher, device_timer_cb, t->fd, EV_READ);
	t->watcher.data = t;
	ev_io_start(timers->loop, &t->watcher);
	return 0;
}

void device_timer_exit(struct device_timer *t)
{
	struct device_timers *timers = t->timers;

	if (timers == NULL)
		return;	/* never set up, or already closed */
	for (unsigned i = 0; i < timers->n; i++) {
		if (timers->list[i] == t) {
			timers->list[i] = timers->list[--timers->n];
			break;
		}
	}
	ev_io_stop(timers->loop, &t->watcher);
	close(t->fd);
	t->fd = -1;
	t->timers = NULL;
}
