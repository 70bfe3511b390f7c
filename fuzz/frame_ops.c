/* fuzz/frame_ops: the frame allocator against a reference model of which frames are
 * taken and what two accounts were promised and hold. The machine has two small RAM
 * ranges with a hole between them; every input starts from a fresh allocator.
 *
 * Input: a sequence of 4-byte operations [op, a, b, c]; k = (op / 12) % 2 names an
 * account where one is used:
 *   op % 12 == 0   claim   base = window(a, b), size = (c % 12) pages, plus 1 byte if c >= 250
 *   op % 12 == 1   release base and size as for claim
 *   op % 12 == 2   alloc one frame (held in slot a % 64, if that slot is empty)
 *   op % 12 == 3   free slot a % 64 (a freed slot's frame is freed a second time when
 *                  b is odd: a double free that must be refused)
 *   op % 12 == 4   alloc_contig count = c % 9 (0 is invalid), align = 1 << (b % 4)
 *   op % 12 == 5   fail the (b % 4 + 1)th allocation call from now
 *   op % 12 == 6   reserve c % 24 frames for account k
 *   op % 12 == 7   unreserve account k
 *   op % 12 == 8   alloc one frame charged to k (held in k's slot a % 16, if empty)
 *   op % 12 == 9   free k's slot a % 16 to k; if that slot is empty, free unaccounted
 *                  slot a % 64's frame to k, which must be refused if k holds nothing
 *   op % 12 == 10  claim as for 0, charged to k
 *   op % 12 == 11  release as for 1, charged back to k
 * window(a, b) is a page of range 0 (a < 128), of range 1 (a >= 128), or in the hole
 * or below RAM (b % 16 == 0), or an unaligned address (b % 16 == 1).
 * Each operation runs as pCPU (op / 24) % 4 of four, so single frames go through and
 * come from four caches; op >= 240 instead drains every cache, as pCPU op % 4, and
 * none may hold a frame after it. Claims, runs and reservations meet frames sitting in
 * caches as they come.
 * The allocator's return code, frame choice (a frame the model says is free: which one
 * is the caches' business), outstanding, free, available and cached counts (cached:
 * never more than the model's free frames) and both accounts are checked against the model
 * after every step; at the end everything is returned and the count must be zero. Any
 * difference aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "fuzz/fuzz_util.h"
#include "hal-sim/sim.h"
#include "hal/err.h"

#define R0 0x40000000ull
#define R1 0x40100000ull /* 1 MiB above R0: a hole of 768 KiB between them */
#define FRAMES 64        /* per range; frame 0 of each holds the state map */

static bool taken[2][FRAMES];
static uint64_t slots[64];
static size_t model_outstanding;
static uint64_t fail_in; /* calls until the injected failure, 0 = none */

static struct frame_account accts[2];
static struct frame_account model[2];  /* what accts must hold */
static uint64_t acct_slots[2][16];
static size_t promised;                /* sum of reserved - in_use */

/* Range and index of pa, or false if it is not an allocatable frame. */
static bool locate(uint64_t pa, int *r, size_t *i)
{
	for (int k = 0; k < 2; k++) {
		uint64_t base = k ? R1 : R0;
		if (pa >= base + 4096 && pa < base + FRAMES * 4096ull && !(pa & 4095)) {
			*r = k;
			*i = (size_t)((pa - base) / 4096);
			return true;
		}
	}
	return false;
}

/* Whether the next allocation call is the injected failure (and consume it). */
static bool next_call_fails(void)
{
	if (!fail_in)
		return false;
	return --fail_in == 0;
}

static size_t model_available(void)
{
	return 2 * (FRAMES - 1) - model_outstanding - promised;
}

/* Room left for account k (NULL-like: k < 0 is no account). */
static size_t room(int k)
{
	return k < 0 ? model_available() : model[k].reserved - model[k].in_use;
}

static void model_charge(int k, size_t n)
{
	model_outstanding += n;
	if (k < 0)
		return;
	model[k].in_use += n;
	promised -= n;
	if (model[k].in_use > model[k].peak)
		model[k].peak = model[k].in_use;
}

static void model_uncharge(int k, size_t n)
{
	model_outstanding -= n;
	if (k < 0)
		return;
	model[k].in_use -= n;
	promised += n;
}

/* Forget every slot whose frame lies in [i, i + n) of range r. */
static void forget_slots(int r, size_t i, size_t n)
{
	uint64_t *all[64 + 32];
	for (int s = 0; s < 64; s++)
		all[s] = &slots[s];
	for (int s = 0; s < 32; s++)
		all[64 + s] = &acct_slots[s / 16][s % 16];
	for (int s = 0; s < 64 + 32; s++) {
		int sr;
		size_t si;
		if (*all[s] && locate(*all[s], &sr, &si) && sr == r && si >= i && si < i + n)
			*all[s] = 0;
	}
}

