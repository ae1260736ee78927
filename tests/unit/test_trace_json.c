// SPDX-License-Identifier: MIT
/*
 * The interrupt timeline (vmm/trace_json.c): synthetic event sequences in,
 * Chrome trace JSON out.  The text is checked line by line (one event
 * object per line), and its structure with a small JSON scanner.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pic8259.h"
#include "trace.h"
#include "trace_json.h"
#include "uart16550.h"
#include "unit.h"

/* ---- a timeline written to memory ------------------------------------------------- */

#define OUT_MAX (4 * 1024 * 1024)

static char out[OUT_MAX];
static size_t out_len;
static int fail_errno;		/* != 0: the next write fails with it */

static ssize_t capture(void *opaque, const void *buf, size_t len)
{
	(void)opaque;
	if (fail_errno != 0) {
		errno = fail_errno;
		return -1;
	}
	if (out_len + len > OUT_MAX - 1)
		len = OUT_MAX - 1 - out_len;
	memcpy(out + out_len, buf, len);
	out_len += len;
	out[out_len] = '\0';
	return (ssize_t)len;
}

static struct trace_json tj;

static void start(void)
{
	out_len = 0;
	out[0] = '\0';
	fail_errno = 0;
	CHECK_EQ(trace_json_init(&tj, -1, capture, NULL), 0);
}

static const struct trace_where guest_at = { .known = true, .cs = 0x08, .rip = 0x1000 };
static const struct trace_where eoi_at = { .known = true, .cs = 0x08, .rip = 0x1234 };

static void add(uint64_t ns, unsigned source, unsigned type, unsigned unit, uint32_t a0,
		uint32_t a1, uint32_t a2, const struct trace_where *where)
{
	struct trace_record r = {
		.ev = { .source = (uint8_t)source, .type = (uint8_t)type, .unit = (uint8_t)unit,
			.arg = { a0, a1, a2 } },
		.ns = ns,
	};

	if (where != NULL)
		r.where = *where;
	trace_json_add(&tj, &r);
}

/* The VMM's and the PIC's events for one interrupt, as the tracer sees them. */
static void raise_irq(uint64_t ns, unsigned irq, unsigned hold)
{
	add(ns, DEV_EVENT_IRQ, IRQ_EVENT_RAISED, 0, irq, hold, 0, NULL);
}

static void inta(uint64_t ns, unsigned irq, unsigned vector)
{
	add(ns, DEV_EVENT_PIC, PIC_EVENT_INTA, 0, irq, vector, 0, &guest_at);
}

static void inject(uint64_t ns, unsigned irq, unsigned vector)
{
	add(ns, DEV_EVENT_IRQ, IRQ_EVENT_INJECTED, 0, irq, vector, 0, &guest_at);
}

/* A non-specific EOI (OCW2 0x20) to a chip: ISR before -> after. */
static void eoi(uint64_t ns, unsigned chip, unsigned isr_before, unsigned isr_after)
{
	add(ns, DEV_EVENT_PIC, PIC_EVENT_EOI, chip, 0x20, isr_before, isr_after, &eoi_at);
}

static void finish(uint64_t end_ns, uint64_t dropped)
{
	CHECK_EQ(trace_json_finish(&tj, end_ns, dropped), 0);
}

/* The line of the output that contains all of `parts` (NULL-terminated);
 * copied into a static buffer, or NULL. */
static const char *line_with(const char *first, ...)
{
	static char line[4096];
	const char *p = out;

	while (*p != '\0') {
		const char *end = strchr(p, '\n');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		bool all = true;
		va_list ap;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		va_start(ap, first);
		for (const char *part = first; part != NULL; part = va_arg(ap, const char *))
			if (strstr(line, part) == NULL)
				all = false;
		va_end(ap);
		if (all)
			return line;
		p += len + (end != NULL);
	}
	return NULL;
}

static unsigned count_lines_with(const char *part)
{
	unsigned n = 0;

	for (const char *p = strstr(out, part); p != NULL; p = strstr(p + 1, part))
		n++;
	return n;
}

