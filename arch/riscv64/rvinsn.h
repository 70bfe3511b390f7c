/* RV64 instruction words for what a guest traps with under the H extension: the loads
 * and stores a guest-page fault reports (32-bit, compressed, FP, AMO and LR/SC), the
 * htinst values that describe them (privileged spec 20211203, 8.6.3), and the system
 * instructions a virtual-instruction exception reports in stval (Zicsr, WFI, SRET,
 * SFENCE.VMA, HFENCE.*, HLV/HLVX/HSV). Encoders build the same words (the simulation
 * host's guest engine emits them). Pure functions, no state: a bad word or a bad struct
 * gets -EINVAL, never anything else. Encodings: unprivileged spec 20191213, chapter 24
 * ("RV32/64G Instruction Set Listings") and chapter 16 ("C" extension, Tables 16.5-16.7),
 * privileged spec 20211203 chapter 8 (H) and 3.3.2 (WFI), 4.2.1 (SFENCE.VMA). */
#ifndef ARCH_RISCV64_RVINSN_H
#define ARCH_RISCV64_RVINSN_H

#include <stdbool.h>
#include <stdint.h>

/* AMO function codes, funct5 (bits 31:27) of the AMO major opcode (unprivileged 8.4). */
enum rv_amo {
	RV_AMOADD = 0x00,
	RV_AMOSWAP = 0x01,
	RV_LR = 0x02,
	RV_SC = 0x03,
	RV_AMOXOR = 0x04,
	RV_AMOOR = 0x08,
	RV_AMOAND = 0x0C,
	RV_AMOMIN = 0x10,
	RV_AMOMAX = 0x14,
	RV_AMOMINU = 0x18,
	RV_AMOMAXU = 0x1C,
};

/* One load, store, AMO, LR or SC. */
struct rv_ldst {
	unsigned width;       /* bytes: 1, 2, 4 or 8 */
	bool store;           /* writes memory: stores, SC and every AMO (not LR) */
	bool sign_extend;     /* the value is sign-extended to 64 bits: LB LH LW C.LW C.LWSP,
	                       * LR.W and the .W AMOs (RV64 sign-extends what they put in
	                       * rd); never for 8 bytes, FP or SC */
	bool fp;              /* FLW FLD FSW FSD and C.FLD C.FSD C.FLDSP C.FSDSP: reg is f<reg> */
	bool amo;             /* an AMO, LR or SC: amo_op says which (MMIO refuses them) */
	unsigned amo_op;      /* enum rv_amo; 0 unless amo */
	bool aq, rl;          /* AMO/LR/SC ordering bits; false unless amo */
	unsigned reg;         /* data register: rd of a load, LR, SC (its result) or AMO; rs2 of
	                       * a store; x0 (f0) allowed */
	unsigned rs2;         /* AMO and SC: the register whose value is written; else 0 */
	unsigned base;        /* rs1 (x2 for the SP-relative compressed forms) */
	int32_t imm;          /* byte offset from base: -2048 .. 2047 (32-bit), 0 .. 504 and
	                       * a multiple of the width (compressed); 0 for AMO/LR/SC */
	unsigned addr_offset; /* a transformed htinst only: its "Addr. Offset" field (bits 19:15,
	                       * where rs1 was; base and imm are then 0); else 0 */
	unsigned len;         /* 2 (compressed) or 4 */
};

/* A load or store word: a compressed one when (insn & 3) != 3 (only the low halfword is
 * read then), else a 32-bit one. 0, or -EINVAL for any other instruction and for the
 * reserved encodings (C.LWSP/C.LDSP with rd = 0, LR with rs2 != 0, funct3 or funct5 values
 * the ISA does not define, the all-zero halfword). */
int rv_decode_ldst(uint32_t insn, struct rv_ldst *out);

/* The word for op: compressed if op->len is 2 (-EINVAL where no compressed form holds
 * those fields), else 32-bit; -EINVAL for anything rv_decode_ldst would not give back
 * (the low halfword for a compressed word). */
int64_t rv_enc_ldst(const struct rv_ldst *op);

/* Whether a 16-bit form of op (its len aside) exists. */
bool rv_ldst_compressible(const struct rv_ldst *op);

/* ---- htinst (privileged spec 8.6.3) --------------------------------------------------- */

/* The pseudoinstructions written for a guest-page fault on an implicit access of the
 * guest's VS-stage page-table walk (8.6.3, Table 8.12). */
