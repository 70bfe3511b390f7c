/* The platform description from a device tree (fdt_platform): memory, reserved
 * ranges, the UART, the GICv3, the timer, the CPUs and PSCI, as the bare-metal HAL
 * needs them. Built on the checked reader in fdt.c. */
#include <stdbool.h>
#include <stddef.h>

#include "core/fdt.h"
#include "core/fdt_internal.h"
#include "core/mem.h"
#include "hal/err.h"

static int add_range(struct fdt_range *arr, size_t *n, size_t max, uint64_t base, uint64_t size)
{
	if (!size)
		return 0;
	if (base > UINT64_MAX - size)
		return -EINVAL;
	if (*n == max)
		return -ENOSPC;
	arr[(*n)++] = (struct fdt_range){ base, size };
	return 0;
}

/* Every reg entry of node, translated to CPU physical, appended to arr; empty entries
 * are skipped. With need, a node without reg is malformed. */
static int reg_ranges(const void *blob, int node, bool need, struct fdt_range *arr, size_t *n,
		      size_t max)
{
	int path[FDT_MAX_DEPTH], depth, err = fdt_ancestors(blob, node, path, &depth);
	struct reg r;

	if (!err)
		err = depth ? fdt_reg_layout(blob, node, path[depth - 1], &r) : -EINVAL;
	if (err)
		return err;
	if (need && !r.count)
		return -EINVAL;
	for (size_t i = 0; i < r.count; i++) {
		uint64_t addr, size;
		fdt_reg_entry(&r, i, &addr, &size);
		err = fdt_translate_path(blob, path, depth, &addr);
		if (!err)
			err = add_range(arr, n, max, addr, size);
		if (err)
			return err;
	}
	return 0;
}

/* reg entry index of a device: present, non-empty, translated. */
static int device_reg(const void *blob, int node, size_t index, struct fdt_range *out)
{
	uint64_t addr, size;
	size_t n = 0;
	int err = fdt_reg(blob, node, index, &addr, &size);

	if (!err)
		err = fdt_translate(blob, node, &addr);
	if (!err)
		err = add_range(out, &n, 1, addr, size);
	if (err)
		return err == -ENOENT ? -EINVAL : err;
	return n ? 0 : -EINVAL;
}

static bool is_string(const void *blob, int node, const char *name, const char *value)
{
	const char *s;

	return !fdt_prop_string(blob, node, name, &s) && !td_strcmp(s, value);
}

static int plat_reserved(const void *blob, struct fdt_platform *out)
{
	uint64_t addr, size;
	int err, n;

	for (size_t i = 0; !(err = fdt_memreserve(blob, i, &addr, &size)); i++) {
		err = add_range(out->reserved, &out->nreserved, FDT_MAX_RSV, addr, size);
		if (err)
			return err;
	}
	if (err != -ENOENT)
		return err;
	/* Children without reg are allocated dynamically ("size"): nothing fixed. */
	int rm = fdt_path_offset(blob, "/reserved-memory");
	for (n = rm < 0 ? rm : fdt_first_child(blob, rm); n >= 0; n = fdt_next_sibling(blob, n))
		if (fdt_node_enabled(blob, n) &&
		    (err = reg_ranges(blob, n, false, out->reserved, &out->nreserved, FDT_MAX_RSV)))
			return err;
	return n == -EINVAL ? n : 0;
}

static int plat_memory(const void *blob, struct fdt_platform *out)
{
	int n, err;

	for (n = fdt_root(blob); n >= 0; n = fdt_next_node(blob, n, NULL))
		if (is_string(blob, n, "device_type", "memory") && fdt_node_enabled(blob, n) &&
		    (err = reg_ranges(blob, n, true, out->mem, &out->nmem, FDT_MAX_MEM)))
			return err;
	return n == -EINVAL ? n : 0;
}

static int plat_chosen(const void *blob, struct fdt_platform *out)
{
	int chosen = fdt_path_offset(blob, "/chosen"), err;

	if (chosen < 0)
		return chosen == -ENOENT ? 0 : chosen;
	err = fdt_prop_string(blob, chosen, "stdout-path", &out->stdout_path);
	if (err == -ENOENT)
		err = fdt_prop_string(blob, chosen, "linux,stdout-path", &out->stdout_path);
	if (err && err != -ENOENT)
		return err;
	err = fdt_prop_string(blob, chosen, "bootargs", &out->bootargs);
	return err == -ENOENT ? 0 : err;
}

/* The stdout-path's node if it is an enabled PL011, else the first enabled PL011. */
static int plat_uart(const void *blob, struct fdt_platform *out)
{
	int node = -ENOENT, err;

	if (out->stdout_path) {
		size_t len = 0;
		while (out->stdout_path[len] && out->stdout_path[len] != ':')
			len++;
		node = fdt_path_lookup(blob, out->stdout_path, len);
		if (node >= 0 &&
		    !(fdt_node_compatible(blob, node, "arm,pl011") && fdt_node_enabled(blob, node)))
			node = -ENOENT;
	}
	for (int n = -1; node < 0 && (n = fdt_find_compatible(blob, n, "arm,pl011")) >= 0;)
		if (fdt_node_enabled(blob, n))
			node = n;
	if (node < 0)
		return 0;
	if ((err = device_reg(blob, node, 0, &out->uart)))
		return err;
	out->uart_present = true;
	err = fdt_irq(blob, node, 0, &out->uart_irq);
	out->uart_irq_present = !err;
	return err == -ENOENT ? 0 : err;
}

