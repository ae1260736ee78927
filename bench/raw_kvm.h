/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BENCH_RAW_KVM_H
#define MINIVMM_BENCH_RAW_KVM_H

/*
 * The baseline: the least a VMM can do.  The same VM and memory layout as
 * minivmm (vm.c), one vCPU, and the caller's own KVM_RUN loop on the
 * calling thread: no loop thread, no bus, no device lock.
 */

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "vm.h"

struct raw_kvm {
	struct vm vm;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
};

/* A VM with `ram_size` of RAM and `image` as its ROM, vCPU in reset state. */
int raw_kvm_create(struct raw_kvm *r, const uint8_t *image, size_t image_size,
		   uint64_t ram_size, struct error *err);

/* One KVM_RUN: 0, or -errno (-EINTR when kicked). */
int raw_kvm_run(struct raw_kvm *r);

/* Inject `vector` (KVM_INTERRUPT).  0 or -errno. */
int raw_kvm_interrupt(struct raw_kvm *r, uint8_t vector);

void raw_kvm_destroy(struct raw_kvm *r);

#endif
