/* fuzz/vgic_mmio: the virtual GICv3 of one VM (arch/aarch64/vgic.c, vgic_mmio.c) driven
 * as guests and devices drive it: distributor and redistributor accesses, interrupt
 * edges and lines, SGIs, and vCPUs entering (vgic_flush), acting on their list
 * registers as the CPU interface would, and exiting (vgic_sync), in any order. Every
 * input starts from a fresh vgic_init.
 *
 * Input: a header byte h, then 12-byte records [o, a, b, c, v0 .. v7].
 *   h % 4 + 1 vCPUs.
 *   v = v0 | v1 << 8 | ... | v7 << 56; width = W[c & 15] with
 *   W = {4, 4, 4, 4, 4, 1, 1, 1, 8, 8, 2, 0, 3, 16, 4, 1} (mostly the taken widths).
 *   o % 8:
 *   0, 1  distributor read / write at off = a | b << 8, or VGIC_DIST_SIZE + that when
 *         c & 0x80 (outside the window)
 *   2, 3  redistributor read / write at off = (a | b << 8 | (c >> 4) << 16) % 0x90000
 *         (the frames of up to 4 vCPUs, and past the last one)
 *   4     vgic_inject(vCPU a % 5, INTID b): vCPU 4 and INTIDs 128-255 are refused; with
 *         c & 0x80 vgic_forward instead (skipped while that interrupt is still linked,
 *         VGIC_HW: its physical one cannot fire again before it is deactivated)
 *   5     vgic_set_level(vCPU a % 5, INTID b, level c & 1); with c & 0x80 vgic_put(a % 5)
 *   6     vCPU a % nvcpus, by b % 4: 0 enters (vgic_flush; also when it is already
 *         in, which syncs first), 1 the guest acts on each LR n by (v0 >> 2n) & 3:
 *         leave it, acknowledge it (pending -> active), complete it (EOI: active
 *         cleared, active+pending -> pending), or both (pending -> invalid); 2 exits
 *         (vgic_sync); 3 enters and exits at once (flush, then sync)
 *   7     vgic_send_sgi(from a % 5, ICC_SGI1R_EL1 = v)
 *
 * Checked after every step (any difference aborts):
 *   - return codes: MMIO fails exactly outside the window; inject / set_level / SGI
 *     exactly for an INTID or vCPU that does not exist (set_level: also for SGIs);
 *   - a read of width w < 8 fits in w bytes (0 for the widths no register takes);
 *   - kick masks name only existing vCPUs;
 *   - flags use only the defined bits; SGIs are always edge-triggered; only PPIs are
 *     linked to a physical interrupt (VGIC_HW), and none after vgic_put of their vCPU;
 *     every priority written through MMIO keeps its low three bits clear;
 *   - an interrupt with VGIC_IN_LR is held by exactly one LR of exactly one vCPU
 *     (lr_vcpu's lr_intid[lr] names it; a private one only by its own vCPU), and no
 *     LR slot names an interrupt that is not IN_LR there;
 *   - every interrupt pending (latched or by its line) or active has its bit in the
 *     live sets (vgic_cpu.live, vgic.spi_live) that flushes look through;
 *   - a vCPU whose dirty bit is clear, its LRs free, has nothing that wants an LR
 *     (no interrupt active, or pending and enabled, outside the LRs, routed to it):
 *     its flush, which then skips the scan, loses nothing;
 *   - after vgic_flush: the LRs of ctx match lr_intid (free slots are 0), no INTID is
 *     in two LRs, each valid LR carries Group 1, the interrupt's priority and INTID,
 *     HW and the physical INTID exactly for a linked interrupt, and a pending LR holds
 *     an enabled interrupt, routed to this vCPU;
 *   - after vgic_sync: no LR of that vCPU is in use and no interrupt is IN_LR there,
 *     and every interrupt it held that is deliverable now and routed to another vCPU
 *     is in the sync's kick mask for that vCPU (else the new target sleeps on);
 *   - after a flush and sync with no guest action in between (op 6.3), every
 *     interrupt not held by an LR before reads back exactly as before through the
 *     distributor (pending, active, enabled).
 * Also: op 6.3 keeps every flag but the physical link (not only what MMIO shows), a
 * pending LR only while Group 1 is enabled, and never pending and active at once in
 * an LR with HW (a linked interrupt's pending state lives in the physical GIC). These
 * found four bugs in vgic.c, now fixed. With VGIC_FUZZ_TRACE set every operation is
 * printed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/vgic.h"
#include "fuzz/fuzz_util.h"
#include "hal/err.h"

#define VGIC_FLAGS_ALL                                                                   \
	(VGIC_ENABLED | VGIC_PENDING | VGIC_ACTIVE | VGIC_LEVEL | VGIC_EDGE | VGIC_IN_LR | \
	 VGIC_HW | VGIC_LATCHED)
#define REDIST_SPAN 0x90000u

static const unsigned widths[16] = { 4, 4, 4, 4, 4, 1, 1, 1, 8, 8, 2, 0, 3, 16, 4, 1 };

static struct vgic g;
static struct guest_ctx ctx[VGIC_MAX_VCPUS];
static bool trace;

static const struct vgic_irq *irq_of(unsigned vcpu, unsigned intid)
{
	const struct vgic_irq *irq = vgic_irq_state(&g, vcpu, intid);

	CHECK(irq != NULL);
	return irq;
}

static void check_kick(uint64_t kick)
{
	CHECK(kick >> g.nvcpus == 0);
}

static void check_irq(unsigned vcpu, unsigned intid)
{
	const struct vgic_irq *irq = irq_of(vcpu, intid);

	CHECK((irq->flags & ~VGIC_FLAGS_ALL) == 0);
	CHECK((irq->priority & 7) == 0);
	if (intid < VGIC_NR_SGIS)
		CHECK(irq->flags & VGIC_EDGE);
	if (intid < VGIC_NR_SGIS || intid >= VGIC_NR_PRIVATE)
		CHECK(!(irq->flags & VGIC_HW));
	if (!(irq->flags & VGIC_IN_LR))
		return;
	CHECK(irq->lr_vcpu < g.nvcpus && irq->lr < VGIC_NR_LRS);
	CHECK(g.cpu[irq->lr_vcpu].lr_intid[irq->lr] == intid);
	if (intid < VGIC_NR_PRIVATE)
		CHECK(irq->lr_vcpu == vcpu);
}

/* A vCPU whose dirty bit is clear and whose LRs are free skips its flush's scan
 * (vgic_changed): then nothing may want an LR there, or it would never be delivered. */
