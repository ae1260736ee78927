// SPDX-License-Identifier: MIT
/*
 * 16550A UART model.  See uart16550.h for the interface; the comments
 * here explain the choices and cite the PC16550D data sheet.
 *
 * State that the chip derives from other state (LSR.DR, THRE, TEMT, the
 * IIR code) is derived here too instead of being stored twice, so it
 * cannot go stale.  Every entry point ends in uart_end_access(), which
 * recomputes the interrupt output through uart_update_irq() and tells
 * the console when the receiver got room again.
 */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "uart16550.h"

#define NSEC_PER_SEC		1000000000ull

/* Datasheet "FIFO Interrupt Mode Operation": the timeout is 4 character times. */
#define UART_TIMEOUT_CHARS	4

/*
 * The divisor latch is undefined after power-on (the datasheet's "UART
 * Reset Configuration" table leaves it out).  12 is 9600 baud, what PC BIOSes program and what
 * QEMU resets to.
 */
#define UART_DIVISOR_RESET	12

/*
 * Modem inputs outside loopback: we pretend a terminal is connected and
 * ready (carrier, data set ready, clear to send), as QEMU does, so that
 * drivers that wait for CTS or DCD before sending do not stall.
 */
#define UART_MSR_TERMINAL	(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

_Static_assert(UART_EVENT_NR <= DEV_EVENT_MAX_TYPES, "too many UART event types");

/* --- Events ----------------------------------------------------------- */

static void uart_emit(const struct uart *u, enum uart_event type, uint32_t a0, uint32_t a1,
		      uint32_t a2)
{
	dev_event_emit(&u->events, DEV_EVENT_UART, type, 0, a0, a1, a2);
}

/* --- FIFOs ------------------------------------------------------------ */

static void uart_fifo_clear(struct uart_fifo *f)
{
	f->head = 0;
	f->count = 0;
}

static void uart_fifo_push(struct uart_fifo *f, uint8_t byte)
{
	if (f->count >= UART_FIFO_SIZE)
		return;
	f->data[(f->head + f->count) % UART_FIFO_SIZE] = byte;
	f->count++;
}

static uint8_t uart_fifo_peek(const struct uart_fifo *f)
{
	return f->data[f->head % UART_FIFO_SIZE];
}

/* The newest byte, which an overwrite replaces. */
static uint8_t *uart_fifo_tail(struct uart_fifo *f)
{
	return &f->data[(f->head + f->count - 1) % UART_FIFO_SIZE];
}

static uint8_t uart_fifo_pop(struct uart_fifo *f)
{
	uint8_t byte;

	if (f->count == 0)
		return 0;
	byte = uart_fifo_peek(f);
	f->head = (f->head + 1) % UART_FIFO_SIZE;
	f->count--;
	return byte;
}

/* --- Derived state ---------------------------------------------------- */

static bool uart_fifos_enabled(const struct uart *u)
{
	return u->fcr & UART_FCR_FIFO_ENABLE;
}

static bool uart_loopback(const struct uart *u)
{
	return u->mcr & UART_MCR_LOOP;
}

/* Depth of RBR/THR: 1 in 16450 mode, the whole FIFO with FCR bit 0 set. */
static unsigned uart_depth(const struct uart *u)
{
	return uart_fifos_enabled(u) ? UART_FIFO_SIZE : 1;
}

/* Datasheet "FIFO Control Register", bits 6-7: RCVR FIFO trigger level. */
static unsigned uart_rx_trigger(const struct uart *u)
{
	switch (u->fcr & UART_FCR_TRIGGER_MASK) {
	case UART_FCR_TRIGGER_4:
		return 4;
	case UART_FCR_TRIGGER_8:
		return 8;
	case UART_FCR_TRIGGER_14:
		return 14;
	default:
		return 1;
	}
}

static uint8_t uart_lsr(const struct uart *u)
{
	uint8_t lsr = u->lsr_errors;

	if (u->rx.count)
		lsr |= UART_LSR_DR;
	/*
	 * The line is infinitely fast, so the shift register is never
	 * busy: THR/FIFO empty means the transmitter is empty (TEMT).
	 * UART_LSR_RCVR_FIFO_ERR flags a PE/FE/BI byte in the FIFO; none
	 * can arise here (the console sends bytes, loopback uses the same
	 * frame format on both ends), so it stays 0.
	 */
	if (u->tx.count == 0)
		lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	return lsr;
}

