// SPDX-License-Identifier: MIT
/*
 * Interrupt injection latency: from the host event (a timer deadline) to
 * the first instruction of the guest's interrupt handler, which is an OUT
 * to the benchmark port (bench/kernels/irq_latency.asm).  Measured with
 * the vCPU running guest code (`jmp $`, IF = 1: it must be kicked out of
 * KVM_RUN) and halted (`sti; hlt`: it must be woken from its HLT exit).
 *
 * Through minivmm the event takes the path of the PIT and the UART: a
 * device_timer (timerfd, loop thread, device lock) raises IRQ 5 through a
 * board_irq_source, the PIC raises INTR, vcpu_kick(), KVM_INTERRUPT.  The
 * baseline does the least that can do the same: a thread blocked on a
 * timerfd kicks the vCPU thread (immediate_exit + signal + eventfd), which
 * injects the vector itself; no PIC, no lock, no loop.
 *
 * Both paths share the schedule (irq_schedule below): one event at a time,
 * the next 100-200 us after the previous one was handled, with the same
 * pseudo-random jitter so neither phase-locks to anything periodic.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "bench.h"
#include "board/board.h"
#include "harness.h"
#include "raw_kvm.h"
#include "timer.h"

#define IRQ_SAMPLES_FULL 100000
#define IRQ_SAMPLES_QUICK 3000

#define IRQ_LINE 5
#define IRQ_VECTOR 0x25			/* PIC master base 0x20 + IRQ 5, as the guest sets it */
#define IRQ_MODE_SPIN 0			/* irq_latency.asm must agree */
#define IRQ_MODE_HALT 1

#define IRQ_GAP_NS 100000u		/* next event: this long after the last one was */
#define IRQ_JITTER_NS 100000u		/* handled, plus up to this much */
#define IRQ_FIRST_NS 1000000u		/* first event: the guest is just about to STI */
/* An event not handled this long after its deadline is counted lost, and
 * the schedule goes on; generous, so a descheduled host thread on a busy
 * machine shows up as latency rather than as a loss. */
#define IRQ_LOST_AFTER_NS 200000000u

#define IRQ_GOAL 1.2			/* median ratio */
#define IRQ_P99_GOAL 2.0		/* p99 ratio */

#define RAW_KICK_SIGNAL SIGUSR2		/* minivmm's vCPU uses SIGUSR1 */

/*
 * One run's schedule and results, the same for both paths.  In minivmm it
 * is under the device lock; in the baseline only the vCPU thread touches it.
 */
struct irq_schedule {
	unsigned mode;		/* IRQ_MODE_* */
	size_t want;		/* events to schedule in all */
	uint64_t *latency;	/* ns, one per handled event */
	size_t handled;
	size_t lost;		/* not handled within IRQ_LOST_AFTER_NS */
	size_t unexpected;	/* handler entries with no event outstanding */
	uint64_t deadline;	/* of the next or outstanding event; UINT64_MAX: none yet */
	bool outstanding;	/* raised, its handler not yet seen */
	uint64_t limit;		/* give up at this time, whatever the guest does */
	bool timed_out;
	uint32_t rng;
};

static void irq_schedule_init(struct irq_schedule *s, unsigned mode, size_t want,
			      uint64_t *latency)
{
	*s = (struct irq_schedule){
		.mode = mode, .want = want, .latency = latency, .deadline = UINT64_MAX,
		/* Twice the longest schedule, plus time to boot: only a guest
		 * that stopped taking interrupts gets near it. */
		.limit = bench_now_ns() + 2 * want * (uint64_t)(IRQ_GAP_NS + IRQ_JITTER_NS) +
			 10000000000ull,
		.rng = 0x2545f491u,	/* same seed, same gaps on both paths */
	};
}

static bool irq_done(const struct irq_schedule *s)
{
	return s->handled + s->lost >= s->want || s->timed_out;
}

