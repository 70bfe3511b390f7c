/* vCPUs and their life cycle (AxArchVCpu's new / set_entry / set_ept_root / setup /
 * bind / run / unbind, plus Blocked, Off and Stopped):
 *
 *   CREATED --set_entry, set_s2--> (still CREATED) --setup--> FREE
 *   FREE --bind--> BOUND --run--> RUNNING --exit--> BOUND | BLOCKED | OFF
 *   BOUND --unbind--> FREE          BLOCKED --wake--> FREE (or BOUND if still loaded)
 *   FREE --power_off--> OFF         OFF --power_on--> FREE
 *
 * Held (vcpu_stop, until vcpu_release): a held vCPU is kept off every pCPU. FREE
 * becomes STOPPED at once; BOUND or RUNNING runs on until its current exit is handled
 * and its pCPU lets go (unbind: -> STOPPED, not FREE); BLOCKED and OFF stay as they
 * are, but a wake or a power_on makes them STOPPED instead of FREE. vcpu_release ends
 * the hold: STOPPED -> FREE (runnable), anything else as it is. vcpu_reset rebuilds a
 * held vCPU that is on no pCPU: its registers from scratch, at its boot entry
 * (STOPPED) or powered off (OFF), still held.
 *
 * A vCPU that powers itself off (PSCI CPU_OFF) is OFF while its pCPU still finishes
 * the exit; only once it is unbound has it left, and only then can it be powered on
 * (or set_entry) again or look off to the guest (vcpu_power_state): its registers are
 * never written from two pCPUs.
 *
 * Every transition is checked under the vCPU's lock; an illegal one returns -EPERM and
 * leaves the vCPU UNUSABLE (it never runs again) rather than half-changed. Which lock
 * comes first when several are needed: core/lockorder.h. The transitions only change
 * state; joining a run queue (sched_make_runnable), loading a vCPU's hardware state
 * onto a pCPU and putting it back (vcpu_load / vcpu_put) and the run loop are
 * core/run.c's and core/sched.c's. */
#ifndef CORE_VCPU_H
#define CORE_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/exit.h"
#include "arch/tandem_isa.h"
#include "core/timer.h"
#include "hal/addr.h"
#include "hal/cpu.h"
#include "hal/spinlock.h"

enum vcpu_state {
	VCPU_UNUSABLE,
	VCPU_CREATED,
	VCPU_FREE,    /* set up, runnable, on no pCPU */
	VCPU_BOUND,   /* loaded on a pCPU, between runs */
	VCPU_RUNNING, /* in the guest */
	VCPU_BLOCKED, /* WFI or CPU_SUSPEND: waits for an interrupt */
	VCPU_OFF,     /* never started, or CPU_OFF */
	VCPU_STOPPED, /* held off every pCPU (vcpu_stop) until vcpu_release */
};

#define VCPU_NO_PCPU (~0u)

struct vm;
struct mmio_device;

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
	bool held;         /* vcpu_stop until vcpu_release (written under lock, read atomic) */
	/* Non-zero: something outside this vCPU's own exits (its VM stopped, a hold, its
	 * time slice over) wants the run loop's slow path, which clears it and looks at
	 * what that is (vcpu_attend; atomic, not under lock). One load on the fast path
	 * instead of one per reason. */
	uint32_t attention;
	gpa_t boot_entry;                 /* set_entry while CREATED: where a reset starts */
	uint64_t boot_arg;
	paddr_t s2_root;                  /* set_s2: what a reset gives the new registers */
	uint64_t s2_vtcr;
	uint16_t s2_vmid;
	bool queued;       /* in its home run queue's list (guarded by that queue's lock) */
	uint32_t sched_refs; /* queue entries and slices not finished with it (atomic) */
	unsigned pcpu;     /* where it is bound or running, or VCPU_NO_PCPU */
	struct vcpu *rq_next;
	struct timer vtimer;       /* fires when its virtual timer's output rises */
	/* System-counter value vtimer is armed for, or 0; guarded by the VM's interrupt
	 * lock, not by lock. */
	uint64_t vtimer_deadline;
	/* The same for its physical timer (the ISA's emulated one, ARCH_PTIMER_IRQ). */
	struct timer ptimer;
	uint64_t ptimer_deadline;

	uint64_t exits[EXIT_KIND_COUNT];
	/* The device this vCPU's last MMIO exit reached (core/vm_exit.c), tried first by
	 * the next: the VM's bus does not change once it is built. */
	const struct mmio_device *mmio_last;
};

const char *vcpu_state_name(enum vcpu_state s);

/* CREATED, as vCPU id of vm with hwid and affinity (a non-zero pCPU mask). */
int vcpu_init(struct vcpu *v, struct vm *vm, unsigned id, uint64_t affinity);
/* CREATED, or OFF and on no pCPU. */
int vcpu_set_entry(struct vcpu *v, gpa_t entry, uint64_t arg);
int vcpu_set_s2(struct vcpu *v, paddr_t root, uint16_t vmid, uint64_t vtcr); /* CREATED */
int vcpu_setup(struct vcpu *v);   /* CREATED -> FREE; entry and stage-2 must be set */
int vcpu_bind(struct vcpu *v);    /* FREE -> BOUND on the calling pCPU */
/* BOUND -> FREE (returns 1: it is runnable), or STOPPED if held (0), on the pCPU it is
 * bound to; a BLOCKED or OFF vCPU just lets go of the pCPU (returns 0). A pure
 * transition: vcpu_put (core/run.h) moves the hardware state first. */
int vcpu_unbind(struct vcpu *v);
/* Whether v is BOUND to the calling pCPU (and not running). Without v's lock: both
 * are published with release stores. */
