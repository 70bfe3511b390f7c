/* The DTB writer (fdt_write.h). The structure block grows from just after the header
 * and an empty reservation block; property names are kept in the writer and become
 * the strings block when the tree is finished. */
#include "core/fdt_write.h"

#include <stdbool.h>

#include "core/fdt.h"
#include "hal/err.h"
#include "hal/mem.h"

/* Spec 5.4.1 tokens. */
#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE   2u
#define TOK_PROP       3u
#define TOK_END        9u

#define HEADER_SIZE   40u /* spec 5.2: ten 32-bit fields */
#define RSVMAP_OFFSET HEADER_SIZE
#define RSVMAP_SIZE   16u /* the terminating all-zero entry */
#define STRUCT_OFFSET (RSVMAP_OFFSET + RSVMAP_SIZE)
#define NODE_NAME_MAX 31u

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void fail(struct fdt_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

/* n bytes at the end of the structure block, zero-padded to 4; NULL once failed. */
static uint8_t *grow(struct fdt_writer *w, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;

	if (w->err)
		return NULL;
	if (padded < n || padded > w->cap - w->pos) {
		fail(w, -ENOSPC);
		return NULL;
	}
	uint8_t *p = w->buf + w->pos;
	memset(p, 0, padded);
	w->pos += padded;
	return p;
}

static void token(struct fdt_writer *w, uint32_t tok)
{
	uint8_t *p = grow(w, 4);

	if (p)
		put_be32(p, tok);
}

static size_t str_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n <= max && s[n])
		n++;
	return n;
}

void fdt_write_init(struct fdt_writer *w, void *buf, size_t cap)
{
	*w = (struct fdt_writer){ .buf = buf, .cap = cap, .pos = STRUCT_OFFSET };
	if (!buf || ((uintptr_t)buf & 7))
		w->err = -EINVAL;
	else if (cap < STRUCT_OFFSET)
		w->err = -ENOSPC;
	else
		memset(buf, 0, STRUCT_OFFSET);
}

/* A node name: the root's is empty; any other has 1 to 31 characters before its '@'
 * from the spec's set (2.2.1), and a printable unit address after it. */
static bool valid_node_name(const char *name, bool root)
{
	size_t i = 0;

	if (root)
		return name[0] == '\0';
	for (; name[i] && name[i] != '@'; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == ',' || c == '.' || c == '_' || c == '+' || c == '-';
		if (!ok || i >= NODE_NAME_MAX)
			return false;
	}
	if (i == 0)
		return false;
	for (; name[i]; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '/' || i > 255)
			return false;
	return true;
}

void fdt_write_begin_node(struct fdt_writer *w, const char *name)
{
	bool root = w->depth == 0;

	if (w->err)
		return;
	if (!name || !valid_node_name(name, root) || (root && w->pos != STRUCT_OFFSET) ||
	    w->depth >= FDT_MAX_DEPTH) {
		fail(w, -EINVAL);
		return;
	}
	size_t len = str_len(name, 256);
	token(w, TOK_BEGIN_NODE);
	uint8_t *p = grow(w, len + 1);
	if (!p)
		return;
	memcpy(p, name, len);
	w->depth++;
	w->in_props = true;
}

void fdt_write_end_node(struct fdt_writer *w)
{
	if (w->err)
		return;
	if (w->depth == 0) {
		fail(w, -EINVAL);
		return;
	}
	token(w, TOK_END_NODE);
	w->depth--;
	w->in_props = false; /* the parent has a subnode now */
}

/* The offset of name in the strings block, adding it if new; -1 on error. */
static long name_offset(struct fdt_writer *w, const char *name)
{
	size_t len = str_len(name, FDT_WRITE_STRINGS_MAX);

	if (len == 0 || len >= FDT_WRITE_STRINGS_MAX) {
		fail(w, -EINVAL);
		return -1;
	}
	for (size_t off = 0; off < w->strings_len;) {
		size_t n = str_len(w->strings + off, FDT_WRITE_STRINGS_MAX);
		if (n == len && memcmp(w->strings + off, name, len) == 0)
			return (long)off;
		off += n + 1;
	}
	if (len + 1 > FDT_WRITE_STRINGS_MAX - w->strings_len) {
		fail(w, -ENOSPC);
		return -1;
	}
	size_t off = w->strings_len;
	memcpy(w->strings + off, name, len + 1);
	w->strings_len += len + 1;
	return (long)off;
}

void fdt_write_prop(struct fdt_writer *w, const char *name, const void *value, size_t len)
{
	if (w->err)
		return;
	if (!name || w->depth == 0 || !w->in_props || (len && !value) || len > UINT32_MAX) {
		fail(w, -EINVAL);
		return;
	}
	long off = name_offset(w, name);
	if (off < 0)
		return;
	token(w, TOK_PROP);
	uint8_t *hdr = grow(w, 8);
	uint8_t *v = grow(w, len);
	if (!hdr || !v)
		return;
	put_be32(hdr, (uint32_t)len);
	put_be32(hdr + 4, (uint32_t)off);
	if (len)
		memcpy(v, value, len);
}

void fdt_write_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells,
			  size_t n)
{
	uint8_t be[4 * 16];

	if (n > sizeof(be) / 4) {
		fail(w, -EINVAL);
		return;
	}
	for (size_t i = 0; i < n; i++)
		put_be32(be + 4 * i, cells[i]);
	fdt_write_prop(w, name, be, 4 * n);
}

void fdt_write_prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	fdt_write_prop_cells(w, name, &v, 1);
}

void fdt_write_prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	uint32_t cells[2] = { (uint32_t)(v >> 32), (uint32_t)v };

	fdt_write_prop_cells(w, name, cells, 2);
}

void fdt_write_prop_string(struct fdt_writer *w, const char *name, const char *s)
{
	if (!s) {
		fail(w, -EINVAL);
		return;
	}
	size_t len = str_len(s, UINT32_MAX - 1);
	fdt_write_prop(w, name, s, len + 1);
}

void fdt_write_prop_empty(struct fdt_writer *w, const char *name)
{
	fdt_write_prop(w, name, NULL, 0);
}

int fdt_write_finish(struct fdt_writer *w, size_t *size)
{
	if (!w->err && (w->depth != 0 || w->pos == STRUCT_OFFSET))
		fail(w, -EINVAL); /* a node left open, or no root */
	token(w, TOK_END);
	if (w->err)
		return w->err;
	size_t struct_size = w->pos - STRUCT_OFFSET;
	if (w->strings_len > w->cap - w->pos) {
		fail(w, -ENOSPC);
		return w->err;
	}
	memcpy(w->buf + w->pos, w->strings, w->strings_len);
	size_t total = w->pos + w->strings_len;
	if (total > UINT32_MAX) {
		fail(w, -ENOSPC);
		return w->err;
	}
	uint8_t *h = w->buf;
	put_be32(h + 0, FDT_MAGIC);
	put_be32(h + 4, (uint32_t)total);
	put_be32(h + 8, STRUCT_OFFSET);                  /* off_dt_struct */
	put_be32(h + 12, (uint32_t)w->pos);              /* off_dt_strings */
	put_be32(h + 16, RSVMAP_OFFSET);                 /* off_mem_rsvmap */
	put_be32(h + 20, 17);                            /* version */
	put_be32(h + 24, 16);                            /* last_comp_version */
	put_be32(h + 28, 0);                             /* boot_cpuid_phys */
	put_be32(h + 32, (uint32_t)w->strings_len);      /* size_dt_strings */
	put_be32(h + 36, (uint32_t)struct_size);         /* size_dt_struct */
	if (size)
		*size = total;
	return 0;
}
