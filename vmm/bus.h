/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BUS_H
#define MINIVMM_BUS_H

/*
 * The I/O bus: where a guest's port and MMIO accesses find their device.
 *
 * A device claims a range of one address space with a pair of callbacks;
 * the vCPU loop hands every KVM_EXIT_IO / KVM_EXIT_MMIO element to
 * bus_read()/bus_write().  Like an ISA bus, an access nobody claims is not
 * an error: reads float to all-ones, writes vanish, and both are counted so
 * a learner can see what their kernel poked at (`--stats`).
 *
 * The bus is plain data: no KVM, no locking.  The caller serialises
 * accesses (the VMM holds the device lock around every call).
 */

#include <stdbool.h>
#include <stdint.h>

enum bus_space {
	BUS_PIO,	/* x86 port I/O, 0..0xffff */
	BUS_MMIO,	/* guest-physical memory not backed by RAM */
	BUS_NR_SPACES,
};

/*
 * A device's handlers: `offset` is relative to the start of its range,
 * `size` is 1, 2, 4 (or 8 for MMIO) bytes, values are little-endian and
 * occupy the low `size` bytes.
 *
 * `max_access_size` is the widest access the handlers implement: 1, 2, 4
 * or 8 bytes, or 0 for "any size" (the handlers get every access whole).
 * The bus splits a wider access into consecutive accesses of
 * max_access_size bytes at increasing addresses, the lowest address
 * carrying the lowest byte, as an ISA bus controller does for an 8-bit
 * device (`inw 0x20` reads 0x20 then 0x21) and as QEMU's
 * MemoryRegionOps.impl.max_access_size does.  Each piece is dispatched on
 * its own by address: a piece past the end of the range goes to whoever
 * claims that address (split again for that device's width), or floats
 * and is counted as one unclaimed access if nobody does.  A piece goes
 * whole to the device that claims its first byte, so a range whose length
 * is not a multiple of max_access_size can still see a piece run past
 * its end, as any access can with max_access_size 0.
 */
struct bus_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
	unsigned max_access_size;
};

struct bus_region {
	uint64_t base;
	uint64_t len;
	const char *name;
	const struct bus_ops *ops;
	void *opaque;
};

/* Counters for accesses that no device claimed, per space. */
struct bus_unclaimed {
	uint64_t reads;
	uint64_t writes;
	uint64_t last_addr;	/* the most recent unclaimed address, for --stats */
};

#define BUS_MAX_REGIONS 32

struct bus {
	struct bus_region regions[BUS_NR_SPACES][BUS_MAX_REGIONS];	/* sorted by base */
	unsigned nr_regions[BUS_NR_SPACES];
	struct bus_unclaimed unclaimed[BUS_NR_SPACES];
};

void bus_init(struct bus *bus);

/*
 * Claim [base, base + len) of `space` for a device.  Returns 0, -EINVAL for
 * an empty range, one that wraps or leaves the port space, NULL ops or a
 * max_access_size other than 0, 1, 2, 4 or 8,
 * -EBUSY if it overlaps a range already claimed, -ENOSPC when the table
 * is full.  `name` and `ops` must outlive the bus.
 */
int bus_register(struct bus *bus, enum bus_space space, uint64_t base, uint64_t len,
		 const char *name, const struct bus_ops *ops, void *opaque);

/* The region containing `addr`, or NULL if nobody claimed it. */
const struct bus_region *bus_find(const struct bus *bus, enum bus_space space, uint64_t addr);

/*
 * Dispatch one access of `size` bytes (1, 2, 4 or 8), split into pieces
 * when the device at `addr` implements only narrower ones (see struct
 * bus_ops).  Unclaimed reads return all-ones of that size.  Each access
 * or piece that nobody claims (or whose device lacks that handler) counts
 * once in `unclaimed`, with its own address as last_addr: an `inl` from
 * the last port of a 1-byte-wide device with nothing claimed after it
 * counts three unclaimed reads, the last at addr + 3.  An access that
 * starts where nobody claims is not split: it floats whole and counts once.
 */
uint64_t bus_read(struct bus *bus, enum bus_space space, uint64_t addr, unsigned size);
void bus_write(struct bus *bus, enum bus_space space, uint64_t addr, uint64_t value,
	       unsigned size);

/* All-ones in the low `size` bytes: what a floating bus reads. */
static inline uint64_t bus_all_ones(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

const char *bus_space_name(enum bus_space space);

#endif
