/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_POWER_H
#define CKERNEL_POWER_H

/*
 * Ways to stop the machine.
 *   power_off   ACPI sleep state S5: SLP_TYP 0 with SLP_EN written to the
 *               PM1a control register, at port 0x604 on QEMU's PC and
 *               minivmm (a real kernel finds the port in the FADT and
 *               SLP_TYP in the DSDT's \_S5 object; ACPI spec 4.8.3.2.1).
 *   debug_exit  write V to QEMU's isa-debug-exit port 0xf4: the VMM exits
 *               with status (V << 1) | 1.  Test machines only.
 * Where neither exists (QEMU's isapc has no ACPI), they print so and
 * halt with interrupts off.
 */

#include <stdint.h>

__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void debug_exit(uint8_t value);

/* After an unexpected exception: debug-exit 1 (status 3), or halt. */
__attribute__((noreturn)) void power_fail(void);

#endif