static void check_clean(unsigned vcpu)
{
	if (g.dirty & (1ull << vcpu))
		return;
	if (g.cpu[vcpu].lrs_used)
		return;
	CHECK(vgic_quiet(&g, vcpu));
	for (unsigned i = 0; i < VGIC_NR_IRQS; i++) {
		const struct vgic_irq *irq = irq_of(vcpu, i);
		if (irq->flags & VGIC_IN_LR)
			continue;
		if (i >= VGIC_NR_PRIVATE && vgic_spi_target(&g, i - VGIC_NR_PRIVATE) != (int)vcpu)
			continue;
		CHECK(!(irq->flags & VGIC_ACTIVE));
		CHECK(!((g.ctlr & 2) && (irq->flags & VGIC_ENABLED) &&
			((irq->flags & VGIC_PENDING) ||
			 ((irq->flags & VGIC_LEVEL) && !(irq->flags & VGIC_EDGE)))));
	}
}

static void check_state(void)
{
	for (unsigned c = 0; c < g.nvcpus; c++) {
		unsigned used = 0;
		for (unsigned n = 0; n < VGIC_NR_LRS; n++)
			used += g.cpu[c].lr_intid[n] != VGIC_LR_FREE;
		CHECK(g.cpu[c].lrs_used == used);
		for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++) {
			check_irq(c, i);
			if (g.cpu[c].priv[i].flags & (VGIC_PENDING | VGIC_LEVEL | VGIC_ACTIVE))
				CHECK(g.cpu[c].live & (1u << i));
		}
		for (unsigned n = 0; n < VGIC_NR_LRS; n++) {
			unsigned intid = g.cpu[c].lr_intid[n];
			if (intid == VGIC_LR_FREE)
				continue;
			CHECK(intid < VGIC_NR_IRQS);
			const struct vgic_irq *irq = irq_of(c, intid);
			CHECK((irq->flags & VGIC_IN_LR) && irq->lr == n && irq->lr_vcpu == c);
		}
	}
	for (unsigned i = VGIC_NR_PRIVATE; i < VGIC_NR_IRQS; i++) {
		unsigned s = i - VGIC_NR_PRIVATE;
		check_irq(0, i);
		if (g.spi[s].flags & (VGIC_PENDING | VGIC_LEVEL | VGIC_ACTIVE))
			CHECK(g.spi_live[s / 64] & (1ull << (s % 64)));
	}
	for (unsigned c = 0; c < g.nvcpus; c++)
		check_clean(c);
}

