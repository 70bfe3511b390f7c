/* The virtual PLIC (arch/riscv64/plic.c) as a guest and its devices see it. Offsets are
 * the PLIC spec 1.0.0 memory map (priority 0x0 + 4 * source, pending 0x1000, enables
 * 0x2000 + 0x80 * context, threshold 0x20_0000 + 0x1000 * context, claim/complete 4
 * past it); the board is QEMU 7.2's virt (riscv,ndev 96, 3 priority bits, context 2n
 * hart n's M-mode, 2n + 1 its S-mode). Every expected value is worked out by hand:
 * source s is bit s % 32 of word s / 32. */
#include <check.h>
#include <limits.h>
#include <stdint.h>

#include "arch/riscv64/plic.h"
#include "hal/err.h"
#include "tests/check_main.h"

static struct plic p;

#define PRIO(src)      (4ull * (src))
#define PEND(w)        (0x1000ull + 4ull * (w))
#define ENABLE(ctx, w) (0x2000ull + 0x80ull * (ctx) + 4ull * (w))
#define THRESH(ctx)    (0x200000ull + 0x1000ull * (ctx))
#define CLAIM(ctx)     (0x200004ull + 0x1000ull * (ctx))

static void setup(void)
{
	ck_assert_int_eq(plic_init(&p, 2), 0);
}

static uint64_t rd(uint64_t off)
{
	uint64_t v = 0xDEADBEEFDEADull;

	ck_assert_int_eq(plic_read(&p, off, 4, &v, NULL), 0);
	ck_assert_uint_le(v, UINT32_MAX);
	return v;
}

static void wr(uint64_t off, uint64_t v)
{
	ck_assert_int_eq(plic_write(&p, off, 4, v, NULL), 0);
}

static void level(unsigned src, bool l)
{
	ck_assert_int_eq(plic_set_level(&p, src, l, NULL), 0);
}

/* A source with a priority, enabled for one context. */
static void source(unsigned src, unsigned prio, unsigned ctx)
{
	wr(PRIO(src), prio);
	wr(ENABLE(ctx, src / 32), rd(ENABLE(ctx, src / 32)) | 1u << (src % 32));
}

START_TEST(test_init_refuses_zero_and_too_many_harts)
{
	struct plic q;

	ck_assert_int_eq(plic_init(&q, 0), -EINVAL);
	ck_assert_int_eq(plic_init(&q, PLIC_MAX_HARTS + 1), -EINVAL);
	ck_assert_int_eq(plic_init(&q, UINT_MAX), -EINVAL);
	ck_assert_int_eq(plic_init(&q, 1), 0);
	ck_assert_int_eq(plic_init(&q, 16), 0);
	ck_assert_uint_eq(PLIC_MAX_HARTS, 16);
	/* QEMU 7.2 virt's device tree: reg <0x0 0xc000000 0x0 0x600000>, riscv,ndev 0x60 */
	ck_assert_uint_eq(PLIC_BASE, 0x0C000000);
	ck_assert_uint_eq(PLIC_SIZE, 0x600000);
	ck_assert_uint_eq(PLIC_NDEV, 96);
}
END_TEST

START_TEST(test_reset_values_are_zero)
{
	for (unsigned src = 0; src < 1024; src++)
		ck_assert_uint_eq(rd(PRIO(src)), 0);
	for (unsigned w = 0; w < 32; w++)
		ck_assert_uint_eq(rd(PEND(w)), 0);
	for (unsigned ctx = 0; ctx < 4; ctx++) {
		for (unsigned w = 0; w < 32; w++)
			ck_assert_uint_eq(rd(ENABLE(ctx, w)), 0);
		ck_assert_uint_eq(rd(THRESH(ctx)), 0);
		ck_assert_uint_eq(rd(CLAIM(ctx)), 0);
		ck_assert(!plic_context_eip(&p, ctx));
	}
	ck_assert(!plic_hart_seip(&p, 0));
	ck_assert(!plic_hart_seip(&p, 1));
}
END_TEST

