// SPDX-License-Identifier: MIT
/*
 * mbinfo.c - test kernel: print what the multiboot loader passed, in a
 * canonical form a test can compare with what it gave the loader, then
 * exit through debug-exit 0xf4 with value 0 (status 1).
 *
 * Built twice, linked with the C kernel's boot.asm (kernels/ckernel/):
 * mbinfo.elf with a multiboot 1 header, mbinfo-mb2.elf with a multiboot2
 * one.  It reads the loader's structures itself rather than through the
 * kernel's bootinfo.c, and prints raw values (flags, tag types, entry
 * sizes), so a loader bug cannot hide behind a shared parser.
 *
 * Output on COM1, one item a line ("..." strings escape \, " and bytes
 * outside 0x20-0x7e as \xNN):
 *   mbinfo: multiboot 1 | multiboot 2 | unknown magic XXXXXXXX
 *   magic XXXXXXXX
 *   segments cs XXXX ds XXXX ss XXXX     (the selectors the loader left: boot.asm keeps them)
 *   pic_imr XX XX                        (the masks the firmware left, master and slave)
 *   flags XXXXXXXX                       (multiboot 1)
 *   boot_device XXXXXXXX                 (multiboot 1, if flagged)
 *   tags T T T ...                       (multiboot 2: every tag type, in order)
 *   cmdline "..."
 *   loader "..."
 *   mem_lower N                          (KiB, decimal)
 *   mem_upper N
 *   mmap_entry_size N                    (1: the first entry's size field; 2: entry_size)
 *   mmap BASE LENGTH TYPE                (hex, 16 digits; type decimal), each entry
 *   mods N
 *   mod I start XXXXXXXX end XXXXXXXX size N crc32 XXXXXXXX cmdline "..."
 *   mbinfo: end
 * A field the loader did not give is left out.  crc32 is zlib's (IEEE
 * 802.3, reflected, as Python's zlib.crc32).
 */

#include <stdarg.h>
#include <stdint.h>

#include "format.h"
#include "io.h"
#include "multiboot.h"
#include "serial.h"

#define DEBUG_EXIT_PORT 0xf4
#define MAX_STRING 4096		/* a string without its NUL ends here */

static void put_serial(char c, void *ctx)
{
	(void)ctx;
	serial_putc(c);
}

static __attribute__((format(printf, 1, 2))) void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format(put_serial, 0, fmt, ap);
	va_end(ap);
}

