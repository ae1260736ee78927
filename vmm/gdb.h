/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_GDB_H
#define MINIVMM_GDB_H

/*
 * The GDB remote stub (--gdb PORT, --gdb-wait): gdb connects to
 * 127.0.0.1:PORT (`target remote :PORT`) and debugs the guest as QEMU's
 * gdbstub lets it: registers, memory, breakpoints, watchpoints, steps,
 * Ctrl-C.  The protocol itself is gdb_proto.[ch]; this is the part that
 * touches the socket and KVM.
 *
 * Threads (DEVELOPERS.md, "The GDB stub"):
 *   - the loop thread owns the socket (an ev_io) and speaks the protocol;
 *   - the vCPU thread stops ("parks") between two KVM_RUNs when asked, and
 *     while parked runs the requests the loop thread posts in a one-slot
 *     mailbox (registers, memory, breakpoints), since only it makes KVM
 *     ioctls on the vCPU; the loop thread waits for each (microseconds).
 *   - a stop (breakpoint, step, Ctrl-C) reaches the loop through an
 *     ev_async, which sends gdb the stop reply.
 * Nothing here costs anything without --gdb: m->gdb is NULL and the vCPU
 * thread's hooks are one test of it.
 */

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

struct machine;
struct gdb_stub;

/* Listen on 127.0.0.1:opts->gdb_port (before seccomp) and set m->gdb;
 * with --gdb-wait the vCPU will park before its first instruction.
 * 0, or -errno with err set. */
int gdb_create(struct machine *m, struct error *err);

/* The machine has stopped (vCPU joined): tell an attached gdb how it
 * ended ("W" exit status, or "X" signal).  Loop thread. */
void gdb_notify_exit(struct machine *m);

/* Close the sockets and free the stub (NULL-safe). */
void gdb_destroy(struct machine *m);

/* --stats: one line. */
void gdb_print_stats(struct machine *m, FILE *out);

/* What others may read of the stub: the first member of struct gdb_stub,
 * so that sandbox.c needs no symbol of gdb.c (its unit test links alone). */
struct gdb_stub_head {
	int listen_fd;		/* 127.0.0.1:PORT, for the loop's accept4() rule */
};

/* The listening socket of stub `g` (m->gdb); -1 without --gdb. */
static inline int gdb_listen_fd(const struct gdb_stub *g)
{
	return g != NULL ? ((const struct gdb_stub_head *)(const void *)g)->listen_fd : -1;
}

/* ---- vCPU thread hooks (vcpu.c), only when m->gdb != NULL ------------------------ */

/* Before each KVM_RUN: park here if gdb asked for a stop; returns once gdb
 * resumes the guest or the machine stops. */
void gdb_vcpu_check(struct machine *m);

/* Whether gdb asked for a stop that has not happened yet (a halted vCPU
 * stops waiting for its interrupt). */
bool gdb_vcpu_stop_wanted(struct machine *m);

/* Single-stepping: no interrupt is injected meanwhile (QEMU's default,
 * SSTEP_NOIRQ), so a step never lands in an interrupt handler. */
bool gdb_vcpu_stepping(struct machine *m);

/* A HLT exit: one of our HLT breakpoints (RIP put back on it, the vCPU
 * parked), or the end of a step; true when it was either and the vCPU
 * was resumed: the halt is then not waited. */
bool gdb_vcpu_hlt(struct machine *m);

/* KVM_EXIT_DEBUG: one of our breakpoints, watchpoints or a step (park),
 * or the guest's own INT3/#DB (given back to the guest). */
void gdb_vcpu_debug_exit(struct machine *m);

#endif
