/* Host interrupts on riscv64 (hal/irq.h): the hart's own supervisor interrupts and the
 * PLIC's sources (RISC-V PLIC spec 1.0.0), numbered in hal/irq.h's GIC-shaped space:
 *   0-15   IPIs: one SSIP per hart (SBI sPI send_ipi), the numbers in a per-pCPU mask;
 *   21     the supervisor timer (16 + its sip bit, 5), per pCPU;
 *   32+n   PLIC source n (1 .. riscv,ndev), taken at pCPU 0's S-mode context.
 * HS-mode runs with sstatus.SIE clear and polls after WFI, as the aarch64 HAL does; sie
 * only says which interrupts wake WFI. Priorities are all 1 and every threshold 0. */
#include <stddef.h>

#include "hal-baremetal/riscv64/qemu-virt/bm.h"
#include "hal-baremetal/common/irq.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/irq.h"
#include "hal/time.h"

#define SBI_EXT_IPI 0x735049ull
#define SBI_IPI_SEND 0

#define IRQ_TIMER 21u       /* HAL number of the supervisor timer interrupt */
#define IRQ_PLIC_FIRST 32u  /* HAL number of PLIC source 0 (which does not exist) */

/* PLIC registers (PLIC spec, memory map). */
#define PLIC_PRIORITY(src) (4ull * (src))
#define PLIC_ENABLE(ctx, src) (0x2000ull + 0x80ull * (ctx) + 4ull * ((src) / 32))
#define PLIC_THRESHOLD(ctx) (0x200000ull + 0x1000ull * (ctx))
#define PLIC_CLAIM(ctx) (0x200004ull + 0x1000ull * (ctx))

static uint32_t nsources; /* HAL numbers IRQ_PLIC_FIRST + 1 .. + nsources are the PLIC's */

static bool is_plic(unsigned irq)
{
	return irq > IRQ_PLIC_FIRST && irq - IRQ_PLIC_FIRST <= nsources;
}

static uint32_t context_of(unsigned cpu)
{
	return bm_board.plic_context[cpu];
}

/* Every source at priority 1 and off in every hart's context (set per pCPU). */
int bm_gic_init(void)
{
	if (!bm_board.plic_base)
		return -ENODEV;
	nsources = bm_board.plic_ndev;
	if (nsources > HAL_IRQ_COUNT - IRQ_PLIC_FIRST - 1)
		nsources = HAL_IRQ_COUNT - IRQ_PLIC_FIRST - 1;
	for (uint32_t s = 1; s <= nsources; s++)
		mmio_write32(bm_board.plic_base + PLIC_PRIORITY(s), 1);
	return 0;
}

/* This hart's S context: nothing enabled, threshold 0; sie: what wakes WFI. */
void bm_gic_cpu_init(unsigned cpu)
{
	uint32_t ctx = context_of(cpu);

	if (ctx != BM_NO_CONTEXT) {
		for (uint32_t s = 0; s <= nsources; s += 32)
			mmio_write32(bm_board.plic_base + PLIC_ENABLE(ctx, s), 0);
		mmio_write32(bm_board.plic_base + PLIC_THRESHOLD(ctx), 0);
		csr_set(CSR_SIE, SIP_SEIP);
	}
	csr_clear(CSR_SIP, SIP_SSIP);
}

/* IPIs share SSIE, so disabling one of them leaves the others deliverable: only the
 * timer and the PLIC's sources are really switched. */
static int set_enabled(unsigned irq, bool on)
{
	if (irq < HAL_IPI_COUNT) {
		if (on)
			csr_set(CSR_SIE, SIP_SSIP);
		return 0;
	}
	if (irq == IRQ_TIMER) {
		if (on)
			csr_set(CSR_SIE, SIP_STIP);
		else
			csr_clear(CSR_SIE, SIP_STIP);
		return 0;
	}
	if (irq < HAL_IRQ_PRIVATE)
		return 0; /* no such local interrupt: nothing to switch */
	if (!is_plic(irq))
		return -EINVAL;
	uint32_t src = irq - IRQ_PLIC_FIRST, ctx = context_of(0);
	if (ctx == BM_NO_CONTEXT)
		return -ENODEV;
	uint64_t reg = bm_board.plic_base + PLIC_ENABLE(ctx, src);
	uint32_t bit = 1u << (src % 32);
	mmio_write32(reg, on ? mmio_read32(reg) | bit : mmio_read32(reg) & ~bit);
	return 0;
}

