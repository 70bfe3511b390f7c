/* Frame allocator: one bitmap per RAM range (a zone), stored in the zone's own first
 * frames so it needs no heap on either host. One lock guards all zones, the counters,
 * every account's fields and the fault-injection state. It never touches frame
 * contents except to zero them on request and to hold its bitmaps.
 *
 * Reservations are counts, not frames: promised is what accounts were promised and do
 * not hold yet, and free frames never fall below it (an unaccounted allocation may
 * only take free - promised frames), so every account can always take a single frame
 * up to its reservation. */
#include <stdbool.h>

#include "core/frame.h"
#include "core/mem.h"
#include "core/rand.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "hal/spinlock.h"

struct zone {
	paddr_t base;
	size_t nframes; /* including the bitmap's own frames */
	size_t meta;    /* leading frames that hold the bitmap */
	uint64_t *bits; /* 1 = taken */
	size_t hint;    /* word to start the next single-frame search at */
};

static struct {
	struct spinlock lock;
	struct zone zones[HAL_MAX_MEM_RANGES];
	size_t nzones;
	size_t total, outstanding;
	size_t promised; /* sum over accounts of reserved - in_use */
	uint64_t calls, fail_at;
	uint32_t fail_rate;
	struct rand_state rng;
} fa;

static bool bit_get(const struct zone *z, size_t i)
{
	return z->bits[i / 64] & (1ull << (i % 64));
}

static void bit_set(struct zone *z, size_t i, bool v)
{
	if (v)
		z->bits[i / 64] |= 1ull << (i % 64);
	else
		z->bits[i / 64] &= ~(1ull << (i % 64));
}

