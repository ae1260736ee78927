/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_RTC146818_H
#define MINIVMM_DEVICES_RTC146818_H

/*
 * The PC's Motorola MC146818A real-time clock and its 128 bytes of CMOS
 * RAM, at ports 0x70 (index) and 0x71 (data), its IRQ pin on ISA IRQ8.
 *
 * Time is an argument, as in the PIT: every function takes now_ns (host
 * CLOCK_MONOTONIC nanoseconds, the device timers' clock); an earlier now_ns
 * than already seen is taken as the latest one seen.  The host's wall
 * clock enters once, at rtc_init(): realtime_ns (CLOCK_REALTIME, UTC, as
 * QEMU's default -rtc base=utc).  From then on the chip keeps time on its
 * own, as a battery-backed chip does: a host clock step (NTP, date -s) does
 * not reach it (QEMU's default rtc clock=host follows such steps; we do
 * not, so the guest's time never jumps under it).
 *
 * The clock is computed, nothing ticks: the divider chain's phase is an
 * offset from now_ns, an update cycle happens at every whole second of
 * that phase, and the calendar is a count of seconds since 1970-01-01
 * (rtc.sec_base) plus the updates since it was set.  A guest that writes
 * the time registers sets that count; the difference from host time is
 * kept across rtc_reset() (rtc_host_offset() reports it), as QEMU keeps
 * its offset.  Each register access first catches up on what happened
 * since the last one (flags PF, AF and UF are set whether or not their
 * interrupt is enabled: datasheet "Register C"), so a guest that enables
 * no interrupt needs no timer at all: rtc_next_deadline() is UINT64_MAX
 * unless an enabled interrupt could raise IRQ next.
 *
 * The interrupt: IRQF = PF.PIE + AF.AIE + UF.UIE (datasheet "Register C"),
 * and the IRQ line is high exactly while IRQF is set.  Reading register C
 * clears every flag and lowers the line.  On a PC the pin reaches the slave
 * 8259 as IRQ8, edge triggered, so a guest must read C to get another edge.
 *
 * Deliberate choices and deviations, datasheet first, QEMU where it is
 * silent (hw/rtc/mc146818rtc.c):
 * - Divider (register A DV2-0): only 010 (the PC's 32.768 kHz time base)
 *   runs the clock.  11x holds the divider chain in reset; any other value
 *   (the 4.194304 and 1.048576 MHz time bases, which a 32.768 kHz crystal
 *   cannot drive, and the test modes) stops it too.  QEMU also runs with
 *   000 and 001.  Leaving reset (or any stop) for 010, the first update
 *   comes half a second later (datasheet "Divider Control"; QEMU too).
 *   While the divider does not run, neither do the periodic interrupt, the
 *   updates, UIP, the alarm or UF.
 * - SET (register B) stops the updates, not the divider: the periodic
 *   interrupt goes on, and when SET clears, the clock resumes from the
 *   registers at the divider's phase.  Setting SET clears UIE (datasheet
 *   "Register B"; QEMU does so too).
 * - UIP is 1 during the 244 us (8 periods of 32.768 kHz) before each
 *   update, computed from the clock.  The update itself takes no time
 *   here, where the chip's takes 1984 us with UIP still high (datasheet
 *   "Update Cycle"); QEMU simplifies the same way and Linux does not mind.
 * - The day-of-week register is a counter of its own, advanced at
 *   midnight, as the datasheet describes it (QEMU recomputes it from the
 *   date, so a written weekday is lost); the value written (taken modulo 7,
 *   1 = Sunday) is kept when the guest sets the date.
 * - Changing DM or 24/12 re-encodes the time registers in the new format
 *   while the clock runs (as QEMU; the datasheet says to set the time again
 *   after changing them).  Out-of-range values written to the time
 *   registers are normalized (minute 61 is the next hour's first), as
 *   QEMU's mktimegm() does; a real chip would count on from them.
 * - The century byte (0x32, and the IBM PS/2 alias 0x37) is plain RAM on
 *   the chip; here it follows the calendar, as QEMU does.
 * - DSE (daylight saving) and SQWE (square-wave pin, not wired on a PC)
 *   are stored only.
 * - Reading port 0x70 returns 0xff, as QEMU does (the PC's index register
 *   is write-only).  Bit 7 written to it is the PC's NMI mask: remembered
 *   (rtc.nmi_disabled), with no NMI source to mask.
 * - rtc_reset() is the chip's RESET pin (datasheet "RESET"): PIE, AIE, UIE
 *   and SQWE are cleared, so are the flags in C, and IRQ goes low; the time,
 *   the other registers and the RAM are kept.  QEMU does not clear UIE and
 *   clears the shutdown status byte 0x0f unless it is 0xfe (S3 resume);
 *   we keep 0x0f, which a real reset keeps too.
 * - CMOS RAM is filled as QEMU's pc_cmos_init() does with the memory size
 *   bytes (see RTC_CMOS_*) and the century; nothing else (no checksum).
 *
 * "Datasheet" means the Motorola MC146818A data sheet (real-time clock plus
 * RAM); section names are quoted from it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "irq.h"

/* I/O ports */
#define RTC_PORT_INDEX		0x70	/* write: bit 7 NMI mask, bits 6-0 the address */
#define RTC_PORT_DATA		0x71
#define RTC_INDEX_NMI_DISABLE	0x80
#define RTC_INDEX_MASK		0x7f

