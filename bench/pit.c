// SPDX-License-Identifier: MIT
/*
 * PIT fidelity: the guest (bench/kernels/pit_ticks.asm) programs PIT
 * counter 0 in mode 2 with the count we give it and sleeps in HLT; its
 * IRQ0 handler's first instruction is an OUT to the benchmark port, which
 * we timestamp.  Two questions:
 *
 *   - does the guest get as many ticks as the elapsed time is worth
 *     (drift, in ticks; a lost or extra tick is a drift of one)?
 *   - how late does each tick come (lateness, against the ideal times
 *     t0 + k * count / 1193182 s)?
 *
 * The baseline for lateness is what the host itself can do: a thread
 * sleeping on a timerfd at the same absolute deadlines.  minivmm's ticks
 * also go through the device lock, the PIC and an injection, so its goal
 * is p99 lateness <= timerfd p99 + injection p99 (bench_irq, halted).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "bench.h"
#include "board/board.h"
#include "harness.h"
#include "timer.h"

#define PIT_INPUT_HZ 1193182u
#define PIT_SECONDS_FULL 60
#define PIT_SECONDS_QUICK 3
#define PIT_GRACE_NS 10000000000ull	/* the wall-clock limit: run time + this */
#define PIT_DRIFT_GOAL 1.0		/* ticks */

/* Ideal time of tick k after tick 0, ns: k periods of count / 1193182 s. */
static uint64_t pit_offset_ns(uint64_t k, unsigned count)
{
	/* k * count * 1e9 < 2^64 for k below 1.5e6 at count 11932: plenty. */
	return k * count * 1000000000ull / PIT_INPUT_HZ;
}

/* ---- through minivmm ---------------------------------------------------- */

struct pit_vmm {
	struct machine *m;
	unsigned count;
	uint64_t run_ns;	/* how long to count ticks */
	uint64_t *ts;		/* handler entries, ns */
	size_t n, cap;
	uint64_t programmed;	/* when the guest read the count (it programs the PIT next) */
	uint64_t limit;		/* wall clock: stop here whatever the guest does */
	bool timed_out;
	struct device_timer watchdog;
};

/* IN from the bench port: the guest asks for its count, and starts the PIT. */
static uint64_t pit_vmm_port_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pit_vmm *p = opaque;

	(void)offset;
	(void)size;
	p->programmed = bench_now_ns();
	return p->count;
}

/* OUT from the bench port: the IRQ0 handler's first instruction (vCPU thread, lock held). */
static void pit_vmm_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct pit_vmm *p = opaque;
	uint64_t now = bench_now_ns();

	(void)offset;
	(void)value;
	(void)size;
	if (p->n < p->cap)
		p->ts[p->n++] = now;
	/* Stop on the first tick after the run time, so that the last
	 * timestamp is a tick, or when full (a guest ticking far too fast). */
	if (p->n == p->cap || (p->programmed != 0 && now - p->programmed >= p->run_ns))
		machine_stop(p->m, 0, NULL);
}

/* Whole accesses: the guest reads the count with one `in ax, dx`. */
static const struct bus_ops pit_vmm_ops = {
	.read = pit_vmm_port_read, .write = pit_vmm_port_write,
};

static uint64_t pit_vmm_watchdog_next(void *opaque, uint64_t now_ns)
{
	struct pit_vmm *p = opaque;

	(void)now_ns;
	return machine_stopping(p->m) ? UINT64_MAX : p->limit;
}

/* The wall-clock limit passed: the guest stopped ticking (loop thread, lock held). */
static void pit_vmm_watchdog_expired(void *opaque, uint64_t now_ns)
{
	struct pit_vmm *p = opaque;

	if (now_ns < p->limit || machine_stopping(p->m))
		return;
	p->timed_out = true;
	machine_stop(p->m, 0, NULL);
}

