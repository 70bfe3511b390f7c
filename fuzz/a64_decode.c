/* fuzz/a64_decode: the trap syndromes of A64 words, three readers against each other.
 * capstone reads the word; from its operand details alone this target builds the
 * ESR_EL2 the hardware reports when the word traps to EL2, by the ISS layouts of the
 * Arm ARM (DDI 0487, D24.2, ESR_EL2): EC 0x24 data abort (ISV, SAS, SSE, SRT,
 * SF, AR, WnR, DFSC), EC 0x18 MSR/MRS (Op0, Op2, Op1, CRn, Rt, CRm, Direction), EC
 * 0x16/0x17 HVC/SMC (imm16), EC 0x01 WFI/WFE (CV, COND, TI). Then
 *   (a) the guest engine's syndrome for the same word, a64_trap_esr() after
 *       a64_decode() (arch/aarch64/a64.h), must be bit-identical to it, and a word the
 *       decoder does not classify must be one capstone does not read as a trapping form
 *       of that set (or one of capstone's known misreadings below);
 *   (b) that syndrome through the exit path's decoder, arch_vcpu_decode on a vCPU of a
 *       VM, must give a struct vm_exit whose register, width, sign extension, register
 *       width, acquire/release, direction and stored value (MMIO), or system register,
 *       register and direction (sysreg), agree with capstone's reading.
 * Any disagreement aborts with the word and both readings.
 *
 * Which loads and stores have a valid syndrome (ISV=1), D24.2 ESR_EL2, ISS encoding
 * for an exception from a Data Abort, field ISV: for stage-2 aborts, "AArch64 loads and
 * stores of a single general-purpose register (including the register specified with
 * 0b11111, including those with Acquire/Release semantics, but excluding Load Exclusive
 * or Store Exclusive and excluding those with writeback)". So: LDR/STR/LDRB/STRB/LDRH/
 * STRH/LDRSB/LDRSH/LDRSW in the unsigned-offset, register-offset and literal forms,
 * LDUR/STUR (unscaled), LDTR/STTR (unprivileged), LDAR/STLR, with B/H/SB/SH/SW; not pairs (LDP,
 * STP, LDNP, LDPSW), not SIMD/FP registers, not exclusives (LDXR, LDAXR, STXR, ...),
 * not pre/post-indexed forms (writeback), not PRFM (no register is loaded).
 * capstone 4.0.2 knows no v8.1+ load/store (atomics, LDAPR, LDLAR): it cannot read
 * those words, so they are outside what this target checks.
 *
 * Input: 16-byte records, one word each (a short trailing record is ignored):
 *   [0..3]   the instruction word, little-endian
 *   [4]      the data abort's DFSC: n % 11 picks a stage-2 translation fault (levels
 *            0-3), access flag fault (0-3) or permission fault (1-3)
 *   [5..7]   unused
 *   [8..15]  the value of the register the word names (Rt), for stores and MSR */
#include <capstone/capstone.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "arch/aarch64/a64.h"
#include "arch/aarch64/arch.h"
#include "arch/aarch64/sysreg.h"
#include "arch/pt_format.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"

#define REC 16
#define RAM 0x40000000ull
#define DEV 0x09000000ull

/* ESR_EL2 fields as D24.2 (ESR_EL2) lays them out, written out here rather than taken
 * from arch/aarch64/sysreg.h: this target is a second reading of the manual. */
#define EC(n) ((uint64_t)(n) << 26)
#define IL (1ull << 25)
#define DABT_ISV (1ull << 24)
#define DABT_SAS(s) ((uint64_t)(s) << 22)
#define DABT_SSE (1ull << 21)
#define DABT_SRT(r) ((uint64_t)(r) << 16)
#define DABT_SF (1ull << 15)
#define DABT_AR (1ull << 14)
#define DABT_WNR (1ull << 6)
#define WFX_CV_COND_AL ((1ull << 24) | (0xEull << 20)) /* from AArch64: CV 1, COND 0b1110 */
#define WFX_TI_WFE 1ull

/* Stage-2 fault status codes (D24.2 ESR_EL2, DFSC): translation 0b0001LL, access flag
 * 0b0010LL, permission 0b0011LL. */
