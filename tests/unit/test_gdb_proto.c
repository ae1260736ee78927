// SPDX-License-Identifier: MIT
/*
 * The GDB remote protocol layer (vmm/gdb_proto.c), one rule of the GDB
 * manual's appendix E per test.
 */
#include <stdlib.h>

#include "gdb_proto.h"
#include "unit.h"

static struct gdb_framer fr;
static struct gdb_cmd cmd;
static struct gdb_buf buf;

/* Feed a string; the last event. */
static enum gdb_frame_event feed(const char *s, size_t n)
{
	enum gdb_frame_event ev = GDB_FRAME_NONE;

	for (size_t i = 0; i < n; i++)
		ev = gdb_framer_feed(&fr, (uint8_t)s[i]);
	return ev;
}

#define FEED(s) feed((s), sizeof(s) - 1)

static void parse(const char *s)
{
	gdb_parse((const uint8_t *)s, strlen(s), &cmd);
}

/* E.1: "$packet-data#checksum", the checksum the modulo-256 sum of the data. */
UNIT_TEST(framer_takes_a_packet_with_a_good_checksum)
{
	gdb_framer_init(&fr);
	CHECK_EQ(FEED("$g#67"), GDB_FRAME_PACKET);
	CHECK_EQ(fr.len, 1);
	CHECK(fr.buf[0] == 'g');
}

UNIT_TEST(framer_refuses_a_bad_checksum)
{
	gdb_framer_init(&fr);
	CHECK_EQ(FEED("$g#68"), GDB_FRAME_BAD);
	CHECK_EQ(FEED("$g#6z"), GDB_FRAME_BAD);
}

/* E.1: acks between packets; E.7: Ctrl-C is a lone 0x03 byte. */
UNIT_TEST(framer_reports_acks_and_interrupt_outside_packets)
{
	gdb_framer_init(&fr);
	CHECK_EQ(FEED("+"), GDB_FRAME_ACK);
	CHECK_EQ(FEED("-"), GDB_FRAME_NACK);
	CHECK_EQ(FEED("\x03"), GDB_FRAME_INTERRUPT);
	CHECK_EQ(FEED("junk"), GDB_FRAME_NONE);
}

/* E.1: 0x7d escapes the next byte, XORed with 0x20; the sum covers the raw bytes. */
UNIT_TEST(framer_undoes_escapes)
{
	char pkt[32];
	size_t n;

	gdb_framer_init(&fr);
	n = gdb_frame("X0,1:}", 6, true, pkt);	/* '}' goes out escaped */
	CHECK_EQ(feed(pkt, n), GDB_FRAME_PACKET);
	CHECK_EQ(fr.len, 6);
	CHECK(fr.buf[5] == '}');
}

/* E.1: "0* " means '0' repeated 3 more times (' ' is 32 = 3 + 29). */
UNIT_TEST(framer_expands_run_length_encoding)
{
	char pkt[16];
	uint8_t sum = 0;
	const char *body = "0* ";

	for (const char *p = body; *p; p++)
		sum = (uint8_t)(sum + *p);
	snprintf(pkt, sizeof(pkt), "$%s#%02x", body, sum);
	gdb_framer_init(&fr);
	CHECK_EQ(feed(pkt, strlen(pkt)), GDB_FRAME_PACKET);
	CHECK_EQ(fr.len, 4);
	CHECK(memcmp(fr.buf, "0000", 4) == 0);
}

UNIT_TEST(framer_swallows_an_oversized_packet_and_recovers)
{
	gdb_framer_init(&fr);
	gdb_framer_feed(&fr, '$');
	for (int i = 0; i < GDB_PACKET_MAX + 100; i++)
		CHECK_EQ(gdb_framer_feed(&fr, 'a'), GDB_FRAME_NONE);
	CHECK_EQ(FEED("#00"), GDB_FRAME_BAD);
	CHECK_EQ(FEED("$g#67"), GDB_FRAME_PACKET);
}

UNIT_TEST(parse_memory_read)
{
	parse("mf0553,10");
	CHECK_EQ(cmd.type, GDB_CMD_READ_MEM);
	CHECK_EQ(cmd.addr, 0xf0553);
	CHECK_EQ(cmd.len, 16);
	parse("m10,100000");		/* longer than a reply holds: cut, a short read */
	CHECK_EQ(cmd.type, GDB_CMD_READ_MEM);
	CHECK_EQ(cmd.len, GDB_PACKET_MAX / 2);
	parse("m10");
	CHECK_EQ(cmd.type, GDB_CMD_BAD);
}

