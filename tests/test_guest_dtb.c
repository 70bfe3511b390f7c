/* The DTB writer and the guest device tree, read back with the project's own reader
 * (and, in the dtc test beside this one, by dtc). Expected values are the description's
 * and the bindings' (arm,gic-v3: PPI n is INTID n + 16, SPI n is INTID n + 32). Every
 * tree is written into a heap buffer of exactly the capacity given, so ASan reports any
 * write past it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fdt.h"
#include "core/fdt_write.h"
#include "core/guest_dtb.h"
#include "hal/err.h"
#include "tests/check_main.h"

#define MiB (1ull << 20)

static struct guest_dtb sample(void)
{
	struct guest_dtb d = {
		.nmem = 2,
		.mem = { { { 0x40000000 }, 64 * MiB }, { { 0x100000000ull }, 2 * MiB } },
		.ncpus = 3,
		.mpidr = { 0x0, 0x1, 0x100 },
		.psci_smc = false,
		.gicd = { 0x08000000 }, .gicd_size = 0x10000,
		.gicr = { 0x080A0000 }, .gicr_size = 3 * 0x20000,
		.timer_ppi = { 13, 14, 11, 10 },
		.has_uart = true, .uart = { 0x09000000 }, .uart_spi = 1,
		.bootargs = "console=ttyAMA0 earlycon root=/dev/ram",
		.has_initrd = true,
		.initrd_start = { 0x42000000 }, .initrd_end = { 0x42012345 },
	};
	return d;
}

/* d written into a heap buffer of cap bytes; *size its length. */
static uint8_t *write_heap(const struct guest_dtb *d, size_t cap, size_t *size, int *err)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	ck_assert_ptr_nonnull(buf);
	*err = guest_dtb_write(d, buf, cap, size);
	return buf;
}

static struct guest_dtb rv_sample(bool sstc)
{
	struct guest_dtb d = {
		.board = GUEST_DTB_RISCV_VIRT,
		.nmem = 1,
		.mem = { { { 0x80000000ull }, 64 * MiB } },
		.ncpus = 2,
		.mpidr = { 0, 1 },
		.has_uart = true, .uart = { 0x10000000 },
		.rv = { .timebase_hz = 10000000, .sstc = sstc, .plic = { 0x0C000000 },
			.plic_size = 0x600000, .plic_ndev = 95, .uart_irq = 10 },
		.bootargs = "console=ttyS0",
	};
	return d;
}

/* The riscv board: harts with no "h" in their ISA and sstc only when they have it, each
 * with its local interrupt controller, the PLIC's contexts M (-1: absent) and S (9)
 * per hart in that order, the NS16550A on PLIC source 10, the timebase, and no Arm
 * node. */
