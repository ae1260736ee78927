// SPDX-License-Identifier: MIT
/*
 * Glue for the debug console at port 0xe9 (devices/debugcon.h): the bytes
 * go to stderr, or to the file --debugcon names.
 *
 * The guest must never wait for the reader, and the device lock must
 * never be held across a write(2): the vCPU thread only appends each byte
 * to a bounded queue under a small lock of its own (`lock`, which nests
 * inside the device lock) and wakes the loop on empty -> non-empty; the
 * loop thread writes the queue out without blocking (nbwrite.h), watching
 * the fd while it would block, as the tracer does for its lines.  The port
 * has no flow control to push back with, so while the reader can't keep up
 * the queue fills and further bytes are lost, counted; after a write error
 * (a vanished reader, a full disk) the bytes are discarded and counted.  At
 * exit (teardown, on the loop thread, after the vCPU stopped) what is
 * queued goes out within DEBUGCON_EXIT_FLUSH_MS, and one line says how many
 * bytes were lost, if any.
 *
 * --debugcon FILE is opened here, during setup, before the threads confine
 * themselves (sandbox.h): O_WRONLY | O_CREAT | O_TRUNC, mode 0644, as
 * QEMU's file: chardev; O_NONBLOCK too, so that a FIFO nobody reads is
 * refused at once instead of hanging minivmm before the guest starts.
 * No system call beyond the lists is needed: write/send and poll (both
 * threads' lists), epoll_ctl and close (the loop's).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "clock.h"
#include "debugcon.h"
#include "machine.h"
#include "nbwrite.h"

#define DEBUGCON_QUEUE_SIZE (64 * 1024)
#define DEBUGCON_EXIT_FLUSH_MS 2000	/* at exit, wait this long at most for the reader */

struct debugcon_board {
	struct machine *machine;
	struct debugcon model;
	bool ready;		/* setup got past opening: teardown undoes the rest */
	const char *dest;	/* "stderr", or the --debugcon path, for messages */
	int file_fd;		/* --debugcon FILE, or -1 */
	struct nbwrite out;	/* where the bytes go, written without blocking */
	struct ev_loop *loop;
	ev_async wake;		/* the queue became non-empty */
	ev_io out_watcher;	/* active while the fd would block */

	/* The queue: the vCPU appends, the loop writes out, under `lock`. */
	pthread_mutex_t lock;
	uint8_t queue[DEBUGCON_QUEUE_SIZE];
	size_t head, len;
	bool broken;		/* a write failed for good: discard from now on */
	int write_errno;	/* that failure */

	/* What became of the bytes (the model counts those it was refused). */
	uint64_t written;	/* loop thread */
	uint64_t lost_error;	/* under lock: discarded after a write error */
	uint64_t unwritten;	/* still queued when the exit deadline passed */
};

/* The model's sink: vCPU thread, device lock held.  Never blocks. */
static bool debugcon_put(void *opaque, uint8_t byte)
{
	struct debugcon_board *db = opaque;
	bool was_empty;

	pthread_mutex_lock(&db->lock);
	if (db->broken) {
		db->lost_error++;
		pthread_mutex_unlock(&db->lock);
		return true;	/* taken, and dropped: counted as a write error */
	}
	if (db->len == DEBUGCON_QUEUE_SIZE) {
		pthread_mutex_unlock(&db->lock);
		return false;	/* the model counts it refused */
	}
	db->queue[(db->head + db->len) % DEBUGCON_QUEUE_SIZE] = byte;
	was_empty = db->len++ == 0;
	pthread_mutex_unlock(&db->lock);
	/* The loop drains everything it finds: wake it only when it has none. */
	if (was_empty)
		ev_async_send(db->loop, &db->wake);
	return true;
}

enum debugcon_out_state {
	DEBUGCON_OUT_EMPTY,	/* everything queued was written (or discarded) */
	DEBUGCON_OUT_BLOCKED,	/* the fd takes nothing more now */
};

