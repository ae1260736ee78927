// SPDX-License-Identifier: MIT
/*
 * Glue for the MC146818A RTC and CMOS RAM (devices/rtc146818.h): ports
 * 0x70-0x71, its IRQ pin on ISA IRQ8 (the slave 8259's first input), one
 * device timer for the interrupts a guest enabled.  The host's wall clock
 * (CLOCK_REALTIME, UTC) is read here once, at setup, and handed to the
 * model; from then on it keeps time against the devices' monotonic clock,
 * as a battery-backed chip does.  A reboot keeps the time, including a
 * clock the guest set.
 */
#include <inttypes.h>
#include <time.h>

#include "board.h"
#include "clock.h"
#include "machine.h"
#include "rtc146818.h"
#include "timer.h"

#define RTC_IRQ 8

struct rtc_board {
	struct rtc rtc;
	struct device_timer timer;
	struct board_irq_source irq_source;
};

static uint64_t rtc_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct rtc_board *rb = opaque;
	uint64_t now = clock_now_ns();
	uint8_t value = rtc_read(&rb->rtc, (uint16_t)(RTC_PORT_INDEX + offset), now);

	(void)size;	/* an 8-bit device: the bus splits wider accesses */
	device_timer_update(&rb->timer, now);
	return value;
}

static void rtc_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct rtc_board *rb = opaque;
	uint64_t now = clock_now_ns();

	(void)size;
	rtc_write(&rb->rtc, (uint16_t)(RTC_PORT_INDEX + offset), (uint8_t)value, now);
	device_timer_update(&rb->timer, now);
}

static const struct bus_ops rtc_ops = {
	.read = rtc_io_read, .write = rtc_io_write, .max_access_size = 1,
};

static uint64_t rtc_timer_next(void *opaque, uint64_t now_ns)
{
	struct rtc_board *rb = opaque;

	return rtc_next_deadline(&rb->rtc, now_ns);
}

static void rtc_timer_expired(void *opaque, uint64_t now_ns)
{
	struct rtc_board *rb = opaque;

	rtc_advance(&rb->rtc, now_ns);
}

/* The host's UTC time in nanoseconds since 1970. */
static int64_t rtc_host_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int rtc_setup(struct machine *m, void *state, struct error *err)
{
	struct rtc_board *rb = state;
	uint64_t now = clock_now_ns();
	int ret;

	ret = board_irq_source_init(&m->board, &rb->irq_source, "rtc", err);
	if (ret < 0)
		return ret;
	rtc_init(&rb->rtc, board_irq_line(&rb->irq_source, RTC_IRQ), m->opts->ram_size,
		 rtc_host_realtime_ns(), now);
	rb->rtc.events = m->board.events;
	ret = device_timer_init(&rb->timer, &m->timers, rtc_timer_next, rtc_timer_expired, rb,
				err);
	if (ret == 0)
		ret = board_claim(m, BUS_PIO, RTC_PORT_INDEX, 2, "rtc", &rtc_ops, rb, err);
	if (ret == 0)
		device_timer_update(&rb->timer, now);
	return ret;
}

/* The RESET pin: interrupt enables and flags go, the time stays. */
static void rtc_board_reset(struct machine *m, void *state)
{
	struct rtc_board *rb = state;
	uint64_t now = clock_now_ns();

	(void)m;
	rtc_reset(&rb->rtc, now);
	device_timer_update(&rb->timer, now);
}

static void rtc_teardown(struct machine *m, void *state)
{
	struct rtc_board *rb = state;

	(void)m;
	device_timer_exit(&rb->timer);
}

static void rtc_print_stats(void *state, FILE *out)
{
	const struct rtc *r = &((struct rtc_board *)state)->rtc;

	fprintf(out, "minivmm: stats: rtc: %" PRIu64 " interrupts (IRQ8), clock set %" PRIu64
		" times, %+" PRId64 " s from host time at exit\n", r->stats.irqs,
		r->stats.time_sets, rtc_host_offset(r, clock_now_ns()));
}

const struct board_device board_rtc = {
	.name = "rtc",
	.state_size = sizeof(struct rtc_board),
	.setup = rtc_setup,
	.teardown = rtc_teardown,
	.reset = rtc_board_reset,
	.print_stats = rtc_print_stats,
};
