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
#include "arch/aarch64/gicv3.h"
#include "arch/aarch64/vgic.h"
#include "arch/aarch64/vgic_state.h"
#include "hal/err.h"

/* The identification values Tandem's GIC reports. GICD_TYPER: ITLinesNumber =
 * SPIs / 32, IDbits = 9 (10-bit INTIDs); CPUNumber, SecurityExtn, MBIS, LPIS, A3V (so
 * Aff3 is 0 everywhere), No1N (1 of N is offered), RSS: 0. GICD_IIDR / GICR_IIDR:
 * Implementer 0x43B, the JEP106 code of Arm. GICD_PIDR2 / GICR_PIDR2: ArchRev [7:4] = 3
 * (GICv3), JEDEC-assigned ID bits 0xB. */
#define GICD_TYPER_VALUE ((9u << GICD_TYPER_IDBITS_SHIFT) | (VGIC_NR_SPIS / 32u))
#define GIC_IIDR_VALUE 0x0000043Bu
#define GIC_PIDR2_VALUE 0x3Bu

/* GICD_IROUTER as kept: Aff3 is RES0 here (GICD_TYPER.A3V is 0, so the upper word is
 * RAZ/WI). */
#define GICD_IROUTER_MASK (GICD_IROUTER_IRM | 0xFFFFFFull)

/* Five bits of priority, as many as the virtual CPU interface of QEMU's GICv3 and of
 * KVM's vGIC (ICH_VTR_EL2.PRIbits = 4): the unimplemented low bits are RAZ/WI (IHI 0069,
 * "Interrupt prioritization"), so the distributor keeps no distinction the LRs lose. */
#define VGIC_PRIORITY_MASK 0xF8u

/* ---- the register file as a table of register groups --------------------------------
 * A group is a range of offsets in one frame holding one register, or one register
 * per interrupt (bits_per_irq > 0: 1 for the enable, pending and active bits, 2 for
 * the configuration, 8 for the priority, 64 for the routing), with the access widths
 * it takes (a mask of 1 << width-in-bytes), and its read and write handlers. An access
 * that falls in no group, is of a width the group does not take or is not aligned to
 * its width, or covers interrupts the frame does not have reads as zero and is
 * ignored. */

/* One access, decoded. */
struct vgic_access {
	struct vgic *g;
	unsigned vcpu;  /* whose redistributor; 0 for the distributor */
	unsigned intid; /* per-interrupt groups: the first INTID the access covers */
	unsigned count; /* per-interrupt groups: how many INTIDs it covers */
	uint64_t at;    /* offset from the group's base */
	unsigned width; /* bytes */
	unsigned op;    /* the group's op: which of a family of registers */
	uint64_t *kick;
};

struct vgic_reg_group {
	uint32_t base, end; /* [base, end) in the frame */
	uint8_t widths;     /* W1 | W4 | W8 */
	uint8_t bits_per_irq;
	uint8_t op;
	uint64_t (*read)(const struct vgic_access *a);
	void (*write)(const struct vgic_access *a, uint64_t value);
};

/* A frame: its groups, and the INTIDs its per-interrupt registers reach (the
 * distributor's only SPIs with affinity routing on, the SGI frame only its vCPU's
 * private ones). */
struct vgic_frame {
	const struct vgic_reg_group *groups;
	unsigned count;
	unsigned first_intid, end_intid;
};

/* Access widths a group takes. */
#define W1 0x1u
#define W4 0x4u
#define W8 0x8u

static unsigned width_bit(unsigned width)
{
	return width == 1 || width == 4 || width == 8 ? width : 0;
}

