/* The virtual GICv3's register interface (vgic_mmio.c), seen as a guest sees it:
 * through the distributor's and the redistributors' MMIO frames, with the interrupt
 * state driven by vgic_inject / vgic_set_level / vgic_send_sgi and the list registers
 * of a guest_ctx filled by vgic_flush and read back by vgic_sync. Offsets and values
 * come from Arm IHI 0069 (chapter 12), worked out by hand. */
#include <check.h>
#include <string.h>

#include "arch/aarch64/vgic.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "tests/check_main.h"

/* Distributor (IHI 0069 12.9). */
#define SPEC_GICD_CTLR 0x0000
#define SPEC_GICD_TYPER 0x0004
#define SPEC_GICD_IIDR 0x0008
#define SPEC_GICD_TYPER2 0x000C
#define SPEC_GICD_IGROUPR 0x0080
#define SPEC_GICD_ISENABLER 0x0100
#define SPEC_GICD_ICENABLER 0x0180
#define SPEC_GICD_ISPENDR 0x0200
#define SPEC_GICD_ICPENDR 0x0280
#define SPEC_GICD_ISACTIVER 0x0300
#define SPEC_GICD_ICACTIVER 0x0380
#define SPEC_GICD_IPRIORITYR 0x0400
#define SPEC_GICD_ICFGR 0x0C00
#define SPEC_GICD_IGRPMODR 0x0D00
#define SPEC_GICD_SGIR 0x0F00
#define SPEC_GICD_IROUTER 0x6000
#define SPEC_GICD_PIDR2 0xFFE8

/* Redistributor RD_base (12.11) and SGI_base (12.10) frames. */
#define SPEC_GICR_CTLR 0x0000
#define SPEC_GICR_IIDR 0x0004
#define SPEC_GICR_TYPER 0x0008
#define SPEC_GICR_WAKER 0x0014
#define SPEC_GICR_PIDR2 0xFFE8
#define SPEC_GICR_IGROUPR0 0x0080
#define SPEC_GICR_ISENABLER0 0x0100
#define SPEC_GICR_ICENABLER0 0x0180
#define SPEC_GICR_ISPENDR0 0x0200
#define SPEC_GICR_ICPENDR0 0x0280
#define SPEC_GICR_ISACTIVER0 0x0300
#define SPEC_GICR_ICACTIVER0 0x0380
#define SPEC_GICR_IPRIORITYR 0x0400
#define SPEC_GICR_ICFGR0 0x0C00
#define SPEC_GICR_ICFGR1 0x0C04
#define SPEC_GICR_IGRPMODR0 0x0D00

#define ENABLE_GRP1 0x2u

static struct vgic g;
static struct guest_ctx ctx[3];

static void setup(void)
{
	memset(ctx, 0, sizeof(ctx));
	ck_assert_int_eq(vgic_init(&g, 3), 0);
}

static uint64_t drd(uint64_t off, unsigned width)
{
	uint64_t v = 0xDEADBEEF;

	ck_assert_int_eq(vgic_dist_read(&g, off, width, &v), 0);
	return v;
}

/* The write's kick mask. */
static uint64_t dwr(uint64_t off, unsigned width, uint64_t v)
{
	uint64_t kick = 0;

	ck_assert_int_eq(vgic_dist_write(&g, off, width, v, &kick), 0);
	return kick;
}

/* vCPU vcpu's RD_base frame (sgi false) or SGI_base frame. */
static uint64_t rframe(unsigned vcpu, bool sgi, uint64_t off)
{
	return vcpu * VGIC_REDIST_STRIDE + (sgi ? VGIC_SGI_FRAME : 0) + off;
}

static uint64_t rrd(unsigned vcpu, bool sgi, uint64_t off, unsigned width)
{
	uint64_t v = 0xDEADBEEF;

	ck_assert_int_eq(vgic_redist_read(&g, rframe(vcpu, sgi, off), width, &v), 0);
	return v;
}

static uint64_t rwr(unsigned vcpu, bool sgi, uint64_t off, unsigned width, uint64_t v)
{
	uint64_t kick = 0;

	ck_assert_int_eq(vgic_redist_write(&g, rframe(vcpu, sgi, off), width, v, &kick), 0);
	return kick;
}

static uint8_t flags(unsigned vcpu, unsigned intid)
{
	const struct vgic_irq *irq = vgic_irq_state(&g, vcpu, intid);

	ck_assert_ptr_nonnull(irq);
	return irq->flags;
}

/* ---- identification and control ------------------------------------------------------ */

/* The shared register layout (arch/aarch64/gicv3.h, which the host driver programs
 * the physical GIC with) against the offsets worked out by hand above. */
START_TEST(test_the_shared_gicv3_layout_matches_the_specification)
{
	static const struct { uint32_t shared, spec; } regs[] = {
		{ GICD_CTLR, SPEC_GICD_CTLR }, { GICD_TYPER, SPEC_GICD_TYPER },
		{ GICD_IIDR, SPEC_GICD_IIDR }, { GICD_IGROUPR, SPEC_GICD_IGROUPR },
		{ GICD_ISENABLER, SPEC_GICD_ISENABLER }, { GICD_ICENABLER, SPEC_GICD_ICENABLER },
		{ GICD_ISPENDR, SPEC_GICD_ISPENDR }, { GICD_ICPENDR, SPEC_GICD_ICPENDR },
		{ GICD_ISACTIVER, SPEC_GICD_ISACTIVER }, { GICD_ICACTIVER, SPEC_GICD_ICACTIVER },
		{ GICD_IPRIORITYR, SPEC_GICD_IPRIORITYR }, { GICD_ICFGR, SPEC_GICD_ICFGR },
		{ GICD_IROUTER, SPEC_GICD_IROUTER }, { GICD_PIDR2, SPEC_GICD_PIDR2 },
		{ GICR_CTLR, SPEC_GICR_CTLR }, { GICR_IIDR, SPEC_GICR_IIDR },
		{ GICR_TYPER, SPEC_GICR_TYPER }, { GICR_WAKER, SPEC_GICR_WAKER },
		{ GICR_PIDR2, SPEC_GICR_PIDR2 }, { GICR_IGROUPR0, SPEC_GICR_IGROUPR0 },
		{ GICR_ISENABLER0, SPEC_GICR_ISENABLER0 }, { GICR_ICENABLER0, SPEC_GICR_ICENABLER0 },
		{ GICR_ISPENDR0, SPEC_GICR_ISPENDR0 }, { GICR_ICPENDR0, SPEC_GICR_ICPENDR0 },
		{ GICR_ISACTIVER0, SPEC_GICR_ISACTIVER0 }, { GICR_ICACTIVER0, SPEC_GICR_ICACTIVER0 },
		{ GICR_IPRIORITYR, SPEC_GICR_IPRIORITYR }, { GICR_ICFGR0, SPEC_GICR_ICFGR0 },
		{ GICR_ICFGR1, SPEC_GICR_ICFGR1 },
	};
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		ck_assert_msg(regs[i].shared == regs[i].spec, "register %u: 0x%x, not 0x%x", i,
			      regs[i].shared, regs[i].spec);
	ck_assert_uint_eq(GICR_FRAME_STRIDE, 0x20000); /* RD_base + SGI_base, 64 KiB each */
	ck_assert_uint_eq(GICR_SGI_FRAME, 0x10000);
	/* MPIDR Aff3 0x12, Aff2 0x34, Aff1 0x56, Aff0 0x78 (and MT, U, RES1 set). */
	ck_assert_uint_eq(gic_affinity_packed(0x12C1345678ull), 0x12345678u);
	ck_assert_uint_eq(gic_irouter_affinity(0x12C1345678ull), 0x1200345678ull);
	/* ICC_SGI1R_EL1 of INTID 9 to Aff3.Aff2.Aff1 = 3.2.1, RS 4, targets 0 and 5. */
	uint64_t sgi = 3ull << 48 | 4ull << 44 | 2ull << 32 | 9ull << 24 | 1ull << 16 | 0x21;
	ck_assert_uint_eq((sgi >> ICC_SGI1R_AFF3_SHIFT) & ICC_SGI1R_AFF_MASK, 3);
	ck_assert_uint_eq((sgi >> ICC_SGI1R_RS_SHIFT) & ICC_SGI1R_RS_MASK, 4);
	ck_assert_uint_eq((sgi >> ICC_SGI1R_AFF2_SHIFT) & ICC_SGI1R_AFF_MASK, 2);
	ck_assert_uint_eq((sgi >> ICC_SGI1R_INTID_SHIFT) & ICC_SGI1R_INTID_MASK, 9);
	ck_assert_uint_eq((sgi >> ICC_SGI1R_AFF1_SHIFT) & ICC_SGI1R_AFF_MASK, 1);
	ck_assert_uint_eq(sgi & ICC_SGI1R_TARGETS_MASK, 0x21);
	ck_assert_uint_eq(sizeof(ctx[0].ich_lr) / sizeof(ctx[0].ich_lr[0]), VGIC_NR_LRS);
}
END_TEST