/* "ts" and "dur" of a span line, in nanoseconds. */
static void span_of(const char *line, uint64_t *ts_ns, uint64_t *dur_ns)
{
	unsigned long long ts_us, ts_frac, dur_us, dur_frac;
	const char *p = strstr(line, "\"ts\":");

	CHECK(p != NULL);
	CHECK_EQ(sscanf(p, "\"ts\":%llu.%3llu,\"dur\":%llu.%3llu", &ts_us, &ts_frac, &dur_us,
			&dur_frac), 4);
	*ts_ns = ts_us * 1000 + ts_frac;
	*dur_ns = dur_us * 1000 + dur_frac;
}

/*
 * The JSON's structure, by hand: balanced braces and brackets outside
 * strings, valid escapes, no control characters in strings, nothing after
 * the top-level object but a newline, and no comma before a closing
 * bracket or brace.
 */
static bool json_well_formed(const char *s)
{
	char stack[16];
	int depth = 0;
	bool in_string = false;
	char last = 0;		/* the last significant character outside strings */

	if (*s != '{')
		return false;
	for (; *s != '\0'; s++) {
		char c = *s;

		if (in_string) {
			if ((unsigned char)c < 0x20)
				return false;
			if (c == '\\') {
				s++;
				if (*s == 'u') {
					for (int i = 1; i <= 4; i++)
						if (strchr("0123456789abcdefABCDEF", s[i]) == NULL ||
						    s[i] == '\0')
							return false;
					s += 4;
				} else if (strchr("\"\\/bfnrt", *s) == NULL || *s == '\0') {
					return false;
				}
			} else if (c == '"') {
				in_string = false;
				last = '"';
			}
			continue;
		}
		if (c == ' ' || c == '\n')
			continue;
		if (depth == 0 && last != 0)
			return false;	/* something after the top-level object */
		if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (depth == (int)sizeof(stack))
				return false;
			stack[depth++] = c;
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[--depth] != (c == '}' ? '{' : '[') || last == ',')
				return false;
			if (depth == 0) {
				last = c;
				continue;
			}
		}
		last = c;
	}
	return !in_string && depth == 0 && last == '}';
}

/* ---- the file as a whole ------------------------------------------------------------- */

/* An empty run is a valid trace: the header, the process's name, the end. */
UNIT_TEST(empty_timeline_is_exact)
{
	start();
	finish(1500, 0);
	CHECK(strcmp(out,
		     "{\"traceEvents\":[\n"
		     "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
		     "\"args\":{\"name\":\"minivmm\"}},\n"
		     "{\"name\":\"trace end\",\"cat\":\"minivmm\",\"ph\":\"i\",\"s\":\"g\",\"pid\":1,"
		     "\"tid\":1,\"ts\":1.500,\"args\":{\"events\":0,\"dropped events\":0}}\n"
		     "],\n"
		     "\"displayTimeUnit\":\"ns\",\n"
		     "\"otherData\":{\"generator\":\"minivmm --trace-file\",\"events\":0,"
		     "\"dropped_events\":0}}\n") == 0);
	CHECK(json_well_formed(out));
}

/* Events the ring dropped are counted in the file. */
UNIT_TEST(dropped_events_are_in_the_file)
{
	start();
	raise_irq(1000, 0, IRQ_HOLD_NONE);
	finish(2000, 7);
	CHECK(line_with("\"dropped_events\":7}}", NULL) != NULL);
	CHECK(line_with("\"name\":\"trace end\"", "\"events\":1,\"dropped events\":7", NULL) != NULL);
}

/* ---- one interrupt: raise -> INTA -> injection -> EOI ------------------------------- */

