// SPDX-License-Identifier: MIT
/*
 * The vCPU thread: KVM_RUN, then do what the exit asks, forever.
 *
 * Without an in-kernel irqchip, KVM leaves interrupts to us: before each
 * KVM_RUN we look at the interrupt controller's INTR pin and either inject
 * its vector (KVM_INTERRUPT) or, if the guest can't take one right now,
 * ask KVM to exit as soon as it can (request_interrupt_window).  See
 * Documentation/virt/kvm/api.rst, KVM_INTERRUPT and struct kvm_run.
 */
#include "vcpu.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/boot_plan.h"
#include "guest_cpuid.h"
#include "gdb.h"
#include "machine.h"
#include "sandbox.h"

#define VCPU_CR0_PE 0x1u		/* protection enable */
#define VCPU_CR0_ET 0x10u		/* extension type: always 1 since the 486 */

/* The signal that knocks the vCPU thread out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1

/* True on the vCPU thread: it needs no kick, it looks before each KVM_RUN. */
static __thread bool vcpu_on_own_thread;

static int vcpu_set_cpuid(struct vcpu *v, int kvm_fd, struct error *err)
{
	/* What this host's KVM supports, like `-cpu host`, fitted to the
	 * board (guest_cpuid.c). */
	enum { MAX_ENTRIES = 256 };
	struct kvm_cpuid2 *cpuid;
	int ret = 0;

	cpuid = calloc(1, sizeof(*cpuid) + MAX_ENTRIES * sizeof(cpuid->entries[0]));
	if (cpuid == NULL)
		return error_set(err, -ENOMEM, "out of memory");
	cpuid->nent = MAX_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
		ret = error_set(err, -errno, "KVM_GET_SUPPORTED_CPUID failed: %s", strerror(errno));
	} else {
		cpuid_fit_to_board(cpuid, cpuid_on_host);
		if (ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0)
			ret = error_set(err, -errno, "KVM_SET_CPUID2 failed: %s", strerror(errno));
	}
	free(cpuid);
	return ret;
}

int vcpu_create(struct vcpu *v, int kvm_fd, int vm_fd, bool want_where, struct error *err)
{
	int size;

	memset(v, 0, sizeof(*v));
	v->wake_fd = -1;
	v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (v->fd < 0)
		return error_set(err, -errno, "KVM_CREATE_VCPU failed: %s", strerror(errno));

	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return error_set(err, -EINVAL, "KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
	v->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return error_set(err, -errno, "cannot map the vCPU's kvm_run: %s", strerror(errno));
	}
	v->run_size = (size_t)size;

	v->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->wake_fd < 0)
		return error_set(err, -errno, "eventfd failed: %s", strerror(errno));

	if (want_where) {
		int caps = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);

		if (caps > 0 && (caps & KVM_SYNC_X86_REGS) && (caps & KVM_SYNC_X86_SREGS)) {
			v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
			v->sync_regs = true;
		}
	}

	/* The CPU starts in its architectural reset state, real mode at
	 * F000:FFF0 with CS base 0xffff0000; kept for a reboot. */
	if (ioctl(v->fd, KVM_GET_REGS, &v->reset_regs) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &v->reset_sregs) < 0)
		return error_set(err, -errno, "cannot read the vCPU's reset state: %s",
				 strerror(errno));
	return vcpu_set_cpuid(v, kvm_fd, err);
}

/* A flat 4 GiB segment from GDT entry `selector`: code (execute/read) or data (read/write). */
static struct kvm_segment vcpu_flat_segment(uint16_t selector, bool code)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector,
		.type = code ? 0xb : 0x3, .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

