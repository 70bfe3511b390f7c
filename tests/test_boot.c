/* The arm64 boot protocol: where core/boot.c places a kernel, an initrd and a device
 * tree (expected addresses worked out from Documentation/arch/arm64/booting.rst), and
 * what a set of VMs (core/vmset.c) loads from them: the images in guest memory, the
 * device tree at x0 with what the VM was configured with, vCPU 0 at the kernel, and
 * the reset that loads them again. */
#include <check.h>
#include <string.h>

#include "core/boot.h"
#include "core/fdt.h"
#include "core/frame.h"
#include "core/guest_dtb.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vmset.h"
#include "hal/err.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define RAM 0x40000000ull

static size_t baseline;

/* A kernel file of size bytes with an Image header (or none: raw). */
static void make_kernel(uint8_t *k, size_t size, bool header, uint64_t text_offset,
			uint64_t image_size, uint64_t flags)
{
	memset(k, 0xAB, size);
	if (!header)
		return;
	memset(k, 0, 64);
	for (unsigned i = 0; i < 8; i++) {
		k[8 + i] = (uint8_t)(text_offset >> (8 * i));
		k[16 + i] = (uint8_t)(image_size >> (8 * i));
		k[24 + i] = (uint8_t)(flags >> (8 * i));
	}
	memcpy(k + 56, "ARM\x64", 4);
}

START_TEST(test_a_kernel_declaring_more_than_its_file_keeps_that_span)
{
	/* Debian's arm64 kernel: text_offset 0, image_size 0x1ab0000, a smaller file. */
	static uint8_t k[4096];
	struct boot_layout l;

	make_kernel(k, sizeof(k), true, 0, 0x1ab0000, 0xA);
	ck_assert_int_eq(boot_place(k, sizeof(k), 5000, 4096, gpa_make(RAM), 64 * MiB, &l, NULL, 0),
			 0);
	ck_assert_uint_eq(gpa_bits(l.kernel), RAM);
	ck_assert_uint_eq(l.kernel_span, 0x1ab0000);
	ck_assert_uint_eq(gpa_bits(l.initrd), RAM + 0x1ab0000); /* nothing inside image_size */
	ck_assert_uint_eq(l.initrd_size, 5000);
	ck_assert_uint_eq(gpa_bits(l.dtb), RAM + 0x1ab0000 + 0x2000); /* the next page */
}
END_TEST

START_TEST(test_header_rules_text_offset_2m_base_and_old_kernels)
{
	static uint8_t k[8192];
	struct boot_layout l;

	/* RAM not 2 MiB aligned: the kernel goes to the next 2 MiB boundary + text_offset */
	make_kernel(k, sizeof(k), true, 0x80000, 0x200000, 0x2);
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 4096, gpa_make(RAM + 0x100000), 16 * MiB, &l,
				    NULL, 0), 0);
	ck_assert_uint_eq(gpa_bits(l.kernel), RAM + 0x200000 + 0x80000);
	ck_assert_uint_eq(gpa_bits(l.dtb), RAM + 0x200000 + 0x80000 + 0x200000);
	/* image_size 0 (before 3.17): text_offset is 0x80000 whatever the field says */
	make_kernel(k, sizeof(k), true, 0x12345, 0, 0);
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 4096, gpa_make(RAM), 16 * MiB, &l, NULL, 0), 0);
	ck_assert_uint_eq(gpa_bits(l.kernel), RAM + 0x80000);
	ck_assert_uint_eq(l.kernel_span, sizeof(k));
	/* no header: a raw image at RAM base + 0x80000, as QEMU's -kernel */
	make_kernel(k, sizeof(k), false, 0, 0, 0);
	ck_assert(!boot_read_header(k, sizeof(k)).present);
	ck_assert_int_eq(boot_place(k, 100, 0, 0, gpa_make(RAM), 16 * MiB, &l, NULL, 0), 0);
	ck_assert_uint_eq(gpa_bits(l.kernel), RAM + 0x80000);
	ck_assert_uint_eq(l.kernel_span, 100);
	/* a file shorter than the header is raw too */
	make_kernel(k, sizeof(k), true, 0, 0x200000, 0);
	ck_assert(!boot_read_header(k, 63).present);
}
END_TEST

