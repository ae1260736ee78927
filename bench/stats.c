// SPDX-License-Identifier: MIT
/* Summaries, table rows and data files for minivmm-bench. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value at quantile q (0..1) of sorted values, nearest rank. */
static double bench_quantile(const uint64_t *sorted, size_t n, double q)
{
	size_t rank = (size_t)(q * (double)n + 0.999999);

	if (rank == 0)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)sorted[rank - 1];
}

struct bench_summary bench_summarize(uint64_t *values, size_t n)
{
	struct bench_summary s = { .n = n };

	if (n == 0)
		return s;
	qsort(values, n, sizeof(*values), bench_cmp_u64);
	s.median = bench_quantile(values, n, 0.5);
	s.p99 = bench_quantile(values, n, 0.99);
	s.max = (double)values[n - 1];
	return s;
}

void bench_intervals(const uint64_t *ts, size_t n, uint64_t *values)
{
	for (size_t i = 0; i + 1 < n; i++)
		values[i] = ts[i + 1] - ts[i];
}

static const char *bench_verdict(double ratio, double goal, bool higher_is_better)
{
	return (higher_is_better ? ratio >= goal : ratio <= goal) ? "met" : "MISSED";
}

/* "(goal <= 1.05x: met)", or nothing for a row whose goal is elsewhere. */
static void bench_print_goal(double ratio, double goal, bool higher_is_better)
{
	if (goal > 0)
		printf("  (goal %s%.2fx: %s)", higher_is_better ? ">= " : "<= ", goal,
		       bench_verdict(ratio, goal, higher_is_better));
	printf("\n");
}

void bench_row(const char *metric, const char *unit, double scale,
	       const struct bench_summary *mine, const struct bench_summary *raw, double goal,
	       bool higher_is_better)
{
	double ratio = raw->median > 0 ? mine->median / raw->median : 0;

	printf("%-34s %9.2f %9.2f %9.2f | %9.2f %9.2f %9.2f %-4s | %6.3fx", metric,
	       mine->median * scale, mine->p99 * scale, mine->max * scale, raw->median * scale,
	       raw->p99 * scale, raw->max * scale, unit, ratio);
	bench_print_goal(ratio, goal, higher_is_better);
	printf("%-34s   p99 ratio %.3fx, samples %zu / %zu\n", "", raw->p99 > 0 ?
	       mine->p99 / raw->p99 : 0, mine->n, raw->n);
	fflush(stdout);
}

struct bench_summary bench_report_latency(const struct bench_options *o, const char *slug,
					  const char *what, struct bench_latencies *mine,
					  struct bench_latencies *raw, double goal,
					  double p99_goal)
{
	struct bench_summary sm, sr;
	char label[96];

	snprintf(label, sizeof(label), "%s-minivmm", slug);
	bench_save(o, label, mine->ns, mine->handled);
	snprintf(label, sizeof(label), "%s-raw", slug);
	bench_save(o, label, raw->ns, raw->handled);
	sm = bench_summarize(mine->ns, mine->handled);
	sr = bench_summarize(raw->ns, raw->handled);
	bench_row(what, "us", 1e-3, &sm, &sr, goal, false);
	printf("%-34s   p99 goal <= %.2fx: %s; lost: %zu of %zu (minivmm), %zu of %zu "
	       "(raw)\n", "", p99_goal,
	       sr.p99 > 0 && sm.p99 / sr.p99 <= p99_goal ? "met" : "MISSED",
	       mine->lost, mine->handled + mine->lost, raw->lost, raw->handled + raw->lost);
	return sm;
}

void bench_row_value(const char *metric, const char *unit, double mine, double raw,
		     double goal, bool higher_is_better)
{
	double ratio = raw > 0 ? mine / raw : 0;

	printf("%-34s %9.2f %-19s | %9.2f %-24s | %6.3fx", metric, mine, unit, raw, unit, ratio);
	bench_print_goal(ratio, goal, higher_is_better);
	fflush(stdout);
}

void bench_save(const struct bench_options *o, const char *name, const uint64_t *values,
		size_t n)
{
	char path[4096];
	FILE *f;

	if (o->data_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s.dat", o->data_dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "minivmm-bench: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%llu\n", (unsigned long long)values[i]);
	fclose(f);
}

int bench_load_kernel(const char *name, uint8_t **image, size_t *size, struct error *err)
{
	char path[4096];
	FILE *f;
	long len;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s.bin", BENCH_KERNEL_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return error_set(err, -errno, "cannot open %s: %s (build first)", path,
				 strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return error_set(err, -EINVAL, "cannot read %s", path);
	}
	buf = malloc((size_t)len);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return error_set(err, -EIO, "cannot read %s", path);
	}
	fclose(f);
	*image = buf;
	*size = (size_t)len;
	return 0;
}

double bench_irq_halted_p99_ns;

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
