// SPDX-License-Identifier: MIT
/*
 * The VGA text registers and screen (devices/vga_text.h): one rule per
 * test, from IBM's VGA Technical Reference unless it says otherwise.
 */
#include "unit.h"
#include "vga_text.h"

static struct vga_text vga;
static uint8_t window[VGA_TEXT_WINDOW_SIZE];
static struct vga_screen scr;

static void fresh(void)
{
	vga_text_init(&vga);
	memset(window, 0, sizeof(window));
}

static void crtc_set(uint8_t index, uint8_t value)
{
	vga_text_write(&vga, VGA_CRTC_INDEX, index);
	vga_text_write(&vga, VGA_CRTC_DATA, value);
}

static uint8_t crtc_get(uint8_t index)
{
	vga_text_write(&vga, VGA_CRTC_INDEX, index);
	return vga_text_read(&vga, VGA_CRTC_DATA);
}

static void cursor_at(unsigned pos)
{
	crtc_set(VGA_CRTC_CURSOR_HI, (uint8_t)(pos >> 8));
	crtc_set(VGA_CRTC_CURSOR_LO, (uint8_t)pos);
}

/* Power-on is mode 3 as a BIOS leaves it: colour I/O, underline cursor. */
UNIT_TEST(power_on_is_mode_3)
{
	fresh();
	CHECK_EQ(vga_text_read(&vga, VGA_MISC_READ), 0x67);
	CHECK_EQ(crtc_get(VGA_CRTC_CURSOR_START), 0x0d);
	CHECK_EQ(crtc_get(VGA_CRTC_CURSOR_END), 0x0e);
	vga_text_write(&vga, VGA_ATTR_INDEX, VGA_ATTR_PAS | VGA_ATTR_MODE);
	CHECK_EQ(vga_text_read(&vga, VGA_ATTR_DATA_READ), 0x0c);	/* blink on */
	vga_text_render(&vga, window, &scr);
	CHECK(scr.cursor_visible);
	CHECK(scr.blink);
}

/* CRTC registers are written through the index and read back. */
UNIT_TEST(crtc_index_and_data_read_back)
{
	fresh();
	crtc_set(VGA_CRTC_START_HI, 0x12);
	crtc_set(VGA_CRTC_START_LO, 0x34);
	CHECK_EQ(crtc_get(VGA_CRTC_START_HI), 0x12);
	CHECK_EQ(crtc_get(VGA_CRTC_START_LO), 0x34);
	CHECK_EQ(vga_text_read(&vga, VGA_CRTC_INDEX), VGA_CRTC_START_LO);
	CHECK_EQ(crtc_get(0x30), 0xff);	/* no such register */
}

/* Vertical retrace end bit 7 protects registers 0-7 (but overflow bit 4). */
UNIT_TEST(crtc_write_protect_covers_registers_0_to_7)
{
	fresh();
	CHECK(crtc_get(VGA_CRTC_VSYNC_END) & VGA_CRTC_PROTECT);
	crtc_set(0x01, 0x20);
	CHECK_EQ(crtc_get(0x01), 0x4f);
	crtc_set(VGA_CRTC_OVERFLOW, 0x00);
	CHECK_EQ(crtc_get(VGA_CRTC_OVERFLOW), 0x1f & ~VGA_CRTC_OVERFLOW_LC8);
	crtc_set(VGA_CRTC_VSYNC_END, 0x0e);
	crtc_set(0x01, 0x20);
	CHECK_EQ(crtc_get(0x01), 0x20);
}

/* The CRTC answers at 0x3Dx with I/O address select 1, at 0x3Bx with 0. */
UNIT_TEST(mono_addresses_follow_misc_io_select)
{
	fresh();
	vga_text_write(&vga, VGA_CRTC_INDEX_MONO, VGA_CRTC_CURSOR_LO);
	vga_text_write(&vga, VGA_CRTC_DATA_MONO, 0x55);
	CHECK_EQ(vga_text_read(&vga, VGA_CRTC_DATA_MONO), 0xff);
	CHECK_EQ(crtc_get(VGA_CRTC_CURSOR_LO), 0x00);
	vga_text_write(&vga, VGA_MISC_WRITE, 0x66);
	vga_text_write(&vga, VGA_CRTC_INDEX_MONO, VGA_CRTC_CURSOR_LO);
	vga_text_write(&vga, VGA_CRTC_DATA_MONO, 0x55);
	CHECK_EQ(vga_text_read(&vga, VGA_CRTC_DATA_MONO), 0x55);
	CHECK_EQ(vga_text_read(&vga, VGA_CRTC_DATA), 0xff);
	CHECK_EQ(vga_text_read(&vga, VGA_MISC_READ), 0x66);
}

