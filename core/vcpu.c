/* The vCPU state machine. Transitions happen under the vCPU's lock; an illegal one
 * poisons the vCPU (UNUSABLE) so that a bug shows up as a vCPU that stops, never as a
 * context that runs in a half-changed state. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/muldiv.h"
#include "core/vcpu.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/guest.h"
#include "hal/irq.h"
#include "hal/time.h"

static const char *const state_names[] = {
	[VCPU_UNUSABLE] = "unusable", [VCPU_CREATED] = "created", [VCPU_FREE] = "free",
	[VCPU_BOUND] = "bound",       [VCPU_RUNNING] = "running", [VCPU_BLOCKED] = "blocked",
	[VCPU_OFF] = "off",
};

const char *vcpu_state_name(enum vcpu_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

/* Refuse a transition from the wrong state: poison the vCPU. Caller holds the lock. */
static int illegal(struct vcpu *v, const char *what)
{
	log_err("vcpu %u: %s in state %s: vCPU made unusable", v->id, what,
		vcpu_state_name(v->state));
	v->state = VCPU_UNUSABLE;
	return -EPERM;
}

static void vtimer_fired(struct timer *t, void *arg);

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
	timer_init(&v->vtimer, vtimer_fired, v);
	v->hwid = arch_vcpu_hwid(id);
	v->home = (unsigned)__builtin_ctzll(affinity);
	return 0;
}

enum vcpu_state vcpu_state(struct vcpu *v)
{
	spin_lock(&v->lock);
	enum vcpu_state s = v->state;
	spin_unlock(&v->lock);
	return s;
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

int vcpu_set_entry(struct vcpu *v, uint64_t entry, uint64_t arg)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state != VCPU_CREATED && !left_off(v)) {
		err = illegal(v, "set_entry");
	} else {
		arch_vcpu_set_entry(&v->arch, entry, arg);
		v->entry_set = true;
	}
	spin_unlock(&v->lock);
	return err;
}

int vcpu_set_s2(struct vcpu *v, uint64_t root, uint16_t vmid, uint64_t vtcr)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state != VCPU_CREATED) {
		err = illegal(v, "set_s2");
	} else {
		arch_vcpu_set_s2(&v->arch, root, vmid, vtcr);
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
		v->state = VCPU_FREE;
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
		v->state = VCPU_BOUND;
		v->pcpu = hal_pcpu_id();
	}
	spin_unlock(&v->lock);
	return err;
}

int vcpu_unbind(struct vcpu *v)
{
	int err = 0, runnable = 0;

	if (v->vm && v->pcpu == hal_pcpu_id()) { /* only this pCPU changes it now */
		/* Physical interrupts left active for it here must not outlive its stay. */
		hal_guest_unload();
		spin_lock(&v->vm->irq_lock);
		arch_irq_put(&v->vm->arch, v->id);
		spin_unlock(&v->vm->irq_lock);
	}

	spin_lock(&v->lock);
	if (v->state == VCPU_BOUND && v->pcpu == hal_pcpu_id()) {
		v->state = VCPU_FREE;
		runnable = 1;
	} else if ((v->state != VCPU_BLOCKED && v->state != VCPU_OFF && v->state != VCPU_UNUSABLE) ||
		   v->pcpu != hal_pcpu_id()) {
		err = illegal(v, "unbind");
	}
	if (!err)
		v->pcpu = VCPU_NO_PCPU;
	spin_unlock(&v->lock);
	return err ? err : runnable;
}

int vcpu_power_off(struct vcpu *v)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state == VCPU_FREE || v->state == VCPU_RUNNING || v->state == VCPU_BOUND ||
	    v->state == VCPU_BLOCKED)
		v->state = VCPU_OFF;
	else if (v->state != VCPU_OFF)
		err = illegal(v, "power_off");
	spin_unlock(&v->lock);
	return err;
}

int vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t arg)
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
		v->state = VCPU_FREE;
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
		v->state = VCPU_BLOCKED; /* WFI completes at once with an interrupt pending */
	spin_unlock(&v->lock);
	irq_unlock(v);
	return err;
}

int vcpu_wake(struct vcpu *v)
{
	int enqueue = 0;

	spin_lock(&v->lock);
	if (v->state == VCPU_BLOCKED) {
		/* Still loaded on its pCPU: it simply goes on running there. */
		enqueue = v->pcpu == VCPU_NO_PCPU;
		v->state = enqueue ? VCPU_FREE : VCPU_BOUND;
	}
	spin_unlock(&v->lock);
	return enqueue;
}

int vcpu_try_bind(struct vcpu *v)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state == VCPU_FREE) {
		v->state = VCPU_BOUND;
		v->pcpu = hal_pcpu_id();
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
	v->state = VCPU_RUNNING;
	v->started = true;
	return 0;
}

static int enter(struct vcpu *v)
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

/* The system counter value c as hal_now_ns() time: the first nanosecond at which the
 * counter has reached c, or UINT64_MAX if that lies past 2^64 ns (never, in practice).
 * Rounded up, so that a host timer at this instant never expires before the counter
 * reaches c at a frequency that does not divide 1 GHz: the counter is read before the
 * clock, so ns is at or after the instant the counter became now, and c - now ticks
 * later is at most ceil((c - now) * 10^9 / hz) ns after that. */
