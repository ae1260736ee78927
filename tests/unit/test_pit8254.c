// SPDX-License-Identifier: MIT
/*
 * Unit tests of the 8254 PIT, one hardware rule each, on a fake clock.
 * "DS" cites the Intel 8254 data sheet (231164); "Linux" cites
 * arch/x86/kernel/tsc.c.  Times are given as PIT clocks after T0: at(k)
 * sets the fake clock to the first nanosecond by which clock T0 + k has
 * happened, so "write at(0)" means "the count is loaded on clock 1".
 */
#include "unit.h"

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
	/* owed ticks wait for the ack: no deadline but the ack timeout */
	CHECK_EQ(pit_next_deadline(&pit, now), now + PIT_ACK_TIMEOUT_NS);
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

/* A tick never acknowledged (the PIC's ICW1 cleared IRR) is taken as lost
 * after PIT_ACK_TIMEOUT_NS and the next one goes out. */
UNIT_TEST(unacknowledged_tick_times_out)
{
	uint64_t sent;

	power_on();
	program(0, PIT_MODE_RATE_GENERATOR, 1193);
	at(1 + 1193);
	advance();
	CHECK_EQ(irq0.rises, 1);
	sent = now;
	CHECK_EQ(pit_next_deadline(&pit, now), sent + PIT_ACK_TIMEOUT_NS);
	now = sent + PIT_ACK_TIMEOUT_NS - 1;
	advance();
	CHECK_EQ(irq0.rises, 1);
	now = sent + PIT_ACK_TIMEOUT_NS;
	advance();
	CHECK_EQ(irq0.rises, 2);
	CHECK_EQ(pit.stats.ack_timeouts, 1);
}

/* DS "Mode 0": a control word for a mode whose OUT idles high, written
 * while OUT0 is low, raises OUT0: that edge is a tick too. */
UNIT_TEST(control_word_raising_out0_is_a_tick)
{
	power_on();
	program(0, PIT_MODE_INTERRUPT_ON_TC, 1000);
	at(10);
	advance();
	CHECK_EQ(irq0.rises, 0);
	out(PIT_PORT_CONTROL, control_word(0, PIT_RW_LSB_MSB, PIT_MODE_RATE_GENERATOR));
	CHECK_EQ(irq0.rises, 1);
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

int main(void)
{
	return unit_run_all();
}
