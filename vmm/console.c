// SPDX-License-Identifier: MIT
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

static void console_deliver_pending(struct console *c);

static void console_update_in_watcher(struct console *c)
{
	/* Read stdin only when there is room to keep what we read. */
	bool want = !c->in_eof && c->in_len < sizeof(c->in_buf);

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
 * Append freshly read bytes to in_buf, interpreting Ctrl-A escapes on a
 * terminal.  Returns false if the person asked to quit.
 */
static bool console_take_input(struct console *c, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = buf[i];

		if (c->is_tty && c->escape_pending) {
			c->escape_pending = false;
			if (ch == 'x' || ch == 'X')
				return false;
			if (ch == 'h' || ch == 'H' || ch == '?')
				console_print_help();
			else if (ch == CONSOLE_ESCAPE)
				c->in_buf[c->in_len++] = ch;
			/* Anything else after Ctrl-A is swallowed, as QEMU does. */
			continue;
		}
		if (c->is_tty && ch == CONSOLE_ESCAPE) {
			c->escape_pending = true;
			continue;
		}
		c->in_buf[c->in_len++] = ch;
	}
	return true;
}

static void console_in_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct console *c = w->data;
	uint8_t buf[CONSOLE_IN_SIZE];
	size_t room = sizeof(c->in_buf) - c->in_len;
	ssize_t n;

	(void)loop;
	(void)revents;
	/* Never read more than we can keep: an escape sequence only shrinks it. */
	n = read(c->in_fd, buf, room);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		n = 0;	/* a broken stdin is an end of input, not a reason to stop the guest */
	}
	if (n == 0) {
		c->in_eof = true;
	} else if (!console_take_input(c, buf, (size_t)n)) {
		c->ops->quit(c->opaque);
		return;
	}
	console_deliver_pending(c);
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

/* Write what is queued; returns false if the fd would block. */
static bool console_flush_some(struct console *c)
{
	uint8_t chunk[4096];
	size_t len, head;
	bool notify = false;
	ssize_t n;

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
	n = write(c->out_fd, chunk, len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;

	if (n > 0) {
		c->stats.bytes_written += (uint64_t)n;
		c->stats.writes++;
	}
	pthread_mutex_lock(&c->out_lock);
	if (n < 0) {
		/* The reader went away: drop output from now on, keep the guest running. */
		c->out_broken = true;
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
		/* Nobody is listening: accept and forget, so the guest never stalls. */
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

void console_rx_room(struct console *c)
{
	ev_async_send(c->loop, &c->wake);
}

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
	if (tcsetattr(c->in_fd, TCSANOW, &raw) < 0)
		return -errno;
	c->raw_mode = true;
	return 0;
}

int console_init(struct console *c, struct ev_loop *loop, int in_fd, int out_fd,
		 const struct console_ops *ops, void *opaque)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->saved_out_flags = -1;	/* nothing to restore until we change them */
	c->flush_fd = -1;
	c->loop = loop;
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->ops = ops;
	c->opaque = opaque;
	c->is_tty = isatty(in_fd);
	pthread_mutex_init(&c->out_lock, NULL);

	if (c->is_tty) {
		ret = console_enter_raw_mode(c);
		if (ret < 0)
			return ret;
	}
	/* stdout must not block the loop; restored in console_exit(). */
	c->saved_out_flags = fcntl(out_fd, F_GETFL);
	if (c->saved_out_flags >= 0)
		fcntl(out_fd, F_SETFL, c->saved_out_flags | O_NONBLOCK);

	c->flush_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (c->flush_fd < 0)
		return -errno;
	ev_io_init(&c->in_watcher, console_in_cb, in_fd, EV_READ);
	ev_io_init(&c->out_watcher, console_out_cb, out_fd, EV_WRITE);
	ev_io_init(&c->flush_watcher, console_flush_timer_cb, c->flush_fd, EV_READ);
	ev_async_init(&c->wake, console_wake_cb);
	c->in_watcher.data = c->out_watcher.data = c->wake.data = c->flush_watcher.data = c;
	ev_async_start(loop, &c->wake);
	ev_io_start(loop, &c->flush_watcher);
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
	if (c->flush_fd >= 0)
		close(c->flush_fd);

	/* Back to blocking, then write out the rest: the guest's last words count. */
	if (c->saved_out_flags >= 0)
		fcntl(c->out_fd, F_SETFL, c->saved_out_flags);
	while (!c->out_broken && console_out_pending(c)) {
		if (!console_flush_some(c))
			break;
	}
	if (c->raw_mode)
		tcsetattr(c->in_fd, TCSANOW, &c->saved_termios);
	c->raw_mode = false;
	pthread_mutex_destroy(&c->out_lock);
	c->loop = NULL;
}
