/* The host GICv3 (ARM IHI 0069): the distributor, each pCPU's redistributor and its
 * CPU interface through the ICC system registers. All interrupts are Group 1 with one
 * priority; EOImode=1 splits priority drop (EOIR) from deactivation (DIR), so that a
 * physical interrupt can later be deactivated by a guest through a hardware-linked
 * list register. IPIs are SGIs. EL2 runs with IRQs masked: interrupts are acknowledged
 * by polling ICC_IAR1_EL1 after WFI or a guest exit (hal/irq.h). */
#include <stddef.h>

#include "core/spinlock.h"
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal/err.h"
#include "hal/irq.h"

#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_CTLR_GRP0 (1u << 0)
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISACTIVER 0x0300
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER 0x6000

#define GICR_FRAME 0x20000
#define GICR_TYPER 0x0008
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI 0x10000 /* the SGI/PPI frame */
#define GICR_IGROUPR0 0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ICENABLER0 0x0180
#define GICR_ISACTIVER0 0x0300
#define GICR_IPRIORITYR 0x0400

#define PRIORITY 0xA0u
#define SPURIOUS 1020u

struct handler {
	hal_irq_handler_t fn;
	void *arg;
};

static struct spinlock handler_lock = SPINLOCK_INIT;
static struct handler handlers[HAL_IRQ_COUNT];
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
	nspis = ((mmio_read32(d + GICD_TYPER) & 0x1F) + 1) * 32;
	if (nspis > HAL_IRQ_COUNT)
		nspis = HAL_IRQ_COUNT;
	mmio_write32(d + GICD_CTLR, 0);
	gicd_wait();
	for (unsigned i = 32; i < nspis; i += 32) {
		mmio_write32(d + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(d + GICD_IGROUPR + i / 8, ~0u);
	}
	for (unsigned i = 32; i < nspis; i += 4)
		mmio_write32(d + GICD_IPRIORITYR + i, PRIORITY * 0x01010101u);
	for (unsigned i = 32; i < nspis; i++)
		mmio_write64(d + GICD_IROUTER + 8ull * i, bm_board.mpidr[0] & 0xFF00FFFFFFull);
	mmio_write32(d + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1 | GICD_CTLR_GRP0);
	gicd_wait();
	return 0;
}

/* The redistributor whose GICR_TYPER affinity is this pCPU's MPIDR. */
static uint64_t find_rd(uint64_t mpidr)
{
	uint64_t aff = ((mpidr >> 32) & 0xFF) << 24 | (mpidr & 0xFFFFFF);

	for (uint64_t rd = bm_board.gicr_base; rd < bm_board.gicr_base + bm_board.gicr_size;
	     rd += GICR_FRAME) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);
		if ((typer >> 32) == aff)
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
		mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
		while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
			;
		uint64_t sgi = rd + GICR_SGI;
		mmio_write32(sgi + GICR_ICENABLER0, ~0u);
		mmio_write32(sgi + GICR_IGROUPR0, ~0u);
		for (unsigned i = 0; i < 32; i += 4)
			mmio_write32(sgi + GICR_IPRIORITYR + i, PRIORITY * 0x01010101u);
	}
	sysreg_write(S3_4_C12_C9_5, 0x9);   /* ICC_SRE_EL2: SRE, Enable (EL1 may use SRE) */
	isb();
	sysreg_write(S3_0_C4_C6_0, 0xFF);   /* ICC_PMR_EL1: let every priority through */
	sysreg_write(S3_0_C12_C12_3, 0);    /* ICC_BPR1_EL1 */
	sysreg_write(S3_0_C12_C12_4, 0x2);  /* ICC_CTLR_EL1: EOImode = 1 */
	sysreg_write(S3_0_C12_C12_7, 1);    /* ICC_IGRPEN1_EL1 */
	isb();
}

int hal_irq_register(unsigned irq, hal_irq_handler_t fn, void *arg)
{
	if (irq >= HAL_IRQ_COUNT || !fn)
		return -EINVAL;
	int err = 0;
	spin_lock(&handler_lock);
	if (handlers[irq].fn)
		err = -EBUSY;
	else
		handlers[irq] = (struct handler){ fn, arg };
	spin_unlock(&handler_lock);
	return err;
}

int hal_irq_unregister(unsigned irq)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	spin_lock(&handler_lock);
	int err = handlers[irq].fn ? 0 : -ENOENT;
	handlers[irq] = (struct handler){ 0 };
	spin_unlock(&handler_lock);
	return err;
}

static int set_enabled(unsigned irq, bool on)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	if (irq < HAL_IRQ_PRIVATE) {
		uint64_t rd = rd_base[hal_pcpu_id()];
		if (!rd)
			return -ENODEV;
		mmio_write32(rd + GICR_SGI + (on ? GICR_ISENABLER0 : GICR_ICENABLER0), 1u << irq);
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
	uint64_t iar = sysreg_read(S3_0_C12_C12_0) & 0xFFFFFF; /* ICC_IAR1_EL1 */
	if (iar >= SPURIOUS && iar <= 1023)
		return -ENOENT;
	*irq = (unsigned)iar;
	return 0;
}

int hal_irq_dispatch(unsigned irq)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	spin_lock(&handler_lock);
	struct handler h = handlers[irq];
	spin_unlock(&handler_lock);
	if (h.fn)
		h.fn(irq, h.arg);
	sysreg_write(S3_0_C12_C12_1, irq); /* ICC_EOIR1_EL1: priority drop */
	if (!__atomic_load_n(&forwarded[irq], __ATOMIC_ACQUIRE))
		sysreg_write(S3_0_C12_C11_1, irq); /* ICC_DIR_EL1: deactivate */
	isb();
	return h.fn ? 0 : -ENOENT;
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
			mmio_write32(rd + GICR_SGI + GICR_ISACTIVER0, 1u << irq);
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
	uint64_t aff0 = m & 0xF; /* a target list covers Aff0 0-15 */
	uint64_t sgi = ((m >> 32) & 0xFF) << 48 | ((m >> 16) & 0xFF) << 32 | ((m >> 8) & 0xFF) << 16 |
		       (uint64_t)ipi << 24 | (1ull << aff0);
	dsb_sy();
	sysreg_write(S3_0_C12_C11_5, sgi); /* ICC_SGI1R_EL1 */
	isb();
	return 0;
}
