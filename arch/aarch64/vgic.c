/* The virtual GICv3's interrupt state and its list registers (vgic.h); the register
 * interface of the distributor and redistributors is in vgic_mmio.c. */
#include <stddef.h>

#include "arch/aarch64/vgic.h"
#include "hal/err.h"
#include "hal/irq.h"

#define GICD_CTLR_ENABLE_GRP1 (1u << 1)

static struct vgic_irq *irq_of(struct vgic *g, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return vcpu < g->nvcpus ? &g->cpu[vcpu].priv[intid] : NULL;
	return intid < VGIC_NR_IRQS ? &g->spi[intid - VGIC_NR_PRIVATE] : NULL;
}

const struct vgic_irq *vgic_irq_state(const struct vgic *g, unsigned vcpu, unsigned intid)
{
	return irq_of((struct vgic *)g, vcpu, intid);
}

int vgic_init(struct vgic *g, unsigned nvcpus)
{
	if (!g || nvcpus == 0 || nvcpus > VGIC_MAX_VCPUS)
		return -EINVAL;
	*g = (struct vgic){ .nvcpus = nvcpus };
	for (unsigned c = 0; c < nvcpus; c++) {
		struct vgic_cpu *cpu = &g->cpu[c];
		for (unsigned i = 0; i < VGIC_NR_SGIS; i++)
			cpu->priv[i].flags = VGIC_EDGE;
		for (unsigned n = 0; n < VGIC_NR_LRS; n++)
			cpu->lr_intid[n] = VGIC_LR_FREE;
		cpu->waker = 1u << 1; /* ProcessorSleep, as after reset */
	}
	return 0;
}

static bool is_pending(const struct vgic_irq *irq)
{
	return (irq->flags & VGIC_PENDING) ||
	       ((irq->flags & VGIC_LEVEL) && !(irq->flags & VGIC_EDGE));
}

static bool deliverable(const struct vgic *g, const struct vgic_irq *irq)
{
	return (g->ctlr & GICD_CTLR_ENABLE_GRP1) && (irq->flags & VGIC_ENABLED) && is_pending(irq);
}

/* Who must look at intid now: its target if it can be delivered, or the vCPU whose LR
 * holds it (which merges the new edge at its next exit). */
static void note_kick(const struct vgic *g, const struct vgic_irq *irq, int target, uint64_t *kick)
{
	if (!kick)
		return;
	if (irq->flags & VGIC_IN_LR)
		*kick |= 1ull << irq->lr_vcpu;
	else if (target >= 0 && deliverable(g, irq))
		*kick |= 1ull << target;
}

static int target_of(const struct vgic *g, unsigned vcpu, unsigned intid)
{
	return intid < VGIC_NR_PRIVATE ? (int)vcpu : vgic_spi_target(g, intid - VGIC_NR_PRIVATE);
}

int vgic_inject(struct vgic *g, unsigned vcpu, unsigned intid, uint64_t *kick)
{
	struct vgic_irq *irq = irq_of(g, vcpu, intid);

	if (!irq)
		return -EINVAL;
	irq->flags |= VGIC_PENDING;
	note_kick(g, irq, target_of(g, vcpu, intid), kick);
	return 0;
}

int vgic_set_level(struct vgic *g, unsigned vcpu, unsigned intid, bool level, uint64_t *kick)
{
	struct vgic_irq *irq = irq_of(g, vcpu, intid);

	if (!irq || intid < VGIC_NR_SGIS)
		return -EINVAL;
	if (!level) {
		irq->flags &= (uint8_t)~VGIC_LEVEL;
		return 0;
	}
	if (!(irq->flags & VGIC_LEVEL) && (irq->flags & VGIC_EDGE))
		irq->flags |= VGIC_PENDING; /* a rising edge */
	irq->flags |= VGIC_LEVEL;
	note_kick(g, irq, target_of(g, vcpu, intid), kick);
	return 0;
}

int vgic_forward(struct vgic *g, unsigned vcpu, unsigned intid, uint64_t *kick)
{
	struct vgic_irq *irq = irq_of(g, vcpu, intid);

	if (!irq || intid < VGIC_NR_SGIS || intid >= VGIC_NR_PRIVATE)
		return -EINVAL;
	irq->flags |= VGIC_HW | VGIC_PENDING;
	note_kick(g, irq, (int)vcpu, kick);
	return 0;
}

