/* fuzz/stage2_ops: the page-table engine (core/pt.c) on each second-stage format
 * against a reference model: a sorted array of mapped ranges {gpa, size, pa, flags}
 * (range-based, so a 1 GiB mapping costs one entry). The machine has one pCPU and
 * 64 MiB of RAM for table pages; every input starts from a fresh allocator and one
 * empty struct pt whose flush callback records each call. Leaf targets (pa) are never
 * touched, so they only need to fit the output address size.
 *
 * Input: a header byte h, then up to 64 8-byte operations [o, a, b, c, d, s, p, f].
 *   h & 7 (mod 5): format: aarch64 stage-2 40-bit IPA over 44-bit PA, aarch64 48/48,
 *       riscv_sv39x4, riscv_sv48x4, x86_ept4
 *   (h >> 3) & 3: an 8 GiB window at 0, at 512 GiB - 4 GiB (a root-page boundary of
 *       a concatenated root), at 2^(va-1) - 4 GiB, or at the top 2^va - 8 GiB
 *   h & 0x80: at the end, unmap every model range one by one (the table must shrink
 *       back to its root)
 * Operation o & 7: 0 pt_map (o & 8: pt_map_frames, whose source hands out the
 *   frames of the same linear run one by one and fails its (o >> 4)th call if that is
 *   not 0), 1-2 pt_map with PT_MAP_BLOCKS, 3-4 pt_unmap (o & 8: pt_unmap_release),
 *   5 pt_protect, 6 probe (pt_for_each over the range and pt_translate at its start,
 *   arguments as given), 7 fail the (a % 8 + 1)th frame allocation call from now
 *   (frame_fault_fail_nth). o >> 3 == 31 adds an unknown pt_map option bit.
 * Address: granule G = 4 KiB, 2 MiB, 1 GiB, 2 MiB for a & 3;
 *   gpa = window + (b & 7) GiB [+ (c | (b >> 3 & 1) << 8) * 2 MiB if G <= 2 MiB]
 *         [+ (d | (b >> 4 & 1) << 8) * 4 KiB if G == 4 KiB].
 * Size: (1 + (s & 7)) * S, S = 4 KiB, 2 MiB, 1 GiB or G for (s >> 3) & 3; then
 *   (s >> 5) & 3: 1 adds 4 KiB, 2 takes 4 KiB off (if more is left), 3 adds 2 MiB.
 * Anomalies, (a >> 2) & 15: 0 gpa + 0x800, 1 size + 0x200, 2 size 0, 3 near the end of
 *   the input space: (d >> 2) & 3 of 0-1: gpa = 2^va - (1 + (d & 3)) * G, 2: gpa =
 *   2^va + (d >> 4) * G, 3: gpa = 2^64 - 4 KiB (gpa + size wraps).
 * Output address (p & 3, k = p >> 2), off = gpa's offset in the window: 0 PA_BASE + off,
 *   1 PA_BASE + off + k * 4 KiB, 2 PA_BASE + off + k * 2 MiB, 3 by k & 3: 2^oa - size
 *   (the top of the output space), 2^oa - size + 4 KiB (crosses it), 2^oa or (k & 4)
 *   2^64 - 4 KiB, PA_BASE + off + 0x800 (unaligned).
 * Flags: f & 15 (PT_R, PT_W, PT_X, PT_DEVICE), with PT_R added if (f >> 4) & 3, and an
 *   unknown bit if f >> 4 == 15.
 * So that executions stay fast, the leaves written per input are budgeted (3072,
 * splits included): a map that would overrun the budget is cut to (1 + (s & 7)) pages,
 * an unmap or protect whose block splits would overrun it is skipped, and so is a
 * protect once protects have rewritten about 2048 leaves. With STAGE2_OPS_TRACE set in
 * the environment every operation and its result is printed.
 *
 * Checked after every step: the return code (argument errors, -EEXIST on any overlap,
 * -ENOENT for a protect that is not fully mapped, -ENOMEM exactly when the armed
 * failure was reached, and then no change), sampled translations (pa, flags, leaf size)
 * at the ends and middles of the model ranges, in holes and at the top of the input
 * space, pt_for_each around both ends of the op's range (leaves in order, aligned, of a
 * leaf size of the format, matching the model exactly, 4 KiB where mapped without
 * PT_MAP_BLOCKS; right after a map, exactly the largest leaves size and alignment
 * allow), frame_outstanding() == table_pages, and that read-only calls never allocate.
 * Every change is covered by a flush (removals, changed permissions, a split block as a
 * whole, mappings on formats that flush on map), no table page is freed before the
 * operation's first flush (or by one that never flushes), and pt_unmap_release hands
 * over each cleared leaf once, after a flush covering it. After an -ENOMEM and at the
 * end, the whole input space is walked and the table pages are counted against the
 * leaves (no empty or leaked table); pt_destroy must return every frame. Any
 * difference aborts. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/stage2.h"
#include "arch/riscv64/gstage.h"
#include "arch/x86_64/ept.h"
#include "core/frame.h"
#include "core/pt.h"
#include "fuzz/fuzz_util.h"
#include "hal-sim/sim.h"
#include "hal/err.h"

#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull
#define SZ_1G 0x40000000ull
#define WINDOW (8 * SZ_1G)
#define PA_BASE (1ull << 40)
#define MAX_OPS 64
#define OP_BYTES 8
#define MODEL_MAX 160       /* each op adds at most two ranges */
#define LEAF_BUDGET 3072    /* leaves written per input, splits included */
#define PROTECT_BUDGET 2048 /* leaves rewritten by pt_protect per input */
#define MAX_FLUSHES 128
#define WALK_STOP 0x5707 /* a leaf callback's early stop */
#define NO_CAP (~0u)

/* The checking code needs no coverage feedback (the engine's is what guides the
 * fuzzer), and without it the per-leaf checks cost a fraction. */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

#define BAD_INVAL 1u
#define BAD_RANGE 2u

struct range {
	uint64_t gpa;
	uint64_t size;
	uint64_t pa;
	unsigned flags;
	bool blocks; /* mapped with PT_MAP_BLOCKS (else every leaf is 4 KiB) */
};

/* One operation's arguments, decoded. */
struct args {
	uint64_t gpa;
	uint64_t size;
	uint64_t pa;
	unsigned flags, opts;
};

