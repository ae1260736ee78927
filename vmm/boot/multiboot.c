// SPDX-License-Identifier: MIT
/*
 * Planning a multiboot 1 boot (multiboot.h), and the parts multiboot2.c
 * shares: ELF and address-field loading, module placement, the entry
 * state.  Pure: bytes in, a boot plan out; nothing here touches the VM.
 */
#include "multiboot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "memmap.h"
#include "util.h"

/* ELF (System V gABI, i386 and x86-64 psABIs): the fields we read. */
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define PT_LOAD 1
#define PF_X 0x1
#define ELF32_EHDR_SIZE 52
#define ELF64_EHDR_SIZE 64
#define ELF32_PHDR_SIZE 32
#define ELF64_PHDR_SIZE 56

/*
 * Flat code and data at 0x08 and 0x10, where QEMU's multiboot option ROM
 * and GRUB put them.  The spec lets the loader pick any and tells the
 * kernel to load its own GDT, but tutorial kernels (arjun024's
 * mkeykernel, for one) point their IDT gates at selector 0x08 without
 * doing so, and run on QEMU and GRUB; with Linux's 0x10 here their first
 * interrupt was a #GP and a triple fault.
 */
#define MB_BOOT_CS 0x08
#define MB_BOOT_DS 0x10

/* Where the mmap and the module list go in the information block: after
 * the structure (MBI_SIZE), 8-byte aligned. */
#define MB_INFO_MMAP_OFF 128

static uint64_t align_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) / align * align;
}

