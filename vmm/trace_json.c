// SPDX-License-Identifier: MIT
/*
 * The interrupt timeline (see trace_json.h): the tracer's records turned
 * into Chrome trace events, one object per line:
 *
 *   {"traceEvents":[
 *   {"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"minivmm"}},
 *   {"name":"ICW1","cat":"pic","ph":"i","s":"t","pid":1,"tid":300,"ts":1843.020,...},
 *   {"name":"IRQ0 in service","cat":"irq","ph":"X","pid":1,"tid":100,"ts":...,"dur":...},
 *   ...
 *   {"name":"trace end","cat":"minivmm","ph":"i","s":"g",...}
 *   ],
 *   "displayTimeUnit":"ns",
 *   "otherData":{...}}
 *
 * Spans are "X" (complete) events, written when they end: a span's
 * length is only known then, and an X event cannot be left half-open in
 * the file.  Every span on one track is a single IRR or ISR bit, so spans
 * on a track never overlap; their nested slices end no later than they.
 */
#include "trace_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pic8259.h"
#include "util.h"

/* Tracks: their tid, and where they sort (the vCPU first, then IRQ0's
 * request and in-service tracks, IRQ1's ..., then the devices). */
enum {
	TID_PROCESS = 0,
	TID_VCPU = 1,
	TID_IRQ_SERVICE = 100,		/* + IRQ */
	TID_IRQ_REQUEST = 200,		/* + IRQ */
	TID_DEVICE = 300,		/* + enum dev_event_source */
	TID_LIMIT = 512,
};

#define PIC_IRQS_PER_CHIP 8	/* IRQ n is IR n % 8 of chip n / 8 */

/* ---- building one object --------------------------------------------------- */

struct jbuf {
	char *p;
	size_t size, len;
};

static void jb_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void jb_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < b->size ? b->len + (size_t)n : b->size;
}

/* A JSON string: quotes, backslashes and every byte outside printable
 * ASCII escaped (the texts are ASCII, but a UART byte may be anything). */
static void jb_string(struct jbuf *b, const char *s)
{
	jb_printf(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			jb_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			jb_printf(b, "\\u%04x", c);
		else
			jb_printf(b, "%c", c);
	}
	jb_printf(b, "\"");
}

/* Nanoseconds as the format's microseconds, to the nanosecond. */
static void jb_us(struct jbuf *b, uint64_t ns)
{
	jb_printf(b, "%" PRIu64 ".%03" PRIu64, ns / 1000u, ns % 1000u);
}

/* ,"key":"value" inside an args object (the first one without the comma). */
static void jb_arg_str(struct jbuf *b, const char *key, const char *value)
{
	if (b->len > 0)
		jb_printf(b, ",");
	jb_string(b, key);
	jb_printf(b, ":");
	jb_string(b, value);
}

static void jb_arg_us(struct jbuf *b, const char *key, uint64_t ns)
{
	if (b->len > 0)
		jb_printf(b, ",");
	jb_string(b, key);
	jb_printf(b, ":");
	jb_us(b, ns);
}

static void jb_arg_where(struct jbuf *b, const char *key, const struct trace_where *w)
{
	char text[32];

	if (!w->known)
		return;
	snprintf(text, sizeof(text), "%04x:%08" PRIx64, w->cs, w->rip);
	jb_arg_str(b, key, text);
}

/* ---- writing ------------------------------------------------------------------- */

static ssize_t json_write_fd(void *opaque, const void *buf, size_t len)
{
	return write(*(int *)opaque, buf, len);
}

void trace_json_flush(struct trace_json *j, size_t keep)
{
	size_t done = 0;

	if (j->len <= keep)
		return;
	while (!j->broken && done < j->len) {
		ssize_t n = j->write(j->write_opaque, j->buf + done, j->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* A full disk, an I/O error: stop here, say so at exit. */
			j->broken = true;
			j->write_errno = n < 0 ? errno : EIO;
			break;
		}
		done += (size_t)n;
	}
	j->len = 0;
}

/* Append raw text (the header and the trailer). */
static void json_raw(struct trace_json *j, const char *text)
{
	size_t n = strlen(text);

	if (j->len + n > TRACE_JSON_BUF_SIZE)
		trace_json_flush(j, 0);
	memcpy(j->buf + j->len, text, n);
	j->len += n;
}

