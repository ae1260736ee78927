; SPDX-License-Identifier: MIT
;
; irq_lab.asm - lesson 5: experiments on the 8259A interrupt controllers.
;
; What this kernel teaches: what the 8259A actually does with interrupt
; requests - masking, priorities, nesting, the End Of Interrupt commands, the
; cascade, edge versus level triggering, spurious interrupts, polling,
; priority rotation and special mask mode - by watching it.  Real devices
; raise their lines when they please; here the test device (testdev.inc)
; raises and lowers ISA IRQ lines 3, 5, 6 and 10 when *we* say, so every
; experiment is exactly repeatable.
;
; How we watch: each interrupt handler appends its IRQ number to a log in
; RAM (and some a marker LOG_EOI | n at the moment they send their EOI), and
; some read the ISR while they run.  After each experiment the log must read
; as the 8259A data sheet says it should.  The handlers lower their own line,
; as a driver acknowledges its device, and then send the EOI.  Each
; experiment starts from a freshly initialized pair (lab_reset: lines low,
; ICW1-ICW4, everything masked, all edge), so none inherits another's state.
;
; Register names are those of the Intel 8259A data sheet (order no. 231468):
; IRR, ISR, IMR; ICW1-ICW4 (initialization), OCW1 (= IMR), OCW2 (EOI,
; rotation), OCW3 (read IRR/ISR, poll, special mask mode).
;
; Expected output (then exit status 1, i.e. DEBUG_EXIT value 0):
;   irq_lab: 8259A experiments, lines raised through the test device (port 0x2000 + n)
;   PASS: mask: a masked IRQ3 is not delivered
;   PASS: mask: its request waits in IRR (OCW3 0x0a reads bit 3 set)
;   PASS: mask: IMR reads back 0xf7 after unmasking IRQ3 (OCW1)
;   PASS: mask: unmasking IRQ3 delivers it
;   PASS: mask: the acknowledge took the request out of IRR
;   PASS: priority: IRR shows IRQ3 and IRQ5 pending together (0x28)
;   PASS: priority: IRQ3 is delivered before IRQ5, whatever the order raised
;   PASS: nesting: IRQ3 (higher) preempts the IRQ5 handler once it has done STI
;   PASS: nesting: ISR shows IRQ3 and IRQ5 in service in the inner handler (0x28)
;   PASS: nesting: IRQ6 (lower) waits until the IRQ5 handler's EOI
;   PASS: specific EOI: ISR bit 5 is set in the IRQ5 handler (OCW3 0x0b reads 0x20)
;   PASS: specific EOI: OCW2 0x65 clears ISR bit 5
;   PASS: cascade: unmasking IRQ10 clears IMR bit 2 on both chips (0xfb/0xfb)
;   PASS: cascade: IRQ10 arrives at vector 0x2a
;   PASS: cascade: in its handler master ISR bit 2 and slave ISR bit 2 are set
;   PASS: cascade: EOI to the slave, then the master, clears both ISRs
;   PASS: edge: IRQ10 held high across the EOI is delivered once
;   PASS: level: ELCR2 reads back 0x04 (IRQ10 level triggered)
;   PASS: level: IRQ10 held high is delivered again after each EOI
;   PASS: level: no more deliveries once the handler lowered the line
;   PASS: spurious: IRQ10 was pending on the slave and on master IR2 (IRR 0x04/0x04)
;   PASS: spurious: masked on the slave before INTA, it arrives as IRQ15 (vector 0x2f)
;   PASS: spurious: slave ISR bit 7 is clear, master ISR bit 2 is set in the handler
;   PASS: spurious: irq_default saw it as spurious and EOIed the master only
;   PASS: poll: OCW3 0x0c with interrupts off reads 0x85 (IRQ5 pending)
;   PASS: poll: the poll acknowledged IRQ5 (ISR bit 5 set, IRR bit 5 clear)
;   PASS: poll: with nothing pending the poll word has bit 7 clear
;   PASS: poll: the polled IRQ5 is not delivered again after STI
;   PASS: rotation: after OCW2 0xc4 (IR4 lowest) IRQ5 is delivered before IRQ3
;   PASS: special mask: IRQ6 is delivered inside the IRQ5 handler (OCW3 0x68)
;   PASS: special mask: ISR shows IRQ5 and IRQ6 in service in the IRQ6 handler (0x60)
;   PASS: special mask: OCW2 0x66 clears bit 6 only, not the higher-priority bit 5
;   PASS: no interrupt arrived on an IRQ without a handler
;   SUMMARY: 33 tests, 0 failures
; A failed log check prints the log after its FAIL line ("  log: 05 03"),
; LOG_EOI markers as 0x80 | IRQ.
;
; Not here: a spurious IRQ7 from the *master*.  On hardware it happens when a
; request disappears between the 8259A raising INT and the CPU's INTA cycle,
; a window of nanoseconds that software cannot aim at.  In a VMM the INTA is
; done when the interrupt is injected, from the state the guest left, so the
; window does not exist: masking or lowering a line takes the master's INT
; down before the CPU looks.  The slave's spurious IRQ15 above is
; deterministic because the master latches the cascade's edge in its IRR.
;
; Run: nasm -f bin -Ikernels/include/ -o irq_lab.bin kernels/irq_lab.asm
;      minivmm --testdev --bios irq_lab.bin
; or   qemu-system-x86_64 -machine pc -nodefaults -display none -serial stdio \
;          -device isa-debug-exit,iobase=0xf4,iosize=0x04 -device pc-testdev \
;          -bios irq_lab.bin

