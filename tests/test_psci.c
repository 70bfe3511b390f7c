/* PSCI CPU_OFF against CPU_ON and AFFINITY_INFO from another pCPU, with the interleaving
 * forced rather than hoped for: a vCPU that has called CPU_OFF is still on its pCPU
 * until it is unbound, and in that window it must look ON (AFFINITY_INFO) and refuse a
 * CPU_ON (ALREADY_ON), so that nothing writes its registers while its pCPU still
 * completes the exit. Return values are PSCI 1.1's (Arm DEN 0022, 5.1.4, 5.1.5). */
#include <check.h>
#include <stdatomic.h>
#include <string.h>

#include "arch/aarch64/psci.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM TEST_RAM
#define ENTRY2 (RAM + 0x40)
#define CTX2 0x77ull
#define WAIT_NS 30000000000ull
#define AFF_ON 0
#define AFF_OFF 1

static size_t baseline;

static void teardown(void)
{
	hal_sim_set_unload_hook(NULL, NULL);
	hal_sim_set_guest(NULL, NULL);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	cpu_exit_this();
	test_machine_down();
}

/* Spin until *flag is set or WAIT_NS passed; false on the deadline. */
static bool wait_flag(atomic_int *flag)
{
	uint64_t until = hal_now_ns() + WAIT_NS;

	while (!atomic_load(flag)) {
		if (hal_now_ns() > until)
			return false;
		hal_cpu_relax();
	}
	return true;
}

static int64_t call(struct vcpu *v, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct guest_exit hvc = { .type = TRAP_SYNC, .esr = 0x5A000000ull }; /* HVC #0 */

	v->arch.ctx.x[0] = fid;
	v->arch.ctx.x[1] = a1;
	v->arch.ctx.x[2] = a2;
	v->arch.ctx.x[3] = a3;
	ck_assert_int_eq(vm_feed_trap(v, &hvc, NULL), 0);
	return (int64_t)v->arch.ctx.x[0];
}

/* ---- Core's functions driven by hand, in the order that opens the window ----------- */

static struct {
	struct vcpu *v1;
	atomic_int marked, go;
	int bind, state_after_off, unbind;
} hand;

/* pCPU 1: vCPU 1 runs once, calls CPU_OFF, and is held before it is unbound, exactly
 * where the scheduler would be after the exit. */
static void powering_down(void *arg)
{
	(void)arg;
	ck_assert_int_eq(cpu_init_this(), 0);
	hand.bind = vcpu_bind(hand.v1);
	struct guest_exit irq = { .type = TRAP_IRQ };
	vm_feed_trap(hand.v1, &irq, NULL); /* it has run: ON, not ON_PENDING */
	call(hand.v1, PSCI_CPU_OFF, 0, 0, 0);
	hand.state_after_off = (int)vcpu_state(hand.v1);
	atomic_store(&hand.marked, 1);
	wait_flag(&hand.go);
	hand.unbind = vcpu_put(hand.v1);
	cpu_exit_this();
}