START_TEST(test_gicd_id_registers_read_the_single_security_state_values)
{
	ck_assert_uint_eq(drd(SPEC_GICD_CTLR, 4), 0x50);       /* ARE (bit 4), DS (bit 6) */
	ck_assert_uint_eq(drd(SPEC_GICD_TYPER, 4), 0x480003);  /* IDbits 9, ITLinesNumber 3 */
	ck_assert_uint_eq(drd(SPEC_GICD_IIDR, 4), 0x43B);      /* Arm, product 0 */
	ck_assert_uint_eq(drd(SPEC_GICD_TYPER2, 4), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_PIDR2, 4), 0x3B);      /* ArchRev 3 */
	dwr(SPEC_GICD_TYPER, 4, 0xFFFFFFFF);
	dwr(SPEC_GICD_IIDR, 4, 0);
	dwr(SPEC_GICD_PIDR2, 4, 0);
	ck_assert_uint_eq(drd(SPEC_GICD_TYPER, 4), 0x480003);
	ck_assert_uint_eq(drd(SPEC_GICD_IIDR, 4), 0x43B);
	ck_assert_uint_eq(drd(SPEC_GICD_PIDR2, 4), 0x3B);
}
END_TEST

START_TEST(test_gicd_ctlr_keeps_the_group_enables_with_are_and_ds_fixed)
{
	dwr(SPEC_GICD_CTLR, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(drd(SPEC_GICD_CTLR, 4), 0x53); /* RWP (bit 31) reads 0 */
	ck_assert_uint_eq(g.ctlr & ENABLE_GRP1, ENABLE_GRP1);
	dwr(SPEC_GICD_CTLR, 4, 0);
	ck_assert_uint_eq(drd(SPEC_GICD_CTLR, 4), 0x50);
	ck_assert_uint_eq(g.ctlr & ENABLE_GRP1, 0);
	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	ck_assert_uint_eq(drd(SPEC_GICD_CTLR, 4), 0x52);
}
END_TEST

START_TEST(test_gicr_typer_has_affinity_processor_number_and_last)
{
	ck_assert_uint_eq(vgic_redist_size(&g), 3 * VGIC_REDIST_STRIDE);
	ck_assert_uint_eq(rrd(0, false, SPEC_GICR_TYPER, 8), 0x0000000000000000ull);
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_TYPER, 8), 0x0000000100000100ull);
	ck_assert_uint_eq(rrd(2, false, SPEC_GICR_TYPER, 8), 0x0000000200000210ull);
	ck_assert_uint_eq(rrd(2, false, SPEC_GICR_TYPER, 4), 0x00000210);
	ck_assert_uint_eq(rrd(2, false, SPEC_GICR_TYPER + 4, 4), 0x00000002);
	rwr(2, false, SPEC_GICR_TYPER, 8, 0);
	ck_assert_uint_eq(rrd(2, false, SPEC_GICR_TYPER, 8), 0x0000000200000210ull);
}
END_TEST

START_TEST(test_gicr_typer_of_sixteen_vcpus_names_the_last_one)
{
	ck_assert_int_eq(vgic_init(&g, 16), 0);
	ck_assert_uint_eq(vgic_redist_size(&g), 16 * VGIC_REDIST_STRIDE);
	ck_assert_uint_eq(rrd(14, false, SPEC_GICR_TYPER, 8), 0x0000000E00000E00ull);
	ck_assert_uint_eq(rrd(15, false, SPEC_GICR_TYPER, 8), 0x0000000F00000F10ull);
}
END_TEST

START_TEST(test_gicr_id_registers_and_ctlr)
{
	for (unsigned c = 0; c < 3; c++) {
		ck_assert_uint_eq(rrd(c, false, SPEC_GICR_IIDR, 4), 0x43B);
		ck_assert_uint_eq(rrd(c, false, SPEC_GICR_PIDR2, 4), 0x3B);
		rwr(c, false, SPEC_GICR_CTLR, 4, 0xFFFFFFFF);
		ck_assert_uint_eq(rrd(c, false, SPEC_GICR_CTLR, 4), 0); /* UWP, RWP: 0 */
	}
}
END_TEST

START_TEST(test_gicr_waker_children_asleep_follows_processor_sleep)
{
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_WAKER, 4), 0x6); /* asleep after reset */
	rwr(1, false, SPEC_GICR_WAKER, 4, 0);
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_WAKER, 4), 0);
	ck_assert_uint_eq(rrd(0, false, SPEC_GICR_WAKER, 4), 0x6); /* per redistributor */
	rwr(1, false, SPEC_GICR_WAKER, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_WAKER, 4), 0x6);
	rwr(1, false, SPEC_GICR_WAKER, 4, 0x4); /* ChildrenAsleep is read-only */
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_WAKER, 4), 0);
}
END_TEST

START_TEST(test_every_interrupt_reads_group1_and_igrpmodr_is_zero)
{
	ck_assert_uint_eq(drd(SPEC_GICD_IGROUPR, 4), 0); /* INTIDs 0-31: RAZ with ARE */
	for (unsigned n = 1; n < 4; n++) {
		dwr(SPEC_GICD_IGROUPR + 4 * n, 4, 0);
		ck_assert_uint_eq(drd(SPEC_GICD_IGROUPR + 4 * n, 4), 0xFFFFFFFF);
	}
	ck_assert_uint_eq(drd(SPEC_GICD_IGROUPR + 16, 4), 0); /* no INTIDs 128-159 */
	rwr(1, true, SPEC_GICR_IGROUPR0, 4, 0);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_IGROUPR0, 4), 0xFFFFFFFF);
	dwr(SPEC_GICD_IGRPMODR + 4, 4, 0xFFFFFFFF);
	rwr(1, true, SPEC_GICR_IGRPMODR0, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(drd(SPEC_GICD_IGRPMODR + 4, 4), 0);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_IGRPMODR0, 4), 0);
}
END_TEST

/* ---- enable, pending, active --------------------------------------------------------- */

START_TEST(test_spi_enable_is_set_and_cleared_by_bit)
{
	dwr(SPEC_GICD_ISENABLER + 4, 4, 0x80000001); /* INTIDs 32 and 63 */
	ck_assert_uint_eq(drd(SPEC_GICD_ISENABLER + 4, 4), 0x80000001);
	ck_assert_uint_eq(drd(SPEC_GICD_ICENABLER + 4, 4), 0x80000001);
	ck_assert(flags(0, 32) & VGIC_ENABLED);
	ck_assert(flags(0, 63) & VGIC_ENABLED);
	dwr(SPEC_GICD_ISENABLER + 12, 4, 1u << 31); /* INTID 127, the last */
	ck_assert(flags(0, 127) & VGIC_ENABLED);
	dwr(SPEC_GICD_ICENABLER + 4, 4, 0x1);
	ck_assert_uint_eq(drd(SPEC_GICD_ISENABLER + 4, 4), 0x80000000);
	ck_assert(!(flags(0, 32) & VGIC_ENABLED));
	dwr(SPEC_GICD_ISENABLER + 4, 4, 0); /* zeros change nothing */
	dwr(SPEC_GICD_ICENABLER + 4, 4, 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ISENABLER + 4, 4), 0x80000000);
}
END_TEST

START_TEST(test_private_enables_belong_to_their_redistributor)
{
	rwr(1, true, SPEC_GICR_ISENABLER0, 4, 0xFFFF0000); /* the PPIs of vCPU 1 */
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ISENABLER0, 4), 0xFFFF0000);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ICENABLER0, 4), 0xFFFF0000);
	ck_assert_uint_eq(rrd(0, true, SPEC_GICR_ISENABLER0, 4), 0);
	ck_assert_uint_eq(rrd(2, true, SPEC_GICR_ISENABLER0, 4), 0);
	ck_assert(flags(1, VGIC_PPI_VTIMER) & VGIC_ENABLED);
	ck_assert(!(flags(0, VGIC_PPI_VTIMER) & VGIC_ENABLED));
	rwr(1, true, SPEC_GICR_ICENABLER0, 4, 1u << VGIC_PPI_VTIMER);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ISENABLER0, 4), 0xF7FF0000);
}
END_TEST

