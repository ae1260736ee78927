// SPDX-License-Identifier: MIT
/*
 * Glue for the 8259A PIC pair (devices/pic8259.h): ports 0x20-0x21,
 * 0xa0-0xa1 and the ELCR at 0x4d0-0x4d1.  It is the board's interrupt
 * controller: the wired-OR lines end at its inputs, its INT pin is the
 * CPU's INTR, and what it acknowledges or (un)masks is reported to the
 * board's per-line notifiers.
 */
#include <string.h>

#include "board.h"
#include "machine.h"
#include "pic8259.h"
#include "trace.h"
#include "util.h"

struct pic_board {
	struct machine *machine;
	struct pic pic;
	struct board_port_window windows[3];
};

static uint64_t pic_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct board_port_window *w = opaque;
	struct pic_board *pb = w->state;

	(void)size;	/* an 8-bit device: the bus splits wider accesses */
	return pic_read(&pb->pic, (uint16_t)(w->base + offset));
}

static void pic_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct board_port_window *w = opaque;
	struct pic_board *pb = w->state;

	(void)size;
	pic_write(&pb->pic, (uint16_t)(w->base + offset), (uint8_t)value);
}

static const struct bus_ops pic_ops = {
	.read = pic_io_read, .write = pic_io_write, .max_access_size = 1,
};

/* The master's INT pin is the CPU's INTR. */
static void pic_intr_changed(void *opaque, unsigned line, bool level)
{
	struct pic_board *pb = opaque;

	(void)line;
	machine_set_intr(pb->machine, level);
}

/* The vCPU takes an interrupt: the INTA cycle. */
static struct cpu_intr_ack pic_inta(void *opaque)
{
	struct pic_board *pb = opaque;
	struct cpu_intr_ack ack;

	_Static_assert(PIC_IRQ_NONE == IRQ_SPURIOUS, "one spelling of 'no IRQ'");
	ack.vector = pic_acknowledge_irq(&pb->pic, &ack.irq);
	return ack;
}

/* The PIC acknowledged IRQ n, or discarded its request on re-initialisation. */
static void pic_acked(void *opaque, unsigned irq)
{
	struct pic_board *pb = opaque;

	board_irq_acked(&pb->machine->board, irq);
}

static void pic_mask_changed(void *opaque, unsigned irq, bool masked)
{
	struct pic_board *pb = opaque;

	board_irq_mask_changed(&pb->machine->board, irq, masked);
}

static void pic_board_set_input(void *opaque, unsigned irq, bool level)
{
	struct pic_board *pb = opaque;

	pic_set_irq(&pb->pic, irq, level);
}

static unsigned pic_board_hold_reason(void *opaque, unsigned irq)
{
	struct pic_board *pb = opaque;

	switch (pic_irq_state(&pb->pic, irq)) {
	case PIC_IRQ_MASKED:
		return IRQ_HOLD_MASKED;
	case PIC_IRQ_BLOCKED:
		return IRQ_HOLD_IN_SERVICE;
	default:
		return IRQ_HOLD_NONE;
	}
}

static int pic_setup(struct machine *m, void *state, struct error *err)
{
	static const struct board_port_range ranges[] = {
		{ PIC_MASTER_CMD, 2 }, { PIC_SLAVE_CMD, 2 }, { PIC_ELCR_MASTER, 2 },
	};
	struct pic_board *pb = state;

	pb->machine = m;
	pic_init(&pb->pic, irq_line_connect(pic_intr_changed, pb, 0));
	pb->pic.ack_notify = pic_acked;
	pb->pic.mask_notify = pic_mask_changed;
	pb->pic.notify_opaque = pb;
	pb->pic.events = m->board.events;
	m->intr.acknowledge = pic_inta;
	m->intr.opaque = pb;
	board_set_irq_controller(&m->board, (struct board_irq_controller){
		.set_input = pic_board_set_input,
		.hold_reason = pic_board_hold_reason,
		.opaque = pb,
	});
	return board_claim_ports(m, pb->windows, ranges, ARRAY_SIZE(ranges), "pic", &pic_ops,
				 pb, err);
}

static void pic_board_reset(struct machine *m, void *state)
{
	struct pic_board *pb = state;

	(void)m;
	pic_reset(&pb->pic);
}

/*
 * The masks SeaBIOS leaves when it starts a kernel on QEMU's isapc (read
 * back there by a multiboot kernel: 0xb8 and 0x8e): IRQ 0 (timer), 1
 * (keyboard), 2 (cascade) and 6 (floppy) open on the master, 8 (RTC), 12
 * (mouse), 13 (FPU) and 14 (disk) on the slave.  Kernels written on QEMU
 * count on them: the OSDev wiki's PIC_remap() saves the masks and puts
 * them back, so its timer and keyboard interrupts arrive without an OCW1
 * of their own.  The vector bases are already the BIOS's (0x08, 0x70).
 * Written through the ports, as a BIOS does: --trace shows them.
 */
#define PIC_FIRMWARE_MASTER_IMR 0xb8
#define PIC_FIRMWARE_SLAVE_IMR 0x8e

static void pic_board_firmware_handover(struct machine *m, void *state)
{
	struct pic_board *pb = state;

	(void)m;
	pic_write(&pb->pic, PIC_MASTER_DATA, PIC_FIRMWARE_MASTER_IMR);
	pic_write(&pb->pic, PIC_SLAVE_DATA, PIC_FIRMWARE_SLAVE_IMR);
}

const struct board_device board_pic = {
	.name = "pic",
	.state_size = sizeof(struct pic_board),
	.setup = pic_setup,
	.reset = pic_board_reset,
	.firmware_handover = pic_board_firmware_handover,
};
