/* RV64 load/store, htinst and system instruction words (arch/riscv64/rvinsn.c). Every
 * expected word is worked out by hand from the encoding tables of the unprivileged spec
 * 20191213 (chapter 24; chapter 16 for the compressed formats) and the privileged spec
 * 20211203 (8.4 HLV/HSV/HFENCE, 8.6.3 htinst); the field layouts are written next to the
 * tables below. tests/rvinsn_oracle.sh checks the same against the cross assembler. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/riscv64/rvinsn.h"
#include "hal/err.h"
#include "tests/check_main.h"

#define expect(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

struct ldst_case {
	const char *text;
	uint32_t word;
	struct rv_ldst f;
};

/* clang-format off */
#define LD(w, s, r, b, i, l) {.width = w, .sign_extend = s, .reg = r, .base = b, .imm = i, .len = l}
#define ST(w, r, b, i, l) {.width = w, .store = true, .reg = r, .base = b, .imm = i, .len = l}
#define FL(w, r, b, i, l) {.width = w, .fp = true, .reg = r, .base = b, .imm = i, .len = l}
#define FS(w, r, b, i, l)                                                                          \
	{.width = w, .fp = true, .store = true, .reg = r, .base = b, .imm = i, .len = l}
#define AMO(w, op, a, rl_, d, s2, b)                                                              \
	{.width = w, .amo = true, .amo_op = op, .aq = a, .rl = rl_, .reg = d, .rs2 = s2, .base = b,   \
	 .len = 4, .store = op != RV_LR, .sign_extend = w == 4 && op != RV_SC}

/* I-type loads: imm[11:0] 31:20, rs1 19:15, funct3 14:12, rd 11:7, opcode 0000011
 * (0000111 FP); S-type stores: imm[11:5] 31:25, rs2 24:20, rs1, funct3, imm[4:0] 11:7,
 * 0100011 (0100111 FP). Compressed: CL/CS funct3 15:13, imm, rs1' 9:7, rd'/rs2' 4:2,
 * op 00 (x8 + n); CI stack loads rd 11:7, CSS stack stores rs2 6:2, op 10. AMOs: funct5
 * 31:27, aq 26, rl 25, rs2, rs1, funct3 010/011, rd, 0101111. */
static const struct ldst_case ldst_cases[] = {
	{"lw x10,-4(x2)", 0xFFC12503, LD(4, true, 10, 2, -4, 4)},
	{"lwu x10,-4(x2)", 0xFFC16503, LD(4, false, 10, 2, -4, 4)},
	{"ld x1,8(x3)", 0x0081B083, LD(8, false, 1, 3, 8, 4)},
	{"lb x5,2047(x6)", 0x7FF30283, LD(1, true, 5, 6, 2047, 4)},
	{"lbu x0,0(x0)", 0x00004003, LD(1, false, 0, 0, 0, 4)},
	{"lh x31,-2048(x31)", 0x800F9F83, LD(2, true, 31, 31, -2048, 4)},
	{"lhu x7,16(x8)", 0x01045383, LD(2, false, 7, 8, 16, 4)},
	{"sw x11,12(x10)", 0x00B52623, ST(4, 11, 10, 12, 4)},
	{"sd x1,-8(x2)", 0xFE113C23, ST(8, 1, 2, -8, 4)},
	{"sb x0,0(x5)", 0x00028023, ST(1, 0, 5, 0, 4)},
	{"sh x12,2(x13)", 0x00C69123, ST(2, 12, 13, 2, 4)},
	{"flw f1,2047(x31)", 0x7FFFA087, FL(4, 1, 31, 2047, 4)},
	{"fsd f1,-2048(x31)", 0x801FB027, FS(8, 1, 31, -2048, 4)},
	{"fld f2,16(x10)", 0x01053107, FL(8, 2, 10, 16, 4)},
	{"fsw f3,4(x4)", 0x00322227, FS(4, 3, 4, 4, 4)},
	{"c.lw x9,4(x15)", 0x43C4, LD(4, true, 9, 15, 4, 2)},
	{"c.sw x8,124(x15)", 0xDFE0, ST(4, 8, 15, 124, 2)},
	{"c.ld x10,248(x11)", 0x7DE8, LD(8, false, 10, 11, 248, 2)},
	{"c.sd x15,8(x8)", 0xE41C, ST(8, 15, 8, 8, 2)},
	{"c.lwsp x10,8(x2)", 0x4522, LD(4, true, 10, 2, 8, 2)},
	{"c.ldsp x1,504(x2)", 0x70FE, LD(8, false, 1, 2, 504, 2)},
	{"c.swsp x31,252(x2)", 0xDFFE, ST(4, 31, 2, 252, 2)},
	{"c.sdsp x0,0(x2)", 0xE002, ST(8, 0, 2, 0, 2)},
	{"c.fld f8,8(x9)", 0x2480, FL(8, 8, 9, 8, 2)},
	{"c.fsd f9,0(x10)", 0xA104, FS(8, 9, 10, 0, 2)},
	{"c.fldsp f0,0(x2)", 0x2002, FL(8, 0, 2, 0, 2)},
	{"c.fsdsp f31,504(x2)", 0xBFFE, FS(8, 31, 2, 504, 2)},
	{"amoadd.w.aqrl x10,x11,(x12)", 0x06B6252F, AMO(4, RV_AMOADD, true, true, 10, 11, 12)},
	{"lr.d x10,(x11)", 0x1005B52F, AMO(8, RV_LR, false, false, 10, 0, 11)},
	{"sc.w.rl x10,x11,(x12)", 0x1AB6252F, AMO(4, RV_SC, false, true, 10, 11, 12)},
	{"amoswap.d x5,x6,(x7)", 0x0863B2AF, AMO(8, RV_AMOSWAP, false, false, 5, 6, 7)},
	{"amomaxu.w x1,x2,(x3)", 0xE021A0AF, AMO(4, RV_AMOMAXU, false, false, 1, 2, 3)},
};
/* clang-format on */

