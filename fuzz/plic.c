/* fuzz/plic: the virtual PLIC of one riscv64 VM (arch/riscv64/plic.c) driven as guests
 * and devices drive it, against a reference model kept here: a plain array per
 * register, and claims found by scanning every source. Every input starts from a fresh
 * plic_init on a heap block of exactly sizeof(struct plic), so that ASan sees a write
 * past it.
 *
 * Input: a header byte h, then 8-byte records [o, a, b, c, d, v0, v1, v2] (the first
 * MAX_STEPS of them).
 *   h % 17 harts: 0 (plic_init must refuse it; the input ends there) .. 16.
 *   value v = v0 | v1 << 8 | v2 << 24, with v2 also in bits 63:56 (what a 32-bit
 *   register must drop); width = d % 9 (0 .. 8: the valid 4 and the refused others),
 *   4096 when d == 0xFF.
 *   o % 4:
 *   0, 1  read / write at the raw offset a | b << 8 | (c & 0x7F) << 16 (0 .. 0x7FFFFF:
 *         the window and past it); c & 0x80 adds d << 56 (huge offsets)
 *   2     plic_set_level(source a (0 .. 255: 0 and past ndev refused), level b & 1)
 *   3     a well-formed 32-bit access, by a % 6, to context x = c % (contexts + 1)
 *         (one past the last: refused): 0 priority of source b, written v; 1 enable
 *         word b % 5 of x, written v; 2 threshold of x, written v; 3 claim from x;
 *         4 complete on x with ID b (o & 0x80: ID v); 5 a read of any register,
 *         priority b, pending word b % 33, enable word b % 33 of x, threshold of x.
 *
 * Checked after every step (any difference aborts; the last item after every 8th
 * step and at the end):
 *   - an access succeeds exactly when the model's map says (aligned 32-bit, inside
 *     the priority array 0x0-0xFFC, the pending words 0x1000-0x107C, an existing
 *     context's enable words or its threshold and claim/complete), set_level exactly
 *     for sources 1 .. 96; a refused read leaves the value alone;
 *   - a read returns the model's value (32 bits), a claim the model's winner: the
 *     highest-priority pending, enabled source of priority > 0, lowest ID on ties,
 *     the threshold not applied, which then must have been pending and enabled;
 *   - every context's output is the model's (some pending enabled source above its
 *     threshold), plic_hart_seip is the S context's and false past the harts;
 *   - kick names every hart whose S output changed, and no hart the VM lacks;
 *   - the state holds nothing outside bounds: no bit for source 0 or past 96, no
 *     enable bits of contexts the VM lacks, thresholds and priorities within 3 bits,
 *     nharts unchanged, and the pending, in-service, level and enable bits are the
 *     model's. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv64/plic.h"
#include "fuzz/fuzz_util.h"
#include "hal/err.h"

#define NSRC      1024u /* the spec's map has room for sources 0 .. 1023 */
#define MAX_STEPS 128u  /* the model is slow; longer inputs reach no more state */

static struct plic *p;

static struct {
	unsigned nharts, nctx;
	uint32_t prio[NSRC];
	uint32_t thr[PLIC_MAX_CONTEXTS];
	bool en[PLIC_MAX_CONTEXTS][NSRC];
	bool level[NSRC], pend[NSRC], busy[NSRC];
} m;

static bool exists(unsigned src)
{
	return src >= 1 && src <= 96;
}

/* -------- the model ----------------------------------------------------------------- */

enum reg_kind { R_NONE, R_PRIO, R_PEND, R_EN, R_THR, R_CLAIM };

/* What the spec's map (and the VM's contexts) make of an access. */
static enum reg_kind model_decode(uint64_t off, unsigned width, unsigned *ctx, unsigned *idx)
{
	if (width != 4 || off % 4 || off >= 0x600000)
		return R_NONE;
	if (off < 0x1000) {
		*idx = (unsigned)(off / 4);
		return R_PRIO;
	}
	if (off >= 0x1000 && off < 0x1080) {
		*idx = (unsigned)((off - 0x1000) / 4);
		return R_PEND;
	}
	if (off >= 0x2000 && off < 0x2000 + 0x80ull * m.nctx) {
		*ctx = (unsigned)((off - 0x2000) / 0x80);
		*idx = (unsigned)((off - 0x2000) % 0x80 / 4);
		return R_EN;
	}
	if (off >= 0x200000 && (off - 0x200000) / 0x1000 < m.nctx) {
		*ctx = (unsigned)((off - 0x200000) / 0x1000);
		if (off % 0x1000 == 0)
			return R_THR;
		if (off % 0x1000 == 4)
			return R_CLAIM;
	}
	return R_NONE;
}

