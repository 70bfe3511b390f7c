/* The device tree reader on real blobs and on broken ones. The DTBs in tests/data/:
 * qemu-virt.dtb is QEMU 7.2's own (`scripts/qemu --smp 4 --dumpdtb FILE`: the virt
 * board with EL2 and GICv3, cortex-a72, 512 MiB) with only its header's
 * totalsize cut from 1 MiB to the end of its strings block; board.dtb, board-v16.dtb,
 * virt-like.dtb and minimal.dtb are built by dtc from the .dts beside them. Expected values come
 * from `dtc -I dtb -O dts` of each blob. Broken blobs are built here, token by token,
 * so each one has exactly one defect. Every blob sits in a heap buffer of exactly its
 * size, so ASan reports any read past it. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fdt.h"
#include "hal/err.h"
#include "tests/check_main.h"

#ifndef FDT_DATA_DIR
#error "FDT_DATA_DIR must name tests/data (tests/meson.build passes it)"
#endif

#define MiB (1ull << 20)

static uint8_t *virt, *board;
static size_t virt_size, board_size;
/* The copy check_w made last: its fdt_platform points into it until the next check_w. */
static uint8_t *checked;

static uint8_t *load(const char *name, size_t *size)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", FDT_DATA_DIR, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	uint8_t *b = malloc((size_t)n);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return b;
}

/* A heap copy of exactly size bytes. */
static uint8_t *dup_blob(const uint8_t *b, size_t size)
{
	uint8_t *c = malloc(size ? size : 1);
	ck_assert_ptr_nonnull(c);
	memcpy(c, b, size);
	return c;
}

static void setup(void)
{
	virt = load("qemu-virt.dtb", &virt_size);
	board = load("board.dtb", &board_size);
}

static void teardown(void)
{
	free(virt);
	free(board);
	free(checked);
	checked = NULL;
}

static int node(const uint8_t *blob, const char *path)
{
	int n = fdt_path_offset(blob, path);
	ck_assert_msg(n >= 0, "%s: %d", path, n);
	return n;
}

/* ---- A DTB writer for broken blobs ----------------------------------------------------- */

