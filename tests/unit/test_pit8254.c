// SPDX-License-Identifier: MIT
/*
 * Unit tests of the 8254 PIT, one hardware rule each, on a fake clock.
 * "DS" cites the Intel 8254 data sheet (231164); "Linux" cites
 * arch/x86/kernel/tsc.c, or drivers/clocksource/i8253.c for the clockevent.
 * Times are given as PIT clocks after T0: at(k) sets the fake clock to the
 * first nanosecond by which clock T0 + k has happened, so "write at(0)"
 * means "the count is loaded on clock 1".  The tick policy's tests at the
 * end run the PIT behind a real 8259 pair wired as the board does.
 */
#include "unit.h"

#include "pic8259.h"
#include "pit8254.h"

/* ---- fakes ------------------------------------------------------------- */

struct fake_irq {
	bool level;
	unsigned rises;
};

static void fake_irq_set(void *opaque, unsigned line, bool level)
{
	struct fake_irq *f = opaque;

	(void)line;
	if (level && !f->level)
		f->rises++;
	f->level = level;
}

static struct pit pit;
static struct fake_irq irq0;
static uint64_t now;

/* The fake clock starts at 100 s, an exact PIT clock boundary. */
#define T0_CLOCK	((uint64_t)PIT_FREQ_HZ * 100)

/* 128-bit arithmetic: an oracle independent of the model's split. */
__extension__ typedef unsigned __int128 u128;

/* The first ns by which PIT clock T0 + k has happened. */
static uint64_t ns_of(uint64_t k)
{
	u128 c = T0_CLOCK + k;

	return (uint64_t)((c * 1000000000u + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ);
}

static void at(uint64_t k)
{
	now = ns_of(k);
}

static void power_on(void)
{
	irq0 = (struct fake_irq){ 0 };
	at(0);
	pit_init(&pit, irq_line_connect(fake_irq_set, &irq0, 0), now);
}

static void out(uint16_t port, uint8_t value)
{
	pit_write(&pit, port, value, now);
}

static uint8_t in(uint16_t port)
{
	return pit_read(&pit, port, now);
}

static uint16_t counter_port(unsigned n)
{
	return (uint16_t)(PIT_PORT_COUNTER0 + n);
}

static uint8_t control_word(unsigned n, unsigned rw, unsigned mode)
{
	return (uint8_t)(n << PIT_CW_SC_SHIFT | rw << PIT_CW_RW_SHIFT | mode << PIT_CW_M_SHIFT);
}

/* Control word (LSB then MSB, binary) and count, at the current time. */
static void program(unsigned n, unsigned mode, uint16_t count)
{
	out(PIT_PORT_CONTROL, control_word(n, PIT_RW_LSB_MSB, mode));
	out(counter_port(n), (uint8_t)count);
	out(counter_port(n), (uint8_t)(count >> 8));
}

/* Two reads in LSB-then-MSB mode. */
static uint16_t read_count(unsigned n)
{
	uint8_t lsb = in(counter_port(n));

	return (uint16_t)(lsb | in(counter_port(n)) << 8);
}

/* Read-Back Command latching only the status of counter n, then the status. */
static uint8_t status(unsigned n)
{
	out(PIT_PORT_CONTROL, (uint8_t)(PIT_CW_SC_READ_BACK << PIT_CW_SC_SHIFT | PIT_RB_NOT_COUNT |
					PIT_RB_CNT(n)));
	return in(counter_port(n));
}

static bool out_of(unsigned n)
{
	return status(n) & PIT_STATUS_OUTPUT;
}

static void gate2(bool level)
{
	uint8_t b = in(PIT_PORT_B) & PIT_PORTB_WRITABLE;

	out(PIT_PORT_B, level ? (b | PIT_PORTB_GATE2) : (b & ~PIT_PORTB_GATE2));
}

static bool out2(void)
{
	return in(PIT_PORT_B) & PIT_PORTB_OUT2;
}

static void advance(void)
{
	pit_advance(&pit, now);
}

static void ack(void)
{
	pit_irq_acknowledged(&pit, now);
}

/* ---- counting and reading ---------------------------------------------- */

/* DS "Mode 2": OUT pulses once per N clocks, so count 1193 ticks IRQ0 every
 * 1193 clocks (~1 ms), the first N clocks after the load on the clock after
 * the write; the next deadline is exactly the next boundary. */
UNIT_TEST(mode2_count_1193_edge_every_period_and_deadline_is_next_boundary)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1 + 1193));
	at(1193);
	advance();
	CHECK_EQ(irq0.rises, 0);
	at(1 + 1193);
	advance();
	CHECK_EQ(irq0.rises, 1);
	ack();
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1 + 2 * 1193));
	/* 1193 clocks are 999847 ns, rounded up at each end */
	CHECK(ns_of(1 + 2 * 1193) - now >= 999847 && ns_of(1 + 2 * 1193) - now <= 999848);
	at(1 + 2 * 1193);
	advance();
	CHECK_EQ(irq0.rises, 2);
}

/* DS "Counter Latch Command": the count is latched at the command and reads
 * return it, however long after, until it has been read. */
UNIT_TEST(counter_latch_freezes_read_value)
{
	power_on();
	program(1, PIT_MODE_RATE_GENERATOR, 1000);
	at(11);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LATCH, 0));
	at(500);
	CHECK_EQ(read_count(1), 990);
	CHECK_EQ(read_count(1), 1000 - 499);	/* then live again */
}

/* DS "Read-Back Command": a second latch before the first is read is
 * ignored. */
UNIT_TEST(second_count_latch_before_read_is_ignored)
{
	power_on();
	program(1, PIT_MODE_RATE_GENERATOR, 1000);
	at(11);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LATCH, 0));
	at(21);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LATCH, 0));
	CHECK_EQ(read_count(1), 990);
}

/* DS "Read Operations": in RW mode 3 the first read gives the LSB, the
 * second the MSB. */
UNIT_TEST(lsb_msb_reads_give_lsb_first)
{
	power_on();
	program(1, PIT_MODE_INTERRUPT_ON_TC, 0x1234);
	at(1);
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0x34);
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0x12);
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0x34);
}

/* DS "Write Operations": in RW mode 3 the count is the LSB then the MSB; it
 * takes effect only once the MSB is written. */
UNIT_TEST(lsb_msb_write_takes_effect_after_msb)
{
	power_on();
	program(1, PIT_MODE_RATE_GENERATOR, 1000);
	at(100);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LSB_MSB, PIT_MODE_SW_STROBE));
	out(PIT_PORT_COUNTER1, 0x00);
	at(200);
	CHECK(status(1) & PIT_STATUS_NULL_COUNT);
	out(PIT_PORT_COUNTER1, 0x20);
	at(201);
	CHECK_EQ(read_count(1), 0x2000);
	at(211);
	CHECK_EQ(read_count(1), 0x2000 - 10);
}

/* DS "Read Operations": reads and writes of one counter may interleave
 * (read LSB, write LSB, read MSB, write MSB): two separate flip-flops. */
UNIT_TEST(read_and_write_flip_flops_are_independent)
{
	power_on();
	program(1, PIT_MODE_INTERRUPT_ON_TC, 0xabcd);
	at(1);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LATCH, 0));
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0xcd);
	out(PIT_PORT_COUNTER1, 0x34);
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0xab);
	out(PIT_PORT_COUNTER1, 0x12);
	at(2);
	CHECK_EQ(read_count(1), 0x1234);
}

/* DS "Control Word Format": RW = 01 reads and writes the LSB only, RW = 10
 * the MSB only (the other byte written is 0). */
UNIT_TEST(single_byte_rw_modes)
{
	power_on();
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LSB, PIT_MODE_INTERRUPT_ON_TC));
	out(PIT_PORT_COUNTER1, 0x56);
	at(1);
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0x56);
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0x56);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_MSB, PIT_MODE_INTERRUPT_ON_TC));
	out(PIT_PORT_COUNTER1, 0x56);
	at(2);
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0x56);
	at(3);
	CHECK_EQ(in(PIT_PORT_COUNTER1), 0x55);	/* 0x5600 - 1 = 0x55ff */
}

/* DS "Read-Back Command": status = OUTPUT, NULL COUNT, then the control
 * word's RW, M and BCD bits as written. */
UNIT_TEST(read_back_status_byte_fields)
{
	power_on();
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LSB_MSB, PIT_MODE_INTERRUPT_ON_TC) |
			      PIT_CW_BCD);
	/* mode 0: OUT low after the control word; no count yet */
	CHECK_EQ(status(1), PIT_STATUS_NULL_COUNT | 0x31);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LSB, PIT_MODE_RATE_GENERATOR));
	/* other modes: OUT high */
	CHECK_EQ(status(1), PIT_STATUS_OUTPUT | PIT_STATUS_NULL_COUNT | 0x14);
	out(PIT_PORT_COUNTER1, 10);
	at(1);
	CHECK_EQ(status(1), PIT_STATUS_OUTPUT | 0x14);
	at(10);		/* CE = 1: OUT low */
	CHECK_EQ(status(1), 0x14);
}

