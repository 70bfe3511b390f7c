/* A64 instruction words for the instructions a guest traps with, and the ESR_EL2 the
 * hardware reports for each. Encodings from the Arm ARM (DDI 0487): C4.1 (encoding index),
 * C6.2 (LDR/STR/LDRS* immediate unsigned offset, register offset and literal, LDUR/STUR,
 * LDTR/STTR, LDAR/STLR, HVC, SMC, WFI, WFE, MSR/MRS register); ISS layouts from D19.2
 * (ESR_EL2). Pure functions: no state, no libc, nothing a bad word or a bad struct can do
 * but get -EINVAL, A64_UNKNOWN or 0. */
#include "arch/aarch64/a64.h"

#include "arch/aarch64/sysreg.h"
#include "hal/err.h"

/* Load/store register (unsigned immediate), C4.1.66: size[31:30] 111 V=0 01
 * opc[23:22] imm12[21:10] Rn[9:5] Rt[4:0]. */
#define LDST_UIMM_BASE  0x39000000u
#define LDST_UIMM_MASK  0x3F000000u /* bits 29:24, including V (bit 26) = 0 */
#define LDST_OPC_STR    0x0u
#define LDST_OPC_LDR    0x1u
#define LDST_OPC_LDRS_X 0x2u
#define LDST_OPC_LDRS_W 0x3u

/* The other single-register forms of C4.1.66 with a valid data abort syndrome: size[31:30]
 * 111 V=0 00 opc[23:22] then bit 21 and bits 11:10 pick the form. "Load/store register
 * (register offset)": bit 21 = 1, 11:10 = 10, option[15:13] S[12] Rm[20:16]; option<1> = 0
 * is unallocated. "(unscaled immediate)": bit 21 = 0, 11:10 = 00, imm9[20:12].
 * "(unprivileged)": bit 21 = 0, 11:10 = 10. 11:10 = 01 and 11 are post- and pre-index:
 * writeback, so ISV = 0 (D19.2) and no syndrome to classify. */
#define LDST_IDX_BASE   0x38000000u
#define LDST_IDX_MASK   0x3F200C00u /* bits 29:24 (V included), 21, 11:10 */
#define LDST_REGOFF     0x00200800u
#define LDST_UNSCALED   0x00000000u
#define LDST_UNPRIV     0x00000800u
#define LDST_OPTION_1   (1u << 14)

/* "Load register (literal)", C4.1.66: opc[31:30] 011 V=0 00 imm19 Rt. opc 00 LDR Wt,
 * 01 LDR Xt, 10 LDRSW Xt, 11 PRFM (literal): no register loaded, nothing to emulate. */
#define LDR_LIT_BASE  0x18000000u
#define LDR_LIT_MASK  0x3F000000u
#define LDR_LIT_PRFM  0x3u

/* LDAR/STLR, C4.1.66 "Load/store ordered": size[31:30] 001000 o2=1 L o1=0 Rs=11111
 * o0=1 Rt2=11111 Rn Rt. Rs and Rt2 are should-be-one: a word with other values there
 * is CONSTRAINED UNPREDICTABLE, and the decoder treats it as unknown (the UNDEFINED
 * choice). */
#define LDAR_BASE     0x08DFFC00u
#define STLR_BASE     0x089FFC00u
#define LDST_ORD_MASK 0x3FFFFC00u /* all but size, Rn and Rt */
#define LDST_ORD_L    (1u << 22)

/* Exception generation, C4.1.64: 11010100 opc=000 imm16 op2=000 LL. */
#define HVC_BASE     0xD4000002u
#define SMC_BASE     0xD4000003u
#define EXC_GEN_MASK 0xFFE0001Fu

/* Hints, C6.2: CRm=0000, op2 011 (WFI) and 010 (WFE). */
#define WFI_WORD 0xD503207Fu
#define WFE_WORD 0xD503205Fu

/* System register move, C5.2.2 / C6.2 MSR (register), MRS: 1101010100 L 1 o0
 * op1[18:16] CRn[15:12] CRm[11:8] op2[7:5] Rt; bits 20:19 are op0, and op0 0 and 1
 * are other instructions (hints, PSTATE, SYS/SYSL). */
#define SYSREG_MOVE_BASE  0xD5000000u
#define SYSREG_MOVE_MASK  0xFFD00000u /* bits 31:22 and op0's high bit */
#define SYSREG_MOVE_MATCH 0xD5100000u
#define SYSREG_MOVE_L     (1u << 21)

static unsigned field(uint32_t word, unsigned shift, uint32_t mask)
{
	return (unsigned)((word >> shift) & mask);
}

/* The register width the ISA dictates for a load/store, or false if there is no such
 * instruction: stores and unsigned loads use Wt below 64 bits and Xt at 64 bits;
 * LDRSB/LDRSH target either; LDRSW only Xt; there is no sign-extending 64-bit load. */
