/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_PIT8254_H
#define MINIVMM_DEVICES_PIT8254_H

/*
 * The PC's Intel 8254 Programmable Interval Timer at ports 0x40-0x43, plus
 * the two bits of "system control port B" (port 0x61) that belong to it:
 * counter 2's GATE and counter 2's OUT.
 *
 * Wiring, as on a PC: all three counters are clocked at PIT_FREQ_HZ;
 * counter 0's OUT drives IRQ0; counters 0 and 1 have GATE tied high;
 * counter 2's GATE is port 0x61 bit 0 and its OUT reads back in port 0x61
 * bit 5 (it would also feed the speaker, which is not emulated).
 *
 * Time is an argument.  Every function takes now_ns (host CLOCK_MONOTONIC
 * nanoseconds) and the model computes, with exact integer arithmetic, how
 * many PIT clock pulses have happened by then: clocks = now_ns * 1193182 /
 * 10^9, rounded down.  Nothing ticks.  Time never goes backwards here: an
 * earlier now_ns than already seen is taken as the latest one seen.
 *
 * IRQ0 tick policy ("catch-up with a cap", like the reinject policy of
 * KVM's in-kernel PIT).  Every rising edge of counter 0's OUT that counting
 * makes (each period boundary in modes 2 and 3, terminal count in mode 0,
 * the end of the strobe in mode 4) is one tick owed to the guest.  A tick
 * is delivered as one rising edge on IRQ0 (the line is pulled low, then
 * high, and rests high, so the request is still asserted when the 8259 runs
 * its INTA cycle).  The next owed tick is delivered only after
 * pit_irq_acknowledged() reports that the PIC took the previous one, so two
 * ticks never merge in the PIC's IRR: a host that wakes up late, or a guest
 * that cannot keep up, gets every tick, one per acknowledge.  The backlog
 * of owed ticks is capped at one second's worth (PIT_FREQ_HZ / period, at
 * least 1); edges beyond it are dropped and counted in stats.ticks_dropped.
 * Three events cut the wait or the backlog short, as in KVM:
 * - A control word for counter 0 discards the backlog and forgets the tick
 *   in flight (the guest restarted its timer; ticks at the old rate are
 *   stale), as KVM's kvm_pit_reset_reinject() does when the count is
 *   reloaded.
 * - The PIC's ICW1 discards a tick still in its IRR, which will never be
 *   acknowledged; the PIC reports it to its ack_notify all the same, as
 *   KVM's kvm_pic_reset() does, so pit_irq_acknowledged() is called and the
 *   ticks go on at once.
 * - IRQ0 unmasked in the PIC: pit_irq0_unmasked() drops the backlog, as
 *   KVM's pit_mask_notifer() does (kvm_pit_reset_reinject()).  A real 8259
 *   collapses the edges of a masked input into its one IRR bit, so a guest
 *   that masked IRQ0 for a minute gets that one request (the tick in
 *   flight, acknowledged normally now that it is unmasked), not a burst,
 *   and then ticks at the normal rate.
 * Over a long run: stats.out0_rises == stats.ticks_delivered +
 * stats.ticks_dropped + ticks_owed.
 *
 * Deviation from the data sheet, as QEMU and KVM do: a control word never
 * puts an edge on IRQ0, even one that raises OUT0 (any mode but 0 written
 * over a low OUT0, e.g. Linux's mode 4 over mode 0 before terminal count or
 * over the low half of mode 3).  OUT0 itself (status byte) follows the data
 * sheet; only no tick is owed for that edge, which belongs to no count.
 * QEMU updates no IRQ on a control word (and its mode 4 OUT is low except
 * at terminal count); KVM injects only when its timer expires.  So Linux's
 * one-shot clockevent (control word 0x38 once, then only a count, LSB then
 * MSB, per event) gets exactly one IRQ0 per count.
 *
 * The VMM drives the model with one timer: sleep until pit_next_deadline(),
 * call pit_advance(), repeat.  From the PIC's ack_notify for IRQ0 (INTA,
 * poll, and ICW1's discard) it calls pit_irq_acknowledged(), and from its
 * mask_notify when IRQ0 is unmasked pit_irq0_unmasked(); after either, the
 * deadline may have changed.
 *
 * "Datasheet" below means the Intel 8254 Programmable Interval Timer data
 * sheet (order no. 231164); section names are quoted from it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "irq.h"

/* The counters' CLK input on a PC: 14.31818 MHz / 12. */
#define PIT_FREQ_HZ	1193182

