/* The EL1 physical timer (CNTP_CTL_EL0, CNTP_CVAL_EL0, CNTP_TVAL_EL0), emulated as KVM
 * does: CNTHCTL_EL2.EL1PCEN is clear, so every access from EL1 (and from EL0 where the
 * guest's CNTKCTL_EL1.EL0PTEN lets it past EL1) traps here. Its state lives in the
 * vCPU; it compares against the physical count, which the guest reads untrapped
 * (CNTHCTL_EL2.EL1PCTEN), with no offset. core/vtimer.c gives it a host timer and its
 * line, ARCH_PTIMER_IRQ. Arm ARM D11.2 (the generic timer), D19.10 (the registers). */
#include "arch/aarch64/arch.h"
#include "arch/aarch64/sysreg.h"
#include "hal/err.h"

#define CNTP_TVAL SYSREG_ISS(3, 3, 14, 2, 0)
#define CNTP_CTL  SYSREG_ISS(3, 3, 14, 2, 1)
#define CNTP_CVAL SYSREG_ISS(3, 3, 14, 2, 2)

static bool met(const struct arch_vcpu *v, uint64_t now)
{
	return (v->ptimer.ctl & CNTV_CTL_ENABLE) && now >= v->ptimer.cval;
}

int arch_ptimer_access(struct arch_vcpu *v, struct exit_sysreg *s, bool read, uint64_t now)
{
	switch (s->id) {
	case CNTP_CTL:
		if (read)
			s->value = v->ptimer.ctl | (met(v, now) ? CNTV_CTL_ISTATUS : 0);
		else
			v->ptimer.ctl = s->value & CNTV_CTL_WRITABLE;
		return 0;
	case CNTP_CVAL:
		if (read)
			s->value = v->ptimer.cval;
		else
			v->ptimer.cval = s->value;
		return 0;
	case CNTP_TVAL:
		/* TimerValue: CVAL - count as a signed 32-bit number (the upper half reads
		 * as zero); a write sets CVAL to the count plus the sign-extended value. */
		if (read)
			s->value = (v->ptimer.cval - now) & 0xFFFFFFFFull;
		else
			v->ptimer.cval = now + (uint64_t)(int64_t)(int32_t)(uint32_t)s->value;
		return 0;
	default:
		return -ENOENT;
	}
}

bool arch_ptimer(const struct arch_vcpu *v, uint64_t now, uint64_t *deadline)
{
	*deadline = 0;
	if (!(v->ptimer.ctl & CNTV_CTL_ENABLE) || (v->ptimer.ctl & CNTV_CTL_IMASK))
		return false;
	if (now >= v->ptimer.cval)
		return true;
	*deadline = v->ptimer.cval;
	return false;
}
