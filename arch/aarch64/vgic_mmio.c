/* The register interface of the virtual GICv3 (vgic.h): the distributor's frame and
 * each vCPU's redistributor frames (RD_base, SGI_base), decoded into the interrupt
 * state that vgic.c owns. The view is the one of a GIC with a single Security state
 * (GICD_CTLR.DS = 1), affinity routing always on (ARE RAO/WI) and every interrupt in
 * Group 1 (IGROUPR RAO/WI, IGRPMODR RAZ/WI). Register offsets and fields are those of
 * Arm IHI 0069 chapter 12.
 *
 * Nothing a guest writes may fail here: an offset inside a window that names no
 * register, and an access of a width or alignment the register does not take, reads
 * as zero and is ignored (the architecture leaves both CONSTRAINED UNPREDICTABLE;
 * RAZ/WI keeps a guest's mistake from becoming an abort). Widths taken: 32 bits,
 * aligned, for every register; 8 bits for GICD_IPRIORITYR / GICR_IPRIORITYR; 64 bits,
 * aligned, for GICD_IROUTER and GICR_TYPER, whose 32-bit halves are also accessible.
 *
 * What a guest cannot see: the state of an interrupt while a list register holds it
 * (VGIC_IN_LR) is in that vCPU's LR until vgic_sync, so a read reports only what the
 * distributor holds (a new edge latched meanwhile, the line level), and a clear of
 * pending / active / enable leaves the LR's copy to run its course. */
#include "arch/aarch64/arch.h"
#include "arch/aarch64/vgic.h"
#include "hal/err.h"

/* Distributor registers (IHI 0069, "The GIC Distributor register map"). */
#define GICD_CTLR 0x0000u
#define GICD_TYPER 0x0004u
#define GICD_IIDR 0x0008u
#define GICD_IGROUPR 0x0080u
#define GICD_ISENABLER 0x0100u
#define GICD_ICENABLER 0x0180u
#define GICD_ISPENDR 0x0200u
#define GICD_ICPENDR 0x0280u
#define GICD_ISACTIVER 0x0300u
#define GICD_ICACTIVER 0x0380u
#define GICD_IPRIORITYR 0x0400u
#define GICD_ICFGR 0x0C00u
#define GICD_ICFGR_END 0x0D00u
#define GICD_IROUTER 0x6000u /* + 8 * INTID, for INTIDs 32-1019 */
#define GICD_IROUTER_END 0x7FE0u
#define GICD_PIDR2 0xFFE8u

/* GICD_CTLR as a GIC with DS = 1 lays it out: EnableGrp0, EnableGrp1, ARE, DS; RWP
 * (bit 31) reads 0. GICD_TYPER2 and every other register not named here are RAZ/WI. */
#define GICD_CTLR_ENABLE_GRP0 (1u << 0)
#define GICD_CTLR_ENABLE_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)

/* GICD_TYPER: ITLinesNumber [4:0] = SPIs / 32, so that 32 * (ITLinesNumber + 1) - 1 is
 * the last SPI's INTID; IDbits [23:19] = 9 (10-bit INTIDs). CPUNumber, SecurityExtn,
 * MBIS, LPIS, A3V (so Aff3 is 0 everywhere), No1N (1 of N is offered), RSS: 0. */
#define GICD_TYPER_VALUE ((9u << 19) | (VGIC_NR_SPIS / 32u))

/* GICD_IIDR / GICR_IIDR: Implementer [11:0] 0x43B, the JEP106 code of Arm; Revision,
 * Variant and ProductID 0. */
#define GIC_IIDR_VALUE 0x0000043Bu

/* GICD_PIDR2 / GICR_PIDR2: ArchRev [7:4] = 3 (GICv3), JEDEC-assigned ID bits 0xB. */
#define GIC_PIDR2_VALUE 0x3Bu

/* GICD_IROUTER<n>: Aff0-2 [23:0], Interrupt_Routing_Mode [31], Aff3 [39:32]
 * (RES0 here as GICD_TYPER.A3V is 0, so the upper word is RAZ/WI). */
#define GICD_IROUTER_IRM (1ull << 31)
#define GICD_IROUTER_MASK (GICD_IROUTER_IRM | 0xFFFFFFull)
#define GICD_IROUTER_AFF_MASK 0xFF00FFFFFFull

/* Redistributor RD_base frame. */
#define GICR_CTLR 0x0000u
#define GICR_IIDR 0x0004u
#define GICR_TYPER 0x0008u
#define GICR_WAKER 0x0014u
#define GICR_PIDR2 0xFFE8u

