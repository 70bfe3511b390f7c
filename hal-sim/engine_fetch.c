/* The guest engine's program as instructions in guest memory (engine.c runs them): the
 * A64 word each action stands for, the loader that writes a program's words where it is
 * entered, and the fetch that reads the word at the PC, so that a debugger that writes a
 * BRK into guest memory, and later the original word back, sees what hardware would show
 * it. Guest memory is reached through the engine's own stage-2 walk. vCPUs on other
 * pCPUs may run, and a debugger patch, the same words: every access to a word is a
 * relaxed 32-bit atomic (an aligned word is single-copy atomic, Arm ARM B2.2.1). Never
 * writes over a BRK, which only a debugger (or the guest itself) puts there. */
#include "arch/aarch64/ctx.h"
#include "arch/aarch64/sysreg.h"
#include "hal-sim/engine.h"
#include "hal-sim/engine_internal.h"
#include "hal/mm.h"

/* MSR DAIFSet / DAIFClr, #2 (Arm ARM C6.2 "MSR (immediate)"): 1101 0101 0000 0 op1 0100
 * CRm op2 11111, with op1 = 011, CRm = the DAIF mask (#2: I alone) and op2 = 110
 * (DAIFSet) or 111 (DAIFClr). */
#define MSR_DAIFSET_I 0xD50342DFu
#define MSR_DAIFCLR_I 0xD50342FFu

/* A64 instruction fetches are little-endian whatever SCTLR_ELx.EE says, and so are the
 * words a debugger reads and writes: in the host's order here. */
static uint32_t le32(uint32_t w)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? __builtin_bswap32(w) : w;
}

bool engine_is_brk(uint32_t word)
{
	return (word & A64_BRK_MASK) == A64_BRK;
}

uint32_t engine_action_word(const struct action *a)
{
	int64_t w;

	switch (a->kind) {
	case ACT_LOAD:
	case ACT_STORE:
	case ACT_WAIT64: w = a64_enc_ldst(&a->ldst); break;
	case ACT_MSR:
	case ACT_MRS: w = a64_enc_sysreg(&a->sys, a->kind == ACT_MRS); break;
	case ACT_HVC: return a64_enc_hvc(a->imm);
	case ACT_SMC: return a64_enc_smc(a->imm);
	/* Actions that wait trap as a WFI: the word a hypervisor finds at their PC. */
	case ACT_WFI:
	case ACT_WAIT_IRQ:
	case ACT_END: return a64_enc_wfi();
	case ACT_WFE: return a64_enc_wfe();
	case ACT_MASK_IRQ: return MSR_DAIFSET_I;
	case ACT_UNMASK_IRQ: return MSR_DAIFCLR_I;
	/* Register moves, checks, spins and the timer set-up: no one word is the truth. */
	default: return A64_NOP;
	}
	/* A field no encoder takes (the engine runs the action all the same). */
	return w < 0 ? A64_NOP : (uint32_t)w;
}

/* The host address of the code word at pa, NULL where there is no RAM (or the word is
 * not aligned: a PC alignment fault on hardware, which the engine does not model). */
static uint32_t *code_word(paddr_t pa)
{
	void *host;

	if ((pa_bits(pa) & 3) || hal_phys_to_virt(pa, 4, &host))
		return NULL;
	return host;
}

/* Write want over the word at p unless it is already there or a BRK is: the compare
 * and exchange loses to a BRK that a debugger writes meanwhile. */
static void place_word(uint32_t *p, uint32_t want)
{
	uint32_t raw = le32(want), old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (old != raw && !engine_is_brk(le32(old)))
		if (__atomic_compare_exchange_n(p, &old, raw, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
}

/* Where the PE fetches va from: the stage-2 walk for an instruction fetch (the guest's
 * MMU is off, VA == IPA). Also where the guest may not write: the loader may. */
static uint32_t *fetch_word(const struct guest_ctx *c, uint64_t va)
{
	paddr_t pa;

	if (engine_s2_walk(c->vttbr_el2, c->vtcr_el2, gpa_of_flat(gva_make(va)), ACC_X,
			   &pa))
		return NULL;
	return code_word(pa);
}

void engine_place(const struct guest_ctx *c, const struct action *acts, unsigned n)
{
	uint64_t entry = c->pc;

	for (unsigned i = 0; i < n; i++) {
		uint32_t *p = fetch_word(c, entry + 4ull * i);
		if (p) /* else not mapped yet (lazy RAM): the fetch places it */
			place_word(p, engine_action_word(&acts[i]));
	}
	/* Without an END the program's final WFI follows its last action. */
	if (n == 0 || acts[n - 1].kind != ACT_END) {
		uint32_t *p = fetch_word(c, entry + 4ull * n);
		if (p)
			place_word(p, a64_enc_wfi());
	}
}

uint32_t engine_fetch(paddr_t pa, uint32_t want)
{
	uint32_t *p = code_word(pa);

	if (!p)
		return want;
	uint32_t word = le32(__atomic_load_n(p, __ATOMIC_RELAXED));
	if (engine_is_brk(word))
		return word;
	if (word != want) /* a page mapped after the entry, or code the guest overwrote */
		place_word(p, want);
	return want;
}
