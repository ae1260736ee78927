// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the Linux loader's planning (vmm/boot/linux.c).
 *
 * Random bytes rarely make a bzImage header, so most inputs are patches:
 * the first byte picks the mode, RAM size and initrd size; then either
 *   - raw: the rest of the input is the kernel file, or
 *   - patch: a valid template bzImage (the shape of a modern x86_64
 *     kernel's) of an input-chosen length, with (offset, value) byte
 *     pairs from the input written over its header and setup area,
 * and a command line of input-chosen length.  Invariants, abort() if not:
 *   - a refusal leaves a one-line message;
 *   - an accepted plan's writes each lie in RAM, never in the ROM/ISA
 *     hole (0x9fc00-0xfffff), never overlap each other, and point into
 *     the image, the initrd or the plan itself with the right lengths;
 *   - the initrd sits page-aligned below initrd_addr_max + 1 and the end
 *     of RAM, above the kernel's working area;
 *   - the entry is flat 32-bit at code32_start with %esi at the zero page.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ivmm -Ivmm/boot \
 *	tests/fuzz/fuzz_linux_boot.c vmm/boot/linux.c vmm/boot/memmap.c vmm/boot/boot_plan.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux.h"
#include "memmap.h"

#define MAX_IMAGE (64 * 1024)

static uint8_t image[MAX_IMAGE];
static uint8_t initrd_bytes[1];		/* only its size matters to the plan */
static char cmdline[64 * 67 + 1];
static struct boot_plan plan;

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void template(size_t len)
{
	memset(image, 0, len);
	image[0x1f1] = 4;
	put32(image, 0x1f4, (uint32_t)((len - 2560) / 16));
	image[0x1fe] = 0x55;
	image[0x1ff] = 0xaa;
	image[0x200] = 0xeb;
	image[0x201] = 0x6a;
	memcpy(image + 0x202, "HdrS", 4);
	image[0x206] = 0x0f;
	image[0x207] = 0x02;
	image[0x211] = 0x01;
	put32(image, 0x214, 0x100000);
	put32(image, 0x22c, 0x7fffffff);
	put32(image, 0x230, 0x200000);
	image[0x234] = 1;
	put32(image, 0x238, 2047);
	put32(image, 0x258, 0x1000000);
	put32(image, 0x260, 0x800000);
}

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "invariant violated: %s\n", what);
		abort();
	}
}

static int overlaps(const struct boot_write *a, const struct boot_write *b)
{
	return a->gpa < b->gpa + b->len && b->gpa < a->gpa + a->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linux_boot_args args;
	struct error err = { "" };
	size_t len, cmd_len, initrd_size;
	uint64_t ram;
	const uint8_t *kernel;

	if (size < 4)
		return 0;
	/* RAM: 1 MiB to 3 GiB; initrd: 0 to about 1.5 GiB in 4-KiB-odd steps. */
	ram = ((uint64_t)(data[1] | data[2] << 8) % 3072 + 1) << 20;
	initrd_size = (size_t)data[3] * 6151 * 1021;
	if (data[0] & 0x80)
		initrd_size = 0;
	cmd_len = (size_t)(data[0] & 0x3f) * 67;
	memset(cmdline, 'c', cmd_len);
	cmdline[cmd_len] = '\0';
	data += 4;
	size -= 4;
	if (data[-4] & 0x40) {
		len = size < MAX_IMAGE ? size : MAX_IMAGE;
		memcpy(image, data, len);
		kernel = image;
	} else {
		len = 2560 + (size > 2 ? (size_t)(data[0] | data[1] << 8) % (MAX_IMAGE - 2560) : 16);
		template(len);
		for (size_t i = 2; i + 2 < size; i += 3) {
			size_t off = 0x1f0 + (size_t)(data[i] | (data[i + 1] & 0x3) << 8);

			if (off < len)
				image[off] = data[i + 2];
		}
		kernel = image;
	}

	args = (struct linux_boot_args){
		.kernel = kernel, .kernel_size = len,
		.initrd = initrd_size ? initrd_bytes : NULL, .initrd_size = initrd_size,
		.cmdline = cmdline, .ram_size = ram, .rsdp_addr = 0xf0000,
	};
	if (linux_plan(&plan, &args, &err) < 0) {
		check(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL, "one-line refusal");
		return 0;
	}

	for (unsigned i = 0; i < plan.nr_writes; i++) {
		const struct boot_write *w = &plan.writes[i];

		check(w->gpa + w->len <= ram, "write inside RAM");
		check(w->gpa + w->len <= MEMMAP_LOW_RAM_END || w->gpa >= MEMMAP_HIGH_RAM_BASE,
		      "write outside the ISA hole");
		for (unsigned j = 0; j < i; j++)
			check(!overlaps(w, &plan.writes[j]), "writes do not overlap");
		if (strcmp(w->what, "kernel") == 0)
			check(w->data >= kernel && w->data + w->len == kernel + len,
			      "kernel is the rest of the file");
		else if (strcmp(w->what, "initrd") == 0)
			check(w->data == initrd_bytes && w->len == initrd_size &&
			      w->gpa % 4096 == 0, "initrd whole and page-aligned");
		else
			check(w->data >= (const uint8_t *)&plan &&
			      w->data + w->len <= (const uint8_t *)(&plan + 1), "plan-owned data");
	}
	check(plan.cpu.mode == BOOT_CPU_FLAT32 && plan.cpu.esi == LINUX_PARAMS_ADDR,
	      "flat 32-bit entry with the zero page");
	check(strlen(plan.cmdline) == cmd_len, "command line whole");
	return 0;
}

#ifdef FUZZ_STANDALONE
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		static uint8_t buf[1 << 20];
		size_t n;

		if (f == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}
#endif
