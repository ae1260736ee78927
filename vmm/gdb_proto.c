// SPDX-License-Identifier: MIT
/*
 * The GDB remote serial protocol, pure (gdb_proto.h).  Deliberate
 * choices, against the GDB manual's appendix E:
 *   - escapes (0x7d) and run lengths ('*') are undone in every packet, as
 *     gdbserver and QEMU do, though gdb only sends them in binary data;
 *   - a packet longer than GDB_PACKET_MAX is swallowed whole and answered
 *     '-' (gdb never sends one: qSupported announces the size);
 *   - one thread, id 1; no multiprocess extensions, no non-stop mode.
 */
#include "gdb_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define GDB_ESCAPE 0x7d
#define GDB_ESCAPE_XOR 0x20
#define GDB_INTERRUPT 0x03
/* Run-length encoding: '*' then a count character, repeat = count - 29
 * (E.1: "the printable characters ... n+29"). */
#define GDB_RLE_BIAS 29

int gdb_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- framing ------------------------------------------------------------------ */

void gdb_framer_init(struct gdb_framer *f)
{
	memset(f, 0, sizeof(*f));
}

static void gdb_framer_put(struct gdb_framer *f, uint8_t c)
{
	if (f->len < GDB_PACKET_MAX)
		f->buf[f->len++] = c;
	else
		f->overflow = true;
}

enum gdb_frame_event gdb_framer_feed(struct gdb_framer *f, uint8_t byte)
{
	int digit;

	switch (f->state) {
	case GDB_FR_IDLE:
		if (byte == '$') {
			f->state = GDB_FR_BODY;
			f->len = 0;
			f->sum = 0;
			f->overflow = false;
			return GDB_FRAME_NONE;
		}
		if (byte == GDB_INTERRUPT)
			return GDB_FRAME_INTERRUPT;
		if (byte == '+')
			return GDB_FRAME_ACK;
		if (byte == '-')
			return GDB_FRAME_NACK;
		return GDB_FRAME_NONE;	/* noise between packets */
	case GDB_FR_BODY:
		if (byte == '#') {
			f->state = GDB_FR_SUM1;
			return GDB_FRAME_NONE;
		}
		if (byte == '$') {
			/* A new packet before the end of this one: gdb gave up on
			 * the old one (a timeout, a retransmission); start again. */
			f->len = 0;
			f->sum = 0;
			f->overflow = false;
			return GDB_FRAME_NONE;
		}
		f->sum = (uint8_t)(f->sum + byte);
		if (byte == GDB_ESCAPE)
			f->state = GDB_FR_ESCAPE;
		else if (byte == '*' && f->len > 0)
			f->state = GDB_FR_RLE;
		else
			gdb_framer_put(f, byte);
		return GDB_FRAME_NONE;
	case GDB_FR_ESCAPE:
		f->sum = (uint8_t)(f->sum + byte);
		gdb_framer_put(f, byte ^ GDB_ESCAPE_XOR);
		f->state = GDB_FR_BODY;
		return GDB_FRAME_NONE;
	case GDB_FR_RLE:
		f->sum = (uint8_t)(f->sum + byte);
		if (byte >= GDB_RLE_BIAS) {
			uint8_t prev = f->buf[f->len - 1];

			for (int n = byte - GDB_RLE_BIAS; n > 0; n--)
				gdb_framer_put(f, prev);
		} else {
			f->overflow = true;	/* not a count: the packet is bad */
		}
		f->state = GDB_FR_BODY;
		return GDB_FRAME_NONE;
	case GDB_FR_SUM1:
		digit = gdb_hex_digit(byte);
		f->got_sum = (uint8_t)((digit < 0 ? 0 : digit) << 4);
		if (digit < 0)
			f->overflow = true;
		f->state = GDB_FR_SUM2;
		return GDB_FRAME_NONE;
	case GDB_FR_SUM2:
		digit = gdb_hex_digit(byte);
		f->got_sum |= (uint8_t)(digit < 0 ? 0 : digit);
		f->state = GDB_FR_IDLE;
		f->buf[f->len] = '\0';
		if (digit < 0 || f->overflow || f->got_sum != f->sum)
			return GDB_FRAME_BAD;
		return GDB_FRAME_PACKET;
	}
	f->state = GDB_FR_IDLE;
	return GDB_FRAME_NONE;
}

