// SPDX-License-Identifier: MIT
/*
 * Intel 8254 PIT, computed from time.
 *
 * Every access first brings the model up to now (pit_sync()): the PIT
 * clock count is derived from now_ns, pending transfers of CR into CE that
 * fell due are made at the clock they fell due, and the rising edges of
 * counter 0's OUT since the last access are counted as owed ticks.  The
 * register logic then works at that clock, and pit_update_irq() ends every
 * entry point.
 *
 * A counter is described by where its counting element (CE) was loaded
 * (`base`, a PIT clock) and with what, so its value and OUT level at any
 * clock are closed formulas (pit_counter_value(), pit_counter_out()), and so
 * are its rising edges in an interval (pit_counter_rises()).  Clocks are
 * numbered by pulses since the epoch of now_ns: clock k has happened once
 * now_ns * PIT_FREQ_HZ / 10^9 >= k.  "The next CLK pulse" after an access
 * at clock k is k + 1.
 *
 * References: Intel 8254 data sheet (231164), "Mode Definitions",
 * "Operations Common to All Modes", "Read Operations", "Read-Back Command";
 * Linux arch/x86/kernel/tsc.c (pit_calibrate_tsc(), pit_expect_msb()) and
 * drivers/clocksource/i8253.c for what a guest relies on; QEMU
 * hw/timer/i8254_common.c for the time-as-argument approach.
 */
#include "pit8254.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PIT_NSEC_PER_SEC	1000000000ull
#define PIT_NEVER		UINT64_MAX	/* "no such clock" */

/* A binary CE wraps from 0 to 0xffff; a BCD one from 0 to 9999. */
#define PIT_BIN_MODULUS		0x10000u
#define PIT_BCD_MODULUS		10000u

/*
 * On a PC, counter 1 divides the clock by 18 to request a DRAM refresh
 * every 15.1 us, and port 0x61 bit 4 toggles on each request.  We derive
 * the toggle from the clock, not from our counter 1, so that delay loops
 * that count toggles keep working whatever the guest does to counter 1
 * (whose OUT is wired to nothing here).
 */
#define PIT_REFRESH_DIVISOR	18

/* ---- time ------------------------------------------------------------- */

/*
 * PIT clock pulses that have happened by `ns`: floor(ns * F / 10^9), exact.
 * ns * F would overflow 64 bits after 4.4 hours, so whole seconds and the
 * rest are converted apart: floor((s * 10^9 + r) * F / 10^9) =
 * s * F + floor(r * F / 10^9), and r * F < 1.2e15.
 */
static uint64_t pit_ns_to_clock(uint64_t ns)
{
	return ns / PIT_NSEC_PER_SEC * PIT_FREQ_HZ + ns % PIT_NSEC_PER_SEC * PIT_FREQ_HZ /
	       PIT_NSEC_PER_SEC;
}

/*
 * The first nanosecond by which clock `clk` has happened: the smallest ns
 * with pit_ns_to_clock(ns) >= clk, i.e. ceil(clk * 10^9 / F), split the same
 * way (whole seconds of clocks, then the rest).  Rounding up is what makes
 * "at the deadline, the event has happened" true.  Past the range of
 * uint64_t (in 584 years) it is UINT64_MAX.
 */
static uint64_t pit_clock_to_ns(uint64_t clk)
{
	uint64_t secs = clk / PIT_FREQ_HZ;
	uint64_t rest = (clk % PIT_FREQ_HZ * PIT_NSEC_PER_SEC + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;

	if (secs > (UINT64_MAX - rest) / PIT_NSEC_PER_SEC)
		return UINT64_MAX;
	return secs * PIT_NSEC_PER_SEC + rest;
}

/* ---- counting arithmetic ---------------------------------------------- */

static bool pit_counter_bcd(const struct pit_counter *c)
{
	return c->control & PIT_CW_BCD;
}

static uint32_t pit_counter_modulus(const struct pit_counter *c)
{
	return pit_counter_bcd(c) ? PIT_BCD_MODULUS : PIT_BIN_MODULUS;
}

static bool pit_mode_periodic(uint8_t mode)
{
	return mode == PIT_MODE_RATE_GENERATOR || mode == PIT_MODE_SQUARE_WAVE;
}

/* Modes 1 and 5 count from a GATE trigger; GATE does not stop them. */
static bool pit_mode_gate_triggered(uint8_t mode)
{
	return mode == PIT_MODE_ONE_SHOT || mode == PIT_MODE_HW_STROBE;
}

/*
 * Four BCD decades to binary.  Deviation: a nibble above 9 has no defined
 * meaning; we weigh it like a digit and wrap the result into 0-9999.
 */
static uint32_t pit_bcd_to_bin(uint16_t bcd)
{
	uint32_t v = ((bcd >> 12) & 0xf) * 1000u + ((bcd >> 8) & 0xf) * 100u +
		     ((bcd >> 4) & 0xf) * 10u + (bcd & 0xf);

	return v % PIT_BCD_MODULUS;
}

static uint16_t pit_bin_to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
			  (v % 10));
}

