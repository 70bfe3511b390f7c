/* A64 instruction words for the instructions a guest traps with: single-register loads and
 * stores (LDR/STR/LDRS* with an unsigned immediate or register offset, LDR/LDRSW literal,
 * LDUR/STUR, LDTR/STTR, and LDAR/STLR; the encoders build only the unsigned-offset and
 * LDAR/STLR forms), HVC, SMC, WFI, WFE, MSR/MRS (register). Encoders build the word (Arm
 * ARM C4, C6); the decoder reads a word back and derives the ESR_EL2 ISS the hardware
 * reports for it (D19.2: data abort ISS with ISV=1; HVC/SMC imm16; WFx TI; MSR/MRS ISS).
 * Pure functions: the simulation host's guest engine uses them, and they are tested against
 * capstone. */
#ifndef ARCH_AARCH64_A64_H
#define ARCH_AARCH64_A64_H

#include <stdbool.h>
#include <stdint.h>

enum a64_kind { A64_UNKNOWN, A64_LDST, A64_HVC, A64_SMC, A64_WFI, A64_WFE, A64_MSR, A64_MRS };

struct a64_ldst {
	bool store;
	unsigned size;    /* log2 of the access in bytes: 0 .. 3 */
	bool sign_extend; /* loads only: LDRSB/LDRSH/LDRSW */
	bool reg64;       /* Xt (else Wt) */
	bool acq_rel;     /* LDAR/STLR (then no sign extension, offset 0) */
	unsigned rt, rn;  /* 0 .. 31 (rt 31 is XZR/WZR, rn 31 is SP; 0 for a literal) */
	unsigned imm12;   /* unsigned-offset form: offset in access sizes, 0 .. 4095; else 0 */
};

struct a64_sysreg {
	unsigned op0, op1, crn, crm, op2; /* op0 2 or 3 */
	unsigned rt;
};

struct a64_insn {
	enum a64_kind kind;
	struct a64_ldst ldst; /* A64_LDST */
	struct a64_sysreg sys; /* A64_MSR / A64_MRS */
	uint16_t imm16;        /* A64_HVC / A64_SMC */
};

/* Encoders: -EINVAL (as a negative int64) for a combination the ISA does not have
 * (e.g. a signed 64-bit load, a sign-extending store, LDRSW into Wt, a register or
 * field out of range); otherwise the instruction word. */
int64_t a64_enc_ldst(const struct a64_ldst *op);
int64_t a64_enc_sysreg(const struct a64_sysreg *op, bool read);
uint32_t a64_enc_hvc(uint16_t imm);
uint32_t a64_enc_smc(uint16_t imm);
uint32_t a64_enc_wfi(void);
uint32_t a64_enc_wfe(void);

/* Classify a word; A64_UNKNOWN for anything outside the set above. */
void a64_decode(uint32_t insn, struct a64_insn *out);

/* The ESR_EL2 value (EC, IL=1, ISS) for a trap caused by insn, as the hardware builds
 * it: for a load/store, a data abort from a lower EL with ISV=1, SAS, SSE, SRT, SF,
 * AR, WnR and the given DFSC; for HVC/SMC the imm16; for WFI/WFE the TI bits; for
 * MSR/MRS the register fields and direction. 0 for A64_UNKNOWN, for fields no encoder
 * would accept, and for a DFSC wider than its six bits. */
uint64_t a64_trap_esr(const struct a64_insn *insn, unsigned dfsc);

#endif
