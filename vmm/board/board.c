// SPDX-License-Identifier: MIT
/*
 * The PC board: the device table, and the interrupt wiring every device
 * shares.  Nothing device-specific lives here: each device's glue is its
 * own file next to this one (pic.c, pit.c, com1.c, ...).
 *
 * Adding a device: its model in devices/, a glue file here exporting a
 * struct board_device, and one line in board_devices[] below (plus the
 * file in vmm/meson.build).  DEVELOPERS.md walks through it.
 */
#include "board.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "trace.h"
#include "util.h"

extern const struct board_device board_pic, board_pit, board_debug_exit, board_com1,
	board_testdev, board_acpi_sleep, board_i8042, board_port92, board_reset_control,
	board_post_code, board_rtc, board_debugcon, board_shutdown_ports, board_vga;

/* The devices, set up in this order and torn down in reverse. */
static const struct board_device *const board_devices[] = {
	&board_pic,		/* first: the others drive its interrupt lines */
	&board_pit,
	&board_rtc,		/* 0x70-0x71, IRQ8 (through the slave PIC) */
	&board_i8042,		/* IRQ 1 and 12; the reset line */
	&board_port92,		/* fast A20 and reset */
	&board_reset_control,	/* 0xcf9 */
	&board_post_code,	/* 0x80 */
	&board_debug_exit,
	&board_debugcon,	/* 0xe9 */
	&board_com1,
	&board_testdev,
	&board_acpi_sleep,	/* the ACPI power-off register (drives no line) */
	&board_vga,		/* --vga: after the i8042, whose keyboard it types on */
	&board_shutdown_ports,	/* Bochs' 0xb004, VirtualBox's 0x4004 */
};

_Static_assert(ARRAY_SIZE(board_devices) <= BOARD_MAX_DEVICES, "raise BOARD_MAX_DEVICES");

