/* The aarch64 exit oracle shared by fuzz_aarch64_exit and fuzz_guest_program: what a
 * hypervisor may do to a vCPU's registers between the trap and the next entry, worked
 * out from the trap state and the architecture alone (Arm DDI 0487: D1.10 exception
 * entry, D19.2 ESR_EL2/ESR_EL1 syndromes; SMCCC DEN 0028; PSCI DEN 0022), never from
 * what Tandem decided. After an exit the PC
 *   - stays (the exit is retried, or ELR_EL2 already points past an HVC),
 *   - steps over the trapping instruction (ESR_EL2.IL: 4 bytes, or 2 for a 16-bit T32
 *     instruction from AArch32), where that exit class can complete, or
 *   - is at the vector VBAR_EL1 + 0x000/0x200/0x400/0x600 (by where the exception came
 *     from: EL1t, EL1h, AArch64 EL0, AArch32 EL0) + 0x000 for an injected synchronous
 *     exception (+0x080 IRQ, +0x100 FIQ, +0x180 SError, each only if the guest had it
 *     unmasked), with the exception entry state right (ELR_EL1, SPSR_EL1, ESR_EL1,
 *     FAR_EL1, PSTATE EL1h with DAIF masked);
 * or the vCPU restarts at a PSCI CPU_ON entry point or the reset vector, which the
 * caller checks with oracle_start. Only the registers that exit class may write
 * change: X0-X3 for an SMCCC call (with a legal PSCI return value), Rt for an
 * emulated load or MRS (holding a correctly extended value), the exception registers
 * for an injection; HCR_EL2 only in its WFx trap controls (and VSE on an SError); the
 * list registers and ICH_HCR_EL2 (the vGIC's) freely; nothing else. */
#ifndef FUZZ_EXIT_ORACLE_H
#define FUZZ_EXIT_ORACLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arch/aarch64/ctx.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"

#define ORACLE_MSG 256
#define ORACLE_DAIF (PSR_D | PSR_A | PSR_I | PSR_F)
#define ORACLE_EL1H_MASKED (PSR_MODE_EL1h | ORACLE_DAIF)

/* What an exit may end in. */
enum {
	ORACLE_STAY = 1 << 0,
	ORACLE_STEP = 1 << 1,
	ORACLE_UNDEF = 1 << 2, /* synchronous, EC_UNKNOWN */
	ORACLE_DABT = 1 << 3,  /* synchronous, data abort */
	ORACLE_IABT = 1 << 4,  /* synchronous, instruction abort */
	ORACLE_SERROR = 1 << 5,
	ORACLE_DEBUG = 1 << 6, /* synchronous, the debug exception given back as the guest's
				* EL1 would have taken it: a BRK with its syndrome, a software
				* step as 0x32 (from EL0) or 0x33 (from EL1) */
};

struct oracle_rule {
	unsigned outcomes;
	uint32_t gpr_may;     /* X registers a completed (stay / step) exit may write */
	uint64_t sync_elr;    /* ELR_EL1 of an injected synchronous exception */
	bool vse_may;         /* HCR_EL2.VSE may be set */
	int load_rt;          /* an emulated load into this register, or -1 */
	uint32_t el1_may;     /* EL1 registers (1 << index) an emulated MSR may write */
	uint64_t iss;
};

static inline int oracle_fail(char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int oracle_fail(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, ORACLE_MSG, fmt, ap);
	va_end(ap);
	return -1;
}

/* With HCR_EL2.RW set, EL1 is AArch64: AArch32 state is EL0 (User mode) only. */
static inline bool oracle_mode_legal(uint64_t pstate)
{
	uint64_t m = pstate & PSR_MODE_MASK;

	if (m & PSR_MODE_AARCH32)
		return m == 0x10;
	return m == PSR_MODE_EL0t || m == PSR_MODE_EL1t || m == PSR_MODE_EL1h;
}

static inline bool oracle_from_lower(uint64_t pstate)
{
	uint64_t m = pstate & PSR_MODE_MASK;

	return (m & PSR_MODE_AARCH32) || m == PSR_MODE_EL0t;
}