/* A CE value in 0..modulus-1 as the guest reads it. */
static uint16_t pit_counter_encode(const struct pit_counter *c, uint32_t v)
{
	v %= pit_counter_modulus(c);
	return pit_counter_bcd(c) ? pit_bin_to_bcd(v) : (uint16_t)v;
}

/*
 * The number of clocks a count in CR stands for: "the maximum initial
 * count is 0, equivalent to 2^16 for binary or 10^4 for BCD counting"
 * (datasheet, "Operations Common to All Modes").
 */
static uint32_t pit_counter_initial(const struct pit_counter *c)
{
	uint32_t n = pit_counter_bcd(c) ? pit_bcd_to_bin(c->cr) : c->cr;

	return n ? n : pit_counter_modulus(c);
}

/* Clocks counted since `base`; 0 before it. */
static uint64_t pit_counter_elapsed(const struct pit_counter *c, uint64_t clk)
{
	return clk > c->base ? clk - c->base : 0;
}

/* Modes 2/3: the position in the period, 0..period-1. */
static uint32_t pit_counter_position(const struct pit_counter *c, uint64_t clk)
{
	return (uint32_t)((pit_counter_elapsed(c, clk) + c->phase) % c->period);
}

/*
 * Mode 3, datasheet "Mode 3": an even count N is loaded and decremented by
 * two, OUT flips when it expires and N is reloaded, so OUT is high N/2
 * clocks and low N/2.  An odd count loads N - 1; OUT goes low one clock
 * after it expires and high when it expires again, so OUT is high (N + 1)/2
 * clocks and low (N - 1)/2.  This is the length of the high half.
 */
static uint32_t pit_square_high_clocks(uint32_t n)
{
	return (n + 1) / 2;
}

/* The CE value at `clk` (running counter), 0..modulus-1 before encoding. */
static uint32_t pit_counter_ce(const struct pit_counter *c, uint64_t clk)
{
	uint32_t m = pit_counter_modulus(c);
	uint32_t n = c->period;
	uint32_t q, high;

	switch (c->mode) {
	case PIT_MODE_RATE_GENERATOR:
		/* N, N-1, ..., 1, reload: "Mode 2" */
		return (n - pit_counter_position(c, clk)) % m;
	case PIT_MODE_SQUARE_WAVE:
		q = pit_counter_position(c, clk);
		high = pit_square_high_clocks(n);
		if (n % 2 == 0)
			return (n - 2 * (q < high ? q : q - high)) % m;
		return (n - 1 - 2 * (q < high ? q : q - high)) % m;
	default:
		/* Modes 0, 1, 4, 5 count down and wrap past terminal count */
		return (uint32_t)((c->start + m - pit_counter_elapsed(c, clk) % m) % m);
	}
}

/* What a read of the counter at `clk` sees (without a latch). */
static uint16_t pit_counter_value(const struct pit_counter *c, uint64_t clk)
{
	if (!c->running)
		return c->frozen;
	return pit_counter_encode(c, pit_counter_ce(c, clk));
}

/*
 * OUT at `clk`, datasheet "Mode Definitions".  A counter that is not
 * running shows the mode's idle level: mode 0 low until terminal count,
 * all others high (modes 2/3: "if GATE goes low while OUT is low, OUT is
 * set high immediately").  Deviation: modes 2 and 3 with the illegal count
 * of 1 keep OUT high, so they generate no interrupts at all.
 */
static bool pit_counter_out(const struct pit_counter *c, uint64_t clk)
{
	uint64_t e = pit_counter_elapsed(c, clk);

	switch (c->mode) {
	case PIT_MODE_INTERRUPT_ON_TC:
		if (c->tc_seen)
			return true;
		return c->running && e >= c->start;
	case PIT_MODE_ONE_SHOT:
		/* low from the load after a trigger until terminal count */
		return !c->running || e >= c->start;
	case PIT_MODE_RATE_GENERATOR:
		if (!c->running || c->period < 2)
			return true;
		/* low for the one clock during which CE holds 1 */
		return pit_counter_position(c, clk) != c->period - 1;
	case PIT_MODE_SQUARE_WAVE:
		if (!c->running || c->period < 2)
			return true;
		return pit_counter_position(c, clk) < pit_square_high_clocks(c->period);
	case PIT_MODE_SW_STROBE:
		if (!c->running || c->tc_seen)
			return true;
		/* low for the one clock at which the count expires */
		return e != c->start;
	case PIT_MODE_HW_STROBE:
	default:
		return !c->running || e != c->start;
	}
}

