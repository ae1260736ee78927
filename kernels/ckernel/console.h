/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_CONSOLE_H
#define CKERNEL_CONSOLE_H

/*
 * Where the kernel's messages go: the VGA screen and COM1 at once, so
 * they are seen on a monitor and can be logged (or checked by a test)
 * from the serial line.
 */

#include "vga.h"

/* printf (format.h) to both. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One character to both: '\b' erases on the screen and on a terminal. */
void console_putc(char c);

/* The screen's colour for what follows (the serial line has none). */
void console_color(enum vga_color fg, enum vga_color bg);

#endif