/* D1.10.2: the vector group by where the exception came from. */
static inline uint64_t oracle_vector_group(uint64_t pstate)
{
	uint64_t m = pstate & PSR_MODE_MASK;

	if (m & PSR_MODE_AARCH32)
		return VEC_LOWER_A32;
	if (m == PSR_MODE_EL0t)
		return VEC_LOWER_A64;
	return m == PSR_MODE_EL1t ? VEC_CUR_SP0 : VEC_CUR_SPX;
}

/* The SMCCC function of an HVC or SMC #0 trap, or 0: bits 63:32 of X0 must be zero. */
static inline uint32_t oracle_smccc_fid(const struct guest_ctx *before, const struct guest_exit *t)
{
	uint64_t ec = ESR_EC(t->esr);

	if (t->type != TRAP_SYNC || (ec != EC_HVC64 && ec != EC_SMC64) || ISS_IMM16(ESR_ISS(t->esr)) ||
	    (before->x[0] >> 32))
		return 0;
	return (uint32_t)before->x[0];
}

static inline struct oracle_rule oracle_rule_of(const struct guest_ctx *before,
						const struct guest_exit *t)
{
	uint64_t iss = ESR_ISS(t->esr);
	struct oracle_rule r = { .outcomes = ORACLE_UNDEF, .sync_elr = before->pc, .load_rt = -1,
				 .iss = iss };

	if (t->type == TRAP_IRQ || t->type == TRAP_FIQ) {
		r.outcomes = ORACLE_STAY;
		return r;
	}
	if (t->type == TRAP_SERROR) {
		r.outcomes = ORACLE_STAY | ORACLE_SERROR;
		r.vse_may = true;
		return r;
	}
	if (t->type != TRAP_SYNC)
		return r;
	switch (ESR_EC(t->esr)) {
	case EC_WFx:
		r.outcomes = ORACLE_STAY | ORACLE_STEP;
		break;
	case EC_HVC64: /* ELR_EL2 is past the HVC: it stays; an UNDEF returns to the HVC */
		r.outcomes = ORACLE_STAY | ORACLE_UNDEF;
		r.gpr_may = 0xF;
		r.sync_elr = before->pc - 4;
		break;
	case EC_SMC64: /* a trapped SMC: stepped over */
		r.outcomes = ORACLE_STEP | ORACLE_UNDEF;
		r.gpr_may = 0xF;
		break;
	case EC_SYS64:
		r.outcomes = ORACLE_STEP | ORACLE_UNDEF;
		if ((iss & ISS_SYS_DIR_READ) && ISS_SYS_RT(iss) != 31)
			r.gpr_may = 1u << ISS_SYS_RT(iss);
		/* MDSCR_EL1 (Op0 2, Op1 0, CRn 0, CRm 2, Op2 2) is trapped by MDCR_EL2.TDA and
		 * emulated in the vCPU's own EL1 context: an MSR to it may change it there. */
		if (!(iss & ISS_SYS_DIR_READ) && ISS_SYS_ID(iss) == SYSREG_ISS(2, 0, 0, 2, 2))
			r.el1_may = 1u << MDSCR_EL1;
		break;
	case EC_DABT_LOW:
		r.outcomes = ORACLE_STAY | ORACLE_DABT;
		if ((iss & ISS_DABT_ISV) && !(iss & ISS_DABT_S1PTW)) {
			r.outcomes |= ORACLE_STEP; /* a fully described access may be emulated */
			if (!(iss & ISS_DABT_WNR) && ISS_DABT_SRT(iss) != 31) {
				r.load_rt = (int)ISS_DABT_SRT(iss);
				r.gpr_may = 1u << r.load_rt;
			}
		}
		break;
	case EC_IABT_LOW:
		r.outcomes = ORACLE_STAY | ORACLE_IABT;
		break;
	case EC_BRK64:
	case EC_SSTEP_LOW:
	case EC_SSTEP_CUR:
		/* With no debugger attached (none is here) it is the guest's own; a stub
		 * would stop the vCPU where it is (stay). */
		r.outcomes = ORACLE_STAY | ORACLE_DEBUG;
		break;
	default:
		break;
	}
	return r;
}

