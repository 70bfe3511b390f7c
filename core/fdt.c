/* Flattened device tree reader (see fdt.h). It owns no memory and never writes the
 * blob. Every read of the structure block goes through tok(), which checks the token's
 * whole extent (node name, property header and value, where the property's name
 * starts) against its block first, and a property's name is only read up to the end of
 * the strings block, so a walk from any offset stays inside the blob even if a caller
 * breaks the "checked blob, offsets from this API" contract. Every walk is
 * bounded by the block: each step consumes at least one 4-byte token. Big-endian values
 * are assembled byte by byte, so no read depends on alignment. */
#include "core/fdt.h"
#include "core/fdt_internal.h"
#include "core/mem.h"
#include "hal/err.h"

/* Structure block tokens (spec 5.4.1). */
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP        4u
#define FDT_END        9u

/* Header fields (spec 5.2), byte offsets; version 16 ends before size_dt_struct. */
enum {
	H_MAGIC = 0,
	H_TOTALSIZE = 4,
	H_OFF_STRUCT = 8,
	H_OFF_STRINGS = 12,
	H_OFF_RSVMAP = 16,
	H_VERSION = 20,
	H_LAST_COMP = 24,
	H_SIZE_STRINGS = 32,
	H_SIZE_STRUCT = 36,
	H_LEN_V16 = 36,
	H_LEN_V17 = 40,
};

struct blk {
	const uint8_t *st; /* structure block */
	uint32_t st_size;
	const char *str; /* strings block */
	uint32_t str_size;
};

/* A reg property laid out with its parent's cells. */
static struct blk blk_of(const void *blob)
{
	const uint8_t *b = blob;
	uint32_t total = be32(b + H_TOTALSIZE), ost = be32(b + H_OFF_STRUCT);
	uint32_t sst = be32(b + H_VERSION) >= 17 ? be32(b + H_SIZE_STRUCT) : total - ost;

	return (struct blk){ .st = b + ost,
			     .st_size = sst,
			     .str = (const char *)b + be32(b + H_OFF_STRINGS),
			     .str_size = be32(b + H_SIZE_STRINGS) };
}

/* Decode the token at off: its tag, and the offset of the token after it. -EINVAL for an
 * unaligned or out-of-block offset, an unknown tag, a node name without its NUL, or a
 * property whose value leaves its block or whose name starts outside the strings block
 * (prop_name checks that the name ends inside it: this is the hot path of every walk). */
static int tok(const struct blk *b, int off, uint32_t *tag, int *next)
{
	uint32_t o = (uint32_t)off, end = b->st_size;

	if (off < 0 || o % 4 || o > end || end - o < 4)
		return -EINVAL;
	*tag = be32(b->st + o);
	o += 4;
	switch (*tag) {
	case FDT_BEGIN_NODE: {
		size_t n = td_strnlen((const char *)b->st + o, end - o);
		if (n == end - o)
			return -EINVAL;
		o += (uint32_t)n + 1;
		break;
	}
	case FDT_PROP: {
		if (end - o < 8)
			return -EINVAL;
		uint32_t len = be32(b->st + o), nameoff = be32(b->st + o + 4);
		o += 8;
		if (len > end - o || nameoff >= b->str_size)
			return -EINVAL;
		o += len;
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END: break;
	default: return -EINVAL;
	}
	if (o > INT32_MAX - 3) /* only a header fdt_check refused gets here */
		return -EINVAL;
	*next = (int)((o + 3) & ~3u);
	return 0;
}

/* The name of the property at off (a token tok() accepted), or NULL if it does not end
 * inside the strings block. */
static const char *prop_name(const struct blk *b, int off)
{
	uint32_t nameoff = be32(b->st + off + 8), max = b->str_size - nameoff;
	const char *name = b->str + nameoff;

	return td_strnlen(name, max) < max ? name : NULL;
}

/* The first token at or after off that is not a NOP (with props: nor a property). */
static int skip_to(const struct blk *b, int off, bool props, uint32_t *tag)
{
	int next;

	while (off >= 0) {
		if (tok(b, off, tag, &next))
			return -EINVAL;
		if (*tag != FDT_NOP && !(props && *tag == FDT_PROP))
			return off;
		off = next;
	}
	return off;
}

/* The offset just after node's FDT_BEGIN_NODE token, or -EINVAL if it is not one. */
static int node_body(const struct blk *b, int node)
{
	uint32_t tag;
	int next;

	if (tok(b, node, &tag, &next) || tag != FDT_BEGIN_NODE)
		return -EINVAL;
	return next;
}

/* The offset just after node's matching FDT_END_NODE. */
static int node_end(const struct blk *b, int node)
{
	int off = node_body(b, node), next, depth = 1;
	uint32_t tag;

	while (off >= 0) {
		if (tok(b, off, &tag, &next) || tag == FDT_END)
			return -EINVAL;
		if (tag == FDT_BEGIN_NODE)
			depth++;
		else if (tag == FDT_END_NODE && --depth == 0)
			return next;
		off = next;
	}
	return off;
}

static bool in_blob(uint32_t off, uint32_t len, uint32_t hdr, uint32_t total)
{
	return off >= hdr && off <= total && len <= total - off;
}

/* Balanced nodes under one root, at most FDT_MAX_DEPTH deep, properties before
 * subnodes (spec 5.4.2), non-root names non-empty and without '/', then FDT_END. */
static int check_struct(const struct blk *b)
{
	int off = 0, next, depth = 0;
	bool seen_root = false, after_child = false;
	uint32_t tag;

	for (;;) {
		if (tok(b, off, &tag, &next))
			return -EINVAL;
		switch (tag) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)b->st + off + 4;
			if ((depth == 0 && seen_root) || depth == FDT_MAX_DEPTH)
				return -EINVAL;
			if (depth > 0) {
				size_t n = td_strnlen(name, (size_t)(next - off));
				for (size_t i = 0; i < n; i++)
					if (name[i] == '/')
						return -EINVAL;
				if (n == 0)
					return -EINVAL;
			}
			depth++;
			seen_root = true;
			after_child = false;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return -EINVAL;
			depth--;
			after_child = true;
			break;
		case FDT_PROP:
			if (depth == 0 || after_child || !prop_name(b, off))
				return -EINVAL;
			break;
		case FDT_END: return depth == 0 && seen_root ? 0 : -EINVAL;
		default: break;
		}
		off = next;
	}
}

