/* The host GICv3 (ARM IHI 0069): the distributor, each pCPU's redistributor and its
 * CPU interface through the ICC system registers. All interrupts are Group 1 with one
 * priority; EOImode=1 splits priority drop (EOIR) from deactivation (DIR), so that a
 * physical interrupt can later be deactivated by a guest through a hardware-linked
 * list register. IPIs are SGIs. EL2 runs with IRQs masked: interrupts are acknowledged
 * by polling ICC_IAR1_EL1 after WFI or a guest exit (hal/irq.h). */
#include <stddef.h>

#include "arch/aarch64/gicv3.h"
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal-baremetal/common/irq.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/irq.h"

#define PRIORITY 0xA0u
#define PRIORITY_BYTES(p) ((p) * 0x01010101u) /* the same priority in four IPRIORITYR bytes */

static bool forwarded[HAL_IRQ_COUNT];
static uint64_t rd_base[BM_MAX_PCPUS];
static unsigned nspis;

static void gicd_wait(void)
{
	while (mmio_read32(bm_board.gicd_base + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

int bm_gic_init(void)
{
	uint64_t d = bm_board.gicd_base;

	if (!d || !bm_board.gicr_base)
		return -ENODEV;
	nspis = ((mmio_read32(d + GICD_TYPER) & GICD_TYPER_ITLINES_MASK) + 1) * 32;
	if (nspis > HAL_IRQ_COUNT)
		nspis = HAL_IRQ_COUNT;
	mmio_write32(d + GICD_CTLR, 0);
	gicd_wait();
	for (unsigned i = 32; i < nspis; i += 32) {
		mmio_write32(d + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(d + GICD_IGROUPR + i / 8, ~0u);
	}
	for (unsigned i = 32; i < nspis; i += 4)
		mmio_write32(d + GICD_IPRIORITYR + i, PRIORITY_BYTES(PRIORITY));
	for (unsigned i = 32; i < nspis; i++)
		mmio_write64(d + GICD_IROUTER + 8ull * i, gic_irouter_affinity(bm_board.mpidr[0]));
	mmio_write32(d + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1 | GICD_CTLR_ENABLE_GRP0);
	gicd_wait();
	return 0;
}

/* The redistributor whose GICR_TYPER affinity is this pCPU's MPIDR. */
static uint64_t find_rd(uint64_t mpidr)
{
	uint64_t aff = gic_affinity_packed(mpidr);

	for (uint64_t rd = bm_board.gicr_base; rd < bm_board.gicr_base + bm_board.gicr_size;
	     rd += GICR_FRAME_STRIDE) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);
		if ((typer >> GICR_TYPER_AFFINITY_SHIFT) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

void bm_gic_cpu_init(unsigned cpu)
{
	uint64_t rd = find_rd(bm_board.mpidr[cpu]);

	rd_base[cpu] = rd;
	if (rd) {
		mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
		while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
			;
		uint64_t sgi = rd + GICR_SGI_FRAME;
		mmio_write32(sgi + GICR_ICENABLER0, ~0u);
		mmio_write32(sgi + GICR_IGROUPR0, ~0u);
		for (unsigned i = 0; i < GIC_NR_PRIVATE; i += 4)
			mmio_write32(sgi + GICR_IPRIORITYR + i, PRIORITY_BYTES(PRIORITY));
	}
	sysreg_write(S3_4_C12_C9_5, ICC_SRE_SRE | ICC_SRE_ENABLE); /* ICC_SRE_EL2 (EL1 may use SRE) */
	isb();
	sysreg_write(S3_0_C4_C6_0, ICC_PMR_MASK); /* ICC_PMR_EL1: let every priority through */
	sysreg_write(S3_0_C12_C12_3, 0);    /* ICC_BPR1_EL1 */
	sysreg_write(S3_0_C12_C12_4, ICC_CTLR_EOIMODE); /* ICC_CTLR_EL1: EOImode = 1 */
	sysreg_write(S3_0_C12_C12_7, ICC_IGRPEN_ENABLE); /* ICC_IGRPEN1_EL1 */
	isb();
}

static int set_enabled(unsigned irq, bool on)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	if (irq < HAL_IRQ_PRIVATE) {
		uint64_t rd = rd_base[hal_pcpu_id()];
		if (!rd)
			return -ENODEV;
		mmio_write32(rd + GICR_SGI_FRAME + (on ? GICR_ISENABLER0 : GICR_ICENABLER0), 1u << irq);
		return 0;
	}
	if (irq >= nspis)
		return -EINVAL;
	mmio_write32(bm_board.gicd_base + (on ? GICD_ISENABLER : GICD_ICENABLER) + (irq / 32) * 4,
		     1u << (irq % 32));
	return 0;
}

int hal_irq_enable(unsigned irq)
{
	return set_enabled(irq, true);
}

int hal_irq_disable(unsigned irq)
{
	return set_enabled(irq, false);
}

int hal_irq_fetch(unsigned *irq)
{
	if (!irq)
		return -EINVAL;
	uint64_t iar = sysreg_read(S3_0_C12_C12_0) & ICC_IAR_INTID_MASK; /* ICC_IAR1_EL1 */
	if (iar >= GIC_SPURIOUS_FIRST && iar <= GIC_INTID_SPURIOUS)
		return -ENOENT;
	*irq = (unsigned)iar;
	return 0;
}

int hal_irq_dispatch(unsigned irq)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	bool ran = bm_irq_call(irq);
	sysreg_write(S3_0_C12_C12_1, irq); /* ICC_EOIR1_EL1: priority drop */
	if (!__atomic_load_n(&forwarded[irq], __ATOMIC_ACQUIRE))
		sysreg_write(S3_0_C12_C11_1, irq); /* ICC_DIR_EL1: deactivate */
	isb();
	return ran ? 0 : -ENOENT;
}

int hal_irq_forward(unsigned irq, bool on)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	__atomic_store_n(&forwarded[irq], on, __ATOMIC_RELEASE);
	return 0;
}

void hal_irq_activate(unsigned irq)
{
	if (irq < HAL_IRQ_PRIVATE) {
		uint64_t rd = rd_base[hal_pcpu_id()];
		if (rd)
			mmio_write32(rd + GICR_SGI_FRAME + GICR_ISACTIVER0, 1u << irq);
	} else if (irq < nspis) {
		mmio_write32(bm_board.gicd_base + GICD_ISACTIVER + (irq / 32) * 4, 1u << (irq % 32));
	}
	dsb_sy();
}

/* A forwarded interrupt a guest did not complete, deactivated by the host. */
void hal_irq_deactivate(unsigned irq)
{
	sysreg_write(S3_0_C12_C11_1, irq); /* ICC_DIR_EL1 */
	isb();
}

int hal_ipi_send(unsigned cpu, unsigned ipi)
{
	if (cpu >= hal_pcpu_count() || ipi >= HAL_IPI_COUNT)
		return -EINVAL;
	uint64_t m = bm_board.mpidr[cpu];
	uint64_t aff0 = m & 0xFF, aff1 = (m >> 8) & 0xFF, aff2 = (m >> 16) & 0xFF;
	uint64_t aff3 = (m >> 32) & 0xFF;
	/* A target list names Aff0 = RS * 16 + bit. */
	uint64_t sgi = aff3 << ICC_SGI1R_AFF3_SHIFT | aff2 << ICC_SGI1R_AFF2_SHIFT |
		       aff1 << ICC_SGI1R_AFF1_SHIFT | (uint64_t)ipi << ICC_SGI1R_INTID_SHIFT |
		       (aff0 / ICC_SGI1R_TARGETS_PER_LIST) << ICC_SGI1R_RS_SHIFT |
		       1ull << (aff0 % ICC_SGI1R_TARGETS_PER_LIST);
	dsb_sy();
	sysreg_write(S3_0_C12_C11_5, sgi); /* ICC_SGI1R_EL1 */
	isb();
	return 0;
}
