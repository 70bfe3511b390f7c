/* The one frame allocator (DESIGN rule 5): 4 KiB host-physical frames from the RAM
 * ranges the HAL reports, for both hosts. Thread-safe. It counts outstanding frames so
 * tests can prove every owner gives back what it took, and can be told to fail chosen
 * allocations so tests can prove every failure path. Covers AxMmHal's alloc_frame /
 * dealloc_frame, AxVMHal's alloc/dealloc_memory_region_at and PhysFrame. */
#ifndef CORE_FRAME_H
#define CORE_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/types.h"

/* (Re)build the allocator over hal_mem_ranges(): every frame free, counters zero.
 * Each range keeps its bitmap in its own first frames. -ENOSPC for too many ranges,
 * -ENOMEM if no range is large enough to hold frames beyond its bitmap. */
int frame_init(void);

size_t frame_total(void);       /* frames that can ever be handed out */
size_t frame_free_count(void);  /* frames free now */
size_t frame_outstanding(void); /* frames handed out (alloc or claim) and not returned */

/* One frame; -EINVAL on NULL, -ENOMEM when none is free (or a failure is injected). */
int frame_alloc(paddr_t *pa);
int frame_alloc_zeroed(paddr_t *pa);

/* count physically contiguous frames whose first is aligned to align frames (a power
 * of two). -EINVAL for a NULL pa, count 0 or a bad align; -ENOMEM if no run fits. */
int frame_alloc_contig(size_t count, size_t align, paddr_t *pa);

/* Return frames. -EINVAL for an unaligned or foreign address, or any frame of the run
 * that is not handed out (a double free), in which case nothing is freed. */
int frame_free(paddr_t pa);
int frame_free_contig(paddr_t pa, size_t count);

/* Take the fixed region [base, base + size) (a VM's RAM at a chosen host address).
 * -EINVAL unless page-aligned and non-empty, -ERANGE unless inside one RAM range's
 * allocatable frames, -EBUSY if any frame of it is taken; nothing is taken on error. */
int frame_claim_at(paddr_t base, uint64_t size);

/* Give back a claimed region; -EINVAL/-ERANGE as for claim, -EINVAL if any frame of
 * it is not taken (nothing is released then). */
int frame_release_at(paddr_t base, uint64_t size);

/* Fault injection over allocation calls (alloc, alloc_zeroed, alloc_contig, claim):
 * fail the nth call from now (1 is the next; 0 cancels), or each call with probability
 * per_million / 1e6 drawn from seed. An injected failure returns -ENOMEM. */
void frame_fault_fail_nth(uint64_t n);
void frame_fault_set_rate(uint32_t per_million, uint64_t seed);
void frame_fault_clear(void);
uint64_t frame_alloc_calls(void); /* allocation calls since frame_init */

/* PhysFrame: one owned frame. A freed or never-allocated frame holds PADDR_INVALID,
 * so a second free is caught. */
struct phys_frame {
	paddr_t pa;
};

int phys_frame_alloc(struct phys_frame *f);
int phys_frame_alloc_zeroed(struct phys_frame *f);
int phys_frame_free(struct phys_frame *f);
paddr_t phys_frame_start(const struct phys_frame *f);
void *phys_frame_ptr(const struct phys_frame *f); /* NULL if f holds no frame */
int phys_frame_fill(struct phys_frame *f, uint8_t byte);

#endif
