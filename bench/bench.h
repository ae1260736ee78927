/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BENCH_H
#define MINIVMM_BENCH_H

/*
 * minivmm-bench: how close minivmm runs to what KVM itself allows.
 *
 * Every metric is measured twice in the same process, minutes apart at
 * most: through minivmm's own code (machine.c, the vCPU thread, the device
 * lock, the bus, the loop thread), and through a bare baseline that does
 * the least KVM needs (raw_kvm.c: KVM_RUN in a loop, no bus, no loop
 * thread).  The figure that counts is the ratio.  Guests are real-mode
 * ROMs (bench/kernels/), which even a paravirtual KVM (PVM) runs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The port and MMIO address of the benchmark device the guests talk to. */
#define BENCH_PORT	0x0500
#define BENCH_MMIO	0x00100000u	/* just above 1 MiB of RAM: no memslot there */
#define BENCH_RAM	(1u << 20)	/* guests run with 1 MiB of RAM */

struct bench_options {
	bool quick;		/* fewer samples: a smoke run, not figures to quote */
	const char *data_dir;	/* where raw samples go for plots, or NULL */
};

/* Median, 99th percentile and maximum of a sample set. */
struct bench_summary {
	size_t n;
	double median, p99, max;
};

/* Sorts `values` in place and summarises them. */
struct bench_summary bench_summarize(uint64_t *values, size_t n);

/* values[i] = ts[i + 1] - ts[i]: the intervals between n timestamps (n - 1 of them). */
void bench_intervals(const uint64_t *ts, size_t n, uint64_t *values);

/*
 * One table row: the metric through minivmm and through the baseline,
 * scaled by `scale` into `unit` (e.g. 1e-3, "us" for nanoseconds), and
 * the ratio of the medians against `goal` (met when ratio <= goal, or >=
 * goal when `higher_is_better`).  Also kept for the summary at the end.
 */
void bench_row(const char *metric, const char *unit, double scale,
	       const struct bench_summary *mine, const struct bench_summary *raw, double goal,
	       bool higher_is_better);

/* Latencies through minivmm and through the baseline, with what each lost. */
struct bench_latencies {
	uint64_t *ns;		/* one per event handled; sorted by bench_report_latency() */
	size_t handled;
	size_t lost;
};

/*
 * The latency rows of the interrupt benchmarks: save both sample sets as
 * "<slug>-minivmm" and "<slug>-raw", print the row against the median
 * goal, then the p99 goal and the lost counts.  Returns minivmm's summary.
 */
struct bench_summary bench_report_latency(const struct bench_options *o, const char *slug,
					  const char *what, struct bench_latencies *mine,
					  struct bench_latencies *raw, double goal,
					  double p99_goal);

/* A row with single figures rather than distributions. */
void bench_row_value(const char *metric, const char *unit, double mine, double raw,
		     double goal, bool higher_is_better);

/* Write values one per line to DIR/name.dat (nothing without a data dir). */
void bench_save(const struct bench_options *o, const char *name, const uint64_t *values,
		size_t n);

/* Read build/bench/kernels/NAME.bin.  0, or -errno with err set. */
int bench_load_kernel(const char *name, uint8_t **image, size_t *size, struct error *err);

/* The injection p99 (ns) of the 'irq' run with the vCPU halted, once it
 * ran in this process: the PIT's lateness goal is stated with it. */
extern double bench_irq_halted_p99_ns;

/* CLOCK_MONOTONIC in ns. */
uint64_t bench_now_ns(void);

/* Each benchmark: 0, or -errno with err set (it could not run at all). */
int bench_pio(const struct bench_options *o, struct error *err);
int bench_mmio(const struct bench_options *o, struct error *err);
int bench_uart(const struct bench_options *o, struct error *err);
int bench_irq(const struct bench_options *o, struct error *err);
int bench_irq_console(const struct bench_options *o, struct error *err);
int bench_pit(const struct bench_options *o, struct error *err);
int bench_startup(const struct bench_options *o, struct error *err);
int bench_memory(const struct bench_options *o, struct error *err);

#endif
