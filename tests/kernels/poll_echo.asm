; SPDX-License-Identifier: MIT
;
; poll_echo.asm - test kernel: the UART's receive path, by polling.
;
; Reads bytes from COM1 by polling LSR.DR ("data ready", 16550 data sheet
; 8.4), echoes each one upper-cased, and exits with V = 0 (status 1) after
; echoing a '.'.  Whatever the host pipes in must come back complete and in
; order: the VMM feeds the receiver only as fast as this loop empties it.

%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "debug_exit.inc"

section .text16
bits 16

rm_main:
        ; No serial_init here: it resets the FIFOs (FCR), which would throw
        ; away input the host may already have sent.  minivmm's UART works
        ; at its power-on settings.
.next:
        mov     dx, COM1_LSR
.wait:
        in      al, dx
        test    al, UART_LSR_DR
        jz      .wait
        mov     dx, COM1_RBR
        in      al, dx
        cmp     al, 'a'                 ; upper-case a..z so the echo is
        jb      .send                   ; visibly the kernel's work
        cmp     al, 'z'
        ja      .send
        sub     al, 'a' - 'A'
.send:
        call    serial_putc
        cmp     al, '.'
        jne     .next
        mov     al, NL
        call    serial_putc
        DEBUG_EXIT EXIT_PASS
