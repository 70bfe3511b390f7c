/* The boot argument "s1check" (s1check.c): the software stage-1 walk checked against
 * the hardware's on the guests as they run. */
#ifndef TOOLS_TANDEM_S1CHECK_H
#define TOOLS_TANDEM_S1CHECK_H

#include <stdbool.h>

struct vmset;

/* The boot pCPU, before any other starts: whether the boot arguments ask for it, and
 * the VAs they add ("s1check-va=HEX,HEX,..."). */
bool s1check_init(const char *bootargs);

/* Every pCPU as it starts running the VMs of set, and as it stops. */
void s1check_start_this(struct vmset *set);
void s1check_stop_this(void);

#endif
