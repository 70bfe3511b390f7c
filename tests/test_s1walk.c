/* The software stage-1 walker against tables written by hand. Every descriptor and
 * register value below is worked out from the Arm ARM (DDI 0487): D8.2-D8.3 for the
 * 4 KiB granule's levels (level 0 indexes VA[47:39], level 1 VA[38:30], level 2
 * VA[29:21], level 3 VA[20:12]) and descriptors (bit 0 valid, bit 1 table/page, bit 10
 * AF, output address [47:12]), D24.2 for TCR_EL1 (T0SZ[5:0], EPD0[7], TG0[15:14],
 * T1SZ[21:16], EPD1[23], TG1[31:30], IPS[34:32], TBI0[37], TBI1[38], HA[39]) and
 * SCTLR_EL1 (M[0], EE[25]). The guest memory is a handful of pages at chosen IPAs; the
 * test records every descriptor the walker reads. */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "arch/aarch64/s1walk.h"
#include "hal/err.h"
#include "tests/check_main.h"

#define AF (1ull << 10)
#define TABLE 0x3ull /* valid + table (levels 0-2) or page (level 3) */
#define BLOCK 0x1ull /* valid, bit 1 clear: a block at levels 1 and 2 */

#define T0SZ(n) ((uint64_t)(n))
#define T1SZ(n) ((uint64_t)(n) << 16)
#define EPD0 (1ull << 7)
#define EPD1 (1ull << 23)
#define TG0_16K (2ull << 14)
#define TG0_64K (1ull << 14)
#define TG1_4K (2ull << 30)
#define IPS(enc) ((uint64_t)(enc) << 32) /* 0: 32 bits, 2: 40, 5: 48 */
#define TBI0 (1ull << 37)
#define TBI1 (1ull << 38)
#define HA (1ull << 39)

#define MMU_ON 0x30C50831ull /* SCTLR_EL1 reset RES1 bits with M */
#define MMU_OFF 0x30C50830ull
#define EE (1ull << 25)

#define NPAGES 8
#define MAX_READS 8

static struct {
	uint64_t ipa[NPAGES];
	uint8_t bytes[NPAGES][4096];
	unsigned n;
	uint64_t reads[MAX_READS];
	unsigned nreads;
	bool big_endian;
} mem;

static void setup(void)
{
	memset(&mem, 0, sizeof(mem));
}

static uint8_t *page_of(uint64_t ipa)
{
	for (unsigned i = 0; i < mem.n; i++)
		if (ipa >> 12 == mem.ipa[i] >> 12)
			return mem.bytes[i];
	return NULL;
}

static int mem_read(void *ctx, gpa_t at, void *buf, size_t len)
{
	uint64_t ipa = gpa_bits(at);

	ck_assert_ptr_eq(ctx, &mem);
	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(ipa & 7, 0); /* descriptors are read aligned */
	if (mem.nreads < MAX_READS)
		mem.reads[mem.nreads] = ipa;
	mem.nreads++;
	uint8_t *p = page_of(ipa);
	if (!p)
		return -EFAULT;
	memcpy(buf, p + (ipa & 0xFFF), len);
	return 0;
}

/* Write descriptor d at ipa in the guest's memory, in the order the walk will read. */
static void put(uint64_t ipa, uint64_t d)
{
	uint8_t *p = page_of(ipa);

	if (!p) {
		ck_assert_uint_lt(mem.n, NPAGES);
		mem.ipa[mem.n] = ipa & ~0xFFFull;
		p = mem.bytes[mem.n++];
	}
	for (unsigned i = 0; i < 8; i++)
		p[(ipa & 0xFFF) + i] = (uint8_t)(d >> (8 * (mem.big_endian ? 7 - i : i)));
}

static struct s1_result walk(uint64_t sctlr, uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1,
			     uint64_t va, int want)
{
	struct s1_regs r = { .sctlr = sctlr, .tcr = tcr, .ttbr0 = ttbr0, .ttbr1 = ttbr1,
			     .pa_bits = 44 };
	struct s1_result out;

	mem.nreads = 0;
	ck_assert_int_eq(s1_translate(&r, gva_make(va), mem_read, &mem, &out), want);
	return out;
}