START_TEST(test_cpu_off_vcpu_still_on_its_pcpu_is_on_and_refuses_cpu_on)
{
	static const uint64_t aff[2] = { 0, 0 };
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
	struct vm *vm = test_make_vm("hand", 2, aff);
	struct vcpu *v0 = vm_vcpu(vm, 0);
	memset(&hand, 0, sizeof(hand));
	hand.v1 = vm_vcpu(vm, 1);
	ck_assert_int_eq(vcpu_bind(v0), 0);
	ck_assert_int_eq(call(v0, PSCI_CPU_ON_64, 1, RAM, 5), PSCI_RET_SUCCESS);
	sched_remove(hand.v1); /* run by hand on pCPU 1, not by a scheduler */

	ck_assert_int_eq(hal_pcpu_start(1, powering_down, NULL), 0);
	bool marked = wait_flag(&hand.marked);
	/* The window: vCPU 1 is off but pCPU 1 has not let go of it. */
	int64_t aff_in_window = marked ? call(v0, PSCI_AFFINITY_INFO_64, 1, 0, 0) : -100;
	int64_t on_in_window = marked ? call(v0, PSCI_CPU_ON_64, 1, ENTRY2, CTX2) : -100;
	uint64_t x0_in_window = hand.v1->arch.ctx.x[0];
	atomic_store(&hand.go, 1);
	ck_assert_int_eq(hal_sim_join(1), 0);

	ck_assert(marked);
	ck_assert_int_eq(hand.bind, 0);
	ck_assert_int_eq(hand.state_after_off, VCPU_OFF);
	ck_assert_int_eq(aff_in_window, AFF_ON);
	ck_assert_int_eq(on_in_window, PSCI_RET_ALREADY_ON);
	ck_assert_uint_ne(x0_in_window, CTX2); /* its registers were not touched */
	ck_assert_int_eq(hand.unbind, 0);
	ck_assert_uint_eq(hand.v1->pcpu, VCPU_NO_PCPU);
	/* Once it has left, it is OFF and a CPU_ON starts it where that call says. */
	ck_assert_int_eq(call(v0, PSCI_AFFINITY_INFO_64, 1, 0, 0), AFF_OFF);
	ck_assert_int_eq(call(v0, PSCI_CPU_ON_64, 1, ENTRY2, CTX2), PSCI_RET_SUCCESS);
	ck_assert_uint_eq(vcpu_state(hand.v1), VCPU_FREE);
	ck_assert_uint_eq(hand.v1->arch.ctx.pc, ENTRY2);
	ck_assert_uint_eq(hand.v1->arch.ctx.x[0], CTX2);
	ck_assert_int_eq(call(v0, PSCI_AFFINITY_INFO_64, 1, 0, 0), 2); /* ON_PENDING */
	ck_assert_int_eq(call(v0, PSCI_CPU_ON_64, 1, RAM, 0), PSCI_RET_ON_PENDING);

	sched_remove(hand.v1);
	ck_assert_int_eq(vcpu_put(v0), 1);
	sched_remove(v0);
	ck_assert_int_eq(vm_destroy(vm), 0);
}
END_TEST

/* ---- The real scheduler, its pCPU held where it unbinds the vCPU -------------------- */

/* vCPU 0 runs on pCPU 1, vCPU 1 on pCPU 2; the test thread (pCPU 0) only watches. */
static struct {
	struct vm *vm;
	atomic_int v0_step, v1_starts, off_issued, in_window, go;
	atomic_llong aff_in_window, on_in_window, on_after, polls;
	atomic_ullong start_pc[2], start_x0[2];
} sch;

/* vCPU 0: start vCPU 1; once vCPU 1's pCPU is held in the window, ask AFFINITY_INFO
 * and CPU_ON; then release it, poll AFFINITY_INFO until OFF, and CPU_ON again. */
static int v0_guest(struct guest_ctx *ctx, struct guest_exit *exit)
{
	int64_t x0 = (int64_t)ctx->x[0];

	switch (atomic_load(&sch.v0_step)) {
	case 0:
		atomic_store(&sch.v0_step, 1);
		test_trap_hvc(ctx, exit, PSCI_CPU_ON_64, 1, RAM);
		return 1;
	case 1:
		if (!atomic_load(&sch.in_window))
			return 0; /* spin */
		atomic_store(&sch.v0_step, 2);
		test_trap_hvc(ctx, exit, PSCI_AFFINITY_INFO_64, 1, 0);
		return 1;
	case 2:
		atomic_store(&sch.aff_in_window, x0);
		atomic_store(&sch.v0_step, 3);
		test_trap_hvc(ctx, exit, PSCI_CPU_ON_64, 1, ENTRY2);
		ctx->x[3] = CTX2;
		return 1;
	case 3:
		atomic_store(&sch.on_in_window, x0);
		atomic_store(&sch.go, 1);
		atomic_store(&sch.v0_step, 4);
		test_trap_hvc(ctx, exit, PSCI_AFFINITY_INFO_64, 1, 0);
		return 1;
	case 4:
		atomic_fetch_add(&sch.polls, 1);
		if (x0 != AFF_OFF) {
			test_trap_hvc(ctx, exit, PSCI_AFFINITY_INFO_64, 1, 0);
			return 1;
		}
		atomic_store(&sch.v0_step, 5);
		test_trap_hvc(ctx, exit, PSCI_CPU_ON_64, 1, ENTRY2);
		ctx->x[3] = CTX2;
		return 1;
	case 5:
		atomic_store(&sch.on_after, x0);
		atomic_store(&sch.v0_step, 6);
		test_trap_wfi(exit);
		return 1;
	default:
		test_trap_wfi(exit);
		return 1;
	}
}

