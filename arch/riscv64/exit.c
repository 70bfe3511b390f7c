/* riscv64 trap decoding: one handler per scause exception code, found through a table
 * (as arch/aarch64/exit.c does by exception class). Interrupts are the host's: core
 * handles them. Every code without a handler, and every guest mistake, becomes an
 * exception injected into the guest, never a host crash. Works on the saved trap state
 * only, so it runs the same under the simulation host's guest engine and in HS-mode. */
#include "arch/riscv64/arch.h"
#include "arch/riscv64/rvinsn.h"
#include "hal/err.h"
#include "hal/guest.h"

typedef void (*cause_handler_t)(struct arch_vcpu *v, struct vm_exit *exit);

static void retry(struct vm_exit *exit)
{
	exit->kind = EXIT_NOTHING;
	exit->outcome = EXIT_RETRY;
}

static void refuse(struct vm_exit *exit)
{
	exit->kind = EXIT_NOTHING;
	exit->outcome = EXIT_INJECT_UNDEF; /* arch_vcpu_complete injects it, core counts it */
}

/* The exceptions a VS-mode guest can take itself (those hedeleg may delegate, 8.2.2):
 * ecalls from HS and M, the guest-page faults, virtual instructions and reserved codes
 * are none a guest's trap handler can be given. */
#define GUEST_CAUSES                                                                      \
	((1ull << CAUSE_MISALIGNED_FETCH) | (1ull << CAUSE_FETCH_ACCESS) |               \
	 (1ull << CAUSE_ILLEGAL_INSN) | (1ull << CAUSE_BREAKPOINT) |                      \
	 (1ull << CAUSE_MISALIGNED_LOAD) | (1ull << CAUSE_LOAD_ACCESS) |                  \
	 (1ull << CAUSE_MISALIGNED_STORE) | (1ull << CAUSE_STORE_ACCESS) |                \
	 (1ull << CAUSE_USER_ECALL) | (1ull << CAUSE_FETCH_PAGE_FAULT) |                  \
	 (1ull << CAUSE_LOAD_PAGE_FAULT) | (1ull << CAUSE_STORE_PAGE_FAULT))

/* A cause the guest would have handled had it been delegated (none should come: hedeleg
 * delegates all of them): its own exception, as the hardware would have given it. Any
 * other code no hart raises from V=1 (a fuzzer's, a broken world switch's): the guest
 * gets an illegal instruction, never a cause its handler cannot have. */
static void give_back(struct arch_vcpu *v, struct vm_exit *exit)
{
	uint64_t cause = v->trap.scause;

	if (cause < 64 && (GUEST_CAUSES & (1ull << cause)))
		rv_inject_exception(v, cause, v->trap.stval);
	else
		rv_inject_exception(v, CAUSE_ILLEGAL_INSN, 0);
	exit->kind = EXIT_NOTHING;
}

/* ---- Guest-page faults (privileged spec 8.5.4, 8.6.3) ---------------------------------
 * The guest-physical address is htval << 2 with stval's two low bits (8.2.11). htinst
 * is a transformed instruction (bit 0 set), a pseudoinstruction when the fault was an
 * implicit access of the guest's own VS-stage walk, or 0 (then the instruction is
 * fetched from the guest, as KVM does with HLVX). */

/* stval holds the guest-virtual address only where hstatus.GVA says it does (8.2.1);
 * otherwise it is 0 for Tandem's purposes (an access fault's vstval may be 0). */
static uint64_t trap_gva(const struct arch_vcpu *v)
{
	return (v->trap.hstatus & HSTATUS_GVA) ? v->trap.stval : 0;
}

static gpa_t fault_gpa(const struct arch_vcpu *v)
{
	return gpa_make((v->trap.htval << 2) | (trap_gva(v) & 3));
}

/* The trapping load or store a (decoded from insn) into exit->mmio, unless there is
 * none to emulate: an AMO, LR/SC or FP access (MMIO refuses them, RAM does not care). */
static void describe_access(struct arch_vcpu *v, const struct rv_ldst *a, uint32_t insn,
			    struct vm_exit *exit)
{
	if (a->amo || a->fp) {
		v->amo_store = a->amo && a->store;
		return;
	}
	/* The fetched word is not the access that faulted (the guest rewrote its code
	 * since, or the trap state is forged): run the instruction again, never emulate a
	 * store as a load. */
	if (a->store != (exit->u.fault.access == PT_W)) {
		retry(exit);
		return;
	}
	struct exit_mmio *m = &exit->mmio;
	exit->mmio_valid = true;
	m->addr = exit->u.fault.gpa;
	m->width = (uint8_t)a->width;
	m->reg = (uint8_t)a->reg;
	m->sign_extend = a->sign_extend;
	m->reg64 = true;
	m->acq_rel = false;
	m->value = 0;
	if (a->store) {
		uint64_t val = arch_vcpu_get_gpr(v, a->reg);
		m->value = a->width == 8 ? val : val & ((1ull << (8 * a->width)) - 1);
	}
	v->insn = insn;
	v->insn_len = (uint8_t)a->len;
	v->pc_advance = true;
}

