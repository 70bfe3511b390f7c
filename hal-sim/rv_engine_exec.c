/* The riscv64 engine's actions (see rv_engine.h): loads, stores, AMOs, LR/SC, CSR
 * accesses, ECALL, WFI, SFENCE.VMA, the timer and the checks, each run as the RV64
 * instruction it stands for would run on a VS-mode hart, raising what that instruction
 * raises (rv_engine.c delivers it: to the guest by hedeleg, else to HS). */
#include <stdio.h>

#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "hal-sim/rv_engine.h"
#include "hal-sim/rv_engine_internal.h"
#include "hal/mm.h"

#define SBI_EXT_TIME 0x54494D45ull

/* Aligned accesses of 1-8 bytes are single-copy atomic: other harts poll them. */
static uint64_t mem_load(const void *p, unsigned width)
{
	switch (width) {
	case 1: return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
	case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
	case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	}
}

static void mem_store(void *p, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: __atomic_store_n((uint8_t *)p, (uint8_t)v, __ATOMIC_RELAXED); break;
	case 2: __atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED); break;
	case 4: __atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED); break;
	default: __atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED); break;
	}
}

static uint64_t sext(uint64_t v, unsigned width)
{
	unsigned bits = 8 * width;

	return bits < 64 && ((v >> (bits - 1)) & 1) ? v | (~0ull << bits) : v;
}

/* An AMO, LR or SC on host memory p (A extension): rd gets the old value (.W sign
 * extended), SC 0 on success and 1 on failure. */
