/* A VS-mode ECALL: the SBI call (sbi.c) as the generic exit core handles, and its
 * completion. What needs the VM goes to core (hart start, stop and status, suspend,
 * the timer, IPIs, reset, the console); the remote fences are done here, over every
 * pCPU (HFENCE.VVMA under the VM's VMID: a superset of the harts asked for, which the
 * spec allows). */
#include "arch/riscv64/arch.h"
#include "hal/guest.h"
#include "hal/mm.h"

static void rfence(struct arch_vcpu *v, const struct sbi_call *c)
{
	if (c->fence == SBI_FENCE_I) {
		hal_icache_invalidate();
		return;
	}
	hal_guest_tlb_flush_vs(arch_vcpu_csr(v, RV_HGATP), c->asid, c->fence == SBI_FENCE_VMA,
			       gva_make(c->all ? 0 : c->start), c->all ? 0 : c->size);
}

void rv_sbi_exit(struct arch_vcpu *v, struct vm_exit *exit)
{
	struct sbi_call *c = &v->call;

	sbi_decode(&v->ctx.x[10], v->nharts, c);
	v->sbi = true;
	exit->kind = EXIT_NOTHING;
	switch (c->op) {
	case SBI_OP_DONE:
		return;
	case SBI_OP_RFENCE:
		rfence(v, c);
		return;
	case SBI_OP_SET_TIMER:
		exit->kind = EXIT_SYSREG_WRITE; /* core's emulated timer: arch_ptimer_access */
		exit->u.sysreg = (struct exit_sysreg){ .id = RV_SYSREG_SBI_TIMER, .value = c->stime };
		return;
	case SBI_OP_SEND_IPI:
		exit->kind = EXIT_IPI;
		exit->u.sysreg = (struct exit_sysreg){ .value = c->harts };
		return;
	case SBI_OP_HART_START:
		exit->kind = EXIT_CPU_UP;
		exit->u.cpu.hwid = c->hart;
		exit->u.cpu.entry = gpa_make(c->addr); /* satp is 0 at the start: VA == GPA */
		exit->u.cpu.arg = c->opaque;
		return;
	case SBI_OP_HART_STOP:
		exit->kind = EXIT_CPU_DOWN;
		return;
	case SBI_OP_HART_STATUS:
		exit->kind = EXIT_CPU_STATE;
		exit->u.cpu.hwid = c->hart;
		return;
	case SBI_OP_HART_SUSPEND:
		exit->kind = EXIT_HALT;
		exit->u.cpu.resume = !c->retentive;
		exit->u.cpu.entry = gpa_make(c->addr);
		exit->u.cpu.arg = c->opaque;
		return;
	case SBI_OP_SYSTEM_RESET:
		exit->kind = c->type == SBI_RESET_SHUTDOWN ? EXIT_SYSTEM_DOWN : EXIT_SYSTEM_RESET;
		return;
	case SBI_OP_CONSOLE_WRITE:
	case SBI_OP_CONSOLE_READ:
	case SBI_OP_CONSOLE_BYTE:
	case SBI_OP_CONSOLE_GETCHAR:
		exit->kind = EXIT_CONSOLE;
		exit->u.console.read =
			c->op == SBI_OP_CONSOLE_READ || c->op == SBI_OP_CONSOLE_GETCHAR;
		exit->u.console.one =
			c->op == SBI_OP_CONSOLE_BYTE || c->op == SBI_OP_CONSOLE_GETCHAR;
		exit->u.console.byte = c->byte;
		exit->u.console.buf = gpa_make(c->gpa);
		exit->u.console.len = c->len;
		return;
	}
}

void rv_sbi_complete(struct arch_vcpu *v, const struct vm_exit *exit)
{
	const struct sbi_call *c = &v->call;
	uint64_t a0, a1;
	bool write_a1;

	/* write_byte and the legacy putchar are blocking calls: a console with no room
	 * now runs the ECALL again later. */
	if (c->op == SBI_OP_CONSOLE_BYTE && exit->ret == 0) {
		v->pc_advance = false;
		return;
	}
	/* A non-retentive suspend resumes at its address as a hart starts (HSM: a0 the
	 * hart id, a1 opaque, satp 0, SIE clear). */
	if (c->op == SBI_OP_HART_SUSPEND && !c->retentive && exit->ret == 0) {
		arch_vcpu_set_entry(v, gpa_make(c->addr), c->opaque);
		v->pc_advance = false;
		return;
	}
	sbi_finish(c, exit->ret, &a0, &a1, &write_a1);
	v->ctx.x[10] = a0;
	if (write_a1)
		v->ctx.x[11] = a1;
}
