// SPDX-License-Identifier: MIT
/*
 * Motorola MC146818A RTC and CMOS RAM, computed from time.
 *
 * Every data port access first brings the model up to now (rtc_sync()):
 * the flags of the periodic interrupt, the updates and the alarm that fell
 * due since the last access are set, and the time registers are rewritten
 * from the calendar.  The register logic then works at now, and
 * rtc_update_irq() ends every entry point.
 *
 * Three closed formulas carry the clock (see struct rtc): the divider
 * chain's position in its second, the number of update cycles by time t,
 * and the 32.768 kHz cycles by time t, which clock the periodic interrupt.
 * The calendar is whole seconds since 1970-01-01 00:00:00 (proleptic
 * Gregorian, days_from_civil / civil_from_days after H. Hinnant's
 * "chrono-Compatible Low-Level Date Algorithms").
 *
 * References: MC146818A data sheet ("Address Map", "Time, Calendar and
 * Alarm Locations", "Register A" to "Register D", "Update Cycle",
 * "Interrupts", "Divider Control", "RESET"); Linux
 * drivers/rtc/rtc-mc146818-lib.c, drivers/rtc/rtc-cmos.c and
 * arch/x86/kernel/rtc.c for what a guest relies on; QEMU
 * hw/rtc/mc146818rtc.c and hw/i386/pc.c (pc_cmos_init) where the data
 * sheet is silent.
 */
#include "rtc146818.h"

#include <stdio.h>
#include <string.h>

#define RTC_NS			1000000000ull
#define RTC_HZ			32768u		/* the time base: DV = 010 */
#define RTC_SEC_PER_DAY		86400
#define RTC_NEVER_NS		UINT64_MAX
#define RTC_NEVER_SEC		INT64_MAX
#define RTC_ALARM_ANY		(-1)		/* a don't-care alarm byte */
#define RTC_ALARM_NONE		(-2)		/* an alarm byte no time matches */

__extension__ typedef unsigned __int128 rtc_u128;

/* ---- arithmetic ------------------------------------------------------- */

static int64_t rtc_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t rtc_floor_mod(int64_t a, int64_t b)
{
	int64_t m = a % b;

	return m != 0 && (m < 0) != (b < 0) ? m + b : m;
}

