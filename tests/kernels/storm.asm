; SPDX-License-Identifier: MIT
;
; storm.asm - test kernel: a hostile guest that storms one device forever.
;
; The threat model (DEVELOPERS.md) says a guest that storms a device costs
; the host at most one vCPU thread's CPU and a bounded amount of memory.
; This kernel is that guest, built in one variant per storm (nasm -D, see
; tests/kernels/meson.build); each runs until the VMM is stopped (SIGTERM)
; and prints a progress line every STORM_LINE_EVERY events, so that a test
; can wait for a count of events rather than for a time:
;
;   -DSTORM_PIT=N        PIT counter 0 in mode 2 at reload N (1 or 2: the
;                        fastest the chip allows; the data sheet calls 1
;                        illegal in mode 2, and minivmm's PIT makes no
;                        edge at all with it), IRQ0 unmasked, interrupts
;                        on; the handler EOIs, so the next tick comes as
;                        soon as it returns.
;   -DSTORM_PIT=N -DSTORM_SPIN
;                        the same with a main loop that never halts (for
;                        bench/storm.py at reloads the guest keeps up with).
;   -DSTORM_PIT=N -DSTORM_NO_EOI
;                        the same, but the handler never EOIs: IRQ0 stays
;                        in service, so after the first tick the PIC lets
;                        no other through.  The main loop then spins on
;                        port 0x61 (a PIT read, one exit each) for ever.
;   -DSTORM_LEVEL=IRQ    a level-triggered storm: ELCR makes IRQ level
;                        triggered, the test device (--testdev) drives the
;                        line high and nobody ever lowers it; the handler
;                        EOIs, and the still-high line asks again at once.
;   -DSTORM_UART=0       UART flood: write THR as fast as the CPU can,
;                        never looking at LSR (bytes that find the
;                        transmitter full are dropped, as on a 16550).
;   -DSTORM_UART=1       the same, waiting for THRE before each byte, as a
;                        well-behaved driver does: the stall is the VMM's.
;
; Everything runs in real mode with the real-mode vector table at 0, so
; the storms run on any KVM, even a paravirtual one.
;
; Output: a banner line, then one line per STORM_LINE_EVERY events:
;   storm: pit reload 2, handler EOIs
;   storm: 1000 interrupts
;   storm: 2000 interrupts
;   ...
; For STORM_NO_EOI the lines count spins of the main loop and say how many
; interrupts were taken (always 1): "storm: 1000 spins, 1 interrupts".
; The UART floods print a banner and then bytes: lines of STORM_FLOOD_LINE
; characters ("0123...xyz" and a newline), for ever.

%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "pic8259.inc"
%include "pit8254.inc"

%ifndef STORM_LINE_EVERY
STORM_LINE_EVERY equ 1000
%endif

TESTDEV_IRQ_PORT equ 0x2000             ; + line: write 1 to drive it high (devices/testdev.h)

[section .bss]
alignb 4
irq_count:      resd 1                  ; interrupts taken; the handler's own
line_next:      resd 1                  ; the count at which to print next
__SECT__

section .text16
bits 16

rm_main:
        call    serial_init
        mov     dword [irq_count], 0
        mov     dword [line_next], STORM_LINE_EVERY

%ifdef STORM_UART
        mov     si, msg_uart
        call    serial_puts
        ; Bytes to send: the line below, over and over.  DX stays COM1_THR
        ; (or LSR while we wait), BX indexes the line.
        xor     bx, bx
.flood:
  %if STORM_UART
        mov     dx, COM1_LSR
.wait_thre:
        in      al, dx
        test    al, UART_LSR_THRE
        jz      .wait_thre
  %endif
        mov     al, [cs:flood_line + bx]
        mov     dx, COM1_THR
        out     dx, al
        inc     bx
        cmp     bx, flood_line_len
        jb      .flood
        xor     bx, bx
        jmp     .flood

%else ; the interrupt storms

  %ifdef STORM_LEVEL
    STORM_IRQ equ STORM_LEVEL
  %else
    STORM_IRQ equ PIT_IRQ
  %endif
  %if STORM_IRQ >= PIC_IRQS_PER_CHIP
    %error "STORM_LEVEL: use a master IRQ (3, 5, 6, 7)"
  %endif
