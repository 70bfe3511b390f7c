/* The vCPU state machine. Transitions happen under the vCPU's lock; an illegal one
 * poisons the vCPU (UNUSABLE) so that a bug shows up as a vCPU that stops, never as a
 * context that runs in a half-changed state. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/irq.h"
#include "hal/time.h"

static const char *const state_names[] = {
	[VCPU_UNUSABLE] = "unusable", [VCPU_CREATED] = "created", [VCPU_FREE] = "free",
	[VCPU_BOUND] = "bound",       [VCPU_RUNNING] = "running", [VCPU_BLOCKED] = "blocked",
	[VCPU_OFF] = "off",           [VCPU_STOPPED] = "stopped",
};

const char *vcpu_state_name(enum vcpu_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

/* Every change of state, under the lock: also a release store, so that vcpu_state and
 * vcpu_bound_here can read it without the lock. */
static void set_state(struct vcpu *v, enum vcpu_state s)
{
	__atomic_store_n(&v->state, s, __ATOMIC_RELEASE);
}

/* Refuse a transition from the wrong state: poison the vCPU. Caller holds the lock. */
static int illegal(struct vcpu *v, const char *what)
{
	log_err("vcpu %u: %s in state %s: vCPU made unusable", v->id, what,
		vcpu_state_name(v->state));
	set_state(v, VCPU_UNUSABLE);
	return -EPERM;
}

/* OFF and on no pCPU any more. A vCPU that has powered itself off is OFF before its
 * pCPU has finished the exit and let go of it (vcpu_unbind); until then its registers
 * are that pCPU's, and it is not off for anyone else. Caller holds the lock. */
static bool left_off(const struct vcpu *v)
{
	return v->state == VCPU_OFF && v->pcpu == VCPU_NO_PCPU;
}

int vcpu_init(struct vcpu *v, struct vm *vm, unsigned id, uint64_t affinity)
{
	if (!v || !affinity)
		return -EINVAL;
	*v = (struct vcpu){ .vm = vm, .id = id, .affinity = affinity, .lock = SPINLOCK_INIT,
			    .state = VCPU_CREATED, .pcpu = VCPU_NO_PCPU };
	arch_vcpu_init(&v->arch, id);
	arch_vcpu_set_early(&v->arch, vm ? &vm->early : NULL);
	vtimer_init(v);
	v->hwid = arch_vcpu_hwid(id);
	v->home = (unsigned)__builtin_ctzll(affinity);
	return 0;
}

enum vcpu_state vcpu_state(struct vcpu *v)
{
	return __atomic_load_n(&v->state, __ATOMIC_ACQUIRE); /* set_state */
}

int vcpu_power_state(struct vcpu *v)
{
	int s;

	spin_lock(&v->lock);
	if (v->state == VCPU_UNUSABLE || left_off(v))
		s = CPU_STATE_OFF;
	else
		s = v->started || v->state == VCPU_OFF ? CPU_STATE_ON : CPU_STATE_ON_PENDING;
	spin_unlock(&v->lock);
	return s;
}

int vcpu_set_entry(struct vcpu *v, gpa_t entry, uint64_t arg)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state != VCPU_CREATED && !left_off(v)) {
		err = illegal(v, "set_entry");
	} else {
		arch_vcpu_set_entry(&v->arch, entry, arg);
		if (v->state == VCPU_CREATED) {
			v->boot_entry = entry;
			v->boot_arg = arg;
		}
		v->entry_set = true;
	}
	spin_unlock(&v->lock);
	return err;
}

int vcpu_set_s2(struct vcpu *v, paddr_t root, uint16_t vmid, uint64_t vtcr)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state != VCPU_CREATED) {
		err = illegal(v, "set_s2");
	} else {
		arch_vcpu_set_s2(&v->arch, root, vmid, vtcr);
		v->s2_root = root;
		v->s2_vmid = vmid;
		v->s2_vtcr = vtcr;
		v->s2_set = true;
	}
	spin_unlock(&v->lock);
	return err;
}

int vcpu_setup(struct vcpu *v)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state != VCPU_CREATED || !v->entry_set || !v->s2_set)
		err = illegal(v, "setup");
	else
		set_state(v, VCPU_FREE);
	spin_unlock(&v->lock);
	return err;
}

int vcpu_bind(struct vcpu *v)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state != VCPU_FREE) {
		err = illegal(v, "bind");
	} else {
		set_state(v, VCPU_BOUND);
		__atomic_store_n(&v->pcpu, hal_pcpu_id(), __ATOMIC_RELEASE);
	}
	spin_unlock(&v->lock);
	return err;
}

