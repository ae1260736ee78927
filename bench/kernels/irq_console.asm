; SPDX-License-Identifier: MIT
; irq_console.asm - benchmark guest for console input latency.
;
; COM1 raises IRQ4 (vector 0x24 after the usual PIC init) when a byte
; arrives (IER = ERBFI, MCR OUT2 set, FIFOs off).  The handler's FIRST
; instruction is an OUT to the benchmark port: the host times "byte
; written into the VMM's stdin" to "handler entered" by that exit.  Then it
; reads RBR (which clears the interrupt), sends a non-specific EOI and
; returns.  DX holds BENCH_PORT everywhere the interrupt can arrive.  As in
; irq_latency.asm the guest asks the host, with one IN from the benchmark
; port, whether to wait spinning (`jmp $`, 0) or halted (`sti; hlt`, 1).
; Under the bare baseline the host answers the UART ports itself (RBR,
; IIR, LSR) and ignores the rest.
%include "layout.inc"
%include "rm_entry.inc"
%include "bench.inc"
%include "pic8259.inc"

IRQ_LINE        equ 4
IRQ_VECTOR      equ PIC_MASTER_VECTOR + IRQ_LINE        ; 0x24
IRQ_MODE_HALT   equ 1                   ; bench/irq_console.c must agree
COM1            equ 0x3f8

section .text16
bits 16

rm_main:
        mov     word [IRQ_VECTOR * 4], irq_handler
        mov     word [IRQ_VECTOR * 4 + 2], cs

        call    pic_init
        mov     eax, IRQ_LINE
        call    pic_unmask

        mov     dx, COM1 + 3            ; LCR: 8N1, DLAB off
        mov     al, 0x03
        out     dx, al
        mov     dx, COM1 + 2            ; FCR: FIFOs off, one byte = one interrupt
        xor     al, al
        out     dx, al
        mov     dx, COM1 + 4            ; MCR: DTR | RTS | OUT2 (the IRQ driver)
        mov     al, 0x0b
        out     dx, al
        mov     dx, COM1 + 1            ; IER: received data available
        mov     al, 0x01
        out     dx, al

        mov     dx, BENCH_PORT          ; from here on DX never changes outside the handler
        in      al, dx                  ; which way to wait (host's answer)
        cmp     al, IRQ_MODE_HALT
        je      halt_loop

spin_loop:
        sti
        jmp     $

halt_loop:
        sti
        hlt
        jmp     halt_loop

irq_handler:
        out     dx, al                  ; what the host times
        push    ax
        mov     dx, COM1                ; RBR: takes the byte, clears the interrupt
        in      al, dx
        mov     al, PIC_OCW2_EOI
        out     PIC_MASTER_CMD, al
        mov     dx, BENCH_PORT
        pop     ax
        iret