/* Append one event object and its line's ",\n". */
static void json_object(struct trace_json *j, const struct jbuf *obj)
{
	if (j->len + obj->len + 2 > TRACE_JSON_BUF_SIZE)
		trace_json_flush(j, 0);
	memcpy(j->buf + j->len, obj->p, obj->len);
	j->len += obj->len;
	memcpy(j->buf + j->len, ",\n", 2);
	j->len += 2;
}

static const char *track_name(unsigned tid, char *buf, size_t size)
{
	static const char *const device_names[DEV_EVENT_NR_SOURCES] = {
		[DEV_EVENT_PIC] = "pic", [DEV_EVENT_PIT] = "pit", [DEV_EVENT_UART] = "uart",
		[DEV_EVENT_IRQ] = "irq", [DEV_EVENT_IO] = "io", [DEV_EVENT_RTC] = "rtc",
	};

	if (tid == TID_VCPU)
		return "vCPU";
	if (tid >= TID_IRQ_SERVICE && tid < TID_IRQ_SERVICE + TRACE_JSON_IRQS)
		snprintf(buf, size, "IRQ%u in service", tid - TID_IRQ_SERVICE);
	else if (tid >= TID_IRQ_REQUEST && tid < TID_IRQ_REQUEST + TRACE_JSON_IRQS)
		snprintf(buf, size, "IRQ%u request", tid - TID_IRQ_REQUEST);
	else if (tid >= TID_DEVICE && tid < TID_DEVICE + DEV_EVENT_NR_SOURCES)
		return device_names[tid - TID_DEVICE];
	else
		snprintf(buf, size, "track %u", tid);
	return buf;
}

static unsigned track_sort_index(unsigned tid)
{
	if (tid >= TID_IRQ_SERVICE && tid < TID_IRQ_SERVICE + TRACE_JSON_IRQS)
		return 11 + 2 * (tid - TID_IRQ_SERVICE);
	if (tid >= TID_IRQ_REQUEST && tid < TID_IRQ_REQUEST + TRACE_JSON_IRQS)
		return 10 + 2 * (tid - TID_IRQ_REQUEST);
	if (tid >= TID_DEVICE)
		return 60 + (tid - TID_DEVICE);
	return tid;
}

/* The first time a track is used: its name and place ("M" events). */
static void json_name_track(struct trace_json *j, unsigned tid)
{
	char text[TRACE_JSON_OBJECT_MAX], name[32];
	struct jbuf obj = { text, sizeof(text), 0 };

	if (tid >= TID_LIMIT || (j->tracks_named[tid / 32] & (1u << (tid % 32))))
		return;
	j->tracks_named[tid / 32] |= 1u << (tid % 32);
	jb_printf(&obj, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
		  "\"args\":{\"name\":", tid);
	jb_string(&obj, track_name(tid, name, sizeof(name)));
	jb_printf(&obj, "}}");
	json_object(j, &obj);
	obj.len = 0;
	jb_printf(&obj, "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
		  "\"args\":{\"sort_index\":%u}}", tid, track_sort_index(tid));
	json_object(j, &obj);
}

/*
 * One event: ph "X" (a span from ts_ns lasting dur_ns) or "i" (an instant
 * on its track), with args (a list of "key":value, may be empty).
 */
static void json_event(struct trace_json *j, char ph, unsigned tid, const char *cat,
		       const char *name, uint64_t ts_ns, uint64_t dur_ns, const struct jbuf *args)
{
	char text[TRACE_JSON_OBJECT_MAX];
	struct jbuf obj = { text, sizeof(text), 0 };

	json_name_track(j, tid);
	jb_printf(&obj, "{\"name\":");
	jb_string(&obj, name);
	jb_printf(&obj, ",\"cat\":\"%s\",\"ph\":\"%c\",", cat, ph);
	if (ph == 'i')
		jb_printf(&obj, "\"s\":\"t\",");
	jb_printf(&obj, "\"pid\":1,\"tid\":%u,\"ts\":", tid);
	jb_us(&obj, ts_ns);
	if (ph == 'X') {
		jb_printf(&obj, ",\"dur\":");
		jb_us(&obj, dur_ns);
	}
	jb_printf(&obj, ",\"args\":{%.*s}}", (int)args->len, args->p);
	json_object(j, &obj);
}