/* An emulated load of SAS bytes into Rt: zero- or (SSE) sign-extended to the register
 * size (SF: X, else W with bits 63:32 zero). */
static inline bool oracle_load_value_legal(uint64_t iss, uint64_t v)
{
	unsigned bits = 8u << ISS_DABT_SAS(iss), regbits = (iss & ISS_DABT_SF) ? 64 : 32;
	uint64_t regmask = regbits == 64 ? ~0ull : 0xFFFFFFFFull;

	if (v & ~regmask)
		return false;
	if (bits >= regbits)
		return true;
	uint64_t high = v & regmask & ~((1ull << bits) - 1);
	if (!(iss & ISS_DABT_SSE) || !((v >> (bits - 1)) & 1))
		return high == 0;
	return high == (regmask & ~((1ull << bits) - 1));
}

/* Legal results of a PSCI or SMCCC architecture call (PSCI 1.1 table 5.1, per function;
 * SMCCC 1.1: an unknown function in these ranges answers NOT_SUPPORTED). 32-bit
 * functions return W0. */
static inline bool oracle_psci_result_legal(uint32_t fid, uint64_t x0)
{
	int64_t r = (fid & (1u << 30)) ? (int64_t)x0 : (int64_t)(int32_t)x0;
	uint32_t base = fid & ~(1u << 30);

	switch (fid) {
	case PSCI_VERSION: case SMCCC_VERSION: return r >= 0x10000 && r <= 0x7FFFFFFF;
	case PSCI_CPU_SUSPEND_32: case PSCI_CPU_SUSPEND_64:
		return r == 0 || r == PSCI_RET_INVALID_PARAMETERS || r == PSCI_RET_DENIED ||
		       r == PSCI_RET_INVALID_ADDRESS;
	case PSCI_CPU_OFF: return r == PSCI_RET_DENIED; /* it returns only if refused */
	case PSCI_CPU_ON_32: case PSCI_CPU_ON_64:
		return r == 0 || r == PSCI_RET_INVALID_PARAMETERS || r == PSCI_RET_ALREADY_ON ||
		       r == PSCI_RET_ON_PENDING || r == PSCI_RET_INTERNAL_FAILURE ||
		       r == PSCI_RET_INVALID_ADDRESS;
	case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64:
		return (r >= 0 && r <= 2) || r == PSCI_RET_INVALID_PARAMETERS || r == -8 /* DISABLED */;
	case PSCI_MIGRATE_INFO_TYPE: return r >= -1 && r <= 2;
	case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: return r == PSCI_RET_DENIED;
	case PSCI_FEATURES: case SMCCC_ARCH_FEATURES: return r >= -1 && r <= 0x7FFFFFFF;
	default:
		if ((base >= 0x84000000u && base <= 0x8400001Fu) || (base >= 0x80000000u && base <= 0x8000FFFFu))
			return r < 0; /* functions this PSCI does not offer refuse, in their way */
		return true;      /* other services: any value */
	}
}

