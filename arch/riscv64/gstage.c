/* The RISC-V G-stage format descriptors. Guest accesses are checked as U-mode
 * accesses, so every leaf has U set; non-leaf entries have U, A and D clear (reserved
 * for future use). A and D are set on every leaf because Tandem assumes no hardware
 * A/D update (Svadu off): a clear bit would fault on first access. Device memory uses
 * Svpbmt's IO type, so henvcfg.PBMTE must be set where it is used. */
#include <stddef.h>

#include "arch/riscv64/gstage.h"
#include "hal/err.h"

#define RV_LEAF_COMMON (RV_PTE_V | RV_PTE_U | RV_PTE_A | RV_PTE_D)

#define RV_GSTAGE(fmt_name, nlevels, bits)                                            \
	{                                                                             \
		.name = fmt_name, .levels = nlevels, .va_bits = bits, .oa_bits = 56,  \
		/* Leaves of 1 GiB and 2 MiB (Sv48x4's 512 GiB root leaves are not     \
		 * used). */                                                           \
		.leaf_levels = nlevels == 3 ? 0x3u : 0x6u, .present_mask = RV_PTE_V,  \
		.type_mask = RV_PTE_R | RV_PTE_W | RV_PTE_X, .table_match = 0,        \
		.table_bits = RV_PTE_V, .page_bits = 0, .block_bits = 0,              \
		.leaf_bits = RV_LEAF_COMMON, .r_bits = RV_PTE_R, .w_bits = RV_PTE_W,  \
		.x_bits = RV_PTE_X, .nx_bits = 0, .normal_bits = 0,                   \
		.device_bits = RV_PTE_PBMT_IO, .memtype_mask = RV_PTE_PBMT_MASK,      \
		.ppn_shift = RV_PTE_PPN_SHIFT, .ppn_mask = RV_PTE_PPN_MASK,           \
		/* An implementation may cache invalid entries: HFENCE.GVMA after      \
		 * every change, mappings included. */                                 \
		.flush_on_map = true,                                                 \
	}

/* The root of an x4 format is four times a normal table: 2 more bits of guest address
 * (41 for Sv39x4, 50 for Sv48x4), 2048 entries, 16 KiB. */
const struct pt_format riscv_sv39x4 = RV_GSTAGE("riscv-sv39x4", 3, 41);
const struct pt_format riscv_sv48x4 = RV_GSTAGE("riscv-sv48x4", 4, 50);

int riscv_hgatp(const struct pt_format *fmt, uint64_t root, unsigned vmid, uint64_t *hgatp)
{
	uint64_t mode;

	if (fmt == &riscv_sv39x4)
		mode = HGATP_MODE_SV39X4;
	else if (fmt == &riscv_sv48x4)
		mode = HGATP_MODE_SV48X4;
	else
		return -EINVAL;
	if (!hgatp || (root & 0x3FFF) || vmid >= (1u << 14) || (root >> 12) >= (1ull << 44))
		return -EINVAL;
	*hgatp = (mode << 60) | ((uint64_t)vmid << 44) | (root >> 12);
	return 0;
}
