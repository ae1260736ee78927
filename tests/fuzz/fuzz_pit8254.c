// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the 8254 PIT.
 *
 * The input is a program: each operation is one opcode byte and its
 * arguments (guest reads and writes of the PIT ports and of random ports,
 * the fake clock moving by small, large and huge steps, the VMM sleeping to
 * the deadline, the PIC acknowledging IRQ0 or unmasking it).  No PIC is
 * modelled: an acknowledge or an unmask may come at any time, as from a
 * guest that reprograms the PIC at will.  After each operation the model's
 * invariants are checked and a violation calls abort():
 *   - the deadline is never before now, and after any call that took now it
 *     is after it (sleeping to it never spins);
 *   - at the deadline an edge is delivered on IRQ0, one ns before it none is;
 *   - advancing in many steps accounts the same edges as in one step;
 *   - ticks: OUT0 rises == delivered + dropped + owed; owed ticks wait only
 *     behind one in flight; the IRQ0 line saw exactly `delivered` edges;
 *     an unmask leaves nothing owed and a tick in flight in flight;
 *   - counter fields stay in range;
 *   - device events (a listener set after pit_init(), as the VMM does): each
 *     write emits the one event its port and value call for, with the
 *     values now in the counter; TICK events == stats.ticks_delivered and
 *     the TICKS_DROPPED events add up to stats.ticks_dropped, each drop for
 *     a reason the operation allows; every event, and arbitrary records,
 *     format with snprintf semantics at several buffer sizes (canaries).
 * UBSan (with -fsanitize=undefined) catches overflow in the arithmetic.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Idevices \
 *	tests/fuzz/fuzz_pit8254.c devices/pit8254.c
 *   gcc -DFUZZ_STANDALONE -Idevices tests/fuzz/fuzz_pit8254.c \
 *	devices/pit8254.c	(replays files named on the command line, or stdin)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pit8254.h"

#define FUZZ_MAX_COUNT	0x10000u	/* the largest count, binary 0 */

enum fuzz_op {
	FUZZ_WRITE_COUNTER,
	FUZZ_WRITE_CONTROL,
	FUZZ_WRITE_PORT_B,
	FUZZ_READ_PIT_PORT,
	FUZZ_WRITE_ANY_PORT,
	FUZZ_READ_ANY_PORT,
	FUZZ_TIME_SMALL,	/* up to 65535 ns */
	FUZZ_TIME_LARGE,	/* up to ~4.3 s */
	FUZZ_TIME_HUGE,		/* anything, saturating at UINT64_MAX */
	FUZZ_SLEEP_TO_DEADLINE,
	FUZZ_ACK,
	FUZZ_IRQ0_UNMASKED,
	FUZZ_ADVANCE,
	FUZZ_TIME_BACKWARDS,	/* an access stamped earlier than the last */
	FUZZ_SPLIT_CHECK,	/* many small advances == one big one */
	FUZZ_FORMAT,		/* an arbitrary record through the formatter */
	FUZZ_NUM_OPS
};

struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

struct fuzz_irq {
	bool level;
	uint64_t rises;
};

static void fuzz_check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_pit8254: invariant violated: %s\n", what);
		abort();
	}
}

/* ---- device events -------------------------------------------------------- */

/* What the listener saw: over the whole run, and during the current operation. */
static struct {
	const struct pit *pit;		/* the model that may emit */
	bool unmasking;			/* inside pit_irq0_unmasked() */
	bool control0;			/* a control word for counter 0 is written */
	uint64_t ticks;			/* TICK events */
	uint64_t dropped;		/* TICKS_DROPPED events: the sum of arg64 */
	unsigned op_events[PIT_EVENT_NR];	/* per type, this operation */
	struct dev_event op_last[PIT_EVENT_NR];	/* the last of each type, this operation */
} fev;

/*
 * The formatter keeps snprintf semantics at every size: the same length,
 * a prefix of the full text, NUL-terminated, and nothing past size.
 */