static int zone_init(struct zone *z, const struct hal_mem_range *r)
{
	size_t nframes = (size_t)(r->size >> PAGE_SHIFT);
	size_t words = (nframes + 63) / 64;
	size_t meta = (words * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
	void *va;

	if (nframes <= meta || hal_phys_to_virt(r->base, meta * PAGE_SIZE, &va))
		return -ENOMEM;
	*z = (struct zone){ .base = r->base, .nframes = nframes, .meta = meta, .bits = va };
	memset(z->bits, 0, words * 8);
	for (size_t i = 0; i < meta; i++)
		bit_set(z, i, true);
	for (size_t i = nframes; i < words * 64; i++)
		bit_set(z, i, true);
	return 0;
}

int frame_init(void)
{
	struct hal_mem_range ranges[HAL_MAX_MEM_RANGES];
	size_t n;

	if (hal_mem_ranges(ranges, HAL_MAX_MEM_RANGES, &n))
		return -ENOSPC;
	spin_lock(&fa.lock);
	fa.nzones = 0;
	fa.total = fa.outstanding = fa.promised = 0;
	fa.calls = fa.fail_at = 0;
	fa.fail_rate = 0;
	for (size_t i = 0; i < n; i++) {
		struct zone *z = &fa.zones[fa.nzones];
		if (zone_init(z, &ranges[i]) == 0) {
			fa.total += z->nframes - z->meta;
			fa.nzones++;
		}
	}
	int err = fa.nzones ? 0 : -ENOMEM;
	spin_unlock(&fa.lock);
	return err;
}

size_t frame_total(void)
{
	spin_lock(&fa.lock);
	size_t n = fa.total;
	spin_unlock(&fa.lock);
	return n;
}

size_t frame_outstanding(void)
{
	spin_lock(&fa.lock);
	size_t n = fa.outstanding;
	spin_unlock(&fa.lock);
	return n;
}

size_t frame_free_count(void)
{
	return fa.total - frame_outstanding();
}

size_t frame_available(void)
{
	spin_lock(&fa.lock);
	size_t n = fa.total - fa.outstanding - fa.promised;
	spin_unlock(&fa.lock);
	return n;
}

/* Whether count frames may be taken for a (NULL: for no account). Caller holds the
 * lock. */
static bool may_take(const struct frame_account *a, size_t count)
{
	if (a)
		return count <= a->reserved - a->in_use;
	return count <= fa.total - fa.outstanding - fa.promised;
}

/* count frames were taken for a. Caller holds the lock and checked may_take. */
static void charge(struct frame_account *a, size_t count)
{
	fa.outstanding += count;
	if (!a)
		return;
	a->in_use += count;
	fa.promised -= count;
	if (a->in_use > a->peak)
		a->peak = a->in_use;
}

static void uncharge(struct frame_account *a, size_t count)
{
	fa.outstanding -= count;
	if (!a)
		return;
	a->in_use -= count;
	fa.promised += count;
}

/* Counts an allocation call and decides whether to fail it. Caller holds the lock. */
static bool fault_injected(void)
{
	fa.calls++;
	if (fa.fail_at && fa.calls == fa.fail_at) {
		fa.fail_at = 0;
		return true;
	}
	return fa.fail_rate && rand_next(&fa.rng) % 1000000u < fa.fail_rate;
}

int frame_reserve(struct frame_account *a, size_t count, size_t *available)
{
	if (!a)
		return -EINVAL;
	spin_lock(&fa.lock);
	size_t avail = fa.total - fa.outstanding - fa.promised;
	int err = fault_injected() || count > avail ? -ENOMEM : 0;
	if (!err) {
		a->reserved += count;
		fa.promised += count;
	}
	spin_unlock(&fa.lock);
	if (err && available)
		*available = avail;
	return err;
}

int frame_unreserve(struct frame_account *a)
{
	if (!a)
		return -EINVAL;
	spin_lock(&fa.lock);
	int err = a->in_use ? -EBUSY : 0;
	if (!err) {
		fa.promised -= a->reserved;
		a->reserved = 0;
	}
	spin_unlock(&fa.lock);
	return err;
}

struct frame_account frame_account_read(const struct frame_account *a)
{
	spin_lock(&fa.lock);
	struct frame_account copy = *a;
	spin_unlock(&fa.lock);
	return copy;
}

/* Zone and frame index of [pa, pa + count frames) among allocatable frames. */
static struct zone *zone_of(paddr_t pa, size_t count, size_t *idx)
{
	if (pa_bits(pa) & PAGE_MASK)
		return NULL;
	for (size_t i = 0; i < fa.nzones; i++) {
		struct zone *z = &fa.zones[i];
		if (pa_bits(pa) < pa_bits(z->base))
			continue;
		uint64_t first = pa_sub(pa, z->base) >> PAGE_SHIFT;
		if (first < z->meta || first >= z->nframes || count > z->nframes - first)
			continue;
		*idx = (size_t)first;
		return z;
	}
	return NULL;
}

/* The host-physical address of frame idx of z. */
static paddr_t frame_at(const struct zone *z, size_t idx)
{
	return pa_add(z->base, (uint64_t)idx << PAGE_SHIFT);
}

static bool zone_take_one(struct zone *z, size_t *idx)
{
	size_t words = (z->nframes + 63) / 64;

	for (size_t n = 0; n < words; n++) {
		size_t w = (z->hint + n) % words;
		if (z->bits[w] != ~0ull) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(~z->bits[w]);
			bit_set(z, i, true);
			z->hint = w;
			*idx = i;
			return true;
		}
	}
	return false;
}

int frame_alloc_acct(struct frame_account *a, paddr_t *pa)
{
	if (!pa)
		return -EINVAL;
	spin_lock(&fa.lock);
	int err = -ENOMEM;
	if (!fault_injected() && may_take(a, 1)) {
		for (size_t i = 0; i < fa.nzones; i++) {
			size_t idx;
			if (zone_take_one(&fa.zones[i], &idx)) {
				*pa = frame_at(&fa.zones[i], idx);
				charge(a, 1);
				err = 0;
				break;
			}
		}
	}
	spin_unlock(&fa.lock);
	return err;
}

int frame_alloc(paddr_t *pa)
{
	return frame_alloc_acct(NULL, pa);
}

static int zero_frames(paddr_t pa, size_t count)
{
	void *va;
	int err = hal_phys_to_virt(pa, count * PAGE_SIZE, &va);

	if (!err)
		memset(va, 0, count * PAGE_SIZE);
	return err;
}

int frame_alloc_zeroed_acct(struct frame_account *a, paddr_t *pa)
{
	int err = frame_alloc_acct(a, pa);

	if (!err && (err = zero_frames(*pa, 1)) != 0)
		frame_free_acct(a, *pa);
	return err;
}