static bool ldst_valid(const struct a64_ldst *op)
{
	if (op->size > 3 || op->rt > 31 || op->rn > 31 || op->imm12 > 4095)
		return false;
	if (op->sign_extend && (op->store || op->acq_rel || op->size == 3))
		return false;
	if (op->acq_rel && op->imm12 != 0)
		return false;
	if (op->sign_extend)
		return op->size < 2 || op->reg64;
	return op->reg64 == (op->size == 3);
}

static bool sysreg_valid(const struct a64_sysreg *op)
{
	return (op->op0 == 2 || op->op0 == 3) && op->op1 <= 7 && op->crn <= 15 && op->crm <= 15 &&
	       op->op2 <= 7 && op->rt <= 31;
}

int64_t a64_enc_ldst(const struct a64_ldst *op)
{
	uint32_t word;
	uint32_t opc;

	if (!op || !ldst_valid(op))
		return -EINVAL;
	if (op->acq_rel) {
		word = op->store ? STLR_BASE : LDAR_BASE;
		return (int64_t)(word | (uint32_t)op->size << 30 | (uint32_t)op->rn << 5 |
		                 (uint32_t)op->rt);
	}
	if (op->store)
		opc = LDST_OPC_STR;
	else if (!op->sign_extend)
		opc = LDST_OPC_LDR;
	else
		opc = op->reg64 ? LDST_OPC_LDRS_X : LDST_OPC_LDRS_W;
	word = LDST_UIMM_BASE | (uint32_t)op->size << 30 | opc << 22 | (uint32_t)op->imm12 << 10 |
	       (uint32_t)op->rn << 5 | (uint32_t)op->rt;
	return (int64_t)word;
}

int64_t a64_enc_sysreg(const struct a64_sysreg *op, bool read)
{
	if (!op || !sysreg_valid(op))
		return -EINVAL;
	return (int64_t)(SYSREG_MOVE_BASE | (read ? SYSREG_MOVE_L : 0) | (uint32_t)op->op0 << 19 |
	                 (uint32_t)op->op1 << 16 | (uint32_t)op->crn << 12 |
	                 (uint32_t)op->crm << 8 | (uint32_t)op->op2 << 5 | (uint32_t)op->rt);
}

uint32_t a64_enc_hvc(uint16_t imm)
{
	return HVC_BASE | (uint32_t)imm << 5;
}

uint32_t a64_enc_smc(uint16_t imm)
{
	return SMC_BASE | (uint32_t)imm << 5;
}

uint32_t a64_enc_wfi(void)
{
	return WFI_WORD;
}

uint32_t a64_enc_wfe(void)
{
	return WFE_WORD;
}

static bool decode_ldst_uimm(uint32_t insn, struct a64_ldst *ld)
{
	unsigned opc = field(insn, 22, 0x3);

	if ((insn & LDST_UIMM_MASK) != LDST_UIMM_BASE)
		return false;
	ld->size = field(insn, 30, 0x3);
	ld->store = opc == LDST_OPC_STR;
	ld->sign_extend = opc == LDST_OPC_LDRS_X || opc == LDST_OPC_LDRS_W;
	ld->reg64 = ld->sign_extend ? opc == LDST_OPC_LDRS_X : ld->size == 3;
	ld->acq_rel = false;
	ld->imm12 = field(insn, 10, 0xFFF);
	ld->rn = field(insn, 5, 0x1F);
	ld->rt = field(insn, 0, 0x1F);
	/* size 3 opc 10 is PRFM; size 3 opc 11 and size 2 opc 11 are unallocated. */
	return ldst_valid(ld);
}

/* The register-offset, unscaled and unprivileged forms share the unsigned-offset form's
 * size/opc table (C6.2 LDR/LDUR/LDTR and their B/H/SB/SH/SW variants), except that size 11
 * opc 10 is PRFM (register) or PRFUM (unscaled), no load; for LDTR* it is unallocated.
 * The offset (Rm or imm9) is not kept: imm12 is 0, and no user needs more than the
 * syndrome. */
static bool decode_ldst_other(uint32_t insn, struct a64_ldst *ld)
{
	uint32_t form = insn & LDST_IDX_MASK;
	unsigned opc = field(insn, 22, 0x3);

	if ((form & ~(LDST_REGOFF | LDST_UNPRIV)) != LDST_IDX_BASE)
		return false;
	form &= ~LDST_IDX_BASE;
	if (form != LDST_REGOFF && form != LDST_UNSCALED && form != LDST_UNPRIV)
		return false;
	if (form == LDST_REGOFF && !(insn & LDST_OPTION_1))
		return false;
	ld->size = field(insn, 30, 0x3);
	ld->store = opc == LDST_OPC_STR;
	ld->sign_extend = opc == LDST_OPC_LDRS_X || opc == LDST_OPC_LDRS_W;
	ld->reg64 = ld->sign_extend ? opc == LDST_OPC_LDRS_X : ld->size == 3;
	ld->acq_rel = false;
	ld->imm12 = 0;
	ld->rn = field(insn, 5, 0x1F);
	ld->rt = field(insn, 0, 0x1F);
	return ldst_valid(ld);
}

