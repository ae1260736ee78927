// SPDX-License-Identifier: MIT
/* From images to a vCPU ready to run (boot.h). */
#include "boot.h"

#include <errno.h>
#include <string.h>

#include "linux.h"
#include "multiboot.h"
#include "multiboot2.h"
#include "vcpu.h"
#include "vm.h"

enum boot_kernel_kind boot_kernel_kind(const uint8_t *k, size_t size)
{
	if (size >= 0x206 && memcmp(k + 0x202, "HdrS", 4) == 0)
		return BOOT_KERNEL_LINUX;
	if (multiboot_detect(k, size) >= 0)
		return BOOT_KERNEL_MULTIBOOT;
	if (multiboot2_detect(k, size) >= 0)
		return BOOT_KERNEL_MULTIBOOT2;
	/* A boot sector without a setup header: the Linux parser says why. */
	if (size >= 0x200 && k[0x1fe] == 0x55 && k[0x1ff] == 0xaa)
		return BOOT_KERNEL_LINUX;
	return BOOT_KERNEL_UNKNOWN;
}

/* Plan a kernel minivmm loads itself; err without the "kernel 'path'" prefix. */
static int boot_plan_kernel(struct boot_plan *plan, const struct boot_images *images,
			    uint64_t ram_size, uint64_t rsdp_addr, struct error *err)
{
	struct linux_boot_args linux_args;
	struct multiboot_args mb_args = {
		.image = images->kernel, .image_size = images->kernel_size,
		.kernel_path = images->kernel_path,
		.cmdline = images->cmdline != NULL ? images->cmdline : "",
		.modules = images->modules, .nr_modules = images->nr_modules,
		.ram_size = ram_size,
	};

	switch (boot_kernel_kind(images->kernel, images->kernel_size)) {
	case BOOT_KERNEL_LINUX:
		linux_args = (struct linux_boot_args){
			.kernel = images->kernel, .kernel_size = images->kernel_size,
			.initrd = images->initrd, .initrd_size = images->initrd_size,
			.cmdline = images->cmdline != NULL ? images->cmdline : LINUX_DEFAULT_CMDLINE,
			.ram_size = ram_size, .rsdp_addr = rsdp_addr,
		};
		return linux_plan(plan, &linux_args, err);
	case BOOT_KERNEL_MULTIBOOT:
		return multiboot_plan(plan, &mb_args, err);
	case BOOT_KERNEL_MULTIBOOT2:
		return multiboot2_plan(plan, &mb_args, err);
	default:
		/* An ELF whose multiboot header the linker pushed back: Debian's
		 * gcc puts a .note.gnu.build-id section first. */
		if (images->kernel_size >= 4 && memcmp(images->kernel, "\x7f" "ELF", 4) == 0)
			return error_set(err, -EINVAL, "is an ELF file without a multiboot header in "
					 "its first 8 KiB (32 KiB for multiboot2): if it has one, the "
					 "linker moved it (with Debian's gcc, link with "
					 "-Wl,--build-id=none)");
		return error_set(err, -EINVAL, "is not a kernel minivmm can boot: no Linux setup "
				 "header (0xAA55, \"HdrS\"), no multiboot header in its first 8 KiB, "
				 "no multiboot2 header in its first 32 KiB");
	}
}

int boot_prepare(struct boot *b, const struct boot_images *images, uint64_t ram_size,
		 struct error *err)
{
	uint64_t rsdp_addr;
	struct error why;
	int ret;

	memset(&b->plan, 0, sizeof(b->plan));
	if (images->kernel == NULL) {
		if (vm_check_rom_size(images->bios_size, &why) < 0)
			return error_set(err, -EINVAL, "bad image: it %s", why.msg);
		b->rom = images->bios;
		b->rom_size = images->bios_size;
		b->plan.cpu.mode = BOOT_CPU_RESET;
		return 0;
	}

	ret = firmware_build(b->firmware, ram_size, &rsdp_addr, err);
	if (ret < 0)
		return ret;
	b->rom = b->firmware;
	b->rom_size = sizeof(b->firmware);
	ret = boot_plan_kernel(&b->plan, images, ram_size, rsdp_addr, &why);
	if (ret < 0)
		return error_set(err, ret, "kernel '%s' %s", images->kernel_path, why.msg);
	return 0;
}

/* A write without data clears its range (a kernel's bss), in page-sized
 * copies of zeros. */
static int boot_clear(struct vm *vm, const struct boot_write *w, struct error *err)
{
	static const uint8_t zeros[4096];

	for (size_t done = 0; done < w->len;) {
		size_t n = w->len - done < sizeof(zeros) ? w->len - done : sizeof(zeros);
		int ret = vm_load(vm, w->gpa + done, zeros, n, w->what, err);

		if (ret < 0)
			return ret;
		done += n;
	}
	return 0;
}

int boot_apply(const struct boot *b, struct vm *vm, struct vcpu *vcpu, struct error *err)
{
	const struct boot_plan *plan = &b->plan;

	for (unsigned i = 0; i < plan->nr_writes; i++) {
		const struct boot_write *w = &plan->writes[i];
		int ret = w->data == NULL ? boot_clear(vm, w, err) :
			  vm_load(vm, w->gpa, w->data, w->len, w->what, err);

		if (ret < 0)
			return ret;
	}
	return vcpu_set_boot_state(vcpu, &plan->cpu, err);
}
