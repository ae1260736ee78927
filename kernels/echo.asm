; SPDX-License-Identifier: MIT
;
; echo.asm - lesson 4, and minivmm's built-in demo: two devices, two
; interrupts, one sleeping main loop.
;
; What this kernel teaches: how an interrupt-driven driver is split in two.
; The handler does only what cannot wait - take the bytes out of the UART
; before its FIFO overflows, count a timer tick - and tells the PIC it is
; done.  The main loop does everything else, printing included, and sleeps
; in HLT whenever there is nothing to do.  Between the two sits a ring buffer
; in RAM, written only by the handler and read only by the main loop.
;   - Timer: the 8254's counter 0 in mode 2 at 100 Hz on IRQ0 counts uptime
;     (see ticks.asm, lesson 3).
;   - Keyboard: the 16550A UART on COM1, IRQ4, with its receive FIFO on and
;     the "received data available" interrupt enabled (IER.ERBFI).  The UART
;     interrupts when 4 bytes are waiting (FCR trigger level), or when fewer
;     have waited for 4 character times (the character timeout, IIR 0x0c).
;     On a PC the UART's interrupt pin reaches the 8259A only while MCR.OUT2
;     is set: forget it and no interrupt ever comes.
;   - Flow control: when the ring is full the handler stops reading and
;     switches the receive interrupt off; the bytes wait in the UART, whose
;     full FIFO makes the sender wait.  The main loop switches it back on
;     once it has emptied the ring.  Pasted text is slowed down, never lost.
; Each key typed comes back (printed by polling LSR.THRE, as serial.inc
; does); Enter (CR or LF) prints the uptime; Ctrl-D prints "bye" and leaves
; through the debug-exit port with V = 0 (status 1).
;
; Expected output for the input "hello\n" then Ctrl-D (0x04), e.g.
;   minivmm demo: type and each key comes back through the UART's receive interrupt;
;       Enter prints the uptime; Ctrl-D ends (Ctrl-A x quits minivmm)
;   hello
;   uptime: 0.02 s, 2 timer interrupts, 1 serial interrupts
;   bye
; then exit status 1.  The banner is one line, shown here on two.
; The three numbers depend on timing; the format is "uptime: <seconds>.
; <hundredths, always 2 digits> s, <ticks> timer interrupts, <n> serial
; interrupts".  A CR LF pair counts as one Enter; other control characters
; are not echoed; Backspace/DEL erases the last character shown.
;
; Run: nasm -f bin -Ikernels/include/ -o echo.bin kernels/echo.asm
;      minivmm --bios echo.bin    (it is also the kernel minivmm runs by default)
; or   qemu-system-x86_64 -machine pc -nodefaults -display none -serial stdio \
;          -device isa-debug-exit,iobase=0xf4,iosize=0x04 -bios echo.bin

%include "layout.inc"
%include "pm_entry.inc"                 ; start: real mode -> pm_main, 32-bit
%include "serial.inc"
%include "debug_exit.inc"
%include "idt.inc"
%include "pic8259.inc"
%include "pit8254.inc"
%include "irq.inc"

%ifdef ECHO_TICK_HZ                     ; nasm -DECHO_TICK_HZ=1000: the soak test's rate
TICK_HZ         equ ECHO_TICK_HZ
%else
TICK_HZ         equ 100                 ; timer interrupts per second
%endif

RX_RING_SIZE    equ 256                 ; bytes; a power of two
RX_RING_MASK    equ RX_RING_SIZE - 1
UART_IRQ_PASSES equ 16                  ; IIR rounds per interrupt, at most

KEY_CTRL_D      equ 0x04                ; end of transmission: we stop
KEY_BS          equ 0x08                ; Backspace
KEY_TAB         equ 0x09
KEY_LF          equ 0x0a
KEY_CR          equ 0x0d                ; what Enter sends on a raw terminal
KEY_SPACE       equ 0x20                ; first printable character
KEY_DEL         equ 0x7f                ; what Backspace sends on most terminals