static void expect_ldst(const char *what, const struct rv_ldst *got, const struct rv_ldst *want)
{
	expect(
	    got->width == want->width && got->store == want->store &&
	        got->sign_extend == want->sign_extend && got->fp == want->fp &&
	        got->amo == want->amo && got->amo_op == want->amo_op && got->aq == want->aq &&
	        got->rl == want->rl && got->reg == want->reg && got->rs2 == want->rs2 &&
	        got->base == want->base && got->imm == want->imm &&
	        got->addr_offset == want->addr_offset && got->len == want->len,
	    "%s: got width %u store %d sign %d fp %d amo %d/%u aq %d rl %d reg %u rs2 %u base %u "
	    "imm %d off %u len %u",
	    what, got->width, got->store, got->sign_extend, got->fp, got->amo, got->amo_op, got->aq,
	    got->rl, got->reg, got->rs2, got->base, got->imm, got->addr_offset, got->len);
}

START_TEST(test_each_load_store_form_decodes_to_its_hand_worked_fields)
{
	for (size_t i = 0; i < sizeof(ldst_cases) / sizeof(ldst_cases[0]); i++) {
		const struct ldst_case *c = &ldst_cases[i];
		struct rv_ldst got;

		expect(rv_decode_ldst(c->word, &got) == 0, "%s (%08x) refused", c->text, c->word);
		expect_ldst(c->text, &got, &c->f);
	}
}
END_TEST

START_TEST(test_each_load_store_form_encodes_to_its_hand_worked_word)
{
	for (size_t i = 0; i < sizeof(ldst_cases) / sizeof(ldst_cases[0]); i++) {
		const struct ldst_case *c = &ldst_cases[i];
		int64_t w = rv_enc_ldst(&c->f);

		expect(w == (int64_t)c->word, "%s: encoded %llx, expected %08x", c->text,
		       (long long)w, c->word);
	}
}
END_TEST

/* LW and C.LW/C.LWSP sign-extend, LWU does not; nothing extends 8 bytes; LBU/LHU are
 * funct3 100/101. */
