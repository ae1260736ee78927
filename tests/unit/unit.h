/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_TESTS_UNIT_H
#define MINIVMM_TESTS_UNIT_H

/*
 * A tiny unit-test harness: no framework to install, one rule per test.
 *
 *   UNIT_TEST(lsr_reads_0x60_when_idle) { ...; CHECK_EQ(x, 0x60); }
 *   int main(void) { return unit_run_all(); }
 *
 * Tests register themselves through a constructor, run in the order they
 * appear, and the run ends with "N passed, N failed" on a line of its own.
 * A failed CHECK prints file:line, the expression and both values, and
 * ends that test (the others still run).
 */

#include <inttypes.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_MAX_TESTS 512

static struct unit_test unit_tests[UNIT_MAX_TESTS];
static unsigned unit_test_count;
static jmp_buf unit_failed;

static inline void unit_register(const char *name, void (*fn)(void))
{
	if (unit_test_count < UNIT_MAX_TESTS)
		unit_tests[unit_test_count++] = (struct unit_test){ name, fn };
}

#define UNIT_TEST(name)                                                        \
	static void unit_test_##name(void);                                    \
	__attribute__((constructor)) static void unit_register_##name(void)    \
	{                                                                      \
		unit_register(#name, unit_test_##name);                        \
	}                                                                      \
	static void unit_test_##name(void)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__,        \
			       __LINE__, #cond);                               \
			longjmp(unit_failed, 1);                               \
		}                                                              \
	} while (0)

#define CHECK_EQ(actual, expected)                                             \
	do {                                                                   \
		uint64_t unit_a_ = (uint64_t)(actual);                         \
		uint64_t unit_e_ = (uint64_t)(expected);                       \
		if (unit_a_ != unit_e_) {                                      \
			printf("  %s:%d: %s == 0x%" PRIx64                     \
			       ", expected %s == 0x%" PRIx64 "\n",             \
			       __FILE__, __LINE__, #actual, unit_a_,           \
			       #expected, unit_e_);                            \
			longjmp(unit_failed, 1);                               \
		}                                                              \
	} while (0)

static inline int unit_run_all(void)
{
	/* volatile: modified between setjmp() and longjmp() */
	volatile unsigned passed = 0, failed = 0;

	/* volatile: i is read after longjmp() returns to the setjmp below */
	for (volatile unsigned i = 0; i < unit_test_count; i++) {
		if (setjmp(unit_failed) == 0) {
			unit_tests[i].fn();
			printf("PASS: %s\n", unit_tests[i].name);
			passed++;
		} else {
			printf("FAIL: %s\n", unit_tests[i].name);
			failed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#endif
