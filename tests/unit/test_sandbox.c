// SPDX-License-Identifier: MIT
/*
 * The seccomp allow-lists (vmm/sandbox.c): a forked child installs one
 * thread's list, shows that calls on it still work, then makes a call that
 * is not on it; the parent checks that the child died of SIGSYS, that the
 * one line naming the call and the thread reached stderr, and that nothing
 * ran after the forbidden call.
 *
 * The children use sandbox_install_always(), so the lists are tested in
 * sanitizer builds too, where minivmm itself runs without them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "unit.h"

/* ---- in the child ------------------------------------------------------------------ */

/* One line to stderr (the parent's pipe), with write(2) only. */
static void say(const char *what)
{
	char line[256];
	int len = snprintf(line, sizeof(line), "%s\n", what);
	ssize_t ignored = write(STDERR_FILENO, line, (size_t)len);

	(void)ignored;
}

/* A call on the list must work: say "ok: what", or give up. */
static void expect_ok(bool worked, const char *what)
{
	char line[256];

	snprintf(line, sizeof(line), "%s: %s (errno %d)", worked ? "ok" : "FAILED", what,
		 worked ? 0 : errno);
	say(line);
	if (!worked)
		_exit(1);
}

static void install(enum sandbox_thread thread, int vcpu_fd, int tty_fd,
		    const struct termios *tty_saved)
{
	struct sandbox_params p = { .vcpu_fd = vcpu_fd, .tty_fd = tty_fd, .tty_saved = tty_saved };
	struct error err = { "" };

	if (sandbox_install_always(thread, &p, &err) < 0) {
		say(err.msg);
		_exit(1);
	}
	say("installed");
}

/* What a thread holds when its filter goes on: fds made during setup. */
struct child_fds {
	int efd;	/* an eventfd (the kick, libev's async) */
	int tfd;	/* a timerfd (a device timer) */
	int vcpu_fd;	/* stands in for the vCPU fd: an eventfd, so KVM_RUN says ENOTTY */
};

static volatile sig_atomic_t kicks;

static void on_kick(int sig)
{
	(void)sig;
	kicks++;
}

