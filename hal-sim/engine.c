/* The guest engine (see engine.h). One engine_vcpu per (VMID, vCPU), touched only by
 * the pCPU that runs that vCPU, so no lock; results are read once a run is over, and
 * the few fields others poll are atomic. The program counter is the truth: each action
 * lives at its own address (4 bytes apart from where the program was entered), and the
 * engine follows the PC the hypervisor leaves behind (advanced, retried, or moved to an
 * exception vector). What it runs there is the action, unless guest memory holds a BRK
 * at that address (engine_fetch.c). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch/aarch64/a64.h"
#include "arch/aarch64/ctx.h"
#include "arch/aarch64/gicv3.h"
#include "arch/aarch64/sysreg.h"
#include "hal-sim/engine.h"
#include "hal-sim/engine_internal.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "hal/time.h"

enum exc { EXC_NONE, EXC_ABORT, EXC_UNDEF, EXC_OTHER };

struct engine_vcpu {
	const struct action *acts;
	unsigned n;
	bool loaded;
	unsigned idx;       /* the action to run */
	uint64_t act_pc;    /* the address of action idx */
	bool trapped;       /* the last step trapped on action idx */
	enum exc last_exc;
	int last_irq;
	bool eoi_exit;      /* the last step exited for an EOI maintenance: next, an action */
	uint64_t spin_left;
	uint64_t wait_base; /* irqs_taken when a WAIT_IRQ began */
	uint64_t end_pc;    /* where the program's final WFI loops (NO_END: not there yet) */
	uint64_t entry_pc;   /* where the program was last entered afresh */
	struct engine_result res;
};

static struct engine_vcpu vcpus[ENGINE_MAX_VMS][ENGINE_MAX_VCPUS];

#define NO_END (~0ull)

/* The generic timer the engine's guests see: the HAL's system counter. */
uint64_t engine_counter(void)
{
	return hal_counter();
}

#define FSC_ALIGNMENT 0x21u

static void fail(struct engine_vcpu *e, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&e->res.failures, 1, __ATOMIC_RELAXED) == 0) {
		int n = snprintf(e->res.first_failure, ENGINE_MSG_MAX, "line %u: ", line);
		va_start(ap, fmt);
		vsnprintf(e->res.first_failure + n, ENGINE_MSG_MAX - (size_t)n, fmt, ap);
		va_end(ap);
	}
}

static uint64_t vector_base(uint64_t pstate)
{
	uint64_t mode = pstate & PSR_MODE_MASK;

	if (mode & PSR_MODE_AARCH32)
		return VEC_LOWER_A32;
	if (mode == PSR_MODE_EL0t)
		return VEC_LOWER_A64;
	return mode == PSR_MODE_EL1t ? VEC_CUR_SP0 : VEC_CUR_SPX;
}

static void set_x(struct guest_ctx *c, unsigned r, uint64_t v)
{
	if (r < 31)
		c->x[r] = v;
}

static uint64_t get_x(const struct guest_ctx *c, unsigned r)
{
	return r < 31 ? c->x[r] : 0;
}

static void advance(struct guest_ctx *c, struct engine_vcpu *e)
{
	c->pc += 4;
	e->act_pc += 4;
	e->idx++;
}

/* HPFAR_EL2 as the hardware leaves it (Arm ARM D24.2.76): the IPA's page for a stage-2
 * translation, access-flag or address-size fault, or any stage-2 fault on a stage-1
 * walk; UNKNOWN for a stage-2 permission fault of the access and for every other
 * exception. The engine makes UNKNOWN garbage, never the right page, so that a
 * decoder that trusts it there goes wrong in tests. */
