/* The vCPU state machine. Transitions happen under the vCPU's lock; an illegal one
 * poisons the vCPU (UNUSABLE) so that a bug shows up as a vCPU that stops, never as a
 * context that runs in a half-changed state. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/vcpu.h"
#include "hal/cpu.h"
#include "hal/err.h"

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

int vcpu_init(struct vcpu *v, struct vm *vm, unsigned id, uint64_t affinity)
{
	if (!v || !affinity)
		return -EINVAL;
	*v = (struct vcpu){ .vm = vm, .id = id, .affinity = affinity, .lock = SPINLOCK_INIT,
			    .state = VCPU_CREATED, .pcpu = VCPU_NO_PCPU };
	arch_vcpu_init(&v->arch, id);
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

int vcpu_set_entry(struct vcpu *v, uint64_t entry, uint64_t arg)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state != VCPU_CREATED && v->state != VCPU_OFF) {
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

static bool irq_pending_locked(const struct vcpu *v)
{
	return v->pending_total != 0;
}

int vcpu_block(struct vcpu *v)
{
	int err = 0;

	spin_lock(&v->lock);
	if (v->state != VCPU_RUNNING && v->state != VCPU_BOUND)
		err = illegal(v, "block");
	else if (!irq_pending_locked(v))
		v->state = VCPU_BLOCKED; /* WFI completes at once while the line is asserted */
	spin_unlock(&v->lock);
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

int vcpu_raise_irq(struct vcpu *v, unsigned irq)
{
	if (irq >= VCPU_VIRQS)
		return -EINVAL;
	spin_lock(&v->lock);
	v->pending[irq]++;
	v->pending_total++;
	spin_unlock(&v->lock);
	return 0;
}

/* BOUND -> RUNNING, with the interrupt line asserted while anything is pending.
 * Caller holds the lock. */
static int enter_locked(struct vcpu *v)
{
	if (v->state != VCPU_BOUND || v->pcpu != hal_pcpu_id())
		return illegal(v, "run");
	arch_vcpu_set_virq(&v->arch, irq_pending_locked(v));
	v->state = VCPU_RUNNING;
	v->started = true;
	return 0;
}

int vcpu_ack_irq(struct vcpu *v)
{
	int line = -ENOENT;

	spin_lock(&v->lock);
	for (unsigned i = 0; i < VCPU_VIRQS; i++) {
		if (v->pending[i]) {
			v->pending[i]--;
			v->pending_total--;
			v->delivered[i]++;
			line = (int)i;
			break;
		}
	}
	arch_vcpu_set_virq(&v->arch, irq_pending_locked(v));
	spin_unlock(&v->lock);
	return line;
}

/* RUNNING -> BOUND after the exit (unless an exit handler already moved it). */
static void leave(struct vcpu *v, const struct vm_exit *exit)
{
	spin_lock(&v->lock);
	if (v->state == VCPU_RUNNING)
		v->state = VCPU_BOUND;
	if ((unsigned)exit->kind < EXIT_KIND_COUNT)
		v->exits[exit->kind]++;
	spin_unlock(&v->lock);
}

int vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	spin_lock(&v->lock);
	int err = enter_locked(v);
	spin_unlock(&v->lock);
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
	spin_lock(&v->lock);
	int err = enter_locked(v);
	spin_unlock(&v->lock);
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
