; SPDX-License-Identifier: MIT
;
; pm32.asm - lesson 2: into 32-bit protected mode, and exceptions.
;
; What this kernel teaches:
;   Part 1, in include/pm_entry.inc (read it first): the switch from real mode
;     to flat 32-bit protected mode - a GDT with code and data descriptors,
;     LGDT, CR0.PE, the far jump that loads CS, reloading the data segments
;     and the stack (SDM Vol. 3A 9.9.1 "Switching to Protected Mode").
;   Part 2, here and in include/idt.inc: the IDT, and what happens when an
;     instruction cannot complete.  We raise three exceptions on purpose and
;     look at what the CPU handed to the handler:
;       (a) DIV by zero: #DE, vector 0, no error code.  A *fault*: the saved
;           EIP points at the DIV itself, so that a handler could fix the
;           cause and run it again (SDM Vol. 3A 6.5 "Exception Classifications").
;       (b) loading DS with a selector beyond the end of the GDT: #GP,
;           vector 13, with an error code naming the selector.
;       (c) INT3: #BP, vector 3, a *trap*: the saved EIP points after it.
;     Our handlers cannot fix anything, so each test tells the handler where
;     to resume (EXC_EXPECT), then checks vector, error code and saved EIP.
;
; Expected output (then exit status 1, i.e. DEBUG_EXIT value 0):
;   Hello from 32-bit protected mode!
;   PASS: CR0.PE is set
;   PASS: CS holds the 32-bit code selector 0x08
;   PASS: DS holds the flat data selector 0x10
;   PASS: GDTR base is the GDT's linear address
;   PASS: GDTR limit is 23: three descriptors of 8 bytes, minus 1
;   PASS: DIV by zero raised #DE (vector 0)
;   PASS: #DE pushed no error code (the stub pushed a dummy 0)
;   PASS: #DE is a fault: the saved EIP is the DIV itself
;   PASS: loading selector 0x43 into DS raised #GP (vector 13)
;   PASS: #GP error code 0x40 is the selector without its RPL bits
;   PASS: #GP is a fault: the saved EIP is the MOV to DS
;   PASS: the failed load left DS unchanged
;   PASS: INT3 raised #BP (vector 3)
;   PASS: #BP is a trap: the saved EIP is the next instruction
;   PASS: the handler ran exactly three times
;   SUMMARY: 15 tests, 0 failures
; Any exception other than these prints "FAIL: unexpected exception ..." and
; exits with status 3, as does any failed check.
;
; Build: nasm -f bin -Ikernels/include/ -o pm32.bin kernels/pm32.asm

%include "layout.inc"
%include "pm_entry.inc"                 ; start: real mode -> pm_main, 32-bit
%include "serial.inc"                   ; (from here on assembled as 32-bit code)
%include "report.inc"
%include "idt.inc"

; A selector that points past the end of our 3-entry GDT (limit 23): index 8,
; TI = 0 (GDT), RPL = 3.  The RPL bits are there on purpose, see (b).
BAD_SELECTOR    equ (8 << 3) | 3        ; 0x43

; The 6-byte operand of LGDT/SGDT (and LIDT/SIDT): limit, then base.
DT_POINTER_LIMIT equ 0
DT_POINTER_BASE  equ 2

[section .bss]
gdtr_copy:      resb 6
__SECT__

section .text32
bits 32

pm_main:
        call    serial_init
        call    report_init
        mov     esi, msg_hello
        call    serial_puts

        ; Where are we?  CR0.PE says protected mode; CS and DS hold selectors
        ; now, not paragraph numbers.
        mov     eax, cr0
        test    eax, CR0_PE
        CHECK   nz, "CR0.PE is set"
        mov     ax, cs
        CHECK_EQ ax, SEL_CODE32, "CS holds the 32-bit code selector 0x08"
        mov     ax, ds
        CHECK_EQ ax, SEL_DATA32, "DS holds the flat data selector 0x10"

        ; SGDT stores what LGDT loaded: the base must be the GDT's linear
        ; address (0xF0000 + its offset in the image), not its offset in
        ; segment F000 - the CPU does not know about segments there.
        sgdt    [gdtr_copy]
        CHECK_EQ dword [gdtr_copy + DT_POINTER_BASE], gdt, \
                "GDTR base is the GDT's linear address"
        CHECK_EQ word [gdtr_copy + DT_POINTER_LIMIT], GDT_LIMIT, \
                "GDTR limit is 23: three descriptors of 8 bytes, minus 1"

        ; Load the IDT: from here on exceptions land in our stubs.
        call    idt_init

        ; (a) #DE.  DIV divides EDX:EAX by its operand; by zero is
        ; impossible, so the CPU raises #DE before changing any register
        ; (SDM Vol. 3A 6.15 "Interrupt 0 - Divide Error Exception").
        EXC_EXPECT .de_resume
        xor     edx, edx
        mov     eax, 1
        xor     ecx, ecx
.de_div:
        div     ecx
        EXC_DISARM                      ; reached only if DIV did not fault
.de_resume:
        CHECK_EQ dword [exc_vector], EXC_DE, "DIV by zero raised #DE (vector 0)"
        CHECK_EQ dword [exc_error_code], 0, "#DE pushed no error code (the stub pushed a dummy 0)"
        CHECK_EQ dword [exc_eip], .de_div, "#DE is a fault: the saved EIP is the DIV itself"

        ; (b) #GP.  Loading a segment register makes the CPU fetch the
        ; descriptor; a selector whose index lies beyond the GDT limit is
        ; refused with #GP(selector) (SDM Vol. 2, MOV, "Protected Mode
        ; Exceptions").  The error code has the selector's layout (SDM Vol. 3A
        ; 6.13 "Error Code"): bits 15:3 index, bit 2 TI, but bits 1:0 are not
        ; the RPL - they are the CPU's own flags IDT (bit 1, "the index is
        ; into the IDT") and EXT (bit 0, "caused by an external event"), both
        ; 0 here.  So the error code is 0x43 with its RPL bits cleared: 0x40.
        EXC_EXPECT .gp_resume
        mov     ax, BAD_SELECTOR
.gp_mov:
        mov     ds, ax
        EXC_DISARM
.gp_resume:
        mov     bx, ds                  ; what DS holds now, checked below
        CHECK_EQ dword [exc_vector], EXC_GP, "loading selector 0x43 into DS raised #GP (vector 13)"
        CHECK_EQ dword [exc_error_code], BAD_SELECTOR & ~SEL_RPL_MASK, \
                "#GP error code 0x40 is the selector without its RPL bits"
        CHECK_EQ dword [exc_eip], .gp_mov, "#GP is a fault: the saved EIP is the MOV to DS"
        CHECK_EQ bx, SEL_DATA32, "the failed load left DS unchanged"

        ; (c) #BP.  INT3 exists to be raised: debuggers write it over an
        ; instruction to stop there.  It is a trap, reported after the
        ; instruction completes, so the saved EIP is the next instruction
        ; (SDM Vol. 3A 6.15 "Interrupt 3 - Breakpoint Exception").
        EXC_EXPECT .bp_resume
        int3
.bp_next:
        EXC_DISARM
.bp_resume:
        CHECK_EQ dword [exc_vector], EXC_BP, "INT3 raised #BP (vector 3)"
        CHECK_EQ dword [exc_eip], .bp_next, "#BP is a trap: the saved EIP is the next instruction"

        CHECK_EQ dword [exc_count], 3, "the handler ran exactly three times"

        ; Print the summary and exit: status 1 if everything passed.
        jmp     report_done

msg_hello:      db "Hello from 32-bit protected mode!", NL, 0