static void fuzz_check_format(const struct dev_event *ev)
{
	char full[256], buf[256 + 16];
	size_t sizes[] = { 0, 1, 2, 8, 0, 0 };
	size_t i, j;
	int len;

	len = pit_event_format(ev, full, sizeof(full));
	fuzz_check(len > 0 && (size_t)len < sizeof(full) && strlen(full) == (size_t)len,
		   "format: fits, length returned");
	fuzz_check(pit_event_format(ev, NULL, 0) == len, "format: size 0 measures");
	sizes[4] = (size_t)len;
	sizes[5] = (size_t)len + 1;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0x5a, sizeof(buf));
		fuzz_check(pit_event_format(ev, buf, sizes[i]) == len, "format: same length");
		for (j = sizes[i]; j < sizes[i] + 16; j++)
			fuzz_check(buf[j] == 0x5a, "format: nothing written past size");
		if (sizes[i] == 0)
			continue;
		fuzz_check(strlen(buf) == ((size_t)len < sizes[i] ? (size_t)len : sizes[i] - 1),
			   "format: truncated and terminated");
		fuzz_check(strncmp(buf, full, strlen(buf)) == 0, "format: a prefix");
	}
}

/* The backlog cap as pit8254.h defines it: 1 s of counter 0's periods. */
static uint64_t fuzz_backlog_cap(const struct pit_counter *c)
{
	uint64_t cap;

	if ((c->mode != PIT_MODE_RATE_GENERATOR && c->mode != PIT_MODE_SQUARE_WAVE) ||
	    c->period < 2)
		return 1;
	cap = PIT_FREQ_HZ / c->period;
	return cap ? cap : 1;
}

static uint32_t fuzz_sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Each event: well formed, formats, and tells the truth about the ticks. */
static void fuzz_event(void *opaque, const struct dev_event *ev)
{
	const struct pit *p = fev.pit;
	const uint32_t *a = ev->arg;

	fuzz_check(opaque == &fev, "event: the listener's opaque");
	fuzz_check(ev->source == DEV_EVENT_PIT && ev->type < PIT_EVENT_NR, "event: a PIT event");
	fuzz_check(ev->pad == 0, "event: pad 0");
	fuzz_check(ev->arg64 == 0 || ev->type == PIT_EVENT_TICKS_DROPPED, "event: arg64 0");
	fuzz_check_format(ev);
	fev.op_events[ev->type]++;
	fev.op_last[ev->type] = *ev;

	switch (ev->type) {
	case PIT_EVENT_CONTROL:
	case PIT_EVENT_COUNT:
	case PIT_EVENT_LATCH:
		fuzz_check(ev->unit < PIT_NUM_COUNTERS, "event: a counter");
		break;
	case PIT_EVENT_PORT_B:
		fuzz_check(ev->unit == PIT_UNIT_PORT_B, "port B event: unit 3");
		fuzz_check(a[1] == (a[0] & PIT_PORTB_GATE2) && p->counter[2].gate == a[1],
			   "port B event: GATE2 as written");
		break;
	case PIT_EVENT_TICK:
		fuzz_check(ev->unit == 0 && p->tick_in_flight, "tick event: unit 0, in flight");
		fuzz_check(a[0] == fuzz_sat32(p->ticks_owed), "tick event: ticks still owed");
		fev.ticks++;
		break;
	case PIT_EVENT_TICKS_DROPPED:
		fuzz_check(ev->unit == 0 && ev->arg64 > 0, "drop event: unit 0, some");
		fuzz_check(a[0] == fuzz_sat32(ev->arg64), "drop event: arg0 saturates arg64");
		fev.dropped += ev->arg64;
		switch (a[1]) {
		case PIT_DROP_BACKLOG_CAP:
			fuzz_check(p->ticks_owed == fuzz_backlog_cap(&p->counter[0]),
				   "cap drop: down to the cap");
			break;
		case PIT_DROP_REPROGRAMMED:
			fuzz_check(fev.control0 && p->ticks_owed == 0,
				   "reprogram drop: on a control word for counter 0, all");
			break;
		case PIT_DROP_UNMASKED:
			fuzz_check(fev.unmasking && p->ticks_owed <= 1,
				   "unmask drop: in pit_irq0_unmasked(), all but one");
			break;
		default:
			fuzz_check(false, "drop event: a known reason");
		}
		break;
	default:
		fuzz_check(ev->unit == 0, "read-back event: unit 0");
		break;
	}
}

/* Events other than ticks and drops that the current operation emitted. */
static unsigned fuzz_register_events(void)
{
	return fev.op_events[PIT_EVENT_CONTROL] + fev.op_events[PIT_EVENT_COUNT] +
	       fev.op_events[PIT_EVENT_LATCH] + fev.op_events[PIT_EVENT_READ_BACK] +
	       fev.op_events[PIT_EVENT_PORT_B];
}