struct dtbw {
	uint8_t st[4096];
	size_t nst;
	char str[512];
	size_t nstr;
	uint8_t out[8192];
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void w32(struct dtbw *w, uint32_t v)
{
	ck_assert_uint_le(w->nst + 4, sizeof(w->st));
	put32(w->st + w->nst, v);
	w->nst += 4;
}

static void wbytes(struct dtbw *w, const void *p, size_t n)
{
	ck_assert_uint_le(w->nst + n + 3, sizeof(w->st));
	memcpy(w->st + w->nst, p, n);
	w->nst += n;
	while (w->nst % 4)
		w->st[w->nst++] = 0;
}

static void wbegin(struct dtbw *w, const char *name)
{
	w32(w, 1);
	wbytes(w, name, strlen(name) + 1);
}

static void wend(struct dtbw *w)
{
	w32(w, 2);
}

/* The offset of s in the strings block, added if it is not there yet. */
static uint32_t wstr(struct dtbw *w, const char *s)
{
	for (size_t i = 0; i < w->nstr; i += strlen(w->str + i) + 1)
		if (!strcmp(w->str + i, s))
			return (uint32_t)i;
	uint32_t off = (uint32_t)w->nstr;
	ck_assert_uint_le(w->nstr + strlen(s) + 1, sizeof(w->str));
	memcpy(w->str + w->nstr, s, strlen(s) + 1);
	w->nstr += strlen(s) + 1;
	return off;
}

static void wprop_raw(struct dtbw *w, uint32_t nameoff, const void *v, uint32_t len)
{
	w32(w, 3);
	w32(w, len);
	w32(w, nameoff);
	wbytes(w, v, len);
}

static void wprop(struct dtbw *w, const char *name, const void *v, uint32_t len)
{
	wprop_raw(w, wstr(w, name), v, len);
}

static void wstring(struct dtbw *w, const char *name, const char *s)
{
	wprop(w, name, s, (uint32_t)strlen(s) + 1);
}

/* A property of n cells. */
static void wcells(struct dtbw *w, const char *name, unsigned n, ...)
{
	uint8_t v[128];
	va_list ap;

	ck_assert_uint_le(n, 32);
	va_start(ap, n);
	for (unsigned i = 0; i < n; i++)
		put32(v + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	wprop(w, name, v, 4 * n);
}

/* Header (v17), an empty /memreserve/ block, the structure block as written (the
 * caller writes FDT_END), then the strings: the blob's size. */
static size_t wfinish(struct dtbw *w)
{
	uint32_t ost = 40 + 16, ostr = ost + (uint32_t)w->nst;
	uint32_t total = ostr + (uint32_t)w->nstr;
	uint32_t hdr[10] = { FDT_MAGIC, total, ost, ostr, 40, 17, 16, 0, (uint32_t)w->nstr,
			     (uint32_t)w->nst };

	ck_assert_uint_le(total, sizeof(w->out));
	memset(w->out, 0, sizeof(w->out));
	for (int i = 0; i < 10; i++)
		put32(w->out + 4 * i, hdr[i]);
	memcpy(w->out + ost, w->st, w->nst);
	memcpy(w->out + ostr, w->str, w->nstr);
	return total;
}

static struct dtbw *wnew(void)
{
	struct dtbw *w = calloc(1, sizeof(*w));
	ck_assert_ptr_nonnull(w);
	return w;
}


/* fdt_check and fdt_platform on an exact-size heap copy of what w holds. */
static int check_w(struct dtbw *w, struct fdt_platform *p)
{
	size_t size = wfinish(w);

	free(checked);
	checked = dup_blob(w->out, size);
	int err = fdt_check(checked, size), perr = fdt_platform(checked, size, p);
	if (err)
		ck_assert_int_eq(perr, err);
	return err ? err : perr;
}

/* A valid root with a #address-cells / #size-cells pair: the start of most blobs here. */
static void wroot(struct dtbw *w, uint32_t ac, uint32_t sc)
{
	wbegin(w, "");
	wcells(w, "#address-cells", 1, ac);
	wcells(w, "#size-cells", 1, sc);
}

/* ---- QEMU virt ------------------------------------------------------------------------ */

START_TEST(test_qemu_virt_passes_the_check)
{
	ck_assert_int_eq(fdt_check(virt, virt_size), 0);
	ck_assert_uint_eq(fdt_totalsize(virt), virt_size);
	uint64_t a, s;
	ck_assert_int_eq(fdt_memreserve(virt, 0, &a, &s), -ENOENT);
}
END_TEST

START_TEST(test_qemu_virt_platform)
{
	struct fdt_platform p;

	ck_assert_int_eq(fdt_platform(virt, virt_size, &p), 0);
	ck_assert_uint_eq(p.nmem, 1);
	ck_assert_uint_eq(p.mem[0].base, 0x40000000);
	ck_assert_uint_eq(p.mem[0].size, 512 * MiB);
	ck_assert_uint_eq(p.nreserved, 0);

	ck_assert(p.uart_present);
	ck_assert_uint_eq(p.uart.base, 0x09000000);
	ck_assert_uint_eq(p.uart.size, 0x1000);
	ck_assert(p.uart_irq_present);
	ck_assert_uint_eq(p.uart_irq.type, FDT_IRQ_SPI);
	ck_assert_uint_eq(p.uart_irq.num, 1);
	ck_assert_uint_eq(p.uart_irq.flags, 4); /* level high */
	ck_assert_uint_eq(p.uart_irq.intid, 33);

	ck_assert(p.gic_present);
	ck_assert_uint_eq(p.gicd.base, 0x08000000);
	ck_assert_uint_eq(p.gicd.size, 0x10000);
	ck_assert_uint_eq(p.gicr.base, 0x080A0000);
	ck_assert_uint_eq(p.gicr.size, 0xF60000);

	/* interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>: PPIs, INTIDs 29 30 27 26. */
	static const uint32_t ppi[4] = { 13, 14, 11, 10 };
	ck_assert(p.timer_present);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(p.timer[i].type, FDT_IRQ_PPI);
		ck_assert_uint_eq(p.timer[i].num, ppi[i]);
		ck_assert_uint_eq(p.timer[i].intid, ppi[i] + 16);
		ck_assert_uint_eq(p.timer[i].flags, 4);
	}
	ck_assert_uint_eq(p.timer[FDT_TIMER_HYP_PHYS].intid, 26);
	ck_assert_uint_eq(p.timer[FDT_TIMER_VIRT].intid, 27);

	ck_assert_uint_eq(p.ncpus, 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(p.mpidr[i], i);
	ck_assert_uint_eq(p.cpu_psci, 0xF);
	/* With virtualization=on QEMU's firmware-less PSCI is at EL3: method "smc". */
	ck_assert_int_eq(p.psci, FDT_PSCI_SMC);

	ck_assert_str_eq(p.stdout_path, "/pl011@9000000");
	ck_assert_ptr_null(p.bootargs);
	ck_assert((const uint8_t *)p.stdout_path > virt &&
		  (const uint8_t *)p.stdout_path < virt + virt_size);
}
END_TEST

START_TEST(test_qemu_virt_walk_visits_every_node_with_its_depth)
{
	int n, d = 0, count = 0, deepest = 0;

	for (n = fdt_next_node(virt, -1, &d); n >= 0; n = fdt_next_node(virt, n, &d)) {
		count++;
		if (d > deepest)
			deepest = d;
		if (count == 1) {
			ck_assert_int_eq(d, 0);
			ck_assert_int_eq(n, fdt_root(virt));
		}
	}
	ck_assert_int_eq(n, -ENOENT);
	ck_assert_int_eq(count, 62); /* the '{' in the decompiled source */
	ck_assert_int_eq(deepest, 5); /* /cpus/cpu-map/socket0/cluster0/core0 */
	n = node(virt, "/cpus/cpu-map/socket0/cluster0/core0");
	ck_assert_int_eq(fdt_parent(virt, n), node(virt, "/cpus/cpu-map/socket0/cluster0"));
	ck_assert_int_eq(fdt_parent(virt, fdt_root(virt)), -ENOENT);
}
END_TEST

START_TEST(test_qemu_virt_paths_and_names)
{
	size_t len;
	int n = node(virt, "/memory@40000000");

	ck_assert_str_eq(fdt_node_name(virt, n, &len), "memory@40000000");
	ck_assert_uint_eq(len, 15);
	ck_assert_int_eq(node(virt, "/memory"), n); /* no unit address: matches memory@... */
	ck_assert_str_eq(fdt_node_name(virt, fdt_root(virt), &len), "");
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(node(virt, "/"), fdt_root(virt));
	ck_assert_int_eq(node(virt, "//cpus//cpu@2/"), node(virt, "/cpus/cpu@2"));
	ck_assert_int_eq(fdt_path_offset(virt, "/memory@4000000"), -ENOENT);
	ck_assert_int_eq(fdt_path_offset(virt, "/nothing"), -ENOENT);
	ck_assert_int_eq(fdt_path_offset(virt, "/cpus/cpu@2/x"), -ENOENT);
	ck_assert_int_eq(fdt_path_offset(virt, "serial0"), -ENOENT); /* no /aliases */
	ck_assert_int_eq(fdt_path_offset(virt, ""), -ENOENT);
	ck_assert_int_eq(fdt_path_offset(virt, NULL), -EINVAL);
	ck_assert_ptr_null(fdt_node_name(virt, n + 4, NULL)); /* not a node token */
}
END_TEST

START_TEST(test_qemu_virt_properties)
{
	int psci = node(virt, "/psci");
	const char *s, *name;
	size_t len;
	uint32_t v;

	ck_assert_int_eq(fdt_prop_string(virt, psci, "method", &s), 0);
	ck_assert_str_eq(s, "smc");
	ck_assert_int_eq(fdt_prop_u32(virt, psci, "cpu_on", &v), 0);
	ck_assert_uint_eq(v, 0xC4000003);
	ck_assert_int_eq(fdt_prop_u32(virt, psci, "nothing", &v), -ENOENT);
	/* A string list is not one string; three strings are not one cell. */
	ck_assert_int_eq(fdt_prop_string(virt, psci, "compatible", &s), -EINVAL);
	ck_assert_int_eq(fdt_prop_u32(virt, psci, "compatible", &v), -EINVAL);
	const char *c = fdt_get_prop(virt, psci, "compatible", &len);
	ck_assert_uint_eq(len, sizeof("arm,psci-1.0\0arm,psci-0.2\0arm,psci"));
	ck_assert_mem_eq(c, "arm,psci-1.0\0arm,psci-0.2\0arm,psci", len);

	/* Properties in blob order: migrate cpu_on cpu_off cpu_suspend method compatible. */
	static const char *const order[] = { "migrate", "cpu_on", "cpu_off", "cpu_suspend",
					     "method", "compatible" };
	int i = 0, p;
	for (p = fdt_first_prop(virt, psci); p >= 0; p = fdt_next_prop(virt, p), i++) {
		ck_assert_int_lt(i, 6);
		ck_assert_ptr_nonnull(fdt_prop_at(virt, p, &name, &len));
		ck_assert_str_eq(name, order[i]);
	}
	ck_assert_int_eq(p, -ENOENT);
	ck_assert_int_eq(i, 6);
	ck_assert_int_eq(fdt_first_prop(virt, node(virt, "/cpus/cpu-map/socket0")), -ENOENT);
	ck_assert_ptr_null(fdt_prop_at(virt, psci, NULL, NULL)); /* a node, not a property */
}
END_TEST

START_TEST(test_qemu_virt_compatible_matches_any_string_of_the_list)
{
	int uart = node(virt, "/pl011@9000000");

	ck_assert(fdt_node_compatible(virt, uart, "arm,pl011"));
	ck_assert(fdt_node_compatible(virt, uart, "arm,primecell"));
	ck_assert(!fdt_node_compatible(virt, uart, "arm,pl01"));
	ck_assert(!fdt_node_compatible(virt, uart, "arm,pl0111"));
	ck_assert(!fdt_node_compatible(virt, fdt_root(virt), "arm,pl011"));
	ck_assert_int_eq(fdt_find_compatible(virt, -1, "arm,pl011"), uart);
	ck_assert_int_eq(fdt_find_compatible(virt, uart, "arm,pl011"), -ENOENT);
	ck_assert_int_eq(fdt_find_compatible(virt, -1, "arm,gic-v3"), node(virt, "/intc@8000000"));
	ck_assert_int_eq(fdt_find_compatible(virt, -1, "arm,psci-0.2"), node(virt, "/psci"));
	ck_assert(fdt_node_enabled(virt, uart));
}
END_TEST

START_TEST(test_qemu_virt_cells_reg_and_interrupts)
{
	uint32_t ac, sc;
	uint64_t a, s;
	struct fdt_irq irq;
	int gic = node(virt, "/intc@8000000"), cpus = node(virt, "/cpus");

	ck_assert_int_eq(fdt_cells(virt, fdt_root(virt), &ac, &sc), 0);
	ck_assert_uint_eq(ac, 2);
	ck_assert_uint_eq(sc, 2);
	ck_assert_int_eq(fdt_cells(virt, cpus, &ac, &sc), 0);
	ck_assert_uint_eq(ac, 1);
	ck_assert_uint_eq(sc, 0);
	ck_assert_int_eq(fdt_cells(virt, node(virt, "/psci"), &ac, &sc), 0); /* defaults */
	ck_assert_uint_eq(ac, 2);
	ck_assert_uint_eq(sc, 1);

	ck_assert_int_eq(fdt_reg_count(virt, gic), 2);
	ck_assert_int_eq(fdt_reg(virt, gic, 1, &a, &s), 0);
	ck_assert_uint_eq(a, 0x080A0000);
	ck_assert_uint_eq(s, 0xF60000);
	ck_assert_int_eq(fdt_reg(virt, gic, 2, &a, &s), -ENOENT);
	ck_assert_int_eq(fdt_reg(virt, node(virt, "/cpus/cpu@3"), 0, &a, &s), 0);
	ck_assert_uint_eq(a, 3);
	ck_assert_uint_eq(s, 0);
	ck_assert_int_eq(fdt_reg_count(virt, node(virt, "/psci")), 0);
	ck_assert_int_eq(fdt_reg(virt, node(virt, "/psci"), 0, &a, &s), -ENOENT);

	/* The ITS is under the GIC, whose ranges is empty: the identity. */
	int its = node(virt, "/intc@8000000/its@8080000");
	ck_assert_int_eq(fdt_reg(virt, its, 0, &a, &s), 0);
	ck_assert_int_eq(fdt_translate(virt, its, &a), 0);
	ck_assert_uint_eq(a, 0x08080000);

	/* The GIC's own maintenance interrupt, through the root's interrupt-parent. */
	ck_assert_int_eq(fdt_node_by_phandle(virt, 0x8005), gic);
	ck_assert_int_eq(fdt_node_by_phandle(virt, 0x1234), -ENOENT);
	ck_assert_int_eq(fdt_node_by_phandle(virt, 0), -ENOENT);
	ck_assert_int_eq(fdt_irq_count(virt, gic), 1);
	ck_assert_int_eq(fdt_irq(virt, gic, 0, &irq), 0);
	ck_assert_uint_eq(irq.intid, 25);
	ck_assert_int_eq(fdt_irq(virt, gic, 1, &irq), -ENOENT);
	ck_assert_int_eq(fdt_irq(virt, node(virt, "/psci"), 0, &irq), -ENOENT);
}
END_TEST

START_TEST(test_qemu_virt_children_of_cpus_in_order)
{
	static const char *const names[] = { "cpu-map", "cpu@0", "cpu@1", "cpu@2", "cpu@3" };
	int i = 0, c, cpus = node(virt, "/cpus");

	for (c = fdt_first_child(virt, cpus); c >= 0; c = fdt_next_sibling(virt, c), i++) {
		ck_assert_int_lt(i, 5);
		ck_assert_str_eq(fdt_node_name(virt, c, NULL), names[i]);
		ck_assert_int_eq(fdt_parent(virt, c), cpus);
	}
	ck_assert_int_eq(c, -ENOENT);
	ck_assert_int_eq(i, 5);
	ck_assert_int_eq(fdt_first_child(virt, node(virt, "/cpus/cpu@0")), -ENOENT);
	ck_assert_int_eq(fdt_next_sibling(virt, fdt_root(virt)), -ENOENT);
}
END_TEST

START_TEST(test_unaligned_blob_reads_the_same)
{
	struct fdt_platform a, b;
	uint8_t *buf = malloc(virt_size + 3);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf + 3, virt, virt_size);
	ck_assert_int_eq(fdt_platform(virt, virt_size, &a), 0);
	ck_assert_int_eq(fdt_platform(buf + 3, virt_size, &b), 0);
	ck_assert_uint_eq(b.gicr.base, a.gicr.base);
	ck_assert_uint_eq(b.mem[0].size, a.mem[0].size);
	ck_assert_uint_eq(b.timer[3].intid, a.timer[3].intid);
	ck_assert_uint_eq(b.ncpus, a.ncpus);
	free(buf);
}
END_TEST

/* ---- The hand-written board ------------------------------------------------------------ */

static void assert_board(const uint8_t *blob, size_t size)
{
	struct fdt_platform p;

	ck_assert_int_eq(fdt_platform(blob, size, &p), 0);
	/* Two memory nodes (the third is disabled), three ranges. */
	ck_assert_uint_eq(p.nmem, 3);
	ck_assert_uint_eq(p.mem[0].base, 0x80000000);
	ck_assert_uint_eq(p.mem[0].size, 0x10000000);
	ck_assert_uint_eq(p.mem[1].base, 0xA0000000);
	ck_assert_uint_eq(p.mem[1].size, 0x08000000);
	ck_assert_uint_eq(p.mem[2].base, 0xC0000000);
	ck_assert_uint_eq(p.mem[2].size, 0x01000000);
	/* Two /memreserve/ entries, then the one fixed, enabled /reserved-memory child. */
	ck_assert_uint_eq(p.nreserved, 3);
	ck_assert_uint_eq(p.reserved[0].base, 0x80000000);
	ck_assert_uint_eq(p.reserved[0].size, 0x10000);
	ck_assert_uint_eq(p.reserved[1].base, 0x80100000);
	ck_assert_uint_eq(p.reserved[1].size, 0x2000);
	ck_assert_uint_eq(p.reserved[2].base, 0x8F000000);
	ck_assert_uint_eq(p.reserved[2].size, 0x100000);
	/* stdout-path "serial0:115200n8": the alias, behind /soc's ranges (+0x10000000). */
	ck_assert(p.uart_present);
	ck_assert_uint_eq(p.uart.base, 0x10001000);
	ck_assert_uint_eq(p.uart.size, 0x1000);
	ck_assert(p.uart_irq_present);
	ck_assert_uint_eq(p.uart_irq.num, 5);
	ck_assert_uint_eq(p.uart_irq.intid, 37);
	ck_assert_str_eq(p.stdout_path, "serial0:115200n8");
	ck_assert_str_eq(p.bootargs, "console=ttyAMA0 earlycon");
	/* A GIC-400 is not a GICv3; no timer and no psci node. */
	ck_assert(!p.gic_present);
	ck_assert(!p.timer_present);
	ck_assert_int_eq(p.psci, FDT_PSCI_NONE);
	ck_assert_uint_eq(p.ncpus, 2);
	ck_assert_uint_eq(p.mpidr[0], 0);
	ck_assert_uint_eq(p.mpidr[1], 0x100);
	ck_assert_uint_eq(p.cpu_psci, 1); /* cpu@100 uses spin-table */
}

START_TEST(test_board_platform_with_one_cell_addresses)
{
	assert_board(board, board_size);
}
END_TEST

START_TEST(test_board_as_version_16_reads_the_same)
{
	size_t size;
	uint8_t *b = load("board-v16.dtb", &size);

	ck_assert_uint_eq(b[23], 16);
	ck_assert_int_eq(fdt_check(b, size), 0);
	assert_board(b, size);
	free(b);
}
END_TEST

START_TEST(test_board_aliases_unit_addresses_and_ranges)
{
	uint64_t a, s;
	int u1 = node(board, "/soc@10000000/serial@2000");

	ck_assert_int_eq(node(board, "serial1"), u1);
	ck_assert_int_eq(node(board, "/soc/serial@2000"), u1);
	ck_assert_int_eq(node(board, "serial0"), node(board, "/soc/serial@1000"));
	ck_assert_int_eq(node(board, "/soc/serial"), node(board, "/soc/serial@1000"));
	ck_assert_int_eq(fdt_path_offset(board, "serial2"), -ENOENT);
	ck_assert_int_eq(fdt_path_offset(board, "serial1/x"), -ENOENT);
	ck_assert_int_eq(fdt_reg(board, u1, 0, &a, &s), 0);
	ck_assert_uint_eq(a, 0x2000);
	ck_assert_int_eq(fdt_translate(board, u1, &a), 0);
	ck_assert_uint_eq(a, 0x10002000);
	a = 0x100000; /* past the window of /soc's ranges */
	ck_assert_int_eq(fdt_translate(board, u1, &a), -EINVAL);
	a = 0x1234;
	ck_assert_int_eq(fdt_translate(board, node(board, "/memory@c0000000"), &a), 0);
	ck_assert_uint_eq(a, 0x1234);
	ck_assert_int_eq(fdt_translate(board, fdt_root(board), &a), -EINVAL);

	uint64_t ra, rs;
	ck_assert_int_eq(fdt_memreserve(board, 1, &ra, &rs), 0);
	ck_assert_uint_eq(ra, 0x80100000);
	ck_assert_uint_eq(rs, 0x2000);
	ck_assert_int_eq(fdt_memreserve(board, 2, &ra, &rs), -ENOENT);
	ck_assert(!fdt_node_enabled(board, node(board, "/memory@d0000000")));
	ck_assert(fdt_node_enabled(board, node(board, "/memory@c0000000")));
}
END_TEST

START_TEST(test_virt_like_two_cell_board)
{
	size_t size;
	uint8_t *b = load("virt-like.dtb", &size);
	struct fdt_platform p;

	ck_assert_int_eq(fdt_platform(b, size, &p), 0);
	ck_assert_uint_eq(p.nmem, 2);
	ck_assert_uint_eq(p.mem[1].base, 0x100000000ull);
	ck_assert_uint_eq(p.mem[1].size, 0x40000000);
	ck_assert_uint_eq(p.nreserved, 2);
	ck_assert_uint_eq(p.reserved[0].base, 0x48000000);
	ck_assert_uint_eq(p.reserved[0].size, 0x200000);
	ck_assert_uint_eq(p.reserved[1].base, 0x4F000000);
	ck_assert_uint_eq(p.reserved[1].size, 0x1000000);
	/* The disabled PL011 comes first; the console one is the stdout-path. */
	ck_assert_uint_eq(p.uart.base, 0x09000000);
	ck_assert_uint_eq(p.uart_irq.intid, 33);
	/* reg[0] and reg[1]; the second redistributor region is not reported. */
	ck_assert_uint_eq(p.gicd.base, 0x08000000);
	ck_assert_uint_eq(p.gicr.base, 0x080A0000);
	ck_assert_uint_eq(p.gicr.size, 0xF60000);
	ck_assert(p.timer_present);
	ck_assert_uint_eq(p.timer[FDT_TIMER_SEC_PHYS].num, 13);
	ck_assert_uint_eq(p.timer[FDT_TIMER_HYP_PHYS].num, 10);
	ck_assert_int_eq(p.psci, FDT_PSCI_HVC);
	ck_assert_uint_eq(p.ncpus, 2);
	ck_assert_uint_eq(p.mpidr[1], 0x100000001ull);
	ck_assert_uint_eq(p.cpu_psci, 3);
	ck_assert_int_eq(fdt_reg_count(b, fdt_find_compatible(b, -1, "arm,gic-v3")), 3);
	free(b);
}
END_TEST

START_TEST(test_minimal_tree_has_every_part_absent)
{
	size_t size;
	uint8_t *b = load("minimal.dtb", &size);
	struct fdt_platform p;

	memset(&p, 0xA5, sizeof(p));
	ck_assert_int_eq(fdt_platform(b, size, &p), 0);
	ck_assert_uint_eq(p.nmem, 0);
	ck_assert_uint_eq(p.nreserved, 0);
	ck_assert(!p.uart_present && !p.uart_irq_present && !p.gic_present && !p.timer_present);
	ck_assert_uint_eq(p.ncpus, 0);
	ck_assert_int_eq(p.psci, FDT_PSCI_NONE);
	ck_assert_ptr_null(p.stdout_path);
	ck_assert_ptr_null(p.bootargs);
	ck_assert_int_eq(fdt_next_node(b, fdt_root(b), NULL), -ENOENT);
	free(b);
}
END_TEST

START_TEST(test_stringlist_ignores_an_unterminated_tail)
{
	ck_assert(fdt_stringlist_contains("a\0bc\0", 5, "bc"));
	ck_assert(!fdt_stringlist_contains("a\0bc", 4, "bc"));
	ck_assert(fdt_stringlist_contains("\0x\0", 3, ""));
	ck_assert(!fdt_stringlist_contains("", 0, ""));
	ck_assert(!fdt_stringlist_contains("abc\0", 4, "ab"));
}
END_TEST

/* ---- Broken headers ------------------------------------------------------------------------ */

/* board with the 32-bit header field at off set to v: fdt_check's answer. */
static int check_patched(unsigned off, uint32_t v)
{
	uint8_t *b = dup_blob(board, board_size);
	struct fdt_platform p;

	put32(b + off, v);
	int err = fdt_check(b, board_size), perr = fdt_platform(b, board_size, &p);
	if (err)
		ck_assert_int_eq(perr, err);
	free(b);
	return err;
}

START_TEST(test_bad_headers_are_rejected)
{
	uint32_t ost = 0, ostr = 0, sstr = 0, sst = 0;

	for (int i = 0; i < 4; i++) {
		ost = ost << 8 | board[8 + i];
		ostr = ostr << 8 | board[12 + i];
		sstr = sstr << 8 | board[32 + i];
		sst = sst << 8 | board[36 + i];
	}
	/* Magic, also byte-swapped. */
	ck_assert_int_eq(check_patched(0, 0xD00DFEEE), -EINVAL);
	ck_assert_int_eq(check_patched(0, 0xEDFE0DD0), -EINVAL);
	/* totalsize past the buffer, inside the header, huge. */
	ck_assert_int_eq(check_patched(4, (uint32_t)board_size + 1), -EINVAL);
	ck_assert_int_eq(check_patched(4, 39), -EINVAL);
	ck_assert_int_eq(check_patched(4, 0xFFFFFFFF), -EINVAL);
	/* Structure block unaligned, past the end, inside the header. */
	ck_assert_int_eq(check_patched(8, ost + 2), -EINVAL);
	ck_assert_int_eq(check_patched(8, (uint32_t)board_size), -EINVAL);
	ck_assert_int_eq(check_patched(8, 8), -EINVAL);
	/* Strings block past the end. */
	ck_assert_int_eq(check_patched(12, ostr + 1), -EINVAL);
	ck_assert_int_eq(check_patched(12, 0xFFFFFFF0), -EINVAL);
	/* /memreserve/ block unaligned, past the end. */
	ck_assert_int_eq(check_patched(16, 44), -EINVAL);
	ck_assert_int_eq(check_patched(16, 0xFFFFFFF8), -EINVAL);
	/* version, last_comp_version. */
	ck_assert_int_eq(check_patched(20, 15), -EINVAL);
	ck_assert_int_eq(check_patched(24, 18), -EINVAL);
	/* size_dt_strings and size_dt_struct past the end; FDT_END cut off. */
	ck_assert_int_eq(check_patched(32, sstr + 1), -EINVAL);
	ck_assert_int_eq(check_patched(32, 0xFFFFFFFF), -EINVAL);
	ck_assert_int_eq(check_patched(36, (uint32_t)board_size - ost + 4), -EINVAL);
	ck_assert_int_eq(check_patched(36, 0xFFFFFFFC), -EINVAL);
	ck_assert_int_eq(check_patched(36, sst - 4), -EINVAL);
	/* Shrinking the strings block cuts the last name's NUL. */
	ck_assert_int_eq(check_patched(32, sstr - 1), -EINVAL);
	/* Accepted: a later version that is compatible with 17, and a larger buffer. */
	ck_assert_int_eq(check_patched(20, 18), 0);
	ck_assert_int_eq(fdt_check(board, board_size), 0);
	ck_assert_int_eq(fdt_check(NULL, 100), -EINVAL);
	ck_assert_int_eq(fdt_check(board, 39), -EINVAL);
}
END_TEST

START_TEST(test_every_truncation_is_rejected)
{
	struct fdt_platform p;

	for (size_t cut = 0; cut < board_size; cut++) {
		/* The buffer cut short, and the header claiming only what is left. */
		uint8_t *b = dup_blob(board, cut);
		ck_assert_int_eq(fdt_check(b, cut), -EINVAL);
		ck_assert_int_eq(fdt_platform(b, cut, &p), -EINVAL);
		if (cut >= 40) {
			put32(b + 4, (uint32_t)cut);
			ck_assert_int_eq(fdt_check(b, cut), -EINVAL);
		}
		free(b);
	}
}
END_TEST

START_TEST(test_unterminated_memreserve_is_rejected)
{
	struct dtbw *w = wnew();

	wbegin(w, "");
	wend(w);
	w32(w, 9);
	size_t size = wfinish(w);
	ck_assert_uint_eq(size, 72);
	uint8_t *b = dup_blob(w->out, size);
	ck_assert_int_eq(fdt_check(b, size), 0);
	/* Point the /memreserve/ block at the structure block: its 16 bytes are not an
	 * all-zero entry, and the blob ends right after them. */
	put32(b + 16, 56);
	ck_assert_int_eq(fdt_check(b, size), -EINVAL);
	free(b);
	free(w);
}
END_TEST

/* ---- Broken structure blocks ----------------------------------------------------------------- */

START_TEST(test_well_formed_writer_output_passes)
{
	struct dtbw *w = wnew();
	struct fdt_platform p;

	wroot(w, 1, 1);
	w32(w, 4); /* NOPs are allowed anywhere */
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	w32(w, 4);
	wcells(w, "reg", 2, 0x1000, 0x2000);
	wend(w);
	wend(w);
	w32(w, 4);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), 0);
	ck_assert_uint_eq(p.nmem, 1);
	ck_assert_uint_eq(p.mem[0].base, 0x1000);
	ck_assert_uint_eq(p.mem[0].size, 0x2000);
	free(w);
}
END_TEST

