// SPDX-License-Identifier: MIT
/*
 * Console input latency: from the moment the host writes one byte into
 * the VMM's stdin (a pipe) to the first instruction of the guest's IRQ 4
 * handler, an OUT to the benchmark port (bench/kernels/irq_console.asm).
 * With the vCPU running (`jmp $`) and halted (`sti; hlt`), as in irq.c.
 *
 * Through minivmm the byte takes the console's path: the loop thread's
 * stdin watcher (console_in_cb), com1_deliver() under the device lock,
 * uart_receive(), IRQ 4 through the PIC, vcpu_kick(), KVM_INTERRUPT.  The
 * baseline does the least a console loop can: a thread blocked in read()
 * on the same kind of pipe kicks the vCPU thread (immediate_exit + signal
 * + eventfd), which injects vector 0x24 itself and answers the guest's
 * RBR, IIR and LSR reads; no PIC, no UART model, no lock, no loop.
 *
 * Both paths share the writer (con_writer below), a thread of this
 * process: one byte at a time, the next 100-200 us (same pseudo-random
 * jitter) after the previous one's handler was entered.
 */
#define _GNU_SOURCE	/* pipe2() */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "board/board.h"
#include "harness.h"
#include "raw_kvm.h"
#include "uart16550.h"

#define CON_SAMPLES_FULL 20000
#define CON_SAMPLES_QUICK 1000

#define CON_VECTOR 0x24			/* PIC master base 0x20 + IRQ 4 */
#define CON_MODE_SPIN 0			/* irq_console.asm must agree */
#define CON_MODE_HALT 1
#define COM1_BASE 0x3f8

#define CON_GAP_NS 100000u		/* next byte: this long after the last handler */
#define CON_JITTER_NS 100000u		/* entry, plus up to this much */
#define CON_FIRST_NS 1000000u		/* first byte: the guest is just about to STI */
#define CON_LOST_AFTER_MS 200		/* a byte whose handler has not run by then is lost */
#define CON_GIVE_UP_LOST 50		/* this many lost: the guest is not listening */
#define CON_READY_MS 10000		/* the guest must ask its mode within this */

#define CON_GOAL 1.2			/* median ratio */
#define CON_P99_GOAL 2.0		/* p99 ratio */

#define RAW_KICK_SIGNAL SIGUSR2		/* minivmm's vCPU uses SIGUSR1 */

/* One run, the same for both paths. */
struct con_run {
	unsigned mode;		/* CON_MODE_* */
	size_t want;
	uint64_t *latency;	/* ns, one per handled byte (writer thread) */
	size_t handled, lost, late;	/* late: handler entries after their byte was lost */
	bool gave_up;
	int wfd;		/* the pipe's write end: the host's keyboard */
	int ready_fd;		/* eventfd: the guest asked its mode */
	int entered_fd;		/* eventfd: the guest's handler was entered */
	atomic_uint_fast64_t entries, entered_ns;
	atomic_bool stop;	/* the machine ended: the writer stops too */
	void (*finish)(void *opaque);	/* the writer is done: end the machine */
	void *opaque;
};

static void con_run_init(struct con_run *s, unsigned mode, size_t want, uint64_t *latency)
{
	*s = (struct con_run){
		.mode = mode, .want = want, .latency = latency,
		.wfd = -1, .ready_fd = -1, .entered_fd = -1,
	};
}

static void con_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0)
		return;	/* an eventfd does not fail short of overflow */
}

/* Bench port IN, vCPU thread: the guest is ready, tell the writer. */
static unsigned con_guest_ready(struct con_run *s)
{
	con_signal(s->ready_fd);
	return s->mode;
}

/* Bench port OUT, vCPU thread: the handler's first instruction. */
static void con_handler_entered(struct con_run *s, uint64_t now)
{
	atomic_store(&s->entered_ns, now);
	atomic_fetch_add(&s->entries, 1);
	con_signal(s->entered_fd);
}

/* Wait for `fd` to be signalled; false after `ms` or once stopped. */
static bool con_wait(struct con_run *s, int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t count;
	int waited = 0;

	/* In slices, so that a machine that ended is noticed. */
	while (!atomic_load(&s->stop) && waited < ms) {
		int n = poll(&pfd, 1, 20);

		if (n > 0) {
			if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
				return false;
			return true;
		}
		if (n < 0 && errno != EINTR)
			return false;
		waited += 20;
	}
	return false;
}