/* The clocks a count in CR stands for (pit8254.h: 0 is 65536 or 10000). */
static uint32_t fuzz_count_clocks(const struct pit_counter *c)
{
	uint32_t n = c->cr;

	if (c->control & PIT_CW_BCD)
		n = ((n >> 12 & 0xf) * 1000 + (n >> 8 & 0xf) * 100 + (n >> 4 & 0xf) * 10 +
		     (n & 0xf)) % 10000;
	if (n == 0)
		n = (c->control & PIT_CW_BCD) ? 10000 : 0x10000;
	return n;
}

/* A guest write, and the one event it must emit. */
static void fuzz_write(struct pit *p, uint16_t port, uint8_t value, uint64_t now)
{
	unsigned sc = value >> PIT_CW_SC_SHIFT;
	const struct pit_counter *c;
	bool completes = false;
	const struct dev_event *ev;

	if (port >= PIT_PORT_COUNTER0 && port <= PIT_PORT_COUNTER2) {
		c = &p->counter[port - PIT_PORT_COUNTER0];
		completes = (c->control & PIT_CW_RW_MASK) >> PIT_CW_RW_SHIFT != PIT_RW_LSB_MSB ||
			    c->write_msb_next;
	}
	fev.control0 = port == PIT_PORT_CONTROL && sc == 0 && (value & PIT_CW_RW_MASK);
	pit_write(p, port, value, now);
	fev.control0 = false;
	switch (port) {
	case PIT_PORT_COUNTER0:
	case PIT_PORT_COUNTER1:
	case PIT_PORT_COUNTER2:
		c = &p->counter[port - PIT_PORT_COUNTER0];
		fuzz_check(fuzz_register_events() == completes, "count event iff a count completes");
		if (!completes)
			break;
		ev = &fev.op_last[PIT_EVENT_COUNT];
		fuzz_check(fev.op_events[PIT_EVENT_COUNT] == 1, "count event");
		fuzz_check(ev->unit == port - PIT_PORT_COUNTER0, "count event: its counter");
		fuzz_check(ev->arg[0] == c->cr && ev->arg[1] == c->mode &&
			   ev->arg[2] == fuzz_count_clocks(c), "count event: CR, mode, clocks");
		break;
	case PIT_PORT_CONTROL:
		fuzz_check(fuzz_register_events() == 1, "one event per command");
		if (sc == PIT_CW_SC_READ_BACK) {
			ev = &fev.op_last[PIT_EVENT_READ_BACK];
			fuzz_check(fev.op_events[PIT_EVENT_READ_BACK] == 1 && ev->arg[0] == value,
				   "read-back event: the value");
		} else if (!(value & PIT_CW_RW_MASK)) {
			ev = &fev.op_last[PIT_EVENT_LATCH];
			fuzz_check(fev.op_events[PIT_EVENT_LATCH] == 1 && ev->unit == sc,
				   "latch event: its counter");
			fuzz_check(p->counter[sc].count_latched, "latch event: latched");
		} else {
			ev = &fev.op_last[PIT_EVENT_CONTROL];
			fuzz_check(fev.op_events[PIT_EVENT_CONTROL] == 1 && ev->unit == sc &&
				   ev->arg[0] == value, "control event: counter and value");
			fuzz_check(p->counter[sc].control == (value & PIT_STATUS_CW_MASK),
				   "control event: the counter has it");
		}
		break;
	case PIT_PORT_B:
		ev = &fev.op_last[PIT_EVENT_PORT_B];
		fuzz_check(fuzz_register_events() == 1 && fev.op_events[PIT_EVENT_PORT_B] == 1 &&
			   ev->arg[0] == value, "port B event: the value");
		break;
	default:
		fuzz_check(fuzz_register_events() == 0, "no event for other ports");
		break;
	}
}

/* Bytes run out as zeros, so every input is a valid program. */
static uint64_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (in->size) {
			v |= *in->data++;
			in->size--;
		}
	}
	return v;
}

/* The formatter must take any record, not only those the model emits. */
static void fuzz_format_record(struct fuzz_input *in)
{
	struct dev_event ev = { .source = DEV_EVENT_PIT };
	unsigned i;

	ev.type = (uint8_t)(fuzz_take(in, 1) % (PIT_EVENT_NR + 2));
	ev.unit = (uint8_t)fuzz_take(in, 1);
	for (i = 0; i < 3; i++)
		ev.arg[i] = (uint32_t)fuzz_take(in, 4);
	/* small values are the interesting ones for modes and reasons */
	if (ev.arg[1] & 0x80000000u)
		ev.arg[1] &= 0xf;
	ev.arg64 = fuzz_take(in, 1) & 1 ? fuzz_take(in, 8) : 0;
	fuzz_check_format(&ev);
}