static uint64_t hpfar_for(uint64_t esr, uint64_t ipa, uint64_t salt)
{
	uint64_t ec = ESR_EC(esr), fsc = ISS_FSC(esr);
	uint64_t page = ((ipa >> 12) << 4) & HPFAR_FIPA_MASK;
	bool abort = ec == EC_DABT_LOW || ec == EC_IABT_LOW;

	if (abort && ((esr & ISS_DABT_S1PTW) || fsc < FSC_PERM_L0))
		return page;
	uint64_t z = salt + 0x9E3779B97F4A7C15ull; /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z = (z ^ (z >> 31)) & HPFAR_FIPA_MASK;
	return z == (abort ? page : 0) ? z ^ 0x10 : z;
}

static int trap(struct engine_vcpu *e, struct guest_exit *exit, uint64_t esr, uint64_t far,
		uint64_t ipa)
{
	*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = esr, .far = far,
				     .hpfar = hpfar_for(esr, ipa, e->res.traps ^ (esr << 20)) };
	e->trapped = true;
	e->res.traps++;
	return 1;
}

/* An exception taken at EL1 without the hypervisor (an undefined system register). The
 * new PSTATE has SS clear, as every exception entry leaves it. */
static void take_local(struct guest_ctx *c, uint64_t esr, uint64_t offset)
{
	c->el1[ESR_EL1] = esr;
	c->el1[ELR_EL1] = c->pc;
	c->el1[SPSR_EL1] = c->pstate;
	c->pc = c->el1[VBAR_EL1] + vector_base(c->pstate) + offset;
	c->pstate = PSR_MODE_EL1h | PSR_D | PSR_A | PSR_I | PSR_F;
}

/* PC at a synchronous vector: an injected exception. The "handler" notes it and returns
 * past the instruction that caused it. */
static bool exception_taken(struct guest_ctx *c, struct engine_vcpu *e)
{
	uint64_t off = c->pc - c->el1[VBAR_EL1];

	if (c->pc < c->el1[VBAR_EL1] || (off != 0x000 && off != 0x200 && off != 0x400 && off != 0x600))
		return false;
	uint64_t ec = ESR_EC(c->el1[ESR_EL1]);
	e->last_exc = ec == EC_UNKNOWN ? EXC_UNDEF
		      : (ec == EC_DABT_LOW || ec == EC_DABT_CUR || ec == EC_IABT_LOW || ec == EC_IABT_CUR)
			      ? EXC_ABORT
			      : EXC_OTHER;
	e->res.exceptions_taken++;
	const struct action *next = e->idx + 1 < e->n ? &e->acts[e->idx + 1] : NULL;
	bool expected = next && ((next->kind == ACT_EXPECT_ABORT && e->last_exc == EXC_ABORT) ||
				 (next->kind == ACT_EXPECT_UNDEF && e->last_exc == EXC_UNDEF));
	if (!expected)
		fail(e, e->idx < e->n ? e->acts[e->idx].line : 0,
		     "unexpected exception (ESR_EL1 0x%llx)", (unsigned long long)c->el1[ESR_EL1]);
	uint64_t elr = c->el1[ELR_EL1];
	c->pc = elr + 4;
	c->pstate = c->el1[SPSR_EL1];
	if (elr == e->act_pc) {
		e->idx++;
		e->act_pc += 4;
	}
	e->trapped = false;
	return true;
}

/* Software step (Arm ARM D2.12) is active: MDSCR_EL1.SS with debug exceptions routed to
 * EL2 (MDCR_EL2.TDE), which enables them from EL1 and EL0 whatever KDE and PSTATE.D say.
 * The guest's own stepping, to EL1, is not modelled. */
static bool stepping(const struct guest_ctx *c)
{
	return (c->el1[MDSCR_EL1] & MDSCR_SS) && (c->mdcr_el2 & MDCR_TDE);
}

/* A synchronous exception the guest takes at EL1 by itself. Its handler runs at once,
 * unless the step stops at the vector: the exception entry cleared PSTATE.SS, so the
 * software step exception comes before the vector's first instruction, and the handler
 * is the next step. */
