; SPDX-License-Identifier: MIT
; pit_ticks.asm - benchmark guest for PIT fidelity.
;
; Reads a 16-bit count from the benchmark port, programs PIT counter 0 in
; mode 2 (rate generator) with it, and sleeps in `sti; hlt`.  The IRQ0
; handler's FIRST instruction is an OUT to the benchmark port, so the host
; timestamps every tick as the guest sees it.  DX holds BENCH_PORT
; wherever the interrupt can arrive.
%include "layout.inc"
%include "rm_entry.inc"
%include "bench.inc"
%include "pic8259.inc"                  ; 16-bit here: it works in real mode too
%include "pit8254.inc"

TICK_VECTOR     equ PIC_MASTER_VECTOR + PIT_IRQ         ; 0x20

section .text16
bits 16

rm_main:
        mov     word [TICK_VECTOR * 4], tick_handler
        mov     word [TICK_VECTOR * 4 + 2], cs

        call    pic_init                ; everything masked
        mov     eax, PIT_IRQ
        call    pic_unmask

        mov     dx, BENCH_PORT          ; from here on DX never changes
        xor     eax, eax
        in      ax, dx                  ; the count, e.g. 11932 for 100 Hz
        call    pit_start_periodic      ; counting starts now

.idle:
        sti                             ; STI's shadow covers the HLT
        hlt
        jmp     .idle

tick_handler:
        out     dx, al                  ; first: what the host timestamps
        push    ax
        mov     al, PIC_OCW2_EOI
        out     PIC_MASTER_CMD, al
        pop     ax
        iret
