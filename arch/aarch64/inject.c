/* Exception injection into a guest's EL1, as the hardware would take it (Arm ARM
 * D1.10 "Exception entry"): ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1 written, PSTATE set to
 * EL1h with D, A, I and F masked, and the PC moved to the vector VBAR_EL1 selects by
 * where the exception came from. */
#include "arch/aarch64/arch.h"
#include "arch/aarch64/sysreg.h"

static uint64_t vector_base(const struct guest_ctx *c)
{
	uint64_t mode = c->pstate & PSR_MODE_MASK;

	if (mode & PSR_MODE_AARCH32)
		return VEC_LOWER_A32;
	if (mode == PSR_MODE_EL0t)
		return VEC_LOWER_A64;
	return mode == PSR_MODE_EL1t ? VEC_CUR_SP0 : VEC_CUR_SPX;
}

/* From EL0: in AArch64, or in AArch32, which with HCR_EL2.RW set (EL1 is AArch64) can
 * only be EL0. Its aborts are taken from a lower EL (EC 0x20/0x24, not 0x21/0x25). */
static bool from_el0(const struct guest_ctx *c)
{
	return (c->pstate & PSR_MODE_AARCH32) || (c->pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
}

void arch_inject_exception(struct arch_vcpu *v, uint64_t esr)
{
	struct guest_ctx *c = &v->ctx;

	arch_vcpu_set_el1(v, ESR_EL1, esr);
	arch_vcpu_set_el1(v, ELR_EL1, c->pc);
	arch_vcpu_set_el1(v, SPSR_EL1, c->pstate);
	c->pc = arch_vcpu_el1(v, VBAR_EL1) + vector_base(c) + VEC_SYNC;
	c->pstate = PSR_MODE_EL1h | PSR_D | PSR_A | PSR_I | PSR_F;
	v->pc_advance = false;
}

void arch_inject_undef(struct arch_vcpu *v)
{
	arch_inject_exception(v, ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL);
}

void arch_inject_abort(struct arch_vcpu *v, bool instruction, gva_t far)
{
	uint64_t ec;

	if (instruction)
		ec = from_el0(&v->ctx) ? EC_IABT_LOW : EC_IABT_CUR;
	else
		ec = from_el0(&v->ctx) ? EC_DABT_LOW : EC_DABT_CUR;
	arch_vcpu_set_el1(v, FAR_EL1, gva_bits(far));
	arch_inject_exception(v, (ec << ESR_EC_SHIFT) | ESR_IL | FSC_SYNC_EXT);
}
