/* The guest's timers (core/vtimer.c): the virtual timer, emulated with a host timer
 * while its vCPU is out of the guest and forwarded as a physical interrupt while it
 * runs, and a physical timer emulated on every access, with a host timer for its
 * deadline. Lock order: core/lockorder.h. */
#ifndef CORE_VTIMER_H
#define CORE_VTIMER_H

#include <stdbool.h>

struct vcpu;

/* v's timers, disarmed (from vcpu_init). */
void vtimer_init(struct vcpu *v);

/* After an exit: the timer's line as the guest left its registers, and the host timer
 * armed for the deadline it set, if any, unless the loaded timer raises its interrupt
 * itself (hal_guest_vtimer_live): then the host timer exists only while v is put, and
 * vtimer_load / vtimer_put_locked take it away and bring it back (the put with the
 * line brought up to date, a waiting v to wake in kick for vm_kick_vcpus). Caller
 * holds the VM's interrupt lock (vtimer_load takes it). */
void vtimer_sync_locked(struct vcpu *v);
void vtimer_load(struct vcpu *v);
void vtimer_put_locked(struct vcpu *v, uint64_t *kick);

/* Disarm the host timers of v's timers for good: after it no callback of them runs or
 * re-arms them, and v may be freed or reset. Not while v can exit (its VM is quiescent
 * or v is stopped). */
void vtimer_stop(struct vcpu *v);

struct exit_sysreg;

/* A trapped access to v's physical timer, which Tandem emulates (aarch64: CNTP_*): done,
 * with its line and host timer brought up to date, and 0; -ENOENT if s is not one of
 * its registers. From v's own exit. */
int ptimer_access(struct vcpu *v, struct exit_sysreg *s, bool read);

/* The handler of a forwarded physical interrupt (the virtual timer's): it becomes a
 * hardware-linked interrupt of the vCPU that ran on this pCPU when it arrived, or is
 * deactivated at once if none did. */
void vtimer_forwarded_irq(unsigned irq, void *arg);

#endif
