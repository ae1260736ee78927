// SPDX-License-Identifier: MIT
/*
 * Unit tests of the 8259A pair, one hardware rule each.  "DS" cites the
 * Intel 8259A data sheet (231468); "PIIX4" the 82371AB data sheet.
 */
#include "unit.h"

#include "pic8259.h"

#define MASTER_BASE	0x20
#define SLAVE_BASE	0x28

/* ---- fakes ------------------------------------------------------------- */

struct fake_intr {
	bool level;
	unsigned rises;
};

static void fake_intr_set(void *opaque, unsigned line, bool level)
{
	struct fake_intr *f = opaque;

	(void)line;
	f->level = level;
	if (level)
		f->rises++;
}

/*
 * What the notifiers were told: acks and mask changes as bit sets of IRQs,
 * and one letter per call ('a'ck, 'm'ask, 'u'nmask) to check their order.
 */
struct fake_acks {
	unsigned count;
	unsigned last_irq;
	uint16_t acked;		/* IRQs passed to ack_notify */
	uint16_t mask_changed;	/* IRQs passed to mask_notify */
	uint16_t masked;	/* their last `masked` value */
	uint16_t irr_seen;	/* master IRR | slave IRR << 8 at the last call */
	uint16_t imr_seen;	/* master IMR | slave IMR << 8 at the last call */
	char log[64];
	unsigned log_len;
};

static struct pic pic;
static struct fake_intr intr;
static struct fake_acks acks;

static void fake_log(struct fake_acks *a, char what)
{
	if (a->log_len < sizeof(a->log) - 1)
		a->log[a->log_len++] = what;
	a->irr_seen = (uint16_t)(pic.master.irr | pic.slave.irr << 8);
	a->imr_seen = (uint16_t)(pic.master.imr | pic.slave.imr << 8);
}

static void fake_ack_notify(void *opaque, unsigned irq)
{
	struct fake_acks *a = opaque;

	a->count++;
	a->last_irq = irq;
	a->acked |= (uint16_t)(1u << irq);
	fake_log(a, 'a');
}

static void fake_mask_notify(void *opaque, unsigned irq, bool masked)
{
	struct fake_acks *a = opaque;

	a->mask_changed |= (uint16_t)(1u << irq);
	if (masked)
		a->masked |= (uint16_t)(1u << irq);
	else
		a->masked &= (uint16_t)~(1u << irq);
	fake_log(a, masked ? 'm' : 'u');
}

/* Forget what the notifiers were told so far. */
static void clear_acks(void)
{
	acks = (struct fake_acks){ 0 };
}

/* Power-on, nothing else. */
static void power_on(void)
{
	intr = (struct fake_intr){ 0 };
	acks = (struct fake_acks){ 0 };
	pic_init(&pic, irq_line_connect(fake_intr_set, &intr, 0));
	pic.ack_notify = fake_ack_notify;
	pic.mask_notify = fake_mask_notify;
	pic.notify_opaque = &acks;
}

/* Linux's init_8259A(): both masked, then ICW1-4 to each chip. */
static void linux_init(void)
{
	pic_write(&pic, PIC_MASTER_DATA, 0xff);
	pic_write(&pic, PIC_SLAVE_DATA, 0xff);
	pic_write(&pic, PIC_MASTER_CMD, 0x11);		/* ICW1: edge, cascade, IC4 */
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);	/* ICW2 */
	pic_write(&pic, PIC_MASTER_DATA, 0x04);		/* ICW3: slave on IR2 */
	pic_write(&pic, PIC_MASTER_DATA, 0x01);		/* ICW4: 8086, normal EOI */
	pic_write(&pic, PIC_SLAVE_CMD, 0x11);
	pic_write(&pic, PIC_SLAVE_DATA, SLAVE_BASE);
	pic_write(&pic, PIC_SLAVE_DATA, 0x02);		/* ICW3: slave ID 2 */
	pic_write(&pic, PIC_SLAVE_DATA, 0x01);
}

/* Linux-initialised, every IRQ unmasked. */
static void setup(void)
{
	power_on();
	linux_init();
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	pic_write(&pic, PIC_SLAVE_DATA, 0x00);
}

/* A rising edge on `irq`, left high. */
static void raise(unsigned irq)
{
	pic_set_irq(&pic, irq, true);
}

/* A full pulse: the edge is latched, the input is low again. */
static void pulse(unsigned irq)
{
	pic_set_irq(&pic, irq, true);
	pic_set_irq(&pic, irq, false);
}

static uint8_t read_master_isr(void)
{
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_RR | PIC_OCW3_RIS);
	return pic_read(&pic, PIC_MASTER_CMD);
}

static uint8_t read_slave_isr(void)
{
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW3_SEL | PIC_OCW3_RR | PIC_OCW3_RIS);
	return pic_read(&pic, PIC_SLAVE_CMD);
}

static void master_eoi(void)
{
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_NONSPECIFIC_EOI);
}

/* ICW1-ICW4 to the slave alone, with ICW4 `icw4`; leaves its IMR clear. */
static void slave_init(uint8_t icw4)
{
	pic_write(&pic, PIC_SLAVE_CMD, 0x11);
	pic_write(&pic, PIC_SLAVE_DATA, SLAVE_BASE);
	pic_write(&pic, PIC_SLAVE_DATA, 0x02);
	pic_write(&pic, PIC_SLAVE_DATA, icw4);
}

/* ---- initialisation ---------------------------------------------------- */

/* DS "Initialization Command Words": after ICW1-ICW4 the odd port is OCW1,
 * and the IMR reads back on it (Linux's sequence 0x11, 0x20/0x28, 0x04/0x02,
 * 0x01). */
UNIT_TEST(linux_init_sequence_then_imr_reads_back)
{
	power_on();
	linux_init();
	pic_write(&pic, PIC_MASTER_DATA, 0xfb);
	pic_write(&pic, PIC_SLAVE_DATA, 0xa5);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_DATA), 0xfb);
	CHECK_EQ(pic_read(&pic, PIC_SLAVE_DATA), 0xa5);
	CHECK_EQ(pic.master.icw2, MASTER_BASE);
	CHECK_EQ(pic.master.icw3, 0x04);
	CHECK_EQ(pic.slave.icw3, 0x02);
	CHECK_EQ(pic.slave.icw4, PIC_ICW4_UPM);
}

/* Power-on state is undefined on the 8259A; ours is a PC BIOS's vectors with
 * everything masked (pic8259.h), so nothing reaches the CPU unasked. */
UNIT_TEST(power_on_masks_everything)
{
	power_on();
	CHECK_EQ(pic_read(&pic, PIC_MASTER_DATA), 0xff);
	CHECK_EQ(pic_read(&pic, PIC_SLAVE_DATA), 0xff);
	raise(0);
	CHECK(!pic_intr_pending(&pic));
	pic_write(&pic, PIC_MASTER_DATA, 0xfe);
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), 0x08);
}

/* DS "Initialization Command Words" (b, e): ICW1 clears the IMR and selects
 * IRR for reads. */