static uint32_t model_word(const bool *bits, unsigned w)
{
	uint32_t v = 0;

	for (unsigned b = 0; b < 32; b++)
		if (exists(32 * w + b) && bits[32 * w + b])
			v |= 1u << b;
	return v;
}

/* out[c]: context c's output, as the spec defines it; refreshed after every step. */
static bool out[PLIC_MAX_CONTEXTS];

static void model_outputs(void)
{
	memset(out, 0, sizeof(out));
	for (unsigned s = 1; s <= 96; s++) {
		if (!m.pend[s])
			continue;
		for (unsigned c = 0; c < m.nctx; c++)
			if (m.en[c][s] && m.prio[s] > m.thr[c])
				out[c] = true;
	}
}

/* Bit n: hart n's S context's output. */
static uint64_t model_s_outputs(void)
{
	uint64_t o = 0;

	for (unsigned h = 0; h < m.nharts; h++)
		if (out[2 * h + 1])
			o |= 1ull << h;
	return o;
}

static unsigned model_claim(unsigned ctx)
{
	unsigned best = 0;

	for (unsigned s = 1; s <= 96; s++)
		if (m.pend[s] && m.en[ctx][s] && m.prio[s] > 0 &&
		    (!best || m.prio[s] > m.prio[best]))
			best = s;
	if (best) {
		m.pend[best] = false;
		m.busy[best] = true;
	}
	return best;
}

static void model_forward(unsigned s)
{
	if (m.level[s] && !m.busy[s])
		m.pend[s] = true;
}

static uint32_t model_read(enum reg_kind k, unsigned ctx, unsigned idx)
{
	switch (k) {
	case R_PRIO: return exists(idx) ? m.prio[idx] : 0;
	case R_PEND: return model_word(m.pend, idx);
	case R_EN: return model_word(m.en[ctx], idx);
	case R_THR: return m.thr[ctx];
	case R_CLAIM: return model_claim(ctx);
	default: abort();
	}
}

static void model_write(enum reg_kind k, unsigned ctx, unsigned idx, uint32_t v)
{
	switch (k) {
	case R_PRIO:
		if (exists(idx))
			m.prio[idx] = v & 7;
		break;
	case R_PEND: break;
	case R_EN:
		for (unsigned b = 0; b < 32; b++)
			if (exists(32 * idx + b))
				m.en[ctx][32 * idx + b] = (v >> b) & 1;
		break;
	case R_THR: m.thr[ctx] = v & 7; break;
	case R_CLAIM:
		if (v < NSRC && exists(v) && m.en[ctx][v] && m.busy[v]) {
			m.busy[v] = false;
			model_forward(v);
		}
		break;
	default: abort();
	}
}

/* -------- driving both ---------------------------------------------------------------- */

static void check_kick(uint64_t before, uint64_t kick)
{
	model_outputs();
	uint64_t after = model_s_outputs();

	CHECK((kick & (before ^ after)) == (before ^ after));
	CHECK(m.nharts == 64 || (kick >> m.nharts) == 0);
}

static void do_read(uint64_t off, unsigned width)
{
	unsigned ctx = 0, idx = 0;
	enum reg_kind k = model_decode(off, width, &ctx, &idx);
	uint64_t before = model_s_outputs(), v = 0xA5A5A5A5A5ull, kick = 0;
	int err = plic_read(p, off, width, &v, &kick);

	if (k == R_NONE) {
		CHECK(err == -EINVAL);
		CHECK(v == 0xA5A5A5A5A5ull);
		CHECK(kick == 0);
		return;
	}
	CHECK(err == 0);
	if (k == R_CLAIM && v) {
		/* what was claimed was pending, enabled, of priority > 0, not in service */
		CHECK(exists((unsigned)v) && m.pend[v] && m.en[ctx][v] && m.prio[v] && !m.busy[v]);
	}
	CHECK(v == model_read(k, ctx, idx));
	check_kick(before, kick);
}

static void do_write(uint64_t off, unsigned width, uint64_t v)
{
	unsigned ctx = 0, idx = 0;
	enum reg_kind k = model_decode(off, width, &ctx, &idx);
	uint64_t before = model_s_outputs(), kick = 0;
	int err = plic_write(p, off, width, v, &kick);

	if (k == R_NONE) {
		CHECK(err == -EINVAL);
		CHECK(kick == 0);
		return;
	}
	CHECK(err == 0);
	model_write(k, ctx, idx, (uint32_t)v);
	check_kick(before, kick);
}

