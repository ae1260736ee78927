; SPDX-License-Identifier: MIT
; hello_idle.asm - benchmark guest for resident memory: print one line, then
; sleep (HLT with interrupts enabled) until the VMM is stopped from outside,
; so the host can look at a VMM that has booted and settled.
%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"

section .text16
bits 16

rm_main:
        call    serial_init
        mov     si, msg_idle
        call    serial_puts
.sleep:
        sti
        hlt
        jmp     .sleep                  ; woken for no reason: sleep again

msg_idle:       db "hello_idle: up, halting until stopped", NL, 0