static void expect_fault(struct s1_result r, enum s1_fault fault, unsigned level)
{
	ck_assert_int_eq(r.fault, fault);
	ck_assert_uint_eq(r.level, level);
}

/* ---- Levels from T0SZ -------------------------------------------------------------- */

/* T0SZ 25: a 39-bit VA space; bit 38 is in level 1's range, so the walk starts there and
 * takes three lookups. VA 0x69_4060_5008: level-1 index 0x1A5, level-2 3, level-3 5. */
#define L1 0x80000000ull
#define L2 0x80001000ull
#define L3 0x80002000ull
#define VA3 0x6940605008ull
#define TCR3 (T0SZ(25) | EPD1 | IPS(2))

static void three_level_tables(void)
{
	put(L1 + 0x1A5 * 8, L2 | TABLE);
	put(L2 + 3 * 8, L3 | TABLE);
	put(L3 + 5 * 8, 0x412345000ull | AF | TABLE);
}

START_TEST(test_t0sz_25_walks_three_levels_from_level_1)
{
	three_level_tables();
	struct s1_result r = walk(MMU_ON, TCR3, L1, 0, VA3, 0);
	ck_assert_int_eq(r.fault, S1_OK);
	ck_assert_uint_eq(gpa_bits(r.ipa), 0x412345008ull);
	ck_assert_uint_eq(r.level, 3);
	ck_assert_uint_eq(r.size, 4096);
	ck_assert_uint_eq(r.desc, 0x412345000ull | AF | TABLE);
	ck_assert_uint_eq(mem.nreads, 3);
	ck_assert_uint_eq(mem.reads[0], L1 + 0x1A5 * 8);
	ck_assert_uint_eq(mem.reads[1], L2 + 3 * 8);
	ck_assert_uint_eq(mem.reads[2], L3 + 5 * 8);
}
END_TEST

/* T0SZ 16: 48 bits, four lookups from level 0. VA 0x813C_FFE0_1ABC: indices 0x102,
 * 0x0F3, 0x1FF, 0x001, offset 0xABC. */
START_TEST(test_t0sz_16_walks_four_levels_from_level_0)
{
	const uint64_t l0 = 0x90000000ull, va = 0x813CFFE01ABCull;
	put(l0 + 0x102 * 8, L1 | TABLE);
	put(L1 + 0xF3 * 8, L2 | TABLE);
	put(L2 + 0x1FF * 8, L3 | TABLE);
	put(L3 + 1 * 8, 0xABCDE000ull | AF | TABLE);
	struct s1_result r = walk(MMU_ON, T0SZ(16) | EPD1 | IPS(5), l0, 0, va, 0);
	ck_assert_uint_eq(gpa_bits(r.ipa), 0xABCDEABCull);
	ck_assert_uint_eq(r.level, 3);
	ck_assert_uint_eq(mem.nreads, 4);
	ck_assert_uint_eq(mem.reads[0], l0 + 0x102 * 8);
	ck_assert_uint_eq(mem.reads[3], L3 + 8);
}
END_TEST

/* T0SZ 20: 44 bits, still from level 0, whose table now has 2^(44-39) = 32 entries
 * (index VA[43:39]) and is aligned to 256 bytes: TTBR0's bits below that, the CnP bit
 * and the ASID in [63:48] are not part of the address. */
START_TEST(test_t0sz_20_starts_at_a_32_entry_level_0_table)
{
	const uint64_t l0 = 0x90000100ull, va = (0x1Full << 39) | (7ull << 30) | 0x123;
	put(l0 + 0x1F * 8, L1 | TABLE);
	put(L1 + 7 * 8, 0x40000000ull | AF | BLOCK); /* a 1 GiB block */
	struct s1_result r = walk(MMU_ON, T0SZ(20) | EPD1 | IPS(2),
				  (0xBEEFull << 48) | l0 | 0xF0 | 1, 0, va, 0);
	ck_assert_uint_eq(gpa_bits(r.ipa), 0x40000123ull);
	ck_assert_uint_eq(mem.reads[0], l0 + 0x1F * 8);
	/* Bit 44 is beyond the input size: a translation fault before any read. */
	expect_fault(walk(MMU_ON, T0SZ(20) | EPD1, l0, 0, va | (1ull << 44), -EFAULT),
		     S1_FAULT_TRANSLATION, 0);
	ck_assert_uint_eq(mem.nreads, 0);
}
END_TEST

