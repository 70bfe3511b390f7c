/* The virtual GICv3 of one VM (Arm IHI 0069): a distributor and one redistributor per
 * vCPU emulated over MMIO at QEMU virt's addresses, and the CPU interface provided by
 * the list registers (ICH_LR<n>_EL2) that the world switch (or the guest engine)
 * carries in each vCPU's context. Every interrupt is Group 1, non-secure, with
 * affinity routing (ARE) always on.
 *
 * An interrupt is in exactly one place at a time: in the distributor's state here
 * (PENDING, ACTIVE), or in a list register of the vCPU it was given to (IN_LR, with
 * the LR's state the truth until vgic_sync reads it back). vgic_flush puts the
 * highest-priority deliverable interrupts into the LRs before an entry; vgic_sync
 * takes every LR back after the exit. An interrupt raised again while it sits in an
 * LR is remembered in PENDING and merged at sync, so nothing is lost or doubled.
 *
 * Nothing here locks: the caller (core, through the VM's interrupt lock) serialises
 * every call on one VM. Calls that can make an interrupt deliverable report, in
 * *kick, a bit per vCPU that must be woken or made to exit so that it sees it. */
#ifndef ARCH_AARCH64_VGIC_H
#define ARCH_AARCH64_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/aarch64/ctx.h"
#include "arch/aarch64/gicv3.h"
#include "arch/aarch64/vgic_map.h"
#include "arch/exit.h"


/* struct vgic_irq.flags */
#define VGIC_ENABLED 0x01u
#define VGIC_PENDING 0x02u /* latched: an edge, an SGI, a GICD_ISPENDR write */
#define VGIC_ACTIVE 0x04u
#define VGIC_LEVEL 0x08u   /* the input line is high (level-sensitive interrupts) */
#define VGIC_EDGE 0x10u    /* GICD_ICFGR: edge-triggered (SGIs always) */
#define VGIC_IN_LR 0x20u   /* held by list register .lr of its vCPU */
#define VGIC_HW 0x40u      /* linked to the physical interrupt of the same number,
			    * left active on the vCPU's pCPU (private ones only) */
#define VGIC_LATCHED 0x80u /* in an LR as pending, with PENDING latched when it went */

struct vgic_irq {
	uint8_t flags;
	uint8_t priority; /* GICD_IPRIORITYR byte: lower is more urgent */
	uint8_t lr;       /* IN_LR: which list register */
	uint8_t lr_vcpu;  /* IN_LR: whose (SPIs may move between vCPUs) */
};

/* A vCPU's redistributor and its private interrupts. */
struct vgic_cpu {
	struct vgic_irq priv[VGIC_NR_PRIVATE];
	uint32_t waker;                   /* GICR_WAKER: ProcessorSleep (bit 1) */
	uint16_t lr_intid[VGIC_NR_LRS];   /* what each LR holds, or VGIC_LR_FREE */
	uint8_t lrs_used;                 /* how many of them hold one */
	uint32_t live;                    /* private INTIDs that may be pending or active */
};

struct vgic {
	unsigned nvcpus;
	uint32_t ctlr;                    /* GICD_CTLR: EnableGrp1NS (bit 1); ARE reads 1 */
	struct vgic_irq spi[VGIC_NR_SPIS];
	uint64_t irouter[VGIC_NR_SPIS];   /* GICD_IROUTER<n>: Aff3.Aff2.Aff1.Aff0, IRM */
	struct vgic_cpu cpu[VGIC_MAX_VCPUS];
	uint64_t lr_overflows;            /* flushes that found more than the LRs hold */
	/* SPIs that may be pending or active (a bit per SPI index): with cpu[].live, what
	 * a flush or vgic_has_pending looks through instead of every interrupt. A bit is
	 * set wherever PENDING, LEVEL or ACTIVE is set (vgic_mark) and cleared by a flush
	 * that finds none of them: a superset, never missing one. */
	uint64_t spi_live[(VGIC_NR_SPIS + 63) / 64];
	/* A bit per vCPU: its flush must look through every interrupt again, because
	 * something may have become deliverable or active outside its LRs since it last
	 * did (vgic_changed). A clear bit with no LR in use lets a flush skip the scan. */
	uint64_t dirty;
};

/* Reset: nvcpus redistributors (1..VGIC_MAX_VCPUS), everything disabled, SGIs
 * enabled-edge as the architecture's reset leaves them configurable, SPIs routed to
 * vCPU 0. -EINVAL for a bad count. */
int vgic_init(struct vgic *g, unsigned nvcpus);

/* An edge on intid: private ones (SGI/PPI) of vCPU vcpu, SPIs wherever IROUTER points
 * (vcpu ignored). -EINVAL for an INTID or vCPU out of range. */
int vgic_inject(struct vgic *g, unsigned vcpu, unsigned intid, uint64_t *kick);

/* The input line of a level-sensitive interrupt (also how an edge-configured one sees
 * a rising edge). */