START_TEST(test_priority_keeps_three_bits)
{
	wr(PRIO(1), 0xFFFFFFFF);
	ck_assert_uint_eq(rd(PRIO(1)), 7);
	wr(PRIO(1), 0x10); /* bit 4 is not implemented */
	ck_assert_uint_eq(rd(PRIO(1)), 0);
	wr(PRIO(1), 0x0A);
	ck_assert_uint_eq(rd(PRIO(1)), 2);
	wr(PRIO(96), 0xFFFFFFFD);
	ck_assert_uint_eq(rd(PRIO(96)), 5);
	wr(PRIO(2), 0xFFFFFFFF00000003ull); /* a 32-bit register: bits 63:32 never land */
	ck_assert_uint_eq(rd(PRIO(2)), 3);
	ck_assert_uint_eq(rd(PRIO(3)), 0);
	/* source 0 and sources past ndev are hardwired to zero */
	wr(PRIO(0), 7);
	wr(PRIO(97), 7);
	wr(PRIO(1023), 7);
	ck_assert_uint_eq(rd(PRIO(0)), 0);
	ck_assert_uint_eq(rd(PRIO(97)), 0);
	ck_assert_uint_eq(rd(PRIO(1023)), 0);
}
END_TEST

START_TEST(test_pending_reads_the_gateways_and_ignores_writes)
{
	level(1, true);
	level(33, true);
	level(96, true);
	ck_assert_uint_eq(rd(PEND(0)), 0x00000002);
	ck_assert_uint_eq(rd(PEND(1)), 0x00000002);
	ck_assert_uint_eq(rd(PEND(2)), 0);
	ck_assert_uint_eq(rd(PEND(3)), 0x00000001);
	wr(PEND(0), 0);
	wr(PEND(2), 0xFFFFFFFF);
	wr(PEND(31), 0xFFFFFFFF);
	ck_assert_uint_eq(rd(PEND(0)), 0x00000002);
	ck_assert_uint_eq(rd(PEND(2)), 0);
	ck_assert_uint_eq(rd(PEND(31)), 0);
}
END_TEST

START_TEST(test_enable_bits_per_context)
{
	wr(ENABLE(0, 0), 0xFFFFFFFF);
	wr(ENABLE(0, 1), 0xFFFFFFFF);
	wr(ENABLE(0, 2), 0xFFFFFFFF);
	wr(ENABLE(0, 3), 0xFFFFFFFF);
	wr(ENABLE(0, 4), 0xFFFFFFFF);
	wr(ENABLE(0, 31), 0xFFFFFFFF);
	ck_assert_uint_eq(rd(ENABLE(0, 0)), 0xFFFFFFFE); /* source 0 */
	ck_assert_uint_eq(rd(ENABLE(0, 1)), 0xFFFFFFFF);
	ck_assert_uint_eq(rd(ENABLE(0, 2)), 0xFFFFFFFF);
	ck_assert_uint_eq(rd(ENABLE(0, 3)), 0x00000001); /* source 96 only */
	ck_assert_uint_eq(rd(ENABLE(0, 4)), 0);
	ck_assert_uint_eq(rd(ENABLE(0, 31)), 0);
	for (unsigned ctx = 1; ctx < 4; ctx++)
		for (unsigned w = 0; w < 4; w++)
			ck_assert_uint_eq(rd(ENABLE(ctx, w)), 0);
	wr(ENABLE(3, 1), 0x12345678);
	ck_assert_uint_eq(rd(ENABLE(3, 1)), 0x12345678);
	ck_assert_uint_eq(rd(ENABLE(2, 1)), 0);
	ck_assert_uint_eq(rd(ENABLE(0, 1)), 0xFFFFFFFF);
	wr(ENABLE(0, 1), 0);
	ck_assert_uint_eq(rd(ENABLE(0, 1)), 0);
	ck_assert_uint_eq(rd(ENABLE(3, 1)), 0x12345678);
}
END_TEST

