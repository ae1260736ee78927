// SPDX-License-Identifier: MIT
/*
 * The tracer (see trace.h): a bounded ring between the threads that emit
 * device events and the loop thread that prints them.
 */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "pic8259.h"
#include "pit8254.h"
#include "rtc146818.h"
#include "trace_json.h"
#include "uart16550.h"
#include "util.h"

/* ---- the VMM's own events --------------------------------------------------- */

static const char *const irq_event_names[IRQ_EVENT_NR] = {
	[IRQ_EVENT_RAISED] = "raised",
	[IRQ_EVENT_LOWERED] = "lowered",
	[IRQ_EVENT_INJECTED] = "injected",
	[IRQ_EVENT_HELD] = "held",
};

static const char *const irq_hold_text[IRQ_HOLD_NR] = {
	[IRQ_HOLD_NONE] = "",
	[IRQ_HOLD_MASKED] = "masked",
	[IRQ_HOLD_IN_SERVICE] = "an interrupt of higher or equal priority is in service",
	[IRQ_HOLD_GUEST_IF] = "guest IF=0",
	[IRQ_HOLD_NOT_READY] = "KVM not ready for injection",
};

static const char *irq_hold_name(uint32_t hold)
{
	return hold < IRQ_HOLD_NR ? irq_hold_text[hold] : "?";
}

static int irq_event_format(const struct dev_event *ev, char *buf, size_t size)
{
	switch (ev->type) {
	case IRQ_EVENT_RAISED:
		if (ev->arg[1] == IRQ_HOLD_NONE)
			return snprintf(buf, size, "%" PRIu32 " raised", ev->arg[0]);
		return snprintf(buf, size, "%" PRIu32 " raised, held: %s", ev->arg[0],
				irq_hold_name(ev->arg[1]));
	case IRQ_EVENT_LOWERED:
		return snprintf(buf, size, "%" PRIu32 " lowered", ev->arg[0]);
	case IRQ_EVENT_INJECTED:
		if (ev->arg[0] == IRQ_SPURIOUS)
			return snprintf(buf, size, "spurious -> vector 0x%02" PRIx32 " injected",
					ev->arg[1]);
		return snprintf(buf, size, "%" PRIu32 " -> vector 0x%02" PRIx32 " injected",
				ev->arg[0], ev->arg[1]);
	case IRQ_EVENT_HELD:
		return snprintf(buf, size, "INTR held: %s", irq_hold_name(ev->arg[0]));
	default:
		return snprintf(buf, size, "event %u", ev->type);
	}
}

static const char *const io_event_names[IO_EVENT_NR] = {
	[IO_EVENT_PORT_READ] = "port-read",
	[IO_EVENT_PORT_WRITE] = "port-write",
	[IO_EVENT_MMIO_READ] = "mmio-read",
	[IO_EVENT_MMIO_WRITE] = "mmio-write",
};

static int io_event_format(const struct dev_event *ev, char *buf, size_t size)
{
	uint64_t value = (uint64_t)ev->arg[1] << 32 | ev->arg[0];
	bool is_port = ev->type == IO_EVENT_PORT_READ || ev->type == IO_EVENT_PORT_WRITE;
	bool is_write = ev->type == IO_EVENT_PORT_WRITE || ev->type == IO_EVENT_MMIO_WRITE;

	if (ev->type >= IO_EVENT_NR)
		return snprintf(buf, size, "event %u", ev->type);
	return snprintf(buf, size, "%s %-5s 0x%0*" PRIx64 " size %u value 0x%0*" PRIx64,
			is_port ? "port" : "mmio", is_write ? "write" : "read",
			is_port ? 4 : 8, ev->arg64, ev->unit, (int)ev->unit * 2, value);
}

/* ---- who is who ------------------------------------------------------------- */

static const char *const pic_units[] = { "master", "slave" };
static const char *const pit_units[] = { "ch0", "ch1", "ch2", "portb" };
static const char *const uart_units[] = { "com1" };

