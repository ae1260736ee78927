/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_BENCH_HARNESS_H
#define MINIVMM_BENCH_HARNESS_H

/*
 * minivmm in the benchmark's process: the real machine (machine.c, the
 * vCPU thread, the loop, every device), with the guest's serial console on
 * a file descriptor of the benchmark's choice, and room for one more
 * device on the bus that the benchmark adds (board_claim()) to time the
 * guest's accesses.
 */

#include <stdint.h>

#include "machine.h"

struct bench_vmm {
	struct machine *m;
	struct options opts;
	struct boot_images images;	/* what machine_create() boots: the bench kernel as ROM */
	int saved_stdin, saved_stdout;
};

/*
 * Build the machine with `image` as ROM and `ram_size` of RAM; the
 * console reads /dev/null and writes to `out_fd` (-1: /dev/null).
 */
int bench_vmm_create(struct bench_vmm *b, const uint8_t *image, size_t image_size,
		     uint64_t ram_size, int out_fd, struct error *err);

/* The same, with the console reading `in_fd` (-1: /dev/null) instead. */
int bench_vmm_create_io(struct bench_vmm *b, const uint8_t *image, size_t image_size,
			uint64_t ram_size, int in_fd, int out_fd, struct error *err);

/* Run until something stops it (machine_stop() from a bench device). */
int bench_vmm_run(struct bench_vmm *b);

void bench_vmm_destroy(struct bench_vmm *b);

#endif
