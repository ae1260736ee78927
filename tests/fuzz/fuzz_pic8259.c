// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the 8259A pair: the input is a sequence of guest and
 * device operations, and after each one the model is checked against a
 * separate, deliberately naive priority resolver and a set of invariants.
 * A listener, set after pic_init() as the VMM does, checks every device
 * event against the registers (one event per write to a PIC port, with the
 * old and new IMR/ISR/ELCR; INTA and poll with the IRQ notified and the
 * vector or word returned) and formats it at several buffer sizes;
 * pic_irq_state() is checked against a naive walk of the priorities.
 * Any violation abort()s.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Idevices \
 *         tests/fuzz/fuzz_pic8259.c devices/pic8259.c -o fuzz_pic8259
 *   ./fuzz_pic8259 -runs=1000000
 *
 * With -DFUZZ_STANDALONE (any compiler, no libFuzzer) main() replays the
 * files named on the command line, or stdin.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pic8259.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum fuzz_op {
	FUZZ_WRITE,		/* one of the six ports, value */
	FUZZ_WRITE_ANY,		/* a 16-bit port, value */
	FUZZ_READ,		/* one of the six ports */
	FUZZ_READ_ANY,		/* a 16-bit port */
	FUZZ_SET_IRQ,		/* irq 0-15, level */
	FUZZ_ACK_IF_PENDING,	/* what the VMM does */
	FUZZ_ACK,		/* even without INTR */
	FUZZ_CONFIG,		/* ack_notify behaviour, or power cycle */
	FUZZ_FORMAT,		/* an arbitrary record through the formatter */
	FUZZ_NUM_OPS,
};

static const uint16_t fuzz_ports[] = {
	PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD, PIC_SLAVE_DATA,
	PIC_ELCR_MASTER, PIC_ELCR_SLAVE,
};
#define FUZZ_NUM_PORTS (sizeof(fuzz_ports) / sizeof(fuzz_ports[0]))

static struct pic pic;
static bool intr_level;
static unsigned notify_count;
static unsigned notify_irq;
static uint16_t notify_set;	/* IRQs passed to ack_notify since reset */
static uint16_t mask_set;	/* IRQs passed to mask_notify since reset */
static bool notify_drops_line;	/* the device withdraws its request on ack */
static unsigned depth;		/* nesting of callbacks */

/* What the listener saw during the current operation, and the IMRs it told. */
static struct {
	unsigned n;				/* events, all types */
	unsigned count[PIC_EVENT_NR];		/* per type */
	struct dev_event last;			/* the last one */
	uint8_t imr[2];				/* master, slave: as OCW1/ICW1 events said */
} fev;

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/* ---- reference model --------------------------------------------------- */

static uint8_t ref_level_mask(const struct pic_chip *c)
{
	return (c->icw1 & PIC_ICW1_LTIM) ? 0xff : c->elcr;
}

static bool ref_is_cascade(const struct pic_chip *c, unsigned ir)
{
	return c->is_master && ir == PIC_CASCADE_IR && !(c->icw1 & PIC_ICW1_SNGL) &&
	       (c->icw3 & (1u << PIC_CASCADE_IR));
}

/*
 * Walk the IRs from highest to lowest priority: the first request found
 * wins, unless an in-service IR is met first, which blocks everything
 * below it (and itself, but for a slave's IR in special fully nested mode).
 */
static int ref_pending(const struct pic_chip *c)
{
	uint8_t req = c->irr & ~c->imr;
	uint8_t blocking = c->special_mask ? c->isr & ~c->imr : c->isr;

	for (unsigned k = 1; k <= 8; k++) {
		unsigned ir = (c->lowest_ir + k) % 8;
		uint8_t bit = (uint8_t)(1u << ir);

		if (blocking & bit) {
			if ((req & bit) && (c->icw4 & PIC_ICW4_SFNM) && ref_is_cascade(c, ir))
				return (int)ir;
			return -1;
		}
		if (req & bit)
			return (int)ir;
	}
	return -1;
}

static uint8_t ref_base(const struct pic_chip *c)
{
	return c->icw2 & PIC_ICW2_VECTOR_MASK;
}

/* The IS bit a non-specific EOI clears: the highest, skipping masked ones in
 * special mask mode; -1 if none. */