/* T0SZ 33 (31 bits) starts at a two-entry level-1 table; T0SZ 39 (25 bits, the largest
 * without FEAT_TTST) at a 16-entry level-2 table: two lookups. */
START_TEST(test_t0sz_33_and_39_start_at_small_tables)
{
	put(L1 + 1 * 8, L2 | TABLE);
	put(L2 + 0x1FF * 8, L3 | TABLE);
	put(L3 + 0x10 * 8, 0x7000ull | AF | TABLE);
	uint64_t va = (1ull << 30) | (0x1FFull << 21) | (0x10 << 12) | 0x44;
	ck_assert_uint_eq(gpa_bits(walk(MMU_ON, T0SZ(33) | EPD1, L1, 0, va, 0).ipa), 0x7044);
	ck_assert_uint_eq(mem.nreads, 3);

	put(L2 + 0xF * 8, L3 | TABLE);
	va = (0xFull << 21) | (0x10 << 12) | 0x48;
	struct s1_result r = walk(MMU_ON, T0SZ(39) | EPD1, L2, 0, va, 0);
	ck_assert_uint_eq(gpa_bits(r.ipa), 0x7048);
	ck_assert_uint_eq(mem.nreads, 2);
	ck_assert_uint_eq(mem.reads[0], L2 + 0xF * 8);
}
END_TEST

/* Values beyond what the PE supports behave as the nearest supported one (the
 * architecture's IMPLEMENTATION DEFINED alternative to a fault): T0SZ 0 as 16, T0SZ 63
 * as 39. */
START_TEST(test_out_of_range_t0sz_behaves_as_the_nearest_bound)
{
	put(L1 + 0x1A5 * 8, 0x80000000ull | AF | BLOCK);
	uint64_t va = (0x1A5ull << 30) | 0x1234;
	/* As T0SZ 16 the walk starts at level 0 (index 0), not at level 1. */
	put(0x90000000ull, L1 | TABLE);
	ck_assert_uint_eq(gpa_bits(walk(MMU_ON, T0SZ(0) | EPD1, 0x90000000ull, 0, va, 0).ipa),
			  0x80001234ull);
	ck_assert_uint_eq(mem.nreads, 2);
	put(L2 + 0xF * 8, 0x200000ull | AF | BLOCK);
	ck_assert_uint_eq(gpa_bits(walk(MMU_ON, T0SZ(63) | EPD1, L2, 0, (0xFull << 21) | 8, 0).ipa),
			  0x200008ull);
}
END_TEST

/* ---- The upper half, TBI ------------------------------------------------------------ */

/* VA[55] = 1 selects TTBR1_EL1 with T1SZ and TG1 (0b10: 4 KiB). With T1SZ 25 the VA's
 * bits [63:39] must all be ones. VA 0xFFFF_FFC0_0020_1234: level-1 index 0x100, level-2
 * 1, level-3 1. TTBR0 points nowhere readable and is never used. */
START_TEST(test_upper_half_walks_from_ttbr1)
{
	const uint64_t va = 0xFFFFFFC000201234ull;
	put(L1 + 0x100 * 8, L2 | TABLE);
	put(L2 + 1 * 8, L3 | TABLE);
	put(L3 + 1 * 8, 0x5000ull | AF | TABLE);
	uint64_t tcr = T0SZ(25) | T1SZ(25) | TG1_4K | IPS(2);
	struct s1_result r = walk(MMU_ON, tcr, 0xDEAD0000ull, L1, va, 0);
	ck_assert_uint_eq(gpa_bits(r.ipa), 0x5234);
	ck_assert_uint_eq(mem.reads[0], L1 + 0x100 * 8);
	/* Not all ones above bit 38: out of range, whichever half. */
	expect_fault(walk(MMU_ON, tcr, 0, L1, 0xFFFF000000201234ull, -EFAULT),
		     S1_FAULT_TRANSLATION, 0);
	/* EPD1: no walks from TTBR1, a translation fault without a read. */
	expect_fault(walk(MMU_ON, tcr | EPD1, 0, L1, va, -EFAULT), S1_FAULT_TRANSLATION, 0);
	ck_assert_uint_eq(mem.nreads, 0);
}
END_TEST

