// SPDX-License-Identifier: MIT
/*
 * The GDB remote stub: the socket (loop thread), parking the vCPU, and
 * what gdb asks of it done with KVM ioctls on the vCPU thread (gdb.h).
 *
 * KVM's side (Documentation/virt/kvm/api.rst): KVM_SET_GUEST_DEBUG with
 * KVM_GUESTDBG_USE_SW_BP (INT3 exits as KVM_EXIT_DEBUG, exception 3, RIP
 * at the INT3), USE_HW_BP (DR0-3 and DR7 from debugreg[], #DB exits with
 * DR6), SINGLESTEP (TF, #DB with DR6.BS); INJECT_BP/INJECT_DB hand an
 * exception that was the guest's own back to it.  KVM_TRANSLATE turns a
 * linear address into a physical one through the guest's page tables.
 *
 * Deliberate choices:
 *   - In real mode (CR0.PE = 0) and virtual-8086 mode, gdb's $pc (eip) is
 *     the linear address CS.base + IP, so `x/i $pc`, `break *0xffff0` and
 *     stepping agree; a write to it sets IP = value - CS.base.
 *   - Software breakpoints (Z0) are HLT bytes by default (INT3 or a debug
 *     register with `monitor swbp`, see gdb_insert_sw()), written into
 *     guest memory (RAM or ROM, through our own mapping) on Z0 and taken
 *     out on z0; memory reads show the original bytes.
 *   - While single-stepping no interrupt is injected (QEMU's SSTEP_NOIRQ).
 *   - gdb connecting stops the guest (as QEMU does); detaching or
 *     disconnecting removes every breakpoint and lets it run.
 *   - Device timers keep running on the host clock while the guest is
 *     stopped (README, "Debugging with gdb").
 */
#define _GNU_SOURCE	/* accept4 */

#include "gdb.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gdb_proto.h"
#include "machine.h"

#define GDB_SW_BP_MAX 64
#define GDB_HW_BP_MAX 4			/* DR0-DR3 */
#define GDB_INT3 0xcc
#define GDB_HLT 0xf4
#define GDB_PAGE 4096ull
#define GDB_SEND_TIMEOUT_MS 2000	/* a gdb that stops reading is dropped */

#define GDB_CR0_PE 0x1u
#define GDB_EFER_LMA (1u << 10)
#define GDB_ARCH_WAIT_MS 2000		/* for the vCPU to park when gdb connects */
#define GDB_EFLAGS_VM (1u << 17)
#define GDB_BP_VECTOR 3
#define GDB_DB_VECTOR 1
#define GDB_DR6_BS (1u << 14)		/* single step */
/* DR7 (SDM Vol. 3B 17.2.4): G0-G3 enable, R/W and LEN per register; bits
 * 9 (GE) and 10 (reserved, reads 1) as QEMU sets them. */
#define GDB_DR7_BASE 0x600u
#define GDB_DR7_G(i) (2u << ((i) * 2))
#define GDB_DR7_RW(i, rw) ((uint32_t)(rw) << (16 + (i) * 4))
#define GDB_DR7_LEN(i, len) ((uint32_t)(len) << (18 + (i) * 4))
#define GDB_DR7_RW_EXEC 0
#define GDB_DR7_RW_WRITE 1
#define GDB_DR7_RW_ACCESS 3

#define MIB (1ull << 20)
#define GIB (1ull << 30)

struct gdb_sw_bp {
	bool used;
	uint64_t addr;		/* linear, as gdb gave it */
	int dr;			/* the debug register it is in, or -1: a byte in memory */
	uint8_t insn;		/* that byte: HLT or INT3 */
	uint64_t gpa;		/* where the INT3 went (ROM: its low alias) */
	uint8_t saved;		/* the byte it replaced */
};

struct gdb_hw_bp {
	bool used;
	enum gdb_bp_type type;	/* hardware breakpoint, write or access watchpoint */
	uint64_t addr;
	unsigned len;
	bool for_z0;		/* a Z0 breakpoint in a debug register */
};

/* One request from the loop thread, carried out by the parked vCPU. */
enum gdb_req_type {
	GDB_REQ_GET_REGS,
	GDB_REQ_SET_REGS,
	GDB_REQ_READ_MEM,
	GDB_REQ_WRITE_MEM,
	GDB_REQ_INSERT_BP,
	GDB_REQ_REMOVE_BP,
	GDB_REQ_REMOVE_ALL,
};

struct gdb_request {
	enum gdb_req_type type;
	const struct gdb_cmd *cmd;	/* addr, len, data, bp_type */
	struct gdb_regs *regs;		/* in or out */
	uint8_t *out;			/* READ_MEM: len bytes... */
	size_t done_len;		/* ...of which this many were read */
	int result;			/* 0, -errno, or 1: not supported (empty reply) */
	bool done;
};

struct gdb_stub {
	struct gdb_stub_head head;	/* first: gdb_listen_fd() reads it */
	struct machine *m;
	int listen_fd, client_fd;
	ev_io listen_watcher, client_watcher;
	ev_async stop_watcher;

	/* Loop thread only. */
	struct gdb_framer framer;
	struct gdb_cmd cmd;
	struct gdb_buf reply;
	struct gdb_regs regs;
	uint8_t mem[GDB_PACKET_MAX];
	char out[2 * GDB_PACKET_MAX + 8];	/* '+' and the framed reply */
	size_t last_start, last_len;		/* the last packet in out, for a '-' */
	bool no_ack;
	bool owe_stop;		/* gdb resumed (or asked '?') and waits for a stop reply */
	bool phys;		/* `monitor phys on`: m/M addresses are physical */
	bool detach_pending;	/* gdb left while the guest ran: detach once it parks */
	enum gdb_arch arch;	/* the layout of this session: chosen at qSupported */
	enum gdb_swbp { GDB_SWBP_HLT, GDB_SWBP_INT3, GDB_SWBP_DR } swbp;	/* `monitor swbp` */
	uint64_t packets;

	/* Shared, under lock (stop_request is read without it, too). */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool parked;		/* the vCPU is parked: requests may be posted */
	bool long_mode;		/* EFER.LMA when the vCPU last parked */
	bool resume, resume_step;
	bool stop_event;	/* a stop the loop has not reported yet */
	struct gdb_stop stop;	/* why the vCPU parked */
	struct gdb_request *req;
	atomic_int stop_request;	/* a signal: park at the next chance; 0: none */

	/* vCPU thread only (the loop reaches them through requests). */
	bool stepping;
	struct gdb_sw_bp sw[GDB_SW_BP_MAX];
	struct gdb_hw_bp hw[GDB_HW_BP_MAX];
	uint64_t bp_hits, watch_hits, steps;
};

/* ---- memory: guest-physical to our mapping -------------------------------------- */

/* Our pointer to guest-physical `gpa` and how many bytes follow it in the
 * same region; NULL where nothing is (MMIO, holes). */
