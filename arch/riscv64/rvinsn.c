/* RV64 load/store, htinst and system instruction words: decoders and their inverse
 * encoders. Formats: unprivileged spec 20191213, 2.2-2.6 (I/S types), 8.2-8.4 (LR/SC,
 * AMOs), chapter 16 (C: CL/CS Figure 16.3-16.4, CI/CSS stack forms Table 16.5), chapter
 * 24 (opcode map and listings); privileged spec 20211203, 3.3.2 WFI, 4.2.1 SFENCE.VMA,
 * 8.4 (HLV/HLVX/HSV, HFENCE), 8.6.3 (htinst). Every decoder's output is what its encoder
 * turns back into the same word: fuzz/rv_decode.c checks it. Never reads past its
 * arguments; a word or struct it cannot take gives -EINVAL. */
#include "arch/riscv64/rvinsn.h"

#include "hal/err.h"

#define OPC_LOAD     0x03u
#define OPC_LOAD_FP  0x07u
#define OPC_STORE    0x23u
#define OPC_STORE_FP 0x27u
#define OPC_AMO      0x2Fu
#define OPC_SYSTEM   0x73u

#define F3_PRIV 0u /* SYSTEM funct3 000: ECALL, EBREAK, xRET, WFI, fences */
#define F3_HLSV 4u /* SYSTEM funct3 100: HLV, HLVX, HSV */

#define WORD_ECALL    0x00000073u
#define WORD_EBREAK   0x00100073u
#define WORD_WFI      0x10500073u
#define WORD_SRET     0x10200073u
#define WORD_NOP      0x00000013u
#define HALF_C_NOP    0x0001u
#define HALF_C_EBREAK 0x9002u

/* funct7 of the SYSTEM funct3 000 fences (rs2 and rs1 are operands, rd 0). */
#define F7_SFENCE_VMA  0x09u
#define F7_HFENCE_VVMA 0x11u
#define F7_HFENCE_GVMA 0x31u

/* HLV/HLVX/HSV, 8.4: funct7 0110 ss S (ss: log2 of the width, S: store); for a load the
 * rs2 field says signed (00000), unsigned (00001) or execute-permission HLVX (00011). */
#define F7_HLSV_BASE 0x30u
#define HLV_SIGNED   0u
#define HLV_UNSIGNED 1u
#define HLV_X        3u

static unsigned bits(uint32_t w, unsigned lo, unsigned n)
{
	return (unsigned)((w >> lo) & ((1u << n) - 1u));
}

static unsigned log2_width(unsigned width)
{
	return width == 8 ? 3u : width == 4 ? 2u : width == 2 ? 1u : 0u;
}

static int32_t sext12(unsigned v)
{
	return (int32_t)(v & 0x7FFu) - (int32_t)(v & 0x800u);
}

/* ---- 32-bit loads and stores: funct3 tables (chapter 24, RV32I/RV64I/F/D) ---------- */

struct f3_form {
	uint8_t width; /* 0: no such instruction */
	bool sign;
};

/* clang-format off */
static const struct f3_form load_f3[8] = {
	{1, true}, {2, true}, {4, true}, {8, false}, {1, false}, {2, false}, {4, false}, {0, false},
};
static const struct f3_form store_f3[8] = {{1, false}, {2, false}, {4, false}, {8, false}};
/* LOAD-FP/STORE-FP: 010 FLW/FSW, 011 FLD/FSD; the others are FLH/FLQ (not in RV64GC)
 * and the vector loads/stores. */
static const struct f3_form fp_f3[8] = {[2] = {4, false}, [3] = {8, false}};
/* clang-format on */

static bool amo_op_valid(unsigned f5)
{
	switch (f5) {
	case RV_AMOADD:
	case RV_AMOSWAP:
	case RV_LR:
	case RV_SC:
	case RV_AMOXOR:
	case RV_AMOOR:
	case RV_AMOAND:
	case RV_AMOMIN:
	case RV_AMOMAX:
	case RV_AMOMINU:
	case RV_AMOMAXU: return true;
	default: return false;
	}
}

