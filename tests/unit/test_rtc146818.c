// SPDX-License-Identifier: MIT
/*
 * Unit tests of the MC146818A RTC and CMOS RAM, one rule each, on a fake
 * clock.  "DS" cites the Motorola MC146818A data sheet; "Linux" cites
 * drivers/rtc/rtc-mc146818-lib.c and drivers/rtc/rtc-cmos.c; "QEMU" cites
 * hw/rtc/mc146818rtc.c and hw/i386/pc.c.
 *
 * The fake monotonic clock starts at T0 (1000 s), and the host's wall
 * clock then reads 2024-02-29 23:59:58 UTC exactly (a Thursday), so the
 * divider's seconds end at T0 + k s and the leap day ends 2 s in.
 * libc's gmtime_r() is the calendar oracle.
 */
#define _GNU_SOURCE
#include "unit.h"

#include <time.h>

#include "rtc146818.h"

#define NS		UINT64_C(1000000000)
#define MS		UINT64_C(1000000)
#define US		UINT64_C(1000)
#define T0		(1000 * NS)
#define REAL0		INT64_C(1709251198)	/* 2024-02-29 23:59:58 UTC */
#define RAM_16M		(UINT64_C(16) << 20)

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

static struct rtc rtc;
static struct fake_irq irq8;
static uint64_t now;

static void power_on_at(uint64_t ram_size, int64_t real_ns)
{
	irq8 = (struct fake_irq){ 0 };
	now = T0;
	rtc_init(&rtc, irq_line_connect(fake_irq_set, &irq8, 8), ram_size, real_ns, now);
}

static void power_on(void)
{
	power_on_at(RAM_16M, REAL0 * (int64_t)NS);
}

static uint8_t rd(uint8_t index)
{
	rtc_write(&rtc, RTC_PORT_INDEX, index, now);
	return rtc_read(&rtc, RTC_PORT_DATA, now);
}

static void wr(uint8_t index, uint8_t value)
{
	rtc_write(&rtc, RTC_PORT_INDEX, index, now);
	rtc_write(&rtc, RTC_PORT_DATA, value, now);
}

static void at(uint64_t t)
{
	now = t;
}

static void advance_to(uint64_t t)
{
	now = t;
	rtc_advance(&rtc, now);
}

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static bool uip(void)
{
	return rd(RTC_REG_A) & RTC_A_UIP;
}

/* The time registers, as the guest reads them, equal `t` (UTC) in BCD 24h;
 * the day of week too, unless the guest changed the date (it is a counter
 * of its own). */
static void check_time_and_weekday(int64_t t, bool weekday)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	CHECK_EQ(rd(RTC_SECONDS), bcd(tm.tm_sec));
	CHECK_EQ(rd(RTC_MINUTES), bcd(tm.tm_min));
	CHECK_EQ(rd(RTC_HOURS), bcd(tm.tm_hour));
	CHECK_EQ(rd(RTC_DAY_OF_MONTH), bcd(tm.tm_mday));
	CHECK_EQ(rd(RTC_MONTH), bcd(tm.tm_mon + 1));
	CHECK_EQ(rd(RTC_YEAR), bcd((tm.tm_year + 1900) % 100));
	CHECK_EQ(rd(RTC_CENTURY), bcd((tm.tm_year + 1900) / 100 % 100));	/* 10000 wraps */
	if (weekday)
		CHECK_EQ(rd(RTC_DAY_OF_WEEK), tm.tm_wday + 1);
}

static void check_time_bcd(int64_t t)
{
	check_time_and_weekday(t, true);
}

/* Set the clock to `t` as a guest does: SET, the registers, SET cleared. */
static void set_time_bcd(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	wr(RTC_REG_B, RTC_B_SET | RTC_B_24H);
	wr(RTC_SECONDS, bcd(tm.tm_sec));
	wr(RTC_MINUTES, bcd(tm.tm_min));
	wr(RTC_HOURS, bcd(tm.tm_hour));
	wr(RTC_DAY_OF_WEEK, (uint8_t)(tm.tm_wday + 1));
	wr(RTC_DAY_OF_MONTH, bcd(tm.tm_mday));
	wr(RTC_MONTH, bcd(tm.tm_mon + 1));
	wr(RTC_YEAR, bcd((tm.tm_year + 1900) % 100));
	wr(RTC_CENTURY, bcd((tm.tm_year + 1900) / 100));
	wr(RTC_REG_B, RTC_B_24H);
}

/* ---- power on, the calendar -------------------------------------------- */

/* QEMU (and a PC BIOS): A 0x26 (32.768 kHz, 1024 Hz rate), B 0x02 (24-hour,
 * BCD), C 0; DS "Register D": VRT set, the rest 0 (Linux's rtc-cmos refuses
 * a chip whose D bit 6 is set). */
