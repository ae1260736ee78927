; SPDX-License-Identifier: MIT
;
; boot.asm - where the C kernel starts: the multiboot header a loader
; looks for, a stack, and the call into C.
;
; A multiboot loader (GRUB, QEMU's -kernel, minivmm's --kernel) finds the
; header in the first 8 KiB of the file (multiboot 2: 32 KiB), loads the
; ELF segments where linker.ld put them, and jumps to _start in 32-bit
; protected mode with paging and interrupts off, flat segments, EAX = the
; loader's magic and EBX = the address of its information (Multiboot
; 0.6.96 section 3.2; Multiboot2 2.0 section 3.3).  ESP is undefined: the
; first thing is a stack of our own, since C needs one.
;
; Assemble with -DMULTIBOOT2 for a multiboot2 header instead; kmain()
; tells the two apart by EAX.

bits 32

%ifdef MULTIBOOT2
MB2_HEADER_MAGIC        equ 0xe85250d6
MB2_ARCH_I386           equ 0           ; 32-bit protected mode i386
MB2_HTAG_END            equ 0

section .multiboot progbits alloc noexec nowrite align=8
mb2_header:
        dd      MB2_HEADER_MAGIC
        dd      MB2_ARCH_I386
        dd      mb2_header_end - mb2_header             ; header_length
        ; checksum: the four fields add up to 0 (mod 2^32)
        dd      0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
        ; No tags but the end tag: an ELF kernel needs no address tag, and
        ; the loader gives the command line, modules and memory map anyway.
        dw      MB2_HTAG_END, 0                         ; type, flags
        dd      8                                       ; size
mb2_header_end:
%else
MB1_HEADER_MAGIC        equ 0x1badb002
MB1_PAGE_ALIGN          equ 1 << 0      ; modules on 4 KiB boundaries
MB1_MEMORY_INFO         equ 1 << 1      ; mem_lower/upper and the memory map, please
MB1_FLAGS               equ MB1_PAGE_ALIGN | MB1_MEMORY_INFO

section .multiboot progbits alloc noexec nowrite align=4
        dd      MB1_HEADER_MAGIC
        dd      MB1_FLAGS
        dd      0x100000000 - (MB1_HEADER_MAGIC + MB1_FLAGS)    ; checksum
%endif

STACK_SIZE              equ 16384

; In .bss: the loader clears it (the ELF segment's memory size beyond its
; file size) and the file does not carry 16 KiB of zeros.  16-byte
; aligned, as the System V i386 ABI expects at a call.
section .bss
align 16
stack_bottom:
        resb    STACK_SIZE
stack_top:

section .text
global _start
extern kmain

_start:
        mov     esp, stack_top
        push    dword 0                 ; EFLAGS to a known state (DF, AC, NT clear)
        popfd
        sub     esp, 8                  ; keep the call 16-byte aligned: 8 + 2 arguments
        push    ebx                     ; kmain(magic, info)
        push    eax
        call    kmain
        ; kmain never returns; if it did, stop here for good.
.hang:  cli
        hlt
        jmp     .hang

; No executable stack wanted (GNU ld warns about objects without this note).
section .note.GNU-stack noalloc noexec nowrite progbits
