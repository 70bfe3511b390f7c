/* Guest-physical address spaces: the region list and the backends over core/pt.c.
 * One spinlock serialises every change and every fault; the guest's own accesses walk
 * the table without it. A region's frames are freed only through pt_unmap_release,
 * i.e. after the TLB invalidation that makes them unreachable. */
#include <stddef.h>

#include "core/aspace.h"
#include "core/frame.h"
#include "core/mem.h"
#include "hal/err.h"
#include "hal/mm.h"

static bool owns_frames(enum as_backend b)
{
	return b == AS_ALLOC_EAGER || b == AS_ALLOC_LAZY;
}

/* ctx: the space's struct pt, whose account the frames were charged to. */
static void release_frames(void *ctx, paddr_t pa, uint64_t size)
{
	const struct pt *pt = ctx;

	frame_free_contig_acct(pt->acct, pa, (size_t)(size >> PAGE_SHIFT));
}

int as_init_acct(struct aspace *as, const struct pt_format *fmt, pt_flush_fn flush, void *ctx,
		 struct frame_account *acct)
{
	if (!as)
		return -EINVAL;
	*as = (struct aspace){ .lock = SPINLOCK_INIT };
	return pt_init_acct(&as->pt, fmt, flush, ctx, acct);
}

int as_init(struct aspace *as, const struct pt_format *fmt, pt_flush_fn flush, void *ctx)
{
	return as_init_acct(as, fmt, flush, ctx, NULL);
}

static void region_unmap(struct aspace *as, const struct as_region *r)
{
	pt_unmap_release(&as->pt, r->base, r->size, owns_frames(r->backend) ? release_frames : NULL,
			 &as->pt);
}

void as_destroy(struct aspace *as)
{
	if (!as || !as->pt.fmt)
		return;
	spin_lock(&as->lock);
	for (unsigned i = 0; i < as->nregions; i++)
		region_unmap(as, &as->regions[i]);
	as->nregions = 0;
	pt_destroy(&as->pt);
	spin_unlock(&as->lock);
}

