/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_TRACE_JSON_H
#define MINIVMM_TRACE_JSON_H

/*
 * The interrupt timeline (--trace-file FILE.json): the tracer's events
 * (trace.h) written as a Chrome trace (the "JSON Object Format" of the
 * Trace Event Format), which Perfetto (ui.perfetto.dev, "Open trace
 * file") and chrome://tracing open offline.
 *
 * Tracks (one "tid" each, all in pid 1, named by "M" metadata events the
 * first time they are used):
 *   vCPU               instants: each injection ("IRQ0 -> vector 0x20",
 *                      with where the guest was interrupted), "INTR held"
 *                      (guest IF=0, KVM not ready), spurious INTAs
 *   IRQn request       the IRR bit of line n: a span "IRQn requested" from
 *                      the line's rising edge to the INTA that took it (or
 *                      to what ended it otherwise: the line lowered in
 *                      level mode, an ICW1, the end of the run), with a
 *                      nested "held: masked" / "held: in service" /
 *                      "held: guest IF=0" slice while it was held back
 *   IRQn in service    the ISR bit of line n: a span "IRQn in service" from
 *                      the INTA to the EOI that cleared that ISR bit, with
 *                      a nested "IRQn handler" slice from the injection to
 *                      the EOI
 *   pic, pit, uart, rtc  every event of that device as an instant, named by
 *                      its type ("ICW1", "count", "EOI"), its decoded text
 *                      (as --trace prints it) in args
 * IRQ lines are interrupt requests of the PIC pair (0-15); nested
 * interrupts are spans overlapping in time on different IRQ tracks.
 *
 * "Handler entry" is the injection.  minivmm injects (KVM_INTERRUPT) only
 * when the guest can take the interrupt (IF=1, no interrupt shadow), right
 * before KVM_RUN, and the CPU vectors through the IDT at that VM entry,
 * before any guest instruction.  So the handler starts within
 * microseconds of the "injected" stamp; no exit marks that moment (the
 * first exit after it is the handler's first I/O, usually its EOI).
 *
 * Which IRQ an EOI ends: the PIC's EOI event carries the chip's ISR before
 * and after, so the bits it cleared name the IRQs (master bit n: IRQ n,
 * slave bit n: IRQ 8+n), for a specific and a non-specific EOI alike.  The
 * master's cascade bit (IR2, set for every slave interrupt) ends nothing:
 * a slave IRQ's span ends at the slave's EOI.  In automatic EOI mode no ISR
 * bit is set, so an INTA gives an instant "INTA, automatic EOI" instead of
 * a span.
 *
 * Timestamps ("ts", "dur") are microseconds since the tracer started, with
 * nanosecond decimals.  Memory is bounded: per-line state for 16 IRQs and
 * one output buffer; the file grows with the run (a few hundred bytes per
 * event).  Loop thread only (or after the vCPU has stopped).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace.h"

#define TRACE_JSON_IRQS 16
#define TRACE_JSON_BUF_SIZE (64 * 1024)
#define TRACE_JSON_OBJECT_MAX 2048	/* the longest event object */

/* Where the bytes go, write(2)-style (a test may capture them). */
typedef ssize_t trace_json_write_fn(void *opaque, const void *buf, size_t len);

struct trace_json_request {
	bool open;
	uint64_t start_ns;		/* the line's rising edge */
	uint8_t hold;			/* enum irq_hold: why it waited, or IRQ_HOLD_NONE */
	bool hold_open;			/* the "held" slice has not ended yet */
	uint64_t hold_start_ns, hold_end_ns;
};

struct trace_json_service {
	bool open;
	uint64_t start_ns;		/* the INTA */
	uint64_t inject_ns;		/* the injection (0: not seen yet) */
	uint64_t latency_ns;		/* rising edge to INTA, if the edge was seen */
	bool has_latency;
	uint8_t vector;
	struct trace_where interrupted;	/* where the guest was when it was injected */
};

struct trace_json {
	int fd;
	trace_json_write_fn *write;	/* NULL: write(2) to fd */
	void *write_opaque;
	char *buf;			/* TRACE_JSON_BUF_SIZE */
	size_t len;
	bool broken;			/* a write failed: nothing more is written */
	int write_errno;
	uint64_t events;		/* records taken */
	uint64_t last_ns;

	uint32_t tracks_named[16];	/* bitmap of tids whose metadata is out */

	/* What the PIC pair is doing, from its own events (0 master, 1 slave). */
	uint8_t imr[2], elcr[2];
	bool level_mode[2];		/* ICW1 LTIM */
	bool aeoi[2];			/* ICW4 AEOI */
	struct trace_json_request req[TRACE_JSON_IRQS];
	struct trace_json_service svc[TRACE_JSON_IRQS];
};

/*
 * Start a timeline into `fd` (already open; the timeline closes it in
 * trace_json_finish()).  write may be NULL (write(2)).  Writes the header.
 * 0 or -ENOMEM.
 */
int trace_json_init(struct trace_json *j, int fd, trace_json_write_fn *write, void *opaque);

/* Add one record (in the order the tracer queued them). */
void trace_json_add(struct trace_json *j, const struct trace_record *r);

/* Write out what is buffered, if more than `keep` bytes are (0: all). */
void trace_json_flush(struct trace_json *j, size_t keep);

/*
 * End the timeline at end_ns: spans still open end there (with an arg
 * saying so), `dropped` (events the ring had no room for) goes into
 * "otherData", the JSON is closed and written, the fd closed and the
 * buffer freed.  Returns 0, or -errno of the first write that failed (the
 * file is then incomplete).
 */
int trace_json_finish(struct trace_json *j, uint64_t end_ns, uint64_t dropped);

#endif
