/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_VGA_TEXT_H
#define MINIVMM_DEVICES_VGA_TEXT_H

/*
 * The VGA registers a text-mode kernel touches, and the 80x25 text screen
 * they and the text window (0xB8000-0xBFFFF) make.  Pure: the glue hands
 * it port accesses, and vga_text_render() turns its state and a copy of
 * the window into a grid of cells and a cursor; no clock, no interrupt.
 *
 * "Datasheet" below is IBM's VGA Technical Reference ("Video Subsystem",
 * the register descriptions of the CRT controller, sequencer, graphics
 * controller, attribute controller and DAC).  The power-on state is what
 * a PC BIOS leaves after setting mode 3 (80x25 colour text), because
 * minivmm has no BIOS and hobby kernels expect to find the screen ready.
 *
 * What is modelled and what is only stored:
 *
 *   - CRT controller (index 0x3D4, data 0x3D5): 25 registers, stored and
 *     read back; registers 0-7 honour the write protect bit (0x11 bit 7)
 *     as on a VGA.  The screen uses cursor start 0x0A (bit 5: cursor off;
 *     a start line below the end line 0x0B also hides it, as on a VGA),
 *     the start address 0x0C/0x0D and the cursor location 0x0E/0x0F.
 *   - The CRTC and input status 1 answer at 0x3Dx when the miscellaneous
 *     output register's I/O address select (bit 0) is 1, and at the mono
 *     addresses 0x3B4/0x3B5/0x3BA when it is 0 (as QEMU): the other set
 *     reads 0xFF and ignores writes.  Only the colour text window at
 *     0xB8000 is shown; 0xB0000 is plain memory.
 *   - Input status 1 (0x3DA read): the display-disabled (bit 0) and
 *     vertical retrace (bit 3) bits toggle on every read, so a loop that
 *     waits for a retrace to begin or end finishes at once (as QEMU);
 *     the read also resets the attribute controller's flip-flop.
 *   - Attribute controller (0x3C0 index/data through its flip-flop, 0x3C1
 *     read): 21 registers stored; mode control 0x10 bit 3 chooses blink
 *     (attribute bit 7 blinks) or bright backgrounds.  The palette
 *     registers are stored but the screen always uses the 16 standard
 *     colours; the palette address source bit never blanks the screen.
 *   - Sequencer (0x3C4/0x3C5), graphics controller (0x3CE/0x3CF),
 *     miscellaneous output (write 0x3C2, read 0x3CC), feature control
 *     (write 0x3DA/0x3BA, read 0x3CA), DAC (mask 0x3C6, read index 0x3C7,
 *     write index 0x3C8, data 0x3C9 in R, G, B order, 6 bits each):
 *     stored and read back, with no effect on the text screen.
 *   - Not modelled: graphics modes, fonts, other text geometries (the
 *     screen is always 80x25, 160 bytes a row), blink timing.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ports the glue claims: 0x3B4-0x3B5, 0x3BA, 0x3C0-0x3CF, 0x3D4-0x3D5, 0x3DA. */
#define VGA_CRTC_INDEX_MONO	0x3b4
#define VGA_CRTC_DATA_MONO	0x3b5
#define VGA_INPUT_STATUS1_MONO	0x3ba	/* read; write: feature control */
#define VGA_ATTR_INDEX		0x3c0	/* write: index or data (flip-flop); read: index */
#define VGA_ATTR_DATA_READ	0x3c1
#define VGA_MISC_WRITE		0x3c2	/* write; read: input status 0 */
#define VGA_SEQ_INDEX		0x3c4
#define VGA_SEQ_DATA		0x3c5
#define VGA_DAC_MASK		0x3c6
#define VGA_DAC_READ_INDEX	0x3c7	/* write; read: DAC state */
#define VGA_DAC_WRITE_INDEX	0x3c8
#define VGA_DAC_DATA		0x3c9
#define VGA_FEATURE_READ	0x3ca
#define VGA_MISC_READ		0x3cc
#define VGA_GC_INDEX		0x3ce
#define VGA_GC_DATA		0x3cf
#define VGA_CRTC_INDEX		0x3d4
#define VGA_CRTC_DATA		0x3d5
#define VGA_INPUT_STATUS1	0x3da	/* read; write: feature control */

