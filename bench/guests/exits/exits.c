/* The exit-cost benchmark guest: from inside a VM, the cost of each kind of exit
 * Tandem handles, in guest-visible instructions under QEMU's -icount shift=0 (one
 * instruction, one ns of the virtual counter). vCPU 0 runs each loop and reports a
 * line per operation (ops.h); vCPU 1, started for the SGI figure, answers SGIs.
 *   hvc_psci_version  HVC PSCI_VERSION
 *   hvc_unknown       HVC with a function ID nobody implements (NOT_SUPPORTED)
 *   smc_psci_version  SMC PSCI_VERSION
 *   mmio_pl011_fr     a read of the emulated PL011's flag register
 *   mmio_gicd_iidr    a read of the vGIC distributor's GICD_IIDR
 *   sgi_to_handler    ICC_SGI1R_EL1 to vCPU 1 until its handler runs (the sender
 *                     waits in WFI for the answer, so that QEMU, which runs its CPUs
 *                     round-robin under -icount, runs the receiver)
 *   vtimer_rtt        CNTV_CVAL reached until the handler reads the counter
 *   lazy_first_touch  the first write to a page of lazily backed memory
 * A result the guest did not expect (a PSCI version other than 1.x, an interrupt
 * that is not the one awaited, a register the world switch lost) is reported as
 * "exits-error WHAT" and the run fails. */
#include <stdint.h>

#include "../ops.h"

#define GICD_CTLR ((volatile uint32_t *)0x08000000)
#define GICD_IIDR ((volatile uint32_t *)0x08000008)
#define GICR_BASE 0x080A0000ul
#define GICR_STRIDE 0x20000ul
#define GICR_WAKER(cpu) ((volatile uint32_t *)(GICR_BASE + (cpu) * GICR_STRIDE + 0x14))
#define GICR_ISENABLER0(cpu) ((volatile uint32_t *)(GICR_BASE + (cpu) * GICR_STRIDE + 0x10100))
#define UARTFR ((volatile uint32_t *)0x09000018)
#define LAZY_BASE 0x48000000ul /* exits.scn: 1 MiB, lazily backed */
#define LAZY_PAGES 256
#define VTIMER_PPI 27
#define SGI_PING 1 /* vCPU 0 -> vCPU 1 */
#define SGI_PONG 2 /* vCPU 1 -> vCPU 0 */
#define ITERS 2000
#define SGI_ITERS 500
#define TIMER_ITERS 500
#define SMCCC_NOT_SUPPORTED UINT64_MAX
#define UNKNOWN_FID 0x8200FF00u /* a SiP-service fast call */

void irq(uint64_t intid);
int main(unsigned cpu);
void secondary(void);

static volatile uint64_t taken_at, taken_id, pinged_at;
static volatile unsigned secondary_up;
static unsigned errors;

static void error(const char *what)
{
	out_s("exits-error ");
	out_s(what);
	out_c('\n');
	errors++;
}

static uint64_t sgi1r(unsigned intid, unsigned cpu)
{
	return ((uint64_t)intid << 24) | (1u << cpu);
}

void irq(uint64_t intid)
{
	uint64_t now = counter();

	if (sysreg_read(mpidr_el1) & 0xff) { /* vCPU 1: the ping's handler */
		if (intid == SGI_PING) {
			pinged_at = now;
			sysreg_write(icc_sgi1r_el1, sgi1r(SGI_PONG, 0));
		}
		return;
	}
	taken_at = now;
	taken_id = intid;
	if (intid == VTIMER_PPI)
		sysreg_write(cntv_ctl_el0, 0);
}

static void cpu_interface_on(unsigned cpu, uint32_t enable)
{
	*GICR_WAKER(cpu) = 0;
	*GICR_ISENABLER0(cpu) = enable;
	sysreg_write(icc_pmr_el1, 0xff);
	sysreg_write(icc_igrpen1_el1, 1);
	__asm__ volatile("isb");
}

static uint64_t loop_smc(unsigned n)
{
	uint64_t t0 = counter();

	for (unsigned i = 0; i < n; i++)
		smc1(PSCI_VERSION);
	return counter() - t0;
}

static uint64_t loop_read(volatile uint32_t *reg, unsigned n)
{
	uint64_t t0 = counter();

	for (unsigned i = 0; i < n; i++)
		(void)*reg;
	return counter() - t0;
}

/* Wait in WFI, IRQs masked, until interrupt intid is pending; acknowledge and complete
 * it. */
static void await(unsigned intid)
{
	for (;;) {
		__asm__ volatile("wfi" ::: "memory");
		uint64_t got = sysreg_read(icc_iar1_el1);
		if (got == 1023)
			continue;
		sysreg_write(icc_eoir1_el1, got);
		if (got == intid)
			return;
		error("unexpected interrupt");
	}
}

static uint64_t loop_sgi(unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		pinged_at = 0;
		uint64_t t0 = counter();
		sysreg_write(icc_sgi1r_el1, sgi1r(SGI_PING, 1));
		await(SGI_PONG);
		if (!pinged_at)
			error("pong before ping");
		sum += pinged_at - t0;
	}
	return sum;
}