static void local_exception(struct guest_ctx *c, struct engine_vcpu *e, uint64_t esr)
{
	take_local(c, esr, VEC_SYNC);
	if (!stepping(c))
		exception_taken(c, e);
}

/* A virtual IRQ is taken at VBAR_EL1 + 0x80 of the current vector group once PSTATE.I
 * is clear; the engine's handler reads ICC_IAR1_EL1, notes the INTID, writes
 * ICC_EOIR1_EL1 (and ICC_DIR_EL1 in EOI mode 1) and returns: no exit, as on the
 * hardware. */
static void take_irq(struct guest_ctx *c, struct engine_vcpu *e)
{
	uint64_t intid = engine_icc_iar1(c);

	e->last_irq = (int)intid;
	__atomic_fetch_add(&e->res.irqs_taken, 1, __ATOMIC_RELAXED);
	engine_icc_deactivate(c, intid);
}

/* An aligned load or store of 1, 2, 4 or 8 bytes is single-copy atomic on the hardware
 * (Arm ARM B2.2.1): vCPUs on other pCPUs may poll what this one writes (wait64). */
static uint64_t guest_load(const void *p, unsigned width)
{
	switch (width) {
	case 1: return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
	case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
	case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	}
}

static void guest_store(void *p, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: __atomic_store_n((uint8_t *)p, (uint8_t)v, __ATOMIC_RELAXED); break;
	case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED); break;
	case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED); break;
	default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED); break;
	}
}

/* The compare of a waiting load's loop: the loaded register against the value, bits
 * in ignore left out. */
static bool wait_satisfied(const struct guest_ctx *c, const struct action *a)
{
	return ((get_x(c, a->ldst.rt) ^ a->value) & ~a->ignore) == 0;
}

/* A WFE. HCR_EL2.TWE traps it only if it would wait: with a virtual interrupt pending
 * in a list register (masked or not) it completes at once. With TWE clear it is the
 * guest's own: it would wait for an event on the hardware, and the engine lets it
 * complete at once, as the architecture allows a WFE to at any time.
 * 1: it trapped (at the action's address); 0: it completed. */
static int wfe(struct guest_ctx *c, struct engine_vcpu *e, struct guest_exit *exit)
{
	struct a64_insn insn = { .kind = A64_WFE };

	if (!(c->hcr_el2 & HCR_TWE) || engine_highest_pending_lr(c) >= 0)
		return 0;
	return trap(e, exit, a64_trap_esr(&insn, 0), 0, 0);
}

/* The engine's guests run with their MMU off: a virtual address is the guest-physical
 * one (stage-1 tables exist only as data core walks in software). */
static gpa_t flat_ipa(uint64_t va)
{
	return gpa_of_flat(gva_make(va));
}

static int do_ldst(struct guest_ctx *c, struct engine_vcpu *e, const struct action *a,
		   struct guest_exit *exit)
{
	const struct a64_ldst *l = &a->ldst;
	unsigned width = 1u << l->size;
	paddr_t pa;
	void *host;