/* ---- the PIC's state, as far as the timeline needs it ---------------------------- */

static unsigned irq_chip(unsigned irq)
{
	return irq / PIC_IRQS_PER_CHIP;
}

static uint8_t irq_bit(unsigned irq)
{
	return (uint8_t)(1u << (irq % PIC_IRQS_PER_CHIP));
}

static bool irq_masked(const struct trace_json *j, unsigned irq)
{
	if (j->imr[irq_chip(irq)] & irq_bit(irq))
		return true;
	/* A slave IRQ goes through the master's cascade input too. */
	return irq >= PIC_IRQS_PER_CHIP && (j->imr[0] & (1u << PIC_CASCADE_IR));
}

static bool irq_level_triggered(const struct trace_json *j, unsigned irq)
{
	return j->level_mode[irq_chip(irq)] || (j->elcr[irq_chip(irq)] & irq_bit(irq));
}

static const char *hold_slice_name(unsigned hold)
{
	switch (hold) {
	case IRQ_HOLD_MASKED: return "held: masked";
	case IRQ_HOLD_IN_SERVICE: return "held: higher or equal priority in service";
	case IRQ_HOLD_GUEST_IF: return "held: guest IF=0";
	case IRQ_HOLD_NOT_READY: return "held: KVM not ready";
	default: return "held";
	}
}

static const char *hold_reason_text(unsigned hold)
{
	switch (hold) {
	case IRQ_HOLD_MASKED: return "masked (IMR)";
	case IRQ_HOLD_IN_SERVICE: return "an interrupt of higher or equal priority in service";
	case IRQ_HOLD_GUEST_IF: return "guest IF=0";
	case IRQ_HOLD_NOT_READY: return "KVM not ready for injection";
	default: return "?";
	}
}

/* ---- spans ------------------------------------------------------------------------ */

static void hold_start(struct trace_json_request *q, unsigned hold, uint64_t ns)
{
	q->hold = (uint8_t)hold;
	q->hold_open = true;
	q->hold_start_ns = ns;
}

static void hold_end(struct trace_json_request *q, uint64_t ns)
{
	if (q->hold == IRQ_HOLD_NONE || !q->hold_open)
		return;
	q->hold_open = false;
	q->hold_end_ns = ns;
}

/* The line's request ends at end_ns (an INTA, or `outcome`). */
static void request_close(struct trace_json *j, unsigned irq, uint64_t end_ns,
			  const char *outcome)
{
	struct trace_json_request *q = &j->req[irq];
	char name[32], argtext[512];
	struct jbuf args = { argtext, sizeof(argtext), 0 };
	uint64_t held_to;

	if (!q->open)
		return;
	q->open = false;
	if (end_ns < q->start_ns)
		end_ns = q->start_ns;
	hold_end(q, end_ns);
	snprintf(name, sizeof(name), "IRQ%u requested", irq);
	jb_arg_str(&args, "ended by", outcome);
	if (q->hold != IRQ_HOLD_NONE)
		jb_arg_str(&args, "held", hold_reason_text(q->hold));
	json_event(j, 'X', TID_IRQ_REQUEST + irq, "irq", name, q->start_ns, end_ns - q->start_ns,
		   &args);
	if (q->hold == IRQ_HOLD_NONE)
		return;
	/* Nested in the request: the time it was held back, and why. */
	held_to = q->hold_end_ns < end_ns ? q->hold_end_ns : end_ns;
	if (held_to < q->hold_start_ns)
		held_to = q->hold_start_ns;
	args.len = 0;
	jb_arg_str(&args, "reason", hold_reason_text(q->hold));
	json_event(j, 'X', TID_IRQ_REQUEST + irq, "irq", hold_slice_name(q->hold),
		   q->hold_start_ns, held_to - q->hold_start_ns, &args);
}