UNIT_TEST(irq0_raise_inject_eoi_gives_request_service_and_handler_spans)
{
	start();
	raise_irq(1000, 0, IRQ_HOLD_NONE);
	inta(2000, 0, 0x20);
	inject(2500, 0, 0x20);
	eoi(5000, 0, 0x01, 0x00);
	finish(6000, 0);

	/* Raised at 1 us, taken by the INTA at 2 us. */
	CHECK(line_with("{\"name\":\"IRQ0 requested\",\"cat\":\"irq\",\"ph\":\"X\",\"pid\":1,"
			"\"tid\":200,\"ts\":1.000,\"dur\":1.000,\"args\":{\"ended by\":\"INTA\"}},",
			NULL) != NULL);
	/* In service from the INTA to the EOI that cleared ISR bit 0. */
	CHECK(line_with("{\"name\":\"IRQ0 in service\",\"cat\":\"irq\",\"ph\":\"X\",\"pid\":1,"
			"\"tid\":100,\"ts\":2.000,\"dur\":3.000,\"args\":{\"vector\":\"0x20\","
			"\"raised to INTA (us)\":1.000,\"handler (us)\":2.500,"
			"\"ended by\":\"OCW2 non-specific EOI (ISR 01 -> 00)\","
			"\"EOI at\":\"0008:00001234\"}},", NULL) != NULL);
	/* Nested in it: the handler, from the injection to the EOI. */
	CHECK(line_with("{\"name\":\"IRQ0 handler\",\"cat\":\"irq\",\"ph\":\"X\",\"pid\":1,"
			"\"tid\":100,\"ts\":2.500,\"dur\":2.500,"
			"\"args\":{\"interrupted at\":\"0008:00001000\"}},", NULL) != NULL);
	/* The injection on the vCPU's track. */
	CHECK(line_with("{\"name\":\"IRQ0 -> vector 0x20\",\"cat\":\"irq\",\"ph\":\"i\",\"s\":\"t\","
			"\"pid\":1,\"tid\":1,\"ts\":2.500,", NULL) != NULL);
	/* The PIC's own events as instants, decoded. */
	CHECK(line_with("{\"name\":\"INTA\",\"cat\":\"pic\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,"
			"\"tid\":300,\"ts\":2.000,\"args\":{\"unit\":\"master\","
			"\"text\":\"INTA: IRQ0, vector 0x20\",\"at\":\"0008:00001000\"}},", NULL) != NULL);
	CHECK(line_with("\"name\":\"EOI\",\"cat\":\"pic\"", "\"ts\":5.000", NULL) != NULL);
	CHECK_EQ(count_lines_with("\"name\":\"IRQ0 in service\",\"cat\""), 1);
	CHECK(json_well_formed(out));
}

/* Every track used is named once, and sorted: the request above the service. */
UNIT_TEST(tracks_are_named_once_by_metadata)
{
	start();
	for (unsigned i = 0; i < 3; i++) {
		raise_irq(1000 + i * 10000, 0, IRQ_HOLD_NONE);
		inta(2000 + i * 10000, 0, 0x20);
		inject(2500 + i * 10000, 0, 0x20);
		eoi(5000 + i * 10000, 0, 0x01, 0x00);
	}
	finish(40000, 0);
	CHECK(line_with("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":200,"
			"\"args\":{\"name\":\"IRQ0 request\"}},", NULL) != NULL);
	CHECK(line_with("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":100,"
			"\"args\":{\"name\":\"IRQ0 in service\"}},", NULL) != NULL);
	CHECK(line_with("\"tid\":1,\"args\":{\"name\":\"vCPU\"}", NULL) != NULL);
	CHECK(line_with("\"tid\":300,\"args\":{\"name\":\"pic\"}", NULL) != NULL);
	CHECK(line_with("\"thread_sort_index\"", "\"tid\":200,", "\"sort_index\":10}", NULL) != NULL);
	CHECK(line_with("\"thread_sort_index\"", "\"tid\":100,", "\"sort_index\":11}", NULL) != NULL);
	CHECK_EQ(count_lines_with("\"name\":\"thread_name\""), 4);
	CHECK_EQ(count_lines_with("\"name\":\"IRQ0 in service\",\"cat\""), 3);
	CHECK_EQ(count_lines_with("\"name\":\"IRQ0 requested\""), 3);
}

/* ---- why it waited ------------------------------------------------------------------- */

/* A masked line: the request holds a "held: masked" slice until the unmask. */
UNIT_TEST(masked_line_is_held_until_unmasked)
{
	start();
	raise_irq(1000, 1, IRQ_HOLD_MASKED);
	add(3000, DEV_EVENT_PIC, PIC_EVENT_OCW1, 0, 0xff, 0xfd, 0, &guest_at);	/* unmask IRQ1 */
	inta(4000, 1, 0x21);
	inject(4100, 1, 0x21);
	eoi(6000, 0, 0x02, 0x00);
	finish(7000, 0);
	CHECK(line_with("{\"name\":\"IRQ1 requested\",\"cat\":\"irq\",\"ph\":\"X\",\"pid\":1,"
			"\"tid\":201,\"ts\":1.000,\"dur\":3.000,\"args\":{\"ended by\":\"INTA\","
			"\"held\":\"masked (IMR)\"}},", NULL) != NULL);
	CHECK(line_with("{\"name\":\"held: masked\",\"cat\":\"irq\",\"ph\":\"X\",\"pid\":1,"
			"\"tid\":201,\"ts\":1.000,\"dur\":2.000,", NULL) != NULL);
	CHECK(line_with("\"name\":\"OCW1\"", "\"text\":\"OCW1 IMR 0xff -> 0xfd\"", NULL) != NULL);
	CHECK(json_well_formed(out));
}

