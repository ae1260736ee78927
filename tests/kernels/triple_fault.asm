; SPDX-License-Identifier: MIT
;
; triple_fault.asm - test kernel: an exception with no usable IDT.
;
; In real mode the CPU finds interrupt handlers through the IDTR too (base 0,
; limit 0x3ff after reset: the 8086 vector table).  We shrink its limit to 0,
; so no vector fits, and execute UD2:
;   #UD (6): vector 6 lies beyond the limit -> #GP
;   #GP (13): beyond the limit as well -> double fault, #DF (8)
;   #DF: beyond the limit -> the CPU gives up and shuts down: a triple fault
;        (SDM Vol. 3A 6.15 "Interrupt 8 - Double Fault Exception").
; On a PC the chipset then resets the machine; under KVM the VMM gets
; KVM_EXIT_SHUTDOWN and must report it and exit with a non-zero status.
;
; Expected output, then a shutdown (QEMU with -no-reboot exits with status 0):
;   triple_fault: IDT limit 0, raising #UD: the VMM must report a shutdown
; If the CPU somehow survives:
;   FAIL: the CPU survived an exception without an IDT
; and exit status 3.

%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "debug_exit.inc"

section .text16
bits 16

rm_main:
        call    serial_init
        mov     si, msg_start
        call    serial_puts
        o32 lidt [cs:empty_idt]
        ud2
        mov     si, msg_survived
        call    serial_puts
        DEBUG_EXIT EXIT_FAIL

empty_idt:                              ; the LIDT operand: limit 0, base 0
        dw      0
        dd      0

msg_start:
        db      "triple_fault: IDT limit 0, raising #UD: the VMM must report a shutdown", NL, 0
msg_survived:
        db      "FAIL: the CPU survived an exception without an IDT", NL, 0
