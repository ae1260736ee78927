// SPDX-License-Identifier: MIT
/*
 * Planning a Linux boot: parse a bzImage's setup header, fill the zero
 * page, place the command line, the kernel and the initrd (linux.h).
 * Pure: bytes in, a boot plan out; nothing here touches the VM.
 */
#include "linux.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "memmap.h"
#include "util.h"

/* Setup header fields, by offset in the image (and in boot_params). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200		/* a short jmp; its offset byte says where the header ends */
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260

#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80
#define TYPE_OF_LOADER_UNDEFINED 0xff	/* boot.rst: "0xFF: undefined" */
#define DEFAULT_INITRD_ADDR_MAX 0x37ffffff	/* boot.rst, for protocols before 2.03 */

/* The 32-bit protocol's segments: __BOOT_CS and __BOOT_DS. */
#define BOOT_CS 0x10
#define BOOT_DS 0x18

static uint64_t align_up(uint64_t v, uint64_t align)
{
	return align ? (v + align - 1) / align * align : v;
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (double)MIB;
}

int linux_parse_header(const uint8_t *k, size_t size, struct linux_header *hdr,
		       struct error *err)
{
	unsigned setup_sects;
	uint64_t run_base;

	memset(hdr, 0, sizeof(*hdr));
	/* The header reaches at least to init_size, read below. */
	if (size < HDR_INIT_SIZE + 4)
		return error_set(err, -EINVAL, "is %zu bytes, too short for a Linux kernel "
				 "(truncated?)", size);
	if (get16(k, HDR_BOOT_FLAG) != 0xaa55)
		return error_set(err, -EINVAL, "is not a Linux kernel: no 0xAA55 boot flag at "
				 "offset 0x1fe (give a bzImage, not a vmlinux ELF)");
	if (memcmp(k + HDR_MAGIC, "HdrS", 4) != 0)
		return error_set(err, -EINVAL, "is not a Linux bzImage: no \"HdrS\" setup header "
				 "at offset 0x202 (a boot sector, or a kernel older than 1.3.73)");
	hdr->protocol = get16(k, HDR_VERSION);
	if (hdr->protocol < LINUX_MIN_PROTOCOL)
		return error_set(err, -EINVAL, "uses boot protocol %u.%02u; minivmm enters at the "
				 "32-bit entry point and needs %u.%02u or later (Linux 2.6.22+)",
				 hdr->protocol >> 8, hdr->protocol & 0xff,
				 LINUX_MIN_PROTOCOL >> 8, LINUX_MIN_PROTOCOL & 0xff);
	hdr->loadflags = k[HDR_LOADFLAGS];
	if (!(hdr->loadflags & LOADED_HIGH))
		return error_set(err, -EINVAL, "is a zImage (loaded at 64 KiB); only bzImages "
				 "(LOADED_HIGH) are supported");

	setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;	/* 0 means 4 */
	hdr->setup_size = (size_t)(setup_sects + 1) * 512;
	hdr->payload_size = (size_t)get32(k, HDR_SYSSIZE) * 16;	/* 16-byte paragraphs */
	if (hdr->payload_size == 0)
		return error_set(err, -EINVAL, "has an empty protected-mode part (syssize 0)");
	/* syssize is the payload rounded up to a paragraph, and not every
	 * image is padded to it: memtest86+ 6.10's ends 8 bytes short, and
	 * QEMU and GRUB boot it (they load the file and never read syssize).
	 * Only a file that lacks a whole paragraph is truncated. */
	if (size < hdr->setup_size || size - hdr->setup_size + 15 < hdr->payload_size)
		return error_set(err, -EINVAL, "is truncated: %zu bytes, but its header says %zu "
				 "bytes of setup and %zu of kernel", size, hdr->setup_size,
				 hdr->payload_size);
	/* All of it, as QEMU loads it: a signed kernel carries its signature
	 * after syssize, and it does no harm in RAM. */
	hdr->payload_size = size - hdr->setup_size;

	hdr->code32_start = get32(k, HDR_CODE32_START);
	hdr->initrd_addr_max = get32(k, HDR_INITRD_ADDR_MAX);
	hdr->cmdline_size = get32(k, HDR_CMDLINE_SIZE);

	/*
	 * How much RAM the kernel needs: its decompressor runs at the load
	 * address rounded up to kernel_alignment, but never below
	 * pref_address (LOAD_PHYSICAL_ADDR), and uses init_size bytes from
	 * there (boot.rst, "init_size"; arch/x86/boot/compressed/head_64.S).
	 */
	run_base = LINUX_KERNEL_ADDR;
	if (k[HDR_RELOCATABLE])
		run_base = align_up(run_base, get32(k, HDR_KERNEL_ALIGNMENT));
	if (get64(k, HDR_PREF_ADDRESS) > run_base)
		run_base = get64(k, HDR_PREF_ADDRESS);
	hdr->memory_end = LINUX_KERNEL_ADDR + hdr->payload_size;
	if (hdr->protocol >= 0x020a && run_base + get32(k, HDR_INIT_SIZE) > hdr->memory_end)
		hdr->memory_end = run_base + get32(k, HDR_INIT_SIZE);
	return 0;
}

