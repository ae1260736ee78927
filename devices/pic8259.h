/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_PIC8259_H
#define MINIVMM_DEVICES_PIC8259_H

/*
 * The PC's pair of Intel 8259A Programmable Interrupt Controllers, plus the
 * PIIX-style Edge/Level Control Registers (ELCR).
 *
 * The master answers at ports 0x20/0x21 and takes IRQ0-7; the slave answers
 * at 0xa0/0xa1, takes IRQ8-15 and drives the master's IR2 with its INT pin.
 * There is no in-kernel irqchip: the VMM watches `intr` (the master's INT
 * pin, wired to the CPU's INTR), and when the vCPU can take an interrupt it
 * calls pic_acknowledge(), which plays the two INTA pulses and returns the
 * vector to inject.
 *
 * References: Intel 8259A Programmable Interrupt Controller data sheet
 * (order no. 231468), sections "Initialization Command Words", "Operation
 * Command Words", "The Special Fully Nested Mode", "Edge and Level Triggered
 * Modes"; Intel 82371AB PIIX4 data sheet, "ELCR1/ELCR2".
 */

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "irq.h"

/* ISA ports */
#define PIC_MASTER_CMD	0x20	/* A0 = 0: ICW1, OCW2, OCW3; reads IRR/ISR/poll */
#define PIC_MASTER_DATA	0x21	/* A0 = 1: ICW2-4, OCW1 (IMR) */
#define PIC_SLAVE_CMD	0xa0
#define PIC_SLAVE_DATA	0xa1
#define PIC_ELCR_MASTER	0x4d0	/* ELCR1: IRQ0-7, 1 = level triggered */
#define PIC_ELCR_SLAVE	0x4d1	/* ELCR2: IRQ8-15 */

/*
 * ELCR bits that exist.  IRQ0 (timer), IRQ1 (keyboard), IRQ2 (cascade),
 * IRQ8 (RTC) and IRQ13 (FPU error) are always edge triggered on a PC; the
 * PIIX hardwires their ELCR bits to 0.
 */
#define PIC_ELCR_MASTER_MASK	0xf8
#define PIC_ELCR_SLAVE_MASK	0xde

/* ICW1, written to A0 = 0 with D4 = 1 */
#define PIC_ICW1_IC4	0x01	/* ICW4 will follow */
#define PIC_ICW1_SNGL	0x02	/* single 8259A, no ICW3 */
#define PIC_ICW1_ADI	0x04	/* call address interval (8080 only) */
#define PIC_ICW1_LTIM	0x08	/* level triggered mode for all 8 inputs */
#define PIC_ICW1_INIT	0x10	/* D4: marks the write as ICW1 */

/* ICW2: T7-T3 of the vector; A10-A8 are 8080-only and ignored in x86 mode */
#define PIC_ICW2_VECTOR_MASK	0xf8

/* ICW3: master: bit n set = a slave on IRn; slave: its ID in bits 2-0 */
#define PIC_ICW3_SLAVE_ID_MASK	0x07

/* ICW4 */
#define PIC_ICW4_UPM	0x01	/* 8086/8088 mode (0 = MCS-80/85) */
#define PIC_ICW4_AEOI	0x02	/* automatic end of interrupt */
#define PIC_ICW4_MS	0x04	/* buffered mode: 1 = master, 0 = slave */
#define PIC_ICW4_BUF	0x08	/* buffered mode */
#define PIC_ICW4_SFNM	0x10	/* special fully nested mode */

/* OCW2, written to A0 = 0 with D4 = D3 = 0: R SL EOI 0 0 L2 L1 L0 */
#define PIC_OCW2_LEVEL_MASK	0x07
#define PIC_OCW2_CMD_MASK	0xe0
#define PIC_OCW2_EOI	0x20
#define PIC_OCW2_SL	0x40
#define PIC_OCW2_R	0x80
#define PIC_OCW2_ROTATE_AEOI_CLEAR	0x00
#define PIC_OCW2_NONSPECIFIC_EOI	PIC_OCW2_EOI
#define PIC_OCW2_NOP			PIC_OCW2_SL
#define PIC_OCW2_SPECIFIC_EOI		(PIC_OCW2_SL | PIC_OCW2_EOI)
#define PIC_OCW2_ROTATE_AEOI_SET	PIC_OCW2_R
#define PIC_OCW2_ROTATE_NONSPECIFIC_EOI	(PIC_OCW2_R | PIC_OCW2_EOI)
#define PIC_OCW2_SET_PRIORITY		(PIC_OCW2_R | PIC_OCW2_SL)
#define PIC_OCW2_ROTATE_SPECIFIC_EOI	(PIC_OCW2_R | PIC_OCW2_SL | PIC_OCW2_EOI)

