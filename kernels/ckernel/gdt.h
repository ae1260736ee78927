/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_GDT_H
#define CKERNEL_GDT_H

/*
 * Our own Global Descriptor Table.  The multiboot loader entered us with
 * flat 4 GiB segments, but from a GDT of its own that may sit anywhere
 * (the spec says the kernel must set up its own before it loads a
 * segment register again, Multiboot 0.6.96 section 3.2): an interrupt
 * handler's IRET reloads CS, so before the first interrupt the
 * descriptors must be ours.
 */

#define GDT_KERNEL_CODE 0x08	/* selector: entry 1, ring 0 */
#define GDT_KERNEL_DATA 0x10	/* selector: entry 2, ring 0 */

/* Load the table (LGDT) and every segment register from it. */
void gdt_init(void);

#endif