START_TEST(test_distributor_words_of_private_interrupts_are_raz_wi)
{
	static const unsigned regs[] = { SPEC_GICD_ISENABLER, SPEC_GICD_ICENABLER, SPEC_GICD_ISPENDR,
					 SPEC_GICD_ICPENDR, SPEC_GICD_ISACTIVER, SPEC_GICD_ICACTIVER };

	rwr(0, true, SPEC_GICR_ISENABLER0, 4, 0x00010001);
	for (unsigned i = 0; i < 6; i++) {
		dwr(regs[i], 4, 0xFFFFFFFF);
		ck_assert_uint_eq(drd(regs[i], 4), 0);
	}
	for (unsigned n = 0; n < 8; n++) {
		dwr(SPEC_GICD_IPRIORITYR + 4 * n, 4, 0xFFFFFFFF);
		ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 4 * n, 4), 0);
	}
	dwr(SPEC_GICD_ICFGR, 4, 0);
	dwr(SPEC_GICD_ICFGR + 4, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(drd(SPEC_GICD_ICFGR, 4), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ICFGR + 4, 4), 0);
	dwr(SPEC_GICD_SGIR, 4, 0x00FF0001);
	ck_assert_uint_eq(drd(SPEC_GICD_SGIR, 4), 0);
	for (unsigned c = 0; c < 3; c++)
		for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++) {
			uint8_t want = (c == 0 && (i == 0 || i == 16)) ? VGIC_ENABLED : 0;
			want |= i < VGIC_NR_SGIS ? VGIC_EDGE : 0;
			ck_assert_uint_eq(flags(c, i), want);
			ck_assert_uint_eq(vgic_irq_state(&g, c, i)->priority, 0);
		}
	ck_assert_uint_eq(rrd(0, true, SPEC_GICR_ISENABLER0, 4), 0x00010001);
}
END_TEST

START_TEST(test_ispendr_latches_and_icpendr_clears)
{
	dwr(SPEC_GICD_ISPENDR + 8, 4, 0x10); /* INTID 68 */
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 8, 4), 0x10);
	ck_assert_uint_eq(drd(SPEC_GICD_ICPENDR + 8, 4), 0x10);
	ck_assert(flags(0, 68) & VGIC_PENDING);
	dwr(SPEC_GICD_ICPENDR + 8, 4, 0x10);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 8, 4), 0);
	ck_assert(!(flags(0, 68) & VGIC_PENDING));

	rwr(2, true, SPEC_GICR_ISPENDR0, 4, 0x00000009); /* SGIs 0 and 3 of vCPU 2 */
	ck_assert_uint_eq(rrd(2, true, SPEC_GICR_ISPENDR0, 4), 0x9);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ISPENDR0, 4), 0);
	rwr(2, true, SPEC_GICR_ICPENDR0, 4, 0x1);
	ck_assert_uint_eq(rrd(2, true, SPEC_GICR_ICPENDR0, 4), 0x8);
}
END_TEST

START_TEST(test_icpendr_leaves_a_high_level_pending)
{
	ck_assert_int_eq(vgic_set_level(&g, 0, 40, true, NULL), 0); /* SPIs reset level */
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 1u << 8);
	dwr(SPEC_GICD_ICPENDR + 4, 4, 1u << 8);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 1u << 8); /* the line is still high */
	ck_assert_int_eq(vgic_set_level(&g, 0, 40, false, NULL), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 0);
	/* A latch set through ISPENDR outlives the line until ICPENDR. */
	dwr(SPEC_GICD_ISPENDR + 4, 4, 1u << 8);
	ck_assert_int_eq(vgic_set_level(&g, 0, 40, true, NULL), 0);
	ck_assert_int_eq(vgic_set_level(&g, 0, 40, false, NULL), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 1u << 8);
	dwr(SPEC_GICD_ICPENDR + 4, 4, 1u << 8);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 0);
}
END_TEST

START_TEST(test_active_is_set_and_cleared_by_bit)
{
	dwr(SPEC_GICD_ISACTIVER + 12, 4, 0xC0000000); /* INTIDs 126, 127 */
	ck_assert_uint_eq(drd(SPEC_GICD_ISACTIVER + 12, 4), 0xC0000000);
	ck_assert_uint_eq(drd(SPEC_GICD_ICACTIVER + 12, 4), 0xC0000000);
	ck_assert(flags(0, 127) & VGIC_ACTIVE);
	dwr(SPEC_GICD_ICACTIVER + 12, 4, 0x80000000);
	ck_assert_uint_eq(drd(SPEC_GICD_ISACTIVER + 12, 4), 0x40000000);
	ck_assert(!(flags(0, 127) & VGIC_ACTIVE));

	rwr(1, true, SPEC_GICR_ISACTIVER0, 4, 1u << VGIC_PPI_VTIMER);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ISACTIVER0, 4), 1u << VGIC_PPI_VTIMER);
	ck_assert_uint_eq(rrd(0, true, SPEC_GICR_ISACTIVER0, 4), 0);
	rwr(1, true, SPEC_GICR_ICACTIVER0, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ICACTIVER0, 4), 0);
}
END_TEST

/* ---- kicks --------------------------------------------------------------------------- */

START_TEST(test_ispendr_of_an_enabled_interrupt_kicks_its_target)
{
	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_IROUTER + 8 * 33, 8, 0x2); /* Aff0 2: vCPU 2 */
	dwr(SPEC_GICD_ISENABLER + 4, 4, 0x2);
	ck_assert_uint_eq(dwr(SPEC_GICD_ISPENDR + 4, 4, 0x2), 1u << 2);
	ck_assert(vgic_has_pending(&g, 2));
	ck_assert(!vgic_has_pending(&g, 0));

	/* Private: the redistributor's own vCPU. */
	rwr(1, true, SPEC_GICR_ISENABLER0, 4, 1u << 5);
	ck_assert_uint_eq(rwr(1, true, SPEC_GICR_ISPENDR0, 4, 1u << 5), 1u << 1);
}
END_TEST

START_TEST(test_ispendr_does_not_kick_while_disabled)
{
	dwr(SPEC_GICD_ISENABLER + 4, 4, 0x2);
	ck_assert_uint_eq(dwr(SPEC_GICD_ISPENDR + 4, 4, 0x2), 0); /* group 1 disabled */
	dwr(SPEC_GICD_ICPENDR + 4, 4, 0x2);
	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_ICENABLER + 4, 4, 0x2);
	ck_assert_uint_eq(dwr(SPEC_GICD_ISPENDR + 4, 4, 0x2), 0); /* the interrupt disabled */
}
END_TEST

START_TEST(test_isenabler_of_a_pending_interrupt_kicks_its_target)
{
	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_IROUTER + 8 * 100, 8, 0x1);
	ck_assert_uint_eq(dwr(SPEC_GICD_ISPENDR + 12, 4, 1u << 4), 0);
	ck_assert_uint_eq(dwr(SPEC_GICD_ISENABLER + 12, 4, 1u << 4), 1u << 1);
	ck_assert_uint_eq(rwr(2, true, SPEC_GICR_ISPENDR0, 4, 1u << 20), 0);
	ck_assert_uint_eq(rwr(2, true, SPEC_GICR_ISENABLER0, 4, 1u << 20), 1u << 2);
	ck_assert_uint_eq(rwr(2, true, SPEC_GICR_ISENABLER0, 4, 1u << 21), 0); /* not pending */
}
END_TEST

START_TEST(test_enabling_group1_kicks_every_vcpu_with_a_deliverable_interrupt)
{
	rwr(1, true, SPEC_GICR_ISENABLER0, 4, 1u << 3);
	rwr(1, true, SPEC_GICR_ISPENDR0, 4, 1u << 3);
	dwr(SPEC_GICD_IROUTER + 8 * 50, 8, 0x2);
	dwr(SPEC_GICD_ISENABLER + 4, 4, 1u << 18);
	dwr(SPEC_GICD_ISPENDR + 4, 4, 1u << 18);
	dwr(SPEC_GICD_ISPENDR + 4, 4, 1u << 19); /* pending but disabled: no kick for vCPU 0 */
	ck_assert_uint_eq(dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1), 0x6);
	ck_assert_uint_eq(dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1), 0); /* no change, no kick */
	ck_assert_uint_eq(dwr(SPEC_GICD_CTLR, 4, 0), 0);
	ck_assert_uint_eq(dwr(SPEC_GICD_CTLR, 4, 0x1), 0); /* Group 0 holds nothing */
}
END_TEST

