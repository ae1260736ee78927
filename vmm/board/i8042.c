// SPDX-License-Identifier: MIT
/*
 * Glue for the 8042 keyboard controller (devices/i8042.h): data port 0x60
 * and status/command port 0x64, claimed one by one (0x61 between them is
 * the PIT's port B, 0x62-0x63 nobody's), the keyboard on IRQ 1 and the
 * aux port on IRQ 12.  Its reset line goes to machine_request_reset().
 */
#include <inttypes.h>

#include "board.h"
#include "i8042.h"
#include "i8042_glue.h"
#include "machine.h"
#include "util.h"

#define I8042_IRQ_KBD 1
#define I8042_IRQ_AUX 12

struct i8042_board {
	struct machine *machine;
	struct i8042 kbc;
	struct board_port_window windows[2];
	struct board_irq_source irq_source;
	void (*on_access)(void *opaque);	/* the VGA console's keyboard feed */
	void *on_access_opaque;
};

static const struct board_port_range i8042_ranges[] = {
	{ I8042_DATA_PORT, 1 },
	{ I8042_STATUS_PORT, 1 },
};

static uint64_t i8042_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct board_port_window *w = opaque;
	struct i8042_board *ib = w->state;

	uint8_t value;

	(void)size;	/* an 8-bit device: the bus splits wider accesses */
	value = i8042_read(&ib->kbc, (uint16_t)(w->base + offset));
	if (ib->on_access != NULL)
		ib->on_access(ib->on_access_opaque);
	return value;
}

static void i8042_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct board_port_window *w = opaque;
	struct i8042_board *ib = w->state;

	(void)size;
	i8042_write(&ib->kbc, (uint16_t)(w->base + offset), (uint8_t)value);
	if (ib->on_access != NULL)
		ib->on_access(ib->on_access_opaque);
}

size_t i8042_board_type(struct i8042_board *ib, const uint8_t *codes, size_t n)
{
	const struct i8042_kbd *k = &ib->kbc.kbd;
	size_t done;

	for (done = 0; done < n; done++) {
		uint8_t c = codes[done];
		/* What kbd_put_one() in the model needs: set 2 breaks are F0 + make. */
		unsigned need = k->scan_set != 1 && (c & 0x80) && c != I8042_SET_EXT0 &&
				c != I8042_SET_EXT1 ? 2 : 1;

		if (k->scanning && I8042_KBD_QUEUE_SIZE - k->count < need)
			break;
		i8042_kbd_put_scancode(&ib->kbc, &c, 1);
	}
	return done;
}

void i8042_board_on_access(struct i8042_board *ib, void (*fn)(void *opaque), void *opaque)
{
	ib->on_access = fn;
	ib->on_access_opaque = opaque;
}

static const struct bus_ops i8042_ops = {
	.read = i8042_io_read, .write = i8042_io_write, .max_access_size = 1,
};

static void i8042_board_request_reset(void *opaque, const char *how)
{
	struct i8042_board *ib = opaque;

	machine_request_reset(ib->machine, how);
}

static int i8042_setup(struct machine *m, void *state, struct error *err)
{
	struct i8042_board *ib = state;
	int ret;

	ib->machine = m;
	m->i8042 = ib;
	ret = board_irq_source_init(&m->board, &ib->irq_source, "i8042", err);
	if (ret < 0)
		return ret;
	i8042_init(&ib->kbc, board_irq_line(&ib->irq_source, I8042_IRQ_KBD),
		   board_irq_line(&ib->irq_source, I8042_IRQ_AUX), i8042_board_request_reset, ib);
	return board_claim_ports(m, ib->windows, i8042_ranges, ARRAY_SIZE(i8042_ranges),
				 "i8042", &i8042_ops, ib, err);
}

static void i8042_board_reset(struct machine *m, void *state)
{
	struct i8042_board *ib = state;

	(void)m;
	i8042_reset(&ib->kbc);
}

static void i8042_print_stats(void *state, FILE *out)
{
	const struct i8042_board *ib = state;
	const struct i8042_stats *s = &ib->kbc.stats;

	fprintf(out, "minivmm: stats: i8042: %" PRIu64 " reset requests; keyboard: %" PRIu64
		" scan codes queued, %" PRIu64 " dropped (buffer full), %" PRIu64
		" ignored (scanning off); %" PRIu64 " bytes to the empty aux port, %" PRIu64
		" unknown commands\n", s->reset_requests, s->kbd_bytes, s->kbd_dropped,
		s->kbd_ignored, s->aux_timeouts, s->unknown_commands);
}

const struct board_device board_i8042 = {
	.name = "i8042",
	.state_size = sizeof(struct i8042_board),
	.setup = i8042_setup,
	.reset = i8042_board_reset,
	.print_stats = i8042_print_stats,
};