START_TEST(test_unbalanced_nodes_are_rejected)
{
	struct fdt_platform p;
	struct dtbw *w = wnew();

	wroot(w, 1, 1); /* root never closed */
	wbegin(w, "a");
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* one END_NODE too many */
	wroot(w, 1, 1);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* a second root */
	wroot(w, 1, 1);
	wend(w);
	wbegin(w, "");
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* no root at all */
	w32(w, 4);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* no FDT_END: the block ends after the root */
	wroot(w, 1, 1);
	wend(w);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* an unknown token */
	wroot(w, 1, 1);
	w32(w, 5);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);
	free(w);
}
END_TEST

START_TEST(test_bad_properties_are_rejected)
{
	struct fdt_platform p;
	struct dtbw *w = wnew();
	uint32_t v = 0;

	/* Name offset one past the strings block. */
	wroot(w, 1, 1);
	wprop_raw(w, (uint32_t)w->nstr, &v, 4);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	/* Name offset far outside. */
	*w = (struct dtbw){ 0 };
	wroot(w, 1, 1);
	wprop_raw(w, 0xFFFFFFF0, &v, 4);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	/* Length overflowing the block (and 32 bits when added to the offset). */
	for (int i = 0; i < 3; i++) {
		static const uint32_t lens[] = { 0xFFFFFFF0, 0x7FFFFFFF, 13 };
		*w = (struct dtbw){ 0 };
		wroot(w, 1, 1);
		w32(w, 3);
		w32(w, lens[i]);
		w32(w, wstr(w, "x"));
		w32(w, 0); /* 12 bytes remain after the length: END_NODE, END, this */
		wend(w);
		w32(w, 9);
		ck_assert_int_eq(check_w(w, &p), -EINVAL);
	}

	/* A property header cut by the end of the block. */
	*w = (struct dtbw){ 0 };
	wbegin(w, "");
	w32(w, 3);
	w32(w, 0);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	/* Property outside any node, and after a subnode. */
	*w = (struct dtbw){ 0 };
	wcells(w, "x", 1, 0);
	wroot(w, 1, 1);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);
	*w = (struct dtbw){ 0 };
	wroot(w, 1, 1);
	wbegin(w, "a");
	wend(w);
	wcells(w, "x", 1, 0);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	/* The strings block's last name without its NUL. */
	*w = (struct dtbw){ 0 };
	wroot(w, 1, 1);
	wend(w);
	w32(w, 9);
	size_t size = wfinish(w);
	put32(w->out + 32, (uint32_t)w->nstr - 1);
	uint8_t *b = dup_blob(w->out, size - 1);
	put32(b + 4, (uint32_t)size - 1);
	ck_assert_int_eq(fdt_check(b, size - 1), -EINVAL);
	free(b);
	free(w);
}
END_TEST