/* ---- priority and configuration ------------------------------------------------------ */

START_TEST(test_priority_takes_bytes_and_words)
{
	dwr(SPEC_GICD_IPRIORITYR + 33, 1, 0xA0);
	ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 32, 4), 0x0000A000);
	ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 33, 1), 0xA0);
	ck_assert_uint_eq(vgic_irq_state(&g, 0, 33)->priority, 0xA0);
	dwr(SPEC_GICD_IPRIORITYR + 124, 4, 0x11223344);
	ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 124, 4), 0x10203040); /* five bits */
	ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 127, 1), 0x10);
	ck_assert_uint_eq(vgic_irq_state(&g, 0, 124)->priority, 0x40);
	dwr(SPEC_GICD_IPRIORITYR + 40, 1, 0xFF);
	ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 40, 1), 0xF8);
	ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 128, 4), 0); /* no INTID 128 */

	rwr(2, true, SPEC_GICR_IPRIORITYR + VGIC_PPI_VTIMER, 1, 0x80);
	ck_assert_uint_eq(rrd(2, true, SPEC_GICR_IPRIORITYR + 24, 4), 0x80000000);
	ck_assert_uint_eq(vgic_irq_state(&g, 2, VGIC_PPI_VTIMER)->priority, 0x80);
	ck_assert_uint_eq(vgic_irq_state(&g, 1, VGIC_PPI_VTIMER)->priority, 0);
	rwr(1, true, SPEC_GICR_IPRIORITYR, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_IPRIORITYR, 4), 0xF8F8F8F8);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_IPRIORITYR + 3, 1), 0xF8);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_IPRIORITYR + 0x20, 1), 0); /* past INTID 31 */
}
END_TEST

START_TEST(test_icfgr_sets_spis_edge_by_the_odd_bits)
{
	dwr(SPEC_GICD_ICFGR + 8, 4, 0xFFFFFFFF); /* INTIDs 32-47 */
	ck_assert_uint_eq(drd(SPEC_GICD_ICFGR + 8, 4), 0xAAAAAAAA);
	ck_assert(flags(0, 32) & VGIC_EDGE);
	ck_assert(flags(0, 47) & VGIC_EDGE);
	ck_assert(!(flags(0, 48) & VGIC_EDGE));
	dwr(SPEC_GICD_ICFGR + 8, 4, 0x55555555); /* the even bits are RES0 */
	ck_assert_uint_eq(drd(SPEC_GICD_ICFGR + 8, 4), 0);
	dwr(SPEC_GICD_ICFGR + 28, 4, 0x80000000); /* INTID 127 */
	ck_assert_uint_eq(drd(SPEC_GICD_ICFGR + 28, 4), 0x80000000);
	ck_assert(flags(0, 127) & VGIC_EDGE);
	ck_assert_uint_eq(drd(SPEC_GICD_ICFGR + 32, 4), 0); /* no INTID 128 */
}
END_TEST

START_TEST(test_gicr_icfgr0_is_edge_read_only_and_icfgr1_configures_ppis)
{
	rwr(0, true, SPEC_GICR_ICFGR0, 4, 0);
	ck_assert_uint_eq(rrd(0, true, SPEC_GICR_ICFGR0, 4), 0xAAAAAAAA);
	for (unsigned i = 0; i < VGIC_NR_SGIS; i++)
		ck_assert(flags(0, i) & VGIC_EDGE);
	ck_assert_uint_eq(rrd(0, true, SPEC_GICR_ICFGR1, 4), 0);
	rwr(0, true, SPEC_GICR_ICFGR1, 4, 2u << (2 * (VGIC_PPI_VTIMER - 16)));
	ck_assert_uint_eq(rrd(0, true, SPEC_GICR_ICFGR1, 4), 0x00800000);
	ck_assert(flags(0, VGIC_PPI_VTIMER) & VGIC_EDGE);
	ck_assert(!(flags(1, VGIC_PPI_VTIMER) & VGIC_EDGE));
}
END_TEST

START_TEST(test_icfgr_to_level_with_the_line_high_kicks)
{
	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_ICFGR + 8, 4, 0x2); /* INTID 32 edge */
	dwr(SPEC_GICD_ISENABLER + 4, 4, 0x1);
	ck_assert_int_eq(vgic_set_level(&g, 0, 32, true, NULL), 0);
	dwr(SPEC_GICD_ICPENDR + 4, 4, 0x1); /* the edge is consumed; the line stays high */
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 0);
	ck_assert_uint_eq(dwr(SPEC_GICD_ICFGR + 8, 4, 0), 1u << 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 1);
}
END_TEST

/* ---- routing ------------------------------------------------------------------------- */

START_TEST(test_irouter_keeps_affinity_and_irm_in_64_and_32_bit_accesses)
{
	uint64_t r = SPEC_GICD_IROUTER + 8 * 32;

	ck_assert_uint_eq(drd(r, 8), 0); /* reset: vCPU 0 */
	dwr(r, 8, 0xFFFFFFFFFFFFFFFFull);
	ck_assert_uint_eq(drd(r, 8), 0x80FFFFFFull); /* Aff3 RES0 with A3V = 0 */
	ck_assert_uint_eq(drd(r, 4), 0x80FFFFFF);
	ck_assert_uint_eq(drd(r + 4, 4), 0);
	dwr(r, 4, 0x00000102);
	ck_assert_uint_eq(drd(r, 8), 0x102);
	dwr(r + 4, 4, 0xFF);
	ck_assert_uint_eq(drd(r, 8), 0x102);
	ck_assert_uint_eq(g.irouter[0], 0x102);
	dwr(SPEC_GICD_IROUTER + 8 * 127, 8, 0x2);
	ck_assert_uint_eq(g.irouter[95], 0x2);
	ck_assert_uint_eq(drd(SPEC_GICD_IROUTER + 8 * 127, 8), 0x2);
	dwr(SPEC_GICD_IROUTER + 8 * 31, 8, 0x1); /* no IROUTER for INTIDs 0-31 */
	dwr(SPEC_GICD_IROUTER + 8 * 128, 8, 0x1); /* nor past the last SPI */
	ck_assert_uint_eq(drd(SPEC_GICD_IROUTER + 8 * 31, 8), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_IROUTER + 8 * 128, 8), 0);
}
END_TEST

START_TEST(test_irouter_selects_the_vcpu_with_that_affinity)
{
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		ck_assert_int_eq(vgic_spi_target(&g, i), 0);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0x1);
	ck_assert_int_eq(vgic_spi_target(&g, 8), 1);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0x2);
	ck_assert_int_eq(vgic_spi_target(&g, 8), 2);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0x3); /* there is no vCPU 3 */
	ck_assert_int_eq(vgic_spi_target(&g, 8), -1);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0x101); /* Aff1 1: vCPU 17 */
	ck_assert_int_eq(vgic_spi_target(&g, 8), -1);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0x10001); /* Aff2 1 */
	ck_assert_int_eq(vgic_spi_target(&g, 8), -1);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0x80000002); /* IRM: any, which is vCPU 0 */
	ck_assert_int_eq(vgic_spi_target(&g, 8), 0);
	ck_assert_int_eq(vgic_spi_target(&g, VGIC_NR_SPIS), -1);
	ck_assert_int_eq(vgic_init(&g, 16), 0);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0xF);
	ck_assert_int_eq(vgic_spi_target(&g, 8), 15);
}
END_TEST

START_TEST(test_rerouting_a_deliverable_spi_kicks_the_new_target)
{
	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_ISENABLER + 8, 4, 0x1); /* INTID 64 */
	ck_assert_uint_eq(dwr(SPEC_GICD_ISPENDR + 8, 4, 0x1), 1u << 0);
	ck_assert_uint_eq(dwr(SPEC_GICD_IROUTER + 8 * 64, 8, 0x2), 1u << 2);
	ck_assert(vgic_has_pending(&g, 2));
	ck_assert(!vgic_has_pending(&g, 0));
	ck_assert_uint_eq(dwr(SPEC_GICD_IROUTER + 8 * 64, 4, 0x1), 1u << 1); /* the low half */
	/* To nowhere: nobody is kicked and nobody may take it until it is rerouted. */
	ck_assert_uint_eq(dwr(SPEC_GICD_IROUTER + 8 * 64, 8, 0x7), 0);
	for (unsigned c = 0; c < 3; c++) {
		ck_assert(!vgic_has_pending(&g, c));
		vgic_flush(&g, c, &ctx[c], NULL);
		for (unsigned lr = 0; lr < VGIC_NR_LRS; lr++)
			ck_assert_uint_eq(ctx[c].ich_lr[lr], 0);
		vgic_sync(&g, c, &ctx[c], NULL);
	}
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 8, 4), 0x1); /* still pending */
	ck_assert_uint_eq(dwr(SPEC_GICD_IROUTER + 8 * 64, 8, 0x0), 1u << 0);
}
END_TEST

