// SPDX-License-Identifier: MIT
#include "reset_control.h"

#include <stddef.h>

void reset_control_init(struct reset_control *r,
			void (*request_reset)(void *opaque, const char *how), void *opaque)
{
	*r = (struct reset_control){ .request_reset = request_reset, .opaque = opaque };
	reset_control_reset(r);
}

void reset_control_reset(struct reset_control *r)
{
	r->value = 0;
}

uint8_t reset_control_read(const struct reset_control *r)
{
	return r->value;
}

const char *reset_control_how(uint8_t value)
{
	if (!(value & RESET_CONTROL_SYS_RST))
		return "port 0xcf9 soft reset";
	if (value & RESET_CONTROL_FULL_RST)
		return "port 0xcf9 full reset";
	return "port 0xcf9 hard reset";
}

void reset_control_write(struct reset_control *r, uint8_t value)
{
	uint8_t old = r->value;

	r->value = value & RESET_CONTROL_MASK;
	if ((value & RESET_CONTROL_RST_CPU) && !(old & RESET_CONTROL_RST_CPU)) {
		r->reset_requests++;
		if (r->request_reset != NULL)
			r->request_reset(r->opaque, reset_control_how(value));
	}
}