START_TEST(test_bad_node_names_are_rejected)
{
	struct fdt_platform p;
	struct dtbw *w = wnew();

	/* A name running to the end of the block with no NUL. */
	wroot(w, 1, 1);
	w32(w, 1);
	memcpy(w->st + w->nst, "abcdefgh", 8);
	w->nst += 8;
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	/* The root's name without its NUL: the block is only the name. */
	*w = (struct dtbw){ 0 };
	w32(w, 1);
	memcpy(w->st + w->nst, "root", 4);
	w->nst += 4;
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	/* An empty name below the root, and one with a '/'. */
	static const char *const bad[] = { "", "a/b" };
	for (int i = 0; i < 2; i++) {
		*w = (struct dtbw){ 0 };
		wroot(w, 1, 1);
		wbegin(w, bad[i]);
		wend(w);
		wend(w);
		w32(w, 9);
		ck_assert_int_eq(check_w(w, &p), -EINVAL);
	}
	free(w);
}
END_TEST

/* A chain of levels nodes, the root included. */
static int check_depth(int levels)
{
	struct fdt_platform p;
	struct dtbw *w = wnew();

	wbegin(w, "");
	for (int i = 1; i < levels; i++)
		wbegin(w, "n");
	for (int i = 0; i < levels; i++)
		wend(w);
	w32(w, 9);
	int err = check_w(w, &p);
	if (!err) {
		int d = 0, n, deepest = 0;
		for (n = fdt_next_node(w->out, -1, &d); n >= 0; n = fdt_next_node(w->out, n, &d))
			deepest = d;
		ck_assert_int_eq(deepest, levels - 1);
	}
	free(w);
	return err;
}