/* The zero page: the image's setup header, then what the loader fills in. */
static void linux_fill_params(struct boot_plan *plan, const struct linux_boot_args *args,
			      const struct linux_header *hdr, uint32_t initrd_addr)
{
	uint8_t *bp = plan->params;
	struct memmap_entry map[MEMMAP_MAX_ENTRIES];
	size_t hdr_end = HDR_JUMP + 2 + args->kernel[HDR_JUMP + 1];
	size_t n;

	memset(bp, 0, sizeof(plan->params));
	/* "the end of setup header can be calculated as 0x0202 + byte value at
	 * offset 0x0201" (boot.rst); never past boot_params' header area. */
	if (hdr_end > LINUX_BP_HDR_END)
		hdr_end = LINUX_BP_HDR_END;
	memcpy(bp + LINUX_BP_HDR, args->kernel + LINUX_BP_HDR, hdr_end - LINUX_BP_HDR);

	bp[HDR_TYPE_OF_LOADER] = TYPE_OF_LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] = (uint8_t)(hdr->loadflags | CAN_USE_HEAP);
	put16(bp, HDR_HEAP_END_PTR, 0xfe00);	/* only the real-mode setup uses it */
	put32(bp, HDR_CMD_LINE_PTR, LINUX_CMDLINE_ADDR);
	put32(bp, HDR_RAMDISK_IMAGE, initrd_addr);
	put32(bp, HDR_RAMDISK_SIZE, (uint32_t)args->initrd_size);
	/* 2.14 added acpi_rsdp_addr; older kernels scan 0xe0000-0xfffff for it. */
	if (args->rsdp_addr != 0 && hdr->protocol >= 0x020e)
		put64(bp, LINUX_BP_ACPI_RSDP, args->rsdp_addr);

	n = memmap_build(args->ram_size, map);
	bp[LINUX_BP_E820_ENTRIES] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		size_t off = LINUX_BP_E820_TABLE + i * 20;

		put64(bp, off, map[i].base);
		put64(bp, off + 8, map[i].len);
		put32(bp, off + 16, map[i].type);
	}
}

int linux_plan(struct boot_plan *plan, const struct linux_boot_args *args, struct error *err)
{
	struct linux_header hdr;
	size_t cmdline_len = strlen(args->cmdline);
	uint64_t cmdline_max, initrd_top, initrd_addr = 0;
	int ret;

	memset(plan, 0, sizeof(*plan));
	ret = linux_parse_header(args->kernel, args->kernel_size, &hdr, err);
	if (ret < 0)
		return ret;

	cmdline_max = hdr.cmdline_size;
	if (cmdline_max > sizeof(plan->cmdline) - 1)
		cmdline_max = sizeof(plan->cmdline) - 1;
	if (cmdline_len > cmdline_max)
		return error_set(err, -EINVAL, "has room for a %llu-byte command line; --append "
				 "gives %zu bytes", (unsigned long long)cmdline_max, cmdline_len);
	if (hdr.memory_end > args->ram_size)
		return error_set(err, -EINVAL, "needs %.1f MiB of RAM to unpack and run (%.1f MiB "
				 "image); --memory is %.1f MiB", mib(hdr.memory_end),
				 mib(hdr.payload_size), mib(args->ram_size));

	if (args->initrd_size > 0) {
		/* As high as the kernel allows, page-aligned, above the kernel's
		 * working area so the decompressor never overwrites it. */
		initrd_top = (uint64_t)hdr.initrd_addr_max + 1;
		if (hdr.protocol < 0x0203)
			initrd_top = (uint64_t)DEFAULT_INITRD_ADDR_MAX + 1;
		if (initrd_top > args->ram_size)
			initrd_top = args->ram_size;
		if (args->initrd_size > initrd_top ||
		    ((initrd_top - args->initrd_size) & ~UINT64_C(0xfff)) < hdr.memory_end)
			return error_set(err, -EINVAL, "leaves no room for the %.1f MiB initrd: it "
					 "needs RAM up to %.1f MiB and the initrd must end below "
					 "%.1f MiB (--memory %.1f MiB)", mib(args->initrd_size),
					 mib(hdr.memory_end), mib(initrd_top), mib(args->ram_size));
		initrd_addr = (initrd_top - args->initrd_size) & ~UINT64_C(0xfff);
	}

	memcpy(plan->cmdline, args->cmdline, cmdline_len + 1);
	linux_fill_params(plan, args, &hdr, (uint32_t)initrd_addr);

	/* The boot GDT: __BOOT_CS and __BOOT_DS, 4 GiB flat (boot.rst). */
	plan->gdt[BOOT_CS / 8] = 0x00cf9b000000ffffULL;	/* code: execute/read, 32-bit, 4K gran. */
	plan->gdt[BOOT_DS / 8] = 0x00cf93000000ffffULL;	/* data: read/write */

	ret = boot_plan_add(plan, LINUX_GDT_ADDR, plan->gdt, sizeof(plan->gdt), "boot GDT");
	if (ret == 0)
		ret = boot_plan_add(plan, LINUX_PARAMS_ADDR, plan->params, sizeof(plan->params),
				    "boot_params");
	if (ret == 0)
		ret = boot_plan_add(plan, LINUX_CMDLINE_ADDR, plan->cmdline, cmdline_len + 1,
				    "command line");
	if (ret == 0)
		ret = boot_plan_add(plan, LINUX_KERNEL_ADDR, args->kernel + hdr.setup_size,
				    hdr.payload_size, "kernel");
	if (ret == 0 && args->initrd_size > 0)
		ret = boot_plan_add(plan, initrd_addr, args->initrd, args->initrd_size, "initrd");
	if (ret < 0)
		return error_set(err, ret, "boot plan overflow (raise BOOT_MAX_WRITES)");

	/* "%esi must hold the base address of the struct boot_params; %ebp,
	 * %edi and %ebx must be zero"; interrupts disabled. */
	plan->cpu = (struct boot_cpu){
		.mode = BOOT_CPU_FLAT32,
		.eip = hdr.code32_start,
		.esi = LINUX_PARAMS_ADDR,
		.code_selector = BOOT_CS,
		.data_selector = BOOT_DS,
		.gdt_base = LINUX_GDT_ADDR,
		.gdt_limit = sizeof(plan->gdt) - 1,
	};
	return 0;
}
