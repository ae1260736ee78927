// SPDX-License-Identifier: MIT
#include "nbwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

void nbwrite_open(struct nbwrite *w, int fd)
{
	struct stat st;
	char path[64];
	int private_fd;

	*w = (struct nbwrite){ .fd = fd, .private_fd = -1, .mode = NBWRITE_POLLED };
	if (fstat(fd, &st) < 0)
		return;
	if (S_ISREG(st.st_mode)) {
		w->mode = NBWRITE_DIRECT;
		return;
	}
	if (S_ISSOCK(st.st_mode)) {
		w->mode = NBWRITE_SOCKET;
		return;
	}
	/* Reopening /dev/ptmx would make a new pseudo-terminal, not reach this one. */
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2)
		return;
	if (!S_ISFIFO(st.st_mode) && !isatty(fd))
		return;
	/*
	 * A new open file description of the same terminal or pipe, ours
	 * alone.  This fails without /proc, for a pipe with no reader left
	 * (ENXIO), or for a terminal we may not open by name: poll then.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	private_fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (private_fd < 0)
		return;
	w->private_fd = w->fd = private_fd;
	w->mode = NBWRITE_PRIVATE;
}

ssize_t nbwrite_write(struct nbwrite *w, const void *buf, size_t len)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLOUT };

	switch (w->mode) {
	case NBWRITE_SOCKET:
		return send(w->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	case NBWRITE_POLLED:
		/* Writable: a pipe has room for PIPE_BUF bytes, a tty for some. */
		if (poll(&pfd, 1, 0) == 0) {
			errno = EAGAIN;
			return -1;
		}
		if (len > PIPE_BUF)
			len = PIPE_BUF;
		return write(w->fd, buf, len);
	case NBWRITE_DIRECT:
	case NBWRITE_PRIVATE:
	default:
		return write(w->fd, buf, len);
	}
}

static int64_t nbwrite_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t nbwrite_all(struct nbwrite *w, const void *buf, size_t len, unsigned timeout_ms)
{
	int64_t deadline = nbwrite_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = w->fd, .events = POLLOUT };
	size_t done = 0;

	while (done < len) {
		ssize_t n = nbwrite_write(w, (const char *)buf + done, len - done);
		int64_t left;

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;	/* the reader is gone */
		left = deadline - nbwrite_now_ms();
		if (left <= 0)
			break;
		poll(&pfd, 1, (int)left);
	}
	return done;
}

void nbwrite_close(struct nbwrite *w)
{
	if (w->private_fd >= 0)
		close(w->private_fd);
	w->private_fd = -1;
}
