// SPDX-License-Identifier: MIT
/*
 * The VGA text screen as terminal output (screen.h).
 */
#include "screen.h"

#include <stdio.h>
#include <string.h>

/*
 * Code page 437, the VGA's ROM font: the glyph of every byte.  0x00 is
 * blank on a VGA; 0x01-0x1f and 0x7f are the symbols the font draws, not
 * control characters.  0x80-0xff as Unicode's mapping (and Python's cp437
 * codec) gives them.
 */
static const uint16_t screen_cp437_table[256] = {
	0x0020, 0x263a, 0x263b, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022,
	0x25d8, 0x25cb, 0x25d9, 0x2642, 0x2640, 0x266a, 0x266b, 0x263c,
	0x25ba, 0x25c4, 0x2195, 0x203c, 0x00b6, 0x00a7, 0x25ac, 0x21a8,
	0x2191, 0x2193, 0x2192, 0x2190, 0x221f, 0x2194, 0x25b2, 0x25bc,
	0x0020, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025, 0x0026, 0x0027,
	0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
	0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f,
	0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	0x0058, 0x0059, 0x005a, 0x005b, 0x005c, 0x005d, 0x005e, 0x005f,
	0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
	0x0078, 0x0079, 0x007a, 0x007b, 0x007c, 0x007d, 0x007e, 0x2302,
	0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
	0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
	0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
	0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
	0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
	0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
	0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
	0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
	0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
	0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
	0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
	0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
	0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

uint16_t screen_cp437(uint8_t ch)
{
	return screen_cp437_table[ch];
}

/* VGA colour number (bit 0 blue, 1 green, 2 red) -> ANSI (bit 0 red, 1 green, 2 blue). */
static const uint8_t screen_vga_to_ansi[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

/* A bounded writer: never past SCREEN_OUT_MAX, whatever the frame. */
struct screen_out {
	uint8_t *buf;
	size_t len;
};

static void out_bytes(struct screen_out *o, const void *p, size_t n)
{
	if (n > SCREEN_OUT_MAX - o->len)
		n = SCREEN_OUT_MAX - o->len;	/* cannot happen: SCREEN_OUT_MAX is the worst case */
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void out_str(struct screen_out *o, const char *str)
{
	out_bytes(o, str, strlen(str));
}

static void out_cp(struct screen_out *o, uint16_t cp)
{
	uint8_t b[3];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	}
	out_bytes(o, b, n);
}

/* The cursor to (row, col), 0-based, with CUP (1-based). */
static void out_goto(struct screen_out *o, struct screen *s, int row, int col)
{
	char seq[32];	/* room for any two ints: gcc -O0 cannot see row < 25 */

	snprintf(seq, sizeof(seq), "\x1b[%d;%dH", row + 1, col + 1);
	out_str(o, seq);
	s->row = row;
	s->col = col;
}

/* What a cell's attribute looks like: foreground, background (with bright), blink. */
static int screen_style(uint8_t attr, bool blink_mode)
{
	int fg = attr & 0x0f, bg = (attr >> 4) & 0x07;
	bool bit7 = (attr & 0x80) != 0;

	if (bit7 && !blink_mode)
		bg |= 0x08;
	return fg | bg << 4 | (bit7 && blink_mode) << 8;
}

static void out_sgr(struct screen_out *o, int style)
{
	int fg = style & 0x0f, bg = (style >> 4) & 0x0f;
	char seq[24];

	snprintf(seq, sizeof(seq), "\x1b[0%s;%d;%dm", (style & 0x100) ? ";5" : "",
		 (fg & 8 ? 90 : 30) + screen_vga_to_ansi[fg & 7],
		 (bg & 8 ? 100 : 40) + screen_vga_to_ansi[bg & 7]);
	out_str(o, seq);
}

void screen_init(struct screen *s)
{
	memset(s, 0, sizeof(*s));
	s->style = -1;
	s->row = s->col = -1;
}

static bool cell_changed(const struct screen *s, const struct vga_screen *next, int r, int c)
{
	const struct vga_cell *a = &s->shown.cells[r][c], *b = &next->cells[r][c];

	if (!s->drawn)
		return true;
	if (a->ch != b->ch)
		return true;
	return screen_style(a->attr, s->shown.blink) != screen_style(b->attr, next->blink);
}

size_t screen_update(struct screen *s, const struct vga_screen *next, uint8_t *out)
{
	struct screen_out o = { .buf = out, .len = 0 };
	bool any = !s->drawn;

	for (int r = 0; r < VGA_TEXT_ROWS && !any; r++) {
		for (int c = 0; c < VGA_TEXT_COLS && !any; c++)
			any = cell_changed(s, next, r, c);
	}
	if (any && (s->cursor_shown || !s->drawn)) {
		out_str(&o, "\x1b[?25l");	/* no cursor flickering over the redraw */
		s->cursor_shown = false;
	}
	if (!s->drawn) {
		out_str(&o, "\x1b[0m\x1b[H\x1b[2J");
		s->style = -1;
		s->row = s->col = 0;
	}
	for (int r = 0; r < VGA_TEXT_ROWS && any; r++) {
		for (int c = 0; c < VGA_TEXT_COLS; c++) {
			const struct vga_cell *cell = &next->cells[r][c];
			int style;

			if (!cell_changed(s, next, r, c))
				continue;
			if (s->row != r || s->col != c)
				out_goto(&o, s, r, c);
			style = screen_style(cell->attr, next->blink);
			if (style != s->style) {
				out_sgr(&o, style);
				s->style = style;
			}
			out_cp(&o, screen_cp437_table[cell->ch]);
			/* After the last column terminals differ (pending wrap):
			 * position explicitly next time. */
			s->col = c + 1 < VGA_TEXT_COLS ? c + 1 : -1;
		}
	}
	if (next->cursor_visible) {
		if (s->row != next->cursor_row || s->col != next->cursor_col)
			out_goto(&o, s, next->cursor_row, next->cursor_col);
		if (!s->cursor_shown)
			out_str(&o, "\x1b[?25h");
		s->cursor_shown = true;
	} else if (s->cursor_shown) {
		out_str(&o, "\x1b[?25l");
		s->cursor_shown = false;
	}
	s->shown = *next;
	s->drawn = true;
	return o.len;
}

size_t screen_finish(struct screen *s, uint8_t *out)
{
	struct screen_out o = { .buf = out, .len = 0 };

	if (!s->drawn)
		return 0;
	/* The last row, then a newline: the line below it, scrolling if the
	 * terminal has no more rows. */
	out_str(&o, "\x1b[0m");
	out_goto(&o, s, VGA_TEXT_ROWS - 1, 0);
	out_str(&o, "\r\n\x1b[?25h");
	s->style = -1;
	s->row = s->col = -1;
	s->cursor_shown = true;
	return o.len;
}