%include "layout.inc"
%include "pm_entry.inc"                 ; start: real mode -> pm_main, 32-bit
%include "serial.inc"
%include "report.inc"
%include "idt.inc"
%include "pic8259.inc"
%include "irq.inc"
%include "testdev.inc"

; The lines we play with: no device of the machine drives them.
IRQ_A           equ 3                   ; master, higher priority
IRQ_B           equ 5                   ; master, middle
IRQ_C           equ 6                   ; master, lower
IRQ_S           equ 10                  ; slave IR2
IRQ_S_IR        equ IRQ_S - PIC_IRQS_PER_CHIP
IRQ_SPURIOUS_SLAVE equ PIC_IRQS_PER_CHIP + PIC_SPURIOUS_IR     ; 15

%define BIT(n) (1 << (n))

LOG_SIZE        equ 32                  ; events per experiment, at most
LOG_EOI         equ 0x80                ; | IRQ: "this handler sends its EOI now"
SETTLE_READS    equ 256                 ; port reads that give a pending
                                        ; interrupt every chance to arrive
WAIT_LIMIT      equ 100000              ; bound on every wait for an event
LEVEL_REPEATS   equ 3                   ; deliveries before the handler lets go
NEVER           equ 0xffffffff

[section .bss]
alignb 4
lab_log_len:    resd 1
lab_log:        resb LOG_SIZE
lab_log_ok:     resd 1                  ; result of the last log_matches
lab_isr_at:     resw PIC_IRQ_COUNT      ; ISR pair lab_handler saw, per IRQ
hold_count:     resd 1                  ; hold_handler: deliveries so far
hold_release:   resd 1                  ; ... at which it lowers the line
spurious_before: resd 1                 ; irq_spurious before the experiment
seen_irr:       resw 1
seen_isr:       resw 1
isr_before:     resb 1
isr_after:      resb 1
poll_word:      resb 1
poll_empty:     resb 1
__SECT__

section .text32
bits 32

pm_main:
        call    serial_init
        call    report_init
        mov     esi, msg_hello
        call    serial_puts
        call    idt_init
        call    irq_init                ; gates for vectors 0x20-0x2f

        call    exp_mask
        call    exp_priority
        call    exp_nesting
        call    exp_specific_eoi
        call    exp_cascade
        call    exp_edge_level
        call    exp_spurious
        call    exp_poll
        call    exp_rotation
        call    exp_special_mask

        CHECK_EQ dword [irq_unexpected], 0, "no interrupt arrived on an IRQ without a handler"
        jmp     report_done

