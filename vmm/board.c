// SPDX-License-Identifier: MIT
/*
 * The PC board: device table and the glue from each device model to the
 * bus, the console, the clock and the interrupt lines.
 *
 * Every callback here that touches device state runs with the device lock
 * held: bus handlers are called by the vCPU thread under it, and the loop
 * thread's entry points (console input, timers) take it themselves.
 */
#include "board.h"

#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "machine.h"

/* ---- device timers ------------------------------------------------------ */

/* Re-arm `t` for its device's next deadline, if that changed.  Lock held. */
static void board_timer_update(struct board_timer *t, uint64_t now_ns)
{
	uint64_t deadline = t->next_deadline(t->machine, now_ns);
	struct itimerspec its = { 0 };

	if (deadline == t->armed_ns)
		return;
	t->armed_ns = deadline;
	if (deadline != UINT64_MAX) {
		/* 0 would disarm: an already-due deadline fires at once anyway. */
		if (deadline == 0)
			deadline = 1;
		its.it_value.tv_sec = (time_t)(deadline / 1000000000u);
		its.it_value.tv_nsec = (long)(deadline % 1000000000u);
	}
	timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void board_timer_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct board_timer *t = w->data;
	struct machine *m = t->machine;
	uint64_t expirations, now;

	(void)loop;
	(void)revents;
	if (read(t->fd, &expirations, sizeof(expirations)) < 0)
		return;	/* re-armed meanwhile: nothing expired after all */
	pthread_mutex_lock(&m->lock);
	now = clock_now_ns();
	t->armed_ns = UINT64_MAX;
	t->expired(m, now);
	board_timer_update(t, now);
	pthread_mutex_unlock(&m->lock);
}

static int board_timer_init(struct machine *m, struct board_timer *t,
			    uint64_t (*next_deadline)(struct machine *, uint64_t),
			    void (*expired)(struct machine *, uint64_t), struct error *err)
{
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0)
		return error_set(err, -errno, "timerfd_create failed: %s", strerror(errno));
	t->armed_ns = UINT64_MAX;
	t->next_deadline = next_deadline;
	t->expired = expired;
	t->machine = m;
	ev_io_init(&t->watcher, board_timer_cb, t->fd, EV_READ);
	t->watcher.data = t;
	ev_io_start(m->loop, &t->watcher);
	return 0;
}

static void board_timer_exit(struct machine *m, struct board_timer *t)
{
	if (t->machine == NULL)
		return;
	ev_io_stop(m->loop, &t->watcher);
	close(t->fd);
	t->machine = NULL;
}

/* ---- interrupt lines -------------------------------------------------------- */

/* One ISA line, driven by `source`: the PIC sees the OR of all sources. */
static void board_irq_drive(struct machine *m, enum board_irq_source source, unsigned irq,
			    bool level)
{
	uint8_t *sources = &m->board.irq_sources[irq % BOARD_NR_IRQS];

	*sources = level ? (*sources | source) : (*sources & ~source);
	pic_set_irq(&m->board.pic, irq, *sources != 0);
}

static void board_irq_from_pit(void *opaque, unsigned irq, bool level)
{
	board_irq_drive(opaque, BOARD_IRQ_PIT, irq, level);
}

static void board_irq_from_com1(void *opaque, unsigned irq, bool level)
{
	board_irq_drive(opaque, BOARD_IRQ_COM1, irq, level);
}

static void board_irq_from_testdev(void *opaque, unsigned irq, bool level)
{
	board_irq_drive(opaque, BOARD_IRQ_TESTDEV, irq, level);
}

/* ---- 8259A PIC pair: 0x20-0x21, 0xa0-0xa1, ELCR 0x4d0-0x4d1 --------------------- */

#define PIC_IRQ_PIT 0
#define PIC_IRQ_COM1 4

/*
 * The PIC and PIT models decode absolute port numbers, and each answers at
 * more than one range; a window remembers where a range starts so one pair
 * of handlers serves them all.
 */
static uint64_t pic_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct board_window *w = opaque;

	(void)size;	/* an 8-bit device: the bus keeps the low byte */
	return pic_read(&w->machine->board.pic, (uint16_t)(w->base + offset));
}

static void pic_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct board_window *w = opaque;

	(void)size;
	pic_write(&w->machine->board.pic, (uint16_t)(w->base + offset), (uint8_t)value);
}

static const struct bus_ops pic_ops = { .read = pic_io_read, .write = pic_io_write };

