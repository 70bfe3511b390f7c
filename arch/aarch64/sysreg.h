/* aarch64 architectural encodings used by the trap and injection paths, named as the
 * Arm ARM spells them (DDI 0487: D19 for the registers, D1 for exception entry). */
#ifndef ARCH_AARCH64_SYSREG_H
#define ARCH_AARCH64_SYSREG_H

#include <stdint.h>

/* ESR_ELx (D19.2): EC[31:26], IL[25], ISS[24:0]. */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr) (((esr) >> ESR_EC_SHIFT) & 0x3Full)
#define ESR_IL (1ull << 25)
#define ESR_ISS(esr) ((esr) & 0x1FFFFFFull)

/* Exception classes (D19.2, ESR_EL2.EC). */
#define EC_UNKNOWN 0x00
#define EC_WFx 0x01
#define EC_FP_ASIMD 0x07
#define EC_ILLEGAL_STATE 0x0E
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYS64 0x18
#define EC_SVE 0x19
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_FP_EXC64 0x2C
#define EC_SERROR 0x2F
#define EC_BKPT_LOW 0x30    /* hardware breakpoint from a lower EL */
#define EC_SSTEP_LOW 0x32   /* software step from a lower EL */
#define EC_SSTEP_CUR 0x33   /* software step from the same EL */
#define EC_WATCHPT_LOW 0x34
#define EC_BRK64 0x3C
#define EC_MAX 0x3F

/* WFx ISS: CV[24] and COND[23:20] (0b1110: always), TI[1:0], 0b00 WFI, 0b01 WFE. */
#define ISS_WFX_TI_WFE 0x1ull
#define ISS_WFX_CV_AL ((1ull << 24) | (0xEull << 20))

/* HVC/SMC ISS: imm16. */
#define ISS_IMM16(iss) ((iss) & 0xFFFFull)
/* A software step exception (EC 0x32/0x33): ISV [24] (EX valid), EX [6] (the stepped
 * instruction was a load-exclusive), IFSC 0x22 (debug exception). */
#define ISS_SSTEP_ISV (1ull << 24)
#define ISS_SSTEP_EX (1ull << 6)
#define ISS_SSTEP_IFSC 0x22ull

/* Data abort ISS (D19.2, "ISS encoding for an exception from a Data Abort"). */
#define ISS_DABT_ISV (1ull << 24)
#define ISS_DABT_SAS(iss) (((iss) >> 22) & 0x3ull)
#define ISS_DABT_SSE (1ull << 21)
#define ISS_DABT_SRT(iss) (((iss) >> 16) & 0x1Full)
#define ISS_DABT_SF (1ull << 15)
#define ISS_DABT_AR (1ull << 14)
#define ISS_DABT_S1PTW (1ull << 7)
#define ISS_DABT_WNR (1ull << 6)
#define ISS_FSC(iss) ((iss) & 0x3Full)
#define FSC_TRANS_L0 0x04 /* 0x04-0x07: translation fault, level 0-3 */
#define FSC_ACCESS_L0 0x08 /* 0x08-0x0B: access flag fault */
#define FSC_PERM_L0 0x0C /* 0x0C-0x0F: permission fault */
#define FSC_SYNC_EXT 0x10 /* synchronous external abort, not on a table walk */

/* MSR/MRS trap ISS (EC 0x18): Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5]
 * CRm[4:1] Direction[0] (1: read, MRS). */
#define ISS_SYS_DIR_READ 0x1ull
#define ISS_SYS_RT(iss) (((iss) >> 5) & 0x1Full)
#define ISS_SYS_ID(iss) ((iss) & 0x3FFC1Eull) /* the register, without Rt and Dir */
#define SYSREG_ISS(op0, op1, crn, crm, op2)                                        \
	(((unsigned long long)(op0) << 20) | ((unsigned long long)(op2) << 17) |  \
	 ((unsigned long long)(op1) << 14) | ((unsigned long long)(crn) << 10) |  \
	 ((unsigned long long)(crm) << 1))

/* GICv3 SGI generation registers: with HCR_EL2.IMO set, a guest's write traps. */
#define SYSREG_ICC_SGI1R SYSREG_ISS(3, 0, 12, 11, 5)
#define SYSREG_ICC_ASGI1R SYSREG_ISS(3, 0, 12, 11, 6)
#define SYSREG_ICC_SGI0R SYSREG_ISS(3, 0, 12, 11, 7)

/* HPFAR_EL2.FIPA[43:4] holds IPA[51:12] (D19.2 HPFAR_EL2). */
#define HPFAR_FIPA_MASK 0x00000FFFFFFFFFF0ull

/* SPSR/PSTATE (D1.3, C5.2). */
#define PSR_MODE_MASK 0x1Full
#define PSR_MODE_EL0t 0x0ull
#define PSR_MODE_EL1t 0x4ull
#define PSR_MODE_EL1h 0x5ull
#define PSR_MODE_AARCH32 0x10ull
#define PSR_F (1ull << 6)
#define PSR_I (1ull << 7)
#define PSR_A (1ull << 8)
#define PSR_D (1ull << 9)
#define PSR_IL (1ull << 20)
#define PSR_SS (1ull << 21)

