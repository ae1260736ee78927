// SPDX-License-Identifier: MIT
/*
 * Glue for the test device (devices/testdev.h), QEMU's pc-testdev layout:
 * IRQ lines at ports 0x2000-0x2017, a scratch register at 0xe0 (and its
 * byte alias at 0xe8), 64 KiB of scratch MMIO at 0xff000000.
 *
 * Only with --testdev, as QEMU's pc-testdev is there only when asked for
 * (-device pc-testdev): without it, a kernel that pokes these ports sees a
 * floating bus (counted in --stats as unclaimed), as on a PC.
 *
 * The byte alias 0xe8-0xeb overlaps the debug console at 0xe9
 * (board/debugcon.c), which is always there.  QEMU lets both claim 0xe9
 * and whichever it maps last wins; here the rule is fixed and has no
 * overlap: the debug console keeps 0xe9, and the alias is claimed at 0xe8
 * and 0xea-0xeb only.  A byte access to 0xe9 thus goes to the console,
 * never to byte 1 of the scratch register (use 0xe0-0xe3 for that), and
 * an `outl 0xe8` is split, as on QEMU, into four byte accesses of which
 * the one at 0xe9 prints.
 */
#include "board.h"
#include "machine.h"
#include "testdev.h"
#include "util.h"

struct testdev_board {
	bool present;		/* --testdev: set up and on the bus */
	struct testdev testdev;
	struct board_irq_source irq_source;
	struct board_port_window byte_windows[2];	/* the alias around 0xe9 */
};

/* The scratch register's byte alias, without the debug console's 0xe9. */
static const struct board_port_range testdev_byte_ranges[] = {
	{ TESTDEV_DATA_BYTE_PORT, 1 },					/* byte 0 */
	{ TESTDEV_DATA_BYTE_PORT + 2, TESTDEV_DATA_LEN - 2 },		/* bytes 2, 3 */
};

_Static_assert(ARRAY_SIZE(testdev_byte_ranges) ==
	       ARRAY_SIZE(((struct testdev_board *)0)->byte_windows), "a window per range");

static uint64_t testdev_irq_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct testdev_board *tb = opaque;

	(void)size;
	return testdev_irq_read(&tb->testdev, (unsigned)offset);
}

static void testdev_irq_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev_board *tb = opaque;

	(void)size;
	testdev_irq_write(&tb->testdev, (unsigned)offset, (uint8_t)value);
}

static uint64_t testdev_data_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct testdev_board *tb = opaque;

	return testdev_data_read(&tb->testdev, (unsigned)offset, size);
}

static void testdev_data_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev_board *tb = opaque;

	testdev_data_write(&tb->testdev, (unsigned)offset, (uint32_t)value, size);
}

/* The alias: the offset is from where the window starts, not 0xe8. */
static uint64_t testdev_byte_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct board_port_window *w = opaque;
	struct testdev_board *tb = w->state;

	return testdev_data_read(&tb->testdev, (unsigned)offset + w->base - TESTDEV_DATA_BYTE_PORT,
				 size);
}

static void testdev_byte_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct board_port_window *w = opaque;
	struct testdev_board *tb = w->state;

	testdev_data_write(&tb->testdev, (unsigned)offset + w->base - TESTDEV_DATA_BYTE_PORT,
			   (uint32_t)value, size);
}

static uint64_t testdev_mmio_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct testdev_board *tb = opaque;

	return testdev_mmio_read(&tb->testdev, offset, size);
}

static void testdev_mmio_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev_board *tb = opaque;

	testdev_mmio_write(&tb->testdev, offset, value, size);
}

/* One port per IRQ line: byte-wide like the ISA device it mimics. */
static const struct bus_ops testdev_irq_ops = {
	.read = testdev_irq_io_read, .write = testdev_irq_io_write, .max_access_size = 1,
};
static const struct bus_ops testdev_data_ops = {
	.read = testdev_data_io_read, .write = testdev_data_io_write, .max_access_size = 4,
};
/* Byte-wide as QEMU's alias (impl.max_access_size = 1), which also sends
 * the byte of a wider access that falls on 0xe9 to the debug console. */
static const struct bus_ops testdev_byte_ops = {
	.read = testdev_byte_io_read, .write = testdev_byte_io_write, .max_access_size = 1,
};
static const struct bus_ops testdev_mmio_ops = {
	.read = testdev_mmio_io_read, .write = testdev_mmio_io_write, .max_access_size = 8,
};

static int testdev_setup(struct machine *m, void *state, struct error *err)
{
	struct testdev_board *tb = state;
	struct irq_line lines[TESTDEV_NR_LINES];
	int ret;

	if (!m->opts->testdev)
		return 0;	/* not asked for: nothing on the bus, no IRQ source */
	tb->present = true;
	ret = board_irq_source_init(&m->board, &tb->irq_source, "testdev", err);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < TESTDEV_NR_LINES; i++)
		lines[i] = board_irq_line(&tb->irq_source, i);
	testdev_init(&tb->testdev, lines);
	ret = board_claim(m, BUS_PIO, TESTDEV_IRQ_PORT, TESTDEV_NR_IRQ_PORTS, "testdev-irq",
			  &testdev_irq_ops, tb, err);
	if (ret == 0)
		ret = board_claim(m, BUS_PIO, TESTDEV_DATA_PORT, TESTDEV_DATA_LEN, "testdev-data",
				  &testdev_data_ops, tb, err);
	if (ret == 0)
		ret = board_claim_ports(m, tb->byte_windows, testdev_byte_ranges,
					ARRAY_SIZE(testdev_byte_ranges), "testdev-data-byte",
					&testdev_byte_ops, tb, err);
	if (ret == 0)
		ret = board_claim(m, BUS_MMIO, TESTDEV_MMIO_BASE, TESTDEV_MMIO_LEN, "testdev-mmio",
				  &testdev_mmio_ops, tb, err);
	return ret;
}

static void testdev_reset(struct machine *m, void *state)
{
	struct testdev_board *tb = state;
	struct irq_line lines[TESTDEV_NR_LINES];

	(void)m;
	if (!tb->present)
		return;
	/* Drop every line the guest raised, then start over with the wiring. */
	for (unsigned i = 0; i < TESTDEV_NR_LINES; i++) {
		irq_line_set(&tb->testdev.lines[i], false);
		lines[i] = tb->testdev.lines[i];
	}
	testdev_init(&tb->testdev, lines);
}

const struct board_device board_testdev = {
	.name = "testdev",
	.state_size = sizeof(struct testdev_board),
	.setup = testdev_setup,
	.reset = testdev_reset,
};
