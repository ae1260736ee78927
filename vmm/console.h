/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_CONSOLE_H
#define MINIVMM_CONSOLE_H

/*
 * The console: our process's stdin and stdout, seen by the guest through
 * the UART.  It lives in the main thread's libev loop.
 *
 * Output: the vCPU thread (inside the UART) hands bytes to console_put(),
 * which queues them; the loop writes them out without blocking, at most
 * CONSOLE_FLUSH_DELAY_NS after the first byte of a batch (or at once when
 * the queue is a quarter full).  A guest printing byte by byte thus costs
 * one timerfd_settime() and one write(2) per batch instead of a wake-up
 * and a write(2) per byte, for at most a millisecond of added latency.  When the queue is full console_put() says no, the UART keeps
 * the byte (its LSR shows the transmitter busy) and the console calls
 * `tx_room` once the queue has drained: nothing is lost or reordered.
 *
 * Input: the loop reads stdin only while the receiver can take bytes; what
 * the UART refuses waits here, and stdin is not read again until
 * console_rx_room() (called when the guest empties the receiver) says so.
 *
 * On a terminal, stdin is switched to raw mode (restored on exit) and
 * Ctrl-A starts an escape, as in QEMU: Ctrl-A x quits, Ctrl-A Ctrl-A sends
 * one Ctrl-A, Ctrl-A h prints help.  Pipes are passed through untouched,
 * which is how the tests drive the guest.
 */

#include <ev.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define CONSOLE_OUT_SIZE (64 * 1024)
#define CONSOLE_FLUSH_DELAY_NS 1000000	/* 1 ms: invisible to a person, 100s of bytes */
#define CONSOLE_IN_SIZE 256
#define CONSOLE_ESCAPE 0x01	/* Ctrl-A */

struct console_ops {
	/* Offer input to the guest; returns how many bytes it took.  Loop thread. */
	size_t (*deliver)(void *opaque, const uint8_t *buf, size_t len);
	/* The output queue has room again after console_put() refused.  Loop thread. */
	void (*tx_room)(void *opaque);
	/* The person at the terminal asked to quit (Ctrl-A x).  Loop thread. */
	void (*quit)(void *opaque);
};

/* What reached the output fd, for --stats.  Loop thread only. */
struct console_stats {
	uint64_t bytes_written;
	uint64_t writes;	/* write(2) calls that wrote something */
};

struct console {
	struct ev_loop *loop;
	int in_fd, out_fd;
	bool is_tty;
	bool raw_mode;			/* terminal settings were changed */
	struct termios saved_termios;
	int saved_out_flags;

	const struct console_ops *ops;
	void *opaque;

	ev_io in_watcher;
	ev_io out_watcher;
	ev_async wake;			/* "flush now" or "receiver has room" */
	int flush_fd;			/* timerfd: flush the batch begun 1 ms ago */
	ev_io flush_watcher;

	/* Input read but not yet taken by the guest.  Loop thread only. */
	uint8_t in_buf[CONSOLE_IN_SIZE];
	size_t in_len;
	bool in_eof;
	bool escape_pending;

	/* The output queue, shared with the vCPU thread: out_lock protects it. */
	pthread_mutex_t out_lock;
	uint8_t out_buf[CONSOLE_OUT_SIZE];
	size_t out_head, out_len;
	bool out_refused;		/* console_put() said no: call tx_room later */
	bool out_broken;		/* stdout is gone (EPIPE): discard output */
	struct console_stats stats;
};

/* Take over in_fd/out_fd (raw mode if in_fd is a terminal) and start watching. */
int console_init(struct console *c, struct ev_loop *loop, int in_fd, int out_fd,
		 const struct console_ops *ops, void *opaque);

/* Queue one byte of guest output; false if the queue is full.  Any thread. */
bool console_put(struct console *c, uint8_t byte);

/* The guest's receiver gained room: try the pending input again.  Any thread. */
void console_rx_room(struct console *c);

/* Stop watching, write out everything still queued (blocking), restore the
 * terminal.  Main thread, after the vCPU thread is gone. */
void console_exit(struct console *c);

#endif
