// SPDX-License-Identifier: MIT
/*
 * UART transmit: how fast a guest gets bytes out of COM1 the way Linux's
 * 8250 console does (bench/kernels/uart_tx.asm: poll LSR until THRE|TEMT,
 * write THR, per byte), through minivmm's UART model and console into a
 * pipe that a thread drains, against the ceiling KVM itself allows: the
 * same guest on a bare KVM_RUN loop that answers every LSR read with
 * THRE|TEMT and swallows THR writes (no device model, no console).
 *
 * A pipe rather than /dev/null: it is what a terminal or `minivmm | tee`
 * looks like to the console (a reader that takes time, a buffer that can
 * fill, EAGAIN), and it lets us check every byte that arrived.
 */
#define _GNU_SOURCE	/* pipe2() */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "harness.h"
#include "raw_kvm.h"
#include "watchdog.h"

#define UART_BYTES_FULL (1u << 20)
#define UART_BYTES_QUICK (64u << 10)
#define UART_TX_COUNT_ADDR 0x0ff0	/* uart_tx.asm's UART_TX_COUNT */
/* Time limits: the raw run's is fixed, minivmm's a multiple of the raw run's. */
#define UART_RAW_LIMIT_NS (300 * UINT64_C(1000000000))
#define UART_MINIVMM_LIMIT_MIN_NS (60 * UINT64_C(1000000000))
#define UART_MINIVMM_LIMIT_FACTOR 10

#define COM1_THR 0x3f8
#define COM1_LCR 0x3fb
#define COM1_LSR 0x3fd
#define LCR_DLAB 0x80
#define LSR_BOTH_EMPTY 0x60		/* THRE | TEMT */
#define DEBUG_EXIT_PORT 0xf4

/* One run of the guest: what it sent, how long it took, what it cost. */
struct uart_result {
	uint64_t bytes;		/* bytes that arrived (pipe) or were written to THR (raw) */
	uint64_t bad;		/* bytes that were not the expected i & 0xff */
	uint64_t ns;		/* from the start of the run to the guest's exit */
	uint64_t io_exits;
	uint64_t host_writes;	/* write(2) calls of minivmm's console */
	uint64_t host_bytes;	/* bytes those calls wrote */
};

/* The pipe's reader: counts and checks what minivmm's console wrote. */
struct uart_reader {
	int fd;
	uint64_t bytes, bad;
};

static void *uart_reader_thread(void *arg)
{
	struct uart_reader *r = arg;
	uint8_t buf[64 * 1024];

	for (;;) {
		ssize_t n = read(r->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			r->bad += buf[i] != (uint8_t)(r->bytes + (uint64_t)i);
		r->bytes += (uint64_t)n;
	}
	return NULL;
}

static void uart_set_count(uint8_t *ram, uint32_t count)
{
	memcpy(ram + UART_TX_COUNT_ADDR, &count, sizeof(count));
}

static int uart_minivmm(const uint8_t *image, size_t size, uint32_t count, uint64_t limit_ns,
			struct uart_result *res, struct error *err)
{
	struct uart_reader reader = { .fd = -1 };
	struct bench_watchdog w;
	struct bench_vmm b;
	pthread_t thread;
	int fds[2], ret, status = -1;
	uint64_t t0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return error_set(err, -errno, "pipe: %s", strerror(errno));
	reader.fd = fds[0];
	ret = pthread_create(&thread, NULL, uart_reader_thread, &reader);
	if (ret != 0) {
		close(fds[0]);
		close(fds[1]);
		return error_set(err, -ret, "pthread_create: %s", strerror(ret));
	}
	ret = bench_watchdog_start(&w, limit_ns, err);
	if (ret < 0) {
		close(fds[1]);
		pthread_join(thread, NULL);
		close(fds[0]);
		return ret;
	}
	ret = bench_vmm_create(&b, image, size, BENCH_RAM, fds[1], err);
	if (ret == 0) {
		uart_set_count(b.m->vm.ram, count);
		bench_watchdog_watch(&w, b.m);
		t0 = bench_now_ns();
		/* Returns once the guest has exited and its output is flushed. */
		status = bench_vmm_run(&b);
		res->ns = bench_now_ns() - t0;
		res->io_exits = b.m->vcpu.stats.io;
		res->host_writes = b.m->console.stats.writes;
		res->host_bytes = b.m->console.stats.bytes_written;
		if (status != 1)
			ret = error_set(err, -EIO, "minivmm stopped with status %d, not 1: %s",
					status, b.m->exit_message);
	}
	bench_watchdog_stop(&w);
	/* Restores our stdout; then the pipe's last writer is fds[1]. */
	bench_vmm_destroy(&b);
	close(fds[1]);
	pthread_join(thread, NULL);
	close(fds[0]);
	res->bytes = reader.bytes;
	res->bad = reader.bad;
	return ret;
}

/* The ceiling: the same guest, each exit answered in a few instructions. */
static int uart_raw(const uint8_t *image, size_t size, uint32_t count, struct uart_result *res,
		    struct error *err)
{
	struct raw_kvm k;
	uint8_t lcr = 0;
	bool done = false;
	uint64_t t0;
	int ret = raw_kvm_create(&k, image, size, BENCH_RAM, err);

	if (ret == 0)
		uart_set_count(k.vm.ram, count);
	t0 = bench_now_ns();
	while (ret == 0 && !done) {
		struct kvm_run *run = k.run;
		uint8_t *data;

		ret = raw_kvm_run(&k);
		if (ret < 0) {
			ret = error_set(err, ret, "KVM_RUN failed: %s", strerror(-ret));
			break;
		}
		/* The guest exits twice a byte: checking the time here bounds the run. */
		if (bench_now_ns() - t0 > UART_RAW_LIMIT_NS) {
			ret = error_set(err, -ETIMEDOUT, "raw: time limit reached");
			break;
		}
		if (run->exit_reason != KVM_EXIT_IO) {
			ret = error_set(err, -EIO, "unexpected exit %u", run->exit_reason);
			break;
		}
		res->io_exits++;
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.direction == KVM_EXIT_IO_IN) {
			memset(data, run->io.port == COM1_LSR ? LSR_BOTH_EMPTY : 0xff,
			       (size_t)run->io.size * run->io.count);
		} else if (run->io.port == COM1_THR && !(lcr & LCR_DLAB)) {
			res->bad += data[0] != (uint8_t)res->bytes;
			res->bytes++;
		} else if (run->io.port == COM1_LCR) {
			lcr = data[0];
		} else if (run->io.port == DEBUG_EXIT_PORT) {
			done = true;
		}
	}
	res->ns = bench_now_ns() - t0;
	raw_kvm_destroy(&k);
	return ret;
}

