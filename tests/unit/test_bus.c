// SPDX-License-Identifier: MIT
/* Unit tests of the I/O bus (vmm/bus.c): registration and dispatch. */
#include <errno.h>

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

int main(void)
{
	return unit_run_all();
}
