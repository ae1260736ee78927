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

struct fake_acks {
	unsigned count;
	unsigned last_irq;
};

static void fake_ack_notify(void *opaque, unsigned irq)
{
	struct fake_acks *a = opaque;

	a->count++;
	a->last_irq = irq;
}

static struct pic pic;
static struct fake_intr intr;
static struct fake_acks acks;

/* Power-on, nothing else. */
static void power_on(void)
{
	intr = (struct fake_intr){ 0 };
	acks = (struct fake_acks){ 0 };
	pic_init(&pic, irq_line_connect(fake_intr_set, &intr, 0));
	pic.ack_notify = fake_ack_notify;
	pic.ack_opaque = &acks;
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
 * data sheet does not list, as QEMU, KVM and Bochs do. */
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

int main(void)
{
	return unit_run_all();
}