/* DS "Read-Back Command": NULL COUNT is 1 from a count write until the count
 * is loaded into CE, which in mode 2 is the end of the current period. */
UNIT_TEST(null_count_set_until_count_is_loaded)
{
	power_on();
	program(1, PIT_MODE_RATE_GENERATOR, 100);
	at(1);
	CHECK(!(status(1) & PIT_STATUS_NULL_COUNT));
	at(30);
	out(PIT_PORT_COUNTER1, 50);
	out(PIT_PORT_COUNTER1, 0);
	CHECK(status(1) & PIT_STATUS_NULL_COUNT);
	at(100);
	CHECK(status(1) & PIT_STATUS_NULL_COUNT);
	at(101);
	CHECK(!(status(1) & PIT_STATUS_NULL_COUNT));
}

/* DS "Read-Back Command": with count and status both latched, the first
 * read returns the status, the next ones the count. */
UNIT_TEST(read_back_status_is_read_before_count)
{
	power_on();
	program(1, PIT_MODE_RATE_GENERATOR, 1000);
	at(101);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LATCH, 0));	/* count first */
	out(PIT_PORT_CONTROL, PIT_CW_SC_READ_BACK << PIT_CW_SC_SHIFT | PIT_RB_NOT_COUNT |
			      PIT_RB_CNT(1));
	at(200);
	CHECK_EQ(in(PIT_PORT_COUNTER1), PIT_STATUS_OUTPUT | 0x34);
	CHECK_EQ(read_count(1), 900);
}

/* DS "Read-Back Command": one command latches several counters. */
UNIT_TEST(read_back_latches_several_counters)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1000);
	program(1, PIT_MODE_RATE_GENERATOR, 2000);
	program(2, PIT_MODE_INTERRUPT_ON_TC, 3000);
	gate2(true);
	at(11);
	out(PIT_PORT_CONTROL, PIT_CW_SC_READ_BACK << PIT_CW_SC_SHIFT | PIT_RB_NOT_STATUS |
			      PIT_RB_CNT(0) | PIT_RB_CNT(1) | PIT_RB_CNT(2));
	at(500);
	CHECK_EQ(read_count(0), 990);
	CHECK_EQ(read_count(1), 1990);
	CHECK_EQ(read_count(2), 2990);
}

/* DS "Control Word Format": BCD = 1 counts in four decades, and reads back
 * BCD digits. */
UNIT_TEST(bcd_counter_counts_in_decimal)
{
	power_on();
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR) |
			      PIT_CW_BCD);
	out(PIT_PORT_COUNTER1, 0x00);
	out(PIT_PORT_COUNTER1, 0x10);	/* 1000 */
	at(2);
	CHECK_EQ(read_count(1), 0x0999);
	at(1 + 1000);			/* reloaded */
	CHECK_EQ(read_count(1), 0x1000);
}

/* DS "Operations Common to All Modes": count 0 is 2^16 in binary... */
UNIT_TEST(count_0_is_65536_in_binary)
{
	power_on();
	program(1, PIT_MODE_INTERRUPT_ON_TC, 0);
	at(2);
	CHECK_EQ(read_count(1), 0xffff);
	at(65536);
	CHECK(!out_of(1));
	at(1 + 65536);
	CHECK(out_of(1));
}

/* ...and 10^4 in BCD. */
UNIT_TEST(count_0_is_10000_in_bcd)
{
	power_on();
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_LSB_MSB, PIT_MODE_INTERRUPT_ON_TC) |
			      PIT_CW_BCD);
	out(PIT_PORT_COUNTER1, 0);
	out(PIT_PORT_COUNTER1, 0);
	at(2);
	CHECK_EQ(read_count(1), 0x9999);
	at(10000);
	CHECK(!out_of(1));
	at(1 + 10000);
	CHECK(out_of(1));
}

/* DS "Mode 0": OUT goes low at the control word and high N + 1 clocks after
 * the count is written, once: one edge on IRQ0, at a deadline. */
UNIT_TEST(mode0_out_low_then_high_at_terminal_count)
{
	power_on();
	program(0, PIT_MODE_INTERRUPT_ON_TC, 100);
	CHECK(!out_of(0));
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(101));
	at(100);
	CHECK(!out_of(0));
	at(101);
	CHECK(out_of(0));
	CHECK_EQ(irq0.rises, 1);
	ack();
	CHECK_EQ(pit_next_deadline(&pit, now), UINT64_MAX);
	at(1000000);
	advance();
	CHECK(out_of(0));
	CHECK_EQ(irq0.rises, 1);
}

/* DS "Mode 0": after terminal count the counter keeps decrementing (and
 * wraps), OUT stays high. */
UNIT_TEST(mode0_counter_wraps_after_terminal_count)
{
	power_on();
	program(1, PIT_MODE_INTERRUPT_ON_TC, 5);
	at(6);
	CHECK_EQ(read_count(1), 0);
	at(8);
	CHECK_EQ(read_count(1), 0xfffe);
	CHECK(out_of(1));
}

/* DS "Mode 0": a new count written during counting restarts it: OUT low
 * again, TC N + 1 clocks after this write. */
UNIT_TEST(mode0_new_count_restarts_counting)
{
	power_on();
	program(1, PIT_MODE_INTERRUPT_ON_TC, 100);
	at(200);
	CHECK(out_of(1));
	out(PIT_PORT_COUNTER1, 50);
	CHECK(!out_of(1));		/* first byte: OUT low at once */
	out(PIT_PORT_COUNTER1, 0);
	at(250);
	CHECK(!out_of(1));
	at(251);
	CHECK(out_of(1));
}

/* DS "Mode 0": GATE = 0 disables counting; the count holds and resumes. */
UNIT_TEST(mode0_gate_low_freezes_count)
{
	power_on();
	program(2, PIT_MODE_INTERRUPT_ON_TC, 1000);	/* GATE2 low */
	at(500);
	CHECK_EQ(read_count(2), 1000);
	gate2(true);
	at(600);
	CHECK_EQ(read_count(2), 900);
	gate2(false);
	at(1000);
	CHECK_EQ(read_count(2), 900);
	gate2(true);
	at(1899);
	CHECK(!out2());
	at(1900);
	CHECK(out2());
}

/* DS "Mode 2": OUT is low for one clock, while CE holds 1. */
UNIT_TEST(mode2_out_low_for_one_clock)
{
	power_on();
	program(1, PIT_MODE_RATE_GENERATOR, 5);
	at(4);
	CHECK(out_of(1));
	at(5);
	CHECK_EQ(read_count(1), 1);
	CHECK(!out_of(1));
	at(6);
	CHECK_EQ(read_count(1), 5);
	CHECK(out_of(1));
}

/* DS "Mode 2": a new count takes effect at the end of the current period. */
UNIT_TEST(mode2_new_count_takes_effect_at_end_of_period)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1000);
	at(300);
	out(PIT_PORT_COUNTER0, 500 & 0xff);
	out(PIT_PORT_COUNTER0, 500 >> 8);
	CHECK_EQ(read_count(0), 1000 - 299);
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1001));
	at(1001);
	advance();
	ack();
	CHECK_EQ(irq0.rises, 1);
	CHECK_EQ(read_count(0), 500);
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1501));
}

/* DS "Mode 3": an even count N gives OUT high N/2 clocks, low N/2. */
UNIT_TEST(mode3_even_count_square_wave)
{
	power_on();
	gate2(true);
	program(2, PIT_MODE_SQUARE_WAVE, 10);
	for (uint64_t k = 1; k <= 21; k++) {
		at(k);
		CHECK_EQ(out2(), (k - 1) % 10 < 5);
	}
}

/* DS "Mode 3": an odd count N gives OUT high (N + 1)/2 clocks, low (N - 1)/2. */
UNIT_TEST(mode3_odd_count_square_wave)
{
	power_on();
	gate2(true);
	program(2, PIT_MODE_SQUARE_WAVE, 9);
	for (uint64_t k = 1; k <= 19; k++) {
		at(k);
		CHECK_EQ(out2(), (k - 1) % 9 < 5);
	}
}

