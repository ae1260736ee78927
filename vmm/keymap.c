// SPDX-License-Identifier: MIT
/*
 * Terminal bytes -> PC/AT scan code set 1 (see keymap.h for the rules).
 * References: the IBM PC/AT set 1 table as QEMU's keycodemapdb gives it
 * (the "xtkbd" column; Linux's KEY_* numbers 1-88 are the same codes);
 * xterm's ctlseqs ("PC-Style Function Keys", modifier parameter 1 +
 * Shift 1 + Alt 2 + Ctrl 4 + Meta 8); ECMA-48 5.4 for the shape of a
 * control sequence; the Linux console's ESC [ [ A-E for F1-F5.
 */
#include "keymap.h"

#include <string.h>

#define MOD_SHIFT	0x1
#define MOD_ALT		0x2
#define MOD_CTRL	0x4

#define ESC		0x1b

/* A key: its set 1 make code, KEY_EXT marking the 0xe0-prefixed ones. */
#define KEY_EXT		0x100
#define KEY_NONE	0

/* The US key that types each printable ASCII character, and whether Shift is held. */
struct ascii_key {
	uint8_t code;
	uint8_t shift;
};

static const struct ascii_key ascii_keys[0x7f - 0x20] = {
	[' ' - 0x20] = { 0x39, 0 }, ['!' - 0x20] = { 0x02, 1 },
	['"' - 0x20] = { 0x28, 1 }, ['#' - 0x20] = { 0x04, 1 },
	['$' - 0x20] = { 0x05, 1 }, ['%' - 0x20] = { 0x06, 1 },
	['&' - 0x20] = { 0x08, 1 }, ['\'' - 0x20] = { 0x28, 0 },
	['(' - 0x20] = { 0x0a, 1 }, [')' - 0x20] = { 0x0b, 1 },
	['*' - 0x20] = { 0x09, 1 }, ['+' - 0x20] = { 0x0d, 1 },
	[',' - 0x20] = { 0x33, 0 }, ['-' - 0x20] = { 0x0c, 0 },
	['.' - 0x20] = { 0x34, 0 }, ['/' - 0x20] = { 0x35, 0 },
	['0' - 0x20] = { 0x0b, 0 }, ['1' - 0x20] = { 0x02, 0 },
	['2' - 0x20] = { 0x03, 0 }, ['3' - 0x20] = { 0x04, 0 },
	['4' - 0x20] = { 0x05, 0 }, ['5' - 0x20] = { 0x06, 0 },
	['6' - 0x20] = { 0x07, 0 }, ['7' - 0x20] = { 0x08, 0 },
	['8' - 0x20] = { 0x09, 0 }, ['9' - 0x20] = { 0x0a, 0 },
	[':' - 0x20] = { 0x27, 1 }, [';' - 0x20] = { 0x27, 0 },
	['<' - 0x20] = { 0x33, 1 }, ['=' - 0x20] = { 0x0d, 0 },
	['>' - 0x20] = { 0x34, 1 }, ['?' - 0x20] = { 0x35, 1 },
	['@' - 0x20] = { 0x03, 1 }, ['[' - 0x20] = { 0x1a, 0 },
	['\\' - 0x20] = { 0x2b, 0 }, [']' - 0x20] = { 0x1b, 0 },
	['^' - 0x20] = { 0x07, 1 }, ['_' - 0x20] = { 0x0c, 1 },
	['`' - 0x20] = { 0x29, 0 }, ['{' - 0x20] = { 0x1a, 1 },
	['|' - 0x20] = { 0x2b, 1 }, ['}' - 0x20] = { 0x1b, 1 },
	['~' - 0x20] = { 0x29, 1 },
	/* letters: letter_codes[] */
};

/* a-z, in the order of the alphabet. */
static const uint8_t letter_codes[26] = {
	0x1e, 0x30, 0x2e, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, 0x32,
	0x31, 0x18, 0x19, 0x10, 0x13, 0x1f, 0x14, 0x16, 0x2f, 0x11, 0x2d, 0x15, 0x2c,
};

/* Where output goes: the caller's buffer and how much of it is used. */
struct emit {
	struct keymap *k;
	uint8_t *out;
	size_t n;
};

static void put(struct emit *e, uint8_t code)
{
	e->out[e->n++] = code;
}

