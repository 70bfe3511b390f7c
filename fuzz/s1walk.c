/* fuzz/s1walk: the software stage-1 walker (arch/aarch64/s1walk.c) on arbitrary
 * registers, addresses and page tables. The guest memory is the input itself; every
 * descriptor the walker reads is recorded, and the result is checked against what the
 * architecture says of it, restated here independently of the walker's code:
 *   - 0 exactly when the result says S1_OK, -EFAULT otherwise; at most four reads, all
 *     8-byte aligned, none after one failed (S1_FAULT_WALK exactly then); none with
 *     the MMU off or for a fault before the walk (level 0 without a read);
 *   - MMU off: IPA = VA below the physical-address size, nothing read; an address-size
 *     fault exactly when a bit between the PA size and the top (55 with TBI, else 63)
 *     is set;
 *   - MMU on: the walk starts at the level the input size gives (4 KiB granule:
 *     level 3 - (inputsize - 13) / 9, TxSZ clamped to 16..39) in the table TTBRn's
 *     BADDR names, reads the entry the VA indexes in each table, and each next table
 *     is at the output address of the descriptor before; a success is a leaf of 4 KiB
 *     at level 3, 2 MiB at level 2 or 1 GiB at level 1 with the valid bit set, whose
 *     IPA is the descriptor's output address with the VA's offset in the leaf;
 *   - the same input gives the same result, and with TBI for the VA's half a different
 *     top byte (bit 55 kept) gives the same result too.
 *
 * Input (little-endian):
 *   [0..7]   SCTLR_EL1 (M is bit 0, EE bit 25)
 *   [8..15]  TCR_EL1
 *   [16..23] TTBR0_EL1
 *   [24..31] TTBR1_EL1
 *   [32..39] the VA
 *   [40]     the PE's physical-address size: 32 + n % 17 bits
 *   [41]     readable guest memory ends at 2^(12 + n % 37): a read at or above it fails
 *   [42..]   guest memory, up to 64 KiB: the bytes repeat every power of two not less
 *            than their length (at least 8), so every table address lands in them;
 *            bytes past the end of the input read as zero within that power of two.
 * A shorter input than 42 bytes is ignored. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/aarch64/s1walk.h"
#include "fuzz/fuzz_util.h"
#include "hal/err.h"

#define HDR 42
#define MAX_MEM (64u * 1024)
#define MAX_READS 16

static struct {
	const uint8_t *bytes;
	size_t len, span;    /* span: the power of two the bytes repeat over */
	unsigned limit_bits; /* reads at or above 2^limit_bits fail */
	bool big_endian;
	unsigned nreads; /* attempted, the failed one included */
	bool last_failed;
	uint64_t at[MAX_READS], value[MAX_READS];
} mem;

static int mem_read(void *ctx, gpa_t at, void *buf, size_t len)
{
	uint64_t ipa = gpa_bits(at);

	uint8_t *out = buf;

	CHECK(ctx == &mem && len == 8 && (ipa & 7) == 0);
	CHECK(mem.nreads < 4 && !mem.last_failed); /* no fifth read, none after a failure */
	mem.at[mem.nreads] = ipa;
	mem.value[mem.nreads++] = 0;
	if (ipa >> mem.limit_bits) {
		mem.last_failed = true;
		return -EFAULT;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		size_t off = (size_t)((ipa + i) & (mem.span - 1));
		out[i] = off < mem.len ? mem.bytes[off] : 0;
		v |= (uint64_t)out[i] << (8 * (mem.big_endian ? 7 - i : i));
	}
	mem.value[mem.nreads - 1] = v;
	return 0;
}

static int run(const struct s1_regs *r, uint64_t va, struct s1_result *out)
{
	mem.nreads = 0;
	mem.last_failed = false;
	int err = s1_translate(r, gva_make(va), mem_read, &mem, out);
	CHECK(err == 0 || err == -EFAULT);
	CHECK((err == 0) == (out->fault == S1_OK));
	CHECK(out->level <= 3);
	return err;
}

static uint64_t bits(uint64_t v, unsigned hi, unsigned lo)
{
	unsigned w = hi - lo + 1;
	return (v >> lo) & (w >= 64 ? ~0ull : (1ull << w) - 1);
}