static uint64_t rtc_sat64(rtc_u128 v)
{
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/* Days since 1970-01-01 of year y, month m (1-12), day 1 + (d - 1). */
static int64_t rtc_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = rtc_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void rtc_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = rtc_floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* ---- the divider chain ------------------------------------------------ */

/* Update cycles by time t: floor((t + offset) / 10^9), without overflow. */
static uint64_t rtc_update_index(uint64_t t, uint32_t offset)
{
	return t / RTC_NS + (t % RTC_NS + offset) / RTC_NS;
}

/* Nanoseconds into the divider's second at time t. */
static uint32_t rtc_position(uint64_t t, uint32_t offset)
{
	return (uint32_t)((t % RTC_NS + offset) % RTC_NS);
}

/* 32.768 kHz cycles by time t: floor((t + offset) * 32768 / 10^9). */
static uint64_t rtc_cycle(uint64_t t, uint32_t offset)
{
	return rtc_update_index(t, offset) * RTC_HZ +
	       (uint64_t)rtc_position(t, offset) * RTC_HZ / RTC_NS;
}

/* The first time by which cycle c has happened (UINT64_MAX: never). */
static uint64_t rtc_cycle_time(uint64_t c, uint32_t offset)
{
	rtc_u128 t = (rtc_u128)(c / RTC_HZ) * RTC_NS +
		     ((uint64_t)(c % RTC_HZ) * RTC_NS + RTC_HZ - 1) / RTC_HZ;

	return t < offset ? 0 : rtc_sat64(t - offset);
}

/* The time update cycle number u ends. */
static uint64_t rtc_update_time(uint64_t u, uint32_t offset)
{
	rtc_u128 t = (rtc_u128)u * RTC_NS;

	return t < offset ? 0 : rtc_sat64(t - offset);
}

/*
 * The periodic interrupt's period in 32.768 kHz cycles for rate select RS
 * (datasheet "Periodic Interrupt Rate"): 0 none, 1 and 2 are 256 and
 * 128 Hz (the 4.194304 and 1.048576 MHz time bases' 3.90625 and 7.8125 ms
 * at 32.768 kHz), 3-15 are 8192 Hz down to 2 Hz.
 */
static uint32_t rtc_period_cycles(uint8_t reg_a)
{
	unsigned rs = reg_a & RTC_A_RS_MASK;

	if (rs == 0)
		return 0;
	return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
}

static bool rtc_divider_runs(const struct rtc *r)
{
	return (r->cmos[RTC_REG_A] & RTC_A_DV_MASK) == RTC_A_DV_32KHZ;
}

static bool rtc_clock_runs(const struct rtc *r)
{
	return rtc_divider_runs(r) && !(r->cmos[RTC_REG_B] & RTC_B_SET);
}

/* The calendar at time t (>= the time upd_base was taken), clock running. */
static int64_t rtc_guest_sec(const struct rtc *r, uint64_t t)
{
	return r->sec_base + (int64_t)(rtc_update_index(t, r->div_offset_ns) - r->upd_base);
}

/* ---- register formats --------------------------------------------------- */

static uint8_t rtc_encode(const struct rtc *r, int v)
{
	if (r->cmos[RTC_REG_B] & RTC_B_DM)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static int rtc_decode(const struct rtc *r, uint8_t b)
{
	if (r->cmos[RTC_REG_B] & RTC_B_DM)
		return b;
	return (b >> 4) * 10 + (b & 0x0f);
}

/* Hour 0-23 as the hours register shows it (12-hour mode: 12 AM is 12). */
static uint8_t rtc_encode_hours(const struct rtc *r, int h)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(r, h);
	return (uint8_t)(rtc_encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? RTC_HOURS_PM : 0));
}

/* Bit 7 is PM in 12-hour mode and ignored in 24-hour mode, as QEMU does. */
static int rtc_decode_hours(const struct rtc *r, uint8_t b)
{
	int h = rtc_decode(r, b & ~RTC_HOURS_PM);

	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return h;
	return h % 12 + (b & RTC_HOURS_PM ? 12 : 0);
}

/* Write the calendar `sec` into the time registers, in the current format. */
static void rtc_show_time(struct rtc *r, int64_t sec)
{
	int64_t days = rtc_floor_div(sec, RTC_SEC_PER_DAY), year;
	int tod = (int)(sec - days * RTC_SEC_PER_DAY), month, day;
	int wday = (int)((rtc_floor_mod(days + 4, 7) + r->dow_shift) % 7);	/* 0: Sunday */

	rtc_civil_from_days(days, &year, &month, &day);
	r->cmos[RTC_SECONDS] = rtc_encode(r, tod % 60);
	r->cmos[RTC_MINUTES] = rtc_encode(r, tod / 60 % 60);
	r->cmos[RTC_HOURS] = rtc_encode_hours(r, tod / 3600);
	r->cmos[RTC_DAY_OF_WEEK] = rtc_encode(r, wday + 1);
	r->cmos[RTC_DAY_OF_MONTH] = rtc_encode(r, day);
	r->cmos[RTC_MONTH] = rtc_encode(r, month);
	r->cmos[RTC_YEAR] = rtc_encode(r, (int)rtc_floor_mod(year, 100));
	r->cmos[RTC_CENTURY] = rtc_encode(r, (int)rtc_floor_mod(rtc_floor_div(year, 100), 100));
}