static double mib(uint64_t bytes)
{
	return (double)bytes / (double)MIB;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

int multiboot_detect(const uint8_t *img, size_t size)
{
	for (size_t off = 0; off + 12 <= size && off + 12 <= MULTIBOOT_SEARCH; off += 4) {
		if (get32(img, off) == MULTIBOOT_HEADER_MAGIC &&
		    (uint32_t)(MULTIBOOT_HEADER_MAGIC + get32(img, off + MULTIBOOT_H_FLAGS) +
			       get32(img, off + MULTIBOOT_H_CHECKSUM)) == 0)
			return (int)off;
	}
	return -1;
}

/* Why there is no header: a bad checksum, one too far in, or none. */
static int multiboot_no_header(const uint8_t *img, size_t size, struct error *err)
{
	for (size_t off = 0; off + 12 <= size && off + 12 <= MULTIBOOT_SEARCH; off += 4) {
		if (get32(img, off) == MULTIBOOT_HEADER_MAGIC)
			return error_set(err, -EINVAL, "has the multiboot magic at offset 0x%zx but a "
					 "bad checksum (magic + flags + checksum is 0x%08x, not 0)",
					 off, (uint32_t)(MULTIBOOT_HEADER_MAGIC +
						    get32(img, off + MULTIBOOT_H_FLAGS) +
						    get32(img, off + MULTIBOOT_H_CHECKSUM)));
	}
	/* A header a little too far in: say so rather than "none". */
	for (size_t off = MULTIBOOT_SEARCH - 8; off + 12 <= size && off < 64 * KIB; off += 4) {
		if (get32(img, off) == MULTIBOOT_HEADER_MAGIC &&
		    (uint32_t)(MULTIBOOT_HEADER_MAGIC + get32(img, off + MULTIBOOT_H_FLAGS) +
			       get32(img, off + MULTIBOOT_H_CHECKSUM)) == 0)
			return error_set(err, -EINVAL, "has its multiboot header at offset 0x%zx; "
					 "the spec wants all of it in the first 8 KiB", off);
	}
	return error_set(err, -EINVAL, "has no multiboot header in its first 8 KiB");
}

/* A kernel's bytes must land in RAM, outside the ISA hole and outside
 * the low memory the plan itself uses. */
static int check_region(uint64_t base, uint64_t len, uint64_t ram, const char *what,
			struct error *err)
{
	uint64_t end = base + len < base ? UINT64_MAX : base + len;

	if (len > ram || base > ram - len)
		return error_set(err, -EINVAL, "puts its %s at 0x%llx-0x%llx, outside RAM "
				 "(0-0x%llx: --memory %.1f MiB)", what, ull(base), ull(end),
				 ull(ram), mib(ram));
	if (base < MEMMAP_HIGH_RAM_BASE && end > MEMMAP_LOW_RAM_END)
		return error_set(err, -EINVAL, "puts its %s at 0x%llx-0x%llx, in the ISA hole "
				 "0x%llx-0x%llx (EBDA, VGA window, ROM)", what, ull(base), ull(end),
				 ull(MEMMAP_LOW_RAM_END), ull(MEMMAP_HIGH_RAM_BASE));
	if (base < MULTIBOOT_AREA_END && end > MULTIBOOT_AREA_START)
		return error_set(err, -EINVAL, "puts its %s at 0x%llx-0x%llx, over minivmm's boot "
				 "area 0x%x-0x%x (GDT, stack, multiboot information)", what,
				 ull(base), ull(end), MULTIBOOT_AREA_START, MULTIBOOT_AREA_END);
	return 0;
}

/* Plan `memsz` bytes at `gpa`: the first `filesz` from `data`, the rest
 * zeroes (a NULL write). */
static int add_loaded(struct boot_plan *plan, uint64_t gpa, const uint8_t *data,
		      uint64_t filesz, uint64_t memsz, struct error *err)
{
	int ret = 0;

	if (filesz > 0)
		ret = boot_plan_add(plan, gpa, data, (size_t)filesz, "kernel");
	if (ret == 0 && memsz > filesz)
		ret = boot_plan_add(plan, gpa + filesz, NULL, (size_t)(memsz - filesz),
				    "kernel bss");
	if (ret < 0)
		return error_set(err, ret, "boot plan overflow (raise BOOT_MAX_WRITES)");
	return 0;
}

static bool is_kernel_write(const struct boot_write *w)
{
	return strncmp(w->what, "kernel", 6) == 0;
}

bool multiboot_is_elf(const uint8_t *img, size_t size)
{
	return size >= 4 && memcmp(img, "\177ELF", 4) == 0;
}

struct elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void elf_phdr_read(const uint8_t *p, bool is64, struct elf_phdr *ph)
{
	if (is64) {
		*ph = (struct elf_phdr){
			.type = get32(p, 0), .flags = get32(p, 4), .offset = get64(p, 8),
			.vaddr = get64(p, 16), .paddr = get64(p, 24), .filesz = get64(p, 32),
			.memsz = get64(p, 40),
		};
	} else {
		*ph = (struct elf_phdr){
			.type = get32(p, 0), .offset = get32(p, 4), .vaddr = get32(p, 8),
			.paddr = get32(p, 12), .filesz = get32(p, 16), .memsz = get32(p, 20),
			.flags = get32(p, 24),
		};
	}
}

int multiboot_load_elf(struct boot_plan *plan, const uint8_t *img, size_t size, bool elf64,
		       uint64_t ram_size, struct multiboot_image *out, struct error *err)
{
	bool is64;
	uint16_t machine;
	uint64_t entry, phys_entry, phoff;
	size_t phentsize, phnum;
	unsigned nr_load = 0;
	unsigned first = plan->nr_writes;
	int ret;

	if (!multiboot_is_elf(img, size) || size < ELF32_EHDR_SIZE)
		return error_set(err, -EINVAL, "is not an ELF file, or too short for its header");
	if (img[EI_DATA] != ELFDATA2LSB)
		return error_set(err, -EINVAL, "is a big-endian ELF; an x86 kernel is little-endian");
	if (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64)
		return error_set(err, -EINVAL, "is an ELF of unknown class %u", img[EI_CLASS]);
	is64 = img[EI_CLASS] == ELFCLASS64;
	machine = get16(img, 18);
	/* QEMU: "Cannot load x86-64 image, give a 32bit one." */
	if (!elf64 && (is64 || machine == EM_X86_64))
		return error_set(err, -EINVAL, "is a 64-bit ELF; multiboot 1 loads 32-bit kernels "
				 "(ELF32, EM_386) unless the header has address fields (flag 16)");
	if (is64 && size < ELF64_EHDR_SIZE)
		return error_set(err, -EINVAL, "is too short for an ELF64 header (%zu bytes)", size);
	if (machine != (is64 ? EM_X86_64 : EM_386))
		return error_set(err, -EINVAL, "is an ELF%d for machine %u, not %s", is64 ? 64 : 32,
				 machine, is64 ? "x86-64 (62)" : "i386 (3)");
	if (get16(img, 16) != ET_EXEC)
		return error_set(err, -EINVAL, "is an ELF of type %u, not an executable (ET_EXEC, "
				 "linked at a fixed address)", get16(img, 16));

	entry = is64 ? get64(img, 24) : get32(img, 24);
	phoff = is64 ? get64(img, 32) : get32(img, 28);
	phentsize = get16(img, is64 ? 54 : 42);
	phnum = get16(img, is64 ? 56 : 44);
	if (phentsize != (is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE))
		return error_set(err, -EINVAL, "has %zu-byte program headers; ELF%d's are %d bytes",
				 phentsize, is64 ? 64 : 32, is64 ? ELF64_PHDR_SIZE : ELF32_PHDR_SIZE);
	if (phoff > size || phnum * phentsize > size - phoff)
		return error_set(err, -EINVAL, "is truncated: its %zu program headers at offset "
				 "0x%llx end past the file's %zu bytes", phnum, ull(phoff), size);

	phys_entry = entry;
	for (size_t i = 0; i < phnum; i++) {
		struct elf_phdr ph;
		char what[32];

		elf_phdr_read(img + phoff + i * phentsize, is64, &ph);
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (++nr_load > MULTIBOOT_MAX_SEGMENTS)
			return error_set(err, -EINVAL, "has more than %d loadable segments",
					 MULTIBOOT_MAX_SEGMENTS);
		if (ph.filesz > ph.memsz)
			return error_set(err, -EINVAL, "has a segment (program header %zu) with "
					 "p_filesz 0x%llx > p_memsz 0x%llx", i, ull(ph.filesz),
					 ull(ph.memsz));
		if (ph.offset > size || ph.filesz > size - ph.offset)
			return error_set(err, -EINVAL, "is truncated: segment %zu (0x%llx bytes at "
					 "file offset 0x%llx) ends past the file's %zu bytes", i,
					 ull(ph.filesz), ull(ph.offset), size);
		snprintf(what, sizeof(what), "segment %zu", i);
		ret = check_region(ph.paddr, ph.memsz, ram_size, what, err);
		if (ret < 0)
			return ret;
		ret = add_loaded(plan, ph.paddr, img + ph.offset, ph.filesz, ph.memsz, err);
		if (ret < 0)
			return ret;
		/* e_entry is virtual: where the executable segment holding it
		 * is linked elsewhere than it loads, move it along (QEMU's
		 * load_elf, hw/core/loader.c; the last such segment wins). */
		if (ph.vaddr != ph.paddr && entry >= ph.vaddr && entry - ph.vaddr < ph.filesz &&
		    (ph.flags & PF_X))
			phys_entry = entry - ph.vaddr + ph.paddr;
		if (nr_load == 1 || ph.paddr < out->low)
			out->low = ph.paddr;
		if (nr_load == 1 || ph.paddr + ph.memsz > out->high)
			out->high = ph.paddr + ph.memsz;
	}
	if (nr_load == 0)
		return error_set(err, -EINVAL, "has no loadable segment (PT_LOAD)");

	for (unsigned i = first; i < plan->nr_writes; i++) {
		const struct boot_write *a = &plan->writes[i];

		for (unsigned j = first; j < i; j++) {
			const struct boot_write *b = &plan->writes[j];

			if (a->gpa < b->gpa + b->len && b->gpa < a->gpa + a->len)
				return error_set(err, -EINVAL, "has segments that overlap: "
						 "0x%llx-0x%llx and 0x%llx-0x%llx", ull(b->gpa),
						 ull(b->gpa + b->len), ull(a->gpa),
						 ull(a->gpa + a->len));
		}
	}
	if (phys_entry > UINT32_MAX)
		return error_set(err, -EINVAL, "enters at 0x%llx, above 4 GiB", ull(phys_entry));
	out->entry = (uint32_t)phys_entry;
	return 0;
}

int multiboot_load_addrs(struct boot_plan *plan, const uint8_t *img, size_t size,
			 size_t header_off, const struct multiboot_addrs *a, uint64_t ram_size,
			 struct multiboot_image *out, struct error *err)
{
	size_t text_off;
	uint64_t load_size, mem_size;
	int ret;

	/* The file offset that loads at load_addr: the header's, less how far
	 * the header is into what is loaded (spec 3.1.3). */
	if (a->header_addr < a->load_addr)
		return error_set(err, -EINVAL, "has header_addr 0x%x below load_addr 0x%x",
				 a->header_addr, a->load_addr);
	if (a->header_addr - a->load_addr > header_off)
		return error_set(err, -EINVAL, "has address fields that load from 0x%x bytes "
				 "before its header, which is 0x%zx bytes into the file",
				 a->header_addr - a->load_addr, header_off);
	text_off = header_off - (a->header_addr - a->load_addr);
	if (a->load_end_addr != 0) {
		if (a->load_end_addr < a->load_addr)
			return error_set(err, -EINVAL, "has load_end_addr 0x%x below load_addr 0x%x",
					 a->load_end_addr, a->load_addr);
		load_size = a->load_end_addr - a->load_addr;
	} else {
		load_size = size - text_off;	/* "the whole OS image file" */
	}
	if (load_size > size - text_off)
		return error_set(err, -EINVAL, "is truncated: its address fields load 0x%llx bytes "
				 "from file offset 0x%zx, past the file's %zu bytes", ull(load_size),
				 text_off, size);
	mem_size = load_size;
	if (a->bss_end_addr != 0) {
		if (a->bss_end_addr < a->load_addr + load_size)
			return error_set(err, -EINVAL, "has bss_end_addr 0x%x below the end of what "
					 "it loads, 0x%llx", a->bss_end_addr,
					 ull(a->load_addr + load_size));
		mem_size = a->bss_end_addr - a->load_addr;
	}
	if (mem_size == 0)
		return error_set(err, -EINVAL, "loads nothing: its address fields give 0 bytes");
	ret = check_region(a->load_addr, mem_size, ram_size, "image", err);
	if (ret < 0)
		return ret;
	ret = add_loaded(plan, a->load_addr, img + text_off, load_size, mem_size, err);
	if (ret < 0)
		return ret;
	out->low = a->load_addr;
	out->high = a->load_addr + mem_size;
	return 0;
}

int multiboot_check_entry(const struct boot_plan *plan, uint32_t entry, struct error *err)
{
	uint64_t low = UINT64_MAX, high = 0;

	for (unsigned i = 0; i < plan->nr_writes; i++) {
		const struct boot_write *w = &plan->writes[i];

		if (!is_kernel_write(w))
			continue;
		if (entry >= w->gpa && entry - w->gpa < w->len)
			return 0;
		if (w->gpa < low)
			low = w->gpa;
		if (w->gpa + w->len > high)
			high = w->gpa + w->len;
	}
	return error_set(err, -EINVAL, "enters at 0x%x, outside what it loads (0x%llx-0x%llx)",
			 entry, ull(low), ull(high));
}

int multiboot_place_modules(struct boot_plan *plan, const struct multiboot_args *args,
			    uint64_t after, uint32_t *starts, struct error *err)
{
	uint64_t ram = args->ram_size, cur = after;

	if (args->nr_modules > MULTIBOOT_MAX_MODULES)
		return error_set(err, -EINVAL, "is given %zu modules; minivmm loads at most %d",
				 args->nr_modules, MULTIBOOT_MAX_MODULES);
	for (size_t i = 0; i < args->nr_modules; i++) {
		const struct multiboot_module *m = &args->modules[i];
		uint64_t addr = align_up(cur, MULTIBOOT_PAGE_SIZE);

		/* After a kernel in low memory: skip our area and the hole. */
		if (m->size <= ram && addr < MULTIBOOT_AREA_END &&
		    addr + m->size > MULTIBOOT_AREA_START)
			addr = MULTIBOOT_AREA_END;
		if (m->size <= ram && addr < MEMMAP_HIGH_RAM_BASE &&
		    addr + m->size > MEMMAP_LOW_RAM_END)
			addr = MEMMAP_HIGH_RAM_BASE;
		if (m->size > ram || addr > ram - m->size)
			return error_set(err, -EINVAL, "leaves no room for module %zu (%.1f MiB at "
					 "0x%llx, after the kernel and the modules before it): RAM "
					 "ends at 0x%llx (--memory %.1f MiB)", i + 1, mib(m->size),
					 ull(addr), ull(ram), mib(ram));
		if (m->size > 0 && boot_plan_add(plan, addr, m->data, m->size, "module") < 0)
			return error_set(err, -ENOSPC, "boot plan overflow (raise BOOT_MAX_WRITES)");
		starts[i] = (uint32_t)addr;
		cur = addr + m->size;
	}
	return 0;
}

uint32_t multiboot_mem_lower(uint64_t ram_size)
{
	return (uint32_t)((ram_size < MEMMAP_LOW_RAM_END ? ram_size : MEMMAP_LOW_RAM_END) / KIB);
}

uint32_t multiboot_mem_upper(uint64_t ram_size)
{
	return ram_size > MEMMAP_HIGH_RAM_BASE ?
	       (uint32_t)((ram_size - MEMMAP_HIGH_RAM_BASE) / KIB) : 0;
}

int multiboot_enter(struct boot_plan *plan, uint32_t magic, uint32_t entry, struct error *err)
{
	plan->gdt[MB_BOOT_CS / 8] = 0x00cf9b000000ffffULL;	/* code: execute/read, 32-bit, 4 GiB */
	plan->gdt[MB_BOOT_DS / 8] = 0x00cf93000000ffffULL;	/* data: read/write */
	if (boot_plan_add(plan, MULTIBOOT_GDT_ADDR, plan->gdt, sizeof(plan->gdt), "boot GDT") < 0)
		return error_set(err, -ENOSPC, "boot plan overflow (raise BOOT_MAX_WRITES)");
	/* Spec 3.2 (multiboot 2: 3.3): EAX the magic, EBX the information,
	 * flat segments, PE on, PG off, IF off; ESP undefined. */
	plan->cpu = (struct boot_cpu){
		.mode = BOOT_CPU_FLAT32,
		.eip = entry,
		.eax = magic,
		.ebx = MULTIBOOT_INFO_ADDR,
		.esp = MULTIBOOT_STACK_TOP,
		.code_selector = MB_BOOT_CS,
		.data_selector = MB_BOOT_DS,
		.gdt_base = MULTIBOOT_GDT_ADDR,
		.gdt_limit = sizeof(plan->gdt) - 1,
	};
	return 0;
}

int multiboot_split_modules(const char *spec, char *buf, size_t buf_size, const char **cmdlines,
			    size_t max, struct error *err)
{
	size_t n = 0, len = 0;
	const char *r = spec;

	/* QEMU's get_opt_value(): up to a lone ',', with ",," a comma; a
	 * trailing ',' ends the list. */
	while (*r != '\0') {
		const char *start;

		if (n == max)
			return error_set(err, -EINVAL, "names more than %zu modules", max);
		start = buf + len;
		cmdlines[n] = start;
		for (; *r != '\0'; r++) {
			if (*r == ',' && r[1] != ',')
				break;
			if (len + 1 >= buf_size)
				return error_set(err, -EINVAL, "is longer than %zu bytes", buf_size - 1);
			buf[len++] = *r;
			if (*r == ',')
				r++;	/* ",," */
		}
		buf[len++] = '\0';
		if (multiboot_module_path_len(start) == 0)
			return error_set(err, -EINVAL, "has a module with no file name (module %zu)",
					 n + 1);
		n++;
		if (*r == ',')
			r++;
	}
	return (int)n;
}

size_t multiboot_module_path_len(const char *cmdline)
{
	return strcspn(cmdline, " ");
}

/* ---- Multiboot 1 proper ------------------------------------------------- */

static size_t put_string(uint8_t *info, size_t off, const char *s)
{
	size_t len = strlen(s) + 1;

	memcpy(info + off, s, len);
	return off + len;
}

/* The information block: the structure, the mmap, the module list, then
 * the strings.  Its length in *len. */
static int mb1_fill_info(struct boot_plan *plan, const struct multiboot_args *args,
			 const uint32_t *starts, size_t *len, struct error *err)
{
	uint8_t *info = plan->info;
	struct memmap_entry map[MEMMAP_MAX_ENTRIES];
	size_t n = memmap_build(args->ram_size, map);
	size_t mods_off = MB_INFO_MMAP_OFF + n * MBI_MMAP_ENTRY_SIZE;
	size_t str_off = mods_off + args->nr_modules * MBI_MOD_SIZE, off, strings;
	size_t path_len = strlen(args->kernel_path);

	strings = path_len + 1 + strlen(args->cmdline) + 1 + sizeof(MULTIBOOT_LOADER_NAME);
	for (size_t i = 0; i < args->nr_modules; i++)
		strings += strlen(args->modules[i].cmdline) + 1;
	if (strings > sizeof(plan->info) - str_off)
		return error_set(err, -EINVAL, "gets %zu bytes of command lines (kernel and "
				 "modules); minivmm passes at most %zu", strings,
				 sizeof(plan->info) - str_off);

	memset(info, 0, sizeof(plan->info));
	put32(info, MBI_FLAGS, MBI_INFO_MEMORY | MBI_INFO_CMDLINE | MBI_INFO_MODS |
	      MBI_INFO_MEM_MAP | MBI_INFO_BOOT_LOADER_NAME);
	put32(info, MBI_MEM_LOWER, multiboot_mem_lower(args->ram_size));
	put32(info, MBI_MEM_UPPER, multiboot_mem_upper(args->ram_size));

	/* mmap_addr points at the first entry's size field, which does not
	 * count itself (spec 3.3; QEMU's option ROM and GRUB do the same). */
	put32(info, MBI_MMAP_LENGTH, (uint32_t)(n * MBI_MMAP_ENTRY_SIZE));
	put32(info, MBI_MMAP_ADDR, MULTIBOOT_INFO_ADDR + MB_INFO_MMAP_OFF);
	for (size_t i = 0; i < n; i++) {
		size_t e = MB_INFO_MMAP_OFF + i * MBI_MMAP_ENTRY_SIZE;

		put32(info, e, MBI_MMAP_ENTRY_SIZE - 4);
		put64(info, e + 4, map[i].base);
		put64(info, e + 12, map[i].len);
		put32(info, e + 20, map[i].type);
	}

	/* "KERNEL-PATH APPEND", as QEMU. */
	off = str_off;
	put32(info, MBI_CMDLINE, (uint32_t)(MULTIBOOT_INFO_ADDR + off));
	memcpy(info + off, args->kernel_path, path_len);
	info[off + path_len] = ' ';
	off = put_string(info, off + path_len + 1, args->cmdline);

	put32(info, MBI_MODS_COUNT, (uint32_t)args->nr_modules);
	put32(info, MBI_MODS_ADDR, (uint32_t)(MULTIBOOT_INFO_ADDR + mods_off));
	for (size_t i = 0; i < args->nr_modules; i++) {
		size_t m = mods_off + i * MBI_MOD_SIZE;

		put32(info, m, starts[i]);
		put32(info, m + 4, (uint32_t)(starts[i] + args->modules[i].size));
		put32(info, m + 8, (uint32_t)(MULTIBOOT_INFO_ADDR + off));
		off = put_string(info, off, args->modules[i].cmdline);
	}

	put32(info, MBI_BOOT_LOADER_NAME, (uint32_t)(MULTIBOOT_INFO_ADDR + off));
	off = put_string(info, off, MULTIBOOT_LOADER_NAME);
	*len = off;
	return 0;
}

int multiboot_plan(struct boot_plan *plan, const struct multiboot_args *args, struct error *err)
{
	const uint8_t *img = args->image;
	size_t size = args->image_size, need = 12, info_len = 0;
	struct multiboot_image image = { 0 };
	uint32_t flags, unknown, entry, starts[MULTIBOOT_MAX_MODULES];
	int off, ret;

	memset(plan, 0, sizeof(*plan));
	off = multiboot_detect(img, size);
	if (off < 0)
		return multiboot_no_header(img, size, err);
	flags = get32(img, (size_t)off + MULTIBOOT_H_FLAGS);

	/* Bits 0-15 are requirements: "If the boot loader does not understand
	 * all the bits set in [them], it must notify the user and fail". */
	unknown = flags & MULTIBOOT_REQUIRED_MASK &
		  ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_VIDEO_MODE);
	if (unknown != 0)
		return error_set(err, -EINVAL, "requires multiboot feature bit %d (header flags "
				 "0x%08x), which minivmm does not know", __builtin_ctz(unknown), flags);
	if (flags & MULTIBOOT_AOUT_KLUDGE)
		need = MULTIBOOT_H_MODE_TYPE;
	if (flags & MULTIBOOT_VIDEO_MODE)
		need = MULTIBOOT_H_SIZE;
	if ((size_t)off + need > MULTIBOOT_SEARCH)
		return error_set(err, -EINVAL, "has its multiboot header at offset 0x%x, so its %zu "
				 "bytes end past the first 8 KiB", off, need);
	if ((size_t)off + need > size)
		return error_set(err, -EINVAL, "is truncated: its multiboot header at offset 0x%x "
				 "needs %zu bytes", off, need);

	if (flags & MULTIBOOT_VIDEO_MODE) {
		uint32_t mode = get32(img, (size_t)off + MULTIBOOT_H_MODE_TYPE);

		/* A text mode is what the machine has; like QEMU we pass no
		 * video information then (flags bits 11 and 12 stay clear). */
		if (mode != MULTIBOOT_MODE_EGA_TEXT)
			return error_set(err, -EINVAL, "asks for a video mode (%s, %ux%ux%u); minivmm "
					 "has no framebuffer, only VGA text",
					 mode == MULTIBOOT_MODE_LINEAR ? "linear graphics" :
					 "unknown mode type",
					 get32(img, (size_t)off + MULTIBOOT_H_WIDTH),
					 get32(img, (size_t)off + MULTIBOOT_H_HEIGHT),
					 get32(img, (size_t)off + MULTIBOOT_H_DEPTH));
	}

	/* Bit 16 first, as QEMU: the address fields win over an ELF header. */
	if (flags & MULTIBOOT_AOUT_KLUDGE) {
		struct multiboot_addrs a = {
			.header_addr = get32(img, (size_t)off + MULTIBOOT_H_HEADER_ADDR),
			.load_addr = get32(img, (size_t)off + MULTIBOOT_H_LOAD_ADDR),
			.load_end_addr = get32(img, (size_t)off + MULTIBOOT_H_LOAD_END_ADDR),
			.bss_end_addr = get32(img, (size_t)off + MULTIBOOT_H_BSS_END_ADDR),
		};

		ret = multiboot_load_addrs(plan, img, size, (size_t)off, &a, args->ram_size,
					   &image, err);
		entry = get32(img, (size_t)off + MULTIBOOT_H_ENTRY_ADDR);
	} else if (multiboot_is_elf(img, size)) {
		ret = multiboot_load_elf(plan, img, size, false, args->ram_size, &image, err);
		entry = image.entry;
	} else {
		return error_set(err, -EINVAL, "is not an ELF file and its multiboot header has no "
				 "address fields (flag 16): nothing says where to load it");
	}
	if (ret == 0)
		ret = multiboot_check_entry(plan, entry, err);
	if (ret == 0)
		ret = multiboot_place_modules(plan, args, image.high, starts, err);
	if (ret == 0)
		ret = mb1_fill_info(plan, args, starts, &info_len, err);
	if (ret < 0)
		return ret;
	if (boot_plan_add(plan, MULTIBOOT_INFO_ADDR, plan->info, info_len, "multiboot info") < 0)
		return error_set(err, -ENOSPC, "boot plan overflow (raise BOOT_MAX_WRITES)");
	return multiboot_enter(plan, MULTIBOOT_BOOTLOADER_MAGIC, entry, err);
}
