; SPDX-License-Identifier: MIT
; uart_tx.asm - benchmark guest: send a stream of bytes through COM1 the way
; Linux's 8250 console does (serial8250_console_putchar -> wait_for_xmitr):
; poll LSR until both THRE and TEMT are set (BOTH_EMPTY), then write THR.
; Byte i is i & 0xff, so the host can check what arrived.  How many bytes:
; a dword the host writes to RAM at UART_TX_COUNT before the run (0 sends
; nothing).  Then DEBUG_EXIT 0: status 1.
%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "debug_exit.inc"

; In the page below .bss that the kernels leave alone (layout.inc); the
; host (bench/uart.c, UART_TX_COUNT_ADDR) must agree.
UART_TX_COUNT   equ 0x0ff0
BOTH_EMPTY      equ UART_LSR_THRE | UART_LSR_TEMT

section .text16
bits 16

rm_main:
        call    serial_init             ; 115200 8N1, FIFOs on, as Linux sets it up
        mov     ecx, [UART_TX_COUNT]    ; 32-bit counters: 1 MiB does not fit in CX
        xor     ebx, ebx                ; bytes sent so far; BL is the next byte
        test    ecx, ecx
        jz      .done
.next:
        mov     dx, COM1_LSR
.wait:                                  ; wait_for_xmitr(up, BOTH_EMPTY)
        in      al, dx
        and     al, BOTH_EMPTY
        cmp     al, BOTH_EMPTY
        jne     .wait
        mov     al, bl
        mov     dx, COM1_THR            ; serial_out(up, UART_TX, ch)
        out     dx, al
        inc     ebx
        dec     ecx
        jnz     .next
.done:
        DEBUG_EXIT EXIT_PASS
