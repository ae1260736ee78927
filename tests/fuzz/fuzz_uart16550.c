// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the 16550A model.
 *
 * The input is a program: each operation is an opcode byte followed by
 * its operands (guest register reads and writes, console input, clock
 * steps, console back-pressure, timer expiries, resets).  After every
 * operation the invariants below are checked; a violation abort()s so
 * the fuzzer reports the input that broke the model.  A listener checks
 * every device event against the state it reports and formats it.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Idevices \
 *         tests/fuzz/fuzz_uart16550.c devices/uart16550.c
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
#include "uart16550.h"

enum fuzz_op {
	FUZZ_OP_WRITE,		/* offset, value */
	FUZZ_OP_READ,		/* offset */
	FUZZ_OP_RECEIVE,	/* length, bytes */
	FUZZ_OP_CLOCK,		/* lo, hi, shift: time passes, the timer fires if due */
	FUZZ_OP_SINK_TOGGLE,	/* the console stops or starts taking bytes */
	FUZZ_OP_TX_RESUME,	/* the console says it has room again */
	FUZZ_OP_TO_DEADLINE,	/* jump to the timeout deadline and fire it */
	FUZZ_OP_MISC,		/* selector: reset, toggle refill-on-rx_room, early timer */
	FUZZ_NR_OPS
};

static struct {
	struct uart u;
	uint64_t now;
	bool sink_accepts;
	bool tx_stalled;	/* the sink refused a byte and was not resumed since */
	bool rx_blocked;	/* the console holds bytes and waits for rx_room */
	bool refill_on_rx_room;	/* the rx_room callback feeds a byte right away */
	bool irq_level;		/* the level the fake PIC saw */
	bool irq_unreported;	/* the line changed and no irq event followed yet */
	uint64_t sink_bytes;
	/* Registers as the events told them, and per-type event counts since reset. */
	uint8_t ier, lcr, mcr;
	uint16_t divisor;
	uint64_t nr_events[UART_EVENT_NR];
} fz;

static void fuzz_irq_set(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	(void)line;
	/* irq_line forwards changes only. */
	fuzz_check(level != fz.irq_level);
	fz.irq_level = level;
	/* The irq event comes after each change, before the next one. */
	fuzz_check(!fz.irq_unreported);
	fz.irq_unreported = true;
}

/*
 * The formatter keeps snprintf semantics at every size: the same length,
 * a prefix of the full text, NUL-terminated, and nothing past size.
 */
static void fuzz_check_format(const struct dev_event *ev)
{
	char full[256], buf[256 + 16];
	size_t sizes[] = { 0, 1, 2, 8, 0, 0 };
	size_t i, j;
	int len;

	len = uart_event_format(ev, full, sizeof(full));
	fuzz_check(len > 0 && (size_t)len < sizeof(full) && strlen(full) == (size_t)len);
	fuzz_check(uart_event_format(ev, NULL, 0) == len);
	sizes[4] = (size_t)len;
	sizes[5] = (size_t)len + 1;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0x5a, sizeof(buf));
		fuzz_check(uart_event_format(ev, buf, sizes[i]) == len);
		for (j = sizes[i]; j < sizes[i] + 16; j++)
			fuzz_check(buf[j] == 0x5a);
		if (sizes[i] == 0)
			continue;
		fuzz_check(strlen(buf) == ((size_t)len < sizes[i] ? (size_t)len : sizes[i] - 1));
		fuzz_check(strncmp(buf, full, strlen(buf)) == 0);
	}
}

/* Take the registers as the power-on state has them: reset emits no
 * per-register events.  The counts go on (the stats survive a reset). */
static void fuzz_events_resync(void)
{
	fz.ier = fz.u.ier;
	fz.lcr = fz.u.lcr;
	fz.mcr = fz.u.mcr;
	fz.divisor = fz.u.divisor;
}