/* DS "Mode 3": the count decrements by two, each half period. */
UNIT_TEST(mode3_count_decrements_by_two)
{
	static const uint16_t expect[] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2, 10 };

	power_on();
	program(1, PIT_MODE_SQUARE_WAVE, 10);
	for (uint64_t k = 0; k < sizeof(expect) / sizeof(expect[0]); k++) {
		at(1 + k);
		CHECK_EQ(read_count(1), expect[k]);
	}
}

/* DS "Mode 3": a new count takes effect at the end of the current
 * half-cycle. */
UNIT_TEST(mode3_new_count_takes_effect_at_end_of_half_cycle)
{
	power_on();
	gate2(true);
	program(2, PIT_MODE_SQUARE_WAVE, 1000);	/* high 1..500, low 501.. */
	at(100);
	out(PIT_PORT_COUNTER2, 200 & 0xff);
	out(PIT_PORT_COUNTER2, 200 >> 8);
	at(500);
	CHECK(out2());
	at(501);			/* old high half ends, new low half (100) */
	CHECK(!out2());
	at(600);
	CHECK(!out2());
	at(601);
	CHECK(out2());
	at(700);
	CHECK(out2());
	at(701);
	CHECK(!out2());
}

/* DS "Mode 2": GATE low forces OUT high at once and stops counting; a
 * rising GATE reloads the count on the next clock. */
UNIT_TEST(mode2_gate_low_sets_out_high_and_rising_gate_reloads)
{
	power_on();
	gate2(true);
	program(2, PIT_MODE_RATE_GENERATOR, 10);
	at(10);
	CHECK(!out2());
	gate2(false);
	CHECK(out2());
	at(20);
	CHECK_EQ(read_count(2), 1);
	gate2(true);
	at(21);
	CHECK_EQ(read_count(2), 10);
	at(30);
	CHECK(!out2());
}

/* DS "Mode 1": a GATE rising edge triggers a one-shot: OUT low from the
 * next clock for N clocks; retriggering restarts it. */
UNIT_TEST(mode1_gate_triggers_retriggerable_one_shot)
{
	power_on();
	program(2, PIT_MODE_ONE_SHOT, 10);
	at(5);
	CHECK(out2());
	gate2(true);
	CHECK(out2());
	at(6);
	CHECK(!out2());
	at(15);
	CHECK(!out2());
	at(16);
	CHECK(out2());
	gate2(false);
	at(20);
	gate2(true);			/* retrigger */
	at(21);
	CHECK(!out2());
	at(25);
	gate2(false);
	gate2(true);			/* retrigger mid-pulse: N from here */
	at(35);
	CHECK(!out2());
	at(36);
	CHECK(out2());
}

/* DS "Mode 4": OUT strobes low for one clock N + 1 clocks after the count
 * is written. */
UNIT_TEST(mode4_software_triggered_strobe)
{
	power_on();
	gate2(true);
	program(2, PIT_MODE_SW_STROBE, 10);
	at(10);
	CHECK(out2());
	at(11);
	CHECK(!out2());
	at(12);
	CHECK(out2());
	at(11 + 65536);			/* no second strobe after wrapping */
	CHECK(out2());
}

/* DS "Mode 5": a GATE rising edge triggers a one-clock strobe N + 1 clocks
 * later. */
UNIT_TEST(mode5_hardware_triggered_strobe)
{
	power_on();
	program(2, PIT_MODE_HW_STROBE, 10);
	at(5);
	gate2(true);
	at(15);
	CHECK(out2());
	at(16);
	CHECK(!out2());
	at(17);
	CHECK(out2());
}

/* DS "Control Word Format": modes are 3 bits with M2 don't care for modes
 * 2 and 3; 6 counts as 2, while the status shows the bits as written. */
UNIT_TEST(mode_6_is_mode_2)
{
	power_on();
	program(1, 6, 5);
	at(5);
	CHECK_EQ(status(1), 0x30 | 6 << PIT_CW_M_SHIFT);
	at(6);
	CHECK(out_of(1));
	CHECK_EQ(read_count(1), 5);
}

/* ---- port 0x61 ---------------------------------------------------------- */

/* PC/AT port B bit 0 is counter 2's GATE: mode 2 counts only while set. */
UNIT_TEST(port61_bit0_gates_counter2)
{
	power_on();
	program(2, PIT_MODE_RATE_GENERATOR, 1000);
	at(100);
	CHECK_EQ(read_count(2), 0);	/* never loaded: still the power-on CE */
	gate2(true);
	at(111);
	CHECK_EQ(read_count(2), 990);
}

/* Linux pit_calibrate_tsc(): GATE2 on, counter 2 mode 0 with a 10 ms
 * count, poll port 0x61 bit 5 until it rises, at N + 1 clocks. */
UNIT_TEST(port61_bit5_follows_out2_for_pit_calibrate_tsc)
{
	const uint16_t latch = PIT_FREQ_HZ / 100;
	unsigned polls = 0;

	power_on();
	out(PIT_PORT_B, (in(PIT_PORT_B) & ~PIT_PORTB_SPEAKER) | PIT_PORTB_GATE2);
	out(PIT_PORT_CONTROL, 0xb0);
	out(PIT_PORT_COUNTER2, latch & 0xff);
	out(PIT_PORT_COUNTER2, latch >> 8);
	while (!(in(PIT_PORT_B) & PIT_PORTB_OUT2) && polls < 100000) {
		now += 1000;		/* one poll per microsecond */
		polls++;
	}
	CHECK(now >= ns_of(latch + 1));
	CHECK(now < ns_of(latch + 1) + 1000);
	CHECK(polls >= 5000);		/* Linux wants loopmin = 5000 polls */
}

/* Linux pit_expect_msb(): counter 2 mode 0 from 0xffff, reading LSB then
 * MSB without a latch; the MSB must step down 0xff, 0xfe, ... each seen
 * by more than 5 reads. */
UNIT_TEST(port61_counter2_msb_steps_for_pit_expect_msb)
{
	power_on();
	out(PIT_PORT_B, (in(PIT_PORT_B) & ~PIT_PORTB_SPEAKER) | PIT_PORTB_GATE2);
	out(PIT_PORT_CONTROL, 0xb0);
	out(PIT_PORT_COUNTER2, 0xff);
	out(PIT_PORT_COUNTER2, 0xff);
	in(PIT_PORT_COUNTER2);		/* pit_verify_msb(0): the "delay" */
	in(PIT_PORT_COUNTER2);
	for (unsigned val = 0xff; val > 0xf0; val--) {
		unsigned count = 0;

		for (;;) {
			now += 500;
			in(PIT_PORT_COUNTER2);	/* ignore LSB */
			if (in(PIT_PORT_COUNTER2) != val)
				break;
			count++;
		}
		CHECK(count > 5);
		CHECK_EQ(read_count(2) >> 8, val - 1);
	}
}

/* PC/AT port B: bits 0-3 read back as written (the speaker bit is only
 * stored), bits 6-7 read 0 (no parity or channel errors). */
UNIT_TEST(port61_speaker_and_stored_bits)
{
	power_on();
	out(PIT_PORT_B, PIT_PORTB_SPEAKER);
	CHECK_EQ(in(PIT_PORT_B) & (PIT_PORTB_WRITABLE | PIT_PORTB_IOCHK | PIT_PORTB_SERR),
		 PIT_PORTB_SPEAKER);
	out(PIT_PORT_B, 0xff);
	CHECK_EQ(in(PIT_PORT_B) & (PIT_PORTB_WRITABLE | PIT_PORTB_IOCHK | PIT_PORTB_SERR),
		 PIT_PORTB_WRITABLE);
}

/* PC/AT port B bit 4 toggles with each DRAM refresh request, every 18
 * clocks (15.1 us). */
UNIT_TEST(port61_refresh_bit_toggles_every_18_clocks)
{
	uint64_t k = 18 - T0_CLOCK % 18;	/* a clock at which it toggles */
	bool first;

	power_on();
	at(k);
	first = in(PIT_PORT_B) & PIT_PORTB_REFRESH;
	at(k + 17);
	CHECK_EQ((bool)(in(PIT_PORT_B) & PIT_PORTB_REFRESH), first);
	at(k + 18);
	CHECK_EQ((bool)(in(PIT_PORT_B) & PIT_PORTB_REFRESH), !first);
	at(k + 36);
	CHECK_EQ((bool)(in(PIT_PORT_B) & PIT_PORTB_REFRESH), first);
}

/* Ports that are not ours, and reads of the write-only control port, read
 * 0xff and change nothing. */
UNIT_TEST(unused_ports_are_harmless)
{
	struct pit before;

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(10);
	advance();
	before = pit;
	CHECK_EQ(in(PIT_PORT_CONTROL), 0xff);
	CHECK_EQ(in(0x44), 0xff);
	CHECK_EQ(in(0x60), 0xff);
	out(0x44, 0x34);
	out(0x3f, 0xff);
	out(0xffff, 0);
	CHECK(memcmp(&before, &pit, sizeof(pit)) == 0);
}