; ===========================================================================
; The tools.

; lab_reset: interrupts off, our lines low, the PIC pair initialized from
; scratch (pic_init: everything masked, all edge, IR7 lowest priority, no
; special mask), lab_handler on our lines, the log empty.  ICW1 also resets
; the edge detectors, so no request survives from the last experiment.
lab_reset:
        cli
        mov     eax, IRQ_A
        call    testdev_lower
        mov     eax, IRQ_B
        call    testdev_lower
        mov     eax, IRQ_C
        call    testdev_lower
        mov     eax, IRQ_S
        call    testdev_lower
        call    pic_init
        mov     ebx, lab_handler
        mov     eax, IRQ_A
        call    irq_set_handler
        mov     eax, IRQ_B
        call    irq_set_handler
        mov     eax, IRQ_C
        call    irq_set_handler
        mov     eax, IRQ_S
        call    irq_set_handler
        xor     ebx, ebx                ; IRQ15: irq_default
        mov     eax, IRQ_SPURIOUS_SLAVE
        call    irq_set_handler
        mov     dword [lab_log_len], 0
        ret

; log_event: append AL to the log (dropped if full).  Preserves registers.
log_event:
        push    ebx
        mov     ebx, [lab_log_len]
        cmp     ebx, LOG_SIZE
        jae     .full
        mov     [lab_log + ebx], al
        inc     dword [lab_log_len]
.full:
        pop     ebx
        ret

; settle: SETTLE_READS reads of the master's IMR, a harmless port.  Under a
; VMM each one is an exit, a chance to inject a pending interrupt; under
; emulation the CPU checks for interrupts between translated blocks.  So an
; interrupt that can be delivered has been after this.  Clobbers AL, ECX.
settle:
        mov     ecx, SETTLE_READS
.read:
        in      al, PIC_MASTER_DATA
        dec     ecx
        jnz     .read
        ret

; wait_log: wait (bounded) until the log holds at least ECX events.
; Clobbers EAX, ECX, EDX.
wait_log:
        mov     edx, WAIT_LIMIT
.poll:
        cmp     [lab_log_len], ecx
        jae     .done
        in      al, PIC_MASTER_DATA
        dec     edx
        jnz     .poll
.done:
        ret

; log_matches: does the log, from event EDX on, start with the ECX bytes at
; ESI?  With EBX = 1 it must also end there.  Sets lab_log_ok and ZF (1 =
; yes).  Clobbers ECX, ESI, EDI.
log_matches:
        mov     dword [lab_log_ok], 0
        lea     edi, [edx + ecx]        ; events needed
        cmp     [lab_log_len], edi
        jb      .no
        test    ebx, ebx
        jz      .compare
        cmp     [lab_log_len], edi      ; exact: nothing after them
        jne     .no
.compare:
        lea     edi, [lab_log + edx]
        repe cmpsb                      ; CS = DS base 0: ESI reaches the ROM
        jne     .no
        mov     dword [lab_log_ok], 1
.no:
        cmp     dword [lab_log_ok], 1
        ret

; print_log: "  log: 05 03 85" - shown after a failed log check.
print_log:
        mov     esi, msg_log
        call    serial_puts
        xor     ebx, ebx
.next:
        cmp     ebx, [lab_log_len]
        jae     .done
        mov     al, ' '
        call    serial_putc
        mov     al, [lab_log + ebx]
        call    serial_put_hex8
        inc     ebx
        jmp     .next
.done:
        mov     al, NL
        call    serial_putc
        ret

; CHECK_LOG_AT first, exact, "what", bytes...: PASS if the log from event
; `first` on reads `bytes` (and ends there if `exact` is 1).
%macro CHECK_LOG_AT 4+
        jmp     %%compare
%%expected:
        db      %4