START_TEST(test_the_riscv_tree_describes_the_riscv_virt_board)
{
	for (int sstc = 0; sstc < 2; sstc++) {
		struct guest_dtb d = rv_sample(sstc);
		size_t size, plen;
		int err;
		uint8_t *b = write_heap(&d, 8192, &size, &err);
		const char *s;
		uint32_t v;
		uint64_t addr, len;

		ck_assert_int_eq(err, 0);
		ck_assert_int_eq(fdt_check(b, size), 0);
		int cpus = fdt_path_offset(b, "/cpus");
		ck_assert_int_ge(cpus, 0);
		ck_assert_int_eq(fdt_prop_u32(b, cpus, "timebase-frequency", &v), 0);
		ck_assert_uint_eq(v, 10000000);
		int cpu1 = fdt_path_offset(b, "/cpus/cpu@1");
		ck_assert_int_ge(cpu1, 0);
		ck_assert_int_eq(fdt_prop_string(b, cpu1, "riscv,isa", &s), 0);
		ck_assert_str_eq(s, sstc ? "rv64imafdc_zicsr_zifencei_sstc"
					 : "rv64imafdc_zicsr_zifencei");
		ck_assert_ptr_null(strchr(s + 4, 'h'));
		int intc = fdt_path_offset(b, "/cpus/cpu@1/interrupt-controller");
		ck_assert(fdt_node_compatible(b, intc, "riscv,cpu-intc"));
		ck_assert_int_eq(fdt_prop_u32(b, intc, "phandle", &v), 0);
		ck_assert_uint_eq(v, GUEST_DTB_INTC_PHANDLE(1));

		int plic = fdt_find_compatible(b, -1, "sifive,plic-1.0.0");
		ck_assert_int_ge(plic, 0);
		ck_assert_int_eq(fdt_reg(b, plic, 0, &addr, &len), 0);
		ck_assert_uint_eq(addr, 0x0C000000);
		ck_assert_uint_eq(len, 0x600000);
		ck_assert_int_eq(fdt_prop_u32(b, plic, "riscv,ndev", &v), 0);
		ck_assert_uint_eq(v, 95);
		const uint8_t *ext = fdt_get_prop(b, plic, "interrupts-extended", &plen);
		ck_assert_uint_eq(plen, 2 * 4 * 4);
		static const uint32_t want[8] = { 16, 0xFFFFFFFF, 16, 9, 17, 0xFFFFFFFF, 17, 9 };
		for (unsigned i = 0; i < 8; i++) {
			uint32_t c = (uint32_t)ext[4 * i] << 24 | (uint32_t)ext[4 * i + 1] << 16 |
				     (uint32_t)ext[4 * i + 2] << 8 | ext[4 * i + 3];
			ck_assert_uint_eq(c, want[i]);
		}

		int uart = fdt_find_compatible(b, -1, "ns16550a");
		ck_assert_int_ge(uart, 0);
		ck_assert_int_eq(fdt_reg(b, uart, 0, &addr, &len), 0);
		ck_assert_uint_eq(addr, 0x10000000);
		ck_assert_int_eq(fdt_prop_u32(b, uart, "interrupts", &v), 0);
		ck_assert_uint_eq(v, 10);
		ck_assert_int_eq(fdt_prop_string(b, fdt_path_offset(b, "/chosen"), "stdout-path",
						 &s), 0);
		ck_assert_int_eq(fdt_path_offset(b, s), uart);
		ck_assert_int_lt(fdt_find_compatible(b, -1, "arm,gic-v3"), 0);
		ck_assert_int_lt(fdt_path_offset(b, "/psci"), 0);
		free(b);
	}
}
END_TEST

/* Sixteen harts: the PLIC's interrupts-extended has 64 cells (a fuzz finding: the
 * writer's cell helper takes 16, and a VM of more than four harts got no tree). */
START_TEST(test_the_riscv_tree_holds_sixteen_harts)
{
	struct guest_dtb d = rv_sample(true);
	size_t size, plen;
	int err;

	d.ncpus = 16;
	for (unsigned i = 0; i < 16; i++)
		d.mpidr[i] = i;
	uint8_t *b = write_heap(&d, 16384, &size, &err);
	ck_assert_int_eq(err, 0);
	int plic = fdt_find_compatible(b, -1, "sifive,plic-1.0.0");
	const uint8_t *ext = fdt_get_prop(b, plic, "interrupts-extended", &plen);
	ck_assert_uint_eq(plen, 16 * 16);
	/* hart 15's S context: its intc's phandle, then 9 */
	ck_assert_uint_eq(ext[16 * 15 + 11], GUEST_DTB_INTC_PHANDLE(15));
	ck_assert_uint_eq(ext[16 * 15 + 15], 9);
	ck_assert_int_ge(fdt_path_offset(b, "/cpus/cpu@f"), 0);
	free(b);
}
END_TEST

/* A hart id past 32 bits, no timebase, no PLIC sources or a UART on a source past them:
 * refused, not written. */