/* The next event, a jittered gap after `now` (xorshift32). */
static void irq_schedule_next(struct irq_schedule *s, uint64_t now)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	s->outstanding = false;
	s->deadline = now + IRQ_GAP_NS + s->rng % IRQ_JITTER_NS;
}

/* The guest asked how to wait: it is ready, the first event can come. */
static unsigned irq_guest_ready(struct irq_schedule *s, uint64_t now)
{
	if (s->deadline == UINT64_MAX)
		s->deadline = now + IRQ_FIRST_NS;
	return s->mode;
}

/* When the timer should fire next: the event, its loss, or the limit. */
static uint64_t irq_next_timer(const struct irq_schedule *s)
{
	uint64_t next = s->deadline;

	if (irq_done(s))
		return UINT64_MAX;
	if (next != UINT64_MAX && s->outstanding)
		next += IRQ_LOST_AFTER_NS;
	return next < s->limit ? next : s->limit;
}

/* What the timer's expiry means for the interrupt line. */
enum irq_action { IRQ_KEEP, IRQ_RAISE, IRQ_LOWER };

/*
 * The timer fired at `now`, maybe for a deadline that has moved since it
 * was armed: check.  IRQ_RAISE: the event is due.  IRQ_LOWER: the
 * outstanding event was lost, take the request back.
 */
static enum irq_action irq_timer_fired(struct irq_schedule *s, uint64_t now)
{
	if (now >= s->limit) {
		s->timed_out = true;
		return IRQ_LOWER;
	}
	if (s->deadline == UINT64_MAX || now < s->deadline)
		return IRQ_KEEP;
	if (!s->outstanding) {
		s->outstanding = true;
		return IRQ_RAISE;
	}
	if (now >= s->deadline + IRQ_LOST_AFTER_NS) {
		s->lost++;
		irq_schedule_next(s, now);
		return IRQ_LOWER;
	}
	return IRQ_KEEP;
}

/* The guest's handler started at `now`. */
static void irq_handler_entered(struct irq_schedule *s, uint64_t now)
{
	if (!s->outstanding) {
		s->unexpected++;	/* a duplicate, or a late one already counted lost */
		return;
	}
	if (s->handled < s->want)
		s->latency[s->handled++] = now - s->deadline;
	irq_schedule_next(s, now);
}

/* ---- through minivmm ---------------------------------------------------- */

struct irq_vmm {
	struct machine *m;
	struct irq_schedule *s;
	struct board_irq_source source;
	struct irq_line line;		/* IRQ 5, this bench device's pin */
	struct device_timer timer;
};

/* IN from the bench port: the guest is set up and asks which way to wait. */
static uint64_t irq_vmm_port_read(void *opaque, uint64_t offset, unsigned size)
{
	struct irq_vmm *v = opaque;
	uint64_t now = bench_now_ns();
	unsigned mode = irq_guest_ready(v->s, now);

	(void)offset;
	(void)size;
	device_timer_update(&v->timer, now);
	return mode;
}

/* OUT from the bench port: the handler's first instruction (vCPU thread, lock held). */
static void irq_vmm_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct irq_vmm *v = opaque;
	uint64_t now = bench_now_ns();

	(void)offset;
	(void)value;
	(void)size;
	irq_handler_entered(v->s, now);
	/* An edge-triggered PIC input: the request was latched at the rising
	 * edge and taken by the INTA; the line must drop before the next edge. */
	irq_line_set(&v->line, false);
	if (irq_done(v->s))
		machine_stop(v->m, 0, NULL);
	else
		device_timer_update(&v->timer, now);
}

static const struct bus_ops irq_vmm_ops = {
	.read = irq_vmm_port_read, .write = irq_vmm_port_write,
};

static uint64_t irq_vmm_timer_next(void *opaque, uint64_t now_ns)
{
	struct irq_vmm *v = opaque;

	(void)now_ns;
	return machine_stopping(v->m) ? UINT64_MAX : irq_next_timer(v->s);
}