/* The calendar the time registers hold, normalized (month 13 is January). */
static int64_t rtc_registers_sec(const struct rtc *r)
{
	int64_t year = rtc_decode(r, r->cmos[RTC_YEAR]) +
		       100 * (int64_t)rtc_decode(r, r->cmos[RTC_CENTURY]);
	int64_t month = rtc_decode(r, r->cmos[RTC_MONTH]) - 1;	/* 0-based */
	int64_t days;

	year += rtc_floor_div(month, 12);
	month = rtc_floor_mod(month, 12);
	days = rtc_days_from_civil(year, month + 1, 1) + rtc_decode(r, r->cmos[RTC_DAY_OF_MONTH]) - 1;
	return days * RTC_SEC_PER_DAY + rtc_decode_hours(r, r->cmos[RTC_HOURS]) * 3600 +
	       rtc_decode(r, r->cmos[RTC_MINUTES]) * 60 + rtc_decode(r, r->cmos[RTC_SECONDS]);
}

static int64_t rtc_host_sec(const struct rtc *r, uint64_t t)
{
	return r->host_sec_base +
	       (int64_t)(rtc_update_index(t, r->host_div_offset_ns) - r->host_upd_base);
}

int64_t rtc_host_offset(const struct rtc *r, uint64_t now_ns)
{
	uint64_t t = now_ns > r->now_ns ? now_ns : r->now_ns;
	int64_t guest = rtc_clock_runs(r) ? rtc_guest_sec(r, t) : rtc_registers_sec(r);

	return guest - rtc_host_sec(r, t);
}

/*
 * The guest set the clock (a time register written while it runs, SET
 * cleared, the divider started): the registers are the time at now_ns, and
 * the next update comes at the divider's next second.  The day-of-week
 * counter keeps the value in its register (datasheet: it is a counter of
 * its own, set by the program).
 */
static void rtc_set_from_registers(struct rtc *r, unsigned reg)
{
	int64_t sec = rtc_registers_sec(r);
	int64_t wday = rtc_floor_mod(rtc_floor_div(sec, RTC_SEC_PER_DAY) + 4, 7);
	int64_t offset;

	r->dow_shift = (uint8_t)rtc_floor_mod(rtc_decode(r, r->cmos[RTC_DAY_OF_WEEK]) - 1 - wday, 7);
	r->sec_base = sec;
	r->upd_base = rtc_update_index(r->now_ns, r->div_offset_ns);
	rtc_show_time(r, sec);
	r->stats.time_sets++;
	offset = rtc_host_offset(r, r->now_ns);
	offset = offset > INT32_MAX ? INT32_MAX : offset < INT32_MIN ? INT32_MIN : offset;
	dev_event_emit(&r->events, DEV_EVENT_RTC, RTC_EVENT_TIME_SET, 0,
		       (uint32_t)(int32_t)offset, reg, 0);
}

/* ---- the alarm ---------------------------------------------------------- */

