/* A64 encoders, decoder and trap syndromes (arch/aarch64/a64.c). capstone is the
 * oracle for the words: every word the encoders emit must disassemble as the
 * instruction meant and decode back to the same fields, and on words near and far from
 * them the decoder must agree with what capstone reads. The ESR values are worked out
 * by hand from the ISS layouts of the Arm ARM (D19.2).
 *
 * What capstone 4.0.2 prints, as checked here: the byte offset of a load/store, in
 * decimal up to 9 and in hex above ("[x1, #8]", "[x1, #0xa]"); "#0" and "#0x..." for
 * HVC/SMC; lower-case system register names, and "s3_<op1>_c<n>_c<m>_<op2>" for
 * registers it has no name for. Its quirks the tests work around, each where it
 * matters: it prints the generic name with "s3_" even when op0 is 2 (the operand
 * detail has the right op0); it prints some op0 0 words of the system space as
 * "msr"; and it disassembles LDAR/STLR whatever their should-be-one Rs and Rt2 fields
 * hold, which the decoder refuses (CONSTRAINED UNPREDICTABLE, C6.2 LDAR). */
#include <capstone/capstone.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/a64.h"
#include "arch/aarch64/sysreg.h"
#include "hal/err.h"
#include "tests/check_main.h"

/* ck_assert records a checkpoint per call; in loops over tens of thousands of words
 * only failures should cost anything. */
#define expect(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

static csh cs;
static cs_insn *cs_one;
static unsigned long words_checked;

static void setup(void)
{
	ck_assert_int_eq(cs_open(CS_ARCH_ARM64, CS_MODE_LITTLE_ENDIAN, &cs), CS_ERR_OK);
	ck_assert_int_eq(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON), CS_ERR_OK);
	cs_one = cs_malloc(cs);
	ck_assert_ptr_nonnull(cs_one);
	words_checked = 0;
}

static void teardown(void)
{
	cs_free(cs_one, 1);
	cs_close(&cs);
}