static bool word_bit(uint64_t base, unsigned vcpu, unsigned intid)
{
	uint64_t v = 0;
	int err;

	fuzz_census_quiet(true);
	if (intid < VGIC_NR_PRIVATE)
		err = vgic_redist_read(&g, vcpu * VGIC_REDIST_STRIDE + VGIC_SGI_FRAME + base, 4,
				       &v);
	else
		err = vgic_dist_read(&g, base + 4 * (intid / 32), 4, &v);
	fuzz_census_quiet(false);
	CHECK(err == 0);
	return v >> (intid % 32) & 1;
}

/* What the guest reads of intid: pending, active, enabled (bits 0-2). */
static unsigned visible(unsigned vcpu, unsigned intid)
{
	return word_bit(GICD_ISPENDR, vcpu, intid) | word_bit(GICD_ISACTIVER, vcpu, intid) << 1 |
	       word_bit(GICD_ISENABLER, vcpu, intid) << 2;
}

static bool targets(unsigned vcpu, unsigned intid)
{
	return intid < VGIC_NR_PRIVATE || vgic_spi_target(&g, intid - VGIC_NR_PRIVATE) == (int)vcpu;
}

static void check_flushed(unsigned vcpu)
{
	const struct guest_ctx *c = &ctx[vcpu];

	CHECK(c->ich_hcr & ICH_HCR_EN);
	for (unsigned n = 0; n < VGIC_NR_LRS; n++) {
		unsigned intid = g.cpu[vcpu].lr_intid[n];
		uint64_t lr = c->ich_lr[n];
		if (intid == VGIC_LR_FREE) {
			CHECK(lr == 0);
			continue;
		}
		const struct vgic_irq *irq = irq_of(vcpu, intid);
		CHECK((lr & ICH_LR_VINTID_MASK) == intid);
		CHECK(lr & ICH_LR_STATE_MASK);
		CHECK(lr & ICH_LR_GROUP1);
		if (irq->flags & VGIC_HW) {
			CHECK(lr & ICH_LR_HW);
			CHECK(((lr >> ICH_LR_PINTID_SHIFT) & 0x1FFF) == intid);
			CHECK((lr & ICH_LR_STATE_MASK) != ICH_LR_STATE_MASK);
		} else {
			CHECK(!(lr & ICH_LR_HW));
		}
		CHECK((uint8_t)(lr >> ICH_LR_PRIORITY_SHIFT) == irq->priority);
		CHECK(targets(vcpu, intid));
		if (lr & ICH_LR_PENDING) {
			CHECK(irq->flags & VGIC_ENABLED);
			CHECK(g.ctlr & 2);
		}
		for (unsigned m = 0; m < n; m++)
			CHECK(g.cpu[vcpu].lr_intid[m] != intid);
	}
}

static void check_synced(unsigned vcpu)
{
	for (unsigned n = 0; n < VGIC_NR_LRS; n++)
		CHECK(g.cpu[vcpu].lr_intid[n] == VGIC_LR_FREE);
	for (unsigned i = 0; i < VGIC_NR_IRQS; i++) {
		const struct vgic_irq *irq = irq_of(vcpu, i);
		CHECK(!(irq->flags & VGIC_IN_LR) || irq->lr_vcpu != vcpu);
	}
}