static int ref_eoi_target(const struct pic_chip *c)
{
	uint8_t isr = c->special_mask ? c->isr & ~c->imr : c->isr;

	for (unsigned k = 1; k <= 8; k++) {
		unsigned ir = (c->lowest_ir + k) % 8;

		if (isr & (1u << ir))
			return (int)ir;
	}
	return -1;
}

/* IRQ numbers of a chip's IR bits, without the master's cascade IR2. */
static uint16_t ref_irqs(const struct pic_chip *c, uint8_t bits)
{
	if (c->is_master)
		return bits & (uint8_t)~(1u << PIC_CASCADE_IR);
	return (uint16_t)(bits << 8);
}

/*
 * pic_irq_state() the naive way: masked if its IMR bit is set; else walk
 * from the highest priority: an in-service IR met first (its own included,
 * but for the cascade's own in special fully nested mode) blocks it.
 * Through the cascade the master's IR2 must let a slave IRQ by as well.
 */
static enum pic_irq_state ref_chip_state(const struct pic_chip *c, unsigned ir)
{
	uint8_t blocking = c->special_mask ? c->isr & ~c->imr : c->isr;

	if (c->imr & (1u << ir))
		return PIC_IRQ_MASKED;
	for (unsigned k = 1; k <= 8; k++) {
		unsigned j = (c->lowest_ir + k) % 8;

		if ((blocking & (1u << j)) &&
		    !(j == ir && (c->icw4 & PIC_ICW4_SFNM) && ref_is_cascade(c, ir)))
			return PIC_IRQ_BLOCKED;
		if (j == ir)
			break;
	}
	return PIC_IRQ_REQUESTED;
}

static enum pic_irq_state ref_irq_state(const struct pic *p, unsigned irq)
{
	enum pic_irq_state s;

	if (irq >= PIC_NUM_IRQS || irq == PIC_CASCADE_IR)
		return PIC_IRQ_IDLE;
	if (irq < 8)
		return (p->master.irr & (1u << irq)) ? ref_chip_state(&p->master, irq) :
						       PIC_IRQ_IDLE;
	if (!(p->slave.irr & (1u << (irq - 8))))
		return PIC_IRQ_IDLE;
	s = ref_chip_state(&p->slave, irq - 8);
	if (s != PIC_IRQ_REQUESTED || !ref_is_cascade(&p->master, PIC_CASCADE_IR))
		return s;
	return ref_chip_state(&p->master, PIC_CASCADE_IR);
}

static void check_irq_states(void)
{
	static const unsigned odd[] = { 16, 17, 255, 0x80000000u, 0xffffffffu };

	for (unsigned irq = 0; irq < PIC_NUM_IRQS; irq++) {
		enum pic_irq_state s = pic_irq_state(&pic, irq);

		FUZZ_CHECK(s == ref_irq_state(&pic, irq));
		/* a master request that nothing holds back raises INTR; a slave
		 * one too, once the master's IR2 has latched the slave's INT */
		if (s == PIC_IRQ_REQUESTED &&
		    (irq < 8 || (ref_is_cascade(&pic.master, PIC_CASCADE_IR) &&
				 (pic.master.irr & (1u << PIC_CASCADE_IR)))))
			FUZZ_CHECK(pic_intr_pending(&pic));
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		FUZZ_CHECK(pic_irq_state(&pic, odd[i]) == PIC_IRQ_IDLE);
}

static void check_chip(const struct pic_chip *c, bool is_master)
{
	uint8_t level = ref_level_mask(c);

	FUZZ_CHECK(c->is_master == is_master);
	FUZZ_CHECK(c->lowest_ir < 8);
	FUZZ_CHECK(c->init_step <= PIC_INIT_ICW4);
	FUZZ_CHECK(c->elcr_mask == (is_master ? PIC_ELCR_MASTER_MASK : PIC_ELCR_SLAVE_MASK));
	FUZZ_CHECK((c->elcr & ~c->elcr_mask) == 0);
	/* level-triggered inputs request exactly while high */
	FUZZ_CHECK((c->irr & level) == (c->pins & level));
}

static void check_invariants(void)
{
	check_chip(&pic.master, true);
	check_chip(&pic.slave, false);
	/* the slave's INT drives master IR2; the ISA IRQ2 pin is never used */
	FUZZ_CHECK(!!(pic.master.pins & (1u << PIC_CASCADE_IR)) == (ref_pending(&pic.slave) >= 0));
	FUZZ_CHECK(pic_intr_pending(&pic) == (ref_pending(&pic.master) >= 0));
	FUZZ_CHECK(intr_level == pic_intr_pending(&pic));
	/* every IMR change was told by an OCW1 or ICW1 event */
	FUZZ_CHECK(fev.imr[0] == pic.master.imr && fev.imr[1] == pic.slave.imr);
	check_irq_states();
}

/* ---- events -------------------------------------------------------------- */

/*
 * The formatter keeps snprintf semantics at every size: the same length,
 * a prefix of the full text, NUL-terminated, and nothing past size.
 */
static void check_format(const struct dev_event *ev)
{
	char full[256], buf[256 + 16];
	size_t sizes[] = { 0, 1, 2, 8, 0, 0 };
	size_t i, j;
	int len;

	len = pic_event_format(ev, full, sizeof(full));
	FUZZ_CHECK(len > 0 && (size_t)len < sizeof(full) && strlen(full) == (size_t)len);
	FUZZ_CHECK(pic_event_format(ev, NULL, 0) == len);
	sizes[4] = (size_t)len;
	sizes[5] = (size_t)len + 1;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0x5a, sizeof(buf));
		FUZZ_CHECK(pic_event_format(ev, buf, sizes[i]) == len);
		for (j = sizes[i]; j < sizes[i] + 16; j++)
			FUZZ_CHECK(buf[j] == 0x5a);
		if (sizes[i] == 0)
			continue;
		FUZZ_CHECK(strlen(buf) == ((size_t)len < sizes[i] ? (size_t)len : sizes[i] - 1));
		FUZZ_CHECK(strncmp(buf, full, strlen(buf)) == 0);
	}
}

