; SPDX-License-Identifier: MIT
;
; timer_masked.asm - test: the classic "my timer interrupt never arrives".
;
; This is kernels/ticks.asm with one line missing: it sets up the IDT, the
; two 8259As (pic_init leaves every IRQ masked) and the 8254 at 1000 Hz,
; enables interrupts, and never unmasks IRQ0.  The PIT ticks, the request
; sits in the master's IRR, and the handler never runs.  README.md ("Why
; didn't my timer interrupt arrive?") reads the answer from
;   minivmm --trace=irq,pic,pit --bios timer_masked.bin
; where IRQ0 is "raised, held: masked" and no OCW1 ever clears IMR bit 0.
;
; A learner's kernel would HLT forever here; this one waits a bounded time
; instead, without a single interrupt and without an I/O access that would
; show in that trace: PIT counter 2 in mode 0 (one shot) counts 65535 input
; clocks (55 ms, about 55 IRQ0 periods) and the loop polls its OUT2 on port
; 0x61, whose reads are no device event.  Then it prints how many IRQ0 it
; took (0) and exits with value 1 (status 3), as a failing kernel does.
;
; Build: nasm -f bin -I kernels/include/ -o timer_masked.bin tests/kernels/timer_masked.asm

%include "layout.inc"
%include "pm_entry.inc"
%include "serial.inc"
%include "debug_exit.inc"
%include "idt.inc"
%include "pic8259.inc"
%include "pit8254.inc"
%include "irq.inc"

TICK_HZ         equ 1000
WAIT_COUNT      equ 0xffff                      ; counter 2: 65535 clocks, 55 ms
POLL_LIMIT      equ 10000000                    ; bounds the wait if OUT2 never rises
PIT_CH2_ONESHOT equ PIT_SC_CH2 | PIT_RW_LSB_MSB | PIT_MODE0 | PIT_BINARY

[section .bss]
alignb 4
tick_count:     resd 1
__SECT__

section .text32
bits 32

pm_main:
        call    serial_init
        mov     esi, msg_banner
        call    serial_puts
        mov     dword [tick_count], 0

        call    idt_init
        call    irq_init
        mov     eax, PIT_IRQ
        mov     ebx, tick_handler
        call    irq_set_handler
        call    pic_init                        ; every IRQ masked
        mov     eax, PIT_DIVISOR(TICK_HZ)
        call    pit_start_periodic
        ; The bug: ticks.asm unmasks IRQ0 here (pic_unmask).  We forget.
        sti

        ; Wait 55 ms of PIT time with interrupts on: counter 2 as a one-shot,
        ; gated by port 0x61 bit 0, its OUT2 in bit 5.
        in      al, PORTB
        and     al, ~(PORTB_SPEAKER | PORTB_GATE2) & 0xff
        or      al, PORTB_GATE2
        out     PORTB, al
        mov     al, PIT_CH2_ONESHOT
        out     PIT_CONTROL, al
        mov     al, WAIT_COUNT & 0xff
        out     PIT_CH2, al
        mov     al, WAIT_COUNT >> 8
        out     PIT_CH2, al                     ; OUT2 low, counting
        mov     ecx, POLL_LIMIT
.wait:
        in      al, PORTB
        test    al, PORTB_OUT2
        jnz     .done
        dec     ecx
        jnz     .wait
.done:
        cli
        mov     esi, msg_result
        call    serial_puts
        mov     eax, [tick_count]
        call    serial_put_dec
        mov     esi, msg_result_end
        call    serial_puts
        DEBUG_EXIT 1

tick_handler:
        inc     dword [tick_count]
        call    pic_eoi
        ret

msg_banner:     db "timer_masked: PIT counter 0 at 1000 Hz, IRQ0 left masked", NL, 0
msg_result:     db "timer_masked: ", 0
msg_result_end: db " timer interrupts in 55 ms", NL, 0