static void put_key(struct emit *e, unsigned key, bool release)
{
	uint8_t code = (uint8_t)(key & 0x7f) | (release ? KEYMAP_SC_BREAK : 0);

	if (key & KEY_EXT)
		put(e, KEYMAP_SC_EXTENDED);
	put(e, code);
}

/*
 * Press and release `key` with the modifiers in `mods` held around it.
 * The whole press goes out or none of it: a key is never left held.
 */
static void press(struct emit *e, unsigned key, unsigned mods)
{
	size_t need = (key & KEY_EXT) ? 4 : 2;

	if (key == KEY_NONE)
		return;
	need += 2 * (!!(mods & MOD_CTRL) + !!(mods & MOD_ALT) + !!(mods & MOD_SHIFT));
	if (e->n + need > KEYMAP_MAX_CODES) {
		e->k->overflows++;
		return;
	}
	if (mods & MOD_CTRL)
		put_key(e, KEYMAP_SC_LCTRL, false);
	if (mods & MOD_ALT)
		put_key(e, KEYMAP_SC_LALT, false);
	if (mods & MOD_SHIFT)
		put_key(e, KEYMAP_SC_LSHIFT, false);
	put_key(e, key, false);
	put_key(e, key, true);
	if (mods & MOD_SHIFT)
		put_key(e, KEYMAP_SC_LSHIFT, true);
	if (mods & MOD_ALT)
		put_key(e, KEYMAP_SC_LALT, true);
	if (mods & MOD_CTRL)
		put_key(e, KEYMAP_SC_LCTRL, true);
}

/*
 * The key (and modifiers) that types ASCII byte `c` below 0x80, ESC
 * excepted; KEY_NONE for ESC.
 */
static unsigned ascii_to_key(uint8_t c, unsigned *mods)
{
	*mods = 0;
	switch (c) {
	case '\r':
	case '\n':
		return KEYMAP_SC_ENTER;
	case 0x7f:
	case '\b':
		return KEYMAP_SC_BACKSPACE;
	case '\t':
		return KEYMAP_SC_TAB;
	case ESC:
		return KEY_NONE;
	case 0x00:
		*mods = MOD_CTRL;
		return KEYMAP_SC_SPACE;
	case 0x1c:
		*mods = MOD_CTRL;
		return ascii_keys['\\' - 0x20].code;
	case 0x1d:
		*mods = MOD_CTRL;
		return ascii_keys[']' - 0x20].code;
	case 0x1e:
		*mods = MOD_CTRL;
		return ascii_keys['6' - 0x20].code;
	case 0x1f:
		*mods = MOD_CTRL;
		return ascii_keys['-' - 0x20].code;
	}
	if (c < 0x20) {			/* 0x01-0x1a: Ctrl + letter */
		*mods = MOD_CTRL;
		return letter_codes[c - 1];
	}
	if (c >= 'a' && c <= 'z')
		return letter_codes[c - 'a'];
	if (c >= 'A' && c <= 'Z') {
		*mods = MOD_SHIFT;
		return letter_codes[c - 'A'];
	}
	if (ascii_keys[c - 0x20].shift)
		*mods = MOD_SHIFT;
	return ascii_keys[c - 0x20].code;
}

static void press_ascii(struct emit *e, uint8_t c, unsigned extra_mods)
{
	unsigned mods;
	unsigned key = ascii_to_key(c, &mods);

	press(e, key, mods | extra_mods);
}

static void to_ground(struct keymap *k)
{
	k->state = KEYMAP_GROUND;
	k->alt_prefix = false;
	k->seq_overflow = false;
	k->seq_len = 0;
	k->utf8_left = 0;
}

/*
 * Type what is pending as its bytes' keys (keymap.h) and return to
 * the ground state.
 */