static inline bool vcpu_bound_here(struct vcpu *v)
{
	return __atomic_load_n(&v->state, __ATOMIC_ACQUIRE) == VCPU_BOUND &&
	       __atomic_load_n(&v->pcpu, __ATOMIC_ACQUIRE) == hal_pcpu_id();
}
/* The scheduler's bind: -EAGAIN (and no poisoning) if the vCPU is not FREE any more. */
int vcpu_try_bind(struct vcpu *v);
/* FREE, BOUND, RUNNING, BLOCKED or STOPPED -> OFF (the VM stops, or CPU_OFF). */
int vcpu_power_off(struct vcpu *v);
/* OFF -> FREE (STOPPED if held) at entry with arg (PSCI CPU_ON). -EALREADY if on (also OFF but still on
 * its pCPU), -EBUSY if on but not started yet (an earlier power_on in progress); those
 * two leave the vCPU as it is. */
int vcpu_power_on(struct vcpu *v, gpa_t entry, uint64_t arg);
/* RUNNING -> BLOCKED, unless the VM's interrupt controller has an interrupt for it
 * (checked under the VM's interrupt lock, so an injection cannot slip in between). */
int vcpu_block(struct vcpu *v);
/* End a block: BLOCKED -> BOUND if it is still loaded on its pCPU, else -> FREE and 1
 * is returned: the caller must make it runnable (or -> STOPPED and 0 if held). 0
 * without change if it was not blocked. */
int vcpu_wake(struct vcpu *v);
/* vcpu_wake, and under the same lock where v runs or is loaded between runs now
 * (VCPU_NO_PCPU if it does neither): the pCPU a kick must reach. */
int vcpu_wake_at(struct vcpu *v, unsigned *where);

/* Enter the guest once and decode the exit (BOUND -> RUNNING -> BOUND): its pending
 * interrupts are handed to it before (arch_irq_flush) and taken back after
 * (arch_irq_sync). -EPERM if not BOUND here. */
int vcpu_run(struct vcpu *v, struct vm_exit *exit);

/* vcpu_run's two halves, for the run loop's fast path (core/run.c), which enters the
 * guest again at once after an exit that concerns only this vCPU: vcpu_enter (BOUND ->
 * RUNNING, interrupts into the list registers; -EPERM if not BOUND here) and
 * vcpu_leave (interrupts back, the virtual timer looked at, RUNNING -> BOUND, the exit
 * counted). vcpu_count_exit counts one exit by kind (per-kind totals in exits[]). */
int vcpu_enter(struct vcpu *v);
void vcpu_leave(struct vcpu *v, const struct vm_exit *exit);
static inline void vcpu_count_exit(struct vcpu *v, const struct vm_exit *exit)
{
	/* Only the pCPU that runs v counts its exits (a vCPU changes pCPU under its
	 * lock): a load and a store, atomic for the readers, need no read-modify-write. */
	if ((unsigned)exit->kind < EXIT_KIND_COUNT) {
		uint64_t *n = &v->exits[exit->kind];
		__atomic_store_n(n, __atomic_load_n(n, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
	}
}

/* Exits of kind v had: those core counted (exits[]) and those the ISA code answered
 * where they were taken (arch_vcpu_early_exits). */
static inline uint64_t vcpu_exit_count(const struct vcpu *v, enum exit_kind kind)
{
	if ((unsigned)kind >= EXIT_KIND_COUNT)
		return 0;
	return __atomic_load_n(&v->exits[kind], __ATOMIC_RELAXED) +
	       arch_vcpu_early_exits(&v->arch, kind);
}

/* The same as vcpu_run, but with the trap state given instead of taken from the guest:
 * the entry point for test harnesses and fuzzers. */
int vcpu_run_trap(struct vcpu *v, const struct guest_exit *trap, struct vm_exit *exit);

/* Make v's run loop leave its fast path after its current exit: call after changing
 * what the slow path looks at (the VM's state, the hold, the time slice). Taking it
 * clears it (vcpu_take_attention), with a full barrier after, so that whatever was
 * changed before the matching vcpu_attend is seen by the loads that follow. */
void vcpu_attend(struct vcpu *v);
void vcpu_take_attention(struct vcpu *v);

/* Registers: set_gpr (AxArchVCpu's set_gpr), and the return value of a call. */
int vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t value);
uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg);
void vcpu_set_return(struct vcpu *v, uint64_t value);

enum vcpu_state vcpu_state(struct vcpu *v);

/* Hold v off every pCPU (see the diagram). 1 if it is off every pCPU now (the caller
 * takes it out of its run queue, where it may still wait), 0 if it is on a pCPU and
 * will leave it after its current exit (the caller makes that pCPU look: an IPI).
 * -EPERM (no poisoning) for a vCPU never set up or unusable. */
int vcpu_stop(struct vcpu *v);
/* End the hold: 1 if it was STOPPED and is FREE now (the caller makes it runnable). */
int vcpu_release(struct vcpu *v);
/* Held and on no pCPU: it cannot run until released. */
bool vcpu_stopped(struct vcpu *v);
/* Held (the run loop's check after each exit; no lock). */
bool vcpu_held(const struct vcpu *v);
/* Rebuild a stopped vCPU: registers from scratch (arch_vcpu_init, its stage-2 again),
 * at its boot entry and argument in STOPPED if boot, else OFF; still held, its PSCI
 * state ON_PENDING / OFF. -EPERM (no poisoning) unless held and on no pCPU. */
int vcpu_reset(struct vcpu *v, bool boot);

/* Its power state as PSCI AFFINITY_INFO reports it (CPU_STATE_*): OFF once it is off
 * and has left its pCPU, ON_PENDING between power_on and its first run, else ON. */
int vcpu_power_state(struct vcpu *v);

#endif
