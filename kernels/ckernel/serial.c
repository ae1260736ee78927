// SPDX-License-Identifier: MIT
/* COM1 by polling (serial.h).  Register names from the 16550A data sheet. */
#include "serial.h"

#include "io.h"

#define COM1 0x3f8
#define UART_THR (COM1 + 0)	/* transmit holding register (DLAB = 0) */
#define UART_DLL (COM1 + 0)	/* divisor latch, low byte (DLAB = 1) */
#define UART_IER (COM1 + 1)	/* interrupt enable (DLAB = 0) */
#define UART_DLM (COM1 + 1)	/* divisor latch, high byte (DLAB = 1) */
#define UART_FCR (COM1 + 2)	/* FIFO control (write) */
#define UART_LCR (COM1 + 3)	/* line control */
#define UART_MCR (COM1 + 4)	/* modem control */
#define UART_LSR (COM1 + 5)	/* line status */

#define UART_LCR_WLEN8 0x03	/* 8 data bits, no parity, 1 stop bit */
#define UART_LCR_DLAB 0x80	/* offsets 0 and 1 become the divisor latch */
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_LSR_THRE 0x20

#define UART_CLOCK_HZ 1843200	/* the PC's crystal; the UART divides it by 16 */
#define BAUD 115200

void serial_init(void)
{
	const unsigned divisor = UART_CLOCK_HZ / 16 / BAUD;	/* 1 */

	outb(UART_IER, 0);			/* we poll: no interrupts */
	outb(UART_LCR, UART_LCR_DLAB);
	outb(UART_DLL, divisor & 0xff);
	outb(UART_DLM, divisor >> 8);
	outb(UART_LCR, UART_LCR_WLEN8);		/* DLAB off again, 8N1 */
	outb(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	/* OUT2 stays 0: on a PC it gates the UART's IRQ4 to the PIC. */
	outb(UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

void serial_putc(char c)
{
	while (!(inb(UART_LSR) & UART_LSR_THRE))
		;
	outb(UART_THR, (uint8_t)c);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}
