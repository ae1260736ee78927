/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_IRQ_H
#define MINIVMM_DEVICES_IRQ_H

#include <stdbool.h>
#include <stddef.h>

/*
 * An interrupt line leaving a device.
 *
 * A device owns one of these per output pin and calls irq_line_set() with
 * the level its registers say the pin has, every time that level may have
 * changed.  The line remembers the last level and forwards only changes to
 * the receiver (the 8259 PIC's input, or a test's fake), so devices need not
 * track edges themselves.  A line whose set_level is NULL is unconnected:
 * the pin floats and nothing happens, as on a board where it is not wired.
 */
struct irq_line {
	void (*set_level)(void *opaque, unsigned line, bool level);
	void *opaque;
	unsigned line;	/* which input of the receiver this pin drives */
	bool level;	/* last level forwarded */
};

static inline void irq_line_set(struct irq_line *irq, bool level)
{
	if (irq->set_level == NULL || irq->level == level)
		return;
	irq->level = level;
	irq->set_level(irq->opaque, irq->line, level);
}

/* A line wired to input `line` of the receiver behind set_level/opaque. */
static inline struct irq_line irq_line_connect(void (*set_level)(void *, unsigned, bool),
					       void *opaque, unsigned line)
{
	struct irq_line irq = { .set_level = set_level, .opaque = opaque, .line = line };
	return irq;
}

#endif