/* capstone's reading of one word; false if it is not an instruction to capstone. */
static bool dis(uint32_t word)
{
	uint8_t bytes[4] = {(uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
	                    (uint8_t)(word >> 24)};
	const uint8_t *code = bytes;
	size_t size = sizeof(bytes);
	uint64_t addr = 0x1000;

	words_checked++;
	return cs_disasm_iter(cs, &code, &size, &addr, cs_one);
}

static void expect_text(uint32_t word, const char *mnemonic, const char *ops)
{
	expect(dis(word), "%08x: capstone cannot read it, expected %s %s", word, mnemonic, ops);
	expect(!strcmp(cs_one->mnemonic, mnemonic) && !strcmp(cs_one->op_str, ops),
	       "%08x: capstone says '%s %s', expected '%s %s'", word, cs_one->mnemonic,
	       cs_one->op_str, mnemonic, ops);
}

static void gpr_name(char *buf, size_t len, bool x, unsigned r)
{
	if (r == 31)
		snprintf(buf, len, "%czr", x ? 'x' : 'w');
	else
		snprintf(buf, len, "%c%u", x ? 'x' : 'w', r);
}

static void decode(uint32_t word, struct a64_insn *out)
{
	memset(out, 0x5A, sizeof(*out)); /* no field may be left as it was */
	a64_decode(word, out);
}

/* ---- Loads and stores ---------------------------------------------------------------- */

/* Every single-register load/store of the set (Arm ARM C6.2), by the fields that pick
 * it: what is not listed here the encoder must refuse. */
static const struct ldst_form {
	const char *mnemonic;
	unsigned size;
	bool store, sign_extend, reg64, acq_rel;
} ldst_forms[] = {
    {"strb", 0, true, false, false, false},  {"strh", 1, true, false, false, false},
    {"str", 2, true, false, false, false},   {"str", 3, true, false, true, false},
    {"ldrb", 0, false, false, false, false}, {"ldrh", 1, false, false, false, false},
    {"ldr", 2, false, false, false, false},  {"ldr", 3, false, false, true, false},
    {"ldrsb", 0, false, true, false, false}, {"ldrsb", 0, false, true, true, false},
    {"ldrsh", 1, false, true, false, false}, {"ldrsh", 1, false, true, true, false},
    {"ldrsw", 2, false, true, true, false},  {"stlrb", 0, true, false, false, true},
    {"stlrh", 1, true, false, false, true},  {"stlr", 2, true, false, false, true},
    {"stlr", 3, true, false, true, true},    {"ldarb", 0, false, false, false, true},
    {"ldarh", 1, false, false, false, true}, {"ldar", 2, false, false, false, true},
    {"ldar", 3, false, false, true, true},
};
#define N_LDST_FORMS (sizeof(ldst_forms) / sizeof(ldst_forms[0]))

static const struct ldst_form *find_form(const struct a64_ldst *op)
{
	for (size_t i = 0; i < N_LDST_FORMS; i++) {
		const struct ldst_form *f = &ldst_forms[i];

		if (f->size == op->size && f->store == op->store &&
		    f->sign_extend == op->sign_extend && f->reg64 == op->reg64 &&
		    f->acq_rel == op->acq_rel)
			return f;
	}
	return NULL;
}

/* "w3, [x1, #0xa]" as capstone prints the operands: the byte offset, decimal up to 9. */
static void ldst_ops(char *buf, size_t len, const struct a64_ldst *op)
{
	char rt[8], off[24] = "";
	unsigned bytes = op->imm12 << op->size;

	gpr_name(rt, sizeof(rt), op->reg64, op->rt);
	if (bytes > 9)
		snprintf(off, sizeof(off), ", #0x%x", bytes);
	else if (bytes)
		snprintf(off, sizeof(off), ", #%u", bytes);
	if (op->rn == 31)
		snprintf(buf, len, "%s, [sp%s]", rt, off);
	else
		snprintf(buf, len, "%s, [x%u%s]", rt, op->rn, off);
}

static bool ldst_eq(const struct a64_ldst *a, const struct a64_ldst *b)
{
	return a->store == b->store && a->size == b->size && a->sign_extend == b->sign_extend &&
	       a->reg64 == b->reg64 && a->acq_rel == b->acq_rel && a->rt == b->rt &&
	       a->rn == b->rn && a->imm12 == b->imm12;
}

/* One load/store word: capstone's text, the decoder's fields and the syndrome's. */
static void check_ldst_word(const struct a64_ldst *op, const char *mnemonic)
{
	int64_t word = a64_enc_ldst(op);
	char ops[48];
	struct a64_insn in;
	uint64_t esr, iss;

	expect(word >= 0 && word <= 0xFFFFFFFF, "%s rt %u rn %u imm %u refused: %lld", mnemonic,
	       op->rt, op->rn, op->imm12, (long long)word);
	ldst_ops(ops, sizeof(ops), op);
	expect_text((uint32_t)word, mnemonic, ops);

	decode((uint32_t)word, &in);
	expect(in.kind == A64_LDST && ldst_eq(&in.ldst, op), "%08x: decoded otherwise",
	       (uint32_t)word);

	esr = a64_trap_esr(&in, FSC_PERM_L0 + 3);
	iss = ESR_ISS(esr);
	expect(ESR_EC(esr) == EC_DABT_LOW && (esr & ESR_IL) && (iss & ISS_DABT_ISV) &&
	           ISS_DABT_SAS(iss) == op->size && !!(iss & ISS_DABT_SSE) == op->sign_extend &&
	           ISS_DABT_SRT(iss) == op->rt && !!(iss & ISS_DABT_SF) == op->reg64 &&
	           !!(iss & ISS_DABT_AR) == op->acq_rel && !!(iss & ISS_DABT_WNR) == op->store &&
	           ISS_FSC(iss) == FSC_PERM_L0 + 3 && !(iss & ISS_DABT_S1PTW),
	       "%08x: ESR %llx", (uint32_t)word, (unsigned long long)esr);
}

/* _i picks size, store, sign_extend, reg64 and acq_rel: all 64 combinations. */
START_TEST(test_every_ldst_combination_is_refused_or_disassembles_as_meant)
{
	static const unsigned imms[] = {0, 1, 2, 0x555, 4095};
	struct a64_ldst op = {
	    .size = (unsigned)_i & 3,
	    .store = _i & 4,
	    .sign_extend = _i & 8,
	    .reg64 = _i & 16,
	    .acq_rel = _i & 32,
	};
	const struct ldst_form *form = find_form(&op);

	for (op.rt = 0; op.rt < 32; op.rt++) {
		for (op.rn = 0; op.rn < 32; op.rn++) {
			for (size_t k = 0; k < sizeof(imms) / sizeof(imms[0]); k++) {
				op.imm12 = imms[k];
				if (!form || (op.acq_rel && op.imm12))
					expect(a64_enc_ldst(&op) == -EINVAL,
					       "combination %d imm %u encoded", _i, op.imm12);
				else
					check_ldst_word(&op, form->mnemonic);
			}
		}
	}
	/* 21 forms exist (C6.2): 13 with an offset, 8 ordered ones without. */
	if (_i == 0)
		ck_assert_uint_eq(N_LDST_FORMS, 21);
	ck_assert_uint_eq(words_checked, form ? (op.acq_rel ? 1024 : 5 * 1024) : 0);
}
END_TEST

START_TEST(test_ldst_words_match_the_hand_encodings)
{
	struct a64_ldst str_w3 = {.store = true, .size = 2, .rt = 3, .rn = 1};
	struct a64_ldst ldrsb_x7 = {
	    .size = 0, .sign_extend = true, .reg64 = true, .rt = 7, .rn = 2};
	struct a64_ldst ldr_x2 = {.size = 3, .reg64 = true, .rt = 2, .rn = 31, .imm12 = 4095};
	struct a64_ldst ldar_w0 = {.size = 2, .acq_rel = true, .rt = 0, .rn = 1};
	struct a64_ldst stlr_x30 = {
	    .store = true, .size = 3, .reg64 = true, .acq_rel = true, .rt = 30, .rn = 31};

	/* 0xB9000000 | Rn 1 << 5 | Rt 3 */
	ck_assert_int_eq(a64_enc_ldst(&str_w3), 0xB9000023);
	/* size 00, opc 10: 0x39800000 | 2 << 5 | 7 */
	ck_assert_int_eq(a64_enc_ldst(&ldrsb_x7), 0x39800047);
	/* 0xF9400000 | 0xFFF << 10 | 31 << 5 | 2 */
	ck_assert_int_eq(a64_enc_ldst(&ldr_x2), 0xF97FFFE2);
	ck_assert_int_eq(a64_enc_ldst(&ldar_w0), 0x88DFFC20);
	ck_assert_int_eq(a64_enc_ldst(&stlr_x30), 0xC89FFFFE);
	expect_text(0xF97FFFE2, "ldr", "x2, [sp, #0x7ff8]");
	expect_text(0xC89FFFFE, "stlr", "x30, [sp]");
}
END_TEST

START_TEST(test_impossible_or_out_of_range_ldst_is_refused)
{
	const struct a64_ldst ok = {.size = 2, .rt = 1, .rn = 2, .imm12 = 3};
	struct a64_ldst op;

	ck_assert_int_eq(a64_enc_ldst(&ok), 0xB9400C41);
	ck_assert_int_eq(a64_enc_ldst(NULL), -EINVAL);
	op = ok, op.size = 4;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	op = ok, op.rt = 32;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	op = ok, op.rn = 32;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	op = ok, op.imm12 = 4096;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	/* A signed 64-bit load, LDRSW into Wt, a sign-extending store, a 64-bit Wt. */
	op = ok, op.size = 3, op.reg64 = true, op.sign_extend = true;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	op = ok, op.sign_extend = true;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	op = ok, op.size = 0, op.store = true, op.sign_extend = true;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	op = ok, op.size = 3;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	/* LDAR with an offset or sign extension. */
	op = ok, op.acq_rel = true;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
	op = ok, op.acq_rel = true, op.imm12 = 0, op.size = 0, op.sign_extend = true;
	ck_assert_int_eq(a64_enc_ldst(&op), -EINVAL);
}
END_TEST

/* ---- HVC, SMC, WFI, WFE ---------------------------------------------------------------- */

START_TEST(test_hvc_and_smc_carry_every_imm16)
{
	char ops[16];
	struct a64_insn in;

	for (uint32_t imm = 0; imm <= 0xFFFF; imm++) {
		uint32_t hvc = a64_enc_hvc((uint16_t)imm), smc = a64_enc_smc((uint16_t)imm);

		snprintf(ops, sizeof(ops), imm ? "#0x%x" : "#%u", imm);
		expect_text(hvc, "hvc", ops);
		expect_text(smc, "smc", ops);
		decode(hvc, &in);
		expect(in.kind == A64_HVC && in.imm16 == imm, "%08x", hvc);
		expect(a64_trap_esr(&in, 0) == (0x5A000000ull | imm), "hvc %x", imm);
		decode(smc, &in);
		expect(in.kind == A64_SMC && in.imm16 == imm, "%08x", smc);
		expect(a64_trap_esr(&in, 0) == (0x5E000000ull | imm), "smc %x", imm);
	}
	/* 0xD4000002 | imm16 << 5, LL 10 (HVC) / 11 (SMC). */
	ck_assert_uint_eq(a64_enc_hvc(0), 0xD4000002);
	ck_assert_uint_eq(a64_enc_hvc(1), 0xD4000022);
	ck_assert_uint_eq(a64_enc_hvc(0x1234), 0xD4024682);
	ck_assert_uint_eq(a64_enc_smc(0xFFFF), 0xD41FFFE3);
	expect_text(0xD4024682, "hvc", "#0x1234");
	expect_text(0xD41FFFE3, "smc", "#0xffff");
	ck_assert_uint_eq(words_checked, 2 * 0x10000 + 2);
}
END_TEST

START_TEST(test_wfi_and_wfe_are_the_hint_words)
{
	struct a64_insn in;

	ck_assert_uint_eq(a64_enc_wfi(), 0xD503207F);
	ck_assert_uint_eq(a64_enc_wfe(), 0xD503205F);
	expect_text(a64_enc_wfi(), "wfi", "");
	expect_text(a64_enc_wfe(), "wfe", "");
	decode(a64_enc_wfi(), &in);
	ck_assert_int_eq(in.kind, A64_WFI);
	decode(a64_enc_wfe(), &in);
	ck_assert_int_eq(in.kind, A64_WFE);
}
END_TEST

/* ---- MSR / MRS ------------------------------------------------------------------------- */

static uint32_t enc_sys(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                        unsigned rt, bool read)
{
	struct a64_sysreg op = {op0, op1, crn, crm, op2, rt};
	int64_t word = a64_enc_sysreg(&op, read);

	expect(word >= 0, "S%u_%u_C%u_C%u_%u refused", op0, op1, crn, crm, op2);
	return (uint32_t)word;
}

START_TEST(test_named_system_registers_disassemble_by_name)
{
	static const struct {
		unsigned op0, op1, crn, crm, op2;
		const char *name;
	} regs[] = {
	    {3, 0, 1, 0, 0, "sctlr_el1"},        {3, 0, 2, 0, 2, "tcr_el1"},
	    {3, 0, 1, 0, 2, "cpacr_el1"},        {3, 3, 13, 0, 2, "tpidr_el0"},
	    {3, 3, 14, 2, 1, "cntp_ctl_el0"},    {3, 3, 4, 2, 1, "daif"},
	    {3, 4, 1, 1, 0, "hcr_el2"},          {2, 0, 0, 2, 2, "mdscr_el1"},
	    {2, 0, 0, 0, 4, "dbgbvr0_el1"},      {3, 0, 15, 0, 0, "s3_0_c15_c0_0"},
	    {3, 7, 15, 15, 7, "s3_7_c15_c15_7"},
	};
	char ops[40];

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		unsigned rt = (unsigned)(i * 3) % 32;
		char x[8];

		gpr_name(x, sizeof(x), true, rt);
		snprintf(ops, sizeof(ops), "%s, %s", x, regs[i].name);
		expect_text(enc_sys(regs[i].op0, regs[i].op1, regs[i].crn, regs[i].crm, regs[i].op2,
		                    rt, true),
		            "mrs", ops);
		snprintf(ops, sizeof(ops), "%s, %s", regs[i].name, x);
		expect_text(enc_sys(regs[i].op0, regs[i].op1, regs[i].crn, regs[i].crm, regs[i].op2,
		                    rt, false),
		            "msr", ops);
	}
	/* 0xD5000000 | L << 21 | op0 << 19 | op1 << 16 | CRn << 12 | CRm << 8 | op2 << 5
	 * | Rt: MRS X5, S3_0_C15_C0_0 and MSR SCTLR_EL1, X0 by hand. */
	/* capstone names a read-only register only where it is read. */
	expect_text(enc_sys(3, 0, 0, 0, 0, 1, true), "mrs", "x1, midr_el1");
	expect_text(enc_sys(3, 0, 0, 0, 0, 1, false), "msr", "s3_0_c0_c0_0, x1");
	ck_assert_uint_eq(enc_sys(3, 0, 15, 0, 0, 5, true), 0xD538F005);
	ck_assert_uint_eq(enc_sys(3, 0, 1, 0, 0, 0, false), 0xD5181000);
	ck_assert_uint_eq(enc_sys(2, 0, 0, 2, 2, 31, false), 0xD510025F);
}
END_TEST

