// SPDX-License-Identifier: MIT
/*
 * Unit tests for the 8042 keyboard controller and its PS/2 keyboard, one
 * rule each.  "Datasheet" is IBM's PS/2 Hardware Interface Technical
 * Reference; Linux references are to drivers/input/serio/i8042.c,
 * drivers/input/keyboard/atkbd.c, drivers/input/serio/libps2.c and
 * arch/x86/kernel/reboot.c.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "i8042.h"
#include "unit.h"

/* --- Test bench: two fake PIC inputs and a fake reset sink ----------------- */

struct fake_irq {
	bool level;
	unsigned rises;
	unsigned falls;
};

struct bench {
	struct i8042 s;
	struct fake_irq irq1, irq12;
	unsigned resets;
	const char *how;
};

static void fake_irq_set(void *opaque, unsigned line, bool level)
{
	struct fake_irq *irq = opaque;

	(void)line;
	irq->level = level;
	if (level)
		irq->rises++;
	else
		irq->falls++;
}

static void fake_reset(void *opaque, const char *how)
{
	struct bench *b = opaque;

	b->resets++;
	b->how = how;
}

static void bench_init(struct bench *b)
{
	memset(b, 0, sizeof(*b));
	i8042_init(&b->s, irq_line_connect(fake_irq_set, &b->irq1, 1),
		   irq_line_connect(fake_irq_set, &b->irq12, 12), fake_reset, b);
}

static uint8_t status(struct bench *b)
{
	return i8042_read(&b->s, I8042_STATUS_PORT);
}

static uint8_t data(struct bench *b)
{
	return i8042_read(&b->s, I8042_DATA_PORT);
}

static void command(struct bench *b, uint8_t cmd)
{
	i8042_write(&b->s, I8042_STATUS_PORT, cmd);
}

static void send(struct bench *b, uint8_t byte)
{
	i8042_write(&b->s, I8042_DATA_PORT, byte);
}

/* The next byte, as Linux's i8042_wait_read() + read: fails the test if none. */
static uint8_t next(struct bench *b)
{
	CHECK(status(b) & I8042_STR_OBF);
	return data(b);
}

/* Linux's i8042_flush(): read while OBF; returns how many bytes it read. */
static unsigned flush(struct bench *b)
{
	unsigned n = 0;

	while ((status(b) & I8042_STR_OBF) && n < 1000) {
		data(b);
		n++;
	}
	return n;
}

static uint8_t read_ctr(struct bench *b)
{
	command(b, I8042_CMD_READ_RAM);
	return next(b);
}

static void write_ctr(struct bench *b, uint8_t ctr)
{
	command(b, I8042_CMD_WRITE_RAM);
	send(b, ctr);
}

/* i8042_command(param, I8042_CMD_AUX_LOOP): the byte must come back as aux data. */
static uint8_t aux_loop(struct bench *b, uint8_t byte)
{
	command(b, I8042_CMD_WRITE_AUX_OBUF);
	send(b, byte);
	CHECK(status(b) & I8042_STR_AUXDATA);
	return next(b);
}

static void put(struct bench *b, const uint8_t *codes, size_t n)
{
	i8042_kbd_put_scancode(&b->s, codes, n);
}

/* --- Power-on state ---------------------------------------------------------- */

/* Nothing waiting, keylock open, SYS set as a BIOS leaves it, last write a command. */
UNIT_TEST(power_on_status_is_0x1c_with_nothing_waiting)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(status(&b), I8042_STR_UNLOCKED | I8042_STR_SYS | I8042_STR_CMD);
	CHECK(!b.irq1.level && !b.irq12.level);
	CHECK_EQ(b.resets, 0);
}

/* The command byte a PC BIOS hands over: XLATE, AUXDIS, SYS, KBDINT. */
UNIT_TEST(power_on_command_byte_is_0x65)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(read_ctr(&b), 0x65);
	CHECK_EQ(I8042_CTR_POWER_ON, 0x65);
}

/* Datasheet: IBF is 0 whenever the controller can take a byte; ours always can. */
UNIT_TEST(input_buffer_is_never_full)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_WRITE_RAM);
	CHECK(!(status(&b) & I8042_STR_IBF));
	send(&b, 0x45);
	CHECK(!(status(&b) & I8042_STR_IBF));
}

