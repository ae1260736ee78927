/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_BOOTINFO_H
#define CKERNEL_BOOTINFO_H

/*
 * What the boot loader told us, the same whichever multiboot version
 * brought us here (multiboot.h): read once at boot, before anything can
 * overwrite the loader's structures.
 */

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MAX_MMAP 32
#define BOOT_MAX_MODULES 16

struct boot_mmap {
	uint64_t base, length;
	uint32_t type;
};

struct boot_module {
	uint32_t start, end;
	const char *cmdline;
};

struct boot_info {
	unsigned version;		/* 1 or 2 */
	const char *cmdline;		/* NULL where the loader gave none */
	const char *loader;
	bool has_mem;
	uint32_t mem_lower, mem_upper;	/* KiB */
	unsigned nr_mmap, nr_modules;	/* more than the arrays hold are dropped */
	struct boot_mmap mmap[BOOT_MAX_MMAP];
	struct boot_module modules[BOOT_MAX_MODULES];
};

/* Read the information at `addr` as `magic` (EAX at entry) says.
 * 0, or -1 when the magic is neither multiboot 1's nor 2's. */
int bootinfo_parse(uint32_t magic, uint32_t addr, struct boot_info *bi);

/* Print it all with kprintf, one item a line. */
void bootinfo_print(const struct boot_info *bi);

/* The value of "name=N" (decimal) among the command line's words. */
bool bootinfo_option(const struct boot_info *bi, const char *name, uint32_t *value);

#endif
