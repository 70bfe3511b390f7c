/* The stage-1 walker (see s1walk.h). Follows the order in which the architecture
 * checks a translation (Arm ARM D8, the AArch64.S1Translate / AArch64.S1Walk
 * pseudocode): the VA's range and the walk controls first, then per level the
 * descriptor's validity, its output address's size, and at the leaf the access flag.
 * Reads at most four descriptors; never trusts a value it read beyond masking it. */
#include <stdbool.h>
#include <stddef.h>

#include "arch/aarch64/s1walk.h"
#include "arch/aarch64/stage2.h"
#include "hal/err.h"

#define GRANULE_SHIFT 12u
#define LEVEL_BITS 9u    /* 512 eight-byte descriptors in a 4 KiB table */
#define MIN_TXSZ 16u     /* 48-bit input, without FEAT_LVA / FEAT_LPA2 */
#define MAX_TXSZ 39u     /* 25-bit input, without FEAT_TTST */
#define MAX_OA_BITS 48u  /* without FEAT_LPA2 the 4 KiB granule outputs 48 bits */

/* Bits hi..lo of v, shifted down. */
static uint64_t field(uint64_t v, unsigned hi, unsigned lo)
{
	unsigned width = hi - lo + 1;

	return (v >> lo) & (width >= 64 ? ~0ull : (1ull << width) - 1);
}

static unsigned level_shift(unsigned level)
{
	return GRANULE_SHIFT + LEVEL_BITS * (3 - level);
}

/* The half of the address space a walk uses, from TCR_EL1 (D8.1.3: VA[55] selects). */
struct s1_half {
	bool upper;
	uint64_t ttbr;
	unsigned txsz;
	bool tbi, epd, granule_4k;
};

static struct s1_half half_of(const struct s1_regs *r, uint64_t va)
{
	struct s1_half h = { .upper = (va >> 55) & 1 };

	if (h.upper) {
		h.ttbr = r->ttbr1;
		h.txsz = (unsigned)field(r->tcr, TCR_T1SZ_SHIFT + 5, TCR_T1SZ_SHIFT);
		h.tbi = r->tcr & TCR_TBI1;
		h.epd = r->tcr & TCR_EPD1;
		h.granule_4k = field(r->tcr, TCR_TG1_SHIFT + 1, TCR_TG1_SHIFT) == 2;
	} else {
		h.ttbr = r->ttbr0;
		h.txsz = (unsigned)field(r->tcr, TCR_T0SZ_SHIFT + 5, TCR_T0SZ_SHIFT);
		h.tbi = r->tcr & TCR_TBI0;
		h.epd = r->tcr & TCR_EPD0;
		h.granule_4k = field(r->tcr, TCR_TG0_SHIFT + 1, TCR_TG0_SHIFT) == 0;
	}
	/* A TxSZ outside what the PE supports: treated as the nearest supported value (the
	 * architecture's IMPLEMENTATION DEFINED alternative is a level-0 fault). */
	if (h.txsz < MIN_TXSZ)
		h.txsz = MIN_TXSZ;
	if (h.txsz > MAX_TXSZ)
		h.txsz = MAX_TXSZ;
	return h;
}

/* TTBRn_EL1.BADDR: bits 47:x, x being log2 of the start table's size (D24.2 TTBR0_EL1);
 * the ASID above and CnP below are not part of the address. */
static uint64_t ttbr_base(uint64_t ttbr, unsigned x)
{
	return ttbr & (field(~0ull, 47, x) << x);
}

static unsigned pa_bits_of(const struct s1_regs *r)
{
	return r->pa_bits < 32 ? 32 : r->pa_bits > MAX_OA_BITS ? MAX_OA_BITS : r->pa_bits;
}

/* The output-address size: TCR_EL1.IPS, no more than the PE implements. */
static unsigned oa_bits_of(const struct s1_regs *r)
{
	unsigned ips, pa = pa_bits_of(r);

	if (aarch64_parange_bits((unsigned)field(r->tcr, TCR_IPS_SHIFT + 2, TCR_IPS_SHIFT), &ips))
		return pa; /* a reserved IPS: the PE's size */
	return ips < pa ? ips : pa;
}

static int fail(struct s1_result *out, enum s1_fault fault, unsigned level)
{
	*out = (struct s1_result){ .fault = fault, .level = level };
	return -EFAULT;
}

