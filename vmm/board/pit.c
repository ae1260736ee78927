// SPDX-License-Identifier: MIT
/*
 * Glue for the 8254 PIT (devices/pit8254.h): ports 0x40-0x43 and port
 * 0x61 (counter 2's gate and output).  Counter 0 drives IRQ0; its tick
 * policy listens to what the interrupt controller does with IRQ0: each
 * acknowledge lets the next owed tick out, an unmask drops the backlog.
 */
#include <inttypes.h>

#include "board.h"
#include "clock.h"
#include "machine.h"
#include "pit8254.h"
#include "timer.h"
#include "util.h"

#define PIT_IRQ 0

struct pit_board {
	struct pit pit;
	struct board_port_window windows[2];
	struct device_timer timer;
	struct board_irq_source irq_source;
};

static uint64_t pit_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct board_port_window *w = opaque;
	struct pit_board *pb = w->state;
	uint64_t now = clock_now_ns();
	uint8_t value = pit_read(&pb->pit, (uint16_t)(w->base + offset), now);

	(void)size;	/* an 8-bit device: the bus splits wider accesses */
	device_timer_update(&pb->timer, now);
	return value;
}

static void pit_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct board_port_window *w = opaque;
	struct pit_board *pb = w->state;
	uint64_t now = clock_now_ns();

	(void)size;
	pit_write(&pb->pit, (uint16_t)(w->base + offset), (uint8_t)value, now);
	device_timer_update(&pb->timer, now);
}

static const struct bus_ops pit_ops = {
	.read = pit_io_read, .write = pit_io_write, .max_access_size = 1,
};

static uint64_t pit_timer_next(void *opaque, uint64_t now_ns)
{
	struct pit_board *pb = opaque;

	return pit_next_deadline(&pb->pit, now_ns);
}

static void pit_timer_expired(void *opaque, uint64_t now_ns)
{
	struct pit_board *pb = opaque;

	pit_advance(&pb->pit, now_ns);
}

/* The PIC took IRQ0 (or dropped it on re-initialisation): next tick. */
static void pit_irq_acked(void *opaque, unsigned irq)
{
	struct pit_board *pb = opaque;
	uint64_t now = clock_now_ns();

	(void)irq;
	pit_irq_acknowledged(&pb->pit, now);
	device_timer_update(&pb->timer, now);
}

/* IRQ0 unmasked: ticks saved up while it was masked are stale. */
static void pit_irq_mask_changed(void *opaque, unsigned irq, bool masked)
{
	struct pit_board *pb = opaque;
	uint64_t now = clock_now_ns();

	(void)irq;
	if (masked)
		return;
	pit_irq0_unmasked(&pb->pit, now);
	device_timer_update(&pb->timer, now);
}

static int pit_setup(struct machine *m, void *state, struct error *err)
{
	static const struct board_port_range ranges[] = {
		{ PIT_PORT_COUNTER0, 4 }, { PIT_PORT_B, 1 },
	};
	struct pit_board *pb = state;
	uint64_t now = clock_now_ns();
	int ret;

	ret = board_irq_source_init(&m->board, &pb->irq_source, "pit", err);
	if (ret < 0)
		return ret;
	pit_init(&pb->pit, board_irq_line(&pb->irq_source, PIT_IRQ), now);
	pb->pit.events = m->board.events;
	ret = board_irq_subscribe(&m->board, PIT_IRQ, (struct board_irq_notifier){
		.acked = pit_irq_acked, .mask_changed = pit_irq_mask_changed, .opaque = pb,
	}, err);
	if (ret == 0)
		ret = device_timer_init(&pb->timer, &m->timers, pit_timer_next,
					pit_timer_expired, pb, err);
	if (ret == 0)
		ret = board_claim_ports(m, pb->windows, ranges, ARRAY_SIZE(ranges), "pit",
					&pit_ops, pb, err);
	if (ret == 0)
		device_timer_update(&pb->timer, now);
	return ret;
}

static void pit_board_reset(struct machine *m, void *state)
{
	struct pit_board *pb = state;
	struct dev_events events = pb->pit.events;
	struct pit_stats stats = pb->pit.stats;
	uint64_t now = clock_now_ns();

	(void)m;
	pit_init(&pb->pit, pb->pit.irq0, now);	/* the line keeps its wiring and level */
	pb->pit.events = events;
	pb->pit.stats = stats;			/* --stats counts the whole run */
	device_timer_update(&pb->timer, now);
}

static void pit_teardown(struct machine *m, void *state)
{
	struct pit_board *pb = state;

	(void)m;
	device_timer_exit(&pb->timer);
}

static void pit_print_stats(void *state, FILE *out)
{
	const struct pit *p = &((struct pit_board *)state)->pit;

	fprintf(out, "minivmm: stats: pit: %" PRIu64 " IRQ0 ticks delivered, %" PRIu64
		" dropped, %" PRIu64 " owed at exit (%" PRIu64 " rising edges of OUT0)\n",
		p->stats.ticks_delivered, p->stats.ticks_dropped, p->ticks_owed,
		p->stats.out0_rises);
}

const struct board_device board_pit = {
	.name = "pit",
	.state_size = sizeof(struct pit_board),
	.setup = pit_setup,
	.teardown = pit_teardown,
	.reset = pit_board_reset,
	.print_stats = pit_print_stats,
};