/* vCPU 1: every entry after a CPU_ON is a fresh start: note where, then power off
 * (the first time) or wait (the second). */
static int v1_guest(struct guest_ctx *ctx, struct guest_exit *exit)
{
	if (atomic_load(&sch.off_issued) && atomic_load(&sch.v1_starts) >= 2) {
		test_trap_wfi(exit);
		return 1;
	}
	int n = atomic_fetch_add(&sch.v1_starts, 1);
	if (n < 2) {
		atomic_store(&sch.start_pc[n], ctx->pc);
		atomic_store(&sch.start_x0[n], ctx->x[0]);
	}
	if (n == 0) {
		atomic_store(&sch.off_issued, 1);
		test_trap_hvc(ctx, exit, PSCI_CPU_OFF, 0, 0);
	} else {
		test_trap_wfi(exit);
	}
	return 1;
}

static int sched_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	(void)arg;
	return TEST_VCPU_OF(ctx)->id == 0 ? v0_guest(ctx, exit) : v1_guest(ctx, exit);
}

/* On pCPU 2, the first unload after vCPU 1's CPU_OFF: hold until vCPU 0 has asked. */
static void hold_in_window(void *arg)
{
	(void)arg;
	if (hal_pcpu_id() != 2 || !atomic_load(&sch.off_issued) || atomic_exchange(&sch.in_window, 1))
		return;
	wait_flag(&sch.go);
}

START_TEST(test_scheduler_window_between_cpu_off_and_unbind)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 2 };
	test_machine_up(3, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
	memset(&sch, 0, sizeof(sch));
	sch.vm = test_make_vm("window", 2, aff);
	hal_sim_set_guest(sched_guest, NULL);
	hal_sim_set_unload_hook(hold_in_window, NULL);
	ck_assert_int_eq(vm_start(sch.vm), 0);
	test_workers_start(1, 2);
	uint64_t until = hal_now_ns() + WAIT_NS;
	while (atomic_load(&sch.v0_step) < 6 && hal_now_ns() < until)
		hal_cpu_relax();
	until = hal_now_ns() + 2000000000ull; /* vCPU 0 is done: vCPU 1 starts at once */
	while (atomic_load(&sch.v1_starts) < 2 && hal_now_ns() < until)
		hal_cpu_relax();
	atomic_store(&sch.go, 1); /* never leave pCPU 2 held, whatever happened */
	vm_stop(sch.vm, VM_STOP_REQUESTED);
	test_workers_stop(1, 2);
	enum vcpu_state s1 = vcpu_state(vm_vcpu(sch.vm, 1));
	int destroyed = vm_destroy(sch.vm);

	ck_assert_int_eq(atomic_load(&sch.in_window), 1);
	ck_assert_int_eq(atomic_load(&sch.aff_in_window), AFF_ON);
	ck_assert_int_eq(atomic_load(&sch.on_in_window), PSCI_RET_ALREADY_ON);
	ck_assert_int_eq(atomic_load(&sch.v0_step), 6);
	ck_assert_int_eq(atomic_load(&sch.on_after), PSCI_RET_SUCCESS);
	ck_assert_int_ge(atomic_load(&sch.v1_starts), 2);
	ck_assert_uint_eq(atomic_load(&sch.start_pc[1]), ENTRY2);
	ck_assert_uint_eq(atomic_load(&sch.start_x0[1]), CTX2);
	ck_assert_int_ne(s1, VCPU_UNUSABLE);
	ck_assert_int_eq(destroyed, 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("psci");
	TCase *tc = tcase_create("cpu_off_window");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_cpu_off_vcpu_still_on_its_pcpu_is_on_and_refuses_cpu_on);
	tcase_add_test(tc, test_scheduler_window_between_cpu_off_and_unbind);
	suite_add_tcase(s, tc);
	return s;
}
