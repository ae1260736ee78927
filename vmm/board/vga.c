// SPDX-License-Identifier: MIT
/*
 * Glue for --vga: the VGA text screen (devices/vga_text.h) drawn on the
 * terminal (screen.h), and the terminal's keys typed on the PS/2 keyboard
 * (keymap.h, through the i8042's glue).  Without --vga this device does
 * nothing: its ports stay unclaimed and the terminal stays COM1's.
 *
 * The screen.  The text window is RAM in a KVM slot of its own with the
 * dirty page log on (vm.h), so the guest writes it at full speed without
 * an exit.  The loop thread looks VGA_REFRESH_HZ times a second: it
 * copies the registers under the device lock, fetches the dirty log
 * (KVM_GET_DIRTY_LOG, which also re-arms it), and only if a text page was
 * written or a register that moves the cursor, the start address or the
 * blink mode changed, renders the 80x25 cells and queues what changed on
 * the console as one block.  The log is fetched before the window is read,
 * so a write that races with the reading marks its page for the next look.
 * When the console's queue cannot take the whole block (stdout is slow),
 * nothing is queued and the next look sends the difference from what the
 * terminal really shows: frames are merged, never torn or lost.  After the
 * vCPU stopped, teardown draws the last frame and leaves the terminal
 * with the cursor below the screen.
 *
 * 30 Hz: the screen follows typing and scrolling without visible lag,
 * and an idle guest costs one ioctl per look (the renderer runs only on
 * a change); a faster rate buys nothing a person sees.
 *
 * The keyboard.  The console (board->machine's terminal, in raw mode,
 * Ctrl-A escapes kept) hands typed bytes to vga_kbd_deliver() on the loop
 * thread; the keymap turns them into set-1 make/break codes, which wait in
 * a small queue here (under the device lock) and go to the keyboard while
 * its buffer has room, whole keys at a time; the keyboard glue calls
 * vga_kbd_pump() after each guest access to 0x60/0x64, so the queue drains
 * as the guest reads.  While it is full, input stays in the console and
 * is offered again (console_rx_room()); nothing typed is lost unless the
 * console's own type-ahead overflows, and then whole keys go (counted).
 * A lone ESC waits VGA_ESC_DELAY for the rest of a sequence (an arrow is
 * ESC [ A) before it is typed as the Esc key.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include "board.h"
#include "i8042_glue.h"
#include "keymap.h"
#include "machine.h"
#include "screen.h"
#include "util.h"
#include "vga_text.h"

#define VGA_REFRESH_HZ		30
#define VGA_ESC_DELAY		0.05	/* seconds of silence after an ESC: the Esc key */
#define VGA_KBD_QUEUE		128	/* set-1 codes waiting for the keyboard */
/* The text window's pages in the VGA slot's dirty bitmap (0xB8000-0xBFFFF). */
#define VGA_TEXT_PAGES		(((UINT64_C(1) << (VGA_TEXT_WINDOW_SIZE / VM_PAGE_SIZE)) - 1) \
				 << ((VGA_TEXT_WINDOW - VM_VGA_WINDOW) / VM_PAGE_SIZE))

struct vga_stats {
	uint64_t looks;			/* refresh ticks */
	uint64_t frames;		/* frames queued on the console */
	uint64_t bytes;			/* their bytes */
	uint64_t deferred;		/* frames the console could not take yet */
	uint64_t dirty_log_errors;
	uint64_t codes;			/* scan codes given to the keyboard */
	uint64_t keys_lost_bytes;	/* typed bytes whose keys were lost (type-ahead full) */
};

struct vga_board {
	struct machine *machine;
	bool active;			/* --vga and set up: teardown has work */
	bool console_owned;		/* console_init() was called on m->console */
	struct board_port_window windows[5];

	/* Under the device lock. */
	struct vga_text regs;
	uint8_t codes[VGA_KBD_QUEUE];	/* ring of codes waiting for the keyboard */
	unsigned codes_head, codes_len;
	bool input_waiting;		/* the console holds input we refused */

	/* Loop thread only. */
	struct screen screen;
	uint32_t seen_changes;		/* regs.display_changes at the last render */
	bool need_render;		/* the last frame did not reach the console */
	struct keymap keymap;
	ev_timer refresh;
	ev_timer esc;
	uint8_t out[SCREEN_OUT_MAX];
	struct vga_stats stats;
};

static const struct board_port_range vga_ranges[] = {
	{ VGA_CRTC_INDEX_MONO, 2 },	/* 0x3b4-0x3b5 */
	{ VGA_INPUT_STATUS1_MONO, 1 },	/* 0x3ba */
	{ VGA_ATTR_INDEX, 16 },		/* 0x3c0-0x3cf */
	{ VGA_CRTC_INDEX, 2 },		/* 0x3d4-0x3d5 */
	{ VGA_INPUT_STATUS1, 1 },	/* 0x3da */
};

