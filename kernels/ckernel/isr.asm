; SPDX-License-Identifier: MIT
;
; isr.asm - the first instructions of every interrupt and exception.
;
; The CPU enters a gate with only EFLAGS, CS and EIP pushed (and, for
; some exceptions, an error code: Intel SDM vol. 3A, 6.13 "Error Code"),
; so each vector needs a few instructions of its own that C cannot
; write: push a dummy error code where the CPU pushes none (so every
; frame looks the same), push the vector number, and jump to the common
; part, which saves every register, calls interrupt_dispatch(frame) in
; idt.c and undoes it all before IRET.

bits 32
section .text

extern interrupt_dispatch

KERNEL_DATA     equ 0x10                ; gdt.h GDT_KERNEL_DATA

; The exceptions that push an error code: #DF 8, #TS 10, #NP 11, #SS 12,
; #GP 13, #PF 14, #AC 17, #CP 21.
%macro STUB 1
isr_%1:
%if %1 != 8 && (%1 < 10 || %1 > 14) && %1 != 17 && %1 != 21
        push    dword 0                 ; no error code from the CPU: a dummy
%endif
        push    dword %1                ; the vector
        jmp     isr_common
%endmacro

%assign v 0
%rep 48
STUB v
%assign v v + 1
%endrep

isr_common:
        pusha
        push    ds
        push    es
        push    fs
        push    gs
        mov     ax, KERNEL_DATA         ; the C code's segments, whatever was loaded
        mov     ds, ax
        mov     es, ax
        cld                             ; the SysV ABI: DF clear at a call
        push    esp                     ; the argument: a pointer to the frame
        call    interrupt_dispatch
        add     esp, 4
        pop     gs
        pop     fs
        pop     es
        pop     ds
        popa
        add     esp, 8                  ; the vector and error code
        iret

; The table idt.c builds its gates from.
section .rodata
global isr_stubs
isr_stubs:
%assign v 0
%rep 48
        dd      isr_%[v]
%assign v v + 1
%endrep

; No executable stack wanted (GNU ld warns about objects without this note).
section .note.GNU-stack noalloc noexec nowrite progbits
