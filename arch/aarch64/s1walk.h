/* The guest's stage-1 translation done in software: where a guest virtual address
 * lands in the guest-physical (IPA) space under the EL1&0 regime the guest programmed
 * (SCTLR_EL1, TCR_EL1, TTBR0_EL1, TTBR1_EL1), reading the guest's own tables through a
 * callback. Used where the hardware reports no IPA (a stage-2 permission fault leaves
 * HPFAR_EL2 UNKNOWN) and no translation instruction is there to ask, and by the gdb
 * stub for guest memory. A pure function: built into every simulation build.
 *
 * What it models (Arm ARM DDI 0487, D8.1-D8.4 "The AArch64 Virtual Memory System
 * Architecture"; the TCR_EL1 and SCTLR_EL1 fields in D24.2): the 4 KiB granule, any
 * T0SZ/T1SZ (values outside 16..39 behave as the nearest bound, the choice the
 * architecture permits besides a fault, for a PE without FEAT_TTST, FEAT_LVA or
 * FEAT_LPA2), VA[55] choosing TTBR0 or TTBR1, top-byte-ignore (TBI0/TBI1),
 * EPD0/EPD1, table, block (1 GiB at level 1, 2 MiB at level 2) and page descriptors,
 * the access flag (hardware-managed with TCR_EL1.HA), output addresses against
 * TCR_EL1.IPS, big-endian walks (SCTLR_EL1.EE), and with the MMU off (SCTLR_EL1.M = 0)
 * the flat map: IPA = VA. It checks no permissions: it answers which IPA an address
 * names, as AT S1E1R does for an EL1 read, which the base permission model always
 * allows. 16 KiB and 64 KiB granules are reported as S1_FAULT_GRANULE. */
#ifndef ARCH_AARCH64_S1WALK_H
#define ARCH_AARCH64_S1WALK_H

#include <stddef.h>
#include <stdint.h>

#include "hal/addr.h"

/* The EL1 registers that define the regime. pa_bits is the PE's physical-address size
 * (ID_AA64MMFR0_EL1.PARange): the output limit with the MMU off, and the cap on IPS. */
struct s1_regs {
	uint64_t sctlr; /* SCTLR_EL1 */
	uint64_t tcr;   /* TCR_EL1 */
	uint64_t ttbr0; /* TTBR0_EL1 */
	uint64_t ttbr1; /* TTBR1_EL1 */
	unsigned pa_bits;
};

/* Read len bytes of guest memory at the guest-physical address ipa into buf (the walk
 * reads one 8-byte descriptor at a time, aligned): 0, or a negative error code if the
 * guest has no readable memory there. */
typedef int (*s1_read_fn)(void *ctx, gpa_t ipa, void *buf, size_t len);

/* Why a translation failed, by the fault the hardware would report at stage 1
 * (ESR_ELx DFSC groups), plus what this walker does not model. */
enum s1_fault {
	S1_OK,
	S1_FAULT_ADDRESS_SIZE, /* an output address beyond IPS, or with the MMU off a VA
				* beyond the physical-address size */
	S1_FAULT_TRANSLATION,  /* VA out of range, walks disabled (EPDn), invalid or
				* reserved descriptor */
	S1_FAULT_ACCESS_FLAG,  /* AF clear and not hardware-managed */
	S1_FAULT_WALK,	       /* a table the read callback could not read (the hardware
				* would fault at stage 2 on the walk) */
	S1_FAULT_GRANULE,      /* a 16 KiB or 64 KiB granule: not modelled */
};

struct s1_result {
	enum s1_fault fault;
	gpa_t ipa;	/* S1_OK: the guest-physical address of va */
	unsigned level; /* the level of the last lookup (the fault's, or the leaf's); 0
			 * for the flat map and for faults before the walk */
	uint64_t desc;	/* S1_OK with the MMU on: the leaf descriptor */
	uint64_t size;	/* S1_OK: the bytes the leaf maps (4 KiB, 2 MiB, 1 GiB); 0 flat */
};

/* Translate va; *out says how it went. 0, or -EFAULT if it faulted (out->fault). */
int s1_translate(const struct s1_regs *regs, gva_t va, s1_read_fn read, void *ctx,
		 struct s1_result *out);

/* Register fields the walker reads (D24.2 SCTLR_EL1, TCR_EL1). */
#define SCTLR_EL1_M (1ull << 0)
#define SCTLR_EL1_EE (1ull << 25)
#define TCR_T0SZ_SHIFT 0
#define TCR_EPD0 (1ull << 7)
#define TCR_TG0_SHIFT 14 /* 0b00 4 KiB, 0b01 64 KiB, 0b10 16 KiB */
#define TCR_T1SZ_SHIFT 16
#define TCR_EPD1 (1ull << 23)
#define TCR_TG1_SHIFT 30 /* 0b01 16 KiB, 0b10 4 KiB, 0b11 64 KiB */
#define TCR_IPS_SHIFT 32
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define TCR_HA (1ull << 39)

/* Stage-1 descriptor bits, 4 KiB granule (D8.3). */
#define S1_DESC_VALID (1ull << 0)
#define S1_DESC_TABLE (1ull << 1) /* levels 0-2: table; level 3: page (else reserved) */
#define S1_DESC_AF (1ull << 10)
#define S1_DESC_OA_MASK 0x0000FFFFFFFFF000ull /* OA / next-level table [47:12] */

#endif