/* The sysreg operand capstone's detail gives: op0 << 14 | op1 << 11 | CRn << 7 |
 * CRm << 3 | op2, and its type. */
static unsigned cs_sysreg(arm64_op_type *type)
{
	cs_arm64 *a = &cs_one->detail->arm64;

	for (unsigned i = 0; i < a->op_count; i++) {
		if (a->operands[i].type == ARM64_OP_REG_MRS ||
		    a->operands[i].type == ARM64_OP_REG_MSR) {
			*type = a->operands[i].type;
			return (unsigned)a->operands[i].reg;
		}
	}
	*type = ARM64_OP_INVALID;
	return ~0u;
}

/* The generic name, if capstone printed one, must carry the same fields (with op0 3
 * for op0 2: capstone 4.0.2's printer writes "s3_" for both). */
static void check_generic_name(uint32_t word, const char *name, const struct a64_sysreg *op)
{
	unsigned p0, p1, pn, pm, p2;
	int end = 0;

	if (sscanf(name, "s%u_%u_c%u_c%u_%u%n", &p0, &p1, &pn, &pm, &p2, &end) != 5)
		return;
	expect(name[end] == '\0' || name[end] == ',', "%08x: name %s", word, name);
	expect((p0 == op->op0 || (op->op0 == 2 && p0 == 3)) && p1 == op->op1 && pn == op->crn &&
	           pm == op->crm && p2 == op->op2,
	       "%08x: capstone names it %s", word, name);
}

