/* fuzz/fdt: the device tree reader on arbitrary blobs, the way the bare-metal HAL meets
 * a DTB it did not write.
 *
 * Input: the bytes of a DTB (seeds in fuzz/corpus/fdt/ are real ones: QEMU virt's own
 * and dtc-built boards), copied into a heap buffer of exactly their size so that ASan
 * reports any read past it.
 * Checked: fdt_platform fails with fdt_check's -EINVAL whenever fdt_check fails, and
 * otherwise returns 0, -EINVAL or -ENOSPC; on success its counts fit their arrays, its
 * ranges are non-empty and do not wrap, its interrupts' INTIDs match their type and
 * number, its strings lie inside the blob. On a checked blob every node is walked in
 * order with depths below FDT_MAX_DEPTH; fdt_parent and fdt_first_child agree with the
 * walk; each node's full path leads to a node of the same name (or to none, when
 * siblings share a name); every property
 * lies inside the blob and is found again by name; every reg entry fdt_reg_count
 * announces is readable (the first 8) and the one after it is -ENOENT; the first and
 * last interrupts decode or fail cleanly, the one after them is -ENOENT; the pass-through
 * check of the UART's, the distributor's and an arbitrary range (the input's last 16
 * bytes) is 0, -EBUSY or -ENOENT, with a node when it is not -ENOENT.
 * Any difference aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fdt.h"
#include "fuzz/fuzz_util.h"
#include "hal/err.h"

static const uint8_t *blob_lo, *blob_hi;

static bool inside(const void *p, size_t len)
{
	const uint8_t *b = p;
	return b >= blob_lo && b <= blob_hi && len <= (size_t)(blob_hi - b);
}

static void check_irq(const struct fdt_irq *irq)
{
	static const uint32_t base[] = { 32, 16, 4096, 1056 };

	CHECK(irq->type <= FDT_IRQ_EPPI);
	CHECK(irq->intid == base[irq->type] + irq->num);
}

static void check_range(const struct fdt_range *r)
{
	CHECK(r->size > 0 && r->base <= UINT64_MAX - r->size);
}

static void check_platform(const struct fdt_platform *p)
{
	CHECK(p->nmem <= FDT_MAX_MEM && p->nreserved <= FDT_MAX_RSV);
	CHECK(p->ncpus <= FDT_MAX_CPUS);
	for (size_t i = 0; i < p->nmem; i++)
		check_range(&p->mem[i]);
	for (size_t i = 0; i < p->nreserved; i++)
		check_range(&p->reserved[i]);
	if (p->ncpus < 64)
		CHECK(p->cpu_psci >> p->ncpus == 0);
	if (p->uart_present)
		check_range(&p->uart);
	if (p->uart_irq_present)
		check_irq(&p->uart_irq);
	CHECK(p->uart_present || !p->uart_irq_present);
	if (p->gic_present) {
		check_range(&p->gicd);
		check_range(&p->gicr);
	}
	for (int i = 0; p->timer_present && i < 4; i++) {
		check_irq(&p->timer[i]);
		CHECK(p->timer[i].type == FDT_IRQ_PPI);
	}
	CHECK(p->psci == FDT_PSCI_NONE || p->psci == FDT_PSCI_SMC || p->psci == FDT_PSCI_HVC);
	if (p->stdout_path)
		CHECK(inside(p->stdout_path, strlen(p->stdout_path) + 1));
	if (p->bootargs)
		CHECK(inside(p->bootargs, strlen(p->bootargs) + 1));
}

static void check_props(const uint8_t *blob, int node)
{
	int prop;

	for (prop = fdt_first_prop(blob, node); prop >= 0; prop = fdt_next_prop(blob, prop)) {
		const char *name;
		size_t len, len2;
		const void *v = fdt_prop_at(blob, prop, &name, &len);
		CHECK(v && inside(v, len) && inside(name, strlen(name) + 1));
		CHECK(fdt_get_prop(blob, node, name, &len2));
		fdt_stringlist_contains(v, len, "arm,pl011");
	}
	CHECK(prop == -ENOENT);
}

static void check_addresses(const uint8_t *blob, int node)
{
	uint32_t ac, sc;
	uint64_t addr, size;
	struct fdt_irq irq;
	int n = fdt_reg_count(blob, node);

	fdt_cells(blob, node, &ac, &sc);
	CHECK(n >= 0 || n == -EINVAL);
	for (int i = 0; i < n && i < 8; i++) {
		CHECK(fdt_reg(blob, node, (size_t)i, &addr, &size) == 0);
		int err = fdt_translate(blob, node, &addr);
		CHECK(err == 0 || err == -EINVAL);
	}
	if (n >= 0)
		CHECK(fdt_reg(blob, node, (size_t)n, &addr, &size) == -ENOENT);
	/* The first and last interrupts: each decode is a walk to the interrupt parent. */
	n = fdt_irq_count(blob, node);
	CHECK(n >= 0 || n == -EINVAL);
	for (int i = 0; i < n; i = i < n - 1 ? n - 1 : n) {
		int err = fdt_irq(blob, node, (size_t)i, &irq);
		CHECK(err == 0 || err == -EINVAL);
		if (!err)
			check_irq(&irq);
	}
	if (n >= 0)
		CHECK(fdt_irq(blob, node, (size_t)n, &irq) == -ENOENT);
}

