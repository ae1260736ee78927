/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_VCPU_H
#define MINIVMM_VCPU_H

/*
 * The virtual CPU: a thread that runs KVM_RUN and turns each exit into bus
 * accesses, interrupt injections or a verdict on the guest.
 */

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct machine;

/* Exit counts, for --stats.  Written by the vCPU thread only. */
struct vcpu_stats {
	uint64_t exits;
	uint64_t io, mmio, hlt, intr, irq_window, injected;
	uint64_t debug;		/* KVM_EXIT_DEBUG, with --gdb */
};

struct vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started;
	int wake_fd;		/* eventfd: a halted vCPU sleeps in poll() on it */
	bool sync_regs;		/* KVM copies RIP and CS into run->s.regs at each exit */
	bool has_exited;	/* run->s.regs holds a real exit's registers */
	bool intr_held;		/* INTR high and the guest could not take it: told once */
	bool halted_for_good;	/* HLT with IF=0 under --vga: parked until the person quits */
	struct vcpu_stats stats;
	/* The architectural reset state KVM created the vCPU in, for a reboot. */
	struct kvm_regs reset_regs;
	struct kvm_sregs reset_sregs;
};

/*
 * Create vCPU 0 of the VM, in its architectural reset state.  With
 * `want_where`, ask KVM to hand over the registers at every exit
 * (KVM_CAP_SYNC_REGS) so trace lines can say where the guest was.
 */
int vcpu_create(struct vcpu *v, int kvm_fd, int vm_fd, bool want_where, struct error *err);

struct boot_cpu;

/* Put the vCPU in the state a boot plan starts in (boot/boot_plan.h):
 * the reset state, or flat 32-bit protected mode.  0 or -errno. */
int vcpu_set_boot_state(struct vcpu *v, const struct boot_cpu *cpu, struct error *err);

/* Complete the instruction of the last I/O or MMIO exit without running
 * the guest further (KVM_RUN with immediate_exit), so that registers may
 * be replaced (api.rst, "KVM_EXIT_IO ... complete only after userspace
 * has re-entered the kernel").  vCPU thread.  0 or -errno. */
int vcpu_finish_exit(struct vcpu *v, struct error *err);

/* Start the vCPU thread (it runs until the machine stops). */
int vcpu_start(struct machine *m, struct error *err);

/* Get the vCPU out of KVM_RUN (or a halt) soon: it will look at the
 * machine's state again.  Any thread; cheap if called from the vCPU
 * thread itself. */
void vcpu_kick(struct machine *m);

struct trace_where;

/*
 * Where the guest was at its last exit (CS:RIP; for an I/O or MMIO exit,
 * the instruction that made the access), for an event emitted on the vCPU
 * thread; false on other threads, before the first exit, or without sync
 * regs.  The signature of tracer.where; opaque is the machine.
 */
bool vcpu_where(void *opaque, struct trace_where *w);

/* Wait for the vCPU thread to end (after machine_stop). */
void vcpu_join(struct machine *m);

void vcpu_destroy(struct vcpu *v);

#endif
