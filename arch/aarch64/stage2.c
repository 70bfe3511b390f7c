/* The aarch64 stage-2 format descriptor and its VTCR_EL2. Pure functions over data:
 * built into every simulation build, whatever ISA runs vCPUs. */
#include <stddef.h>

#include "arch/aarch64/stage2.h"
#include "hal/err.h"

static const unsigned parange_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

int aarch64_parange_bits(unsigned parange, unsigned *bits)
{
	if (!bits || parange >= sizeof(parange_bits) / sizeof(parange_bits[0]))
		return -EINVAL;
	*bits = parange_bits[parange];
	return 0;
}

int aarch64_s2_format(unsigned ipa_bits, unsigned pa_bits, struct pt_format *out)
{
	if (!out || ipa_bits < 32 || ipa_bits > 48 || pa_bits < 32 || pa_bits > 52)
		return -EINVAL;
	unsigned levels = ipa_bits <= 42 ? 3 : 4;
	*out = (struct pt_format){
		.name = "aarch64-stage2",
		.levels = levels,
		.va_bits = ipa_bits,
		.oa_bits = pa_bits > 48 ? 48 : pa_bits,
		/* Blocks: 1 GiB at level 1, 2 MiB at level 2 (D8.3.1, 4K granule). */
		.leaf_levels = levels == 3 ? 0x3u : 0x6u,
		.present_mask = S2_VALID,
		.type_mask = S2_VALID | S2_TABLE,
		.table_match = S2_VALID | S2_TABLE,
		.table_bits = S2_VALID | S2_TABLE,
		.page_bits = S2_VALID | S2_TABLE,
		.block_bits = S2_VALID,
		.leaf_bits = S2_AF,
		.r_bits = S2AP_R,
		.w_bits = S2AP_W,
		.x_bits = 0,
		.nx_bits = S2_XN,
		.normal_bits = (S2_MEMATTR_NORMAL_WB << S2_MEMATTR_SHIFT) | S2_SH_INNER,
		.device_bits = S2_MEMATTR_DEVICE_nGnRE << S2_MEMATTR_SHIFT,
		.memtype_mask = (0xFull << S2_MEMATTR_SHIFT) | S2_SH_INNER,
		.ppn_shift = 12,
		.ppn_mask = S2_OA_MASK,
		.flush_on_map = false, /* invalid entries are never cached (D8.13) */
	};
	return 0;
}

int aarch64_vtcr(const struct pt_format *fmt, unsigned parange, uint64_t *vtcr)
{
	unsigned pa_bits;

	if (!fmt || !vtcr || fmt->ppn_mask != S2_OA_MASK || aarch64_parange_bits(parange, &pa_bits))
		return -EINVAL;
	/* SL0 for the 4K granule: 0b01 starts at level 1, 0b10 at level 0. */
	uint64_t sl0 = fmt->levels == 3 ? 1 : 2;
	*vtcr = VTCR_RES1 | ((uint64_t)parange << VTCR_PS_SHIFT) | VTCR_TG0_4K | VTCR_SH0_INNER |
		VTCR_ORGN0_WBWA | VTCR_IRGN0_WBWA | (sl0 << VTCR_SL0_SHIFT) |
		((uint64_t)(64 - fmt->va_bits) << VTCR_T0SZ_SHIFT);
	return 0;
}

int aarch64_s2_setup(uint64_t id_aa64mmfr0, struct pt_format *out, uint64_t *vtcr)
{
	unsigned parange = (unsigned)(id_aa64mmfr0 & 0xF), pa_bits;

	if (aarch64_parange_bits(parange, &pa_bits))
		return -EINVAL;
	int err = aarch64_s2_format(pa_bits > 48 ? 48 : pa_bits, pa_bits, out);
	return err ? err : aarch64_vtcr(out, parange, vtcr);
}
