// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the GDB remote protocol layer (vmm/gdb_proto.c):
 * random byte streams into the framer, every complete packet through the
 * parser and a reply, as the stub does, against a fake target (a register
 * file and 64 KiB of memory).
 *
 * Invariants, abort() if not:
 *   - the framer never holds more than GDB_PACKET_MAX bytes, and the body
 *     it hands over is NUL-terminated;
 *   - every packet yields exactly one reply, framed "$...#cc" with the
 *     right checksum, no longer than the framing buffer, and without a raw
 *     '$' or '#' inside (gdb would cut it there);
 *   - a memory reply is never longer than what was asked.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ivmm \
 *	tests/fuzz/fuzz_gdb_proto.c vmm/gdb_proto.c
 *
 * With -DFUZZ_STANDALONE (any compiler, no libFuzzer) main() replays the
 * files named on the command line, or stdin.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAKE_MEM 65536

static struct gdb_framer fr;
static struct gdb_cmd cmd;
static struct gdb_buf reply;
static struct gdb_regs regs;
static uint8_t mem[FAKE_MEM];
static char framed[2 * GDB_PACKET_MAX + 8];

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

/* What gdb.c does with a command, against the fake target. */
static void answer(void)
{
	gdb_buf_reset(&reply);
	if (gdb_reply_generic(&cmd, regs.arch, &reply))
		return;
	switch (cmd.type) {
	case GDB_CMD_READ_REGS:
		gdb_reply_regs(&reply, &regs);
		break;
	case GDB_CMD_READ_REG:
		check(cmd.regno < GDB_MAX_REGS, "regno in range");
		gdb_reply_reg(&reply, &regs, cmd.regno);
		check(gdb_reg_offset(regs.arch, cmd.regno) + gdb_reg_size(regs.arch, cmd.regno) <=
		      sizeof(regs.bytes), "register inside the file");
		break;
	case GDB_CMD_WRITE_REGS:
	case GDB_CMD_WRITE_REG:
		gdb_buf_puts(&reply, gdb_regs_apply(&regs, &cmd) ? "OK" : "E16");
		break;
	case GDB_CMD_READ_MEM: {
		size_t before;

		if (cmd.addr >= FAKE_MEM || cmd.len > FAKE_MEM - cmd.addr) {
			gdb_buf_puts(&reply, "E0e");
			break;
		}
		before = reply.len;
		gdb_buf_hex(&reply, mem + cmd.addr, cmd.len);
		check(reply.len - before <= 2 * cmd.len, "memory reply no longer than asked");
		break;
	}
	case GDB_CMD_WRITE_MEM:
		check(cmd.data_len <= sizeof(cmd.data) - 1, "write payload fits");
		if (cmd.addr >= FAKE_MEM || cmd.data_len > FAKE_MEM - cmd.addr) {
			gdb_buf_puts(&reply, "E0e");
			break;
		}
		memcpy(mem + cmd.addr, cmd.data, cmd.data_len);
		gdb_buf_puts(&reply, "OK");
		break;
	case GDB_CMD_CONTINUE:
	case GDB_CMD_STEP:
	case GDB_CMD_HALT_REASON: {
		struct gdb_stop stop = { .signal = GDB_SIGTRAP, .kind = (enum gdb_stop_kind)(cmd.addr % 6),
					 .watch_addr = cmd.addr };

		gdb_reply_stop(&reply, &stop);
		break;
	}
	case GDB_CMD_KILL:
		gdb_reply_exit(&reply, (int)(cmd.addr & 0xff), cmd.addr & 1);
		break;
	default:
		gdb_buf_puts(&reply, "OK");
		break;
	}
}

static void check_framed(size_t n, int binary)
{
	uint8_t sum = 0;
	char cs[3];

	check(n >= 4 && n <= sizeof(framed), "framed reply fits");
	check(framed[0] == '$' && framed[n - 3] == '#', "framed as $...#cc");
	for (size_t i = 1; i < n - 3; i++) {
		check(framed[i] != '$' && framed[i] != '#', "no raw $ or # inside");
		if (binary)
			check(framed[i] != '*', "no raw * in binary data");
		sum = (uint8_t)(sum + (uint8_t)framed[i]);
	}
	snprintf(cs, sizeof(cs), "%02x", sum);
	check(framed[n - 2] == cs[0] && framed[n - 1] == cs[1], "checksum right");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned packets = 0, replies = 0;

	gdb_framer_init(&fr);
	memset(&regs, 0, sizeof(regs));
	/* Both layouts: the input's length picks one (the bytes stay the framer's). */
	regs.arch = size % 2 ? GDB_ARCH_AMD64 : GDB_ARCH_I386;
	for (size_t i = 0; i < size; i++) {
		enum gdb_frame_event ev = gdb_framer_feed(&fr, data[i]);

		check(fr.len <= GDB_PACKET_MAX, "framer within its buffer");
		if (ev != GDB_FRAME_PACKET)
			continue;
		packets++;
		check(fr.buf[fr.len] == '\0', "body NUL-terminated");
		gdb_parse(fr.buf, fr.len, &cmd);
		answer();
		if (reply.overflow) {
			gdb_buf_reset(&reply);
			gdb_buf_puts(&reply, "E01");
		}
		{
			int binary = cmd.type == GDB_CMD_XFER_FEATURES;

			check_framed(gdb_frame(reply.data, reply.len, binary, framed), binary);
		}
		replies++;
	}
	check(packets == replies, "one reply per packet");
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