/* The value 0..limit-1 an alarm byte stands for, RTC_ALARM_ANY or _NONE. */
static int rtc_alarm_value(const struct rtc *r, uint8_t b, int limit, bool hours)
{
	if ((b & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE)
		return RTC_ALARM_ANY;
	for (int v = 0; v < limit; v++)
		if ((hours ? rtc_encode_hours(r, v) : rtc_encode(r, v)) == b)
			return v;
	return RTC_ALARM_NONE;
}

/*
 * The first second after `after` whose hours, minutes and seconds match
 * the alarm bytes (datasheet "Alarm": compared at each update; a
 * don't-care byte matches every value), or RTC_NEVER_SEC.
 */
static int64_t rtc_next_alarm(const struct rtc *r, int64_t after)
{
	int ah = rtc_alarm_value(r, r->cmos[RTC_HOURS_ALARM], 24, true);
	int am = rtc_alarm_value(r, r->cmos[RTC_MINUTES_ALARM], 60, false);
	int as = rtc_alarm_value(r, r->cmos[RTC_SECONDS_ALARM], 60, false);
	int64_t day = rtc_floor_div(after + 1, RTC_SEC_PER_DAY);
	int tod = (int)(after + 1 - day * RTC_SEC_PER_DAY);
	int h = tod / 3600, m = tod / 60 % 60, s = tod % 60;

	if (ah == RTC_ALARM_NONE || am == RTC_ALARM_NONE || as == RTC_ALARM_NONE)
		return RTC_NEVER_SEC;
	/* Earliest match at or after h:m:s; each carry restarts the lower fields. */
	for (;;) {
		if (ah >= 0 && h != ah) {
			if (h > ah)
				day++;
			h = ah;
			m = 0;
			s = 0;
		}
		if (am >= 0 && m != am) {
			if (m > am) {
				m = 0;
				s = 0;
				if (++h == 24) {
					h = 0;
					day++;
				}
				continue;
			}
			m = am;
			s = 0;
		}
		if (as >= 0 && s != as) {
			if (s > as) {
				s = 0;
				if (++m == 60) {
					m = 0;
					if (++h == 24) {
						h = 0;
						day++;
					}
				}
				continue;
			}
			s = as;
		}
		return day * RTC_SEC_PER_DAY + h * 3600 + m * 60 + s;
	}
}

/* ---- catching up, the IRQ pin ------------------------------------------- */

/*
 * Bring the model from now_ns to t: set PF if a periodic edge fell in
 * between, UF if an update cycle ended, AF if one of those updates
 * matched the alarm (datasheet "Register C": whatever the enables), and
 * show the time of t in the registers.
 */
static void rtc_sync(struct rtc *r, uint64_t t)
{
	uint64_t t1 = r->now_ns;

	if (t < t1)
		t = t1;
	if (rtc_divider_runs(r)) {
		uint32_t period = rtc_period_cycles(r->cmos[RTC_REG_A]);

		if (period && rtc_cycle(t, r->div_offset_ns) / period !=
			      rtc_cycle(t1, r->div_offset_ns) / period)
			r->cmos[RTC_REG_C] |= RTC_C_PF;
		if (rtc_clock_runs(r)) {
			int64_t s1 = rtc_guest_sec(r, t1), s2 = rtc_guest_sec(r, t);

			if (s2 != s1) {
				r->cmos[RTC_REG_C] |= RTC_C_UF;
				if (rtc_next_alarm(r, s1) <= s2)
					r->cmos[RTC_REG_C] |= RTC_C_AF;
			}
			rtc_show_time(r, s2);
		}
	}
	r->now_ns = t;
}

/* IRQF and the pin follow the flags and enables; call after every change. */
static void rtc_update_irq(struct rtc *r)
{
	uint8_t c = r->cmos[RTC_REG_C];
	bool irqf = (c & r->cmos[RTC_REG_B] & RTC_C_FLAGS) != 0;

	r->cmos[RTC_REG_C] = (uint8_t)((c & RTC_C_FLAGS) | (irqf ? RTC_C_IRQF : 0));
	if (irqf && !(c & RTC_C_IRQF)) {
		r->stats.irqs++;
		dev_event_emit(&r->events, DEV_EVENT_RTC, RTC_EVENT_IRQ, 0, r->cmos[RTC_REG_C], 0, 0);
	}
	irq_line_set(&r->irq, irqf);
}

/* ---- registers ---------------------------------------------------------- */

static void rtc_write_reg_a(struct rtc *r, uint8_t value)
{
	bool was_running = rtc_divider_runs(r);

	r->cmos[RTC_REG_A] = value & (uint8_t)~RTC_A_UIP;	/* UIP is read-only */
	dev_event_emit(&r->events, DEV_EVENT_RTC, RTC_EVENT_REG_A, 0, r->cmos[RTC_REG_A], 0, 0);
	if (was_running || !rtc_divider_runs(r))
		return;
	/* Datasheet "Divider Control": the first update is 500 ms later. */
	r->div_offset_ns = (uint32_t)((RTC_NS / 2 + RTC_NS - r->now_ns % RTC_NS) % RTC_NS);
	if (!(r->cmos[RTC_REG_B] & RTC_B_SET))
		rtc_set_from_registers(r, RTC_REG_A);
}

static void rtc_write_reg_b(struct rtc *r, uint8_t value)
{
	uint8_t old = r->cmos[RTC_REG_B];

	/* Datasheet "Register B": SET going to 1 clears UIE. */
	if (value & RTC_B_SET)
		value &= (uint8_t)~RTC_B_UIE;
	r->cmos[RTC_REG_B] = value;
	dev_event_emit(&r->events, DEV_EVENT_RTC, RTC_EVENT_REG_B, 0, value, old, 0);
	if ((old & RTC_B_SET) && !(value & RTC_B_SET) && rtc_divider_runs(r))
		rtc_set_from_registers(r, RTC_REG_B);
	else if (rtc_clock_runs(r) && ((old ^ value) & (RTC_B_DM | RTC_B_24H)))
		rtc_show_time(r, rtc_guest_sec(r, r->now_ns));
}

static void rtc_write_data(struct rtc *r, uint8_t value)
{
	unsigned index = r->index == RTC_IBM_PS2_CENTURY ? RTC_CENTURY : r->index;

	switch (index) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		r->cmos[index] = value;
		if (rtc_clock_runs(r))
			rtc_set_from_registers(r, index);
		break;
	case RTC_REG_A:
		rtc_write_reg_a(r, value);
		break;
	case RTC_REG_B:
		rtc_write_reg_b(r, value);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;		/* read-only */
	default:
		r->cmos[index] = value;	/* the alarm bytes and RAM */
		break;
	}
}

