/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_MULTIBOOT_H
#define MINIVMM_BOOT_MULTIBOOT_H

/*
 * Multiboot 1 (the Multiboot Specification 0.6.96), as QEMU's -kernel
 * loads it (hw/i386/multiboot.c): an ELF32 kernel's PT_LOAD segments at
 * their physical addresses, or the a.out kludge's address fields; the
 * modules --initrd names, page-aligned after the kernel; an information
 * structure in low memory; a jump to the entry point in flat 32-bit
 * protected mode with EAX = 0x2BADB002 and EBX = the information.
 *
 * Where we differ from QEMU, on purpose:
 *   - the information structure, the memory map, the module list and
 *     every string sit together in low memory (MULTIBOOT_INFO_ADDR);
 *     QEMU puts the strings and module list after the kernel and so its
 *     first module one page higher than ours;
 *   - modules are page-aligned in guest-physical addresses, not relative
 *     to the kernel's load address;
 *   - no boot_device (we have no BIOS disks; QEMU says 0x8000ffff);
 *   - what QEMU loads without a word we refuse with one line: segments
 *     outside RAM, in the ISA hole, over each other or over our boot
 *     area, a truncated file, an entry point outside the kernel, a
 *     graphics mode, unknown required header flags.
 * The kernel's command line is "KERNEL-PATH APPEND", as QEMU builds it
 * (GRUB 2 leaves the path out); a module's is "FILE ARGS" as --initrd
 * gives it, also as QEMU.
 *
 * The part multiboot2.c shares (ELF and address-field loading, module
 * placement, the memory map, the entry state) is declared at the end.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot_plan.h"
#include "error.h"

/* Where the plan puts things in low memory: the boot GDT, a stack for
 * kernels that push before they set up their own (the spec leaves ESP
 * undefined; QEMU's option ROM enters on SeaBIOS's stack below 0x7000),
 * and the information block.  A kernel may load anywhere else in RAM. */
#define MULTIBOOT_GDT_ADDR 0x500
#define MULTIBOOT_STACK_TOP 0x7000
#define MULTIBOOT_INFO_ADDR 0x9000
#define MULTIBOOT_AREA_START MULTIBOOT_GDT_ADDR		/* kernels stay out of here... */
#define MULTIBOOT_AREA_END (MULTIBOOT_INFO_ADDR + BOOT_INFO_SIZE)	/* ...to here */

#define MULTIBOOT_SEARCH 8192			/* the header is in the first 8 KiB */
#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u	/* EAX at entry */
#define MULTIBOOT_LOADER_NAME "minivmm"
#define MULTIBOOT_MAX_MODULES 16
#define MULTIBOOT_MAX_SEGMENTS 16		/* PT_LOAD entries a kernel may have */
#define MULTIBOOT_PAGE_SIZE 4096

/* Header flags (spec 3.1.2).  Bits 0-15 are requirements: a loader that
 * cannot meet one must refuse the kernel. */
#define MULTIBOOT_PAGE_ALIGN (1u << 0)		/* modules page-aligned: always */
#define MULTIBOOT_MEMORY_INFO (1u << 1)		/* mem_* and mmap_*: always */
#define MULTIBOOT_VIDEO_MODE (1u << 2)		/* the mode_type..depth fields */
#define MULTIBOOT_AOUT_KLUDGE (1u << 16)	/* the header_addr..entry_addr fields */
#define MULTIBOOT_REQUIRED_MASK 0xffffu

/* Header fields, by offset from the magic. */
#define MULTIBOOT_H_FLAGS 4
#define MULTIBOOT_H_CHECKSUM 8
#define MULTIBOOT_H_HEADER_ADDR 12
#define MULTIBOOT_H_LOAD_ADDR 16
#define MULTIBOOT_H_LOAD_END_ADDR 20
#define MULTIBOOT_H_BSS_END_ADDR 24
#define MULTIBOOT_H_ENTRY_ADDR 28
#define MULTIBOOT_H_MODE_TYPE 32
#define MULTIBOOT_H_WIDTH 36
#define MULTIBOOT_H_HEIGHT 40
#define MULTIBOOT_H_DEPTH 44
#define MULTIBOOT_H_SIZE 48

#define MULTIBOOT_MODE_LINEAR 0			/* mode_type: a graphics mode */
#define MULTIBOOT_MODE_EGA_TEXT 1

/* The information structure (spec 3.3), by offset. */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_BOOT_DEVICE 12
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_BOOT_LOADER_NAME 64
#define MBI_SIZE 116				/* through the framebuffer fields */