static const struct trace_source {
	const char *name;		/* as --trace and the lines spell it */
	const char *const *units;	/* "pic" + ".master", or NULL */
	size_t nr_units;
	const char *const *type_names;
	unsigned nr_types;
	dev_event_format_fn *format;
} trace_sources[DEV_EVENT_NR_SOURCES] = {
	[DEV_EVENT_PIC] = { "pic", pic_units, ARRAY_SIZE(pic_units), pic_event_names,
			    PIC_EVENT_NR, pic_event_format },
	[DEV_EVENT_PIT] = { "pit", pit_units, ARRAY_SIZE(pit_units), pit_event_names,
			    PIT_EVENT_NR, pit_event_format },
	[DEV_EVENT_UART] = { "uart", uart_units, ARRAY_SIZE(uart_units), uart_event_names,
			     UART_EVENT_NR, uart_event_format },
	[DEV_EVENT_IRQ] = { "irq", NULL, 0, irq_event_names, IRQ_EVENT_NR, irq_event_format },
	[DEV_EVENT_IO] = { "io", NULL, 0, io_event_names, IO_EVENT_NR, io_event_format },
	[DEV_EVENT_RTC] = { "rtc", NULL, 0, rtc_event_names, RTC_EVENT_NR, rtc_event_format },
};

_Static_assert(PIC_EVENT_NR <= DEV_EVENT_MAX_TYPES && PIT_EVENT_NR <= DEV_EVENT_MAX_TYPES &&
	       UART_EVENT_NR <= DEV_EVENT_MAX_TYPES &&
	       RTC_EVENT_NR <= DEV_EVENT_MAX_TYPES, "raise DEV_EVENT_MAX_TYPES");

int trace_parse_list(const char *list, unsigned *mask, struct error *err)
{
	const char *p = list;

	*mask = 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		bool found = false;

		if (len == 3 && strncmp(p, "all", 3) == 0) {
			*mask = (1u << DEV_EVENT_NR_SOURCES) - 1;
			found = true;
		}
		for (unsigned i = 0; i < DEV_EVENT_NR_SOURCES && !found; i++) {
			if (strlen(trace_sources[i].name) == len &&
			    strncmp(p, trace_sources[i].name, len) == 0) {
				*mask |= 1u << i;
				found = true;
			}
		}
		if (!found)
			return error_set(err, -EINVAL, "bad --trace '%s': unknown event group "
					 "'%.*s' (choose from %s)", list, (int)len, p,
					 trace_list_help());
		p += len;
		if (*p == ',')
			p++;
	}
	if (*mask == 0)
		return error_set(err, -EINVAL, "bad --trace '%s': name at least one of %s", list,
				 trace_list_help());
	return 0;
}

const char *trace_list_help(void)
{
	return "pic, pit, uart, irq, io, rtc, all";
}

/* ---- emitting (device lock held, any thread) -------------------------------- */

static void trace_emit(void *opaque, const struct dev_event *ev)
{
	struct tracer *t = opaque;
	struct trace_record *r;
	bool was_empty;

	if (ev->source >= DEV_EVENT_NR_SOURCES)
		return;
	if (t->counting && ev->type < DEV_EVENT_MAX_TYPES)
		t->counts[ev->source][ev->type]++;
	if (!((t->print_mask | t->json_mask) & (1u << ev->source)))
		return;

	pthread_mutex_lock(&t->lock);
	if (t->ring == NULL || t->len == TRACE_RING_SIZE) {
		/* Each reader counts what it missed: --trace and the timeline. */
		t->dropped += (t->print_mask >> ev->source) & 1u;
		t->json_dropped += (t->json_mask >> ev->source) & 1u;
		pthread_mutex_unlock(&t->lock);
		return;
	}
	r = &t->ring[(t->head + t->len) % TRACE_RING_SIZE];
	r->ev = *ev;
	r->ns = clock_now_ns() - t->start_ns;
	r->where = (struct trace_where){ .known = false };
	if (t->where != NULL)
		t->where(t->where_opaque, &r->where);
	was_empty = t->len++ == 0;
	pthread_mutex_unlock(&t->lock);
	/* Wake the loop only on empty -> non-empty: it drains everything. */
	if (was_empty)
		ev_async_send(t->loop, &t->wake);
}