[section .bss]
alignb 4
tick_count:     resd 1                  ; IRQ0s; written by tick_handler only
serial_irqs:    resd 1                  ; IRQ4s; written by uart_handler only
rx_head:        resd 1                  ; next byte to write; uart_handler only
rx_tail:        resd 1                  ; next byte to read; main loop only
rx_throttled:   resd 1                  ; 1: ring was full, ERBFI is off
after_cr:       resd 1                  ; main loop: the last key was CR
rx_ring:        resb RX_RING_SIZE
__SECT__

section .text32
bits 32

pm_main:
        ; No serial_init: it would empty the receive FIFO, and the host may
        ; have typed (or piped) something already.  The UART's power-on
        ; state (THR empty) is enough to print the banner by polling.
        mov     esi, msg_banner
        call    serial_puts

        xor     eax, eax
        mov     [tick_count], eax
        mov     [serial_irqs], eax
        mov     [rx_head], eax
        mov     [rx_tail], eax
        mov     [rx_throttled], eax
        mov     [after_cr], eax

        ; The CPU side: IDT, IRQ gates, our two handlers.
        call    idt_init
        call    irq_init
        mov     eax, PIT_IRQ
        mov     ebx, tick_handler
        call    irq_set_handler
        mov     eax, COM1_IRQ
        mov     ebx, uart_handler
        call    irq_set_handler

        ; The devices, with interrupts still off (IF = 0 since reset).
        call    pic_init
        mov     eax, PIT_DIVISOR(TICK_HZ)
        call    pit_start_periodic
        call    uart_start

        ; Let exactly our two lines through the master's mask, then let the
        ; CPU take interrupts.
        mov     eax, PIT_IRQ
        call    pic_unmask
        mov     eax, COM1_IRQ
        call    pic_unmask

; The main loop: take one byte out of the ring, or sleep until an interrupt
; has put one there.  The CLI ... STI; HLT sequence closes the race between
; "the ring is empty" and going to sleep: if the UART interrupted between the
; two, HLT would sleep with a byte waiting, until the next timer tick.  STI
; takes effect only after the following instruction (SDM Vol. 2, STI), so
; the interrupt is taken *in* the HLT, which then returns.
main_loop:
        cli
        mov     eax, [rx_tail]
        cmp     eax, [rx_head]
        jne     .byte
        ; The ring is empty.  If the handler had to stop receiving because
        ; it was full, there is room again now: re-enable the interrupt.
        ; The UART raises it at once if bytes are waiting (data sheet 8.7),
        ; and that rising edge reaches the PIC.
        cmp     byte [rx_throttled], 0
        je      .sleep
        mov     byte [rx_throttled], 0
        OUTB    COM1_IER, UART_IER_ERBFI
.sleep:
        sti
        hlt
        jmp     main_loop
.byte:
        sti
        and     eax, RX_RING_MASK
        movzx   ebx, byte [rx_ring + eax]
        ; Only now free the slot: the handler may fill it again at once.
        inc     dword [rx_tail]
        call    handle_key
        jmp     main_loop

; handle_key: BL = a byte the user typed.
handle_key:
        cmp     bl, KEY_CTRL_D
        je      .bye
        cmp     bl, KEY_LF
        je      .lf
        mov     byte [after_cr], 0
        cmp     bl, KEY_CR
        je      .cr
        cmp     bl, KEY_DEL
        je      .erase
        cmp     bl, KEY_BS
        je      .erase
        cmp     bl, KEY_TAB
        je      .echo
        cmp     bl, KEY_SPACE
        jb      .done                   ; other control characters: not shown
.echo:
        mov     al, bl
        call    serial_putc
.done:
        ret
.erase:
        ; Back one column, overwrite with a space, back again.
        mov     esi, msg_erase
        call    serial_puts
        ret
.lf:
        ; A LF right after a CR is the second half of one Enter.
        cmp     byte [after_cr], 0
        mov     byte [after_cr], 0
        jne     .done
        jmp     print_uptime
