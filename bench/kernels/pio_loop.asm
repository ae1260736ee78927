; SPDX-License-Identifier: MIT
; pio_loop.asm - benchmark guest: OUT to the benchmark port, forever.  Each
; OUT is one KVM_EXIT_IO; the host times the interval between them.
%include "layout.inc"
%include "rm_entry.inc"
%include "bench.inc"

section .text16
bits 16

rm_main:
        mov     dx, BENCH_PORT
.loop:
        out     dx, al
        jmp     .loop