int vcpu_set_boot_state(struct vcpu *v, const struct boot_cpu *cpu, struct error *err)
{
	struct kvm_regs regs = v->reset_regs;
	struct kvm_sregs sregs = v->reset_sregs;
	struct kvm_vcpu_events events;

	if (cpu->mode == BOOT_CPU_FLAT32) {
		struct kvm_segment data = vcpu_flat_segment(cpu->data_selector, false);

		sregs.cs = vcpu_flat_segment(cpu->code_selector, true);
		sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
		sregs.gdt.base = cpu->gdt_base;
		sregs.gdt.limit = cpu->gdt_limit;
		/* Protected mode, paging off, caches on (the reset value has CD
		 * and NW set, which would make the guest's memory uncached). */
		sregs.cr0 = VCPU_CR0_PE | VCPU_CR0_ET;
		memset(&regs, 0, sizeof(regs));
		regs.rflags = 0x2;	/* bit 1 is always set; IF clear */
		regs.rip = cpu->eip;
		regs.rax = cpu->eax;
		regs.rbx = cpu->ebx;
		regs.rsi = cpu->esi;
		regs.rsp = cpu->esp;
	}
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return error_set(err, -errno, "cannot set the vCPU's boot registers: %s",
				 strerror(errno));
	/* No exception or interrupt left pending from before a reboot. */
	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &events) == 0) {
		events.exception.injected = events.exception.pending = 0;
		events.interrupt.injected = 0;
		events.nmi.injected = events.nmi.pending = 0;
		if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &events) < 0)
			return error_set(err, -errno, "cannot clear the vCPU's events: %s",
					 strerror(errno));
	}
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run != NULL)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	if (v->wake_fd >= 0)
		close(v->wake_fd);
	memset(v, 0, sizeof(*v));
	v->fd = v->wake_fd = -1;
}

/* Append a register dump to `buf`, for reports of a dead guest. */
static void vcpu_dump_registers(struct vcpu *v, char *buf, size_t size)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	size_t len = strlen(buf);

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		snprintf(buf + len, size - len, "\n  (registers unavailable: %s)", strerror(errno));
		return;
	}
	snprintf(buf + len, size - len,
		 "\n  rax %016llx rbx %016llx rcx %016llx rdx %016llx"
		 "\n  rsi %016llx rdi %016llx rsp %016llx rbp %016llx"
		 "\n  rip %016llx rflags %08llx"
		 "\n  cs %04x (base %08llx limit %08x)  ds %04x  es %04x  ss %04x (base %08llx)"
		 "\n  cr0 %08llx cr2 %08llx cr3 %08llx cr4 %08llx efer %llx"
		 "\n  gdt base %08llx limit %04x  idt base %08llx limit %04x",
		 r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, r.rip, r.rflags,
		 s.cs.selector, s.cs.base, s.cs.limit, s.ds.selector, s.es.selector,
		 s.ss.selector, s.ss.base, s.cr0, s.cr2, s.cr3, s.cr4, s.efer,
		 s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
}

