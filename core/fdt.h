/* Flattened device tree (DTB) reader: how the bare-metal HAL learns the board (memory,
 * reserved ranges, the UART, the GIC, the timer, the CPUs and PSCI). A DTB is untrusted
 * input (DESIGN rule 6): fdt_check validates a blob once, and every other call takes a
 * checked blob and node/property offsets this API returned. Even so, every byte the
 * reader touches is bounds-checked against the header's blocks, and every value is read
 * byte-wise, so nothing depends on the alignment of the blob or of a property.
 * Format: Devicetree Specification v0.4, chapter 5 (the DTB) and chapter 2 (the
 * standard properties); GIC interrupt specifiers: Linux's arm,gic-v3 binding. */
#ifndef CORE_FDT_H
#define CORE_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeedu
#define FDT_MAX_DEPTH 32 /* levels of nesting, the root included */

/* fdt_platform's capacities. */
#define FDT_MAX_MEM  8
#define FDT_MAX_RSV  8
#define FDT_MAX_CPUS 64

/* Nodes and properties are named by the offset of their FDT_BEGIN_NODE / FDT_PROP token
 * in the structure block (>= 0); a negative return is an error code: -ENOENT for
 * "no such node/property/entry", -EINVAL for a malformed tree or argument. */

/* 0 if blob[0, size) holds a well-formed DTB: header (magic, version >= 16 with
 * last_comp_version <= 17, totalsize <= size, every block inside totalsize and aligned
 * as the spec requires), a /memreserve/ block terminated inside the blob, and a
 * structure block of one root node with balanced, at most FDT_MAX_DEPTH deep nodes,
 * NUL-terminated node names, properties before subnodes with names inside the strings
 * block and values inside the structure block, ending with FDT_END. -EINVAL otherwise. */
int fdt_check(const void *blob, size_t size);

/* The header's totalsize: the bytes of a checked blob the reader may touch. */
uint32_t fdt_totalsize(const void *blob);

/* /memreserve/ entry index: 0, or -ENOENT past the last entry. */
int fdt_memreserve(const void *blob, size_t index, uint64_t *addr, uint64_t *size);

/* ---- Nodes -------------------------------------------------------------------------- */

int fdt_root(const void *blob);

/* The node after node in document order (depth first); node < 0 starts at the root.
 * If depth is not NULL it is updated: the root is depth 0, and *depth must hold node's
 * depth on entry. -ENOENT after the last node. */
int fdt_next_node(const void *blob, int node, int *depth);

int fdt_first_child(const void *blob, int node);
int fdt_next_sibling(const void *blob, int node);

/* -ENOENT for the root. */
int fdt_parent(const void *blob, int node);

/* The node at path: "/" is the root, "/cpus/cpu@1" a full path, and a component without
 * a unit address ("/memory") matches "memory@..." when no child is named exactly so.
 * A path not starting with '/' begins with an alias from /aliases ("serial0",
 * "serial0/child"). -ENOENT if there is no such node. */
int fdt_path_offset(const void *blob, const char *path);

/* The node's name ("" for the root, "pl011@9000000"), NUL-terminated inside the blob;
 * *len (may be NULL) gets its length. NULL if node is not a node. */
const char *fdt_node_name(const void *blob, int node, size_t *len);

/* The first node after from (from < 0: the first in the tree) whose compatible list
 * holds compat; -ENOENT if none. */
int fdt_find_compatible(const void *blob, int from, const char *compat);

/* The node of a phandle (its "phandle" or "linux,phandle" property); -ENOENT if none. */
int fdt_node_by_phandle(const void *blob, uint32_t phandle);

/* ---- Properties ---------------------------------------------------------------------- */

/* The value of node's property name, *len (may be NULL) bytes; NULL if it has none. */
const void *fdt_get_prop(const void *blob, int node, const char *name, size_t *len);

/* Property iteration: the first property of node, the one after prop; -ENOENT at the
 * end. fdt_prop_at gives a property's value, name and length. */
int fdt_first_prop(const void *blob, int node);
int fdt_next_prop(const void *blob, int prop);
const void *fdt_prop_at(const void *blob, int prop, const char **name, size_t *len);

