// SPDX-License-Identifier: MIT
/*
 * The ACPI tables (acpi.h).  Every table is written field by field at the
 * offsets of the ACPI 6.5 specification, little-endian, so the layout can
 * be checked against the spec line by line and does not depend on the
 * compiler's struct packing.
 */
#include "acpi.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"

#define ACPI_OEM_ID "MINIVM"		/* 6 characters */
#define ACPI_OEM_TABLE_ID "MINIVMM "	/* 8 characters */
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_ID "MVMM"		/* 4 characters */
#define ACPI_CREATOR_REVISION 1

/* Root System Description Pointer (ACPI 6.5 §5.2.5.3, Table 5.3). */
#define RSDP_SIGNATURE 0		/* "RSD PTR " */
#define RSDP_CHECKSUM 8			/* over the first 20 bytes (ACPI 1.0 part) */
#define RSDP_OEMID 9
#define RSDP_REVISION 15		/* 2: ACPI 2.0 and later */
#define RSDP_RSDT_ADDRESS 16
#define RSDP_LENGTH 20
#define RSDP_XSDT_ADDRESS 24
#define RSDP_EXTENDED_CHECKSUM 32	/* over all 36 bytes */
#define RSDP_V1_LEN 20

/* System Description Table Header (§5.2.6, Table 5.4). */
#define HDR_SIGNATURE 0
#define HDR_LENGTH 4
#define HDR_REVISION 8
#define HDR_CHECKSUM 9
#define HDR_OEMID 10
#define HDR_OEM_TABLE_ID 16
#define HDR_OEM_REVISION 24
#define HDR_CREATOR_ID 28
#define HDR_CREATOR_REVISION 32

/* Fixed ACPI Description Table (§5.2.9, Table 5.9), revision 6. */
#define FADT_REVISION 6
#define FADT_MINOR_REVISION 5		/* ACPI 6.5 */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_PREFERRED_PM_PROFILE 45
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_PM1A_EVT_BLK 56
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_P_LVL2_LAT 96
#define FADT_P_LVL3_LAT 98
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR_VERSION 131
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT 140
#define FADT_X_PM1A_EVT_BLK 148
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_SLEEP_CONTROL_REG 244	/* hardware-reduced only: left zero */
#define FADT_SLEEP_STATUS_REG 256	/* hardware-reduced only: left zero */
#define FADT_HYPERVISOR_VENDOR_IDENTITY 268

/* P_LVL2_LAT > 100 and P_LVL3_LAT > 1000 mean "no C2", "no C3". */
#define FADT_NO_C2_LATENCY 0x0fff
#define FADT_NO_C3_LATENCY 0x0fff

/* IAPC_BOOT_ARCH (Table 5.11). */
#define IAPC_LEGACY_DEVICES (1u << 0)
#define IAPC_8042 (1u << 1)
#define IAPC_VGA_NOT_PRESENT (1u << 2)
#define IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define IAPC_PCIE_ASPM_CONTROLS (1u << 4)
#define IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

/* FADT Flags (Table 5.10). */
#define FADT_F_WBINVD (1u << 0)
#define FADT_F_PROC_C1 (1u << 2)
#define FADT_F_PWR_BUTTON (1u << 4)	/* 1: not a fixed-feature power button */
#define FADT_F_SLP_BUTTON (1u << 5)	/* 1: not a fixed-feature sleep button */
#define FADT_F_FIX_RTC (1u << 6)	/* 1: no RTC wake status in PM1 */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)	/* deliberately not set: see acpi.h */

/* Generic Address Structure (§5.2.3.2, Table 5.1). */
#define GAS_LEN 12
#define GAS_SPACE_ID 0
#define GAS_BIT_WIDTH 1
#define GAS_BIT_OFFSET 2
#define GAS_ACCESS_SIZE 3
#define GAS_ADDRESS 4
#define GAS_SPACE_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2

/* Firmware ACPI Control Structure (§5.2.10). */
#define FACS_SIGNATURE 0
#define FACS_LENGTH 4
#define FACS_VERSION 32
#define FACS_VERSION_ACPI_4 2		/* the current version since ACPI 4.0 */
#define FACS_ALIGN 64			/* "must be aligned on a 64-byte boundary" */

#define DSDT_REVISION 2			/* 2 and up: integers are 64 bits */
#define RSDT_REVISION 1
#define XSDT_REVISION 1

#define PM1_EVT_BLK_LEN 4		/* PM1_STS + PM1_EN, 2 bytes each */
#define PM1_CNT_BLK_LEN 2

/*
 * The DSDT's AML (§20.2): one named package.
 *
 *   DefinitionBlock ("", "DSDT", 2, "MINIVM", "MINIVMM ", 1)
 *   {
 *       Name (_S5, Package (0x04) { 0x05, Zero, Zero, Zero })
 *   }
 *
 *   08              NameOp
 *   5F 53 35 5F     NameSeg "_S5_"
 *   12              PackageOp
 *   07              PkgLength: 7 bytes, itself included
 *   04              NumElements
 *   0A xx           BytePrefix SLP_TYPa (xx = s5_slp_typ)
 *   00              Zero: SLP_TYPb (there is no PM1b block)
 *   00 00           Zero, Zero: reserved
 *
 * SLP_TYPa is always a BytePrefix so the AML has one length; iasl would
 * write Zero or One for 0 or 1, and both forms mean the same integer.
 */
