// SPDX-License-Identifier: MIT
/*
 * Intel 8259A PIC pair, as wired in a PC.  Section names in comments are
 * those of the Intel 8259A data sheet (231468) unless said otherwise.
 *
 * Deliberate deviations from the data sheet (each repeated where it is
 * implemented):
 * - An edge-triggered request stays latched in IRR until acknowledged even
 *   if the input falls again; the data sheet wants the input held high
 *   until the first INTA.  QEMU and KVM do the same, for a VMM's reason:
 *   between INTR rising and the vCPU taking the interrupt lies a scheduling
 *   delay, not nanoseconds, and a tick should not be lost to it.
 * - The vector is always the 8086 one (ICW2 base + IR), whatever uPM says:
 *   an x86 CPU cannot run the MCS-80/85 CALL sequence.  uPM is stored.
 * - The slave is wired at IR2 and answers the cascade whatever its ICW3 ID;
 *   ADI, BUF and M/S are stored and have no effect.
 * - ICW1 also clears the ISR, which the data sheet does not list; QEMU
 *   (pic_reset_common()) and Bochs do so and guests reinitialising the pair
 *   expect it.  KVM's kvm_pic_reset() keeps the ISR.
 *
 * Where we follow the data sheet and QEMU and KVM do not:
 * - A non-specific EOI in special mask mode leaves an IS bit that is masked
 *   ("OCW2"/"OCW3": "an IS bit that is masked by an IMR bit will not be
 *   cleared by a non-specific EOI"); QEMU and KVM clear the highest IS bit
 *   whatever the IMR says.
 * - Special fully nested mode keeps lower master IRs blocked (below).
 *
 * Readings of the data sheet where it is terse:
 * - Special mask mode: an in-service IR stops blocking lower priorities
 *   when its mask bit is set (as QEMU and KVM read it).
 * - Only a read of the even port (A0 = 0) answers a poll command; a read of
 *   the odd port still returns the IMR and leaves the poll pending.  With
 *   AEOI a poll, like an INTA, leaves no IS bit.
 * - Special fully nested mode lets the slave's input through while its IS
 *   bit is set, but keeps lower master IRs blocked (QEMU lets those through
 *   too, the data sheet does not).
 * - The slave's INTA sequence (or poll) resets its INT pin, which the
 *   priority resolver raises again at once if another request is pending:
 *   a new rising edge on the master's edge-triggered IR2 for each slave
 *   request, so a second request behind an AEOI slave whose INT never fell
 *   is not lost.  KVM gets the same by pulsing IR2 whenever the slave has a
 *   request (pic_update_irq()).
 *
 * For the VMM's glue (pic8259.h): ICW1 reports the edge requests it
 * discards to ack_notify, as KVM's kvm_pic_reset() does, since they will
 * never be acknowledged; OCW1 and ICW1 report each IMR bit they change to
 * mask_notify, as KVM's kvm_fire_mask_notifiers() does for OCW1.
 */
#include "pic8259.h"

#include <stdio.h>

#define PIC_NO_IR	(-1)

/* ---- one chip ---------------------------------------------------------- */

/*
 * Inputs that follow the level of their pin rather than latching edges:
 * all of them with ICW1 LTIM, else those the ELCR selects ("Edge and Level
 * Triggered Modes"; PIIX4 ELCR).
 */
static uint8_t pic_chip_level_mask(const struct pic_chip *c)
{
	return (c->icw1 & PIC_ICW1_LTIM) ? 0xff : c->elcr;
}

/*
 * The IR of priority `prio`, 0 (highest) to 7: priorities rotate, IR
 * lowest_ir + 1 coming first and lowest_ir last ("Priority Resolver").
 */
static unsigned pic_chip_ir_of(const struct pic_chip *c, unsigned prio)
{
	return (prio + c->lowest_ir + 1u) & 7u;
}

/* The best priority among the IRs set in `bits`, or 8 when none is. */
static unsigned pic_chip_best_priority(const struct pic_chip *c, uint8_t bits)
{
	unsigned prio;

	for (prio = 0; prio < 8; prio++) {
		if (bits & (1u << pic_chip_ir_of(c, prio)))
			break;
	}
	return prio;
}