/* The group off falls in, with the access decoded into *a; NULL if none takes it. */
static const struct vgic_reg_group *decode(const struct vgic_frame *f, uint64_t off,
					   unsigned width, struct vgic_access *a)
{
	for (unsigned i = 0; i < f->count; i++) {
		const struct vgic_reg_group *r = &f->groups[i];
		if (off < r->base || off >= r->end)
			continue;
		if (!(r->widths & width_bit(width)) || off % width)
			return NULL;
		a->at = off - r->base;
		a->width = width;
		a->op = r->op;
		if (r->bits_per_irq) {
			unsigned bits = r->bits_per_irq;
			uint64_t first = a->at * 8 / bits;
			uint64_t count = bits > 8 * width ? 1 : 8 * width / bits;
			if (first < f->first_intid || first + count > f->end_intid)
				return NULL;
			a->intid = (unsigned)first;
			a->count = (unsigned)count;
		}
		return r;
	}
	return NULL;
}

/* ---- per-interrupt registers shared by the distributor and the SGI_base frame ------- */

enum bits_op { OP_GROUP, OP_SET_ENABLE, OP_CLEAR_ENABLE, OP_SET_PENDING, OP_CLEAR_PENDING,
	       OP_SET_ACTIVE, OP_CLEAR_ACTIVE };

/* IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER: one bit per INTID. */
static uint64_t bits_read(const struct vgic_access *a)
{
	uint32_t v = 0;

	if (a->op == OP_GROUP)
		return 0xFFFFFFFFu; /* every interrupt is Group 1 */
	for (unsigned i = 0; i < a->count; i++) {
		const struct vgic_irq *irq = vgic_irq_at(a->g, a->vcpu, a->intid + i);
		bool set;
		switch (a->op) {
		case OP_SET_ENABLE: case OP_CLEAR_ENABLE: set = irq->flags & VGIC_ENABLED; break;
		case OP_SET_PENDING: case OP_CLEAR_PENDING: set = vgic_irq_pending(irq); break;
		default: set = irq->flags & VGIC_ACTIVE; break;
		}
		v |= (uint32_t)set << i;
	}
	return v;
}

/* Writing 0 to a bit changes nothing. Clearing the pending latch of a level-sensitive
 * interrupt leaves its line level, so it still reads pending while the line is high. */
static void bits_write(const struct vgic_access *a, uint64_t value)
{
	if (a->op == OP_GROUP)
		return; /* RAO/WI */
	for (unsigned i = 0; i < a->count; i++) {
		if (!(value & (1ull << i)))
			continue;
		unsigned intid = a->intid + i;
		struct vgic_irq *irq = vgic_irq_at(a->g, a->vcpu, intid);
		switch (a->op) {
		case OP_SET_ENABLE: irq->flags |= VGIC_ENABLED; break;
		case OP_CLEAR_ENABLE: irq->flags &= (uint8_t)~VGIC_ENABLED; break;
		case OP_SET_PENDING:
			irq->flags |= VGIC_PENDING;
			vgic_mark(a->g, a->vcpu, intid);
			break;
		case OP_CLEAR_PENDING: irq->flags &= (uint8_t)~VGIC_PENDING; break;
		case OP_SET_ACTIVE:
			irq->flags |= VGIC_ACTIVE;
			vgic_mark(a->g, a->vcpu, intid);
			break;
		default: irq->flags &= (uint8_t)~VGIC_ACTIVE; break;
		}
		if (a->op == OP_SET_ENABLE || a->op == OP_SET_PENDING)
			vgic_wake(a->g, irq, vgic_target(a->g, a->vcpu, intid), a->kick);
	}
}

/* IPRIORITYR: a byte per INTID. */
static uint64_t priority_read(const struct vgic_access *a)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < a->count; i++)
		v |= (uint32_t)vgic_irq_at(a->g, a->vcpu, a->intid + i)->priority << (8 * i);
	return v;
}

static void priority_write(const struct vgic_access *a, uint64_t value)
{
	for (unsigned i = 0; i < a->count; i++) {
		uint64_t byte = (value >> (8 * i)) & VGIC_PRIORITY_MASK;
		vgic_irq_at(a->g, a->vcpu, a->intid + i)->priority = (uint8_t)byte;
	}
}

/* ICFGR: Int_config[1] (the odd bit) set means edge-triggered; the even bit is RES0.
 * SGIs are always edge-triggered (GICR_ICFGR0 is read-only). */
