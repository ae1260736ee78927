// SPDX-License-Identifier: MIT
/* Unit tests for the POST code port 0x80 (QEMU's ioport80), one rule each. */

#include <stdint.h>

#include "post_code.h"
#include "unit.h"

/* QEMU's ioport80 reads 0xff, whatever was written. */
UNIT_TEST(reads_return_0xff)
{
	struct post_code p;

	post_code_init(&p);
	CHECK_EQ(post_code_read(&p), 0xff);
	post_code_write(&p, 0x42);
	CHECK_EQ(post_code_read(&p), 0xff);
}

/* The last code and the number of writes are remembered for --stats. */
UNIT_TEST(last_code_and_count_are_remembered)
{
	struct post_code p;

	post_code_init(&p);
	CHECK(!p.written);
	post_code_write(&p, 0x00);	/* Linux's io delay */
	post_code_write(&p, 0x55);
	CHECK(p.written);
	CHECK_EQ(p.last, 0x55);
	CHECK_EQ(p.writes, 2);
}

/* Reset forgets the code (power cycle) and keeps the count. */
UNIT_TEST(reset_forgets_the_code)
{
	struct post_code p;

	post_code_init(&p);
	post_code_write(&p, 0x55);
	post_code_reset(&p);
	CHECK(!p.written);
	CHECK_EQ(p.last, 0);
	CHECK_EQ(p.writes, 1);
}

int main(void)
{
	return unit_run_all();
}
