/* The contract between the generic page-table engine (core/pt.c) and each ISA's
 * second-stage translation format: a descriptor of plain data the engine reads.
 * Every format uses the 4 KiB granule (512 eight-byte entries a table); they differ
 * in depth, input size, root concatenation, where leaves may sit, and which bits mean
 * what. The descriptors live in arch/<isa>/ and are built into every simulation build
 * for all ISAs (DESIGN rule 3). */
#ifndef ARCH_PT_FORMAT_H
#define ARCH_PT_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#define PT_MAX_LEVELS 5

/* Access permissions and memory type of a mapping (also the access of a fault). */
enum {
	PT_R = 1u << 0,
	PT_W = 1u << 1,
	PT_X = 1u << 2,
	PT_DEVICE = 1u << 3, /* device memory (else normal, write-back) */
};

struct pt_format {
	const char *name;
	unsigned levels;  /* tables walked, root included */
	unsigned va_bits; /* input (guest-physical) address size; the root holds the bits
			   * above the next level, so it may be several concatenated pages */
	unsigned oa_bits; /* output (host-physical) address size */
	uint32_t leaf_levels; /* bit n: level n (0 = root) may hold a leaf; the last always */

	uint64_t present_mask; /* an entry is valid when any of these bits is set */
	uint64_t type_mask;    /* above the last level, (e & type_mask) == table_match */
	uint64_t table_match;  /*   means "points to the next table" */
	uint64_t table_bits;   /* set in every table entry */
	uint64_t page_bits;    /* set in every last-level leaf */
	uint64_t block_bits;   /* set in every leaf above the last level */
	uint64_t leaf_bits;    /* set in every leaf (access flag, U, A/D, ...) */

	uint64_t r_bits, w_bits; /* set when readable / writable */
	uint64_t x_bits;         /* set when executable (0 if the format has none) */
	uint64_t nx_bits;        /* set when NOT executable (0 if the format has none) */
	uint64_t normal_bits, device_bits; /* memory type and shareability */
	uint64_t memtype_mask;             /* the bits normal_bits/device_bits live in */

	unsigned ppn_shift; /* bit where (address >> 12) starts in an entry */
	uint64_t ppn_mask;  /* the output-address field, in place */
	bool flush_on_map;  /* the TLB may hold invalid entries: flush after mapping too */
};

#endif
