/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_IDT_H
#define CKERNEL_IDT_H

/*
 * The Interrupt Descriptor Table: one 32-bit interrupt gate for each of
 * the CPU's exceptions (vectors 0-31) and the 16 PIC lines (0x20-0x2f).
 * Every gate leads to a small stub in isr.asm that saves the registers
 * and calls interrupt_dispatch() below with them.
 */

#include <stdint.h>

/* What isr.asm pushed, lowest address first: the frame's layout is the
 * stub's push order reversed. */
struct int_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;	/* PUSHA */
	uint32_t vector, error_code;	/* the stub's; error_code 0 where the CPU pushes none */
	uint32_t eip, cs, eflags;	/* the CPU's, for IRET */
};

typedef void (*irq_handler)(void);

/* Fill the gates and load the table (LIDT).  Call after gdt_init(). */
void idt_init(void);

/* Call `fn` for PIC line `irq` (0-15); the EOI is sent after it returns. */
void idt_set_irq_handler(unsigned irq, irq_handler fn);

/* Called by isr.asm for every vector. */
void interrupt_dispatch(struct int_frame *f);

#endif
