; SPDX-License-Identifier: MIT
;
; pic_init_line_high.asm - test: an interrupt line that is already high when
; the guest initialises the 8259A (ICW1..ICW4) must not interrupt until it
; makes a new low-to-high transition.
;
; The case: a hobby kernel enables the 16550's THR-empty interrupt (IER =
; ETBEI) and MCR.OUT2 *before* it remaps the PIC, then unmasks IRQ4 and
; waits.  The UART's INTR output went high at the IER write (THR is empty)
; and stays high.  The 8259A data sheet ("Initialization Command Words"):
; after ICW1 "the edge sense circuit is reset, which means that following
; initialization, an interrupt request (IR) input must make a low-to-high
; transition to generate an interrupt".  On a PC the 16550's INTR reaches
; IRQ4 only through MCR.OUT2: the line is driven only while OUT2 is set.
; minivmm implements both; this kernel checks them.
;
; Variants (IER 0x02 = ETBEI only; MCR 0x0b = DTR | RTS | OUT2, 0x03 = no
; OUT2; "early" = IER 0x02 and MCR 0x0b written before the PIC init).  What
; happens between ICW4 and STI, and the IRQ4s expected (exactly that many):
;   A  early; no UART access after the init                             0
;   B  early; IIR read once (clears THRE pending: the line falls)       0
;   C  early; LSR read once                                             0
;   D  early; IER written again with the same 0x02                      0
;   E  MCR 0x0b early, IER 0x02 after init and unmask (the line rises)  1
;   F  early; FCR written 0x01 (FIFOs stay enabled)                     0
;   G  early; IER written 0x00, then 0x02 (a real low-to-high edge)     1
;   H  early; MCR written again with the same 0x0b                      0
;   I  MCR 0x03 throughout, IER 0x02 after init and unmask (OUT2 gates) 0
;   J  IER 0x02 early with MCR 0x03; MCR 0x0b after unmask (line rises) 1
;   K  early; RBR read once (receive FIFO empty)                        0
; One PASS/FAIL line per variant, then SUMMARY; a failing variant also gets
; an INFO line with the IRQ4 count, the master's IRR bit 4 just before ICW1,
; just after ICW4 and just before STI, and the IIR the handler read.  Exit
; through port 0xf4: value 0 (status 1) if every variant passed, 1 (status
; 3) otherwise.
;
; QEMU 7.2 (qemu-ref --bios) passes A-E, G, H and fails F, I, J, K, so on
; QEMU the expected result is "4 failures", status 3:
;   F, K: ICW1 runs pic_reset_common() (hw/intc/i8259_common.c), which sets
;     last_irr = 0, forgetting that the line is high; pic_set_irq() then
;     latches IRR on any raise while last_irr is 0.  QEMU's serial model
;     (hw/char/serial.c) calls serial_update_irq(), re-raising the unchanged
;     line, on an FCR write and on an RBR read, so one IRQ4 arrives.
;   I, J: QEMU's 16550 ignores OUT2 and drives IRQ4 whatever MCR says, so I
;     gets an IRQ4 and J's line is already high before the init.
;
; Everything runs in real mode with the interrupt vector table at 0; IRQ0-7
; go to vectors 0x20-0x27, IRQ8-15 to 0x28-0x2f (all masked but IRQ4).
; QEMU's isapc starts the PIC with IMR 0 and the PIT running, and we replace
; the BIOS, so we mask everything before anything else.  Waits are bounded
; loop counts.  Nothing is printed while a variant runs: printing writes
; THR, which moves the UART's interrupt line.
;
; Build: nasm -f bin -I kernels/include/ -o pic_init_line_high.bin \
;            tests/kernels/pic_init_line_high.asm
; Run:   /work/shared/tools/qemu-ref --bios pic_init_line_high.bin

%include "layout.inc"
%include "rm_entry.inc"
%include "serial.inc"
%include "report.inc"

section .text16
bits 16

PIC_M_CMD       equ 0x20
PIC_M_DATA      equ 0x21
PIC_S_CMD       equ 0xa0
PIC_S_DATA      equ 0xa1
ICW1_VALUE      equ 0x11                ; edge, cascade, ICW4 follows
ICW2_MASTER     equ 0x20
ICW2_SLAVE      equ 0x28
ICW3_MASTER     equ 0x04
ICW3_SLAVE      equ 0x02
ICW4_VALUE      equ 0x01                ; 8086 mode, normal EOI
OCW3_READ_IRR   equ 0x0a
OCW2_EOI        equ 0x20
IMR_ONLY_IRQ4   equ 0xef

