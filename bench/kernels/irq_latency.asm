; SPDX-License-Identifier: MIT
; irq_latency.asm - benchmark guest for interrupt injection latency.
;
; IRQ5 (vector 0x25 after the usual PIC init) goes to a real-mode handler
; whose FIRST instruction is an OUT to the benchmark port: the host times
; "event scheduled" to "handler entered" by that exit.  DX holds BENCH_PORT
; everywhere the interrupt can arrive, so the handler needs no setup before
; its OUT.  The guest then waits in one of two ways, which it asks the host
; for with one IN from the benchmark port:
;   IRQ_MODE_SPIN  `jmp $` with IF = 1: the vCPU is in guest mode when the
;                  interrupt comes, the host has to kick it out of KVM_RUN;
;   IRQ_MODE_HALT  `sti; hlt` forever: the vCPU sleeps in the host (an HLT
;                  exit), the host has to wake it.
; The same image runs under minivmm (which has a PIC) and under the bare
; baseline (which has none: the PIC programming and the EOIs are port
; writes it ignores).
%include "layout.inc"
%include "rm_entry.inc"
%include "bench.inc"
%include "pic8259.inc"                  ; 16-bit here: it works in real mode too

IRQ_LINE        equ 5
IRQ_VECTOR      equ PIC_MASTER_VECTOR + IRQ_LINE        ; 0x25
IRQ_MODE_SPIN   equ 0                   ; bench/irq.c must agree
IRQ_MODE_HALT   equ 1

section .text16
bits 16

rm_main:
        ; The real-mode IVT at linear 0: 4 bytes per vector, offset then
        ; segment.  DS = 0 (rm_entry.inc).
        mov     word [IRQ_VECTOR * 4], irq_handler
        mov     word [IRQ_VECTOR * 4 + 2], cs

        ; Both PICs initialised, everything masked; then only IRQ5.
        call    pic_init
        mov     eax, IRQ_LINE
        call    pic_unmask

        mov     dx, BENCH_PORT          ; from here on DX never changes
        in      al, dx                  ; which way to wait (host's answer)
        cmp     al, IRQ_MODE_HALT
        je      halt_loop

spin_loop:
        sti
        jmp     $

halt_loop:
        sti                             ; STI's shadow covers the HLT:
        hlt                             ; no interrupt between the two
        jmp     halt_loop

; The handler: the OUT comes first, it is what the host times.  AL's value
; does not matter.  Then a non-specific EOI so the next IRQ5 can come.
irq_handler:
        out     dx, al
        push    ax
        mov     al, PIC_OCW2_EOI
        out     PIC_MASTER_CMD, al
        pop     ax
        iret
