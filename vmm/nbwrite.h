/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_NBWRITE_H
#define MINIVMM_NBWRITE_H

/*
 * Writing to stdout or stderr without ever blocking, and without touching
 * their file status flags.
 *
 * Setting O_NONBLOCK on fd 1 would change the open file description that a
 * terminal shares with stdin, stderr and the shell that started us; after
 * a SIGKILL the shell would be left with a non-blocking terminal.  So:
 * a terminal or a pipe is reopened through /proc/self/fd/N, which gives a
 * new description of the same terminal or pipe, ours alone, that may be
 * non-blocking; a socket is written with send(MSG_DONTWAIT); a regular
 * file, whose writes never block, as it is (reopening it would lose
 * O_APPEND and the shared offset); anything else, or when reopening fails,
 * after a zero-timeout poll, at most PIPE_BUF bytes at a time.
 */

#include <stddef.h>
#include <sys/types.h>

enum nbwrite_mode {
	NBWRITE_DIRECT,		/* a regular file: write(2) never blocks */
	NBWRITE_PRIVATE,	/* our own O_NONBLOCK description of the tty or pipe */
	NBWRITE_SOCKET,		/* send(2) with MSG_DONTWAIT */
	NBWRITE_POLLED,		/* poll(2), then write at most PIPE_BUF bytes */
};

struct nbwrite {
	int fd;			/* what we write to: the original fd or private_fd */
	int private_fd;		/* our own description, or -1 */
	enum nbwrite_mode mode;
};

/* Choose how to write to `fd` (see above). */
void nbwrite_open(struct nbwrite *w, int fd);

/* One write that never blocks: like write(2), -1 with EAGAIN when full. */
ssize_t nbwrite_write(struct nbwrite *w, const void *buf, size_t len);

/*
 * Write all of buf, waiting (poll) for the reader at most timeout_ms in
 * all: returns how many bytes were written.  For last words at exit,
 * which must not hang on a reader that stopped reading.
 */
size_t nbwrite_all(struct nbwrite *w, const void *buf, size_t len, unsigned timeout_ms);

/* Close the private description, if any. */
void nbwrite_close(struct nbwrite *w);

#endif
