/* The guest engine's CPU, the part the hardware does without a trap (engine.c runs the
 * rest): the GICv3 virtual CPU interface over the list registers in the context, and
 * the system registers a guest reads and writes itself (ICC_* with ICH_HCR_EL2.En, the
 * virtual timer with CNTHCTL_EL2 letting it). */
#include "arch/aarch64/ctx.h"
#include "arch/aarch64/gicv3.h"
#include "arch/aarch64/sysreg.h"
#include "hal-sim/engine_internal.h"
#include "hal/time.h"

/* ---- The GICv3 virtual CPU interface, as the hardware provides it ------------------
 * From the list registers in the context (ICH_LR<n>_EL2, filled by the vGIC before the
 * entry) and the guest's own view (ICH_VMCR_EL2: group enable, priority mask, EOI
 * mode). The running priority is the most urgent active LR's. */

static unsigned lr_priority(uint64_t lr)
{
	return (unsigned)((lr >> ICH_LR_PRIORITY_SHIFT) & ICH_LR_PRIORITY_MASK);
}

static unsigned running_priority(const struct guest_ctx *c)
{
	unsigned rp = 0x100; /* idle */

	for (unsigned i = 0; i < GICV3_NR_LRS; i++)
		if ((c->ich_lr[i] & ICH_LR_ACTIVE) && lr_priority(c->ich_lr[i]) < rp)
			rp = lr_priority(c->ich_lr[i]);
	return rp;
}

/* The LR a read of ICC_IAR1_EL1 would acknowledge, or -1 (the guest reads GIC_INTID_SPURIOUS). */
int engine_highest_pending_lr(const struct guest_ctx *c)
{
	unsigned pmr = (unsigned)((c->ich_vmcr >> ICH_VMCR_PMR_SHIFT) & ICC_PMR_MASK);
	unsigned limit = running_priority(c) < pmr ? running_priority(c) : pmr;
	int best = -1;

	if (!(c->ich_hcr & ICH_HCR_EN) || !(c->ich_vmcr & ICH_VMCR_ENG1))
		return -1;
	for (unsigned i = 0; i < GICV3_NR_LRS; i++) {
		uint64_t lr = c->ich_lr[i];
		if ((lr & ICH_LR_STATE_MASK) != ICH_LR_PENDING || lr_priority(lr) >= limit)
			continue;
		if (best < 0 || lr_priority(lr) < lr_priority(c->ich_lr[best]))
			best = (int)i;
	}
	return best;
}

/* ICC_IAR1_EL1: acknowledge (pending -> active) and return the INTID, or 1023 (spurious). */
uint64_t engine_icc_iar1(struct guest_ctx *c)
{
	int i = engine_highest_pending_lr(c);

	if (i < 0)
		return GIC_INTID_SPURIOUS;
	c->ich_lr[i] = (c->ich_lr[i] & ~ICH_LR_STATE_MASK) | ICH_LR_ACTIVE;
	return c->ich_lr[i] & ICH_LR_VINTID_MASK;
}

/* ICC_EOIR1_EL1 (EOImode 0: drop and deactivate) / ICC_DIR_EL1: the LR of intid
 * leaves the active state. An INTID in no LR is ignored. */
void engine_icc_deactivate(struct guest_ctx *c, uint64_t intid)
{
	for (unsigned i = 0; i < GICV3_NR_LRS; i++)
		if ((c->ich_lr[i] & ICH_LR_ACTIVE) && (c->ich_lr[i] & ICH_LR_VINTID_MASK) == (intid & ICC_IAR_INTID_MASK)) {
			c->ich_lr[i] &= ~ICH_LR_ACTIVE;
			return;
		}
}

/* The maintenance interrupt, as ICH_MISR_EL2 would show it: EOI (an LR with EOI set
 * and HW clear that the guest has deactivated: its ICH_EISR_EL2 bit), or underflow
 * (ICH_HCR_EL2.UIE, at most one LR still valid). Only with the interface enabled. */
int engine_maintenance_due(const struct guest_ctx *c)
{
	unsigned valid = 0;

	if (!(c->ich_hcr & ICH_HCR_EN))
		return 0;
	for (unsigned i = 0; i < GICV3_NR_LRS; i++) {
		uint64_t lr = c->ich_lr[i];
		valid += (lr & ICH_LR_STATE_MASK) != 0;
		if ((lr & ICH_LR_EOI) && !(lr & ICH_LR_HW) && !(lr & ICH_LR_STATE_MASK))
			return ENGINE_MAINTENANCE_EOI;
	}
	return (c->ich_hcr & ICH_HCR_UIE) && valid <= 1 ? ENGINE_MAINTENANCE_UNDERFLOW : 0;
}

#define SYS(op0, op1, crn, crm, op2) ((op0) << 16 | (op1) << 12 | (crn) << 8 | (crm) << 4 | (op2))

