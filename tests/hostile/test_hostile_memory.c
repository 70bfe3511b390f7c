/* Hostile configurations against host memory (issue 11, items 1 and 2): a VM that
 * names host memory directly (linear, identity) gets only what it can claim — never the
 * frame allocator's own frames, frames Tandem handed out, another VM's memory or a
 * device Tandem drives — and a VM that takes all of its memory can never make another
 * VM's allocation fail. The machine is testlib's: RAM at 0x80000000 and 0xC0000000,
 * 8 MiB each, and the simulated board's devices (QEMU virt's map). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fdt.h"
#include "core/frame.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal/err.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#ifndef FDT_DATA_DIR
#error "FDT_DATA_DIR must name tests/data (tests/hostile/meson.build passes it)"
#endif

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define RAM 0x40000000ull
#define RWX (PT_R | PT_W | PT_X)
#define RW_DEV (PT_R | PT_W | PT_DEVICE)
#define FREE_RAM (TEST_RAM1_BASE + 4 * MiB) /* nothing allocates this high in the tests */
#define SIM_UART 0x09000000ull /* the console UART Tandem uses */
#define SIM_GICD 0x08000000ull /* the GIC distributor Tandem drives */
#define SIM_RTC 0x09010000ull  /* a PL031: a device of the board nobody uses */
#define NO_DEVICE 0x0b000000ull

static size_t baseline;

static void setup(void)
{
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
}

