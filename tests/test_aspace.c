/* Guest-physical address spaces: the four backends, lazy fault-in, permission faults,
 * guest-memory copies, isolation between spaces and the return of every frame. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/stage2.h"
#include "arch/riscv64/gstage.h"
#include "arch/x86_64/ept.h"
#include "core/aspace.h"
#include "core/frame.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)
#define KiB (1ull << 10)
#define RW (PT_R | PT_W)
#define RAM_GPA 0x40000000ull

static struct pt_format a64_40;
static const struct pt_format *formats[3];
static struct aspace as;

static void setup(void)
{
	test_machine_up(1, true);
	ck_assert_int_eq(aarch64_s2_format(40, 44, &a64_40), 0);
	formats[0] = &a64_40;
	formats[1] = &riscv_sv39x4;
	formats[2] = &x86_ept4;
}

static void teardown(void)
{
	test_machine_down();
}

static void *host_of(gpa_t gpa)
{
	paddr_t pa;
	void *va;

	ck_assert_int_eq(as_translate(&as, gpa, &pa, NULL), 0);
	ck_assert_int_eq(hal_phys_to_virt(pa, 1, &va), 0);
	return va;
}

START_TEST(test_eager_region_is_zeroed_distinct_frames_returned_on_destroy)
{
	ck_assert_int_eq(as_init(&as, formats[_i], NULL, NULL), 0);
	size_t before = frame_outstanding();
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA), 64 * KiB, RW | PT_X, AS_ALLOC_EAGER,
				       pa_make(0)), 0);
	ck_assert_uint_ge(frame_outstanding(), before + 16);
	paddr_t seen[16];
	for (unsigned p = 0; p < 16; p++) {
		unsigned flags;
		ck_assert_int_eq(as_translate(&as, gpa_make(RAM_GPA + p * 4 * KiB), &seen[p],
					      &flags), 0);
		ck_assert_uint_eq(flags, RW | PT_X);
		for (unsigned q = 0; q < p; q++)
			ck_assert_uint_ne(pa_bits(seen[p]), pa_bits(seen[q]));
		const unsigned char *page = host_of(gpa_make(RAM_GPA + p * 4 * KiB));
		for (size_t b = 0; b < 4 * KiB; b++)
			ck_assert_uint_eq(page[b], 0);
	}
	as_destroy(&as);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_lazy_region_faults_in_each_page_once)
{
	uint64_t base = RAM_GPA + 2 * MiB - 16 * KiB; /* straddles a 2 MiB boundary */

	ck_assert_int_eq(as_init(&as, formats[_i], NULL, NULL), 0);
	size_t tables = frame_outstanding();
	ck_assert_int_eq(as_add_region(&as, gpa_make(base), 32 * KiB, RW, AS_ALLOC_LAZY,
				       pa_make(0)), 0);
	ck_assert_uint_eq(frame_outstanding(), tables); /* nothing allocated up front */
	for (unsigned p = 0; p < 8; p++) {
		uint64_t g = base + p * 4 * KiB + 0x123;
		ck_assert_int_eq(as_translate(&as, gpa_make(g), NULL, NULL), -ENOENT);
		ck_assert_int_eq(as_handle_fault(&as, gpa_make(g), p % 2 ? PT_W : PT_R), 0);
		ck_assert_int_eq(as_translate(&as, gpa_make(g), NULL, NULL), 0);
		ck_assert_uint_eq(as.lazy_faults, p + 1);
		/* A second fault on the same page (another vCPU raced) allocates nothing. */
		size_t now = frame_outstanding();
		ck_assert_int_eq(as_handle_fault(&as, gpa_make(g), PT_R), 0);
		ck_assert_uint_eq(frame_outstanding(), now);
		ck_assert_uint_eq(*(unsigned char *)host_of(gpa_make(g)), 0);
	}
	ck_assert_int_eq(as_remove_region(&as, gpa_make(base), 32 * KiB), 0);
	ck_assert_int_eq(as_translate(&as, gpa_make(base), NULL, NULL), -ENOENT);
	as_destroy(&as);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_faults_outside_regions_or_permissions_are_reported)
{
	ck_assert_int_eq(as_init(&as, formats[_i], NULL, NULL), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA), 64 * KiB, PT_R, AS_ALLOC_LAZY,
				       pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(0x09000000), 4 * KiB, RW | PT_DEVICE,
				       AS_IDENTITY, pa_make(0)), 0);
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(0x10000000), PT_R), -ENOENT);  /* a hole */
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(RAM_GPA), PT_W),
			 -EPERM);      /* read-only */
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(RAM_GPA), PT_X),
			 -EPERM);      /* not executable */
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(0x09000000), PT_R),
			 -EFAULT);  /* mapped, not lazy */
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(0x09000000), PT_X), -EPERM);
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(~0ull), PT_R), -ENOENT);       /* far out */
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(RAM_GPA), 0), -EINVAL);
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(RAM_GPA), 0x40), -EINVAL);
	ck_assert_int_eq(as_handle_fault(NULL, gpa_make(RAM_GPA), PT_R), -EINVAL);
	ck_assert_uint_eq(as.lazy_faults, 0);
	as_destroy(&as);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_linear_and_identity_regions_translate)
{
	paddr_t pa;
	unsigned flags;

	ck_assert_int_eq(as_init(&as, formats[_i], NULL, NULL), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(GiB), GiB, RW | PT_X, AS_LINEAR,
				       pa_make(4 * GiB)), 0);
	ck_assert_int_eq(as_translate(&as, gpa_make(GiB + 0x12345678), &pa, &flags), 0);
	ck_assert_uint_eq(pa_bits(pa), 4 * GiB + 0x12345678);
	ck_assert_uint_eq(flags, RW | PT_X);
	ck_assert_int_eq(as_add_region(&as, gpa_make(0x08000000), 64 * KiB, RW | PT_DEVICE,
				       AS_IDENTITY, pa_make(0)), 0);
	ck_assert_int_eq(as_translate(&as, gpa_make(0x08001004), &pa, &flags), 0);
	ck_assert_uint_eq(pa_bits(pa), 0x08001004);
	ck_assert_uint_eq(flags, RW | PT_DEVICE);
	struct as_region r;
	ck_assert_int_eq(as_find_region(&as, gpa_make(GiB + 5), &r), 0);
	ck_assert_uint_eq(r.backend, AS_LINEAR);
	ck_assert_uint_eq(pa_bits(r.hpa), 4 * GiB);
	ck_assert_int_eq(as_find_region(&as, gpa_make(5), &r), -ENOENT);
	/* The owner keeps a linear region's memory: nothing of it is freed. */
	as_destroy(&as);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_region_bookkeeping_errors)
{
	ck_assert_int_eq(as_init(&as, formats[_i], NULL, NULL), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA), 2 * MiB, RW, AS_ALLOC_LAZY,
				       pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA + MiB), 2 * MiB, RW, AS_ALLOC_LAZY,
				       pa_make(0)), -EEXIST);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA - 4 * KiB), 8 * KiB, RW, AS_ALLOC_LAZY,
				       pa_make(0)), -EEXIST);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA + 1), 4 * KiB, RW, AS_ALLOC_LAZY,
				       pa_make(0)), -EINVAL);
	ck_assert_int_eq(as_add_region(&as, gpa_make(0), 0, RW, AS_ALLOC_LAZY, pa_make(0)),
			 -EINVAL);
	ck_assert_int_eq(as_add_region(&as, gpa_make(0), 4 * KiB, PT_W, AS_ALLOC_LAZY, pa_make(0)),
			 -EINVAL);
	ck_assert_int_eq(as_add_region(&as, gpa_make(0), 4 * KiB, RW | PT_DEVICE, AS_ALLOC_EAGER,
				       pa_make(0)), -EINVAL);
	ck_assert_int_eq(as_add_region(&as, gpa_make(0), 4 * KiB, RW, (enum as_backend)9,
				       pa_make(0)), -EINVAL);
	ck_assert_int_eq(as_add_region(&as, gpa_make(0), 4 * KiB, RW, AS_LINEAR, pa_make(0x1001)),
			 -EINVAL);
	ck_assert_int_eq(as_add_region(&as, gpa_make(1ull << formats[_i]->va_bits), 4 * KiB, RW,
				       AS_ALLOC_LAZY, pa_make(0)), -ERANGE);
	ck_assert_int_eq(as_remove_region(&as, gpa_make(RAM_GPA + 4 * KiB), 4 * KiB), -ENOENT);
	ck_assert_int_eq(as_remove_region(&as, gpa_make(RAM_GPA), 4 * KiB), -EINVAL);
	for (unsigned i = 1; i < AS_MAX_REGIONS; i++)
		ck_assert_int_eq(as_add_region(&as, gpa_make(i * 4 * KiB), 4 * KiB, PT_R,
					       AS_ALLOC_LAZY, pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(GiB), 4 * KiB, PT_R, AS_ALLOC_LAZY,
				       pa_make(0)), -ENOSPC);
	ck_assert_int_eq(as_remove_region(&as, gpa_make(RAM_GPA), 2 * MiB), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(GiB), 4 * KiB, PT_R, AS_ALLOC_LAZY,
				       pa_make(0)), 0);
	as_destroy(&as);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_guest_memory_copies_cross_pages_and_refuse_holes)
{
	enum { LEN = 10000 };
	static unsigned char out[LEN], in[LEN];
	uint64_t g = RAM_GPA + 4000; /* starts mid-page, spans four pages */

	ck_assert_int_eq(as_init(&as, formats[_i], NULL, NULL), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA), 16 * KiB, RW, AS_ALLOC_EAGER,
				       pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA + 16 * KiB), 16 * KiB, RW,
				       AS_ALLOC_LAZY, pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA + 64 * KiB), 4 * KiB, PT_R,
				       AS_ALLOC_EAGER, pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(0x09000000), 4 * KiB, RW | PT_DEVICE,
				       AS_IDENTITY, pa_make(0)), 0);
	for (int i = 0; i < LEN; i++)
		out[i] = (unsigned char)(i * 7 + 3);
	ck_assert_int_eq(as_write(&as, gpa_make(g), out, LEN), 0);
	ck_assert_int_eq(as_read(&as, gpa_make(g), in, LEN), 0);
	ck_assert_mem_eq(in, out, LEN);
	/* The bytes really are in the frames the stage-2 table points to. */
	ck_assert_uint_eq(*(unsigned char *)host_of(gpa_make(g)), out[0]);
	ck_assert_uint_eq(*(unsigned char *)host_of(gpa_make(RAM_GPA + 8 * KiB)),
			  out[8 * KiB - 4000]);
	/* Into the lazy region across the boundary: its pages are populated. */
	ck_assert_int_eq(as_write(&as, gpa_make(RAM_GPA + 16 * KiB - 8), out, 100), 0);
	ck_assert_int_eq(as_translate(&as, gpa_make(RAM_GPA + 16 * KiB), NULL, NULL), 0);
	/* Refused, and nothing written: runs into a hole, a device, or read-only memory. */
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(RAM_GPA + 32 * KiB - 4 * KiB), PT_W), 0);
	unsigned char before = *(unsigned char *)host_of(gpa_make(RAM_GPA + 32 * KiB - 4 * KiB));
	ck_assert_int_eq(as_write(&as, gpa_make(RAM_GPA + 32 * KiB - 4 * KiB), out, 8 * KiB),
			 -EFAULT);
	ck_assert_uint_eq(*(unsigned char *)host_of(gpa_make(RAM_GPA + 32 * KiB - 4 * KiB)),
			  before);
	ck_assert_int_eq(as_read(&as, gpa_make(0x09000000), in, 4), -EFAULT);
	ck_assert_int_eq(as_write(&as, gpa_make(RAM_GPA + 64 * KiB), out, 4), -EFAULT);
	ck_assert_int_eq(as_read(&as, gpa_make(RAM_GPA + 64 * KiB), in, 4), 0);
	ck_assert_int_eq(as_read(&as, gpa_make(~0ull - 2), in, 8), -EFAULT);
	ck_assert_int_eq(as_read(&as, gpa_make(g), NULL, 4), -EINVAL);
	ck_assert_int_eq(as_read(&as, gpa_make(g), NULL, 0), 0);
	as_destroy(&as);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_two_spaces_never_share_a_frame)
{
	struct aspace other;
	paddr_t mine[32], theirs[32];

	ck_assert_int_eq(as_init(&as, formats[_i], NULL, NULL), 0);
	ck_assert_int_eq(as_init(&other, formats[_i], NULL, NULL), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA), 64 * KiB, RW, AS_ALLOC_EAGER,
				       pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&other, gpa_make(RAM_GPA), 64 * KiB, RW, AS_ALLOC_LAZY,
				       pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&as, gpa_make(RAM_GPA + 64 * KiB), 64 * KiB, RW,
				       AS_ALLOC_LAZY, pa_make(0)), 0);
	ck_assert_int_eq(as_add_region(&other, gpa_make(RAM_GPA + 64 * KiB), 64 * KiB, RW,
				       AS_ALLOC_EAGER, pa_make(0)), 0);
	for (unsigned p = 0; p < 32; p++) {
		uint64_t g = RAM_GPA + p * 4 * KiB;
		ck_assert_int_eq(as_handle_fault(&as, gpa_make(g), PT_W), p < 16 ? -EFAULT : 0);
		ck_assert_int_eq(as_handle_fault(&other, gpa_make(g), PT_W), p < 16 ? 0 : -EFAULT);
		ck_assert_int_eq(as_translate(&as, gpa_make(g), &mine[p], NULL), 0);
		ck_assert_int_eq(as_translate(&other, gpa_make(g), &theirs[p], NULL), 0);
	}
	for (unsigned p = 0; p < 32; p++)
		for (unsigned q = 0; q < 32; q++)
			ck_assert_uint_ne(pa_bits(mine[p]), pa_bits(theirs[q]));
	/* Writes through one space are invisible through the other. */
	unsigned v = 0xfeedf00d, w = 0;
	ck_assert_int_eq(as_write(&as, gpa_make(RAM_GPA), &v, sizeof(v)), 0);
	ck_assert_int_eq(as_read(&other, gpa_make(RAM_GPA), &w, sizeof(w)), 0);
	ck_assert_uint_eq(w, 0);
	as_destroy(&as);
	as_destroy(&other);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* An eager region that crosses a 2 MiB and a 1 GiB boundary, with the nth allocation
 * (frame or table page) failing for every n: refused cleanly or fully mapped. */
