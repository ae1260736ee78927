// SPDX-License-Identifier: MIT
/*
 * Unit tests for the 16550A model, one hardware rule each.
 * "Datasheet" is the TI/National PC16550D data sheet; Linux references are
 * to drivers/tty/serial/8250/8250_port.c.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "uart16550.h"
#include "unit.h"

/* --- Test bench: a fake PIC input, a fake console, a fake clock ------------ */

struct fake_irq {
	bool level;
	unsigned rises;
	unsigned falls;
};

struct fake_sink {
	uint8_t out[512];
	size_t n;
	bool refuse;
	unsigned rx_room_calls;
};

struct bench {
	struct uart u;
	struct fake_irq irq;
	struct fake_sink sink;
	uint64_t now;
};

static void fake_irq_set(void *opaque, unsigned line, bool level)
{
	struct fake_irq *irq = opaque;

	(void)line;
	irq->level = level;
	if (level)
		irq->rises++;
	else
		irq->falls++;
}

static bool fake_tx(void *opaque, uint8_t byte)
{
	struct fake_sink *sink = opaque;

	if (sink->refuse)
		return false;
	if (sink->n < sizeof(sink->out))
		sink->out[sink->n++] = byte;
	return true;
}

static void fake_rx_room(void *opaque)
{
	struct fake_sink *sink = opaque;

	sink->rx_room_calls++;
}

static void bench_init(struct bench *b)
{
	struct uart_sink sink = { .tx = fake_tx, .rx_room = fake_rx_room, .opaque = &b->sink };

	memset(b, 0, sizeof(*b));
	b->now = 1000000;	/* not 0, so that "time 0" bugs show */
	uart_init(&b->u, irq_line_connect(fake_irq_set, &b->irq, 4), sink);
}

static uint8_t rd(struct bench *b, unsigned offset)
{
	return uart_read(&b->u, offset, b->now);
}

static void wr(struct bench *b, unsigned offset, uint8_t value)
{
	uart_write(&b->u, offset, value, b->now);
}

static size_t rx(struct bench *b, const char *s)
{
	return uart_receive(&b->u, (const uint8_t *)s, strlen(s), b->now);
}

static size_t rx_n(struct bench *b, size_t n)
{
	uint8_t buf[64];
	size_t i;

	for (i = 0; i < n && i < sizeof(buf); i++)
		buf[i] = (uint8_t)('a' + i);
	return uart_receive(&b->u, buf, n, b->now);
}

static void enable_fifos(struct bench *b, uint8_t trigger)
{
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | trigger);
}

/* --- Reset state ----------------------------------------------------------- */

/* Datasheet "UART Reset Configuration": LSR resets to THRE|TEMT, nothing received. */
UNIT_TEST(lsr_reads_0x60_when_idle)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
}

/* Datasheet "UART Reset Configuration": IER/LCR/MCR 0, IIR 0x01, MSR deltas 0. */
UNIT_TEST(reset_values_follow_the_datasheet_table)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(rd(&b, UART_REG_IER), 0x00);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0x01);
	CHECK_EQ(rd(&b, UART_REG_LCR), 0x00);
	CHECK_EQ(rd(&b, UART_REG_MCR), 0x00);
	CHECK_EQ(rd(&b, UART_REG_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	CHECK_EQ(b.irq.level, false);
}

/* uart_reset() is a master reset: registers back to their reset values, FIFOs empty. */
UNIT_TEST(master_reset_restores_power_on_state)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	wr(&b, UART_REG_IER, UART_IER_ERBFI);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);
	rx(&b, "x");
	CHECK_EQ(b.irq.level, true);
	uart_reset(&b.u);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0x01);
	CHECK_EQ(rd(&b, UART_REG_IER), 0x00);
	CHECK_EQ(rd(&b, UART_REG_MCR), 0x00);
	CHECK_EQ(b.irq.level, false);
}

/* --- Simple registers ------------------------------------------------------- */

/* Datasheet "Scratchpad Register": 8 bits, read/write, no effect on the UART. */
UNIT_TEST(scratch_register_holds_a_value)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_SCR, 0xa5);
	CHECK_EQ(rd(&b, UART_REG_SCR), 0xa5);
	wr(&b, UART_REG_SCR, 0x5a);
	CHECK_EQ(rd(&b, UART_REG_SCR), 0x5a);
}

/* Datasheet "Line Control Register": all 8 bits read back. */
UNIT_TEST(lcr_reads_back_all_bits)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_LCR, 0x7f);
	CHECK_EQ(rd(&b, UART_REG_LCR), 0x7f);
}

/*
 * Datasheet "Programmable Baud Generator": with LCR.DLAB set, offsets 0
 * and 1 are DLL and DLM; with DLAB clear they are RBR/THR and IER again.
 */
UNIT_TEST(divisor_latch_is_reached_through_dlab)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_ELSI);
	wr(&b, UART_REG_LCR, UART_LCR_DLAB);
	wr(&b, UART_REG_DLL, 0x34);
	wr(&b, UART_REG_DLM, 0x12);
	CHECK_EQ(rd(&b, UART_REG_DLL), 0x34);
	CHECK_EQ(rd(&b, UART_REG_DLM), 0x12);
	CHECK_EQ(b.u.divisor, 0x1234);
	CHECK_EQ(b.sink.n, 0);			/* the DLL write sent nothing */
	wr(&b, UART_REG_LCR, 0x03);
	CHECK_EQ(rd(&b, UART_REG_IER), UART_IER_ELSI);	/* IER untouched by the DLM write */
}

/* Linux autoconfig(): IER bits 4-7 are not implemented on a 16550A and read 0. */
UNIT_TEST(ier_upper_nibble_reads_zero)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, 0xff);
	CHECK_EQ(rd(&b, UART_REG_IER), 0x0f);
}

/* Datasheet "Modem Control Register": bits 5-7 are permanently 0. */
UNIT_TEST(mcr_upper_bits_read_zero)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_MCR, 0xef);
	CHECK_EQ(rd(&b, UART_REG_MCR), 0x0f);
}

/* Writes to the read-only LSR and MSR change nothing. */
UNIT_TEST(lsr_and_msr_writes_are_ignored)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_LSR, 0xff);
	wr(&b, UART_REG_MSR, 0xff);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
	CHECK_EQ(rd(&b, UART_REG_MSR), 0xb0);
}

/* Offsets beyond the 8 registers: reads float high, writes vanish, nothing breaks. */
UNIT_TEST(offsets_beyond_the_registers_are_harmless)
{
	struct bench b;
	unsigned off;

	bench_init(&b);
	for (off = UART_NR_REGS; off < 64; off++) {
		wr(&b, off, 0xff);
		CHECK_EQ(rd(&b, off), 0xff);
	}
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0x01);
	CHECK_EQ(b.sink.n, 0);
}

/* --- Transmitter -------------------------------------------------------------- */

/* The line is infinitely fast: a THR write reaches the sink at once and THRE stays set. */
UNIT_TEST(thr_write_reaches_the_sink)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_THR, 'h');
	wr(&b, UART_REG_THR, 'i');
	CHECK_EQ(b.sink.n, 2);
	CHECK_EQ(b.sink.out[0], 'h');
	CHECK_EQ(b.sink.out[1], 'i');
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
	CHECK_EQ(b.u.stats.tx_bytes, 2);
}

/*
 * A sink that refuses leaves the bytes in the XMIT FIFO: THRE and TEMT
 * clear; uart_tx_resume() delivers them in order and THRE comes back.
 */