/* LDR (literal) and LDRSW (literal): PC-relative, so there is no Rn; rn and imm12 are 0. */
static bool decode_ldr_literal(uint32_t insn, struct a64_ldst *ld)
{
	unsigned opc = field(insn, 30, 0x3);

	if ((insn & LDR_LIT_MASK) != LDR_LIT_BASE || opc == LDR_LIT_PRFM)
		return false;
	*ld = (struct a64_ldst){.size = opc == 1 ? 3 : 2,
	                        .sign_extend = opc == 2,
	                        .reg64 = opc != 0,
	                        .rt = field(insn, 0, 0x1F)};
	return true;
}

static bool decode_ldst_ordered(uint32_t insn, struct a64_ldst *ld)
{
	uint32_t rest = insn & LDST_ORD_MASK;

	if (rest != (LDAR_BASE & LDST_ORD_MASK) && rest != (STLR_BASE & LDST_ORD_MASK))
		return false;
	ld->size = field(insn, 30, 0x3);
	ld->store = !(insn & LDST_ORD_L);
	ld->sign_extend = false;
	ld->reg64 = ld->size == 3;
	ld->acq_rel = true;
	ld->imm12 = 0;
	ld->rn = field(insn, 5, 0x1F);
	ld->rt = field(insn, 0, 0x1F);
	return true;
}

void a64_decode(uint32_t insn, struct a64_insn *out)
{
	*out = (struct a64_insn){.kind = A64_UNKNOWN};

	if (decode_ldst_uimm(insn, &out->ldst) || decode_ldst_other(insn, &out->ldst) ||
	    decode_ldr_literal(insn, &out->ldst) || decode_ldst_ordered(insn, &out->ldst)) {
		out->kind = A64_LDST;
	} else if ((insn & EXC_GEN_MASK) == HVC_BASE || (insn & EXC_GEN_MASK) == SMC_BASE) {
		out->kind = (insn & EXC_GEN_MASK) == HVC_BASE ? A64_HVC : A64_SMC;
		out->imm16 = (uint16_t)field(insn, 5, 0xFFFF);
	} else if (insn == WFI_WORD) {
		out->kind = A64_WFI;
	} else if (insn == WFE_WORD) {
		out->kind = A64_WFE;
	} else if ((insn & SYSREG_MOVE_MASK) == SYSREG_MOVE_MATCH) {
		out->kind = (insn & SYSREG_MOVE_L) ? A64_MRS : A64_MSR;
		out->sys.op0 = field(insn, 19, 0x3);
		out->sys.op1 = field(insn, 16, 0x7);
		out->sys.crn = field(insn, 12, 0xF);
		out->sys.crm = field(insn, 8, 0xF);
		out->sys.op2 = field(insn, 5, 0x7);
		out->sys.rt = field(insn, 0, 0x1F);
	}
	if (out->kind != A64_LDST)
		out->ldst = (struct a64_ldst){0};
}

/* Data abort ISS with a valid syndrome, D19.2 "ISS encoding for an exception from a
 * Data Abort": ISV, SAS, SSE, SRT, SF, AR, WnR, DFSC. */
static uint64_t dabt_iss(const struct a64_ldst *ld, unsigned dfsc)
{
	return ISS_DABT_ISV | (uint64_t)ld->size << 22 | (ld->sign_extend ? ISS_DABT_SSE : 0) |
	       (uint64_t)ld->rt << 16 | (ld->reg64 ? ISS_DABT_SF : 0) |
	       (ld->acq_rel ? ISS_DABT_AR : 0) | (ld->store ? ISS_DABT_WNR : 0) | dfsc;
}

static uint64_t esr(unsigned ec, uint64_t iss)
{
	return (uint64_t)ec << ESR_EC_SHIFT | ESR_IL | iss;
}

uint64_t a64_trap_esr(const struct a64_insn *insn, unsigned dfsc)
{
	const struct a64_sysreg *sys;

	if (!insn)
		return 0;
	sys = &insn->sys;
	switch (insn->kind) {
	case A64_LDST:
		/* DFSC is six bits; a struct no encoder would accept has no syndrome. */
		if (dfsc > 0x3F || !ldst_valid(&insn->ldst))
			return 0;
		return esr(EC_DABT_LOW, dabt_iss(&insn->ldst, dfsc));
	case A64_HVC: return esr(EC_HVC64, insn->imm16);
	case A64_SMC: return esr(EC_SMC64, insn->imm16);
	/* A trapped WFx reports a valid condition, "always" (CV = 1, COND = 0b1110), as
	 * QEMU's cortex-a72 does. */
	case A64_WFI: return esr(EC_WFx, ISS_WFX_CV_AL);
	case A64_WFE: return esr(EC_WFx, ISS_WFX_CV_AL | ISS_WFX_TI_WFE);
	case A64_MSR:
	case A64_MRS:
		if (!sysreg_valid(sys))
			return 0;
		return esr(EC_SYS64, SYSREG_ISS(sys->op0, sys->op1, sys->crn, sys->crm, sys->op2) |
		                         (uint64_t)sys->rt << 5 |
		                         (insn->kind == A64_MRS ? ISS_SYS_DIR_READ : 0));
	case A64_UNKNOWN:
	default: return 0;
	}
}
