/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_EVENTS_H
#define MINIVMM_DEVICES_EVENTS_H

/*
 * Device events: what happens inside a device, in its own terms.
 *
 * A device reports "ICW1 written", "counter 0 loaded", "IER changed" as a
 * small fixed-size record through an optional callback (struct
 * dev_events).  The device does no formatting, filtering or counting: it
 * fills a struct and calls emit(); with nobody listening (emit == NULL) an
 * event costs one branch.  Each device defines its own enum of event types
 * with the meaning of the three arguments, a table of their names, and a
 * pure formatter that turns one record into text, so the VMM's tracer
 * (vmm/trace.c) can print, filter and count events of any device, and a
 * unit test can check them without a VMM.
 *
 * Events are emitted where the device's state changes, so they are called
 * with whatever lock protects the device (the VMM's device lock); a
 * listener must not call back into the device and must not block.
 */

#include <stddef.h>
#include <stdint.h>

/* Who emitted an event: one per device model, plus the VMM's own. */
enum dev_event_source {
	DEV_EVENT_PIC,		/* devices/pic8259.h: enum pic_event */
	DEV_EVENT_PIT,		/* devices/pit8254.h: enum pit_event */
	DEV_EVENT_UART,		/* devices/uart16550.h: enum uart_event */
	DEV_EVENT_IRQ,		/* vmm: interrupt lines and injection */
	DEV_EVENT_IO,		/* vmm: port and MMIO accesses */
	DEV_EVENT_RTC,		/* devices/rtc146818.h: enum rtc_event */
	DEV_EVENT_NR_SOURCES,
};

/* Most event types a source may define (for per-type counters). */
#define DEV_EVENT_MAX_TYPES 32

struct dev_event {
	uint8_t source;		/* enum dev_event_source */
	uint8_t type;		/* the source's own enum, < DEV_EVENT_MAX_TYPES */
	uint8_t unit;		/* which part of the device: PIC chip, PIT counter */
	uint8_t pad;
	uint32_t arg[3];	/* meaning defined per type by the device */
	uint64_t arg64;		/* a wide argument (MMIO address, value), else 0 */
};

struct dev_events {
	void (*emit)(void *opaque, const struct dev_event *ev);	/* NULL: nobody listens */
	void *opaque;
};

static inline void dev_event_emit(const struct dev_events *sink, enum dev_event_source source,
				  unsigned type, unsigned unit, uint32_t a0, uint32_t a1,
				  uint32_t a2)
{
	struct dev_event ev;

	if (sink->emit == NULL)
		return;
	ev = (struct dev_event){
		.source = (uint8_t)source, .type = (uint8_t)type, .unit = (uint8_t)unit,
		.arg = { a0, a1, a2 },
	};
	sink->emit(sink->opaque, &ev);
}

/*
 * A device's formatter: writes the event's description (without the
 * device name, timestamp or newline) into buf, snprintf-style; returns the
 * length it wanted.  Pure: it may only look at the record.
 */
typedef int dev_event_format_fn(const struct dev_event *ev, char *buf, size_t size);

#endif