/* A string property: 0, -ENOENT if absent, -EINVAL unless its value is one
 * NUL-terminated string. */
int fdt_prop_string(const void *blob, int node, const char *name, const char **s);

/* A one-cell property: 0, -ENOENT if absent, -EINVAL unless it is exactly 4 bytes. */
int fdt_prop_u32(const void *blob, int node, const char *name, uint32_t *v);

/* Whether the string list value[0, len) holds s; an unterminated tail never matches. */
bool fdt_stringlist_contains(const char *value, size_t len, const char *s);

/* Whether node's compatible property lists compat. */
bool fdt_node_compatible(const void *blob, int node, const char *compat);

/* A node's status is absent, "okay" or "ok" (spec 2.3.4). */
bool fdt_node_enabled(const void *blob, int node);

/* ---- Addresses and interrupts --------------------------------------------------------- */

/* node's #address-cells and #size-cells, which describe its children's reg (spec 2.3.5:
 * not inherited, 2 and 1 when absent). -EINVAL if present but not one cell. */
int fdt_cells(const void *blob, int node, uint32_t *addr_cells, uint32_t *size_cells);

/* Entry index of node's reg, with its parent's cell counts (address 1 or 2 cells, size
 * 0 to 2, or -EINVAL). The address is on the parent's bus: see fdt_translate.
 * -ENOENT past the last entry or without reg; -EINVAL for a length that is not a whole
 * number of entries. fdt_reg_count: the number of entries (0 without reg). */
int fdt_reg(const void *blob, int node, size_t index, uint64_t *addr, uint64_t *size);
int fdt_reg_count(const void *blob, int node);

/* Translate *addr, an address on node's parent's bus (as fdt_reg gives it), to a CPU
 * physical address through the ranges of every ancestor below the root (spec 2.3.8;
 * an empty ranges is the identity). -EINVAL if an ancestor has no ranges, no range
 * covers the address, or a cell count is out of 1..2 (address) / 1..2 (size). */
int fdt_translate(const void *blob, int node, uint64_t *addr);

/* A GIC interrupt specifier (arm,gic-v3 binding: 3 or more cells). */
enum fdt_irq_type {
	FDT_IRQ_SPI = 0,
	FDT_IRQ_PPI = 1,
	FDT_IRQ_ESPI = 2, /* extended SPI range (GICv3.1) */
	FDT_IRQ_EPPI = 3, /* extended PPI range (GICv3.1) */
};

struct fdt_irq {
	uint32_t type;  /* enum fdt_irq_type: the first cell */
	uint32_t num;   /* the second cell, raw: the SPI or PPI number as the DT gives it */
	uint32_t flags; /* the third cell: trigger type and level (1 edge, 4 level high...) */
	uint32_t intid; /* the GIC INTID: SPI num + 32, PPI num + 16, ESPI num + 4096,
			 * EPPI num + 1056 (GICv3 spec, 2.2) */
};

/* Entry index of node's interrupts, decoded with the #interrupt-cells of its interrupt
 * parent (interrupt-parent of the node or its nearest ancestor, as a phandle; the
 * interrupts-extended form is not read).
 * -ENOENT past the last entry or without interrupts; -EINVAL for a missing or unknown
 * interrupt parent, a controller whose #interrupt-cells is not 3 or 4, a length that is
 * not a whole number of specifiers, or a type or number outside the GIC's ranges. */
int fdt_irq(const void *blob, int node, size_t index, struct fdt_irq *out);
int fdt_irq_count(const void *blob, int node);

/* ---- The platform in one call ---------------------------------------------------------- */

struct fdt_range {
	uint64_t base, size; /* CPU physical, base + size does not overflow */
};

enum fdt_psci_method {
	FDT_PSCI_NONE = 0, /* no enabled psci node */
	FDT_PSCI_SMC,
	FDT_PSCI_HVC,
};

/* Indices of fdt_platform.timer: the order of the arm,armv8-timer binding. */
enum {
	FDT_TIMER_SEC_PHYS = 0,
	FDT_TIMER_PHYS = 1,
	FDT_TIMER_VIRT = 2,
	FDT_TIMER_HYP_PHYS = 3,
};