/* I/O ports */
#define PIT_PORT_COUNTER0	0x40
#define PIT_PORT_COUNTER1	0x41
#define PIT_PORT_COUNTER2	0x42
#define PIT_PORT_CONTROL	0x43	/* write: control word; reads 0xff */
#define PIT_PORT_B		0x61	/* PC system control port B */
#define PIT_NUM_COUNTERS	3

/* Control Word Format (datasheet "Control Word Format"): SC1 SC0 RW1 RW0 M2 M1 M0 BCD */
#define PIT_CW_SC_SHIFT		6
#define PIT_CW_SC_READ_BACK	3	/* SC = 11: Read-Back Command */
#define PIT_CW_RW_SHIFT		4
#define PIT_CW_RW_MASK		0x30
#define PIT_CW_M_SHIFT		1
#define PIT_CW_M_MASK		0x0e
#define PIT_CW_M2		0x08	/* don't care in modes 2 and 3 ("X10", "X11") */
#define PIT_CW_BCD		0x01	/* Binary Coded Decimal counter (4 decades) */

/* RW field: how the counter is read and written */
#define PIT_RW_LATCH		0	/* Counter Latch Command */
#define PIT_RW_LSB		1	/* least significant byte only */
#define PIT_RW_MSB		2	/* most significant byte only */
#define PIT_RW_LSB_MSB		3	/* least significant byte first, then most */

/* Modes (datasheet "Mode Definitions") */
#define PIT_MODE_INTERRUPT_ON_TC	0	/* Mode 0: Interrupt on Terminal Count */
#define PIT_MODE_ONE_SHOT		1	/* Mode 1: Hardware Retriggerable One-Shot */
#define PIT_MODE_RATE_GENERATOR		2	/* Mode 2: Rate Generator */
#define PIT_MODE_SQUARE_WAVE		3	/* Mode 3: Square Wave Mode */
#define PIT_MODE_SW_STROBE		4	/* Mode 4: Software Triggered Strobe */
#define PIT_MODE_HW_STROBE		5	/* Mode 5: Hardware Triggered Strobe */

/* Read-Back Command (datasheet "Read-Back Command"): 1 1 COUNT STATUS CNT2 CNT1 CNT0 0 */
#define PIT_RB_NOT_COUNT	0x20	/* 0 = latch the count of the selected counters */
#define PIT_RB_NOT_STATUS	0x10	/* 0 = latch their status */
#define PIT_RB_CNT(n)		(0x02u << (n))

/* Status byte (datasheet "Read-Back Command"): OUTPUT NULL_COUNT RW1 RW0 M2 M1 M0 BCD */
#define PIT_STATUS_OUTPUT	0x80
#define PIT_STATUS_NULL_COUNT	0x40
#define PIT_STATUS_CW_MASK	0x3f	/* the counter's control word, as written */

/*
 * Port 0x61 (IBM PC/AT Technical Reference, "System Control Port B"; names
 * from Linux's asm/mach_traps.h where it has them).  Bits 0-3 are read/write,
 * bits 4-7 read-only.
 */
#define PIT_PORTB_GATE2		0x01	/* counter 2's GATE */
#define PIT_PORTB_SPEAKER	0x02	/* speaker data enable: stored only */
#define PIT_PORTB_CLEAR_SERR	0x04	/* parity check enable (active low): stored */
#define PIT_PORTB_CLEAR_IOCHK	0x08	/* channel check enable (active low): stored */
#define PIT_PORTB_WRITABLE	0x0f
#define PIT_PORTB_REFRESH	0x10	/* toggles once per DRAM refresh request */
#define PIT_PORTB_OUT2		0x20	/* counter 2's OUT */
#define PIT_PORTB_IOCHK		0x40	/* I/O channel check: never set here */
#define PIT_PORTB_SERR		0x80	/* system error / parity: never set here */

/* Backlog cap of the tick policy: this much time's worth of owed ticks. */
#define PIT_BACKLOG_NS		1000000000ull

