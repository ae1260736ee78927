// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the 8042 keyboard controller and its keyboard.
 *
 * The input is a program: each operation is an opcode byte followed by
 * its operands (guest reads and writes of ports 0x60 and 0x64, now and
 * then of a port that is not ours; scan codes from the console side;
 * resets; flushes as Linux does them).  After every operation the
 * invariants below are checked; a violation abort()s so the fuzzer
 * reports the input that broke the model.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Idevices \
 *         tests/fuzz/fuzz_i8042.c devices/i8042.c
 *
 * Without libFuzzer (gcc), -DFUZZ_STANDALONE adds a main() that replays
 * the files named on the command line, or stdin when there are none.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "i8042.h"

enum fuzz_op {
	FUZZ_OP_WRITE_DATA,	/* value */
	FUZZ_OP_WRITE_CMD,	/* value */
	FUZZ_OP_READ_DATA,
	FUZZ_OP_READ_STATUS,
	FUZZ_OP_PUT,		/* length, codes */
	FUZZ_OP_FLUSH,		/* Linux's i8042_flush() */
	FUZZ_OP_MISC,		/* selector: reset, other ports, a data byte after a command */
	FUZZ_NR_OPS
};

/* What can wait for the guest at most: output buffer, controller answer,
 * a keyboard reply, the keyboard's buffer. */
#define FUZZ_MAX_WAITING (1 + 1 + I8042_KBD_REPLY_MAX + I8042_KBD_QUEUE_SIZE)

static struct {
	struct i8042 s;
	bool irq1, irq12;	/* what the fake PIC saw */
	uint64_t resets;	/* callback calls */
	uint64_t codes_put;	/* scan codes offered */
} fz;

static void fuzz_irq_set(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	/* irq_line forwards changes only. */
	if (line == 1) {
		fuzz_check(level != fz.irq1);
		fz.irq1 = level;
	} else {
		fuzz_check(line == 12 && level != fz.irq12);
		fz.irq12 = level;
	}
}

static void fuzz_reset(void *opaque, const char *how)
{
	(void)opaque;
	fuzz_check(how != NULL && how[0] != '\0');
	fz.resets++;
}

static void fuzz_check_invariants(void)
{
	const struct i8042 *s = &fz.s;
	const struct i8042_kbd *k = &s->kbd;
	uint8_t ctr = s->ram[0];
	uint8_t st = i8042_status(s);
	bool irq1 = s->obf && !s->ob_aux && (ctr & I8042_CTR_KBDINT);
	bool irq12 = s->obf && s->ob_aux && (ctr & I8042_CTR_AUXINT);

	/* Queue bounds. */
	fuzz_check(k->count <= I8042_KBD_QUEUE_SIZE && k->head < I8042_KBD_QUEUE_SIZE);
	fuzz_check(k->reply_count <= I8042_KBD_REPLY_MAX);
	fuzz_check(k->reply_head + k->reply_count <= I8042_KBD_REPLY_MAX);
	fuzz_check(k->scan_set == 1 || k->scan_set == 2);
	fuzz_check(k->awaiting == 0 || k->awaiting == I8042_KBD_CMD_SET_LEDS ||
		   k->awaiting == I8042_KBD_CMD_TYPEMATIC || k->awaiting == I8042_KBD_CMD_SCAN_SET);
	fuzz_check(k->leds <= 7);

	/* The pins: a byte from that side in the buffer, and its enable bit. */
	fuzz_check(fz.irq1 == irq1 && s->irq_kbd.level == irq1);
	fuzz_check(fz.irq12 == irq12 && s->irq_aux.level == irq12);

	/* Status tells the truth; IBF and parity never. */
	fuzz_check(!!(st & I8042_STR_OBF) == s->obf);
	fuzz_check(!(st & (I8042_STR_IBF | I8042_STR_PARITY)));
	fuzz_check(st & I8042_STR_UNLOCKED);
	fuzz_check(!(st & I8042_STR_AUXDATA) || (st & I8042_STR_OBF));
	fuzz_check(!(st & I8042_STR_TIMEOUT) || (st & I8042_STR_AUXDATA));
	fuzz_check(!!(st & I8042_STR_SYS) == !!(ctr & I8042_CTR_SYS));

	/* The output buffer never sits empty while something could fill it. */
	if (!s->obf) {
		fuzz_check(!s->ctrl_pending);
		fuzz_check((ctr & I8042_CTR_KBDDIS) || (k->count == 0 && k->reply_count == 0));
	}

	/* Counters add up. */
	fuzz_check(s->stats.kbd_bytes + s->stats.kbd_dropped + s->stats.kbd_ignored ==
		   fz.codes_put);
	fuzz_check(s->stats.reset_requests == fz.resets);
}