static void fuzz_irq_set(void *opaque, unsigned line, bool level)
{
	struct fuzz_irq *irq = opaque;

	(void)line;
	fuzz_check(level != irq->level, "irq_line forwarded a non-change");
	if (level)
		irq->rises++;
	irq->level = level;
}

static uint64_t fuzz_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* 128-bit arithmetic: an oracle independent of the model's split. */
__extension__ typedef unsigned __int128 fuzz_u128;

static void fuzz_check_state(const struct pit *p, const struct fuzz_irq *irq)
{
	fuzz_u128 clk = (fuzz_u128)p->now_ns * PIT_FREQ_HZ / 1000000000u;

	fuzz_check(p->clock == clk, "clock matches now_ns");
	fuzz_check(p->stats.out0_rises ==
		   p->stats.ticks_delivered + p->stats.ticks_dropped + p->ticks_owed,
		   "rises == delivered + dropped + owed");
	fuzz_check(p->ticks_owed == 0 || p->tick_in_flight, "owed ticks wait behind one in flight");
	fuzz_check(p->ticks_owed <= PIT_FREQ_HZ, "backlog capped");
	fuzz_check(irq->rises == p->stats.ticks_delivered, "one IRQ0 edge per delivered tick");
	fuzz_check(!p->tick_in_flight || irq->level, "IRQ0 high while a tick is in flight");
	fuzz_check((p->port_b & ~PIT_PORTB_WRITABLE) == 0, "port B keeps writable bits only");
	for (unsigned i = 0; i < PIT_NUM_COUNTERS; i++) {
		const struct pit_counter *c = &p->counter[i];

		fuzz_check(c->mode <= PIT_MODE_HW_STROBE, "mode 0-5");
		fuzz_check((c->control & ~PIT_STATUS_CW_MASK) == 0, "control word bits");
		fuzz_check(c->period >= 1 && c->period <= FUZZ_MAX_COUNT, "period 1-65536");
		fuzz_check(c->phase < c->period, "phase within the period");
		fuzz_check(c->start <= FUZZ_MAX_COUNT, "start 0-65536");
		fuzz_check(!c->load_pending || c->load_at > p->clock, "pending load in the future");
		fuzz_check(!c->running || c->base <= p->clock, "counting began in the past");
		fuzz_check(c->gate || i == 2, "GATE0/1 tied high");
	}
}

/* After a call that took p->now_ns, the deadline lies strictly after it. */
static void fuzz_check_deadline(const struct pit *p, uint64_t now)
{
	uint64_t d = pit_next_deadline(p, now);

	fuzz_check(d >= now, "deadline not before now");
	fuzz_check(d > p->now_ns || d == UINT64_MAX, "deadline after the time of the last access");
}

/* Sleep to the deadline: nothing happens a ns before it, an edge at it.
 * A deadline at the timer's floor (PIT_TIMER_MIN_NS after the last
 * advance) comes after edges that are owed meanwhile: only "an edge at it". */
static void fuzz_sleep_to_deadline(struct pit *p, uint64_t *now)
{
	uint64_t d = pit_next_deadline(p, *now);
	uint64_t delivered = p->stats.ticks_delivered;
	struct pit early;

	if (d == UINT64_MAX)
		return;
	if (d > *now && d != p->advanced_ns + PIT_TIMER_MIN_NS) {
		/* not clamped to now: the event's own time */
		early = *p;
		early.irq0.set_level = NULL;
		early.events.emit = NULL;	/* a copy: its ticks are not the model's */
		pit_advance(&early, d - 1);
		fuzz_check(early.stats.ticks_delivered == delivered, "no edge before the deadline");
	}
	*now = d;
	pit_advance(p, d);
	fuzz_check(p->stats.ticks_delivered > delivered, "an edge at the deadline");
}

/* Advancing in `steps` steps must account what one step accounts. */
static void fuzz_split_check(struct pit *p, struct fuzz_input *in, uint64_t *now)
{
	unsigned steps = (unsigned)fuzz_take(in, 1) % 16 + 1;
	uint64_t step = fuzz_take(in, 3) + 1;
	uint64_t end = fuzz_add(*now, step * steps);
	struct pit whole = *p;

	whole.irq0.set_level = NULL;
	whole.events.emit = NULL;
	for (unsigned i = 0; i < steps; i++) {
		*now = fuzz_add(*now, step);
		pit_advance(p, *now);
	}
	pit_advance(&whole, end);
	fuzz_check(whole.stats.out0_rises == p->stats.out0_rises, "split advance: same edges");
	fuzz_check(memcmp(whole.counter, p->counter, sizeof(p->counter)) == 0,
		   "split advance: same counters");
}

