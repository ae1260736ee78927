/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_PORT92_H
#define MINIVMM_DEVICES_PORT92_H

/*
 * System Control Port A at 0x92, the "fast A20 and reset" port of IBM's
 * PS/2 and of every PC chipset since (PIIX3/ICH "Port 92h"; QEMU's
 * port92 device).
 *
 *   bit 0  fast reset (ICH: INIT_NOW): a 0 -> 1 transition resets the
 *          machine; the bit reads back as written until then.
 *   bit 1  alternate A20 gate: stored and read back.
 *
 * A20 is never actually masked.  KVM maps guest memory without any A20
 * wrap-around (there is no A20M# input to emulate), and protected-mode
 * kernels enable A20 before they leave real mode anyway: Linux's boot
 * code (arch/x86/boot/a20.c) first tests for wrap-around at 1 MiB, finds
 * none and touches no port.  So a guest that turns A20 off keeps seeing
 * memory above 1 MiB.  The same goes for the 8042's output port bit 1.
 *
 * The other bits (PS/2: security lock, activity lights; ICH: reserved)
 * are stored and read back, as QEMU does.  Power-on value 0x00
 * (ICH datasheet).  QEMU keeps A20 across a reset and only clears bit 0;
 * our reset is a power cycle and clears everything.
 */

#include <stdint.h>

#define PORT92_PORT		0x92
#define PORT92_FAST_RESET	0x01
#define PORT92_A20		0x02

struct port92 {
	uint8_t value;
	/* Ask the VMM to reset the machine.  May be NULL. */
	void (*request_reset)(void *opaque, const char *how);
	void *opaque;
	uint64_t reset_requests;	/* for --stats; port92_reset() keeps it */
};

/* Wire the port and put it in its power-on state (0x00). */
void port92_init(struct port92 *p, void (*request_reset)(void *opaque, const char *how),
		 void *opaque);

/* Power-on state: 0x00.  Keeps the callback and the count. */
void port92_reset(struct port92 *p);

/* What a read returns: the value last written. */
uint8_t port92_read(const struct port92 *p);

/* A guest write: stored; bit 0 going 0 -> 1 requests a reset. */
void port92_write(struct port92 *p, uint8_t value);

#endif
