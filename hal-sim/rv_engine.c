/* The riscv64 guest engine (see rv_engine.h): one rv_vcpu per (VMID, hart), touched
 * only by the pCPU that runs that vCPU; results are read once a run is over and the few
 * fields others poll are atomic. As in the aarch64 engine the PC is the truth: each
 * action lives at its own 4-byte slot, and the engine follows the PC HS-mode leaves
 * (advanced past a trapped instruction, retried, or moved elsewhere: a fresh entry).
 * Traps to HS fill struct guest_exit as the privileged spec's trap entry does (8.6.4,
 * "Trap Entry"): scause, stval, htval, htinst, and hstatus.SPV = 1, SPVP = 1 (the
 * guest runs in VS), GVA = whether stval is a guest virtual address; sstatus.SPP = 1
 * and the PC left on the trapping instruction (sepc). The actions themselves are
 * rv_engine_exec.c's, the translation rv_engine_mmu.c's. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "hal-sim/rv_engine.h"
#include "hal-sim/rv_engine_internal.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/guest.h"
#include "hal/mm.h"

/* The PLIC's S-mode claim/complete register of hart n (PLIC spec 1.0.0: context 2n+1
 * on a board whose harts each have an M and an S context, QEMU virt's layout). */
#define PLIC_BASE 0x0C000000ull
#define PLIC_CLAIM(n) (PLIC_BASE + 0x200004ull + 0x1000ull * (2ull * (n) + 1))

/* Exceptions hedeleg cannot delegate (8.2.2: bits 9-11 and 20-23 are read-only 0). */
#define HEDELEG_FIXED ((7ull << 9) | (0xFull << 20))


static struct rv_vcpu vcpus[ENGINE_MAX_VMS][ENGINE_MAX_VCPUS];
static const struct guest_ctx *bound[ENGINE_MAX_VMS][ENGINE_MAX_VCPUS];
static enum rv_htinst_mode htinst_mode = RV_HTINST_ZERO;
/* The context each pCPU ran last: what hal_guest_fetch_insn reads through. */
static const struct guest_ctx *last_ctx[HAL_MAX_PCPUS];

/* The handler's claim (lw t0, 0(t1)) and completion (sw t0, 0(t1)). */
static const struct action claim_act = {
	.kind = ACT_LOAD, .rv = { .rd = REG_T0, .rs1 = REG_T1, .size = 2, .sign = true }
};
static const struct action complete_act = {
	.kind = ACT_STORE, .rv = { .rs1 = REG_T1, .rs2 = REG_T0, .size = 2 }
};

void rv_fail(struct rv_vcpu *e, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&e->res.failures, 1, __ATOMIC_RELAXED) == 0) {
		int n = snprintf(e->res.first_failure, ENGINE_MSG_MAX, "line %u: ", line);
		va_start(ap, fmt);
		vsnprintf(e->res.first_failure + n, ENGINE_MSG_MAX - (size_t)n, fmt, ap);
		va_end(ap);
	}
}

static unsigned line_of(const struct rv_vcpu *e)
{
	return e->idx < e->n ? e->acts[e->idx].line : 0;
}

/* Make action i the next; a WAIT_IRQ starts counting interrupts there. */
static void set_idx(struct rv_vcpu *e, unsigned i)
{
	e->idx = i;
	if (i < e->n && e->acts[i].kind == ACT_WAIT_IRQ)
		e->wait_base = e->res.irqs_taken;
}

void rv_advance(struct guest_ctx *c, struct rv_vcpu *e)
{
	c->pc = e->act_pc + 4;
	e->act_pc += 4;
	set_idx(e, e->idx + 1);
}

int rv_trap_hs(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x, uint64_t cause,
		   uint64_t stval, bool gva, uint64_t htval, uint64_t htinst)
{
	uint64_t hs = c->csr[RV_HSTATUS] | HSTATUS_SPV | HSTATUS_SPVP;

	hs = gva ? hs | HSTATUS_GVA : hs & ~HSTATUS_GVA;
	c->csr[RV_HSTATUS] = hs;
	c->sstatus |= SSTATUS_SPP;
	*x = (struct guest_exit){ .scause = cause, .stval = stval, .htval = htval,
				  .htinst = htinst, .hstatus = hs };
	e->res.traps++;
	return 1;
}

