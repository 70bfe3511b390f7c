/* pCPUs on QEMU virt: identity through TPIDR_EL2, secondary bring-up and power-off
 * through PSCI (SMC: with virtualization=on QEMU's firmware conduit is SMC), idling with
 * WFI. */
#include <stddef.h>

#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/err.h"

#define PSCI_CPU_OFF 0x84000002ull
#define PSCI_CPU_ON 0xC4000003ull
#define PSCI_SYSTEM_OFF 0x84000008ull
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)

static struct bm_cpu cpus[BM_MAX_PCPUS];

extern char secondary_entry[];
void bm_secondary_main(uint64_t id);

int64_t bm_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

/* CPTR_EL2: RES1 bits, FP/SIMD not trapped (the world switch moves it), SVE trapped
 * (no guest SVE state is kept). CNTHCTL_EL2: guests read the physical counter; the
 * EL1 physical timer traps. */
#define CPTR_EL2_GUEST 0x33FFull
#define CNTHCTL_EL1PCTEN 1ull

/* Disable breakpoint or watchpoint n (DBGBCR<n>_EL1.E / DBGWCR<n>_EL1.E). */
static void debug_point_off(unsigned n, bool watch)
{
#define POINT_OFF(i)                                          \
	case i:                                               \
		if (watch)                                    \
			sysreg_write(dbgwcr##i##_el1, 0);     \
		else                                          \
			sysreg_write(dbgbcr##i##_el1, 0);     \
		break;
	switch (n) {
		POINT_OFF(0) POINT_OFF(1) POINT_OFF(2) POINT_OFF(3) POINT_OFF(4) POINT_OFF(5)
		POINT_OFF(6) POINT_OFF(7) POINT_OFF(8) POINT_OFF(9) POINT_OFF(10) POINT_OFF(11)
		POINT_OFF(12) POINT_OFF(13) POINT_OFF(14) POINT_OFF(15)
	default:
		break;
	}
#undef POINT_OFF
}

/* The PMU and the self-hosted debug logic as guests meet them. Every guest access to
 * either traps (MDCR_EL2, loaded with each vCPU), so the hardware keeps the state set
 * here: no breakpoint or watchpoint enabled (their reset values are UNKNOWN), the OS
 * lock open (so that a guest's own MDSCR_EL1.SS software step, switched with the vCPU,
 * works), and HPMN at PMCR_EL0.N, its reset value, so that EL2 keeps the whole PMU.
 * ID_AA64DFR0_EL1: PMUVer[11:8] (0: none, 0xF: IMPLEMENTATION DEFINED), BRPs[15:12]
 * and WRPs[23:20] (each the count minus one). */
static void debug_init(struct bm_cpu *c)
{
	uint64_t dfr0 = sysreg_read(id_aa64dfr0_el1);
	unsigned pmuver = (unsigned)(dfr0 >> 8) & 0xF;

	c->hpmn = pmuver && pmuver != 0xF ? (sysreg_read(pmcr_el0) >> 11) & 0x1F : 0;
	for (unsigned n = 0; n <= ((dfr0 >> 12) & 0xF); n++)
		debug_point_off(n, false);
	for (unsigned n = 0; n <= ((dfr0 >> 20) & 0xF); n++)
		debug_point_off(n, true);
	sysreg_write(mdscr_el1, 0);
	sysreg_write(oslar_el1, 0);
	sysreg_write(mdcr_el2, c->hpmn);
}

void bm_cpu_init(unsigned id)
{
	cpus[id].id = id;
	sysreg_write(tpidr_el2, (uint64_t)(uintptr_t)&cpus[id]);
	sysreg_write(cptr_el2, CPTR_EL2_GUEST);
	sysreg_write(cnthctl_el2, CNTHCTL_EL1PCTEN);
	debug_init(&cpus[id]);
	isb();
}

/* One MRS per encoding: the register is part of the instruction. */
#define ID_READ(crm, op2)                                                              \
	case (crm) * 8 + (op2):                                                        \
		__asm__ volatile("mrs %0, S3_0_C0_C" #crm "_" #op2 : "=r"(v));         \
		break;
#define ID_ROW(crm)                                                                    \
	ID_READ(crm, 0) ID_READ(crm, 1) ID_READ(crm, 2) ID_READ(crm, 3) ID_READ(crm, 4) \
	ID_READ(crm, 5) ID_READ(crm, 6) ID_READ(crm, 7)

uint64_t hal_cpu_id_reg(unsigned crm, unsigned op2)
{
	uint64_t v = 0;

	if (crm < 1 || crm > 7 || op2 > 7)
		return 0;
	switch (crm * 8 + op2) {
		ID_ROW(1) ID_ROW(2) ID_ROW(3) ID_ROW(4) ID_ROW(5) ID_ROW(6) ID_ROW(7)
	}
	return v;
}

unsigned hal_cpu_pa_bits(void)
{
	static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	uint64_t parange = sysreg_read(id_aa64mmfr0_el1) & 0xF;

	return parange < 7 ? bits[parange] : 48;
}

int hal_pcpu_start(unsigned cpu, hal_pcpu_entry_t entry, void *arg)
{
	if (cpu >= hal_pcpu_count() || !entry)
		return -EINVAL;
	if (cpu == hal_pcpu_id() || __atomic_load_n(&cpus[cpu].running, __ATOMIC_ACQUIRE))
		return -EBUSY;
	cpus[cpu].entry = entry;
	cpus[cpu].arg = arg;
	__atomic_store_n(&cpus[cpu].running, 1, __ATOMIC_RELEASE);
	int64_t r = bm_smc(PSCI_CPU_ON, bm_board.mpidr[cpu], (uint64_t)(uintptr_t)secondary_entry, cpu);
	if (r == 0)
		return 0;
	__atomic_store_n(&cpus[cpu].running, 0, __ATOMIC_RELEASE);
	return r == PSCI_ALREADY_ON || r == PSCI_ON_PENDING ? -EBUSY : -EIO;
}

/* From boot.S with a stack: the MMU and this pCPU's identity, then its entry; when the
 * entry returns, the pCPU powers itself off and may be started again. */
void bm_secondary_main(uint64_t id)
{
	bm_mmu_enable();
	bm_cpu_init((unsigned)id);
	bm_gic_cpu_init((unsigned)id);
	cpus[id].entry(cpus[id].arg);
	__atomic_store_n(&cpus[id].running, 0, __ATOMIC_RELEASE);
	bm_smc(PSCI_CPU_OFF, 0, 0, 0);
}

void hal_cpu_idle(void)
{
	__asm__ volatile("dsb sy\n wfi" ::: "memory");
}

void hal_cpu_relax(void)
{
	__asm__ volatile("yield");
}

/* A panic while gdb held the line still reaches the console, as text. */
_Noreturn void hal_halt(void)
{
	bm_console_divert(false);
	hal_console_flush();
	bm_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfe");
}
