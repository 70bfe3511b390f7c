/* The scheduler and interrupt injection with guests that run: each test installs a
 * scripted guest (hal_sim_set_guest) and worker pCPUs run sched_run, while pCPU 0 (the
 * test) watches, injects and finally stops everything. Every wait is bounded. */
#include <check.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/vgic.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/hypercall.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM TEST_RAM
#define VCPU_OF TEST_VCPU_OF
#define WAIT_NS 60000000000ull

static size_t baseline;

static void stop_all(struct vm **vms, unsigned n, unsigned from, unsigned to)
{
	for (unsigned i = 0; i < n; i++)
		vm_stop(vms[i], VM_STOP_REQUESTED);
	test_workers_stop(from, to);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(vm_destroy(vms[i]), 0);
	hal_sim_set_guest(NULL, NULL);
	ck_assert_uint_eq(frame_outstanding(), baseline);
}

/* Spin until cond(arg) or the deadline; fails the test on the deadline. */
static void wait_for(bool (*cond)(void *), void *arg)
{
	uint64_t until = hal_now_ns() + WAIT_NS;

	while (!cond(arg)) {
		ck_assert_uint_lt(hal_now_ns(), until);
		hal_cpu_relax();
	}
}

static void setup_n(unsigned pcpus, enum sched_mode mode)
{
	test_machine_up(pcpus, true);
	sched_init(mode, 1000000);
	baseline = frame_outstanding();
}

static void teardown(void)
{
	cpu_exit_this();
	test_machine_down();
}

/* ---- Spinning guests: preemption and placement ----------------------------------- */

#define SPIN_LIMIT 20000

struct spin_state {
	atomic_ulong count[2][2];
	atomic_uint ran_on[2][2]; /* pCPU mask per VM and vCPU */
	atomic_int on_sent[2];
	atomic_int residency_wrong;
	struct vm *vms[2];
};

static struct spin_state spin;

static int vm_index(struct vcpu *v)
{
	return v->vm == spin.vms[0] ? 0 : 1;
}

/* vCPU 0 first brings up vCPU 1; then both count and spin. */
static int spin_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	struct vcpu *v = VCPU_OF(ctx);
	int m = vm_index(v);
	(void)arg;

	if (v->id == 0 && !atomic_exchange(&spin.on_sent[m], 1)) {
		test_trap_hvc(ctx, exit, PSCI_CPU_ON_64, 1, RAM);
		return 1;
	}
	atomic_fetch_or(&spin.ran_on[m][v->id], 1u << hal_pcpu_id());
	unsigned where;
	if (vm_vcpu_resides_on(v->vm, v->id, &where) || where != hal_pcpu_id())
		atomic_fetch_add(&spin.residency_wrong, 1);
	if (current_vcpu() != v || current_vm() != v->vm) /* AxVMHal's current ids */
		atomic_fetch_add(&spin.residency_wrong, 1);
	if (atomic_load(&spin.count[m][v->id]) >= SPIN_LIMIT) {
		test_trap_wfi(exit); /* done: wait for an interrupt that never comes */
		return 1;
	}
	atomic_fetch_add(&spin.count[m][v->id], 1);
	return 0;
}

static bool all_counted(void *arg)
{
	unsigned nvms = *(unsigned *)arg;
	for (unsigned m = 0; m < nvms; m++)
		for (unsigned i = 0; i < 2; i++)
			if (atomic_load(&spin.count[m][i]) < SPIN_LIMIT)
				return false;
	return true;
}

START_TEST(test_time_shared_pcpu_preempts_a_spinning_vcpu)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 1 }; /* both on pCPU 1 */
	unsigned nvms = 1;

	setup_n(2, SCHED_TIMESHARED);
	memset(&spin, 0, sizeof(spin));
	spin.vms[0] = test_make_vm("spin", 2, aff);
	hal_sim_set_guest(spin_guest, NULL);
	ck_assert_int_eq(vm_start(spin.vms[0]), 0);
	test_workers_start(1, 1);
	wait_for(all_counted, &nvms);
	/* vCPU 0 never blocks before its count is done, so vCPU 1 can only have run
	 * because vCPU 0 was preempted. */
	ck_assert_uint_ge(sched_preemptions(), 1);
	ck_assert_uint_eq(atomic_load(&spin.ran_on[0][1]), 1u << 1);
	stop_all(spin.vms, 1, 1, 1);
}
END_TEST