START_TEST(test_every_system_register_encoding_round_trips)
{
	struct a64_sysreg op;
	unsigned named = 0;

	for (unsigned n = 0; n < 2 * 8 * 16 * 16 * 8; n++) {
		op = (struct a64_sysreg){.op0 = 2 + (n >> 14),
		                         .op1 = (n >> 11) & 7,
		                         .crn = (n >> 7) & 15,
		                         .crm = (n >> 3) & 15,
		                         .op2 = n & 7,
		                         .rt = (n * 7) % 32};
		for (int read = 0; read < 2; read++) {
			uint32_t word =
			    enc_sys(op.op0, op.op1, op.crn, op.crm, op.op2, op.rt, read);
			char x[8], want[12];
			const char *text, *name;
			arm64_op_type type;
			struct a64_insn in;
			uint64_t esr;

			expect(dis(word), "%08x: capstone cannot read it", word);
			text = cs_one->op_str;
			gpr_name(x, sizeof(x), true, op.rt);
			expect(!strcmp(cs_one->mnemonic, read ? "mrs" : "msr"), "%08x: %s", word,
			       cs_one->mnemonic);
			expect(cs_sysreg(&type) == n + (2u << 14) &&
			           type == (read ? ARM64_OP_REG_MRS : ARM64_OP_REG_MSR),
			       "%08x: capstone's register is %x", word, cs_sysreg(&type));
			if (read) {
				snprintf(want, sizeof(want), "%s, ", x);
				expect(!strncmp(text, want, strlen(want)), "%08x: %s", word, text);
				name = text + strlen(want);
			} else {
				snprintf(want, sizeof(want), ", %s", x);
				expect(strlen(text) > strlen(want) &&
				           !strcmp(text + strlen(text) - strlen(want), want),
				       "%08x: %s", word, text);
				name = text;
			}
			check_generic_name(word, name, &op);
			named += name[0] != 's' || name[1] < '0' || name[1] > '9';

			decode(word, &in);
			expect(in.kind == (read ? A64_MRS : A64_MSR) && in.sys.op0 == op.op0 &&
			           in.sys.op1 == op.op1 && in.sys.crn == op.crn &&
			           in.sys.crm == op.crm && in.sys.op2 == op.op2 &&
			           in.sys.rt == op.rt,
			       "%08x: decoded otherwise", word);
			esr = a64_trap_esr(&in, 0);
			expect(ESR_EC(esr) == EC_SYS64 && (esr & ESR_IL) &&
			           ISS_SYS_ID(ESR_ISS(esr)) ==
			               SYSREG_ISS(op.op0, op.op1, op.crn, op.crm, op.op2) &&
			           ISS_SYS_RT(ESR_ISS(esr)) == op.rt &&
			           (esr & ISS_SYS_DIR_READ) == (unsigned)read,
			       "%08x: ESR %llx", word, (unsigned long long)esr);
		}
	}
	ck_assert_uint_eq(words_checked, 65536);
	ck_assert_uint_gt(named, 100); /* capstone did name some: the text was read */
}
END_TEST

START_TEST(test_out_of_range_system_register_fields_are_refused)
{
	const struct a64_sysreg ok = {3, 0, 1, 0, 0, 0};
	struct a64_sysreg op;

	ck_assert_int_eq(a64_enc_sysreg(NULL, true), -EINVAL);
	op = ok, op.op0 = 0;
	ck_assert_int_eq(a64_enc_sysreg(&op, true), -EINVAL);
	op = ok, op.op0 = 1;
	ck_assert_int_eq(a64_enc_sysreg(&op, false), -EINVAL);
	op = ok, op.op0 = 4;
	ck_assert_int_eq(a64_enc_sysreg(&op, true), -EINVAL);
	op = ok, op.op1 = 8;
	ck_assert_int_eq(a64_enc_sysreg(&op, true), -EINVAL);
	op = ok, op.crn = 16;
	ck_assert_int_eq(a64_enc_sysreg(&op, true), -EINVAL);
	op = ok, op.crm = 16;
	ck_assert_int_eq(a64_enc_sysreg(&op, true), -EINVAL);
	op = ok, op.op2 = 8;
	ck_assert_int_eq(a64_enc_sysreg(&op, true), -EINVAL);
	op = ok, op.rt = 32;
	ck_assert_int_eq(a64_enc_sysreg(&op, true), -EINVAL);
}
END_TEST