/* Whether `ir` of this chip has a slave behind it (ICW3 in cascade mode). */
static bool pic_chip_is_cascade(const struct pic_chip *c, unsigned ir)
{
	return c->is_master && ir == PIC_CASCADE_IR && !(c->icw1 & PIC_ICW1_SNGL) &&
	       (c->icw3 & (1u << PIC_CASCADE_IR));
}

/*
 * The priority resolver ("Priority Resolver", "Fully Nested Mode"): the
 * IR the chip would have acknowledged now, i.e. whether its INT pin is
 * high, or PIC_NO_IR.  An unmasked request wins if its priority is better
 * than that of every IR in service.  In special mask mode an in-service IR
 * that is also masked no longer blocks anything ("Special Mask Mode").  In
 * special fully nested mode a master lets a slave's request through while
 * that slave's IR is in service, so higher priorities within the slave can
 * nest ("The Special Fully Nested Mode"); lower master IRs stay blocked.
 */
static int pic_chip_pending_ir(const struct pic_chip *c)
{
	uint8_t requests = c->irr & ~c->imr;
	uint8_t blocking = c->isr;
	unsigned req_prio, isr_prio, ir;

	if (requests == 0)
		return PIC_NO_IR;
	if (c->special_mask)
		blocking &= ~c->imr;

	req_prio = pic_chip_best_priority(c, requests);
	isr_prio = pic_chip_best_priority(c, blocking);
	ir = pic_chip_ir_of(c, req_prio);
	if (req_prio < isr_prio)
		return (int)ir;
	if (req_prio == isr_prio && (c->icw4 & PIC_ICW4_SFNM) && pic_chip_is_cascade(c, ir))
		return (int)ir;
	return PIC_NO_IR;
}

/*
 * An input pin changes level.  Level-triggered inputs copy it into IRR.
 * Edge-triggered ones latch IRR on a rising edge only, so an input held high
 * asks once.  Deviation: the data sheet drops the request if the input falls
 * before the first INTA; we keep it latched until acknowledged, as QEMU and
 * KVM do (see the top of this file).
 */
static void pic_chip_set_pin(struct pic_chip *c, unsigned ir, bool level)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (level) {
		if (!(c->pins & bit))
			c->irr |= bit;
		c->pins |= bit;
	} else {
		c->pins &= (uint8_t)~bit;
		if (pic_chip_level_mask(c) & bit)
			c->irr &= (uint8_t)~bit;
	}
}

/*
 * Changes which inputs are level triggered (ELCR write, ICW1 LTIM).  Level
 * inputs now request exactly while their pin is high; inputs that became
 * edge triggered drop the request their level made, and ask again on the
 * next rising edge.
 */
static void pic_chip_set_level_mask(struct pic_chip *c, uint8_t old_level)
{
	uint8_t level = pic_chip_level_mask(c);

	c->irr &= (uint8_t)~(old_level & ~level);
	c->irr = (uint8_t)((c->irr & ~level) | (c->pins & level));
}

/*
 * The chip's part of an acknowledge (INTA or poll) of `ir`: the IS bit is
 * set, unless in automatic EOI mode, where the EOI the second INTA pulse
 * performs clears it at once and may rotate priorities ("Automatic End of
 * Interrupt (AEOI) Mode", "Automatic Rotation").  An edge request is
 * consumed; a level request stays as long as its pin is high.
 */
static void pic_chip_ack(struct pic_chip *c, unsigned ir)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (c->icw4 & PIC_ICW4_AEOI) {
		if (c->rotate_in_aeoi)
			c->lowest_ir = (uint8_t)ir;
	} else {
		c->isr |= bit;
	}
	if (!(pic_chip_level_mask(c) & bit))
		c->irr &= (uint8_t)~bit;
}

/*
 * ICW1 starts the initialisation sequence ("Initialization Command Words"):
 * the edge sense circuit is reset (an input must go low then high again to
 * ask), the IMR is cleared, IR7 gets the lowest priority, special mask mode
 * is cleared, reads return IRR, and without IC4 all ICW4 functions are 0.
 * Deviation: the ISR is cleared too (see the top of this file).  The ELCR
 * is a separate PIIX register and keeps its value.  Returns the edge
 * requests it took out of IRR: they will never be acknowledged.  Level
 * requests are not among them: their device still drives the pin.
 */
