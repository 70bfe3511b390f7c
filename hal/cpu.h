/* HAL contract: physical CPUs. pCPU ids are dense, 0 .. hal_pcpu_count() - 1, and
 * pCPU 0 is the one that booted. Callers: core/cpu.c and the boot path. */
#ifndef HAL_CPU_H
#define HAL_CPU_H

#include <stdint.h>

#define HAL_MAX_PCPUS 64u

typedef void (*hal_pcpu_entry_t)(void *arg);

/* Number of pCPUs this machine has (simulation: the configuration; bare metal: the
 * DTB). Never fails; at least 1. */
unsigned hal_pcpu_count(void);

/* Id of the calling pCPU. Never fails. */
unsigned hal_pcpu_id(void);

/* Start pCPU `cpu` at entry(arg) on its own stack; when entry returns the pCPU goes
 * offline and may be started again. -EINVAL for a bad id or NULL entry, -EBUSY if the
 * pCPU is the caller or still running, -EIO if the host refused to start it. */
int hal_pcpu_start(unsigned cpu, hal_pcpu_entry_t entry, void *arg);

/* Physical-address size of the CPUs in bits (ID_AA64MMFR0_EL1.PARange on aarch64), which
 * bounds the second-stage tables Tandem builds. Never fails. */
unsigned hal_cpu_pa_bits(void);

/* The pCPU's own value of the ID register at op0 3, op1 0, CRn 0, CRm crm, op2 op2
 * (aarch64: CRm 1-7 are the feature ID registers, ID_PFR0_EL1 to ID_AA64* and the
 * unallocated encodings between them, which the architecture makes read as zero), from
 * which a guest's view is made. 0 for crm 0 or 8 and above, or op2 8 and above. */
uint64_t hal_cpu_id_reg(unsigned crm, unsigned op2);

/* Pointer to this pCPU's data (TPIDR_EL2 on aarch64, thread-local in the simulation
 * host). Set once by core/cpu.c when a pCPU comes up; NULL before that. */
void hal_percpu_set(void *data);
void *hal_percpu_get(void);

/* Wait for interrupt: return once an enabled IRQ (device, IPI or this pCPU's timer) is
 * pending on this pCPU; returns at once if one already is. Does not acknowledge it. */
void hal_cpu_idle(void);

/* Hint inside a spin-wait loop (YIELD on hardware, sched_yield in the simulation). */
void hal_cpu_relax(void);

/* Stop the whole machine after a broken invariant; called only by panic(). */
_Noreturn void hal_halt(void);

#endif