/* Index of the region containing gpa, or -1. Caller holds the lock. */
static int find_locked(const struct aspace *as, gpa_t gpa)
{
	unsigned lo = 0, hi = as->nregions;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct as_region *r = &as->regions[mid];
		if (gpa_bits(gpa) < gpa_bits(r->base))
			hi = mid;
		else if (gpa_sub(gpa, r->base) >= r->size)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

static int check_region(const struct aspace *as, gpa_t base, uint64_t size, unsigned flags,
			enum as_backend backend, paddr_t hpa)
{
	const struct pt_format *f = as->pt.fmt;

	uint64_t lo = gpa_bits(base);

	if ((lo & PAGE_MASK) || (size & PAGE_MASK) || size == 0 || (pa_bits(hpa) & PAGE_MASK))
		return -EINVAL;
	if (backend > AS_IDENTITY || (flags & ~(unsigned)(PT_R | PT_W | PT_X | PT_DEVICE)))
		return -EINVAL;
	if (!(flags & (PT_R | PT_W | PT_X)) || ((flags & PT_W) && !(flags & PT_R)))
		return -EINVAL;
	if (owns_frames(backend) && (flags & PT_DEVICE))
		return -EINVAL; /* RAM Tandem allocates is never device memory */
	if (lo + size < lo || (f->va_bits < 64 && lo + size > (1ull << f->va_bits)))
		return -ERANGE;
	return 0;
}

/* pt_map_frames' source of RAM frames: zeroed, charged to the space's account. */
static int zeroed_frame(void *ctx, paddr_t *pa)
{
	const struct pt *pt = ctx;

	return frame_alloc_zeroed_acct(pt->acct, pa);
}

static int map_eager(struct aspace *as, gpa_t base, uint64_t size, unsigned flags)
{
	return pt_map_frames(&as->pt, base, size, flags, zeroed_frame, release_frames, &as->pt);
}

static int map_backend(struct aspace *as, const struct as_region *r)
{
	switch (r->backend) {
	case AS_LINEAR:
		return pt_map(&as->pt, r->base, r->hpa, r->size, r->flags, PT_MAP_BLOCKS);
	case AS_IDENTITY:
		return pt_map(&as->pt, r->base, pa_of_identity(r->base), r->size, r->flags,
			      PT_MAP_BLOCKS);
	case AS_ALLOC_EAGER: return map_eager(as, r->base, r->size, r->flags);
	case AS_ALLOC_LAZY: return 0;
	}
	return -EINVAL;
}

int as_add_region(struct aspace *as, gpa_t base, uint64_t size, unsigned flags,
		  enum as_backend backend, paddr_t hpa)
{
	if (!as || !as->pt.fmt)
		return -EINVAL;
	/* Only a linear region has a host address of its own; an identity one's is its
	 * guest-physical base. */
	if (backend != AS_LINEAR)
		hpa = backend == AS_IDENTITY ? pa_of_identity(base) : pa_make(0);
	int err = check_region(as, base, size, flags, backend, hpa);
	if (err)
		return err;
	struct as_region r = { base, size, flags, backend, hpa };
	uint64_t lo = gpa_bits(base);
	spin_lock(&as->lock);
	unsigned pos = 0;
	while (pos < as->nregions && gpa_bits(as->regions[pos].base) < lo)
		pos++;
	if (as->nregions == AS_MAX_REGIONS)
		err = -ENOSPC;
	else if (pos > 0 && gpa_bits(as->regions[pos - 1].base) + as->regions[pos - 1].size > lo)
		err = -EEXIST;
	else if (pos < as->nregions && lo + size > gpa_bits(as->regions[pos].base))
		err = -EEXIST;
	else
		err = map_backend(as, &r);
	if (!err) {
		memmove(&as->regions[pos + 1], &as->regions[pos],
			(as->nregions - pos) * sizeof(as->regions[0]));
		as->regions[pos] = r;
		as->nregions++;
	}
	spin_unlock(&as->lock);
	return err;
}

int as_remove_region(struct aspace *as, gpa_t base, uint64_t size)
{
	if (!as || !as->pt.fmt)
		return -EINVAL;
	spin_lock(&as->lock);
	int i = find_locked(as, base), err = 0;
	if (i < 0 || !gpa_eq(as->regions[i].base, base))
		err = -ENOENT;
	else if (as->regions[i].size != size)
		err = -EINVAL;
	else
		err = pt_unmap_release(&as->pt, base, size,
				       owns_frames(as->regions[i].backend) ? release_frames : NULL,
				       &as->pt);
	if (!err) {
		as->nregions--;
		memmove(&as->regions[i], &as->regions[i + 1],
			(as->nregions - (unsigned)i) * sizeof(as->regions[0]));
	}
	spin_unlock(&as->lock);
	return err;
}

struct host_span {
	paddr_t base;
	uint64_t size;
};

static int leaf_in_span(void *ctx, gpa_t gpa, paddr_t pa, uint64_t size, unsigned flags)
{
	const struct host_span *h = ctx;
	(void)gpa, (void)flags;
	uint64_t lo = pa_bits(pa), span = pa_bits(h->base);
	return lo < span + h->size && span < lo + size;
}

bool as_holds_frames(struct aspace *as, paddr_t base, uint64_t size)
{
	struct host_span h = { base, size };
	bool found = false;

	if (!as || !size)
		return false;
	spin_lock(&as->lock);
	for (unsigned i = 0; as->pt.fmt && i < as->nregions && !found; i++) {
		const struct as_region *r = &as->regions[i];
		found = owns_frames(r->backend) &&
			pt_for_each(&as->pt, r->base, r->size, leaf_in_span, &h) == 1;
	}
	spin_unlock(&as->lock);
	return found;
}

int as_find_region(struct aspace *as, gpa_t gpa, struct as_region *out)
{
	if (!as || !out)
		return -EINVAL;
	spin_lock(&as->lock);
	int i = find_locked(as, gpa);
	if (i >= 0)
		*out = as->regions[i];
	spin_unlock(&as->lock);
	return i >= 0 ? 0 : -ENOENT;
}

int as_translate(struct aspace *as, gpa_t gpa, paddr_t *hpa, unsigned *flags)
{
	if (!as || !as->pt.fmt)
		return -EINVAL;
	spin_lock(&as->lock);
	int err = pt_translate(&as->pt, gpa, hpa, flags, NULL);
	spin_unlock(&as->lock);
	return err == -ERANGE ? -ENOENT : err;
}

/* Caller holds the lock. */
static int fault_locked(struct aspace *as, gpa_t gpa, unsigned access)
{
	int i = find_locked(as, gpa);

	if (i < 0)
		return -ENOENT;
	const struct as_region *r = &as->regions[i];
	if (access & ~r->flags & (PT_R | PT_W | PT_X))
		return -EPERM;
	if (r->backend != AS_ALLOC_LAZY)
		return -EFAULT; /* mapped when added: the fault is not the space's */
	/* One walk: a frame is taken only if the page's slot is still empty. */
	gpa_t page = gpa_make(gpa_bits(gpa) & ~PAGE_MASK);
	int err = pt_map_frames(&as->pt, page, PAGE_SIZE, r->flags, zeroed_frame, release_frames,
				&as->pt);
	if (err == -EEXIST)
		return 0; /* another vCPU populated it first */
	if (err)
		return err;
	as->lazy_faults++;
	return 0;
}

int as_handle_fault(struct aspace *as, gpa_t gpa, unsigned access)
{
	if (!as || !as->pt.fmt || !access || (access & ~(unsigned)(PT_R | PT_W | PT_X)))
		return -EINVAL;
	spin_lock(&as->lock);
	int err = fault_locked(as, gpa, access);
	spin_unlock(&as->lock);
	return err;
}

/* The part [*lo, *hi) of a leaf at gpa, size bytes, inside [from, to). */
static void leaf_part(gpa_t gpa, uint64_t size, uint64_t from, uint64_t to, uint64_t *lo,
		      uint64_t *hi)
{
	uint64_t start = gpa_bits(gpa), end = start + size;

	*lo = start > from ? start : from;
	*hi = end < to ? end : to;
}

/* Zero what one leaf maps of [lo, hi) (ctx: the bounds). */
static int zero_leaf(void *ctx, gpa_t gpa, paddr_t pa, uint64_t size, unsigned flags)
{
	const uint64_t *bounds = ctx;
	uint64_t lo, hi;
	void *va;

	(void)flags;
	leaf_part(gpa, size, bounds[0], bounds[1], &lo, &hi);
	if (hal_phys_to_virt(pa_add(pa, lo - gpa_bits(gpa)), (size_t)(hi - lo), &va) == 0) {
		memset(va, 0, (size_t)(hi - lo));
		hal_cache_clean(va, (size_t)(hi - lo));
	}
	return 0;
}

/* Zero the mapped pages of [base, base + size), in one walk. Caller holds the lock. */
static void zero_locked(struct aspace *as, gpa_t base, uint64_t size)
{
	uint64_t bounds[2] = { gpa_bits(base), gpa_bits(base) + size };

	pt_for_each(&as->pt, base, size, zero_leaf, bounds);
}

int as_reset_ram(struct aspace *as)
{
	int err = 0;

	if (!as || !as->pt.fmt)
		return -EINVAL;
	spin_lock(&as->lock);
	for (unsigned i = 0; i < as->nregions && !err; i++) {
		const struct as_region *r = &as->regions[i];
		if (r->backend == AS_ALLOC_LAZY)
			err = pt_unmap_release(&as->pt, r->base, r->size, release_frames, &as->pt);
		else if (r->backend == AS_ALLOC_EAGER || r->backend == AS_LINEAR)
			zero_locked(as, r->base, r->size);
	}
	spin_unlock(&as->lock);
	return err;
}

/* A copy between guest memory [lo, hi) and a buffer; next: how far it got. */
struct copy {
	uint64_t lo, hi, next;
	void *out;
	const void *in;
};

static int copy_leaf(void *ctx, gpa_t gpa, paddr_t pa, uint64_t size, unsigned flags)
{
	struct copy *c = ctx;
	uint64_t lo, hi;
	void *va;

	(void)flags;
	leaf_part(gpa, size, c->lo, c->hi, &lo, &hi);
	size_t n = (size_t)(hi - lo), at = (size_t)(lo - c->lo);
	if (lo != c->next || hal_phys_to_virt(pa_add(pa, lo - gpa_bits(gpa)), n, &va))
		return -EFAULT; /* a hole: cannot happen once populated */
	if (c->in) {
		memcpy(va, (const uint8_t *)c->in + at, n);
		hal_cache_clean(va, n); /* the guest may read it with caches off */
	} else {
		memcpy((uint8_t *)c->out + at, va, n);
	}
	c->next = hi;
	return 0;
}

/* Check, populate, then copy, so that an error leaves guest memory untouched. Reads
 * into out, or writes from in (the other is NULL). */
static int copy_locked(struct aspace *as, gpa_t gpa, void *out, const void *in, size_t len)
{
	unsigned access = in ? PT_W : PT_R;
	uint64_t start = gpa_bits(gpa), end = start + len;

	if (end < start)
		return -EFAULT;
	for (uint64_t p = start & ~PAGE_MASK; p < end; p += PAGE_SIZE) {
		int i = find_locked(as, gpa_make(p));
		if (i < 0 || (as->regions[i].flags & PT_DEVICE) || !(as->regions[i].flags & access))
			return -EFAULT;
	}
	for (uint64_t p = start & ~PAGE_MASK; p < end; p += PAGE_SIZE) {
		int err = fault_locked(as, gpa_make(p), access);
		if (err && err != -EFAULT) /* -EFAULT: mapped, not lazy: nothing to do */
			return err == -ENOMEM ? -ENOMEM : -EFAULT;
	}
	if (len == 0)
		return 0;
	/* Every page is mapped now: one walk over the leaves copies it all. */
	struct copy c = { .lo = start, .hi = end, .next = start, .out = out, .in = in };
	uint64_t first = start & ~PAGE_MASK;
	uint64_t span = ((end + PAGE_MASK) & ~PAGE_MASK) - first;
	int err = pt_for_each(&as->pt, gpa_make(first), span, copy_leaf, &c);
	return err || c.next != end ? -EFAULT : 0;
}

int as_read(struct aspace *as, gpa_t gpa, void *buf, size_t len)
{
	if (!as || !as->pt.fmt || (!buf && len))
		return -EINVAL;
	spin_lock(&as->lock);
	int err = copy_locked(as, gpa, buf, NULL, len);
	spin_unlock(&as->lock);
	return err;
}

int as_write(struct aspace *as, gpa_t gpa, const void *buf, size_t len)
{
	if (!as || !as->pt.fmt || (!buf && len))
		return -EINVAL;
	spin_lock(&as->lock);
	int err = copy_locked(as, gpa, NULL, buf, len);
	spin_unlock(&as->lock);
	return err;
}
