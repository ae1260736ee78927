// SPDX-License-Identifier: MIT
/*
 * The multiboot2 loader's planning (vmm/boot/multiboot2.c) on crafted
 * kernels: each header tag a kernel may use, the boot information tags,
 * and one clear refusal per thing the spec or this machine cannot do
 * (the Multiboot2 Specification 2.0).
 */
#include <errno.h>
#include <stdlib.h>

#include "memmap.h"
#include "multiboot2.h"
#include "unit.h"

#define MIB_ (1024u * 1024u)
#define HDR_OFF 0x100
#define TEXT_OFF 0x1000
#define DATA_OFF 0x2000
#define IMAGE_SIZE 0x2800

static uint8_t image[65536];
static size_t image_size, tag_at;
static struct boot_plan plan;
static uint8_t mod_a[5000];
static struct multiboot_module modules[2];

static void put16(uint8_t *p, size_t off, uint16_t v) { p[off] = (uint8_t)v; p[off + 1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, size_t off, uint32_t v) { put16(p, off, (uint16_t)v); put16(p, off + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, size_t off, uint64_t v) { put32(p, off, (uint32_t)v); put32(p, off + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const uint8_t *p, size_t off) { return (uint16_t)(p[off] | p[off + 1] << 8); }
static uint32_t get32(const uint8_t *p, size_t off) { return get16(p, off) | (uint32_t)get16(p, off + 2) << 16; }
static uint64_t get64(const uint8_t *p, size_t off) { return get32(p, off) | (uint64_t)get32(p, off + 4) << 32; }

/* The header: begin, tags, end (which sets the length and checksum). */
static void hdr_begin(size_t off)
{
	tag_at = off + 16;
	put32(image, off, MULTIBOOT2_HEADER_MAGIC);
	put32(image, off + 4, MULTIBOOT2_ARCH_I386);
}

static void hdr_tag(uint16_t type, uint16_t flags, const uint32_t *body, size_t words)
{
	put16(image, tag_at, type);
	put16(image, tag_at + 2, flags);
	put32(image, tag_at + 4, (uint32_t)(8 + 4 * words));
	for (size_t i = 0; i < words; i++)
		put32(image, tag_at + 8 + 4 * i, body[i]);
	tag_at += (8 + 4 * words + 7) & ~(size_t)7;
}

static void hdr_end(size_t off)
{
	uint32_t len;

	hdr_tag(MB2_HTAG_END, 0, NULL, 0);
	len = (uint32_t)(tag_at - off);
	put32(image, off + 8, len);
	put32(image, off + 12, (uint32_t)-(MULTIBOOT2_HEADER_MAGIC + MULTIBOOT2_ARCH_I386 + len));
}

/* An ELF32 i386 kernel as in test_multiboot.c (text at 1 MiB, data and
 * bss at 0x102000, entry 0x100010); the header is begun, not ended. */
static void make_elf(void)
{
	memset(image, 0, sizeof(image));
	memcpy(image, "\177ELF", 4);
	image[4] = 1;
	image[5] = 1;
	image[6] = 1;
	put16(image, 16, 2);
	put16(image, 18, 3);
	put32(image, 24, 0x100010);
	put32(image, 28, 52);
	put16(image, 42, 32);
	put16(image, 44, 2);
	for (unsigned i = 0; i < 2; i++) {
		size_t p = 52 + i * 32;

		put32(image, p, 1);
		put32(image, p + 4, i ? DATA_OFF : TEXT_OFF);
		put32(image, p + 8, i ? 0x102000 : 0x100000);
		put32(image, p + 12, i ? 0x102000 : 0x100000);
		put32(image, p + 16, i ? 0x800 : 0x1000);
		put32(image, p + 20, i ? 0x3000 : 0x1000);
		put32(image, p + 24, i ? 6 : 5);
	}
	image_size = IMAGE_SIZE;
	hdr_begin(HDR_OFF);
}

/* The same kernel as an ELF64 x86-64 file (a 64-bit kernel with a
 * 32-bit entry, as many multiboot2 kernels are). */
static void make_elf64(void)
{
	memset(image, 0, sizeof(image));
	memcpy(image, "\177ELF", 4);
	image[4] = 2;
	image[5] = 1;
	image[6] = 1;
	put16(image, 16, 2);
	put16(image, 18, 62);
	put64(image, 24, 0x100010);
	put64(image, 32, 64);
	put16(image, 54, 56);
	put16(image, 56, 2);
	for (unsigned i = 0; i < 2; i++) {
		size_t p = 64 + i * 56;

		put32(image, p, 1);
		put32(image, p + 4, i ? 6 : 5);
		put64(image, p + 8, i ? DATA_OFF : TEXT_OFF);
		put64(image, p + 16, i ? 0x102000 : 0x100000);
		put64(image, p + 24, i ? 0x102000 : 0x100000);
		put64(image, p + 32, i ? 0x800 : 0x1000);
		put64(image, p + 40, i ? 0x3000 : 0x1000);
	}
	image_size = IMAGE_SIZE;
	hdr_begin(HDR_OFF);
}

static struct multiboot_args args(uint64_t ram)
{
	return (struct multiboot_args){
		.image = image, .image_size = image_size, .kernel_path = "k.elf",
		.cmdline = "console=com1", .ram_size = ram,
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

/* The nth boot information tag of `type`, checking the list's framing on
 * the way: 8-byte aligned tags inside total_size, ending with the end tag. */
static const uint8_t *info_tag(uint32_t type, unsigned nth)
{
	const struct boot_write *w = find_write("multiboot2 info", 0);
	const uint8_t *info;
	size_t off = 8;

	CHECK(w != NULL);
	info = w->data;
	CHECK_EQ(get32(info, 0), w->len);		/* total_size */
	CHECK_EQ(get32(info, 4), 0);			/* reserved */
	for (;;) {
		uint32_t t = get32(info, off), size = get32(info, off + 4);

		CHECK(size >= 8 && off + size <= w->len);
		if (t == type && nth-- == 0)
			return info + off;
		if (t == MB2_TAG_END) {
			CHECK_EQ(size, 8);
			CHECK_EQ(off + 8, w->len);
			return NULL;
		}
		off += (size + 7) & ~(size_t)7;
	}
}

static void expect_refusal(struct multiboot_args a, const char *words)
{
	struct error err = { "" };

	CHECK_EQ(multiboot2_plan(&plan, &a, &err), -EINVAL);
	if (strstr(err.msg, words) == NULL)
		printf("  message: %s\n", err.msg);
	CHECK(strstr(err.msg, words) != NULL);
	CHECK(strchr(err.msg, '\n') == NULL);
}

static void expect_plan(struct multiboot_args a)
{
	struct error err = { "" };
	int ret = multiboot2_plan(&plan, &a, &err);

	if (ret != 0)
		printf("  refused: %s\n", err.msg);
	CHECK_EQ(ret, 0);
}

UNIT_TEST(detect_wants_an_8_byte_aligned_header_in_the_first_32k)
{
	make_elf();
	hdr_end(HDR_OFF);
	CHECK_EQ(multiboot2_detect(image, image_size), HDR_OFF);
	image[HDR_OFF + 12] ^= 1;
	CHECK_EQ(multiboot2_detect(image, image_size), -1);
	make_elf();
	memset(image + HDR_OFF, 0, 16);
	hdr_begin(HDR_OFF + 4);				/* 4- but not 8-byte aligned */
	hdr_end(HDR_OFF + 4);
	CHECK_EQ(multiboot2_detect(image, image_size), -1);
	/* A multiboot 1 header is not a multiboot2 one. */
	CHECK_EQ(multiboot_detect(image, image_size), -1);
}

UNIT_TEST(elf_kernel_loads_and_enters_with_the_multiboot2_magic)
{
	make_elf();
	hdr_end(HDR_OFF);
	expect_plan(args(128 * MIB_));
	CHECK_EQ(find_write("kernel", 0)->gpa, 0x100000);
	CHECK(find_write("kernel", 0)->data == image + TEXT_OFF);
	CHECK_EQ(find_write("kernel bss", 0)->gpa, 0x102800);
	CHECK(find_write("kernel bss", 0)->data == NULL);
	CHECK_EQ(find_write("kernel bss", 0)->len, 0x2800);
	CHECK_EQ(plan.cpu.mode, BOOT_CPU_FLAT32);
	CHECK_EQ(plan.cpu.eip, 0x100010);
	CHECK_EQ(plan.cpu.eax, 0x36d76289);
	CHECK_EQ(plan.cpu.ebx, MULTIBOOT_INFO_ADDR);
	CHECK_EQ(plan.cpu.ebx % 8, 0);			/* the information is 8-byte aligned */
	CHECK_EQ(find_write("multiboot2 info", 0)->gpa, MULTIBOOT_INFO_ADDR);
	CHECK_EQ(plan.cpu.code_selector, 0x08);		/* GRUB's, as for multiboot 1 */
	CHECK_EQ(plan.cpu.data_selector, 0x10);
}

UNIT_TEST(elf64_kernels_load_as_grub_loads_them)
{
	make_elf64();
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
	CHECK_EQ(find_write("kernel", 1)->gpa, 0x102000);
	CHECK(find_write("kernel", 1)->data == image + DATA_OFF);
	CHECK_EQ(find_write("kernel bss", 0)->len, 0x2800);
	CHECK_EQ(plan.cpu.eip, 0x100010);
	/* But nothing above 4 GiB. */
	put64(image, 64 + 24, 0x100000000ULL);
	expect_refusal(args(16 * MIB_), "outside RAM");
}

UNIT_TEST(boot_information_has_cmdline_loader_meminfo_and_mmap)
{
	const uint8_t *t;
	struct memmap_entry map[MEMMAP_MAX_ENTRIES];
	size_t n = memmap_build(64 * MIB_, map);

	make_elf();
	hdr_end(HDR_OFF);
	expect_plan(args(64 * MIB_));
	t = info_tag(MB2_TAG_CMDLINE, 0);
	CHECK(t != NULL);
	CHECK(strcmp((const char *)t + 8, "console=com1") == 0);	/* as given, as GRUB 2 */
	CHECK_EQ(get32(t, 4), 8 + strlen("console=com1") + 1);
	t = info_tag(MB2_TAG_LOADER_NAME, 0);
	CHECK(strcmp((const char *)t + 8, "minivmm") == 0);
	t = info_tag(MB2_TAG_BASIC_MEMINFO, 0);
	CHECK_EQ(get32(t, 4), 16);
	CHECK_EQ(get32(t, 8), 639);
	CHECK_EQ(get32(t, 12), 63 * 1024);
	t = info_tag(MB2_TAG_MMAP, 0);
	CHECK_EQ(get32(t, 4), 16 + n * 24);
	CHECK_EQ(get32(t, 8), 24);			/* entry_size */
	CHECK_EQ(get32(t, 12), 0);			/* entry_version */
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = t + 16 + i * 24;

		CHECK_EQ(get64(e, 0), map[i].base);
		CHECK_EQ(get64(e, 8), map[i].len);
		CHECK_EQ(get32(e, 16), map[i].type);
		CHECK_EQ(get32(e, 20), 0);
	}
	CHECK(info_tag(MB2_TAG_MODULE, 0) == NULL);
	CHECK(info_tag(MB2_TAG_LOAD_BASE_ADDR, 0) == NULL);
}

UNIT_TEST(modules_get_one_tag_each_page_aligned_in_order)
{
	struct multiboot_args a;
	const uint8_t *t;

	make_elf();
	hdr_tag(MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
	hdr_end(HDR_OFF);
	modules[0] = (struct multiboot_module){ mod_a, sizeof(mod_a), "a.bin x" };
	modules[1] = (struct multiboot_module){ mod_a, 10, "b.bin" };
	a = args(16 * MIB_);
	a.modules = modules;
	a.nr_modules = 2;
	expect_plan(a);
	t = info_tag(MB2_TAG_MODULE, 0);
	CHECK_EQ(get32(t, 8), 0x105000);
	CHECK_EQ(get32(t, 12), 0x105000 + sizeof(mod_a));
	CHECK(strcmp((const char *)t + 16, "a.bin x") == 0);
	t = info_tag(MB2_TAG_MODULE, 1);
	CHECK_EQ(get32(t, 8), 0x107000);
	CHECK_EQ(get32(t, 12), 0x10700a);
	CHECK(strcmp((const char *)t + 16, "b.bin") == 0);
	CHECK(info_tag(MB2_TAG_MODULE, 2) == NULL);
	CHECK_EQ(find_write("module", 1)->gpa, 0x107000);
}

UNIT_TEST(address_and_entry_tags_load_a_flat_binary)
{
	uint32_t addr[4] = { 0x100000 + HDR_OFF, 0x100000, 0x101800, 0x104000 };
	uint32_t entry[1] = { 0x100200 };

	memset(image, 0, sizeof(image));
	image_size = 0x2000;
	hdr_begin(HDR_OFF);
	hdr_tag(MB2_HTAG_ADDRESS, 0, addr, 4);
	hdr_tag(MB2_HTAG_ENTRY, 0, entry, 1);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
	CHECK_EQ(find_write("kernel", 0)->gpa, 0x100000);
	CHECK(find_write("kernel", 0)->data == image);
	CHECK_EQ(find_write("kernel", 0)->len, 0x1800);
	CHECK_EQ(find_write("kernel bss", 0)->len, 0x2800);
	CHECK_EQ(plan.cpu.eip, 0x100200);

	/* load_addr -1: from the file's first byte, wherever the header says. */
	addr[0] = 0x200000 + HDR_OFF;
	addr[1] = 0xffffffff;
	addr[2] = 0;
	addr[3] = 0;
	entry[0] = 0x200000;
	hdr_begin(HDR_OFF);
	hdr_tag(MB2_HTAG_ADDRESS, 0, addr, 4);
	hdr_tag(MB2_HTAG_ENTRY, 0, entry, 1);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
	CHECK_EQ(find_write("kernel", 0)->gpa, 0x200000);
	CHECK(find_write("kernel", 0)->data == image);
	CHECK_EQ(find_write("kernel", 0)->len, 0x2000);

	/* No entry tag: nothing says where to start. */
	hdr_begin(HDR_OFF);
	hdr_tag(MB2_HTAG_ADDRESS, 0, addr, 4);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "no entry address tag");
	/* Nor where to load a non-ELF without an address tag. */
	hdr_begin(HDR_OFF);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "not an ELF file");
}

UNIT_TEST(entry_tag_overrides_the_elf_entry)
{
	uint32_t entry[1] = { 0x100800 };

	make_elf();
	hdr_tag(MB2_HTAG_ENTRY, 0, entry, 1);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
	CHECK_EQ(plan.cpu.eip, 0x100800);
	entry[0] = 0x900000;
	make_elf();
	hdr_tag(MB2_HTAG_ENTRY, 0, entry, 1);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "enters at 0x900000, outside what it loads");
}

UNIT_TEST(information_requests_for_what_we_provide_boot)
{
	uint32_t want[5] = { MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME, MB2_TAG_MODULE,
			     MB2_TAG_BASIC_MEMINFO, MB2_TAG_MMAP };

	make_elf();
	hdr_tag(MB2_HTAG_INFO_REQUEST, 0, want, 5);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
}

UNIT_TEST(a_required_information_request_we_cannot_meet_is_refused)
{
	uint32_t want[2] = { MB2_TAG_MMAP, 8 };

	make_elf();
	hdr_tag(MB2_HTAG_INFO_REQUEST, 0, want, 2);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "requires boot information tag 8 (framebuffer), which "
		       "minivmm does not provide");
	/* The same request marked optional boots without it. */
	make_elf();
	hdr_tag(MB2_HTAG_INFO_REQUEST, MB2_HTAG_OPTIONAL, want, 2);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
	CHECK(info_tag(8, 0) == NULL);
	/* The load base address only comes with a relocatable tag. */
	want[1] = MB2_TAG_LOAD_BASE_ADDR;
	make_elf();
	hdr_tag(MB2_HTAG_INFO_REQUEST, 0, want, 2);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "tag 21 (image load base address)");
}