START_TEST(test_depth_limit)
{
	ck_assert_int_eq(check_depth(FDT_MAX_DEPTH), 0);
	ck_assert_int_eq(check_depth(FDT_MAX_DEPTH + 1), -EINVAL);
	ck_assert_int_eq(check_depth(300), -EINVAL);
}
END_TEST

/* ---- Malformed parts the platform uses ---------------------------------------------------- */

START_TEST(test_reg_with_unsupported_cells_is_rejected)
{
	struct fdt_platform p;
	struct dtbw *w = wnew();
	uint64_t a, s;

	wroot(w, 3, 1); /* #address-cells = 3 */
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	wcells(w, "reg", 4, 0, 0, 0x1000, 0x1000);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);
	ck_assert_int_eq(fdt_reg(w->out, fdt_first_child(w->out, fdt_root(w->out)), 0, &a, &s),
			 -EINVAL);

	*w = (struct dtbw){ 0 }; /* #size-cells = 3 */
	wroot(w, 1, 3);
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	wcells(w, "reg", 4, 0, 0, 0x1000, 0x1000);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* reg not a whole number of (1, 1) entries */
	wroot(w, 1, 1);
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	wcells(w, "reg", 3, 0, 0x1000, 0x2000);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* #address-cells of 8 bytes */
	wbegin(w, "");
	wcells(w, "#address-cells", 2, 0, 1);
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	wcells(w, "reg", 3, 0, 0x1000, 0x2000);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* a memory node without reg */
	wroot(w, 1, 1);
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* a range that wraps past 2^64 */
	wroot(w, 2, 2);
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	wcells(w, "reg", 4, 0xFFFFFFFF, 0xFFFFF000, 0, 0x2000);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);
	free(w);
}
END_TEST

