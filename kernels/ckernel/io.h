/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_IO_H
#define CKERNEL_IO_H

/*
 * The few instructions C cannot say: port I/O and the interrupt flag.
 * Each is one instruction wrapped in GCC's extended asm, the way the
 * OSDev wiki's "Inline Assembly/Examples" page writes them.  "memory"
 * tells the compiler not to move memory accesses across them: a device
 * may be watching memory (VGA) while we talk to it through ports.
 */

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t val)
{
	__asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t val)
{
	__asm__ volatile("outw %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t val)
{
	__asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t val;

	__asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port) : "memory");
	return val;
}

/* Interrupts on (STI) and off (CLI). */
static inline void irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/*
 * Sleep until the next interrupt.  STI takes effect only after the
 * instruction that follows it (Intel SDM vol. 2, STI), so "sti; hlt"
 * cannot lose an interrupt between checking for work with interrupts
 * off and going to sleep: it wakes the HLT instead.
 */
static inline void irq_enable_and_wait(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

#endif