/* TBI0/TBI1: the top byte is not part of the address. Without it a tagged pointer is
 * out of range. */
START_TEST(test_top_byte_ignore_per_half)
{
	three_level_tables();
	const uint64_t tagged = VA3 | (0x5Aull << 56);
	expect_fault(walk(MMU_ON, TCR3, L1, 0, tagged, -EFAULT), S1_FAULT_TRANSLATION, 0);
	ck_assert_uint_eq(gpa_bits(walk(MMU_ON, TCR3 | TBI0, L1, 0, tagged, 0).ipa),
			  0x412345008ull);
	ck_assert_uint_eq(walk(MMU_ON, TCR3 | TBI1, L1, 0, tagged, -EFAULT).fault,
			  S1_FAULT_TRANSLATION); /* TBI1 is the other half's */
	/* The upper half with tag 0x00: bit 55 still selects TTBR1. */
	put(0xA0000000ull + 0x100 * 8, 0xC0000000ull | AF | BLOCK);
	const uint64_t upper = 0x00FFFFC000201234ull;
	uint64_t tcr = T0SZ(25) | T1SZ(25) | TG1_4K | IPS(2);
	expect_fault(walk(MMU_ON, tcr, L1, 0xA0000000ull, upper, -EFAULT), S1_FAULT_TRANSLATION, 0);
	ck_assert_uint_eq(gpa_bits(walk(MMU_ON, tcr | TBI1, L1, 0xA0000000ull, upper, 0).ipa),
			  0xC0201234ull);
}
END_TEST

/* ---- Descriptors ------------------------------------------------------------------ */

/* A 2 MiB block at level 2 maps VA[20:0]; output-address bits inside the block are not
 * part of the address. */
START_TEST(test_block_descriptors_at_levels_1_and_2)
{
	put(L1 + 0x1A5 * 8, L2 | TABLE);
	put(L2 + 3 * 8, 0x40600000ull | (1ull << 12) | AF | BLOCK);
	struct s1_result r = walk(MMU_ON, TCR3, L1, 0, VA3, 0);
	ck_assert_uint_eq(gpa_bits(r.ipa), 0x40605008ull);
	ck_assert_uint_eq(r.level, 2);
	ck_assert_uint_eq(r.size, 2ull << 20);
	put(L1 + 0x1A5 * 8, 0x3C0000000ull | AF | BLOCK);
	r = walk(MMU_ON, TCR3, L1, 0, VA3, 0);
	ck_assert_uint_eq(gpa_bits(r.ipa), 0x3C0000000ull + (VA3 & 0x3FFFFFFF));
	ck_assert_uint_eq(r.level, 1);
	ck_assert_uint_eq(r.size, 1ull << 30);
}
END_TEST

/* No blocks at level 0 with the 4 KiB granule (without FEAT_LPA2), and at level 3 the
 * encoding 0b01 is reserved: both are translation faults at their level. */
START_TEST(test_reserved_encodings_are_translation_faults)
{
	put(0x90000000ull, 0x0ull | AF | BLOCK);
	expect_fault(walk(MMU_ON, T0SZ(16) | EPD1, 0x90000000ull, 0, 0x1000, -EFAULT),
		     S1_FAULT_TRANSLATION, 0);
	three_level_tables();
	put(L3 + 5 * 8, 0x412345000ull | AF | BLOCK);
	expect_fault(walk(MMU_ON, TCR3, L1, 0, VA3, -EFAULT), S1_FAULT_TRANSLATION, 3);
}
END_TEST