/* Status bit 3 (A2) tells which port was written last. */
UNIT_TEST(status_cmd_bit_follows_the_last_port_written)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_WRITE_RAM);
	CHECK(status(&b) & I8042_STR_CMD);
	send(&b, 0x45);
	CHECK(!(status(&b) & I8042_STR_CMD));
	command(&b, I8042_CMD_KBD_ENABLE);
	CHECK(status(&b) & I8042_STR_CMD);
}

/* Datasheet: status bit 2 is the command byte's system flag. */
UNIT_TEST(status_sys_bit_mirrors_the_command_byte)
{
	struct bench b;

	bench_init(&b);
	write_ctr(&b, 0x61);
	CHECK(!(status(&b) & I8042_STR_SYS));
	write_ctr(&b, 0x65);
	CHECK(status(&b) & I8042_STR_SYS);
}

/* --- The whole Linux probe -------------------------------------------------- */

/*
 * i8042_controller_check, _init, i8042_check_aux, i8042_check_mux,
 * i8042_enable_kbd_port, then atkbd_connect's conversation with the
 * keyboard and psmouse's first command to the empty aux port.
 */
UNIT_TEST(linux_probe_sequence_runs_clean)
{
	struct bench b;
	uint8_t ctr;

	bench_init(&b);

	/* i8042_controller_check(): the flush finds nothing, the controller exists. */
	CHECK_EQ(flush(&b), 0);

	/* i8042_controller_init(): two equal CTR reads, keyboard off, translation kept. */
	ctr = read_ctr(&b);
	CHECK_EQ(read_ctr(&b), ctr);
	CHECK(status(&b) & I8042_STR_UNLOCKED);	/* no "Warning: Keylock active" */
	CHECK(ctr & I8042_CTR_XLATE);			/* so i8042_direct stays false */
	ctr = (uint8_t)((ctr | I8042_CTR_KBDDIS) & ~I8042_CTR_KBDINT);
	write_ctr(&b, ctr);
	CHECK_EQ(flush(&b), 0);

	/* i8042_check_aux(): the loopback works, so AUX_TEST is skipped. */
	CHECK_EQ(flush(&b), 0);
	CHECK_EQ(aux_loop(&b, 0x5a), 0x5a);
	/* i8042_toggle_aux(false) and (true): the bit follows at once. */
	command(&b, I8042_CMD_AUX_DISABLE);
	CHECK(read_ctr(&b) & I8042_CTR_AUXDIS);
	command(&b, I8042_CMD_AUX_ENABLE);
	CHECK(!(read_ctr(&b) & I8042_CTR_AUXDIS));
	/* The AUX IRQ delivery test: enable the port, loop 0xa5, IRQ12 fires. */
	ctr = (uint8_t)((ctr & ~I8042_CTR_AUXDIS) | I8042_CTR_AUXINT);
	write_ctr(&b, ctr);
	command(&b, I8042_CMD_WRITE_AUX_OBUF);
	send(&b, 0xa5);
	CHECK(b.irq12.level);
	CHECK(!b.irq1.level);
	CHECK_EQ(status(&b) & (I8042_STR_OBF | I8042_STR_AUXDATA),
		 I8042_STR_OBF | I8042_STR_AUXDATA);
	CHECK_EQ(data(&b), 0xa5);
	CHECK(!b.irq12.level);
	ctr = (uint8_t)((ctr | I8042_CTR_AUXDIS) & ~I8042_CTR_AUXINT);
	write_ctr(&b, ctr);

	/* i8042_check_mux(): the third loop byte comes back unchanged: no MUX. */
	CHECK_EQ(flush(&b), 0);
	CHECK_EQ(aux_loop(&b, 0xf0), 0xf0);
	CHECK_EQ(aux_loop(&b, 0x56), 0x56);
	CHECK_EQ(aux_loop(&b, 0xa4), 0xa4);

	/* i8042_enable_kbd_port(). */
	ctr = (uint8_t)((ctr & ~I8042_CTR_KBDDIS) | I8042_CTR_KBDINT);
	write_ctr(&b, ctr);
	CHECK_EQ(read_ctr(&b), ctr);

	/* atkbd_deactivate (F5), atkbd_probe GETID: AT translated set 2, 0xab41. */
	send(&b, I8042_KBD_CMD_DEFAULT_DISABLE);
	CHECK(b.irq1.level);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK(!b.irq1.level);
	send(&b, I8042_KBD_CMD_IDENTIFY);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(next(&b), 0xab);
	CHECK_EQ(next(&b), 0x41);
	/* atkbd_set_leds, atkbd_set_repeat_rate, atkbd_activate. */
	send(&b, I8042_KBD_CMD_SET_LEDS);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	send(&b, 0x00);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	send(&b, I8042_KBD_CMD_TYPEMATIC);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	send(&b, 0x00);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	send(&b, I8042_KBD_CMD_ENABLE);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(flush(&b), 0);

	/* i8042_enable_aux_port(), then psmouse_probe's GETID through 0xd4: timeout. */
	ctr = (uint8_t)((ctr & ~I8042_CTR_AUXDIS) | I8042_CTR_AUXINT);
	write_ctr(&b, ctr);
	command(&b, I8042_CMD_WRITE_AUX);
	send(&b, 0xf2);
	CHECK(b.irq12.level);
	CHECK_EQ(status(&b) & (I8042_STR_OBF | I8042_STR_AUXDATA | I8042_STR_TIMEOUT),
		 I8042_STR_OBF | I8042_STR_AUXDATA | I8042_STR_TIMEOUT);
	CHECK_EQ(data(&b), I8042_RET_AUX_TIMEOUT);
	CHECK(!(status(&b) & I8042_STR_TIMEOUT));
	CHECK(!b.irq12.level);

	CHECK_EQ(b.resets, 0);
	CHECK_EQ(b.s.stats.unknown_commands, 0);
}

