/* The lock order of core, written once. When a path needs more than one of these
 * locks it takes them in this order and releases them in reverse; no path takes an
 * earlier one while holding a later one:
 *
 *   1. a VM's interrupt lock (struct vm.irq_lock): the interrupt controller's state,
 *      a vCPU's virtual-timer deadline;
 *   2. a vCPU's lock (struct vcpu.lock): its state, pCPU, hold;
 *   3. a pCPU's run-queue lock (core/sched.c): which vCPUs wait there.
 *
 * Leaf locks, taken with none of the above or after all of them and never holding
 * another: the frame allocator's (core/frame.c: its pCPU caches', global and account
 * locks nest among themselves in the order it documents), a timer wheel's
 * (core/timer.c), the console's (core/console.c) and the VM table's (core/vm.c, only
 * around the table).
 * Kicks (IPIs, wake-ups) are sent after the interrupt lock is dropped: a wake-up takes
 * the vCPU's lock and then a run queue's, which is the order above, but sending it
 * from outside keeps the interrupt lock's hold short. */
#ifndef CORE_LOCKORDER_H
#define CORE_LOCKORDER_H
#endif
