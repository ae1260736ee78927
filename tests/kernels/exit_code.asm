; SPDX-License-Identifier: MIT
;
; exit_code.asm - test kernel: exit with an arbitrary debug-exit value.
;
; Writes 42 to the debug-exit port; the VMM must exit with status
; (42 << 1) | 1 = 85, showing that the guest's value reaches the status intact.
;
; Expected output, then exit status 85:
;   exit_code: writing 42 to port 0xf4, expect status 85

%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "debug_exit.inc"

EXIT_VALUE      equ 42                  ; status (42 << 1) | 1 = 85

section .text16
bits 16

rm_main:
        call    serial_init
        mov     si, msg_start
        call    serial_puts
        DEBUG_EXIT EXIT_VALUE

msg_start:
        db      "exit_code: writing 42 to port 0xf4, expect status 85", NL, 0