int frame_alloc_zeroed(paddr_t *pa)
{
	return frame_alloc_zeroed_acct(NULL, pa);
}

/* First free run of count frames aligned to align frames in z; its index or SIZE_MAX.
 * Alignment is of the physical address, not of the index within the zone. */
static size_t zone_find_run(const struct zone *z, size_t count, size_t align)
{
	uint64_t asize = (uint64_t)align << PAGE_SHIFT;
	uint64_t base = pa_bits(z->base);
	uint64_t cand = (base + ((uint64_t)z->meta << PAGE_SHIFT) + asize - 1) & ~(asize - 1);

	for (;;) {
		uint64_t i = (cand - base) >> PAGE_SHIFT;
		if (cand < base || i >= z->nframes || count > z->nframes - i)
			return SIZE_MAX;
		size_t k = 0;
		while (k < count && !bit_get(z, (size_t)i + k))
			k++;
		if (k == count)
			return (size_t)i;
		uint64_t past = base + ((i + k + 1) << PAGE_SHIFT);
		cand = (past + asize - 1) & ~(asize - 1);
	}
}

int frame_alloc_contig_acct(struct frame_account *a, size_t count, size_t align, paddr_t *pa)
{
	if (!pa || count == 0 || align == 0 || (align & (align - 1)) || align > (1u << 20))
		return -EINVAL;
	spin_lock(&fa.lock);
	int err = -ENOMEM;
	if (!fault_injected() && may_take(a, count)) {
		for (size_t z = 0; z < fa.nzones; z++) {
			size_t i = zone_find_run(&fa.zones[z], count, align);
			if (i == SIZE_MAX)
				continue;
			for (size_t k = 0; k < count; k++)
				bit_set(&fa.zones[z], i + k, true);
			*pa = frame_at(&fa.zones[z], i);
			charge(a, count);
			err = 0;
			break;
		}
	}
	spin_unlock(&fa.lock);
	return err;
}

int frame_alloc_contig(size_t count, size_t align, paddr_t *pa)
{
	return frame_alloc_contig_acct(NULL, count, align, pa);
}

/* Clear count taken frames at pa, all or none, and give them back to a. Caller holds
 * the lock. */
static int release_locked(struct frame_account *a, paddr_t pa, size_t count)
{
	size_t idx;
	struct zone *z = zone_of(pa, count, &idx);

	if (!z || (a && count > a->in_use))
		return -EINVAL;
	for (size_t k = 0; k < count; k++)
		if (!bit_get(z, idx + k))
			return -EINVAL;
	for (size_t k = 0; k < count; k++)
		bit_set(z, idx + k, false);
	uncharge(a, count);
	return 0;
}

int frame_free_contig_acct(struct frame_account *a, paddr_t pa, size_t count)
{
	if (count == 0)
		return -EINVAL;
	spin_lock(&fa.lock);
	int err = release_locked(a, pa, count);
	spin_unlock(&fa.lock);
	return err;
}

int frame_free_contig(paddr_t pa, size_t count)
{
	return frame_free_contig_acct(NULL, pa, count);
}

int frame_free_acct(struct frame_account *a, paddr_t pa)
{
	return frame_free_contig_acct(a, pa, 1);
}

int frame_free(paddr_t pa)
{
	return frame_free_contig_acct(NULL, pa, 1);
}

static int region_check(paddr_t base, uint64_t size, size_t *count)
{
	if ((pa_bits(base) & PAGE_MASK) || size == 0 || (size & PAGE_MASK) ||
	    pa_bits(base) + size < pa_bits(base))
		return -EINVAL;
	*count = (size_t)(size >> PAGE_SHIFT);
	return 0;
}

int frame_claim_at_acct(struct frame_account *a, paddr_t base, uint64_t size)
{
	size_t count, idx;
	int err = region_check(base, size, &count);

	if (err)
		return err;
	spin_lock(&fa.lock);
	struct zone *z = zone_of(base, count, &idx);
	if (!z) {
		err = -ERANGE;
	} else if (fault_injected()) {
		err = -ENOMEM;
	} else {
		for (size_t k = 0; k < count && !err; k++)
			if (bit_get(z, idx + k))
				err = -EBUSY;
		/* Free frames never fall below what accounts were promised. */
		if (!err && !may_take(a, count))
			err = -ENOMEM;
		for (size_t k = 0; k < count && !err; k++)
			bit_set(z, idx + k, true);
		if (!err)
			charge(a, count);
	}
	spin_unlock(&fa.lock);
	return err;
}