UNIT_TEST(refused_bytes_wait_with_thre_clear_and_resume_in_order)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	b.sink.refuse = true;
	wr(&b, UART_REG_THR, '1');
	wr(&b, UART_REG_THR, '2');
	wr(&b, UART_REG_THR, '3');
	CHECK_EQ(rd(&b, UART_REG_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), 0);
	CHECK_EQ(b.sink.n, 0);
	b.sink.refuse = false;
	uart_tx_resume(&b.u, b.now);
	CHECK_EQ(b.sink.n, 3);
	CHECK_EQ(memcmp(b.sink.out, "123", 3), 0);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
}

/* The XMIT FIFO holds 16 bytes; a write to a full FIFO is lost (and counted). */
UNIT_TEST(write_to_full_xmit_fifo_is_lost)
{
	struct bench b;
	unsigned i;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	b.sink.refuse = true;
	for (i = 0; i < UART_FIFO_SIZE + 1; i++)
		wr(&b, UART_REG_THR, (uint8_t)('A' + i));
	CHECK_EQ(b.u.stats.tx_dropped, 1);
	b.sink.refuse = false;
	uart_tx_resume(&b.u, b.now);
	CHECK_EQ(b.sink.n, UART_FIFO_SIZE);
	CHECK_EQ(b.sink.out[UART_FIFO_SIZE - 1], 'A' + UART_FIFO_SIZE - 1);
}

/* In 16450 mode THR is a one-byte latch: a second write replaces the waiting byte. */
UNIT_TEST(thr_is_a_one_byte_latch_without_fifos)
{
	struct bench b;

	bench_init(&b);
	b.sink.refuse = true;
	wr(&b, UART_REG_THR, 'x');
	wr(&b, UART_REG_THR, 'y');
	CHECK_EQ(b.u.stats.tx_dropped, 1);
	b.sink.refuse = false;
	uart_tx_resume(&b.u, b.now);
	CHECK_EQ(b.sink.n, 1);
	CHECK_EQ(b.sink.out[0], 'y');
}

/* Datasheet "FIFO Control Register" bit 2: XMIT FIFO reset empties it, so THRE sets. */
UNIT_TEST(fcr_xmit_reset_empties_the_transmitter)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	b.sink.refuse = true;
	wr(&b, UART_REG_THR, 'x');
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_XMIT_RESET);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
	b.sink.refuse = false;
	uart_tx_resume(&b.u, b.now);
	CHECK_EQ(b.sink.n, 0);
}

/* --- Receiver ---------------------------------------------------------------- */

/* Datasheet "Line Status Register" bit 0: a received byte sets DR; reading RBR clears it. */
UNIT_TEST(received_byte_sets_dr_until_rbr_read)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(rx(&b, "k"), 1);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x61);
	CHECK_EQ(rd(&b, UART_REG_RBR), 'k');
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
}

/* Without FIFOs the receiver is the 1-byte RBR: the console may push one byte only. */
UNIT_TEST(rbr_takes_one_byte_without_fifos)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(uart_rx_room(&b.u), 1);
	CHECK_EQ(rx(&b, "ab"), 1);
	CHECK_EQ(uart_rx_room(&b.u), 0);
	CHECK_EQ(rx(&b, "b"), 0);
	CHECK_EQ(rd(&b, UART_REG_RBR), 'a');
	CHECK_EQ(b.u.stats.rx_bytes, 1);
}

/* The RCVR FIFO holds 16 bytes: uart_receive() takes 16 and refuses the 17th. */
UNIT_TEST(rcvr_fifo_holds_16_and_refuses_the_17th)
{
	struct bench b;
	unsigned i;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_14);
	CHECK_EQ(uart_rx_room(&b.u), UART_FIFO_SIZE);
	CHECK_EQ(rx_n(&b, UART_FIFO_SIZE + 1), UART_FIFO_SIZE);
	CHECK_EQ(uart_rx_room(&b.u), 0);
	CHECK_EQ(rx(&b, "z"), 0);
	for (i = 0; i < UART_FIFO_SIZE; i++)
		CHECK_EQ(rd(&b, UART_REG_RBR), 'a' + i);
	CHECK_EQ(rd(&b, UART_REG_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(rd(&b, UART_REG_LSR) & UART_LSR_OE, 0);	/* no overrun from the console */
}

/* Reading an empty RBR returns the last byte again and changes nothing. */
UNIT_TEST(empty_rbr_read_returns_the_last_byte)
{
	struct bench b;

	bench_init(&b);
	rx(&b, "q");
	CHECK_EQ(rd(&b, UART_REG_RBR), 'q');
	CHECK_EQ(rd(&b, UART_REG_RBR), 'q');
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
}

/* Datasheet "FIFO Control Register" bit 1: RCVR FIFO reset empties it and clears DR. */
UNIT_TEST(fcr_rcvr_reset_empties_the_receiver)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	rx(&b, "abc");
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
	CHECK_EQ(uart_rx_room(&b.u), UART_FIFO_SIZE);
}

/* Datasheet "FIFO Control Register" bit 0: changing it clears both FIFOs. */
UNIT_TEST(toggling_fifo_enable_clears_the_fifos)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	rx(&b, "abc");
	b.sink.refuse = true;
	wr(&b, UART_REG_THR, 'x');
	wr(&b, UART_REG_FCR, 0);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
	CHECK_EQ(uart_rx_room(&b.u), 1);
	rx(&b, "d");
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
}

/* --- IIR --------------------------------------------------------------------- */

/* Datasheet "Interrupt Identification Register": bits 7:6 are 11 while FCR bit 0 is set. */
UNIT_TEST(iir_shows_fifos_enabled_in_bits_7_6)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xc1);
	wr(&b, UART_REG_FCR, 0);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0x01);
}

/*
 * IIR bits 5:4 are always 0 on a 16550A, whatever FCR bit 5 says: Linux
 * tells a TI16750 (64-byte FIFO, IIR bit 5) from a 16550A that way.
 */
UNIT_TEST(iir_bits_5_4_stay_zero)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | 0x20);
	CHECK_EQ(rd(&b, UART_REG_IIR) >> 5, 6);
	wr(&b, UART_REG_LCR, UART_LCR_DLAB);
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | 0x20);
	CHECK_EQ(rd(&b, UART_REG_IIR) >> 5, 6);
}

/* Enabling ETBEI while THR is empty raises the THRE interrupt (Linux __start_tx relies on it). */
UNIT_TEST(thre_interrupt_raised_when_etbei_goes_0_to_1)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_THRE);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_NO_INT);	/* the first read cleared it */
	wr(&b, UART_REG_IER, 0);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_THRE);
}

/* Datasheet "Interrupt Control Functions": reading IIR clears a THRE interrupt it reports. */
UNIT_TEST(iir_read_clears_the_thre_interrupt)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	CHECK_EQ(b.irq.level, true);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_THRE);
	CHECK_EQ(b.irq.level, false);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);	/* THRE the status bit is still set */
}

/* Same table: an IIR read that reports another source leaves the THRE interrupt. */
UNIT_TEST(iir_read_keeps_thre_when_not_reported)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_ETBEI | UART_IER_ERBFI);
	rx(&b, "x");
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_RDA);
	rd(&b, UART_REG_RBR);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_THRE);
}

/* Same table: writing THR clears the THRE interrupt (kept clear while the byte waits). */
UNIT_TEST(thr_write_clears_the_thre_interrupt)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	b.sink.refuse = true;
	wr(&b, UART_REG_THR, 'x');
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_NO_INT);
	b.sink.refuse = false;
	uart_tx_resume(&b.u, b.now);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_THRE);	/* empty again: re-raised */
}

/*
 * Each THR write drops the line before THRE returns, so an edge-triggered
 * 8259 sees a new rising edge per byte as it would on the chip.
 */
UNIT_TEST(thr_write_gives_a_new_rising_edge)
{
	struct bench b;
	unsigned rises;

	bench_init(&b);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	CHECK_EQ(b.irq.level, true);
	rises = b.irq.rises;
	wr(&b, UART_REG_THR, 'a');
	CHECK_EQ(b.irq.level, true);
	CHECK_EQ(b.irq.rises, rises + 1);
}

