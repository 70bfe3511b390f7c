/* Frame allocator: one state map per RAM range (a zone), stored in the zone's own
 * first frames so it needs no heap on either host, and a cache of free frames per pCPU
 * in front of it.
 *
 * Every frame is in one of three states, a byte of its zone's map: FREE (anyone may
 * take it under the global lock), CACHED (free, but sitting in one pCPU's cache) or
 * TAKEN (handed out, or claimed). Single frames are allocated from and freed to the
 * caller's cache under that cache's lock alone; a cache is refilled from the maps and
 * drained back to them in batches under the global lock. A free moves its frame from
 * TAKEN to CACHED by compare-and-swap, so a free of a frame that is not TAKEN (a
 * double free, also of a frame sitting in any cache) is refused however frees race;
 * every other change is one the mover's locks make its own (a byte a frame, so frames
 * of other caches never share a word that needs a swap).
 *
 * Counts are kept where they change and added up exactly on request:
 *   outstanding = taken (frames not FREE, global) - frames in caches;
 *   available   = total - unaccounted - reserved, where unaccounted counts frames held
 *                 by no account plus the "tokens" caches hold: a cache takes a batch of
 *                 the right to hand out unaccounted frames from the global budget, so
 *                 an unaccounted allocation needs no global lock either. Frames held
 *                 for accounts do not appear: an account's frames come out of its own
 *                 reservation, which reserved already counts.
 * An account has its own lock, so accounted allocations on several pCPUs share no lock
 * but the account's. When a decision needs the exact figures (reserve, claim,
 * contiguous runs, an allocation that found nothing local), the caller takes every
 * lock, returns all tokens and, if that is not enough, drains every cache, then
 * decides as if there were no caches, before it lets go of any lock.
 *
 * Lock order, inside the allocator (a leaf of core/lockorder.h as a whole): the caches'
 * locks by ascending pCPU id, then the global lock, then an account's lock. The caches
 * come first, not the global lock, because the fast path already holds its cache's
 * lock when it finds it must refill, drain or take tokens under the global one. */
#include <stdbool.h>

#include "core/frame.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/rand.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "hal/spinlock.h"

#define CACHE_MAX 128  /* frames a pCPU's cache holds */
#define CACHE_BATCH 64 /* frames a refill brings, and a full cache keeps when it drains */
#define TOKEN_MAX 128  /* tokens a cache keeps before it gives half of them back */
/* Refills take frames a group at a time from where the last one ended, moved on to the
 * next group: a group's states are one 64-byte line of the map, so two pCPUs working
 * their own caches do not write the same line. */
#define GROUP 64

/* A frame's state, a byte of its zone's map. */
enum { ST_FREE = 0, ST_CACHED = 1, ST_TAKEN = 2 };

struct zone {
	paddr_t base;
	size_t nframes; /* including the map's own frames */
	size_t meta;    /* leading frames that hold the map */
	uint8_t *map;   /* a byte a frame */
	size_t hint;    /* frame to start the next search for a FREE frame at */
};

struct frame_cache {
	struct spinlock lock;
	unsigned n;      /* frames in it, each CACHED */
	unsigned tokens; /* unaccounted frames it may hand out before asking the budget */
	uint64_t calls;  /* allocation calls counted here while no failure is armed */
	paddr_t frames[CACHE_MAX];
} __attribute__((aligned(64)));

static struct {
	struct spinlock lock;
	struct zone zones[HAL_MAX_MEM_RANGES];
	size_t nzones;
	unsigned ncaches; /* pCPUs when frame_init ran */
	size_t total;
	size_t taken;       /* frames not FREE */
	size_t unaccounted; /* frames held by no account, plus every cache's tokens */
	size_t reserved;    /* the sum of every account's reservation */
	uint64_t calls, fail_at;
	uint32_t fail_rate;
	bool armed; /* a failure may be injected: calls are counted here (atomic) */
	struct rand_state rng;
} fa;

static struct frame_cache caches[HAL_MAX_PCPUS];

/* ---- frame states ---- */

static unsigned state_of(const struct zone *z, size_t i)
{
	return __atomic_load_n(&z->map[i], __ATOMIC_RELAXED);
}

/* Frame i goes from state from to state to, if nothing else moves it meanwhile; false
 * (nothing changes) if it is not in from. */