/* ---- IRQ0 tick policy ------------------------------------------------------ */

/* Power-on state (what a BIOS leaves): counter 0 mode 3 with count 65536,
 * so IRQ0 ticks at 18.2 Hz. */
UNIT_TEST(power_on_ticks_at_18_hz)
{
	power_on();
	CHECK_EQ(status(0), PIT_STATUS_OUTPUT | 0x36);
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(65536));
}

/* Catch-up: a host 5 periods late delivers one edge, then one more per
 * acknowledge, 5 in all, none merged. */
UNIT_TEST(five_periods_late_gives_five_edges_one_per_ack)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(1 + 5 * 1193 + 10);
	advance();
	CHECK_EQ(irq0.rises, 1);
	CHECK_EQ(pit.ticks_owed, 4);
	/* owed ticks wait for the ack: no deadline at all */
	CHECK_EQ(pit_next_deadline(&pit, now), UINT64_MAX);
	advance();
	CHECK_EQ(irq0.rises, 1);
	for (unsigned i = 2; i <= 5; i++) {
		now += 1000;
		ack();
		CHECK_EQ(irq0.rises, i);
	}
	ack();
	CHECK_EQ(irq0.rises, 5);
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1 + 6 * 1193));
}

/* Catch-up cap: at most one second's worth of ticks is owed (1000 at count
 * 1193); the rest are dropped and counted. */
UNIT_TEST(backlog_is_capped_at_one_second)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(3 * (uint64_t)PIT_FREQ_HZ);	/* 3000 boundaries (3000.45 periods) */
	advance();
	CHECK_EQ(pit.stats.out0_rises, 3000);
	CHECK_EQ(pit.stats.ticks_dropped, 2000);
	for (unsigned i = 0; i < 1200; i++)
		ack();
	CHECK_EQ(irq0.rises, 1000);
	CHECK_EQ(pit.stats.ticks_delivered, 1000);
}

/* Over 10 s of simulated time at 1000 Hz (count 1193, 1000.15 Hz), sleeping
 * to each deadline and acknowledging at once, every period boundary gives
 * exactly one edge: (10 s * 1193182 - 1) / 1193 = 10001. */
UNIT_TEST(ten_seconds_at_1000_hz_gives_one_edge_per_period)
{
	uint64_t end;
	unsigned acked = 0, wakeups = 0;

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	end = now + 10 * 1000000000ull;
	for (;;) {
		uint64_t d = pit_next_deadline(&pit, now);

		CHECK(d > now);
		if (d > end)
			break;
		now = d;
		advance();
		wakeups++;
		while (acked < irq0.rises) {
			acked++;
			ack();
		}
	}
	CHECK_EQ(irq0.rises, 10001);
	CHECK_EQ(wakeups, 10001);
	CHECK_EQ(pit.stats.out0_rises, 10001);
	CHECK_EQ(pit.stats.ticks_dropped, 0);
}

/* The same with a jittery host (its timer wakes up to 3.5 periods late) and
 * a guest that takes up to 1 ms to acknowledge each edge: ticks come late
 * and in bursts, but still one edge per boundary. */
UNIT_TEST(late_host_and_slow_guest_lose_no_ticks)
{
	uint64_t end, ack_at = UINT64_MAX, rng = 12345;

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	end = now + 10 * 1000000000ull;
	while (now < end) {
		uint64_t d = pit_next_deadline(&pit, now);

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		if (ack_at <= d) {
			/* the vCPU's INTA comes first */
			now = ack_at < end ? ack_at : end;
			ack_at = UINT64_MAX;
			ack();
		} else {
			now = d + (rng >> 33) % 3500000;
			if (now > end)
				now = end;
			advance();
		}
		if (pit.tick_in_flight && ack_at == UINT64_MAX)
			ack_at = now + (rng >> 20) % 1000000;
	}
	while (pit.tick_in_flight)
		ack();			/* at `end`: drain what is owed */
	CHECK_EQ(pit.stats.out0_rises, 10001);
	CHECK_EQ(irq0.rises, 10001);
	CHECK_EQ(pit.stats.ticks_dropped, 0);
}

/* Counting is computed exactly from time, so nothing drifts: after 30 days
 * the edges counted and the next deadline are those of exact arithmetic. */
UNIT_TEST(no_drift_after_30_days)
{
	const uint64_t days30 = 30ull * 24 * 3600 * PIT_FREQ_HZ;

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(days30);
	advance();
	CHECK_EQ(pit.stats.out0_rises, (days30 - 1) / 1193);
	while (pit.tick_in_flight)
		ack();			/* drain the capped backlog */
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1 + ((days30 - 1) / 1193 + 1) * 1193));
	CHECK_EQ(read_count(0), 1193 - (days30 - 1) % 1193);
}

/* A PIC that acknowledges from inside set_level gets the whole backlog, one
 * edge per tick, without recursion. */
static void acking_irq_set(void *opaque, unsigned line, bool level)
{
	fake_irq_set(opaque, line, level);
	if (level)
		pit_irq_acknowledged(&pit, now);
}

UNIT_TEST(ack_from_inside_set_level_delivers_backlog)
{
	power_on();
	pit.irq0 = irq_line_connect(acking_irq_set, &irq0, 0);
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(1 + 500 * 1193);
	advance();
	CHECK_EQ(irq0.rises, 500);
	CHECK_EQ(pit.ticks_owed, 0);
}

/* A control word for counter 0 drops the old backlog and unblocks a tick
 * whose ack never came (the guest restarted its timer). */
UNIT_TEST(control_word_discards_backlog)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(1 + 5 * 1193);
	advance();
	CHECK_EQ(pit.ticks_owed, 4);
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	CHECK_EQ(pit.ticks_owed, 0);
	CHECK(!pit.tick_in_flight);
	CHECK_EQ(pit.stats.ticks_dropped, 4);
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1 + 5 * 1193 + 1 + 1193));
}

/* KVM's pit_mask_notifer() (kvm_pit_reset_reinject()): IRQ0 unmasked drops
 * the owed backlog, which a real 8259 would have merged into one IRR bit;
 * the tick in flight stays in flight and its ack sends nothing more. */
UNIT_TEST(irq0_unmasked_drops_backlog_keeps_tick_in_flight)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(1 + 5 * 1193);
	advance();
	CHECK_EQ(irq0.rises, 1);
	CHECK_EQ(pit.ticks_owed, 4);
	pit_irq0_unmasked(&pit, now);
	CHECK_EQ(pit.ticks_owed, 0);
	CHECK(pit.tick_in_flight);
	CHECK_EQ(pit.stats.ticks_dropped, 4);
	CHECK_EQ(pit_next_deadline(&pit, now), UINT64_MAX);
	ack();
	CHECK_EQ(irq0.rises, 1);
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1 + 6 * 1193));
	pit_irq0_unmasked(&pit, now);	/* nothing owed, nothing in flight */
	CHECK_EQ(irq0.rises, 1);
	CHECK_EQ(pit.stats.ticks_dropped, 4);
}

/* A real 8259 latches an edge on a masked input and asks once unmasked:
 * edges the host's late timer has not reported yet when IRQ0 is unmasked
 * give that one tick, the rest is dropped. */
UNIT_TEST(irq0_unmasked_with_no_tick_in_flight_delivers_one_late_edge)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(1 + 5 * 1193);
	pit_irq0_unmasked(&pit, now);
	CHECK_EQ(irq0.rises, 1);
	CHECK_EQ(pit.ticks_owed, 0);
	CHECK_EQ(pit.stats.ticks_dropped, 4);
	CHECK(pit.tick_in_flight);
}

/* QEMU (no IRQ update on a control word) and KVM (IRQ0 only on timer
 * expiry), not DS "Mode 4": a control word that raises OUT0 (mode 4 over the
 * low OUT0 of mode 0 before terminal count) raises no tick (pit8254.h). */
UNIT_TEST(control_word_raising_out0_is_not_a_tick)
{
	power_on();
	program(0, PIT_MODE_INTERRUPT_ON_TC, 1000);
	at(10);
	advance();
	CHECK(!out_of(0));
	out(PIT_PORT_CONTROL, control_word(0, PIT_RW_LSB_MSB, PIT_MODE_SW_STROBE));
	CHECK(out_of(0));		/* OUT0 itself as the data sheet says */
	CHECK_EQ(irq0.rises, 0);
	CHECK_EQ(pit.stats.out0_rises, 0);
	CHECK_EQ(pit_next_deadline(&pit, now), UINT64_MAX);	/* no count yet */
}

