// SPDX-License-Identifier: MIT
/*
 * Unit tests for the terminal -> scan code set 1 keymap, one rule each.
 * The expected codes do not come from keymap.h: the main block is checked
 * against Linux's KEY_* numbers (<linux/input-event-codes.h>: KEY_ESC 1 to
 * KEY_F12 88 are the set 1 make codes), the extended keys against the set
 * 1 column ("xtkbd") of QEMU's keycodemapdb: Home E0 47, Up E0 48, PgUp
 * E0 49, Left E0 4B, Right E0 4D, End E0 4F, Down E0 50, PgDn E0 51,
 * Insert E0 52, Delete E0 53.  Sequences: xterm's ctlseqs, rxvt(1), the
 * Linux console (console_codes(4)).
 */

#include <linux/input-event-codes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"
#include "unit.h"

/* The extended keys, per keycodemapdb (the byte after 0xe0). */
#define X_HOME		0x47
#define X_UP		0x48
#define X_PGUP		0x49
#define X_LEFT		0x4b
#define X_RIGHT		0x4d
#define X_END		0x4f
#define X_DOWN		0x50
#define X_PGDN		0x51
#define X_INSERT	0x52
#define X_DELETE	0x53

/* One press and release of a key, with the modifiers around it. */
#define K(c)		(c), (c) | 0x80
#define SHIFT(...)	KEY_LEFTSHIFT, __VA_ARGS__, KEY_LEFTSHIFT | 0x80
#define CTRL(...)	KEY_LEFTCTRL, __VA_ARGS__, KEY_LEFTCTRL | 0x80
#define ALT(...)	KEY_LEFTALT, __VA_ARGS__, KEY_LEFTALT | 0x80
#define EXT(c)		0xe0, (c), 0xe0, (c) | 0x80

static void dump(const char *what, const uint8_t *codes, size_t n)
{
	printf("  %s (%zu):", what, n);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", codes[i]);
	printf("\n");
}

/*
 * The output of one call: at most KEYMAP_MAX_CODES, 0xe0 always followed
 * by a code, and every key made is broken before the call returns.
 */
static void check_call(const uint8_t *codes, size_t n)
{
	bool held[256] = { false };

	CHECK(n <= KEYMAP_MAX_CODES);
	for (size_t i = 0; i < n; i++) {
		unsigned key = 0;

		if (codes[i] == 0xe0) {
			CHECK(i + 1 < n);
			key = 0x80;
			i++;
		}
		CHECK((codes[i] & 0x7f) != 0 && codes[i] != 0xe0 && codes[i] != 0xe1);
		key |= codes[i] & 0x7f;
		if (codes[i] & 0x80) {
			CHECK(held[key]);
			held[key] = false;
		} else {
			CHECK(!held[key]);
			held[key] = true;
		}
	}
	for (unsigned key = 0; key < 256; key++)
		CHECK(!held[key]);
}

/* Feed `len` bytes one at a time, then flush if asked; all the codes to `buf`. */
static size_t type(struct keymap *k, const char *in, size_t len, bool flush, uint8_t *buf)
{
	size_t total = 0, n;

	for (size_t i = 0; i < len; i++) {
		n = keymap_feed(k, (uint8_t)in[i], buf + total);
		check_call(buf + total, n);
		total += n;
	}
	if (flush) {
		n = keymap_flush(k, buf + total);
		check_call(buf + total, n);
		total += n;
		CHECK(!keymap_pending(k));
	}
	CHECK_EQ(k->overflows, 0);
	return total;
}

static void expect_codes(struct keymap *k, const char *in, size_t len, bool flush,
			 const uint8_t *want, size_t want_len)
{
	uint8_t got[64 * KEYMAP_MAX_CODES];
	size_t n;

	CHECK(len <= 64);
	n = type(k, in, len, flush, got);
	if (n != want_len || (n > 0 && memcmp(got, want, n) != 0)) {
		dump("got", got, n);
		dump("expected", want, want_len);
		CHECK(!"codes differ");
	}
}

/* `in` (a string literal) typed on a fresh keymap, then silence: exactly these codes. */
#define EXPECT(in, ...)                                                        \
	do {                                                                   \
		static const uint8_t want_[] = { __VA_ARGS__ };                \
		struct keymap k_;                                              \
		keymap_init(&k_);                                              \
		expect_codes(&k_, in, sizeof(in) - 1, true, want_, sizeof(want_)); \
	} while (0)

