/* fuzz/rv_decode: the RV64 decoders and encoders of arch/riscv64/rvinsn.h against each
 * other. Every 32-bit word of the input goes through rv_decode_ldst, rv_decode_system,
 * rv_htinst_classify and rv_decode_htinst_ldst; each record's bytes also build an
 * arbitrary struct rv_ldst and struct rv_system (fields out of range included) for the
 * encoders. Checked, aborting on the first disagreement:
 *   - a decoded load/store has width 1, 2, 4 or 8, registers below 32, length 2 for a
 *     word with (w & 3) != 3 and 4 otherwise, the flags the ISA allows together (no sign
 *     extension of 8 bytes, of an FP value or of a store; AMOs are 4 or 8 bytes, 32-bit);
 *     its encoding is the word (its low halfword when compressed), and that word decodes
 *     to the same fields;
 *   - a decoded system instruction encodes back to the word; a CSR op's reads/writes
 *     follow Table 9.1 of the unprivileged spec;
 *   - htinst: 0, the four pseudoinstructions and odd values below 2^32 are classified,
 *     nothing else; a transformed value decodes as a load/store exactly when its 32-bit
 *     form (bit 1 set) does (an AMO never with bit 1 clear), with the same fields but
 *     base 0, imm 0, the Addr. Offset of bits 19:15 and the length from bit 1; bits
 *     above 31 are always refused;
 *   - an encoder that accepts a struct gives a word that decodes back to that struct.
 *
 * Input: 16-byte records (a short trailing record is ignored):
 *   [0..15]  four little-endian words, each through every decoder
 *   [0..3]   also the word's upper htinst half for a second classification
 *   [4]      width (low nibble); [5] flags: store 1, sign 2, fp 4, amo 8, aq 16, rl 32,
 *            system imm 64; [6] amo_op (low 6 bits); [7] reg / rd; [8] rs2; [9] base /
 *            rs1 (low 6 bits: 32 .. 63 are out of range); [10..11] imm (signed) and csr
 *            (low 13 bits); [12] addr_offset; [13] len (low 3 bits); [14] system op
 *            (mod 12: one past the last). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arch/riscv64/rvinsn.h"
#include "fuzz/fuzz_util.h"
#include "hal/err.h"

#define REC 16

static uint32_t cur_word;

void fuzz_on_failure(void)
{
	fprintf(stderr, "rv_decode: oracle: word %08x\n", cur_word);
}

static bool same_ldst(const struct rv_ldst *a, const struct rv_ldst *b)
{
	return a->width == b->width && a->store == b->store && a->sign_extend == b->sign_extend &&
	       a->fp == b->fp && a->amo == b->amo && a->amo_op == b->amo_op && a->aq == b->aq &&
	       a->rl == b->rl && a->reg == b->reg && a->rs2 == b->rs2 && a->base == b->base &&
	       a->imm == b->imm && a->addr_offset == b->addr_offset && a->len == b->len;
}

static bool same_sys(const struct rv_system *a, const struct rv_system *b)
{
	return a->op == b->op && a->imm == b->imm && a->csr == b->csr && a->rd == b->rd &&
	       a->rs1 == b->rs1 && a->rs2 == b->rs2 && a->reads == b->reads &&
	       a->writes == b->writes && a->width == b->width && a->sign_extend == b->sign_extend;
}

static void check_ldst_shape(const struct rv_ldst *o)
{
	CHECK(o->width == 1 || o->width == 2 || o->width == 4 || o->width == 8);
	CHECK(o->reg < 32 && o->rs2 < 32 && o->base < 32 && o->addr_offset < 32);
	CHECK(o->len == 2 || o->len == 4);
	CHECK(!o->sign_extend || (o->width < 8 && !o->fp && !(o->store && !o->amo)));
	if (o->amo) {
		CHECK(o->width >= 4 && !o->fp && o->imm == 0 && o->len == 4);
		CHECK(o->store == (o->amo_op != RV_LR));
	} else {
		CHECK(o->amo_op == 0 && !o->aq && !o->rl && o->rs2 == 0);
		CHECK(!o->fp || o->width >= 4);
	}
	CHECK(o->len == 2 ? o->imm >= 0 && o->imm <= 504 : o->imm >= -2048 && o->imm <= 2047);
}

static void check_ldst_word(uint32_t w)
{
	struct rv_ldst o, again;

	if (rv_decode_ldst(w, &o))
		return;
	check_ldst_shape(&o);
	CHECK(o.addr_offset == 0);
	CHECK(o.len == ((w & 3) == 3 ? 4u : 2u));
	if (o.len == 2)
		CHECK(o.imm >= 0 && !o.amo);
	int64_t e = rv_enc_ldst(&o);
	CHECK(e == (int64_t)(o.len == 2 ? w & 0xFFFFu : w));
	CHECK(rv_decode_ldst((uint32_t)e, &again) == 0 && same_ldst(&o, &again));
	/* A 32-bit form whose fields fit a compressed one says so, and the two agree. */
	if (rv_ldst_compressible(&o)) {
		again = o;
		again.len = 2;
		e = rv_enc_ldst(&again);
		CHECK(e >= 0 && (e & 3) != 3);
		struct rv_ldst c;
		CHECK(rv_decode_ldst((uint32_t)e, &c) == 0 && same_ldst(&c, &again));
	}
}

