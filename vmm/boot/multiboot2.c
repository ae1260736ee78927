// SPDX-License-Identifier: MIT
/*
 * Planning a multiboot2 boot (multiboot2.h): the header's tags, the
 * kernel and modules (through multiboot.c), the boot information tags.
 * Pure: bytes in, a boot plan out.
 */
#include "multiboot2.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "bytes.h"
#include "memmap.h"
#include "util.h"

static size_t align8(size_t v)
{
	return (v + MULTIBOOT2_ALIGN - 1) & ~(size_t)(MULTIBOOT2_ALIGN - 1);
}

static bool header_ok(const uint8_t *img, size_t off)
{
	return get32(img, off) == MULTIBOOT2_HEADER_MAGIC &&
	       (uint32_t)(get32(img, off) + get32(img, off + 4) + get32(img, off + 8) +
			  get32(img, off + 12)) == 0;
}

int multiboot2_detect(const uint8_t *img, size_t size)
{
	for (size_t off = 0; off + 16 <= size && off + 16 <= MULTIBOOT2_SEARCH;
	     off += MULTIBOOT2_ALIGN) {
		if (header_ok(img, off))
			return (int)off;
	}
	return -1;
}

static int no_header(const uint8_t *img, size_t size, struct error *err)
{
	for (size_t off = 0; off + 16 <= size && off + 16 <= MULTIBOOT2_SEARCH;
	     off += MULTIBOOT2_ALIGN) {
		if (get32(img, off) == MULTIBOOT2_HEADER_MAGIC)
			return error_set(err, -EINVAL, "has the multiboot2 magic at offset 0x%zx but "
					 "a bad checksum (magic + architecture + header_length + "
					 "checksum is 0x%08x, not 0)", off,
					 (uint32_t)(get32(img, off) + get32(img, off + 4) +
						    get32(img, off + 8) + get32(img, off + 12)));
	}
	for (size_t off = MULTIBOOT2_SEARCH - 8; off + 16 <= size && off < 256 * KIB;
	     off += MULTIBOOT2_ALIGN) {
		if (header_ok(img, off))
			return error_set(err, -EINVAL, "has its multiboot2 header at offset 0x%zx; "
					 "the spec wants all of it in the first 32 KiB", off);
	}
	return error_set(err, -EINVAL, "has no multiboot2 header in its first 32 KiB");
}

/* What the boot information can carry. */
static bool info_provided(uint32_t type, bool relocatable)
{
	switch (type) {
	case MB2_TAG_END:
	case MB2_TAG_CMDLINE:
	case MB2_TAG_LOADER_NAME:
	case MB2_TAG_MODULE:
	case MB2_TAG_BASIC_MEMINFO:
	case MB2_TAG_MMAP:
		return true;
	case MB2_TAG_LOAD_BASE_ADDR:
		return relocatable;	/* "provided only if image has relocatable header tag" */
	default:
		return false;
	}
}

static const char *info_name(uint32_t type)
{
	static const char *const names[] = {
		[5] = "BIOS boot device", [7] = "VBE", [8] = "framebuffer",
		[9] = "ELF sections", [10] = "APM table", [11] = "EFI 32-bit system table",
		[12] = "EFI 64-bit system table", [13] = "SMBIOS tables",
		[14] = "ACPI 1.0 RSDP", [15] = "ACPI 2.0 RSDP", [16] = "network",
		[17] = "EFI memory map", [18] = "EFI boot services not terminated",
		[19] = "EFI 32-bit image handle", [20] = "EFI 64-bit image handle",
		[21] = "image load base address",
	};

	return type < ARRAY_SIZE(names) && names[type] != NULL ? names[type] : "unknown";
}

/* What the header's tags asked for. */
struct mb2_header {
	size_t off, len;		/* the header in the file */
	bool has_addr, has_entry, relocatable;
	struct multiboot_addrs addrs;
	uint32_t entry;
	uint32_t reloc_min, reloc_max, reloc_align;
};