/* ---- parsing ------------------------------------------------------------------ */

struct cursor {
	const uint8_t *p, *end;
};

static bool cur_eat(struct cursor *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool cur_at_end(const struct cursor *c)
{
	return c->p == c->end;
}

/* A hex number of 1 to 16 digits. */
static bool cur_hex(struct cursor *c, uint64_t *v)
{
	unsigned n = 0;
	int d;

	*v = 0;
	while (c->p < c->end && (d = gdb_hex_digit(*c->p)) >= 0) {
		if (++n > 16)
			return false;
		*v = *v << 4 | (uint64_t)d;
		c->p++;
	}
	return n > 0;
}

/* Hex pairs up to the end into cmd->data. */
static bool cur_hex_bytes(struct cursor *c, struct gdb_cmd *cmd)
{
	size_t n = (size_t)(c->end - c->p);

	if (n % 2 != 0 || n / 2 > sizeof(cmd->data) - 1)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = gdb_hex_digit(c->p[2 * i]), lo = gdb_hex_digit(c->p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		cmd->data[i] = (uint8_t)(hi << 4 | lo);
	}
	cmd->data_len = n / 2;
	cmd->data[cmd->data_len] = 0;
	c->p = c->end;
	return true;
}

/* The most bytes one m reply can carry: two hex digits each. */
#define GDB_MEM_MAX (GDB_PACKET_MAX / 2)

static void parse_mem(struct cursor *c, struct gdb_cmd *cmd, char kind)
{
	cmd->type = GDB_CMD_BAD;
	if (!cur_hex(c, &cmd->addr) || !cur_eat(c, ",") || !cur_hex(c, &cmd->len))
		return;
	if (kind == 'm') {
		if (!cur_at_end(c))
			return;
		if (cmd->len > GDB_MEM_MAX)
			cmd->len = GDB_MEM_MAX;	/* a short read is allowed */
		cmd->type = GDB_CMD_READ_MEM;
		return;
	}
	if (!cur_eat(c, ":") || cmd->len > sizeof(cmd->data) - 1)
		return;
	if (kind == 'M') {
		if (!cur_hex_bytes(c, cmd) || cmd->data_len != cmd->len)
			return;
	} else {
		if ((size_t)(c->end - c->p) != cmd->len)
			return;
		memcpy(cmd->data, c->p, cmd->len);
		cmd->data_len = cmd->len;
	}
	cmd->type = GDB_CMD_WRITE_MEM;
}

/* c [addr], s [addr], C sig[;addr], S sig[;addr]. */
static void parse_resume(struct cursor *c, struct gdb_cmd *cmd, bool step, bool with_signal)
{
	uint64_t sig;

	cmd->type = GDB_CMD_BAD;
	if (with_signal) {
		if (!cur_hex(c, &sig))
			return;
		if (!cur_at_end(c) && !cur_eat(c, ";"))
			return;
	}
	if (!cur_at_end(c)) {
		if (!cur_hex(c, &cmd->addr) || !cur_at_end(c))
			return;
		cmd->has_addr = true;
	}
	cmd->type = step ? GDB_CMD_STEP : GDB_CMD_CONTINUE;
}

/* vCont;action[:thread][;action[:thread]]...: with one thread, a step
 * anywhere in the list means step, else continue. */
static void parse_vcont(struct cursor *c, struct gdb_cmd *cmd)
{
	bool any = false, step = false;

	cmd->type = GDB_CMD_BAD;
	while (cur_eat(c, ";")) {
		uint64_t v;

		if (c->p == c->end)
			return;
		switch (*c->p++) {
		case 's':
			step = true;
			break;
		case 'S':
			if (!cur_hex(c, &v))
				return;
			step = true;
			break;
		case 'c':
			break;
		case 'C':
			if (!cur_hex(c, &v))
				return;
			break;
		default:
			return;		/* 't', 'r': not offered by vCont? */
		}
		any = true;
		if (cur_eat(c, ":")) {
			if (cur_eat(c, "-1"))
				continue;
			if (!cur_hex(c, &v))
				return;
		}
	}
	if (!any || !cur_at_end(c))
		return;
	cmd->type = step ? GDB_CMD_STEP : GDB_CMD_CONTINUE;
}

static void parse_bp(struct cursor *c, struct gdb_cmd *cmd, bool insert)
{
	uint64_t type;

	cmd->type = GDB_CMD_BAD;
	if (!cur_hex(c, &type) || !cur_eat(c, ",") || !cur_hex(c, &cmd->addr) ||
	    !cur_eat(c, ",") || !cur_hex(c, &cmd->len))
		return;
	/* Conditions and commands (";X...") are gdb's business: ignored. */
	if (!cur_at_end(c) && !cur_eat(c, ";"))
		return;
	if (type > GDB_WATCH_ACCESS) {
		cmd->type = GDB_CMD_UNKNOWN;
		return;
	}
	cmd->bp_type = (enum gdb_bp_type)type;
	cmd->type = insert ? GDB_CMD_INSERT_BP : GDB_CMD_REMOVE_BP;
}

static void parse_xfer(struct cursor *c, struct gdb_cmd *cmd)
{
	size_t n = 0;

	cmd->type = GDB_CMD_BAD;
	while (c->p < c->end && *c->p != ':') {
		if (n + 1 >= sizeof(cmd->annex))
			return;
		cmd->annex[n++] = (char)*c->p++;
	}
	cmd->annex[n] = '\0';
	if (!cur_eat(c, ":") || !cur_hex(c, &cmd->offset) || !cur_eat(c, ",") ||
	    !cur_hex(c, &cmd->len) || !cur_at_end(c))
		return;
	cmd->type = GDB_CMD_XFER_FEATURES;
}

static void parse_query(struct cursor *c, struct gdb_cmd *cmd)
{
	if (cur_eat(c, "Supported")) {
		cmd->type = GDB_CMD_SUPPORTED;	/* gdb's features: nothing we need */
	} else if (cur_eat(c, "Xfer:features:read:")) {
		parse_xfer(c, cmd);
	} else if (cur_eat(c, "Attached")) {
		cmd->type = GDB_CMD_ATTACHED;
	} else if (cur_eat(c, "C") && cur_at_end(c)) {
		cmd->type = GDB_CMD_CURRENT_THREAD;
	} else if (cur_eat(c, "fThreadInfo") && cur_at_end(c)) {
		cmd->type = GDB_CMD_THREAD_FIRST;
	} else if (cur_eat(c, "sThreadInfo") && cur_at_end(c)) {
		cmd->type = GDB_CMD_THREAD_NEXT;
	} else if (cur_eat(c, "Rcmd,")) {
		cmd->type = cur_hex_bytes(c, cmd) ? GDB_CMD_MONITOR : GDB_CMD_BAD;
	}
}

void gdb_parse(const uint8_t *body, size_t len, struct gdb_cmd *cmd)
{
	struct cursor c = { body, body + len };
	uint64_t v;

	memset(cmd, 0, offsetof(struct gdb_cmd, data));
	cmd->data[0] = 0;
	cmd->type = GDB_CMD_UNKNOWN;
	if (len == 0)
		return;
	switch (*c.p++) {
	case '?':
		if (cur_at_end(&c))
			cmd->type = GDB_CMD_HALT_REASON;
		break;
	case 'g':
		if (cur_at_end(&c))
			cmd->type = GDB_CMD_READ_REGS;
		break;
	case 'G':
		cmd->type = cur_hex_bytes(&c, cmd) ? GDB_CMD_WRITE_REGS : GDB_CMD_BAD;
		break;
	case 'p':
		cmd->type = GDB_CMD_BAD;
		if (cur_hex(&c, &v) && cur_at_end(&c) && v < GDB_MAX_REGS) {
			cmd->regno = (unsigned)v;
			cmd->type = GDB_CMD_READ_REG;
		}
		break;
	case 'P':
		cmd->type = GDB_CMD_BAD;
		if (cur_hex(&c, &v) && cur_eat(&c, "=") && v < GDB_MAX_REGS &&
		    cur_hex_bytes(&c, cmd)) {
			cmd->regno = (unsigned)v;
			cmd->type = GDB_CMD_WRITE_REG;
		}
		break;
	case 'm':
	case 'M':
	case 'X':
		parse_mem(&c, cmd, (char)body[0]);
		break;
	case 'c':
	case 's':
		parse_resume(&c, cmd, body[0] == 's', false);
		break;
	case 'C':
	case 'S':
		parse_resume(&c, cmd, body[0] == 'S', true);
		break;
	case 'Z':
	case 'z':
		parse_bp(&c, cmd, body[0] == 'Z');
		break;
	case 'q':
		parse_query(&c, cmd);
		break;
	case 'Q':
		if (cur_eat(&c, "StartNoAckMode") && cur_at_end(&c))
			cmd->type = GDB_CMD_NO_ACK;
		break;
	case 'H':
		if (c.p < c.end)
			cmd->type = GDB_CMD_SET_THREAD;
		break;
	case 'T':
		cmd->type = GDB_CMD_THREAD_ALIVE;
		break;
	case 'v':
		if (cur_eat(&c, "Cont?"))
			cmd->type = cur_at_end(&c) ? GDB_CMD_VCONT_QUERY : GDB_CMD_UNKNOWN;
		else if (cur_eat(&c, "Cont"))
			parse_vcont(&c, cmd);
		else if (cur_eat(&c, "Kill"))
			cmd->type = GDB_CMD_KILL;
		break;
	case 'k':
		cmd->type = GDB_CMD_KILL;
		break;
	case 'D':
		cmd->type = GDB_CMD_DETACH;
		break;
	default:
		break;
	}
}

/* ---- replies ------------------------------------------------------------------ */

void gdb_buf_reset(struct gdb_buf *b)
{
	b->len = 0;
	b->overflow = false;
	b->data[0] = '\0';
}

void gdb_buf_putc(struct gdb_buf *b, char c)
{
	if (b->len >= GDB_PACKET_MAX) {
		b->overflow = true;
		return;
	}
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void gdb_buf_puts(struct gdb_buf *b, const char *s)
{
	while (*s != '\0')
		gdb_buf_putc(b, *s++);
}

void gdb_buf_hex(struct gdb_buf *b, const uint8_t *bytes, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		gdb_buf_putc(b, digits[bytes[i] >> 4]);
		gdb_buf_putc(b, digits[bytes[i] & 0xf]);
	}
}

void gdb_buf_hex_unavailable(struct gdb_buf *b, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++)
		gdb_buf_putc(b, 'x');
}