static uint8_t *gdb_gpa_ptr(struct vm *vm, uint64_t gpa, uint64_t *avail)
{
	uint64_t rom_low = MIB - vm->rom_size, rom_high = 4 * GIB - vm->rom_size;

	if (gpa >= rom_low && gpa < MIB) {
		*avail = MIB - gpa;
		return vm->rom + (gpa - rom_low);
	}
	if (gpa >= rom_high && gpa < 4 * GIB) {
		*avail = 4 * GIB - gpa;
		return vm->rom + (gpa - rom_high);
	}
	if (gpa < vm->ram_size) {
		*avail = (gpa < rom_low ? rom_low : vm->ram_size) - gpa;
		return vm->ram + gpa;
	}
	return NULL;
}

/* The ROM's two aliases are one byte: breakpoints are kept at the low one. */
static uint64_t gdb_canonical_gpa(const struct vm *vm, uint64_t gpa)
{
	uint64_t rom_high = 4 * GIB - vm->rom_size;

	if (gpa >= rom_high && gpa < 4 * GIB)
		return gpa - rom_high + (MIB - vm->rom_size);
	return gpa;
}

/* vCPU thread. */
static int gdb_translate(struct machine *m, uint64_t la, bool phys, uint64_t *gpa)
{
	struct kvm_translation t = { .linear_address = la };

	if (phys) {
		*gpa = la;
		return 0;
	}
	if (ioctl(m->vcpu.fd, KVM_TRANSLATE, &t) < 0)
		return -errno;
	if (!t.valid)
		return -EFAULT;
	*gpa = t.physical_address;
	return 0;
}

static struct gdb_sw_bp *gdb_sw_bp_at_gpa(struct gdb_stub *g, uint64_t cgpa)
{
	for (unsigned i = 0; i < GDB_SW_BP_MAX; i++) {
		if (g->sw[i].used && g->sw[i].dr < 0 && g->sw[i].gpa == cgpa)
			return &g->sw[i];
	}
	return NULL;
}

/* Read or write guest memory page by page; the number of bytes done. */
static size_t gdb_access_mem(struct gdb_stub *g, uint64_t addr, uint8_t *buf, size_t len,
			     bool write, bool phys)
{
	struct vm *vm = &g->m->vm;
	size_t done = 0;

	while (done < len) {
		uint64_t la = addr + done, gpa = 0, avail = 0;
		uint64_t chunk = GDB_PAGE - (la & (GDB_PAGE - 1));
		uint8_t *p;

		if (gdb_translate(g->m, la, phys, &gpa) < 0)
			break;
		p = gdb_gpa_ptr(vm, gpa, &avail);
		if (p == NULL)
			break;
		if (chunk > avail)
			chunk = avail;
		if (chunk > len - done)
			chunk = len - done;
		for (uint64_t i = 0; i < chunk; i++) {
			struct gdb_sw_bp *bp = gdb_sw_bp_at_gpa(g, gdb_canonical_gpa(vm, gpa + i));

			/* Our INT3s are invisible: reads see, writes change, the
			 * byte underneath. */
			if (write) {
				if (bp != NULL)
					bp->saved = buf[done + i];
				else
					p[i] = buf[done + i];
			} else {
				buf[done + i] = bp != NULL ? bp->saved : p[i];
			}
		}
		done += chunk;
	}
	return done;
}

/* ---- registers ------------------------------------------------------------------ */

static bool gdb_real_mode(const struct kvm_regs *r, const struct kvm_sregs *s)
{
	return !(s->cr0 & GDB_CR0_PE) || (r->rflags & GDB_EFLAGS_VM);
}

/* Segment i in gdb's order: cs, ss, ds, es, fs, gs. */
static struct kvm_segment *gdb_seg(struct kvm_sregs *s, unsigned i)
{
	struct kvm_segment *segs[] = { &s->cs, &s->ss, &s->ds, &s->es, &s->fs, &s->gs };

	return segs[i];
}

/* The layout's numbers for what both have. */
struct gdb_layout {
	unsigned pc, eflags, seg, cr0, cr2, cr3, cr4, efer, gdtr_base, gdtr_limit, idtr_base,
		 idtr_limit, first_sys;
	unsigned seg_base[6];		/* in gdb_seg()'s order */
	unsigned gpr[16];		/* rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15 */
	unsigned num_gprs;
	uint64_t mask;			/* of the GPRs, RIP and the bases */
};

static const struct gdb_layout gdb_layout_i386 = {
	.pc = GDB_REG_EIP, .eflags = GDB_REG_EFLAGS, .seg = GDB_REG_CS,
	.cr0 = GDB_REG_CR0, .cr2 = GDB_REG_CR2, .cr3 = GDB_REG_CR3, .cr4 = GDB_REG_CR4,
	.efer = GDB_REG_EFER, .gdtr_base = GDB_REG_GDTR_BASE, .gdtr_limit = GDB_REG_GDTR_LIMIT,
	.idtr_base = GDB_REG_IDTR_BASE, .idtr_limit = GDB_REG_IDTR_LIMIT,
	.first_sys = GDB_REG_CR0,
	.seg_base = { GDB_REG_CS_BASE, GDB_REG_SS_BASE, GDB_REG_DS_BASE, GDB_REG_ES_BASE,
		      GDB_REG_FS_BASE, GDB_REG_GS_BASE },
	.gpr = { GDB_REG_EAX, GDB_REG_ECX, GDB_REG_EDX, GDB_REG_EBX, GDB_REG_ESP, GDB_REG_EBP,
		 GDB_REG_ESI, GDB_REG_EDI },
	.num_gprs = 8,
	.mask = 0xffffffffull,
};

static const struct gdb_layout gdb_layout_amd64 = {
	.pc = GDB64_REG_RIP, .eflags = GDB64_REG_EFLAGS, .seg = GDB64_REG_CS,
	.cr0 = GDB64_REG_CR0, .cr2 = GDB64_REG_CR2, .cr3 = GDB64_REG_CR3, .cr4 = GDB64_REG_CR4,
	.efer = GDB64_REG_EFER, .gdtr_base = GDB64_REG_GDTR_BASE,
	.gdtr_limit = GDB64_REG_GDTR_LIMIT, .idtr_base = GDB64_REG_IDTR_BASE,
	.idtr_limit = GDB64_REG_IDTR_LIMIT,
	.first_sys = GDB64_REG_FS_BASE,
	.seg_base = { GDB64_REG_CS_BASE, GDB64_REG_SS_BASE, GDB64_REG_DS_BASE,
		      GDB64_REG_ES_BASE, GDB64_REG_FS_BASE, GDB64_REG_GS_BASE },
	.gpr = { GDB64_REG_RAX, GDB64_REG_RCX, GDB64_REG_RDX, GDB64_REG_RBX, GDB64_REG_RSP,
		 GDB64_REG_RBP, GDB64_REG_RSI, GDB64_REG_RDI, GDB64_REG_R8, GDB64_REG_R8 + 1,
		 GDB64_REG_R8 + 2, GDB64_REG_R8 + 3, GDB64_REG_R8 + 4, GDB64_REG_R8 + 5,
		 GDB64_REG_R8 + 6, GDB64_REG_R8 + 7 },
	.num_gprs = 16,
	.mask = ~0ull,
};

