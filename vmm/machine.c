// SPDX-License-Identifier: MIT
#include "machine.h"

#include <stdarg.h>
#include <stdio.h>

void machine_stop(struct machine *m, int status, const char *fmt, ...)
{
	bool expected = false;
	va_list ap;

	/* A one-way latch: the first reason to stop is the one reported. */
	if (!atomic_compare_exchange_strong(&m->stopping, &expected, true))
		return;
	m->exit_status = status;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(m->exit_message, sizeof(m->exit_message), fmt, ap);
		va_end(ap);
	}
	vcpu_kick(m);
	ev_async_send(m->loop, &m->stop_watcher);
}

void machine_set_intr(struct machine *m, bool level)
{
	m->intr.level = level;
	if (level)
		vcpu_kick(m);
}