START_TEST(test_threshold_keeps_three_bits_per_context)
{
	wr(THRESH(1), 0xFFFFFFFF);
	ck_assert_uint_eq(rd(THRESH(1)), 7);
	wr(THRESH(2), 9);
	ck_assert_uint_eq(rd(THRESH(2)), 1);
	ck_assert_uint_eq(rd(THRESH(0)), 0);
	ck_assert_uint_eq(rd(THRESH(3)), 0);
	wr(THRESH(1), 0);
	ck_assert_uint_eq(rd(THRESH(1)), 0);
}
END_TEST

/* Priorities 2 (5), 2 (3), 6 (9), 1 (40), 0 (2): 9 first, then 3 before 5 (the lower
 * ID wins a tie), then 40; 2, with priority 0, never. */
START_TEST(test_claims_go_by_priority_then_lowest_id)
{
	source(5, 2, 1);
	source(3, 2, 1);
	source(9, 6, 1);
	source(40, 1, 1);
	source(2, 0, 1);
	for (unsigned s = 2; s <= 40; s++)
		if (s == 2 || s == 3 || s == 5 || s == 9 || s == 40) {
			level(s, true);
			level(s, false);
		}
	ck_assert_uint_eq(rd(PEND(0)), 0x22C); /* 2, 3, 5, 9 */
	ck_assert_uint_eq(rd(PEND(1)), 0x100); /* 40 */
	ck_assert(plic_hart_seip(&p, 0));
	ck_assert_uint_eq(rd(CLAIM(1)), 9);
	ck_assert_uint_eq(rd(PEND(0)), 0x02C);
	ck_assert_uint_eq(rd(CLAIM(1)), 3);
	ck_assert_uint_eq(rd(CLAIM(1)), 5);
	ck_assert_uint_eq(rd(PEND(0)), 0x004);
	ck_assert(plic_hart_seip(&p, 0));
	ck_assert_uint_eq(rd(CLAIM(1)), 40);
	ck_assert_uint_eq(rd(PEND(1)), 0);
	ck_assert(!plic_hart_seip(&p, 0)); /* 2 stays pending, priority 0 */
	ck_assert_uint_eq(rd(CLAIM(1)), 0);
	ck_assert_uint_eq(rd(PEND(0)), 0x004);
}
END_TEST

START_TEST(test_claim_with_nothing_pending_returns_zero)
{
	source(7, 1, 1);
	ck_assert_uint_eq(rd(CLAIM(1)), 0);
	ck_assert_uint_eq(rd(CLAIM(0)), 0);
	ck_assert_uint_eq(rd(CLAIM(3)), 0);
	level(7, true);
	ck_assert_uint_eq(rd(CLAIM(3)), 0); /* pending, but not enabled there */
	ck_assert_uint_eq(rd(PEND(0)), 0x80);
}
END_TEST

/* The output needs priority > threshold; a claim ignores the threshold (PLIC spec,
 * "Interrupt Claim Process"). */
START_TEST(test_threshold_masks_the_output_not_the_claim)
{
	source(4, 3, 1);
	level(4, true);
	wr(THRESH(1), 3);
	ck_assert(!plic_hart_seip(&p, 0));
	wr(THRESH(1), 2);
	ck_assert(plic_hart_seip(&p, 0));
	wr(THRESH(1), 0);
	ck_assert(plic_hart_seip(&p, 0));
	wr(THRESH(1), 7);
	ck_assert(!plic_hart_seip(&p, 0));
	wr(PRIO(4), 7);
	ck_assert(!plic_hart_seip(&p, 0)); /* 7 does not exceed 7 */
	wr(THRESH(1), 6);
	ck_assert(plic_hart_seip(&p, 0));
	wr(THRESH(1), 7);
	ck_assert_uint_eq(rd(CLAIM(1)), 4);
	ck_assert_uint_eq(rd(PEND(0)), 0);
}
END_TEST

