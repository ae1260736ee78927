// SPDX-License-Identifier: MIT
/*
 * Glue for System Control Port A at 0x92 (devices/port92.h): fast reset
 * through machine_request_reset(), A20 remembered and never applied.
 */
#include <inttypes.h>

#include "board.h"
#include "machine.h"
#include "port92.h"

struct port92_board {
	struct machine *machine;
	struct port92 port;
};

static uint64_t port92_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct port92_board *pb = opaque;

	(void)offset;
	(void)size;	/* one byte wide: the bus splits wider accesses */
	return port92_read(&pb->port);
}

static void port92_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct port92_board *pb = opaque;

	(void)offset;
	(void)size;
	port92_write(&pb->port, (uint8_t)value);
}

static const struct bus_ops port92_ops = {
	.read = port92_io_read, .write = port92_io_write, .max_access_size = 1,
};

static void port92_board_request_reset(void *opaque, const char *how)
{
	struct port92_board *pb = opaque;

	machine_request_reset(pb->machine, how);
}

static int port92_setup(struct machine *m, void *state, struct error *err)
{
	struct port92_board *pb = state;

	pb->machine = m;
	port92_init(&pb->port, port92_board_request_reset, pb);
	return board_claim(m, BUS_PIO, PORT92_PORT, 1, "port92", &port92_ops, pb, err);
}

static void port92_board_reset(struct machine *m, void *state)
{
	struct port92_board *pb = state;

	(void)m;
	port92_reset(&pb->port);
}

static void port92_print_stats(void *state, FILE *out)
{
	const struct port92_board *pb = state;

	fprintf(out, "minivmm: stats: port92: %" PRIu64 " reset requests, A20 gate bit %s\n",
		pb->port.reset_requests, (pb->port.value & PORT92_A20) ? "set" : "clear");
}

const struct board_device board_port92 = {
	.name = "port92",
	.state_size = sizeof(struct port92_board),
	.setup = port92_setup,
	.reset = port92_board_reset,
	.print_stats = port92_print_stats,
};
