/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOARD_I8042_GLUE_H
#define MINIVMM_BOARD_I8042_GLUE_H

/*
 * The keyboard controller's glue (i8042.c), as the VGA console (vga.c)
 * types on its keyboard: keys go in whole, and the typist hears when the
 * keyboard's buffer has room again.  m->i8042 points at it once the
 * board is set up.  Every function here runs with the device lock held.
 */

#include <stddef.h>
#include <stdint.h>

struct i8042_board;

/*
 * Put set-1 codes on the keyboard while its buffer has room for each
 * whole code (a break code takes two bytes in set 2); returns how many
 * were consumed.  Codes for a keyboard whose scanning the guest disabled
 * are consumed and counted as ignored, as the model does.
 */
size_t i8042_board_type(struct i8042_board *ib, const uint8_t *codes, size_t n);

/* `fn(opaque)` after every guest access to port 0x60 or 0x64 (the
 * keyboard's buffer may have room again).  vCPU thread. */
void i8042_board_on_access(struct i8042_board *ib, void (*fn)(void *opaque), void *opaque);

#endif