STORM_VECTOR equ PIC_MASTER_VECTOR + STORM_IRQ

        mov     si, msg_banner
        call    serial_puts
        mov     eax, STORM_BANNER_NUMBER
        call    serial_put_dec
        mov     si, msg_banner_end
        call    serial_puts
        mov     word [STORM_VECTOR * 4], storm_handler
        mov     word [STORM_VECTOR * 4 + 2], cs
  %ifndef STORM_LEVEL
        ; The PIT first: its control word ends the power-on rate (18.2 Hz)
        ; and the ticks owed at it, and pic_init's ICW1 then discards one
        ; still in IRR.  So at reload 1 not a single interrupt comes, even
        ; on a host slow enough to see a power-on tick.
        mov     eax, STORM_PIT
        call    pit_start_periodic
  %endif
        call    pic_init                ; everything masked, edge triggered

  %ifdef STORM_LEVEL
        ; PIIX ELCR1: this IRQ level triggered, then its line high for good.
        mov     dx, PIC_ELCR_MASTER
        mov     al, 1 << STORM_IRQ
        out     dx, al
        mov     dx, TESTDEV_IRQ_PORT + STORM_IRQ
        mov     al, 1
        out     dx, al
  %endif
        mov     eax, STORM_IRQ
        call    pic_unmask

  %ifdef STORM_NO_EOI
        ; One interrupt gets in; after it IRQ0 stays in service for good.
        ; Spin with an exit per iteration, counting, for the progress lines.
        xor     ebx, ebx
        sti
.spin:
        in      al, PORTB
        inc     ebx
        cmp     ebx, [line_next]
        jb      .spin
        add     dword [line_next], STORM_LINE_EVERY
        mov     eax, ebx
        call    serial_put_dec
        mov     si, msg_spins
        call    serial_puts
        mov     eax, [irq_count]
        call    serial_put_dec
        mov     si, msg_interrupts
        call    serial_puts
        jmp     .spin
  %elifdef STORM_SPIN
        ; A guest that never halts: the ticks it cannot keep up with find
        ; it running, so the VMM's loop thread must deliver them.
        sti
.busy:
        in      al, PORTB
        jmp     .busy
  %else
        ; The handler EOIs and the next request is already there, so the
        ; next interrupt comes right after each IRET: this loop hardly runs,
        ; and the handler prints the progress lines itself.
.idle:
        sti
        hlt
        jmp     .idle
  %endif

; The handler, through the real-mode vector table: IF is clear inside.
storm_handler:
        push    eax
        push    si
        inc     dword [irq_count]
  %ifndef STORM_NO_EOI
        mov     eax, [irq_count]
        cmp     eax, [line_next]
        jb      .eoi
        add     dword [line_next], STORM_LINE_EVERY
        call    serial_put_dec
        mov     si, msg_interrupts
        call    serial_puts
.eoi:
        ; A non-specific EOI; the level variant leaves its line high.
        mov     al, PIC_OCW2_EOI
        out     PIC_MASTER_CMD, al
  %endif
        pop     si
        pop     eax
        iret

msg_banner:
  %ifdef STORM_LEVEL
STORM_BANNER_NUMBER equ STORM_LEVEL
        db      "storm: level-triggered IRQ ", 0
msg_banner_end:
        db      " held high, handler EOIs", NL, 0
  %else
STORM_BANNER_NUMBER equ STORM_PIT
        db      "storm: pit reload ", 0
msg_banner_end:
    %ifdef STORM_NO_EOI
        db      ", handler never EOIs", NL, 0
    %elifdef STORM_SPIN
        db      ", handler EOIs, main loop spins", NL, 0
    %else
        db      ", handler EOIs", NL, 0
    %endif
  %endif
msg_spins:
        db      " spins, ", 0
msg_interrupts:
        db      " interrupts", NL, 0
%endif

%ifdef STORM_UART
msg_uart:
  %if STORM_UART
        db      "storm: uart flood, waiting for THRE", NL, 0
  %else
        db      "storm: uart flood, never looking at LSR", NL, 0
  %endif
flood_line:
        db      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#", NL
flood_line_len equ $ - flood_line
%endif
