// SPDX-License-Identifier: MIT
/*
 * The VGA's text-mode registers and the 80x25 text screen (vga_text.h).
 */
#include "vga_text.h"

#include <string.h>

/* Mode 3 as the IBM BIOS's parameter table sets it (80x25, 16 colours, 9x16 font). */
static const uint8_t vga_mode3_crtc[VGA_CRTC_REGS] = {
	0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00,
	0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};
static const uint8_t vga_mode3_seq[VGA_SEQ_REGS] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const uint8_t vga_mode3_gc[VGA_GC_REGS] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff,
};
static const uint8_t vga_mode3_attr[VGA_ATTR_REGS] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
	0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00,
};
#define VGA_MODE3_MISC 0x67

void vga_text_init(struct vga_text *s)
{
	memset(s, 0, sizeof(*s));
	s->misc = VGA_MODE3_MISC;
	memcpy(s->crtc, vga_mode3_crtc, sizeof(s->crtc));
	memcpy(s->seq, vga_mode3_seq, sizeof(s->seq));
	memcpy(s->gc, vga_mode3_gc, sizeof(s->gc));
	memcpy(s->attr, vga_mode3_attr, sizeof(s->attr));
	s->attr_index = VGA_ATTR_PAS;	/* the screen is on */
	s->dac_mask = 0xff;
	/*
	 * The BIOS loads the EGA's 64 colours into DAC entries 0-63: index bits
	 * 5-3 are the low-intensity (secondary) red, green, blue, bits 2-0 the
	 * primary ones; 6-bit values 0x15 and 0x2a.
	 */
	for (unsigned i = 0; i < 64; i++) {
		for (unsigned c = 0; c < 3; c++) {
			unsigned bit = 2 - c;	/* red is bit 2 (and 5) */

			s->dac[i][c] = (uint8_t)((((i >> bit) & 1) ? 0x2a : 0) +
						 (((i >> (bit + 3)) & 1) ? 0x15 : 0));
		}
	}
}

/* Is the CRTC (and input status 1) at the colour (0x3Dx) addresses now? */
static bool vga_colour_io(const struct vga_text *s)
{
	return (s->misc & VGA_MISC_IOAS) != 0;
}

static uint8_t vga_read_is1(struct vga_text *s)
{
	/* Some kernels wait for a retrace to start, then to end: toggle both
	 * bits on each read so either wait ends at the next read. */
	s->is1 ^= VGA_IS1_DD | VGA_IS1_VR;
	s->attr_data_next = false;	/* datasheet: reading IS1 resets the flip-flop */
	return s->is1;
}

static uint8_t vga_read_dac(struct vga_text *s)
{
	uint8_t v = s->dac[s->dac_read_index][s->dac_read_sub];

	s->dac_last_was_read = true;
	if (++s->dac_read_sub == 3) {
		s->dac_read_sub = 0;
		s->dac_read_index++;	/* wraps at 256 */
	}
	return v;
}

uint8_t vga_text_read(struct vga_text *s, uint16_t port)
{
	bool colour = vga_colour_io(s);

	switch (port) {
	case VGA_CRTC_INDEX:
	case VGA_CRTC_INDEX_MONO:
		if (colour != (port == VGA_CRTC_INDEX))
			return 0xff;
		return s->crtc_index;
	case VGA_CRTC_DATA:
	case VGA_CRTC_DATA_MONO:
		if (colour != (port == VGA_CRTC_DATA))
			return 0xff;
		return s->crtc_index < VGA_CRTC_REGS ? s->crtc[s->crtc_index] : 0xff;
	case VGA_INPUT_STATUS1:
	case VGA_INPUT_STATUS1_MONO:
		if (colour != (port == VGA_INPUT_STATUS1))
			return 0xff;
		return vga_read_is1(s);
	case VGA_ATTR_INDEX:
		return s->attr_index;
	case VGA_ATTR_DATA_READ: {
		unsigned i = s->attr_index & VGA_ATTR_INDEX_MASK;

		return i < VGA_ATTR_REGS ? s->attr[i] : 0xff;
	}
	case VGA_MISC_WRITE:
		return 0x00;	/* input status 0: no switch sense, no CRT interrupt */
	case VGA_MISC_READ:
		return s->misc;
	case VGA_FEATURE_READ:
		return s->feature;
	case VGA_SEQ_INDEX:
		return s->seq_index;
	case VGA_SEQ_DATA:
		return s->seq_index < VGA_SEQ_REGS ? s->seq[s->seq_index] : 0xff;
	case VGA_GC_INDEX:
		return s->gc_index;
	case VGA_GC_DATA:
		return s->gc_index < VGA_GC_REGS ? s->gc[s->gc_index] : 0xff;
	case VGA_DAC_MASK:
		return s->dac_mask;
	case VGA_DAC_READ_INDEX:
		/* DAC state: 0x3 after a read-mode access, 0x0 after a write-mode one. */
		return s->dac_last_was_read ? 0x03 : 0x00;
	case VGA_DAC_WRITE_INDEX:
		return s->dac_write_index;
	case VGA_DAC_DATA:
		return vga_read_dac(s);
	default:
		return 0xff;
	}
}