/* A frame is queued whole: the worst one must fit in an empty console queue. */
_Static_assert(SCREEN_OUT_MAX <= CONSOLE_OUT_SIZE, "a frame fits the console's queue");
_Static_assert(ARRAY_SIZE(vga_ranges) == ARRAY_SIZE(((struct vga_board *)0)->windows),
	       "one window per range");

static uint64_t vga_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct board_port_window *w = opaque;
	struct vga_board *vb = w->state;

	(void)size;	/* 8-bit registers: the bus splits wider accesses */
	return vga_text_read(&vb->regs, (uint16_t)(w->base + offset));
}

static void vga_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct board_port_window *w = opaque;
	struct vga_board *vb = w->state;

	(void)size;	/* outw 0x3d4, (value << 8 | index): index, then data */
	vga_text_write(&vb->regs, (uint16_t)(w->base + offset), (uint8_t)value);
}

static const struct bus_ops vga_ops = {
	.read = vga_io_read, .write = vga_io_write, .max_access_size = 1,
};

/* ---- the screen (loop thread) ---------------------------------------------------- */

/* Look at the screen; draw what changed.  `force`: render even if nothing seems to. */
static void vga_refresh(struct vga_board *vb, bool force)
{
	struct machine *m = vb->machine;
	struct vga_text regs;
	struct vga_screen next;
	struct screen after;
	uint64_t dirty = 0;
	size_t len;

	vb->stats.looks++;
	pthread_mutex_lock(&m->lock);
	regs = vb->regs;
	pthread_mutex_unlock(&m->lock);
	/* The log first, then the window: a write after this is seen next time. */
	if (vm_vga_dirty_pages(&m->vm, &dirty) < 0) {
		vb->stats.dirty_log_errors++;
		dirty = VGA_TEXT_PAGES;
	}
	if (!force && !vb->need_render && !(dirty & VGA_TEXT_PAGES) &&
	    regs.display_changes == vb->seen_changes && vb->screen.drawn)
		return;
	vb->seen_changes = regs.display_changes;
	vga_text_render(&regs, m->vm.ram + VGA_TEXT_WINDOW, &next);
	after = vb->screen;
	len = screen_update(&after, &next, vb->out);
	if (len > 0 && !console_put_buf(&m->console, vb->out, len)) {
		vb->stats.deferred++;
		vb->need_render = true;	/* the terminal still shows vb->screen */
		return;
	}
	if (len > 0) {
		vb->stats.frames++;
		vb->stats.bytes += len;
	}
	vb->screen = after;
	vb->need_render = false;
}

static void vga_refresh_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	vga_refresh(w->data, false);
}

/* ---- the keyboard ------------------------------------------------------------------ */

/* Codes from the queue to the keyboard, as far as it takes them.  Lock held, any thread. */
static void vga_kbd_pump(void *opaque)
{
	struct vga_board *vb = opaque;

	while (vb->codes_len > 0) {
		unsigned chunk = VGA_KBD_QUEUE - vb->codes_head;
		size_t done;

		if (chunk > vb->codes_len)
			chunk = vb->codes_len;
		done = i8042_board_type(vb->machine->i8042, vb->codes + vb->codes_head, chunk);
		vb->stats.codes += done;
		vb->codes_head = (vb->codes_head + (unsigned)done) % VGA_KBD_QUEUE;
		vb->codes_len -= (unsigned)done;
		if (done < chunk)
			break;
	}
	if (vb->input_waiting && VGA_KBD_QUEUE - vb->codes_len >= KEYMAP_MAX_CODES) {
		vb->input_waiting = false;
		console_rx_room(&vb->machine->console);	/* offer the rest of the input */
	}
}

static void vga_kbd_queue(struct vga_board *vb, const uint8_t *codes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vb->codes[(vb->codes_head + vb->codes_len++) % VGA_KBD_QUEUE] = codes[i];
}

/* Typed bytes from the console (loop thread): take those whose keys fit. */
static size_t vga_kbd_deliver(void *opaque, const uint8_t *buf, size_t len)
{
	struct vga_board *vb = opaque;
	uint8_t codes[KEYMAP_MAX_CODES];
	size_t taken = 0;

	pthread_mutex_lock(&vb->machine->lock);
	while (taken < len && VGA_KBD_QUEUE - vb->codes_len >= KEYMAP_MAX_CODES)
		vga_kbd_queue(vb, codes, keymap_feed(&vb->keymap, buf[taken++], codes));
	vb->input_waiting = taken < len;
	vga_kbd_pump(vb);
	pthread_mutex_unlock(&vb->machine->lock);

	/* A lone ESC (or part of a sequence) becomes the Esc key after a
	 * silence; not while the rest of the input still waits here. */
	ev_timer_stop(vb->machine->loop, &vb->esc);
	if (taken == len && keymap_pending(&vb->keymap)) {
		ev_timer_set(&vb->esc, VGA_ESC_DELAY, 0.);
		ev_timer_start(vb->machine->loop, &vb->esc);
	}
	return taken;
}

/* Input the console could not keep (type-ahead full): through the keymap,
 * so that its state follows the bytes, but the keys are lost. */
