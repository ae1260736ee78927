// SPDX-License-Identifier: MIT
/*
 * The ACPI PM1 registers (devices/acpi_sleep.h), one rule each, from the
 * ACPI 6.5 "PM1 Event Grouping" and "PM1 Control Grouping" sections and
 * from what Linux 6.1's ACPICA writes on `poweroff`.
 */
#include "acpi_sleep.h"
#include "unit.h"

static unsigned poweroffs;

static void count_poweroff(void *opaque)
{
	CHECK(opaque == &poweroffs);
	poweroffs++;
}

static struct acpi_sleep fresh(void)
{
	struct acpi_sleep s;

	poweroffs = 0;
	acpi_sleep_init(&s, ACPI_SLEEP_S5_TYP, count_poweroff, &poweroffs);
	return s;
}

/* What the bus does with a guest's outw/inw to an 8-bit device: two byte
 * accesses, the low address first. */
static void evt_write16(struct acpi_sleep *s, unsigned offset, uint16_t v)
{
	acpi_sleep_evt_write(s, offset, (uint8_t)v);
	acpi_sleep_evt_write(s, offset + 1, (uint8_t)(v >> 8));
}

static uint16_t evt_read16(const struct acpi_sleep *s, unsigned offset)
{
	return (uint16_t)(acpi_sleep_evt_read(s, offset) | acpi_sleep_evt_read(s, offset + 1) << 8);
}

static void cnt_write16(struct acpi_sleep *s, uint16_t v)
{
	acpi_sleep_cnt_write(s, 0, (uint8_t)v);
	acpi_sleep_cnt_write(s, 1, (uint8_t)(v >> 8));
}

static uint16_t cnt_read16(const struct acpi_sleep *s)
{
	return (uint16_t)(acpi_sleep_cnt_read(s, 0) | acpi_sleep_cnt_read(s, 1) << 8);
}

static uint16_t slp_typ(unsigned typ)
{
	return (uint16_t)(typ << ACPI_PM1_CNT_SLP_TYP_SHIFT);
}

/* SLP_EN with the S5 type: one power-off request. */
UNIT_TEST(s5_with_slp_en_powers_off)
{
	struct acpi_sleep s = fresh();

	cnt_write16(&s, slp_typ(ACPI_SLEEP_S5_TYP) | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(poweroffs, 1);
	CHECK_EQ(s.stats.poweroffs, 1);
}

/* Linux 6.1 acpi_hw_legacy_sleep(S5), access by access: clear WAK_STS,
 * clear all status, read PM1_CNT, write SLP_TYP, then SLP_TYP | SLP_EN.
 * Only the last write powers off. */
UNIT_TEST(linux_poweroff_sequence_powers_off_once_at_slp_en)
{
	struct acpi_sleep s = fresh();
	uint16_t cnt;

	evt_write16(&s, ACPI_PM1_STS, ACPI_PM1_STS_WAK);
	evt_write16(&s, ACPI_PM1_STS, 0x8731);	/* ACPI_BITMASK_ALL_FIXED_STATUS */
	cnt = cnt_read16(&s);
	cnt &= (uint16_t)~(ACPI_PM1_CNT_SLP_TYP | ACPI_PM1_CNT_SLP_EN);
	cnt |= slp_typ(ACPI_SLEEP_S5_TYP);
	cnt_write16(&s, cnt);
	CHECK_EQ(poweroffs, 0);
	cnt_write16(&s, cnt | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(poweroffs, 1);
}

/* SLP_TYP alone (no SLP_EN) is just stored: no transition. */
UNIT_TEST(slp_typ_without_slp_en_does_nothing)
{
	struct acpi_sleep s = fresh();

	cnt_write16(&s, slp_typ(ACPI_SLEEP_S5_TYP));
	CHECK_EQ(poweroffs, 0);
	CHECK_EQ(cnt_read16(&s) & ACPI_PM1_CNT_SLP_TYP, slp_typ(ACPI_SLEEP_S5_TYP));
}

/* SLP_EN with another type (S1-S4 are not offered): no power-off, counted
 * per type. */
UNIT_TEST(slp_en_with_other_type_is_ignored_and_counted)
{
	struct acpi_sleep s = fresh();

	for (unsigned typ = 0; typ < ACPI_SLEEP_NR_TYPES; typ++)
		if (typ != ACPI_SLEEP_S5_TYP)
			cnt_write16(&s, slp_typ(typ) | ACPI_PM1_CNT_SLP_EN);
	cnt_write16(&s, slp_typ(3) | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(poweroffs, 0);
	CHECK_EQ(s.stats.poweroffs, 0);
	CHECK_EQ(s.stats.ignored[3], 2);
	CHECK_EQ(s.stats.ignored[1], 1);
	CHECK_EQ(s.stats.ignored[ACPI_SLEEP_S5_TYP], 0);
}

/* An ignored sleep request wakes at once: WAK_STS is set, so a guest that
 * polls it after SLP_EN (ACPICA does, for S1-S3) goes on. */
UNIT_TEST(ignored_sleep_sets_wak_sts)
{
	struct acpi_sleep s = fresh();

	CHECK_EQ(evt_read16(&s, ACPI_PM1_STS) & ACPI_PM1_STS_WAK, 0);
	cnt_write16(&s, slp_typ(1) | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_STS) & ACPI_PM1_STS_WAK, ACPI_PM1_STS_WAK);
}

/* PM1_STS bits are cleared by writing 1; writing 0 leaves them. */
UNIT_TEST(pm1_sts_is_write_one_to_clear)
{
	struct acpi_sleep s = fresh();

	cnt_write16(&s, slp_typ(1) | ACPI_PM1_CNT_SLP_EN);	/* sets WAK_STS */
	evt_write16(&s, ACPI_PM1_STS, 0);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_STS), ACPI_PM1_STS_WAK);
	evt_write16(&s, ACPI_PM1_STS, (uint16_t)~ACPI_PM1_STS_WAK);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_STS), ACPI_PM1_STS_WAK);
	evt_write16(&s, ACPI_PM1_STS, ACPI_PM1_STS_WAK);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_STS), 0);
}

