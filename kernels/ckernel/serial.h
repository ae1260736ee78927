/* SPDX-License-Identifier: MIT */
#ifndef CKERNEL_SERIAL_H
#define CKERNEL_SERIAL_H

/*
 * COM1, a 16550A UART at 0x3f8, written by polling: before each byte we
 * wait for LSR.THRE ("transmitter holding register empty", 16550A data
 * sheet, Line Status Register) so no byte is lost.  No interrupts.
 */

/* 115200 baud, 8N1, FIFOs on, its interrupt off. */
void serial_init(void);

/* One byte, as is: "\n" stays "\n" (our tests compare bytes). */
void serial_putc(char c);

void serial_puts(const char *s);

#endif