static void vga_kbd_overrun(void *opaque, const uint8_t *buf, size_t len)
{
	struct vga_board *vb = opaque;
	uint8_t codes[KEYMAP_MAX_CODES];

	for (size_t i = 0; i < len; i++)
		keymap_feed(&vb->keymap, buf[i], codes);
	vb->stats.keys_lost_bytes += len;
}

static void vga_esc_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vga_board *vb = w->data;
	uint8_t codes[KEYMAP_MAX_CODES];
	size_t n;

	(void)loop;
	(void)revents;
	n = keymap_flush(&vb->keymap, codes);
	pthread_mutex_lock(&vb->machine->lock);
	if (VGA_KBD_QUEUE - vb->codes_len >= n)
		vga_kbd_queue(vb, codes, n);
	else
		vb->stats.keys_lost_bytes++;	/* cannot happen: deliver leaves room */
	vga_kbd_pump(vb);
	pthread_mutex_unlock(&vb->machine->lock);
}

/* The screen's bytes never wait for room the way the UART's do. */
static void vga_tx_room(void *opaque)
{
	(void)opaque;
}

static void vga_quit(void *opaque)
{
	struct vga_board *vb = opaque;

	machine_stop(vb->machine, EXIT_QUIT, NULL);
}

static const struct console_ops vga_console_ops = {
	.deliver = vga_kbd_deliver,
	.overrun = vga_kbd_overrun,
	.tx_room = vga_tx_room,
	.quit = vga_quit,
};

/* ---- the device ---------------------------------------------------------------------- */

static int vga_setup(struct machine *m, void *state, struct error *err)
{
	struct vga_board *vb = state;
	int ret;

	vb->machine = m;
	if (!m->opts->vga)
		return 0;
	if (m->i8042 == NULL)
		return error_set(err, -ENODEV, "vga: the keyboard controller is not set up");
	vga_text_init(&vb->regs);
	screen_init(&vb->screen);
	keymap_init(&vb->keymap);
	ret = board_claim_ports(m, vb->windows, vga_ranges, ARRAY_SIZE(vga_ranges), "vga",
				&vga_ops, vb, err);
	if (ret < 0)
		return ret;
	vb->console_owned = true;	/* even a failed init may have made it raw */
	ret = console_init(&m->console, m->loop, 0, 1, &vga_console_ops, vb);
	if (ret < 0)
		return error_set(err, ret, "cannot set up the screen and keyboard on stdin/stdout: "
				 "%s", strerror(-ret));
	vb->active = true;
	i8042_board_on_access(m->i8042, vga_kbd_pump, vb);
	ev_timer_init(&vb->refresh, vga_refresh_cb, 0., 1. / VGA_REFRESH_HZ);
	ev_timer_init(&vb->esc, vga_esc_cb, VGA_ESC_DELAY, 0.);
	vb->refresh.data = vb->esc.data = vb;
	ev_timer_start(m->loop, &vb->refresh);
	return 0;
}

static void vga_teardown(struct machine *m, void *state)
{
	struct vga_board *vb = state;
	size_t len;

	if (vb->active) {
		vb->active = false;
		ev_timer_stop(m->loop, &vb->refresh);
		ev_timer_stop(m->loop, &vb->esc);
		/* The vCPU has stopped: the guest's last screen, then the
		 * terminal left below it. */
		vga_refresh(vb, true);
		len = screen_finish(&vb->screen, vb->out);
		if (len > 0 && !console_put_buf(&m->console, vb->out, len))
			vb->stats.deferred++;
	}
	if (vb->console_owned)
		console_exit(&m->console);	/* the terminal back, then a bounded flush */
	vb->console_owned = false;
}

static void vga_reset(struct machine *m, void *state)
{
	struct vga_board *vb = state;
	uint32_t changes = vb->regs.display_changes;

	(void)m;
	if (vb->machine == NULL || !vb->machine->opts->vga)
		return;
	vga_text_init(&vb->regs);
	vb->regs.display_changes = changes + 1;
}

static void vga_print_stats(void *state, FILE *out)
{
	const struct vga_board *vb = state;
	const struct vga_stats *s = &vb->stats;

	if (vb->machine == NULL || !vb->machine->opts->vga)
		return;
	fprintf(out, "minivmm: stats: vga: %" PRIu64 " looks, %" PRIu64 " frames drawn (%" PRIu64
		" bytes), %" PRIu64 " deferred (console full), %" PRIu64 " dirty log errors; "
		"keyboard: %" PRIu64 " scan codes typed, %" PRIu64 " typed bytes lost (type-ahead "
		"full)\n", s->looks, s->frames, s->bytes, s->deferred, s->dirty_log_errors, s->codes,
		s->keys_lost_bytes);
}

const struct board_device board_vga = {
	.name = "vga",
	.state_size = sizeof(struct vga_board),
	.setup = vga_setup,
	.teardown = vga_teardown,
	.reset = vga_reset,
	.print_stats = vga_print_stats,
};