UNIT_TEST(parse_memory_write_hex_and_binary)
{
	parse("M5000,4:78563412");
	CHECK_EQ(cmd.type, GDB_CMD_WRITE_MEM);
	CHECK_EQ(cmd.data_len, 4);
	CHECK_EQ(cmd.data[0], 0x78);
	parse("M5000,4:785634");	/* length and data disagree */
	CHECK_EQ(cmd.type, GDB_CMD_BAD);
	gdb_parse((const uint8_t *)"X10,2:\x00#", 8, &cmd);
	CHECK_EQ(cmd.type, GDB_CMD_WRITE_MEM);
	CHECK_EQ(cmd.data[1], '#');
	parse("X10,0:");		/* gdb's probe for X support */
	CHECK_EQ(cmd.type, GDB_CMD_WRITE_MEM);
	CHECK_EQ(cmd.data_len, 0);
}

UNIT_TEST(parse_registers)
{
	parse("g");
	CHECK_EQ(cmd.type, GDB_CMD_READ_REGS);
	parse("p8");
	CHECK_EQ(cmd.type, GDB_CMD_READ_REG);
	CHECK_EQ(cmd.regno, GDB_REG_EIP);
	parse("p9999");
	CHECK_EQ(cmd.type, GDB_CMD_BAD);
	parse("P0=efbeadde");
	CHECK_EQ(cmd.type, GDB_CMD_WRITE_REG);
	CHECK_EQ(cmd.data_len, 4);
	parse("G0011");
	CHECK_EQ(cmd.type, GDB_CMD_WRITE_REGS);
	CHECK_EQ(cmd.data_len, 2);
}

/* E.2: c [addr], s [addr], C sig[;addr]; vCont with a step anywhere steps. */
UNIT_TEST(parse_resume_commands)
{
	parse("c");
	CHECK_EQ(cmd.type, GDB_CMD_CONTINUE);
	CHECK(!cmd.has_addr);
	parse("sfff0");
	CHECK_EQ(cmd.type, GDB_CMD_STEP);
	CHECK(cmd.has_addr);
	CHECK_EQ(cmd.addr, 0xfff0);
	parse("C05;100");
	CHECK_EQ(cmd.type, GDB_CMD_CONTINUE);
	CHECK_EQ(cmd.addr, 0x100);
	parse("vCont;s:1;c");
	CHECK_EQ(cmd.type, GDB_CMD_STEP);
	parse("vCont;c:-1");
	CHECK_EQ(cmd.type, GDB_CMD_CONTINUE);
	parse("vCont?");
	CHECK_EQ(cmd.type, GDB_CMD_VCONT_QUERY);
	parse("vCont;t");
	CHECK_EQ(cmd.type, GDB_CMD_BAD);
}

UNIT_TEST(parse_breakpoints)
{
	parse("Z0,f0553,1");
	CHECK_EQ(cmd.type, GDB_CMD_INSERT_BP);
	CHECK_EQ(cmd.bp_type, GDB_BP_SOFTWARE);
	CHECK_EQ(cmd.addr, 0xf0553);
	parse("z2,5000,4");
	CHECK_EQ(cmd.type, GDB_CMD_REMOVE_BP);
	CHECK_EQ(cmd.bp_type, GDB_WATCH_WRITE);
	CHECK_EQ(cmd.len, 4);
	parse("Z0,10,1;X2,0a00");	/* a condition: gdb's own business */
	CHECK_EQ(cmd.type, GDB_CMD_INSERT_BP);
	parse("Z9,10,1");
	CHECK_EQ(cmd.type, GDB_CMD_UNKNOWN);
}