static void guest_page_fault(struct arch_vcpu *v, unsigned access, struct vm_exit *exit)
{
	uint64_t htinst = v->trap.htinst;
	uint32_t insn = 0;

	exit->kind = EXIT_STAGE2_FAULT;
	exit->u.fault.gpa = fault_gpa(v);
	exit->u.fault.va = gva_make(trap_gva(v));
	exit->u.fault.access = access;
	if (rv_htinst_is_pseudo(htinst)) {
		/* The guest's own page-table walk reached an address with no RAM (or not yet
		 * mapped): lazy RAM is mapped and the access retried; anything else is the
		 * access fault the guest's access takes. A walk's write is the A/D update. */
		exit->u.fault.access = rv_htinst_pseudo_write(htinst) ? PT_W : PT_R;
		return;
	}
	if (access == PT_X)
		return;
	struct rv_ldst a;
	if (htinst & 1) {
		if (!rv_decode_htinst_ldst(htinst, &a))
			describe_access(v, &a, (uint32_t)htinst, exit);
		return;
	}
	int err = hal_guest_fetch_insn(gva_make(v->ctx.pc), &insn);
	if (err == -EFAULT) {
		retry(exit); /* the guest's tables changed under it: run it again */
		return;
	}
	if (!err && !rv_decode_ldst(insn, &a))
		describe_access(v, &a, insn, exit);
}

static void cause_fetch_gpf(struct arch_vcpu *v, struct vm_exit *exit)
{
	guest_page_fault(v, PT_X, exit);
}

static void cause_load_gpf(struct arch_vcpu *v, struct vm_exit *exit)
{
	guest_page_fault(v, PT_R, exit);
}

static void cause_store_gpf(struct arch_vcpu *v, struct vm_exit *exit)
{
	guest_page_fault(v, PT_W, exit);
}

/* ---- Virtual-instruction exceptions (8.6.1): stval holds the instruction ------------
 * WFI with hstatus.VTW set blocks the vCPU; the counters Tandem keeps from the guest
 * (cycle, instret: hcounteren clear) and every other trapped instruction are refused
 * with the illegal-instruction exception the guest would take without Tandem. Where the
 * HAL can read the instruction itself it does, and that word is the one decoded and
 * given back as vstval: QEMU 7.2 leaves stval stale for an HLV/HSV from V=1 (the word
 * of the hart's previous trapping instruction, perhaps another VM's), so stval is only
 * trusted where nothing else can be read (no fetch on this host, or one that faults
 * now; with stval 0 as well, the instruction is run again). */
static void cause_virtual_insn(struct arch_vcpu *v, struct vm_exit *exit)
{
	uint32_t insn = (uint32_t)v->trap.stval, word;
	struct rv_system s;

	int err = hal_guest_fetch_insn(gva_make(v->ctx.pc), &word);
	if (err == 0) {
		insn = word;
	} else if (err == -EFAULT && insn == 0) {
		retry(exit);
		return;
	}
	v->insn = insn;
	v->insn_len = (insn & 3) == 3 ? 4 : 2;
	if (rv_decode_system(insn, &s) == 0 && s.op == RV_SYS_WFI) {
		v->pc_advance = true;
		exit->kind = EXIT_HALT;
		return;
	}
	refuse(exit);
}

/* ---- ECALL from VS-mode: the SBI ----------------------------------------------------- */
static void cause_ecall_vs(struct arch_vcpu *v, struct vm_exit *exit)
{
	v->insn = 0x00000073u; /* ECALL */
	v->insn_len = 4;
	v->pc_advance = true;
	rv_sbi_exit(v, exit);
}

/* EBREAK comes here only while a debugger is attached (hedeleg bit 3 clear). */
static void cause_breakpoint(struct arch_vcpu *v, struct vm_exit *exit)
{
	if (!v->debug) {
		give_back(v, exit);
		return;
	}
	exit->kind = EXIT_DEBUG;
	exit->u.debug.step = false;
	exit->u.debug.imm = 0;
	exit->u.debug.pc = gva_make(v->ctx.pc);
}

