; SPDX-License-Identifier: MIT
;
; debugcon_shutdown.asm - test kernel: the debug console at port 0xe9, then
; one of the "shutdown ports" hobby kernels use (OSDev wiki, "Shutdown").
;
; To port 0xe9 (QEMU's -debugcon, Bochs' port E9 hack) it writes, byte by
; byte, exactly:
;
;   debugcon: hello from port 0xe9\n       (one OUT per byte)
;   debugcon: rep outsb works too\n        (one REP OUTSB)
;   .!\n                                   (outw 0x5a2e, outl 0x5a5a5a21, outb 0x0a)
;
; The port is one byte wide (QEMU: valid.max_access_size = 1), so an outw
; or outl shows only its low byte; the others go to ports 0xea-0xec, where
; nothing answers on a PC (the test device's byte alias does with
; --testdev).  Then it reads the port back: 0xe9 on QEMU and Bochs.  Then it
; touches the test device's ports (in 0xe0, out 0xe8, out 0x2003), which
; float unless minivmm runs with --testdev: the guest test counts the
; unclaimed accesses in --stats.  Checks are reported on COM1:
;
;   PASS: inb 0xe9 reads 0xe9
;   PASS: inw 0xe9 reads 0xe9 in its low byte
;   INFO: inw 0xe9 = 0xffe9, testdev scratch at 0xe0 = 0xffffffff
;
; and the kernel ends through the port chosen at build time
; (tests/kernels/meson.build builds one image per variant):
;
;   -DSHUTDOWN_QEMU     outw 0x604, 0x2000     (QEMU's ACPI PM1_CNT, S5)
;   -DSHUTDOWN_BOCHS    outw 0xb004, 0x2000    (Bochs, QEMU before 2.0)
;   -DSHUTDOWN_VBOX     outw 0x4004, 0x3400    (VirtualBox)
;   neither             the debug-exit port 0xf4, value 0 (status 1): for
;                       QEMU's isapc (qemu-ref), which has no ACPI
;
; -DDEBUGCON_FLOOD adds, after the three lines, FLOOD_BYTES (96 KiB) more
; bytes to port 0xe9 (the ROM image, 32 KiB at a time) before the checks:
; more than minivmm's 64 KiB queue and a stalled reader's small pipe hold
; together, for the test that the guest never waits for the reader (bytes
; are lost and counted).  Under the nested route each byte of a REP OUTSB
; costs KVM's emulator ~150 us: a few seconds.
;
; A power-off ends minivmm with status 0.  If a check failed, or the machine
; is still running after the power-off write, it exits through 0xf4 with
; value 1 (status 3) instead.
;
; On QEMU 7.2 with KVM (-accel kvm -M isapc -debugcon ..., run on the nested
; route) the plain image prints exactly the bytes above, reads inw 0xe9 =
; 0xffe9 and exits with status 1, as on minivmm: QEMU's KVM path
; (address_space_rw) splits an access by the region's valid.max_access_size.
; qemu-ref runs QEMU's TCG, whose OUT/IN helpers do not split: there the
; outw and outl print nothing and inw 0xe9 reads 0x0000, so the inw check
; fails (status 3) and the third line is only "\n".

%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "report.inc"

DEBUGCON_PORT   equ 0xe9
DEBUGCON_READBACK equ 0xe9              ; what a read returns
TESTDEV_DATA_PORT equ 0xe0              ; the test device's scratch register
TESTDEV_DATA_BYTE_PORT equ 0xe8         ; its byte alias
TESTDEV_IRQ3_PORT equ 0x2003            ; its IRQ 3 line
TESTDEV_LOW     equ 0

FLOOD_CHUNK     equ 0x8000                      ; bytes per REP OUTSB
FLOOD_REPS      equ 3
FLOOD_BYTES     equ FLOOD_CHUNK * FLOOD_REPS    ; 96 KiB

SLP_EN          equ 0x2000              ; PM1_CNT bit 13
SLP_TYP_SHIFT   equ 10

%ifdef SHUTDOWN_QEMU
SHUTDOWN_PORT   equ 0x604               ; QEMU's PM base 0x600 + 4
SHUTDOWN_VALUE  equ SLP_EN | (0 << SLP_TYP_SHIFT)       ; 0x2000
%define SHUTDOWN_TEXT "outw 0x604, 0x2000"
%define SHUTDOWN_BY_PORT
%elifdef SHUTDOWN_BOCHS
SHUTDOWN_PORT   equ 0xb004              ; Bochs' PIIX4 PM base 0xb000 + 4
SHUTDOWN_VALUE  equ SLP_EN | (0 << SLP_TYP_SHIFT)       ; 0x2000
%define SHUTDOWN_TEXT "outw 0xb004, 0x2000"
%define SHUTDOWN_BY_PORT
%elifdef SHUTDOWN_VBOX
SHUTDOWN_PORT   equ 0x4004              ; VirtualBox's PM base 0x4000 + 4
SHUTDOWN_VALUE  equ SLP_EN | (5 << SLP_TYP_SHIFT)       ; 0x3400: its S5 is type 5
%define SHUTDOWN_TEXT "outw 0x4004, 0x3400"
%define SHUTDOWN_BY_PORT
%endif

section .text16
bits 16

rm_main:
        call    serial_init
        call    report_init
        mov     si, msg_header
        call    serial_puts

        ; One OUT per byte: the way every kernel's early printk does it.
        mov     si, line_outb
.next:
        cs lodsb
        test    al, al
        jz      .outsb
        out     DEBUGCON_PORT, al
        jmp     .next

        ; REP OUTSB: one exit for the whole string (KVM hands minivmm the
        ; bytes in one go), DS:SI -> port DX.  Our strings live in the ROM,
        ; so DS = CS for this one.
.outsb:
        push    ds
        push    cs
        pop     ds
        mov     si, line_outsb
        mov     cx, LINE_OUTSB_LEN
        mov     dx, DEBUGCON_PORT
        rep outsb
        pop     ds

        ; Wider accesses: only the low byte reaches the console.
        mov     ax, 0x5a2e              ; '.', and 'Z' for port 0xea
        out     DEBUGCON_PORT, ax
        mov     eax, 0x5a5a5a21         ; '!', and 'ZZZ' for 0xea-0xec
        out     DEBUGCON_PORT, eax
        mov     al, NL
        out     DEBUGCON_PORT, al

%ifdef DEBUGCON_FLOOD
        ; FLOOD_BYTES to the port, as fast as REP OUTSB goes: DS:SI = the
        ; ROM, FLOOD_CHUNK bytes per REP, FLOOD_REPS times.
        push    ds
        push    cs
        pop     ds
        mov     bx, FLOOD_REPS
.flood:
        xor     si, si
        mov     cx, FLOOD_CHUNK
        mov     dx, DEBUGCON_PORT
        rep outsb
        dec     bx
        jnz     .flood
        pop     ds
%endif

        ; Reading it back.
        in      al, DEBUGCON_PORT
        CHECK_EQ al, DEBUGCON_READBACK, "inb 0xe9 reads 0xe9"
        in      ax, DEBUGCON_PORT
        mov     bx, ax                  ; kept for the INFO line
        CHECK_EQ al, DEBUGCON_READBACK, "inw 0xe9 reads 0xe9 in its low byte"

        ; The test device's ports: there only with --testdev.
        in      eax, TESTDEV_DATA_PORT
        mov     edi, eax
        mov     al, TESTDEV_LOW
        out     TESTDEV_DATA_BYTE_PORT, al
        mov     dx, TESTDEV_IRQ3_PORT
        out     dx, al

        mov     si, msg_info_inw
        call    serial_puts
        movzx   eax, bx
        mov     cl, 4
        call    serial_put_hex
        mov     si, msg_info_testdev
        call    serial_puts
        mov     eax, edi
        mov     cl, 8
        call    serial_put_hex
        mov     al, NL
        call    serial_putc

        cmp     dword [report_failures], 0
        jne     .failed

%ifdef SHUTDOWN_BY_PORT
        mov     si, msg_poweroff
        call    serial_puts
        mov     dx, SHUTDOWN_PORT
        mov     ax, SHUTDOWN_VALUE
        out     dx, ax
        ; Still here: the write did not power the machine off.
        mov     si, msg_still_running
        call    serial_puts
.failed:
        DEBUG_EXIT EXIT_FAIL
%else
        mov     si, msg_exit
        call    serial_puts
        DEBUG_EXIT EXIT_PASS
.failed:
        DEBUG_EXIT EXIT_FAIL
%endif

msg_header:
        db      "debugcon_shutdown: text to port 0xe9, then "
%ifdef SHUTDOWN_BY_PORT
        db      SHUTDOWN_TEXT, NL, 0
%else
        db      "exit through port 0xf4", NL, 0
%endif
line_outb:
        db      "debugcon: hello from port 0xe9", NL, 0
line_outsb:
        db      "debugcon: rep outsb works too", NL
LINE_OUTSB_LEN  equ $ - line_outsb
msg_info_inw:
        db      "INFO: inw 0xe9 = 0x", 0
msg_info_testdev:
        db      ", testdev scratch at 0xe0 = 0x", 0
%ifdef SHUTDOWN_BY_PORT
msg_poweroff:
        db      "debugcon_shutdown: powering off with ", SHUTDOWN_TEXT, NL, 0
msg_still_running:
        db      "FAIL: still running after ", SHUTDOWN_TEXT, NL, 0
%else
msg_exit:
        db      "debugcon_shutdown: done, exit through port 0xf4", NL, 0
%endif