%%expected_len equ $ - %%expected
%%compare:
        mov     edx, %1
        mov     ebx, %2
        mov     esi, %%expected
        mov     ecx, %%expected_len
        call    log_matches
        CHECK   e, %3
        cmp     dword [lab_log_ok], 0
        jne     %%done
        call    print_log
%%done:
%endmacro

; CHECK_LOG "what", bytes...: the whole log reads `bytes`.
%macro CHECK_LOG 2+
        CHECK_LOG_AT 0, 1, %1, %2
%endmacro

; lab_handler: the usual handler.  EAX = IRQ (from irq_common).  Log it,
; note the ISR pair while we are in service, lower our line (the device
; stops asking), EOI (slave then master for IRQ8-15).
lab_handler:
        mov     ebx, eax
        call    log_event
        call    pic_read_isr
        mov     [lab_isr_at + ebx * 2], ax
        mov     eax, ebx
        call    testdev_lower
        call    pic_eoi
        ret

; ===========================================================================
; Experiment 1: masking.  A request on a masked line is latched in IRR but
; not passed on (data sheet "Interrupt Mask Register"); clearing the mask
; bit (OCW1) lets it through at once.
exp_mask:
        call    lab_reset
        sti
        mov     eax, IRQ_A
        call    testdev_raise           ; masked since lab_reset
        call    settle
        CHECK_EQ dword [lab_log_len], 0, "mask: a masked IRQ3 is not delivered"
        call    pic_read_irr
        test    al, BIT(IRQ_A)
        CHECK   nz, "mask: its request waits in IRR (OCW3 0x0a reads bit 3 set)"
        mov     eax, IRQ_A
        call    pic_unmask
        call    pic_read_imr
        CHECK_EQ ax, 0xff00 | (PIC_IMR_ALL & ~BIT(IRQ_A)), \
                "mask: IMR reads back 0xf7 after unmasking IRQ3 (OCW1)"
        mov     ecx, 1
        call    wait_log
        call    settle
        CHECK_LOG "mask: unmasking IRQ3 delivers it", IRQ_A
        ; The INTA moved the request from IRR to ISR; the handler's EOI
        ; then cleared ISR.
        call    pic_read_irr
        test    al, BIT(IRQ_A)
        CHECK   z, "mask: the acknowledge took the request out of IRR"
        cli
        ret

; ===========================================================================
; Experiment 2: priority.  Of several unmasked requests, the 8259A passes on
; the one of highest priority, IR0 highest and IR7 lowest after ICW1 (data
; sheet "Fully Nested Mode"), regardless of which came first.
exp_priority:
        call    lab_reset               ; IF = 0: both requests will be
        mov     eax, IRQ_A              ; pending when the CPU looks
        call    pic_unmask
        mov     eax, IRQ_B
        call    pic_unmask
        mov     eax, IRQ_B              ; IRQ5 first, to show order of
        call    testdev_raise           ; arrival does not matter
        mov     eax, IRQ_A
        call    testdev_raise
        call    pic_read_irr
        and     al, BIT(IRQ_A) | BIT(IRQ_B)
        CHECK_EQ al, BIT(IRQ_A) | BIT(IRQ_B), \
                "priority: IRR shows IRQ3 and IRQ5 pending together (0x28)"
        sti
        mov     ecx, 2
        call    wait_log
        call    settle
        CHECK_LOG "priority: IRQ3 is delivered before IRQ5, whatever the order raised", IRQ_A, IRQ_B
        cli
        ret