START_TEST(test_two_vms_two_vcpus_share_two_pcpus)
{
	/* Each pCPU hosts one vCPU of each VM. */
	static const uint64_t aff_a[2] = { 1u << 1, 1u << 2 };
	static const uint64_t aff_b[2] = { 1u << 2, 1u << 1 };
	unsigned nvms = 2;

	setup_n(3, SCHED_TIMESHARED);
	memset(&spin, 0, sizeof(spin));
	spin.vms[0] = test_make_vm("a", 2, aff_a);
	spin.vms[1] = test_make_vm("b", 2, aff_b);
	hal_sim_set_guest(spin_guest, NULL);
	ck_assert_int_eq(vm_start(spin.vms[0]), 0);
	ck_assert_int_eq(vm_start(spin.vms[1]), 0);
	test_workers_start(1, 2);
	wait_for(all_counted, &nvms);
	ck_assert_uint_eq(atomic_load(&spin.ran_on[0][0]), 1u << 1);
	ck_assert_uint_eq(atomic_load(&spin.ran_on[1][1]), 1u << 1);
	ck_assert_uint_eq(atomic_load(&spin.ran_on[0][1]), 1u << 2);
	ck_assert_uint_eq(atomic_load(&spin.ran_on[1][0]), 1u << 2);
	ck_assert_uint_ge(sched_preemptions(), 2);
	ck_assert_int_eq(atomic_load(&spin.residency_wrong), 0);
	ck_assert_ptr_null(current_vcpu()); /* pCPU 0 runs no vCPU */
	stop_all(spin.vms, 2, 1, 2);
}
END_TEST

START_TEST(test_static_partitioning_runs_without_slices)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 2 };
	unsigned nvms = 1;

	setup_n(3, SCHED_STATIC);
	memset(&spin, 0, sizeof(spin));
	spin.vms[0] = test_make_vm("static", 2, aff);
	hal_sim_set_guest(spin_guest, NULL);
	ck_assert_int_eq(vm_start(spin.vms[0]), 0);
	test_workers_start(1, 2);
	wait_for(all_counted, &nvms);
	ck_assert_uint_eq(sched_preemptions(), 0);
	ck_assert_int_eq(atomic_load(&spin.residency_wrong), 0); /* checked while running */
	unsigned where;
	ck_assert_int_eq(vm_vcpu_resides_on(spin.vms[0], 5, &where), -ENOENT);
	stop_all(spin.vms, 1, 1, 2);
}
END_TEST

/* ---- Blocking and waking ------------------------------------------------------------ */

struct wake_state {
	atomic_int acked;
	atomic_int last_line;
};

static struct wake_state wake;

/* The guest side of taking an interrupt, as the GIC's virtual CPU interface does it:
 * acknowledge and complete the most urgent pending list register. True if it took
 * one (no exit: the guest goes on). */
static bool take_interrupt(struct guest_ctx *ctx)
{
	int got = test_guest_take_irq(ctx);

	if (got < 0)
		return false;
	atomic_store(&wake.last_line, got); /* before the count it waits on */
	atomic_fetch_add(&wake.acked, 1);
	return true;
}

/* Waits for interrupts forever, acknowledging each. */
static int waiting_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	(void)arg;
	if (take_interrupt(ctx))
		return 0;
	test_trap_wfi(exit);
	return 1;
}

/* Blocked in WFI; alone on its pCPU it waits there loaded (core/sched.c). */
static bool vcpu0_blocked(void *arg)
{
	return vcpu_state(vm_vcpu(arg, 0)) == VCPU_BLOCKED;
}

static bool woke_once(void *arg)
{
	(void)arg;
	return atomic_load(&wake.acked) == 1;
}

