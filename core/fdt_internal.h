/* Internal to core/fdt*.c: the helpers the reader (fdt.c), addresses and interrupts
 * (fdt_addr.c) and the platform description (fdt_platform.c) share. Every blob passed here has been through fdt_check. */
#ifndef CORE_FDT_INTERNAL_H
#define CORE_FDT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/fdt.h"

/* Big-endian values, assembled byte by byte so that no read depends on alignment. */
static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* A value of n (0 to 2) cells. */
static inline uint64_t read_cells(const uint8_t *p, uint32_t n)
{
	return n == 0 ? 0 : n == 1 ? be32(p) : be64(p);
}

/* A node's reg property laid out with its parent's #address-cells / #size-cells. */
struct reg {
	const uint8_t *p;
	size_t count;
	uint32_t ac, sc;
};

/* path[0..*n] = the root .. node; *n is node's depth. */
int fdt_ancestors(const void *blob, int node, int path[FDT_MAX_DEPTH], int *n);
/* The node at a path of len bytes, starting with '/' or with an alias (spec 3.3). */
int fdt_path_lookup(const void *blob, const char *p, size_t len);
/* node's reg with its parent's cells; count 0 without reg. */
int fdt_reg_layout(const void *blob, int node, int parent, struct reg *r);
void fdt_reg_entry(const struct reg *r, size_t i, uint64_t *addr, uint64_t *size);
/* Translate addr through every bus from path[n - 1] (the parent) up to the root's
 * child path[1]. */
int fdt_translate_path(const void *blob, const int *path, int n, uint64_t *addr);

#endif