int vgic_set_level(struct vgic *g, unsigned vcpu, unsigned intid, bool level, uint64_t *kick);

/* The physical private interrupt intid, taken while vCPU vcpu ran and left active
 * (hal_irq_forward), becomes that vCPU's pending interrupt intid, hardware-linked: the
 * list register carries HW and the physical INTID, so the guest's completion
 * deactivates the physical interrupt, which cannot fire again before. */
int vgic_forward(struct vgic *g, unsigned vcpu, unsigned intid, uint64_t *kick);

/* Whether vCPU vcpu's interrupt state needs no sync or flush between two of its exits:
 * nothing changed since its last flush looked (the dirty bit). Its list registers
 * may be in use: they stay in the hardware, exit after exit, for as long as nothing
 * outside them changes; what the guest does to them meanwhile (acknowledge, complete)
 * is its own business until a sync reads it, and what needs looking at comes as an
 * exit the fast path does not take (the maintenance interrupt of a level-sensitive
 * interrupt's EOI or of the LRs draining while more wait, a change here setting the
 * dirty bit). Called without the VM's interrupt lock by the vCPU's own pCPU, on the
 * exit fast path: a change another pCPU makes meanwhile is followed by its kick, an
 * IPI that makes the guest exit. Inline: it is asked after every exit. */
static inline bool vgic_quiet(const struct vgic *g, unsigned vcpu)
{
	return vcpu < g->nvcpus && !(__atomic_load_n(&g->dirty, __ATOMIC_RELAXED) & (1ull << vcpu));
}

/* Whether a list register of vCPU vcpu (< nvcpus: its own pCPU asks, on the exit
 * fast path) holds an interrupt since its last flush, with no sync after it. */
static inline bool vgic_lrs_in_use(const struct vgic *g, unsigned vcpu)
{
	return g->cpu[vcpu].lrs_used;
}

/* vCPU vcpu leaves its pCPU: every physical interrupt still linked to it is
 * deactivated there (hal_irq_deactivate) and the virtual one goes on unlinked. */
void vgic_put(struct vgic *g, unsigned vcpu);

/* A guest's write of ICC_SGI1R_EL1 from vCPU from: INTID, TargetList with Aff1-3 and
 * RS, or IRM (every vCPU but the sender). Targets that do not exist are ignored. */
int vgic_send_sgi(struct vgic *g, unsigned from, uint64_t sgi1r, uint64_t *kick);

/* MMIO, offsets from VGIC_DIST_BASE / VGIC_REDIST_BASE. Reserved, write-only and
 * read-only registers behave as the architecture says (RAZ/WI); an access of a width
 * the register does not take reads as zero and is ignored. Never an error for an
 * offset inside the windows; -EINVAL outside. */
int vgic_dist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value);
int vgic_dist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value, uint64_t *kick);
int vgic_redist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value);
int vgic_redist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
		      uint64_t *kick);
uint64_t vgic_redist_size(const struct vgic *g); /* nvcpus * VGIC_REDIST_STRIDE */

/* The distributor's constant registers (GICD_TYPER, GICD_IIDR, GICD_PIDR2) as shadows
 * (arch/exit.h), at their offsets: up to max into out; their count. */
unsigned vgic_dist_shadows(struct mmio_shadow *out, unsigned max);

/* The vCPU an SPI (index 0 = INTID 32) is routed to by its IROUTER, or -1 if its
 * affinity names no vCPU (then it waits until rerouted). */
int vgic_spi_target(const struct vgic *g, unsigned spi_index);

/* Whether vCPU vcpu has an interrupt that could be delivered now (enabled, pending,
 * its group enabled, and in no other vCPU's list register): what ends a WFI. */
bool vgic_has_pending(const struct vgic *g, unsigned vcpu);

/* Before entering vCPU vcpu: fill its list registers in ctx (active interrupts first,
 * then pending ones by priority), ask for an underflow maintenance interrupt when more
 * wait than fit, and enable the virtual CPU interface. (LRs still in use from an entry
 * without its sync are synced first, reporting in *kick as vgic_sync does.) */
void vgic_flush(struct vgic *g, unsigned vcpu, struct guest_ctx *ctx, uint64_t *kick);

/* After its exit: take every list register back into the distributor state
 * (acknowledged, completed, still pending) and free them. An interrupt that comes
 * back still deliverable but is routed to another vCPU now (its IROUTER was written
 * while this vCPU held it) is reported in *kick for that vCPU. */
void vgic_sync(struct vgic *g, unsigned vcpu, struct guest_ctx *ctx, uint64_t *kick);

/* The distributor's state of one interrupt, for tests and invariant checks: while an
 * LR holds it (VGIC_IN_LR) its pending and active state is the LR's, not shown here.
 * NULL for an INTID or vCPU out of range. */
const struct vgic_irq *vgic_irq_state(const struct vgic *g, unsigned vcpu, unsigned intid);

#endif
