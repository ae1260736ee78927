/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOARD_H
#define MINIVMM_BOARD_H

/*
 * The board: which devices this PC has and how their pins are wired.
 *
 * Device models in devices/ know nothing of KVM, libev or threads.  Each
 * has one glue file in vmm/board/ that connects it to the bus, the clock,
 * the console and the interrupt lines, and exports a struct board_device;
 * board.c lists them in one table and owns the wiring they share:
 *
 *   - ISA interrupt lines are wired-OR: every device that drives a line
 *     gets its own board_irq_source, and the interrupt controller's input
 *     sees the OR of all sources.
 *   - Acknowledge and mask notifiers per line (as KVM's irq ack notifiers
 *     and crosvm's resample events): the interrupt controller reports
 *     "IRQ n was acknowledged / (un)masked" to the board, and whoever
 *     drives the line and cares (the PIT's tick policy) subscribed to it.
 *     No device's glue knows about another device.
 *
 * Every function here runs with the device lock held (machine.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus.h"
#include "error.h"
#include "events.h"
#include "irq.h"

struct machine;

#define BOARD_NR_IRQS 16		/* the ISA lines IRQ0-15 */
#define BOARD_MAX_DEVICES 16
#define BOARD_MAX_IRQ_SOURCES 8		/* devices driving interrupt lines */
#define BOARD_MAX_IRQ_NOTIFIERS 4	/* per line */

/* One entry of the device table: what a glue file exports. */
struct board_device {
	const char *name;
	size_t state_size;	/* the board allocates this much, zeroed, for setup */
	/* Create the device, claim its bus ranges, wire its pins.  0 or -errno. */
	int (*setup)(struct machine *m, void *state, struct error *err);
	/* Undo setup, after the vCPU thread stopped.  Also called when setup
	 * failed half-way, on the zeroed state it began with: undo only what
	 * was done.  May be NULL. */
	void (*teardown)(struct machine *m, void *state);
	/* Put the device back in its power-on state, keeping its bus claims
	 * and wiring: the guest rebooted and --reboot restarts the machine.
	 * Runs on the vCPU thread with the device lock held.  May be NULL
	 * (a device with no state of its own). */
	void (*reset)(struct machine *m, void *state);
	/* With --kernel our firmware stands in for a PC BIOS that ran before
	 * the kernel: leave the device as such a BIOS leaves it (SeaBIOS, on
	 * QEMU, which kernels are tested on).  Called after setup and after
	 * every reset, before the kernel's first instruction, on the thread
	 * that set up or reset the board.  May be NULL: the power-on state is
	 * what a BIOS leaves. */
	void (*firmware_handover)(struct machine *m, void *state);
	/* Print what the device counted, for --stats ("minivmm: stats: ..."
	 * lines).  May be NULL. */
	void (*print_stats)(void *state, FILE *out);
};

/* One device's drive onto the wired-OR interrupt lines. */
struct board_irq_source {
	struct board *board;
	uint8_t bit;		/* this source's bit in board.irq_drivers[] */
};

/* What the interrupt controller does with a line's level. */
struct board_irq_controller {
	void (*set_input)(void *opaque, unsigned irq, bool level);
	/* Why a request on `irq` is not reaching the CPU now: an enum
	 * irq_hold (vmm/trace.h), IRQ_HOLD_NONE when it is.  For tracing. */
	unsigned (*hold_reason)(void *opaque, unsigned irq);
	void *opaque;
};

/* Subscribers to what the interrupt controller did with one line. */
struct board_irq_notifier {
	/* The controller acknowledged the line's request (INTA or poll), or
	 * discarded it unacknowledged (re-initialisation).  May be NULL. */
	void (*acked)(void *opaque, unsigned irq);
	/* The line's mask bit changed.  May be NULL. */
	void (*mask_changed)(void *opaque, unsigned irq, bool masked);
	void *opaque;
};

struct board {
	size_t nr_ready;			/* devices set up so far, for teardown */
	bool torn_down;
	void *state[BOARD_MAX_DEVICES];		/* each device's glue state */
	struct board_irq_controller controller;
	unsigned nr_irq_sources;
	uint8_t irq_drivers[BOARD_NR_IRQS];	/* source bits holding each line high */
	struct board_irq_notifier notifiers[BOARD_NR_IRQS][BOARD_MAX_IRQ_NOTIFIERS];
	unsigned nr_notifiers[BOARD_NR_IRQS];
	struct dev_events events;		/* the tracer, for every device */
};

/* Create every device in the table, in order.  0 or -errno with err set. */
int board_setup(struct machine *m, struct error *err);

/*
 * Stop every device that was set up, in reverse order (after the vCPU
 * thread has stopped): timers, the console.  What they counted stays
 * readable for board_print_stats().  Only the first call does anything.
 */
void board_teardown(struct machine *m);

/* Reset every device to its power-on state (a reboot), lock held. */
void board_reset(struct machine *m);

/* Every device as the firmware leaves it for a --kernel boot (above). */
void board_firmware_handover(struct machine *m);

/* Tear down if not done yet, and free the devices' state. */
void board_free(struct machine *m);

/* Each device's --stats lines (also after board_teardown()). */
void board_print_stats(struct machine *m, FILE *out);

/* Claim a range of the bus for a device, with a one-line error naming it. */
int board_claim(struct machine *m, enum bus_space space, uint64_t base, uint64_t len,
		const char *name, const struct bus_ops *ops, void *opaque, struct error *err);

/*
 * For models that decode absolute port numbers and answer at several
 * ranges (the PIC, the PIT): each range is claimed with a window that
 * remembers where it starts, so one pair of handlers serves them all and
 * adds `base` back to the offset.
 */
struct board_port_range {
	uint16_t base, len;
};

struct board_port_window {
	void *state;		/* the device's glue state */
	uint16_t base;
};

int board_claim_ports(struct machine *m, struct board_port_window *windows,
		      const struct board_port_range *ranges, size_t n, const char *name,
		      const struct bus_ops *ops, void *state, struct error *err);

/* ---- interrupt lines ---- */

/* The interrupt controller's inputs: set once, by its glue, before the
 * devices that drive lines are set up (the controller comes first). */
void board_set_irq_controller(struct board *b, struct board_irq_controller controller);

/* A new driver of interrupt lines.  0, or -ENOSPC with err set. */
int board_irq_source_init(struct board *b, struct board_irq_source *src, const char *name,
			  struct error *err);

/* A device's output pin wired to ISA line `irq` through source `src`. */
struct irq_line board_irq_line(struct board_irq_source *src, unsigned irq);

/* Subscribe to what the controller does with line `irq`.  0 or -errno. */
int board_irq_subscribe(struct board *b, unsigned irq, struct board_irq_notifier notifier,
			struct error *err);

/* For the interrupt controller's glue: report to the line's subscribers. */
void board_irq_acked(struct board *b, unsigned irq);
void board_irq_mask_changed(struct board *b, unsigned irq, bool masked);

#endif
