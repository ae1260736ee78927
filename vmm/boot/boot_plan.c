// SPDX-License-Identifier: MIT
/* Building boot plans (boot_plan.h). */
#include "boot_plan.h"

#include <errno.h>

int boot_plan_add(struct boot_plan *plan, uint64_t gpa, const void *data, size_t len,
		  const char *what)
{
	if (plan->nr_writes == BOOT_MAX_WRITES)
		return -ENOSPC;
	plan->writes[plan->nr_writes++] = (struct boot_write){
		.gpa = gpa, .data = data, .len = len, .what = what,
	};
	return 0;
}
