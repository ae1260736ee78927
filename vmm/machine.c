// SPDX-License-Identifier: MIT
/*
 * The machine's life: create, run, stop, destroy.  main() decides what to
 * build and prints what went wrong; this file puts the pieces together in
 * the right order and takes them apart again.
 */
#include "machine.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gdb.h"
#include "sandbox.h"
#include "util.h"

static const int machine_stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void machine_on_stop(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void machine_on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	machine_stop(w->data, EXIT_SIGNAL_BASE + w->signum, "stopped by signal %d (%s)",
		     w->signum, strsignal(w->signum));
}

int machine_create(struct machine *m, const struct options *opts,
		   const struct boot_images *images, struct error *err)
{
	int ret;

	m->opts = opts;
	/* Now, while every system call is still allowed (sandbox.h). */
	nbwrite_open(&m->err_out, STDERR_FILENO);
	m->vm.kvm_fd = m->vm.vm_fd = -1;
	m->vcpu.fd = m->vcpu.wake_fd = -1;
	pthread_mutex_init(&m->lock, NULL);
	bus_init(&m->bus);
	m->loop = ev_default_loop(EVFLAG_AUTO);
	if (m->loop == NULL)
		return error_set(err, -ENOMEM, "cannot create the event loop");
	m->timers = (struct device_timers){ .loop = m->loop, .lock = &m->lock };
	ev_async_init(&m->stop_watcher, machine_on_stop);
	ev_async_start(m->loop, &m->stop_watcher);
	for (size_t i = 0; i < ARRAY_SIZE(machine_stop_signals); i++) {
		ev_signal_init(&m->signal_watchers[i], machine_on_signal, machine_stop_signals[i]);
		m->signal_watchers[i].data = m;
		ev_signal_start(m->loop, &m->signal_watchers[i]);
	}
	/* A vanished stdout reader is handled where we write, not by dying. */
	signal(SIGPIPE, SIG_IGN);

	ret = trace_init(&m->tracer, m->loop, opts->trace_mask, opts->stats, STDERR_FILENO,
				 err);
	/* --trace-file: opened now, while open(2) is allowed; closed by trace_exit(). */
	if (ret == 0 && opts->trace_file != NULL)
		ret = trace_open_file(&m->tracer, opts->trace_file, err);
	/* The images first: a bad kernel is reported whether or not KVM works. */
	if (ret == 0)
		ret = boot_prepare(&m->boot, images, opts->ram_size, err);
	if (ret == 0)
		ret = vm_create(&m->vm, opts->kvm_path, err);
	if (ret == 0) {
		m->vm.vga_window = opts->vga;	/* the VGA window's writes logged */
		ret = vm_setup_memory(&m->vm, opts->ram_size, m->boot.rom, m->boot.rom_size, err);
	}
	if (ret == 0)
		ret = vcpu_create(&m->vcpu, m->vm.kvm_fd, m->vm.vm_fd,
				  (m->tracer.print_mask | m->tracer.json_mask) != 0, err);
	if (ret == 0)
		ret = boot_apply(&m->boot, &m->vm, &m->vcpu, err);
	if (ret == 0) {
		m->tracer.where = vcpu_where;
		m->tracer.where_opaque = m;
		m->board.events = trace_sink(&m->tracer);
		ret = board_setup(m, err);
	}
	/* --kernel: our firmware "ran" first; leave the devices as a BIOS does. */
	if (ret == 0 && boot_uses_firmware(&m->boot)) {
		pthread_mutex_lock(&m->lock);
		board_firmware_handover(m);
		pthread_mutex_unlock(&m->lock);
	}
	/* The vCPU exists and nothing is filtered yet: open the socket now. */
	if (ret == 0 && opts->gdb_port != 0)
		ret = gdb_create(m, err);
	/* main() reports the terminal's losses; COM1's file's come with them. */
	m->console.report_also = &m->serial;
	return ret;
}

int machine_run(struct machine *m)
{
	struct error err;

	if (vcpu_start(m, &err) < 0) {
		machine_stop(m, EXIT_SETUP, "%s", err.msg);
	} else {
		/* Everything is open and the vCPU runs: from here on, the loop's list. */
		if (m->opts->seccomp && sandbox_install_machine(m, SANDBOX_THREAD_LOOP, &err) < 0)
			machine_stop(m, EXIT_SETUP, "%s", err.msg);
		ev_run(m->loop, 0);
		vcpu_join(m);
		if (m->vcpu.halted_for_good && m->exit_message[0] == '\0')
			snprintf(m->exit_message, sizeof(m->exit_message), "the guest halted with "
				 "interrupts off (cli; hlt): nothing could wake it, so its screen "
				 "stayed up until you quit");
		gdb_notify_exit(m);	/* an attached gdb hears the exit status */
	}
	board_teardown(m);	/* flushes the guest's output, restores the terminal */
	trace_exit(&m->tracer);
	return m->exit_status;
}