/* --- Controller commands ---------------------------------------------------- */

/* Linux's i8042_controller_selftest(): 0x55; QEMU sets SYS and changes nothing else. */
UNIT_TEST(self_test_answers_0x55_and_sets_sys)
{
	struct bench b;

	bench_init(&b);
	write_ctr(&b, 0x41);
	command(&b, I8042_CMD_SELF_TEST);
	CHECK_EQ(next(&b), I8042_RET_SELF_TEST_OK);
	CHECK_EQ(read_ctr(&b), 0x41 | I8042_CTR_SYS);
	CHECK(status(&b) & I8042_STR_SYS);
}

/* Interface tests: 0x00, the lines are fine (aux too: nothing is stuck). */
UNIT_TEST(interface_tests_answer_0x00)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_KBD_TEST);
	CHECK_EQ(next(&b), I8042_RET_IF_TEST_OK);
	command(&b, I8042_CMD_AUX_TEST);
	CHECK_EQ(next(&b), I8042_RET_IF_TEST_OK);
	CHECK(!(status(&b) & I8042_STR_OBF));
}

/* AD/AE and A7/A8 flip the command byte's disable bits. */
UNIT_TEST(interface_disable_commands_set_command_byte_bits)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_KBD_DISABLE);
	CHECK(read_ctr(&b) & I8042_CTR_KBDDIS);
	command(&b, I8042_CMD_KBD_ENABLE);
	CHECK(!(read_ctr(&b) & I8042_CTR_KBDDIS));
	command(&b, I8042_CMD_AUX_ENABLE);
	CHECK(!(read_ctr(&b) & I8042_CTR_AUXDIS));
	command(&b, I8042_CMD_AUX_DISABLE);
	CHECK(read_ctr(&b) & I8042_CTR_AUXDIS);
}

/* Datasheet: 0x20-0x3f read and 0x60-0x7f write the controller's 32 RAM bytes. */
UNIT_TEST(ram_bytes_beyond_the_command_byte_read_back)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_WRITE_RAM + 0x1f);
	send(&b, 0x5a);
	command(&b, I8042_CMD_READ_RAM + 0x1f);
	CHECK_EQ(next(&b), 0x5a);
	CHECK_EQ(read_ctr(&b), I8042_CTR_POWER_ON);
}

