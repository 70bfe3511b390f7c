/* Second-stage page tables: each format's entry encodings against values worked out by
 * hand from the manuals, and the generic engine's behaviour on all five formats. */
#include <check.h>
#include <string.h>

#include "arch/aarch64/stage2.h"
#include "arch/riscv64/gstage.h"
#include "arch/x86_64/ept.h"
#include "core/frame.h"
#include "core/pt.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)
#define KiB (1ull << 10)
#define RW (PT_R | PT_W)
#define RWX (PT_R | PT_W | PT_X)

static struct pt_format a64_40, a64_48;
static const struct pt_format *formats[5];

struct flush_log {
	unsigned n;
	gpa_t gpa[256];
	uint64_t size[256];
};

static struct flush_log flushes;

static void record_flush(void *ctx, gpa_t gpa, uint64_t size)
{
	struct flush_log *log = ctx;

	if (log->n < 256) {
		log->gpa[log->n] = gpa;
		log->size[log->n] = size;
	}
	log->n++;
}

static void setup(void)
{
	test_machine_up(1, true);
	ck_assert_int_eq(aarch64_s2_format(40, 44, &a64_40), 0);
	ck_assert_int_eq(aarch64_s2_format(48, 48, &a64_48), 0);
	formats[0] = &a64_40;
	formats[1] = &a64_48;
	formats[2] = &riscv_sv39x4;
	formats[3] = &riscv_sv48x4;
	formats[4] = &x86_ept4;
	memset(&flushes, 0, sizeof(flushes));
}

static void teardown(void)
{
	test_machine_down();
}

/* ---- Encodings, by hand ------------------------------------------------------------ */

START_TEST(test_aarch64_leaf_and_table_encodings)
{
	/* Page: [1:0]=0b11, MemAttr=0b1111 (0x3C), S2AP=0b11 (0xC0), SH=0b11 (0x300),
	 * AF (0x400): 0x7FF. */
	ck_assert_uint_eq(pt_leaf_entry(&a64_40, 2, pa_make(0x40001000), RWX), 0x400017FFull);
	/* Read-only device page, XN: 0b11 | MemAttr 0b0001 (0x4) | S2AP 0b01 (0x40) | AF
	 * | XN[1:0]=0b10 (bit 54). */
	ck_assert_uint_eq(pt_leaf_entry(&a64_40, 2, pa_make(0x09000000), PT_R | PT_DEVICE),
			  0x0040000009000447ull);
	/* 2 MiB block at level 2 (index 1 of a 3-level table): [1:0]=0b01. */
	ck_assert_uint_eq(pt_leaf_entry(&a64_40, 1, pa_make(0x80200000), RW),
			  0x00400000802007FDull);
	/* 1 GiB block at level 1 of the 4-level format (index 1). */
	ck_assert_uint_eq(pt_leaf_entry(&a64_48, 1, pa_make(0x40000000), RWX), 0x400007FDull);
	ck_assert_uint_eq(pt_table_entry(&a64_48, pa_make(0x80005000)), 0x80005003ull);
}
END_TEST

START_TEST(test_aarch64_ipa_size_and_vtcr)
{
	uint64_t vtcr;
	unsigned bits;
	struct pt_format f;

	/* 40-bit IPA: three levels from level 1, two concatenated level-1 tables. T0SZ=24,
	 * SL0=0b01, IRGN0=ORGN0=0b01, SH0=0b11, TG0=4K, PS=0b100 (44 bits), RES1 bit 31. */
	ck_assert_uint_eq(a64_40.levels, 3);
	ck_assert_int_eq(aarch64_vtcr(&a64_40, 4, &vtcr), 0);
	ck_assert_uint_eq(vtcr, 0x80043558ull);
	/* 48-bit IPA on a 48-bit PA: four levels, T0SZ=16, SL0=0b10, PS=0b101. */
	ck_assert_int_eq(aarch64_vtcr(&a64_48, 5, &vtcr), 0);
	ck_assert_uint_eq(vtcr, 0x80053590ull);
	/* QEMU's cortex-a72: PARange=0b0100, 44 bits: 4 levels, T0SZ=20, SL0=0b10. */
	ck_assert_int_eq(aarch64_s2_setup(0x1124, &f, &vtcr), 0);
	ck_assert_uint_eq(f.va_bits, 44);
	ck_assert_uint_eq(f.levels, 4);
	ck_assert_uint_eq(vtcr, 0x80043594ull);
	/* PARange=0b0010, 40 bits. */
	ck_assert_int_eq(aarch64_s2_setup(0x2, &f, &vtcr), 0);
	ck_assert_uint_eq(f.levels, 3);
	ck_assert_uint_eq(vtcr, 0x80023558ull);
	ck_assert_int_eq(aarch64_parange_bits(6, &bits), 0);
	ck_assert_uint_eq(bits, 52);
	ck_assert_int_eq(aarch64_parange_bits(7, &bits), -EINVAL);
	ck_assert_int_eq(aarch64_s2_setup(0xF, &f, &vtcr), -EINVAL);
	ck_assert_int_eq(aarch64_s2_format(31, 44, &f), -EINVAL);
	ck_assert_int_eq(aarch64_s2_format(49, 48, &f), -EINVAL);
	ck_assert_int_eq(aarch64_vtcr(&x86_ept4, 4, &vtcr), -EINVAL);
}
END_TEST

