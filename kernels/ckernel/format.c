// SPDX-License-Identifier: MIT
/* A small printf (format.h). */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

static void put_number(void (*put)(char, void *), void *ctx, uint64_t v, unsigned base,
		       unsigned width, bool zero, bool negative)
{
	char digits[24];
	unsigned n = 0;

	/* Base 10 only ever sees 32-bit values (see format.h), so the
	 * division below stays a 32-bit DIV where it matters. */
	do {
		unsigned d;

		if (base == 16) {
			d = (unsigned)(v & 0xf);
			v >>= 4;
		} else {
			d = (uint32_t)v % 10;
			v = (uint32_t)v / 10;
		}
		digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
	} while (v);
	if (negative)
		digits[n++] = '-';
	for (; width > n; width--)
		put(zero ? '0' : ' ', ctx);
	while (n)
		put(digits[--n], ctx);
}

void format(void (*put)(char, void *), void *ctx, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(*fmt, ctx);
			continue;
		}
		fmt++;
		bool zero = *fmt == '0';
		unsigned width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		bool is_long_long = fmt[0] == 'l' && fmt[1] == 'l';
		if (is_long_long)
			fmt += 2;
		switch (*fmt) {
		case 'c':
			put((char)va_arg(ap, int), ctx);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (*s)
				put(*s++, ctx);
			break;
		}
		case 'd': {
			int v = va_arg(ap, int);
			put_number(put, ctx, v < 0 ? -(uint32_t)v : (uint32_t)v, 10, width, zero, v < 0);
			break;
		}
		case 'u':
			put_number(put, ctx, va_arg(ap, unsigned), 10, width, zero, false);
			break;
		case 'x':
			put_number(put, ctx, is_long_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned),
				   16, width, zero, false);
			break;
		case '%':
			put('%', ctx);
			break;
		default:		/* not ours: show it as written */
			put('%', ctx);
			if (!*fmt)
				return;
			put(*fmt, ctx);
		}
	}
}

struct buffer {
	char *p, *end;
};

static void put_buffer(char c, void *ctx)
{
	struct buffer *b = ctx;

	if (b->p < b->end)
		*b->p++ = c;
}

void format_string(char *buf, size_t size, const char *fmt, ...)
{
	struct buffer b = { buf, buf + size - 1 };
	va_list ap;

	va_start(ap, fmt);
	format(put_buffer, &b, fmt, ap);
	va_end(ap);
	*b.p = '\0';
}