/* The same on a given keymap, without the silence at the end. */
#define EXPECT_ON(k, in, ...)                                                  \
	do {                                                                   \
		static const uint8_t want_[] = { __VA_ARGS__ };                \
		expect_codes(k, in, sizeof(in) - 1, false, want_, sizeof(want_)); \
	} while (0)

#define EXPECT_NOTHING(k, in, flush)                                           \
	expect_codes(k, in, sizeof(in) - 1, flush, NULL, 0)

/* ---- plain keys ------------------------------------------------------- */

/* Every printable ASCII character, per the US layout. */
static const struct {
	char c;
	uint8_t key;
	bool shift;
} us_layout[] = {
	{ ' ', KEY_SPACE, 0 },
	{ '`', KEY_GRAVE, 0 }, { '~', KEY_GRAVE, 1 },
	{ '1', KEY_1, 0 }, { '!', KEY_1, 1 }, { '2', KEY_2, 0 }, { '@', KEY_2, 1 },
	{ '3', KEY_3, 0 }, { '#', KEY_3, 1 }, { '4', KEY_4, 0 }, { '$', KEY_4, 1 },
	{ '5', KEY_5, 0 }, { '%', KEY_5, 1 }, { '6', KEY_6, 0 }, { '^', KEY_6, 1 },
	{ '7', KEY_7, 0 }, { '&', KEY_7, 1 }, { '8', KEY_8, 0 }, { '*', KEY_8, 1 },
	{ '9', KEY_9, 0 }, { '(', KEY_9, 1 }, { '0', KEY_0, 0 }, { ')', KEY_0, 1 },
	{ '-', KEY_MINUS, 0 }, { '_', KEY_MINUS, 1 },
	{ '=', KEY_EQUAL, 0 }, { '+', KEY_EQUAL, 1 },
	{ '[', KEY_LEFTBRACE, 0 }, { '{', KEY_LEFTBRACE, 1 },
	{ ']', KEY_RIGHTBRACE, 0 }, { '}', KEY_RIGHTBRACE, 1 },
	{ '\\', KEY_BACKSLASH, 0 }, { '|', KEY_BACKSLASH, 1 },
	{ ';', KEY_SEMICOLON, 0 }, { ':', KEY_SEMICOLON, 1 },
	{ '\'', KEY_APOSTROPHE, 0 }, { '"', KEY_APOSTROPHE, 1 },
	{ ',', KEY_COMMA, 0 }, { '<', KEY_COMMA, 1 },
	{ '.', KEY_DOT, 0 }, { '>', KEY_DOT, 1 },
	{ '/', KEY_SLASH, 0 }, { '?', KEY_SLASH, 1 },
	{ 'a', KEY_A, 0 }, { 'b', KEY_B, 0 }, { 'c', KEY_C, 0 }, { 'd', KEY_D, 0 },
	{ 'e', KEY_E, 0 }, { 'f', KEY_F, 0 }, { 'g', KEY_G, 0 }, { 'h', KEY_H, 0 },
	{ 'i', KEY_I, 0 }, { 'j', KEY_J, 0 }, { 'k', KEY_K, 0 }, { 'l', KEY_L, 0 },
	{ 'm', KEY_M, 0 }, { 'n', KEY_N, 0 }, { 'o', KEY_O, 0 }, { 'p', KEY_P, 0 },
	{ 'q', KEY_Q, 0 }, { 'r', KEY_R, 0 }, { 's', KEY_S, 0 }, { 't', KEY_T, 0 },
	{ 'u', KEY_U, 0 }, { 'v', KEY_V, 0 }, { 'w', KEY_W, 0 }, { 'x', KEY_X, 0 },
	{ 'y', KEY_Y, 0 }, { 'z', KEY_Z, 0 },
	{ 'A', KEY_A, 1 }, { 'B', KEY_B, 1 }, { 'C', KEY_C, 1 }, { 'D', KEY_D, 1 },
	{ 'E', KEY_E, 1 }, { 'F', KEY_F, 1 }, { 'G', KEY_G, 1 }, { 'H', KEY_H, 1 },
	{ 'I', KEY_I, 1 }, { 'J', KEY_J, 1 }, { 'K', KEY_K, 1 }, { 'L', KEY_L, 1 },
	{ 'M', KEY_M, 1 }, { 'N', KEY_N, 1 }, { 'O', KEY_O, 1 }, { 'P', KEY_P, 1 },
	{ 'Q', KEY_Q, 1 }, { 'R', KEY_R, 1 }, { 'S', KEY_S, 1 }, { 'T', KEY_T, 1 },
	{ 'U', KEY_U, 1 }, { 'V', KEY_V, 1 }, { 'W', KEY_W, 1 }, { 'X', KEY_X, 1 },
	{ 'Y', KEY_Y, 1 }, { 'Z', KEY_Z, 1 },
};

