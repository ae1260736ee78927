// SPDX-License-Identifier: MIT
/*
 * Unit tests for the Reset Control Register at 0xcf9, one rule each.
 * References: Intel PIIX3/PIIX4 and ICH9 datasheets (RC / RST_CNT), QEMU's
 * piix and ich9 rcr, Linux's arch/x86/kernel/reboot.c (BOOT_CF9_*).
 */

#include <stdint.h>
#include <string.h>

#include "reset_control.h"
#include "unit.h"

struct bench {
	struct reset_control r;
	unsigned resets;
	const char *how;
};

static void fake_reset(void *opaque, const char *how)
{
	struct bench *b = opaque;

	b->resets++;
	b->how = how;
}

static void bench_init(struct bench *b)
{
	memset(b, 0, sizeof(*b));
	reset_control_init(&b->r, fake_reset, b);
}

/* Datasheet: 0x00 after power-on. */
UNIT_TEST(power_on_value_is_zero)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(reset_control_read(&b.r), 0x00);
}

/* reboot=pci: inb, SYS_RST alone, then SYS_RST|RST_CPU: one hard reset. */
UNIT_TEST(linux_cf9_reboot_sequence_resets_once)
{
	struct bench b;
	uint8_t code = RESET_CONTROL_SYS_RST | RESET_CONTROL_RST_CPU;	/* 0x06, warm */
	uint8_t cf9;

	bench_init(&b);
	cf9 = (uint8_t)(reset_control_read(&b.r) & ~code);
	reset_control_write(&b.r, cf9 | RESET_CONTROL_SYS_RST);
	CHECK_EQ(b.resets, 0);
	CHECK_EQ(reset_control_read(&b.r), RESET_CONTROL_SYS_RST);
	reset_control_write(&b.r, cf9 | code);
	CHECK_EQ(b.resets, 1);
	CHECK(strcmp(b.how, "port 0xcf9 hard reset") == 0);
}

/* Linux's cold reboot code 0x0e adds FULL_RST. */
UNIT_TEST(full_reset_is_named)
{
	struct bench b;

	bench_init(&b);
	reset_control_write(&b.r, 0x0e);
	CHECK_EQ(b.resets, 1);
	CHECK(strcmp(b.how, "port 0xcf9 full reset") == 0);
}

/* RST_CPU without SYS_RST is a soft reset: still a reset here, named so. */
UNIT_TEST(soft_reset_also_resets)
{
	struct bench b;

	bench_init(&b);
	reset_control_write(&b.r, RESET_CONTROL_RST_CPU);
	CHECK_EQ(b.resets, 1);
	CHECK(strcmp(b.how, "port 0xcf9 soft reset") == 0);
}

/* Only the 0 -> 1 transition of RST_CPU resets. */
UNIT_TEST(rst_cpu_held_high_does_not_reset_again)
{
	struct bench b;

	bench_init(&b);
	reset_control_write(&b.r, 0x06);
	reset_control_write(&b.r, 0x06);
	CHECK_EQ(b.resets, 1);
	reset_control_write(&b.r, 0x02);
	reset_control_write(&b.r, 0x06);
	CHECK_EQ(b.resets, 2);
	CHECK_EQ(b.r.reset_requests, 2);
}

/* Bits 1-3 read back; the reserved bits 0 and 4-7 read 0. */
UNIT_TEST(reserved_bits_read_zero)
{
	struct bench b;

	bench_init(&b);
	reset_control_write(&b.r, 0xfb);
	CHECK_EQ(reset_control_read(&b.r), 0x0a);
	CHECK_EQ(b.resets, 0);
}

/* Reset: back to 0x00, the count kept; the next rising edge resets again. */
UNIT_TEST(reset_clears_the_register)
{
	struct bench b;

	bench_init(&b);
	reset_control_write(&b.r, 0x06);
	reset_control_reset(&b.r);
	CHECK_EQ(reset_control_read(&b.r), 0x00);
	reset_control_write(&b.r, 0x06);
	CHECK_EQ(b.resets, 2);
	CHECK_EQ(b.r.reset_requests, 2);
}

int main(void)
{
	return unit_run_all();
}
