/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_GDB_PROTO_H
#define MINIVMM_GDB_PROTO_H

/*
 * The GDB remote serial protocol, pure: bytes in, commands out, replies
 * built into buffers.  No sockets, no KVM (gdb.c is the stub that uses
 * it).  Unit-tested (tests/unit/test_gdb_proto.c) and fuzzed
 * (tests/fuzz/fuzz_gdb_proto.c).
 *
 * References: the GDB manual, appendix E "GDB Remote Serial Protocol"
 * (E.1 Overview: framing, checksums, escapes, run-length encoding; E.3
 * Stop Reply Packets; E.4 General Query Packets; E.7 Interrupts), and
 * appendix G "Target Descriptions".
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest packet body we take or send (what qSupported announces). */
#define GDB_PACKET_MAX 4096

/* ---- framing ------------------------------------------------------------------ */

enum gdb_frame_event {
	GDB_FRAME_NONE,		/* the byte was taken, nothing complete yet */
	GDB_FRAME_PACKET,	/* a packet with a good checksum: answer '+' then reply */
	GDB_FRAME_BAD,		/* a packet with a bad checksum or too long: answer '-' */
	GDB_FRAME_INTERRUPT,	/* 0x03 outside a packet: gdb's Ctrl-C */
	GDB_FRAME_ACK,		/* '+' */
	GDB_FRAME_NACK,		/* '-': resend the last packet */
};

struct gdb_framer {
	enum { GDB_FR_IDLE, GDB_FR_BODY, GDB_FR_ESCAPE, GDB_FR_RLE, GDB_FR_SUM1,
	       GDB_FR_SUM2 } state;
	uint8_t sum;		/* of the raw body bytes, as sent */
	uint8_t got_sum;	/* the two hex digits after '#' */
	bool overflow;		/* the body did not fit: reported as GDB_FRAME_BAD */
	size_t len;
	/* The body, with escapes (0x7d) and run lengths ('*') undone; NUL after it. */
	uint8_t buf[GDB_PACKET_MAX + 1];
};

void gdb_framer_init(struct gdb_framer *f);

/* Feed one byte from the connection.  On GDB_FRAME_PACKET the body is in
 * f->buf[0 .. f->len) until the next call. */
enum gdb_frame_event gdb_framer_feed(struct gdb_framer *f, uint8_t byte);

/* ---- commands ----------------------------------------------------------------- */

enum gdb_cmd_type {
	GDB_CMD_UNKNOWN,	/* not understood: answer with an empty packet */
	GDB_CMD_BAD,		/* understood, malformed arguments: answer "E01" */
	GDB_CMD_HALT_REASON,	/* ? */
	GDB_CMD_READ_REGS,	/* g */
	GDB_CMD_WRITE_REGS,	/* G XX... (data) */
	GDB_CMD_READ_REG,	/* p n (regno) */
	GDB_CMD_WRITE_REG,	/* P n=XX... (regno, data) */
	GDB_CMD_READ_MEM,	/* m addr,len */
	GDB_CMD_WRITE_MEM,	/* M addr,len:XX... and X addr,len:binary (addr, data) */
	GDB_CMD_CONTINUE,	/* c [addr], C sig[;addr], vCont;c (has_addr, addr) */
	GDB_CMD_STEP,		/* s [addr], S sig[;addr], vCont;s */
	GDB_CMD_INSERT_BP,	/* Zt,addr,kind (bp_type, addr, len = kind) */
	GDB_CMD_REMOVE_BP,	/* zt,addr,kind */
	GDB_CMD_SUPPORTED,	/* qSupported[:features] */
	GDB_CMD_XFER_FEATURES,	/* qXfer:features:read:annex:offset,length */
	GDB_CMD_ATTACHED,	/* qAttached */
	GDB_CMD_CURRENT_THREAD,	/* qC */
	GDB_CMD_THREAD_FIRST,	/* qfThreadInfo */
	GDB_CMD_THREAD_NEXT,	/* qsThreadInfo */
	GDB_CMD_SET_THREAD,	/* H[gc]id */
	GDB_CMD_THREAD_ALIVE,	/* T id */
	GDB_CMD_VCONT_QUERY,	/* vCont? */
	GDB_CMD_NO_ACK,		/* QStartNoAckMode */
	GDB_CMD_MONITOR,	/* qRcmd,hex (data: the command, decoded, NUL-terminated) */
	GDB_CMD_KILL,		/* k, vKill */
	GDB_CMD_DETACH,		/* D */
};

/* Breakpoint kinds of Z/z (E.2 "Z type,addr,kind"). */
enum gdb_bp_type {
	GDB_BP_SOFTWARE = 0,
	GDB_BP_HARDWARE = 1,
	GDB_WATCH_WRITE = 2,
	GDB_WATCH_READ = 3,
	GDB_WATCH_ACCESS = 4,
};

