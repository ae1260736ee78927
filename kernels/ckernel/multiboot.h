/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_MULTIBOOT_H
#define CKERNEL_MULTIBOOT_H

/*
 * What a multiboot loader hands the kernel, in both versions of the
 * standard.  Multiboot 1 (Multiboot Specification 0.6.96, section 3.3):
 * EAX = 0x2BADB002 and EBX the address of one structure whose `flags`
 * say which fields are valid.  Multiboot 2 (Multiboot2 Specification
 * 2.0, section 3.6): EAX = 0x36D76289 and EBX the address of a list of
 * tags, each {type, size}, 8-byte aligned, ended by a tag of type 0.
 * Addresses are physical; with paging off they are pointers as they are.
 */

#include <stdint.h>

#define MB1_BOOTLOADER_MAGIC 0x2badb002u
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* ---- Multiboot 1 ---- */

#define MB1_INFO_MEMORY (1u << 0)	/* mem_lower, mem_upper */
#define MB1_INFO_BOOTDEV (1u << 1)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MEM_MAP (1u << 6)	/* mmap_length, mmap_addr */
#define MB1_INFO_LOADER_NAME (1u << 9)

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB below 640 KiB, KiB from 1 MiB on */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

struct mb1_module {
	uint32_t mod_start, mod_end;	/* [start, end) */
	uint32_t string;		/* its command line */
	uint32_t reserved;
};

/* A memory map entry.  `size` does not count itself: the next entry is
 * size + 4 bytes further (the spec allows entries to grow). */
struct __attribute__((packed)) mb1_mmap_entry {
	uint32_t size;
	uint64_t base_addr, length;
	uint32_t type;			/* 1 available RAM, 3 ACPI, 4 preserve, 5 bad; else reserved */
};

/* ---- Multiboot 2 ---- */

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_ALIGN 8

struct mb2_info {			/* the start of the list */
	uint32_t total_size, reserved;
};

struct mb2_tag {
	uint32_t type, size;		/* size includes this header, not the padding */
};

struct mb2_tag_string {			/* command line, loader name */
	struct mb2_tag tag;
	char string[];
};

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start, mod_end;
	char cmdline[];
};

struct mb2_tag_basic_meminfo {
	struct mb2_tag tag;
	uint32_t mem_lower, mem_upper;
};

struct mb2_mmap_entry {
	uint64_t base_addr, length;
	uint32_t type, reserved;
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size, entry_version;
	struct mb2_mmap_entry entries[];
};

#endif