START_TEST(test_too_many_ranges_or_cpus_is_enospc)
{
	struct fdt_platform p;
	struct dtbw *w = wnew();

	wroot(w, 1, 1);
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	wcells(w, "reg", 18, 0x0, 1, 0x10, 1, 0x20, 1, 0x30, 1, 0x40, 1, 0x50, 1, 0x60, 1, 0x70,
	       1, 0x80, 1);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -ENOSPC);
	ck_assert_uint_eq(p.nmem, 0); /* zeroed on error */

	*w = (struct dtbw){ 0 }; /* 8 ranges and empty ones are fine */
	wroot(w, 1, 1);
	wbegin(w, "memory@0");
	wstring(w, "device_type", "memory");
	wcells(w, "reg", 18, 0x0, 1, 0x10, 1, 0x20, 1, 0x30, 1, 0x40, 1, 0x50, 1, 0x60, 1, 0x70,
	       1, 0x80, 0);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), 0);
	ck_assert_uint_eq(p.nmem, 8);

	*w = (struct dtbw){ 0 }; /* 65 CPUs */
	wroot(w, 1, 1);
	wbegin(w, "cpus");
	wcells(w, "#address-cells", 1, 1);
	wcells(w, "#size-cells", 1, 0);
	for (uint32_t i = 0; i < 65; i++) {
		wbegin(w, "cpu");
		wstring(w, "device_type", "cpu");
		wcells(w, "reg", 1, i);
		wend(w);
	}
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -ENOSPC);
	free(w);
}
END_TEST