/* ---- through the list registers ------------------------------------------------------ */

static unsigned lr_holding(const struct guest_ctx *c, unsigned intid)
{
	for (unsigned lr = 0; lr < VGIC_NR_LRS; lr++)
		if ((c->ich_lr[lr] & ICH_LR_STATE_MASK) && (c->ich_lr[lr] & 0xFFFF) == intid)
			return lr;
	ck_abort_msg("INTID %u is in no LR", intid);
	return 0;
}

/* The guest takes the interrupt in list register lr: pending becomes active. */
static void guest_ack(struct guest_ctx *c, unsigned lr)
{
	ck_assert_uint_eq(c->ich_lr[lr] & ICH_LR_STATE_MASK, ICH_LR_PENDING);
	c->ich_lr[lr] = (c->ich_lr[lr] & ~ICH_LR_STATE_MASK) | ICH_LR_ACTIVE;
}

START_TEST(test_an_edge_reads_pending_then_active_after_the_guest_takes_it)
{
	uint64_t kick = 0;

	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_ICFGR + 12, 4, 2u << 16); /* INTID 56 edge */
	dwr(SPEC_GICD_ISENABLER + 4, 4, 1u << 24);
	dwr(SPEC_GICD_IPRIORITYR + 56, 1, 0xA0);
	ck_assert_int_eq(vgic_inject(&g, 0, 56, &kick), 0);
	ck_assert_uint_eq(kick, 1u << 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 1u << 24);
	ck_assert_uint_eq(drd(SPEC_GICD_ISACTIVER + 4, 4), 0);

	vgic_flush(&g, 0, &ctx[0], NULL);
	unsigned lr = lr_holding(&ctx[0], 56);
	ck_assert_uint_eq(ctx[0].ich_lr[lr], ICH_LR_PENDING | ICH_LR_GROUP1 | 0xA0ull << 48 | 56);
	guest_ack(&ctx[0], lr);
	vgic_sync(&g, 0, &ctx[0], NULL);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ISACTIVER + 4, 4), 1u << 24);

	/* Deactivated through ICACTIVER instead of an EOI. */
	dwr(SPEC_GICD_ICACTIVER + 4, 4, 1u << 24);
	ck_assert_uint_eq(drd(SPEC_GICD_ISACTIVER + 4, 4), 0);
	vgic_flush(&g, 0, &ctx[0], NULL);
	for (unsigned n = 0; n < VGIC_NR_LRS; n++)
		ck_assert_uint_eq(ctx[0].ich_lr[n], 0);
	vgic_sync(&g, 0, &ctx[0], NULL);
}
END_TEST

/* A flush with nothing changed since the vCPU's last scan skips the scan (the exit
 * fast path); each way an interrupt can become deliverable brings it back, for every
 * vCPU, and what it then finds reaches the LRs. */
START_TEST(test_a_flush_scans_again_only_after_a_change)
{
	uint64_t kick = 0;

	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	for (unsigned c = 0; c < 3; c++) {
		vgic_flush(&g, c, &ctx[c], NULL);
		vgic_sync(&g, c, &ctx[c], NULL);
	}
	ck_assert_uint_eq(g.dirty & 7, 0);
	/* An injected SGI: its target's next flush finds it. */
	rwr(1, true, SPEC_GICR_ISENABLER0, 4, 1u << 3);
	vgic_flush(&g, 1, &ctx[1], NULL);
	ck_assert_uint_eq(g.dirty & 2, 0);
	ck_assert_int_eq(vgic_inject(&g, 1, 3, &kick), 0);
	ck_assert_uint_eq(g.dirty & 2, 2);
	vgic_flush(&g, 1, &ctx[1], NULL);
	ck_assert_uint_eq(ctx[1].ich_lr[lr_holding(&ctx[1], 3)] & ICH_LR_STATE_MASK,
			  ICH_LR_PENDING);
	/* The guest completes it without an exit; the sync that finds the LR empty
	 * marks the change, the flush after scans and leaves the LRs empty. */
	ctx[1].ich_lr[lr_holding(&ctx[1], 3)] &= ~ICH_LR_STATE_MASK;
	vgic_sync(&g, 1, &ctx[1], NULL);
	ck_assert_uint_eq(g.dirty & 2, 2);
	vgic_flush(&g, 1, &ctx[1], NULL);
	ck_assert_uint_eq(g.dirty & 2, 0);
	for (unsigned n = 0; n < VGIC_NR_LRS; n++)
		ck_assert_uint_eq(ctx[1].ich_lr[n], 0);
	/* A line rising with nobody to kick (the virtual timer's, from an exit). */
	rwr(2, true, SPEC_GICR_ISENABLER0, 4, 1u << 27);
	vgic_flush(&g, 2, &ctx[2], NULL);
	ck_assert_uint_eq(g.dirty & 4, 0);
	ck_assert_int_eq(vgic_set_level(&g, 2, 27, true, NULL), 0);
	vgic_flush(&g, 2, &ctx[2], NULL);
	ck_assert_uint_eq(ctx[2].ich_lr[lr_holding(&ctx[2], 27)] & ICH_LR_STATE_MASK,
			  ICH_LR_PENDING);
	/* A register write: ISPENDR of an enabled SPI routed to vCPU 0. */
	vgic_flush(&g, 0, &ctx[0], NULL);
	ck_assert_uint_eq(g.dirty & 1, 0);
	dwr(SPEC_GICD_ISENABLER + 4, 4, 1u << 8); /* INTID 40 */
	dwr(SPEC_GICD_ISPENDR + 4, 4, 1u << 8);
	ck_assert_uint_eq(g.dirty & 1, 1);
	vgic_flush(&g, 0, &ctx[0], NULL);
	ck_assert_uint_eq(ctx[0].ich_lr[lr_holding(&ctx[0], 40)] & ICH_LR_STATE_MASK,
			  ICH_LR_PENDING);
}
END_TEST

/* A level-sensitive interrupt without a physical twin (a device's line) goes into its
 * LR with EOI set, so that the guest's completion raises the maintenance interrupt and
 * the line is sampled again at once; an edge (an SGI) and a linked one do not. */
START_TEST(test_a_level_line_asks_for_the_eoi_maintenance_interrupt)
{
	uint64_t kick = 0;

	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_ISENABLER + 4, 4, 1u << 1); /* INTID 33, level (reset) */
	rwr(0, true, SPEC_GICR_ISENABLER0, 4, (1u << 2) | (1u << 27));
	ck_assert_int_eq(vgic_set_level(&g, 0, 33, true, &kick), 0);
	ck_assert_int_eq(vgic_inject(&g, 0, 2, &kick), 0);
	ck_assert_int_eq(vgic_set_level(&g, 0, 27, true, &kick), 0); /* the timer: linked */
	vgic_flush(&g, 0, &ctx[0], NULL);
	ck_assert(ctx[0].ich_lr[lr_holding(&ctx[0], 33)] & ICH_LR_EOI);
	ck_assert(!(ctx[0].ich_lr[lr_holding(&ctx[0], 2)] & ICH_LR_EOI));
	uint64_t timer = ctx[0].ich_lr[lr_holding(&ctx[0], 27)];
	ck_assert(timer & ICH_LR_HW);
	ck_assert(!(timer & ICH_LR_EOI));
	/* The guest takes and completes 33 with its line still high: the sync that the
	 * maintenance exit brings finds it pending again, and the next flush hands it
	 * over again. */
	unsigned lr = lr_holding(&ctx[0], 33);
	guest_ack(&ctx[0], lr);
	ctx[0].ich_lr[lr] &= ~ICH_LR_STATE_MASK;
	vgic_sync(&g, 0, &ctx[0], NULL);
	vgic_flush(&g, 0, &ctx[0], NULL);
	ck_assert_uint_eq(ctx[0].ich_lr[lr_holding(&ctx[0], 33)] & ICH_LR_STATE_MASK, ICH_LR_PENDING);
	vgic_sync(&g, 0, &ctx[0], NULL);
}
END_TEST