static void do_amo(struct guest_ctx *c, struct rv_vcpu *e, const struct rv_op *o, void *p,
		   uint64_t addr)
{
	unsigned width = 1u << o->size;
	uint64_t v = rv_get_x(c, o->rs2), old;

	switch (o->amo) {
	case RV_AMO_SWAP:
		old = width == 4 ? __atomic_exchange_n((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST)
				 : __atomic_exchange_n((uint64_t *)p, v, __ATOMIC_SEQ_CST);
		break;
	case RV_AMO_ADD:
		old = width == 4 ? __atomic_fetch_add((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST)
				 : __atomic_fetch_add((uint64_t *)p, v, __ATOMIC_SEQ_CST);
		break;
	case RV_AMO_LR:
		old = mem_load(p, width);
		e->resv = true;
		e->resv_addr = addr;
		break;
	default: /* SC: the reservation is this hart's last LR of that address */
		old = !(e->resv && e->resv_addr == addr);
		if (!old)
			mem_store(p, width, v);
		e->resv = false;
		rv_set_x(c, o->rd, old);
		return;
	}
	rv_set_x(c, o->rd, sext(old, width));
}

/* A load, store or AMO of action a, its address in rs1: 0 done, 1 trapped to HS, -1
 * the guest took an exception (its handler ran). */
int rv_mem_access(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a,
		      struct guest_exit *x)
{
	const struct rv_op *o = &a->rv;
	uint64_t addr = rv_get_x(c, o->rs1), hpa;
	unsigned width = 1u << (o->size & 3);
	bool amo = a->kind == ACT_RV_AMO;
	bool store = a->kind == ACT_STORE || (amo && o->amo != RV_AMO_LR);
	struct rv_fault f;
	void *host;

	if (addr & (width - 1)) /* misaligned: 4, or 6 for a store, AMO or SC */
		return rv_raise(c, e, x, store ? CAUSE_MISALIGNED_STORE : CAUSE_MISALIGNED_LOAD,
				 addr, true, 0, rv_htinst_of(a)) ? 1 : -1;
	if (rv_translate(c, addr, store ? RV_ACC_STORE : RV_ACC_LOAD, &hpa, &f))
		return rv_xlate_fault(c, e, x, &f, addr, rv_htinst_of(a)) ? 1 : -1;
	if (hal_phys_to_virt(pa_make(hpa), width, &host))
		return rv_raise(c, e, x, store ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS, addr,
				 true, 0, rv_htinst_of(a)) ? 1 : -1;
	if (amo)
		do_amo(c, e, o, host, addr);
	else if (store)
		mem_store(host, width, rv_get_x(c, o->rs2));
	else
		rv_set_x(c, o->rd, o->sign ? sext(mem_load(host, width), width) : mem_load(host, width));
	return 0;
}

bool rv_wait_satisfied(const struct guest_ctx *c, const struct action *a)
{
	return ((rv_get_x(c, a->rv.rd) ^ a->value) & ~a->ignore) == 0;
}

static int do_mem(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a,
		  struct guest_exit *x)
{
	rv_set_x(c, a->rv.rs1, a->addr);
	if (a->kind == ACT_STORE || a->kind == ACT_RV_AMO)
		rv_set_x(c, a->rv.rs2, a->value);
	int r = rv_mem_access(c, e, a, x);
	if (r)
		return r > 0;
	if (a->kind == ACT_WAIT64 && !rv_wait_satisfied(c, a)) {
		e->res.wait_loops++; /* "bne t0, VALUE, 1b": load again next step */
		return 0;
	}
	rv_advance(c, e);
	return 0;
}

static int do_csr(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a,
		  struct guest_exit *x)
{
	const struct rv_op *o = &a->rv;
	uint64_t old = 0;

	if (o->write)
		rv_set_x(c, o->rs1, a->value);
	int cause = rv_csr_access(c, o->csr, !o->write, o->write, rv_get_x(c, o->rs1), &old);
	if (cause) /* stval: the instruction (4.1.9) */
		return rv_raise(c, e, x, (unsigned)cause, rv_action_word(c, a), false, 0, 0);
	if (!o->write)
		rv_set_x(c, o->rd, old);
	rv_advance(c, e);
	return 0;
}

static int do_ecall(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a,
		    struct guest_exit *x)
{
	for (unsigned i = 0; i < 8; i++)
		c->x[10 + i] = a->args[i];
	return rv_trap_hs(c, e, x, CAUSE_VIRTUAL_SUPERVISOR_ECALL, 0, false, 0, 0);
}

/* timer TICKS: STIE enabled, then vstimecmp written (Sstc) or SBI set_timer called. */
static int do_timer(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a,
		    struct guest_exit *x)
{
	uint64_t when = rv_guest_time(c) + a->value;

	if (c->csr[RV_HIDELEG] & MIP_VSTIP)
		c->csr[RV_VSIE] |= MIP_STIP;
	if (c->csr[RV_HENVCFG] & ENVCFG_STCE) {
		rv_set_x(c, a->rv.rs1, when);
		c->csr[RV_VSTIMECMP] = when;
		c->vtimer_written = 1;
		rv_advance(c, e);
		return 0;
	}
	struct action call = { .kind = ACT_RV_ECALL, .args = { when, 0, 0, 0, 0, 0, 0, SBI_EXT_TIME } };
	return do_ecall(c, e, &call, x);
}

/* WFI (8.6.1 and 3.3.3): done if an interrupt is pending and enabled in vsie, whatever
 * SIE says; else with hstatus.VTW a virtual instruction exception, without it a stall
 * (the step ends with the PC on the WFI). 1: trapped, 0: done or stalled. */
int rv_wfi(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x, bool *done)
{
	*done = rv_pending_irq(c, false) >= 0;
	if (*done || !(c->csr[RV_HSTATUS] & HSTATUS_VTW))
		return 0;
	return rv_trap_hs(c, e, x, CAUSE_VIRTUAL_INSTRUCTION, RV_WFI, false, 0, 0);
}

static int do_wfi(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a,
		  struct guest_exit *x)
{
	bool done;

	if (a->kind == ACT_WAIT_IRQ) {
		if (e->res.irqs_taken > e->wait_base) {
			rv_advance(c, e);
			return 0;
		}
		c->csr[RV_VSSTATUS] |= SSTATUS_SIE; /* unmask, then wait */
		if (rv_pending_irq(c, true) >= 0)
			return 0; /* taken at the next step */
	}
	int r = rv_wfi(c, e, x, &done);
	if (done && a->kind == ACT_WFI)
		rv_advance(c, e);
	return r;
}

static int do_sfence(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a,
		     struct guest_exit *x)
{
	const struct rv_op *o = &a->rv;

	if (c->csr[RV_HSTATUS] & HSTATUS_VTVM)
		return rv_raise(c, e, x, CAUSE_VIRTUAL_INSTRUCTION, rv_action_word(c, a), false, 0, 0);
	rv_set_x(c, o->rs1, a->addr);
	rv_set_x(c, o->rs2, a->value);
	rv_tlb_fence_local(c->csr[RV_HGATP], o->rs2 == 0, (uint16_t)rv_get_x(c, o->rs2), o->rs1 == 0,
			   rv_get_x(c, o->rs1));
	rv_advance(c, e);
	return 0;
}

static void do_expect(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a)
{
	switch (a->kind) {
	case ACT_EXPECT_REG:
		if (rv_get_x(c, a->reg) != a->value)
			rv_fail(e, a->line, "expected x%u == 0x%llx, got 0x%llx", a->reg,
			     (unsigned long long)a->value, (unsigned long long)rv_get_x(c, a->reg));
		break;
	case ACT_RV_EXPECT_FAULT:
		if (e->last_cause != (int)a->value)
			rv_fail(e, a->line, "expected exception %llu, last was %d",
			     (unsigned long long)a->value, e->last_cause);
		e->last_cause = -1;
		break;
	case ACT_EXPECT_IRQ:
		if (e->last_irq != a->rv.cause || (a->rv.cause == IRQ_S_EXT && e->last_source != a->value))
			rv_fail(e, a->line, "expected interrupt %u (source %llu), last was %d (source %llu)",
			     a->rv.cause, (unsigned long long)a->value, e->last_irq,
			     (unsigned long long)e->last_source);
		break;
	case ACT_EXPECT_EXITS:
		if (e->res.traps > a->value)
			rv_fail(e, a->line, "expected at most %llu exits, the program made %llu",
			     (unsigned long long)a->value, (unsigned long long)e->res.traps);
		break;
	default:
		break;
	}
	rv_advance(c, e);
}

/* The end of a program: "1: wfi; j 1b". */
int rv_wait_forever(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x)
{
	bool done;

	c->pc = e->end_pc;
	e->act_pc = e->end_pc + 4;
	return rv_wfi(c, e, x, &done);
}

int rv_run_action(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x)
{
	const struct action *a = &e->acts[e->idx];

	switch (a->kind) {
	case ACT_LOAD:
	case ACT_STORE:
	case ACT_WAIT64:
	case ACT_RV_AMO: return do_mem(c, e, a, x);
	case ACT_RV_ECALL: return do_ecall(c, e, a, x);
	case ACT_RV_CSR: return do_csr(c, e, a, x);
	case ACT_RV_SFENCE: return do_sfence(c, e, a, x);
	case ACT_VTIMER: return do_timer(c, e, a, x);
	case ACT_WFI:
	case ACT_WAIT_IRQ: return do_wfi(c, e, a, x);
	case ACT_SET_REG:
		rv_set_x(c, a->reg, a->value);
		break;
	case ACT_MASK_IRQ: c->csr[RV_VSSTATUS] &= ~SSTATUS_SIE; break;
	case ACT_UNMASK_IRQ: c->csr[RV_VSSTATUS] |= SSTATUS_SIE; break;
	case ACT_SPIN:
		if (e->spin_left == 0)
			e->spin_left = a->value + 1;
		if (--e->spin_left == 0)
			rv_advance(c, e);
		return 0;
	case ACT_END:
		__atomic_store_n(&e->res.finished, true, __ATOMIC_RELEASE);
		e->end_pc = c->pc;
		e->idx = e->n;
		return rv_wait_forever(c, e, x);
	default:
		do_expect(c, e, a);
		return 0;
	}
	rv_advance(c, e);
	return 0;
}
