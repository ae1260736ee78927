// SPDX-License-Identifier: MIT
/*
 * The shutdown ports of other emulators (devices/shutdown_ports.h): the
 * words hobby kernels write (OSDev wiki, "Shutdown") against the PM1_CNT
 * model (devices/acpi_sleep.h) set up as each machine has it.  One rule
 * each.
 */
#include <stdint.h>

#include "acpi_sleep.h"
#include "shutdown_ports.h"
#include "unit.h"

static unsigned poweroffs;

static void count_poweroff(void *opaque)
{
	CHECK(opaque == &poweroffs);
	poweroffs++;
}

static struct acpi_sleep machine_with_s5(uint8_t s5_typ)
{
	struct acpi_sleep s;

	poweroffs = 0;
	acpi_sleep_init(&s, s5_typ, count_poweroff, &poweroffs);
	return s;
}

/* A guest's outw to the byte-wide register: two byte writes, low first. */
static void outw(struct acpi_sleep *s, uint16_t v)
{
	acpi_sleep_cnt_write(s, 0, (uint8_t)v);
	acpi_sleep_cnt_write(s, 1, (uint8_t)(v >> 8));
}

static uint16_t inw(const struct acpi_sleep *s)
{
	return (uint16_t)(acpi_sleep_cnt_read(s, 0) | acpi_sleep_cnt_read(s, 1) << 8);
}

/* The ports are each machine's PM base + 4 (PM1a_CNT). */
UNIT_TEST(ports_are_pm_base_plus_4)
{
	CHECK_EQ(SHUTDOWN_BOCHS_PM1_CNT_PORT, 0xb000 + 4);
	CHECK_EQ(SHUTDOWN_VBOX_PM1_CNT_PORT, 0x4000 + 4);
	CHECK_EQ(ACPI_SLEEP_PM1_CNT_PORT, 0x600 + 4);	/* QEMU's, ours */
}

/* Bochs and old QEMU: `outw 0xb004, 0x2000` is SLP_EN with SLP_TYP 0, S5. */
UNIT_TEST(bochs_0x2000_powers_off)
{
	struct acpi_sleep s = machine_with_s5(SHUTDOWN_BOCHS_S5_TYP);

	outw(&s, 0x2000);
	CHECK_EQ(poweroffs, 1);
	CHECK_EQ(s.stats.poweroffs, 1);
}

/* VirtualBox: `outw 0x4004, 0x3400` is SLP_EN with SLP_TYP 5, its S5. */
UNIT_TEST(virtualbox_0x3400_powers_off)
{
	struct acpi_sleep s = machine_with_s5(SHUTDOWN_VBOX_S5_TYP);

	CHECK_EQ(ACPI_PM1_CNT_SLP_EN | SHUTDOWN_VBOX_S5_TYP << ACPI_PM1_CNT_SLP_TYP_SHIFT, 0x3400);
	outw(&s, 0x3400);
	CHECK_EQ(poweroffs, 1);
}

/* Each port answers only its own machine's S5 type: the other machine's
 * word is a sleep request for a state we do not have, counted, ignored. */
UNIT_TEST(the_other_machines_word_is_ignored)
{
	struct acpi_sleep bochs = machine_with_s5(SHUTDOWN_BOCHS_S5_TYP);
	struct acpi_sleep vbox;

	outw(&bochs, 0x3400);
	CHECK_EQ(poweroffs, 0);
	CHECK_EQ(bochs.stats.ignored[5], 1);
	vbox = machine_with_s5(SHUTDOWN_VBOX_S5_TYP);
	outw(&vbox, 0x2000);
	CHECK_EQ(poweroffs, 0);
	CHECK_EQ(vbox.stats.ignored[0], 1);
}

/* SLP_EN carries the request (ACPI; QEMU, Bochs): SLP_TYP 5 alone, without
 * it, only stores the type, where VirtualBox itself would power off. */
UNIT_TEST(slp_typ_without_slp_en_does_nothing)
{
	struct acpi_sleep s = machine_with_s5(SHUTDOWN_VBOX_S5_TYP);

	outw(&s, 0x1400);
	CHECK_EQ(poweroffs, 0);
	CHECK_EQ(inw(&s), 0x1400 | ACPI_PM1_CNT_SCI_EN);
}

/* The high byte alone decides: `outb 0xb005, 0x20` powers off too. */
UNIT_TEST(a_byte_write_to_the_high_byte_powers_off)
{
	struct acpi_sleep s = machine_with_s5(SHUTDOWN_BOCHS_S5_TYP);

	acpi_sleep_cnt_write(&s, 1, 0x20);
	CHECK_EQ(poweroffs, 1);
}

/* A read shows SCI_EN (always in ACPI mode) and never SLP_EN, which is
 * write-only. */
UNIT_TEST(reads_show_sci_en_not_slp_en)
{
	struct acpi_sleep s = machine_with_s5(SHUTDOWN_VBOX_S5_TYP);

	CHECK_EQ(inw(&s), ACPI_PM1_CNT_SCI_EN);
	outw(&s, 0x3400);
	CHECK_EQ(inw(&s) & ACPI_PM1_CNT_SLP_EN, 0);
	CHECK_EQ(inw(&s), 0x1400 | ACPI_PM1_CNT_SCI_EN);
}

int main(void)
{
	return unit_run_all();
}