static uint8_t pic_chip_write_icw1(struct pic_chip *c, uint8_t value)
{
	uint8_t old_level = pic_chip_level_mask(c);
	uint8_t edge_requests = c->irr & (uint8_t)~old_level;

	c->icw1 = value;
	c->icw4 = 0;
	c->imr = 0;
	c->isr = 0;
	c->lowest_ir = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_in_aeoi = false;
	c->irr = 0;
	pic_chip_set_level_mask(c, old_level);
	c->init_step = PIC_INIT_ICW2;
	return edge_requests & (uint8_t)~c->irr;
}

/* ICW2, ICW3, ICW4 in turn; ICW3 only in cascade mode, ICW4 only with IC4. */
static void pic_chip_write_icw(struct pic_chip *c, uint8_t value)
{
	switch (c->init_step) {
	case PIC_INIT_ICW2:
		c->icw2 = value;
		if (!(c->icw1 & PIC_ICW1_SNGL))
			c->init_step = PIC_INIT_ICW3;
		else if (c->icw1 & PIC_ICW1_IC4)
			c->init_step = PIC_INIT_ICW4;
		else
			c->init_step = PIC_INIT_DONE;
		break;
	case PIC_INIT_ICW3:
		c->icw3 = value;
		c->init_step = (c->icw1 & PIC_ICW1_IC4) ? PIC_INIT_ICW4 : PIC_INIT_DONE;
		break;
	case PIC_INIT_ICW4:
		c->icw4 = value;
		c->init_step = PIC_INIT_DONE;
		break;
	case PIC_INIT_DONE:
	default:
		/* OCW1: the mask register */
		c->imr = value;
		c->init_step = PIC_INIT_DONE;
		break;
	}
}

/*
 * The IS bit a non-specific EOI resets, or PIC_NO_IR: the highest-priority
 * one ("End of Interrupt"), skipping in special mask mode those whose IMR
 * bit is set ("Special Mask Mode": "an IS bit that is masked by an IMR bit
 * will not be cleared by a non-specific EOI").  Those no longer block
 * anything (pic_chip_pending_ir()), so the EOI belongs to the routine of an
 * unmasked IR that interrupted them.
 */
static int pic_chip_eoi_target(const struct pic_chip *c)
{
	uint8_t isr = c->isr;
	unsigned prio;

	if (c->special_mask)
		isr &= (uint8_t)~c->imr;
	prio = pic_chip_best_priority(c, isr);
	return prio < 8 ? (int)pic_chip_ir_of(c, prio) : PIC_NO_IR;
}

/* OCW2: end of interrupt and priority rotation ("Operation Command Words"). */
static void pic_chip_write_ocw2(struct pic_chip *c, uint8_t value)
{
	unsigned level = value & PIC_OCW2_LEVEL_MASK;
	int ir;

	switch (value & PIC_OCW2_CMD_MASK) {
	case PIC_OCW2_NONSPECIFIC_EOI:
	case PIC_OCW2_ROTATE_NONSPECIFIC_EOI:
		/* Resets the highest-priority IS bit (not a masked one in
		 * special mask mode); the rotating form then gives that IR the
		 * lowest priority.  No such IS bit: nothing. */
		ir = pic_chip_eoi_target(c);
		if (ir == PIC_NO_IR)
			break;
		c->isr &= (uint8_t)~(1u << ir);
		if ((value & PIC_OCW2_CMD_MASK) == PIC_OCW2_ROTATE_NONSPECIFIC_EOI)
			c->lowest_ir = (uint8_t)ir;
		break;
	case PIC_OCW2_SPECIFIC_EOI:
		c->isr &= (uint8_t)~(1u << level);
		break;
	case PIC_OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (uint8_t)~(1u << level);
		c->lowest_ir = (uint8_t)level;
		break;
	case PIC_OCW2_SET_PRIORITY:
		/* L2-L0 names the bottom priority level */
		c->lowest_ir = (uint8_t)level;
		break;
	case PIC_OCW2_ROTATE_AEOI_SET:
		c->rotate_in_aeoi = true;
		break;
	case PIC_OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_in_aeoi = false;
		break;
	case PIC_OCW2_NOP:
	default:
		break;
	}
}

