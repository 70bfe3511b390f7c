/* The stage-2 walk of the simulated "hardware": an independent reading of VTTBR_EL2 /
 * VTCR_EL2 and the descriptors (Arm ARM D8.2, D8.3 with the 4 KiB granule), so that the
 * guest engine checks core's page tables instead of trusting them. */
#include <stdbool.h>

#include "arch/aarch64/stage2.h"
#include "hal-sim/engine.h"
#include "hal/mm.h"

#define PT_R_ 1u
#define PT_W_ 2u
#define PT_X_ 4u

static int fault(unsigned base, unsigned level)
{
	return (int)(base + level);
}

int engine_s2_walk(uint64_t vttbr, uint64_t vtcr, gpa_t gpa, unsigned access, paddr_t *pa)
{
	uint64_t ipa = gpa_bits(gpa);
	unsigned ipa_bits = 64 - (unsigned)(vtcr & 0x3F);
	unsigned sl0 = (unsigned)(vtcr >> 6) & 3;
	unsigned start = sl0 == 0 ? 2 : sl0 == 1 ? 1 : 0, level = start;
	paddr_t table = pa_make(vttbr & S2_OA_MASK & ~1ull);

	if (ipa_bits > 48 || (ipa_bits < 64 && (ipa >> ipa_bits)))
		return fault(0x04, level);
	for (;; level++) {
		unsigned shift = 12 + 9 * (3 - level);
		unsigned top = level == start ? ipa_bits : shift + 9; /* a concatenated root */
		uint64_t index = (ipa >> shift) & ((1ull << (top - shift)) - 1);
		void *entry;
		if (hal_phys_to_virt(pa_add(table, index * 8), 8, &entry))
			return fault(0x04, level); /* a walk outside RAM: report as translation */
		uint64_t d = __atomic_load_n((const uint64_t *)entry, __ATOMIC_ACQUIRE);
		if (!(d & S2_VALID))
			return fault(0x04, level);
		bool is_table = level < 3 && (d & S2_TABLE);
		if (is_table) {
			table = pa_make(d & S2_OA_MASK);
			continue;
		}
		if ((level == 3 && !(d & S2_TABLE)) || level == 0)
			return fault(0x04, level); /* reserved encoding, or a level-0 block */
		if (!(d & S2_AF))
			return fault(0x08, level);
		if (((access & PT_R_) && !(d & S2AP_R)) || ((access & PT_W_) && !(d & S2AP_W)) ||
		    ((access & PT_X_) && (d & (1ull << 54))))
			return fault(0x0C, level);
		uint64_t size = 1ull << shift;
		*pa = pa_make(((d & S2_OA_MASK) & ~(size - 1)) | (ipa & (size - 1)));
		return 0;
	}
}