/* A root with a GICv3 (phandle 1) and one node named name holding what add writes. */
static int check_device(void (*add)(struct dtbw *w), struct fdt_platform *p)
{
	struct dtbw *w = wnew();

	wroot(w, 1, 1);
	wcells(w, "interrupt-parent", 1, 1);
	wbegin(w, "gic@1000");
	wstring(w, "compatible", "arm,gic-v3");
	wcells(w, "#interrupt-cells", 1, 3);
	wcells(w, "phandle", 1, 1);
	wcells(w, "reg", 4, 0x1000, 0x1000, 0x10000, 0x20000);
	wend(w);
	wbegin(w, "dev");
	add(w);
	wend(w);
	wend(w);
	w32(w, 9);
	int err = check_w(w, p);
	free(w);
	return err;
}

static void psci_hvc(struct dtbw *w)
{
	wstring(w, "compatible", "arm,psci-0.2");
	wstring(w, "method", "hvc");
}

static void psci_bad(struct dtbw *w)
{
	wstring(w, "compatible", "arm,psci-1.0");
	wstring(w, "method", "svc");
}

static void psci_none(struct dtbw *w)
{
	wstring(w, "compatible", "arm,psci");
}

static void psci_disabled(struct dtbw *w)
{
	psci_bad(w);
	wstring(w, "status", "disabled");
}

static void timer_three(struct dtbw *w)
{
	wstring(w, "compatible", "arm,armv8-timer");
	wcells(w, "interrupts", 9, 1, 13, 4, 1, 14, 4, 1, 11, 4);
}

static void timer_spi(struct dtbw *w)
{
	wstring(w, "compatible", "arm,armv8-timer");
	wcells(w, "interrupts", 12, 1, 13, 4, 1, 14, 4, 1, 11, 4, 0, 10, 4);
}

static void timer_ppi16(struct dtbw *w)
{
	wstring(w, "compatible", "arm,armv8-timer");
	wcells(w, "interrupts", 12, 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 16, 4);
}

static void uart_ok(struct dtbw *w)
{
	wstring(w, "compatible", "arm,pl011");
	wcells(w, "reg", 2, 0x9000000, 0x1000);
	wcells(w, "interrupts", 3, 0, 987, 4);
}

static void uart_spi_too_big(struct dtbw *w)
{
	wstring(w, "compatible", "arm,pl011");
	wcells(w, "reg", 2, 0x9000000, 0x1000);
	wcells(w, "interrupts", 3, 0, 988, 4);
}