static const uint8_t dfscs[11] = { 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
				    0x0A, 0x0B, 0x0D, 0x0E, 0x0F };

/* What capstone's reading says a word is, as a trap. */
enum cs_kind {
	CS_NONE,     /* not a trapping form of the set (or not an instruction to capstone) */
	CS_LDST,     /* an ISV=1 load/store: every form of them is one a64_decode classifies */
	CS_SYS,      /* MSR/MRS (register), op0 2 or 3 */
	CS_HVC,
	CS_SMC,
	CS_WFI,
	CS_WFE,
};

struct cs_reading {
	enum cs_kind kind;
	const char *form;   /* the addressing form, for messages */
	unsigned size;      /* log2 bytes */
	bool store, sse, sf, ar;
	unsigned rt;        /* 31: XZR/WZR */
	bool read;          /* MRS */
	unsigned op0, op1, crn, crm, op2;
	uint16_t imm16;
	char text[64];
};

/* The single-register loads and stores capstone names, by instruction id: the access
 * size (9: 4 or 8 bytes by the width of Rt), whether a store, sign-extending, acquire/
 * release, and the addressing family. */
enum family { FAM_PLAIN, FAM_UNSCALED, FAM_UNPRIV, FAM_ORDERED };
static const struct ldst_id {
	unsigned id, size;
	bool store, sse, ar;
	enum family fam;
} ldst_ids[] = {
	{ ARM64_INS_STRB, 0, true, false, false, FAM_PLAIN },
	{ ARM64_INS_STRH, 1, true, false, false, FAM_PLAIN },
	{ ARM64_INS_STR, 9, true, false, false, FAM_PLAIN },
	{ ARM64_INS_LDRB, 0, false, false, false, FAM_PLAIN },
	{ ARM64_INS_LDRH, 1, false, false, false, FAM_PLAIN },
	{ ARM64_INS_LDR, 9, false, false, false, FAM_PLAIN },
	{ ARM64_INS_LDRSB, 0, false, true, false, FAM_PLAIN },
	{ ARM64_INS_LDRSH, 1, false, true, false, FAM_PLAIN },
	{ ARM64_INS_LDRSW, 2, false, true, false, FAM_PLAIN },
	{ ARM64_INS_STURB, 0, true, false, false, FAM_UNSCALED },
	{ ARM64_INS_STURH, 1, true, false, false, FAM_UNSCALED },
	{ ARM64_INS_STUR, 9, true, false, false, FAM_UNSCALED },
	{ ARM64_INS_LDURB, 0, false, false, false, FAM_UNSCALED },
	{ ARM64_INS_LDURH, 1, false, false, false, FAM_UNSCALED },
	{ ARM64_INS_LDUR, 9, false, false, false, FAM_UNSCALED },
	{ ARM64_INS_LDURSB, 0, false, true, false, FAM_UNSCALED },
	{ ARM64_INS_LDURSH, 1, false, true, false, FAM_UNSCALED },
	{ ARM64_INS_LDURSW, 2, false, true, false, FAM_UNSCALED },
	{ ARM64_INS_STTRB, 0, true, false, false, FAM_UNPRIV },
	{ ARM64_INS_STTRH, 1, true, false, false, FAM_UNPRIV },
	{ ARM64_INS_STTR, 9, true, false, false, FAM_UNPRIV },
	{ ARM64_INS_LDTRB, 0, false, false, false, FAM_UNPRIV },
	{ ARM64_INS_LDTRH, 1, false, false, false, FAM_UNPRIV },
	{ ARM64_INS_LDTR, 9, false, false, false, FAM_UNPRIV },
	{ ARM64_INS_LDTRSB, 0, false, true, false, FAM_UNPRIV },
	{ ARM64_INS_LDTRSH, 1, false, true, false, FAM_UNPRIV },
	{ ARM64_INS_LDTRSW, 2, false, true, false, FAM_UNPRIV },
	{ ARM64_INS_STLRB, 0, true, false, true, FAM_ORDERED },
	{ ARM64_INS_STLRH, 1, true, false, true, FAM_ORDERED },
	{ ARM64_INS_STLR, 9, true, false, true, FAM_ORDERED },
	{ ARM64_INS_LDARB, 0, false, false, true, FAM_ORDERED },
	{ ARM64_INS_LDARH, 1, false, false, true, FAM_ORDERED },
	{ ARM64_INS_LDAR, 9, false, false, true, FAM_ORDERED },
};

