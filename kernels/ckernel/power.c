// SPDX-License-Identifier: MIT
/* Stopping the machine (power.h). */
#include "power.h"

#include "console.h"
#include "io.h"

#define ACPI_PM1A_CNT 0x604		/* QEMU's (and minivmm's) PM1a control block */
#define ACPI_PM1_SLP_EN (1u << 13)	/* start the sleep in SLP_TYP (bits 10-12): 0 = S5 */
#define DEBUG_EXIT_PORT 0xf4

static __attribute__((noreturn)) void halt_forever(const char *why)
{
	kprintf("%s; halting\n", why);
	for (;;) {
		irq_disable();
		__asm__ volatile("hlt");
	}
}

void power_off(void)
{
	outw(ACPI_PM1A_CNT, ACPI_PM1_SLP_EN);
	halt_forever("ACPI power-off did nothing (no PM1a control block at 0x604)");
}

void debug_exit(uint8_t value)
{
	outb(DEBUG_EXIT_PORT, value);
	halt_forever("debug-exit did nothing (no isa-debug-exit at 0xf4)");
}

void power_fail(void)
{
	debug_exit(1);
}