static uint8_t rtc_read_data(struct rtc *r)
{
	unsigned index = r->index == RTC_IBM_PS2_CENTURY ? RTC_CENTURY : r->index;
	uint8_t value = r->cmos[index];

	switch (index) {
	case RTC_REG_A:
		if (rtc_clock_runs(r) &&
		    rtc_position(r->now_ns, r->div_offset_ns) >= RTC_NS - RTC_UIP_HOLD_NS)
			value |= RTC_A_UIP;
		break;
	case RTC_REG_C:
		r->cmos[RTC_REG_C] = 0;	/* datasheet: all flags clear on reading */
		break;
	default:
		break;
	}
	return value;
}

uint8_t rtc_read(struct rtc *r, uint16_t port, uint64_t now_ns)
{
	uint8_t value;

	if (port != RTC_PORT_DATA)
		return 0xff;	/* port 0x70 is write-only: 0xff, as QEMU */
	rtc_sync(r, now_ns);
	value = rtc_read_data(r);
	rtc_update_irq(r);
	return value;
}

void rtc_write(struct rtc *r, uint16_t port, uint8_t value, uint64_t now_ns)
{
	bool nmi_disabled;

	switch (port) {
	case RTC_PORT_INDEX:
		r->index = value & RTC_INDEX_MASK;
		nmi_disabled = (value & RTC_INDEX_NMI_DISABLE) != 0;
		if (nmi_disabled != r->nmi_disabled)
			dev_event_emit(&r->events, DEV_EVENT_RTC, RTC_EVENT_NMI_MASK, 0,
				       nmi_disabled, 0, 0);
		r->nmi_disabled = nmi_disabled;
		break;
	case RTC_PORT_DATA:
		rtc_sync(r, now_ns);
		rtc_write_data(r, value);
		rtc_update_irq(r);
		break;
	default:
		break;
	}
}

/* ---- time ---------------------------------------------------------------- */

uint64_t rtc_next_deadline(const struct rtc *r, uint64_t now_ns)
{
	uint8_t b = r->cmos[RTC_REG_B];
	uint32_t period = rtc_period_cycles(r->cmos[RTC_REG_A]);
	uint64_t t = r->now_ns, d = RTC_NEVER_NS, next;

	/* Raised already: nothing changes the pin until C is read. */
	if ((r->cmos[RTC_REG_C] & RTC_C_IRQF) || !rtc_divider_runs(r))
		return RTC_NEVER_NS;
	if ((b & RTC_B_PIE) && period) {
		next = rtc_cycle_time((rtc_cycle(t, r->div_offset_ns) / period + 1) * period,
				      r->div_offset_ns);
		d = next < d ? next : d;
	}
	if (rtc_clock_runs(r) && (b & RTC_B_UIE)) {
		next = rtc_update_time(rtc_update_index(t, r->div_offset_ns) + 1, r->div_offset_ns);
		d = next < d ? next : d;
	}
	if (rtc_clock_runs(r) && (b & RTC_B_AIE)) {
		int64_t alarm = rtc_next_alarm(r, rtc_guest_sec(r, t));

		if (alarm != RTC_NEVER_SEC) {
			next = rtc_update_time(r->upd_base + (uint64_t)(alarm - r->sec_base),
					       r->div_offset_ns);
			d = next < d ? next : d;
		}
	}
	return d < now_ns ? now_ns : d;
}

