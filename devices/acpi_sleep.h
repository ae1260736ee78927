/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_ACPI_SLEEP_H
#define MINIVMM_DEVICES_ACPI_SLEEP_H

/*
 * The ACPI PM1 fixed-hardware registers, just enough for a guest to power
 * the machine off: Linux's `poweroff` ends in acpi_enter_sleep_state(S5),
 * which writes SLP_TYP (the first value of the DSDT's \_S5 package) and
 * SLP_EN to PM1_CNT.
 *
 * Why the "full" (legacy) PM1 registers and not the ACPI 5 hardware-reduced
 * sleep control register that Firecracker and Cloud Hypervisor use: on
 * x86, Linux treats a HW_REDUCED_ACPI FADT as "no legacy PC hardware":
 * acpi_generic_reduced_hw_init() (arch/x86/kernel/acpi/boot.c, 6.1)
 * replaces the 8259 with null_legacy_pic and skips timer_init (no PIT).
 * Those VMMs have a local APIC and an I/O APIC to fall back on; this PC
 * has only the PIC pair and the PIT, so the kernel would get no interrupt
 * at all.  A full ACPI FADT with SMI_CMD = 0 keeps the PC as it is and
 * only asks for a PM1 event block (PM1_STS, PM1_EN) and a PM1 control
 * block (PM1_CNT); everything else (PM timer, GPEs, PM2) is optional.
 *
 * The registers (ACPI 6.5, "PM1 Event Grouping" / "PM1 Control Grouping"):
 *
 *   PM1a_EVT_BLK + 0  PM1_STS  16 bits, write 1 to clear
 *   PM1a_EVT_BLK + 2  PM1_EN   16 bits, read/write
 *   PM1a_CNT_BLK + 0  PM1_CNT  16 bits: SCI_EN, BM_RLD, GBL_RLS, SLP_TYP, SLP_EN
 *
 * Deliberate behaviour, for a machine whose only sleep state is S5:
 *   - SCI_EN always reads 1: the FADT's SMI_CMD is 0, so the platform is
 *     always in ACPI mode (ACPI 6.5, "SCI_EN"); writes to it are ignored.
 *   - No event ever sets a status bit, so the model has no SCI output.
 *     PM1_EN bits are plain storage: Linux checks that the enable bits it
 *     writes (GBL_EN, RTC_EN) read back, and says "Could not enable ...
 *     event" when they do not.
 *   - SLP_EN with SLP_TYP == the S5 value: power off.  Any other SLP_TYP
 *     (S1-S4, which our DSDT does not offer) is counted and otherwise
 *     ignored, and WAK_STS is set as if a wake event came at once, so a
 *     guest polling WAK_STS after a sleep request (ACPICA does) goes on
 *     instead of spinning forever.
 *   - GBL_RLS would raise an SMI on real hardware; there is no SMM here,
 *     so it does nothing.
 *
 * Accesses are byte-wide (offset within the block, one byte): the bus
 * splits a guest's outw.  SLP_TYP and SLP_EN both live in PM1_CNT's high
 * byte, so one byte write carries the whole request.
 */

#include <stdbool.h>
#include <stdint.h>

/*
 * Where the board puts the blocks: QEMU's layout with its PM base at
 * 0x600 (q35's ICH9; the same offsets as the PIIX4's): PM1_STS/PM1_EN at
 * 0x600-0x603, PM1_CNT at 0x604.  With SLP_TYP 0 for soft-off, as QEMU's
 * DSDT gives, the "outw 0x604, 0x2000" that hobby kernels use to power
 * QEMU off (SLP_EN with SLP_TYP 0) is the same register write as Linux's.
 */
#define ACPI_SLEEP_PM1_EVT_PORT 0x600
#define ACPI_SLEEP_PM1_EVT_LEN 4	/* PM1_STS + PM1_EN */
#define ACPI_SLEEP_PM1_CNT_PORT 0x604
#define ACPI_SLEEP_PM1_CNT_LEN 2	/* PM1_CNT */

/* SLP_TYP of \_S5 in our DSDT: 0, as on QEMU (see above). */
#define ACPI_SLEEP_S5_TYP 0