/* Datasheet "FIFO Interrupt Mode Operation": RDA is raised when the FIFO reaches the trigger. */
UNIT_TEST(rda_interrupt_at_trigger_level)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_4);
	wr(&b, UART_REG_IER, UART_IER_ERBFI);
	rx(&b, "abc");
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xc1);
	rx(&b, "d");
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xc4);
}

/* Same section: RDA clears as soon as the FIFO drops below the trigger level. */
UNIT_TEST(rda_interrupt_clears_below_trigger_level)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_8);
	wr(&b, UART_REG_IER, UART_IER_ERBFI);
	rx_n(&b, 8);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xc4);
	rd(&b, UART_REG_RBR);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xc1);
}

/* The four trigger levels of FCR bits 7:6 are 1, 4, 8 and 14 bytes. */
UNIT_TEST(trigger_levels_are_1_4_8_14)
{
	static const struct {
		uint8_t fcr;
		size_t level;
	} cases[] = {
		{ UART_FCR_TRIGGER_1, 1 },
		{ UART_FCR_TRIGGER_4, 4 },
		{ UART_FCR_TRIGGER_8, 8 },
		{ UART_FCR_TRIGGER_14, 14 },
	};
	struct bench b;
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bench_init(&b);
		enable_fifos(&b, cases[i].fcr);
		wr(&b, UART_REG_IER, UART_IER_ERBFI);
		rx_n(&b, cases[i].level - 1);
		CHECK_EQ(rd(&b, UART_REG_IIR) & UART_IIR_ID_MASK, UART_IIR_NO_INT);
		rx_n(&b, 1);
		CHECK_EQ(rd(&b, UART_REG_IIR) & UART_IIR_ID_MASK, UART_IIR_ID_RDA);
	}
}

/*
 * Datasheet: IIR reports only the highest pending source: line status >
 * received data > THR empty > modem status, each cleared its own way.
 */
UNIT_TEST(iir_reports_sources_by_priority)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_MASK);
	/* Loopback 16450 mode: two bytes overrun the RBR (OE), MCR changes set MSR deltas. */
	wr(&b, UART_REG_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	wr(&b, UART_REG_THR, '1');
	wr(&b, UART_REG_THR, '2');
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_RLS);
	rd(&b, UART_REG_LSR);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_RDA);
	CHECK_EQ(rd(&b, UART_REG_RBR), '2');
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_THRE);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_MS);
	rd(&b, UART_REG_MSR);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_NO_INT);
}

/* Datasheet "Interrupt Enable Register": a source whose IER bit is 0 is not reported. */
UNIT_TEST(disabled_sources_are_not_reported)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);
	rx(&b, "x");
	wr(&b, UART_REG_IER, UART_IER_ETBEI | UART_IER_ELSI | UART_IER_EDSSI);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_THRE);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_NO_INT);
	CHECK_EQ(b.irq.level, false);
}

/* --- Character timeout ---------------------------------------------------------- */

/*
 * Datasheet "FIFO Interrupt Mode Operation": 4 character times with no
 * FIFO input or output while it holds data raise the timeout (IIR 0xCC).
 * Its own example: 300 baud, 12-bit characters (start, 8 data, parity,
 * 2 stop) time out after 160 ms.
 */
UNIT_TEST(character_timeout_after_four_character_times)
{
	struct bench b;
	uint64_t t0;

	bench_init(&b);
	wr(&b, UART_REG_LCR, UART_LCR_DLAB);
	wr(&b, UART_REG_DLL, 384 & 0xff);	/* 1843200 / 16 / 384 = 300 baud */
	wr(&b, UART_REG_DLM, 384 >> 8);
	wr(&b, UART_REG_LCR, 0x03 | UART_LCR_PEN | UART_LCR_STB);
	enable_fifos(&b, UART_FCR_TRIGGER_14);
	wr(&b, UART_REG_IER, UART_IER_ERBFI);
	t0 = b.now;
	rx(&b, "ab");
	CHECK_EQ(uart_next_deadline(&b.u, b.now), t0 + 160000000);
	uart_advance(&b.u, t0 + 160000000 - 1);
	CHECK_EQ(uart_peek(&b.u, UART_REG_IIR), 0xc1);
	b.now = t0 + 160000000;
	uart_advance(&b.u, b.now);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xcc);
	CHECK_EQ(uart_next_deadline(&b.u, b.now), UINT64_MAX);	/* raised: none armed */
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xcc);			/* IIR reads do not clear it */
	CHECK_EQ(rd(&b, UART_REG_RBR), 'a');
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xc1);			/* the RBR read did */
	CHECK_EQ(uart_next_deadline(&b.u, b.now), b.now + 160000000);
}

/* Datasheet: "the timeout timer is reset after a new character is received". */
UNIT_TEST(timeout_timer_restarts_on_each_received_byte)
{
	struct bench b;
	uint64_t four_chars;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_14);
	four_chars = 4 * uart_char_time_ns(&b.u);
	rx(&b, "a");
	b.now += four_chars - 1;
	rx(&b, "b");
	CHECK_EQ(uart_next_deadline(&b.u, b.now), b.now + four_chars);
}

/* The timeout belongs to FIFO mode: in 16450 mode nothing is ever armed. */
UNIT_TEST(no_timeout_without_fifos)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_ERBFI);
	rx(&b, "a");
	CHECK_EQ(uart_next_deadline(&b.u, b.now), UINT64_MAX);
}

/* The timeout needs data: an empty RCVR FIFO arms nothing. */
UNIT_TEST(no_timeout_with_empty_fifo)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_14);
	CHECK_EQ(uart_next_deadline(&b.u, b.now), UINT64_MAX);
	rx(&b, "a");
	rd(&b, UART_REG_RBR);
	CHECK_EQ(uart_next_deadline(&b.u, b.now), UINT64_MAX);
}

/* A late uart_advance() loses nothing: any access past the deadline raises the timeout. */
UNIT_TEST(timeout_is_raised_by_any_access_past_the_deadline)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_14);
	wr(&b, UART_REG_IER, UART_IER_ERBFI);
	rx(&b, "a");
	b.now = uart_next_deadline(&b.u, b.now) + 12345;
	CHECK_EQ(rd(&b, UART_REG_IIR), 0xcc);
}

/*
 * One character = start + 5..8 data + optional parity + 1, 1.5 (5-bit
 * words) or 2 stop bits, each bit 16 clocks of XIN/divisor
 * (datasheet "Line Control Register", "Programmable Baud Generator").
 */
UNIT_TEST(character_time_follows_divisor_and_frame_format)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_LCR, UART_LCR_DLAB);
	wr(&b, UART_REG_DLL, 1);
	wr(&b, UART_REG_DLM, 0);
	wr(&b, UART_REG_LCR, 0x03);					/* 8N1: 10 bits */
	CHECK_EQ(uart_char_time_ns(&b.u), 10 * 1000000000ull / 115200);
	wr(&b, UART_REG_LCR, 0x00 | UART_LCR_STB);			/* 5N1.5: 7.5 bits */
	CHECK_EQ(uart_char_time_ns(&b.u), 15 * 1000000000ull / (2 * 115200));
	wr(&b, UART_REG_LCR, 0x02 | UART_LCR_PEN | UART_LCR_STB);	/* 7E2: 11 bits */
	CHECK_EQ(uart_char_time_ns(&b.u), 11 * 1000000000ull / 115200);
	wr(&b, UART_REG_LCR, UART_LCR_DLAB);
	wr(&b, UART_REG_DLL, 12);					/* 9600 baud */
	wr(&b, UART_REG_LCR, 0x03);
	CHECK_EQ(uart_char_time_ns(&b.u), 10 * 1000000000ull / 9600);
}