/* capstone 4.0.2's known misreadings, against the Arm ARM. A word matching one is
 * taken as what the Arm ARM says it is. (Its other quirks tests/test_a64.c names do not
 * matter here: the "s3_" name it prints for op0 2 is text only, the operand detail read
 * here has the right op0; the op0 0 words it prints as "msr" are MSR (immediate) to
 * PSTATE, no EC 0x18 register move, and cs_sys takes only an operand with op0 2 or 3.)
 */
static const struct misreading {
	/* A word w matches if (w & mask) == match && (w & not_mask) != not_match. */
	uint32_t mask, match, not_mask, not_match;
	const char *capstone, *arm;
	bool ldtr; /* the Arm ARM has it as an LDTR load (ISV=1); else as no trap */
} misreadings[] = {
	/* C6.2 LDAR/STLR(B/H): Rs (20:16) and Rt2 (14:10) are should-be-one; other
	 * values are CONSTRAINED UNPREDICTABLE, which a64_decode takes as UNDEFINED. */
	{ 0x3FA08000u, 0x08808000u, 0x001F7C00u, 0x001F7C00u, "ldar/stlr with any Rs/Rt2",
	  "CONSTRAINED UNPREDICTABLE (C6.2 LDAR, STLR): decoded as unknown", false },
	/* C4.1.66 "Load/store register (unprivileged)": capstone 4.0.2 reads none of the
	 * loads with opc 01 or 11 (LDTRB/LDTRH/LDTR, LDTRSB/LDTRSH into Wt), only the
	 * stores and the opc 10 sign-extending loads. Size 1x opc 11 is unallocated. */
	{ 0x3FE00C00u, 0x38400800u, 0, 1, "not an instruction", "LDTR (C6.2), a load", true },
	{ 0xBFE00C00u, 0x38C00800u, 0, 1, "not an instruction", "LDTRSB/LDTRSH Wt (C6.2)",
	  true },
};

static csh cs;
static cs_insn *cs_one;

static const struct misreading *misread(uint32_t w)
{
	for (size_t i = 0; i < sizeof(misreadings) / sizeof(misreadings[0]); i++) {
		const struct misreading *m = &misreadings[i];
		if ((w & m->mask) == m->match && (w & m->not_mask) != m->not_match)
			return m;
	}
	return NULL;
}

/* A general-purpose register operand: its number (31 for XZR/WZR) and width. SP and
 * every SIMD/FP register are not. */
static bool cs_gpr(unsigned reg, unsigned *n, bool *x)
{
	if (reg >= ARM64_REG_W0 && reg <= ARM64_REG_W30)
		*n = reg - ARM64_REG_W0, *x = false;
	else if (reg >= ARM64_REG_X0 && reg <= ARM64_REG_X28)
		*n = reg - ARM64_REG_X0, *x = true;
	else if (reg == ARM64_REG_X29 || reg == ARM64_REG_X30)
		*n = 29 + (reg == ARM64_REG_X30), *x = true;
	else if (reg == ARM64_REG_WZR || reg == ARM64_REG_XZR)
		*n = 31, *x = reg == ARM64_REG_XZR;
	else
		return false;
	return true;
}