static unsigned clamp_txsz(uint64_t tcr, bool upper)
{
	unsigned t = (unsigned)bits(tcr, upper ? 21 : 5, upper ? 16 : 0);
	return t < 16 ? 16 : t > 39 ? 39 : t;
}

static void check_flat(const struct s1_regs *r, uint64_t va, int err, const struct s1_result *o)
{
	bool tbi = (va >> 55) & 1 ? (r->tcr >> 38) & 1 : (r->tcr >> 37) & 1;
	bool too_big = bits(va, tbi ? 55 : 63, r->pa_bits) != 0;

	CHECK(mem.nreads == 0);
	CHECK(too_big == (err != 0));
	if (err)
		CHECK(o->fault == S1_FAULT_ADDRESS_SIZE && o->level == 0);
	else
		CHECK(gpa_bits(o->ipa) == bits(va, r->pa_bits - 1, 0) && o->size == 0);
}

/* Each read is the VA's entry in the table the previous descriptor pointed at. */
static void check_chain(const struct s1_regs *r, uint64_t va, unsigned start)
{
	bool upper = (va >> 55) & 1;
	unsigned inputsize = 64 - clamp_txsz(r->tcr, upper);
	unsigned x = 3 + inputsize - (12 + 9 * (3 - start)); /* log2 of the first table's size */

	CHECK(bits(mem.at[0], 47, x) == bits(upper ? r->ttbr1 : r->ttbr0, 47, x));
	for (unsigned i = 0; i < mem.nreads; i++) {
		unsigned level = start + i, shift = 12 + 9 * (3 - level);
		unsigned top = i == 0 ? inputsize - 1 : shift + 8;
		CHECK(level <= 3);
		CHECK(bits(mem.at[i], top - shift + 3, 3) == bits(va, top, shift));
		if (i > 0)
			CHECK(bits(mem.at[i], 47, 12) == bits(mem.value[i - 1], 47, 12));
	}
}

static void check_walk(const struct s1_regs *r, uint64_t va, int err, const struct s1_result *o)
{
	unsigned inputsize = 64 - clamp_txsz(r->tcr, (va >> 55) & 1);
	unsigned start = 3 - (inputsize - 13) / 9;

	if (mem.nreads == 0) {
		CHECK(err && o->level == 0);
		return;
	}
	check_chain(r, va, start);
	CHECK(o->level == start + mem.nreads - 1);
	CHECK((o->fault == S1_FAULT_WALK) == mem.last_failed);
	if (err)
		return;
	uint64_t size = o->level == 3 ? 1ull << 12 : o->level == 2 ? 1ull << 21 : 1ull << 30;
	uint64_t d = mem.value[mem.nreads - 1];
	CHECK(o->level >= 1 && o->size == size && o->desc == d && (d & 1));
	CHECK(gpa_bits(o->ipa) == ((bits(d, 47, 12) << 12) & ~(size - 1)) + (va & (size - 1)));
}

static bool same(const struct s1_result *a, const struct s1_result *b)
{
	return a->fault == b->fault && gpa_eq(a->ipa, b->ipa) && a->level == b->level &&
	       a->desc == b->desc && a->size == b->size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	struct s1_regs r = { .sctlr = le(data, 8), .tcr = le(data + 8, 8), .ttbr0 = le(data + 16, 8),
			     .ttbr1 = le(data + 24, 8), .pa_bits = 32 + data[40] % 17u };
	uint64_t va = le(data + 32, 8);
	mem.bytes = data + HDR;
	mem.len = size - HDR < MAX_MEM ? size - HDR : MAX_MEM;
	for (mem.span = 8; mem.span < mem.len; mem.span *= 2)
		;
	mem.limit_bits = 12 + data[41] % 37u;
	mem.big_endian = (r.sctlr >> 25) & 1;

	struct s1_result o, again;
	int err = run(&r, va, &o);
	if (r.sctlr & 1)
		check_walk(&r, va, err, &o);
	else
		check_flat(&r, va, err, &o);

	CHECK(run(&r, va, &again) == err && same(&o, &again));
	if ((va >> 55) & 1 ? (r.tcr >> 38) & 1 : (r.tcr >> 37) & 1) {
		CHECK(run(&r, va ^ (0xA5ull << 56), &again) == err && same(&o, &again));
	}
	return 0;
}
