/* The generic page-table engine. It owns table pages, never the frames leaves point
 * to. Every mutation keeps the table valid for a concurrent walker: entries are written
 * whole, a block is split break-before-make (invalid entry, TLB invalidation of the
 * block, then the new table), and a table page that became empty is freed only after
 * the TLB invalidation of the operation's range.
 *
 * Every operation walks its range once per step, descending per level and iterating the
 * entries of each table it reaches, never from the root per page. Map checks each slot
 * as it reaches it, in address order, so on a conflict or a failed allocation exactly
 * [start, where it stopped) is its own to undo. A table map creates is unreachable until
 * it is complete: it is filled with plain stores (for a linear run, a loop the compiler
 * vectorises) and then linked with one release store.
 *
 * Splits only ever happen at the two ends of a range, so unmap and protect first make
 * those two boundaries leaf boundaries (the only step that allocates) and then change
 * entries without allocating: a failed allocation changes nothing a guest can see. */
#include <stdbool.h>
#include <stddef.h>

#include "core/frame.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/pt.h"
#include "hal/err.h"
#include "hal/mm.h"

#define PT_FREE_BATCH 32

/* What an unmap must give back once the TLB is clean: a table page (size 0) or a
 * cleared leaf handed to the owner's release function. */
struct pt_pending {
	paddr_t pa;
	uint64_t size;
};

/* One unmap operation: the range to invalidate and what to release after. */
struct pt_op {
	struct pt *pt;
	gpa_t gpa;
	uint64_t size;
	bool changed;
	pt_release_fn release;
	void *release_ctx;
	unsigned npending;
	struct pt_pending pending[PT_FREE_BATCH];
};

static unsigned lvl_shift(const struct pt_format *f, unsigned l)
{
	return PAGE_SHIFT + 9 * (f->levels - 1 - l);
}

uint64_t pt_level_size(const struct pt_format *f, unsigned l)
{
	return 1ull << lvl_shift(f, l);
}

static size_t lvl_entries(const struct pt_format *f, unsigned l)
{
	return l == 0 ? (size_t)1 << (f->va_bits - lvl_shift(f, 0)) : 512;
}

static size_t lvl_index(const struct pt_format *f, unsigned l, gpa_t gpa)
{
	return (size_t)(gpa_bits(gpa) >> lvl_shift(f, l)) & (lvl_entries(f, l) - 1);
}

/* The part of [gpa, gpa + size) inside the level entry (of lsize bytes) gpa falls in. */
static uint64_t chunk_in_entry(gpa_t gpa, uint64_t size, uint64_t lsize)
{
	uint64_t room = lsize - (gpa_bits(gpa) & (lsize - 1));

	return size < room ? size : room;
}

static uint64_t *table_of(const struct pt_format *f, unsigned l, paddr_t pa)
{
	void *va;

	if (hal_phys_to_virt(pa, lvl_entries(f, l) * 8, &va))
		panic("page table at 0x%llx is not RAM", (unsigned long long)pa_bits(pa));
	return va;
}

