/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEVICES_UART16550_H
#define MINIVMM_DEVICES_UART16550_H

/*
 * A 16550A UART (National/TI PC16550D) as wired on a PC's COM port.
 *
 * The model is pure register logic: the bus glue hands it register
 * offsets 0-7 and the current time, the console side is an injected
 * struct uart_sink, the interrupt leaves through a struct irq_line.
 * The serial line is infinitely fast: a byte written to THR reaches the
 * sink at once, unless the sink pushes back.  Only the receiver's
 * character-timeout indication needs a clock, and it is computed from
 * the programmed divisor and frame format, as on the chip.
 *
 * "Datasheet" below means the TI/National PC16550D data sheet; section
 * names are quoted from it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "irq.h"

/* Register offsets from the base port (datasheet "Summary of Registers"). */
#define UART_REG_RBR	0	/* read, DLAB=0: Receiver Buffer */
#define UART_REG_THR	0	/* write, DLAB=0: Transmitter Holding */
#define UART_REG_DLL	0	/* DLAB=1: Divisor Latch, low byte */
#define UART_REG_IER	1	/* DLAB=0: Interrupt Enable */
#define UART_REG_DLM	1	/* DLAB=1: Divisor Latch, high byte */
#define UART_REG_IIR	2	/* read: Interrupt Ident. */
#define UART_REG_FCR	2	/* write: FIFO Control */
#define UART_REG_LCR	3	/* Line Control */
#define UART_REG_MCR	4	/* Modem Control */
#define UART_REG_LSR	5	/* Line Status */
#define UART_REG_MSR	6	/* Modem Status */
#define UART_REG_SCR	7	/* Scratch */
#define UART_NR_REGS	8

/* Interrupt Enable Register. Bits 4-7 are always 0 on a 16550A. */
#define UART_IER_ERBFI	0x01	/* received data available (and FIFO timeout) */
#define UART_IER_ETBEI	0x02	/* transmitter holding register empty */
#define UART_IER_ELSI	0x04	/* receiver line status */
#define UART_IER_EDSSI	0x08	/* modem status */
#define UART_IER_MASK	0x0f

/* Interrupt Identification Register (datasheet "Interrupt Control Functions"). */
#define UART_IIR_NO_INT		0x01	/* bit 0 = 1: no interrupt pending */
#define UART_IIR_ID_MASK	0x0f
#define UART_IIR_ID_MS		0x00	/* modem status: read MSR to clear */
#define UART_IIR_ID_THRE	0x02	/* THR empty: read IIR or write THR to clear */
#define UART_IIR_ID_RDA		0x04	/* received data available: read RBR */
#define UART_IIR_ID_RLS		0x06	/* receiver line status: read LSR */
#define UART_IIR_ID_CTI		0x0c	/* character timeout: read RBR */
#define UART_IIR_FIFOS_ENABLED	0xc0	/* bits 7:6 = 11 while FCR bit 0 is set */

/* FIFO Control Register (write only). */
#define UART_FCR_FIFO_ENABLE	0x01
#define UART_FCR_RCVR_RESET	0x02	/* self-clearing */
#define UART_FCR_XMIT_RESET	0x04	/* self-clearing */
#define UART_FCR_DMA_MODE	0x08	/* stored, no effect: there is no DMA here */
#define UART_FCR_TRIGGER_MASK	0xc0	/* RCVR trigger level */
#define UART_FCR_TRIGGER_1	0x00
#define UART_FCR_TRIGGER_4	0x40
#define UART_FCR_TRIGGER_8	0x80
#define UART_FCR_TRIGGER_14	0xc0

/* Line Control Register. */
#define UART_LCR_WLS_MASK	0x03	/* word length: 5 + WLS bits */
#define UART_LCR_STB		0x04	/* 2 stop bits (1.5 with 5-bit words) */
#define UART_LCR_PEN		0x08	/* parity enable */
#define UART_LCR_EPS		0x10	/* even parity select */
#define UART_LCR_STICK		0x20	/* stick parity */
#define UART_LCR_SBRK		0x40	/* set break */
#define UART_LCR_DLAB		0x80	/* divisor latch access */

/* Modem Control Register. Bits 5-7 are always 0 on a 16550A. */
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08	/* on a PC: enables the IRQ driver to the PIC */
#define UART_MCR_LOOP	0x10
#define UART_MCR_MASK	0x1f

/* Line Status Register. */
#define UART_LSR_DR		0x01	/* data ready */
#define UART_LSR_OE		0x02	/* overrun error */
#define UART_LSR_PE		0x04	/* parity error */
#define UART_LSR_FE		0x08	/* framing error */
#define UART_LSR_BI		0x10	/* break interrupt */
#define UART_LSR_THRE		0x20	/* THR / TX FIFO empty */
#define UART_LSR_TEMT		0x40	/* THR and shift register empty */
#define UART_LSR_RCVR_FIFO_ERR	0x80	/* error in RCVR FIFO */
#define UART_LSR_ERRORS		(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