UNIT_TEST(icw1_clears_imr_and_selects_irr)
{
	setup();
	pic_write(&pic, PIC_MASTER_DATA, 0x5a);
	pulse(3);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_RR | PIC_OCW3_RIS);
	pic_write(&pic, PIC_MASTER_CMD, 0x11);
	CHECK_EQ(pic.master.imr, 0x00);
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	pic_write(&pic, PIC_MASTER_DATA, 0x01);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_DATA), 0x00);
	pulse(5);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 1u << 5);	/* IRR, not ISR */
}

/* Deviation kept on purpose (pic8259.c): ICW1 also clears the ISR, which the
 * data sheet does not list, as QEMU and Bochs do (KVM does not). */
UNIT_TEST(icw1_clears_isr)
{
	setup();
	raise(3);
	pic_acknowledge(&pic);
	CHECK_EQ(read_master_isr(), 1u << 3);
	linux_init();
	CHECK_EQ(read_master_isr(), 0);
}

/* DS "Initialization Command Words" (a): the edge sense circuit is reset, so
 * an input already high must go low and high again to request. */
UNIT_TEST(icw1_resets_edge_sense)
{
	setup();
	raise(4);
	CHECK(intr.level);
	linux_init();
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	CHECK(!intr.level);
	pic_set_irq(&pic, 4, false);
	raise(4);
	CHECK(intr.level);
}

/* DS "Initialization Command Words": in single mode (SNGL) there is no ICW3,
 * so the second odd-port write is ICW4. */
UNIT_TEST(single_mode_skips_icw3)
{
	power_on();
	pic_write(&pic, PIC_MASTER_CMD, PIC_ICW1_INIT | PIC_ICW1_SNGL | PIC_ICW1_IC4);
	pic_write(&pic, PIC_MASTER_DATA, 0x40);
	pic_write(&pic, PIC_MASTER_DATA, PIC_ICW4_UPM | PIC_ICW4_AEOI);
	CHECK_EQ(pic.master.icw4, PIC_ICW4_UPM | PIC_ICW4_AEOI);
	CHECK_EQ(pic.master.init_step, PIC_INIT_DONE);
	pic_write(&pic, PIC_MASTER_DATA, 0x3c);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_DATA), 0x3c);
}

/* DS "Initialization Command Words" (f): without IC4 there is no ICW4 and
 * its functions are all 0 (no AEOI: the IS bit is kept). */
UNIT_TEST(no_ic4_means_no_icw4_and_normal_eoi)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, PIC_ICW1_INIT);
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	CHECK_EQ(pic.master.init_step, PIC_INIT_DONE);
	CHECK_EQ(pic.master.icw4, 0);
	pulse(1);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 1);
	CHECK_EQ(read_master_isr(), 1u << 1);
}

/* ---- requests and masking ---------------------------------------------- */

/* DS "Edge and Level Triggered Modes": with LTIM = 0 a low-to-high transition
 * sets the IRR bit, and an unmasked request raises INT. */
UNIT_TEST(edge_irq_latches_irr_and_raises_intr)
{
	setup();
	CHECK(!intr.level);
	raise(3);
	CHECK(intr.level);
	CHECK(pic_intr_pending(&pic));
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 1u << 3);
}

/* Deviation kept on purpose (pic8259.c): a latched edge request survives
 * its input falling before the acknowledge, as in QEMU and KVM. */
UNIT_TEST(edge_request_survives_input_falling)
{
	setup();
	pulse(6);
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 6);
}

/* DS "Interrupt Mask Register": a masked IR does not reach INT, but its
 * request stays in IRR and is served once unmasked. */
UNIT_TEST(masked_irq_does_not_raise_intr)
{
	setup();
	pic_write(&pic, PIC_MASTER_DATA, 1u << 4);
	raise(4);
	CHECK(!intr.level);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 1u << 4);
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	CHECK(intr.level);
}

/* DS "Edge and Level Triggered Modes": an edge input held high can remain
 * high without generating another interrupt. */
UNIT_TEST(edge_input_held_high_does_not_retrigger)
{
	setup();
	raise(3);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 3);
	master_eoi();
	CHECK(!intr.level);
	raise(3);	/* no change: still high */
	CHECK(!intr.level);
	pic_set_irq(&pic, 3, false);
	raise(3);
	CHECK(intr.level);
}

/* The cascade input IR2 belongs to the slave's INT pin; the ISA IRQ2 pin of
 * an AT is routed to IRQ9, so driving "IRQ2" from outside does nothing. */
UNIT_TEST(irq2_input_is_ignored)
{
	setup();
	raise(2);
	CHECK(!intr.level);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 0);
	pic_set_irq(&pic, 16, true);
	pic_set_irq(&pic, 0xffffffffu, true);
	CHECK(!intr.level);
}

/* ---- acknowledge and priority ------------------------------------------ */

/* DS "Interrupt Sequence": INTA sets the IS bit, resets the IRR bit and
 * puts ICW2's T7-T3 with the IR number on the bus; INT falls. */
UNIT_TEST(acknowledge_returns_base_plus_irq_and_sets_isr)
{
	setup();
	raise(5);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 5);
	CHECK_EQ(read_master_isr(), 1u << 5);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_RR);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 0);
	CHECK(!intr.level);
}

/* DS "Fully Nested Mode": while an IR is in service, equal and lower
 * priority requests are held. */
UNIT_TEST(lower_priority_held_while_higher_in_service)
{
	setup();
	raise(1);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 1);
	raise(4);
	CHECK(!intr.level);
	master_eoi();
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 4);
}

/* DS "Fully Nested Mode": a higher priority request interrupts a lower
 * one in service; both IS bits are then set. */
UNIT_TEST(higher_priority_interrupts_lower_in_service)
{
	setup();
	raise(6);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 6);
	raise(0);
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 0);
	CHECK_EQ(read_master_isr(), (1u << 6) | (1u << 0));
}

/* DS "Interrupt Sequence": of simultaneous requests the highest priority
 * (lowest IR after ICW1) is acknowledged first. */
UNIT_TEST(simultaneous_requests_served_by_priority)
{
	setup();
	pic_write(&pic, PIC_MASTER_DATA, 0xff);
	raise(7);
	raise(3);
	raise(5);
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 3);
}

/* DS "Spurious/default IR7" ("Edge and Level Triggered Modes"): a request
 * gone before INTA yields IR7's vector and IS bit 7 is not set. */
UNIT_TEST(spurious_irq7_when_level_request_dropped_before_inta)
{
	setup();
	pic_write(&pic, PIC_ELCR_MASTER, 1u << 5);
	raise(5);
	CHECK(intr.level);
	pic_set_irq(&pic, 5, false);
	CHECK(!intr.level);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 7);
	CHECK_EQ(read_master_isr(), 0);
	CHECK_EQ(acks.count, 0);
}

/* DS "Edge and Level Triggered Modes": a default IR7 sets no IS bit, so
 * a real IR7 in service can be told apart by reading the ISR. */
UNIT_TEST(real_irq7_sets_isr_bit7)
{
	setup();
	raise(7);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 7);
	CHECK_EQ(read_master_isr(), 1u << 7);
	CHECK_EQ(acks.count, 1);
}

