/* What the benchmark guests (exits/exits.c, vtimer/vtimer.c) and the floor
 * (bench/floor) share: the counter, the console they report on, and the HVC loop the
 * exit-cost guest and the floor both measure. A figure
 * is "exits-op NAME iters N ns T": N iterations took T ns of the virtual counter, which
 * under QEMU's -icount shift=0 is T guest-visible instructions (loop overhead
 * included). bench/guests/exits/run turns the lines into the table and JSON. */
#ifndef BENCH_EXITS_OPS_H
#define BENCH_EXITS_OPS_H

#include <stdint.h>

#define UARTDR ((volatile uint32_t *)0x09000000)

#define sysreg_read(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define sysreg_write(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_ON 0xC4000003u
#define PSCI_SYSTEM_OFF 0x84000008u

static inline uint64_t counter(void)
{
	uint64_t c;

	__asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(c)::"memory");
	return c;
}

static inline uint64_t ticks_to_ns(uint64_t ticks)
{
	return ticks * 1000000000ull / sysreg_read(cntfrq_el0);
}

static inline void out_c(char c)
{
	*UARTDR = (uint32_t)c;
}

static inline void out_s(const char *s)
{
	while (*s)
		out_c(*s++);
}

static inline void out_u(uint64_t v)
{
	char b[24];
	int n = 0;

	do
		b[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		out_c(b[--n]);
}

static inline void report(const char *name, unsigned iters, uint64_t ticks)
{
	out_s("exits-op ");
	out_s(name);
	out_s(" iters ");
	out_u(iters);
	out_s(" ns ");
	out_u(ticks_to_ns(ticks));
	out_c('\n');
}

static inline uint64_t hvc1(uint64_t fid)
{
	register uint64_t x0 __asm__("x0") = fid;

	__asm__ volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	return x0;
}

static inline uint64_t smc1(uint64_t fid)
{
	register uint64_t x0 __asm__("x0") = fid;

	__asm__ volatile("smc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	return x0;
}

/* n HVCs with function ID fid, in counter ticks. */
static inline uint64_t loop_hvc(uint64_t fid, unsigned n)
{
	uint64_t t0 = counter();

	for (unsigned i = 0; i < n; i++)
		hvc1(fid);
	return counter() - t0;
}

#endif
