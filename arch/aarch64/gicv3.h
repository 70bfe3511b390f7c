/* GICv3 as the architecture lays it out (Arm IHI 0069, chapter 12): the register map of
 * the distributor and of the redistributors' two frames, the fields Tandem uses, the
 * CPU interface's ICC_* fields and the virtualization interface's ICH_* registers.
 * ISA data only (macros and pure inline functions): the host driver in hal-baremetal/
 * programs the physical GIC with it, the vGIC (vgic_mmio.c) emulates the same layout
 * for guests, and the guest engine in hal-sim/ plays the virtual CPU interface from
 * the ICH_* encodings. */
#ifndef ARCH_AARCH64_GICV3_H
#define ARCH_AARCH64_GICV3_H

#include <stdint.h>

/* ---- the distributor (IHI 0069 12.9) ------------------------------------------------- */
#define GICD_CTLR 0x0000u
#define GICD_TYPER 0x0004u
#define GICD_IIDR 0x0008u
#define GICD_IGROUPR 0x0080u
#define GICD_ISENABLER 0x0100u
#define GICD_ICENABLER 0x0180u
#define GICD_ISPENDR 0x0200u
#define GICD_ICPENDR 0x0280u
#define GICD_ISACTIVER 0x0300u
#define GICD_ICACTIVER 0x0380u
#define GICD_IPRIORITYR 0x0400u
#define GICD_IPRIORITYR_END 0x0800u
#define GICD_ICFGR 0x0C00u
#define GICD_ICFGR_END 0x0D00u
#define GICD_IROUTER 0x6000u /* + 8 * INTID, for INTIDs 32-1019 */
#define GICD_IROUTER_END 0x7FE0u
#define GICD_PIDR2 0xFFE8u

/* One bit per INTID registers (IGROUPR ... ICACTIVER) are 0x80 bytes each. */
#define GICD_BITS_REG_SIZE 0x80u

/* GICD_CTLR with a single Security state (DS = 1): EnableGrp0, EnableGrp1, ARE, DS;
 * RWP (register write pending) reads 1 while a write takes effect. */
#define GICD_CTLR_ENABLE_GRP0 (1u << 0)
#define GICD_CTLR_ENABLE_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define GICD_CTLR_RWP (1u << 31)

/* GICD_TYPER: ITLinesNumber [4:0] (SPIs = 32 * (ITLinesNumber + 1) - 32), IDbits
 * [23:19]. */
#define GICD_TYPER_ITLINES_MASK 0x1Fu
#define GICD_TYPER_IDBITS_SHIFT 19

/* GICD_IROUTER<n>: Aff2.Aff1.Aff0 [23:0], Interrupt_Routing_Mode [31], Aff3 [39:32]. */
#define GICD_IROUTER_IRM (1ull << 31)
#define GICD_IROUTER_AFF_MASK 0xFF00FFFFFFull

/* ---- the redistributors (12.10, 12.11): an RD_base frame, then an SGI_base frame ---- */
#define GICR_FRAME_STRIDE 0x20000u
#define GICR_SGI_FRAME 0x10000u

/* RD_base */
#define GICR_CTLR 0x0000u
#define GICR_IIDR 0x0004u
#define GICR_TYPER 0x0008u
#define GICR_WAKER 0x0014u
#define GICR_PIDR2 0xFFE8u

/* GICR_TYPER: Last [4], Processor_Number [23:8], Affinity_Value [63:32] (Aff3.Aff2.
 * Aff1.Aff0). */
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_TYPER_PROCESSOR_SHIFT 8
#define GICR_TYPER_AFFINITY_SHIFT 32

/* GICR_WAKER: ProcessorSleep [1], ChildrenAsleep [2]. */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* SGI_base: the distributor's layout for INTIDs 0-31, one word (or eight priority
 * words, two config words) each. */
#define GICR_IGROUPR0 0x0080u
#define GICR_ISENABLER0 0x0100u
#define GICR_ICENABLER0 0x0180u
#define GICR_ISPENDR0 0x0200u
#define GICR_ICPENDR0 0x0280u
#define GICR_ISACTIVER0 0x0300u
#define GICR_ICACTIVER0 0x0380u
#define GICR_IPRIORITYR 0x0400u
#define GICR_IPRIORITYR_END 0x0420u
#define GICR_ICFGR0 0x0C00u
#define GICR_ICFGR1 0x0C04u

/* ICFGR: two bits per INTID, Int_config[1] (the odd bit) set means edge-triggered. */
#define GIC_ICFGR_EDGE(n) (2u << (2 * (n)))