void gdb_buf_printf(struct gdb_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->overflow = true;
	else
		gdb_buf_puts(b, tmp);
}

static bool gdb_needs_escape(char c)
{
	return c == '#' || c == '$' || c == (char)GDB_ESCAPE || c == '*';
}

size_t gdb_frame(const char *body, size_t len, bool binary, char *out)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t sum = 0;
	size_t n = 0;

	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		char c = body[i];

		if (binary && gdb_needs_escape(c)) {
			out[n++] = (char)GDB_ESCAPE;
			sum = (uint8_t)(sum + GDB_ESCAPE);
			c = (char)(c ^ GDB_ESCAPE_XOR);
		}
		out[n++] = c;
		sum = (uint8_t)(sum + (uint8_t)c);
	}
	out[n++] = '#';
	out[n++] = digits[sum >> 4];
	out[n++] = digits[sum & 0xf];
	return n;
}

void gdb_reply_stop(struct gdb_buf *b, const struct gdb_stop *stop)
{
	gdb_buf_printf(b, "T%02xthread:1;", stop->signal & 0xff);
	switch (stop->kind) {
	case GDB_STOP_SWBREAK:
		gdb_buf_puts(b, "swbreak:;");
		break;
	case GDB_STOP_HWBREAK:
		gdb_buf_puts(b, "hwbreak:;");
		break;
	case GDB_STOP_WATCH:
		gdb_buf_printf(b, "watch:%llx;", (unsigned long long)stop->watch_addr);
		break;
	case GDB_STOP_RWATCH:
		gdb_buf_printf(b, "rwatch:%llx;", (unsigned long long)stop->watch_addr);
		break;
	case GDB_STOP_AWATCH:
		gdb_buf_printf(b, "awatch:%llx;", (unsigned long long)stop->watch_addr);
		break;
	case GDB_STOP_SIGNAL:
		break;
	}
}

