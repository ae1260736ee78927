// SPDX-License-Identifier: MIT
/* The boot loader's information, both multiboot versions (bootinfo.h). */
#include "bootinfo.h"

#include <stddef.h>

#include "console.h"
#include "multiboot.h"

static void add_mmap(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type)
{
	if (bi->nr_mmap < BOOT_MAX_MMAP)
		bi->mmap[bi->nr_mmap++] = (struct boot_mmap){ base, length, type };
}

static void add_module(struct boot_info *bi, uint32_t start, uint32_t end, const char *cmdline)
{
	if (bi->nr_modules < BOOT_MAX_MODULES)
		bi->modules[bi->nr_modules++] = (struct boot_module){ start, end, cmdline };
}

/* Multiboot 1: one structure, its flags say what is there. */
static void parse_mb1(const struct mb1_info *mbi, struct boot_info *bi)
{
	bi->version = 1;
	if (mbi->flags & MB1_INFO_MEMORY) {
		bi->has_mem = true;
		bi->mem_lower = mbi->mem_lower;
		bi->mem_upper = mbi->mem_upper;
	}
	if (mbi->flags & MB1_INFO_CMDLINE)
		bi->cmdline = (const char *)mbi->cmdline;
	if (mbi->flags & MB1_INFO_LOADER_NAME)
		bi->loader = (const char *)mbi->boot_loader_name;
	if (mbi->flags & MB1_INFO_MEM_MAP) {
		uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;

		/* The count bounds a loop over a broken size field. */
		for (unsigned n = 0; p < end && n < 4 * BOOT_MAX_MMAP; n++) {
			const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;

			add_mmap(bi, e->base_addr, e->length, e->type);
			p += e->size + sizeof(e->size);
		}
	}
	if (mbi->flags & MB1_INFO_MODS) {
		const struct mb1_module *m = (const struct mb1_module *)mbi->mods_addr;

		for (uint32_t i = 0; i < mbi->mods_count; i++)
			add_module(bi, m[i].mod_start, m[i].mod_end, (const char *)m[i].string);
	}
}

/* Multiboot 2: walk the tags, each padded to 8 bytes, to the end tag. */
static void parse_mb2(const struct mb2_info *info, struct boot_info *bi)
{
	uint32_t p = (uint32_t)info + sizeof(*info), end = (uint32_t)info + info->total_size;

	bi->version = 2;
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *tag = (const struct mb2_tag *)p;

		if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			bi->cmdline = ((const struct mb2_tag_string *)tag)->string;
			break;
		case MB2_TAG_LOADER_NAME:
			bi->loader = ((const struct mb2_tag_string *)tag)->string;
			break;
		case MB2_TAG_MODULE: {
			const struct mb2_tag_module *m = (const void *)tag;

			add_module(bi, m->mod_start, m->mod_end, m->cmdline);
			break;
		}
		case MB2_TAG_BASIC_MEMINFO: {
			const struct mb2_tag_basic_meminfo *m = (const void *)tag;

			bi->has_mem = true;
			bi->mem_lower = m->mem_lower;
			bi->mem_upper = m->mem_upper;
			break;
		}
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *m = (const void *)tag;
			uint32_t e = (uint32_t)m->entries, mend = p + tag->size;

			for (; m->entry_size && e + m->entry_size <= mend; e += m->entry_size) {
				const struct mb2_mmap_entry *me = (const void *)e;

				add_mmap(bi, me->base_addr, me->length, me->type);
			}
			break;
		}
		default:	/* tags we do not use: the spec says skip them */
			break;
		}
		p += (tag->size + MB2_TAG_ALIGN - 1) & ~(uint32_t)(MB2_TAG_ALIGN - 1);
	}
}

int bootinfo_parse(uint32_t magic, uint32_t addr, struct boot_info *bi)
{
	*bi = (struct boot_info){ 0 };
	if (magic == MB1_BOOTLOADER_MAGIC)
		parse_mb1((const struct mb1_info *)addr, bi);
	else if (magic == MB2_BOOTLOADER_MAGIC)
		parse_mb2((const struct mb2_info *)addr, bi);
	else
		return -1;
	return 0;
}

static const char *mmap_type_name(uint32_t type)
{
	switch (type) {
	case 1: return "available";
	case 3: return "ACPI reclaimable";
	case 4: return "ACPI NVS";
	case 5: return "bad";
	default: return "reserved";
	}
}

void bootinfo_print(const struct boot_info *bi)
{
	kprintf("boot loader: %s (multiboot %u)\n", bi->loader ? bi->loader : "(not named)",
		bi->version);
	kprintf("command line: %s\n", bi->cmdline ? bi->cmdline : "(none)");
	if (bi->has_mem)
		kprintf("memory: %u KiB low, %u KiB from 1 MiB\n", bi->mem_lower, bi->mem_upper);
	kprintf("memory map: %u entries\n", bi->nr_mmap);
	for (unsigned i = 0; i < bi->nr_mmap; i++) {
		const struct boot_mmap *m = &bi->mmap[i];

		kprintf("  %09llx-%09llx %s\n", m->base, m->base + m->length - 1,
			mmap_type_name(m->type));
	}
	kprintf("modules: %u\n", bi->nr_modules);
	for (unsigned i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		kprintf("  %08x-%08x %u bytes: %s\n", m->start, m->end, m->end - m->start,
			m->cmdline);
	}
}

bool bootinfo_option(const struct boot_info *bi, const char *name, uint32_t *value)
{
	const char *s = bi->cmdline;

	if (s == NULL)
		return false;
	while (*s) {
		const char *n = name, *w = s;

		while (*n && *w == *n)
			w++, n++;
		/* A match is the whole name at the start of a word, then '='. */
		if (!*n && *w == '=' && w[1] >= '0' && w[1] <= '9') {
			uint32_t v = 0;

			for (w++; *w >= '0' && *w <= '9'; w++)
				v = v * 10 + (uint32_t)(*w - '0');
			*value = v;
			return true;
		}
		while (*s && *s != ' ')		/* to the next word */
			s++;
		while (*s == ' ')
			s++;
	}
	return false;
}
