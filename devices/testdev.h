/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_TESTDEV_H
#define MINIVMM_DEVICES_TESTDEV_H

/*
 * The test device: a way for a guest to make interrupts happen on demand.
 *
 * Real devices raise their IRQ lines when *they* decide to; an experiment
 * on the interrupt controller wants to decide itself: raise IRQ 3 and IRQ 5
 * together, hold a level-triggered line high across an EOI, nest a higher
 * priority inside a handler.  This device gives the guest one port per
 * line to do exactly that, plus a scratch MMIO window so kernels can watch
 * KVM_EXIT_MMIO go through the same bus as port I/O.
 *
 * Its layout is QEMU's pc-testdev where the two overlap, so kvm-unit-tests
 * style kernels work unchanged:
 *
 *   port 0x2000 + n   (n = 0..23)  write V: IRQ line n to level (V != 0);
 *                                  read: the level last written (QEMU reads 0)
 *   ports 0xe0-0xe3                a 32-bit scratch register, any access size
 *   ports 0xe8-0xeb                the same register, byte-wise
 *   MMIO 0xff000000 + 64 KiB       scratch memory, any access size
 *
 * Lines 16-23 exist in QEMU for the I/O APIC; this PC has none, so writes
 * to them are remembered but drive nothing.  QEMU's flush port (0xe4) is
 * not provided: it manipulates guest page tables, nothing to do with I/O.
 */

#include <stdint.h>

#include "irq.h"

#define TESTDEV_IRQ_PORT 0x2000
#define TESTDEV_NR_IRQ_PORTS 24	/* as QEMU: ISA IRQs 0-15 plus I/O APIC pins 16-23 */
#define TESTDEV_NR_LINES 16	/* the ones wired to the PIC pair here */
#define TESTDEV_DATA_PORT 0xe0
#define TESTDEV_DATA_BYTE_PORT 0xe8
#define TESTDEV_DATA_LEN 4
#define TESTDEV_MMIO_BASE 0xff000000u
#define TESTDEV_MMIO_LEN 0x10000u

struct testdev {
	struct irq_line lines[TESTDEV_NR_LINES];
	uint8_t levels[TESTDEV_NR_IRQ_PORTS];
	uint32_t data;
	uint8_t mmio[TESTDEV_MMIO_LEN];
};

/* Lines start low; `lines` gives where each of IRQ 0-15 goes. */
void testdev_init(struct testdev *t, const struct irq_line lines[TESTDEV_NR_LINES]);

/* The IRQ ports: `n` is the offset from TESTDEV_IRQ_PORT. */
uint8_t testdev_irq_read(const struct testdev *t, unsigned n);
void testdev_irq_write(struct testdev *t, unsigned n, uint8_t value);

/* The scratch register, `offset` 0-3 into it, `size` 1, 2 or 4 bytes;
 * bytes beyond the register are dropped (writes) or read as 0xff. */
uint32_t testdev_data_read(const struct testdev *t, unsigned offset, unsigned size);
void testdev_data_write(struct testdev *t, unsigned offset, uint32_t value, unsigned size);

/* The MMIO window, `offset` from its base, `size` 1-8 bytes; bytes beyond
 * the window float (0xff) on reads and vanish on writes. */
uint64_t testdev_mmio_read(const struct testdev *t, uint64_t offset, unsigned size);
void testdev_mmio_write(struct testdev *t, uint64_t offset, uint64_t value, unsigned size);

#endif