int frame_claim_at(paddr_t base, uint64_t size)
{
	return frame_claim_at_acct(NULL, base, size);
}

int frame_release_at_acct(struct frame_account *a, paddr_t base, uint64_t size)
{
	size_t count, idx;
	int err = region_check(base, size, &count);

	if (err)
		return err;
	spin_lock(&fa.lock);
	err = zone_of(base, count, &idx) ? release_locked(a, base, count) : -ERANGE;
	spin_unlock(&fa.lock);
	return err;
}

int frame_release_at(paddr_t base, uint64_t size)
{
	return frame_release_at_acct(NULL, base, size);
}

enum frame_range_kind frame_range_kind(paddr_t base, uint64_t size)
{
	size_t idx, count = (size_t)(size >> PAGE_SHIFT);
	enum frame_range_kind kind = FRAME_RANGE_NOT_RAM;

	if (region_check(base, size, &count))
		return FRAME_RANGE_NOT_RAM;
	spin_lock(&fa.lock);
	if (zone_of(base, count, &idx)) {
		kind = FRAME_RANGE_RAM;
	} else {
		for (size_t i = 0; i < fa.nzones; i++) {
			const struct zone *z = &fa.zones[i];
			uint64_t lo = pa_bits(z->base), at = pa_bits(base);
			uint64_t end = lo + ((uint64_t)z->nframes << PAGE_SHIFT);
			uint64_t meta_end = lo + ((uint64_t)z->meta << PAGE_SHIFT);
			if (at >= end || at + size <= lo)
				continue;
			if (at < meta_end) {
				kind = FRAME_RANGE_BITMAP;
				break;
			}
			kind = FRAME_RANGE_PARTIAL;
		}
	}
	spin_unlock(&fa.lock);
	return kind;
}

void frame_fault_fail_nth(uint64_t n)
{
	spin_lock(&fa.lock);
	fa.fail_at = n ? fa.calls + n : 0;
	spin_unlock(&fa.lock);
}

void frame_fault_set_rate(uint32_t per_million, uint64_t seed)
{
	spin_lock(&fa.lock);
	fa.fail_rate = per_million;
	rand_seed(&fa.rng, seed);
	spin_unlock(&fa.lock);
}

void frame_fault_clear(void)
{
	spin_lock(&fa.lock);
	fa.fail_at = 0;
	fa.fail_rate = 0;
	spin_unlock(&fa.lock);
}

uint64_t frame_alloc_calls(void)
{
	spin_lock(&fa.lock);
	uint64_t n = fa.calls;
	spin_unlock(&fa.lock);
	return n;
}

int phys_frame_alloc(struct phys_frame *f)
{
	if (!f)
		return -EINVAL;
	f->pa = PADDR_INVALID;
	return frame_alloc(&f->pa);
}

int phys_frame_alloc_zeroed(struct phys_frame *f)
{
	if (!f)
		return -EINVAL;
	f->pa = PADDR_INVALID;
	return frame_alloc_zeroed(&f->pa);
}

int phys_frame_free(struct phys_frame *f)
{
	if (!f || pa_eq(f->pa, PADDR_INVALID))
		return -EINVAL;
	int err = frame_free(f->pa);
	if (!err)
		f->pa = PADDR_INVALID;
	return err;
}

paddr_t phys_frame_start(const struct phys_frame *f)
{
	return f ? f->pa : PADDR_INVALID;
}

void *phys_frame_ptr(const struct phys_frame *f)
{
	void *va;

	if (!f || pa_eq(f->pa, PADDR_INVALID) || hal_phys_to_virt(f->pa, PAGE_SIZE, &va))
		return NULL;
	return va;
}

int phys_frame_fill(struct phys_frame *f, uint8_t byte)
{
	void *va = phys_frame_ptr(f);

	if (!va)
		return -EINVAL;
	memset(va, byte, PAGE_SIZE);
	return 0;
}