START_TEST(test_level_still_high_repends_after_complete)
{
	source(7, 1, 1);
	level(7, true);
	ck_assert_uint_eq(rd(CLAIM(1)), 7);
	ck_assert_uint_eq(rd(PEND(0)), 0); /* in service: the gateway holds it */
	ck_assert(!plic_hart_seip(&p, 0));
	level(7, true);
	ck_assert_uint_eq(rd(PEND(0)), 0);
	ck_assert_uint_eq(rd(CLAIM(1)), 0);
	wr(CLAIM(1), 7);
	ck_assert_uint_eq(rd(PEND(0)), 0x80);
	ck_assert(plic_hart_seip(&p, 0));
	ck_assert_uint_eq(rd(CLAIM(1)), 7);
	level(7, false);
	wr(CLAIM(1), 7);
	ck_assert_uint_eq(rd(PEND(0)), 0);
	ck_assert_uint_eq(rd(CLAIM(1)), 0);
	ck_assert(!plic_hart_seip(&p, 0));
}
END_TEST

START_TEST(test_a_pulse_stays_pending_until_claimed)
{
	source(12, 1, 1);
	level(12, true);
	level(12, false);
	ck_assert_uint_eq(rd(PEND(0)), 0x1000);
	ck_assert(plic_hart_seip(&p, 0));
	ck_assert_uint_eq(rd(CLAIM(1)), 12);
	wr(CLAIM(1), 12);
	ck_assert_uint_eq(rd(PEND(0)), 0);
	ck_assert_uint_eq(rd(CLAIM(1)), 0);
}
END_TEST

START_TEST(test_complete_of_an_id_not_enabled_is_ignored)
{
	source(8, 1, 1);
	level(8, true);
	ck_assert_uint_eq(rd(CLAIM(1)), 8);
	wr(CLAIM(0), 8); /* M context: 8 is not enabled there */
	wr(CLAIM(3), 8);
	ck_assert_uint_eq(rd(PEND(0)), 0);
	/* disabled in the claiming context too: ignored */
	wr(ENABLE(1, 0), 0);
	wr(CLAIM(1), 8);
	wr(ENABLE(1, 0), 0x100);
	ck_assert_uint_eq(rd(PEND(0)), 0);
	ck_assert_uint_eq(rd(CLAIM(1)), 0);
	/* IDs that name no source */
	wr(CLAIM(1), 0);
	wr(CLAIM(1), 97);
	wr(CLAIM(1), 0xFFFFFFFF);
	wr(CLAIM(1), 8 + 1024);
	ck_assert_uint_eq(rd(PEND(0)), 0);
	wr(CLAIM(1), 8);
	ck_assert_uint_eq(rd(PEND(0)), 0x100);
	/* another context where 8 is enabled may complete it (the PLIC does not check
	 * the claimer) */
	wr(ENABLE(3, 0), 0x100);
	ck_assert_uint_eq(rd(CLAIM(1)), 8);
	wr(CLAIM(3), 8);
	ck_assert_uint_eq(rd(PEND(0)), 0x100);
}
END_TEST

START_TEST(test_m_contexts_are_independent_of_s_contexts)
{
	uint64_t kick = 0;

	source(10, 1, 0); /* hart 0 M */
	ck_assert_int_eq(plic_set_level(&p, 10, true, &kick), 0);
	ck_assert(plic_context_eip(&p, 0));
	ck_assert(!plic_context_eip(&p, 1));
	ck_assert(!plic_hart_seip(&p, 0));
	ck_assert_uint_eq(kick, 0);
	wr(THRESH(1), 7); /* S threshold: M output unchanged */
	ck_assert(plic_context_eip(&p, 0));
	ck_assert_uint_eq(rd(CLAIM(1)), 0);
	ck_assert_uint_eq(rd(PEND(0)), 0x400);
	wr(THRESH(0), 1);
	ck_assert(!plic_context_eip(&p, 0));
	ck_assert_uint_eq(rd(THRESH(1)), 7);
	ck_assert_uint_eq(rd(CLAIM(0)), 10);
	/* hart 1's M context (2) and S context (3) */
	source(11, 2, 2);
	level(11, true);
	ck_assert(plic_context_eip(&p, 2));
	ck_assert(!plic_hart_seip(&p, 1));
	ck_assert(!plic_context_eip(&p, 3));
}
END_TEST