	if (l->store)
		set_x(c, l->rt, a->value);
	set_x(c, l->rn, a->addr); /* the base register holds the address; offset 0 */
	if (a->addr & (width - 1)) {
		/* With its MMU off every data access of the guest is to Device memory, which
		 * must be aligned: an Alignment fault taken at EL1, not a trap to EL2. */
		c->el1[FAR_EL1] = a->addr;
		local_exception(c, e, ((uint64_t)EC_DABT_CUR << ESR_EC_SHIFT) | ESR_IL |
					      (l->store ? ISS_DABT_WNR : 0) | FSC_ALIGNMENT);
		return 0;
	}
	int fsc = engine_s2_walk(c->vttbr_el2, c->vtcr_el2, flat_ipa(a->addr),
				 l->store ? ACC_W : ACC_R,
				 &pa);
	if (fsc == 0 && hal_phys_to_virt(pa, width, &host) == 0) {
		uint64_t v = 0;
		if (l->store) {
			v = get_x(c, l->rt);
			guest_store(host, width, v);
		} else {
			v = guest_load(host, width);
			unsigned bits = 8 * width;
			if (l->sign_extend && bits < 64 && ((v >> (bits - 1)) & 1))
				v |= ~0ull << bits;
			set_x(c, l->rt, l->reg64 ? v : (uint32_t)v);
		}
		if (a->kind == ACT_WAIT64 && !wait_satisfied(c, a)) {
			e->res.wait_loops++;
			/* "cmp; b.ne 1b": the next step loads again, no exit; or a WFE
			 * first, whose trap the loop goes round after (waits_on). */
			return a->wfe ? wfe(c, e, exit) : 0;
		}
		advance(c, e);
		return 0;
	}
	struct a64_insn insn = { .kind = A64_LDST, .ldst = *l };
	return trap(e, exit, a64_trap_esr(&insn, fsc ? (unsigned)fsc : 0x07), a->addr, a->addr);
}

/* Which system-register accesses trap to EL2 under the vCPU's HCR_EL2 (TIDCP:
 * implementation-defined registers; TID3: the feature ID registers; TACR: ACTLR_EL1) and MDCR_EL2 (the PMU and debug
 * registers); the rest are the guest's. */
/* A feature ID register: op0 3, op1 0, CRn 0, CRm 1-7 (HCR_EL2.TID3's group). */
static bool id_reg(const struct a64_sysreg *s)
{
	return s->op0 == 3 && s->op1 == 0 && s->crn == 0 && s->crm >= 1 && s->crm <= 7;
}

static bool sysreg_traps(const struct guest_ctx *c, const struct a64_sysreg *s)
{
	if ((c->hcr_el2 & HCR_TIDCP) && s->op0 == 3 && (s->crn == 11 || s->crn == 15))
		return true;
	if ((c->hcr_el2 & HCR_TID3) && id_reg(s))
		return true;
	if (engine_mdcr_trapped(c->mdcr_el2, s))
		return true;
	/* CNTP_TVAL/CTL/CVAL_EL0: CNTHCTL_EL2.EL1PCEN is clear on every pCPU, as the
	 * bare-metal HAL sets it. */
	if (s->op0 == 3 && s->op1 == 3 && s->crn == 14 && s->crm == 2 && s->op2 <= 2)
		return true;
	/* ICC_SGI1R/ASGI1R/SGI0R_EL1 with HCR_EL2.IMO set. */
	if ((c->hcr_el2 & HCR_IMO) && s->op0 == 3 && s->op1 == 0 && s->crn == 12 && s->crm == 11 &&
	    s->op2 >= 5)
		return true;
	return (c->hcr_el2 & HCR_TACR) && s->op0 == 3 && s->op1 == 0 && s->crn == 1 && s->crm == 0 &&
	       s->op2 == 1;
}

/* The EL1 registers the engine keeps in the context; -1 for others (UNDEFINED). */
static int el1_index(const struct a64_sysreg *s)
{
	if (s->op0 == 2 && s->op1 == 0 && s->crn == 0 && s->crm == 2 && s->op2 == 2)
		return MDSCR_EL1; /* the world switch moves it with the vCPU */
	if (s->op0 != 3 || s->op1 != 0)
		return -1;
	if (s->crn == 1 && s->crm == 0 && s->op2 == 0)
		return SCTLR_EL1;
	if (s->crn == 12 && s->crm == 0 && s->op2 == 0)
		return VBAR_EL1;
	if (s->crn == 13 && s->crm == 0 && s->op2 == 4)
		return TPIDR_EL1;
	return -1;
}

static int do_sysreg(struct guest_ctx *c, struct engine_vcpu *e, const struct action *a,
		     struct guest_exit *exit)
{
	bool read = a->kind == ACT_MRS;
	struct a64_insn insn = { .kind = read ? A64_MRS : A64_MSR, .sys = a->sys };