/* The GIC CPU interface and the virtual timer: registers the hardware gives a guest
 * without a trap (ICH_HCR_EL2.En, CNTHCTL_EL2). 0 if s is one of them. */
int engine_untrapped_sysreg(struct guest_ctx *c, const struct a64_sysreg *s, bool read,
			    uint64_t *value)
{
	unsigned id = SYS(s->op0, s->op1, s->crn, s->crm, s->op2);
	uint64_t pmr_mask = ICC_PMR_MASK << ICH_VMCR_PMR_SHIFT;

	switch (id) {
	case SYS(3, 0, 4, 6, 0): /* ICC_PMR_EL1 */
		if (read)
			*value = (c->ich_vmcr & pmr_mask) >> ICH_VMCR_PMR_SHIFT;
		else
			c->ich_vmcr = (c->ich_vmcr & ~pmr_mask) | ((*value & ICC_PMR_MASK) << ICH_VMCR_PMR_SHIFT);
		return 0;
	case SYS(3, 0, 12, 12, 7): /* ICC_IGRPEN1_EL1 */
		if (read)
			*value = !!(c->ich_vmcr & ICH_VMCR_ENG1);
		else
			c->ich_vmcr = (*value & ICC_IGRPEN_ENABLE) ? c->ich_vmcr | ICH_VMCR_ENG1 : c->ich_vmcr & ~ICH_VMCR_ENG1;
		return 0;
	case SYS(3, 0, 12, 12, 4): /* ICC_CTLR_EL1: EOImode */
		if (read)
			*value = (c->ich_vmcr & ICH_VMCR_EOIM) ? ICC_CTLR_EOIMODE : 0;
		else
			c->ich_vmcr = (*value & ICC_CTLR_EOIMODE) ? c->ich_vmcr | ICH_VMCR_EOIM : c->ich_vmcr & ~ICH_VMCR_EOIM;
		return 0;
	case SYS(3, 0, 12, 12, 5): /* ICC_SRE_EL1: the system-register interface, always */
		if (read)
			*value = ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB;
		return 0;
	case SYS(3, 0, 12, 12, 0): /* ICC_IAR1_EL1 */
		if (read)
			*value = engine_icc_iar1(c);
		return read ? 0 : -1;
	case SYS(3, 0, 12, 12, 1): /* ICC_EOIR1_EL1 */
		if (!read && !(c->ich_vmcr & ICH_VMCR_EOIM))
			engine_icc_deactivate(c, *value);
		return read ? -1 : 0;
	case SYS(3, 0, 12, 11, 1): /* ICC_DIR_EL1 */
		if (!read)
			engine_icc_deactivate(c, *value);
		return read ? -1 : 0;
	case SYS(3, 3, 14, 0, 0): /* CNTFRQ_EL0 */
		if (read)
			*value = hal_counter_hz();
		return read ? 0 : -1;
	case SYS(3, 3, 14, 0, 1): /* CNTPCT_EL0 (CNTHCTL_EL2.EL1PCTEN); CNTP_* trap */
		if (read)
			*value = engine_counter();
		return read ? 0 : -1;
	case SYS(3, 3, 14, 3, 0): /* CNTV_TVAL_EL0 */
		if (read)
			*value = (c->el1[CNTV_CVAL_EL0] - (engine_counter() - c->cntvoff_el2)) &
				 0xFFFFFFFFull;
		else
			c->el1[CNTV_CVAL_EL0] = engine_counter() - c->cntvoff_el2 +
						(uint64_t)(int64_t)(int32_t)(uint32_t)*value;
		c->vtimer_written |= !read;
		return 0;
	case SYS(3, 3, 14, 0, 2): /* CNTVCT_EL0 */
		if (read)
			*value = engine_counter() - c->cntvoff_el2;
		return read ? 0 : -1;
	case SYS(3, 3, 14, 3, 1): /* CNTV_CTL_EL0: ISTATUS is the hardware's */
		if (read)
			*value = (c->el1[CNTV_CTL_EL0] & CNTV_CTL_WRITABLE) |
				 ((c->el1[CNTV_CTL_EL0] & CNTV_CTL_ENABLE) &&
					  engine_counter() - c->cntvoff_el2 >= c->el1[CNTV_CVAL_EL0]
				  ? CNTV_CTL_ISTATUS : 0);
		else
			c->el1[CNTV_CTL_EL0] = *value & CNTV_CTL_WRITABLE;
		c->vtimer_written |= !read;
		return 0;
	case SYS(3, 3, 14, 3, 2): /* CNTV_CVAL_EL0 */
		if (read)
			*value = c->el1[CNTV_CVAL_EL0];
		else
			c->el1[CNTV_CVAL_EL0] = *value;
		c->vtimer_written |= !read;
		return 0;
	default:
		return -1;
	}
}
