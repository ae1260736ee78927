// SPDX-License-Identifier: MIT
/*
 * The multiboot 1 loader's planning (vmm/boot/multiboot.c) on crafted
 * kernels: ELF32 segments and bss, the a.out kludge, modules, the
 * information structure, the entry state, and one clear refusal per kind
 * of kernel the spec or this machine cannot boot (the Multiboot
 * Specification 0.6.96; QEMU's hw/i386/multiboot.c).
 */
#include <errno.h>
#include <stdlib.h>

#include "memmap.h"
#include "multiboot.h"
#include "unit.h"

#define MIB_ (1024u * 1024u)
#define HDR_OFF 0x100			/* the multiboot header in the file */
#define TEXT_OFF 0x1000			/* segment 1: 4 KiB of code at 1 MiB */
#define DATA_OFF 0x2000			/* segment 2: 2 KiB of data, then 10 KiB of bss */
#define IMAGE_SIZE 0x2800

static uint8_t image[16384];
static size_t image_size;
static struct boot_plan plan;
static uint8_t mod_a[5000], mod_b[4096];

static void put16(uint8_t *p, size_t off, uint16_t v) { p[off] = (uint8_t)v; p[off + 1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, size_t off, uint32_t v) { put16(p, off, (uint16_t)v); put16(p, off + 2, (uint16_t)(v >> 16)); }
static uint16_t get16(const uint8_t *p, size_t off) { return (uint16_t)(p[off] | p[off + 1] << 8); }
static uint32_t get32(const uint8_t *p, size_t off) { return get16(p, off) | (uint32_t)get16(p, off + 2) << 16; }
static uint64_t get64(const uint8_t *p, size_t off) { return get32(p, off) | (uint64_t)get32(p, off + 4) << 32; }

/* A multiboot header at `off` with `flags` and a right checksum. */
static void put_header(size_t off, uint32_t flags)
{
	put32(image, off, MULTIBOOT_HEADER_MAGIC);
	put32(image, off + 4, flags);
	put32(image, off + 8, (uint32_t)-(MULTIBOOT_HEADER_MAGIC + flags));
}

static void put_phdr(unsigned i, uint32_t offset, uint32_t vaddr, uint32_t paddr,
		     uint32_t filesz, uint32_t memsz, uint32_t flags)
{
	size_t p = 52 + i * 32;

	put32(image, p, 1);			/* PT_LOAD */
	put32(image, p + 4, offset);
	put32(image, p + 8, vaddr);
	put32(image, p + 12, paddr);
	put32(image, p + 16, filesz);
	put32(image, p + 20, memsz);
	put32(image, p + 24, flags);
	put32(image, p + 28, 0x1000);
}

/* An ELF32 i386 executable: text at 1 MiB (R-X), data + bss at 0x102000
 * (RW-), entry at 0x100010, and a multiboot header (page-align and
 * memory-info flags, as GRUB's example kernel) at HDR_OFF. */
static void make_elf(void)
{
	memset(image, 0, sizeof(image));
	memcpy(image, "\177ELF", 4);
	image[4] = 1;				/* ELFCLASS32 */
	image[5] = 1;				/* little-endian */
	image[6] = 1;
	put16(image, 16, 2);			/* ET_EXEC */
	put16(image, 18, 3);			/* EM_386 */
	put32(image, 20, 1);
	put32(image, 24, 0x100010);		/* e_entry */
	put32(image, 28, 52);			/* e_phoff */
	put16(image, 40, 52);
	put16(image, 42, 32);			/* e_phentsize */
	put16(image, 44, 2);			/* e_phnum */
	put_phdr(0, TEXT_OFF, 0x100000, 0x100000, 0x1000, 0x1000, 5);
	put_phdr(1, DATA_OFF, 0x102000, 0x102000, 0x800, 0x3000, 6);
	put_header(HDR_OFF, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO);
	for (size_t i = TEXT_OFF; i < IMAGE_SIZE; i++)
		image[i] = (uint8_t)(i * 13);
	image_size = IMAGE_SIZE;
}

/* A flat binary with the a.out kludge: loaded from file offset 0 at
 * 1 MiB, its header at 0x40, 0x1800 bytes loaded, bss to 0x104000. */
static void make_aout(void)
{
	uint32_t flags = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE;

	memset(image, 0, sizeof(image));
	put_header(0x40, flags);
	put32(image, 0x40 + 12, 0x100040);	/* header_addr */
	put32(image, 0x40 + 16, 0x100000);	/* load_addr */
	put32(image, 0x40 + 20, 0x101800);	/* load_end_addr */
	put32(image, 0x40 + 24, 0x104000);	/* bss_end_addr */
	put32(image, 0x40 + 28, 0x100080);	/* entry_addr */
	image_size = 0x2000;
}

static struct multiboot_module modules[MULTIBOOT_MAX_MODULES + 1];

static struct multiboot_args args(uint64_t ram)
{
	return (struct multiboot_args){
		.image = image, .image_size = image_size, .kernel_path = "build/k.elf",
		.cmdline = "console=com1 debug", .ram_size = ram,
	};
}

static const struct boot_write *find_write(const char *what, unsigned nth)
{
	for (unsigned i = 0; i < plan.nr_writes; i++) {
		if (strcmp(plan.writes[i].what, what) == 0 && nth-- == 0)
			return &plan.writes[i];
	}
	return NULL;
}

/* The information block's bytes at guest address `gpa`. */
static const uint8_t *info_at(uint32_t gpa)
{
	const struct boot_write *w = find_write("multiboot info", 0);

	CHECK(w != NULL);
	CHECK(gpa >= w->gpa && gpa < w->gpa + w->len);
	return w->data + (gpa - w->gpa);
}

static void expect_refusal(struct multiboot_args a, const char *words)
{
	struct error err = { "" };

	CHECK_EQ(multiboot_plan(&plan, &a, &err), -EINVAL);
	if (strstr(err.msg, words) == NULL)
		printf("  message: %s\n", err.msg);
	CHECK(strstr(err.msg, words) != NULL);
	CHECK(strchr(err.msg, '\n') == NULL);	/* one line */
}

static void expect_plan(struct multiboot_args a)
{
	struct error err = { "" };
	int ret = multiboot_plan(&plan, &a, &err);

	if (ret != 0)
		printf("  refused: %s\n", err.msg);
	CHECK_EQ(ret, 0);
}

UNIT_TEST(detect_finds_a_header_with_a_valid_checksum_in_the_first_8k)
{
	make_elf();
	CHECK_EQ(multiboot_detect(image, image_size), HDR_OFF);
	image[HDR_OFF + 8] ^= 1;			/* checksum off by one */
	CHECK_EQ(multiboot_detect(image, image_size), -1);
	make_elf();
	memset(image + HDR_OFF, 0, 12);
	put_header(HDR_OFF + 2, 0);			/* not 4-byte aligned */
	CHECK_EQ(multiboot_detect(image, image_size), -1);
	memset(image + HDR_OFF, 0, 16);
	put_header(8192 - 12, 0);			/* the last place it fits */
	CHECK_EQ(multiboot_detect(image, 8192), 8192 - 12);
	CHECK_EQ(multiboot_detect(image, 8191), -1);	/* truncated */
}

UNIT_TEST(elf_segments_load_at_their_physical_addresses_with_bss_zeroed)
{
	const struct boot_write *w;

	make_elf();
	expect_plan(args(128 * MIB_));
	w = find_write("kernel", 0);
	CHECK_EQ(w->gpa, 0x100000);
	CHECK(w->data == image + TEXT_OFF);		/* no copy: the file's bytes */
	CHECK_EQ(w->len, 0x1000);
	w = find_write("kernel", 1);
	CHECK_EQ(w->gpa, 0x102000);
	CHECK(w->data == image + DATA_OFF);
	CHECK_EQ(w->len, 0x800);
	/* p_memsz > p_filesz: the rest is zeroes, a NULL write. */
	w = find_write("kernel bss", 0);
	CHECK_EQ(w->gpa, 0x102800);
	CHECK(w->data == NULL);
	CHECK_EQ(w->len, 0x2800);
}

UNIT_TEST(entry_state_is_flat_32_bit_with_the_magic_and_the_info)
{
	make_elf();
	expect_plan(args(128 * MIB_));
	CHECK_EQ(plan.cpu.mode, BOOT_CPU_FLAT32);	/* PE on, PG off, IF off */
	CHECK_EQ(plan.cpu.eip, 0x100010);
	CHECK_EQ(plan.cpu.eax, 0x2BADB002);
	CHECK_EQ(plan.cpu.ebx, MULTIBOOT_INFO_ADDR);
	CHECK_EQ(find_write("multiboot info", 0)->gpa, plan.cpu.ebx);
	CHECK_EQ(plan.cpu.esp, MULTIBOOT_STACK_TOP);
	CHECK_EQ(find_write("boot GDT", 0)->gpa, plan.cpu.gdt_base);
	/* QEMU's and GRUB's selectors, which tutorial kernels rely on. */
	CHECK_EQ(plan.cpu.code_selector, 0x08);
	CHECK_EQ(plan.cpu.data_selector, 0x10);
	CHECK_EQ(plan.gdt[plan.cpu.code_selector / 8], 0x00cf9b000000ffffULL);
	CHECK_EQ(plan.gdt[plan.cpu.data_selector / 8], 0x00cf93000000ffffULL);
	CHECK(plan.cpu.gdt_limit >= plan.cpu.data_selector + 7);
}

UNIT_TEST(entry_of_a_kernel_linked_high_moves_by_its_segment_delta_like_qemu)
{
	make_elf();
	/* Text linked at 3 GiB + 1 MiB, loaded at 1 MiB (a higher-half kernel). */
	put_phdr(0, TEXT_OFF, 0xc0100000, 0x100000, 0x1000, 0x1000, 5);
	put32(image, 24, 0xc0100010);
	expect_plan(args(128 * MIB_));
	CHECK_EQ(plan.cpu.eip, 0x100010);
	/* Only through an executable segment (QEMU's load_elf: PF_X). */
	put_phdr(0, TEXT_OFF, 0xc0100000, 0x100000, 0x1000, 0x1000, 4);
	expect_refusal(args(128 * MIB_), "enters at 0xc0100010, outside what it loads");
}

UNIT_TEST(info_has_memory_cmdline_modules_mmap_and_loader_name)
{
	const uint8_t *mbi;

	make_elf();
	expect_plan(args(128 * MIB_));
	mbi = info_at(MULTIBOOT_INFO_ADDR);
	CHECK_EQ(get32(mbi, MBI_FLAGS), (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
	CHECK_EQ(get32(mbi, MBI_MEM_LOWER), 639);	/* KiB below the EBDA */
	CHECK_EQ(get32(mbi, MBI_MEM_UPPER), 127 * 1024);	/* KiB from 1 MiB to the end */
	/* "KERNEL-PATH APPEND", as QEMU builds it. */
	CHECK(strcmp((const char *)info_at(get32(mbi, MBI_CMDLINE)),
		     "build/k.elf console=com1 debug") == 0);
	CHECK(strcmp((const char *)info_at(get32(mbi, MBI_BOOT_LOADER_NAME)), "minivmm") == 0);
	CHECK_EQ(get32(mbi, MBI_MODS_COUNT), 0);
	/* Everything below 640 KiB. */
	CHECK(find_write("multiboot info", 0)->gpa + find_write("multiboot info", 0)->len <=
	      MEMMAP_LOW_RAM_END);
}

UNIT_TEST(empty_append_still_gives_the_kernel_path_and_a_space_like_qemu)
{
	struct multiboot_args a;

	make_elf();
	a = args(16 * MIB_);
	a.cmdline = "";
	expect_plan(a);
	CHECK(strcmp((const char *)info_at(get32(info_at(MULTIBOOT_INFO_ADDR), MBI_CMDLINE)),
		     "build/k.elf ") == 0);
}

UNIT_TEST(mmap_matches_guest_ram_with_the_rom_and_isa_hole_not_available)
{
	const uint8_t *mbi, *e;
	struct memmap_entry map[MEMMAP_MAX_ENTRIES];
	size_t n = memmap_build(64 * MIB_, map);
	uint64_t usable = 0;

	make_elf();
	expect_plan(args(64 * MIB_));
	mbi = info_at(MULTIBOOT_INFO_ADDR);
	CHECK_EQ(get32(mbi, MBI_MMAP_LENGTH), n * 24);
	e = info_at(get32(mbi, MBI_MMAP_ADDR));
	for (size_t i = 0; i < n; i++, e += 24) {
		CHECK_EQ(get32(e, 0), 20);		/* size, not counting itself */
		CHECK_EQ(get64(e, 4), map[i].base);
		CHECK_EQ(get64(e, 12), map[i].len);
		CHECK_EQ(get32(e, 20), map[i].type);
		if (get32(e, 20) == 1) {
			usable += get64(e, 12);
			CHECK(get64(e, 4) + get64(e, 12) <= 0x9fc00 || get64(e, 4) >= 0x100000);
		}
	}
	CHECK_EQ(usable, 64 * MIB_ - (0x100000 - 0x9fc00));
}

UNIT_TEST(modules_are_page_aligned_after_the_kernel_in_order_with_their_cmdlines)
{
	struct multiboot_args a;
	const uint8_t *mbi, *m;

	make_elf();
	modules[0] = (struct multiboot_module){ mod_a, sizeof(mod_a), "mod_a.bin one=1" };
	modules[1] = (struct multiboot_module){ NULL, 0, "empty.bin" };
	modules[2] = (struct multiboot_module){ mod_b, sizeof(mod_b), "mod_b.bin" };
	a = args(32 * MIB_);
	a.modules = modules;
	a.nr_modules = 3;
	expect_plan(a);
	mbi = info_at(MULTIBOOT_INFO_ADDR);
	CHECK_EQ(get32(mbi, MBI_MODS_COUNT), 3);
	m = info_at(get32(mbi, MBI_MODS_ADDR));
	/* The kernel ends (bss included) at 0x105000. */
	CHECK_EQ(get32(m, 0), 0x105000);
	CHECK_EQ(get32(m, 4), 0x105000 + sizeof(mod_a));
	CHECK(strcmp((const char *)info_at(get32(m, 8)), "mod_a.bin one=1") == 0);
	CHECK_EQ(get32(m + 16, 0), 0x107000);		/* the next page */
	CHECK_EQ(get32(m + 16, 4), 0x107000);		/* empty: start == end */
	CHECK(strcmp((const char *)info_at(get32(m + 16, 8)), "empty.bin") == 0);
	CHECK_EQ(get32(m + 32, 0), 0x107000);
	CHECK_EQ(get32(m + 32, 4), 0x108000);
	CHECK(strcmp((const char *)info_at(get32(m + 32, 8)), "mod_b.bin") == 0);
	/* The bytes themselves, from the caller's buffers. */
	CHECK(find_write("module", 0)->data == mod_a && find_write("module", 0)->gpa == 0x105000);
	CHECK(find_write("module", 1)->data == mod_b && find_write("module", 1)->gpa == 0x107000);
	CHECK(find_write("module", 2) == NULL);
}

UNIT_TEST(a_out_kludge_loads_by_the_header_address_fields)
{
	const struct boot_write *w;
	struct multiboot_args a;

	make_aout();
	expect_plan(args(16 * MIB_));
	w = find_write("kernel", 0);
	CHECK_EQ(w->gpa, 0x100000);
	CHECK(w->data == image);			/* file offset 0x40 - (header - load) */
	CHECK_EQ(w->len, 0x1800);			/* load_end - load */
	w = find_write("kernel bss", 0);
	CHECK_EQ(w->gpa, 0x101800);
	CHECK(w->data == NULL);
	CHECK_EQ(w->len, 0x2800);
	CHECK_EQ(plan.cpu.eip, 0x100080);		/* entry_addr */

	/* load_end_addr 0: the rest of the file; bss_end_addr 0: no bss. */
	put32(image, 0x40 + 20, 0);
	put32(image, 0x40 + 24, 0);
	a = args(16 * MIB_);
	expect_plan(a);
	CHECK_EQ(find_write("kernel", 0)->len, 0x2000);
	CHECK(find_write("kernel bss", 0) == NULL);

	/* The header later in what is loaded: loading starts before it. */
	make_aout();
	put32(image, 0x40 + 16, 0x100020);		/* load_addr: file offset 0x20 */
	put32(image, 0x40 + 28, 0x100030);
	expect_plan(args(16 * MIB_));
	CHECK(find_write("kernel", 0)->data == image + 0x20);
	CHECK_EQ(find_write("kernel", 0)->len, 0x101800 - 0x100020);
}

UNIT_TEST(a_out_kludge_wins_over_an_elf_header_like_qemu)
{
	uint32_t flags = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_AOUT_KLUDGE;

	make_elf();
	image[4] = 2;				/* even a 64-bit ELF: its phdrs are not read */
	put_header(HDR_OFF, flags);
	put32(image, HDR_OFF + 12, 0x200000 + HDR_OFF);
	put32(image, HDR_OFF + 16, 0x200000);
	put32(image, HDR_OFF + 20, 0);
	put32(image, HDR_OFF + 24, 0x210000);
	put32(image, HDR_OFF + 28, 0x200000 + TEXT_OFF);
	expect_plan(args(16 * MIB_));
	CHECK_EQ(find_write("kernel", 0)->gpa, 0x200000);
	CHECK(find_write("kernel", 0)->data == image);
	CHECK_EQ(plan.cpu.eip, 0x200000 + TEXT_OFF);
}

UNIT_TEST(a_text_mode_request_boots_and_a_graphics_mode_is_refused)
{
	uint32_t flags = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_VIDEO_MODE;

	make_elf();
	put_header(HDR_OFF, flags);
	put32(image, HDR_OFF + 32, 1);			/* EGA text */
	put32(image, HDR_OFF + 36, 80);
	put32(image, HDR_OFF + 40, 25);
	expect_plan(args(16 * MIB_));
	/* No video information passed, as QEMU. */
	CHECK_EQ(get32(info_at(MULTIBOOT_INFO_ADDR), MBI_FLAGS) & (3u << 11), 0);
	put32(image, HDR_OFF + 32, 0);			/* linear graphics */
	put32(image, HDR_OFF + 36, 1024);
	put32(image, HDR_OFF + 40, 768);
	put32(image, HDR_OFF + 44, 32);
	expect_refusal(args(16 * MIB_), "asks for a video mode (linear graphics, 1024x768x32); "
		       "minivmm has no framebuffer, only VGA text");
}

UNIT_TEST(unknown_required_flags_are_refused_and_optional_ones_ignored)
{
	make_elf();
	put_header(HDR_OFF, MULTIBOOT_PAGE_ALIGN | (1u << 3));
	expect_refusal(args(16 * MIB_), "requires multiboot feature bit 3");
	put_header(HDR_OFF, MULTIBOOT_PAGE_ALIGN | (1u << 20));
	expect_plan(args(16 * MIB_));
}

UNIT_TEST(refuses_a_missing_misplaced_or_broken_header)
{
	static uint8_t big[12288];

	make_elf();
	memset(image + HDR_OFF, 0, 12);
	expect_refusal(args(16 * MIB_), "no multiboot header in its first 8 KiB");
	put_header(HDR_OFF, 0);
	image[HDR_OFF + 8] ^= 0x10;
	expect_refusal(args(16 * MIB_), "bad checksum");

	/* Past the first 8 KiB. */
	memset(big, 0, sizeof(big));
	memcpy(big, image, IMAGE_SIZE);
	memset(big + HDR_OFF, 0, 12);
	put32(big, 8192, MULTIBOOT_HEADER_MAGIC);
	put32(big, 8196, 0);
	put32(big, 8200, (uint32_t)-MULTIBOOT_HEADER_MAGIC);
	struct multiboot_args a = args(16 * MIB_);
	a.image = big;
	a.image_size = sizeof(big);
	expect_refusal(a, "offset 0x2000; the spec wants all of it in the first 8 KiB");

	/* The address fields of a header near the end of the 8 KiB. */
	make_elf();
	memset(image + HDR_OFF, 0, 12);
	put_header(8192 - 16, MULTIBOOT_AOUT_KLUDGE);
	image_size = 8192 + 64;
	expect_refusal(args(16 * MIB_), "end past the first 8 KiB");
	/* ...and past the end of the file. */
	make_aout();
	image_size = 0x40 + 20;
	expect_refusal(args(16 * MIB_), "truncated");
}

UNIT_TEST(refuses_elf64_and_other_elves)
{
	make_elf();
	image[4] = 2;					/* ELFCLASS64 */
	expect_refusal(args(16 * MIB_), "64-bit ELF");
	make_elf();
	put16(image, 18, 62);				/* EM_X86_64 in an ELF32 */
	expect_refusal(args(16 * MIB_), "64-bit ELF");
	make_elf();
	put16(image, 16, 3);				/* ET_DYN */
	expect_refusal(args(16 * MIB_), "not an executable");
	make_elf();
	image[5] = 2;
	expect_refusal(args(16 * MIB_), "big-endian");
	make_elf();
	memcpy(image, "\177ELG", 4);			/* not an ELF, no address fields */
	expect_refusal(args(16 * MIB_), "not an ELF file");
	make_elf();
	put16(image, 44, 0);
	expect_refusal(args(16 * MIB_), "no loadable segment");
}

UNIT_TEST(refuses_segments_outside_ram_in_the_hole_or_over_the_boot_area)
{
	make_elf();
	/* 2 MiB of RAM; the data segment's bss ends at 0x105000, inside. */
	expect_plan(args(2 * MIB_));
	put_phdr(1, DATA_OFF, 0x1ff000, 0x1ff000, 0x800, 0x3000, 6);
	expect_refusal(args(2 * MIB_), "puts its segment 1 at 0x1ff000-0x202000, outside RAM");
	make_elf();
	put_phdr(1, DATA_OFF, 0x9f000, 0x9f000, 0x800, 0x1000, 6);
	expect_refusal(args(16 * MIB_), "in the ISA hole");
	make_elf();
	put_phdr(1, DATA_OFF, 0xf8000, 0xf8000, 0x800, 0x800, 6);	/* the ROM */
	expect_refusal(args(16 * MIB_), "in the ISA hole");
	make_elf();
	put_phdr(1, DATA_OFF, 0x8000, 0x8000, 0x800, 0x2000, 6);
	expect_refusal(args(16 * MIB_), "over minivmm's boot area");
	make_elf();
	put_phdr(1, DATA_OFF, 0x100800, 0x100800, 0x800, 0x800, 6);
	expect_refusal(args(16 * MIB_), "segments that overlap");
	/* Below 640 KiB but clear of everything: fine. */
	make_elf();
	put_phdr(1, DATA_OFF, 0x20000, 0x20000, 0x800, 0x3000, 6);
	expect_plan(args(16 * MIB_));
}

UNIT_TEST(refuses_a_truncated_file)
{
	make_elf();
	image_size = IMAGE_SIZE - 1;			/* the data segment's last byte */
	expect_refusal(args(16 * MIB_), "is truncated: segment 1");
	make_elf();
	put32(image, 28, IMAGE_SIZE - 40);		/* program headers past the end */
	expect_refusal(args(16 * MIB_), "is truncated: its 2 program headers");
	make_elf();
	put_phdr(1, DATA_OFF, 0x102000, 0x102000, 0x4000, 0x3000, 6);
	expect_refusal(args(16 * MIB_), "p_filesz 0x4000 > p_memsz 0x3000");
	make_aout();
	put32(image, 0x40 + 20, 0x102800);		/* load_end past the file */
	expect_refusal(args(16 * MIB_), "is truncated: its address fields load");
}

UNIT_TEST(refuses_bad_a_out_address_fields)
{
	make_aout();
	put32(image, 0x40 + 16, 0x100080);		/* load_addr above header_addr */
	expect_refusal(args(16 * MIB_), "below load_addr");
	make_aout();
	put32(image, 0x40 + 16, 0xff000);		/* starts before the file */
	expect_refusal(args(16 * MIB_), "before its header");
	make_aout();
	put32(image, 0x40 + 24, 0x101000);		/* bss ends inside the data */
	expect_refusal(args(16 * MIB_), "bss_end_addr");
	make_aout();
	put32(image, 0x40 + 28, 0x200000);
	expect_refusal(args(16 * MIB_), "enters at 0x200000, outside what it loads "
		       "(0x100000-0x104000)");
}

UNIT_TEST(refuses_modules_that_do_not_fit)
{
	struct multiboot_args a;

	make_elf();
	modules[0] = (struct multiboot_module){ mod_a, 3 * MIB_, "big.bin" };
	a = args(4 * MIB_);
	a.modules = modules;
	a.nr_modules = 1;
	expect_refusal(a, "no room for module 1 (3.0 MiB at 0x105000");
	modules[0].size = 2 * MIB_;			/* 0x105000 + 2 MiB < 4 MiB */
	expect_plan(a);
	a.nr_modules = MULTIBOOT_MAX_MODULES + 1;
	for (size_t i = 0; i < a.nr_modules; i++)
		modules[i] = (struct multiboot_module){ mod_b, 16, "m" };
	expect_refusal(a, "at most 16");
}

UNIT_TEST(modules_after_a_low_kernel_skip_the_isa_hole)
{
	struct multiboot_args a;

	make_elf();
	put_phdr(0, TEXT_OFF, 0x10000, 0x10000, 0x1000, 0x1000, 5);
	put_phdr(1, DATA_OFF, 0x12000, 0x12000, 0x800, 0x3000, 6);
	put32(image, 24, 0x10010);
	modules[0] = (struct multiboot_module){ mod_b, sizeof(mod_b), "small" };
	modules[1] = (struct multiboot_module){ mod_a, 700 * 1024, "large" };
	a = args(16 * MIB_);
	a.modules = modules;
	a.nr_modules = 2;
	expect_plan(a);
	CHECK_EQ(find_write("module", 0)->gpa, 0x15000);
	CHECK_EQ(find_write("module", 1)->gpa, 0x100000);
}

UNIT_TEST(refuses_command_lines_longer_than_the_info_block)
{
	static char line[BOOT_INFO_SIZE];
	struct multiboot_args a;

	make_elf();
	memset(line, 'x', sizeof(line) - 1);
	a = args(16 * MIB_);
	a.cmdline = line;
	expect_refusal(a, "bytes of command lines");
	line[8000] = '\0';
	expect_plan(a);
}

UNIT_TEST(split_modules_follows_qemus_initrd_syntax)
{
	char buf[128];
	const char *cmd[4];
	struct error err = { "" };

	CHECK_EQ(multiboot_split_modules("a.bin x=1,b.bin,c,,d y,", buf, sizeof(buf), cmd, 4,
					 &err), 3);
	CHECK(strcmp(cmd[0], "a.bin x=1") == 0);
	CHECK(strcmp(cmd[1], "b.bin") == 0);
	CHECK(strcmp(cmd[2], "c,d y") == 0);		/* ",," is a comma */
	CHECK_EQ(multiboot_module_path_len(cmd[0]), 5);
	CHECK_EQ(multiboot_module_path_len(cmd[2]), 3);
	CHECK_EQ(multiboot_split_modules("", buf, sizeof(buf), cmd, 4, &err), 0);
	CHECK_EQ(multiboot_split_modules("a, x", buf, sizeof(buf), cmd, 4, &err), -EINVAL);
	CHECK(strstr(err.msg, "no file name") != NULL);
	CHECK_EQ(multiboot_split_modules("a,b,c,d,e", buf, sizeof(buf), cmd, 4, &err), -EINVAL);
	CHECK_EQ(multiboot_split_modules("abcdefgh", buf, 8, cmd, 4, &err), -EINVAL);
	CHECK_EQ(multiboot_split_modules("abcdefg", buf, 8, cmd, 4, &err), 1);
}

int main(void)
{
	return unit_run_all();
}