int fdt_check(const void *blob, size_t size)
{
	const uint8_t *b = blob;

	if (!b || size < H_LEN_V17 || be32(b + H_MAGIC) != FDT_MAGIC)
		return -EINVAL;
	uint32_t total = be32(b + H_TOTALSIZE), version = be32(b + H_VERSION);
	uint32_t hdr = version >= 17 ? H_LEN_V17 : H_LEN_V16;
	if (version < 16 || be32(b + H_LAST_COMP) > 17 || total < hdr || total > size ||
	    total > INT32_MAX)
		return -EINVAL;

	uint32_t ost = be32(b + H_OFF_STRUCT), orsv = be32(b + H_OFF_RSVMAP);
	uint32_t sst = version >= 17 ? be32(b + H_SIZE_STRUCT) : 0;
	if (!in_blob(ost, sst, hdr, total) || ost % 4 ||
	    !in_blob(be32(b + H_OFF_STRINGS), be32(b + H_SIZE_STRINGS), hdr, total) ||
	    !in_blob(orsv, 0, hdr, total) || orsv % 8)
		return -EINVAL;

	/* The /memreserve/ block: 16-byte entries up to an all-zero one (spec 5.3). */
	for (uint32_t off = orsv;; off += 16) {
		if (total - off < 16)
			return -EINVAL;
		if (!be64(b + off) && !be64(b + off + 8))
			break;
	}
	struct blk bk = blk_of(blob);
	return check_struct(&bk);
}

uint32_t fdt_totalsize(const void *blob)
{
	return be32((const uint8_t *)blob + H_TOTALSIZE);
}

int fdt_memreserve(const void *blob, size_t index, uint64_t *addr, uint64_t *size)
{
	const uint8_t *b = blob;
	uint32_t total = be32(b + H_TOTALSIZE), off = be32(b + H_OFF_RSVMAP);

	for (size_t i = 0;; i++, off += 16) {
		if (off > total || total - off < 16)
			return -EINVAL;
		uint64_t a = be64(b + off), s = be64(b + off + 8);
		if (!a && !s)
			return -ENOENT;
		if (i == index) {
			*addr = a;
			*size = s;
			return 0;
		}
	}
}

/* ---- Nodes ------------------------------------------------------------------------- */

int fdt_root(const void *blob)
{
	struct blk b = blk_of(blob);
	uint32_t tag;
	int off = skip_to(&b, 0, false, &tag);

	return off >= 0 && tag != FDT_BEGIN_NODE ? -EINVAL : off;
}

int fdt_next_node(const void *blob, int node, int *depth)
{
	struct blk b = blk_of(blob);
	int off, next, d = depth ? *depth : 0;
	uint32_t tag;

	if (node < 0) {
		off = fdt_root(blob);
		if (off >= 0 && depth)
			*depth = 0;
		return off;
	}
	for (off = node_body(&b, node); off >= 0; off = next) {
		if (tok(&b, off, &tag, &next))
			return -EINVAL;
		if (tag == FDT_BEGIN_NODE) {
			if (depth)
				*depth = d + 1;
			return off;
		}
		if (tag == FDT_END_NODE)
			d--;
		else if (tag == FDT_END)
			return -ENOENT;
	}
	return off;
}