/*
 * The first rising edge of OUT after clock `after`, assuming no transfer of
 * CR into CE happens meanwhile; PIT_NEVER if none.  Consistent with
 * pit_counter_out(): the clock returned is the first at which OUT is high
 * after a clock at which it was low.
 */
static uint64_t pit_counter_next_rise(const struct pit_counter *c, uint64_t after)
{
	uint64_t edge;
	uint32_t n = c->period;

	if (!c->running)
		return PIT_NEVER;
	switch (c->mode) {
	case PIT_MODE_INTERRUPT_ON_TC:
		if (c->tc_seen)
			return PIT_NEVER;
		edge = c->base + c->start;
		break;
	case PIT_MODE_ONE_SHOT:
		edge = c->base + c->start;
		break;
	case PIT_MODE_SW_STROBE:
		if (c->tc_seen)
			return PIT_NEVER;
		edge = c->base + c->start + 1;
		break;
	case PIT_MODE_HW_STROBE:
		edge = c->base + c->start + 1;
		break;
	default:
		/* Modes 2 and 3: OUT rises where each period starts over. */
		if (n < 2)
			return PIT_NEVER;
		if (after < c->base)
			after = c->base;
		return after + (n - pit_counter_position(c, after));
	}
	return edge > after ? edge : PIT_NEVER;
}

/* The rising edges of OUT in clocks (from, to], under the same assumption. */
static uint64_t pit_counter_rises(const struct pit_counter *c, uint64_t from, uint64_t to)
{
	uint64_t edge;

	if (to <= from || !c->running)
		return 0;
	if (pit_mode_periodic(c->mode)) {
		if (c->period < 2)
			return 0;
		if (from < c->base)
			from = c->base;
		if (to <= from)
			return 0;
		return (to - c->base + c->phase) / c->period -
		       (from - c->base + c->phase) / c->period;
	}
	edge = pit_counter_next_rise(c, from);
	return edge != PIT_NEVER && edge <= to;
}

/* ---- counter state changes -------------------------------------------- */

/*
 * The transfer of CR into CE, at clock load_at: NULL COUNT clears
 * (datasheet, "Read-Back Command": null count).  Modes 1 and 5 count
 * regardless of GATE once triggered; the others load CE but count only
 * while GATE is high.
 */
static void pit_counter_load(struct pit_counter *c)
{
	uint32_t n = pit_counter_initial(c);

	c->load_pending = false;
	c->null_count = false;
	c->ce_loaded = true;
	c->tc_seen = false;
	c->base = c->load_at;
	c->start = n;
	c->period = n;
	c->phase = c->load_phase % n;
	c->running = pit_mode_gate_triggered(c->mode) || c->gate;
	if (!c->running)
		c->frozen = pit_counter_encode(c, n);
}

/*
 * Deviation: until the load, a stopped CE reads as the new count, not its
 * old contents.  Linux's pit_expect_msb() counts on the count being in CE
 * after a ~1 us delay; a VM exit can take less than one PIT clock.
 */
static void pit_counter_schedule_load(struct pit_counter *c, uint64_t at, uint32_t phase)
{
	c->load_pending = true;
	c->load_at = at;
	c->load_phase = phase;
	if (!c->running)
		c->frozen = pit_counter_encode(c, pit_counter_initial(c));
}

/*
 * Stops counting at `clk`: the CE keeps its value (modes 0/4 with GATE low,
 * modes 2/3 with GATE low, reprogramming).  Modes 0 and 4 remember how far
 * they still have to go, to resume when GATE rises again.
 */
static void pit_counter_stop(struct pit_counter *c, uint64_t clk)
{
	uint64_t e;

	if (!c->running)
		return;
	c->frozen = pit_counter_value(c, clk);
	if (c->mode == PIT_MODE_INTERRUPT_ON_TC || c->mode == PIT_MODE_SW_STROBE) {
		e = pit_counter_elapsed(c, clk);
		if (!c->tc_seen && e < c->start) {
			c->start -= (uint32_t)e;
		} else {
			c->tc_seen = true;
			c->start = pit_counter_ce(c, clk);
		}
	}
	c->running = false;
}

/*
 * Brings one counter from clock `from` to clock `to`, making a pending load
 * that fell due at its clock; returns the rising edges of OUT meanwhile.
 */
static uint64_t pit_counter_catch_up(struct pit_counter *c, uint64_t from, uint64_t to)
{
	uint64_t rises = 0;

	if (c->load_pending && c->load_at <= to) {
		if (c->load_at > from)
			rises += pit_counter_rises(c, from, c->load_at);
		pit_counter_load(c);
		if (c->base > from)
			from = c->base;
	}
	return rises + pit_counter_rises(c, from, to);
}