/* 0xd2/0xd3: the byte comes back as keyboard / aux data, on IRQ1 / IRQ12. */
UNIT_TEST(write_output_buffer_commands_echo_as_keyboard_or_aux)
{
	struct bench b;

	bench_init(&b);
	write_ctr(&b, I8042_CTR_KBDINT | I8042_CTR_AUXINT);
	command(&b, I8042_CMD_WRITE_KBD_OBUF);
	send(&b, 0x12);
	CHECK(b.irq1.level && !b.irq12.level);
	CHECK(!(status(&b) & I8042_STR_AUXDATA));
	CHECK_EQ(data(&b), 0x12);
	command(&b, I8042_CMD_WRITE_AUX_OBUF);
	send(&b, 0x34);
	CHECK(!b.irq1.level && b.irq12.level);
	CHECK(status(&b) & I8042_STR_AUXDATA);
	CHECK_EQ(data(&b), 0x34);
	CHECK(!b.irq1.level && !b.irq12.level);
}

/* A controller command abandons another that still waits for its data byte. */
UNIT_TEST(a_command_cancels_a_pending_data_byte)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_WRITE_OUTPUT);
	command(&b, I8042_CMD_KBD_ENABLE);
	send(&b, I8042_KBD_CMD_ECHO);	/* goes to the keyboard, not the output port */
	CHECK_EQ(b.resets, 0);
	CHECK_EQ(next(&b), I8042_KBD_ECHO);
}

UNIT_TEST(unknown_controller_commands_are_counted_and_ignored)
{
	struct bench b;

	bench_init(&b);
	command(&b, 0xa1);
	command(&b, 0x00);
	CHECK_EQ(b.s.stats.unknown_commands, 2);
	CHECK(!(status(&b) & I8042_STR_OBF));
}

/* --- Output port and resets ------------------------------------------------- */

/* 0xd0: reset line high, A20 on, unused bits and lines high, no pin active. */
UNIT_TEST(output_port_reads_0xcf_at_power_on)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_READ_OUTPUT);
	CHECK_EQ(next(&b), 0xcf);
}

/* Output port bit 4 is the IRQ1 pin. */
UNIT_TEST(output_port_bit_4_shows_the_irq1_pin)
{
	struct bench b;
	const uint8_t a = 0x1e;

	bench_init(&b);
	put(&b, &a, 1);
	CHECK(b.irq1.level);
	command(&b, I8042_CMD_READ_OUTPUT);
	/* The answer waits behind the key; the value was taken with the pin high. */
	CHECK_EQ(next(&b), 0x1e);
	CHECK_EQ(next(&b), 0xcf | I8042_OUT_IRQ1);
}

/* 0xd1 with bit 0 clear pulls the reset line: the machine resets. */
UNIT_TEST(output_port_reset_bit_low_requests_a_reset)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_WRITE_OUTPUT);
	send(&b, 0xdf);			/* Linux's boot code enabling A20: no reset */
	CHECK_EQ(b.resets, 0);
	command(&b, I8042_CMD_WRITE_OUTPUT);
	send(&b, 0xde);
	CHECK_EQ(b.resets, 1);
	CHECK(strstr(b.how, "i8042") != NULL);
	CHECK_EQ(b.s.stats.reset_requests, 1);
}

/* A20 through 0xd1, 0xdd and 0xdf is remembered and read back. */
UNIT_TEST(a20_bit_is_remembered)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_WRITE_OUTPUT);
	send(&b, 0xcd);
	command(&b, I8042_CMD_READ_OUTPUT);
	CHECK_EQ(next(&b), 0xcd);
	command(&b, I8042_CMD_ENABLE_A20);
	command(&b, I8042_CMD_READ_OUTPUT);
	CHECK_EQ(next(&b) & I8042_OUT_A20, I8042_OUT_A20);
	command(&b, I8042_CMD_DISABLE_A20);
	command(&b, I8042_CMD_READ_OUTPUT);
	CHECK_EQ(next(&b) & I8042_OUT_A20, 0);
	CHECK_EQ(b.resets, 0);
}