/* Divisor 0 is forbidden by the datasheet; we run it as 65536, the slowest rate. */
UNIT_TEST(divisor_zero_runs_at_the_slowest_rate)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_LCR, UART_LCR_DLAB);
	wr(&b, UART_REG_DLL, 0);
	wr(&b, UART_REG_DLM, 0);
	wr(&b, UART_REG_LCR, 0x03);
	CHECK_EQ(uart_char_time_ns(&b.u), 10ull * 16 * 65536 * 1000000000ull / UART_CLOCK_HZ);
}

/* --- Interrupt output ----------------------------------------------------------- */

/* On a PC, MCR.OUT2 enables the IRQ driver: without it the line stays low. */
UNIT_TEST(out2_gates_the_irq_line)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_ERBFI);
	rx(&b, "x");
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_RDA);
	CHECK_EQ(b.irq.level, false);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);
	CHECK_EQ(b.irq.level, true);
	rd(&b, UART_REG_RBR);
	CHECK_EQ(b.irq.level, false);
}

/*
 * Loopback forces the OUT2 pin inactive (datasheet "Modem Control
 * Register" bit 4), so on a PC no interrupt reaches the PIC; IIR still
 * reports it.
 */
UNIT_TEST(loopback_keeps_the_irq_line_low)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_ERBFI);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	wr(&b, UART_REG_THR, 'x');
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_RDA);
	CHECK_EQ(b.irq.level, false);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);
	CHECK_EQ(b.irq.level, true);
}

/* --- Loopback and modem status -------------------------------------------------- */

/* Datasheet "Modem Control Register" bit 4: transmitted data is received, not sent out. */
UNIT_TEST(loopback_sends_tx_to_rx_not_to_the_sink)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	wr(&b, UART_REG_THR, 'o');
	wr(&b, UART_REG_THR, 'k');
	CHECK_EQ(b.sink.n, 0);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x61);
	CHECK_EQ(rd(&b, UART_REG_RBR), 'o');
	CHECK_EQ(rd(&b, UART_REG_RBR), 'k');
}

/* Bytes held back by the sink go to the receiver once loopback is switched on. */
UNIT_TEST(loopback_drains_bytes_waiting_for_the_sink)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	b.sink.refuse = true;
	wr(&b, UART_REG_THR, 'w');
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x61);
	CHECK_EQ(rd(&b, UART_REG_RBR), 'w');
}

/* In loopback the serial input is disconnected: the console can push nothing. */
UNIT_TEST(loopback_refuses_console_input)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	CHECK_EQ(uart_rx_room(&b.u), 0);
	CHECK_EQ(rx(&b, "x"), 0);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
}

/* Loopback connects RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
UNIT_TEST(loopback_routes_mcr_outputs_to_msr_inputs)
{
	static const struct {
		uint8_t mcr;
		uint8_t msr;
	} cases[] = {
		{ UART_MCR_RTS, UART_MSR_CTS },
		{ UART_MCR_DTR, UART_MSR_DSR },
		{ UART_MCR_OUT1, UART_MSR_RI },
		{ UART_MCR_OUT2, UART_MSR_DCD },
		{ 0x0f, 0xf0 },
		{ 0x00, 0x00 },
	};
	struct bench b;
	unsigned i;

	bench_init(&b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wr(&b, UART_REG_MCR, UART_MCR_LOOP | cases[i].mcr);
		CHECK_EQ(rd(&b, UART_REG_MSR) & 0xf0, cases[i].msr);
	}
}

/*
 * Datasheet "Modem Status Register": DCTS/DDSR/DDCD latch any change of
 * their input, TERI only RI going off; reading MSR clears them.
 */
UNIT_TEST(msr_deltas_latch_changes_and_clear_on_read)
{
	struct bench b;

	bench_init(&b);
	/* Entering loopback with MCR 0: CTS, DSR, DCD drop. */
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	CHECK_EQ(rd(&b, UART_REG_MSR), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	CHECK_EQ(rd(&b, UART_REG_MSR), 0x00);
	/* RI on: no TERI (leading edge). */
	wr(&b, UART_REG_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	CHECK_EQ(rd(&b, UART_REG_MSR), UART_MSR_RI);
	/* RI off: TERI. */
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	CHECK_EQ(rd(&b, UART_REG_MSR), UART_MSR_TERI);
	CHECK_EQ(rd(&b, UART_REG_MSR), 0x00);
}

/* Datasheet "Interrupt Control Functions": a delta with EDSSI raises IIR 0x00. */
UNIT_TEST(modem_status_interrupt_on_delta)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_EDSSI);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_NO_INT);
	/* Loopback with RTS, DTR, OUT2 keeps CTS, DSR, DCD as the terminal had them: no delta. */
	wr(&b, UART_REG_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_DTR | UART_MCR_OUT2);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_NO_INT);
	/* Dropping OUT2 drops DCD. */
	wr(&b, UART_REG_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_DTR);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_MS);
	CHECK_EQ(rd(&b, UART_REG_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DDCD);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_NO_INT);
}

/* Outside loopback the inputs show a connected, ready terminal: DCD, DSR, CTS. */
UNIT_TEST(msr_shows_a_connected_terminal)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	CHECK_EQ(rd(&b, UART_REG_MSR), 0xb0);
}

/* --- Line status errors ----------------------------------------------------------- */

/*
 * Datasheet "Line Status Register": OE/PE/FE/BI are cleared by reading
 * LSR; an overrun (loopback into a full 16450 RBR) overwrites RBR.
 */
UNIT_TEST(lsr_error_bits_clear_on_read)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	wr(&b, UART_REG_THR, '1');
	wr(&b, UART_REG_THR, '2');
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60 | UART_LSR_OE | UART_LSR_DR);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60 | UART_LSR_DR);
	CHECK_EQ(rd(&b, UART_REG_RBR), '2');
	CHECK_EQ(b.u.stats.rx_overruns, 1);
}

/*
 * Datasheet "Line Status Register" bit 1: in FIFO mode an overrun keeps
 * the FIFO contents and loses the new byte.
 */
UNIT_TEST(fifo_overrun_keeps_the_fifo_contents)
{
	struct bench b;
	unsigned i;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	for (i = 0; i < UART_FIFO_SIZE + 1; i++)
		wr(&b, UART_REG_THR, (uint8_t)i);
	CHECK_EQ(rd(&b, UART_REG_LSR) & UART_LSR_OE, UART_LSR_OE);
	for (i = 0; i < UART_FIFO_SIZE; i++)
		CHECK_EQ(rd(&b, UART_REG_RBR), i);
	CHECK_EQ(rd(&b, UART_REG_LSR) & UART_LSR_DR, 0);
}

/*
 * uart_receive_overrun(): a line that cannot wait.  What fits is received,
 * each byte after that is an overrun (bit 1): in FIFO mode the new byte is
 * lost, in 16450 mode it overwrites RBR; ELSI raises IIR 0x06.  In
 * loopback the serial input is disconnected: nothing arrives.
 */