/*
 * The modem inputs CTS/DSR/RI/DCD in MSR bit positions.  In loopback the
 * datasheet ("Modem Control Register", bit 4) connects them internally
 * to RTS, DTR, OUT1 and OUT2.
 */
static uint8_t uart_modem_inputs(const struct uart *u)
{
	uint8_t in = 0;

	if (!uart_loopback(u))
		return UART_MSR_TERMINAL;
	if (u->mcr & UART_MCR_RTS)
		in |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		in |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		in |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		in |= UART_MSR_DCD;
	return in;
}

/*
 * The highest-priority pending interrupt, as IIR bits 3:0 (datasheet
 * "Interrupt Control Functions" table): line status > received data / character timeout > THR
 * empty > modem status.  Masked sources are not pending.
 */
static uint8_t uart_iir_id(const struct uart *u)
{
	if ((u->ier & UART_IER_ELSI) && (u->lsr_errors & UART_LSR_ERRORS))
		return UART_IIR_ID_RLS;
	/* The timeout shares ERBFI with received data (datasheet "Interrupt Enable Register"). */
	if ((u->ier & UART_IER_ERBFI) && u->timeout_pending)
		return UART_IIR_ID_CTI;
	if ((u->ier & UART_IER_ERBFI) && u->rx.count &&
	    (!uart_fifos_enabled(u) || u->rx.count >= uart_rx_trigger(u)))
		return UART_IIR_ID_RDA;
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
		return UART_IIR_ID_THRE;
	if ((u->ier & UART_IER_EDSSI) && u->msr_deltas)
		return UART_IIR_ID_MS;
	return UART_IIR_NO_INT;
}

static uint8_t uart_iir(const struct uart *u)
{
	return uart_iir_id(u) | (uart_fifos_enabled(u) ? UART_IIR_FIFOS_ENABLED : 0);
}

/*
 * On a PC the chip's INTR pin reaches the PIC through a buffer enabled
 * by the OUT2 pin, so without MCR.OUT2 the line stays low.  In loopback
 * the datasheet ("Modem Control Register", bit 4) forces the modem
 * output pins, OUT2 included, to their inactive state: the chip still
 * computes its interrupts (IIR shows them) but on a PC none reaches the
 * PIC.  We follow the PC.  QEMU differs: it ignores OUT2 altogether.
 */
static bool uart_out2_pin(const struct uart *u)
{
	return (u->mcr & UART_MCR_OUT2) && !uart_loopback(u);
}

/*
 * Recompute the interrupt output; call whenever it may have changed.
 * The line itself filters out non-changes, so the event follows its
 * level rather than keeping a second copy that a reset could desync.
 */
static void uart_update_irq(struct uart *u)
{
	bool was = u->irq.level;

	irq_line_set(&u->irq, uart_iir_id(u) != UART_IIR_NO_INT && uart_out2_pin(u));
	if (u->irq.level != was)
		uart_emit(u, UART_EVENT_IRQ, u->irq.level, uart_iir(u), 0);
}

/* --- Character timeout ------------------------------------------------ */

uint64_t uart_char_time_ns(const struct uart *u)
{
	unsigned data_bits = 5 + (u->lcr & UART_LCR_WLS_MASK);
	uint64_t half_bits, divisor;

	/* Counted in half bits because 5-bit words with STB use 1.5 stop bits. */
	half_bits = 2 * (1 + data_bits + ((u->lcr & UART_LCR_PEN) ? 1 : 0));
	if (!(u->lcr & UART_LCR_STB))
		half_bits += 2;
	else if (data_bits == 5)
		half_bits += 3;
	else
		half_bits += 4;
	/*
	 * The datasheet forbids divisor 0.  We treat it as 65536, the
	 * slowest rate a 16-bit down-counter reaches: harmless and bounded.
	 */
	divisor = u->divisor ? u->divisor : 65536;
	/* One bit lasts 16 clocks of the baud generator output (XIN / divisor). */
	return half_bits * 16 * divisor * NSEC_PER_SEC / (2 * (uint64_t)UART_CLOCK_HZ);
}