/* reboot.c BOOT_KBD: kb_wait() (IBF clear at once), then outb(0xfe, 0x64). */
UNIT_TEST(pulse_command_0xfe_resets_like_linux_reboot)
{
	struct bench b;

	bench_init(&b);
	CHECK(!(status(&b) & I8042_STR_IBF));
	command(&b, 0xfe);
	CHECK_EQ(b.resets, 1);
	CHECK(strstr(b.how, "pulse") != NULL);
}

/* 0xf0-0xff pulse the bits that are 0 in the command's low nibble. */
UNIT_TEST(pulse_commands_reset_only_when_bit_0_is_low)
{
	struct bench b;

	bench_init(&b);
	command(&b, 0xff);		/* pulse nothing */
	command(&b, 0xf1);		/* pulse bits 1-3, not the reset line */
	command(&b, 0xfd);
	CHECK_EQ(b.resets, 0);
	command(&b, 0xf0);
	command(&b, 0xfc);
	CHECK_EQ(b.resets, 2);
	CHECK(!(status(&b) & I8042_STR_OBF));
}

/* --- The keyboard ------------------------------------------------------------ */

/* 0xff: ACK, then 0xaa (BAT passed); set 2 and scanning again. */
UNIT_TEST(keyboard_reset_answers_ack_then_0xaa)
{
	struct bench b;

	bench_init(&b);
	send(&b, I8042_KBD_CMD_RESET);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(next(&b), I8042_KBD_BAT_OK);
	CHECK(!(status(&b) & I8042_STR_OBF));
	CHECK(b.s.kbd.scanning);
	CHECK_EQ(b.s.kbd.scan_set, 2);
}

/* atkbd with i8042.direct: no translation, the keyboard's own 0xab 0x83. */
UNIT_TEST(identify_untranslated_is_0xab_0x83)
{
	struct bench b;

	bench_init(&b);
	write_ctr(&b, I8042_CTR_KBDINT | I8042_CTR_SYS);
	send(&b, I8042_KBD_CMD_IDENTIFY);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(next(&b), 0xab);
	CHECK_EQ(next(&b), 0x83);
}

/* Translated, 0x83 becomes 0x41 on its way through the 8042 (as QEMU's 0xab41). */
UNIT_TEST(identify_translated_is_0xab_0x41)
{
	struct bench b;

	bench_init(&b);
	send(&b, I8042_KBD_CMD_IDENTIFY);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(next(&b), 0xab);
	CHECK_EQ(next(&b), 0x41);
}

UNIT_TEST(echo_answers_0xee_without_ack)
{
	struct bench b;

	bench_init(&b);
	send(&b, I8042_KBD_CMD_ECHO);
	CHECK_EQ(next(&b), I8042_KBD_ECHO);
	CHECK(!(status(&b) & I8042_STR_OBF));
}

/* 0xed takes an argument: ACK, ACK, LEDs set. */
UNIT_TEST(set_leds_acks_command_and_argument)
{
	struct bench b;

	bench_init(&b);
	send(&b, I8042_KBD_CMD_SET_LEDS);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	send(&b, 0x07);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(b.s.kbd.leds, 0x07);
	/* The argument was not taken as a command (0x07 would be RESEND). */
	CHECK(!(status(&b) & I8042_STR_OBF));
}

/* 0xf0 0x00 reports the set: 0x02 raw, 0x41 translated (QEMU's translate_table[2]). */
UNIT_TEST(scan_set_query_goes_through_translation)
{
	struct bench b;

	bench_init(&b);
	send(&b, I8042_KBD_CMD_SCAN_SET);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	send(&b, 0x00);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(next(&b), 0x41);
	write_ctr(&b, I8042_CTR_KBDINT);
	send(&b, I8042_KBD_CMD_SCAN_SET);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	send(&b, 0x00);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(next(&b), 0x02);
}

/* Set 3 is refused with RESEND, so atkbd_select_set() stays in set 2. */
UNIT_TEST(scan_set_3_is_refused)
{
	struct bench b;

	bench_init(&b);
	send(&b, I8042_KBD_CMD_SCAN_SET);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	send(&b, 0x03);
	CHECK_EQ(next(&b), I8042_KBD_RESEND);
	CHECK_EQ(b.s.kbd.scan_set, 2);
}