; ===========================================================================
; Experiment 3: nesting.  While IRQ5 is in service (its ISR bit set, no EOI
; yet), the 8259A passes on requests of higher priority only (data sheet
; "Fully Nested Mode").  The CPU adds its own gate: the interrupt gate cleared
; IF, so even those wait until the handler executes STI.
exp_nesting:
        call    lab_reset
        mov     eax, IRQ_B
        mov     ebx, nest_handler
        call    irq_set_handler
        mov     eax, IRQ_A
        call    pic_unmask
        mov     eax, IRQ_B
        call    pic_unmask
        mov     eax, IRQ_C
        call    pic_unmask
        sti
        mov     eax, IRQ_B
        call    testdev_raise
        mov     ecx, 4
        call    wait_log
        call    settle
        CHECK_LOG_AT 0, 0, \
                "nesting: IRQ3 (higher) preempts the IRQ5 handler once it has done STI", \
                IRQ_B, IRQ_A
        CHECK_EQ word [lab_isr_at + IRQ_A * 2], BIT(IRQ_A) | BIT(IRQ_B), \
                "nesting: ISR shows IRQ3 and IRQ5 in service in the inner handler (0x28)"
        CHECK_LOG_AT 2, 1, "nesting: IRQ6 (lower) waits until the IRQ5 handler's EOI", \
                LOG_EOI | IRQ_B, IRQ_C
        cli
        ret

; IRQ5's handler for experiment 3.  Log: 5, 3 (nested), EOI marker, 6.
nest_handler:
        call    log_event               ; AL = 5
        sti                             ; from here on we can be interrupted
        mov     eax, IRQ_A
        call    testdev_raise           ; higher priority: comes right away
        mov     ecx, 2
        call    wait_log
        mov     eax, IRQ_C
        call    testdev_raise           ; lower priority: must wait for our EOI
        call    settle
        mov     eax, IRQ_B
        call    testdev_lower
        mov     al, LOG_EOI | IRQ_B
        call    log_event
        mov     eax, IRQ_B
        call    pic_eoi                 ; non-specific: clears ISR bit 5, the
        mov     ecx, 4                  ; highest in service - IRQ6 comes now,
        call    wait_log                ; nested in this handler
        cli                             ; IRETD restores IF anyway
        ret

; ===========================================================================
; Experiment 4: specific EOI.  OCW2 with SL = 1 names the ISR bit to clear
; (data sheet "End of Interrupt": "Specific EOI"), where a non-specific EOI
; clears whichever in-service bit has the highest priority.
exp_specific_eoi:
        call    lab_reset
        mov     eax, IRQ_B
        mov     ebx, specific_eoi_handler
        call    irq_set_handler
        mov     eax, IRQ_B
        call    pic_unmask
        sti
        mov     eax, IRQ_B
        call    testdev_raise
        mov     ecx, 1
        call    wait_log
        call    settle
        CHECK_EQ byte [isr_before], BIT(IRQ_B), \
                "specific EOI: ISR bit 5 is set in the IRQ5 handler (OCW3 0x0b reads 0x20)"
        CHECK_EQ byte [isr_after], 0, "specific EOI: OCW2 0x65 clears ISR bit 5"
        cli
        ret

specific_eoi_handler:
        call    log_event
        call    pic_read_isr
        mov     [isr_before], al
        mov     eax, IRQ_B
        call    testdev_lower
        mov     al, PIC_OCW2_SPECIFIC_EOI | IRQ_B
        out     PIC_MASTER_CMD, al
        call    pic_read_isr
        mov     [isr_after], al
        ret

; ===========================================================================
; Experiment 5: the cascade.  IRQ10 is the slave's IR2.  The slave raises
; its INT, which is the master's IR2; the CPU's INTA goes to the master,
; which sees IR2 is a cascade input (ICW3) and lets the slave put its vector
; on the bus (data sheet "Cascading Mode"): ICW2 0x28 + 2 = 0x2a.  Both chips
; now have an ISR bit set, so the handler owes both an EOI, slave first.
exp_cascade:
        call    lab_reset
        mov     eax, IRQ_S
        call    pic_unmask              ; clears the master's bit 2 as well
        call    pic_read_imr
        CHECK_EQ ax, ((PIC_IMR_ALL & ~BIT(IRQ_S_IR)) << 8) | \
                (PIC_IMR_ALL & ~BIT(PIC_CASCADE_IRQ)), \
                "cascade: unmasking IRQ10 clears IMR bit 2 on both chips (0xfb/0xfb)"
        sti
        mov     eax, IRQ_S
        call    testdev_raise
        mov     ecx, 1
        call    wait_log
        call    settle
        ; irq_stub_10 is the one behind vector 0x2a: it logged IRQ 10.
        CHECK_LOG "cascade: IRQ10 arrives at vector 0x2a", IRQ_S
        CHECK_EQ word [lab_isr_at + IRQ_S * 2], (BIT(IRQ_S_IR) << 8) | BIT(PIC_CASCADE_IRQ), \
                "cascade: in its handler master ISR bit 2 and slave ISR bit 2 are set"
        call    pic_read_isr
        CHECK_EQ ax, 0, "cascade: EOI to the slave, then the master, clears both ISRs"
        cli
        ret