START_TEST(test_impossible_riscv_descriptions_are_einval)
{
	uint8_t buf[8192];
	size_t size;
	struct guest_dtb d = rv_sample(true);

	d.mpidr[1] = 1ull << 32;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d = rv_sample(true);
	d.rv.timebase_hz = 0;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d = rv_sample(true);
	d.rv.plic_ndev = 0;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d = rv_sample(true);
	d.rv.uart_irq = 96;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d = rv_sample(true);
	d.board = (enum guest_dtb_board)7;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
}
END_TEST

START_TEST(test_the_guest_tree_reads_back_as_configured)
{
	struct guest_dtb d = sample();
	size_t size;
	int err;
	uint8_t *b = write_heap(&d, 8192, &size, &err);

	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(fdt_check(b, size), 0);
	ck_assert_uint_eq(fdt_totalsize(b), size);
	uint64_t addr, len;
	/* memory: both regions, two-cell addresses and sizes at the root */
	int mem = fdt_path_offset(b, "/memory@40000000");
	ck_assert_int_ge(mem, 0);
	const char *s;
	ck_assert_int_eq(fdt_prop_string(b, mem, "device_type", &s), 0);
	ck_assert_str_eq(s, "memory");
	ck_assert_int_eq(fdt_reg(b, mem, 0, &addr, &len), 0);
	ck_assert_uint_eq(addr, 0x40000000);
	ck_assert_uint_eq(len, 64 * MiB);
	mem = fdt_path_offset(b, "/memory@100000000");
	ck_assert_int_ge(mem, 0);
	ck_assert_int_eq(fdt_reg(b, mem, 0, &addr, &len), 0);
	ck_assert_uint_eq(addr, 0x100000000ull);
	ck_assert_uint_eq(len, 2 * MiB);
	/* cpus: one node per vCPU, reg = MPIDR, enable-method psci */
	int cpus = fdt_path_offset(b, "/cpus");
	ck_assert_int_ge(cpus, 0);
	unsigned n = 0;
	for (int c = fdt_first_child(b, cpus); c >= 0; c = fdt_next_sibling(b, c), n++) {
		ck_assert_int_eq(fdt_reg(b, c, 0, &addr, &len), 0);
		ck_assert_uint_eq(addr, d.mpidr[n]);
		ck_assert_int_eq(fdt_prop_string(b, c, "enable-method", &s), 0);
		ck_assert_str_eq(s, "psci");
		ck_assert_int_eq(fdt_prop_string(b, c, "device_type", &s), 0);
		ck_assert_str_eq(s, "cpu");
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_int_ge(fdt_path_offset(b, "/cpus/cpu@100"), 0);
	/* psci: both compatibles, the method asked for */
	int psci = fdt_path_offset(b, "/psci");
	ck_assert(fdt_node_compatible(b, psci, "arm,psci-1.0"));
	ck_assert(fdt_node_compatible(b, psci, "arm,psci-0.2"));
	ck_assert_int_eq(fdt_prop_string(b, psci, "method", &s), 0);
	ck_assert_str_eq(s, "hvc");
	/* the GIC: distributor then one redistributor region, no maintenance interrupt */
	int gic = fdt_find_compatible(b, -1, "arm,gic-v3");
	ck_assert_int_ge(gic, 0);
	ck_assert_int_eq(fdt_reg(b, gic, 0, &addr, &len), 0);
	ck_assert_uint_eq(addr, 0x08000000);
	ck_assert_uint_eq(len, 0x10000);
	ck_assert_int_eq(fdt_reg(b, gic, 1, &addr, &len), 0);
	ck_assert_uint_eq(addr, 0x080A0000);
	ck_assert_uint_eq(len, 3 * 0x20000);
	ck_assert_int_eq(fdt_reg_count(b, gic), 2);
	ck_assert_ptr_null(fdt_get_prop(b, gic, "interrupts", NULL));
	ck_assert_ptr_nonnull(fdt_get_prop(b, gic, "interrupt-controller", NULL));
	/* the timer's four PPIs in the binding's order, as INTIDs */
	int timer = fdt_find_compatible(b, -1, "arm,armv8-timer");
	ck_assert_int_eq(fdt_irq_count(b, timer), 4);
	static const unsigned intid[4] = { 29, 30, 27, 26 };
	for (unsigned i = 0; i < 4; i++) {
		struct fdt_irq irq;
		ck_assert_int_eq(fdt_irq(b, timer, i, &irq), 0);
		ck_assert_uint_eq(irq.type, FDT_IRQ_PPI);
		ck_assert_uint_eq(irq.intid, intid[i]);
	}
	/* the UART: compatible, registers, SPI 1 = INTID 33, its clock */
	int uart = fdt_find_compatible(b, -1, "arm,pl011");
	ck_assert_int_ge(uart, 0);
	ck_assert_int_eq(fdt_reg(b, uart, 0, &addr, &len), 0);
	ck_assert_uint_eq(addr, 0x09000000);
	struct fdt_irq irq;
	ck_assert_int_eq(fdt_irq(b, uart, 0, &irq), 0);
	ck_assert_uint_eq(irq.intid, 33);
	uint32_t phandle;
	ck_assert_int_eq(fdt_prop_u32(b, fdt_find_compatible(b, -1, "fixed-clock"), "phandle",
				      &phandle), 0);
	ck_assert_uint_eq(phandle, GUEST_DTB_CLOCK_PHANDLE);
	/* /chosen */
	int chosen = fdt_path_offset(b, "/chosen");
	ck_assert_int_eq(fdt_prop_string(b, chosen, "bootargs", &s), 0);
	ck_assert_str_eq(s, d.bootargs);
	ck_assert_int_eq(fdt_prop_string(b, chosen, "stdout-path", &s), 0);
	ck_assert_str_eq(s, "/pl011@9000000");
	ck_assert_int_eq(fdt_path_offset(b, s), uart);
	size_t plen;
	const uint8_t *p = fdt_get_prop(b, chosen, "linux,initrd-start", &plen);
	ck_assert_uint_eq(plen, 8);
	ck_assert_uint_eq(p[4], 0x42);
	p = fdt_get_prop(b, chosen, "linux,initrd-end", &plen);
	ck_assert_uint_eq(plen, 8);
	ck_assert_uint_eq(((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16) | ((uint64_t)p[6] << 8) | p[7],
			  0x42012345);
	/* no seeds unless asked: a kernel's addresses stay where System.map says */
	ck_assert_ptr_null(fdt_get_prop(b, chosen, "kaslr-seed", NULL));
	ck_assert_ptr_null(fdt_get_prop(b, chosen, "rng-seed", NULL));
	/* and no boot count unless one is given */
	ck_assert_ptr_null(fdt_get_prop(b, chosen, "tandem,boot-count", NULL));
	free(b);
	d.boot_count = 0x01020304;
	b = write_heap(&d, 4096, &size, &err);
	ck_assert_int_eq(err, 0);
	p = fdt_get_prop(b, fdt_path_offset(b, "/chosen"), "tandem,boot-count", &plen);
	ck_assert_uint_eq(plen, 4);
	ck_assert_mem_eq(p, "\x01\x02\x03\x04", 4);
	free(b);
}
END_TEST

START_TEST(test_smc_seeds_and_no_uart)
{
	struct guest_dtb d = sample();
	d.psci_smc = true;
	d.has_uart = false;
	d.has_initrd = false;
	d.bootargs = NULL;
	d.has_kaslr_seed = true;
	d.kaslr_seed = 0x0123456789ABCDEFull;
	d.has_rng_seed = true;
	memset(d.rng_seed, 0x5A, sizeof(d.rng_seed));
	size_t size, len;
	int err;
	uint8_t *b = write_heap(&d, 8192, &size, &err);

	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(fdt_check(b, size), 0);
	const char *s;
	ck_assert_int_eq(fdt_prop_string(b, fdt_path_offset(b, "/psci"), "method", &s), 0);
	ck_assert_str_eq(s, "smc");
	ck_assert_int_eq(fdt_find_compatible(b, -1, "arm,pl011"), -ENOENT);
	int chosen = fdt_path_offset(b, "/chosen");
	ck_assert_ptr_null(fdt_get_prop(b, chosen, "bootargs", NULL));
	ck_assert_ptr_null(fdt_get_prop(b, chosen, "stdout-path", NULL));
	ck_assert_ptr_null(fdt_get_prop(b, chosen, "linux,initrd-start", NULL));
	const uint8_t *p = fdt_get_prop(b, chosen, "kaslr-seed", &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(p[0], 0x01);
	ck_assert_uint_eq(p[7], 0xEF);
	p = fdt_get_prop(b, chosen, "rng-seed", &len);
	ck_assert_uint_eq(len, 32);
	ck_assert_uint_eq(p[31], 0x5A);
	free(b);
}
END_TEST

START_TEST(test_every_short_buffer_is_enospc_and_never_overrun)
{
	struct guest_dtb d = sample();
	size_t size;
	int err;
	uint8_t *full = write_heap(&d, 8192, &size, &err);

	ck_assert_int_eq(err, 0);
	free(full);
	for (size_t cap = 0; cap < size; cap++) {
		size_t got = 12345;
		uint8_t *b = write_heap(&d, cap, &got, &err);
		ck_assert_int_eq(err, -ENOSPC);
		ck_assert_uint_eq(got, 12345); /* untouched on failure */
		free(b);
	}
	uint8_t *b = write_heap(&d, size, &size, &err);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(fdt_check(b, size), 0);
	free(b);
}
END_TEST

START_TEST(test_impossible_descriptions_are_einval)
{
	uint64_t buf[1024];
	size_t size;
	struct guest_dtb d = sample();

	ck_assert_int_eq(guest_dtb_write(NULL, buf, sizeof(buf), &size), -EINVAL);
	d.nmem = 0;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d = sample();
	d.nmem = GUEST_DTB_MAX_MEM + 1;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d = sample();
	d.ncpus = 0;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d.ncpus = GUEST_DTB_MAX_CPUS + 1;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d = sample();
	d.mem[1].size = 0;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	d = sample();
	d.mem[0].base = gpa_make(~0ull - 4095);
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL); /* wraps */
	d = sample();
	d.initrd_end = gpa_make(0x41000000);
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	static char huge[GUEST_DTB_ARGS_MAX + 1];
	memset(huge, 'a', GUEST_DTB_ARGS_MAX);
	d = sample();
	d.bootargs = huge;
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), -EINVAL);
	huge[GUEST_DTB_ARGS_MAX - 1] = '\0'; /* the longest that fits */
	ck_assert_int_eq(guest_dtb_write(&d, buf, sizeof(buf), &size), 0);
	ck_assert_int_eq(fdt_check(buf, size), 0);
	/* an unaligned buffer */
	ck_assert_int_eq(guest_dtb_write(&d, (uint8_t *)buf + 4, sizeof(buf) - 4, &size), -EINVAL);
}
END_TEST