VEC_BASE        equ 0x20                ; IRQ0's vector
IRQ4_VECTOR     equ VEC_BASE + COM1_IRQ

MCR_OUT2_ON     equ UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2        ; 0x0b
MCR_OUT2_OFF    equ UART_MCR_DTR | UART_MCR_RTS                        ; 0x03

WAIT_LOOPS      equ 3000000             ; after STI; a few ms even under TCG
TEMT_LIMIT      equ 1000000

; Variant flags.
F_EARLY_IER     equ 1                   ; IER = ETBEI before the PIC init

; variant: letter, flags, MCR before the PIC init, IRQ4s expected, action
; after ICW4 (before unmask), action after unmask (before STI), the check's
; text.
struc variant
        .letter:        resb 1
        .flags:         resb 1
        .mcr:           resb 1
        .expect:        resb 1
        .after_init:    resw 1
        .after_unmask:  resw 1
        .msg:           resw 1
endstruc

%macro VARIANT 7
        db %1, %2, %3, %4
        dw %5, %6, %7
%endmacro

variants:
        VARIANT 'A', F_EARLY_IER, MCR_OUT2_ON,  0, act_none,       act_none,     msg_a
        VARIANT 'B', F_EARLY_IER, MCR_OUT2_ON,  0, act_read_iir,   act_none,     msg_b
        VARIANT 'C', F_EARLY_IER, MCR_OUT2_ON,  0, act_read_lsr,   act_none,     msg_c
        VARIANT 'D', F_EARLY_IER, MCR_OUT2_ON,  0, act_ier_again,  act_none,     msg_d
        VARIANT 'E', 0,           MCR_OUT2_ON,  1, act_none,       act_ier_thre, msg_e
        VARIANT 'F', F_EARLY_IER, MCR_OUT2_ON,  0, act_write_fcr,  act_none,     msg_f
        VARIANT 'G', F_EARLY_IER, MCR_OUT2_ON,  1, act_ier_toggle, act_none,     msg_g
        VARIANT 'H', F_EARLY_IER, MCR_OUT2_ON,  0, act_mcr_again,  act_none,     msg_h
        VARIANT 'I', 0,           MCR_OUT2_OFF, 0, act_none,       act_ier_thre, msg_i
        VARIANT 'J', F_EARLY_IER, MCR_OUT2_OFF, 1, act_none,       act_mcr_out2, msg_j
        VARIANT 'K', F_EARLY_IER, MCR_OUT2_ON,  0, act_read_rbr,   act_none,     msg_k
variants_end:

%define EARLY "THRE interrupt and OUT2 enabled before PIC init"
%define NO_EDGE "no IRQ4 (the line stays high, no low-to-high transition)"

msg_a: db "A: ", EARLY, ", no UART access after: no IRQ4 (datasheet: needs a low-to-high transition)", 0
msg_b: db "B: ", EARLY, ", IIR read after: no IRQ4 (the read clears THRE, the line falls and stays low)", 0
msg_c: db "C: ", EARLY, ", LSR read after: ", NO_EDGE, 0
msg_d: db "D: ", EARLY, ", IER rewritten 0x02 after: ", NO_EDGE, 0
msg_e: db "E: OUT2 enabled before PIC init, THRE interrupt enabled after init and unmask: exactly one IRQ4 (the line rises after init)", 0
msg_f: db "F: ", EARLY, ", FCR written 0x01 after: ", NO_EDGE, 0
msg_g: db "G: ", EARLY, ", IER written 0x00 then 0x02 after: exactly one IRQ4 (the line falls and rises again)", 0
msg_h: db "H: ", EARLY, ", MCR rewritten 0x0b after: ", NO_EDGE, 0
msg_i: db "I: OUT2 clear throughout, THRE interrupt enabled after PIC init and unmask: no IRQ4 (OUT2 clear gates the line on a PC)", 0
msg_j: db "J: THRE interrupt enabled before PIC init with OUT2 clear, OUT2 set after unmask: exactly one IRQ4 (the line rises when OUT2 is set)", 0
msg_k: db "K: ", EARLY, ", RBR read (receive FIFO empty) after: ", NO_EDGE, 0