static void type_pending(struct keymap *k, struct emit *e)
{
	switch (k->state) {
	case KEYMAP_GROUND:
		break;
	case KEYMAP_UTF8:
		k->utf8_dropped++;
		break;
	case KEYMAP_ESC:
		if (k->alt_prefix)
			press(e, KEYMAP_SC_ESC, 0);
		press(e, KEYMAP_SC_ESC, 0);
		break;
	case KEYMAP_CSI:
	case KEYMAP_SS3:
	case KEYMAP_CSI_LINUX:
		if (k->seq_overflow || k->seq_len > KEYMAP_REPLAY_MAX) {
			k->unknown_seqs++;
			break;
		}
		if (k->alt_prefix)
			press(e, KEYMAP_SC_ESC, 0);
		press_ascii(e, k->state == KEYMAP_SS3 ? 'O' : '[', MOD_ALT);
		if (k->state == KEYMAP_CSI_LINUX)
			press_ascii(e, '[', 0);
		for (unsigned i = 0; i < k->seq_len; i++)
			press_ascii(e, k->seq[i], 0);
		break;
	}
	to_ground(k);
}

/*
 * The parameters of a sequence: numbers separated by ';' (an empty one is
 * 0, the default).  False when seq[] holds anything else (private markers
 * such as '?' or '<', ':' sub-parameters, intermediates), more than 3
 * numbers or a number above 999: no key sends those.
 */
static bool parse_params(const struct keymap *k, unsigned *p, unsigned *np)
{
	unsigned n = 0;

	p[0] = p[1] = p[2] = 0;
	if (k->seq_len == 0) {
		*np = 0;
		return true;
	}
	for (unsigned i = 0; i < k->seq_len; i++) {
		uint8_t c = k->seq[i];

		if (c == ';') {
			if (++n >= 3)
				return false;
		} else if (c >= '0' && c <= '9') {
			p[n] = p[n] * 10 + (unsigned)(c - '0');
			if (p[n] > 999)
				return false;
		} else {
			return false;
		}
	}
	*np = n + 1;
	return true;
}

/* xterm's modifier parameter: 1 + Shift 1 + Alt 2 + Ctrl 4 + Meta 8 (no key; ignored). */
static bool modifier_param(unsigned m, unsigned *mods)
{
	if (m <= 1) {
		*mods = 0;
		return true;
	}
	if (m > 16)
		return false;
	*mods = (m - 1) & (MOD_SHIFT | MOD_ALT | MOD_CTRL);
	return true;
}

/* The key of a CSI/SS3 final letter common to both (arrows, Home, End, F1-F4). */
static unsigned letter_key(uint8_t final)
{
	switch (final) {
	case 'A': return KEY_EXT | KEYMAP_SC_E_UP;
	case 'B': return KEY_EXT | KEYMAP_SC_E_DOWN;
	case 'C': return KEY_EXT | KEYMAP_SC_E_RIGHT;
	case 'D': return KEY_EXT | KEYMAP_SC_E_LEFT;
	case 'H': return KEY_EXT | KEYMAP_SC_E_HOME;
	case 'F': return KEY_EXT | KEYMAP_SC_E_END;
	case 'P': return KEYMAP_SC_F1;
	case 'Q': return KEYMAP_SC_F1 + 1;
	case 'R': return KEYMAP_SC_F1 + 2;
	case 'S': return KEYMAP_SC_F1 + 3;
	}
	return KEY_NONE;
}

/* rxvt's a-d: Shift+arrow after CSI, Ctrl+arrow after SS3. */
static unsigned rxvt_arrow(uint8_t final)
{
	return final >= 'a' && final <= 'd' ? letter_key((uint8_t)(final - 'a' + 'A')) : KEY_NONE;
}

/* VT220-style "ESC [ n ~" keys (xterm, Linux console, rxvt's 7 and 8). */
static unsigned tilde_key(unsigned n)
{
	switch (n) {
	case 1: case 7: return KEY_EXT | KEYMAP_SC_E_HOME;
	case 2: return KEY_EXT | KEYMAP_SC_E_INSERT;
	case 3: return KEY_EXT | KEYMAP_SC_E_DELETE;
	case 4: case 8: return KEY_EXT | KEYMAP_SC_E_END;
	case 5: return KEY_EXT | KEYMAP_SC_E_PGUP;
	case 6: return KEY_EXT | KEYMAP_SC_E_PGDN;
	case 11: case 12: case 13: case 14: case 15:	/* F1-F5 */
		return KEYMAP_SC_F1 + (n - 11);
	case 17: case 18: case 19: case 20: case 21:	/* F6-F10: 16 is skipped */
		return KEYMAP_SC_F1 + 5 + (n - 17);
	case 23: return KEYMAP_SC_F11;			/* 22 is skipped */
	case 24: return KEYMAP_SC_F12;
	}
	return KEY_NONE;
}