/* The table above covers each printable character 0x20-0x7e exactly once. */
UNIT_TEST(us_layout_table_covers_printable_ascii)
{
	unsigned seen[128] = { 0 };

	CHECK_EQ(sizeof(us_layout) / sizeof(us_layout[0]), 0x7f - 0x20);
	for (size_t i = 0; i < sizeof(us_layout) / sizeof(us_layout[0]); i++)
		seen[(uint8_t)us_layout[i].c]++;
	for (unsigned c = 0x20; c < 0x7f; c++)
		CHECK_EQ(seen[c], 1);
}

/* Every printable character: its key, with Left Shift around it when the US layout shifts it. */
UNIT_TEST(printable_ascii_types_its_us_key)
{
	for (size_t i = 0; i < sizeof(us_layout) / sizeof(us_layout[0]); i++) {
		uint8_t key = us_layout[i].key, plain[] = { K(key) }, shifted[] = { SHIFT(K(key)) };
		struct keymap k;

		keymap_init(&k);
		if (us_layout[i].shift)
			expect_codes(&k, &us_layout[i].c, 1, false, shifted, sizeof(shifted));
		else
			expect_codes(&k, &us_layout[i].c, 1, false, plain, sizeof(plain));
		CHECK(!keymap_pending(&k));
	}
}

/* A lower-case letter is its key alone. */
UNIT_TEST(lower_case_letter_is_the_key)
{
	EXPECT("q", K(0x10));
	EXPECT("a", K(0x1e));
	EXPECT("m", K(0x32));
}

/* An upper-case letter: Left Shift make, key make, key break, Shift break. */
UNIT_TEST(upper_case_letter_has_left_shift_around_it)
{
	EXPECT("A", 0x2a, 0x1e, 0x9e, 0xaa);
	EXPECT("Hi", SHIFT(K(KEY_H)), K(KEY_I));
}

/* Digits are the top row, unshifted; their shifted symbols take Shift. */
UNIT_TEST(digits_and_their_shifted_symbols)
{
	EXPECT("1234567890", K(2), K(3), K(4), K(5), K(6), K(7), K(8), K(9), K(10), K(11));
	EXPECT("!@#$%^&*()", SHIFT(K(2)), SHIFT(K(3)), SHIFT(K(4)), SHIFT(K(5)), SHIFT(K(6)),
	       SHIFT(K(7)), SHIFT(K(8)), SHIFT(K(9)), SHIFT(K(10)), SHIFT(K(11)));
}

UNIT_TEST(space_is_the_space_bar)
{
	EXPECT(" ", 0x39, 0xb9);
}

/* Raw mode: Enter sends CR; a pasted LF is Enter too. */
UNIT_TEST(cr_and_lf_are_enter)
{
	EXPECT("\r", 0x1c, 0x9c);
	EXPECT("\n", 0x1c, 0x9c);
}

/* xterm's Backspace sends DEL, others BS: both are Backspace. */
UNIT_TEST(del_and_bs_are_backspace)
{
	EXPECT("\x7f", 0x0e, 0x8e);
	EXPECT("\b", 0x0e, 0x8e);
}

UNIT_TEST(tab_is_tab)
{
	EXPECT("\t", 0x0f, 0x8f);
}

/* 0x01-0x1a other than BS, Tab, LF, CR: Left Ctrl around the letter. */
UNIT_TEST(control_bytes_are_ctrl_letters)
{
	for (uint8_t c = 0x01; c <= 0x1a; c++) {
		const char *letters = "abcdefghijklmnopqrstuvwxyz";
		uint8_t key = 0, want[4];
		struct keymap k;

		if (c == '\b' || c == '\t' || c == '\n' || c == '\r')
			continue;
		for (size_t i = 0; i < sizeof(us_layout) / sizeof(us_layout[0]); i++)
			if (us_layout[i].c == letters[c - 1])
				key = us_layout[i].key;
		want[0] = KEY_LEFTCTRL;
		want[1] = key;
		want[2] = key | 0x80;
		want[3] = KEY_LEFTCTRL | 0x80;
		keymap_init(&k);
		expect_codes(&k, (const char *)&c, 1, false, want, sizeof(want));
	}
	EXPECT("\x03", 0x1d, 0x2e, 0xae, 0x9d);		/* Ctrl-C */
}