/* Each event: well formed, formats, and agrees with the registers now. */
static void fuzz_event(void *opaque, const struct dev_event *ev)
{
	const struct pic_chip *c = ev->unit ? &pic.slave : &pic.master;
	const uint32_t *a = ev->arg;

	FUZZ_CHECK(opaque == &fev);
	FUZZ_CHECK(ev->source == DEV_EVENT_PIC && ev->type < PIC_EVENT_NR);
	FUZZ_CHECK(ev->unit <= 1 && ev->pad == 0 && ev->arg64 == 0);
	check_format(ev);
	fev.n++;
	fev.count[ev->type]++;
	fev.last = *ev;

	switch (ev->type) {
	case PIC_EVENT_ICW1:
		FUZZ_CHECK(a[0] == c->icw1 && (a[0] & PIC_ICW1_INIT));
		FUZZ_CHECK(c->init_step == PIC_INIT_ICW2 && c->imr == 0 && c->isr == 0);
		fev.imr[ev->unit] = 0;
		break;
	case PIC_EVENT_ICW2:
		FUZZ_CHECK(a[0] == c->icw2);
		break;
	case PIC_EVENT_ICW3:
		FUZZ_CHECK(a[0] == c->icw3);
		break;
	case PIC_EVENT_ICW4:
		FUZZ_CHECK(a[0] == c->icw4 && c->init_step == PIC_INIT_DONE);
		break;
	case PIC_EVENT_OCW1:
		FUZZ_CHECK(a[0] == fev.imr[ev->unit] && a[1] == c->imr);
		fev.imr[ev->unit] = (uint8_t)a[1];
		break;
	case PIC_EVENT_EOI:
		FUZZ_CHECK((a[0] & PIC_OCW2_EOI) && !(a[0] & (PIC_ICW1_INIT | PIC_OCW3_SEL)));
		/* an EOI clears at most one IS bit */
		FUZZ_CHECK(a[2] == c->isr && (a[2] & ~a[1]) == 0);
		FUZZ_CHECK(((a[1] ^ a[2]) & ((a[1] ^ a[2]) - 1)) == 0);
		break;
	case PIC_EVENT_OCW2:
		FUZZ_CHECK(!(a[0] & (PIC_OCW2_EOI | PIC_ICW1_INIT | PIC_OCW3_SEL)));
		FUZZ_CHECK(a[1] == c->lowest_ir);
		break;
	case PIC_EVENT_OCW3:
		FUZZ_CHECK((a[0] & (PIC_ICW1_INIT | PIC_OCW3_SEL)) == PIC_OCW3_SEL);
		FUZZ_CHECK(c->special_mask == !!(a[0] & PIC_OCW3_SMM) || !(a[0] & PIC_OCW3_ESMM));
		break;
	case PIC_EVENT_ELCR:
		FUZZ_CHECK(a[1] == c->elcr && (a[0] & ~c->elcr_mask) == 0);
		break;
	case PIC_EVENT_INTA:
		FUZZ_CHECK(ev->unit == 0 && a[1] <= 0xff);
		/* IRQ2 only from a master with no slave on IR2 (single mode) */
		FUZZ_CHECK(a[0] == 0xff || (a[0] < PIC_NUM_IRQS &&
					    (a[0] != PIC_CASCADE_IR ||
					     !ref_is_cascade(&pic.master, PIC_CASCADE_IR))));
		break;
	case PIC_EVENT_POLL:
		/* a word: I000_0W2W1W0, or 0 with no IRQ */
		FUZZ_CHECK(((a[0] & PIC_POLL_INT) && (a[0] & 0x78) == 0) ||
			   (a[0] == 0 && a[1] == 0xff));
		if (a[0] && a[1] != 0xff)
			FUZZ_CHECK(a[1] == (ev->unit ? 8u : 0u) + (a[0] & 7));
		if (a[0] && ev->unit)
			FUZZ_CHECK(a[1] != 0xff);
		break;
	default:
		break;
	}
}