/* Loop thread, device lock held: the host event. */
static void irq_vmm_timer_expired(void *opaque, uint64_t now_ns)
{
	struct irq_vmm *v = opaque;

	enum irq_action action;

	if (machine_stopping(v->m))
		return;
	/* now_ns was read with the lock held, CLOCK_MONOTONIC like bench_now_ns(). */
	action = irq_timer_fired(v->s, now_ns);
	if (action != IRQ_KEEP)
		irq_line_set(&v->line, action == IRQ_RAISE);
	if (irq_done(v->s))
		machine_stop(v->m, 0, NULL);
}

static int irq_minivmm(const uint8_t *image, size_t size, struct irq_schedule *s,
		       struct error *err)
{
	struct bench_vmm b;
	struct irq_vmm v = { .s = s };
	int ret = bench_vmm_create(&b, image, size, BENCH_RAM, -1, err);

	v.m = b.m;
	if (ret == 0)
		ret = board_claim(b.m, BUS_PIO, BENCH_PORT, 1, "bench-irq", &irq_vmm_ops, &v, err);
	if (ret == 0)
		ret = board_irq_source_init(&b.m->board, &v.source, "bench-irq", err);
	if (ret == 0) {
		v.line = board_irq_line(&v.source, IRQ_LINE);
		ret = device_timer_init(&v.timer, &b.m->timers, irq_vmm_timer_next,
					irq_vmm_timer_expired, &v, err);
	}
	if (ret == 0) {
		/* Armed at the limit from the start: a guest that never gets as
		 * far as asking for its mode still ends. */
		pthread_mutex_lock(&b.m->lock);
		device_timer_update(&v.timer, bench_now_ns());
		pthread_mutex_unlock(&b.m->lock);
		bench_vmm_run(&b);
		if (b.m->exit_status != 0)
			ret = error_set(err, -EIO, "minivmm stopped: %s", b.m->exit_message);
	}
	device_timer_exit(&v.timer);	/* no-op if never initialised */
	bench_vmm_destroy(&b);
	return ret;
}

/* ---- the baseline --------------------------------------------------------- */

struct irq_raw {
	struct raw_kvm k;
	struct irq_schedule *s;
	pthread_t vcpu_thread, timer_thread;
	int timer_fd;		/* armed by the vCPU thread, read by the timer thread */
	int wake_fd;		/* eventfd: wakes a halted vCPU */
	atomic_bool fired;	/* the timer expired since the vCPU thread last looked */
	atomic_bool stop;
	bool irq_pending;	/* vCPU thread only: raised, not injected yet */
};

static void irq_raw_kick_handler(int sig)
{
	(void)sig;	/* only here to make KVM_RUN (or poll) return EINTR */
}