/* Walk every node; names[d] is the name of the current node's ancestor at depth d. */
static void walk(const uint8_t *blob)
{
	static char path[8192];
	const char *names[FDT_MAX_DEPTH];
	int stack[FDT_MAX_DEPTH], d = 0, n, next, nd;

	for (n = fdt_next_node(blob, -1, &d); n >= 0; n = next, d = nd) {
		size_t len;
		const char *name = fdt_node_name(blob, n, &len);
		CHECK(d >= 0 && d < FDT_MAX_DEPTH);
		CHECK(name && inside(name, len + 1) && strlen(name) == len);
		names[d] = name;
		stack[d] = n;
		CHECK(fdt_parent(blob, n) == (d ? stack[d - 1] : -ENOENT));
		if (d == 0)
			CHECK(n == fdt_root(blob) && fdt_path_offset(blob, "/") == n);

		size_t pos = 0;
		for (int i = 1; i <= d && pos < sizeof(path) - 512; i++)
			pos += (size_t)snprintf(path + pos, sizeof(path) - pos, "/%s", names[i]);
		if (d > 0 && pos < sizeof(path) - 512) {
			/* Siblings may share a name (fdt_check does not look for duplicates):
			 * the first one's subtree may then lack the rest of the path. */
			int found = fdt_path_offset(blob, path);
			CHECK(found == -ENOENT ||
			      (found >= 0 && !strcmp(fdt_node_name(blob, found, NULL), name)));
		}

		check_props(blob, n);
		check_addresses(blob, n);
		fdt_node_compatible(blob, n, "arm,gic-v3");
		fdt_node_enabled(blob, n);

		nd = d;
		next = fdt_next_node(blob, n, &nd);
		int child = fdt_first_child(blob, n);
		CHECK(child == (next >= 0 && nd == d + 1 ? next : -ENOENT));
		if (next >= 0 && nd <= d) /* n has no children: its next sibling, or none */
			CHECK(fdt_next_sibling(blob, n) == (nd == d ? next : -ENOENT));
	}
	CHECK(n == -ENOENT);
}

static void check_passthrough(const uint8_t *blob, uint64_t base, uint64_t size)
{
	int node = -1, err = fdt_passthrough(blob, base, size, &node);

	CHECK(err == 0 || err == -EBUSY || err == -ENOENT);
	if (err != -ENOENT)
		CHECK(fdt_node_name(blob, node, NULL) != NULL);
}

/* The riscv64 board's parts (core/fdt_riscv.c, what bare-metal riscv64 boots from):
 * any blob fdt_check passed gives 0 with a board inside its own limits, or an error with
 * *out all zero, as fdt.h says. */
static void check_riscv(const void *blob)
{
	static const struct fdt_riscv zero;
	struct fdt_riscv r;

	memset(&r, 0xA5, sizeof(r));
	int err = fdt_riscv(blob, &r);
	CHECK(err == 0 || err == -EINVAL || err == -ENOSPC);
	if (err) {
		CHECK(memcmp(&r, &zero, sizeof(r)) == 0);
		return;
	}
	CHECK(r.ncpus <= FDT_MAX_CPUS);
	for (size_t i = r.ncpus; i < FDT_MAX_CPUS; i++)
		CHECK(r.hartid[i] == 0);
	CHECK(r.uart_present || (r.uart.base == 0 && r.uart.size == 0));
	CHECK(r.plic_present || r.plic_ndev == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *blob = malloc(size ? size : 1);
	struct fdt_platform p;

	CHECK(blob);
	memcpy(blob, data, size);
	blob_lo = blob;
	blob_hi = blob + size;
	int err = fdt_check(blob, size), perr = fdt_platform(blob, size, &p);
	if (err) {
		CHECK(err == -EINVAL && perr == -EINVAL);
	} else {
		CHECK(perr == 0 || perr == -EINVAL || perr == -ENOSPC);
		if (!perr) {
			check_platform(&p);
			check_passthrough(blob, p.uart.base, p.uart.size);
			check_passthrough(blob, p.gicd.base, p.gicd.size);
		}
		if (size >= 16) {
			uint64_t b = 0, l = 0;
			for (int i = 0; i < 8; i++) {
				b |= (uint64_t)data[size - 16 + i] << (8 * i);
				l |= (uint64_t)data[size - 8 + i] << (8 * i);
			}
			check_passthrough(blob, b, l);
		}
		walk(blob);
		check_riscv(blob);
	}
	free(blob);
	return 0;
}
