// SPDX-License-Identifier: MIT
/*
 * Glue for the debug-exit port (devices/debug_exit.h) at 0xf4: the guest
 * writes V and minivmm exits with status (V << 1) | 1.
 */
#include "board.h"
#include "debug_exit.h"
#include "machine.h"

static void debug_exit_request(void *opaque, int status)
{
	machine_stop(opaque, status, NULL);
}

static void debug_exit_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct debug_exit *d = opaque;

	/* QEMU's isa-debug-exit ignores the offset: any of its ports exits. */
	(void)offset;
	(void)size;
	debug_exit_write(d, (uint32_t)value);
}

/* outb, outw and outl each arrive whole: the value is what was written. */
static const struct bus_ops debug_exit_ops = { .write = debug_exit_io_write, .max_access_size = 4 };

static int debug_exit_setup(struct machine *m, void *state, struct error *err)
{
	struct debug_exit *d = state;

	*d = (struct debug_exit){ .request_exit = debug_exit_request, .opaque = m };
	return board_claim(m, BUS_PIO, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, "debug-exit",
			   &debug_exit_ops, d, err);
}

const struct board_device board_debug_exit = {
	.name = "debug-exit",
	.state_size = sizeof(struct debug_exit),
	.setup = debug_exit_setup,
};
