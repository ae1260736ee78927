// SPDX-License-Identifier: MIT
/*
 * The ACPI table builder (vmm/boot/acpi.h), one rule of the ACPI 6.5
 * specification per test.  The tables are read back through the pointers
 * they hold, as an OS would, not through the builder's own bookkeeping.
 *
 * With an argument, this program also writes the tables as files into
 * that directory (rsdp.dat, rsdt.dat, xsdt.dat, facp.dat, facs.dat,
 * dsdt.dat) for a look with `iasl -d`.
 */
#include <errno.h>
#include <stdlib.h>

#include "acpi.h"
#include "unit.h"

#define REGION_BASE 0xf0000u
#define REGION_SIZE 0x10000u

static const struct acpi_config config = {
	.pm1a_evt_port = 0x600,
	.pm1a_cnt_port = 0x604,
	.reset_port = 0xcf9,
	.reset_value = 0x06,
	.sci_irq = 9,
	.s5_slp_typ = 5,
};

static uint8_t region[REGION_SIZE];
static struct acpi_tables tables;

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The bytes at guest-physical `gpa` in the region. */
static const uint8_t *at(uint64_t gpa)
{
	if (gpa < REGION_BASE || gpa >= REGION_BASE + REGION_SIZE)
		return NULL;
	return region + (gpa - REGION_BASE);
}

static void build(void)
{
	memset(region, 0xa5, sizeof(region));
	CHECK_EQ(acpi_build_tables(&config, region, sizeof(region), REGION_BASE, &tables), 0);
}

static const uint8_t *rsdp(void)
{
	build();
	return at(tables.rsdp);
}

static const uint8_t *xsdt(void)
{
	return at(le64(rsdp() + 24));
}

static const uint8_t *fadt(void)
{
	return at(le64(xsdt() + 36));
}

static const uint8_t *dsdt(void)
{
	return at(le64(fadt() + 140));
}

/* A described table: signature, a length that fits the region, checksum 0. */
static void check_table(const uint8_t *t, const char *sig, uint32_t len, uint8_t revision)
{
	CHECK(t != NULL);
	CHECK(memcmp(t, sig, 4) == 0);
	CHECK_EQ(le32(t + 4), len);
	CHECK_EQ(t[8], revision);
	CHECK(t + len <= region + REGION_SIZE);
	CHECK_EQ(acpi_checksum(t, len), 0);
	CHECK(memcmp(t + 10, "MINIVM", 6) == 0);
}

/* §5.2.5.1: the RSDP sits on a 16-byte boundary inside 0xE0000-0xFFFFF. */
UNIT_TEST(rsdp_is_16_byte_aligned_in_the_bios_area)
{
	const uint8_t *p = rsdp();

	CHECK(p != NULL);
	CHECK_EQ(tables.rsdp % 16, 0);
	CHECK(tables.rsdp >= 0xe0000 && tables.rsdp + ACPI_RSDP_LEN <= 0x100000);
	CHECK(memcmp(p, "RSD PTR ", 8) == 0);
}

/* §5.2.5.3: checksum over the first 20 bytes, extended checksum over all 36. */
UNIT_TEST(rsdp_checksums_are_right)
{
	const uint8_t *p = rsdp();

	CHECK_EQ(acpi_checksum(p, 20), 0);
	CHECK_EQ(acpi_checksum(p, ACPI_RSDP_LEN), 0);
}

/* §5.2.5.3: revision 2 (ACPI 2.0+) with length 36 and an XSDT address. */
UNIT_TEST(rsdp_is_acpi2_with_xsdt_and_rsdt)
{
	const uint8_t *p = rsdp();

	CHECK_EQ(p[15], 2);
	CHECK_EQ(le32(p + 20), ACPI_RSDP_LEN);
	CHECK_EQ(le64(p + 24), tables.xsdt);
	CHECK_EQ(le32(p + 16), tables.rsdt);
	CHECK(memcmp(p + 9, "MINIVM", 6) == 0);
}

/* §5.2.8: the XSDT holds one 64-bit entry, the FADT. */
UNIT_TEST(xsdt_points_to_the_fadt)
{
	const uint8_t *x = xsdt();

	check_table(x, "XSDT", 36 + 8, 1);
	CHECK_EQ(le64(x + 36), tables.fadt);
}

/* §5.2.7: the RSDT holds the same FADT as a 32-bit entry. */
UNIT_TEST(rsdt_points_to_the_fadt)
{
	const uint8_t *r;

	build();
	r = at(tables.rsdt);
	check_table(r, "RSDT", 36 + 4, 1);
	CHECK_EQ(le32(r + 36), tables.fadt);
}