static uint64_t kick_of_write(uint64_t off, uint64_t v)
{
	uint64_t kick = 0;

	ck_assert_int_eq(plic_write(&p, off, 4, v, &kick), 0);
	return kick;
}

static uint64_t kick_of_read(uint64_t off, uint64_t *v)
{
	uint64_t kick = 0;

	ck_assert_int_eq(plic_read(&p, off, 4, v, &kick), 0);
	return kick;
}

START_TEST(test_kick_names_the_harts_whose_s_output_changed)
{
	uint64_t kick = 0, v;

	ck_assert_int_eq(plic_init(&p, 4), 0);
	wr(PRIO(11), 2);
	wr(ENABLE(3, 0), 0x800); /* hart 1 S */
	wr(ENABLE(7, 0), 0x800); /* hart 3 S */
	wr(ENABLE(4, 0), 0x800); /* hart 2 M: never kicked */
	ck_assert_int_eq(plic_set_level(&p, 11, true, &kick), 0);
	ck_assert_uint_eq(kick, 0xA);
	kick = 0;
	ck_assert_int_eq(plic_set_level(&p, 11, true, &kick), 0);
	ck_assert_uint_eq(kick, 0);
	ck_assert_uint_eq(kick_of_write(THRESH(3), 2), 0x2); /* hart 1 masked */
	ck_assert_uint_eq(kick_of_write(THRESH(3), 2), 0);
	ck_assert_uint_eq(kick_of_write(THRESH(4), 7), 0); /* an M context */
	ck_assert_uint_eq(kick_of_read(THRESH(7), &v), 0);
	ck_assert_uint_eq(kick_of_read(CLAIM(7), &v), 0x8); /* hart 3's goes down */
	ck_assert_uint_eq(v, 11);
	ck_assert_uint_eq(kick_of_write(CLAIM(7), 11), 0x8); /* still high: again */
	ck_assert_uint_eq(kick_of_write(THRESH(3), 1), 0x2);
	ck_assert_uint_eq(kick_of_write(PRIO(11), 0), 0xA); /* priority 0: both down */
	ck_assert_uint_eq(kick_of_write(PRIO(11), 1), 0x8); /* 1 does not exceed hart 1's 1 */
	ck_assert_uint_eq(kick_of_write(PRIO(11), 2), 0x2);
	ck_assert_uint_eq(kick_of_write(ENABLE(5, 0), 0x800), 0x4); /* hart 2 S */
	ck_assert_uint_eq(kick_of_write(PEND(0), 0), 0);
	ck_assert_uint_eq(kick_of_write(ENABLE(5, 0), 0x800), 0);
	kick = 0x10; /* bits already set stay */
	ck_assert_int_eq(plic_set_level(&p, 11, false, &kick), 0);
	ck_assert_uint_eq(kick, 0x10);
	ck_assert_int_eq(plic_read(&p, CLAIM(5), 4, &v, &kick), 0);
	ck_assert_uint_eq(v, 11);
	ck_assert_uint_eq(kick, 0x1E);
	ck_assert(!plic_hart_seip(&p, 1) && !plic_hart_seip(&p, 2) && !plic_hart_seip(&p, 3));
	/* a NULL kick is allowed */
	ck_assert_int_eq(plic_set_level(&p, 11, true, NULL), 0);
}
END_TEST

