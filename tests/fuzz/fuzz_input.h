/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_TESTS_FUZZ_INPUT_H
#define MINIVMM_TESTS_FUZZ_INPUT_H

/*
 * What the "input is a program" fuzz targets share: reading the program a
 * byte at a time, and failing on a broken invariant so that libFuzzer
 * reports the input.  Included by tests/fuzz/fuzz_*.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* A violated invariant: abort(), which libFuzzer reports with the input. */
static inline void fuzz_check(bool ok)
{
	if (!ok)
		abort();
}

/* The next byte of the input, consumed; 0 once it is used up. */
static inline uint8_t fuzz_byte(const uint8_t **data, size_t *size)
{
	uint8_t b;

	if (*size == 0)
		return 0;
	b = **data;
	(*data)++;
	(*size)--;
	return b;
}

#endif