#define RTC_CMOS_SIZE		128	/* 14 clock registers and 114 bytes of RAM */

/* Address map (datasheet "Address Map") */
#define RTC_SECONDS		0x00
#define RTC_SECONDS_ALARM	0x01
#define RTC_MINUTES		0x02
#define RTC_MINUTES_ALARM	0x03
#define RTC_HOURS		0x04
#define RTC_HOURS_ALARM		0x05
#define RTC_DAY_OF_WEEK		0x06	/* 1-7, Sunday = 1 */
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09	/* 0-99 */
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32	/* the PC's (and QEMU's) century byte */
#define RTC_IBM_PS2_CENTURY	0x37	/* an alias of it, as in QEMU */

/* An alarm byte of 11xxxxxx matches every value (datasheet "Alarm") */
#define RTC_ALARM_DONT_CARE	0xc0

/* Hours in 12-hour mode: bit 7 is PM */
#define RTC_HOURS_PM		0x80

/* Register A */
#define RTC_A_UIP		0x80	/* update in progress (read-only) */
#define RTC_A_DV_MASK		0x70	/* divider DV2-0 */
#define RTC_A_DV_32KHZ		0x20	/* DV = 010: 32.768 kHz time base, running */
#define RTC_A_DV_RESET		0x60	/* DV = 11x: divider chain held in reset */
#define RTC_A_RS_MASK		0x0f	/* rate select RS3-0 */

/* Register B */
#define RTC_B_SET		0x80	/* stop updates, so the time can be set */
#define RTC_B_PIE		0x40	/* periodic interrupt enable */
#define RTC_B_AIE		0x20	/* alarm interrupt enable */
#define RTC_B_UIE		0x10	/* update-ended interrupt enable */
#define RTC_B_SQWE		0x08	/* square-wave enable */
#define RTC_B_DM		0x04	/* data mode: 1 binary, 0 BCD */
#define RTC_B_24H		0x02	/* 1: 24-hour, 0: 12-hour */
#define RTC_B_DSE		0x01	/* daylight saving enable */

/* Register C (read-only, cleared by reading it) */
#define RTC_C_IRQF		0x80	/* interrupt request: PF.PIE + AF.AIE + UF.UIE */
#define RTC_C_PF		0x40	/* periodic */
#define RTC_C_AF		0x20	/* alarm */
#define RTC_C_UF		0x10	/* update ended */
#define RTC_C_FLAGS		(RTC_C_PF | RTC_C_AF | RTC_C_UF)

/* Register D (read-only) */
#define RTC_D_VRT		0x80	/* valid RAM and time: the battery is good */

/* Power-on values, a PC BIOS's (and QEMU's) */
#define RTC_A_POWER_ON		(RTC_A_DV_32KHZ | 0x06)	/* running, 1024 Hz rate */
#define RTC_B_POWER_ON		RTC_B_24H		/* 24-hour, BCD */

/*
 * CMOS RAM bytes of the PC, as QEMU's pc_cmos_init() fills them (little
 * endian pairs).  RAM lies at 0 up to RTC_RAM_BELOW_4G_MAX (minivmm's
 * layout); more would be mapped from 4 GiB up, as a PC does.
 */
#define RTC_CMOS_BASE_MEM	0x15	/* KiB below 1 MiB, at most 640 */
#define RTC_CMOS_EXT_MEM	0x17	/* KiB above 1 MiB, at most 65535 */
#define RTC_CMOS_EXT_MEM2	0x30	/* the same again */
#define RTC_CMOS_MEM_ABOVE_16M	0x34	/* 64 KiB units, 16 MiB to 4 GiB, at most 65535 */
#define RTC_CMOS_MEM_ABOVE_4G	0x5b	/* 64 KiB units above 4 GiB, 3 bytes */
#define RTC_RAM_BELOW_4G_MAX	(UINT64_C(3) << 30)

/* The 244 us before an update during which UIP is 1: 8 periods of 32.768 kHz */
#define RTC_UIP_HOLD_NS		244140u

