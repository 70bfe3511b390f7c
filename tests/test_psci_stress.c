/* PSCI CPU_OFF hammered by CPU_ON: vCPU 1 powers off on pCPU 2 as soon as it starts,
 * while vCPU 0 on pCPU 1 calls CPU_ON for it in a loop (and, every fourth call,
 * AFFINITY_INFO, which a kernel asks before it onlines a CPU). Whatever the
 * interleaving: every start is at the entry point and with the context id of a CPU_ON
 * that succeeded, with the other registers reset; a vCPU AFFINITY_INFO reports OFF can
 * be started at once; nothing is poisoned; the VM is destroyed and every frame comes
 * back. Run under ThreadSanitizer by scripts/test's tsan-stress configuration, which
 * also sees two pCPUs writing one vCPU's registers. */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "arch/aarch64/psci.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define ENTRY (TEST_RAM + 0x80)
#define CYCLES 2000
#define WAIT_NS 60000000000ull
#define AFF_OFF 1

static struct {
	/* vCPU 0's loop (touched by pCPU 1 only, read at the end) */
	uint64_t next_ctx;     /* context id of the next CPU_ON: 1, 2, 3 ... */
	uint64_t pending_fid, pending_ctx;
	bool after_off;        /* the last AFFINITY_INFO said OFF */
	/* results, read by the test thread */
	atomic_ullong successes, already_on, on_pending, other, off_reports;
	atomic_ullong last_success_ctx, off_then_refused;
	atomic_ullong starts, bad_starts, last_start_ctx;
	atomic_int stop;
} st;

static void v0_call(struct guest_ctx *ctx, struct guest_exit *exit)
{
	bool ask = st.next_ctx % 4 == 3 && !st.after_off;

	st.pending_fid = ask ? PSCI_AFFINITY_INFO_64 : PSCI_CPU_ON_64;
	st.pending_ctx = st.next_ctx++;
	test_trap_hvc(ctx, exit, st.pending_fid, 1, ask ? 0 : ENTRY);
	ctx->x[3] = ask ? 0 : st.pending_ctx;
}

/* The result of vCPU 0's last call is in X0 when it is entered again. */
static void v0_result(int64_t r)
{
	if (st.pending_fid == PSCI_AFFINITY_INFO_64) {
		st.after_off = r == AFF_OFF;
		if (st.after_off)
			atomic_fetch_add(&st.off_reports, 1);
		return;
	}
	if (st.after_off && r != PSCI_RET_SUCCESS)
		atomic_fetch_add(&st.off_then_refused, 1); /* OFF, yet it could not be started */
	st.after_off = false;
	if (r == PSCI_RET_SUCCESS) {
		atomic_store(&st.last_success_ctx, st.pending_ctx);
		atomic_fetch_add(&st.successes, 1);
	} else if (r == PSCI_RET_ALREADY_ON) {
		atomic_fetch_add(&st.already_on, 1);
	} else if (r == PSCI_RET_ON_PENDING) {
		atomic_fetch_add(&st.on_pending, 1);
	} else {
		atomic_fetch_add(&st.other, 1);
	}
}

static int v0_guest(struct guest_ctx *ctx, struct guest_exit *exit)
{
	if (st.pending_fid)
		v0_result((int64_t)ctx->x[0]);
	if (atomic_load(&st.stop) || atomic_load(&st.starts) >= CYCLES) {
		st.pending_fid = 0;
		test_trap_wfi(exit);
		return 1;
	}
	v0_call(ctx, exit);
	return 1;
}

/* Each entry of vCPU 1 is a fresh start by a CPU_ON: check it, then power off. */
static int v1_guest(struct guest_ctx *ctx, struct guest_exit *exit)
{
	bool fresh = ctx->pc == ENTRY && ctx->pstate == 0x3C5 &&
		     ctx->x[0] > atomic_load(&st.last_start_ctx);
	for (unsigned i = 1; i < 31; i++)
		fresh = fresh && ctx->x[i] == 0;
	if (!fresh)
		atomic_fetch_add(&st.bad_starts, 1);
	atomic_store(&st.last_start_ctx, ctx->x[0]);
	atomic_fetch_add(&st.starts, 1);
	test_trap_hvc(ctx, exit, PSCI_CPU_OFF, 0, 0);
	return 1;
}

static int guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	(void)arg;
	return TEST_VCPU_OF(ctx)->id == 0 ? v0_guest(ctx, exit) : v1_guest(ctx, exit);
}

START_TEST(test_cpu_on_hammering_a_vcpu_that_powers_off)
{
	static const uint64_t aff[2] = { 1u << 1, 1u << 2 };

	test_machine_up(3, true);
	sched_init(SCHED_STATIC, 0);
	size_t baseline = frame_outstanding();
	memset(&st, 0, sizeof(st));
	st.next_ctx = 1;
	struct vm *vm = test_make_vm("hammer", 2, aff);
	hal_sim_set_guest(guest, NULL);
	ck_assert_int_eq(vm_start(vm), 0);
	test_workers_start(1, 2);
	uint64_t until = hal_now_ns() + WAIT_NS;
	while (atomic_load(&st.starts) < CYCLES && hal_now_ns() < until &&
	       vcpu_state(vm_vcpu(vm, 1)) != VCPU_UNUSABLE)
		hal_cpu_relax();
	atomic_store(&st.stop, 1);
	vm_stop(vm, VM_STOP_REQUESTED);
	test_workers_stop(1, 2);
	enum vcpu_state s1 = vcpu_state(vm_vcpu(vm, 1));
	int destroyed = vm_destroy(vm);
	hal_sim_set_guest(NULL, NULL);

	fprintf(stderr, "# %llu starts; CPU_ON: %llu succeeded, %llu ALREADY_ON, %llu ON_PENDING; "
		"%llu AFFINITY_INFO OFF\n", (unsigned long long)st.starts,
		(unsigned long long)st.successes, (unsigned long long)st.already_on,
		(unsigned long long)st.on_pending, (unsigned long long)st.off_reports);
	ck_assert_int_ne(s1, VCPU_UNUSABLE);
	ck_assert_int_eq(destroyed, 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	ck_assert_uint_ge(atomic_load(&st.starts), CYCLES);
	ck_assert_uint_eq(atomic_load(&st.bad_starts), 0);
	ck_assert_uint_eq(atomic_load(&st.other), 0);
	ck_assert_uint_eq(atomic_load(&st.off_then_refused), 0);
	/* vCPU 1 is OFF at creation, so each start is one successful CPU_ON; at the stop
	 * the last may not have run, or vCPU 0 not have seen its result. */
	uint64_t ok = atomic_load(&st.successes), starts = atomic_load(&st.starts);
	ck_assert(ok + 1 >= starts && ok <= starts + 1);
	/* The hammer hit the window: calls were refused while vCPU 1 was on. */
	ck_assert_uint_gt(atomic_load(&st.already_on) + atomic_load(&st.on_pending), 0);
	cpu_exit_this();
	test_machine_down();
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("psci_stress");
	TCase *tc = tcase_create("hammer");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cpu_on_hammering_a_vcpu_that_powers_off);
	suite_add_tcase(s, tc);
	return s;
}
