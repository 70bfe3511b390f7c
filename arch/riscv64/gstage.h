/* RISC-V G-stage (guest-physical to host-physical) translation, Sv39x4 and Sv48x4
 * (RISC-V Privileged Architecture, "Hypervisor Extension", two-stage address
 * translation; PTE format from the Sv39/Sv48 sections; PBMT from Svpbmt). */
#ifndef ARCH_RISCV64_GSTAGE_H
#define ARCH_RISCV64_GSTAGE_H

#include <stdint.h>

#include "arch/pt_format.h"

#define RV_PTE_V (1ull << 0)
#define RV_PTE_R (1ull << 1)
#define RV_PTE_W (1ull << 2)
#define RV_PTE_X (1ull << 3)
#define RV_PTE_U (1ull << 4)
#define RV_PTE_G (1ull << 5)
#define RV_PTE_A (1ull << 6)
#define RV_PTE_D (1ull << 7)
#define RV_PTE_PPN_SHIFT 10
#define RV_PTE_PPN_MASK 0x003FFFFFFFFFFC00ull /* PPN, bits 53:10 */
#define RV_PTE_PBMT_IO (2ull << 61)           /* Svpbmt: non-cacheable, strongly ordered */
#define RV_PTE_PBMT_MASK (3ull << 61)

#define HGATP_MODE_SV39X4 8ull
#define HGATP_MODE_SV48X4 9ull

extern const struct pt_format riscv_sv39x4;
extern const struct pt_format riscv_sv48x4;

/* hgatp for a G-stage root (16 KiB aligned) and VMID: MODE[63:60], VMID[57:44],
 * PPN[43:0]. -EINVAL for another format, a misaligned root or a VMID over 14 bits. */
int riscv_hgatp(const struct pt_format *fmt, uint64_t root, unsigned vmid, uint64_t *hgatp);

#endif