int vcpu_unbind(struct vcpu *v)
{
	int err = 0, runnable = 0;

	spin_lock(&v->lock);
	if (v->state == VCPU_BOUND && v->pcpu == hal_pcpu_id()) {
		set_state(v, v->held ? VCPU_STOPPED : VCPU_FREE);
		runnable = !v->held;
	} else if ((v->state != VCPU_BLOCKED && v->state != VCPU_OFF && v->state != VCPU_UNUSABLE) ||
		   v->pcpu != hal_pcpu_id()) {
		err = illegal(v, "unbind");
	}
	if (!err)
		__atomic_store_n(&v->pcpu, VCPU_NO_PCPU, __ATOMIC_RELEASE);
	spin_unlock(&v->lock);
	return err ? err : runnable;
}

int vcpu_power_off(struct vcpu *v)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state == VCPU_FREE || v->state == VCPU_RUNNING || v->state == VCPU_BOUND ||
	    v->state == VCPU_BLOCKED || v->state == VCPU_STOPPED)
		set_state(v, VCPU_OFF);
	else if (v->state != VCPU_OFF)
		err = illegal(v, "power_off");
	spin_unlock(&v->lock);
	return err;
}

int vcpu_power_on(struct vcpu *v, gpa_t entry, uint64_t arg)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state == VCPU_UNUSABLE || v->state == VCPU_CREATED) {
		err = -EPERM;
	} else if (v->state == VCPU_OFF && !left_off(v)) {
		err = -EALREADY; /* still powering down on its pCPU: on until it has left */
	} else if (v->state != VCPU_OFF) {
		err = v->started ? -EALREADY : -EBUSY;
	} else {
		arch_vcpu_set_entry(&v->arch, entry, arg);
		set_state(v, v->held ? VCPU_STOPPED : VCPU_FREE);
		v->started = false;
	}
	spin_unlock(&v->lock);
	return err;
}

int vcpu_stop(struct vcpu *v)
{
	int ret;

	spin_lock(&v->lock);
	if (v->state == VCPU_UNUSABLE || v->state == VCPU_CREATED) {
		ret = -EPERM;
	} else {
		__atomic_store_n(&v->held, true, __ATOMIC_RELEASE);
		if (v->state == VCPU_FREE)
			set_state(v, VCPU_STOPPED);
		ret = v->pcpu == VCPU_NO_PCPU;
	}
	spin_unlock(&v->lock);
	if (ret >= 0)
		vcpu_attend(v);
	return ret;
}

void vcpu_attend(struct vcpu *v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&v->attention, 1, __ATOMIC_SEQ_CST);
}

