/* HAL contract: the physical memory the host hands to Tandem, and the host mapping of
 * it. Callers: core/frame.c (ranges, translation) and anything that touches a frame
 * (page tables, guest memory). */
#ifndef HAL_MM_H
#define HAL_MM_H

#include "hal/types.h"

#define HAL_MAX_MEM_RANGES 8

struct hal_mem_range {
	paddr_t base;  /* page-aligned */
	uint64_t size; /* page-aligned, non-zero */
};

/* Usable RAM in ascending order, without the image or firmware; called by frame_init.
 * Writes at most max entries and the number of ranges to *count. -EINVAL on NULL
 * arguments, -ENOSPC (with *count set to the number needed) when max is too small. */
int hal_mem_ranges(struct hal_mem_range *out, size_t max, size_t *count);

/* Host-virtual address of [pa, pa + len); -EINVAL on NULL or len 0, -EFAULT unless the
 * whole range lies inside one RAM range. Never returns a pointer outside RAM. */
int hal_phys_to_virt(paddr_t pa, size_t len, void **va);

/* Physical address behind a host-virtual address of RAM; -EINVAL on NULL, -EFAULT for
 * an address that is not part of the RAM mapping (stack, heap, image). */
int hal_virt_to_phys(const void *va, paddr_t *pa);

/* Clean [va, va + len) of host RAM from the data caches to the point of coherency, so
 * that an observer that does not look in the caches (a guest running with its MMU and
 * caches off reads memory non-cacheable) sees what Tandem wrote there: after Tandem
 * writes guest memory. No-op where the writer and every reader share one coherent view
 * (the simulation host). */
void hal_cache_clean(const void *va, size_t len);

/* After Tandem wrote instructions into guest memory (a debugger's breakpoint): every
 * pCPU's instruction cache forgets what it held, so that the guest fetches what is in
 * memory now. No-op in the simulation host. */
void hal_icache_invalidate(void);

/* Whether a VM may be given the host range [base, base + size), which is not RAM the
 * frame allocator hands out, by mapping it directly (device pass-through), as far as
 * the HAL knows: -EBUSY if it overlaps something Tandem uses itself (its console UART,
 * the interrupt controller, the firmware's tables, its own image), *what naming it
 * ("the console UART"); -ENOENT if it is no device of the board the HAL describes
 * itself; else 0. Where the board is described by a device tree (hal_board_dtb), core
 * asks that too: the range must lie inside one device node of it. */
int hal_passthrough_check(paddr_t base, uint64_t size, const char **what);

/* The flattened device tree the firmware described the board with, already checked
 * (as core/fdt.h's fdt_check does) and *size its length; NULL if the HAL describes the
 * board itself (the simulation host). */
const void *hal_board_dtb(size_t *size);

#endif