/* The deadline is never in the past, and after an advance always in the
 * future, so sleeping to it never spins; time that goes backwards is taken
 * as the latest time seen. */
UNIT_TEST(deadline_never_in_the_past)
{
	uint64_t later;

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 2);
	now += 12345;
	CHECK(pit_next_deadline(&pit, now) >= now);
	advance();
	ack();
	CHECK(pit_next_deadline(&pit, now) > now);
	later = now;
	now -= 5000;
	ack();
	CHECK(pit_next_deadline(&pit, now) > later);
	CHECK_EQ(pit.now_ns, later);
}

/* The host timer's floor (pit8254.h, PIT_TIMER_MIN_NS): at reload 2
 * (596.6 kHz) and a guest that takes each tick at once, the timer wakes at
 * most every 200 us, not every 1.7 us, and still every edge reaches IRQ0:
 * the ones owed meanwhile go out one per acknowledge. */
UNIT_TEST(fast_periodic_timer_wakes_at_most_every_200us_and_loses_nothing)
{
	uint64_t start, end;
	unsigned wakeups = 0;

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 2);
	start = now;
	end = now + 1000000000ull;
	for (;;) {
		uint64_t d = pit_next_deadline(&pit, now);

		CHECK(d > now);
		if (d > end)
			break;
		now = d;
		advance();
		wakeups++;
		/* a tick in flight: no timer at all until its ack */
		CHECK_EQ(pit_next_deadline(&pit, now), UINT64_MAX);
		while (pit.tick_in_flight)
			ack();		/* each ack sends the next owed tick */
		/* all taken: the next wake is 200 us after this one, not the next edge */
		CHECK_EQ(pit_next_deadline(&pit, now), now + PIT_TIMER_MIN_NS);
	}
	CHECK(wakeups <= (end - start) / PIT_TIMER_MIN_NS + 1);
	CHECK(wakeups >= (end - start) / PIT_TIMER_MIN_NS - 1);
	CHECK_EQ(pit.stats.ticks_dropped, 0);
	CHECK_EQ(pit.ticks_owed, 0);
	CHECK_EQ(pit.stats.ticks_delivered, pit.stats.out0_rises);
	CHECK_EQ(irq0.rises, pit.stats.out0_rises);
	CHECK(pit.stats.out0_rises >= PIT_FREQ_HZ / 2 - 200);	/* ~596,000 edges */
}

/* Reload 1 is illegal in mode 2 (pit8254.c keeps OUT high): no edge, no
 * timer; and below the floor's rate the timer follows each edge exactly. */
UNIT_TEST(timer_floor_only_for_fast_periodic_counts)
{
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1);
	CHECK_EQ(pit_next_deadline(&pit, now), UINT64_MAX);
	/* 239 clocks = 200.3 us: slower than the floor, exact edges */
	program(0, PIT_MODE_RATE_GENERATOR, 239);
	at(1 + 239);
	advance();
	ack();
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(1 + 2 * 239));
	/* 238 clocks = 199.5 us: floored at 200 us after the advance */
	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 238);
	at(1 + 238);
	advance();
	ack();
	CHECK_EQ(pit_next_deadline(&pit, now), now + PIT_TIMER_MIN_NS);
	/* a one-shot (mode 0, Linux's clockevent is mode 4) is never floored */
	power_on();
	program(0, PIT_MODE_INTERRUPT_ON_TC, 2);
	advance();
	CHECK_EQ(pit_next_deadline(&pit, now), ns_of(3));
}

/* ---- the tick policy behind a real 8259 pair ------------------------------ */

/*
 * The board's glue, as vmm/board/pic.c and pit.c wire it: counter 0's OUT drives the
 * PIC's IRQ0, the PIC's ack_notify for IRQ0 calls pit_irq_acknowledged()
 * and its mask_notify for IRQ0 unmasked pit_irq0_unmasked().  The guest
 * sees the PIC through Linux's eyes: vectors 0x20 and 0x28.
 */
#define GUEST_MASTER_BASE	0x20
#define GUEST_SLAVE_BASE	0x28
#define MS			1000000ull	/* in ns */

/* Linux's pit_set_oneshot(): counter 0, LSB then MSB, mode 4, no count. */
#define LINUX_ONESHOT_CW	0x38

static struct pic pic;
static unsigned irq0_vectors;	/* IRQ0 interrupts the guest took */

static void board_pic_acked(void *opaque, unsigned irq)
{
	(void)opaque;
	if (irq == 0)
		pit_irq_acknowledged(&pit, now);
}

static void board_pic_mask_changed(void *opaque, unsigned irq, bool masked)
{
	(void)opaque;
	if (irq == 0 && !masked)
		pit_irq0_unmasked(&pit, now);
}

/* Both at power-on (the PIC with everything masked); INTR is polled. */
static void board_power_on(void)
{
	irq0_vectors = 0;
	at(0);
	pic_init(&pic, (struct irq_line){ 0 });
	pic.ack_notify = board_pic_acked;
	pic.mask_notify = board_pic_mask_changed;
	pit_init(&pit, irq_line_connect(pic_set_irq, &pic, 0), now);
}

/* Linux's init_8259A() with IF = 0, leaving IRQ0 and the cascade unmasked. */
static void guest_init_pic(void)
{
	pic_write(&pic, PIC_MASTER_DATA, 0xff);
	pic_write(&pic, PIC_SLAVE_DATA, 0xff);
	pic_write(&pic, PIC_MASTER_CMD, 0x11);
	pic_write(&pic, PIC_MASTER_DATA, GUEST_MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	pic_write(&pic, PIC_MASTER_DATA, 0x01);
	pic_write(&pic, PIC_SLAVE_CMD, 0x11);
	pic_write(&pic, PIC_SLAVE_DATA, GUEST_SLAVE_BASE);
	pic_write(&pic, PIC_SLAVE_DATA, 0x02);
	pic_write(&pic, PIC_SLAVE_DATA, 0x01);
	pic_write(&pic, PIC_MASTER_DATA, 0xfa);
}

static void guest_mask_irq0(bool masked)
{
	pic_write(&pic, PIC_MASTER_DATA, masked ? 0xfb : 0xfa);
}

/*
 * The guest with IF = 1 takes every interrupt: the vCPU's INTA while INTR
 * is high, then the handler's non-specific EOI.
 */
static void guest_take_interrupts(void)
{
	while (pic_intr_pending(&pic)) {
		if (pic_acknowledge(&pic) == GUEST_MASTER_BASE)
			irq0_vectors++;
		pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_NONSPECIFIC_EOI);
	}
}

/*
 * Time runs to `until`: the host's timer fires at each deadline and calls
 * pit_advance(); with `guest_if` the guest takes interrupts as they come,
 * without it they wait in the PIC.
 */
static void run_until(uint64_t until, bool guest_if)
{
	uint64_t d;

	if (guest_if)
		guest_take_interrupts();
	while ((d = pit_next_deadline(&pit, now)) <= until) {
		now = d;
		advance();
		if (guest_if)
			guest_take_interrupts();
	}
	if (until > now)
		now = until;
}

/*
 * Linux's pit_next_event(): LSB then MSB of `count` with IF = 0, then the
 * guest runs with IF = 1 until 1 ms past terminal count (count + 2 clocks
 * after the write, mode 4), where it writes the next count.  Returns the
 * IRQ0 interrupts it took meanwhile.
 */
static unsigned oneshot_event(uint16_t count)
{
	unsigned before = irq0_vectors;

	out(PIT_PORT_COUNTER0, (uint8_t)count);
	out(PIT_PORT_COUNTER0, (uint8_t)(count >> 8));
	run_until(now + (count + 2ull) * 1000000000 / PIT_FREQ_HZ + 1 + MS, true);
	return irq0_vectors - before;
}

/* Realistic events: 1 ms, 2 ms, 0.5 ms, 10 ms, 1 ms. */
static const uint16_t oneshot_counts[] = { 1193, 2386, 597, 11932, 1193 };

/* One IRQ0 for each count of oneshot_counts[]. */
static void check_one_irq0_per_count(void)
{
	for (unsigned i = 0; i < sizeof(oneshot_counts) / sizeof(oneshot_counts[0]); i++)
		CHECK_EQ(oneshot_event(oneshot_counts[i]), 1);
}

/* KVM's kvm_pic_reset() reports a discarded request to the ack notifiers:
 * after the PIC's ICW1 dropped a tick in flight from IRR, the next period's
 * tick goes out on time, not after a timeout. */
