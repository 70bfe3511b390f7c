/* The frame allocator and PhysFrame: allocation, zeroing, exhaustion, contiguous runs,
 * fixed-region claims, fault injection and concurrency, over two RAM ranges. */
#include <check.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

/* Each range keeps its state map in its first frame (2048 frames need 2048 bytes). */
#define META_FRAMES 1
#define USABLE ((TEST_RAM0_SIZE + TEST_RAM1_SIZE) / PAGE_SIZE - 2 * META_FRAMES)

static void setup(void)
{
	test_machine_up(8, true);
}

static void teardown(void)
{
	test_machine_down();
}

static bool in_test_ram(paddr_t addr)
{
	uint64_t pa = pa_bits(addr);

	return (pa >= TEST_RAM0_BASE + PAGE_SIZE && pa < TEST_RAM0_BASE + TEST_RAM0_SIZE) ||
	       (pa >= TEST_RAM1_BASE + PAGE_SIZE && pa < TEST_RAM1_BASE + TEST_RAM1_SIZE);
}

START_TEST(test_total_counts_both_ranges_minus_bitmaps)
{
	ck_assert_uint_eq(frame_total(), USABLE);
	ck_assert_uint_eq(frame_free_count(), USABLE);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_alloc_gives_distinct_aligned_frames_in_ram)
{
	paddr_t pa[64];

	for (int i = 0; i < 64; i++) {
		ck_assert_int_eq(frame_alloc(&pa[i]), 0);
		ck_assert(in_test_ram(pa[i]));
		ck_assert_uint_eq(pa_bits(pa[i]) & PAGE_MASK, 0);
		for (int j = 0; j < i; j++)
			ck_assert_uint_ne(pa_bits(pa[i]), pa_bits(pa[j]));
	}
	ck_assert_uint_eq(frame_outstanding(), 64);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(frame_free(pa[i]), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_alloc_zeroed_clears_old_contents)
{
	struct phys_frame f;

	/* Dirty every free frame, then every zeroed allocation must still read zero. */
	ck_assert_int_eq(phys_frame_alloc(&f), 0);
	ck_assert_int_eq(phys_frame_fill(&f, 0xA5), 0);
	ck_assert_int_eq(phys_frame_free(&f), 0);
	ck_assert_int_eq(phys_frame_alloc_zeroed(&f), 0);
	unsigned char *p = phys_frame_ptr(&f);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		ck_assert_uint_eq(p[i], 0);
	ck_assert_int_eq(phys_frame_free(&f), 0);
}
END_TEST

START_TEST(test_fill_writes_every_byte_of_the_frame)
{
	struct phys_frame f;

	ck_assert_int_eq(phys_frame_alloc(&f), 0);
	ck_assert_int_eq(phys_frame_fill(&f, 0x3C), 0);
	void *va;
	ck_assert_int_eq(hal_phys_to_virt(phys_frame_start(&f), PAGE_SIZE, &va), 0);
	ck_assert_ptr_eq(va, phys_frame_ptr(&f));
	for (size_t i = 0; i < PAGE_SIZE; i++)
		ck_assert_uint_eq(((unsigned char *)va)[i], 0x3C);
	ck_assert_int_eq(phys_frame_free(&f), 0);
}
END_TEST

START_TEST(test_phys_frame_double_free_is_refused)
{
	struct phys_frame f;

	ck_assert_int_eq(phys_frame_alloc(&f), 0);
	ck_assert_int_eq(phys_frame_free(&f), 0);
	ck_assert_uint_eq(pa_bits(phys_frame_start(&f)), pa_bits(PADDR_INVALID));
	ck_assert_ptr_null(phys_frame_ptr(&f));
	ck_assert_int_eq(phys_frame_free(&f), -EINVAL);
	ck_assert_int_eq(phys_frame_fill(&f, 0), -EINVAL);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_exhaustion_returns_enomem_and_everything_comes_back)
{
	size_t n = frame_total();
	paddr_t *all = calloc(n, sizeof(*all));

	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(frame_alloc(&all[i]), 0);
	paddr_t extra;
	ck_assert_int_eq(frame_alloc(&extra), -ENOMEM);
	ck_assert_int_eq(frame_alloc_zeroed(&extra), -ENOMEM);
	ck_assert_int_eq(frame_alloc_contig(1, 1, &extra), -ENOMEM);
	ck_assert_uint_eq(frame_free_count(), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(frame_free(all[i]), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
	free(all);
}
END_TEST

START_TEST(test_contig_run_is_aligned_contiguous_and_exclusive)
{
	paddr_t run, one;

	ck_assert_int_eq(frame_alloc(&one), 0); /* break up the low frames first */
	ck_assert_int_eq(frame_alloc_contig(512, 512, &run), 0);
	ck_assert_uint_eq(pa_bits(run) % (2u << 20), 0);
	ck_assert(in_test_ram(run) && in_test_ram(pa_add(run, 511 * PAGE_SIZE)));
	ck_assert_uint_eq(frame_outstanding(), 513);
	/* No frame of the run can be claimed or handed out again. */
	ck_assert_int_eq(frame_claim_at(pa_add(run, 100 * PAGE_SIZE), PAGE_SIZE), -EBUSY);
	ck_assert_int_eq(frame_free_contig(run, 512), 0);
	ck_assert_int_eq(frame_free_contig(run, 512), -EINVAL);
	ck_assert_int_eq(frame_free(one), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_contig_run_larger_than_any_range_fails)
{
	paddr_t pa;

	ck_assert_int_eq(frame_alloc_contig(TEST_RAM0_SIZE / PAGE_SIZE, 1, &pa), -ENOMEM);
	ck_assert_int_eq(frame_alloc_contig(TEST_RAM0_SIZE / PAGE_SIZE - 1, 1, &pa), 0);
	ck_assert_int_eq(frame_free_contig(pa, TEST_RAM0_SIZE / PAGE_SIZE - 1), 0);
}
END_TEST

START_TEST(test_bad_arguments_get_error_codes)
{
	paddr_t pa;

	ck_assert_int_eq(frame_alloc(NULL), -EINVAL);
	ck_assert_int_eq(frame_alloc_zeroed(NULL), -EINVAL);
	ck_assert_int_eq(frame_alloc_contig(0, 1, &pa), -EINVAL);
	ck_assert_int_eq(frame_alloc_contig(4, 3, &pa), -EINVAL);
	ck_assert_int_eq(frame_alloc_contig(4, 0, &pa), -EINVAL);
	ck_assert_int_eq(frame_alloc_contig(4, 1, NULL), -EINVAL);
	ck_assert_int_eq(frame_free(pa_make(0x1000)), -EINVAL);                    /* foreign */
	ck_assert_int_eq(frame_free(pa_make(TEST_RAM0_BASE)), -EINVAL);            /* the bitmap */
	ck_assert_int_eq(frame_free(pa_make(TEST_RAM0_BASE + PAGE_SIZE + 1)),
			 -EINVAL); /* unaligned */
	ck_assert_int_eq(frame_free(pa_make(TEST_RAM0_BASE + PAGE_SIZE)),
			 -EINVAL);     /* never taken */
	ck_assert_int_eq(frame_free_contig(pa_make(TEST_RAM0_BASE + PAGE_SIZE), 0), -EINVAL);
	ck_assert_int_eq(frame_free(pa_make(pa_bits(PADDR_INVALID) & ~PAGE_MASK)), -EINVAL);
	ck_assert_int_eq(phys_frame_alloc(NULL), -EINVAL);
	ck_assert_int_eq(phys_frame_alloc_zeroed(NULL), -EINVAL);
	ck_assert_int_eq(phys_frame_free(NULL), -EINVAL);
	ck_assert_ptr_null(phys_frame_ptr(NULL));
	ck_assert_uint_eq(pa_bits(phys_frame_start(NULL)), pa_bits(PADDR_INVALID));
	ck_assert_int_eq(phys_frame_fill(NULL, 0), -EINVAL);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_claim_overlapping_or_out_of_range_is_refused)
{
	uint64_t base = TEST_RAM1_BASE + (1u << 20);

	ck_assert_int_eq(frame_claim_at(pa_make(base), 64 * 1024), 0);
	ck_assert_uint_eq(frame_outstanding(), 16);
	ck_assert_int_eq(frame_claim_at(pa_make(base + 32 * 1024), 64 * 1024), -EBUSY);
	ck_assert_int_eq(frame_claim_at(pa_make(base - PAGE_SIZE), 2 * PAGE_SIZE), -EBUSY);
	ck_assert_uint_eq(frame_outstanding(), 16); /* a refused claim takes nothing */
	/* Misaligned or empty. */
	ck_assert_int_eq(frame_claim_at(pa_make(base + 1), PAGE_SIZE), -EINVAL);
	ck_assert_int_eq(frame_claim_at(pa_make(base), 100), -EINVAL);
	ck_assert_int_eq(frame_claim_at(pa_make(base), 0), -EINVAL);
	ck_assert_int_eq(frame_claim_at(pa_make(~0ull & ~PAGE_MASK), 2 * PAGE_SIZE), -EINVAL);
	/* Outside RAM, across the hole between ranges, over a bitmap, past the end. */
	ck_assert_int_eq(frame_claim_at(pa_make(0x1000), PAGE_SIZE), -ERANGE);
	ck_assert_int_eq(frame_claim_at(pa_make(TEST_RAM0_BASE + TEST_RAM0_SIZE - PAGE_SIZE),
					2 * PAGE_SIZE), -ERANGE);
	ck_assert_int_eq(frame_claim_at(pa_make(TEST_RAM0_BASE), 2 * PAGE_SIZE), -ERANGE);
	ck_assert_int_eq(frame_claim_at(pa_make(TEST_RAM1_BASE + TEST_RAM1_SIZE), PAGE_SIZE),
			 -ERANGE);
	/* Release must match what is taken. */
	ck_assert_int_eq(frame_release_at(pa_make(base - PAGE_SIZE), 2 * PAGE_SIZE), -EINVAL);
	ck_assert_uint_eq(frame_outstanding(), 16);
	ck_assert_int_eq(frame_release_at(pa_make(base), 64 * 1024), 0);
	ck_assert_int_eq(frame_release_at(pa_make(base), 64 * 1024), -EINVAL);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_claimed_region_is_never_handed_out)
{
	/* Claim all of range 0 but one frame; every single allocation then lands in the
	 * one left or in range 1. */
	uint64_t base = TEST_RAM0_BASE + 2 * PAGE_SIZE;
	uint64_t size = TEST_RAM0_SIZE - 2 * PAGE_SIZE;

	ck_assert_int_eq(frame_claim_at(pa_make(base), size), 0);
	for (int i = 0; i < 200; i++) {
		paddr_t pa;
		ck_assert_int_eq(frame_alloc(&pa), 0);
		ck_assert(pa_bits(pa) < base || pa_bits(pa) >= base + size);
	}
}
END_TEST

START_TEST(test_fail_nth_fails_exactly_that_call)
{
	paddr_t pa[4];

	frame_fault_fail_nth(3);
	ck_assert_int_eq(frame_alloc(&pa[0]), 0);
	ck_assert_int_eq(frame_alloc_zeroed(&pa[1]), 0);
	ck_assert_int_eq(frame_alloc(&pa[2]), -ENOMEM);
	ck_assert_int_eq(frame_alloc(&pa[2]), 0);
	ck_assert_int_eq(frame_alloc_contig(2, 2, &pa[3]), 0);
	ck_assert_uint_eq(frame_alloc_calls(), 5);
	ck_assert_uint_eq(frame_outstanding(), 5);
}
END_TEST

/* A composite owner that makes six allocations of every kind and, like every owner in
 * Tandem must, gives back what it took when one fails. */
static int build_structure(paddr_t out[6])
{
	int err;
	int n = 0;

	if ((err = frame_alloc(&out[n])) != 0)
		goto undo;
	n++;
	if ((err = frame_alloc_zeroed(&out[n])) != 0)
		goto undo;
	n++;
	if ((err = frame_alloc_contig(8, 8, &out[n])) != 0)
		goto undo;
	n++;
	out[n] = pa_make(TEST_RAM1_BASE + (4u << 20));
	if ((err = frame_claim_at(out[n], 16 * PAGE_SIZE)) != 0)
		goto undo;
	n++;
	if ((err = frame_alloc(&out[n])) != 0)
		goto undo;
	n++;
	if ((err = frame_alloc(&out[n])) != 0)
		goto undo;
	return 0;
undo:
	while (n-- > 0) {
		if (n == 3)
			frame_release_at(out[n], 16 * PAGE_SIZE);
		else if (n == 2)
			frame_free_contig(out[n], 8);
		else
			frame_free(out[n]);
	}
	return err;
}

START_TEST(test_fault_injected_at_each_allocation_is_rolled_back)
{
	paddr_t out[6];

	for (uint64_t n = 1; n <= 6; n++) {
		frame_fault_fail_nth(n);
		ck_assert_int_eq(build_structure(out), -ENOMEM);
		ck_assert_uint_eq(frame_outstanding(), 0);
	}
	frame_fault_fail_nth(7);
	ck_assert_int_eq(build_structure(out), 0);
	ck_assert_uint_eq(frame_outstanding(), 1 + 1 + 8 + 16 + 1 + 1);
	frame_fault_clear();
}
END_TEST

static uint64_t failure_pattern(uint64_t seed)
{
	uint64_t bits = 0;

	frame_fault_set_rate(500000, seed);
	for (int i = 0; i < 64; i++) {
		paddr_t pa;
		if (frame_alloc(&pa) == 0)
			frame_free(pa);
		else
			bits |= 1ull << i;
	}
	frame_fault_clear();
	return bits;
}

START_TEST(test_fault_rate_is_seeded_and_reproducible)
{
	uint64_t a = failure_pattern(42), b = failure_pattern(42), c = failure_pattern(43);

	ck_assert_uint_eq(a, b);
	ck_assert_uint_ne(a, c);
	/* Half the calls, roughly: 64 fair coins land outside 12..52 with p < 1e-7. */
	ck_assert_int_ge(__builtin_popcountll(a), 12);
	ck_assert_int_le(__builtin_popcountll(a), 52);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* Concurrency: every frame has an owner slot; taking a frame that already has an
 * owner would mean the allocator handed it out twice. */
#define STRESS_ITERS 3000
#define STRESS_HELD 24
static _Atomic int owner[2][TEST_RAM0_SIZE / PAGE_SIZE];
static atomic_uint stress_errors;

static _Atomic int *owner_slot(paddr_t frame)
{
	uint64_t pa = pa_bits(frame);

	if (pa >= TEST_RAM1_BASE)
		return &owner[1][(pa - TEST_RAM1_BASE) / PAGE_SIZE];
	return &owner[0][(pa - TEST_RAM0_BASE) / PAGE_SIZE];
}

static void stress_worker(void *arg)
{
	(void)arg;
	int me = (int)hal_pcpu_id() + 1;
	paddr_t held[STRESS_HELD];
	int nheld = 0;
	unsigned seed = (unsigned)me * 7919u;

	for (int i = 0; i < STRESS_ITERS; i++) {
		bool take = nheld == 0 || (nheld < STRESS_HELD && rand_r(&seed) % 2);
		if (take) {
			paddr_t pa;
			if (frame_alloc(&pa) != 0) {
				atomic_fetch_add(&stress_errors, 1);
				continue;
			}
			int expected = 0;
			if (!atomic_compare_exchange_strong(owner_slot(pa), &expected, me))
				atomic_fetch_add(&stress_errors, 1);
			held[nheld++] = pa;
		} else {
			int k = (int)(rand_r(&seed) % (unsigned)nheld);
			paddr_t pa = held[k];
			held[k] = held[--nheld];
			atomic_store(owner_slot(pa), 0);
			if (frame_free(pa) != 0)
				atomic_fetch_add(&stress_errors, 1);
		}
	}
	while (nheld) {
		paddr_t pa = held[--nheld];
		atomic_store(owner_slot(pa), 0);
		if (frame_free(pa) != 0)
			atomic_fetch_add(&stress_errors, 1);
	}
}

START_TEST(test_eight_pcpus_never_get_the_same_frame)
{
	test_on_pcpus(8, stress_worker, NULL);
	ck_assert_uint_eq(atomic_load(&stress_errors), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
	ck_assert_uint_ge(frame_alloc_calls(), 8 * STRESS_ITERS / 3);
}
END_TEST

/* ---- Accounts and reservations ------------------------------------------------------ */

START_TEST(test_reserved_frames_are_not_available_to_unaccounted_allocation)
{
	struct frame_account a = { 0 };
	static paddr_t got[USABLE];
	size_t n = 0;

	ck_assert_int_eq(frame_reserve(&a, 100, NULL), 0);
	ck_assert_uint_eq(frame_available(), USABLE - 100);
	ck_assert_uint_eq(frame_free_count(), USABLE);
	while (frame_alloc(&got[n]) == 0)
		n++;
	ck_assert_uint_eq(n, USABLE - 100);
	/* The account still gets every frame it was promised, one by one. */
	paddr_t mine[100];
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(frame_alloc_acct(&a, &mine[i]), 0);
	ck_assert_int_eq(frame_alloc_acct(&a, &mine[0]), -ENOMEM); /* beyond its reservation */
	ck_assert_uint_eq(a.in_use, 100);
	ck_assert_uint_eq(a.peak, 100);
	ck_assert_int_eq(frame_unreserve(&a), -EBUSY);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(frame_free_acct(&a, mine[i]), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(frame_free(got[i]), 0);
	ck_assert_uint_eq(a.in_use, 0);
	ck_assert_uint_eq(a.peak, 100);
	ck_assert_int_eq(frame_unreserve(&a), 0);
	ck_assert_uint_eq(frame_available(), USABLE);
}
END_TEST

START_TEST(test_reservation_beyond_what_is_available_is_refused_with_the_count)
{
	struct frame_account a = { 0 }, b = { 0 };
	size_t avail = 0;

	ck_assert_int_eq(frame_reserve(&a, USABLE - 10, NULL), 0);
	ck_assert_int_eq(frame_reserve(&b, 11, &avail), -ENOMEM);
	ck_assert_uint_eq(avail, 10);
	ck_assert_uint_eq(b.reserved, 0);
	ck_assert_int_eq(frame_reserve(&b, 10, &avail), 0);
	ck_assert_uint_eq(frame_available(), 0);
	paddr_t pa;
	ck_assert_int_eq(frame_alloc(&pa), -ENOMEM);
	ck_assert_int_eq(frame_claim_at(pa_make(TEST_RAM1_BASE + PAGE_SIZE), PAGE_SIZE), -ENOMEM);
	ck_assert_int_eq(frame_unreserve(&a), 0);
	ck_assert_int_eq(frame_unreserve(&b), 0);
	ck_assert_uint_eq(frame_available(), USABLE);
}
END_TEST

START_TEST(test_accounted_claim_and_contig_draw_from_the_reservation)
{
	struct frame_account a = { 0 };
	paddr_t run;

	ck_assert_int_eq(frame_reserve(&a, 24, NULL), 0);
	ck_assert_int_eq(frame_claim_at_acct(&a, pa_make(TEST_RAM1_BASE + 16 * PAGE_SIZE),
					     16 * PAGE_SIZE), 0);
	ck_assert_int_eq(frame_alloc_contig_acct(&a, 16, 1, &run), -ENOMEM); /* 8 left */
	ck_assert_int_eq(frame_alloc_contig_acct(&a, 8, 8, &run), 0);
	ck_assert_uint_eq(a.in_use, 24);
	ck_assert_uint_eq(frame_outstanding(), 24);
	ck_assert_uint_eq(frame_available(), USABLE - 24);
	/* Giving back more than it holds is refused and changes nothing. */
	struct frame_account empty = { 0 };
	ck_assert_int_eq(frame_free_contig_acct(&empty, run, 8), -EINVAL);
	ck_assert_int_eq(frame_release_at_acct(&empty, pa_make(TEST_RAM1_BASE + 16 * PAGE_SIZE),
					       PAGE_SIZE),
			 -EINVAL);
	ck_assert_uint_eq(frame_outstanding(), 24);
	ck_assert_int_eq(frame_free_contig_acct(&a, run, 8), 0);
	ck_assert_int_eq(frame_release_at_acct(&a, pa_make(TEST_RAM1_BASE + 16 * PAGE_SIZE),
					       16 * PAGE_SIZE),
			 0);
	ck_assert_uint_eq(a.in_use, 0);
	ck_assert_int_eq(frame_unreserve(&a), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_a_failed_reservation_is_an_injectable_allocation_call)
{
	struct frame_account a = { 0 };

	frame_fault_fail_nth(1);
	ck_assert_int_eq(frame_reserve(&a, 1, NULL), -ENOMEM);
	ck_assert_uint_eq(a.reserved, 0);
	ck_assert_int_eq(frame_reserve(&a, 1, NULL), 0);
	ck_assert_int_eq(frame_unreserve(&a), 0);
}
END_TEST

START_TEST(test_range_kind_tells_claimable_ram_from_bitmaps_and_holes)
{
	ck_assert_int_eq(frame_range_kind(pa_make(TEST_RAM0_BASE + PAGE_SIZE),
					  TEST_RAM0_SIZE - PAGE_SIZE),
			 FRAME_RANGE_RAM);
	ck_assert_int_eq(frame_range_kind(pa_make(TEST_RAM0_BASE), 2 * PAGE_SIZE),
			 FRAME_RANGE_BITMAP);
	ck_assert_int_eq(frame_range_kind(pa_make(TEST_RAM1_BASE + TEST_RAM1_SIZE - PAGE_SIZE),
					  2 * PAGE_SIZE),
			 FRAME_RANGE_PARTIAL);
	ck_assert_int_eq(frame_range_kind(pa_make(TEST_RAM0_BASE + TEST_RAM0_SIZE), PAGE_SIZE),
			 FRAME_RANGE_NOT_RAM);
	ck_assert_int_eq(frame_range_kind(pa_make(0x1001), PAGE_SIZE), FRAME_RANGE_NOT_RAM);
}
END_TEST

START_TEST(test_init_refuses_ranges_too_small_for_any_frame)
{
	struct hal_sim_config cfg = { .pcpus = 1, .nranges = 1,
				      .ranges = { { { 0x40000000 }, PAGE_SIZE } } };

	test_machine_down();
	ck_assert_int_eq(hal_sim_init(&cfg), 0);
	ck_assert_int_eq(frame_init(), -ENOMEM);
	hal_sim_fini();
	cfg.ranges[0].size = 2 * PAGE_SIZE;
	ck_assert_int_eq(hal_sim_init(&cfg), 0);
	ck_assert_int_eq(frame_init(), 0);
	ck_assert_uint_eq(frame_total(), 1);
}
END_TEST

/* ---- The per-pCPU caches ------------------------------------------------------------ */

static void act_as(unsigned cpu)
{
	ck_assert_int_eq(hal_sim_act_as_pcpu(cpu), 0);
}

START_TEST(test_a_frame_cached_on_one_pcpu_is_claimable_from_another)
{
	paddr_t pa;

	act_as(1);
	ck_assert_int_eq(frame_alloc(&pa), 0);
	ck_assert_int_eq(frame_free(pa), 0);
	ck_assert_uint_ge(frame_cached(), 1); /* free, but in pCPU 1's cache */
	act_as(0);
	ck_assert_int_eq(frame_claim_at(pa, PAGE_SIZE), 0);
	ck_assert_uint_eq(frame_outstanding(), 1);
	/* Claimed, so no cache hands it out any more, whichever pCPU asks. */
	for (unsigned cpu = 0; cpu < 8; cpu++) {
		paddr_t other;
		act_as(cpu);
		ck_assert_int_eq(frame_alloc(&other), 0);
		ck_assert_uint_ne(pa_bits(other), pa_bits(pa));
		ck_assert_int_eq(frame_free(other), 0);
	}
	ck_assert_int_eq(frame_release_at(pa, PAGE_SIZE), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_counts_are_exact_while_caches_hold_frames)
{
	paddr_t pa[4][10];

	for (unsigned cpu = 0; cpu < 4; cpu++) {
		act_as(cpu);
		for (int i = 0; i < 10; i++)
			ck_assert_int_eq(frame_alloc(&pa[cpu][i]), 0);
		for (int i = 0; i < 5; i++)
			ck_assert_int_eq(frame_free(pa[cpu][i]), 0);
	}
	ck_assert_uint_gt(frame_cached(), 0);
	ck_assert_uint_eq(frame_outstanding(), 20);
	ck_assert_uint_eq(frame_free_count(), USABLE - 20);
	ck_assert_uint_eq(frame_available(), USABLE - 20);
	/* Frames one pCPU took, given back on another (a VM torn down elsewhere). */
	act_as(7);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		for (int i = 5; i < 10; i++)
			ck_assert_int_eq(frame_free(pa[cpu][i]), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
	ck_assert_uint_eq(frame_available(), USABLE);
	frame_cache_drain_all();
	ck_assert_uint_eq(frame_cached(), 0);
	ck_assert_uint_eq(frame_free_count(), USABLE);
}
END_TEST

START_TEST(test_a_cached_frame_freed_again_is_refused_on_any_pcpu)
{
	paddr_t pa;

	act_as(2);
	ck_assert_int_eq(frame_alloc(&pa), 0);
	ck_assert_int_eq(frame_free(pa), 0);
	for (unsigned cpu = 0; cpu < 8; cpu++) {
		act_as(cpu);
		ck_assert_int_eq(frame_free(pa), -EINVAL);
	}
	frame_cache_drain_all();
	ck_assert_int_eq(frame_free(pa), -EINVAL);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* All frames but keep taken, in all[]; how many. */
static size_t take_all_but(paddr_t *all, size_t keep)
{
	size_t n = 0;

	while (n < USABLE - keep)
		ck_assert_int_eq(frame_alloc(&all[n++]), 0);
	return n;
}

/* Two pCPUs free the same frames at once: each frame is freed exactly once. */
#define RACE_FRAMES 512
static paddr_t race_frames[RACE_FRAMES];
static atomic_uint race_wins;

static void race_free_all(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < RACE_FRAMES; i++)
		if (frame_free(race_frames[i]) == 0)
			atomic_fetch_add(&race_wins, 1);
}

START_TEST(test_a_double_free_racing_on_two_pcpus_frees_once)
{
	for (int round = 0; round < 20; round++) {
		for (unsigned i = 0; i < RACE_FRAMES; i++)
			ck_assert_int_eq(frame_alloc(&race_frames[i]), 0);
		atomic_store(&race_wins, 0);
		test_on_pcpus(2, race_free_all, NULL);
		ck_assert_uint_eq(atomic_load(&race_wins), RACE_FRAMES);
		ck_assert_uint_eq(frame_outstanding(), 0);
	}
	/* And nothing is handed out twice afterwards. */
	static paddr_t all[USABLE];
	take_all_but(all, 0);
	paddr_t extra;
	ck_assert_int_eq(frame_alloc(&extra), -ENOMEM);
	for (size_t i = 0; i < USABLE; i++)
		ck_assert_int_eq(frame_free(all[i]), 0);
}
END_TEST

START_TEST(test_the_last_free_frames_are_found_in_another_pcpus_cache)
{
	static paddr_t all[USABLE];
	size_t n = take_all_but(all, 0);
	paddr_t none;

	ck_assert_int_eq(frame_alloc(&none), -ENOMEM);
	act_as(5);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(frame_free(all[--n]), 0);
	ck_assert_uint_eq(frame_cached(), 3);
	act_as(0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(frame_alloc(&all[n++]), 0);
	ck_assert_int_eq(frame_alloc(&all[n]), -ENOMEM);
	/* The same for an account: what it was promised is there, wherever it sits. */
	struct frame_account a = { 0 };
	act_as(6);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(frame_free(all[--n]), 0);
	act_as(1);
	ck_assert_int_eq(frame_reserve(&a, 4, NULL), 0);
	ck_assert_uint_eq(frame_available(), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(frame_alloc_acct(&a, &all[n++]), 0);
	ck_assert_int_eq(frame_alloc_acct(&a, &all[n]), -ENOMEM);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(frame_free_acct(&a, all[--n]), 0);
	ck_assert_int_eq(frame_unreserve(&a), 0);
	while (n)
		ck_assert_int_eq(frame_free(all[--n]), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_reserving_all_that_is_available_while_caches_hold_tokens)
{
	struct frame_account a = { 0 };
	paddr_t pa;

	/* Every pCPU's cache takes frames and the right to hand them out. */
	for (unsigned cpu = 0; cpu < 8; cpu++) {
		act_as(cpu);
		ck_assert_int_eq(frame_alloc(&pa), 0);
		ck_assert_int_eq(frame_free(pa), 0);
	}
	size_t avail = frame_available();
	ck_assert_uint_eq(avail, USABLE);
	ck_assert_int_eq(frame_reserve(&a, avail, NULL), 0);
	for (unsigned cpu = 0; cpu < 8; cpu++) {
		act_as(cpu);
		ck_assert_int_eq(frame_alloc(&pa), -ENOMEM); /* everything is promised */
	}
	ck_assert_int_eq(frame_claim_at(pa_make(TEST_RAM0_BASE + 16 * PAGE_SIZE), PAGE_SIZE),
			 -ENOMEM);
	ck_assert_int_eq(frame_unreserve(&a), 0);
	ck_assert_int_eq(frame_alloc(&pa), 0);
	ck_assert_int_eq(frame_free(pa), 0);
}
END_TEST

START_TEST(test_an_account_is_charged_exactly_across_pcpus)
{
	struct frame_account a = { 0 };
	paddr_t pa[10];

	ck_assert_int_eq(frame_reserve(&a, 10, NULL), 0);
	for (int i = 0; i < 10; i++) {
		act_as((unsigned)i % 3);
		ck_assert_int_eq(frame_alloc_acct(&a, &pa[i]), 0);
	}
	paddr_t extra;
	act_as(4);
	ck_assert_int_eq(frame_alloc_acct(&a, &extra), -ENOMEM);
	struct frame_account got = frame_account_read(&a);
	ck_assert_uint_eq(got.in_use, 10);
	ck_assert_uint_eq(got.peak, 10);
	ck_assert_int_eq(frame_unreserve(&a), -EBUSY);
	for (int i = 0; i < 10; i++) {
		act_as(7 - (unsigned)i % 2);
		ck_assert_int_eq(frame_free_acct(&a, pa[i]), 0);
	}
	/* More than it holds: refused, and the frame stays free for nobody to lose. */
	ck_assert_int_eq(frame_free_acct(&a, pa[0]), -EINVAL);
	ck_assert_int_eq(frame_alloc(&extra), 0);
	ck_assert_int_eq(frame_free_acct(&a, extra), -EINVAL);
	ck_assert_int_eq(frame_free(extra), 0);
	ck_assert_uint_eq(frame_account_read(&a).in_use, 0);
	ck_assert_int_eq(frame_unreserve(&a), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_fail_nth_counts_the_calls_every_cache_served)
{
	paddr_t pa;
	uint64_t calls = frame_alloc_calls();

	for (unsigned cpu = 0; cpu < 4; cpu++) {
		act_as(cpu);
		ck_assert_int_eq(frame_alloc(&pa), 0);
		ck_assert_int_eq(frame_free(pa), 0);
	}
	ck_assert_uint_eq(frame_alloc_calls(), calls + 4);
	frame_fault_fail_nth(3);
	act_as(1);
	ck_assert_int_eq(frame_alloc(&pa), 0);
	ck_assert_int_eq(frame_free(pa), 0);
	act_as(2);
	ck_assert_int_eq(frame_alloc(&pa), 0);
	ck_assert_int_eq(frame_free(pa), 0);
	act_as(3);
	ck_assert_int_eq(frame_alloc(&pa), -ENOMEM); /* the third from then, on any pCPU */
	act_as(0);
	ck_assert_int_eq(frame_alloc(&pa), 0);
	ck_assert_int_eq(frame_free(pa), 0);
	ck_assert_uint_eq(frame_alloc_calls(), calls + 8);
}
END_TEST

/* A cached frame breaks a free run until the caches are drained: a run that only fits
 * over cached frames is still found. */
START_TEST(test_a_contig_run_over_cached_frames_is_found)
{
	static paddr_t all[USABLE];
	size_t n = take_all_but(all, 0);

	/* Free one range's frames on several pCPUs: they sit in caches and maps. */
	for (size_t i = 0; i < n; i++) {
		if (pa_bits(all[i]) < TEST_RAM1_BASE)
			continue;
		act_as((unsigned)i % 8);
		ck_assert_int_eq(frame_free(all[i]), 0);
		all[i] = PADDR_INVALID;
	}
	ck_assert_uint_gt(frame_cached(), 0);
	paddr_t run;
	size_t frames = TEST_RAM1_SIZE / PAGE_SIZE - META_FRAMES;
	act_as(0);
	ck_assert_int_eq(frame_alloc_contig(frames, 1, &run), 0);
	ck_assert_uint_eq(pa_bits(run), TEST_RAM1_BASE + META_FRAMES * PAGE_SIZE);
	ck_assert_int_eq(frame_free_contig(run, frames), 0);
	for (size_t i = 0; i < n; i++)
		if (!pa_eq(all[i], PADDR_INVALID))
			ck_assert_int_eq(frame_free(all[i]), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* ---- The caches under concurrency ----------------------------------------------------- */

/* pCPU 0 allocates frames and hands them to pCPU 1, which frees them (a VM built on
 * one pCPU and torn down on another, over and over) and also allocates and frees a
 * frame of its own each time: pCPU 1's cache fills with the frames, and the right to
 * hand them out, that pCPU 0 needs, while pCPU 1 keeps using its cache. pCPU 0 has at
 * most HELD frames out at a time and pCPU 1 one, against a pool of SCARCE free frames
 * (all others taken), so no allocation may ever fail, wherever the free frames sit. */
#define HELD 4
#define SCARCE (HELD + 1)
#define SCARCE_ITERS 30000
static atomic_uint scarce_failures;
static struct frame_account *scarce_acct;
static atomic_uint started;

/* Spin until n pCPUs got here, so that they really run at once (a pCPU's thread takes
 * longer to start than some of these loops take to run). */
static void start_together(unsigned n)
{
	atomic_fetch_add(&started, 1);
	while (atomic_load(&started) < n)
		hal_cpu_relax();
}

/* Frames pCPU 0 took, on their way to pCPU 1: a single-producer ring. */
static paddr_t lane[HELD];
static atomic_uint lane_head, lane_tail; /* popped, pushed */
static atomic_uint lane_out;             /* taken by pCPU 0 and not yet freed */
static atomic_bool lane_done;            /* pCPU 0 pushes no more */

static void scarce_fail(void)
{
	atomic_fetch_add(&scarce_failures, 1);
}

static void scarce_producer(void)
{
	for (int i = 0; i < SCARCE_ITERS; i++) {
		while (atomic_load(&lane_out) == HELD)
			sched_yield(); /* the consumer may share this core */
		unsigned tail = atomic_load(&lane_tail);
		if (frame_alloc_acct(scarce_acct, &lane[tail % HELD]) != 0) {
			scarce_fail();
			continue;
		}
		atomic_fetch_add(&lane_out, 1);
		atomic_store(&lane_tail, tail + 1);
	}
	atomic_store(&lane_done, true);
}

static void scarce_consumer(void)
{
	for (;;) {
		unsigned head = atomic_load(&lane_head);
		bool done = atomic_load(&lane_done);
		if (head != atomic_load(&lane_tail)) {
			paddr_t pa = lane[head % HELD];
			atomic_store(&lane_head, head + 1);
			if (frame_free_acct(scarce_acct, pa) != 0)
				scarce_fail();
			atomic_fetch_sub(&lane_out, 1);
		} else if (done) {
			return;
		}
		paddr_t mine;
		if (frame_alloc_acct(scarce_acct, &mine) != 0)
			scarce_fail();
		else if (frame_free_acct(scarce_acct, mine) != 0)
			scarce_fail();
	}
}

static void scarce_worker(void *arg)
{
	(void)arg;
	start_together(2);
	if (hal_pcpu_id() == 0)
		scarce_producer();
	else
		scarce_consumer();
}

START_TEST(test_scarce_frames_are_never_refused_to_racing_pcpus)
{
	static paddr_t all[USABLE];
	size_t n = take_all_but(all, SCARCE);

	test_on_pcpus(2, scarce_worker, NULL);
	ck_assert_uint_eq(atomic_load(&scarce_failures), 0);
	ck_assert_uint_eq(frame_outstanding(), USABLE - SCARCE);
	ck_assert_uint_eq(frame_available(), SCARCE);
	while (n)
		ck_assert_int_eq(frame_free(all[--n]), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_a_scarce_reservation_is_never_refused_to_racing_pcpus)
{
	static paddr_t all[USABLE];
	struct frame_account a = { 0 };

	ck_assert_int_eq(frame_reserve(&a, SCARCE, NULL), 0);
	size_t n = take_all_but(all, SCARCE);
	ck_assert_int_eq(frame_alloc(&all[n]), -ENOMEM); /* the rest is promised */
	scarce_acct = &a;
	test_on_pcpus(2, scarce_worker, NULL);
	ck_assert_uint_eq(atomic_load(&scarce_failures), 0);
	struct frame_account got = frame_account_read(&a);
	ck_assert_uint_eq(got.in_use, 0);
	ck_assert_uint_le(got.peak, SCARCE);
	ck_assert_int_eq(frame_unreserve(&a), 0);
	while (n)
		ck_assert_int_eq(frame_free(all[--n]), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* pCPU 0 watches while pCPUs 1 .. 3 each hold at most one frame: the counts it reads
 * are exact at every moment, whatever the caches hold. */
#define WATCHED 3
static atomic_int watch_done;
static atomic_uint watch_errors;

static void watched_worker(void *arg)
{
	(void)arg;
	if (hal_pcpu_id() == 0) {
		while (atomic_load(&watch_done) < WATCHED) {
			size_t out = frame_outstanding(), avail = frame_available();
			size_t cached = frame_cached(), nfree = frame_free_count();
			if (out > WATCHED || avail < USABLE - WATCHED || avail > USABLE ||
			    nfree < USABLE - WATCHED || nfree > USABLE || cached > USABLE)
				atomic_fetch_add(&watch_errors, 1);
		}
		return;
	}
	for (int i = 0; i < SCARCE_ITERS; i++) {
		paddr_t pa;
		if (frame_alloc(&pa) != 0 || frame_free(pa) != 0)
			atomic_fetch_add(&watch_errors, 1);
	}
	atomic_fetch_add(&watch_done, 1);
}

START_TEST(test_counts_read_while_pcpus_allocate_are_exact)
{
	test_on_pcpus(WATCHED + 1, watched_worker, NULL);
	ck_assert_uint_eq(atomic_load(&watch_errors), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
	ck_assert_uint_eq(frame_available(), USABLE);
}
END_TEST

/* Each pCPU takes KEPT frames and gives back FREED of them, so its cache holds some;
 * what is outstanding is exactly what they kept. */
#define KEPT 50
#define FREED 20
static paddr_t kept[8][KEPT];

static void keep_some(void *arg)
{
	(void)arg;
	unsigned me = hal_pcpu_id();
	for (int i = 0; i < KEPT; i++)
		if (frame_alloc(&kept[me][i]) != 0)
			atomic_fetch_add(&watch_errors, 1);
	for (int i = 0; i < FREED; i++)
		if (frame_free(kept[me][i]) != 0)
			atomic_fetch_add(&watch_errors, 1);
}

START_TEST(test_outstanding_is_exact_while_frames_sit_in_four_pcpus_caches)
{
	test_on_pcpus(4, keep_some, NULL);
	ck_assert_uint_eq(atomic_load(&watch_errors), 0);
	ck_assert_uint_ge(frame_cached(), 4 * FREED);
	ck_assert_uint_eq(frame_outstanding(), 4 * (KEPT - FREED));
	ck_assert_uint_eq(frame_free_count(), USABLE - 4 * (KEPT - FREED));
	ck_assert_uint_eq(frame_available(), USABLE - 4 * (KEPT - FREED));
	/* A cached frame is refused a second free; the kept ones are freed elsewhere. */
	act_as(6);
	for (unsigned cpu = 0; cpu < 4; cpu++) {
		ck_assert_int_eq(frame_free(kept[cpu][0]), -EINVAL);
		for (int i = FREED; i < KEPT; i++)
			ck_assert_int_eq(frame_free(kept[cpu][i]), 0);
	}
	ck_assert_uint_eq(frame_outstanding(), 0);
	frame_cache_drain_all();
	ck_assert_uint_eq(frame_cached(), 0);
	ck_assert_uint_eq(frame_free_count(), USABLE);
}
END_TEST

/* Four pCPUs charge one account at once, each trying for more than its share: exactly
 * the reservation is handed out, and everything comes back on other pCPUs. */
#define SHARED_RESERVED 100
static struct frame_account shared_acct;
static paddr_t shared_got[4][SHARED_RESERVED];
static atomic_uint shared_count[4];

static void charge_shared(void *arg)
{
	(void)arg;
	unsigned me = hal_pcpu_id(), n = 0;
	for (int i = 0; i < SHARED_RESERVED; i++)
		if (frame_alloc_acct(&shared_acct, &shared_got[me][n]) == 0)
			n++;
	atomic_store(&shared_count[me], n);
}

static void uncharge_other(void *arg)
{
	(void)arg;
	unsigned from = (hal_pcpu_id() + 1) % 4;
	for (unsigned i = 0; i < atomic_load(&shared_count[from]); i++)
		if (frame_free_acct(&shared_acct, shared_got[from][i]) != 0)
			atomic_fetch_add(&watch_errors, 1);
}

START_TEST(test_one_account_charged_from_four_pcpus_at_once_is_exact)
{
	ck_assert_int_eq(frame_reserve(&shared_acct, SHARED_RESERVED, NULL), 0);
	test_on_pcpus(4, charge_shared, NULL);
	unsigned total = 0;
	for (int i = 0; i < 4; i++)
		total += atomic_load(&shared_count[i]);
	ck_assert_uint_eq(total, SHARED_RESERVED);
	struct frame_account got = frame_account_read(&shared_acct);
	ck_assert_uint_eq(got.in_use, SHARED_RESERVED);
	ck_assert_uint_eq(got.peak, SHARED_RESERVED);
	ck_assert_uint_eq(frame_outstanding(), SHARED_RESERVED);
	ck_assert_uint_eq(frame_available(), USABLE - SHARED_RESERVED);
	test_on_pcpus(4, uncharge_other, NULL);
	ck_assert_uint_eq(atomic_load(&watch_errors), 0);
	ck_assert_uint_eq(frame_account_read(&shared_acct).in_use, 0);
	ck_assert_int_eq(frame_unreserve(&shared_acct), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* Armed while four pCPUs allocate: exactly one call of all of theirs fails, and every
 * call is counted. */
#define ARMED_CALLS 5000
static atomic_uint armed_failures;

static void allocate_while_armed(void *arg)
{
	(void)arg;
	for (int i = 0; i < ARMED_CALLS; i++) {
		paddr_t pa;
		if (hal_pcpu_id() == 0 && i == ARMED_CALLS / 4)
			frame_fault_fail_nth(ARMED_CALLS / 2); /* pCPU 0 alone makes that many */
		if (frame_alloc(&pa) != 0)
			atomic_fetch_add(&armed_failures, 1);
		else if (frame_free(pa) != 0)
			atomic_fetch_add(&watch_errors, 1);
	}
}

START_TEST(test_fail_nth_armed_while_pcpus_allocate_fails_one_call)
{
	uint64_t calls = frame_alloc_calls();

	test_on_pcpus(4, allocate_while_armed, NULL);
	ck_assert_uint_eq(atomic_load(&armed_failures), 1);
	ck_assert_uint_eq(atomic_load(&watch_errors), 0);
	ck_assert_uint_eq(frame_alloc_calls(), calls + 4 * ARMED_CALLS);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* A free charged to an account that holds nothing is refused; racing with it, the
 * owner's own free of the same frame succeeds every time. A third pCPU keeps reading
 * the account, so that whoever takes its lock may have to wait. */
#define REFUSED_ROUNDS 10000
static struct frame_account refused_acct;
static paddr_t refused_pa;
static atomic_uint refused_go, refused_done, refused_errors;

static void free_to_empty_account(void *arg)
{
	(void)arg;
	if (hal_pcpu_id() == 2) {
		for (unsigned k = 1; atomic_load(&refused_done) < REFUSED_ROUNDS; k++) {
			if (frame_account_read(&refused_acct).in_use != 0)
				atomic_fetch_add(&refused_errors, 1);
			if (k % 16 == 0)
				sched_yield(); /* three pCPUs may share fewer cores */
		}
		return;
	}
	for (unsigned r = 1; r <= REFUSED_ROUNDS; r++) {
		while (atomic_load(&refused_go) < r)
			sched_yield();
		if (frame_free_acct(&refused_acct, refused_pa) != -EINVAL)
			atomic_fetch_add(&refused_errors, 1);
		atomic_store(&refused_done, r);
	}
}

START_TEST(test_a_refused_accounted_free_never_hides_the_frame_from_its_owner)
{
	unsigned seed = 1;

	ck_assert_int_eq(hal_pcpu_start(1, free_to_empty_account, NULL), 0);
	ck_assert_int_eq(hal_pcpu_start(2, free_to_empty_account, NULL), 0);
	for (unsigned r = 1; r <= REFUSED_ROUNDS; r++) {
		ck_assert_int_eq(frame_alloc(&refused_pa), 0);
		atomic_store(&refused_go, r);
		/* Sweep the owner's free across the time the refused one takes. */
		for (unsigned k = (unsigned)rand_r(&seed) % 64; k > 0; k--)
			hal_cpu_relax();
		if (frame_free(refused_pa) != 0)
			atomic_fetch_add(&refused_errors, 1);
		while (atomic_load(&refused_done) < r)
			sched_yield();
	}
	ck_assert_int_eq(hal_sim_join(1), 0);
	ck_assert_int_eq(hal_sim_join(2), 0);
	ck_assert_uint_eq(atomic_load(&refused_errors), 0);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("frame");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_total_counts_both_ranges_minus_bitmaps);
	tcase_add_test(tc, test_alloc_gives_distinct_aligned_frames_in_ram);
	tcase_add_test(tc, test_alloc_zeroed_clears_old_contents);
	tcase_add_test(tc, test_fill_writes_every_byte_of_the_frame);
	tcase_add_test(tc, test_phys_frame_double_free_is_refused);
	tcase_add_test(tc, test_exhaustion_returns_enomem_and_everything_comes_back);
	tcase_add_test(tc, test_contig_run_is_aligned_contiguous_and_exclusive);
	tcase_add_test(tc, test_contig_run_larger_than_any_range_fails);
	tcase_add_test(tc, test_bad_arguments_get_error_codes);
	tcase_add_test(tc, test_claim_overlapping_or_out_of_range_is_refused);
	tcase_add_test(tc, test_claimed_region_is_never_handed_out);
	tcase_add_test(tc, test_fail_nth_fails_exactly_that_call);
	tcase_add_test(tc, test_fault_injected_at_each_allocation_is_rolled_back);
	tcase_add_test(tc, test_fault_rate_is_seeded_and_reproducible);
	tcase_add_test(tc, test_eight_pcpus_never_get_the_same_frame);
	tcase_add_test(tc, test_init_refuses_ranges_too_small_for_any_frame);
	tcase_add_test(tc, test_reserved_frames_are_not_available_to_unaccounted_allocation);
	tcase_add_test(tc, test_reservation_beyond_what_is_available_is_refused_with_the_count);
	tcase_add_test(tc, test_accounted_claim_and_contig_draw_from_the_reservation);
	tcase_add_test(tc, test_a_failed_reservation_is_an_injectable_allocation_call);
	tcase_add_test(tc, test_range_kind_tells_claimable_ram_from_bitmaps_and_holes);
	tcase_add_test(tc, test_a_frame_cached_on_one_pcpu_is_claimable_from_another);
	tcase_add_test(tc, test_counts_are_exact_while_caches_hold_frames);
	tcase_add_test(tc, test_a_cached_frame_freed_again_is_refused_on_any_pcpu);
	tcase_add_test(tc, test_a_double_free_racing_on_two_pcpus_frees_once);
	tcase_add_test(tc, test_the_last_free_frames_are_found_in_another_pcpus_cache);
	tcase_add_test(tc, test_reserving_all_that_is_available_while_caches_hold_tokens);
	tcase_add_test(tc, test_an_account_is_charged_exactly_across_pcpus);
	tcase_add_test(tc, test_fail_nth_counts_the_calls_every_cache_served);
	tcase_add_test(tc, test_a_contig_run_over_cached_frames_is_found);
	tcase_add_test(tc, test_scarce_frames_are_never_refused_to_racing_pcpus);
	tcase_add_test(tc, test_a_scarce_reservation_is_never_refused_to_racing_pcpus);
	tcase_add_test(tc, test_counts_read_while_pcpus_allocate_are_exact);
	tcase_add_test(tc, test_outstanding_is_exact_while_frames_sit_in_four_pcpus_caches);
	tcase_add_test(tc, test_one_account_charged_from_four_pcpus_at_once_is_exact);
	tcase_add_test(tc, test_fail_nth_armed_while_pcpus_allocate_fails_one_call);
	tcase_add_test(tc, test_a_refused_accounted_free_never_hides_the_frame_from_its_owner);
	suite_add_tcase(s, tc);
	return s;
}