int hal_irq_enable(unsigned irq)
{
	return irq >= HAL_IRQ_COUNT ? -EINVAL : set_enabled(irq, true);
}

int hal_irq_disable(unsigned irq)
{
	return irq >= HAL_IRQ_COUNT ? -EINVAL : set_enabled(irq, false);
}

/* In hal/irq.h's priority order: IPIs, the timer, then the PLIC's claim. SSIP is
 * cleared before the mask is read, so that an IPI sent meanwhile raises it again. */
int hal_irq_fetch(unsigned *irq)
{
	struct bm_cpu *c = bm_self();

	if (!irq)
		return -EINVAL;
	if (csr_read(CSR_SIP) & SIP_SSIP)
		csr_clear(CSR_SIP, SIP_SSIP);
	uint32_t pending = __atomic_load_n(&c->ipi_pending, __ATOMIC_ACQUIRE);
	if (pending) {
		unsigned n = (unsigned)__builtin_ctz(pending);
		__atomic_fetch_and(&c->ipi_pending, ~(1u << n), __ATOMIC_ACQ_REL);
		*irq = n;
		return 0;
	}
	uint64_t sip = csr_read(CSR_SIP), sie = csr_read(CSR_SIE);
	if (sip & sie & SIP_STIP) {
		hal_timer_disarm(); /* STIP is a level: handing it out acknowledges it */
		*irq = IRQ_TIMER;
		return 0;
	}
	uint32_t ctx = context_of(c->id);
	if ((sip & SIP_SEIP) && ctx != BM_NO_CONTEXT) {
		uint32_t src = mmio_read32(bm_board.plic_base + PLIC_CLAIM(ctx));
		if (src && src <= nsources) {
			*irq = IRQ_PLIC_FIRST + src;
			return 0;
		}
	}
	return -ENOENT;
}

int hal_irq_dispatch(unsigned irq)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	bool ran = bm_irq_call(irq);
	if (is_plic(irq)) /* completion: the gateway may forward the source again */
		mmio_write32(bm_board.plic_base + PLIC_CLAIM(context_of(hal_pcpu_id())),
			     irq - IRQ_PLIC_FIRST);
	return ran ? 0 : -ENOENT;
}

/* No physical interrupt is forwarded to a guest on this board: its vCPUs' timer is
 * Sstc's, which the hardware raises in the guest itself (ARCH_VTIMER_FORWARDED 0), and
 * no device of the host is passed through with its interrupt. */
int hal_irq_forward(unsigned irq, bool on)
{
	(void)on;
	return irq >= HAL_IRQ_COUNT ? -EINVAL : 0;
}

void hal_irq_activate(unsigned irq)
{
	(void)irq;
}

void hal_irq_deactivate(unsigned irq)
{
	(void)irq;
}

/* The number into the target's mask, then SSIP on its hart (hart_mask 1 at base =
 * its hart id). */
int hal_ipi_send(unsigned cpu, unsigned ipi)
{
	if (cpu >= hal_pcpu_count() || ipi >= HAL_IPI_COUNT)
		return -EINVAL;
	__atomic_fetch_or(&bm_cpu_of(cpu)->ipi_pending, 1u << ipi, __ATOMIC_ACQ_REL);
	bm_sbi(SBI_EXT_IPI, SBI_IPI_SEND, 1, bm_board.hartid[cpu], 0);
	return 0;
}

unsigned hal_timer_irq(void)
{
	return IRQ_TIMER;
}
