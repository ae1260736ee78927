/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_I8042_H
#define MINIVMM_DEVICES_I8042_H

/*
 * The PC's keyboard controller, an Intel 8042 running IBM's PS/2
 * firmware, with a PS/2 MF2 keyboard on its keyboard port and nothing on
 * its auxiliary (mouse) port.  Data port 0x60, status/command port 0x64.
 *
 * The model is pure: the bus glue hands it port accesses, its two
 * interrupt pins (IRQ1 keyboard, IRQ12 aux) leave through struct
 * irq_line, and a guest asking for a system reset (output port bit 0
 * pulsed or written low) reaches the VMM through request_reset.  It
 * needs no clock: the serial links to the devices are infinitely fast,
 * so the input buffer is never full (IBF always 0) and a byte the
 * keyboard sends is in the output buffer as soon as that is empty.
 *
 * "Datasheet" below means IBM's PS/2 Hardware Interface Technical
 * Reference, "Keyboard/Auxiliary Device Controller" and "Keyboard"
 * chapters (the 8042 firmware's commands, status and command byte).
 * Where it is silent we do what QEMU's hw/input/pckbd.c and ps2.c do, as
 * kernels are tested on QEMU; where we differ from QEMU it says so here:
 *
 *   - Power-on command byte 0x65 (translation, SYS, keyboard interrupt,
 *     aux disabled), what a PC BIOS hands to the OS.  QEMU resets it to
 *     0x03 and leaves the rest to SeaBIOS; minivmm has no firmware.
 *   - Status bit 2 (SYS) mirrors the command byte's SYS bit (datasheet);
 *     QEMU sets it on self-test only.  Self-test sets the SYS bit in the
 *     command byte and changes nothing else there, as QEMU.
 *   - The keyboard interrupt is not gated by the command byte's keyboard
 *     disable bit (datasheet: that bit only inhibits the keyboard clock,
 *     so no new byte arrives); QEMU gates it.  Linux never has the one
 *     without the other.
 *   - Nothing is plugged into the aux port, where QEMU always has a mouse:
 *     a byte sent there (command 0xd4) times out as on a PS/2 controller
 *     with an empty connector, status TIMEOUT|AUXDATA with data 0xfe.
 *     The aux interface itself works (loopback 0xd3, test 0xa9, enable/
 *     disable), so Linux registers its AUX port and psmouse's probe fails
 *     quietly at the first command, as on a PC without a mouse.
 *   - Commands 0x21-0x3f/0x61-0x7f read and write the 8042's other RAM
 *     bytes (datasheet); QEMU ignores them.
 *   - The keyboard answers scan code set 3 with RESEND (it speaks sets 1
 *     and 2 only), so Linux's atkbd.set=3 falls back to set 2 cleanly.
 *   - Keyboard commands F4, F5, F6 and FF clear the keyboard's buffer of
 *     scan codes (datasheet, "Keyboard" chapter); QEMU keeps it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "irq.h"

#define I8042_DATA_PORT		0x60	/* read: output buffer; write: input buffer (data) */
#define I8042_STATUS_PORT	0x64	/* read: status register; write: command */

/* Status register (port 0x64, read). */
#define I8042_STR_OBF		0x01	/* output buffer full */
#define I8042_STR_IBF		0x02	/* input buffer full: always 0 here */
#define I8042_STR_SYS		0x04	/* system flag: the command byte's SYS bit */
#define I8042_STR_CMD		0x08	/* A2: the last write was to 0x64 (1) or 0x60 (0) */
#define I8042_STR_UNLOCKED	0x10	/* inhibit switch off: always 1 (no keylock) */
#define I8042_STR_AUXDATA	0x20	/* the byte in the output buffer is from the aux port */
#define I8042_STR_TIMEOUT	0x40	/* the byte in the output buffer reports a timeout */
#define I8042_STR_PARITY	0x80	/* parity error: never */

/* Command byte (controller RAM byte 0, commands 0x20 and 0x60). */
#define I8042_CTR_KBDINT	0x01	/* keyboard data raises IRQ1 */
#define I8042_CTR_AUXINT	0x02	/* aux data raises IRQ12 */
#define I8042_CTR_SYS		0x04	/* system flag, shown in status bit 2 */
#define I8042_CTR_IGNKEYLOCK	0x08	/* ignore the inhibit switch: stored only */
#define I8042_CTR_KBDDIS	0x10	/* keyboard interface disabled (clock held low) */
#define I8042_CTR_AUXDIS	0x20	/* aux interface disabled */
#define I8042_CTR_XLATE		0x40	/* translate keyboard bytes from set 2 to set 1 */
#define I8042_CTR_POWER_ON	(I8042_CTR_XLATE | I8042_CTR_AUXDIS | I8042_CTR_SYS | \
				 I8042_CTR_KBDINT)