START_TEST(test_sign_extension_follows_the_mnemonic)
{
	struct rv_ldst o;

	ck_assert_int_eq(rv_decode_ldst(0x00052503, &o), 0); /* lw x10,0(x10) */
	ck_assert(o.sign_extend);
	ck_assert_int_eq(rv_decode_ldst(0x00056503, &o), 0); /* lwu x10,0(x10) */
	ck_assert(!o.sign_extend);
	ck_assert_uint_eq(o.width, 4);
	ck_assert_int_eq(rv_decode_ldst(0x4108, &o), 0); /* c.lw x10,0(x10) */
	ck_assert(o.sign_extend);
	ck_assert_uint_eq(o.len, 2);
	ck_assert_int_eq(rv_decode_ldst(0x6108, &o), 0); /* c.ld x10,0(x10) */
	ck_assert(!o.sign_extend);
	ck_assert_int_eq(rv_decode_ldst(0x00054503, &o), 0); /* lbu */
	ck_assert(!o.sign_extend);
	ck_assert_int_eq(rv_decode_ldst(0x00051503, &o), 0); /* lh */
	ck_assert(o.sign_extend);
	ck_assert_uint_eq(o.width, 2);
	/* LR.W sign-extends into rd (RV64), SC's rd is a status. */
	ck_assert_int_eq(rv_decode_ldst(0x1005A52F, &o), 0); /* lr.w x10,(x11) */
	ck_assert(o.sign_extend && !o.store);
	ck_assert_int_eq(rv_decode_ldst(0x18B6252F, &o), 0); /* sc.w x10,x11,(x12) */
	ck_assert(!o.sign_extend && o.store);
}
END_TEST

/* CL/CS: rs1' and rd' are three bits naming x8..x15. */
START_TEST(test_compressed_register_fields_name_x8_to_x15)
{
	for (unsigned rs1 = 0; rs1 < 8; rs1++)
		for (unsigned rd = 0; rd < 8; rd++) {
			struct rv_ldst o;
			/* c.lw rd', 0(rs1'): funct3 010, all offset bits 0 */
			uint32_t h = 0x4000u | rs1 << 7 | rd << 2;

			ck_assert_int_eq(rv_decode_ldst(h, &o), 0);
			ck_assert_uint_eq(o.base, 8 + rs1);
			ck_assert_uint_eq(o.reg, 8 + rd);
			ck_assert_int_eq(o.imm, 0);
		}
}
END_TEST

/* The upper halfword of a compressed word is the next instruction: never read. */
START_TEST(test_compressed_word_ignores_the_next_halfword)
{
	struct rv_ldst o;

	ck_assert_int_eq(rv_decode_ldst(0xFFFF43C4u, &o), 0);
	expect_ldst("c.lw x9,4(x15) + ffff", &o, &ldst_cases[15].f);
	ck_assert_int_eq(rv_decode_ldst(0x00010000u, &o), -EINVAL); /* 0x0000 then c.nop */
}
END_TEST

START_TEST(test_reserved_and_other_words_are_refused)
{
	static const uint32_t refused[] = {
	    0x0000,     /* the all-zero halfword: illegal */
	    0x4002,     /* c.lwsp x0,0(x2): rd = 0 reserved */
	    0x4022,     /* c.lwsp x0,8(x2) */
	    0x6002,     /* c.ldsp x0,0(x2): rd = 0 reserved */
	    0x707E,     /* c.ldsp x0,504(x2) */
	    0x8000,     /* quadrant 0, funct3 100: reserved */
	    0x0040,     /* c.addi4spn: not a load/store */
	    0x0001,     /* c.nop */
	    0x9002,     /* c.ebreak */
	    0x4501,     /* c.li x10,0 (quadrant 1) */
	    0x00007003, /* LOAD funct3 111 */
	    0x00004023, /* STORE funct3 100 */
	    0x00001007, /* LOAD-FP funct3 001 (FLH, not RV64GC) */
	    0x00004007, /* LOAD-FP funct3 100 (FLQ) */
	    0x00000007, /* LOAD-FP funct3 000 (vector) */
	    0x00006027, /* STORE-FP funct3 110 (vector) */
	    0x1015B52F, /* lr.d with rs2 = 1: reserved */
	    0x2863B2AF, /* AMO funct5 00101 (not in RV64GC) */
	    0x0000002F, /* AMO funct3 000 (byte AMOs: not in RV64GC) */
	    0x0000402F, /* AMO funct3 100 */
	    0x00000013, /* nop */
	    0x00000073, /* ecall */
	    0x0000000F, /* fence */
	    0xFFFFFFFF,
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct rv_ldst o = {.width = 99};

		expect(rv_decode_ldst(refused[i], &o) == -EINVAL, "%08x accepted", refused[i]);
		expect(o.width == 99, "%08x: output written on refusal", refused[i]);
	}
	ck_assert_int_eq(rv_decode_ldst(0x00052503, NULL), -EINVAL);
}
END_TEST