/* OCW3: special mask mode, poll command, read register select. */
static void pic_chip_write_ocw3(struct pic_chip *c, uint8_t value)
{
	if (value & PIC_OCW3_ESMM)
		c->special_mask = value & PIC_OCW3_SMM;
	if (value & PIC_OCW3_P)
		c->poll = true;
	if (value & PIC_OCW3_RR)
		c->read_isr = value & PIC_OCW3_RIS;
}

/* ---- the pair ---------------------------------------------------------- */

void pic_update(struct pic *p)
{
	bool slave_int = pic_chip_pending_ir(&p->slave) != PIC_NO_IR;

	/* The slave's INT pin is wired to the master's IR2. */
	pic_chip_set_pin(&p->master, PIC_CASCADE_IR, slave_int);
	irq_line_set(&p->intr, pic_chip_pending_ir(&p->master) != PIC_NO_IR);
}

static void pic_chip_reset(struct pic_chip *c, bool is_master)
{
	*c = (struct pic_chip){
		.is_master = is_master,
		.elcr_mask = is_master ? PIC_ELCR_MASTER_MASK : PIC_ELCR_SLAVE_MASK,
		.lowest_ir = 7,
		.icw1 = PIC_ICW1_INIT | PIC_ICW1_IC4,
		.icw2 = is_master ? 0x08 : 0x70,
		.icw3 = is_master ? 1u << PIC_CASCADE_IR : PIC_CASCADE_IR,
		.icw4 = PIC_ICW4_UPM,
		.imr = 0xff,
		.init_step = PIC_INIT_DONE,
	};
}

void pic_init(struct pic *p, struct irq_line intr)
{
	pic_chip_reset(&p->master, true);
	pic_chip_reset(&p->slave, false);
	p->intr = intr;
	p->ack_notify = NULL;
	p->mask_notify = NULL;
	p->notify_opaque = NULL;
	p->events = (struct dev_events){ .emit = NULL };
	pic_update(p);
}

void pic_reset(struct pic *p)
{
	/* The chips' registers go back to their power-on values; the input
	 * pins keep the levels the devices drive onto them. */
	uint8_t master_pins = p->master.pins, slave_pins = p->slave.pins;

	pic_chip_reset(&p->master, true);
	pic_chip_reset(&p->slave, false);
	p->master.pins = master_pins;
	p->slave.pins = slave_pins;
	pic_update(p);
}

/* Tell the owner of ack_notify that `irq` was acknowledged. */
static void pic_notify_ack(struct pic *p, int irq)
{
	if (irq >= 0 && p->ack_notify != NULL)
		p->ack_notify(p->notify_opaque, (unsigned)irq);
}

/*
 * After a write to chip `c`, registers updated: mask_notify for each IR
 * whose IMR bit changed from `old_imr`, then ack_notify for each edge
 * request ICW1 `discarded`; never for the master's IR2, which is the
 * slave's INT and no device's line.  Unmasks come first so that a device
 * that drops its backlog on unmask (the PIT's tick policy) has done so
 * before the acknowledge lets it send its next request: after ICW1 the
 * guest sees only requests made after it, as with a real edge sense
 * circuit just reset.  The values are taken before the first call, as a
 * callback may write to the pair.
 */
static void pic_notify_write(struct pic *p, const struct pic_chip *c, uint8_t old_imr,
			     uint8_t discarded)
{
	uint8_t imr = c->imr;
	uint8_t devices = c->is_master ? (uint8_t)~(1u << PIC_CASCADE_IR) : 0xff;
	uint8_t changed = (old_imr ^ imr) & devices;
	unsigned base = c->is_master ? 0 : 8;
	unsigned ir;

	discarded &= devices;
	for (ir = 0; ir < 8 && changed != 0 && p->mask_notify != NULL; ir++) {
		if (changed & (1u << ir))
			p->mask_notify(p->notify_opaque, base + ir, imr & (1u << ir));
	}
	for (ir = 0; ir < 8 && discarded != 0; ir++) {
		if (discarded & (1u << ir))
			pic_notify_ack(p, (int)(base + ir));
	}
}

