/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_FORMAT_H
#define CKERNEL_FORMAT_H

/*
 * A small printf, since there is no C library here.  Conversions:
 *   %c %s %d %u %x    with an optional 0 flag and width ("%08x")
 *   %llx              a 64-bit value in hex (the memory map's)
 *   %%
 * No 64-bit decimal: on i386 that division is a call into libgcc
 * (__udivdi3), which we do not link.
 */

#include <stdarg.h>
#include <stddef.h>

/* Format into `put`, called once per character with `ctx`. */
void format(void (*put)(char c, void *ctx), void *ctx, const char *fmt, va_list ap);

/* Format into buf (always NUL-terminated, truncated to size - 1). */
void format_string(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