/* The PIC's INTR pin is the CPU's. */
static void pic_intr_changed(void *opaque, unsigned line, bool level)
{
	(void)line;
	machine_set_intr(opaque, level);
}

static uint8_t pic_inta(void *opaque)
{
	struct machine *m = opaque;

	return pic_acknowledge(&m->board.pic);
}

/* The PIC took IRQ n: the PIT's tick policy waits for exactly this. */
static void pic_acked(void *opaque, unsigned irq)
{
	struct machine *m = opaque;

	if (irq == PIC_IRQ_PIT) {
		uint64_t now = clock_now_ns();

		pit_irq_acknowledged(&m->board.pit, now);
		board_timer_update(&m->board.pit_timer, now);
	}
}

/* Claim a range of the bus for a device, with a one-line error naming it. */
static int board_claim(struct machine *m, enum bus_space space, uint64_t base, uint64_t len,
		       const char *name, const struct bus_ops *ops, void *opaque, struct error *err)
{
	int ret = bus_register(&m->bus, space, base, len, name, ops, opaque);

	if (ret < 0)
		return error_set(err, ret, "%s: cannot claim %s 0x%llx-0x%llx: %s", name,
				 bus_space_name(space), (unsigned long long)base,
				 (unsigned long long)(base + len - 1), strerror(-ret));
	return 0;
}

/* A device's port ranges, each claimed with its own window. */
struct board_range {
	uint16_t base, len;
};

static int board_claim_windows(struct machine *m, struct board_window *windows,
			       const struct board_range *ranges, size_t n, const char *name,
			       const struct bus_ops *ops, struct error *err)
{
	for (size_t i = 0; i < n; i++) {
		int ret;

		windows[i] = (struct board_window){ .machine = m, .base = ranges[i].base };
		ret = board_claim(m, BUS_PIO, ranges[i].base, ranges[i].len, name, ops,
				  &windows[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int pic_setup(struct machine *m, struct error *err)
{
	static const struct board_range ranges[] = {
		{ PIC_MASTER_CMD, 2 }, { PIC_SLAVE_CMD, 2 }, { PIC_ELCR_MASTER, 2 },
	};

	pic_init(&m->board.pic, irq_line_connect(pic_intr_changed, m, 0));
	m->board.pic.ack_notify = pic_acked;
	m->board.pic.ack_opaque = m;
	m->intr.acknowledge = pic_inta;
	m->intr.opaque = m;
	return board_claim_windows(m, m->board.pic_windows, ranges, 3, "pic", &pic_ops, err);
}

/* ---- 8254 PIT: 0x40-0x43, and port 0x61 for counter 2's gate and output -------- */

static uint64_t pit_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct board_window *w = opaque;
	struct board *b = &w->machine->board;
	uint64_t now = clock_now_ns();
	uint8_t value = pit_read(&b->pit, (uint16_t)(w->base + offset), now);

	(void)size;
	board_timer_update(&b->pit_timer, now);
	return value;
}

static void pit_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct board_window *w = opaque;
	struct board *b = &w->machine->board;
	uint64_t now = clock_now_ns();

	(void)size;
	pit_write(&b->pit, (uint16_t)(w->base + offset), (uint8_t)value, now);
	board_timer_update(&b->pit_timer, now);
}

static const struct bus_ops pit_ops = { .read = pit_io_read, .write = pit_io_write };

static uint64_t pit_next(struct machine *m, uint64_t now_ns)
{
	return pit_next_deadline(&m->board.pit, now_ns);
}

static void pit_expired(struct machine *m, uint64_t now_ns)
{
	pit_advance(&m->board.pit, now_ns);
}

static int pit_setup(struct machine *m, struct error *err)
{
	static const struct board_range ranges[] = {
		{ PIT_PORT_COUNTER0, 4 }, { PIT_PORT_B, 1 },
	};
	uint64_t now = clock_now_ns();
	int ret;

	pit_init(&m->board.pit, irq_line_connect(board_irq_from_pit, m, PIC_IRQ_PIT), now);
	ret = board_timer_init(m, &m->board.pit_timer, pit_next, pit_expired, err);
	if (ret == 0)
		ret = board_claim_windows(m, m->board.pit_windows, ranges, 2, "pit", &pit_ops, err);
	if (ret == 0)
		board_timer_update(&m->board.pit_timer, now);
	return ret;
}

static void pit_teardown(struct machine *m)
{
	board_timer_exit(m, &m->board.pit_timer);
}

/* ---- debug exit (port 0xf4) ---------------------------------------------- */

static void debug_exit_request(void *opaque, int status)
{
	machine_stop(opaque, status, NULL);
}

static void debug_exit_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct machine *m = opaque;

	(void)size;
	/* QEMU's device decodes only its base address; so do we. */
	if (offset == 0)
		debug_exit_write(&m->board.debug_exit, (uint32_t)value);
}

static const struct bus_ops debug_exit_ops = { .write = debug_exit_io_write };

static int debug_exit_setup(struct machine *m, struct error *err)
{
	m->board.debug_exit = (struct debug_exit){ .request_exit = debug_exit_request, .opaque = m };
	return board_claim(m, BUS_PIO, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, "debug-exit",
			   &debug_exit_ops, m, err);
}

/* ---- COM1: 16550A at 0x3f8, IRQ 4 ------------------------------------------ */

#define COM1_BASE 0x3f8
#define COM1_LEN 8

/*
 * ISA bus sizing: an 8-bit device sees a wider access as consecutive byte
 * accesses (an `inw` from 0x3f8 reads 0x3f8 and 0x3f9), as a PC's bus
 * controller splits them.  Bytes beyond the device's range float high.
 */
static uint64_t com1_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct machine *m = opaque;
	uint64_t now = clock_now_ns();
	uint64_t value = bus_all_ones(size);

	for (unsigned i = 0; i < size && offset + i < COM1_LEN; i++) {
		value &= ~(UINT64_C(0xff) << (8 * i));
		value |= (uint64_t)uart_read(&m->board.com1, (unsigned)(offset + i), now) << (8 * i);
	}
	board_timer_update(&m->board.com1_timer, now);
	return value;
}