static bool uart_timeout_armed(const struct uart *u)
{
	return uart_fifos_enabled(u) && u->rx.count && !u->timeout_pending;
}

uint64_t uart_next_deadline(const struct uart *u, uint64_t now_ns)
{
	uint64_t wait;

	(void)now_ns;
	if (!uart_timeout_armed(u))
		return UINT64_MAX;
	wait = UART_TIMEOUT_CHARS * uart_char_time_ns(u);
	if (u->rx_activity_ns > UINT64_MAX - 1 - wait)
		return UINT64_MAX - 1;	/* saturate, but stay distinct from "never" */
	return u->rx_activity_ns + wait;
}

/*
 * Datasheet "FIFO Interrupt Mode Operation": a timeout occurs when the
 * RCVR FIFO holds at least one character and nothing went in or came
 * out for 4 character times.  It is checked at every entry point so
 * that a late timer only delays it.  Deliberate choice: we follow the
 * datasheet and also raise it when the FIFO is at or above the trigger
 * level (it then just replaces the RDA code, same priority).
 */
static void uart_check_timeout(struct uart *u, uint64_t now_ns)
{
	if (uart_timeout_armed(u) && now_ns >= uart_next_deadline(u, now_ns))
		u->timeout_pending = true;
}

/* --- Receiver --------------------------------------------------------- */

size_t uart_rx_room(const struct uart *u)
{
	if (uart_loopback(u) || u->rx.count >= uart_depth(u))
		return 0;
	return uart_depth(u) - u->rx.count;
}

/* --- Access epilogue -------------------------------------------------- */

/*
 * Every entry point ends here.  Check the timeout again (an LCR or
 * divisor write may have shortened the character time so that it is
 * already due), recompute the interrupt output, then, last, tell the
 * console if a full receiver got room (RBR read, FIFO reset, FIFO mode
 * change, loopback off, reset).
 */
static void uart_end_access(struct uart *u, size_t room_before, uint64_t now_ns)
{
	uart_check_timeout(u, now_ns);
	uart_update_irq(u);
	if (room_before == 0 && uart_rx_room(u) > 0 && u->sink.rx_room)
		u->sink.rx_room(u->sink.opaque);
}

static void uart_rx_clear(struct uart *u)
{
	uart_fifo_clear(&u->rx);
	u->timeout_pending = false;
}

/*
 * A byte coming out of our own transmitter in loopback.  Unlike the
 * console, the transmitter does not wait for room, so this is the one
 * place an overrun can happen (datasheet "Line Status Register", bit 1):
 * in FIFO mode the new character is lost and the FIFO kept; in 16450
 * mode it overwrites the unread RBR.
 */
static void uart_rx_overrun(struct uart *u, uint8_t byte)
{
	uint8_t lost = byte;

	u->lsr_errors |= UART_LSR_OE;
	u->stats.rx_overruns++;
	if (!uart_fifos_enabled(u) && u->rx.count) {
		lost = *uart_fifo_tail(&u->rx);
		*uart_fifo_tail(&u->rx) = byte;
	}
	uart_emit(u, UART_EVENT_OVERRUN, lost, 0, 0);
}

static void uart_rx_loopback(struct uart *u, uint8_t byte, uint64_t now_ns)
{
	uart_emit(u, UART_EVENT_LOOPBACK, byte, 0, 0);
	if (u->rx.count < uart_depth(u))
		uart_fifo_push(&u->rx, byte);
	else
		uart_rx_overrun(u, byte);
	u->rx_activity_ns = now_ns;
}

static uint8_t uart_read_rbr(struct uart *u, uint64_t now_ns)
{
	/* Reading an empty RBR returns its stale contents, as the latch would. */
	if (u->rx.count) {
		u->rbr = uart_fifo_pop(&u->rx);
		/* "the timer reset when the CPU reads one character from the RCVR FIFO" */
		u->rx_activity_ns = now_ns;
	}
	u->timeout_pending = false;
	return u->rbr;
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len, uint64_t now_ns)
{
	size_t room, n, i;

	if (buf == NULL)
		return 0;
	uart_check_timeout(u, now_ns);
	room = uart_rx_room(u);
	n = len < room ? len : room;
	for (i = 0; i < n; i++) {
		uart_fifo_push(&u->rx, buf[i]);
		uart_emit(u, UART_EVENT_RX, buf[i], 0, 0);
	}
	if (n) {
		/*
		 * "the timeout timer is reset after a new character is
		 * received"; a timeout already raised stays until RBR is read.
		 */
		u->rx_activity_ns = now_ns;
		u->stats.rx_bytes += n;
	}
	/* Room only shrinks here, so this never calls sink.rx_room. */
	uart_end_access(u, room, now_ns);
	return n;
}