/* SRET in VS-mode (privileged spec 4.1.1): back to vsepc, SIE from SPIE, SPIE set, SPP
 * cleared. */
static void vs_sret(struct guest_ctx *c)
{
	uint64_t s = c->csr[RV_VSSTATUS];

	s = (s & SSTATUS_SPIE) ? s | SSTATUS_SIE : s & ~SSTATUS_SIE;
	c->csr[RV_VSSTATUS] = (s | SSTATUS_SPIE) & ~SSTATUS_SPP;
	c->pc = c->csr[RV_VSEPC];
}

/* A trap into VS-mode (the guest's own, 4.1.1 / 8.6.4): vscause, vsepc, vstval,
 * vsstatus.SPP = 1 (from VS), SPIE = SIE, SIE = 0. The PC is left for the caller. */
static void vs_trap(struct guest_ctx *c, uint64_t cause, uint64_t tval)
{
	uint64_t s = c->csr[RV_VSSTATUS];

	c->csr[RV_VSCAUSE] = cause;
	c->csr[RV_VSEPC] = c->pc;
	c->csr[RV_VSTVAL] = tval;
	s = (s & SSTATUS_SIE) ? s | SSTATUS_SPIE : s & ~SSTATUS_SPIE;
	c->csr[RV_VSSTATUS] = (s & ~SSTATUS_SIE) | SSTATUS_SPP;
}

/* The handler cannot go on (an exception of its own, HS-mode moved its PC): t0/t1 as
 * they were and, if resume, back to where the interrupt was taken, as far as the
 * program can tell; the interrupt is not counted as handled. */
static void abort_handler(struct guest_ctx *c, struct rv_vcpu *e, const char *why, bool resume)
{
	rv_fail(e, line_of(e), "the interrupt handler %s", why);
	c->x[REG_T0] = e->h_t0;
	c->x[REG_T1] = e->h_t1;
	e->h = H_NONE;
	e->h_trapped = false;
	if (resume) {
		c->csr[RV_VSEPC] = e->h_epc;
		c->csr[RV_VSSTATUS] |= SSTATUS_SPIE;
		vs_sret(c);
	}
}

/* The guest's handler at vstvec with an exception in vscause (taken by the hart, or
 * injected by HS-mode): it notes the cause, fails the program unless the next action
 * expects it, and returns past the instruction (sepc + 4; sret). */
static void handle_exception(struct guest_ctx *c, struct rv_vcpu *e)
{
	uint64_t cause = c->csr[RV_VSCAUSE], epc = c->csr[RV_VSEPC];

	e->res.exceptions_taken++;
	e->last_cause = (int)(cause & 63);
	const struct action *next = e->idx + 1 < e->n ? &e->acts[e->idx + 1] : NULL;
	if (!next || next->kind != ACT_RV_EXPECT_FAULT)
		rv_fail(e, line_of(e), "unexpected exception (scause %llu, stval 0x%llx)",
		     (unsigned long long)cause, (unsigned long long)c->csr[RV_VSTVAL]);
	c->csr[RV_VSEPC] = epc + 4;
	vs_sret(c);
	if (epc == e->act_pc && e->idx < e->n) {
		e->act_pc += 4;
		set_idx(e, e->idx + 1);
	}
	e->trapped = false;
}

/* An exception hedeleg gives the guest: taken at vstvec, its handler at once. */
static void guest_exception(struct guest_ctx *c, struct rv_vcpu *e, unsigned cause, uint64_t tval)
{
	if (e->h != H_NONE) {
		e->res.exceptions_taken++;
		abort_handler(c, e, "took an exception", true);
		return;
	}
	vs_trap(c, cause, tval);
	c->pc = c->csr[RV_VSTVEC] & ~3ull;
	handle_exception(c, e);
}