static double uart_rate(const struct uart_result *r)
{
	return r->ns > 0 ? (double)r->bytes * 1e9 / (double)r->ns : 0;
}

static double uart_per_byte(uint64_t n, const struct uart_result *r)
{
	return r->bytes > 0 ? (double)n / (double)r->bytes : 0;
}

int bench_uart(const struct bench_options *o, struct error *err)
{
	uint32_t count = o->quick ? UART_BYTES_QUICK : UART_BYTES_FULL;
	struct uart_result mine = { 0 }, raw = { 0 };
	double raw_exit_ns, ceiling, bytes_per_write;
	uint8_t *image;
	size_t size;
	int ret;

	ret = bench_load_kernel("uart_tx", &image, &size, err);
	if (ret < 0)
		return ret;
	ret = uart_raw(image, size, count, &raw, err);
	if (ret == 0)
		ret = uart_minivmm(image, size, count,
				   raw.ns * UART_MINIVMM_LIMIT_FACTOR > UART_MINIVMM_LIMIT_MIN_NS ?
				   raw.ns * UART_MINIVMM_LIMIT_FACTOR : UART_MINIVMM_LIMIT_MIN_NS,
				   &mine, err);
	free(image);
	if (ret < 0)
		return ret;
	if (mine.bytes != count || raw.bytes != count || mine.bad + raw.bad > 0)
		return error_set(err, -EIO, "%u bytes sent; %" PRIu64 " arrived through minivmm (%"
				 PRIu64 " wrong), %" PRIu64 " through the raw loop (%" PRIu64
				 " wrong)", count, mine.bytes, mine.bad, raw.bytes, raw.bad);

	/* kB/s, not MB/s: at a few us an exit, a byte a poll costs tens of kB/s. */
	bench_row_value("UART transmit", "kB/s", uart_rate(&mine) / 1e3, uart_rate(&raw) / 1e3,
			0.9, true);
	/* Where minivmm's time goes: more exits per byte, or dearer exits. */
	raw_exit_ns = (double)raw.ns / (double)raw.io_exits;
	ceiling = 1e9 / (uart_per_byte(mine.io_exits, &mine) * raw_exit_ns) / 1e3;
	printf("%-34s   %u bytes: minivmm %.3f s, %.2f exits/byte, %.0f ns/exit; raw %.3f s, "
	       "%.2f exits/byte, %.0f ns/exit\n", "", count, (double)mine.ns / 1e9,
	       uart_per_byte(mine.io_exits, &mine), (double)mine.ns / (double)mine.io_exits,
	       (double)raw.ns / 1e9, uart_per_byte(raw.io_exits, &raw), raw_exit_ns);
	printf("%-34s   ceiling at minivmm's exits/byte x raw ns/exit: %.2f kB/s (minivmm at "
	       "%.3fx of it)\n", "", ceiling, ceiling > 0 ? uart_rate(&mine) / 1e3 / ceiling : 0);
	/* "Never one write per byte": at least two bytes a write(2) on average. */
	bytes_per_write = mine.host_writes > 0 ? (double)mine.host_bytes / mine.host_writes : 0;
	printf("%-34s   console: %" PRIu64 " bytes in %" PRIu64 " write(2) calls, %.2f bytes/write "
	       "(goal >= 2, never one write per byte: %s)\n", "", mine.host_bytes,
	       mine.host_writes, bytes_per_write, bytes_per_write >= 2 ? "met" : "MISSED");
	fflush(stdout);
	return 0;
}