START_TEST(test_wfi_blocks_until_an_interrupt_from_another_pcpu)
{
	static const uint64_t aff[1] = { 1u << 1 };

	setup_n(2, SCHED_STATIC);
	memset(&wake, 0, sizeof(wake));
	struct vm *vm = test_make_vm("wfi", 1, aff);
	test_gic_enable(vm, 0, 5, 0x80);
	hal_sim_set_guest(waiting_guest, NULL);
	ck_assert_int_eq(vm_start(vm), 0);
	test_workers_start(1, 1);
	wait_for(vcpu0_blocked, vm);
	unsigned where;
	/* nothing else wants pCPU 1: it waits there loaded, not put */
	ck_assert_int_eq(vm_vcpu_resides_on(vm, 0, &where), 0);
	ck_assert_uint_eq(where, 1);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 5), 0); /* from pCPU 0 */
	wait_for(woke_once, NULL);
	wait_for(vcpu0_blocked, vm); /* and back asleep */
	ck_assert_int_eq(atomic_load(&wake.last_line), 5);
	ck_assert_int_eq(atomic_load(&wake.acked), 1);
	ck_assert_int_eq(vm_inject_irq(vm, 0, VGIC_NR_IRQS), -EINVAL);
	ck_assert_int_eq(vm_inject_irq(vm, 1, 5), -ENOENT);
	stop_all(&vm, 1, 1, 1);
}
END_TEST

START_TEST(test_interrupt_for_an_unscheduled_vcpu_waits_for_its_first_entry)
{
	static const uint64_t aff[1] = { 1u << 1 };

	setup_n(2, SCHED_STATIC);
	memset(&wake, 0, sizeof(wake));
	struct vm *vm = test_make_vm("early", 1, aff);
	test_gic_enable(vm, 0, 9, 0x80);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 9), 0); /* not started: pending */
	ck_assert(vgic_has_pending(&vm->arch.vgic, 0));
	hal_sim_set_guest(waiting_guest, NULL);
	ck_assert_int_eq(vm_start(vm), 0);
	test_workers_start(1, 1);
	wait_for(woke_once, NULL);
	ck_assert_int_eq(atomic_load(&wake.last_line), 9);
	wait_for(vcpu0_blocked, vm);
	ck_assert_int_eq(atomic_load(&wake.acked), 1);
	ck_assert(!vgic_has_pending(&vm->arch.vgic, 0));
	stop_all(&vm, 1, 1, 1);
}
END_TEST

/* ---- An SPI rerouted while a list register holds it --------------------------------
 * vCPU A (0) holds SPI 40 in a list register and runs on without taking it (its
 * interrupts masked); the SPI is rerouted to vCPU B (1), asleep in WFI, and raised
 * again. A alone is told (it holds it); its next exit takes the SPI back, pending and
 * now B's, and must wake B. Before the vGIC had one wake rule, A's sync woke nobody
 * and B slept on with the SPI pending. */

#define REROUTED_SPI 40u

static atomic_int holder_spins;

static int reroute_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	struct vcpu *v = VCPU_OF(ctx);
	(void)arg;

	if (v->id == 1)
		return waiting_guest(ctx, exit, arg);
	if (!atomic_exchange(&holder_spins, 1)) {
		test_trap_hvc(ctx, exit, PSCI_CPU_ON_64, 1, RAM);
		return 1;
	}
	return 0; /* spins, interrupts masked: what its LRs hold stays there */
}

static bool holder_spins_and_b_sleeps(void *arg)
{
	return atomic_load(&holder_spins) && vcpu_state(vm_vcpu(arg, 1)) == VCPU_BLOCKED;
}

static bool spi_in_a_list_register_of_a(void *arg)
{
	struct vm *vm = arg;

	spin_lock(&vm->irq_lock);
	const struct vgic_irq *irq = vgic_irq_state(&vm->arch.vgic, 0, REROUTED_SPI);
	bool held = (irq->flags & VGIC_IN_LR) && irq->lr_vcpu == 0;
	spin_unlock(&vm->irq_lock);
	return held;
}

