// SPDX-License-Identifier: MIT
/* Unit tests of the I/O bus (vmm/bus.c): registration and dispatch. */
#include <errno.h>
#include <stdbool.h>

#include "../../vmm/bus.h"
#include "unit.h"

struct fake_device {
	uint64_t last_offset, last_value;
	unsigned last_size, reads, writes;
	uint64_t read_value;
};

static uint64_t fake_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake_device *d = opaque;

	d->reads++;
	d->last_offset = offset;
	d->last_size = size;
	return d->read_value;
}

static void fake_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct fake_device *d = opaque;

	d->writes++;
	d->last_offset = offset;
	d->last_value = value;
	d->last_size = size;
}

static const struct bus_ops fake_ops = { .read = fake_read, .write = fake_write };

/* A device's handler sees offsets relative to the start of its range. */
UNIT_TEST(dispatch_passes_offset_within_range)
{
	struct bus bus;
	struct fake_device d = { .read_value = 0x5a };

	bus_init(&bus);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x3f8, 8, "com1", &fake_ops, &d), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x3fd, 1), 0x5a);
	CHECK_EQ(d.last_offset, 5);
	bus_write(&bus, BUS_PIO, 0x3f8, 0x41, 1);
	CHECK_EQ(d.last_offset, 0);
	CHECK_EQ(d.last_value, 0x41);
}

/* Two devices may not decode the same address: the second claim fails. */
UNIT_TEST(overlapping_registration_is_refused)
{
	struct bus bus;
	struct fake_device a = { 0 }, b = { 0 };

	bus_init(&bus);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x40, 4, "pit", &fake_ops, &a), 0);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x43, 1, "x", &fake_ops, &b), -EBUSY);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x3e, 3, "x", &fake_ops, &b), -EBUSY);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x3c, 8, "x", &fake_ops, &b), -EBUSY);
	/* Adjacent ranges on both sides are fine. */
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x44, 1, "after", &fake_ops, &b), 0);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x3f, 1, "before", &fake_ops, &b), 0);
}

/* Port and MMIO are separate spaces: the same number may be claimed in each. */
UNIT_TEST(spaces_are_independent)
{
	struct bus bus;
	struct fake_device pio = { .read_value = 1 }, mmio = { .read_value = 2 };

	bus_init(&bus);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x1000, 16, "p", &fake_ops, &pio), 0);
	CHECK_EQ(bus_register(&bus, BUS_MMIO, 0x1000, 16, "m", &fake_ops, &mmio), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x1004, 4), 1);
	CHECK_EQ(bus_read(&bus, BUS_MMIO, 0x1004, 4), 2);
}

/* ISA: nobody answers an unclaimed read, so the data lines float high. */
UNIT_TEST(unclaimed_read_is_all_ones_of_its_size)
{
	struct bus bus;

	bus_init(&bus);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x80, 1), 0xff);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x80, 2), 0xffff);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x80, 4), 0xffffffff);
	CHECK_EQ(bus_read(&bus, BUS_MMIO, 0xd0000000, 8), UINT64_MAX);
	CHECK_EQ(bus.unclaimed[BUS_PIO].reads, 3);
	CHECK_EQ(bus.unclaimed[BUS_MMIO].reads, 1);
}

/* Unclaimed writes vanish but are counted, with the last address. */
UNIT_TEST(unclaimed_write_is_dropped_and_counted)
{
	struct bus bus;
	struct fake_device d = { 0 };

	bus_init(&bus);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x3f8, 8, "com1", &fake_ops, &d), 0);
	bus_write(&bus, BUS_PIO, 0x80, 0x12, 1);
	bus_write(&bus, BUS_PIO, 0x400, 0x12, 1);
	CHECK_EQ(d.writes, 0);
	CHECK_EQ(bus.unclaimed[BUS_PIO].writes, 2);
	CHECK_EQ(bus.unclaimed[BUS_PIO].last_addr, 0x400);
}

/* Empty, wrapping and beyond-64K port ranges make no sense. */
UNIT_TEST(invalid_ranges_are_refused)
{
	struct bus bus;
	struct fake_device d = { 0 };

	bus_init(&bus);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x10, 0, "empty", &fake_ops, &d), -EINVAL);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0xfff0, 0x20, "past64k", &fake_ops, &d), -EINVAL);
	CHECK_EQ(bus_register(&bus, BUS_MMIO, UINT64_MAX - 1, 4, "wraps", &fake_ops, &d), -EINVAL);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x10, 1, "noops", NULL, &d), -EINVAL);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0xffff, 1, "last-port", &fake_ops, &d), 0);
}

