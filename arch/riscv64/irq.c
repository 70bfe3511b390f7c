/* A riscv64 VM's interrupts: the PLIC (plic.c) for device sources, whose S-mode context
 * of vCPU n (2n + 1) drives hvip.VSEIP as a level; the SBI timer, emulated, on
 * hvip.VSTIP; IPIs on hvip.VSSIP, which the guest clears itself through sip. Sstc's
 * vstimecmp is signalled by the hardware, not through hvip (privileged spec 8.2.3 and
 * Sstc: "not mixed"): its line here only wakes a waiting vCPU. core serialises every
 * call on one VM with its interrupt lock. */
#include "arch/riscv64/arch.h"
#include "hal/guest.h"

int arch_vm_init(struct arch_vm *a, unsigned nvcpus)
{
	if (nvcpus == 0 || nvcpus > PLIC_MAX_HARTS)
		return -EINVAL;
	*a = (struct arch_vm){ .nvcpus = nvcpus };
	return plic_init(&a->plic, nvcpus);
}

void arch_irqchip_window(const struct arch_vm *a, unsigned i, gpa_t *base, uint64_t *size)
{
	(void)a;
	(void)i;
	*base = gpa_make(PLIC_BASE);
	*size = PLIC_SIZE;
}

/* Any change of the PLIC's state may move any hart's VSEIP: no vCPU is quiet after it
 * (the PLIC is rarely touched, a claim and a complete per interrupt). */
static void plic_changed(struct arch_vm *a)
{
	for (unsigned i = 0; i < a->nvcpus; i++)
		__atomic_store_n(&a->lines[i].quiet, 0, __ATOMIC_RELEASE);
}

int arch_irqchip_read(struct arch_vm *a, unsigned i, uint64_t off, unsigned width,
		      uint64_t *value)
{
	uint64_t kick = 0;

	(void)i;
	/* A claim changes the output; the reader is the vCPU in its exit, which
	 * re-evaluates its own line at the entry, and no other context changes. */
	plic_changed(a);
	return plic_read(&a->plic, off, width, value, &kick);
}

int arch_irqchip_write(struct arch_vm *a, unsigned i, uint64_t off, unsigned width,
		       uint64_t value, uint64_t *kick)
{
	(void)i;
	plic_changed(a);
	return plic_write(&a->plic, off, width, value, kick);
}

static int local_line(struct arch_vm *a, unsigned vcpu, unsigned irq, bool level,
		      uint64_t *kick)
{
	struct rv_lines *l = &a->lines[vcpu];

	if (irq == RV_VIRQ_VSTIMECMP)
		l->vstimecmp = level;
	else if (irq == RV_VIRQ_SBI_TIMER)
		l->sbi_timer = level;
	else
		return -EINVAL;
	if (irq == RV_VIRQ_SBI_TIMER)
		__atomic_store_n(&l->quiet, 0, __ATOMIC_RELEASE); /* VSTIP */
	if (level && kick)
		*kick |= 1ull << vcpu;
	return 0;
}

int arch_irq_set_level(struct arch_vm *a, unsigned vcpu, unsigned irq, bool level,
		       uint64_t *kick)
{
	if (vcpu >= a->nvcpus)
		return -EINVAL;
	if (irq >= RV_VIRQ_LOCAL)
		return local_line(a, vcpu, irq, level, kick);
	plic_changed(a);
	return plic_set_level(&a->plic, irq, level, kick);
}

/* An edge on a level-sensitive gateway: up and down again. The source is pending once
 * the rise is seen, and stays so until claimed (PLIC spec 1.0.0, "Interrupt
 * Gateways"). */
int arch_irq_inject(struct arch_vm *a, unsigned vcpu, unsigned irq, uint64_t *kick)
{
	if (vcpu >= a->nvcpus || irq >= RV_VIRQ_LOCAL)
		return -EINVAL;
	plic_changed(a);
	int err = plic_set_level(&a->plic, irq, true, kick);
	return err ? err : plic_set_level(&a->plic, irq, false, kick);
}

int arch_irq_send_ipi(struct arch_vm *a, unsigned from, uint64_t value, uint64_t *kick)
{
	(void)from;
	if (a->nvcpus < 64 && (value >> a->nvcpus))
		return -EINVAL;
	for (unsigned i = 0; i < a->nvcpus; i++)
		if (value & (1ull << i)) {
			a->lines[i].ipi = true;
			__atomic_store_n(&a->lines[i].quiet, 0, __ATOMIC_RELEASE);
		}
	if (kick)
		*kick |= value;
	return 0;
}

