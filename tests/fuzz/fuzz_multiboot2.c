// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the multiboot2 loader's planning
 * (vmm/boot/multiboot2.c, with multiboot.c's loading).
 *
 * As fuzz_multiboot.c: the first 4 bytes pick the mode, RAM size,
 * modules and command line; then either raw (the rest is the kernel
 * file) or patch: a valid template kernel of input-chosen length (ELF32,
 * ELF64, or a flat binary placed by address and entry tags), its header
 * carrying an information request, entry, console flags, module
 * alignment, relocatable and optional framebuffer tags, with 5-byte
 * records written over its first 512 bytes (below 0x80: a 32-bit value at
 * 4 * selector; above: a byte) and optionally the checksum fixed after.
 * Invariants, abort() if not:
 *   - a refusal leaves a one-line message;
 *   - an accepted plan's writes each lie in RAM, outside the ISA hole,
 *     never overlap, and point into the image (NULL for bss), the
 *     modules or the plan;
 *   - the boot information is a well-formed tag list inside its write:
 *     total_size its length, 8-byte aligned tags that end with the end
 *     tag, strings ending inside their tags, one module tag per module
 *     (page-aligned, in order, whole), an mmap of 24-byte entries;
 *   - the entry is flat 32-bit inside the kernel with EAX/EBX as the spec.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ivmm -Ivmm/boot \
 *	tests/fuzz/fuzz_multiboot2.c vmm/boot/multiboot2.c vmm/boot/multiboot.c \
 *	vmm/boot/memmap.c vmm/boot/boot_plan.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memmap.h"
#include "multiboot2.h"

#define MAX_IMAGE (64 * 1024)
#define HDR 0x100

static uint8_t image[MAX_IMAGE];
static uint8_t module_bytes[1];
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

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

static void fix_checksum(void)
{
	put32(image, HDR + 12, (uint32_t)-(get32(image, HDR) + get32(image, HDR + 4) +
					   get32(image, HDR + 8)));
}

static size_t tag(size_t at, uint16_t type, uint16_t flags, const uint32_t *body, size_t words)
{
	put16(image, at, type);
	put16(image, at + 2, flags);
	put32(image, at + 4, (uint32_t)(8 + 4 * words));
	for (size_t i = 0; i < words; i++)
		put32(image, at + 8 + 4 * i, body[i]);
	return at + ((8 + 4 * words + 7) & ~(size_t)7);
}

/* The header at HDR; `flat`: address and entry tags for a flat binary. */
static void template_header(size_t len, int flat)
{
	static const uint32_t want[] = { 1, 2, 3, 4, 6 };
	static const uint32_t console[] = { 2 };
	static const uint32_t reloc[] = { 0x100000, 0x2000000, 0x1000, 1 };
	static const uint32_t fb[] = { 1024, 768, 32 };
	uint32_t addr[] = { 0x100000 + HDR, 0x100000, (uint32_t)(0x100000 + len), 0x200000 };
	uint32_t entry[] = { 0x100000 + HDR + 0x1f0 };
	size_t at = HDR + 16;

	put32(image, HDR, MULTIBOOT2_HEADER_MAGIC);
	at = tag(at, MB2_HTAG_INFO_REQUEST, 0, want, 5);
	if (flat) {
		at = tag(at, MB2_HTAG_ADDRESS, 0, addr, 4);
		at = tag(at, MB2_HTAG_ENTRY, 0, entry, 1);
	}
	at = tag(at, MB2_HTAG_CONSOLE, 0, console, 1);
	at = tag(at, MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
	at = tag(at, MB2_HTAG_RELOCATABLE, 0, reloc, 4);
	at = tag(at, MB2_HTAG_FRAMEBUFFER, MB2_HTAG_OPTIONAL, fb, 3);
	at = tag(at, MB2_HTAG_END, 0, NULL, 0);
	put32(image, HDR + 8, (uint32_t)(at - HDR));
	fix_checksum();
}

/* ELF32 or ELF64: text 0x1000 bytes at 1 MiB, data the rest of the file
 * after it with 0x3000 of bss. */
static void template_elf(size_t len, int is64)
{
	memset(image, 0, len);
	memcpy(image, "\177ELF", 4);
	image[4] = is64 ? 2 : 1;
	image[5] = 1;
	put16(image, 16, 2);
	put16(image, 18, is64 ? 62 : 3);
	if (is64) {
		put64(image, 24, 0x100010);
		put64(image, 32, 64);
		put16(image, 54, 56);
		put16(image, 56, 2);
		for (unsigned i = 0; i < 2; i++) {
			size_t p = 64 + i * 56;

			put32(image, p, 1);
			put32(image, p + 4, i ? 6 : 5);
			put64(image, p + 8, i ? 0x2000 : 0x1000);
			put64(image, p + 16, i ? 0x101000 : 0x100000);
			put64(image, p + 24, i ? 0x101000 : 0x100000);
			put64(image, p + 32, i ? len - 0x2000 : 0x1000);
			put64(image, p + 40, i ? len - 0x2000 + 0x3000 : 0x1000);
		}
	} else {
		put32(image, 24, 0x100010);
		put32(image, 28, 52);
		put16(image, 42, 32);
		put16(image, 44, 2);
		for (unsigned i = 0; i < 2; i++) {
			size_t p = 52 + i * 32;

			put32(image, p, 1);
			put32(image, p + 4, i ? 0x2000 : 0x1000);
			put32(image, p + 8, i ? 0x101000 : 0x100000);
			put32(image, p + 12, i ? 0x101000 : 0x100000);
			put32(image, p + 16, (uint32_t)(i ? len - 0x2000 : 0x1000));
			put32(image, p + 20, (uint32_t)(i ? len - 0x2000 + 0x3000 : 0x1000));
			put32(image, p + 24, i ? 6 : 5);
		}
	}
	template_header(len, 0);
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

static void check_info(const struct boot_write *w, const struct multiboot_args *args)
{
	const uint8_t *info = w->data;
	size_t off = 8, nr_modules = 0;
	uint32_t prev_end = 0;
	int saw[32] = { 0 };

	check(w->gpa == MULTIBOOT_INFO_ADDR && w->data == plan.info && w->len <= BOOT_INFO_SIZE &&
	      get32(info, 0) == w->len && get32(info, 4) == 0, "info header");
	for (;;) {
		uint32_t type, size;

		check(off % 8 == 0 && off + 8 <= w->len, "tag inside the info");
		type = get32(info, off);
		size = get32(info, off + 4);
		check(size >= 8 && size <= w->len - off, "tag size inside the info");
		if (type == MB2_TAG_END) {
			check(size == 8 && off + 8 == w->len, "end tag last");
			break;
		}
		check(type < 32, "known tag");
		saw[type]++;
		switch (type) {
		case MB2_TAG_CMDLINE:
		case MB2_TAG_LOADER_NAME:
			check(info[off + size - 1] == '\0' &&
			      strlen((const char *)info + off + 8) == size - 9, "string tag");
			break;
		case MB2_TAG_MODULE:
			check(nr_modules < args->nr_modules, "module count");
			check(get32(info, off + 8) % 4096 == 0 && get32(info, off + 8) >= prev_end,
			      "modules aligned, in order");
			check(get32(info, off + 12) - get32(info, off + 8) ==
			      args->modules[nr_modules].size, "module whole");
			check(info[off + size - 1] == '\0' &&
			      strcmp((const char *)info + off + 16, args->modules[nr_modules].cmdline) == 0,
			      "module command line");
			prev_end = get32(info, off + 12);
			nr_modules++;
			break;
		case MB2_TAG_BASIC_MEMINFO:
			check(size == 16 && get32(info, off + 8) == 639, "basic meminfo");
			break;
		case MB2_TAG_MMAP:
			check(get32(info, off + 8) == 24 && (size - 16) % 24 == 0, "mmap entries");
			break;
		case MB2_TAG_LOAD_BASE_ADDR:
			check(size == 12, "load base");
			break;
		default:
			check(0, "a tag we provide");
		}
		off += (size + 7) & ~(size_t)7;
	}
	check(nr_modules == args->nr_modules, "one module tag each");
	check(saw[MB2_TAG_CMDLINE] == 1 && saw[MB2_TAG_LOADER_NAME] == 1 &&
	      saw[MB2_TAG_BASIC_MEMINFO] == 1 && saw[MB2_TAG_MMAP] == 1, "the tags we promise");
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
		int kind = data[0] % 3;
		int fix = data[0] & 4;

		len = 0x2000 + (size_t)(data[0] | data[1] << 8) % (MAX_IMAGE - 0x2000);
		if (kind == 2) {
			memset(image, 0, len);
			template_header(len, 1);
		} else {
			template_elf(len, kind);
		}
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
	if (multiboot2_plan(&plan, &args, &err) < 0) {
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
			if (strcmp(w->what, "multiboot2 info") == 0)
				info = w;
		}
		if (strncmp(w->what, "kernel", 6) == 0 && plan.cpu.eip >= w->gpa &&
		    plan.cpu.eip - w->gpa < w->len)
			entered = 1;
	}
	check(info != NULL, "an info write");
	check_info(info, &args);
	check(plan.cpu.mode == BOOT_CPU_FLAT32 && plan.cpu.eax == MULTIBOOT2_BOOTLOADER_MAGIC &&
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