/*
 * The host timer's floor: while counter 0 runs periodically faster than
 * this (mode 2 or 3 with a period under 200 us, i.e. above 5 kHz: down to
 * reload 2, 596.6 kHz), pit_next_deadline() is never earlier than this
 * long after the last pit_advance().  The edges meanwhile are owed, not
 * lost: the timer delivers one, and each acknowledge the next (on the
 * vCPU's own thread), so the guest still gets every tick, in bursts of up
 * to 200 us worth.  Without it a guest fast enough to take each tick at
 * once would wake the VMM's timer thread once per period, ~600,000 times a
 * second at reload 2: a second host CPU for one guest.  200 us is KVM's
 * default min_timer_period_us, which clamps the periodic PIT's period
 * itself (and so loses the ticks); one-shot modes are not clamped, there
 * or here.
 */
#define PIT_TIMER_MIN_NS	200000ull

/*
 * One counter.  Counting is computed from time: while `running`, the
 * counting element (CE) was loaded at PIT clock `base` and has counted
 * every clock since; while not, it holds `frozen`.
 */
struct pit_counter {
	/* Programming: the last control word */
	uint8_t control;	/* RW1 RW0 M2 M1 M0 BCD as written (status byte bits 5-0) */
	uint8_t mode;		/* effective mode 0-5: modes 6 and 7 are 2 and 3 */

	/* Write side */
	uint16_t cr;		/* Count Register: the last complete count written */
	uint8_t write_lsb;	/* first byte of an LSB-then-MSB write */
	bool write_msb_next;	/* write flip-flop: the next byte is the MSB */
	bool cr_valid;		/* a count was written since the control word */
	bool null_count;	/* CR written but not yet transferred into CE */

	/* Read side */
	bool read_msb_next;	/* read flip-flop: the next byte read is the MSB */
	bool count_latched;	/* Output Latch holds a latched count */
	uint16_t ol;		/* Output Latch */
	bool status_latched;
	uint8_t status;		/* latched status byte */

	/* Counting element */
	bool gate;		/* GATE input level */
	bool ce_loaded;		/* CE got a count since the control word */
	bool running;		/* CE decrements on every clock */
	bool tc_seen;		/* modes 0/4: terminal count passed before a freeze */
	uint64_t base;		/* PIT clock at which CE was loaded (or resumed) */
	uint32_t start;		/* modes 0/1/4/5: clocks from `base` to terminal count */
	uint32_t period;	/* modes 2/3: N, 1-65536 (BCD: 1-10000) */
	uint32_t phase;		/* modes 2/3: position in the period at `base` */
	uint16_t frozen;	/* CE contents (as read) while not running */

	/* A pending transfer of CR into CE at PIT clock `load_at` */
	bool load_pending;
	uint64_t load_at;
	uint32_t load_phase;	/* mode 3: a count loaded mid-period starts here */
};

struct pit_stats {
	uint64_t out0_rises;		/* rising edges of counter 0's OUT */
	uint64_t ticks_delivered;	/* rising edges put on IRQ0 */
	uint64_t ticks_dropped;		/* owed ticks dropped: cap, reprogramming, unmask */
};

/*
 * Device events (devices/events.h), source DEV_EVENT_PIT; unit = the
 * counter (0-2), 3 = port 0x61.
 */
enum pit_event {
	PIT_EVENT_CONTROL,	/* a control word: arg0 the value */
	PIT_EVENT_COUNT,	/* a complete count written: arg0 CR as written, arg1 mode,
				 * arg2 the clocks it stands for (a CR of 0: 65536, or 10000 in BCD) */
	PIT_EVENT_LATCH,	/* a counter latch command */
	PIT_EVENT_READ_BACK,	/* a read-back command: arg0 the value; unit 0 */
	PIT_EVENT_PORT_B,	/* port 0x61 written: arg0 value, arg1 GATE2; unit 3 */
	PIT_EVENT_TICK,		/* a tick put on IRQ0: arg0 ticks still owed; unit 0 */
	PIT_EVENT_TICKS_DROPPED,/* arg0 how many (saturates), arg64 exactly how many,
				 * arg1 enum pit_drop_reason; unit 0 */
	PIT_EVENT_NR,
};