static void con_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* The host's keyboard: one byte, wait for its handler, a gap, the next. */
static void *con_writer(void *arg)
{
	struct con_run *s = arg;
	uint32_t rng = 0x2545f491u;	/* same seed, same gaps on both paths */
	uint64_t accounted = 0, count;
	const uint8_t byte = 'x';

	if (!con_wait(s, s->ready_fd, CON_READY_MS)) {
		s->gave_up = true;
		goto out;
	}
	con_sleep_ns(CON_FIRST_NS);
	while (s->handled + s->lost < s->want && !atomic_load(&s->stop)) {
		uint64_t t0, entries;

		/* Entries since the last look belong to bytes already counted lost. */
		entries = atomic_load(&s->entries);
		s->late += entries - accounted;
		accounted = entries;
		if (read(s->entered_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			break;
		t0 = bench_now_ns();
		if (write(s->wfd, &byte, 1) != 1)
			break;
		for (;;) {
			bool signalled = con_wait(s, s->entered_fd, CON_LOST_AFTER_MS);

			entries = atomic_load(&s->entries);
			if (entries > accounted) {
				s->latency[s->handled++] = atomic_load(&s->entered_ns) - t0;
				accounted++;
				break;
			}
			if (!signalled) {
				s->lost++;
				break;
			}
		}
		if (s->lost >= CON_GIVE_UP_LOST) {
			s->gave_up = true;
			break;
		}
		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		con_sleep_ns(CON_GAP_NS + rng % CON_JITTER_NS);
	}
out:
	s->finish(s->opaque);
	return NULL;
}

/* Pipe, eventfds and the writer thread.  0, or -errno with err set. */
static int con_start(struct con_run *s, int *rfd, pthread_t *writer, struct error *err)
{
	int p[2], ret;

	s->ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->entered_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->ready_fd < 0 || s->entered_fd < 0)
		return error_set(err, -errno, "eventfd: %s", strerror(errno));
	if (pipe2(p, O_CLOEXEC) < 0)
		return error_set(err, -errno, "pipe: %s", strerror(errno));
	*rfd = p[0];
	s->wfd = p[1];
	ret = -pthread_create(writer, NULL, con_writer, s);
	if (ret < 0)
		return error_set(err, ret, "pthread_create: %s", strerror(-ret));
	return 0;
}

static void con_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- through minivmm ---------------------------------------------------- */

struct con_vmm {
	struct machine *m;
	struct con_run *s;
};

static uint64_t con_vmm_port_read(void *opaque, uint64_t offset, unsigned size)
{
	struct con_vmm *v = opaque;

	(void)offset;
	(void)size;
	return con_guest_ready(v->s);
}

static void con_vmm_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct con_vmm *v = opaque;

	(void)offset;
	(void)value;
	(void)size;
	con_handler_entered(v->s, bench_now_ns());
}

static const struct bus_ops con_vmm_ops = {
	.read = con_vmm_port_read, .write = con_vmm_port_write,
};

static void con_vmm_finish(void *opaque)
{
	struct con_vmm *v = opaque;

	if (v->m != NULL)	/* NULL: the machine was never made */
		machine_stop(v->m, 0, NULL);
}

static int con_minivmm(const uint8_t *image, size_t size, struct con_run *s, struct error *err)
{
	struct bench_vmm b = { 0 };
	struct con_vmm v = { .s = s };
	pthread_t writer;
	bool started = false, created = false;
	int rfd = -1, ret;

	s->finish = con_vmm_finish;
	s->opaque = &v;
	ret = con_start(s, &rfd, &writer, err);
	started = ret == 0;
	if (ret == 0) {
		/* The writer waits for the guest's IN: v.m is set before it matters. */
		ret = bench_vmm_create_io(&b, image, size, BENCH_RAM, rfd, -1, err);
		v.m = b.m;
		created = true;
	}
	con_close(&rfd);	/* the machine's stdin is a copy of it now */
	if (ret == 0)
		ret = board_claim(b.m, BUS_PIO, BENCH_PORT, 1, "bench-console", &con_vmm_ops, &v,
				  err);
	if (ret == 0) {
		bench_vmm_run(&b);
		if (b.m->exit_status != 0)
			ret = error_set(err, -EIO, "minivmm stopped: %s", b.m->exit_message);
	}
	atomic_store(&s->stop, true);
	if (started)
		pthread_join(writer, NULL);
	if (created)	/* a zeroed one would "restore" fd 0 over stdout */
		bench_vmm_destroy(&b);
	con_close(&s->wfd);
	con_close(&s->ready_fd);
	con_close(&s->entered_fd);
	return ret;
}

