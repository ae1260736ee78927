// SPDX-License-Identifier: MIT
/*
 * The seccomp allow-lists (see sandbox.h; DEVELOPERS.md, "The seccomp
 * allow-list", has the table with the reason for every entry).
 *
 * Each list is the set of system calls one thread makes after setup, found
 * by running every guest test, and the console, trace, signal and failure
 * paths, under strace -f with the filters on.  Where an argument says what
 * a call does, the rule checks it: the vCPU thread may issue only the four
 * KVM ioctls it uses, on its vCPU fd; the loop thread no KVM ioctl but,
 * with --vga, KVM_GET_DIRTY_LOG on the VM fd;
 * memory may be mapped, but never executable.  Arguments that are C ints
 * (fds, ioctl requests, signals) are compared on their low 32 bits, as the
 * kernel reads them.
 *
 * Adding a system call to minivmm: run the guest suite (`meson test -C
 * build --suite guest`); a missing entry ends the run with one
 * "forbidden system call" line naming it and the thread.  Add the call to
 * the list of that thread below, with the narrowest arguments that work,
 * and a line to the table in DEVELOPERS.md.
 */
#define _GNU_SOURCE	/* REG_RDI & co. in ucontext_t */

#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

/* libseccomp's header brings <elf.h>, whose EV_NONE macro would clash with libev's enum. */
#undef EV_NONE

#include "gdb.h"
#include "machine.h"
#include "util.h"

/* ---- sanitizer builds --------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER "AddressSanitizer"
#elif defined(__SANITIZE_THREAD__)
#define SANDBOX_SANITIZER "ThreadSanitizer"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER "AddressSanitizer"
#elif __has_feature(thread_sanitizer)
#define SANDBOX_SANITIZER "ThreadSanitizer"
#elif __has_feature(memory_sanitizer)
#define SANDBOX_SANITIZER "MemorySanitizer"
#endif
#endif

const char *sandbox_skipped_reason(void)
{
#ifdef SANDBOX_SANITIZER
	return "built with " SANDBOX_SANITIZER ", whose runtime makes calls that no allow-list "
	       "should hold";
#else
	return NULL;
#endif
}

const char *sandbox_thread_name(enum sandbox_thread thread)
{
	return thread == SANDBOX_THREAD_VCPU ? "vCPU" : "loop";
}

/* ---- the SIGSYS handler --------------------------------------------------------- */

/* Names of the native system calls, resolved once before any filter is on:
 * the libseccomp resolver allocates, which a signal handler must not. */
enum { SANDBOX_NAMES = 512, SANDBOX_NAME_LEN = 32 };
static char sandbox_names[SANDBOX_NAMES][SANDBOX_NAME_LEN];
static uint32_t sandbox_native_arch;

/* The terminal to restore before dying (sandbox_params.tty_*): a copy, so
 * that it outlives the machine (main() frees it before exit). */
static pthread_mutex_t sandbox_tty_lock = PTHREAD_MUTEX_INITIALIZER;
static struct termios sandbox_tty_saved;
static volatile sig_atomic_t sandbox_tty_fd = -1;

/* Which list the current thread installed, for the message. */
static __thread const char *sandbox_current
	__attribute__((tls_model("initial-exec")));

/* A line built without stdio or malloc: async-signal-safe. */
struct line {
	char buf[320];
	size_t len;
};