void vgic_put(struct vgic *g, unsigned vcpu)
{
	if (vcpu >= g->nvcpus)
		return;
	for (unsigned i = VGIC_NR_SGIS; i < VGIC_NR_PRIVATE; i++) {
		struct vgic_irq *irq = &g->cpu[vcpu].priv[i];
		if (irq->flags & VGIC_HW) {
			hal_irq_deactivate(i);
			irq->flags &= (uint8_t)~VGIC_HW;
		}
	}
}

/* ICC_SGI1R_EL1 (IHI 0069 12.2.22): TargetList[15:0], Aff1[23:16], INTID[27:24],
 * Aff2[39:32], IRM[40], RS[47:44], Aff3[55:48]. A vCPU's affinity is Aff1 = index / 16,
 * Aff0 = index % 16, so RS, Aff2 and Aff3 must be 0 to name one. */
int vgic_send_sgi(struct vgic *g, unsigned from, uint64_t sgi1r, uint64_t *kick)
{
	unsigned intid = (unsigned)(sgi1r >> 24) & 0xF;

	if (from >= g->nvcpus)
		return -EINVAL;
	if (sgi1r & (1ull << 40)) {
		for (unsigned c = 0; c < g->nvcpus; c++)
			if (c != from)
				vgic_inject(g, c, intid, kick);
		return 0;
	}
	uint64_t aff1 = (sgi1r >> 16) & 0xFF, aff2 = (sgi1r >> 32) & 0xFF;
	uint64_t rs = (sgi1r >> 44) & 0xF, aff3 = (sgi1r >> 48) & 0xFF;
	if (aff2 || aff3 || rs)
		return 0;
	for (unsigned b = 0; b < 16; b++) {
		uint64_t c = aff1 * 16 + b;
		if ((sgi1r & (1ull << b)) && c < g->nvcpus)
			vgic_inject(g, (unsigned)c, intid, kick);
	}
	return 0;
}

static bool wants_lr(const struct vgic *g, const struct vgic_irq *irq)
{
	return !(irq->flags & VGIC_IN_LR) && ((irq->flags & VGIC_ACTIVE) || deliverable(g, irq));
}

bool vgic_has_pending(const struct vgic *g, unsigned vcpu)
{
	if (vcpu >= g->nvcpus)
		return false;
	for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++)
		if (deliverable(g, &g->cpu[vcpu].priv[i]))
			return true;
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		if (deliverable(g, &g->spi[i]) && vgic_spi_target(g, i) == (int)vcpu)
			return true;
	return false;
}

/* Does a go into an LR before b? Active ones first (their EOI must find them), then by
 * priority, then by INTID. */
static bool before(const struct vgic_irq *a, unsigned ia, const struct vgic_irq *b, unsigned ib)
{
	bool aa = a->flags & VGIC_ACTIVE, ba = b->flags & VGIC_ACTIVE;

	if (aa != ba)
		return aa;
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return ia < ib;
}

/* The virtual timer's interrupt goes into an LR linked to its physical twin, made
 * active on this pCPU first: then the physical timer, still asserting when the guest
 * is entered, cannot exit it again before the guest completed the interrupt. A link
 * holds only a pending or an active interrupt, never both (the physical GIC keeps the
 * pending state of a linked interrupt): pending and active, it goes unlinked. */
static void link_hw(struct vgic_irq *irq, unsigned intid, uint64_t state)
{
	if (intid != VGIC_PPI_VTIMER)
		return;
	if (state == (ICH_LR_PENDING | ICH_LR_ACTIVE)) {
		if (irq->flags & VGIC_HW) {
			hal_irq_deactivate(intid);
			irq->flags &= (uint8_t)~VGIC_HW;
		}
		return;
	}
	if (state == ICH_LR_PENDING && !(irq->flags & VGIC_HW)) {
		hal_irq_activate(intid);
		irq->flags |= VGIC_HW;
	}
}

/* Insert intid into the best-first list of at most VGIC_NR_LRS candidates. */
static void consider(struct vgic *g, unsigned vcpu, unsigned intid, unsigned *best, unsigned *n,
		     unsigned *waiting)
{
	struct vgic_irq *irq = irq_of(g, vcpu, intid);
	unsigned k = *n;

	(*waiting)++;
	while (k > 0 && before(irq, intid, irq_of(g, vcpu, best[k - 1]), best[k - 1])) {
		if (k < VGIC_NR_LRS)
			best[k] = best[k - 1];
		k--;
	}
	if (k < VGIC_NR_LRS) {
		best[k] = intid;
		if (*n < VGIC_NR_LRS)
			(*n)++;
	}
}