START_TEST(test_an_spi_rerouted_while_in_a_list_register_wakes_its_new_target)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 2 };

	setup_n(3, SCHED_STATIC);
	memset(&wake, 0, sizeof(wake));
	atomic_store(&holder_spins, 0);
	struct vm *vm = test_make_vm("reroute", 2, aff);
	test_gic_enable(vm, 0, REROUTED_SPI, 0x80); /* routed to vCPU 0 (IROUTER 0) */
	hal_sim_set_guest(reroute_guest, NULL);
	ck_assert_int_eq(vm_start(vm), 0);
	test_workers_start(1, 2);
	wait_for(holder_spins_and_b_sleeps, vm);
	ck_assert_int_eq(vm_inject_irq(vm, 0, REROUTED_SPI), 0);
	wait_for(spi_in_a_list_register_of_a, vm);
	/* GICD_IROUTER<40> = vCPU 1's affinity (Aff0 1), written as a guest would. */
	ck_assert_int_eq(mmio_bus_write(&vm->bus,
					gpa_make(VGIC_DIST_BASE + 0x6000 + 8 * REROUTED_SPI), 8, 1),
			 0);
	ck_assert_int_eq(vm_inject_irq(vm, 0, REROUTED_SPI), 0);
	wait_for(woke_once, NULL);
	ck_assert_int_eq(atomic_load(&wake.last_line), (int)REROUTED_SPI);
	stop_all(&vm, 1, 1, 2);
}
END_TEST

/* ---- Stopped vCPUs and VM reset ------------------------------------------------------
 * The guest: each vCPU counts its boots (x19 is 0 after a reset: registers from
 * scratch) and where it started, vCPU 0 powers vCPU 1 on at each boot, then both count
 * steps, or (vCPU 1 with park_second) wait for interrupts. */

struct hold_state {
	atomic_ulong steps[2];
	atomic_int boots[2];
	atomic_ullong boot_pc[2];
	atomic_int park_second;
};

static struct hold_state hold;

static int hold_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	struct vcpu *v = VCPU_OF(ctx);

	if (ctx->x[19] == 0) {
		ctx->x[19] = 1;
		atomic_store(&hold.boot_pc[v->id], ctx->pc);
		atomic_fetch_add(&hold.boots[v->id], 1);
		if (v->id == 0) {
			test_trap_hvc(ctx, exit, PSCI_CPU_ON_64, 1, RAM);
			return 1;
		}
	}
	if (v->id == 1 && atomic_load(&hold.park_second))
		return waiting_guest(ctx, exit, arg);
	atomic_fetch_add(&hold.steps[v->id], 1);
	return 0;
}

struct vcpu_ref {
	struct vm *vm;
	unsigned id;
	unsigned long more_than;
};

static bool vcpu_stepped_past(void *arg)
{
	struct vcpu_ref *r = arg;
	return atomic_load(&hold.steps[r->id]) > r->more_than;
}

static bool vcpu_is_stopped(void *arg)
{
	struct vcpu_ref *r = arg;
	return vm_vcpu_stopped(r->vm, r->id);
}

/* vCPU 1 blocked in WFI and put back off its pCPU: a blocked vCPU stays loaded while
 * nothing else wants the pCPU, so the state alone says nothing about where it is. */
static bool vcpu1_asleep(void *arg)
{
	struct vcpu *v = vm_vcpu(arg, 1);

	spin_lock(&v->lock);
	bool off = v->state == VCPU_BLOCKED && v->pcpu == VCPU_NO_PCPU;
	spin_unlock(&v->lock);
	return off;
}

/* Let vCPU 0 run on for a while: long enough for a vCPU that should not run to show. */
static void let_vcpu0_run(struct vm *vm, unsigned long steps)
{
	struct vcpu_ref r0 = { vm, 0, atomic_load(&hold.steps[0]) + steps };
	wait_for(vcpu_stepped_past, &r0);
}

static struct vm *start_hold_vm(unsigned pcpus, enum sched_mode mode, const uint64_t *aff)
{
	setup_n(pcpus, mode);
	memset(&hold, 0, sizeof(hold));
	memset(&wake, 0, sizeof(wake));
	struct vm *vm = test_make_vm("hold", 2, aff);
	hal_sim_set_guest(hold_guest, NULL);
	ck_assert_int_eq(vm_start(vm), 0);
	test_workers_start(1, pcpus - 1);
	return vm;
}

/* A vCPU spinning in the guest on another pCPU leaves it after its current exit and
 * stays off until released, through an interrupt sent to it meanwhile; its sibling runs
 * on throughout. */