/* HS-mode injected an exception (privileged spec 8.6.4 done by hand: vsepc, vscause,
 * vstval, vsstatus, the PC at vstvec's base, as arch/riscv64/inject.c does). */
static bool exception_injected(struct guest_ctx *c, struct rv_vcpu *e)
{
	if (!c->csr[RV_VSTVEC] || c->pc != (c->csr[RV_VSTVEC] & ~3ull) ||
	    (c->csr[RV_VSCAUSE] & SCAUSE_INTERRUPT) || c->pc == e->act_pc)
		return false;
	handle_exception(c, e);
	return true;
}

/* An exception raised in VS-mode: the guest's if hedeleg delegates it, else a trap to
 * HS. 1 if it trapped to HS. */
int rv_raise(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x,
		     unsigned cause, uint64_t tval, bool gva, uint64_t htval, uint64_t htinst)
{
	if (cause < 64 && ((c->csr[RV_HEDELEG] & ~HEDELEG_FIXED) >> cause) & 1) {
		guest_exception(c, e, cause, tval);
		return 0;
	}
	return rv_trap_hs(c, e, x, cause, tval, gva, htval, htinst);
}

uint64_t rv_htinst_of(const struct action *a)
{
	return htinst_mode == RV_HTINST_TRANSFORMED ? rv_transformed(a) : 0;
}

static bool guest_page_fault(unsigned cause)
{
	return cause == CAUSE_FETCH_GUEST_PAGE_FAULT || cause == CAUSE_LOAD_GUEST_PAGE_FAULT ||
	       cause == CAUSE_STORE_GUEST_PAGE_FAULT;
}

/* A translation's fault for an access to va (stval = va, a guest virtual address):
 * htval the GPA >> 2 for a guest-page fault, htinst the pseudoinstruction for one of
 * the VS walk's PTE reads (8.6.3, mandatory there), else explicit's. */
int rv_xlate_fault(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x,
		       const struct rv_fault *f, uint64_t va, uint64_t explicit)
{
	bool gpf = guest_page_fault(f->cause);
	uint64_t htinst = f->implicit ? HTINST_PSEUDO_READ64 : explicit;

	return rv_raise(c, e, x, f->cause, va, true, gpf ? f->gpa >> 2 : 0, htinst);
}

/* ---- The guest's interrupt handler -------------------------------------------------- */

static uint64_t handler_base(const struct guest_ctx *c)
{
	return c->csr[RV_VSTVEC] & ~3ull;
}

/* Its sret: t0/t1 as they were, back to vsepc; the interrupt counts as handled. */
static void handler_return(struct guest_ctx *c, struct rv_vcpu *e)
{
	if (e->h != H_NONE) {
		c->x[REG_T0] = e->h_t0;
		c->x[REG_T1] = e->h_t1;
	}
	e->h = H_NONE;
	e->last_irq = e->h_cause;
	vs_sret(c);
	__atomic_fetch_add(&e->res.irqs_taken, 1, __ATOMIC_RELAXED);
}

/* Interrupt cause taken in VS-mode (vectored: at base + 4 cause). Timer and software
 * interrupts are quieted and returned from at once; an external one starts the claim. */
static void take_irq(struct guest_ctx *c, struct rv_vcpu *e, int cause)
{
	vs_trap(c, (uint64_t)SCAUSE_INTERRUPT | (unsigned)cause, 0);
	c->pc = handler_base(c) + ((c->csr[RV_VSTVEC] & 1) ? 4ull * (unsigned)cause : 0);
	e->h_cause = cause;
	e->resv = false;
	if (cause == IRQ_S_TIMER) {
		if (c->csr[RV_HENVCFG] & ENVCFG_STCE) {
			c->csr[RV_VSTIMECMP] = ~0ull;
			c->vtimer_written = 1;
		} else {
			c->csr[RV_VSIE] &= ~MIP_STIP;
		}
	} else if (cause == IRQ_S_SOFT) {
		c->csr[RV_HVIP] &= ~MIP_VSSIP; /* csrc sip, SSIP */
	} else {
		e->h_epc = c->csr[RV_VSEPC];
		e->h_t0 = c->x[REG_T0];
		e->h_t1 = c->x[REG_T1];
		c->x[REG_T1] = PLIC_CLAIM(e->vcpu);
		c->pc = handler_base(c) + RV_H_CLAIM;
		e->h = H_CLAIM;
		return;
	}
	handler_return(c, e);
}