UNIT_TEST(parse_queries)
{
	parse("qSupported:multiprocess+;swbreak+");
	CHECK_EQ(cmd.type, GDB_CMD_SUPPORTED);
	parse("qXfer:features:read:target.xml:0,ffb");
	CHECK_EQ(cmd.type, GDB_CMD_XFER_FEATURES);
	CHECK(strcmp(cmd.annex, "target.xml") == 0);
	CHECK_EQ(cmd.len, 0xffb);
	parse("qRcmd,70687973206f6e");
	CHECK_EQ(cmd.type, GDB_CMD_MONITOR);
	CHECK(strcmp((const char *)cmd.data, "phys on") == 0);
	parse("qC");
	CHECK_EQ(cmd.type, GDB_CMD_CURRENT_THREAD);
	parse("qfThreadInfo");
	CHECK_EQ(cmd.type, GDB_CMD_THREAD_FIRST);
	parse("qTStatus");
	CHECK_EQ(cmd.type, GDB_CMD_UNKNOWN);
	parse("?");
	CHECK_EQ(cmd.type, GDB_CMD_HALT_REASON);
	parse("k");
	CHECK_EQ(cmd.type, GDB_CMD_KILL);
	parse("D");
	CHECK_EQ(cmd.type, GDB_CMD_DETACH);
}

/* E.4: qXfer replies 'm' while more follows, 'l' with the last part. */
UNIT_TEST(target_description_comes_in_slices)
{
	size_t total = strlen(gdb_target_xml), got = 0;

	while (got < total + 1) {
		gdb_buf_reset(&buf);
		gdb_reply_xfer(&buf, gdb_target_xml, total, got, 1000);
		CHECK(buf.data[0] == 'm' || buf.data[0] == 'l');
		CHECK(memcmp(buf.data + 1, gdb_target_xml + got, buf.len - 1) == 0);
		got += buf.len - 1;
		if (buf.data[0] == 'l')
			break;
	}
	CHECK_EQ(got, total);
	CHECK(strstr(gdb_target_xml, "org.gnu.gdb.i386.core") != NULL);
	CHECK(strstr(gdb_target_xml, "name=\"cr0\"") != NULL);
}

/* The register layout the target description announces: 4 bytes each,
 * st0-7 10, efer 8; the offsets add up to GDB_REGS_SIZE. */
UNIT_TEST(register_layout_matches_the_description)
{
	CHECK_EQ(gdb_reg_offset(GDB_ARCH_I386, GDB_REG_EIP), 32);
	CHECK_EQ(gdb_reg_offset(GDB_ARCH_I386, GDB_REG_FCTRL), 16 * 4 + 8 * 10);
	CHECK_EQ(gdb_reg_size(GDB_ARCH_I386, GDB_REG_EFER), 8);
	CHECK_EQ(gdb_reg_offset(GDB_ARCH_I386, GDB_NUM_REGS), GDB_REGS_SIZE);
}

/* amd64: gdb's 64bit-core.xml numbering (rax rbx rcx rdx rsi rdi rbp rsp
 * r8-r15 rip eflags cs..gs st0-7 fctrl..fop), then fs_base, gs_base and
 * ours; the sizes the description gives. */
UNIT_TEST(amd64_register_layout_matches_the_description)
{
	const enum gdb_arch a = GDB_ARCH_AMD64;

	CHECK_EQ(GDB64_REG_RSP, 7);
	CHECK_EQ(GDB64_REG_RIP, 16);
	CHECK_EQ(GDB64_REG_EFLAGS, 17);
	CHECK_EQ(GDB64_REG_ST0, 24);
	CHECK_EQ(GDB64_REG_FS_BASE, 40);
	CHECK_EQ(gdb_num_regs(a), GDB64_NUM_REGS);
	CHECK_EQ(gdb_reg_offset(a, GDB64_REG_RIP), 16 * 8);
	CHECK_EQ(gdb_reg_size(a, GDB64_REG_RIP), 8);
	CHECK_EQ(gdb_reg_size(a, GDB64_REG_EFLAGS), 4);
	CHECK_EQ(gdb_reg_offset(a, GDB64_REG_ST0), 17 * 8 + 7 * 4);
	CHECK_EQ(gdb_reg_offset(a, GDB64_REG_FS_BASE), 17 * 8 + 7 * 4 + 8 * 10 + 8 * 4);
	CHECK_EQ(gdb_reg_size(a, GDB64_REG_CR3), 8);
	CHECK_EQ(gdb_reg_size(a, GDB64_REG_GDTR_LIMIT), 4);
	CHECK_EQ(gdb_reg_offset(a, GDB64_NUM_REGS), GDB64_REGS_SIZE);
	CHECK_EQ(gdb_reg_size(a, GDB64_NUM_REGS), 0);

	/* Every register the description names, in order, with its size. */
	{
		const char *xml = gdb_target_xml_amd64, *p = xml;
		unsigned n = 0;

		CHECK(strstr(xml, "<architecture>i386:x86-64</architecture>") != NULL);
		CHECK(strstr(xml, "org.gnu.gdb.i386.segments") != NULL);
		while ((p = strstr(p, "<reg name=\"")) != NULL) {
			const char *bits = strstr(p, "bitsize=\"");

			CHECK(bits != NULL);
			CHECK_EQ((unsigned)atoi(bits + 9), 8 * gdb_reg_size(a, n));
			n++;
			p = bits;
		}
		CHECK_EQ(n, GDB64_NUM_REGS);
		CHECK(strstr(xml, "<reg name=\"rip\"") < strstr(xml, "<reg name=\"eflags\""));
		CHECK(strstr(xml, "<reg name=\"r15\"") < strstr(xml, "<reg name=\"rip\""));
	}
}