START_TEST(test_a_running_vcpu_stops_off_its_pcpu_until_released)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 2 };
	struct vm *vm = start_hold_vm(3, SCHED_STATIC, aff);
	struct vcpu_ref r1 = { vm, 1, 100 };

	wait_for(vcpu_stepped_past, &r1);
	ck_assert_int_eq(vm_vcpu_stop(vm, 1), 0);
	wait_for(vcpu_is_stopped, &r1);
	ck_assert_uint_eq(vcpu_state(vm_vcpu(vm, 1)), VCPU_STOPPED);
	unsigned where;
	ck_assert_int_eq(vm_vcpu_resides_on(vm, 1, &where), -EAGAIN);
	unsigned long frozen = atomic_load(&hold.steps[1]);
	test_gic_enable(vm, 1, 5, 0x80);
	ck_assert_int_eq(vm_inject_irq(vm, 1, 5), 0);
	let_vcpu0_run(vm, 20000);
	ck_assert_uint_eq(atomic_load(&hold.steps[1]), frozen);
	ck_assert_uint_eq(vcpu_state(vm_vcpu(vm, 1)), VCPU_STOPPED);
	ck_assert_int_eq(vm_vcpu_stop(vm, 1), 0); /* again: nothing changes */
	ck_assert_int_eq(vm_vcpu_stop(vm, 2), -ENOENT);
	ck_assert_int_eq(vm_vcpu_release(vm, 1), 0);
	r1.more_than = frozen;
	wait_for(vcpu_stepped_past, &r1);
	ck_assert(!vm_vcpu_stopped(vm, 1));
	stop_all(&vm, 1, 1, 2);
}
END_TEST

/* Two vCPUs time-share one pCPU: the one waiting in the run queue stops at once and
 * is skipped slice after slice; a vCPU asleep in WFI stops where it is, an interrupt
 * does not run it, and its release lets it take the interrupt. */
START_TEST(test_a_queued_and_a_blocked_vcpu_stop_where_they_are)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 1 };
	struct vm *vm = start_hold_vm(2, SCHED_TIMESHARED, aff);
	struct vcpu_ref r1 = { vm, 1, 100 };

	wait_for(vcpu_stepped_past, &r1);
	/* Whichever runs, the other waits in the queue: stop vCPU 1 until the stop finds
	 * it there (off every pCPU at once), letting it go and run again otherwise. */
	bool queued = false;
	for (unsigned tries = 0; tries < 10000 && !queued; tries++) {
		ck_assert_int_eq(vm_vcpu_stop(vm, 1), 0);
		queued = vm_vcpu_stopped(vm, 1);
		if (!queued) {
			wait_for(vcpu_is_stopped, &r1);
			ck_assert_int_eq(vm_vcpu_release(vm, 1), 0);
			r1.more_than = atomic_load(&hold.steps[1]);
			wait_for(vcpu_stepped_past, &r1);
		}
	}
	ck_assert_msg(queued, "vCPU 1 was never found waiting in the run queue");
	ck_assert_uint_eq(vcpu_state(vm_vcpu(vm, 1)), VCPU_STOPPED);
	unsigned long frozen = atomic_load(&hold.steps[1]);
	uint64_t preempted = sched_preemptions();
	let_vcpu0_run(vm, 20000);
	while (sched_preemptions() <= preempted) /* a slice ends: vCPU 1's turn came and went */
		let_vcpu0_run(vm, 1000);
	ck_assert_uint_eq(atomic_load(&hold.steps[1]), frozen);
	ck_assert_uint_gt(sched_preemptions(), preempted); /* slices ended: it was skipped */
	atomic_store(&hold.park_second, 1);
	ck_assert_int_eq(vm_vcpu_release(vm, 1), 0);
	wait_for(vcpu1_asleep, vm);

	ck_assert_int_eq(vm_vcpu_stop(vm, 1), 0);
	ck_assert(vm_vcpu_stopped(vm, 1)); /* off every pCPU already: at once */
	ck_assert_uint_eq(vcpu_state(vm_vcpu(vm, 1)), VCPU_BLOCKED);
	test_gic_enable(vm, 1, 6, 0x80);
	ck_assert_int_eq(vm_inject_irq(vm, 1, 6), 0);
	ck_assert_uint_eq(vcpu_state(vm_vcpu(vm, 1)), VCPU_STOPPED);
	let_vcpu0_run(vm, 20000);
	ck_assert_int_eq(atomic_load(&wake.acked), 0);
	ck_assert_int_eq(vm_vcpu_release(vm, 1), 0);
	wait_for(woke_once, NULL);
	ck_assert_int_eq(atomic_load(&wake.last_line), 6);
	stop_all(&vm, 1, 1, 1);
}
END_TEST