START_TEST(test_riscv_encodings_and_hgatp)
{
	uint64_t hgatp;

	/* PPN = pa >> 12 at bit 10; V R W X U A D = 0xDF; no G. */
	ck_assert_uint_eq(pt_leaf_entry(&riscv_sv39x4, 2, pa_make(0x80200000), RWX), 0x200800DFull);
	/* Read-only: V R U A D = 0xD3. */
	ck_assert_uint_eq(pt_leaf_entry(&riscv_sv39x4, 1, pa_make(0x80200000), PT_R),
			  0x200800D3ull);
	/* Device: PBMT=IO (bits 62:61 = 0b10). */
	ck_assert_uint_eq(pt_leaf_entry(&riscv_sv48x4, 3, pa_make(0x10000000), RW | PT_DEVICE),
			  0x40000000040000D7ull);
	/* Non-leaf: only V, with U/A/D clear. */
	ck_assert_uint_eq(pt_table_entry(&riscv_sv39x4, pa_make(0x80001000)), 0x20000401ull);
	ck_assert_int_eq(riscv_hgatp(&riscv_sv39x4, 0x80004000, 5, &hgatp), 0);
	ck_assert_uint_eq(hgatp, 0x8000500000080004ull);
	ck_assert_int_eq(riscv_hgatp(&riscv_sv48x4, 0x80004000, 0, &hgatp), 0);
	ck_assert_uint_eq(hgatp, 0x9000000000080004ull);
	ck_assert_int_eq(riscv_hgatp(&riscv_sv39x4, 0x80001000, 0, &hgatp), -EINVAL);
	ck_assert_int_eq(riscv_hgatp(&riscv_sv39x4, 0x80004000, 1u << 14, &hgatp), -EINVAL);
	ck_assert_int_eq(riscv_hgatp(&x86_ept4, 0x80004000, 0, &hgatp), -EINVAL);
}
END_TEST

START_TEST(test_ept_encodings_and_eptp)
{
	uint64_t eptp;

	/* R W X, memory type WB (6 << 3). */
	ck_assert_uint_eq(pt_leaf_entry(&x86_ept4, 3, pa_make(0x12345000), RWX), 0x12345037ull);
	/* 2 MiB page: bit 7; R W, no X. */
	ck_assert_uint_eq(pt_leaf_entry(&x86_ept4, 2, pa_make(0x40200000), RW), 0x402000B3ull);
	/* Device: UC (0) with ignore-PAT (bit 6). */
	ck_assert_uint_eq(pt_leaf_entry(&x86_ept4, 3, pa_make(0xFEC00000), RW | PT_DEVICE),
			  0xFEC00043ull);
	ck_assert_uint_eq(pt_table_entry(&x86_ept4, pa_make(0x7000)), 0x7007ull);
	/* EPTP: WB walks (6), walk length 4 (3 << 3), A/D (bit 6). */
	ck_assert_int_eq(x86_eptp(&x86_ept4, 0x5000, 1, &eptp), 0);
	ck_assert_uint_eq(eptp, 0x505Eull);
	ck_assert_int_eq(x86_eptp(&x86_ept4, 0x5000, 0, &eptp), 0);
	ck_assert_uint_eq(eptp, 0x501Eull);
	ck_assert_int_eq(x86_eptp(&x86_ept4, 0x5008, 0, &eptp), -EINVAL);
}
END_TEST

START_TEST(test_entries_written_by_the_engine_are_the_hand_values)
{
	struct pt pt;
	uint64_t e;

	ck_assert_int_eq(pt_init(&pt, &a64_40, NULL, NULL), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x40001000), pa_make(0x40001000), 4 * KiB, RWX, 0),
			 0);
	ck_assert_int_eq(pt_entry_at(&pt, gpa_make(0x40001000), 2, &e), 0);
	ck_assert_uint_eq(e, 0x400017FFull);
	ck_assert_int_eq(pt_entry_at(&pt, gpa_make(0x40001000), 1, &e), 0);
	ck_assert_uint_eq(e & 3, 3); /* a table */
	pt_destroy(&pt);
	ck_assert_int_eq(pt_init(&pt, &riscv_sv39x4, NULL, NULL), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x80200000), pa_make(0x80200000), 2 * MiB, PT_R,
				PT_MAP_BLOCKS), 0);
	ck_assert_int_eq(pt_entry_at(&pt, gpa_make(0x80200000), 1, &e), 0);
	ck_assert_uint_eq(e, 0x200800D3ull);
	ck_assert_int_eq(pt_entry_at(&pt, gpa_make(0x80200000), 0, &e), 0);
	ck_assert_uint_eq(e & 0xFF, 0x01); /* non-leaf: V only */
	pt_destroy(&pt);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_roots_are_concatenated_and_aligned)
{
	static const unsigned pages[5] = { 2, 1, 4, 4, 1 };
	struct pt pt;

	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(pt_init(&pt, formats[i], NULL, NULL), 0);
		ck_assert_uint_eq(pt.root_pages, pages[i]);
		ck_assert_uint_eq(pa_bits(pt.root) % (pages[i] * 4 * KiB), 0);
		ck_assert_uint_eq(frame_outstanding(), pages[i]);
		pt_destroy(&pt);
		ck_assert_uint_eq(frame_outstanding(), 0);
	}
}
END_TEST