enum pit_drop_reason {
	PIT_DROP_BACKLOG_CAP,	/* more than PIT_BACKLOG_NS worth owed */
	PIT_DROP_REPROGRAMMED,	/* a control word for counter 0 */
	PIT_DROP_UNMASKED,	/* IRQ0 unmasked: pit_irq0_unmasked() */
};

#define PIT_UNIT_PORT_B 3

struct pit {
	struct pit_counter counter[PIT_NUM_COUNTERS];
	uint8_t port_b;		/* the writable bits of port 0x61 */
	struct irq_line irq0;	/* counter 0's OUT, as ticks (see above) */
	uint64_t now_ns;	/* the latest time seen */
	uint64_t advanced_ns;	/* the last pit_advance(): the timer's floor counts from it */
	uint64_t clock;		/* PIT clock pulses by now_ns, all accounted for */
	uint64_t ticks_owed;	/* rising edges of OUT0 not yet delivered */
	bool tick_in_flight;	/* a delivered tick awaits pit_irq_acknowledged() */
	bool delivering;	/* pit_update_irq() is running (re-entry guard) */
	struct pit_stats stats;
	struct dev_events events;	/* zeroed by pit_init: nobody listens */
};

extern const char *const pit_event_names[PIT_EVENT_NR];

/* The text of a PIT event (a dev_event_format_fn). */
int pit_event_format(const struct dev_event *ev, char *buf, size_t size);

/*
 * Power-on state, at time now_ns.  The 8254 has none defined, so this is
 * what a PC BIOS leaves, as QEMU also does: every counter in mode 3, binary,
 * LSB-then-MSB, count 0 (65536), loaded at now_ns; so counter 0 ticks IRQ0
 * at 18.2 Hz until the guest reprograms it.  Counter 2's GATE (port 0x61)
 * is low.  IRQ0 is assumed low.
 */
void pit_init(struct pit *p, struct irq_line irq0, uint64_t now_ns);

/*
 * A guest read of one byte from `port`: 0x40-0x42 read the counters (a
 * latched status, a latched count, or the live count, by the counter's RW
 * mode and read flip-flop); 0x43 and any other port read 0xff; 0x61 reads
 * the stored bits 0-3, the refresh toggle, and counter 2's OUT at now_ns.
 */
uint8_t pit_read(struct pit *p, uint16_t port, uint64_t now_ns);

/*
 * A guest write of one byte to `port`: 0x40-0x42 a count byte, 0x43 a
 * control word, counter latch or read-back command, 0x61 GATE2 and the
 * stored bits.  Other ports are ignored.
 */
void pit_write(struct pit *p, uint16_t port, uint8_t value, uint64_t now_ns);

/*
 * The absolute time (ns) of the next event that puts an edge on IRQ0, or
 * UINT64_MAX if none is coming.  Never earlier than now_ns; after any call
 * that took now_ns (pit_advance() for one) it is later than now_ns, so
 * calling pit_advance() at each deadline never spins.  While a tick is in
 * flight nothing needs one (UINT64_MAX): the next tick goes out on the
 * acknowledge, and the edges meanwhile are counted then.  Counter 0
 * periodic faster than PIT_TIMER_MIN_NS: not earlier than that long after
 * the last pit_advance().
 */
uint64_t pit_next_deadline(const struct pit *p, uint64_t now_ns);

/*
 * The clock reached a deadline (any time is fine): account every edge of
 * every counter up to now_ns and deliver a tick on IRQ0 if one is owed and
 * none is in flight.
 */
void pit_advance(struct pit *p, uint64_t now_ns);

/*
 * The PIC acknowledged IRQ0 (its INTA cycle): the tick in flight arrived,
 * so deliver the next owed one, if any.  Harmless when no tick is in flight;
 * may be called from inside irq0's set_level callback.
 */
void pit_irq_acknowledged(struct pit *p, uint64_t now_ns);

/*
 * The PIC unmasked IRQ0 (struct pic's mask_notify for IRQ0, masked false):
 * the owed backlog is dropped (counted in stats.ticks_dropped), as the
 * 8259 merged the masked edges into one IRR bit; a tick in flight stays in
 * flight and is acknowledged as usual.  With none in flight, one edge not
 * yet delivered (the timer was late) is kept and delivered as that IRR
 * bit.  For an unmask only: at any other time it would drop ticks owed.
 */
void pit_irq0_unmasked(struct pit *p, uint64_t now_ns);

#endif