static int decode_amo(uint32_t w, struct rv_ldst *o)
{
	unsigned f3 = bits(w, 12, 3), f5 = bits(w, 27, 5);

	if ((f3 != 2 && f3 != 3) || !amo_op_valid(f5))
		return -EINVAL;
	o->width = f3 == 2 ? 4u : 8u;
	o->amo = true;
	o->amo_op = f5;
	o->aq = bits(w, 26, 1);
	o->rl = bits(w, 25, 1);
	o->rs2 = bits(w, 20, 5);
	if (f5 == RV_LR && o->rs2 != 0)
		return -EINVAL; /* LR's rs2 field is reserved: 00000 */
	o->store = f5 != RV_LR;
	o->sign_extend = o->width == 4 && f5 != RV_SC;
	return 0;
}

static int decode32(uint32_t w, struct rv_ldst *o)
{
	unsigned opc = bits(w, 0, 7), f3 = bits(w, 12, 3);
	const struct f3_form *f;

	*o = (struct rv_ldst){.len = 4, .base = bits(w, 15, 5)};
	switch (opc) {
	case OPC_LOAD: f = &load_f3[f3]; break;
	case OPC_STORE: f = &store_f3[f3]; break;
	case OPC_LOAD_FP:
	case OPC_STORE_FP: f = &fp_f3[f3]; break;
	case OPC_AMO: o->reg = bits(w, 7, 5); return decode_amo(w, o);
	default: return -EINVAL;
	}
	if (!f->width)
		return -EINVAL;
	o->width = f->width;
	o->sign_extend = f->sign;
	o->fp = opc == OPC_LOAD_FP || opc == OPC_STORE_FP;
	o->store = opc == OPC_STORE || opc == OPC_STORE_FP;
	if (o->store) {
		o->reg = bits(w, 20, 5);
		o->imm = sext12(bits(w, 25, 7) << 5 | bits(w, 7, 5));
	} else {
		o->reg = bits(w, 7, 5);
		o->imm = sext12(bits(w, 20, 12));
	}
	return 0;
}

/* ---- Compressed loads and stores (chapter 16) -------------------------------------- */

/* An offset's bits scattered over the halfword: imm[lo + n - 1 : lo] at bit at. */
struct seg {
	uint8_t lo, at, n;
};

/* Table 16.5-16.7 and Figures 16.3/16.4, the immediate layouts. */
/* clang-format off */
static const struct seg imm_cl_w[3] = {{3, 10, 3}, {2, 6, 1}, {6, 5, 1}};  /* C.LW C.SW */
static const struct seg imm_cl_d[3] = {{3, 10, 3}, {6, 5, 2}, {0, 0, 0}};  /* C.LD C.SD C.F*D */
static const struct seg imm_ci_w[3] = {{5, 12, 1}, {2, 4, 3}, {6, 2, 2}};  /* C.LWSP */
static const struct seg imm_ci_d[3] = {{5, 12, 1}, {3, 5, 2}, {6, 2, 3}};  /* C.LDSP C.FLDSP */
static const struct seg imm_css_w[3] = {{2, 9, 4}, {6, 7, 2}, {0, 0, 0}}; /* C.SWSP */
static const struct seg imm_css_d[3] = {{3, 10, 3}, {6, 7, 3}, {0, 0, 0}}; /* C.SDSP C.FSDSP */
/* clang-format on */

enum cfmt { CL, CS, CI_SP, CSS_SP };

struct cform {
	uint8_t width; /* 0: not a load/store */
	enum cfmt fmt;
	bool fp, sign;
	const struct seg *imm;
};

/* By quadrant (0 or 2, index quadrant / 2) and funct3 (bits 15:13), RV64C. Quadrant 0
 * funct3 000 is C.ADDI4SPN (and the all-zero illegal halfword), 100 reserved; quadrant 2
 * 000 C.SLLI, 100 C.JR/C.MV/C.EBREAK/C.JALR/C.ADD. */
