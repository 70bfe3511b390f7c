/* The run loop of one vCPU on one pCPU (run.h): load, enter the guest and handle its
 * exits until something ends its stay, put. */
#include <stddef.h>

#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal/cpu.h"

static bool vm_stopping(const struct vcpu *v)
{
	return v->vm && __atomic_load_n(&v->vm->state, __ATOMIC_ACQUIRE) == VM_STOPPED;
}

int vcpu_load(struct vcpu *v)
{
	int err = vcpu_try_bind(v);

	if (!err) {
		arch_vcpu_load(&v->arch);
		vtimer_load(v);
	}
	return err;
}

int vcpu_put(struct vcpu *v)
{
	if (v->vm && v->pcpu == hal_pcpu_id()) { /* only this pCPU changes it now */
		uint64_t kick = 0;
		arch_vcpu_put(&v->arch);
		/* Physical interrupts left active for it here must not outlive its stay. */
		spin_lock(&v->vm->irq_lock);
		arch_irq_put(&v->vm->arch, v->id);
		vtimer_put_locked(v, &kick); /* masked in the hardware now: a host timer stands in */
		spin_unlock(&v->vm->irq_lock);
		if (kick) /* its deadline passed while it waited here: still loaded, it is woken */
			vm_kick_vcpus(v->vm, kick);
	}
	return vcpu_unbind(v);
}

/* Alone on the pCPU a vCPU's WFE does not trap: it waits in the hardware for its
 * event, as it would on a machine of its own. Once another vCPU is queued here the
 * enqueuer's kick makes it exit, and the next entry traps WFE, which then yields (KVM
 * does the same). A hold (vcpu_stop) is looked at after every exit: the stopper's IPI
 * makes the guest exit. */
void run_vcpu(struct vcpu *v)
{
	while (!vm_stopping(v) && !vcpu_held(v)) {
		struct vm_exit exit;
		bool handled;
		arch_vcpu_trap_wfe(&v->arch, sched_others_waiting());
		if (vcpu_enter(v))
			break; /* not BOUND any more: poisoned */
		/* The fast path: an exit that concerns only this vCPU is handled as it
		 * stands and the guest entered again, without a sync and a flush of its
		 * interrupts, for as long as nothing else needs looking at. */
		bool fast = vm_may_reenter(v);
		for (;;) {
			handled = !arch_vcpu_run(&v->arch, &exit) && fast &&
				  vm_handle_local_exit(v, &exit);
			if (!handled || !(fast = vm_may_reenter(v)))
				break;
			vcpu_count_exit(v, &exit);
		}
		vcpu_leave(v, &exit);
		if (!handled)
			vm_handle_exit(v, &exit);
		if (vcpu_state(v) != VCPU_BOUND || sched_slice_over())
			break;
	}
	if (vm_stopping(v))
		vcpu_power_off(v);
}