/* GICR_TYPER: Affinity_Value [63:32], Processor_Number [23:8], Last [4]. */
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_TYPER_PROCESSOR_SHIFT 8
#define GICR_TYPER_AFFINITY_SHIFT 32

/* GICR_WAKER: ProcessorSleep [1] RW, ChildrenAsleep [2] follows it at once. */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* Redistributor SGI_base frame: the distributor's layout for INTIDs 0-31. */
#define GICR_IGROUPR0 0x0080u
#define GICR_IPRIORITYR 0x0400u
#define GICR_IPRIORITYR_END 0x0420u
#define GICR_ICFGR0 0x0C00u
#define GICR_ICFGR1 0x0C04u
#define GICR_ICFGR0_SGIS 0xAAAAAAAAu /* every SGI edge-triggered, read-only */

/* Five bits of priority, as many as the virtual CPU interface of QEMU's GICv3 and of
 * KVM's vGIC (ICH_VTR_EL2.PRIbits = 4): the unimplemented low bits are RAZ/WI (IHI 0069,
 * "Interrupt prioritization"), so the distributor keeps no distinction the LRs lose. */
#define VGIC_PRIORITY_MASK 0xF8u

/* ---- the interrupt state behind the registers ---------------------------------------- */

/* INTID intid as seen through vCPU vcpu's redistributor (SGIs, PPIs) or the
 * distributor (SPIs, vcpu unused). The callers only ask for INTIDs that exist. */
static struct vgic_irq *irq_at(struct vgic *g, unsigned vcpu, unsigned intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return &g->cpu[vcpu].priv[intid];
	return &g->spi[intid - VGIC_NR_PRIVATE];
}

/* The pending state GICD_ISPENDR reads: the latch (an edge, an ISPENDR write), or the
 * line of a level-sensitive interrupt. */
static bool irq_pending(const struct vgic_irq *irq)
{
	return (irq->flags & VGIC_PENDING) ||
	       ((irq->flags & VGIC_LEVEL) && !(irq->flags & VGIC_EDGE));
}

static bool irq_deliverable(const struct vgic *g, const struct vgic_irq *irq)
{
	return (g->ctlr & GICD_CTLR_ENABLE_GRP1) && (irq->flags & VGIC_ENABLED) && irq_pending(irq);
}

int vgic_spi_target(const struct vgic *g, unsigned spi_index)
{
	if (spi_index >= VGIC_NR_SPIS)
		return -1;
	uint64_t route = g->irouter[spi_index];
	if (route & GICD_IROUTER_IRM)
		return 0; /* "any participating PE": Tandem always picks vCPU 0 */
	for (unsigned c = 0; c < g->nvcpus && c < VGIC_MAX_VCPUS; c++) {
		uint64_t hwid = arch_vcpu_hwid(c);
		uint64_t aff = (hwid & 0xFFFFFFull) | ((hwid >> 32) & 0xFF) << 32;
		if ((route & GICD_IROUTER_AFF_MASK) == aff)
			return (int)c;
	}
	return -1;
}

static int target_of(const struct vgic *g, unsigned vcpu, unsigned intid)
{
	return intid < VGIC_NR_PRIVATE ? (int)vcpu : vgic_spi_target(g, intid - VGIC_NR_PRIVATE);
}

/* After a write that may have made intid deliverable: its target must look at it, and
 * so must the vCPU whose LR holds it, which merges the new state at its next exit. */
static void kick_for(const struct vgic *g, unsigned vcpu, unsigned intid, uint64_t *kick)
{
	const struct vgic_irq *irq = irq_at((struct vgic *)g, vcpu, intid);

	if (!kick || !irq_deliverable(g, irq))
		return;
	int target = target_of(g, vcpu, intid);
	if (target >= 0)
		*kick |= 1ull << target;
	if (irq->flags & VGIC_IN_LR)
		*kick |= 1ull << irq->lr_vcpu;
}

/* ---- registers shared by the distributor and the SGI_base frame ---------------------- */

/* One word of IGROUPR, IS/ICENABLER, IS/ICPENDR or IS/ICACTIVER (reg: the register's
 * base offset), covering INTIDs first to first + 31. */
static uint32_t bits_read(struct vgic *g, unsigned vcpu, uint32_t reg, unsigned first)
{
	uint32_t v = 0;

	if (reg == GICD_IGROUPR)
		return 0xFFFFFFFFu; /* every interrupt is Group 1 */
	for (unsigned i = 0; i < 32; i++) {
		const struct vgic_irq *irq = irq_at(g, vcpu, first + i);
		bool set;
		switch (reg) {
		case GICD_ISENABLER: case GICD_ICENABLER: set = irq->flags & VGIC_ENABLED; break;
		case GICD_ISPENDR: case GICD_ICPENDR: set = irq_pending(irq); break;
		default: set = irq->flags & VGIC_ACTIVE; break;
		}
		v |= (uint32_t)set << i;
	}
	return v;
}

