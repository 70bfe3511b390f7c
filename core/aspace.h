/* A VM's guest-physical address space: regions with permissions and a backend, over
 * one second-stage page table (axaddrspace's AddrSpace). Backends:
 *   linear   GPA -> HPA + offset, the owner keeps the memory (blocks allowed);
 *   eager    frames allocated, zeroed and mapped when the region is added;
 *   lazy     nothing mapped until the guest touches a page: the stage-2 fault handler
 *            then allocates one zeroed frame;
 *   identity GPA == HPA (pass-through devices, reserved ranges).
 * The space owns the frames of eager and lazy regions and every table page, and gives
 * all of them back when a region is removed or the space destroyed; with an account
 * (as_init_acct) every one of them is charged to it. It maps linear and identity
 * regions wherever it is told: whoever adds them must own that host memory (a VM's
 * claims, core/hostmem.h). Thread-safe. */
#ifndef CORE_ASPACE_H
#define CORE_ASPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pt.h"
#include "hal/spinlock.h"

#define AS_MAX_REGIONS 32

enum as_backend { AS_LINEAR, AS_ALLOC_EAGER, AS_ALLOC_LAZY, AS_IDENTITY };

struct as_region {
	gpa_t base;
	uint64_t size;
	unsigned flags; /* PT_R | PT_W | PT_X | PT_DEVICE */
	enum as_backend backend;
	paddr_t hpa; /* linear and identity: where base maps */
};

struct aspace {
	struct spinlock lock;
	struct pt pt;
	unsigned nregions;
	struct as_region regions[AS_MAX_REGIONS]; /* sorted by base, never overlapping */
	uint64_t lazy_faults; /* pages allocated on first touch */
};

/* An empty space over fmt; flush (may be NULL) is how its TLB entries are invalidated.
 * -EINVAL, -ENOMEM. */
int as_init(struct aspace *as, const struct pt_format *fmt, pt_flush_fn flush, void *ctx);
int as_init_acct(struct aspace *as, const struct pt_format *fmt, pt_flush_fn flush, void *ctx,
		 struct frame_account *acct);

/* Remove every region and free every frame and table page the space holds. */
void as_destroy(struct aspace *as);

/* Add a region. hpa is used by AS_LINEAR only. -EINVAL (unaligned, empty, bad flags,
 * write without read), -ERANGE (beyond the format's sizes), -EEXIST (overlaps a
 * region), -ENOSPC (too many regions), -ENOMEM (nothing is left behind). */
int as_add_region(struct aspace *as, gpa_t base, uint64_t size, unsigned flags,
		  enum as_backend backend, paddr_t hpa);

/* Remove the region that starts at base (exactly): unmap it and free what it owned.
 * -ENOENT if no region starts there, -EINVAL if size differs from the region's, -ENOMEM
 * if a neighbouring block had to be split and could not be (nothing changes). */
int as_remove_region(struct aspace *as, gpa_t base, uint64_t size);

/* Whether any frame of [base, base + size) backs an eager or lazy page of the space
 * (the space's own RAM, not what linear regions map). */
bool as_holds_frames(struct aspace *as, paddr_t base, uint64_t size);

/* The region containing gpa, copied to *out; -ENOENT if none. */
int as_find_region(struct aspace *as, gpa_t gpa, struct as_region *out);

/* Translate gpa; -ENOENT if nothing maps it (a hole, or a lazy page not touched yet). */
int as_translate(struct aspace *as, gpa_t gpa, paddr_t *hpa, unsigned *flags);

/* A stage-2 fault on gpa for an access of PT_R, PT_W or PT_X. Returns 0 if handled
 * (a lazy page was populated, or another vCPU already did), -ENOENT if gpa is in no
 * region (the caller treats it as MMIO or injects an abort), -EPERM if the region does
 * not allow the access, -EFAULT if the region is mapped and the fault is not the
 * space's to handle, -ENOMEM if no frame was free. Never crashes on any gpa. */
int as_handle_fault(struct aspace *as, gpa_t gpa, unsigned access);

/* The RAM of the space back to what a board's reset leaves for its firmware to load:
 * every lazy page unmapped and its frame given back (the guest touches it again
 * first), every page of eager and linear regions zeroed. Identity regions (devices,
 * ranges passed through) are left alone. The guest must not run meanwhile. 0, or
 * -ENOMEM if unmapping needed a table page it could not get. */
int as_reset_ram(struct aspace *as);

/* Copy between guest-physical memory and the hypervisor, across page boundaries.
 * Lazy pages are populated as the guest touching them would. The whole range is
 * checked first: -EFAULT (nothing copied) unless every byte lies in RAM regions
 * (not device) that allow the access. */
int as_read(struct aspace *as, gpa_t gpa, void *buf, size_t len);
int as_write(struct aspace *as, gpa_t gpa, const void *buf, size_t len);

#endif