/* Input status 1: retrace bits change on every read, so waits end. */
UNIT_TEST(input_status_1_toggles_retrace)
{
	uint8_t a, b;

	fresh();
	a = vga_text_read(&vga, VGA_INPUT_STATUS1);
	b = vga_text_read(&vga, VGA_INPUT_STATUS1);
	CHECK_EQ((a ^ b) & (VGA_IS1_VR | VGA_IS1_DD), VGA_IS1_VR | VGA_IS1_DD);
}

/* The attribute controller's flip-flop: index, data, index...; IS1 resets it. */
UNIT_TEST(attribute_flip_flop_and_reset_by_is1)
{
	fresh();
	vga_text_write(&vga, VGA_ATTR_INDEX, VGA_ATTR_PAS | 0x11);
	vga_text_write(&vga, VGA_ATTR_INDEX, 0x05);	/* data: overscan */
	CHECK_EQ(vga_text_read(&vga, VGA_ATTR_DATA_READ), 0x05);
	vga_text_write(&vga, VGA_ATTR_INDEX, VGA_ATTR_PAS | 0x12);	/* index again */
	CHECK_EQ(vga_text_read(&vga, VGA_ATTR_INDEX), VGA_ATTR_PAS | 0x12);
	/* Now the flip-flop expects data; an IS1 read makes it expect an index. */
	vga_text_read(&vga, VGA_INPUT_STATUS1);
	vga_text_write(&vga, VGA_ATTR_INDEX, VGA_ATTR_PAS | 0x11);
	vga_text_write(&vga, VGA_ATTR_INDEX, 0x07);
	CHECK_EQ(vga_text_read(&vga, VGA_ATTR_DATA_READ), 0x07);
}

/* Mode control bit 3 selects blink (1) or bright backgrounds (0). */
UNIT_TEST(attribute_mode_blink_bit)
{
	fresh();
	vga_text_read(&vga, VGA_INPUT_STATUS1);
	vga_text_write(&vga, VGA_ATTR_INDEX, VGA_ATTR_PAS | VGA_ATTR_MODE);
	vga_text_write(&vga, VGA_ATTR_INDEX, 0x04);
	vga_text_render(&vga, window, &scr);
	CHECK(!scr.blink);
}

/* Sequencer and graphics controller registers are stored and read back. */
UNIT_TEST(sequencer_and_graphics_read_back)
{
	fresh();
	vga_text_write(&vga, VGA_SEQ_INDEX, 0x02);
	vga_text_write(&vga, VGA_SEQ_DATA, 0x0f);
	CHECK_EQ(vga_text_read(&vga, VGA_SEQ_DATA), 0x0f);
	vga_text_write(&vga, VGA_GC_INDEX, 0x06);
	CHECK_EQ(vga_text_read(&vga, VGA_GC_DATA), 0x0e);
	vga_text_write(&vga, VGA_GC_DATA, 0x05);
	CHECK_EQ(vga_text_read(&vga, VGA_GC_DATA), 0x05);
	CHECK_EQ(vga_text_read(&vga, VGA_GC_INDEX), 0x06);
}

/* DAC: R, G, B per entry, auto-increment, 6 bits; state shows the last mode. */
UNIT_TEST(dac_write_then_read_entries)
{
	fresh();
	vga_text_write(&vga, VGA_DAC_WRITE_INDEX, 0x10);
	for (unsigned i = 0; i < 6; i++)
		vga_text_write(&vga, VGA_DAC_DATA, (uint8_t)(0x40 | i));
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_WRITE_INDEX), 0x12);
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_READ_INDEX), 0x00);
	vga_text_write(&vga, VGA_DAC_READ_INDEX, 0x11);
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_READ_INDEX), 0x03);
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_DATA), 0x03);
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_DATA), 0x04);
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_DATA), 0x05);
	/* Power-on: entry 4 is the EGA's red (0x2a, 0, 0). */
	vga_text_write(&vga, VGA_DAC_READ_INDEX, 0x04);
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_DATA), 0x2a);
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_DATA), 0x00);
	CHECK_EQ(vga_text_read(&vga, VGA_DAC_DATA), 0x00);
}