/* The handler gets the access size, and the bus keeps only that many bytes. */
UNIT_TEST(access_size_is_passed_and_result_truncated)
{
	struct bus bus;
	struct fake_device d = { .read_value = 0x1122334455667788 };

	bus_init(&bus);
	CHECK_EQ(bus_register(&bus, BUS_MMIO, 0xfee00000, 0x1000, "dev", &fake_ops, &d), 0);
	CHECK_EQ(bus_read(&bus, BUS_MMIO, 0xfee00010, 2), 0x7788);
	CHECK_EQ(d.last_size, 2);
	bus_write(&bus, BUS_MMIO, 0xfee00020, 0xaabbccdd, 1);
	CHECK_EQ(d.last_value, 0xdd);
	CHECK_EQ(d.last_size, 1);
}

/* Lookups find the right device among many, in any registration order. */
UNIT_TEST(lookup_among_many_regions)
{
	struct bus bus;
	struct fake_device d[8];
	static const uint64_t bases[8] = { 0x3f8, 0x20, 0x4d0, 0x40, 0xa0, 0x61, 0xf4, 0x2000 };

	bus_init(&bus);
	for (int i = 0; i < 8; i++) {
		d[i] = (struct fake_device){ .read_value = (uint64_t)i };
		CHECK_EQ(bus_register(&bus, BUS_PIO, bases[i], 2, "d", &fake_ops, &d[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(bus_read(&bus, BUS_PIO, bases[i], 1), i);
		CHECK_EQ(bus_read(&bus, BUS_PIO, bases[i] + 1, 1), i);
		CHECK(bus_find(&bus, BUS_PIO, bases[i] + 2) == NULL ||
		      bus_find(&bus, BUS_PIO, bases[i] + 2)->base == bases[i] + 2);
	}
}

/* A device registered without a read handler reads like an unclaimed port. */
UNIT_TEST(write_only_device_reads_all_ones)
{
	struct bus bus;
	static const struct bus_ops write_only = { .write = fake_write };
	struct fake_device d = { 0 };

	bus_init(&bus);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0xf4, 4, "debug-exit", &write_only, &d), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0xf4, 1), 0xff);
}

/* ---- access width: splitting for narrow devices ---------------------------- */

/* Reads return `read_base + offset`, with junk above the access size. */
struct logged_device {
	uint64_t read_base;
};

/*
 * Every handler call in the order the bus made it, across devices, so a
 * test can see both which device got each piece and in what order.
 */
struct bus_call {
	const struct logged_device *dev;
	bool is_write;
	uint64_t offset, value;
	unsigned size;
};

static struct bus_call calls[16];
static unsigned nr_calls;

static void log_call(const struct logged_device *dev, bool is_write, uint64_t offset,
		     uint64_t value, unsigned size)
{
	if (nr_calls < sizeof(calls) / sizeof(calls[0]))
		calls[nr_calls] = (struct bus_call){ dev, is_write, offset, value, size };
	nr_calls++;
}

static uint64_t logged_read(void *opaque, uint64_t offset, unsigned size)
{
	struct logged_device *d = opaque;
	uint64_t value = d->read_base + offset;

	log_call(d, false, offset, value, size);
	/* Junk above the access: a handler's stray high bits must not leak
	 * into the neighbouring bytes of a split access. */
	return size < 8 ? value | UINT64_MAX << (8 * size) : value;
}

static void logged_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	log_call(opaque, true, offset, value, size);
}

static const struct bus_ops max1_ops = {
	.read = logged_read, .write = logged_write, .max_access_size = 1,
};
static const struct bus_ops max2_ops = {
	.read = logged_read, .write = logged_write, .max_access_size = 2,
};
static const struct bus_ops max4_ops = {
	.read = logged_read, .write = logged_write, .max_access_size = 4,
};
static const struct bus_ops any_size_ops = { .read = logged_read, .write = logged_write };