/* ---- end of interrupt -------------------------------------------------- */

/* DS "End of Interrupt": a non-specific EOI resets the highest priority IS
 * bit. */
UNIT_TEST(nonspecific_eoi_clears_highest_isr)
{
	setup();
	raise(6);
	pic_acknowledge(&pic);
	raise(3);
	pic_acknowledge(&pic);
	CHECK_EQ(read_master_isr(), (1u << 6) | (1u << 3));
	master_eoi();
	CHECK_EQ(read_master_isr(), 1u << 6);
}

/* DS "End of Interrupt": a specific EOI resets the IS bit it names,
 * whatever its priority. */
UNIT_TEST(specific_eoi_clears_named_bit)
{
	setup();
	raise(6);
	pic_acknowledge(&pic);
	raise(3);
	pic_acknowledge(&pic);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_SPECIFIC_EOI | 6);
	CHECK_EQ(read_master_isr(), 1u << 3);
}

/* DS "Automatic End of Interrupt (AEOI) Mode": with ICW4 AEOI the IS bit
 * is reset at the end of the INTA sequence. */
UNIT_TEST(aeoi_does_not_keep_isr)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, 0x11);
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	pic_write(&pic, PIC_MASTER_DATA, PIC_ICW4_UPM | PIC_ICW4_AEOI);
	raise(3);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 3);
	CHECK_EQ(read_master_isr(), 0);
	raise(4);	/* not blocked by IR3, as it is not in service */
	CHECK(intr.level);
}

/* ---- rotation ---------------------------------------------------------- */

/* DS "Automatic Rotation": rotate on non-specific EOI gives the serviced IR
 * the lowest priority. */
UNIT_TEST(rotate_on_nonspecific_eoi_changes_priority)
{
	setup();
	raise(0);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 0);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_ROTATE_NONSPECIFIC_EOI);
	CHECK_EQ(read_master_isr(), 0);
	CHECK_EQ(pic.master.lowest_ir, 0);
	pic_write(&pic, PIC_MASTER_DATA, 0xff);
	pic_set_irq(&pic, 0, false);
	raise(0);
	raise(7);
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 7);	/* IR0 now last */
}

/* DS "Automatic Rotation": rotate in AEOI mode rotates at each acknowledge. */
UNIT_TEST(rotate_in_aeoi_mode)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, 0x11);
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	pic_write(&pic, PIC_MASTER_DATA, PIC_ICW4_UPM | PIC_ICW4_AEOI);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_ROTATE_AEOI_SET);
	raise(4);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 4);
	CHECK_EQ(pic.master.lowest_ir, 4);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_ROTATE_AEOI_CLEAR);
	raise(5);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 5);
	CHECK_EQ(pic.master.lowest_ir, 4);
}

/* DS "Specific Rotation": set priority makes L2-L0 the lowest priority, so
 * L + 1 becomes the highest. */
UNIT_TEST(set_priority_command)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_SET_PRIORITY | 4);
	pic_write(&pic, PIC_MASTER_DATA, 0xff);
	raise(1);
	raise(4);
	raise(6);
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 6);	/* 5 > 6 > ... > 4 */
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_SPECIFIC_EOI | 6);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 1);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_SPECIFIC_EOI | 1);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 4);
}

/* DS "Specific Rotation": rotate on specific EOI resets IS bit L and makes
 * L the lowest priority. */
UNIT_TEST(rotate_on_specific_eoi)
{
	setup();
	raise(3);
	pic_acknowledge(&pic);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_ROTATE_SPECIFIC_EOI | 3);
	CHECK_EQ(read_master_isr(), 0);
	CHECK_EQ(pic.master.lowest_ir, 3);
}

/* DS "Special Mask Mode": a mask bit set in special mask mode enables all
 * other unmasked levels, lower ones included, while its IR is in service. */
UNIT_TEST(special_mask_mode_lets_lower_priorities_through)
{
	setup();
	raise(3);
	pic_acknowledge(&pic);
	raise(5);
	CHECK(!intr.level);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_ESMM | PIC_OCW3_SMM);
	pic_write(&pic, PIC_MASTER_DATA, 1u << 3);
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 5);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_ESMM);
	CHECK(!pic.master.special_mask);
}

/* DS "Special Mask Mode" (OCW3) and "End of Interrupt" (OCW2): "an IS bit
 * that is masked by an IMR bit will not be cleared by a non-specific EOI"
 * in special mask mode; the EOI goes to the unmasked IR in service.  QEMU
 * and KVM clear the masked bit (pic8259.c). */
UNIT_TEST(nonspecific_eoi_in_special_mask_mode_skips_masked_is_bit)
{
	setup();
	raise(3);
	pic_acknowledge(&pic);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_ESMM | PIC_OCW3_SMM);
	pic_write(&pic, PIC_MASTER_DATA, 1u << 3);
	raise(5);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 5);
	CHECK_EQ(read_master_isr(), (1u << 3) | (1u << 5));
	master_eoi();
	CHECK_EQ(read_master_isr(), 1u << 3);
	master_eoi();			/* only the masked one left: no effect */
	CHECK_EQ(read_master_isr(), 1u << 3);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW2_SPECIFIC_EOI | 3);
	CHECK_EQ(read_master_isr(), 0);
}

/* ---- OCW3 reads -------------------------------------------------------- */

/* DS "Reading the 8259A Status": OCW3 RR/RIS selects IRR or ISR for even-port
 * reads, and the choice sticks until changed. */
UNIT_TEST(ocw3_read_register_select)
{
	setup();
	raise(1);
	pic_acknowledge(&pic);
	raise(4);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 1u << 4);	/* IRR after init */
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_RR | PIC_OCW3_RIS);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 1u << 1);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 1u << 1);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_RIS);	/* RR = 0 */
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 1u << 1);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_RR);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 1u << 4);
}

/* DS "The Poll Command": the next read returns I000_0W2W1W0 and acts as an
 * interrupt acknowledge (IS bit set), once. */
UNIT_TEST(poll_command_reports_and_acknowledges)
{
	setup();
	raise(6);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), PIC_POLL_INT | 6);
	CHECK_EQ(acks.count, 1);
	CHECK_EQ(acks.last_irq, 6);
	CHECK(!intr.level);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 0);	/* IRR again, now empty */
	CHECK_EQ(read_master_isr(), 1u << 6);
}

/* DS "The Poll Command": with no request the I bit is 0; we return 0x00. */
UNIT_TEST(poll_with_nothing_pending_reads_zero)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 0x00);
	CHECK(!pic.master.poll);
}

/* DS "The Poll Command": a poll acknowledges on the polled chip alone; a
 * master reporting IR2 leaves the slave to be polled in turn. */
UNIT_TEST(poll_through_cascade_polls_each_chip)
{
	setup();
	raise(12);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), PIC_POLL_INT | PIC_CASCADE_IR);
	CHECK_EQ(acks.count, 0);
	CHECK_EQ(read_slave_isr(), 0);
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_SLAVE_CMD), PIC_POLL_INT | 4);
	CHECK_EQ(acks.count, 1);
	CHECK_EQ(acks.last_irq, 12);
	CHECK_EQ(read_master_isr(), 1u << PIC_CASCADE_IR);
	CHECK_EQ(read_slave_isr(), 1u << 4);
}

