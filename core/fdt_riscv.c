/* The parts of a RISC-V board's device tree the bare-metal HAL needs beyond
 * fdt_platform's memory, CPUs and /chosen: the NS16550A console, the PLIC with the
 * S-mode context of each hart, and the timebase (the devicetree bindings
 * riscv/cpus.yaml, sifive,plic-1.0.0.yaml, serial/8250.yaml). Host-neutral: tested in
 * the simulation builds on a DTB modeled on QEMU's virt board. */
#include <stdbool.h>
#include <stddef.h>

#include "core/fdt.h"
#include "core/fdt_internal.h"
#include "hal/err.h"

/* The local interrupt a PLIC context raises on its hart (privileged spec 3.1.9: 9 is
 * the supervisor external interrupt, 11 the machine one). */
#define RISCV_IRQ_S_EXT 9u

static bool has_string(const void *blob, int node, const char *prop, const char *s)
{
	size_t len;
	const char *v = fdt_get_prop(blob, node, prop, &len);

	return v && fdt_stringlist_contains(v, len, s);
}

static int first_enabled(const void *blob, const char *compat)
{
	for (int n = fdt_find_compatible(blob, -1, compat); n >= 0;
	     n = fdt_find_compatible(blob, n, compat))
		if (fdt_node_enabled(blob, n))
			return n;
	return -ENOENT;
}

/* reg entry 0 of node, translated to CPU physical. */
static int device_reg0(const void *blob, int node, struct fdt_range *r)
{
	if (fdt_reg(blob, node, 0, &r->base, &r->size) || fdt_translate(blob, node, &r->base) ||
	    !r->size || r->base > UINT64_MAX - r->size)
		return -EINVAL;
	return 0;
}

/* The index among /cpus's "cpu" children (fdt_platform's order) of the node cpu. */
static int cpu_index(const void *blob, int cpu)
{
	int cpus = fdt_path_offset(blob, "/cpus"), i = 0;

	for (int n = cpus < 0 ? cpus : fdt_first_child(blob, cpus); n >= 0;
	     n = fdt_next_sibling(blob, n)) {
		if (!has_string(blob, n, "device_type", "cpu"))
			continue;
		if (n == cpu)
			return i;
		i++;
	}
	return -ENOENT;
}

static int riscv_cpus(const void *blob, struct fdt_riscv *out)
{
	int cpus = fdt_path_offset(blob, "/cpus");
	uint64_t size;

	if (cpus >= 0)
		(void)fdt_prop_u32(blob, cpus, "timebase-frequency", &out->timebase_hz);
	for (int n = cpus < 0 ? cpus : fdt_first_child(blob, cpus); n >= 0;
	     n = fdt_next_sibling(blob, n)) {
		if (!has_string(blob, n, "device_type", "cpu"))
			continue;
		if (out->ncpus == FDT_MAX_CPUS)
			return -ENOSPC;
		if (fdt_reg(blob, n, 0, &out->hartid[out->ncpus], &size))
			return -EINVAL;
		out->plic_s_context[out->ncpus++] = FDT_RISCV_NO_CONTEXT;
	}
	return 0;
}

/* interrupts-extended: one specifier per context, in context order; each is a phandle
 * of a hart's local interrupt controller (a child of its cpu node) and that
 * controller's #interrupt-cells cells, the first the local interrupt. */
static int plic_contexts(const void *blob, int plic, struct fdt_riscv *out)
{
	size_t len;
	const uint8_t *p = fdt_get_prop(blob, plic, "interrupts-extended", &len);

	if (!p || len % 4)
		return -EINVAL;
	for (size_t off = 0, ctx = 0; off < len; ctx++) {
		uint32_t cells, phandle = be32(p + off);
		int intc = fdt_node_by_phandle(blob, phandle);
		if (intc < 0 || fdt_prop_u32(blob, intc, "#interrupt-cells", &cells) || !cells ||
		    cells > (len - off) / 4 - 1)
			return -EINVAL;
		uint32_t irq = be32(p + off + 4);
		int cpu = cpu_index(blob, fdt_parent(blob, intc));
		if (irq == RISCV_IRQ_S_EXT && cpu >= 0 &&
		    out->plic_s_context[cpu] == FDT_RISCV_NO_CONTEXT)
			out->plic_s_context[cpu] = (uint32_t)ctx;
		off += 4 * (1 + (size_t)cells);
	}
	return 0;
}

int fdt_riscv(const void *blob, struct fdt_riscv *out)
{
	int node, err;

	if (!out || !blob)
		return -EINVAL;
	*out = (struct fdt_riscv){ 0 };
	if ((err = riscv_cpus(blob, out)))
		goto fail;
	if ((node = first_enabled(blob, "ns16550a")) >= 0) {
		if ((err = device_reg0(blob, node, &out->uart)))
			goto fail;
		out->uart_present = true;
	}
	if ((node = first_enabled(blob, "riscv,plic0")) < 0)
		node = first_enabled(blob, "sifive,plic-1.0.0");
	if (node >= 0) {
		if ((err = device_reg0(blob, node, &out->plic)) ||
		    fdt_prop_u32(blob, node, "riscv,ndev", &out->plic_ndev) ||
		    (err = plic_contexts(blob, node, out))) {
			err = err ? err : -EINVAL;
			goto fail;
		}
		out->plic_present = true;
	}
	return 0;
fail:
	*out = (struct fdt_riscv){ 0 };
	return err;
}