/* Ctrl-A reaches us only as the console's Ctrl-A Ctrl-A: one 0x01 byte, one Ctrl+A. */
UNIT_TEST(ctrl_a_byte_is_one_ctrl_a)
{
	EXPECT("\x01", CTRL(K(KEY_A)));
}

/* NUL and 0x1c-0x1f: the Ctrl chords that the Linux console maps back to them. */
UNIT_TEST(other_control_bytes_are_ctrl_chords)
{
	EXPECT("\x00", CTRL(K(KEY_SPACE)));
	EXPECT("\x1c", CTRL(K(KEY_BACKSLASH)));
	EXPECT("\x1d", CTRL(K(KEY_RIGHTBRACE)));
	EXPECT("\x1e", CTRL(K(KEY_6)));
	EXPECT("\x1f", CTRL(K(KEY_MINUS)));
}

/* ---- ESC and timing ------------------------------------------------- */

/* A lone ESC waits; the silence after it makes it the Esc key. */
UNIT_TEST(lone_esc_waits_then_silence_makes_it_esc)
{
	struct keymap k;
	uint8_t out[KEYMAP_MAX_CODES];

	keymap_init(&k);
	CHECK_EQ(keymap_feed(&k, 0x1b, out), 0);
	CHECK(keymap_pending(&k));
	CHECK_EQ(keymap_flush(&k, out), 2);
	CHECK_EQ(out[0], KEY_ESC);
	CHECK_EQ(out[1], KEY_ESC | 0x80);
	CHECK(!keymap_pending(&k));
	CHECK_EQ(keymap_flush(&k, out), 0);
}

/* Silence with nothing pending types nothing. */
UNIT_TEST(flush_with_nothing_pending_is_empty)
{
	struct keymap k;
	uint8_t out[KEYMAP_MAX_CODES];

	keymap_init(&k);
	CHECK(!keymap_pending(&k));
	CHECK_EQ(keymap_flush(&k, out), 0);
	EXPECT_ON(&k, "x", K(KEY_X));
	CHECK_EQ(keymap_flush(&k, out), 0);
}

/* ESC then a key with silence between: two keys, Esc and the key. */
UNIT_TEST(esc_silence_key_is_esc_then_key)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_NOTHING(&k, "\x1b", false);
	CHECK(keymap_pending(&k));
	expect_codes(&k, "", 0, true, (const uint8_t[]){ K(KEY_ESC) }, 2);
	EXPECT_ON(&k, "a", K(KEY_A));
}

/* ESC then a printable at once (Meta sends Escape): Alt + that key. */
UNIT_TEST(esc_key_at_once_is_alt_key)
{
	EXPECT("\x1b" "a", ALT(K(KEY_A)));
	EXPECT("\x1b" "A", ALT(SHIFT(K(KEY_A))));
	EXPECT("\x1b" "?", ALT(SHIFT(K(KEY_SLASH))));
	EXPECT("\x1b" ".", ALT(K(KEY_DOT)));
	EXPECT("\x1b" " ", ALT(K(KEY_SPACE)));
	EXPECT("\x1b" "[", ALT(K(KEY_LEFTBRACE)));	/* after silence */
}

/* ESC then a control byte: Alt + Ctrl chord, Alt+Enter, Alt+Backspace, Alt+Tab. */
UNIT_TEST(esc_control_byte_is_alt_chord)
{
	EXPECT("\x1b\x03", CTRL(ALT(K(KEY_C))));
	EXPECT("\x1b\r", ALT(K(KEY_ENTER)));
	EXPECT("\x1b\x7f", ALT(K(KEY_BACKSPACE)));
	EXPECT("\x1b\t", ALT(K(KEY_TAB)));
}

/* ESC ESC: the first is an Esc of its own unless a sequence follows (rxvt's Alt form). */
UNIT_TEST(esc_esc_is_esc_then_what_follows)
{
	EXPECT("\x1b\x1b", K(KEY_ESC), K(KEY_ESC));
	EXPECT("\x1b\x1b\x1b", K(KEY_ESC), K(KEY_ESC), K(KEY_ESC));
	EXPECT("\x1b\x1b" "x", K(KEY_ESC), ALT(K(KEY_X)));
	EXPECT("\x1b\x1b[A", ALT(EXT(X_UP)));
	EXPECT("\x1b\x1bOD", ALT(EXT(X_LEFT)));
	EXPECT("\x1b\x1b[3~", ALT(EXT(X_DELETE)));
	EXPECT("\x1b\x1b[[A", ALT(K(KEY_F1)));
	EXPECT("\x1b\x1b[1;5A", CTRL(ALT(EXT(X_UP))));
}

