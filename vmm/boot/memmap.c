// SPDX-License-Identifier: MIT
/* The PC memory map firmware reports (memmap.h). */
#include "memmap.h"

size_t memmap_build(uint64_t ram_size, struct memmap_entry *out)
{
	size_t n = 0;

	out[n++] = (struct memmap_entry){ 0, MEMMAP_LOW_RAM_END, MEMMAP_RAM };
	out[n++] = (struct memmap_entry){ MEMMAP_LOW_RAM_END, MEMMAP_EBDA_END - MEMMAP_LOW_RAM_END,
					  MEMMAP_RESERVED };
	out[n++] = (struct memmap_entry){ MEMMAP_BIOS_BASE, MEMMAP_HIGH_RAM_BASE - MEMMAP_BIOS_BASE,
					  MEMMAP_RESERVED };
	if (ram_size > MEMMAP_HIGH_RAM_BASE)
		out[n++] = (struct memmap_entry){ MEMMAP_HIGH_RAM_BASE,
						  ram_size - MEMMAP_HIGH_RAM_BASE, MEMMAP_RAM };
	return n;
}