UNIT_TEST(receive_overrun_sets_oe_for_what_does_not_fit)
{
	static const uint8_t typed[] = "abcdefghijklmnopqr";	/* 18 bytes */
	struct bench b;
	unsigned i;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_14);
	wr(&b, UART_REG_IER, UART_IER_ELSI);
	uart_receive_overrun(&b.u, typed, 18, b.now);
	CHECK_EQ(b.u.stats.rx_bytes, UART_FIFO_SIZE);
	CHECK_EQ(b.u.stats.rx_overruns, 2);
	CHECK_EQ(rd(&b, UART_REG_IIR) & UART_IIR_ID_MASK, UART_IIR_ID_RLS);
	CHECK_EQ(rd(&b, UART_REG_LSR) & (UART_LSR_OE | UART_LSR_DR), UART_LSR_OE | UART_LSR_DR);
	CHECK_EQ(rd(&b, UART_REG_LSR) & UART_LSR_OE, 0);	/* cleared by the read */
	for (i = 0; i < UART_FIFO_SIZE; i++)
		CHECK_EQ(rd(&b, UART_REG_RBR), typed[i]);	/* the FIFO kept, q and r lost */
	CHECK_EQ(rd(&b, UART_REG_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(b.sink.rx_room_calls, 1);	/* from the RBR reads, not the overrun */

	/* 16450 mode: the last byte overwrites the unread RBR. */
	bench_init(&b);
	uart_receive_overrun(&b.u, (const uint8_t *)"xyz", 3, b.now);
	CHECK_EQ(b.u.stats.rx_bytes, 1);
	CHECK_EQ(b.u.stats.rx_overruns, 2);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60 | UART_LSR_OE | UART_LSR_DR);
	CHECK_EQ(rd(&b, UART_REG_RBR), 'z');

	/* Loopback: the line is disconnected, no byte and no overrun. */
	bench_init(&b);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	uart_receive_overrun(&b.u, (const uint8_t *)"xyz", 3, b.now);
	CHECK_EQ(b.u.stats.rx_bytes + b.u.stats.rx_overruns, 0);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
}

/* Same table: an error with ELSI set raises IIR 0x06 until LSR is read. */
UNIT_TEST(line_status_interrupt_until_lsr_read)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_IER, UART_IER_ELSI);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	wr(&b, UART_REG_THR, '1');
	wr(&b, UART_REG_THR, '2');
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_RLS);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_ID_RLS);
	rd(&b, UART_REG_LSR);
	CHECK_EQ(rd(&b, UART_REG_IIR), UART_IIR_NO_INT);
}

/* --- Console flow control --------------------------------------------------------- */

/* A full receiver that gets room (RBR read) calls sink.rx_room, once. */
UNIT_TEST(rx_room_called_when_a_full_receiver_is_read)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	rx_n(&b, UART_FIFO_SIZE);
	CHECK_EQ(b.sink.rx_room_calls, 0);
	rd(&b, UART_REG_RBR);
	CHECK_EQ(b.sink.rx_room_calls, 1);
	rd(&b, UART_REG_RBR);
	CHECK_EQ(b.sink.rx_room_calls, 1);	/* it was not full any more */
}

/* A receiver that was not full does not call sink.rx_room. */
UNIT_TEST(rx_room_not_called_when_receiver_was_not_full)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	rx(&b, "ab");
	rd(&b, UART_REG_RBR);
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET);
	CHECK_EQ(b.sink.rx_room_calls, 0);
}

/* An RCVR FIFO reset of a full receiver makes room: sink.rx_room. */
UNIT_TEST(rx_room_called_on_fifo_reset)
{
	struct bench b;

	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	rx_n(&b, UART_FIFO_SIZE);
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET);
	CHECK_EQ(b.sink.rx_room_calls, 1);
}

/* Leaving loopback reconnects the serial input: the waiting console is told. */
UNIT_TEST(rx_room_called_when_leaving_loopback)
{
	struct bench b;

	bench_init(&b);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	CHECK_EQ(rx(&b, "x"), 0);
	wr(&b, UART_REG_MCR, 0);
	CHECK_EQ(b.sink.rx_room_calls, 1);
	CHECK_EQ(rx(&b, "x"), 1);
}

/* A master reset empties a full receiver: the console is told. */
UNIT_TEST(rx_room_called_on_master_reset)
{
	struct bench b;

	bench_init(&b);
	rx(&b, "x");
	uart_reset(&b.u);
	CHECK_EQ(b.sink.rx_room_calls, 1);
}

/* --- Linux 8250 driver sequences ---------------------------------------------------- */

/* Linux size_fifo(): count how many loopback bytes the RCVR FIFO keeps. */
static unsigned linux_size_fifo(struct bench *b)
{
	uint8_t old_lcr, old_fcr, old_mcr, dll, dlm;
	unsigned count;

	old_lcr = rd(b, UART_REG_LCR);
	wr(b, UART_REG_LCR, 0);
	old_fcr = rd(b, UART_REG_FCR);	/* really IIR, as in the driver */
	old_mcr = rd(b, UART_REG_MCR);
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET | UART_FCR_XMIT_RESET);
	wr(b, UART_REG_MCR, UART_MCR_LOOP);
	wr(b, UART_REG_LCR, UART_LCR_DLAB);
	dll = rd(b, UART_REG_DLL);
	dlm = rd(b, UART_REG_DLM);
	wr(b, UART_REG_DLL, 1);
	wr(b, UART_REG_DLM, 0);
	wr(b, UART_REG_LCR, 0x03);
	for (count = 0; count < 256; count++)
		wr(b, UART_REG_THR, (uint8_t)count);
	b->now += 20000000;	/* mdelay(20) */
	for (count = 0; (rd(b, UART_REG_LSR) & UART_LSR_DR) && count < 256; count++)
		rd(b, UART_REG_RBR);
	wr(b, UART_REG_FCR, old_fcr);
	wr(b, UART_REG_MCR, old_mcr);
	wr(b, UART_REG_LCR, UART_LCR_DLAB);
	wr(b, UART_REG_DLL, dll);
	wr(b, UART_REG_DLM, dlm);
	wr(b, UART_REG_LCR, old_lcr);
	return count;
}

/* Linux autoconfig() + autoconfig_16550a(), full probe; returns the type it would pick. */
static const char *linux_autoconfig(struct bench *b)
{
	uint8_t scratch, scratch2, scratch3, save_mcr, save_lcr, status1, status2, iersave;

	scratch = rd(b, UART_REG_IER);
	wr(b, UART_REG_IER, 0);
	scratch2 = rd(b, UART_REG_IER) & 0x0f;
	wr(b, UART_REG_IER, 0x0f);
	scratch3 = rd(b, UART_REG_IER) & 0x0f;
	wr(b, UART_REG_IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0f)
		return "none (IER test)";

	save_mcr = rd(b, UART_REG_MCR);
	save_lcr = rd(b, UART_REG_LCR);
	wr(b, UART_REG_MCR, UART_MCR_LOOP | 0x0a);
	status1 = rd(b, UART_REG_MSR) & 0xf0;
	wr(b, UART_REG_MCR, save_mcr);
	if (status1 != 0x90)
		return "none (LOOP test)";

	wr(b, UART_REG_LCR, 0xbf);	/* UART_LCR_CONF_MODE_B */
	wr(b, UART_REG_FCR, 0);		/* UART_EFR */
	wr(b, UART_REG_LCR, 0);
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE);
	if (rd(b, UART_REG_IIR) >> 6 != 3)
		return "not 16550A";

	/* autoconfig_16550a(): EFR probes read IIR here, which is never 0. */
	wr(b, UART_REG_LCR, UART_LCR_DLAB);	/* UART_LCR_CONF_MODE_A */
	if (rd(b, UART_REG_FCR) == 0)
		return "ST16650";
	wr(b, UART_REG_LCR, 0xbf);
	if (rd(b, UART_REG_FCR) == 0)
		return "ST16650V2";
	/* National SuperIO: LCR 0xe0 maps EXCR1 (with MCR.LOOP) at offset 2. */
	wr(b, UART_REG_LCR, 0);
	status1 = rd(b, UART_REG_MCR);
	wr(b, UART_REG_LCR, 0xe0);
	status2 = rd(b, 2);
	if (!((status2 ^ status1) & UART_MCR_LOOP)) {
		wr(b, UART_REG_LCR, 0);
		wr(b, UART_REG_MCR, status1 ^ UART_MCR_LOOP);
		wr(b, UART_REG_LCR, 0xe0);
		status2 = rd(b, 2);
		wr(b, UART_REG_LCR, 0);
		wr(b, UART_REG_MCR, status1);
		if ((status2 ^ status1) & UART_MCR_LOOP)
			return "NS16550A";
	}
	/* TI16750: IIR bit 5 follows FCR bit 5 (UART_FCR7_64BYTE) with DLAB set. */
	wr(b, UART_REG_LCR, 0);
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | 0x20);
	status1 = rd(b, UART_REG_IIR) >> 5;
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE);
	wr(b, UART_REG_LCR, UART_LCR_DLAB);
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | 0x20);
	status2 = rd(b, UART_REG_IIR) >> 5;
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE);
	wr(b, UART_REG_LCR, 0);
	if (status1 == 6 && status2 == 7)
		return "TI16750";
	/* XScale: IER bit 6 (UUE) sticks. */
	iersave = rd(b, UART_REG_IER);
	wr(b, UART_REG_IER, iersave & ~0x40);
	if (!(rd(b, UART_REG_IER) & 0x40)) {
		wr(b, UART_REG_IER, iersave | 0x40);
		if (rd(b, UART_REG_IER) & 0x40)
			return "XScale";
	}
	wr(b, UART_REG_IER, iersave);
	if (linux_size_fifo(b) == 64)
		return "U6_16550A";

	/* Back in autoconfig(): restore and reset the UART. */
	wr(b, UART_REG_LCR, save_lcr);
	wr(b, UART_REG_MCR, save_mcr);
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE);	/* serial8250_clear_fifos() */
	wr(b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET | UART_FCR_XMIT_RESET);
	wr(b, UART_REG_FCR, 0);
	rd(b, UART_REG_RBR);
	wr(b, UART_REG_IER, 0);
	return "16550A";
}