static struct pt_format a40, a48;
static const struct pt_format *fmt;
static uint64_t va_limit, oa_limit;
static uint64_t wbase;
static uint64_t leaf_sizes[PT_MAX_LEVELS]; /* descending; the last is 4 KiB */
static int leaf_levels[PT_MAX_LEVELS];      /* the level of each */
static uint64_t level_size[PT_MAX_LEVELS];
static unsigned nleaf_sizes;

static struct pt pt;
static struct range model[MODEL_MAX];
static size_t nmodel;
static uint64_t budget, protect_budget;
static size_t rot;
static int cur_op;
static uint8_t cur_bytes[OP_BYTES];
static bool trace; /* STAGE2_OPS_TRACE set: print every operation and its result */

/* Fault injection: the allocation call number that fails (0: none armed). */
static uint64_t fail_at;

/* What the current operation did: its flushes, and the bookkeeping that tells frees
 * apart from allocations (base = outstanding frames minus successful allocations so
 * far; it only drops when something is freed). */
static struct {
	unsigned n;
	bool overflow;
	uint64_t gpa[MAX_FLUSHES];
	uint64_t size[MAX_FLUSHES];
	uint64_t calls0, fail_at;
	size_t base0, base_first;
	bool hit; /* the armed failure was reached */
} op;

static void dump_model(void)
{
	fprintf(stderr, "  op bytes:");
	for (int i = 0; i < OP_BYTES; i++)
		fprintf(stderr, " %02x", cur_bytes[i]);
	fprintf(stderr, "\n  model (%zu ranges), table_pages %zu, outstanding %zu:\n", nmodel,
		pt.table_pages, frame_outstanding());
	for (size_t i = 0; i < nmodel; i++)
		fprintf(stderr, "    [0x%llx, 0x%llx) -> 0x%llx flags %x%s\n",
			(unsigned long long)model[i].gpa,
			(unsigned long long)(model[i].gpa + model[i].size),
			(unsigned long long)model[i].pa, model[i].flags,
			model[i].blocks ? " blocks" : "");
}

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *msg, ...)
{
	va_list ap;

	fprintf(stderr, "stage2_ops [%s va %u oa %u, op %d]: ", fmt ? fmt->name : "?",
		fmt ? fmt->va_bits : 0, fmt ? fmt->oa_bits : 0, cur_op);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	dump_model();
	abort();
}

/* A failed CHECK: the same context as fail()'s. */
void fuzz_on_failure(void)
{
	fprintf(stderr, "stage2_ops [%s va %u oa %u, op %d]\n", fmt ? fmt->name : "?",
		fmt ? fmt->va_bits : 0, fmt ? fmt->oa_bits : 0, cur_op);
	dump_model();
}

#define HEX(v) ((unsigned long long)(v))

NO_COVERAGE static uint64_t r_end(const struct range *r)
{
	return r->gpa + r->size;
}

NO_COVERAGE static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

NO_COVERAGE static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* ---- the reference model ---- */

NO_COVERAGE static const struct range *model_find(uint64_t addr)
{
	for (size_t i = 0; i < nmodel && model[i].gpa <= addr; i++)
		if (addr < r_end(&model[i]))
			return &model[i];
	return NULL;
}

NO_COVERAGE static bool model_overlaps(uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < nmodel && model[i].gpa < hi; i++)
		if (r_end(&model[i]) > lo)
			return true;
	return false;
}

NO_COVERAGE static bool model_covers(uint64_t lo, uint64_t hi)
{
	uint64_t cur = lo;

	for (size_t i = 0; i < nmodel && cur < hi; i++) {
		if (r_end(&model[i]) <= cur)
			continue;
		if (model[i].gpa > cur)
			return false;
		cur = r_end(&model[i]);
	}
	return cur >= hi;
}

static void model_insert(const struct range *nr)
{
	size_t i = 0;

	if (nmodel == MODEL_MAX)
		fail("model full");
	while (i < nmodel && model[i].gpa < nr->gpa)
		i++;
	memmove(&model[i + 1], &model[i], (nmodel - i) * sizeof(model[0]));
	model[i] = *nr;
	nmodel++;
}

/* Make p a boundary between model ranges. */
static void model_split(uint64_t p)
{
	for (size_t i = 0; i < nmodel && model[i].gpa < p; i++) {
		struct range *r = &model[i];
		uint64_t end = r_end(r);
		if (p >= end)
			continue;
		struct range right = *r;
		right.gpa = p;
		right.size = end - p;
		right.pa = r->pa + (p - r->gpa);
		r->size = p - r->gpa;
		model_insert(&right);
		return;
	}
}

static void model_remove(uint64_t lo, uint64_t hi)
{
	size_t k = 0;

	model_split(lo);
	model_split(hi);
	for (size_t i = 0; i < nmodel; i++)
		if (model[i].gpa < lo || model[i].gpa >= hi)
			model[k++] = model[i];
	nmodel = k;
}

static void model_protect(uint64_t lo, uint64_t hi, unsigned flags)
{
	model_split(lo);
	model_split(hi);
	for (size_t i = 0; i < nmodel; i++)
		if (model[i].gpa >= lo && model[i].gpa < hi)
			model[i].flags = flags;
}

/* ---- argument checks as core/pt.h documents them ---- */

static unsigned range_errors(uint64_t gpa, uint64_t size)
{
	unsigned bad = 0;

	if ((gpa & PAGE_MASK) || (size & PAGE_MASK) || size == 0)
		bad |= BAD_INVAL;
	if (gpa + size < gpa || gpa + size > va_limit)
		bad |= BAD_RANGE;
	return bad;
}

static unsigned flag_errors(unsigned flags)
{
	if (flags & ~(unsigned)(PT_R | PT_W | PT_X | PT_DEVICE))
		return BAD_INVAL;
	if (!(flags & (PT_R | PT_W | PT_X)) || ((flags & PT_W) && !(flags & PT_R)))
		return BAD_INVAL;
	return 0;
}

static const char *bad_name(unsigned bad)
{
	return bad == BAD_INVAL ? "-EINVAL" : bad == BAD_RANGE ? "-ERANGE" : "-EINVAL or -ERANGE";
}

/* ---- the flush recorder and the per-operation bookkeeping ---- */

NO_COVERAGE static uint64_t ok_allocs(void)
{
	uint64_t calls = frame_alloc_calls() - op.calls0;

	return op.fail_at && op.calls0 + calls >= op.fail_at ? calls - 1 : calls;
}

NO_COVERAGE static size_t free_base(void)
{
	return frame_outstanding() - (size_t)ok_allocs();
}