/* ---- The engine, on every format (loop index = format) ------------------------------ */

static struct pt pt;

static void pt_up(int i)
{
	ck_assert_int_eq(pt_init(&pt, formats[i], record_flush, &flushes), 0);
}

/* Fill every free frame with ones, which every format reads as a present entry: a
 * table page used without clearing what it does not fill would show it. */
static void dirty_free_frames(void)
{
	static paddr_t held[1u << 16];
	size_t n = 0;

	while (n < sizeof(held) / sizeof(held[0]) && frame_alloc(&held[n]) == 0) {
		void *va;
		ck_assert_int_eq(hal_phys_to_virt(held[n], 4 * KiB, &va), 0);
		memset(va, 0xff, 4 * KiB);
		n++;
	}
	while (n)
		ck_assert_int_eq(frame_free(held[--n]), 0);
}

START_TEST(test_1gib_linear_map_uses_one_block)
{
	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(1 * GiB), pa_make(5 * GiB), 1 * GiB, RW,
				PT_MAP_BLOCKS), 0);
	const uint64_t samples[] = { 0, 0x1234, 512 * MiB + 0x7008, GiB - 1 };
	for (int s = 0; s < 4; s++) {
		paddr_t pa;
		unsigned flags;
		uint64_t leaf;
		ck_assert_int_eq(pt_translate(&pt, gpa_make(GiB + samples[s]), &pa, &flags, &leaf),
				 0);
		ck_assert_uint_eq(pa_bits(pa), 5 * GiB + samples[s]);
		ck_assert_uint_eq(flags, RW);
		ck_assert_uint_eq(leaf, GiB);
	}
	ck_assert_int_eq(pt_translate(&pt, gpa_make(GiB - 1), NULL, NULL, NULL), -ENOENT);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(2 * GiB), NULL, NULL, NULL), -ENOENT);
	/* One table page at most besides the root (the 4-level formats' level 1). */
	ck_assert_uint_le(pt.table_pages, pt.root_pages + 1);
	pt_destroy(&pt);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

START_TEST(test_1gib_not_1gib_aligned_uses_2mib_blocks)
{
	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(GiB + 2 * MiB), pa_make(5 * GiB + 2 * MiB), GiB, RWX,
				PT_MAP_BLOCKS), 0);
	for (uint64_t off = 0; off < GiB; off += 64 * MiB + 12 * KiB) {
		paddr_t pa;
		uint64_t leaf;
		ck_assert_int_eq(pt_translate(&pt, gpa_make(GiB + 2 * MiB + off), &pa, NULL, &leaf),
				 0);
		ck_assert_uint_eq(pa_bits(pa), 5 * GiB + 2 * MiB + off);
		ck_assert_uint_eq(leaf, 2 * MiB);
	}
	pt_destroy(&pt);
}
END_TEST

START_TEST(test_without_blocks_option_maps_4k_pages)
{
	uint64_t leaf;

	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0), pa_make(0x200000), 4 * MiB, PT_R, 0), 0);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(3 * MiB), NULL, NULL, &leaf), 0);
	ck_assert_uint_eq(leaf, 4 * KiB);
	pt_destroy(&pt);
}
END_TEST

START_TEST(test_splitting_a_2mib_block_keeps_the_other_511_pages)
{
	uint64_t base = 6 * MiB, hole = base + 300 * 4 * KiB;
	paddr_t pa;
	unsigned flags;

	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(base), pa_make(0x7400000), 2 * MiB, RWX,
				PT_MAP_BLOCKS), 0);
	flushes.n = 0;
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(hole), 4 * KiB), 0);
	/* Break-before-make flushed the whole block, then the operation its own range. */
	ck_assert_uint_eq(flushes.n, 2);
	ck_assert_uint_eq(gpa_bits(flushes.gpa[0]), base);
	ck_assert_uint_eq(flushes.size[0], 2 * MiB);
	ck_assert_uint_eq(gpa_bits(flushes.gpa[1]), hole);
	ck_assert_uint_eq(flushes.size[1], 4 * KiB);
	for (unsigned p = 0; p < 512; p++) {
		uint64_t g = base + p * 4 * KiB;
		int err = pt_translate(&pt, gpa_make(g), &pa, &flags, NULL);
		if (g == hole) {
			ck_assert_int_eq(err, -ENOENT);
			continue;
		}
		ck_assert_int_eq(err, 0);
		ck_assert_uint_eq(pa_bits(pa), 0x7400000 + p * 4 * KiB);
		ck_assert_uint_eq(flags, RWX);
	}
	pt_destroy(&pt);
}
END_TEST