/* Unknown keyboard commands answer RESEND. */
UNIT_TEST(unknown_keyboard_command_answers_resend)
{
	struct bench b;

	bench_init(&b);
	send(&b, 0xe8);
	CHECK_EQ(next(&b), I8042_KBD_RESEND);
}

/* 0xfe asks the keyboard for its last byte again. */
UNIT_TEST(resend_repeats_the_last_byte_sent)
{
	struct bench b;

	bench_init(&b);
	write_ctr(&b, I8042_CTR_KBDINT);
	send(&b, I8042_KBD_CMD_IDENTIFY);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(next(&b), 0xab);
	CHECK_EQ(next(&b), 0x83);
	send(&b, I8042_KBD_CMD_RESEND);
	CHECK_EQ(next(&b), 0x83);
}

/* Sending to the keyboard re-enables its interface (QEMU, AT firmware). */
UNIT_TEST(writing_to_the_keyboard_enables_its_interface)
{
	struct bench b;

	bench_init(&b);
	command(&b, I8042_CMD_KBD_DISABLE);
	send(&b, I8042_KBD_CMD_ECHO);
	CHECK_EQ(next(&b), I8042_KBD_ECHO);
	CHECK(!(read_ctr(&b) & I8042_CTR_KBDDIS));
}

/* --- Interrupts -------------------------------------------------------------- */

/* IRQ1 follows "keyboard byte in the output buffer and KBDINT". */
UNIT_TEST(irq1_needs_the_interrupt_enable_bit)
{
	struct bench b;
	const uint8_t a = 0x1e;

	bench_init(&b);
	write_ctr(&b, I8042_CTR_XLATE);
	put(&b, &a, 1);
	CHECK(status(&b) & I8042_STR_OBF);
	CHECK(!b.irq1.level);
	write_ctr(&b, I8042_CTR_XLATE | I8042_CTR_KBDINT);
	CHECK(b.irq1.level);
	write_ctr(&b, I8042_CTR_XLATE);
	CHECK(!b.irq1.level);
	CHECK_EQ(data(&b), 0x1e);
}

/* Each byte read drops IRQ1 and the next raises it again: one edge per byte. */
UNIT_TEST(irq1_pulses_once_per_byte)
{
	struct bench b;
	const uint8_t keys[] = { 0x1e, 0x9e, 0x30 };

	bench_init(&b);
	put(&b, keys, 3);
	CHECK(b.irq1.level);
	CHECK_EQ(b.irq1.rises, 1);
	CHECK_EQ(data(&b), 0x1e);
	CHECK_EQ(b.irq1.rises, 2);
	CHECK_EQ(data(&b), 0x9e);
	CHECK_EQ(data(&b), 0x30);
	CHECK(!b.irq1.level);
	CHECK_EQ(b.irq1.rises, 3);
	CHECK_EQ(b.irq1.falls, 3);
	CHECK(!b.irq12.level);
}

/* Reading 0x60 with OBF clear returns the last byte again and changes nothing. */
UNIT_TEST(empty_read_returns_the_last_byte)
{
	struct bench b;
	const uint8_t a = 0x1e;

	bench_init(&b);
	put(&b, &a, 1);
	CHECK_EQ(data(&b), 0x1e);
	CHECK_EQ(data(&b), 0x1e);
	CHECK_EQ(b.irq1.rises, 1);
	CHECK(!(status(&b) & I8042_STR_OBF));
}

/* The controller's answer goes ahead of keyboard bytes waiting behind the buffer. */
UNIT_TEST(controller_answer_goes_before_waiting_keys)
{
	struct bench b;
	const uint8_t keys[] = { 0x1e, 0x30 };

	bench_init(&b);
	put(&b, keys, 2);
	command(&b, I8042_CMD_READ_RAM);
	CHECK_EQ(data(&b), 0x1e);	/* already in the buffer */
	CHECK_EQ(data(&b), I8042_CTR_POWER_ON);
	CHECK_EQ(data(&b), 0x30);
}

/* --- Scan codes ---------------------------------------------------------------- */

