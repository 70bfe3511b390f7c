/* The virtual-timer round trip as a guest sees it: program CNTV_CVAL a little ahead,
 * wait in WFI with IRQs masked, take the interrupt, and read the virtual counter in
 * the handler. The round trip is handler time minus CVAL, in counter ticks: the host
 * timer that stands in for the virtual timer, the vCPU's wake-up, the list-register
 * fill and the guest's exception entry. Results go to the UART as one line of numbers
 * that scripts/bench turns into JSON. */
#include <stdint.h>

#include "../ops.h"

#define GICD_CTLR ((volatile uint32_t *)0x08000000)
#define GICR_WAKER ((volatile uint32_t *)0x080A0014)
#define GICR_ISENABLER0 ((volatile uint32_t *)0x080B0100)
#define VTIMER_PPI 27
#define SAMPLES 1000

void irq(uint64_t intid);
void secondary(void);
int main(unsigned cpu);

static volatile uint64_t taken_at, taken_id;
static uint64_t rtt[SAMPLES];

void irq(uint64_t intid)
{
	taken_at = sysreg_read(cntvct_el0);
	taken_id = intid;
	sysreg_write(cntv_ctl_el0, 0);
}

static void sort(uint64_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = a[i];
		unsigned j = i;
		for (; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

int main(unsigned cpu)
{
	uint64_t freq = sysreg_read(cntfrq_el0), sum = 0;
	unsigned bad = 0;

	(void)cpu; /* one vCPU */

	*GICD_CTLR = 2;
	*GICR_WAKER = 0;
	*GICR_ISENABLER0 = 1u << VTIMER_PPI;
	sysreg_write(icc_pmr_el1, 0xff);
	sysreg_write(icc_igrpen1_el1, 1);
	__asm__ volatile("isb");
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t cval = sysreg_read(cntvct_el0) + 100 + (i % 7) * 37;
		taken_id = 1023;
		sysreg_write(cntv_cval_el0, cval);
		sysreg_write(cntv_ctl_el0, 1);
		__asm__ volatile("wfi\n msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory");
		if (taken_id != VTIMER_PPI) {
			bad++;
			i--;
			continue;
		}
		rtt[i] = taken_at - cval;
		sum += rtt[i];
		if (bad > SAMPLES)
			break;
	}
	sort(rtt, SAMPLES);
	/* "vtimer-rtt samples S freq F min A p50 B p99 C max D mean E spurious N" (ticks) */
	out_s("vtimer-rtt samples ");
	out_u(SAMPLES);
	out_s(" freq ");
	out_u(freq);
	out_s(" min ");
	out_u(rtt[0]);
	out_s(" p50 ");
	out_u(rtt[SAMPLES / 2]);
	out_s(" p99 ");
	out_u(rtt[SAMPLES * 99 / 100]);
	out_s(" max ");
	out_u(rtt[SAMPLES - 1]);
	out_s(" mean ");
	out_u(sum / SAMPLES);
	out_s(" spurious ");
	out_u(bad);
	out_c('\n');
	hvc1(PSCI_SYSTEM_OFF);
	return 0;
}
