/* tools/scn2c: the vm_plan it generates from tests/scenarios/scn2c.scn, compiled into
 * this program, holds every VM as the scenario declares it, with the guest image's
 * bytes (tests/data/scn2c-guest.bin, read here again) and its resolved address. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/vmset.h"
#include "tests/check_main.h"

/* Defined by the generated file. */
extern const struct vm_plan tandem_plan;

#define IMAGE_SIZE 40

static uint8_t image[IMAGE_SIZE];

static void read_test_image(void)
{
	FILE *f = fopen(SCN2C_IMAGE, "rb");
	uint8_t extra;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(image, 1, sizeof(image), f), IMAGE_SIZE);
	ck_assert_uint_eq(fread(&extra, 1, 1, f), 0);
	fclose(f);
	/* MOVZ X0, #0x900, LSL #16: the first instruction, little-endian. */
	ck_assert_uint_eq(image[0] | image[1] << 8 | image[2] << 16 | (uint32_t)image[3] << 24,
			  0xD2A12000u);
}

static void assert_mem(const struct vm_mem_config *m, uint64_t gpa, uint64_t size, unsigned flags,
		       enum as_backend backend, uint64_t hpa)
{
	ck_assert_uint_eq(gpa_bits(m->gpa), gpa);
	ck_assert_uint_eq(m->size, size);
	ck_assert_uint_eq(m->flags, flags);
	ck_assert_uint_eq(m->backend, backend);
	ck_assert_uint_eq(pa_bits(m->hpa), hpa);
}

static void assert_image(const struct vm_spec *s, uint64_t addr)
{
	ck_assert_ptr_nonnull(s->image);
	ck_assert_uint_eq(s->image_size, IMAGE_SIZE);
	ck_assert_mem_eq(s->image, image, IMAGE_SIZE);
	ck_assert_uint_eq(gpa_bits(s->image_addr), addr);
}

START_TEST(test_plan_keeps_the_scheduling)
{
	ck_assert_uint_eq(tandem_plan.mode, SCHED_TIMESHARED);
	ck_assert_uint_eq(tandem_plan.slice_ns, 500000);
	ck_assert_uint_eq(tandem_plan.pcpus, 2);
	ck_assert_uint_eq(tandem_plan.nvms, 4);
	ck_assert_ptr_nonnull(tandem_plan.vms);
}
END_TEST

START_TEST(test_vm_with_defaults_gets_its_image_at_the_first_region)
{
	const struct vm_spec *s = &tandem_plan.vms[0];
	const struct vm_config *c = &s->cfg;

	read_test_image();
	ck_assert_str_eq(c->name, "alpha");
	ck_assert_uint_eq(c->nvcpus, 2);
	ck_assert_uint_eq(c->affinity[0], 0x1);
	ck_assert_uint_eq(c->affinity[1], 0x6);
	ck_assert_uint_eq(c->affinity[2], 0);
	ck_assert_uint_eq(gpa_bits(c->entry), 0x40000000);
	ck_assert_uint_eq(c->entry_arg, 0);
	ck_assert_uint_eq(c->nmem, 2);
	assert_mem(&c->mem[0], 0x40000000, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, 0);
	assert_mem(&c->mem[1], 0x40100000, 1 << 20, PT_R | PT_W, AS_ALLOC_LAZY, 0);
	ck_assert_uint_eq(c->ndevices, 0);
	ck_assert(!c->mmio_raz_wi);
	ck_assert(s->has_pl011);
	ck_assert_uint_eq(gpa_bits(s->pl011_base), 0x09000000);
	ck_assert_uint_eq(s->pl011_irq, 33);
	assert_image(s, 0x40000000);
}
END_TEST

START_TEST(test_vm_with_every_option_keeps_them)
{
	const struct vm_spec *s = &tandem_plan.vms[1];
	const struct vm_config *c = &s->cfg;

	read_test_image();
	ck_assert_str_eq(c->name, "beta");
	ck_assert_uint_eq(c->nvcpus, 1);
	ck_assert_uint_eq(c->affinity[0], 0);
	ck_assert_uint_eq(gpa_bits(c->entry), 0x48001000);
	ck_assert_uint_eq(c->nmem, 2);
	assert_mem(&c->mem[0], 0x48000000, 2 << 20, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, 0);
	assert_mem(&c->mem[1], 0x50000000, 4096, PT_R | PT_DEVICE, AS_LINEAR, 0x90000000);
	ck_assert(c->mmio_raz_wi);
	ck_assert(s->has_pl011);
	ck_assert_uint_eq(s->pl011_irq, 40);
	assert_image(s, 0x481fffd8); /* the region's last 40 bytes */
}
END_TEST

START_TEST(test_image_address_defaults_to_the_entry_and_names_are_escaped)
{
	const struct vm_spec *s = &tandem_plan.vms[2];
	const struct vm_config *c = &s->cfg;

	read_test_image();
	ck_assert_str_eq(c->name, "gamma\"?\?=");
	ck_assert_uint_eq(gpa_bits(c->entry), 0x60000800);
	ck_assert_uint_eq(c->nmem, 1);
	assert_mem(&c->mem[0], 0x60000000, 64 * 1024, PT_R | PT_W | PT_X, AS_IDENTITY, 0);
	ck_assert(!s->has_pl011);
	assert_image(s, 0x60000800);
	ck_assert_ptr_ne(s->image, tandem_plan.vms[0].image); /* one array per VM */
}
END_TEST

/* A riscv64 VM's NS16550A (its base and PLIC source) and its device tree's address. */
START_TEST(test_riscv_vm_keeps_its_ns16550)
{
	const struct vm_spec *s = &tandem_plan.vms[3];

	ck_assert_str_eq(s->cfg.name, "delta");
	ck_assert(!s->has_pl011);
	ck_assert(s->has_ns16550);
	ck_assert_uint_eq(gpa_bits(s->ns16550_base), 0x10000000);
	ck_assert_uint_eq(s->ns16550_irq, 12);
	ck_assert(s->boot.has_dtb_at);
	ck_assert_uint_eq(gpa_bits(s->boot.dtb_at), 0x80008000);
	ck_assert_uint_eq(gpa_bits(s->cfg.entry), 0x80000000);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("scn2c");
	TCase *tc = tcase_create("scn2c");

	tcase_add_test(tc, test_plan_keeps_the_scheduling);
	tcase_add_test(tc, test_vm_with_defaults_gets_its_image_at_the_first_region);
	tcase_add_test(tc, test_vm_with_every_option_keeps_them);
	tcase_add_test(tc, test_image_address_defaults_to_the_entry_and_names_are_escaped);
	tcase_add_test(tc, test_riscv_vm_keeps_its_ns16550);
	suite_add_tcase(s, tc);
	return s;
}