struct gdb_cmd {
	enum gdb_cmd_type type;
	uint64_t addr;
	uint64_t len;		/* m/M/X length, Z/z kind, qXfer length */
	uint64_t offset;	/* qXfer offset */
	unsigned regno;
	enum gdb_bp_type bp_type;
	bool has_addr;		/* c/s with a resume address */
	char annex[32];		/* qXfer annex, NUL-terminated */
	size_t data_len;
	uint8_t data[GDB_PACKET_MAX + 1];	/* decoded hex or binary payload */
};

/* Parse one packet body (as the framer leaves it).  Never fails: anything
 * odd is GDB_CMD_UNKNOWN or GDB_CMD_BAD. */
void gdb_parse(const uint8_t *body, size_t len, struct gdb_cmd *cmd);

/*
 * Which of the two the stub serves, chosen when gdb connects (qSupported)
 * by the vCPU's mode then: amd64 in long mode (EFER.LMA), i386 otherwise.
 * gdb cannot change a remote target's architecture mid-session.
 */
enum gdb_arch {
	GDB_ARCH_I386,		/* 0: a zeroed struct gdb_regs is i386 */
	GDB_ARCH_AMD64,
};

/* ---- replies ------------------------------------------------------------------ */

/* A reply body under construction; `overflow` once something did not fit
 * (the stub then answers "E01": gdb_buf_body() does). */
struct gdb_buf {
	size_t len;
	bool overflow;
	char data[GDB_PACKET_MAX + 1];
};

void gdb_buf_reset(struct gdb_buf *b);
void gdb_buf_puts(struct gdb_buf *b, const char *s);
void gdb_buf_putc(struct gdb_buf *b, char c);
/* Bytes as pairs of lower-case hex digits. */
void gdb_buf_hex(struct gdb_buf *b, const uint8_t *bytes, size_t n);
/* n bytes of a register gdb should show as unavailable: "xx" pairs. */
void gdb_buf_hex_unavailable(struct gdb_buf *b, size_t n);
/* printf into the buffer. */
__attribute__((format(printf, 2, 3)))
void gdb_buf_printf(struct gdb_buf *b, const char *fmt, ...);

/*
 * Frame a reply body as "$body#cc" into `out` (room for 2 * len + 4 bytes:
 * with `binary`, the bytes '#', '$', '}' and '*' are escaped as 0x7d,
 * byte ^ 0x20, which qXfer data needs; other replies never hold them).
 * Returns the framed length.
 */
size_t gdb_frame(const char *body, size_t len, bool binary, char *out);

/* Stop replies (E.3). */
enum gdb_stop_kind { GDB_STOP_SIGNAL, GDB_STOP_SWBREAK, GDB_STOP_HWBREAK, GDB_STOP_WATCH,
		     GDB_STOP_RWATCH, GDB_STOP_AWATCH };
struct gdb_stop {
	int signal;			/* GDB_SIGTRAP, GDB_SIGINT */
	enum gdb_stop_kind kind;
	uint64_t watch_addr;		/* for the watch kinds */
};
#define GDB_SIGINT 2
#define GDB_SIGTRAP 5
void gdb_reply_stop(struct gdb_buf *b, const struct gdb_stop *stop);
/* The guest is gone: "W xx" for an exit status, "X xx" when a signal ended it. */
void gdb_reply_exit(struct gdb_buf *b, int status, bool signaled);
/* What qSupported answers. */
void gdb_reply_supported(struct gdb_buf *b);
/* One slice of a qXfer object: 'm' + data while more follows, 'l' + data at the end. */
void gdb_reply_xfer(struct gdb_buf *b, const char *object, size_t object_len,
		    uint64_t offset, uint64_t length);

/*
 * Replies that need nothing from the target (qSupported, qXfer of the
 * target description of layout `arch`, the thread queries of our one
 * thread, H, T, vCont?, unknown and malformed packets).  True when `cmd`
 * was one of those and `b` holds its reply.
 */
bool gdb_reply_generic(const struct gdb_cmd *cmd, enum gdb_arch arch, struct gdb_buf *b);

/* ---- registers: gdb's i386 and amd64 layouts, as our target descriptions say ---- */


/*
 * i386: the registers in target-description order (remote register
 * numbers): the "org.gnu.gdb.i386.core" feature (eax..gs, st0-7,
 * fctrl..fop) and ours, "org.minivmm.i386.sys" (control registers, EFER,
 * segment bases, descriptor tables).
 */