static void com1_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct machine *m = opaque;
	uint64_t now = clock_now_ns();

	for (unsigned i = 0; i < size && offset + i < COM1_LEN; i++)
		uart_write(&m->board.com1, (unsigned)(offset + i), (uint8_t)(value >> (8 * i)), now);
	board_timer_update(&m->board.com1_timer, now);
}

static const struct bus_ops com1_ops = { .read = com1_io_read, .write = com1_io_write };

/* The UART's transmitter feeds the console... */
static bool com1_tx(void *opaque, uint8_t byte)
{
	struct machine *m = opaque;

	return console_put(&m->console, byte);
}

/* ...and tells it when the receiver has room again. */
static void com1_rx_room(void *opaque)
{
	struct machine *m = opaque;

	console_rx_room(&m->console);
}

static uint64_t com1_next_deadline(struct machine *m, uint64_t now_ns)
{
	return uart_next_deadline(&m->board.com1, now_ns);
}

static void com1_expired(struct machine *m, uint64_t now_ns)
{
	uart_advance(&m->board.com1, now_ns);
}

/* Console -> guest, on the loop thread. */
static size_t com1_deliver(void *opaque, const uint8_t *buf, size_t len)
{
	struct machine *m = opaque;
	uint64_t now;
	size_t taken;

	pthread_mutex_lock(&m->lock);
	now = clock_now_ns();
	taken = uart_receive(&m->board.com1, buf, len, now);
	board_timer_update(&m->board.com1_timer, now);
	pthread_mutex_unlock(&m->lock);
	return taken;
}

static void com1_tx_room(void *opaque)
{
	struct machine *m = opaque;
	uint64_t now;

	pthread_mutex_lock(&m->lock);
	now = clock_now_ns();
	uart_tx_resume(&m->board.com1, now);
	board_timer_update(&m->board.com1_timer, now);
	pthread_mutex_unlock(&m->lock);
}

static void console_quit(void *opaque)
{
	machine_stop(opaque, EXIT_QUIT, NULL);
}

static const struct console_ops com1_console_ops = {
	.deliver = com1_deliver,
	.tx_room = com1_tx_room,
	.quit = console_quit,
};

static int com1_setup(struct machine *m, struct error *err)
{
	struct uart_sink sink = { .tx = com1_tx, .rx_room = com1_rx_room, .opaque = m };
	int ret;

	/* OUT2 gating of the line happens inside the UART model. */
	uart_init(&m->board.com1, irq_line_connect(board_irq_from_com1, m, PIC_IRQ_COM1), sink);
	ret = board_timer_init(m, &m->board.com1_timer, com1_next_deadline, com1_expired, err);
	if (ret < 0)
		return ret;
	ret = board_claim(m, BUS_PIO, COM1_BASE, COM1_LEN, "com1", &com1_ops, m, err);
	if (ret < 0)
		return ret;
	ret = console_init(&m->console, m->loop, 0, 1, &com1_console_ops, m);
	if (ret < 0)
		return error_set(err, ret, "cannot set up the console on stdin/stdout: %s",
				 strerror(-ret));
	return 0;
}

