// SPDX-License-Identifier: MIT
/*
 * The tracer (vmm/trace.c): --trace parsing, the line format, counting for
 * --stats, and a full ring that drops rather than blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "pic8259.h"
#include "trace.h"
#include "unit.h"

static struct tracer tracer;

static void start(unsigned print_mask, bool counting, FILE *out)
{
	struct error err;

	CHECK_EQ(trace_init(&tracer, ev_default_loop(0), print_mask, counting, fileno(out), &err),
		 0);
}

static void emit_icw1(void)
{
	struct dev_events sink = trace_sink(&tracer);

	dev_event_emit(&sink, DEV_EVENT_PIC, PIC_EVENT_ICW1, 0, 0x11, 0, 0);
}

/* The whole of what a FILE received, as a string (caller frees). */
static char *contents(FILE *f)
{
	long len;
	char *buf;

	fflush(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	buf = calloc(1, (size_t)len + 1);
	rewind(f);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		buf[0] = '\0';
	return buf;
}

/* --trace takes a comma-separated list of event groups. */
UNIT_TEST(parse_list_of_groups)
{
	struct error err;
	unsigned mask;

	CHECK_EQ(trace_parse_list("pic,irq", &mask, &err), 0);
	CHECK_EQ(mask, (1u << DEV_EVENT_PIC) | (1u << DEV_EVENT_IRQ));
	CHECK_EQ(trace_parse_list("io", &mask, &err), 0);
	CHECK_EQ(mask, 1u << DEV_EVENT_IO);
}

/* "all" is every group. */
UNIT_TEST(parse_all)
{
	struct error err;
	unsigned mask;

	CHECK_EQ(trace_parse_list("all", &mask, &err), 0);
	CHECK_EQ(mask, (1u << DEV_EVENT_NR_SOURCES) - 1);
}

/* An unknown group is refused with a message naming it and the choices. */
UNIT_TEST(parse_unknown_group_is_named)
{
	struct error err;
	unsigned mask;

	CHECK_EQ(trace_parse_list("pic,bogus", &mask, &err), -EINVAL);
	CHECK(strstr(err.msg, "'bogus'") != NULL);
	CHECK(strstr(err.msg, "pic, pit, uart, irq, io, rtc, all") != NULL);
	CHECK_EQ(trace_parse_list("", &mask, &err), -EINVAL);
	CHECK_EQ(trace_parse_list("pic,,irq", &mask, &err), -EINVAL);
}

/* A line: prefix, seconds.microseconds, CS:RIP, device.unit, the device's text. */
UNIT_TEST(record_format)
{
	struct trace_record r = {
		.ev = { .source = DEV_EVENT_PIC, .type = PIC_EVENT_ICW1, .unit = 1, .arg = { 0x11 } },
		.ns = 1000002000,
		.where = { .known = true, .cs = 0xf000, .rip = 0xfff0 },
	};
	char line[256];

	trace_format_record(&r, line, sizeof(line));
	CHECK(strcmp(line, "minivmm: trace:    1.000002 f000:0000fff0 pic.slave ICW1 0x11 "
		      "(edge, cascade, ICW4 follows)\n") == 0);
	r.where.known = false;
	r.ev = (struct dev_event){ .source = DEV_EVENT_IRQ, .type = IRQ_EVENT_INJECTED,
				   .arg = { 4, 0x24 } };
	trace_format_record(&r, line, sizeof(line));
	CHECK(strstr(line, " -             irq 4 -> vector 0x24 injected\n") != NULL);
}

/* With neither --trace nor --stats nobody listens: the sink is empty. */
UNIT_TEST(no_listener_without_trace_or_stats)
{
	start(0, false, stderr);
	CHECK(trace_sink(&tracer).emit == NULL);
	trace_exit(&tracer);
}

/* --stats alone counts every event by device and type, and queues none. */
UNIT_TEST(counting_without_printing)
{
	FILE *out = tmpfile();
	char *text;

	start(0, true, out);
	emit_icw1();
	emit_icw1();
	CHECK_EQ(tracer.counts[DEV_EVENT_PIC][PIC_EVENT_ICW1], 2);
	CHECK_EQ(tracer.len, 0);
	trace_print_stats(&tracer, out);
	trace_exit(&tracer);
	text = contents(out);
	CHECK(strcmp(text, "minivmm: stats: pic events: 2 ICW1\n") == 0);
	free(text);
	fclose(out);
}

/* Printed groups are queued and written on flush; others are not. */
UNIT_TEST(only_chosen_groups_are_printed)
{
	FILE *out = tmpfile();
	struct dev_events sink;
	char *text;

	start(1u << DEV_EVENT_IRQ, false, out);
	sink = trace_sink(&tracer);
	emit_icw1();
	dev_event_emit(&sink, DEV_EVENT_IRQ, IRQ_EVENT_RAISED, 0, 0, IRQ_HOLD_MASKED, 0);
	trace_flush(&tracer);
	text = contents(out);
	CHECK(strstr(text, "irq 0 raised, held: masked\n") != NULL);
	CHECK(strstr(text, "ICW1") == NULL);
	free(text);
	trace_exit(&tracer);
	fclose(out);
}

/* A full ring drops events rather than wait, and says how many at exit. */
UNIT_TEST(full_ring_drops_and_tells)
{
	FILE *out = tmpfile();
	char *text;

	start(1u << DEV_EVENT_PIC, false, out);
	for (unsigned i = 0; i < TRACE_RING_SIZE + 5; i++)
		emit_icw1();
	CHECK_EQ(tracer.len, TRACE_RING_SIZE);
	CHECK_EQ(tracer.dropped, 5);
	trace_exit(&tracer);
	text = contents(out);
	CHECK(strstr(text, "minivmm: trace: 5 events were not printed") != NULL);
	/* ...and everything that fit in the ring was printed. */
	CHECK(strstr(text, "ICW1 0x11") != NULL);
	free(text);
	fclose(out);
}

/*
 * A reader that stops reading (a stalled pager) blocks nothing: the flush
 * writes what the pipe takes and returns, the ring fills and drops, and
 * the lines flow again once the reader reads.
 */
UNIT_TEST(stalled_reader_blocks_nothing)
{
	char buf[65536];
	size_t got = 0;
	ssize_t n;
	int fds[2];
	struct error err;

	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(trace_init(&tracer, ev_default_loop(0), 1u << DEV_EVENT_PIC, false, fds[1],
			    &err), 0);
	for (unsigned i = 0; i < 3 * TRACE_RING_SIZE; i++) {
		emit_icw1();
		if (i % 1000 == 0)
			trace_flush(&tracer);	/* returns although nobody reads */
	}
	CHECK(tracer.dropped > 0);
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		got += (size_t)n;
	CHECK(got > 0);
	trace_flush(&tracer);			/* the reader is back: lines flow */
	n = read(fds[0], buf, sizeof(buf));
	CHECK(n > 0);
	trace_exit(&tracer);			/* waits a bounded time, then gives up */
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	return unit_run_all();
}
