// SPDX-License-Identifier: MIT
#include "port92.h"

#include <stddef.h>

void port92_init(struct port92 *p, void (*request_reset)(void *opaque, const char *how),
		 void *opaque)
{
	*p = (struct port92){ .request_reset = request_reset, .opaque = opaque };
	port92_reset(p);
}

void port92_reset(struct port92 *p)
{
	p->value = 0;
}

uint8_t port92_read(const struct port92 *p)
{
	return p->value;
}

void port92_write(struct port92 *p, uint8_t value)
{
	uint8_t old = p->value;

	p->value = value;
	/* Only the rising edge resets: rewriting 1 (or writing A20 with bit 0
	 * left set) does nothing, as on the ICH and in QEMU. */
	if ((value & PORT92_FAST_RESET) && !(old & PORT92_FAST_RESET)) {
		p->reset_requests++;
		if (p->request_reset != NULL)
			p->request_reset(p->opaque, "port 0x92 fast reset");
	}
}