void machine_print_stats(struct machine *m, FILE *out)
{
	const struct vcpu_stats *s = &m->vcpu.stats;

	fprintf(out,
		"minivmm: stats: %" PRIu64 " exits: %" PRIu64 " io, %" PRIu64 " mmio, %" PRIu64
		" hlt, %" PRIu64 " kicks, %" PRIu64 " irq windows; %" PRIu64 " interrupts injected\n",
		s->exits, s->io, s->mmio, s->hlt, s->intr, s->irq_window, s->injected);
	if (m->opts->reboot)
		fprintf(out, "minivmm: stats: %" PRIu64 " reboots\n", m->reboots);
	for (int space = 0; space < BUS_NR_SPACES; space++) {
		const struct bus_unclaimed *u = &m->bus.unclaimed[space];

		fprintf(out, "minivmm: stats: unclaimed %s accesses: %" PRIu64 " reads, %" PRIu64
			" writes", bus_space_name(space), u->reads, u->writes);
		if (u->reads + u->writes > 0)
			fprintf(out, " (last at 0x%" PRIx64 ")", u->last_addr);
		fputc('\n', out);
	}
	board_print_stats(m, out);
	gdb_print_stats(m, out);
	trace_print_stats(&m->tracer, out);
}

void machine_destroy(struct machine *m)
{
	nbwrite_close(&m->err_out);
	gdb_destroy(m);
	board_free(m);
	trace_exit(&m->tracer);
	vcpu_destroy(&m->vcpu);
	vm_destroy(&m->vm);
	/* The loop is the process's default one: leave no watcher of ours in it. */
	if (m->loop != NULL) {
		ev_async_stop(m->loop, &m->stop_watcher);
		for (size_t i = 0; i < ARRAY_SIZE(machine_stop_signals); i++)
			ev_signal_stop(m->loop, &m->signal_watchers[i]);
	}
}

void machine_stop(struct machine *m, int status, const char *fmt, ...)
{
	bool expected = false;
	va_list ap;

	/* A one-way latch: the first reason to stop is the one reported. */
	if (!atomic_compare_exchange_strong(&m->stopping, &expected, true))
		return;
	m->exit_status = status;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(m->exit_message, sizeof(m->exit_message), fmt, ap);
		va_end(ap);
	}
	vcpu_kick(m);
	ev_async_send(m->loop, &m->stop_watcher);
}

void machine_set_intr(struct machine *m, bool level)
{
	m->intr.level = level;
	if (level)
		vcpu_kick(m);
}

void machine_request_reset(struct machine *m, const char *how)
{
	/*
	 * Like Firecracker, and QEMU with -no-reboot, a reboot ends the run by
	 * default: a person who types `reboot` in a test kernel wants their
	 * shell back.  With --reboot the vCPU thread restarts the machine
	 * once the current exit is done (machine_reboot).
	 */
	if (!m->opts->reboot) {
		machine_stop(m, EXIT_QUIT, "guest reset the machine (%s); --reboot restarts it",
			     how);
		return;
	}
	m->reset_pending = true;
}

void machine_reboot(struct machine *m)
{
	struct error err;
	bool pending;

	/* After every exit, so no lock for the common answer: only this
	 * thread sets the flag (a device's reset, from an I/O exit). */
	if (!m->reset_pending)
		return;
	pthread_mutex_lock(&m->lock);
	pending = m->reset_pending;
	if (pending) {
		m->reset_pending = false;
		board_reset(m);		/* every device to its power-on state */
		if (boot_uses_firmware(&m->boot))
			board_firmware_handover(m);
		m->reboots++;
	}
	pthread_mutex_unlock(&m->lock);
	if (!pending)
		return;
	/* The images again, and the CPU at its boot state. */
	if (vcpu_finish_exit(&m->vcpu, &err) < 0 ||
	    boot_apply(&m->boot, &m->vm, &m->vcpu, &err) < 0)
		machine_stop(m, EXIT_GUEST_FAULT, "cannot restart the machine: %s", err.msg);
}

void machine_request_poweroff(struct machine *m, const char *how)
{
	machine_stop(m, EXIT_QUIT, "guest powered the machine off (%s)", how);
}