static const struct gdb_layout *gdb_layout(enum gdb_arch arch)
{
	return arch == GDB_ARCH_AMD64 ? &gdb_layout_amd64 : &gdb_layout_i386;
}

/* The program counter gdb sees: linear, CS's base added in real mode;
 * 32 bits outside long mode. */
static uint64_t gdb_pc(uint64_t rip, const struct kvm_regs *r, const struct kvm_sregs *s)
{
	uint64_t pc = rip + (gdb_real_mode(r, s) ? s->cs.base : 0);

	return (s->efer & GDB_EFER_LMA) ? pc : (uint32_t)pc;
}

/* KVM's registers into gdb's, in the layout g->arch says. */
static void gdb_regs_from_kvm(struct gdb_regs *g, const struct kvm_regs *r,
			      const struct kvm_sregs *sregs)
{
	struct kvm_sregs copy = *sregs, *s = &copy;
	const struct gdb_layout *l = gdb_layout(g->arch);
	const uint64_t gprs[] = { r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp, r->rsi, r->rdi,
				  r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15 };
	enum gdb_arch arch = g->arch;

	memset(g, 0, sizeof(*g));
	g->arch = arch;
	for (unsigned i = 0; i < l->num_gprs; i++)
		gdb_regs_set(g, l->gpr[i], gprs[i] & l->mask);
	gdb_regs_set(g, l->pc, gdb_pc(r->rip, r, s) & l->mask);
	gdb_regs_set(g, l->eflags, (uint32_t)r->rflags);
	for (unsigned i = 0; i < 6; i++) {
		gdb_regs_set(g, l->seg + i, gdb_seg(s, i)->selector);
		gdb_regs_set(g, l->seg_base[i], gdb_seg(s, i)->base & l->mask);
	}
	gdb_regs_set(g, l->cr0, s->cr0 & l->mask);
	gdb_regs_set(g, l->cr2, s->cr2 & l->mask);
	gdb_regs_set(g, l->cr3, s->cr3 & l->mask);
	gdb_regs_set(g, l->cr4, s->cr4 & l->mask);
	if (arch == GDB_ARCH_AMD64)
		gdb_regs_set(g, GDB64_REG_CR8, s->cr8);
	gdb_regs_set(g, l->efer, s->efer);
	gdb_regs_set(g, l->gdtr_base, s->gdt.base & l->mask);
	gdb_regs_set(g, l->gdtr_limit, s->gdt.limit);
	gdb_regs_set(g, l->idtr_base, s->idt.base & l->mask);
	gdb_regs_set(g, l->idtr_limit, s->idt.limit);
}

/* gdb's register file back into KVM's: only what changed, so that an
 * unchanged KVM_SET_SREGS never runs (it is not free of side effects). */