/* The entry of an injected exception at vector offset `type` (D1.10). */
static inline int oracle_exception_entry(const struct guest_ctx *b, const struct guest_exit *t,
					 const struct guest_ctx *a, const struct oracle_rule *r,
					 uint64_t type, char *why)
{
	uint64_t esr1 = a->el1[ESR_EL1], ec1 = ESR_EC(esr1);
	bool lower = oracle_from_lower(b->pstate);

	if ((a->pstate & (PSR_MODE_MASK | ORACLE_DAIF | PSR_IL | PSR_SS)) != ORACLE_EL1H_MASKED)
		return oracle_fail(why, "exception entry left PSTATE 0x%llx, not EL1h with DAIF masked",
				   (unsigned long long)a->pstate);
	if (a->el1[SPSR_EL1] != b->pstate)
		return oracle_fail(why, "SPSR_EL1 0x%llx is not the PSTATE 0x%llx the guest had",
				   (unsigned long long)a->el1[SPSR_EL1], (unsigned long long)b->pstate);
	if (type != VEC_SYNC) /* asynchronous: it returns to where the guest goes on */
		return a->el1[ELR_EL1] == b->pc || a->el1[ELR_EL1] == b->pc + 4
			       ? 0
			       : oracle_fail(why, "ELR_EL1 0x%llx of an interrupt taken at 0x%llx",
					     (unsigned long long)a->el1[ELR_EL1], (unsigned long long)b->pc);
	if (a->el1[ELR_EL1] != r->sync_elr)
		return oracle_fail(why, "ELR_EL1 0x%llx, the trapping instruction is at 0x%llx",
				   (unsigned long long)a->el1[ELR_EL1], (unsigned long long)r->sync_elr);
	if (!(esr1 & ESR_IL))
		return oracle_fail(why, "ESR_EL1 0x%llx: IL clear", (unsigned long long)esr1);
	if ((r->outcomes & ORACLE_UNDEF) && esr1 == (((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL))
		return 0;
	if (r->outcomes & ORACLE_DEBUG) {
		uint64_t want = ESR_EC(t->esr) == EC_BRK64 ? EC_BRK64
				: lower			    ? EC_SSTEP_LOW
							    : EC_SSTEP_CUR;
		if (ec1 == want && ESR_ISS(esr1) == ESR_ISS(t->esr))
			return 0;
	}
	bool abort_ok = (r->outcomes & ORACLE_DABT) && ec1 == (lower ? EC_DABT_LOW : EC_DABT_CUR);
	abort_ok = abort_ok || ((r->outcomes & ORACLE_IABT) && ec1 == (lower ? EC_IABT_LOW : EC_IABT_CUR));
	if (!abort_ok)
		return oracle_fail(why, "injected ESR_EL1 0x%llx (EC 0x%llx) after trap ESR_EL2 0x%llx from %s",
				   (unsigned long long)esr1, (unsigned long long)ec1,
				   (unsigned long long)t->esr, lower ? "a lower EL" : "EL1");
	if (a->el1[FAR_EL1] != t->far)
		return oracle_fail(why, "abort's FAR_EL1 0x%llx, the fault was at 0x%llx",
				   (unsigned long long)a->el1[FAR_EL1], (unsigned long long)t->far);
	return 0;
}

/* One reading of where the PC went (a guest at its own vector address can look as if
 * it stayed): 0 if this reading holds, with *vector set if it is an injection; 1 if the
 * PC does not fit it at all. */
static inline int oracle_pc_as(int reading, const struct guest_ctx *b, const struct guest_exit *t,
			       const struct guest_ctx *a, const struct oracle_rule *r, bool *vector,
			       char *why)
{
	uint64_t len = (t->esr & ESR_IL) ? 4 : 2;
	uint64_t base = b->el1[VBAR_EL1] + oracle_vector_group(b->pstate);

	*vector = reading > 1;
	switch (reading) {
	case 0: return a->pc == b->pc && (r->outcomes & ORACLE_STAY) ? 0 : 1;
	case 1: return t->type == TRAP_SYNC && a->pc == b->pc + len && (r->outcomes & ORACLE_STEP) ? 0 : 1;
	case 2:
		if (a->pc != base + VEC_SYNC ||
		    !(r->outcomes & (ORACLE_UNDEF | ORACLE_DABT | ORACLE_IABT | ORACLE_DEBUG)))
			return 1;
		return oracle_exception_entry(b, t, a, r, VEC_SYNC, why);
	case 3:
		if (a->pc != base + VEC_IRQ || (b->pstate & PSR_I))
			return 1;
		return oracle_exception_entry(b, t, a, r, VEC_IRQ, why);
	case 4:
		if (a->pc != base + VEC_FIQ || (b->pstate & PSR_F))
			return 1;
		return oracle_exception_entry(b, t, a, r, VEC_FIQ, why);
	default:
		if (a->pc != base + VEC_SERROR || !(r->outcomes & ORACLE_SERROR) || (b->pstate & PSR_A))
			return 1;
		return oracle_exception_entry(b, t, a, r, VEC_SERROR, why);
	}
}

static const char *const oracle_el1_names[EL1_SYSREG_COUNT] = {
	"SCTLR", "ACTLR", "CPACR", "TTBR0", "TTBR1", "TCR", "ESR", "AFSR0", "AFSR1", "FAR",
	"MAIR", "AMAIR", "VBAR", "CONTEXTIDR", "TPIDR_EL0", "TPIDRRO_EL0", "TPIDR_EL1", "PAR",
	"CNTKCTL", "CSSELR", "MDSCR", "ELR", "SPSR", "SP_EL0", "SP_EL1", "CNTV_CTL", "CNTV_CVAL",
};

/* Everything but the PC, PSTATE and the registers the outcome may write is as it was. */
static inline int oracle_unchanged(const struct guest_ctx *b, const struct guest_ctx *a,
				   const struct oracle_rule *r, bool vector, char *why)
{
	uint32_t gpr_may = vector ? 0 : r->gpr_may;
	uint64_t hcr_may = HCR_TWE | HCR_TWI | (r->vse_may ? HCR_VSE : 0);

	for (unsigned i = 0; i < 31; i++)
		if (a->x[i] != b->x[i] && !(gpr_may & (1u << i)))
			return oracle_fail(why, "X%u changed 0x%llx -> 0x%llx", i, (unsigned long long)b->x[i],
					   (unsigned long long)a->x[i]);
	if (!vector && a->pstate != b->pstate)
		return oracle_fail(why, "PSTATE changed 0x%llx -> 0x%llx without an exception",
				   (unsigned long long)b->pstate, (unsigned long long)a->pstate);
	for (unsigned i = 0; i < EL1_SYSREG_COUNT; i++) {
		bool entry_reg = i == ESR_EL1 || i == ELR_EL1 || i == SPSR_EL1 || i == FAR_EL1;
		bool written = !vector && (r->el1_may & (1u << i));
		if (a->el1[i] != b->el1[i] && !(vector && entry_reg) && !written)
			return oracle_fail(why, "%s_EL1 changed 0x%llx -> 0x%llx", oracle_el1_names[i],
					   (unsigned long long)b->el1[i], (unsigned long long)a->el1[i]);
	}
	if (memcmp(&a->fp, &b->fp, sizeof(a->fp)))
		return oracle_fail(why, "FP/SIMD registers changed");
	if ((a->hcr_el2 ^ b->hcr_el2) & ~hcr_may)
		return oracle_fail(why, "HCR_EL2 changed 0x%llx -> 0x%llx", (unsigned long long)b->hcr_el2,
				   (unsigned long long)a->hcr_el2);
	if (a->vmpidr_el2 != b->vmpidr_el2 || a->vpidr_el2 != b->vpidr_el2 ||
	    a->vttbr_el2 != b->vttbr_el2 || a->vtcr_el2 != b->vtcr_el2 || a->cntvoff_el2 != b->cntvoff_el2)
		return oracle_fail(why, "an EL2 control of the vCPU (VMPIDR, VPIDR, VTTBR, VTCR, CNTVOFF) changed");
	if (a->ich_vmcr != b->ich_vmcr || memcmp(a->ich_ap0r, b->ich_ap0r, sizeof(a->ich_ap0r)) ||
	    memcmp(a->ich_ap1r, b->ich_ap1r, sizeof(a->ich_ap1r)))
		return oracle_fail(why, "the guest's GIC CPU interface state (VMCR, APRs) changed");
	return 0;
}

/* The rest of one reading: registers, results, loaded values. */
static inline int oracle_regs(const struct guest_ctx *before, const struct guest_exit *t,
			      const struct guest_ctx *after, const struct oracle_rule *r, bool vector,
			      char *why)
{
	if (oracle_unchanged(before, after, r, vector, why))
		return -1;
	if (vector)
		return 0;
	uint32_t fid = oracle_smccc_fid(before, t);
	if (fid && !oracle_psci_result_legal(fid, after->x[0]))
		return oracle_fail(why, "SMCCC function 0x%x returned 0x%llx, not one of its results", fid,
				   (unsigned long long)after->x[0]);
	if (r->load_rt >= 0 && after->pc != before->pc && !oracle_load_value_legal(r->iss, after->x[r->load_rt]))
		return oracle_fail(why, "emulated load (ISS 0x%llx) left X%d = 0x%llx: not extended as its size says",
				   (unsigned long long)r->iss, r->load_rt, (unsigned long long)after->x[r->load_rt]);
	return 0;
}

/* One exit: before is the context the guest trapped with, t the trap state (an IRQ
 * exit where the caller saw none but the host may have taken one), after the context
 * it is entered with next. 0 if the architecture allows it (in some reading of where
 * the PC went); else -1 and why. */
static inline int oracle_exit(const struct guest_ctx *before, const struct guest_exit *t,
			      const struct guest_ctx *after, char why[ORACLE_MSG])
{
	struct oracle_rule r = oracle_rule_of(before, t);
	bool fits = false;

	for (int reading = 0; reading < 6; reading++) {
		bool vector;
		int err = oracle_pc_as(reading, before, t, after, &r, &vector, why);
		if (err > 0)
			continue;
		fits = true;
		if (err == 0 && oracle_regs(before, t, after, &r, vector, why) == 0)
			return 0;
	}
	if (!fits)
		oracle_fail(why, "PC 0x%llx -> 0x%llx after trap type %d ESR_EL2 0x%llx (PSTATE 0x%llx, "
			    "VBAR_EL1 0x%llx): neither stay, step of %u nor its vector",
			    (unsigned long long)before->pc, (unsigned long long)after->pc, (int)t->type,
			    (unsigned long long)t->esr, (unsigned long long)before->pstate,
			    (unsigned long long)before->el1[VBAR_EL1], (t->esr & ESR_IL) ? 4u : 2u);
	return -1;
}

/* A fresh start (PSCI CPU_ON, the boot entry): at entry, X0 the context id, the other
 * general-purpose registers zero, EL1h with DAIF masked (PSCI 1.1 6.4.3). */
static inline int oracle_start(const struct guest_ctx *c, uint64_t entry, uint64_t ctx_id,
			       char why[ORACLE_MSG])
{
	if (c->pc != entry || c->x[0] != ctx_id)
		return oracle_fail(why, "started at 0x%llx with X0 0x%llx; the call said 0x%llx, 0x%llx",
				   (unsigned long long)c->pc, (unsigned long long)c->x[0],
				   (unsigned long long)entry, (unsigned long long)ctx_id);
	for (unsigned i = 1; i < 31; i++)
		if (c->x[i])
			return oracle_fail(why, "started with X%u = 0x%llx", i, (unsigned long long)c->x[i]);
	if ((c->pstate & (PSR_MODE_MASK | ORACLE_DAIF)) != ORACLE_EL1H_MASKED)
		return oracle_fail(why, "started with PSTATE 0x%llx", (unsigned long long)c->pstate);
	return 0;
}

/* A state the vCPU may be in at an entry: a legal mode for an AArch64 EL1 (HCR_EL2.RW),
 * stage 2 on, the trap controls a guest of Tandem always runs with. */
static inline int oracle_legal(const struct guest_ctx *c, char why[ORACLE_MSG])
{
	uint64_t always = HCR_VM | HCR_IMO | HCR_FMO | HCR_AMO | HCR_TSC | HCR_RW;

	if (!oracle_mode_legal(c->pstate))
		return oracle_fail(why, "PSTATE 0x%llx: no such mode with EL1 in AArch64",
				   (unsigned long long)c->pstate);
	if ((c->hcr_el2 & always) != always)
		return oracle_fail(why, "HCR_EL2 0x%llx lost a control every guest runs with",
				   (unsigned long long)c->hcr_el2);
	return 0;
}

#endif
