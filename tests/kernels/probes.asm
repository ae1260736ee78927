; SPDX-License-Identifier: MIT
;
; probes.asm - test kernel: what Linux's drivers ask of the PC's devices at
; boot, in the order Linux boots (the 8259A when it sets up IRQs, the 8254
; when it calibrates the TSC, the 16550A when the 8250 driver probes COM1).
; A device model that fails one of these makes Linux take a different path:
; "Using NULL legacy PIC", a failed TSC calibration, a serial port detected
; as a plain 8250 or not at all, a UART that needs a polling timer.
;
;   8259A  arch/x86/kernel/i8259.c: probe_8259A() writes the IMR and expects
;          to read it back (no PIC: the bus floats and reads 0xff); the
;          spurious-IRQ check of mask_and_ack_8259A() reads the ISR.
;   8254   arch/x86/kernel/tsc.c: quick_pit_calibrate() loads counter 2 with
;          0xffff in mode 0 and watches the MSB of the count step down
;          (pit_expect_msb()); pit_calibrate_tsc() loads a 10 or 50 ms count
;          and polls port 0x61 bit 5 (OUT2) until it goes high.
;   16550A drivers/tty/serial/8250/8250_port.c: autoconfig() - IER scratch
;          test, loopback test, FIFO test (IIR bits 7:6); then
;          serial8250_do_startup()'s THRE test (UART_BUG_THRE).
;
; Each probe first measures, with nothing printed in between (printing uses
; the UART, and in loopback it would even go nowhere), then reports.
; Expected output (then exit status 1):
;   probes: what Linux's i8259, TSC calibration and 8250 drivers do at boot
;   PASS: 8259A: master IMR 0xfb reads back 0xfb (probe_8259A)
;   PASS: 8259A: slave IMR 0xff reads back 0xff
;   PASS: 8259A: master IMR 0xff reads back 0xff
;   PASS: 8259A: ISR (OCW3 0x0b) reads 0 on both chips
;   PASS: ELCR: 0xff/0xff reads back 0xf8/0xde (IRQ0, 1, 2, 8, 13 always edge)
;   PASS: 8254: counter 2 loaded with 0xffff in mode 0 holds it while GATE2 is low
;   PASS: 8254: with GATE2 high it counts down (its MSB falls by 3 and more)
;   PASS: 8254: OUT2 (port 0x61 bit 5) is low after loading counter 2 in mode 0
;   PASS: 8254: OUT2 goes high at terminal count
;   PASS: 16550A: IER written 0 reads back 0
;   PASS: 16550A: IER written 0x0f reads back exactly 0x0f
;   PASS: 16550A: IER bits 7:4 read 0 (0xff reads back 0x0f)
;   PASS: 16550A: loopback MCR 0x1a gives MSR & 0xf0 == 0x90 (DCD, CTS)
;   PASS: 16550A: FCR 0x01 makes IIR bits 7:6 read 11 (16550A)
;   PASS: 16550A: IER.ETBEI with THR empty makes IIR report THRI (0x02)
;   PASS: 16550A: reading IIR cleared THRI (IIR bit 0 is 1)
;   PASS: 16550A: IER 0 then ETBEI again re-asserts THRI
;   PASS: 16550A: idle LSR reads 0x60 (THRE, TEMT)
;   SUMMARY: 18 tests, 0 failures
; Every wait is bounded by a loop count, so a broken model fails a check
; instead of hanging the test.

%include "layout.inc"
%include "pm_entry.inc"
%include "serial.inc"
%include "report.inc"
%include "idt.inc"
%include "pic8259.inc"
%include "pit8254.inc"

PIC_IMR_PROBE   equ ~(1 << PIC_CASCADE_IRQ) & 0xff      ; 0xfb, as probe_8259A
ELCR_MASTER_FIXED equ 0xf8              ; ELCR bits that exist (PIIX: IRQ0-2 edge)
ELCR_SLAVE_FIXED  equ 0xde              ; (IRQ8 and IRQ13 edge)

; pit_calibrate_tsc() with CAL2_MS = 50: latch = PIT_TICK_RATE / (1000 / ms).
; The longer of Linux's two counts: more room for a slow first port read.
CAL_MS          equ 50
CAL_LATCH       equ PIT_INPUT_HZ / (1000 / CAL_MS)              ; 59659
QUICK_START     equ 0xffff              ; quick_pit_calibrate()'s initial count
QUICK_STEPS     equ 3                   ; how far down we follow the MSB
MSB_POLL_LIMIT  equ 200000              ; reads; the MSB is that low 98.8% of the time
OUT2_POLL_LIMIT equ 1000000             ; reads; 50 ms is far fewer
PIT_CONTROL_CH2_MODE0 equ PIT_SC_CH2 | PIT_RW_LSB_MSB | PIT_MODE0 | PIT_BINARY   ; 0xb0

