/* The caches on riscv64's bare metal, and satp: what common/mm.c, every board's
 * physical memory, leaves to the board. */
#include <stddef.h>

#include "hal-baremetal/riscv64/qemu-virt/bm.h"
#include "hal/mm.h"

#define SBI_EXT_RFENCE 0x52464E43ull
#define SBI_RFENCE_FENCE_I 0

/* Nothing to bound for HS-mode: satp stays Bare (the G-stage is the guests'). */
void bm_mmu_init(void)
{
}

/* QEMU's harts and devices share one coherent view of memory, and the base ISA has no
 * cache-block operations (Zicbom is optional): ordering is all a reader needs. */
void hal_cache_clean(const void *va, size_t len)
{
	(void)va;
	(void)len;
	__asm__ volatile("fence rw, rw" ::: "memory");
}

/* FENCE.I orders only this hart's fetches (unprivileged spec, Zifencei): the others
 * through SBI RFENCE remote_fence_i (SBI spec v1.0 ch. 8), hart_mask_base -1 naming
 * every hart. */
void hal_icache_invalidate(void)
{
	__asm__ volatile("fence.i" ::: "memory");
	bm_sbi(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0, (uint64_t)-1, 0);
}