/* §5.2.9: FADT "FACP", revision 6, 276 bytes, checksum 0. */
UNIT_TEST(fadt_is_revision_6_and_276_bytes)
{
	const uint8_t *f = fadt();

	check_table(f, "FACP", 276, 6);
	CHECK_EQ(f[131], 5);	/* FADT minor version */
}

/* Table 5.9: DSDT (32-bit) and X_DSDT (64-bit) name the same DSDT. */
UNIT_TEST(fadt_dsdt_and_x_dsdt_agree)
{
	const uint8_t *f = fadt();

	CHECK_EQ(le32(f + 40), tables.dsdt);
	CHECK_EQ(le64(f + 140), tables.dsdt);
}

/* Table 5.10: a full ACPI PC.  On x86 Linux, HW_REDUCED_ACPI would drop
 * the 8259 and the PIT, which is all this PC has. */
UNIT_TEST(fadt_is_not_hardware_reduced)
{
	const uint8_t *f = fadt();

	CHECK_EQ(le32(f + 112) & (1u << 20), 0);
}

/* Table 5.10: RESET_REG_SUP, no fixed buttons, no RTC wake status, C1 by HLT. */
UNIT_TEST(fadt_flags)
{
	const uint8_t *f = fadt();

	CHECK_EQ(le32(f + 112), (1u << 0) | (1u << 2) | (1u << 4) | (1u << 5) | (1u << 6) |
					(1u << 10));
}

/* Table 5.9: RESET_REG is SystemIO 0xCF9, 8 bits, RESET_VALUE 6. */
UNIT_TEST(fadt_reset_register_is_cf9)
{
	const uint8_t *f = fadt();

	CHECK_EQ(f[116], 1);		/* SystemIO */
	CHECK_EQ(f[117], 8);		/* bit width */
	CHECK_EQ(f[118], 0);		/* bit offset */
	CHECK_EQ(f[119], 1);		/* byte access */
	CHECK_EQ(le64(f + 120), 0xcf9);
	CHECK_EQ(f[128], 0x06);
}

/* No reset port: no RESET_REG_SUP and an empty RESET_REG. */
UNIT_TEST(fadt_without_reset_port_has_no_reset_register)
{
	struct acpi_config c = config;
	const uint8_t *f;

	c.reset_port = 0;
	CHECK_EQ(acpi_build_tables(&c, region, sizeof(region), REGION_BASE, &tables), 0);
	f = at(tables.fadt);
	CHECK_EQ(le32(f + 112) & (1u << 10), 0);
	CHECK_EQ(le64(f + 120), 0);
	CHECK_EQ(f[116], 0);
	CHECK_EQ(acpi_checksum(f, 276), 0);
}

/* Table 5.11: legacy devices and an 8042; CMOS RTC present; no VGA. */
UNIT_TEST(fadt_iapc_boot_arch)
{
	const uint8_t *f = fadt();
	uint16_t arch = le16(f + 109);

	CHECK_EQ(arch & 1, 1);			/* LEGACY_DEVICES */
	CHECK_EQ(arch & 2, 2);			/* 8042 */
	CHECK_EQ(arch & 4, 4);			/* VGA Not Present */
	CHECK_EQ(arch & (1u << 5), 0);		/* CMOS RTC Not Present: clear */
}

UNIT_TEST(fadt_with_vga_clears_vga_not_present)
{
	struct acpi_config c = config;

	c.vga = true;
	CHECK_EQ(acpi_build_tables(&c, region, sizeof(region), REGION_BASE, &tables), 0);
	CHECK_EQ(le16(at(tables.fadt) + 109) & 4, 0);
}

/* Table 5.9: SCI_INT 9, SMI_CMD 0 (no mode switch: always ACPI mode). */
UNIT_TEST(fadt_sci_and_no_smi_command)
{
	const uint8_t *f = fadt();

	CHECK_EQ(le16(f + 46), 9);
	CHECK_EQ(le32(f + 48), 0);
	CHECK_EQ(f[52], 0);	/* ACPI_ENABLE */
	CHECK_EQ(f[53], 0);	/* ACPI_DISABLE */
}

/* Table 5.9: PM1a_EVT_BLK 4 bytes at 0x600, PM1a_CNT_BLK 2 bytes at 0x604,
 * in both the 32-bit fields and the X_ GAS (ACPICA warns if they differ). */
