/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_KEYMAP_H
#define MINIVMM_KEYMAP_H

/*
 * What a terminal in raw mode sends (xterm/VT100, with the rxvt and Linux
 * console variants) -> key presses on a US PC/AT keyboard, as scan code
 * set 1 make and break codes for i8042_kbd_put_scancode().  Pure: libc
 * only, one byte in at a time, time passed in by the caller as "silence"
 * (keymap_flush).
 *
 * Every key is pressed and released within the output of one call, its
 * modifiers around it (Left Ctrl, Left Alt, Left Shift made in that order
 * and broken in the reverse one), so the guest never holds a key between
 * calls: an Enter is 1C 9C, a '?' is 2A 35 B5 AA, Ctrl-C is 1D 2E AE 9D,
 * Up is E0 48 E0 C8.  Codes follow the IBM PC/AT set 1 table (as QEMU's
 * keycodemapdb "xtkbd" column and Linux's KEY_* numbers 1-88 give it).
 *
 * Bytes:
 *   0x20-0x7e   the US key that types it, with Shift for ~!@#$%^&*()_+{}|:"<>?
 *               and A-Z.
 *   CR, LF      Enter.           0x7f, 0x08  Backspace.      0x09  Tab.
 *   0x01-0x1a   the others: Ctrl + letter.
 *   0x00        Ctrl+Space.  0x1c Ctrl+\  0x1d Ctrl+]  0x1e Ctrl+6  0x1f Ctrl+-
 *               (what the Linux console's keymap turns back into those bytes).
 *   ESC         waits (keymap_pending): see below.
 *   0x80-0xff   UTF-8: a whole non-ASCII character is swallowed (no key
 *               types it on a US keyboard) and counted in utf8_dropped; so
 *               are stray continuation bytes and bytes that are never UTF-8.
 *
 * After ESC:
 *   ESC [ ... final   a CSI sequence: parameter bytes 0x30-0x3f and
 *               intermediates 0x20-0x2f up to a final byte 0x40-0x7e.
 *               Arrows A-D, Home H, End F, F1-F4 P-S (xterm's modified
 *               forms), Shift+Tab Z, rxvt's Shift+arrows a-d; with "~":
 *               1 Home, 2 Insert, 3 Delete, 4 End, 5 PgUp, 6 PgDn,
 *               7 Home, 8 End (rxvt), 11-15 F1-F5, 17-21 F6-F10, 23 F11,
 *               24 F12.  A modifier parameter m (ESC [ 1;5A, ESC [ 5;2~)
 *               adds Shift (m-1 bit 0), Alt (bit 1), Ctrl (bit 2); Meta
 *               (bit 3) has no key here and is ignored.
 *   ESC [ [ A-E       the Linux console's F1-F5.
 *   ESC O final       SS3: arrows, Home, End, F1-F4, rxvt's Ctrl+arrows a-d,
 *               and the application keypad (p-y, j k l m n o, M, X) as the
 *               main keys that type the same characters; an optional
 *               modifier parameter (ESC O 5A, ESC O 1;2P) as above.
 *   ESC x       any other byte x below 0x80: Alt + x's key (Meta sends
 *               Escape: Alt+a, Alt+Ctrl+C, Alt+Enter).
 *   ESC ESC [ / O ... the rxvt form: the sequence with Alt added.
 * Any other complete escape sequence is swallowed whole and counted in
 * unknown_seqs.  A sequence broken by a byte that cannot continue it (a
 * control or non-ASCII byte), or left incomplete at keymap_flush, is typed
 * as its bytes: the ESC with the byte after it as Alt + that key, then
 * the remaining bytes' keys (ESC [ flushed is Alt+[, ESC O is Alt+Shift+O),
 * so a guest whose terminal sends Alt as ESC sees the very bytes typed.
 * One that is too long to type within KEYMAP_MAX_CODES (more than
 * KEYMAP_REPLAY_MAX bytes after "ESC [" or "ESC O") is swallowed instead,
 * as is one whose parameters overran the buffer.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most codes one keymap_feed() or keymap_flush() call appends. */
#define KEYMAP_MAX_CODES	32

