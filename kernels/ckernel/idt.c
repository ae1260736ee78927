// SPDX-License-Identifier: MIT
/* Gates, and what happens at each vector (idt.h). */
#include "idt.h"

#include "console.h"
#include "gdt.h"
#include "pic.h"
#include "power.h"

#define IDT_EXCEPTIONS 32
#define IDT_IRQS 16
#define IDT_ENTRIES (PIC_SLAVE_VECTOR + 8)

/* Gate type 0xE: a 32-bit interrupt gate, which clears IF on entry so a
 * handler is not interrupted (Intel SDM vol. 3A, 6.11 "IDT Descriptors"
 * and 6.12.1.3).  P = 1, DPL = 0. */
#define GATE_INTERRUPT_32 0x8e

/* isr.asm: the stubs' addresses, vectors 0-47 in order. */
extern const uint32_t isr_stubs[IDT_ENTRIES];

static uint64_t idt[IDT_ENTRIES];
static irq_handler irq_handlers[IDT_IRQS];

static struct __attribute__((packed)) {
	uint16_t limit;
	uint32_t base;
} idtr;

static const char *const exception_names[IDT_EXCEPTIONS] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

static uint64_t gate(uint32_t handler, uint16_t selector, uint8_t type)
{
	return (uint64_t)(handler & 0xffff) | (uint64_t)selector << 16 |
	       (uint64_t)type << 40 | (uint64_t)(handler >> 16) << 48;
}

void idt_init(void)
{
	for (unsigned v = 0; v < IDT_ENTRIES; v++)
		idt[v] = gate(isr_stubs[v], GDT_KERNEL_CODE, GATE_INTERRUPT_32);
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint32_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void idt_set_irq_handler(unsigned irq, irq_handler fn)
{
	irq_handlers[irq] = fn;
}

/* An exception we do not handle: say which and where, then stop.  A
 * kernel that goes on after an unexpected fault only fails later, in a
 * place that explains less. */
static void exception(const struct int_frame *f)
{
	const char *name = exception_names[f->vector];

	console_color(VGA_WHITE, VGA_RED);
	kprintf("\nFAIL: unexpected exception %u (%s), error code %x, at %x:%08x\n",
		f->vector, name ? name : "reserved", f->error_code, f->cs, f->eip);
	power_fail();
}

static void irq(unsigned line)
{
	/* A spurious IRQ7/15 (pic.h) is not in service: no EOI for it,
	 * except that the master did deliver the slave's, on IR2. */
	if ((line == 7 || line == 15) && !pic_in_service(line)) {
		if (line == 15)
			pic_eoi(2);
		return;
	}
	if (irq_handlers[line])
		irq_handlers[line]();
	pic_eoi(line);
}

void interrupt_dispatch(struct int_frame *f)
{
	if (f->vector < IDT_EXCEPTIONS)
		exception(f);
	else
		irq(f->vector - PIC_MASTER_VECTOR);
}
