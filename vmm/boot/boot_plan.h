/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BOOT_PLAN_H
#define MINIVMM_BOOT_PLAN_H

/*
 * A boot plan: what a loader decided, before anything touches the VM.
 *
 * A loader (linux.c, ...) is a pure function from an image's bytes to a
 * plan: which bytes go where in guest-physical memory, and the CPU state
 * to start in.  The machine then applies the plan (boot_apply.c), and
 * applies it again when the guest reboots with --reboot.  Keeping the two
 * apart lets the parsers be unit-tested and fuzzed on crafted images
 * without KVM.
 */

#include <stddef.h>
#include <stdint.h>

#include "memmap.h"

#define BOOT_MAX_WRITES 64		/* multiboot: GDT, info, segments + bss, modules */
#define BOOT_PARAMS_SIZE 4096		/* Linux's zero page */
#define BOOT_CMDLINE_MAX 4096		/* the longest command line we pass */
#define BOOT_INFO_SIZE 16384		/* a multiboot information block and its strings */

/*
 * `len` bytes from `data` (owned by the caller or by the plan) to `gpa`.
 * data == NULL means `len` zero bytes: an ELF segment's bss, which the
 * file does not hold and which must be cleared again at each reboot.
 */
struct boot_write {
	uint64_t gpa;
	const uint8_t *data;
	size_t len;
	const char *what;	/* "kernel", "initrd", ... for error messages */
};

enum boot_cpu_mode {
	BOOT_CPU_RESET,		/* the architectural reset state: F000:FFF0, real mode */
	BOOT_CPU_FLAT32,	/* 32-bit protected mode, flat 4 GiB segments, paging off */
};

/* The CPU state at the first instruction. */
struct boot_cpu {
	enum boot_cpu_mode mode;
	/* FLAT32 only: */
	uint32_t eip, eax, ebx, esi, esp;
	uint16_t code_selector, data_selector;	/* GDT entries the flat segments come from */
	uint32_t gdt_base;
	uint16_t gdt_limit;
};

struct boot_plan {
	struct boot_write writes[BOOT_MAX_WRITES];
	unsigned nr_writes;
	struct boot_cpu cpu;

	/* Memory the plan owns and its writes point into. */
	uint8_t params[BOOT_PARAMS_SIZE];	/* Linux's boot_params */
	char cmdline[BOOT_CMDLINE_MAX];
	uint64_t gdt[4];
	uint8_t info[BOOT_INFO_SIZE];		/* multiboot: the information block */
};

/* Append a write (data NULL: zeroes); 0, or -ENOSPC (a loader bug: raise
 * BOOT_MAX_WRITES). */
int boot_plan_add(struct boot_plan *plan, uint64_t gpa, const void *data, size_t len,
		  const char *what);

#endif