NO_COVERAGE static void on_flush(void *ctx, gpa_t at, uint64_t size)
{
	uint64_t gpa = gpa_bits(at);

	if (ctx != &op)
		fail("flush callback got ctx %p", ctx);
	if (((gpa | size) & PAGE_MASK) || size == 0 || gpa + size < gpa || gpa + size > va_limit)
		fail("flush of [0x%llx, +0x%llx) is not a page range of the input space", HEX(gpa),
		     HEX(size));
	if (op.n == 0 && !op.overflow)
		op.base_first = free_base();
	if (op.n && op.gpa[op.n - 1] == gpa && op.size[op.n - 1] == size)
		return; /* the same again (a batch of table pages to free) */
	if (op.n == MAX_FLUSHES) {
		op.overflow = true;
		return;
	}
	op.gpa[op.n] = gpa;
	op.size[op.n] = size;
	op.n++;
}

NO_COVERAGE static bool flushed(uint64_t lo, uint64_t hi)
{
	uint64_t cur = lo;

	if (op.overflow)
		return true;
	while (cur < hi) {
		bool moved = false;
		for (unsigned i = 0; i < op.n; i++) {
			if (op.gpa[i] <= cur && cur < op.gpa[i] + op.size[i]) {
				cur = op.gpa[i] + op.size[i];
				moved = true;
			}
		}
		if (!moved)
			return false;
	}
	return true;
}

static void trace_op(const char *what, const struct args *a, int rc)
{
	if (trace)
		fprintf(stderr,
			"op %d %s gpa 0x%llx size 0x%llx pa 0x%llx flags %x opts %x -> %d\n",
			cur_op, what, HEX(a->gpa), HEX(a->size), HEX(a->pa), a->flags, a->opts, rc);
}

static void begin_op(void)
{
	op.n = 0;
	op.overflow = false;
	op.calls0 = frame_alloc_calls();
	op.fail_at = fail_at;
	op.base0 = frame_outstanding();
	op.hit = false;
}

/* Whether the armed allocation failure was reached during the operation. Also checks
 * that no table page was freed before the operation's first flush (or without any). */
static bool end_op(const char *what)
{
	bool hit = fail_at && frame_alloc_calls() >= fail_at;
	size_t base = free_base();

	if (hit)
		fail_at = 0;
	op.hit = hit;
	bool any_flush = op.n || op.overflow;
	if (!any_flush && base != op.base0)
		fail("%s freed %zu table page(s) without any TLB flush", what, op.base0 - base);
	if (any_flush && op.base_first != op.base0)
		fail("%s freed %zu table page(s) before its first TLB flush", what,
		     op.base0 - op.base_first);
	return hit;
}

/* rc against the model: bad holds the argument errors (any of which may be returned),
 * else want; after the armed failure was reached, -ENOMEM (or want if it is an
 * error: which error wins is not specified). */
static void expect_rc(const char *what, int rc, unsigned bad, int want, bool hit)
{
	if (bad) {
		if ((rc == -EINVAL && (bad & BAD_INVAL)) || (rc == -ERANGE && (bad & BAD_RANGE)) ||
		    (hit && rc == -ENOMEM))
			return;
		fail("%s returned %d, want %s", what, rc, bad_name(bad));
	}
	if (hit) {
		if (rc == -ENOMEM || (want && rc == want))
			return;
		fail("%s returned %d after its allocation failed, want -ENOMEM%s", what, rc,
		     want ? " (or the error)" : "");
	}
	if (rc != want)
		fail("%s returned %d, want %d", what, rc, want);
}

/* Every model byte of [lo, hi) (only those whose flags differ from flags, if
 * only_changed) must be covered by the operation's flushes. */
NO_COVERAGE static void check_flushed(const char *what, uint64_t lo, uint64_t hi,
				      bool only_changed, unsigned flags)
{
	for (size_t i = 0; i < nmodel && model[i].gpa < hi; i++) {
		const struct range *r = &model[i];
		if (r_end(r) <= lo || (only_changed && r->flags == flags))
			continue;
		uint64_t a = max_u64(r->gpa, lo), b = min_u64(r_end(r), hi);
		if (!flushed(a, b))
			fail("%s changed [0x%llx, 0x%llx) without a TLB flush covering it", what,
			     HEX(a), HEX(b));
	}
}

/* ---- leaves ---- */

NO_COVERAGE static int leaf_level(uint64_t size)
{
	for (unsigned i = 0; i < nleaf_sizes; i++)
		if (leaf_sizes[i] == size)
			return leaf_levels[i];
	return -1;
}

/* The leaf a correct block map puts at g: the largest size the alignment of g and of
 * its output address and the end of the range allow. */
NO_COVERAGE static uint64_t best_leaf(uint64_t g, uint64_t end, uint64_t delta, bool blocks)
{
	for (unsigned i = 0; blocks && i < nleaf_sizes; i++) {
		uint64_t s = leaf_sizes[i];
		if (!(g & (s - 1)) && !((g + delta) & (s - 1)) && s <= end - g)
			return s;
	}
	return SZ_4K;
}

struct walk {
	uint64_t lo, hi;
	uint64_t prev_end; /* end of the last leaf */
	size_t idx;     /* model ranges before this one end before prev_end */
	unsigned count, cap;
	/* Right after a map: the exact leaves expected. */
	bool exact, exact_blocks;
	uint64_t exact_delta;
	uint64_t exact_next;
	/* Table census: tables the leaves need, counted once each. */
	bool census;
	uint64_t last_table[PT_MAX_LEVELS];
	size_t tables;
};

NO_COVERAGE static size_t first_ending_after(size_t i, uint64_t addr)
{
	while (i < nmodel && r_end(&model[i]) <= addr)
		i++;
	return i;
}

NO_COVERAGE static void check_gap(struct walk *w, uint64_t lo, uint64_t hi)
{
	if (lo >= hi)
		return;
	size_t i = first_ending_after(w->idx, lo);
	if (i < nmodel && model[i].gpa < hi)
		fail("for_each [0x%llx, 0x%llx): no leaf for mapped 0x%llx", HEX(w->lo), HEX(w->hi),
		     HEX(max_u64(model[i].gpa, lo)));
	w->idx = i;
}

