// SPDX-License-Identifier: MIT
/* The VGA text screen (vga.h). */
#include "vga.h"

#include "io.h"

#define VGA_MEMORY ((volatile uint16_t *)0xb8000)

/* CRT controller: an index register and a data register (IBM VGA
 * Technical Reference, "CRT Controller Registers"), at 0x3d4/0x3d5 when
 * the Miscellaneous Output register selects colour addressing, as mode 3
 * does. */
#define CRTC_INDEX 0x3d4
#define CRTC_DATA 0x3d5
#define CRTC_CURSOR_HIGH 0x0e	/* Cursor Location High */
#define CRTC_CURSOR_LOW 0x0f	/* Cursor Location Low */

static unsigned row, col;
static uint8_t attr = VGA_LIGHT_GREY | VGA_BLACK << 4;

static uint16_t cell(char c, uint8_t a)
{
	return (uint16_t)(uint8_t)c | (uint16_t)a << 8;
}

/* The hardware cursor is a cell index, row * 80 + column. */
static void move_cursor(void)
{
	unsigned pos = row * VGA_COLS + col;

	outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
	outb(CRTC_DATA, (uint8_t)(pos >> 8));
	outb(CRTC_INDEX, CRTC_CURSOR_LOW);
	outb(CRTC_DATA, (uint8_t)pos);
}

void vga_init(void)
{
	for (unsigned i = 0; i < VGA_COLS * VGA_ROWS; i++)
		VGA_MEMORY[i] = cell(' ', attr);
	row = col = 0;
	move_cursor();
}

void vga_set_color(enum vga_color fg, enum vga_color bg)
{
	attr = (uint8_t)(fg | bg << 4);
}

/* Move rows 1..23 up one and blank row 23. */
static void scroll(void)
{
	for (unsigned i = 0; i < (VGA_TEXT_ROWS - 1) * VGA_COLS; i++)
		VGA_MEMORY[i] = VGA_MEMORY[i + VGA_COLS];
	for (unsigned i = 0; i < VGA_COLS; i++)
		VGA_MEMORY[(VGA_TEXT_ROWS - 1) * VGA_COLS + i] = cell(' ', attr);
	row = VGA_TEXT_ROWS - 1;
}

void vga_putc(char c)
{
	if (c == '\n') {
		col = 0;
		row++;
	} else if (c == '\t') {
		col = (col + 8) & ~7u;
		if (col >= VGA_COLS) {
			col = 0;
			row++;
		}
	} else if (c == '\b') {
		if (col == 0 && row > 0) {
			row--;
			col = VGA_COLS;
		}
		if (col > 0)
			VGA_MEMORY[row * VGA_COLS + --col] = cell(' ', attr);
	} else {
		VGA_MEMORY[row * VGA_COLS + col] = cell(c, attr);
		if (++col == VGA_COLS) {
			col = 0;
			row++;
		}
	}
	if (row == VGA_TEXT_ROWS)
		scroll();
	move_cursor();
}

void vga_puts(const char *s)
{
	while (*s)
		vga_putc(*s++);
}

void vga_status(const char *s, enum vga_color fg, enum vga_color bg)
{
	uint8_t a = (uint8_t)(fg | bg << 4);
	volatile uint16_t *line = VGA_MEMORY + VGA_TEXT_ROWS * VGA_COLS;

	for (unsigned i = 0; i < VGA_COLS; i++)
		line[i] = cell(*s ? *s++ : ' ', a);
}