UNIT_TEST(power_on_registers)
{
	power_on();
	CHECK_EQ(rd(RTC_REG_A), 0x26);
	CHECK_EQ(rd(RTC_REG_B), 0x02);
	CHECK_EQ(rd(RTC_REG_C), 0x00);
	CHECK_EQ(rd(RTC_REG_D), RTC_D_VRT);
	CHECK(!irq8.level);
}

/* The host's UTC time, BCD, 24-hour, with QEMU's century byte 0x32. */
UNIT_TEST(time_is_the_hosts_utc_in_bcd)
{
	power_on();
	CHECK_EQ(rd(RTC_SECONDS), 0x58);
	CHECK_EQ(rd(RTC_MINUTES), 0x59);
	CHECK_EQ(rd(RTC_HOURS), 0x23);
	CHECK_EQ(rd(RTC_DAY_OF_WEEK), 5);	/* Thursday; Sunday = 1 */
	CHECK_EQ(rd(RTC_DAY_OF_MONTH), 0x29);
	CHECK_EQ(rd(RTC_MONTH), 0x02);
	CHECK_EQ(rd(RTC_YEAR), 0x24);
	CHECK_EQ(rd(RTC_CENTURY), 0x20);
	CHECK_EQ(rtc_host_offset(&rtc, now), 0);
}

/* DS "Update Cycle": the time advances once a second, at the divider's
 * second, carrying into the date (leap day, then March). */
UNIT_TEST(time_advances_once_a_second_through_the_leap_day)
{
	power_on();
	at(T0 + NS - 1);
	CHECK_EQ(rd(RTC_SECONDS), 0x58);
	at(T0 + NS);
	CHECK_EQ(rd(RTC_SECONDS), 0x59);
	at(T0 + 2 * NS);
	check_time_bcd(REAL0 + 2);
	CHECK_EQ(rd(RTC_DAY_OF_MONTH), 0x01);
	CHECK_EQ(rd(RTC_MONTH), 0x03);
	CHECK_EQ(rd(RTC_DAY_OF_WEEK), 6);
}

/* The calendar over centuries, against libc (2000 and 2400 are leap years,
 * 2100 is not): from the host's clock at power-on (up to 2262, where
 * nanoseconds since 1970 end), and as a guest sets it. */
UNIT_TEST(calendar_matches_gmtime_across_centuries)
{
	static const int64_t times[] = {
		0, 951782399, 951782400, 951868800, 2147483647, 4107542399, 4107542400,
		4107628800, 9223372036, 13574476799, 13574563200, 253402300799,
	};

	for (unsigned i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		if (times[i] <= INT64_MAX / (int64_t)NS) {
			power_on_at(RAM_16M, times[i] * (int64_t)NS);
		} else {
			power_on();
			set_time_bcd(times[i]);
		}
		check_time_bcd(times[i]);
		at(T0 + 86400 * NS);
		check_time_bcd(times[i] + 86400);
	}
}

/* The host's sub-second phase: the first update comes when the host's
 * next second begins. */
UNIT_TEST(first_update_at_the_hosts_next_second)
{
	power_on_at(RAM_16M, REAL0 * (int64_t)NS + 700 * (int64_t)MS);
	at(T0 + 300 * MS - 1);
	CHECK_EQ(rd(RTC_SECONDS), 0x58);
	at(T0 + 300 * MS);
	CHECK_EQ(rd(RTC_SECONDS), 0x59);
}

/* DS "Register B" DM: 1 binary, 0 BCD; the registers follow the mode. */
UNIT_TEST(binary_mode)
{
	power_on();
	wr(RTC_REG_B, RTC_B_24H | RTC_B_DM);
	CHECK_EQ(rd(RTC_SECONDS), 58);
	CHECK_EQ(rd(RTC_MINUTES), 59);
	CHECK_EQ(rd(RTC_HOURS), 23);
	CHECK_EQ(rd(RTC_DAY_OF_MONTH), 29);
	CHECK_EQ(rd(RTC_YEAR), 24);
	CHECK_EQ(rd(RTC_CENTURY), 20);
}

/* DS "Register B" 24/12 and "Address Map": in 12-hour mode the hours are
 * 1-12 with bit 7 set for PM; midnight is 12 AM, noon 12 PM. */
UNIT_TEST(twelve_hour_mode_bcd_and_binary)
{
	power_on();
	wr(RTC_REG_B, 0);			/* 12-hour, BCD */
	CHECK_EQ(rd(RTC_HOURS), RTC_HOURS_PM | 0x11);	/* 23:59 is 11 PM */
	wr(RTC_REG_B, RTC_B_DM);		/* 12-hour, binary */
	CHECK_EQ(rd(RTC_HOURS), RTC_HOURS_PM | 11);
	at(T0 + 2 * NS);
	CHECK_EQ(rd(RTC_HOURS), 12);		/* 00:00 is 12 AM */
	at(T0 + 2 * NS + 12 * 3600 * NS);
	CHECK_EQ(rd(RTC_HOURS), RTC_HOURS_PM | 12);	/* noon is 12 PM */
	at(T0 + 2 * NS + 13 * 3600 * NS);
	CHECK_EQ(rd(RTC_HOURS), RTC_HOURS_PM | 1);
	wr(RTC_REG_B, 0);
	CHECK_EQ(rd(RTC_HOURS), RTC_HOURS_PM | 0x01);
}

