// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the MC146818A RTC and CMOS RAM.
 *
 * The input is a program: the host's wall clock at power-on and the RAM
 * size, then operations of one opcode byte and their arguments (guest
 * writes of the index and data ports, of a register chosen directly, reads,
 * other ports, the fake clock moving by small, large and huge steps or
 * backwards, the VMM sleeping to the deadline, a reset).  After each
 * operation the model's invariants are checked and a violation calls
 * abort():
 *   - the index is below 128; registers C and D and the stored UIP keep
 *     their fixed bits; SET implies UIE clear;
 *   - IRQF == PF.PIE + AF.AIE + UF.UIE, and the IRQ line is high exactly
 *     while IRQF is set; the line rose once per stats.irqs and per IRQ
 *     event;
 *   - the deadline is never before now, after any call that took now it is
 *     after it, UINT64_MAX while IRQF is set; sleeping to it raises IRQ, and
 *     one ns before it nothing does (on a copy);
 *   - advancing in many steps leaves the same registers as one step;
 *   - while the clock runs, the time registers hold a valid time in the
 *     current format, and plain time passing moves the offset from host
 *     time by at most a second;
 *   - every event is the RTC's and formats with snprintf semantics at
 *     several buffer sizes, and so do arbitrary records.
 * UBSan (with -fsanitize=undefined) catches overflow in the arithmetic.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Idevices \
 *	tests/fuzz/fuzz_rtc146818.c devices/rtc146818.c
 *   gcc -DFUZZ_STANDALONE -Idevices tests/fuzz/fuzz_rtc146818.c \
 *	devices/rtc146818.c	(replays files named on the command line, or stdin)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtc146818.h"

enum fuzz_op {
	FUZZ_WRITE_INDEX,
	FUZZ_WRITE_DATA,
	FUZZ_READ_DATA,
	FUZZ_WRITE_REGISTER,	/* index 0x00-0x0f, then a value */
	FUZZ_READ_REGISTER,
	FUZZ_WRITE_ANY_PORT,
	FUZZ_READ_ANY_PORT,
	FUZZ_TIME_SMALL,	/* up to 65535 ns */
	FUZZ_TIME_MEDIUM,	/* up to ~16.7 ms */
	FUZZ_TIME_LARGE,	/* up to ~4.3 s */
	FUZZ_TIME_HUGE,		/* anything, saturating at UINT64_MAX */
	FUZZ_SLEEP_TO_DEADLINE,
	FUZZ_ADVANCE,
	FUZZ_TIME_BACKWARDS,	/* an access stamped earlier than the last */
	FUZZ_RESET,
	FUZZ_SPLIT_CHECK,	/* many small advances == one big one */
	FUZZ_FORMAT,		/* an arbitrary record through the formatter */
	FUZZ_NUM_OPS
};

struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

struct fuzz_irq {
	bool level;
	uint64_t rises;
};

static struct {
	uint64_t irq_events;
	unsigned op_time_sets;
} fev;

static void fuzz_check(bool cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_rtc146818: invariant violated: %s\n", what);
		abort();
	}
}

/* The formatter keeps snprintf semantics at every size. */
static void fuzz_check_format(const struct dev_event *ev)
{
	char full[256], buf[256 + 16];
	size_t sizes[] = { 0, 1, 2, 8, 0, 0 };
	size_t i, j;
	int len;

	len = rtc_event_format(ev, full, sizeof(full));
	fuzz_check(len > 0 && (size_t)len < sizeof(full) && strlen(full) == (size_t)len,
		   "format: fits, length returned");
	fuzz_check(rtc_event_format(ev, NULL, 0) == len, "format: size 0 measures");
	sizes[4] = (size_t)len;
	sizes[5] = (size_t)len + 1;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0x5a, sizeof(buf));
		fuzz_check(rtc_event_format(ev, buf, sizes[i]) == len, "format: same length");
		for (j = sizes[i]; j < sizes[i] + 16; j++)
			fuzz_check(buf[j] == 0x5a, "format: nothing written past size");
		if (sizes[i] == 0)
			continue;
		fuzz_check(strlen(buf) == ((size_t)len < sizes[i] ? (size_t)len : sizes[i] - 1),
			   "format: truncated and terminated");
		fuzz_check(strncmp(buf, full, strlen(buf)) == 0, "format: a prefix");
	}
}