/* Everything optional has a present flag or a count that is 0 when absent. */
struct fdt_platform {
	size_t nmem; /* memory nodes (device_type "memory", enabled): reg, in tree order */
	struct fdt_range mem[FDT_MAX_MEM];
	size_t nreserved; /* /memreserve/ entries, then /reserved-memory children with reg */
	struct fdt_range reserved[FDT_MAX_RSV];

	bool uart_present; /* "arm,pl011": the stdout-path's node if it is one, else the
			    * first enabled one */
	struct fdt_range uart;
	bool uart_irq_present;
	struct fdt_irq uart_irq; /* its first interrupt */

	bool gic_present; /* the first enabled "arm,gic-v3": reg[0] is the distributor,
			   * reg[1] the first redistributor region (any further ones
			   * of #redistributor-regions are not reported) */
	struct fdt_range gicd, gicr;

	bool timer_present; /* "arm,armv8-timer": its first four interrupts, all PPIs */
	struct fdt_irq timer[4];

	size_t ncpus; /* /cpus children with device_type "cpu", in tree order */
	uint64_t mpidr[FDT_MAX_CPUS]; /* their reg: MPIDR_EL1's affinity fields */
	uint64_t cpu_psci; /* bit i: cpu i's enable-method is "psci" */

	enum fdt_psci_method psci; /* "arm,psci-1.0", "arm,psci-0.2" or "arm,psci" */

	const char *stdout_path; /* /chosen stdout-path (or linux,stdout-path), with any
				  * ":options", inside the blob; NULL if absent */
	const char *bootargs;    /* /chosen bootargs, inside the blob; NULL if absent */
};

/* For pass-through of [base, base + size) (size > 0) to a VM: 0 if it lies inside one
 * reg entry (translated to CPU physical) of an enabled device node (a node with a
 * compatible that is no memory node, no /reserved-memory child and no CPU), with *node
 * (may be NULL) that node; -EBUSY, *node set, if that device is or lies inside an
 * interrupt controller or MSI controller, which the hypervisor keeps; -ENOENT if no
 * device holds all of it. The blob must have passed fdt_check. */
int fdt_passthrough(const void *blob, uint64_t base, uint64_t size, int *node);

/* Check blob[0, size) and describe the platform in *out. 0 on success; -EINVAL for a
 * blob fdt_check refuses or a malformed part the platform uses (reg, interrupts,
 * cells, strings, a psci method that is neither "smc" nor "hvc", a range that wraps);
 * -ENOSPC for more memory or reserved ranges or CPUs than *out holds. On error *out is
 * all zero. Timer and UART interrupts are given raw and as INTIDs (struct fdt_irq). */
int fdt_platform(const void *blob, size_t size, struct fdt_platform *out);

/* ---- A RISC-V board (fdt_riscv.c) ------------------------------------------------------ */

#define FDT_RISCV_NO_CONTEXT 0xFFFFFFFFu

struct fdt_riscv {
	uint32_t timebase_hz; /* /cpus timebase-frequency: the time CSR's rate; 0 if absent */
	size_t ncpus;         /* /cpus children with device_type "cpu", in tree order */
	uint64_t hartid[FDT_MAX_CPUS];         /* their reg */
	uint32_t plic_s_context[FDT_MAX_CPUS]; /* the PLIC context whose interrupt is the
						* hart's S-external one (9), or
						* FDT_RISCV_NO_CONTEXT */
	bool uart_present;    /* the first enabled "ns16550a" */
	struct fdt_range uart;
	bool plic_present;    /* the first enabled "riscv,plic0" (or "sifive,plic-1.0.0") */
	struct fdt_range plic;
	uint32_t plic_ndev;   /* riscv,ndev: its sources are 1 .. plic_ndev */
};

/* The RISC-V parts of a blob that passed fdt_check. 0; -EINVAL for a malformed part
 * (reg, a PLIC without riscv,ndev or with interrupts-extended naming no interrupt
 * controller), -ENOSPC for more CPUs than *out holds. On error *out is all zero. */
int fdt_riscv(const void *blob, struct fdt_riscv *out);

#endif