	if (!read)
		set_x(c, a->sys.rt, a->value);
	if (sysreg_traps(c, &a->sys))
		return trap(e, exit, a64_trap_esr(&insn, 0), 0, 0);
	uint64_t v = read ? 0 : get_x(c, a->sys.rt);
	if (engine_untrapped_sysreg(c, &a->sys, read, &v) == 0) {
		if (read)
			set_x(c, a->sys.rt, v);
		advance(c, e);
		return 0;
	}
	if (read && id_reg(&a->sys)) { /* not trapped: the CPU's own, read-only */
		set_x(c, a->sys.rt, hal_cpu_id_reg(a->sys.crm, a->sys.op2));
		advance(c, e);
		return 0;
	}
	int i = el1_index(&a->sys);
	if (i < 0 && engine_mdcr_traps(&a->sys)) {
		/* A PMU or debug register MDCR_EL2 let through: this pCPU's own. */
		v = engine_phys_reg(hal_pcpu_id(), &a->sys, read, v);
		if (read)
			set_x(c, a->sys.rt, v);
		advance(c, e);
		return 0;
	}
	if (i < 0) {
		local_exception(c, e, ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL);
		return 0;
	}
	if (read)
		set_x(c, a->sys.rt, c->el1[i]);
	else
		c->el1[i] = get_x(c, a->sys.rt);
	advance(c, e);
	return 0;
}

static int do_call(struct guest_ctx *c, struct engine_vcpu *e, const struct action *a,
		   struct guest_exit *exit)
{
	struct a64_insn insn = { .kind = a->kind == ACT_HVC ? A64_HVC : A64_SMC, .imm16 = a->imm };

	for (unsigned i = 0; i < 4; i++)
		c->x[i] = a->args[i];
	if (a->kind == ACT_HVC)
		c->pc += 4; /* ELR_EL2 points past an HVC; a trapped SMC stays on it */
	return trap(e, exit, a64_trap_esr(&insn, 0), 0, 0);
}

static int do_expect(struct guest_ctx *c, struct engine_vcpu *e, const struct action *a)
{
	switch (a->kind) {
	case ACT_EXPECT_REG:
		if (get_x(c, a->reg) != a->value)
			fail(e, a->line, "expected x%u == 0x%llx, got 0x%llx", a->reg,
			     (unsigned long long)a->value, (unsigned long long)get_x(c, a->reg));
		break;
	case ACT_EXPECT_ABORT:
	case ACT_EXPECT_UNDEF: {
		enum exc want = a->kind == ACT_EXPECT_ABORT ? EXC_ABORT : EXC_UNDEF;
		if (e->last_exc != want)
			fail(e, a->line, "expected %s, none was taken",
			     want == EXC_ABORT ? "an abort" : "an undefined-instruction exception");
		e->last_exc = EXC_NONE;
		break;
	}
	case ACT_EXPECT_IRQ:
		if (e->last_irq != (int)a->value)
			fail(e, a->line, "expected interrupt %llu, last was %d",
			     (unsigned long long)a->value, e->last_irq);
		break;
	case ACT_EXPECT_EXITS:
		if (e->res.traps > a->value)
			fail(e, a->line, "expected at most %llu exits, the program made %llu",
			     (unsigned long long)a->value, (unsigned long long)e->res.traps);
		break;
	default:
		break;
	}
	advance(c, e);
	return 0;
}

/* The end of a program: "1: wfi; b 1b". The PC is put back on the WFI every time it
 * completes, so a WFI that does not block (an interrupt pending but masked) never
 * walks the PC off the program. */
static int wait_forever(struct guest_ctx *c, struct engine_vcpu *e, struct guest_exit *exit)
{
	struct a64_insn wfi = { .kind = A64_WFI };

	c->pc = e->end_pc;
	e->act_pc = e->end_pc + 4; /* after the WFI completes the PC is there: no restart */
	return trap(e, exit, a64_trap_esr(&wfi, 0), 0, 0);
}

