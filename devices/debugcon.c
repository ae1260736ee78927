// SPDX-License-Identifier: MIT
#include "debugcon.h"

#include <stddef.h>

void debugcon_init(struct debugcon *d, struct debugcon_sink sink)
{
	*d = (struct debugcon){ .sink = sink };
}

uint8_t debugcon_read(struct debugcon *d)
{
	d->stats.reads++;
	return DEBUGCON_READBACK;
}

void debugcon_write(struct debugcon *d, uint8_t value)
{
	d->stats.bytes++;
	if (d->sink.put != NULL && !d->sink.put(d->sink.opaque, value))
		d->stats.refused++;
}