static bool both_booted_twice(void *arg)
{
	(void)arg;
	return atomic_load(&hold.boots[0]) == 2 && atomic_load(&hold.boots[1]) == 2;
}

/* A running two-vCPU VM reset from outside: both leave their pCPUs, the registers,
 * the interrupt controller and the timers start over, vCPU 0 boots again at the entry
 * and brings vCPU 1 up again; nothing leaks. A VM that is not running is refused. */
START_TEST(test_a_reset_vm_boots_again_from_its_entry)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 2 };
	struct vm *vm = start_hold_vm(3, SCHED_STATIC, aff);
	struct vcpu_ref r1 = { vm, 1, 100 };

	wait_for(vcpu_stepped_past, &r1);
	ck_assert_int_eq(atomic_load(&hold.boots[0]), 1);
	ck_assert_int_eq(atomic_load(&hold.boots[1]), 1);
	test_gic_enable(vm, 0, REROUTED_SPI, 0x80);
	spin_lock(&vm->irq_lock);
	uint64_t kick = 0;
	ck_assert_int_eq(vgic_dist_write(&vm->arch.vgic, 0x200 + 4, 4, 1u << 8, &kick), 0);
	spin_unlock(&vm->irq_lock); /* SPI 40 pending, but vCPU 0 never takes it */

	ck_assert_int_eq(vm_reset(vm), 0);
	wait_for(both_booted_twice, NULL);
	ck_assert_uint_eq(atomic_load(&hold.boot_pc[0]), RAM);
	ck_assert_uint_eq(atomic_load(&hold.boot_pc[1]), RAM);
	ck_assert_uint_eq(vm->resets, 1);
	spin_lock(&vm->irq_lock);
	uint8_t spi_flags = vgic_irq_state(&vm->arch.vgic, 0, REROUTED_SPI)->flags;
	uint32_t ctlr = vm->arch.vgic.ctlr;
	spin_unlock(&vm->irq_lock);
	ck_assert_uint_eq(spi_flags, 0); /* disabled, not pending: the controller's reset */
	ck_assert_uint_eq(ctlr, 0);
	r1.more_than = atomic_load(&hold.steps[1]);
	wait_for(vcpu_stepped_past, &r1); /* and runs */

	vm_stop(vm, VM_STOP_REQUESTED);
	ck_assert_int_eq(vm_reset(vm), -EPERM);
	ck_assert_int_eq(vm_reset(NULL), -EINVAL);
	stop_all(&vm, 1, 1, 2);
}
END_TEST

/* ---- WFE: a lock's waiter yields, and spins untrapped alone ------------------------ */

#define WFE_ESR 0x07E00001ull /* EC 0x01, CV, COND AL, TI 0b01: WFE */
#define LOCK_SLICE_NS 100000000000ull /* 100 s: only yields hand the pCPU over in time */
#define LOCK_WAIT_NS 10000000000ull

struct lock_state {
	atomic_int lock, done, holder_phase;
	atomic_ulong alone_wfes;   /* WFEs the waiter ran without a trap (TWE clear) */
	atomic_ulong wfe_traps[2]; /* per vCPU */
};

static struct lock_state lk;

/* A WFE as the hardware runs it: trapped under HCR_EL2.TWE, else the guest's own, and
 * it completes at once (a WFE may complete at any time). True if it trapped. */
static bool run_wfe(struct guest_ctx *ctx, struct guest_exit *exit, unsigned vcpu)
{
	if (!(ctx->hcr_el2 & HCR_TWE)) {
		if (vcpu == 1)
			atomic_fetch_add(&lk.alone_wfes, 1);
		return false;
	}
	atomic_fetch_add(&lk.wfe_traps[vcpu], 1);
	*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = WFE_ESR };
	return true;
}

/* vCPU 0 takes the lock, starts vCPU 1 and waits for an interrupt in WFI, the lock
 * held; once it has one it releases the lock and waits in WFE for vCPU 1's "done".
 * vCPU 1 waits for the lock in a load + WFE loop, then says "done". */