/* Vector offsets from VBAR_EL1 (D1.10.2): by where the exception came from ... */
#define VEC_CUR_SP0 0x000
#define VEC_CUR_SPX 0x200
#define VEC_LOWER_A64 0x400
#define VEC_LOWER_A32 0x600
/* ... and by its type. */
#define VEC_SYNC 0x000
#define VEC_IRQ 0x080
#define VEC_FIQ 0x100
#define VEC_SERROR 0x180

/* HCR_EL2 (D19.2). */
#define HCR_VM (1ull << 0)
#define HCR_SWIO (1ull << 1)
#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)
#define HCR_AMO (1ull << 5)
#define HCR_VF (1ull << 6)
#define HCR_VI (1ull << 7)
#define HCR_VSE (1ull << 8)
#define HCR_FB (1ull << 9)
#define HCR_BSU_INNER (1ull << 10)
#define HCR_TWI (1ull << 13)
#define HCR_TWE (1ull << 14)
#define HCR_TSC (1ull << 19)
#define HCR_TID3 (1ull << 18)
#define HCR_TIDCP (1ull << 20)
#define HCR_TACR (1ull << 21)
#define HCR_RW (1ull << 31)

/* MDCR_EL2 (Arm ARM, "MDCR_EL2, Monitor Debug Configuration Register"). HPMN: the
 * event counters EL1 and EL0 may reach (reset: PMCR_EL0.N; 0 is CONSTRAINED
 * UNPREDICTABLE without FEAT_HPMN0). TPMCR traps PMCR_EL0, TPM every PMU register;
 * TDE routes debug exceptions to EL2; TDA traps the debug registers that TDOSA (the OS
 * lock and power-down registers) and TDRA (MDRAR_EL1) do not. All traps are EC 0x18. */
#define MDCR_HPMN_MASK 0x1Full
#define MDCR_TPMCR (1ull << 5)
#define MDCR_TPM (1ull << 6)
#define MDCR_HPME (1ull << 7)
#define MDCR_TDE (1ull << 8)
#define MDCR_TDA (1ull << 9)
#define MDCR_TDOSA (1ull << 10)
#define MDCR_TDRA (1ull << 11)

/* MDSCR_EL1 (Arm ARM D24.3): SS [0] software step, KDE [13] debug exceptions at the
 * kernel's EL, MDE [15] breakpoints and watchpoints. */
#define MDSCR_SS (1ull << 0)
#define MDSCR_KDE (1ull << 13)
#define MDSCR_MDE (1ull << 15)

/* BRK #imm16: 0xD4200000 | imm16 << 5 (C6.2 "BRK"). */
#define A64_BRK_MASK 0xFFE0001Fu
#define A64_BRK 0xD4200000u
#define A64_BRK_IMM(w) (((w) >> 5) & 0xFFFFu)
#define A64_NOP 0xD503201Fu

/* MPIDR_EL1 (D19.2): Aff3[39:32], U[30], MT[24], Aff2[23:16], Aff1[15:8], Aff0[7:0];
 * bit 31 is RES1. */
#define MPIDR_RES1 (1ull << 31)
#define MPIDR_AFF_MASK 0xFF00FFFFFFull
#define MPIDR_AFF1_SHIFT 8

/* CNTV_CTL_EL0 (D24.10): ENABLE [0], IMASK [1], ISTATUS [2] (read-only: the timer
 * condition is met). */
#define CNTV_CTL_ENABLE (1ull << 0)
#define CNTV_CTL_IMASK (1ull << 1)
#define CNTV_CTL_ISTATUS (1ull << 2)
#define CNTV_CTL_WRITABLE (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)

/* SCTLR_EL1 at a vCPU's reset: bits 29, 28, 23, 22 and 11 (RES1 in Armv8.0), nTWE
 * and nTWI (18, 16: EL0's WFE and WFI not trapped to EL1), CP15BEN and SA0 (5, 4), and
 * M, C and I clear: the MMU and the caches off. */
#define SCTLR_EL1_RESET 0x30C50830ull
#define MPIDR_AFF_FIELD 0xFFull

/* Tandem numbers a VM's vCPUs as a GICv3 target list can name them in one SGI: index
 * i is Aff1 = i / 16, Aff0 = i % 16 (Aff0 0-15 per list, ICC_SGI1R_EL1). */
#define VCPUS_PER_AFF1 16u

static inline uint64_t mpidr_of_vcpu_index(unsigned index)
{
	return ((uint64_t)(index / VCPUS_PER_AFF1) << MPIDR_AFF1_SHIFT) | (index % VCPUS_PER_AFF1);
}

/* The inverse, for an MPIDR that mpidr_of_vcpu_index made. */
static inline unsigned vcpu_index_of_mpidr(uint64_t mpidr)
{
	return (unsigned)((mpidr >> MPIDR_AFF1_SHIFT) & MPIDR_AFF_FIELD) * VCPUS_PER_AFF1 +
	       (unsigned)(mpidr & (VCPUS_PER_AFF1 - 1));
}

#endif
