/* The caches on aarch64's bare metal: what common/mm.c, every board's physical memory,
 * leaves to the board. */
#include <stddef.h>

#include "hal/mm.h"

/* DC CVAC line by line (Arm ARM D7.4.9), the line size from CTR_EL0.DminLine (log2 of
 * words), then a DSB so that the cleaning completes before anything that follows. */
void hal_cache_clean(const void *va, size_t len)
{
	uint64_t ctr;

	if (!len)
		return;
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	uintptr_t line = (uintptr_t)4 << ((ctr >> 16) & 0xF);
	uintptr_t p = (uintptr_t)va & ~(line - 1), end = (uintptr_t)va + len;
	for (; p < end; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

/* IC IALLUIS (Arm ARM D7.4.7): every PE of the inner-shareable domain invalidates its
 * instruction cache to the point of unification; the DSB makes that complete
 * everywhere before the ISB. The data side was cleaned by the write (hal_cache_clean,
 * to the point of coherency, beyond unification). */
void hal_icache_invalidate(void)
{
	__asm__ volatile("dsb ish\n\tic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}