/* The i386 description's registers and sizes, counted the same way. */
UNIT_TEST(i386_description_matches_the_layout)
{
	const char *p = gdb_target_xml;
	unsigned n = 0;

	while ((p = strstr(p, "<reg name=\"")) != NULL) {
		const char *bits = strstr(p, "bitsize=\"");

		CHECK(bits != NULL);
		CHECK_EQ((unsigned)atoi(bits + 9), 8 * gdb_reg_size(GDB_ARCH_I386, n));
		n++;
		p = bits;
	}
	CHECK_EQ(n, GDB_NUM_REGS);
}

UNIT_TEST(amd64_g_reply_and_p)
{
	struct gdb_regs r;

	memset(&r, 0, sizeof(r));
	r.arch = GDB_ARCH_AMD64;
	gdb_regs_set(&r, GDB64_REG_RIP, 0xffffffff81000000ull);
	gdb_regs_set(&r, GDB64_REG_RSP, 0xffffc90000003f00ull);
	CHECK_EQ(gdb_regs_get(&r, GDB64_REG_RIP), 0xffffffff81000000ull);
	gdb_buf_reset(&buf);
	gdb_reply_regs(&buf, &r);
	CHECK_EQ(buf.len, 2 * GDB64_REGS_SIZE);
	CHECK(memcmp(buf.data + 2 * 16 * 8, "00000081ffffffff", 16) == 0);
	CHECK(buf.data[2 * gdb_reg_offset(GDB_ARCH_AMD64, GDB64_REG_ST0)] == 'x');
	CHECK(buf.data[2 * gdb_reg_offset(GDB_ARCH_AMD64, GDB64_REG_FS_BASE)] == '0');

	parse("p10");				/* rip */
	CHECK_EQ(cmd.type, GDB_CMD_READ_REG);
	gdb_buf_reset(&buf);
	gdb_reply_reg(&buf, &r, cmd.regno);
	CHECK(strcmp(buf.data, "00000081ffffffff") == 0);
	parse("p37");				/* i386 has no 0x37 */
	CHECK_EQ(cmd.type, GDB_CMD_READ_REG);
	gdb_buf_reset(&buf);
	r.arch = GDB_ARCH_I386;
	gdb_reply_reg(&buf, &r, cmd.regno);
	CHECK(strcmp(buf.data, "E01") == 0);
	r.arch = GDB_ARCH_AMD64;
	parse("p38");				/* past both */
	CHECK_EQ(cmd.type, GDB_CMD_BAD);

	parse("P10=0010000081ffffff");
	CHECK(gdb_regs_apply(&r, &cmd));
	CHECK_EQ(gdb_regs_get(&r, GDB64_REG_RIP), 0xffffff8100001000ull);
	parse("P10=00100000");			/* 4 bytes: rip has 8 */
	CHECK(!gdb_regs_apply(&r, &cmd));
	parse("P11=46020000");			/* eflags: 4 */
	CHECK(gdb_regs_apply(&r, &cmd));
	CHECK_EQ(gdb_regs_get(&r, GDB64_REG_EFLAGS), 0x246);
}

UNIT_TEST(qxfer_serves_the_chosen_description)
{
	parse("qXfer:features:read:target.xml:0,ffb");
	gdb_buf_reset(&buf);
	CHECK(gdb_reply_generic(&cmd, GDB_ARCH_AMD64, &buf));
	CHECK(strstr(buf.data, "i386:x86-64") != NULL);
	gdb_buf_reset(&buf);
	CHECK(gdb_reply_generic(&cmd, GDB_ARCH_I386, &buf));
	CHECK(strstr(buf.data, "<architecture>i386</architecture>") != NULL);
}