int fdt_first_child(const void *blob, int node)
{
	struct blk b = blk_of(blob);
	uint32_t tag;
	int off = skip_to(&b, node_body(&b, node), true, &tag);

	return off >= 0 && tag != FDT_BEGIN_NODE ? -ENOENT : off;
}

int fdt_next_sibling(const void *blob, int node)
{
	struct blk b = blk_of(blob);
	uint32_t tag;
	int off = skip_to(&b, node_end(&b, node), false, &tag);

	return off >= 0 && tag != FDT_BEGIN_NODE ? -ENOENT : off;
}

/* path[0..*n] = the root .. node; *n is node's depth. One pass over the tokens before
 * node: this is under every parent, cells, reg and interrupt lookup. */
int fdt_ancestors(const void *blob, int node, int path[FDT_MAX_DEPTH], int *n)
{
	struct blk b = blk_of(blob);
	int off, next, d = -1;
	uint32_t tag;

	for (off = 0; off <= node; off = next) {
		if (tok(&b, off, &tag, &next))
			return -EINVAL;
		if (tag == FDT_BEGIN_NODE) {
			if (++d >= FDT_MAX_DEPTH || d < 0)
				return -EINVAL;
			path[d] = off;
			if (off == node) {
				*n = d;
				return 0;
			}
		} else if (tag == FDT_END_NODE) {
			d--;
		} else if (tag == FDT_END) {
			break;
		}
	}
	return -ENOENT;
}

int fdt_parent(const void *blob, int node)
{
	int path[FDT_MAX_DEPTH], n, err = fdt_ancestors(blob, node, path, &n);

	if (err)
		return err;
	return n ? path[n - 1] : -ENOENT;
}

const char *fdt_node_name(const void *blob, int node, size_t *len)
{
	struct blk b = blk_of(blob);

	if (node_body(&b, node) < 0)
		return NULL;
	const char *name = (const char *)b.st + node + 4;
	if (len)
		*len = td_strnlen(name, b.st_size - (uint32_t)node - 4);
	return name;
}

/* node's child named name[0, n): an exact match, else the first "name@unit" when name
 * has no unit address. */
static int child_named(const void *blob, int node, const char *name, size_t n)
{
	bool unit = false;
	int loose = -ENOENT, c;

	for (size_t i = 0; i < n; i++)
		unit |= name[i] == '@';
	for (c = fdt_first_child(blob, node); c >= 0; c = fdt_next_sibling(blob, c)) {
		size_t len;
		const char *cn = fdt_node_name(blob, c, &len);
		if (!cn)
			return -EINVAL;
		if (len >= n && !memcmp(cn, name, n)) {
			if (len == n)
				return c;
			if (!unit && cn[n] == '@' && loose < 0)
				loose = c;
		}
	}
	return c == -ENOENT ? loose : c;
}

static int walk_path(const void *blob, int node, const char *p, size_t len)
{
	size_t i = 0;

	while (node >= 0 && i < len) {
		size_t j = i;
		while (j < len && p[j] != '/')
			j++;
		if (j > i)
			node = child_named(blob, node, p + i, j - i);
		i = j + 1;
	}
	return node;
}

static const uint8_t *find_prop(const struct blk *b, int node, const char *name, size_t n,
				size_t *len)
{
	uint32_t tag;
	int next;

	for (int off = node_body(b, node); off >= 0; off = next) {
		if (tok(b, off, &tag, &next) || (tag != FDT_PROP && tag != FDT_NOP))
			break;
		if (tag == FDT_NOP)
			continue;
		uint32_t nameoff = be32(b->st + off + 8);
		const char *pn = b->str + nameoff;
		/* n < the bytes left in the block: the NUL at pn[n] is inside it. */
		if (n < b->str_size - nameoff && td_strnlen(pn, n + 1) == n &&
		    !memcmp(pn, name, n)) {
			*len = be32(b->st + off + 4);
			return b->st + off + 12;
		}
	}
	return NULL;
}

/* A path of len bytes, starting with '/' or with an alias (spec 3.3). */
int fdt_path_lookup(const void *blob, const char *p, size_t len)
{
	struct blk b = blk_of(blob);
	int root = fdt_root(blob);
	size_t j = 0, vlen;

	if (len && p[0] == '/')
		return walk_path(blob, root, p, len);
	while (j < len && p[j] != '/')
		j++;
	int aliases = walk_path(blob, root, "aliases", 7);
	if (j == 0 || aliases < 0)
		return -ENOENT;
	const char *v = (const char *)find_prop(&b, aliases, p, j, &vlen);
	if (!v || !vlen || v[0] != '/' || td_strnlen(v, vlen) != vlen - 1)
		return -ENOENT;
	return walk_path(blob, walk_path(blob, root, v, vlen - 1), p + j, len - j);
}