static int model_region(uint64_t base, uint64_t size, int *r, size_t *i, size_t *n)
{
	if ((base & 4095) || size == 0 || (size & 4095))
		return -EINVAL;
	*n = (size_t)(size / 4096);
	if (!locate(base, r, i) || *i + *n > FRAMES)
		return -ERANGE;
	return 0;
}

/* Claim or release, for no account (k < 0) or charged to account k. */
static void op_claim(uint64_t base, uint64_t size, bool claim, int k)
{
	int r;
	size_t i, n;
	int want = model_region(base, size, &r, &i, &n);
	struct frame_account *a = k < 0 ? NULL : &accts[k];

	if (want == 0 && claim && next_call_fails())
		want = -ENOMEM;
	if (want == 0 && !claim && k >= 0 && n > model[k].in_use)
		want = -EINVAL;
	if (want == 0) {
		for (size_t f = 0; f < n; f++)
			if (taken[r][i + f] == claim)
				want = claim ? -EBUSY : -EINVAL;
	}
	if (want == 0 && claim && n > room(k))
		want = -ENOMEM;
	int got = claim ? frame_claim_at_acct(a, pa_make(base), size) : frame_release_at_acct(a,
			pa_make(base), size);
	CHECK(got == want);
	if (got == 0) {
		for (size_t f = 0; f < n; f++)
			taken[r][i + f] = claim;
		if (claim)
			model_charge(k, n);
		else
			model_uncharge(k, n);
		/* A released region may have held slot frames: forget those slots. */
		if (!claim)
			forget_slots(r, i, n);
	}
}

/* One frame for no account (k < 0, into slots[slot]) or for k (into acct_slots). */
static void op_alloc(unsigned slot, int k)
{
	paddr_t frame;
	bool fails = next_call_fails();
	int got = frame_alloc_acct(k < 0 ? NULL : &accts[k], &frame);
	uint64_t pa = pa_bits(frame);

	if (fails || room(k) == 0) {
		CHECK(got == -ENOMEM);
		return;
	}
	CHECK(got == 0); /* free frames never fall below what accounts were promised */
	int r;
	size_t i;
	CHECK(locate(pa, &r, &i));
	CHECK(!taken[r][i]);
	taken[r][i] = true;
	model_charge(k, 1);
	uint64_t *s = k < 0 ? &slots[slot] : &acct_slots[k][slot % 16];
	if (!*s)
		*s = pa;
}

static void op_free(unsigned slot, bool twice)
{
	if (!slots[slot])
		return;
	int r;
	size_t i;
	CHECK(locate(slots[slot], &r, &i));
	CHECK(frame_free(pa_make(slots[slot])) == 0);
	taken[r][i] = false;
	model_outstanding--;
	if (twice)
		CHECK(frame_free(pa_make(slots[slot])) == -EINVAL);
	slots[slot] = 0;
}

/* Free account k's slot back to k; with that slot empty, try to charge back to k a
 * frame k never had, which must be refused while k holds nothing. */
static void op_free_acct(int k, unsigned slot, unsigned other)
{
	uint64_t *s = &acct_slots[k][slot];
	int r;
	size_t i;

	if (!*s) {
		if (slots[other] && model[k].in_use == 0)
			CHECK(frame_free_acct(&accts[k], pa_make(slots[other])) == -EINVAL);
		return;
	}
	CHECK(locate(*s, &r, &i));
	if (model[k].in_use == 0) { /* k gave back frames it never had (releases for k) */
		CHECK(frame_free_acct(&accts[k], pa_make(*s)) == -EINVAL);
		return;
	}
	CHECK(frame_free_acct(&accts[k], pa_make(*s)) == 0);
	taken[r][i] = false;
	model_uncharge(k, 1);
	*s = 0;
}

static void op_reserve(int k, size_t count)
{
	bool fails = next_call_fails();
	size_t avail = 0;
	int got = frame_reserve(&accts[k], count, &avail);

	if (fails || count > model_available()) {
		CHECK(got == -ENOMEM);
		CHECK(avail == model_available());
		return;
	}
	CHECK(got == 0);
	model[k].reserved += count;
	promised += count;
}

static void op_unreserve(int k)
{
	int got = frame_unreserve(&accts[k]);

	if (model[k].in_use) {
		CHECK(got == -EBUSY);
		return;
	}
	CHECK(got == 0);
	promised -= model[k].reserved;
	model[k].reserved = 0;
}