/* Output port P2 (commands 0xd0 and 0xd1). */
#define I8042_OUT_RESET		0x01	/* system reset line: 0 resets the machine */
#define I8042_OUT_A20		0x02	/* A20 gate: stored, never masks anything */
#define I8042_OUT_IRQ1		0x10	/* the IRQ1 pin (keyboard output buffer full) */
#define I8042_OUT_IRQ12		0x20	/* the IRQ12 pin (aux output buffer full) */
#define I8042_OUT_KBD_CLOCK	0x40
#define I8042_OUT_KBD_DATA	0x80
/* Bits 2-3 are unused on a PC and read 1, as in QEMU; the lines idle high. */
#define I8042_OUT_POWER_ON	(I8042_OUT_KBD_DATA | I8042_OUT_KBD_CLOCK | 0x0c | \
				 I8042_OUT_A20 | I8042_OUT_RESET)

/* Controller commands (port 0x64, write). */
#define I8042_CMD_READ_RAM	0x20	/* 0x20-0x3f: read RAM byte n; 0x20 = command byte */
#define I8042_CMD_WRITE_RAM	0x60	/* 0x60-0x7f: write RAM byte n (data follows) */
#define I8042_CMD_AUX_DISABLE	0xa7
#define I8042_CMD_AUX_ENABLE	0xa8
#define I8042_CMD_AUX_TEST	0xa9	/* aux interface test: 0x00 = lines fine */
#define I8042_CMD_SELF_TEST	0xaa	/* 0x55 = passed */
#define I8042_CMD_KBD_TEST	0xab	/* keyboard interface test: 0x00 = lines fine */
#define I8042_CMD_KBD_DISABLE	0xad
#define I8042_CMD_KBD_ENABLE	0xae
#define I8042_CMD_READ_INPUT	0xc0	/* input port P1 */
#define I8042_CMD_READ_OUTPUT	0xd0
#define I8042_CMD_WRITE_OUTPUT	0xd1	/* data follows */
#define I8042_CMD_WRITE_KBD_OBUF 0xd2	/* data follows: back as if from the keyboard */
#define I8042_CMD_WRITE_AUX_OBUF 0xd3	/* data follows: back as if from the aux device */
#define I8042_CMD_WRITE_AUX	0xd4	/* data follows: sent to the aux device */
#define I8042_CMD_DISABLE_A20	0xdd	/* HP Vectra's A20 commands, as QEMU */
#define I8042_CMD_ENABLE_A20	0xdf
#define I8042_CMD_PULSE		0xf0	/* 0xf0-0xff: pulse output port bits 0-3 whose
					 * command bit is 0; 0xfe pulses the reset line */

#define I8042_RET_SELF_TEST_OK	0x55
#define I8042_RET_IF_TEST_OK	0x00
#define I8042_RET_AUX_TIMEOUT	0xfe	/* with TIMEOUT|AUXDATA: no aux device answered */
#define I8042_INPUT_PORT	0x80	/* P1: bit 7 = keyboard not inhibited, as QEMU */

/* Keyboard commands (port 0x60, write, no controller command pending). */
#define I8042_KBD_CMD_SET_LEDS		0xed	/* + LED bits */
#define I8042_KBD_CMD_ECHO		0xee
#define I8042_KBD_CMD_SCAN_SET		0xf0	/* + 0 (query) or 1-3 */
#define I8042_KBD_CMD_IDENTIFY		0xf2
#define I8042_KBD_CMD_TYPEMATIC		0xf3	/* + rate/delay */
#define I8042_KBD_CMD_ENABLE		0xf4
#define I8042_KBD_CMD_DEFAULT_DISABLE	0xf5
#define I8042_KBD_CMD_SET_DEFAULT	0xf6
#define I8042_KBD_CMD_RESEND		0xfe
#define I8042_KBD_CMD_RESET		0xff

/* Keyboard replies (before translation, which leaves all of them but 0x83 alone). */
#define I8042_KBD_ACK		0xfa
#define I8042_KBD_RESEND	0xfe
#define I8042_KBD_BAT_OK	0xaa	/* basic assurance test passed, after reset */
#define I8042_KBD_ECHO		0xee
#define I8042_KBD_ID_0		0xab	/* MF2 keyboard: 0xab 0x83 (0xab 0x41 translated) */
#define I8042_KBD_ID_1		0x83
#define I8042_KBD_TYPEMATIC_DEFAULT 0x2b /* 10.9 characters/s after 500 ms */

/* Scan code set 2 prefixes the set-1 input is converted with. */
#define I8042_SET2_BREAK	0xf0
#define I8042_SET_EXT0		0xe0
#define I8042_SET_EXT1		0xe1

#define I8042_RAM_SIZE		32