void uart_receive_overrun(struct uart *u, const uint8_t *buf, size_t len, uint64_t now_ns)
{
	size_t room, n;

	if (buf == NULL || len == 0)
		return;
	/* What fits is received as usual (events, stats, timeout)... */
	n = uart_receive(u, buf, len, now_ns);
	room = uart_rx_room(u);
	/* ...and in loopback the serial input is disconnected: nothing arrives. */
	if (n == len || uart_loopback(u))
		return;
	uart_check_timeout(u, now_ns);
	for (; n < len; n++)
		uart_rx_overrun(u, buf[n]);
	/* A character completed in the shift register: the timeout restarts. */
	u->rx_activity_ns = now_ns;
	uart_end_access(u, room, now_ns);
}

/* --- Transmitter ------------------------------------------------------ */

static void uart_tx_empty_now(struct uart *u, bool was_busy)
{
	/* The THRE interrupt is raised when THR/the XMIT FIFO becomes empty. */
	if (was_busy && u->tx.count == 0)
		u->thre_pending = true;
}

/*
 * Move waiting bytes out of the transmitter: to the receiver in
 * loopback, else to the sink until it refuses one.
 */
static void uart_tx_drain(struct uart *u, uint64_t now_ns)
{
	bool was_busy = u->tx.count > 0;

	/* A sink that calls uart_tx_resume() from its tx callback must not recurse. */
	if (u->in_tx)
		return;
	u->in_tx = true;
	while (u->tx.count) {
		uint8_t byte = uart_fifo_peek(&u->tx);

		if (uart_loopback(u)) {
			uart_rx_loopback(u, byte, now_ns);
		} else {
			if (u->sink.tx && !u->sink.tx(u->sink.opaque, byte))
				break;
			u->stats.tx_bytes++;
			uart_emit(u, UART_EVENT_TX, byte, 0, 0);
		}
		uart_fifo_pop(&u->tx);
	}
	u->in_tx = false;
	uart_tx_empty_now(u, was_busy);
}

static void uart_write_thr(struct uart *u, uint8_t value, uint64_t now_ns)
{
	if (u->tx.count < uart_depth(u)) {
		uart_fifo_push(&u->tx, value);
	} else if (uart_fifos_enabled(u)) {
		/* A write to a full XMIT FIFO is lost. */
		u->stats.tx_dropped++;
		uart_emit(u, UART_EVENT_TX_DROPPED, value, 0, 0);
	} else {
		/* THR is a plain latch in 16450 mode: the new byte replaces the waiting one. */
		uint8_t lost = *uart_fifo_tail(&u->tx);

		*uart_fifo_tail(&u->tx) = value;
		u->stats.tx_dropped++;
		uart_emit(u, UART_EVENT_TX_DROPPED, lost, 1, 0);
	}
	/*
	 * Writing THR clears the THRE interrupt.  Let the line fall now,
	 * before the byte leaves and THRE comes back: on the chip the line
	 * stays low at least one character time, and a driver behind an
	 * edge-triggered 8259 that refills THR from LSR.THRE alone, without
	 * reading IIR, relies on that new rising edge for its next interrupt.
	 */
	u->thre_pending = false;
	uart_update_irq(u);
	uart_tx_drain(u, now_ns);
}

static void uart_tx_clear(struct uart *u)
{
	bool was_busy = u->tx.count > 0;

	uart_fifo_clear(&u->tx);
	uart_tx_empty_now(u, was_busy);
}

/* --- Register writes -------------------------------------------------- */

