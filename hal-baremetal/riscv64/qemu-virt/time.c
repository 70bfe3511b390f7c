/* Time from the time CSR (rdtime) at the DTB's timebase-frequency, and each hart's
 * supervisor timer as its one-shot: stimecmp (Sstc) where the firmware let HS-mode
 * write it (menvcfg.STCE), else SBI set_timer (TIME extension, SBI spec v1.0 ch. 6).
 * Either way its interrupt is sip.STIP, which stays pending while time >= the
 * compare value: hal_irq_fetch disarms the timer when it hands the interrupt out. */
#include "hal-baremetal/riscv64/qemu-virt/bm.h"
#include "hal/irq.h"
#include "hal/muldiv.h"
#include "hal/time.h"

#define SBI_EXT_TIME 0x54494D45ull
#define SBI_TIME_SET_TIMER 0
#define NEVER UINT64_MAX

static bool sstc; /* stimecmp is ours; set by bm_time_init before any other hart runs */

/* Sstc's stimecmp raises an illegal-instruction exception in HS-mode unless the
 * firmware set menvcfg.STCE (Sstc spec): try it, with the trap handler primed. */
void bm_time_init(void)
{
	bm_probe_trapped = false;
	bm_probing = true;
	csr_write(CSR_STIMECMP, NEVER);
	uint64_t back = csr_read(CSR_STIMECMP);
	bm_probing = false;
	sstc = !bm_probe_trapped && back == NEVER;
}

bool bm_time_sstc(void)
{
	return sstc;
}

/* hal/time.h's range, 1 .. 2^32 - 1: a DTB without one gets 1 Hz, not a division by 0. */
static uint32_t counter_freq(void)
{
	uint64_t f = bm_board.timebase_hz;

	return f && f <= UINT32_MAX ? (uint32_t)f : 1;
}

static uint64_t rdtime(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* floor: the nanosecond the counter's tick began in, never ahead of the counter. */
uint64_t hal_now_ns(void)
{
	return muldiv_floor(rdtime(), MULDIV_NS_PER_S, counter_freq());
}

uint64_t hal_counter(void)
{
	return rdtime();
}

uint64_t hal_counter_hz(void)
{
	return counter_freq();
}

static void set_compare(uint64_t ticks)
{
	if (sstc)
		csr_write(CSR_STIMECMP, ticks);
	else
		bm_sbi(SBI_EXT_TIME, SBI_TIME_SET_TIMER, ticks, 0, 0);
}

/* The first tick at which hal_now_ns() >= deadline_ns: ceil, as on aarch64. */
void hal_timer_arm(uint64_t deadline_ns)
{
	set_compare(muldiv_ceil(deadline_ns, counter_freq(), MULDIV_NS_PER_S));
}

/* A compare value no 64-bit counter reaches clears STIP (SBI: set_timer also clears
 * the pending timer interrupt). A timer IRQ already fetched is core's. */
void hal_timer_disarm(void)
{
	set_compare(NEVER);
}