enum gdb_reg {
	GDB_REG_EAX, GDB_REG_ECX, GDB_REG_EDX, GDB_REG_EBX,
	GDB_REG_ESP, GDB_REG_EBP, GDB_REG_ESI, GDB_REG_EDI,
	GDB_REG_EIP, GDB_REG_EFLAGS,
	GDB_REG_CS, GDB_REG_SS, GDB_REG_DS, GDB_REG_ES, GDB_REG_FS, GDB_REG_GS,
	GDB_REG_ST0,					/* st0..st7: 10 bytes each */
	GDB_REG_FCTRL = GDB_REG_ST0 + 8,		/* fctrl..fop: 8 registers */
	GDB_REG_CR0 = GDB_REG_FCTRL + 8,
	GDB_REG_CR2, GDB_REG_CR3, GDB_REG_CR4,
	GDB_REG_EFER,					/* 8 bytes */
	GDB_REG_CS_BASE, GDB_REG_SS_BASE, GDB_REG_DS_BASE, GDB_REG_ES_BASE,
	GDB_REG_FS_BASE, GDB_REG_GS_BASE,
	GDB_REG_GDTR_BASE, GDB_REG_GDTR_LIMIT, GDB_REG_IDTR_BASE, GDB_REG_IDTR_LIMIT,
	GDB_NUM_REGS,
};
/* The i386 'g' array's size. */
#define GDB_REGS_SIZE 240

/*
 * amd64: gdb's features/i386/64bit-core.xml ("org.gnu.gdb.i386.core":
 * rax..r15 and rip 8 bytes, eflags and the selectors 4, st0-7 10,
 * fctrl..fop 4), 64bit-segments.xml ("org.gnu.gdb.i386.segments":
 * fs_base, gs_base) and ours, "org.minivmm.amd64.sys" (all 8 bytes but
 * the two table limits).
 */
enum gdb_reg64 {
	GDB64_REG_RAX, GDB64_REG_RBX, GDB64_REG_RCX, GDB64_REG_RDX,
	GDB64_REG_RSI, GDB64_REG_RDI, GDB64_REG_RBP, GDB64_REG_RSP,
	GDB64_REG_R8,					/* r8..r15 */
	GDB64_REG_RIP = GDB64_REG_R8 + 8,
	GDB64_REG_EFLAGS,				/* 4 bytes, as the selectors */
	GDB64_REG_CS, GDB64_REG_SS, GDB64_REG_DS, GDB64_REG_ES, GDB64_REG_FS, GDB64_REG_GS,
	GDB64_REG_ST0,					/* st0..st7: 10 bytes each */
	GDB64_REG_FCTRL = GDB64_REG_ST0 + 8,		/* fctrl..fop: 4 bytes */
	GDB64_REG_FS_BASE = GDB64_REG_FCTRL + 8,
	GDB64_REG_GS_BASE,
	GDB64_REG_CR0, GDB64_REG_CR2, GDB64_REG_CR3, GDB64_REG_CR4, GDB64_REG_CR8,
	GDB64_REG_EFER,
	GDB64_REG_CS_BASE, GDB64_REG_SS_BASE, GDB64_REG_DS_BASE, GDB64_REG_ES_BASE,
	GDB64_REG_GDTR_BASE, GDB64_REG_GDTR_LIMIT,	/* the limits: 4 bytes */
	GDB64_REG_IDTR_BASE, GDB64_REG_IDTR_LIMIT,
	GDB64_NUM_REGS,
};
/* The amd64 'g' array's size. */
#define GDB64_REGS_SIZE 396

/* What the parser takes as a p/P register number: either layout's. */
#define GDB_MAX_REGS GDB64_NUM_REGS

/* How many registers layout `arch` has. */
unsigned gdb_num_regs(enum gdb_arch arch);
/* Register n's size in bytes and offset in the 'g' packet's byte array
 * (0 and the whole size past the last register). */
unsigned gdb_reg_size(enum gdb_arch arch, unsigned n);
unsigned gdb_reg_offset(enum gdb_arch arch, unsigned n);

/* The register file as gdb sees it: little-endian bytes in layout `arch`. */
struct gdb_regs {
	enum gdb_arch arch;
	uint8_t bytes[GDB64_REGS_SIZE];
};

uint64_t gdb_regs_get(const struct gdb_regs *r, unsigned n);
void gdb_regs_set(struct gdb_regs *r, unsigned n, uint64_t value);
/* Whether the stub supplies register n (false: the x87 stack and control,
 * and numbers past the layout). */
bool gdb_reg_available(enum gdb_arch arch, unsigned n);
/* A 'g' reply: every register, "xx" for unavailable ones. */
void gdb_reply_regs(struct gdb_buf *b, const struct gdb_regs *r);
/* A 'p' reply: register cmd->regno, or "E01" past the layout. */
void gdb_reply_reg(struct gdb_buf *b, const struct gdb_regs *r, unsigned n);
/* Apply a 'G' payload (or a 'P' for one register): false if its length
 * or register number is wrong. */
bool gdb_regs_apply(struct gdb_regs *r, const struct gdb_cmd *cmd);

/* The target description (appendix G) served as qXfer "target.xml". */
extern const char gdb_target_xml[];		/* i386 */
extern const char gdb_target_xml_amd64[];
const char *gdb_target_xml_for(enum gdb_arch arch);

/* Hex digits: value 0-15, or -1. */
int gdb_hex_digit(int c);

#endif
