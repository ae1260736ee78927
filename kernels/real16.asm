; SPDX-License-Identifier: MIT
;
; real16.asm - lesson 1: the first instructions after reset, in real mode.
;
; What this kernel teaches:
;   - where a PC starts: the reset vector at F000:FFF0, 16 bytes below the top
;     of the 64 KiB ROM image, and why it is a far jump (include/layout.inc);
;   - what a fresh CPU does not have: no stack, segment registers that we must
;     set before using memory (include/rm_entry.inc), no BIOS, no console
;     except what we program;
;   - real-mode addressing: a segment:offset pair names the linear address
;     segment * 16 + offset (SDM Vol. 3B 20.1.1 "Address Translation in
;     Real-Address Mode"), so many pairs name the same byte;
;   - ROM is read-only: writing to our own image changes nothing;
;   - talking to the 16550 UART by polling (include/serial.inc), and ending
;     the run with an exit status of our choice (include/debug_exit.inc).
;
; Expected output (then exit status 1, i.e. DEBUG_EXIT value 0, "passed"):
;   Hello from real mode!
;   CS = f000, so our code is at linear 0xf0000 + IP
;   f000:fff0 = 0xf0000 + 0xfff0 = linear 0xffff0 (the reset vector)
;   dead:beef = 0xdead0 + 0xbeef = linear 0xea9bf
;   0100:0008 = 0x01000 + 0x0008 = linear 0x01008 (a byte of RAM)
;   0000:1008 = 0x00000 + 0x1008 = linear 0x01008 (the same byte)
;   PASS: a byte written through one segment:offset pair reads back through the other
;   PASS: a write to the ROM is ignored
;   SUMMARY: 2 tests, 0 failures
; (0x01008 is where the variable alias_probe lands in .bss, after the two
; counters of report.inc; it moves if variables are added before it.)
;
; Build: nasm -f bin -Ikernels/include/ -o real16.bin kernels/real16.asm

%include "layout.inc"                   ; the image, RAM map, reset vector -> start
%include "rm_entry.inc"                 ; start: segments and stack -> rm_main

; The helpers, assembled here as 16-bit code (they work in either mode).
%include "serial.inc"                   ; serial_init, serial_puts, serial_put_hex...
%include "report.inc"                   ; CHECK, report_done

section .text16
bits 16

; rm_entry.inc's `start` comes here with DS = ES = SS = 0 and a stack.
rm_main:
        call    serial_init
        call    report_init
        mov     si, msg_hello
        call    serial_puts

        ; CS: after the far jump of the reset vector it holds F000, and its
        ; base is F000 * 16 = 0xF0000, where the image lies below 1 MiB.
        mov     si, msg_cs
        call    serial_puts
        mov     ax, cs
        call    serial_put_hex16
        mov     si, msg_cs_after
        call    serial_puts

        ; Two classic pairs: the reset vector, and DEAD:BEEF.
        mov     ax, ROM_SEGMENT
        mov     bx, RESET_OFFSET
        call    print_linear
        mov     si, msg_reset_vector
        call    serial_puts

        mov     ax, 0xdead
        mov     bx, 0xbeef
        call    print_linear
        mov     al, NL
        call    serial_putc

        ; Many pairs, one byte.  Take the linear address L of a variable
        ; in RAM and name it two ways: (L >> 4):(L & 0xf), the paragraph
        ; that holds it and the rest, and 0000:L.  Write through the first,
        ; read through the second.
        mov     ax, alias_probe
        shr     ax, 4                   ; segment: the paragraph of L
        mov     bx, alias_probe
        and     bx, 0x000f              ; offset: the rest
        mov     es, ax
        call    print_linear
        mov     si, msg_a_byte
        call    serial_puts
        xor     ax, ax
        mov     bx, alias_probe
        call    print_linear
        mov     si, msg_same_byte
        call    serial_puts

        mov     byte [alias_probe], 0   ; DS = 0: through 0000:L
        mov     bx, alias_probe
        and     bx, 0x000f
        mov     byte [es:bx], ALIAS_PATTERN     ; through (L >> 4):(L & 0xf)
        cmp     byte [alias_probe], ALIAS_PATTERN
        CHECK   e, "a byte written through one segment:offset pair reads back through the other"

        ; ROM: the image is mapped read-only.  Invert one byte of it through
        ; CS (the segment that reaches the image) and read it back: the
        ; write went nowhere (minivmm ignores it; so does a real PC's ROM).
        mov     al, [cs:rom_probe]
        not     al
        mov     [cs:rom_probe], al
        cmp     byte [cs:rom_probe], ROM_PROBE_VALUE
        CHECK   e, "a write to the ROM is ignored"

        ; "SUMMARY: ..." and exit through port 0xf4: value 0, status 1.
        jmp     report_done

; print_linear: AX = segment, BX = offset.  Prints
; "ssss:oooo = 0xsssss + 0xoooo = linear 0xlllll" without a newline.
; Clobbers EAX, ECX, EDX, SI.
print_linear:
        movzx   edx, ax                 ; keep the segment
        call    serial_put_hex16
        mov     al, ':'
        call    serial_putc
        mov     ax, bx
        call    serial_put_hex16
        mov     si, msg_equals
        call    serial_puts
        mov     eax, edx
        shl     eax, 4                  ; segment * 16: the segment's base
        mov     edx, eax
        mov     cl, LINEAR_DIGITS
        call    serial_put_hex
        mov     si, msg_plus
        call    serial_puts
        mov     ax, bx
        call    serial_put_hex16
        mov     si, msg_linear
        call    serial_puts
        movzx   eax, bx
        add     eax, edx                ; base + offset: the linear address
        mov     cl, LINEAR_DIGITS
        call    serial_put_hex
        ret

; A real-mode linear address is at most FFFF:FFFF = 0x10ffef, 21 bits; ours
; are all below 1 MiB, 5 hex digits.
LINEAR_DIGITS   equ 5
ALIAS_PATTERN   equ 0x5a
ROM_PROBE_VALUE equ 0xa5

rom_probe:      db ROM_PROBE_VALUE
msg_hello:      db "Hello from real mode!", NL, 0
msg_cs:         db "CS = ", 0
msg_cs_after:   db ", so our code is at linear 0xf0000 + IP", NL, 0
msg_equals:     db " = 0x", 0
msg_plus:       db " + 0x", 0
msg_linear:     db " = linear 0x", 0
msg_reset_vector: db " (the reset vector)", NL, 0
msg_a_byte:     db " (a byte of RAM)", NL, 0
msg_same_byte:  db " (the same byte)", NL, 0

[section .bss]
alias_probe:    resb 1
__SECT__
