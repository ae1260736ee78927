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
 */
struct bus_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
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
 * an empty range, one that wraps or leaves the port space, or NULL ops,
 * -EBUSY if it overlaps a range already claimed, -ENOSPC when the table
 * is full.  `name` and `ops` must outlive the bus.
 */
int bus_register(struct bus *bus, enum bus_space space, uint64_t base, uint64_t len,
		 const char *name, const struct bus_ops *ops, void *opaque);

/* The region containing `addr`, or NULL if nobody claimed it. */
const struct bus_region *bus_find(const struct bus *bus, enum bus_space space, uint64_t addr);

/* Dispatch one access of `size` bytes (1, 2, 4 or 8). Unclaimed reads
 * return all-ones of that size. */
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