UNIT_TEST(pic_reinit_discarding_tick_in_flight_lets_next_ticks_through)
{
	unsigned before;

	board_power_on();
	at(1193);
	guest_init_pic();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	run_until(now + 3 * MS / 2, false);
	CHECK(pic_intr_pending(&pic));
	CHECK(pit.tick_in_flight);
	guest_init_pic();
	CHECK(!pic_intr_pending(&pic));
	CHECK(!pit.tick_in_flight);
	before = irq0_vectors;
	run_until(now + 10 * MS, true);
	CHECK(irq0_vectors - before >= 9 && irq0_vectors - before <= 11);
}

/* A real 8259 merges the edges of a masked input into one IRR bit, and
 * KVM's pit_mask_notifer() drops the reinject backlog on unmask: IRQ0 masked
 * 5 s at 1 kHz, then unmasked, gives at most one IRQ0 at once (not the
 * ~1000 of a capped backlog), then ticks at the normal rate. */
UNIT_TEST(irq0_masked_5s_at_1khz_gives_one_irq0_on_unmask_then_normal_rate)
{
	unsigned before;

	board_power_on();
	at(1193);
	guest_init_pic();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	run_until(now + 100 * MS, true);
	CHECK(irq0_vectors >= 99 && irq0_vectors <= 101);
	guest_mask_irq0(true);
	before = irq0_vectors;
	run_until(now + 5000 * MS, true);
	CHECK_EQ(irq0_vectors, before);
	guest_mask_irq0(false);
	guest_take_interrupts();
	CHECK(irq0_vectors - before <= 1);
	before = irq0_vectors;
	run_until(now + 100 * MS, true);
	CHECK(irq0_vectors - before >= 99 && irq0_vectors - before <= 101);
}

/* Linux's one-shot clockevent (drivers/clocksource/i8253.c: 0x38 once, then
 * LSB and MSB per event) gets one IRQ0 per count from the power-on state,
 * whatever the phase of the 18.2 Hz square wave when the control word comes
 * (in the low half it raises OUT0: no tick, as QEMU and KVM), with the PIC
 * initialised early, or only then while the power-on PIC still holds
 * masked ticks (the tick in flight, discarded by its ICW1). */
UNIT_TEST(linux_oneshot_after_power_on_gives_one_irq0_per_count)
{
	/* high half, low half, a boundary not yet timed, low half later */
	static const uint64_t start[] = { 23864, 47727, 2 * 65536, 238636 };

	for (unsigned early = 0; early < 2; early++) {
		for (unsigned i = 0; i < sizeof(start) / sizeof(start[0]); i++) {
			board_power_on();
			if (early) {
				at(1193);
				guest_init_pic();
			}
			run_until(ns_of(start[i]) - 1, true);
			at(start[i]);
			if (!early)
				guest_init_pic();
			out(PIT_PORT_CONTROL, LINUX_ONESHOT_CW);
			check_one_irq0_per_count();
		}
	}
}

/* The same after an earlier mode 0 count: while its OUT0 is still low (the
 * control word raises it: no tick, as QEMU and KVM) or after its terminal
 * count. */
UNIT_TEST(linux_oneshot_after_mode0_count_gives_one_irq0_per_count)
{
	for (unsigned tc_passed = 0; tc_passed < 2; tc_passed++) {
		board_power_on();
		at(1193);
		guest_init_pic();
		program(0, PIT_MODE_INTERRUPT_ON_TC, 60000);	/* 50 ms */
		run_until(now + (tc_passed ? 60 : 10) * MS, true);
		CHECK_EQ(irq0_vectors, tc_passed);
		out(PIT_PORT_CONTROL, LINUX_ONESHOT_CW);
		check_one_irq0_per_count();
	}
}

/* The same after the guest re-initialised the PIC (Linux's init_8259A())
 * while an event's IRQ0 waited in IRR: the discarded tick is reported as
 * acknowledged (KVM's kvm_pic_reset()), so the next counts are not held. */
UNIT_TEST(linux_oneshot_after_pic_reinit_with_tick_in_flight_gives_one_irq0_per_count)
{
	board_power_on();
	at(1193);
	guest_init_pic();
	out(PIT_PORT_CONTROL, LINUX_ONESHOT_CW);
	CHECK_EQ(oneshot_event(1193), 1);
	out(PIT_PORT_COUNTER0, 1193 & 0xff);
	out(PIT_PORT_COUNTER0, 1193 >> 8);
	run_until(now + 2 * MS, false);
	CHECK(pic_intr_pending(&pic));
	CHECK(pit.tick_in_flight);
	guest_init_pic();
	check_one_irq0_per_count();
}

/* The same after IRQ0 was masked while events expired: on unmask the one
 * merged IRR bit (8259) comes at once, not the owed backlog after it (KVM's
 * pit_mask_notifer()), and then one IRQ0 per count again. */
UNIT_TEST(linux_oneshot_after_irq0_masked_gives_one_irq0_per_count)
{
	unsigned before;

	board_power_on();
	at(1193);
	guest_init_pic();
	out(PIT_PORT_CONTROL, LINUX_ONESHOT_CW);
	CHECK_EQ(oneshot_event(1193), 1);
	guest_mask_irq0(true);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(oneshot_event(1193), 0);
	before = irq0_vectors;
	guest_mask_irq0(false);
	guest_take_interrupts();
	CHECK_EQ(irq0_vectors - before, 1);
	check_one_irq0_per_count();
}

/* ---- device events ------------------------------------------------------ */

/* A recording listener: every event, with the ticks owed when it came. */
struct ev_log {
	struct dev_event ev[256];
	uint64_t owed[256];	/* pit.ticks_owed at the emit */
	unsigned n;
	unsigned ticks;		/* TICK events, all of them */
	uint64_t dropped;	/* TICKS_DROPPED events: the sum of arg64 */
	uint64_t dropped_arg0;	/* and of arg0 */
	unsigned drops_by_reason[3];
};

static struct ev_log evlog;

static void record_event(void *opaque, const struct dev_event *ev)
{
	struct ev_log *log = opaque;

	if (log->n < sizeof(log->ev) / sizeof(log->ev[0])) {
		log->ev[log->n] = *ev;
		log->owed[log->n] = pit.ticks_owed;
	}
	log->n++;
	if (ev->type == PIT_EVENT_TICK)
		log->ticks++;
	if (ev->type == PIT_EVENT_TICKS_DROPPED) {
		log->dropped += ev->arg64;
		log->dropped_arg0 += ev->arg[0];
		if (ev->arg[1] < 3)
			log->drops_by_reason[ev->arg[1]]++;
	}
}

/* The VMM's order: pit_init() (in power_on), then set the listener. */
static void listen(void)
{
	memset(&evlog, 0, sizeof(evlog));
	pit.events = (struct dev_events){ .emit = record_event, .opaque = &evlog };
}

static unsigned count_events(enum pit_event type)
{
	unsigned i, n = 0;

	for (i = 0; i < evlog.n && i < sizeof(evlog.ev) / sizeof(evlog.ev[0]); i++)
		n += evlog.ev[i].type == type;
	return n;
}

/* Checks event `i` of the log: a PIT event of `type` on `unit` with these arguments. */
static void check_event(unsigned i, enum pit_event type, unsigned unit, uint32_t a0,
			uint32_t a1, uint32_t a2)
{
	const struct dev_event *ev = &evlog.ev[i];

	CHECK(i < evlog.n);
	CHECK_EQ(ev->source, DEV_EVENT_PIT);
	CHECK_EQ(ev->type, type);
	CHECK_EQ(ev->unit, unit);
	CHECK_EQ(ev->arg[0], a0);
	CHECK_EQ(ev->arg[1], a1);
	CHECK_EQ(ev->arg[2], a2);
	CHECK_EQ(ev->pad, 0);
}

static struct dev_event pit_ev(unsigned type, unsigned unit, uint32_t a0, uint32_t a1,
			       uint32_t a2)
{
	return (struct dev_event){
		.source = DEV_EVENT_PIT, .type = (uint8_t)type, .unit = (uint8_t)unit,
		.arg = { a0, a1, a2 },
	};
}

/* Formats `ev` and checks the text and the returned length. */
static void check_text(const struct dev_event *ev, const char *text)
{
	char buf[160];

	CHECK_EQ(pit_event_format(ev, buf, sizeof(buf)), strlen(text));
	if (strcmp(buf, text) != 0)
		printf("  got \"%s\", expected \"%s\"\n", buf, text);
	CHECK_EQ(strcmp(buf, text), 0);
}

/* Events rule: control word 0x34 (Linux's periodic timer) emits one CONTROL
 * event on unit 0 with the value; of the count's two bytes only the MSB,
 * which completes it, emits a COUNT: CR 1193, mode 2, 1193 clocks. */
