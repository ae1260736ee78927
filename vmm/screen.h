/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_SCREEN_H
#define MINIVMM_SCREEN_H

/*
 * The VGA text screen on a terminal: from the screen the terminal shows
 * to the next one (devices/vga_text.h's struct vga_screen), the bytes
 * that update it.  Pure: no file descriptors, no clock; the glue
 * (board/vga.c) queues the bytes on the console.
 *
 * What the terminal gets (xterm/VT100 sequences, UTF-8):
 *   - the first frame: attributes reset, cursor home, clear screen, every
 *     cell; later frames: only the cells that changed, each run of
 *     changed cells after one cursor positioning (CUP);
 *   - colours as SGR with the 16 VGA colours, always both explicit
 *     ("ESC [ 0 ; fg ; bg m", fg 30-37 or bright 90-97, bg 40-47 or
 *     bright 100-107): VGA's order (1 blue, 4 red) is mapped to ANSI's
 *     (1 red, 4 blue), so red on blue (attribute 0x14) is "ESC [0;31;44m".
 *     Attribute bit 7 is SGR 5 (blink) when the attribute controller
 *     selects blinking, else a bright background; only when the
 *     attribute changes from the previous cell;
 *   - each character as the UTF-8 of its CP437 glyph (box drawing,
 *     blocks, the symbols at 0x01-0x1f and 0x7f; 0x00 is a space): the
 *     guest can never send the terminal a control byte or an escape
 *     sequence through the screen;
 *   - the hardware cursor where the CRTC puts it (CUP, then ESC [?25h),
 *     or hidden (ESC [?25l); it is hidden while cells are redrawn.
 * screen_finish() leaves the terminal with attributes reset and the
 * cursor shown on the line below the screen.  The terminal is assumed to
 * be at least 80x25 and to speak UTF-8.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vga_text.h"

/*
 * The most bytes one screen_update() or screen_finish() produces: every
 * other cell changed, each with a cursor positioning (8 bytes), an SGR
 * (at most 12) and a glyph (3), plus the frame's head and tail.
 */
#define SCREEN_CELL_MAX		24
#define SCREEN_OUT_MAX		(VGA_TEXT_ROWS * VGA_TEXT_COLS * SCREEN_CELL_MAX + 64)

struct screen {
	struct vga_screen shown;	/* what the terminal shows now */
	bool drawn;			/* the first frame went out */
	int style;			/* the last SGR's style, -1: unknown */
	int row, col;			/* the terminal's cursor, 0-based; -1: unknown */
	bool cursor_shown;		/* the terminal's cursor is visible */
};

/* Nothing drawn yet. */
void screen_init(struct screen *s);

/*
 * The bytes that turn the terminal from s->shown into `next`, written to
 * `out` (room for SCREEN_OUT_MAX bytes); returns how many (0: nothing to
 * do).  Afterwards s describes the terminal as if they had been written:
 * a caller that cannot write them keeps a copy of s from before.
 */
size_t screen_update(struct screen *s, const struct vga_screen *next, uint8_t *out);

/*
 * Leave the terminal usable: attributes reset, the cursor shown at the
 * start of the line below the screen.  Nothing if no frame was drawn.
 */
size_t screen_finish(struct screen *s, uint8_t *out);

/* The Unicode code point of CP437 character `ch` as the screen shows it. */
uint16_t screen_cp437(uint8_t ch);

#endif