/* The CPU interface's part: acknowledge and complete what the LRs hold. */
static void guest_acts(unsigned vcpu, uint8_t how)
{
	for (unsigned n = 0; n < VGIC_NR_LRS; n++, how >>= 2) {
		uint64_t *lr = &ctx[vcpu].ich_lr[n];
		uint64_t state = *lr & ICH_LR_STATE_MASK;
		if ((how & 1) && state == ICH_LR_PENDING)
			state = ICH_LR_ACTIVE;
		if ((how & 2) && (state & ICH_LR_ACTIVE))
			state &= ~ICH_LR_ACTIVE;
		*lr = (*lr & ~ICH_LR_STATE_MASK) | state;
	}
}

/* Exit vCPU vcpu: what its LRs held and is now another vCPU's to take must wake that
 * vCPU, and the exiting vCPU itself is never in the mask. */
static void sync_checked(unsigned vcpu)
{
	uint16_t held[VGIC_NR_LRS];
	uint64_t kick = 0;

	memcpy(held, g.cpu[vcpu].lr_intid, sizeof(held));
	vgic_sync(&g, vcpu, &ctx[vcpu], &kick);
	check_synced(vcpu);
	check_kick(kick);
	CHECK(!(kick & (1ull << vcpu)));
	for (unsigned lr = 0; lr < VGIC_NR_LRS; lr++) {
		if (held[lr] == VGIC_LR_FREE || held[lr] < VGIC_NR_PRIVATE)
			continue;
		const struct vgic_irq *irq = irq_of(vcpu, held[lr]);
		int t = vgic_spi_target(&g, held[lr] - VGIC_NR_PRIVATE);
		bool deliverable = (g.ctlr & 2u) && (irq->flags & VGIC_ENABLED) &&
				   ((irq->flags & VGIC_PENDING) ||
				    ((irq->flags & VGIC_LEVEL) && !(irq->flags & VGIC_EDGE)));
		if (deliverable && t >= 0 && (unsigned)t != vcpu)
			CHECK(kick & (1ull << t));
	}
}

/* Entering and leaving at once changes nothing a guest can see. */
static void flush_sync(unsigned vcpu)
{
	uint8_t before[VGIC_NR_IRQS], vis[VGIC_NR_IRQS];
	bool held[VGIC_NR_IRQS];

	for (unsigned i = 0; i < VGIC_NR_IRQS; i++) {
		held[i] = irq_of(vcpu, i)->flags & VGIC_IN_LR; /* an LR's state is not visible */
		before[i] = irq_of(vcpu, i)->flags;
		vis[i] = (uint8_t)visible(vcpu, i);
	}
	vgic_flush(&g, vcpu, &ctx[vcpu], NULL);
	check_state();
	check_flushed(vcpu);
	sync_checked(vcpu);
	for (unsigned i = 0; i < VGIC_NR_IRQS; i++) {
		if (held[i])
			continue;
		if (trace && (visible(vcpu, i) != vis[i] || irq_of(vcpu, i)->flags != before[i]))
			fprintf(stderr, "  INTID %u: flags 0x%02x -> 0x%02x, visible %u -> %u\n", i,
				before[i], irq_of(vcpu, i)->flags, vis[i], visible(vcpu, i));
		CHECK(visible(vcpu, i) == vis[i]);
		/* The link to a physical twin is not the guest's to see; all else stays. */
		CHECK((irq_of(vcpu, i)->flags & ~VGIC_HW) == (before[i] & ~VGIC_HW));
	}
}

static void op_vcpu(unsigned vcpu, unsigned what, uint8_t how)
{
	switch (what) {
	case 0:
		vgic_flush(&g, vcpu, &ctx[vcpu], NULL);
		check_state();
		check_flushed(vcpu);
		break;
	case 1: guest_acts(vcpu, how); break;
	case 2: sync_checked(vcpu); break;
	default: flush_sync(vcpu); break;
	}
}

static void op_mmio(bool redist, bool write, uint64_t off, unsigned width, uint64_t value)
{
	uint64_t v = 0, kick = 0;
	uint64_t size = redist ? vgic_redist_size(&g) : VGIC_DIST_SIZE;
	int err;

	if (write)
		err = redist ? vgic_redist_write(&g, off, width, value, &kick)
			     : vgic_dist_write(&g, off, width, value, &kick);
	else
		err = redist ? vgic_redist_read(&g, off, width, &v)
			     : vgic_dist_read(&g, off, width, &v);
	CHECK(err == (off < size ? 0 : -EINVAL));
	CHECK(width >= 8 || v >> (8 * width) == 0);
	check_kick(kick);
}