NO_COVERAGE static int check_leaf(void *ctx, gpa_t at, paddr_t out, uint64_t s, unsigned flags)
{
	uint64_t g = gpa_bits(at), pa = pa_bits(out);
	struct walk *w = ctx;
	int lvl = leaf_level(s);
	uint64_t end = g + s;

	if (lvl < 0)
		fail("leaf at 0x%llx has size 0x%llx, not a leaf size of the format", HEX(g),
		     HEX(s));
	if ((g & (s - 1)) || (pa & (s - 1)))
		fail("leaf 0x%llx -> 0x%llx is not aligned to its size 0x%llx", HEX(g), HEX(pa),
		     HEX(s));
	if (g < w->prev_end)
		fail("leaf at 0x%llx comes after one that ends at 0x%llx", HEX(g),
		     HEX(w->prev_end));
	if (g >= w->hi || end <= w->lo)
		fail("leaf [0x%llx, 0x%llx) is outside the walk [0x%llx, 0x%llx)", HEX(g), HEX(end),
		     HEX(w->lo), HEX(w->hi));
	check_gap(w, max_u64(w->prev_end, w->lo), max_u64(g, w->lo));

	size_t i = first_ending_after(w->idx, g);
	for (uint64_t pos = g; pos < end;) {
		if (i >= nmodel || model[i].gpa > pos)
			fail("leaf [0x%llx, 0x%llx) -> 0x%llx maps 0x%llx, the model does not",
			     HEX(g), HEX(end), HEX(pa), HEX(pos));
		const struct range *r = &model[i];
		if (pa + (pos - g) != r->pa + (pos - r->gpa) || flags != r->flags)
			fail("leaf [0x%llx, 0x%llx) -> 0x%llx flags %x, the model has 0x%llx -> "
			     "0x%llx flags %x",
			     HEX(g), HEX(end), HEX(pa), flags, HEX(pos),
			     HEX(r->pa + (pos - r->gpa)), r->flags);
		if (!r->blocks && s != SZ_4K)
			fail("leaf [0x%llx, 0x%llx) of 0x%llx bytes in a range mapped without "
			     "PT_MAP_BLOCKS",
			     HEX(g), HEX(end), HEX(s));
		pos = min_u64(r_end(r), end);
		if (pos < end)
			i++;
	}
	w->idx = i;

	if (w->exact) {
		uint64_t want = best_leaf(w->exact_next, w->hi, w->exact_delta, w->exact_blocks);
		if (g != w->exact_next || s != want)
			fail("after the map: leaf [0x%llx, +0x%llx), want [0x%llx, +0x%llx)",
			     HEX(g), HEX(s), HEX(w->exact_next), HEX(want));
		w->exact_next = end;
	}
	if (w->census) {
		for (int k = 1; k <= lvl; k++) {
			uint64_t base = g & ~(level_size[k - 1] - 1);
			if (w->last_table[k] != base) {
				w->last_table[k] = base;
				w->tables++;
			}
		}
	}
	w->prev_end = end;
	return ++w->count >= w->cap ? WALK_STOP : 0;
}

static void walk_init(struct walk *w, uint64_t lo, uint64_t hi, unsigned cap)
{
	memset(w, 0, sizeof(*w));
	w->lo = lo;
	w->hi = hi;
	w->cap = cap;
	for (int k = 0; k < PT_MAX_LEVELS; k++)
		w->last_table[k] = ~0ull;
}

/* Finish a walk that pt_for_each returned rc for: true if it saw the whole range. */
static bool walk_done(struct walk *w, int rc)
{
	if (rc == WALK_STOP)
		return false;
	if (rc)
		fail("for_each [0x%llx, 0x%llx) returned %d", HEX(w->lo), HEX(w->hi), rc);
	check_gap(w, max_u64(w->prev_end, w->lo), w->hi);
	if (w->exact && w->exact_next != w->hi)
		fail("after the map: leaves end at 0x%llx, want 0x%llx", HEX(w->exact_next),
		     HEX(w->hi));
	return true;
}

/* Walk [lo, hi) (clipped to the input space), at most cap leaves. */
static bool walk(uint64_t lo, uint64_t hi, unsigned cap)
{
	struct walk w;

	hi = min_u64(hi, va_limit);
	if (lo >= hi)
		return true;
	walk_init(&w, lo, hi, cap);
	return walk_done(&w, pt_for_each(&pt, gpa_make(lo), hi - lo, check_leaf, &w));
}

/* Walk the whole input space and count the table pages the leaves need: there must
 * be exactly those (no empty table left behind, none leaked). */
static void census(unsigned cap)
{
	struct walk w;

	walk_init(&w, 0, va_limit, cap);
	w.census = true;
	if (!walk_done(&w, pt_for_each(&pt, gpa_make(0), va_limit, check_leaf, &w)))
		return;
	if (pt.table_pages != pt.root_pages + w.tables)
		fail("table_pages %zu, but the leaves need %zu table pages besides the %u of the "
		     "root",
		     pt.table_pages, w.tables, pt.root_pages);
}

/* ---- translations ---- */

NO_COVERAGE static void check_point(uint64_t addr)
{
	paddr_t out = pa_make(0);
	unsigned flags = 0;
	uint64_t leaf = 0;
	int rc = pt_translate(&pt, gpa_make(addr), &out, &flags, &leaf);
	uint64_t pa = pa_bits(out);

	if (addr >= va_limit) {
		if (rc != -ERANGE)
			fail("translate 0x%llx beyond the input space returned %d", HEX(addr), rc);
		return;
	}
	const struct range *r = model_find(addr);
	if (!r) {
		if (rc != -ENOENT)
			fail("translate 0x%llx (a hole) returned %d -> 0x%llx", HEX(addr), rc,
			     HEX(pa));
		return;
	}
	if (rc != 0)
		fail("translate 0x%llx returned %d, want 0x%llx", HEX(addr), rc,
		     HEX(r->pa + (addr - r->gpa)));
	if (pa != r->pa + (addr - r->gpa) || flags != r->flags)
		fail("translate 0x%llx gave 0x%llx flags %x, want 0x%llx flags %x", HEX(addr),
		     HEX(pa), flags, HEX(r->pa + (addr - r->gpa)), r->flags);
	if (leaf_level(leaf) < 0 || (!r->blocks && leaf != SZ_4K))
		fail("translate 0x%llx: leaf size 0x%llx", HEX(addr), HEX(leaf));
}