START_TEST(test_protecting_part_of_a_block_splits_it)
{
	uint64_t base = 8 * MiB;
	unsigned flags;
	uint64_t leaf;

	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(base), pa_make(0x10000000), 4 * MiB, RW,
				PT_MAP_BLOCKS), 0);
	ck_assert_int_eq(pt_protect(&pt, gpa_make(base + 2 * MiB - 8 * KiB), 16 * KiB, PT_R | PT_X),
			 0);
	for (uint64_t g = base; g < base + 4 * MiB; g += 4 * KiB) {
		paddr_t pa;
		ck_assert_int_eq(pt_translate(&pt, gpa_make(g), &pa, &flags, NULL), 0);
		ck_assert_uint_eq(pa_bits(pa), 0x10000000 + (g - base));
		bool inside = g >= base + 2 * MiB - 8 * KiB && g < base + 2 * MiB + 8 * KiB;
		ck_assert_uint_eq(flags, inside ? (unsigned)(PT_R | PT_X) : (unsigned)RW);
	}
	/* Both blocks the change cut were split into pages. */
	ck_assert_int_eq(pt_translate(&pt, gpa_make(base), NULL, NULL, &leaf), 0);
	ck_assert_uint_eq(leaf, 4 * KiB);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(base + 4 * MiB - 4 * KiB), NULL, NULL, &leaf),
			 0);
	ck_assert_uint_eq(leaf, 4 * KiB);
	ck_assert_int_eq(pt_protect(&pt, gpa_make(base), 4 * MiB, RW | PT_DEVICE), 0);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(base + 3 * MiB), NULL, &flags, NULL), 0);
	ck_assert_uint_eq(flags, RW | PT_DEVICE);
	ck_assert_int_eq(pt_protect(&pt, gpa_make(base + 3 * MiB), 2 * MiB, PT_R),
			 -ENOENT); /* runs off */
	pt_destroy(&pt);
}
END_TEST

START_TEST(test_mapping_over_a_mapping_is_refused)
{
	paddr_t pa;

	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(2 * MiB), pa_make(0x800000), 2 * MiB, RW,
				PT_MAP_BLOCKS), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(2 * MiB), pa_make(0x900000), 2 * MiB, RW,
				PT_MAP_BLOCKS), -EEXIST);
	ck_assert_int_eq(pt_map(&pt, gpa_make(4 * MiB - 4 * KiB), pa_make(0x900000), 8 * KiB, RW,
				0), -EEXIST);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0), pa_make(0x900000), 4 * MiB, RW, PT_MAP_BLOCKS),
			 -EEXIST);
	/* Nothing changed: the original mapping is whole and nothing new appeared. */
	ck_assert_int_eq(pt_translate(&pt, gpa_make(4 * MiB - 4 * KiB), &pa, NULL, NULL), 0);
	ck_assert_uint_eq(pa_bits(pa), 0x800000 + 2 * MiB - 4 * KiB);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(0), NULL, NULL, NULL), -ENOENT);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(4 * MiB), NULL, NULL, NULL), -ENOENT);
	pt_destroy(&pt);
}
END_TEST

START_TEST(test_bad_requests_are_errors)
{
	uint64_t top = 1ull << formats[_i]->va_bits;

	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2001), 4 * KiB, RW, 0), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1001), pa_make(0x2000), 4 * KiB, RW, 0), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2000), 100, RW, 0), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2000), 0, RW, 0), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2000), 4 * KiB, PT_W, 0),
			 -EINVAL); /* W without R */
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2000), 4 * KiB, PT_W | PT_X, 0),
			 -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2000), 4 * KiB, 0, 0), -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2000), 4 * KiB, PT_DEVICE, 0),
			 -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2000), 4 * KiB, 0x100, 0),
			 -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x2000), 4 * KiB, PT_R, 0x80),
			 -EINVAL);
	ck_assert_int_eq(pt_map(&pt, gpa_make(top), pa_make(0x2000), 4 * KiB, RW, 0), -ERANGE);
	ck_assert_int_eq(pt_map(&pt, gpa_make(top - 4 * KiB), pa_make(0x2000), 8 * KiB, RW, 0),
			 -ERANGE);
	ck_assert_int_eq(pt_map(&pt, gpa_make(~0ull & ~0xFFFull), pa_make(0x2000), 8 * KiB, RW, 0),
			 -ERANGE);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0), pa_make(1ull << formats[_i]->oa_bits), 4 * KiB,
				RW, 0), -ERANGE);
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(0x1800), 4 * KiB), -EINVAL);
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(top), 4 * KiB), -ERANGE);
	ck_assert_int_eq(pt_protect(&pt, gpa_make(0), 4 * KiB, PT_W), -EINVAL);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(top), NULL, NULL, NULL), -ERANGE);
	ck_assert_int_eq(pt_init(NULL, formats[_i], NULL, NULL), -EINVAL);
	ck_assert_int_eq(pt_map(NULL, gpa_make(0), pa_make(0), 4 * KiB, RW, 0), -EINVAL);
	/* The last page of the input space is mappable. */
	ck_assert_int_eq(pt_map(&pt, gpa_make(top - 4 * KiB), pa_make(0x2000), 4 * KiB, RW, 0), 0);
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(top - 4 * KiB), 4 * KiB), 0);
	ck_assert_uint_eq(pt.table_pages, pt.root_pages);
	pt_destroy(&pt);
}
END_TEST

START_TEST(test_tlb_flush_is_requested_once_per_operation)
{
	uint64_t base = 1 * GiB + 4 * KiB;

	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(base), pa_make(0x20000000), 8 * MiB, RW,
				PT_MAP_BLOCKS), 0);
	ck_assert_uint_eq(flushes.n, formats[_i]->flush_on_map ? 1 : 0);
	flushes.n = 0;
	ck_assert_int_eq(pt_protect(&pt, gpa_make(base), 8 * MiB, PT_R), 0);
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(base), 8 * MiB), 0);
	ck_assert_uint_eq(flushes.n, 2);
	for (unsigned k = 0; k < 2; k++) {
		ck_assert_uint_eq(gpa_bits(flushes.gpa[k]), base);
		ck_assert_uint_eq(flushes.size[k], 8 * MiB);
	}
	ck_assert_uint_eq(pt.table_pages, pt.root_pages); /* empty tables were freed */
	pt_destroy(&pt);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