/* ---- cascade ----------------------------------------------------------- */

/* DS "Cascading": the master acknowledges IR2 (IS bit 2) and the slave puts
 * its vector on the bus: IRQ12 = slave IR4. */
UNIT_TEST(cascade_irq12_gives_slave_vector)
{
	setup();
	raise(12);
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 4);
	CHECK_EQ(read_master_isr(), 1u << 2);
	CHECK_EQ(read_slave_isr(), 1u << 4);
	CHECK(!intr.level);
}

/* DS "Cascading" with "Fully Nested Mode": while the slave's IR is in
 * service on the master, even a higher slave request waits for the master
 * EOI. */
UNIT_TEST(cascade_blocks_slave_until_master_eoi)
{
	setup();
	raise(12);
	pic_acknowledge(&pic);
	raise(9);
	CHECK(!intr.level);
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW2_NONSPECIFIC_EOI);
	master_eoi();
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 1);
}

/* DS "The Special Fully Nested Mode": with SFNM on the master, a higher
 * priority request from the slave in service is recognised, while lower
 * master IRs stay blocked by IS bit 2. */
UNIT_TEST(sfnm_lets_higher_slave_irq_nest)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, 0x11);
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	pic_write(&pic, PIC_MASTER_DATA, PIC_ICW4_UPM | PIC_ICW4_SFNM);
	raise(12);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 4);
	raise(5);
	CHECK(!intr.level);
	raise(9);
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 1);
	CHECK_EQ(read_slave_isr(), (1u << 4) | (1u << 1));
}

/* DS "Cascading", "Automatic End of Interrupt (AEOI) Mode": a slave in AEOI
 * mode with two requests keeps its INT high through the first acknowledge,
 * yet the second must reach the master's edge-triggered IR2 (pic8259.c;
 * KVM's pic_update_irq() pulses IR2): both are delivered, by priority,
 * without any input toggling again. */
UNIT_TEST(cascade_second_request_behind_aeoi_slave_is_delivered)
{
	setup();
	slave_init(PIC_ICW4_UPM | PIC_ICW4_AEOI);
	raise(10);
	raise(11);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 2);
	CHECK(!intr.level);		/* the master's IS bit 2 holds it */
	master_eoi();
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 3);
	master_eoi();
	CHECK(!intr.level);
	CHECK_EQ(read_slave_isr(), 0);
}

/* DS "The Poll Command" with "Cascading": polling the master, then an AEOI
 * slave with two requests, reports both; the slave's poll, like its INTA,
 * gives the master's IR2 a new edge for the second. */
UNIT_TEST(poll_through_cascade_reports_second_aeoi_slave_request)
{
	setup();
	slave_init(PIC_ICW4_UPM | PIC_ICW4_AEOI);
	raise(10);
	raise(11);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), PIC_POLL_INT | PIC_CASCADE_IR);
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_SLAVE_CMD), PIC_POLL_INT | 2);
	master_eoi();
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), PIC_POLL_INT | PIC_CASCADE_IR);
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_SLAVE_CMD), PIC_POLL_INT | 3);
}

/* DS "Cascading" with "Fully Nested Mode": a normal-EOI slave with two
 * requests holds the second while the first is in service, and delivers it
 * once both chips had their EOI. */
UNIT_TEST(cascade_two_slave_requests_with_normal_eoi_served_in_turn)
{
	setup();
	raise(10);
	raise(11);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 2);
	CHECK(!intr.level);
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW2_NONSPECIFIC_EOI);
	CHECK(!intr.level);		/* the master's IS bit 2 still holds it */
	master_eoi();
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 3);
	CHECK_EQ(read_slave_isr(), 1u << 3);
	CHECK_EQ(read_master_isr(), 1u << PIC_CASCADE_IR);
}

/* DS "The Special Fully Nested Mode": after the slave's EOI, with the
 * master's IS bit 2 still set, the slave's next request is recognised
 * (software checks the slave's ISR before the master's EOI). */
UNIT_TEST(sfnm_next_slave_request_after_slave_eoi)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, 0x11);
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	pic_write(&pic, PIC_MASTER_DATA, PIC_ICW4_UPM | PIC_ICW4_SFNM);
	raise(10);
	raise(11);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 2);
	CHECK(!intr.level);		/* IRQ11 is below IRQ10 in service */
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW2_NONSPECIFIC_EOI);
	CHECK_EQ(read_slave_isr(), 0);
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 3);
	CHECK_EQ(read_master_isr(), 1u << PIC_CASCADE_IR);
}

/* DS "Spurious/default IR7" through the cascade: the master saw IR2, so
 * it sets IS bit 2, but the slave's request is gone and the slave answers
 * its default IR7 (IRQ15) without setting its IS bit 7. */
UNIT_TEST(spurious_irq15_on_slave_sets_master_isr2)
{
	setup();
	pic_write(&pic, PIC_ELCR_SLAVE, 1u << 2);	/* IRQ10 level */
	raise(10);
	CHECK(intr.level);
	pic_set_irq(&pic, 10, false);	/* the master's IR2 edge stays latched */
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 7);
	CHECK_EQ(read_master_isr(), 1u << 2);
	CHECK_EQ(read_slave_isr(), 0);
	CHECK_EQ(acks.count, 0);
}

/* DS "Cascading": ICW3 of a master in cascade mode names the inputs with a
 * slave; a single-mode master answers IR2 with its own vector. */
UNIT_TEST(single_mode_master_answers_ir2_itself)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, PIC_ICW1_INIT | PIC_ICW1_SNGL | PIC_ICW1_IC4);
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, PIC_ICW4_UPM);
	raise(11);
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 2);
	CHECK_EQ(read_slave_isr(), 0);
}

/* ---- level triggering and ELCR ----------------------------------------- */

/* DS "Edge and Level Triggered Modes" / PIIX4 ELCR: a level input still high
 * after the EOI requests again. */
UNIT_TEST(level_input_via_elcr_reasserts_after_eoi)
{
	setup();
	pic_write(&pic, PIC_ELCR_SLAVE, 1u << 3);	/* IRQ11 */
	raise(11);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 3);
	CHECK(!intr.level);
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW2_NONSPECIFIC_EOI);
	master_eoi();
	CHECK(intr.level);
	CHECK_EQ(pic_acknowledge(&pic), SLAVE_BASE + 3);
}

/* DS "Edge and Level Triggered Modes": LTIM makes all eight inputs of the
 * chip level triggered, whatever the ELCR says. */
UNIT_TEST(ltim_makes_whole_chip_level_triggered)
{
	setup();
	pic_write(&pic, PIC_MASTER_CMD, 0x11 | PIC_ICW1_LTIM);
	pic_write(&pic, PIC_MASTER_DATA, MASTER_BASE);
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	pic_write(&pic, PIC_MASTER_DATA, PIC_ICW4_UPM);
	raise(1);	/* ELCR bit 1 is reserved: LTIM alone makes it level */
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 1);
	master_eoi();
	CHECK(intr.level);
	pic_set_irq(&pic, 1, false);
	CHECK(!intr.level);
}

