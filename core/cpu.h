/* Per-pCPU data and the pCPU's interrupt loop. "This pCPU's data" is found through
 * hal_percpu_get (TPIDR_EL2 on aarch64, thread-local in the simulation host), never at
 * a fixed virtual address. */
#ifndef CORE_CPU_H
#define CORE_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ipi.h"
#include "core/timer.h"

struct pcpu {
	unsigned id;
	uint32_t up; /* set once cpu_init_this ran on it */
	uint64_t irqs_handled;
	uint64_t irqs_unhandled;
	struct timer_queue timers;
	struct ipi_queue ipis;
};

/* Once, on the boot pCPU, before any other pCPU starts: reset every pCPU's data and
 * install the IRQ handlers core owns (timer, IPIs). -EBUSY if a handler is taken. */
int cpu_boot_init(void);

/* On each pCPU as it comes up (the boot pCPU too): bind its data, enable its private
 * IRQs. -EBUSY if this pCPU is already up. */
int cpu_init_this(void);

/* Mark the calling pCPU down before its entry returns, so nothing is queued on it. */
void cpu_exit_this(void);

struct pcpu *this_cpu(void);    /* NULL before cpu_init_this */
struct pcpu *cpu_get(unsigned id); /* NULL for a bad id */
bool cpu_is_up(const struct pcpu *cpu);

/* Fetch and dispatch every pending IRQ of this pCPU; returns how many ran. */
unsigned cpu_handle_irqs(void);

/* Wait for an interrupt, then handle everything pending. */
void cpu_idle(void);

#endif