/* 12-hour values written are read as such: 12 AM is 0, 12 PM is 12. */
UNIT_TEST(twelve_hour_writes)
{
	power_on();
	wr(RTC_REG_B, RTC_B_SET);		/* 12-hour BCD, stopped */
	wr(RTC_HOURS, RTC_HOURS_PM | 0x12);
	wr(RTC_REG_B, 0);
	wr(RTC_REG_B, RTC_B_24H);
	CHECK_EQ(rd(RTC_HOURS), 0x12);
	wr(RTC_REG_B, RTC_B_SET);
	wr(RTC_HOURS, 0x12);			/* 12 AM */
	wr(RTC_REG_B, 0);
	wr(RTC_REG_B, RTC_B_24H);
	CHECK_EQ(rd(RTC_HOURS), 0x00);
}

/* ---- update in progress -------------------------------------------------- */

/* DS "Register A" UIP: 1 during the 244 us before an update (8 periods of
 * 32.768 kHz), 0 otherwise; computed from the clock. */
UNIT_TEST(uip_in_the_244us_before_each_update)
{
	power_on();
	CHECK(!uip());
	at(T0 + NS - RTC_UIP_HOLD_NS - 1);
	CHECK(!uip());
	at(T0 + NS - RTC_UIP_HOLD_NS);
	CHECK(uip());
	CHECK_EQ(rd(RTC_SECONDS), 0x58);	/* the update has not happened yet */
	at(T0 + NS - 1);
	CHECK(uip());
	at(T0 + NS);
	CHECK(!uip());
	CHECK_EQ(rd(RTC_SECONDS), 0x59);
	at(T0 + 2 * NS - 100 * US);
	CHECK(uip());
}

/* DS "Register A": UIP is read-only; writing 1 to it changes nothing. */
UNIT_TEST(uip_is_read_only)
{
	power_on();
	wr(RTC_REG_A, RTC_A_UIP | 0x26);
	CHECK_EQ(rd(RTC_REG_A), 0x26);
}

/* DS "Register B": SET inhibits updates and clears UIP. */
UNIT_TEST(set_bit_clears_uip)
{
	power_on();
	at(T0 + NS - 100 * US);
	CHECK(uip());
	wr(RTC_REG_B, RTC_B_SET | RTC_B_24H);
	CHECK(!uip());
}

/* ---- SET, writes, offsets -------------------------------------------------- */

/* DS "Register B" SET: updates stop; the time written is the time when SET
 * clears, and the clock goes on at the divider's next second. */
UNIT_TEST(set_bit_stops_updates_and_sets_the_time)
{
	power_on();
	wr(RTC_REG_B, RTC_B_SET | RTC_B_24H);
	at(T0 + 5 * NS + 300 * MS);
	CHECK_EQ(rd(RTC_SECONDS), 0x58);	/* no update while SET */
	wr(RTC_SECONDS, 0x10);
	wr(RTC_MINUTES, 0x20);
	wr(RTC_HOURS, 0x08);
	wr(RTC_DAY_OF_MONTH, 0x15);
	wr(RTC_MONTH, 0x06);
	wr(RTC_YEAR, 0x25);
	CHECK_EQ(rd(RTC_SECONDS), 0x10);
	wr(RTC_REG_B, RTC_B_24H);
	CHECK_EQ(rd(RTC_SECONDS), 0x10);
	at(T0 + 6 * NS - 1);
	CHECK_EQ(rd(RTC_SECONDS), 0x10);
	at(T0 + 6 * NS);			/* the divider kept its phase */
	CHECK_EQ(rd(RTC_SECONDS), 0x11);
	CHECK_EQ(rd(RTC_HOURS), 0x08);
	CHECK_EQ(rd(RTC_DAY_OF_MONTH), 0x15);
	CHECK_EQ(rd(RTC_MONTH), 0x06);
	CHECK_EQ(rd(RTC_YEAR), 0x25);
}

/* A time register written while the clock runs sets the clock (as QEMU):
 * the difference from host time persists, across a reset too. */