/* The minimum size of each header tag type we read. */
static uint32_t htag_min_size(uint16_t type)
{
	switch (type) {
	case MB2_HTAG_ADDRESS:
	case MB2_HTAG_RELOCATABLE:
		return 24;
	case MB2_HTAG_ENTRY:
	case MB2_HTAG_CONSOLE:
	case MB2_HTAG_ENTRY_EFI32:
	case MB2_HTAG_ENTRY_EFI64:
		return 12;
	case MB2_HTAG_FRAMEBUFFER:
		return 20;
	default:
		return 8;
	}
}

/* Walk the tags: check each, note what matters, refuse what we cannot
 * do.  `requests`: the second pass, checking information requests once
 * every tag (the relocatable one among them) has been seen. */
static int mb2_walk_tags(const uint8_t *img, struct mb2_header *h, bool requests,
			 struct error *err)
{
	size_t t = h->off + 16, end = h->off + h->len;

	for (;;) {
		uint16_t type, flags;
		uint32_t size;
		bool optional;

		if (t + 8 > end)
			return error_set(err, -EINVAL, "has no end tag in its multiboot2 header");
		type = get16(img, t);
		flags = get16(img, t + 2);
		size = get32(img, t + 4);
		optional = flags & MB2_HTAG_OPTIONAL;
		if (size < htag_min_size(type) || size > end - t)
			return error_set(err, -EINVAL, "has a multiboot2 header tag (type %u, at file "
					 "offset 0x%zx) of %u bytes, %s", type, t, size,
					 size > end - t ? "past the header's end" : "too short");
		if (requests) {
			if (type == MB2_HTAG_END)
				return 0;
			if (type != MB2_HTAG_INFO_REQUEST || optional)
				goto next;
			for (size_t i = t + 8; i + 4 <= t + size; i += 4) {
				uint32_t want = get32(img, i);

				if (!info_provided(want, h->relocatable))
					return error_set(err, -EINVAL, "requires boot information tag "
							 "%u (%s), which minivmm does not provide",
							 want, info_name(want));
			}
			goto next;
		}
		switch (type) {
		case MB2_HTAG_END:
			return 0;
		case MB2_HTAG_INFO_REQUEST:		/* the second pass */
		case MB2_HTAG_MODULE_ALIGN:		/* modules are always page-aligned */
		case MB2_HTAG_EFI_BS:			/* "supports": no EFI here */
		case MB2_HTAG_ENTRY_EFI32:		/* "only on EFI i386 platforms" */
		case MB2_HTAG_ENTRY_EFI64:
			break;
		case MB2_HTAG_ADDRESS:
			h->has_addr = true;
			h->addrs = (struct multiboot_addrs){
				.header_addr = get32(img, t + 8), .load_addr = get32(img, t + 12),
				.load_end_addr = get32(img, t + 16), .bss_end_addr = get32(img, t + 20),
			};
			break;
		case MB2_HTAG_ENTRY:
			h->has_entry = true;
			h->entry = get32(img, t + 8);
			break;
		case MB2_HTAG_CONSOLE:
			if ((get32(img, t + 8) & MB2_CONSOLE_REQUIRED) && !optional)
				return error_set(err, -EINVAL, "requires a console described in the boot "
						 "information (EGA text or a framebuffer); minivmm's "
						 "console is the serial port COM1");
			break;
		case MB2_HTAG_FRAMEBUFFER:
			if (!optional)
				return error_set(err, -EINVAL, "asks for a framebuffer (%ux%ux%u); "
						 "minivmm has no framebuffer, only VGA text (mark the "
						 "tag optional to boot without one)", get32(img, t + 8),
						 get32(img, t + 12), get32(img, t + 16));
			break;
		case MB2_HTAG_RELOCATABLE:
			h->relocatable = true;
			h->reloc_min = get32(img, t + 8);
			h->reloc_max = get32(img, t + 12);
			h->reloc_align = get32(img, t + 16);
			break;
		default:
			if (!optional)
				return error_set(err, -EINVAL, "has a required multiboot2 header tag of "
						 "unknown type %u", type);
			break;
		}
next:
		t += align8(size);
	}
}