/* Writing 0 to a bit changes nothing (GICD_ISENABLER<n> and its siblings).
 * Clearing the pending latch of a level-sensitive interrupt leaves its line level, so
 * it still reads pending while the line is high. */
static void bits_write(struct vgic *g, unsigned vcpu, uint32_t reg, unsigned first,
		       uint32_t value, uint64_t *kick)
{
	for (unsigned i = 0; i < 32; i++) {
		if (!(value & (1u << i)))
			continue;
		struct vgic_irq *irq = irq_at(g, vcpu, first + i);
		switch (reg) {
		case GICD_ISENABLER: irq->flags |= VGIC_ENABLED; break;
		case GICD_ICENABLER: irq->flags &= (uint8_t)~VGIC_ENABLED; break;
		case GICD_ISPENDR: irq->flags |= VGIC_PENDING; break;
		case GICD_ICPENDR: irq->flags &= (uint8_t)~VGIC_PENDING; break;
		case GICD_ISACTIVER: irq->flags |= VGIC_ACTIVE; break;
		case GICD_ICACTIVER: irq->flags &= (uint8_t)~VGIC_ACTIVE; break;
		default: return; /* IGROUPR: RAO/WI */
		}
		if (reg == GICD_ISENABLER || reg == GICD_ISPENDR)
			kick_for(g, vcpu, first + i, kick);
	}
}

static uint32_t priority_read(struct vgic *g, unsigned vcpu, unsigned intid, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint32_t)irq_at(g, vcpu, intid + i)->priority << (8 * i);
	return v;
}

static void priority_write(struct vgic *g, unsigned vcpu, unsigned intid, unsigned bytes,
			   uint32_t value)
{
	for (unsigned i = 0; i < bytes; i++) {
		uint32_t byte = (value >> (8 * i)) & VGIC_PRIORITY_MASK;
		irq_at(g, vcpu, intid + i)->priority = (uint8_t)byte;
	}
}

/* One ICFGR word, INTIDs first to first + 15: Int_config[1] (bit 2n + 1) set means
 * edge-triggered; bit 2n is RES0. */
static uint32_t config_read(struct vgic *g, unsigned vcpu, unsigned first)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < 16; i++)
		if (irq_at(g, vcpu, first + i)->flags & VGIC_EDGE)
			v |= 2u << (2 * i);
	return v;
}

/* A level-sensitive interrupt whose line is high becomes pending when it turns
 * level-sensitive: its target may have to look. */
static void config_write(struct vgic *g, unsigned vcpu, unsigned first, uint32_t value,
			 uint64_t *kick)
{
	for (unsigned i = 0; i < 16; i++) {
		struct vgic_irq *irq = irq_at(g, vcpu, first + i);
		if (value & (2u << (2 * i)))
			irq->flags |= VGIC_EDGE;
		else
			irq->flags &= (uint8_t)~VGIC_EDGE;
		kick_for(g, vcpu, first + i, kick);
	}
}

/* ---- the distributor ----------------------------------------------------------------- */

/* The first INTID of word n of a one-bit-per-INTID register, if it covers SPIs that
 * exist; the word for INTIDs 0-31 is RAZ/WI with affinity routing (GICD_CTLR.ARE). */
static bool dist_spi_word(uint64_t n, unsigned bits_per_irq, unsigned *first)
{
	uint64_t intid = n * (32 / bits_per_irq);

	if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return false;
	*first = (unsigned)intid;
	return true;
}

/* GICD_IROUTER of INTID 32 + *spi at off, if that SPI exists. */
static bool dist_irouter(uint64_t off, unsigned *spi)
{
	uint64_t intid = (off - GICD_IROUTER) / 8;

	if (off < GICD_IROUTER || off >= GICD_IROUTER_END || intid < VGIC_NR_PRIVATE ||
	    intid >= VGIC_NR_IRQS)
		return false;
	*spi = (unsigned)(intid - VGIC_NR_PRIVATE);
	return true;
}

static bool in_prio(uint64_t off)
{
	return off >= GICD_IPRIORITYR + VGIC_NR_PRIVATE && off < GICD_IPRIORITYR + VGIC_NR_IRQS;
}

