// SPDX-License-Identifier: MIT
/* The 8259A pair (pic.h). */
#include "pic.h"

#include "io.h"

#define PIC_MASTER_CMD 0x20
#define PIC_MASTER_DATA 0x21
#define PIC_SLAVE_CMD 0xa0
#define PIC_SLAVE_DATA 0xa1

#define ICW1_INIT 0x10		/* this is ICW1 */
#define ICW1_ICW4 0x01		/* an ICW4 follows */
#define ICW3_MASTER_SLAVE_ON_IR2 0x04	/* master: bit mask of its slave inputs */
#define ICW3_SLAVE_ID 2			/* slave: the master input it is on */
#define ICW4_8086 0x01		/* 8086 mode (not 8080) */
#define OCW2_EOI 0x20		/* non-specific End Of Interrupt */
#define OCW3_READ_ISR 0x0b	/* the next read of the command port gives ISR */
#define CASCADE_IRQ 2

void pic_init(void)
{
	outb(PIC_MASTER_CMD, ICW1_INIT | ICW1_ICW4);
	outb(PIC_SLAVE_CMD, ICW1_INIT | ICW1_ICW4);
	outb(PIC_MASTER_DATA, PIC_MASTER_VECTOR);	/* ICW2: vector base */
	outb(PIC_SLAVE_DATA, PIC_SLAVE_VECTOR);
	outb(PIC_MASTER_DATA, ICW3_MASTER_SLAVE_ON_IR2);
	outb(PIC_SLAVE_DATA, ICW3_SLAVE_ID);
	outb(PIC_MASTER_DATA, ICW4_8086);
	outb(PIC_SLAVE_DATA, ICW4_8086);
	/* OCW1: the masks.  Only the cascade is open: nothing else speaks
	 * until a driver with a handler unmasks its line. */
	outb(PIC_MASTER_DATA, (uint8_t)~(1u << CASCADE_IRQ));
	outb(PIC_SLAVE_DATA, 0xff);
}

void pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC_MASTER_DATA : PIC_SLAVE_DATA;

	outb(port, inb(port) & (uint8_t)~(1u << (irq & 7)));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC_SLAVE_CMD, OCW2_EOI);
	outb(PIC_MASTER_CMD, OCW2_EOI);
}

bool pic_in_service(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC_MASTER_CMD : PIC_SLAVE_CMD;

	outb(port, OCW3_READ_ISR);
	return inb(port) & (1u << (irq & 7));
}