/* ---- Syndromes by hand ----------------------------------------------------------------- */

static uint64_t esr_of(uint32_t word, unsigned dfsc)
{
	struct a64_insn in;

	decode(word, &in);
	return a64_trap_esr(&in, dfsc);
}

START_TEST(test_trap_esr_matches_the_hand_worked_syndromes)
{
	/* EC 0x24 << 26 | IL | ISV | SAS 10 | SRT 3 | WnR | DFSC 7: STR W3, [X1]. */
	ck_assert_uint_eq(esr_of(0xB9000023, 7), 0x93830047);
	/* ISV | SAS 00 | SSE | SRT 7 | SF | DFSC 7: LDRSB X7, [X2]. */
	ck_assert_uint_eq(esr_of(0x39800047, 7), 0x93278007);
	/* LDRSB W7: the same without SF. */
	ck_assert_uint_eq(esr_of(0x39C00047, 7), 0x93270007);
	/* ISV | SAS 11 | SRT 2 | SF | DFSC 7: LDR X2, [SP, #0x7ff8]. */
	ck_assert_uint_eq(esr_of(0xF97FFFE2, 7), 0x93C28007);
	/* LDAR W0, [X1]: ISV | SAS 10 | AR | DFSC 4. */
	ck_assert_uint_eq(esr_of(0x88DFFC20, 4), 0x93804004);
	/* STLRB WZR, [X0]: ISV | SAS 00 | SRT 31 | AR | WnR. */
	ck_assert_uint_eq(esr_of(0x089FFC1F, 0), 0x931F4040);
	/* EC 0x16/0x17 << 26 | IL | imm16. */
	ck_assert_uint_eq(esr_of(0xD4000002, 0), 0x5A000000);
	ck_assert_uint_eq(esr_of(0xD4024682, 0), 0x5A001234);
	ck_assert_uint_eq(esr_of(0xD4000003, 0), 0x5E000000);
	/* EC 0x01 << 26 | IL | TI. */
	ck_assert_uint_eq(esr_of(0xD503207F, 0), 0x07E00000); /* CV=1, COND=always, as QEMU reports */
	ck_assert_uint_eq(esr_of(0xD503205F, 0), 0x07E00001);
	/* EC 0x18 << 26 | IL | Op0 3 << 20 | CRn 15 << 10 | Rt 5 << 5 | read:
	 * MRS X5, S3_0_C15_C0_0. */
	ck_assert_uint_eq(esr_of(0xD538F005, 0), 0x62303CA1);
	/* MSR SCTLR_EL1, X0: Op0 3, CRn 1, write. */
	ck_assert_uint_eq(esr_of(0xD5181000, 0), 0x62300400);
	/* MSR MDSCR_EL1, XZR: Op0 2 << 20 | Op2 2 << 17 | Rt 31 << 5 | CRm 2 << 1. */
	ck_assert_uint_eq(esr_of(0xD510025F, 0), 0x622403E4);
}
END_TEST

/* The register-offset, unscaled, unprivileged and literal forms (C4.1.66), words and
 * syndromes worked out by hand: EC 0x24 << 26 | IL | ISV = 0x93000000, then SAS [23:22],
 * SSE [21], SRT [20:16], SF [15], WnR [6], DFSC. */
START_TEST(test_trap_esr_of_register_unscaled_unprivileged_and_literal_forms)
{
	/* LDR X2, [X1, X3]: size 11 opc 01, Rm 3, option 011: SAS 11 | SRT 2 | SF. */
	ck_assert_uint_eq(esr_of(0xF8636822, 7), 0x93C28007);
	/* STRB W5, [X1, W2, SXTW]: option 110: SAS 00 | SRT 5 | WnR | DFSC 4. */
	ck_assert_uint_eq(esr_of(0x3822C825, 4), 0x93050044);
	/* LDRSH W0, [X1, X2, LSL #1]: size 01 opc 11, S 1: SAS 01 | SSE. */
	ck_assert_uint_eq(esr_of(0x78E27820, 7), 0x93600007);
	/* LDUR W3, [X1, #-4]: imm9 0x1FC: SAS 10 | SRT 3. */
	ck_assert_uint_eq(esr_of(0xB85FC023, 7), 0x93830007);
	/* STURH WZR, [SP, #1]: SAS 01 | SRT 31 | WnR | DFSC 0. */
	ck_assert_uint_eq(esr_of(0x780013FF, 0), 0x935F0040);
	/* LDURSW X9, [X1]: SAS 10 | SSE | SRT 9 | SF | DFSC 5. */
	ck_assert_uint_eq(esr_of(0xB8800029, 5), 0x93A98005);
	/* LDTRB W1, [X2]: SAS 00 | SRT 1. */
	ck_assert_uint_eq(esr_of(0x38400841, 7), 0x93010007);
	/* STTR X4, [X5, #8]: SAS 11 | SRT 4 | SF | WnR. */
	ck_assert_uint_eq(esr_of(0xF80088A4, 7), 0x93C48047);
	/* LDTRSH X6, [X7]: size 01 opc 10: SAS 01 | SSE | SRT 6 | SF. */
	ck_assert_uint_eq(esr_of(0x788008E6, 7), 0x93668007);
	/* LDR W1, label: opc 00: SAS 10 | SRT 1. */
	ck_assert_uint_eq(esr_of(0x18000041, 7), 0x93810007);
	/* LDR X30, label: opc 01: SAS 11 | SRT 30 | SF. */
	ck_assert_uint_eq(esr_of(0x5800005E, 7), 0x93DE8007);
	/* LDRSW X0, label: opc 10: SAS 10 | SSE | SF. */
	ck_assert_uint_eq(esr_of(0x98000040, 7), 0x93A08007);
	/* Unallocated or no register loaded, so no syndrome: register offset with
	 * option<1> = 0; LDRSW (register) with opc 11; PRFM (register), PRFUM, PRFM
	 * (literal); LDTR with size 11 opc 10; post- and pre-index (writeback). */
	ck_assert_uint_eq(esr_of(0xF8630822, 7), 0);
	ck_assert_uint_eq(esr_of(0xB8E36822, 7), 0);
	ck_assert_uint_eq(esr_of(0xF8A26820, 7), 0);
	ck_assert_uint_eq(esr_of(0xF8800020, 7), 0);
	ck_assert_uint_eq(esr_of(0xD8000040, 7), 0);
	ck_assert_uint_eq(esr_of(0xF8C00820, 7), 0);
	ck_assert_uint_eq(esr_of(0xF8408420, 7), 0);
	ck_assert_uint_eq(esr_of(0xF8400C20, 7), 0);
}
END_TEST

