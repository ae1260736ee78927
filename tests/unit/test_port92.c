// SPDX-License-Identifier: MIT
/*
 * Unit tests for System Control Port A (0x92), one rule each.  References:
 * Intel ICH datasheets ("Port 92h"), QEMU's port92, Linux's
 * arch/x86/boot/a20.c (enable_a20_fast).
 */

#include <stdint.h>
#include <string.h>

#include "port92.h"
#include "unit.h"

struct bench {
	struct port92 p;
	unsigned resets;
	const char *how;
};

static void fake_reset(void *opaque, const char *how)
{
	struct bench *b = opaque;

	b->resets++;
	b->how = how;
}

static void bench_init(struct bench *b)
{
	memset(b, 0, sizeof(*b));
	port92_init(&b->p, fake_reset, b);
}

/* Datasheet: the register is 0x00 after power-on. */
UNIT_TEST(power_on_value_is_zero)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(port92_read(&b.p), 0x00);
}

/* Linux's enable_a20_fast(): read, set bit 1, clear bit 0, write: no reset, A20 reads back. */
UNIT_TEST(a20_is_remembered_without_a_reset)
{
	struct bench b;
	uint8_t v;

	bench_init(&b);
	v = port92_read(&b.p);
	v = (uint8_t)((v | PORT92_A20) & ~PORT92_FAST_RESET);
	port92_write(&b.p, v);
	CHECK_EQ(port92_read(&b.p), PORT92_A20);
	CHECK_EQ(b.resets, 0);
	port92_write(&b.p, 0x00);
	CHECK_EQ(port92_read(&b.p), 0x00);
	CHECK_EQ(b.resets, 0);
}

/* Bit 0 going 0 -> 1 resets the machine. */
UNIT_TEST(fast_reset_on_rising_edge_of_bit_0)
{
	struct bench b;

	bench_init(&b);
	port92_write(&b.p, PORT92_A20 | PORT92_FAST_RESET);
	CHECK_EQ(b.resets, 1);
	CHECK(strstr(b.how, "0x92") != NULL);
	CHECK_EQ(b.p.reset_requests, 1);
}

/* Writing 1 again (bit 0 still set) is no new edge. */
UNIT_TEST(bit_0_held_high_does_not_reset_again)
{
	struct bench b;

	bench_init(&b);
	port92_write(&b.p, PORT92_FAST_RESET);
	port92_write(&b.p, PORT92_FAST_RESET | PORT92_A20);
	CHECK_EQ(b.resets, 1);
	CHECK_EQ(port92_read(&b.p), PORT92_FAST_RESET | PORT92_A20);
	port92_write(&b.p, PORT92_A20);
	port92_write(&b.p, PORT92_FAST_RESET);
	CHECK_EQ(b.resets, 2);
}

/* After a reset the port is 0x00 again, so the next 0 -> 1 resets again. */
UNIT_TEST(reset_clears_the_port_and_keeps_the_count)
{
	struct bench b;

	bench_init(&b);
	port92_write(&b.p, PORT92_FAST_RESET | PORT92_A20);
	port92_reset(&b.p);
	CHECK_EQ(port92_read(&b.p), 0x00);
	CHECK_EQ(b.p.reset_requests, 1);
	port92_write(&b.p, PORT92_FAST_RESET);
	CHECK_EQ(b.resets, 2);
}

/* No callback wired: the request is still counted and nothing crashes. */
UNIT_TEST(unwired_port_counts_resets)
{
	struct port92 p;

	port92_init(&p, NULL, NULL);
	port92_write(&p, PORT92_FAST_RESET);
	CHECK_EQ(p.reset_requests, 1);
}

int main(void)
{
	return unit_run_all();
}