; ===========================================================================
; Experiment 6: edge versus level triggering.  An edge-triggered input asks
; once per rising edge; a line that simply stays high asks no more.  A level-
; triggered input (ELCR bit set, PIIX data sheet "ELCR"; the data sheet's
; LTIM does the same for a whole chip) asks for as long as it is high: after
; the EOI the same interrupt comes again, until the handler makes the device
; lower the line.  That is why level-triggered lines can be shared.
exp_edge_level:
        call    lab_reset
        mov     eax, IRQ_S
        mov     ebx, hold_handler
        call    irq_set_handler
        mov     dword [hold_count], 0
        mov     dword [hold_release], NEVER
        mov     eax, IRQ_S
        call    pic_unmask
        sti
        mov     eax, IRQ_S
        call    testdev_raise
        mov     ecx, 1
        call    wait_log
        call    settle
        CHECK_LOG "edge: IRQ10 held high across the EOI is delivered once", IRQ_S

        call    lab_reset               ; lowers the line, back to edge
        mov     eax, IRQ_S
        mov     ebx, hold_handler
        call    irq_set_handler
        mov     dword [hold_count], 0
        mov     dword [hold_release], LEVEL_REPEATS
        mov     al, BIT(IRQ_S_IR)
        mov     dx, PIC_ELCR_SLAVE
        out     dx, al
        in      al, dx
        CHECK_EQ al, BIT(IRQ_S_IR), "level: ELCR2 reads back 0x04 (IRQ10 level triggered)"
        mov     eax, IRQ_S
        call    pic_unmask
        sti
        mov     eax, IRQ_S
        call    testdev_raise
        mov     ecx, LEVEL_REPEATS
        call    wait_log
        call    settle
        CHECK_LOG_AT 0, 0, "level: IRQ10 held high is delivered again after each EOI", \
                IRQ_S, IRQ_S, IRQ_S
        CHECK_EQ dword [lab_log_len], LEVEL_REPEATS, \
                "level: no more deliveries once the handler lowered the line"
        cli
        ret

; IRQ10's handler for experiment 6: EOI, but lower the line only on the
; hold_release-th delivery.
hold_handler:
        call    log_event
        inc     dword [hold_count]
        mov     ebx, [hold_count]
        cmp     ebx, [hold_release]
        jb      .eoi
        mov     eax, IRQ_S
        call    testdev_lower
.eoi:
        mov     eax, IRQ_S
        call    pic_eoi
        ret