/* Each event says what just happened: check it against the state the UART is in. */
static void fuzz_event(void *opaque, const struct dev_event *ev)
{
	const struct uart *u = &fz.u;
	const uint32_t *a = ev->arg;
	unsigned trigger[] = { 1, 4, 8, 14 };

	(void)opaque;
	fuzz_check(ev->source == DEV_EVENT_UART && ev->type < UART_EVENT_NR);
	fuzz_check(ev->unit == 0 && ev->pad == 0 && ev->arg64 == 0);
	fuzz_check_format(ev);
	fz.nr_events[ev->type]++;

	switch (ev->type) {
	case UART_EVENT_IER:
		fuzz_check(a[0] == fz.ier && a[1] == u->ier);
		fz.ier = u->ier;
		break;
	case UART_EVENT_LCR:
		fuzz_check(a[0] == fz.lcr && a[1] == u->lcr);
		fz.lcr = u->lcr;
		break;
	case UART_EVENT_MCR:
		fuzz_check(a[0] == fz.mcr && a[1] == u->mcr);
		fz.mcr = u->mcr;
		break;
	case UART_EVENT_FCR:
		fuzz_check(a[1] == (u->fcr & UART_FCR_FIFO_ENABLE));
		fuzz_check(a[1] == (a[0] & UART_FCR_FIFO_ENABLE));
		fuzz_check(a[2] == trigger[(u->fcr & UART_FCR_TRIGGER_MASK) >> 6]);
		break;
	case UART_EVENT_DIVISOR:
		fuzz_check(a[0] == u->divisor && a[0] != fz.divisor);
		fuzz_check(a[1] == UART_CLOCK_HZ / 16 / (a[0] ? a[0] : 65536));
		fz.divisor = u->divisor;
		break;
	case UART_EVENT_TX:
		/* Only bytes that left the chip; the sink counted it already. */
		fuzz_check(!(u->mcr & UART_MCR_LOOP) && a[0] <= 0xff);
		break;
	case UART_EVENT_LOOPBACK:
		fuzz_check((u->mcr & UART_MCR_LOOP) && a[0] <= 0xff);
		break;
	case UART_EVENT_RX:
	case UART_EVENT_OVERRUN:
		fuzz_check(a[0] <= 0xff);
		break;
	case UART_EVENT_TX_DROPPED:
		fuzz_check(a[0] <= 0xff && a[1] == !(u->fcr & UART_FCR_FIFO_ENABLE));
		break;
	case UART_EVENT_IRQ:
		fuzz_check(fz.irq_unreported && a[0] == fz.irq_level);
		fz.irq_unreported = false;
		/* High: IIR names a source.  Low with one named: the OUT2 pin gates it. */
		if (a[0])
			fuzz_check(!(a[1] & UART_IIR_NO_INT));
		else
			fuzz_check((a[1] & UART_IIR_NO_INT) || !(u->mcr & UART_MCR_OUT2) ||
				   (u->mcr & UART_MCR_LOOP));
		fuzz_check(a[1] == uart_peek(u, UART_REG_IIR));
		break;
	case UART_EVENT_RESET:
		fuzz_events_resync();
		break;
	default:
		break;
	}
}

static bool fuzz_sink_tx(void *opaque, uint8_t byte)
{
	(void)opaque;
	(void)byte;
	/* Loopback bytes never leave the chip. */
	fuzz_check(!(fz.u.mcr & UART_MCR_LOOP));
	if (!fz.sink_accepts) {
		fz.tx_stalled = true;
		return false;
	}
	fz.sink_bytes++;
	return true;
}

static void fuzz_sink_rx_room(void *opaque)
{
	uint8_t byte = 'r';

	(void)opaque;
	/* Called only when there really is room. */
	fuzz_check(uart_rx_room(&fz.u) > 0);
	fz.rx_blocked = false;
	/* A console with bytes queued feeds them from inside the callback. */
	if (fz.refill_on_rx_room)
		fuzz_check(uart_receive(&fz.u, &byte, 1, fz.now) == 1);
}