static void do_level(unsigned src, bool level)
{
	uint64_t before = model_s_outputs(), kick = 0;
	int err = plic_set_level(p, src, level, &kick);

	if (!exists(src)) {
		CHECK(err == -EINVAL);
		CHECK(kick == 0);
		return;
	}
	CHECK(err == 0);
	m.level[src] = level;
	if (level)
		model_forward(src);
	check_kick(before, kick);
}

/* Every context's output and hart's SEIP against the model's. */
static void check_outputs(void)
{
	for (unsigned c = 0; c < m.nctx; c++)
		CHECK(plic_context_eip(p, c) == out[c]);
	CHECK(!plic_context_eip(p, m.nctx) && !plic_context_eip(p, UINT32_MAX));
	for (unsigned h = 0; h < m.nharts; h++)
		CHECK(plic_hart_seip(p, h) == plic_context_eip(p, 2 * h + 1));
	CHECK(!plic_hart_seip(p, m.nharts) && !plic_hart_seip(p, UINT32_MAX));
}

/* The implementation's state against the model's, and within its bounds. */
static void check_state(void)
{
	check_outputs();
	CHECK(p->nharts == m.nharts && p->ncontexts == m.nctx);
	CHECK(p->priority[0] == 0);
	for (unsigned s = 1; s <= PLIC_NDEV; s++)
		CHECK(p->priority[s] == m.prio[s]);
	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		CHECK(p->pending[w] == model_word(m.pend, w));
		CHECK(p->claimed[w] == model_word(m.busy, w));
		CHECK(p->level[w] == model_word(m.level, w));
		for (unsigned c = 0; c < PLIC_MAX_CONTEXTS; c++)
			CHECK(p->enable[c][w] == (c < m.nctx ? model_word(m.en[c], w) : 0));
	}
	for (unsigned c = 0; c < PLIC_MAX_CONTEXTS; c++)
		CHECK(p->threshold[c] == (c < m.nctx ? m.thr[c] : 0));
}

static void step(const uint8_t *r)
{
	uint8_t o = r[0], a = r[1], b = r[2], c = r[3], d = r[4];
	uint64_t v =
	    (uint64_t)r[5] | (uint64_t)r[6] << 8 | (uint64_t)r[7] << 24 | (uint64_t)r[7] << 56;
	unsigned width = d == 0xFF ? 4096u : d % 9u;
	uint64_t off = (uint64_t)a | (uint64_t)b << 8 | (uint64_t)(c & 0x7F) << 16;
	unsigned x = c % (m.nctx + 1);

	if (c & 0x80)
		off += (uint64_t)d << 56;
	switch (o % 4) {
	case 0: do_read(off, width); break;
	case 1: do_write(off, width, v); break;
	case 2: do_level(a, b & 1); break;
	default:
		switch (a % 6) {
		case 0: do_write(4ull * b, 4, v); break;
		case 1: do_write(0x2000 + 0x80ull * x + 4ull * (b % 5), 4, v); break;
		case 2: do_write(0x200000 + 0x1000ull * x, 4, v); break;
		case 3: do_read(0x200004 + 0x1000ull * x, 4); break;
		case 4: do_write(0x200004 + 0x1000ull * x, 4, o & 0x80 ? v : b); break;
		default:
			do_read(4ull * b, 4);
			do_read(0x1000 + 4ull * (b % 33), 4);
			do_read(0x2000 + 0x80ull * x + 4ull * (b % 33), 4);
			do_read(0x200000 + 0x1000ull * x, 4);
			break;
		}
	}
	check_outputs();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned nharts = data[0] % 17u;
	p = malloc(sizeof(*p));
	CHECK(p != NULL);
	memset(p, 0xEE, sizeof(*p)); /* init must set every field */
	if (nharts == 0) {
		CHECK(plic_init(p, 0) == -EINVAL);
		free(p);
		return 0;
	}
	CHECK(plic_init(p, nharts) == 0);
	memset(&m, 0, sizeof(m));
	m.nharts = nharts;
	m.nctx = 2 * nharts;
	model_outputs();
	check_state();
	for (unsigned n = 1; size >= 9 && n <= MAX_STEPS; data += 8, size -= 8, n++) {
		step(data + 1);
		if (n % 8 == 0)
			check_state();
	}
	check_state();
	free(p);
	return 0;
}