START_TEST(test_a_level_interrupt_stays_pending_while_active_and_high)
{
	uint64_t kick = 0;

	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_IROUTER + 8 * 35, 8, 0x1);
	dwr(SPEC_GICD_ISENABLER + 4, 4, 1u << 3);
	ck_assert_int_eq(vgic_set_level(&g, 0, 35, true, &kick), 0);
	ck_assert_uint_eq(kick, 1u << 1);
	vgic_flush(&g, 1, &ctx[1], NULL);
	guest_ack(&ctx[1], lr_holding(&ctx[1], 35));
	vgic_sync(&g, 1, &ctx[1], NULL);
	ck_assert_uint_eq(drd(SPEC_GICD_ISACTIVER + 4, 4), 1u << 3);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 1u << 3);
	ck_assert_int_eq(vgic_set_level(&g, 0, 35, false, NULL), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ISPENDR + 4, 4), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_ISACTIVER + 4, 4), 1u << 3);
}
END_TEST

START_TEST(test_an_sgi_reads_pending_in_the_targets_redistributor)
{
	uint64_t kick = 0;

	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	rwr(1, true, SPEC_GICR_ISENABLER0, 4, 1u << 3);
	/* ICC_SGI1R_EL1: INTID 3 [27:24], TargetList bit 1 (vCPU 1) */
	ck_assert_int_eq(vgic_send_sgi(&g, 0, 3ull << 24 | 0x2, &kick), 0);
	ck_assert_uint_eq(kick, 1u << 1);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ISPENDR0, 4), 1u << 3);
	ck_assert_uint_eq(rrd(0, true, SPEC_GICR_ISPENDR0, 4), 0);
	ck_assert_uint_eq(rrd(2, true, SPEC_GICR_ISPENDR0, 4), 0);
	vgic_flush(&g, 1, &ctx[1], NULL);
	unsigned lr = lr_holding(&ctx[1], 3);
	ctx[1].ich_lr[lr] &= ~ICH_LR_STATE_MASK; /* taken and completed (EOI) */
	vgic_sync(&g, 1, &ctx[1], NULL);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ISPENDR0, 4), 0);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ISACTIVER0, 4), 0);
}
END_TEST

/* Found by the vgic_mmio fuzz target: a forwarded (hardware-linked) PPI that the
 * guest took, made pending again through GICR_ISPENDR0, went back into an LR pending
 * and active with HW set, which the architecture does not allow (the physical GIC
 * holds a linked interrupt's pending state). It must go unlinked, its physical twin
 * deactivated, whatever the PPI (only the timer's was handled). */
START_TEST(test_a_linked_ppi_pending_again_while_active_goes_unlinked)
{
	uint64_t kick = 0;

	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	rwr(0, true, SPEC_GICR_ISENABLER0, 4, 1u << 31);
	ck_assert_int_eq(vgic_forward(&g, 0, 31, &kick), 0);
	vgic_flush(&g, 0, &ctx[0], NULL);
	unsigned lr = lr_holding(&ctx[0], 31);
	ck_assert_uint_eq(ctx[0].ich_lr[lr] & ICH_LR_HW, ICH_LR_HW);
	guest_ack(&ctx[0], lr);
	vgic_sync(&g, 0, &ctx[0], NULL);
	rwr(0, true, SPEC_GICR_ISPENDR0, 4, 1u << 31);
	uint64_t deactivated = hal_sim_irq_deactivations();
	vgic_flush(&g, 0, &ctx[0], NULL);
	lr = lr_holding(&ctx[0], 31);
	ck_assert_uint_eq(ctx[0].ich_lr[lr] & ICH_LR_STATE_MASK, ICH_LR_PENDING | ICH_LR_ACTIVE);
	ck_assert_uint_eq(ctx[0].ich_lr[lr] & ICH_LR_HW, 0);
	ck_assert(!(flags(0, 31) & VGIC_HW));
	ck_assert_uint_eq(hal_sim_irq_deactivations(), deactivated + 1);
	vgic_sync(&g, 0, &ctx[0], NULL);
}
END_TEST

/* The one wake rule: while vCPU 0's LR holds the SPI, a change reaches vCPU 0 (it
 * merges the new state at its exit); its sync passes the SPI on to the vCPU it is
 * routed to now, waking it. Kicking the new target at once would only make it spin:
 * it cannot take the SPI until the holder lets go, so vgic_has_pending says no. */
START_TEST(test_ispendr_of_an_interrupt_in_an_lr_kicks_the_holder_whose_sync_wakes_the_target)
{
	uint64_t kick = 0;

	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_ICFGR + 8, 4, 2u << 16); /* INTID 40 edge */
	dwr(SPEC_GICD_ISENABLER + 4, 4, 1u << 8);
	dwr(SPEC_GICD_ISPENDR + 4, 4, 1u << 8);
	vgic_flush(&g, 0, &ctx[0], NULL);
	ck_assert(flags(0, 40) & VGIC_IN_LR);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0x1); /* vCPU 1 from now on; vCPU 0 still holds it */
	ck_assert_uint_eq(dwr(SPEC_GICD_ISPENDR + 4, 4, 1u << 8), 1u << 0);
	ck_assert(!vgic_has_pending(&g, 1));
	vgic_sync(&g, 0, &ctx[0], &kick);
	ck_assert_uint_eq(kick, 1u << 1);
	ck_assert(!(flags(0, 40) & VGIC_IN_LR));
	ck_assert(vgic_has_pending(&g, 1));
}
END_TEST

/* The bug the one rule fixed: an SPI in vCPU 0's LR, rerouted to vCPU 1 and raised
 * again, woke only vCPU 0, whose sync then left it pending for vCPU 1 and woke nobody.
 * Also for a level-sensitive SPI, and when the guest took it (active) meanwhile. */
START_TEST(test_an_spi_rerouted_while_in_an_lr_and_raised_again_wakes_the_new_target)
{
	for (unsigned level = 0; level < 2; level++) {
		for (unsigned taken = 0; taken < 2; taken++) {
			uint64_t kick = 0;
			setup();
			dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
			dwr(SPEC_GICD_ISENABLER + 4, 4, 1u << 8); /* INTID 40, level-sensitive */
			ck_assert_int_eq(vgic_inject(&g, 0, 40, &kick), 0);
			ck_assert_uint_eq(kick, 1u << 0);
			vgic_flush(&g, 0, &ctx[0], NULL);
			unsigned lr = lr_holding(&ctx[0], 40);
			if (taken)
				guest_ack(&ctx[0], lr);
			kick = 0;
			ck_assert_uint_eq(dwr(SPEC_GICD_IROUTER + 8 * 40, 8, 0x2), 0); /* to vCPU 2 */
			if (level)
				ck_assert_int_eq(vgic_set_level(&g, 0, 40, true, &kick), 0);
			else
				ck_assert_int_eq(vgic_inject(&g, 0, 40, &kick), 0);
			ck_assert_uint_eq(kick, 1u << 0); /* the holder */
			kick = 0;
			vgic_sync(&g, 0, &ctx[0], &kick);
			ck_assert_uint_eq(kick, 1u << 2);
			ck_assert(vgic_has_pending(&g, 2));
			ck_assert(!vgic_has_pending(&g, 0));
			vgic_flush(&g, 2, &ctx[2], NULL);
			lr_holding(&ctx[2], 40);
			vgic_sync(&g, 2, &ctx[2], NULL);
		}
	}
}
END_TEST

/* ---- widths, holes and the window edges ---------------------------------------------- */

