// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the 8254 PIT.
 *
 * The input is a program: each operation is one opcode byte and its
 * arguments (guest reads and writes of the PIT ports and of random ports,
 * the fake clock moving by small, large and huge steps, the VMM sleeping to
 * the deadline, the PIC acknowledging).  After each operation the model's
 * invariants are checked and a violation calls abort():
 *   - the deadline is never before now, and after any call that took now it
 *     is after it (sleeping to it never spins);
 *   - at the deadline an edge is delivered on IRQ0, one ns before it none is;
 *   - advancing in many steps accounts the same edges as in one step;
 *   - ticks: OUT0 rises == delivered + dropped + owed; owed ticks wait only
 *     behind one in flight; the IRQ0 line saw exactly `delivered` edges;
 *   - counter fields stay in range.
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
	FUZZ_ADVANCE,
	FUZZ_TIME_BACKWARDS,	/* an access stamped earlier than the last */
	FUZZ_SPLIT_CHECK,	/* many small advances == one big one */
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

/* Sleep to the deadline: nothing happens a ns before it, an edge at it. */
static void fuzz_sleep_to_deadline(struct pit *p, uint64_t *now)
{
	uint64_t d = pit_next_deadline(p, *now);
	uint64_t delivered = p->stats.ticks_delivered;
	struct pit early;

	if (d == UINT64_MAX)
		return;
	if (d > *now) {
		/* not clamped to now: the event's own time */
		early = *p;
		early.irq0.set_level = NULL;
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
	fuzz_check_state(&pit, &irq);
	while (in.size) {
		unsigned op = (unsigned)fuzz_take(&in, 1) % FUZZ_NUM_OPS;
		bool synced = true;	/* the op called the model at `now` */
		uint16_t port;

		switch (op) {
		case FUZZ_WRITE_COUNTER:
			port = (uint16_t)(PIT_PORT_COUNTER0 + fuzz_take(&in, 1) % PIT_NUM_COUNTERS);
			pit_write(&pit, port, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_WRITE_CONTROL:
			pit_write(&pit, PIT_PORT_CONTROL, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_WRITE_PORT_B:
			pit_write(&pit, PIT_PORT_B, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_READ_PIT_PORT:
			port = fuzz_pit_ports[fuzz_take(&in, 1) % 5];
			pit_read(&pit, port, now);
			break;
		case FUZZ_WRITE_ANY_PORT:
			port = (uint16_t)fuzz_take(&in, 2);
			pit_write(&pit, port, (uint8_t)fuzz_take(&in, 1), now);
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
		case FUZZ_ADVANCE:
			pit_advance(&pit, now);
			break;
		case FUZZ_TIME_BACKWARDS: {
			uint64_t back = fuzz_take(&in, 4);

			pit_read(&pit, PIT_PORT_B, now > back ? now - back : 0);
			break;
		}
		case FUZZ_SPLIT_CHECK:
		default:
			fuzz_split_check(&pit, &in, &now);
			break;
		}
		fuzz_check_state(&pit, &irq);
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
