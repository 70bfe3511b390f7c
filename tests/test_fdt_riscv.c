/* fdt_riscv: the RISC-V board as the bare-metal HAL reads it. riscv-virt.dtb is built
 * by dtc from tests/data/riscv-virt.dts (modeled on QEMU's riscv64 virt board, with
 * sparse hart ids and an M-mode-only hart); the expected values are read off that
 * source by hand. qemu-virt.dtb (QEMU's aarch64 virt board) has none of the RISC-V
 * parts. Every blob sits in a heap buffer of exactly its size, so ASan reports any read
 * past it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fdt.h"
#include "hal/err.h"
#include "tests/check_main.h"

#ifndef FDT_DATA_DIR
#error "FDT_DATA_DIR must name tests/data (tests/meson.build passes it)"
#endif
#ifndef FDT_RISCV_DTB
#error "FDT_RISCV_DTB must name the riscv-virt.dtb dtc built (tests/meson.build passes it)"
#endif

static uint8_t *load(const char *path, size_t *size)
{
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

START_TEST(test_riscv_virt_harts_plic_contexts_uart_and_timebase)
{
	size_t size;
	uint8_t *b = load(FDT_RISCV_DTB, &size);
	struct fdt_riscv rv;

	ck_assert_int_eq(fdt_check(b, size), 0);
	ck_assert_int_eq(fdt_riscv(b, &rv), 0);
	ck_assert_uint_eq(rv.timebase_hz, 10000000);
	ck_assert_uint_eq(rv.ncpus, 3);
	ck_assert_uint_eq(rv.hartid[0], 0);
	ck_assert_uint_eq(rv.hartid[1], 1);
	ck_assert_uint_eq(rv.hartid[2], 3);
	/* interrupts-extended: 0 hart 0 M, 1 hart 0 S, 2 hart 3 M, 3 hart 1 M, 4 hart 1 S */
	ck_assert_uint_eq(rv.plic_s_context[0], 1);
	ck_assert_uint_eq(rv.plic_s_context[1], 4);
	ck_assert_uint_eq(rv.plic_s_context[2], FDT_RISCV_NO_CONTEXT);
	ck_assert(rv.uart_present);
	ck_assert_uint_eq(rv.uart.base, 0x10000000);
	ck_assert_uint_eq(rv.uart.size, 0x100);
	ck_assert(rv.plic_present);
	ck_assert_uint_eq(rv.plic.base, 0xc000000);
	ck_assert_uint_eq(rv.plic.size, 0x600000);
	ck_assert_uint_eq(rv.plic_ndev, 0x60);
	free(b);
}
END_TEST

/* What the HAL takes from fdt_platform on the same blob: RAM, OpenSBI's reservation,
 * the harts in the same order, the boot arguments. */
START_TEST(test_riscv_virt_platform_memory_reserved_and_cpus)
{
	size_t size;
	uint8_t *b = load(FDT_RISCV_DTB, &size);
	struct fdt_platform p;

	ck_assert_int_eq(fdt_platform(b, size, &p), 0);
	ck_assert_uint_eq(p.nmem, 1);
	ck_assert_uint_eq(p.mem[0].base, 0x80000000);
	ck_assert_uint_eq(p.mem[0].size, 0x10000000);
	ck_assert_uint_eq(p.nreserved, 1);
	ck_assert_uint_eq(p.reserved[0].base, 0x80000000);
	ck_assert_uint_eq(p.reserved[0].size, 0x80000);
	ck_assert_uint_eq(p.ncpus, 3);
	ck_assert_uint_eq(p.mpidr[2], 3);
	ck_assert(!p.uart_present && !p.gic_present);
	ck_assert_str_eq(p.bootargs, "selftest");
	free(b);
}
END_TEST

START_TEST(test_aarch64_virt_has_no_riscv_parts)
{
	size_t size;
	uint8_t *b = load(FDT_DATA_DIR "/qemu-virt.dtb", &size);
	struct fdt_riscv rv;

	ck_assert_int_eq(fdt_check(b, size), 0);
	ck_assert_int_eq(fdt_riscv(b, &rv), 0);
	ck_assert(!rv.uart_present && !rv.plic_present);
	ck_assert_uint_eq(rv.timebase_hz, 0);
	ck_assert_uint_eq(rv.ncpus, 4);
	ck_assert_uint_eq(rv.plic_s_context[0], FDT_RISCV_NO_CONTEXT);
	free(b);
}
END_TEST

/* A PLIC whose interrupts-extended names a phandle no node has is malformed, and
 * leaves *out all zero. */
START_TEST(test_plic_naming_no_interrupt_controller_is_rejected)
{
	size_t size, len;
	uint8_t *b = load(FDT_RISCV_DTB, &size);
	struct fdt_riscv rv;

	ck_assert_int_eq(fdt_check(b, size), 0);
	int plic = fdt_find_compatible(b, -1, "riscv,plic0");
	ck_assert_int_ge(plic, 0);
	const uint8_t *prop = fdt_get_prop(b, plic, "interrupts-extended", &len);
	ck_assert_ptr_nonnull(prop);
	ck_assert_uint_eq(len, 40); /* five contexts of (phandle, interrupt) */
	uint8_t *cell = b + (prop - b) + 16; /* context 2's phandle (hart 3's) */
	memcpy(cell, (const uint8_t[4]){ 0, 0, 0x7F, 0x7F }, 4); /* no such node */
	ck_assert_int_eq(fdt_riscv(b, &rv), -EINVAL);
	ck_assert(!rv.plic_present && !rv.ncpus);
	free(b);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("fdt_riscv");
	TCase *tc = tcase_create("fdt_riscv");

	tcase_add_test(tc, test_riscv_virt_harts_plic_contexts_uart_and_timebase);
	tcase_add_test(tc, test_riscv_virt_platform_memory_reserved_and_cpus);
	tcase_add_test(tc, test_aarch64_virt_has_no_riscv_parts);
	tcase_add_test(tc, test_plic_naming_no_interrupt_controller_is_rejected);
	suite_add_tcase(s, tc);
	return s;
}