struct dev_events trace_sink(struct tracer *t)
{
	if (!t->counting && t->print_mask == 0 && t->json_mask == 0)
		return (struct dev_events){ .emit = NULL };
	return (struct dev_events){ .emit = trace_emit, .opaque = t };
}

bool trace_wants(const struct tracer *t, enum dev_event_source source)
{
	return t->counting || ((t->print_mask | t->json_mask) & (1u << source));
}

/* ---- printing (loop thread, no device lock) ---------------------------------- */

void trace_event_names(const struct dev_event *ev, struct trace_event_names *names)
{
	const struct trace_source *src;

	*names = (struct trace_event_names){ "?", NULL, "?" };
	if (ev->source >= DEV_EVENT_NR_SOURCES)
		return;
	src = &trace_sources[ev->source];
	names->source = src->name;
	if (src->units != NULL)
		names->unit = ev->unit < src->nr_units ? src->units[ev->unit] : "?";
	if (ev->type < src->nr_types && src->type_names[ev->type] != NULL)
		names->type = src->type_names[ev->type];
}

int trace_event_text(const struct dev_event *ev, char *buf, size_t size)
{
	if (ev->source >= DEV_EVENT_NR_SOURCES)
		return snprintf(buf, size, "unknown event source %u", ev->source);
	return trace_sources[ev->source].format(ev, buf, size);
}

int trace_format_record(const struct trace_record *r, char *buf, size_t size)
{
	const struct dev_event *ev = &r->ev;
	const struct trace_source *src;
	char where[32] = "-";
	char unit[16] = "";
	char body[192];

	if (ev->source >= DEV_EVENT_NR_SOURCES)
		return snprintf(buf, size, "minivmm: trace: unknown event source %u\n",
				ev->source);
	src = &trace_sources[ev->source];
	if (r->where.known)
		snprintf(where, sizeof(where), "%04x:%08" PRIx64, r->where.cs, r->where.rip);
	if (src->units != NULL)
		snprintf(unit, sizeof(unit), ".%s",
			 ev->unit < src->nr_units ? src->units[ev->unit] : "?");
	src->format(ev, body, sizeof(body));
	return snprintf(buf, size, "minivmm: trace: %4" PRIu64 ".%06" PRIu64 " %-13s %s%s %s\n",
			r->ns / NSEC_PER_SEC, r->ns % NSEC_PER_SEC / 1000u, where, src->name,
			unit, body);
}

/* Write from out_buf what out_fd takes now; true when it is empty. */
static bool trace_write_out(struct tracer *t)
{
	while (t->out_len > 0) {
		ssize_t n = nbwrite_write(&t->out, t->out_buf + t->out_head, t->out_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			ev_io_start(t->loop, &t->out_watcher);	/* on again when writable */
			return false;
		}
		if (n <= 0) {
			/* The reader is gone: drop the lines, keep counting them. */
			t->out_broken = true;
			t->out_len = 0;
			return true;
		}
		t->out_head += (size_t)n;
		t->out_len -= (size_t)n;
	}
	t->out_head = 0;
	ev_io_stop(t->loop, &t->out_watcher);
	return true;
}

void trace_flush(struct tracer *t)
{
	struct trace_record batch[64];
	char line[256];

	/* Take events only as fast as lines leave: a slow reader fills the
	 * ring, and the ring drops and counts, rather than anything blocking. */
	while (trace_write_out(t)) {
		size_t n = 0;

		pthread_mutex_lock(&t->lock);
		while (n < ARRAY_SIZE(batch) && t->len > 0) {
			batch[n++] = t->ring[t->head];
			t->head = (t->head + 1) % TRACE_RING_SIZE;
			t->len--;
		}
		pthread_mutex_unlock(&t->lock);
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			unsigned bit = 1u << batch[i].ev.source;
			int len;

			if (t->json != NULL && (t->json_mask & bit))
				trace_json_add(t->json, &batch[i]);
			if (!(t->print_mask & bit))
				continue;
			len = trace_format_record(&batch[i], line, sizeof(line));
			if (len < 0)
				continue;
			if ((size_t)len >= sizeof(line))
				len = sizeof(line) - 1;	/* cut, but still a line */
			if (t->out_broken) {
				t->lost_lines++;
				continue;
			}
			memcpy(t->out_buf + t->out_len, line, (size_t)len);
			t->out_len += (size_t)len;
		}
	}
}