UNIT_TEST(writes_persist_as_an_offset_from_host_time)
{
	power_on();
	wr(RTC_YEAR, 0x25);			/* 2025-02-29 is 2025-03-01 */
	CHECK_EQ(rtc_host_offset(&rtc, now), 366 * 86400);
	check_time_and_weekday(REAL0 + 366 * 86400, false);
	at(T0 + 10 * NS);
	check_time_and_weekday(REAL0 + 366 * 86400 + 10, false);
	rtc_reset(&rtc, now);
	at(T0 + 100 * NS);
	check_time_and_weekday(REAL0 + 366 * 86400 + 100, false);
	CHECK_EQ(rtc_host_offset(&rtc, now), 366 * 86400);
	CHECK_EQ(rtc.stats.time_sets, 1);
}

/* Values out of range are normalized, as QEMU's mktimegm(): minute 60 is
 * the next hour's minute 0. */
UNIT_TEST(out_of_range_writes_are_normalized)
{
	power_on();
	wr(RTC_MINUTES, 0x60);			/* 23:60:58 on the 29th */
	check_time_and_weekday(REAL0 + 60, false);
	CHECK_EQ(rd(RTC_MINUTES), 0x00);
	CHECK_EQ(rd(RTC_DAY_OF_MONTH), 0x01);
}

/* Linux's mc146818_set_time(): SET, divider reset (A | 0x70), the time,
 * B restored, then A restored: the clock starts from the registers and
 * its first update comes 500 ms later (DS "Divider Control"). */
UNIT_TEST(linux_set_time_sequence)
{
	power_on();
	at(T0 + 200 * MS);
	wr(RTC_REG_B, RTC_B_SET | RTC_B_24H);
	wr(RTC_REG_A, 0x26 | 0x70);
	wr(RTC_YEAR, 0x30);
	wr(RTC_MONTH, 0x01);
	wr(RTC_DAY_OF_MONTH, 0x02);
	wr(RTC_HOURS, 0x03);
	wr(RTC_MINUTES, 0x04);
	wr(RTC_SECONDS, 0x05);
	wr(RTC_REG_B, RTC_B_24H);
	at(T0 + 3 * NS);			/* still in reset: no update */
	CHECK_EQ(rd(RTC_SECONDS), 0x05);
	wr(RTC_REG_A, 0x26);
	at(T0 + 3 * NS + 500 * MS - 1);
	CHECK_EQ(rd(RTC_SECONDS), 0x05);
	at(T0 + 3 * NS + 500 * MS);
	CHECK_EQ(rd(RTC_SECONDS), 0x06);
	CHECK_EQ(rd(RTC_YEAR), 0x30);
	CHECK_EQ(rd(RTC_HOURS), 0x03);
}

/* DS "Divider Control": DV = 11x holds the divider chain in reset: no
 * updates, no UIP, no periodic flag. */
UNIT_TEST(divider_reset_holds_the_clock)
{
	power_on();
	wr(RTC_REG_A, RTC_A_DV_RESET | 0x06);
	at(T0 + 5 * NS - 100 * US);
	CHECK(!uip());
	CHECK_EQ(rd(RTC_SECONDS), 0x58);
	CHECK_EQ(rd(RTC_REG_C), 0);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE | RTC_B_UIE);
	CHECK_EQ(rtc_next_deadline(&rtc, now), UINT64_MAX);
}

/* Only DV = 010 runs with the PC's 32.768 kHz crystal; 000 and 001 are
 * other crystals' time bases (QEMU runs with them; we follow the chip). */
UNIT_TEST(divider_other_time_bases_stop_the_clock)
{
	power_on();
	wr(RTC_REG_A, 0x06);			/* DV = 000 */
	at(T0 + 5 * NS);
	CHECK_EQ(rd(RTC_SECONDS), 0x58);
	wr(RTC_REG_A, 0x16);			/* DV = 001 */
	at(T0 + 7 * NS);
	CHECK_EQ(rd(RTC_SECONDS), 0x58);
	wr(RTC_REG_A, 0x26);
	at(T0 + 7 * NS + 500 * MS);
	CHECK_EQ(rd(RTC_SECONDS), 0x59);
}

/* DS: the day of week is a counter of its own, advanced at midnight: a
 * value written stays (QEMU would recompute it from the date). */
UNIT_TEST(day_of_week_is_a_counter)
{
	power_on();
	wr(RTC_DAY_OF_WEEK, 1);
	CHECK_EQ(rd(RTC_DAY_OF_WEEK), 1);
	at(T0 + 2 * NS);			/* midnight */
	CHECK_EQ(rd(RTC_DAY_OF_WEEK), 2);
	wr(RTC_DAY_OF_MONTH, 0x10);		/* the date changes, the counter not */
	CHECK_EQ(rd(RTC_DAY_OF_WEEK), 2);
	at(T0 + 2 * NS + 6 * 86400 * NS);
	CHECK_EQ(rd(RTC_DAY_OF_WEEK), 1);
}