/* PIIX4 ELCR1/ELCR2: IRQ0, 1, 2, 8 and 13 are edge only; their bits read 0. */
UNIT_TEST(elcr_reserved_bits_read_zero)
{
	setup();
	pic_write(&pic, PIC_ELCR_MASTER, 0xff);
	pic_write(&pic, PIC_ELCR_SLAVE, 0xff);
	CHECK_EQ(pic_read(&pic, PIC_ELCR_MASTER), 0xf8);
	CHECK_EQ(pic_read(&pic, PIC_ELCR_SLAVE), 0xde);
}

/* PIIX4 ELCR: the ELCR is not part of the 8259A, ICW1 leaves it alone. */
UNIT_TEST(elcr_survives_icw1)
{
	setup();
	pic_write(&pic, PIC_ELCR_MASTER, 0x20);
	linux_init();
	CHECK_EQ(pic_read(&pic, PIC_ELCR_MASTER), 0x20);
}

/* ---- glue -------------------------------------------------------------- */

/* Our interface: ack_notify gets the ISA IRQ number of each real acknowledge,
 * master or slave. */
UNIT_TEST(ack_notify_called_with_irq_number)
{
	setup();
	raise(4);
	pic_acknowledge(&pic);
	CHECK_EQ(acks.count, 1);
	CHECK_EQ(acks.last_irq, 4);
	raise(14);
	master_eoi();
	pic_acknowledge(&pic);
	CHECK_EQ(acks.count, 2);
	CHECK_EQ(acks.last_irq, 14);
}

/* KVM's kvm_pic_reset(): ICW1 reports each edge request it discards from
 * IRR to the ack notifiers, once the registers are updated; not a level
 * request (its pin is still high and still asks), nor the master's cascade
 * input IR2 (no device's line). */
UNIT_TEST(icw1_reports_discarded_edge_requests_to_ack_notify)
{
	setup();
	pic_write(&pic, PIC_ELCR_MASTER, 1u << 5);	/* IRQ5 level */
	pic_write(&pic, PIC_MASTER_DATA, 0xff);		/* all stay in IRR */
	pulse(0);
	raise(3);
	raise(5);
	raise(12);			/* the slave's INT: master IRR bit 2 */
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5));
	clear_acks();
	pic_write(&pic, PIC_MASTER_CMD, 0x11);
	CHECK_EQ(acks.acked, (1u << 0) | (1u << 3));
	CHECK_EQ(acks.irr_seen & 0xff, 1u << 5);	/* IRR already updated */
	clear_acks();
	pic_write(&pic, PIC_SLAVE_CMD, 0x11);
	CHECK_EQ(acks.acked, 1u << 12);
	clear_acks();
	pic_write(&pic, PIC_MASTER_CMD, 0x11);	/* only the level request left */
	CHECK_EQ(acks.count, 0);
}

/* KVM's kvm_fire_mask_notifiers() on OCW1 ("Operation Command Words"): each
 * IRQ whose IMR bit changes is reported with its new value, once the IMR is
 * written; an unchanged bit is not, nor ever the master's cascade IR2. */
UNIT_TEST(ocw1_reports_changed_imr_bits_to_mask_notify)
{
	setup();
	clear_acks();
	pic_write(&pic, PIC_MASTER_DATA, 0x05);
	CHECK_EQ(acks.mask_changed, 1u << 0);
	CHECK_EQ(acks.masked, 1u << 0);
	CHECK_EQ(acks.imr_seen & 0xff, 0x05);
	clear_acks();
	pic_write(&pic, PIC_MASTER_DATA, 0x05);
	CHECK_EQ(acks.log_len, 0);
	pic_write(&pic, PIC_SLAVE_DATA, 0x81);
	CHECK_EQ(acks.mask_changed, (1u << 8) | (1u << 15));
	CHECK_EQ(acks.masked, (1u << 8) | (1u << 15));
	clear_acks();
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	CHECK_EQ(acks.mask_changed, 1u << 0);
	CHECK_EQ(acks.masked, 0);
}

/* DS "Initialization Command Words": ICW1 clears the IMR, so each IRQ it
 * unmasks goes to mask_notify (not IR2), before the discarded edge requests
 * go to ack_notify (pic8259.h); ICW2-ICW4 on the odd port are no OCW1. */
UNIT_TEST(icw1_reports_unmasked_irqs_to_mask_notify_before_acks)
{
	setup();
	pic_write(&pic, PIC_MASTER_DATA, 0x87);	/* IR0, IR1, IR2, IR7 masked */
	pulse(0);
	clear_acks();
	pic_write(&pic, PIC_MASTER_CMD, 0x11);
	CHECK_EQ(acks.mask_changed, (1u << 0) | (1u << 1) | (1u << 7));
	CHECK_EQ(acks.masked, 0);
	CHECK_EQ(acks.imr_seen & 0xff, 0);
	CHECK_EQ(acks.acked, 1u << 0);
	CHECK(strcmp(acks.log, "uuua") == 0);
	pic_write(&pic, PIC_MASTER_DATA, 0xff);	/* ICW2 */
	pic_write(&pic, PIC_MASTER_DATA, 0x04);
	pic_write(&pic, PIC_MASTER_DATA, 0x01);
	CHECK_EQ(acks.log_len, 4);
}

/* Our interface: an acknowledge with nothing pending is the master's default
 * IR7 and changes nothing. */
UNIT_TEST(acknowledge_with_nothing_pending_is_master_irq7)
{
	setup();
	CHECK_EQ(pic_acknowledge(&pic), MASTER_BASE + 7);
	CHECK_EQ(read_master_isr(), 0);
	CHECK_EQ(acks.count, 0);
}

/* ISA decoding: ports the pair does not own read 0xff and ignore writes. */
UNIT_TEST(unknown_port_reads_ff)
{
	setup();
	CHECK_EQ(pic_read(&pic, 0x22), 0xff);
	CHECK_EQ(pic_read(&pic, 0x4d2), 0xff);
	pic_write(&pic, 0x22, 0x11);
	CHECK_EQ(pic.master.init_step, PIC_INIT_DONE);
}

/* irq_line: INTR is forwarded only on changes, so two requests in a row
 * raise the CPU's line once. */
UNIT_TEST(intr_rises_once_for_two_requests)
{
	setup();
	raise(5);
	raise(6);
	CHECK_EQ(intr.rises, 1);
}

/* ---- device events ------------------------------------------------------ */

/* A recording listener: every event, with the IMRs and ISRs when it came. */
struct ev_log {
	struct dev_event ev[256];
	uint16_t imr[256];	/* master IMR | slave IMR << 8 at the emit */
	uint16_t isr[256];	/* master ISR | slave ISR << 8 at the emit */
	unsigned n;
};

static struct ev_log evlog;