UNIT_TEST(a_framebuffer_request_is_refused_unless_optional)
{
	uint32_t fb[3] = { 1024, 768, 32 };

	make_elf();
	hdr_tag(MB2_HTAG_FRAMEBUFFER, 0, fb, 3);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "asks for a framebuffer (1024x768x32); minivmm has no "
		       "framebuffer, only VGA text");
	make_elf();
	hdr_tag(MB2_HTAG_FRAMEBUFFER, MB2_HTAG_OPTIONAL, fb, 3);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
}

UNIT_TEST(console_flags_requiring_a_described_console_are_refused)
{
	uint32_t flags[1] = { 2 };			/* "EGA text support" only */

	make_elf();
	hdr_tag(MB2_HTAG_CONSOLE, 0, flags, 1);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
	flags[0] = 3;					/* ...and "console required" */
	make_elf();
	hdr_tag(MB2_HTAG_CONSOLE, 0, flags, 1);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "requires a console described in the boot information");
	make_elf();
	hdr_tag(MB2_HTAG_CONSOLE, MB2_HTAG_OPTIONAL, flags, 1);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
}

UNIT_TEST(efi_tags_are_ignored_on_this_bios_machine)
{
	uint32_t entry[1] = { 0x100800 };

	make_elf();
	hdr_tag(MB2_HTAG_EFI_BS, 0, NULL, 0);
	hdr_tag(MB2_HTAG_ENTRY_EFI32, 0, entry, 1);
	hdr_tag(MB2_HTAG_ENTRY_EFI64, 0, entry, 1);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
	CHECK_EQ(plan.cpu.eip, 0x100010);		/* the ELF entry, not the EFI one */
}

