/* The virtual GICv3's interrupt state as its two halves share it: vgic.c (injection,
 * the list registers) and vgic_mmio.c (the register interface). Private to them: what
 * an interrupt's flags mean, where it is routed, and the one rule for whom a change
 * must reach. Pure functions over struct vgic (vgic.h); nothing here locks. */
#ifndef ARCH_AARCH64_VGIC_STATE_H
#define ARCH_AARCH64_VGIC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/aarch64/vgic.h"

/* Where INTID intid lives as seen through vCPU vcpu's redistributor (SGIs, PPIs) or
 * the distributor (SPIs, vcpu unused): false for an INTID or a vCPU that does not
 * exist; else *priv says which array, *idx the index in it. */
static inline bool vgic_irq_where(const struct vgic *g, unsigned vcpu, unsigned intid,
				  bool *priv, unsigned *idx)
{
	*priv = intid < VGIC_NR_PRIVATE;
	*idx = *priv ? intid : intid - VGIC_NR_PRIVATE;
	return *priv ? vcpu < g->nvcpus : intid < VGIC_NR_IRQS;
}

/* The state of INTID intid (as vgic_irq_where finds it); NULL if it does not exist. */
static inline struct vgic_irq *vgic_irq_at(struct vgic *g, unsigned vcpu, unsigned intid)
{
	bool priv;
	unsigned i;

	if (!vgic_irq_where(g, vcpu, intid, &priv, &i))
		return NULL;
	return priv ? &g->cpu[vcpu].priv[i] : &g->spi[i];
}

/* The pending state the distributor holds (what GICD_ISPENDR reads): the latch (an
 * edge, an ISPENDR write, an injection), or the line of a level-sensitive interrupt. */
static inline bool vgic_irq_pending(const struct vgic_irq *irq)
{
	return (irq->flags & VGIC_PENDING) ||
	       ((irq->flags & VGIC_LEVEL) && !(irq->flags & VGIC_EDGE));
}

/* Pending, enabled, and its group (Group 1) enabled in GICD_CTLR. */
static inline bool vgic_deliverable(const struct vgic *g, const struct vgic_irq *irq)
{
	return (g->ctlr & GICD_CTLR_ENABLE_GRP1) && (irq->flags & VGIC_ENABLED) &&
	       vgic_irq_pending(irq);
}

/* The vCPU INTID intid goes to: vcpu itself for a private one, its IROUTER's vCPU for
 * an SPI (vgic_spi_target), -1 if that names none. */
static inline int vgic_target(const struct vgic *g, unsigned vcpu, unsigned intid)
{
	return intid < VGIC_NR_PRIVATE ? (int)vcpu
				       : vgic_spi_target(g, intid - VGIC_NR_PRIVATE);
}

/* INTID intid (as vgic_irq_where finds it through vCPU vcpu) may now be pending or
 * active: called wherever VGIC_PENDING, VGIC_LEVEL or VGIC_ACTIVE is set. */
static inline void vgic_mark(struct vgic *g, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_NR_PRIVATE) {
		if (vcpu < g->nvcpus)
			g->cpu[vcpu].live |= 1u << intid;
	} else if (intid < VGIC_NR_IRQS) {
		unsigned s = intid - VGIC_NR_PRIVATE;
		g->spi_live[s / 64] |= 1ull << (s % 64);
	}
}

/* Every vCPU's next flush looks through all interrupts again: called wherever an
 * interrupt may have become deliverable or active outside a list register (vgic_wake,
 * a register write, a sync that emptied LRs). Being generous costs a scan, never
 * correctness; a missing call would leave an interrupt undelivered. */
static inline void vgic_changed(struct vgic *g)
{
	__atomic_store_n(&g->dirty, ~0ull, __ATOMIC_RELAXED);
}

/* The one rule for whom a change of an interrupt's state must reach, so that it is
 * seen: injection, a line rising, a register write and a list register coming back
 * all ask it. Nothing to see unless the distributor holds it deliverable. Then, while
 * a list register holds it, the vCPU of that LR: it merges the new state at its next
 * exit, and its sync passes the interrupt on (asking this again) if it is routed
 * elsewhere by then. Otherwise its target, which can take it at its next entry. */
static inline void vgic_wake(struct vgic *g, const struct vgic_irq *irq, int target,
			     uint64_t *kick)
{
	if (!vgic_deliverable(g, irq))
		return;
	vgic_changed(g);
	if (!kick)
		return;
	if (irq->flags & VGIC_IN_LR)
		*kick |= 1ull << irq->lr_vcpu;
	else if (target >= 0)
		*kick |= 1ull << target;
}

#endif