static int run_action(struct guest_ctx *c, struct engine_vcpu *e, struct guest_exit *exit)
{
	const struct action *a = &e->acts[e->idx];
	struct a64_insn wfx = { .kind = A64_WFI };

	switch (a->kind) {
	case ACT_LOAD:
	case ACT_STORE:
	case ACT_WAIT64: return do_ldst(c, e, a, exit);
	case ACT_HVC:
	case ACT_SMC: return do_call(c, e, a, exit);
	case ACT_WFI:
		/* HCR_EL2.TWI traps only a WFI that would wait: with a virtual interrupt
		 * pending in a list register (masked or not) it completes at once. Only one
		 * the CPU interface signals counts: none while ICH_HCR_EL2.En is clear. */
		if (engine_highest_pending_lr(c) >= 0) {
			advance(c, e);
			return 0;
		}
		return trap(e, exit, a64_trap_esr(&wfx, 0), 0, 0);
	case ACT_WFE:
		if (wfe(c, e, exit))
			return 1;
		advance(c, e);
		return 0;
	case ACT_MSR:
	case ACT_MRS: return do_sysreg(c, e, a, exit);
	case ACT_SET_REG:
		set_x(c, a->reg, a->value);
		advance(c, e);
		return 0;
	case ACT_WAIT_IRQ:
		if (e->res.irqs_taken > e->wait_base) {
			advance(c, e);
			return 0;
		}
		c->pstate &= ~PSR_I; /* unmask, then wait */
		return trap(e, exit, a64_trap_esr(&wfx, 0), 0, 0);
	case ACT_MASK_IRQ:
	case ACT_UNMASK_IRQ:
		c->pstate = a->kind == ACT_MASK_IRQ ? c->pstate | PSR_I : c->pstate & ~PSR_I;
		advance(c, e);
		return 0;
	case ACT_VTIMER:
		c->x[1] = engine_counter() - c->cntvoff_el2 + a->value;
		c->el1[CNTV_CVAL_EL0] = c->x[1];
		c->el1[CNTV_CTL_EL0] = 1;
		c->vtimer_written = 1;
		advance(c, e);
		return 0;
	case ACT_SPIN:
		if (e->spin_left == 0)
			e->spin_left = a->value + 1;
		if (--e->spin_left == 0)
			advance(c, e);
		return 0;
	case ACT_END:
		__atomic_store_n(&e->res.finished, true, __ATOMIC_RELEASE);
		e->end_pc = c->pc;
		e->idx = e->n;
		return wait_forever(c, e, exit);
	default:
		return do_expect(c, e, a);
	}
}

/* A waiting action whose trapped instruction the hypervisor completed goes round its
 * loop again: a WFI woken without an interrupt, or an emulated load (MMIO) that read
 * another value than the one awaited. */
static bool waits_on(const struct guest_ctx *c, struct engine_vcpu *e, const struct action *a)
{
	if (a->kind == ACT_WAIT_IRQ)
		return e->res.irqs_taken == e->wait_base;
	if (a->kind != ACT_WAIT64 || wait_satisfied(c, a))
		return false;
	e->res.wait_loops++;
	return true;
}

/* Line the engine's view of the program up with the PC the hypervisor left. */
/* A PC only a debugger leaves: while one is attached (MDCR_EL2.TDE), a 4-aligned
 * address of the program other than its entry (a CPU_ON there still restarts it). */
static bool jumped(const struct guest_ctx *c, const struct engine_vcpu *e)
{
	return (c->mdcr_el2 & MDCR_TDE) && e->entry_pc != ~0ull && c->pc > e->entry_pc &&
	       c->pc < e->entry_pc + 4ull * e->n && !((c->pc - e->entry_pc) & 3);
}