/* ESC then a non-ASCII character: Esc, and the character is swallowed. */
UNIT_TEST(esc_then_utf8_is_esc_alone)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_ON(&k, "\x1b\xc3", K(KEY_ESC));
	EXPECT_NOTHING(&k, "\xa9", true);
	CHECK_EQ(k.utf8_dropped, 1);
}

/* ---- escape sequences ------------------------------------------------- */

/* Arrows: ESC [ A-D (normal cursor keys) and ESC O A-D (application mode). */
UNIT_TEST(arrows_in_both_cursor_key_modes)
{
	EXPECT("\x1b[A", 0xe0, 0x48, 0xe0, 0xc8);
	EXPECT("\x1b[B", EXT(X_DOWN));
	EXPECT("\x1b[C", EXT(X_RIGHT));
	EXPECT("\x1b[D", EXT(X_LEFT));
	EXPECT("\x1bOA", EXT(X_UP));
	EXPECT("\x1bOB", EXT(X_DOWN));
	EXPECT("\x1bOC", EXT(X_RIGHT));
	EXPECT("\x1bOD", EXT(X_LEFT));
}

/* Home and End: VT220 1~/4~, rxvt 7~/8~, xterm's ESC [ H/F and ESC O H/F. */
UNIT_TEST(home_and_end_in_every_form)
{
	EXPECT("\x1b[1~", EXT(X_HOME));
	EXPECT("\x1b[7~", EXT(X_HOME));
	EXPECT("\x1b[H", EXT(X_HOME));
	EXPECT("\x1bOH", EXT(X_HOME));
	EXPECT("\x1b[4~", EXT(X_END));
	EXPECT("\x1b[8~", EXT(X_END));
	EXPECT("\x1b[F", EXT(X_END));
	EXPECT("\x1bOF", EXT(X_END));
}

/* The editing keys: ESC [ 2~ Insert, 3~ Delete, 5~ PgUp, 6~ PgDn. */
UNIT_TEST(insert_delete_page_up_page_down)
{
	EXPECT("\x1b[2~", EXT(X_INSERT));
	EXPECT("\x1b[3~", EXT(X_DELETE));
	EXPECT("\x1b[5~", EXT(X_PGUP));
	EXPECT("\x1b[6~", EXT(X_PGDN));
}

/* F1-F4: ESC O P-S (xterm, VT100 PF1-PF4). */
UNIT_TEST(f1_to_f4_as_ss3)
{
	EXPECT("\x1bOP", K(KEY_F1));
	EXPECT("\x1bOQ", K(KEY_F2));
	EXPECT("\x1bOR", K(KEY_F3));
	EXPECT("\x1bOS", K(KEY_F4));
}

/* F1-F12 as ESC [ n ~ with the VT220 gaps: 11-15, 17-21, 23, 24. */
UNIT_TEST(f1_to_f12_as_tilde_sequences_with_gaps)
{
	EXPECT("\x1b[11~", K(KEY_F1));
	EXPECT("\x1b[12~", K(KEY_F2));
	EXPECT("\x1b[13~", K(KEY_F3));
	EXPECT("\x1b[14~", K(KEY_F4));
	EXPECT("\x1b[15~", K(KEY_F5));
	EXPECT("\x1b[17~", K(KEY_F6));
	EXPECT("\x1b[18~", K(KEY_F7));
	EXPECT("\x1b[19~", K(KEY_F8));
	EXPECT("\x1b[20~", K(KEY_F9));
	EXPECT("\x1b[21~", K(KEY_F10));
	EXPECT("\x1b[23~", K(KEY_F11));
	EXPECT("\x1b[24~", K(KEY_F12));
	EXPECT("\x1b[16~");
	EXPECT("\x1b[22~");
	EXPECT("\x1b[10~");
	EXPECT("\x1b[25~");
}

/* The Linux console's F1-F5: ESC [ [ A-E. */
UNIT_TEST(linux_console_f1_to_f5)
{
	EXPECT("\x1b[[A", K(KEY_F1));
	EXPECT("\x1b[[B", K(KEY_F2));
	EXPECT("\x1b[[C", K(KEY_F3));
	EXPECT("\x1b[[D", K(KEY_F4));
	EXPECT("\x1b[[E", K(KEY_F5));
	EXPECT("\x1b[[F");
}

