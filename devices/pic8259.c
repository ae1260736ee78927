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
 * - ICW1 also clears the ISR, which the data sheet does not list; QEMU,
 *   KVM and Bochs do so and guests reinitialising the pair expect it.
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
 */
#include "pic8259.h"

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
 * is a separate PIIX register and keeps its value.
 */
static void pic_chip_write_icw1(struct pic_chip *c, uint8_t value)
{
	uint8_t old_level = pic_chip_level_mask(c);

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

/* The highest-priority IR in service, or PIC_NO_IR (for non-specific EOI). */
static int pic_chip_highest_in_service(const struct pic_chip *c)
{
	unsigned prio = pic_chip_best_priority(c, c->isr);

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
		/* Resets the highest-priority IS bit; the rotating form then
		 * gives that IR the lowest priority.  No IS bit: nothing. */
		ir = pic_chip_highest_in_service(c);
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
	p->ack_opaque = NULL;
	pic_update(p);
}

/* Tell the owner of ack_notify that `irq` was acknowledged. */
static void pic_notify_ack(struct pic *p, int irq)
{
	if (irq >= 0 && p->ack_notify != NULL)
		p->ack_notify(p->ack_opaque, (unsigned)irq);
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
	if (ir == PIC_NO_IR)
		return 0;
	pic_chip_ack(c, (unsigned)ir);
	if (!c->is_master)
		irq = ir + 8;
	else if (!pic_chip_is_cascade(c, (unsigned)ir))
		irq = ir;
	pic_update(p);
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

static void pic_chip_write(struct pic_chip *c, bool a0, uint8_t value)
{
	if (a0)
		pic_chip_write_icw(c, value);
	else if (value & PIC_ICW1_INIT)
		pic_chip_write_icw1(c, value);
	else if (value & PIC_OCW3_SEL)
		pic_chip_write_ocw3(c, value);
	else
		pic_chip_write_ocw2(c, value);
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
	switch (port) {
	case PIC_MASTER_CMD:
		pic_chip_write(&p->master, false, value);
		break;
	case PIC_MASTER_DATA:
		pic_chip_write(&p->master, true, value);
		break;
	case PIC_SLAVE_CMD:
		pic_chip_write(&p->slave, false, value);
		break;
	case PIC_SLAVE_DATA:
		pic_chip_write(&p->slave, true, value);
		break;
	case PIC_ELCR_MASTER:
		pic_chip_write_elcr(&p->master, value);
		break;
	case PIC_ELCR_SLAVE:
		pic_chip_write_elcr(&p->slave, value);
		break;
	default:
		return;
	}
	pic_update(p);
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
 * seen IR2, sets its IS bit 2 all the same.
 */
uint8_t pic_acknowledge(struct pic *p)
{
	int ir = pic_chip_pending_ir(&p->master);
	int slave_ir;
	int irq;
	uint8_t vector;

	if (ir == PIC_NO_IR)
		return pic_chip_vector(&p->master, PIC_SPURIOUS_IR);

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
	} else {
		vector = pic_chip_vector(&p->master, (unsigned)ir);
		irq = ir;
	}
	pic_update(p);
	pic_notify_ack(p, irq);
	return vector;
}