; ===========================================================================
; Experiment 7: a spurious interrupt, deterministic through the cascade.
; With interrupts off, IRQ10 asks: the slave raises INT, and the master,
; edge triggered, latches that edge in its IRR bit 2.  Now we mask IRQ10 on
; the slave: the slave's INT drops, but the master's IRR bit 2 stays - an
; edge was seen.  At STI the master acknowledges IR2 and asks the slave for a
; vector; the slave has nothing to offer and answers with its IR7 vector,
; 0x2f, without setting its ISR bit 7 (data sheet "Interrupt Sequence": the
; "default IR7").  The master did set ISR bit 2.  irq_default (irq.inc) sees
; ISR bit 7 clear, counts it spurious and EOIs only the master, as Linux does.
exp_spurious:
        call    lab_reset
        mov     eax, IRQ_SPURIOUS_SLAVE
        mov     ebx, spurious_handler
        call    irq_set_handler
        mov     eax, [irq_spurious]
        mov     [spurious_before], eax
        mov     eax, IRQ_S
        call    pic_unmask
        mov     eax, IRQ_S
        call    testdev_raise
        call    pic_read_irr
        and     eax, (BIT(IRQ_S_IR) << 8) | BIT(PIC_CASCADE_IRQ)
        mov     [seen_irr], ax
        mov     eax, IRQ_S
        call    pic_mask                ; slave only: the master keeps IR2 open
        sti
        call    settle
        cli
        mov     eax, IRQ_S
        call    testdev_lower
        call    pic_read_isr
        mov     [seen_isr], ax
        CHECK_EQ word [seen_irr], (BIT(IRQ_S_IR) << 8) | BIT(PIC_CASCADE_IRQ), \
                "spurious: IRQ10 was pending on the slave and on master IR2 (IRR 0x04/0x04)"
        CHECK_LOG \
                "spurious: masked on the slave before INTA, it arrives as IRQ15 (vector 0x2f)", \
                IRQ_SPURIOUS_SLAVE
        CHECK_EQ word [lab_isr_at + IRQ_SPURIOUS_SLAVE * 2], BIT(PIC_CASCADE_IRQ), \
                "spurious: slave ISR bit 7 is clear, master ISR bit 2 is set in the handler"
        mov     eax, [irq_spurious]
        sub     eax, [spurious_before]
        cmp     eax, 1
        jne     .fail
        cmp     word [seen_isr], 0
.fail:
        CHECK   e, "spurious: irq_default saw it as spurious and EOIed the master only"
        ret

; IRQ15's handler for experiment 7: look, then let irq_default decide.
spurious_handler:
        call    log_event
        call    pic_read_isr
        mov     [lab_isr_at + IRQ_SPURIOUS_SLAVE * 2], ax
        mov     eax, IRQ_SPURIOUS_SLAVE
        jmp     irq_default

; ===========================================================================
; Experiment 8: the poll command.  OCW3 with P = 1 makes the next read of
; the command port an interrupt acknowledge (data sheet "The Poll Command"):
; it returns I000_0W2W1W0 - I set if a request is pending, W the IR of the
; best one - and sets that ISR bit, as an INTA would.  A kernel can thus
; service interrupts with IF = 0, no IDT needed.
exp_poll:
        call    lab_reset               ; IF = 0 throughout
        mov     eax, IRQ_B
        call    pic_unmask
        mov     eax, IRQ_B
        call    testdev_raise
        mov     al, PIC_OCW3_POLL
        out     PIC_MASTER_CMD, al
        in      al, PIC_MASTER_CMD
        mov     [poll_word], al
        call    pic_read_isr
        mov     [isr_before], al        ; ISR after the poll
        call    pic_read_irr
        mov     [isr_after], al         ; (IRR after the poll)
        ; We "service" it: lower the line, EOI.
        mov     eax, IRQ_B
        call    testdev_lower
        call    pic_eoi
        mov     al, PIC_OCW3_POLL
        out     PIC_MASTER_CMD, al
        in      al, PIC_MASTER_CMD
        mov     [poll_empty], al
        sti
        call    settle
        cli
        CHECK_EQ byte [poll_word], PIC_POLL_INT | IRQ_B, \
                "poll: OCW3 0x0c with interrupts off reads 0x85 (IRQ5 pending)"
        mov     al, [isr_before]
        cmp     al, BIT(IRQ_B)
        jne     .ack_checked
        test    byte [isr_after], BIT(IRQ_B)
.ack_checked:
        CHECK   e, "poll: the poll acknowledged IRQ5 (ISR bit 5 set, IRR bit 5 clear)"
        test    byte [poll_empty], PIC_POLL_INT
        CHECK   z, "poll: with nothing pending the poll word has bit 7 clear"
        CHECK_EQ dword [lab_log_len], 0, "poll: the polled IRQ5 is not delivered again after STI"
        ret