/* Modem Status Register. */
#define UART_MSR_DCTS	0x01	/* delta clear to send */
#define UART_MSR_DDSR	0x02	/* delta data set ready */
#define UART_MSR_TERI	0x04	/* trailing edge ring indicator */
#define UART_MSR_DDCD	0x08	/* delta data carrier detect */
#define UART_MSR_DELTAS	0x0f
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

#define UART_FIFO_SIZE	16		/* both FIFOs of the 16550A */
#define UART_CLOCK_HZ	1843200u	/* the PC's XIN crystal: divisor 1 = 115200 baud */

/* The console side of the line, injected into the UART. */
struct uart_sink {
	/*
	 * Transmit one byte to the outside world.  Returns false when the
	 * console cannot take it now: the byte then stays in the
	 * transmitter (TX FIFO/THR not empty, LSR.THRE/TEMT clear) and the
	 * console later calls uart_tx_resume() when it has room again.
	 * Never called in loopback mode.  Must not call back into the UART.
	 * NULL: an unconnected line, every byte is accepted and lost.
	 */
	bool (*tx)(void *opaque, uint8_t byte);
	/*
	 * Called when the receiver goes from full (uart_rx_room() == 0) to
	 * having room: the console stops feeding a full receiver and waits
	 * for this.  It is called last, with the UART in a consistent
	 * state, so it may call uart_receive() right away.  May be NULL.
	 */
	void (*rx_room)(void *opaque);
	void *opaque;
};

/* A byte ring; its size is UART_FIFO_SIZE, the capacity in use depends on FCR. */
struct uart_fifo {
	uint8_t data[UART_FIFO_SIZE];
	unsigned head;	/* index of the oldest byte */
	unsigned count;
};

/* Counters for the curious and for tests; the guest cannot see them. */
struct uart_stats {
	uint64_t tx_bytes;	/* bytes the sink accepted */
	uint64_t tx_dropped;	/* THR writes lost because the transmitter was full */
	uint64_t rx_bytes;	/* bytes accepted from the console */
	uint64_t rx_overruns;	/* bytes that reached a full receiver (LSR.OE): from
				 * loopback or uart_receive_overrun() */
};

/*
 * Device events (devices/events.h), source DEV_EVENT_UART, unit 0.  Each
 * is emitted after the state change it reports, so a listener sees cause
 * before effect: "IER" before the "irq" it raises, "MCR" (loopback on)
 * before the "loopback" bytes it releases.  IER, LCR, MCR and FCR writes
 * are reported even when they rewrite the same value (the write is what
 * a driver did); the divisor only when it changes; pure reads never.
 * Read side effects (IIR clearing THRE, LSR clearing errors, RBR popping
 * a byte) show up as the "irq" they cause.
 */
enum uart_event {
	UART_EVENT_IER,		/* IER written: arg0 old IER, arg1 new IER (bits 0-3) */
	UART_EVENT_LCR,		/* LCR written: arg0 old LCR, arg1 new LCR */
	UART_EVENT_MCR,		/* MCR written: arg0 old MCR, arg1 new MCR (bits 0-4) */
	UART_EVENT_FCR,		/* FCR written: arg0 value written, arg1 1 if FIFOs now
				 * enabled, arg2 RCVR trigger level now (1, 4, 8, 14) */
	UART_EVENT_DIVISOR,	/* a DLL or DLM write changed the divisor: arg0 new
				 * divisor, arg1 baud rate (UART_CLOCK_HZ / 16 / divisor,
				 * divisor 0 counted as 65536) */
	UART_EVENT_TX,		/* arg0 a byte the sink took (or an unconnected line lost) */
	UART_EVENT_RX,		/* arg0 a byte taken from the console by uart_receive() */
	UART_EVENT_TX_DROPPED,	/* a THR write to a full transmitter: arg0 the byte lost,
				 * arg1 1 if it was the waiting byte that the write
				 * replaced (16450 THR latch), 0 if it was the byte
				 * written (full XMIT FIFO) */
	UART_EVENT_OVERRUN,	/* LSR.OE: arg0 the byte lost (the new one in FIFO mode,
				 * the unread RBR in 16450 mode) */
	UART_EVENT_IRQ,		/* the interrupt line changed: arg0 new level (0/1),
				 * arg1 IIR at that moment (low with a pending IIR code:
				 * OUT2 off or loopback holds the pin inactive) */
	UART_EVENT_LOOPBACK,	/* arg0 a byte the transmitter sent to the receiver in
				 * loopback (an "overrun" follows if it did not fit) */
	UART_EVENT_RESET,	/* uart_reset(): master reset, no arguments */
	UART_EVENT_NR
};

/* Short, stable names of the event types, for traces and filters. */
extern const char *const uart_event_names[UART_EVENT_NR];

/*
 * Describe one UART event, e.g. "IER 0x00 -> 0x02 (THRE interrupt on)",
 * "tx 0x41 'A'", "irq high (IIR 0xc2: THRE)".  A dev_event_format_fn:
 * pure, snprintf semantics (never writes more than size bytes, size may
 * be 0), returns the full length.  An unknown type gives "event N".
 */
int uart_event_format(const struct dev_event *ev, char *buf, size_t size);