START_TEST(test_the_dtb_never_crosses_a_2m_boundary)
{
	static uint8_t k[4096];
	struct boot_layout l;

	/* kernel span to RAM + 0x1FF000: a 64 KiB tree on the next page would cross */
	make_kernel(k, sizeof(k), true, 0, 0x1FF000, 0);
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 0x10000, gpa_make(RAM), 16 * MiB, &l, NULL, 0),
			 0);
	ck_assert_uint_eq(gpa_bits(l.dtb), RAM + 0x200000);
	/* one that fits before the boundary stays */
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 0x1000, gpa_make(RAM), 16 * MiB, &l, NULL, 0),
			 0);
	ck_assert_uint_eq(gpa_bits(l.dtb), RAM + 0x1FF000);
}
END_TEST

START_TEST(test_what_cannot_boot_is_refused_with_a_reason)
{
	static uint8_t k[4096];
	struct boot_layout l;
	char why[BOOT_WHY_MAX];

	make_kernel(k, sizeof(k), true, 0, 0x1ab0000, 0);
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 4096, gpa_make(RAM), 16 * MiB, &l, why,
				    sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "too small for its kernel"));
	make_kernel(k, sizeof(k), true, 0, 0x100000, 0);
	ck_assert_int_eq(boot_place(k, sizeof(k), 15 * MiB + 1, 4096, gpa_make(RAM), 16 * MiB, &l, why,
				    sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "too small for its initrd"));
	ck_assert_int_eq(boot_place(k, sizeof(k), 14 * MiB, 2 * MiB, gpa_make(RAM), 16 * MiB, &l,
				    why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "too small for its device tree"));
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 2 * MiB + 8, gpa_make(RAM), 16 * MiB, &l, why,
				    sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "device tree of"));
	make_kernel(k, sizeof(k), true, 0, 0x100000, 1); /* big-endian */
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 4096, gpa_make(RAM), 16 * MiB, &l, why,
				    sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "big-endian"));
	ck_assert_int_eq(boot_place(k, 0, 0, 4096, gpa_make(RAM), 16 * MiB, &l, why, sizeof(why)),
			 -EINVAL);
	/* the initrd must lie in the 32 GiB window from the kernel's 1 GiB boundary */
	make_kernel(k, sizeof(k), true, 0, 0x100000, 0);
	ck_assert_int_eq(boot_place(k, sizeof(k), 32 * GiB, 4096, gpa_make(RAM), 40 * GiB, &l, why,
				    sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "32 GiB window"));
	/* a hostile header: offsets and sizes that wrap the address space */
	make_kernel(k, sizeof(k), true, ~0ull - 0xFFF, 0x100000, 0);
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 4096, gpa_make(RAM), 16 * MiB, &l, why,
				    sizeof(why)), -EINVAL);
	make_kernel(k, sizeof(k), true, 0, ~0ull - 0xFFF, 0);
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 4096, gpa_make(RAM), 16 * MiB, &l, why,
				    sizeof(why)), -EINVAL);
	make_kernel(k, sizeof(k), true, 0, 0x100000, 0);
	ck_assert_int_eq(boot_place(k, sizeof(k), ~(size_t)0 - 10, 4096, gpa_make(RAM), 16 * MiB, &l,
				    why, sizeof(why)), -EINVAL);
	/* RAM that wraps */
	ck_assert_int_eq(boot_place(k, sizeof(k), 0, 4096, gpa_make(~0ull - MiB), 16 * MiB, &l, why,
				    sizeof(why)), -EINVAL);
}
END_TEST

static struct vm_config boot_config(void)
{
	struct vm_config cfg = {
		.name = "boot", .nvcpus = 2, .nmem = 2,
		.mem = { { { 0x09010000 }, 0x1000, PT_R | PT_W | PT_DEVICE, AS_IDENTITY, { 0 } },
			 { { RAM }, 6 * MiB, PT_R | PT_W | PT_X, AS_ALLOC_LAZY, { 0 } } },
		.reboots = 1,
	};
	return cfg;
}