static void uart_write_ier(struct uart *u, uint8_t value)
{
	uint8_t old = u->ier;

	u->ier = value & UART_IER_MASK;
	/*
	 * Enabling ETBEI while THR is empty raises the THRE interrupt even
	 * if an IIR read had cleared it.  Not spelled out in the datasheet,
	 * but real 16550s do it and Linux depends on it: the THRE test in
	 * serial8250_do_startup() and __start_tx() setting IER.THRI to kick
	 * off transmission.
	 */
	if (!(old & UART_IER_ETBEI) && (u->ier & UART_IER_ETBEI) && u->tx.count == 0)
		u->thre_pending = true;
	uart_emit(u, UART_EVENT_IER, old, u->ier, 0);
}

/*
 * Datasheet "FIFO Control Register": bit 0 must be set for the other
 * bits to be programmed, and changing bit 0 clears both FIFOs.
 */
static void uart_write_fcr(struct uart *u, uint8_t value)
{
	bool enable = value & UART_FCR_FIFO_ENABLE;

	if (enable != uart_fifos_enabled(u)) {
		uart_rx_clear(u);
		uart_tx_clear(u);
	}
	if (!enable) {
		u->fcr = 0;
	} else {
		if (value & UART_FCR_RCVR_RESET)
			uart_rx_clear(u);
		if (value & UART_FCR_XMIT_RESET)
			uart_tx_clear(u);
		u->fcr = value & (UART_FCR_FIFO_ENABLE | UART_FCR_DMA_MODE | UART_FCR_TRIGGER_MASK);
	}
	uart_emit(u, UART_EVENT_FCR, value, enable, uart_rx_trigger(u));
}

/*
 * Latch delta bits for modem inputs that changed (datasheet "Modem
 * Status Register"): DCTS, DDSR and DDCD on any change, TERI only when
 * RI goes from on to off.
 */
static void uart_update_modem_inputs(struct uart *u)
{
	uint8_t in = uart_modem_inputs(u);
	uint8_t changed = in ^ u->msr_inputs;

	if (changed & UART_MSR_CTS)
		u->msr_deltas |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr_deltas |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		u->msr_deltas |= UART_MSR_DDCD;
	if ((changed & UART_MSR_RI) && !(in & UART_MSR_RI))
		u->msr_deltas |= UART_MSR_TERI;
	u->msr_inputs = in;
}

static void uart_write_mcr(struct uart *u, uint8_t value, uint64_t now_ns)
{
	uint8_t old = u->mcr;

	u->mcr = value & UART_MCR_MASK;
	uart_emit(u, UART_EVENT_MCR, old, u->mcr, 0);
	uart_update_modem_inputs(u);
	/* Bytes held back by the sink go to the receiver once loopback is on. */
	uart_tx_drain(u, now_ns);
}

/*
 * DLL and DLM are written one byte at a time, so a divisor change takes
 * up to two writes; each that changes the latch is reported, a rewrite
 * of the same byte is not (it changes neither rate nor timing).
 */
static void uart_write_divisor(struct uart *u, uint16_t divisor)
{
	if (divisor == u->divisor)
		return;
	u->divisor = divisor;
	/* Divisor 0 runs as 65536, see uart_char_time_ns(). */
	uart_emit(u, UART_EVENT_DIVISOR, divisor, UART_CLOCK_HZ / 16 / (divisor ? divisor : 65536u),
		  0);
}

static void uart_write_lcr(struct uart *u, uint8_t value)
{
	uint8_t old = u->lcr;

	/* Break (SBRK) has nowhere to go: the sink carries bytes only. */
	u->lcr = value;
	uart_emit(u, UART_EVENT_LCR, old, value, 0);
}

/* --- Public entry points ---------------------------------------------- */

/* Power-on state of everything but the wiring and the counts, which are
 * the VMM's (datasheet "UART Reset Configuration"). */
static void uart_reset_state(struct uart *u)
{
	struct irq_line irq = u->irq;
	struct uart_sink sink = u->sink;
	struct dev_events events = u->events;
	struct uart_stats stats = u->stats;

	memset(u, 0, sizeof(*u));
	u->irq = irq;
	u->sink = sink;
	u->events = events;
	u->stats = stats;
	/* IER, FCR, LCR, MCR, SCR 0; LSR 0x60 and IIR 0x01 follow from the empty state. */
	u->divisor = UART_DIVISOR_RESET;
	u->msr_inputs = uart_modem_inputs(u);	/* MSR deltas 0, inputs as seen */
}

