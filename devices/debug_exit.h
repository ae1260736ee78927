/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_DEBUG_EXIT_H
#define MINIVMM_DEVICES_DEBUG_EXIT_H

/*
 * A debug-exit port compatible with QEMU's isa-debug-exit: a guest writes a
 * value V to it and the VMM exits with status (V << 1) | 1.  Test kernels
 * written for QEMU (kvm-unit-tests among them) thus run unchanged; the
 * shift keeps every guest-chosen status odd, so it cannot be mistaken for
 * the VMM's own (even) error statuses.
 */

#include <stdint.h>

/*
 * 0xf4 with 4 ports is what kvm-unit-tests passes to QEMU
 * (-device isa-debug-exit,iobase=0xf4,iosize=0x4); QEMU's own default
 * iobase is 0x501.  Like QEMU's device, a write to any of the ports exits
 * (it ignores the offset), with outb, outw or outl.
 */
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_LEN 4

struct debug_exit {
	/* Ask the VMM to stop the guest with this process exit status. */
	void (*request_exit)(void *opaque, int status);
	void *opaque;
};

/* The process exit status a guest write of `value` asks for: (V << 1) | 1,
 * reduced to the 8 bits a process status has, as QEMU's exit() does. */
int debug_exit_status(uint32_t value);

/* A guest wrote `value` (already truncated to the access size). */
void debug_exit_write(struct debug_exit *d, uint32_t value);

#endif
