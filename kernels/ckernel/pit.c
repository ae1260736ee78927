// SPDX-License-Identifier: MIT
/* Counter 0 of the 8254 at 100 Hz (pit.h). */
#include "pit.h"

#include "idt.h"
#include "io.h"
#include "pic.h"

#define PIT_COUNTER0 0x40
#define PIT_CONTROL 0x43
#define PIT_INPUT_HZ 1193182
#define PIT_IRQ 0

/* Control word: counter 0 (bits 7-6 = 00), access low byte then high
 * byte (bits 5-4 = 11), mode 2 (bits 3-1 = 010), binary (bit 0 = 0). */
#define PIT_CW_COUNTER0_LOHI_MODE2 0x34

/* volatile: the main loop reads it while interrupts change it. */
static volatile uint32_t ticks;

static void pit_tick(void)
{
	ticks++;
}

void pit_init(void)
{
	/* 11932 clocks: 99.998 Hz.  Rounded to nearest, as Linux's LATCH. */
	const uint32_t divisor = (PIT_INPUT_HZ + PIT_HZ / 2) / PIT_HZ;

	idt_set_irq_handler(PIT_IRQ, pit_tick);
	outb(PIT_CONTROL, PIT_CW_COUNTER0_LOHI_MODE2);
	outb(PIT_COUNTER0, (uint8_t)divisor);
	outb(PIT_COUNTER0, (uint8_t)(divisor >> 8));
	pic_unmask(PIT_IRQ);
}

uint32_t pit_ticks(void)
{
	return ticks;
}