static void out_string(const char *key, const char *s)
{
	out("%s \"", key);
	for (unsigned i = 0; i < MAX_STRING && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			out("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			out("\\x%02x", c);
		else
			serial_putc((char)c);
	}
	out("\"");
}

static uint32_t crc32(const uint8_t *p, uint32_t len)
{
	uint32_t crc = 0xffffffff;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

static void out_mmap(uint64_t base, uint64_t length, uint32_t type)
{
	out("mmap %016llx %016llx %u\n", base, length, type);
}

static void out_module(unsigned i, uint32_t start, uint32_t end, const char *cmdline)
{
	out("mod %u start %08x end %08x size %u crc32 %08x ", i, start, end, end - start,
	    end >= start ? crc32((const uint8_t *)start, end - start) : 0);
	out_string("cmdline", cmdline);
	out("\n");
}

static void dump_mb1(const struct mb1_info *mbi)
{
	out("flags %08x\n", mbi->flags);
	if (mbi->flags & MB1_INFO_BOOTDEV)
		out("boot_device %08x\n", mbi->boot_device);
	if (mbi->flags & MB1_INFO_CMDLINE) {
		out_string("cmdline", (const char *)mbi->cmdline);
		out("\n");
	}
	if (mbi->flags & MB1_INFO_LOADER_NAME) {
		out_string("loader", (const char *)mbi->boot_loader_name);
		out("\n");
	}
	if (mbi->flags & MB1_INFO_MEMORY)
		out("mem_lower %u\nmem_upper %u\n", mbi->mem_lower, mbi->mem_upper);
	if (mbi->flags & MB1_INFO_MEM_MAP) {
		uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;

		out("mmap_entry_size %u\n", ((const struct mb1_mmap_entry *)p)->size);
		for (unsigned n = 0; p < end && n < 128; n++) {
			const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;

			out_mmap(e->base_addr, e->length, e->type);
			p += e->size + sizeof(e->size);
		}
	}
	if (mbi->flags & MB1_INFO_MODS) {
		const struct mb1_module *m = (const struct mb1_module *)mbi->mods_addr;

		out("mods %u\n", mbi->mods_count);
		for (uint32_t i = 0; i < mbi->mods_count && i < 64; i++)
			out_module(i, m[i].mod_start, m[i].mod_end, (const char *)m[i].string);
	}
}

static uint32_t next_tag(uint32_t p, const struct mb2_tag *tag)
{
	return p + ((tag->size + MB2_TAG_ALIGN - 1) & ~(uint32_t)(MB2_TAG_ALIGN - 1));
}

static void dump_mb2(const struct mb2_info *info)
{
	uint32_t first = (uint32_t)info + sizeof(*info), end = (uint32_t)info + info->total_size;
	unsigned mods = 0, i = 0;

	/* Pass 1: the tag types, so a missing or extra tag shows. */
	out("tags");
	for (uint32_t p = first; p + sizeof(struct mb2_tag) <= end;) {
		const struct mb2_tag *tag = (const struct mb2_tag *)p;

		out(" %u", tag->type);
		if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
			break;
		mods += tag->type == MB2_TAG_MODULE;
		p = next_tag(p, tag);
	}
	out("\n");
	/* Pass 2: their contents, in the order of the multiboot 1 dump. */
	for (unsigned pass = 0; pass < 4; pass++) {
		for (uint32_t p = first; p + sizeof(struct mb2_tag) <= end;) {
			const struct mb2_tag *tag = (const struct mb2_tag *)p;

			if (tag->type == MB2_TAG_END || tag->size < sizeof(*tag))
				break;
			if (pass == 0 && tag->type == MB2_TAG_CMDLINE) {
				out_string("cmdline", ((const struct mb2_tag_string *)tag)->string);
				out("\n");
			} else if (pass == 0 && tag->type == MB2_TAG_LOADER_NAME) {
				out_string("loader", ((const struct mb2_tag_string *)tag)->string);
				out("\n");
			} else if (pass == 1 && tag->type == MB2_TAG_BASIC_MEMINFO) {
				const struct mb2_tag_basic_meminfo *m = (const void *)tag;

				out("mem_lower %u\nmem_upper %u\n", m->mem_lower, m->mem_upper);
			} else if (pass == 2 && tag->type == MB2_TAG_MMAP) {
				const struct mb2_tag_mmap *m = (const void *)tag;
				uint32_t mend = p + tag->size;

				out("mmap_entry_size %u\n", m->entry_size);
				for (uint32_t e = (uint32_t)m->entries;
				     m->entry_size && e + m->entry_size <= mend; e += m->entry_size) {
					const struct mb2_mmap_entry *me = (const void *)e;

					out_mmap(me->base_addr, me->length, me->type);
				}
			} else if (pass == 3 && tag->type == MB2_TAG_MODULE) {
				const struct mb2_tag_module *m = (const void *)tag;

				if (i == 0)
					out("mods %u\n", mods);
				out_module(i++, m->mod_start, m->mod_end, m->cmdline);
			}
			p = next_tag(p, tag);
		}
	}
	if (mods == 0)
		out("mods 0\n");
}

void kmain(uint32_t magic, uint32_t info);

/* The loader's selectors: QEMU and GRUB use code 0x08 and data 0x10, and
 * tutorial kernels point their IDT gates at 0x08 without a GDT of their own. */
static void dump_segments(void)
{
	uint16_t cs, ds, ss;

	__asm__ volatile("mov %%cs, %0; mov %%ds, %1; mov %%ss, %2" : "=r"(cs), "=r"(ds), "=r"(ss));
	out("segments cs %04x ds %04x ss %04x\n", cs, ds, ss);
	out("pic_imr %02x %02x\n", inb(0x21), inb(0xa1));
}

void kmain(uint32_t magic, uint32_t info)
{
	serial_init();
	dump_segments();
	if (magic == MB1_BOOTLOADER_MAGIC) {
		out("mbinfo: multiboot 1\nmagic %08x\n", magic);
		dump_mb1((const struct mb1_info *)info);
	} else if (magic == MB2_BOOTLOADER_MAGIC) {
		out("mbinfo: multiboot 2\nmagic %08x\n", magic);
		dump_mb2((const struct mb2_info *)info);
	} else {
		out("mbinfo: unknown magic %08x\n", magic);
		outb(DEBUG_EXIT_PORT, 1);	/* status 3 */
	}
	out("mbinfo: end\n");
	outb(DEBUG_EXIT_PORT, 0);		/* status 1 */
}
