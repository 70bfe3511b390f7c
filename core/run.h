/* Entering a guest and handling its exits, apart from choosing what runs (core/sched.c
 * chooses). A vCPU arrives on a pCPU with vcpu_load and leaves it with vcpu_put: the
 * one place where per-vCPU hardware state moves onto a pCPU and off it again. Between
 * the two, run_vcpu enters the guest and dispatches each exit (vm_handle_exit) until
 * the vCPU blocks, powers off, is held (vcpu_stop), its VM stops or its slice ends.
 * Lock order: core/lockorder.h. */
#ifndef CORE_RUN_H
#define CORE_RUN_H

#include "core/vcpu.h"

/* v arrives on this pCPU: FREE -> BOUND here, then its system state is loaded into
 * the hardware (arch_vcpu_load), where it stays until vcpu_put; an exit moves only the
 * general-purpose registers.
 * -EAGAIN, and nothing changes, if v is not FREE any more (a wake-up, a stop or the VM
 * stopping got there first). */
int vcpu_load(struct vcpu *v);

/* v leaves this pCPU: its hardware state goes first (the guest's view of this pCPU,
 * physical interrupts still active for it here), then vcpu_unbind. Returns what
 * vcpu_unbind does: 1 if v is FREE and must be made runnable. */
int vcpu_put(struct vcpu *v);

/* Run v, loaded here, until it blocks, powers off, is held, its VM stops or this
 * pCPU's slice ends (sched_slice_over). A vCPU of a stopping VM is powered off before
 * this returns. An exit that concerns only v goes straight back into the guest
 * (vm_handle_local_exit, vm_may_reenter): its interrupts are synced and flushed only
 * when something may have changed them. */
void run_vcpu(struct vcpu *v);

#endif
