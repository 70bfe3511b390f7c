/* Time from the generic timer: the counter (CNTPCT_EL0 at CNTFRQ_EL0), and the EL2
 * physical timer (CNTHP_*_EL2, PPI 26 on QEMU virt) as each pCPU's one-shot. */
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal/irq.h"
#include "hal/time.h"

#define CNTHP_CTL_ENABLE 1u
#define TIMER_PPI 26u

uint64_t hal_now_ns(void)
{
	uint64_t freq = sysreg_read(cntfrq_el0);
	isb();
	uint64_t t = sysreg_read(cntpct_el0);

	if (!freq)
		return 0;
	return (t / freq) * 1000000000ull + ((t % freq) * 1000000000ull) / freq;
}

uint64_t hal_counter(void)
{
	isb();
	return sysreg_read(cntpct_el0);
}

uint64_t hal_counter_hz(void)
{
	return sysreg_read(cntfrq_el0);
}

void hal_timer_arm(uint64_t deadline_ns)
{
	uint64_t freq = sysreg_read(cntfrq_el0);
	uint64_t ticks = (deadline_ns / 1000000000ull) * freq +
			 ((deadline_ns % 1000000000ull) * freq) / 1000000000ull;

	sysreg_write(cnthp_cval_el2, ticks);
	sysreg_write(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}

void hal_timer_disarm(void)
{
	sysreg_write(cnthp_ctl_el2, 0);
	isb();
}

unsigned hal_timer_irq(void)
{
	return TIMER_PPI;
}
