// SPDX-License-Identifier: MIT
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "util.h"

static void console_deliver_pending(struct console *c);

/* ---- the terminal on fatal signals ------------------------------------------ */

/*
 * Signals that kill the process but can run a handler first: put the
 * terminal back, then let the signal take its course (the default action,
 * or whatever handler was there before us, e.g. a sanitizer's).
 */
static const int console_fatal_signals[] = { SIGQUIT, SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV };
static struct sigaction console_fatal_old[ARRAY_SIZE(console_fatal_signals)];
static bool console_fatal_installed[ARRAY_SIZE(console_fatal_signals)];
static struct termios console_fatal_termios;
static volatile sig_atomic_t console_fatal_fd = -1;

/* Async-signal-safe: tcsetattr(), sigaction() and raise() only. */
static void console_fatal_handler(int sig, siginfo_t *info, void *ucontext)
{
	int saved_errno = errno;
	int fd = console_fatal_fd;

	(void)ucontext;
	if (fd >= 0)
		tcsetattr(fd, TCSANOW, &console_fatal_termios);
	for (size_t i = 0; i < ARRAY_SIZE(console_fatal_signals); i++) {
		if (console_fatal_signals[i] == sig)
			sigaction(sig, &console_fatal_old[i], NULL);
	}
	/*
	 * Sent (kill, raise, abort: si_code <= 0): send it again, it is
	 * delivered when we return.  A fault: returning runs the faulting
	 * instruction again, which raises it with the real siginfo.
	 */
	if (info == NULL || info->si_code <= 0)
		raise(sig);
	errno = saved_errno;
}

static void console_fatal_install(const struct termios *saved, int fd)
{
	struct sigaction sa;

	console_fatal_termios = *saved;
	console_fatal_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = console_fatal_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(console_fatal_signals); i++) {
		int sig = console_fatal_signals[i];

		if (console_fatal_installed[i] || sigaction(sig, NULL, &console_fatal_old[i]) < 0)
			continue;
		/* An ignored signal kills nobody: leave it ignored. */
		if (!(console_fatal_old[i].sa_flags & SA_SIGINFO) &&
		    console_fatal_old[i].sa_handler == SIG_IGN)
			continue;
		console_fatal_installed[i] = sigaction(sig, &sa, NULL) == 0;
	}
}

static void console_fatal_uninstall(void)
{
	console_fatal_fd = -1;
	for (size_t i = 0; i < ARRAY_SIZE(console_fatal_signals); i++) {
		if (console_fatal_installed[i])
			sigaction(console_fatal_signals[i], &console_fatal_old[i], NULL);
		console_fatal_installed[i] = false;
	}
}

/* ---- input ------------------------------------------------------------------------ */

static void console_update_in_watcher(struct console *c)
{
	/*
	 * A pipe is read only when there is room to keep what we read; a
	 * terminal always, so that Ctrl-A x works whatever the guest does.
	 */
	bool want = !c->in_eof && (c->is_tty || c->in_len < sizeof(c->in_buf));

	if (want && !ev_is_active(&c->in_watcher))
		ev_io_start(c->loop, &c->in_watcher);
	else if (!want && ev_is_active(&c->in_watcher))
		ev_io_stop(c->loop, &c->in_watcher);
}

static void console_print_help(void)
{
	static const char help[] =
		"\r\nminivmm console escapes:\r\n"
		"  Ctrl-A x       quit\r\n"
		"  Ctrl-A Ctrl-A  send Ctrl-A to the guest\r\n"
		"  Ctrl-A h       this help\r\n";
	ssize_t ignored = write(STDERR_FILENO, help, sizeof(help) - 1);

	(void)ignored;
}

/*
 * Interpret Ctrl-A escapes (on a terminal) in freshly read bytes, in place:
 * *len becomes the number of bytes for the guest.  Returns false if the
 * person asked to quit; the bytes typed before the escape are kept.
 */
static bool console_take_input(struct console *c, uint8_t *buf, size_t *len)
{
	size_t out = 0;
	bool go_on = true;

	for (size_t i = 0; i < *len && go_on; i++) {
		uint8_t ch = buf[i];

		if (c->is_tty && c->escape_pending) {
			c->escape_pending = false;
			if (ch == 'x' || ch == 'X')
				go_on = false;
			else if (ch == 'h' || ch == 'H' || ch == '?')
				console_print_help();
			else if (ch == CONSOLE_ESCAPE)
				buf[out++] = ch;
			/* Anything else after Ctrl-A is swallowed, as QEMU does. */
			continue;
		}
		if (c->is_tty && ch == CONSOLE_ESCAPE) {
			c->escape_pending = true;
			continue;
		}
		buf[out++] = ch;
	}
	*len = out;
	return go_on;
}