#define MBI_INFO_MEMORY (1u << 0)
#define MBI_INFO_CMDLINE (1u << 2)
#define MBI_INFO_MODS (1u << 3)
#define MBI_INFO_MEM_MAP (1u << 6)
#define MBI_INFO_BOOT_LOADER_NAME (1u << 9)

#define MBI_MOD_SIZE 16				/* mod_start, mod_end, string, reserved */
#define MBI_MMAP_ENTRY_SIZE 24			/* size (= 20, not counting itself), base, len, type */

/* A module: its bytes and the command line the kernel sees for it. */
struct multiboot_module {
	const uint8_t *data;
	size_t size;
	const char *cmdline;
};

/* What both multiboot versions are given. */
struct multiboot_args {
	const uint8_t *image;
	size_t image_size;
	const char *kernel_path;	/* multiboot 1: the command line starts with it */
	const char *cmdline;		/* --append as given ("" without it, as QEMU) */
	const struct multiboot_module *modules;
	size_t nr_modules;
	uint64_t ram_size;
};

/* The offset of a multiboot 1 header with a valid checksum in the first
 * 8 KiB (4-byte aligned, its 12 bytes whole), or -1: none. */
int multiboot_detect(const uint8_t *img, size_t size);

/*
 * Check the kernel and plan its boot.  0, or -EINVAL with a one-line
 * reason in err (a verb phrase: "asks for a video mode; ...").  The
 * plan's writes point into the image, the modules and the plan itself;
 * a write with NULL data is a bss to clear (boot_plan.h).
 */
int multiboot_plan(struct boot_plan *plan, const struct multiboot_args *args, struct error *err);

/*
 * Split QEMU's multiboot --initrd syntax, "FILE[ ARGS][,FILE[ ARGS]]..."
 * with ",," for a comma inside one, into each module's command line
 * ("FILE ARGS", what the kernel sees): `cmdlines[i]` point into `buf`.
 * The file to read is each command line up to its first space
 * (multiboot_module_path_len).  The number of modules, or -EINVAL (an
 * empty file name, more than `max`, or longer than `buf`) with err set.
 */
int multiboot_split_modules(const char *spec, char *buf, size_t buf_size, const char **cmdlines,
			    size_t max, struct error *err);

/* The length of a module command line's file name: up to the first space. */
size_t multiboot_module_path_len(const char *cmdline);

/* ---- Shared with multiboot2.c ------------------------------------------ */

/* What a loaded kernel occupies. */
struct multiboot_image {
	uint64_t low, high;	/* its lowest byte and one past its highest, bss included */
	uint32_t entry;
};

/* The a.out kludge's (multiboot 2: the address tag's) fields. */
struct multiboot_addrs {
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
};

/* Whether the image starts with an ELF identification. */
bool multiboot_is_elf(const uint8_t *img, size_t size);

/* Plan an ELF kernel's PT_LOAD segments at their p_paddr, bss as NULL
 * writes, and find its entry (e_entry, moved by the vaddr-paddr delta of
 * the executable segment holding it, as QEMU's load_elf does).  ELF64
 * (EM_X86_64) only if `elf64`.  0 or -EINVAL with err set. */
int multiboot_load_elf(struct boot_plan *plan, const uint8_t *img, size_t size, bool elf64,
		       uint64_t ram_size, struct multiboot_image *out, struct error *err);

/* Plan a kernel by address fields, its header found at `header_off`; the
 * entry is the caller's.  0 or -EINVAL with err set. */
int multiboot_load_addrs(struct boot_plan *plan, const uint8_t *img, size_t size,
			 size_t header_off, const struct multiboot_addrs *a, uint64_t ram_size,
			 struct multiboot_image *out, struct error *err);

/* Check that the loaded kernel enters inside itself. */
int multiboot_check_entry(const struct boot_plan *plan, uint32_t entry, struct error *err);

/* Place the modules page-aligned from `after` on, in order, and plan
 * them; `starts[i]` gets module i's address.  0 or -EINVAL. */
int multiboot_place_modules(struct boot_plan *plan, const struct multiboot_args *args,
			    uint64_t after, uint32_t *starts, struct error *err);

/* KiB of conventional memory, and of RAM contiguous from 1 MiB. */
uint32_t multiboot_mem_lower(uint64_t ram_size);
uint32_t multiboot_mem_upper(uint64_t ram_size);

/* Plan the boot GDT and the entry state: flat 32-bit, paging and
 * interrupts off, EAX = magic, EBX = the information's address. */
int multiboot_enter(struct boot_plan *plan, uint32_t magic, uint32_t entry, struct error *err);

#endif