.cr:
        mov     byte [after_cr], 1
        jmp     print_uptime
.bye:
        mov     esi, msg_bye
        call    serial_puts
        DEBUG_EXIT EXIT_PASS

; print_uptime: a newline, then "uptime: 1.23 s, 123 timer interrupts, 4
; serial interrupts".  Each counter is read once, in one instruction: a
; handler may change it at any moment, but never halfway through a read.
print_uptime:
        mov     al, NL
        call    serial_putc
        mov     esi, msg_uptime
        call    serial_puts
        mov     ebx, [tick_count]
        mov     eax, ebx
        xor     edx, edx
        mov     ecx, TICK_HZ
        div     ecx                     ; EAX = seconds, EDX = ticks left over
        call    serial_put_dec
        mov     al, '.'
        call    serial_putc
        mov     eax, edx
        imul    eax, 100                ; hundredths, 0-99: always two digits
        xor     edx, edx
        mov     ecx, TICK_HZ
        div     ecx
        xor     edx, edx
        mov     ecx, 10
        div     ecx
        add     al, '0'
        call    serial_putc
        mov     al, dl
        add     al, '0'
        call    serial_putc
        mov     esi, msg_seconds
        call    serial_puts
        mov     eax, ebx
        call    serial_put_dec
        mov     esi, msg_timer
        call    serial_puts
        mov     eax, [serial_irqs]
        call    serial_put_dec
        mov     esi, msg_serial
        call    serial_puts
        ret

