// SPDX-License-Identifier: MIT
#include "acpi_sleep.h"

#include <stddef.h>

void acpi_sleep_init(struct acpi_sleep *s, uint8_t s5_typ, void (*poweroff)(void *opaque),
		     void *opaque)
{
	*s = (struct acpi_sleep){
		.poweroff = poweroff,
		.opaque = opaque,
		.s5_typ = s5_typ & (ACPI_SLEEP_NR_TYPES - 1),
	};
}

void acpi_sleep_reset(struct acpi_sleep *s)
{
	s->pm1_sts = 0;
	s->pm1_en = 0;
	s->pm1_cnt = 0;
}

static uint8_t byte_of(uint16_t reg, unsigned byte)
{
	return (uint8_t)(reg >> (8 * byte));
}

/* `reg` with byte `byte` replaced by `value`. */
static uint16_t with_byte(uint16_t reg, unsigned byte, uint8_t value)
{
	unsigned shift = 8 * byte;

	return (uint16_t)((reg & ~(0xffu << shift)) | ((unsigned)value << shift));
}

uint8_t acpi_sleep_evt_read(const struct acpi_sleep *s, unsigned offset)
{
	if (offset < ACPI_PM1_EN)
		return byte_of(s->pm1_sts, offset);
	if (offset < ACPI_SLEEP_PM1_EVT_LEN)
		return byte_of(s->pm1_en, offset - ACPI_PM1_EN);
	return 0xff;
}

void acpi_sleep_evt_write(struct acpi_sleep *s, unsigned offset, uint8_t value)
{
	if (offset < ACPI_PM1_EN) {
		/* Status bits are cleared by writing 1, and a 0 leaves them. */
		s->pm1_sts &= (uint16_t)~((unsigned)value << (8 * offset));
	} else if (offset < ACPI_SLEEP_PM1_EVT_LEN) {
		s->pm1_en = with_byte(s->pm1_en, offset - ACPI_PM1_EN, value) & ACPI_PM1_EN_MASK;
	}
}

uint8_t acpi_sleep_cnt_read(const struct acpi_sleep *s, unsigned offset)
{
	/* SLP_EN and GBL_RLS are write-only (read 0); SCI_EN is always 1
	 * because SMI_CMD is 0: there is no legacy mode to go back to. */
	uint16_t cnt = (s->pm1_cnt & (ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP)) |
		       ACPI_PM1_CNT_SCI_EN;

	if (offset < ACPI_SLEEP_PM1_CNT_LEN)
		return byte_of(cnt, offset);
	return 0xff;
}

static void acpi_sleep_enter(struct acpi_sleep *s, unsigned typ)
{
	if (typ == s->s5_typ) {
		s->stats.poweroffs++;
		if (s->poweroff != NULL)
			s->poweroff(s->opaque);
		return;
	}
	/* A state this machine does not have: wake at once, so the guest's
	 * wait for WAK_STS ends (ACPICA polls it after writing SLP_EN). */
	s->stats.ignored[typ]++;
	s->pm1_sts |= ACPI_PM1_STS_WAK;
}

void acpi_sleep_cnt_write(struct acpi_sleep *s, unsigned offset, uint8_t value)
{
	uint16_t cnt;

	if (offset >= ACPI_SLEEP_PM1_CNT_LEN)
		return;
	cnt = with_byte(s->pm1_cnt, offset, value);
	s->pm1_cnt = cnt & (ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP);
	/* SLP_EN is in the high byte with SLP_TYP: only a write to that byte
	 * can set it, and it carries the type to enter. */
	if (offset == 1 && (cnt & ACPI_PM1_CNT_SLP_EN))
		acpi_sleep_enter(s, (cnt & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_TYP_SHIFT);
}