void uart_init(struct uart *u, struct irq_line irq, struct uart_sink sink)
{
	u->irq = irq;
	u->sink = sink;
	/* Nobody listens yet: the VMM sets u->events after init. */
	u->events = (struct dev_events){ 0 };
	u->stats = (struct uart_stats){ 0 };
	uart_reset_state(u);
	uart_update_irq(u);
}

void uart_reset(struct uart *u)
{
	size_t room_before = uart_rx_room(u);

	uart_reset_state(u);
	uart_emit(u, UART_EVENT_RESET, 0, 0, 0);
	/* The FIFOs are off after reset, so no timeout can be armed: time 0 will do. */
	uart_end_access(u, room_before, 0);
}

uint8_t uart_peek(const struct uart *u, unsigned offset)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_REG_RBR:
		if (dlab)
			return (uint8_t)(u->divisor & 0xff);
		return u->rx.count ? uart_fifo_peek(&u->rx) : u->rbr;
	case UART_REG_IER:
		if (dlab)
			return (uint8_t)(u->divisor >> 8);
		return u->ier;
	case UART_REG_IIR:
		return uart_iir(u);
	case UART_REG_LCR:
		return u->lcr;
	case UART_REG_MCR:
		return u->mcr;
	case UART_REG_LSR:
		return uart_lsr(u);
	case UART_REG_MSR:
		return u->msr_inputs | u->msr_deltas;
	case UART_REG_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

uint8_t uart_read(struct uart *u, unsigned offset, uint64_t now_ns)
{
	size_t room_before = uart_rx_room(u);
	uint8_t value;

	if (offset >= UART_NR_REGS)
		return 0xff;
	uart_check_timeout(u, now_ns);
	value = uart_peek(u, offset);

	switch (offset) {
	case UART_REG_RBR:
		if (!(u->lcr & UART_LCR_DLAB))
			value = uart_read_rbr(u, now_ns);
		break;
	case UART_REG_IIR:
		/* Reading IIR clears the THRE interrupt only when IIR reports it. */
		if ((value & UART_IIR_ID_MASK) == UART_IIR_ID_THRE)
			u->thre_pending = false;
		break;
	case UART_REG_LSR:
		u->lsr_errors = 0;
		break;
	case UART_REG_MSR:
		u->msr_deltas = 0;
		break;
	default:
		break;
	}
	uart_end_access(u, room_before, now_ns);
	return value;
}

void uart_write(struct uart *u, unsigned offset, uint8_t value, uint64_t now_ns)
{
	size_t room_before = uart_rx_room(u);
	bool dlab = u->lcr & UART_LCR_DLAB;

	if (offset >= UART_NR_REGS)
		return;
	uart_check_timeout(u, now_ns);

	switch (offset) {
	case UART_REG_THR:
		if (dlab)
			uart_write_divisor(u, (u->divisor & 0xff00) | value);
		else
			uart_write_thr(u, value, now_ns);
		break;
	case UART_REG_IER:
		if (dlab)
			uart_write_divisor(u, (u->divisor & 0x00ff) | (uint16_t)(value << 8));
		else
			uart_write_ier(u, value);
		break;
	case UART_REG_FCR:
		uart_write_fcr(u, value);
		break;
	case UART_REG_LCR:
		uart_write_lcr(u, value);
		break;
	case UART_REG_MCR:
		uart_write_mcr(u, value, now_ns);
		break;
	case UART_REG_LSR:
	case UART_REG_MSR:
		/*
		 * The datasheet reserves LSR writes for factory testing; MSR
		 * is read-only.  Both writes are ignored.
		 */
		break;
	case UART_REG_SCR:
		u->scr = value;
		break;
	default:
		break;
	}
	uart_end_access(u, room_before, now_ns);
}

void uart_tx_resume(struct uart *u, uint64_t now_ns)
{
	size_t room_before = uart_rx_room(u);

	uart_check_timeout(u, now_ns);
	uart_tx_drain(u, now_ns);
	uart_end_access(u, room_before, now_ns);
}