struct uart {
	/* Programmer-visible registers. */
	uint8_t ier;		/* bits 0-3 only */
	uint8_t lcr;
	uint8_t mcr;		/* bits 0-4 only */
	uint8_t scr;
	uint8_t fcr;		/* the FCR bits that stick: FIFO enable, DMA mode, trigger */
	uint16_t divisor;	/* DLM:DLL */

	/* Line status: the error bits latch until LSR is read; DR/THRE/TEMT are derived. */
	uint8_t lsr_errors;

	/* Modem status: the inputs as last seen (bits 4-7) and the latched deltas (bits 0-3). */
	uint8_t msr_inputs;
	uint8_t msr_deltas;

	uint8_t rbr;			/* last byte read: what RBR shows when empty */
	struct uart_fifo rx;		/* RBR (1 deep) or RCVR FIFO */
	struct uart_fifo tx;		/* THR (1 deep) or XMIT FIFO */

	bool thre_pending;		/* THRE interrupt latched until IIR read/THR write */
	bool timeout_pending;		/* timeout indication latched until RBR read */
	uint64_t rx_activity_ns;	/* last byte into or out of the RCVR FIFO */

	bool in_tx;			/* guards the transmitter against sink re-entry */

	struct irq_line irq;
	struct uart_sink sink;
	struct uart_stats stats;
	/*
	 * Where events go.  uart_init() zeroes it (nobody listens); the VMM
	 * sets it after uart_init() and uart_reset() keeps it, like irq and
	 * sink.  The "irq" event follows the line's forwarded level, so an
	 * unconnected line (irq.set_level NULL) reports none.
	 */
	struct dev_events events;
};

/*
 * Initialise u in its power-on state (datasheet "UART Reset
 * Configuration" table), wired to irq and sink.  The line starts low.
 * u->events is zeroed: set it afterwards to listen.
 */
void uart_init(struct uart *u, struct irq_line irq, struct uart_sink sink);

/*
 * Master reset: registers and FIFOs to their power-on state, irq, sink
 * and events kept.  Calls sink.rx_room if this gives a full receiver room.
 */
void uart_reset(struct uart *u);

/*
 * A guest read of register `offset` (0-7) at time now_ns.  Reads have
 * side effects as on the chip: RBR pops a byte, IIR clears a reported
 * THRE interrupt, LSR clears the error bits, MSR clears the delta bits.
 * An offset outside 0-7 reads 0xff (nothing answers) and changes nothing.
 */
uint8_t uart_read(struct uart *u, unsigned offset, uint64_t now_ns);

/* A guest write of value to register `offset` (0-7) at time now_ns; other offsets are ignored. */
void uart_write(struct uart *u, unsigned offset, uint8_t value, uint64_t now_ns);

/*
 * What uart_read() would return for `offset` now, without its side
 * effects.  For debug dumps and invariant checks, never for the guest.
 */
uint8_t uart_peek(const struct uart *u, unsigned offset);

/*
 * Bytes from the console.  Accepts only what fits (see uart_rx_room())
 * and returns how many it took; the caller keeps the rest and waits for
 * sink.rx_room.  Nothing is ever dropped here.
 */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len, uint64_t now_ns);

/*
 * Bytes from a line that cannot wait (the console on a terminal, whose
 * person types on whatever the guest does).  What fits is received as by
 * uart_receive(); every byte after that reaches a full receiver and is an
 * overrun, as on the chip (datasheet "Line Status Register", bit 1): LSR.OE
 * is set (a receiver line status interrupt if ELSI), stats.rx_overruns
 * counted and an "overrun" event emitted for each.  In FIFO mode the new
 * byte is lost and the FIFO kept; in 16450 mode it overwrites the unread
 * RBR.  In loopback mode the serial input is disconnected from the
 * receiver: the bytes go nowhere and leave no trace.  Never calls
 * sink.rx_room.
 */
void uart_receive_overrun(struct uart *u, const uint8_t *buf, size_t len, uint64_t now_ns);

/*
 * How many bytes uart_receive() would take now: the free space in the
 * RBR (16450 mode, 1 deep) or the RCVR FIFO (16 deep), and 0 in loopback
 * mode, where the datasheet disconnects the serial input from the receiver.
 */
size_t uart_rx_room(const struct uart *u);

/* The sink has room again: hand it the bytes waiting in the transmitter, in order. */
void uart_tx_resume(struct uart *u, uint64_t now_ns);

/*
 * When the character-timeout indication becomes due, as an absolute
 * time in ns; UINT64_MAX if none is armed (FIFOs off, RCVR FIFO empty,
 * or the indication already raised).  The result may be <= now_ns:
 * call uart_advance() at once then.
 */
uint64_t uart_next_deadline(const struct uart *u, uint64_t now_ns);

/*
 * The clock reached now_ns: raise the timeout indication if it is due.
 * Every other entry point does the same check, so a late call only
 * delays the interrupt, never loses it.
 */
void uart_advance(struct uart *u, uint64_t now_ns);

/* One character time (start + data + parity + stop bits) at the programmed rate, in ns. */
uint64_t uart_char_time_ns(const struct uart *u);

#endif
