// SPDX-License-Identifier: MIT
/*
 * Exit dispatch: the interval between consecutive port I/O (or MMIO)
 * exits of a guest that does nothing else, through minivmm's vCPU loop,
 * device lock and bus, against a bare KVM_RUN loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "board/board.h"
#include "harness.h"
#include "raw_kvm.h"

#define EXITS_FULL 1000000
#define EXITS_QUICK 20000

struct exit_recorder {
	struct machine *machine;
	uint64_t *ts;
	size_t n, want;
};

static void exit_record(struct exit_recorder *r)
{
	if (r->n < r->want)
		r->ts[r->n++] = bench_now_ns();
	if (r->n == r->want && r->machine != NULL)
		machine_stop(r->machine, 0, NULL);
}

static void exit_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	(void)offset;
	(void)value;
	(void)size;
	exit_record(opaque);
}

static const struct bus_ops exit_ops = { .write = exit_io_write };

/* Through minivmm: a device on the bus that timestamps each access. */
static int exits_minivmm(enum bus_space space, const uint8_t *image, size_t size,
			 struct exit_recorder *r, struct error *err)
{
	struct bench_vmm b;
	int ret = bench_vmm_create(&b, image, size, BENCH_RAM, -1, err);

	if (ret == 0) {
		r->machine = b.m;
		ret = board_claim(b.m, space, space == BUS_PIO ? BENCH_PORT : BENCH_MMIO, 1,
				  "bench", &exit_ops, r, err);
	}
	if (ret == 0)
		bench_vmm_run(&b);
	bench_vmm_destroy(&b);
	return ret;
}

/* The baseline: KVM_RUN, note the time of each exit of the right kind. */
static int exits_raw(uint32_t reason, const uint8_t *image, size_t size,
		     struct exit_recorder *r, struct error *err)
{
	struct raw_kvm k;
	int ret = raw_kvm_create(&k, image, size, BENCH_RAM, err);

	while (ret == 0 && r->n < r->want) {
		ret = raw_kvm_run(&k);
		if (ret < 0)
			ret = error_set(err, ret, "KVM_RUN failed: %s", strerror(-ret));
		else if (k.run->exit_reason == reason)
			exit_record(r);
		else
			ret = error_set(err, -EIO, "unexpected exit %u", k.run->exit_reason);
	}
	raw_kvm_destroy(&k);
	return ret;
}

static int bench_exits(const struct bench_options *o, const char *kernel, const char *name,
		       const char *slug, enum bus_space space, uint32_t reason, struct error *err)
{
	size_t want = o->quick ? EXITS_QUICK : EXITS_FULL;
	struct exit_recorder mine = { .want = want }, raw = { .want = want };
	struct bench_summary sm, sr;
	uint8_t *image;
	size_t size;
	char label[64];
	int ret;

	ret = bench_load_kernel(kernel, &image, &size, err);
	if (ret < 0)
		return ret;
	mine.ts = calloc(want, sizeof(uint64_t));
	raw.ts = calloc(want, sizeof(uint64_t));
	if (mine.ts == NULL || raw.ts == NULL)
		ret = error_set(err, -ENOMEM, "out of memory");
	/* Baseline first, then minivmm, then the baseline again would be
	 * fairer still; one of each keeps the run short. */
	if (ret == 0)
		ret = exits_raw(reason, image, size, &raw, err);
	if (ret == 0)
		ret = exits_minivmm(space, image, size, &mine, err);
	if (ret == 0 && (mine.n < 2 || raw.n < 2))
		ret = error_set(err, -EIO, "%s: too few exits (%zu, %zu)", name, mine.n, raw.n);
	if (ret == 0) {
		bench_intervals(mine.ts, mine.n, mine.ts);
		bench_intervals(raw.ts, raw.n, raw.ts);
		snprintf(label, sizeof(label), "exits-%s-minivmm", slug);
		bench_save(o, label, mine.ts, mine.n - 1);
		snprintf(label, sizeof(label), "exits-%s-raw", slug);
		bench_save(o, label, raw.ts, raw.n - 1);
		sm = bench_summarize(mine.ts, mine.n - 1);
		sr = bench_summarize(raw.ts, raw.n - 1);
		snprintf(label, sizeof(label), "%s exit dispatch", name);
		bench_row(label, "us", 1e-3, &sm, &sr, 1.05, false);
	}
	free(mine.ts);
	free(raw.ts);
	free(image);
	return ret;
}

int bench_pio(const struct bench_options *o, struct error *err)
{
	return bench_exits(o, "pio_loop", "port I/O", "pio", BUS_PIO, KVM_EXIT_IO, err);
}

int bench_mmio(const struct bench_options *o, struct error *err)
{
	return bench_exits(o, "mmio_loop", "MMIO", "mmio", BUS_MMIO, KVM_EXIT_MMIO, err);
}
