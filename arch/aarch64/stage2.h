/* VMSAv8-64 stage-2 translation, 4 KiB granule (Arm ARM D8 "The AArch64 Virtual Memory
 * System Architecture", VTCR_EL2 in D19). */
#ifndef ARCH_AARCH64_STAGE2_H
#define ARCH_AARCH64_STAGE2_H

#include <stdint.h>

#include "arch/pt_format.h"

/* Stage-2 descriptor bits (D8.3, D8.5). */
#define S2_VALID (1ull << 0)
#define S2_TABLE (1ull << 1)          /* with VALID: table (levels 0-2) or page (level 3) */
#define S2_MEMATTR_SHIFT 2            /* MemAttr[3:0], stage-2 encoding */
#define S2_MEMATTR_NORMAL_WB 0xFull   /* Outer and Inner Write-Back Cacheable */
#define S2_MEMATTR_DEVICE_nGnRE 0x1ull
#define S2AP_R (1ull << 6)            /* S2AP[0]: read */
#define S2AP_W (1ull << 7)            /* S2AP[1]: write */
#define S2_SH_INNER (3ull << 8)       /* SH[1:0] = Inner Shareable */
#define S2_AF (1ull << 10)
#define S2_XN (2ull << 53)            /* XN[1:0] = 0b10: not executable at EL1 or EL0 */
#define S2_OA_MASK 0x0000FFFFFFFFF000ull

/* VTCR_EL2 fields (D19.2 VTCR_EL2). */
#define VTCR_T0SZ_SHIFT 0
#define VTCR_SL0_SHIFT 6
#define VTCR_IRGN0_WBWA (1ull << 8)
#define VTCR_ORGN0_WBWA (1ull << 10)
#define VTCR_SH0_INNER (3ull << 12)
#define VTCR_TG0_4K (0ull << 14)
#define VTCR_PS_SHIFT 16
#define VTCR_RES1 (1ull << 31)

/* Physical-address size in bits for an ID_AA64MMFR0_EL1.PARange value; -EINVAL for a
 * reserved value. */
int aarch64_parange_bits(unsigned parange, unsigned *bits);

/* Fill a stage-2 format for an IPA size of ipa_bits (32-48) over a physical address
 * size of pa_bits: up to 42 bits three levels starting at level 1 (a 40-bit IPA needs
 * two concatenated level-1 tables), above that four levels starting at level 0.
 * -EINVAL for sizes outside those ranges. */
int aarch64_s2_format(unsigned ipa_bits, unsigned pa_bits, struct pt_format *out);

/* The VTCR_EL2 value that matches fmt (T0SZ, SL0, 4K granule, write-back inner
 * shareable walks, PS from parange). -EINVAL if fmt is not an aarch64 stage-2 format. */
int aarch64_vtcr(const struct pt_format *fmt, unsigned parange, uint64_t *vtcr);

/* From ID_AA64MMFR0_EL1 to the format and VTCR_EL2 Tandem uses: IPA size = PA size,
 * capped at 48 bits. */
int aarch64_s2_setup(uint64_t id_aa64mmfr0, struct pt_format *out, uint64_t *vtcr);

#endif
