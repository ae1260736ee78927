// SPDX-License-Identifier: MIT
/*
 * CPUID for a PC with 8259 PICs and no local APIC.
 *
 * KVM_GET_SUPPORTED_CPUID (Documentation/virt/kvm/api.rst) gives what the
 * host can virtualise.  This board takes all of it except the parts that
 * promise hardware it does not have, and fills in the processor's name,
 * which KVM reports as zeros and every VMM supplies itself.
 */
#include "guest_cpuid.h"

#include <cpuid.h>
#include <string.h>

/* KVM's paravirtual features (CPUID 0x40000001 EAX, Documentation/virt/kvm/x86/cpuid.rst). */
#define KVM_CPUID_FEATURES_LEAF 0x40000001
#define KVM_FEATURE_BIT(n) (1u << (n))

/*
 * Which of KVM's paravirtual features this board passes on.  Kept: the
 * kvmclock clocksource (0, 3, 24: a clock read without exits, which Linux
 * prefers to re-calibrating its TSC against our PIT), NOP_IO_DELAY (1:
 * Linux then skips its port 0x80 delays, an exit each) and steal time (5:
 * per-vCPU shared memory, no interrupt needed).  Everything else assumes
 * a local APIC, an IOAPIC or several vCPUs, none of which this board has:
 * async page faults (4, 10, 14: delivered as an APIC interrupt vector),
 * PV EOI (6: a shortcut for APIC EOIs), PV unhalt, TLB flush, IPIs and
 * yield (7, 9, 11, 13: between vCPUs), poll control (12), the IOAPIC's
 * extended MSI destination (15) and the confidential-computing calls
 * (16, 17); the old MMU op (2) is long gone.
 */
#define KVM_FEATURES_KEPT (KVM_FEATURE_BIT(0) | KVM_FEATURE_BIT(1) | KVM_FEATURE_BIT(3) | \
			   KVM_FEATURE_BIT(5) | KVM_FEATURE_BIT(24))

/* CPUID.1 bits of devices this PC does not have. */
#define CPUID1_EDX_APIC (1u << 9)		/* on-chip local APIC */
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)	/* a LAPIC timer mode */
#define CPUID1_ECX_HYPERVISOR (1u << 31)	/* "running under a hypervisor" */

/*
 * The extended leaves taken from the host when KVM gives them empty: the
 * processor brand string (0x80000002-4), which Linux shows as "model name"
 * and memtest86+ in its header, and AMD's L1 cache and TLB leaf
 * (0x80000005, reserved and zero on Intel).  QEMU's `-cpu host` reads the
 * same leaves from the host; Linux 6.1's KVM reports them as zeros.
 */
#define CPUID_HOST_FIRST 0x80000002u
#define CPUID_HOST_LAST 0x80000005u

void cpuid_on_host(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	__cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
}

static int cpuid_entry_empty(const struct kvm_cpuid_entry2 *e)
{
	return (e->eax | e->ebx | e->ecx | e->edx) == 0;
}

void cpuid_fit_to_board(struct kvm_cpuid2 *cpuid, cpuid_host_fn *host)
{
	uint32_t max_ext[4];

	host(0x80000000u, 0, max_ext);
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
		uint32_t r[4];

		if (e->function == 1) {
			/* Without the APIC bit the guest never looks for one at
			 * 0xfee00000 (there is none: we create no in-kernel
			 * irqchip), and Linux takes the 8259 and the PIT as its
			 * interrupt controller and clock event device, which is
			 * the point of this machine. */
			e->edx &= ~CPUID1_EDX_APIC;
			e->ecx &= ~(CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE);
			/* KVM leaves this bit to us (QEMU and kvmtool set it too):
			 * without it a guest never looks at 0x40000000, finds no
			 * KVM and no kvmclock. */
			e->ecx |= CPUID1_ECX_HYPERVISOR;
		} else if (e->function == KVM_CPUID_FEATURES_LEAF) {
			e->eax &= KVM_FEATURES_KEPT;
		} else if (e->function >= CPUID_HOST_FIRST && e->function <= CPUID_HOST_LAST &&
			   e->function <= max_ext[0] && cpuid_entry_empty(e)) {
			host(e->function, 0, r);
			e->eax = r[0];
			e->ebx = r[1];
			e->ecx = r[2];
			e->edx = r[3];
		}
	}
}
