// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the VGA text screen: the register model
 * (devices/vga_text.c) and the terminal renderer (vmm/screen.c) together,
 * as the glue runs them: the guest writes registers and the text window,
 * then a frame is rendered and turned into terminal bytes.
 *
 * The input is a program: an opcode byte, then its operands (a port
 * write or read, a run of bytes into the 32 KiB window, a frame, a
 * reset, the final frame).  The invariants are what a person at the
 * terminal relies on: every frame fits SCREEN_OUT_MAX; its bytes are
 * well-formed UTF-8 holding no control character other than the
 * renderer's own CSI sequences (ESC [ parameters, final H, J, m, h or l),
 * so a guest can never send the terminal a command; the cursor lies on
 * the screen; after a frame the renderer's idea of the terminal is the
 * frame it was given.  A violation abort()s.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Idevices -Ivmm \
 *         tests/fuzz/fuzz_vga_screen.c devices/vga_text.c vmm/screen.c
 *
 * Without libFuzzer (gcc), -DFUZZ_STANDALONE adds a main() that replays
 * the files named on the command line, or stdin when there are none.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "screen.h"
#include "vga_text.h"

enum fuzz_op {
	FUZZ_OP_WRITE,		/* port selector, value */
	FUZZ_OP_READ,		/* port selector */
	FUZZ_OP_WINDOW,		/* offset (2 bytes), length, bytes */
	FUZZ_OP_FRAME,
	FUZZ_OP_MISC,		/* selector: reset the model, the final frame, a fresh terminal */
	FUZZ_NR_OPS
};

/* Every port the glue claims, and two it does not. */
static const uint16_t fuzz_ports[] = {
	VGA_CRTC_INDEX_MONO, VGA_CRTC_DATA_MONO, VGA_INPUT_STATUS1_MONO,
	0x3c0, 0x3c1, 0x3c2, 0x3c3, 0x3c4, 0x3c5, 0x3c6, 0x3c7,
	0x3c8, 0x3c9, 0x3ca, 0x3cb, 0x3cc, 0x3cd, 0x3ce, 0x3cf,
	VGA_CRTC_INDEX, VGA_CRTC_DATA, VGA_INPUT_STATUS1, 0x3d0, 0x3b0,
};
#define FUZZ_NR_PORTS (sizeof(fuzz_ports) / sizeof(fuzz_ports[0]))

/* A frame is 2,000 cells rendered and compared: a few per input keep the
 * fuzzer fast, and the state between them is what it explores. */
#define FUZZ_MAX_FRAMES 4

static struct {
	struct vga_text regs;
	uint8_t window[VGA_TEXT_WINDOW_SIZE];
	struct screen term;
	uint8_t out[SCREEN_OUT_MAX];
	unsigned frames;
} fz;

/* One UTF-8 sequence at out[*i]: its code point, or -1 if malformed. */
static long fuzz_utf8(const uint8_t *out, size_t n, size_t *i)
{
	uint8_t b = out[*i];
	unsigned len = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : 0;
	long cp = len == 1 ? b : len == 2 ? (b & 0x1f) : (b & 0x0f);

	if (len == 0 || *i + len > n)
		return -1;
	for (unsigned k = 1; k < len; k++) {
		if ((out[*i + k] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (out[*i + k] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800))
		return -1;			/* overlong */
	*i += len;
	return cp;
}

/* The bytes of one frame: only our own CSI sequences, printable text,
 * and (in the final frame only) CR and LF. */
static void fuzz_check_terminal_bytes(const uint8_t *out, size_t n, bool final)
{
	size_t i = 0;

	fuzz_check(n <= SCREEN_OUT_MAX);
	while (i < n) {
		long cp;

		if (out[i] == 0x1b) {
			fuzz_check(i + 2 < n && out[i + 1] == '[');
			i += 2;
			while (i < n && ((out[i] >= '0' && out[i] <= '9') || out[i] == ';' ||
					 out[i] == '?'))
				i++;
			fuzz_check(i < n && strchr("HJmhl", out[i]) != NULL);
			i++;
			continue;
		}
		if (final && (out[i] == '\r' || out[i] == '\n')) {
			i++;
			continue;
		}
		cp = fuzz_utf8(out, n, &i);
		fuzz_check(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0));
	}
}

static void fuzz_frame(void)
{
	struct vga_screen next;
	size_t n;

	vga_text_render(&fz.regs, fz.window, &next);
	fuzz_check(!next.cursor_visible ||
		   (next.cursor_row < VGA_TEXT_ROWS && next.cursor_col < VGA_TEXT_COLS));
	n = screen_update(&fz.term, &next, fz.out);
	fuzz_check_terminal_bytes(fz.out, n, false);
	fuzz_check(fz.term.drawn);
	fuzz_check(memcmp(&fz.term.shown, &next, sizeof(next)) == 0);
	/* The same frame again is nothing to do. */
	fuzz_check(screen_update(&fz.term, &next, fz.out) == 0);
}

static void fuzz_window(const uint8_t **data, size_t *size)
{
	size_t raw = (size_t)fuzz_byte(data, size) << 8 | fuzz_byte(data, size);
	size_t len = fuzz_byte(data, size);
	size_t start = (size_t)fz.regs.crtc[VGA_CRTC_START_HI] << 8 | fz.regs.crtc[VGA_CRTC_START_LO];
	size_t off;

	/* Mostly where the screen shows it (from the CRTC start address, as a
	 * guest writes its text), now and then anywhere in the window. */
	if (raw & 0x8000)
		off = raw % VGA_TEXT_WINDOW_SIZE;
	else
		off = (start * 2 + raw % (VGA_TEXT_ROWS * VGA_TEXT_COLS * 2)) % VGA_TEXT_WINDOW_SIZE;
	for (size_t k = 0; k < len && *size > 0; k++)
		fz.window[(off + k) % VGA_TEXT_WINDOW_SIZE] = fuzz_byte(data, size);
}

static void fuzz_misc(uint8_t selector)
{
	switch (selector % 3) {
	case 0:
		vga_text_init(&fz.regs);
		break;
	case 1: {
		bool drawn = fz.term.drawn;
		size_t n = screen_finish(&fz.term, fz.out);

		fuzz_check(drawn || n == 0);
		fuzz_check_terminal_bytes(fz.out, n, true);
		screen_init(&fz.term);
		break;
	}
	default:
		screen_init(&fz.term);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&fz.window, 0, sizeof(fz.window));
	fz.frames = 0;
	vga_text_init(&fz.regs);
	screen_init(&fz.term);

	while (size > 0) {
		uint8_t op = fuzz_byte(&data, &size);
		uint16_t port;

		switch (op % FUZZ_NR_OPS) {
		case FUZZ_OP_WRITE:
			port = fuzz_ports[fuzz_byte(&data, &size) % FUZZ_NR_PORTS];
			vga_text_write(&fz.regs, port, fuzz_byte(&data, &size));
			break;
		case FUZZ_OP_READ:
			port = fuzz_ports[fuzz_byte(&data, &size) % FUZZ_NR_PORTS];
			vga_text_read(&fz.regs, port);
			break;
		case FUZZ_OP_WINDOW:
			fuzz_window(&data, &size);
			break;
		case FUZZ_OP_FRAME:
			if (fz.frames++ < FUZZ_MAX_FRAMES)
				fuzz_frame();
			break;
		default:
			fuzz_misc(fuzz_byte(&data, &size));
			break;
		}
	}
	fuzz_frame();
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