/*
 * The slave's INTA sequence or poll is over: its INT pin is reset, and
 * pic_update() raises it again if another request is pending (see the top
 * of this file).  The master's IR2 is edge triggered, so that is the
 * rising edge that makes it ask for the next slave request; with INT held
 * high (a slave in AEOI mode with two requests) no edge would come.
 */
static void pic_slave_int_reset(struct pic *p)
{
	pic_chip_set_pin(&p->master, PIC_CASCADE_IR, false);
}

/*
 * A read of the even port after a poll command ("The Poll Command"): the
 * read acts as an INTA on this chip alone and returns I000_0W2W1W0, or 0
 * when nothing is pending.  A master that reports IR2 in cascade mode has
 * only set its own IS bit: software polls the slave next.
 */
static uint8_t pic_poll(struct pic *p, struct pic_chip *c)
{
	int ir = pic_chip_pending_ir(c);
	int irq = PIC_NO_IR;

	c->poll = false;
	if (ir == PIC_NO_IR) {
		dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_POLL, !c->is_master, 0, 0xffu,
			       0);
		return 0;
	}
	pic_chip_ack(c, (unsigned)ir);
	if (!c->is_master) {
		irq = ir + 8;
		pic_slave_int_reset(p);
	} else if (!pic_chip_is_cascade(c, (unsigned)ir)) {
		irq = ir;
	}
	pic_update(p);
	dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_POLL, !c->is_master,
		       PIC_POLL_INT | (unsigned)ir, irq < 0 ? 0xffu : (unsigned)irq, 0);
	pic_notify_ack(p, irq);
	return (uint8_t)(PIC_POLL_INT | ir);
}

static uint8_t pic_chip_read(struct pic *p, struct pic_chip *c, bool a0)
{
	if (a0)
		return c->imr;
	if (c->poll)
		return pic_poll(p, c);
	return c->read_isr ? c->isr : c->irr;
}

uint8_t pic_read(struct pic *p, uint16_t port)
{
	switch (port) {
	case PIC_MASTER_CMD:
		return pic_chip_read(p, &p->master, false);
	case PIC_MASTER_DATA:
		return pic_chip_read(p, &p->master, true);
	case PIC_SLAVE_CMD:
		return pic_chip_read(p, &p->slave, false);
	case PIC_SLAVE_DATA:
		return pic_chip_read(p, &p->slave, true);
	case PIC_ELCR_MASTER:
		return p->master.elcr;
	case PIC_ELCR_SLAVE:
		return p->slave.elcr;
	default:
		return 0xff;
	}
}

/* Tell the listener what a write to chip `c` was, in the chip's terms. */
static void pic_emit_write(struct pic *p, const struct pic_chip *c, bool a0,
			   enum pic_init_step step, uint8_t value, uint8_t old_imr,
			   uint8_t old_isr)
{
	static const uint8_t icw_event[] = {
		[PIC_INIT_DONE] = PIC_EVENT_OCW1, [PIC_INIT_ICW2] = PIC_EVENT_ICW2,
		[PIC_INIT_ICW3] = PIC_EVENT_ICW3, [PIC_INIT_ICW4] = PIC_EVENT_ICW4,
	};
	unsigned unit = !c->is_master;

	if (p->events.emit == NULL)
		return;
	if (a0 && step == PIC_INIT_DONE)
		dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_OCW1, unit, old_imr, c->imr, 0);
	else if (a0)
		dev_event_emit(&p->events, DEV_EVENT_PIC, icw_event[step], unit, value, 0, 0);
	else if (value & PIC_ICW1_INIT)
		dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_ICW1, unit, value, 0, 0);
	else if (value & PIC_OCW3_SEL)
		dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_OCW3, unit, value, 0, 0);
	else if (value & PIC_OCW2_EOI)
		dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_EOI, unit, value, old_isr,
			       c->isr);
	else
		dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_OCW2, unit, value,
			       c->lowest_ir, 0);
}