NO_COVERAGE static void check_range_points(const struct range *r)
{
	check_point(r->gpa);
	check_point(r_end(r) - SZ_4K);
	check_point(r->gpa + ((r->size / 2) & ~PAGE_MASK) + 0x123);
	check_point(r_end(r));
	if (r->gpa >= SZ_4K)
		check_point(r->gpa - SZ_4K);
}

/* The op's range as page-aligned addresses inside the input space. */
static void op_span(uint64_t gpa, uint64_t size, uint64_t *lo, uint64_t *hi)
{
	uint64_t l = gpa & ~PAGE_MASK;

	if (l >= va_limit)
		l = va_limit - SZ_4K;
	uint64_t s = size < SZ_4K ? SZ_4K : size;
	*lo = l;
	*hi = s > va_limit - l ? va_limit : (l + s + PAGE_MASK) & ~PAGE_MASK;
}

/* Sampled translations and bounded walks around [lo, hi) and over the window; full =
 * every model range and a table census (skipped beyond census_cap leaves). */
static void verify(uint64_t lo, uint64_t hi, bool full, unsigned census_cap)
{
	uint64_t calls = frame_alloc_calls();

	if (frame_outstanding() != pt.table_pages)
		fail("frame_outstanding %zu != table_pages %zu", frame_outstanding(),
		     pt.table_pages);
	check_point(lo);
	check_point(hi - SZ_4K);
	check_point(lo + (((hi - lo) / 2) & ~PAGE_MASK));
	check_point(hi);
	if (lo >= SZ_4K)
		check_point(lo - SZ_4K);
	check_point(va_limit - SZ_4K);
	check_point(va_limit);
	CHECK(pt_translate(&pt, gpa_make(va_limit - SZ_4K), NULL, NULL, NULL) ==
	      (model_find(va_limit - SZ_4K) ? 0 : -ENOENT));
	for (size_t i = 0; i < nmodel; i++) {
		const struct range *r = &model[i];
		bool near = r->gpa < hi + SZ_4K && r_end(r) + SZ_4K > lo;
		if (full || near || (i - rot) % 64 < 4)
			check_range_points(r);
	}
	rot += 4;
	/* The two ends of the op's range, where splits happen. */
	walk(lo >= 8 * SZ_4K ? lo - 8 * SZ_4K : 0, hi + 8 * SZ_4K, 16);
	if (hi - lo > 8 * SZ_4K)
		walk(hi - 8 * SZ_4K, hi + 8 * SZ_4K, 16);
	if (full)
		census(census_cap);
	if (frame_alloc_calls() != calls)
		fail("a read-only call allocated %llu frame(s)", HEX(frame_alloc_calls() - calls));
}

/* ---- operations ---- */

static const uint64_t granule[4] = { SZ_4K, SZ_2M, SZ_1G, SZ_2M };

static void decode(const uint8_t *b, struct args *a)
{
	uint64_t g = granule[b[1] & 3];
	uint64_t off = (uint64_t)(b[2] & 7) * SZ_1G;
	unsigned fb = b[7] >> 4;

	if (g <= SZ_2M)
		off += (uint64_t)(b[3] | (((b[2] >> 3) & 1) << 8)) * SZ_2M;
	if (g == SZ_4K)
		off += (uint64_t)(b[4] | (((b[2] >> 4) & 1) << 8)) * SZ_4K;
	a->gpa = wbase + off;

	unsigned sk = (b[5] >> 3) & 3;
	a->size = (1 + (uint64_t)(b[5] & 7)) * (sk == 3 ? g : granule[sk]);
	switch ((b[5] >> 5) & 3) {
	case 1: a->size += SZ_4K; break;
	case 2: a->size -= a->size > SZ_4K ? SZ_4K : 0; break;
	case 3: a->size += SZ_2M; break;
	}

	switch ((b[1] >> 2) & 15) {
	case 0: a->gpa += 0x800; break;
	case 1: a->size += 0x200; break;
	case 2: a->size = 0; break;
	case 3:
		switch ((b[4] >> 2) & 3) {
		case 0:
		case 1: a->gpa = va_limit - (1 + (uint64_t)(b[4] & 3)) * g; break;
		case 2: a->gpa = va_limit + (uint64_t)(b[4] >> 4) * g; break;
		case 3: a->gpa = 0 - SZ_4K; break;
		}
		break;
	}

	uint64_t k = b[6] >> 2;
	switch (b[6] & 3) {
	case 0: a->pa = PA_BASE + off; break;
	case 1: a->pa = PA_BASE + off + k * SZ_4K; break;
	case 2: a->pa = PA_BASE + off + k * SZ_2M; break;
	case 3:
		switch (k & 3) {
		case 0: a->pa = oa_limit - a->size; break;
		case 1: a->pa = oa_limit - a->size + SZ_4K; break;
		case 2: a->pa = (k & 4) ? 0 - SZ_4K : oa_limit; break;
		case 3: a->pa = PA_BASE + off + 0x800; break;
		}
		break;
	}

	a->flags = b[7] & 15;
	if (fb & 3)
		a->flags |= PT_R;
	if (fb == 15)
		a->flags |= 1u << 4;
	a->opts = (b[0] >> 3) == 31 ? 1u << 1 : 0;
}

/* The leaves a map writes (counted up to just past the budget), to keep inputs cheap. */
static uint64_t map_cost(const struct args *a, bool blocks)
{
	uint64_t n = 0;

	if (range_errors(a->gpa, a->size))
		return 0;
	if (!blocks)
		return a->size / SZ_4K;
	for (uint64_t g = a->gpa, end = a->gpa + a->size; g < end && n <= budget; n++)
		g += best_leaf(g, end, a->pa - a->gpa, blocks);
	return n;
}

/* A block an unmap or protect must split: probe stays mapped on the far side of the
 * cut, so its leaf shows whether the split happened. */
static struct cut {
	uint64_t probe, base;
	uint64_t size;
} cuts[2];
static unsigned ncuts;

/* Note the block that a range end p cuts (probe: a page of it outside the range) and
 * return the leaves splitting it would write: 512 for each block on the way down to
 * p, once even if both ends of the range need it. */