/* Stop the machine because the guest (or KVM) failed, with registers. */
__attribute__((format(printf, 2, 3)))
static void vcpu_fail(struct machine *m, const char *fmt, ...)
{
	char msg[sizeof(m->exit_message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vcpu_dump_registers(&m->vcpu, msg, sizeof(msg));
	machine_stop(m, EXIT_GUEST_FAULT, "%s", msg);
}

/* An I/O event for the tracer (with the device lock held).  On every exit:
 * without --trace or --stats it is one test of a NULL pointer. */
static void vcpu_emit_io(struct machine *m, enum io_event type, uint64_t addr, uint64_t value,
			 unsigned size)
{
	struct dev_event ev;

	if (m->board.events.emit == NULL)
		return;
	ev = (struct dev_event){
		.source = DEV_EVENT_IO, .type = (uint8_t)type, .unit = (uint8_t)size,
		.arg = { (uint32_t)value, (uint32_t)(value >> 32), 0 }, .arg64 = addr,
	};
	m->board.events.emit(m->board.events.opaque, &ev);
}

static void vcpu_handle_io(struct machine *m)
{
	struct kvm_run *run = m->vcpu.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	unsigned size = run->io.size;

	/* `rep ins/outs` arrive as one exit with `count` elements side by side. */
	pthread_mutex_lock(&m->lock);
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		uint64_t value = 0;

		if (is_write) {
			memcpy(&value, data, size);
			bus_write(&m->bus, BUS_PIO, run->io.port, value, size);
		} else {
			value = bus_read(&m->bus, BUS_PIO, run->io.port, size);
			memcpy(data, &value, size);
		}
		vcpu_emit_io(m, is_write ? IO_EVENT_PORT_WRITE : IO_EVENT_PORT_READ,
			     run->io.port, value, size);
	}
	pthread_mutex_unlock(&m->lock);
}

static void vcpu_handle_mmio(struct machine *m)
{
	struct kvm_run *run = m->vcpu.run;
	unsigned size = run->mmio.len;
	uint64_t value = 0;

	if (size > sizeof(value))
		size = sizeof(value);
	pthread_mutex_lock(&m->lock);
	if (run->mmio.is_write) {
		memcpy(&value, run->mmio.data, size);
		bus_write(&m->bus, BUS_MMIO, run->mmio.phys_addr, value, size);
	} else {
		value = bus_read(&m->bus, BUS_MMIO, run->mmio.phys_addr, size);
		memcpy(run->mmio.data, &value, size);
	}
	vcpu_emit_io(m, run->mmio.is_write ? IO_EVENT_MMIO_WRITE : IO_EVENT_MMIO_READ,
		     run->mmio.phys_addr, value, size);
	pthread_mutex_unlock(&m->lock);
}

/*
 * Sleep until the interrupt controller raises INTR or the machine stops.
 * Besides its kick eventfd, the vCPU waits on the device timers itself
 * and runs one that expires (timer.h): the interrupt it raises is then
 * injected after one wake-up of this thread, instead of a wake-up of the
 * loop thread followed by a kick to this one.
 */
static void vcpu_wait_for_interrupt(struct machine *m)
{
	struct pollfd pfds[1 + DEVICE_TIMERS_MAX];
	struct device_timers *timers = &m->timers;
	unsigned nfds = 1;
	uint64_t count;

	pfds[0] = (struct pollfd){ .fd = m->vcpu.wake_fd, .events = POLLIN };
	for (unsigned i = 0; i < timers->n; i++)
		pfds[nfds++] = (struct pollfd){ .fd = timers->list[i]->fd, .events = POLLIN };
	for (;;) {
		bool wake;

		/* Clear the eventfd first: a kick after this point is not lost. */
		if (read(m->vcpu.wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			break;
		pthread_mutex_lock(&m->lock);
		wake = m->intr.level;
		pthread_mutex_unlock(&m->lock);
		if (wake || machine_stopping(m) || (m->gdb != NULL && gdb_vcpu_stop_wanted(m)))
			return;
		if (poll(pfds, nfds, -1) < 0 && errno != EINTR)
			return;
		for (unsigned i = 1; i < nfds; i++) {
			if (pfds[i].revents & POLLIN)
				device_timer_fire(timers->list[i - 1]);
		}
	}
}

/* Sleep until the machine stops: the guest halted for good (see below). */
static void vcpu_park_halted(struct machine *m)
{
	struct pollfd pfd = { .fd = m->vcpu.wake_fd, .events = POLLIN };
	uint64_t count;

	m->vcpu.halted_for_good = true;
	while (!machine_stopping(m)) {
		if (read(m->vcpu.wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			break;
		if (machine_stopping(m))
			break;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
	}
}

static void vcpu_handle_hlt(struct machine *m)
{
	/* Under gdb: a breakpoint (a HLT byte), or a step that ends here. */
	if (m->gdb != NULL && gdb_vcpu_hlt(m))
		return;
	if (!m->vcpu.run->if_flag) {
		/* No NMI source exists here, so nothing can ever resume this CPU.
		 * With --vga the screen is what the person looks at (a hobby
		 * kernel's "cli; hlt" after its last line): keep it up. */
		if (m->opts->vga) {
			vcpu_park_halted(m);
			return;
		}
		vcpu_fail(m, "guest hang: HLT with interrupts disabled, nothing can wake it");
		return;
	}
	if (m->gdb == NULL) {
		vcpu_wait_for_interrupt(m);
		return;
	}
	/* Under gdb, a stop asked for while halted parks here, and the halt
	 * goes on afterwards. */
	for (;;) {
		vcpu_wait_for_interrupt(m);
		if (machine_stopping(m) || !gdb_vcpu_stop_wanted(m))
			return;
		gdb_vcpu_check(m);
		if (gdb_vcpu_stepping(m))
			return;
	}
}

static const char *vcpu_internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION: return "instruction emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX: return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV: return "could not deliver an event";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON: return "unexpected exit reason";
	default: return "unknown suberror";
	}
}

/* Handle one exit; the machine's stopping flag says whether to go on. */
static void vcpu_handle_exit(struct machine *m)
{
	struct kvm_run *run = m->vcpu.run;
	struct vcpu_stats *st = &m->vcpu.stats;

	st->exits++;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		st->io++;
		vcpu_handle_io(m);
		break;
	case KVM_EXIT_MMIO:
		st->mmio++;
		vcpu_handle_mmio(m);
		break;
	case KVM_EXIT_HLT:
		st->hlt++;
		vcpu_handle_hlt(m);
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		st->irq_window++;	/* the injection happens before the next KVM_RUN */
		break;
	case KVM_EXIT_INTR:
		st->intr++;
		break;
	case KVM_EXIT_DEBUG:
		st->debug++;
		gdb_vcpu_debug_exit(m);	/* only with --gdb: a breakpoint, a watchpoint, a step */
		break;
	case KVM_EXIT_SHUTDOWN:
		vcpu_fail(m, "guest triple fault (KVM_EXIT_SHUTDOWN): an exception occurred "
			  "while the CPU could not deliver a double fault");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fail(m, "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY): hardware "
			  "entry failure reason 0x%llx",
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_fail(m, "KVM internal error (KVM_EXIT_INTERNAL_ERROR): %s (suberror %u)",
			  vcpu_internal_error_name(run->internal.suberror),
			  run->internal.suberror);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		machine_stop(m, run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ?
				 EXIT_QUIT : EXIT_GUEST_FAULT,
			     "guest asked for a system event %u (shutdown/reset), stopping",
			     run->system_event.type);
		break;
	default:
		vcpu_fail(m, "unhandled KVM exit reason %u", run->exit_reason);
		break;
	}
}

/* Tell the tracer once each time INTR starts waiting on the guest. */
static void vcpu_note_held(struct machine *m, enum irq_hold why)
{
	if (m->vcpu.intr_held)
		return;
	m->vcpu.intr_held = true;
	dev_event_emit(&m->board.events, DEV_EVENT_IRQ, IRQ_EVENT_HELD, 0, why, 0, 0);
}

/* Before entering the guest: deliver a pending interrupt if it can take one. */
static void vcpu_inject_interrupt(struct machine *m)
{
	struct kvm_run *run = m->vcpu.run;
	bool want_window = false;

	pthread_mutex_lock(&m->lock);
	if (m->intr.level) {
		if (run->ready_for_interrupt_injection && run->if_flag) {
			struct cpu_intr_ack ack = m->intr.acknowledge(m->intr.opaque);
			struct kvm_interrupt irq = { .irq = ack.vector };

			if (ioctl(m->vcpu.fd, KVM_INTERRUPT, &irq) < 0) {
				pthread_mutex_unlock(&m->lock);
				vcpu_fail(m, "KVM_INTERRUPT failed: %s", strerror(errno));
				return;
			}
			m->vcpu.stats.injected++;
			m->vcpu.intr_held = false;
			dev_event_emit(&m->board.events, DEV_EVENT_IRQ, IRQ_EVENT_INJECTED, 0,
				       ack.irq, ack.vector, 0);
			/* Another one may already be waiting behind it. */
			want_window = m->intr.level;
		} else {
			vcpu_note_held(m, run->if_flag ? IRQ_HOLD_NOT_READY : IRQ_HOLD_GUEST_IF);
			want_window = true;
		}
	} else {
		m->vcpu.intr_held = false;
	}
	pthread_mutex_unlock(&m->lock);
	run->request_interrupt_window = want_window;
}

static void *vcpu_thread(void *arg)
{
	struct machine *m = arg;
	struct vcpu *v = &m->vcpu;
	struct error err;

	vcpu_on_own_thread = true;
	/* Before the guest runs a single instruction: this thread's list. */
	if (m->opts->seccomp && sandbox_install_machine(m, SANDBOX_THREAD_VCPU, &err) < 0) {
		machine_stop(m, EXIT_SETUP, "%s", err.msg);
		return NULL;
	}
	while (!machine_stopping(m)) {
		if (m->gdb != NULL)
			gdb_vcpu_check(m);	/* parks here while gdb holds the guest */
		if (m->gdb != NULL && gdb_vcpu_stepping(m))
			v->run->request_interrupt_window = 0;	/* no interrupt while stepping */
		else
			vcpu_inject_interrupt(m);
		if (machine_stopping(m))
			break;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				/* Kicked: immediate_exit did its job, look around again. */
				__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
				v->stats.intr++;
				continue;
			}
			vcpu_fail(m, "KVM_RUN failed: %s", strerror(errno));
			break;
		}
		v->has_exited = true;
		vcpu_handle_exit(m);
		machine_reboot(m);
	}
	return NULL;
}

int vcpu_finish_exit(struct vcpu *v, struct error *err)
{
	int ret;

	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	ret = ioctl(v->fd, KVM_RUN, 0);
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	if (ret == 0 || errno == EINTR || errno == EAGAIN)
		return 0;
	return error_set(err, -errno, "KVM_RUN to finish the last exit failed: %s",
			 strerror(errno));
}

static void vcpu_kick_handler(int sig)
{
	(void)sig;	/* its only job is to make KVM_RUN return EINTR */
}

int vcpu_start(struct machine *m, struct error *err)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };
	sigset_t block, old;
	int ret;

	/* No SA_RESTART: the kick must interrupt the ioctl. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return error_set(err, -errno, "sigaction failed: %s", strerror(errno));

	/*
	 * The loop thread owns SIGINT, SIGTERM and SIGHUP (libev's ev_signal);
	 * the vCPU thread inherits a mask that blocks them, so it only ever
	 * sees its kick.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	m->vcpu.started = true;
	ret = pthread_create(&m->vcpu.thread, NULL, vcpu_thread, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret != 0) {
		m->vcpu.started = false;
		return error_set(err, -ret, "cannot start the vCPU thread: %s", strerror(ret));
	}
	return 0;
}

void vcpu_kick(struct machine *m)
{
	struct vcpu *v = &m->vcpu;
	uint64_t one = 1;
	ssize_t ignored;

	if (vcpu_on_own_thread || !v->started)
		return;	/* the vCPU thread looks at everything before its next KVM_RUN */
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	ignored = write(v->wake_fd, &one, sizeof(one));
	(void)ignored;
}

bool vcpu_where(void *opaque, struct trace_where *w)
{
	struct machine *m = opaque;
	struct kvm_run *run = m->vcpu.run;

	if (!vcpu_on_own_thread || !m->vcpu.sync_regs || !m->vcpu.has_exited)
		return false;
	w->known = true;
	w->cs = run->s.regs.sregs.cs.selector;
	w->rip = run->s.regs.regs.rip;
	return true;
}

void vcpu_join(struct machine *m)
{
	if (m->vcpu.started)
		pthread_join(m->vcpu.thread, NULL);
	m->vcpu.started = false;
}