/* QEMU: 0x37 (the IBM PS/2 century byte) is the century at 0x32. */
UNIT_TEST(ps2_century_alias)
{
	power_on();
	CHECK_EQ(rd(RTC_IBM_PS2_CENTURY), 0x20);
	wr(RTC_IBM_PS2_CENTURY, 0x21);
	CHECK_EQ(rd(RTC_CENTURY), 0x21);
	CHECK_EQ(rd(RTC_YEAR), 0x24);
	CHECK_EQ(rtc_host_offset(&rtc, now), INT64_C(3155673600));	/* 2124-02-29: 100 years on */
}

/* ---- the periodic interrupt ------------------------------------------------ */

/* DS "Periodic Interrupt Rate" (32.768 kHz time base): RS 1, 2 = 3.90625
 * and 7.8125 ms, RS 3-15 = 122.070 us doubling up to 500 ms; 0 = none. */
UNIT_TEST(periodic_rates)
{
	static const uint64_t period_ps[16] = {
		0, 3906250000, 7812500000, 122070312, 244140625, 488281250, 976562500,
		1953125000, 3906250000, 7812500000, 15625000000, 31250000000,
		62500000000, 125000000000, 250000000000, 500000000000,
	};

	for (unsigned rs = 0; rs < 16; rs++) {
		uint64_t expected;

		power_on();
		wr(RTC_REG_A, (uint8_t)(RTC_A_DV_32KHZ | rs));
		wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
		if (rs == 0) {
			CHECK_EQ(rtc_next_deadline(&rtc, now), UINT64_MAX);
			continue;
		}
		/* the divider's second begins at T0: the first edge is one period in */
		expected = T0 + (period_ps[rs] + 999) / 1000;
		CHECK_EQ(rtc_next_deadline(&rtc, now), expected);
		advance_to(expected - 1);
		CHECK(!irq8.level);
		advance_to(expected);
		CHECK(irq8.level);
		CHECK_EQ(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	}
}

/* 1024 Hz (RS = 6, Linux's default) gives 1024 edges a second. */
UNIT_TEST(periodic_1024hz_counts_1024_a_second)
{
	unsigned n = 0;

	power_on();
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	for (;;) {
		uint64_t d = rtc_next_deadline(&rtc, now);

		if (d > T0 + NS)
			break;
		advance_to(d);
		CHECK(irq8.level);
		CHECK_EQ(rd(RTC_REG_C) & (RTC_C_IRQF | RTC_C_PF), RTC_C_IRQF | RTC_C_PF);
		CHECK(!irq8.level);
		n++;
	}
	CHECK_EQ(n, 1024);
	CHECK_EQ(irq8.rises, 1024);
}

/* DS "Register C": PF is set at the rate even with PIE clear; IRQ stays
 * low, and no timer is needed. */
UNIT_TEST(periodic_flag_set_without_pie)
{
	power_on();
	CHECK_EQ(rtc_next_deadline(&rtc, now), UINT64_MAX);
	at(T0 + MS);
	CHECK_EQ(rd(RTC_REG_C), RTC_C_PF);
	CHECK(!irq8.level);
	CHECK_EQ(rd(RTC_REG_C), 0);
}

/* DS "Register C": reading C clears every flag and IRQF, and IRQ goes
 * low; a second read returns 0. */
UNIT_TEST(reading_c_clears_flags_and_lowers_irq)
{
	power_on();
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE | RTC_B_UIE);
	advance_to(T0 + NS);
	CHECK(irq8.level);
	CHECK_EQ(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
	CHECK(!irq8.level);
	CHECK_EQ(rd(RTC_REG_C), 0);
	CHECK_EQ(rtc.stats.irqs, 1);
}

/* While IRQF is set nothing can change the pin: no deadline, one edge,
 * until the guest reads C. */
UNIT_TEST(irq_stays_high_until_c_is_read)
{
	power_on();
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	advance_to(rtc_next_deadline(&rtc, now));
	CHECK(irq8.level);
	CHECK_EQ(rtc_next_deadline(&rtc, now), UINT64_MAX);
	advance_to(now + 10 * MS);
	CHECK_EQ(irq8.rises, 1);
	rd(RTC_REG_C);
	CHECK(rtc_next_deadline(&rtc, now) > now);
	CHECK(rtc_next_deadline(&rtc, now) < now + MS);
}

/* DS IRQF = PF.PIE + AF.AIE + UF.UIE: enabling an interrupt whose flag is
 * set raises IRQ at once; disabling it lowers it again. */
UNIT_TEST(enable_with_flag_set_raises_irq)
{
	power_on();
	at(T0 + MS);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	CHECK(irq8.level);
	CHECK_EQ(rtc.cmos[RTC_REG_C], RTC_C_IRQF | RTC_C_PF);
	wr(RTC_REG_B, RTC_B_24H);
	CHECK(!irq8.level);
	CHECK_EQ(rd(RTC_REG_C), RTC_C_PF);
}

/* ---- update-ended and alarm ----------------------------------------------- */

/* DS "Update-Ended Interrupt": UF at the end of each update; with UIE the
 * deadline is the next second. */
UNIT_TEST(update_ended_interrupt)
{
	power_on();
	at(T0 + 400 * MS);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + NS);
	advance_to(T0 + NS - 1);
	CHECK(!irq8.level);
	advance_to(T0 + NS);
	CHECK(irq8.level);
	CHECK_EQ(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_UF | RTC_C_PF);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 2 * NS);
}

