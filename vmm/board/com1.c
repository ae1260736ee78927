// SPDX-License-Identifier: MIT
/*
 * Glue for COM1, a 16550A (devices/uart16550.h) at 0x3f8-0x3ff on IRQ 4.
 * OUT2 gating of the interrupt happens inside the model.  Its serial line
 * goes where --serial says:
 *
 *   stdio  the terminal (stdin/stdout, the console): the default without
 *          --vga, refused with it (the terminal is the screen);
 *   none   nowhere: the UART works, its output is discarded and nothing is
 *          ever received (the default with --vga);
 *   FILE   output appended to FILE (created 0666 & ~umask), through a
 *          console of its own with no input (m->serial): never blocks, a
 *          FIFO or terminal is written as stdout is, losses are reported.
 *          Opened here, before the allow-lists forbid open().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "clock.h"
#include "console.h"
#include "machine.h"
#include "timer.h"
#include "uart16550.h"

#define COM1_BASE 0x3f8
#define COM1_LEN UART_NR_REGS
#define COM1_IRQ 4

struct com1_board {
	struct machine *machine;
	struct uart uart;
	struct device_timer timer;	/* the receiver's character timeout */
	struct board_irq_source irq_source;
	struct console *line;		/* where the serial line goes; NULL: nowhere */
	int file_fd;			/* --serial FILE, or -1 */
};

static uint64_t com1_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct com1_board *cb = opaque;
	uint64_t now = clock_now_ns();
	uint8_t value = uart_read(&cb->uart, (unsigned)offset, now);

	(void)size;	/* an 8-bit device: the bus splits wider accesses */
	device_timer_update(&cb->timer, now);
	return value;
}

static void com1_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct com1_board *cb = opaque;
	uint64_t now = clock_now_ns();

	(void)size;
	uart_write(&cb->uart, (unsigned)offset, (uint8_t)value, now);
	device_timer_update(&cb->timer, now);
}

static const struct bus_ops com1_ops = {
	.read = com1_io_read, .write = com1_io_write, .max_access_size = 1,
};

/* The UART's transmitter feeds the console... */
static bool com1_tx(void *opaque, uint8_t byte)
{
	struct com1_board *cb = opaque;

	if (cb->line == NULL)
		return true;	/* --serial none: sent into the void */
	return console_put(cb->line, byte);
}

/* ...and tells it when the receiver has room again. */
static void com1_rx_room(void *opaque)
{
	struct com1_board *cb = opaque;

	if (cb->line == &cb->machine->console)
		console_rx_room(cb->line);
}

static uint64_t com1_timer_next(void *opaque, uint64_t now_ns)
{
	struct com1_board *cb = opaque;

	return uart_next_deadline(&cb->uart, now_ns);
}

static void com1_timer_expired(void *opaque, uint64_t now_ns)
{
	struct com1_board *cb = opaque;

	uart_advance(&cb->uart, now_ns);
}

/* Console -> guest, on the loop thread. */
static size_t com1_deliver(void *opaque, const uint8_t *buf, size_t len)
{
	struct com1_board *cb = opaque;
	uint64_t now;
	size_t taken;

	pthread_mutex_lock(&cb->machine->lock);
	now = clock_now_ns();
	taken = uart_receive(&cb->uart, buf, len, now);
	device_timer_update(&cb->timer, now);
	pthread_mutex_unlock(&cb->machine->lock);
	return taken;
}

/* Typed input that nothing can hold any more: it overruns the receiver. */
static void com1_overrun(void *opaque, const uint8_t *buf, size_t len)
{
	struct com1_board *cb = opaque;
	uint64_t now;

	pthread_mutex_lock(&cb->machine->lock);
	now = clock_now_ns();
	uart_receive_overrun(&cb->uart, buf, len, now);
	device_timer_update(&cb->timer, now);
	pthread_mutex_unlock(&cb->machine->lock);
}

/* The console has room for output again, on the loop thread. */
static void com1_tx_room(void *opaque)
{
	struct com1_board *cb = opaque;
	uint64_t now;

	pthread_mutex_lock(&cb->machine->lock);
	now = clock_now_ns();
	uart_tx_resume(&cb->uart, now);
	device_timer_update(&cb->timer, now);
	pthread_mutex_unlock(&cb->machine->lock);
}

static void com1_quit(void *opaque)
{
	struct com1_board *cb = opaque;

	machine_stop(cb->machine, EXIT_QUIT, NULL);
}

static const struct console_ops com1_console_ops = {
	.deliver = com1_deliver,
	.overrun = com1_overrun,
	.tx_room = com1_tx_room,
	.quit = com1_quit,
};