/* xterm's modifier parameter 1 + Shift 1 + Alt 2 + Ctrl 4 on letter-final keys. */
UNIT_TEST(modifier_parameter_on_cursor_keys)
{
	EXPECT("\x1b[1;2A", SHIFT(EXT(X_UP)));
	EXPECT("\x1b[1;3B", ALT(EXT(X_DOWN)));
	EXPECT("\x1b[1;4C", ALT(SHIFT(EXT(X_RIGHT))));
	EXPECT("\x1b[1;5A", 0x1d, 0xe0, 0x48, 0xe0, 0xc8, 0x9d);
	EXPECT("\x1b[1;6D", CTRL(SHIFT(EXT(X_LEFT))));
	EXPECT("\x1b[1;7H", CTRL(ALT(EXT(X_HOME))));
	EXPECT("\x1b[1;8F", CTRL(ALT(SHIFT(EXT(X_END)))));
	EXPECT("\x1b[1;1A", EXT(X_UP));
	EXPECT("\x1b[;5A", CTRL(EXT(X_UP)));
	EXPECT("\x1b[1;2P", SHIFT(K(KEY_F1)));
	EXPECT("\x1b[1;5S", CTRL(K(KEY_F4)));
}

/* The same parameter on ~ keys: ESC [ 3;5~ is Ctrl+Delete, ESC [ 15;2~ Shift+F5. */
UNIT_TEST(modifier_parameter_on_tilde_keys)
{
	EXPECT("\x1b[3;5~", CTRL(EXT(X_DELETE)));
	EXPECT("\x1b[5;2~", SHIFT(EXT(X_PGUP)));
	EXPECT("\x1b[15;2~", SHIFT(K(KEY_F5)));
	EXPECT("\x1b[24;7~", CTRL(ALT(K(KEY_F12))));
}

/* Meta (bit 3) has no key on a PC/AT keyboard: dropped, the rest kept. */
UNIT_TEST(meta_modifier_bit_is_ignored)
{
	EXPECT("\x1b[1;9A", EXT(X_UP));
	EXPECT("\x1b[1;13A", CTRL(EXT(X_UP)));
	EXPECT("\x1b[1;16A", CTRL(ALT(SHIFT(EXT(X_UP)))));
}

/* Modified SS3 forms of older terminals: ESC O 5 A, ESC O 1;2 P. */
UNIT_TEST(modifier_parameter_on_ss3)
{
	EXPECT("\x1bO5A", CTRL(EXT(X_UP)));
	EXPECT("\x1bO2P", SHIFT(K(KEY_F1)));
	EXPECT("\x1bO1;2Q", SHIFT(K(KEY_F2)));
}

/* Shift+Tab sends ESC [ Z (back tab). */
UNIT_TEST(back_tab_is_shift_tab)
{
	EXPECT("\x1b[Z", SHIFT(K(KEY_TAB)));
}

/* rxvt: ESC [ a-d Shift+arrows, ESC O a-d Ctrl+arrows. */
UNIT_TEST(rxvt_modified_arrows)
{
	EXPECT("\x1b[a", SHIFT(EXT(X_UP)));
	EXPECT("\x1b[d", SHIFT(EXT(X_LEFT)));
	EXPECT("\x1bOb", CTRL(EXT(X_DOWN)));
	EXPECT("\x1bOc", CTRL(EXT(X_RIGHT)));
}

/* The application keypad types the main keys of the same characters (NumLock does not matter). */
UNIT_TEST(application_keypad_types_its_characters)
{
	EXPECT("\x1bOp", K(KEY_0));
	EXPECT("\x1bOy", K(KEY_9));
	EXPECT("\x1bOM", K(KEY_ENTER));
	EXPECT("\x1bOj", SHIFT(K(KEY_8)));
	EXPECT("\x1bOk", SHIFT(K(KEY_EQUAL)));
	EXPECT("\x1bOm", K(KEY_MINUS));
	EXPECT("\x1bOn", K(KEY_DOT));
	EXPECT("\x1bOo", K(KEY_SLASH));
	EXPECT("\x1bOX", K(KEY_EQUAL));
}