/* The ISR bit of `irq` clears at end_ns: by `eoi` (may be NULL: `outcome`). */
static void service_close(struct trace_json *j, unsigned irq, uint64_t end_ns,
			  const struct trace_record *eoi, const char *outcome)
{
	struct trace_json_service *v = &j->svc[irq];
	char name[32], argtext[1024], text[192];
	struct jbuf args = { argtext, sizeof(argtext), 0 };

	if (!v->open)
		return;
	v->open = false;
	if (end_ns < v->start_ns)
		end_ns = v->start_ns;
	snprintf(name, sizeof(name), "IRQ%u in service", irq);
	snprintf(text, sizeof(text), "0x%02x", v->vector);
	jb_arg_str(&args, "vector", text);
	if (v->has_latency)
		jb_arg_us(&args, "raised to INTA (us)", v->latency_ns);
	if (v->inject_ns != 0 && v->inject_ns <= end_ns)
		jb_arg_us(&args, "handler (us)", end_ns - v->inject_ns);
	if (eoi != NULL) {
		trace_event_text(&eoi->ev, text, sizeof(text));
		jb_arg_str(&args, "ended by", text);
		jb_arg_where(&args, "EOI at", &eoi->where);
	} else {
		jb_arg_str(&args, "ended by", outcome);
	}
	json_event(j, 'X', TID_IRQ_SERVICE + irq, "irq", name, v->start_ns, end_ns - v->start_ns,
		   &args);
	if (v->inject_ns == 0 || v->inject_ns > end_ns)
		return;
	/* Nested: from the injection (the handler's entry) to the EOI. */
	args.len = 0;
	jb_arg_where(&args, "interrupted at", &v->interrupted);
	snprintf(name, sizeof(name), "IRQ%u handler", irq);
	json_event(j, 'X', TID_IRQ_SERVICE + irq, "irq", name, v->inject_ns,
		   end_ns - v->inject_ns, &args);
}

/* An INTA (or a poll) took `irq` at ns: its request ends, its service begins. */
static void irq_acknowledged(struct trace_json *j, unsigned irq, uint8_t vector, uint64_t ns)
{
	struct trace_json_request *q = &j->req[irq];
	struct trace_json_service *v = &j->svc[irq];
	bool had_request = q->open;
	uint64_t raised_ns = q->start_ns;
	char name[48], argtext[128];
	struct jbuf args = { argtext, sizeof(argtext), 0 };

	request_close(j, irq, ns, "INTA");
	service_close(j, irq, ns, NULL, "the next INTA of this IRQ: no EOI was seen");
	if (j->aeoi[irq_chip(irq)]) {
		/* Automatic EOI: the ISR bit is never set, nothing to span. */
		char vec[8];

		snprintf(vec, sizeof(vec), "0x%02x", vector);
		jb_arg_str(&args, "vector", vec);
		snprintf(name, sizeof(name), "IRQ%u INTA, automatic EOI", irq);
		json_event(j, 'i', TID_IRQ_SERVICE + irq, "irq", name, ns, 0, &args);
		return;
	}
	*v = (struct trace_json_service){
		.open = true, .start_ns = ns, .vector = vector,
		.has_latency = had_request, .latency_ns = had_request ? ns - raised_ns : 0,
	};
}

/* ---- records ------------------------------------------------------------------------ */

