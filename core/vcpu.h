/* vCPUs and their life cycle (AxArchVCpu's new / set_entry / set_ept_root / setup /
 * bind / run / unbind, plus Blocked and Off):
 *
 *   CREATED --set_entry, set_s2--> (still CREATED) --setup--> FREE
 *   FREE --bind--> BOUND --run--> RUNNING --exit--> BOUND | BLOCKED | OFF
 *   BOUND --unbind--> FREE          BLOCKED --wake--> FREE
 *   FREE --power_off--> OFF         OFF --power_on--> FREE
 *
 * A vCPU that powers itself off (PSCI CPU_OFF) is OFF while its pCPU still finishes
 * the exit; only once it is unbound has it left, and only then can it be powered on
 * (or set_entry) again or look off to the guest (vcpu_power_state): its registers are
 * never written from two pCPUs.
 *
 * Every transition is checked under the vCPU's lock; an illegal one returns -EPERM and
 * leaves the vCPU UNUSABLE (it never runs again) rather than half-changed. */
#ifndef CORE_VCPU_H
#define CORE_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/exit.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "arch/tandem_isa.h"

enum vcpu_state {
	VCPU_UNUSABLE,
	VCPU_CREATED,
	VCPU_FREE,    /* set up, runnable, on no pCPU */
	VCPU_BOUND,   /* loaded on a pCPU, between runs */
	VCPU_RUNNING, /* in the guest */
	VCPU_BLOCKED, /* WFI or CPU_SUSPEND: waits for an interrupt */
	VCPU_OFF,     /* never started, or CPU_OFF */
};

#define VCPU_NO_PCPU (~0u)

struct vm;

struct vcpu {
	struct arch_vcpu arch;
	struct vm *vm;
	unsigned id;
	uint64_t hwid;     /* what the guest calls it: MPIDR affinity on aarch64 */
	uint64_t affinity; /* pCPUs it may run on */
	unsigned home;     /* the pCPU whose run queue it joins */

	struct spinlock lock; /* guards everything below */
	enum vcpu_state state;
	bool entry_set, s2_set;
	bool started;      /* has run since it was (re)started: PSCI ON vs ON_PENDING */
	bool queued;       /* in its home run queue's list (guarded by that queue's lock) */
	uint32_t sched_refs; /* queue entries and slices not finished with it (atomic) */
	unsigned pcpu;     /* where it is bound or running, or VCPU_NO_PCPU */
	struct vcpu *rq_next;
	struct timer vtimer;       /* fires when its virtual timer's output rises */
	/* System-counter value vtimer is armed for, or 0; guarded by the VM's interrupt
	 * lock, not by lock. */
	uint64_t vtimer_deadline;

	uint64_t exits[EXIT_KIND_COUNT];
};

const char *vcpu_state_name(enum vcpu_state s);

/* CREATED, as vCPU id of vm with hwid and affinity (a non-zero pCPU mask). */
int vcpu_init(struct vcpu *v, struct vm *vm, unsigned id, uint64_t affinity);
/* CREATED, or OFF and on no pCPU. */
int vcpu_set_entry(struct vcpu *v, uint64_t entry, uint64_t arg);
int vcpu_set_s2(struct vcpu *v, uint64_t root, uint16_t vmid, uint64_t vtcr); /* CREATED */
int vcpu_setup(struct vcpu *v);   /* CREATED -> FREE; entry and stage-2 must be set */
int vcpu_bind(struct vcpu *v);    /* FREE -> BOUND on the calling pCPU */
/* BOUND -> FREE (returns 1: it is runnable), on the pCPU it is bound to; a BLOCKED or
 * OFF vCPU just lets go of the pCPU (returns 0). */
int vcpu_unbind(struct vcpu *v);
/* The scheduler's bind: -EAGAIN (and no poisoning) if the vCPU is not FREE any more. */
int vcpu_try_bind(struct vcpu *v);
int vcpu_power_off(struct vcpu *v); /* FREE or RUNNING -> OFF */
/* OFF -> FREE at entry with arg (PSCI CPU_ON). -EALREADY if on (also OFF but still on
 * its pCPU), -EBUSY if on but not started yet (an earlier power_on in progress); those
 * two leave the vCPU as it is. */
int vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t arg);
/* RUNNING -> BLOCKED, unless the VM's interrupt controller has an interrupt for it
 * (checked under the VM's interrupt lock, so an injection cannot slip in between). */
int vcpu_block(struct vcpu *v);
/* End a block: BLOCKED -> BOUND if it is still loaded on its pCPU, else -> FREE and 1
 * is returned: the caller must queue it. 0 without change if it was not blocked. */
int vcpu_wake(struct vcpu *v);

/* Enter the guest once and decode the exit (BOUND -> RUNNING -> BOUND): its pending
 * interrupts are handed to it before (arch_irq_flush) and taken back after
 * (arch_irq_sync). -EPERM if not BOUND here. */
int vcpu_run(struct vcpu *v, struct vm_exit *exit);

/* The same as vcpu_run, but with the trap state given instead of taken from the guest:
 * the entry point for test harnesses and fuzzers. */
int vcpu_run_trap(struct vcpu *v, const struct guest_exit *trap, struct vm_exit *exit);

/* Registers: set_gpr (AxArchVCpu's set_gpr), and the return value of a call. */
int vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t value);
uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg);
void vcpu_set_return(struct vcpu *v, uint64_t value);

enum vcpu_state vcpu_state(struct vcpu *v);

/* Disarm the host timer of v's virtual timer for good: after it no callback of it runs
 * or re-arms it, and v may be freed. Not while v can exit (its VM is quiescent). */
void vcpu_vtimer_stop(struct vcpu *v);

/* Its power state as PSCI AFFINITY_INFO reports it (CPU_STATE_*): OFF once it is off
 * and has left its pCPU, ON_PENDING between power_on and its first run, else ON. */
int vcpu_power_state(struct vcpu *v);

/* The handler of a forwarded physical interrupt (the virtual timer's): it becomes a
 * hardware-linked interrupt of the vCPU that ran on this pCPU when it arrived, or is
 * deactivated at once if none did. */
void vcpu_forwarded_irq(unsigned irq, void *arg);

#endif
