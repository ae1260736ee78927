/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_PIT_H
#define CKERNEL_PIT_H

/*
 * The Intel 8254 timer's counter 0, whose output is IRQ0: a rate
 * generator dividing the 1.193182 MHz input clock, so one interrupt every
 * `divisor` input clocks (8254 data sheet, "Mode 2: Rate Generator").
 */

#include <stdint.h>

#define PIT_HZ 100

/* Counter 0 at PIT_HZ, counting ticks on IRQ0 (unmasked here). */
void pit_init(void);

/* Ticks since pit_init(): written by the IRQ0 handler only. */
uint32_t pit_ticks(void);

#endif