START_TEST(test_writer_refuses_misuse)
{
	uint64_t buf[256];
	struct fdt_writer w;
	size_t size;

	/* a property outside any node; then nothing else counts */
	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_prop_u32(&w, "x", 1);
	fdt_write_begin_node(&w, "");
	fdt_write_end_node(&w);
	ck_assert_int_eq(fdt_write_finish(&w, &size), -EINVAL);
	/* a property after a subnode */
	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_begin_node(&w, "");
	fdt_write_begin_node(&w, "a");
	fdt_write_end_node(&w);
	fdt_write_prop_u32(&w, "late", 1);
	fdt_write_end_node(&w);
	ck_assert_int_eq(fdt_write_finish(&w, &size), -EINVAL);
	/* a node left open, a root with a name, a bad name, two roots */
	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_begin_node(&w, "");
	ck_assert_int_eq(fdt_write_finish(&w, &size), -EINVAL);
	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_begin_node(&w, "root");
	ck_assert_int_eq(fdt_write_finish(&w, &size), -EINVAL);
	const char *bad[] = { "", "a b", "a/b", "@1", "abcdefghijklmnopqrstuvwxyz0123456789" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fdt_write_init(&w, buf, sizeof(buf));
		fdt_write_begin_node(&w, "");
		fdt_write_begin_node(&w, bad[i]);
		ck_assert_msg(fdt_write_finish(&w, &size) == -EINVAL, "name \"%s\"", bad[i]);
	}
	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_begin_node(&w, "");
	fdt_write_end_node(&w);
	fdt_write_begin_node(&w, "");
	ck_assert_int_eq(fdt_write_finish(&w, &size), -EINVAL);
	/* an end without a begin, nesting beyond the reader's depth */
	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_end_node(&w);
	ck_assert_int_eq(fdt_write_finish(&w, &size), -EINVAL);
	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_begin_node(&w, "");
	for (int i = 1; i < FDT_MAX_DEPTH + 1; i++)
		fdt_write_begin_node(&w, "n");
	ck_assert_int_eq(fdt_write_finish(&w, &size), -EINVAL);
	/* the deepest tree the reader takes is written and read */
	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_begin_node(&w, "");
	for (int i = 1; i < FDT_MAX_DEPTH; i++)
		fdt_write_begin_node(&w, "n");
	for (int i = 0; i < FDT_MAX_DEPTH; i++)
		fdt_write_end_node(&w);
	ck_assert_int_eq(fdt_write_finish(&w, &size), 0);
	ck_assert_int_eq(fdt_check(buf, size), 0);
}
END_TEST