START_TEST(test_sixteen_harts_use_all_contexts)
{
	uint64_t kick = 0;

	ck_assert_int_eq(plic_init(&p, 16), 0);
	wr(PRIO(96), 1);
	wr(ENABLE(31, 3), 1); /* hart 15 S, source 96 */
	ck_assert_int_eq(plic_set_level(&p, 96, true, &kick), 0);
	ck_assert_uint_eq(kick, 0x8000);
	ck_assert(plic_hart_seip(&p, 15));
	ck_assert(!plic_hart_seip(&p, 16));
	ck_assert(!plic_context_eip(&p, 32));
	ck_assert_uint_eq(rd(CLAIM(31)), 96);
}
END_TEST

/* Every refused access leaves the value and the state alone: a wide read of a claim
 * register claims nothing. */
static void refused(uint64_t off, unsigned width)
{
	uint64_t v = 0x5A5A, kick = 0;

	ck_assert_msg(plic_read(&p, off, width, &v, &kick) == -EINVAL,
	              "read %#llx width %u accepted", (unsigned long long)off, width);
	ck_assert_uint_eq(v, 0x5A5A);
	ck_assert_msg(plic_write(&p, off, width, 0xFFFFFFFF, &kick) == -EINVAL,
	              "write %#llx width %u accepted", (unsigned long long)off, width);
	ck_assert_uint_eq(kick, 0);
}

START_TEST(test_bad_widths_are_refused)
{
	static const unsigned widths[] = {0, 1, 2, 3, 5, 6, 7, 8, 16, 32, UINT_MAX};
	static const uint64_t offs[] = {PRIO(1), PEND(0), ENABLE(1, 0), THRESH(1), CLAIM(1)};

	source(5, 1, 1);
	level(5, true);
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		for (unsigned j = 0; j < sizeof(widths) / sizeof(widths[0]); j++)
			refused(offs[i], widths[j]);
	ck_assert_uint_eq(rd(PRIO(1)), 0);
	ck_assert_uint_eq(rd(ENABLE(1, 0)), 0x20);
	ck_assert_uint_eq(rd(THRESH(1)), 0);
	ck_assert_uint_eq(rd(PEND(0)), 0x20);
	ck_assert_uint_eq(rd(CLAIM(1)), 5);
}
END_TEST

START_TEST(test_misaligned_accesses_are_refused)
{
	static const uint64_t offs[] = {PRIO(0),      PRIO(1),      PRIO(96),  PEND(0), PEND(3),
	                                ENABLE(0, 0), ENABLE(3, 3), THRESH(1), CLAIM(1)};

	source(5, 1, 1);
	level(5, true);
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		for (uint64_t m = 1; m < 4; m++) {
			refused(offs[i] + m, 4);
			refused(offs[i] + m, 2);
			refused(offs[i] + m, 1);
		}
	ck_assert_uint_eq(rd(PEND(0)), 0x20);
}
END_TEST

START_TEST(test_offsets_past_each_block_are_refused)
{
	static const uint64_t offs[] = {
	    0x1080,         /* past the pending words */
	    0x1FFC,         /* the last word of the gap before the enables */
	    ENABLE(4, 0),   /* past the last context's enables (2 harts) */
	    ENABLE(31, 31), /* the last enable word of 16 harts */
	    0x1F1FFC,       /* the last enable word of context 15871 */
	    0x1FFFFC,       /* the reserved gap before the contexts */
	    0x200008,       /* past context 0's claim/complete */
	    0x200FFC,
	    THRESH(1) + 8,
	    THRESH(4), /* past the last context */
	    CLAIM(4),
	    THRESH(31),
	    0x3FFFFC,  /* the last context page of the spec's map */
	    0x5FFFFC,  /* the last word of the window */
	    PLIC_SIZE, /* past the window */
	    PLIC_SIZE + 4,
	    PLIC_BASE, /* an absolute address, not an offset */
	    PLIC_BASE + 4,
	    0x100000000ull + 4, /* an offset that truncated to 32 bits is valid */
	    0x100000000ull + CLAIM(1),
	    1ull << 63,
	    UINT64_MAX - 3,
	    UINT64_MAX,
	};

	source(5, 1, 1);
	level(5, true);
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		refused(offs[i], 4);
	/* the last registers before each edge are fine */
	ck_assert_uint_eq(rd(PEND(31)), 0);
	ck_assert_uint_eq(rd(ENABLE(3, 31)), 0);
	ck_assert_uint_eq(rd(THRESH(3)), 0);
	ck_assert_uint_eq(rd(PRIO(1023)), 0);
	ck_assert_uint_eq(rd(PEND(0)), 0x20);
	ck_assert_uint_eq(rd(CLAIM(3)), 0);
	ck_assert_uint_eq(rd(CLAIM(1)), 5);
}
END_TEST

