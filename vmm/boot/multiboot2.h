/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_MULTIBOOT2_H
#define MINIVMM_BOOT_MULTIBOOT2_H

/*
 * Multiboot2 (the Multiboot2 Specification 2.0), i386 BIOS flavour, which
 * QEMU's -kernel does not offer; GRUB 2 is the reference.  The kernel
 * (ELF32, or ELF64 as GRUB takes it, or placed by an address tag) loads
 * as in multiboot.h, modules page-aligned after it, and the boot
 * information (a list of tags) sits at MULTIBOOT_INFO_ADDR; the entry
 * state is multiboot 1's with EAX = 0x36d76289.
 *
 * Header tags: information request (a required tag we do not provide is
 * refused), address, entry address, console flags (a required console
 * description is refused: our console is COM1), framebuffer (refused
 * unless optional, then ignored), module alignment (modules are always
 * page-aligned), EFI boot services and EFI entry points (ignored: this is
 * no EFI machine), relocatable (the kernel loads where it is linked if
 * that lies in its range, else refused; the load base tag then says
 * where).  Unknown tags are refused unless optional.
 * Boot information: command line (--append as given, without the
 * kernel's path, as GRUB 2), loader name, one module tag each (its
 * "FILE ARGS" command line, as multiboot 1), basic meminfo, mmap, the
 * load base address for a relocatable kernel, end.
 */

#include <stddef.h>
#include <stdint.h>

#include "boot_plan.h"
#include "error.h"
#include "multiboot.h"

#define MULTIBOOT2_SEARCH 32768			/* the header is in the first 32 KiB */
#define MULTIBOOT2_HEADER_MAGIC 0xE85250D6u
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u	/* EAX at entry */
#define MULTIBOOT2_ARCH_I386 0
#define MULTIBOOT2_ALIGN 8			/* the header and every tag */

/* Header tags (spec 3.1.3-3.1.13). */
#define MB2_HTAG_END 0
#define MB2_HTAG_INFO_REQUEST 1
#define MB2_HTAG_ADDRESS 2
#define MB2_HTAG_ENTRY 3
#define MB2_HTAG_CONSOLE 4
#define MB2_HTAG_FRAMEBUFFER 5
#define MB2_HTAG_MODULE_ALIGN 6
#define MB2_HTAG_EFI_BS 7
#define MB2_HTAG_ENTRY_EFI32 8
#define MB2_HTAG_ENTRY_EFI64 9
#define MB2_HTAG_RELOCATABLE 10
#define MB2_HTAG_OPTIONAL 0x1			/* a header tag's flags, bit 0 */
#define MB2_CONSOLE_REQUIRED 0x1		/* console_flags bit 0 */
#define MB2_LOAD_FROM_FILE_START 0xffffffffu	/* address tag: load_addr -1 */

/* Boot information tags (spec 3.6). */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_LOAD_BASE_ADDR 21
#define MB2_MMAP_ENTRY_SIZE 24			/* base, length, type, reserved */
#define MB2_MMAP_ENTRY_VERSION 0

/* The offset of a multiboot2 header with a valid checksum in the first
 * 32 KiB (8-byte aligned, its 16 bytes whole), or -1: none. */
int multiboot2_detect(const uint8_t *img, size_t size);

/* Check the kernel and plan its boot, as multiboot_plan() (the
 * kernel_path is not used).  0, or -EINVAL with a one-line reason. */
int multiboot2_plan(struct boot_plan *plan, const struct multiboot_args *args, struct error *err);

#endif
