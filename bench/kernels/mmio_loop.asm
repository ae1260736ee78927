; SPDX-License-Identifier: MIT
; mmio_loop.asm - benchmark guest: a byte store just above 1 MiB, where no
; memory slot is, forever.  Each store is one KVM_EXIT_MMIO.
%include "layout.inc"
%include "rm_entry.inc"
%include "bench.inc"

section .text16
bits 16

rm_main:
        mov     ax, BENCH_MMIO_SEG
        mov     ds, ax
.loop:
        mov     [BENCH_MMIO_OFF], al
        jmp     .loop
