/* The virtual PLIC (RISC-V PLIC specification 1.0.0) of one riscv64 VM: register
 * decoding through a table of the spec's memory map, the level-sensitive gateways, and
 * claim/complete. Pure: no locking (the caller serialises calls on a VM), no allocation.
 *
 * What the spec leaves to the implementation, decided here:
 * - Inside a register array of the spec's map (the priorities 0x0-0xFFC, the pending
 *   words 0x1000-0x107C, the 32 enable words of a context the VM has), a register of a
 *   source that does not exist (source 0, sources past PLIC_NDEV) is hardwired to
 *   zero: it reads 0 and ignores writes, as WARL fields without implemented bits (the
 *   spec: source 0's priority is "Reserved", and bit 0 of the first pending and enable
 *   words, the non-existent source 0, "is hardwired to zero"; QEMU 7.2's virt also
 *   reads 0 there without a fault). Every other offset of the window — the reserved
 *   gaps between the arrays, the enable words and context pages of contexts the VM
 *   does not have, a context page past its threshold and claim/complete words — is an
 *   access error, so that a guest poking at them gets a fault rather than silence.
 * - Only aligned 32-bit accesses (the spec's registers are 32 bits wide).
 * - Priorities and thresholds are WARL and keep PLIC_PRIO_BITS bits (QEMU's virt
 *   reads 7 back after writing ~0 to either). */
#include <stddef.h>

#include "arch/riscv64/plic.h"
#include "hal/err.h"

static bool bit_test(const uint32_t *map, unsigned src)
{
	return ((map[src / 32u] >> (src % 32u)) & 1u) != 0;
}

static void bit_set(uint32_t *map, unsigned src)
{
	map[src / 32u] |= 1u << (src % 32u);
}

static void bit_clear(uint32_t *map, unsigned src)
{
	map[src / 32u] &= ~(1u << (src % 32u));
}

/* The bits of pending/enable word w that name sources 1 .. PLIC_NDEV. */
static uint32_t word_sources(unsigned w)
{
	unsigned first = 32u * w;
	uint32_t m = w == 0 ? ~1u : ~0u;

	if (first > PLIC_NDEV)
		return 0;
	if (PLIC_NDEV - first < 31u)
		m &= (2u << (PLIC_NDEV - first)) - 1u;
	return m;
}

bool plic_context_eip(const struct plic *p, unsigned ctx)
{
	if (ctx >= p->ncontexts)
		return false;
	const uint32_t *above = p->above[p->threshold[ctx]];
	for (unsigned w = 0; w < PLIC_WORDS; w++)
		if (p->pending[w] & p->enable[ctx][w] & above[w])
			return true;
	return false;
}

bool plic_hart_seip(const struct plic *p, unsigned hart)
{
	return hart < p->nharts && plic_context_eip(p, PLIC_CTX_S(hart));
}

/* Bit n: hart n's S-mode output. */
static uint64_t s_outputs(const struct plic *p)
{
	uint64_t m = 0;

	for (unsigned h = 0; h < p->nharts; h++)
		if (plic_context_eip(p, PLIC_CTX_S(h)))
			m |= 1ull << h;
	return m;
}

static void kick_changed(const struct plic *p, uint64_t before, uint64_t *kick)
{
	if (kick)
		*kick |= before ^ s_outputs(p);
}

int plic_init(struct plic *p, unsigned nharts)
{
	if (nharts == 0 || nharts > PLIC_MAX_HARTS)
		return -EINVAL;
	*p = (struct plic){.nharts = nharts, .ncontexts = 2u * nharts};
	return 0;
}

/* ---- The gateways and the core ------------------------------------------------------ */

/* A level-sensitive gateway forwards a request when the line is high and no request of
 * the source is pending or in service (claimed and not yet completed); the pending bit
 * then stays set until a claim, whatever the line does (PLIC spec, "Interrupt
 * Gateways"). */
static void gateway_forward(struct plic *p, unsigned src)
{
	if (bit_test(p->level, src) && !bit_test(p->pending, src) && !bit_test(p->claimed, src))
		bit_set(p->pending, src);
}

int plic_set_level(struct plic *p, unsigned src, bool level, uint64_t *kick)
{
	if (src == 0 || src > PLIC_NDEV)
		return -EINVAL;
	uint64_t before = s_outputs(p);
	if (level) {
		bit_set(p->level, src);
		gateway_forward(p, src);
	} else {
		bit_clear(p->level, src);
	}
	kick_changed(p, before, kick);
	return 0;
}

/* The highest-priority pending source enabled for ctx whose priority exceeds 0, the
 * lowest ID among equals; 0 when there is none.
 *
 * The context's threshold is NOT applied: PLIC spec 1.0.0, "Interrupt Claim Process":
 * "The PLIC can perform a claim at any time and the claim operation is not affected by
 * the setting of the priority threshold register." The threshold only masks the
 * notification (plic_context_eip). A guest that claims in answer to its notification
 * cannot tell the difference (the winner then has a priority above the threshold);
 * one that polls the claim register gets masked sources too, as the spec says. */
static uint32_t claim(struct plic *p, unsigned ctx)
{
	unsigned best = 0, best_prio = 0;

	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		uint32_t cand = p->pending[w] & p->enable[ctx][w] & p->above[0][w];
		for (unsigned b = 0; cand; b++, cand >>= 1) {
			unsigned src = 32u * w + b;
			if ((cand & 1u) && p->priority[src] > best_prio) {
				best = src;
				best_prio = p->priority[src];
			}
		}
	}
	if (best) {
		bit_clear(p->pending, best);
		bit_set(p->claimed, best);
	}
	return best;
}