/* clang-format off */
static const struct cform cforms[2][8] = {
	{
		[1] = {8, CL, true, false, imm_cl_d},  /* C.FLD */
		[2] = {4, CL, false, true, imm_cl_w},  /* C.LW */
		[3] = {8, CL, false, false, imm_cl_d}, /* C.LD */
		[5] = {8, CS, true, false, imm_cl_d},  /* C.FSD */
		[6] = {4, CS, false, false, imm_cl_w}, /* C.SW */
		[7] = {8, CS, false, false, imm_cl_d}, /* C.SD */
	},
	{
		[1] = {8, CI_SP, true, false, imm_ci_d},    /* C.FLDSP */
		[2] = {4, CI_SP, false, true, imm_ci_w},    /* C.LWSP */
		[3] = {8, CI_SP, false, false, imm_ci_d},   /* C.LDSP */
		[5] = {8, CSS_SP, true, false, imm_css_d},  /* C.FSDSP */
		[6] = {4, CSS_SP, false, false, imm_css_w}, /* C.SWSP */
		[7] = {8, CSS_SP, false, false, imm_css_d}, /* C.SDSP */
	},
};
/* clang-format on */

static unsigned gather(uint32_t h, const struct seg *s)
{
	unsigned imm = 0;

	for (unsigned i = 0; i < 3; i++)
		imm |= bits(h, s[i].at, s[i].n) << s[i].lo;
	return imm;
}

static uint32_t scatter(unsigned imm, const struct seg *s)
{
	uint32_t h = 0;

	for (unsigned i = 0; i < 3; i++)
		h |= (uint32_t)((imm >> s[i].lo) & ((1u << s[i].n) - 1u)) << s[i].at;
	return h;
}

static int decode16(uint32_t h, struct rv_ldst *o)
{
	unsigned q = bits(h, 0, 2), f3 = bits(h, 13, 3);
	const struct cform *f;

	if (q != 0 && q != 2)
		return -EINVAL;
	f = &cforms[q / 2][f3];
	if (!f->width)
		return -EINVAL;
	*o = (struct rv_ldst){.len = 2,
	                      .width = f->width,
	                      .fp = f->fp,
	                      .sign_extend = f->sign,
	                      .store = f->fmt == CS || f->fmt == CSS_SP};
	o->imm = (int32_t)gather(h, f->imm);
	switch (f->fmt) {
	case CL:
	case CS:
		o->base = 8 + bits(h, 7, 3);
		o->reg = 8 + bits(h, 2, 3);
		break;
	case CI_SP:
		o->base = 2;
		o->reg = bits(h, 7, 5);
		if (o->reg == 0 && !o->fp)
			return -EINVAL; /* C.LWSP/C.LDSP with rd = x0: reserved */
		break;
	case CSS_SP:
		o->base = 2;
		o->reg = bits(h, 2, 5);
		break;
	}
	return 0;
}

int rv_decode_ldst(uint32_t insn, struct rv_ldst *out)
{
	struct rv_ldst o;
	int err;

	if (!out)
		return -EINVAL;
	err = (insn & 3) == 3 ? decode32(insn, &o) : decode16(insn & 0xFFFFu, &o);
	if (err)
		return err;
	*out = o;
	return 0;
}

/* ---- Encoders ---------------------------------------------------------------------- */

static bool reg_ok(unsigned r)
{
	return r < 32;
}

/* A plain (not AMO) load or store's fields, whatever its length. */
static bool ldst_common_ok(const struct rv_ldst *op)
{
	if (!reg_ok(op->reg) || !reg_ok(op->base) || !reg_ok(op->rs2) || op->addr_offset)
		return false;
	if (op->width != 1 && op->width != 2 && op->width != 4 && op->width != 8)
		return false;
	if (op->amo || op->aq || op->rl || op->amo_op || op->rs2)
		return false;
	if (op->fp)
		return (op->width == 4 || op->width == 8) && !op->sign_extend;
	if (op->store || op->width == 8)
		return !op->sign_extend;
	return true;
}

static int64_t enc_amo(const struct rv_ldst *op)
{
	bool lr = op->amo_op == RV_LR;

	if (op->len != 4 || op->fp || op->imm || op->addr_offset || !amo_op_valid(op->amo_op) ||
	    (op->width != 4 && op->width != 8) || !reg_ok(op->reg) || !reg_ok(op->base) ||
	    !reg_ok(op->rs2) || (lr && op->rs2) || op->store == lr ||
	    op->sign_extend != (op->width == 4 && op->amo_op != RV_SC))
		return -EINVAL;
	return (int64_t)((uint32_t)op->amo_op << 27 | (uint32_t)op->aq << 26 |
	                 (uint32_t)op->rl << 25 | (uint32_t)op->rs2 << 20 |
	                 (uint32_t)op->base << 15 | (uint32_t)log2_width(op->width) << 12 |
	                 (uint32_t)op->reg << 7 | OPC_AMO);
}

