// SPDX-License-Identifier: MIT
/* Scan codes to characters (keyboard.h). */
#include "keyboard.h"

#include <stdint.h>

#include "idt.h"
#include "io.h"
#include "pic.h"

#define I8042_DATA 0x60
#define I8042_STATUS 0x64	/* read */
#define I8042_COMMAND 0x64	/* write */
#define I8042_STR_OBF 0x01	/* output buffer full: a byte for us at 0x60 */
#define I8042_STR_IBF 0x02	/* input buffer full: the controller is busy */
#define I8042_CMD_READ_CTR 0x20
#define I8042_CMD_WRITE_CTR 0x60
#define I8042_CTR_KBDINT 0x01	/* IRQ1 when a keyboard byte arrives */
#define I8042_CTR_KBDDIS 0x10	/* keyboard clock inhibited */
#define I8042_CTR_XLATE 0x40	/* translate set 2 to set 1 */
#define KEYBOARD_IRQ 1

#define SC_EXTENDED 0xe0	/* the next byte is an extended key */
#define SC_BREAK 0x80		/* release: the make code with bit 7 set */
#define SC_ESC 0x01
#define SC_LSHIFT 0x2a
#define SC_RSHIFT 0x36
#define SC_CAPSLOCK 0x3a
#define SC_ENTER 0x1c		/* also keypad Enter, after 0xE0 */

/* Set 1 make codes 0x00-0x39, US layout, without and with Shift. */
static const char plain[0x3a] =
	"\0\x1b" "1234567890-=\b"
	"\tqwertyuiop[]\n"
	"\0asdfghjkl;'`"
	"\0\\zxcvbnm,./\0"
	"*\0 ";
static const char shifted[0x3a] =
	"\0\x1b" "!@#$%^&*()_+\b"
	"\tQWERTYUIOP{}\n"
	"\0ASDFGHJKL:\"~"
	"\0|ZXCVBNM<>?\0"
	"*\0 ";

/* Bytes from IRQ1, in a ring the handler fills and the main loop empties
 * (one CPU: volatile indices are all the synchronisation needed). */
#define QUEUE_SIZE 64
static volatile uint8_t queue[QUEUE_SIZE];
static volatile unsigned head, tail;	/* head: the handler's; tail: ours */

static bool shift_left, shift_right, caps_lock, extended;

static void keyboard_irq(void)
{
	uint8_t code = inb(I8042_DATA);	/* reading it lets the next byte in */

	if (head - tail < QUEUE_SIZE)
		queue[head++ % QUEUE_SIZE] = code;
}

/* Bounded waits: a missing controller must not hang the boot. */
static bool wait_input_empty(void)
{
	for (unsigned i = 0; i < 100000; i++)
		if (!(inb(I8042_STATUS) & I8042_STR_IBF))
			return true;
	return false;
}

static bool wait_output_full(void)
{
	for (unsigned i = 0; i < 100000; i++)
		if (inb(I8042_STATUS) & I8042_STR_OBF)
			return true;
	return false;
}

void keyboard_init(void)
{
	while (inb(I8042_STATUS) & I8042_STR_OBF)	/* whatever the firmware left */
		inb(I8042_DATA);
	/* A BIOS leaves the command byte with the keyboard interrupt and
	 * translation on; make sure, as a kernel cannot know who ran before. */
	if (wait_input_empty()) {
		outb(I8042_COMMAND, I8042_CMD_READ_CTR);
		if (wait_output_full()) {
			uint8_t ctr = inb(I8042_DATA);

			ctr |= I8042_CTR_KBDINT | I8042_CTR_XLATE;
			ctr &= (uint8_t)~I8042_CTR_KBDDIS;
			if (wait_input_empty()) {
				outb(I8042_COMMAND, I8042_CMD_WRITE_CTR);
				if (wait_input_empty())
					outb(I8042_DATA, ctr);
			}
		}
	}
	idt_set_irq_handler(KEYBOARD_IRQ, keyboard_irq);
	pic_unmask(KEYBOARD_IRQ);
}

bool keyboard_pending(void)
{
	return head != tail;
}

/* One scan code: a character, or KEY_NONE. */
static int translate(uint8_t code)
{
	bool released = code & SC_BREAK;
	uint8_t key = code & (uint8_t)~SC_BREAK;

	if (code == SC_EXTENDED) {
		extended = true;
		return KEY_NONE;
	}
	if (extended) {			/* keypad Enter is Enter; other extended keys: nothing */
		extended = false;
		return key == SC_ENTER && !released ? KEY_ENTER : KEY_NONE;
	}
	if (key == SC_LSHIFT || key == SC_RSHIFT) {
		*(key == SC_LSHIFT ? &shift_left : &shift_right) = !released;
		return KEY_NONE;
	}
	if (released || key >= sizeof(plain))
		return KEY_NONE;
	if (key == SC_CAPSLOCK) {
		caps_lock = !caps_lock;
		return KEY_NONE;
	}
	bool shift = shift_left || shift_right;
	char c = shift ? shifted[key] : plain[key];
	/* Caps Lock shifts letters only, and Shift undoes it. */
	if (caps_lock && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c = shift ? plain[key] : shifted[key];
	return c ? c : KEY_NONE;
}

int keyboard_getc(void)
{
	while (head != tail) {
		int c = translate(queue[tail++ % QUEUE_SIZE]);

		if (c != KEY_NONE)
			return c;
	}
	return KEY_NONE;
}