struct walk_rec {
	unsigned n;
	gpa_t gpa[8];
	uint64_t size[8];
};

static int record_leaf(void *ctx, gpa_t gpa, paddr_t pa, uint64_t size, unsigned flags)
{
	struct walk_rec *w = ctx;
	(void)pa, (void)flags;
	if (w->n < 8) {
		w->gpa[w->n] = gpa;
		w->size[w->n] = size;
	}
	w->n++;
	return 0;
}

START_TEST(test_for_each_visits_leaves_in_order)
{
	struct walk_rec w = { 0 };

	pt_up(_i);
	ck_assert_int_eq(pt_map(&pt, gpa_make(2 * GiB), pa_make(2 * GiB), GiB, PT_R, PT_MAP_BLOCKS),
			 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(2 * MiB), pa_make(2 * MiB), 2 * MiB, PT_R,
				PT_MAP_BLOCKS), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(16 * KiB), pa_make(0), 4 * KiB, PT_R, 0), 0);
	ck_assert_int_eq(pt_for_each(&pt, gpa_make(0), 4 * GiB, record_leaf, &w), 0);
	ck_assert_uint_eq(w.n, 3);
	ck_assert_uint_eq(gpa_bits(w.gpa[0]), 16 * KiB);
	ck_assert_uint_eq(w.size[0], 4 * KiB);
	ck_assert_uint_eq(gpa_bits(w.gpa[1]), 2 * MiB);
	ck_assert_uint_eq(w.size[1], 2 * MiB);
	ck_assert_uint_eq(gpa_bits(w.gpa[2]), 2 * GiB);
	ck_assert_uint_eq(w.size[2], GiB);
	pt_destroy(&pt);
}
END_TEST

/* The reservation a VM makes for its tables: exactly what mapping every page of its
 * regions in 4 KiB pages takes, tables shared between regions counted once. */
START_TEST(test_max_tables_is_what_mapping_every_page_takes)
{
	static const struct pt_range ranges[] = {
		{ { 0x1000 }, 8 * KiB },                  /* shares its tables with the next */
		{ { 0x1FF000 }, 12 * KiB },               /* across a 2 MiB boundary */
		{ { GiB - 4 * KiB }, 8 * KiB },            /* across 1 GiB */
		{ { 0x8000000000ull - 4 * KiB }, 8 * KiB }, /* across 512 GiB */
	};
	const size_t count = sizeof(ranges) / sizeof(ranges[0]);

	ck_assert_int_eq(pt_init(&pt, formats[_i], NULL, NULL), 0);
	for (size_t r = 0; r < count; r++)
		for (uint64_t off = 0; off < ranges[r].size; off += 4 * KiB)
			ck_assert_int_eq(pt_map(&pt, gpa_add(ranges[r].base, off),
						pa_make(TEST_RAM0_BASE), 4 * KiB, RW, 0), 0);
	ck_assert_uint_eq(pt.table_pages - pt.root_pages, pt_max_tables(formats[_i], ranges, count));
	ck_assert_uint_eq(pt.root_pages, pt_root_pages(formats[_i]));
	/* One page needs one table a level below the root. */
	ck_assert_uint_eq(pt_max_tables(formats[_i], ranges, 1), formats[_i]->levels - 1);
	pt_destroy(&pt);
}
END_TEST

/* Map a small region that crosses a 2 MiB and a 1 GiB boundary, failing the nth
 * table-page allocation for every n: the result is all or nothing, with no leak. */