/* Unknown complete sequences are swallowed whole, counted, and what follows is typed. */
UNIT_TEST(unknown_sequences_are_swallowed_whole)
{
	static const char *const unknown[] = {
		"\x1b[200~",		/* bracketed paste start */
		"\x1b[?1;2c",		/* device attributes reply */
		"\x1b[>0;136;0c",
		"\x1b[12;5R",		/* cursor position report, not Ctrl+F3 */
		"\x1b[99~",
		"\x1b[1;17A",		/* modifier out of range */
		"\x1b[1;2;3A",
		"\x1b[1$x",		/* an intermediate */
		"\x1b[1:2A",		/* a sub-parameter */
		"\x1b[E",		/* keypad 5 (begin): no key chosen */
		"\x1b[5A",
		"\x1b[~",
		"\x1b[1a",
		"\x1bOz",
		"\x1bO1;2;3P",
		"\x1b[[1A",		/* not the Linux console's */
		"\x1b[[Z",
		"\x1b[1111~",
		"\x1b[1;2222A",
		"\x1b[123456789012345678901234567890~",	/* longer than the buffer */
	};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		struct keymap k;

		keymap_init(&k);
		expect_codes(&k, unknown[i], strlen(unknown[i]), false, NULL, 0);
		CHECK(!keymap_pending(&k));
		CHECK_EQ(k.unknown_seqs, 1);
		EXPECT_ON(&k, "a", K(KEY_A));
	}
}

/* ---- partial and broken sequences ----------------------------------- */

/* Silence after ESC [ or ESC O: it was Alt+[ or Alt+Shift+O, and the next byte is a key of its own. */
UNIT_TEST(silence_after_introducer_types_alt_key)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_NOTHING(&k, "\x1b[", false);
	CHECK(keymap_pending(&k));
	expect_codes(&k, "", 0, true, (const uint8_t[]){ ALT(K(KEY_LEFTBRACE)) }, 4);
	EXPECT_ON(&k, "A", SHIFT(K(KEY_A)));		/* not Up */
	EXPECT("\x1bO", ALT(SHIFT(K(KEY_O))));
}

/* Silence inside a sequence: its bytes typed, the ESC as Alt on the byte after it. */
UNIT_TEST(silence_inside_sequence_types_its_bytes)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_NOTHING(&k, "\x1b[1;5", false);
	CHECK(keymap_pending(&k));
	expect_codes(&k, "", 0, true,
		     (const uint8_t[]){ ALT(K(KEY_LEFTBRACE)), K(KEY_1), K(KEY_SEMICOLON), K(KEY_5) },
		     10);
	EXPECT("\x1b[[", ALT(K(KEY_LEFTBRACE)), K(KEY_LEFTBRACE));
	EXPECT("\x1bO2", ALT(SHIFT(K(KEY_O))), K(KEY_2));
	EXPECT("\x1b\x1b[", K(KEY_ESC), ALT(K(KEY_LEFTBRACE)));
	EXPECT("\x1b[1;:", ALT(K(KEY_LEFTBRACE)), K(KEY_1), K(KEY_SEMICOLON),
	       SHIFT(K(KEY_SEMICOLON)));
}

/* A partial sequence too long to type within KEYMAP_MAX_CODES is swallowed at the silence. */
UNIT_TEST(silence_inside_long_sequence_swallows_it)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_NOTHING(&k, "\x1b[12345", true);
	CHECK_EQ(k.unknown_seqs, 1);
	keymap_init(&k);
	EXPECT_NOTHING(&k, "\x1b[[1", true);		/* swallowing to a final byte */
	CHECK_EQ(k.unknown_seqs, 1);
	EXPECT("\x1b[1234", ALT(K(KEY_LEFTBRACE)), K(KEY_1), K(KEY_2), K(KEY_3), K(KEY_4));
}

/* A byte that cannot continue a sequence breaks it: the sequence is typed, then the byte. */
UNIT_TEST(sequence_broken_by_a_control_byte)
{
	EXPECT("\x1b[1\r", ALT(K(KEY_LEFTBRACE)), K(KEY_1), K(KEY_ENTER));
	EXPECT("\x1bO\x03", ALT(SHIFT(K(KEY_O))), CTRL(K(KEY_C)));
	EXPECT("\x1b[[\x7f", ALT(K(KEY_LEFTBRACE)), K(KEY_LEFTBRACE), K(KEY_BACKSPACE));
	/* a new ESC starts over */
	EXPECT("\x1b[\x1b[A", ALT(K(KEY_LEFTBRACE)), EXT(X_UP));
	/* a non-ASCII character is swallowed */
	EXPECT("\x1b[2\xc3\xa9", ALT(K(KEY_LEFTBRACE)), K(KEY_2));
}