/* The first rising edge after `after`, pending load included. */
static uint64_t pit_counter_next_edge(const struct pit_counter *c, uint64_t after)
{
	struct pit_counter t;
	uint64_t edge = pit_counter_next_rise(c, after);

	if (!c->load_pending || (edge != PIT_NEVER && edge <= c->load_at))
		return edge;
	t = *c;
	pit_counter_load(&t);
	return pit_counter_next_rise(&t, after > t.base ? after : t.base);
}

/*
 * A control word for this counter, datasheet "Operations Common to All
 * Modes", "Programming": "when a Control Word is written to a Counter, all
 * Control Logic is immediately reset and OUT goes to a known initial state"
 * (low in mode 0, high in the others).  The counter then waits for a count.  We also drop latches
 * and flip-flops, being control logic.
 */
static void pit_counter_write_control(struct pit_counter *c, uint8_t value, uint64_t clk)
{
	uint8_t mode = (value & PIT_CW_M_MASK) >> PIT_CW_M_SHIFT;

	pit_counter_stop(c, clk);
	/* Modes "X10" and "X11": M2 is don't care, 6 and 7 are 2 and 3 */
	if (mode > PIT_MODE_HW_STROBE)
		mode &= (uint8_t)~(PIT_CW_M2 >> PIT_CW_M_SHIFT);
	c->control = value & PIT_STATUS_CW_MASK;
	c->mode = mode;
	c->write_msb_next = false;
	c->read_msb_next = false;
	c->count_latched = false;
	c->status_latched = false;
	c->cr_valid = false;
	c->null_count = true;
	c->ce_loaded = false;
	c->tc_seen = false;
	c->load_pending = false;
}

/*
 * A count was written while modes 2/3 count: "a new count written during
 * counting will be loaded at the end of the current counting cycle"
 * (mode 2), "at the end of the current half-cycle" (mode 3).  A mode 3
 * count loaded at the falling edge starts in its own low half.
 */
static void pit_counter_schedule_reload(struct pit_counter *c, uint64_t clk)
{
	uint32_t n = c->period;
	uint32_t q = pit_counter_position(c, clk);
	uint32_t high = pit_square_high_clocks(n);
	uint32_t new_n = pit_counter_initial(c);

	if (c->mode == PIT_MODE_SQUARE_WAVE && q < high)
		pit_counter_schedule_load(c, clk + (high - q), pit_square_high_clocks(new_n));
	else
		pit_counter_schedule_load(c, clk + (n - q), 0);
}

/* A complete count in CR: when it gets into CE depends on the mode. */
static void pit_counter_write_count(struct pit_counter *c, uint16_t count, uint64_t clk)
{
	c->cr = count;
	c->cr_valid = true;
	c->null_count = true;
	switch (c->mode) {
	case PIT_MODE_INTERRUPT_ON_TC:
		/* OUT goes low at the write and the count is loaded on the
		 * next CLK pulse, so OUT rises N + 1 clocks after the
		 * write ("Mode 0"). */
		pit_counter_stop(c, clk);
		c->tc_seen = false;
		pit_counter_schedule_load(c, clk + 1, 0);
		break;
	case PIT_MODE_SW_STROBE:
		/* loaded on the next CLK pulse; OUT is not affected */
		pit_counter_schedule_load(c, clk + 1, 0);
		break;
	case PIT_MODE_ONE_SHOT:
	case PIT_MODE_HW_STROBE:
		/* kept in CR for the next trigger */
		break;
	default:
		if (c->running)
			pit_counter_schedule_reload(c, clk);
		else if (c->gate)
			pit_counter_schedule_load(c, clk + 1, 0);
		/* else: loaded when GATE rises */
		break;
	}
}

/* A byte written to the counter's port, through the write flip-flop.
 * Returns whether it completed a count. */
static bool pit_counter_write(struct pit_counter *c, uint8_t value, uint64_t clk)
{
	switch ((c->control & PIT_CW_RW_MASK) >> PIT_CW_RW_SHIFT) {
	case PIT_RW_LSB:
		pit_counter_write_count(c, value, clk);
		return true;
	case PIT_RW_MSB:
		pit_counter_write_count(c, (uint16_t)(value << 8), clk);
		return true;
	case PIT_RW_LSB_MSB:
	default:
		if (!c->write_msb_next) {
			c->write_lsb = value;
			c->write_msb_next = true;
			/* "Mode 0": writing the first byte disables
			 * counting and sets OUT low at once. */
			if (c->mode == PIT_MODE_INTERRUPT_ON_TC) {
				pit_counter_stop(c, clk);
				c->tc_seen = false;
				c->load_pending = false;
			}
			return false;
		}
		c->write_msb_next = false;
		pit_counter_write_count(c, (uint16_t)(c->write_lsb | value << 8), clk);
		return true;
	}
}