UART_IER_ALL    equ 0x0f                ; the four enable bits of a 16550A
UART_IER_WRITE_ALL equ 0xff
UART_LOOP_TEST  equ UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS        ; 0x1a, as Linux
UART_LOOP_EXPECT equ UART_MSR_DCD | UART_MSR_CTS                        ; 0x90
UART_IIR_ID_BITS equ 0x0f               ; IIR without the FIFO bits 7:6
UART_LSR_IDLE   equ UART_LSR_THRE | UART_LSR_TEMT                       ; 0x60
UART_DRAIN_LIMIT equ 100000             ; LSR polls waiting for TEMT

[section .bss]
alignb 4
out2_polls:     resd 1                  ; port 0x61 reads until OUT2 rose
probe_imr_fb:   resb 1
probe_imr_slave: resb 1
probe_imr_ff:   resb 1
probe_elcr_master: resb 1
probe_elcr_slave: resb 1
probe_out2_first: resb 1
probe_count_held: resw 1                ; counter 2 read back with GATE2 low
probe_msb_down: resb 1                  ; 1 if the MSB went down as it should
probe_ier_0:    resb 1
probe_ier_f:    resb 1
probe_ier_ff:   resb 1
probe_msr_loop: resb 1
probe_iir_fifo: resb 1
probe_iir_thri1: resb 1
probe_iir_after: resb 1
probe_iir_thri2: resb 1
probe_lsr_idle: resb 1
__SECT__

section .text32
bits 32

pm_main:
        call    serial_init
        call    report_init
        call    idt_init
        mov     esi, msg_hello
        call    serial_puts

        call    probe_8259a
        call    probe_8254
        call    probe_16550a
        jmp     report_done

; ---------------------------------------------------------------------------
; 8259A and ELCR.
probe_8259a:
        call    pic_init
        ; probe_8259A(): slave all masked, master all but the cascade, and
        ; the master's IMR must read back what was written.
        mov     al, PIC_IMR_ALL
        out     PIC_SLAVE_DATA, al
        mov     al, PIC_IMR_PROBE
        out     PIC_MASTER_DATA, al
        in      al, PIC_MASTER_DATA
        mov     [probe_imr_fb], al
        in      al, PIC_SLAVE_DATA
        mov     [probe_imr_slave], al
        ; Older kernels wrote 0xff and expected 0xff, which a floating bus
        ; would also give; 0xfb is the better test, but both must hold.
        mov     al, PIC_IMR_ALL
        out     PIC_MASTER_DATA, al
        in      al, PIC_MASTER_DATA
        mov     [probe_imr_ff], al
        CHECK_EQ byte [probe_imr_fb], PIC_IMR_PROBE, \
                "8259A: master IMR 0xfb reads back 0xfb (probe_8259A)"
        CHECK_EQ byte [probe_imr_slave], PIC_IMR_ALL, "8259A: slave IMR 0xff reads back 0xff"
        CHECK_EQ byte [probe_imr_ff], PIC_IMR_ALL, "8259A: master IMR 0xff reads back 0xff"
        ; Nothing was ever acknowledged (IF has been 0 since reset).
        call    pic_read_isr
        CHECK_EQ ax, 0, "8259A: ISR (OCW3 0x0b) reads 0 on both chips"

        ; The ELCR bits of the always-edge IRQs do not exist: written 1,
        ; they read 0.  Then back to all edge.
        mov     al, 0xff
        mov     dx, PIC_ELCR_MASTER
        out     dx, al
        mov     dx, PIC_ELCR_SLAVE
        out     dx, al
        in      al, dx
        mov     [probe_elcr_slave], al
        mov     dx, PIC_ELCR_MASTER
        in      al, dx
        mov     [probe_elcr_master], al
        xor     al, al
        out     dx, al
        mov     dx, PIC_ELCR_SLAVE
        out     dx, al
        mov     al, [probe_elcr_master]
        mov     ah, [probe_elcr_slave]
        CHECK_EQ ax, (ELCR_SLAVE_FIXED << 8) | ELCR_MASTER_FIXED, \
                "ELCR: 0xff/0xff reads back 0xf8/0xde (IRQ0, 1, 2, 8, 13 always edge)"
        ret

; ---------------------------------------------------------------------------
; 8254 counter 2, through port 0x61.

; gate2_on: GATE2 high (counter 2 counts), speaker off - the first line of
; both calibration routines: outb((inb(0x61) & ~0x02) | 0x01, 0x61).
gate2_on:
        in      al, PORTB
        and     al, ~PORTB_SPEAKER & 0xff
        or      al, PORTB_GATE2
        out     PORTB, al
        ret

