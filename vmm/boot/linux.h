/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_LINUX_H
#define MINIVMM_BOOT_LINUX_H

/*
 * The Linux x86 boot protocol, 32-bit entry (Documentation/arch/x86/boot.rst,
 * "32-bit Boot Protocol"): a bzImage's protected-mode part at 1 MiB, a
 * struct boot_params (the "zero page") with a copy of the image's setup
 * header, the e820 memory map, the command line and the initrd, and a jump
 * to code32_start in flat 32-bit protected mode with %esi pointing at the
 * zero page.  The real-mode setup code is not run: it needs a BIOS.
 */

#include <stddef.h>
#include <stdint.h>

#include "boot_plan.h"
#include "error.h"

/* Where the plan puts things in low memory (all below 640 KiB, and below
 * where Linux's real-mode trampoline goes). */
#define LINUX_GDT_ADDR 0x500
#define LINUX_PARAMS_ADDR 0x7000
#define LINUX_CMDLINE_ADDR 0x20000
#define LINUX_KERNEL_ADDR 0x100000	/* bzImage: LOADED_HIGH */

/*
 * The kernel command line without --append, for this board: the console
 * on COM1; no local APIC or IOAPIC (CPUID already hides the local APIC;
 * saying so spares the kernel its probes); no PCI, so no configuration
 * space probes at 0xcf8.
 */
#define LINUX_DEFAULT_CMDLINE "console=ttyS0 noapic nolapic pci=off"

/* The oldest boot protocol we take: 2.06 (Linux 2.6.22) has cmdline_size;
 * 2.03 brought initrd_addr_max and the 32-bit entry we use is documented
 * for these. */
#define LINUX_MIN_PROTOCOL 0x0206

/* The boot_params offsets we fill (arch/x86/include/uapi/asm/bootparam.h). */
#define LINUX_BP_ACPI_RSDP 0x070
#define LINUX_BP_E820_ENTRIES 0x1e8
#define LINUX_BP_HDR 0x1f1
#define LINUX_BP_HDR_END 0x290		/* setup_header and its padding end here */
#define LINUX_BP_E820_TABLE 0x2d0
#define LINUX_BP_E820_MAX 128

struct linux_boot_args {
	const uint8_t *kernel;
	size_t kernel_size;
	const uint8_t *initrd;		/* NULL: none */
	size_t initrd_size;
	const char *cmdline;
	uint64_t ram_size;
	uint64_t rsdp_addr;		/* the ACPI tables' RSDP, 0 for none */
};

/*
 * Check the image and plan its boot.  0, or -EINVAL (a bad or unbootable
 * image, or one that does not fit: err says which, with the sizes).  The
 * plan's writes point into args' buffers and into the plan itself.
 */
int linux_plan(struct boot_plan *plan, const struct linux_boot_args *args, struct error *err);

/* What the setup header says, for messages and tests. */
struct linux_header {
	uint16_t protocol;
	uint8_t loadflags;
	size_t setup_size;		/* boot sector + setup sectors, in the file */
	size_t payload_size;		/* the protected-mode part: the rest of the file */
	uint32_t code32_start;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint64_t memory_end;		/* how far up the kernel unpacks and runs */
};

/* Parse and check the header alone.  0 or -EINVAL with err set. */
int linux_parse_header(const uint8_t *kernel, size_t size, struct linux_header *hdr,
		       struct error *err);

#endif