static void op_irq(bool level, unsigned vcpu, unsigned intid, bool high)
{
	uint64_t kick = 0;
	int err = level ? vgic_set_level(&g, vcpu, intid, high, &kick)
			: vgic_inject(&g, vcpu, intid, &kick);
	bool bad = intid >= VGIC_NR_IRQS || (intid < VGIC_NR_PRIVATE && vcpu >= g.nvcpus) ||
		   (level && intid < VGIC_NR_SGIS);

	CHECK(err == (bad ? -EINVAL : 0));
	check_kick(kick);
}

static void op_forward(unsigned vcpu, unsigned intid)
{
	uint64_t kick = 0;
	bool bad = vcpu >= g.nvcpus || intid < VGIC_NR_SGIS || intid >= VGIC_NR_PRIVATE;

	if (!bad && (irq_of(vcpu, intid)->flags & VGIC_HW))
		return;
	CHECK(vgic_forward(&g, vcpu, intid, &kick) == (bad ? -EINVAL : 0));
	check_kick(kick);
	if (!bad)
		CHECK(irq_of(vcpu, intid)->flags & VGIC_HW);
}

static void op_put(unsigned vcpu)
{
	vgic_put(&g, vcpu);
	for (unsigned i = 0; vcpu < g.nvcpus && i < VGIC_NR_PRIVATE; i++)
		CHECK(!(irq_of(vcpu, i)->flags & VGIC_HW));
}

static void op_sgi(unsigned from, uint64_t sgi1r)
{
	uint64_t kick = 0;
	int err = vgic_send_sgi(&g, from, sgi1r, &kick);

	CHECK(err == (from < g.nvcpus ? 0 : -EINVAL));
	check_kick(kick);
}

static void step(const uint8_t *r)
{
	uint64_t value = le(r + 4, 8);
	unsigned width = widths[r[3] & 15];
	uint64_t doff = (uint64_t)(r[1] | r[2] << 8) + ((r[3] & 0x80) ? VGIC_DIST_SIZE : 0);
	uint64_t roff = (uint64_t)(r[1] | r[2] << 8 | (r[3] >> 4) << 16) % REDIST_SPAN;

	if (trace)
		fprintf(stderr,
			"op %u a %u b %u c 0x%02x v 0x%llx (dist 0x%llx redist 0x%llx w %u)\n",
			r[0] % 8, r[1], r[2], r[3], (unsigned long long)value,
			(unsigned long long)doff, (unsigned long long)roff, width);
	switch (r[0] % 8) {
	case 0: op_mmio(false, false, doff, width, value); break;
	case 1: op_mmio(false, true, doff, width, value); break;
	case 2: op_mmio(true, false, roff, width, value); break;
	case 3: op_mmio(true, true, roff, width, value); break;
	case 4:
		if (r[3] & 0x80)
			op_forward(r[1] % 5u, r[2]);
		else
			op_irq(false, r[1] % 5u, r[2], false);
		break;
	case 5:
		if (r[3] & 0x80)
			op_put(r[1] % 5u);
		else
			op_irq(true, r[1] % 5u, r[2], r[3] & 1);
		break;
	case 6: op_vcpu(r[1] % g.nvcpus, r[2] % 4u, r[4]); break;
	default: op_sgi(r[1] % 5u, value); break;
	}
	check_state();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	if (!once) {
		trace = getenv("VGIC_FUZZ_TRACE") != NULL;
		once = true;
	}
	if (size < 1)
		return 0;
	CHECK(vgic_init(&g, data[0] % 4u + 1) == 0);
	memset(ctx, 0, sizeof(ctx));
	check_state();
	for (data++, size--; size >= 12; data += 12, size -= 12)
		step(data);
	for (unsigned c = 0; c < g.nvcpus; c++) {
		sync_checked(c);
	}
	check_state();
	return 0;
}