; gate2_off: GATE2 low (counter 2 stops counting in mode 0), speaker off.
gate2_off:
        in      al, PORTB
        and     al, ~(PORTB_SPEAKER | PORTB_GATE2) & 0xff
        out     PORTB, al
        ret

; read_ch2_msb: read counter 2 low byte then high byte (RW = 11 alternates
; them; 8254 data sheet "Read Operations"); AL = the high byte.
read_ch2_msb:
        in      al, PIT_CH2             ; LSB, ignored as pit_verify_msb() does
        in      al, PIT_CH2             ; MSB
        ret

probe_8254:
        ; quick_pit_calibrate(): counter 2, mode 0, count 0xffff.  In mode 0
        ; the counter counts down from there, one per input clock, so the
        ; MSB changes every 256 clocks (214.5 us).  Linux times that against
        ; the TSC; we must not depend on time (a VM exit may take any time on
        ; a loaded host), so first load the count with GATE2 low: mode 0 then
        ; holds it ("Mode 0": GATE = 0 disables counting), and it must read
        ; back exactly, however long we take.  (QEMU 7.2's i8254 ignores
        ; GATE in mode 0 and fails this check; minivmm follows the data
        ; sheet.)
        call    gate2_off
        mov     al, PIT_CONTROL_CH2_MODE0
        out     PIT_CONTROL, al
        mov     al, QUICK_START & 0xff
        out     PIT_CH2, al
        mov     al, QUICK_START >> 8
        out     PIT_CH2, al
        ; "The PIT starts counting at the next edge, so we need to delay for
        ; a microsecond": one dummy read of the count (the load happens on
        ; the next input clock, counting or not).
        call    read_ch2_msb
        in      al, PIT_CH2
        mov     [probe_count_held], al
        in      al, PIT_CH2
        mov     [probe_count_held + 1], al
        ; GATE2 high: it counts down from the held 0xffff.  pit_expect_msb()
        ; follows every step of the MSB; we only want to see it fall by
        ; QUICK_STEPS, which it does for all but 3 of every 256 steps of a
        ; 55 ms cycle (mode 0 wraps to 0xffff after terminal count), so
        ; however late our reads come, one of them sees it.
        call    gate2_on
        mov     byte [probe_msb_down], 0
        mov     ecx, MSB_POLL_LIMIT
.follow:
        call    read_ch2_msb
        cmp     al, (QUICK_START >> 8) - QUICK_STEPS
        jbe     .msb_down
        dec     ecx
        jnz     .follow
        jmp     .msb_done               ; it never got there
.msb_down:
        mov     byte [probe_msb_down], 1
