// SPDX-License-Identifier: MIT
/* Messages to the screen and COM1 (console.h). */
#include "console.h"

#include <stdarg.h>

#include "format.h"
#include "serial.h"

void console_putc(char c)
{
	vga_putc(c);
	if (c == '\b')
		serial_puts("\b \b");	/* back, blank it, back: a terminal's erase */
	else
		serial_putc(c);
}

static void put_both(char c, void *ctx)
{
	(void)ctx;
	console_putc(c);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format(put_both, NULL, fmt, ap);
	va_end(ap);
}

void console_color(enum vga_color fg, enum vga_color bg)
{
	vga_set_color(fg, bg);
}