/* A complete CSI sequence ending in `final`. */
static void decode_csi(struct keymap *k, struct emit *e, uint8_t final)
{
	unsigned p[3], np, mods = 0, key = KEY_NONE;

	if (k->seq_overflow || !parse_params(k, p, &np))
		goto unknown;
	if (final == '~') {
		if (np == 0 || np > 2 || !modifier_param(p[1], &mods))
			goto unknown;
		key = tilde_key(p[0]);
	} else if (final == 'Z') {			/* back tab */
		if (np > 2 || !modifier_param(p[1], &mods))
			goto unknown;
		key = KEYMAP_SC_TAB;
		mods |= MOD_SHIFT;
	} else if ((key = rxvt_arrow(final)) != KEY_NONE) {
		if (np != 0)
			goto unknown;
		mods = MOD_SHIFT;
	} else {
		/*
		 * ESC [ A, or xterm's modified ESC [ 1 ; m A.  The first
		 * parameter must be 1 (or empty): that keeps out most cursor
		 * position reports (ESC [ row ; col R), which look like F3.
		 */
		if (np > 2 || p[0] > 1 || !modifier_param(p[1], &mods))
			goto unknown;
		key = letter_key(final);
	}
	if (key == KEY_NONE)
		goto unknown;
	if (k->alt_prefix)
		mods |= MOD_ALT;
	press(e, key, mods);
	return;
unknown:
	k->unknown_seqs++;
}

/* The application keypad after SS3, typed with the main keys that give the same character. */
static uint8_t keypad_char(uint8_t final)
{
	if (final >= 'p' && final <= 'y')
		return (uint8_t)('0' + final - 'p');
	switch (final) {
	case 'M': return '\r';
	case 'X': return '=';
	case 'j': return '*';
	case 'k': return '+';
	case 'l': return ',';
	case 'm': return '-';
	case 'n': return '.';
	case 'o': return '/';
	}
	return 0;
}

/* A complete SS3 sequence ending in `final`: ESC O [params] final. */
static void decode_ss3(struct keymap *k, struct emit *e, uint8_t final)
{
	unsigned p[3], np, mods = 0, key, kmods;
	uint8_t c;

	if (k->seq_overflow || !parse_params(k, p, &np) || np > 2)
		goto unknown;
	/* ESC O 5 A (one parameter) or ESC O 1 ; 5 A: the last is the modifier */
	if (np > 0 && !modifier_param(p[np - 1], &mods))
		goto unknown;
	if (k->alt_prefix)
		mods |= MOD_ALT;
	key = letter_key(final);
	if (key != KEY_NONE) {
		press(e, key, mods);
		return;
	}
	key = rxvt_arrow(final);
	if (key != KEY_NONE) {
		press(e, key, mods | MOD_CTRL);
		return;
	}
	c = keypad_char(final);
	if (c != 0) {
		key = ascii_to_key(c, &kmods);
		press(e, key, mods | kmods);
		return;
	}
unknown:
	k->unknown_seqs++;
}

static void seq_append(struct keymap *k, uint8_t byte)
{
	if (k->seq_len < KEYMAP_SEQ_MAX)
		k->seq[k->seq_len++] = byte;
	else
		k->seq_overflow = true;
}

/* UTF-8: how many continuation bytes follow lead byte `b`; -1 for a byte that never leads. */
static int utf8_continuations(uint8_t b)
{
	if (b >= 0xc2 && b <= 0xdf)
		return 1;
	if (b >= 0xe0 && b <= 0xef)
		return 2;
	if (b >= 0xf0 && b <= 0xf4)
		return 3;
	return -1;
}

/* A byte read with nothing pending. */
static void feed_ground(struct keymap *k, struct emit *e, uint8_t byte)
{
	int n;

	if (byte == ESC) {
		k->state = KEYMAP_ESC;
		k->alt_prefix = false;
		return;
	}
	if (byte < 0x80) {
		press_ascii(e, byte, 0);
		return;
	}
	n = utf8_continuations(byte);
	if (n < 0) {			/* stray continuation, 0xc0, 0xc1, 0xf5-0xff */
		k->utf8_dropped++;
		return;
	}
	k->state = KEYMAP_UTF8;
	k->utf8_left = (uint8_t)n;
}

