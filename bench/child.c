// SPDX-License-Identifier: MIT
#define _GNU_SOURCE	/* pipe2() */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* The child is gone: keep the first line of its stderr, close what is open. */
static void bench_child_close(struct bench_child *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0) {
		ssize_t n = pread(c->err_fd, c->err, sizeof(c->err) - 1, 0);

		c->err[n > 0 ? n : 0] = '\0';
		c->err[strcspn(c->err, "\n")] = '\0';
		close(c->err_fd);
	}
	c->out_fd = c->err_fd = -1;
}

int bench_child_start(struct bench_child *c, char *const argv[], struct error *err)
{
	int fds[2], null_fd;
	FILE *tmp;

	memset(c, 0, sizeof(*c));
	c->out_fd = c->err_fd = -1;
	tmp = tmpfile();
	if (tmp == NULL)
		return error_set(err, -errno, "tmpfile: %s", strerror(errno));
	c->err_fd = fcntl(fileno(tmp), F_DUPFD_CLOEXEC, 0);
	fclose(tmp);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (c->err_fd < 0 || null_fd < 0 || pipe2(fds, O_CLOEXEC) < 0) {
		int e = errno;

		if (null_fd >= 0)
			close(null_fd);
		bench_child_close(c);
		return error_set(err, -e, "cannot set up a child: %s", strerror(e));
	}
	c->start_ns = bench_now_ns();
	c->pid = fork();
	if (c->pid == 0) {
		/* dup2 clears O_CLOEXEC on the copies: the child keeps 0, 1 and 2
		 * only.  An ignored SIGPIPE would survive exec: default it. */
		signal(SIGPIPE, SIG_DFL);
		if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(fds[1], STDOUT_FILENO) < 0 ||
		    dup2(c->err_fd, STDERR_FILENO) < 0)
			_exit(127);
		execv(argv[0], argv);
		dprintf(STDERR_FILENO, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(null_fd);
	close(fds[1]);
	c->out_fd = fds[0];
	if (c->pid < 0) {
		int e = errno;

		c->pid = 0;
		bench_child_close(c);
		return error_set(err, -e, "fork: %s", strerror(e));
	}
	return 0;
}

int bench_child_read(struct bench_child *c, int until, uint64_t deadline_ns)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->out_fd, .events = POLLIN };
		char buf[4096];
		uint64_t now = bench_now_ns();
		ssize_t n;

		if (until >= 0 && strchr(c->out, until) != NULL)
			return 0;
		if (c->out_fd < 0)
			return until < 0 ? 0 : -EPIPE;
		if (now >= deadline_ns)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)((deadline_ns - now) / 1000000 + 1)) < 0 && errno != EINTR)
			return -errno;
		if (pfd.revents == 0)
			continue;
		n = read(c->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		now = bench_now_ns();
		if (n <= 0) {
			c->eof_ns = now;
			close(c->out_fd);
			c->out_fd = -1;
			continue;
		}
		if (c->first_ns == 0)
			c->first_ns = now;
		if (c->out_len < sizeof(c->out) - 1) {
			size_t keep = sizeof(c->out) - 1 - c->out_len;

			memcpy(c->out + c->out_len, buf, (size_t)n < keep ? (size_t)n : keep);
		}
		c->out_len += (size_t)n;
		c->out[c->out_len < sizeof(c->out) - 1 ? c->out_len : sizeof(c->out) - 1] = '\0';
	}
}

static int bench_child_status(int wstatus)
{
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

void bench_child_reap(struct bench_child *c, int *status, uint64_t *exit_ns)
{
	int wstatus = 0;

	/* Its stdout is closed, so it is exiting: this wait is short. */
	while (c->pid > 0 && waitpid(c->pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	*exit_ns = bench_now_ns();
	*status = bench_child_status(wstatus);
	c->pid = 0;
	bench_child_close(c);
}

void bench_child_kill(struct bench_child *c)
{
	int wstatus;

	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		for (int i = 0; i < 100 && c->pid > 0; i++) {
			if (waitpid(c->pid, &wstatus, WNOHANG) == c->pid)
				c->pid = 0;
			else
				usleep(10000);
		}
	}
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		c->pid = 0;
	}
	bench_child_close(c);
}