void vgic_flush(struct vgic *g, unsigned vcpu, struct guest_ctx *ctx)
{
	unsigned best[VGIC_NR_LRS], n = 0, waiting = 0;

	if (vcpu >= g->nvcpus)
		return;
	struct vgic_cpu *cpu = &g->cpu[vcpu];
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		if (cpu->lr_intid[i] != VGIC_LR_FREE) {
			vgic_sync(g, vcpu, ctx); /* never two flushes without a sync between */
			break;
		}
	for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++)
		if (wants_lr(g, &cpu->priv[i]))
			consider(g, vcpu, i, best, &n, &waiting);
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		if (wants_lr(g, &g->spi[i]) && vgic_spi_target(g, i) == (int)vcpu)
			consider(g, vcpu, VGIC_NR_PRIVATE + i, best, &n, &waiting);
	for (unsigned lr = 0; lr < VGIC_NR_LRS; lr++) {
		ctx->ich_lr[lr] = 0;
		if (lr >= n)
			continue;
		struct vgic_irq *irq = irq_of(g, vcpu, best[lr]);
		uint64_t state = ((irq->flags & VGIC_ACTIVE) ? ICH_LR_ACTIVE : 0) |
				 (deliverable(g, irq) ? ICH_LR_PENDING : 0);
		link_hw(irq, best[lr], state);
		ctx->ich_lr[lr] = state | ICH_LR_GROUP1 |
				  ((uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT) | best[lr];
		if (irq->flags & VGIC_HW) /* the guest's completion deactivates it */
			ctx->ich_lr[lr] |= ICH_LR_HW | ((uint64_t)best[lr] << ICH_LR_PINTID_SHIFT);
		/* What goes into the LR leaves the distributor: active always, pending only
		 * if it went as pending (remembering a latch a level interrupt had). */
		uint8_t moved = VGIC_ACTIVE;
		if (state & ICH_LR_PENDING) {
			moved |= VGIC_PENDING;
			if (irq->flags & VGIC_PENDING)
				irq->flags |= VGIC_LATCHED;
		}
		irq->flags = (uint8_t)((irq->flags | VGIC_IN_LR) & ~moved);
		irq->lr = (uint8_t)lr;
		irq->lr_vcpu = (uint8_t)vcpu;
		cpu->lr_intid[lr] = (uint16_t)best[lr];
	}
	ctx->ich_hcr = ICH_HCR_EN;
	if (waiting > n) {
		ctx->ich_hcr |= ICH_HCR_UIE; /* exit when the LRs drain, to refill them */
		g->lr_overflows++;
	}
}

void vgic_sync(struct vgic *g, unsigned vcpu, struct guest_ctx *ctx)
{
	if (vcpu >= g->nvcpus)
		return;
	struct vgic_cpu *cpu = &g->cpu[vcpu];
	for (unsigned lr = 0; lr < VGIC_NR_LRS; lr++) {
		unsigned intid = cpu->lr_intid[lr];
		if (intid == VGIC_LR_FREE)
			continue;
		struct vgic_irq *irq = irq_of(g, vcpu, intid);
		uint64_t state = ctx->ich_lr[lr] & ICH_LR_STATE_MASK;
		irq->flags &= (uint8_t)~VGIC_IN_LR;
		if (!state)
			irq->flags &= (uint8_t)~VGIC_HW; /* completed: the hardware deactivated it */
		if (state & ICH_LR_ACTIVE)
			irq->flags |= VGIC_ACTIVE;
		/* Still pending in the LR: an edge stays latched, and so does a level
		 * interrupt's latch (GICD_ISPENDR, an injection); otherwise a level
		 * interrupt is pending for as long as its line is high (VGIC_LEVEL). */
		if ((state & ICH_LR_PENDING) && (irq->flags & (VGIC_EDGE | VGIC_LATCHED)))
			irq->flags |= VGIC_PENDING;
		irq->flags &= (uint8_t)~VGIC_LATCHED;
		cpu->lr_intid[lr] = VGIC_LR_FREE;
		ctx->ich_lr[lr] = 0;
	}
	ctx->ich_hcr &= ~ICH_HCR_UIE;
}