/* The word at the handler's PC: fetched (placed there if missing); a fetch fault is a
 * trap like any other. 1 if it trapped. */
static int handler_fetch(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x,
			 unsigned offset)
{
	struct rv_fault f;
	uint64_t hpa;

	if (rv_translate(c, c->pc, RV_ACC_FETCH, &hpa, &f))
		return rv_xlate_fault(c, e, x, &f, c->pc, 0) ? 1 : -1;
	rv_fetch(hpa, rv_handler_word(offset));
	return 0;
}

/* The handler's claim (lw) or completion (sw) at its offset: 1 if it trapped to HS. */
static int handler_mmio(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x,
			unsigned offset)
{
	uint64_t at = handler_base(c) + offset;
	int r;

	if (e->h_trapped && c->pc == at + 4) {
		e->h_trapped = false; /* HS-mode emulated it */
	} else {
		e->h_trapped = false;
		if (c->pc != at) {
			abort_handler(c, e, "was left by HS-mode", false);
			return 0;
		}
		if ((r = handler_fetch(c, e, x, offset)) ||
		    (r = rv_mem_access(c, e, offset == RV_H_CLAIM ? &claim_act : &complete_act, x))) {
			e->h_trapped = r > 0;
			return r > 0;
		}
	}
	if (offset == RV_H_CLAIM) {
		e->last_source = (uint32_t)c->x[REG_T0];
		e->h = e->last_source ? H_DONE : H_SRET; /* "beqz t0, 1f": nothing claimed */
	} else {
		e->h = H_SRET;
	}
	c->pc = handler_base(c) + (e->h == H_DONE ? RV_H_DONE : RV_H_SRET);
	return 0;
}

static int handler_step(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x)
{
	switch (e->h) {
	case H_CLAIM: return handler_mmio(c, e, x, RV_H_CLAIM);
	case H_DONE: return handler_mmio(c, e, x, RV_H_DONE);
	default:
		handler_return(c, e);
		return 0;
	}
}

/* ---- Following the PC --------------------------------------------------------------- */

/* A waiting action whose trapped instruction HS-mode completed goes round again. */
static bool waits_on(const struct guest_ctx *c, struct rv_vcpu *e, const struct action *a)
{
	if (a->kind == ACT_WAIT_IRQ)
		return e->res.irqs_taken == e->wait_base;
	if (a->kind != ACT_WAIT64 || rv_wait_satisfied(c, a))
		return false;
	e->res.wait_loops++;
	return true;
}

static void enter_afresh(struct guest_ctx *c, struct rv_vcpu *e)
{
	e->act_pc = e->entry_pc = c->pc;
	e->end_pc = NO_END;
	e->last_cause = -1;
	e->resv = false;
	e->h = H_NONE;
	e->spin_left = 0;
	set_idx(e, 0);
	__atomic_store_n(&e->res.started, true, __ATOMIC_RELEASE);
	if (c->csr[RV_VSTVEC] == 0) /* the prologue's "csrw stvec, handler" */
		c->csr[RV_VSTVEC] = (c->pc + 4ull * (e->n + 1) + 0xFF) & ~0xFFull;
	rv_place(c, e->acts, e->n, handler_base(c));
}