static int pit_minivmm(const uint8_t *image, size_t size, struct pit_vmm *p, struct error *err)
{
	struct bench_vmm b;
	int ret = bench_vmm_create(&b, image, size, BENCH_RAM, -1, err);

	p->m = b.m;
	if (ret == 0)
		ret = board_claim(b.m, BUS_PIO, BENCH_PORT, 1, "bench-pit", &pit_vmm_ops, p, err);
	if (ret == 0)
		ret = device_timer_init(&p->watchdog, &b.m->timers, pit_vmm_watchdog_next,
					pit_vmm_watchdog_expired, p, err);
	if (ret == 0) {
		p->limit = bench_now_ns() + p->run_ns + PIT_GRACE_NS;
		pthread_mutex_lock(&b.m->lock);
		device_timer_update(&p->watchdog, bench_now_ns());
		pthread_mutex_unlock(&b.m->lock);
		bench_vmm_run(&b);
		if (b.m->exit_status != 0)
			ret = error_set(err, -EIO, "minivmm stopped: %s", b.m->exit_message);
	}
	device_timer_exit(&p->watchdog);	/* no-op if never initialised */
	bench_vmm_destroy(&b);
	return ret;
}

/* ---- the baseline: a timerfd thread ----------------------------------------- */

struct pit_timerfd {
	unsigned count;
	uint64_t *lateness;	/* wake-up time - deadline, ns */
	size_t n, want;
	int err;		/* -errno, or 0 */
};

/* Sleep until t0 + k periods for each k, with absolute deadlines as a
 * periodic guest timer would want; note how late each wake-up is. */
static void *pit_timerfd_thread(void *arg)
{
	struct pit_timerfd *t = arg;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	uint64_t t0 = bench_now_ns() + pit_offset_ns(1, t->count), expirations;

	if (fd < 0) {
		t->err = -errno;
		return NULL;
	}
	for (t->n = 0; t->n < t->want; t->n++) {
		uint64_t deadline = t0 + pit_offset_ns(t->n, t->count);
		struct itimerspec its = {
			.it_value = { .tv_sec = (time_t)(deadline / 1000000000u),
				      .tv_nsec = (long)(deadline % 1000000000u) },
		};

		if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ||
		    read(fd, &expirations, sizeof(expirations)) < 0) {
			t->err = -errno;
			break;
		}
		t->lateness[t->n] = bench_now_ns() - deadline;
	}
	close(fd);
	return NULL;
}

static int pit_raw(struct pit_timerfd *t, struct error *err)
{
	pthread_t thread;
	int ret = pthread_create(&thread, NULL, pit_timerfd_thread, t);

	if (ret != 0)
		return error_set(err, -ret, "pthread_create: %s", strerror(ret));
	pthread_join(thread, NULL);
	if (t->err < 0)
		return error_set(err, t->err, "timerfd: %s", strerror(-t->err));
	return 0;
}

/* ---- the benchmark ------------------------------------------------------- */

/*
 * Lateness of each of minivmm's ticks, in place of the timestamps.  Tick k
 * is ideally at t0 + k periods; we do not know when the PIT really started
 * counting, so t0 is chosen so that the earliest tick has lateness 0: the
 * figures are lateness relative to the best-aligned tick, i.e. they leave
 * out the constant part of the path (the fastest injection) and show what
 * varies, and any drift of the rate, which makes later ticks ever later.
 */
static void pit_lateness(uint64_t *ts, size_t n, unsigned count)
{
	uint64_t t0 = UINT64_MAX;

	for (size_t k = 0; k < n; k++) {
		uint64_t start = ts[k] - pit_offset_ns(k, count);

		if (start < t0)
			t0 = start;
	}
	for (size_t k = 0; k < n; k++)
		ts[k] = ts[k] - pit_offset_ns(k, count) - t0;
}

/*
 * Drift: ticks received minus ticks expected from the elapsed time, where
 * the elapsed time runs from the start of the run to its end, each taken
 * as the best-aligned tick of the first and of the last PIT_DRIFT_WINDOW
 * of the ticks (the least late: the earliest ts[k] - k periods).  So one
 * late tick at either end is not mistaken for a missing one, while a tick
 * lost or gained in between shifts every later tick by a whole period: a
 * drift of -1 or +1.  A rate that is off shows the same way, gradually.
 */
#define PIT_DRIFT_WINDOW 10	/* percent of the ticks at each end */

static double pit_drift(const uint64_t *ts, size_t n, unsigned count)
{
	size_t window = n * PIT_DRIFT_WINDOW / 100 ? n * PIT_DRIFT_WINDOW / 100 : 1;
	uint64_t start = UINT64_MAX, end = UINT64_MAX;

	for (size_t k = 0; k < window; k++) {
		uint64_t first = ts[k] - pit_offset_ns(k, count);
		uint64_t last = ts[n - 1 - k] - pit_offset_ns(n - 1 - k, count);

		start = first < start ? first : start;
		end = last < end ? last : end;
	}
	/* end - start is how much more time the last ticks needed than their
	 * count is worth: that many periods of ticks are missing. */
	return -((double)end - (double)start) / (count * 1e9 / PIT_INPUT_HZ);
}

