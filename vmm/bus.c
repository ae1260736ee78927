// SPDX-License-Identifier: MIT
/*
 * The I/O bus: a sorted table of claimed ranges per address space.
 *
 * A handful of devices is all a VMM like this ever has, so a sorted array
 * with binary search is both the simplest and the fastest structure.
 */
#include "bus.h"

#include <errno.h>
#include <string.h>

#define BUS_PIO_END 0x10000	/* x86 has 64 Ki I/O ports */

void bus_init(struct bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

const char *bus_space_name(enum bus_space space)
{
	return space == BUS_PIO ? "port" : "mmio";
}

int bus_register(struct bus *bus, enum bus_space space, uint64_t base, uint64_t len,
		 const char *name, const struct bus_ops *ops, void *opaque)
{
	struct bus_region *regions;
	unsigned *nr, pos;

	if (space >= BUS_NR_SPACES || len == 0 || ops == NULL || base + len < base)
		return -EINVAL;
	switch (ops->max_access_size) {
	case 0: case 1: case 2: case 4: case 8:
		break;
	default:
		return -EINVAL;	/* not an access size */
	}
	if (space == BUS_PIO && base + len > BUS_PIO_END)
		return -EINVAL;
	regions = bus->regions[space];
	nr = &bus->nr_regions[space];
	if (*nr == BUS_MAX_REGIONS)
		return -ENOSPC;

	/* Insertion point: the first region that starts above us. */
	for (pos = 0; pos < *nr && regions[pos].base < base; pos++)
		;
	if (pos > 0 && regions[pos - 1].base + regions[pos - 1].len > base)
		return -EBUSY;
	if (pos < *nr && base + len > regions[pos].base)
		return -EBUSY;

	memmove(&regions[pos + 1], &regions[pos], (*nr - pos) * sizeof(*regions));
	regions[pos] = (struct bus_region){
		.base = base, .len = len, .name = name, .ops = ops, .opaque = opaque,
	};
	(*nr)++;
	return 0;
}

const struct bus_region *bus_find(const struct bus *bus, enum bus_space space, uint64_t addr)
{
	const struct bus_region *regions = bus->regions[space];
	unsigned lo = 0, hi = bus->nr_regions[space];

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (addr < regions[mid].base)
			hi = mid;
		else if (addr - regions[mid].base >= regions[mid].len)
			lo = mid + 1;
		else
			return &regions[mid];
	}
	return NULL;
}

/* The next piece of a split access: max bytes, or what is left of the access. */
static unsigned bus_piece_size(unsigned max, unsigned done, unsigned size)
{
	return size - done < max ? size - done : max;
}

/*
 * An access wider than the device at its first address implements: each
 * piece goes back through bus_read() on its own, so a piece past the
 * device's range finds its own device (and width), or floats and is counted.
 * The recursion ends because every piece is narrower than the access.
 */
static uint64_t bus_read_split(struct bus *bus, enum bus_space space, uint64_t addr,
			       unsigned size, unsigned max)
{
	uint64_t value = 0;
	unsigned done, piece;

	for (done = 0; done < size; done += piece) {
		piece = bus_piece_size(max, done, size);
		value |= bus_read(bus, space, addr + done, piece) << (8 * done);
	}
	return value;
}

static void bus_write_split(struct bus *bus, enum bus_space space, uint64_t addr,
			    uint64_t value, unsigned size, unsigned max)
{
	unsigned done, piece;

	for (done = 0; done < size; done += piece) {
		piece = bus_piece_size(max, done, size);
		bus_write(bus, space, addr + done, value >> (8 * done), piece);
	}
}

uint64_t bus_read(struct bus *bus, enum bus_space space, uint64_t addr, unsigned size)
{
	const struct bus_region *r = bus_find(bus, space, addr);

	/* Split before looking for a handler: the bytes past a write-only
	 * device's range may belong to a device that can be read. */
	if (r != NULL && r->ops->max_access_size != 0 && size > r->ops->max_access_size)
		return bus_read_split(bus, space, addr, size, r->ops->max_access_size);
	if (r == NULL || r->ops->read == NULL) {
		bus->unclaimed[space].reads++;
		bus->unclaimed[space].last_addr = addr;
		return bus_all_ones(size);
	}
	/* Keep only the bytes the access asked for, whatever the device says. */
	return r->ops->read(r->opaque, addr - r->base, size) & bus_all_ones(size);
}

void bus_write(struct bus *bus, enum bus_space space, uint64_t addr, uint64_t value,
	       unsigned size)
{
	const struct bus_region *r = bus_find(bus, space, addr);

	if (r != NULL && r->ops->max_access_size != 0 && size > r->ops->max_access_size) {
		bus_write_split(bus, space, addr, value, size, r->ops->max_access_size);
		return;
	}
	if (r == NULL || r->ops->write == NULL) {
		bus->unclaimed[space].writes++;
		bus->unclaimed[space].last_addr = addr;
		return;
	}
	r->ops->write(r->opaque, addr - r->base, value & bus_all_ones(size), size);
}