static void check_system_word(uint32_t w)
{
	struct rv_system s, again;

	if (rv_decode_system(w, &s))
		return;
	CHECK((w & 0x7F) == 0x73);
	CHECK(s.rd < 32 && s.rs1 < 32 && s.rs2 < 32 && s.csr < 4096);
	switch (s.op) {
	case RV_SYS_CSRRW: CHECK(s.writes && s.reads == (s.rd != 0)); break;
	case RV_SYS_CSRRS:
	case RV_SYS_CSRRC: CHECK(s.reads && s.writes == (s.rs1 != 0)); break;
	case RV_SYS_HLV:
	case RV_SYS_HLVX:
	case RV_SYS_HSV:
		CHECK(s.width == 1 || s.width == 2 || s.width == 4 || s.width == 8);
		CHECK(!s.sign_extend || (s.op == RV_SYS_HLV && s.width < 8));
		break;
	default: CHECK(!s.reads && !s.writes && s.width == 0);
	}
	int64_t e = rv_enc_system(&s);
	CHECK(e == (int64_t)w);
	CHECK(rv_decode_system(w, &again) == 0 && same_sys(&s, &again));
}

static void check_htinst(uint64_t v)
{
	struct rv_htinst h;
	struct rv_ldst t, o;
	int err = rv_htinst_classify(v, &h);
	bool pseudo = v == 0x2000 || v == 0x3000 || v == 0x2020 || v == 0x3020;

	CHECK(rv_htinst_is_pseudo(v) == pseudo);
	CHECK(rv_htinst_pseudo_write(v) == (pseudo && (v & 0x20)));
	if (v >> 32 || (!(v & 1) && !pseudo && v != 0)) {
		CHECK(err == -EINVAL);
		CHECK(rv_decode_htinst_ldst(v, &t) == -EINVAL);
		return;
	}
	CHECK(err == 0);
	if (!(v & 1)) {
		CHECK(h.kind == (v ? RV_HTI_PSEUDO : RV_HTI_NONE));
		if (v)
			CHECK(h.width == (v & 0x1000 ? 8u : 4u) && h.write == ((v & 0x20) != 0));
		CHECK(rv_decode_htinst_ldst(v, &t) == -EINVAL);
		return;
	}
	CHECK(h.kind == RV_HTI_TRANSFORMED && h.insn == ((uint32_t)v | 2u));
	CHECK(h.len == (v & 2 ? 4u : 2u));
	int terr = rv_decode_htinst_ldst(v, &t);
	int oerr = rv_decode_ldst(h.insn, &o);
	CHECK((terr == 0) == (oerr == 0 && !(o.amo && h.len == 2)));
	if (terr)
		return;
	check_ldst_shape(&t);
	o.addr_offset = (h.insn >> 15) & 31;
	o.base = 0;
	o.imm = 0;
	o.len = h.len;
	CHECK(same_ldst(&o, &t));
}

static void check_ldst_encoder(const uint8_t *r)
{
	struct rv_ldst op = {
	    .width = r[4] & 15u,
	    .store = r[5] & 1,
	    .sign_extend = r[5] & 2,
	    .fp = r[5] & 4,
	    .amo = r[5] & 8,
	    .aq = r[5] & 16,
	    .rl = r[5] & 32,
	    .amo_op = r[6] & 63u,
	    .reg = r[7] & 63u,
	    .rs2 = r[8] & 63u,
	    .base = r[9] & 63u,
	    .imm = (int16_t)le(r + 10, 2),
	    .addr_offset = r[12] & 1 ? r[12] >> 1 : 0,
	    .len = r[13] & 7u,
	};
	struct rv_ldst back;
	int64_t e = rv_enc_ldst(&op);

	if (e < 0) {
		CHECK(e == -EINVAL);
		return;
	}
	CHECK(e <= 0xFFFFFFFF && ((e & 3) == 3) == (op.len == 4));
	CHECK(rv_decode_ldst((uint32_t)e, &back) == 0 && same_ldst(&op, &back));
}

static void check_system_encoder(const uint8_t *r)
{
	struct rv_system op = {
	    .op = (enum rv_sys_op)(r[14] % 12u),
	    .imm = r[5] & 64,
	    .csr = (unsigned)le(r + 10, 2) & 0x1FFFu,
	    .rd = r[7] & 63u,
	    .rs1 = r[9] & 63u,
	    .rs2 = r[8] & 63u,
	    .width = r[4] & 15u,
	    .sign_extend = r[5] & 2,
	};
	struct rv_system back;
	int64_t e = rv_enc_system(&op);

	if (e < 0) {
		CHECK(e == -EINVAL);
		return;
	}
	CHECK(rv_decode_system((uint32_t)e, &back) == 0);
	/* reads and writes are derived: take the decoder's, compare the rest */
	op.reads = back.reads;
	op.writes = back.writes;
	CHECK(same_sys(&op, &back));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t at = 0; at + REC <= size; at += REC) {
		const uint8_t *r = data + at;

		for (unsigned i = 0; i < REC; i += 4) {
			cur_word = (uint32_t)le(r + i, 4);
			check_ldst_word(cur_word);
			check_system_word(cur_word);
			check_htinst(cur_word);
		}
		cur_word = (uint32_t)le(r, 4);
		check_htinst((uint64_t)le(r + 4, 4) << 32 | cur_word);
		check_ldst_encoder(r);
		check_system_encoder(r);
	}
	return 0;
}
