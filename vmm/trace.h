/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_TRACE_H
#define MINIVMM_TRACE_H

/*
 * The tracer: listens to device events (devices/events.h), counts them for
 * --stats, prints the ones --trace asks for, and with --trace-file writes
 * them as an interrupt timeline (trace_json.h), a second reader of the
 * same ring.
 *
 * Events are emitted with the device lock held, on the vCPU thread (bus
 * accesses, injection) or the loop thread (timers, console input).  The
 * tracer only stamps each one (time, and the guest's CS:RIP at its last
 * exit when the vCPU thread emitted it) and queues it in a bounded ring
 * under its own small lock; the loop thread formats and writes the lines
 * later, never under the device lock, with non-blocking write(2)s watched
 * by the loop, so a slow reader of stderr stalls neither the vCPU nor the
 * loop (timers, console, signals).  While the reader can't keep up, the
 * ring fills and further events are dropped and counted, and exit says
 * how many.
 *
 * The VMM's own events are defined here: interrupt lines and injection
 * (source DEV_EVENT_IRQ) and port/MMIO accesses (DEV_EVENT_IO).
 */

#include <ev.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "events.h"
#include "nbwrite.h"

/* DEV_EVENT_IRQ events: interrupt lines and the CPU's INTR. */
enum irq_event {
	IRQ_EVENT_RAISED,	/* arg0: IRQ, arg1: enum irq_hold (why it waits) */
	IRQ_EVENT_LOWERED,	/* arg0: IRQ */
	IRQ_EVENT_INJECTED,	/* arg0: IRQ (IRQ_SPURIOUS: none), arg1: vector */
	IRQ_EVENT_HELD,		/* INTR is high but the CPU can't take it: arg0 enum irq_hold */
	IRQ_EVENT_NR,
};

#define IRQ_SPURIOUS 0xff	/* the request vanished before INTA */

/* Why a raised interrupt does not reach the CPU (yet). */
enum irq_hold {
	IRQ_HOLD_NONE,		/* it is on its way: INTR is high */
	IRQ_HOLD_MASKED,	/* its IMR bit (or the cascade's) is set */
	IRQ_HOLD_IN_SERVICE,	/* an interrupt of higher or equal priority is in service */
	IRQ_HOLD_GUEST_IF,	/* the guest runs with IF=0 */
	IRQ_HOLD_NOT_READY,	/* KVM can't inject now (interrupt shadow, pending event) */
	IRQ_HOLD_NR,
};

/* DEV_EVENT_IO events: unit = access size, arg64 = address,
 * arg0/arg1 = value low/high 32 bits. */
enum io_event {
	IO_EVENT_PORT_READ,
	IO_EVENT_PORT_WRITE,
	IO_EVENT_MMIO_READ,
	IO_EVENT_MMIO_WRITE,
	IO_EVENT_NR,
};

/* Where the guest was when an event happened: CS:RIP, if known. */
struct trace_where {
	bool known;
	uint16_t cs;
	uint64_t rip;
};

struct trace_record {
	struct dev_event ev;
	uint64_t ns;		/* since the tracer started */
	struct trace_where where;
};

struct trace_json;

#define TRACE_RING_SIZE 8192
#define TRACE_OUT_SIZE (64 * 1024)
#define TRACE_EXIT_FLUSH_MS 2000	/* at exit, wait this long at most for the reader */

struct tracer {
	unsigned print_mask;	/* 1 << enum dev_event_source: print these */
	unsigned json_mask;	/* ... and put these in the --trace-file timeline */
	bool counting;		/* count every event, for --stats */
	int out_fd;
	struct nbwrite out;	/* out_fd, written without blocking (nbwrite.h) */
	uint64_t start_ns;
	/* Who tells the tracer where the guest is (the vCPU); may be NULL. */
	bool (*where)(void *opaque, struct trace_where *w);
	void *where_opaque;

	/* Under the device lock (every emitter holds it). */
	uint64_t counts[DEV_EVENT_NR_SOURCES][DEV_EVENT_MAX_TYPES];

	/* The ring, under `lock`; the loop thread drains it. */
	pthread_mutex_t lock;
	struct trace_record *ring;
	size_t head, len;
	uint64_t dropped;	/* events to print the ring had no room for */
	uint64_t json_dropped;	/* events for the timeline it had no room for */
	struct ev_loop *loop;
	ev_async wake;

	/* Formatted lines on their way to out_fd.  Loop thread only. */
	char *out_buf;
	size_t out_head, out_len;
	ev_io out_watcher;	/* active while out_fd would block */
	bool out_broken;	/* a write failed for good: drop from now on */
	uint64_t lost_lines;	/* formatted but never written */

	/* --trace-file: the timeline (trace_json.h) and its path.  Loop thread. */
	struct trace_json *json;
	const char *json_path;
};

/* Parse "pic,pit,uart,irq,io" or "all" into a print mask.  0 or -EINVAL. */
int trace_parse_list(const char *list, unsigned *mask, struct error *err);

/* The names --trace accepts, for --help: "pic, pit, uart, irq, io, all". */
const char *trace_list_help(void);

/*
 * Start the tracer: print the sources in print_mask to `out_fd`, count all
 * events if `counting`.  With neither, it installs nothing (trace_sink()
 * returns a sink with emit NULL) and costs nothing.
 */
int trace_init(struct tracer *t, struct ev_loop *loop, unsigned print_mask, bool counting,
	       int out_fd, struct error *err);

/*
 * --trace-file: open `path` now (at setup, before the sandbox: O_WRONLY |
 * O_CREAT | O_TRUNC | O_CLOEXEC, a regular file only, so that writing it
 * never blocks) and write the timeline of every event but `io` to it
 * (trace_json.h), from the same ring as --trace, on the loop thread.
 * After trace_init(); 0 or -errno with err set.
 */
int trace_open_file(struct tracer *t, const char *path, struct error *err);

/* The sink devices emit into (emit NULL when nobody listens). */
struct dev_events trace_sink(struct tracer *t);

/* Whether events of `source` are wanted at all (printing or counting). */
bool trace_wants(const struct tracer *t, enum dev_event_source source);

/* Write out what is queued, as far as out_fd takes it without blocking
 * (loop thread, or after the vCPU stopped). */
void trace_flush(struct tracer *t);

/* --stats lines: events counted per device and type. */
void trace_print_stats(const struct tracer *t, FILE *out);

/* Flush (waiting TRACE_EXIT_FLUSH_MS at most), say how many events were
 * not printed, free.  After it, events are only counted. */
void trace_exit(struct tracer *t);

/* Format one record as its trace line (with a newline), for tests too. */
int trace_format_record(const struct trace_record *r, char *buf, size_t size);

/* An event's names as the trace lines spell them: its source ("pic"), its
 * unit ("master", or NULL for a device of one unit) and its type ("ICW1"). */
struct trace_event_names {
	const char *source, *unit, *type;
};
void trace_event_names(const struct dev_event *ev, struct trace_event_names *names);

/* The decoded text of an event, without names or stamps, snprintf-style
 * ("ICW1 0x11 (edge, cascade, ICW4 follows)"). */
int trace_event_text(const struct dev_event *ev, char *buf, size_t size);

#endif