#define RV_HTINST_PSEUDO_READ32  0x00002000u
#define RV_HTINST_PSEUDO_READ64  0x00003000u
#define RV_HTINST_PSEUDO_WRITE32 0x00002020u
#define RV_HTINST_PSEUDO_WRITE64 0x00003020u

enum rv_htinst_kind {
	RV_HTI_NONE,        /* 0: no information, fetch the instruction from the guest */
	RV_HTI_PSEUDO,      /* an implicit access of the VS-stage walk */
	RV_HTI_TRANSFORMED, /* bit 0 set: a transformed instruction */
};

struct rv_htinst {
	enum rv_htinst_kind kind;
	unsigned width; /* RV_HTI_PSEUDO: 4 or 8 bytes */
	bool write;     /* RV_HTI_PSEUDO: the walk's write (an A/D update) */
	unsigned len;   /* RV_HTI_TRANSFORMED: 2 if bit 1 is clear (the trapping instruction
	                 * was compressed), else 4 */
	uint32_t insn;  /* RV_HTI_TRANSFORMED: the 32-bit form (bit 1 set) */
};

/* 0 and *out, or -EINVAL for a value that is none of the three (bit 0 clear and not a
 * pseudoinstruction, or bits above 31 set). */
int rv_htinst_classify(uint64_t htinst, struct rv_htinst *out);
bool rv_htinst_is_pseudo(uint64_t htinst);
/* A pseudoinstruction that is a write (false for anything else). */
bool rv_htinst_pseudo_write(uint64_t htinst);

/* A transformed load, store, AMO, LR or SC: its fields as rv_decode_ldst gives them for
 * the 32-bit form, with len from bit 1, base 0, imm 0 and addr_offset from bits 19:15
 * (the offset fields are not checked: 8.6.3 says software need not; a compressed
 * original is taken for any load or store, as Zcb has them, but never for an AMO, LR or
 * SC). -EINVAL for any other value. */
int rv_decode_htinst_ldst(uint64_t htinst, struct rv_ldst *out);

/* ---- System instructions of a virtual-instruction exception (stval) ---------------- */

enum rv_sys_op {
	RV_SYS_CSRRW,
	RV_SYS_CSRRS,
	RV_SYS_CSRRC,
	RV_SYS_WFI,
	RV_SYS_SRET,
	RV_SYS_SFENCE_VMA,
	RV_SYS_HFENCE_VVMA,
	RV_SYS_HFENCE_GVMA,
	RV_SYS_HLV,  /* HLV.B/BU/H/HU/W/WU/D */
	RV_SYS_HLVX, /* HLVX.HU/WU */
	RV_SYS_HSV,  /* HSV.B/H/W/D */
};

struct rv_system {
	enum rv_sys_op op;
	bool imm;         /* CSRRWI/CSRRSI/CSRRCI: rs1 is the 5-bit uimm */
	unsigned csr;     /* CSR ops: 0 .. 0xFFF */
	unsigned rd;      /* CSR ops, HLV, HLVX */
	unsigned rs1;     /* CSR source register or uimm; the fence's or access's address */
	unsigned rs2;     /* SFENCE/HFENCE: the ASID/VMID register; HSV: the data register */
	bool reads;       /* CSR ops: the CSR is read (CSRRW/CSRRWI with rd = x0 do not) */
	bool writes;      /* CSR ops: the CSR is written (CSRRS/C with rs1 = x0 or uimm = 0
	                   * do not) */
	unsigned width;   /* HLV/HLVX/HSV: bytes */
	bool sign_extend; /* HLV.B/H/W (not the U forms, HLV.D or HLVX) */
};

/* A 32-bit word of the set above: 0 and *out, or -EINVAL (for every other word, every
 * compressed word and the reserved forms: nonzero rd of SFENCE.VMA/HFENCE/HSV, HLVX other
 * than HU/WU, HLV.DU). */
int rv_decode_system(uint32_t insn, struct rv_system *out);

/* The word for op (reads and writes are derived, not read); -EINVAL for fields
 * rv_decode_system would not give back. */
int64_t rv_enc_system(const struct rv_system *op);

/* Fixed words. */
uint32_t rv_enc_ecall(void);
uint32_t rv_enc_ebreak(void);
uint32_t rv_enc_wfi(void);
uint32_t rv_enc_nop(void);      /* ADDI x0, x0, 0 */
uint16_t rv_enc_c_nop(void);    /* C.NOP */
uint16_t rv_enc_c_ebreak(void); /* C.EBREAK */

#endif