static int64_t enc32(const struct rv_ldst *op)
{
	uint32_t imm = (uint32_t)op->imm & 0xFFFu;
	uint32_t f3 = log2_width(op->width);

	if (op->imm < -2048 || op->imm > 2047)
		return -EINVAL;
	if (!op->store && !op->fp && !op->sign_extend && op->width != 8)
		f3 |= 4; /* LBU LHU LWU */
	if (op->store)
		return (int64_t)((imm >> 5) << 25 | (uint32_t)op->reg << 20 |
		                 (uint32_t)op->base << 15 | f3 << 12 | (imm & 0x1Fu) << 7 |
		                 (op->fp ? OPC_STORE_FP : OPC_STORE));
	return (int64_t)(imm << 20 | (uint32_t)op->base << 15 | f3 << 12 | (uint32_t)op->reg << 7 |
	                 (op->fp ? OPC_LOAD_FP : OPC_LOAD));
}

static int64_t enc16(const struct rv_ldst *op)
{
	bool sp = op->base == 2;
	enum cfmt fmt = sp ? (op->store ? CSS_SP : CI_SP) : (op->store ? CS : CL);
	unsigned q = sp ? 2u : 0u;

	if (!sp && (op->base < 8 || op->base > 15 || op->reg < 8 || op->reg > 15))
		return -EINVAL;
	if (fmt == CI_SP && op->reg == 0 && !op->fp)
		return -EINVAL;
	if (op->imm < 0)
		return -EINVAL;
	for (unsigned f3 = 0; f3 < 8; f3++) {
		const struct cform *f = &cforms[q / 2][f3];
		uint32_t h;

		if (!f->width || f->fmt != fmt || f->width != op->width || f->fp != op->fp ||
		    f->sign != op->sign_extend)
			continue;
		h = scatter((unsigned)op->imm, f->imm);
		if (gather(h, f->imm) != (unsigned)op->imm)
			return -EINVAL; /* out of range or not a multiple of the width */
		h |= (uint32_t)f3 << 13 | q;
		if (sp)
			h |= (uint32_t)op->reg << (fmt == CI_SP ? 7 : 2);
		else
			h |= (uint32_t)(op->base - 8) << 7 | (uint32_t)(op->reg - 8) << 2;
		return (int64_t)h;
	}
	return -EINVAL;
}

int64_t rv_enc_ldst(const struct rv_ldst *op)
{
	if (!op || (op->len != 2 && op->len != 4))
		return -EINVAL;
	if (op->amo)
		return enc_amo(op);
	if (!ldst_common_ok(op))
		return -EINVAL;
	return op->len == 2 ? enc16(op) : enc32(op);
}

bool rv_ldst_compressible(const struct rv_ldst *op)
{
	struct rv_ldst c;

	if (!op)
		return false;
	c = *op;
	c.len = 2;
	return rv_enc_ldst(&c) >= 0;
}

/* ---- htinst --------------------------------------------------------------------------- */

int rv_htinst_classify(uint64_t htinst, struct rv_htinst *out)
{
	struct rv_htinst h = {.kind = RV_HTI_NONE};

	if (!out || htinst >> 32)
		return -EINVAL;
	if (htinst & 1) {
		h.kind = RV_HTI_TRANSFORMED;
		h.len = htinst & 2 ? 4u : 2u;
		h.insn = (uint32_t)htinst | 2u;
	} else if (rv_htinst_is_pseudo(htinst)) {
		h.kind = RV_HTI_PSEUDO;
		h.width = htinst & 0x1000u ? 8u : 4u;
		h.write = rv_htinst_pseudo_write(htinst);
	} else if (htinst != 0) {
		return -EINVAL;
	}
	*out = h;
	return 0;
}