UNIT_TEST(relocatable_kernels_load_where_linked_if_allowed_and_say_so)
{
	uint32_t reloc[4] = { 0x100000, 0x1000000, 0x1000, 0 };
	const uint8_t *t;

	make_elf();
	hdr_tag(MB2_HTAG_RELOCATABLE, 0, reloc, 4);
	hdr_end(HDR_OFF);
	expect_plan(args(32 * MIB_));
	t = info_tag(MB2_TAG_LOAD_BASE_ADDR, 0);
	CHECK(t != NULL);
	CHECK_EQ(get32(t, 4), 12);
	CHECK_EQ(get32(t, 8), 0x100000);
	reloc[0] = 0x200000;				/* linked below min_addr */
	make_elf();
	hdr_tag(MB2_HTAG_RELOCATABLE, 0, reloc, 4);
	hdr_end(HDR_OFF);
	expect_refusal(args(32 * MIB_), "outside the range its relocatable tag allows");
	reloc[0] = 0x100000;
	reloc[2] = 0x200000;				/* 2 MiB alignment */
	make_elf();
	hdr_tag(MB2_HTAG_RELOCATABLE, 0, reloc, 4);
	hdr_end(HDR_OFF);
	expect_refusal(args(32 * MIB_), "aligned to 0x200000");
}

