// SPDX-License-Identifier: MIT
/*
 * Glue for the ACPI PM1 registers (devices/acpi_sleep.h): PM1_STS/PM1_EN
 * at 0x600-0x603 and PM1_CNT at 0x604-0x605, the blocks the FADT built by
 * vmm/boot/acpi.c points at.  Writing SLP_EN with the S5 type powers the
 * machine off: minivmm exits with status 0.
 */
#include <inttypes.h>

#include "acpi_sleep.h"
#include "board.h"
#include "machine.h"

static void acpi_sleep_poweroff(void *opaque)
{
	machine_request_poweroff(opaque, "ACPI S5");
}

static uint64_t acpi_sleep_evt_io_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)size;
	return acpi_sleep_evt_read(opaque, (unsigned)offset);
}

static void acpi_sleep_evt_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	(void)size;
	acpi_sleep_evt_write(opaque, (unsigned)offset, (uint8_t)value);
}

static uint64_t acpi_sleep_cnt_io_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)size;
	return acpi_sleep_cnt_read(opaque, (unsigned)offset);
}

static void acpi_sleep_cnt_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	(void)size;
	acpi_sleep_cnt_write(opaque, (unsigned)offset, (uint8_t)value);
}

/* The model works a byte at a time; the bus splits the guest's outw/inw. */
static const struct bus_ops acpi_sleep_evt_ops = {
	.read = acpi_sleep_evt_io_read, .write = acpi_sleep_evt_io_write, .max_access_size = 1,
};
static const struct bus_ops acpi_sleep_cnt_ops = {
	.read = acpi_sleep_cnt_io_read, .write = acpi_sleep_cnt_io_write, .max_access_size = 1,
};

static int acpi_sleep_setup(struct machine *m, void *state, struct error *err)
{
	struct acpi_sleep *s = state;
	int ret;

	acpi_sleep_init(s, ACPI_SLEEP_S5_TYP, acpi_sleep_poweroff, m);
	ret = board_claim(m, BUS_PIO, ACPI_SLEEP_PM1_EVT_PORT, ACPI_SLEEP_PM1_EVT_LEN,
			  "acpi-pm1-evt", &acpi_sleep_evt_ops, s, err);
	if (ret == 0)
		ret = board_claim(m, BUS_PIO, ACPI_SLEEP_PM1_CNT_PORT, ACPI_SLEEP_PM1_CNT_LEN,
				  "acpi-pm1-cnt", &acpi_sleep_cnt_ops, s, err);
	return ret;
}

static void acpi_sleep_board_reset(struct machine *m, void *state)
{
	(void)m;
	acpi_sleep_reset(state);
}

static void acpi_sleep_print_stats(void *state, FILE *out)
{
	const struct acpi_sleep *s = state;
	uint64_t ignored = 0;

	for (unsigned i = 0; i < ACPI_SLEEP_NR_TYPES; i++)
		ignored += s->stats.ignored[i];
	fprintf(out, "minivmm: stats: acpi: %" PRIu64 " S5 (power-off) requests, %" PRIu64
		" other sleep requests ignored", s->stats.poweroffs, ignored);
	for (unsigned i = 0; i < ACPI_SLEEP_NR_TYPES; i++)
		if (s->stats.ignored[i] != 0)
			fprintf(out, " (SLP_TYP %u: %" PRIu64 ")", i, s->stats.ignored[i]);
	fputc('\n', out);
}

const struct board_device board_acpi_sleep = {
	.name = "acpi-sleep",
	.state_size = sizeof(struct acpi_sleep),
	.setup = acpi_sleep_setup,
	.reset = acpi_sleep_board_reset,
	.print_stats = acpi_sleep_print_stats,
};