/* A byte read from the counter's port: status, latched count, or live. */
static uint8_t pit_counter_read(struct pit_counter *c, uint64_t clk)
{
	uint16_t v;
	uint8_t byte;

	/* "If both count and status of a counter are latched, the first
	 * read operation of that counter will return latched status." */
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->ol : pit_counter_value(c, clk);
	switch ((c->control & PIT_CW_RW_MASK) >> PIT_CW_RW_SHIFT) {
	case PIT_RW_LSB:
		c->count_latched = false;
		return (uint8_t)v;
	case PIT_RW_MSB:
		c->count_latched = false;
		return (uint8_t)(v >> 8);
	case PIT_RW_LSB_MSB:
	default:
		if (!c->read_msb_next) {
			byte = (uint8_t)v;
		} else {
			byte = (uint8_t)(v >> 8);
			/* the latch holds until both bytes are read */
			c->count_latched = false;
		}
		c->read_msb_next = !c->read_msb_next;
		return byte;
	}
}

/* Counter Latch Command: a second latch before the read is ignored. */
static void pit_counter_latch_count(struct pit_counter *c, uint64_t clk)
{
	if (c->count_latched)
		return;
	c->ol = pit_counter_value(c, clk);
	c->count_latched = true;
}

/* Read-Back status latch: likewise, a second one before the read is ignored. */
static void pit_counter_latch_status(struct pit_counter *c, uint64_t clk)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)((pit_counter_out(c, clk) ? PIT_STATUS_OUTPUT : 0) |
			      (c->null_count ? PIT_STATUS_NULL_COUNT : 0) |
			      (c->control & PIT_STATUS_CW_MASK));
	c->status_latched = true;
}

/*
 * GATE changes level, datasheet "Gate" table ("Operations Common to All
 * Modes"): modes 0/4 count only while it is high; modes 1/5 start on a
 * rising edge (the CE loads on the next clock); modes 2/3 stop while it is
 * low and reload on a rising edge.
 */
static void pit_counter_set_gate(struct pit_counter *c, bool level, uint64_t clk)
{
	if (level == c->gate)
		return;
	c->gate = level;
	if (level) {
		if (c->mode == PIT_MODE_INTERRUPT_ON_TC || c->mode == PIT_MODE_SW_STROBE) {
			if (c->ce_loaded && !c->running && !c->load_pending) {
				c->base = clk;
				c->running = true;
			}
		} else if (c->cr_valid) {
			pit_counter_schedule_load(c, clk + 1, 0);
		}
		return;
	}
	if (pit_mode_gate_triggered(c->mode))
		return;
	pit_counter_stop(c, clk);
	/* modes 2/3 reload on the next rising edge anyway */
	if (pit_mode_periodic(c->mode))
		c->load_pending = false;
}

/* ---- the chip ----------------------------------------------------------- */

/* The backlog cap: one PIT_BACKLOG_NS of counter 0's periods, at least 1. */
static uint64_t pit_backlog_cap(const struct pit *p)
{
	const struct pit_counter *c = &p->counter[0];
	uint64_t cap;

	if (!pit_mode_periodic(c->mode) || c->period < 2)
		return 1;
	cap = (uint64_t)PIT_FREQ_HZ * PIT_BACKLOG_NS / PIT_NSEC_PER_SEC / c->period;
	return cap ? cap : 1;
}

/*
 * Forget `n` owed ticks, counted and told.  arg0 saturates at UINT32_MAX
 * (counter 0 at count 2 overflows it after two hours unseen), so arg64
 * holds the exact number: the events' arg64 add up to stats.ticks_dropped.
 */
static void pit_drop_ticks(struct pit *p, uint64_t n, enum pit_drop_reason why)
{
	struct dev_event ev;

	if (n == 0)
		return;
	p->ticks_owed -= n;
	p->stats.ticks_dropped += n;
	if (p->events.emit == NULL)
		return;
	ev = (struct dev_event){
		.source = DEV_EVENT_PIT, .type = PIT_EVENT_TICKS_DROPPED, .unit = 0,
		.arg = { n > UINT32_MAX ? UINT32_MAX : (uint32_t)n, why, 0 }, .arg64 = n,
	};
	p->events.emit(p->events.opaque, &ev);
}

/* `n` more rising edges of OUT0: owed to the guest, up to the cap. */
static void pit_owe_ticks(struct pit *p, uint64_t n)
{
	uint64_t cap = pit_backlog_cap(p);

	p->stats.out0_rises += n;
	p->ticks_owed += n;
	if (p->ticks_owed > cap)
		pit_drop_ticks(p, p->ticks_owed - cap, PIT_DROP_BACKLOG_CAP);
}