static void vga_write_crtc(struct vga_text *s, uint8_t value)
{
	uint8_t i = s->crtc_index;

	if (i >= VGA_CRTC_REGS)
		return;
	/* Datasheet, Vertical Retrace End bit 7: registers 0-7 are write
	 * protected, except the line compare bit 8 in the overflow register. */
	if (i <= VGA_CRTC_OVERFLOW && (s->crtc[VGA_CRTC_VSYNC_END] & VGA_CRTC_PROTECT)) {
		if (i != VGA_CRTC_OVERFLOW)
			return;
		value = (uint8_t)((s->crtc[i] & ~VGA_CRTC_OVERFLOW_LC8) |
				  (value & VGA_CRTC_OVERFLOW_LC8));
	}
	if (s->crtc[i] == value)
		return;
	s->crtc[i] = value;
	if (i >= VGA_CRTC_CURSOR_START && i <= VGA_CRTC_CURSOR_LO)
		s->display_changes++;
}

static void vga_write_attr(struct vga_text *s, uint8_t value)
{
	if (!s->attr_data_next) {
		s->attr_index = value & (VGA_ATTR_INDEX_MASK | VGA_ATTR_PAS);
	} else {
		unsigned i = s->attr_index & VGA_ATTR_INDEX_MASK;

		if (i < VGA_ATTR_REGS && s->attr[i] != value) {
			s->attr[i] = value;
			if (i == VGA_ATTR_MODE)
				s->display_changes++;
		}
	}
	s->attr_data_next = !s->attr_data_next;
}

static void vga_write_dac(struct vga_text *s, uint8_t value)
{
	s->dac[s->dac_write_index][s->dac_write_sub] = value & 0x3f;	/* 6-bit DAC */
	s->dac_last_was_read = false;
	if (++s->dac_write_sub == 3) {
		s->dac_write_sub = 0;
		s->dac_write_index++;
	}
}

void vga_text_write(struct vga_text *s, uint16_t port, uint8_t value)
{
	bool colour = vga_colour_io(s);

	switch (port) {
	case VGA_CRTC_INDEX:
	case VGA_CRTC_INDEX_MONO:
		if (colour == (port == VGA_CRTC_INDEX))
			s->crtc_index = value;
		break;
	case VGA_CRTC_DATA:
	case VGA_CRTC_DATA_MONO:
		if (colour == (port == VGA_CRTC_DATA))
			vga_write_crtc(s, value);
		break;
	case VGA_INPUT_STATUS1:
	case VGA_INPUT_STATUS1_MONO:
		if (colour == (port == VGA_INPUT_STATUS1))
			s->feature = value;
		break;
	case VGA_ATTR_INDEX:
		vga_write_attr(s, value);
		break;
	case VGA_MISC_WRITE:
		s->misc = value;
		break;
	case VGA_SEQ_INDEX:
		s->seq_index = value;
		break;
	case VGA_SEQ_DATA:
		if (s->seq_index < VGA_SEQ_REGS)
			s->seq[s->seq_index] = value;
		break;
	case VGA_GC_INDEX:
		s->gc_index = value;
		break;
	case VGA_GC_DATA:
		if (s->gc_index < VGA_GC_REGS)
			s->gc[s->gc_index] = value;
		break;
	case VGA_DAC_MASK:
		s->dac_mask = value;
		break;
	case VGA_DAC_READ_INDEX:
		s->dac_read_index = value;
		s->dac_read_sub = 0;
		s->dac_last_was_read = true;
		break;
	case VGA_DAC_WRITE_INDEX:
		s->dac_write_index = value;
		s->dac_write_sub = 0;
		s->dac_last_was_read = false;
		break;
	case VGA_DAC_DATA:
		vga_write_dac(s, value);
		break;
	default:
		break;
	}
}

void vga_text_render(const struct vga_text *s, const uint8_t *window, struct vga_screen *out)
{
	unsigned start = (unsigned)s->crtc[VGA_CRTC_START_HI] << 8 | s->crtc[VGA_CRTC_START_LO];
	unsigned cursor = (unsigned)s->crtc[VGA_CRTC_CURSOR_HI] << 8 | s->crtc[VGA_CRTC_CURSOR_LO];
	unsigned cstart = s->crtc[VGA_CRTC_CURSOR_START];
	unsigned cend = s->crtc[VGA_CRTC_CURSOR_END];
	unsigned rel;

	for (unsigned r = 0; r < VGA_TEXT_ROWS; r++) {
		for (unsigned c = 0; c < VGA_TEXT_COLS; c++) {
			/* Word addresses: character then attribute, wrapping in the window. */
			unsigned off = ((start + r * VGA_TEXT_COLS + c) * 2) % VGA_TEXT_WINDOW_SIZE;

			out->cells[r][c].ch = window[off];
			out->cells[r][c].attr = window[off + 1];
		}
	}
	/* The cursor is a word address too, compared with the start's (mod 64K words). */
	rel = (cursor - start) & 0xffff;
	out->cursor_visible = !(cstart & VGA_CRTC_CURSOR_OFF) &&
			      (cstart & VGA_CRTC_SCANLINE_MASK) <= (cend & VGA_CRTC_SCANLINE_MASK) &&
			      rel < VGA_TEXT_COLS * VGA_TEXT_ROWS;
	out->cursor_row = out->cursor_visible ? (uint8_t)(rel / VGA_TEXT_COLS) : 0;
	out->cursor_col = out->cursor_visible ? (uint8_t)(rel % VGA_TEXT_COLS) : 0;
	out->blink = (s->attr[VGA_ATTR_MODE] & VGA_ATTR_MODE_BLINK) != 0;
}
