// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the multiboot 1 loader's planning
 * (vmm/boot/multiboot.c).
 *
 * Random bytes rarely make an ELF with a multiboot header, so most inputs
 * are patches.  The first 4 bytes pick the mode, RAM size, modules and
 * command line; then either
 *   - raw: the rest of the input is the kernel file, or
 *   - patch: a valid template kernel of input-chosen length (an ELF32
 *     with two PT_LOAD segments and bss, or a flat binary with the a.out
 *     kludge), with 5-byte records from the input written over its first
 *     512 bytes (ELF header, program headers, multiboot header): a
 *     selector below 0x80 writes a 32-bit value at 4 * selector, above
 *     it a single byte; optionally the header checksum is fixed after.
 * Invariants, abort() if not:
 *   - a refusal leaves a one-line message;
 *   - an accepted plan's writes each lie in RAM, never in the ISA hole
 *     (0x9fc00-0xfffff), never overlap, and point into the image (or
 *     NULL for bss), the modules, or the plan itself;
 *   - the information structure's pointers (command line, modules, mmap,
 *     loader name, module strings) all lie inside the info write, its
 *     strings end there, modules are page-aligned, in order, whole;
 *   - the entry is flat 32-bit inside the kernel, EAX/EBX as the spec says.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ivmm -Ivmm/boot \
 *	tests/fuzz/fuzz_multiboot.c vmm/boot/multiboot.c vmm/boot/memmap.c vmm/boot/boot_plan.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memmap.h"
#include "multiboot.h"

#define MAX_IMAGE (64 * 1024)
#define HDR 0x100

static uint8_t image[MAX_IMAGE];
static uint8_t module_bytes[1];		/* only sizes matter to the plan */
static char cmdline[64 * 131 + 1];
static struct multiboot_module modules[MULTIBOOT_MAX_MODULES + 2];
static struct boot_plan plan;

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

static void fix_checksum(void)
{
	put32(image, HDR + 8, (uint32_t)-(get32(image, HDR) + get32(image, HDR + 4)));
}

/* ELF32: text 0x1000 bytes at 1 MiB from file 0x1000, data the rest of
 * the file at 0x100000 + 0x1000 with 0x3000 of bss after it. */
static void template_elf(size_t len)
{
	memset(image, 0, len);
	memcpy(image, "\177ELF\1\1\1", 7);
	put16(image, 16, 2);
	put16(image, 18, 3);
	put32(image, 24, 0x100010);
	put32(image, 28, 52);
	put16(image, 42, 32);
	put16(image, 44, 2);
	put32(image, 52, 1);
	put32(image, 56, 0x1000);
	put32(image, 60, 0x100000);
	put32(image, 64, 0x100000);
	put32(image, 68, 0x1000);
	put32(image, 72, 0x1000);
	put32(image, 76, 5);
	put32(image, 84, 1);
	put32(image, 88, 0x2000);
	put32(image, 92, 0x101000);
	put32(image, 96, 0x101000);
	put32(image, 100, (uint32_t)(len - 0x2000));
	put32(image, 104, (uint32_t)(len - 0x2000 + 0x3000));
	put32(image, 108, 6);
	put32(image, HDR, MULTIBOOT_HEADER_MAGIC);
	put32(image, HDR + 4, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);
	fix_checksum();
}