/* Linux autoconfig() must identify us as a 16550A (IER, loopback, IIR and FIFO-size probes). */
UNIT_TEST(linux_autoconfig_detects_a_16550a)
{
	struct bench b;
	const char *type;

	bench_init(&b);
	type = linux_autoconfig(&b);
	CHECK_EQ(strcmp(type, "16550A"), 0);
	CHECK_EQ(rd(&b, UART_REG_LSR), 0x60);
	CHECK_EQ(rd(&b, UART_REG_IIR), 0x01);
	CHECK_EQ(b.sink.n, 0);		/* the probes sent nothing to the console */
}

/* The FIFO-size probe in loopback counts exactly 16 (not 64: no U6_16550A). */
UNIT_TEST(linux_size_fifo_counts_16)
{
	struct bench b;

	bench_init(&b);
	CHECK_EQ(linux_size_fifo(&b), UART_FIFO_SIZE);
}

/*
 * serial8250_do_startup(): the THRE test (UART_BUG_THRE) and the TX
 * interrupt test (UART_BUG_TXEN) must both see THRE raised by IER.
 */
UNIT_TEST(linux_startup_thre_tests_pass)
{
	struct bench b;
	uint8_t iir1, iir, lsr;

	bench_init(&b);
	/* serial8250_clear_fifos() and the register clearing reads */
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE);
	wr(&b, UART_REG_FCR, UART_FCR_FIFO_ENABLE | UART_FCR_RCVR_RESET | UART_FCR_XMIT_RESET);
	wr(&b, UART_REG_FCR, 0);
	rd(&b, UART_REG_LSR);
	rd(&b, UART_REG_RBR);
	rd(&b, UART_REG_IIR);
	rd(&b, UART_REG_MSR);
	CHECK(rd(&b, UART_REG_LSR) != 0xff);
	/* THRE test */
	CHECK(rd(&b, UART_REG_LSR) & UART_LSR_THRE);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	iir1 = rd(&b, UART_REG_IIR);
	wr(&b, UART_REG_IER, 0);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	iir = rd(&b, UART_REG_IIR);
	wr(&b, UART_REG_IER, 0);
	CHECK_EQ(iir1 & UART_IIR_NO_INT, 0);
	CHECK_EQ(iir & UART_IIR_NO_INT, 0);
	/* TX interrupt test */
	wr(&b, UART_REG_LCR, 0x03);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	lsr = rd(&b, UART_REG_LSR);
	iir = rd(&b, UART_REG_IIR);
	wr(&b, UART_REG_IER, 0);
	CHECK(!((lsr & UART_LSR_TEMT) && (iir & UART_IIR_NO_INT)));
}

/*
 * A guest can write anything anywhere: every value to every offset, in
 * both DLAB states, leaves the model consistent and the host alive.
 */
UNIT_TEST(every_value_at_every_offset_is_harmless)
{
	struct bench b;
	unsigned off, val;

	bench_init(&b);
	for (off = 0; off < UART_NR_REGS; off++) {
		for (val = 0; val < 256; val++) {
			if (off == UART_REG_LCR || off == UART_REG_MCR)
				continue;
			wr(&b, UART_REG_LCR, (val & 1) ? UART_LCR_DLAB : 0);
			wr(&b, off, (uint8_t)val);
			rd(&b, off);
			rx(&b, "z");
			b.now += 1000;
		}
	}
	wr(&b, UART_REG_LCR, 0);
	CHECK(b.u.rx.count <= UART_FIFO_SIZE);
	CHECK(b.u.tx.count <= UART_FIFO_SIZE);
	CHECK_EQ(rd(&b, UART_REG_IER) & 0xf0, 0);
}

/* --- Device events ---------------------------------------------------------------- */

/* A recording listener: every event, with the fake PIC input's state when it came. */
struct ev_log {
	struct dev_event ev[1024];
	unsigned edges[1024];	/* irq rises + falls seen when the event was emitted */
	bool level[1024];	/* irq level seen then */
	unsigned n;
	const struct fake_irq *irq;
};

static void record_event(void *opaque, const struct dev_event *ev)
{
	struct ev_log *log = opaque;

	if (log->n < sizeof(log->ev) / sizeof(log->ev[0])) {
		log->ev[log->n] = *ev;
		log->edges[log->n] = log->irq->rises + log->irq->falls;
		log->level[log->n] = log->irq->level;
	}
	log->n++;
}

/* The VMM's order: uart_init() (in bench_init), then set the listener. */
static void bench_listen(struct bench *b, struct ev_log *log)
{
	memset(log, 0, sizeof(*log));
	log->irq = &b->irq;
	b->u.events = (struct dev_events){ .emit = record_event, .opaque = log };
}

static unsigned count_events(const struct ev_log *log, enum uart_event type)
{
	unsigned i, n = 0;

	for (i = 0; i < log->n; i++)
		n += log->ev[i].type == type;
	return n;
}

/* The first event of `type`, or NULL. */
static const struct dev_event *find_event(const struct ev_log *log, enum uart_event type)
{
	unsigned i;

	for (i = 0; i < log->n; i++)
		if (log->ev[i].type == type)
			return &log->ev[i];
	return NULL;
}

static struct dev_event uart_ev(enum uart_event type, uint32_t a0, uint32_t a1, uint32_t a2)
{
	return (struct dev_event){
		.source = DEV_EVENT_UART, .type = (uint8_t)type, .arg = { a0, a1, a2 },
	};
}

/* Events rule: an IER write emits exactly one IER event, arg0 the old IER, arg1 the new. */
UNIT_TEST(ier_write_emits_one_ier_event_with_old_and_new)
{
	struct bench b;
	struct ev_log log;
	const struct dev_event *ev;

	bench_init(&b);
	bench_listen(&b, &log);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	/* OUT2 is off: THRE is pending but the line stays low, so no irq event either. */
	CHECK_EQ(log.n, 1);
	ev = &log.ev[0];
	CHECK_EQ(ev->source, DEV_EVENT_UART);
	CHECK_EQ(ev->type, UART_EVENT_IER);
	CHECK_EQ(ev->unit, 0);
	CHECK_EQ(ev->arg[0], 0x00);
	CHECK_EQ(ev->arg[1], UART_IER_ETBEI);
	CHECK_EQ(ev->arg64, 0);
}