/* ---- the baseline --------------------------------------------------------- */

struct con_raw {
	struct raw_kvm k;
	struct con_run *s;
	pthread_t vcpu_thread, reader_thread;
	int rfd;		/* the pipe's read end: the reader's console */
	int wake_fd;		/* eventfd: wakes a halted vCPU */
	atomic_bool fired;	/* a byte arrived since the vCPU thread last looked */
	atomic_int rx_byte;
	atomic_bool stop;
	bool rx_ready;		/* vCPU thread only: RBR holds a byte */
	bool irq_pending;	/* vCPU thread only: raised, not injected yet */
};

static void con_raw_kick_handler(int sig)
{
	(void)sig;	/* only here to make KVM_RUN (or poll) return EINTR */
}

static void con_raw_kick(struct con_raw *r)
{
	__atomic_store_n(&r->k.run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(r->vcpu_thread, RAW_KICK_SIGNAL);
	con_signal(r->wake_fd);
}

/* The console loop: a blocking read, then kick the vCPU. */
static void *con_raw_reader(void *arg)
{
	struct con_raw *r = arg;
	uint8_t byte;

	for (;;) {
		ssize_t n = read(r->rfd, &byte, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* end of input: the writer closed its end */
		atomic_store(&r->rx_byte, byte);
		atomic_store(&r->fired, true);
		con_raw_kick(r);
	}
	return NULL;
}

static void con_raw_finish(void *opaque)
{
	struct con_raw *r = opaque;

	atomic_store(&r->stop, true);
	con_raw_kick(r);
}

static void con_raw_check(struct con_raw *r)
{
	if (atomic_exchange(&r->fired, false))
		r->rx_ready = r->irq_pending = true;
}

/* HLT with IF = 1: sleep until a byte comes (or the run ends). */
static void con_raw_wait(struct con_raw *r)
{
	struct pollfd pfd = { .fd = r->wake_fd, .events = POLLIN };
	uint64_t count;

	for (;;) {
		/* Clear the eventfd before looking: a later byte is not lost. */
		if (read(r->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			return;
		con_raw_check(r);
		if (r->irq_pending || atomic_load(&r->stop))
			return;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return;
	}
}

/* The UART as far as the guest looks at it; everything else reads 0. */
static uint8_t con_raw_uart_read(struct con_raw *r, unsigned port)
{
	switch (port - COM1_BASE) {
	case UART_REG_RBR:
		r->rx_ready = false;
		return (uint8_t)atomic_load(&r->rx_byte);
	case UART_REG_IIR:
		return r->rx_ready ? UART_IIR_ID_RDA : UART_IIR_NO_INT;
	case UART_REG_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT | (r->rx_ready ? UART_LSR_DR : 0);
	default:
		return 0;
	}
}

static int con_raw_exit(struct con_raw *r, struct error *err)
{
	struct kvm_run *run = r->k.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (run->io.port == BENCH_PORT) {
			if (run->io.direction == KVM_EXIT_IO_OUT)
				con_handler_entered(r->s, bench_now_ns());
			else
				data[0] = (uint8_t)con_guest_ready(r->s);
		} else if (run->io.direction == KVM_EXIT_IO_IN) {
			/* The PIC: no PIC here.  The UART: just enough of it. */
			memset(data, 0, (size_t)run->io.size * run->io.count);
			if (run->io.port >= COM1_BASE && run->io.port < COM1_BASE + UART_NR_REGS)
				data[0] = con_raw_uart_read(r, run->io.port);
		}
		return 0;
	case KVM_EXIT_HLT:
		if (!run->if_flag)
			return error_set(err, -EIO, "guest halted with interrupts off");
		con_raw_wait(r);
		return 0;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		return 0;
	default:
		return error_set(err, -EIO, "unexpected exit %u", run->exit_reason);
	}
}

static int con_raw_loop(struct con_raw *r, struct error *err)
{
	struct kvm_run *run = r->k.run;
	int ret = 0;

	while (ret == 0 && !atomic_load(&r->stop)) {
		con_raw_check(r);
		if (r->irq_pending && run->ready_for_interrupt_injection && run->if_flag) {
			ret = raw_kvm_interrupt(&r->k, CON_VECTOR);
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
			ret = con_raw_exit(r, err);
		}
	}
	return ret;
}

static int con_raw(const uint8_t *image, size_t size, struct con_run *s, struct error *err)
{
	struct sigaction sa = { .sa_handler = con_raw_kick_handler };	/* no SA_RESTART */
	struct con_raw r = { .s = s, .rfd = -1, .wake_fd = -1 };
	bool writing = false, reading = false;
	pthread_t writer;
	int ret;

	sigemptyset(&sa.sa_mask);
	r.vcpu_thread = pthread_self();
	s->finish = con_raw_finish;
	s->opaque = &r;
	ret = raw_kvm_create(&r.k, image, size, BENCH_RAM, err);
	if (ret == 0 && sigaction(RAW_KICK_SIGNAL, &sa, NULL) < 0)
		ret = error_set(err, -errno, "sigaction: %s", strerror(errno));
	if (ret == 0) {
		r.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r.wake_fd < 0)
			ret = error_set(err, -errno, "eventfd: %s", strerror(errno));
	}
	if (ret == 0) {
		ret = con_start(s, &r.rfd, &writer, err);
		writing = ret == 0;
	}
	if (ret == 0) {
		ret = -pthread_create(&r.reader_thread, NULL, con_raw_reader, &r);
		if (ret < 0)
			error_set(err, ret, "pthread_create: %s", strerror(-ret));
		reading = ret == 0;
	}
	if (ret == 0)
		ret = con_raw_loop(&r, err);
	atomic_store(&s->stop, true);
	if (writing)
		pthread_join(writer, NULL);
	con_close(&s->wfd);	/* the reader sees the end of input */
	if (reading)
		pthread_join(r.reader_thread, NULL);
	con_close(&r.rfd);
	con_close(&r.wake_fd);
	con_close(&s->ready_fd);
	con_close(&s->entered_fd);
	raw_kvm_destroy(&r.k);
	return ret;
}

/* ---- the benchmark ------------------------------------------------------- */

static int con_measure(const struct bench_options *o, const uint8_t *image, size_t size,
		       unsigned mode, const char *what, const char *name, struct error *err)
{
	size_t want = o->quick ? CON_SAMPLES_QUICK : CON_SAMPLES_FULL;
	struct con_run mine, raw;
	uint64_t *lat_mine = calloc(want, sizeof(uint64_t));
	uint64_t *lat_raw = calloc(want, sizeof(uint64_t));
	char label[64];
	int ret = 0;

	if (lat_mine == NULL || lat_raw == NULL)
		ret = error_set(err, -ENOMEM, "out of memory");
	if (ret == 0) {
		con_run_init(&raw, mode, want, lat_raw);
		ret = con_raw(image, size, &raw, err);
	}
	if (ret == 0) {
		con_run_init(&mine, mode, want, lat_mine);
		ret = con_minivmm(image, size, &mine, err);
	}
	if (ret == 0 && (mine.handled == 0 || raw.handled == 0))
		ret = error_set(err, -EIO, "%s: no byte handled (lost: minivmm %zu, raw %zu; "
				"gave up: %s, %s)", what, mine.lost, raw.lost,
				mine.gave_up ? "yes" : "no", raw.gave_up ? "yes" : "no");
	if (ret == 0) {
		struct bench_latencies lm = { lat_mine, mine.handled, mine.lost };
		struct bench_latencies lr = { lat_raw, raw.handled, raw.lost };

		snprintf(label, sizeof(label), "irq-console-%s", name);
		bench_report_latency(o, label, what, &lm, &lr, CON_GOAL, CON_P99_GOAL);
		if (mine.late + raw.late > 0 || mine.gave_up || raw.gave_up)
			printf("%-34s   WARNING: handler entries after their byte was counted "
			       "lost: %zu / %zu; gave up: %s / %s\n", "", mine.late, raw.late,
			       mine.gave_up ? "yes" : "no", raw.gave_up ? "yes" : "no");
		fflush(stdout);
	}
	free(lat_mine);
	free(lat_raw);
	return ret;
}

int bench_irq_console(const struct bench_options *o, struct error *err)
{
	uint8_t *image = NULL;
	size_t size;
	int ret = bench_load_kernel("irq_console", &image, &size, err);

	if (ret == 0)
		ret = con_measure(o, image, size, CON_MODE_SPIN, "console byte -> IRQ, vCPU running",
				  "running", err);
	if (ret == 0)
		ret = con_measure(o, image, size, CON_MODE_HALT, "console byte -> IRQ, vCPU halted",
				  "halted", err);
	free(image);
	return ret;
}