/* Translated: the guest reads back exactly the set-1 codes that were put. */
UNIT_TEST(translated_scan_codes_round_trip_for_every_key)
{
	struct bench b;

	bench_init(&b);
	for (unsigned make = 0x01; make < 0x80; make++) {
		const uint8_t codes[] = { I8042_SET_EXT0, (uint8_t)make,
					  I8042_SET_EXT0, (uint8_t)(make | 0x80) };

		CHECK_EQ(i8042_kbd_put_scancode(&b.s, codes, 4), 4);
		for (unsigned i = 0; i < 4; i++)
			CHECK_EQ(next(&b), codes[i]);
		CHECK(!(status(&b) & I8042_STR_OBF));
	}
	CHECK_EQ(b.s.stats.kbd_dropped, 0);
}

/* The 8042 translation inverts the keyboard's set-1 -> set-2 table. */
UNIT_TEST(translation_table_inverts_set1_to_set2)
{
	for (unsigned make = 0x01; make < 0x80; make++)
		CHECK_EQ(i8042_translate(i8042_set1_to_set2((uint8_t)make)), make);
	CHECK_EQ(i8042_translate(0x83), 0x41);
	CHECK_EQ(i8042_translate(0xfa), 0xfa);
	CHECK_EQ(i8042_translate(0x00), 0xff);
}

/* Untranslated (i8042.direct): set 2, a break is 0xf0 + make code. */
UNIT_TEST(untranslated_scan_codes_are_set_2)
{
	struct bench b;
	const uint8_t codes[] = { 0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8 };

	bench_init(&b);
	write_ctr(&b, I8042_CTR_KBDINT | I8042_CTR_SYS);
	CHECK_EQ(i8042_kbd_put_scancode(&b.s, codes, 6), 6);
	CHECK_EQ(next(&b), 0x1c);
	CHECK_EQ(next(&b), 0xf0);
	CHECK_EQ(next(&b), 0x1c);
	CHECK_EQ(next(&b), 0xe0);
	CHECK_EQ(next(&b), 0x75);
	CHECK_EQ(next(&b), 0xe0);
	CHECK_EQ(next(&b), 0xf0);
	CHECK_EQ(next(&b), 0x75);
	CHECK(!(status(&b) & I8042_STR_OBF));
}

/* A keyboard switched to set 1 sends the codes as they are. */
UNIT_TEST(set_1_keyboard_sends_codes_unchanged)
{
	struct bench b;
	const uint8_t codes[] = { 0x1e, 0x9e };

	bench_init(&b);
	write_ctr(&b, I8042_CTR_KBDINT);
	send(&b, I8042_KBD_CMD_SCAN_SET);
	send(&b, 0x01);
	CHECK_EQ(flush(&b), 2);
	put(&b, codes, 2);
	CHECK_EQ(next(&b), 0x1e);
	CHECK_EQ(next(&b), 0x9e);
}

/* The keyboard's buffer is bounded: 1 in the output buffer + 15, the rest dropped. */
UNIT_TEST(scan_code_queue_overflow_drops_and_counts)
{
	struct bench b;
	uint8_t codes[20];
	const uint8_t brk = 0x9e;

	bench_init(&b);
	for (unsigned i = 0; i < 20; i++)
		codes[i] = (uint8_t)(0x10 + i);
	CHECK_EQ(i8042_kbd_put_scancode(&b.s, codes, 20), 1 + I8042_KBD_QUEUE_SIZE);
	CHECK_EQ(b.s.stats.kbd_dropped, 20 - 1 - I8042_KBD_QUEUE_SIZE);
	CHECK_EQ(b.s.stats.kbd_bytes, 1 + I8042_KBD_QUEUE_SIZE);
	/* Linux's i8042_flush() gives up past 16 bytes: this fits. */
	CHECK_EQ(flush(&b), 16);
	/* A break needs two set-2 bytes: with one free it is dropped whole. */
	CHECK_EQ(i8042_kbd_put_scancode(&b.s, codes, I8042_KBD_QUEUE_SIZE), 15);
	CHECK_EQ(i8042_kbd_put_scancode(&b.s, &brk, 1), 0);
	CHECK_EQ(b.s.stats.kbd_dropped, 20 - 1 - I8042_KBD_QUEUE_SIZE + 1);
	CHECK_EQ(flush(&b), 15);
}