/* ---- fakes ------------------------------------------------------------- */

static void fake_intr_set(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	FUZZ_CHECK(line == 0);
	FUZZ_CHECK(level != intr_level);	/* irq_line forwards changes only */
	intr_level = level;
	/* forwarded at the end of an update: must match a recomputation */
	FUZZ_CHECK(level == pic_intr_pending(&pic));
}

static void fake_ack_notify(void *opaque, unsigned irq)
{
	FUZZ_CHECK(opaque == &pic);
	FUZZ_CHECK(irq < PIC_NUM_IRQS);
	notify_count++;
	notify_irq = irq;
	notify_set |= (uint16_t)(1u << irq);
	if (notify_drops_line && depth == 0) {
		depth++;
		pic_set_irq(&pic, irq, false);
		depth--;
	}
}

/* Called once the IMR is written: the value passed is the IMR bit's. */
static void fake_mask_notify(void *opaque, unsigned irq, bool masked)
{
	const struct pic_chip *c = irq < 8 ? &pic.master : &pic.slave;

	FUZZ_CHECK(opaque == &pic);
	FUZZ_CHECK(irq < PIC_NUM_IRQS && irq != PIC_CASCADE_IR);
	FUZZ_CHECK(!(mask_set & (1u << irq)));	/* once per write */
	FUZZ_CHECK(masked == !!(c->imr & (1u << (irq % 8))));
	mask_set |= (uint16_t)(1u << irq);
}

static void power_on(void)
{
	intr_level = false;
	pic_init(&pic, irq_line_connect(fake_intr_set, NULL, 0));
	pic.ack_notify = fake_ack_notify;
	pic.mask_notify = fake_mask_notify;
	pic.notify_opaque = &pic;
	/* As the VMM does: listen after init. */
	FUZZ_CHECK(pic.events.emit == NULL);
	pic.events = (struct dev_events){ .emit = fuzz_event, .opaque = &fev };
	fev.imr[0] = pic.master.imr;
	fev.imr[1] = pic.slave.imr;
}

/* ---- operations -------------------------------------------------------- */

static bool is_pic_port(uint16_t port)
{
	for (size_t i = 0; i < FUZZ_NUM_PORTS; i++) {
		if (fuzz_ports[i] == port)
			return true;
	}
	return false;
}

static struct pic_chip *chip_of_port(uint16_t port)
{
	if (port == PIC_MASTER_CMD || port == PIC_MASTER_DATA || port == PIC_ELCR_MASTER)
		return &pic.master;
	return &pic.slave;
}

/* Field by field: struct copies need not copy padding. */
static bool chip_equal(const struct pic_chip *a, const struct pic_chip *b)
{
	return a->irr == b->irr && a->isr == b->isr && a->imr == b->imr &&
	       a->pins == b->pins && a->elcr == b->elcr && a->lowest_ir == b->lowest_ir &&
	       a->icw1 == b->icw1 && a->icw2 == b->icw2 && a->icw3 == b->icw3 &&
	       a->icw4 == b->icw4 && a->init_step == b->init_step &&
	       a->read_isr == b->read_isr && a->poll == b->poll &&
	       a->special_mask == b->special_mask && a->rotate_in_aeoi == b->rotate_in_aeoi;
}