/* With stage 1 off the VA is the IPA, and must fit the physical-address size once the
 * tag byte is set aside (D8.2.10, AArch64.S1DisabledOutput). */
static int flat(const struct s1_regs *r, uint64_t va, struct s1_result *out)
{
	unsigned pa_bits = pa_bits_of(r);
	bool tbi = (va >> 55) & 1 ? r->tcr & TCR_TBI1 : r->tcr & TCR_TBI0;
	unsigned top = tbi ? 55 : 63;

	if (field(va, top, pa_bits))
		return fail(out, S1_FAULT_ADDRESS_SIZE, 0);
	*out = (struct s1_result){ .fault = S1_OK, .ipa = gpa_make(field(va, pa_bits - 1, 0)) };
	return 0;
}

/* One 8-byte descriptor, in the byte order SCTLR_EL1.EE gives EL1&0 table walks. */
static int read_desc(const struct s1_regs *r, s1_read_fn read, void *ctx, gpa_t ipa,
		     uint64_t *desc)
{
	uint8_t b[8];

	if (read(ctx, ipa, b, sizeof(b)))
		return -EFAULT;
	bool big = r->sctlr & SCTLR_EL1_EE;

	*desc = 0;
	for (unsigned i = 0; i < 8; i++)
		*desc |= (uint64_t)b[i] << (8 * (big ? 7 - i : i));
	return 0;
}

int s1_translate(const struct s1_regs *r, gva_t gva, s1_read_fn read, void *ctx,
		 struct s1_result *out)
{
	uint64_t va = gva_bits(gva);

	if (!r || !read || !out)
		return -EINVAL;
	if (!(r->sctlr & SCTLR_EL1_M))
		return flat(r, va, out);
	struct s1_half h = half_of(r, va);
	unsigned inputsize = 64 - h.txsz, oa_bits = oa_bits_of(r);
	unsigned top = h.tbi ? 55 : 63;
	uint64_t above = field(va, top, inputsize);

	/* The bits between the tag (or the top) and the input size are all zeros in the
	 * lower half, all ones in the upper; a walk the TCR disables faults at once. */
	if (above != (h.upper ? field(~0ull, top, inputsize) : 0) || h.epd)
		return fail(out, S1_FAULT_TRANSLATION, 0);
	if (!h.granule_4k)
		return fail(out, S1_FAULT_GRANULE, 0);
	/* The walk starts at the level whose index holds bit inputsize - 1; its table has
	 * 2^(inputsize - shift) entries and is aligned to its size (TTBR_EL1.BADDR). */
	unsigned level = 3 - (inputsize - 1 - GRANULE_SHIFT) / LEVEL_BITS;
	unsigned index_top = inputsize - 1;
	uint64_t table = ttbr_base(h.ttbr, inputsize - level_shift(level) + 3);
	if (table >> oa_bits)
		return fail(out, S1_FAULT_ADDRESS_SIZE, 0);
	for (;; level++) {
		unsigned shift = level_shift(level);
		uint64_t desc;
		if (read_desc(r, read, ctx, gpa_make(table + 8 * field(va, index_top, shift)),
			      &desc))
			return fail(out, S1_FAULT_WALK, level);
		index_top = shift - 1;
		if (!(desc & S1_DESC_VALID))
			return fail(out, S1_FAULT_TRANSLATION, level);
		if (level < 3 && (desc & S1_DESC_TABLE)) {
			table = desc & S1_DESC_OA_MASK;
			if (table >> oa_bits)
				return fail(out, S1_FAULT_ADDRESS_SIZE, level);
			continue;
		}
		/* A leaf: a page at level 3 (bit 1 set; clear is reserved), a block at
		 * levels 1 and 2 (none at level 0 with this granule). */
		if ((level == 3) != !!(desc & S1_DESC_TABLE) || level == 0)
			return fail(out, S1_FAULT_TRANSLATION, level);
		uint64_t size = 1ull << shift, oa = desc & S1_DESC_OA_MASK & ~(size - 1);
		if (oa >> oa_bits)
			return fail(out, S1_FAULT_ADDRESS_SIZE, level);
		if (!(desc & S1_DESC_AF) && !(r->tcr & TCR_HA))
			return fail(out, S1_FAULT_ACCESS_FLAG, level);
		*out = (struct s1_result){ .fault = S1_OK, .ipa = gpa_make(oa | (va & (size - 1))),
					   .level = level, .desc = desc, .size = size };
		return 0;
	}
}