static uint64_t entry_load(const uint64_t *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

static void entry_store(uint64_t *slot, uint64_t e)
{
	__atomic_store_n(slot, e, __ATOMIC_RELEASE);
}

static bool present(const struct pt_format *f, uint64_t e)
{
	return (e & f->present_mask) != 0;
}

static bool is_table(const struct pt_format *f, unsigned l, uint64_t e)
{
	return l + 1 < f->levels && (e & f->type_mask) == f->table_match;
}

static paddr_t entry_pa(const struct pt_format *f, uint64_t e)
{
	return pa_make(((e & f->ppn_mask) >> f->ppn_shift) << PAGE_SHIFT);
}

static uint64_t ppn_field(const struct pt_format *f, paddr_t pa)
{
	return ((pa_bits(pa) >> PAGE_SHIFT) << f->ppn_shift) & f->ppn_mask;
}

uint64_t pt_leaf_entry(const struct pt_format *f, unsigned l, paddr_t pa, unsigned flags)
{
	uint64_t e = ppn_field(f, pa) | f->leaf_bits;

	e |= l + 1 == f->levels ? f->page_bits : f->block_bits;
	if (flags & PT_R)
		e |= f->r_bits;
	if (flags & PT_W)
		e |= f->w_bits;
	e |= (flags & PT_X) ? f->x_bits : f->nx_bits;
	e |= (flags & PT_DEVICE) ? f->device_bits : f->normal_bits;
	return e;
}

uint64_t pt_table_entry(const struct pt_format *f, paddr_t table)
{
	return ppn_field(f, table) | f->table_bits;
}

static unsigned leaf_flags(const struct pt_format *f, uint64_t e)
{
	unsigned flags = 0;

	if (f->r_bits && (e & f->r_bits) == f->r_bits)
		flags |= PT_R;
	if (f->w_bits && (e & f->w_bits) == f->w_bits)
		flags |= PT_W;
	if (f->x_bits ? (e & f->x_bits) == f->x_bits : !(e & f->nx_bits))
		flags |= PT_X;
	if (f->device_bits != f->normal_bits && (e & f->memtype_mask) == f->device_bits)
		flags |= PT_DEVICE;
	return flags;
}

static bool format_ok(const struct pt_format *f)
{
	if (!f || f->levels < 2 || f->levels > PT_MAX_LEVELS || f->va_bits > 64)
		return false;
	unsigned top = lvl_shift(f, 0);
	if (f->va_bits <= top || f->va_bits - top > 13 || f->oa_bits > 64 || !f->present_mask)
		return false;
	/* A block can only be split if every level below it may hold leaves. */
	bool leaf_seen = false;
	for (unsigned l = 0; l < f->levels; l++) {
		bool leaf = (f->leaf_levels & (1u << l)) || l + 1 == f->levels;
		if (leaf_seen && !leaf)
			return false;
		leaf_seen = leaf_seen || leaf;
	}
	return true;
}

unsigned pt_root_pages(const struct pt_format *fmt)
{
	size_t bytes = lvl_entries(fmt, 0) * 8;

	return bytes <= PAGE_SIZE ? 1 : (unsigned)(bytes / PAGE_SIZE);
}

int pt_init_acct(struct pt *pt, const struct pt_format *fmt, pt_flush_fn flush, void *ctx,
		 struct frame_account *acct)
{
	if (!pt || !format_ok(fmt))
		return -EINVAL;
	unsigned pages = pt_root_pages(fmt);
	paddr_t root;
	if (frame_alloc_contig_acct(acct, pages, pages, &root))
		return -ENOMEM;
	uint64_t *root_va = table_of(fmt, 0, root);
	memset(root_va, 0, (size_t)pages * PAGE_SIZE);
	*pt = (struct pt){ .fmt = fmt, .root = root, .root_va = root_va, .root_pages = pages,
			   .table_pages = pages, .flush = flush, .flush_ctx = ctx, .acct = acct };
	return 0;
}

int pt_init(struct pt *pt, const struct pt_format *fmt, pt_flush_fn flush, void *ctx)
{
	return pt_init_acct(pt, fmt, flush, ctx, NULL);
}

/* Level l's tables (l >= 1) are reached through entries of level l - 1: one table per
 * distinct entry any address of the ranges falls in. */
size_t pt_max_tables(const struct pt_format *fmt, const struct pt_range *ranges, size_t n)
{
	size_t tables = 0;

	for (unsigned l = 1; fmt && l < fmt->levels; l++) {
		unsigned shift = lvl_shift(fmt, l - 1);
		uint64_t next = 0; /* the first entry index not yet counted */
		for (size_t i = 0; i < n; i++) {
			if (!ranges[i].size)
				continue;
			uint64_t first = gpa_bits(ranges[i].base) >> shift;
			uint64_t last = (gpa_bits(ranges[i].base) + ranges[i].size - 1) >> shift;
			if (first < next)
				first = next;
			if (first <= last) {
				tables += (size_t)(last - first + 1);
				next = last + 1;
			}
		}
	}
	return tables;
}

static void free_tables(struct pt *pt, unsigned l, paddr_t table)
{
	const struct pt_format *f = pt->fmt;
	uint64_t *t = table_of(f, l, table);

	for (size_t i = 0; i < lvl_entries(f, l); i++) {
		uint64_t e = entry_load(&t[i]);
		if (present(f, e) && is_table(f, l, e)) {
			free_tables(pt, l + 1, entry_pa(f, e));
			frame_free_acct(pt->acct, entry_pa(f, e));
			pt->table_pages--;
		}
	}
}

void pt_destroy(struct pt *pt)
{
	if (!pt || !pt->fmt)
		return;
	free_tables(pt, 0, pt->root);
	frame_free_contig_acct(pt->acct, pt->root, pt->root_pages);
	pt->table_pages -= pt->root_pages;
	pt->fmt = NULL;
}

static void flush(struct pt *pt, gpa_t gpa, uint64_t size)
{
	if (pt->flush)
		pt->flush(pt->flush_ctx, gpa, size);
}

static int check_range(const struct pt *pt, gpa_t gpa, uint64_t size)
{
	uint64_t a = gpa_bits(gpa);

	if (!pt || !pt->fmt || (a & PAGE_MASK) || (size & PAGE_MASK) || size == 0)
		return -EINVAL;
	if (a + size < a || (pt->fmt->va_bits < 64 && a + size > (1ull << pt->fmt->va_bits)))
		return -ERANGE;
	return 0;
}

static int check_flags(unsigned flags)
{
	if (flags & ~(unsigned)(PT_R | PT_W | PT_X | PT_DEVICE))
		return -EINVAL;
	if (!(flags & (PT_R | PT_W | PT_X)) || ((flags & PT_W) && !(flags & PT_R)))
		return -EINVAL;
	return 0;
}

static int walk_leaves(const struct pt *pt, unsigned l, paddr_t table, gpa_t gpa,
		       uint64_t size, pt_leaf_fn fn, void *ctx)
{
	const struct pt_format *f = pt->fmt;
	const uint64_t *t = table_of(f, l, table);
	uint64_t lsize = pt_level_size(f, l);

	while (size) {
		uint64_t off = gpa_bits(gpa) & (lsize - 1);
		uint64_t chunk = chunk_in_entry(gpa, size, lsize);
		uint64_t e = entry_load(&t[lvl_index(f, l, gpa)]);
		int r = 0;
		if (present(f, e) && is_table(f, l, e))
			r = walk_leaves(pt, l + 1, entry_pa(f, e), gpa, chunk, fn, ctx);
		else if (present(f, e))
			r = fn(ctx, gpa_make(gpa_bits(gpa) - off), entry_pa(f, e), lsize,
			       leaf_flags(f, e));
		if (r)
			return r;
		gpa = gpa_add(gpa, chunk);
		size -= chunk;
	}
	return 0;
}

int pt_for_each(const struct pt *pt, gpa_t gpa, uint64_t size, pt_leaf_fn fn, void *ctx)
{
	int err = check_range(pt, gpa, size);

	if (err)
		return err;
	if (!fn)
		return -EINVAL;
	return walk_leaves(pt, 0, pt->root, gpa, size, fn, ctx);
}

/* Counts how many bytes of the range leaves cover. */
struct coverage {
	uint64_t lo, hi; /* guest-physical */
	uint64_t covered;
};

static int cover_leaf(void *ctx, gpa_t gpa, paddr_t pa, uint64_t size, unsigned flags)
{
	struct coverage *c = ctx;
	uint64_t start = gpa_bits(gpa), end = start + size;
	uint64_t lo = start > c->lo ? start : c->lo, hi = end < c->hi ? end : c->hi;
	(void)pa, (void)flags;
	c->covered += hi - lo;
	return 0;
}

static void op_release_pending(struct pt_op *op)
{
	for (unsigned i = 0; i < op->npending; i++) {
		struct pt_pending *p = &op->pending[i];
		if (p->size == 0)
			frame_free_acct(op->pt->acct, p->pa);
		else
			op->release(op->release_ctx, p->pa, p->size);
	}
	op->npending = 0;
}

/* Queue pa for release after the flush; a full queue is flushed early. */
static void op_defer(struct pt_op *op, paddr_t pa, uint64_t size)
{
	if (op->npending == PT_FREE_BATCH) {
		flush(op->pt, op->gpa, op->size);
		op_release_pending(op);
	}
	op->pending[op->npending++] = (struct pt_pending){ pa, size };
}

static void op_finish(struct pt_op *op)
{
	if (op->changed)
		flush(op->pt, op->gpa, op->size);
	op_release_pending(op);
}

static bool table_empty(const struct pt_format *f, unsigned l, const uint64_t *t)
{
	for (size_t i = 0; i < lvl_entries(f, l); i++)
		if (present(f, entry_load(&t[i])))
			return false;
	return true;
}

/* Clear every leaf in the range (boundaries already split). True if the table is left
 * empty and may be freed by the caller: tables emptied here, and also empty tables a
 * failed pt_map installed before its allocation failed below them. */
static bool unmap_level(struct pt_op *op, unsigned l, paddr_t table, gpa_t gpa, uint64_t size)
{
	const struct pt_format *f = op->pt->fmt;
	uint64_t *t = table_of(f, l, table);
	uint64_t lsize = pt_level_size(f, l);

	while (size) {
		uint64_t off = gpa_bits(gpa) & (lsize - 1);
		uint64_t chunk = chunk_in_entry(gpa, size, lsize);
		uint64_t *slot = &t[lvl_index(f, l, gpa)];
		uint64_t e = entry_load(slot);
		if (present(f, e) && is_table(f, l, e)) {
			paddr_t child = entry_pa(f, e);
			if (unmap_level(op, l + 1, child, gpa, chunk)) {
				entry_store(slot, 0);
				op->changed = true; /* walkers may cache the table entry */
				op->pt->table_pages--;
				op_defer(op, child, 0);
			}
		} else if (present(f, e)) {
			TD_ASSERT(off == 0 && chunk == lsize);
			entry_store(slot, 0);
			op->changed = true;
			if (op->release)
				op_defer(op, entry_pa(f, e), lsize);
		}
		gpa = gpa_add(gpa, chunk);
		size -= chunk;
	}
	return l > 0 && table_empty(f, l, t);
}

/* Replace the block in *slot (level l, covering block_gpa) by a table of the next
 * level's leaves with the same attributes, break-before-make. */
static int split_block(struct pt *pt, unsigned l, uint64_t *slot, gpa_t block_gpa)
{
	const struct pt_format *f = pt->fmt;
	uint64_t e = entry_load(slot);
	uint64_t csize = pt_level_size(f, l + 1);
	paddr_t child;

	if (frame_alloc_acct(pt->acct, &child))
		return -ENOMEM;
	pt->table_pages++;
	uint64_t *c = table_of(f, l + 1, child);
	paddr_t base = entry_pa(f, e);
	unsigned flags = leaf_flags(f, e);
	for (size_t i = 0; i < 512; i++)
		entry_store(&c[i], pt_leaf_entry(f, l + 1, pa_add(base, i * csize), flags));
	entry_store(slot, 0);
	flush(pt, block_gpa, pt_level_size(f, l));
	entry_store(slot, pt_table_entry(f, child));
	return 0;
}

/* Make addr the start of a leaf (or of a hole) by splitting the blocks around it. */
static int split_at(struct pt *pt, gpa_t addr)
{
	const struct pt_format *f = pt->fmt;
	paddr_t table = pt->root;

	if (f->va_bits < 64 && gpa_bits(addr) >= (1ull << f->va_bits))
		return 0;
	for (unsigned l = 0; l + 1 < f->levels; l++) {
		uint64_t *slot = &table_of(f, l, table)[lvl_index(f, l, addr)];
		uint64_t e = entry_load(slot);
		if (!present(f, e))
			return 0;
		if (!is_table(f, l, e)) {
			uint64_t lsize = pt_level_size(f, l);
			if (!(gpa_bits(addr) & (lsize - 1)))
				return 0;
			int err = split_block(pt, l, slot, gpa_make(gpa_bits(addr) & ~(lsize - 1)));
			if (err)
				return err;
			e = entry_load(slot);
		}
		table = entry_pa(f, e);
	}
	return 0;
}

static int split_range_ends(struct pt *pt, gpa_t gpa, uint64_t size)
{
	int err = split_at(pt, gpa);

	return err ? err : split_at(pt, gpa_add(gpa, size));
}

/* One map operation. It maps in address order and checks each slot as it reaches it,
 * so [start, done) is always exactly what it added: what an error undoes. */
struct map_op {
	struct pt *pt;
	gpa_t done;
	paddr_t pa;      /* linear: what done maps to */
	unsigned flags;
	unsigned opts;
	pt_frame_fn get; /* NULL: linear from pa; else one frame a page */
	pt_release_fn put; /* gives back get's frames */
	void *ctx;
	/* Table pages a failure left unlinked, freed by map_undo after its flush (so no
	 * table page is ever freed without one, linked or not). */
	unsigned nunlinked;
	paddr_t unlinked[PT_MAX_LEVELS];
};

/* A slot of a table no walker can reach yet is written plainly (the compiler may
 * vectorise); once the table is linked, only whole atomic entries. */
static void slot_store(uint64_t *slot, uint64_t e, bool fresh)
{
	if (fresh)
		*slot = e;
	else
		entry_store(slot, e);
}

static bool block_fits(const struct map_op *op, unsigned l, gpa_t gpa, uint64_t chunk)
{
	const struct pt_format *f = op->pt->fmt;
	uint64_t lsize = pt_level_size(f, l);

	return (op->opts & PT_MAP_BLOCKS) && !op->get && (f->leaf_levels & (1u << l)) &&
	       chunk == lsize && !(gpa_bits(gpa) & (lsize - 1)) &&
	       !(pa_bits(op->pa) & (lsize - 1));
}

/* The output address of the next leaf: the linear run's, or a frame from get, which
 * must be page-aligned and inside the output address size. */
static int leaf_output(struct map_op *op, paddr_t *pa)
{
	if (!op->get) {
		*pa = op->pa;
		return 0;
	}
	int err = op->get(op->ctx, pa);
	if (err)
		return err;
	unsigned oa_bits = op->pt->fmt->oa_bits;
	uint64_t out = pa_bits(*pa);
	if (!(out & PAGE_MASK) && (oa_bits >= 64 || out <= (1ull << oa_bits) - PAGE_SIZE))
		return 0;
	op->put(op->ctx, *pa, PAGE_SIZE); /* never mapped */
	return -ERANGE;
}

/* Whether a linear run fills [gpa, gpa + size) of a fresh level-l table with leaves
 * alone: the last level, or blocks allowed there and every one of them fits. */
static bool fills_with_leaves(const struct map_op *op, unsigned l, gpa_t gpa, uint64_t size)
{
	const struct pt_format *f = op->pt->fmt;
	uint64_t lsize = pt_level_size(f, l);

	if (op->get)
		return false;
	if (l + 1 == f->levels)
		return true;
	return (op->opts & PT_MAP_BLOCKS) && (f->leaf_levels & (1u << l)) &&
	       !((gpa_bits(gpa) | size | pa_bits(op->pa)) & (lsize - 1));
}

/* Those leaves: consecutive output addresses differ by a constant in the PPN field, so
 * this is a plain store loop. */
static void fill_leaves(struct map_op *op, unsigned l, uint64_t *t, gpa_t gpa, uint64_t size)
{
	const struct pt_format *f = op->pt->fmt;
	unsigned shift = lvl_shift(f, l);
	size_t first = lvl_index(f, l, gpa), n = (size_t)(size >> shift);
	uint64_t e = pt_leaf_entry(f, l, op->pa, op->flags);
	uint64_t step = 1ull << (f->ppn_shift + shift - PAGE_SHIFT);

	for (size_t k = 0; k < n; k++)
		t[first + k] = e + k * step;
	op->done = gpa_add(gpa, size);
	op->pa = pa_add(op->pa, size);
}

static int map_level(struct map_op *op, unsigned l, uint64_t *t, gpa_t gpa, uint64_t size,
		     bool fresh);

/* *slot (level l) is empty: build the next level's table for [gpa, gpa + chunk) and
 * link it. A fresh table is filled before it is linked, so a walker sees all of it or
 * none; if the map fails inside it, it is linked only if it holds something. */
static int map_child(struct map_op *op, unsigned l, uint64_t *slot, gpa_t gpa, uint64_t chunk,
		     bool fresh)
{
	const struct pt_format *f = op->pt->fmt;
	paddr_t child;

	if (frame_alloc_acct(op->pt->acct, &child)) {
		slot_store(slot, 0, fresh);
		return -ENOMEM;
	}
	op->pt->table_pages++;
	uint64_t *c = table_of(f, l + 1, child);
	if (chunk != pt_level_size(f, l))
		memset(c, 0, PAGE_SIZE); /* only part of it is mapped */
	int err = map_level(op, l + 1, c, gpa, chunk, true);
	if (err && gpa_bits(op->done) <= gpa_bits(gpa)) {
		op->unlinked[op->nunlinked++] = child;
		slot_store(slot, 0, fresh);
		return err;
	}
	slot_store(slot, pt_table_entry(f, child), fresh);
	return err;
}

/* Map [gpa, gpa + size) in the table t of level l. On an error every slot of the range
 * from the failing one on is left empty (a fresh table's garbage included). */
static int map_level(struct map_op *op, unsigned l, uint64_t *t, gpa_t gpa, uint64_t size,
		     bool fresh)
{
	const struct pt_format *f = op->pt->fmt;
	uint64_t lsize = pt_level_size(f, l);
	bool last = l + 1 == f->levels;

	if (fresh && fills_with_leaves(op, l, gpa, size)) {
		fill_leaves(op, l, t, gpa, size);
		return 0;
	}
	while (size) {
		uint64_t chunk = chunk_in_entry(gpa, size, lsize);
		uint64_t *slot = &t[lvl_index(f, l, gpa)];
		uint64_t e = fresh ? 0 : entry_load(slot);
		int err = 0;
		if (last || (!present(f, e) && block_fits(op, l, gpa, chunk))) {
			paddr_t pa;
			if (present(f, e))
				return -EEXIST;
			if ((err = leaf_output(op, &pa)) == 0) {
				slot_store(slot, pt_leaf_entry(f, l, pa, op->flags), fresh);
				op->done = gpa_add(gpa, chunk);
				op->pa = pa_add(op->pa, chunk);
			} else {
				slot_store(slot, 0, fresh);
			}
		} else if (present(f, e)) {
			if (!is_table(f, l, e))
				return -EEXIST;
			err = map_level(op, l + 1, table_of(f, l + 1, entry_pa(f, e)), gpa, chunk,
					false);
		} else {
			err = map_child(op, l, slot, gpa, chunk, fresh);
		}
		gpa = gpa_add(gpa, chunk);
		size -= chunk;
		if (err) {
			if (fresh) /* the rest of the range is still garbage */
				memset(slot + 1, 0, (size_t)((size + lsize - 1) / lsize) * 8);
			return err;
		}
	}
	return 0;
}

/* One page, a lazy fault's case: one descent from the root. Where it meets an empty
 * slot, the rest of the path is built below it (zeroed tables, the leaf at the bottom)
 * and linked with one store; a failure leaves nothing behind. */
static int map_page(struct map_op *op, gpa_t gpa)
{
	struct pt *pt = op->pt;
	const struct pt_format *f = pt->fmt;
	uint64_t *t = pt->root_va;
	uint64_t *slot;
	unsigned l;

	for (l = 0;; l++) {
		slot = &t[lvl_index(f, l, gpa)];
		uint64_t e = entry_load(slot);
		if (!present(f, e))
			break;
		if (!is_table(f, l, e))
			return -EEXIST; /* the page, or a block over it */
		t = table_of(f, l + 1, entry_pa(f, e));
	}
	paddr_t pa, tables[PT_MAX_LEVELS - 1];
	int err = leaf_output(op, &pa);
	if (err)
		return err;
	uint64_t link = pt_leaf_entry(f, f->levels - 1, pa, op->flags);
	unsigned n = 0;
	for (unsigned k = f->levels - 1; k > l; k--) {
		if (frame_alloc_zeroed_acct(pt->acct, &tables[n])) {
			pt->table_pages += n;
			while (n)
				op->unlinked[op->nunlinked++] = tables[--n];
			if (op->get)
				op->put(op->ctx, pa, PAGE_SIZE); /* never mapped */
			return -ENOMEM;
		}
		table_of(f, k, tables[n])[lvl_index(f, k, gpa)] = link; /* unreachable yet */
		link = pt_table_entry(f, tables[n++]);
	}
	pt->table_pages += n;
	entry_store(slot, link);
	op->done = gpa_add(gpa, PAGE_SIZE);
	op->pa = pa_add(op->pa, PAGE_SIZE);
	return 0;
}

/* Undo a failed map of [start, start + size): [start, op->done) is exactly what it
 * added. The flush, if any is needed, covers the whole range. */
static void map_undo(struct map_op *op, gpa_t start, uint64_t size)
{
	uint64_t added = gpa_bits(op->done) - gpa_bits(start);
	struct pt_op undo = { .pt = op->pt, .gpa = start, .size = size, .release = op->put,
			      .release_ctx = op->ctx };

	if (added)
		unmap_level(&undo, 0, op->pt->root, start, added);
	for (unsigned i = 0; i < op->nunlinked; i++) {
		undo.changed = true;
		op->pt->table_pages--;
		op_defer(&undo, op->unlinked[i], 0);
	}
	op_finish(&undo);
}

static int map_run(struct map_op *op, gpa_t gpa, uint64_t size)
{
	struct pt *pt = op->pt;
	int err = size == PAGE_SIZE ? map_page(op, gpa)
				    : map_level(op, 0, pt->root_va, gpa, size, false);

	if (err)
		map_undo(op, gpa, size);
	else if (pt->fmt->flush_on_map)
		flush(pt, gpa, size);
	return err;
}

int pt_map(struct pt *pt, gpa_t gpa, paddr_t pa, uint64_t size, unsigned flags, unsigned opts)
{
	int err = check_range(pt, gpa, size);

	if (err)
		return err;
	uint64_t out = pa_bits(pa);
	if ((err = check_flags(flags)) != 0 || (out & PAGE_MASK) || (opts & ~PT_MAP_BLOCKS))
		return err ? err : -EINVAL;
	if (out + size < out || (pt->fmt->oa_bits < 64 && out + size > (1ull << pt->fmt->oa_bits)))
		return -ERANGE;
	struct map_op op = { .pt = pt, .done = gpa, .pa = pa, .flags = flags, .opts = opts };
	return map_run(&op, gpa, size);
}

int pt_map_frames(struct pt *pt, gpa_t gpa, uint64_t size, unsigned flags, pt_frame_fn get,
		  pt_release_fn put, void *ctx)
{
	int err = check_range(pt, gpa, size);

	if (err || (err = check_flags(flags)) != 0)
		return err;
	if (!get || !put)
		return -EINVAL;
	struct map_op op = { .pt = pt, .done = gpa, .flags = flags, .get = get, .put = put,
			     .ctx = ctx };
	return map_run(&op, gpa, size);
}

int pt_unmap_release(struct pt *pt, gpa_t gpa, uint64_t size, pt_release_fn release, void *ctx)
{
	int err = check_range(pt, gpa, size);

	if (err || (err = split_range_ends(pt, gpa, size)) != 0)
		return err;
	struct pt_op op = { .pt = pt, .gpa = gpa, .size = size, .release = release,
			    .release_ctx = ctx };
	unmap_level(&op, 0, pt->root, gpa, size);
	op_finish(&op);
	return 0;
}

int pt_unmap(struct pt *pt, gpa_t gpa, uint64_t size)
{
	return pt_unmap_release(pt, gpa, size, NULL, NULL);
}

static void protect_level(struct pt *pt, unsigned l, paddr_t table, gpa_t gpa, uint64_t size,
			  unsigned flags)
{
	const struct pt_format *f = pt->fmt;
	uint64_t *t = table_of(f, l, table);
	uint64_t lsize = pt_level_size(f, l);

	while (size) {
		uint64_t chunk = chunk_in_entry(gpa, size, lsize);
		uint64_t *slot = &t[lvl_index(f, l, gpa)];
		uint64_t e = entry_load(slot);
		if (is_table(f, l, e))
			protect_level(pt, l + 1, entry_pa(f, e), gpa, chunk, flags);
		else
			entry_store(slot, pt_leaf_entry(f, l, entry_pa(f, e), flags));
		gpa = gpa_add(gpa, chunk);
		size -= chunk;
	}
}

int pt_protect(struct pt *pt, gpa_t gpa, uint64_t size, unsigned flags)
{
	int err = check_range(pt, gpa, size);

	if (err || (err = check_flags(flags)) != 0)
		return err;
	struct coverage c = { .lo = gpa_bits(gpa), .hi = gpa_bits(gpa) + size };
	walk_leaves(pt, 0, pt->root, gpa, size, cover_leaf, &c);
	if (c.covered != size)
		return -ENOENT;
	if ((err = split_range_ends(pt, gpa, size)) != 0)
		return err;
	protect_level(pt, 0, pt->root, gpa, size, flags);
	flush(pt, gpa, size);
	return 0;
}

int pt_entry_at(const struct pt *pt, gpa_t gpa, unsigned level, uint64_t *entry)
{
	if (!pt || !pt->fmt || !entry || level >= pt->fmt->levels)
		return -EINVAL;
	const struct pt_format *f = pt->fmt;
	if (f->va_bits < 64 && gpa_bits(gpa) >= (1ull << f->va_bits))
		return -ERANGE;
	paddr_t table = pt->root;
	for (unsigned l = 0;; l++) {
		uint64_t e = entry_load(&table_of(f, l, table)[lvl_index(f, l, gpa)]);
		if (l == level) {
			*entry = e;
			return 0;
		}
		if (!present(f, e) || !is_table(f, l, e))
			return -ENOENT;
		table = entry_pa(f, e);
	}
}

int pt_translate(const struct pt *pt, gpa_t gpa, paddr_t *pa, unsigned *flags,
		 uint64_t *leaf_size)
{
	if (!pt || !pt->fmt)
		return -EINVAL;
	const struct pt_format *f = pt->fmt;
	if (f->va_bits < 64 && gpa_bits(gpa) >= (1ull << f->va_bits))
		return -ERANGE;
	paddr_t table = pt->root;
	for (unsigned l = 0; l < f->levels; l++) {
		uint64_t e = entry_load(&table_of(f, l, table)[lvl_index(f, l, gpa)]);
		if (!present(f, e))
			return -ENOENT;
		if (is_table(f, l, e)) {
			table = entry_pa(f, e);
			continue;
		}
		uint64_t lsize = pt_level_size(f, l);
		if (pa)
			*pa = pa_add(entry_pa(f, e), gpa_bits(gpa) & (lsize - 1));
		if (flags)
			*flags = leaf_flags(f, e);
		if (leaf_size)
			*leaf_size = lsize;
		return 0;
	}
	return -ENOENT;
}