/* A byte that cannot continue the pending sequence: type that, then take the byte afresh. */
static void break_sequence(struct keymap *k, struct emit *e, uint8_t byte)
{
	type_pending(k, e);
	feed_ground(k, e, byte);
}

static void feed_esc(struct keymap *k, struct emit *e, uint8_t byte)
{
	if (byte == '[' || byte == 'O') {
		k->state = byte == '[' ? KEYMAP_CSI : KEYMAP_SS3;
		k->seq_len = 0;
		k->seq_overflow = false;
		return;
	}
	if (byte == ESC) {
		/* ESC ESC ESC: the first is an Esc key of its own */
		if (k->alt_prefix)
			press(e, KEYMAP_SC_ESC, 0);
		k->alt_prefix = true;
		return;
	}
	/* ESC ESC x: the first ESC was the Esc key, ESC x is Alt+x */
	if (k->alt_prefix)
		press(e, KEYMAP_SC_ESC, 0);
	if (byte >= 0x80) {
		press(e, KEYMAP_SC_ESC, 0);
		to_ground(k);
		feed_ground(k, e, byte);
		return;
	}
	press_ascii(e, byte, MOD_ALT);
	to_ground(k);
}

static void feed_csi_or_ss3(struct keymap *k, struct emit *e, uint8_t byte)
{
	if (k->state == KEYMAP_CSI && k->seq_len == 0 && !k->seq_overflow && byte == '[') {
		k->state = KEYMAP_CSI_LINUX;
		return;
	}
	if (byte >= 0x20 && byte <= 0x3f) {	/* ECMA-48: parameter and intermediate bytes */
		seq_append(k, byte);
		return;
	}
	if (byte >= 0x40 && byte <= 0x7e) {	/* the final byte */
		if (k->state == KEYMAP_CSI)
			decode_csi(k, e, byte);
		else
			decode_ss3(k, e, byte);
		to_ground(k);
		return;
	}
	break_sequence(k, e, byte);
}

static void feed_csi_linux(struct keymap *k, struct emit *e, uint8_t byte)
{
	if (byte >= 'A' && byte <= 'E') {
		press(e, KEYMAP_SC_F1 + (unsigned)(byte - 'A'), k->alt_prefix ? MOD_ALT : 0);
		to_ground(k);
	} else if (byte >= 0x40 && byte <= 0x7e) {
		k->unknown_seqs++;
		to_ground(k);
	} else if (byte >= 0x20 && byte <= 0x3f) {
		/* not the Linux console's: swallow it up to its final byte */
		k->state = KEYMAP_CSI;
		k->seq_overflow = true;
	} else {
		break_sequence(k, e, byte);
	}
}

static void feed_utf8(struct keymap *k, struct emit *e, uint8_t byte)
{
	if (byte < 0x80 || byte > 0xbf) {	/* the character is cut short */
		type_pending(k, e);
		feed_ground(k, e, byte);
		return;
	}
	if (--k->utf8_left == 0) {
		k->utf8_dropped++;
		to_ground(k);
	}
}

void keymap_init(struct keymap *k)
{
	memset(k, 0, sizeof(*k));
	to_ground(k);
}

size_t keymap_feed(struct keymap *k, uint8_t byte, uint8_t *out)
{
	struct emit e = { .k = k, .out = out, .n = 0 };

	switch (k->state) {
	case KEYMAP_GROUND:
		feed_ground(k, &e, byte);
		break;
	case KEYMAP_ESC:
		feed_esc(k, &e, byte);
		break;
	case KEYMAP_CSI:
	case KEYMAP_SS3:
		feed_csi_or_ss3(k, &e, byte);
		break;
	case KEYMAP_CSI_LINUX:
		feed_csi_linux(k, &e, byte);
		break;
	case KEYMAP_UTF8:
		feed_utf8(k, &e, byte);
		break;
	}
	return e.n;
}

bool keymap_pending(const struct keymap *k)
{
	return k->state != KEYMAP_GROUND;
}

size_t keymap_flush(struct keymap *k, uint8_t *out)
{
	struct emit e = { .k = k, .out = out, .n = 0 };

	type_pending(k, &e);
	return e.n;
}
