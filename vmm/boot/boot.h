/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_BOOT_H
#define MINIVMM_BOOT_BOOT_H

/*
 * Booting: from the images main() read to a running start.
 *
 * Two ways to boot, as on QEMU:
 *   --bios IMAGE: IMAGE is the ROM below 1 MiB and the CPU starts at its
 *     reset vector, F000:FFF0 in real mode.
 *   --kernel FILE [--initrd FILE] [--append CMDLINE]: a Linux bzImage
 *     (linux.h), a multiboot kernel (multiboot.h, with --initrd's modules
 *     "FILE ARGS,FILE ARGS" as QEMU takes them) or a multiboot2 kernel
 *     (multiboot2.h), loaded as a boot loader would; the kind is found as
 *     QEMU finds it (boot_kernel_kind).  The ROM is then our own firmware
 *     (firmware.h): the ACPI tables and a reset vector.
 * boot_prepare() decides everything without touching the VM;
 * boot_apply() writes RAM and the vCPU's registers, at start and again
 * at each reboot with --reboot.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot_plan.h"
#include "error.h"
#include "firmware.h"
#include "multiboot.h"

struct vm;
struct vcpu;

enum boot_kernel_kind {
	BOOT_KERNEL_LINUX,	/* a "HdrS" setup header, or at least the 0xAA55 boot flag */
	BOOT_KERNEL_MULTIBOOT,
	BOOT_KERNEL_MULTIBOOT2,
	BOOT_KERNEL_UNKNOWN,
};

/* What a --kernel image is, in QEMU's order: a Linux setup header first,
 * then a multiboot header, then a multiboot2 one. */
enum boot_kernel_kind boot_kernel_kind(const uint8_t *kernel, size_t size);

#define BOOT_MAX_MODULES 16

/* What main() read from the files the options named. */
struct boot_images {
	const uint8_t *bios;		/* --bios, or the built-in kernel */
	size_t bios_size;
	const uint8_t *kernel;		/* --kernel; NULL: boot the bios */
	size_t kernel_size;
	const char *kernel_path;	/* for messages */
	const uint8_t *initrd;		/* --initrd of a Linux kernel; NULL: none */
	size_t initrd_size;
	const struct multiboot_module *modules;	/* --initrd of a multiboot kernel */
	size_t nr_modules;
	const char *cmdline;		/* --append; NULL: none given */
};

struct boot {
	const uint8_t *rom;		/* the image at the top of the first MiB */
	size_t rom_size;
	uint8_t firmware[FIRMWARE_SIZE];	/* our ROM, with --kernel */
	struct boot_plan plan;
};

/* Check the images and plan the boot.  0, or -errno with err set ("bad
 * kernel: ..." and the like, one line). */
int boot_prepare(struct boot *b, const struct boot_images *images, uint64_t ram_size,
		 struct error *err);

/* True when the ROM is our firmware (--kernel), which hands the machine
 * over to the kernel as a BIOS would; false with --bios. */
static inline bool boot_uses_firmware(const struct boot *b)
{
	return b->rom == b->firmware;
}

/* Load the plan's bytes into RAM and set the vCPU's registers. */
int boot_apply(const struct boot *b, struct vm *vm, struct vcpu *vcpu, struct error *err);

#endif