/* PM1_EN: the defined enable bits read back what was written (Linux
 * checks that GBL_EN and RTC_EN stick); reserved bits read 0. */
UNIT_TEST(pm1_en_bits_stick_reserved_read_zero)
{
	struct acpi_sleep s = fresh();

	evt_write16(&s, ACPI_PM1_EN, ACPI_PM1_EN_GBL | ACPI_PM1_EN_RTC);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_EN), ACPI_PM1_EN_GBL | ACPI_PM1_EN_RTC);
	evt_write16(&s, ACPI_PM1_EN, 0xffff);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_EN), ACPI_PM1_EN_MASK);
	evt_write16(&s, ACPI_PM1_EN, 0);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_EN), 0);
}

/* Nothing sets a status bit by itself: PM1_STS reads 0 from power-on. */
UNIT_TEST(pm1_sts_reads_zero_at_power_on)
{
	struct acpi_sleep s = fresh();

	CHECK_EQ(evt_read16(&s, ACPI_PM1_STS), 0);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_EN), 0);
}

/* SCI_EN reads 1 whatever is written: with SMI_CMD 0 the machine is
 * always in ACPI mode. */
UNIT_TEST(sci_en_always_reads_one)
{
	struct acpi_sleep s = fresh();

	CHECK_EQ(cnt_read16(&s), ACPI_PM1_CNT_SCI_EN);
	cnt_write16(&s, 0);
	CHECK_EQ(cnt_read16(&s) & ACPI_PM1_CNT_SCI_EN, ACPI_PM1_CNT_SCI_EN);
}

/* SLP_EN and GBL_RLS are write-only: they read 0.  BM_RLD and SLP_TYP
 * read back. */
UNIT_TEST(pm1_cnt_write_only_bits_read_zero)
{
	struct acpi_sleep s = fresh();

	cnt_write16(&s, slp_typ(2) | ACPI_PM1_CNT_SLP_EN | ACPI_PM1_CNT_GBL_RLS |
				ACPI_PM1_CNT_BM_RLD);
	CHECK_EQ(cnt_read16(&s),
		 ACPI_PM1_CNT_SCI_EN | ACPI_PM1_CNT_BM_RLD | slp_typ(2));
}

/* A write to PM1_CNT's low byte cannot carry SLP_EN (bit 13). */
UNIT_TEST(low_byte_write_never_sleeps)
{
	struct acpi_sleep s = fresh();

	cnt_write16(&s, slp_typ(ACPI_SLEEP_S5_TYP));
	acpi_sleep_cnt_write(&s, 0, 0xff);
	CHECK_EQ(poweroffs, 0);
}

/* The S5 type is the one the DSDT gives, whatever it is (0 here, as
 * QEMU's ICH9 uses for soft-off). */
UNIT_TEST(s5_type_is_configurable)
{
	struct acpi_sleep s;

	poweroffs = 0;
	acpi_sleep_init(&s, 0, count_poweroff, &poweroffs);
	cnt_write16(&s, slp_typ(5) | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(poweroffs, 0);
	cnt_write16(&s, ACPI_PM1_CNT_SLP_EN);	/* QEMU's outw 0x604, 0x2000 */
	CHECK_EQ(poweroffs, 1);
}

/* No callback: the request is still counted, and nothing crashes. */
UNIT_TEST(s5_without_callback_is_counted)
{
	struct acpi_sleep s;

	acpi_sleep_init(&s, ACPI_SLEEP_S5_TYP, NULL, NULL);
	cnt_write16(&s, slp_typ(ACPI_SLEEP_S5_TYP) | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(s.stats.poweroffs, 1);
}

/* Bytes past the blocks float high and ignore writes. */
UNIT_TEST(offsets_past_the_blocks_float)
{
	struct acpi_sleep s = fresh();

	CHECK_EQ(acpi_sleep_evt_read(&s, ACPI_SLEEP_PM1_EVT_LEN), 0xff);
	CHECK_EQ(acpi_sleep_cnt_read(&s, ACPI_SLEEP_PM1_CNT_LEN), 0xff);
	acpi_sleep_evt_write(&s, ACPI_SLEEP_PM1_EVT_LEN, 0xff);
	acpi_sleep_cnt_write(&s, ACPI_SLEEP_PM1_CNT_LEN, 0xff);
	CHECK_EQ(poweroffs, 0);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_EN), 0);
}

/* Reset: registers back to power-on, counts and callback kept. */
UNIT_TEST(reset_clears_registers_keeps_stats)
{
	struct acpi_sleep s = fresh();

	evt_write16(&s, ACPI_PM1_EN, ACPI_PM1_EN_GBL);
	cnt_write16(&s, slp_typ(1) | ACPI_PM1_CNT_SLP_EN | ACPI_PM1_CNT_BM_RLD);
	acpi_sleep_reset(&s);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_STS), 0);
	CHECK_EQ(evt_read16(&s, ACPI_PM1_EN), 0);
	CHECK_EQ(cnt_read16(&s), ACPI_PM1_CNT_SCI_EN);
	CHECK_EQ(s.stats.ignored[1], 1);
	cnt_write16(&s, slp_typ(ACPI_SLEEP_S5_TYP) | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(poweroffs, 1);
}

int main(void)
{
	return unit_run_all();
}