/* Returns the edge requests an ICW1 discarded, 0 for the other writes. */
static uint8_t pic_chip_write(struct pic_chip *c, bool a0, uint8_t value)
{
	if (a0)
		pic_chip_write_icw(c, value);
	else if (value & PIC_ICW1_INIT)
		return pic_chip_write_icw1(c, value);
	else if (value & PIC_OCW3_SEL)
		pic_chip_write_ocw3(c, value);
	else
		pic_chip_write_ocw2(c, value);
	return 0;
}

/* ELCR write: reserved bits stay 0, as the PIIX hardwires them. */
static void pic_chip_write_elcr(struct pic_chip *c, uint8_t value)
{
	uint8_t old_level = pic_chip_level_mask(c);

	c->elcr = value & c->elcr_mask;
	pic_chip_set_level_mask(c, old_level);
}

void pic_write(struct pic *p, uint16_t port, uint8_t value)
{
	struct pic_chip *c;
	enum pic_init_step step;
	uint8_t old_imr, old_isr, old_elcr, discarded;

	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
		c = &p->master;
		break;
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
		c = &p->slave;
		break;
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		c = port == PIC_ELCR_MASTER ? &p->master : &p->slave;
		old_elcr = c->elcr;
		pic_chip_write_elcr(c, value);
		pic_update(p);
		dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_ELCR, !c->is_master,
			       old_elcr, c->elcr, 0);
		return;
	default:
		return;
	}
	old_imr = c->imr;
	old_isr = c->isr;
	step = c->init_step;
	/* A0 is address bit 0: 0x21 and 0xa1 are the odd ports */
	discarded = pic_chip_write(c, port & 1, value);
	pic_update(p);
	pic_emit_write(p, c, port & 1, step, value, old_imr, old_isr);
	pic_notify_write(p, c, old_imr, discarded);
}

void pic_set_irq(void *pic, unsigned irq, bool level)
{
	struct pic *p = pic;

	/* IRQ2 is the slave's INT, set by pic_update() alone. */
	if (irq >= PIC_NUM_IRQS || irq == PIC_CASCADE_IR)
		return;
	if (irq < 8)
		pic_chip_set_pin(&p->master, irq, level);
	else
		pic_chip_set_pin(&p->slave, irq - 8, level);
	pic_update(p);
}

bool pic_intr_pending(const struct pic *p)
{
	return pic_chip_pending_ir(&p->master) != PIC_NO_IR;
}

static uint8_t pic_chip_vector(const struct pic_chip *c, unsigned ir)
{
	return (uint8_t)((c->icw2 & PIC_ICW2_VECTOR_MASK) | ir);
}

/*
 * The INTA sequence in 8086 mode ("Interrupt Sequence"): the first pulse
 * freezes the requests and sets the IS bit of the winner, the second puts
 * the vector on the bus; from a slave when the winner is a cascade input
 * ("Cascading").  A request that went away by then gives the default IR7
 * of the chip that lost it, whose IS bit is not set; the master, having
 * seen IR2, sets its IS bit 2 all the same.  The slave's INT is reset at
 * the end, ready to give IR2 a new edge for its next request.
 */
uint8_t pic_acknowledge_irq(struct pic *p, uint8_t *irq_out)
{
	int ir = pic_chip_pending_ir(&p->master);
	int slave_ir;
	int irq;
	uint8_t vector;

	if (ir == PIC_NO_IR) {
		vector = pic_chip_vector(&p->master, PIC_SPURIOUS_IR);
		dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_INTA, 0, 0xff, vector, 0);
		if (irq_out != NULL)
			*irq_out = PIC_IRQ_NONE;
		return vector;
	}

	pic_chip_ack(&p->master, (unsigned)ir);
	if (pic_chip_is_cascade(&p->master, (unsigned)ir)) {
		slave_ir = pic_chip_pending_ir(&p->slave);
		if (slave_ir == PIC_NO_IR) {
			vector = pic_chip_vector(&p->slave, PIC_SPURIOUS_IR);
			irq = PIC_NO_IR;
		} else {
			pic_chip_ack(&p->slave, (unsigned)slave_ir);
			vector = pic_chip_vector(&p->slave, (unsigned)slave_ir);
			irq = slave_ir + 8;
		}
		pic_slave_int_reset(p);
	} else {
		vector = pic_chip_vector(&p->master, (unsigned)ir);
		irq = ir;
	}
	pic_update(p);
	dev_event_emit(&p->events, DEV_EVENT_PIC, PIC_EVENT_INTA, 0,
		       irq < 0 ? 0xffu : (unsigned)irq, vector, 0);
	if (irq_out != NULL)
		*irq_out = irq < 0 ? PIC_IRQ_NONE : (uint8_t)irq;
	pic_notify_ack(p, irq);
	return vector;
}