START_TEST(test_trap_esr_is_zero_for_what_has_no_syndrome)
{
	struct a64_insn in;

	ck_assert_uint_eq(esr_of(0, 7), 0);
	ck_assert_uint_eq(a64_trap_esr(NULL, 0), 0);
	/* A DFSC wider than six bits. */
	ck_assert_uint_eq(esr_of(0xB9000023, 0x40), 0);
	/* A load/store or system register no encoder would accept. */
	decode(0xB9000023, &in);
	in.ldst.rt = 32;
	ck_assert_uint_eq(a64_trap_esr(&in, 7), 0);
	decode(0xB9000023, &in);
	in.ldst.sign_extend = true;
	ck_assert_uint_eq(a64_trap_esr(&in, 7), 0);
	decode(0xD538F005, &in);
	in.sys.op0 = 1;
	ck_assert_uint_eq(a64_trap_esr(&in, 0), 0);
}
END_TEST

/* ---- The decoder against capstone, beyond the encoders' words -------------------------- */

START_TEST(test_unrelated_words_decode_as_unknown)
{
	static const struct {
		uint32_t word;
		const char *mnemonic; /* what capstone reads, NULL: not an instruction */
	} words[] = {
	    {0x00000000, NULL}, /* UDF #0 (unallocated to capstone 4) */
	    {0xD503201F, "nop"},   {0x8B020020, "add"},  {0xA9400820, "ldp"},
	    {0xF98003E0, "prfm"}, /* size 11 opc 10 of the unsigned-offset form */
	    {0xB9C00000, NULL},   /* size 10 opc 11: unallocated */
	    {0xF9C00000, NULL},   /* size 11 opc 11: unallocated */
	    {0x3DC00020, "ldr"},  /* LDR Q0, [X1]: the SIMD form, V = 1 */
	    {0xF8408420, "ldr"},   {0xF8400C20, "ldr"}, /* post-index, pre-index */
	    {0xF8A26820, "prfm"},  {0xF8800020, "prfum"}, /* size 11 opc 10: prefetch */
	    {0xD8000040, "prfm"},                         /* literal, opc 11 */
	    {0xF8C00820, NULL},                           /* LDTR size 11 opc 10 */
	    {0x885FFC20, "ldaxr"}, {0xD4000001, "svc"},  {0xD4200000, "brk"},
	    {0xD503203F, "yield"}, {0xD503209F, "sev"},  {0xD50342DF, "msr"},
	    {0xD5080000, "sys"},   {0xD5280000, "sysl"}, {0xD4A00001, "dcps1"},
	    {0x88C0FC20, "ldar"}, /* Rs 00000, should be 11111 */
	    {0x88DF8020, "ldar"}, /* Rt2 00000, should be 11111 */
	};
	struct a64_insn in;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (words[i].mnemonic)
			expect(dis(words[i].word) && !strcmp(cs_one->mnemonic, words[i].mnemonic),
			       "%08x is not %s", words[i].word, words[i].mnemonic);
		else
			expect(!dis(words[i].word), "%08x is %s", words[i].word, cs_one->mnemonic);
		decode(words[i].word, &in);
		expect(in.kind == A64_UNKNOWN, "%08x decoded as kind %d", words[i].word, in.kind);
		expect(a64_trap_esr(&in, 7) == 0, "%08x has a syndrome", words[i].word);
	}
}
END_TEST

static const struct {
	const char *mnemonic;
	unsigned size;
	bool store, sign_extend, acq_rel;
} cs_ldst[] = {
    {"strb", 0, true, false, false},  {"strh", 1, true, false, false},
    {"str", 9, true, false, false},   {"ldrb", 0, false, false, false},
    {"ldrh", 1, false, false, false}, {"ldr", 9, false, false, false},
    {"ldrsb", 0, false, true, false}, {"ldrsh", 1, false, true, false},
    {"ldrsw", 2, false, true, false}, {"stlrb", 0, true, false, true},
    {"stlrh", 1, true, false, true},  {"stlr", 9, true, false, true},
    {"ldarb", 0, false, false, true}, {"ldarh", 1, false, false, true},
    {"ldar", 9, false, false, true},
    {"sturb", 0, true, false, false},  {"sturh", 1, true, false, false},
    {"stur", 9, true, false, false},   {"ldurb", 0, false, false, false},
    {"ldurh", 1, false, false, false}, {"ldur", 9, false, false, false},
    {"ldursb", 0, false, true, false}, {"ldursh", 1, false, true, false},
    {"ldursw", 2, false, true, false}, {"sttrb", 0, true, false, false},
    {"sttrh", 1, true, false, false},  {"sttr", 9, true, false, false},
    {"ldtrb", 0, false, false, false}, {"ldtrh", 1, false, false, false},
    {"ldtr", 9, false, false, false},  {"ldtrsb", 0, false, true, false},
    {"ldtrsh", 1, false, true, false}, {"ldtrsw", 2, false, true, false},
}; /* size 9: 2 or 3 by the register, Wt or Xt */

