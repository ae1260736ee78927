/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_ACPI_H
#define MINIVMM_BOOT_ACPI_H

/*
 * Minimal ACPI tables for a Linux guest on this PC, so that `poweroff`
 * and `reboot` have something to talk to.  Pure: bytes into a caller's
 * buffer that will sit at guest-physical `base`; no KVM, libc only.
 *
 *   RSDP (ACPI 2.0+, 36 bytes) -> XSDT -> FADT -> DSDT, FACS
 *                              -> RSDT -> FADT (for "acpi=rsdt" and 1.0 OSes)
 *
 * The FADT (revision 6, 276 bytes) describes a *full* ACPI PC, not a
 * hardware-reduced one: on x86, Linux drops the 8259 and the PIT when it
 * sees HW_REDUCED_ACPI (acpi_generic_reduced_hw_init(), see
 * devices/acpi_sleep.h), and this PC has nothing else.  So it has:
 *   - SMI_CMD 0 (always in ACPI mode), SCI_INT `sci_irq`;
 *   - PM1a_EVT_BLK (4 ports) and PM1a_CNT_BLK (2 ports), nothing else:
 *     no PM1b, PM2, PM timer or GPE blocks;
 *   - RESET_REG (SystemIO, 8 bits) with RESET_REG_SUP, for `reboot`;
 *   - IAPC_BOOT_ARCH: LEGACY_DEVICES | 8042, plus VGA_NOT_PRESENT unless
 *     `vga`; NO_CMOS_RTC clear, so Linux registers the CMOS RTC;
 *   - flags: WBINVD, PROC_C1 (HLT), PWR_BUTTON and SLP_BUTTON (no fixed
 *     buttons), FIX_RTC (no RTC_STS/RTC_EN wake), RESET_REG_SUP;
 *   - a FACS (required outside hardware-reduced mode), 64-byte aligned.
 * The DSDT holds one object, Name (_S5, Package () { s5_slp_typ, 0, 0, 0 }).
 * There is no MADT (no local APIC, no I/O APIC): Linux then stays in PIC
 * mode ("ACPI found no MADT, and so ACPI wants UP PIC mode").
 *
 * The FACS holds the global lock, which an OS writes; in a read-only
 * region those writes are lost.  Our DSDT never uses the lock, so only a
 * guest that takes it on its own would notice.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acpi_config {
	uint16_t pm1a_evt_port;	/* PM1a_EVT_BLK: PM1_STS, PM1_EN (4 ports) */
	uint16_t pm1a_cnt_port;	/* PM1a_CNT_BLK: PM1_CNT (2 ports) */
	uint16_t reset_port;	/* RESET_REG, 0 for none (e.g. 0xcf9) */
	uint8_t reset_value;	/* RESET_VALUE (e.g. 0x06 for 0xcf9) */
	uint8_t sci_irq;	/* SCI_INT: an ISA line 0-15 */
	uint8_t s5_slp_typ;	/* SLP_TYP of \_S5: 0-7 */
	bool vga;		/* the machine has VGA (clears VGA_NOT_PRESENT) */
};

/* Where each table landed (guest-physical) and how much of the buffer
 * they use from its start. */
struct acpi_tables {
	uint64_t rsdp, rsdt, xsdt, fadt, facs, dsdt;
	size_t size;
};

/* Table lengths, for tests and tools. */
#define ACPI_RSDP_LEN 36
#define ACPI_HEADER_LEN 36
#define ACPI_FADT_LEN 276
#define ACPI_FACS_LEN 64

/*
 * Write the tables into buf[0, size), which the guest sees at `base`.
 * The RSDP comes first, at the first 16-byte boundary at or above `base`
 * (where Linux's scan of 0xE0000-0xFFFFF looks for it); the rest follows.
 * Returns 0 and fills *out; -EINVAL for a bad config (a port block that
 * wraps past 0xffff, sci_irq > 15, s5_slp_typ > 7) or tables that would
 * not lie below 4 GiB (RSDT and FADT hold 32-bit addresses); -ENOSPC if
 * the buffer is too small.  Bytes of the buffer not used are untouched.
 */
int acpi_build_tables(const struct acpi_config *cfg, void *buf, size_t size, uint64_t base,
		      struct acpi_tables *out);

/* Sum of `len` bytes, mod 256: 0 for a table with a correct checksum. */
uint8_t acpi_checksum(const void *data, size_t len);

#endif
