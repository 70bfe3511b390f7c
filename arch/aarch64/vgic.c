/* The virtual GICv3's interrupt state and its list registers (vgic.h); the register
 * interface of the distributor and redistributors is in vgic_mmio.c. */
#include <stddef.h>

#include "arch/aarch64/vgic.h"
#include "arch/aarch64/vgic_state.h"
#include "hal/err.h"
#include "hal/irq.h"

const struct vgic_irq *vgic_irq_state(const struct vgic *g, unsigned vcpu, unsigned intid)
{
	bool priv;
	unsigned i;

	if (!vgic_irq_where(g, vcpu, intid, &priv, &i))
		return NULL;
	return priv ? &g->cpu[vcpu].priv[i] : &g->spi[i];
}

int vgic_init(struct vgic *g, unsigned nvcpus)
{
	if (!g || nvcpus == 0 || nvcpus > VGIC_MAX_VCPUS)
		return -EINVAL;
	*g = (struct vgic){ .nvcpus = nvcpus, .dirty = ~0ull };
	for (unsigned c = 0; c < nvcpus; c++) {
		struct vgic_cpu *cpu = &g->cpu[c];
		for (unsigned i = 0; i < VGIC_NR_SGIS; i++)
			cpu->priv[i].flags = VGIC_EDGE;
		for (unsigned n = 0; n < VGIC_NR_LRS; n++)
			cpu->lr_intid[n] = VGIC_LR_FREE;
		cpu->waker = GICR_WAKER_PROCESSOR_SLEEP; /* as after reset */
	}
	return 0;
}

int vgic_inject(struct vgic *g, unsigned vcpu, unsigned intid, uint64_t *kick)
{
	struct vgic_irq *irq = vgic_irq_at(g, vcpu, intid);

	if (!irq)
		return -EINVAL;
	irq->flags |= VGIC_PENDING;
	vgic_mark(g, vcpu, intid);
	vgic_wake(g, irq, vgic_target(g, vcpu, intid), kick);
	return 0;
}

int vgic_set_level(struct vgic *g, unsigned vcpu, unsigned intid, bool level, uint64_t *kick)
{
	struct vgic_irq *irq = vgic_irq_at(g, vcpu, intid);

	if (!irq || intid < VGIC_NR_SGIS)
		return -EINVAL;
	if (!level) {
		irq->flags &= (uint8_t)~VGIC_LEVEL;
		/* A list register may hold it as pending, and stays in the hardware
		 * across exits: its vCPU's next exit must sync, so that a line that fell
		 * is not taken after all (a latch keeps it pending). */
		if ((irq->flags & VGIC_IN_LR) && !(irq->flags & (VGIC_EDGE | VGIC_LATCHED))) {
			vgic_changed(g);
			if (kick)
				*kick |= 1ull << irq->lr_vcpu;
		}
		return 0;
	}
	if (!(irq->flags & VGIC_LEVEL) && (irq->flags & VGIC_EDGE))
		irq->flags |= VGIC_PENDING; /* a rising edge */
	irq->flags |= VGIC_LEVEL;
	vgic_mark(g, vcpu, intid);
	vgic_wake(g, irq, vgic_target(g, vcpu, intid), kick);
	return 0;
}