static int gdb_regs_to_kvm(struct machine *m, const struct gdb_regs *g)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct gdb_regs old = { .arch = g->arch };
	const struct gdb_layout *l = gdb_layout(g->arch);
	__u64 *gprs[] = { &r.rax, &r.rcx, &r.rdx, &r.rbx, &r.rsp, &r.rbp, &r.rsi, &r.rdi,
			  &r.r8, &r.r9, &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15 };
	bool sregs_changed = false;
	uint64_t pc;

	if (ioctl(m->vcpu.fd, KVM_GET_REGS, &r) < 0 || ioctl(m->vcpu.fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	gdb_regs_from_kvm(&old, &r, &s);
	for (unsigned i = 0; i < l->num_gprs; i++)
		*gprs[i] = (*gprs[i] & ~l->mask) | gdb_regs_get(g, l->gpr[i]);
	r.rflags = gdb_regs_get(g, l->eflags);
	for (unsigned i = 0; i < 6; i++) {
		struct kvm_segment *seg = gdb_seg(&s, i);
		uint64_t sel = gdb_regs_get(g, l->seg + i);
		uint64_t base = gdb_regs_get(g, l->seg_base[i]);

		if (sel != gdb_regs_get(&old, l->seg + i)) {
			/* Real mode: a selector is a paragraph.  Protected mode:
			 * only the visible part changes, the cached descriptor stays. */
			seg->selector = (uint16_t)sel;
			if (gdb_real_mode(&r, &s))
				seg->base = (uint16_t)sel << 4;
			sregs_changed = true;
		}
		if (base != gdb_regs_get(&old, l->seg_base[i])) {
			seg->base = base;
			sregs_changed = true;
		}
	}
	for (unsigned n = l->first_sys; n < gdb_num_regs(g->arch); n++) {
		bool is_base = false;

		for (unsigned i = 0; i < 6; i++)
			is_base |= n == l->seg_base[i];
		if (!is_base)
			sregs_changed |= gdb_regs_get(g, n) != gdb_regs_get(&old, n);
	}
	/* Bits past the layout's width (i386) keep their values. */
	s.cr0 = (s.cr0 & ~l->mask) | gdb_regs_get(g, l->cr0);
	s.cr2 = (s.cr2 & ~l->mask) | gdb_regs_get(g, l->cr2);
	s.cr3 = (s.cr3 & ~l->mask) | gdb_regs_get(g, l->cr3);
	s.cr4 = (s.cr4 & ~l->mask) | gdb_regs_get(g, l->cr4);
	if (g->arch == GDB_ARCH_AMD64)
		s.cr8 = gdb_regs_get(g, GDB64_REG_CR8);
	s.efer = gdb_regs_get(g, l->efer);
	s.gdt.base = (s.gdt.base & ~l->mask) | gdb_regs_get(g, l->gdtr_base);
	s.gdt.limit = (uint16_t)gdb_regs_get(g, l->gdtr_limit);
	s.idt.base = (s.idt.base & ~l->mask) | gdb_regs_get(g, l->idtr_base);
	s.idt.limit = (uint16_t)gdb_regs_get(g, l->idtr_limit);
	pc = gdb_regs_get(g, l->pc) - (gdb_real_mode(&r, &s) ? s.cs.base : 0);
	r.rip = (s.efer & GDB_EFER_LMA) ? pc : (uint32_t)pc;
	if (sregs_changed && ioctl(m->vcpu.fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	if (ioctl(m->vcpu.fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

/* ---- breakpoints (vCPU thread) -------------------------------------------------- */

/* Put breakpoint `bp` into guest memory as the byte `insn`. */
static int gdb_plant(struct gdb_stub *g, struct gdb_sw_bp *bp, uint8_t insn)
{
	struct vm *vm = &g->m->vm;
	uint64_t gpa = 0, avail = 0;
	uint8_t *p;

	if (gdb_translate(g->m, bp->addr, false, &gpa) < 0 ||
	    (p = gdb_gpa_ptr(vm, gpa, &avail)) == NULL)
		return -EFAULT;
	gpa = gdb_canonical_gpa(vm, gpa);
	if (gdb_sw_bp_at_gpa(g, gpa) != NULL)
		return -EEXIST;		/* another linear alias of the same byte */
	bp->gpa = gpa;
	bp->saved = *p;
	bp->dr = -1;
	bp->insn = insn;
	*p = insn;
	return 0;
}

static int gdb_free_dr(const struct gdb_stub *g)
{
	for (int i = 0; i < GDB_HW_BP_MAX; i++) {
		if (!g->hw[i].used)
			return i;
	}
	return -1;
}

/*
 * Z0, as `monitor swbp` says (README, "Debugging with gdb"):
 *   - hlt (the default): a HLT byte, which KVM always hands us (no
 *     in-kernel irqchip: KVM_EXIT_HLT), then RIP is put back on it.  It
 *     works on every KVM, nested ones under QEMU's TCG included, whose
 *     SVM intercepts neither INT3 as #BP nor debug registers (QEMU 7.2);
 *     at CPL 3 a HLT faults (#GP): for user code use int3 or dr.
 *   - int3: an INT3 byte and KVM_GUESTDBG_USE_SW_BP, as QEMU does.
 *   - dr: a debug register while one is free (code not loaded yet, or
 *     copied over later), else a HLT byte.
 */
static int gdb_insert_sw(struct gdb_stub *g, uint64_t addr)
{
	struct gdb_sw_bp *bp = NULL;
	int dr, ret;

	for (unsigned i = 0; i < GDB_SW_BP_MAX; i++) {
		if (g->sw[i].used && g->sw[i].addr == addr)
			return 0;
		if (!g->sw[i].used && bp == NULL)
			bp = &g->sw[i];
	}
	if (bp == NULL)
		return -ENOSPC;
	*bp = (struct gdb_sw_bp){ .addr = addr, .dr = -1 };
	dr = g->swbp == GDB_SWBP_DR ? gdb_free_dr(g) : -1;
	if (dr >= 0) {
		g->hw[dr] = (struct gdb_hw_bp){ .used = true, .type = GDB_BP_HARDWARE,
						.addr = addr, .len = 1, .for_z0 = true };
		bp->dr = dr;
	} else if ((ret = gdb_plant(g, bp, g->swbp == GDB_SWBP_INT3 ? GDB_INT3 : GDB_HLT)) < 0) {
		return ret;
	}
	bp->used = true;
	return 0;
}

static void gdb_remove_sw_bp(struct gdb_stub *g, struct gdb_sw_bp *bp)
{
	uint64_t avail;
	uint8_t *p;

	bp->used = false;
	if (bp->dr >= 0) {
		g->hw[bp->dr].used = false;
		return;
	}
	/* The guest may have written over it since (a loader, a memset). */
	p = gdb_gpa_ptr(&g->m->vm, bp->gpa, &avail);
	if (p != NULL && *p == bp->insn)
		*p = bp->saved;
}

static int gdb_remove_sw(struct gdb_stub *g, uint64_t addr)
{
	for (unsigned i = 0; i < GDB_SW_BP_MAX; i++) {
		if (g->sw[i].used && g->sw[i].addr == addr) {
			gdb_remove_sw_bp(g, &g->sw[i]);
			return 0;
		}
	}
	return -ENOENT;
}

/* Z1-Z4 need a debug register: take one a Z0 holds, if need be, and
 * make that one a HLT byte. */
static int gdb_claim_dr(struct gdb_stub *g)
{
	int dr = gdb_free_dr(g);

	for (unsigned i = 0; dr < 0 && i < GDB_SW_BP_MAX; i++) {
		struct gdb_sw_bp *bp = &g->sw[i];
		int slot = bp->dr;

		if (!bp->used || slot < 0 || gdb_plant(g, bp, GDB_HLT) < 0)
			continue;
		g->hw[slot].used = false;
		dr = slot;
	}
	return dr;
}

static int gdb_insert_hw(struct gdb_stub *g, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	int dr;

	if (type == GDB_WATCH_READ)
		return 1;	/* x86 has no read-only watchpoint: gdb hears "not supported" */
	if (type == GDB_BP_HARDWARE)
		len = 1;
	else if ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1)) != 0)
		return -EINVAL;
	dr = gdb_claim_dr(g);
	if (dr < 0)
		return -ENOSPC;
	g->hw[dr] = (struct gdb_hw_bp){ .used = true, .type = type, .addr = addr,
					.len = (unsigned)len };
	return 0;
}

static int gdb_remove_hw(struct gdb_stub *g, enum gdb_bp_type type, uint64_t addr)
{
	for (unsigned i = 0; i < GDB_HW_BP_MAX; i++) {
		if (g->hw[i].used && !g->hw[i].for_z0 && g->hw[i].type == type &&
		    g->hw[i].addr == addr) {
			g->hw[i].used = false;
			return 0;
		}
	}
	return type == GDB_WATCH_READ ? 1 : -ENOENT;
}

/* What KVM_SET_GUEST_DEBUG should say now, plus `extra` (INJECT_BP/DB). */
static int gdb_set_guest_debug(struct gdb_stub *g, uint32_t extra)
{
	static const uint32_t dr7_len[9] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
	struct kvm_guest_debug dbg = { .control = extra };
	uint32_t dr7 = GDB_DR7_BASE;
	bool any_hw = false;

	for (unsigned i = 0; i < GDB_SW_BP_MAX; i++) {
		if (g->sw[i].used && g->sw[i].dr < 0 && g->sw[i].insn == GDB_INT3)
			dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	}
	for (unsigned i = 0; i < GDB_HW_BP_MAX; i++) {
		const struct gdb_hw_bp *bp = &g->hw[i];
		unsigned rw;

		if (!bp->used)
			continue;
		rw = bp->type == GDB_BP_HARDWARE ? GDB_DR7_RW_EXEC :
		     bp->type == GDB_WATCH_WRITE ? GDB_DR7_RW_WRITE : GDB_DR7_RW_ACCESS;
		dbg.arch.debugreg[i] = bp->addr;
		dr7 |= GDB_DR7_G(i) | GDB_DR7_RW(i, rw) | GDB_DR7_LEN(i, dr7_len[bp->len]);
		any_hw = true;
	}
	if (any_hw) {
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
		dbg.arch.debugreg[7] = dr7;
	}
	if (g->stepping)
		dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	if (extra != 0)
		dbg.control |= KVM_GUESTDBG_ENABLE;
	if (ioctl(g->m->vcpu.fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return -errno;
	return 0;
}

/* ---- the mailbox: requests carried out by the parked vCPU ---------------------- */

static void gdb_execute(struct gdb_stub *g, struct gdb_request *req)
{
	struct machine *m = g->m;
	const struct gdb_cmd *cmd = req->cmd;
	struct kvm_regs r;
	struct kvm_sregs s;

	switch (req->type) {
	case GDB_REQ_GET_REGS:
		if (ioctl(m->vcpu.fd, KVM_GET_REGS, &r) < 0 ||
		    ioctl(m->vcpu.fd, KVM_GET_SREGS, &s) < 0) {
			req->result = -errno;
			break;
		}
		gdb_regs_from_kvm(req->regs, &r, &s);
		req->result = 0;
		break;
	case GDB_REQ_SET_REGS:
		req->result = gdb_regs_to_kvm(m, req->regs);
		break;
	case GDB_REQ_READ_MEM:
		req->done_len = gdb_access_mem(g, cmd->addr, req->out, cmd->len, false, g->phys);
		req->result = req->done_len > 0 || cmd->len == 0 ? 0 : -EFAULT;
		break;
	case GDB_REQ_WRITE_MEM:
		req->done_len = gdb_access_mem(g, cmd->addr, (uint8_t *)(uintptr_t)cmd->data,
					       cmd->data_len,
					       true, g->phys);
		req->result = req->done_len == cmd->data_len ? 0 : -EFAULT;
		break;
	case GDB_REQ_INSERT_BP:
		req->result = cmd->bp_type == GDB_BP_SOFTWARE ? gdb_insert_sw(g, cmd->addr) :
			      gdb_insert_hw(g, cmd->bp_type, cmd->addr, cmd->len);
		break;
	case GDB_REQ_REMOVE_BP:
		req->result = cmd->bp_type == GDB_BP_SOFTWARE ? gdb_remove_sw(g, cmd->addr) :
			      gdb_remove_hw(g, cmd->bp_type, cmd->addr);
		break;
	case GDB_REQ_REMOVE_ALL:
		for (unsigned i = 0; i < GDB_SW_BP_MAX; i++) {
			if (g->sw[i].used)
				gdb_remove_sw_bp(g, &g->sw[i]);
		}
		memset(g->hw, 0, sizeof(g->hw));
		req->result = 0;
		break;
	}
}

/* Loop thread: have the parked vCPU carry out `req`; -EAGAIN if it is
 * not parked (the guest runs: gdb should not ask then). */
static int gdb_call(struct gdb_stub *g, struct gdb_request *req)
{
	uint64_t one = 1;
	ssize_t ignored;
	bool done;

	req->done = false;
	pthread_mutex_lock(&g->lock);
	if (!g->parked) {
		pthread_mutex_unlock(&g->lock);
		return -EAGAIN;
	}
	g->req = req;
	pthread_mutex_unlock(&g->lock);
	ignored = write(g->m->vcpu.wake_fd, &one, sizeof(one));
	(void)ignored;
	pthread_mutex_lock(&g->lock);
	while (!req->done && g->parked)
		pthread_cond_wait(&g->cond, &g->lock);
	done = req->done;
	g->req = NULL;
	pthread_mutex_unlock(&g->lock);
	return done ? req->result : -EAGAIN;
}

/* Loop thread: let the parked vCPU go, stepping one instruction or not. */
static void gdb_resume(struct gdb_stub *g, bool step)
{
	uint64_t one = 1;
	ssize_t ignored;

	pthread_mutex_lock(&g->lock);
	if (g->parked) {
		g->resume = true;
		g->resume_step = step;
		g->stop_event = false;	/* the old stop is reported, or moot */
	}
	pthread_mutex_unlock(&g->lock);
	ignored = write(g->m->vcpu.wake_fd, &one, sizeof(one));
	(void)ignored;
}

/* vCPU thread: stop here until gdb resumes us or the machine stops. */
static void gdb_park(struct machine *m, const struct gdb_stop *why)
{
	struct gdb_stub *g = m->gdb;
	struct kvm_run *run = m->vcpu.run;
	struct pollfd pfd = { .fd = m->vcpu.wake_fd, .events = POLLIN };
	struct kvm_sregs s;
	bool long_mode;
	struct error err;

	/* An I/O instruction is complete only after KVM_RUN again (api.rst):
	 * finish it, so that gdb sees the registers after it. */
	if (m->vcpu.has_exited && (run->exit_reason == KVM_EXIT_IO ||
				   run->exit_reason == KVM_EXIT_MMIO)) {
		if (vcpu_finish_exit(&m->vcpu, &err) < 0) {
			machine_stop(m, EXIT_GUEST_FAULT, "gdb: %s", err.msg);
			return;
		}
		run->exit_reason = KVM_EXIT_INTR;	/* done: not again at the next park */
	}
	atomic_store(&g->stop_request, 0);
	g->stepping = false;
	long_mode = ioctl(m->vcpu.fd, KVM_GET_SREGS, &s) == 0 && (s.efer & GDB_EFER_LMA);
	pthread_mutex_lock(&g->lock);
	g->parked = true;
	g->long_mode = long_mode;
	pthread_cond_broadcast(&g->cond);	/* gdb_choose_arch() may wait for it */
	g->resume = false;
	g->stop = *why;
	g->stop_event = true;
	pthread_mutex_unlock(&g->lock);
	ev_async_send(m->loop, &g->stop_watcher);

	for (;;) {
		uint64_t count;
		struct gdb_request *req;
		bool leave;

		/* Clear the eventfd first: a post after this point is not lost. */
		if (read(m->vcpu.wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			break;
		pthread_mutex_lock(&g->lock);
		req = g->req;
		if (req != NULL && !req->done) {
			pthread_mutex_unlock(&g->lock);
			gdb_execute(g, req);
			pthread_mutex_lock(&g->lock);
			req->done = true;
			pthread_cond_broadcast(&g->cond);
			pthread_mutex_unlock(&g->lock);
			continue;
		}
		leave = g->resume || machine_stopping(m);
		if (leave) {
			g->parked = false;
			g->stepping = g->resume && g->resume_step;
			g->resume = false;
			pthread_cond_broadcast(&g->cond);
		}
		pthread_mutex_unlock(&g->lock);
		if (leave)
			break;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
	}
	pthread_mutex_lock(&g->lock);
	g->parked = false;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	if (g->stepping)
		g->steps++;
	if (!machine_stopping(m) && gdb_set_guest_debug(g, 0) < 0)
		machine_stop(m, EXIT_GUEST_FAULT, "gdb: KVM_SET_GUEST_DEBUG failed: %s",
			     strerror(errno));
}

/* ---- vCPU thread hooks ---------------------------------------------------------- */

void gdb_vcpu_check(struct machine *m)
{
	int sig = atomic_load(&m->gdb->stop_request);

	if (sig != 0) {
		struct gdb_stop stop = { .signal = sig, .kind = GDB_STOP_SIGNAL };

		gdb_park(m, &stop);
	}
}

bool gdb_vcpu_stop_wanted(struct machine *m)
{
	return atomic_load(&m->gdb->stop_request) != 0;
}

bool gdb_vcpu_stepping(struct machine *m)
{
	return m->gdb->stepping;
}

bool gdb_vcpu_hlt(struct machine *m)
{
	struct gdb_stub *g = m->gdb;
	struct gdb_stop stop = { .signal = GDB_SIGTRAP, .kind = GDB_STOP_SIGNAL };
	bool any = false;

	for (unsigned i = 0; i < GDB_SW_BP_MAX; i++)
		any |= g->sw[i].used && g->sw[i].dr < 0 && g->sw[i].insn == GDB_HLT;
	if (any) {
		struct kvm_regs r;
		struct kvm_sregs s;
		uint64_t pc;

		if (ioctl(m->vcpu.fd, KVM_GET_REGS, &r) < 0 ||
		    ioctl(m->vcpu.fd, KVM_GET_SREGS, &s) < 0) {
			machine_stop(m, EXIT_GUEST_FAULT, "gdb: cannot read the registers: %s",
				     strerror(errno));
			return true;
		}
		/* KVM left RIP after the HLT; ours is the byte before. */
		pc = gdb_pc(r.rip - 1, &r, &s);
		for (unsigned i = 0; i < GDB_SW_BP_MAX; i++) {
			const struct gdb_sw_bp *bp = &g->sw[i];

			if (!bp->used || bp->dr >= 0 || bp->insn != GDB_HLT || bp->addr != pc)
				continue;
			r.rip--;
			if (ioctl(m->vcpu.fd, KVM_SET_REGS, &r) < 0) {
				machine_stop(m, EXIT_GUEST_FAULT, "gdb: cannot set RIP: %s",
					     strerror(errno));
				return true;
			}
			g->bp_hits++;
			stop.kind = GDB_STOP_SWBREAK;
			gdb_park(m, &stop);
			return true;
		}
	}
	if (!g->stepping)
		return false;
	gdb_park(m, &stop);	/* a step ends after a HLT, halted or not */
	return true;
}

void gdb_vcpu_debug_exit(struct machine *m)
{
	struct gdb_stub *g = m->gdb;
	const struct kvm_debug_exit_arch *d = &m->vcpu.run->debug.arch;
	struct gdb_stop stop = { .signal = GDB_SIGTRAP, .kind = GDB_STOP_SIGNAL };

	if (g == NULL) {
		machine_stop(m, EXIT_GUEST_FAULT, "unexpected KVM_EXIT_DEBUG without --gdb");
		return;
	}
	if (d->exception == GDB_BP_VECTOR) {
		for (unsigned i = 0; i < GDB_SW_BP_MAX; i++) {
			if (g->sw[i].used && g->sw[i].insn == GDB_INT3 && g->sw[i].addr == d->pc) {
				g->bp_hits++;
				stop.kind = GDB_STOP_SWBREAK;
				gdb_park(m, &stop);
				return;
			}
		}
		/* The guest's own INT3 (pm32 has one): its #BP, as if we weren't here. */
		if (gdb_set_guest_debug(g, KVM_GUESTDBG_INJECT_BP) < 0)
			machine_stop(m, EXIT_GUEST_FAULT, "gdb: cannot give the guest its #BP: %s",
				     strerror(errno));
		return;
	}
	for (unsigned i = 0; i < GDB_HW_BP_MAX; i++) {
		const struct gdb_hw_bp *bp = &g->hw[i];

		if (!bp->used || !(d->dr6 & (1u << i)))
			continue;
		if (bp->type == GDB_BP_HARDWARE) {
			stop.kind = bp->for_z0 ? GDB_STOP_SWBREAK : GDB_STOP_HWBREAK;
			g->bp_hits++;
		} else {
			stop.kind = bp->type == GDB_WATCH_WRITE ? GDB_STOP_WATCH : GDB_STOP_AWATCH;
			stop.watch_addr = bp->addr;
			g->watch_hits++;
		}
		gdb_park(m, &stop);
		return;
	}
	if (g->stepping && (d->dr6 & GDB_DR6_BS)) {
		gdb_park(m, &stop);
		return;
	}
	if (gdb_set_guest_debug(g, KVM_GUESTDBG_INJECT_DB) < 0)
		machine_stop(m, EXIT_GUEST_FAULT, "gdb: cannot give the guest its #DB: %s",
			     strerror(errno));
}

/* ---- the connection (loop thread) ----------------------------------------------- */

static void gdb_close_client(struct gdb_stub *g);

/* Write all of out[0..len) to gdb, waiting a bounded time for room. */
static void gdb_write(struct gdb_stub *g, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len && g->client_fd >= 0) {
		ssize_t n = write(g->client_fd, buf + done, len - done);

		if (n > 0) {
			done += (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd pfd = { .fd = g->client_fd, .events = POLLOUT };

			if (errno == EAGAIN && poll(&pfd, 1, GDB_SEND_TIMEOUT_MS) <= 0)
				gdb_close_client(g);
		} else {
			gdb_close_client(g);
		}
	}
}

/* Send the reply body with `ack` ('+' or 0) before it, as one write. */
static void gdb_send_reply(struct gdb_stub *g, char ack, bool binary)
{
	size_t n = 0;

	if (g->reply.overflow) {
		gdb_buf_reset(&g->reply);
		gdb_buf_puts(&g->reply, "E01");
	}
	if (ack != 0)
		g->out[n++] = ack;
	g->last_start = n;
	g->last_len = gdb_frame(g->reply.data, g->reply.len, binary, g->out + n);
	gdb_write(g, g->out, n + g->last_len);
}

static void gdb_send_errno(struct gdb_stub *g, int err)
{
	gdb_buf_reset(&g->reply);
	if (err == 1)
		return;		/* an empty reply: not supported */
	gdb_buf_printf(&g->reply, "E%02x", (unsigned)(err < 0 ? -err : err) & 0xff);
}

/* Ask the vCPU to stop (Ctrl-C, a new connection): it parks and reports. */
static void gdb_request_stop(struct gdb_stub *g, int signal)
{
	bool parked;

	pthread_mutex_lock(&g->lock);
	parked = g->parked && !g->resume;
	pthread_mutex_unlock(&g->lock);
	if (parked)
		return;
	atomic_store(&g->stop_request, signal);
	vcpu_kick(g->m);
}

/* The parked vCPU's stop reason as a reply, if it is parked. */
static bool gdb_stop_reply(struct gdb_stub *g)
{
	struct gdb_stop stop;
	bool parked;

	pthread_mutex_lock(&g->lock);
	parked = g->parked && !g->resume;
	stop = g->stop;
	if (parked)
		g->stop_event = false;
	pthread_mutex_unlock(&g->lock);
	if (parked)
		gdb_reply_stop(&g->reply, &stop);
	return parked;
}

static void gdb_monitor(struct gdb_stub *g, const char *line)
{
	struct gdb_buf text;
	const char *msg;

	if (strcmp(line, "phys on") == 0) {
		g->phys = true;
		msg = "memory addresses are physical\n";
	} else if (strcmp(line, "phys off") == 0) {
		g->phys = false;
		msg = "memory addresses are linear\n";
	} else if (strcmp(line, "phys") == 0) {
		msg = g->phys ? "memory addresses are physical\n" : "memory addresses are linear\n";
	} else if (strcmp(line, "swbp hlt") == 0) {
		g->swbp = GDB_SWBP_HLT;
		msg = "new breakpoints: a HLT byte\n";
	} else if (strcmp(line, "swbp int3") == 0) {
		g->swbp = GDB_SWBP_INT3;
		msg = "new breakpoints: an INT3 byte (KVM_GUESTDBG_USE_SW_BP)\n";
	} else if (strcmp(line, "swbp dr") == 0) {
		g->swbp = GDB_SWBP_DR;
		msg = "new breakpoints: a debug register while one is free, else a HLT byte\n";
	} else {
		msg = "minivmm monitor commands:\n"
		      "  phys on   m/M/X (x, set {int}...) take physical addresses\n"
		      "  phys off  they take linear addresses, through the guest's paging (default)\n"
		      "  phys      which one is in use\n"
		      "  swbp hlt|int3|dr  what `break` puts in: a HLT byte (default), an INT3\n"
		      "            byte, or a debug register while one is free\n";
	}
	/* Console output ("O" + hex), then the command's own reply. */
	gdb_buf_reset(&text);
	gdb_buf_putc(&text, 'O');
	gdb_buf_hex(&text, (const uint8_t *)msg, strlen(msg));
	g->last_len = gdb_frame(text.data, text.len, false, g->out);
	gdb_write(g, g->out, g->last_len);
	gdb_buf_reset(&g->reply);
	gdb_buf_puts(&g->reply, "OK");
}

/* No breakpoints left, and the guest runs.  If it is running now, stop
 * it first: the INT3s gdb had inserted must come out. */
static void gdb_detach(struct gdb_stub *g)
{
	struct gdb_request req = { .type = GDB_REQ_REMOVE_ALL };

	if (gdb_call(g, &req) < 0) {
		g->detach_pending = true;
		gdb_request_stop(g, GDB_SIGTRAP);
		return;
	}
	g->detach_pending = false;
	atomic_store(&g->stop_request, 0);
	gdb_resume(g, false);
}

/*
 * gdb connects: pick the register layout by the vCPU's mode, amd64 in long
 * mode and i386 otherwise, for the whole session (gdb reads the target
 * description once).  The stop asked for at accept is microseconds away;
 * wait for it, a bounded time, or take the mode of the last park.
 */
static void gdb_choose_arch(struct gdb_stub *g)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += GDB_ARCH_WAIT_MS / 1000;
	pthread_mutex_lock(&g->lock);
	while (!g->parked && !machine_stopping(g->m) &&
	       pthread_cond_timedwait(&g->cond, &g->lock, &until) == 0)
		;
	g->arch = g->long_mode ? GDB_ARCH_AMD64 : GDB_ARCH_I386;
	pthread_mutex_unlock(&g->lock);
}

/* One packet from gdb: answer it (or, for c/s, later with the stop). */
static void gdb_handle_packet(struct gdb_stub *g, char ack)
{
	struct gdb_cmd *cmd = &g->cmd;
	struct gdb_request req = { .cmd = cmd };
	int ret;

	g->packets++;
	gdb_parse(g->framer.buf, g->framer.len, cmd);
	gdb_buf_reset(&g->reply);
	if (cmd->type == GDB_CMD_SUPPORTED)
		gdb_choose_arch(g);
	if (gdb_reply_generic(cmd, g->arch, &g->reply)) {
		gdb_send_reply(g, ack, cmd->type == GDB_CMD_XFER_FEATURES);
		if (cmd->type == GDB_CMD_NO_ACK)
			g->no_ack = true;	/* from the next packet on */
		return;
	}
	switch (cmd->type) {
	case GDB_CMD_HALT_REASON:
		if (!gdb_stop_reply(g)) {
			g->owe_stop = true;	/* answered when the vCPU has stopped */
			if (ack != 0)
				gdb_write(g, &ack, 1);
			return;
		}
		break;
	case GDB_CMD_READ_REGS:
	case GDB_CMD_READ_REG:
		req.type = GDB_REQ_GET_REGS;
		req.regs = &g->regs;
		g->regs.arch = g->arch;
		ret = gdb_call(g, &req);
		if (ret < 0)
			gdb_send_errno(g, ret);
		else if (cmd->type == GDB_CMD_READ_REGS)
			gdb_reply_regs(&g->reply, &g->regs);
		else
			gdb_reply_reg(&g->reply, &g->regs, cmd->regno);
		break;
	case GDB_CMD_WRITE_REGS:
	case GDB_CMD_WRITE_REG:
		req.type = GDB_REQ_GET_REGS;
		req.regs = &g->regs;
		g->regs.arch = g->arch;
		ret = gdb_call(g, &req);
		if (ret == 0 && !gdb_regs_apply(&g->regs, cmd))
			ret = -EINVAL;
		if (ret == 0) {
			req.type = GDB_REQ_SET_REGS;
			ret = gdb_call(g, &req);
		}
		if (ret < 0)
			gdb_send_errno(g, ret);
		else
			gdb_buf_puts(&g->reply, "OK");
		break;
	case GDB_CMD_READ_MEM:
		req.type = GDB_REQ_READ_MEM;
		req.out = g->mem;
		ret = gdb_call(g, &req);
		if (ret < 0)
			gdb_send_errno(g, ret);
		else
			gdb_buf_hex(&g->reply, g->mem, req.done_len);
		break;
	case GDB_CMD_WRITE_MEM:
	case GDB_CMD_INSERT_BP:
	case GDB_CMD_REMOVE_BP:
		req.type = cmd->type == GDB_CMD_WRITE_MEM ? GDB_REQ_WRITE_MEM :
			   cmd->type == GDB_CMD_INSERT_BP ? GDB_REQ_INSERT_BP : GDB_REQ_REMOVE_BP;
		ret = gdb_call(g, &req);
		if (ret != 0)
			gdb_send_errno(g, ret);
		else
			gdb_buf_puts(&g->reply, "OK");
		break;
	case GDB_CMD_CONTINUE:
	case GDB_CMD_STEP:
		if (cmd->has_addr) {
			req.type = GDB_REQ_GET_REGS;
			req.regs = &g->regs;
			g->regs.arch = g->arch;
			ret = gdb_call(g, &req);
			gdb_regs_set(&g->regs, gdb_layout(g->arch)->pc, cmd->addr);
			req.type = GDB_REQ_SET_REGS;
			if (ret == 0)
				ret = gdb_call(g, &req);
			if (ret < 0) {
				gdb_send_errno(g, ret);
				break;
			}
		}
		g->owe_stop = true;
		gdb_resume(g, cmd->type == GDB_CMD_STEP);
		if (ack != 0)
			gdb_write(g, &ack, 1);
		return;
	case GDB_CMD_MONITOR:
		if (ack != 0)
			gdb_write(g, &ack, 1);
		gdb_monitor(g, (const char *)cmd->data);
		gdb_send_reply(g, 0, false);
		return;
	case GDB_CMD_KILL:
		if (ack != 0)
			gdb_write(g, &ack, 1);
		machine_stop(g->m, EXIT_QUIT, "gdb killed the guest");
		return;
	case GDB_CMD_DETACH:
		gdb_detach(g);
		gdb_buf_puts(&g->reply, "OK");
		gdb_send_reply(g, ack, false);
		gdb_close_client(g);
		return;
	default:
		break;
	}
	gdb_send_reply(g, ack, false);
}

static void gdb_close_client(struct gdb_stub *g)
{
	if (g->client_fd < 0)
		return;
	ev_io_stop(g->m->loop, &g->client_watcher);
	close(g->client_fd);
	g->client_fd = -1;
	g->owe_stop = false;
	/* Nobody debugs it any more: no breakpoints, and it runs. */
	if (!machine_stopping(g->m))
		gdb_detach(g);
	ev_io_start(g->m->loop, &g->listen_watcher);
}

static void gdb_on_client(struct ev_loop *loop, ev_io *w, int revents)
{
	struct gdb_stub *g = w->data;
	uint8_t buf[4096];
	ssize_t n;

	(void)loop;
	(void)revents;
	n = read(g->client_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		gdb_close_client(g);
		return;
	}
	for (ssize_t i = 0; i < n && g->client_fd >= 0; i++) {
		switch (gdb_framer_feed(&g->framer, buf[i])) {
		case GDB_FRAME_PACKET:
			gdb_handle_packet(g, g->no_ack ? 0 : '+');
			break;
		case GDB_FRAME_BAD:
			if (!g->no_ack)
				gdb_write(g, "-", 1);
			break;
		case GDB_FRAME_INTERRUPT:
			gdb_request_stop(g, GDB_SIGINT);
			break;
		case GDB_FRAME_NACK:
			if (g->last_len > 0)
				gdb_write(g, g->out + g->last_start, g->last_len);
			break;
		case GDB_FRAME_ACK:
		case GDB_FRAME_NONE:
			break;
		}
	}
}

static void gdb_on_listen(struct ev_loop *loop, ev_io *w, int revents)
{
	struct gdb_stub *g = w->data;
	int fd;

	(void)revents;
	fd = accept4(g->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;		/* gone before we took it: wait for the next */
	/* One gdb at a time: the next waits in the backlog. */
	ev_io_stop(loop, &g->listen_watcher);
	g->client_fd = fd;
	g->detach_pending = false;
	gdb_framer_init(&g->framer);
	g->no_ack = false;
	g->owe_stop = false;
	g->last_len = 0;
	ev_io_set(&g->client_watcher, fd, EV_READ);
	ev_io_start(loop, &g->client_watcher);
	/* As QEMU: a debugger arriving stops the guest. */
	gdb_request_stop(g, GDB_SIGTRAP);
}

/* The vCPU parked: send the stop reply gdb waits for. */
static void gdb_on_stop(struct ev_loop *loop, ev_async *w, int revents)
{
	struct gdb_stub *g = w->data;
	struct gdb_stop stop;
	bool report;

	(void)loop;
	(void)revents;
	pthread_mutex_lock(&g->lock);
	report = g->stop_event && g->parked && !g->resume;
	stop = g->stop;
	if (report)
		g->stop_event = false;
	pthread_mutex_unlock(&g->lock);
	if (report && g->detach_pending && g->client_fd < 0) {
		gdb_detach(g);
		return;
	}
	if (!report || g->client_fd < 0 || !g->owe_stop)
		return;
	g->owe_stop = false;
	gdb_buf_reset(&g->reply);
	gdb_reply_stop(&g->reply, &stop);
	gdb_send_reply(g, 0, false);
}

/* ---- life ----------------------------------------------------------------------- */

int gdb_create(struct machine *m, struct error *err)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)m->opts->gdb_port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct gdb_stub *g;
	int one = 1;

	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return error_set(err, -ENOMEM, "out of memory");
	g->m = m;
	g->client_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	m->gdb = g;
	/* Loopback only: whoever reaches this port owns the guest. */
	g->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g->listen_fd < 0)
		return error_set(err, -errno, "gdb: cannot create a socket: %s", strerror(errno));
	setsockopt(g->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Inherited by the accepted socket (Linux): replies leave at once. */
	setsockopt(g->listen_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(g->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(g->listen_fd, 1) < 0)
		return error_set(err, -errno, "gdb: cannot listen on 127.0.0.1:%d: %s",
				 m->opts->gdb_port, strerror(errno));
	g->head.listen_fd = g->listen_fd;
	ev_io_init(&g->listen_watcher, gdb_on_listen, g->listen_fd, EV_READ);
	g->listen_watcher.data = g;
	ev_io_start(m->loop, &g->listen_watcher);
	ev_init(&g->client_watcher, gdb_on_client);
	g->client_watcher.data = g;
	ev_async_init(&g->stop_watcher, gdb_on_stop);
	g->stop_watcher.data = g;
	ev_async_start(m->loop, &g->stop_watcher);
	if (m->opts->gdb_wait)
		atomic_store(&g->stop_request, GDB_SIGTRAP);
	return 0;
}

void gdb_notify_exit(struct machine *m)
{
	struct gdb_stub *g = m->gdb;
	int status = m->exit_status;
	bool signaled = status > EXIT_SIGNAL_BASE && status < EXIT_SIGNAL_BASE + 64;

	if (g == NULL || g->client_fd < 0)
		return;
	gdb_buf_reset(&g->reply);
	gdb_reply_exit(&g->reply, signaled ? status - EXIT_SIGNAL_BASE : status, signaled);
	gdb_send_reply(g, 0, false);
}

void gdb_destroy(struct machine *m)
{
	struct gdb_stub *g = m->gdb;

	if (g == NULL)
		return;
	if (m->loop != NULL) {
		ev_io_stop(m->loop, &g->listen_watcher);
		ev_io_stop(m->loop, &g->client_watcher);
		ev_async_stop(m->loop, &g->stop_watcher);
	}
	if (g->client_fd >= 0)
		close(g->client_fd);
	if (g->listen_fd >= 0)
		close(g->listen_fd);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
	free(g);
	m->gdb = NULL;
}

void gdb_print_stats(struct machine *m, FILE *out)
{
	const struct gdb_stub *g = m->gdb;

	if (g == NULL)
		return;
	fprintf(out, "minivmm: stats: gdb: %" PRIu64 " packets, %" PRIu64 " breakpoint hits, %"
		PRIu64 " watchpoint hits, %" PRIu64 " steps\n",
		g->packets, g->bp_hits, g->watch_hits, g->steps);
}