static void record_event(void *opaque, const struct dev_event *ev)
{
	struct ev_log *log = opaque;

	if (log->n < sizeof(log->ev) / sizeof(log->ev[0])) {
		log->ev[log->n] = *ev;
		log->imr[log->n] = (uint16_t)(pic.master.imr | pic.slave.imr << 8);
		log->isr[log->n] = (uint16_t)(pic.master.isr | pic.slave.isr << 8);
	}
	log->n++;
}

/* The VMM's order: pic_init() (in power_on), then set the listener. */
static void listen(void)
{
	memset(&evlog, 0, sizeof(evlog));
	pic.events = (struct dev_events){ .emit = record_event, .opaque = &evlog };
}

static unsigned count_events(enum pic_event type)
{
	unsigned i, n = 0;

	for (i = 0; i < evlog.n; i++)
		n += evlog.ev[i].type == type;
	return n;
}

/* Checks event `i` of the log: a PIC event of `type` on `unit` with these arguments. */
static void check_event(unsigned i, enum pic_event type, unsigned unit, uint32_t a0,
			uint32_t a1, uint32_t a2)
{
	const struct dev_event *ev = &evlog.ev[i];

	CHECK(i < evlog.n);
	CHECK_EQ(ev->source, DEV_EVENT_PIC);
	CHECK_EQ(ev->type, type);
	CHECK_EQ(ev->unit, unit);
	CHECK_EQ(ev->arg[0], a0);
	CHECK_EQ(ev->arg[1], a1);
	CHECK_EQ(ev->arg[2], a2);
	CHECK_EQ(ev->pad, 0);
	CHECK_EQ(ev->arg64, 0);
}

static struct dev_event pic_ev(unsigned type, unsigned unit, uint32_t a0, uint32_t a1,
			       uint32_t a2)
{
	return (struct dev_event){
		.source = DEV_EVENT_PIC, .type = (uint8_t)type, .unit = (uint8_t)unit,
		.arg = { a0, a1, a2 },
	};
}

/* Formats `ev` and checks the text and the returned length. */
static void check_text(const struct dev_event *ev, const char *text)
{
	char buf[160];

	CHECK_EQ(pic_event_format(ev, buf, sizeof(buf)), strlen(text));
	if (strcmp(buf, text) != 0)
		printf("  got \"%s\", expected \"%s\"\n", buf, text);
	CHECK_EQ(strcmp(buf, text), 0);
}

/* Events rule: Linux's init_8259A() emits, after its two OCW1s, ICW1, ICW2,
 * ICW3, ICW4 on the master (unit 0), then the same on the slave (unit 1),
 * each with the value written and nothing else. */
UNIT_TEST(linux_init_emits_icw1_to_icw4_in_order_on_each_unit)
{
	power_on();
	listen();
	linux_init();
	CHECK_EQ(evlog.n, 10);
	check_event(0, PIC_EVENT_OCW1, 0, 0xff, 0xff, 0);
	check_event(1, PIC_EVENT_OCW1, 1, 0xff, 0xff, 0);
	check_event(2, PIC_EVENT_ICW1, 0, 0x11, 0, 0);
	check_event(3, PIC_EVENT_ICW2, 0, MASTER_BASE, 0, 0);
	check_event(4, PIC_EVENT_ICW3, 0, 0x04, 0, 0);
	check_event(5, PIC_EVENT_ICW4, 0, 0x01, 0, 0);
	check_event(6, PIC_EVENT_ICW1, 1, 0x11, 0, 0);
	check_event(7, PIC_EVENT_ICW2, 1, SLAVE_BASE, 0, 0);
	check_event(8, PIC_EVENT_ICW3, 1, 0x02, 0, 0);
	check_event(9, PIC_EVENT_ICW4, 1, 0x01, 0, 0);
	/* emitted after the registers changed: ICW1 has cleared the IMR */
	CHECK_EQ(evlog.imr[2] & 0xff, 0);
}

/* Events rule: a write to the odd port after the ICWs (OCW1) emits one OCW1
 * event, arg0 the IMR before, arg1 the IMR after, on the chip written. */
UNIT_TEST(ocw1_emits_old_and_new_imr)
{
	setup();
	listen();
	pic_write(&pic, PIC_MASTER_DATA, 0xfe);
	pic_write(&pic, PIC_SLAVE_DATA, 0x3f);
	pic_write(&pic, PIC_MASTER_DATA, 0xfe);
	CHECK_EQ(evlog.n, 3);
	check_event(0, PIC_EVENT_OCW1, 0, 0x00, 0xfe, 0);
	check_event(1, PIC_EVENT_OCW1, 1, 0x00, 0x3f, 0);
	check_event(2, PIC_EVENT_OCW1, 0, 0xfe, 0xfe, 0);
	CHECK_EQ(evlog.imr[0], 0x00fe);
}

/* Events rule: an OCW2 with EOI set emits one EOI event: arg0 the OCW2,
 * arg1/arg2 the ISR before and after (the highest IS bit cleared). */
UNIT_TEST(nonspecific_eoi_emits_isr_before_and_after)
{
	setup();
	raise(5);
	pic_acknowledge(&pic);
	raise(3);
	pic_acknowledge(&pic);
	CHECK_EQ(read_master_isr(), 0x28);
	listen();
	master_eoi();
	master_eoi();
	master_eoi();		/* nothing in service: still an EOI, ISR unchanged */
	CHECK_EQ(evlog.n, 3);
	check_event(0, PIC_EVENT_EOI, 0, PIC_OCW2_NONSPECIFIC_EOI, 0x28, 0x20);
	check_event(1, PIC_EVENT_EOI, 0, PIC_OCW2_NONSPECIFIC_EOI, 0x20, 0x00);
	check_event(2, PIC_EVENT_EOI, 0, PIC_OCW2_NONSPECIFIC_EOI, 0x00, 0x00);
	/* the slave's own EOI is unit 1; a specific EOI names its level in arg0 */
	raise(12);
	pic_acknowledge(&pic);
	evlog.n = 0;
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW2_SPECIFIC_EOI | 4);
	check_event(0, PIC_EVENT_EOI, 1, PIC_OCW2_SPECIFIC_EOI | 4, 0x10, 0x00);
}

/* Events rule: INTA emits one INTA event on unit 0, arg0 the IRQ (0-15),
 * arg1 the vector pic_acknowledge() returned; a spurious INTA (master's
 * default IR7, or the slave's through the cascade) has IRQ 0xff. */
UNIT_TEST(inta_emits_irq_and_vector_and_0xff_when_spurious)
{
	uint8_t v;

	setup();
	listen();
	raise(4);
	v = pic_acknowledge(&pic);
	CHECK_EQ(v, MASTER_BASE + 4);
	CHECK_EQ(evlog.n, 1);
	check_event(0, PIC_EVENT_INTA, 0, 4, v, 0);
	raise(12);
	v = pic_acknowledge(&pic);
	CHECK_EQ(v, SLAVE_BASE + 4);
	check_event(1, PIC_EVENT_INTA, 0, 12, v, 0);
	/* nothing pending: the master's IR7 vector, no IRQ */
	v = pic_acknowledge(&pic);
	CHECK_EQ(v, MASTER_BASE + 7);
	check_event(2, PIC_EVENT_INTA, 0, 0xff, v, 0);
	/* through the cascade: the slave's IR7 vector, no IRQ */
	setup();
	listen();
	pic_write(&pic, PIC_ELCR_SLAVE, 1u << 2);	/* IRQ10 level */
	raise(10);
	pic_set_irq(&pic, 10, false);
	v = pic_acknowledge(&pic);
	CHECK_EQ(v, SLAVE_BASE + 7);
	CHECK_EQ(count_events(PIC_EVENT_INTA), 1);
	check_event(evlog.n - 1, PIC_EVENT_INTA, 0, 0xff, v, 0);
}