/* A line masked for the whole run: a request that never ends but the run. */
UNIT_TEST(masked_line_never_taken_ends_with_the_run)
{
	start();
	raise_irq(1000, 0, IRQ_HOLD_MASKED);
	finish(9000, 0);
	CHECK(line_with("\"name\":\"IRQ0 requested\"", "\"ts\":1.000,\"dur\":8.000",
			"\"ended by\":\"the end of the run (still requested)\"",
			"\"held\":\"masked (IMR)\"", NULL) != NULL);
	CHECK(line_with("\"name\":\"held: masked\"", "\"ts\":1.000,\"dur\":8.000", NULL) != NULL);
	CHECK_EQ(count_lines_with("\"name\":\"IRQ0 in service\",\"cat\""), 0);
	CHECK(json_well_formed(out));
}

/* Guest IF=0: the vCPU holds INTR; the waiting request shows it. */
UNIT_TEST(guest_if0_holds_the_request)
{
	start();
	raise_irq(1000, 0, IRQ_HOLD_NONE);
	add(1500, DEV_EVENT_IRQ, IRQ_EVENT_HELD, 0, IRQ_HOLD_GUEST_IF, 0, 0, &guest_at);
	inta(8000, 0, 0x20);
	finish(9000, 0);
	CHECK(line_with("\"name\":\"INTR held\"", "\"tid\":1,", "\"reason\":\"guest IF=0\"",
			NULL) != NULL);
	CHECK(line_with("\"name\":\"held: guest IF=0\"", "\"tid\":200,", "\"ts\":1.500,\"dur\":6.500",
			NULL) != NULL);
}

/* ---- nesting and EOIs -------------------------------------------------------------- */

/* IRQ4 taken while IRQ0 is in service: overlapping spans on two tracks, each
 * ended by the EOI that cleared its own ISR bit (non-specific EOIs both). */
UNIT_TEST(nested_irq4_inside_irq0)
{
	uint64_t ts0, dur0, ts4, dur4;
	const char *line;

	start();
	raise_irq(1000, 0, IRQ_HOLD_NONE);
	inta(2000, 0, 0x20);
	inject(2100, 0, 0x20);
	raise_irq(3000, 4, IRQ_HOLD_NONE);	/* the handler did STI */
	inta(4000, 4, 0x24);
	inject(4100, 4, 0x24);
	eoi(6000, 0, 0x11, 0x01);		/* IRQ4's EOI: ISR bit 4 */
	eoi(8000, 0, 0x01, 0x00);		/* then IRQ0's */
	finish(9000, 0);

	line = line_with("\"name\":\"IRQ0 in service\",\"cat\"", NULL);
	CHECK(line != NULL);
	CHECK(strstr(line, "\"tid\":100,") != NULL);
	span_of(line, &ts0, &dur0);
	line = line_with("\"name\":\"IRQ4 in service\",\"cat\"", NULL);
	CHECK(line != NULL);
	CHECK(strstr(line, "\"tid\":104,") != NULL);
	CHECK(strstr(line, "\"ended by\":\"OCW2 non-specific EOI (ISR 11 -> 01)\"") != NULL);
	span_of(line, &ts4, &dur4);
	CHECK_EQ(ts0, 2000);
	CHECK_EQ(dur0, 6000);
	CHECK_EQ(ts4, 4000);
	CHECK_EQ(dur4, 2000);
	CHECK(ts0 < ts4 && ts4 + dur4 < ts0 + dur0);	/* nested in time */
	CHECK(json_well_formed(out));
}