static int mb2_parse_header(const uint8_t *img, size_t size, struct mb2_header *h,
			    struct error *err)
{
	int off = multiboot2_detect(img, size);
	uint32_t arch;
	int ret;

	memset(h, 0, sizeof(*h));
	if (off < 0)
		return no_header(img, size, err);
	h->off = (size_t)off;
	arch = get32(img, h->off + 4);
	h->len = get32(img, h->off + 8);
	if (arch != MULTIBOOT2_ARCH_I386)
		return error_set(err, -EINVAL, "is a multiboot2 kernel for architecture %u%s; "
				 "minivmm boots i386 (0)", arch, arch == 4 ? " (MIPS)" : "");
	if (h->len < 16 + 8)
		return error_set(err, -EINVAL, "has a %zu-byte multiboot2 header, too short for "
				 "its end tag", h->len);
	if (h->len > MULTIBOOT2_SEARCH - h->off)
		return error_set(err, -EINVAL, "has a multiboot2 header (offset 0x%zx, %zu bytes) "
				 "that ends past the first 32 KiB", h->off, h->len);
	if (h->len > size - h->off)
		return error_set(err, -EINVAL, "is truncated inside its multiboot2 header (offset "
				 "0x%zx, %zu bytes)", h->off, h->len);
	ret = mb2_walk_tags(img, h, false, err);
	if (ret == 0)
		ret = mb2_walk_tags(img, h, true, err);
	return ret;
}

/* Start a tag at *off: its type and size; returns where its body goes. */
static size_t tag_start(uint8_t *info, size_t *off, uint32_t type, size_t size)
{
	size_t at = *off;

	put32(info, at, type);
	put32(info, at + 4, (uint32_t)size);
	*off = at + align8(size);
	return at + 8;
}

static size_t string_tag_size(const char *s)
{
	return 8 + strlen(s) + 1;
}

static int mb2_fill_info(struct boot_plan *plan, const struct multiboot_args *args,
			 const uint32_t *starts, bool relocatable, uint64_t load_base,
			 size_t *len, struct error *err)
{
	uint8_t *info = plan->info;
	struct memmap_entry map[MEMMAP_MAX_ENTRIES];
	size_t n = memmap_build(args->ram_size, map);
	size_t need = 8, off = 8, body;

	need += align8(string_tag_size(args->cmdline));
	need += align8(string_tag_size(MULTIBOOT_LOADER_NAME));
	for (size_t i = 0; i < args->nr_modules; i++)
		need += align8(8 + string_tag_size(args->modules[i].cmdline));
	need += 16 + 16 + n * MB2_MMAP_ENTRY_SIZE + (relocatable ? 16 : 0) + 8;
	if (need > sizeof(plan->info))
		return error_set(err, -EINVAL, "gets %zu bytes of boot information with its command "
				 "lines (kernel and modules); minivmm passes at most %zu", need,
				 sizeof(plan->info));

	memset(info, 0, sizeof(plan->info));
	body = tag_start(info, &off, MB2_TAG_CMDLINE, string_tag_size(args->cmdline));
	memcpy(info + body, args->cmdline, strlen(args->cmdline) + 1);
	body = tag_start(info, &off, MB2_TAG_LOADER_NAME, string_tag_size(MULTIBOOT_LOADER_NAME));
	memcpy(info + body, MULTIBOOT_LOADER_NAME, sizeof(MULTIBOOT_LOADER_NAME));
	for (size_t i = 0; i < args->nr_modules; i++) {
		const struct multiboot_module *m = &args->modules[i];

		body = tag_start(info, &off, MB2_TAG_MODULE, 8 + string_tag_size(m->cmdline));
		put32(info, body, starts[i]);
		put32(info, body + 4, (uint32_t)(starts[i] + m->size));
		memcpy(info + body + 8, m->cmdline, strlen(m->cmdline) + 1);
	}
	body = tag_start(info, &off, MB2_TAG_BASIC_MEMINFO, 16);
	put32(info, body, multiboot_mem_lower(args->ram_size));
	put32(info, body + 4, multiboot_mem_upper(args->ram_size));
	body = tag_start(info, &off, MB2_TAG_MMAP, 16 + n * MB2_MMAP_ENTRY_SIZE);
	put32(info, body, MB2_MMAP_ENTRY_SIZE);
	put32(info, body + 4, MB2_MMAP_ENTRY_VERSION);
	for (size_t i = 0; i < n; i++) {
		size_t e = body + 8 + i * MB2_MMAP_ENTRY_SIZE;

		put64(info, e, map[i].base);
		put64(info, e + 8, map[i].len);
		put32(info, e + 16, map[i].type);
	}
	if (relocatable) {
		body = tag_start(info, &off, MB2_TAG_LOAD_BASE_ADDR, 12);
		put32(info, body, (uint32_t)load_base);
	}
	tag_start(info, &off, MB2_TAG_END, 8);
	put32(info, 0, (uint32_t)off);		/* total_size; reserved stays 0 */
	*len = off;
	return 0;
}

