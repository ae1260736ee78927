// SPDX-License-Identifier: MIT
/*
 * Glue for the PIIX/ICH Reset Control Register at 0xcf9
 * (devices/reset_control.h): RST_CPU's rising edge goes to
 * machine_request_reset().  Only 0xcf9 is claimed, one byte wide; the
 * PCI configuration ports 0xcf8 and 0xcfc around it are not ours.
 */
#include <inttypes.h>

#include "board.h"
#include "machine.h"
#include "reset_control.h"

struct reset_control_board {
	struct machine *machine;
	struct reset_control rcr;
};

static uint64_t reset_control_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct reset_control_board *rb = opaque;

	(void)offset;
	(void)size;	/* one byte wide: the bus splits wider accesses */
	return reset_control_read(&rb->rcr);
}

static void reset_control_io_write(void *opaque, uint64_t offset, uint64_t value,
				   unsigned size)
{
	struct reset_control_board *rb = opaque;

	(void)offset;
	(void)size;
	reset_control_write(&rb->rcr, (uint8_t)value);
}

static const struct bus_ops reset_control_ops = {
	.read = reset_control_io_read, .write = reset_control_io_write, .max_access_size = 1,
};

static void reset_control_board_request_reset(void *opaque, const char *how)
{
	struct reset_control_board *rb = opaque;

	machine_request_reset(rb->machine, how);
}

static int reset_control_setup(struct machine *m, void *state, struct error *err)
{
	struct reset_control_board *rb = state;

	rb->machine = m;
	reset_control_init(&rb->rcr, reset_control_board_request_reset, rb);
	return board_claim(m, BUS_PIO, RESET_CONTROL_PORT, 1, "reset-control",
			   &reset_control_ops, rb, err);
}

static void reset_control_board_reset(struct machine *m, void *state)
{
	struct reset_control_board *rb = state;

	(void)m;
	reset_control_reset(&rb->rcr);
}

static void reset_control_print_stats(void *state, FILE *out)
{
	const struct reset_control_board *rb = state;

	fprintf(out, "minivmm: stats: reset-control (0xcf9): %" PRIu64 " reset requests\n",
		rb->rcr.reset_requests);
}

const struct board_device board_reset_control = {
	.name = "reset-control",
	.state_size = sizeof(struct reset_control_board),
	.setup = reset_control_setup,
	.reset = reset_control_board_reset,
	.print_stats = reset_control_print_stats,
};
