/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_DEFAULT_KERNEL_H
#define MINIVMM_DEFAULT_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/* The kernel that boots when no --bios is given, built from kernels/ and
 * embedded by the build (see vmm/meson.build). */
extern const uint8_t default_kernel[];
extern const size_t default_kernel_size;

#endif