/*
 * The keyboard's buffer of scan code bytes.  Linux's i8042_flush()
 * reads at most 16 bytes (I8042_BUFFER_SIZE) and declares the controller
 * broken if more remain; the keyboard's 15 plus the controller's output
 * buffer keep what it can find waiting within that, as QEMU's 16-byte
 * queue does.  Replies to a keyboard command (at most 3 bytes) go ahead
 * of the scan codes, as in QEMU and on the wire.
 */
#define I8042_KBD_QUEUE_SIZE	15
#define I8042_KBD_REPLY_MAX	3

struct i8042_kbd {
	uint8_t queue[I8042_KBD_QUEUE_SIZE];	/* scan codes in the keyboard's set */
	unsigned head, count;
	uint8_t reply[I8042_KBD_REPLY_MAX];	/* the answer to the last command */
	unsigned reply_head, reply_count;
	uint8_t awaiting;	/* command waiting for its argument byte, or 0 */
	uint8_t scan_set;	/* 1 or 2 */
	bool scanning;		/* enabled: keys are reported */
	uint8_t leds;		/* bit 0 Scroll, 1 Num, 2 Caps Lock */
	uint8_t typematic;
	uint8_t last_sent;	/* what RESEND sends again */
};

/* Counters for --stats and tests; the guest cannot see them.  Reset keeps them. */
struct i8042_stats {
	uint64_t kbd_bytes;		/* set-1 codes i8042_kbd_put_scancode() took */
	uint64_t kbd_dropped;		/* ...lost to a full keyboard buffer */
	uint64_t kbd_ignored;		/* ...lost because the guest disabled scanning */
	uint64_t reset_requests;	/* reset line pulsed or written low */
	uint64_t aux_timeouts;		/* bytes sent to the empty aux port */
	uint64_t unknown_commands;	/* controller commands ignored */
};

struct i8042 {
	uint8_t ram[I8042_RAM_SIZE];	/* ram[0] is the command byte */
	uint8_t outport;		/* P2 as written; bits 4-5 are the IRQ pins */
	bool last_write_cmd;		/* status bit 3 */
	uint8_t pending_cmd;		/* controller command waiting for a data byte, or 0 */

	/* The output buffer: one byte, where it came from, OBF. */
	bool obf;
	uint8_t obuf;			/* also what a read with OBF clear returns again */
	bool ob_aux;
	bool ob_timeout;

	/* The controller's own answer, waiting for the output buffer (first in line). */
	bool ctrl_pending;
	uint8_t ctrl_byte;
	bool ctrl_aux;
	bool ctrl_timeout;

	bool xlate_break;		/* translation saw 0xf0: the next code is a break */
	struct i8042_kbd kbd;

	struct irq_line irq_kbd;	/* IRQ1 */
	struct irq_line irq_aux;	/* IRQ12 */
	/* Ask the VMM to reset the machine; `how` names the mechanism.  May be NULL. */
	void (*request_reset)(void *opaque, const char *how);
	void *opaque;
	struct i8042_stats stats;
};

/* Wire the controller and put it in its power-on state (both lines low, stats zero). */
void i8042_init(struct i8042 *s, struct irq_line irq_kbd, struct irq_line irq_aux,
		void (*request_reset)(void *opaque, const char *how), void *opaque);

/*
 * Power-on state of controller and keyboard: command byte 0x65, output
 * port 0xcf, empty buffers, keyboard in set 2 and scanning.  Keeps the
 * wiring, the callback and the stats.  The keyboard sends no 0xaa at
 * power-on, as in QEMU, so nothing is waiting for the guest.
 */
void i8042_reset(struct i8042 *s);

/* A guest read of port 0x60 or 0x64; any other port reads 0xff and changes nothing. */
uint8_t i8042_read(struct i8042 *s, uint16_t port);

/* A guest write of port 0x60 or 0x64; others are ignored. */
void i8042_write(struct i8042 *s, uint16_t port, uint8_t value);

/* The status register as a read of 0x64 returns it (reads have no side effects). */
uint8_t i8042_status(const struct i8042 *s);

/*
 * Keys from the outside world, as scan code set 1 make and break codes
 * (0xe0/0xe1 prefixes included), the codes a PC keyboard produces after
 * the 8042's translation.  The keyboard converts each to its own scan
 * code set (set 2: 0xf0 + make code for a break) and the controller
 * translates them back when the command byte's XLATE bit is set, so the
 * guest sees these very bytes on a PC-configured controller and their
 * set-2 form with translation off.  Returns how many codes were queued;
 * the others are counted as dropped (keyboard buffer full) or ignored
 * (scanning disabled by the guest), and never wait.
 */
size_t i8042_kbd_put_scancode(struct i8042 *s, const uint8_t *codes, size_t n);

/* The 8042's translation: a keyboard byte in set 2 -> set 1 (0xf0 handled by the caller). */
uint8_t i8042_translate(uint8_t set2);

/* The inverse for make codes 0x00-0x7f: a set-1 make code -> its set-2 byte. */
uint8_t i8042_set1_to_set2(uint8_t set1_make);

#endif