static bool run_fits(size_t count, size_t align)
{
	for (int r = 0; r < 2; r++)
		for (size_t i = 1; i + count <= FRAMES; i++) {
			if (i % align)
				continue;
			size_t k = 0;
			while (k < count && !taken[r][i + k])
				k++;
			if (k == count)
				return true;
		}
	return false;
}

static void op_contig(size_t count, size_t align)
{
	paddr_t run;
	if (count == 0) {
		CHECK(frame_alloc_contig(0, align, &run) == -EINVAL);
		return;
	}
	bool fails = next_call_fails();
	int got = frame_alloc_contig(count, align, &run);
	uint64_t pa = pa_bits(run);
	if (fails || count > room(-1) || !run_fits(count, align)) {
		CHECK(got == -ENOMEM);
		return;
	}
	CHECK(got == 0);
	CHECK((pa / 4096) % align == 0);
	int r;
	size_t i;
	CHECK(locate(pa, &r, &i));
	for (size_t k = 0; k < count; k++) {
		CHECK(!taken[r][i + k]);
		taken[r][i + k] = true;
	}
	model_outstanding += count;
}

static uint64_t window(uint8_t a, uint8_t b)
{
	if (b % 16 == 0)
		return (b & 0x10) ? R0 + (uint64_t)(64 + a % 128) * 4096 : (uint64_t)a * 4096;
	uint64_t pa = (a < 128 ? R0 : R1) + (uint64_t)(a % 64) * 4096;
	return b % 16 == 1 ? pa + 8 : pa;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool machine;
	if (!machine) {
		struct hal_sim_config cfg = { .pcpus = 4, .nranges = 2,
			.ranges = { { { R0 }, FRAMES * 4096 }, { { R1 }, FRAMES * 4096 } } };
		CHECK(hal_sim_init(&cfg) == 0);
		machine = true;
	}
	CHECK(hal_sim_act_as_pcpu(0) == 0);
	CHECK(frame_init() == 0);
	memset(taken, 0, sizeof(taken));
	memset(slots, 0, sizeof(slots));
	memset(acct_slots, 0, sizeof(acct_slots));
	memset(accts, 0, sizeof(accts));
	memset(model, 0, sizeof(model));
	model_outstanding = promised = 0;
	fail_in = 0;

	for (; size >= 4; data += 4, size -= 4) {
		uint8_t op = data[0] % 12, a = data[1], b = data[2], c = data[3];
		int k = (data[0] / 12) % 2;
		if (data[0] >= 240) {
			CHECK(hal_sim_act_as_pcpu(data[0] % 4) == 0);
			frame_cache_drain_all();
			CHECK(frame_cached() == 0);
			op = 12; /* nothing else */
		} else {
			CHECK(hal_sim_act_as_pcpu((data[0] / 24) % 4) == 0);
		}
		uint64_t sz = (uint64_t)(c % 12) * 4096 + (c >= 250 ? 1 : 0);
		switch (op) {
		case 0: op_claim(window(a, b), sz, true, -1); break;
		case 1: op_claim(window(a, b), sz, false, -1); break;
		case 2: op_alloc(a % 64, -1); break;
		case 3: op_free(a % 64, b & 1); break;
		case 4: op_contig(c % 9, (size_t)1 << (b % 4)); break;
		case 5:
			fail_in = (uint64_t)(b % 4) + 1;
			frame_fault_fail_nth(fail_in);
			break;
		case 6: op_reserve(k, c % 24); break;
		case 7: op_unreserve(k); break;
		case 8: op_alloc(a % 16, k); break;
		case 9: op_free_acct(k, a % 16, a % 64); break;
		case 10: op_claim(window(a, b), sz, true, k); break;
		case 11: op_claim(window(a, b), sz, false, k); break;
		}
		CHECK(frame_outstanding() == model_outstanding);
		CHECK(frame_free_count() == 2 * (FRAMES - 1) - model_outstanding);
		CHECK(frame_cached() <= 2 * (FRAMES - 1) - model_outstanding);
		CHECK(frame_available() == model_available());
		for (int j = 0; j < 2; j++) {
			struct frame_account got = frame_account_read(&accts[j]);
			CHECK(got.reserved == model[j].reserved && got.in_use == model[j].in_use &&
			      got.peak == model[j].peak);
		}
	}
	frame_fault_clear();
	/* Return everything the model says is taken, frame by frame. */
	for (int r = 0; r < 2; r++)
		for (size_t i = 1; i < FRAMES; i++)
			if (taken[r][i])
				CHECK(frame_free(pa_make((r ? R1 : R0) + i * 4096)) == 0);
	CHECK(frame_outstanding() == 0);
	return 0;
}