/* Events rule: a poll read emits one POLL event on the chip polled, arg0 the
 * poll word read, arg1 the IRQ (0xff for the master's cascade IR2, or when
 * nothing is pending and the word is 0). */
UNIT_TEST(poll_emits_word_and_irq_also_when_nothing_pending)
{
	setup();
	raise(12);
	listen();
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), PIC_POLL_INT | 2);
	pic_write(&pic, PIC_SLAVE_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_SLAVE_CMD), PIC_POLL_INT | 4);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	CHECK_EQ(pic_read(&pic, PIC_MASTER_CMD), 0);
	CHECK_EQ(evlog.n, 6);
	check_event(1, PIC_EVENT_POLL, 0, PIC_POLL_INT | 2, 0xff, 0);
	check_event(3, PIC_EVENT_POLL, 1, PIC_POLL_INT | 4, 12, 0);
	check_event(5, PIC_EVENT_POLL, 0, 0, 0xff, 0);
	check_text(&evlog.ev[5], "poll: nothing pending");
	/* a read of the even port without a poll command is no event */
	pic_read(&pic, PIC_MASTER_CMD);
	CHECK_EQ(evlog.n, 6);
}

/* pic_irq_state(): IDLE without a request in IRR; MASKED for a request
 * whose IMR bit is set, whatever is in service; IRQ2 and numbers past 15
 * are IDLE. */
UNIT_TEST(irq_state_idle_and_masked)
{
	setup();
	CHECK_EQ(pic_irq_state(&pic, 3), PIC_IRQ_IDLE);
	pic_write(&pic, PIC_MASTER_DATA, 1u << 3);
	pulse(3);
	CHECK_EQ(pic_irq_state(&pic, 3), PIC_IRQ_MASKED);
	CHECK(!intr.level);
	raise(1);
	pic_acknowledge(&pic);			/* IR1 in service: masked still wins */
	CHECK_EQ(pic_irq_state(&pic, 3), PIC_IRQ_MASKED);
	CHECK_EQ(pic_irq_state(&pic, 1), PIC_IRQ_IDLE);	/* acknowledged: out of IRR */
	CHECK_EQ(pic_irq_state(&pic, PIC_CASCADE_IR), PIC_IRQ_IDLE);
	CHECK_EQ(pic_irq_state(&pic, 16), PIC_IRQ_IDLE);
	CHECK_EQ(pic_irq_state(&pic, 0xffffffffu), PIC_IRQ_IDLE);
}

/* pic_irq_state(): BLOCKED for a request behind an in-service IR of higher
 * (or its own, equal) priority, REQUESTED for one that beats everything in
 * service; REQUESTED means INTR is raised for it. */
UNIT_TEST(irq_state_blocked_behind_higher_priority_in_service)
{
	setup();
	raise(3);
	CHECK_EQ(pic_irq_state(&pic, 3), PIC_IRQ_REQUESTED);
	CHECK(intr.level);
	pic_acknowledge(&pic);			/* IR3 in service */
	pulse(5);
	CHECK_EQ(pic_irq_state(&pic, 5), PIC_IRQ_BLOCKED);
	CHECK(!intr.level);
	pic_set_irq(&pic, 3, false);
	pulse(3);				/* its own IS bit: equal priority */
	CHECK_EQ(pic_irq_state(&pic, 3), PIC_IRQ_BLOCKED);
	CHECK(!intr.level);
	pulse(1);				/* higher priority: gets through */
	CHECK_EQ(pic_irq_state(&pic, 1), PIC_IRQ_REQUESTED);
	CHECK(intr.level);
	master_eoi();				/* IR3 done: IR3 and IR5 may go */
	CHECK_EQ(pic_irq_state(&pic, 3), PIC_IRQ_REQUESTED);
	CHECK_EQ(pic_irq_state(&pic, 5), PIC_IRQ_REQUESTED);
	/* special mask mode: a masked IS bit blocks nothing */
	pic_acknowledge(&pic);			/* IR1 in service */
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_ESMM | PIC_OCW3_SMM);
	CHECK_EQ(pic_irq_state(&pic, 5), PIC_IRQ_BLOCKED);
	pic_write(&pic, PIC_MASTER_DATA, 1u << 1);
	CHECK_EQ(pic_irq_state(&pic, 5), PIC_IRQ_REQUESTED);
	CHECK(intr.level);
}

/* pic_irq_state() for IRQ8-15: the slave's own IMR and ISR first, then the
 * master's IR2, whose mask bit masks and whose priority blocks the whole
 * slave. */
UNIT_TEST(irq_state_of_slave_irq_goes_through_master_ir2)
{
	setup();
	pic_write(&pic, PIC_MASTER_DATA, 1u << PIC_CASCADE_IR);
	raise(12);
	CHECK_EQ(pic_irq_state(&pic, 12), PIC_IRQ_MASKED);
	CHECK(!intr.level);
	pic_write(&pic, PIC_SLAVE_DATA, 1u << 4);
	CHECK_EQ(pic_irq_state(&pic, 12), PIC_IRQ_MASKED);
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	CHECK_EQ(pic_irq_state(&pic, 12), PIC_IRQ_MASKED);	/* the slave's own bit */
	pic_write(&pic, PIC_SLAVE_DATA, 0x00);
	CHECK_EQ(pic_irq_state(&pic, 12), PIC_IRQ_REQUESTED);
	CHECK(intr.level);
	/* the master's IR1 in service blocks IR2, so every slave IRQ */
	setup();
	raise(1);
	pic_acknowledge(&pic);
	raise(12);
	CHECK_EQ(pic_irq_state(&pic, 12), PIC_IRQ_BLOCKED);
	CHECK(!intr.level);
	master_eoi();
	CHECK_EQ(pic_irq_state(&pic, 12), PIC_IRQ_REQUESTED);
	/* a slave IR in service blocks lower slave IRs, and through the master's
	 * IS bit 2 even higher ones, until the master's EOI */
	pic_acknowledge(&pic);			/* IRQ12: slave IS4, master IS2 */
	raise(14);
	CHECK_EQ(pic_irq_state(&pic, 14), PIC_IRQ_BLOCKED);
	raise(9);
	CHECK_EQ(pic_irq_state(&pic, 9), PIC_IRQ_BLOCKED);
	CHECK(!intr.level);
	master_eoi();
	CHECK_EQ(pic_irq_state(&pic, 9), PIC_IRQ_REQUESTED);
	CHECK_EQ(pic_irq_state(&pic, 14), PIC_IRQ_BLOCKED);
	CHECK(intr.level);
}