START_TEST(test_property_names_are_shared_and_values_kept_exactly)
{
	uint64_t buf[256];
	struct fdt_writer w;
	size_t size, len;
	static const uint8_t odd[5] = { 1, 2, 3, 4, 5 };

	fdt_write_init(&w, buf, sizeof(buf));
	fdt_write_begin_node(&w, "");
	fdt_write_prop(&w, "odd", odd, sizeof(odd));
	fdt_write_begin_node(&w, "a@1");
	fdt_write_prop(&w, "odd", odd, 3);
	fdt_write_prop_empty(&w, "flag");
	fdt_write_end_node(&w);
	fdt_write_end_node(&w);
	ck_assert_int_eq(fdt_write_finish(&w, &size), 0);
	ck_assert_int_eq(fdt_check(buf, size), 0);
	const uint8_t *p = fdt_get_prop(buf, fdt_root(buf), "odd", &len);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(p, odd, 5);
	int a = fdt_path_offset(buf, "/a@1");
	p = fdt_get_prop(buf, a, "odd", &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(p, odd, 3);
	ck_assert_ptr_nonnull(fdt_get_prop(buf, a, "flag", &len));
	ck_assert_uint_eq(len, 0);
	/* "odd" and "flag" once each in the strings block: 4 + 5 bytes */
	const uint8_t *h = (const uint8_t *)buf;
	ck_assert_uint_eq(((uint32_t)h[32] << 24) | ((uint32_t)h[33] << 16) | ((uint32_t)h[34] << 8) | h[35], 9);
}
END_TEST

/* tools: write the sample tree to argv's file for the dtc test (tests/meson.build). */
Suite *test_suite(void)
{
	Suite *s = suite_create("guest_dtb");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_the_guest_tree_reads_back_as_configured);
	tcase_add_test(tc, test_smc_seeds_and_no_uart);
	tcase_add_test(tc, test_every_short_buffer_is_enospc_and_never_overrun);
	tcase_add_test(tc, test_impossible_descriptions_are_einval);
	tcase_add_test(tc, test_writer_refuses_misuse);
	tcase_add_test(tc, test_property_names_are_shared_and_values_kept_exactly);
	tcase_add_test(tc, test_the_riscv_tree_describes_the_riscv_virt_board);
	tcase_add_test(tc, test_impossible_riscv_descriptions_are_einval);
	tcase_add_test(tc, test_the_riscv_tree_holds_sixteen_harts);
	suite_add_tcase(s, tc);
	return s;
}