/* A write to a PIC port emits exactly one event: the one its port, value
 * and (odd port) initialisation step call for, on the chip written. */
static void check_write_event(uint16_t port, uint8_t value, enum pic_init_step step,
			      const struct pic_chip *b, const struct pic_chip *c)
{
	static const enum pic_event icw[] = {
		[PIC_INIT_DONE] = PIC_EVENT_OCW1, [PIC_INIT_ICW2] = PIC_EVENT_ICW2,
		[PIC_INIT_ICW3] = PIC_EVENT_ICW3, [PIC_INIT_ICW4] = PIC_EVENT_ICW4,
	};
	const struct dev_event *ev = &fev.last;
	enum pic_event type;

	FUZZ_CHECK(fev.n == 1);
	FUZZ_CHECK(ev->unit == !c->is_master);
	if (port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE)
		type = PIC_EVENT_ELCR;
	else if (port & 1)
		type = icw[step];
	else if (value & PIC_ICW1_INIT)
		type = PIC_EVENT_ICW1;
	else if (value & PIC_OCW3_SEL)
		type = PIC_EVENT_OCW3;
	else if (value & PIC_OCW2_EOI)
		type = PIC_EVENT_EOI;
	else
		type = PIC_EVENT_OCW2;
	FUZZ_CHECK(ev->type == type);
	switch (type) {
	case PIC_EVENT_OCW1:
		FUZZ_CHECK(ev->arg[0] == b->imr && ev->arg[1] == value);
		break;
	case PIC_EVENT_EOI:
		FUZZ_CHECK(ev->arg[1] == b->isr && ev->arg[2] == c->isr);
		/* fall through */
	case PIC_EVENT_ICW1:
	case PIC_EVENT_ICW2:
	case PIC_EVENT_ICW3:
	case PIC_EVENT_ICW4:
	case PIC_EVENT_OCW2:
	case PIC_EVENT_OCW3:
		FUZZ_CHECK(ev->arg[0] == value);
		break;
	case PIC_EVENT_ELCR:
		FUZZ_CHECK(ev->arg[0] == b->elcr && ev->arg[1] == (value & c->elcr_mask));
		break;
	default:
		break;
	}
}

static void do_write(uint16_t port, uint8_t value)
{
	struct pic before = pic;
	struct pic_chip *c = chip_of_port(port);
	const struct pic_chip *b = c == &pic.master ? &before.master : &before.slave;
	enum pic_init_step step = c->init_step;
	bool cmd = port == PIC_MASTER_CMD || port == PIC_SLAVE_CMD;
	uint16_t acks_expected = 0;
	uint8_t new_level;
	int ir;

	notify_set = 0;
	mask_set = 0;
	pic_write(&pic, port, value);
	if (!is_pic_port(port)) {
		FUZZ_CHECK(chip_equal(&before.master, &pic.master));
		FUZZ_CHECK(chip_equal(&before.slave, &pic.slave));
		FUZZ_CHECK(notify_set == 0 && mask_set == 0);
		FUZZ_CHECK(fev.n == 0);
		return;
	}
	check_write_event(port, value, step, b, c);
	/* every IMR bit that changed was reported, and no other */
	FUZZ_CHECK(mask_set == ref_irqs(b, b->imr ^ c->imr));
	if ((port == PIC_MASTER_DATA || port == PIC_SLAVE_DATA) && step == PIC_INIT_DONE)
		FUZZ_CHECK(c->imr == value);
	if (cmd && (value & PIC_ICW1_INIT)) {
		FUZZ_CHECK(c->init_step == PIC_INIT_ICW2);
		FUZZ_CHECK(c->imr == 0 && c->isr == 0 && c->lowest_ir == 7);
		/* edge requests dropped from IRR are reported as acknowledged */
		new_level = (value & PIC_ICW1_LTIM) ? 0xff : b->elcr;
		acks_expected = ref_irqs(b, b->irr & ~ref_level_mask(b) & ~(b->pins & new_level));
	}
	FUZZ_CHECK(notify_set == acks_expected);
	if (cmd && !(value & (PIC_ICW1_INIT | PIC_OCW3_SEL)) &&
	    ((value & PIC_OCW2_CMD_MASK) == PIC_OCW2_NONSPECIFIC_EOI ||
	     (value & PIC_OCW2_CMD_MASK) == PIC_OCW2_ROTATE_NONSPECIFIC_EOI)) {
		/* in special mask mode, never a masked IS bit */
		ir = ref_eoi_target(b);
		FUZZ_CHECK(c->isr == (ir < 0 ? b->isr : (b->isr & ~(1u << ir))));
	}
	if (port == PIC_ELCR_MASTER || port == PIC_ELCR_SLAVE)
		FUZZ_CHECK(c->elcr == (value & c->elcr_mask));
}

