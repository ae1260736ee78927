// SPDX-License-Identifier: MIT
/*
 * The Linux loader's planning (vmm/boot/linux.c) on crafted bzImages: what
 * goes where, what boot_params says, and one clear refusal per kind of bad
 * image (Documentation/arch/x86/boot.rst).
 */
#include <errno.h>
#include <stdlib.h>

#include "linux.h"
#include "memmap.h"
#include "unit.h"

#define MIB_ (1024u * 1024u)
#define SETUP_SECTS 4
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)
#define PAYLOAD 4096

static uint8_t image[SETUP_SIZE + PAYLOAD];
static uint8_t initrd[8192];

static void put16(uint8_t *p, size_t off, uint16_t v) { p[off] = (uint8_t)v; p[off + 1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, size_t off, uint32_t v) { put16(p, off, (uint16_t)v); put16(p, off + 2, (uint16_t)(v >> 16)); }
static uint16_t get16(const uint8_t *p, size_t off) { return (uint16_t)(p[off] | p[off + 1] << 8); }
static uint32_t get32(const uint8_t *p, size_t off) { return get16(p, off) | (uint32_t)get16(p, off + 2) << 16; }
static uint64_t get64(const uint8_t *p, size_t off) { return get32(p, off) | (uint64_t)get32(p, off + 4) << 32; }

/* A bzImage header like a modern x86_64 kernel's, with a 4 KiB payload. */
static void make_image(uint16_t protocol)
{
	memset(image, 0, sizeof(image));
	image[0x1f1] = SETUP_SECTS;
	put32(image, 0x1f4, PAYLOAD / 16);		/* syssize */
	put16(image, 0x1fe, 0xaa55);
	image[0x200] = 0xeb;				/* jmp */
	image[0x201] = 0x6a;				/* header ends at 0x26c */
	memcpy(image + 0x202, "HdrS", 4);
	put16(image, 0x206, protocol);
	image[0x211] = 0x01;				/* LOADED_HIGH */
	put32(image, 0x214, 0x100000);			/* code32_start */
	put32(image, 0x22c, 0x7fffffff);		/* initrd_addr_max */
	put32(image, 0x230, 0x200000);			/* kernel_alignment */
	image[0x234] = 1;				/* relocatable */
	put32(image, 0x238, 2047);			/* cmdline_size */
	put32(image, 0x258, 0x1000000);			/* pref_address: 16 MiB */
	put32(image, 0x260, 8 * MIB_);			/* init_size */
	for (size_t i = 0; i < PAYLOAD; i++)
		image[SETUP_SIZE + i] = (uint8_t)(i * 7);
}

static struct linux_boot_args args(uint64_t ram)
{
	return (struct linux_boot_args){
		.kernel = image, .kernel_size = sizeof(image),
		.initrd = initrd, .initrd_size = sizeof(initrd),
		.cmdline = "console=ttyS0", .ram_size = ram, .rsdp_addr = 0xf0000,
	};
}

static const struct boot_write *find_write(const struct boot_plan *p, const char *what)
{
	for (unsigned i = 0; i < p->nr_writes; i++) {
		if (strcmp(p->writes[i].what, what) == 0)
			return &p->writes[i];
	}
	return NULL;
}

/* Plan with `a`; expect a refusal whose message contains `words`. */
static void expect_refusal(struct linux_boot_args a, const char *words)
{
	static struct boot_plan plan;
	struct error err = { "" };

	CHECK_EQ(linux_plan(&plan, &a, &err), -EINVAL);
	if (strstr(err.msg, words) == NULL)
		printf("  message: %s\n", err.msg);
	CHECK(strstr(err.msg, words) != NULL);
	CHECK(strchr(err.msg, '\n') == NULL);	/* one line */
}

UNIT_TEST(plan_loads_kernel_at_1mib_and_enters_at_code32_start)
{
	static struct boot_plan plan;
	struct linux_boot_args a;
	struct error err;
	const struct boot_write *k;

	make_image(0x020f);
	a = args(128 * MIB_);
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	k = find_write(&plan, "kernel");
	CHECK(k != NULL);
	CHECK_EQ(k->gpa, 0x100000);
	CHECK(k->data == image + SETUP_SIZE);		/* the setup sectors stay behind */
	CHECK_EQ(k->len, PAYLOAD);
	CHECK_EQ(plan.cpu.mode, BOOT_CPU_FLAT32);
	CHECK_EQ(plan.cpu.eip, 0x100000);
	CHECK_EQ(plan.cpu.esi, LINUX_PARAMS_ADDR);	/* %esi: the zero page */
	CHECK_EQ(plan.cpu.ebx, 0);
	CHECK_EQ(plan.cpu.code_selector, 0x10);		/* __BOOT_CS */
	CHECK_EQ(plan.cpu.data_selector, 0x18);		/* __BOOT_DS */
	/* The GDT the selectors index: flat code and data. */
	CHECK_EQ(find_write(&plan, "boot GDT")->gpa, plan.cpu.gdt_base);
	CHECK_EQ(plan.gdt[2], 0x00cf9b000000ffffULL);
	CHECK_EQ(plan.gdt[3], 0x00cf93000000ffffULL);
	CHECK(plan.cpu.gdt_limit >= 0x1f);
}

UNIT_TEST(zero_page_carries_the_header_and_what_the_loader_filled)
{
	static struct boot_plan plan;
	struct linux_boot_args a;
	struct error err;
	const uint8_t *bp = plan.params;

	make_image(0x020f);
	a = args(128 * MIB_);
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	CHECK_EQ(find_write(&plan, "boot_params")->gpa, LINUX_PARAMS_ADDR);
	CHECK(memcmp(bp + 0x202, "HdrS", 4) == 0);	/* the image's setup header */
	CHECK_EQ(get16(bp, 0x206), 0x020f);
	CHECK_EQ(bp[0x210], 0xff);			/* type_of_loader: undefined */
	CHECK_EQ(bp[0x211] & 0x81, 0x81);		/* LOADED_HIGH | CAN_USE_HEAP */
	CHECK_EQ(get32(bp, 0x228), LINUX_CMDLINE_ADDR);
	CHECK(strcmp(plan.cmdline, "console=ttyS0") == 0);
	CHECK_EQ(find_write(&plan, "command line")->len, strlen("console=ttyS0") + 1);
	CHECK_EQ(get32(bp, 0x218), find_write(&plan, "initrd")->gpa);
	CHECK_EQ(get32(bp, 0x21c), sizeof(initrd));
	CHECK_EQ(get64(bp, 0x070), 0xf0000);		/* acpi_rsdp_addr, protocol 2.14+ */
	/* Past the header's end (0x26c): nothing copied from the image. */
	CHECK_EQ(bp[0x26c], 0);
}

UNIT_TEST(rsdp_address_only_for_protocol_2_14)
{
	static struct boot_plan plan;
	struct linux_boot_args a;
	struct error err;

	make_image(0x020d);
	a = args(128 * MIB_);
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	CHECK_EQ(get64(plan.params, 0x070), 0);
}

UNIT_TEST(e820_map_matches_guest_ram_without_the_isa_hole)
{
	static struct boot_plan plan;
	struct linux_boot_args a;
	struct error err;
	const uint8_t *e = plan.params + LINUX_BP_E820_TABLE;
	uint64_t ram = 0;

	make_image(0x020f);
	a = args(256 * MIB_);
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	CHECK_EQ(plan.params[LINUX_BP_E820_ENTRIES], 4);
	for (unsigned i = 0; i < 4; i++, e += 20) {
		uint64_t base = get64(e, 0), len = get64(e, 8);

		if (get32(e, 16) == MEMMAP_RAM) {
			ram += len;
			/* Usable RAM never touches 0x9fc00-0xfffff. */
			CHECK(base + len <= 0x9fc00 || base >= 0x100000);
		}
	}
	CHECK_EQ(ram, 256 * MIB_ - (0x100000 - 0x9fc00));
	CHECK_EQ(get64(plan.params + LINUX_BP_E820_TABLE + 60, 0) +
		 get64(plan.params + LINUX_BP_E820_TABLE + 60, 8), 256 * MIB_);
}

UNIT_TEST(initrd_goes_high_page_aligned_and_above_the_kernel)
{
	static struct boot_plan plan;
	struct linux_boot_args a;
	struct error err;
	const struct boot_write *w;

	make_image(0x020f);
	a = args(64 * MIB_);
	a.initrd_size = 5000;		/* not a page multiple */
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	w = find_write(&plan, "initrd");
	CHECK_EQ(w->gpa % 4096, 0);
	CHECK(w->gpa + w->len <= 64 * MIB_);
	CHECK(w->gpa + w->len > 64 * MIB_ - 4096);	/* as high as it goes */
	CHECK(w->gpa >= 0x1000000 + 8 * MIB_);		/* past pref_address + init_size */

	/* initrd_addr_max below the end of RAM caps it. */
	put32(image, 0x22c, 48 * MIB_ - 1);
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	w = find_write(&plan, "initrd");
	CHECK(w->gpa + w->len <= 48 * MIB_);
}

UNIT_TEST(no_initrd_means_no_write_and_zero_fields)
{
	static struct boot_plan plan;
	struct linux_boot_args a;
	struct error err;

	make_image(0x020f);
	a = args(64 * MIB_);
	a.initrd = NULL;
	a.initrd_size = 0;
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	CHECK(find_write(&plan, "initrd") == NULL);
	CHECK_EQ(get32(plan.params, 0x218), 0);
	CHECK_EQ(get32(plan.params, 0x21c), 0);
}

UNIT_TEST(whole_file_after_setup_is_loaded_like_qemu)
{
	static uint8_t bigger[SETUP_SIZE + PAYLOAD + 512];
	static struct boot_plan plan;
	struct linux_boot_args a;
	struct error err;

	make_image(0x020f);
	memcpy(bigger, image, sizeof(image));	/* e.g. a signature after syssize */
	a = args(64 * MIB_);
	a.kernel = bigger;
	a.kernel_size = sizeof(bigger);
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	CHECK_EQ(find_write(&plan, "kernel")->len, PAYLOAD + 512);
}

UNIT_TEST(setup_sects_zero_means_four)
{
	static struct boot_plan plan;
	struct linux_boot_args a;
	struct error err;

	make_image(0x020f);
	image[0x1f1] = 0;
	a = args(64 * MIB_);
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	CHECK(find_write(&plan, "kernel")->data == image + 5 * 512);
}

UNIT_TEST(refuses_truncated_images)
{
	struct linux_boot_args a;

	make_image(0x020f);
	a = args(64 * MIB_);
	a.kernel_size = SETUP_SIZE + PAYLOAD - 16;	/* a whole paragraph short of syssize */
	expect_refusal(a, "truncated");
	a.kernel_size = 600;				/* inside the header */
	expect_refusal(a, "too short");
	a.kernel_size = SETUP_SIZE - 1;			/* not even the setup sectors */
	expect_refusal(a, "truncated");
}

/* syssize rounds up to a paragraph; an image whose last paragraph is only
 * partly in the file (memtest86+ 6.10's) boots, as on QEMU and GRUB. */
UNIT_TEST(accepts_an_image_short_of_its_last_paragraph)
{
	static struct boot_plan plan;
	struct error err = { "" };
	struct linux_boot_args a;

	make_image(0x020f);
	a = args(64 * MIB_);
	a.kernel_size = SETUP_SIZE + PAYLOAD - 8;
	CHECK_EQ(linux_plan(&plan, &a, &err), 0);
	CHECK_EQ(find_write(&plan, "kernel")->len, (size_t)(PAYLOAD - 8));
}

UNIT_TEST(refuses_what_is_not_a_bzimage)
{
	struct linux_boot_args a;

	make_image(0x020f);
	a = args(64 * MIB_);
	image[0x1fe] = 0;
	expect_refusal(a, "0xAA55");
	make_image(0x020f);
	memcpy(image + 0x202, "HdrX", 4);
	expect_refusal(a, "HdrS");
	make_image(0x020f);
	image[0x211] = 0;				/* a zImage */
	expect_refusal(a, "zImage");
	make_image(0x020f);
	put32(image, 0x1f4, 0);
	expect_refusal(a, "empty");
}

UNIT_TEST(refuses_too_old_a_protocol)
{
	struct linux_boot_args a;

	make_image(0x0205);
	a = args(64 * MIB_);
	expect_refusal(a, "boot protocol 2.05");
	make_image(0x0206);
	a = args(64 * MIB_);
	struct boot_plan *plan = malloc(sizeof(*plan));
	struct error err;

	CHECK(plan != NULL);
	CHECK_EQ(linux_plan(plan, &a, &err), 0);	/* 2.06 is fine */
	free(plan);
}

UNIT_TEST(refuses_what_does_not_fit_with_the_sizes)
{
	struct linux_boot_args a;

	make_image(0x020f);
	/* The kernel runs from 16 MiB and needs 8 MiB there: 24 MiB. */
	a = args(20 * MIB_);
	a.initrd = NULL;
	a.initrd_size = 0;
	expect_refusal(a, "needs 24.0 MiB of RAM");
	/* An initrd larger than RAM. */
	a = args(32 * MIB_);
	a.initrd_size = 40 * MIB_;
	expect_refusal(a, "no room for the 40.0 MiB initrd");
	/* One that fits in RAM but not above the kernel's working area. */
	a.initrd_size = 9 * MIB_;
	expect_refusal(a, "no room for the 9.0 MiB initrd");
	a.initrd_size = 7 * MIB_;
	struct boot_plan *plan = malloc(sizeof(*plan));
	struct error err;

	CHECK(plan != NULL);
	CHECK_EQ(linux_plan(plan, &a, &err), 0);
	free(plan);
}

UNIT_TEST(refuses_a_command_line_longer_than_the_kernel_takes)
{
	static char line[3000];
	struct linux_boot_args a;

	make_image(0x020f);
	a = args(64 * MIB_);
	memset(line, 'x', 2048);
	line[2048] = '\0';
	a.cmdline = line;
	expect_refusal(a, "room for a 2047-byte command line");
	line[2047] = '\0';				/* exactly cmdline_size */
	struct boot_plan *plan = malloc(sizeof(*plan));
	struct error err;

	CHECK(plan != NULL);
	CHECK_EQ(linux_plan(plan, &a, &err), 0);
	free(plan);
}

int main(void)
{
	return unit_run_all();
}