/* OCW3, written to A0 = 0 with D4 = 0, D3 = 1: 0 ESMM SMM 0 1 P RR RIS */
#define PIC_OCW3_RIS	0x01	/* with RR: read ISR (1) or IRR (0) */
#define PIC_OCW3_RR	0x02	/* change the read register selection */
#define PIC_OCW3_P	0x04	/* poll command */
#define PIC_OCW3_SEL	0x08	/* D3: marks the write as OCW3 */
#define PIC_OCW3_SMM	0x20	/* with ESMM: set (1) or reset (0) special mask */
#define PIC_OCW3_ESMM	0x40	/* change the special mask mode */

/* The poll word: I 0 0 0 0 W2 W1 W0 */
#define PIC_POLL_INT	0x80

#define PIC_CASCADE_IR	2	/* the master input the slave's INT drives */
#define PIC_SPURIOUS_IR	7	/* the "default IR7" of a vanished request */
#define PIC_NUM_IRQS	16

/* Where the next write to the odd port (A0 = 1) goes */
enum pic_init_step {
	PIC_INIT_DONE,		/* OCW1: the IMR */
	PIC_INIT_ICW2,
	PIC_INIT_ICW3,
	PIC_INIT_ICW4,
};

/* One 8259A. */
struct pic_chip {
	uint8_t irr;		/* Interrupt Request Register */
	uint8_t isr;		/* In-Service Register */
	uint8_t imr;		/* Interrupt Mask Register (OCW1) */
	uint8_t pins;		/* current level of the IR0-7 inputs */
	uint8_t elcr;		/* ELCR: inputs forced to level triggered */
	uint8_t elcr_mask;	/* ELCR bits that exist */
	uint8_t lowest_ir;	/* the IR with the lowest priority (7 after ICW1) */
	uint8_t icw1, icw2, icw3, icw4;	/* as last written */
	enum pic_init_step init_step;
	bool read_isr;		/* OCW3 RIS: the even port reads ISR, not IRR */
	bool poll;		/* OCW3 P: the next even-port read is a poll */
	bool special_mask;	/* OCW3 SMM */
	bool rotate_in_aeoi;	/* OCW2 rotate in automatic EOI mode */
	bool is_master;
};

/*
 * Device events (devices/events.h), source DEV_EVENT_PIC, unit 0 = master,
 * 1 = slave.  Emitted after the registers are updated.
 */
enum pic_event {
	PIC_EVENT_ICW1,		/* arg0: the value written */
	PIC_EVENT_ICW2,		/* arg0: the value written (vector base in bits 7-3) */
	PIC_EVENT_ICW3,		/* arg0: the value written */
	PIC_EVENT_ICW4,		/* arg0: the value written */
	PIC_EVENT_OCW1,		/* arg0: IMR before, arg1: IMR after */
	PIC_EVENT_EOI,		/* an OCW2 with EOI set: arg0 the OCW2, arg1/arg2 ISR before/after */
	PIC_EVENT_OCW2,		/* another OCW2: arg0 the value, arg1 lowest-priority IR after */
	PIC_EVENT_OCW3,		/* arg0: the value written */
	PIC_EVENT_ELCR,		/* arg0: ELCR before, arg1: ELCR after */
	PIC_EVENT_INTA,		/* arg0: IRQ (0xff: spurious), arg1: vector; unit 0 */
	PIC_EVENT_POLL,		/* arg0: the poll word read, arg1: IRQ (0xff: none or cascade) */
	PIC_EVENT_NR,
};

/* What a request on one IRQ is doing, for pic_irq_state(). */
enum pic_irq_state {
	PIC_IRQ_IDLE,		/* no request in IRR */
	PIC_IRQ_REQUESTED,	/* requested, not held back: INTR is or will be raised */
	PIC_IRQ_MASKED,		/* its IMR bit (or, for IRQ8-15, the master's IR2 bit) is set */
	PIC_IRQ_BLOCKED,	/* an IR of higher or equal priority is in service */
};