static void follow_pc(struct guest_ctx *c, struct rv_vcpu *e)
{
	bool on_end = e->idx >= e->n && c->pc == e->end_pc;
	const struct action *a = e->idx < e->n ? &e->acts[e->idx] : NULL;
	bool past = a && (c->pc == e->act_pc + 4 || (a->rv.compressed && c->pc == e->act_pc + 2));

	if (e->trapped && past) {
		if (waits_on(c, e, a)) {
			c->pc = e->act_pc;
		} else { /* past it (and past the C.NOP after a compressed one) */
			c->pc = e->act_pc + 4;
			e->act_pc += 4;
			set_idx(e, e->idx + 1);
		}
	} else if (c->pc != e->act_pc && !on_end) {
		enter_afresh(c, e); /* boot, SBI HSM hart_start, a reset */
	}
	e->trapped = false;
}

static int at_end(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x)
{
	if (e->end_pc == NO_END)
		e->end_pc = c->pc;
	return rv_wait_forever(c, e, x);
}

/* One step: a stage of the interrupt handler, an interrupt taken, an action (an
 * exception the guest takes included), one round of a spin, a wait or a stall. */
static int run_step(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x)
{
	struct rv_fault f;
	uint64_t hpa;

	e->res.steps++;
	if (e->h != H_NONE)
		return handler_step(c, e, x);
	if (exception_injected(c, e))
		return 0;
	follow_pc(c, e);
	int irq = rv_pending_irq(c, true);
	if (irq >= 0) {
		take_irq(c, e, irq);
		return 0;
	}
	int r;
	if (e->idx >= e->n) {
		r = at_end(c, e, x);
	} else if (rv_translate(c, c->pc, RV_ACC_FETCH, &hpa, &f)) {
		r = rv_xlate_fault(c, e, x, &f, c->pc, 0); /* htinst 0 for a fetch */
	} else if (!rv_fetchable(hpa)) {
		r = rv_raise(c, e, x, CAUSE_FETCH_ACCESS, c->pc, true, 0, 0);
	} else {
		uint32_t word = rv_fetch(hpa, rv_action_word(c, &e->acts[e->idx]));
		r = rv_is_ebreak(word) ? rv_raise(c, e, x, CAUSE_BREAKPOINT, c->pc, true, 0, 0)
				       : rv_run_action(c, e, x);
	}
	e->trapped = r > 0;
	return r;
}