uint8_t pic_acknowledge(struct pic *p)
{
	return pic_acknowledge_irq(p, NULL);
}

/* ---- explaining -------------------------------------------------------- */

/* The state of IR `ir` of one chip (see enum pic_irq_state). */
static enum pic_irq_state pic_chip_ir_state(const struct pic_chip *c, unsigned ir)
{
	uint8_t bit = (uint8_t)(1u << ir);
	uint8_t blocking = c->isr;
	unsigned prio = (ir - c->lowest_ir - 1u) & 7u;	/* inverse of pic_chip_ir_of() */

	if (c->imr & bit)
		return PIC_IRQ_MASKED;
	if (c->special_mask)
		blocking &= (uint8_t)~c->imr;
	/* In special fully nested mode the cascade's own IS bit lets it through. */
	if ((c->icw4 & PIC_ICW4_SFNM) && pic_chip_is_cascade(c, ir))
		blocking &= (uint8_t)~bit;
	if (pic_chip_best_priority(c, blocking) <= prio)
		return PIC_IRQ_BLOCKED;
	return PIC_IRQ_REQUESTED;
}

enum pic_irq_state pic_irq_state(const struct pic *p, unsigned irq)
{
	enum pic_irq_state state;

	if (irq >= PIC_NUM_IRQS || irq == PIC_CASCADE_IR)
		return PIC_IRQ_IDLE;
	if (irq < 8) {
		if (!(p->master.irr & (1u << irq)))
			return PIC_IRQ_IDLE;
		return pic_chip_ir_state(&p->master, irq);
	}
	if (!(p->slave.irr & (1u << (irq - 8))))
		return PIC_IRQ_IDLE;
	state = pic_chip_ir_state(&p->slave, irq - 8);
	if (state != PIC_IRQ_REQUESTED || !pic_chip_is_cascade(&p->master, PIC_CASCADE_IR))
		return state;
	/* Through the cascade: the master's IR2 must let it by too. */
	return pic_chip_ir_state(&p->master, PIC_CASCADE_IR);
}

/* ---- events ------------------------------------------------------------- */

const char *const pic_event_names[PIC_EVENT_NR] = {
	[PIC_EVENT_ICW1] = "ICW1", [PIC_EVENT_ICW2] = "ICW2", [PIC_EVENT_ICW3] = "ICW3",
	[PIC_EVENT_ICW4] = "ICW4", [PIC_EVENT_OCW1] = "OCW1", [PIC_EVENT_EOI] = "EOI",
	[PIC_EVENT_OCW2] = "OCW2", [PIC_EVENT_OCW3] = "OCW3", [PIC_EVENT_ELCR] = "ELCR",
	[PIC_EVENT_INTA] = "INTA", [PIC_EVENT_POLL] = "poll",
};

/* The OCW2 commands by their R SL EOI bits ("Operation Command Words"). */
static const char *pic_ocw2_name(uint32_t value)
{
	switch (value & PIC_OCW2_CMD_MASK) {
	case PIC_OCW2_NONSPECIFIC_EOI: return "non-specific EOI";
	case PIC_OCW2_SPECIFIC_EOI: return "specific EOI";
	case PIC_OCW2_ROTATE_NONSPECIFIC_EOI: return "rotate on non-specific EOI";
	case PIC_OCW2_ROTATE_SPECIFIC_EOI: return "rotate on specific EOI";
	case PIC_OCW2_SET_PRIORITY: return "set priority";
	case PIC_OCW2_ROTATE_AEOI_SET: return "rotate in automatic EOI mode: set";
	case PIC_OCW2_ROTATE_AEOI_CLEAR: return "rotate in automatic EOI mode: clear";
	default: return "no operation";
	}
}