/* The first enabled node compatible with one of compat[0, n). */
static int first_enabled(const void *blob, const char *const *compat, size_t n)
{
	for (int node = fdt_root(blob); node >= 0; node = fdt_next_node(blob, node, NULL))
		for (size_t i = 0; i < n; i++)
			if (fdt_node_compatible(blob, node, compat[i]) &&
			    fdt_node_enabled(blob, node))
				return node;
	return -ENOENT;
}

static int plat_gic_timer(const void *blob, struct fdt_platform *out)
{
	static const char *const gic[] = { "arm,gic-v3" }, *const timer[] = { "arm,armv8-timer" };
	int node = first_enabled(blob, gic, 1), err;

	if (node >= 0) {
		if ((err = device_reg(blob, node, 0, &out->gicd)) ||
		    (err = device_reg(blob, node, 1, &out->gicr)))
			return err;
		out->gic_present = true;
	}
	node = first_enabled(blob, timer, 1);
	if (node < 0)
		return 0;
	for (size_t i = 0; i < 4; i++) {
		err = fdt_irq(blob, node, i, &out->timer[i]);
		if (err || out->timer[i].type != FDT_IRQ_PPI)
			return -EINVAL;
	}
	out->timer_present = true;
	return 0;
}

static int plat_cpus(const void *blob, struct fdt_platform *out)
{
	static const char *const psci[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };
	int cpus = fdt_path_offset(blob, "/cpus"), n;
	uint64_t size;
	size_t len;

	n = cpus < 0 ? cpus : fdt_first_child(blob, cpus);
	for (; n >= 0; n = fdt_next_sibling(blob, n)) {
		if (!is_string(blob, n, "device_type", "cpu"))
			continue;
		if (out->ncpus == FDT_MAX_CPUS)
			return -ENOSPC;
		if (fdt_reg(blob, n, 0, &out->mpidr[out->ncpus], &size))
			return -EINVAL;
		const char *m = fdt_get_prop(blob, n, "enable-method", &len);
		if (m && fdt_stringlist_contains(m, len, "psci"))
			out->cpu_psci |= 1ull << out->ncpus;
		out->ncpus++;
	}
	if (n == -EINVAL)
		return n;
	n = first_enabled(blob, psci, 3);
	if (n < 0)
		return 0;
	if (is_string(blob, n, "method", "smc"))
		out->psci = FDT_PSCI_SMC;
	else if (is_string(blob, n, "method", "hvc"))
		out->psci = FDT_PSCI_HVC;
	else
		return -EINVAL;
	return 0;
}

/* Whether one of node's reg entries, translated, holds [base, base + size) (whole) or
 * overlaps it (!whole). */
static bool reg_meets(const void *blob, int node, uint64_t base, uint64_t size, bool whole)
{
	int n = fdt_reg_count(blob, node);

	for (int i = 0; i < n; i++) {
		uint64_t addr, len;
		if (fdt_reg(blob, node, (size_t)i, &addr, &len) || fdt_translate(blob, node, &addr) ||
		    !len || addr + len - 1 < addr)
			continue;
		if (whole ? base >= addr && size <= len && base - addr <= len - size
			  : base <= addr + len - 1 && addr <= base + size - 1)
			return true;
	}
	return false;
}

static bool is_device(const void *blob, int node, int reserved_memory)
{
	return fdt_get_prop(blob, node, "compatible", NULL) && fdt_node_enabled(blob, node) &&
	       !is_string(blob, node, "device_type", "memory") &&
	       !is_string(blob, node, "device_type", "cpu") &&
	       (reserved_memory < 0 || fdt_parent(blob, node) != reserved_memory);
}

/* The node or one of its ancestors takes interrupts or MSIs for the whole machine. */
static bool in_irq_controller(const void *blob, int node)
{
	int path[FDT_MAX_DEPTH], depth;

	if (fdt_ancestors(blob, node, path, &depth))
		return false;
	for (int i = 0; i <= depth; i++)
		if (fdt_get_prop(blob, path[i], "interrupt-controller", NULL) ||
		    fdt_get_prop(blob, path[i], "msi-controller", NULL))
			return true;
	return false;
}

int fdt_passthrough(const void *blob, uint64_t base, uint64_t size, int *node)
{
	int rm = fdt_path_offset(blob, "/reserved-memory"), found = -ENOENT;

	if (!size || base + size - 1 < base)
		return -ENOENT;
	for (int n = fdt_root(blob); n >= 0; n = fdt_next_node(blob, n, NULL)) {
		if (!is_device(blob, n, rm))
			continue;
		/* Any part of an interrupt controller makes the whole range the hypervisor's. */
		if (in_irq_controller(blob, n) && reg_meets(blob, n, base, size, false)) {
			if (node)
				*node = n;
			return -EBUSY;
		}
		if (found < 0 && reg_meets(blob, n, base, size, true))
			found = n;
	}
	if (found >= 0 && node)
		*node = found;
	return found >= 0 ? 0 : -ENOENT;
}

int fdt_platform(const void *blob, size_t size, struct fdt_platform *out)
{
	int err;

	if (!out)
		return -EINVAL;
	*out = (struct fdt_platform){ 0 };
	if ((err = fdt_check(blob, size)) || (err = plat_reserved(blob, out)) ||
	    (err = plat_memory(blob, out)) || (err = plat_chosen(blob, out)) ||
	    (err = plat_uart(blob, out)) || (err = plat_gic_timer(blob, out)) ||
	    (err = plat_cpus(blob, out))) {
		*out = (struct fdt_platform){ 0 };
		return err;
	}
	return 0;
}