/* Every halfword: the CL/CS (quadrant 0, funct3 001 010 011 101 110 111) and stack
 * (quadrant 2, the same funct3s) forms have 2^11 encodings each, less the 64 of C.LWSP
 * and the 64 of C.LDSP with rd = 0: 12 * 2048 - 128. Each decodes with length 2 and
 * encodes back to itself. */
START_TEST(test_every_halfword_decodes_as_counted_and_round_trips)
{
	unsigned n = 0;

	for (uint32_t h = 0; h < 0x10000; h++) {
		struct rv_ldst o;

		if ((h & 3) == 3 || rv_decode_ldst(h, &o))
			continue;
		n++;
		expect(o.len == 2 && o.reg < 32 && o.base < 32, "%04x: len %u", h, o.len);
		expect(rv_enc_ldst(&o) == (int64_t)h, "%04x: encodes to %llx", h,
		       (long long)rv_enc_ldst(&o));
	}
	ck_assert_uint_eq(n, 12 * 2048 - 128);
}
END_TEST

START_TEST(test_encoder_refuses_what_has_no_encoding)
{
	const struct rv_ldst bad[] = {
	    LD(4, false, 10, 10, 0, 2),  /* c.lwu: none */
	    LD(1, true, 10, 10, 0, 2),   /* c.lb: none (Zcb only) */
	    LD(4, true, 10, 10, 2, 2),   /* c.lw offset not a multiple of 4 */
	    LD(4, true, 10, 10, 128, 2), /* c.lw offset past 124 */
	    LD(4, true, 10, 10, -4, 2),  /* c.lw negative offset */
	    LD(4, true, 10, 7, 0, 2),    /* c.lw base x7: not x8..x15 */
	    LD(4, true, 16, 10, 0, 2),   /* c.lw rd x16 */
	    LD(4, true, 0, 2, 0, 2),     /* c.lwsp x0: reserved */
	    LD(8, false, 0, 2, 0, 2),    /* c.ldsp x0: reserved */
	    LD(8, false, 1, 2, 512, 2),  /* c.ldsp offset past 504 */
	    ST(4, 1, 2, 256, 2),         /* c.swsp offset past 252 */
	    FL(4, 8, 9, 0, 2),           /* c.flw: RV32 only */
	    LD(4, true, 10, 2, 2048, 4), /* offset past 2047 */
	    LD(4, true, 10, 2, -2049, 4),
	    LD(3, true, 10, 2, 0, 4), /* no 3-byte load */
	    LD(8, true, 10, 2, 0, 4), /* no sign-extending 64-bit load */
	    ST(4, 10, 2, 0, 3),       /* length 3 */
	    LD(4, true, 32, 2, 0, 4), /* x32 */
	    LD(4, true, 1, 32, 0, 4),
	    FL(2, 1, 2, 0, 4), /* FLH: not RV64GC */
	    {.width = 4, .store = true, .sign_extend = true, .reg = 1, .len = 4},
	    {.width = 4, .fp = true, .sign_extend = true, .reg = 1, .len = 4},
	    {.width = 4, .reg = 1, .len = 4, .sign_extend = true, .addr_offset = 1},
	    {.width = 4, .reg = 1, .len = 4, .sign_extend = true, .aq = true},
	    {.width = 4, .reg = 1, .len = 4, .sign_extend = true, .rs2 = 3},
	    AMO(4, RV_AMOADD, false, false, 1, 2, 3),
	    AMO(2, RV_AMOADD, false, false, 1, 2, 3), /* no halfword AMO */
	    AMO(4, RV_LR, false, false, 1, 2, 3),     /* lr with rs2 */
	    AMO(4, 0x05, false, false, 1, 2, 3),      /* reserved funct5 */
	    AMO(4, RV_AMOADD, false, false, 1, 32, 3),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rv_ldst o = bad[i];

		if (i == 25) {
			/* The valid AMO, made bad one field at a time. */
			ck_assert_int_eq(rv_enc_ldst(&o), 0x0021A0AF); /* amoadd.w x1,x2,(x3) */
			o.imm = 4;
			ck_assert_int_eq(rv_enc_ldst(&o), -EINVAL);
			o = bad[i], o.len = 2;
			ck_assert_int_eq(rv_enc_ldst(&o), -EINVAL);
			o = bad[i], o.sign_extend = false;
			ck_assert_int_eq(rv_enc_ldst(&o), -EINVAL);
			o = bad[i], o.store = false;
			ck_assert_int_eq(rv_enc_ldst(&o), -EINVAL);
			o = bad[i], o.fp = true;
			ck_assert_int_eq(rv_enc_ldst(&o), -EINVAL);
			continue;
		}
		expect(rv_enc_ldst(&o) == -EINVAL, "case %zu encoded as %llx", i,
		       (long long)rv_enc_ldst(&o));
	}
	ck_assert_int_eq(rv_enc_ldst(NULL), -EINVAL);
}
END_TEST