#define AML_S5_SLP_TYP_OFFSET 9
static const uint8_t dsdt_aml[] = {
	0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x07, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x00,
};

static void put8(uint8_t *p, size_t off, uint8_t v)
{
	p[off] = v;
}

static void put_chars(uint8_t *p, size_t off, const char *s, size_t n)
{
	memcpy(p + off, s, n);
}

uint8_t acpi_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

/* Set the byte at `at` so that the `len` bytes from `p` sum to 0. */
static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-acpi_checksum(p, len);
}

static void put_header(uint8_t *t, const char *signature, uint32_t length, uint8_t revision)
{
	put_chars(t, HDR_SIGNATURE, signature, 4);
	put32(t, HDR_LENGTH, length);
	put8(t, HDR_REVISION, revision);
	put_chars(t, HDR_OEMID, ACPI_OEM_ID, 6);
	put_chars(t, HDR_OEM_TABLE_ID, ACPI_OEM_TABLE_ID, 8);
	put32(t, HDR_OEM_REVISION, ACPI_OEM_REVISION);
	put_chars(t, HDR_CREATOR_ID, ACPI_CREATOR_ID, 4);
	put32(t, HDR_CREATOR_REVISION, ACPI_CREATOR_REVISION);
}

/* A SystemIO register of `bytes` bytes at `port`, accessed `access` wide.
 * Port 0 leaves the structure zero: "not present". */
static void put_gas_io(uint8_t *p, size_t off, uint16_t port, unsigned bytes, uint8_t access)
{
	if (port == 0)
		return;
	put8(p, off + GAS_SPACE_ID, GAS_SPACE_SYSTEM_IO);
	put8(p, off + GAS_BIT_WIDTH, (uint8_t)(8 * bytes));
	put8(p, off + GAS_BIT_OFFSET, 0);
	put8(p, off + GAS_ACCESS_SIZE, access);
	put64(p, off + GAS_ADDRESS, port);
}

static void build_fadt(uint8_t *t, const struct acpi_config *cfg, uint64_t facs, uint64_t dsdt)
{
	uint16_t boot_arch = IAPC_LEGACY_DEVICES | IAPC_8042;
	uint32_t flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
			 FADT_F_FIX_RTC;

	if (!cfg->vga)
		boot_arch |= IAPC_VGA_NOT_PRESENT;
	if (cfg->reset_port != 0)
		flags |= FADT_F_RESET_REG_SUP;

	put_header(t, "FACP", ACPI_FADT_LEN, FADT_REVISION);
	/* FIRMWARE_CTRL stays 0: the spec wants exactly one of it and
	 * X_FIRMWARE_CTRL, and ACPICA would install the FACS twice. */
	put32(t, FADT_DSDT, (uint32_t)dsdt);
	put8(t, FADT_PREFERRED_PM_PROFILE, 0);	/* unspecified */
	put16(t, FADT_SCI_INT, cfg->sci_irq);
	put32(t, FADT_SMI_CMD, 0);		/* no SMM: always in ACPI mode */
	put32(t, FADT_PM1A_EVT_BLK, cfg->pm1a_evt_port);
	put32(t, FADT_PM1A_CNT_BLK, cfg->pm1a_cnt_port);
	put8(t, FADT_PM1_EVT_LEN, PM1_EVT_BLK_LEN);
	put8(t, FADT_PM1_CNT_LEN, PM1_CNT_BLK_LEN);
	put16(t, FADT_P_LVL2_LAT, FADT_NO_C2_LATENCY);
	put16(t, FADT_P_LVL3_LAT, FADT_NO_C3_LATENCY);
	put16(t, FADT_IAPC_BOOT_ARCH, boot_arch);
	put32(t, FADT_FLAGS, flags);
	put_gas_io(t, FADT_RESET_REG, cfg->reset_port, 1, GAS_ACCESS_BYTE);
	put8(t, FADT_RESET_VALUE, cfg->reset_port != 0 ? cfg->reset_value : 0);
	put8(t, FADT_MINOR_VERSION, FADT_MINOR_REVISION);
	put64(t, FADT_X_FIRMWARE_CTRL, facs);
	put64(t, FADT_X_DSDT, dsdt);
	/* The X_ blocks say the same as the 32-bit ones: ACPICA warns when
	 * they differ in address or length. */
	put_gas_io(t, FADT_X_PM1A_EVT_BLK, cfg->pm1a_evt_port, PM1_EVT_BLK_LEN, GAS_ACCESS_WORD);
	put_gas_io(t, FADT_X_PM1A_CNT_BLK, cfg->pm1a_cnt_port, PM1_CNT_BLK_LEN, GAS_ACCESS_WORD);
	put_chars(t, FADT_HYPERVISOR_VENDOR_IDENTITY, "minivmm ", 8);
	fix_checksum(t, ACPI_FADT_LEN, HDR_CHECKSUM);
}