static uint64_t counter_to_ns(uint64_t c)
{
	uint64_t now = hal_counter(), ns = hal_now_ns(), hz = hal_counter_hz();

	if (c <= now)
		return ns;
	/* Outside hal/time.h's 1 .. 2^32 - 1 the instant is wrong, but vtimer_fired's
	 * re-check still keeps the interrupt from coming early. */
	hz = hz ? (hz > UINT32_MAX ? UINT32_MAX : hz) : 1;
	return add_sat(ns, muldiv_ceil(c - now, MULDIV_NS_PER_S, (uint32_t)hz));
}

/* A host timer stands in for the virtual timer while the vCPU runs, waits or is not
 * scheduled. Its expiry is only a hint: the line rises when the guest's timer
 * condition holds as the guest left its registers at its last exit (CNTV_CTL_EL0
 * ENABLE set and IMASK clear, CNTVCT_EL0 >= CVAL: vtimer_deadline, non-zero only for
 * an enabled, unmasked timer, is CVAL on the system counter); before that the host
 * timer is armed again, and a stale expiry (the guest has turned its timer off since,
 * or the VM is going) does nothing. Under the VM's interrupt lock, which also
 * serialises it with vtimer_arm_locked, so that it can neither re-arm a deadline the
 * guest has just withdrawn nor raise the line after the exit lowered it. */
static void vtimer_fired(struct timer *t, void *arg)
{
	struct vcpu *v = arg;
	uint64_t kick = 0;

	spin_lock(&v->vm->irq_lock);
	uint64_t deadline = v->vtimer_deadline;
	if (deadline && hal_counter() >= deadline)
		arch_irq_set_level(&v->vm->arch, v->id, ARCH_VTIMER_IRQ, true, &kick);
	else if (deadline)
		timer_arm(t, counter_to_ns(deadline)); /* early: c - now >= 1 tick ahead */
	spin_unlock(&v->vm->irq_lock);
	vm_kick_vcpus(v->vm, kick);
}

/* After an exit: the virtual timer's line as the guest left its registers, and the
 * host timer for the deadline it set, if any. Caller holds the VM's interrupt lock. */
static uint64_t vtimer_update_locked(struct vcpu *v)
{
	uint64_t deadline;
	bool level = arch_vtimer(&v->arch, hal_counter(), &deadline);

	arch_irq_set_level(&v->vm->arch, v->id, ARCH_VTIMER_IRQ, level, NULL);
	return deadline;
}

/* Caller holds the VM's interrupt lock. */
static void vtimer_arm_locked(struct vcpu *v, uint64_t deadline)
{
	if (deadline == v->vtimer_deadline)
		return;
	v->vtimer_deadline = deadline;
	if (deadline)
		timer_arm(&v->vtimer, counter_to_ns(deadline));
	else
		timer_cancel(&v->vtimer);
}

void vcpu_vtimer_stop(struct vcpu *v)
{
	if (v->vm) {
		spin_lock(&v->vm->irq_lock);
		vtimer_arm_locked(v, 0); /* from now on no callback re-arms it */
		spin_unlock(&v->vm->irq_lock);
	}
	timer_cancel_sync(&v->vtimer);
}

/* RUNNING -> BOUND after the exit (unless an exit handler already moved it), its
 * interrupts back in the controller and its virtual timer looked at. */
static void leave(struct vcpu *v, const struct vm_exit *exit)
{
	if (v->vm) {
		uint64_t kick = 0;
		spin_lock(&v->vm->irq_lock);
		arch_irq_sync(&v->vm->arch, &v->arch, &kick);
		vtimer_arm_locked(v, vtimer_update_locked(v));
		spin_unlock(&v->vm->irq_lock);
		if (kick) /* an interrupt it held was rerouted meanwhile */
			vm_kick_vcpus(v->vm, kick);
	}
	spin_lock(&v->lock);
	if (v->state == VCPU_RUNNING)
		v->state = VCPU_BOUND;
	if ((unsigned)exit->kind < EXIT_KIND_COUNT)
		v->exits[exit->kind]++;
	spin_unlock(&v->lock);
}

int vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	int err = enter(v);

	if (err)
		return err;
	err = arch_vcpu_run(&v->arch, exit);
	leave(v, exit);
	return err;
}

int vcpu_run_trap(struct vcpu *v, const struct guest_exit *trap, struct vm_exit *exit)
{
	if (!trap || !exit)
		return -EINVAL;
	int err = enter(v);
	if (err)
		return err;
	arch_vcpu_decode(&v->arch, trap, exit);
	leave(v, exit);
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

void vcpu_forwarded_irq(unsigned irq, void *arg)
{
	struct vcpu *v = sched_current();
	uint64_t kick = 0;
	int err = -ENOENT;

	(void)arg;
	if (v && v->vm) {
		spin_lock(&v->vm->irq_lock);
		err = arch_irq_forward(&v->vm->arch, v->id, irq, &kick);
		spin_unlock(&v->vm->irq_lock);
	}
	if (err) {
		hal_irq_deactivate(irq);
		return;
	}
	__atomic_fetch_add(&v->vm->irqs_forwarded, 1, __ATOMIC_RELAXED);
}
