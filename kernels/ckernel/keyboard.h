/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_KEYBOARD_H
#define CKERNEL_KEYBOARD_H

/*
 * The PS/2 keyboard behind the i8042 controller (ports 0x60/0x64, IRQ1).
 * The keyboard sends scan code set 2 and the controller translates it to
 * set 1, the IBM PC/XT's codes, which is what arrives at port 0x60: one
 * byte per key press ("make" code), the same with bit 7 set on release
 * ("break" code), and 0xE0 before the keys the XT did not have (IBM PS/2
 * Hardware Interface Technical Reference, "Keyboard" chapter, scan code
 * set 1 table).
 *
 * The IRQ1 handler only queues the byte; keyboard_getc(), called from
 * the main loop, turns the bytes into characters (US layout, Shift and
 * Caps Lock).
 */

#include <stdbool.h>

#define KEY_NONE (-1)
#define KEY_ESC 0x1b
#define KEY_ENTER '\n'
#define KEY_BACKSPACE '\b'

/* Make sure the controller interrupts and translates, empty it, and
 * unmask IRQ1. */
void keyboard_init(void);

/* Whether bytes wait (call with interrupts off to sleep on it safely). */
bool keyboard_pending(void);

/* The next character typed, KEY_ESC, or KEY_NONE when no key press waits
 * (releases, modifiers and keys without a character are consumed). */
int keyboard_getc(void);

#endif
