// SPDX-License-Identifier: MIT
/*
 * Creating the VM and its memory: the first half of what every KVM user
 * does (Documentation/virt/kvm/api.rst, "General description").
 */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"


/* Real-mode support on Intel without "unrestricted guest" needs three pages
 * for a TSS and one for an identity page table; place them where QEMU does,
 * below the 128 KiB ROM alias and above any RAM we allow. */
#define VM_TSS_ADDR 0xfffbd000
#define VM_IDENTITY_MAP_ADDR 0xfffbc000

static const struct {
	int cap;
	const char *name;
	const char *why;
} vm_required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM from our address space" },
	{ KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM", "a read-only firmware ROM" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "stopping the vCPU without races" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "giving the guest a CPUID" },
	{ KVM_CAP_NR_MEMSLOTS, "KVM_CAP_NR_MEMSLOTS", "four memory slots" },
};

int vm_create(struct vm *vm, const char *kvm_path, struct error *err)
{
	int version;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->kvm_fd = open(kvm_path, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return error_set(err, -e, "%s does not exist: this machine offers no KVM "
					 "(enable virtualization, load kvm_intel or kvm_amd), or use "
					 "scripts/run, which falls back to nested emulation", kvm_path);
		if (e == EACCES || e == EPERM)
			return error_set(err, -e, "cannot open %s: %s (run as root or join "
					 "the kvm group)", kvm_path, strerror(e));
		return error_set(err, -e, "cannot open %s: %s", kvm_path, strerror(e));
	}

	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version < 0)
		return error_set(err, -ENOTTY, "%s is not a KVM device (KVM_GET_API_VERSION: %s)",
				 kvm_path, strerror(errno));
	if (version != KVM_API_VERSION)
		return error_set(err, -ENOTSUP, "%s speaks API version %d, we need %d (is it "
				 "a KVM device?)", kvm_path, version, KVM_API_VERSION);

	for (size_t i = 0; i < ARRAY_SIZE(vm_required_caps); i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, vm_required_caps[i].cap) <= 0)
			return error_set(err, -ENOTSUP, "this KVM lacks %s, needed for %s",
					 vm_required_caps[i].name, vm_required_caps[i].why);
	}
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS) < 4)
		return error_set(err, -ENOTSUP, "this KVM offers fewer than 4 memory slots");

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return error_set(err, -errno, "KVM_CREATE_VM failed: %s", strerror(errno));

	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, VM_TSS_ADDR) < 0)
		return error_set(err, -errno, "KVM_SET_TSS_ADDR failed: %s", strerror(errno));
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
		uint64_t addr = VM_IDENTITY_MAP_ADDR;

		if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr) < 0)
			return error_set(err, -errno, "KVM_SET_IDENTITY_MAP_ADDR failed: %s",
					 strerror(errno));
	}
	return 0;
}

int vm_check_rom_size(size_t size, struct error *err)
{
	if (size == 0 || size % VM_ROM_UNIT != 0 || size > VM_ROM_MAX)
		return error_set(err, -EINVAL, "is %zu bytes; a firmware image must be 64 KiB or "
				 "128 KiB (pad it: its last 16 bytes are the reset vector)", size);
	return 0;
}

static int vm_map(struct vm *vm, uint64_t gpa, uint64_t size, void *host, uint32_t flags,
		  struct error *err)
{
	struct kvm_userspace_memory_region region = {
		.slot = vm->nr_slots,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return error_set(err, -errno, "KVM_SET_USER_MEMORY_REGION at 0x%llx failed: %s",
				 (unsigned long long)gpa, strerror(errno));
	vm->nr_slots++;
	return 0;
}

int vm_setup_memory(struct vm *vm, uint64_t ram_size, const uint8_t *image, size_t image_size,
		    struct error *err)
{
	uint64_t rom_low = MIB - image_size;
	int ret;

	if (vm_check_rom_size(image_size, err) < 0)
		return -EINVAL;

	vm->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		return error_set(err, -errno, "cannot allocate %llu MiB of guest RAM: %s",
				 (unsigned long long)(ram_size / MIB), strerror(errno));
	}
	vm->ram_size = ram_size;

	vm->rom = mmap(NULL, image_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->rom == MAP_FAILED) {
		vm->rom = NULL;
		return error_set(err, -errno, "cannot allocate the ROM: %s", strerror(errno));
	}
	memcpy(vm->rom, image, image_size);
	vm->rom_size = image_size;

	/* RAM below the ROM window, the ROM twice, RAM above 1 MiB. */
	if (!vm->vga_window) {
		ret = vm_map(vm, 0, rom_low, vm->ram, 0, err);
	} else {
		/* The VGA window cut out as a slot of its own (rom_low is at
		 * least 0xE0000: a ROM is at most 128 KiB). */
		ret = vm_map(vm, 0, VM_VGA_WINDOW, vm->ram, 0, err);
		vm->vga_slot = vm->nr_slots;
		if (ret == 0)
			ret = vm_map(vm, VM_VGA_WINDOW, VM_VGA_WINDOW_SIZE, vm->ram + VM_VGA_WINDOW,
				     KVM_MEM_LOG_DIRTY_PAGES, err);
		if (ret == 0)
			ret = vm_map(vm, VM_VGA_WINDOW + VM_VGA_WINDOW_SIZE,
				     rom_low - (VM_VGA_WINDOW + VM_VGA_WINDOW_SIZE),
				     vm->ram + VM_VGA_WINDOW + VM_VGA_WINDOW_SIZE, 0, err);
	}
	if (ret == 0)
		ret = vm_map(vm, rom_low, image_size, vm->rom, KVM_MEM_READONLY, err);
	if (ret == 0)
		ret = vm_map(vm, 4 * GIB - image_size, image_size, vm->rom, KVM_MEM_READONLY, err);
	if (ret == 0 && ram_size > MIB)
		ret = vm_map(vm, MIB, ram_size - MIB, vm->ram + MIB, 0, err);
	return ret;
}

int vm_load(struct vm *vm, uint64_t gpa, const void *data, size_t len, const char *what,
	    struct error *err)
{
	uint64_t rom_low = MIB - vm->rom_size;

	if (gpa > vm->ram_size || len > vm->ram_size - gpa)
		return error_set(err, -EINVAL, "the %s (0x%llx-0x%llx) does not fit in guest RAM "
				 "(%llu MiB)", what, (unsigned long long)gpa,
				 (unsigned long long)(gpa + len), (unsigned long long)(vm->ram_size / MIB));
	if (gpa < MIB && gpa + len > rom_low)
		return error_set(err, -EINVAL, "the %s (0x%llx-0x%llx) overlaps the ROM at 0x%llx",
				 what, (unsigned long long)gpa, (unsigned long long)(gpa + len),
				 (unsigned long long)rom_low);
	memcpy(vm->ram + gpa, data, len);
	return 0;
}

int vm_vga_dirty_pages(struct vm *vm, uint64_t *bits)
{
	/* KVM fills a bitmap of whole longs: 32 pages fit in one. */
	uint64_t bitmap = 0;
	struct kvm_dirty_log log = { .slot = vm->vga_slot, .dirty_bitmap = &bitmap };

	_Static_assert(VM_VGA_WINDOW_SIZE / VM_PAGE_SIZE <= 64, "one u64 of dirty bits");
	if (!vm->vga_window)
		return -EINVAL;
	if (ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -errno;
	*bits = bitmap;
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (vm->ram != NULL)
		munmap(vm->ram, vm->ram_size);
	if (vm->rom != NULL)
		munmap(vm->rom, vm->rom_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = vm->kvm_fd = -1;
}
