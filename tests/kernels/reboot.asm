; SPDX-License-Identifier: MIT
;
; reboot.asm - test kernel: reset the machine three ways, counting boots.
;
; CMOS RAM is battery-backed: it survives a reset, so byte 0x40 counts the
; boots.  Boot 1 resets through port 0x92 (fast reset, bit 0 rising), boot 2
; through 0xCF9 (RST_CPU rising, hard reset), boot 3 through the i8042's
; pulse command 0xFE; boot 4 exits with the count (status 9).  Without
; --reboot the first reset ends minivmm with status 0, after "boot 1".
;
; Expected output with --reboot, then exit status 9:
;   reboot: boot 1, resetting through port 0x92
;   reboot: boot 2, resetting through port 0xcf9
;   reboot: boot 3, resetting through the i8042 (0xfe)
;   reboot: boot 4, done

%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "debug_exit.inc"

CMOS_INDEX      equ 0x70
CMOS_DATA       equ 0x71
BOOT_COUNT      equ 0x40                ; a CMOS RAM byte nobody else uses
RESET_FAILED    equ 0x7f                ; status 255: the reset did not happen

section .text16
bits 16

rm_main:
        call    serial_init
        ; The boot count: read, add one, write back.
        mov     al, BOOT_COUNT
        out     CMOS_INDEX, al
        in      al, CMOS_DATA
        inc     al
        mov     bl, al
        mov     al, BOOT_COUNT
        out     CMOS_INDEX, al
        mov     al, bl
        out     CMOS_DATA, al

        mov     si, msg_boot
        call    serial_puts
        mov     al, bl
        add     al, '0'
        call    serial_putc

        cmp     bl, 1
        je      reset_port92
        cmp     bl, 2
        je      reset_cf9
        cmp     bl, 3
        je      reset_i8042
        mov     si, msg_done
        call    serial_puts
        mov     al, bl
        out     DEBUG_EXIT_PORT, al
        jmp     halt

reset_port92:
        mov     si, msg_92
        call    serial_puts
        in      al, 0x92
        and     al, 0xfe                ; bit 0 low first: the reset is its rising edge
        out     0x92, al
        or      al, 0x01
        out     0x92, al
        jmp     failed

reset_cf9:
        mov     si, msg_cf9
        call    serial_puts
        mov     dx, 0xcf9
        mov     al, 0x02                ; SYS_RST: a hard reset...
        out     dx, al
        mov     al, 0x06                ; ...when RST_CPU goes high
        out     dx, al
        jmp     failed

reset_i8042:
        mov     si, msg_kbd
        call    serial_puts
.wait:
        in      al, 0x64                ; the controller takes a command when IBF is clear
        test    al, 0x02
        jnz     .wait
        mov     al, 0xfe                ; pulse output line 0: the CPU's reset
        out     0x64, al

failed:
        mov     si, msg_failed
        call    serial_puts
        DEBUG_EXIT RESET_FAILED
halt:
        cli
        hlt
        jmp     halt

msg_boot:       db "reboot: boot ", 0
msg_92:         db ", resetting through port 0x92", NL, 0
msg_cf9:        db ", resetting through port 0xcf9", NL, 0
msg_kbd:        db ", resetting through the i8042 (0xfe)", NL, 0
msg_done:       db ", done", NL, 0
msg_failed:     db "reboot: FAIL: the reset did not happen", NL, 0