static uint64_t config_read(const struct vgic_access *a)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < a->count; i++)
		if (vgic_irq_at(a->g, a->vcpu, a->intid + i)->flags & VGIC_EDGE)
			v |= GIC_ICFGR_EDGE(i);
	return v;
}

/* A level-sensitive interrupt whose line is high becomes pending when it turns
 * level-sensitive: its target may have to look. */
static void config_write(const struct vgic_access *a, uint64_t value)
{
	for (unsigned i = 0; i < a->count; i++) {
		unsigned intid = a->intid + i;
		if (intid < VGIC_NR_SGIS)
			continue;
		struct vgic_irq *irq = vgic_irq_at(a->g, a->vcpu, intid);
		if (value & GIC_ICFGR_EDGE(i))
			irq->flags |= VGIC_EDGE;
		else
			irq->flags &= (uint8_t)~VGIC_EDGE;
		vgic_wake(a->g, irq, vgic_target(a->g, a->vcpu, intid), a->kick);
	}
}

/* ---- the distributor ----------------------------------------------------------------- */

int vgic_spi_target(const struct vgic *g, unsigned spi_index)
{
	if (spi_index >= VGIC_NR_SPIS)
		return -1;
	uint64_t route = g->irouter[spi_index];
	if (route & GICD_IROUTER_IRM)
		return 0; /* "any participating PE": Tandem always picks vCPU 0 */
	for (unsigned c = 0; c < g->nvcpus && c < VGIC_MAX_VCPUS; c++)
		if ((route & GICD_IROUTER_AFF_MASK) == gic_irouter_affinity(arch_vcpu_hwid(c)))
			return (int)c;
	return -1;
}

static uint64_t ctlr_read(const struct vgic_access *a)
{
	return (a->g->ctlr & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1)) | GICD_CTLR_ARE |
	       GICD_CTLR_DS;
}

/* Enabling Group 1 makes every enabled pending interrupt deliverable. */
static void ctlr_write(const struct vgic_access *a, uint64_t value)
{
	struct vgic *g = a->g;
	bool was = g->ctlr & GICD_CTLR_ENABLE_GRP1;
	uint32_t keep = g->ctlr & ~(GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);

	g->ctlr = keep | ((uint32_t)value & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1));
	if (was || !(g->ctlr & GICD_CTLR_ENABLE_GRP1) || !a->kick)
		return;
	for (unsigned c = 0; c < g->nvcpus; c++)
		if (vgic_has_pending(g, c))
			*a->kick |= 1ull << c;
}

enum const_op { OP_TYPER, OP_IIDR, OP_PIDR2 };

/* The identification registers' values, in memory: what const_read gives and the
 * distributor's shadows point to (vgic_dist_shadows). */
static const uint64_t typer_value = GICD_TYPER_VALUE, iidr_value = GIC_IIDR_VALUE,
		      pidr2_value = GIC_PIDR2_VALUE;

static uint64_t const_read(const struct vgic_access *a)
{
	switch (a->op) {
	case OP_TYPER: return typer_value;
	case OP_IIDR: return iidr_value;
	default: return pidr2_value;
	}
}

static void ignore_write(const struct vgic_access *a, uint64_t value)
{
	(void)a;
	(void)value;
}

/* GICD_IROUTER<n>: the whole register, or its low word; the high word is RAZ/WI. */
static uint64_t irouter_read(const struct vgic_access *a)
{
	if (a->at % 8)
		return 0;
	uint64_t v = a->g->irouter[a->intid - VGIC_NR_PRIVATE];
	return a->width == 8 ? v : (uint32_t)v;
}

/* Rerouting a deliverable SPI: its new target must look (or, while an LR holds it,
 * the holder, whose sync passes it on). */
static void irouter_write(const struct vgic_access *a, uint64_t value)
{
	unsigned spi = a->intid - VGIC_NR_PRIVATE;
	uint64_t *r = &a->g->irouter[spi];

	if (a->at % 8)
		return;
	if (a->width == 4)
		value = (*r & ~0xFFFFFFFFull) | (uint32_t)value;
	*r = value & GICD_IROUTER_MASK;
	vgic_wake(a->g, &a->g->spi[spi], vgic_target(a->g, 0, a->intid), a->kick);
}