/* "If the completion ID does not match an interrupt source that is currently enabled
 * for the target, the completion is ignored" (PLIC spec, "Interrupt Completion"); the
 * PLIC does not check that the ID is the one this context claimed. A completion of a
 * source not in service changes nothing. After it, a line still high is forwarded
 * again: the source is pending once more. */
static void complete(struct plic *p, unsigned ctx, uint32_t id)
{
	if (id == 0 || id > PLIC_NDEV || !bit_test(p->enable[ctx], id))
		return;
	if (!bit_test(p->claimed, id))
		return;
	bit_clear(p->claimed, id);
	gateway_forward(p, id);
}

/* ---- The register map ----------------------------------------------------------------- */

static void priority_read(struct plic *p, unsigned unit, unsigned reg, uint32_t *v)
{
	unsigned src = reg / 4u;

	(void)unit;
	*v = src <= PLIC_NDEV ? p->priority[src] : 0;
}

static void priority_write(struct plic *p, unsigned unit, unsigned reg, uint32_t v)
{
	unsigned src = reg / 4u;

	(void)unit;
	if (src == 0 || src > PLIC_NDEV)
		return;
	p->priority[src] = (uint8_t)(v & PLIC_PRIO_MAX);
	for (unsigned t = 0; t <= PLIC_PRIO_MAX; t++) {
		if (p->priority[src] > t)
			bit_set(p->above[t], src);
		else
			bit_clear(p->above[t], src);
	}
}

static void pending_read(struct plic *p, unsigned unit, unsigned reg, uint32_t *v)
{
	unsigned w = reg / 4u;

	(void)unit;
	*v = w < PLIC_WORDS ? p->pending[w] : 0;
}

/* The pending bits are read-only: a write is ignored. */
static void ignore_write(struct plic *p, unsigned unit, unsigned reg, uint32_t v)
{
	(void)p, (void)unit, (void)reg, (void)v;
}

static void enable_read(struct plic *p, unsigned ctx, unsigned reg, uint32_t *v)
{
	unsigned w = reg / 4u;

	*v = w < PLIC_WORDS ? p->enable[ctx][w] : 0;
}

static void enable_write(struct plic *p, unsigned ctx, unsigned reg, uint32_t v)
{
	unsigned w = reg / 4u;

	if (w < PLIC_WORDS)
		p->enable[ctx][w] = v & word_sources(w);
}

static void context_read(struct plic *p, unsigned ctx, unsigned reg, uint32_t *v)
{
	*v = reg == PLIC_THRESHOLD ? p->threshold[ctx] : claim(p, ctx);
}

static void context_write(struct plic *p, unsigned ctx, unsigned reg, uint32_t v)
{
	if (reg == PLIC_THRESHOLD)
		p->threshold[ctx] = (uint8_t)(v & PLIC_PRIO_MAX);
	else
		complete(p, ctx, v);
}

/* One array of the map: units of `stride` bytes from `base` (one unit, or one per
 * context the VM has), of which the first `span` bytes are registers. */
struct plic_block {
	uint32_t base, stride, span;
	bool per_context;
	void (*read)(struct plic *p, unsigned unit, unsigned reg, uint32_t *v);
	void (*write)(struct plic *p, unsigned unit, unsigned reg, uint32_t v);
};

static const struct plic_block plic_map[] = {
    {PLIC_PRIORITY, 0x1000u, 0x1000u, false, priority_read, priority_write},
    {PLIC_PENDING, 0x80u, 0x80u, false, pending_read, ignore_write},
    {PLIC_ENABLE, PLIC_ENABLE_STRIDE, PLIC_ENABLE_STRIDE, true, enable_read, enable_write},
    {PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, 8u, true, context_read, context_write},
};

/* The block an access falls in, with its unit and the offset in that unit; NULL for a
 * bad width, misalignment or an offset outside every block. */
static const struct plic_block *decode(const struct plic *p, uint64_t off, unsigned width,
                                       unsigned *unit, unsigned *reg)
{
	if (width != 4 || (off & 3u) || off >= PLIC_SIZE)
		return NULL;
	for (unsigned i = 0; i < sizeof(plic_map) / sizeof(plic_map[0]); i++) {
		const struct plic_block *b = &plic_map[i];
		if (off < b->base)
			continue;
		uint64_t rel = off - b->base;
		uint64_t u = rel / b->stride;
		if (u >= (b->per_context ? p->ncontexts : 1u) || rel % b->stride >= b->span)
			continue;
		*unit = (unsigned)u;
		*reg = (unsigned)(rel % b->stride);
		return b;
	}
	return NULL;
}

int plic_read(struct plic *p, uint64_t off, unsigned width, uint64_t *value, uint64_t *kick)
{
	unsigned unit, reg;
	const struct plic_block *b = decode(p, off, width, &unit, &reg);

	if (!b)
		return -EINVAL;
	uint64_t before = s_outputs(p);
	uint32_t v = 0;
	b->read(p, unit, reg, &v);
	*value = v;
	kick_changed(p, before, kick);
	return 0;
}

int plic_write(struct plic *p, uint64_t off, unsigned width, uint64_t value, uint64_t *kick)
{
	unsigned unit, reg;
	const struct plic_block *b = decode(p, off, width, &unit, &reg);

	if (!b)
		return -EINVAL;
	uint64_t before = s_outputs(p);
	b->write(p, unit, reg, (uint32_t)value);
	kick_changed(p, before, kick);
	return 0;
}
