; SPDX-License-Identifier: MIT
;
; ticks.asm - lesson 3: the timer interrupt.
;
; What this kernel teaches: how a device's interrupt gets from the wire to a
; handler and back, with the simplest device there is, the PC's timer.
;   1. The IDT gets gates for vectors 0x20-0x2f (include/irq.inc).
;   2. The two 8259A PICs are initialized (ICW1-ICW4) so that IRQ0-15 arrive
;      at those vectors, and every IRQ but IRQ0 is masked (OCW1;
;      include/pic8259.inc).
;   3. Counter 0 of the 8254 PIT becomes a rate generator (mode 2) dividing
;      its 1.193182 MHz clock by 1193: an IRQ0 about every millisecond
;      (include/pit8254.inc).
;   4. STI lets interrupts in.  The IRQ0 handler does the least it can: it
;      counts the tick and tells the PIC it is done (EOI).  Everything else,
;      printing included, happens in the main loop, which sleeps in HLT
;      between interrupts instead of spinning.
; Every 1000 interrupts the main loop prints one line, so the lines should
; come about once a second of real time: a clock you can check against your
; watch (under TCG emulation, or on a loaded host, they may run late).
;
; Expected output, forever (the test stops it with a signal):
;   ticks: PIT counter 0 at 1000 Hz, one line per 1000 interrupts
;   tick: 1 s, 1000 interrupts
;   tick: 2 s, 2000 interrupts
;   tick: 3 s, 3000 interrupts
;   ...
; An unexpected exception prints "FAIL: unexpected exception ..." and exits
; with status 3.
;
; Run: nasm -f bin -Ikernels/include/ -o ticks.bin kernels/ticks.asm
;      minivmm --bios ticks.bin    (Ctrl-A x quits)
; or   qemu-system-x86_64 -machine pc -nodefaults -display none -serial stdio \
;          -bios ticks.bin

%include "layout.inc"
%include "pm_entry.inc"                 ; start: real mode -> pm_main, 32-bit
%include "serial.inc"
%include "debug_exit.inc"
%include "idt.inc"
%include "pic8259.inc"
%include "pit8254.inc"
%include "irq.inc"

TICK_HZ         equ 1000                ; IRQ0 rate we ask the PIT for
TICKS_PER_LINE  equ TICK_HZ             ; one line per second of ticks

[section .bss]
alignb 4
tick_count:     resd 1                  ; IRQ0s so far; written by the handler only
__SECT__

section .text32
bits 32

pm_main:
        call    serial_init
        mov     esi, msg_banner
        call    serial_puts
        mov     dword [tick_count], 0

        ; Step 1: exceptions 0-31 (idt.inc), then gates for the IRQ vectors,
        ; and our handler for IRQ0.  All this before the first STI: an
        ; interrupt through an empty gate would be a #GP.
        call    idt_init
        call    irq_init
        mov     eax, PIT_IRQ
        mov     ebx, tick_handler
        call    irq_set_handler

        ; Step 2: the PICs.  pic_init leaves every IRQ masked.
        call    pic_init

        ; Step 3: the PIT.  It may already have been counting since power-on;
        ; a new control word restarts counter 0 from scratch (8254 data sheet
        ; "Write Operations": writing a control word resets the counter's
        ; logic and the count starts after the new initial count is written).
        mov     eax, PIT_DIVISOR(TICK_HZ)
        call    pit_start_periodic

        ; Step 4: let IRQ0 through the master's mask, and nothing else.
        mov     eax, PIT_IRQ
        call    pic_unmask

        ; The main loop.  EBX is the tick count of the next line to print;
        ; irq_common saves and restores every register, so an interrupt
        ; cannot disturb it.
        mov     ebx, TICKS_PER_LINE
.wait:
        ; Has the count reached EBX?  If not, sleep until the next interrupt.
        ; The check and the HLT must not be split by an interrupt, or we
        ; might go to sleep right after the tick we were waiting for.  So:
        ; CLI, check, then STI; HLT.  STI enables interrupts only after the
        ; *next* instruction (SDM Vol. 2, STI: "interrupt shadow"), so no
        ; interrupt can slip in between the two, and HLT wakes on the first
        ; one.  (With a timer at 1000 Hz a slip would only cost a tick, but
        ; the echo kernel uses the same idiom for keys, where it matters.)
        cli
        cmp     [tick_count], ebx
        jae     .report
        sti
        hlt                             ; sleeps until an interrupt has been handled
        jmp     .wait

.report:
        sti
        ; Print the milestone, not tick_count itself: the count may already
        ; have moved past it while we were asleep or printing, and the line
        ; is about *the* 1000th, 2000th ... interrupt.
        mov     esi, msg_tick
        call    serial_puts
        mov     eax, ebx
        xor     edx, edx
        mov     ecx, TICKS_PER_LINE
        div     ecx                     ; EAX = seconds
        call    serial_put_dec
        mov     esi, msg_seconds
        call    serial_puts
        mov     eax, ebx
        call    serial_put_dec
        mov     esi, msg_interrupts
        call    serial_puts
%ifdef TICKS_STOP_AFTER_LINES
        ; A build for the tests (nasm -DTICKS_STOP_AFTER_LINES=N) stops after
        ; the N-th line and reports the exact count, with interrupts off so
        ; it cannot move: the VMM's own counts must agree with it.
        cmp     ebx, TICKS_PER_LINE * TICKS_STOP_AFTER_LINES
        jae     .stop
%endif
        add     ebx, TICKS_PER_LINE
        jmp     .wait

%ifdef TICKS_STOP_AFTER_LINES
.stop:
        cli
        mov     esi, msg_stopped
        call    serial_puts
        mov     eax, [tick_count]
        call    serial_put_dec
        mov     esi, msg_interrupts
        call    serial_puts
        DEBUG_EXIT 0
msg_stopped:    db "ticks: stopped after ", 0
%endif

; The IRQ0 handler, called by irq_common with EAX = 0 and interrupts off.
; It counts and acknowledges - no printing here: the UART is slow, and while
; we are in a handler the next ticks (and everything of lower priority)
; wait.  A dword increment cannot be torn by the main loop's read: there is
; one CPU and the main loop reads it in one instruction.
tick_handler:
        inc     dword [tick_count]
        ; EOI to the master (data sheet "End of Interrupt"): until then IRQ0
        ; stays in service and no further IRQ0 would be delivered.
        call    pic_eoi
        ret

msg_banner:     db "ticks: PIT counter 0 at 1000 Hz, one line per 1000 interrupts", NL, 0
msg_tick:       db "tick: ", 0
msg_seconds:    db " s, ", 0
msg_interrupts: db " interrupts", NL, 0