static uint64_t loop_vtimer(unsigned n)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t cval = counter() + 100 + (i % 7) * 37;
		taken_id = 1023;
		sysreg_write(cntv_cval_el0, cval);
		sysreg_write(cntv_ctl_el0, 1);
		__asm__ volatile("wfi\n msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory");
		if (taken_id != VTIMER_PPI) {
			error("vtimer: another interrupt");
			continue;
		}
		sum += taken_at - cval;
	}
	return sum;
}

static uint64_t loop_lazy(unsigned pages)
{
	uint64_t t0 = counter();

	for (unsigned i = 0; i < pages; i++)
		*(volatile uint64_t *)(LAZY_BASE + i * 4096ul) = i;
	uint64_t t = counter() - t0;
	for (unsigned i = 0; i < pages; i++)
		if (*(volatile uint64_t *)(LAZY_BASE + i * 4096ul) != i)
			error("lazy page lost its write");
	return t;
}

static void secondary_main(void)
{
	cpu_interface_on(1, 1u << SGI_PING);
	secondary_up = 1;
	for (;;)
		__asm__ volatile("msr daifclr, #2\n wfi\n msr daifset, #2" ::: "memory");
}

/* Loads answered where the exit is taken go to the register the load names, also one
 * the C calling convention keeps (X19-X28), which Tandem's world switch leaves in the
 * hardware for such an answer: GICD_IIDR into W25, FR into W20 and an HVC in between,
 * and every other kept register must come back as it was. */
static void kept_registers(void)
{
	uint64_t r[10];

	__asm__ volatile("mov x19, #19\n mov x20, #20\n mov x21, #21\n mov x22, #22\n"
			 "mov x23, #23\n mov x24, #24\n mov x25, #25\n mov x26, #26\n"
			 "mov x27, #27\n mov x28, #28\n"
			 "ldr w25, [%[iidr]]\n"
			 "mov x0, %[ver]\n hvc #0\n"
			 "ldr w20, [%[fr]]\n"
			 "stp x19, x20, [%[r]]\n stp x21, x22, [%[r], #16]\n"
			 "stp x23, x24, [%[r], #32]\n stp x25, x26, [%[r], #48]\n"
			 "stp x27, x28, [%[r], #64]\n"
			 :
			 : [iidr] "r"(GICD_IIDR), [fr] "r"(UARTFR),
			   [ver] "r"((uint64_t)PSCI_VERSION), [r] "r"(r)
			 : "x0", "x1", "x2", "x3", "x19", "x20", "x21", "x22", "x23", "x24", "x25",
			   "x26", "x27", "x28", "memory");
	for (unsigned i = 0; i < 10; i++) {
		uint64_t want = 19 + i;
		if (i == 1)
			want = *UARTFR;
		else if (i == 6)
			want = *GICD_IIDR;
		if (r[i] != want)
			error("a kept register after an answered load");
	}
}

int main(unsigned cpu)
{
	if (cpu) {
		secondary_main();
		return 0;
	}
	*GICD_CTLR = 2; /* affinity routing, group 1 on */
	cpu_interface_on(0, (1u << SGI_PONG) | (1u << VTIMER_PPI));

	if ((hvc1(PSCI_VERSION) >> 16) != 1)
		error("PSCI version over HVC");
	if (smc1(PSCI_VERSION) >> 16 != 1)
		error("PSCI version over SMC");
	if (hvc1(UNKNOWN_FID) != SMCCC_NOT_SUPPORTED)
		error("unknown function answered");
	kept_registers();
	report("hvc_psci_version", ITERS, loop_hvc(PSCI_VERSION, ITERS));
	report("hvc_unknown", ITERS, loop_hvc(UNKNOWN_FID, ITERS));
	report("smc_psci_version", ITERS, loop_smc(ITERS));
	report("mmio_pl011_fr", ITERS, loop_read(UARTFR, ITERS));
	report("mmio_gicd_iidr", ITERS, loop_read(GICD_IIDR, ITERS));

	register uint64_t x0 __asm__("x0") = PSCI_CPU_ON;
	register uint64_t x1 __asm__("x1") = 1;
	register uint64_t x2 __asm__("x2") = (uint64_t)(uintptr_t)secondary;
	register uint64_t x3 __asm__("x3") = 0;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
	if (x0 != 0)
		error("CPU_ON");
	while (!secondary_up)
		;
	report("sgi_to_handler", SGI_ITERS, loop_sgi(SGI_ITERS));
	report("vtimer_rtt", TIMER_ITERS, loop_vtimer(TIMER_ITERS));
	report("lazy_first_touch", LAZY_PAGES, loop_lazy(LAZY_PAGES));
	out_s(errors ? "exits-done with errors\n" : "exits-done\n");
	hvc1(PSCI_SYSTEM_OFF);
	return 0;
}