static void fuzz_check_invariants(void)
{
	const struct uart *u = &fz.u;
	bool fifos = u->fcr & UART_FCR_FIFO_ENABLE;
	bool loop = u->mcr & UART_MCR_LOOP;
	unsigned depth = fifos ? UART_FIFO_SIZE : 1;
	uint8_t lsr = uart_peek(u, UART_REG_LSR);
	uint8_t iir = uart_peek(u, UART_REG_IIR);
	uint8_t id = iir & UART_IIR_ID_MASK;
	uint64_t deadline = uart_next_deadline(u, fz.now);
	bool level;

	/* FIFO bookkeeping within bounds of the mode's depth. */
	fuzz_check(u->rx.count <= depth && u->tx.count <= depth);
	fuzz_check(u->rx.head < UART_FIFO_SIZE && u->tx.head < UART_FIFO_SIZE);

	/* LSR tells the truth. */
	fuzz_check(!!(lsr & UART_LSR_DR) == (u->rx.count > 0));
	fuzz_check(!!(lsr & UART_LSR_THRE) == (u->tx.count == 0));
	fuzz_check(!!(lsr & UART_LSR_TEMT) == !!(lsr & UART_LSR_THRE));
	fuzz_check(!(lsr & (UART_LSR_PE | UART_LSR_FE | UART_LSR_BI | UART_LSR_RCVR_FIFO_ERR)));
	fuzz_check(!(lsr & UART_LSR_OE) || u->stats.rx_overruns > 0);

	/* IIR: a valid code, FIFO bits 11 or 00, bits 5:4 zero, enabled source. */
	fuzz_check((iir & 0x30) == 0);
	fuzz_check((iir & UART_IIR_FIFOS_ENABLED) == (fifos ? UART_IIR_FIFOS_ENABLED : 0));
	fuzz_check(id == UART_IIR_NO_INT || id == UART_IIR_ID_MS || id == UART_IIR_ID_THRE ||
		   id == UART_IIR_ID_RDA || id == UART_IIR_ID_RLS || id == UART_IIR_ID_CTI);
	fuzz_check(id != UART_IIR_ID_RLS || (u->ier & UART_IER_ELSI));
	fuzz_check(id != UART_IIR_ID_CTI || ((u->ier & UART_IER_ERBFI) && u->timeout_pending));
	fuzz_check(id != UART_IIR_ID_RDA || ((u->ier & UART_IER_ERBFI) && u->rx.count));
	fuzz_check(id != UART_IIR_ID_THRE || ((u->ier & UART_IER_ETBEI) && u->tx.count == 0));
	fuzz_check(id != UART_IIR_ID_MS || (u->ier & UART_IER_EDSSI));
	fuzz_check(!u->thre_pending || u->tx.count == 0);

	/* The line follows IIR bit 0, gated by OUT2, and held low in loopback. */
	level = id != UART_IIR_NO_INT && (u->mcr & UART_MCR_OUT2) && !loop;
	fuzz_check(fz.irq_level == level && u->irq.level == level);

	/* Unimplemented bits read as 0. */
	fuzz_check((u->ier & ~UART_IER_MASK) == 0 && (u->mcr & ~UART_MCR_MASK) == 0);

	/* Receiver room: what is free, none in loopback; a waiting console is woken. */
	fuzz_check(uart_rx_room(u) == (loop ? 0 : depth - u->rx.count));
	fuzz_check(!(fz.rx_blocked && uart_rx_room(u) > 0));

	/* Transmitter: bytes wait only while the sink refused and was not resumed. */
	fuzz_check(u->tx.count == 0 || (fz.tx_stalled && !loop));
	fuzz_check(fz.sink_bytes == u->stats.tx_bytes);

	/* Timeout: armed iff FIFO data and not raised; never overdue after an access. */
	fuzz_check(!u->timeout_pending || (fifos && u->rx.count));
	fuzz_check((deadline != UINT64_MAX) == (fifos && u->rx.count && !u->timeout_pending));
	fuzz_check(deadline == UINT64_MAX || deadline > fz.now);
	fuzz_check(!u->in_tx);

	/* Events: every change reported, and as many as the counters count. */
	fuzz_check(!fz.irq_unreported);
	fuzz_check(fz.ier == u->ier && fz.lcr == u->lcr && fz.mcr == u->mcr);
	fuzz_check(fz.divisor == u->divisor);
	fuzz_check(fz.nr_events[UART_EVENT_TX] == u->stats.tx_bytes);
	fuzz_check(fz.nr_events[UART_EVENT_RX] == u->stats.rx_bytes);
	fuzz_check(fz.nr_events[UART_EVENT_TX_DROPPED] == u->stats.tx_dropped);
	fuzz_check(fz.nr_events[UART_EVENT_OVERRUN] == u->stats.rx_overruns);
}

