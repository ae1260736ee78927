/* SPDX-License-Identifier: MIT */
/*
 * The CPUID a guest of this board sees: what the host's KVM supports (like
 * QEMU's `-cpu host`), minus what a PIC-only PC lacks, plus the leaves KVM
 * leaves empty that software shows to people.  Pure: no KVM calls, so the
 * unit tests run it on crafted tables.
 */
#ifndef MINIVMM_GUEST_CPUID_H
#define MINIVMM_GUEST_CPUID_H

#include <stdint.h>
#include <linux/kvm.h>

/* Runs CPUID `leaf`.`subleaf` on the host: regs[] is EAX, EBX, ECX, EDX. */
typedef void cpuid_host_fn(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* The real instruction, on the calling thread's CPU. */
void cpuid_on_host(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* Edits KVM_GET_SUPPORTED_CPUID's table in place for this board. */
void cpuid_fit_to_board(struct kvm_cpuid2 *cpuid, cpuid_host_fn *host);

#endif