void rtc_advance(struct rtc *r, uint64_t now_ns)
{
	rtc_sync(r, now_ns);
	rtc_update_irq(r);
}

/* ---- life ------------------------------------------------------------------ */

/* The memory size bytes, as QEMU's pc_cmos_init(). */
static void rtc_set_memory_size(struct rtc *r, uint64_t ram_size)
{
	uint64_t below = ram_size < RTC_RAM_BELOW_4G_MAX ? ram_size : RTC_RAM_BELOW_4G_MAX;
	uint64_t above = ram_size - below;
	uint64_t v;

	v = below / 1024 < 640 ? below / 1024 : 640;
	r->cmos[RTC_CMOS_BASE_MEM] = (uint8_t)v;
	r->cmos[RTC_CMOS_BASE_MEM + 1] = (uint8_t)(v >> 8);
	v = below > (1u << 20) ? (below - (1u << 20)) / 1024 : 0;
	v = v > 65535 ? 65535 : v;
	r->cmos[RTC_CMOS_EXT_MEM] = r->cmos[RTC_CMOS_EXT_MEM2] = (uint8_t)v;
	r->cmos[RTC_CMOS_EXT_MEM + 1] = r->cmos[RTC_CMOS_EXT_MEM2 + 1] = (uint8_t)(v >> 8);
	v = below > (16u << 20) ? (below - (16u << 20)) / 65536 : 0;
	v = v > 65535 ? 65535 : v;
	r->cmos[RTC_CMOS_MEM_ABOVE_16M] = (uint8_t)v;
	r->cmos[RTC_CMOS_MEM_ABOVE_16M + 1] = (uint8_t)(v >> 8);
	v = above / 65536;
	v = v > 0xffffff ? 0xffffff : v;
	r->cmos[RTC_CMOS_MEM_ABOVE_4G] = (uint8_t)v;
	r->cmos[RTC_CMOS_MEM_ABOVE_4G + 1] = (uint8_t)(v >> 8);
	r->cmos[RTC_CMOS_MEM_ABOVE_4G + 2] = (uint8_t)(v >> 16);
}

void rtc_init(struct rtc *r, struct irq_line irq, uint64_t ram_size, int64_t realtime_ns,
	      uint64_t now_ns)
{
	uint32_t phase = (uint32_t)rtc_floor_mod(realtime_ns, (int64_t)RTC_NS);

	memset(r, 0, sizeof(*r));
	r->irq = irq;
	r->now_ns = now_ns;
	r->cmos[RTC_REG_A] = RTC_A_POWER_ON;
	r->cmos[RTC_REG_B] = RTC_B_POWER_ON;
	r->cmos[RTC_REG_D] = RTC_D_VRT;
	rtc_set_memory_size(r, ram_size);
	/* The divider is `phase` into its second now, as the host's clock. */
	r->div_offset_ns = (uint32_t)((phase + RTC_NS - now_ns % RTC_NS) % RTC_NS);
	r->sec_base = rtc_floor_div(realtime_ns, (int64_t)RTC_NS);
	r->upd_base = rtc_update_index(now_ns, r->div_offset_ns);
	r->host_div_offset_ns = r->div_offset_ns;
	r->host_sec_base = r->sec_base;
	r->host_upd_base = r->upd_base;
	rtc_show_time(r, r->sec_base);
}

