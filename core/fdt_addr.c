/* Addresses and interrupts in a flattened device tree (see fdt.h): #address-cells and
 * #size-cells, reg entries, translation through each bus's ranges up to the CPU's
 * physical addresses, and interrupt specifiers. Built on the checked reader in fdt.c;
 * every read of a property's value is bounded by the length the reader reports. */
#include "core/fdt.h"
#include "core/fdt_internal.h"
#include "core/mem.h"
#include "hal/err.h"

int fdt_cells(const void *blob, int node, uint32_t *addr_cells, uint32_t *size_cells)
{
	int err = fdt_prop_u32(blob, node, "#address-cells", addr_cells);

	if (err == -ENOENT)
		*addr_cells = 2;
	else if (err)
		return err;
	err = fdt_prop_u32(blob, node, "#size-cells", size_cells);
	if (err == -ENOENT)
		*size_cells = 1;
	else if (err)
		return err;
	return 0;
}

/* node's reg laid out with its parent's cells; count 0 without reg. */
int fdt_reg_layout(const void *blob, int node, int parent, struct reg *r)
{
	size_t len;

	*r = (struct reg){ .p = fdt_get_prop(blob, node, "reg", &len) };
	if (!r->p)
		return 0;
	int err = fdt_cells(blob, parent, &r->ac, &r->sc);
	if (err)
		return err;
	if (r->ac < 1 || r->ac > 2 || r->sc > 2 || len % ((r->ac + r->sc) * 4))
		return -EINVAL;
	r->count = len / ((r->ac + r->sc) * 4);
	return 0;
}

void fdt_reg_entry(const struct reg *r, size_t i, uint64_t *addr, uint64_t *size)
{
	const uint8_t *p = r->p + i * (r->ac + r->sc) * 4;

	*addr = read_cells(p, r->ac);
	*size = read_cells(p + r->ac * 4, r->sc);
}

static int reg_of(const void *blob, int node, struct reg *r)
{
	if (!fdt_get_prop(blob, node, "reg", NULL)) {
		*r = (struct reg){ 0 };
		return 0;
	}
	int parent = fdt_parent(blob, node);
	if (parent < 0)
		return -EINVAL; /* the root has no bus to be on */
	return fdt_reg_layout(blob, node, parent, r);
}

int fdt_reg(const void *blob, int node, size_t index, uint64_t *addr, uint64_t *size)
{
	struct reg r;
	int err = reg_of(blob, node, &r);

	if (err)
		return err;
	if (index >= r.count)
		return -ENOENT;
	fdt_reg_entry(&r, index, addr, size);
	return 0;
}

int fdt_reg_count(const void *blob, int node)
{
	struct reg r;
	int err = reg_of(blob, node, &r);

	return err ? err : (int)r.count;
}

/* *addr on bus's address space to bus's parent's, through bus's ranges. */
static int range_up(const void *blob, int bus, int parent, uint64_t *addr)
{
	uint32_t cac, csc, pac, psc;
	size_t len;
	const uint8_t *p = fdt_get_prop(blob, bus, "ranges", &len);

	if (!p)
		return -EINVAL;
	if (!len)
		return 0;
	if (fdt_cells(blob, bus, &cac, &csc) || fdt_cells(blob, parent, &pac, &psc))
		return -EINVAL;
	if (cac < 1 || cac > 2 || csc < 1 || csc > 2 || pac < 1 || pac > 2)
		return -EINVAL;
	size_t entry = (cac + pac + csc) * 4;
	if (len % entry)
		return -EINVAL;
	for (; len; len -= entry, p += entry) {
		uint64_t child = read_cells(p, cac), par = read_cells(p + cac * 4, pac);
		uint64_t size = read_cells(p + (cac + pac) * 4, csc);
		if (*addr >= child && *addr - child < size) {
			if (par > UINT64_MAX - (*addr - child))
				return -EINVAL;
			*addr = par + (*addr - child);
			return 0;
		}
	}
	return -EINVAL;
}

/* Through every bus from path[n - 1] (the parent) up to the root's child path[1]. */
int fdt_translate_path(const void *blob, const int *path, int n, uint64_t *addr)
{
	for (int k = n - 1; k >= 1; k--) {
		int err = range_up(blob, path[k], path[k - 1], addr);
		if (err)
			return err;
	}
	return 0;
}

int fdt_translate(const void *blob, int node, uint64_t *addr)
{
	int path[FDT_MAX_DEPTH], n, err = fdt_ancestors(blob, node, path, &n);

	if (err)
		return err;
	return n ? fdt_translate_path(blob, path, n, addr) : -EINVAL;
}

/* The #interrupt-cells of node's interrupt parent: 3 or 4 for a GIC. */
static int irq_cells(const void *blob, int node, uint32_t *cells)
{
	int path[FDT_MAX_DEPTH], n, err = fdt_ancestors(blob, node, path, &n);
	uint32_t phandle = 0;

	if (err)
		return err;
	for (; n >= 0; n--) {
		err = fdt_prop_u32(blob, path[n], "interrupt-parent", &phandle);
		if (err != -ENOENT)
			break;
	}
	int ctrl = err ? -EINVAL : fdt_node_by_phandle(blob, phandle);
	if (ctrl < 0 || fdt_prop_u32(blob, ctrl, "#interrupt-cells", cells))
		return -EINVAL;
	return *cells == 3 || *cells == 4 ? 0 : -EINVAL;
}

static int irq_layout(const void *blob, int node, const uint8_t **p, size_t *count,
		      size_t *entry)
{
	uint32_t cells;
	size_t len;

	*p = fdt_get_prop(blob, node, "interrupts", &len);
	*count = 0;
	*entry = 12;
	if (!*p)
		return 0;
	int err = irq_cells(blob, node, &cells);
	if (err)
		return err;
	*entry = cells * 4;
	if (len % *entry)
		return -EINVAL;
	*count = len / *entry;
	return 0;
}

int fdt_irq(const void *blob, int node, size_t index, struct fdt_irq *out)
{
	/* INTID bases and counts per type: GICv3 spec, 2.2 "INTIDs". */
	static const uint32_t base[] = { 32, 16, 4096, 1056 }, num[] = { 988, 16, 1024, 64 };
	const uint8_t *p;
	size_t count, entry;
	int err = irq_layout(blob, node, &p, &count, &entry);

	if (err)
		return err;
	if (index >= count)
		return -ENOENT;
	p += index * entry;
	uint32_t type = be32(p), n = be32(p + 4);
	if (type > FDT_IRQ_EPPI || n >= num[type])
		return -EINVAL;
	*out = (struct fdt_irq){
		.type = type, .num = n, .flags = be32(p + 8), .intid = base[type] + n
	};
	return 0;
}

int fdt_irq_count(const void *blob, int node)
{
	const uint8_t *p;
	size_t count, entry;
	int err = irq_layout(blob, node, &p, &count, &entry);

	return err ? err : (int)count;
}
