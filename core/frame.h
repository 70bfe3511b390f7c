/* The one frame allocator (DESIGN rule 5): 4 KiB host-physical frames from the RAM
 * ranges the HAL reports, for both hosts. Thread-safe; single frames come from and go
 * back to a cache per pCPU, without a global lock, and every count below is exact
 * whatever the caches hold. It counts outstanding frames so
 * tests can prove every owner gives back what it took, and can be told to fail chosen
 * allocations so tests can prove every failure path. Covers AxMmHal's alloc_frame /
 * dealloc_frame, AxVMHal's alloc/dealloc_memory_region_at and PhysFrame.
 *
 * Frames can be reserved for an owner (a VM) in a struct frame_account: reserved frames
 * are promised, and allocation for no account never takes them; allocation charged to
 * the account draws from its reservation and never beyond it. So an owner that takes
 * all it reserved cannot make another owner's allocation fail. */
#ifndef CORE_FRAME_H
#define CORE_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/spinlock.h"
#include "hal/types.h"

/* (Re)build the allocator over hal_mem_ranges(): every frame free, counters zero.
 * Each range keeps its state map (a byte a frame) in its own first frames. -ENOSPC for
 * too many ranges, -ENOMEM if no range is large enough to hold frames beyond its map. */
int frame_init(void);

size_t frame_total(void);       /* frames that can ever be handed out */
size_t frame_free_count(void);  /* frames free now */
size_t frame_outstanding(void); /* frames handed out (alloc or claim) and not returned */
size_t frame_available(void);   /* frames free now and promised to no account */
size_t frame_cached(void);      /* free frames sitting in pCPUs' caches now */

/* Give every free frame the pCPUs' caches hold back to the allocator's maps. Never
 * needed for correctness (the allocator drains when a claim, a run or an allocation
 * needs what a cache holds); for tests and reports. */
void frame_cache_drain_all(void);

/* What one owner may take and has taken. The allocator keeps no pointer to it and
 * changes it only under the account's own lock, inside the calls below (so allocations
 * charged to different accounts share no lock): its owner may keep it anywhere, and
 * move it while nothing is charged to it concurrently. Zero it before first use. */
struct frame_account {
	struct spinlock lock;
	size_t reserved; /* frames promised to the owner; in_use never exceeds it */
	size_t in_use;   /* frames it holds (allocated or claimed) */
	size_t peak;     /* the most it ever held */
};

/* Promise count more frames to a. -EINVAL for a NULL a; -ENOMEM (nothing promised) if
 * fewer than count frames are available, with *available (may be NULL) set to how
 * many are. Counts as an allocation call for fault injection. */
int frame_reserve(struct frame_account *a, size_t count, size_t *available);

/* Give back what a was promised. -EBUSY (nothing changes) while it holds frames. */
int frame_unreserve(struct frame_account *a);

/* A consistent copy of a, for reports. */
struct frame_account frame_account_read(const struct frame_account *a);

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
 * allocatable frames, -EBUSY if any frame of it is taken; nothing is taken on error.
 * A free frame sitting in a pCPU's cache is not taken: the caches are drained first. */
int frame_claim_at(paddr_t base, uint64_t size);

/* Give back a claimed region; -EINVAL/-ERANGE as for claim, -EINVAL if any frame of
 * it is not taken (nothing is released then). */
int frame_release_at(paddr_t base, uint64_t size);

/* The same calls charged to an account: what is taken counts against a's reservation
 * and fails with -ENOMEM beyond it; what is given back returns to it (-EINVAL, nothing
 * given back, for more than a holds). A NULL a is the plain call: it may take only
 * frames no account was promised. */
int frame_alloc_acct(struct frame_account *a, paddr_t *pa);
int frame_alloc_zeroed_acct(struct frame_account *a, paddr_t *pa);
int frame_alloc_contig_acct(struct frame_account *a, size_t count, size_t align, paddr_t *pa);
int frame_free_acct(struct frame_account *a, paddr_t pa);
int frame_free_contig_acct(struct frame_account *a, paddr_t pa, size_t count);
int frame_claim_at_acct(struct frame_account *a, paddr_t base, uint64_t size);
int frame_release_at_acct(struct frame_account *a, paddr_t base, uint64_t size);

/* What the allocator makes of the host range [base, base + size) (page-aligned): */
enum frame_range_kind {
	FRAME_RANGE_RAM,      /* allocatable frames of one RAM range: frame_claim_at's */
	FRAME_RANGE_BITMAP,   /* it overlaps the frames that hold the allocator's maps */
	FRAME_RANGE_PARTIAL,  /* partly RAM, partly not (or across two RAM ranges) */
	FRAME_RANGE_NOT_RAM,  /* no frame of it is RAM the allocator manages */
};
enum frame_range_kind frame_range_kind(paddr_t base, uint64_t size);

/* Fault injection over allocation calls (alloc, alloc_zeroed, alloc_contig, claim,
 * reserve, with or without an account):
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
