// SPDX-License-Identifier: MIT
/*
 * The guest's CPUID (vmm/guest_cpuid.c) on crafted KVM tables and a fake
 * host: the board's trims, and the processor name filled in where KVM
 * leaves it empty.
 */
#include <stdlib.h>

#include "guest_cpuid.h"
#include "unit.h"

#define BRAND "Fake(R) CPU 1234 @ 9.99GHz"	/* up to 47 characters + NUL */
static uint32_t host_max_ext = 0x80000008;

static void fake_host(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	static char brand[48] = BRAND;

	(void)subleaf;
	memset(regs, 0, 4 * sizeof(regs[0]));
	if (leaf == 0x80000000)
		regs[0] = host_max_ext;
	else if (leaf >= 0x80000002 && leaf <= 0x80000004)
		memcpy(regs, brand + (leaf - 0x80000002) * 16, 16);
	else if (leaf == 0x80000005)
		regs[2] = 0x40020140;			/* L1d: 64 KiB */
}

static struct kvm_cpuid2 *table(void)
{
	static const uint32_t functions[] = {
		0, 1, 0x40000000, 0x40000001, 0x80000000, 0x80000002,
		0x80000003, 0x80000004, 0x80000005, 0x80000006,
	};
	size_t n = sizeof(functions) / sizeof(functions[0]);
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

	c->nent = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		c->entries[i].function = functions[i];
	c->entries[1].edx = 0xffffffff;		/* every feature, the APIC included */
	c->entries[1].ecx = 0x7fffffff;
	c->entries[3].eax = 0xffffffff;		/* every KVM PV feature */
	c->entries[9].ecx = 0x02008140;		/* L2: KVM fills it */
	return c;
}

static struct kvm_cpuid_entry2 *leaf(struct kvm_cpuid2 *c, uint32_t function)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		if (c->entries[i].function == function)
			return &c->entries[i];
	}
	abort();
}

UNIT_TEST(no_local_apic_no_x2apic_no_tsc_deadline_and_the_hypervisor_bit)
{
	struct kvm_cpuid2 *c = table();

	cpuid_fit_to_board(c, fake_host);
	CHECK_EQ(leaf(c, 1)->edx, 0xffffffffu & ~(1u << 9));
	CHECK_EQ(leaf(c, 1)->ecx & (1u << 21 | 1u << 24), 0u);
	CHECK(leaf(c, 1)->ecx & 1u << 31);
	CHECK(leaf(c, 1)->ecx & 1u << 0);		/* SSE3 and the rest stay */
	free(c);
}

UNIT_TEST(kvm_pv_features_only_those_without_an_apic)
{
	struct kvm_cpuid2 *c = table();

	cpuid_fit_to_board(c, fake_host);
	/* kvmclock (0, 3, 24), NOP_IO_DELAY (1), steal time (5). */
	CHECK_EQ(leaf(c, 0x40000001)->eax, 0x0100002bu);
	free(c);
}

UNIT_TEST(brand_string_and_l1_cache_from_the_host_when_kvm_gives_zeros)
{
	struct kvm_cpuid2 *c = table();
	char brand[49] = "";

	cpuid_fit_to_board(c, fake_host);
	for (uint32_t f = 0x80000002; f <= 0x80000004; f++) {
		struct kvm_cpuid_entry2 *e = leaf(c, f);
		uint32_t r[4] = { e->eax, e->ebx, e->ecx, e->edx };

		memcpy(brand + (f - 0x80000002) * 16, r, 16);
	}
	CHECK(strcmp(brand, BRAND) == 0);
	CHECK_EQ(leaf(c, 0x80000005)->ecx, 0x40020140u);
	CHECK_EQ(leaf(c, 0x80000006)->ecx, 0x02008140u);	/* KVM's, untouched */
	free(c);
}

UNIT_TEST(what_kvm_fills_stays_and_leaves_the_host_lacks_stay_empty)
{
	struct kvm_cpuid2 *c = table();
	uint32_t host_0x80000003_eax;

	memcpy(&host_0x80000003_eax, BRAND + 16, 4);
	leaf(c, 0x80000002)->eax = 0x12345678;	/* a KVM that passes the name on */
	host_max_ext = 0x80000004;			/* a host without 0x80000005 */
	cpuid_fit_to_board(c, fake_host);
	host_max_ext = 0x80000008;
	CHECK_EQ(leaf(c, 0x80000002)->eax, 0x12345678u);
	CHECK_EQ(leaf(c, 0x80000002)->ebx, 0u);
	CHECK_EQ(leaf(c, 0x80000003)->eax, host_0x80000003_eax);
	CHECK_EQ(leaf(c, 0x80000005)->ecx, 0u);
	free(c);
}

int main(void)
{
	return unit_run_all();
}
