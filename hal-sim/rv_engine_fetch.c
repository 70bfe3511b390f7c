/* The riscv64 engine's program as instructions in guest memory: the RV64 word each
 * action stands for, the transformed instruction htinst may report for it (privileged
 * spec 8.6.3), the loader that writes a program's (and the guest handler's) words where
 * it is entered, and the fetch, which executes an EBREAK a debugger wrote instead of the
 * action. Every access to a word is a relaxed 32-bit atomic; an EBREAK is never
 * overwritten. Encodings: unprivileged spec chapter 24 ("Instruction Set Listings") and
 * chapter 16 ("C" Standard Extension, Table 16.5 and 16.6 for the CL/CS formats). */
#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "hal-sim/engine.h"
#include "hal-sim/rv_engine_internal.h"
#include "hal/mm.h"

#define OP_LOAD 0x03u
#define OP_STORE 0x23u
#define OP_AMO 0x2Fu
#define OP_SYSTEM 0x73u
#define F3_CSRRW 1u
#define F3_CSRRS 2u
#define F3_CSRRSI 6u
#define F3_CSRRCI 7u
#define SFENCE_VMA 0x12000073u
#define T0 5u
#define T1 6u

/* RISC-V instruction fetches are little-endian (unprivileged spec 1.5). */
static uint32_t le32(uint32_t w)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? __builtin_bswap32(w) : w;
}

bool rv_is_ebreak(uint32_t word)
{
	return word == RV_EBREAK || (word & 0xFFFF) == RV_C_EBREAK;
}

static uint32_t i_type(uint32_t imm, unsigned rs1, unsigned f3, unsigned rd, uint32_t op)
{
	return (imm << 20) | ((rs1 & 31u) << 15) | (f3 << 12) | ((rd & 31u) << 7) | op;
}

static uint32_t s_type(unsigned rs2, unsigned rs1, unsigned f3, uint32_t op)
{
	return ((rs2 & 31u) << 20) | ((rs1 & 31u) << 15) | (f3 << 12) | op;
}

/* LB LH LW LD LBU LHU LWU: funct3 = size, +4 unsigned. */
static unsigned load_f3(const struct rv_op *o)
{
	return o->size + (o->sign || o->size == 3 ? 0u : 4u);
}

static uint32_t amo_word(const struct rv_op *o, unsigned rs1)
{
	static const uint32_t funct5[] = { [RV_AMO_SWAP] = 0x01, [RV_AMO_ADD] = 0x00,
					   [RV_AMO_LR] = 0x02, [RV_AMO_SC] = 0x03 };
	unsigned rs2 = o->amo == RV_AMO_LR ? 0 : o->rs2;

	return (funct5[o->amo & 3] << 27) | s_type(rs2, rs1, o->size == 3 ? 3u : 2u, OP_AMO) |
	       ((o->rd & 31u) << 7);
}

/* C.LW, C.LD (CL), C.SW, C.SD (CS) with offset 0: funct3 010/011/110/111, rs1' in
 * 9:7, rd'/rs2' in 4:2, op 00. */
static uint32_t compressed(const struct rv_op *o, bool store)
{
	unsigned f3 = (store ? 6u : 2u) + (o->size == 3);
	unsigned r = store ? o->rs2 : o->rd;

	return (f3 << 13) | (((o->rs1 - 8u) & 7u) << 7) | (((r - 8u) & 7u) << 2);
}

static uint32_t ldst_word(const struct rv_op *o, bool store, unsigned rs1)
{
	if (o->compressed)
		return compressed(o, store) | ((uint32_t)RV_C_NOP << 16);
	if (store)
		return s_type(o->rs2, rs1, o->size, OP_STORE);
	return i_type(0, rs1, load_f3(o), o->rd, OP_LOAD);
}

