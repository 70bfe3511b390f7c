/* State shared by the hal-sim files; nothing outside hal-sim/ includes this. */
#ifndef HAL_SIM_INTERNAL_H
#define HAL_SIM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hal/cpu.h"
#include "hal/irq.h"
#include "hal/mm.h"

#define SIM_IRQ_WORDS (HAL_IRQ_COUNT / 64)
#define SIM_TIMER_IRQ 26u /* the EL2 physical timer's PPI on GICv3 boards */

enum sim_pcpu_state { SIM_PCPU_OFF, SIM_PCPU_RUNNING, SIM_PCPU_DONE };

/* One pCPU: its thread and its interrupt "wire". lock guards everything below it. */
struct sim_pcpu {
	pthread_t thread;
	enum sim_pcpu_state state;
	hal_pcpu_entry_t entry;
	void *arg;

	pthread_mutex_t lock;
	pthread_cond_t wake;
	uint64_t pending[SIM_IRQ_WORDS];
	uint32_t private_enabled; /* IRQs 0 .. HAL_IRQ_PRIVATE-1 */
	bool timer_armed;
	uint64_t timer_deadline;
};

struct sim_arena {
	struct hal_mem_range range;
	uint8_t *host;
};

struct sim_machine {
	bool up;
	unsigned npcpus;
	unsigned pa_bits;
	uint32_t counter_hz; /* set before any pCPU thread starts, then read-only */
	struct sim_pcpu pcpus[HAL_MAX_PCPUS];
	size_t nranges;
	struct sim_arena arenas[HAL_MAX_MEM_RANGES];
	_Atomic uint64_t shared_enabled[SIM_IRQ_WORDS];
	pthread_mutex_t start_lock; /* serialises pCPU start/join */
};

extern struct sim_machine sim;

int sim_mem_init(const struct hal_mem_range *ranges, size_t n, bool populate);
void sim_mem_fini(void);
void sim_irq_init(void);
void sim_irq_fini(void);
void sim_pcpu_wire_init(struct sim_pcpu *p);
void sim_pcpu_wire_fini(struct sim_pcpu *p);
/* The console's output thread and queue (console.c): started by hal_sim_init, stopped
 * by hal_sim_fini after writing everything out; sim_console_drain writes out what is
 * queued, paused or not (hal_halt, exit). */
int sim_console_init(void);
void sim_console_fini(void);
void sim_console_drain(void);
/* True if an enabled IRQ is pending on the calling pCPU (its timer included). */
bool sim_irq_deliverable(void);

/* The ISA's side of hal_guest_enter (guest_<isa>.c): the trap state of the exit a host
 * interrupt makes while the guest runs, and the engine's TLB dropping the entries of
 * the guest with stage-2 root register value s2root (HFENCE.GVMA; nothing where the
 * engine keeps no TLB). */
struct guest_exit;
void sim_irq_exit(struct guest_exit *exit);
void sim_engine_tlb_flush(uint64_t s2root);
/* Mark irq pending on p and wake it; p->lock must not be held. */
void sim_irq_set_pending(struct sim_pcpu *p, unsigned irq);

#endif
