/* Flattened device tree (DTB) writer: builds a tree in a caller's buffer, node by node
 * and property by property in document order, as the reader (core/fdt.h) reads it.
 * Used to describe a VM's machine to its guest (core/guest_dtb.h). Every call is
 * bounds-checked; the first error sticks (later calls do nothing) and fdt_write_finish
 * returns it, so a builder can make all its calls and check once.
 * Format: Devicetree Specification v0.4, chapter 5: header, an empty memory reservation
 * block, the structure block, the strings block (names shared). */
#ifndef CORE_FDT_WRITE_H
#define CORE_FDT_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_WRITE_STRINGS_MAX 1024 /* bytes of distinct property names */

struct fdt_writer {
	uint8_t *buf;
	size_t cap;
	size_t pos;   /* end of the structure block written so far */
	int depth;    /* open nodes */
	bool in_props; /* the open node has no subnode yet: properties may follow */
	int err;      /* the first error: -ENOSPC (buffer or names full), -EINVAL */
	size_t strings_len;
	char strings[FDT_WRITE_STRINGS_MAX];
};

/* Start a tree in buf[0, cap) (its start 8-byte aligned). The first node must be the
 * root, named "". */
void fdt_write_init(struct fdt_writer *w, void *buf, size_t cap);

/* A node; its properties, then its subnodes, then fdt_write_end_node. A name is
 * "node-name[@unit-address]", at most 31 characters of node-name (spec 2.2.1). */
void fdt_write_begin_node(struct fdt_writer *w, const char *name);
void fdt_write_end_node(struct fdt_writer *w);

/* A property of the open node: len raw bytes; or big-endian cells; or one string; or a
 * string list (strings back to back with their NULs, len bytes in all). -EINVAL for a
 * property after a subnode, or outside any node. */
void fdt_write_prop(struct fdt_writer *w, const char *name, const void *value, size_t len);
void fdt_write_prop_u32(struct fdt_writer *w, const char *name, uint32_t v);
void fdt_write_prop_u64(struct fdt_writer *w, const char *name, uint64_t v);
void fdt_write_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells,
			  size_t n);
void fdt_write_prop_string(struct fdt_writer *w, const char *name, const char *s);
void fdt_write_prop_empty(struct fdt_writer *w, const char *name);

/* Close the tree (every node must be closed) and write its header: 0 and *size bytes
 * (may be NULL), or the first error. */
int fdt_write_finish(struct fdt_writer *w, size_t *size);

#endif