int fdt_path_offset(const void *blob, const char *path)
{
	if (!path)
		return -EINVAL;
	return fdt_path_lookup(blob, path, td_strnlen(path, SIZE_MAX));
}

int fdt_find_compatible(const void *blob, int from, const char *compat)
{
	int n = fdt_next_node(blob, from < 0 ? -1 : from, NULL);

	for (; n >= 0; n = fdt_next_node(blob, n, NULL))
		if (fdt_node_compatible(blob, n, compat))
			return n;
	return n;
}

int fdt_node_by_phandle(const void *blob, uint32_t phandle)
{
	struct blk b = blk_of(blob);
	int off = 0, next, node = -ENOENT;
	uint32_t tag;

	if (!phandle || phandle == 0xFFFFFFFFu)
		return -ENOENT;
	/* One pass over the tokens: a property belongs to the last node begun, since
	 * properties come before subnodes. */
	for (; !tok(&b, off, &tag, &next); off = next) {
		if (tag == FDT_END)
			return -ENOENT;
		if (tag == FDT_BEGIN_NODE)
			node = off;
		if (tag != FDT_PROP || node < 0 || be32(b.st + off + 4) != 4 ||
		    be32(b.st + off + 12) != phandle)
			continue;
		const char *name = prop_name(&b, off);
		if (name && (!td_strcmp(name, "phandle") || !td_strcmp(name, "linux,phandle")))
			return node;
	}
	return -EINVAL;
}

/* ---- Properties ------------------------------------------------------------------------ */

const void *fdt_get_prop(const void *blob, int node, const char *name, size_t *len)
{
	struct blk b = blk_of(blob);
	size_t l;

	if (!name)
		return NULL;
	const void *v = find_prop(&b, node, name, td_strnlen(name, SIZE_MAX), &l);
	if (v && len)
		*len = l;
	return v;
}

int fdt_first_prop(const void *blob, int node)
{
	struct blk b = blk_of(blob);
	uint32_t tag;
	int off = skip_to(&b, node_body(&b, node), false, &tag);

	return off >= 0 && tag != FDT_PROP ? -ENOENT : off;
}

int fdt_next_prop(const void *blob, int prop)
{
	struct blk b = blk_of(blob);
	uint32_t tag;
	int next;

	if (tok(&b, prop, &tag, &next) || tag != FDT_PROP)
		return -EINVAL;
	int off = skip_to(&b, next, false, &tag);
	return off >= 0 && tag != FDT_PROP ? -ENOENT : off;
}

const void *fdt_prop_at(const void *blob, int prop, const char **name, size_t *len)
{
	struct blk b = blk_of(blob);
	uint32_t tag;
	int next;

	if (tok(&b, prop, &tag, &next) || tag != FDT_PROP || !prop_name(&b, prop))
		return NULL;
	if (name)
		*name = prop_name(&b, prop);
	if (len)
		*len = be32(b.st + prop + 4);
	return b.st + prop + 12;
}

int fdt_prop_string(const void *blob, int node, const char *name, const char **s)
{
	size_t len;
	const char *v = fdt_get_prop(blob, node, name, &len);

	if (!v)
		return -ENOENT;
	if (!len || td_strnlen(v, len) != len - 1)
		return -EINVAL;
	*s = v;
	return 0;
}

int fdt_prop_u32(const void *blob, int node, const char *name, uint32_t *v)
{
	size_t len;
	const uint8_t *p = fdt_get_prop(blob, node, name, &len);

	if (!p)
		return -ENOENT;
	if (len != 4)
		return -EINVAL;
	*v = be32(p);
	return 0;
}

bool fdt_stringlist_contains(const char *value, size_t len, const char *s)
{
	size_t n = td_strnlen(s, SIZE_MAX);

	while (len) {
		size_t l = td_strnlen(value, len);
		if (l == len)
			return false;
		if (l == n && !memcmp(value, s, n))
			return true;
		value += l + 1;
		len -= l + 1;
	}
	return false;
}

bool fdt_node_compatible(const void *blob, int node, const char *compat)
{
	size_t len;
	const char *v = fdt_get_prop(blob, node, "compatible", &len);

	return v && compat && fdt_stringlist_contains(v, len, compat);
}

bool fdt_node_enabled(const void *blob, int node)
{
	const char *s;
	int err = fdt_prop_string(blob, node, "status", &s);

	if (err)
		return err == -ENOENT;
	return !td_strcmp(s, "okay") || !td_strcmp(s, "ok");
}

/* ---- Addresses and interrupts ----------------------------------------------------------- */