void uart_advance(struct uart *u, uint64_t now_ns)
{
	size_t room_before = uart_rx_room(u);

	uart_check_timeout(u, now_ns);
	uart_end_access(u, room_before, now_ns);
}

/* --- Event names and formatter ------------------------------------------ */

const char *const uart_event_names[UART_EVENT_NR] = {
	[UART_EVENT_IER] = "IER",
	[UART_EVENT_LCR] = "LCR",
	[UART_EVENT_MCR] = "MCR",
	[UART_EVENT_FCR] = "FCR",
	[UART_EVENT_DIVISOR] = "divisor",
	[UART_EVENT_TX] = "tx",
	[UART_EVENT_RX] = "rx",
	[UART_EVENT_TX_DROPPED] = "tx-dropped",
	[UART_EVENT_OVERRUN] = "overrun",
	[UART_EVENT_IRQ] = "irq",
	[UART_EVENT_LOOPBACK] = "loopback",
	[UART_EVENT_RESET] = "reset",
};

/*
 * An output buffer filled piece by piece with snprintf semantics: len
 * counts everything asked for, only what fits is written, and buf stays
 * NUL-terminated whenever size > 0.
 */
struct uart_out {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void uart_outf(struct uart_out *o, const char *fmt, ...)
{
	size_t off = o->len < o->size ? o->len : o->size;
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* Past the end (or size 0, buf maybe NULL): only measure. */
	if (off < o->size)
		n = vsnprintf(o->buf + off, o->size - off, fmt, ap);
	else
		n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* A byte as hex, and as a quoted character when it is printable ASCII. */
static void uart_out_byte(struct uart_out *o, uint32_t byte)
{
	uart_outf(o, "0x%02x", byte & 0xff);
	if (byte >= 0x20 && byte < 0x7f)
		uart_outf(o, " '%c'", (char)byte);
}

static const char *uart_iir_name(uint32_t iir)
{
	switch (iir & UART_IIR_ID_MASK) {
	case UART_IIR_NO_INT:
		return "none";
	case UART_IIR_ID_MS:
		return "modem status";
	case UART_IIR_ID_THRE:
		return "THRE";
	case UART_IIR_ID_RDA:
		return "RX data";
	case UART_IIR_ID_RLS:
		return "line status";
	case UART_IIR_ID_CTI:
		return "RX timeout";
	default:
		return "?";
	}
}

/* The IER bits that changed, each as "<source> interrupt on/off". */
static void uart_out_ier(struct uart_out *o, uint32_t old, uint32_t new)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} bits[] = {
		{ UART_IER_ERBFI, "RX data" },
		{ UART_IER_ETBEI, "THRE" },
		{ UART_IER_ELSI, "line status" },
		{ UART_IER_EDSSI, "modem status" },
	};
	unsigned i;

	/* The bits are in ascending order: a lower one set means a name came before. */
	uart_outf(o, "IER 0x%02x -> 0x%02x (", old & 0xff, new & 0xff);
	if (old == new)
		uart_outf(o, "unchanged");
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if ((old ^ new) & bits[i].bit)
			uart_outf(o, "%s%s interrupt %s", (old ^ new) & (bits[i].bit - 1) ? ", " : "",
				  bits[i].name, (new & bits[i].bit) ? "on" : "off");
	}
	uart_outf(o, ")");
}

/* Frame format as a terminal program writes it: 8N1, 7E2, 5N1.5; then break and DLAB. */
static void uart_out_lcr(struct uart_out *o, uint32_t old, uint32_t new)
{
	unsigned data_bits = 5 + (new & UART_LCR_WLS_MASK);
	char parity = 'N';

	if (new & UART_LCR_PEN) {
		/* Stick parity: EPS set forces the bit to 0 (space), clear to 1 (mark). */
		if (new & UART_LCR_STICK)
			parity = (new & UART_LCR_EPS) ? 'S' : 'M';
		else
			parity = (new & UART_LCR_EPS) ? 'E' : 'O';
	}
	uart_outf(o, "LCR 0x%02x (%u%c%s", new & 0xff, data_bits, parity,
		  !(new & UART_LCR_STB) ? "1" : data_bits == 5 ? "1.5" : "2");
	if (new & UART_LCR_SBRK)
		uart_outf(o, ", break on");
	else if (old & UART_LCR_SBRK)
		uart_outf(o, ", break off");
	if (new & UART_LCR_DLAB)
		uart_outf(o, ", DLAB on");
	else if (old & UART_LCR_DLAB)
		uart_outf(o, ", DLAB off");
	uart_outf(o, ")");
}