static void com1_teardown(struct machine *m)
{
	console_exit(&m->console);
	board_timer_exit(m, &m->board.com1_timer);
}

/* ---- test device: IRQ lines at 0x2000, scratch at 0xe0/0xe8, MMIO at 0xff000000 -- */

static uint64_t testdev_irq_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct machine *m = opaque;

	(void)size;
	return testdev_irq_read(&m->board.testdev, (unsigned)offset);
}

static void testdev_irq_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct machine *m = opaque;

	(void)size;
	testdev_irq_write(&m->board.testdev, (unsigned)offset, (uint8_t)value);
}

static uint64_t testdev_data_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct machine *m = opaque;

	return testdev_data_read(&m->board.testdev, (unsigned)offset, size);
}

static void testdev_data_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct machine *m = opaque;

	testdev_data_write(&m->board.testdev, (unsigned)offset, (uint32_t)value, size);
}

static uint64_t testdev_mmio_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct machine *m = opaque;

	return testdev_mmio_read(&m->board.testdev, offset, size);
}

static void testdev_mmio_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct machine *m = opaque;

	testdev_mmio_write(&m->board.testdev, offset, value, size);
}

static const struct bus_ops testdev_irq_ops = {
	.read = testdev_irq_io_read, .write = testdev_irq_io_write,
};
static const struct bus_ops testdev_data_ops = {
	.read = testdev_data_io_read, .write = testdev_data_io_write,
};
static const struct bus_ops testdev_mmio_ops = {
	.read = testdev_mmio_io_read, .write = testdev_mmio_io_write,
};

static int testdev_setup(struct machine *m, struct error *err)
{
	struct irq_line lines[TESTDEV_NR_LINES];
	int ret;

	for (unsigned i = 0; i < TESTDEV_NR_LINES; i++)
		lines[i] = irq_line_connect(board_irq_from_testdev, m, i);
	testdev_init(&m->board.testdev, lines);
	ret = board_claim(m, BUS_PIO, TESTDEV_IRQ_PORT, TESTDEV_NR_IRQ_PORTS, "testdev-irq",
			  &testdev_irq_ops, m, err);
	if (ret == 0)
		ret = board_claim(m, BUS_PIO, TESTDEV_DATA_PORT, TESTDEV_DATA_LEN, "testdev-data",
				  &testdev_data_ops, m, err);
	if (ret == 0)
		ret = board_claim(m, BUS_PIO, TESTDEV_DATA_BYTE_PORT, TESTDEV_DATA_LEN,
				  "testdev-data-byte", &testdev_data_ops, m, err);
	if (ret == 0)
		ret = board_claim(m, BUS_MMIO, TESTDEV_MMIO_BASE, TESTDEV_MMIO_LEN, "testdev-mmio",
				  &testdev_mmio_ops, m, err);
	return ret;
}

/* ---- the device table ------------------------------------------------------ */

static const struct board_device {
	const char *name;
	int (*setup)(struct machine *m, struct error *err);
	void (*teardown)(struct machine *m);	/* may be NULL */
} board_devices[] = {
	/* The PIC first: the others connect their interrupt lines to it. */
	{ "pic", pic_setup, NULL },
	{ "pit", pit_setup, pit_teardown },
	{ "debug-exit", debug_exit_setup, NULL },
	{ "com1", com1_setup, com1_teardown },
	{ "testdev", testdev_setup, NULL },
};

#define BOARD_NR_DEVICES (sizeof(board_devices) / sizeof(board_devices[0]))

int board_setup(struct machine *m, struct error *err)
{
	for (size_t i = 0; i < BOARD_NR_DEVICES; i++) {
		int ret = board_devices[i].setup(m, err);

		if (ret < 0)
			return ret;
		m->board.nr_ready = i + 1;
	}
	return 0;
}

void board_teardown(struct machine *m)
{
	/* Only what was set up completely, in reverse order. */
	for (size_t i = m->board.nr_ready; i-- > 0;) {
		if (board_devices[i].teardown != NULL)
			board_devices[i].teardown(m);
	}
}