; ===========================================================================
; Experiment 9: rotation.  OCW2 "set priority" (R = 1, SL = 1) names the IR
; that gets the lowest priority; the others follow in circular order (data
; sheet "Specific Rotation").  With IR4 lowest, IR5 is the highest, then
; 6, 7, 0, 1, 2, 3: IRQ5 now beats IRQ3.
exp_rotation:
        call    lab_reset
        mov     al, PIC_OCW2_SET_PRIORITY | (IRQ_B - 1)
        out     PIC_MASTER_CMD, al
        mov     eax, IRQ_A
        call    pic_unmask
        mov     eax, IRQ_B
        call    pic_unmask
        mov     eax, IRQ_A
        call    testdev_raise
        mov     eax, IRQ_B
        call    testdev_raise
        sti
        mov     ecx, 2
        call    wait_log
        call    settle
        CHECK_LOG "rotation: after OCW2 0xc4 (IR4 lowest) IRQ5 is delivered before IRQ3", \
                IRQ_B, IRQ_A
        cli
        ret

; ===========================================================================
; Experiment 10: special mask mode.  Normally an IR in service blocks every
; lower priority (experiment 3).  In special mask mode (OCW3 ESMM = SMM = 1)
; an IR whose mask bit is set stops blocking anything (data sheet "Special
; Mask Mode"): a handler can let lower priorities in while it runs.  The
; nested IRQ6 handler must then use a *specific* EOI: a non-specific one
; would clear the highest bit in service, IRQ5's (data sheet: in modes that
; disturb the fully nested structure, use specific EOI).
exp_special_mask:
        call    lab_reset
        mov     eax, IRQ_B
        mov     ebx, smm_handler_b
        call    irq_set_handler
        mov     eax, IRQ_C
        mov     ebx, smm_handler_c
        call    irq_set_handler
        mov     eax, IRQ_B
        call    pic_unmask
        mov     eax, IRQ_C
        call    pic_unmask
        sti
        mov     eax, IRQ_B
        call    testdev_raise
        mov     ecx, 3
        call    wait_log
        call    settle
        CHECK_LOG "special mask: IRQ6 is delivered inside the IRQ5 handler (OCW3 0x68)", \
                IRQ_B, IRQ_C, LOG_EOI | IRQ_B
        CHECK_EQ byte [isr_before], BIT(IRQ_B) | BIT(IRQ_C), \
                "special mask: ISR shows IRQ5 and IRQ6 in service in the IRQ6 handler (0x60)"
        CHECK_EQ byte [isr_after], BIT(IRQ_B), \
                "special mask: OCW2 0x66 clears bit 6 only, not the higher-priority bit 5"
        cli
        ret

; IRQ5's handler for experiment 10.
smm_handler_b:
        call    log_event
        mov     eax, IRQ_B
        call    pic_mask                ; mask ourselves, then special mask
        mov     al, PIC_OCW3_SET_SMM    ; mode: IR5 stops blocking IR6
        out     PIC_MASTER_CMD, al
        sti
        mov     eax, IRQ_C
        call    testdev_raise
        mov     ecx, 2
        call    wait_log
        cli
        mov     al, PIC_OCW3_RESET_SMM
        out     PIC_MASTER_CMD, al
        mov     eax, IRQ_B
        call    testdev_lower
        mov     al, LOG_EOI | IRQ_B
        call    log_event
        mov     al, PIC_OCW2_SPECIFIC_EOI | IRQ_B
        out     PIC_MASTER_CMD, al
        ret

; IRQ6's handler for experiment 10.
smm_handler_c:
        call    log_event
        call    pic_read_isr
        mov     [isr_before], al
        mov     eax, IRQ_C
        call    testdev_lower
        mov     al, PIC_OCW2_SPECIFIC_EOI | IRQ_C
        out     PIC_MASTER_CMD, al
        call    pic_read_isr
        mov     [isr_after], al
        ret

msg_hello:
        db      "irq_lab: 8259A experiments, lines raised through the test device ", \
                "(port 0x2000 + n)", NL, 0
msg_log:        db "  log:", 0