/*
 * Write out what is queued, as far as the fd takes it without blocking.
 * Loop thread (or teardown).  The write runs without the lock: the vCPU
 * only appends past head + len, never touching the bytes being written.
 */
static enum debugcon_out_state debugcon_write_out(struct debugcon_board *db)
{
	for (;;) {
		const uint8_t *chunk;
		size_t n;
		ssize_t done;

		pthread_mutex_lock(&db->lock);
		if (db->len == 0) {
			db->head = 0;
			pthread_mutex_unlock(&db->lock);
			return DEBUGCON_OUT_EMPTY;
		}
		chunk = db->queue + db->head;
		n = db->len < DEBUGCON_QUEUE_SIZE - db->head ? db->len
							      : DEBUGCON_QUEUE_SIZE - db->head;
		pthread_mutex_unlock(&db->lock);

		done = nbwrite_write(&db->out, chunk, n);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0 && errno == EAGAIN)
			return DEBUGCON_OUT_BLOCKED;
		pthread_mutex_lock(&db->lock);
		if (done <= 0) {
			/* The reader is gone, the disk is full: drop, keep counting. */
			db->broken = true;
			db->write_errno = done < 0 ? errno : EIO;
			db->lost_error += db->len;
			db->head = db->len = 0;
			pthread_mutex_unlock(&db->lock);
			return DEBUGCON_OUT_EMPTY;
		}
		db->head = (db->head + (size_t)done) % DEBUGCON_QUEUE_SIZE;
		db->len -= (size_t)done;
		db->written += (uint64_t)done;
		pthread_mutex_unlock(&db->lock);
	}
}

/* Loop thread: write what we can, and watch the fd while it would block. */
static void debugcon_flush(struct debugcon_board *db)
{
	if (debugcon_write_out(db) == DEBUGCON_OUT_BLOCKED)
		ev_io_start(db->loop, &db->out_watcher);
	else
		ev_io_stop(db->loop, &db->out_watcher);
}

static void debugcon_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	debugcon_flush(w->data);
}

static void debugcon_out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	debugcon_flush(w->data);
}

static uint64_t debugcon_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct debugcon_board *db = opaque;

	(void)offset;
	(void)size;
	return debugcon_read(&db->model);
}

static void debugcon_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct debugcon_board *db = opaque;

	(void)offset;
	(void)size;
	debugcon_write(&db->model, (uint8_t)value);
}

/* One byte wide, as QEMU's isa-debugcon: the bus gives an outw's high
 * byte to port 0xea, whoever answers there. */
static const struct bus_ops debugcon_ops = {
	.read = debugcon_io_read, .write = debugcon_io_write, .max_access_size = 1,
};

static int debugcon_setup(struct machine *m, void *state, struct error *err)
{
	struct debugcon_board *db = state;
	const char *path = m->opts->debugcon;

	db->machine = m;
	db->file_fd = -1;
	db->dest = "stderr";
	if (path != NULL) {
		db->file_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY |
				   O_NONBLOCK, 0644);
		if (db->file_fd < 0 && errno == ENXIO)
			return error_set(err, -ENXIO, "--debugcon %s: a FIFO that nobody reads "
					 "(start its reader first)", path);
		if (db->file_fd < 0)
			return error_set(err, -errno, "cannot open --debugcon %s: %s", path,
					 strerror(errno));
		db->dest = path;
	}
	/* Now, while every system call is still allowed (a terminal or pipe
	 * gets a private non-blocking description: nbwrite.h). */
	nbwrite_open(&db->out, db->file_fd >= 0 ? db->file_fd : STDERR_FILENO);
	pthread_mutex_init(&db->lock, NULL);
	db->loop = m->loop;
	ev_async_init(&db->wake, debugcon_wake_cb);
	db->wake.data = db;
	ev_async_start(db->loop, &db->wake);
	ev_io_init(&db->out_watcher, debugcon_out_cb, db->out.fd, EV_WRITE);
	db->out_watcher.data = db;
	db->ready = true;

	debugcon_init(&db->model, (struct debugcon_sink){ .put = debugcon_put, .opaque = db });
	return board_claim(m, BUS_PIO, DEBUGCON_PORT, DEBUGCON_LEN, "debugcon", &debugcon_ops,
			   db, err);
}

