/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_PIC_H
#define CKERNEL_PIC_H

/*
 * The two Intel 8259A interrupt controllers.  The master takes IRQ0-7,
 * the slave IRQ8-15 and reaches the CPU through the master's IR2.  Out
 * of reset (or a BIOS) IRQ0-7 arrive at vectors 8-15, on top of the
 * CPU's exceptions, so every protected-mode kernel moves them
 * ("remaps the PIC") with the ICW1-ICW4 sequence (8259A data sheet,
 * "Initialization Command Words").
 */

#include <stdbool.h>
#include <stdint.h>

#define PIC_MASTER_VECTOR 0x20	/* IRQ0-7  -> vectors 0x20-0x27 */
#define PIC_SLAVE_VECTOR 0x28	/* IRQ8-15 -> vectors 0x28-0x2f */

/* ICW1-ICW4 on both chips; every IRQ masked but IRQ2 (the cascade). */
void pic_init(void);

void pic_unmask(unsigned irq);

/* End Of Interrupt for `irq` (to the slave too for IRQ8-15). */
void pic_eoi(unsigned irq);

/* Whether IRQ7 or IRQ15 really is in service, not a spurious request a
 * line dropped before the acknowledge cycle (data sheet: the 8259A then
 * answers with IR7's vector but sets no ISR bit). */
bool pic_in_service(unsigned irq);

#endif