static int lock_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	struct vcpu *v = VCPU_OF(ctx);
	(void)arg;

	if (v->id == 1) {
		if (atomic_load(&lk.done)) {
			test_trap_wfi(exit);
			return 1;
		}
		if (atomic_load(&lk.lock) == 0) {
			atomic_store(&lk.done, 1);
			return 0;
		}
		return run_wfe(ctx, exit, 1);
	}
	switch (atomic_load(&lk.holder_phase)) {
	case 0:
		atomic_store(&lk.lock, 1);
		atomic_store(&lk.holder_phase, 1);
		test_trap_hvc(ctx, exit, PSCI_CPU_ON_64, 1, RAM);
		return 1;
	case 1:
		if (test_guest_take_irq(ctx) < 0) {
			test_trap_wfi(exit);
			return 1;
		}
		atomic_store(&lk.lock, 0);
		atomic_store(&lk.holder_phase, 2);
		return 0;
	case 2:
		if (atomic_load(&lk.done)) {
			atomic_store(&lk.holder_phase, 3);
			return 0;
		}
		return run_wfe(ctx, exit, 0);
	default:
		test_trap_wfi(exit);
		return 1;
	}
}

static void wait_long(bool (*cond)(void *), void *arg, const char *what)
{
	uint64_t until = hal_now_ns() + LOCK_WAIT_NS;

	while (!cond(arg)) {
		ck_assert_msg(hal_now_ns() < until, "%s: not within 10 s", what);
		hal_cpu_relax();
	}
}

static bool waiter_spun_alone(void *arg)
{
	(void)arg;
	return atomic_load(&lk.alone_wfes) >= 1000;
}

static bool both_done(void *arg)
{
	(void)arg;
	return atomic_load(&lk.holder_phase) == 3;
}

START_TEST(test_wfe_waiter_spins_untrapped_alone_and_yields_to_the_lock_holder)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 1 }; /* one pCPU, time-shared */

	test_machine_up(2, true);
	sched_init(SCHED_TIMESHARED, LOCK_SLICE_NS);
	baseline = frame_outstanding();
	memset(&lk, 0, sizeof(lk));
	struct vm *vm = test_make_vm("lock", 2, aff);
	test_gic_enable(vm, 0, 5, 0x80);
	hal_sim_set_guest(lock_guest, NULL);
	ck_assert_int_eq(vm_start(vm), 0);
	test_workers_start(1, 1);
	/* The holder blocked in WFI: the waiter is alone on the pCPU, its WFE untrapped. */
	wait_long(waiter_spun_alone, NULL, "the waiter's WFEs without a trap");
	ck_assert_uint_eq(atomic_load(&lk.wfe_traps[1]), 0);
	ck_assert_int_eq(atomic_load(&lk.lock), 1);
	/* The holder's interrupt makes it runnable on the waiter's pCPU: the waiter's next
	 * WFE traps and hands the pCPU over, and so on until both are through. */
	ck_assert_int_eq(vm_inject_irq(vm, 0, 5), 0);
	wait_long(both_done, NULL, "lock hand-over by WFE");
	ck_assert_uint_le(atomic_load(&lk.wfe_traps[1]), 2);
	ck_assert_uint_le(atomic_load(&lk.wfe_traps[0]), 2);
	ck_assert_uint_eq(sched_preemptions(), 0);
	stop_all(&vm, 1, 1, 1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_time_shared_pcpu_preempts_a_spinning_vcpu);
	tcase_add_test(tc, test_two_vms_two_vcpus_share_two_pcpus);
	tcase_add_test(tc, test_static_partitioning_runs_without_slices);
	tcase_add_test(tc, test_wfi_blocks_until_an_interrupt_from_another_pcpu);
	tcase_add_test(tc, test_interrupt_for_an_unscheduled_vcpu_waits_for_its_first_entry);
	tcase_add_test(tc, test_an_spi_rerouted_while_in_a_list_register_wakes_its_new_target);
	tcase_add_test(tc, test_a_running_vcpu_stops_off_its_pcpu_until_released);
	tcase_add_test(tc, test_a_queued_and_a_blocked_vcpu_stop_where_they_are);
	tcase_add_test(tc, test_a_reset_vm_boots_again_from_its_entry);
	tcase_add_test(tc, test_wfe_waiter_spins_untrapped_alone_and_yields_to_the_lock_holder);
	suite_add_tcase(s, tc);
	return s;
}