struct rtc_stats {
	uint64_t irqs;		/* rises of IRQF (edges on IRQ8) */
	uint64_t time_sets;	/* the guest set the clock */
};

/*
 * Device events (devices/events.h), source DEV_EVENT_RTC; unit 0.  Reads,
 * index writes that keep the NMI mask, alarm and RAM writes emit nothing.
 */
enum rtc_event {
	RTC_EVENT_REG_A,	/* register A written: arg0 the value */
	RTC_EVENT_REG_B,	/* register B written: arg0 the new value (SET clears UIE),
				 * arg1 the old value */
	RTC_EVENT_TIME_SET,	/* the guest set the clock: arg0 guest minus host seconds
				 * (int32_t, saturated), arg1 the register that set it:
				 * a time register, or B when SET cleared, A when the
				 * divider started */
	RTC_EVENT_IRQ,		/* IRQF rose: arg0 register C */
	RTC_EVENT_NMI_MASK,	/* port 0x70 bit 7 changed: arg0 1 = NMI disabled */
	RTC_EVENT_RESET,	/* rtc_reset(): arg0 register B after it */
	RTC_EVENT_NR,
};

struct rtc {
	uint8_t cmos[RTC_CMOS_SIZE];	/* registers and RAM: the time registers as of now_ns */
	uint8_t index;			/* bits 6-0 of the last write to port 0x70 */
	bool nmi_disabled;		/* bit 7 of it */
	struct irq_line irq;		/* the IRQ pin: high while C.IRQF is set */
	uint64_t now_ns;		/* the latest time seen; flags are set up to it */

	/*
	 * The divider chain: at time t it is (t + div_offset_ns) % 10^9 ns into
	 * its second, and an update cycle ends each second.  update_index(t)
	 * counts them: floor((t + div_offset_ns) / 10^9).
	 */
	uint32_t div_offset_ns;
	/* The calendar while the clock runs: sec_base seconds since
	 * 1970-01-01 00:00:00 at update index upd_base, one more per update. */
	int64_t sec_base;
	uint64_t upd_base;
	uint8_t dow_shift;		/* day-of-week counter minus the date's weekday, mod 7 */

	/* The host's UTC clock, the same way (fixed at rtc_init()) */
	uint32_t host_div_offset_ns;
	int64_t host_sec_base;
	uint64_t host_upd_base;

	struct rtc_stats stats;
	struct dev_events events;	/* zeroed by rtc_init: nobody listens */
};

extern const char *const rtc_event_names[RTC_EVENT_NR];

/* The text of an RTC event (a dev_event_format_fn). */
int rtc_event_format(const struct dev_event *ev, char *buf, size_t size);

/*
 * Power-on state at now_ns, the clock set to realtime_ns (nanoseconds since
 * 1970-01-01 UTC): A 0x26 (running, 1024 Hz), B 0x02 (24-hour, BCD), C 0,
 * D VRT, the memory size bytes for ram_size bytes of RAM, the century.
 * IRQ is assumed low.
 */
void rtc_init(struct rtc *r, struct irq_line irq, uint64_t ram_size, int64_t realtime_ns,
	      uint64_t now_ns);

/*
 * The RESET pin (a guest reboot): clears PIE, AIE, UIE, SQWE and register
 * C's flags, lowers IRQ.  The time (and its offset from the host), the RAM,
 * A and the other bits of B stay.
 */
void rtc_reset(struct rtc *r, uint64_t now_ns);

/* A guest read of one byte: 0x71 reads CMOS[index] (C clears on reading),
 * 0x70 and any other port read 0xff. */
uint8_t rtc_read(struct rtc *r, uint16_t port, uint64_t now_ns);

/* A guest write of one byte: 0x70 the index and NMI mask, 0x71 CMOS[index]
 * (C and D are read-only).  Other ports are ignored. */
void rtc_write(struct rtc *r, uint16_t port, uint8_t value, uint64_t now_ns);

/*
 * The absolute time (ns) at which an enabled interrupt raises IRQ next, or
 * UINT64_MAX if none can: while IRQF is already set, or no enabled
 * interrupt has a flag to raise.  Never earlier than now_ns; after any call
 * that took now_ns, later than it.
 */
uint64_t rtc_next_deadline(const struct rtc *r, uint64_t now_ns);

/* The clock reached a deadline (any time is fine): set the flags due by
 * now_ns and raise IRQ if an enabled one is set. */
void rtc_advance(struct rtc *r, uint64_t now_ns);

/* Guest time minus host time, in whole seconds, at now_ns (after the
 * latest access): 0 until the guest sets the clock. */
int64_t rtc_host_offset(const struct rtc *r, uint64_t now_ns);

#endif