static void do_read(uint16_t port)
{
	struct pic before = pic;
	unsigned notified = notify_count;
	uint8_t value = pic_read(&pic, port);
	const struct pic_chip *c;
	int ir;

	if (!is_pic_port(port)) {
		FUZZ_CHECK(value == 0xff);
		FUZZ_CHECK(fev.n == 0);
		return;
	}
	c = port == PIC_MASTER_CMD || port == PIC_MASTER_DATA || port == PIC_ELCR_MASTER ?
		    &before.master : &before.slave;
	switch (port) {
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		FUZZ_CHECK(value == c->imr);
		break;
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		FUZZ_CHECK(value == c->elcr);
		break;
	default:
		if (!c->poll) {
			FUZZ_CHECK(value == (c->read_isr ? c->isr : c->irr));
			break;
		}
		FUZZ_CHECK(!chip_of_port(port)->poll);
		/* a poll read, whatever it finds, is one POLL event on its chip:
		 * the word read and the IRQ notified (0xff: none) */
		FUZZ_CHECK(fev.n == 1 && fev.last.type == PIC_EVENT_POLL);
		FUZZ_CHECK(fev.last.unit == !c->is_master && fev.last.arg[0] == value);
		FUZZ_CHECK(fev.last.arg[1] == (notify_count != notified ? notify_irq : 0xffu));
		ir = ref_pending(c);
		if (ir < 0) {
			FUZZ_CHECK(value == 0);
			FUZZ_CHECK(notify_count == notified);
		} else {
			FUZZ_CHECK(value == (PIC_POLL_INT | ir));
			FUZZ_CHECK(notify_count - notified <= 1);
		}
		return;
	}
	FUZZ_CHECK(notify_count == notified);
	FUZZ_CHECK(fev.n == 0);
}

static void do_ack(void)
{
	struct pic before = pic;
	unsigned notified = notify_count;
	bool pending = pic_intr_pending(&pic);
	int ir = ref_pending(&before.master);
	int slave_ir = ref_pending(&before.slave);
	uint8_t vector = pic_acknowledge(&pic);
	uint8_t master_base = ref_base(&before.master);
	uint8_t slave_base = ref_base(&before.slave);

	/* one INTA event: the vector returned, the IRQ notified (0xff: none),
	 * and that IRQ was one that pic_irq_state() called REQUESTED */
	FUZZ_CHECK(fev.n == 1 && fev.last.type == PIC_EVENT_INTA && fev.last.unit == 0);
	FUZZ_CHECK(fev.last.arg[1] == vector);
	FUZZ_CHECK(fev.last.arg[0] == (notify_count != notified ? notify_irq : 0xffu));
	if (fev.last.arg[0] != 0xff && fev.last.arg[0] != PIC_CASCADE_IR)
		FUZZ_CHECK(pic_irq_state(&before, fev.last.arg[0]) == PIC_IRQ_REQUESTED);

	/* the vector always names an IR of one chip's ICW2 base */
	FUZZ_CHECK((vector & 0xf8) == master_base || (vector & 0xf8) == slave_base);
	FUZZ_CHECK(pending == (ir >= 0));
	if (!pending) {
		/* default IR7 of the master; nothing changes */
		FUZZ_CHECK(vector == master_base + PIC_SPURIOUS_IR);
		FUZZ_CHECK(pic.master.isr == before.master.isr);
		FUZZ_CHECK(pic.slave.isr == before.slave.isr);
		FUZZ_CHECK(pic.master.irr == before.master.irr);
		FUZZ_CHECK(notify_count == notified);
		return;
	}
	if (!(before.master.icw4 & PIC_ICW4_AEOI))
		FUZZ_CHECK(pic.master.isr == (before.master.isr | (1u << ir)));
	/* an edge request is consumed by its acknowledge (through the cascade,
	 * the slave's next request may make a new one: below) */
	if (!(ref_level_mask(&before.master) & (1u << ir)) &&
	    !ref_is_cascade(&before.master, (unsigned)ir))
		FUZZ_CHECK(!(pic.master.irr & (1u << ir)));
	if (!ref_is_cascade(&before.master, (unsigned)ir)) {
		FUZZ_CHECK(vector == master_base + ir);
		FUZZ_CHECK(notify_count == notified + 1 && notify_irq == (unsigned)ir);
		FUZZ_CHECK(pic.slave.isr == before.slave.isr);
		return;
	}
	if (slave_ir < 0) {
		/* the slave's default IR7: no IS bit 7, no notification, and
		 * no new request on an edge-triggered IR2 */
		FUZZ_CHECK(vector == slave_base + PIC_SPURIOUS_IR);
		FUZZ_CHECK(pic.slave.isr == before.slave.isr);
		FUZZ_CHECK(notify_count == notified);
		if (!(ref_level_mask(&before.master) & (1u << ir)))
			FUZZ_CHECK(!(pic.master.irr & (1u << ir)));
		return;
	}
	FUZZ_CHECK(vector == slave_base + slave_ir);
	FUZZ_CHECK(notify_count == notified + 1 && notify_irq == 8u + (unsigned)slave_ir);
	/* a request still pending in the slave is a new one on IR2 */
	if (ref_pending(&pic.slave) >= 0)
		FUZZ_CHECK(pic.master.irr & (1u << PIC_CASCADE_IR));
	if (!(before.slave.icw4 & PIC_ICW4_AEOI))
		FUZZ_CHECK(pic.slave.isr == (before.slave.isr | (1u << slave_ir)));
	if (!(ref_level_mask(&before.slave) & (1u << slave_ir)))
		FUZZ_CHECK(!(pic.slave.irr & (1u << slave_ir)));
}