UNIT_TEST(control_0x34_and_lsb_msb_count_emit_control_then_one_count)
{
	power_on();
	listen();
	out(PIT_PORT_CONTROL, 0x34);
	CHECK_EQ(evlog.n, 1);
	check_event(0, PIT_EVENT_CONTROL, 0, 0x34, 0, 0);
	check_text(&evlog.ev[0], "control 0x34: mode 2 (rate generator), LSB then MSB, binary");
	out(PIT_PORT_COUNTER0, 1193 & 0xff);
	CHECK_EQ(evlog.n, 1);
	out(PIT_PORT_COUNTER0, 1193 >> 8);
	CHECK_EQ(evlog.n, 2);
	check_event(1, PIT_EVENT_COUNT, 0, 1193, PIT_MODE_RATE_GENERATOR, 1193);
	check_text(&evlog.ev[1], "mode 2 (rate generator) count 1193 (1000.2 Hz)");
}

/* Events rule: COUNT names the counter (unit) and the clocks the count stands
 * for: count 0 is 65536 (binary) or 10000 (BCD); LSB-only and MSB-only
 * writes complete a count with each byte. */
UNIT_TEST(count_event_per_complete_count_on_its_counter)
{
	power_on();
	listen();
	out(PIT_PORT_CONTROL, control_word(2, PIT_RW_LSB, PIT_MODE_SQUARE_WAVE));
	out(counter_port(2), 100);
	out(counter_port(2), 50);
	out(PIT_PORT_CONTROL, control_word(1, PIT_RW_MSB, PIT_MODE_RATE_GENERATOR) | PIT_CW_BCD);
	out(counter_port(1), 0x00);
	program(0, PIT_MODE_SQUARE_WAVE, 0);
	CHECK_EQ(evlog.n, 7);
	check_event(0, PIT_EVENT_CONTROL, 2, 0x96, 0, 0);
	check_event(1, PIT_EVENT_COUNT, 2, 100, PIT_MODE_SQUARE_WAVE, 100);
	check_event(2, PIT_EVENT_COUNT, 2, 50, PIT_MODE_SQUARE_WAVE, 50);
	check_event(3, PIT_EVENT_CONTROL, 1, 0x65, 0, 0);
	check_event(4, PIT_EVENT_COUNT, 1, 0, PIT_MODE_RATE_GENERATOR, 10000);
	check_event(5, PIT_EVENT_CONTROL, 0, 0x36, 0, 0);
	check_event(6, PIT_EVENT_COUNT, 0, 0, PIT_MODE_SQUARE_WAVE, 65536);
	check_text(&evlog.ev[6], "mode 3 (square wave) count 65536 (18.2 Hz)");
	/* mode 6 is mode 2: the COUNT has the effective mode */
	out(PIT_PORT_CONTROL, 0x3c);
	out(counter_port(0), 0x00);
	out(counter_port(0), 0x10);
	check_event(8, PIT_EVENT_COUNT, 0, 0x1000, PIT_MODE_RATE_GENERATOR, 0x1000);
}

/* Events rule: the rate of a periodic count is in Hz, rounded to 0.1: count
 * 11932 (Linux's HZ=100) is 100.0 Hz; a one-shot count (mode 0) is its
 * length in ms. */
UNIT_TEST(count_formats_hz_for_periodic_modes_and_ms_for_mode0)
{
	power_on();
	listen();
	program(0, PIT_MODE_RATE_GENERATOR, 11932);
	check_event(1, PIT_EVENT_COUNT, 0, 11932, PIT_MODE_RATE_GENERATOR, 11932);
	check_text(&evlog.ev[1], "mode 2 (rate generator) count 11932 (100.0 Hz)");
	program(0, PIT_MODE_INTERRUPT_ON_TC, 11932);
	check_event(3, PIT_EVENT_COUNT, 0, 11932, PIT_MODE_INTERRUPT_ON_TC, 11932);
	check_text(&evlog.ev[3], "mode 0 (interrupt on terminal count) count 11932 (10.000 ms)");
	program(0, PIT_MODE_INTERRUPT_ON_TC, 0);
	check_text(&evlog.ev[5], "mode 0 (interrupt on terminal count) count 65536 (54.925 ms)");
}

/*
 * Events rule: one TICK per tick put on IRQ0 (arg0: the ticks still owed),
 * and TICKS_DROPPED events that add up to stats.ticks_dropped, by reason:
 * over the backlog cap, a control word for counter 0, IRQ0 unmasked.
 */
UNIT_TEST(tick_and_dropped_events_add_up_to_the_stats)
{
	unsigned i;

	power_on();
	listen();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(3 * (uint64_t)PIT_FREQ_HZ);	/* 3000 boundaries, 1000 may be owed */
	advance();
	CHECK_EQ(evlog.drops_by_reason[PIT_DROP_BACKLOG_CAP], 1);
	CHECK_EQ(evlog.dropped, 2000);
	CHECK_EQ(evlog.ticks, 1);
	for (i = 0; i < 10; i++)
		ack();
	CHECK_EQ(evlog.ticks, 11);
	/* each TICK says how many are still owed after it */
	for (i = 0; i < evlog.n; i++) {
		if (evlog.ev[i].type == PIT_EVENT_TICK) {
			CHECK_EQ(evlog.ev[i].arg[0], evlog.owed[i]);
			CHECK_EQ(evlog.ev[i].unit, 0);
		}
	}
	CHECK_EQ(evlog.ev[evlog.n - 1].arg[0], 989);
	program(0, PIT_MODE_RATE_GENERATOR, 1193);	/* the 989 owed go */
	CHECK_EQ(evlog.drops_by_reason[PIT_DROP_REPROGRAMMED], 1);
	CHECK_EQ(evlog.dropped, 2989);
	at(3 * (uint64_t)PIT_FREQ_HZ + 1 + 5 * 1193);
	advance();					/* 5 edges: 1 out, 4 owed */
	CHECK_EQ(evlog.ticks, 12);
	at(3 * (uint64_t)PIT_FREQ_HZ + 1 + 8 * 1193);
	pit_irq0_unmasked(&pit, now);			/* 7 owed go, one in flight */
	CHECK_EQ(evlog.drops_by_reason[PIT_DROP_UNMASKED], 1);
	CHECK_EQ(evlog.dropped, 2996);
	ack();
	CHECK_EQ(evlog.ticks, 12);
	CHECK_EQ(evlog.ticks, pit.stats.ticks_delivered);
	CHECK_EQ(evlog.ticks, irq0.rises);
	CHECK_EQ(evlog.dropped, pit.stats.ticks_dropped);
	CHECK_EQ(evlog.dropped_arg0, pit.stats.ticks_dropped);
	CHECK_EQ(count_events(PIT_EVENT_TICKS_DROPPED), 3);
	for (i = 0; i < evlog.n; i++) {
		if (evlog.ev[i].type == PIT_EVENT_TICKS_DROPPED) {
			CHECK_EQ(evlog.ev[i].unit, 0);
			CHECK_EQ(evlog.ev[i].arg64, evlog.ev[i].arg[0]);
		}
	}
}

/* Events rule: ticks dropped beyond 32 bits (counter 0 at count 2 for over
 * two hours of host time unseen) still add up: arg0 saturates at
 * UINT32_MAX and arg64 holds the exact number. */
UNIT_TEST(dropped_event_beyond_32_bits_has_the_exact_count_in_arg64)
{
	const uint64_t clocks = 3ull << 32;	/* 3 * 2^31 edges at period 2 */
	char buf[160];

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 2);
	listen();
	at(clocks);
	advance();
	CHECK_EQ(count_events(PIT_EVENT_TICKS_DROPPED), 1);
	CHECK_EQ(evlog.ev[0].arg[0], UINT32_MAX);
	CHECK_EQ(evlog.ev[0].arg64, pit.stats.ticks_dropped);
	CHECK(pit.stats.ticks_dropped > UINT32_MAX);
	CHECK_EQ(evlog.dropped, pit.stats.ticks_dropped);
	snprintf(buf, sizeof(buf), "%" PRIu64 " ticks dropped: more than 1 s of ticks owed",
		 pit.stats.ticks_dropped);
	check_text(&evlog.ev[0], buf);
}

/* Events rule: a counter latch command emits LATCH on its counter, a
 * read-back command READ_BACK on unit 0 with the value; neither is a
 * CONTROL, nor drops ticks. */