msg_header:     db "pic_init_line_high: a request line already high at ICW1", NL, 0
msg_info:       db "INFO: ", 0
msg_count:      db ": IRQ4 count=", 0
msg_irr_pre:    db ", IRR4 before ICW1=", 0
msg_irr_init:   db ", after ICW4=", 0
msg_irr_sti:    db ", before STI=", 0
msg_iir:        db ", IIR in handler=0x", 0
msg_other:      db ", other IRQs=", 0

[section .bss]
irq4_count:     resw 1
other_count:    resw 1
handler_iir:    resb 1
irr_before_icw1: resb 1
irr_after_init: resb 1
irr_before_sti: resb 1
__SECT__

rm_main:
        ; Interrupts are off (rm_entry).  QEMU's PIC powers up with IMR 0:
        ; mask both chips before anything else.
        mov     al, 0xff
        out     PIC_M_DATA, al
        out     PIC_S_DATA, al

        call    serial_init
        call    report_init
        call    setup_ivt

        mov     si, msg_header
        call    serial_puts

        mov     bx, variants
.next:
        call    run_variant
        add     bx, variant_size
        cmp     bx, variants_end
        jb      .next
        jmp     report_done

; setup_ivt: vectors 0x20-0x2f -> other_handler, 0x24 -> irq4_handler.
setup_ivt:
        push    ax
        push    di
        mov     di, VEC_BASE * 4
.fill:
        mov     word [di], other_handler
        mov     word [di + 2], ROM_SEGMENT
        add     di, 4
        cmp     di, (VEC_BASE + 16) * 4
        jb      .fill
        mov     word [IRQ4_VECTOR * 4], irq4_handler
        pop     di
        pop     ax
        ret

; uart_quiesce: no UART interrupt enabled or pending, transmitter idle.
uart_quiesce:
        push    eax
        push    ecx
        push    edx
        OUTB    COM1_IER, 0
        mov     ecx, TEMT_LIMIT
        mov     dx, COM1_LSR
.temt:
        in      al, dx
        test    al, UART_LSR_TEMT
        jnz     .idle
        dec     ecx
        jnz     .temt
.idle:
        INB     COM1_IIR
        INB     COM1_LSR
        INB     COM1_MSR
        INB     COM1_RBR
        pop     edx
        pop     ecx
        pop     eax
        ret

; pic_init_rm: ICW1-ICW4 on both chips, nothing else (no OCW1).
pic_init_rm:
        mov     al, ICW1_VALUE
        out     PIC_M_CMD, al
        mov     al, ICW2_MASTER
        out     PIC_M_DATA, al
        mov     al, ICW3_MASTER
        out     PIC_M_DATA, al
        mov     al, ICW4_VALUE
        out     PIC_M_DATA, al
        mov     al, ICW1_VALUE
        out     PIC_S_CMD, al
        mov     al, ICW2_SLAVE
        out     PIC_S_DATA, al
        mov     al, ICW3_SLAVE
        out     PIC_S_DATA, al
        mov     al, ICW4_VALUE
        out     PIC_S_DATA, al
        ret

; read_irr4: AL = 1 if the master's IRR bit 4 is set, else 0.
read_irr4:
        mov     al, OCW3_READ_IRR
        out     PIC_M_CMD, al
        in      al, PIC_M_CMD
        shr     al, COM1_IRQ
        and     al, 1
        ret

; run_variant: BX = the variant's descriptor.
run_variant:
        cli
        mov     al, 0xff
        out     PIC_M_DATA, al
        out     PIC_S_DATA, al
        call    uart_quiesce
        mov     word [irq4_count], 0
        mov     word [other_count], 0
        mov     byte [handler_iir], 0xff

        ; Before the PIC is (re)initialised: OUT2 as the variant says, and
        ; maybe the THRE interrupt, which raises IRQ4 at once (THR is empty).
        mov     dx, COM1_MCR
        mov     al, [cs:bx + variant.mcr]
        out     dx, al
        test    byte [cs:bx + variant.flags], F_EARLY_IER
        jz      .init
        OUTB    COM1_IER, UART_IER_ETBEI