/* Events rule: the formatter's wording, as pic8259.h and the tracer print it. */
UNIT_TEST(formatter_describes_each_event_type)
{
	static const struct {
		enum pic_event type;
		unsigned unit;
		uint32_t a0, a1, a2;
		const char *text;
	} cases[] = {
		{ PIC_EVENT_ICW1, 0, 0x11, 0, 0, "ICW1 0x11 (edge, cascade, ICW4 follows)" },
		{ PIC_EVENT_ICW1, 0, 0x1a, 0, 0, "ICW1 0x1a (level, single, no ICW4)" },
		{ PIC_EVENT_ICW2, 0, 0x20, 0, 0, "ICW2 0x20 (IRQ0-7 -> vectors 0x20-0x27)" },
		{ PIC_EVENT_ICW2, 1, 0x28, 0, 0, "ICW2 0x28 (IRQ8-15 -> vectors 0x28-0x2f)" },
		{ PIC_EVENT_ICW2, 1, 0x75, 0, 0, "ICW2 0x75 (IRQ8-15 -> vectors 0x70-0x77)" },
		{ PIC_EVENT_ICW3, 0, 0x04, 0, 0, "ICW3 0x04 (slaves on IR mask 0x04)" },
		{ PIC_EVENT_ICW3, 1, 0x02, 0, 0, "ICW3 0x02 (slave ID 2)" },
		{ PIC_EVENT_ICW4, 0, 0x01, 0, 0, "ICW4 0x01 (8086 mode, normal EOI)" },
		{ PIC_EVENT_ICW4, 0, 0x1b, 0, 0,
		  "ICW4 0x1b (8086 mode, automatic EOI, buffered, special fully nested)" },
		{ PIC_EVENT_OCW1, 0, 0xff, 0xfe, 0, "OCW1 IMR 0xff -> 0xfe" },
		{ PIC_EVENT_EOI, 0, 0x20, 0x01, 0x00, "OCW2 non-specific EOI (ISR 01 -> 00)" },
		{ PIC_EVENT_EOI, 1, 0x63, 0x08, 0x00, "OCW2 specific EOI IR3 (ISR 08 -> 00)" },
		{ PIC_EVENT_EOI, 0, 0xa0, 0x21, 0x20,
		  "OCW2 rotate on non-specific EOI (ISR 21 -> 20)" },
		{ PIC_EVENT_OCW2, 0, 0xc4, 4, 0, "OCW2 set priority (lowest priority IR4)" },
		{ PIC_EVENT_OCW3, 0, 0x0b, 0, 0, "OCW3 0x0b (read ISR)" },
		{ PIC_EVENT_OCW3, 0, 0x6c, 0, 0,
		  "OCW3 0x6c (read register unchanged, poll, special mask on)" },
		{ PIC_EVENT_ELCR, 1, 0x00, 0x08, 0, "ELCR 0x00 -> 0x08 (1 = level triggered)" },
		{ PIC_EVENT_INTA, 0, 0, 0x20, 0, "INTA: IRQ0, vector 0x20" },
		{ PIC_EVENT_INTA, 0, 0xff, 0x27, 0, "INTA: spurious, vector 0x27" },
		{ PIC_EVENT_POLL, 0, 0x86, 6, 0, "poll: IR6 (word 0x86)" },
		{ PIC_EVENT_POLL, 0, 0x00, 0xff, 0, "poll: nothing pending" },
		{ PIC_EVENT_NR, 0, 0, 0, 0, "event 11" },
		{ 200, 1, 1, 2, 3, "event 200" },
	};
	struct dev_event ev;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev = pic_ev(cases[i].type, cases[i].unit, cases[i].a0, cases[i].a1, cases[i].a2);
		check_text(&ev, cases[i].text);
	}
}

/* Events rule: nobody listens after pic_init() (events.emit NULL, whatever
 * was there before), and then nothing is emitted: the opaque of a listener
 * with no emit is never used. */
UNIT_TEST(no_events_without_a_listener)
{
	memset(&evlog, 0, sizeof(evlog));
	pic.events = (struct dev_events){ .emit = record_event, .opaque = &evlog };
	power_on();
	CHECK(pic.events.emit == NULL);
	CHECK(pic.events.opaque == NULL);
	pic.events.opaque = &evlog;
	linux_init();
	pic_write(&pic, PIC_MASTER_DATA, 0x00);
	pic_write(&pic, PIC_ELCR_MASTER, 0x20);
	raise(3);
	pic_acknowledge(&pic);
	master_eoi();
	pic_acknowledge(&pic);
	pic_write(&pic, PIC_MASTER_CMD, PIC_OCW3_SEL | PIC_OCW3_P);
	pic_read(&pic, PIC_MASTER_CMD);
	CHECK_EQ(evlog.n, 0);
}

/*
 * Events rule: snprintf semantics for every type, known or not: at most
 * size bytes written (canaries past small buffers survive), NUL-terminated
 * prefix of the full text, and the full length returned; size 0 with no
 * buffer only measures.
 */
UNIT_TEST(formatter_never_writes_past_a_small_buffer)
{
	static const uint32_t args[] = { 0, 0xff, 0xffffffff };
	static const size_t sizes[] = { 1, 2, 8, 16 };
	char full[256], buf[16 + 8];
	struct dev_event ev;
	unsigned type, unit, a, s, i;
	int len;

	for (type = 0; type <= PIC_EVENT_NR + 1; type++) {
		for (unit = 0; unit < 3; unit++) {
			for (a = 0; a < sizeof(args) / sizeof(args[0]); a++) {
				ev = pic_ev(type, unit, args[a], args[a], args[a]);
				len = pic_event_format(&ev, full, sizeof(full));
				CHECK(len > 0 && (size_t)len < sizeof(full));
				CHECK_EQ(len, strlen(full));
				CHECK_EQ(pic_event_format(&ev, NULL, 0), len);
				for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
					memset(buf, 0x5a, sizeof(buf));
					CHECK_EQ(pic_event_format(&ev, buf, sizes[s]), len);
					for (i = sizes[s]; i < sizeof(buf); i++)
						CHECK_EQ((uint8_t)buf[i], 0x5a);
					CHECK_EQ(strlen(buf), (size_t)len < sizes[s] ? (size_t)len :
							      sizes[s] - 1);
					CHECK_EQ(strncmp(buf, full, strlen(buf)), 0);
				}
			}
		}
	}
}

/* Every event type has a short, distinct name. */
UNIT_TEST(event_names_are_set_and_distinct)
{
	unsigned i, j;

	for (i = 0; i < PIC_EVENT_NR; i++) {
		CHECK(pic_event_names[i] != NULL);
		CHECK(strlen(pic_event_names[i]) > 0 && strlen(pic_event_names[i]) <= 12);
		for (j = 0; j < i; j++)
			CHECK(strcmp(pic_event_names[i], pic_event_names[j]) != 0);
	}
	CHECK(PIC_EVENT_NR <= DEV_EVENT_MAX_TYPES);
}

int main(void)
{
	return unit_run_all();
}