/* /chosen/tandem,boot-count of the tree at buf; 0 if it is not there. */
static uint32_t chosen_boot_count(const void *tree)
{
	size_t len;
	const uint8_t *p = fdt_get_prop(tree, fdt_path_offset(tree, "/chosen"),
					"tandem,boot-count", &len);

	if (!p || len != 4)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The first RAM region gets the kernel; vCPU 0 starts there with x0 = the tree, which
 * describes the VM; the initrd is where the tree says. */
START_TEST(test_a_set_boots_a_kernel_with_its_tree_in_x0)
{
	static uint8_t k[6000], initrd[3000], back[6000];
	struct vm_spec spec = { .cfg = boot_config(), .has_pl011 = true,
				.pl011_base = { 0x09000000 }, .pl011_irq = 33 };
	struct vmset set;

	make_kernel(k, sizeof(k), true, 0x80000, 0x400000, 0xA);
	memset(initrd, 0x17, sizeof(initrd));
	spec.boot = (struct vm_boot_spec){ .kernel = k, .kernel_size = sizeof(k), .initrd = initrd,
					   .initrd_size = sizeof(initrd),
					   .bootargs = "console=ttyAMA0 quiet", .psci_smc = true };
	ck_assert_int_eq(vmset_build(&set, &spec, 1, NULL, NULL), 0);
	struct vm *vm = set.vms[0];
	const uint64_t kernel = RAM + 0x80000, rd = kernel + 0x400000, dtb = rd + 0x1000;
	ck_assert_int_eq(as_read(&vm->as, gpa_make(kernel), back, sizeof(k)), 0);
	ck_assert_mem_eq(back, k, sizeof(k));
	ck_assert_int_eq(as_read(&vm->as, gpa_make(rd), back, sizeof(initrd)), 0);
	ck_assert_mem_eq(back, initrd, sizeof(initrd));
	ck_assert_uint_eq(gpa_bits(vm->vcpus[0].boot_entry), kernel);
	ck_assert_uint_eq(vm->vcpus[0].boot_arg, dtb);
	ck_assert_uint_eq(arch_vcpu_get_gpr(&vm->vcpus[0].arch, 0), dtb);
	for (unsigned r = 1; r < 4; r++)
		ck_assert_uint_eq(arch_vcpu_get_gpr(&vm->vcpus[0].arch, r), 0);
	static uint8_t tree[VMSET_DTB_RESERVE];
	ck_assert_int_eq(as_read(&vm->as, gpa_make(dtb), tree, sizeof(tree)), 0);
	ck_assert_int_eq(fdt_check(tree, sizeof(tree)), 0);
	const char *s;
	int chosen = fdt_path_offset(tree, "/chosen");
	ck_assert_int_eq(fdt_prop_string(tree, chosen, "bootargs", &s), 0);
	ck_assert_str_eq(s, "console=ttyAMA0 quiet");
	size_t len;
	const uint8_t *p = fdt_get_prop(tree, chosen, "linux,initrd-start", &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(((uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 | (uint64_t)p[6] << 8 | p[7]),
			  rd);
	ck_assert_int_eq(fdt_prop_string(tree, fdt_path_offset(tree, "/psci"), "method", &s), 0);
	ck_assert_str_eq(s, "smc");
	/* memory: the RAM region only, not the device one */
	uint64_t a, sz;
	int mem = fdt_path_offset(tree, "/memory@40000000");
	ck_assert_int_eq(fdt_reg(tree, mem, 0, &a, &sz), 0);
	ck_assert_uint_eq(sz, 6 * MiB);
	ck_assert_int_eq(fdt_path_offset(tree, "/memory@9010000"), -ENOENT);
	/* two cpus with the vCPUs' MPIDRs, the UART's SPI */
	ck_assert_int_ge(fdt_path_offset(tree, "/cpus/cpu@1"), 0);
	struct fdt_irq irq;
	ck_assert_int_eq(fdt_irq(tree, fdt_find_compatible(tree, -1, "arm,pl011"), 0, &irq), 0);
	ck_assert_uint_eq(irq.intid, 33);
	ck_assert_uint_eq(chosen_boot_count(tree), 1);
	ck_assert_int_eq(vmset_destroy(&set), 0);
}
END_TEST

START_TEST(test_a_users_dtb_goes_in_as_it_is_and_a_bad_one_is_refused)
{
	static uint8_t k[100], tree[4096], back[4096];
	struct vm_spec spec = { .cfg = boot_config() };
	struct vmset set;
	struct vm_refusal why;
	size_t size;

	make_kernel(k, sizeof(k), false, 0, 0, 0);
	struct guest_dtb d = { .nmem = 1, .mem = { { { RAM }, MiB } }, .ncpus = 1,
			       .gicd = { 1 }, .gicd_size = 1, .gicr = { 2 }, .gicr_size = 1 };
	ck_assert_int_eq(guest_dtb_write(&d, tree, sizeof(tree), &size), 0);
	spec.boot = (struct vm_boot_spec){ .kernel = k, .kernel_size = sizeof(k), .dtb = tree,
					   .dtb_size = size };
	ck_assert_int_eq(vmset_build(&set, &spec, 1, NULL, &why), 0);
	uint64_t dtb = set.vms[0]->vcpus[0].boot_arg;
	ck_assert_uint_eq(dtb, RAM + 0x80000 + 0x1000); /* raw at 0x80000, then a page */
	ck_assert_int_eq(as_read(&set.vms[0]->as, gpa_make(dtb), back, size), 0);
	ck_assert_mem_eq(back, tree, size);
	ck_assert_int_eq(vmset_destroy(&set), 0);
	tree[0] ^= 0xFF; /* no longer a DTB */
	ck_assert_int_eq(vmset_build(&set, &spec, 1, NULL, &why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why.why, "device tree"));
	ck_assert_uint_eq(vm_count(), 0);
	/* and a VM without RAM it can boot in */
	spec.boot.dtb = NULL;
	spec.cfg.nmem = 1;
	ck_assert_int_eq(vmset_build(&set, &spec, 1, NULL, &why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why.why, "no read-write RAM"));
	/* or too little */
	spec.cfg = boot_config();
	spec.cfg.mem[1].size = 0x80000;
	ck_assert_int_eq(vmset_build(&set, &spec, 1, NULL, &why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why.why, "too small for its kernel"));
	ck_assert_uint_eq(vm_count(), 0);
}
END_TEST

/* A reset from outside (vm_reset) runs the set's reload: RAM zeroed and the lazy
 * frames given back, the images loaded again. */
START_TEST(test_a_reset_loads_the_images_again_and_returns_lazy_memory)
{
	static uint8_t k[5000], back[5000];
	static const uint8_t junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct vm_spec spec = { .cfg = boot_config() };
	struct vmset set;

	make_kernel(k, sizeof(k), true, 0, 0x200000, 0);
	spec.boot = (struct vm_boot_spec){ .kernel = k, .kernel_size = sizeof(k) };
	ck_assert_int_eq(vmset_build(&set, &spec, 1, NULL, NULL), 0);
	struct vm *vm = set.vms[0];
	size_t loaded = vm->frames.in_use;
	/* the guest scribbles over its kernel and touches far memory */
	ck_assert_int_eq(as_write(&vm->as, gpa_make(RAM + 100), junk, sizeof(junk)), 0);
	ck_assert_int_eq(as_write(&vm->as, gpa_make(RAM + 5 * MiB), junk, sizeof(junk)), 0);
	ck_assert_uint_gt(vm->frames.in_use, loaded);
	vmset_start(&set);
	ck_assert_int_eq(vm_reset(vm), 0);
	ck_assert_uint_eq(vm->resets, 1);
	ck_assert_int_eq(as_read(&vm->as, gpa_make(RAM), back, sizeof(k)), 0);
	ck_assert_mem_eq(back, k, sizeof(k));
	uint64_t far = 1;
	paddr_t pa;
	ck_assert_int_eq(as_translate(&vm->as, gpa_make(RAM + 5 * MiB), &pa, NULL), -ENOENT);
	ck_assert_int_eq(as_read(&vm->as, gpa_make(RAM + 5 * MiB), &far, sizeof(far)), 0);
	ck_assert_uint_eq(far, 0);
	/* the tree written again, telling the guest this is its second boot */
	static uint8_t tree[VMSET_DTB_RESERVE];
	ck_assert_int_eq(as_read(&vm->as, gpa_make(vm->vcpus[0].boot_arg), tree, sizeof(tree)), 0);
	ck_assert_uint_eq(chosen_boot_count(tree), 2);
	ck_assert_int_eq(vm_reset(vm), 0);
	ck_assert_int_eq(as_read(&vm->as, gpa_make(vm->vcpus[0].boot_arg), tree, sizeof(tree)), 0);
	ck_assert_uint_eq(chosen_boot_count(tree), 3);
	vmset_stop(&set, VM_STOP_REQUESTED);
	ck_assert_int_eq(vmset_destroy(&set), 0);
}
END_TEST

/* A started set of one VM booting a 100-byte raw kernel that may reboot reboots times;
 * spec must stay until the set is destroyed. */
static struct vm *start_raw_kernel(struct vm_spec *spec, struct vmset *set, uint32_t reboots)
{
	static uint8_t k[100];

	make_kernel(k, sizeof(k), false, 0, 0, 0);
	*spec = (struct vm_spec){ .cfg = boot_config() };
	spec->boot = (struct vm_boot_spec){ .kernel = k, .kernel_size = sizeof(k) };
	spec->cfg.reboots = reboots;
	ck_assert_int_eq(vmset_build(set, spec, 1, NULL, NULL), 0);
	vmset_start(set);
	return set->vms[0];
}

/* SYSTEM_RESET from the guest: reboots while the VM may (vm_config.reboots), then
 * stops it, and a second request while one is pending is the same reset. */
START_TEST(test_system_reset_reboots_as_often_as_configured_then_stops)
{
	struct vm_spec spec;
	struct vmset set;
	struct vm *vm = start_raw_kernel(&spec, &set, 1);

	/* vCPU 0 is queued, on no pCPU: the request finds every vCPU off and resets now */
	ck_assert_int_eq(vm_request_reset(vm), 0);
	ck_assert_uint_eq(vm->resets, 1);
	ck_assert_uint_eq(vm->state, VM_RUNNING);
	ck_assert_uint_eq(vm->reboots_left, 0);
	ck_assert(!vm_vcpu_stopped(vm, 0)); /* released, runnable again */
	ck_assert_int_eq(vm_request_reset(vm), 0);
	ck_assert_uint_eq(vm->resets, 1);
	ck_assert_uint_eq(vm->state, VM_STOPPED);
	ck_assert_uint_eq(vm->stop_reason, VM_STOP_SYSTEM_RESET);
	ck_assert_int_eq(vm_request_reset(vm), -EPERM);
	ck_assert_int_eq(vmset_destroy(&set), 0);
}
END_TEST

/* While a reset waits for a vCPU to leave its pCPU, another request is the same reset:
 * it uses up no reboot; the put of the last vCPU carries it out. */
START_TEST(test_a_request_while_a_reset_is_pending_is_the_same_reset)
{
	struct vm_spec spec;
	struct vmset set;
	struct vm *vm = start_raw_kernel(&spec, &set, 2);
	struct vcpu *v = vm_vcpu(vm, 0);

	ck_assert_int_eq(vcpu_load(v), 0); /* vCPU 0 on this pCPU, as if running */
	ck_assert_int_eq(vm_request_reset(vm), 0);
	ck_assert_uint_eq(vm->reset_pending, 1);
	ck_assert_uint_eq(vm->reboots_left, 1);
	ck_assert_uint_eq(vm->resets, 0); /* it waits for vCPU 0 */
	ck_assert_int_eq(vm_request_reset(vm), 0);
	ck_assert_uint_eq(vm->reboots_left, 1);
	ck_assert_int_ge(vcpu_put(v), 0);
	vm_reset_if_pending(vm); /* what the scheduler does after every put */
	ck_assert_uint_eq(vm->resets, 1);
	ck_assert_uint_eq(vm->reset_pending, 0);
	ck_assert_uint_eq(vm->state, VM_RUNNING);
	vmset_stop(&set, VM_STOP_REQUESTED);
	ck_assert_int_eq(vmset_destroy(&set), 0);
}
END_TEST

static void setup(void)
{
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
}

static void teardown(void)
{
	ck_assert_uint_eq(frame_outstanding(), baseline);
	ck_assert_uint_eq(vm_count(), 0);
	test_machine_down();
}

Suite *test_suite(void)
{
	Suite *s = suite_create("boot");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_kernel_declaring_more_than_its_file_keeps_that_span);
	tcase_add_test(tc, test_header_rules_text_offset_2m_base_and_old_kernels);
	tcase_add_test(tc, test_the_dtb_never_crosses_a_2m_boundary);
	tcase_add_test(tc, test_what_cannot_boot_is_refused_with_a_reason);
	tcase_add_test(tc, test_a_set_boots_a_kernel_with_its_tree_in_x0);
	tcase_add_test(tc, test_a_users_dtb_goes_in_as_it_is_and_a_bad_one_is_refused);
	tcase_add_test(tc, test_a_reset_loads_the_images_again_and_returns_lazy_memory);
	tcase_add_test(tc, test_system_reset_reboots_as_often_as_configured_then_stops);
	tcase_add_test(tc, test_a_request_while_a_reset_is_pending_is_the_same_reset);
	suite_add_tcase(s, tc);
	return s;
}