static uint32_t dist_read32(struct vgic *g, uint64_t off)
{
	unsigned first, spi;

	if (off == GICD_CTLR)
		return (g->ctlr & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1)) | GICD_CTLR_ARE |
		       GICD_CTLR_DS;
	if (off == GICD_TYPER)
		return GICD_TYPER_VALUE;
	if (off == GICD_IIDR)
		return GIC_IIDR_VALUE;
	if (off == GICD_PIDR2)
		return GIC_PIDR2_VALUE;
	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR &&
	    dist_spi_word((off % 0x80) / 4, 1, &first))
		return bits_read(g, 0, (uint32_t)off & ~0x7Fu, first);
	if (in_prio(off))
		return priority_read(g, 0, (unsigned)(off - GICD_IPRIORITYR), 4);
	if (off >= GICD_ICFGR && off < GICD_ICFGR_END &&
	    dist_spi_word((off - GICD_ICFGR) / 4, 2, &first))
		return config_read(g, 0, first);
	if (dist_irouter(off, &spi))
		return off % 8 ? 0 : (uint32_t)g->irouter[spi];
	return 0;
}

/* Enabling Group 1 makes every enabled pending interrupt deliverable. */
static void dist_write_ctlr(struct vgic *g, uint32_t value, uint64_t *kick)
{
	bool was = g->ctlr & GICD_CTLR_ENABLE_GRP1;
	uint32_t keep = g->ctlr & ~(GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);

	g->ctlr = keep | (value & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1));
	if (was || !(g->ctlr & GICD_CTLR_ENABLE_GRP1) || !kick)
		return;
	for (unsigned c = 0; c < g->nvcpus; c++)
		if (vgic_has_pending(g, c))
			*kick |= 1ull << c;
}

static void dist_write_irouter(struct vgic *g, unsigned spi, uint64_t value, uint64_t *kick)
{
	g->irouter[spi] = value & GICD_IROUTER_MASK;
	kick_for(g, 0, VGIC_NR_PRIVATE + spi, kick);
}

static void dist_write32(struct vgic *g, uint64_t off, uint32_t value, uint64_t *kick)
{
	unsigned first, spi;

	if (off == GICD_CTLR)
		dist_write_ctlr(g, value, kick);
	else if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR &&
		 dist_spi_word((off % 0x80) / 4, 1, &first))
		bits_write(g, 0, (uint32_t)off & ~0x7Fu, first, value, kick);
	else if (in_prio(off))
		priority_write(g, 0, (unsigned)(off - GICD_IPRIORITYR), 4, value);
	else if (off >= GICD_ICFGR && off < GICD_ICFGR_END &&
		 dist_spi_word((off - GICD_ICFGR) / 4, 2, &first))
		config_write(g, 0, first, value, kick);
	else if (dist_irouter(off, &spi) && off % 8 == 0)
		dist_write_irouter(g, spi, (g->irouter[spi] & ~0xFFFFFFFFull) | value, kick);
}

int vgic_dist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value)
{
	unsigned spi;

	if (off >= VGIC_DIST_SIZE)
		return -EINVAL;
	*value = 0;
	if (width == 4 && off % 4 == 0)
		*value = dist_read32(g, off);
	else if (width == 1 && in_prio(off))
		*value = priority_read(g, 0, (unsigned)(off - GICD_IPRIORITYR), 1);
	else if (width == 8 && off % 8 == 0 && dist_irouter(off, &spi))
		*value = g->irouter[spi];
	return 0;
}

int vgic_dist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value, uint64_t *kick)
{
	unsigned spi;

	if (off >= VGIC_DIST_SIZE)
		return -EINVAL;
	if (width == 4 && off % 4 == 0)
		dist_write32(g, off, (uint32_t)value, kick);
	else if (width == 1 && in_prio(off))
		priority_write(g, 0, (unsigned)(off - GICD_IPRIORITYR), 1, (uint32_t)value);
	else if (width == 8 && off % 8 == 0 && dist_irouter(off, &spi))
		dist_write_irouter(g, spi, value, kick);
	return 0;
}

/* ---- the redistributors -------------------------------------------------------------- */

uint64_t vgic_redist_size(const struct vgic *g)
{
	unsigned n = g->nvcpus <= VGIC_MAX_VCPUS ? g->nvcpus : VGIC_MAX_VCPUS;

	return n * VGIC_REDIST_STRIDE;
}

