// SPDX-License-Identifier: MIT
/*
 * kernel.c - the C kernel lesson: what a small protected-mode kernel
 * does first, in the order it must, each step in a file of its own.
 *
 *   boot.asm       the multiboot header, a stack, and the call to kmain()
 *   vga.c          the text screen at 0xb8000         serial.c   COM1
 *   bootinfo.c     what the loader passed (multiboot 1 or 2)
 *   gdt.c          our own segments                   idt.c      gates
 *   isr.asm        the interrupt entry stubs          pic.c      8259A remap
 *   pit.c          8254 timer at 100 Hz, IRQ0         keyboard.c IRQ1, set 1
 *   power.c        ACPI power-off, debug-exit
 *
 * What you see: a banner, the boot information (also on COM1), a status
 * line at the bottom that counts seconds of timer ticks, and what you
 * type, echoed on the screen and COM1.  Esc stops the machine.
 *
 * Command line options (--append):
 *   exit=N    stop through debug-exit port 0xf4 with value N (status
 *             2N+1) instead of powering off: for tests
 *   ticks=N   stop by itself after N timer ticks (N/100 s)
 *
 * Build: meson/ninja (kernels/meson.build), or by hand:
 *   nasm -f elf32 boot.asm; nasm -f elf32 isr.asm
 *   gcc -m32 -ffreestanding -fno-pie -fno-stack-protector -O2 -c *.c
 *   ld -m elf_i386 -T linker.ld -o ckernel.elf *.o
 * Run: minivmm --vga --kernel build/kernels/ckernel.elf --append "hello"
 *      qemu-system-i386 -kernel build/kernels/ckernel.elf   (multiboot 1)
 */

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"
#include "console.h"
#include "format.h"
#include "gdt.h"
#include "idt.h"
#include "io.h"
#include "keyboard.h"
#include "pic.h"
#include "pit.h"
#include "power.h"
#include "serial.h"
#include "vga.h"

/* kmain() runs on boot.asm's stack; keep the big things off it. */
static struct boot_info boot_info;
static uint32_t keys_typed;

static void banner(void)
{
	console_color(VGA_WHITE, VGA_BLUE);
	kprintf("ckernel: a small C kernel, booted by multiboot\n");
	console_color(VGA_LIGHT_GREY, VGA_BLACK);
}

static void status_line(uint32_t ticks)
{
	char line[VGA_COLS + 1];
	uint32_t s = ticks / PIT_HZ;

	format_string(line, sizeof(line), " ckernel | up %02u:%02u:%02u | %u ticks | %u keys | "
		      "Esc: power off", s / 3600, s / 60 % 60, s % 60, ticks, keys_typed);
	vga_status(line, VGA_BLACK, VGA_LIGHT_GREY);
}

/* The end: debug-exit N if the command line says exit=N, else ACPI S5. */
static __attribute__((noreturn)) void stop(const char *why, uint32_t ticks)
{
	uint32_t code;

	kprintf("\nckernel: %s after %u ticks, %u keys\n", why, ticks, keys_typed);
	if (bootinfo_option(&boot_info, "exit", &code))
		debug_exit((uint8_t)code);
	power_off();
}

void kmain(uint32_t magic, uint32_t info);

void kmain(uint32_t magic, uint32_t info)
{
	uint32_t stop_ticks, seconds_shown = 0;
	bool has_stop_ticks;

	serial_init();
	vga_init();
	banner();

	/* EAX tells which loader's structure EBX points at: check it before
	 * believing anything there. */
	if (bootinfo_parse(magic, info, &boot_info) < 0) {
		kprintf("FAIL: not started by a multiboot loader (EAX = %08x)\n", magic);
		power_fail();
	}
	bootinfo_print(&boot_info);
	has_stop_ticks = bootinfo_option(&boot_info, "ticks", &stop_ticks);

	/* Interrupts need our GDT (the gates name our code segment), the
	 * gates themselves, and the PICs moved off the exception vectors,
	 * all before the first STI. */
	gdt_init();
	idt_init();
	pic_init();
	kprintf("GDT, IDT (vectors 0-47) and PICs (IRQ0-15 at 0x%x-0x%x) set up\n",
		PIC_MASTER_VECTOR, PIC_SLAVE_VECTOR + 7);
	pit_init();
	keyboard_init();
	kprintf("PIT at %u Hz on IRQ0, keyboard on IRQ1; type away, Esc stops\n", PIT_HZ);
	status_line(0);
	irq_enable();

	/* The main loop: sleep until an interrupt made work, then do it.
	 * Checking with interrupts off and sleeping with "sti; hlt" means no
	 * interrupt can slip in between the check and the sleep (io.h). */
	for (;;) {
		irq_disable();
		uint32_t ticks = pit_ticks();
		if (!keyboard_pending() && ticks / PIT_HZ == seconds_shown &&
		    !(has_stop_ticks && ticks >= stop_ticks)) {
			irq_enable_and_wait();
			continue;
		}
		irq_enable();

		for (int c; (c = keyboard_getc()) != KEY_NONE;) {
			if (c == KEY_ESC)
				stop("Esc pressed", ticks);
			console_putc((char)c);
			keys_typed++;
		}
		if (ticks / PIT_HZ != seconds_shown) {
			seconds_shown = ticks / PIT_HZ;
			status_line(ticks);
		}
		if (has_stop_ticks && ticks >= stop_ticks)
			stop("ticks= reached", ticks);
	}
}