/* The screen is character/attribute pairs, 160 bytes a row, from the start address. */
UNIT_TEST(render_reads_cells_from_the_start_address)
{
	fresh();
	window[0] = 'A';
	window[1] = 0x14;
	window[2 * 81] = 'B';
	window[2 * 81 + 1] = 0x07;
	vga_text_render(&vga, window, &scr);
	CHECK_EQ(scr.cells[0][0].ch, 'A');
	CHECK_EQ(scr.cells[0][0].attr, 0x14);
	CHECK_EQ(scr.cells[1][1].ch, 'B');
	crtc_set(VGA_CRTC_START_LO, 80);	/* one row down */
	vga_text_render(&vga, window, &scr);
	CHECK_EQ(scr.cells[0][1].ch, 'B');
}

/* A start address near the end wraps around the 32 KiB window. */
UNIT_TEST(render_wraps_at_the_window_end)
{
	unsigned start = VGA_TEXT_WINDOW_SIZE / 2 - 40;	/* words */

	fresh();
	window[0] = 'W';
	crtc_set(VGA_CRTC_START_HI, (uint8_t)(start >> 8));
	crtc_set(VGA_CRTC_START_LO, (uint8_t)start);
	vga_text_render(&vga, window, &scr);
	CHECK_EQ(scr.cells[0][40].ch, 'W');
}

/* Cursor location is a word address; the cell is (location - start). */
UNIT_TEST(cursor_position_relative_to_start)
{
	fresh();
	cursor_at(5 * 80 + 10);
	vga_text_render(&vga, window, &scr);
	CHECK(scr.cursor_visible);
	CHECK_EQ(scr.cursor_row, 5);
	CHECK_EQ(scr.cursor_col, 10);
	crtc_set(VGA_CRTC_START_LO, 80);
	vga_text_render(&vga, window, &scr);
	CHECK_EQ(scr.cursor_row, 4);
	cursor_at(0);	/* above the shown cells */
	vga_text_render(&vga, window, &scr);
	CHECK(!scr.cursor_visible);
	crtc_set(VGA_CRTC_START_LO, 0);
	cursor_at(2000);	/* below them */
	vga_text_render(&vga, window, &scr);
	CHECK(!scr.cursor_visible);
}

/* Cursor start bit 5 turns the cursor off (vgacon, OSDev); so does start > end. */
UNIT_TEST(cursor_disable)
{
	fresh();
	crtc_set(VGA_CRTC_CURSOR_START, 0x20);
	vga_text_render(&vga, window, &scr);
	CHECK(!scr.cursor_visible);
	crtc_set(VGA_CRTC_CURSOR_START, 0x00);
	crtc_set(VGA_CRTC_CURSOR_END, 0x0f);
	vga_text_render(&vga, window, &scr);
	CHECK(scr.cursor_visible);
	crtc_set(VGA_CRTC_CURSOR_START, 0x0e);
	crtc_set(VGA_CRTC_CURSOR_END, 0x0d);
	vga_text_render(&vga, window, &scr);
	CHECK(!scr.cursor_visible);
}

/* Only writes that move what the screen shows count as display changes. */
UNIT_TEST(display_changes_count_visible_register_writes)
{
	uint32_t before;

	fresh();
	before = vga.display_changes;
	vga_text_write(&vga, VGA_SEQ_INDEX, 1);
	vga_text_write(&vga, VGA_SEQ_DATA, 0x01);
	crtc_set(VGA_CRTC_CURSOR_LO, 0);	/* unchanged value */
	CHECK_EQ(vga.display_changes, before);
	cursor_at(1);
	CHECK(vga.display_changes != before);
	before = vga.display_changes;
	vga_text_read(&vga, VGA_INPUT_STATUS1);
	vga_text_write(&vga, VGA_ATTR_INDEX, VGA_ATTR_PAS | VGA_ATTR_MODE);
	vga_text_write(&vga, VGA_ATTR_INDEX, 0x04);
	CHECK(vga.display_changes != before);
}

/* Ports the model does not have read 0xff. */
UNIT_TEST(other_ports_read_ff)
{
	fresh();
	CHECK_EQ(vga_text_read(&vga, 0x3c3), 0xff);
	CHECK_EQ(vga_text_read(&vga, 0x3d0), 0xff);
	vga_text_write(&vga, 0x3c3, 0x01);
}

int main(void)
{
	return unit_run_all();
}