/* At exit: write out what is queued, waiting DEBUGCON_EXIT_FLUSH_MS at most. */
static void debugcon_final_flush(struct debugcon_board *db)
{
	uint64_t deadline = clock_now_ns() + DEBUGCON_EXIT_FLUSH_MS * NSEC_PER_MSEC;
	struct pollfd pfd = { .fd = db->out.fd, .events = POLLOUT };

	while (debugcon_write_out(db) == DEBUGCON_OUT_BLOCKED) {
		uint64_t now = clock_now_ns();

		if (now >= deadline)
			break;
		poll(&pfd, 1, (int)((deadline - now) / NSEC_PER_MSEC) + 1);
	}
}

/*
 * After the vCPU stopped (loop thread): flush, stop watching, close what
 * setup opened, and say on stderr how many bytes were lost, if any (before
 * main()'s last words: the exit message and --stats).
 */
static void debugcon_teardown(struct machine *m, void *state)
{
	struct debugcon_board *db = state;
	uint64_t lost;
	char msg[1024];	/* room for every part, with the path cut at 200 */
	int len;

	if (!db->ready)
		return;
	ev_async_stop(db->loop, &db->wake);
	ev_io_stop(db->loop, &db->out_watcher);
	debugcon_final_flush(db);
	pthread_mutex_lock(&db->lock);
	db->unwritten = db->len;
	db->head = db->len = 0;
	db->broken = true;	/* nothing more goes out */
	pthread_mutex_unlock(&db->lock);
	nbwrite_close(&db->out);
	if (db->file_fd >= 0)
		close(db->file_fd);
	db->file_fd = -1;
	db->ready = false;

	lost = db->model.stats.refused + db->lost_error + db->unwritten;
	if (lost == 0)
		return;
	/* One line, naming only the ways it happened. */
	len = snprintf(msg, sizeof(msg), "minivmm: debugcon: %" PRIu64 " bytes the guest wrote to "
		       "port 0xe9 were lost:", lost);
	if (db->model.stats.refused != 0)
		len += snprintf(msg + len, sizeof(msg) - (size_t)len, " %" PRIu64 " while %.200s "
				"could not keep up;", db->model.stats.refused, db->dest);
	if (db->lost_error != 0)
		len += snprintf(msg + len, sizeof(msg) - (size_t)len, " %" PRIu64 " after a "
				"write error on %.200s (%s);", db->lost_error, db->dest,
				strerror(db->write_errno));
	if (db->unwritten != 0)
		len += snprintf(msg + len, sizeof(msg) - (size_t)len, " %" PRIu64 " still "
				"queued at exit;", db->unwritten);
	if ((size_t)len >= sizeof(msg))
		len = sizeof(msg) - 1;
	msg[len - 1] = '\n';	/* the last ';' */
	nbwrite_all(&m->err_out, msg, (size_t)len, DEBUGCON_EXIT_FLUSH_MS);
}

static void debugcon_print_stats(void *state, FILE *out)
{
	const struct debugcon_board *db = state;
	const struct debugcon_stats *s = &db->model.stats;

	fprintf(out, "minivmm: stats: debugcon: %" PRIu64 " bytes from the guest, %" PRIu64
		" written to %s, %" PRIu64 " lost (%" PRIu64 " queue full, %" PRIu64
		" write error, %" PRIu64 " not written at exit); %" PRIu64 " reads\n", s->bytes,
		db->written, db->dest != NULL ? db->dest : "stderr",
		s->refused + db->lost_error + db->unwritten, s->refused, db->lost_error,
		db->unwritten, s->reads);
}

const struct board_device board_debugcon = {
	.name = "debugcon",
	.state_size = sizeof(struct debugcon_board),
	.setup = debugcon_setup,
	.teardown = debugcon_teardown,
	.print_stats = debugcon_print_stats,
};