UNIT_TEST(g_reply_marks_x87_registers_unavailable)
{
	struct gdb_regs r;

	memset(&r, 0, sizeof(r));
	gdb_regs_set(&r, GDB_REG_EAX, 0x12345678);
	gdb_regs_set(&r, GDB_REG_CR0, 0x11);
	gdb_buf_reset(&buf);
	gdb_reply_regs(&buf, &r);
	CHECK_EQ(buf.len, 2 * GDB_REGS_SIZE);
	CHECK(memcmp(buf.data, "78563412", 8) == 0);	/* little-endian */
	CHECK(buf.data[2 * gdb_reg_offset(GDB_ARCH_I386, GDB_REG_ST0)] == 'x');
	CHECK(memcmp(buf.data + 2 * gdb_reg_offset(GDB_ARCH_I386, GDB_REG_CR0), "11000000", 8) == 0);
}

UNIT_TEST(p_and_g_payloads_apply)
{
	struct gdb_regs r;

	memset(&r, 0, sizeof(r));
	parse("P8=f0ff0000");
	CHECK(gdb_regs_apply(&r, &cmd));
	CHECK_EQ(gdb_regs_get(&r, GDB_REG_EIP), 0xfff0);
	parse("P8=f0ff");		/* wrong size */
	CHECK(!gdb_regs_apply(&r, &cmd));
	parse("G01000000");
	CHECK(gdb_regs_apply(&r, &cmd));
	CHECK_EQ(gdb_regs_get(&r, GDB_REG_EAX), 1);
	CHECK_EQ(gdb_regs_get(&r, GDB_REG_EIP), 0xfff0);	/* left as it was */
}

/* E.3: T05thread:1; with the reason; W/X at the end. */
UNIT_TEST(stop_and_exit_replies)
{
	struct gdb_stop stop = { .signal = GDB_SIGTRAP, .kind = GDB_STOP_SWBREAK };

	gdb_buf_reset(&buf);
	gdb_reply_stop(&buf, &stop);
	CHECK(strcmp(buf.data, "T05thread:1;swbreak:;") == 0);
	stop = (struct gdb_stop){ .signal = GDB_SIGTRAP, .kind = GDB_STOP_WATCH, .watch_addr = 0x5000 };
	gdb_buf_reset(&buf);
	gdb_reply_stop(&buf, &stop);
	CHECK(strcmp(buf.data, "T05thread:1;watch:5000;") == 0);
	gdb_buf_reset(&buf);
	gdb_reply_exit(&buf, 85, false);
	CHECK(strcmp(buf.data, "W55") == 0);
	gdb_buf_reset(&buf);
	gdb_reply_exit(&buf, 15, true);
	CHECK(strcmp(buf.data, "X0f") == 0);
}

UNIT_TEST(generic_replies)
{
	parse("qSupported");
	gdb_buf_reset(&buf);
	CHECK(gdb_reply_generic(&cmd, GDB_ARCH_I386, &buf));
	CHECK(strstr(buf.data, "qXfer:features:read+") != NULL);
	CHECK(strstr(buf.data, "PacketSize=1000") != NULL);
	parse("qXfer:features:read:other.xml:0,10");
	gdb_buf_reset(&buf);
	CHECK(gdb_reply_generic(&cmd, GDB_ARCH_I386, &buf));
	CHECK(strcmp(buf.data, "E00") == 0);
	parse("vMustReplyEmpty");
	gdb_buf_reset(&buf);
	CHECK(gdb_reply_generic(&cmd, GDB_ARCH_I386, &buf));
	CHECK_EQ(buf.len, 0);
	parse("g");
	CHECK(!gdb_reply_generic(&cmd, GDB_ARCH_I386, &buf));
}

UNIT_TEST(frame_computes_the_checksum)
{
	char out[16];
	size_t n = gdb_frame("OK", 2, false, out);

	CHECK_EQ(n, 6);
	CHECK(memcmp(out, "$OK#9a", 6) == 0);
}

UNIT_TEST(buffer_overflow_is_flagged_not_written)
{
	gdb_buf_reset(&buf);
	for (int i = 0; i < GDB_PACKET_MAX + 10; i++)
		gdb_buf_putc(&buf, 'a');
	CHECK(buf.overflow);
	CHECK_EQ(buf.len, GDB_PACKET_MAX);
}

int main(void)
{
	return unit_run_all();
}