static const cause_handler_t cause_handlers[CAUSE_EXCEPTION_COUNT] = {
	[CAUSE_BREAKPOINT] = cause_breakpoint,
	[CAUSE_VIRTUAL_SUPERVISOR_ECALL] = cause_ecall_vs,
	[CAUSE_FETCH_GUEST_PAGE_FAULT] = cause_fetch_gpf,
	[CAUSE_LOAD_GUEST_PAGE_FAULT] = cause_load_gpf,
	[CAUSE_VIRTUAL_INSTRUCTION] = cause_virtual_insn,
	[CAUSE_STORE_GUEST_PAGE_FAULT] = cause_store_gpf,
};

void arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap, struct vm_exit *exit)
{
	*exit = (struct vm_exit){ .kind = EXIT_NOTHING, .outcome = EXIT_RESUME };
	if (trap != &v->trap)
		v->trap = *trap;
	v->pc_advance = false;
	v->sbi = false;
	v->amo_store = false;
	v->insn = 0;
	v->insn_len = 0;
	if (trap->scause & SCAUSE_INTERRUPT) {
		exit->kind = EXIT_EXT_IRQ;
		return;
	}
	cause_handler_t h = trap->scause < CAUSE_EXCEPTION_COUNT ? cause_handlers[trap->scause]
								 : NULL;
	(h ? h : give_back)(v, exit);
}

int arch_vcpu_run(struct arch_vcpu *v, struct vm_exit *exit)
{
	int err = hal_guest_enter(&v->ctx, &v->trap);

	if (err) {
		*exit = (struct vm_exit){ .kind = EXIT_ENTRY_FAILED, .outcome = EXIT_RESUME };
		return err;
	}
	arch_vcpu_decode(v, &v->trap, exit);
	return 0;
}

int arch_vcpu_sysreg(struct arch_vcpu *v, struct exit_sysreg *s, bool read)
{
	(void)v, (void)s, (void)read;
	return -ENOENT;
}

/* What a load of width bytes leaves in its register: the value cut to the width,
 * sign-extended if the instruction does (LB, LH, LW and their compressed forms). */
static uint64_t load_result(const struct exit_mmio *m)
{
	unsigned bits = 8u * m->width;
	uint64_t v = m->value;

	if (bits >= 64)
		return v;
	v &= (1ull << bits) - 1;
	if (m->sign_extend && (v >> (bits - 1)) & 1)
		v |= ~0ull << bits;
	return v;
}

static void advance_pc(struct arch_vcpu *v)
{
	if (v->pc_advance) {
		v->ctx.pc += v->insn_len ? v->insn_len : 4;
		v->pc_advance = false;
	}
}

void arch_vcpu_complete(struct arch_vcpu *v, const struct vm_exit *exit)
{
	switch (exit->outcome) {
	case EXIT_INJECT_UNDEF:
		arch_inject_undef(v);
		return;
	case EXIT_INJECT_ABORT:
		arch_inject_abort(v, exit->kind == EXIT_STAGE2_FAULT &&
					     v->trap.scause == CAUSE_FETCH_GUEST_PAGE_FAULT,
				  gva_make(trap_gva(v)));
		return;
	case EXIT_REINJECT:
		arch_inject_debug(v);
		return;
	case EXIT_RETRY:
		return;
	case EXIT_RESUME:
		break;
	}
	if (v->sbi)
		rv_sbi_complete(v, exit);
	else if (exit->mmio_valid && exit->kind == EXIT_MMIO_READ)
		arch_vcpu_set_gpr(v, exit->mmio.reg, load_result(&exit->mmio));
	advance_pc(v);
}

/* The early handler: the SBI calls answered without the VM (BASE and probes, unknown
 * extensions and functions), with ctx alone. */
enum hal_early arch_exit_early(struct guest_ctx *ctx, const struct guest_exit *trap)
{
	struct sbi_call c;
	uint64_t a1;
	bool write_a1;

	if (!arch_exit_early_candidate(ctx, trap))
		return HAL_EARLY_NO;
	sbi_decode(&ctx->x[10], PLIC_MAX_HARTS, &c);
	if (c.op != SBI_OP_DONE)
		return HAL_EARLY_NO;
	sbi_finish(&c, 0, &ctx->x[10], &a1, &write_a1);
	if (write_a1)
		ctx->x[11] = a1;
	ctx->pc += 4;
	__atomic_fetch_add(&ctx->early_calls, 1, __ATOMIC_RELAXED);
	return HAL_EARLY_ANSWERED;
}