START_TEST(test_compressible_says_where_a_16_bit_form_exists)
{
	struct rv_ldst lw = LD(4, true, 10, 2, 8, 4), lwu = LD(4, false, 10, 2, 8, 4);
	struct rv_ldst sd = ST(8, 9, 8, 248, 4), sb = ST(1, 9, 8, 0, 4);

	ck_assert(rv_ldst_compressible(&lw));
	ck_assert(!rv_ldst_compressible(&lwu));
	ck_assert(rv_ldst_compressible(&sd));
	ck_assert(!rv_ldst_compressible(&sb));
	sd.imm = 256;
	ck_assert(!rv_ldst_compressible(&sd));
	ck_assert(!rv_ldst_compressible(NULL));
}
END_TEST

/* ---- htinst ---------------------------------------------------------------------------- */

START_TEST(test_htinst_zero_and_every_pseudoinstruction)
{
	static const struct {
		uint64_t v;
		unsigned width;
		bool write;
	} pseudo[] = {{0x2000, 4, false}, {0x3000, 8, false}, {0x2020, 4, true}, {0x3020, 8, true}};
	struct rv_htinst h;
	struct rv_ldst o;

	ck_assert_int_eq(rv_htinst_classify(0, &h), 0);
	ck_assert_int_eq(h.kind, RV_HTI_NONE);
	ck_assert(!rv_htinst_is_pseudo(0));
	ck_assert_int_eq(rv_decode_htinst_ldst(0, &o), -EINVAL);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(rv_htinst_classify(pseudo[i].v, &h), 0);
		ck_assert_int_eq(h.kind, RV_HTI_PSEUDO);
		ck_assert_uint_eq(h.width, pseudo[i].width);
		ck_assert_int_eq(h.write, pseudo[i].write);
		ck_assert(rv_htinst_is_pseudo(pseudo[i].v));
		ck_assert_int_eq(rv_htinst_pseudo_write(pseudo[i].v), pseudo[i].write);
		ck_assert_int_eq(rv_decode_htinst_ldst(pseudo[i].v, &o), -EINVAL);
	}
}
END_TEST

START_TEST(test_htinst_other_values_are_refused)
{
	static const uint64_t bad[] = {0x1000,
	                               0x2002,
	                               0x3022,
	                               0x2010,
	                               0x4000,
	                               0x00002002,
	                               (1ull << 32) | 0x3000,
	                               (1ull << 32) | 0x2483,
	                               0xFFFFFFFFFFFFFFFFull,
	                               0x2,
	                               0x00002482};
	struct rv_htinst h = {.width = 99};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect(rv_htinst_classify(bad[i], &h) == -EINVAL, "%llx classified",
		       (unsigned long long)bad[i]);
		expect(!rv_htinst_is_pseudo(bad[i]) && !rv_htinst_pseudo_write(bad[i]),
		       "%llx pseudo", (unsigned long long)bad[i]);
	}
	ck_assert_uint_eq(h.width, 99);
	ck_assert_int_eq(rv_htinst_classify(0x3000, NULL), -EINVAL);
}
END_TEST

/* 8.6.3: a compressed load's transformed instruction is its 32-bit equivalent with the
 * offset fields zeroed and bit 1 cleared. c.lw x9,4(x15) -> lw x9,0(<offset 0>) =
 * funct3 010, rd 9, 0000011 = 0x00002483 -> 0x00002481. */
