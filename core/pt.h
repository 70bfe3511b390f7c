/* The generic multi-level page-table engine: knows no ISA, only a struct pt_format.
 * Table pages come from the frame allocator and are touched through hal_phys_to_virt,
 * exactly as on hardware. One pt is one second-stage translation (a VM's stage-2,
 * G-stage or EPT). Callers serialise mutations (the address-space lock); a walker
 * (hardware, the guest engine) may read concurrently: every entry is written with one
 * atomic 64-bit store, and a block is split break-before-make. */
#ifndef CORE_PT_H
#define CORE_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/pt_format.h"
#include "hal/types.h"

/* pt_map options. */
#define PT_MAP_BLOCKS (1u << 0) /* use 2 MiB / 1 GiB leaves where size and alignment allow */

/* How the owner invalidates TLB entries for [gpa, gpa + size) of this table. */
typedef void (*pt_flush_fn)(void *ctx, gpa_t gpa, uint64_t size);

struct frame_account;

struct pt {
	const struct pt_format *fmt;
	paddr_t root;
	uint64_t *root_va; /* where the hypervisor reaches the root: looked up once */
	unsigned root_pages;
	size_t table_pages; /* root included */
	pt_flush_fn flush;
	void *flush_ctx;
	struct frame_account *acct; /* what every table page is charged to (NULL: none) */
};

/* Set up an empty table: allocates the (possibly concatenated, size-aligned) root.
 * flush may be NULL. -EINVAL for a NULL or inconsistent format, -ENOMEM.
 * pt_init_acct charges the root and every table page to acct (core/frame.h). */
int pt_init(struct pt *pt, const struct pt_format *fmt, pt_flush_fn flush, void *ctx);
int pt_init_acct(struct pt *pt, const struct pt_format *fmt, pt_flush_fn flush, void *ctx,
		 struct frame_account *acct);

/* Pages of fmt's root table (concatenated tables at the initial level). */
unsigned pt_root_pages(const struct pt_format *fmt);

/* A guest-physical range, for pt_max_tables. */
struct pt_range {
	gpa_t base;
	uint64_t size;
};

/* The most table pages besides the root a table of fmt can hold while it maps nothing
 * outside ranges[0, n) (sorted by base, not overlapping): every table any address of
 * them reaches, as if all of them were mapped in 4 KiB pages. Blocks and holes only
 * need fewer, so an owner that reserves this many never runs out. */
size_t pt_max_tables(const struct pt_format *fmt, const struct pt_range *ranges, size_t n);

/* Free every table page (not the frames the leaves point to). */
void pt_destroy(struct pt *pt);

/* Map [gpa, gpa + size) to [pa, pa + size), in one walk of the tables the range
 * reaches: tables it creates are filled before they are linked. -EINVAL: unaligned,
 * empty, no access at all, or write without read; -ERANGE: beyond the input or output
 * address size; -EEXIST: any part already mapped; -ENOMEM: out of table pages. On an
 * error nothing is left changed: what the walk had mapped before it met the conflict
 * or ran out is unmapped again (a concurrent walker may have seen it meanwhile). */
int pt_map(struct pt *pt, gpa_t gpa, paddr_t pa, uint64_t size, unsigned flags, unsigned opts);

/* Hands back the frames behind cleared leaves (pt_unmap_release, pt_map_frames). */
typedef void (*pt_release_fn)(void *ctx, paddr_t pa, uint64_t size);

/* Where pt_map_frames gets each page's frame: 0 and *pa, or an error it returns. */
typedef int (*pt_frame_fn)(void *ctx, paddr_t *pa);

/* Map every 4 KiB page of [gpa, gpa + size) to a frame of its own, in one walk: get is
 * called for a page only once its slot was found empty, so a page already mapped costs
 * no frame (-EEXIST, as a lazy fault another vCPU already handled). A frame get returns
 * unaligned or beyond the output size is put back (-ERANGE). Errors as for pt_map, and
 * whatever get returns; on any, every frame mapped so far is unmapped and put back. */
int pt_map_frames(struct pt *pt, gpa_t gpa, uint64_t size, unsigned flags, pt_frame_fn get,
		  pt_release_fn put, void *ctx);

/* Unmap whatever is mapped in [gpa, gpa + size); holes are fine. A block that the range
 * cuts is split first (break-before-make). Table pages left empty are freed.
 * -EINVAL/-ERANGE as for map; -ENOMEM if a split needs a table page (nothing changes). */
int pt_unmap(struct pt *pt, gpa_t gpa, uint64_t size);

/* pt_unmap that also hands every cleared leaf (its output address and size) to
 * release(ctx, pa, size) once the TLB no longer holds it: how an owner frees the
 * frames behind a mapping without a window where a walker could still reach them. */
int pt_unmap_release(struct pt *pt, gpa_t gpa, uint64_t size, pt_release_fn release, void *ctx);

/* Change the permissions/type of [gpa, gpa + size), which must be fully mapped
 * (-ENOENT otherwise); splits cut blocks. Other errors as for map and unmap. */
int pt_protect(struct pt *pt, gpa_t gpa, uint64_t size, unsigned flags);

/* Translate gpa: host-physical address, flags and the size of the leaf that maps it.
 * Any output may be NULL. -ENOENT if unmapped, -ERANGE beyond the input size. */
int pt_translate(const struct pt *pt, gpa_t gpa, paddr_t *pa, unsigned *flags,
		 uint64_t *leaf_size);

/* Call fn for every leaf that overlaps [gpa, gpa + size), in address order, with the
 * leaf's own start, output address, size and flags. A non-zero return stops the walk
 * and is returned. */
typedef int (*pt_leaf_fn)(void *ctx, gpa_t gpa, paddr_t pa, uint64_t size, unsigned flags);
int pt_for_each(const struct pt *pt, gpa_t gpa, uint64_t size, pt_leaf_fn fn, void *ctx);

/* Encode a leaf as the format would, for tests and tracing. */
uint64_t pt_leaf_entry(const struct pt_format *fmt, unsigned level, paddr_t pa, unsigned flags);
uint64_t pt_table_entry(const struct pt_format *fmt, paddr_t table);

/* Size a leaf at level covers (level 0 = root). */
uint64_t pt_level_size(const struct pt_format *fmt, unsigned level);

/* Raw entry at a level for gpa, for tests: 0 and the entry, -ENOENT if the walk stops
 * above that level. */
int pt_entry_at(const struct pt *pt, gpa_t gpa, unsigned level, uint64_t *entry);

#endif
