/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_MEMMAP_H
#define MINIVMM_BOOT_MEMMAP_H

/*
 * The guest-physical memory map of this PC, as firmware reports it to an
 * operating system (Linux's e820 table, multiboot's mmap): conventional
 * memory below 640 KiB, then the ISA hole (the VGA window, option ROMs
 * and the BIOS ROM), then RAM from 1 MiB to the end of --memory.
 *
 * The last KiB below 640 KiB is reserved like a PC's extended BIOS data
 * area (QEMU's isapc reserves 0x9fc00-0x9ffff too), and the 64 KiB below
 * 1 MiB holds our firmware's ROM (the reset vector and the ACPI tables).
 * Nothing in the hole between them is reported at all, as on a PC.
 */

#include <stddef.h>
#include <stdint.h>

#define MEMMAP_LOW_RAM_END 0x9fc00ULL		/* conventional memory: 639 KiB */
#define MEMMAP_EBDA_END 0xa0000ULL		/* reserved KiB up to the VGA window */
#define MEMMAP_BIOS_BASE 0xf0000ULL		/* the firmware ROM, 64 KiB */
#define MEMMAP_HIGH_RAM_BASE 0x100000ULL	/* 1 MiB */

enum memmap_type {
	MEMMAP_RAM = 1,		/* e820 and multiboot both say 1 for usable RAM */
	MEMMAP_RESERVED = 2,
};

struct memmap_entry {
	uint64_t base, len;
	enum memmap_type type;
};

#define MEMMAP_MAX_ENTRIES 4

/* Fill `out` (MEMMAP_MAX_ENTRIES) for `ram_size` bytes of RAM (at least
 * 1 MiB); returns the number of entries, in ascending order. */
size_t memmap_build(uint64_t ram_size, struct memmap_entry *out);

#endif