/* Parameter and intermediate bytes of a sequence kept for decoding. */
#define KEYMAP_SEQ_MAX		12

/*
 * The most of them a broken sequence may have and still be typed as keys:
 * Esc (2 codes, ESC ESC form) + Alt+Shift+O (6) + 4 keys of up to 4 codes,
 * and the up to 4 codes of the byte that broke it, fit in 32.
 */
#define KEYMAP_REPLAY_MAX	4

/* Set 1 make codes of the keys used here; the break code is make | 0x80. */
#define KEYMAP_SC_ESC		0x01
#define KEYMAP_SC_BACKSPACE	0x0e
#define KEYMAP_SC_TAB		0x0f
#define KEYMAP_SC_ENTER		0x1c
#define KEYMAP_SC_LCTRL		0x1d
#define KEYMAP_SC_LSHIFT	0x2a
#define KEYMAP_SC_LALT		0x38
#define KEYMAP_SC_SPACE		0x39
#define KEYMAP_SC_F1		0x3b	/* F1-F10 are 0x3b-0x44 */
#define KEYMAP_SC_F11		0x57
#define KEYMAP_SC_F12		0x58
#define KEYMAP_SC_BREAK		0x80	/* or'ed into a make code */
#define KEYMAP_SC_EXTENDED	0xe0	/* prefix of the keys below, make and break */
#define KEYMAP_SC_E_HOME	0x47
#define KEYMAP_SC_E_UP		0x48
#define KEYMAP_SC_E_PGUP	0x49
#define KEYMAP_SC_E_LEFT	0x4b
#define KEYMAP_SC_E_RIGHT	0x4d
#define KEYMAP_SC_E_END		0x4f
#define KEYMAP_SC_E_DOWN	0x50
#define KEYMAP_SC_E_PGDN	0x51
#define KEYMAP_SC_E_INSERT	0x52
#define KEYMAP_SC_E_DELETE	0x53

enum keymap_state {
	KEYMAP_GROUND,		/* nothing pending */
	KEYMAP_ESC,		/* ESC (or ESC ESC, alt_prefix) read */
	KEYMAP_CSI,		/* ESC [ and seq[] read */
	KEYMAP_SS3,		/* ESC O and seq[] read */
	KEYMAP_CSI_LINUX,	/* ESC [ [ read: one of A-E follows */
	KEYMAP_UTF8,		/* inside a multi-byte character */
};

struct keymap {
	enum keymap_state state;
	bool alt_prefix;		/* ESC ESC: a second ESC came before the sequence */
	bool seq_overflow;		/* more than KEYMAP_SEQ_MAX bytes: swallow it */
	uint8_t seq_len;
	uint8_t seq[KEYMAP_SEQ_MAX];	/* parameter and intermediate bytes */
	uint8_t utf8_left;		/* continuation bytes still expected */

	/* Counts for --stats; keymap_init() clears them, nothing else does. */
	uint64_t utf8_dropped;		/* non-ASCII characters and stray bytes swallowed */
	uint64_t unknown_seqs;		/* escape sequences swallowed */
	uint64_t overflows;		/* key presses left out for want of room: never, by construction */
};

/* Nothing pending, counts cleared. */
void keymap_init(struct keymap *k);

/*
 * One byte typed: append the set 1 codes of the keys it completes to
 * `out` (room for KEYMAP_MAX_CODES) and return how many; 0 while a
 * sequence or character is incomplete or when the byte has no key.
 */
size_t keymap_feed(struct keymap *k, uint8_t byte, uint8_t *out);

/* Whether an ESC, a partial escape sequence or a partial UTF-8 character waits for more bytes. */
bool keymap_pending(const struct keymap *k);

/*
 * The caller saw silence (about 50 ms, as terminals wait after an ESC):
 * type what is pending (a lone ESC is the Esc key, a broken sequence its
 * bytes' keys, see above; a partial UTF-8 character is dropped) into
 * `out` (room for KEYMAP_MAX_CODES) and return how many codes.  Afterwards
 * nothing is pending.
 */
size_t keymap_flush(struct keymap *k, uint8_t *out);

#endif