int pic_event_format(const struct dev_event *ev, char *buf, size_t size)
{
	uint32_t v = ev->arg[0];
	unsigned first_irq = ev->unit ? 8 : 0;

	switch (ev->type) {
	case PIC_EVENT_ICW1:
		return snprintf(buf, size, "ICW1 0x%02x (%s, %s, %s)", v,
				v & PIC_ICW1_LTIM ? "level" : "edge",
				v & PIC_ICW1_SNGL ? "single" : "cascade",
				v & PIC_ICW1_IC4 ? "ICW4 follows" : "no ICW4");
	case PIC_EVENT_ICW2:
		v &= PIC_ICW2_VECTOR_MASK;
		return snprintf(buf, size, "ICW2 0x%02x (IRQ%u-%u -> vectors 0x%02x-0x%02x)",
				ev->arg[0], first_irq, first_irq + 7, v, v + 7);
	case PIC_EVENT_ICW3:
		if (ev->unit)
			return snprintf(buf, size, "ICW3 0x%02x (slave ID %u)", v,
					v & PIC_ICW3_SLAVE_ID_MASK);
		return snprintf(buf, size, "ICW3 0x%02x (slaves on IR mask 0x%02x)", v, v);
	case PIC_EVENT_ICW4:
		return snprintf(buf, size, "ICW4 0x%02x (%s, %s EOI%s%s)", v,
				v & PIC_ICW4_UPM ? "8086 mode" : "MCS-80/85 mode",
				v & PIC_ICW4_AEOI ? "automatic" : "normal",
				v & PIC_ICW4_BUF ? ", buffered" : "",
				v & PIC_ICW4_SFNM ? ", special fully nested" : "");
	case PIC_EVENT_OCW1:
		return snprintf(buf, size, "OCW1 IMR 0x%02x -> 0x%02x", v, ev->arg[1]);
	case PIC_EVENT_EOI:
		if ((v & PIC_OCW2_CMD_MASK) == PIC_OCW2_NONSPECIFIC_EOI ||
		    (v & PIC_OCW2_CMD_MASK) == PIC_OCW2_ROTATE_NONSPECIFIC_EOI)
			return snprintf(buf, size, "OCW2 %s (ISR %02x -> %02x)", pic_ocw2_name(v),
					ev->arg[1], ev->arg[2]);
		return snprintf(buf, size, "OCW2 %s IR%u (ISR %02x -> %02x)", pic_ocw2_name(v),
				v & PIC_OCW2_LEVEL_MASK, ev->arg[1], ev->arg[2]);
	case PIC_EVENT_OCW2:
		return snprintf(buf, size, "OCW2 %s (lowest priority IR%u)", pic_ocw2_name(v),
				ev->arg[1] & 7);
	case PIC_EVENT_OCW3:
		return snprintf(buf, size, "OCW3 0x%02x (%s%s%s)", v,
				!(v & PIC_OCW3_RR) ? "read register unchanged" :
				v & PIC_OCW3_RIS ? "read ISR" : "read IRR",
				v & PIC_OCW3_P ? ", poll" : "",
				!(v & PIC_OCW3_ESMM) ? "" :
				v & PIC_OCW3_SMM ? ", special mask on" : ", special mask off");
	case PIC_EVENT_ELCR:
		return snprintf(buf, size, "ELCR 0x%02x -> 0x%02x (1 = level triggered)", v,
				ev->arg[1]);
	case PIC_EVENT_INTA:
		if (v == 0xff)
			return snprintf(buf, size, "INTA: spurious, vector 0x%02x", ev->arg[1]);
		return snprintf(buf, size, "INTA: IRQ%u, vector 0x%02x", v, ev->arg[1]);
	case PIC_EVENT_POLL:
		if (!(v & PIC_POLL_INT))
			return snprintf(buf, size, "poll: nothing pending");
		return snprintf(buf, size, "poll: IR%u (word 0x%02x)", v & 7, v);
	default:
		return snprintf(buf, size, "event %u", ev->type);
	}
}