void vcpu_take_attention(struct vcpu *v)
{
	__atomic_store_n(&v->attention, 0, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int vcpu_release(struct vcpu *v)
{
	int runnable = 0;

	spin_lock(&v->lock);
	__atomic_store_n(&v->held, false, __ATOMIC_RELEASE);
	if (v->state == VCPU_STOPPED) {
		set_state(v, VCPU_FREE);
		runnable = 1;
	}
	spin_unlock(&v->lock);
	return runnable;
}

bool vcpu_stopped(struct vcpu *v)
{
	spin_lock(&v->lock);
	bool stopped = v->held && v->pcpu == VCPU_NO_PCPU;
	spin_unlock(&v->lock);
	return stopped;
}

bool vcpu_held(const struct vcpu *v)
{
	return __atomic_load_n(&v->held, __ATOMIC_ACQUIRE);
}

int vcpu_reset(struct vcpu *v, bool boot)
{
	int err = 0;

	spin_lock(&v->lock);
	if (!v->held || v->pcpu != VCPU_NO_PCPU || v->state == VCPU_UNUSABLE ||
	    v->state == VCPU_CREATED) {
		err = -EPERM;
	} else {
		arch_vcpu_init(&v->arch, v->id);
		arch_vcpu_set_early(&v->arch, v->vm ? &v->vm->early : NULL);
		arch_vcpu_set_s2(&v->arch, v->s2_root, v->s2_vmid, v->s2_vtcr);
		arch_vcpu_set_entry(&v->arch, boot ? v->boot_entry : gpa_make(0),
				    boot ? v->boot_arg : 0);
		set_state(v, boot ? VCPU_STOPPED : VCPU_OFF);
		v->started = false;
	}
	spin_unlock(&v->lock);
	return err;
}

/* The VM's interrupt lock, taken before the vCPU's. A vCPU outside any VM (tests of
 * the state machine alone) has no interrupt controller. */
static void irq_lock(struct vcpu *v)
{
	if (v->vm)
		spin_lock(&v->vm->irq_lock);
}

static void irq_unlock(struct vcpu *v)
{
	if (v->vm)
		spin_unlock(&v->vm->irq_lock);
}

int vcpu_block(struct vcpu *v)
{
	int err = 0;

	irq_lock(v);
	spin_lock(&v->lock);
	if (v->state != VCPU_RUNNING && v->state != VCPU_BOUND)
		err = illegal(v, "block");
	else if (!v->vm || !arch_irq_pending(&v->vm->arch, v->id))
		set_state(v, VCPU_BLOCKED); /* WFI completes at once with an interrupt pending */
	spin_unlock(&v->lock);
	irq_unlock(v);
	return err;
}

int vcpu_wake_at(struct vcpu *v, unsigned *where)
{
	int enqueue = 0;

	spin_lock(&v->lock);
	if (v->state == VCPU_BLOCKED) {
		/* Still loaded on its pCPU: it simply goes on running there. */
		bool loaded = v->pcpu != VCPU_NO_PCPU;
		enqueue = !loaded && !v->held;
		set_state(v, loaded ? VCPU_BOUND : v->held ? VCPU_STOPPED : VCPU_FREE);
	}
	if (where)
		*where = v->state == VCPU_RUNNING || v->state == VCPU_BOUND ? v->pcpu : VCPU_NO_PCPU;
	spin_unlock(&v->lock);
	return enqueue;
}

int vcpu_wake(struct vcpu *v)
{
	return vcpu_wake_at(v, NULL);
}

/* Without the lock: only this pCPU binds a vCPU here or lets it go from here, so what
 * it reads of a vCPU bound here cannot change under it, and a vCPU bound elsewhere
 * never reads as here. */
int vcpu_try_bind(struct vcpu *v)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state == VCPU_FREE) {
		set_state(v, VCPU_BOUND);
		__atomic_store_n(&v->pcpu, hal_pcpu_id(), __ATOMIC_RELEASE);
	} else {
		err = -EAGAIN;
	}
	spin_unlock(&v->lock);
	return err;
}

/* BOUND -> RUNNING, its interrupts in its list registers. Caller holds the VM's
 * interrupt lock and the vCPU's lock. */
static int enter_locked(struct vcpu *v, uint64_t *kick)
{
	if (v->state != VCPU_BOUND || v->pcpu != hal_pcpu_id())
		return illegal(v, "run");
	if (v->vm)
		arch_irq_flush(&v->vm->arch, &v->arch, kick);
	set_state(v, VCPU_RUNNING);
	v->started = true;
	return 0;
}

int vcpu_enter(struct vcpu *v)
{
	uint64_t kick = 0;

	irq_lock(v);
	spin_lock(&v->lock);
	int err = enter_locked(v, &kick);
	spin_unlock(&v->lock);
	irq_unlock(v);
	if (kick)
		vm_kick_vcpus(v->vm, kick);
	return err;
}

/* RUNNING -> BOUND after the exit (unless an exit handler already moved it), its
 * interrupts back in the controller and its virtual timer looked at. */
void vcpu_leave(struct vcpu *v, const struct vm_exit *exit)
{
	if (v->vm) {
		uint64_t kick = 0;
		spin_lock(&v->vm->irq_lock);
		arch_irq_sync(&v->vm->arch, &v->arch, &kick);
		vtimer_sync_locked(v);
		spin_unlock(&v->vm->irq_lock);
		if (kick) /* an interrupt it held was rerouted meanwhile */
			vm_kick_vcpus(v->vm, kick);
	}
	spin_lock(&v->lock);
	if (v->state == VCPU_RUNNING)
		set_state(v, VCPU_BOUND);
	spin_unlock(&v->lock);
	vcpu_count_exit(v, exit);
}

int vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	int err = vcpu_enter(v);

	if (err)
		return err;
	err = arch_vcpu_run(&v->arch, exit);
	vcpu_leave(v, exit);
	return err;
}

int vcpu_run_trap(struct vcpu *v, const struct guest_exit *trap, struct vm_exit *exit)
{
	if (!trap || !exit)
		return -EINVAL;
	int err = vcpu_enter(v);
	if (err)
		return err;
	arch_vcpu_decode(&v->arch, trap, exit);
	vcpu_leave(v, exit);
	return 0;
}

int vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t value)
{
	return arch_vcpu_set_gpr(&v->arch, reg, value);
}

uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg)
{
	return arch_vcpu_get_gpr(&v->arch, reg);
}

void vcpu_set_return(struct vcpu *v, uint64_t value)
{
	arch_vcpu_set_return(&v->arch, value);
}
