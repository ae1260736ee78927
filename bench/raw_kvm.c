// SPDX-License-Identifier: MIT
#include "raw_kvm.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int raw_kvm_create(struct raw_kvm *r, const uint8_t *image, size_t image_size,
		   uint64_t ram_size, struct error *err)
{
	int ret, size;

	memset(r, 0, sizeof(*r));
	r->vcpu_fd = -1;
	ret = vm_create(&r->vm, VM_KVM_DEVICE, err);
	if (ret == 0)
		ret = vm_setup_memory(&r->vm, ram_size, image, image_size, err);
	if (ret < 0)
		return ret;
	r->vcpu_fd = ioctl(r->vm.vm_fd, KVM_CREATE_VCPU, 0);
	if (r->vcpu_fd < 0)
		return error_set(err, -errno, "KVM_CREATE_VCPU: %s", strerror(errno));
	size = ioctl(r->vm.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return error_set(err, -EINVAL, "KVM_GET_VCPU_MMAP_SIZE failed");
	r->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, r->vcpu_fd, 0);
	if (r->run == MAP_FAILED) {
		r->run = NULL;
		return error_set(err, -errno, "mmap kvm_run: %s", strerror(errno));
	}
	r->run_size = (size_t)size;
	return 0;
}

int raw_kvm_run(struct raw_kvm *r)
{
	return ioctl(r->vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
}

int raw_kvm_interrupt(struct raw_kvm *r, uint8_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	return ioctl(r->vcpu_fd, KVM_INTERRUPT, &irq) < 0 ? -errno : 0;
}

void raw_kvm_destroy(struct raw_kvm *r)
{
	if (r->run != NULL)
		munmap(r->run, r->run_size);
	if (r->vcpu_fd >= 0)
		close(r->vcpu_fd);
	vm_destroy(&r->vm);
	memset(r, 0, sizeof(*r));
	r->vcpu_fd = -1;
}