static void fuzz_clock_step(uint64_t delta)
{
	fz.now = fz.now > UINT64_MAX - delta ? UINT64_MAX : fz.now + delta;
	/* The glue's timer fires once its deadline has passed, maybe late. */
	if (uart_next_deadline(&fz.u, fz.now) <= fz.now)
		uart_advance(&fz.u, fz.now);
}

static void fuzz_receive(const uint8_t **data, size_t *size)
{
	size_t len = fuzz_byte(data, size) % (2 * UART_FIFO_SIZE + 2);
	size_t room = uart_rx_room(&fz.u);
	size_t n;

	if (len > *size)
		len = *size;
	n = uart_receive(&fz.u, *data, len, fz.now);
	fuzz_check(n == (len < room ? len : room));
	if (n < len)
		fz.rx_blocked = true;
	*data += len;
	*size -= len;
}

/* The formatter must take any record, not only those the model emits. */
static void fuzz_format_record(const uint8_t **data, size_t *size)
{
	struct dev_event ev = { .source = DEV_EVENT_UART };
	unsigned i, j;

	ev.type = fuzz_byte(data, size) % (UART_EVENT_NR + 2);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			ev.arg[i] |= (uint32_t)fuzz_byte(data, size) << (8 * j);
	fuzz_check_format(&ev);
}

static void fuzz_misc(uint8_t selector, const uint8_t **data, size_t *size)
{
	switch (selector % 5) {
	case 0:
		uart_reset(&fz.u);	/* the counts go on: they are the VMM's, not the chip's */
		break;
	case 1:
		fz.refill_on_rx_room = !fz.refill_on_rx_room;
		break;
	case 2:
		/* A spurious early timer: must change nothing. */
		uart_advance(&fz.u, fz.now);
		break;
	case 3:
		fuzz_format_record(data, size);
		break;
	default:
		/* uart_next_deadline() is pure: asking twice gives the same answer. */
		fuzz_check(uart_next_deadline(&fz.u, fz.now) ==
			   uart_next_deadline(&fz.u, fz.now));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uart_sink sink = {
		.tx = fuzz_sink_tx,
		.rx_room = fuzz_sink_rx_room,
		.opaque = NULL,
	};

	memset(&fz, 0, sizeof(fz));
	fz.now = 1;
	fz.sink_accepts = true;
	uart_init(&fz.u, irq_line_connect(fuzz_irq_set, NULL, 4), sink);
	/* As the VMM does: listen after init. */
	fz.u.events = (struct dev_events){ .emit = fuzz_event };
	fuzz_events_resync();
	fuzz_check_invariants();

	while (size > 0) {
		uint8_t op = fuzz_byte(&data, &size);
		uint8_t a, b, c;

		switch (op % FUZZ_NR_OPS) {
		case FUZZ_OP_WRITE:
			a = fuzz_byte(&data, &size);
			b = fuzz_byte(&data, &size);
			/* Mostly real registers, sometimes offsets past the end. */
			uart_write(&fz.u, (a & 0x80) ? a : a % UART_NR_REGS, b, fz.now);
			break;
		case FUZZ_OP_READ:
			a = fuzz_byte(&data, &size);
			uart_read(&fz.u, (a & 0x80) ? a : a % UART_NR_REGS, fz.now);
			break;
		case FUZZ_OP_RECEIVE:
			fuzz_receive(&data, &size);
			break;
		case FUZZ_OP_CLOCK:
			a = fuzz_byte(&data, &size);
			b = fuzz_byte(&data, &size);
			c = fuzz_byte(&data, &size);
			fuzz_clock_step((uint64_t)(a | b << 8) << (c % 48));
			break;
		case FUZZ_OP_SINK_TOGGLE:
			fz.sink_accepts = !fz.sink_accepts;
			break;
		case FUZZ_OP_TX_RESUME:
			if (fz.sink_accepts)
				fz.tx_stalled = false;
			uart_tx_resume(&fz.u, fz.now);
			break;
		case FUZZ_OP_TO_DEADLINE: {
			uint64_t deadline = uart_next_deadline(&fz.u, fz.now);

			if (deadline != UINT64_MAX && deadline > fz.now)
				fz.now = deadline;
			uart_advance(&fz.u, fz.now);
			break;
		}
		default:
			fuzz_misc(fuzz_byte(&data, &size), &data, &size);
			break;
		}
		fuzz_check_invariants();
	}
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "fuzz_replay.h"
#endif