static bool state_move(struct zone *z, size_t i, unsigned from, unsigned to)
{
	uint8_t expect = (uint8_t)from;

	return __atomic_compare_exchange_n(&z->map[i], &expect, (uint8_t)to, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* A change the caller's locks make its own: no other pCPU moves frame i meanwhile (a
 * free racing with it finds it not TAKEN, or it is the caller's TAKEN frame). */
static void state_set(struct zone *z, size_t i, unsigned from, unsigned to)
{
	TD_ASSERT(state_of(z, i) == from);
	(void)from;
	__atomic_store_n(&z->map[i], (uint8_t)to, __ATOMIC_RELAXED);
}

static int zone_init(struct zone *z, const struct hal_mem_range *r)
{
	size_t nframes = (size_t)(r->size >> PAGE_SHIFT);
	size_t meta = (nframes + PAGE_SIZE - 1) / PAGE_SIZE;
	void *va;

	if (nframes <= meta || hal_phys_to_virt(r->base, meta * PAGE_SIZE, &va))
		return -ENOMEM;
	*z = (struct zone){ .base = r->base, .nframes = nframes, .meta = meta, .map = va,
			    .hint = meta };
	memset(z->map, ST_TAKEN, meta);
	memset(z->map + meta, ST_FREE, nframes - meta);
	return 0;
}

/* Zone and frame index of [pa, pa + count frames) among allocatable frames. The zones
 * do not change after frame_init, so this needs no lock. */
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

/* The zone of a frame a cache holds, which is always one of the allocator's. */
static struct zone *zone_of_cached(paddr_t pa, size_t *idx)
{
	struct zone *z = zone_of(pa, 1, idx);

	if (!z)
		panic("a frame cache holds 0x%llx, which is no allocatable frame",
		      (unsigned long long)pa_bits(pa));
	return z;
}

static paddr_t frame_at(const struct zone *z, size_t idx)
{
	return pa_add(z->base, (uint64_t)idx << PAGE_SHIFT);
}

/* A FREE frame of z, searched from the hint on. Caller holds the global lock, so it
 * stays FREE until the caller moves it. */
static bool zone_find_free(struct zone *z, size_t *idx)
{
	for (size_t i = z->hint; i < z->nframes; i++) {
		if (state_of(z, i) == ST_FREE) {
			z->hint = *idx = i;
			return true;
		}
	}
	for (size_t i = z->meta; i < z->hint; i++) {
		if (state_of(z, i) == ST_FREE) {
			z->hint = *idx = i;
			return true;
		}
	}
	return false;
}

/* ---- locks and counts ---- */

static struct frame_cache *my_cache(void)
{
	unsigned id = hal_pcpu_id();

	return &caches[id < fa.ncaches ? id : 0];
}

/* Every lock, in order; every cache's tokens and call counts given back, so the global
 * figures are exact while it is held. */
static void lock_all(void)
{
	for (unsigned i = 0; i < fa.ncaches; i++)
		spin_lock(&caches[i].lock);
	spin_lock(&fa.lock);
	for (unsigned i = 0; i < fa.ncaches; i++) {
		fa.unaccounted -= caches[i].tokens;
		caches[i].tokens = 0;
		fa.calls += caches[i].calls;
		caches[i].calls = 0;
	}
}

static void unlock_all(void)
{
	spin_unlock(&fa.lock);
	for (unsigned i = fa.ncaches; i-- > 0;)
		spin_unlock(&caches[i].lock);
}

/* Give c's frames back to the maps until keep are left: the oldest, at the bottom of
 * the stack, so that the ones freed last (likeliest still in the CPU's caches) are the
 * next handed out. Caller holds c's lock and the global lock. */
static void drain(struct frame_cache *c, unsigned keep)
{
	if (c->n <= keep)
		return;
	unsigned out = c->n - keep;
	for (unsigned k = 0; k < out; k++) {
		size_t idx = 0;
		struct zone *z = zone_of_cached(c->frames[k], &idx);
		state_set(z, idx, ST_CACHED, ST_FREE);
		if (idx < z->hint)
			z->hint = idx;
	}
	memmove(c->frames, c->frames + out, keep * sizeof(c->frames[0]));
	c->n = keep;
	fa.taken -= out;
}

static void drain_all_locked(void)
{
	for (unsigned i = 0; i < fa.ncaches; i++)
		drain(&caches[i], 0);
}

/* Up to CACHE_BATCH FREE frames into c, lowest address popped first. Caller holds c's
 * lock. How many came. */
static unsigned refill(struct frame_cache *c)
{
	unsigned got = 0;

	spin_lock(&fa.lock);
	for (size_t i = 0; i < fa.nzones && got < CACHE_BATCH; i++) {
		struct zone *z = &fa.zones[i];
		size_t idx = 0;
		unsigned before = got;
		while (got < CACHE_BATCH && zone_find_free(z, &idx)) {
			state_set(z, idx, ST_FREE, ST_CACHED);
			c->frames[c->n + got++] = frame_at(z, idx);
		}
		if (got > before) { /* a zone that gave nothing keeps its hint */
			size_t next = (idx / GROUP + 1) * GROUP;
			z->hint = next < z->nframes ? next : z->meta;
		}
	}
	fa.taken += got;
	spin_unlock(&fa.lock);
	for (unsigned a = c->n, b = c->n + got; a + 1 < b; a++, b--) {
		paddr_t t = c->frames[a];
		c->frames[a] = c->frames[b - 1];
		c->frames[b - 1] = t;
	}
	c->n += got;
	return got;
}

/* Tokens from the budget for c: false if none is left. Caller holds c's lock. */
static bool take_tokens(struct frame_cache *c)
{
	spin_lock(&fa.lock);
	size_t avail = fa.total - fa.unaccounted - fa.reserved;
	size_t k = avail < CACHE_BATCH ? avail : CACHE_BATCH;
	fa.unaccounted += k;
	c->tokens += (unsigned)k;
	spin_unlock(&fa.lock);
	return k > 0;
}

/* Counts an allocation call and decides whether to fail it. Caller holds the global
 * lock. */
static bool fault_injected(void)
{
	bool fail = false;

	fa.calls++;
	if (fa.fail_at && fa.calls == fa.fail_at) {
		fa.fail_at = 0;
		fail = true;
	} else if (fa.fail_rate) {
		fail = rand_next(&fa.rng) % 1000000u < fa.fail_rate;
	}
	__atomic_store_n(&fa.armed, fa.fail_at || fa.fail_rate, __ATOMIC_RELAXED);
	return fail;
}

/* fault_injected for a call that holds only c's lock: while nothing is armed the call
 * is only counted, in c. */
static bool cache_call_fails(struct frame_cache *c)
{
	if (!__atomic_load_n(&fa.armed, __ATOMIC_RELAXED)) {
		c->calls++;
		return false;
	}
	spin_lock(&fa.lock);
	bool fail = fault_injected();
	spin_unlock(&fa.lock);
	return fail;
}

/* count frames charged to a, if its reservation allows. */
static bool acct_take(struct frame_account *a, size_t count)
{
	spin_lock(&a->lock);
	bool ok = count <= a->reserved - a->in_use;
	if (ok) {
		a->in_use += count;
		if (a->in_use > a->peak)
			a->peak = a->in_use;
	}
	spin_unlock(&a->lock);
	return ok;
}

/* count frames given back to a, if it holds them. */
static bool acct_give(struct frame_account *a, size_t count)
{
	spin_lock(&a->lock);
	bool ok = count <= a->in_use;
	if (ok)
		a->in_use -= count;
	spin_unlock(&a->lock);
	return ok;
}

/* count frames may be taken for a (NULL: for no account), and are charged. Caller
 * holds every lock (lock_all). */
static bool take_locked(struct frame_account *a, size_t count)
{
	if (a)
		return acct_take(a, count);
	if (count > fa.total - fa.unaccounted - fa.reserved)
		return false;
	fa.unaccounted += count;
	return true;
}

int frame_init(void)
{
	struct hal_mem_range ranges[HAL_MAX_MEM_RANGES];
	size_t n;

	if (hal_mem_ranges(ranges, HAL_MAX_MEM_RANGES, &n))
		return -ENOSPC;
	spin_lock(&fa.lock);
	fa.nzones = 0;
	fa.ncaches = hal_pcpu_count();
	fa.total = fa.taken = fa.unaccounted = fa.reserved = 0;
	fa.calls = fa.fail_at = 0;
	fa.fail_rate = 0;
	__atomic_store_n(&fa.armed, false, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < HAL_MAX_PCPUS; i++) {
		caches[i].n = caches[i].tokens = 0;
		caches[i].calls = 0;
	}
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
	lock_all();
	size_t n = fa.taken;
	for (unsigned i = 0; i < fa.ncaches; i++)
		n -= caches[i].n;
	unlock_all();
	return n;
}

size_t frame_free_count(void)
{
	return fa.total - frame_outstanding();
}

size_t frame_available(void)
{
	lock_all();
	size_t n = fa.total - fa.unaccounted - fa.reserved;
	unlock_all();
	return n;
}

size_t frame_cached(void)
{
	size_t n = 0;

	lock_all();
	for (unsigned i = 0; i < fa.ncaches; i++)
		n += caches[i].n;
	unlock_all();
	return n;
}

void frame_cache_drain_all(void)
{
	lock_all();
	drain_all_locked();
	unlock_all();
}

int frame_reserve(struct frame_account *a, size_t count, size_t *available)
{
	if (!a)
		return -EINVAL;
	lock_all();
	size_t avail = fa.total - fa.unaccounted - fa.reserved;
	int err = fault_injected() || count > avail ? -ENOMEM : 0;
	if (!err) {
		spin_lock(&a->lock);
		a->reserved += count;
		spin_unlock(&a->lock);
		fa.reserved += count;
	}
	unlock_all();
	if (err && available)
		*available = avail;
	return err;
}

int frame_unreserve(struct frame_account *a)
{
	if (!a)
		return -EINVAL;
	spin_lock(&fa.lock);
	spin_lock(&a->lock);
	int err = a->in_use ? -EBUSY : 0;
	if (!err) {
		fa.reserved -= a->reserved;
		a->reserved = 0;
	}
	spin_unlock(&a->lock);
	spin_unlock(&fa.lock);
	return err;
}

struct frame_account frame_account_read(const struct frame_account *a)
{
	/* Reading takes the account's lock: only the lock is written. */
	struct frame_account *w = (struct frame_account *)(uintptr_t)a;

	/* Field by field: copying the whole struct would read the lock itself, which
	 * other pCPUs queueing for it write meanwhile. The copy's lock is a fresh one. */
	spin_lock(&w->lock);
	struct frame_account copy = { .reserved = a->reserved, .in_use = a->in_use,
				      .peak = a->peak };
	spin_unlock(&w->lock);
	return copy;
}

/* ---- single frames, through the caller's cache ---- */

/* One frame out of c for a (NULL: no account). -ENOMEM when a's reservation is used
 * up; -EAGAIN when nothing is to be had without the other caches. Caller holds c's
 * lock. */
static int alloc_from(struct frame_cache *c, struct frame_account *a, paddr_t *pa)
{
	if (a) {
		if (!acct_take(a, 1))
			return -ENOMEM;
	} else if (!c->tokens && !take_tokens(c)) {
		return -EAGAIN;
	}
	if (!c->n && !refill(c)) {
		if (a)
			acct_give(a, 1);
		return -EAGAIN;
	}
	size_t idx = 0;
	*pa = c->frames[--c->n];
	struct zone *z = zone_of_cached(*pa, &idx); /* before idx is read */
	state_set(z, idx, ST_CACHED, ST_TAKEN);
	if (!a)
		c->tokens--;
	return 0;
}

/* A FREE frame of any zone, now TAKEN. Caller holds the global lock. */
static bool take_one_locked(paddr_t *pa)
{
	for (size_t i = 0; i < fa.nzones; i++) {
		struct zone *z = &fa.zones[i];
		size_t idx = 0;
		if (zone_find_free(z, &idx)) {
			state_set(z, idx, ST_FREE, ST_TAKEN);
			fa.taken++;
			*pa = frame_at(z, idx);
			return true;
		}
	}
	return false;
}

/* One frame for a (NULL: no account), decided under every lock as if there were no
 * caches: what alloc_from found missing may sit in other caches, as frames or as
 * tokens. Deciding here rather than draining and trying the cache again keeps the
 * answer exact while other pCPUs allocate: a retry outside the locks could find that
 * another pCPU's refill took back what the drain freed. */
static int alloc_locked(struct frame_account *a, paddr_t *pa)
{
	int err = 0;

	lock_all();
	if (!take_locked(a, 1)) {
		err = -ENOMEM;
	} else if (!take_one_locked(pa)) {
		drain_all_locked();
		if (!take_one_locked(pa)) {
			/* Cannot happen while the counts hold: free frames never fall below
			 * what is available and promised. Refused all the same. */
			err = -ENOMEM;
			if (a)
				acct_give(a, 1);
			else
				fa.unaccounted--;
		}
	}
	unlock_all();
	return err;
}

int frame_alloc_acct(struct frame_account *a, paddr_t *pa)
{
	if (!pa)
		return -EINVAL;
	struct frame_cache *c = my_cache();
	spin_lock(&c->lock);
	int err = cache_call_fails(c) ? -ENOMEM : alloc_from(c, a, pa);
	spin_unlock(&c->lock);
	return err == -EAGAIN ? alloc_locked(a, pa) : err;
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

/* One frame back into the caller's cache. A frame that is not TAKEN (never handed out,
 * or free already, in a map or in any cache) is refused, as is one a does not hold. */
static int free_one(struct frame_account *a, paddr_t pa)
{
	size_t idx = 0;
	struct zone *z = zone_of(pa, 1, &idx);

	if (!z)
		return -EINVAL;
	struct frame_cache *c = my_cache();
	spin_lock(&c->lock);
	/* The account's check and the frame's move are one step under a's lock: a free a
	 * refuses must not, even for a moment, make the frame look free to another free. */
	bool ok;
	if (a) {
		spin_lock(&a->lock);
		ok = a->in_use && state_move(z, idx, ST_TAKEN, ST_CACHED);
		if (ok)
			a->in_use--;
		spin_unlock(&a->lock);
	} else {
		ok = state_move(z, idx, ST_TAKEN, ST_CACHED);
	}
	if (!ok) {
		spin_unlock(&c->lock);
		return -EINVAL;
	}
	if (c->n == CACHE_MAX) {
		spin_lock(&fa.lock);
		drain(c, CACHE_BATCH);
		spin_unlock(&fa.lock);
	}
	c->frames[c->n++] = pa;
	if (!a && ++c->tokens > TOKEN_MAX) {
		spin_lock(&fa.lock);
		fa.unaccounted -= TOKEN_MAX / 2;
		spin_unlock(&fa.lock);
		c->tokens -= TOKEN_MAX / 2;
	}
	spin_unlock(&c->lock);
	return 0;
}

/* ---- runs and regions, under every lock ---- */

/* First run of count FREE frames aligned to align frames in z; its index or SIZE_MAX.
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
		while (k < count && state_of(z, (size_t)i + k) == ST_FREE)
			k++;
		if (k == count)
			return (size_t)i;
		uint64_t past = base + ((i + k + 1) << PAGE_SHIFT);
		cand = (past + asize - 1) & ~(asize - 1);
	}
}

static bool take_run_locked(size_t count, size_t align, paddr_t *pa)
{
	for (size_t zi = 0; zi < fa.nzones; zi++) {
		struct zone *z = &fa.zones[zi];
		size_t i = zone_find_run(z, count, align);
		if (i == SIZE_MAX)
			continue;
		for (size_t k = 0; k < count; k++)
			state_set(z, i + k, ST_FREE, ST_TAKEN);
		fa.taken += count;
		*pa = frame_at(z, i);
		return true;
	}
	return false;
}

int frame_alloc_contig_acct(struct frame_account *a, size_t count, size_t align, paddr_t *pa)
{
	if (!pa || count == 0 || align == 0 || (align & (align - 1)) || align > (1u << 20))
		return -EINVAL;
	lock_all();
	int err = -ENOMEM;
	if (!fault_injected() && take_locked(a, count)) {
		/* Cached frames break runs: if none fits, bring them back and look again. */
		if (take_run_locked(count, align, pa)) {
			err = 0;
		} else {
			drain_all_locked();
			err = take_run_locked(count, align, pa) ? 0 : -ENOMEM;
		}
		if (err) {
			if (a)
				acct_give(a, count);
			else
				fa.unaccounted -= count;
		}
	}
	unlock_all();
	return err;
}

int frame_alloc_contig(size_t count, size_t align, paddr_t *pa)
{
	return frame_alloc_contig_acct(NULL, count, align, pa);
}

/* Free count TAKEN frames at pa, all or none, and give them back to a. Caller holds
 * every lock, so no frame of the run changes state meanwhile. */
static int release_locked(struct frame_account *a, paddr_t pa, size_t count)
{
	size_t idx = 0;
	struct zone *z = zone_of(pa, count, &idx);

	if (!z)
		return -EINVAL;
	for (size_t k = 0; k < count; k++)
		if (state_of(z, idx + k) != ST_TAKEN)
			return -EINVAL;
	if (a && !acct_give(a, count))
		return -EINVAL;
	if (!a)
		fa.unaccounted -= count;
	for (size_t k = 0; k < count; k++)
		state_set(z, idx + k, ST_TAKEN, ST_FREE);
	fa.taken -= count;
	return 0;
}

int frame_free_contig_acct(struct frame_account *a, paddr_t pa, size_t count)
{
	if (count == 0)
		return -EINVAL;
	if (count == 1)
		return free_one(a, pa);
	lock_all();
	int err = release_locked(a, pa, count);
	unlock_all();
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
	size_t count, idx = 0;
	int err = region_check(base, size, &count);

	if (err)
		return err;
	lock_all();
	struct zone *z = zone_of(base, count, &idx);
	if (!z) {
		err = -ERANGE;
	} else if (fault_injected()) {
		err = -ENOMEM;
	} else {
		bool cached = false;
		for (size_t k = 0; k < count && !err; k++) {
			unsigned st = state_of(z, idx + k);
			err = st == ST_TAKEN ? -EBUSY : 0;
			cached = cached || st == ST_CACHED;
		}
		/* Free frames never fall below what accounts were promised. */
		if (!err && !take_locked(a, count))
			err = -ENOMEM;
		/* A free frame sitting in a cache is claimable once it is back in its map. */
		if (!err && cached)
			drain_all_locked();
		for (size_t k = 0; k < count && !err; k++)
			state_set(z, idx + k, ST_FREE, ST_TAKEN);
		if (!err)
			fa.taken += count;
	}
	unlock_all();
	return err;
}

int frame_claim_at(paddr_t base, uint64_t size)
{
	return frame_claim_at_acct(NULL, base, size);
}

int frame_release_at_acct(struct frame_account *a, paddr_t base, uint64_t size)
{
	size_t count, idx = 0;
	int err = region_check(base, size, &count);

	if (err)
		return err;
	lock_all();
	err = zone_of(base, count, &idx) ? release_locked(a, base, count) : -ERANGE;
	unlock_all();
	return err;
}

int frame_release_at(paddr_t base, uint64_t size)
{
	return frame_release_at_acct(NULL, base, size);
}

enum frame_range_kind frame_range_kind(paddr_t base, uint64_t size)
{
	size_t idx = 0, count = (size_t)(size >> PAGE_SHIFT);
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

/* Arming counts every call from now on under the global lock; lock_all has just
 * folded the calls the caches counted into fa.calls, so "the nth from now" is exact. */
void frame_fault_fail_nth(uint64_t n)
{
	lock_all();
	fa.fail_at = n ? fa.calls + n : 0;
	__atomic_store_n(&fa.armed, fa.fail_at || fa.fail_rate, __ATOMIC_RELAXED);
	unlock_all();
}

void frame_fault_set_rate(uint32_t per_million, uint64_t seed)
{
	lock_all();
	fa.fail_rate = per_million;
	rand_seed(&fa.rng, seed);
	__atomic_store_n(&fa.armed, fa.fail_at || fa.fail_rate, __ATOMIC_RELAXED);
	unlock_all();
}

void frame_fault_clear(void)
{
	spin_lock(&fa.lock);
	fa.fail_at = 0;
	fa.fail_rate = 0;
	__atomic_store_n(&fa.armed, false, __ATOMIC_RELAXED);
	spin_unlock(&fa.lock);
}

uint64_t frame_alloc_calls(void)
{
	lock_all();
	uint64_t n = fa.calls;
	unlock_all();
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