START_TEST(test_sources_outside_one_to_ndev_are_refused)
{
	uint64_t kick = 0;
	static const unsigned bad[] = {0, PLIC_NDEV + 1, 127, 128, 1023, 1024, UINT_MAX};

	ck_assert_uint_eq(PLIC_NDEV, 96);
	wr(ENABLE(1, 0), 0xFFFFFFFF);
	wr(ENABLE(1, 3), 0xFFFFFFFF);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(plic_set_level(&p, bad[i], true, &kick), -EINVAL);
		ck_assert_int_eq(plic_set_level(&p, bad[i], false, &kick), -EINVAL);
	}
	ck_assert_uint_eq(kick, 0);
	for (unsigned w = 0; w < 32; w++)
		ck_assert_uint_eq(rd(PEND(w)), 0);
	ck_assert_int_eq(plic_set_level(&p, PLIC_NDEV, true, &kick), 0);
	ck_assert_uint_eq(rd(PEND(3)), 1);
	ck_assert(!plic_hart_seip(&p, 2));
	ck_assert(!plic_hart_seip(&p, UINT_MAX));
	ck_assert(!plic_context_eip(&p, 4));
	ck_assert(!plic_context_eip(&p, UINT_MAX));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("plic");
	TCase *regs = tcase_create("registers");
	TCase *core = tcase_create("claim");
	TCase *bad = tcase_create("hostile");

	tcase_add_checked_fixture(regs, setup, NULL);
	tcase_add_test(regs, test_init_refuses_zero_and_too_many_harts);
	tcase_add_test(regs, test_reset_values_are_zero);
	tcase_add_test(regs, test_priority_keeps_three_bits);
	tcase_add_test(regs, test_pending_reads_the_gateways_and_ignores_writes);
	tcase_add_test(regs, test_enable_bits_per_context);
	tcase_add_test(regs, test_threshold_keeps_three_bits_per_context);
	suite_add_tcase(s, regs);

	tcase_add_checked_fixture(core, setup, NULL);
	tcase_add_test(core, test_claims_go_by_priority_then_lowest_id);
	tcase_add_test(core, test_claim_with_nothing_pending_returns_zero);
	tcase_add_test(core, test_threshold_masks_the_output_not_the_claim);
	tcase_add_test(core, test_level_still_high_repends_after_complete);
	tcase_add_test(core, test_a_pulse_stays_pending_until_claimed);
	tcase_add_test(core, test_complete_of_an_id_not_enabled_is_ignored);
	tcase_add_test(core, test_m_contexts_are_independent_of_s_contexts);
	tcase_add_test(core, test_kick_names_the_harts_whose_s_output_changed);
	tcase_add_test(core, test_sixteen_harts_use_all_contexts);
	suite_add_tcase(s, core);

	tcase_add_checked_fixture(bad, setup, NULL);
	tcase_add_test(bad, test_bad_widths_are_refused);
	tcase_add_test(bad, test_misaligned_accesses_are_refused);
	tcase_add_test(bad, test_offsets_past_each_block_are_refused);
	tcase_add_test(bad, test_sources_outside_one_to_ndev_are_refused);
	suite_add_tcase(s, bad);
	return s;
}