static void child_setup(struct child_fds *f)
{
	struct sigaction sa = { .sa_handler = on_kick };

	f->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	f->vcpu_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->efd < 0 || f->tfd < 0 || f->vcpu_fd < 0) {
		say("FAILED: setup");
		_exit(1);
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* What both lists allow: fds, waits, timers, the clock, locks, memory, signals. */
static void common_calls(const struct child_fds *f)
{
	struct itimerspec its = { .it_value = { .tv_sec = 100 } };
	struct pollfd pfd = { .fd = f->efd, .events = POLLIN };
	struct timespec ts;
	uint64_t one = 1, got = 0;
	uint32_t word = 0;
	void *mem;

	expect_ok(write(f->efd, &one, sizeof(one)) == sizeof(one), "write an eventfd");
	expect_ok(poll(&pfd, 1, 0) == 1, "poll it");
	expect_ok(read(f->efd, &got, sizeof(got)) == sizeof(got) && got == 1, "read it back");
	expect_ok(timerfd_settime(f->tfd, 0, &its, NULL) == 0, "arm a timerfd");
	/* The call itself, not the vDSO: as on a host without a TSC clocksource. */
	expect_ok(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == 0, "clock_gettime");
	expect_ok(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0,
		  "futex wake");
	mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect_ok(mem != MAP_FAILED, "map memory, not executable");
	expect_ok(munmap(mem, 1 << 20) == 0, "unmap it");
	expect_ok(pthread_kill(pthread_self(), SIGUSR1) == 0 && kicks == 1,
		  "kick this thread with SIGUSR1 and return from the handler");
}

static void vcpu_calls(const struct child_fds *f)
{
	errno = 0;
	expect_ok(ioctl(f->vcpu_fd, KVM_RUN, 0) < 0 && errno == ENOTTY,
		  "KVM_RUN on the vCPU fd reaches the kernel (ENOTTY from the stand-in)");
	errno = 0;
	expect_ok(ioctl(f->vcpu_fd, KVM_INTERRUPT, NULL) < 0 && errno == ENOTTY,
		  "so does KVM_INTERRUPT");
}

/* The last words before the forbidden call; nothing may follow them. */
#define FORBIDDEN(call)                                \
	do {                                           \
		say("calling " #call);                 \
		call;                                  \
		say("LIVED ON after " #call);          \
		_exit(0);                              \
	} while (0)

/* ---- in the parent ----------------------------------------------------------------- */

struct outcome {
	int status;
	char err[16384];	/* the child's stderr */
};

static void run_child(void (*body)(void), struct outcome *o)
{
	int fds[2];
	size_t len = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	CHECK(pipe(fds) == 0);
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		prctl(PR_SET_DUMPABLE, 0);	/* dying of SIGSYS leaves no core file */
		body();
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		ssize_t n = read(fds[0], o->err + len, sizeof(o->err) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	CHECK(waitpid(pid, &o->status, 0) == pid);
}

static unsigned count(const char *haystack, const char *needle)
{
	unsigned n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/*
 * The child died of SIGSYS after `oks` calls on its list worked, its last
 * line is the report of system call `nr` on `thread`, and `detail` (if
 * any) is in it.
 */
static void check_caught(const struct outcome *o, unsigned oks, long nr, const char *name,
			 const char *thread, const char *detail)
{
	char want[160];
	const char *line;

	snprintf(want, sizeof(want), "minivmm: seccomp: forbidden system call %ld (%s) on the "
		 "%s thread: please report this (", nr, name, thread);
	line = strstr(o->err, "minivmm: seccomp: ");
	if (!(WIFSIGNALED(o->status) && WTERMSIG(o->status) == SIGSYS) || line == NULL ||
	    strncmp(line, want, strlen(want)) != 0)
		printf("  child status 0x%x, its stderr:\n%s  expected a line starting: %s\n",
		       o->status, o->err, want);
	CHECK(WIFSIGNALED(o->status));
	CHECK_EQ(WTERMSIG(o->status), SIGSYS);
	CHECK(strstr(o->err, "FAILED") == NULL);
	CHECK_EQ(count(o->err, "ok: "), oks);
	CHECK(line != NULL);
	CHECK(strncmp(line, want, strlen(want)) == 0);
	CHECK(strstr(line, "--no-seccomp") != NULL);
	CHECK_EQ(count(line, "\n"), 1);		/* one line, and the last */
	CHECK(strstr(o->err, "LIVED ON") == NULL);
	if (detail != NULL)
		CHECK(strstr(line, detail) != NULL);
}

/* ---- the vCPU thread's list ----------------------------------------------------------- */

static void vcpu_socket(void)
{
	struct child_fds f;

	child_setup(&f);
	install(SANDBOX_THREAD_VCPU, f.vcpu_fd, -1, NULL);
	common_calls(&f);
	vcpu_calls(&f);
	FORBIDDEN(socket(AF_UNIX, SOCK_STREAM, 0));
}

UNIT_TEST(vcpu_list_allows_its_calls_and_traps_socket)
{
	struct outcome o;

	run_child(vcpu_socket, &o);
	check_caught(&o, 11, SYS_socket, "socket", "vCPU", NULL);
}

static void vcpu_open(void)
{
	struct child_fds f;

	child_setup(&f);
	install(SANDBOX_THREAD_VCPU, f.vcpu_fd, -1, NULL);
	FORBIDDEN(open("/dev/null", O_RDONLY));
}

UNIT_TEST(vcpu_list_opens_nothing)
{
	struct outcome o;

	run_child(vcpu_open, &o);
	check_caught(&o, 0, SYS_openat, "openat", "vCPU", NULL);
}

static struct child_fds kvm_fds;

static void vcpu_kvm_run_elsewhere(void)
{
	child_setup(&kvm_fds);
	install(SANDBOX_THREAD_VCPU, kvm_fds.vcpu_fd, -1, NULL);
	FORBIDDEN(ioctl(kvm_fds.efd, KVM_RUN, 0));
}

UNIT_TEST(vcpu_list_allows_kvm_ioctls_on_its_vcpu_fd_only)
{
	struct outcome o;

	run_child(vcpu_kvm_run_elsewhere, &o);
	check_caught(&o, 0, SYS_ioctl, "ioctl", "vCPU", "0xae80");
}

static void vcpu_set_regs(void)
{
	struct child_fds f;
	struct kvm_regs regs = { 0 };

	child_setup(&f);
	install(SANDBOX_THREAD_VCPU, f.vcpu_fd, -1, NULL);
	vcpu_calls(&f);
	FORBIDDEN(ioctl(f.vcpu_fd, KVM_SET_REGS, &regs));
}

UNIT_TEST(vcpu_list_traps_a_kvm_ioctl_it_does_not_use)
{
	struct outcome o;
	char detail[32];

	run_child(vcpu_set_regs, &o);
	snprintf(detail, sizeof(detail), "0x%x", (unsigned)KVM_SET_REGS);
	check_caught(&o, 2, SYS_ioctl, "ioctl", "vCPU", detail);
}

static void vcpu_replace_sigsys(void)
{
	struct child_fds f;
	struct sigaction sa = { .sa_handler = SIG_IGN };

	child_setup(&f);
	install(SANDBOX_THREAD_VCPU, f.vcpu_fd, -1, NULL);
	expect_ok(sigaction(SIGUSR2, &sa, NULL) == 0, "set another signal's action");
	FORBIDDEN(sigaction(SIGSYS, &sa, NULL));
}

UNIT_TEST(nothing_replaces_the_sigsys_handler)
{
	struct outcome o;

	run_child(vcpu_replace_sigsys, &o);
	check_caught(&o, 1, SYS_rt_sigaction, "rt_sigaction", "vCPU", NULL);
}

/* ---- the loop thread's list ----------------------------------------------------------- */

static void loop_execve(void)
{
	struct child_fds f;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	char *const argv[] = { "/bin/true", NULL };
	int epfd, sv[2];

	child_setup(&f);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		expect_ok(false, "setup: epoll and a socket pair");
	install(SANDBOX_THREAD_LOOP, -1, -1, NULL);
	common_calls(&f);
	expect_ok(epoll_ctl(epfd, EPOLL_CTL_ADD, f.efd, &ev) == 0, "epoll_ctl");
	expect_ok(epoll_wait(epfd, &out, 1, 0) == 0, "epoll_wait");
	expect_ok(fcntl(f.efd, F_SETFL, fcntl(f.efd, F_GETFL) | O_NONBLOCK) == 0, "fcntl flags");
	expect_ok(send(sv[0], "x", 1, MSG_DONTWAIT) == 1, "send on a connected socket");
	expect_ok(close(f.tfd) == 0, "close");
	FORBIDDEN(execve(argv[0], argv, environ));
}

UNIT_TEST(loop_list_allows_its_calls_and_traps_execve)
{
	struct outcome o;

	run_child(loop_execve, &o);
	check_caught(&o, 14, SYS_execve, "execve", "loop", NULL);
}

static void loop_kvm_run(void)
{
	struct child_fds f;

	child_setup(&f);
	install(SANDBOX_THREAD_LOOP, f.vcpu_fd, -1, NULL);
	FORBIDDEN(ioctl(f.vcpu_fd, KVM_RUN, 0));
}

UNIT_TEST(loop_list_has_no_kvm_ioctl)
{
	struct outcome o;

	run_child(loop_kvm_run, &o);
	check_caught(&o, 0, SYS_ioctl, "ioctl", "loop", "0xae80");
}

static void loop_exec_memory(void)
{
	struct child_fds f;

	child_setup(&f);
	install(SANDBOX_THREAD_LOOP, -1, -1, NULL);
	FORBIDDEN(mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

UNIT_TEST(no_memory_becomes_executable)
{
	struct outcome o;

	run_child(loop_exec_memory, &o);
	check_caught(&o, 0, SYS_mmap, "mmap", "loop", NULL);
}

static pid_t parent_pid;

static void loop_kill_parent(void)
{
	struct child_fds f;

	child_setup(&f);
	install(SANDBOX_THREAD_LOOP, -1, -1, NULL);
	expect_ok(kill(getpid(), 0) == 0, "signal this process");
	FORBIDDEN(kill(parent_pid, 0));
}

UNIT_TEST(signals_go_to_this_process_only)
{
	struct outcome o;

	parent_pid = getpid();
	run_child(loop_kill_parent, &o);
	check_caught(&o, 1, SYS_kill, "kill", "loop", NULL);
}

static void loop_sendto_address(void)
{
	struct child_fds f;
	struct sockaddr_un to = { .sun_family = AF_UNIX, .sun_path = "/nonexistent" };
	int fd;

	child_setup(&f);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	install(SANDBOX_THREAD_LOOP, -1, -1, NULL);
	FORBIDDEN(sendto(fd, "x", 1, MSG_DONTWAIT, (const struct sockaddr *)&to, sizeof(to)));
}

UNIT_TEST(loop_list_sends_to_no_address)
{
	struct outcome o;

	run_child(loop_sendto_address, &o);
	check_caught(&o, 0, SYS_sendto, "sendto", "loop", NULL);
}

/* ---- both ------------------------------------------------------------------------------ */

static pthread_barrier_t installed, unfiltered_done;
static struct child_fds thread_fds;

static void *filtered_thread(void *arg)
{
	(void)arg;
	install(SANDBOX_THREAD_VCPU, thread_fds.vcpu_fd, -1, NULL);
	pthread_barrier_wait(&installed);
	pthread_barrier_wait(&unfiltered_done);
	FORBIDDEN(socket(AF_UNIX, SOCK_STREAM, 0));
}

static void per_thread(void)
{
	pthread_t t;
	int fd;

	child_setup(&thread_fds);
	pthread_barrier_init(&installed, NULL, 2);
	pthread_barrier_init(&unfiltered_done, NULL, 2);
	if (pthread_create(&t, NULL, filtered_thread, NULL) != 0)
		expect_ok(false, "pthread_create");
	pthread_barrier_wait(&installed);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	expect_ok(fd >= 0, "socket() on the other, unfiltered thread");
	pthread_barrier_wait(&unfiltered_done);
	pthread_join(t, NULL);
	say("LIVED ON after the thread's socket()");
}

UNIT_TEST(a_list_confines_only_the_thread_that_installed_it)
{
	struct outcome o;

	run_child(per_thread, &o);
	check_caught(&o, 1, SYS_socket, "socket", "vCPU", NULL);
}

static int pty_slave;
static struct termios pty_before;

static void raw_terminal(void)
{
	struct termios raw = pty_before, now;
	struct child_fds f;

	child_setup(&f);
	cfmakeraw(&raw);
	if (tcsetattr(pty_slave, TCSANOW, &raw) < 0)
		expect_ok(false, "raw mode");
	install(SANDBOX_THREAD_LOOP, -1, pty_slave, &pty_before);
	expect_ok(tcgetattr(pty_slave, &now) == 0 && !(now.c_lflag & ICANON),
		  "read the terminal's settings: raw");
	FORBIDDEN(socket(AF_UNIX, SOCK_STREAM, 0));
}

UNIT_TEST(the_terminal_is_restored_before_dying)
{
	struct outcome o;
	struct termios after;
	int master = posix_openpt(O_RDWR | O_NOCTTY);

	CHECK(master >= 0);
	CHECK(grantpt(master) == 0 && unlockpt(master) == 0);
	pty_slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CHECK(pty_slave >= 0);
	CHECK(tcgetattr(pty_slave, &pty_before) == 0);
	CHECK(pty_before.c_lflag & ICANON);
	run_child(raw_terminal, &o);
	check_caught(&o, 1, SYS_socket, "socket", "loop", NULL);
	CHECK(tcgetattr(pty_slave, &after) == 0);
	CHECK_EQ(after.c_lflag, pty_before.c_lflag);
	CHECK_EQ(after.c_iflag, pty_before.c_iflag);
	CHECK_EQ(after.c_oflag, pty_before.c_oflag);
	close(pty_slave);
	close(master);
}

static void plain_install(void)
{
	struct sandbox_params p = { .vcpu_fd = -1, .tty_fd = -1 };
	struct error err = { "" };

	if (sandbox_install(SANDBOX_THREAD_VCPU, &p, &err) < 0) {
		say(err.msg);
		_exit(1);
	}
	FORBIDDEN(socket(AF_UNIX, SOCK_STREAM, 0));
}

UNIT_TEST(sandbox_install_skips_only_sanitizer_builds)
{
	struct outcome o;

	run_child(plain_install, &o);
	if (sandbox_skipped_reason() == NULL) {
		check_caught(&o, 0, SYS_socket, "socket", "vCPU", NULL);
	} else {
		printf("  (%s: minivmm runs unfiltered)\n", sandbox_skipped_reason());
		CHECK(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0);
		CHECK(strstr(o.err, "LIVED ON") != NULL);
	}
}

int main(void)
{
	return unit_run_all();
}