static uint64_t note_cut(uint64_t p, uint64_t probe, struct cut *chain, unsigned *nchain)
{
	uint64_t leaf, n = 0;

	if (p >= va_limit || pt_translate(&pt, gpa_make(p), NULL, NULL, &leaf) != 0)
		return 0;
	if (leaf > SZ_4K && (p & (leaf - 1)))
		cuts[ncuts++] = (struct cut){ probe, p & ~(leaf - 1), leaf };
	for (; leaf > SZ_4K && (p & (leaf - 1)); leaf /= 512) {
		uint64_t base = p & ~(leaf - 1);
		bool seen = false;
		for (unsigned i = 0; i < *nchain; i++)
			seen = seen || (chain[i].base == base && chain[i].size == leaf);
		if (seen)
			continue;
		chain[(*nchain)++] = (struct cut){ p, base, leaf };
		n += 512;
	}
	return n;
}

/* A block that was split must have been invalidated whole (break-before-make), also
 * when a later allocation of the same operation failed. */
static void check_cuts(const char *what)
{
	for (unsigned i = 0; i < ncuts; i++) {
		uint64_t leaf;
		if (pt_translate(&pt, gpa_make(cuts[i].probe), NULL, NULL, &leaf) != 0)
			fail("%s unmapped 0x%llx outside its range", what, HEX(cuts[i].probe));
		if (leaf < cuts[i].size && !flushed(cuts[i].base, cuts[i].base + cuts[i].size))
			fail("%s split the block [0x%llx, +0x%llx) without flushing all of it",
			     what, HEX(cuts[i].base), HEX(cuts[i].size));
	}
}

/* Note the blocks an unmap or protect of [gpa, gpa + size) cuts and charge their
 * splits to the budget; false (skip the op) if they would overrun it. */
static bool charge_splits(uint64_t gpa, uint64_t size)
{
	struct cut chain[2 * PT_MAX_LEVELS];
	unsigned nchain = 0;

	ncuts = 0;
	uint64_t n = note_cut(gpa, gpa - SZ_4K, chain, &nchain);
	n += note_cut(gpa + size, gpa + size, chain, &nchain);

	if (n > budget) {
		if (trace)
			fprintf(stderr, "op %d skipped: its splits would overrun the budget\n",
				cur_op);
		return false;
	}
	budget -= n;
	return true;
}

/* A protect rewrites every leaf of its range: charge those (at least one a range
 * piece, 4 KiB leaves where mapped without blocks) and the splits to protect_budget. */
static bool charge_protect(uint64_t gpa, uint64_t size)
{
	uint64_t n = 0;

	for (size_t i = 0; i < nmodel && model[i].gpa < gpa + size; i++) {
		const struct range *r = &model[i];
		if (r_end(r) <= gpa)
			continue;
		uint64_t bytes = min_u64(r_end(r), gpa + size) - max_u64(r->gpa, gpa);
		n += r->blocks ? 1 + bytes / SZ_2M : bytes / SZ_4K;
	}
	if (n > protect_budget) {
		if (trace)
			fprintf(stderr, "op %d skipped: protect budget\n", cur_op);
		return false;
	}
	protect_budget -= n;
	return charge_splits(gpa, size);
}

static void op_map(struct args *a, bool blocks, uint8_t s)
{
	unsigned opts = a->opts | (blocks ? PT_MAP_BLOCKS : 0);
	uint64_t cost = map_cost(a, blocks);

	if (cost > budget) {
		a->size = (1 + (uint64_t)(s & 7)) * SZ_4K + (a->size & PAGE_MASK);
		cost = map_cost(a, blocks);
	}
	budget -= min_u64(cost, budget);

	unsigned bad = range_errors(a->gpa, a->size) | flag_errors(a->flags);
	if ((a->pa & PAGE_MASK) || (opts & ~(unsigned)PT_MAP_BLOCKS))
		bad |= BAD_INVAL;
	if (a->pa + a->size < a->pa || a->pa + a->size > oa_limit)
		bad |= BAD_RANGE;
	int want = !bad && model_overlaps(a->gpa, a->gpa + a->size) ? -EEXIST : 0;
	size_t tables = pt.table_pages;

	begin_op();
	int rc = pt_map(&pt, gpa_make(a->gpa), pa_make(a->pa), a->size, a->flags, opts);
	bool hit = end_op("pt_map");
	trace_op(blocks ? "map+blocks" : "map", a, rc);
	expect_rc("pt_map", rc, bad, want, hit);
	if (rc != 0) {
		if (pt.table_pages != tables)
			fail("pt_map returned %d but table_pages went from %zu to %zu", rc, tables,
			     pt.table_pages);
		return;
	}
	if (fmt->flush_on_map && !flushed(a->gpa, a->gpa + a->size))
		fail("pt_map on a flush-on-map format did not flush [0x%llx, 0x%llx)", HEX(a->gpa),
		     HEX(a->gpa + a->size));
	struct range nr = { .gpa = a->gpa, .size = a->size, .pa = a->pa, .flags = a->flags,
			    .blocks = blocks };
	model_insert(&nr);

	/* The new range holds exactly the leaves a correct map builds. */
	struct walk w;
	walk_init(&w, a->gpa, a->gpa + a->size, NO_CAP);
	w.exact = true;
	w.exact_blocks = blocks;
	w.exact_delta = a->pa - a->gpa;
	w.exact_next = a->gpa;
	walk_done(&w, pt_for_each(&pt, gpa_make(a->gpa), a->size, check_leaf, &w));
}

/* pt_map_frames' frame source: the frames of a linear run from pa on, one a call, so
 * that the model and the leaf checks are those of a map without blocks; the fail_at'th
 * call fails with -EIO. out counts frames handed out and not put back. */
static struct {
	uint64_t next;
	unsigned calls, fail_at;
	long out;
} source;

static int source_get(void *ctx, paddr_t *out)
{
	(void)ctx;
	if (++source.calls == source.fail_at)
		return -EIO;
	*out = pa_make(source.next);
	source.next += SZ_4K;
	source.out++;
	return 0;
}

NO_COVERAGE static void source_put(void *ctx, paddr_t out, uint64_t size)
{
	(void)ctx, (void)out;
	if (size != SZ_4K)
		fail("pt_map_frames put back 0x%llx bytes, not a page", HEX(size));
	source.out--;
}

/* The first model address in [lo, hi), or hi. */
NO_COVERAGE static uint64_t model_first_in(uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < nmodel && model[i].gpa < hi; i++)
		if (r_end(&model[i]) > lo)
			return max_u64(model[i].gpa, lo);
	return hi;
}

/* pt_map_frames walks in address order and stops at the first page that is mapped
 * (-EEXIST), whose frame the source fails (-EIO) or hands out bad (-ERANGE). */
