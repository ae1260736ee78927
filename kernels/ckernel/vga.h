/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_VGA_H
#define CKERNEL_VGA_H

/*
 * The VGA text screen: 80 x 25 cells at physical 0xb8000, each cell two
 * bytes, the character (code page 437) and its attribute, background
 * colour in the high nibble and foreground in the low one (IBM VGA
 * Technical Reference, "Alphanumeric Modes").  The firmware (or minivmm's
 * --kernel boot) leaves the card in mode 3, so writing memory is all it
 * takes; the blinking hardware cursor is moved through the CRT
 * controller's Cursor Location registers.
 *
 * Rows 0-23 scroll like a terminal; row 24 is a status line that only
 * vga_status() writes.
 */

#include <stdint.h>

enum vga_color {
	VGA_BLACK, VGA_BLUE, VGA_GREEN, VGA_CYAN, VGA_RED, VGA_MAGENTA, VGA_BROWN,
	VGA_LIGHT_GREY, VGA_DARK_GREY, VGA_LIGHT_BLUE, VGA_LIGHT_GREEN, VGA_LIGHT_CYAN,
	VGA_LIGHT_RED, VGA_LIGHT_MAGENTA, VGA_YELLOW, VGA_WHITE,
};

#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_TEXT_ROWS (VGA_ROWS - 1)	/* the last row is the status line */

/* Blank the screen in light grey on black and put the cursor home. */
void vga_init(void);

/* The colours of what vga_putc writes next. */
void vga_set_color(enum vga_color fg, enum vga_color bg);

/* One character at the cursor: '\n' starts a line, '\t' moves to the next
 * multiple of 8 columns, '\b' erases the one before the cursor; the text
 * scrolls up when it reaches the status line. */
void vga_putc(char c);

void vga_puts(const char *s);

/* Replace the status line (row 24) with `s`, padded with blanks. */
void vga_status(const char *s, enum vga_color fg, enum vga_color bg);

#endif