int vgic_forward(struct vgic *g, unsigned vcpu, unsigned intid, uint64_t *kick)
{
	struct vgic_irq *irq = vgic_irq_at(g, vcpu, intid);

	if (!irq || intid < VGIC_NR_SGIS || intid >= VGIC_NR_PRIVATE)
		return -EINVAL;
	/* Taken while the virtual one was active and unlinked: the twin, now active
	 * again, links it; its line is the pending state the physical GIC holds. */
	irq->flags |= (irq->flags & VGIC_ACTIVE) ? VGIC_HW : (VGIC_HW | VGIC_PENDING);
	vgic_mark(g, vcpu, intid);
	vgic_wake(g, irq, (int)vcpu, kick);
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

/* ICC_SGI1R_EL1 (IHI 0069 12.2.22, gicv3.h). A vCPU's affinity is Aff1 = index / 16,
 * Aff0 = index % 16 (mpidr_of_vcpu_index), so RS, Aff2 and Aff3 must be 0 to name
 * one, and TargetList bit b of Aff1 a is vCPU a * 16 + b. */
int vgic_send_sgi(struct vgic *g, unsigned from, uint64_t sgi1r, uint64_t *kick)
{
	unsigned intid = (unsigned)((sgi1r >> ICC_SGI1R_INTID_SHIFT) & ICC_SGI1R_INTID_MASK);

	if (from >= g->nvcpus)
		return -EINVAL;
	if (sgi1r & ICC_SGI1R_IRM) {
		for (unsigned c = 0; c < g->nvcpus; c++)
			if (c != from)
				vgic_inject(g, c, intid, kick);
		return 0;
	}
	uint64_t aff1 = (sgi1r >> ICC_SGI1R_AFF1_SHIFT) & ICC_SGI1R_AFF_MASK;
	uint64_t aff2 = (sgi1r >> ICC_SGI1R_AFF2_SHIFT) & ICC_SGI1R_AFF_MASK;
	uint64_t aff3 = (sgi1r >> ICC_SGI1R_AFF3_SHIFT) & ICC_SGI1R_AFF_MASK;
	uint64_t rs = (sgi1r >> ICC_SGI1R_RS_SHIFT) & ICC_SGI1R_RS_MASK;
	if (aff2 || aff3 || rs)
		return 0;
	for (unsigned b = 0; b < ICC_SGI1R_TARGETS_PER_LIST; b++) {
		uint64_t c = aff1 * ICC_SGI1R_TARGETS_PER_LIST + b;
		if ((sgi1r & (1ull << b)) && c < g->nvcpus)
			vgic_inject(g, (unsigned)c, intid, kick);
	}
	return 0;
}

/* What keeps an interrupt's bit in the live sets (vgic_mark). One in an LR has moved
 * its pending and active state there; its sync marks it again. */
#define LIVE_FLAGS (VGIC_PENDING | VGIC_LEVEL | VGIC_ACTIVE)

static bool wants_lr(const struct vgic *g, const struct vgic_irq *irq)
{
	return !(irq->flags & VGIC_IN_LR) && ((irq->flags & VGIC_ACTIVE) || vgic_deliverable(g, irq));
}

bool vgic_has_pending(const struct vgic *g, unsigned vcpu)
{
	if (vcpu >= g->nvcpus)
		return false;
	for (uint32_t m = g->cpu[vcpu].live; m; m &= m - 1)
		if (vgic_deliverable(g, &g->cpu[vcpu].priv[__builtin_ctz(m)]))
			return true;
	/* An SPI in another vCPU's LR is not this one's to take until that vCPU's sync
	 * passes it on (and kicks this one): waking for it would only spin. */
	for (unsigned w = 0; w < sizeof(g->spi_live) / sizeof(g->spi_live[0]); w++)
		for (uint64_t m = g->spi_live[w]; m; m &= m - 1) {
			unsigned i = w * 64 + (unsigned)__builtin_ctzll(m);
			if (vgic_deliverable(g, &g->spi[i]) && !(g->spi[i].flags & VGIC_IN_LR) &&
			    vgic_spi_target(g, i) == (int)vcpu)
				return true;
		}
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

/* An interrupt with a physical twin (the virtual timer's, or one vgic_forward linked)
 * goes into an LR linked to it, the twin made active on this pCPU first: then the
 * physical timer, still asserting when the guest is entered, cannot exit it again
 * before the guest completed the interrupt, and the guest's completion deactivates
 * both. While the virtual interrupt is active the physical GIC holds its pending
 * state (the architecture allows no pending-and-active HW LR, IHI 0069 ICH_LR<n>_EL2):
 * the LR goes active only, and a line still high fires the twin again once the guest
 * completes it. Unlinking an active one instead (deactivating its twin) would have it
 * fire at once on entry, an exit per entry until the guest reprograms its timer, which
 * it cannot do from there: an unmodified Linux stalled so. Only a latch made by
 * software (GICR_ISPENDR0, an injection) is pending beside the active state; such an
 * interrupt goes unlinked, its twin deactivated. Returns the LR state to write. */
static uint64_t link_hw(struct vgic_irq *irq, unsigned intid, uint64_t state)
{
	if (intid != VGIC_PPI_VTIMER && !(irq->flags & VGIC_HW))
		return state;
	if ((state & ICH_LR_ACTIVE) && (irq->flags & VGIC_PENDING)) {
		if (irq->flags & VGIC_HW) {
			hal_irq_deactivate(intid);
			irq->flags &= (uint8_t)~VGIC_HW;
		}
		return state;
	}
	if (state && !(irq->flags & VGIC_HW)) {
		hal_irq_activate(intid);
		irq->flags |= VGIC_HW;
	}
	return (state & ICH_LR_ACTIVE) ? ICH_LR_ACTIVE : state;
}

/* Insert intid into the best-first list of at most VGIC_NR_LRS candidates. */
static void consider(struct vgic *g, unsigned vcpu, unsigned intid, unsigned *best, unsigned *n,
		     unsigned *waiting)
{
	struct vgic_irq *irq = vgic_irq_at(g, vcpu, intid);
	unsigned k = *n;

	(*waiting)++;
	while (k > 0 && before(irq, intid, vgic_irq_at(g, vcpu, best[k - 1]), best[k - 1])) {
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

void vgic_flush(struct vgic *g, unsigned vcpu, struct guest_ctx *ctx, uint64_t *kick)
{
	unsigned best[VGIC_NR_LRS], n = 0, waiting = 0;

	if (vcpu >= g->nvcpus)
		return;
	struct vgic_cpu *cpu = &g->cpu[vcpu];
	if (cpu->lrs_used)
		vgic_sync(g, vcpu, ctx, kick); /* never two flushes without a sync */
	/* Nothing changed since this vCPU's last scan, which left its LRs empty (a sync
	 * that emptied any marks it changed): nothing wants an LR now either. */
	if (!(__atomic_load_n(&g->dirty, __ATOMIC_RELAXED) & (1ull << vcpu))) {
		for (unsigned lr = 0; lr < VGIC_NR_LRS; lr++)
			ctx->ich_lr[lr] = 0;
		ctx->ich_hcr = ICH_HCR_EN;
		return;
	}
	__atomic_fetch_and(&g->dirty, ~(1ull << vcpu), __ATOMIC_RELAXED);
	for (uint32_t m = cpu->live; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		if (!(cpu->priv[i].flags & LIVE_FLAGS))
			cpu->live &= ~(1u << i); /* neither pending nor active any more */
		else if (wants_lr(g, &cpu->priv[i]))
			consider(g, vcpu, i, best, &n, &waiting);
	}
	for (unsigned w = 0; w < sizeof(g->spi_live) / sizeof(g->spi_live[0]); w++)
		for (uint64_t m = g->spi_live[w]; m; m &= m - 1) {
			unsigned i = w * 64 + (unsigned)__builtin_ctzll(m);
			if (!(g->spi[i].flags & LIVE_FLAGS))
				g->spi_live[w] &= ~(1ull << (i % 64));
			else if (wants_lr(g, &g->spi[i]) && vgic_spi_target(g, i) == (int)vcpu)
				consider(g, vcpu, VGIC_NR_PRIVATE + i, best, &n, &waiting);
		}
	for (unsigned lr = 0; lr < VGIC_NR_LRS; lr++) {
		ctx->ich_lr[lr] = 0;
		if (lr >= n)
			continue;
		struct vgic_irq *irq = vgic_irq_at(g, vcpu, best[lr]);
		uint64_t state = ((irq->flags & VGIC_ACTIVE) ? ICH_LR_ACTIVE : 0) |
				 (vgic_deliverable(g, irq) ? ICH_LR_PENDING : 0);
		state = link_hw(irq, best[lr], state);
		ctx->ich_lr[lr] = state | ICH_LR_GROUP1 |
				  ((uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT) | best[lr];
		if (irq->flags & VGIC_HW) /* the guest's completion deactivates it */
			ctx->ich_lr[lr] |= ICH_LR_HW | ((uint64_t)best[lr] << ICH_LR_PINTID_SHIFT);
		else if (!(irq->flags & VGIC_EDGE))
			/* A level-sensitive line (a device's) may still be high when the
			 * guest completes it, without an exit: the EOI maintenance
			 * interrupt makes it exit then, and its sync samples the line. */
			ctx->ich_lr[lr] |= ICH_LR_EOI;
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
	cpu->lrs_used = (uint8_t)n;
	ctx->ich_hcr = ICH_HCR_EN;
	if (waiting > n) {
		ctx->ich_hcr |= ICH_HCR_UIE; /* exit when the LRs drain, to refill them */
		g->lr_overflows++;
	}
}

void vgic_sync(struct vgic *g, unsigned vcpu, struct guest_ctx *ctx, uint64_t *kick)
{
	uint64_t others = 0;

	if (vcpu >= g->nvcpus)
		return;
	struct vgic_cpu *cpu = &g->cpu[vcpu];
	for (unsigned lr = 0; lr < VGIC_NR_LRS; lr++) {
		unsigned intid = cpu->lr_intid[lr];
		if (intid == VGIC_LR_FREE)
			continue;
		struct vgic_irq *irq = vgic_irq_at(g, vcpu, intid);
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
		vgic_mark(g, vcpu, intid);
		cpu->lr_intid[lr] = VGIC_LR_FREE;
		ctx->ich_lr[lr] = 0;
		vgic_wake(g, irq, vgic_target(g, vcpu, intid), &others);
		vgic_changed(g); /* active or pending again outside the LRs */
	}
	cpu->lrs_used = 0;
	ctx->ich_hcr &= ~ICH_HCR_UIE;
	/* This vCPU finds what stays its own at its next entry. */
	if (kick)
		*kick |= others & ~(1ull << vcpu);
}