/*
 * Keep new input in in_buf.  A pipe is never read past in_buf's room; a
 * terminal is, and then the oldest bytes that do not fit go to the full
 * receiver, where they overrun.
 */
static void console_queue_input(struct console *c, const uint8_t *buf, size_t len)
{
	size_t room = sizeof(c->in_buf) - c->in_len;

	if (len > room) {
		uint8_t lost[CONSOLE_IN_SIZE];
		size_t excess = len - room;	/* <= len <= CONSOLE_IN_SIZE */
		size_t old = excess < c->in_len ? excess : c->in_len;

		memcpy(lost, c->in_buf, old);
		memcpy(lost + old, buf, excess - old);
		memmove(c->in_buf, c->in_buf + old, c->in_len - old);
		c->in_len -= old;
		buf += excess - old;
		len -= excess - old;
		c->stats.input_overrun += excess;
		c->ops->overrun(c->opaque, lost, excess);
	}
	memcpy(c->in_buf + c->in_len, buf, len);
	c->in_len += len;
}

static void console_in_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct console *c = w->data;
	uint8_t buf[CONSOLE_IN_SIZE];
	size_t room = sizeof(c->in_buf) - c->in_len, len;
	bool go_on;
	ssize_t n;

	(void)loop;
	(void)revents;
	/* A pipe: never read more than we can keep (an escape only shrinks it). */
	n = read(c->in_fd, buf, c->is_tty ? sizeof(buf) : room);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		n = 0;	/* a broken stdin is an end of input, not a reason to stop the guest */
	}
	if (n == 0) {
		c->in_eof = true;
		console_deliver_pending(c);
		return;
	}
	len = (size_t)n;
	go_on = console_take_input(c, buf, &len);
	/* Let the guest take what it can before anything overruns. */
	console_deliver_pending(c);
	console_queue_input(c, buf, len);
	console_deliver_pending(c);
	if (!go_on)
		c->ops->quit(c->opaque);
}

static void console_deliver_pending(struct console *c)
{
	if (c->in_len > 0) {
		size_t taken = c->ops->deliver(c->opaque, c->in_buf, c->in_len);

		memmove(c->in_buf, c->in_buf + taken, c->in_len - taken);
		c->in_len -= taken;
	}
	console_update_in_watcher(c);
}

/* ---- output ------------------------------------------------------------------------ */

/* Write what is queued; returns false if the fd would block. */
static bool console_flush_some(struct console *c)
{
	uint8_t chunk[4096];
	size_t len, head;
	bool notify = false;
	ssize_t n;
	int error;

	pthread_mutex_lock(&c->out_lock);
	head = c->out_head;
	len = c->out_len < sizeof(chunk) ? c->out_len : sizeof(chunk);
	/* The queue is a ring: copy out up to its end, the rest next time. */
	if (head + len > sizeof(c->out_buf))
		len = sizeof(c->out_buf) - head;
	memcpy(chunk, c->out_buf + head, len);
	pthread_mutex_unlock(&c->out_lock);

	if (len == 0)
		return true;
	n = nbwrite_write(&c->out, chunk, len);
	error = errno;
	if (n == 0 || (n < 0 && (error == EAGAIN || error == EWOULDBLOCK || error == EINTR)))
		return false;

	if (n > 0) {
		c->stats.bytes_written += (uint64_t)n;
		c->stats.writes++;
	}
	pthread_mutex_lock(&c->out_lock);
	if (n < 0) {
		/*
		 * The reader went away (EPIPE), the disk is full (ENOSPC)...:
		 * drop output from now on, counted, and keep the guest running.
		 */
		c->out_broken = true;
		c->stats.lost_errno = error;
		c->stats.output_lost += c->out_len;
		n = (ssize_t)c->out_len;
	}
	c->out_head = (c->out_head + (size_t)n) % sizeof(c->out_buf);
	c->out_len -= (size_t)n;
	if (c->out_refused) {
		c->out_refused = false;
		notify = true;
	}
	pthread_mutex_unlock(&c->out_lock);

	if (notify)
		c->ops->tx_room(c->opaque);
	return true;
}

static bool console_out_pending(struct console *c)
{
	bool pending;

	pthread_mutex_lock(&c->out_lock);
	pending = c->out_len > 0;
	pthread_mutex_unlock(&c->out_lock);
	return pending;
}

static void console_flush(struct console *c)
{
	while (console_out_pending(c)) {
		if (!console_flush_some(c)) {
			ev_io_start(c->loop, &c->out_watcher);
			return;
		}
	}
	ev_io_stop(c->loop, &c->out_watcher);
}

static void console_out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	console_flush(w->data);
}