/* DS "Register B": SET going to 1 clears UIE (QEMU does too). */
UNIT_TEST(set_clears_uie)
{
	power_on();
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_SET);
	CHECK_EQ(rd(RTC_REG_B), RTC_B_24H | RTC_B_SET);
}

/* No update, no UF while SET; the periodic interrupt goes on (the divider
 * runs). */
UNIT_TEST(no_update_flag_while_set)
{
	power_on();
	wr(RTC_REG_B, RTC_B_24H | RTC_B_SET);
	at(T0 + 3 * NS);
	CHECK_EQ(rd(RTC_REG_C), RTC_C_PF);
}

/* DS "Alarm": AF when hours, minutes and seconds equal the alarm bytes. */
UNIT_TEST(alarm_exact_match)
{
	power_on();
	wr(RTC_HOURS_ALARM, 0x00);
	wr(RTC_MINUTES_ALARM, 0x00);
	wr(RTC_SECONDS_ALARM, 0x05);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 7 * NS);
	advance_to(T0 + 7 * NS - 1);
	CHECK(!irq8.level);
	advance_to(T0 + 7 * NS);
	CHECK(irq8.level);
	CHECK_EQ(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF | RTC_C_PF);
	/* next: tomorrow */
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 7 * NS + 86400 * NS);
}

/* DS "Alarm": a byte 0xC0-0xFF matches every value: hours and minutes
 * don't care, seconds 30 fires every minute at :30. */
UNIT_TEST(alarm_dont_care_bytes)
{
	power_on();
	wr(RTC_HOURS_ALARM, 0xc0);
	wr(RTC_MINUTES_ALARM, 0xff);
	wr(RTC_SECONDS_ALARM, 0x30);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 32 * NS);	/* 00:00:30 */
	advance_to(T0 + 32 * NS);
	CHECK_EQ(rd(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 92 * NS);
	/* all three don't care: once a second */
	wr(RTC_SECONDS_ALARM, 0xc3);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 33 * NS);
	/* minutes only: the first second of minute 01, then each second of it */
	wr(RTC_MINUTES_ALARM, 0x01);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 62 * NS);
	advance_to(T0 + 62 * NS);
	rd(RTC_REG_C);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 63 * NS);
}

/* The alarm bytes compare in the current format: 1 PM in 12-hour BCD mode
 * is 0x81. */
UNIT_TEST(alarm_in_twelve_hour_mode)
{
	power_on();
	wr(RTC_REG_B, 0);
	wr(RTC_HOURS_ALARM, RTC_HOURS_PM | 0x01);
	wr(RTC_MINUTES_ALARM, 0x00);
	wr(RTC_SECONDS_ALARM, 0x00);
	wr(RTC_REG_B, RTC_B_AIE);
	CHECK_EQ(rtc_next_deadline(&rtc, now), T0 + 2 * NS + 13 * 3600 * NS);
}

/* An alarm byte no time can show (seconds 0x60 in BCD) never matches. */
UNIT_TEST(alarm_impossible_value_never_fires)
{
	power_on();
	wr(RTC_SECONDS_ALARM, 0x60);
	wr(RTC_MINUTES_ALARM, 0xc0);
	wr(RTC_HOURS_ALARM, 0xc0);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	CHECK_EQ(rtc_next_deadline(&rtc, now), UINT64_MAX);
	at(T0 + 200 * NS);
	CHECK_EQ(rd(RTC_REG_C) & RTC_C_AF, 0);
}

/* DS "Register C": AF is set on a match whether AIE is set or not; IRQ
 * stays low and no timer runs, so an idle guest costs nothing. */
UNIT_TEST(alarm_flag_without_aie_and_no_timer)
{
	power_on();
	wr(RTC_HOURS_ALARM, 0x00);
	wr(RTC_MINUTES_ALARM, 0x00);
	wr(RTC_SECONDS_ALARM, 0x01);
	CHECK_EQ(rtc_next_deadline(&rtc, now), UINT64_MAX);
	at(T0 + 2 * NS);
	CHECK_EQ(rd(RTC_REG_C) & RTC_C_AF, 0);
	at(T0 + 3 * NS);
	CHECK_EQ(rd(RTC_REG_C) & (RTC_C_AF | RTC_C_IRQF), RTC_C_AF);
	CHECK(!irq8.level);
	CHECK_EQ(irq8.rises, 0);
}

