// SPDX-License-Identifier: MIT
/*
 * Glue for the POST code port 0x80 (devices/post_code.h): a sink that
 * --stats reports, the last code included (what a POST card would show).
 */
#include <inttypes.h>

#include "board.h"
#include "post_code.h"

static uint64_t post_code_io_read(void *opaque, uint64_t offset, unsigned size)
{
	const struct post_code *p = opaque;

	(void)offset;
	(void)size;	/* one byte wide: the bus splits wider accesses */
	return post_code_read(p);
}

static void post_code_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct post_code *p = opaque;

	(void)offset;
	(void)size;
	post_code_write(p, (uint8_t)value);
}

static const struct bus_ops post_code_ops = {
	.read = post_code_io_read, .write = post_code_io_write, .max_access_size = 1,
};

static int post_code_setup(struct machine *m, void *state, struct error *err)
{
	struct post_code *p = state;

	post_code_init(p);
	return board_claim(m, BUS_PIO, POST_CODE_PORT, 1, "post-code", &post_code_ops, p, err);
}

static void post_code_board_reset(struct machine *m, void *state)
{
	(void)m;
	post_code_reset(state);
}

static void post_code_print_stats(void *state, FILE *out)
{
	const struct post_code *p = state;

	if (p->written)
		fprintf(out, "minivmm: stats: post-code (0x80): %" PRIu64 " writes, last 0x%02x\n",
			p->writes, p->last);
	else
		fprintf(out, "minivmm: stats: post-code (0x80): %" PRIu64 " writes\n", p->writes);
}

const struct board_device board_post_code = {
	.name = "post-code",
	.state_size = sizeof(struct post_code),
	.setup = post_code_setup,
	.reset = post_code_board_reset,
	.print_stats = post_code_print_stats,
};