void gdb_reply_exit(struct gdb_buf *b, int status, bool signaled)
{
	gdb_buf_printf(b, "%c%02x", signaled ? 'X' : 'W', status & 0xff);
}

void gdb_reply_supported(struct gdb_buf *b)
{
	gdb_buf_printf(b, "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
		       "QStartNoAckMode+;vContSupported+", GDB_PACKET_MAX);
}

void gdb_reply_xfer(struct gdb_buf *b, const char *object, size_t object_len,
		    uint64_t offset, uint64_t length)
{
	size_t n;

	if (offset >= object_len) {
		gdb_buf_putc(b, 'l');
		return;
	}
	/* Escaping may double a byte when framed: keep the slice at half the
	 * packet so that the framed reply always fits gdb's buffer. */
	n = object_len - (size_t)offset;
	if (length < n)
		n = (size_t)length;
	if (n > GDB_PACKET_MAX / 2 - 1)
		n = GDB_PACKET_MAX / 2 - 1;
	gdb_buf_putc(b, offset + n < object_len ? 'm' : 'l');
	for (size_t i = 0; i < n; i++)
		gdb_buf_putc(b, object[offset + i]);
}

bool gdb_reply_generic(const struct gdb_cmd *cmd, enum gdb_arch arch, struct gdb_buf *b)
{
	switch (cmd->type) {
	case GDB_CMD_UNKNOWN:
		return true;			/* the empty reply: "not supported" */
	case GDB_CMD_BAD:
		gdb_buf_puts(b, "E01");
		return true;
	case GDB_CMD_SUPPORTED:
		gdb_reply_supported(b);
		return true;
	case GDB_CMD_XFER_FEATURES:
		if (strcmp(cmd->annex, "target.xml") != 0)
			gdb_buf_puts(b, "E00");
		else
			gdb_reply_xfer(b, gdb_target_xml_for(arch),
				       strlen(gdb_target_xml_for(arch)), cmd->offset, cmd->len);
		return true;
	case GDB_CMD_ATTACHED:
		gdb_buf_puts(b, "1");		/* a running machine: detach, don't kill, on quit */
		return true;
	case GDB_CMD_CURRENT_THREAD:
		gdb_buf_puts(b, "QC1");
		return true;
	case GDB_CMD_THREAD_FIRST:
		gdb_buf_puts(b, "m1");
		return true;
	case GDB_CMD_THREAD_NEXT:
		gdb_buf_puts(b, "l");
		return true;
	case GDB_CMD_SET_THREAD:
	case GDB_CMD_THREAD_ALIVE:
	case GDB_CMD_NO_ACK:
		gdb_buf_puts(b, "OK");
		return true;
	case GDB_CMD_VCONT_QUERY:
		gdb_buf_puts(b, "vCont;c;C;s;S");
		return true;
	default:
		return false;
	}
}

