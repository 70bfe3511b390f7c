/* A VM's run-time control (see vm.h): starting and stopping it, holding and releasing
 * its vCPUs, resetting it, and getting interrupts to its vCPUs wherever they are
 * (woken, kicked out of the guest with an IPI, or queued). Creating and destroying a
 * VM is vm.c's. Lock order: core/lockorder.h. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/irq.h"
#include "hal/time.h"

int vm_start(struct vm *vm)
{
	if (!vm)
		return -EINVAL;
	uint32_t expected = VM_CREATED;
	if (!__atomic_compare_exchange_n(&vm->state, &expected, VM_RUNNING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return -EPERM;
	log_info("vm %u (%s): start, %u vCPUs", vm->id, vm->name, vm->nvcpus);
	sched_make_runnable(&vm->vcpus[0]);
	return 0;
}

void vm_stop(struct vm *vm, enum vm_stop_reason reason)
{
	uint32_t old = __atomic_exchange_n(&vm->state, VM_STOPPED, __ATOMIC_ACQ_REL);

	if (old != VM_STOPPED)
		__atomic_store_n(&vm->stop_reason, reason, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		vcpu_attend(v);
		spin_lock(&v->lock);
		unsigned where = v->pcpu;
		if (v->state == VCPU_FREE || v->state == VCPU_BLOCKED || v->state == VCPU_STOPPED)
			__atomic_store_n(&v->state, v->pcpu == VCPU_NO_PCPU ? VCPU_OFF : v->state,
					 __ATOMIC_RELEASE); /* as vcpu.c's set_state */
		spin_unlock(&v->lock);
		if (where != VCPU_NO_PCPU)
			hal_ipi_send(where, IPI_KICK); /* its pCPU notices the stop */
	}
}

bool vm_quiescent(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		spin_lock(&v->lock);
		bool on_cpu = v->pcpu != VCPU_NO_PCPU;
		spin_unlock(&v->lock);
		if (on_cpu || __atomic_load_n(&v->sched_refs, __ATOMIC_ACQUIRE))
			return false;
	}
	return true;
}

int vm_vcpu_resides_on(struct vm *vm, unsigned vcpu_id, unsigned *pcpu)
{
	struct vcpu *v = vm_vcpu(vm, vcpu_id);

	if (!v || !pcpu)
		return -ENOENT;
	spin_lock(&v->lock);
	unsigned where = v->pcpu;
	spin_unlock(&v->lock);
	if (where == VCPU_NO_PCPU)
		return -EAGAIN;
	*pcpu = where;
	return 0;
}

/* Make v see a new interrupt: wake it if it waits, make it exit if it runs elsewhere;
 * a vCPU that is queued or bound here picks it up at its next entry. */
static void kick_vcpu(struct vcpu *v)
{
	unsigned where;

	if (vcpu_wake_at(v, &where) == 1) {
		sched_make_runnable(v); /* was blocked off-CPU: queue it (and kick its pCPU) */
		return;
	}
	if (where != VCPU_NO_PCPU && where != hal_pcpu_id())
		hal_ipi_send(where, IPI_KICK); /* exit the guest so the interrupt is seen */
}

void vm_kick_vcpus(struct vm *vm, uint64_t mask)
{
	for (unsigned i = 0; i < vm->nvcpus && i < 64; i++)
		if (mask & (1ull << i))
			kick_vcpu(&vm->vcpus[i]);
}

int vm_vcpu_stop(struct vm *vm, unsigned vcpu_id)
{
	struct vcpu *v = vm_vcpu(vm, vcpu_id);

	if (!v)
		return -ENOENT;
	int off = vcpu_stop(v);
	if (off < 0)
		return off;
	if (off) {
		sched_remove(v); /* it may still wait in its run queue */
		return 0;
	}
	spin_lock(&v->lock);
	unsigned where = v->pcpu;
	spin_unlock(&v->lock);
	if (where != VCPU_NO_PCPU && where != hal_pcpu_id())
		hal_ipi_send(where, IPI_KICK); /* exit the guest: the run loop sees the hold */
	return 0;
}

int vm_vcpu_release(struct vm *vm, unsigned vcpu_id)
{
	struct vcpu *v = vm_vcpu(vm, vcpu_id);

	if (!v)
		return -ENOENT;
	if (vcpu_release(v) == 1)
		sched_make_runnable(v);
	return 0;
}

bool vm_vcpu_stopped(struct vm *vm, unsigned vcpu_id)
{
	struct vcpu *v = vm_vcpu(vm, vcpu_id);

	return v && vcpu_stopped(v);
}