START_TEST(test_allocation_failure_at_every_step_leaves_no_trace)
{
	uint64_t base = GiB - 2 * MiB - 8 * KiB;
	uint64_t size = 2 * MiB + 2 * MiB + 16 * KiB;
	uint64_t pa0 = 0x40000000 - 8 * KiB; /* so the 2 MiB parts can be blocks */

	pt_up(_i);
	dirty_free_frames();
	size_t baseline = frame_outstanding();
	uint64_t calls = frame_alloc_calls();
	ck_assert_int_eq(pt_map(&pt, gpa_make(base), pa_make(pa0), size, RW, PT_MAP_BLOCKS), 0);
	uint64_t needed = frame_alloc_calls() - calls;
	ck_assert_uint_ge(needed, 3);
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(base), size), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	for (uint64_t n = 1; n <= needed; n++) {
		frame_fault_fail_nth(n);
		flushes.n = 0;
		ck_assert_int_eq(pt_map(&pt, gpa_make(base), pa_make(pa0), size, RW, PT_MAP_BLOCKS),
				 -ENOMEM);
		ck_assert_uint_eq(frame_outstanding(), baseline);
		/* A table is filled before it is linked: a failure before any leaf was
		 * written leaves nothing a walker saw, so nothing to invalidate. The last
		 * call is for the tail's table: the head and the blocks were linked
		 * before it, and are unlinked and freed only after an invalidation. */
		if (n == 1)
			ck_assert_uint_eq(flushes.n, 0);
		if (n == needed)
			ck_assert_uint_ge(flushes.n, 1);
		ck_assert_uint_eq(pt.table_pages, pt.root_pages);
		for (uint64_t g = base; g < base + size; g += 4 * KiB)
			ck_assert_int_eq(pt_translate(&pt, gpa_make(g), NULL, NULL, NULL), -ENOENT);
	}
	frame_fault_fail_nth(needed + 1);
	ck_assert_int_eq(pt_map(&pt, gpa_make(base), pa_make(pa0), size, RW, PT_MAP_BLOCKS), 0);
	frame_fault_clear();
	for (uint64_t g = base; g < base + size; g += 4 * KiB) {
		paddr_t pa;
		ck_assert_int_eq(pt_translate(&pt, gpa_make(g), &pa, NULL, NULL), 0);
		ck_assert_uint_eq(pa_bits(pa), pa0 + (g - base));
	}
	uint64_t leaf;
	ck_assert_int_eq(pt_translate(&pt, gpa_make(GiB), NULL, NULL, &leaf), 0);
	ck_assert_uint_eq(leaf, 2 * MiB);
	/* A split that cannot get its table page changes nothing either. */
	frame_fault_fail_nth(1);
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(GiB - 2 * MiB + 4 * KiB), 4 * KiB), -ENOMEM);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(GiB - 2 * MiB + 4 * KiB), NULL, NULL, NULL), 0);
	frame_fault_clear();
	pt_destroy(&pt);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* A conflict found late: the walk maps in address order and checks as it goes, so a
 * page mapped at the end of a long range is met after everything before it was mapped
 * (a whole fresh table of pages and a fresh block included). All of that is undone. */
START_TEST(test_conflict_at_the_end_of_a_range_undoes_the_rest)
{
	paddr_t pa;

	pt_up(_i);
	size_t tables = pt.table_pages, baseline = frame_outstanding();
	ck_assert_int_eq(pt_map(&pt, gpa_make(8 * MiB - 4 * KiB), pa_make(0x7000000), 4 * KiB, RW,
				0), 0);
	size_t tables_one = pt.table_pages;
	flushes.n = 0;
	ck_assert_int_eq(pt_map(&pt, gpa_make(2 * MiB - 8 * KiB), pa_make(0x900000 - 8 * KiB),
				6 * MiB + 8 * KiB, RW, PT_MAP_BLOCKS), -EEXIST);
	ck_assert_uint_ge(flushes.n, 1); /* what was mapped was visible: invalidated */
	ck_assert_uint_eq(pt.table_pages, tables_one);
	for (uint64_t g = 2 * MiB - 8 * KiB; g < 8 * MiB - 4 * KiB; g += 4 * KiB)
		ck_assert_int_eq(pt_translate(&pt, gpa_make(g), NULL, NULL, NULL), -ENOENT);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(8 * MiB - 4 * KiB), &pa, NULL, NULL), 0);
	ck_assert_uint_eq(pa_bits(pa), 0x7000000);
	/* And a single page over a block or a page: refused, nothing taken. */
	ck_assert_int_eq(pt_map(&pt, gpa_make(8 * MiB - 4 * KiB), pa_make(0x8000000), 4 * KiB,
				RW, 0), -EEXIST);
	ck_assert_int_eq(pt_map(&pt, gpa_make(64 * MiB), pa_make(0x8000000), 2 * MiB, RW,
				PT_MAP_BLOCKS), 0);
	size_t tables_two = pt.table_pages;
	ck_assert_int_eq(pt_map(&pt, gpa_make(65 * MiB), pa_make(0x9000000), 4 * KiB, RW, 0),
			 -EEXIST);
	ck_assert_uint_eq(pt.table_pages, tables_two);
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(0), 128 * MiB), 0);
	ck_assert_uint_eq(pt.table_pages, tables);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	pt_destroy(&pt);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* pt_map_frames' frame source for the tests: hands out frames from the allocator,
 * counts them, and can fail the nth call or hand out a bad address. */
struct source {
	unsigned calls, fail_at, bad_at;
	unsigned out; /* handed out and not put back */
	uint64_t bad_pa;
};

static int source_get(void *ctx, paddr_t *pa)
{
	struct source *s = ctx;

	s->calls++;
	if (s->calls == s->fail_at)
		return -ENOMEM;
	int err = frame_alloc(pa);
	if (err)
		return err;
	if (s->calls == s->bad_at) {
		frame_free(*pa);
		*pa = pa_make(s->bad_pa);
	}
	s->out++;
	return 0;
}

static void source_put(void *ctx, paddr_t pa, uint64_t size)
{
	struct source *s = ctx;

	ck_assert_uint_eq(size, 4 * KiB);
	s->out--;
	if (pa_bits(pa) & 0xfff || pa_bits(pa) >= 1ull << 44) /* the bad one: not ours */
		return;
	ck_assert_int_eq(frame_free(pa), 0);
}