static void follow_pc(struct guest_ctx *c, struct engine_vcpu *e)
{
	bool on_end = e->idx >= e->n && c->pc == e->end_pc; /* on the final WFI: not new */

	if (e->trapped && c->pc == e->act_pc + 4 && e->idx < e->n) {
		const struct action *a = &e->acts[e->idx];
		if (waits_on(c, e, a)) {
			c->pc = e->act_pc; /* back to the loop's first instruction */
		} else {
			e->idx++;
			e->act_pc += 4;
		}
	} else if (c->pc != e->act_pc && !on_end && jumped(c, e)) {
		/* A debugger moved the PC within the program: the action there is next. */
		e->idx = (unsigned)((c->pc - e->entry_pc) / 4);
		e->act_pc = c->pc;
		e->spin_left = 0;
	} else if (c->pc != e->act_pc && !on_end) {
		e->idx = 0; /* entered afresh (boot, CPU_ON) */
		e->act_pc = c->pc;
		e->entry_pc = c->pc;
		e->end_pc = NO_END;
		e->last_exc = EXC_NONE;
		__atomic_store_n(&e->res.started, true, __ATOMIC_RELEASE);
		engine_place(c, e->acts, e->n);
	}
	e->trapped = false;
	if (e->idx < e->n && e->acts[e->idx].kind == ACT_WAIT_IRQ && e->spin_left == 0)
		e->wait_base = e->res.irqs_taken;
}

/* A BRK fetched at the PC (Arm ARM D2, "Breakpoint Instruction exceptions"): EC 0x3C
 * with its imm16, the preferred return address the BRK itself. To EL2 with
 * MDCR_EL2.TDE (FAR_EL2 0, the PC left on it); else the guest's own, at EL1. */
static int do_brk(struct guest_ctx *c, struct engine_vcpu *e, uint32_t word,
		  struct guest_exit *exit)
{
	uint64_t esr = ((uint64_t)EC_BRK64 << ESR_EC_SHIFT) | ESR_IL | A64_BRK_IMM(word);

	if (c->mdcr_el2 & MDCR_TDE)
		return trap(e, exit, esr, 0, 0);
	local_exception(c, e, esr);
	return 0;
}

/* Past the last action: the final "wfi; b 1b", which a BRK may replace too. A program
 * without END ends where its actions do; where the walk finds no code the WFI is
 * assumed, as before the engine fetched. */
static int at_end(struct guest_ctx *c, struct engine_vcpu *e, struct guest_exit *exit)
{
	paddr_t pa;

	if (e->end_pc == NO_END)
		e->end_pc = c->pc;
	c->pc = e->end_pc;
	if (engine_s2_walk(c->vttbr_el2, c->vtcr_el2, flat_ipa(c->pc), ACC_X, &pa) == 0) {
		uint32_t word = engine_fetch(pa, a64_enc_wfi());
		if (engine_is_brk(word))
			return do_brk(c, e, word, exit);
	}
	return wait_forever(c, e, exit);
}

/* One step: an exception handler, an interrupt taken, an action, one round of a spin or
 * of a wait loop, or the final WFI. 1 and *exit if it trapped to EL2. */