static size_t align_up(uint64_t base, size_t off, unsigned align)
{
	uint64_t addr = base + off;

	return (size_t)(((addr + align - 1) & ~(uint64_t)(align - 1)) - base);
}

static bool port_block_ok(uint16_t port, unsigned len)
{
	return port != 0 && (uint32_t)port + len <= 0x10000;
}

int acpi_build_tables(const struct acpi_config *cfg, void *buf, size_t size, uint64_t base,
		      struct acpi_tables *out)
{
	const size_t rsdt_len = ACPI_HEADER_LEN + 4, xsdt_len = ACPI_HEADER_LEN + 8;
	const size_t dsdt_len = ACPI_HEADER_LEN + sizeof(dsdt_aml);
	size_t o_rsdp, o_facs, o_rsdt, o_xsdt, o_fadt, o_dsdt, end;
	uint8_t *p = buf;

	if (!port_block_ok(cfg->pm1a_evt_port, PM1_EVT_BLK_LEN) ||
	    !port_block_ok(cfg->pm1a_cnt_port, PM1_CNT_BLK_LEN) || cfg->sci_irq > 15 ||
	    cfg->s5_slp_typ > 7 || base > UINT32_MAX)
		return -EINVAL;

	/* RSDP on a 16-byte boundary (§5.2.5.1), FACS on a 64-byte one
	 * (§5.2.10); the tables themselves need none, 8 keeps them tidy. */
	o_rsdp = align_up(base, 0, 16);
	o_facs = align_up(base, o_rsdp + ACPI_RSDP_LEN, FACS_ALIGN);
	o_rsdt = align_up(base, o_facs + ACPI_FACS_LEN, 8);
	o_xsdt = align_up(base, o_rsdt + rsdt_len, 8);
	o_fadt = align_up(base, o_xsdt + xsdt_len, 8);
	o_dsdt = align_up(base, o_fadt + ACPI_FADT_LEN, 8);
	end = o_dsdt + dsdt_len;

	if (end > (uint64_t)UINT32_MAX + 1 - base)
		return -EINVAL;
	if (end > size)
		return -ENOSPC;
	memset(p, 0, end);

	/* DSDT */
	put_header(p + o_dsdt, "DSDT", (uint32_t)dsdt_len, DSDT_REVISION);
	memcpy(p + o_dsdt + ACPI_HEADER_LEN, dsdt_aml, sizeof(dsdt_aml));
	put8(p + o_dsdt, ACPI_HEADER_LEN + AML_S5_SLP_TYP_OFFSET, cfg->s5_slp_typ);
	fix_checksum(p + o_dsdt, dsdt_len, HDR_CHECKSUM);

	/* FACS: no checksum; waking vectors, global lock and flags all 0. */
	put_chars(p + o_facs, FACS_SIGNATURE, "FACS", 4);
	put32(p + o_facs, FACS_LENGTH, ACPI_FACS_LEN);
	put8(p + o_facs, FACS_VERSION, FACS_VERSION_ACPI_4);

	build_fadt(p + o_fadt, cfg, base + o_facs, base + o_dsdt);

	put_header(p + o_rsdt, "RSDT", (uint32_t)rsdt_len, RSDT_REVISION);
	put32(p + o_rsdt, ACPI_HEADER_LEN, (uint32_t)(base + o_fadt));
	fix_checksum(p + o_rsdt, rsdt_len, HDR_CHECKSUM);

	put_header(p + o_xsdt, "XSDT", (uint32_t)xsdt_len, XSDT_REVISION);
	put64(p + o_xsdt, ACPI_HEADER_LEN, base + o_fadt);
	fix_checksum(p + o_xsdt, xsdt_len, HDR_CHECKSUM);

	put_chars(p + o_rsdp, RSDP_SIGNATURE, "RSD PTR ", 8);
	put_chars(p + o_rsdp, RSDP_OEMID, ACPI_OEM_ID, 6);
	put8(p + o_rsdp, RSDP_REVISION, 2);
	put32(p + o_rsdp, RSDP_RSDT_ADDRESS, (uint32_t)(base + o_rsdt));
	put32(p + o_rsdp, RSDP_LENGTH, ACPI_RSDP_LEN);
	put64(p + o_rsdp, RSDP_XSDT_ADDRESS, base + o_xsdt);
	fix_checksum(p + o_rsdp, RSDP_V1_LEN, RSDP_CHECKSUM);
	fix_checksum(p + o_rsdp, ACPI_RSDP_LEN, RSDP_EXTENDED_CHECKSUM);

	*out = (struct acpi_tables){
		.rsdp = base + o_rsdp, .rsdt = base + o_rsdt, .xsdt = base + o_xsdt,
		.fadt = base + o_fadt, .facs = base + o_facs, .dsdt = base + o_dsdt,
		.size = end,
	};
	return 0;
}