static void console_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct console *c = w->data;

	(void)loop;
	(void)revents;
	console_flush(c);
	console_deliver_pending(c);
}

static void console_flush_timer_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct console *c = w->data;
	uint64_t expirations;
	ssize_t ignored;

	(void)loop;
	(void)revents;
	ignored = read(c->flush_fd, &expirations, sizeof(expirations));
	(void)ignored;
	console_flush(c);
}

bool console_put(struct console *c, uint8_t byte)
{
	static const struct itimerspec flush_soon = {
		.it_value = { .tv_nsec = CONSOLE_FLUSH_DELAY_NS },
	};
	bool accepted = true, batch_begins = false, flush_now = false;

	pthread_mutex_lock(&c->out_lock);
	if (c->out_broken) {
		/* Nobody can take it: count and forget, so the guest never stalls. */
		c->stats.output_lost++;
	} else if (c->out_len == sizeof(c->out_buf)) {
		c->out_refused = true;
		accepted = false;
	} else {
		/* One timer per batch: the loop drains everything queued meanwhile. */
		batch_begins = c->out_len == 0;
		c->out_buf[(c->out_head + c->out_len) % sizeof(c->out_buf)] = byte;
		c->out_len++;
		flush_now = c->out_len == sizeof(c->out_buf) / 4;
	}
	pthread_mutex_unlock(&c->out_lock);

	if (batch_begins)
		timerfd_settime(c->flush_fd, 0, &flush_soon, NULL);
	if (flush_now)
		ev_async_send(c->loop, &c->wake);
	return accepted;
}

bool console_put_buf(struct console *c, const uint8_t *buf, size_t len)
{
	static const struct itimerspec flush_soon = {
		.it_value = { .tv_nsec = CONSOLE_FLUSH_DELAY_NS },
	};
	const size_t quarter = sizeof(c->out_buf) / 4;
	bool batch_begins = false, flush_now = false;
	size_t tail, first;

	pthread_mutex_lock(&c->out_lock);
	if (c->out_broken) {
		c->stats.output_lost += len;
		pthread_mutex_unlock(&c->out_lock);
		return true;
	}
	if (len > sizeof(c->out_buf) - c->out_len) {
		pthread_mutex_unlock(&c->out_lock);
		return false;
	}
	batch_begins = c->out_len == 0 && len > 0;
	flush_now = c->out_len < quarter && c->out_len + len >= quarter;
	/* The ring may wrap inside the block: two copies. */
	tail = (c->out_head + c->out_len) % sizeof(c->out_buf);
	first = len < sizeof(c->out_buf) - tail ? len : sizeof(c->out_buf) - tail;
	memcpy(c->out_buf + tail, buf, first);
	memcpy(c->out_buf, buf + first, len - first);
	c->out_len += len;
	pthread_mutex_unlock(&c->out_lock);

	if (batch_begins)
		timerfd_settime(c->flush_fd, 0, &flush_soon, NULL);
	if (flush_now)
		ev_async_send(c->loop, &c->wake);
	return true;
}

void console_rx_room(struct console *c)
{
	ev_async_send(c->loop, &c->wake);
}

/* Flush for CONSOLE_EXIT_FLUSH_MS at most, whatever stdout does. */
static void console_final_flush(struct console *c)
{
	uint64_t deadline = clock_now_ns() + CONSOLE_EXIT_FLUSH_MS * NSEC_PER_MSEC;
	struct pollfd pfd = { .fd = c->out.fd, .events = POLLOUT };

	for (;;) {
		uint64_t now;

		while (console_out_pending(c) && console_flush_some(c))
			;
		if (!console_out_pending(c))
			break;
		now = clock_now_ns();
		if (now >= deadline)
			break;
		poll(&pfd, 1, (int)((deadline - now) / NSEC_PER_MSEC) + 1);
	}
	pthread_mutex_lock(&c->out_lock);
	c->stats.output_unwritten = c->out_len;
	c->out_len = 0;
	pthread_mutex_unlock(&c->out_lock);
}

/* ---- the terminal ------------------------------------------------------------------ */

static int console_enter_raw_mode(struct console *c)
{
	struct termios raw;

	if (tcgetattr(c->in_fd, &c->saved_termios) < 0)
		return -errno;
	raw = c->saved_termios;
	/*
	 * Every key goes to the guest (no line editing, echo or signals); keep
	 * output processing so the guest's "\n" still returns the carriage,
	 * as QEMU's stdio console does.
	 */
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	c->raw_termios = raw;
	/* Before the change: a crash from now on puts the terminal back. */
	console_fatal_install(&c->saved_termios, c->in_fd);
	if (tcsetattr(c->in_fd, TCSANOW, &raw) < 0) {
		int ret = -errno;

		console_fatal_uninstall();
		return ret;
	}
	c->raw_mode = true;
	return 0;
}