/* Sequences arriving in pieces, with no silence between, decode as a whole. */
UNIT_TEST(sequence_split_across_reads_still_decodes)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_NOTHING(&k, "\x1b", false);
	EXPECT_NOTHING(&k, "[", false);
	EXPECT_NOTHING(&k, "2", false);
	EXPECT_NOTHING(&k, "4", false);
	EXPECT_ON(&k, "~", K(KEY_F12));
	CHECK(!keymap_pending(&k));
	EXPECT("\x1b[Aabc\x1bOB", EXT(X_UP), K(KEY_A), K(KEY_B), K(KEY_C), EXT(X_DOWN));
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* A non-ASCII character has no US key: swallowed whole, counted. */
UNIT_TEST(utf8_characters_are_swallowed_and_counted)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_NOTHING(&k, "\xc3", false);		/* é */
	CHECK(keymap_pending(&k));
	EXPECT_NOTHING(&k, "\xa9", false);
	CHECK(!keymap_pending(&k));
	EXPECT_NOTHING(&k, "\xe2\x82\xac", false);	/* € */
	EXPECT_NOTHING(&k, "\xf0\x9f\x98\x80", false);	/* U+1F600 */
	CHECK_EQ(k.utf8_dropped, 3);
	EXPECT_ON(&k, "a\xc3\xa9z", K(KEY_A), K(KEY_Z));
	CHECK_EQ(k.utf8_dropped, 4);
	CHECK_EQ(k.unknown_seqs, 0);
}

/* Bytes that are never UTF-8 lead bytes, and stray continuation bytes, are swallowed one by one. */
UNIT_TEST(invalid_utf8_bytes_are_swallowed)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_NOTHING(&k, "\x80\xbf\xc0\xc1\xf5\xff", false);
	CHECK(!keymap_pending(&k));
	CHECK_EQ(k.utf8_dropped, 6);
}

/* A character cut short: dropped, and the byte that cut it is typed. */
UNIT_TEST(utf8_character_cut_short)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_ON(&k, "\xe2\x82" "a", K(KEY_A));
	CHECK_EQ(k.utf8_dropped, 1);
	EXPECT_ON(&k, "\xc3\x1b[A", EXT(X_UP));
	CHECK_EQ(k.utf8_dropped, 2);
	EXPECT_NOTHING(&k, "\xf0\x9f", true);		/* silence */
	CHECK_EQ(k.utf8_dropped, 3);
}

/* ---- bounds and balance --------------------------------------------- */

/*
 * From every state a short prefix reaches, each of the 256 bytes and
 * then silence: never more than KEYMAP_MAX_CODES codes, every key made
 * is broken within the call (check_call), nothing left out for room.
 */
UNIT_TEST(output_never_exceeds_max_codes)
{
	static const char *const prefixes[] = {
		"", "\x1b", "\x1b\x1b", "\x1b[", "\x1bO", "\x1b[[", "\x1b\x1b[", "\x1b\x1bO",
		"\x1b\x1bO:<>?", "\x1b\x1b[?:<>", "\x1b\x1bO?", "\x1b[1;5", "\x1bO1;8",
		"\x1b[123456789012", "\x1b[1234567890123", "\xc3", "\xe2\x82", "\xf0\x9f\x98",
		"\x1b[[;", "\x1b\x1b[[",
	};
	size_t most = 0;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		for (unsigned b = 0; b < 256; b++) {
			uint8_t out[64 * KEYMAP_MAX_CODES];
			size_t n;
			struct keymap k;

			keymap_init(&k);
			type(&k, prefixes[i], strlen(prefixes[i]), false, out);
			n = keymap_feed(&k, (uint8_t)b, out);
			check_call(out, n);
			most = n > most ? n : most;
			n = keymap_flush(&k, out);
			check_call(out, n);
			most = n > most ? n : most;
			CHECK_EQ(k.overflows, 0);
			CHECK(!keymap_pending(&k));
		}
	}
	printf("  most codes in one call: %zu of %d\n", most, KEYMAP_MAX_CODES);
	CHECK(most <= KEYMAP_MAX_CODES);
}

/* keymap_init() forgets a pending sequence and clears the counts. */
UNIT_TEST(init_forgets_everything)
{
	struct keymap k;

	keymap_init(&k);
	EXPECT_NOTHING(&k, "\x1b[99~\xc3\xa9\x1b[1", false);
	CHECK(keymap_pending(&k));
	keymap_init(&k);
	CHECK(!keymap_pending(&k));
	CHECK_EQ(k.unknown_seqs, 0);
	CHECK_EQ(k.utf8_dropped, 0);
	EXPECT_ON(&k, "A", SHIFT(K(KEY_A)));
}

int main(void)
{
	return unit_run_all();
}
