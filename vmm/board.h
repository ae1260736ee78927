/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOARD_H
#define MINIVMM_BOARD_H

/*
 * The board: which devices this PC has, where they sit on the bus, and how
 * their pins are wired (interrupt lines, the console, the clock).
 *
 * Device models in devices/ know nothing of KVM, libev or threads; this is
 * the only place that connects them to the rest of the VMM.  Adding a
 * device means adding its state here and one entry to the table in
 * board.c.
 */

#include <ev.h>
#include <stdint.h>

#include "debug_exit.h"
#include "error.h"
#include "pic8259.h"
#include "pit8254.h"
#include "testdev.h"
#include "uart16550.h"

struct machine;

/*
 * A device's one timer.  Devices report the absolute time of their next
 * event; the board keeps a timerfd armed for it, watched by the loop.  A
 * timerfd rather than an ev_timer: libev rounds timeouts up to whole
 * milliseconds, a timerfd keeps nanoseconds, and it may be re-armed from
 * the vCPU thread without waking the loop.
 */
struct board_timer {
	int fd;
	ev_io watcher;
	uint64_t armed_ns;	/* UINT64_MAX: disarmed.  Under the device lock. */
	uint64_t (*next_deadline)(struct machine *m, uint64_t now_ns);
	void (*expired)(struct machine *m, uint64_t now_ns);
	struct machine *machine;
};

/* Who drives an ISA IRQ line: lines are wired-OR, so the PIC input is high
 * while any source holds it high. */
enum board_irq_source {
	BOARD_IRQ_PIT = 1 << 0,
	BOARD_IRQ_COM1 = 1 << 1,
	BOARD_IRQ_TESTDEV = 1 << 2,
};

#define BOARD_NR_IRQS 16

/* One port range of a device that decodes absolute port numbers. */
struct board_window {
	struct machine *machine;
	uint16_t base;
};

struct board {
	size_t nr_ready;	/* devices set up so far, for teardown */
	uint8_t irq_sources[BOARD_NR_IRQS];	/* enum board_irq_source bits now high */
	struct pic pic;
	struct board_window pic_windows[3];
	struct pit pit;
	struct board_window pit_windows[2];
	struct board_timer pit_timer;
	struct debug_exit debug_exit;
	struct uart com1;
	struct board_timer com1_timer;
	struct testdev testdev;
};

/* Create every device, claim its bus ranges, wire its pins. */
int board_setup(struct machine *m, struct error *err);

/* Undo board_setup (after the vCPU thread has stopped). */
void board_teardown(struct machine *m);

#endif