/* The vCPU ctx is: bound to it, or the program of hart a0 not yet bound. */
static struct rv_vcpu *vcpu_of(const struct guest_ctx *c)
{
	unsigned vmid = (unsigned)((c->csr[RV_HGATP] >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK);

	if (vmid >= ENGINE_MAX_VMS)
		return NULL;
	for (unsigned i = 0; i < ENGINE_MAX_VCPUS; i++)
		if (__atomic_load_n(&bound[vmid][i], __ATOMIC_ACQUIRE) == c)
			return vcpus[vmid][i].loaded ? &vcpus[vmid][i] : NULL;
	uint64_t hart = c->x[10];
	if (hart >= ENGINE_MAX_VCPUS || !vcpus[vmid][hart].loaded)
		return NULL;
	const struct guest_ctx *none = NULL;
	if (!__atomic_compare_exchange_n(&bound[vmid][hart], &none, c, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return NULL; /* that hart is another context's */
	return &vcpus[vmid][hart];
}

static int rv_engine_step(struct guest_ctx *c, struct guest_exit *x, void *arg)
{
	struct rv_vcpu *e = vcpu_of(c);
	bool done;

	(void)arg;
	last_ctx[hal_pcpu_id() % HAL_MAX_PCPUS] = c;
	if (!e) { /* no program: a guest that only waits */
		struct rv_vcpu idle = { 0 };
		return rv_wfi(c, &idle, x, &done);
	}
	return run_step(c, e, x);
}

/* ---- The public surface (engine.h, rv_engine.h) ------------------------------------- */

void engine_install(void)
{
	memset(vcpus, 0, sizeof(vcpus));
	for (unsigned v = 0; v < ENGINE_MAX_VMS; v++)
		for (unsigned i = 0; i < ENGINE_MAX_VCPUS; i++)
			__atomic_store_n(&bound[v][i], NULL, __ATOMIC_RELEASE);
	htinst_mode = RV_HTINST_ZERO;
	rv_tlb_reset();
	hal_sim_set_guest(rv_engine_step, NULL);
}

int engine_load(unsigned vmid, unsigned vcpu, const struct engine_program *prog)
{
	if (vmid >= ENGINE_MAX_VMS || vcpu >= ENGINE_MAX_VCPUS || !prog)
		return -EINVAL;
	__atomic_store_n(&bound[vmid][vcpu], NULL, __ATOMIC_RELEASE); /* a new VM's hart */
	vcpus[vmid][vcpu] = (struct rv_vcpu){ .acts = prog->acts, .n = prog->n, .loaded = true,
					      .vcpu = vcpu, .last_irq = -1, .last_cause = -1,
					      .act_pc = ~0ull, .end_pc = NO_END,
					      .entry_pc = ~0ull };
	return 0;
}

int engine_result(unsigned vmid, unsigned vcpu, struct engine_result *out)
{
	if (vmid >= ENGINE_MAX_VMS || vcpu >= ENGINE_MAX_VCPUS || !out)
		return -EINVAL;
	*out = vcpus[vmid][vcpu].res;
	out->started = __atomic_load_n(&vcpus[vmid][vcpu].res.started, __ATOMIC_ACQUIRE);
	out->finished = __atomic_load_n(&vcpus[vmid][vcpu].res.finished, __ATOMIC_ACQUIRE);
	return 0;
}

bool engine_finished(unsigned vmid, unsigned vcpu)
{
	return vmid < ENGINE_MAX_VMS && vcpu < ENGINE_MAX_VCPUS &&
	       __atomic_load_n(&vcpus[vmid][vcpu].res.finished, __ATOMIC_ACQUIRE);
}

void rv_engine_set_htinst(enum rv_htinst_mode mode)
{
	htinst_mode = mode;
}

int rv_engine_bind(const struct guest_ctx *ctx, unsigned vmid, unsigned vcpu)
{
	if (!ctx || vmid >= ENGINE_MAX_VMS || vcpu >= ENGINE_MAX_VCPUS)
		return -EINVAL;
	__atomic_store_n(&bound[vmid][vcpu], ctx, __ATOMIC_RELEASE);
	return 0;
}

int rv_engine_last_irq(unsigned vmid, unsigned vcpu, int *cause, uint64_t *source)
{
	if (vmid >= ENGINE_MAX_VMS || vcpu >= ENGINE_MAX_VCPUS || !cause || !source)
		return -EINVAL;
	*cause = vcpus[vmid][vcpu].last_irq;
	*source = vcpus[vmid][vcpu].last_source;
	return 0;
}

/* One halfword of the instruction stream at va, fetched as the guest would. */
static int fetch_half(const struct guest_ctx *c, uint64_t va, uint16_t *half)
{
	struct rv_fault f;
	uint64_t hpa;
	void *host;

	if (rv_translate(c, va, RV_ACC_FETCH, &hpa, &f) || hal_phys_to_virt(pa_make(hpa), 2, &host))
		return -EFAULT;
	uint16_t h = __atomic_load_n((const uint16_t *)host, __ATOMIC_RELAXED);
	*half = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? __builtin_bswap16(h) : h;
	return 0;
}

/* HLVX.HU twice (8.5.4 "Hypervisor Virtual-Machine Load and Store Instructions"): the
 * guest's translation with execute permission, through this pCPU's TLB; a 32-bit
 * instruction's halves may lie on two pages. */
int hal_guest_fetch_insn(gva_t pc, uint32_t *insn)
{
	const struct guest_ctx *c = last_ctx[hal_pcpu_id() % HAL_MAX_PCPUS];
	uint16_t lo, hi;

	if (!insn)
		return -EINVAL;
	if (!c || (gva_bits(pc) & 1) || fetch_half(c, gva_bits(pc), &lo))
		return -EFAULT;
	if ((lo & 3) != 3) {
		*insn = lo;
		return 0;
	}
	if (fetch_half(c, gva_bits(pc) + 2, &hi))
		return -EFAULT;
	*insn = (uint32_t)lo | ((uint32_t)hi << 16);
	return 0;
}