/* Brings every counter up to now_ns and counts OUT0's edges meanwhile. */
static void pit_sync(struct pit *p, uint64_t now_ns)
{
	uint64_t clk, rises;

	if (now_ns > p->now_ns)
		p->now_ns = now_ns;
	clk = pit_ns_to_clock(p->now_ns);
	if (clk > p->clock) {
		rises = pit_counter_catch_up(&p->counter[0], p->clock, clk);
		pit_counter_catch_up(&p->counter[1], p->clock, clk);
		pit_counter_catch_up(&p->counter[2], p->clock, clk);
		p->clock = clk;
		pit_owe_ticks(p, rises);
	}
}

/*
 * Recomputes IRQ0: while no tick is in flight and one is owed, deliver it
 * as one rising edge.  A loop rather than recursion, so a PIC that
 * acknowledges from inside set_level gets the whole backlog without
 * growing the stack.
 */
static void pit_update_irq(struct pit *p)
{
	if (p->delivering)
		return;
	p->delivering = true;
	while (!p->tick_in_flight && p->ticks_owed > 0) {
		p->ticks_owed--;
		p->tick_in_flight = true;
		p->stats.ticks_delivered++;
		dev_event_emit(&p->events, DEV_EVENT_PIT, PIT_EVENT_TICK, 0,
			       p->ticks_owed > UINT32_MAX ? UINT32_MAX : (uint32_t)p->ticks_owed,
			       0, 0);
		irq_line_set(&p->irq0, false);
		irq_line_set(&p->irq0, true);
	}
	p->delivering = false;
}

void pit_init(struct pit *p, struct irq_line irq0, uint64_t now_ns)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->irq0 = irq0;
	p->now_ns = now_ns;
	p->clock = pit_ns_to_clock(now_ns);
	for (i = 0; i < PIT_NUM_COUNTERS; i++) {
		struct pit_counter *c = &p->counter[i];

		c->gate = i != 2;	/* GATE2 is port 0x61 bit 0, reset to 0 */
		pit_counter_write_control(c, PIT_RW_LSB_MSB << PIT_CW_RW_SHIFT |
					     PIT_MODE_SQUARE_WAVE << PIT_CW_M_SHIFT, p->clock);
		c->cr = 0;
		c->cr_valid = true;
		pit_counter_schedule_load(c, p->clock, 0);
		pit_counter_load(c);
	}
}

/* Port 0x43 with SC = 11: latch count and/or status of several counters. */
static void pit_read_back(struct pit *p, uint8_t value)
{
	unsigned i;

	for (i = 0; i < PIT_NUM_COUNTERS; i++) {
		if (!(value & PIT_RB_CNT(i)))
			continue;
		if (!(value & PIT_RB_NOT_COUNT))
			pit_counter_latch_count(&p->counter[i], p->clock);
		if (!(value & PIT_RB_NOT_STATUS))
			pit_counter_latch_status(&p->counter[i], p->clock);
	}
}

static void pit_write_control(struct pit *p, uint8_t value)
{
	unsigned sc = value >> PIT_CW_SC_SHIFT;
	struct pit_counter *c;

	if (sc == PIT_CW_SC_READ_BACK) {
		pit_read_back(p, value);
		dev_event_emit(&p->events, DEV_EVENT_PIT, PIT_EVENT_READ_BACK, 0, value, 0, 0);
		return;
	}
	c = &p->counter[sc];
	if ((value & PIT_CW_RW_MASK) >> PIT_CW_RW_SHIFT == PIT_RW_LATCH) {
		pit_counter_latch_count(c, p->clock);
		dev_event_emit(&p->events, DEV_EVENT_PIT, PIT_EVENT_LATCH, sc, 0, 0, 0);
		return;
	}
	pit_counter_write_control(c, value, p->clock);
	dev_event_emit(&p->events, DEV_EVENT_PIT, PIT_EVENT_CONTROL, sc, value, 0, 0);
	if (sc == 0) {
		/* Reprogrammed: the old rate's backlog is stale, and so is
		 * the wait for a tick of the old rate: should it still sit
		 * in the PIC's IRR, the first new tick merges with it rather
		 * than wait behind it.  Deviation (pit8254.h): OUT0 may
		 * rise here (mode 4 over a low OUT), but that edge is owed
		 * to no one, as in QEMU and KVM. */
		pit_drop_ticks(p, p->ticks_owed, PIT_DROP_REPROGRAMMED);
		p->tick_in_flight = false;
	}
}