/* GICR_TYPER: Affinity_Value is the vCPU's MPIDR Aff3.Aff2.Aff1.Aff0. */
static uint64_t redist_typer(const struct vgic *g, unsigned vcpu)
{
	uint64_t hwid = arch_vcpu_hwid(vcpu);
	uint64_t aff = (hwid & 0xFFFFFFull) | ((hwid >> 32) & 0xFF) << 24;
	uint64_t v = aff << GICR_TYPER_AFFINITY_SHIFT;

	v |= (uint64_t)vcpu << GICR_TYPER_PROCESSOR_SHIFT;
	return vcpu + 1 == g->nvcpus ? v | GICR_TYPER_LAST : v;
}

static uint32_t rd_read32(struct vgic *g, unsigned vcpu, uint64_t off)
{
	uint32_t waker = g->cpu[vcpu].waker & GICR_WAKER_PROCESSOR_SLEEP;

	switch (off) {
	case GICR_IIDR: return GIC_IIDR_VALUE;
	case GICR_TYPER: return (uint32_t)redist_typer(g, vcpu);
	case GICR_TYPER + 4: return (uint32_t)(redist_typer(g, vcpu) >> 32);
	case GICR_WAKER: return waker ? waker | GICR_WAKER_CHILDREN_ASLEEP : 0;
	case GICR_PIDR2: return GIC_PIDR2_VALUE;
	case GICR_CTLR: /* no LPIs; RWP and UWP: nothing to wait for */
	default: return 0;
	}
}

static uint32_t sgi_read32(struct vgic *g, unsigned vcpu, uint64_t off)
{
	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR && off % 0x80 == 0)
		return bits_read(g, vcpu, (uint32_t)off, 0);
	if (off >= GICR_IPRIORITYR && off < GICR_IPRIORITYR_END)
		return priority_read(g, vcpu, (unsigned)(off - GICR_IPRIORITYR), 4);
	if (off == GICR_ICFGR0)
		return GICR_ICFGR0_SGIS;
	if (off == GICR_ICFGR1)
		return config_read(g, vcpu, VGIC_NR_SGIS);
	return 0;
}

static void sgi_write32(struct vgic *g, unsigned vcpu, uint64_t off, uint32_t value, uint64_t *kick)
{
	if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR && off % 0x80 == 0)
		bits_write(g, vcpu, (uint32_t)off, 0, value, kick);
	else if (off >= GICR_IPRIORITYR && off < GICR_IPRIORITYR_END)
		priority_write(g, vcpu, (unsigned)(off - GICR_IPRIORITYR), 4, value);
	else if (off == GICR_ICFGR1)
		config_write(g, vcpu, VGIC_NR_SGIS, value, kick);
}

/* Which vCPU's frame off falls in, and the offset inside its RD_base (or, when *sgi,
 * its SGI_base) frame. */
static unsigned redist_decode(uint64_t off, uint64_t *reg, bool *sgi)
{
	uint64_t in = off % VGIC_REDIST_STRIDE;

	*sgi = in >= VGIC_SGI_FRAME;
	*reg = *sgi ? in - VGIC_SGI_FRAME : in;
	return (unsigned)(off / VGIC_REDIST_STRIDE);
}

int vgic_redist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value)
{
	uint64_t reg;
	bool sgi;

	if (off >= vgic_redist_size(g))
		return -EINVAL;
	unsigned vcpu = redist_decode(off, &reg, &sgi);
	*value = 0;
	if (width == 4 && reg % 4 == 0)
		*value = sgi ? sgi_read32(g, vcpu, reg) : rd_read32(g, vcpu, reg);
	else if (width == 1 && sgi && reg >= GICR_IPRIORITYR && reg < GICR_IPRIORITYR_END)
		*value = priority_read(g, vcpu, (unsigned)(reg - GICR_IPRIORITYR), 1);
	else if (width == 8 && !sgi && reg == GICR_TYPER)
		*value = redist_typer(g, vcpu);
	return 0;
}

int vgic_redist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
		      uint64_t *kick)
{
	uint64_t reg;
	bool sgi;

	if (off >= vgic_redist_size(g))
		return -EINVAL;
	unsigned vcpu = redist_decode(off, &reg, &sgi);
	if (width == 4 && reg % 4 == 0 && sgi)
		sgi_write32(g, vcpu, reg, (uint32_t)value, kick);
	else if (width == 4 && !sgi && reg == GICR_WAKER)
		g->cpu[vcpu].waker = (uint32_t)value & GICR_WAKER_PROCESSOR_SLEEP;
	else if (width == 1 && sgi && reg >= GICR_IPRIORITYR && reg < GICR_IPRIORITYR_END)
		priority_write(g, vcpu, (unsigned)(reg - GICR_IPRIORITYR), 1, (uint32_t)value);
	return 0;
}