/* The INTID ranges. */
#define GIC_NR_SGIS 16u
#define GIC_NR_PRIVATE 32u /* SGIs 0-15, PPIs 16-31 */
#define GIC_SPURIOUS_FIRST 1020u /* 1020-1023: special INTIDs, no interrupt */
#define GIC_INTID_SPURIOUS 1023u

/* ---- affinity ------------------------------------------------------------------------ */

/* MPIDR_EL1's affinity (Aff3 [39:32], Aff2.Aff1.Aff0 [23:0]) packed as GICR_TYPER's
 * Affinity_Value holds it (Aff3 [31:24]). */
static inline uint64_t gic_affinity_packed(uint64_t mpidr)
{
	return ((mpidr >> 32) & 0xFF) << 24 | (mpidr & 0xFFFFFF);
}

/* MPIDR_EL1's affinity in GICD_IROUTER's layout (the same as MPIDR's). */
static inline uint64_t gic_irouter_affinity(uint64_t mpidr)
{
	return mpidr & GICD_IROUTER_AFF_MASK;
}

/* ---- the CPU interface (12.2) -------------------------------------------------------- */

/* ICC_SGI1R_EL1: TargetList [15:0], Aff1 [23:16], INTID [27:24], Aff2 [39:32], IRM [40],
 * RS [47:44], Aff3 [55:48]. A target list names Aff0 = RS * 16 + bit. */
#define ICC_SGI1R_TARGETS_MASK 0xFFFFull
#define ICC_SGI1R_AFF1_SHIFT 16
#define ICC_SGI1R_INTID_SHIFT 24
#define ICC_SGI1R_INTID_MASK 0xFull
#define ICC_SGI1R_AFF2_SHIFT 32
#define ICC_SGI1R_IRM (1ull << 40)
#define ICC_SGI1R_RS_SHIFT 44
#define ICC_SGI1R_RS_MASK 0xFull
#define ICC_SGI1R_AFF3_SHIFT 48
#define ICC_SGI1R_AFF_MASK 0xFFull
#define ICC_SGI1R_TARGETS_PER_LIST 16u

/* ICC_SRE_ELx: SRE [0] (system-register interface), DFB [1], DIB [2], Enable [3]
 * (ICC_SRE_EL2 only: lower ELs may use SRE). */
#define ICC_SRE_SRE (1ull << 0)
#define ICC_SRE_DFB (1ull << 1)
#define ICC_SRE_DIB (1ull << 2)
#define ICC_SRE_ENABLE (1ull << 3)

/* ICC_CTLR_EL1: EOImode [1]. ICC_IGRPEN1_EL1: Enable [0]. */
#define ICC_CTLR_EOIMODE (1ull << 1)
#define ICC_IGRPEN_ENABLE (1ull << 0)
#define ICC_IAR_INTID_MASK 0xFFFFFFull
#define ICC_PMR_MASK 0xFFull

/* ---- the virtualization interface (12.4) --------------------------------------------- */

/* How many list registers Tandem uses: what QEMU's GICv3 implements
 * (ICH_VTR_EL2.ListRegs + 1); the guest engine models as many. */
#define GICV3_NR_LRS 4

/* ICH_LR<n>_EL2 (12.4.6). */
#define ICH_LR_VINTID_MASK 0xFFFFFFFFull
#define ICH_LR_PINTID_SHIFT 32
/* EOI [41]: a maintenance interrupt once the guest deactivates it (HW clear only),
 * until the LR is written again (ICH_EISR_EL2, ICH_MISR_EL2.EOI). */
#define ICH_LR_EOI (1ull << 41)
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_PRIORITY_MASK 0xFFull
#define ICH_LR_GROUP1 (1ull << 60)
#define ICH_LR_HW (1ull << 61)
#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_PENDING (1ull << 62)
#define ICH_LR_ACTIVE (2ull << 62)
#define ICH_LR_STATE_MASK (3ull << 62)

/* ICH_HCR_EL2: En [0], UIE [1] (maintenance interrupt when at most one LR is valid). */
#define ICH_HCR_EN (1ull << 0)
#define ICH_HCR_UIE (1ull << 1)

/* ICH_VMCR_EL2: VENG1 [1], VEOIM [9], VPMR [31:24]. */
#define ICH_VMCR_ENG1 (1ull << 1)
#define ICH_VMCR_EOIM (1ull << 9)
#define ICH_VMCR_PMR_SHIFT 24

#endif