/* A request raised while held back by a higher priority in service. */
UNIT_TEST(request_held_by_in_service_until_its_eoi)
{
	start();
	raise_irq(1000, 0, IRQ_HOLD_NONE);
	inta(2000, 0, 0x20);
	inject(2100, 0, 0x20);
	raise_irq(3000, 3, IRQ_HOLD_IN_SERVICE);
	eoi(5000, 0, 0x01, 0x00);
	inta(5500, 3, 0x23);
	finish(9000, 0);
	CHECK(line_with("\"name\":\"held: higher or equal priority in service\"", "\"tid\":203,",
			"\"ts\":3.000,\"dur\":2.000", NULL) != NULL);
	CHECK(line_with("\"name\":\"IRQ3 requested\"", "\"ts\":3.000,\"dur\":2.500", NULL) != NULL);
}

/* A slave IRQ: the master's EOI of its cascade bit ends nothing; the
 * slave's EOI ends IRQ8's span. */
UNIT_TEST(slave_irq_ends_at_the_slaves_eoi)
{
	start();
	raise_irq(1000, 8, IRQ_HOLD_NONE);
	inta(2000, 8, 0x28);
	inject(2100, 8, 0x28);
	eoi(3000, 0, 0x04, 0x00);		/* master first: IR2, the cascade */
	CHECK(line_with("\"name\":\"IRQ8 in service\",\"cat\"", NULL) == NULL);
	CHECK(line_with("\"name\":\"IRQ2 in service\",\"cat\"", NULL) == NULL);
	eoi(4000, 1, 0x01, 0x00);		/* the slave's IR0 */
	finish(5000, 0);
	CHECK(line_with("\"name\":\"IRQ8 in service\",\"cat\"", "\"tid\":108,",
			"\"ts\":2.000,\"dur\":2.000", NULL) != NULL);
	CHECK(line_with("\"name\":\"EOI\"", "\"unit\":\"slave\"", NULL) != NULL);
}

/* A specific EOI names its IR, and ends that IRQ even if another is higher. */
UNIT_TEST(specific_eoi_ends_its_irq)
{
	start();
	inta(1000, 0, 0x20);
	inta(2000, 5, 0x25);
	add(3000, DEV_EVENT_PIC, PIC_EVENT_EOI, 0, 0x60 | 0, 0x21, 0x20, &eoi_at);
	finish(4000, 0);
	CHECK(line_with("\"name\":\"IRQ0 in service\",\"cat\"", "\"dur\":2.000",
			"\"ended by\":\"OCW2 specific EOI IR0 (ISR 21 -> 20)\"", NULL) != NULL);
	CHECK(line_with("\"name\":\"IRQ5 in service\",\"cat\"", "\"dur\":2.000",
			"\"ended by\":\"the end of the run (still in service)\"", NULL) != NULL);
	/* An INTA without a raise seen: no latency to report. */
	CHECK(line_with("\"name\":\"IRQ0 in service\",\"cat\"", "raised to INTA", NULL) == NULL);
}

/* Automatic EOI mode: no ISR bit, so an instant at the INTA, no span. */
UNIT_TEST(automatic_eoi_gives_an_instant)
{
	start();
	add(100, DEV_EVENT_PIC, PIC_EVENT_ICW1, 0, 0x11, 0, 0, NULL);
	add(200, DEV_EVENT_PIC, PIC_EVENT_ICW4, 0, 0x03, 0, 0, NULL);
	raise_irq(1000, 0, IRQ_HOLD_NONE);
	inta(2000, 0, 0x20);
	finish(3000, 0);
	CHECK(line_with("\"name\":\"IRQ0 INTA, automatic EOI\"", "\"ph\":\"i\"", "\"tid\":100,",
			NULL) != NULL);
	CHECK(line_with("\"name\":\"IRQ0 in service\",\"cat\"", NULL) == NULL);
	CHECK(line_with("\"name\":\"IRQ0 requested\"", "\"dur\":1.000", NULL) != NULL);
}

/* ICW1 ends what was in service and forgets edge requests. */
UNIT_TEST(icw1_ends_spans_of_its_chip)
{
	start();
	raise_irq(1000, 0, IRQ_HOLD_MASKED);	/* the power-on tick */
	inta(1500, 3, 0x0b);
	add(2000, DEV_EVENT_PIC, PIC_EVENT_ICW1, 0, 0x11, 0, 0, &guest_at);
	finish(3000, 0);
	CHECK(line_with("\"name\":\"IRQ0 requested\"", "\"dur\":1.000",
			"\"ended by\":\"ICW1 (edge requests are discarded)\"", NULL) != NULL);
	CHECK(line_with("\"name\":\"IRQ3 in service\",\"cat\"", "\"dur\":0.500",
			"\"ended by\":\"ICW1 (the PIC was re-initialised)\"", NULL) != NULL);
}