static void line_add(struct line *l, const char *s)
{
	while (*s != '\0' && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = *s++;
}

static void line_add_num(struct line *l, uint64_t v, unsigned base)
{
	char digits[24];
	size_t n = 0;

	if (base == 16)
		line_add(l, "0x");
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	while (n > 0 && l->len < sizeof(l->buf) - 1)
		l->buf[l->len++] = digits[--n];
}

static void sandbox_sigsys(int sig, siginfo_t *si, void *context)
{
	struct line l = { .len = 0 };
	const char *thread = sandbox_current;
	int nr = si->si_syscall;
	size_t done = 0;

	(void)sig;
	line_add(&l, "minivmm: seccomp: forbidden system call ");
	line_add_num(&l, (uint64_t)(unsigned)nr, 10);
	if (si->si_arch != sandbox_native_arch)
		line_add(&l, " (of another ABI)");
	else if (nr >= 0 && nr < SANDBOX_NAMES && sandbox_names[nr][0] != '\0') {
		line_add(&l, " (");
		line_add(&l, sandbox_names[nr]);
		line_add(&l, ")");
	}
	line_add(&l, " on the ");
	line_add(&l, thread != NULL ? thread : "unknown");
	line_add(&l, " thread: please report this (");
#ifdef __x86_64__
	{
		const ucontext_t *uc = context;

		line_add(&l, "arguments ");
		line_add_num(&l, (uint64_t)uc->uc_mcontext.gregs[REG_RDI], 16);
		line_add(&l, ", ");
		line_add_num(&l, (uint64_t)uc->uc_mcontext.gregs[REG_RSI], 16);
		line_add(&l, ", ");
		line_add_num(&l, (uint64_t)uc->uc_mcontext.gregs[REG_RDX], 16);
		line_add(&l, "; ");
	}
#else
	(void)context;
#endif
	line_add(&l, "--no-seccomp runs without the allow-list)\n");
	while (done < l.len) {
		ssize_t n = write(STDERR_FILENO, l.buf + done, l.len - done);

		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			done += (size_t)n;
	}
	if (sandbox_tty_fd >= 0)
		tcsetattr(sandbox_tty_fd, TCSANOW, &sandbox_tty_saved);
	/*
	 * SA_RESETHAND made SIGSYS's action the default again and SA_NODEFER
	 * left it unblocked: die of it, as SCMP_ACT_KILL_PROCESS would have
	 * (status 159 in a shell, a core where they are enabled).  raise() is
	 * on every allow-list.
	 */
	raise(SIGSYS);
	_exit(128 + SIGSYS);
}

static pthread_once_t sandbox_once = PTHREAD_ONCE_INIT;
static int sandbox_once_errno;

static void sandbox_init_once(void)
{
	struct sigaction sa = {
		.sa_sigaction = sandbox_sigsys,
		.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER,
	};

	/* libseccomp probes the kernel on first use; do it here, on one thread. */
	seccomp_api_get();
	sandbox_native_arch = seccomp_arch_native();
	for (int nr = 0; nr < SANDBOX_NAMES; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (name != NULL) {
			strncpy(sandbox_names[nr], name, SANDBOX_NAME_LEN - 1);
			free(name);
		}
	}
	/* Nothing else runs while the line is written; SIGSYS itself stays
	 * unblocked so that raise() in the handler kills. */
	sigfillset(&sa.sa_mask);
	sigdelset(&sa.sa_mask, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		sandbox_once_errno = errno;
}

/* ---- the lists ------------------------------------------------------------------ */

/* An int argument (fd, request, signal, command): its low 32 bits. */
#define ARG_IS(n, v) \
	((struct scmp_arg_cmp){ .arg = (n), .op = SCMP_CMP_MASKED_EQ, \
				.datum_a = 0xffffffffu, .datum_b = (uint32_t)(v) })
/* A pointer or size argument, whole. */
#define ARG_IS64(n, v) \
	((struct scmp_arg_cmp){ .arg = (n), .op = SCMP_CMP_EQ, .datum_a = (v) })
/* Anything but this value, on 64 bits: garbage in the upper half slips past,
 * which changes how a forbidden call is reported, never whether it runs. */
#define ARG_NOT64(n, v) \
	((struct scmp_arg_cmp){ .arg = (n), .op = SCMP_CMP_NE, .datum_a = (v) })
/* Flag bits that must be clear / set. */
#define ARG_CLEAR(n, bits) \
	((struct scmp_arg_cmp){ .arg = (n), .op = SCMP_CMP_MASKED_EQ, \
				.datum_a = (bits), .datum_b = 0 })
#define ARG_SET(n, bits) \
	((struct scmp_arg_cmp){ .arg = (n), .op = SCMP_CMP_MASKED_EQ, \
				.datum_a = (bits), .datum_b = (bits) })

struct sandbox_builder {
	scmp_filter_ctx ctx;
	int ret;		/* the first error */
	int failed_nr;
};

static void allow(struct sandbox_builder *b, int nr, unsigned nargs,
		  const struct scmp_arg_cmp *args)
{
	int ret;

	if (b->ret < 0)
		return;
	ret = seccomp_rule_add_array(b->ctx, SCMP_ACT_ALLOW, nr, nargs, args);
	if (ret < 0) {
		b->ret = ret;
		b->failed_nr = nr;
	}
}

/* Allow a call whatever its arguments, or only when all the checks hold. */
#define ALLOW_ANY(b, name) allow((b), SCMP_SYS(name), 0, NULL)
#define ALLOW_IF(b, name, ...)                                                      \
	do {                                                                        \
		const struct scmp_arg_cmp checks_[] = { __VA_ARGS__ };              \
		allow((b), SCMP_SYS(name), ARRAY_SIZE(checks_), checks_);           \
	} while (0)

/* Every thread: what glibc, libev, the device glue and the signal handlers
 * do wherever they run. */
static void allow_common(struct sandbox_builder *b, const struct sandbox_params *p, pid_t pid)
{
	static const unsigned long tty_requests[] = { TCGETS, TCSETS, TCSETSW, TCSETSF };

	/* fds opened during setup: eventfds, timerfds, stdin/stdout/stderr. */
	ALLOW_ANY(b, read);
	ALLOW_ANY(b, write);
	/* Sleeping on fds: the halted vCPU, the tracer's and the console's exit flush. */
	ALLOW_ANY(b, poll);
	ALLOW_ANY(b, ppoll);
	/* Device timers and the console's flush timer are re-armed from both threads. */
	ALLOW_ANY(b, timerfd_settime);
	/* pthread mutexes (the device lock...), pthread_join. */
	ALLOW_ANY(b, futex);
	/* The clock, where the vDSO falls back to the kernel (no TSC clocksource). */
	ALLOW_ANY(b, clock_gettime);
	ALLOW_ANY(b, gettimeofday);
	/* Signals: returning from handlers (the vCPU kick, libev's, the console's),
	 * masks (pthread_kill, raise, libev), an interrupted timed wait resuming. */
	ALLOW_ANY(b, rt_sigreturn);
	ALLOW_ANY(b, rt_sigprocmask);
	ALLOW_ANY(b, restart_syscall);
	/* Actions: libev puts SIGINT/TERM/HUP back at exit; a fatal signal is
	 * re-raised with its default action.  Never SIGSYS: nothing replaces
	 * the handler that reports a forbidden call. */
	ALLOW_IF(b, rt_sigaction, ARG_NOT64(0, SIGSYS));
	/* Signals to this process only: the kick (pthread_kill), raise(), abort(). */
	ALLOW_ANY(b, getpid);
	ALLOW_ANY(b, gettid);
	ALLOW_IF(b, tgkill, ARG_IS(0, pid));
	ALLOW_IF(b, kill, ARG_IS(0, pid));
	/* malloc and free, and a thread's stack at its exit: memory, never executable. */
	ALLOW_ANY(b, brk);
	ALLOW_IF(b, mmap, ARG_CLEAR(2, PROT_EXEC), ARG_SET(3, MAP_ANONYMOUS));
	ALLOW_IF(b, mprotect, ARG_CLEAR(2, PROT_EXEC));
	ALLOW_ANY(b, mremap);
	ALLOW_ANY(b, munmap);
	ALLOW_ANY(b, madvise);
	/* The terminal in raw mode: restored at exit and by fatal-signal handlers. */
	if (p->tty_fd >= 0) {
		for (size_t i = 0; i < ARRAY_SIZE(tty_requests); i++)
			ALLOW_IF(b, ioctl, ARG_IS(0, p->tty_fd), ARG_IS(1, tty_requests[i]));
	}
	ALLOW_ANY(b, exit);
	ALLOW_ANY(b, exit_group);
}

/* The vCPU thread: KVM_RUN and what its exits need. */
static void allow_vcpu(struct sandbox_builder *b, const struct sandbox_params *p)
{
	static const unsigned long kvm_requests[] = {
		KVM_RUN,	/* the guest runs */
		KVM_INTERRUPT,	/* injecting the PIC's vector */
		KVM_GET_REGS,	/* the register dump of a dead guest */
		KVM_GET_SREGS,	/* ditto */
	};

	static const unsigned long kvm_reboot_requests[] = {
		KVM_SET_REGS,		/* the boot plan's registers, again */
		KVM_SET_SREGS,
		KVM_GET_VCPU_EVENTS,	/* no exception or interrupt left pending */
		KVM_SET_VCPU_EVENTS,
	};

	for (size_t i = 0; i < ARRAY_SIZE(kvm_requests); i++)
		ALLOW_IF(b, ioctl, ARG_IS(0, p->vcpu_fd), ARG_IS(1, kvm_requests[i]));
	/* Only with --reboot: otherwise a reset ends the run. */
	for (size_t i = 0; p->vcpu_reboot && i < ARRAY_SIZE(kvm_reboot_requests); i++)
		ALLOW_IF(b, ioctl, ARG_IS(0, p->vcpu_fd), ARG_IS(1, kvm_reboot_requests[i]));
	/* Only with --gdb (gdb.c), while the vCPU is parked: breakpoints,
	 * watchpoints and steps, gdb's m/M/Z0 by linear address, and G/P. */
	if (p->gdb) {
		ALLOW_IF(b, ioctl, ARG_IS(0, p->vcpu_fd), ARG_IS(1, KVM_SET_GUEST_DEBUG));
		ALLOW_IF(b, ioctl, ARG_IS(0, p->vcpu_fd), ARG_IS(1, KVM_TRANSLATE));
	}
	if (p->gdb && !p->vcpu_reboot) {
		ALLOW_IF(b, ioctl, ARG_IS(0, p->vcpu_fd), ARG_IS(1, KVM_SET_REGS));
		ALLOW_IF(b, ioctl, ARG_IS(0, p->vcpu_fd), ARG_IS(1, KVM_SET_SREGS));
	}
}

/* The loop thread: libev, the console, and taking the machine apart. */
static void allow_loop(struct sandbox_builder *b, const struct sandbox_params *p)
{
	static const int fcntl_cmds[] = { F_GETFL, F_SETFL, F_GETFD, F_SETFD };

	ALLOW_ANY(b, epoll_wait);
	ALLOW_ANY(b, epoll_pwait);
	ALLOW_ANY(b, epoll_ctl);
	/* Teardown: timerfds, the vCPU, the VM, /dev/kvm. */
	ALLOW_ANY(b, close);
	/* stdout's flags at console exit; libev's O_NONBLOCK and FD_CLOEXEC. */
	for (size_t i = 0; i < ARRAY_SIZE(fcntl_cmds); i++)
		ALLOW_IF(b, fcntl, ARG_IS(1, fcntl_cmds[i]));
	/* The console writing to a socket (MSG_DONTWAIT): connected, no address. */
	ALLOW_IF(b, sendto, ARG_IS64(4, 0));
	/* --vga: which pages of the VGA window the guest wrote (board/vga.c). */
	if (p->vga_dirty_log)
		ALLOW_IF(b, ioctl, ARG_IS(0, p->vm_fd), ARG_IS(1, KVM_GET_DIRTY_LOG));
	/* --gdb: taking a debugger's connection on the stub's socket (gdb.c). */
	if (p->gdb)
		ALLOW_IF(b, accept4, ARG_IS(0, p->gdb_listen_fd));
}

int sandbox_install_always(enum sandbox_thread thread, const struct sandbox_params *p,
			   struct error *err)
{
	const char *name = sandbox_thread_name(thread);
	struct sandbox_builder b = { .ret = 0 };
	int ret;

	pthread_once(&sandbox_once, sandbox_init_once);
	if (sandbox_once_errno != 0)
		return error_set(err, -sandbox_once_errno, "seccomp: cannot install the SIGSYS "
				 "handler: %s", strerror(sandbox_once_errno));

	/* No execve() could gain privileges from now on; seccomp needs it too. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return error_set(err, -errno, "seccomp: PR_SET_NO_NEW_PRIVS failed on the %s "
				 "thread: %s", name, strerror(errno));

	b.ctx = seccomp_init(SCMP_ACT_TRAP);
	if (b.ctx == NULL)
		return error_set(err, -ENOMEM, "seccomp: cannot create the %s thread's filter",
				 name);
	/* A call through another ABI (int 0x80, x32) traps too, and says so;
	 * no_new_privs is set above, libseccomp need not set it again. */
	ret = seccomp_attr_set(b.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	if (ret == 0)
		ret = seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (ret < 0) {
		seccomp_release(b.ctx);
		return error_set(err, ret, "seccomp: cannot set the %s thread's filter up: %s",
				 name, strerror(-ret));
	}
	allow_common(&b, p, getpid());
	if (thread == SANDBOX_THREAD_VCPU)
		allow_vcpu(&b, p);
	else
		allow_loop(&b, p);
	if (b.ret < 0) {
		char *call = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, b.failed_nr);

		error_set(err, b.ret, "seccomp: cannot allow %s on the %s thread: %s",
			  call != NULL ? call : "a system call", name, strerror(-b.ret));
		free(call);
		seccomp_release(b.ctx);
		return b.ret;
	}

	/* Set before the filter: a forbidden call may come right after it. */
	sandbox_current = name;
	if (p->tty_fd >= 0 && p->tty_saved != NULL) {
		pthread_mutex_lock(&sandbox_tty_lock);
		sandbox_tty_fd = -1;
		sandbox_tty_saved = *p->tty_saved;
		sandbox_tty_fd = p->tty_fd;
		pthread_mutex_unlock(&sandbox_tty_lock);
	}
	ret = seccomp_load(b.ctx);
	seccomp_release(b.ctx);
	if (ret < 0)
		return error_set(err, ret, "seccomp: cannot load the %s thread's filter: %s "
				 "(a kernel without CONFIG_SECCOMP_FILTER? --no-seccomp runs "
				 "without it)", name, strerror(-ret));
	return 0;
}

int sandbox_install(enum sandbox_thread thread, const struct sandbox_params *p,
		    struct error *err)
{
	if (sandbox_skipped_reason() != NULL)
		return 0;
	return sandbox_install_always(thread, p, err);
}

int sandbox_install_machine(struct machine *m, enum sandbox_thread thread, struct error *err)
{
	const struct console *c = &m->console;
	struct sandbox_params p = {
		.vcpu_fd = m->vcpu.fd,
		.vcpu_reboot = m->opts->reboot,
		.tty_fd = c->raw_mode ? c->in_fd : -1,
		.tty_saved = &c->saved_termios,
		.vga_dirty_log = m->opts->vga,
		.vm_fd = m->vm.vm_fd,
		.gdb = m->gdb != NULL,
		.gdb_listen_fd = gdb_listen_fd(m->gdb),
	};

	return sandbox_install(thread, &p, err);
}