/* Takes the next byte, or 0 past the end. */
static uint8_t next(const uint8_t *data, size_t size, size_t *pos)
{
	return *pos < size ? data[(*pos)++] : 0;
}

/* The formatter must take any record, not only those the model emits. */
static void format_record(const uint8_t *data, size_t size, size_t *pos)
{
	struct dev_event ev = { .source = DEV_EVENT_PIC };
	unsigned i, j;

	ev.type = (uint8_t)(next(data, size, pos) % (PIC_EVENT_NR + 2));
	ev.unit = next(data, size, pos);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			ev.arg[i] |= (uint32_t)next(data, size, pos) << (8 * j);
	check_format(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;
	uint16_t port;
	uint8_t b;

	notify_drops_line = false;
	power_on();
	check_invariants();
	while (pos < size) {
		fev.n = 0;
		memset(fev.count, 0, sizeof(fev.count));
		switch (next(data, size, &pos) % FUZZ_NUM_OPS) {
		case FUZZ_WRITE:
			port = fuzz_ports[next(data, size, &pos) % FUZZ_NUM_PORTS];
			do_write(port, next(data, size, &pos));
			break;
		case FUZZ_WRITE_ANY:
			port = next(data, size, &pos);
			port = (uint16_t)(port | next(data, size, &pos) << 8);
			do_write(port, next(data, size, &pos));
			break;
		case FUZZ_READ:
			do_read(fuzz_ports[next(data, size, &pos) % FUZZ_NUM_PORTS]);
			break;
		case FUZZ_READ_ANY:
			port = next(data, size, &pos);
			port = (uint16_t)(port | next(data, size, &pos) << 8);
			do_read(port);
			break;
		case FUZZ_SET_IRQ:
			b = next(data, size, &pos);
			/* mostly 0-15, sometimes out of range */
			pic_set_irq(&pic, (b & 0x80) ? b : (b & 15u), b & 0x10);
			FUZZ_CHECK(fev.n == 0);
			break;
		case FUZZ_ACK_IF_PENDING:
			if (pic_intr_pending(&pic))
				do_ack();
			break;
		case FUZZ_ACK:
			do_ack();
			break;
		case FUZZ_CONFIG:
			b = next(data, size, &pos);
			if (b == 0xff)
				power_on();
			else
				notify_drops_line = b & 1;
			break;
		case FUZZ_FORMAT:
			format_record(data, size, &pos);
			break;
		}
		check_invariants();
	}
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