static void console_restore_terminal(struct console *c)
{
	if (c->raw_mode)
		tcsetattr(c->in_fd, TCSANOW, &c->saved_termios);
}

/* SIGTSTP (kill -TSTP: raw mode sends Ctrl-Z to the guest): stop as the
 * person's terminal was, and come back raw (SIGCONT). */
static void console_tstp_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct console *c = w->data;

	(void)loop;
	(void)revents;
	console_restore_terminal(c);
	raise(SIGSTOP);
}

/* SIGCONT, after our own stop or a SIGSTOP: the shell may have reset the terminal. */
static void console_cont_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct console *c = w->data;

	(void)loop;
	(void)revents;
	if (c->raw_mode)
		tcsetattr(c->in_fd, TCSANOW, &c->raw_termios);
}

int console_init(struct console *c, struct ev_loop *loop, int in_fd, int out_fd,
		 const struct console_ops *ops, void *opaque)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->flush_fd = -1;
	c->out.private_fd = -1;
	c->loop = loop;
	c->in_fd = in_fd;
	c->out.fd = out_fd;
	c->ops = ops;
	c->opaque = opaque;
	c->is_tty = in_fd >= 0 && isatty(in_fd);
	c->in_eof = in_fd < 0;	/* no input at all: never watched */
	pthread_mutex_init(&c->out_lock, NULL);

	if (c->is_tty) {
		ret = console_enter_raw_mode(c);
		if (ret < 0)
			return ret;
	}
	nbwrite_open(&c->out, out_fd);

	c->flush_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (c->flush_fd < 0)
		return -errno;
	ev_io_init(&c->in_watcher, console_in_cb, in_fd, EV_READ);
	ev_io_init(&c->out_watcher, console_out_cb, c->out.fd, EV_WRITE);
	ev_io_init(&c->flush_watcher, console_flush_timer_cb, c->flush_fd, EV_READ);
	ev_async_init(&c->wake, console_wake_cb);
	ev_signal_init(&c->tstp_watcher, console_tstp_cb, SIGTSTP);
	ev_signal_init(&c->cont_watcher, console_cont_cb, SIGCONT);
	c->in_watcher.data = c->out_watcher.data = c->wake.data = c->flush_watcher.data = c;
	c->tstp_watcher.data = c->cont_watcher.data = c;
	ev_async_start(loop, &c->wake);
	ev_io_start(loop, &c->flush_watcher);
	if (c->raw_mode) {
		ev_signal_start(loop, &c->tstp_watcher);
		ev_signal_start(loop, &c->cont_watcher);
	}
	console_update_in_watcher(c);
	return 0;
}

void console_exit(struct console *c)
{
	if (c->loop == NULL)
		return;	/* never set up (a device before it failed) */
	ev_io_stop(c->loop, &c->in_watcher);
	ev_io_stop(c->loop, &c->out_watcher);
	ev_io_stop(c->loop, &c->flush_watcher);
	ev_async_stop(c->loop, &c->wake);
	ev_signal_stop(c->loop, &c->tstp_watcher);
	ev_signal_stop(c->loop, &c->cont_watcher);

	/* The terminal first: whatever stdout does next, the person gets it back. */
	console_restore_terminal(c);
	if (c->raw_mode)
		console_fatal_uninstall();
	c->raw_mode = false;
	/* Then the guest's last words, for a bounded time. */
	console_final_flush(c);
	if (c->flush_fd >= 0)
		close(c->flush_fd);	/* only now: the flush may still queue (tx_room) */
	c->flush_fd = -1;
	nbwrite_close(&c->out);
	pthread_mutex_destroy(&c->out_lock);
	c->loop = NULL;
}

void console_report(const struct console *c, FILE *out)
{
	const struct console_stats *s = &c->stats;
	const char *name = c->out_name != NULL ? c->out_name : "stdout";

	if (s->output_lost > 0)
		fprintf(out, "minivmm: guest output lost: %" PRIu64 " bytes (%s: %s)\n",
			s->output_lost, name, strerror(s->lost_errno));
	if (s->output_unwritten > 0)
		fprintf(out, "minivmm: %" PRIu64 " bytes of guest output were not written: %s "
			"did not take them within %d s of exit\n", s->output_unwritten, name,
			CONSOLE_EXIT_FLUSH_MS / 1000);
	if (s->thr_dropped > 0)
		fprintf(out, "minivmm: %" PRIu64 " bytes written to COM1's THR while the transmitter "
			"was full were dropped (as on a 16550)\n", s->thr_dropped);
	if (c->report_also != NULL && c->report_also != c)
		console_report(c->report_also, out);
}