static const uint16_t fuzz_pit_ports[] = {
	PIT_PORT_COUNTER0, PIT_PORT_COUNTER1, PIT_PORT_COUNTER2, PIT_PORT_CONTROL, PIT_PORT_B,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fuzz_irq irq = { 0 };
	struct pit pit;
	uint64_t now = fuzz_take(&in, 8) >> (fuzz_take(&in, 1) % 64);

	pit_init(&pit, irq_line_connect(fuzz_irq_set, &irq, 0), now);
	/* As the VMM does: listen after init. */
	fuzz_check(pit.events.emit == NULL, "pit_init: nobody listens");
	memset(&fev, 0, sizeof(fev));
	fev.pit = &pit;
	pit.events = (struct dev_events){ .emit = fuzz_event, .opaque = &fev };
	fuzz_check_state(&pit, &irq);
	while (in.size) {
		unsigned op = (unsigned)fuzz_take(&in, 1) % FUZZ_NUM_OPS;
		bool synced = true;	/* the op called the model at `now` */
		uint16_t port;

		memset(fev.op_events, 0, sizeof(fev.op_events));

		switch (op) {
		case FUZZ_WRITE_COUNTER:
			port = (uint16_t)(PIT_PORT_COUNTER0 + fuzz_take(&in, 1) % PIT_NUM_COUNTERS);
			fuzz_write(&pit, port, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_WRITE_CONTROL:
			fuzz_write(&pit, PIT_PORT_CONTROL, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_WRITE_PORT_B:
			fuzz_write(&pit, PIT_PORT_B, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_READ_PIT_PORT:
			port = fuzz_pit_ports[fuzz_take(&in, 1) % 5];
			pit_read(&pit, port, now);
			break;
		case FUZZ_WRITE_ANY_PORT:
			port = (uint16_t)fuzz_take(&in, 2);
			fuzz_write(&pit, port, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_READ_ANY_PORT:
			pit_read(&pit, (uint16_t)fuzz_take(&in, 2), now);
			break;
		case FUZZ_TIME_SMALL:
			now = fuzz_add(now, fuzz_take(&in, 2));
			synced = false;
			break;
		case FUZZ_TIME_LARGE:
			now = fuzz_add(now, fuzz_take(&in, 4));
			synced = false;
			break;
		case FUZZ_TIME_HUGE:
			now = fuzz_add(now, fuzz_take(&in, 8));
			synced = false;
			break;
		case FUZZ_SLEEP_TO_DEADLINE:
			fuzz_sleep_to_deadline(&pit, &now);
			break;
		case FUZZ_ACK:
			pit_irq_acknowledged(&pit, now);
			break;
		case FUZZ_IRQ0_UNMASKED: {
			bool in_flight = pit.tick_in_flight;

			fev.unmasking = true;
			pit_irq0_unmasked(&pit, now);
			fev.unmasking = false;
			fuzz_check(pit.ticks_owed == 0, "unmask leaves nothing owed");
			fuzz_check(!in_flight || pit.tick_in_flight,
				   "unmask keeps the tick in flight");
			break;
		}
		case FUZZ_ADVANCE:
			pit_advance(&pit, now);
			break;
		case FUZZ_TIME_BACKWARDS: {
			uint64_t back = fuzz_take(&in, 4);

			pit_read(&pit, PIT_PORT_B, now > back ? now - back : 0);
			break;
		}
		case FUZZ_FORMAT:
			fuzz_format_record(&in);
			break;
		case FUZZ_SPLIT_CHECK:
		default:
			fuzz_split_check(&pit, &in, &now);
			break;
		}
		fuzz_check_state(&pit, &irq);
		/* Reads, time and the VMM's calls emit no register events. */
		if (op != FUZZ_WRITE_COUNTER && op != FUZZ_WRITE_CONTROL &&
		    op != FUZZ_WRITE_PORT_B && op != FUZZ_WRITE_ANY_PORT)
			fuzz_check(fuzz_register_events() == 0, "only writes emit register events");
		fuzz_check(fev.ticks == pit.stats.ticks_delivered, "one tick event per tick");
		fuzz_check(fev.dropped == pit.stats.ticks_dropped,
			   "drop events add up to ticks_dropped");
		if (synced)
			fuzz_check_deadline(&pit, now);
		else
			fuzz_check(pit_next_deadline(&pit, now) >= now, "deadline not before now");
	}
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