START_TEST(test_htinst_transformed_compressed_load)
{
	struct rv_htinst h;
	struct rv_ldst o;
	struct rv_ldst want = LD(4, true, 9, 0, 0, 2);

	ck_assert_int_eq(rv_htinst_classify(0x2481, &h), 0);
	ck_assert_int_eq(h.kind, RV_HTI_TRANSFORMED);
	ck_assert_uint_eq(h.len, 2);
	ck_assert_uint_eq(h.insn, 0x2483);
	ck_assert_int_eq(rv_decode_htinst_ldst(0x2481, &o), 0);
	expect_ldst("htinst 2481", &o, &want);
}
END_TEST

START_TEST(test_htinst_transformed_forms)
{
	struct rv_ldst o;
	/* c.sdsp x1 -> sd x1: rs2 1, funct3 011, 0100011 = 0x00103023, bit 1 cleared */
	struct rv_ldst sd = ST(8, 1, 0, 0, 2);
	/* lhu x7 misaligned, Addr. Offset 3 in bits 19:15: 0x0001D383 */
	struct rv_ldst lhu = LD(2, false, 7, 0, 0, 4);
	/* amoswap.w x5,x6: 0x086022AF */
	struct rv_ldst amo = AMO(4, RV_AMOSWAP, false, false, 5, 6, 0);
	/* c.fldsp f8 -> fld f8: funct3 011, rd 8, 0000111 = 0x3407, bit 1 cleared */
	struct rv_ldst fld = FL(8, 8, 0, 0, 2);

	lhu.addr_offset = 3;
	ck_assert_int_eq(rv_decode_htinst_ldst(0x00103021, &o), 0);
	expect_ldst("htinst 103021", &o, &sd);
	ck_assert_int_eq(rv_decode_htinst_ldst(0x0001D383, &o), 0);
	expect_ldst("htinst 1d383", &o, &lhu);
	ck_assert_int_eq(rv_decode_htinst_ldst(0x086022AF, &o), 0);
	expect_ldst("htinst 86022af", &o, &amo);
	ck_assert_int_eq(rv_decode_htinst_ldst(0x3405, &o), 0);
	expect_ldst("htinst 3405", &o, &fld);
	/* No AMO has a compressed form: amoswap.w with bit 1 clear is refused. */
	ck_assert_int_eq(rv_decode_htinst_ldst(0x086022AD, &o), -EINVAL);
	/* Transformed, but not a load or store: ECALL, an HLV, LOAD funct3 111. */
	ck_assert_int_eq(rv_decode_htinst_ldst(0x00000073, &o), -EINVAL);
	ck_assert_int_eq(rv_decode_htinst_ldst(0x68104573, &o), -EINVAL);
	ck_assert_int_eq(rv_decode_htinst_ldst(0x00007003, &o), -EINVAL);
	ck_assert_int_eq(rv_decode_htinst_ldst(0x2483, NULL), -EINVAL);
}
END_TEST

/* ---- System instructions ------------------------------------------------------------- */

struct sys_case {
	const char *text;
	uint32_t word;
	struct rv_system s;
};

#define CSR(o, i, c, d, s1, r, w)                                                                  \
	{                                                                                          \
		.op = o, .imm = i, .csr = c, .rd = d, .rs1 = s1, .reads = r, .writes = w           \
	}

/* CSR: csr 31:20, rs1/uimm 19:15, funct3 (001 RW 010 RS 011 RC, +100 I), rd, 1110011.
 * Fences: funct7 (0001001 SFENCE.VMA, 0010001 HFENCE.VVMA, 0110001 HFENCE.GVMA), rs2, rs1,
 * 000, 00000. HLV/HSV: funct7 0110 ss S, rs2 (00000 signed, 00001 U, 00011 X) or data,
 * rs1, 100, rd. */