static void trace_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	trace_flush(w->data);
}

static void trace_out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	trace_flush(w->data);
}

/* The ring and the loop's side of it, for --trace and --trace-file alike. */
static int trace_start_ring(struct tracer *t, struct error *err)
{
	_Static_assert(TRACE_OUT_SIZE >= 64 * 256, "out_buf holds one batch of lines");
	t->ring = calloc(TRACE_RING_SIZE, sizeof(*t->ring));
	t->out_buf = malloc(TRACE_OUT_SIZE);
	if (t->ring == NULL || t->out_buf == NULL) {
		free(t->ring);
		free(t->out_buf);
		t->ring = NULL;
		t->out_buf = NULL;
		return error_set(err, -ENOMEM, "out of memory for the trace buffer");
	}
	ev_async_init(&t->wake, trace_wake_cb);
	t->wake.data = t;
	ev_async_start(t->loop, &t->wake);
	nbwrite_open(&t->out, t->out_fd);
	ev_io_init(&t->out_watcher, trace_out_cb, t->out.fd, EV_WRITE);
	t->out_watcher.data = t;
	return 0;
}

int trace_init(struct tracer *t, struct ev_loop *loop, unsigned print_mask, bool counting,
	       int out_fd, struct error *err)
{
	memset(t, 0, sizeof(*t));
	t->out.private_fd = -1;
	t->print_mask = print_mask;
	t->counting = counting;
	t->out_fd = out_fd;
	t->loop = loop;
	t->start_ns = clock_now_ns();
	pthread_mutex_init(&t->lock, NULL);
	if (print_mask == 0)
		return 0;
	return trace_start_ring(t, err);
}

int trace_open_file(struct tracer *t, const char *path, struct error *err)
{
	struct stat st;
	int fd, ret;

	/*
	 * O_NONBLOCK only so that a FIFO without a reader cannot hang us here
	 * (ENXIO); anything but a regular file is refused, because a reader
	 * that stalls would have to stall the loop or cut the JSON.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0666);
	if (fd < 0 && errno == ENXIO)	/* a FIFO nobody reads */
		return error_set(err, -EINVAL, "--trace-file %s is not a regular file", path);
	if (fd < 0)
		return error_set(err, -errno, "cannot open --trace-file %s: %s", path,
				 strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set(err, -EINVAL, "--trace-file %s is not a regular file", path);
	}
	t->json = calloc(1, sizeof(*t->json));
	if (t->json == NULL || trace_json_init(t->json, fd, NULL, NULL) < 0) {
		free(t->json);
		t->json = NULL;
		close(fd);
		return error_set(err, -ENOMEM, "out of memory for --trace-file");
	}
	t->json_path = path;
	/* Every device event but port/MMIO accesses (those are --trace=io's). */
	t->json_mask = ((1u << DEV_EVENT_NR_SOURCES) - 1) & ~(1u << DEV_EVENT_IO);
	if (t->ring != NULL)
		return 0;
	ret = trace_start_ring(t, err);
	if (ret < 0) {
		close(t->json->fd);
		free(t->json->buf);
		free(t->json);
		t->json = NULL;
		t->json_mask = 0;
	}
	return ret;
}

void trace_print_stats(const struct tracer *t, FILE *out)
{
	if (!t->counting)
		return;
	for (unsigned s = 0; s < DEV_EVENT_NR_SOURCES; s++) {
		const struct trace_source *src = &trace_sources[s];
		bool any = false;

		for (unsigned type = 0; type < src->nr_types; type++) {
			if (t->counts[s][type] == 0)
				continue;
			if (!any)
				fprintf(out, "minivmm: stats: %s events:", src->name);
			fprintf(out, "%s %" PRIu64 " %s", any ? "," : "", t->counts[s][type],
				src->type_names[type]);
			any = true;
		}
		if (any)
			fputc('\n', out);
	}
}