int arch_irq_forward(struct arch_vm *a, unsigned vcpu, unsigned irq, uint64_t *kick)
{
	(void)a, (void)vcpu, (void)irq, (void)kick;
	return -EINVAL;
}

/* What the guest would see pending: hvip's bits as the next entry sets them, and
 * vstimecmp's own; a WFI ends on any of them the guest enabled in vsie, whatever
 * sstatus.SIE says (privileged spec 3.3.3 via 8.2: WFI and locally enabled
 * interrupts). vsie's bits are the guest's S-level ones (1, 5, 9): hvip's VS bits
 * shifted down by one. */
bool arch_irq_pending(const struct arch_vm *a, unsigned vcpu)
{
	if (vcpu >= a->nvcpus)
		return false;
	const struct rv_lines *l = &a->lines[vcpu];
	uint64_t vs = l->hvip & MIP_VS_MASK;

	if (l->ipi)
		vs |= MIP_VSSIP;
	if (l->sbi_timer || l->vstimecmp)
		vs |= MIP_VSTIP;
	if (plic_hart_seip(&a->plic, vcpu))
		vs |= MIP_VSEIP;
	return ((vs >> 1) & l->vsie) != 0;
}

void arch_irq_flush(struct arch_vm *a, struct arch_vcpu *v, uint64_t *kick)
{
	struct rv_lines *l = &a->lines[v->index];
	uint64_t hvip = arch_vcpu_csr(v, RV_HVIP) & ~(MIP_VSTIP | MIP_VSEIP);

	(void)kick;
	v->nharts = a->nvcpus;
	if (l->ipi)
		hvip |= MIP_VSSIP;
	l->ipi = false;
	if (l->sbi_timer)
		hvip |= MIP_VSTIP;
	if (plic_hart_seip(&a->plic, v->index))
		hvip |= MIP_VSEIP;
	arch_vcpu_set_csr(v, RV_HVIP, hvip);
	l->hvip = hvip;
	__atomic_store_n(&l->quiet, 1, __ATOMIC_RELEASE);
}

/* The guest clears VSSIP through its sip (which writes hvip.VSSIP): read hvip back so
 * that an IPI it handled is not handed to it again. */
void arch_irq_sync(struct arch_vm *a, struct arch_vcpu *v, uint64_t *kick)
{
	struct rv_lines *l = &a->lines[v->index];

	(void)kick;
	l->hvip = arch_vcpu_csr(v, RV_HVIP);
	l->vsie = arch_vcpu_csr(v, RV_VSIE);
}

/* ---- Timers ------------------------------------------------------------------------ */

/* Sstc (privileged spec, "Sstc" extension): the guest's timer interrupt is pending
 * while time + htimedelta >= vstimecmp, with henvcfg.STCE set. */
bool arch_vtimer(struct arch_vcpu *v, uint64_t now, uint64_t *deadline)
{
	uint64_t cmp = arch_vcpu_csr(v, RV_VSTIMECMP), delta = arch_vcpu_csr(v, RV_HTIMEDELTA);

	v->ctx.vtimer_written = 0;
	*deadline = 0;
	if (!(arch_vcpu_csr(v, RV_HENVCFG) & ENVCFG_STCE) || cmp == UINT64_MAX)
		return false;
	if (now + delta >= cmp)
		return true;
	*deadline = cmp - delta; /* on the host's time: the instant the guest's reaches cmp */
	return false;
}

/* SBI TIME set_timer (SBI v2.0 chapter 6): the deadline on the guest's time; a value in
 * the past raises the interrupt at once, ~0 turns it off; every call withdraws the
 * pending one first. */
int arch_ptimer_access(struct arch_vcpu *v, struct exit_sysreg *s, bool read, uint64_t now)
{
	(void)now;
	if (s->id != RV_SYSREG_SBI_TIMER || read)
		return -ENOENT;
	v->sbi_timer = s->value;
	return 0;
}

bool arch_ptimer(const struct arch_vcpu *v, uint64_t now, uint64_t *deadline)
{
	uint64_t delta = hal_guest_sysreg_read(&v->ctx, RV_HTIMEDELTA);

	*deadline = 0;
	if (v->sbi_timer == UINT64_MAX)
		return false;
	if (now + delta >= v->sbi_timer)
		return true;
	*deadline = v->sbi_timer - delta;
	return false;
}