int multiboot2_plan(struct boot_plan *plan, const struct multiboot_args *args, struct error *err)
{
	const uint8_t *img = args->image;
	size_t size = args->image_size, info_len = 0;
	struct mb2_header h;
	struct multiboot_image image = { 0 };
	uint32_t entry, starts[MULTIBOOT_MAX_MODULES];
	int ret;

	memset(plan, 0, sizeof(*plan));
	ret = mb2_parse_header(img, size, &h, err);
	if (ret < 0)
		return ret;

	if (h.has_addr) {
		struct multiboot_addrs a = h.addrs;

		/* load_addr -1: the file loads from its first byte, so that
		 * byte goes header_offset bytes below header_addr. */
		if (a.load_addr == MB2_LOAD_FROM_FILE_START) {
			if (a.header_addr < h.off)
				return error_set(err, -EINVAL, "has header_addr 0x%x below its header's "
						 "file offset 0x%zx (load_addr -1)", a.header_addr,
						 h.off);
			a.load_addr = a.header_addr - (uint32_t)h.off;
		}
		if (!h.has_entry)
			return error_set(err, -EINVAL, "has a multiboot2 address tag but no entry "
					 "address tag: nothing says where to enter");
		ret = multiboot_load_addrs(plan, img, size, h.off, &a, args->ram_size, &image, err);
		entry = h.entry;
	} else if (multiboot_is_elf(img, size)) {
		ret = multiboot_load_elf(plan, img, size, true, args->ram_size, &image, err);
		entry = h.has_entry ? h.entry : image.entry;
	} else {
		return error_set(err, -EINVAL, "is not an ELF file and its multiboot2 header has no "
				 "address tag: nothing says where to load it");
	}
	if (ret < 0)
		return ret;

	/* Relocatable: we load where it is linked, which must be a place the
	 * tag allows. */
	if (h.relocatable &&
	    (image.low < h.reloc_min || image.high > h.reloc_max ||
	     (h.reloc_align > 1 && image.low % h.reloc_align != 0)))
		return error_set(err, -EINVAL, "is linked at 0x%llx-0x%llx, outside the range its "
				 "relocatable tag allows (0x%x-0x%x, aligned to 0x%x); minivmm loads "
				 "kernels where they are linked", (unsigned long long)image.low,
				 (unsigned long long)image.high, h.reloc_min, h.reloc_max,
				 h.reloc_align);

	ret = multiboot_check_entry(plan, entry, err);
	if (ret == 0)
		ret = multiboot_place_modules(plan, args, image.high, starts, err);
	if (ret == 0)
		ret = mb2_fill_info(plan, args, starts, h.relocatable, image.low, &info_len, err);
	if (ret < 0)
		return ret;
	if (boot_plan_add(plan, MULTIBOOT_INFO_ADDR, plan->info, info_len, "multiboot2 info") < 0)
		return error_set(err, -ENOSPC, "boot plan overflow (raise BOOT_MAX_WRITES)");
	return multiboot_enter(plan, MULTIBOOT2_BOOTLOADER_MAGIC, entry, err);
}