/* The timer thread: on each expiry, tell the vCPU thread and kick it. */
static void *irq_raw_timer_thread(void *arg)
{
	struct irq_raw *r = arg;
	uint64_t expirations, one = 1;

	for (;;) {
		if (read(r->timer_fd, &expirations, sizeof(expirations)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (atomic_load(&r->stop))
			break;
		/* `fired` first: whatever the kick makes the vCPU thread look at,
		 * it sees it set. */
		atomic_store(&r->fired, true);
		__atomic_store_n(&r->k.run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(r->vcpu_thread, RAW_KICK_SIGNAL);
		if (write(r->wake_fd, &one, sizeof(one)) < 0)
			break;
	}
	return NULL;
}

static void irq_raw_arm(struct irq_raw *r, uint64_t at)
{
	struct itimerspec its = { 0 };

	if (at != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(at / 1000000000u);
		its.it_value.tv_nsec = (long)(at % 1000000000u);
		if (at == 0)
			its.it_value.tv_nsec = 1;	/* 0 would disarm */
	}
	timerfd_settime(r->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Whatever the timer said since we last looked. */
static void irq_raw_check_timer(struct irq_raw *r)
{
	if (!atomic_exchange(&r->fired, false))
		return;
	switch (irq_timer_fired(r->s, bench_now_ns())) {
	case IRQ_RAISE:
		r->irq_pending = true;
		break;
	case IRQ_LOWER:
		r->irq_pending = false;
		break;
	case IRQ_KEEP:
		break;
	}
	irq_raw_arm(r, irq_next_timer(r->s));
}

/* HLT with IF = 1: sleep until the timer fires (or the limit passes). */
static void irq_raw_wait(struct irq_raw *r)
{
	struct pollfd pfd = { .fd = r->wake_fd, .events = POLLIN };
	uint64_t count;

	while (!r->irq_pending && !irq_done(r->s)) {
		/* Clear the eventfd before looking: a later expiry is not lost. */
		if (read(r->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			return;
		irq_raw_check_timer(r);
		if (r->irq_pending || irq_done(r->s))
			return;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return;
	}
}

/* One exit.  0, or -errno with err set. */
static int irq_raw_exit(struct irq_raw *r, struct error *err)
{
	struct kvm_run *run = r->k.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (run->io.port != BENCH_PORT) {
			/* The guest's PIC programming and EOIs: no PIC here. */
			if (run->io.direction == KVM_EXIT_IO_IN)
				memset(data, 0xff, (size_t)run->io.size * run->io.count);
		} else if (run->io.direction == KVM_EXIT_IO_OUT) {
			irq_handler_entered(r->s, bench_now_ns());
			irq_raw_arm(r, irq_next_timer(r->s));
		} else {
			data[0] = (uint8_t)irq_guest_ready(r->s, bench_now_ns());
			irq_raw_arm(r, irq_next_timer(r->s));
		}
		return 0;
	case KVM_EXIT_HLT:
		if (!run->if_flag)
			return error_set(err, -EIO, "guest halted with interrupts off");
		irq_raw_wait(r);
		return 0;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		return 0;	/* injection happens before the next KVM_RUN */
	default:
		return error_set(err, -EIO, "unexpected exit %u", run->exit_reason);
	}
}

static int irq_raw_loop(struct irq_raw *r, struct error *err)
{
	struct kvm_run *run = r->k.run;
	int ret = 0;

	while (ret == 0) {
		/* Look after every exit: the timer may have ended the run (the
		 * last event lost, or the limit), and a spinning guest would
		 * not exit again by itself. */
		irq_raw_check_timer(r);
		if (irq_done(r->s))
			break;
		/* What vcpu_inject_interrupt() does, without a PIC to ask. */
		if (r->irq_pending && run->ready_for_interrupt_injection && run->if_flag) {
			ret = raw_kvm_interrupt(&r->k, IRQ_VECTOR);
			if (ret < 0)
				return error_set(err, ret, "KVM_INTERRUPT: %s", strerror(-ret));
			r->irq_pending = false;
		}
		run->request_interrupt_window = r->irq_pending;
		ret = raw_kvm_run(&r->k);
		if (ret == -EINTR || ret == -EAGAIN) {
			__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			ret = 0;
		} else if (ret < 0) {
			ret = error_set(err, ret, "KVM_RUN: %s", strerror(-ret));
		} else {
			ret = irq_raw_exit(r, err);
		}
	}
	return ret;
}

static int irq_raw(const uint8_t *image, size_t size, struct irq_schedule *s, struct error *err)
{
	struct sigaction sa = { .sa_handler = irq_raw_kick_handler };	/* no SA_RESTART */
	struct irq_raw r = { .s = s, .timer_fd = -1, .wake_fd = -1 };
	bool started = false;
	int ret;

	sigemptyset(&sa.sa_mask);
	ret = raw_kvm_create(&r.k, image, size, BENCH_RAM, err);
	if (ret == 0 && sigaction(RAW_KICK_SIGNAL, &sa, NULL) < 0)
		ret = error_set(err, -errno, "sigaction: %s", strerror(errno));
	if (ret == 0) {
		r.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		r.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r.timer_fd < 0 || r.wake_fd < 0)
			ret = error_set(err, -errno, "timerfd/eventfd: %s", strerror(errno));
	}
	if (ret == 0) {
		r.vcpu_thread = pthread_self();
		ret = -pthread_create(&r.timer_thread, NULL, irq_raw_timer_thread, &r);
		if (ret < 0)
			error_set(err, ret, "pthread_create: %s", strerror(-ret));
		started = ret == 0;
	}
	if (ret == 0) {
		irq_raw_arm(&r, irq_next_timer(s));	/* the limit, until the guest is ready */
		ret = irq_raw_loop(&r, err);
	}
	if (started) {
		atomic_store(&r.stop, true);
		irq_raw_arm(&r, 0);	/* "now": the timer thread wakes, sees stop */
		pthread_join(r.timer_thread, NULL);
	}
	if (r.timer_fd >= 0)
		close(r.timer_fd);
	if (r.wake_fd >= 0)
		close(r.wake_fd);
	raw_kvm_destroy(&r.k);
	return ret;
}

/* ---- the benchmark ------------------------------------------------------- */

static int irq_measure(const struct bench_options *o, const uint8_t *image, size_t size,
		       unsigned mode, const char *what, const char *name, struct error *err)
{
	size_t want = o->quick ? IRQ_SAMPLES_QUICK : IRQ_SAMPLES_FULL;
	struct irq_schedule mine, raw;
	uint64_t *lat_mine = calloc(want, sizeof(uint64_t));
	uint64_t *lat_raw = calloc(want, sizeof(uint64_t));
	char label[64];
	int ret = 0;

	if (lat_mine == NULL || lat_raw == NULL)
		ret = error_set(err, -ENOMEM, "out of memory");
	if (ret == 0) {
		irq_schedule_init(&raw, mode, want, lat_raw);
		ret = irq_raw(image, size, &raw, err);
	}
	if (ret == 0) {
		irq_schedule_init(&mine, mode, want, lat_mine);
		ret = irq_minivmm(image, size, &mine, err);
	}
	if (ret == 0 && (mine.handled == 0 || raw.handled == 0))
		ret = error_set(err, -EIO, "%s: no interrupt handled (lost: minivmm %zu, raw %zu; "
				"wall-clock limit hit: %s, %s)", what, mine.lost, raw.lost,
				mine.timed_out ? "yes" : "no", raw.timed_out ? "yes" : "no");
	if (ret == 0) {
		struct bench_latencies lm = { lat_mine, mine.handled, mine.lost };
		struct bench_latencies lr = { lat_raw, raw.handled, raw.lost };
		struct bench_summary sm;

		snprintf(label, sizeof(label), "irq-%s", name);
		sm = bench_report_latency(o, label, what, &lm, &lr, IRQ_GOAL, IRQ_P99_GOAL);
		if (mode == IRQ_MODE_HALT)
			bench_irq_halted_p99_ns = sm.p99;
		if (mine.unexpected + raw.unexpected > 0 || mine.timed_out || raw.timed_out)
			printf("%-34s   WARNING: handler entries with no event outstanding: %zu / "
			       "%zu; wall-clock limit hit: %s / %s\n", "", mine.unexpected,
			       raw.unexpected, mine.timed_out ? "yes" : "no",
			       raw.timed_out ? "yes" : "no");
		fflush(stdout);
	}
	free(lat_mine);
	free(lat_raw);
	return ret;
}

int bench_irq(const struct bench_options *o, struct error *err)
{
	uint8_t *image = NULL;
	size_t size;
	int ret = bench_load_kernel("irq_latency", &image, &size, err);

	if (ret == 0)
		ret = irq_measure(o, image, size, IRQ_MODE_SPIN, "IRQ latency, vCPU running",
				  "running", err);
	if (ret == 0)
		ret = irq_measure(o, image, size, IRQ_MODE_HALT, "IRQ latency, vCPU halted",
				  "halted", err);
	free(image);
	return ret;
}