/*
 * Linux's i8042_flush(): read while OBF.  It must end, within what can be
 * waiting; with no command answer in the way, within Linux's 16 bytes.
 */
static void fuzz_flush(void)
{
	bool answers = fz.s.ctrl_pending || fz.s.kbd.reply_count > 0;
	unsigned n = 0;

	while (i8042_status(&fz.s) & I8042_STR_OBF) {
		fuzz_check(n < FUZZ_MAX_WAITING);
		i8042_read(&fz.s, I8042_DATA_PORT);
		n++;
	}
	fuzz_check(answers || n <= 16);
}

static void fuzz_put(const uint8_t **data, size_t *size)
{
	size_t len = fuzz_byte(data, size) % (2 * I8042_KBD_QUEUE_SIZE + 4);
	size_t taken;

	if (len > *size)
		len = *size;
	taken = i8042_kbd_put_scancode(&fz.s, *data, len);
	fuzz_check(taken <= len);
	fz.codes_put += len;
	*data += len;
	*size -= len;
}

static void fuzz_misc(uint8_t selector, const uint8_t **data, size_t *size)
{
	uint8_t a = fuzz_byte(data, size);

	switch (selector % 6) {
	case 0:
		i8042_reset(&fz.s);
		fuzz_check(!fz.s.obf && !fz.irq1 && !fz.irq12);
		break;
	case 1:
		/* Not our ports: 0xff, no effect on anything checked. */
		fuzz_check(i8042_read(&fz.s, (uint16_t)(0x61 + (a & 1))) == 0xff);
		i8042_write(&fz.s, (uint16_t)(0x61 + (a & 1)), a);
		break;
	case 2:
		/* A controller command that takes a data byte, and its byte. */
		i8042_write(&fz.s, I8042_STATUS_PORT,
			    (uint8_t)((a & 1) ? I8042_CMD_WRITE_RAM + (a >> 3) : 0xd1 + (a >> 1) % 4));
		i8042_write(&fz.s, I8042_DATA_PORT, fuzz_byte(data, size));
		break;
	case 3:
		/* Translation undoes the keyboard's set-2 encoding of any make code. */
		if (a & 0x7f)
			fuzz_check(i8042_translate(i8042_set1_to_set2(a & 0x7f)) == (a & 0x7f));
		break;
	case 4:
		/* A keyboard command with its argument. */
		i8042_write(&fz.s, I8042_DATA_PORT, (uint8_t)(0xed + a % 19));
		i8042_write(&fz.s, I8042_DATA_PORT, fuzz_byte(data, size));
		break;
	default:
		/* The status read is pure. */
		fuzz_check(i8042_read(&fz.s, I8042_STATUS_PORT) == i8042_status(&fz.s));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&fz, 0, sizeof(fz));
	i8042_init(&fz.s, irq_line_connect(fuzz_irq_set, NULL, 1),
		   irq_line_connect(fuzz_irq_set, NULL, 12), fuzz_reset, NULL);
	fuzz_check_invariants();

	while (size > 0) {
		uint8_t op = fuzz_byte(&data, &size);

		switch (op % FUZZ_NR_OPS) {
		case FUZZ_OP_WRITE_DATA:
			i8042_write(&fz.s, I8042_DATA_PORT, fuzz_byte(&data, &size));
			break;
		case FUZZ_OP_WRITE_CMD:
			i8042_write(&fz.s, I8042_STATUS_PORT, fuzz_byte(&data, &size));
			break;
		case FUZZ_OP_READ_DATA:
			i8042_read(&fz.s, I8042_DATA_PORT);
			break;
		case FUZZ_OP_READ_STATUS:
			i8042_read(&fz.s, I8042_STATUS_PORT);
			break;
		case FUZZ_OP_PUT:
			fuzz_put(&data, &size);
			break;
		case FUZZ_OP_FLUSH:
			fuzz_flush();
			break;
		default:
			fuzz_misc(fuzz_byte(&data, &size), &data, &size);
			break;
		}
		fuzz_check_invariants();
	}
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
