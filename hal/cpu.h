/* HAL contract: physical CPUs. pCPU ids are dense, 0 .. hal_pcpu_count() - 1, and
 * pCPU 0 is the one that booted. Callers: core/cpu.c and the boot path. */
#ifndef HAL_CPU_H
#define HAL_CPU_H

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