static void uart_no_reg(struct dtbw *w)
{
	wstring(w, "compatible", "arm,pl011");
}

static void uart_unknown_parent(struct dtbw *w)
{
	uart_ok(w);
	wcells(w, "interrupt-parent", 1, 7);
}

static void uart_partial_interrupt(struct dtbw *w)
{
	wstring(w, "compatible", "arm,pl011");
	wcells(w, "reg", 2, 0x9000000, 0x1000);
	wcells(w, "interrupts", 2, 0, 1);
}

static void gic_one_reg(struct dtbw *w)
{
	wstring(w, "compatible", "arm,gic-v3"); /* found before: the first GIC wins */
	wcells(w, "reg", 2, 0x1000, 0x1000);
}

static void chosen_unterminated(struct dtbw *w)
{
	wprop(w, "bootargs", "abc", 3);
}

START_TEST(test_malformed_devices_are_rejected_and_valid_ones_read)
{
	struct fdt_platform p;

	ck_assert_int_eq(check_device(psci_hvc, &p), 0);
	ck_assert_int_eq(p.psci, FDT_PSCI_HVC);
	ck_assert(p.gic_present);
	ck_assert_uint_eq(p.gicd.base, 0x1000);
	ck_assert_uint_eq(p.gicr.base, 0x10000);
	ck_assert_uint_eq(p.gicr.size, 0x20000);
	ck_assert_int_eq(check_device(psci_bad, &p), -EINVAL);
	ck_assert_int_eq(check_device(psci_none, &p), -EINVAL);
	ck_assert_int_eq(check_device(psci_disabled, &p), 0);
	ck_assert_int_eq(p.psci, FDT_PSCI_NONE);
	ck_assert_int_eq(check_device(timer_three, &p), -EINVAL);
	ck_assert_int_eq(check_device(timer_spi, &p), -EINVAL);
	ck_assert_int_eq(check_device(timer_ppi16, &p), -EINVAL);
	ck_assert_int_eq(check_device(uart_ok, &p), 0);
	ck_assert_uint_eq(p.uart_irq.intid, 1019);
	ck_assert_int_eq(check_device(uart_spi_too_big, &p), -EINVAL);
	ck_assert_int_eq(check_device(uart_no_reg, &p), -EINVAL);
	ck_assert_int_eq(check_device(uart_unknown_parent, &p), -EINVAL);
	ck_assert_int_eq(check_device(uart_partial_interrupt, &p), -EINVAL);
	ck_assert_int_eq(check_device(gic_one_reg, &p), 0);
	ck_assert_int_eq(check_device(chosen_unterminated, &p), 0); /* not /chosen */
}
END_TEST

START_TEST(test_malformed_chosen_is_rejected)
{
	struct fdt_platform p;
	struct dtbw *w = wnew();

	wroot(w, 1, 1);
	wbegin(w, "chosen");
	chosen_unterminated(w);
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), -EINVAL);

	*w = (struct dtbw){ 0 }; /* a stdout-path that leads nowhere is only a hint */
	wroot(w, 1, 1);
	wbegin(w, "chosen");
	wstring(w, "stdout-path", "/nowhere:9600");
	wend(w);
	wend(w);
	w32(w, 9);
	ck_assert_int_eq(check_w(w, &p), 0);
	ck_assert_str_eq(p.stdout_path, "/nowhere:9600");
	ck_assert(!p.uart_present);
	free(w);
}
END_TEST

/* Every single-byte change of board: checked or refused, never a crash or an overread. */
START_TEST(test_every_byte_flip_is_survived)
{
	static const uint8_t xors[] = { 0x01, 0x80, 0xFF };
	struct fdt_platform p;

	for (size_t i = 0; i < board_size; i++) {
		for (size_t k = 0; k < sizeof(xors); k++) {
			uint8_t *b = dup_blob(board, board_size);
			b[i] ^= xors[k];
			int err = fdt_platform(b, board_size, &p);
			ck_assert(err == 0 || err == -EINVAL || err == -ENOSPC);
			free(b);
		}
	}
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("fdt");
	TCase *tc = tcase_create("fdt");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_qemu_virt_passes_the_check);
	tcase_add_test(tc, test_qemu_virt_platform);
	tcase_add_test(tc, test_qemu_virt_walk_visits_every_node_with_its_depth);
	tcase_add_test(tc, test_qemu_virt_paths_and_names);
	tcase_add_test(tc, test_qemu_virt_properties);
	tcase_add_test(tc, test_qemu_virt_compatible_matches_any_string_of_the_list);
	tcase_add_test(tc, test_qemu_virt_cells_reg_and_interrupts);
	tcase_add_test(tc, test_qemu_virt_children_of_cpus_in_order);
	tcase_add_test(tc, test_unaligned_blob_reads_the_same);
	tcase_add_test(tc, test_board_platform_with_one_cell_addresses);
	tcase_add_test(tc, test_board_as_version_16_reads_the_same);
	tcase_add_test(tc, test_board_aliases_unit_addresses_and_ranges);
	tcase_add_test(tc, test_virt_like_two_cell_board);
	tcase_add_test(tc, test_minimal_tree_has_every_part_absent);
	tcase_add_test(tc, test_stringlist_ignores_an_unterminated_tail);
	tcase_add_test(tc, test_bad_headers_are_rejected);
	tcase_add_test(tc, test_every_truncation_is_rejected);
	tcase_add_test(tc, test_unterminated_memreserve_is_rejected);
	tcase_add_test(tc, test_well_formed_writer_output_passes);
	tcase_add_test(tc, test_unbalanced_nodes_are_rejected);
	tcase_add_test(tc, test_bad_properties_are_rejected);
	tcase_add_test(tc, test_bad_node_names_are_rejected);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_reg_with_unsupported_cells_is_rejected);
	tcase_add_test(tc, test_too_many_ranges_or_cpus_is_enospc);
	tcase_add_test(tc, test_malformed_devices_are_rejected_and_valid_ones_read);
	tcase_add_test(tc, test_malformed_chosen_is_rejected);
	tcase_add_test(tc, test_every_byte_flip_is_survived);
	suite_add_tcase(s, tc);
	return s;
}
