/* The boot argument "s1check" (s1check.h) where the ISA has no hardware stage-1 walk to
 * check against yet (s1check.c compares aarch64's with AT S1E1R): never on. */
#include <stdbool.h>

#include "tools/tandem/s1check.h"

bool s1check_init(const char *bootargs)
{
	(void)bootargs;
	return false;
}

void s1check_start_this(struct vmset *set)
{
	(void)set;
}

void s1check_stop_this(void)
{
}