/* A flat binary loaded from offset 0 at 1 MiB, bss to + 1 MiB. */
static void template_aout(size_t len)
{
	memset(image, 0, len);
	put32(image, HDR, MULTIBOOT_HEADER_MAGIC);
	put32(image, HDR + 4, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE);
	put32(image, HDR + 12, 0x100000 + HDR);
	put32(image, HDR + 16, 0x100000);
	put32(image, HDR + 20, (uint32_t)(0x100000 + len));
	put32(image, HDR + 24, 0x200000);
	put32(image, HDR + 28, 0x100000 + HDR + 48);
	put32(image, HDR + 32, MULTIBOOT_MODE_EGA_TEXT);
	fix_checksum();
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

/* A string at guest address `gpa` lies inside the info write, ends there. */
static const char *info_string(const struct boot_write *info, uint32_t gpa)
{
	check(gpa >= info->gpa && gpa < info->gpa + info->len, "string inside the info");
	check(memchr(info->data + (gpa - info->gpa), '\0', info->gpa + info->len - gpa) != NULL,
	      "string ends inside the info");
	return (const char *)info->data + (gpa - info->gpa);
}

static void check_info(const struct boot_write *info, const struct multiboot_args *args)
{
	const uint8_t *mbi = info->data;
	uint32_t mods, mmap, mmap_len, prev_end = 0;

	check(info->gpa == MULTIBOOT_INFO_ADDR && info->len <= BOOT_INFO_SIZE &&
	      info->len >= MBI_SIZE && info->data == plan.info, "info in the plan's buffer");
	info_string(info, get32(mbi, MBI_CMDLINE));
	check(strcmp(info_string(info, get32(mbi, MBI_BOOT_LOADER_NAME)), "minivmm") == 0,
	      "loader name");
	check(get32(mbi, MBI_MEM_LOWER) == 639, "mem_lower");
	check(get32(mbi, MBI_MEM_UPPER) == (args->ram_size - MEMMAP_HIGH_RAM_BASE) / 1024,
	      "mem_upper");
	mmap = get32(mbi, MBI_MMAP_ADDR);
	mmap_len = get32(mbi, MBI_MMAP_LENGTH);
	check(mmap >= info->gpa && mmap_len <= info->gpa + info->len - mmap &&
	      mmap_len % 24 == 0, "mmap inside the info");
	check(get32(mbi, MBI_MODS_COUNT) == args->nr_modules, "mods_count");
	mods = get32(mbi, MBI_MODS_ADDR);
	check(mods >= info->gpa && args->nr_modules * 16 <= info->gpa + info->len - mods,
	      "module list inside the info");
	for (size_t i = 0; i < args->nr_modules; i++) {
		const uint8_t *m = mbi + (mods - info->gpa) + i * 16;

		check(get32(m, 0) % 4096 == 0 && get32(m, 0) >= prev_end, "modules aligned, in order");
		check(get32(m, 4) - get32(m, 0) == args->modules[i].size, "module whole");
		check(strcmp(info_string(info, get32(m, 8)), args->modules[i].cmdline) == 0,
		      "module command line");
		prev_end = get32(m, 4);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct multiboot_args args;
	struct error err = { "" };
	const struct boot_write *info = NULL;
	size_t len, cmd_len, nr_modules;
	uint64_t ram;
	int entered = 0;

	if (size < 6)
		return 0;
	/* RAM 1 MiB to 3 GiB, but mostly small so that "does not fit" happens. */
	ram = ((uint64_t)(data[1] | data[2] << 8) % (data[2] & 0x80 ? 3072 : 64) + 1) << 20;
	nr_modules = data[3] % (MULTIBOOT_MAX_MODULES + 2);
	for (size_t i = 0; i < nr_modules; i++)
		modules[i] = (struct multiboot_module){
			module_bytes, (size_t)((data[3] >> 4) * 97 + i) * (i & 1 ? 4099 : 1021),
			i & 2 ? "mod.bin some args" : "m",
		};
	cmd_len = (size_t)(data[0] & 0x3f) * 131;
	memset(cmdline, 'c', cmd_len);
	cmdline[cmd_len] = '\0';
	data += 4;
	size -= 4;
	if (data[-4] & 0x40) {
		len = size < MAX_IMAGE ? size : MAX_IMAGE;
		memcpy(image, data, len);
	} else {
		int aout = data[0] & 1;
		int fix = data[0] & 2;

		len = 0x2000 + (size_t)(data[0] | data[1] << 8) % (MAX_IMAGE - 0x2000);
		if (aout)
			template_aout(len);
		else
			template_elf(len);
		for (size_t i = 2; i + 5 <= size; i += 5) {
			uint8_t sel = data[i];

			if (sel < 0x80)
				put32(image, (size_t)sel * 4, get32(data, i + 1));
			else
				image[(size_t)(sel & 0x7f) * 4 + (data[i + 2] & 3)] = data[i + 1];
		}
		if (fix)
			fix_checksum();
	}

	args = (struct multiboot_args){
		.image = image, .image_size = len, .kernel_path = "k", .cmdline = cmdline,
		.modules = modules, .nr_modules = nr_modules, .ram_size = ram,
	};
	if (multiboot_plan(&plan, &args, &err) < 0) {
		check(err.msg[0] != '\0' && strchr(err.msg, '\n') == NULL, "one-line refusal");
		return 0;
	}

	for (unsigned i = 0; i < plan.nr_writes; i++) {
		const struct boot_write *w = &plan.writes[i];

		check(w->len > 0 && w->gpa + w->len <= ram, "write inside RAM");
		check(w->gpa + w->len <= MEMMAP_LOW_RAM_END || w->gpa >= MEMMAP_HIGH_RAM_BASE,
		      "write outside the ISA hole");
		for (unsigned j = 0; j < i; j++)
			check(!overlaps(w, &plan.writes[j]), "writes do not overlap");
		if (strcmp(w->what, "kernel") == 0) {
			check(w->data >= image && w->data + w->len <= image + len, "kernel from the file");
		} else if (strcmp(w->what, "kernel bss") == 0) {
			check(w->data == NULL, "bss is a NULL write");
		} else if (strcmp(w->what, "module") == 0) {
			check(w->data == module_bytes, "module from its buffer");
		} else {
			check(w->data >= (const uint8_t *)&plan &&
			      w->data + w->len <= (const uint8_t *)(&plan + 1), "plan-owned data");
			if (strcmp(w->what, "multiboot info") == 0)
				info = w;
		}
		if (strncmp(w->what, "kernel", 6) == 0 && plan.cpu.eip >= w->gpa &&
		    plan.cpu.eip - w->gpa < w->len)
			entered = 1;
	}
	check(info != NULL, "an info write");
	check_info(info, &args);
	check(plan.cpu.mode == BOOT_CPU_FLAT32 && plan.cpu.eax == MULTIBOOT_BOOTLOADER_MAGIC &&
	      plan.cpu.ebx == MULTIBOOT_INFO_ADDR && entered, "entry as the spec says");
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
