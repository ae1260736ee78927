/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_RESET_CONTROL_H
#define MINIVMM_DEVICES_RESET_CONTROL_H

/*
 * The Reset Control Register at 0xcf9 of the PIIX3/PIIX4 and the ICH
 * (RST_CNT), byte-wide only: a dword access to 0xcf8 is the PCI
 * configuration address, and the bus splits nothing wider onto this
 * one-byte device (the glue claims 0xcf9 alone, max_access_size 1).
 *
 *   bit 1  SYS_RST: 1 = the next reset is a hard (system) reset,
 *          0 = a soft reset (INIT#)
 *   bit 2  RST_CPU: a 0 -> 1 transition performs the reset SYS_RST selects
 *   bit 3  FULL_RST (ICH): a hard reset also power-cycles
 *
 * Every kind of reset restarts the whole machine here; `how` says which
 * the guest asked for.  Linux's reboot=pci (arch/x86/kernel/reboot.c,
 * BOOT_CF9_*) writes SYS_RST first and then SYS_RST|RST_CPU, so it sees
 * the transition.  QEMU's piix rcr resets on any write with bit 2 set and
 * stores only bit 1 (ich9: bits 1 and 3); we follow the datasheet, store
 * bits 1-3 (reading back what was written) and reset on the rising edge
 * of bit 2.  Bits 0 and 4-7 are reserved and read 0.  Power-on 0x00.
 */

#include <stdint.h>

#define RESET_CONTROL_PORT	0xcf9
#define RESET_CONTROL_SYS_RST	0x02
#define RESET_CONTROL_RST_CPU	0x04
#define RESET_CONTROL_FULL_RST	0x08
#define RESET_CONTROL_MASK	(RESET_CONTROL_SYS_RST | RESET_CONTROL_RST_CPU | \
				 RESET_CONTROL_FULL_RST)

struct reset_control {
	uint8_t value;
	/* Ask the VMM to reset the machine.  May be NULL. */
	void (*request_reset)(void *opaque, const char *how);
	void *opaque;
	uint64_t reset_requests;	/* for --stats; reset_control_reset() keeps it */
};

/* Wire the register and put it in its power-on state (0x00). */
void reset_control_init(struct reset_control *r,
			void (*request_reset)(void *opaque, const char *how), void *opaque);

/* Power-on state: 0x00.  Keeps the callback and the count. */
void reset_control_reset(struct reset_control *r);

/* What a read returns: bits 1-3 as last written. */
uint8_t reset_control_read(const struct reset_control *r);

/* A guest write: bits 1-3 stored; RST_CPU going 0 -> 1 requests a reset. */
void reset_control_write(struct reset_control *r, uint8_t value);

/* The reset a write of `value` asks for, as reset_control_write() names it. */
const char *reset_control_how(uint8_t value);

#endif