UNIT_TEST(unknown_header_tags_are_refused_unless_optional)
{
	uint32_t body[1] = { 0 };

	make_elf();
	hdr_tag(42, 0, body, 1);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "required multiboot2 header tag of unknown type 42");
	make_elf();
	hdr_tag(42, MB2_HTAG_OPTIONAL, body, 1);
	hdr_end(HDR_OFF);
	expect_plan(args(16 * MIB_));
}

UNIT_TEST(refuses_broken_headers)
{
	uint32_t addr[4] = { 0x100000, 0x100000, 0, 0 };

	make_elf();
	hdr_end(HDR_OFF);
	image[HDR_OFF + 12] ^= 4;
	expect_refusal(args(16 * MIB_), "bad checksum");
	make_elf();
	expect_refusal(args(16 * MIB_), "bad checksum");	/* begun, never ended */
	memset(image + HDR_OFF, 0, 16);
	expect_refusal(args(16 * MIB_), "no multiboot2 header in its first 32 KiB");
	/* Architecture 4 is MIPS. */
	make_elf();
	put32(image, HDR_OFF + 4, 4);
	hdr_end(HDR_OFF);
	put32(image, HDR_OFF + 12, (uint32_t)-(MULTIBOOT2_HEADER_MAGIC + 4 + get32(image, HDR_OFF + 8)));
	expect_refusal(args(16 * MIB_), "architecture 4 (MIPS)");
	/* A header with no end tag: its length stops short of it. */
	make_elf();
	hdr_tag(MB2_HTAG_ADDRESS, 0, addr, 4);
	put32(image, HDR_OFF + 8, 16 + 24);
	put32(image, HDR_OFF + 12, (uint32_t)-(MULTIBOOT2_HEADER_MAGIC + 16 + 24));
	expect_refusal(args(16 * MIB_), "no end tag");
	/* A tag whose size runs past the header, or is too short for it. */
	make_elf();
	hdr_tag(MB2_HTAG_ENTRY, 0, addr, 1);
	hdr_end(HDR_OFF);
	put32(image, HDR_OFF + 16 + 4, 4096);
	expect_refusal(args(16 * MIB_), "past the header's end");
	make_elf();
	hdr_tag(MB2_HTAG_ENTRY, 0, NULL, 0);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "too short");
	/* Truncated inside the header. */
	make_elf();
	hdr_end(HDR_OFF);
	image_size = HDR_OFF + 20;
	expect_refusal(args(16 * MIB_), "truncated inside its multiboot2 header");
}