/* At exit: flush for TRACE_EXIT_FLUSH_MS at most, whatever out_fd does. */
static void trace_final_flush(struct tracer *t)
{
	uint64_t deadline = clock_now_ns() + TRACE_EXIT_FLUSH_MS * NSEC_PER_MSEC;
	struct pollfd pfd = { .fd = t->out.fd, .events = POLLOUT };

	for (;;) {
		uint64_t now;

		trace_flush(t);
		if ((t->out_len == 0 && t->len == 0) || t->out_broken)
			break;
		now = clock_now_ns();
		if (now >= deadline)
			break;
		poll(&pfd, 1, (int)((deadline - now) / NSEC_PER_MSEC) + 1);
	}
}

/*
 * At exit, after the bounded flush: what is still in the ring (stderr could
 * not take it) goes to the timeline alone, whose file never blocks; the
 * lines it held count as not printed.  Nothing emits any more by now.
 */
static uint64_t trace_drain_left(struct tracer *t)
{
	struct trace_record batch[64];
	uint64_t unprinted = 0;
	size_t n;

	do {
		n = 0;
		pthread_mutex_lock(&t->lock);
		while (n < ARRAY_SIZE(batch) && t->len > 0) {
			batch[n++] = t->ring[t->head];
			t->head = (t->head + 1) % TRACE_RING_SIZE;
			t->len--;
		}
		pthread_mutex_unlock(&t->lock);
		for (size_t i = 0; i < n; i++) {
			unsigned bit = 1u << batch[i].ev.source;

			if (t->json != NULL && (t->json_mask & bit))
				trace_json_add(t->json, &batch[i]);
			unprinted += (t->print_mask & bit) != 0;
		}
	} while (n > 0);
	return unprinted;
}

/* Close the timeline's JSON and say on one line what it lacks, if anything. */
static void trace_finish_file(struct tracer *t)
{
	uint64_t dropped = t->json_dropped;
	char msg[PATH_MAX + 200];
	ssize_t ignored;
	int ret, len = 0;

	ret = trace_json_finish(t->json, clock_now_ns() - t->start_ns, dropped);
	free(t->json);
	t->json = NULL;
	if (ret < 0)
		len = snprintf(msg, sizeof(msg), "minivmm: trace-file: writing %s failed (%s): "
			       "the timeline is incomplete\n", t->json_path, strerror(-ret));
	else if (dropped > 0)
		len = snprintf(msg, sizeof(msg), "minivmm: trace-file: %" PRIu64 " events were "
			       "dropped (the trace ring was full): the timeline in %s has gaps\n",
			       dropped, t->json_path);
	if (len > 0) {
		if ((size_t)len >= sizeof(msg))
			len = sizeof(msg) - 1;
		ignored = nbwrite_write(&t->out, msg, (size_t)len);
		(void)ignored;
	}
}

void trace_exit(struct tracer *t)
{
	uint64_t unprinted;
	char msg[160];
	ssize_t ignored;
	int len;

	if (t->ring == NULL)
		return;
	ev_async_stop(t->loop, &t->wake);
	trace_final_flush(t);
	ev_io_stop(t->loop, &t->out_watcher);
	unprinted = trace_drain_left(t);
	pthread_mutex_lock(&t->lock);
	unprinted += t->dropped + t->lost_lines + t->len;
	for (size_t i = 0; i < t->out_len; i++)
		unprinted += t->out_buf[t->out_head + i] == '\n';
	free(t->ring);
	t->ring = NULL;		/* from now on events are only counted */
	t->len = 0;
	pthread_mutex_unlock(&t->lock);
	free(t->out_buf);
	t->out_buf = NULL;
	if (unprinted > 0) {
		len = snprintf(msg, sizeof(msg), "minivmm: trace: %" PRIu64 " events were not "
			       "printed: stderr could not keep up\n", unprinted);
		ignored = nbwrite_write(&t->out, msg, (size_t)len);
		(void)ignored;
	}
	if (t->json != NULL)
		trace_finish_file(t);
	nbwrite_close(&t->out);
}
