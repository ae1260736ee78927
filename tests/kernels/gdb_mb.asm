; SPDX-License-Identifier: MIT
;
; gdb_mb.asm - a multiboot kernel for tests/gdb_tests.py: an ELF32 with
; symbols, so that gdb can `break gdb_mb_check` by name.
;
; The loader enters _start in flat 32-bit protected mode (multiboot 1,
; "Machine state").  At gdb_mb_check EAX holds GDB_MB_MARK; the kernel then
; exits through port 0xF4 with the value of gdb_mb_value, which gdb
; changes in the test: status (value << 1) | 1.
;
; Build: nasm -f elf32 gdb_mb.asm && ld -m elf_i386 -T gdb_mb.ld gdb_mb.o

MB_MAGIC        equ 0x1BADB002
MB_FLAGS        equ 0x00000003      ; modules page-aligned, memory information
GDB_MB_MARK     equ 0x1234abcd
DEBUG_EXIT_PORT equ 0xf4

section .multiboot
align 4
        dd MB_MAGIC
        dd MB_FLAGS
        dd -(MB_MAGIC + MB_FLAGS)

section .text
bits 32
global _start, gdb_mb_check, gdb_mb_exit, gdb_mb_value, gdb_mb_counter

_start:
        mov     esp, stack_top
        mov     eax, GDB_MB_MARK
gdb_mb_check:
        mov     ecx, [gdb_mb_value]
        add     dword [gdb_mb_counter], 1       ; a write a watchpoint can see
gdb_mb_exit:
        mov     eax, ecx
        out     DEBUG_EXIT_PORT, eax
        cli
        hlt

section .data
align 4
gdb_mb_value:   dd 20
gdb_mb_counter: dd 0

section .bss
align 16
        resb 4096
stack_top:
