/* The guest's virtual timer (the generic timer's EL1 virtual timer on aarch64): its
 * output becomes the vCPU's level-sensitive interrupt ARCH_VTIMER_IRQ. While the vCPU
 * is loaded on the hardware (running, or waiting loaded in WFI) its timer interrupt is
 * a physical one forwarded to it (vtimer_forwarded_irq); a host timer stands in for it
 * only while the vCPU is put, or always where the loaded timer raises nothing itself
 * (the simulation host: hal_guest_vtimer_live). Its physical timer (aarch64: the EL1
 * physical timer) traps at every access: it is the vCPU's state (arch_ptimer_access),
 * with a host timer that raises its line ARCH_PTIMER_IRQ at its deadline and every
 * write bringing the line and that timer up to date. */
#include <stddef.h>

#include "core/sched.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal/err.h"
#include "hal/guest.h"
#include "hal/irq.h"
#include "hal/muldiv.h"
#include "hal/time.h"

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

/* A host timer stands in for the virtual timer while the vCPU is put, and at all times
 * where the loaded timer raises no interrupt itself (!hal_guest_vtimer_live). Its
 * expiry is only a hint: the line rises when the guest's timer condition holds as the
 * guest left its registers at its last exit (CNTV_CTL_EL0 ENABLE set and IMASK clear,
 * CNTVCT_EL0 >= CVAL: vtimer_deadline, non-zero only for an enabled, unmasked timer, is
 * CVAL on the system counter); before that the host timer is armed again, and a stale
 * expiry (the guest has turned its timer off since, or the VM is going) does nothing.
 * Under the VM's interrupt lock, which also serialises it with vtimer_arm_locked, so
 * that it can neither re-arm a deadline the guest has just withdrawn nor raise the line
 * after the exit lowered it. */
static void fired(struct vcpu *v, struct timer *t, const uint64_t *armed, unsigned irq)
{
	uint64_t kick = 0;

	spin_lock(&v->vm->irq_lock);
	uint64_t deadline = *armed;
	if (deadline && hal_counter() >= deadline)
		arch_irq_set_level(&v->vm->arch, v->id, irq, true, &kick);
	else if (deadline)
		timer_arm(t, counter_to_ns(deadline)); /* early: c - now >= 1 tick ahead */
	spin_unlock(&v->vm->irq_lock);
	vm_kick_vcpus(v->vm, kick);
}

static void vtimer_fired(struct timer *t, void *arg)
{
	struct vcpu *v = arg;

	fired(v, t, &v->vtimer_deadline, ARCH_VTIMER_IRQ);
}

/* The physical timer's host timer: the same, for its deadline and its line. */
static void ptimer_fired(struct timer *t, void *arg)
{
	struct vcpu *v = arg;

	fired(v, t, &v->ptimer_deadline, ARCH_PTIMER_IRQ);
}

/* The virtual timer's line as the guest left its registers; returns the deadline it
 * set, if any. A vCPU that may be waiting (not in its own exit) is woken through kick.
 * Caller holds the VM's interrupt lock. */
static uint64_t vtimer_update_locked(struct vcpu *v, uint64_t *kick)
{
	uint64_t deadline;
	bool level = arch_vtimer(&v->arch, hal_counter(), &deadline);

	arch_irq_set_level(&v->vm->arch, v->id, ARCH_VTIMER_IRQ, level, kick);
	return deadline;
}

/* Arm t for deadline (0: disarm) unless it is so already. Caller holds the VM's
 * interrupt lock, which guards *armed. */
static void arm_locked(struct timer *t, uint64_t *armed, uint64_t deadline)
{
	if (deadline == *armed)
		return;
	*armed = deadline;
	if (deadline)
		timer_arm(t, counter_to_ns(deadline));
	else
		timer_cancel(t);
}

static void vtimer_arm_locked(struct vcpu *v, uint64_t deadline)
{
	arm_locked(&v->vtimer, &v->vtimer_deadline, deadline);
}

void vtimer_stop(struct vcpu *v)
{
	if (v->vm) {
		spin_lock(&v->vm->irq_lock);
		vtimer_arm_locked(v, 0); /* from now on no callback re-arms either */
		arm_locked(&v->ptimer, &v->ptimer_deadline, 0);
		spin_unlock(&v->vm->irq_lock);
	}
	timer_cancel_sync(&v->vtimer);
	timer_cancel_sync(&v->ptimer);
}

void vtimer_init(struct vcpu *v)
{
	timer_init(&v->vtimer, vtimer_fired, v);
	v->vtimer_deadline = 0;
	timer_init(&v->ptimer, ptimer_fired, v);
	v->ptimer_deadline = 0;
}

int ptimer_access(struct vcpu *v, struct exit_sysreg *s, bool read)
{
	if (!v->vm)
		return -ENOENT;
	spin_lock(&v->vm->irq_lock);
	uint64_t now = hal_counter(), deadline;
	int err = arch_ptimer_access(&v->arch, s, read, now);
	if (!err && !read) {
		/* The vCPU is in its exit: the line it now has reaches it at its entry. */
		bool level = arch_ptimer(&v->arch, now, &deadline);
		arch_irq_set_level(&v->vm->arch, v->id, ARCH_PTIMER_IRQ, level, NULL);
		arm_locked(&v->ptimer, &v->ptimer_deadline, deadline);
	}
	spin_unlock(&v->vm->irq_lock);
	return err;
}

void vtimer_sync_locked(struct vcpu *v)
{
	uint64_t deadline = vtimer_update_locked(v, NULL); /* in its exit: it looks itself */

	if (!hal_guest_vtimer_live())
		vtimer_arm_locked(v, deadline);
}

void vtimer_load(struct vcpu *v)
{
	if (!v->vm || !hal_guest_vtimer_live())
		return;
	spin_lock(&v->vm->irq_lock);
	vtimer_arm_locked(v, 0); /* the hardware's timer raises it from now on */
	spin_unlock(&v->vm->irq_lock);
}

/* A vCPU put while it waits loaded in WFI may have had its deadline pass with the
 * physical interrupt still pending, which masking the put timer withdrew: the line,
 * high now, must wake it. */
void vtimer_put_locked(struct vcpu *v, uint64_t *kick)
{
	if (hal_guest_vtimer_live())
		vtimer_arm_locked(v, vtimer_update_locked(v, kick));
}

void vtimer_forwarded_irq(unsigned irq, void *arg)
{
	struct vcpu *v = sched_current();
	int err = -ENOENT;

	uint64_t kick = 0;

	(void)arg;
	/* v has just left the guest on this pCPU for this interrupt and takes it at its
	 * next entry, or waits here loaded in WFI (core/sched.c), which the kick wakes. */
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
	vm_kick_vcpus(v->vm, kick);
}
