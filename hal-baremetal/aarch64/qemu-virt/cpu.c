/* pCPUs on QEMU virt: identity through TPIDR_EL2, secondary bring-up and power-off
 * through PSCI (SMC: with virtualization=on QEMU's firmware conduit is SMC), idling with
 * WFI. */
#include <stddef.h>

#include "hal-baremetal/aarch64/qemu-virt/bm.h"
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

void bm_cpu_init(unsigned id)
{
	cpus[id].id = id;
	sysreg_write(tpidr_el2, (uint64_t)(uintptr_t)&cpus[id]);
	sysreg_write(cptr_el2, CPTR_EL2_GUEST);
	sysreg_write(cnthctl_el2, CNTHCTL_EL1PCTEN);
	isb();
}

static struct bm_cpu *self(void)
{
	return (struct bm_cpu *)(uintptr_t)sysreg_read(tpidr_el2);
}

unsigned hal_pcpu_count(void)
{
	return bm_board.ncpus ? bm_board.ncpus : 1;
}

unsigned hal_pcpu_id(void)
{
	return self()->id;
}

void hal_percpu_set(void *data)
{
	self()->percpu = data;
}

void *hal_percpu_get(void)
{
	return self()->percpu;
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

_Noreturn void hal_halt(void)
{
	bm_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfe");
}
