// SPDX-License-Identifier: MIT
/*
 * The VGA screen as terminal bytes (vmm/screen.h): one rule per test.
 */
#include "screen.h"
#include "unit.h"

static struct screen term;
static struct vga_screen frame;
static uint8_t out[SCREEN_OUT_MAX + 1];
static size_t len;

/* A blank screen (spaces, light grey on black), cursor at the top left. */
static void blank(void)
{
	for (unsigned r = 0; r < VGA_TEXT_ROWS; r++) {
		for (unsigned c = 0; c < VGA_TEXT_COLS; c++)
			frame.cells[r][c] = (struct vga_cell){ ' ', 0x07 };
	}
	frame.cursor_row = frame.cursor_col = 0;
	frame.cursor_visible = true;
	frame.blink = true;
}

static void start(void)
{
	screen_init(&term);
	blank();
	len = screen_update(&term, &frame, out);
}

static void update(void)
{
	len = screen_update(&term, &frame, out);
	out[len] = '\0';
}

static bool has(const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(out + i, needle, n) == 0)
			return true;
	}
	return false;
}

/* The first frame clears the terminal and draws every cell. */
UNIT_TEST(first_frame_clears_and_draws_everything)
{
	screen_init(&term);
	blank();
	frame.cells[24][79].ch = 'Z';
	update();
	CHECK(has("\x1b[0m\x1b[H\x1b[2J"));
	CHECK(has("\x1b[0;37;40m"));
	CHECK(has("Z"));
	CHECK(len > VGA_TEXT_ROWS * VGA_TEXT_COLS);
}

/* Nothing changed: nothing to write. */
UNIT_TEST(unchanged_frame_writes_nothing)
{
	start();
	update();
	CHECK_EQ(len, 0);
}

/* One changed cell: the cursor goes there, the glyph, the cursor back. */
UNIT_TEST(one_cell_changed_is_a_small_update)
{
	start();
	frame.cells[3][7].ch = 'x';
	update();
	CHECK(has("\x1b[4;8Hx"));
	CHECK(has("\x1b[1;1H"));	/* the hardware cursor back where it was */
	CHECK(len < 40);
}

/* VGA's colour order is mapped to ANSI's: red on blue is SGR 31;44. */
UNIT_TEST(red_on_blue_maps_to_31_44)
{
	start();
	frame.cells[0][0] = (struct vga_cell){ 'R', 0x14 };
	update();
	CHECK(has("\x1b[0;31;44mR"));
}

/* Every colour: bits 0-2 of the VGA colour are blue, green, red. */
UNIT_TEST(all_eight_colours_map)
{
	static const char *const fg[8] = { "30", "34", "32", "36", "31", "35", "33", "37" };
	char want[24];

	for (unsigned c = 0; c < 8; c++) {
		start();
		frame.cells[0][0] = (struct vga_cell){ 'c', (uint8_t)(0x10 | c) };	/* on blue */
		update();
		snprintf(want, sizeof(want), "\x1b[0;%s;44mc", fg[c]);
		CHECK(has(want));
	}
}

/* Bright foregrounds are 90-97; bit 7 blinks (SGR 5) when blink is on. */
UNIT_TEST(bright_foreground_and_blink)
{
	start();
	frame.cells[0][0] = (struct vga_cell){ 'b', 0x9e };	/* yellow on blue, blinking */
	update();
	CHECK(has("\x1b[0;5;93;44mb"));
}

/* With blink off, bit 7 is a bright background (100-107). */
UNIT_TEST(bright_background_when_blink_off)
{
	start();
	frame.blink = false;
	frame.cells[0][0] = (struct vga_cell){ 'b', 0x9e };
	update();
	CHECK(has("\x1b[0;93;104mb"));
}

/* The SGR is repeated only when the attribute changes. */
UNIT_TEST(same_attribute_one_sgr)
{
	start();
	frame.cells[2][0] = (struct vga_cell){ 'a', 0x14 };
	frame.cells[2][1] = (struct vga_cell){ 'b', 0x14 };
	update();
	CHECK(has("\x1b[0;31;44mab"));
}

/* CP437 glyphs go out as UTF-8: box drawing, blocks, symbols, 0 as a space. */
UNIT_TEST(cp437_to_utf8)
{
	start();
	frame.cells[0][0].ch = 0xc9;	/* double top-left corner */
	frame.cells[0][1].ch = 0xdb;	/* full block */
	frame.cells[0][2].ch = 0x01;	/* smiley */
	frame.cells[0][4].ch = 0x82;	/* e acute */
	update();
	CHECK(has("\xe2\x95\x94\xe2\x96\x88\xe2\x98\xba"));
	CHECK(has("\xc3\xa9"));
	CHECK_EQ(screen_cp437(0x00), ' ');
	CHECK_EQ(screen_cp437('A'), 'A');
	CHECK_EQ(screen_cp437(0xb3), 0x2502);
	CHECK_EQ(screen_cp437(0x7f), 0x2302);
	CHECK_EQ(screen_cp437(0xff), 0x00a0);
}

/* Whatever the guest writes, no control byte of its own reaches the terminal. */
UNIT_TEST(guest_bytes_never_become_control_sequences)
{
	start();
	for (unsigned r = 0; r < VGA_TEXT_ROWS; r++) {
		for (unsigned c = 0; c < VGA_TEXT_COLS; c++)
			frame.cells[r][c].ch = (uint8_t)(r * VGA_TEXT_COLS + c);
	}
	update();
	for (size_t i = 0; i < len; i++) {
		CHECK(out[i] >= 0x20 || out[i] == 0x1b);
		if (out[i] == 0x1b)
			CHECK_EQ(out[i + 1], '[');
		CHECK(out[i] != 0x7f);
		CHECK(out[i] < 0x80 || out[i] >= 0xc0 || i > 0);	/* UTF-8 only */
	}
}

/* The cursor goes where the CRTC says, and hides when it is off. */
UNIT_TEST(cursor_shown_where_the_crtc_says)
{
	start();
	frame.cursor_row = 5;
	frame.cursor_col = 10;
	update();
	CHECK(has("\x1b[6;11H"));
	frame.cursor_visible = false;
	update();
	CHECK(has("\x1b[?25l"));
	CHECK(!has("\x1b[?25h"));
	frame.cursor_visible = true;
	update();
	CHECK(has("\x1b[?25h"));
}

/* Worst case: every other cell changes, with alternating attributes. */
UNIT_TEST(worst_case_fits_screen_out_max)
{
	start();
	for (unsigned r = 0; r < VGA_TEXT_ROWS; r++) {
		for (unsigned c = 0; c < VGA_TEXT_COLS; c += 2)
			frame.cells[r][c] = (struct vga_cell){ 0xc9, (uint8_t)(c % 4 ? 0xff : 0xf7) };
	}
	frame.cursor_row = 24;
	frame.cursor_col = 79;
	update();
	CHECK(len <= SCREEN_OUT_MAX);
	CHECK(len > VGA_TEXT_ROWS * VGA_TEXT_COLS / 2 * 15);
}

/* At exit: attributes reset, the cursor below the screen and visible. */
UNIT_TEST(finish_leaves_the_terminal_usable)
{
	screen_init(&term);
	len = screen_finish(&term, out);
	CHECK_EQ(len, 0);	/* nothing drawn: nothing to undo */
	start();
	len = screen_finish(&term, out);
	out[len] = '\0';
	CHECK(has("\x1b[0m"));
	CHECK(has("\x1b[25;1H\r\n\x1b[?25h"));
}

int main(void)
{
	return unit_run_all();
}
