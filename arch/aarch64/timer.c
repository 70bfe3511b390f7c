/* The vCPU's two generic timers, as the guest's EL1 sees them (Arm ARM D11.2, the
 * registers D19.10). The virtual timer (CNTV_*) is the hardware's while the vCPU runs;
 * its registers are saved with the vCPU, and arch_vtimer reads its output off them.
 * The EL1 physical timer (CNTP_CTL_EL0, CNTP_CVAL_EL0, CNTP_TVAL_EL0) is emulated, as
 * KVM does: CNTHCTL_EL2.EL1PCEN is clear, so every access from EL1 (and from EL0 where
 * the guest's CNTKCTL_EL1.EL0PTEN lets it past EL1) traps here. Its state lives in the
 * vCPU; it compares against the physical count, which the guest reads untrapped
 * (CNTHCTL_EL2.EL1PCTEN), with no offset. core/vtimer.c gives both a host timer and
 * their lines. */
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

/* A timer's output with control ctl and compare value cval, its count being the
 * system counter now minus off: true if asserted (enabled, unmasked, CVAL reached);
 * otherwise *deadline is the system-counter value at which it will be, or 0 (never). */
static bool output(uint64_t ctl, uint64_t cval, uint64_t now, uint64_t off, uint64_t *deadline)
{
	uint64_t count = now - off;

	*deadline = 0;
	if (!(ctl & CNTV_CTL_ENABLE) || (ctl & CNTV_CTL_IMASK))
		return false;
	if (count >= cval) /* the condition is an unsigned count >= CVAL */
		return true;
	/* CVAL - count ticks from now. CVAL + off would wrap past 2^64 into the past for a
	 * CVAL near 2^64 - 1; the last counter value stands for "never" instead. */
	if (__builtin_add_overflow(now, cval - count, deadline))
		*deadline = UINT64_MAX;
	return false;
}

bool arch_vtimer(struct arch_vcpu *v, uint64_t now, uint64_t *deadline)
{
	v->ctx.vtimer_written = 0;
	/* the virtual count is CNTPCT - CNTVOFF */
	return output(arch_vcpu_el1(v, CNTV_CTL_EL0), arch_vcpu_el1(v, CNTV_CVAL_EL0), now,
		      v->ctx.cntvoff_el2, deadline);
}


bool arch_ptimer(const struct arch_vcpu *v, uint64_t now, uint64_t *deadline)
{
	return output(v->ptimer.ctl, v->ptimer.cval, now, 0, deadline);
}
