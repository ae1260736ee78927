/* Multiboot header constants. */
.set ALIGN,    1<<0             /* align loaded modules on page boundaries */
.set MEMINFO,  1<<1             /* provide memory map */
.set FLAGS,    ALIGN | MEMINFO  /* this is the Multiboot 'flag' field */
.set MAGIC,    0x1BADB002       /* 'magic number' lets bootloader find the header */
.set CHECKSUM, -(MAGIC + FLAGS) /* checksum of above, to prove we are multiboot */

/*
The multiboot header, in a section of its own so that the linker script can
put it in the first 8 KiB of the file, where the boot loader searches for it
(32-bit aligned).
*/
.section .multiboot
.align 4
.long MAGIC
.long FLAGS
.long CHECKSUM

/*
The boot loader leaves esp undefined, so the kernel brings its own 16 KiB
stack.  It lives in .bss (nobits: it takes no room in the file) and is 16-byte
aligned, as the System V ABI expects; the stack grows down from stack_top.
*/
.section .bss
.align 16
stack_bottom:
.skip 16384 # 16 KiB
stack_top:

/*
_start is the entry point the linker script names.  The boot loader jumps
here in 32-bit protected mode, interrupts and paging off; there is nothing to
return to.
*/
.section .text
.global _start
.type _start, @function
_start:
	/*
	Set up the stack: esp points at its top, since the stack grows
	downwards.
	*/
	mov $stack_top, %esp

	/*
	This would be the place to set up what the C code relies on: the GDT,
	paging, floating point, global constructors.  The tutorial keeps it
	empty.
	*/

	/*
	Enter the C kernel.  The stack is 16-byte aligned at the call, as the
	ABI requires (nothing has been pushed since stack_top).
	*/
	call kernel_main

	/*
	If kernel_main returns, stop the computer: disable interrupts, halt,
	and should a non-maskable interrupt wake the CPU, halt again.
	*/
	cli
1:	hlt
	jmp 1b

/*
The size of _start, for debuggers and call tracing.
*/
.size _start, . - _start