uint8_t pit_read(struct pit *p, uint16_t port, uint64_t now_ns)
{
	uint8_t value = 0xff;	/* nothing drives the bus */

	pit_sync(p, now_ns);
	switch (port) {
	case PIT_PORT_COUNTER0:
	case PIT_PORT_COUNTER1:
	case PIT_PORT_COUNTER2:
		value = pit_counter_read(&p->counter[port - PIT_PORT_COUNTER0], p->clock);
		break;
	case PIT_PORT_B:
		value = p->port_b;
		if (p->clock / PIT_REFRESH_DIVISOR % 2)
			value |= PIT_PORTB_REFRESH;
		if (pit_counter_out(&p->counter[2], p->clock))
			value |= PIT_PORTB_OUT2;
		break;
	default:
		/* PIT_PORT_CONTROL is write-only */
		break;
	}
	pit_update_irq(p);
	return value;
}

/* A byte for counter n's port; a count complete with it is an event. */
static void pit_write_counter(struct pit *p, unsigned n, uint8_t value)
{
	struct pit_counter *c = &p->counter[n];

	if (pit_counter_write(c, value, p->clock))
		dev_event_emit(&p->events, DEV_EVENT_PIT, PIT_EVENT_COUNT, n, c->cr, c->mode,
			       pit_counter_initial(c));
}

void pit_write(struct pit *p, uint16_t port, uint8_t value, uint64_t now_ns)
{
	pit_sync(p, now_ns);
	switch (port) {
	case PIT_PORT_COUNTER0:
	case PIT_PORT_COUNTER1:
	case PIT_PORT_COUNTER2:
		pit_write_counter(p, port - PIT_PORT_COUNTER0, value);
		break;
	case PIT_PORT_CONTROL:
		pit_write_control(p, value);
		break;
	case PIT_PORT_B:
		p->port_b = value & PIT_PORTB_WRITABLE;
		pit_counter_set_gate(&p->counter[2], value & PIT_PORTB_GATE2, p->clock);
		dev_event_emit(&p->events, DEV_EVENT_PIT, PIT_EVENT_PORT_B, PIT_UNIT_PORT_B, value,
			       value & PIT_PORTB_GATE2, 0);
		break;
	default:
		break;
	}
	pit_update_irq(p);
}

/*
 * Counter 0 counts periodically faster than the host timer's floor
 * (PIT_TIMER_MIN_NS, pit8254.h): its period in ns is below it.
 */
static bool pit_counter0_too_fast(const struct pit *p)
{
	const struct pit_counter *c = &p->counter[0];

	return c->running && pit_mode_periodic(c->mode) &&
	       (uint64_t)c->period * PIT_NSEC_PER_SEC < PIT_TIMER_MIN_NS * PIT_FREQ_HZ;
}

uint64_t pit_next_deadline(const struct pit *p, uint64_t now_ns)
{
	uint64_t deadline;

	if (p->tick_in_flight)
		return UINT64_MAX;	/* the next tick goes out on the ack */
	if (p->ticks_owed > 0)
		deadline = now_ns;	/* not reached: owed ticks go out at once */
	else
		deadline = pit_clock_to_ns(pit_counter_next_edge(&p->counter[0], p->clock));
	if (deadline == UINT64_MAX)
		return UINT64_MAX;
	/* Too fast to wake the host for each edge: they are owed meanwhile. */
	if (pit_counter0_too_fast(p) && deadline < p->advanced_ns + PIT_TIMER_MIN_NS)
		deadline = p->advanced_ns + PIT_TIMER_MIN_NS;
	return deadline > now_ns ? deadline : now_ns;
}

void pit_advance(struct pit *p, uint64_t now_ns)
{
	pit_sync(p, now_ns);
	p->advanced_ns = p->now_ns;
	pit_update_irq(p);
}

void pit_irq_acknowledged(struct pit *p, uint64_t now_ns)
{
	pit_sync(p, now_ns);
	p->tick_in_flight = false;
	pit_update_irq(p);
}

/*
 * The edges owed while IRQ0 was masked would, on a real 8259, have merged
 * into its one IRR bit: that is the tick in flight, which the guest now
 * takes.  Delivering the backlog after it would give a burst of stale ticks
 * that no hardware gives; KVM resets its reinject count here
 * (pit_mask_notifer()).  With no tick in flight, edges that only this sync
 * found (the timer had not fired yet) would have set that IRR bit: one of
 * them is kept and goes out now.
 */
void pit_irq0_unmasked(struct pit *p, uint64_t now_ns)
{
	uint64_t keep;

	pit_sync(p, now_ns);
	keep = !p->tick_in_flight && p->ticks_owed > 0;
	pit_drop_ticks(p, p->ticks_owed - keep, PIT_DROP_UNMASKED);
	pit_update_irq(p);
}

/* ---- events ------------------------------------------------------------- */