START_TEST(test_wrong_widths_read_zero_and_are_ignored)
{
	dwr(SPEC_GICD_CTLR, 2, ENABLE_GRP1);
	dwr(SPEC_GICD_CTLR, 8, ENABLE_GRP1);
	dwr(SPEC_GICD_CTLR, 1, ENABLE_GRP1);
	ck_assert_uint_eq(g.ctlr & ENABLE_GRP1, 0);
	ck_assert_uint_eq(drd(SPEC_GICD_TYPER, 2), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_TYPER, 8), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_TYPER, 1), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_TYPER + 1, 4), 0); /* unaligned */
	dwr(SPEC_GICD_ISENABLER + 4, 8, 0xFFFFFFFFFFFFFFFFull);
	dwr(SPEC_GICD_ISENABLER + 4, 1, 0xFF);
	dwr(SPEC_GICD_ISENABLER + 5, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(drd(SPEC_GICD_ISENABLER + 4, 4), 0);
	dwr(SPEC_GICD_IPRIORITYR + 32, 2, 0xFFFF);
	dwr(SPEC_GICD_IPRIORITYR + 32, 8, 0xFFFFFFFFFFFFFFFFull);
	dwr(SPEC_GICD_IPRIORITYR + 33, 4, 0xFFFFFFFF);
	ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 32, 4), 0);
	dwr(SPEC_GICD_IROUTER + 8 * 40, 2, 0x2);
	dwr(SPEC_GICD_IROUTER + 8 * 40 + 4, 8, 0x2);
	ck_assert_uint_eq(drd(SPEC_GICD_IROUTER + 8 * 40, 8), 0);
	ck_assert_uint_eq(drd(SPEC_GICD_IROUTER + 8 * 40 + 4, 8), 0);
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_TYPER, 2), 0);
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_TYPER + 4, 8), 0);
	rwr(1, false, SPEC_GICR_WAKER, 8, 0);
	rwr(1, false, SPEC_GICR_WAKER, 1, 0);
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_WAKER, 4), 0x6);
	ck_assert_uint_eq(rrd(1, false, SPEC_GICR_WAKER, 8), 0);
	rwr(1, true, SPEC_GICR_ISENABLER0, 2, 0xFFFF);
	ck_assert_uint_eq(rrd(1, true, SPEC_GICR_ISENABLER0, 4), 0);
	for (unsigned w = 0; w < 20; w++)
		if (w != 1 && w != 4 && w != 8)
			ck_assert_uint_eq(drd(SPEC_GICD_IPRIORITYR + 32, w), 0);
}
END_TEST

START_TEST(test_offsets_outside_the_windows_are_errors)
{
	uint64_t v = 0x1234, kick = 0;
	static const uint64_t dist_bad[] = { VGIC_DIST_SIZE, VGIC_DIST_SIZE + 4, 1ull << 32,
					     ~0ull, ~0ull - 3 };
	static const uint64_t redist_bad[] = { 3 * VGIC_REDIST_STRIDE,
					       3 * VGIC_REDIST_STRIDE + SPEC_GICR_TYPER, ~0ull,
					       16 * VGIC_REDIST_STRIDE };

	for (unsigned i = 0; i < 5; i++) {
		ck_assert_int_eq(vgic_dist_read(&g, dist_bad[i], 4, &v), -EINVAL);
		ck_assert_int_eq(vgic_dist_write(&g, dist_bad[i], 4, 1, &kick), -EINVAL);
	}
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_int_eq(vgic_redist_read(&g, redist_bad[i], 4, &v), -EINVAL);
		ck_assert_int_eq(vgic_redist_write(&g, redist_bad[i], 4, 1, &kick), -EINVAL);
	}
	ck_assert_uint_eq(kick, 0);
	ck_assert_int_eq(vgic_dist_read(&g, VGIC_DIST_SIZE - 1, 1, &v), 0);
	ck_assert_int_eq(vgic_redist_read(&g, 3 * VGIC_REDIST_STRIDE - 1, 1, &v), 0);
}
END_TEST

/* What, from the spec, an access of this width at this offset may change (write) or
 * read as non-zero, in the distributor window. */
static bool dist_register(uint64_t off, unsigned width, bool write)
{
	uint64_t cls = off & ~0x7Full, n = (off & 0x7F) / 4;

	if (width == 1)
		return off >= SPEC_GICD_IPRIORITYR + 32 && off < SPEC_GICD_IPRIORITYR + 128;
	if (width == 8)
		return off % 8 == 0 && off >= SPEC_GICD_IROUTER + 8 * 32 && off < SPEC_GICD_IROUTER + 8 * 128;
	if (width != 4 || off % 4)
		return false;
	if (off == SPEC_GICD_CTLR)
		return true;
	if (!write && (off == SPEC_GICD_TYPER || off == SPEC_GICD_IIDR || off == SPEC_GICD_PIDR2))
		return true;
	if (cls >= (write ? SPEC_GICD_ISENABLER : SPEC_GICD_IGROUPR) && cls <= SPEC_GICD_ICACTIVER)
		return n >= 1 && n <= 3;
	if (off >= SPEC_GICD_IPRIORITYR + 32 && off < SPEC_GICD_IPRIORITYR + 128)
		return true;
	if (off >= SPEC_GICD_ICFGR + 8 && off < SPEC_GICD_ICFGR + 32)
		return true;
	return off >= SPEC_GICD_IROUTER + 8 * 32 && off < SPEC_GICD_IROUTER + 8 * 128 && off % 8 == 0;
}

/* The same for an offset inside one redistributor's two frames. */
static bool redist_register(uint64_t off, unsigned width, bool write)
{
	bool sgi = off >= VGIC_SGI_FRAME;
	uint64_t r = off % VGIC_SGI_FRAME;

	if (width == 1)
		return sgi && r >= SPEC_GICR_IPRIORITYR && r < SPEC_GICR_IPRIORITYR + 32;
	if (width == 8)
		return !write && !sgi && r == SPEC_GICR_TYPER;
	if (width != 4 || r % 4)
		return false;
	if (!sgi)
		return r == SPEC_GICR_WAKER ||
		       (!write && (r == SPEC_GICR_IIDR || r == SPEC_GICR_TYPER || r == SPEC_GICR_TYPER + 4 ||
				   r == SPEC_GICR_PIDR2));
	if (r >= SPEC_GICR_IGROUPR0 && r <= SPEC_GICR_ICACTIVER0 && r % 0x80 == 0)
		return !write || r != SPEC_GICR_IGROUPR0;
	if (r >= SPEC_GICR_IPRIORITYR && r < SPEC_GICR_IPRIORITYR + 32)
		return true;
	return r == SPEC_GICR_ICFGR1 || (!write && r == SPEC_GICR_ICFGR0);
}

/* A busy state: every kind of flag somewhere, priorities, routes, a woken vCPU. */
static void make_busy(void)
{
	dwr(SPEC_GICD_CTLR, 4, ENABLE_GRP1);
	dwr(SPEC_GICD_ICFGR + 8, 4, 0xAAAA0000);
	dwr(SPEC_GICD_ISENABLER + 4, 4, 0xF0F0F0F0);
	dwr(SPEC_GICD_ISPENDR + 4, 4, 0xFF00FF00);
	dwr(SPEC_GICD_ISACTIVER + 8, 4, 0x0000FFFF);
	dwr(SPEC_GICD_IPRIORITYR + 40, 4, 0xA0B0C0D0);
	dwr(SPEC_GICD_IROUTER + 8 * 41, 8, 0x1);
	dwr(SPEC_GICD_IROUTER + 8 * 42, 8, 0x80000000);
	ck_assert_int_eq(vgic_set_level(&g, 0, 90, true, NULL), 0);
	for (unsigned c = 0; c < 3; c++) {
		rwr(c, true, SPEC_GICR_ISENABLER0, 4, 0x0A0A0A0Au << c);
		rwr(c, true, SPEC_GICR_ISPENDR0, 4, 0x00FF00FFu >> c);
		rwr(c, true, SPEC_GICR_IPRIORITYR + 4 * c, 4, 0x80808080);
		rwr(c, true, SPEC_GICR_ICFGR1, 4, 0x8000000Au);
	}
	rwr(1, false, SPEC_GICR_WAKER, 4, 0);
	ck_assert_int_eq(vgic_set_level(&g, 2, VGIC_PPI_VTIMER, true, NULL), 0);
}

/* The loops below fail through ck_abort_msg only: a ck_assert marks a point in the
 * log on every call, which would cost seconds over millions of accesses. */
#define FAIL_IF(cond, ...)                           \
	do {                                         \
		if (cond)                            \
			ck_abort_msg(__VA_ARGS__);   \
	} while (0)

static const unsigned hole_widths[] = { 1, 2, 4, 8 };

/* A write to a hole: no error, no kick, no change anywhere. */
static void check_hole_write(bool dist, uint64_t off, unsigned width, const struct vgic *before)
{
	uint64_t kick = 0, v = 0xA5A5A5A5A5A5A5A5ull ^ off;
	int err = dist ? vgic_dist_write(&g, off, width, v, &kick)
		       : vgic_redist_write(&g, off, width, v, &kick);

	FAIL_IF(err || kick, "write of width %u at 0x%llx: %d, kick 0x%llx", width,
		(unsigned long long)off, err, (unsigned long long)kick);
	FAIL_IF(memcmp(&g, before, sizeof(g)) != 0,
		"a write of width %u at 0x%llx changed the state", width, (unsigned long long)off);
}

