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

static void device_timer_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct device_timer *t = w->data;
	uint64_t expirations, now;

	(void)loop;
	(void)revents;
	if (read(t->fd, &expirations, sizeof(expirations)) < 0)
		return;	/* re-armed meanwhile: nothing expired after all */
	pthread_mutex_lock(t->lock);
	now = clock_now_ns();
	t->armed_ns = UINT64_MAX;
	t->expired(t->opaque, now);
	device_timer_update(t, now);
	pthread_mutex_unlock(t->lock);
}

int device_timer_init(struct device_timer *t, struct ev_loop *loop, pthread_mutex_t *lock,
		      uint64_t (*next_deadline)(void *opaque, uint64_t now_ns),
		      void (*expired)(void *opaque, uint64_t now_ns), void *opaque,
		      struct error *err)
{
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0)
		return error_set(err, -errno, "timerfd_create failed: %s", strerror(errno));
	t->loop = loop;
	t->lock = lock;
	t->armed_ns = UINT64_MAX;
	t->next_deadline = next_deadline;
	t->expired = expired;
	t->opaque = opaque;
	ev_io_init(&t->watcher, device_timer_cb, t->fd, EV_READ);
	t->watcher.data = t;
	ev_io_start(loop, &t->watcher);
	return 0;
}

void device_timer_exit(struct device_timer *t)
{
	if (t->loop == NULL)
		return;	/* never set up, or already closed */
	ev_io_stop(t->loop, &t->watcher);
	close(t->fd);
	t->fd = -1;
	t->loop = NULL;
}