bool rv_htinst_is_pseudo(uint64_t htinst)
{
	return htinst == RV_HTINST_PSEUDO_READ32 || htinst == RV_HTINST_PSEUDO_READ64 ||
	       htinst == RV_HTINST_PSEUDO_WRITE32 || htinst == RV_HTINST_PSEUDO_WRITE64;
}

bool rv_htinst_pseudo_write(uint64_t htinst)
{
	return htinst == RV_HTINST_PSEUDO_WRITE32 || htinst == RV_HTINST_PSEUDO_WRITE64;
}

int rv_decode_htinst_ldst(uint64_t htinst, struct rv_ldst *out)
{
	struct rv_htinst h;
	struct rv_ldst o;

	if (!out || rv_htinst_classify(htinst, &h) || h.kind != RV_HTI_TRANSFORMED)
		return -EINVAL;
	if (decode32(h.insn, &o) || (o.amo && h.len == 2))
		return -EINVAL; /* no AMO, LR or SC has a compressed form */
	o.addr_offset = o.base;
	o.base = 0;
	o.imm = 0;
	o.len = h.len;
	*out = o;
	return 0;
}

/* ---- System instructions ----------------------------------------------------------- */

/* Zicsr (unprivileged chapter 9): funct3 001/010/011 CSRRW/S/C, 101/110/111 the I forms.
 * Table 9.1: CSRRW(I) with rd = x0 does not read; CSRRS/C(I) with rs1 = x0 (uimm 0) does
 * not write. */
static void decode_csr(uint32_t w, unsigned f3, struct rv_system *s)
{
	static const enum rv_sys_op ops[4] = {RV_SYS_CSRRW, RV_SYS_CSRRW, RV_SYS_CSRRS,
	                                      RV_SYS_CSRRC};

	s->op = ops[f3 & 3];
	s->imm = f3 & 4;
	s->csr = bits(w, 20, 12);
	s->rd = bits(w, 7, 5);
	s->rs1 = bits(w, 15, 5);
	s->reads = s->op != RV_SYS_CSRRW || s->rd != 0;
	s->writes = s->op == RV_SYS_CSRRW || s->rs1 != 0;
}

static int decode_priv(uint32_t w, struct rv_system *s)
{
	unsigned f7 = bits(w, 25, 7);

	if (w == WORD_WFI || w == WORD_SRET) {
		s->op = w == WORD_WFI ? RV_SYS_WFI : RV_SYS_SRET;
		return 0;
	}
	if (bits(w, 7, 5) != 0)
		return -EINVAL;
	if (f7 == F7_SFENCE_VMA)
		s->op = RV_SYS_SFENCE_VMA;
	else if (f7 == F7_HFENCE_VVMA)
		s->op = RV_SYS_HFENCE_VVMA;
	else if (f7 == F7_HFENCE_GVMA)
		s->op = RV_SYS_HFENCE_GVMA;
	else
		return -EINVAL;
	s->rs1 = bits(w, 15, 5);
	s->rs2 = bits(w, 20, 5);
	return 0;
}

static int decode_hlsv(uint32_t w, struct rv_system *s)
{
	unsigned f7 = bits(w, 25, 7), kind = bits(w, 20, 5);

	if ((f7 & 0x78u) != F7_HLSV_BASE)
		return -EINVAL;
	s->width = 1u << bits(w, 26, 2);
	s->rs1 = bits(w, 15, 5);
	if (f7 & 1) {
		if (bits(w, 7, 5) != 0)
			return -EINVAL;
		s->op = RV_SYS_HSV;
		s->rs2 = kind;
		return 0;
	}
	s->rd = bits(w, 7, 5);
	if (kind == HLV_X && (s->width == 2 || s->width == 4)) {
		s->op = RV_SYS_HLVX;
		return 0;
	}
	if (kind != HLV_SIGNED && (kind != HLV_UNSIGNED || s->width == 8))
		return -EINVAL;
	s->op = RV_SYS_HLV;
	s->sign_extend = kind == HLV_SIGNED && s->width < 8;
	return 0;
}