static void teardown(void)
{
	ck_assert_uint_eq(vm_count(), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	test_machine_down();
}

static struct vm_config config_of(const char *name, struct vm_mem_config m)
{
	struct vm_config cfg = { .name = name, .nvcpus = 1, .entry = m.gpa, .nmem = 1 };

	cfg.mem[0] = m;
	return cfg;
}

static struct vm_mem_config linear(uint64_t gpa, uint64_t size, paddr_t hpa)
{
	return (struct vm_mem_config){ { gpa }, size, RWX, AS_LINEAR, hpa };
}

static struct vm_mem_config identity(uint64_t base, uint64_t size)
{
	return (struct vm_mem_config){ { base }, size, RW_DEV, AS_IDENTITY, { 0 } };
}

/* vm_create of one region; the VM if it was created, else NULL. */
static struct vm *try_vm(const char *name, struct vm_mem_config m)
{
	struct vm_config cfg = config_of(name, m);
	struct vm *vm = NULL;

	return vm_create(&cfg, &vm) == 0 ? vm : NULL;
}

static void destroy(struct vm *vm)
{
	if (vm)
		ck_assert_int_eq(vm_destroy(vm), 0);
}

static paddr_t host_of(struct vm *vm, uint64_t gpa)
{
	paddr_t pa;

	ck_assert_int_eq(as_translate(&vm->as, gpa_make(gpa), &pa, NULL), 0);
	return pa;
}

/* ---- Item 1: host memory is claimed, never just mapped ----------------------------- */

START_TEST(test_linear_region_over_the_frame_allocators_bitmap_is_refused)
{
	/* The first frame of each RAM range holds the allocator's bitmap. */
	struct vm *rogue = try_vm("rogue", linear(RAM, 64 * KiB, pa_make(TEST_RAM0_BASE)));

	ck_assert_msg(rogue == NULL, "a VM mapped the frame allocator's bitmap");
	destroy(rogue);
}
END_TEST

START_TEST(test_linear_region_over_frames_tandem_handed_out_is_refused)
{
	paddr_t pa;

	ck_assert_int_eq(frame_alloc(&pa), 0);
	struct vm *rogue = try_vm("rogue", linear(RAM, 4 * KiB, pa));
	ck_assert_msg(rogue == NULL, "a VM mapped a frame Tandem had handed out");
	destroy(rogue);
	ck_assert_int_eq(frame_free(pa), 0);
}
END_TEST

START_TEST(test_linear_region_over_another_vms_ram_or_tables_is_refused)
{
	struct vm *alpha = try_vm("alpha", (struct vm_mem_config){ { RAM }, 64 * KiB, RWX,
								   AS_ALLOC_EAGER, { 0 } });
	ck_assert_ptr_nonnull(alpha);
	paddr_t ram = host_of(alpha, RAM + 8 * KiB), root = alpha->as.pt.root;

	struct vm *rogue = try_vm("rogue", linear(RAM, 4 * KiB, ram));
	ck_assert_msg(rogue == NULL, "a VM mapped another VM's RAM");
	destroy(rogue);
	/* A guest that could write a stage-2 root could map anything at all. */
	rogue = try_vm("rogue", linear(RAM, 4 * KiB, root));
	ck_assert_msg(rogue == NULL, "a VM mapped another VM's stage-2 root");
	destroy(rogue);
	destroy(alpha);
}
END_TEST

START_TEST(test_two_vms_cannot_claim_the_same_range)
{
	struct vm *alpha = try_vm("alpha", linear(RAM, 64 * KiB, pa_make(FREE_RAM)));
	ck_assert_ptr_nonnull(alpha);

	struct vm *beta = try_vm("beta", linear(RAM, 64 * KiB, pa_make(FREE_RAM)));
	ck_assert_msg(beta == NULL, "two VMs mapped the same host RAM");
	destroy(beta);
	beta = try_vm("beta", linear(RAM, 64 * KiB,
				     pa_make(FREE_RAM + 60 * KiB))); /* one frame shared */
	ck_assert_msg(beta == NULL, "two VMs mapped overlapping host RAM");
	destroy(beta);
	/* Once alpha is gone its claim is, too. */
	destroy(alpha);
	beta = try_vm("beta", linear(RAM, 64 * KiB, pa_make(FREE_RAM)));
	ck_assert_ptr_nonnull(beta);
	destroy(beta);
	ck_assert_int_eq(frame_claim_at(pa_make(FREE_RAM), 64 * KiB), 0);
	ck_assert_int_eq(frame_release_at(pa_make(FREE_RAM), 64 * KiB), 0);
}
END_TEST

START_TEST(test_claimed_ram_is_never_handed_out_while_claimed)
{
	static paddr_t got[4096];
	size_t n = 0;
	struct vm *alpha = try_vm("alpha", linear(RAM, MiB, pa_make(FREE_RAM)));

	ck_assert_ptr_nonnull(alpha);
	while (n < 4096 && frame_alloc(&got[n]) == 0)
		n++;
	ck_assert_uint_lt(n, 4096);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(pa_bits(got[i]) < FREE_RAM || pa_bits(got[i]) >= FREE_RAM + MiB,
			      "frame 0x%llx of a VM's claimed RAM was handed out",
			      (unsigned long long)pa_bits(got[i]));
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(frame_free(got[i]), 0);
	destroy(alpha);
}
END_TEST

START_TEST(test_device_pass_through_needs_a_board_device_tandem_does_not_use)
{
	struct vm *rtc = try_vm("rtc", identity(SIM_RTC, 4 * KiB));
	ck_assert_msg(rtc != NULL, "a device of the board nobody uses was refused");

	struct vm *rogue = try_vm("rogue", identity(SIM_UART, 4 * KiB));
	ck_assert_msg(rogue == NULL, "a VM was given Tandem's console UART");
	destroy(rogue);
	rogue = try_vm("rogue", identity(SIM_GICD, 64 * KiB));
	ck_assert_msg(rogue == NULL, "a VM was given the GIC distributor Tandem drives");
	destroy(rogue);
	rogue = try_vm("rogue", identity(NO_DEVICE, 4 * KiB));
	ck_assert_msg(rogue == NULL, "a VM was given an address where the board has nothing");
	destroy(rogue);
	rogue = try_vm("rogue", (struct vm_mem_config){ { 0x50000000 }, 4 * KiB, RW_DEV, AS_LINEAR,
							{ SIM_RTC } });
	ck_assert_msg(rogue == NULL, "two VMs were given the same device");
	destroy(rogue);
	destroy(rtc);
}
END_TEST

/* ---- Item 2: a VM's maximum is reserved ------------------------------------------- */

/* The guest's first touch of a page of lazy memory, as its stage-2 fault would do. */
static int touch(struct vm *vm, uint64_t gpa)
{
	return as_handle_fault(&vm->as, gpa_make(gpa), PT_W);
}

START_TEST(test_lazy_vm_taking_all_its_memory_cannot_fail_another_vms_first_touch)
{
	struct vm *victim = try_vm("victim", (struct vm_mem_config){ { RAM }, MiB, PT_R | PT_W,
								     AS_ALLOC_LAZY, { 0 } });
	ck_assert_ptr_nonnull(victim);
	/* More lazy memory than the machine has: it may not be created, and if it is it
	 * must never get more than it was promised. */
	struct vm *hog = try_vm("hog", (struct vm_mem_config){ { RAM }, 32 * MiB, PT_R | PT_W,
							       AS_ALLOC_LAZY, { 0 } });
	for (uint64_t off = 0; hog && off < 32 * MiB; off += 4 * KiB)
		if (touch(hog, RAM + off))
			break;
	for (uint64_t off = 0; off < MiB; off += 4 * KiB)
		ck_assert_msg(touch(victim, RAM + off) == 0,
			      "the victim's first touch at 0x%llx failed after the hog's",
			      (unsigned long long)(RAM + off));
	destroy(hog);
	destroy(victim);
}
END_TEST

START_TEST(test_vm_created_first_cannot_be_starved_by_one_created_later)
{
	struct vm *hog = try_vm("hog", (struct vm_mem_config){ { RAM }, 32 * MiB, PT_R | PT_W,
							       AS_ALLOC_LAZY, { 0 } });
	/* The hog exists (it may, if its maximum fitted): a VM created after it either
	 * fits beside the hog's maximum or is refused; it never fails later. */
	struct vm *victim = try_vm("victim", (struct vm_mem_config){ { RAM }, MiB, PT_R | PT_W,
								     AS_ALLOC_LAZY, { 0 } });
	for (uint64_t off = 0; hog && off < 32 * MiB; off += 4 * KiB)
		if (touch(hog, RAM + off))
			break;
	for (uint64_t off = 0; victim && off < MiB; off += 4 * KiB)
		ck_assert_msg(touch(victim, RAM + off) == 0,
			      "the victim's first touch at 0x%llx failed after the hog's",
			      (unsigned long long)(RAM + off));
	ck_assert_msg(hog == NULL || victim == NULL,
		      "two VMs whose memory exceeds the machine's were both created");
	destroy(hog);
	destroy(victim);
}
END_TEST

/* ---- What Tandem says when it refuses ------------------------------------------------ */

START_TEST(test_a_refused_region_is_named_with_the_reason)
{
	struct vm_config cfg = config_of("rogue", (struct vm_mem_config){ { RAM }, 64 * KiB, RWX,
									  AS_ALLOC_EAGER, { 0 } });
	struct vm_refusal why;
	struct vm *vm;

	cfg.mem[1] = identity(SIM_UART, 4 * KiB);
	cfg.nmem = 2;
	ck_assert_int_eq(vm_create_reason(&cfg, &vm, &why), -EBUSY);
	ck_assert_int_eq(why.mem, 1);
	ck_assert_str_eq(why.why, "memory at 0x09000000: host 0x09000000-0x09000fff overlaps the "
				  "console UART, which Tandem uses");
	cfg.mem[1] = linear(0x50000000, 8 * KiB, pa_make(TEST_RAM0_BASE));
	ck_assert_int_eq(vm_create_reason(&cfg, &vm, &why), -EBUSY);
	ck_assert_int_eq(why.mem, 1);
	ck_assert_str_eq(why.why, "memory at 0x50000000: host 0x80000000-0x80001fff holds the frame "
				  "allocator's own frames");
	cfg.mem[1] = identity(NO_DEVICE, 4 * KiB);
	ck_assert_int_eq(vm_create_reason(&cfg, &vm, &why), -ENOENT);
	ck_assert_str_eq(why.why, "memory at 0x0b000000: host 0x0b000000-0x0b000fff is neither RAM "
				  "nor a device of the board");
}
END_TEST

START_TEST(test_a_vm_that_does_not_fit_is_refused_with_its_shortfall)
{
	struct vm_config cfg = config_of("big", (struct vm_mem_config){ { RAM }, 64 * MiB,
					 PT_R | PT_W,
									AS_ALLOC_LAZY, { 0 } });
	struct vm_refusal why;
	char want[VM_WHY_MAX];
	size_t need, avail = frame_available();
	struct vm *vm;

	ck_assert_int_eq(vm_frames_needed(&cfg, &need), 0);
	ck_assert_uint_gt(need, 64 * MiB / (4 * KiB));
	ck_assert_int_eq(vm_create_reason(&cfg, &vm, &why), -ENOMEM);
	ck_assert_int_eq(why.mem, -1);
	snprintf(want, sizeof(want),
		 "does not fit: needs %zu frames, %zu are available: %zu frames (%zu KiB) short",
		 need, avail, need - avail, (need - avail) * 4);
	ck_assert_str_eq(why.why, want);
	ck_assert_uint_eq(frame_available(), avail);
}
END_TEST

/* ---- Item 2: what a VM holds, against what it reserved ----------------------------- */

/* A lazy VM as large as what is available: it is created, takes every page of its
 * memory (and every table that takes) without one failure, and never more than it
 * reserved; then the machine has nothing left to promise. */
static struct vm *largest_lazy_vm(const char *name)
{
	size_t avail = frame_available(), need;
	uint64_t size = (uint64_t)avail * 4 * KiB;
	struct vm_config cfg;

	for (;;) {
		cfg = config_of(name, (struct vm_mem_config){ { RAM }, size, PT_R | PT_W,
				AS_ALLOC_LAZY, { 0 } });
		ck_assert_int_eq(vm_frames_needed(&cfg, &need), 0);
		if (need <= avail)
			break;
		size -= (need - avail) * 4 * KiB;
	}
	struct vm *vm;
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	ck_assert_uint_eq(vm->frames.reserved, need);
	return vm;
}

START_TEST(test_a_vm_touching_all_it_reserved_never_fails_and_never_exceeds_it)
{
	struct vm *victim = try_vm("victim", (struct vm_mem_config){ { RAM }, MiB, PT_R | PT_W,
								     AS_ALLOC_LAZY, { 0 } });
	ck_assert_ptr_nonnull(victim);
	struct vm *hog = largest_lazy_vm("hog");
	const struct as_region *r = &hog->as.regions[0];

	ck_assert_uint_le(frame_available(), 1);
	for (uint64_t off = 0; off < r->size; off += 4 * KiB)
		ck_assert_int_eq(touch(hog, RAM + off), 0);
	struct frame_account f = frame_account_read(&hog->frames);
	ck_assert_uint_le(f.in_use, f.reserved);
	ck_assert_uint_eq(f.peak, f.in_use);
	/* Every page and table a VM can take is in its maximum: nothing was left over. */
	ck_assert_uint_eq(f.in_use, f.reserved);
	for (uint64_t off = 0; off < MiB; off += 4 * KiB)
		ck_assert_int_eq(touch(victim, RAM + off), 0);
	ck_assert_ptr_null(try_vm("late", (struct vm_mem_config){ { RAM }, 64 * KiB, RWX,
								   AS_ALLOC_EAGER, { 0 } }));
	destroy(hog);
	destroy(victim);
	ck_assert_uint_eq(frame_available(), frame_total() - baseline);
}
END_TEST

START_TEST(test_every_frame_a_vm_takes_is_charged_to_it)
{
	struct vm_config cfg = config_of("alpha", (struct vm_mem_config){ { RAM }, 64 * KiB, RWX,
									  AS_ALLOC_EAGER, { 0 } });
	cfg.mem[1] = (struct vm_mem_config){ { RAM + MiB }, MiB, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } };
	cfg.mem[2] = linear(0x48000000, 64 * KiB, pa_make(FREE_RAM));
	cfg.mem[3] = identity(SIM_RTC, 4 * KiB);
	cfg.nmem = 4;
	size_t need, before = frame_outstanding();
	struct vm *vm;

	ck_assert_int_eq(vm_frames_needed(&cfg, &need), 0);
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	/* Its structure, the stage-2 root and tables, 16 eager frames, 16 claimed ones: all
	 * of what the allocator handed out, and none of it from another account. */
	struct frame_account f = frame_account_read(&vm->frames);
	ck_assert_uint_eq(f.reserved, need);
	ck_assert_uint_eq(f.in_use, frame_outstanding() - before);
	ck_assert_uint_ge(f.in_use, vm->struct_pages + vm->as.pt.table_pages + 16 + 16);
	size_t created = f.in_use;
	ck_assert_int_eq(touch(vm, RAM + MiB), 0);
	ck_assert_int_eq(touch(vm, RAM + MiB + 512 * KiB), 0);
	f = frame_account_read(&vm->frames);
	ck_assert_uint_eq(f.in_use, created + 2);
	ck_assert_uint_eq(f.in_use, frame_outstanding() - before);
	destroy(vm);
}
END_TEST