START_TEST(test_allocation_failure_while_adding_a_region_leaks_nothing)
{
	uint64_t base = GiB - 2 * MiB - 8 * KiB;
	uint64_t size = 2 * MiB + 16 * KiB;

	ck_assert_int_eq(as_init(&as, formats[_i], NULL, NULL), 0);
	size_t baseline = frame_outstanding();
	uint64_t calls = frame_alloc_calls();
	ck_assert_int_eq(as_add_region(&as, gpa_make(base), size, RW, AS_ALLOC_EAGER, pa_make(0)),
			 0);
	uint64_t needed = frame_alloc_calls() - calls;
	ck_assert_uint_ge(needed, size / (4 * KiB));
	ck_assert_int_eq(as_remove_region(&as, gpa_make(base), size), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	/* Every failure point: the first few (tables), around the 2 MiB and 1 GiB
	 * crossings, and the last; all of them when the region is small enough. */
	for (uint64_t n = 1; n <= needed; n++) {
		frame_fault_fail_nth(n);
		ck_assert_int_eq(as_add_region(&as, gpa_make(base), size, RW, AS_ALLOC_EAGER,
					       pa_make(0)), -ENOMEM);
		ck_assert_uint_eq(frame_outstanding(), baseline);
		ck_assert_int_eq(as_translate(&as, gpa_make(base), NULL, NULL), -ENOENT);
		ck_assert_int_eq(as_translate(&as, gpa_make(base + size - 4 * KiB), NULL, NULL),
				 -ENOENT);
		struct as_region r;
		ck_assert_int_eq(as_find_region(&as, gpa_make(base), &r), -ENOENT);
	}
	frame_fault_clear();
	ck_assert_int_eq(as_add_region(&as, gpa_make(base), size, RW, AS_ALLOC_EAGER, pa_make(0)),
			 0);
	for (uint64_t g = base; g < base + size; g += 4 * KiB)
		ck_assert_int_eq(as_translate(&as, gpa_make(g), NULL, NULL), 0);
	/* A lazy fault that cannot get a frame is reported and leaves nothing. */
	ck_assert_int_eq(as_add_region(&as, gpa_make(2 * GiB), 4 * KiB, RW, AS_ALLOC_LAZY,
				       pa_make(0)), 0);
	size_t now = frame_outstanding();
	frame_fault_fail_nth(1);
	ck_assert_int_eq(as_handle_fault(&as, gpa_make(2 * GiB), PT_R), -ENOMEM);
	ck_assert_uint_eq(frame_outstanding(), now);
	frame_fault_clear();
	as_destroy(&as);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("aspace");
	TCase *tc = tcase_create("aspace");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_eager_region_is_zeroed_distinct_frames_returned_on_destroy, 0, 3);
	tcase_add_loop_test(tc, test_lazy_region_faults_in_each_page_once, 0, 3);
	tcase_add_loop_test(tc, test_faults_outside_regions_or_permissions_are_reported, 0, 3);
	tcase_add_loop_test(tc, test_linear_and_identity_regions_translate, 0, 3);
	tcase_add_loop_test(tc, test_region_bookkeeping_errors, 0, 3);
	tcase_add_loop_test(tc, test_guest_memory_copies_cross_pages_and_refuse_holes, 0, 3);
	tcase_add_loop_test(tc, test_two_spaces_never_share_a_frame, 0, 3);
	tcase_add_loop_test(tc, test_allocation_failure_while_adding_a_region_leaks_nothing, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