/* A match passed while nobody looked (a long gap) still sets AF. */
UNIT_TEST(alarm_matched_during_a_long_gap)
{
	power_on();
	rd(RTC_REG_C);
	wr(RTC_HOURS_ALARM, 0x05);
	wr(RTC_MINUTES_ALARM, 0x00);
	wr(RTC_SECONDS_ALARM, 0x00);
	at(T0 + 3 * 86400 * NS);
	CHECK_EQ(rd(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
}

/* Linux's wakealarm: alarm one second ahead with AIE, IRQ at the match;
 * its handler reads C and clears AIE. */
UNIT_TEST(linux_wakealarm)
{
	power_on();
	at(T0 + 250 * MS);
	wr(RTC_SECONDS_ALARM, 0x59);
	wr(RTC_MINUTES_ALARM, 0x59);
	wr(RTC_HOURS_ALARM, 0x23);
	rd(RTC_REG_C);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	advance_to(rtc_next_deadline(&rtc, now));
	CHECK_EQ(now, T0 + NS);
	CHECK(irq8.level);
	CHECK_EQ(rd(RTC_REG_C) & (RTC_C_IRQF | RTC_C_AF), RTC_C_IRQF | RTC_C_AF);
	wr(RTC_REG_B, RTC_B_24H);
	CHECK_EQ(rtc_next_deadline(&rtc, now), UINT64_MAX);
}

/* ---- reset, ports, RAM ---------------------------------------------------- */

/* DS "RESET": PIE, AIE, UIE, SQWE and the flags clear, IRQ goes low; the
 * time, the other bits and the RAM stay (0x0f too: QEMU clears it). */
UNIT_TEST(reset_clears_enables_and_flags_keeps_time_and_ram)
{
	power_on();
	wr(0x0f, 0x0a);
	wr(0x40, 0x5a);
	wr(RTC_REG_B, RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE | RTC_B_DM | RTC_B_24H);
	advance_to(T0 + NS);
	CHECK(irq8.level);
	rtc_reset(&rtc, now);
	CHECK(!irq8.level);
	CHECK_EQ(rd(RTC_REG_B), RTC_B_DM | RTC_B_24H);
	CHECK_EQ(rd(RTC_REG_C), 0);
	CHECK_EQ(rd(RTC_REG_A), 0x26);
	CHECK_EQ(rd(0x0f), 0x0a);
	CHECK_EQ(rd(0x40), 0x5a);
	CHECK_EQ(rd(RTC_SECONDS), 59);
	CHECK_EQ(rtc_next_deadline(&rtc, now), UINT64_MAX);
}

/* DS: C and D are read-only. */
UNIT_TEST(registers_c_and_d_are_read_only)
{
	power_on();
	wr(RTC_REG_C, 0xf0);
	wr(RTC_REG_D, 0x00);
	CHECK_EQ(rd(RTC_REG_C), 0);
	CHECK_EQ(rd(RTC_REG_D), RTC_D_VRT);
	CHECK(!irq8.level);
}

/* Port 0x70: bits 6-0 the index, bit 7 the PC's NMI mask (remembered);
 * reading it returns 0xff, as QEMU. */
UNIT_TEST(index_port_and_nmi_mask)
{
	power_on();
	rtc_write(&rtc, RTC_PORT_INDEX, RTC_INDEX_NMI_DISABLE | 0x45, now);
	CHECK_EQ(rtc.index, 0x45);
	CHECK(rtc.nmi_disabled);
	rtc_write(&rtc, RTC_PORT_DATA, 0x99, now);
	CHECK_EQ(rtc.cmos[0x45], 0x99);
	CHECK_EQ(rtc_read(&rtc, RTC_PORT_INDEX, now), 0xff);
	rtc_write(&rtc, RTC_PORT_INDEX, 0x45, now);
	CHECK(!rtc.nmi_disabled);
	CHECK_EQ(rtc_read(&rtc, RTC_PORT_DATA, now), 0x99);
	CHECK_EQ(rtc_read(&rtc, 0x72, now), 0xff);
}

/* All 114 bytes of RAM (0x0e-0x7f) keep what is written, but the century. */
UNIT_TEST(cmos_ram_reads_back)
{
	power_on();
	for (unsigned i = 0x0e; i < RTC_CMOS_SIZE; i++)
		if (i != RTC_CENTURY && i != RTC_IBM_PS2_CENTURY)
			wr((uint8_t)i, (uint8_t)(i ^ 0xa5));
	for (unsigned i = 0x0e; i < RTC_CMOS_SIZE; i++)
		if (i != RTC_CENTURY && i != RTC_IBM_PS2_CENTURY)
			CHECK_EQ(rd((uint8_t)i), i ^ 0xa5);
}

static unsigned word(uint8_t index)
{
	return rd(index) | rd((uint8_t)(index + 1)) << 8;
}

/* QEMU pc_cmos_init(): base memory 640 KiB, extended memory above 1 MiB
 * in KiB (capped 65535, twice), above 16 MiB in 64 KiB (capped 65535),
 * above 4 GiB in 64 KiB (3 bytes). */
UNIT_TEST(cmos_memory_size_bytes)
{
	static const struct {
		uint64_t ram;
		unsigned base, ext, above16m, above4g;
	} cases[] = {
		{ 1u << 20, 640, 0, 0, 0 },
		{ 16u << 20, 640, 15360, 0, 0 },
		{ 64u << 20, 640, 64512, 768, 0 },
		{ UINT64_C(3) << 30, 640, 65535, 48896, 0 },
		{ UINT64_C(8) << 30, 640, 65535, 48896, 81920 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		power_on_at(cases[i].ram, REAL0 * (int64_t)NS);
		CHECK_EQ(word(RTC_CMOS_BASE_MEM), cases[i].base);
		CHECK_EQ(word(RTC_CMOS_EXT_MEM), cases[i].ext);
		CHECK_EQ(word(RTC_CMOS_EXT_MEM2), cases[i].ext);
		CHECK_EQ(word(RTC_CMOS_MEM_ABOVE_16M), cases[i].above16m);
		CHECK_EQ(word(RTC_CMOS_MEM_ABOVE_4G) | rd(RTC_CMOS_MEM_ABOVE_4G + 2) << 16,
			 cases[i].above4g);
	}
}

/* Time never goes backwards: an earlier now is the latest seen. */
UNIT_TEST(time_never_goes_backwards)
{
	power_on();
	at(T0 + 3 * NS);
	CHECK_EQ(rd(RTC_SECONDS), 0x01);
	at(T0 + NS);
	CHECK_EQ(rd(RTC_SECONDS), 0x01);
}

/* ---- device events ---------------------------------------------------------- */

static struct {
	struct dev_event ev[64];
	unsigned n;
} evlog;

static void record_event(void *opaque, const struct dev_event *ev)
{
	(void)opaque;
	if (evlog.n < 64)
		evlog.ev[evlog.n++] = *ev;
}

static void listen_events(void)
{
	memset(&evlog, 0, sizeof(evlog));
	rtc.events = (struct dev_events){ .emit = record_event };
}

static const char *format(const struct dev_event *ev)
{
	static char buf[256];

	rtc_event_format(ev, buf, sizeof(buf));
	return buf;
}

/* Register writes, clock settings, IRQ rises, NMI mask changes and resets
 * are reported, with their values; reads and RAM are not. */
UNIT_TEST(events_report_what_changed)
{
	power_on();
	CHECK(rtc.events.emit == NULL);
	listen_events();
	rd(RTC_SECONDS);
	wr(0x20, 1);
	CHECK_EQ(evlog.n, 0);
	wr(RTC_REG_A, 0x2f);
	CHECK_EQ(evlog.n, 1);
	CHECK_EQ(evlog.ev[0].source, DEV_EVENT_RTC);
	CHECK_EQ(evlog.ev[0].type, RTC_EVENT_REG_A);
	CHECK(strcmp(format(&evlog.ev[0]),
		     "register A 0x2f: 32.768 kHz time base: running, periodic rate 15 (2 Hz)") == 0);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	CHECK_EQ(evlog.ev[1].type, RTC_EVENT_REG_B);
	CHECK_EQ(evlog.ev[1].arg[0], RTC_B_24H | RTC_B_PIE);
	CHECK_EQ(evlog.ev[1].arg[1], RTC_B_24H);
	CHECK(strcmp(format(&evlog.ev[1]), "register B 0x42 (was 0x02): PIE BCD, 24-hour") == 0);
	advance_to(rtc_next_deadline(&rtc, now));
	CHECK_EQ(evlog.ev[2].type, RTC_EVENT_IRQ);
	CHECK(strcmp(format(&evlog.ev[2]), "IRQ raised: register C 0xc0 PF") == 0);
	wr(RTC_HOURS, 0x22);
	CHECK_EQ(evlog.ev[3].type, RTC_EVENT_TIME_SET);
	CHECK_EQ((int32_t)evlog.ev[3].arg[0], -3600);
	CHECK(strcmp(format(&evlog.ev[3]), "clock set (hours): -3600 s from host time") == 0);
	rtc_write(&rtc, RTC_PORT_INDEX, 0x80, now);
	CHECK_EQ(evlog.ev[4].type, RTC_EVENT_NMI_MASK);
	CHECK(strcmp(format(&evlog.ev[4]), "NMI disabled (port 0x70 bit 7)") == 0);
	rtc_reset(&rtc, now);
	CHECK_EQ(evlog.ev[5].type, RTC_EVENT_RESET);
	CHECK_EQ(evlog.n, 6);
	for (unsigned t = 0; t < RTC_EVENT_NR; t++)
		CHECK(rtc_event_names[t] != NULL);
}

int main(void)
{
	return unit_run_all();
}