int board_setup(struct machine *m, struct error *err)
{
	struct board *b = &m->board;

	for (size_t i = 0; i < ARRAY_SIZE(board_devices); i++) {
		const struct board_device *dev = board_devices[i];
		int ret;

		b->state[i] = calloc(1, dev->state_size ? dev->state_size : 1);
		if (b->state[i] == NULL)
			return error_set(err, -ENOMEM, "%s: out of memory", dev->name);
		b->nr_ready = i + 1;	/* teardown frees it even if setup fails */
		ret = dev->setup(m, b->state[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void board_teardown(struct machine *m)
{
	struct board *b = &m->board;

	if (b->torn_down)
		return;
	b->torn_down = true;
	for (size_t i = b->nr_ready; i-- > 0;) {
		if (board_devices[i]->teardown != NULL)
			board_devices[i]->teardown(m, b->state[i]);
	}
}

void board_reset(struct machine *m)
{
	struct board *b = &m->board;

	for (size_t i = 0; i < b->nr_ready; i++) {
		if (board_devices[i]->reset != NULL)
			board_devices[i]->reset(m, b->state[i]);
	}
}

void board_firmware_handover(struct machine *m)
{
	struct board *b = &m->board;

	for (size_t i = 0; i < b->nr_ready; i++) {
		if (board_devices[i]->firmware_handover != NULL)
			board_devices[i]->firmware_handover(m, b->state[i]);
	}
}

void board_free(struct machine *m)
{
	struct board *b = &m->board;

	board_teardown(m);
	for (size_t i = 0; i < b->nr_ready; i++) {
		free(b->state[i]);
		b->state[i] = NULL;
	}
	b->nr_ready = 0;
}

void board_print_stats(struct machine *m, FILE *out)
{
	for (size_t i = 0; i < m->board.nr_ready; i++) {
		if (board_devices[i]->print_stats != NULL)
			board_devices[i]->print_stats(m->board.state[i], out);
	}
}

int board_claim(struct machine *m, enum bus_space space, uint64_t base, uint64_t len,
		const char *name, const struct bus_ops *ops, void *opaque, struct error *err)
{
	int ret = bus_register(&m->bus, space, base, len, name, ops, opaque);

	if (ret < 0)
		return error_set(err, ret, "%s: cannot claim %s 0x%llx-0x%llx: %s", name,
				 bus_space_name(space), (unsigned long long)base,
				 (unsigned long long)(base + len - 1), strerror(-ret));
	return 0;
}

int board_claim_ports(struct machine *m, struct board_port_window *windows,
		      const struct board_port_range *ranges, size_t n, const char *name,
		      const struct bus_ops *ops, void *state, struct error *err)
{
	for (size_t i = 0; i < n; i++) {
		int ret;

		windows[i] = (struct board_port_window){ .state = state, .base = ranges[i].base };
		ret = board_claim(m, BUS_PIO, ranges[i].base, ranges[i].len, name, ops,
				  &windows[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- interrupt lines ---------------------------------------------------- */

void board_set_irq_controller(struct board *b, struct board_irq_controller controller)
{
	b->controller = controller;
}

int board_irq_source_init(struct board *b, struct board_irq_source *src, const char *name,
			  struct error *err)
{
	if (b->nr_irq_sources == BOARD_MAX_IRQ_SOURCES)
		return error_set(err, -ENOSPC, "%s: no interrupt source left (raise "
				 "BOARD_MAX_IRQ_SOURCES)", name);
	*src = (struct board_irq_source){ .board = b, .bit = (uint8_t)b->nr_irq_sources++ };
	return 0;
}

/*
 * One source changes its drive on a line.  The lines are wired-OR (an ISA
 * line is high while any device holds it high), so the controller only
 * hears about changes of the OR.
 */
static void board_irq_wired_or(void *opaque, unsigned irq, bool level)
{
	struct board_irq_source *src = opaque;
	struct board *b = src->board;
	uint8_t *drivers, before;
	unsigned hold;

	if (irq >= BOARD_NR_IRQS)
		return;
	drivers = &b->irq_drivers[irq];
	before = *drivers;
	if (level)
		*drivers |= (uint8_t)(1u << src->bit);
	else
		*drivers &= (uint8_t)~(1u << src->bit);
	if ((before != 0) == (*drivers != 0))
		return;
	if (b->controller.set_input != NULL)
		b->controller.set_input(b->controller.opaque, irq, level);
	if (b->events.emit != NULL) {
		hold = b->controller.hold_reason != NULL && level ?
			b->controller.hold_reason(b->controller.opaque, irq) : IRQ_HOLD_NONE;
		dev_event_emit(&b->events, DEV_EVENT_IRQ,
			       level ? IRQ_EVENT_RAISED : IRQ_EVENT_LOWERED, 0, irq, hold, 0);
	}
}

struct irq_line board_irq_line(struct board_irq_source *src, unsigned irq)
{
	return irq_line_connect(board_irq_wired_or, src, irq);
}

int board_irq_subscribe(struct board *b, unsigned irq, struct board_irq_notifier notifier,
			struct error *err)
{
	if (irq >= BOARD_NR_IRQS)
		return error_set(err, -EINVAL, "no interrupt line %u to subscribe to", irq);
	if (b->nr_notifiers[irq] == BOARD_MAX_IRQ_NOTIFIERS)
		return error_set(err, -ENOSPC, "too many notifiers on IRQ %u", irq);
	b->notifiers[irq][b->nr_notifiers[irq]++] = notifier;
	return 0;
}

void board_irq_acked(struct board *b, unsigned irq)
{
	if (irq >= BOARD_NR_IRQS)
		return;
	for (unsigned i = 0; i < b->nr_notifiers[irq]; i++) {
		const struct board_irq_notifier *n = &b->notifiers[irq][i];

		if (n->acked != NULL)
			n->acked(n->opaque, irq);
	}
}

void board_irq_mask_changed(struct board *b, unsigned irq, bool masked)
{
	if (irq >= BOARD_NR_IRQS)
		return;
	for (unsigned i = 0; i < b->nr_notifiers[irq]; i++) {
		const struct board_irq_notifier *n = &b->notifiers[irq][i];

		if (n->mask_changed != NULL)
			n->mask_changed(n->opaque, irq, masked);
	}
}
