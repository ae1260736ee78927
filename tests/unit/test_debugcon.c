// SPDX-License-Identifier: MIT
/* Unit tests for the debug console at port 0xe9 (QEMU's isa-debugcon,
 * Bochs' port E9 hack), one rule each. */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "debugcon.h"
#include "unit.h"

/* A sink that keeps what it is given, with room for `room` bytes. */
struct fake_sink {
	uint8_t bytes[64];
	unsigned len;
	unsigned room;
};

static bool fake_put(void *opaque, uint8_t byte)
{
	struct fake_sink *f = opaque;

	if (f->len == f->room)
		return false;
	f->bytes[f->len++] = byte;
	return true;
}

static void debugcon_with(struct debugcon *d, struct fake_sink *f, unsigned room)
{
	*f = (struct fake_sink){ .room = room };
	debugcon_init(d, (struct debugcon_sink){ .put = fake_put, .opaque = f });
}

/* The port is where QEMU's -debugcon and Bochs put it, one byte wide. */
UNIT_TEST(port_is_0xe9_one_byte_wide)
{
	CHECK_EQ(DEBUGCON_PORT, 0xe9);
	CHECK_EQ(DEBUGCON_LEN, 1);
}

/* A read returns 0xe9, QEMU's default `readback` and Bochs' answer, however
 * often and whatever was written: how a kernel detects the port. */
UNIT_TEST(reads_return_0xe9)
{
	struct debugcon d;
	struct fake_sink f;

	debugcon_with(&d, &f, 64);
	CHECK_EQ(debugcon_read(&d), 0xe9);
	debugcon_write(&d, 'x');
	CHECK_EQ(debugcon_read(&d), 0xe9);
	CHECK_EQ(d.stats.reads, 2);
	CHECK_EQ(f.len, 1);	/* reads put nothing out */
}

/* Every byte written reaches the sink unchanged and in order, NUL and
 * 0xff included: the port carries bytes, not text. */
UNIT_TEST(bytes_reach_the_sink_in_order)
{
	static const uint8_t sent[] = { 'o', 'k', '\n', 0x00, 0xff, 0xe9 };
	struct debugcon d;
	struct fake_sink f;

	debugcon_with(&d, &f, 64);
	for (unsigned i = 0; i < sizeof(sent); i++)
		debugcon_write(&d, sent[i]);
	CHECK_EQ(f.len, sizeof(sent));
	CHECK(memcmp(f.bytes, sent, sizeof(sent)) == 0);
	CHECK_EQ(d.stats.bytes, sizeof(sent));
	CHECK_EQ(d.stats.refused, 0);
}

/* No flow control: a byte the sink has no room for is lost and counted,
 * and the next one goes out once there is room again. */
UNIT_TEST(refused_bytes_are_counted)
{
	struct debugcon d;
	struct fake_sink f;

	debugcon_with(&d, &f, 2);
	debugcon_write(&d, 'a');
	debugcon_write(&d, 'b');
	debugcon_write(&d, 'c');	/* no room */
	CHECK_EQ(d.stats.bytes, 3);
	CHECK_EQ(d.stats.refused, 1);
	f.room = 3;
	debugcon_write(&d, 'd');
	CHECK_EQ(f.len, 3);
	CHECK_EQ(f.bytes[2], 'd');
	CHECK_EQ(d.stats.refused, 1);
}

/* Without a sink the bytes vanish, counted as written, never as refused. */
UNIT_TEST(no_sink_is_a_sink)
{
	struct debugcon d;

	debugcon_init(&d, (struct debugcon_sink){ .put = NULL });
	debugcon_write(&d, 'a');
	CHECK_EQ(d.stats.bytes, 1);
	CHECK_EQ(d.stats.refused, 0);
	CHECK_EQ(debugcon_read(&d), DEBUGCON_READBACK);
}

int main(void)
{
	return unit_run_all();
}
