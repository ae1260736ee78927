// SPDX-License-Identifier: MIT
#include "debug_exit.h"

#include <stddef.h>

int debug_exit_status(uint32_t value)
{
	return (int)(((value << 1) | 1) & 0xff);
}

void debug_exit_write(struct debug_exit *d, uint32_t value)
{
	if (d->request_exit != NULL)
		d->request_exit(d->opaque, debug_exit_status(value));
}
