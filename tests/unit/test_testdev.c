// SPDX-License-Identifier: MIT
/* Unit tests of the test device (devices/testdev.c). */
#include "testdev.h"
#include "unit.h"

struct fake_pic {
	bool level[TESTDEV_NR_LINES];
	unsigned changes;
};

static void fake_set_irq(void *opaque, unsigned line, bool level)
{
	struct fake_pic *p = opaque;

	p->level[line] = level;
	p->changes++;
}

static void setup(struct testdev *t, struct fake_pic *p)
{
	struct irq_line lines[TESTDEV_NR_LINES];

	*p = (struct fake_pic){ 0 };
	for (unsigned i = 0; i < TESTDEV_NR_LINES; i++)
		lines[i] = irq_line_connect(fake_set_irq, p, i);
	testdev_init(t, lines);
}

static struct testdev dev;	/* 64 KiB of MMIO scratch: not on the stack */

/* pc-testdev: writing a non-zero value to 0x2000 + n raises IRQ n, 0 lowers it. */
UNIT_TEST(irq_port_sets_line_level)
{
	struct fake_pic p;

	setup(&dev, &p);
	testdev_irq_write(&dev, 5, 1);
	CHECK(p.level[5]);
	testdev_irq_write(&dev, 5, 0);
	CHECK(!p.level[5]);
	testdev_irq_write(&dev, 12, 0x80);
	CHECK(p.level[12]);
	CHECK_EQ(testdev_irq_read(&dev, 12), 1);
}

/* Writing the level a line already has is not a new edge. */
UNIT_TEST(same_level_twice_is_one_change)
{
	struct fake_pic p;

	setup(&dev, &p);
	testdev_irq_write(&dev, 3, 1);
	testdev_irq_write(&dev, 3, 1);
	CHECK_EQ(p.changes, 1);
}

/* I/O APIC pins 16-23 exist for compatibility but drive nothing here. */
UNIT_TEST(ioapic_pins_are_accepted_but_unwired)
{
	struct fake_pic p;

	setup(&dev, &p);
	testdev_irq_write(&dev, 20, 1);
	CHECK_EQ(p.changes, 0);
	CHECK_EQ(testdev_irq_read(&dev, 20), 1);
	testdev_irq_write(&dev, 24, 1);	/* beyond the ports: ignored */
	CHECK_EQ(testdev_irq_read(&dev, 24), 0xff);
}

/* The scratch register keeps what any access size wrote, little-endian. */
UNIT_TEST(scratch_register_any_size)
{
	struct fake_pic p;

	setup(&dev, &p);
	testdev_data_write(&dev, 0, 0x12345678, 4);
	CHECK_EQ(testdev_data_read(&dev, 0, 4), 0x12345678);
	testdev_data_write(&dev, 1, 0xab, 1);
	CHECK_EQ(testdev_data_read(&dev, 0, 4), 0x1234ab78);
	CHECK_EQ(testdev_data_read(&dev, 2, 2), 0x1234);
	CHECK_EQ(testdev_data_read(&dev, 3, 2), 0xff12);	/* past the end floats */
}

/* The MMIO window is memory: what is written at any size reads back. */
UNIT_TEST(mmio_window_reads_back)
{
	struct fake_pic p;

	setup(&dev, &p);
	testdev_mmio_write(&dev, 0x100, 0x1122334455667788ull, 8);
	CHECK_EQ(testdev_mmio_read(&dev, 0x100, 8), 0x1122334455667788ull);
	CHECK_EQ(testdev_mmio_read(&dev, 0x102, 2), 0x5566);
	testdev_mmio_write(&dev, TESTDEV_MMIO_LEN - 1, 0xaabb, 2);	/* half beyond */
	CHECK_EQ(testdev_mmio_read(&dev, TESTDEV_MMIO_LEN - 1, 2), 0xffbb);
}

int main(void)
{
	return unit_run_all();
}