static void op_map_frames(struct args *a, uint8_t s, unsigned fail_call)
{
	if (map_cost(a, false) > budget)
		a->size = (1 + (uint64_t)(s & 7)) * SZ_4K + (a->size & PAGE_MASK);
	budget -= min_u64(map_cost(a, false), budget);

	unsigned bad = range_errors(a->gpa, a->size) | flag_errors(a->flags);
	int want = 0;
	if (!bad) {
		uint64_t pages = a->size / SZ_4K;
		uint64_t mapped = (model_first_in(a->gpa, a->gpa + a->size) - a->gpa) / SZ_4K;
		uint64_t bad_frame = pages, failing = fail_call ? fail_call - 1 : pages;
		if (a->pa & PAGE_MASK)
			bad_frame = 0;
		else if (a->pa >= oa_limit)
			bad_frame = 0;
		else if ((oa_limit - a->pa) / SZ_4K < pages)
			bad_frame = (oa_limit - a->pa) / SZ_4K;
		uint64_t first = min_u64(mapped, min_u64(bad_frame, failing));
		if (first < pages)
			want = first == mapped ? -EEXIST : first == failing ? -EIO : -ERANGE;
	}
	size_t tables = pt.table_pages;

	source.next = a->pa;
	source.calls = 0;
	source.fail_at = fail_call;
	source.out = 0;
	begin_op();
	int rc = pt_map_frames(&pt, gpa_make(a->gpa), a->size, a->flags, source_get, source_put,
			       NULL);
	bool hit = end_op("pt_map_frames");
	trace_op("map_frames", a, rc);
	expect_rc("pt_map_frames", rc, bad, want, hit);
	if (rc != 0) {
		if (pt.table_pages != tables || source.out != 0)
			fail("pt_map_frames returned %d but table_pages went from %zu to %zu and "
			     "%ld frames were kept", rc, tables, pt.table_pages, source.out);
		return;
	}
	if (source.out != (long)(a->size / SZ_4K))
		fail("pt_map_frames mapped 0x%llx bytes with %ld frames", HEX(a->size), source.out);
	if (fmt->flush_on_map && !flushed(a->gpa, a->gpa + a->size))
		fail("pt_map_frames on a flush-on-map format did not flush");
	struct range nr = { .gpa = a->gpa, .size = a->size, .pa = a->pa, .flags = a->flags };
	model_insert(&nr);
	struct walk w;
	walk_init(&w, a->gpa, a->gpa + a->size, NO_CAP);
	w.exact = true;
	w.exact_delta = a->pa - a->gpa;
	w.exact_next = a->gpa;
	walk_done(&w, pt_for_each(&pt, gpa_make(a->gpa), a->size, check_leaf, &w));
}

/* pt_unmap_release's callback: each cleared leaf once, after a flush covering it. */
struct release_log {
	uint64_t lo, hi;
	uint64_t total;
};

NO_COVERAGE static void on_release(void *ctx, paddr_t out, uint64_t size)
{
	uint64_t pa = pa_bits(out);
	struct release_log *log = ctx;

	if (leaf_level(size) < 0 || (pa & (size - 1)))
		fail("released [0x%llx, +0x%llx) is not a leaf", HEX(pa), HEX(size));
	/* Some model piece inside the range maps it (output addresses may alias). */
	for (size_t i = 0; i < nmodel && model[i].gpa < log->hi; i++) {
		const struct range *r = &model[i];
		if (r_end(r) <= log->lo || pa < r->pa || pa - r->pa >= r->size)
			continue;
		uint64_t g = r->gpa + (pa - r->pa);
		if (g < log->lo || g + size > min_u64(r_end(r), log->hi) || (g & (size - 1)))
			continue;
		if (!flushed(g, g + size))
			fail("leaf 0x%llx -> 0x%llx released before a flush covering it", HEX(g),
			     HEX(pa));
		log->total += size;
		return;
	}
	fail("released [0x%llx, +0x%llx), which no mapping in [0x%llx, 0x%llx) held", HEX(pa),
	     HEX(size), HEX(log->lo), HEX(log->hi));
}

NO_COVERAGE static uint64_t model_bytes_in(uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;

	for (size_t i = 0; i < nmodel && model[i].gpa < hi; i++)
		if (r_end(&model[i]) > lo)
			n += min_u64(r_end(&model[i]), hi) - max_u64(model[i].gpa, lo);
	return n;
}

static void op_unmap(const struct args *a, bool release)
{
	unsigned bad = range_errors(a->gpa, a->size);
	struct release_log log = { .lo = a->gpa, .hi = a->gpa + a->size };
	int rc;

	if (!bad && !charge_splits(a->gpa, a->size))
		return;
	begin_op();
	if (release)
		rc = pt_unmap_release(&pt, gpa_make(a->gpa), a->size, on_release, &log);
	else
		rc = pt_unmap(&pt, gpa_make(a->gpa), a->size);
	bool hit = end_op("pt_unmap");
	trace_op(release ? "unmap_release" : "unmap", a, rc);
	expect_rc("pt_unmap", rc, bad, 0, hit);
	if (!bad)
		check_cuts("pt_unmap");
	if (rc != 0) {
		if (log.total)
			fail("pt_unmap returned %d but released 0x%llx bytes", rc, HEX(log.total));
		return;
	}
	check_flushed("pt_unmap", a->gpa, a->gpa + a->size, false, 0);
	if (release && log.total != model_bytes_in(a->gpa, a->gpa + a->size))
		fail("pt_unmap_release released 0x%llx bytes of 0x%llx mapped", HEX(log.total),
		     HEX(model_bytes_in(a->gpa, a->gpa + a->size)));
	model_remove(a->gpa, a->gpa + a->size);
	if (nmodel == 0 && pt.table_pages != pt.root_pages)
		fail("nothing is mapped but %zu table pages are left besides the root",
		     pt.table_pages - pt.root_pages);
}

static void op_protect(const struct args *a)
{
	unsigned bad = range_errors(a->gpa, a->size) | flag_errors(a->flags);
	int want = !bad && !model_covers(a->gpa, a->gpa + a->size) ? -ENOENT : 0;

	if (!bad && !want && !charge_protect(a->gpa, a->size))
		return;
	begin_op();
	int rc = pt_protect(&pt, gpa_make(a->gpa), a->size, a->flags);
	bool hit = end_op("pt_protect");
	trace_op("protect", a, rc);
	expect_rc("pt_protect", rc, bad, want, hit);
	if (!bad && !want)
		check_cuts("pt_protect");
	if (rc != 0)
		return;
	check_flushed("pt_protect", a->gpa, a->gpa + a->size, true, a->flags);
	model_protect(a->gpa, a->gpa + a->size, a->flags);
}