static void uart_out_mcr(struct uart_out *o, uint32_t new)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} bits[] = {
		{ UART_MCR_DTR, "DTR" },
		{ UART_MCR_RTS, "RTS" },
		{ UART_MCR_OUT1, "OUT1" },
		{ UART_MCR_OUT2, "OUT2" },
		{ UART_MCR_LOOP, "LOOP" },
	};
	unsigned i;

	/* Ascending bits again: a lower one set means a name came before. */
	uart_outf(o, "MCR 0x%02x (", new & 0xff);
	if (!(new & UART_MCR_MASK))
		uart_outf(o, "all off");
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (new & bits[i].bit)
			uart_outf(o, "%s%s", new & (bits[i].bit - 1) ? " " : "", bits[i].name);
	}
	uart_outf(o, ")");
}

static void uart_out_fcr(struct uart_out *o, uint32_t value, uint32_t enabled, uint32_t trigger)
{
	uart_outf(o, "FCR 0x%02x (FIFOs %s", value & 0xff, enabled ? "on" : "off");
	/* With bit 0 clear the chip ignores the other bits. */
	if (enabled) {
		uart_outf(o, ", trigger %u", trigger);
		if (value & UART_FCR_RCVR_RESET)
			uart_outf(o, ", RX reset");
		if (value & UART_FCR_XMIT_RESET)
			uart_outf(o, ", TX reset");
		if (value & UART_FCR_DMA_MODE)
			uart_outf(o, ", DMA mode");
	}
	uart_outf(o, ")");
}

int uart_event_format(const struct dev_event *ev, char *buf, size_t size)
{
	struct uart_out o = { .buf = buf, .size = size };
	const uint32_t *a = ev->arg;

	if (size)
		buf[0] = '\0';
	switch (ev->type) {
	case UART_EVENT_IER:
		uart_out_ier(&o, a[0], a[1]);
		break;
	case UART_EVENT_LCR:
		uart_out_lcr(&o, a[0], a[1]);
		break;
	case UART_EVENT_MCR:
		uart_out_mcr(&o, a[1]);
		break;
	case UART_EVENT_FCR:
		uart_out_fcr(&o, a[0], a[1], a[2]);
		break;
	case UART_EVENT_DIVISOR:
		uart_outf(&o, "divisor %u (%u baud%s)", a[0], a[1],
			  a[0] ? "" : ", forbidden: runs as 65536");
		break;
	case UART_EVENT_TX:
	case UART_EVENT_RX:
	case UART_EVENT_LOOPBACK:
	case UART_EVENT_OVERRUN:
		uart_outf(&o, "%s ", uart_event_names[ev->type]);
		uart_out_byte(&o, a[0]);
		if (ev->type == UART_EVENT_OVERRUN)
			uart_outf(&o, " lost");
		break;
	case UART_EVENT_TX_DROPPED:
		uart_outf(&o, "tx-dropped ");
		uart_out_byte(&o, a[0]);
		uart_outf(&o, " (%s)", a[1] ? "THR overwritten" : "XMIT FIFO full");
		break;
	case UART_EVENT_IRQ:
		if (a[0])
			uart_outf(&o, "irq high (IIR 0x%02x: %s)", a[1] & 0xff, uart_iir_name(a[1]));
		else if ((a[1] & UART_IIR_ID_MASK) != UART_IIR_NO_INT)
			uart_outf(&o, "irq low (IIR 0x%02x: %s held off by OUT2/loopback)",
				 a[1] & 0xff, uart_iir_name(a[1]));
		else
			uart_outf(&o, "irq low");
		break;
	case UART_EVENT_RESET:
		uart_outf(&o, "reset");
		break;
	default:
		uart_outf(&o, "event %u", ev->type);
		break;
	}
	return o.len > INT_MAX ? INT_MAX : (int)o.len;
}
