// SPDX-License-Identifier: MIT
/* Flat code and data segments (gdt.h). */
#include "gdt.h"

#include <stdint.h>

/*
 * A segment descriptor packs base, limit and flags in a historical order
 * (Intel SDM vol. 3A, 3.4.5 "Segment Descriptors").  Ours are all base 0,
 * limit 0xfffff in 4 KiB pages (G = 1): 4 GiB, 32-bit (D/B = 1).
 */
#define SEG_ACCESS_PRESENT 0x80
#define SEG_ACCESS_CODE_DATA 0x10	/* S = 1: code or data, not a system segment */
#define SEG_ACCESS_EXEC 0x08
#define SEG_ACCESS_RW 0x02		/* code: readable; data: writable */
#define SEG_FLAGS_4K_32BIT 0xc		/* G = 1, D/B = 1 */

static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(flags & 0xf) << 52 | (uint64_t)(base >> 24) << 56;
}

static uint64_t gdt[3];

/* LGDT's operand: a 16-bit limit (size - 1), then the 32-bit base. */
static struct __attribute__((packed)) {
	uint16_t limit;
	uint32_t base;
} gdtr;

void gdt_init(void)
{
	gdt[0] = 0;	/* the null descriptor: loading selector 0 is how you say "none" */
	gdt[GDT_KERNEL_CODE / 8] = descriptor(0, 0xfffff, SEG_ACCESS_PRESENT |
					      SEG_ACCESS_CODE_DATA | SEG_ACCESS_EXEC |
					      SEG_ACCESS_RW, SEG_FLAGS_4K_32BIT);
	gdt[GDT_KERNEL_DATA / 8] = descriptor(0, 0xfffff, SEG_ACCESS_PRESENT |
					      SEG_ACCESS_CODE_DATA | SEG_ACCESS_RW,
					      SEG_FLAGS_4K_32BIT);
	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint32_t)gdt;

	/* A segment register caches its descriptor when loaded, so LGDT alone
	 * changes nothing: reload the data segments with MOV and CS with a
	 * far jump, the one way to write CS. */
	__asm__ volatile("lgdt %0\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%fs\n\t"
			 "mov %1, %%gs\n\t"
			 "mov %1, %%ss\n\t"
			 "ljmp %2, $1f\n"
			 "1:"
			 : : "m"(gdtr), "r"((uint32_t)GDT_KERNEL_DATA), "i"(GDT_KERNEL_CODE)
			 : "memory");
}