static void check_call(unsigned i, const struct logged_device *dev, bool is_write,
		       uint64_t offset, uint64_t value, unsigned size)
{
	CHECK(i < nr_calls);
	CHECK(calls[i].dev == dev);
	CHECK_EQ(calls[i].is_write, is_write);
	CHECK_EQ(calls[i].offset, offset);
	CHECK_EQ(calls[i].value, value);
	CHECK_EQ(calls[i].size, size);
}

/* ISA: `inw 0x20` from an 8-bit device reads 0x20 then 0x21, and the
 * byte from the lower address is the low byte of the result; same for
 * `inl 0x40` over 0x40..0x43. */
UNIT_TEST(narrow_device_wide_read_is_bytes_little_endian)
{
	struct bus bus;
	struct logged_device pic = { .read_base = 0x10 }, pit = { .read_base = 0xa0 };

	bus_init(&bus);
	nr_calls = 0;
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x20, 2, "pic", &max1_ops, &pic), 0);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x40, 4, "pit", &max1_ops, &pit), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x20, 2), 0x1110);
	CHECK_EQ(nr_calls, 2);
	check_call(0, &pic, false, 0, 0x10, 1);
	check_call(1, &pic, false, 1, 0x11, 1);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x40, 4), 0xa3a2a1a0);
	CHECK_EQ(nr_calls, 6);
	for (unsigned i = 0; i < 4; i++)
		check_call(2 + i, &pit, false, i, 0xa0 + i, 1);
	CHECK_EQ(bus.unclaimed[BUS_PIO].reads, 0);
}

/* `outw 0x4d0` to an 8-bit device writes the low byte to 0x4d0, then the
 * high byte to 0x4d1: one byte per offset, lowest address first. */
UNIT_TEST(narrow_device_wide_write_reaches_each_offset_in_order)
{
	struct bus bus;
	struct logged_device elcr = { 0 };

	bus_init(&bus);
	nr_calls = 0;
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x4d0, 4, "elcr", &max1_ops, &elcr), 0);
	bus_write(&bus, BUS_PIO, 0x4d0, 0xb8a5, 2);
	CHECK_EQ(nr_calls, 2);
	check_call(0, &elcr, true, 0, 0xa5, 1);
	check_call(1, &elcr, true, 1, 0xb8, 1);
	bus_write(&bus, BUS_PIO, 0x4d0, 0x44332211, 4);
	CHECK_EQ(nr_calls, 6);
	for (unsigned i = 0; i < 4; i++)
		check_call(2 + i, &elcr, true, i, 0x11 * (i + 1), 1);
}

/* A piece past the end of a narrow device belongs to whoever claims its
 * address, as on a real bus; that device's own width then applies (here
 * it takes any size, so it gets the 1-byte piece as it is). */
UNIT_TEST(wide_access_past_region_end_reaches_neighbour)
{
	struct bus bus;
	struct logged_device a = { .read_base = 0x10 }, b = { .read_base = 0x20 };

	bus_init(&bus);
	nr_calls = 0;
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x60, 1, "a", &max1_ops, &a), 0);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x61, 1, "b", &any_size_ops, &b), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x60, 2), 0x2010);
	CHECK_EQ(nr_calls, 2);
	check_call(0, &a, false, 0, 0x10, 1);
	check_call(1, &b, false, 0, 0x20, 1);
	bus_write(&bus, BUS_PIO, 0x60, 0x5566, 2);
	CHECK_EQ(nr_calls, 4);
	check_call(2, &a, true, 0, 0x66, 1);
	check_call(3, &b, true, 0, 0x55, 1);
	CHECK_EQ(bus.unclaimed[BUS_PIO].reads, 0);
	CHECK_EQ(bus.unclaimed[BUS_PIO].writes, 0);
}

/* A piece that lands on a narrower neighbour is split again for it. */
UNIT_TEST(piece_on_narrower_neighbour_is_split_again)
{
	struct bus bus;
	struct logged_device a = { .read_base = 0x10 }, b = { .read_base = 0x20 };

	bus_init(&bus);
	nr_calls = 0;
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x100, 2, "a", &max2_ops, &a), 0);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x102, 2, "b", &max1_ops, &b), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x100, 4), 0x21200010);
	CHECK_EQ(nr_calls, 3);
	check_call(0, &a, false, 0, 0x10, 2);
	check_call(1, &b, false, 0, 0x20, 1);
	check_call(2, &b, false, 1, 0x21, 1);
}

