/* Planted bugs, to prove the exit oracle (fuzz/exit_oracle.h) sees wrong behaviour:
 * linked only into the oracle-check variants of fuzz_aarch64_exit and
 * fuzz_guest_program (fuzz/meson.build), with the linker's --wrap around
 * arch_vcpu_complete, the step that applies an exit's outcome to the vCPU. The
 * environment variable PLANTED_BUG picks the bug:
 *   pc8  a completed instruction is stepped over by 8 bytes, not 4;
 *   reg  an emulated load also writes the register after its Rt;
 * unset (or anything else), the variant behaves as the target does.
 * fuzz/oracle-selftest.sh runs each on the committed corpus and expects a finding of
 * the oracle within seconds. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/arch.h"

void __real_arch_vcpu_complete(struct arch_vcpu *v, const struct vm_exit *exit);
void __wrap_arch_vcpu_complete(struct arch_vcpu *v, const struct vm_exit *exit);

enum planted { PLANTED_NONE, PLANTED_PC8, PLANTED_REG };

static enum planted planted(void)
{
	static int bug = -1;

	if (bug < 0) {
		const char *e = getenv("PLANTED_BUG");
		bug = PLANTED_NONE;
		if (e && !strcmp(e, "pc8"))
			bug = PLANTED_PC8;
		else if (e && !strcmp(e, "reg"))
			bug = PLANTED_REG;
	}
	return (enum planted)bug;
}

void __wrap_arch_vcpu_complete(struct arch_vcpu *v, const struct vm_exit *exit)
{
	bool steps = v->pc_advance && exit->outcome == EXIT_RESUME;
	bool loads = exit->outcome == EXIT_RESUME && exit->mmio_valid && exit->kind == EXIT_MMIO_READ &&
		     exit->mmio.reg < 30;

	__real_arch_vcpu_complete(v, exit);
	if (planted() == PLANTED_PC8 && steps)
		v->ctx.pc += 4;
	if (planted() == PLANTED_REG && loads)
		v->ctx.x[exit->mmio.reg + 1] = v->ctx.x[exit->mmio.reg] + 1;
}