UNIT_TEST(refuses_a_header_past_32k)
{
	struct multiboot_args a;

	make_elf();
	memset(image + HDR_OFF, 0, 16);
	hdr_begin(32768);
	hdr_end(32768);
	image_size = 32768 + 64;
	a = args(16 * MIB_);
	expect_refusal(a, "offset 0x8000; the spec wants all of it in the first 32 KiB");
	/* Starting inside, ending outside. */
	make_elf();
	memset(image + HDR_OFF, 0, 16);
	hdr_begin(32768 - 16);
	hdr_tag(MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
	hdr_end(32768 - 16);
	image_size = 32768 + 64;
	expect_refusal(args(16 * MIB_), "ends past the first 32 KiB");
}

UNIT_TEST(segments_keep_out_of_the_hole_and_the_boot_area)
{
	make_elf();
	put32(image, 52 + 32 + 12, 0xa0000);		/* the data segment's p_paddr */
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "in the ISA hole");
	make_elf();
	put32(image, 52 + 32 + 12, 0x9000);
	hdr_end(HDR_OFF);
	expect_refusal(args(16 * MIB_), "over minivmm's boot area");
	make_elf();
	hdr_end(HDR_OFF);
	image_size = DATA_OFF + 0x7ff;
	expect_refusal(args(16 * MIB_), "truncated");
}

int main(void)
{
	return unit_run_all();
}