/* clang-format off */
static const struct sys_case sys_cases[] = {
	{"csrrs x10,0x100,x0", 0x10002573, CSR(RV_SYS_CSRRS, false, 0x100, 10, 0, true, false)},
	{"csrrw x0,0x14d,x5", 0x14D29073, CSR(RV_SYS_CSRRW, false, 0x14D, 0, 5, false, true)},
	{"csrrw x1,0x14d,x5", 0x14D290F3, CSR(RV_SYS_CSRRW, false, 0x14D, 1, 5, true, true)},
	{"csrrwi x0,0x100,31", 0x100FD073, CSR(RV_SYS_CSRRW, true, 0x100, 0, 31, false, true)},
	{"csrrci x5,0x7c0,0", 0x7C0072F3, CSR(RV_SYS_CSRRC, true, 0x7C0, 5, 0, true, false)},
	{"csrrc x6,0x144,x7", 0x1443B373, CSR(RV_SYS_CSRRC, false, 0x144, 6, 7, true, true)},
	{"csrrsi x0,0xc01,1", 0xC010E073, CSR(RV_SYS_CSRRS, true, 0xC01, 0, 1, true, true)},
	{"wfi", 0x10500073, {.op = RV_SYS_WFI}},
	{"sret", 0x10200073, {.op = RV_SYS_SRET}},
	{"sfence.vma x5,x6", 0x12628073, {.op = RV_SYS_SFENCE_VMA, .rs1 = 5, .rs2 = 6}},
	{"sfence.vma x0,x0", 0x12000073, {.op = RV_SYS_SFENCE_VMA}},
	{"hfence.vvma x5,x0", 0x22028073, {.op = RV_SYS_HFENCE_VVMA, .rs1 = 5}},
	{"hfence.gvma x10,x11", 0x62B50073, {.op = RV_SYS_HFENCE_GVMA, .rs1 = 10, .rs2 = 11}},
	{"hlv.wu x10,(x11)", 0x6815C573, {.op = RV_SYS_HLV, .rd = 10, .rs1 = 11, .width = 4}},
	{"hlv.b x1,(x2)", 0x600140F3,
	 {.op = RV_SYS_HLV, .rd = 1, .rs1 = 2, .width = 1, .sign_extend = true}},
	{"hlv.d x1,(x2)", 0x6C0140F3, {.op = RV_SYS_HLV, .rd = 1, .rs1 = 2, .width = 8}},
	{"hlvx.hu x5,(x6)", 0x643342F3, {.op = RV_SYS_HLVX, .rd = 5, .rs1 = 6, .width = 2}},
	{"hsv.d x5,(x6)", 0x6E534073, {.op = RV_SYS_HSV, .rs2 = 5, .rs1 = 6, .width = 8}},
};
/* clang-format on */

START_TEST(test_each_system_form_decodes_and_encodes_by_hand)
{
	for (size_t i = 0; i < sizeof(sys_cases) / sizeof(sys_cases[0]); i++) {
		const struct sys_case *c = &sys_cases[i];
		const struct rv_system *w = &c->s;
		struct rv_system g;

		expect(rv_decode_system(c->word, &g) == 0, "%s refused", c->text);
		expect(g.op == w->op && g.imm == w->imm && g.csr == w->csr && g.rd == w->rd &&
		           g.rs1 == w->rs1 && g.rs2 == w->rs2 && g.reads == w->reads &&
		           g.writes == w->writes && g.width == w->width &&
		           g.sign_extend == w->sign_extend,
		       "%s: op %d imm %d csr %x rd %u rs1 %u rs2 %u reads %d writes %d width %u "
		       "sign %d",
		       c->text, g.op, g.imm, g.csr, g.rd, g.rs1, g.rs2, g.reads, g.writes, g.width,
		       g.sign_extend);
		expect(rv_enc_system(w) == (int64_t)c->word, "%s: encoded %llx", c->text,
		       (long long)rv_enc_system(w));
	}
}
END_TEST

