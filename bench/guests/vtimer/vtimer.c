/* The virtual-timer round trip as a guest sees it: program CNTV_CVAL a little ahead,
 * wait in WFI with IRQs masked, take the interrupt, and read the virtual counter in
 * the handler. The round trip is handler time minus CVAL, in counter ticks: the host
 * timer that stands in for the virtual timer, the vCPU's wake-up, the list-register
 * fill and the guest's exception entry. Results go to the UART as one line of numbers
 * that scripts/bench turns into JSON. */
#include <stdint.h>

#define UARTDR ((volatile uint32_t *)0x09000000)
#define GICD_CTLR ((volatile uint32_t *)0x08000000)
#define GICR_WAKER ((volatile uint32_t *)0x080A0014)
#define GICR_ISENABLER0 ((volatile uint32_t *)0x080B0100)
#define VTIMER_PPI 27
#define SAMPLES 1000

#define sysreg_read(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define sysreg_write(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))

void irq(uint64_t intid);
int main(void);

static volatile uint64_t taken_at, taken_id;
static uint64_t rtt[SAMPLES];

void irq(uint64_t intid)
{
	taken_at = sysreg_read(cntvct_el0);
	taken_id = intid;
	sysreg_write(cntv_ctl_el0, 0);
}

static void putc_(char c)
{
	*UARTDR = (uint32_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void putu(uint64_t v)
{
	char b[24];
	int n = 0;

	do
		b[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		putc_(b[--n]);
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

int main(void)
{
	uint64_t freq = sysreg_read(cntfrq_el0), sum = 0;
	unsigned bad = 0;

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
	puts_("vtimer-rtt samples ");
	putu(SAMPLES);
	puts_(" freq ");
	putu(freq);
	puts_(" min ");
	putu(rtt[0]);
	puts_(" p50 ");
	putu(rtt[SAMPLES / 2]);
	puts_(" p99 ");
	putu(rtt[SAMPLES * 99 / 100]);
	puts_(" max ");
	putu(rtt[SAMPLES - 1]);
	puts_(" mean ");
	putu(sum / SAMPLES);
	puts_(" spurious ");
	putu(bad);
	putc_('\n');
	/* PSCI SYSTEM_OFF over HVC. */
	register uint64_t x0 __asm__("x0") = 0x84000008;
	__asm__ volatile("hvc #0" : "+r"(x0)::"memory");
	return 0;
}