UNIT_TEST(fadt_pm1a_blocks)
{
	const uint8_t *f = fadt();

	CHECK_EQ(le32(f + 56), 0x600);
	CHECK_EQ(le32(f + 64), 0x604);
	CHECK_EQ(f[88], 4);
	CHECK_EQ(f[89], 2);
	/* X_PM1a_EVT_BLK */
	CHECK_EQ(f[148], 1);
	CHECK_EQ(f[149], 32);
	CHECK_EQ(f[150], 0);
	CHECK_EQ(f[151], 2);
	CHECK_EQ(le64(f + 152), 0x600);
	/* X_PM1a_CNT_BLK */
	CHECK_EQ(f[172], 1);
	CHECK_EQ(f[173], 16);
	CHECK_EQ(f[174], 0);
	CHECK_EQ(f[175], 2);
	CHECK_EQ(le64(f + 176), 0x604);
}

/* Table 5.9: no PM1b, PM2, PM timer or GPE blocks, in either form. */
UNIT_TEST(fadt_has_no_other_register_blocks)
{
	const uint8_t *f = fadt();

	CHECK_EQ(le32(f + 60), 0);	/* PM1b_EVT_BLK */
	CHECK_EQ(le32(f + 68), 0);	/* PM1b_CNT_BLK */
	CHECK_EQ(le32(f + 72), 0);	/* PM2_CNT_BLK */
	CHECK_EQ(le32(f + 76), 0);	/* PM_TMR_BLK */
	CHECK_EQ(le32(f + 80), 0);	/* GPE0_BLK */
	CHECK_EQ(le32(f + 84), 0);	/* GPE1_BLK */
	for (unsigned off = 90; off <= 93; off++)
		CHECK_EQ(f[off], 0);	/* PM2_CNT_LEN .. GPE1_BLK_LEN */
	for (unsigned off = 160; off < 172; off++)
		CHECK_EQ(f[off], 0);	/* X_PM1b_EVT_BLK */
	for (unsigned off = 184; off < 244; off++)
		CHECK_EQ(f[off], 0);	/* X_PM1b_CNT_BLK .. X_GPE1_BLK */
}

/* Table 5.9: the hardware-reduced sleep registers stay empty. */
UNIT_TEST(fadt_sleep_control_and_status_registers_are_empty)
{
	const uint8_t *f = fadt();

	for (unsigned off = 244; off < 268; off++)
		CHECK_EQ(f[off], 0);
}

/* §5.2.10: the FACS is 64-byte aligned, "FACS", 64 bytes, found through
 * X_FIRMWARE_CTRL only (FIRMWARE_CTRL 0: the spec wants just one). */
UNIT_TEST(fadt_points_to_an_aligned_facs)
{
	const uint8_t *f = fadt();
	const uint8_t *facs;

	CHECK_EQ(le32(f + 36), 0);
	CHECK_EQ(le64(f + 132), tables.facs);
	CHECK_EQ(tables.facs % 64, 0);
	facs = at(tables.facs);
	CHECK(facs != NULL);
	CHECK(memcmp(facs, "FACS", 4) == 0);
	CHECK_EQ(le32(facs + 4), 64);
	CHECK_EQ(facs[32], 2);		/* version */
	CHECK_EQ(le32(facs + 16), 0);	/* global lock free */
}

/* §5.2.11.1: DSDT revision 2, checksum 0. */
UNIT_TEST(dsdt_header)
{
	check_table(dsdt(), "DSDT", 36 + 13, 2);
}

/* §7.4.2 (\_Sx) and §20.2 (AML): Name (_S5, Package () { 5, 0, 0, 0 }) in AML. */
UNIT_TEST(dsdt_contains_s5_package)
{
	static const uint8_t s5[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00,
	};
	const uint8_t *d = dsdt();

	CHECK(memcmp(d + 36, s5, sizeof(s5)) == 0);
}

/* The S5 SLP_TYP comes from the config (a BytePrefix keeps the length). */
UNIT_TEST(dsdt_s5_type_follows_config)
{
	struct acpi_config c = config;
	const uint8_t *d;

	c.s5_slp_typ = 0;
	CHECK_EQ(acpi_build_tables(&c, region, sizeof(region), REGION_BASE, &tables), 0);
	d = at(tables.dsdt);
	CHECK_EQ(d[36 + 8], 0x0a);
	CHECK_EQ(d[36 + 9], 0);
	CHECK_EQ(acpi_checksum(d, le32(d + 4)), 0);
}

/* Every table lies inside the space the builder says it used. */
UNIT_TEST(tables_lie_within_reported_size)
{
	uint64_t end;

	build();
	end = REGION_BASE + tables.size;
	CHECK(tables.size > 0 && tables.size < 1024);
	CHECK(tables.rsdp + ACPI_RSDP_LEN <= end);
	CHECK(tables.facs + ACPI_FACS_LEN <= end);
	CHECK(tables.rsdt + 40 <= end);
	CHECK(tables.xsdt + 44 <= end);
	CHECK(tables.fadt + 276 <= end);
	CHECK(tables.dsdt + 49 <= end);
	/* the bytes after it are the caller's */
	CHECK_EQ(region[tables.size], 0xa5);
}