/* A level-triggered line that falls before the INTA withdraws its request;
 * an edge-triggered one stays requested (the PIT lowers IRQ0 before each tick). */
UNIT_TEST(level_request_withdrawn_edge_request_stays)
{
	start();
	add(100, DEV_EVENT_PIC, PIC_EVENT_ELCR, 0, 0x00, 0x10, 0, NULL);	/* IRQ4 level */
	raise_irq(1000, 4, IRQ_HOLD_NONE);
	raise_irq(1000, 0, IRQ_HOLD_NONE);
	add(2000, DEV_EVENT_IRQ, IRQ_EVENT_LOWERED, 0, 4, 0, 0, NULL);
	add(2000, DEV_EVENT_IRQ, IRQ_EVENT_LOWERED, 0, 0, 0, 0, NULL);
	raise_irq(2500, 0, IRQ_HOLD_NONE);
	finish(3000, 0);
	CHECK(line_with("\"name\":\"IRQ4 requested\"", "\"dur\":1.000",
			"\"ended by\":\"the line fell before INTA (level triggered)\"", NULL) != NULL);
	CHECK(line_with("\"name\":\"IRQ0 requested\"", "\"dur\":2.000", NULL) != NULL);
	CHECK(line_with("\"name\":\"IRQ0 raised again\"", "\"ts\":2.500", NULL) != NULL);
}

/* ---- text and failures ------------------------------------------------------------- */

/* Device texts are JSON-escaped, whatever byte the guest sent. */
UNIT_TEST(device_text_is_escaped)
{
	start();
	add(1000, DEV_EVENT_UART, UART_EVENT_TX, 0, '"', 0, 0, NULL);
	add(2000, DEV_EVENT_UART, UART_EVENT_TX, 0, '\\', 0, 0, NULL);
	add(3000, DEV_EVENT_UART, UART_EVENT_TX, 0, 0x1b, 0, 0, NULL);
	finish(4000, 0);
	CHECK(line_with("\"tid\":302,\"args\":{\"name\":\"uart\"}", NULL) != NULL);
	CHECK_EQ(count_lines_with("\"cat\":\"uart\""), 3);
	CHECK(json_well_formed(out));
}

/* A write that fails (a full disk) is reported by finish; nothing hangs. */
UNIT_TEST(write_error_is_reported)
{
	start();
	fail_errno = ENOSPC;
	raise_irq(1000, 0, IRQ_HOLD_NONE);
	CHECK_EQ(trace_json_finish(&tj, 2000, 0), -ENOSPC);
}

/* A long run goes out in buffer-sized writes and stays well formed. */
UNIT_TEST(long_run_is_written_through_the_buffer)
{
	start();
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t t = 10000ull * i;

		raise_irq(t + 1000, 0, IRQ_HOLD_NONE);
		inta(t + 2000, 0, 0x20);
		inject(t + 2500, 0, 0x20);
		eoi(t + 5000, 0, 0x01, 0x00);
	}
	finish(10000ull * 1000, 0);
	CHECK(out_len > 4 * TRACE_JSON_BUF_SIZE);
	CHECK_EQ(count_lines_with("\"name\":\"IRQ0 in service\",\"cat\""), 1000);
	CHECK_EQ(count_lines_with("\"name\":\"IRQ0 handler\""), 1000);
	CHECK(json_well_formed(out));
}

/* ---- through the tracer: --trace-file ----------------------------------------------- */

/* The tracer opens the file at setup, feeds it from its ring on flush, and
 * closes the JSON at exit. */