struct pic {
	struct pic_chip master, slave;	/* each holds its own ELCR byte */
	struct irq_line intr;		/* the master's INT pin, to the CPU's INTR */
	/*
	 * Called with the IRQ (0-15) that an INTA or a poll has just
	 * acknowledged, after the registers are updated; optional, may be NULL.
	 * Also called by ICW1 for each edge-triggered request it discards
	 * from IRR (never for the master's cascade input IR2), since that
	 * request will never be acknowledged: a device that waits for the
	 * acknowledge before its next request (the PIT) can go on, as KVM's
	 * kvm_pic_reset() tells its ack notifiers.
	 */
	void (*ack_notify)(void *opaque, unsigned irq);
	/*
	 * Called with each IRQ (0-15, never the master's IR2) whose IMR bit
	 * an OCW1 or an ICW1 (which clears the IMR) has just changed, and its
	 * new value, after the registers are updated; optional, may be NULL.
	 * An ICW1 calls it before its ack_notify calls.
	 */
	void (*mask_notify)(void *opaque, unsigned irq, bool masked);
	void *notify_opaque;		/* the opaque of both notifiers */
	struct dev_events events;	/* zeroed by pic_init: nobody listens */
};

extern const char *const pic_event_names[PIC_EVENT_NR];

/* The text of a PIC event (a dev_event_format_fn). */
int pic_event_format(const struct dev_event *ev, char *buf, size_t size);

/*
 * Power-on state.  The 8259A has none defined (software must initialise it),
 * so this is the state a PC BIOS leaves: cascade mode, 8086 mode, vectors
 * 0x08 (master) and 0x70 (slave), normal EOI; and, unlike a BIOS, every IRQ
 * masked, so nothing is delivered before the guest programs the pair.
 * All inputs low, ELCR all edge, ack_notify and mask_notify NULL.  `intr`
 * is assumed low.
 */
void pic_init(struct pic *p, struct irq_line intr);

/* The RESET of a board: both chips to their power-on state (as pic_init),
 * keeping the wiring, the notifiers and the levels on the input pins. */
void pic_reset(struct pic *p);

/*
 * A guest read of ISA port `port` (0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1; any
 * other port reads 0xff).  A read of an even port after a poll command is
 * the poll: it acknowledges the interrupt it reports.
 */
uint8_t pic_read(struct pic *p, uint16_t port);

/* A guest write of `value` to ISA port `port`; other ports are ignored. */
void pic_write(struct pic *p, uint16_t port, uint8_t value);

/*
 * The level of input IRQ `irq` (0-15).  The signature is that of
 * irq_line.set_level, so a device's line connects straight to it:
 * irq_line_connect(pic_set_irq, &pic, 4).  IRQ2 is the internal cascade and
 * cannot be driven from outside; it and numbers past 15 are ignored.
 */
void pic_set_irq(void *pic, unsigned irq, bool level);

/*
 * Why a request on IRQ `irq` (0-15) does or does not reach the CPU now, for
 * a tracer to explain a held-back interrupt.  Changes nothing.
 */
enum pic_irq_state pic_irq_state(const struct pic *p, unsigned irq);

/* The level of INTR to the CPU (the same level `intr` was last given). */
bool pic_intr_pending(const struct pic *p);

/*
 * The INTA cycle(s): returns the vector to inject and updates IRR/ISR as the
 * two INTA pulses do, through the slave when the master picks the cascade.
 * A request that vanished before the acknowledge yields the chip's IR7
 * vector ("default IR7") without setting its ISR bit; through the cascade
 * that is the slave's base + 7 and the master's ISR bit 2 is still set.
 * Calls ack_notify(irq) for a real IRQ, never for a spurious one.  Another
 * request pending in the slave after its acknowledge is a new request on
 * the master's IR2, even if the slave's INT never went low.
 */
uint8_t pic_acknowledge(struct pic *p);

/* The same, also saying which IRQ (0-15) it was, or PIC_IRQ_NONE for a
 * spurious one. */
#define PIC_IRQ_NONE 0xff
uint8_t pic_acknowledge_irq(struct pic *p, uint8_t *irq);

/*
 * Recomputes the slave's INT (the master's IR2) and the master's INT, and
 * forwards the latter to `intr`.  Every function above calls it; call it
 * yourself only after changing the structure directly (e.g. restoring it).
 */
void pic_update(struct pic *p);

#endif
