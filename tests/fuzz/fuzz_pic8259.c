// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the 8259A pair: the input is a sequence of guest and
 * device operations, and after each one the model is checked against a
 * separate, deliberately naive priority resolver and a set of invariants.
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
static bool notify_drops_line;	/* the device withdraws its request on ack */
static unsigned depth;		/* nesting of callbacks */

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
	if (notify_drops_line && depth == 0) {
		depth++;
		pic_set_irq(&pic, irq, false);
		depth--;
	}
}

static void power_on(void)
{
	intr_level = false;
	pic_init(&pic, irq_line_connect(fake_intr_set, NULL, 0));
	pic.ack_notify = fake_ack_notify;
	pic.ack_opaque = &pic;
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

static void do_write(uint16_t port, uint8_t value)
{
	struct pic before = pic;
	struct pic_chip *c = chip_of_port(port);
	enum pic_init_step step = c->init_step;

	pic_write(&pic, port, value);
	if (!is_pic_port(port)) {
		FUZZ_CHECK(chip_equal(&before.master, &pic.master));
		FUZZ_CHECK(chip_equal(&before.slave, &pic.slave));
		return;
	}
	if ((port == PIC_MASTER_DATA || port == PIC_SLAVE_DATA) && step == PIC_INIT_DONE)
		FUZZ_CHECK(c->imr == value);
	if ((port == PIC_MASTER_CMD || port == PIC_SLAVE_CMD) && (value & PIC_ICW1_INIT)) {
		FUZZ_CHECK(c->init_step == PIC_INIT_ICW2);
		FUZZ_CHECK(c->imr == 0 && c->isr == 0 && c->lowest_ir == 7);
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
	/* an edge request is consumed by its acknowledge */
	if (!(ref_level_mask(&before.master) & (1u << ir)))
		FUZZ_CHECK(!(pic.master.irr & (1u << ir)));
	if (!ref_is_cascade(&before.master, (unsigned)ir)) {
		FUZZ_CHECK(vector == master_base + ir);
		FUZZ_CHECK(notify_count == notified + 1 && notify_irq == (unsigned)ir);
		FUZZ_CHECK(pic.slave.isr == before.slave.isr);
		return;
	}
	if (slave_ir < 0) {
		/* the slave's default IR7: no IS bit 7, no notification */
		FUZZ_CHECK(vector == slave_base + PIC_SPURIOUS_IR);
		FUZZ_CHECK(pic.slave.isr == before.slave.isr);
		FUZZ_CHECK(notify_count == notified);
		return;
	}
	FUZZ_CHECK(vector == slave_base + slave_ir);
	FUZZ_CHECK(notify_count == notified + 1 && notify_irq == 8u + (unsigned)slave_ir);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;
	uint16_t port;
	uint8_t b;

	notify_drops_line = false;
	power_on();
	check_invariants();
	while (pos < size) {
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
		}
		check_invariants();
	}
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