static void fuzz_event(void *opaque, const struct dev_event *ev)
{
	fuzz_check(opaque == &fev, "event: the listener's opaque");
	fuzz_check(ev->source == DEV_EVENT_RTC && ev->type < RTC_EVENT_NR, "event: an RTC event");
	fuzz_check(ev->unit == 0 && ev->pad == 0 && ev->arg64 == 0, "event: unit, pad, arg64 0");
	fuzz_check_format(ev);
	if (ev->type == RTC_EVENT_IRQ) {
		fuzz_check(ev->arg[0] & RTC_C_IRQF, "IRQ event: IRQF set");
		fev.irq_events++;
	}
	if (ev->type == RTC_EVENT_TIME_SET)
		fev.op_time_sets++;
}

/* Bytes run out as zeros, so every input is a valid program. */
static uint64_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (in->size) {
			v |= *in->data++;
			in->size--;
		}
	}
	return v;
}

static void fuzz_format_record(struct fuzz_input *in)
{
	struct dev_event ev = { .source = DEV_EVENT_RTC };
	unsigned i;

	ev.type = (uint8_t)(fuzz_take(in, 1) % (RTC_EVENT_NR + 2));
	ev.unit = (uint8_t)fuzz_take(in, 1);
	for (i = 0; i < 3; i++)
		ev.arg[i] = (uint32_t)fuzz_take(in, 4);
	if (ev.arg[1] & 0x80000000u)
		ev.arg[1] &= 0x3f;	/* small values name registers */
	fuzz_check_format(&ev);
}

static void fuzz_irq_set(void *opaque, unsigned line, bool level)
{
	struct fuzz_irq *irq = opaque;

	fuzz_check(line == 8, "the line it was given");
	fuzz_check(level != irq->level, "irq_line forwarded a non-change");
	if (level)
		irq->rises++;
	irq->level = level;
}

static uint64_t fuzz_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool fuzz_clock_runs(const struct rtc *r)
{
	return (r->cmos[RTC_REG_A] & RTC_A_DV_MASK) == RTC_A_DV_32KHZ &&
	       !(r->cmos[RTC_REG_B] & RTC_B_SET);
}

/* A register byte decoded in the current format, or -1 if it is no number. */
static int fuzz_decode(const struct rtc *r, uint8_t b)
{
	if (r->cmos[RTC_REG_B] & RTC_B_DM)
		return b;
	if ((b & 0x0f) > 9 || (b >> 4) > 9)
		return -1;
	return (b >> 4) * 10 + (b & 0x0f);
}