const char *const pit_event_names[PIT_EVENT_NR] = {
	[PIT_EVENT_CONTROL] = "control", [PIT_EVENT_COUNT] = "count",
	[PIT_EVENT_LATCH] = "latch", [PIT_EVENT_READ_BACK] = "read-back",
	[PIT_EVENT_PORT_B] = "port-b", [PIT_EVENT_TICK] = "tick",
	[PIT_EVENT_TICKS_DROPPED] = "ticks-dropped",
};

static const char *const pit_mode_names[] = {
	[PIT_MODE_INTERRUPT_ON_TC] = "interrupt on terminal count",
	[PIT_MODE_ONE_SHOT] = "hardware retriggerable one-shot",
	[PIT_MODE_RATE_GENERATOR] = "rate generator",
	[PIT_MODE_SQUARE_WAVE] = "square wave",
	[PIT_MODE_SW_STROBE] = "software triggered strobe",
	[PIT_MODE_HW_STROBE] = "hardware triggered strobe",
};

static const char *pit_mode_name(uint32_t mode)
{
	return mode < 6 ? pit_mode_names[mode] : "?";
}

static const char *const pit_rw_names[] = {
	[PIT_RW_LATCH] = "latch", [PIT_RW_LSB] = "LSB only", [PIT_RW_MSB] = "MSB only",
	[PIT_RW_LSB_MSB] = "LSB then MSB",
};

static const char *const pit_drop_names[] = {
	[PIT_DROP_BACKLOG_CAP] = "more than 1 s of ticks owed",
	[PIT_DROP_REPROGRAMMED] = "counter 0 reprogrammed",
	[PIT_DROP_UNMASKED] = "IRQ0 unmasked: ticks saved up while masked are stale",
};

int pit_event_format(const struct dev_event *ev, char *buf, size_t size)
{
	uint32_t v = ev->arg[0];
	uint32_t mode, clocks;

	switch (ev->type) {
	case PIT_EVENT_CONTROL:
		mode = (v & PIT_CW_M_MASK) >> PIT_CW_M_SHIFT;
		if (mode > PIT_MODE_HW_STROBE)
			mode &= ~(uint32_t)(PIT_CW_M2 >> PIT_CW_M_SHIFT);
		return snprintf(buf, size, "control 0x%02x: mode %u (%s), %s, %s", v, mode,
				pit_mode_name(mode), pit_rw_names[(v & PIT_CW_RW_MASK) >>
								 PIT_CW_RW_SHIFT],
				v & PIT_CW_BCD ? "BCD" : "binary");
	case PIT_EVENT_COUNT:
		mode = ev->arg[1];
		clocks = ev->arg[2];
		if (pit_mode_periodic((uint8_t)mode) && clocks > 1) {
			/* tenths of a hertz, rounded */
			uint64_t dhz = ((uint64_t)PIT_FREQ_HZ * 20 / clocks + 1) / 2;

			return snprintf(buf, size, "mode %u (%s) count %u (%u.%u Hz)", mode,
					pit_mode_name(mode), clocks, (unsigned)(dhz / 10),
					(unsigned)(dhz % 10));
		}
		return snprintf(buf, size, "mode %u (%s) count %u (%u.%03u ms)", mode,
				pit_mode_name(mode), clocks,
				(unsigned)((uint64_t)clocks * 1000000 / PIT_FREQ_HZ / 1000),
				(unsigned)((uint64_t)clocks * 1000000 / PIT_FREQ_HZ % 1000));
	case PIT_EVENT_LATCH:
		return snprintf(buf, size, "counter latch command");
	case PIT_EVENT_READ_BACK: {
		bool count = !(v & PIT_RB_NOT_COUNT), status = !(v & PIT_RB_NOT_STATUS);

		return snprintf(buf, size, "read-back 0x%02x (latch %s of counters%s%s%s)", v,
				count && status ? "count and status" : count ? "count" :
				status ? "status" : "nothing",
				v & PIT_RB_CNT(0) ? " 0" : "", v & PIT_RB_CNT(1) ? " 1" : "",
				v & PIT_RB_CNT(2) ? " 2" : "");
	}
	case PIT_EVENT_PORT_B:
		return snprintf(buf, size, "port 0x61 0x%02x (GATE2 %s)", v,
				ev->arg[1] ? "high" : "low");
	case PIT_EVENT_TICK:
		return snprintf(buf, size, "tick on IRQ0 (%u more owed)", v);
	case PIT_EVENT_TICKS_DROPPED: {
		/* arg64, exact, where arg0 saturated */
		uint64_t n = ev->arg64 > v ? ev->arg64 : v;

		return snprintf(buf, size, "%" PRIu64 " tick%s dropped: %s", n, n == 1 ? "" : "s",
				ev->arg[1] < 3 ? pit_drop_names[ev->arg[1]] : "?");
	}
	default:
		return snprintf(buf, size, "event %u", ev->type);
	}
}