/* ---- registers ------------------------------------------------------------------ */

unsigned gdb_num_regs(enum gdb_arch arch)
{
	return arch == GDB_ARCH_AMD64 ? GDB64_NUM_REGS : GDB_NUM_REGS;
}

unsigned gdb_reg_size(enum gdb_arch arch, unsigned n)
{
	if (arch == GDB_ARCH_AMD64) {
		if (n >= GDB64_NUM_REGS)
			return 0;
		if (n >= GDB64_REG_ST0 && n < GDB64_REG_FCTRL)
			return 10;
		if ((n >= GDB64_REG_EFLAGS && n < GDB64_REG_ST0) ||
		    (n >= GDB64_REG_FCTRL && n < GDB64_REG_FS_BASE) ||
		    n == GDB64_REG_GDTR_LIMIT || n == GDB64_REG_IDTR_LIMIT)
			return 4;
		return 8;
	}
	if (n >= GDB_REG_ST0 && n < GDB_REG_FCTRL)
		return 10;
	if (n == GDB_REG_EFER)
		return 8;
	return n < GDB_NUM_REGS ? 4 : 0;
}

unsigned gdb_reg_offset(enum gdb_arch arch, unsigned n)
{
	unsigned off = 0, num = gdb_num_regs(arch);

	for (unsigned i = 0; i < n && i < num; i++)
		off += gdb_reg_size(arch, i);
	return off;
}