/* A disabled interface holds the keyboard's bytes; enabling lets them through. */
UNIT_TEST(disabled_keyboard_interface_holds_bytes)
{
	struct bench b;
	const uint8_t a = 0x1e;

	bench_init(&b);
	command(&b, I8042_CMD_KBD_DISABLE);
	put(&b, &a, 1);
	CHECK(!(status(&b) & I8042_STR_OBF));
	CHECK(!b.irq1.level);
	command(&b, I8042_CMD_KBD_ENABLE);
	CHECK(b.irq1.level);
	CHECK_EQ(next(&b), 0x1e);
}

/* F5 stops scanning (keys are ignored, counted); F4 clears the buffer and restarts. */
UNIT_TEST(scanning_disabled_ignores_keys)
{
	struct bench b;
	const uint8_t a = 0x1e;

	bench_init(&b);
	send(&b, I8042_KBD_CMD_DEFAULT_DISABLE);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(i8042_kbd_put_scancode(&b.s, &a, 1), 0);
	CHECK_EQ(b.s.stats.kbd_ignored, 1);
	CHECK(!(status(&b) & I8042_STR_OBF));
	send(&b, I8042_KBD_CMD_ENABLE);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK_EQ(i8042_kbd_put_scancode(&b.s, &a, 1), 1);
	CHECK_EQ(next(&b), 0x1e);
}

/* Datasheet: F4 clears the keyboard's output buffer; the reply comes first. */
UNIT_TEST(enable_command_clears_waiting_scan_codes)
{
	struct bench b;
	const uint8_t keys[] = { 0x1e, 0x30, 0x2e };

	bench_init(&b);
	put(&b, keys, 3);		/* 0x1e in the buffer, 2 waiting */
	send(&b, I8042_KBD_CMD_ENABLE);
	CHECK_EQ(next(&b), 0x1e);
	CHECK_EQ(next(&b), I8042_KBD_ACK);
	CHECK(!(status(&b) & I8042_STR_OBF));
}

/* Replies to other commands go ahead of waiting scan codes, which are kept. */
UNIT_TEST(echo_reply_goes_before_waiting_scan_codes)
{
	struct bench b;
	const uint8_t keys[] = { 0x1e, 0x30 };

	bench_init(&b);
	put(&b, keys, 2);
	send(&b, I8042_KBD_CMD_ECHO);
	CHECK_EQ(next(&b), 0x1e);
	CHECK_EQ(next(&b), I8042_KBD_ECHO);
	CHECK_EQ(next(&b), 0x30);
}

/* --- Reset ----------------------------------------------------------------- */

/* i8042_reset(): power-on state, lines low, callback and stats kept. */
UNIT_TEST(reset_restores_power_on_state)
{
	struct bench b;
	const uint8_t keys[] = { 0x1e, 0x30 };

	bench_init(&b);
	write_ctr(&b, I8042_CTR_KBDINT);
	send(&b, I8042_KBD_CMD_SCAN_SET);
	send(&b, 0x01);
	put(&b, keys, 2);
	command(&b, 0xfe);
	CHECK(b.irq1.level);
	i8042_reset(&b.s);
	CHECK(!b.irq1.level);
	CHECK_EQ(status(&b), I8042_STR_UNLOCKED | I8042_STR_SYS | I8042_STR_CMD);
	CHECK_EQ(b.s.kbd.scan_set, 2);
	CHECK_EQ(read_ctr(&b), I8042_CTR_POWER_ON);
	CHECK_EQ(b.s.stats.kbd_bytes, 2);
	CHECK_EQ(b.s.stats.reset_requests, 1);
	command(&b, 0xfe);
	CHECK_EQ(b.resets, 2);
}

/* Ports other than 0x60/0x64 are not ours: 0xff, and writes change nothing. */
UNIT_TEST(other_ports_read_0xff)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(i8042_read(&b.s, 0x61), 0xff);
	i8042_write(&b.s, 0x61, 0xfe);
	CHECK_EQ(b.resets, 0);
	CHECK_EQ(status(&b), I8042_STR_UNLOCKED | I8042_STR_SYS | I8042_STR_CMD);
}

int main(void)
{
	return unit_run_all();
}
