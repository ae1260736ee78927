/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_ERROR_H
#define MINIVMM_ERROR_H

/*
 * Setup code returns 0 or -errno and, on failure, leaves one line saying
 * what went wrong in a `struct error`; only main() prints it and picks
 * the exit status.
 */

#include <stdarg.h>
#include <stdio.h>

struct error {
	char msg[512];	/* one line, with a path or two in it */
};

/* Format the message and return `ret` (a negative errno), for
 * `return error_set(err, -ENOENT, "...", ...)`. */
__attribute__((format(printf, 3, 4)))
static inline int error_set(struct error *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

#endif
