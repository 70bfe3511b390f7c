/* Planted bugs, to prove fuzz/a64_decode sees a wrong syndrome on either side: linked
 * only into fuzz_a64_decode_planted (fuzz/meson.build), with the linker's --wrap around
 * a64_trap_esr (the engine's syndrome builder) and arch_vcpu_decode (the exit path's
 * decoder). The environment variable PLANTED_BUG picks the bug:
 *   engine   a halfword access's syndrome says a word (SAS 0b01 reported as 0b10);
 *   decoder  the exit of a sign-extending load says it is not sign-extended;
 * unset (or anything else), the variant behaves as the target does.
 * fuzz/a64-selftest.sh runs each on the committed corpus and expects a finding of the
 * target's oracle within seconds. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/a64.h"
#include "arch/aarch64/arch.h"
#include "arch/aarch64/sysreg.h"

uint64_t __real_a64_trap_esr(const struct a64_insn *insn, unsigned dfsc);
uint64_t __wrap_a64_trap_esr(const struct a64_insn *insn, unsigned dfsc);
void __real_arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap,
			     struct vm_exit *exit);
void __wrap_arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap,
			     struct vm_exit *exit);

static bool planted(const char *which)
{
	const char *e = getenv("PLANTED_BUG");

	return e && !strcmp(e, which);
}

uint64_t __wrap_a64_trap_esr(const struct a64_insn *insn, unsigned dfsc)
{
	uint64_t esr = __real_a64_trap_esr(insn, dfsc);

	if (planted("engine") && ESR_EC(esr) == EC_DABT_LOW && ISS_DABT_SAS(esr) == 1)
		esr += 1ull << 22;
	return esr;
}

void __wrap_arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap,
			     struct vm_exit *exit)
{
	__real_arch_vcpu_decode(v, trap, exit);
	if (planted("decoder") && exit->mmio_valid)
		exit->mmio.sign_extend = false;
}
