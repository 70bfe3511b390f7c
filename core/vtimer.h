/* The guest's virtual timer, emulated with a host timer while its vCPU is out of the
 * guest and forwarded as a physical interrupt while it runs (core/vtimer.c). Lock
 * order: core/lockorder.h. */
#ifndef CORE_VTIMER_H
#define CORE_VTIMER_H

struct vcpu;

/* v's timer, disarmed (from vcpu_init). */
void vtimer_init(struct vcpu *v);

/* After an exit: the timer's line as the guest left its registers, and the host timer
 * armed for the deadline it set, if any. Caller holds the VM's interrupt lock. */
void vtimer_sync_locked(struct vcpu *v);

/* Disarm the host timer of v's virtual timer for good: after it no callback of it runs
 * or re-arms it, and v may be freed or reset. Not while v can exit (its VM is quiescent
 * or v is stopped). */
void vtimer_stop(struct vcpu *v);

/* The handler of a forwarded physical interrupt (the virtual timer's): it becomes a
 * hardware-linked interrupt of the vCPU that ran on this pCPU when it arrived, or is
 * deactivated at once if none did. */
void vtimer_forwarded_irq(unsigned irq, void *arg);

#endif