/* The SCI's ISA line (FADT SCI_INT): 9, as on every PIIX/ICH PC.  Linux
 * requests it (shared, "acpi"); this model never raises it. */
#define ACPI_SLEEP_SCI_IRQ 9

/* Offsets in the PM1 event block. */
#define ACPI_PM1_STS 0
#define ACPI_PM1_EN 2

/* PM1_STS bits (ACPI 6.5, "PM1 Status Registers"). */
#define ACPI_PM1_STS_TMR 0x0001
#define ACPI_PM1_STS_BM 0x0010
#define ACPI_PM1_STS_GBL 0x0020
#define ACPI_PM1_STS_PWRBTN 0x0100
#define ACPI_PM1_STS_SLPBTN 0x0200
#define ACPI_PM1_STS_RTC 0x0400
#define ACPI_PM1_STS_PCIEXP_WAKE 0x4000
#define ACPI_PM1_STS_WAK 0x8000

/* PM1_EN bits (ACPI 6.5, "PM1 Enable Registers"); the rest are reserved. */
#define ACPI_PM1_EN_TMR 0x0001
#define ACPI_PM1_EN_GBL 0x0020
#define ACPI_PM1_EN_PWRBTN 0x0100
#define ACPI_PM1_EN_SLPBTN 0x0200
#define ACPI_PM1_EN_RTC 0x0400
#define ACPI_PM1_EN_PCIEXP_WAKE_DIS 0x4000
#define ACPI_PM1_EN_MASK                                                                   \
	(ACPI_PM1_EN_TMR | ACPI_PM1_EN_GBL | ACPI_PM1_EN_PWRBTN | ACPI_PM1_EN_SLPBTN |     \
	 ACPI_PM1_EN_RTC | ACPI_PM1_EN_PCIEXP_WAKE_DIS)

/* PM1_CNT bits (ACPI 6.5, "PM1 Control Registers"). */
#define ACPI_PM1_CNT_SCI_EN 0x0001
#define ACPI_PM1_CNT_BM_RLD 0x0002
#define ACPI_PM1_CNT_GBL_RLS 0x0004	/* write-only */
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP 0x1c00
#define ACPI_PM1_CNT_SLP_EN 0x2000	/* write-only */

#define ACPI_SLEEP_NR_TYPES 8		/* SLP_TYP is 3 bits */

struct acpi_sleep_stats {
	uint64_t poweroffs;				/* SLP_EN with the S5 type */
	uint64_t ignored[ACPI_SLEEP_NR_TYPES];	/* SLP_EN with another type, per type */
};

struct acpi_sleep {
	/* The guest asked for S5.  May be NULL. */
	void (*poweroff)(void *opaque);
	void *opaque;
	uint8_t s5_typ;		/* the SLP_TYP that means S5 (the DSDT's) */
	uint16_t pm1_sts;
	uint16_t pm1_en;
	uint16_t pm1_cnt;	/* BM_RLD and SLP_TYP as last written */
	struct acpi_sleep_stats stats;
};

/* Power-on state; `s5_typ` (0-7) is the SLP_TYP the DSDT gives \_S5. */
void acpi_sleep_init(struct acpi_sleep *s, uint8_t s5_typ, void (*poweroff)(void *opaque),
		     void *opaque);

/* Back to the power-on register values, keeping callback, s5_typ and stats. */
void acpi_sleep_reset(struct acpi_sleep *s);

/* The PM1 event block, byte `offset` 0-3 (PM1_STS low/high, PM1_EN low/high);
 * bytes past the block read 0xff and ignore writes. */
uint8_t acpi_sleep_evt_read(const struct acpi_sleep *s, unsigned offset);
void acpi_sleep_evt_write(struct acpi_sleep *s, unsigned offset, uint8_t value);

/* The PM1 control block, byte `offset` 0-1 of PM1_CNT; as above past it. */
uint8_t acpi_sleep_cnt_read(const struct acpi_sleep *s, unsigned offset);
void acpi_sleep_cnt_write(struct acpi_sleep *s, unsigned offset, uint8_t value);

#endif
