/* The scheduler: which vCPU each pCPU runs next (core/run.c runs it). One FIFO run
 * queue per pCPU; a vCPU joins the queue of its home pCPU
 * (the lowest in its affinity mask). In time-shared mode each pCPU preempts the running
 * vCPU when its slice ends (a software timer on the pCPU's one-shot); in
 * static-partitioning mode a vCPU runs until it blocks or stops, and a configuration
 * gives each vCPU a pCPU of its own (core/place.h decides which, before the VMs are
 * created). A vCPU's WFE traps only while another vCPU waits in its pCPU's run queue
 * (decided at each entry, as KVM does), and then yields the pCPU to it. */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vcpu.h"

enum sched_mode { SCHED_STATIC, SCHED_TIMESHARED };

#define SCHED_DEFAULT_SLICE_NS 2000000ull

/* Before any pCPU runs vCPUs. */
void sched_init(enum sched_mode mode, uint64_t slice_ns);
enum sched_mode sched_mode(void);

/* Vary each slice between half and one and a half times its length, from a PRNG per
 * pCPU seeded with seed (hvsim --seed): different seeds, different interleavings. 0
 * turns the variation off. */
void sched_set_seed(uint64_t seed);

/* The one way a vCPU becomes runnable, whatever made it so (its VM starting, a
 * wake-up, PSCI CPU_ON, a release, the end of its stay on a pCPU): if it is FREE it
 * joins its home pCPU's run queue and that pCPU is kicked; a vCPU in any other state
 * (held, blocked again, off) stays where it is. */
void sched_make_runnable(struct vcpu *v);

/* Take v out of its run queue if it is waiting there (a VM being destroyed). */
void sched_remove(struct vcpu *v);

/* The pCPU's loop: run queued vCPUs, idle when there are none, return when done(arg)
 * is true (checked between vCPUs and after every wake-up). */
void sched_run(bool (*done)(void *arg), void *arg);

/* Wake every pCPU so that each re-checks its loop condition. */
void sched_kick_all(void);

/* For the run loop (core/run.c), about the calling pCPU: whether its slice is over
 * (time-shared preemption, or a cede with others waiting), and whether another vCPU
 * waits in its queue. */
bool sched_slice_over(void);
bool sched_others_waiting(void);

/* The vCPU running on the calling pCPU, or NULL. */
struct vcpu *sched_current(void);

/* Cede the pCPU: the vCPU running here waits for an event (WFE). Its slice ends once
 * its exit is handled if another vCPU waits in this pCPU's run queue; nothing happens
 * otherwise. (Not sched_yield: that is the C library's.) */
void sched_cede(void);

/* Number of preemptions by slice end since sched_init. */
uint64_t sched_preemptions(void);

#endif