static int pit_measure(const struct bench_options *o, const uint8_t *image, size_t size,
		       unsigned hz, struct error *err)
{
	unsigned count = (PIT_INPUT_HZ + hz / 2) / hz;	/* as the PIT_DIVISOR of pit8254.inc */
	unsigned seconds = o->quick ? PIT_SECONDS_QUICK : PIT_SECONDS_FULL;
	size_t expected = (size_t)seconds * PIT_INPUT_HZ / count;
	struct pit_vmm mine = { .count = count, .run_ns = seconds * 1000000000ull,
				.cap = expected + expected / 2 + 16 };
	struct pit_timerfd raw = { .count = count, .want = expected };
	struct bench_summary sm, sr;
	double elapsed_ns, drift;
	char label[64];
	int ret = 0;

	mine.ts = calloc(mine.cap, sizeof(uint64_t));
	raw.lateness = calloc(raw.want, sizeof(uint64_t));
	if (mine.ts == NULL || raw.lateness == NULL)
		ret = error_set(err, -ENOMEM, "out of memory");
	if (ret == 0)
		ret = pit_raw(&raw, err);
	if (ret == 0)
		ret = pit_minivmm(image, size, &mine, err);
	if (ret == 0 && (mine.n < 2 || raw.n < 2 || mine.programmed == 0))
		ret = error_set(err, -EIO, "PIT %u Hz: too few ticks (minivmm %zu, timerfd %zu)%s",
				hz, mine.n, raw.n, mine.timed_out ? ", wall-clock limit hit" : "");
	if (ret == 0) {
		drift = pit_drift(mine.ts, mine.n, count);
		elapsed_ns = (double)(mine.ts[mine.n - 1] - mine.ts[0]);
		pit_lateness(mine.ts, mine.n, count);
		snprintf(label, sizeof(label), "pit-%uhz-minivmm", hz);
		bench_save(o, label, mine.ts, mine.n);
		snprintf(label, sizeof(label), "pit-%uhz-timerfd", hz);
		bench_save(o, label, raw.lateness, raw.n);
		sm = bench_summarize(mine.ts, mine.n);
		sr = bench_summarize(raw.lateness, raw.n);
		snprintf(label, sizeof(label), "PIT lateness %u Hz", hz);
		/* No goal on the ratio of medians: the goal is on the p99s, below. */
		bench_row(label, "us", 1e-3, &sm, &sr, 0, false);
		printf("%-34s   p99: minivmm %.2f us, timerfd %.2f us, difference %.2f us ", "",
		       sm.p99 * 1e-3, sr.p99 * 1e-3, (sm.p99 - sr.p99) * 1e-3);
		if (bench_irq_halted_p99_ns > 0)
			printf("(goal <= the injection p99, %.2f us: %s)\n",
			       bench_irq_halted_p99_ns * 1e-3,
			       sm.p99 - sr.p99 <= bench_irq_halted_p99_ns ? "met" : "MISSED");
		else
			printf("(goal: at most the injection p99 of 'irq', vCPU halted: run "
			       "'irq' first)\n");
		snprintf(label, sizeof(label), "PIT drift %u Hz", hz);
		printf("%-34s %9.2f ticks: %zu received, %.2f expected in %.3f s (goal |drift| "
		       "<= %.0f: %s)%s\n", label, drift, mine.n, (double)mine.n - drift,
		       elapsed_ns * 1e-9, PIT_DRIFT_GOAL,
		       (drift < 0 ? -drift : drift) <= PIT_DRIFT_GOAL ? "met" : "MISSED",
		       mine.timed_out ? "; wall-clock limit hit" : "");
		fflush(stdout);
	}
	free(mine.ts);
	free(raw.lateness);
	return ret;
}

int bench_pit(const struct bench_options *o, struct error *err)
{
	uint8_t *image = NULL;
	size_t size;
	int ret = bench_load_kernel("pit_ticks", &image, &size, err);

	if (ret == 0)
		ret = pit_measure(o, image, size, 100, err);
	if (ret == 0)
		ret = pit_measure(o, image, size, 1000, err);
	free(image);
	return ret;
}
