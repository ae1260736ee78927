// SPDX-License-Identifier: MIT
#include "post_code.h"

void post_code_init(struct post_code *p)
{
	*p = (struct post_code){ 0 };
}

void post_code_reset(struct post_code *p)
{
	p->last = 0;
	p->written = false;
}

uint8_t post_code_read(const struct post_code *p)
{
	(void)p;
	return POST_CODE_READ;
}

void post_code_write(struct post_code *p, uint8_t value)
{
	p->last = value;
	p->written = true;
	p->writes++;
}