/* Every vCPU held and off its pCPU by then, or false. */
static bool all_stopped_by(struct vm *vm, uint64_t deadline)
{
	for (;;) {
		bool all = true;
		for (unsigned i = 0; i < vm->nvcpus; i++)
			all = all && vcpu_stopped(&vm->vcpus[i]);
		if (all)
			return true;
		if (hal_now_ns() >= deadline)
			return false;
		hal_cpu_relax();
	}
}

/* The reset itself, every vCPU stopped and off its pCPU: rebuild, then release. */
static int rebuild(struct vm *vm)
{
	/* Nothing of the old run may fire into the new one: the timers first (their
	 * callbacks take the interrupt lock), then the interrupt controller. */
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		vtimer_stop(&vm->vcpus[i]);
		vtimer_init(&vm->vcpus[i]);
	}
	spin_lock(&vm->irq_lock);
	int err = arch_vm_init(&vm->arch, vm->nvcpus);
	spin_unlock(&vm->irq_lock);
	if (!err && vm->reload)
		err = vm->reload(vm, vm->reload_ctx);
	for (unsigned i = 0; i < vm->nvcpus && !err; i++)
		err = vcpu_reset(&vm->vcpus[i], i == 0);
	if (err) {
		log_err("vm %u (%s): reset failed (%d): stopped", vm->id, vm->name, err);
		vm_stop(vm, VM_STOP_ERROR);
		return err;
	}
	__atomic_fetch_add(&vm->resets, 1, __ATOMIC_RELAXED);
	log_info("vm %u (%s): reset", vm->id, vm->name);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vm_vcpu_release(vm, i);
	return 0;
}

int vm_reset(struct vm *vm)
{
	if (!vm)
		return -EINVAL;
	if (current_vm() == vm)
		return -EDEADLK; /* it would wait for its own vCPU to leave this pCPU */
	if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_RUNNING)
		return -EPERM;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vm_vcpu_stop(vm, i);
	if (!all_stopped_by(vm, hal_now_ns() + VM_RESET_WAIT_NS)) {
		for (unsigned i = 0; i < vm->nvcpus; i++)
			vm_vcpu_release(vm, i);
		return -ETIMEDOUT;
	}
	return rebuild(vm);
}

int vm_request_reset(struct vm *vm)
{
	if (!vm)
		return -EINVAL;
	if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_RUNNING) {
		vm_stop(vm, VM_STOP_SYSTEM_RESET); /* keeps the reason of a VM stopped already */
		return -EPERM;
	}
	/* Whoever sets the flag owns this reset, and only the owner counts reboots: a
	 * second vCPU asking meanwhile asks for the same reset and uses up nothing. */
	uint32_t idle = 0;
	if (!__atomic_compare_exchange_n(&vm->reset_pending, &idle, 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return 0;
	uint32_t left = __atomic_load_n(&vm->reboots_left, __ATOMIC_ACQUIRE);
	if (left == 0) {
		vm_stop(vm, VM_STOP_SYSTEM_RESET);
		__atomic_store_n(&vm->reset_pending, 0, __ATOMIC_RELEASE);
		return 0;
	}
	if (left != VM_REBOOT_ALWAYS)
		__atomic_store_n(&vm->reboots_left, left - 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vm_vcpu_stop(vm, i);
	/* A vCPU already off its pCPU made no put that could see the request: look now. */
	vm_reset_if_pending(vm);
	return 0;
}

void vm_reset_if_pending(struct vm *vm)
{
	if (!vm || __atomic_load_n(&vm->reset_pending, __ATOMIC_ACQUIRE) != 1)
		return;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (!vcpu_stopped(&vm->vcpus[i]))
			return; /* its own put will look again */
	uint32_t pending = 1;
	if (!__atomic_compare_exchange_n(&vm->reset_pending, &pending, 2, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return; /* another pCPU's put carries it out */
	if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) == VM_RUNNING)
		rebuild(vm);
	__atomic_store_n(&vm->reset_pending, 0, __ATOMIC_RELEASE);
}

int vm_inject_irq(struct vm *vm, unsigned vcpu_id, unsigned irq)
{
	uint64_t kick = 0;

	if (!vm_vcpu(vm, vcpu_id))
		return -ENOENT;
	spin_lock(&vm->irq_lock);
	int err = arch_irq_inject(&vm->arch, vcpu_id, irq, &kick);
	spin_unlock(&vm->irq_lock);
	vm_kick_vcpus(vm, kick);
	return err;
}

int vm_set_irq_level(struct vm *vm, unsigned vcpu_id, unsigned irq, bool level)
{
	uint64_t kick = 0;

	if (!vm_vcpu(vm, vcpu_id))
		return -ENOENT;
	spin_lock(&vm->irq_lock);
	int err = arch_irq_set_level(&vm->arch, vcpu_id, irq, level, &kick);
	spin_unlock(&vm->irq_lock);
	vm_kick_vcpus(vm, kick);
	return err;
}