static bool parse_gpr(const char **p, bool *x, unsigned *r)
{
	char *end;

	if (**p != 'w' && **p != 'x')
		return false;
	*x = **p == 'x';
	if (!strncmp(*p + 1, "zr", 2)) {
		*r = 31;
		*p += 3;
		return true;
	}
	if ((*p)[1] < '0' || (*p)[1] > '9')
		return false;
	*r = (unsigned)strtoul(*p + 1, &end, 10);
	*p = end;
	return *r < 31;
}

/* capstone's text of a single-register load/store: "<mnemonic> <wt|xt>, [<xn|sp>{, #<bytes>}]"
 * (unsigned offset; for LDUR/LDTR and kin a signed one), "[<xn|sp>, <wm|xm>{, <extend>}]"
 * (register offset), or "#<address>" (literal). The decoder keeps the offset only for the
 * unsigned-offset form: imm12 is 0 for the others, and rn 0 for a literal. A pre-index
 * ("]!") or post-index ("], #n") text is refused: writeback, no syndrome. */
static bool cs_as_ldst(uint32_t word, struct a64_ldst *ld)
{
	const char *p = cs_one->op_str;
	unsigned long bytes = 0;
	bool other = (word & 0x3B000000) == 0x38000000 || (word & 0x3B000000) == 0x18000000;
	char *end;
	size_t i;

	for (i = 0; i < sizeof(cs_ldst) / sizeof(cs_ldst[0]); i++)
		if (!strcmp(cs_one->mnemonic, cs_ldst[i].mnemonic))
			break;
	if (i == sizeof(cs_ldst) / sizeof(cs_ldst[0]))
		return false;
	*ld = (struct a64_ldst){.store = cs_ldst[i].store,
	                        .sign_extend = cs_ldst[i].sign_extend,
	                        .acq_rel = cs_ldst[i].acq_rel};
	if (!parse_gpr(&p, &ld->reg64, &ld->rt))
		return false;
	ld->size = cs_ldst[i].size == 9 ? (ld->reg64 ? 3 : 2) : cs_ldst[i].size;
	if (!strncmp(p, ", #", 3))
		return !ld->store && !strchr(p, '[');
	if (strncmp(p, ", [", 3))
		return false;
	p += 3;
	if (!strncmp(p, "sp", 2)) {
		ld->rn = 31;
		p += 2;
	} else {
		bool x;

		if (!parse_gpr(&p, &x, &ld->rn) || !x || ld->rn == 31)
			return false;
	}
	if (other) {
		end = strchr(p, ']');
		return end && end[1] == '\0';
	}
	if (!strncmp(p, ", #", 3)) {
		bytes = strtoul(p + 3, &end, 0);
		p = end;
	}
	if (strcmp(p, "]"))
		return false;
	ld->imm12 = (unsigned)(bytes >> ld->size);
	return (bytes & ((1u << ld->size) - 1)) == 0;
}

/* What the word is, by capstone's reading: the kind and fields a64_decode must give.
 * Where capstone is looser than the Arm ARM the word is unknown (see the top). */
static void cs_expect(uint32_t word, struct a64_insn *want)
{
	arm64_op_type type;
	unsigned reg;
	char *end;
	bool read;

	*want = (struct a64_insn){.kind = A64_UNKNOWN};
	read = dis(word);
	/* capstone 4.0.2 reads no LDTR load with opc 01 or 11 (LDTRB/LDTRH/LDTR, LDTRSB/
	 * LDTRSH into Wt; C4.1.66 "Load/store register (unprivileged)"): the Arm ARM's
	 * reading of those words instead. Size 1x opc 11 is unallocated. */
	if ((word & 0x3FE00C00) == 0x38400800 || (word & 0xBFE00C00) == 0x38C00800) {
		*want = (struct a64_insn){.kind = A64_LDST};
		want->ldst = (struct a64_ldst){.size = word >> 30,
		                               .sign_extend = (word >> 23) & 1,
		                               .reg64 = word >> 30 == 3,
		                               .rt = word & 31,
		                               .rn = (word >> 5) & 31};
		return;
	}
	if (!read)
		return;
	if (cs_as_ldst(word, &want->ldst)) {
		if (!want->ldst.acq_rel || (word & 0x001F7C00) == 0x001F7C00)
			want->kind = A64_LDST;
	} else if (!strcmp(cs_one->mnemonic, "hvc") || !strcmp(cs_one->mnemonic, "smc")) {
		want->kind = cs_one->mnemonic[0] == 'h' ? A64_HVC : A64_SMC;
		want->imm16 = (uint16_t)strtoul(cs_one->op_str + 1, &end, 0);
	} else if (!strcmp(cs_one->mnemonic, "wfi")) {
		want->kind = A64_WFI;
	} else if (!strcmp(cs_one->mnemonic, "wfe")) {
		want->kind = A64_WFE;
	} else if ((reg = cs_sysreg(&type)) != ~0u && reg >> 14 >= 2) {
		const char *p = cs_one->op_str;
		bool x;

		if (type == ARM64_OP_REG_MSR)
			p = strrchr(p, ' ') + 1;
		expect(parse_gpr(&p, &x, &want->sys.rt) && x, "%08x: %s", word, cs_one->op_str);
		want->kind = type == ARM64_OP_REG_MRS ? A64_MRS : A64_MSR;
		want->sys.op0 = reg >> 14;
		want->sys.op1 = (reg >> 11) & 7;
		want->sys.crn = (reg >> 7) & 15;
		want->sys.crm = (reg >> 3) & 15;
		want->sys.op2 = reg & 7;
	}
}