int rv_decode_system(uint32_t insn, struct rv_system *out)
{
	struct rv_system s = {.op = RV_SYS_WFI};
	unsigned f3 = bits(insn, 12, 3);
	int err = 0;

	if (!out || bits(insn, 0, 7) != OPC_SYSTEM)
		return -EINVAL;
	if (f3 == F3_PRIV)
		err = decode_priv(insn, &s);
	else if (f3 == F3_HLSV)
		err = decode_hlsv(insn, &s);
	else
		decode_csr(insn, f3, &s);
	if (err)
		return err;
	*out = s;
	return 0;
}

static uint32_t r_type(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd)
{
	return (uint32_t)f7 << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | (uint32_t)f3 << 12 |
	       (uint32_t)rd << 7 | OPC_SYSTEM;
}

static int64_t enc_hlsv(const struct rv_system *op)
{
	unsigned l2 = log2_width(op->width);
	unsigned kind;

	if (op->width != 1u << l2 || op->width > 8)
		return -EINVAL;
	if (op->op == RV_SYS_HSV) {
		if (op->rd || op->sign_extend)
			return -EINVAL;
		return r_type(F7_HLSV_BASE | l2 << 1 | 1u, op->rs2, op->rs1, F3_HLSV, 0);
	}
	if (op->rs2)
		return -EINVAL;
	if (op->op == RV_SYS_HLVX) {
		if (op->sign_extend || (op->width != 2 && op->width != 4))
			return -EINVAL;
		kind = HLV_X;
	} else if (op->width == 8) {
		if (op->sign_extend)
			return -EINVAL;
		kind = HLV_SIGNED; /* HLV.D: the signed code, nothing to extend */
	} else {
		kind = op->sign_extend ? HLV_SIGNED : HLV_UNSIGNED;
	}
	return r_type(F7_HLSV_BASE | l2 << 1, kind, op->rs1, F3_HLSV, op->rd);
}

int64_t rv_enc_system(const struct rv_system *op)
{
	if (!op || !reg_ok(op->rd) || !reg_ok(op->rs1) || !reg_ok(op->rs2))
		return -EINVAL;
	switch (op->op) {
	case RV_SYS_CSRRW:
	case RV_SYS_CSRRS:
	case RV_SYS_CSRRC:
		if (op->csr > 0xFFF || op->rs2 || op->width || op->sign_extend)
			return -EINVAL;
		/* funct3 001/010/011 follow the enum's order; the I forms add 100. */
		return (int64_t)((uint32_t)op->csr << 20 |
		                 r_type(0, 0, op->rs1, (op->imm ? 4u : 0u) + 1u + (unsigned)op->op,
		                        op->rd));
	case RV_SYS_WFI:
	case RV_SYS_SRET:
		if (op->rd || op->rs1 || op->rs2 || op->csr || op->imm || op->width ||
		    op->sign_extend)
			return -EINVAL;
		return op->op == RV_SYS_WFI ? WORD_WFI : WORD_SRET;
	case RV_SYS_SFENCE_VMA:
	case RV_SYS_HFENCE_VVMA:
	case RV_SYS_HFENCE_GVMA:
		if (op->rd || op->csr || op->imm || op->width || op->sign_extend)
			return -EINVAL;
		return r_type(op->op == RV_SYS_SFENCE_VMA    ? F7_SFENCE_VMA
		              : op->op == RV_SYS_HFENCE_VVMA ? F7_HFENCE_VVMA
		                                             : F7_HFENCE_GVMA,
		              op->rs2, op->rs1, F3_PRIV, 0);
	case RV_SYS_HLV:
	case RV_SYS_HLVX:
	case RV_SYS_HSV:
		if (op->csr || op->imm)
			return -EINVAL;
		return enc_hlsv(op);
	}
	return -EINVAL;
}

uint32_t rv_enc_ecall(void)
{
	return WORD_ECALL;
}

uint32_t rv_enc_ebreak(void)
{
	return WORD_EBREAK;
}

uint32_t rv_enc_wfi(void)
{
	return WORD_WFI;
}

uint32_t rv_enc_nop(void)
{
	return WORD_NOP;
}

uint16_t rv_enc_c_nop(void)
{
	return HALF_C_NOP;
}

uint16_t rv_enc_c_ebreak(void)
{
	return HALF_C_EBREAK;
}