static bool fuzz_in(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

/* A running clock shows a valid time in the current format. */
static void fuzz_check_time_registers(const struct rtc *r)
{
	const uint8_t *c = r->cmos;
	uint8_t hours = c[RTC_HOURS];

	fuzz_check(fuzz_in(fuzz_decode(r, c[RTC_SECONDS]), 0, 59), "seconds 0-59");
	fuzz_check(fuzz_in(fuzz_decode(r, c[RTC_MINUTES]), 0, 59), "minutes 0-59");
	if (c[RTC_REG_B] & RTC_B_24H)
		fuzz_check(fuzz_in(fuzz_decode(r, hours), 0, 23), "hours 0-23");
	else
		fuzz_check(fuzz_in(fuzz_decode(r, hours & 0x7f), 1, 12), "hours 1-12, PM bit");
	fuzz_check(fuzz_in(fuzz_decode(r, c[RTC_DAY_OF_WEEK]), 1, 7), "day of week 1-7");
	fuzz_check(fuzz_in(fuzz_decode(r, c[RTC_DAY_OF_MONTH]), 1, 31), "day of month 1-31");
	fuzz_check(fuzz_in(fuzz_decode(r, c[RTC_MONTH]), 1, 12), "month 1-12");
	fuzz_check(fuzz_in(fuzz_decode(r, c[RTC_YEAR]), 0, 99), "year 0-99");
	fuzz_check(fuzz_in(fuzz_decode(r, c[RTC_CENTURY]), 0, 99), "century 0-99");
}

static void fuzz_check_state(const struct rtc *r, const struct fuzz_irq *irq)
{
	uint8_t b = r->cmos[RTC_REG_B], c = r->cmos[RTC_REG_C];
	bool irqf = (c & b & RTC_C_FLAGS) != 0;

	fuzz_check(r->index < RTC_CMOS_SIZE, "index below 128");
	fuzz_check((c & 0x0f) == 0, "register C bits 3-0 are 0");
	fuzz_check(r->cmos[RTC_REG_D] == RTC_D_VRT, "register D: VRT only");
	fuzz_check(!(r->cmos[RTC_REG_A] & RTC_A_UIP), "UIP is computed, not stored");
	fuzz_check(!(b & RTC_B_SET) || !(b & RTC_B_UIE), "SET clears UIE");
	fuzz_check(((c & RTC_C_IRQF) != 0) == irqf, "IRQF == PF.PIE + AF.AIE + UF.UIE");
	fuzz_check(irq->level == irqf, "IRQ high exactly while IRQF is set");
	fuzz_check(irq->rises == r->stats.irqs, "one IRQ edge per counted interrupt");
	fuzz_check(fev.irq_events == r->stats.irqs, "one IRQ event per interrupt");
	fuzz_check(r->div_offset_ns < 1000000000u, "divider phase within a second");
	if (fuzz_clock_runs(r))
		fuzz_check_time_registers(r);
}

static void fuzz_check_deadline(const struct rtc *r, uint64_t now)
{
	uint64_t d = rtc_next_deadline(r, now);

	fuzz_check(d >= now, "deadline not before now");
	fuzz_check(d > r->now_ns || d == UINT64_MAX, "deadline after the time of the last access");
	fuzz_check(!(r->cmos[RTC_REG_C] & RTC_C_IRQF) || d == UINT64_MAX,
		   "no deadline while IRQF is set");
}

/* A copy that nobody listens to and whose line goes nowhere. */
static struct rtc fuzz_quiet_copy(const struct rtc *r)
{
	struct rtc copy = *r;

	copy.irq.set_level = NULL;
	copy.events.emit = NULL;
	return copy;
}

/* Sleep to the deadline: IRQ rises at it, not a ns before. */
static void fuzz_sleep_to_deadline(struct rtc *r, uint64_t *now, const struct fuzz_irq *irq)
{
	uint64_t d = rtc_next_deadline(r, *now);
	uint64_t rises = irq->rises;
	struct rtc early;

	if (d == UINT64_MAX)
		return;
	if (d > *now) {
		/* not clamped to now: the event's own time */
		early = fuzz_quiet_copy(r);
		rtc_advance(&early, d - 1);
		fuzz_check(!(early.cmos[RTC_REG_C] & RTC_C_IRQF), "no IRQ before the deadline");
	}
	*now = d;
	rtc_advance(r, d);
	fuzz_check(irq->rises == rises + 1 && irq->level, "IRQ rises at the deadline");
}

/* Advancing in `steps` steps must leave what one step leaves. */
static void fuzz_split_check(struct rtc *r, struct fuzz_input *in, uint64_t *now)
{
	unsigned steps = (unsigned)fuzz_take(in, 1) % 16 + 1;
	uint64_t step = fuzz_take(in, 4) + 1;
	uint64_t end = *now;
	struct rtc whole = fuzz_quiet_copy(r);

	for (unsigned i = 0; i < steps; i++) {
		*now = fuzz_add(*now, step);
		rtc_advance(r, *now);
	}
	for (unsigned i = 0; i < steps; i++)
		end = fuzz_add(end, step);
	rtc_advance(&whole, end);
	fuzz_check(memcmp(whole.cmos, r->cmos, sizeof(r->cmos)) == 0,
		   "split advance: same registers and flags");
}

static int64_t fuzz_abs(int64_t v)
{
	return v < 0 ? -v : v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct fuzz_irq irq = { 0 };
	struct rtc rtc;
	int64_t realtime = (int64_t)fuzz_take(&in, 8);
	uint64_t ram = fuzz_take(&in, 5);
	uint64_t now = fuzz_take(&in, 8) >> (fuzz_take(&in, 1) % 64);

	rtc_init(&rtc, irq_line_connect(fuzz_irq_set, &irq, 8), ram, realtime, now);
	fuzz_check(rtc.events.emit == NULL, "rtc_init: nobody listens");
	memset(&fev, 0, sizeof(fev));
	rtc.events = (struct dev_events){ .emit = fuzz_event, .opaque = &fev };
	fuzz_check_state(&rtc, &irq);
	fuzz_check_deadline(&rtc, now);
	while (in.size) {
		unsigned op = (unsigned)fuzz_take(&in, 1) % FUZZ_NUM_OPS;
		bool synced = true;	/* the op called the model at `now` */
		bool running = fuzz_clock_runs(&rtc);
		int64_t offset = rtc_host_offset(&rtc, now);
		uint8_t index;

		fev.op_time_sets = 0;
		switch (op) {
		case FUZZ_WRITE_INDEX:
			rtc_write(&rtc, RTC_PORT_INDEX, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_WRITE_DATA:
			rtc_write(&rtc, RTC_PORT_DATA, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_READ_DATA:
			rtc_read(&rtc, RTC_PORT_DATA, now);
			break;
		case FUZZ_WRITE_REGISTER:
			index = (uint8_t)(fuzz_take(&in, 1) % 0x10);
			rtc_write(&rtc, RTC_PORT_INDEX, index, now);
			rtc_write(&rtc, RTC_PORT_DATA, (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_READ_REGISTER: {
			bool irqf;

			index = (uint8_t)(fuzz_take(&in, 1) % 0x10);
			rtc_write(&rtc, RTC_PORT_INDEX, index, now);
			rtc_read(&rtc, RTC_PORT_DATA, now);
			irqf = rtc.cmos[RTC_REG_C] & RTC_C_IRQF;
			if (index == RTC_REG_C)
				fuzz_check(!irqf && !irq.level, "reading C clears IRQF, lowers IRQ");
			break;
		}
		case FUZZ_WRITE_ANY_PORT:
			rtc_write(&rtc, (uint16_t)fuzz_take(&in, 2), (uint8_t)fuzz_take(&in, 1), now);
			break;
		case FUZZ_READ_ANY_PORT: {
			uint16_t port = (uint16_t)fuzz_take(&in, 2);
			uint8_t v = rtc_read(&rtc, port, now);

			fuzz_check(port == RTC_PORT_DATA || v == 0xff, "other ports read 0xff");
			break;
		}
		case FUZZ_TIME_SMALL:
			now = fuzz_add(now, fuzz_take(&in, 2));
			synced = false;
			break;
		case FUZZ_TIME_MEDIUM:
			now = fuzz_add(now, fuzz_take(&in, 3));
			synced = false;
			break;
		case FUZZ_TIME_LARGE:
			now = fuzz_add(now, fuzz_take(&in, 4));
			synced = false;
			break;
		case FUZZ_TIME_HUGE:
			now = fuzz_add(now, fuzz_take(&in, 8));
			synced = false;
			break;
		case FUZZ_SLEEP_TO_DEADLINE:
			fuzz_sleep_to_deadline(&rtc, &now, &irq);
			break;
		case FUZZ_ADVANCE:
			rtc_advance(&rtc, now);
			break;
		case FUZZ_TIME_BACKWARDS: {
			uint64_t back = fuzz_take(&in, 4);

			rtc_advance(&rtc, now > back ? now - back : 0);
			break;
		}
		case FUZZ_RESET:
			rtc_reset(&rtc, now);
			fuzz_check(!irq.level && rtc.cmos[RTC_REG_C] == 0, "reset: C clear, IRQ low");
			fuzz_check(!(rtc.cmos[RTC_REG_B] & (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE |
							    RTC_B_SQWE)), "reset: enables clear");
			fuzz_check(rtc_host_offset(&rtc, now) == offset, "reset keeps the time");
			break;
		case FUZZ_FORMAT:
			fuzz_format_record(&in);
			break;
		case FUZZ_SPLIT_CHECK:
		default:
			fuzz_split_check(&rtc, &in, &now);
			break;
		}
		fuzz_check_state(&rtc, &irq);
		if (synced)
			fuzz_check_deadline(&rtc, now);
		else
			fuzz_check(rtc_next_deadline(&rtc, now) >= now, "deadline not before now");
		/* Time passing alone keeps guest minus host time, to the second
		 * (their seconds may begin at different points). */
		if (running && fuzz_clock_runs(&rtc) && fev.op_time_sets == 0 &&
		    op >= FUZZ_TIME_SMALL && op <= FUZZ_SPLIT_CHECK && now < UINT64_MAX / 2)
			fuzz_check(fuzz_abs(rtc_host_offset(&rtc, now) - offset) <= 1,
				   "time passing keeps the offset from host time");
	}
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
