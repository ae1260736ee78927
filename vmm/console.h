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
 * and a write(2) per byte, for at most a millisecond of added latency.
 * When the queue is full console_put() says no, the UART keeps the byte
 * (its LSR shows the transmitter busy) and the console calls `tx_room`
 * once the queue has drained: nothing is lost or reordered while stdout
 * takes what we write.
 *
 * Writing without blocking never changes stdout's file status flags: on a
 * terminal they belong to one open file description shared with stdin,
 * stderr and the shell, and O_NONBLOCK there would outlive us.  A terminal
 * or a pipe is reopened through /proc/self/fd/1 as a private, non-blocking
 * description of the same file; a socket is written with MSG_DONTWAIT; a
 * regular file (writes never block) is written as is; anything else, or a
 * terminal or pipe that cannot be reopened, is polled before each write of
 * at most PIPE_BUF bytes.
 *
 * What is lost is counted and said at exit (console_report()): output that
 * a write error (EPIPE, ENOSPC...) made us drop, and output still queued
 * when stdout took nothing more for CONSOLE_EXIT_FLUSH_MS at exit.
 *
 * Input from a pipe or file: the loop reads stdin only while the receiver
 * can take bytes; what the UART refuses waits here, and stdin is not read
 * again until console_rx_room() (called when the guest empties the
 * receiver) says so.  Nothing is lost.
 *
 * Input from a terminal: stdin is switched to raw mode and always read, so
 * that the escapes below work whatever the guest does.  Up to
 * CONSOLE_IN_SIZE bytes typed ahead wait here for the receiver; past that
 * the oldest are pushed at the full receiver (`overrun`), where they are
 * lost and set LSR.OE, as on a 16550 whose line has no flow control.
 * Ctrl-A starts an escape, as in QEMU: Ctrl-A x quits, Ctrl-A Ctrl-A sends
 * one Ctrl-A, Ctrl-A h prints help.  The terminal is restored on exit, on
 * the fatal signals that can run code (SIGQUIT, SIGILL, SIGABRT, SIGBUS,
 * SIGFPE, SIGSEGV: then the signal takes its course) and before stopping
 * on SIGTSTP; raw mode is re-applied on SIGCONT.  Only SIGKILL (and
 * SIGSTOP, until SIGCONT) leaves it raw.  Pipes are passed through
 * untouched, which is how the tests drive the guest.
 *
 * A console may have no input (in_fd -1): COM1 writing to --serial FILE.
 * Besides the guest's bytes one at a time (console_put(), the UART), a
 * console takes whole blocks that must not be split (console_put_buf(),
 * the VGA screen's escape sequences).
 */

#include <ev.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>

#include "nbwrite.h"

#define CONSOLE_OUT_SIZE (64 * 1024)
#define CONSOLE_FLUSH_DELAY_NS 1000000	/* 1 ms: invisible to a person, 100s of bytes */
#define CONSOLE_EXIT_FLUSH_MS 2000	/* at exit, wait this long for a stalled stdout */
#define CONSOLE_IN_SIZE 256
#define CONSOLE_ESCAPE 0x01	/* Ctrl-A */

struct console_ops {
	/* Offer input to the guest; returns how many bytes it took.  Loop thread. */
	size_t (*deliver)(void *opaque, const uint8_t *buf, size_t len);
	/* Typed input that neither the receiver nor the console can hold (a
	 * terminal is read whatever the guest does): it reaches the full
	 * receiver and overruns it.  Loop thread. */
	void (*overrun)(void *opaque, const uint8_t *buf, size_t len);
	/* The output queue has room again after console_put() refused.  Loop thread. */
	void (*tx_room)(void *opaque);
	/* The person at the terminal asked to quit (Ctrl-A x).  Loop thread. */
	void (*quit)(void *opaque);
};

/* What happened to the guest's bytes, for --stats and console_report(). */
struct console_stats {
	uint64_t bytes_written;		/* loop thread */
	uint64_t writes;		/* write(2) calls that wrote something; loop thread */
	uint64_t input_overrun;		/* typed bytes pushed at a full receiver; loop thread */
	uint64_t output_lost;		/* dropped after a write error; under out_lock */
	int lost_errno;			/* that write error; under out_lock */
	uint64_t output_unwritten;	/* still queued when the exit deadline passed (the
					 * UART's glue adds what its transmitter held) */
	uint64_t thr_dropped;		/* the UART's count of bytes the guest wrote to a
					 * full transmitter, set by its glue at teardown */
};

struct console {
	struct ev_loop *loop;
	int in_fd;
	struct nbwrite out;		/* stdout, written without blocking (nbwrite.h) */
	bool is_tty;
	bool raw_mode;			/* terminal settings were changed */
	struct termios saved_termios;
	struct termios raw_termios;

	const struct console_ops *ops;
	void *opaque;

	ev_io in_watcher;
	ev_io out_watcher;
	ev_async wake;			/* "flush now" or "receiver has room" */
	int flush_fd;			/* timerfd: flush the batch begun 1 ms ago */
	ev_io flush_watcher;
	ev_signal tstp_watcher;		/* on a terminal: restore, then stop */
	ev_signal cont_watcher;		/* on a terminal: raw mode again */

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
	bool out_broken;		/* a write failed (EPIPE...): count and discard output */
	struct console_stats stats;

	/* What the output is, for console_report(): NULL is "stdout". */
	const char *out_name;
	/* Another console whose losses console_report() also reports (COM1's
	 * --serial FILE when the terminal is the VGA screen), or NULL. */
	const struct console *report_also;
};

/* Take over in_fd/out_fd (raw mode if in_fd is a terminal) and start watching.
 * out_fd's file status flags are never changed.  in_fd -1: no input. */
int console_init(struct console *c, struct ev_loop *loop, int in_fd, int out_fd,
		 const struct console_ops *ops, void *opaque);

/* Queue one byte of guest output; false if the queue is full.  Any thread. */
bool console_put(struct console *c, uint8_t byte);

/*
 * Queue `len` bytes as one block, all of them or none: false when the
 * queue lacks room (nothing queued; the caller tries again later, there
 * is no tx_room call for it).  After a write error they are counted as
 * lost and true is returned.  Any thread.
 */
bool console_put_buf(struct console *c, const uint8_t *buf, size_t len);

/* The guest's receiver gained room: try the pending input again.  Any thread. */
void console_rx_room(struct console *c);

/*
 * Stop watching, restore the terminal, then write out what is still
 * queued, waiting at most CONSOLE_EXIT_FLUSH_MS for a stalled stdout (what
 * is left then is counted in stats.output_unwritten).  Main thread, after
 * the vCPU thread is gone.
 */
void console_exit(struct console *c);

/*
 * After console_exit(): one "minivmm: ..." line to `out` for each way
 * guest output was lost (a write error, the exit deadline, writes to a
 * full transmitter); nothing when all of it was written.
 */
void console_report(const struct console *c, FILE *out);

#endif
