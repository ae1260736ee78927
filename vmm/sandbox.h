/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_SANDBOX_H
#define MINIVMM_SANDBOX_H

/*
 * Least privilege: once the machine is built (KVM, the VM, its memory, the
 * vCPU, every eventfd, timerfd and terminal setting are in place), each
 * thread confines itself to the few system calls it still needs, with a
 * seccomp allow-list (libseccomp) and PR_SET_NO_NEW_PRIVS.  A filter is
 * per thread: the loop thread and the vCPU thread each install their own
 * list (DEVELOPERS.md, "The seccomp allow-list", says what is on each and
 * why).
 *
 * Anything else traps (SIGSYS): the handler writes one line,
 *
 *   minivmm: seccomp: forbidden system call 41 (socket) on the vCPU thread:
 *   please report this (...)
 *
 * restores the terminal if it was in raw mode, and the process dies of
 * SIGSYS, as SCMP_ACT_KILL_PROCESS would kill it (exit status 128 + 31 =
 * 159 in a shell; a core dump where core dumps are enabled).
 */

#include <stdbool.h>
#include <termios.h>

#include "error.h"

enum sandbox_thread {
	SANDBOX_THREAD_LOOP,	/* the main thread: libev loop, console, teardown, exit */
	SANDBOX_THREAD_VCPU,	/* KVM_RUN and exit handling */
};

struct machine;

/*
 * Install `thread`'s list for machine m, on the calling thread: what
 * machine_run() (loop) and vcpu_thread() (vCPU) call once setup is done.
 * The vCPU fd and the console's terminal come from m.  0, or -errno with
 * err set: the caller stops the machine (EXIT_SETUP).
 */
int sandbox_install_machine(struct machine *m, enum sandbox_thread thread, struct error *err);

/* What the allow-lists need to know about the machine. */
struct sandbox_params {
	/* The vCPU fd: the vCPU thread's KVM ioctls are allowed on it only.
	 * Unused by the loop thread's list. */
	int vcpu_fd;
	/* --reboot: the vCPU thread may also put the vCPU back in its boot
	 * state (KVM_SET_REGS, KVM_SET_SREGS, KVM_{GET,SET}_VCPU_EVENTS). */
	bool vcpu_reboot;
	/* The terminal minivmm put in raw mode (stdin), or -1: getting and
	 * setting its attributes stays allowed, and on a forbidden call the
	 * handler puts `tty_saved` (copied) back on it before dying. */
	int tty_fd;
	const struct termios *tty_saved;
	/* --vga: the loop thread may fetch the VGA window's dirty page log
	 * (KVM_GET_DIRTY_LOG) on the VM fd vm_fd, to redraw the screen. */
	bool vga_dirty_log;
	int vm_fd;
	/* --gdb: the vCPU thread may also set guest debugging, translate
	 * addresses and set registers (KVM_SET_GUEST_DEBUG, KVM_TRANSLATE,
	 * KVM_SET_REGS, KVM_SET_SREGS) on the vCPU fd; the loop thread may
	 * accept4() on gdb_listen_fd. */
	bool gdb;
	int gdb_listen_fd;
};

/*
 * Install the calling thread's allow-list: PR_SET_NO_NEW_PRIVS, the
 * process-wide SIGSYS handler (first call only), then the filter.  Call it
 * once per thread, after everything the thread opens or maps has been
 * opened or mapped, and before the thread starts its work.  Threads
 * created afterwards by this thread inherit its filter.  0, or -errno with
 * err set (the thread is then unfiltered).
 *
 * In a sanitizer build it installs nothing and returns 0: see
 * sandbox_skipped_reason().
 */
int sandbox_install(enum sandbox_thread thread, const struct sandbox_params *p,
		    struct error *err);

/*
 * NULL when sandbox_install() installs filters in this build; otherwise
 * why it does not ("this is an AddressSanitizer build"): the sanitizers'
 * runtimes make calls at exit that no allow-list should hold (LeakSanitizer
 * clone()s a tracer that ptrace()s every thread).
 */
const char *sandbox_skipped_reason(void);

/* sandbox_install() in every build: for the unit test. */
int sandbox_install_always(enum sandbox_thread thread, const struct sandbox_params *p,
			   struct error *err);

/* "loop" or "vCPU", as the message says it. */
const char *sandbox_thread_name(enum sandbox_thread thread);

#endif