/* Events rule: the formatter names what an IER write switched, e.g. "THRE interrupt on". */
UNIT_TEST(ier_event_formats_as_thre_interrupt_on)
{
	struct bench b;
	struct ev_log log;
	char buf[128];
	int len;

	bench_init(&b);
	bench_listen(&b, &log);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	CHECK_EQ(log.n, 1);
	len = uart_event_format(&log.ev[0], buf, sizeof(buf));
	CHECK(strstr(buf, "THRE interrupt on") != NULL);
	CHECK_EQ(strcmp(buf, "IER 0x00 -> 0x02 (THRE interrupt on)"), 0);
	CHECK_EQ(len, strlen(buf));
}

/* Events rule: each byte the sink takes emits one tx event with that byte; a refused one waits. */
UNIT_TEST(transmitted_byte_emits_a_tx_event)
{
	struct bench b;
	struct ev_log log;

	bench_init(&b);
	bench_listen(&b, &log);
	wr(&b, UART_REG_THR, 'A');
	CHECK_EQ(count_events(&log, UART_EVENT_TX), 1);
	CHECK_EQ(find_event(&log, UART_EVENT_TX)->arg[0], 'A');
	b.sink.refuse = true;
	log.n = 0;
	wr(&b, UART_REG_THR, 'B');
	CHECK_EQ(count_events(&log, UART_EVENT_TX), 0);	/* still in THR */
	b.sink.refuse = false;
	uart_tx_resume(&b.u, b.now);
	CHECK_EQ(count_events(&log, UART_EVENT_TX), 1);
	CHECK_EQ(find_event(&log, UART_EVENT_TX)->arg[0], 'B');
	CHECK_EQ(b.u.stats.tx_bytes, 2);	/* the counters are unchanged by events */
}

/* Events rule: each byte uart_receive() takes emits one rx event; refused bytes emit none. */
UNIT_TEST(received_bytes_emit_rx_events_for_those_taken)
{
	struct bench b;
	struct ev_log log;

	bench_init(&b);
	bench_listen(&b, &log);
	CHECK_EQ(rx(&b, "\rx"), 1);	/* 16450 mode: RBR takes one */
	CHECK_EQ(count_events(&log, UART_EVENT_RX), 1);
	CHECK_EQ(find_event(&log, UART_EVENT_RX)->arg[0], '\r');
}

/*
 * Events rule: the irq event fires exactly when the line changes, once
 * per transition of the fake PIC input and right after it, carrying the
 * new level and an IIR that explains it.
 */
UNIT_TEST(irq_event_fires_exactly_when_the_line_changes)
{
	struct bench b;
	struct ev_log log;
	unsigned i, k = 0;

	bench_init(&b);
	bench_listen(&b, &log);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);
	wr(&b, UART_REG_IER, UART_IER_ETBEI | UART_IER_ERBFI | UART_IER_ELSI);	/* THRE: up */
	rd(&b, UART_REG_IIR);					/* reported: down */
	wr(&b, UART_REG_THR, 'a');				/* THRE again: up */
	rx(&b, "x");						/* RDA over THRE: stays up */
	rd(&b, UART_REG_RBR);					/* THRE still: stays up */
	wr(&b, UART_REG_MCR, 0);				/* OUT2 off: down, IIR pending */
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);			/* up */
	enable_fifos(&b, UART_FCR_TRIGGER_4);
	rd(&b, UART_REG_IIR);					/* down */
	rx(&b, "abc");						/* below trigger: low */
	b.now = uart_next_deadline(&b.u, b.now);
	uart_advance(&b.u, b.now);				/* timeout: up */
	uart_reset(&b.u);					/* down */
	CHECK(b.irq.rises + b.irq.falls >= 8);
	CHECK_EQ(count_events(&log, UART_EVENT_IRQ), b.irq.rises + b.irq.falls);
	for (i = 0; i < log.n; i++) {
		const struct dev_event *ev = &log.ev[i];

		if (ev->type != UART_EVENT_IRQ)
			continue;
		k++;
		CHECK_EQ(log.edges[i], k);		/* one transition since the last irq event */
		CHECK_EQ(ev->arg[0], log.level[i]);	/* the level the PIC saw */
		if (ev->arg[0])
			CHECK_EQ(ev->arg[1] & UART_IIR_NO_INT, 0);
	}
	CHECK_EQ(k, b.irq.rises + b.irq.falls);
}

/* Events rule: uart_init() zeroes the listener even over garbage, so nothing is called. */
UNIT_TEST(init_leaves_nobody_listening)
{
	struct bench b;

	memset(&b, 0xa5, sizeof(b));
	bench_init(&b);
	CHECK(b.u.events.emit == NULL);
	CHECK(b.u.events.opaque == NULL);
	wr(&b, UART_REG_MCR, UART_MCR_OUT2);
	wr(&b, UART_REG_IER, UART_IER_ETBEI);
	wr(&b, UART_REG_THR, 'z');
	CHECK_EQ(b.sink.n, 1);
	CHECK_EQ(b.irq.level, true);
}

/* Events rule: a master reset keeps the listener, like irq and sink, and reports itself. */
UNIT_TEST(master_reset_keeps_the_listener_and_reports)
{
	struct bench b;
	struct ev_log log;

	bench_init(&b);
	bench_listen(&b, &log);
	uart_reset(&b.u);
	CHECK(b.u.events.emit == record_event);
	CHECK(b.u.events.opaque == &log);
	CHECK_EQ(count_events(&log, UART_EVENT_RESET), 1);
	wr(&b, UART_REG_SCR, 1);
	wr(&b, UART_REG_LCR, 0x03);
	CHECK_EQ(count_events(&log, UART_EVENT_LCR), 1);
}

/* Events rule: the divisor event comes once per DLL/DLM write that changes the latch. */
UNIT_TEST(divisor_event_once_per_changing_write)
{
	struct bench b;
	struct ev_log log;
	const struct dev_event *ev;
	char buf[64];

	bench_init(&b);
	bench_listen(&b, &log);
	wr(&b, UART_REG_LCR, UART_LCR_DLAB);
	wr(&b, UART_REG_DLL, 1);	/* 12 -> 1 */
	wr(&b, UART_REG_DLM, 0);	/* high byte already 0 */
	wr(&b, UART_REG_DLL, 1);	/* same again */
	CHECK_EQ(count_events(&log, UART_EVENT_DIVISOR), 1);
	ev = find_event(&log, UART_EVENT_DIVISOR);
	CHECK_EQ(ev->arg[0], 1);
	CHECK_EQ(ev->arg[1], 115200);
	uart_event_format(ev, buf, sizeof(buf));
	CHECK_EQ(strcmp(buf, "divisor 1 (115200 baud)"), 0);
	wr(&b, UART_REG_DLM, 0x01);	/* 0x0101 = 257 */
	CHECK_EQ(count_events(&log, UART_EVENT_DIVISOR), 2);
	CHECK_EQ(log.ev[log.n - 1].arg[0], 257);
	CHECK_EQ(log.ev[log.n - 1].arg[1], UART_CLOCK_HZ / 16 / 257);
}

/* Events rule: reads that change nothing emit nothing. */
UNIT_TEST(pure_reads_emit_nothing)
{
	struct bench b;
	struct ev_log log;
	unsigned off;

	bench_init(&b);
	bench_listen(&b, &log);
	for (off = 0; off < 64; off++)
		rd(&b, off);
	wr(&b, UART_REG_LCR, UART_LCR_DLAB);
	log.n = 0;
	rd(&b, UART_REG_DLL);
	rd(&b, UART_REG_DLM);
	CHECK_EQ(log.n, 0);
}

