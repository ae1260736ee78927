/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_DEBUGCON_H
#define MINIVMM_DEVICES_DEBUGCON_H

/*
 * The debug console at port 0xE9: Bochs' "port E9 hack" and QEMU's
 * isa-debugcon (-debugcon).  The simplest output a kernel can have: one
 * OUT per byte, nothing to initialise, no status to poll, so it works
 * from the first instruction, in any mode, when nothing else does.
 *
 * What a guest sees, as QEMU's hw/char/debugcon.c:
 *   - a byte written to 0xE9 goes to the console;
 *   - a read returns 0xE9 (QEMU's `readback` property, whose default is
 *     0xe9; Bochs' port_e9_hack answers the same): how a kernel tells the
 *     port is there before using it;
 *   - the port is one byte wide (QEMU: valid.max_access_size = 1, so its
 *     memory core splits wider accesses): an `outw 0xe9` writes its low
 *     byte here and its high byte to port 0xEA, wherever that goes.  The
 *     board's bus does the same split (DEBUGCON_LEN 1, byte-wide ops).
 *
 * The port has no flow control, so neither has the model: it hands each
 * byte to a sink, which says whether it had room; a byte it refused is
 * lost and counted.  Where the bytes end up (stderr, a file), and how
 * that never blocks the guest, is the board glue's business
 * (vmm/board/debugcon.c).
 *
 * Deliberate deviations: none visible to the guest.  QEMU writes each byte
 * with a blocking qemu_chr_fe_write_all() ("XXX this blocks entire
 * thread"); minivmm queues it and drops what a stalled reader leaves no
 * room for, counting it.
 */

#include <stdbool.h>
#include <stdint.h>

#define DEBUGCON_PORT 0xe9
#define DEBUGCON_LEN 1
#define DEBUGCON_READBACK 0xe9	/* what a read returns */

/* Where the bytes go. */
struct debugcon_sink {
	/* Take one byte; false if there is no room (the byte is lost). */
	bool (*put)(void *opaque, uint8_t byte);
	void *opaque;
};

struct debugcon_stats {
	uint64_t bytes;		/* written by the guest */
	uint64_t refused;	/* of those, the sink had no room for */
	uint64_t reads;
};

struct debugcon {
	struct debugcon_sink sink;
	struct debugcon_stats stats;
};

/* A console writing to `sink` (put may be NULL: bytes then vanish). */
void debugcon_init(struct debugcon *d, struct debugcon_sink sink);

/* A guest read of the port: DEBUGCON_READBACK. */
uint8_t debugcon_read(struct debugcon *d);

/* A guest write of one byte. */
void debugcon_write(struct debugcon *d, uint8_t value);

#endif