bool gdb_reg_available(enum gdb_arch arch, unsigned n)
{
	if (arch == GDB_ARCH_AMD64)
		return n < GDB64_REG_ST0 || (n >= GDB64_REG_FS_BASE && n < GDB64_NUM_REGS);
	return n < GDB_REG_ST0 || (n >= GDB_REG_CR0 && n < GDB_NUM_REGS);
}

uint64_t gdb_regs_get(const struct gdb_regs *r, unsigned n)
{
	unsigned off = gdb_reg_offset(r->arch, n), size = gdb_reg_size(r->arch, n);
	uint64_t v = 0;

	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (uint64_t)r->bytes[off + i] << (8 * i);
	return v;
}

void gdb_regs_set(struct gdb_regs *r, unsigned n, uint64_t value)
{
	unsigned off = gdb_reg_offset(r->arch, n), size = gdb_reg_size(r->arch, n);

	for (unsigned i = 0; i < size && i < 8; i++)
		r->bytes[off + i] = (uint8_t)(value >> (8 * i));
}

void gdb_reply_reg(struct gdb_buf *b, const struct gdb_regs *r, unsigned n)
{
	if (n >= gdb_num_regs(r->arch))
		gdb_buf_puts(b, "E01");
	else if (gdb_reg_available(r->arch, n))
		gdb_buf_hex(b, r->bytes + gdb_reg_offset(r->arch, n), gdb_reg_size(r->arch, n));
	else
		gdb_buf_hex_unavailable(b, gdb_reg_size(r->arch, n));
}

void gdb_reply_regs(struct gdb_buf *b, const struct gdb_regs *r)
{
	for (unsigned n = 0; n < gdb_num_regs(r->arch); n++)
		gdb_reply_reg(b, r, n);
}

bool gdb_regs_apply(struct gdb_regs *r, const struct gdb_cmd *cmd)
{
	if (cmd->type == GDB_CMD_WRITE_REG) {
		unsigned size = gdb_reg_size(r->arch, cmd->regno);

		if (cmd->regno >= gdb_num_regs(r->arch) || cmd->data_len != size)
			return false;
		memcpy(r->bytes + gdb_reg_offset(r->arch, cmd->regno), cmd->data, size);
		return true;
	}
	/* gdb may send fewer bytes than the whole file (only what it knows):
	 * the registers it left out keep their values. */
	if (cmd->data_len > gdb_reg_offset(r->arch, gdb_num_regs(r->arch)))
		return false;
	memcpy(r->bytes, cmd->data, cmd->data_len);
	return true;
}

const char *gdb_target_xml_for(enum gdb_arch arch)
{
	return arch == GDB_ARCH_AMD64 ? gdb_target_xml_amd64 : gdb_target_xml;
}

/* eflags, the segment selectors and the x87 registers (always
 * unavailable): the same in gdb's 32bit-core and 64bit-core features. */
#define TDESC_EFLAGS_SEGMENTS_X87 \
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>" \
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>" \
	"<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>" \
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>" \
	"<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>" \
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>" \
	"<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>" \
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>" \
	"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>" \
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>" \
	"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>" \
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>" \
	"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>" \
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>" \
	"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>" \
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>" \
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>" \
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>" \
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>" \
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>" \
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>" \
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>" \
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"

/*
 * The target description.  gdb's i386 architecture needs the
 * "org.gnu.gdb.i386.core" feature exactly as its features/i386/32bit-core.xml
 * has it (the x87 registers included, or it rejects the description); the
 * system registers are a feature of ours, which gdb shows as extra
 * registers ($cr0, $efer, $cs_base...).  No '#', '$', '*' or '}' in it,
 * though qXfer replies are escaped anyway.
 */