static int run_step(struct guest_ctx *c, struct engine_vcpu *e, struct guest_exit *exit)
{
	e->res.steps++;
	if (exception_taken(c, e))
		return 0;
	/* The engine's handler stands for one that quiets its source before the EOI; it
	 * does not, so a level-sensitive line is still high when its EOI maintenance
	 * interrupt has the host sample it again: the guest runs one action after each
	 * such exit before it takes an interrupt again, and so makes progress. */
	int maintenance = e->eoi_exit ? 0 : engine_maintenance_due(c);
	if (maintenance) {
		e->eoi_exit = maintenance == ENGINE_MAINTENANCE_EOI;
		*exit = (struct guest_exit){ .type = TRAP_IRQ }; /* the host refills the LRs */
		return 1;
	}
	if (!e->eoi_exit && !(c->pstate & PSR_I) && engine_highest_pending_lr(c) >= 0) {
		take_irq(c, e);
		return 0;
	}
	e->eoi_exit = false;
	follow_pc(c, e);
	if (e->idx >= e->n)
		return at_end(c, e, exit);
	paddr_t pa;
	int fsc = engine_s2_walk(c->vttbr_el2, c->vtcr_el2, flat_ipa(c->pc), ACC_X, &pa);
	if (fsc) /* fetching the "instruction" itself faults: an instruction abort */
		return trap(e, exit, ((uint64_t)EC_IABT_LOW << ESR_EC_SHIFT) | ESR_IL | (unsigned)fsc,
			    c->pc, c->pc);
	uint32_t word = engine_fetch(pa, engine_action_word(&e->acts[e->idx]));
	if (engine_is_brk(word))
		return do_brk(c, e, word, exit);
	return run_action(c, e, exit);
}

/* The software step exception (Arm ARM D2.12), from a lower EL: EX 0 (no step is of a
 * load-exclusive), the PC where the next step would begin. Not a trap of action idx: a
 * hypervisor's view of whether that action completed stays as it was. */
static int step_exception(struct engine_vcpu *e, struct guest_exit *exit)
{
	bool trapped = e->trapped;

	trap(e, exit, ((uint64_t)EC_SSTEP_LOW << ESR_EC_SHIFT) | ESR_IL | ISS_SSTEP_ISV |
			      ISS_SSTEP_IFSC, 0, 0);
	e->trapped = trapped;
	return 1;
}

static int engine_step(struct guest_ctx *c, struct guest_exit *exit, void *arg)
{
	unsigned vmid = (unsigned)(c->vttbr_el2 >> 48);
	unsigned vcpu = vcpu_index_of_mpidr(c->vmpidr_el2);
	(void)arg;

	if (vmid >= ENGINE_MAX_VMS || vcpu >= ENGINE_MAX_VCPUS || !vcpus[vmid][vcpu].loaded) {
		struct a64_insn wfi = { .kind = A64_WFI };
		uint64_t esr = a64_trap_esr(&wfi, 0);
		*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = esr,
					     .hpfar = hpfar_for(esr, 0, vmid) };
		return 1; /* no program: a guest that only waits */
	}
	struct engine_vcpu *e = &vcpus[vmid][vcpu];
	if (!stepping(c))
		return run_step(c, e, exit);
	/* Active-pending (PSTATE.SS 0): the step exception before anything else. */
	if (!(c->pstate & PSR_SS))
		return step_exception(e, exit);
	/* Active-not-pending: one step. Completed at EL1 (an exception entry there
	 * included), the state machine goes to active-pending and the step exception is
	 * taken at once. A trap to EL2 keeps SPSR_EL2.SS = 1, the instruction having not
	 * completed, except an HVC, which completes as it traps (ELR_EL2 past it). */
	int r = run_step(c, e, exit);
	if (!r || (exit->type == TRAP_SYNC && ESR_EC(exit->esr) == EC_HVC64))
		c->pstate &= ~PSR_SS;
	return r ? r : step_exception(e, exit);
}

void engine_install(void)
{
	memset(vcpus, 0, sizeof(vcpus));
	engine_phys_regs_reset();
	hal_sim_set_guest(engine_step, NULL);
}

int engine_load(unsigned vmid, unsigned vcpu, const struct engine_program *prog)
{
	if (vmid >= ENGINE_MAX_VMS || vcpu >= ENGINE_MAX_VCPUS || !prog)
		return -EINVAL;
	struct engine_vcpu *e = &vcpus[vmid][vcpu];
	*e = (struct engine_vcpu){ .acts = prog->acts, .n = prog->n, .loaded = true, .last_irq = -1,
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