/* Tables do not overlap. */
UNIT_TEST(tables_do_not_overlap)
{
	struct {
		uint64_t at, len;
	} t[6];

	build();
	t[0].at = tables.rsdp, t[0].len = ACPI_RSDP_LEN;
	t[1].at = tables.facs, t[1].len = ACPI_FACS_LEN;
	t[2].at = tables.rsdt, t[2].len = 40;
	t[3].at = tables.xsdt, t[3].len = 44;
	t[4].at = tables.fadt, t[4].len = 276;
	t[5].at = tables.dsdt, t[5].len = 49;
	for (unsigned i = 0; i < 6; i++)
		for (unsigned j = i + 1; j < 6; j++)
			CHECK(t[i].at + t[i].len <= t[j].at || t[j].at + t[j].len <= t[i].at);
}

/* A base off a 16-byte boundary: the RSDP moves up to the next one. */
UNIT_TEST(unaligned_base_moves_rsdp_to_next_boundary)
{
	static uint8_t buf[1024];
	struct acpi_tables t;

	CHECK_EQ(acpi_build_tables(&config, buf, sizeof(buf), 0xf0004, &t), 0);
	CHECK_EQ(t.rsdp, 0xf0010);
	CHECK_EQ(t.facs % 64, 0);
	CHECK_EQ(acpi_checksum(buf + (t.rsdp - 0xf0004), ACPI_RSDP_LEN), 0);
}

/* Too small a buffer: -ENOSPC, and not a byte written. */
UNIT_TEST(refuses_a_buffer_too_small)
{
	static uint8_t buf[1024];
	struct acpi_tables t;
	size_t need;

	CHECK_EQ(acpi_build_tables(&config, buf, sizeof(buf), REGION_BASE, &t), 0);
	need = t.size;
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(acpi_build_tables(&config, buf, need - 1, REGION_BASE, &t), -ENOSPC);
	CHECK_EQ(acpi_build_tables(&config, buf, 0, REGION_BASE, &t), -ENOSPC);
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_EQ(buf[i], 0xa5);
	CHECK_EQ(acpi_build_tables(&config, buf, need, REGION_BASE, &t), 0);
}

UNIT_TEST(refuses_bad_config)
{
	static uint8_t buf[1024];
	struct acpi_tables t;
	struct acpi_config c;

	c = config, c.pm1a_evt_port = 0;
	CHECK_EQ(acpi_build_tables(&c, buf, sizeof(buf), REGION_BASE, &t), -EINVAL);
	c = config, c.pm1a_cnt_port = 0xffff;	/* 2 ports would wrap */
	CHECK_EQ(acpi_build_tables(&c, buf, sizeof(buf), REGION_BASE, &t), -EINVAL);
	c = config, c.sci_irq = 16;
	CHECK_EQ(acpi_build_tables(&c, buf, sizeof(buf), REGION_BASE, &t), -EINVAL);
	c = config, c.s5_slp_typ = 8;
	CHECK_EQ(acpi_build_tables(&c, buf, sizeof(buf), REGION_BASE, &t), -EINVAL);
}

/* RSDT and FADT.DSDT are 32-bit: tables above 4 GiB are refused. */
UNIT_TEST(refuses_tables_above_4g)
{
	static uint8_t buf[1024];
	struct acpi_tables t;

	CHECK_EQ(acpi_build_tables(&config, buf, sizeof(buf), 0x100000000ull, &t), -EINVAL);
	CHECK_EQ(acpi_build_tables(&config, buf, sizeof(buf), 0xffffff00ull, &t), -EINVAL);
}

static int dump(const char *dir)
{
	static const struct {
		const char *name;
		const uint64_t *gpa;
	} files[] = {
		{ "rsdp.dat", &tables.rsdp }, { "rsdt.dat", &tables.rsdt },
		{ "xsdt.dat", &tables.xsdt }, { "facp.dat", &tables.fadt },
		{ "facs.dat", &tables.facs }, { "dsdt.dat", &tables.dsdt },
	};

	if (acpi_build_tables(&config, region, sizeof(region), REGION_BASE, &tables) != 0)
		return 1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const uint8_t *t = at(*files[i].gpa);
		size_t len = *files[i].gpa == tables.rsdp ? ACPI_RSDP_LEN : le32(t + 4);
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		f = fopen(path, "wb");
		if (f == NULL || fwrite(t, 1, len, f) != len || fclose(f) != 0) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return dump(argv[1]);
	return unit_run_all();
}
