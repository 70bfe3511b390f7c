/* Time from the generic timer: the counter (CNTPCT_EL0 at CNTFRQ_EL0), and the EL2
 * physical timer (CNTHP_*_EL2, PPI 26 on QEMU virt) as each pCPU's one-shot. */
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal/irq.h"
#include "hal/muldiv.h"
#include "hal/time.h"

#define CNTHP_CTL_ENABLE 1u
#define TIMER_PPI 26u

/* CNTFRQ_EL0's ClockFreq, bits [31:0] (the rest is RES0); firmware that left it 0
 * gets 1 Hz rather than a division by zero. */
static uint32_t counter_freq(void)
{
	uint32_t freq = (uint32_t)sysreg_read(cntfrq_el0);
	return freq ? freq : 1;
}

/* floor: the nanosecond the counter's tick began in, never ahead of the counter. */
uint64_t hal_now_ns(void)
{
	uint32_t freq = counter_freq();
	isb();
	return muldiv_floor(sysreg_read(cntpct_el0), MULDIV_NS_PER_S, freq);
}

uint64_t hal_counter(void)
{
	isb();
	return sysreg_read(cntpct_el0);
}

uint64_t hal_counter_hz(void)
{
	return counter_freq();
}

/* The first counter value at which hal_now_ns() >= deadline_ns: ceil, because the
 * floor of a frequency that does not divide 1 GHz (19.2 MHz) is a tick before it, and
 * the timer would expire before its deadline. Saturates: a deadline past the
 * counter's range is never. */
void hal_timer_arm(uint64_t deadline_ns)
{
	uint64_t ticks = muldiv_ceil(deadline_ns, counter_freq(), MULDIV_NS_PER_S);

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