/* ---- Bare metal: what the DTB says may be passed through --------------------------- */

static uint8_t *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", FDT_DATA_DIR, name);
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	uint8_t *blob = malloc(1 << 20);
	size_t n = fread(blob, 1, 1 << 20, f);
	fclose(f);
	ck_assert_int_eq(fdt_check(blob, n), 0);
	return blob;
}

START_TEST(test_dtb_devices_may_be_passed_through_unless_they_are_the_irq_controller)
{
	uint8_t *virt = load_dtb("qemu-virt.dtb"), *board = load_dtb("board.dtb");
	int node = -1;

	/* QEMU virt: its PL031 and PL061 are devices nobody uses. */
	ck_assert_int_eq(fdt_passthrough(virt, 0x09010000, 0x1000, &node), 0);
	ck_assert_str_eq(fdt_node_name(virt, node, NULL), "pl031@9010000");
	ck_assert_int_eq(fdt_passthrough(virt, 0x09030000, 0x1000, NULL), 0);
	/* The GIC and its ITS take the machine's interrupts: never a VM's. */
	ck_assert_int_eq(fdt_passthrough(virt, 0x08000000, 0x10000, NULL), -EBUSY);
	ck_assert_int_eq(fdt_passthrough(virt, 0x080A0000, 0x20000, NULL), -EBUSY);
	ck_assert_int_eq(fdt_passthrough(virt, 0x08080000, 0x1000, &node), -EBUSY);
	ck_assert_str_eq(fdt_node_name(virt, node, NULL), "its@8080000");
	/* No device there, RAM, a page larger than the device, across two devices. */
	ck_assert_int_eq(fdt_passthrough(virt, 0x0b000000, 0x1000, NULL), -ENOENT);
	ck_assert_int_eq(fdt_passthrough(virt, 0x40000000, 0x1000, NULL), -ENOENT);
	ck_assert_int_eq(fdt_passthrough(virt, 0x09020000, 0x1000, NULL), -ENOENT); /* fw-cfg: 0x18 */
	ck_assert_int_eq(fdt_passthrough(virt, 0x09010000, 0x3000, NULL), -ENOENT);
	ck_assert_int_eq(fdt_passthrough(virt, 0, 0, NULL), -ENOENT);
	/* board.dts: a UART behind a bus's ranges (0x10000000 + 0x1000) is a device; one
	 * whose reg the GIC's second frame also claims is the GIC's; a memory node, a
	 * reserved range and the CPUs' reg are no devices. */
	ck_assert_int_eq(fdt_passthrough(board, 0x10001000, 0x1000, &node), 0);
	ck_assert_str_eq(fdt_node_name(board, node, NULL), "serial@1000");
	ck_assert_int_eq(fdt_passthrough(board, 0x10002000, 0x1000, &node), -EBUSY);
	ck_assert_str_eq(fdt_node_name(board, node, NULL), "interrupt-controller@0");
	ck_assert_int_eq(fdt_passthrough(board, 0x10000000, 0x1000, NULL), -EBUSY);
	ck_assert_int_eq(fdt_passthrough(board, 0x80000000, 0x1000, NULL), -ENOENT);
	ck_assert_int_eq(fdt_passthrough(board, 0x8f000000, 0x1000, NULL), -ENOENT);
	ck_assert_int_eq(fdt_passthrough(board, 0x0, 0x1, NULL), -ENOENT);
	free(virt);
	free(board);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hostile-memory");
	TCase *tc = tcase_create("claims");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_linear_region_over_the_frame_allocators_bitmap_is_refused);
	tcase_add_test(tc, test_linear_region_over_frames_tandem_handed_out_is_refused);
	tcase_add_test(tc, test_linear_region_over_another_vms_ram_or_tables_is_refused);
	tcase_add_test(tc, test_two_vms_cannot_claim_the_same_range);
	tcase_add_test(tc, test_claimed_ram_is_never_handed_out_while_claimed);
	tcase_add_test(tc, test_device_pass_through_needs_a_board_device_tandem_does_not_use);
	suite_add_tcase(s, tc);
	tc = tcase_create("reservations");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lazy_vm_taking_all_its_memory_cannot_fail_another_vms_first_touch);
	tcase_add_test(tc, test_vm_created_first_cannot_be_starved_by_one_created_later);
	tcase_add_test(tc, test_a_vm_touching_all_it_reserved_never_fails_and_never_exceeds_it);
	tcase_add_test(tc, test_every_frame_a_vm_takes_is_charged_to_it);
	suite_add_tcase(s, tc);
	tc = tcase_create("refusals");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_refused_region_is_named_with_the_reason);
	tcase_add_test(tc, test_a_vm_that_does_not_fit_is_refused_with_its_shortfall);
	tcase_add_test(tc, test_dtb_devices_may_be_passed_through_unless_they_are_the_irq_controller);
	suite_add_tcase(s, tc);
	return s;
}