; uart_start: program COM1 for interrupt-driven receiving, without losing a
; byte the host may already have sent.
;
; The trap: switching the FIFOs on (FCR bit 0 from 0 to 1) empties them
; (data sheet 8.5, FCR0: "when changing from the FIFO Mode to the 16450 Mode
; and vice versa, data is automatically cleared from the FIFOs"), and at
; power-on the UART is in 16450 mode with maybe one byte in RBR and more on
; their way.  So we first put the UART in loopback (MCR.LOOP, data sheet
; 8.8): its receiver is then connected to its own transmitter, not to the
; outside world, and minivmm's console holds further input back.  We move
; the byte(s) already received to the ring, switch the FIFOs on, and only
; then leave loopback.  (QEMU's UART keeps accepting input in loopback, so
; there a byte arriving in those few instructions may still be lost.)
uart_start:
        ; Let the banner leave first (LSR.TEMT: holding and shift register
        ; empty, data sheet 8.4): in loopback the rest of it would come back
        ; to our own receiver, and the FIFO switch below would clear it.
        ; Unbounded, like serial_putc: if the host stops reading, so do we.
        mov     dx, COM1_LSR
.wait_tx:
        in      al, dx
        test    al, UART_LSR_TEMT
        jz      .wait_tx
        ; No interrupts from the UART while we set it up.
        OUTB    COM1_IER, 0
        ; Receiver disconnected from the line; OUT2 = 0 keeps its interrupt
        ; pin away from the PIC meanwhile.
        OUTB    COM1_MCR, UART_MCR_LOOP
        ; 115200 baud 8N1, as serial_init (data sheet 8.1, 8.3).  The
        ; divisor matters to the character timeout: 4 character times.
        OUTB    COM1_LCR, UART_LCR_DLAB
        OUTB    COM1_DLL, UART_DIVISOR & 0xff
        OUTB    COM1_DLM, UART_DIVISOR >> 8
        OUTB    COM1_LCR, UART_LCR_WLEN8
        ; What arrived before we got here.
        call    uart_drain_rx
        ; FIFOs on, receive interrupt at 4 bytes.  Above 1 byte this needs
        ; the character timeout interrupt too (IIR 0x0c): without it the
        ; last 1-3 bytes of a burst would sit in the FIFO, unreported.
        OUTB    COM1_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_4
        ; Interrupt on received data (and, in FIFO mode, on the timeout;
        ; data sheet 8.7: ERBFI enables both).
        OUTB    COM1_IER, UART_IER_ERBFI
        ; Out of loopback; DTR and RTS tell the other end we are ready, OUT2
        ; connects the UART's interrupt to IRQ4 of the PIC.
        OUTB    COM1_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2
        ret

; uart_drain_rx: move the bytes the UART holds (LSR.DR, data sheet 8.4)
; into the ring, until the UART is empty or the ring is full.  Each RBR read
; makes room in the FIFO, which the host may fill again at once; the ring's
; size bounds the loop.  Returns CF = 1 if it stopped on a full ring.  Called
; by the handler, and by uart_start before interrupts are on.  Clobbers EAX,
; EBX, EDX.
uart_drain_rx:
        mov     ebx, [rx_head]
        sub     ebx, [rx_tail]
        cmp     ebx, RX_RING_SIZE
        jae     .full
        INB     COM1_LSR
        test    al, UART_LSR_DR
        jz      .empty
        INB     COM1_RBR
        mov     ebx, [rx_head]
        and     ebx, RX_RING_MASK
        mov     [rx_ring + ebx], al
        ; Store the byte first, then publish it by moving the head: the main
        ; loop never reads a slot before the head has passed it.
        inc     dword [rx_head]
        jmp     uart_drain_rx
.full:
        stc
        ret
.empty:
        clc
        ret

; The IRQ0 handler: one more hundredth of a second.
tick_handler:
        inc     dword [tick_count]
        call    pic_eoi                 ; EAX = 0, from irq_common
        ret

; The IRQ4 handler.  The IIR names the most important reason the UART is
; interrupting (data sheet 8.6, Table IV); we deal with it, which clears it,
; and read IIR again until bit 0 says "no interrupt pending".  Only then is
; the UART's interrupt output low, and only then may we EOI: IRQ4 is edge
; triggered, so a reason left pending now would keep the line high and never
; make another edge - the UART would fall silent for good.  Linux's
; serial8250_handle_irq() loops the same way.
uart_handler:
        inc     dword [serial_irqs]
        mov     ecx, UART_IRQ_PASSES    ; a broken UART must not hang us here
.pass:
        INB     COM1_IIR
        test    al, UART_IIR_NO_INT
        jnz     .done
        and     al, UART_IIR_ID
        cmp     al, UART_IIR_RDA        ; trigger level reached
        je      .rx
        cmp     al, UART_IIR_CTI        ; bytes waited 4 character times
        je      .rx
        cmp     al, UART_IIR_RLS        ; overrun/parity/framing/break:
        je      .lsr                    ; reading LSR clears it
        cmp     al, UART_IIR_MSI        ; modem status: reading MSR clears it
        je      .msr
        ; UART_IIR_THRI: reading IIR has cleared it (we never enable it).
        jmp     .again
.rx:
        call    uart_drain_rx           ; empties the FIFO, which clears both
        jnc     .again
        ; The ring is full: flow control.  We leave the rest in the UART,
        ; whose full FIFO makes the host wait (nothing is lost), and switch
        ; the receive interrupt off, which clears it: else it would stay
        ; pending and, edge triggered, never interrupt again.  The main loop
        ; switches it back on when it has emptied the ring.
        mov     byte [rx_throttled], 1
        OUTB    COM1_IER, 0
        jmp     .again
.lsr:
        INB     COM1_LSR
        jmp     .again
.msr:
        INB     COM1_MSR
.again:
        dec     ecx
        jnz     .pass
.done:
        mov     eax, COM1_IRQ
        call    pic_eoi
        ret

msg_banner:
        db      "minivmm demo: type and each key comes back through the UART's receive "
        db      "interrupt; Enter prints the uptime; Ctrl-D ends (Ctrl-A x quits minivmm)", NL, 0
msg_uptime:     db "uptime: ", 0
msg_seconds:    db " s, ", 0
msg_timer:      db " timer interrupts, ", 0
msg_serial:     db " serial interrupts", NL, 0
msg_bye:        db "bye", NL, 0
msg_erase:      db KEY_BS, " ", KEY_BS, 0