void rtc_reset(struct rtc *r, uint64_t now_ns)
{
	rtc_sync(r, now_ns);
	r->cmos[RTC_REG_B] &= (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
	r->cmos[RTC_REG_C] = 0;
	rtc_update_irq(r);
	dev_event_emit(&r->events, DEV_EVENT_RTC, RTC_EVENT_RESET, 0, r->cmos[RTC_REG_B], 0, 0);
}

/* ---- events ------------------------------------------------------------------ */

const char *const rtc_event_names[RTC_EVENT_NR] = {
	[RTC_EVENT_REG_A] = "reg-a", [RTC_EVENT_REG_B] = "reg-b",
	[RTC_EVENT_TIME_SET] = "time-set", [RTC_EVENT_IRQ] = "irq",
	[RTC_EVENT_NMI_MASK] = "nmi-mask", [RTC_EVENT_RESET] = "reset",
};

static const char *const rtc_divider_names[8] = {
	"4.194304 MHz time base: stopped", "1.048576 MHz time base: stopped",
	"32.768 kHz time base: running", "test mode: stopped", "test mode: stopped",
	"test mode: stopped", "divider reset", "divider reset",
};

static const char *const rtc_register_names[] = {
	[RTC_SECONDS] = "seconds", [RTC_MINUTES] = "minutes", [RTC_HOURS] = "hours",
	[RTC_DAY_OF_WEEK] = "day of week", [RTC_DAY_OF_MONTH] = "day of month",
	[RTC_MONTH] = "month", [RTC_YEAR] = "year", [RTC_REG_A] = "the divider started",
	[RTC_REG_B] = "SET cleared",
};

static const char *rtc_register_name(uint32_t reg)
{
	if (reg == RTC_CENTURY)
		return "century";
	if (reg < sizeof(rtc_register_names) / sizeof(rtc_register_names[0]) &&
	    rtc_register_names[reg] != NULL)
		return rtc_register_names[reg];
	return "?";
}

int rtc_event_format(const struct dev_event *ev, char *buf, size_t size)
{
	uint32_t v = ev->arg[0] & 0xff;
	uint32_t period;

	switch (ev->type) {
	case RTC_EVENT_REG_A:
		period = rtc_period_cycles((uint8_t)v);
		return snprintf(buf, size, "register A 0x%02x: %s, periodic rate %u (%u Hz)", v,
				rtc_divider_names[(v & RTC_A_DV_MASK) >> 4], v & RTC_A_RS_MASK,
				period ? RTC_HZ / period : 0);
	case RTC_EVENT_REG_B:
		return snprintf(buf, size, "register B 0x%02x (was 0x%02x):%s%s%s%s%s %s, %s%s", v,
				ev->arg[1] & 0xff, v & RTC_B_SET ? " SET" : "",
				v & RTC_B_PIE ? " PIE" : "", v & RTC_B_AIE ? " AIE" : "",
				v & RTC_B_UIE ? " UIE" : "", v & RTC_B_SQWE ? " SQWE" : "",
				v & RTC_B_DM ? "binary" : "BCD", v & RTC_B_24H ? "24-hour" : "12-hour",
				v & RTC_B_DSE ? ", DSE" : "");
	case RTC_EVENT_TIME_SET:
		return snprintf(buf, size, "clock set (%s): %+d s from host time",
				rtc_register_name(ev->arg[1]), (int32_t)ev->arg[0]);
	case RTC_EVENT_IRQ:
		return snprintf(buf, size, "IRQ raised: register C 0x%02x%s%s%s", v,
				v & RTC_C_PF ? " PF" : "", v & RTC_C_AF ? " AF" : "",
				v & RTC_C_UF ? " UF" : "");
	case RTC_EVENT_NMI_MASK:
		return snprintf(buf, size, "NMI %s (port 0x70 bit 7)",
				ev->arg[0] ? "disabled" : "enabled");
	case RTC_EVENT_RESET:
		return snprintf(buf, size, "reset: register B 0x%02x, C 0x00", v);
	default:
		return snprintf(buf, size, "event %u", ev->type);
	}
}