/* The kind both agree the word is. */
static enum a64_kind check_agrees(uint32_t word)
{
	struct a64_insn want, got;
	bool same;

	cs_expect(word, &want);
	decode(word, &got);
	switch (want.kind) {
	case A64_LDST: same = got.kind == A64_LDST && ldst_eq(&got.ldst, &want.ldst); break;
	case A64_HVC:
	case A64_SMC: same = got.kind == want.kind && got.imm16 == want.imm16; break;
	case A64_MSR:
	case A64_MRS:
		same = got.kind == want.kind && !memcmp(&got.sys, &want.sys, sizeof(got.sys));
		break;
	default: same = got.kind == want.kind; break;
	}
	if (!same) {
		bool read = dis(word);

		ck_abort_msg("%08x: capstone reads '%s %s' (kind %d), the decoder kind %d", word,
		             read ? cs_one->mnemonic : "-", read ? cs_one->op_str : "", want.kind,
		             got.kind);
	}
	return want.kind;
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

START_TEST(test_decoder_agrees_with_capstone_within_two_bits_of_an_encoded_word)
{
	uint32_t words[128];
	unsigned n = 0;

	for (size_t i = 0; i < N_LDST_FORMS; i++) {
		const struct ldst_form *f = &ldst_forms[i];
		struct a64_ldst op = {.store = f->store,
		                      .size = f->size,
		                      .sign_extend = f->sign_extend,
		                      .reg64 = f->reg64,
		                      .acq_rel = f->acq_rel,
		                      .rt = 5,
		                      .rn = 9,
		                      .imm12 = f->acq_rel ? 0 : 0x2A5};

		words[n++] = (uint32_t)a64_enc_ldst(&op);
		op.rt = 31, op.rn = 31;
		words[n++] = (uint32_t)a64_enc_ldst(&op);
	}
	words[n++] = a64_enc_hvc(0x1234);
	words[n++] = a64_enc_smc(0x8001);
	words[n++] = a64_enc_wfi();
	words[n++] = a64_enc_wfe();
	words[n++] = enc_sys(3, 0, 1, 0, 0, 3, true);
	words[n++] = enc_sys(2, 0, 0, 2, 2, 3, false);
	words[n++] = enc_sys(3, 4, 15, 9, 5, 31, false);
	for (unsigned w = 0; w < n; w++) {
		check_agrees(words[w]);
		for (unsigned bit = 0; bit < 32; bit++)
			check_agrees(words[w] ^ (1u << bit));
		for (unsigned a = 0; a < 32; a++)
			for (unsigned b = a + 1; b < 32; b++)
				check_agrees(words[w] ^ (1u << a) ^ (1u << b));
	}
	ck_assert_uint_eq(words_checked, n * (1 + 32 + 32 * 31 / 2));
}
END_TEST

/* Random low bits under the top bytes of every class, and fully random words. */
START_TEST(test_decoder_agrees_with_capstone_on_random_words)
{
	static const uint8_t tops[] = {0x38, 0x39, 0x78, 0x79, 0xB8, 0xB9, 0xF8, 0xF9,
	                               0x08, 0x48, 0x88, 0xC8, 0x3D, 0xD4, 0xD5};
	uint32_t seed = 0x2545F491;
	unsigned kinds[A64_MRS + 1] = {0};

	for (size_t t = 0; t < sizeof(tops); t++)
		for (unsigned i = 0; i < 20000; i++)
			kinds[check_agrees((uint32_t)tops[t] << 24 |
			                   (xorshift(&seed) & 0xFFFFFF))]++;
	for (unsigned i = 0; i < 200000; i++)
		kinds[check_agrees(xorshift(&seed))]++;
	ck_assert_uint_eq(words_checked, sizeof(tops) * 20000 + 200000);
	/* Not vacuous: the classes were hit. */
	ck_assert_uint_gt(kinds[A64_LDST], 1000);
	ck_assert_uint_gt(kinds[A64_HVC] + kinds[A64_SMC], 0);
	ck_assert_uint_gt(kinds[A64_MSR] + kinds[A64_MRS], 1000);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("a64");
	TCase *enc = tcase_create("encoders");
	TCase *esr = tcase_create("syndromes");
	TCase *dec = tcase_create("decoder");

	tcase_add_checked_fixture(enc, setup, teardown);
	tcase_add_loop_test(enc, test_every_ldst_combination_is_refused_or_disassembles_as_meant, 0,
	                    64);
	tcase_add_test(enc, test_ldst_words_match_the_hand_encodings);
	tcase_add_test(enc, test_impossible_or_out_of_range_ldst_is_refused);
	tcase_add_test(enc, test_hvc_and_smc_carry_every_imm16);
	tcase_add_test(enc, test_wfi_and_wfe_are_the_hint_words);
	tcase_add_test(enc, test_named_system_registers_disassemble_by_name);
	tcase_add_test(enc, test_every_system_register_encoding_round_trips);
	tcase_add_test(enc, test_out_of_range_system_register_fields_are_refused);
	suite_add_tcase(s, enc);

	tcase_add_checked_fixture(esr, setup, teardown);
	tcase_add_test(esr, test_trap_esr_matches_the_hand_worked_syndromes);
	tcase_add_test(esr, test_trap_esr_is_zero_for_what_has_no_syndrome);
	suite_add_tcase(s, esr);

	tcase_add_checked_fixture(dec, setup, teardown);
	tcase_add_test(dec, test_unrelated_words_decode_as_unknown);
	tcase_add_test(dec, test_trap_esr_of_register_unscaled_unprivileged_and_literal_forms);
	tcase_add_test(dec, test_decoder_agrees_with_capstone_within_two_bits_of_an_encoded_word);
	tcase_add_test(dec, test_decoder_agrees_with_capstone_on_random_words);
	suite_add_tcase(s, dec);
	return s;
}
