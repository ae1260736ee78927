; SPDX-License-Identifier: MIT
;
; idle.asm - test kernel: announce itself, then halt with interrupts enabled.
;
; HLT with IF = 1 is how a kernel waits for work: the CPU sleeps until an
; interrupt arrives.  This machine may never send one, so the guest idles
; until something outside stops the VMM (a signal, Ctrl-A x); the tests use
; it to check that such stops are clean.  With IF = 1 the VMM must not call
; this a hang (compare hlt_cli.asm).  There is no IDT here: an interrupt
; would be delivered through the real-mode vector table at 0, which holds
; nothing useful -- so the VMM must not invent one either.
;
; Expected output:
;   idle: halting with interrupts enabled until the VMM is stopped

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

msg_idle:
        db      "idle: halting with interrupts enabled until the VMM is stopped", NL, 0
