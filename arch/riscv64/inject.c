/* Exceptions Tandem gives a riscv64 guest: taken in VS-mode as the hardware would take
 * a trap there (privileged spec 4.1.1, 4.1.2, 8.6.4: vsepc, vscause, vstval,
 * vsstatus.SPP/SPIE/SIE), at vstvec's base, since synchronous exceptions are never
 * vectored (4.1.2). */
#include "arch/riscv64/arch.h"

void rv_inject_exception(struct arch_vcpu *v, uint64_t cause, uint64_t tval)
{
	uint64_t vsstatus = arch_vcpu_csr(v, RV_VSSTATUS);
	bool from_vs = v->ctx.sstatus & SSTATUS_SPP; /* the privilege the guest was at */

	arch_vcpu_set_csr(v, RV_VSEPC, v->ctx.pc);
	arch_vcpu_set_csr(v, RV_VSCAUSE, cause);
	arch_vcpu_set_csr(v, RV_VSTVAL, tval);
	vsstatus &= ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
	if (from_vs)
		vsstatus |= SSTATUS_SPP;
	if (arch_vcpu_csr(v, RV_VSSTATUS) & SSTATUS_SIE)
		vsstatus |= SSTATUS_SPIE;
	arch_vcpu_set_csr(v, RV_VSSTATUS, vsstatus);
	v->ctx.pc = arch_vcpu_csr(v, RV_VSTVEC) & ~3ull;
	v->ctx.sstatus |= SSTATUS_SPP; /* the handler runs in VS-mode */
	v->pc_advance = false;
}

/* The illegal-instruction exception, vstval the instruction: the guest's own trap
 * (an illegal instruction's stval), or what Tandem refuses (a virtual instruction's
 * word as exit.c read it). */
void arch_inject_undef(struct arch_vcpu *v)
{
	uint64_t cause = v->trap.scause;
	uint64_t insn = cause == CAUSE_ILLEGAL_INSN ? v->trap.stval : v->insn;

	rv_inject_exception(v, CAUSE_ILLEGAL_INSN, insn);
}

/* The access fault the hardware would have raised for an access nothing answers:
 * fetch (1), load (5), store or AMO (7: also for an AMO or SC the trap called a load,
 * exit.c's amo_store); vstval the guest-virtual address. */
void arch_inject_abort(struct arch_vcpu *v, bool instruction, gva_t far)
{
	bool store = v->trap.scause == CAUSE_STORE_GUEST_PAGE_FAULT || v->amo_store;
	uint64_t cause = instruction ? CAUSE_FETCH_ACCESS
			 : store     ? CAUSE_STORE_ACCESS
				     : CAUSE_LOAD_ACCESS;

	rv_inject_exception(v, cause, gva_bits(far));
}

/* An EBREAK the debugger did not plant: the guest's breakpoint exception, as it would
 * have taken it with hedeleg's bit 3 set (stval 0 or the PC: Tandem gives the PC, as
 * QEMU does). */
void arch_inject_debug(struct arch_vcpu *v)
{
	rv_inject_exception(v, CAUSE_BREAKPOINT, v->ctx.pc);
}