START_TEST(test_other_system_words_are_refused)
{
	static const uint32_t refused[] = {
	    0x00000073, /* ecall */
	    0x00100073, /* ebreak */
	    0x30200073, /* mret */
	    0x7B200073, /* dret */
	    0x120000F3, /* sfence.vma with rd = 1 */
	    0x10508073, /* wfi with rs1 = 1 */
	    0x105000F3, /* wfi with rd = 1 */
	    0x16000073, /* sinval.vma */
	    0x6C1140F3, /* hlv.du: none */
	    0x603140F3, /* hlvx.b: none */
	    0x6C3140F3, /* hlvx.d: none */
	    0x6A5340F3, /* hsv.w with rd = 1 */
	    0x682140F3, /* hlv.w with rs2 = 2 */
	    0x00004073, /* funct3 100, funct7 0 */
	    0x9002,     /* c.ebreak */
	    0x10002572, /* csrrs with opcode bit 0 clear */
	    0xFFC12503, /* lw */
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct rv_system s = {.rd = 99};

		expect(rv_decode_system(refused[i], &s) == -EINVAL, "%08x accepted", refused[i]);
		expect(s.rd == 99, "%08x: output written on refusal", refused[i]);
	}
	ck_assert_int_eq(rv_decode_system(0x10500073, NULL), -EINVAL);
}
END_TEST

START_TEST(test_system_encoder_refuses_what_has_no_encoding)
{
	const struct rv_system bad[] = {
	    {.op = RV_SYS_CSRRW, .csr = 0x1000},
	    {.op = RV_SYS_CSRRW, .rd = 32},
	    {.op = RV_SYS_CSRRS, .rs2 = 1},
	    {.op = RV_SYS_WFI, .rd = 1},
	    {.op = RV_SYS_SRET, .csr = 1},
	    {.op = RV_SYS_SFENCE_VMA, .rd = 1},
	    {.op = RV_SYS_HLV, .width = 8, .sign_extend = true},
	    {.op = RV_SYS_HLV, .width = 3},
	    {.op = RV_SYS_HLV, .width = 16},
	    {.op = RV_SYS_HLVX, .width = 1},
	    {.op = RV_SYS_HLVX, .width = 4, .sign_extend = true},
	    {.op = RV_SYS_HSV, .width = 4, .rd = 1},
	    {.op = RV_SYS_HLV, .width = 4, .rs2 = 1},
	    {.op = (enum rv_sys_op)99},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect(rv_enc_system(&bad[i]) == -EINVAL, "case %zu encoded", i);
	ck_assert_int_eq(rv_enc_system(NULL), -EINVAL);
}
END_TEST

START_TEST(test_fixed_words)
{
	ck_assert_uint_eq(rv_enc_ecall(), 0x00000073);
	ck_assert_uint_eq(rv_enc_ebreak(), 0x00100073);
	ck_assert_uint_eq(rv_enc_wfi(), 0x10500073);
	ck_assert_uint_eq(rv_enc_nop(), 0x00000013);
	ck_assert_uint_eq(rv_enc_c_nop(), 0x0001);
	ck_assert_uint_eq(rv_enc_c_ebreak(), 0x9002);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rvinsn");
	TCase *ls = tcase_create("ldst");
	TCase *ht = tcase_create("htinst");
	TCase *sy = tcase_create("system");

	tcase_add_test(ls, test_each_load_store_form_decodes_to_its_hand_worked_fields);
	tcase_add_test(ls, test_each_load_store_form_encodes_to_its_hand_worked_word);
	tcase_add_test(ls, test_sign_extension_follows_the_mnemonic);
	tcase_add_test(ls, test_compressed_register_fields_name_x8_to_x15);
	tcase_add_test(ls, test_compressed_word_ignores_the_next_halfword);
	tcase_add_test(ls, test_reserved_and_other_words_are_refused);
	tcase_add_test(ls, test_every_halfword_decodes_as_counted_and_round_trips);
	tcase_add_test(ls, test_encoder_refuses_what_has_no_encoding);
	tcase_add_test(ls, test_compressible_says_where_a_16_bit_form_exists);
	suite_add_tcase(s, ls);

	tcase_add_test(ht, test_htinst_zero_and_every_pseudoinstruction);
	tcase_add_test(ht, test_htinst_other_values_are_refused);
	tcase_add_test(ht, test_htinst_transformed_compressed_load);
	tcase_add_test(ht, test_htinst_transformed_forms);
	suite_add_tcase(s, ht);

	tcase_add_test(sy, test_each_system_form_decodes_and_encodes_by_hand);
	tcase_add_test(sy, test_other_system_words_are_refused);
	tcase_add_test(sy, test_system_encoder_refuses_what_has_no_encoding);
	tcase_add_test(sy, test_fixed_words);
	suite_add_tcase(s, sy);
	return s;
}