static int no_leaf(void *ctx, gpa_t at, paddr_t pa, uint64_t size, unsigned flags)
{
	uint64_t gpa = gpa_bits(at);

	(void)ctx, (void)pa, (void)size, (void)flags;
	fail("for_each with bad arguments reported a leaf at 0x%llx", HEX(gpa));
}

static void op_probe(const struct args *a)
{
	unsigned bad = range_errors(a->gpa, a->size);
	uint64_t calls = frame_alloc_calls();

	if (bad) {
		int rc = pt_for_each(&pt, gpa_make(a->gpa), a->size, no_leaf, NULL);
		trace_op("for_each", a, rc);
		expect_rc("pt_for_each", rc, bad, 0, false);
	} else {
		struct walk w;
		walk_init(&w, a->gpa, a->gpa + a->size, 256);
		int rc = pt_for_each(&pt, gpa_make(a->gpa), a->size, check_leaf, &w);
		trace_op("for_each", a, rc);
		walk_done(&w, rc);
		CHECK(pt_for_each(&pt, gpa_make(a->gpa), a->size, NULL, NULL) == -EINVAL);
	}
	check_point(a->gpa);
	check_point(a->gpa + 0x7ff);
	if (frame_alloc_calls() != calls)
		fail("pt_for_each/pt_translate allocated");
}

static void step(const uint8_t *b)
{
	struct args a;
	uint64_t lo, hi;
	bool full;

	memcpy(cur_bytes, b, OP_BYTES);
	op.hit = false;
	decode(b, &a);
	switch (b[0] & 7) {
	case 0:
		if (b[0] & 8)
			op_map_frames(&a, b[5], b[0] >> 4);
		else
			op_map(&a, false, b[5]);
		break;
	case 1:
	case 2: op_map(&a, true, b[5]); break;
	case 3:
	case 4: op_unmap(&a, b[0] & 8); break;
	case 5: op_protect(&a); break;
	case 6: op_probe(&a); break;
	case 7:
		fail_at = frame_alloc_calls() + 1 + b[1] % 8;
		frame_fault_fail_nth(1 + b[1] % 8);
		if (trace)
			fprintf(stderr, "op %d fail allocation call %u from now\n", cur_op,
				1 + b[1] % 8);
		break;
	}
	/* After a failed allocation the whole table is checked: nothing may have changed. */
	full = op.hit;
	op_span(a.gpa, a.size, &lo, &hi);
	verify(lo, hi, full, 256);
}

static void unmap_all(void)
{
	budget = ~0ull; /* range ends are leaf boundaries: nothing to split */
	while (nmodel) {
		const struct range *r = &model[nmodel - 1];
		struct args a = { .gpa = r->gpa, .size = r->size };
		op_unmap(&a, nmodel & 1);
		CHECK(model_find(a.gpa) == NULL);
		check_point(a.gpa);
		check_point(a.gpa + a.size - SZ_4K);
	}
	if (pt.table_pages != pt.root_pages)
		fail("everything is unmapped but %zu table pages are left besides the root",
		     pt.table_pages - pt.root_pages);
}

static void setup_format(uint8_t h)
{
	static const struct pt_format *const fmts[5] = { &a40, &a48, &riscv_sv39x4,
							 &riscv_sv48x4, &x86_ept4 };

	fmt = fmts[(h & 7) % 5];
	va_limit = 1ull << fmt->va_bits;
	oa_limit = 1ull << fmt->oa_bits;
	switch ((h >> 3) & 3) {
	case 0: wbase = 0; break;
	case 1: wbase = 512 * SZ_1G - 4 * SZ_1G; break;
	case 2: wbase = va_limit / 2 - 4 * SZ_1G; break;
	case 3: wbase = va_limit - WINDOW; break;
	}
	nleaf_sizes = 0;
	for (unsigned l = 0; l < fmt->levels; l++)
		level_size[l] = pt_level_size(fmt, l);
	for (unsigned l = 0; l < fmt->levels; l++)
		if ((fmt->leaf_levels & (1u << l)) || l + 1 == fmt->levels) {
			leaf_levels[nleaf_sizes] = (int)l;
			leaf_sizes[nleaf_sizes++] = pt_level_size(fmt, l);
		}
	CHECK(leaf_sizes[nleaf_sizes - 1] == SZ_4K);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool machine;

	if (!machine) {
		struct hal_sim_config cfg = { .pcpus = 1, .nranges = 1,
					      .ranges = { { { HAL_SIM_DEFAULT_BASE }, 64ull << 20 } } };
		CHECK(hal_sim_init(&cfg) == 0);
		CHECK(aarch64_s2_format(40, 44, &a40) == 0);
		CHECK(aarch64_s2_format(48, 48, &a48) == 0);
		trace = getenv("STAGE2_OPS_TRACE") != NULL;
		machine = true;
	}
	if (size < 1)
		return 0;
	cur_op = -1;
	memset(cur_bytes, 0, sizeof(cur_bytes));
	CHECK(frame_init() == 0);
	uint8_t h = data[0];
	setup_format(h);
	nmodel = 0;
	fail_at = 0;
	budget = LEAF_BUDGET;
	protect_budget = PROTECT_BUDGET;
	rot = 0;
	memset(&op, 0, sizeof(op));
	CHECK(pt_init(&pt, fmt, on_flush, &op) == 0);
	CHECK(pt.table_pages == pt.root_pages && frame_outstanding() == pt.root_pages);
	if (trace)
		fprintf(stderr, "%s va %u oa %u, window 0x%llx\n", fmt->name, fmt->va_bits,
			fmt->oa_bits, HEX(wbase));

	data++, size--;
	for (cur_op = 0; cur_op < MAX_OPS && size >= OP_BYTES; cur_op++) {
		step(data);
		data += OP_BYTES;
		size -= OP_BYTES;
	}
	frame_fault_clear();
	fail_at = 0;
	cur_op = -1;
	verify(wbase, wbase + WINDOW, true, NO_CAP);
	if (h & 0x80)
		unmap_all();
	pt_destroy(&pt);
	CHECK(pt.fmt == NULL);
	if (frame_outstanding() != 0)
		fail("%zu frame(s) outstanding after pt_destroy", frame_outstanding());
	return 0;
}