UNIT_TEST(latch_and_read_back_emit_their_events)
{
	uint8_t rb = (uint8_t)(PIT_CW_SC_READ_BACK << PIT_CW_SC_SHIFT | PIT_RB_NOT_COUNT |
			       PIT_RB_CNT(0) | PIT_RB_CNT(2));

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(1 + 5 * 1193);
	advance();
	CHECK_EQ(pit.ticks_owed, 4);
	listen();
	out(PIT_PORT_CONTROL, control_word(0, PIT_RW_LATCH, 0));
	out(PIT_PORT_CONTROL, control_word(2, PIT_RW_LATCH, 0));
	out(PIT_PORT_CONTROL, rb);
	CHECK_EQ(evlog.n, 3);
	check_event(0, PIT_EVENT_LATCH, 0, 0, 0, 0);
	check_event(1, PIT_EVENT_LATCH, 2, 0, 0, 0);
	check_event(2, PIT_EVENT_READ_BACK, 0, rb, 0, 0);
	check_text(&evlog.ev[0], "counter latch command");
	check_text(&evlog.ev[2], "read-back 0xea (latch status of counters 0 2)");
	CHECK_EQ(pit.ticks_owed, 4);
	CHECK_EQ(pit.stats.ticks_dropped, 0);
	/* reading the latched values is no event */
	read_count(0);
	in(counter_port(2));
	CHECK_EQ(evlog.n, 3);
}

/* Events rule: a write of port 0x61 emits PORT_B on unit 3: arg0 the value
 * written, arg1 the GATE2 level it sets. */
UNIT_TEST(port_b_write_emits_value_and_gate2_on_unit_3)
{
	power_on();
	listen();
	out(PIT_PORT_B, 0x03);
	out(PIT_PORT_B, 0xf2);
	in(PIT_PORT_B);
	CHECK_EQ(evlog.n, 2);
	check_event(0, PIT_EVENT_PORT_B, PIT_UNIT_PORT_B, 0x03, 1, 0);
	check_event(1, PIT_EVENT_PORT_B, PIT_UNIT_PORT_B, 0xf2, 0, 0);
	check_text(&evlog.ev[0], "port 0x61 0x03 (GATE2 high)");
	check_text(&evlog.ev[1], "port 0x61 0xf2 (GATE2 low)");
}

/* Events rule: the formatter's wording, as pit8254.h and the tracer print it. */
UNIT_TEST(formatter_describes_each_event_type)
{
	static const struct {
		enum pit_event type;
		uint32_t a0, a1, a2;
		const char *text;
	} cases[] = {
		{ PIT_EVENT_CONTROL, 0x34, 0, 0,
		  "control 0x34: mode 2 (rate generator), LSB then MSB, binary" },
		{ PIT_EVENT_CONTROL, 0xb6, 0, 0,
		  "control 0xb6: mode 3 (square wave), LSB then MSB, binary" },
		/* modes 6 and 7 are 2 and 3 */
		{ PIT_EVENT_CONTROL, 0x1d, 0, 0,
		  "control 0x1d: mode 2 (rate generator), LSB only, BCD" },
		{ PIT_EVENT_CONTROL, 0x28, 0, 0,
		  "control 0x28: mode 4 (software triggered strobe), MSB only, binary" },
		{ PIT_EVENT_COUNT, 1193, 2, 1193, "mode 2 (rate generator) count 1193 (1000.2 Hz)" },
		{ PIT_EVENT_COUNT, 11932, 2, 11932, "mode 2 (rate generator) count 11932 (100.0 Hz)" },
		{ PIT_EVENT_COUNT, 2, 3, 2, "mode 3 (square wave) count 2 (596591.0 Hz)" },
		{ PIT_EVENT_COUNT, 1193, 0, 1193,
		  "mode 0 (interrupt on terminal count) count 1193 (0.999 ms)" },
		{ PIT_EVENT_COUNT, 1, 2, 1, "mode 2 (rate generator) count 1 (0.000 ms)" },
		{ PIT_EVENT_COUNT, 5, 9, 5, "mode 9 (?) count 5 (0.004 ms)" },
		{ PIT_EVENT_LATCH, 0, 0, 0, "counter latch command" },
		{ PIT_EVENT_READ_BACK, 0xde, 0, 0,
		  "read-back 0xde (latch count of counters 0 1 2)" },
		{ PIT_EVENT_READ_BACK, 0xc2, 0, 0,
		  "read-back 0xc2 (latch count and status of counters 0)" },
		{ PIT_EVENT_READ_BACK, 0xf0, 0, 0, "read-back 0xf0 (latch nothing of counters)" },
		{ PIT_EVENT_PORT_B, 0x01, 1, 0, "port 0x61 0x01 (GATE2 high)" },
		{ PIT_EVENT_TICK, 3, 0, 0, "tick on IRQ0 (3 more owed)" },
		{ PIT_EVENT_TICKS_DROPPED, 1, PIT_DROP_REPROGRAMMED, 0,
		  "1 tick dropped: counter 0 reprogrammed" },
		{ PIT_EVENT_TICKS_DROPPED, 2000, PIT_DROP_BACKLOG_CAP, 0,
		  "2000 ticks dropped: more than 1 s of ticks owed" },
		{ PIT_EVENT_TICKS_DROPPED, 7, PIT_DROP_UNMASKED, 0,
		  "7 ticks dropped: IRQ0 unmasked: ticks saved up while masked are stale" },
		{ PIT_EVENT_TICKS_DROPPED, 7, 3, 0, "7 ticks dropped: ?" },
		{ PIT_EVENT_NR, 0, 0, 0, "event 7" },
		{ 255, 0, 0, 0, "event 255" },
	};
	struct dev_event ev;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev = pit_ev(cases[i].type, 0, cases[i].a0, cases[i].a1, cases[i].a2);
		check_text(&ev, cases[i].text);
	}
}

/* Events rule: nobody listens after pit_init() (events.emit NULL), and then
 * nothing is emitted, ticks and drops included. */
UNIT_TEST(no_events_without_a_listener)
{
	memset(&evlog, 0, sizeof(evlog));
	pit.events = (struct dev_events){ .emit = record_event, .opaque = &evlog };
	power_on();
	CHECK(pit.events.emit == NULL);
	CHECK(pit.events.opaque == NULL);
	pit.events.opaque = &evlog;
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	out(PIT_PORT_CONTROL, 0);
	out(PIT_PORT_CONTROL, 0xc2);
	out(PIT_PORT_B, 1);
	at(3 * (uint64_t)PIT_FREQ_HZ);
	advance();
	ack();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	CHECK(pit.stats.ticks_delivered > 0 && pit.stats.ticks_dropped > 0);
	CHECK_EQ(evlog.n, 0);
}

/*
 * Events rule: snprintf semantics for every type, known or not: at most
 * size bytes written (canaries past small buffers survive), NUL-terminated
 * prefix of the full text, and the full length returned; size 0 with no
 * buffer only measures.
 */
UNIT_TEST(formatter_never_writes_past_a_small_buffer)
{
	static const uint32_t args[] = { 0, 1, 2, 3, 0xff, 0xffffffff };
	static const size_t sizes[] = { 1, 2, 8, 16 };
	char full[256], buf[16 + 8];
	struct dev_event ev;
	unsigned type, a, b, s, i;
	int len;

	for (type = 0; type <= PIT_EVENT_NR + 1; type++) {
		for (a = 0; a < sizeof(args) / sizeof(args[0]); a++) {
			for (b = 0; b < sizeof(args) / sizeof(args[0]); b++) {
				ev = pit_ev(type, PIT_UNIT_PORT_B, args[a], args[b], args[a]);
				ev.arg64 = UINT64_MAX;
				len = pit_event_format(&ev, full, sizeof(full));
				CHECK(len > 0 && (size_t)len < sizeof(full));
				CHECK_EQ(len, strlen(full));
				CHECK_EQ(pit_event_format(&ev, NULL, 0), len);
				for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
					memset(buf, 0x5a, sizeof(buf));
					CHECK_EQ(pit_event_format(&ev, buf, sizes[s]), len);
					for (i = sizes[s]; i < sizeof(buf); i++)
						CHECK_EQ((uint8_t)buf[i], 0x5a);
					CHECK_EQ(strlen(buf), (size_t)len < sizes[s] ? (size_t)len :
							      sizes[s] - 1);
					CHECK_EQ(strncmp(buf, full, strlen(buf)), 0);
				}
			}
		}
	}
}

/* Every event type has a short, distinct name. */
UNIT_TEST(event_names_are_set_and_distinct)
{
	unsigned i, j;

	for (i = 0; i < PIT_EVENT_NR; i++) {
		CHECK(pit_event_names[i] != NULL);
		CHECK(strlen(pit_event_names[i]) > 0 && strlen(pit_event_names[i]) <= 16);
		for (j = 0; j < i; j++)
			CHECK(strcmp(pit_event_names[i], pit_event_names[j]) != 0);
	}
	CHECK(PIT_EVENT_NR <= DEV_EVENT_MAX_TYPES);
}

int main(void)
{
	return unit_run_all();
}