/* The VMM's interrupt events (trace.h, DEV_EVENT_IRQ). */
static void json_irq_event(struct trace_json *j, const struct trace_record *r)
{
	const struct dev_event *ev = &r->ev;
	unsigned irq = ev->arg[0];
	char name[48], argtext[256];
	struct jbuf args = { argtext, sizeof(argtext), 0 };

	switch (ev->type) {
	case IRQ_EVENT_RAISED:
		if (irq >= TRACE_JSON_IRQS)
			return;
		if (j->req[irq].open) {
			/* Already in IRR: the new edge merges with the request. */
			snprintf(name, sizeof(name), "IRQ%u raised again", irq);
			jb_arg_str(&args, "note", "already requested: merges into the same IRR bit");
			json_event(j, 'i', TID_IRQ_REQUEST + irq, "irq", name, r->ns, 0, &args);
			return;
		}
		j->req[irq] = (struct trace_json_request){ .open = true, .start_ns = r->ns };
		if (ev->arg[1] != IRQ_HOLD_NONE)
			hold_start(&j->req[irq], ev->arg[1], r->ns);
		return;
	case IRQ_EVENT_LOWERED:
		/* An edge stays latched in IRR; a level request goes with its line. */
		if (irq < TRACE_JSON_IRQS && irq_level_triggered(j, irq))
			request_close(j, irq, r->ns, "the line fell before INTA (level triggered)");
		return;
	case IRQ_EVENT_INJECTED:
		trace_event_text(ev, argtext, sizeof(argtext));
		if (irq == IRQ_SPURIOUS)
			snprintf(name, sizeof(name), "spurious -> vector 0x%02x", ev->arg[1] & 0xffu);
		else
			snprintf(name, sizeof(name), "IRQ%u -> vector 0x%02x", irq, ev->arg[1] & 0xffu);
		args.len = 0;
		jb_arg_where(&args, "interrupted at", &r->where);
		json_event(j, 'i', TID_VCPU, "irq", name, r->ns, 0, &args);
		if (irq < TRACE_JSON_IRQS && j->svc[irq].open && j->svc[irq].inject_ns == 0) {
			j->svc[irq].inject_ns = r->ns;
			j->svc[irq].interrupted = r->where;
		}
		return;
	case IRQ_EVENT_HELD:
		jb_arg_str(&args, "reason", hold_reason_text(ev->arg[0]));
		json_event(j, 'i', TID_VCPU, "irq", "INTR held", r->ns, 0, &args);
		/* The CPU holds back whatever the PIC is asking for. */
		for (unsigned i = 0; i < TRACE_JSON_IRQS; i++)
			if (j->req[i].open && j->req[i].hold == IRQ_HOLD_NONE)
				hold_start(&j->req[i], ev->arg[0], r->ns);
		return;
	default:
		return;
	}
}

/* The PIC's events change what the spans are: follow them. */
static void json_pic_event(struct trace_json *j, const struct trace_record *r)
{
	const struct dev_event *ev = &r->ev;
	unsigned chip = ev->unit ? 1 : 0;
	unsigned first = chip * PIC_IRQS_PER_CHIP;
	uint8_t cleared;

	switch (ev->type) {
	case PIC_EVENT_ICW1:
		/* ICW1 clears ISR and IMR and forgets edge requests in IRR. */
		j->level_mode[chip] = (ev->arg[0] & PIC_ICW1_LTIM) != 0;
		j->imr[chip] = 0;
		j->aeoi[chip] = false;
		for (unsigned irq = first; irq < first + PIC_IRQS_PER_CHIP; irq++) {
			service_close(j, irq, r->ns, NULL, "ICW1 (the PIC was re-initialised)");
			if (!irq_level_triggered(j, irq))
				request_close(j, irq, r->ns, "ICW1 (edge requests are discarded)");
		}
		return;
	case PIC_EVENT_ICW4:
		j->aeoi[chip] = (ev->arg[0] & PIC_ICW4_AEOI) != 0;
		return;
	case PIC_EVENT_OCW1:
		j->imr[chip] = (uint8_t)ev->arg[1];
		for (unsigned irq = 0; irq < TRACE_JSON_IRQS; irq++)
			if (j->req[irq].open && j->req[irq].hold == IRQ_HOLD_MASKED &&
			    !irq_masked(j, irq))
				hold_end(&j->req[irq], r->ns);
		return;
	case PIC_EVENT_ELCR:
		j->elcr[chip] = (uint8_t)ev->arg[1];
		return;
	case PIC_EVENT_EOI:
		/* The ISR bits it cleared are the IRQs it ended (see trace_json.h). */
		cleared = (uint8_t)(ev->arg[1] & ~ev->arg[2]);
		for (unsigned ir = 0; ir < PIC_IRQS_PER_CHIP; ir++)
			if (cleared & (1u << ir))
				service_close(j, first + ir, r->ns, r, NULL);
		/* Requests that waited for a higher priority to end may go now
		 * (a master EOI may free a slave request through the cascade). */
		for (unsigned irq = first; irq < TRACE_JSON_IRQS; irq++)
			if (j->req[irq].open && j->req[irq].hold == IRQ_HOLD_IN_SERVICE)
				hold_end(&j->req[irq], r->ns);
		return;
	case PIC_EVENT_INTA:
		if (ev->arg[0] < TRACE_JSON_IRQS)
			irq_acknowledged(j, ev->arg[0], (uint8_t)ev->arg[1], r->ns);
		return;
	case PIC_EVENT_POLL:
		/* A poll acknowledges as an INTA does, without a vector. */
		if (ev->arg[1] < TRACE_JSON_IRQS)
			irq_acknowledged(j, ev->arg[1], 0, r->ns);
		return;
	default:
		return;
	}
}

