/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_FIRMWARE_H
#define MINIVMM_BOOT_FIRMWARE_H

/*
 * Our own firmware ROM, for kernels minivmm loads itself (--kernel): 64 KiB
 * at 0xf0000-0xfffff (reserved in the memory map, memmap.h), holding
 *   - the ACPI tables (acpi.h) from its start, where Linux also scans for
 *     the RSDP when the boot protocol cannot pass its address;
 *   - a reset vector at 0xffff0 that halts: a loaded kernel never gets
 *     there (a reboot re-runs the boot plan), and if it jumps there
 *     anyway, the halt with interrupts off ends the run with a message
 *     instead of executing zeros.
 */

#include <stdint.h>

#include "error.h"

#define FIRMWARE_SIZE (64 * 1024)
#define FIRMWARE_BASE 0xf0000

/* Build the ROM for `ram_size` bytes of RAM; the RSDP's guest-physical
 * address goes to *rsdp_addr.  0 or -errno with err set. */
int firmware_build(uint8_t *rom, uint64_t ram_size, uint64_t *rsdp_addr, struct error *err);

#endif