START_TEST(test_invalid_descriptor_faults_at_its_level)
{
	three_level_tables();
	for (unsigned level = 3; level >= 1; level--) {
		uint64_t at = level == 3 ? L3 + 5 * 8 : level == 2 ? L2 + 3 * 8 : L1 + 0x1A5 * 8;
		put(at, 0x412345000ull | AF | 0x2); /* bit 0 clear: invalid, whatever else */
		expect_fault(walk(MMU_ON, TCR3, L1, 0, VA3, -EFAULT), S1_FAULT_TRANSLATION, level);
		ck_assert_uint_eq(mem.nreads, level);
	}
}
END_TEST

START_TEST(test_access_flag_clear_faults_unless_hardware_managed)
{
	three_level_tables();
	put(L3 + 5 * 8, 0x412345000ull | TABLE);
	expect_fault(walk(MMU_ON, TCR3, L1, 0, VA3, -EFAULT), S1_FAULT_ACCESS_FLAG, 3);
	ck_assert_uint_eq(gpa_bits(walk(MMU_ON, TCR3 | HA, L1, 0, VA3, 0).ipa), 0x412345008ull);
}
END_TEST

/* IPS 0b000: 32-bit output. An output address, a next-level table or the TTBR above it
 * is an address-size fault, at the level of the descriptor that holds it (level 0 for
 * the TTBR). */
START_TEST(test_output_addresses_beyond_ips_are_address_size_faults)
{
	const uint64_t tcr = T0SZ(25) | EPD1 | IPS(0);
	three_level_tables();
	expect_fault(walk(MMU_ON, tcr, L1, 0, VA3, -EFAULT), S1_FAULT_ADDRESS_SIZE, 3);
	put(L3 + 5 * 8, 0x12345000ull | AF | TABLE);
	ck_assert_uint_eq(gpa_bits(walk(MMU_ON, tcr, L1, 0, VA3, 0).ipa), 0x12345008ull);
	put(L1 + 0x1A5 * 8, (1ull << 32) | L2 | TABLE);
	expect_fault(walk(MMU_ON, tcr, L1, 0, VA3, -EFAULT), S1_FAULT_ADDRESS_SIZE, 1);
	expect_fault(walk(MMU_ON, tcr, (1ull << 40) | L1, 0, VA3, -EFAULT), S1_FAULT_ADDRESS_SIZE, 0);
	ck_assert_uint_eq(mem.nreads, 0);
	/* IPS above the PE's 44 bits is capped at 44. */
	put(L1 + 0x1A5 * 8, (1ull << 44) | L2 | TABLE);
	expect_fault(walk(MMU_ON, T0SZ(25) | EPD1 | IPS(5), L1, 0, VA3, -EFAULT),
		     S1_FAULT_ADDRESS_SIZE, 1);
}
END_TEST

START_TEST(test_unreadable_table_is_a_walk_fault)
{
	put(L1 + 0x1A5 * 8, L2 | TABLE);
	put(L2 + 3 * 8, 0x70000000ull | TABLE); /* no guest memory there */
	struct s1_result r = walk(MMU_ON, TCR3, L1, 0, VA3, -EFAULT);
	expect_fault(r, S1_FAULT_WALK, 3);
	ck_assert_uint_eq(mem.reads[2], 0x70000000ull + 5 * 8);
}
END_TEST

START_TEST(test_16k_and_64k_granules_are_not_modelled)
{
	three_level_tables();
	expect_fault(walk(MMU_ON, TCR3 | TG0_16K, L1, 0, VA3, -EFAULT), S1_FAULT_GRANULE, 0);
	expect_fault(walk(MMU_ON, TCR3 | TG0_64K, L1, 0, VA3, -EFAULT), S1_FAULT_GRANULE, 0);
	/* TG1 0b00 is reserved (4 KiB is 0b10 there). */
	expect_fault(walk(MMU_ON, T1SZ(25), 0, L1, 0xFFFFFFC000201234ull, -EFAULT),
		     S1_FAULT_GRANULE, 0);
	ck_assert_uint_eq(mem.nreads, 0);
}
END_TEST