/* Any device's event, as an instant on its track. */
static void json_device_event(struct trace_json *j, const struct trace_record *r)
{
	struct trace_event_names names;
	char text[192], argtext[512];
	struct jbuf args = { argtext, sizeof(argtext), 0 };

	trace_event_names(&r->ev, &names);
	trace_event_text(&r->ev, text, sizeof(text));
	if (names.unit != NULL)
		jb_arg_str(&args, "unit", names.unit);
	jb_arg_str(&args, "text", text);
	jb_arg_where(&args, "at", &r->where);
	json_event(j, 'i', TID_DEVICE + r->ev.source, names.source, names.type, r->ns, 0, &args);
}

void trace_json_add(struct trace_json *j, const struct trace_record *r)
{
	if (j->buf == NULL || r->ev.source >= DEV_EVENT_NR_SOURCES)
		return;
	j->events++;
	if (r->ns > j->last_ns)
		j->last_ns = r->ns;
	if (r->ev.source == DEV_EVENT_IRQ) {
		json_irq_event(j, r);
		return;
	}
	json_device_event(j, r);
	if (r->ev.source == DEV_EVENT_PIC)
		json_pic_event(j, r);
}

/* ---- start and end ------------------------------------------------------------------- */

int trace_json_init(struct trace_json *j, int fd, trace_json_write_fn *write, void *opaque)
{
	*j = (struct trace_json){ .fd = fd, .write = write, .write_opaque = opaque };
	if (write == NULL) {
		j->write = json_write_fd;
		j->write_opaque = &j->fd;
	}
	/* At power-on every IRQ is masked (devices/pic8259.h). */
	j->imr[0] = j->imr[1] = 0xff;
	j->buf = malloc(TRACE_JSON_BUF_SIZE);
	if (j->buf == NULL)
		return -ENOMEM;
	json_raw(j, "{\"traceEvents\":[\n"
		 "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
		 "\"args\":{\"name\":\"minivmm\"}},\n");
	return 0;
}

int trace_json_finish(struct trace_json *j, uint64_t end_ns, uint64_t dropped)
{
	char text[TRACE_JSON_OBJECT_MAX];
	struct jbuf obj = { text, sizeof(text), 0 };
	int ret;

	if (j->buf == NULL)
		return 0;
	if (end_ns < j->last_ns)
		end_ns = j->last_ns;
	for (unsigned irq = 0; irq < TRACE_JSON_IRQS; irq++) {
		service_close(j, irq, end_ns, NULL, "the end of the run (still in service)");
		request_close(j, irq, end_ns, "the end of the run (still requested)");
	}
	/* The last event carries no comma after it: the array ends here. */
	jb_printf(&obj, "{\"name\":\"trace end\",\"cat\":\"minivmm\",\"ph\":\"i\",\"s\":\"g\","
		  "\"pid\":1,\"tid\":%u,\"ts\":", TID_VCPU);
	jb_us(&obj, end_ns);
	jb_printf(&obj, ",\"args\":{\"events\":%" PRIu64 ",\"dropped events\":%" PRIu64 "}}\n"
		  "],\n\"displayTimeUnit\":\"ns\",\n"
		  "\"otherData\":{\"generator\":\"minivmm --trace-file\",\"events\":%" PRIu64
		  ",\"dropped_events\":%" PRIu64 "}}\n", j->events, dropped, j->events, dropped);
	json_raw(j, text);
	trace_json_flush(j, 0);
	ret = j->broken ? -j->write_errno : 0;
	free(j->buf);
	j->buf = NULL;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	return ret;
}