uint32_t rv_action_word(const struct guest_ctx *c, const struct action *a)
{
	const struct rv_op *o = &a->rv;

	switch (a->kind) {
	case ACT_LOAD:
	case ACT_WAIT64: return ldst_word(o, false, o->rs1);
	case ACT_STORE: return ldst_word(o, true, o->rs1);
	case ACT_RV_AMO: return amo_word(o, o->rs1);
	case ACT_RV_ECALL: return RV_ECALL;
	case ACT_RV_CSR:
		return o->write ? i_type(o->csr, o->rs1, F3_CSRRW, 0, OP_SYSTEM)
				: i_type(o->csr, 0, F3_CSRRS, o->rd, OP_SYSTEM);
	case ACT_RV_SFENCE: return SFENCE_VMA | ((o->rs2 & 31u) << 20) | ((o->rs1 & 31u) << 15);
	case ACT_VTIMER: /* csrw stimecmp, rs1 with Sstc; else the SBI call */
		if (c->csr[RV_HENVCFG] & ENVCFG_STCE)
			return i_type(CSR_STIMECMP, o->rs1, F3_CSRRW, 0, OP_SYSTEM);
		return RV_ECALL;
	case ACT_WFI:
	case ACT_WAIT_IRQ:
	case ACT_END: return RV_WFI;
	case ACT_MASK_IRQ: return i_type(CSR_SSTATUS, 2, F3_CSRRCI, 0, OP_SYSTEM);
	case ACT_UNMASK_IRQ: return i_type(CSR_SSTATUS, 2, F3_CSRRSI, 0, OP_SYSTEM);
	default: return RV_NOP;
	}
}

/* 8.6.3: a load's, store's or AMO's transformed instruction is the instruction (a
 * compressed one expanded to its 32-bit form) with the immediate and rs1 ("Addr.
 * Offset", 0: the fault is at the access's first byte) zeroed, and bit 1 clear for a
 * compressed original. */
uint32_t rv_transformed(const struct action *a)
{
	struct rv_op o = a->rv;
	bool was_compressed = o.compressed;
	uint32_t w;

	o.compressed = false;
	if (a->kind == ACT_RV_AMO)
		w = amo_word(&o, 0);
	else
		w = ldst_word(&o, a->kind == ACT_STORE, 0);
	return was_compressed ? w & ~2u : w;
}

uint32_t rv_handler_word(unsigned offset)
{
	switch (offset) {
	case RV_H_ENTRY: return i_type(CSR_SCAUSE, 0, F3_CSRRS, T0, OP_SYSTEM);
	case RV_H_CLAIM: return i_type(0, T1, 2, T0, OP_LOAD);
	case RV_H_DONE: return s_type(T0, T1, 2, OP_STORE);
	case RV_H_SRET: return RV_SRET;
	default: return RV_NOP;
	}
}

/* The host address of the code word at hpa, NULL where there is no RAM or the word is
 * not 4-aligned. */
static uint32_t *code_word(uint64_t hpa)
{
	void *host;

	if ((hpa & 3) || hal_phys_to_virt(pa_make(hpa), 4, &host))
		return NULL;
	return host;
}

bool rv_fetchable(uint64_t hpa)
{
	void *host;

	return hal_phys_to_virt(pa_make(hpa & ~1ull), 2, &host) == 0;
}

static void place_word(uint32_t *p, uint32_t want)
{
	uint32_t raw = le32(want), old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (old != raw && !rv_is_ebreak(le32(old)))
		if (__atomic_compare_exchange_n(p, &old, raw, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
}

static void place_at(const struct guest_ctx *c, uint64_t va, uint32_t want)
{
	struct rv_fault f;
	uint64_t hpa;
	uint32_t *p;

	if (rv_translate_walk(c, va, RV_ACC_FETCH, &hpa, &f) == 0 && (p = code_word(hpa)))
		place_word(p, want);
}

void rv_place(const struct guest_ctx *c, const struct action *acts, unsigned n, uint64_t handler)
{
	static const unsigned handler_words[] = { RV_H_ENTRY, 0x04, 0x14, 0x24, RV_H_CLAIM,
						  RV_H_DONE, RV_H_SRET };
	uint64_t entry = c->pc;

	for (unsigned i = 0; i < n; i++)
		place_at(c, entry + 4ull * i, rv_action_word(c, &acts[i]));
	if (n == 0 || acts[n - 1].kind != ACT_END)
		place_at(c, entry + 4ull * n, RV_WFI);
	for (unsigned i = 0; i < sizeof(handler_words) / sizeof(handler_words[0]); i++)
		place_at(c, handler + handler_words[i], rv_handler_word(handler_words[i]));
}

uint32_t rv_fetch(uint64_t hpa, uint32_t want)
{
	uint32_t *p = code_word(hpa);

	if (!p)
		return want;
	uint32_t word = le32(__atomic_load_n(p, __ATOMIC_RELAXED));
	if (rv_is_ebreak(word))
		return word;
	if (word != want)
		place_word(p, want);
	return want;
}
