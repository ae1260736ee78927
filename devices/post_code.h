/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_POST_CODE_H
#define MINIVMM_DEVICES_POST_CODE_H

/*
 * The POST code port 0x80, where firmware writes its progress codes for a
 * diagnostic card to show, and where Linux (and DOS-era drivers) write
 * to wait about a microsecond between slow I/O accesses (native_io_delay,
 * the *_p port accessors).  A sink: it remembers the last code and counts
 * the writes, for --stats, and never stops the guest.
 *
 * Reads return 0xff, as QEMU's ioport80 does.  On many real chipsets 0x80
 * is also a spare DMA page register and reads back the last value; QEMU's
 * choice is what kernels are tested against, and nothing reads it.
 */

#include <stdbool.h>
#include <stdint.h>

#define POST_CODE_PORT	0x80
#define POST_CODE_READ	0xff

struct post_code {
	uint8_t last;		/* the last code written */
	bool written;		/* any code at all since power-on */
	uint64_t writes;	/* for --stats; post_code_reset() keeps it */
};

/* Power-on state: no code yet. */
void post_code_init(struct post_code *p);

/* Power-on state; keeps the write count. */
void post_code_reset(struct post_code *p);

/* A guest read: always 0xff. */
uint8_t post_code_read(const struct post_code *p);

/* A guest write of a POST code. */
void post_code_write(struct post_code *p, uint8_t value);

#endif