/* SCTLR_EL1.EE: EL1&0 table walks read big-endian descriptors. */
START_TEST(test_big_endian_walks)
{
	mem.big_endian = true;
	three_level_tables();
	ck_assert_uint_eq(gpa_bits(walk(MMU_ON | EE, TCR3, L1, 0, VA3, 0).ipa), 0x412345008ull);
	expect_fault(walk(MMU_ON, TCR3, L1, 0, VA3, -EFAULT), S1_FAULT_TRANSLATION, 1);
}
END_TEST

/* ---- MMU off ------------------------------------------------------------------------ */

/* SCTLR_EL1.M = 0: IPA = VA, nothing read, and a VA beyond the PE's 44-bit physical
 * address size is an address-size fault at level 0; with TBI the tag is set aside. */
START_TEST(test_mmu_off_maps_va_to_ipa)
{
	ck_assert_uint_eq(gpa_bits(walk(MMU_OFF, 0, 0, 0, 0x40001234ull, 0).ipa), 0x40001234ull);
	ck_assert_uint_eq(gpa_bits(walk(MMU_OFF, 0, 0, 0, 0xFFFFFFFFFFFull, 0).ipa),
			  0xFFFFFFFFFFFull);
	ck_assert_uint_eq(mem.nreads, 0);
	expect_fault(walk(MMU_OFF, 0, 0, 0, 1ull << 44, -EFAULT), S1_FAULT_ADDRESS_SIZE, 0);
	expect_fault(walk(MMU_OFF, 0, 0, 0, 0xA5ull << 56 | 0x1000, -EFAULT),
		     S1_FAULT_ADDRESS_SIZE, 0);
	ck_assert_uint_eq(gpa_bits(walk(MMU_OFF, TBI0, 0, 0, 0xA5ull << 56 | 0x1000, 0).ipa),
			  0x1000);
	/* An upper-half address is never below the physical-address size. */
	expect_fault(walk(MMU_OFF, TBI0 | TBI1, 0, 0, 0x0080000000001000ull, -EFAULT),
		     S1_FAULT_ADDRESS_SIZE, 0);
	/* The MMU-off map ignores the table registers altogether. */
	three_level_tables();
	ck_assert_uint_eq(gpa_bits(walk(MMU_OFF, TCR3, L1, 0, VA3, 0).ipa), VA3);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct s1_regs r = { .sctlr = MMU_OFF };
	struct s1_result out;

	ck_assert_int_eq(s1_translate(NULL, gva_make(0), mem_read, &mem, &out), -EINVAL);
	ck_assert_int_eq(s1_translate(&r, gva_make(0), NULL, &mem, &out), -EINVAL);
	ck_assert_int_eq(s1_translate(&r, gva_make(0), mem_read, &mem, NULL), -EINVAL);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("s1walk");
	TCase *tc = tcase_create("s1walk");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_t0sz_25_walks_three_levels_from_level_1);
	tcase_add_test(tc, test_t0sz_16_walks_four_levels_from_level_0);
	tcase_add_test(tc, test_t0sz_20_starts_at_a_32_entry_level_0_table);
	tcase_add_test(tc, test_t0sz_33_and_39_start_at_small_tables);
	tcase_add_test(tc, test_out_of_range_t0sz_behaves_as_the_nearest_bound);
	tcase_add_test(tc, test_upper_half_walks_from_ttbr1);
	tcase_add_test(tc, test_top_byte_ignore_per_half);
	tcase_add_test(tc, test_block_descriptors_at_levels_1_and_2);
	tcase_add_test(tc, test_reserved_encodings_are_translation_faults);
	tcase_add_test(tc, test_invalid_descriptor_faults_at_its_level);
	tcase_add_test(tc, test_access_flag_clear_faults_unless_hardware_managed);
	tcase_add_test(tc, test_output_addresses_beyond_ips_are_address_size_faults);
	tcase_add_test(tc, test_unreadable_table_is_a_walk_fault);
	tcase_add_test(tc, test_16k_and_64k_granules_are_not_modelled);
	tcase_add_test(tc, test_big_endian_walks);
	tcase_add_test(tc, test_mmu_off_maps_va_to_ipa);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}