UNIT_TEST(tracer_writes_the_file)
{
	char path[] = "/tmp/test_trace_json_XXXXXX";
	struct tracer t;
	struct error err;
	struct dev_events sink;
	int fd = mkstemp(path);
	ssize_t n;

	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(trace_init(&t, ev_default_loop(0), 0, false, STDERR_FILENO, &err), 0);
	CHECK_EQ(trace_open_file(&t, path, &err), 0);
	sink = trace_sink(&t);
	CHECK(sink.emit != NULL);
	dev_event_emit(&sink, DEV_EVENT_PIC, PIC_EVENT_ICW1, 0, 0x11, 0, 0);
	dev_event_emit(&sink, DEV_EVENT_IO, IO_EVENT_PORT_WRITE, 1, 0x11, 0, 0);  /* not in it */
	dev_event_emit(&sink, DEV_EVENT_IRQ, IRQ_EVENT_RAISED, 0, 0, IRQ_HOLD_NONE, 0);
	trace_flush(&t);
	dev_event_emit(&sink, DEV_EVENT_PIC, PIC_EVENT_INTA, 0, 0, 0x20, 0);
	trace_exit(&t);		/* what is still in the ring goes in too */

	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, out, OUT_MAX - 1);
	close(fd);
	unlink(path);
	CHECK(n > 0);
	out[n] = '\0';
	CHECK(json_well_formed(out));
	CHECK(line_with("\"name\":\"ICW1\",\"cat\":\"pic\"", NULL) != NULL);
	CHECK(line_with("\"name\":\"IRQ0 requested\"", "\"ended by\":\"INTA\"", NULL) != NULL);
	CHECK(line_with("\"name\":\"IRQ0 in service\",\"cat\"",
			"\"ended by\":\"the end of the run (still in service)\"", NULL) != NULL);
	CHECK(line_with("\"cat\":\"io\"", NULL) == NULL);
	CHECK(line_with("\"events\":3,\"dropped_events\":0}}", NULL) != NULL);
}

/* With --trace on a stderr nobody reads, the ring fills and drops for both
 * readers, each counts its own losses, and at exit what the ring still holds
 * goes into the file, which is complete JSON all the same. */
UNIT_TEST(stalled_stderr_leaves_the_file_complete)
{
	char path[] = "/tmp/test_trace_json_XXXXXX";
	struct tracer t;
	struct error err;
	struct dev_events sink;
	int fds[2], fd = mkstemp(path);
	ssize_t n;

	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(pipe(fds), 0);
	CHECK_EQ(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(trace_init(&t, ev_default_loop(0), 1u << DEV_EVENT_PIC, false, fds[1], &err), 0);
	CHECK_EQ(trace_open_file(&t, path, &err), 0);
	sink = trace_sink(&t);
	for (unsigned i = 0; i < 2 * TRACE_RING_SIZE; i++) {
		dev_event_emit(&sink, DEV_EVENT_PIC, PIC_EVENT_ICW1, 0, 0x11, 0, 0);
		if (i % 1000 == 0)
			trace_flush(&t);	/* stderr full: the ring fills */
	}
	CHECK(t.dropped > 0);
	CHECK_EQ(t.json_dropped, t.dropped);
	trace_exit(&t);			/* 2 s for stderr, then the ring to the file */
	close(fds[0]);
	close(fds[1]);

	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	n = read(fd, out, OUT_MAX - 1);
	close(fd);
	unlink(path);
	CHECK(n > 0);
	out[n] = '\0';
	CHECK(json_well_formed(out));
	/* Everything the ring took is in the file: all events but the dropped. */
	CHECK(count_lines_with("\"name\":\"ICW1\"") >= TRACE_RING_SIZE);
	CHECK(line_with("\"dropped_events\":", NULL) != NULL);
	CHECK(line_with("\"dropped_events\":0}}", NULL) == NULL);
}

/* Only a regular file: a directory or a FIFO is refused at setup. */
UNIT_TEST(tracer_refuses_what_is_not_a_regular_file)
{
	char dir[] = "/tmp/test_trace_json_XXXXXX";
	char fifo[sizeof(dir) + 8];
	struct tracer t;
	struct error err;

	CHECK(mkdtemp(dir) != NULL);
	CHECK_EQ(trace_init(&t, ev_default_loop(0), 0, false, STDERR_FILENO, &err), 0);
	CHECK(trace_open_file(&t, dir, &err) < 0);	/* EISDIR from open(2) */
	CHECK(strstr(err.msg, dir) != NULL);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	CHECK_EQ(mkfifo(fifo, 0600), 0);
	CHECK(trace_open_file(&t, fifo, &err) < 0);	/* no reader: ENXIO, never a hang */
	CHECK(strstr(err.msg, "fifo") != NULL);
	CHECK(trace_sink(&t).emit == NULL);		/* nothing was set up */
	trace_exit(&t);
	unlink(fifo);
	rmdir(dir);
}

int main(void)
{
	return unit_run_all();
}
