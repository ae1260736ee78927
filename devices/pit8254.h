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
 * KVM's in-kernel PIT).  Every rising edge of counter 0's OUT (each period
 * boundary in modes 2 and 3, terminal count in mode 0, the end of the
 * strobe in mode 4, a control word that raises OUT) is one tick owed to the
 * guest.  A tick is delivered as one rising edge on IRQ0 (the line is
 * pulled low, then high, and rests high, so the request is still asserted
 * when the 8259 runs its INTA cycle).  The next owed tick is delivered only
 * after pit_irq_acknowledged() reports that the PIC took the previous one,
 * so two ticks never merge in the PIC's IRR: a host that wakes up late, or
 * a guest that cannot keep up, gets every tick, one per acknowledge.  The
 * backlog of owed ticks is capped at one second's worth (PIT_FREQ_HZ /
 * period, at least 1); edges beyond it are dropped and counted in
 * stats.ticks_dropped, so a guest that masks IRQ0 for a minute gets at most
 * one second of burst when it unmasks.  Writing a control word to counter 0
 * discards the backlog (the guest restarted its timer; ticks at the old
 * rate are stale), as KVM does when the count is reloaded.
 * Over a long run: stats.out0_rises == stats.ticks_delivered +
 * stats.ticks_dropped + ticks_owed.
 *
 * Our addition to that policy (deviation from KVM): a tick that stays
 * unacknowledged for PIT_ACK_TIMEOUT_NS is taken as lost and the next owed
 * one is delivered.  The PIC clears IRR on ICW1 without an acknowledge, so
 * without this a guest that programs the PIT before the PIC would never
 * see IRQ0 again.  A guest that masks IRQ0 merely sees these edges merge in
 * its IRR bit.
 *
 * The VMM drives the model with one timer: sleep until pit_next_deadline(),
 * call pit_advance(), repeat; and call pit_irq_acknowledged() from the
 * PIC's INTA (struct pic's ack_notify for IRQ0).
 *
 * "Datasheet" below means the Intel 8254 Programmable Interval Timer data
 * sheet (order no. 231164); section names are quoted from it.
 */

#include <stdbool.h>
#include <stdint.h>

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
/* An unacknowledged tick is taken as lost after this long (see above). */
#define PIT_ACK_TIMEOUT_NS	1000000000ull

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
	uint64_t ticks_dropped;		/* owed ticks dropped: backlog cap, reprogramming */
	uint64_t ack_timeouts;		/* ticks taken as lost after PIT_ACK_TIMEOUT_NS */
};

struct pit {
	struct pit_counter counter[PIT_NUM_COUNTERS];
	uint8_t port_b;		/* the writable bits of port 0x61 */
	struct irq_line irq0;	/* counter 0's OUT, as ticks (see above) */
	uint64_t now_ns;	/* the latest time seen */
	uint64_t clock;		/* PIT clock pulses by now_ns, all accounted for */
	uint64_t ticks_owed;	/* rising edges of OUT0 not yet delivered */
	bool tick_in_flight;	/* a delivered tick awaits pit_irq_acknowledged() */
	uint64_t tick_sent_ns;	/* when it was delivered */
	bool delivering;	/* pit_update_irq() is running (re-entry guard) */
	struct pit_stats stats;
};

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
 * calling pit_advance() at each deadline never spins.  Owed ticks waiting
 * on an acknowledge need no deadline, only the ack timeout does.
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

#endif