static void check_hole_read(bool dist, uint64_t off, unsigned width)
{
	uint64_t v = 0xDEAD;
	int err = dist ? vgic_dist_read(&g, off, width, &v) : vgic_redist_read(&g, off, width, &v);

	FAIL_IF(err || v, "read of width %u at 0x%llx: %d, 0x%llx", width, (unsigned long long)off,
		err, (unsigned long long)v);
}

/* Every offset of the distributor's window (dist) or of the redistributors' frames,
 * every taken width: what is no register reads zero and ignores a write. */
static void check_holes(bool dist)
{
	bool (*is_register)(uint64_t, unsigned, bool) = dist ? dist_register : redist_register;
	uint64_t size = dist ? VGIC_DIST_SIZE : vgic_redist_size(&g);
	struct vgic before;

	make_busy();
	before = g;
	for (uint64_t off = 0; off < size; off++)
		for (unsigned w = 0; w < 4; w++) {
			uint64_t in = off % VGIC_REDIST_STRIDE;
			if (!is_register(in, hole_widths[w], false))
				check_hole_read(dist, off, hole_widths[w]);
			if (!is_register(in, hole_widths[w], true))
				check_hole_write(dist, off, hole_widths[w], &before);
		}
}

START_TEST(test_holes_in_the_distributor_read_zero_and_ignore_garbage)
{
	check_holes(true);
}
END_TEST

START_TEST(test_holes_in_the_redistributors_read_zero_and_ignore_garbage)
{
	check_holes(false);
}
END_TEST

/* Everywhere, every width (also the nonsensical ones), any value: no error inside the
 * windows, a read fits its width, kicks name existing vCPUs only. */
START_TEST(test_garbage_everywhere_keeps_the_state_sane)
{
	static const unsigned widths[] = { 0, 1, 2, 3, 4, 5, 8, 16 };
	uint64_t x = 0x9E3779B97F4A7C15ull;

	make_busy();
	for (uint64_t off = 0; off < VGIC_DIST_SIZE + vgic_redist_size(&g); off++)
		for (unsigned w = 0; w < 8; w++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			bool dist = off < VGIC_DIST_SIZE;
			uint64_t o = dist ? off : off - VGIC_DIST_SIZE, v = 0, kick = 0;
			int err = dist ? vgic_dist_read(&g, o, widths[w], &v)
				       : vgic_redist_read(&g, o, widths[w], &v);
			FAIL_IF(err || (widths[w] < 8 && v >> (8 * widths[w])),
				"read of width %u at 0x%llx: %d, 0x%llx", widths[w],
				(unsigned long long)off, err, (unsigned long long)v);
			err = dist ? vgic_dist_write(&g, o, widths[w], x, &kick)
				   : vgic_redist_write(&g, o, widths[w], x, &kick);
			FAIL_IF(err || kick >> 3, "write of width %u at 0x%llx: %d, kick 0x%llx",
				widths[w], (unsigned long long)off, err, (unsigned long long)kick);
		}
	for (unsigned i = 0; i < VGIC_NR_SGIS; i++)
		for (unsigned c = 0; c < 3; c++)
			ck_assert(flags(c, i) & VGIC_EDGE);
	for (unsigned i = 0; i < VGIC_NR_IRQS; i++)
		ck_assert_uint_eq(vgic_irq_state(&g, 0, i)->priority & 0x7, 0);
}
END_TEST

/* The distributor's shadows (what early exits read) are its constant registers, each
 * with the value a 32-bit read of it returns; at most max of them. */
START_TEST(test_gicd_shadows_are_the_constant_registers_as_read)
{
	struct mmio_shadow sh[8];
	unsigned n = vgic_dist_shadows(sh, 8);

	ck_assert_uint_eq(n, 3);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = ~0ull;
		ck_assert_uint_eq(sh[i].widths, 1u << 2);
		ck_assert_int_eq(vgic_dist_read(&g, gpa_bits(sh[i].addr), 4, &v), 0);
		ck_assert_uint_eq(*sh[i].value, v);
		ck_assert_uint_eq(v & MMIO_SHADOW_ASK, 0);
	}
	ck_assert_uint_eq(gpa_bits(sh[1].addr), GICD_IIDR);
	ck_assert_uint_eq(vgic_dist_shadows(sh, 1), 1);
	ck_assert_uint_eq(vgic_dist_shadows(sh, 0), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("vgic");
	TCase *regs = tcase_create("vgic-registers");
	TCase *state = tcase_create("vgic-state");
	TCase *holes = tcase_create("vgic-holes");

	tcase_add_checked_fixture(regs, setup, NULL);
	tcase_add_test(regs, test_the_shared_gicv3_layout_matches_the_specification);
	tcase_add_test(regs, test_gicd_id_registers_read_the_single_security_state_values);
	tcase_add_test(regs, test_gicd_shadows_are_the_constant_registers_as_read);
	tcase_add_test(regs, test_gicd_ctlr_keeps_the_group_enables_with_are_and_ds_fixed);
	tcase_add_test(regs, test_gicr_typer_has_affinity_processor_number_and_last);
	tcase_add_test(regs, test_gicr_typer_of_sixteen_vcpus_names_the_last_one);
	tcase_add_test(regs, test_gicr_id_registers_and_ctlr);
	tcase_add_test(regs, test_gicr_waker_children_asleep_follows_processor_sleep);
	tcase_add_test(regs, test_every_interrupt_reads_group1_and_igrpmodr_is_zero);
	tcase_add_test(regs, test_priority_takes_bytes_and_words);
	tcase_add_test(regs, test_icfgr_sets_spis_edge_by_the_odd_bits);
	tcase_add_test(regs, test_gicr_icfgr0_is_edge_read_only_and_icfgr1_configures_ppis);
	tcase_add_test(regs, test_irouter_keeps_affinity_and_irm_in_64_and_32_bit_accesses);
	tcase_add_test(regs, test_irouter_selects_the_vcpu_with_that_affinity);
	tcase_add_test(regs, test_wrong_widths_read_zero_and_are_ignored);
	tcase_add_test(regs, test_offsets_outside_the_windows_are_errors);
	suite_add_tcase(s, regs);

	tcase_add_checked_fixture(state, setup, NULL);
	tcase_add_test(state, test_spi_enable_is_set_and_cleared_by_bit);
	tcase_add_test(state, test_private_enables_belong_to_their_redistributor);
	tcase_add_test(state, test_distributor_words_of_private_interrupts_are_raz_wi);
	tcase_add_test(state, test_ispendr_latches_and_icpendr_clears);
	tcase_add_test(state, test_icpendr_leaves_a_high_level_pending);
	tcase_add_test(state, test_active_is_set_and_cleared_by_bit);
	tcase_add_test(state, test_ispendr_of_an_enabled_interrupt_kicks_its_target);
	tcase_add_test(state, test_ispendr_does_not_kick_while_disabled);
	tcase_add_test(state, test_isenabler_of_a_pending_interrupt_kicks_its_target);
	tcase_add_test(state, test_enabling_group1_kicks_every_vcpu_with_a_deliverable_interrupt);
	tcase_add_test(state, test_icfgr_to_level_with_the_line_high_kicks);
	tcase_add_test(state, test_rerouting_a_deliverable_spi_kicks_the_new_target);
	tcase_add_test(state, test_an_edge_reads_pending_then_active_after_the_guest_takes_it);
	tcase_add_test(state, test_a_level_interrupt_stays_pending_while_active_and_high);
	tcase_add_test(state, test_a_flush_scans_again_only_after_a_change);
	tcase_add_test(state, test_a_level_line_asks_for_the_eoi_maintenance_interrupt);
	tcase_add_test(state, test_an_sgi_reads_pending_in_the_targets_redistributor);
	tcase_add_test(state, test_ispendr_of_an_interrupt_in_an_lr_kicks_the_holder_whose_sync_wakes_the_target);
	tcase_add_test(state, test_an_spi_rerouted_while_in_an_lr_and_raised_again_wakes_the_new_target);
	tcase_add_test(state, test_a_linked_ppi_pending_again_while_active_goes_unlinked);
	suite_add_tcase(s, state);

	tcase_add_checked_fixture(holes, setup, NULL);
	tcase_add_test(holes, test_holes_in_the_distributor_read_zero_and_ignore_garbage);
	tcase_add_test(holes, test_holes_in_the_redistributors_read_zero_and_ignore_garbage);
	tcase_add_test(holes, test_garbage_everywhere_keeps_the_state_sane);
	suite_add_tcase(s, holes);
	return s;
}
