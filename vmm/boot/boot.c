// SPDX-License-Identifier: MIT
/* From images to a vCPU ready to run (boot.h). */
#include "boot.h"

#include <errno.h>
#include <string.h>

#include "linux.h"
#include "vcpu.h"
#include "vm.h"

int boot_prepare(struct boot *b, const struct boot_images *images, uint64_t ram_size,
		 struct error *err)
{
	struct linux_boot_args args;
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
	args = (struct linux_boot_args){
		.kernel = images->kernel, .kernel_size = images->kernel_size,
		.initrd = images->initrd, .initrd_size = images->initrd_size,
		.cmdline = images->cmdline, .ram_size = ram_size, .rsdp_addr = rsdp_addr,
	};
	ret = linux_plan(&b->plan, &args, &why);
	if (ret < 0)
		return error_set(err, ret, "kernel '%s' %s", images->kernel_path, why.msg);
	return 0;
}

int boot_apply(const struct boot *b, struct vm *vm, struct vcpu *vcpu, struct error *err)
{
	const struct boot_plan *plan = &b->plan;

	for (unsigned i = 0; i < plan->nr_writes; i++) {
		const struct boot_write *w = &plan->writes[i];
		int ret = vm_load(vm, w->gpa, w->data, w->len, w->what, err);

		if (ret < 0)
			return ret;
	}
	return vcpu_set_boot_state(vcpu, &plan->cpu, err);
}
