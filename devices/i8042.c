// SPDX-License-Identifier: MIT
/*
 * 8042 keyboard controller with a PS/2 keyboard.  See i8042.h for the
 * interface and the list of deliberate differences from QEMU.
 *
 * The data path is the PC's: the keyboard holds its bytes (replies to
 * commands first, then scan codes) until the controller's one-byte output
 * buffer is empty and the keyboard interface is enabled; the controller
 * then takes one, translating it to set 1 when the command byte says so.
 * The controller's own answers (command byte, tests, 0xd2/0xd3 echoes,
 * aux timeouts) wait in one slot of their own and go first.  Every entry
 * point ends in i8042_update(), which refills the output buffer and
 * recomputes both interrupt pins.
 */

#include "i8042.h"

#include <string.h>

/*
 * The 8042's translation table (IBM PC/AT keyboard controller firmware):
 * set-2 byte -> set-1 byte for 0x00-0x7f.  Bytes from 0x80 up pass
 * unchanged except 0x83 (F7) and 0x84 (Alt+SysRq), whose set-2 codes
 * are the only make codes above 0x7f.  0x00 (set 2's overrun code)
 * becomes 0xff, set 1's.
 */
static const uint8_t i8042_xlate[128] = {
	0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58,
	0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
	0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a,
	0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
	0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c,
	0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
	0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e,
	0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
	0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60,
	0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
	0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e,
	0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
	0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b,
	0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
	0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45,
	0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

/*
 * Its inverse, set-1 make code -> set-2 byte, so that the keyboard can
 * speak set 2 and the translation give back the set-1 code the console
 * side put in.  0x41 and 0x54 map to 0x83 and 0x84, the keys' real
 * codes (the table's 0x02 and 0x7f are unused by keys).  Set-1 0x00 is
 * no key and has no preimage: it becomes 0x00.  The unit tests check
 * that translation undoes this for every make code 0x01-0x7f.
 */
static const uint8_t i8042_set1_to_set2_table[128] = {
	0x00, 0x76, 0x16, 0x1e, 0x26, 0x25, 0x2e, 0x36,
	0x3d, 0x3e, 0x46, 0x45, 0x4e, 0x55, 0x66, 0x0d,
	0x15, 0x1d, 0x24, 0x2d, 0x2c, 0x35, 0x3c, 0x43,
	0x44, 0x4d, 0x54, 0x5b, 0x5a, 0x14, 0x1c, 0x1b,
	0x23, 0x2b, 0x34, 0x33, 0x3b, 0x42, 0x4b, 0x4c,
	0x52, 0x0e, 0x12, 0x5d, 0x1a, 0x22, 0x21, 0x2a,
	0x32, 0x31, 0x3a, 0x41, 0x49, 0x4a, 0x59, 0x7c,
	0x11, 0x29, 0x58, 0x05, 0x06, 0x04, 0x0c, 0x03,
	0x0b, 0x83, 0x0a, 0x01, 0x09, 0x77, 0x7e, 0x6c,
	0x75, 0x7d, 0x7b, 0x6b, 0x73, 0x74, 0x79, 0x69,
	0x72, 0x7a, 0x70, 0x71, 0x84, 0x60, 0x61, 0x78,
	0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f,
	0x47, 0x4f, 0x56, 0x5e, 0x08, 0x10, 0x18, 0x20,
	0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x57, 0x6f,
	0x13, 0x19, 0x39, 0x51, 0x53, 0x5c, 0x5f, 0x62,
	0x63, 0x64, 0x65, 0x67, 0x68, 0x6a, 0x6d, 0x6e,
};

#define I8042_SET2_F7		0x83
#define I8042_SET2_SYSRQ	0x84

uint8_t i8042_translate(uint8_t set2)
{
	if (set2 < 0x80)
		return i8042_xlate[set2];
	if (set2 == I8042_SET2_F7)
		return i8042_xlate[0x02];	/* 0x41 */
	if (set2 == I8042_SET2_SYSRQ)
		return i8042_xlate[0x7f];	/* 0x54 */
	return set2;
}

uint8_t i8042_set1_to_set2(uint8_t set1_make)
{
	return i8042_set1_to_set2_table[set1_make & 0x7f];
}

/* --- The keyboard ------------------------------------------------------- */

static void kbd_queue_clear(struct i8042_kbd *k)
{
	k->head = 0;
	k->count = 0;
}

static unsigned kbd_queue_room(const struct i8042_kbd *k)
{
	return I8042_KBD_QUEUE_SIZE - k->count;
}

static void kbd_queue_push(struct i8042_kbd *k, uint8_t byte)
{
	if (k->count >= I8042_KBD_QUEUE_SIZE)
		return;
	k->queue[(k->head + k->count) % I8042_KBD_QUEUE_SIZE] = byte;
	k->count++;
}

/* A new command aborts the answer to the previous one still on its way. */
static void kbd_reply(struct i8042_kbd *k, const uint8_t *bytes, unsigned n)
{
	k->reply_head = 0;
	k->reply_count = 0;
	for (unsigned i = 0; i < n && i < I8042_KBD_REPLY_MAX; i++)
		k->reply[k->reply_count++] = bytes[i];
}

static void kbd_reply1(struct i8042_kbd *k, uint8_t byte)
{
	kbd_reply(k, &byte, 1);
}

static bool kbd_has_byte(const struct i8042_kbd *k)
{
	return k->reply_count > 0 || k->count > 0;
}

/* The next byte the keyboard sends: a reply before any scan code. */
static uint8_t kbd_pop(struct i8042_kbd *k)
{
	uint8_t byte;

	if (k->reply_count > 0) {
		byte = k->reply[k->reply_head++];
		k->reply_count--;
	} else {
		byte = k->queue[k->head];
		k->head = (k->head + 1) % I8042_KBD_QUEUE_SIZE;
		k->count--;
	}
	k->last_sent = byte;
	return byte;
}

/* Datasheet "Keyboard": the power-on defaults that F5, F6 and FF restore. */
static void kbd_set_defaults(struct i8042_kbd *k)
{
	k->scan_set = 2;
	k->typematic = I8042_KBD_TYPEMATIC_DEFAULT;
	k->leds = 0;
	k->awaiting = 0;
}

static void kbd_power_on(struct i8042_kbd *k)
{
	memset(k, 0, sizeof(*k));
	kbd_set_defaults(k);
	k->scanning = true;
	k->last_sent = I8042_KBD_BAT_OK;
}

/* The argument byte of ED, F0 or F3. */
static void kbd_argument(struct i8042_kbd *k, uint8_t command, uint8_t arg)
{
	uint8_t answer[2] = { I8042_KBD_ACK, 0 };

	switch (command) {
	case I8042_KBD_CMD_SET_LEDS:
		k->leds = arg & 0x07;
		kbd_reply1(k, I8042_KBD_ACK);
		break;
	case I8042_KBD_CMD_TYPEMATIC:
		k->typematic = arg & 0x7f;
		kbd_reply1(k, I8042_KBD_ACK);
		break;
	default:	/* I8042_KBD_CMD_SCAN_SET */
		if (arg == 0) {
			/* The set number goes through translation like any byte:
			 * 0x02 reads 0x41 on a translating controller, as in QEMU. */
			answer[1] = k->scan_set;
			kbd_reply(k, answer, 2);
		} else if (arg == 1 || arg == 2) {
			k->scan_set = arg;
			kbd_reply1(k, I8042_KBD_ACK);
		} else {
			/* Set 3 (and nonsense): not spoken here.  Linux's
			 * atkbd_select_set() then stays in set 2. */
			kbd_reply1(k, I8042_KBD_RESEND);
		}
		break;
	}
}

/* A byte the host sent to the keyboard (datasheet "Keyboard", "Commands from the system"). */
static void kbd_write(struct i8042_kbd *k, uint8_t byte)
{
	static const uint8_t identify[] = { I8042_KBD_ACK, I8042_KBD_ID_0, I8042_KBD_ID_1 };
	static const uint8_t reset[] = { I8042_KBD_ACK, I8042_KBD_BAT_OK };
	uint8_t command = k->awaiting;

	if (command != 0) {
		k->awaiting = 0;
		kbd_argument(k, command, byte);
		return;
	}
	switch (byte) {
	case I8042_KBD_CMD_SET_LEDS:
	case I8042_KBD_CMD_TYPEMATIC:
	case I8042_KBD_CMD_SCAN_SET:
		k->awaiting = byte;
		kbd_reply1(k, I8042_KBD_ACK);
		break;
	case I8042_KBD_CMD_ECHO:
		kbd_reply1(k, I8042_KBD_ECHO);
		break;
	case I8042_KBD_CMD_IDENTIFY:
		kbd_reply(k, identify, 3);
		break;
	case I8042_KBD_CMD_ENABLE:
		kbd_queue_clear(k);
		k->scanning = true;
		kbd_reply1(k, I8042_KBD_ACK);
		break;
	case I8042_KBD_CMD_DEFAULT_DISABLE:
		kbd_queue_clear(k);
		kbd_set_defaults(k);
		k->scanning = false;
		kbd_reply1(k, I8042_KBD_ACK);
		break;
	case I8042_KBD_CMD_SET_DEFAULT:
		kbd_queue_clear(k);
		kbd_set_defaults(k);
		k->scanning = true;
		kbd_reply1(k, I8042_KBD_ACK);
		break;
	case I8042_KBD_CMD_RESEND:
		kbd_reply1(k, k->last_sent);
		break;
	case I8042_KBD_CMD_RESET:
		/* The self test (BAT) takes 300-500 ms on a real keyboard; ours passes at once. */
		kbd_queue_clear(k);
		kbd_set_defaults(k);
		k->scanning = true;
		kbd_reply(k, reset, 2);
		break;
	default:
		kbd_reply1(k, I8042_KBD_RESEND);
		break;
	}
}

/* --- The controller ----------------------------------------------------- */

static uint8_t i8042_ctr(const struct i8042 *s)
{
	return s->ram[0];
}

static bool i8042_irq1_level(const struct i8042 *s)
{
	return s->obf && !s->ob_aux && (i8042_ctr(s) & I8042_CTR_KBDINT);
}

static bool i8042_irq12_level(const struct i8042 *s)
{
	return s->obf && s->ob_aux && (i8042_ctr(s) & I8042_CTR_AUXINT);
}

/*
 * The output buffer is empty: fill it, the controller's own answer
 * first, then a byte from the keyboard if its interface is enabled.
 * Translation (command byte XLATE) turns set 2 into set 1 on the way:
 * a 0xf0 break prefix is swallowed and sets bit 7 of the next code.
 */
static void i8042_fill(struct i8042 *s)
{
	uint8_t byte;

	if (s->obf)
		return;
	if (s->ctrl_pending) {
		s->ctrl_pending = false;
		s->obf = true;
		s->obuf = s->ctrl_byte;
		s->ob_aux = s->ctrl_aux;
		s->ob_timeout = s->ctrl_timeout;
		return;
	}
	if (i8042_ctr(s) & I8042_CTR_KBDDIS)
		return;
	while (kbd_has_byte(&s->kbd)) {
		byte = kbd_pop(&s->kbd);
		if (!(i8042_ctr(s) & I8042_CTR_XLATE)) {
			s->xlate_break = false;
		} else {
			if (byte == I8042_SET2_BREAK) {
				s->xlate_break = true;
				continue;
			}
			byte = i8042_translate(byte);
			if (s->xlate_break)
				byte |= 0x80;
			s->xlate_break = false;
		}
		s->obf = true;
		s->obuf = byte;
		s->ob_aux = false;
		s->ob_timeout = false;
		return;
	}
}

static void i8042_update_irq(struct i8042 *s)
{
	irq_line_set(&s->irq_kbd, i8042_irq1_level(s));
	irq_line_set(&s->irq_aux, i8042_irq12_level(s));
}

/* End of every access: refill the output buffer, recompute both pins. */
static void i8042_update(struct i8042 *s)
{
	i8042_fill(s);
	i8042_update_irq(s);
}

/*
 * An answer from the controller itself.  It waits for the output buffer
 * in one slot; a second answer before the guest read the first replaces
 * it, as in QEMU (a real 8042 would not take the second command until
 * the first answer was read, and our input buffer is never full).
 */
static void i8042_answer(struct i8042 *s, uint8_t byte, bool aux, bool timeout)
{
	s->ctrl_pending = true;
	s->ctrl_byte = byte;
	s->ctrl_aux = aux;
	s->ctrl_timeout = timeout;
}

static void i8042_request_reset(struct i8042 *s, const char *how)
{
	s->stats.reset_requests++;
	if (s->request_reset != NULL)
		s->request_reset(s->opaque, how);
}

/* Output port P2 as command 0xd0 reads it: bits 4-5 are the interrupt pins. */
static uint8_t i8042_outport(const struct i8042 *s)
{
	uint8_t value = s->outport & (uint8_t)~(I8042_OUT_IRQ1 | I8042_OUT_IRQ12);

	if (i8042_irq1_level(s))
		value |= I8042_OUT_IRQ1;
	if (i8042_irq12_level(s))
		value |= I8042_OUT_IRQ12;
	return value;
}

/*
 * Command 0xd1.  Bit 0 is the CPU/system reset line, active low: writing
 * it 0 resets the machine (QEMU does the same).  Bit 1 is the A20 gate,
 * stored and read back only: see devices/port92.h for why nothing masks
 * A20 here.  Bits 4-5 are driven by the firmware from the output buffer
 * and cannot be written.
 */
static void i8042_write_outport(struct i8042 *s, uint8_t value)
{
	s->outport = value & (uint8_t)~(I8042_OUT_IRQ1 | I8042_OUT_IRQ12);
	if (!(value & I8042_OUT_RESET))
		i8042_request_reset(s, "i8042 output port reset bit written 0");
}

static void i8042_command(struct i8042 *s, uint8_t cmd)
{
	s->pending_cmd = 0;	/* a new command abandons one still waiting for its data */

	if (cmd >= I8042_CMD_PULSE) {
		/* Bits 0-3 low pulse output port bits 0-3 for ~6 us; only bit 0,
		 * the reset line, does anything on a PC (Linux's 0xfe reboot). */
		if (!(cmd & I8042_OUT_RESET))
			i8042_request_reset(s, "i8042 reset line pulsed");
		return;
	}
	if (cmd >= I8042_CMD_READ_RAM && cmd < I8042_CMD_READ_RAM + I8042_RAM_SIZE) {
		i8042_answer(s, s->ram[cmd - I8042_CMD_READ_RAM], false, false);
		return;
	}
	if (cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + I8042_RAM_SIZE) {
		s->pending_cmd = cmd;
		return;
	}
	switch (cmd) {
	case I8042_CMD_AUX_DISABLE:
		s->ram[0] |= I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_AUX_ENABLE:
		s->ram[0] &= (uint8_t)~I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_AUX_TEST:
	case I8042_CMD_KBD_TEST:
		/* The lines are idle and not stuck, whether or not a device is there. */
		i8042_answer(s, I8042_RET_IF_TEST_OK, false, false);
		break;
	case I8042_CMD_SELF_TEST:
		/* Passed; the SYS flag says so (QEMU sets it too, nothing else changes). */
		s->ram[0] |= I8042_CTR_SYS;
		i8042_answer(s, I8042_RET_SELF_TEST_OK, false, false);
		break;
	case I8042_CMD_KBD_DISABLE:
		s->ram[0] |= I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_KBD_ENABLE:
		s->ram[0] &= (uint8_t)~I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_READ_INPUT:
		i8042_answer(s, I8042_INPUT_PORT, false, false);
		break;
	case I8042_CMD_READ_OUTPUT:
		i8042_answer(s, i8042_outport(s), false, false);
		break;
	case I8042_CMD_WRITE_OUTPUT:
	case I8042_CMD_WRITE_KBD_OBUF:
	case I8042_CMD_WRITE_AUX_OBUF:
	case I8042_CMD_WRITE_AUX:
		s->pending_cmd = cmd;
		break;
	case I8042_CMD_DISABLE_A20:
		s->outport &= (uint8_t)~I8042_OUT_A20;
		break;
	case I8042_CMD_ENABLE_A20:
		s->outport |= I8042_OUT_A20;
		break;
	default:
		/* Unknown to this firmware (0xa1 version, vendor extensions): ignored. */
		s->stats.unknown_commands++;
		break;
	}
}

/* The data byte of a controller command that takes one. */
static void i8042_command_data(struct i8042 *s, uint8_t cmd, uint8_t value)
{
	switch (cmd) {
	case I8042_CMD_WRITE_OUTPUT:
		i8042_write_outport(s, value);
		break;
	case I8042_CMD_WRITE_KBD_OBUF:
		i8042_answer(s, value, false, false);
		break;
	case I8042_CMD_WRITE_AUX_OBUF:
		i8042_answer(s, value, true, false);
		break;
	case I8042_CMD_WRITE_AUX:
		/*
		 * Sending enables the interface (as QEMU does), but no device
		 * clocks the byte in: after the PS/2 timeout the controller
		 * reports TIMEOUT with 0xfe as aux data, which Linux's i8042
		 * passes on as SERIO_TIMEOUT and psmouse takes as "no mouse".
		 */
		s->ram[0] &= (uint8_t)~I8042_CTR_AUXDIS;
		s->stats.aux_timeouts++;
		i8042_answer(s, I8042_RET_AUX_TIMEOUT, true, true);
		break;
	default:	/* I8042_CMD_WRITE_RAM + n */
		s->ram[cmd - I8042_CMD_WRITE_RAM] = value;
		break;
	}
}

void i8042_reset(struct i8042 *s)
{
	memset(s->ram, 0, sizeof(s->ram));
	s->ram[0] = I8042_CTR_POWER_ON;
	s->outport = I8042_OUT_POWER_ON;
	s->last_write_cmd = true;	/* as QEMU's power-on status */
	s->pending_cmd = 0;
	s->obf = false;
	s->obuf = 0;
	s->ob_aux = false;
	s->ob_timeout = false;
	s->ctrl_pending = false;
	s->ctrl_byte = 0;
	s->ctrl_aux = false;
	s->ctrl_timeout = false;
	s->xlate_break = false;
	kbd_power_on(&s->kbd);
	i8042_update(s);
}

void i8042_init(struct i8042 *s, struct irq_line irq_kbd, struct irq_line irq_aux,
		void (*request_reset)(void *opaque, const char *how), void *opaque)
{
	memset(s, 0, sizeof(*s));
	s->irq_kbd = irq_kbd;
	s->irq_aux = irq_aux;
	s->request_reset = request_reset;
	s->opaque = opaque;
	i8042_reset(s);
}

uint8_t i8042_status(const struct i8042 *s)
{
	uint8_t status = I8042_STR_UNLOCKED;

	if (s->obf) {
		status |= I8042_STR_OBF;
		if (s->ob_aux)
			status |= I8042_STR_AUXDATA;
		if (s->ob_timeout)
			status |= I8042_STR_TIMEOUT;
	}
	if (i8042_ctr(s) & I8042_CTR_SYS)
		status |= I8042_STR_SYS;
	if (s->last_write_cmd)
		status |= I8042_STR_CMD;
	return status;
}

uint8_t i8042_read(struct i8042 *s, uint16_t port)
{
	uint8_t value;

	if (port == I8042_STATUS_PORT)
		return i8042_status(s);
	if (port != I8042_DATA_PORT)
		return 0xff;
	/*
	 * With OBF clear the register still holds the last byte (QEMU does
	 * the same).  With OBF set the read empties the buffer: the pins
	 * drop first, then the next byte (if any) moves in and raises its
	 * pin again, a fresh edge for the edge-triggered 8259, one byte per
	 * interrupt as Linux's i8042_interrupt() reads them.  Every read
	 * consumes a byte and nothing arrives while the guest reads, so a
	 * flush (Linux's i8042_flush(): read while OBF) always ends.
	 */
	value = s->obuf;
	if (s->obf) {
		s->obf = false;
		s->ob_aux = false;
		s->ob_timeout = false;
		i8042_update_irq(s);
		i8042_update(s);
	}
	return value;
}

void i8042_write(struct i8042 *s, uint16_t port, uint8_t value)
{
	uint8_t cmd;

	if (port == I8042_STATUS_PORT) {
		s->last_write_cmd = true;
		i8042_command(s, value);
	} else if (port == I8042_DATA_PORT) {
		s->last_write_cmd = false;
		cmd = s->pending_cmd;
		s->pending_cmd = 0;
		if (cmd != 0) {
			i8042_command_data(s, cmd, value);
		} else {
			/* Sending to the keyboard enables its interface (QEMU too). */
			s->ram[0] &= (uint8_t)~I8042_CTR_KBDDIS;
			kbd_write(&s->kbd, value);
		}
	} else {
		return;
	}
	i8042_update(s);
}

/* One set-1 code, converted to the keyboard's set: whole or not at all. */
static bool kbd_put_one(struct i8042_kbd *k, uint8_t code)
{
	uint8_t make = code & 0x7f;

	if (k->scan_set == 1 || code == I8042_SET_EXT0 || code == I8042_SET_EXT1) {
		if (kbd_queue_room(k) < 1)
			return false;
		kbd_queue_push(k, code);
		return true;
	}
	if (code & 0x80) {
		if (kbd_queue_room(k) < 2)
			return false;
		kbd_queue_push(k, I8042_SET2_BREAK);
	} else if (kbd_queue_room(k) < 1) {
		return false;
	}
	kbd_queue_push(k, i8042_set1_to_set2(make));
	return true;
}

size_t i8042_kbd_put_scancode(struct i8042 *s, const uint8_t *codes, size_t n)
{
	size_t taken = 0;

	for (size_t i = 0; i < n; i++) {
		if (!s->kbd.scanning) {
			s->stats.kbd_ignored++;
		} else if (kbd_put_one(&s->kbd, codes[i])) {
			s->stats.kbd_bytes++;
			taken++;
			/* On to the controller at once if its buffer is free. */
			i8042_fill(s);
		} else {
			s->stats.kbd_dropped++;
		}
	}
	i8042_update(s);
	return taken;
}