#define BITS_GROUP(reg, op) \
	{ reg, reg + GICD_BITS_REG_SIZE, W4, 1, op, bits_read, bits_write }

static const struct vgic_reg_group dist_groups[] = {
	{ GICD_CTLR, GICD_CTLR + 4, W4, 0, 0, ctlr_read, ctlr_write },
	{ GICD_TYPER, GICD_TYPER + 4, W4, 0, OP_TYPER, const_read, ignore_write },
	{ GICD_IIDR, GICD_IIDR + 4, W4, 0, OP_IIDR, const_read, ignore_write },
	BITS_GROUP(GICD_IGROUPR, OP_GROUP),
	BITS_GROUP(GICD_ISENABLER, OP_SET_ENABLE),
	BITS_GROUP(GICD_ICENABLER, OP_CLEAR_ENABLE),
	BITS_GROUP(GICD_ISPENDR, OP_SET_PENDING),
	BITS_GROUP(GICD_ICPENDR, OP_CLEAR_PENDING),
	BITS_GROUP(GICD_ISACTIVER, OP_SET_ACTIVE),
	BITS_GROUP(GICD_ICACTIVER, OP_CLEAR_ACTIVE),
	{ GICD_IPRIORITYR, GICD_IPRIORITYR_END, W1 | W4, 8, 0, priority_read, priority_write },
	{ GICD_ICFGR, GICD_ICFGR_END, W4, 2, 0, config_read, config_write },
	{ GICD_IROUTER, GICD_IROUTER_END, W4 | W8, 64, 0, irouter_read, irouter_write },
	{ GICD_PIDR2, GICD_PIDR2 + 4, W4, 0, OP_PIDR2, const_read, ignore_write },
};

unsigned vgic_dist_shadows(struct mmio_shadow *out, unsigned max)
{
	const struct mmio_shadow regs[] = {
		{ gpa_make(GICD_TYPER), 1u << 2, &typer_value },
		{ gpa_make(GICD_IIDR), 1u << 2, &iidr_value },
		{ gpa_make(GICD_PIDR2), 1u << 2, &pidr2_value },
	};
	unsigned n = 0;

	for (; n < max && n < sizeof(regs) / sizeof(regs[0]); n++)
		out[n] = regs[n];
	return n;
}

static const struct vgic_frame dist_frame = {
	dist_groups, sizeof(dist_groups) / sizeof(dist_groups[0]), VGIC_NR_PRIVATE, VGIC_NR_IRQS,
};

int vgic_dist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value)
{
	struct vgic_access a = { .g = g };

	if (off >= VGIC_DIST_SIZE)
		return -EINVAL;
	const struct vgic_reg_group *r = decode(&dist_frame, off, width, &a);
	*value = r ? r->read(&a) : 0;
	return 0;
}

int vgic_dist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value, uint64_t *kick)
{
	struct vgic_access a = { .g = g, .kick = kick };

	if (off >= VGIC_DIST_SIZE)
		return -EINVAL;
	const struct vgic_reg_group *r = decode(&dist_frame, off, width, &a);
	if (r)
		r->write(&a, value);
	vgic_changed(g);
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
	uint64_t v = gic_affinity_packed(arch_vcpu_hwid(vcpu)) << GICR_TYPER_AFFINITY_SHIFT;

	v |= (uint64_t)vcpu << GICR_TYPER_PROCESSOR_SHIFT;
	return vcpu + 1 == g->nvcpus ? v | GICR_TYPER_LAST : v;
}

/* The whole register, or either word. */
static uint64_t typer_read(const struct vgic_access *a)
{
	uint64_t v = redist_typer(a->g, a->vcpu);

	return a->width == 8 ? v : (uint32_t)(v >> (8 * a->at));
}