static bool cs_ldst(struct cs_reading *r)
{
	const cs_arm64 *a = &cs_one->detail->arm64;
	const struct ldst_id *l = NULL;

	for (size_t i = 0; i < sizeof(ldst_ids) / sizeof(ldst_ids[0]); i++)
		if (ldst_ids[i].id == cs_one->id)
			l = &ldst_ids[i];
	/* Exactly Rt and one address operand: a post-index form has a third (its
	 * immediate), a pre-index one sets writeback. */
	if (!l || a->op_count != 2 || a->writeback || a->operands[0].type != ARM64_OP_REG ||
	    !cs_gpr(a->operands[0].reg, &r->rt, &r->sf))
		return false;
	if (a->operands[1].type == ARM64_OP_IMM && l->fam == FAM_PLAIN && !l->store)
		r->form = "literal";
	else if (a->operands[1].type != ARM64_OP_MEM)
		return false;
	else if (l->fam == FAM_UNSCALED)
		r->form = "unscaled (LDUR/STUR)";
	else if (l->fam == FAM_UNPRIV)
		r->form = "unprivileged (LDTR/STTR)";
	else if (l->fam == FAM_ORDERED)
		r->form = "ordered (LDAR/STLR)";
	else if (a->operands[1].mem.index != ARM64_REG_INVALID)
		r->form = "register offset";
	else
		r->form = "unsigned offset";
	r->size = l->size == 9 ? (r->sf ? 3 : 2) : l->size;
	r->store = l->store;
	r->sse = l->sse;
	r->ar = l->ar;
	r->kind = CS_LDST;
	return true;
}

/* MRS/MSR (register): capstone's operand carries op0:op1:CRn:CRm:op2 as one number. */
static bool cs_sys(struct cs_reading *r)
{
	const cs_arm64 *a = &cs_one->detail->arm64;
	bool x = false, have_rt = false;
	unsigned enc = ~0u;

	if (a->op_count != 2)
		return false;
	for (unsigned i = 0; i < 2; i++) {
		const cs_arm64_op *o = &a->operands[i];
		if (o->type == ARM64_OP_REG_MRS || o->type == ARM64_OP_REG_MSR) {
			enc = o->reg;
			r->read = o->type == ARM64_OP_REG_MRS;
		} else if (o->type == ARM64_OP_REG) {
			have_rt = cs_gpr(o->reg, &r->rt, &x) && x;
		}
	}
	if (enc == ~0u || !have_rt || enc >> 14 < 2)
		return false;
	r->op0 = enc >> 14;
	r->op1 = (enc >> 11) & 7;
	r->crn = (enc >> 7) & 15;
	r->crm = (enc >> 3) & 15;
	r->op2 = enc & 7;
	r->kind = CS_SYS;
	return true;
}

