/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_BOOT_H
#define MINIVMM_BOOT_BOOT_H

/*
 * Booting: from the images main() read to a running start.
 *
 * Two ways to boot, as on QEMU:
 *   --bios IMAGE: IMAGE is the ROM below 1 MiB and the CPU starts at its
 *     reset vector, F000:FFF0 in real mode.
 *   --kernel FILE [--initrd FILE] [--append CMDLINE]: a Linux bzImage,
 *     loaded as a boot loader would (linux.h).  The ROM is then our own
 *     firmware (firmware.h): the ACPI tables and a reset vector.
 * boot_prepare() decides everything without touching the VM;
 * boot_apply() writes RAM and the vCPU's registers, at start and again
 * at each reboot with --reboot.
 */

#include <stddef.h>
#include <stdint.h>

#include "boot_plan.h"
#include "error.h"
#include "firmware.h"

struct vm;
struct vcpu;

/* What main() read from the files the options named. */
struct boot_images {
	const uint8_t *bios;		/* --bios, or the built-in kernel */
	size_t bios_size;
	const uint8_t *kernel;		/* --kernel; NULL: boot the bios */
	size_t kernel_size;
	const char *kernel_path;	/* for messages */
	const uint8_t *initrd;		/* --initrd; NULL: none */
	size_t initrd_size;
	const char *cmdline;		/* --append, or the default command line */
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

/* Load the plan's bytes into RAM and set the vCPU's registers. */
int boot_apply(const struct boot *b, struct vm *vm, struct vcpu *vcpu, struct error *err);

#endif