.init:
        call    read_irr4
        mov     [irr_before_icw1], al
        call    pic_init_rm
        call    read_irr4
        mov     [irr_after_init], al
        call    [cs:bx + variant.after_init]
        mov     al, IMR_ONLY_IRQ4
        out     PIC_M_DATA, al
        mov     al, 0xff
        out     PIC_S_DATA, al
        call    [cs:bx + variant.after_unmask]
        call    read_irr4
        mov     [irr_before_sti], al

        mov     ecx, WAIT_LOOPS
        sti
.wait:
        dec     ecx
        jnz     .wait
        cli

        mov     al, 0xff
        out     PIC_M_DATA, al
        out     PIC_S_DATA, al
        call    uart_quiesce
        OUTB    COM1_MCR, MCR_OUT2_OFF

        ; Check: exactly the expected number of IRQ4s.  The details go out
        ; as an INFO line when the check fails or another vector came.
        movzx   si, byte [cs:bx + variant.expect]
        cmp     [irq4_count], si
        mov     si, [cs:bx + variant.msg]
        jne     .fail
        call    report_pass
        cmp     word [other_count], 0
        je      .done
        jmp     .info
.fail:
        call    report_fail
.info:
        mov     si, msg_info
        call    serial_puts
        mov     al, [cs:bx + variant.letter]
        call    serial_putc
        mov     si, msg_count
        call    serial_puts
        movzx   eax, word [irq4_count]
        call    serial_put_dec
        mov     si, msg_irr_pre
        call    serial_puts
        movzx   eax, byte [irr_before_icw1]
        call    serial_put_dec
        mov     si, msg_irr_init
        call    serial_puts
        movzx   eax, byte [irr_after_init]
        call    serial_put_dec
        mov     si, msg_irr_sti
        call    serial_puts
        movzx   eax, byte [irr_before_sti]
        call    serial_put_dec
        cmp     word [irq4_count], 0
        je      .no_iir
        mov     si, msg_iir
        call    serial_puts
        mov     al, [handler_iir]
        call    serial_put_hex8
.no_iir:
        mov     si, msg_other
        call    serial_puts
        movzx   eax, word [other_count]
        call    serial_put_dec
        mov     al, NL
        call    serial_putc
.done:
        ret

; The actions a variant takes after ICW4 / after the unmask.  May clobber
; AL and DX only.
act_none:
        ret
act_read_iir:
        INB     COM1_IIR
        ret
act_read_lsr:
        INB     COM1_LSR
        ret
act_read_rbr:
        INB     COM1_RBR
        ret
act_ier_again:
        OUTB    COM1_IER, UART_IER_ETBEI
        ret
act_ier_thre:
        OUTB    COM1_IER, UART_IER_ETBEI
        ret
act_write_fcr:
        OUTB    COM1_FCR, UART_FCR_ENABLE_FIFO
        ret
act_ier_toggle:
        OUTB    COM1_IER, 0
        OUTB    COM1_IER, UART_IER_ETBEI
        ret
act_mcr_again:
        OUTB    COM1_MCR, MCR_OUT2_ON
        ret
act_mcr_out2:
        OUTB    COM1_MCR, MCR_OUT2_ON
        ret

; IRQ4: count it, read IIR (which clears a THRE interrupt and drops the
; line), EOI.  Real mode: DS may be anything, so set it.
irq4_handler:
        push    ax
        push    dx
        push    ds
        xor     ax, ax
        mov     ds, ax
        inc     word [irq4_count]
        mov     dx, COM1_IIR
        in      al, dx
        mov     [handler_iir], al
        mov     al, OCW2_EOI
        out     PIC_M_CMD, al
        pop     ds
        pop     dx
        pop     ax
        iret

; Any other vector 0x20-0x2f (all masked; a spurious IRQ7 could come): count,
; EOI both chips (an EOI with nothing in service does nothing).
other_handler:
        push    ax
        push    ds
        xor     ax, ax
        mov     ds, ax
        inc     word [other_count]
        mov     al, OCW2_EOI
        out     PIC_S_CMD, al
        out     PIC_M_CMD, al
        pop     ds
        pop     ax
        iret
