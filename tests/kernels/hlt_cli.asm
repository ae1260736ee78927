; SPDX-License-Identifier: MIT
;
; hlt_cli.asm - test kernel: halt with interrupts disabled.
;
; HLT stops the CPU until an interrupt (or NMI, SMI, INIT, reset) arrives;
; with IF = 0 no maskable interrupt can, so the CPU waits forever (SDM Vol. 2,
; HLT).  A VMM with no NMI sources must recognize this hang, report it and
; exit with a non-zero status instead of waiting forever too.
;
; Expected output, then the hang (under QEMU: run with `timeout 5`):
;   hlt_cli: halting with interrupts disabled: the VMM must report a hang

%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"

section .text16
bits 16

rm_main:
        call    serial_init
        mov     si, msg_start
        call    serial_puts
.hang:
        cli
        hlt
        jmp     .hang                   ; should an NMI wake us, halt again

msg_start:
        db      "hlt_cli: halting with interrupts disabled: the VMM must report a hang", NL, 0
