; SPDX-License-Identifier: MIT
; hello.asm - benchmark guest for start-up time: the first thing it does
; after the reset vector and segment setup (no exits) is write 'h' to COM1
; THR, so the host can time "power on to first serial byte".  Then the rest
; of "hello\n", polled like serial.inc does, and DEBUG_EXIT 0 (status 1).
; The UART is left as reset put it: 16450 mode, THR empty.
%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "debug_exit.inc"

section .text16
bits 16

rm_main:
        mov     dx, COM1_THR            ; the first exit: the first byte
        mov     al, 'h'
        out     dx, al
        mov     si, msg_rest
        call    serial_puts
        DEBUG_EXIT EXIT_PASS

msg_rest:       db "ello", NL, 0