/* CRT controller registers (datasheet "CRT Controller Registers"). */
#define VGA_CRTC_MAX_SCAN	0x09
#define VGA_CRTC_CURSOR_START	0x0a
#define VGA_CRTC_CURSOR_END	0x0b
#define VGA_CRTC_START_HI	0x0c
#define VGA_CRTC_START_LO	0x0d
#define VGA_CRTC_CURSOR_HI	0x0e
#define VGA_CRTC_CURSOR_LO	0x0f
#define VGA_CRTC_VSYNC_END	0x11	/* bit 7: registers 0-7 write protected */
#define VGA_CRTC_REGS		0x19
#define VGA_CRTC_CURSOR_OFF	0x20	/* cursor start bit 5 */
#define VGA_CRTC_SCANLINE_MASK	0x1f
#define VGA_CRTC_PROTECT	0x80
#define VGA_CRTC_OVERFLOW	0x07	/* only bit 4 stays writable when protected */
#define VGA_CRTC_OVERFLOW_LC8	0x10

/* Attribute controller (datasheet "Attribute Controller Registers"). */
#define VGA_ATTR_REGS		0x15
#define VGA_ATTR_MODE		0x10
#define VGA_ATTR_MODE_BLINK	0x08	/* attribute bit 7: blink (1) or bright background (0) */
#define VGA_ATTR_INDEX_MASK	0x1f
#define VGA_ATTR_PAS		0x20	/* palette address source, kept in the index */

#define VGA_SEQ_REGS		0x05
#define VGA_GC_REGS		0x09
#define VGA_MISC_IOAS		0x01	/* I/O address select: CRTC at 0x3Dx (1) or 0x3Bx (0) */

/* Input status 1 (datasheet "Input Status Register One"). */
#define VGA_IS1_DD		0x01	/* display disabled (blanking) */
#define VGA_IS1_VR		0x08	/* vertical retrace */

#define VGA_DAC_ENTRIES		256

/* The text screen. */
#define VGA_TEXT_WINDOW		0xb8000	/* guest-physical start of the colour text window */
#define VGA_TEXT_WINDOW_SIZE	0x8000	/* 32 KiB: 0xB8000-0xBFFFF */
#define VGA_TEXT_COLS		80
#define VGA_TEXT_ROWS		25

struct vga_text {
	uint8_t misc;				/* miscellaneous output */
	uint8_t feature;			/* feature control */
	uint8_t crtc_index;
	uint8_t crtc[VGA_CRTC_REGS];
	uint8_t seq_index;
	uint8_t seq[VGA_SEQ_REGS];
	uint8_t gc_index;
	uint8_t gc[VGA_GC_REGS];
	uint8_t attr_index;			/* with the PAS bit */
	bool attr_data_next;			/* the flip-flop: next 0x3C0 write is data */
	uint8_t attr[VGA_ATTR_REGS];
	uint8_t is1;				/* input status 1's toggling bits */
	uint8_t dac_mask;
	uint8_t dac_read_index, dac_write_index;
	uint8_t dac_read_sub, dac_write_sub;	/* 0-2: R, G, B */
	bool dac_last_was_read;			/* DAC state register */
	uint8_t dac[VGA_DAC_ENTRIES][3];
	/*
	 * Counts writes that may change what the screen shows (cursor, start
	 * address, the attribute mode), so that the glue re-renders only when
	 * it moved.  It wraps; compare for equality only.
	 */
	uint32_t display_changes;
};

/* One character cell as the text window holds it. */
struct vga_cell {
	uint8_t ch;			/* CP437 code */
	uint8_t attr;			/* foreground bits 0-3, background 4-6, bit 7 blink/bright */
};

/* What the screen shows: vga_text_render()'s result. */
struct vga_screen {
	struct vga_cell cells[VGA_TEXT_ROWS][VGA_TEXT_COLS];
	uint8_t cursor_row, cursor_col;
	bool cursor_visible;
	bool blink;			/* attribute bit 7 blinks; else it is a bright background */
};

/* Power-on state: mode 3 as a BIOS leaves it (see above). */
void vga_text_init(struct vga_text *s);

/* A guest read of one of the ports above; others read 0xff. */
uint8_t vga_text_read(struct vga_text *s, uint16_t port);

/* A guest write of one of the ports above; others are ignored. */
void vga_text_write(struct vga_text *s, uint16_t port, uint8_t value);

/*
 * The screen: the 80x25 cells starting at the CRTC start address (a word
 * address into the window, wrapping at its end) and the cursor, visible
 * only when enabled and inside the shown cells.  `window` is the 32 KiB
 * text window's bytes.
 */
void vga_text_render(const struct vga_text *s, const uint8_t *window, struct vga_screen *out);

#endif