START_TEST(test_map_frames_gives_each_page_its_frame_in_one_walk)
{
	struct source src = { 0 };
	paddr_t pa, first;

	pt_up(_i);
	/* A range across a 2 MiB boundary: two leaf tables. */
	ck_assert_int_eq(pt_map_frames(&pt, gpa_make(2 * MiB - 16 * KiB), 32 * KiB, RW,
				       source_get, source_put, &src), 0);
	ck_assert_uint_eq(src.calls, 8);
	ck_assert_uint_eq(src.out, 8);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(2 * MiB - 16 * KiB), &first, NULL, NULL), 0);
	for (uint64_t g = 2 * MiB - 12 * KiB; g < 2 * MiB + 16 * KiB; g += 4 * KiB) {
		uint64_t leaf;
		ck_assert_int_eq(pt_translate(&pt, gpa_make(g), &pa, NULL, &leaf), 0);
		ck_assert_uint_eq(leaf, 4 * KiB);
		ck_assert(!pa_eq(pa, first));
	}
	/* A page already mapped costs no frame: -EEXIST before get is asked. */
	ck_assert_int_eq(pt_map_frames(&pt, gpa_make(2 * MiB), 4 * KiB, RW, source_get,
				       source_put, &src), -EEXIST);
	ck_assert_uint_eq(src.calls, 8);
	/* A range running into mapped pages: the frames it took are put back. */
	ck_assert_int_eq(pt_map_frames(&pt, gpa_make(2 * MiB - 64 * KiB), 64 * KiB, RW,
				       source_get, source_put, &src), -EEXIST);
	ck_assert_uint_eq(src.out, 8);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(2 * MiB - 64 * KiB), NULL, NULL, NULL),
			 -ENOENT);
	/* A frame the source hands out unaligned or beyond the output size is refused
	 * and put back, with everything before it. */
	src = (struct source){ .bad_at = 3, .bad_pa = 1ull << 60, .out = 8 };
	ck_assert_int_eq(pt_map_frames(&pt, gpa_make(16 * MiB), 16 * KiB, RW, source_get,
				       source_put, &src), -ERANGE);
	ck_assert_uint_eq(src.out, 8);
	/* The last page of the 64-bit space: its end wraps to 0, still out of range. */
	src = (struct source){ .bad_at = 2, .bad_pa = 0ull - 4 * KiB, .out = 8 };
	ck_assert_int_eq(pt_map_frames(&pt, gpa_make(16 * MiB), 16 * KiB, RW, source_get,
				       source_put, &src), -ERANGE);
	ck_assert_uint_eq(src.out, 8);
	src = (struct source){ .bad_at = 1, .bad_pa = 0x40000800, .out = 8 };
	ck_assert_int_eq(pt_map_frames(&pt, gpa_make(16 * MiB), 4 * KiB, RW, source_get,
				       source_put, &src), -ERANGE);
	ck_assert_uint_eq(src.out, 8);
	ck_assert_int_eq(pt_translate(&pt, gpa_make(16 * MiB), NULL, NULL, NULL), -ENOENT);
	/* Bad requests. */
	ck_assert_int_eq(pt_map_frames(&pt, gpa_make(16 * MiB), 4 * KiB, RW, NULL, source_put,
				       &src), -EINVAL);
	ck_assert_int_eq(pt_map_frames(&pt, gpa_make(16 * MiB), 4 * KiB, PT_W, source_get,
				       source_put, &src), -EINVAL);
	ck_assert_int_eq(pt_unmap_release(&pt, gpa_make(0), 32 * MiB, source_put, &src), 0);
	ck_assert_uint_eq(src.out, 0);
	pt_destroy(&pt);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* Every failure of a frame or of a table page, at every step of a range that needs
 * new tables at every level, and of a single page (the lazy fault's descent). */
START_TEST(test_map_frames_failure_at_every_step_leaves_no_trace)
{
	const uint64_t sizes[] = { 4 * KiB, 2 * MiB + 12 * KiB };
	const uint64_t base = 3 * GiB - 4 * KiB; /* crosses a 1 GiB boundary */

	pt_up(_i);
	dirty_free_frames();
	size_t tables = pt.table_pages;
	for (unsigned k = 0; k < 2; k++) {
		struct source src = { 0 };
		uint64_t calls = frame_alloc_calls();
		ck_assert_int_eq(pt_map_frames(&pt, gpa_make(base), sizes[k], RW, source_get,
					       source_put, &src), 0);
		uint64_t needed = frame_alloc_calls() - calls; /* tables and frames */
		ck_assert_int_eq(pt_unmap_release(&pt, gpa_make(base), sizes[k], source_put, &src),
				 0);
		ck_assert_uint_eq(pt.table_pages, tables);
		for (uint64_t n = 1; n <= needed; n++) {
			src = (struct source){ 0 };
			frame_fault_fail_nth(n);
			int err = pt_map_frames(&pt, gpa_make(base), sizes[k], RW, source_get,
						source_put, &src);
			frame_fault_clear();
			ck_assert_int_eq(err, -ENOMEM);
			ck_assert_uint_eq(src.out, 0);
			ck_assert_uint_eq(pt.table_pages, tables);
			ck_assert_uint_eq(frame_outstanding(), pt.table_pages);
			for (uint64_t g = base; g < base + sizes[k]; g += 4 * KiB)
				ck_assert_int_eq(pt_translate(&pt, gpa_make(g), NULL, NULL, NULL),
						 -ENOENT);
		}
		/* The source's own failure, at every page. */
		for (unsigned n = 1; n <= sizes[k] / (4 * KiB); n += 97) {
			src = (struct source){ .fail_at = n };
			ck_assert_int_eq(pt_map_frames(&pt, gpa_make(base), sizes[k], RW,
						       source_get, source_put, &src), -ENOMEM);
			ck_assert_uint_eq(src.out, 0);
			ck_assert_uint_eq(pt.table_pages, tables);
		}
	}
	pt_destroy(&pt);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

/* Fresh tables are filled with plain stores and linked whole: entry for entry the
 * same as a table built page by page into existing tables. */
START_TEST(test_fresh_and_existing_tables_hold_the_same_entries)
{
	struct pt other;

	pt_up(_i);
	dirty_free_frames();
	ck_assert_int_eq(pt_init(&other, formats[_i], NULL, NULL), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(GiB - 6 * MiB - 12 * KiB),
				pa_make(0x40000000 - 6 * MiB - 12 * KiB), 12 * MiB + 24 * KiB, RWX,
				PT_MAP_BLOCKS), 0);
	/* The other is built from the top down in pieces, each into tables that exist. */
	ck_assert_int_eq(pt_map(&other, gpa_make(GiB + 6 * MiB), pa_make(0x40000000 + 6 * MiB),
				12 * KiB, RWX, 0), 0);
	ck_assert_int_eq(pt_map(&other, gpa_make(GiB - 6 * MiB - 12 * KiB),
				pa_make(0x40000000 - 6 * MiB - 12 * KiB), 12 * KiB, RWX, 0), 0);
	for (uint64_t off = 0; off < 12 * MiB; off += 2 * MiB) {
		uint64_t g = GiB - 6 * MiB + off;
		ck_assert_int_eq(pt_map(&other, gpa_make(g), pa_make(0x40000000 - 6 * MiB + off),
					2 * MiB, RWX, PT_MAP_BLOCKS), 0);
	}
	for (uint64_t g = GiB - 8 * MiB; g < GiB + 8 * MiB; g += 4 * KiB)
		for (unsigned l = 0; l < formats[_i]->levels; l++) {
			uint64_t a = 0, b = 0;
			int ea = pt_entry_at(&pt, gpa_make(g), l, &a);
			int eb = pt_entry_at(&other, gpa_make(g), l, &b);
			ck_assert_int_eq(ea, eb);
			if (ea)
				break;
			/* Table entries point at different pages; leaves must be equal. */
			paddr_t pa;
			uint64_t leaf;
			if (pt_translate(&pt, gpa_make(g), &pa, NULL, &leaf) == 0 &&
			    leaf == pt_level_size(formats[_i], l))
				ck_assert_uint_eq(a, b);
		}
	ck_assert_uint_eq(pt.table_pages, other.table_pages);
	pt_destroy(&other);
	pt_destroy(&pt);
	ck_assert_uint_eq(frame_outstanding(), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("stage2");
	TCase *enc = tcase_create("encodings");
	TCase *eng = tcase_create("engine");

	tcase_add_checked_fixture(enc, setup, teardown);
	tcase_add_test(enc, test_aarch64_leaf_and_table_encodings);
	tcase_add_test(enc, test_aarch64_ipa_size_and_vtcr);
	tcase_add_test(enc, test_riscv_encodings_and_hgatp);
	tcase_add_test(enc, test_ept_encodings_and_eptp);
	tcase_add_test(enc, test_entries_written_by_the_engine_are_the_hand_values);
	tcase_add_test(enc, test_roots_are_concatenated_and_aligned);
	suite_add_tcase(s, enc);

	tcase_add_checked_fixture(eng, setup, teardown);
	tcase_set_timeout(eng, 120);
	tcase_add_loop_test(eng, test_1gib_linear_map_uses_one_block, 0, 5);
	tcase_add_loop_test(eng, test_1gib_not_1gib_aligned_uses_2mib_blocks, 0, 5);
	tcase_add_loop_test(eng, test_without_blocks_option_maps_4k_pages, 0, 5);
	tcase_add_loop_test(eng, test_splitting_a_2mib_block_keeps_the_other_511_pages, 0, 5);
	tcase_add_loop_test(eng, test_protecting_part_of_a_block_splits_it, 0, 5);
	tcase_add_loop_test(eng, test_mapping_over_a_mapping_is_refused, 0, 5);
	tcase_add_loop_test(eng, test_bad_requests_are_errors, 0, 5);
	tcase_add_loop_test(eng, test_tlb_flush_is_requested_once_per_operation, 0, 5);
	tcase_add_loop_test(eng, test_for_each_visits_leaves_in_order, 0, 5);
	tcase_add_loop_test(eng, test_allocation_failure_at_every_step_leaves_no_trace, 0, 5);
	tcase_add_loop_test(eng, test_max_tables_is_what_mapping_every_page_takes, 0, 5);
	tcase_add_loop_test(eng, test_conflict_at_the_end_of_a_range_undoes_the_rest, 0, 5);
	tcase_add_loop_test(eng, test_map_frames_gives_each_page_its_frame_in_one_walk, 0, 5);
	tcase_add_loop_test(eng, test_map_frames_failure_at_every_step_leaves_no_trace, 0, 5);
	tcase_add_loop_test(eng, test_fresh_and_existing_tables_hold_the_same_entries, 0, 5);
	suite_add_tcase(s, eng);
	return s;
}