/* Bytes nobody claims float high; each unclaimed piece counts as one
 * unclaimed access at its own address, and its write is dropped. */
UNIT_TEST(wide_access_past_region_end_floats_unclaimed)
{
	struct bus bus;
	struct logged_device d = { .read_base = 0x30 };

	bus_init(&bus);
	nr_calls = 0;
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x70, 2, "rtc", &max1_ops, &d), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x70, 4), 0xffff3130);
	CHECK_EQ(nr_calls, 2);
	CHECK_EQ(bus.unclaimed[BUS_PIO].reads, 2);
	CHECK_EQ(bus.unclaimed[BUS_PIO].last_addr, 0x73);
	bus_write(&bus, BUS_PIO, 0x71, 0xddccbbaa, 4);
	CHECK_EQ(nr_calls, 3);
	check_call(2, &d, true, 1, 0xaa, 1);
	CHECK_EQ(bus.unclaimed[BUS_PIO].writes, 3);
	CHECK_EQ(bus.unclaimed[BUS_PIO].last_addr, 0x74);
}

/* max_access_size 0 means "any size": the handler gets the access whole,
 * as before the bus knew about widths. */
UNIT_TEST(any_size_device_gets_whole_access)
{
	struct bus bus;
	struct logged_device d = { .read_base = 0x44332210 };

	bus_init(&bus);
	nr_calls = 0;
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0xb000, 8, "dev", &any_size_ops, &d), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0xb004, 4), 0x44332214);
	CHECK_EQ(nr_calls, 1);
	check_call(0, &d, false, 4, 0x44332214, 4);
	bus_write(&bus, BUS_PIO, 0xb000, 0x11223344, 4);
	CHECK_EQ(nr_calls, 2);
	check_call(1, &d, true, 0, 0x11223344, 4);
}

/* A 16-bit device sees a 32-bit access as two 16-bit ones, low half first. */
UNIT_TEST(max2_device_gets_dword_as_two_words)
{
	struct bus bus;
	struct logged_device d = { .read_base = 0x1230 };

	bus_init(&bus);
	nr_calls = 0;
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x1f0, 8, "ata", &max2_ops, &d), 0);
	CHECK_EQ(bus_read(&bus, BUS_PIO, 0x1f0, 4), 0x12321230);
	CHECK_EQ(nr_calls, 2);
	check_call(0, &d, false, 0, 0x1230, 2);
	check_call(1, &d, false, 2, 0x1232, 2);
	bus_write(&bus, BUS_PIO, 0x1f0, 0x11223344, 4);
	CHECK_EQ(nr_calls, 4);
	check_call(2, &d, true, 0, 0x3344, 2);
	check_call(3, &d, true, 2, 0x1122, 2);
}

/* MMIO too: a 64-bit access to a 32-bit device is two 32-bit accesses. */
UNIT_TEST(mmio_qword_split_for_dword_device)
{
	struct bus bus;
	struct logged_device d = { .read_base = 0x10000000 };

	bus_init(&bus);
	nr_calls = 0;
	CHECK_EQ(bus_register(&bus, BUS_MMIO, 0xfed00000, 0x400, "hpet", &max4_ops, &d), 0);
	CHECK_EQ(bus_read(&bus, BUS_MMIO, 0xfed000f0, 8), 0x100000f4100000f0);
	CHECK_EQ(nr_calls, 2);
	check_call(0, &d, false, 0xf0, 0x100000f0, 4);
	check_call(1, &d, false, 0xf4, 0x100000f4, 4);
	bus_write(&bus, BUS_MMIO, 0xfed00010, 0x1122334455667788, 8);
	CHECK_EQ(nr_calls, 4);
	check_call(2, &d, true, 0x10, 0x55667788, 4);
	check_call(3, &d, true, 0x14, 0x11223344, 4);
}

/* A device's widest access must be an access size: 1, 2, 4 or 8 (0: any). */
UNIT_TEST(register_refuses_a_bad_max_access_size)
{
	static const struct bus_ops odd = { .read = NULL, .write = NULL, .max_access_size = 3 };
	struct bus bus;

	bus_init(&bus);
	CHECK_EQ(bus_register(&bus, BUS_PIO, 0x100, 4, "odd", &odd, NULL), -EINVAL);
	CHECK_EQ(bus.nr_regions[BUS_PIO], 0);
}

int main(void)
{
	return unit_run_all();
}
