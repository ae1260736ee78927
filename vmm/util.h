/* SPDX-License-Identifier: MIT */
#ifndef MINIVMM_UTIL_H
#define MINIVMM_UTIL_H

/* Small definitions every part of the VMM shares, defined once. */

#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NSEC_PER_SEC UINT64_C(1000000000)
#define NSEC_PER_MSEC UINT64_C(1000000)

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

#endif