/* --serial FILE: COM1's own output console, with no input. */
static int com1_open_file(struct machine *m, struct com1_board *cb, const char *path,
			  struct error *err)
{
	int ret;

	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of hanging. */
	cb->file_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
			   0666);
	if (cb->file_fd < 0)
		return error_set(err, -errno, "cannot open --serial file '%s': %s", path,
				 strerror(errno));
	ret = console_init(&m->serial, m->loop, -1, cb->file_fd, &com1_console_ops, cb);
	if (ret < 0)
		return error_set(err, ret, "cannot write COM1 to '%s': %s", path, strerror(-ret));
	m->serial.out_name = path;
	cb->line = &m->serial;
	return 0;
}

static int com1_setup(struct machine *m, void *state, struct error *err)
{
	struct com1_board *cb = state;
	struct uart_sink sink = { .tx = com1_tx, .rx_room = com1_rx_room, .opaque = cb };
	const char *dest = m->opts->serial;
	int ret;

	cb->machine = m;
	cb->file_fd = -1;
	if (dest == NULL)
		dest = m->opts->vga ? "none" : "stdio";
	if (strcmp(dest, "stdio") == 0 && m->opts->vga)
		return error_set(err, -EINVAL, "--serial stdio cannot go with --vga: the terminal "
				 "is the screen and the keyboard (give --serial FILE or none)");
	ret = board_irq_source_init(&m->board, &cb->irq_source, "com1", err);
	if (ret < 0)
		return ret;
	uart_init(&cb->uart, board_irq_line(&cb->irq_source, COM1_IRQ), sink);
	cb->uart.events = m->board.events;
	ret = device_timer_init(&cb->timer, &m->timers, com1_timer_next,
				com1_timer_expired, cb, err);
	if (ret < 0)
		return ret;
	ret = board_claim(m, BUS_PIO, COM1_BASE, COM1_LEN, "com1", &com1_ops, cb, err);
	if (ret < 0)
		return ret;
	if (strcmp(dest, "none") == 0)
		return 0;
	if (strcmp(dest, "stdio") != 0)
		return com1_open_file(m, cb, dest, err);
	ret = console_init(&m->console, m->loop, 0, 1, &com1_console_ops, cb);
	if (ret < 0)
		return error_set(err, ret, "cannot set up the console on stdin/stdout: %s",
				 strerror(-ret));
	cb->line = &m->console;
	return 0;
}

/*
 * Stop the console (terminal restored, output flushed for a bounded time),
 * hand it what the UART lost, and say what the guest wrote that nobody
 * will see: one line each, only when it happened.
 */
static void com1_teardown(struct machine *m, void *state)
{
	struct com1_board *cb = state;

	(void)m;
	if (cb->line != NULL)
		console_exit(cb->line);
	if (cb->file_fd >= 0)
		close(cb->file_fd);
	cb->file_fd = -1;
	device_timer_exit(&cb->timer);
	/* Still in the transmitter: the console's queue was full to the end. */
	if (cb->line != NULL) {
		cb->line->stats.output_unwritten += cb->uart.tx.count;
		cb->line->stats.thr_dropped = cb->uart.stats.tx_dropped;
	}
}

static void com1_reset(struct machine *m, void *state)
{
	struct com1_board *cb = state;

	(void)m;
	uart_reset(&cb->uart);	/* the console stays: it is the person's terminal */
	device_timer_update(&cb->timer, clock_now_ns());
}

static void com1_print_stats(void *state, FILE *out)
{
	const struct com1_board *cb = state;
	const struct uart_stats *s = &cb->uart.stats;
	const struct console_stats *cs;

	fprintf(out, "minivmm: stats: com1: %" PRIu64 " bytes sent, %" PRIu64 " received, %"
		PRIu64 " THR writes dropped (transmitter full), %" PRIu64 " receiver overruns\n",
		s->tx_bytes, s->rx_bytes, s->tx_dropped, s->rx_overruns);
	if (cb->line == NULL)
		return;
	cs = &cb->line->stats;
	fprintf(out, "minivmm: stats: console: %" PRIu64 " bytes written in %" PRIu64
		" write(2) calls, %" PRIu64 " lost to a write error, %" PRIu64 " not written at "
		"exit; %" PRIu64 " typed bytes overran the receiver\n", cs->bytes_written,
		cs->writes, cs->output_lost, cs->output_unwritten, cs->input_overrun);
}

const struct board_device board_com1 = {
	.name = "com1",
	.state_size = sizeof(struct com1_board),
	.setup = com1_setup,
	.teardown = com1_teardown,
	.reset = com1_reset,
	.print_stats = com1_print_stats,
};
