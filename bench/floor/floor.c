/* The floor's C halves (floor.S): the empty function its HVC vector calls, and the
 * guest it runs at EL1, which measures the same HVC loop as bench/guests/exits and
 * reports it as "floor_hvc". */
#include <stdint.h>

#include "../guests/ops.h"

#define ITERS 2000

void floor_exit(uint64_t *regs);
void floor_guest(void);

/* Out of line and in its own translation unit's view empty: the call is the cost. */
__attribute__((noinline)) void floor_exit(uint64_t *regs)
{
	__asm__ volatile("" ::"r"(regs) : "memory");
}

void floor_guest(void)
{
	report("floor_hvc", ITERS, loop_hvc(PSCI_VERSION, ITERS));
	out_s("exits-done\n");
	smc1(PSCI_SYSTEM_OFF); /* QEMU's own PSCI: nothing traps SMC */
	for (;;)
		__asm__ volatile("wfi");
}