.msb_done:

        ; pit_calibrate_tsc(): mode 0 again, now with Linux's 50 ms count.
        ; The control word drives OUT2 low at once ("Mode 0: Interrupt on
        ; Terminal Count"), it stays low while counting and goes high when
        ; the count reaches 0.
        call    gate2_on
        mov     al, PIT_CONTROL_CH2_MODE0
        out     PIT_CONTROL, al
        mov     al, CAL_LATCH & 0xff
        out     PIT_CH2, al
        mov     al, CAL_LATCH >> 8
        out     PIT_CH2, al
        in      al, PORTB
        and     al, PORTB_OUT2
        mov     [probe_out2_first], al
        ; while ((inb(0x61) & 0x20) == 0) - but bounded.
        xor     ecx, ecx
.poll:
        in      al, PORTB
        test    al, PORTB_OUT2
        jnz     .out2_high
        inc     ecx
        cmp     ecx, OUT2_POLL_LIMIT
        jb      .poll
.out2_high:
        mov     [out2_polls], ecx

        CHECK_EQ word [probe_count_held], QUICK_START, \
                "8254: counter 2 loaded with 0xffff in mode 0 holds it while GATE2 is low"
        CHECK_EQ byte [probe_msb_down], 1, \
                "8254: with GATE2 high it counts down (its MSB falls by 3 and more)"
        CHECK_EQ byte [probe_out2_first], 0, \
                "8254: OUT2 (port 0x61 bit 5) is low after loading counter 2 in mode 0"
        cmp     dword [out2_polls], OUT2_POLL_LIMIT
        CHECK   b, "8254: OUT2 goes high at terminal count"
        ret

; ---------------------------------------------------------------------------
; 16550A on COM1.

; uart_wait_idle: wait (bounded) until the transmitter is completely empty,
; so that what we print before does not show in the registers we probe.
uart_wait_idle:
        mov     ecx, UART_DRAIN_LIMIT
.poll:
        INB     COM1_LSR
        test    al, UART_LSR_TEMT
        jnz     .done
        dec     ecx
        jnz     .poll
.done:
        ret

probe_16550a:
        call    uart_wait_idle
        ; autoconfig(): the IER scratch test.  Bits 3:0 are read/write,
        ; bits 7:4 always read 0 on a 16550A (data sheet 8.7).
        OUTB    COM1_IER, 0
        INB     COM1_IER
        mov     [probe_ier_0], al
        OUTB    COM1_IER, UART_IER_ALL
        INB     COM1_IER
        mov     [probe_ier_f], al
        OUTB    COM1_IER, UART_IER_WRITE_ALL
        INB     COM1_IER
        mov     [probe_ier_ff], al
        OUTB    COM1_IER, 0

        ; The loopback test: in loopback the modem inputs are wired to the
        ; outputs (data sheet 8.8): RTS -> CTS, OUT2 -> DCD, so MCR 0x1a
        ; must read back as CTS | DCD and neither DSR nor RI.
        INB     COM1_MCR
        mov     bl, al                  ; save_mcr
        OUTB    COM1_MCR, UART_LOOP_TEST
        INB     COM1_MSR
        and     al, UART_MSR_STATUS
        mov     [probe_msr_loop], al
        OUTB    COM1_MCR, bl

        ; The FIFO test: with FCR bit 0 set, IIR bits 7:6 read 11 on a
        ; 16550A (10 on the buggy 16550, 00 on an 8250/16450).
        OUTB    COM1_FCR, UART_FCR_ENABLE_FIFO
        INB     COM1_IIR
        shr     al, UART_IIR_FIFO_SHIFT
        mov     [probe_iir_fifo], al
        ; serial8250_clear_fifos(), then read RX once, as autoconfig() ends.
        OUTB    COM1_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT
        INB     COM1_RBR

        ; serial8250_do_startup()'s THRE test: with THR empty, enabling the
        ; THR-empty interrupt must raise it at once (IIR = THRI).  Reading
        ; IIR while it says THRI clears it (data sheet 8.6, Table IV, "reset
        ; by reading IIR").  Disabling and enabling ETBEI again must raise it
        ; again: Linux marks a UART that does not as UART_BUG_THRE and falls
        ; back to a timer.  MCR.OUT2 is 0 (serial_init), so none of this
        ; reaches the PIC.
        call    uart_wait_idle
        OUTB    COM1_IER, UART_IER_ETBEI
        INB     COM1_IIR
        and     al, UART_IIR_ID_BITS
        mov     [probe_iir_thri1], al
        INB     COM1_IIR
        and     al, UART_IIR_ID_BITS
        mov     [probe_iir_after], al
        OUTB    COM1_IER, 0
        OUTB    COM1_IER, UART_IER_ETBEI
        INB     COM1_IIR
        and     al, UART_IIR_ID_BITS
        mov     [probe_iir_thri2], al
        OUTB    COM1_IER, 0
        ; An idle UART: nothing received, transmitter empty.
        INB     COM1_LSR
        mov     [probe_lsr_idle], al

        CHECK_EQ byte [probe_ier_0], 0, "16550A: IER written 0 reads back 0"
        CHECK_EQ byte [probe_ier_f], UART_IER_ALL, \
                "16550A: IER written 0x0f reads back exactly 0x0f"
        CHECK_EQ byte [probe_ier_ff], UART_IER_ALL, \
                "16550A: IER bits 7:4 read 0 (0xff reads back 0x0f)"
        CHECK_EQ byte [probe_msr_loop], UART_LOOP_EXPECT, \
                "16550A: loopback MCR 0x1a gives MSR & 0xf0 == 0x90 (DCD, CTS)"
        CHECK_EQ byte [probe_iir_fifo], UART_IIR_FIFO_16550A, \
                "16550A: FCR 0x01 makes IIR bits 7:6 read 11 (16550A)"
        CHECK_EQ byte [probe_iir_thri1], UART_IIR_THRI, \
                "16550A: IER.ETBEI with THR empty makes IIR report THRI (0x02)"
        CHECK_EQ byte [probe_iir_after], UART_IIR_NO_INT, \
                "16550A: reading IIR cleared THRI (IIR bit 0 is 1)"
        CHECK_EQ byte [probe_iir_thri2], UART_IIR_THRI, \
                "16550A: IER 0 then ETBEI again re-asserts THRI"
        CHECK_EQ byte [probe_lsr_idle], UART_LSR_IDLE, "16550A: idle LSR reads 0x60 (THRE, TEMT)"
        ret

msg_hello:      db "probes: what Linux's i8259, TSC calibration and 8250 drivers do at boot", NL, 0