const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\">"
	"<architecture>i386</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"\" start=\"22\" end=\"31\"/>"
	"<field name=\"CF\" start=\"0\" end=\"0\"/>"
	"<field name=\"\" start=\"1\" end=\"1\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/>"
	"<field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/>"
	"<field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/>"
	"<field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>"
	"</flags>"
	"<reg name=\"eax\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>"
	"<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>"
	"<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>"
	TDESC_EFLAGS_SEGMENTS_X87
	"</feature>"
	"<feature name=\"org.minivmm.i386.sys\">"
	"<flags id=\"i386_cr0\" size=\"4\">"
	"<field name=\"PE\" start=\"0\" end=\"0\"/>"
	"<field name=\"MP\" start=\"1\" end=\"1\"/>"
	"<field name=\"EM\" start=\"2\" end=\"2\"/>"
	"<field name=\"TS\" start=\"3\" end=\"3\"/>"
	"<field name=\"ET\" start=\"4\" end=\"4\"/>"
	"<field name=\"NE\" start=\"5\" end=\"5\"/>"
	"<field name=\"WP\" start=\"16\" end=\"16\"/>"
	"<field name=\"AM\" start=\"18\" end=\"18\"/>"
	"<field name=\"NW\" start=\"29\" end=\"29\"/>"
	"<field name=\"CD\" start=\"30\" end=\"30\"/>"
	"<field name=\"PG\" start=\"31\" end=\"31\"/>"
	"</flags>"
	"<reg name=\"cr0\" bitsize=\"32\" type=\"i386_cr0\"/>"
	"<reg name=\"cr2\" bitsize=\"32\" type=\"data_ptr\"/>"
	"<reg name=\"cr3\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"cr4\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"efer\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"cs_base\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"ss_base\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"ds_base\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"es_base\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"fs_base\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"gs_base\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"gdtr_base\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"gdtr_limit\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"idtr_base\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"idtr_limit\" bitsize=\"32\" type=\"uint32\"/>"
	"</feature>"
	"</target>";

/*
 * The amd64 description: gdb's features/i386/64bit-core.xml and
 * 64bit-segments.xml as they are (x87 included, reported unavailable;
 * the SSE feature is optional and left out), then our system registers.
 */
const char gdb_target_xml_amd64[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\">"
	"<architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"\" start=\"22\" end=\"31\"/>"
	"<field name=\"CF\" start=\"0\" end=\"0\"/>"
	"<field name=\"\" start=\"1\" end=\"1\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/>"
	"<field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/>"
	"<field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/>"
	"<field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>"
	"</flags>"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"
	TDESC_EFLAGS_SEGMENTS_X87
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.segments\">"
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/>"
	"<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>"
	"</feature>"
	"<feature name=\"org.minivmm.amd64.sys\">"
	"<flags id=\"i386_cr0\" size=\"8\">"
	"<field name=\"PE\" start=\"0\" end=\"0\"/>"
	"<field name=\"MP\" start=\"1\" end=\"1\"/>"
	"<field name=\"EM\" start=\"2\" end=\"2\"/>"
	"<field name=\"TS\" start=\"3\" end=\"3\"/>"
	"<field name=\"ET\" start=\"4\" end=\"4\"/>"
	"<field name=\"NE\" start=\"5\" end=\"5\"/>"
	"<field name=\"WP\" start=\"16\" end=\"16\"/>"
	"<field name=\"AM\" start=\"18\" end=\"18\"/>"
	"<field name=\"NW\" start=\"29\" end=\"29\"/>"
	"<field name=\"CD\" start=\"30\" end=\"30\"/>"
	"<field name=\"PG\" start=\"31\" end=\"31\"/>"
	"</flags>"
	"<reg name=\"cr0\" bitsize=\"64\" type=\"i386_cr0\"/>"
	"<reg name=\"cr2\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"cr3\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"cr4\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"cr8\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"efer\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"cs_base\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"ss_base\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"ds_base\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"es_base\" bitsize=\"64\" type=\"uint64\"/>"
	"<reg name=\"gdtr_base\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"gdtr_limit\" bitsize=\"32\" type=\"uint32\"/>"
	"<reg name=\"idtr_base\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"idtr_limit\" bitsize=\"32\" type=\"uint32\"/>"
	"</feature>"
	"</target>";