static void cs_read(uint32_t word, struct cs_reading *r)
{
	uint8_t bytes[4] = { (uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
			     (uint8_t)(word >> 24) };
	const uint8_t *code = bytes;
	size_t size = sizeof(bytes);
	uint64_t addr = 0x1000;

	*r = (struct cs_reading){ .kind = CS_NONE };
	if (!cs_disasm_iter(cs, &code, &size, &addr, cs_one)) {
		snprintf(r->text, sizeof(r->text), "(not an instruction to capstone)");
		return;
	}
	snprintf(r->text, sizeof(r->text), "%s %s", cs_one->mnemonic, cs_one->op_str);
	const cs_arm64 *a = &cs_one->detail->arm64;
	const char *m = cs_one->mnemonic;
	if (cs_ldst(r) || cs_sys(r))
		return;
	if ((!strcmp(m, "hvc") || !strcmp(m, "smc")) && a->op_count == 1 &&
	    a->operands[0].type == ARM64_OP_IMM) {
		r->kind = m[0] == 'h' ? CS_HVC : CS_SMC;
		r->imm16 = (uint16_t)a->operands[0].imm;
	} else if (!strcmp(m, "wfi")) {
		r->kind = CS_WFI;
	} else if (!strcmp(m, "wfe")) {
		r->kind = CS_WFE;
	}
}

/* The ESR_EL2 of the trap, from capstone's reading and the ISS layouts (D24.2 ESR_EL2). */
static uint64_t cs_syndrome(const struct cs_reading *r, unsigned dfsc)
{
	switch (r->kind) {
	case CS_LDST:
		return EC(0x24) | IL | DABT_ISV | DABT_SAS(r->size) | (r->sse ? DABT_SSE : 0) |
		       DABT_SRT(r->rt) | (r->sf ? DABT_SF : 0) | (r->ar ? DABT_AR : 0) |
		       (r->store ? DABT_WNR : 0) | dfsc;
	case CS_SYS:
		/* Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1],
		 * Direction [0] (1: a read, MRS). */
		return EC(0x18) | IL | (uint64_t)r->op0 << 20 | (uint64_t)r->op2 << 17 |
		       (uint64_t)r->op1 << 14 | (uint64_t)r->crn << 10 | (uint64_t)r->rt << 5 |
		       (uint64_t)r->crm << 1 | (r->read ? 1 : 0);
	case CS_HVC: return EC(0x16) | IL | r->imm16;
	case CS_SMC: return EC(0x17) | IL | r->imm16;
	case CS_WFI: return EC(0x01) | IL | WFX_CV_COND_AL;
	case CS_WFE: return EC(0x01) | IL | WFX_CV_COND_AL | WFX_TI_WFE;
	case CS_NONE:
	default: return 0;
	}
}

__attribute__((noreturn)) static void finding(uint32_t word, const struct cs_reading *r,
					      uint64_t esr, const char *why)
{
	fprintf(stderr, "a64_decode: oracle: word 0x%08x, capstone '%s' (%s), ESR 0x%llx: %s\n",
		word, r->text, r->form ? r->form : "-", (unsigned long long)esr, why);
	abort();
}

static struct vm *vm;
static struct vcpu *vcpu;

static void machine_once(void)
{
	if (vm)
		return;
	CHECK(hal_sim_init(NULL) == 0);
	CHECK(frame_init() == 0);
	CHECK(cpu_boot_init() == 0);
	CHECK(cpu_init_this() == 0);
	sched_init(SCHED_STATIC, 0);
	log_set_level(LOG_ERROR);
	struct vm_config cfg = {
		.name = "a64", .nvcpus = 1, .entry = { RAM }, .nmem = 1,
		.mem = { { { RAM }, 16 * 4096, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } },
	};
	CHECK(vm_create(&cfg, &vm) == 0);
	vcpu = vm_vcpu(vm, 0);
	CHECK(vcpu_bind(vcpu) == 0);
	CHECK(cs_open(CS_ARCH_ARM64, CS_MODE_LITTLE_ENDIAN, &cs) == CS_ERR_OK);
	CHECK(cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK);
	cs_one = cs_malloc(cs);
	CHECK(cs_one);
}

/* (b) The data abort's exit: an MMIO access described as capstone reads the word. */
static void check_mmio_exit(uint32_t word, const struct cs_reading *r, uint64_t esr,
			    const struct vm_exit *e, uint64_t value)
{
	const struct exit_mmio *m = &e->mmio;
	uint64_t rt = r->rt == 31 ? 0 : value; /* XZR stores zero */
	uint64_t want = r->size == 3 ? rt : rt & ((1ull << (8u << r->size)) - 1);

	if (e->kind != EXIT_STAGE2_FAULT || !e->mmio_valid)
		finding(word, r, esr, "the exit is not a described stage-2 access");
	if ((e->u.fault.access == PT_W) != r->store)
		finding(word, r, esr, "the exit's direction is not the word's");
	if (m->width != 1u << r->size)
		finding(word, r, esr, "the exit's access width is not the word's");
	if (m->reg != r->rt)
		finding(word, r, esr, "the exit's register is not the word's Rt");
	if (m->sign_extend != r->sse)
		finding(word, r, esr, "the exit's sign extension is not the word's");
	if (m->reg64 != r->sf)
		finding(word, r, esr, "the exit's register width is not the word's");
	if (m->acq_rel != r->ar)
		finding(word, r, esr, "the exit's acquire/release is not the word's");
	if (r->store && m->value != want)
		finding(word, r, esr, "the exit's stored value is not Rt cut to the width");
}

/* (b) The MSR/MRS exit: the register, Rt and direction capstone reads. */
static void check_sys_exit(uint32_t word, const struct cs_reading *r, uint64_t esr,
			   const struct vm_exit *e, uint64_t value)
{
	uint32_t id = (uint32_t)(esr & 0x3FFC1Eu); /* the ISS without Rt and Direction */
	bool ipi = id == ((3u << 20) | (5u << 17) | (12u << 10) | (11u << 1)); /* ICC_SGI1R_EL1 */
	bool dropped = id == ((3u << 20) | (6u << 17) | (12u << 10) | (11u << 1)) ||
		       id == ((3u << 20) | (7u << 17) | (12u << 10) | (11u << 1));
	enum exit_kind want = r->read ? EXIT_SYSREG_READ : EXIT_SYSREG_WRITE;

	if (!r->read && (ipi || dropped))
		want = ipi ? EXIT_IPI : EXIT_NOTHING; /* ICC_SGI1R / ICC_ASGI1R, ICC_SGI0R */
	if (e->kind != want)
		finding(word, r, esr, "the exit's kind is not the word's direction");
	if (e->u.sysreg.id != id)
		finding(word, r, esr, "the exit's system register is not the word's");
	if (e->u.sysreg.reg != r->rt)
		finding(word, r, esr, "the exit's register is not the word's Rt");
	if (!r->read && e->u.sysreg.value != (r->rt == 31 ? 0 : value))
		finding(word, r, esr, "the exit's written value is not Rt's");
}

static void check_exit(uint32_t word, const struct cs_reading *r, uint64_t esr, uint64_t value)
{
	struct arch_vcpu *a = &vcpu->arch;
	uint64_t ipa = RAM + 0x123;
	struct guest_exit t = { .type = TRAP_SYNC, .esr = esr, .far = ipa,
				.hpfar = ((ipa >> 12) << 4) };
	struct vm_exit e;

	a->ctx.pstate = 0x3C5; /* EL1h, AArch64 */
	if (r->rt < 31)
		a->ctx.x[r->rt] = value;
	arch_vcpu_decode(a, &t, &e);
	if (r->kind == CS_LDST)
		check_mmio_exit(word, r, esr, &e, value);
	else if (r->kind == CS_SYS)
		check_sys_exit(word, r, esr, &e, value);
	else if (r->kind == CS_WFI && e.kind != EXIT_HALT)
		finding(word, r, esr, "a WFI's exit is not a halt");
	else if (r->kind == CS_WFE && e.kind != EXIT_YIELD)
		finding(word, r, esr, "a WFE's exit is not a yield");
	a->ctx.hcr_el2 = 0; /* whatever an injected abort left */
}

static void one_word(const uint8_t *rec)
{
	uint32_t word = (uint32_t)le(rec, 4);
	unsigned dfsc = dfscs[rec[4] % 11];
	uint64_t value = le(rec + 8, 8);
	struct cs_reading r;
	struct a64_insn insn;

	cs_read(word, &r);
	a64_decode(word, &insn);
	uint64_t engine = a64_trap_esr(&insn, dfsc);
	const struct misreading *mis = misread(word);
	if (mis && mis->ldtr) {
		/* The Arm ARM's reading instead of capstone's: size[31:30], opc<1> sign
		 * extends (into Wt: opc 11), Rt[4:0], a load. */
		r = (struct cs_reading){ .kind = CS_LDST, .form = "unprivileged (LDTR/STTR)",
					 .size = word >> 30, .sse = (word >> 23) & 1,
					 .sf = word >> 30 == 3, .rt = word & 31 };
		snprintf(r.text, sizeof(r.text), "(%s)", mis->arm);
	} else if (mis) {
		/* Taken as the Arm ARM has it; the decoder must agree. */
		if (insn.kind != A64_UNKNOWN)
			finding(word, &r, engine, "a word capstone misreads is classified");
		return;
	}
	uint64_t want = cs_syndrome(&r, dfsc);
	if (insn.kind == A64_UNKNOWN) {
		if (r.kind != CS_NONE)
			finding(word, &r, want, "a trapping word the decoder does not classify");
	} else if (r.kind == CS_NONE) {
		finding(word, &r, engine, "the decoder classifies a word capstone says is no trap");
	} else if (engine != want) {
		fprintf(stderr, "a64_decode: engine ESR 0x%llx, capstone's 0x%llx\n",
			(unsigned long long)engine, (unsigned long long)want);
		finding(word, &r, want, "the engine's syndrome differs from capstone's");
	}
	if (r.kind != CS_NONE)
		check_exit(word, &r, want, value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	machine_once();
	for (; size >= REC; data += REC, size -= REC)
		one_word(data);
	return 0;
}