/* Events rule: tx-dropped and overrun name the byte lost (16450 latch, full FIFO). */
UNIT_TEST(dropped_and_overrun_events_name_the_byte_lost)
{
	struct bench b;
	struct ev_log log;
	const struct dev_event *ev;
	unsigned i;

	bench_init(&b);
	bench_listen(&b, &log);
	b.sink.refuse = true;
	wr(&b, UART_REG_THR, 'x');
	wr(&b, UART_REG_THR, 'y');	/* 16450 latch: 'x' is overwritten */
	ev = find_event(&log, UART_EVENT_TX_DROPPED);
	CHECK(ev != NULL);
	CHECK_EQ(ev->arg[0], 'x');
	CHECK_EQ(ev->arg[1], 1);

	/* 16450 loopback: the second byte overwrites the unread RBR ('1'). */
	bench_init(&b);
	bench_listen(&b, &log);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	wr(&b, UART_REG_THR, '1');
	wr(&b, UART_REG_THR, '2');
	CHECK_EQ(count_events(&log, UART_EVENT_LOOPBACK), 2);
	CHECK_EQ(count_events(&log, UART_EVENT_OVERRUN), 1);
	CHECK_EQ(find_event(&log, UART_EVENT_OVERRUN)->arg[0], '1');

	/* FIFO loopback: the 17th byte is the one lost. */
	bench_init(&b);
	enable_fifos(&b, UART_FCR_TRIGGER_1);
	wr(&b, UART_REG_MCR, UART_MCR_LOOP);
	bench_listen(&b, &log);
	for (i = 0; i < UART_FIFO_SIZE + 1; i++)
		wr(&b, UART_REG_THR, (uint8_t)i);
	CHECK_EQ(count_events(&log, UART_EVENT_OVERRUN), 1);
	CHECK_EQ(find_event(&log, UART_EVENT_OVERRUN)->arg[0], UART_FIFO_SIZE);
	CHECK_EQ(b.u.stats.rx_overruns, 1);
}

/* Events rule: the formatter's wording, as documented in uart16550.h and the tracer. */
UNIT_TEST(formatter_describes_each_event_type)
{
	static const struct {
		enum uart_event type;
		uint32_t a0, a1, a2;
		const char *text;
	} cases[] = {
		{ UART_EVENT_IER, 0x00, 0x02, 0, "IER 0x00 -> 0x02 (THRE interrupt on)" },
		{ UART_EVENT_IER, 0x03, 0x01, 0, "IER 0x03 -> 0x01 (THRE interrupt off)" },
		{ UART_EVENT_IER, 0x00, 0x05, 0,
		  "IER 0x00 -> 0x05 (RX data interrupt on, line status interrupt on)" },
		{ UART_EVENT_IER, 0x01, 0x01, 0, "IER 0x01 -> 0x01 (unchanged)" },
		{ UART_EVENT_LCR, 0x00, 0x03, 0, "LCR 0x03 (8N1)" },
		{ UART_EVENT_LCR, 0x03, 0x83, 0, "LCR 0x83 (8N1, DLAB on)" },
		{ UART_EVENT_LCR, 0x83, 0x03, 0, "LCR 0x03 (8N1, DLAB off)" },
		{ UART_EVENT_LCR, 0x00, 0x1e, 0, "LCR 0x1e (7E2)" },
		{ UART_EVENT_LCR, 0x00, 0x04, 0, "LCR 0x04 (5N1.5)" },
		{ UART_EVENT_LCR, 0x00, 0x6b, 0, "LCR 0x6b (8M1, break on)" },
		{ UART_EVENT_DIVISOR, 1, 115200, 0, "divisor 1 (115200 baud)" },
		{ UART_EVENT_MCR, 0x00, 0x0b, 0, "MCR 0x0b (DTR RTS OUT2)" },
		{ UART_EVENT_MCR, 0x0b, 0x00, 0, "MCR 0x00 (all off)" },
		{ UART_EVENT_FCR, 0xc7, 1, 14, "FCR 0xc7 (FIFOs on, trigger 14, RX reset, TX reset)" },
		{ UART_EVENT_FCR, 0x06, 0, 1, "FCR 0x06 (FIFOs off)" },
		{ UART_EVENT_TX, 'A', 0, 0, "tx 0x41 'A'" },
		{ UART_EVENT_RX, '\r', 0, 0, "rx 0x0d" },
		{ UART_EVENT_TX_DROPPED, 'y', 0, 0, "tx-dropped 0x79 'y' (XMIT FIFO full)" },
		{ UART_EVENT_OVERRUN, 0x80, 0, 0, "overrun 0x80 lost" },
		{ UART_EVENT_LOOPBACK, ' ', 0, 0, "loopback 0x20 ' '" },
		{ UART_EVENT_IRQ, 1, 0xc2, 0, "irq high (IIR 0xc2: THRE)" },
		{ UART_EVENT_IRQ, 0, 0x01, 0, "irq low" },
		{ UART_EVENT_IRQ, 0, 0x04, 0, "irq low (IIR 0x04: RX data held off by OUT2/loopback)" },
		{ UART_EVENT_RESET, 0, 0, 0, "reset" },
		{ UART_EVENT_NR, 0, 0, 0, "event 12" },
	};
	struct dev_event ev;
	char buf[128];
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev = uart_ev(cases[i].type, cases[i].a0, cases[i].a1, cases[i].a2);
		CHECK_EQ(uart_event_format(&ev, buf, sizeof(buf)), strlen(cases[i].text));
		if (strcmp(buf, cases[i].text) != 0)
			printf("  got \"%s\", expected \"%s\"\n", buf, cases[i].text);
		CHECK_EQ(strcmp(buf, cases[i].text), 0);
	}
}

/*
 * Events rule: snprintf semantics: the formatter writes at most size
 * bytes (a canary past an 8-byte buffer survives), NUL-terminates, and
 * returns the full length; size 0 with no buffer only measures.
 */
UNIT_TEST(formatter_never_writes_past_a_small_buffer)
{
	char full[128], buf[8 + 8];
	struct dev_event ev;
	unsigned type, i;
	int len;

	for (type = 0; type <= UART_EVENT_NR; type++) {
		ev = uart_ev(type, 0xffffffff, 0xffffffff, 0xffffffff);
		len = uart_event_format(&ev, full, sizeof(full));
		CHECK_EQ(len, strlen(full));
		memset(buf, 0x5a, sizeof(buf));
		CHECK_EQ(uart_event_format(&ev, buf, 8), len);
		for (i = 8; i < sizeof(buf); i++)
			CHECK_EQ((uint8_t)buf[i], 0x5a);
		CHECK_EQ(strlen(buf), len < 8 ? (size_t)len : 7);
		CHECK_EQ(strncmp(buf, full, 7), 0);
		CHECK_EQ(uart_event_format(&ev, NULL, 0), len);
	}
}

/* Every event type has a short, distinct name. */
UNIT_TEST(event_names_are_set_and_distinct)
{
	unsigned i, j;

	for (i = 0; i < UART_EVENT_NR; i++) {
		CHECK(uart_event_names[i] != NULL);
		CHECK(strlen(uart_event_names[i]) > 0 && strlen(uart_event_names[i]) <= 12);
		for (j = 0; j < i; j++)
			CHECK(strcmp(uart_event_names[i], uart_event_names[j]) != 0);
	}
	CHECK(UART_EVENT_NR <= DEV_EVENT_MAX_TYPES);
}

int main(void)
{
	return unit_run_all();
}
