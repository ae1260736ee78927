/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_MACHINE_H
#define MINIVMM_MACHINE_H

/*
 * The machine: everything one running guest consists of, and the rules
 * for the two threads that share it.
 *
 * Threads and ownership:
 *   - the vCPU thread runs KVM_RUN and handles exits (vcpu.c);
 *   - the main thread runs the libev loop: console, signals, device timers.
 *   - `lock` (the device lock) protects the bus and every device's state,
 *     and the CPU's interrupt input.  Both threads take it around each
 *     device access; nothing blocks while holding it.  Order: lock, then
 *     the console's out_lock, never the reverse.
 *   - stopping is a one-way latch (machine_stop), callable from any thread.
 */

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "board/board.h"
#include "boot/boot.h"
#include "bus.h"
#include "console.h"
#include "error.h"
#include "timer.h"
#include "trace.h"
#include "vcpu.h"
#include "vm.h"

/* Exit statuses of the minivmm process; guest-chosen ones are odd. */
enum {
	EXIT_QUIT = 0,		/* the person quit (Ctrl-A x) */
	EXIT_SETUP = 2,		/* bad option, bad image, no usable KVM */
	EXIT_GUEST_FAULT = 4,	/* triple fault, hang, entry failure, unknown exit */
	EXIT_SIGNAL_BASE = 128,	/* + signal number, as a shell reports it */
};

struct options {
	const char *bios_path;		/* NULL: the built-in default kernel */
	const char *kernel_path;	/* --kernel: a Linux bzImage, instead of a bios */
	const char *initrd_path;	/* --initrd, with --kernel */
	const char *append;		/* --append: the kernel command line; NULL: default */
	bool reboot;			/* --reboot: a guest reset restarts the machine */
	bool vga;			/* --vga: the VGA text screen and the PS/2 keyboard
					 * are this terminal */
	const char *serial;		/* --serial: where COM1 goes: NULL (the terminal,
					 * or nowhere with --vga), "none", or a file */
	const char *debugcon;		/* --debugcon FILE: port 0xE9's bytes; NULL: stderr */
	bool testdev;			/* --testdev: QEMU's pc-testdev ports and MMIO */
	int gdb_port;			/* --gdb PORT: the GDB stub on 127.0.0.1; 0: none */
	bool gdb_wait;			/* --gdb-wait: stopped before the first instruction */
	const char *trace_file;		/* --trace-file FILE.json: the Chrome trace timeline */
	const char *kvm_path;		/* the KVM device, VM_KVM_DEVICE unless told */
	uint64_t ram_size;
	bool stats;			/* print exit, bus and device statistics at the end */
	unsigned trace_mask;		/* --trace: 1 << enum dev_event_source to print */
	bool seccomp;			/* confine each thread to its allow-list (sandbox.h);
					 * main() sets it unless --no-seccomp */
};

/* What the INTA cycle answered: the vector, and which IRQ it was for. */
struct i8042_board;

struct cpu_intr_ack {
	uint8_t vector;
	uint8_t irq;		/* 0-15, or IRQ_SPURIOUS (trace.h) */
};

/* The CPU's INTR pin, driven by the interrupt controller (if any). */
struct cpu_intr {
	bool level;
	/* The INTA cycle: the vector to deliver now that the CPU takes it. */
	struct cpu_intr_ack (*acknowledge)(void *opaque);
	void *opaque;
};

struct machine {
	const struct options *opts;
	struct vm vm;
	struct vcpu vcpu;
	struct boot boot;		/* the ROM and the boot plan, re-applied at reboot */
	bool reset_pending;		/* the guest reset the machine (--reboot): set under
					 * lock by a device, on the vCPU thread only */
	uint64_t reboots;
	struct bus bus;
	struct board board;
	struct console console;		/* the terminal: COM1's line, or with --vga the
					 * screen and the keyboard (board/vga.c) */
	struct console serial;		/* COM1's output to --serial FILE (board/com1.c) */
	struct i8042_board *i8042;	/* the keyboard controller's glue, for the
					 * keys typed on the VGA console */
	struct tracer tracer;
	struct nbwrite err_out;		/* stderr, for the last words at exit (nbwrite.h) */
	struct device_timers timers;	/* every device's timer (timer.h) */
	struct ev_loop *loop;
	ev_signal signal_watchers[3];	/* SIGINT, SIGTERM, SIGHUP */
	struct gdb_stub *gdb;		/* --gdb: the GDB stub (gdb.h); NULL without */

	pthread_mutex_t lock;		/* the device lock, see above */
	struct cpu_intr intr;		/* under lock */

	/* Stopping: the first machine_stop() wins. */
	atomic_bool stopping;
	int exit_status;
	char exit_message[2048];	/* may hold a register dump */
	ev_async stop_watcher;
};

/*
 * Build the machine: KVM, memory with the ROM and the images loaded as
 * the boot plan says, the vCPU, the board, the tracer.  0, or -errno with
 * err set; either way call machine_destroy() afterwards.
 */
int machine_create(struct machine *m, const struct options *opts,
		   const struct boot_images *images, struct error *err);

/* On the vCPU thread, between exits: carry out a pending --reboot. */
void machine_reboot(struct machine *m);

/*
 * Run the guest until something stops it (the guest, the person, a
 * signal); then stop the devices, flush the guest's output and restore
 * the terminal.  Returns the exit status; m->exit_message says why.
 */
int machine_run(struct machine *m);

/* --stats: exits, bus, devices, events. */
void machine_print_stats(struct machine *m, FILE *out);

/* Free everything machine_create() made (also after a failed create). */
void machine_destroy(struct machine *m);

/*
 * Ask the machine to stop with this exit status; `fmt` (may be NULL) is
 * the one-line reason main() prints.  Kicks the vCPU out of KVM_RUN and
 * wakes the loop.  Any thread; only the first call counts.
 */
__attribute__((format(printf, 3, 4)))
void machine_stop(struct machine *m, int status, const char *fmt, ...);

static inline bool machine_stopping(struct machine *m)
{
	return atomic_load(&m->stopping);
}

/*
 * The guest resets the machine (port 0x92, 0xCF9, the i8042's pulse on
 * its reset line): minivmm exits with status 0, or with --reboot the
 * machine restarts from its power-on state.  `how` names the mechanism,
 * for the exit message.  Device lock held, vCPU thread.
 */
void machine_request_reset(struct machine *m, const char *how);

/* The guest powers the machine off (ACPI S5 and the like): minivmm exits
 * with status 0.  Device lock held, vCPU thread. */
void machine_request_poweroff(struct machine *m, const char *how);

/* Raise/lower the CPU's INTR pin (with the device lock held). */
void machine_set_intr(struct machine *m, bool level);

#endif
