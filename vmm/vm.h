/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_VM_H
#define MINIVMM_VM_H

/*
 * The virtual machine: /dev/kvm, one VM and its guest-physical memory.
 *
 * Memory map (a PC's, reduced to what we emulate):
 *
 *   0x00000000 .. 1 MiB - rom    RAM
 *   1 MiB - rom .. 0x000fffff     the firmware image (ROM), so F000:FFF0 is in it
 *   0x00100000 .. ram_size        RAM
 *   4 GiB - rom .. 0xffffffff     the same ROM again: a CPU leaving reset
 *                                 fetches at CS base 0xffff0000 + IP 0xfff0
 *
 * Everything else is unbacked, so guest accesses there leave KVM as
 * KVM_EXIT_MMIO and go to the I/O bus.  The ROM is a read-only slot:
 * writes to it exit as MMIO too and are dropped, as on a real board.
 *
 * With --vga (vga_window set before vm_setup_memory()), the legacy VGA
 * window 0xA0000-0xBFFFF is a slot of its own, still plain RAM, with
 * KVM's dirty page log on: the guest writes the text screen at full
 * speed, and the loop thread asks now and then which pages it wrote
 * (vm_vga_dirty_pages()).  Without it, RAM below the ROM is one slot.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define VM_RAM_MIN (1ULL << 20)		/* 1 MiB: the real-mode address space */
#define VM_RAM_MAX (3ULL << 30)		/* 3 GiB: stay below the 32-bit ROM alias */
#define VM_RAM_DEFAULT (16ULL << 20)
#define VM_ROM_UNIT (64 * 1024)		/* images are whole 64 KiB segments... */
#define VM_ROM_MAX (128 * 1024)		/* ...at most two, like a PC BIOS */

struct vm {
	int kvm_fd;
	int vm_fd;
	uint8_t *ram;
	uint64_t ram_size;
	uint8_t *rom;
	size_t rom_size;
	unsigned nr_slots;
	bool vga_window;	/* set before vm_setup_memory(): log the VGA window's writes */
	unsigned vga_slot;	/* its slot */
};

#define VM_VGA_WINDOW		0xa0000		/* the legacy VGA window... */
#define VM_VGA_WINDOW_SIZE	0x20000		/* ...up to 0xBFFFF: 32 pages */
#define VM_PAGE_SIZE		4096

#define VM_KVM_DEVICE "/dev/kvm"

/*
 * Open the KVM device (normally VM_KVM_DEVICE), check the API version and
 * every capability we rely on, create the VM.  On failure err says what is
 * missing and what to do.
 */
int vm_create(struct vm *vm, const char *kvm_path, struct error *err);

/* Allocate `ram_size` bytes of guest RAM and map `image` (a firmware image of
 * a valid size, see vm_check_rom_size) as ROM below 1 MiB and below 4 GiB. */
int vm_setup_memory(struct vm *vm, uint64_t ram_size, const uint8_t *image, size_t image_size,
		    struct error *err);

/* 0 if `size` is a valid firmware image size, else -EINVAL with a message. */
int vm_check_rom_size(size_t size, struct error *err);

/*
 * Copy `len` bytes into guest RAM at `gpa` (a loader's image, boot
 * parameters).  The range must lie in RAM, outside the ROM window;
 * -EINVAL with a message naming `what` otherwise.
 */
int vm_load(struct vm *vm, uint64_t gpa, const void *data, size_t len, const char *what,
	    struct error *err);

/*
 * With vga_window: which of the window's 32 pages (bit n: 0xA0000 + n *
 * 4 KiB) the guest wrote since the last call (KVM_GET_DIRTY_LOG, which
 * also starts logging afresh).  0 or -errno.
 */
int vm_vga_dirty_pages(struct vm *vm, uint64_t *bits);

void vm_destroy(struct vm *vm);

#endif
