/* The EPT format descriptor. Non-leaf entries grant R/W/X (the leaf decides). Normal
 * memory is write-back and lets the guest's PAT refine it; device memory is
 * uncacheable with IPAT, so the guest cannot make it cacheable. Write without read
 * is an EPT misconfiguration, which the engine refuses for every format anyway. */
#include <stddef.h>

#include "arch/x86_64/ept.h"
#include "hal/err.h"

const struct pt_format x86_ept4 = {
	.name = "x86-ept4",
	.levels = 4,
	.va_bits = 48,
	.oa_bits = 52,
	.leaf_levels = 0x6u, /* 1 GiB PDPTE, 2 MiB PDE */
	.present_mask = EPT_R | EPT_W | EPT_X,
	.type_mask = EPT_LARGE,
	.table_match = 0,
	.table_bits = EPT_R | EPT_W | EPT_X,
	.page_bits = 0,
	.block_bits = EPT_LARGE,
	.leaf_bits = 0,
	.r_bits = EPT_R,
	.w_bits = EPT_W,
	.x_bits = EPT_X,
	.nx_bits = 0,
	.normal_bits = EPT_MT_WB << EPT_MT_SHIFT,
	.device_bits = (EPT_MT_UC << EPT_MT_SHIFT) | EPT_IPAT,
	.memtype_mask = (7ull << EPT_MT_SHIFT) | EPT_IPAT,
	.ppn_shift = 12,
	.ppn_mask = EPT_ADDR_MASK,
	.flush_on_map = false, /* not-present entries are not cached */
};

int x86_eptp(const struct pt_format *fmt, uint64_t root, int ad, uint64_t *eptp)
{
	if (fmt != &x86_ept4 || !eptp || (root & 0xFFF) || (root & ~EPT_ADDR_MASK))
		return -EINVAL;
	*eptp = root | EPTP_WALK_4 | EPTP_MT_WB | (ad ? EPTP_AD : 0);
	return 0;
}