/* GICR_WAKER: ProcessorSleep RW, ChildrenAsleep follows it at once. */
static uint64_t waker_read(const struct vgic_access *a)
{
	uint32_t sleep = a->g->cpu[a->vcpu].waker & GICR_WAKER_PROCESSOR_SLEEP;

	return sleep ? sleep | GICR_WAKER_CHILDREN_ASLEEP : 0;
}

static void waker_write(const struct vgic_access *a, uint64_t value)
{
	a->g->cpu[a->vcpu].waker = (uint32_t)value & GICR_WAKER_PROCESSOR_SLEEP;
}

/* GICR_CTLR (no LPIs; RWP and UWP: nothing to wait for) reads as zero like every
 * register not named. */
static const struct vgic_reg_group rd_groups[] = {
	{ GICR_IIDR, GICR_IIDR + 4, W4, 0, OP_IIDR, const_read, ignore_write },
	{ GICR_TYPER, GICR_TYPER + 8, W4 | W8, 0, 0, typer_read, ignore_write },
	{ GICR_WAKER, GICR_WAKER + 4, W4, 0, 0, waker_read, waker_write },
	{ GICR_PIDR2, GICR_PIDR2 + 4, W4, 0, OP_PIDR2, const_read, ignore_write },
};

#define BITS0_GROUP(reg, op) { reg, reg + 4, W4, 1, op, bits_read, bits_write }

static const struct vgic_reg_group sgi_groups[] = {
	BITS0_GROUP(GICR_IGROUPR0, OP_GROUP),
	BITS0_GROUP(GICR_ISENABLER0, OP_SET_ENABLE),
	BITS0_GROUP(GICR_ICENABLER0, OP_CLEAR_ENABLE),
	BITS0_GROUP(GICR_ISPENDR0, OP_SET_PENDING),
	BITS0_GROUP(GICR_ICPENDR0, OP_CLEAR_PENDING),
	BITS0_GROUP(GICR_ISACTIVER0, OP_SET_ACTIVE),
	BITS0_GROUP(GICR_ICACTIVER0, OP_CLEAR_ACTIVE),
	{ GICR_IPRIORITYR, GICR_IPRIORITYR_END, W1 | W4, 8, 0, priority_read, priority_write },
	{ GICR_ICFGR0, GICR_ICFGR1 + 4, W4, 2, 0, config_read, config_write },
};

static const struct vgic_frame rd_frame = {
	rd_groups, sizeof(rd_groups) / sizeof(rd_groups[0]), 0, 0,
};

static const struct vgic_frame sgi_frame = {
	sgi_groups, sizeof(sgi_groups) / sizeof(sgi_groups[0]), 0, VGIC_NR_PRIVATE,
};

/* The frame off falls in, with a->vcpu its vCPU, and the offset inside it. */
static const struct vgic_frame *redist_decode(uint64_t off, struct vgic_access *a, uint64_t *reg)
{
	uint64_t in = off % VGIC_REDIST_STRIDE;

	a->vcpu = (unsigned)(off / VGIC_REDIST_STRIDE);
	*reg = in >= VGIC_SGI_FRAME ? in - VGIC_SGI_FRAME : in;
	return in >= VGIC_SGI_FRAME ? &sgi_frame : &rd_frame;
}

int vgic_redist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value)
{
	struct vgic_access a = { .g = g };
	uint64_t reg;

	if (off >= vgic_redist_size(g))
		return -EINVAL;
	const struct vgic_frame *f = redist_decode(off, &a, &reg);
	const struct vgic_reg_group *r = decode(f, reg, width, &a);
	*value = r ? r->read(&a) : 0;
	return 0;
}

int vgic_redist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
		      uint64_t *kick)
{
	struct vgic_access a = { .g = g, .kick = kick };
	uint64_t reg;

	if (off >= vgic_redist_size(g))
		return -EINVAL;
	const struct vgic_frame *f = redist_decode(off, &a, &reg);
	const struct vgic_reg_group *r = decode(f, reg, width, &a);
	if (r)
		r->write(&a, value);
	vgic_changed(g);
	return 0;
}
