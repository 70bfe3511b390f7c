/* core's per-pCPU layer: software timers multiplexed on the one-shot, cross-pCPU calls
 * over IPIs, and bring-up/take-down of pCPUs. */
#include <check.h>
#include <stdatomic.h>

#include "core/cpu.h"
#include "core/ipi.h"
#include "core/timer.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define NCPUS 4
#define NTIMERS 8

static void setup(void)
{
	test_machine_up(8, true);
}

static void teardown(void)
{
	cpu_exit_this();
	test_machine_down();
}

/* Secondary pCPUs run this around their body, as the boot path will. */
static void bring_up(void)
{
	if (hal_pcpu_id() != 0)
		ck_assert_int_eq(cpu_init_this(), 0);
}

static void take_down(void)
{
	if (hal_pcpu_id() != 0)
		cpu_exit_this();
}

struct fired {
	unsigned cpu;
	int slot;
	uint64_t at;
};

struct timer_run {
	struct timer timers[NTIMERS];
	uint64_t deadline[NTIMERS];
	struct fired log[NTIMERS * 2];
	int nfired;
};

static struct timer_run runs[NCPUS];

static void on_fire(struct timer *t, void *arg)
{
	struct timer_run *r = arg;

	r->log[r->nfired++] = (struct fired){ hal_pcpu_id(), (int)(t - r->timers), hal_now_ns() };
}

/* Deadlines deliberately armed out of order; two share a deadline. */
static const int order_ms[NTIMERS] = { 7, 2, 5, 1, 8, 3, 3, 6 };

static void arm_and_wait(void *arg)
{
	(void)arg;
	bring_up();
	struct timer_run *r = &runs[hal_pcpu_id()];
	uint64_t now = hal_now_ns();
	for (int i = 0; i < NTIMERS; i++) {
		timer_init(&r->timers[i], on_fire, r);
		r->deadline[i] = now + (uint64_t)order_ms[i] * 1000000 + hal_pcpu_id() * 100000;
		ck_assert_int_eq(timer_arm(&r->timers[i], r->deadline[i]), 0);
	}
	while (r->nfired < NTIMERS)
		cpu_idle();
	take_down();
}

START_TEST(test_timers_fire_on_the_arming_pcpu_in_deadline_order)
{
	test_on_pcpus(NCPUS, arm_and_wait, NULL);
	for (unsigned c = 0; c < NCPUS; c++) {
		struct timer_run *r = &runs[c];
		ck_assert_int_eq(r->nfired, NTIMERS);
		for (int k = 0; k < NTIMERS; k++) {
			struct fired *f = &r->log[k];
			ck_assert_uint_eq(f->cpu, c);
			ck_assert_uint_ge(f->at, r->deadline[f->slot]);
			if (k > 0)
				ck_assert_uint_le(r->deadline[r->log[k - 1].slot], r->deadline[f->slot]);
		}
		/* Equal deadlines keep arming order: slot 5 before slot 6. */
		int pos5 = -1, pos6 = -1;
		for (int k = 0; k < NTIMERS; k++) {
			if (r->log[k].slot == 5)
				pos5 = k;
			if (r->log[k].slot == 6)
				pos6 = k;
		}
		ck_assert_int_lt(pos5, pos6);
	}
}
END_TEST

START_TEST(test_cancelled_timer_never_fires_and_rearm_moves_it)
{
	struct timer_run *r = &runs[0];
	uint64_t now = hal_now_ns();

	for (int i = 0; i < 3; i++)
		timer_init(&r->timers[i], on_fire, r);
	ck_assert_int_eq(timer_arm(&r->timers[0], now + 1000000), 0);
	ck_assert_int_eq(timer_arm(&r->timers[1], now + 3000000), 0);
	ck_assert_int_eq(timer_arm(&r->timers[2], now + 60000000000ull), 0);
	ck_assert_int_eq(timer_cancel(&r->timers[0]), 0);
	ck_assert_int_eq(timer_cancel(&r->timers[0]), -ENOENT);
	ck_assert_int_eq(timer_arm(&r->timers[2], now + 2000000), 0); /* moved earlier */
	while (r->nfired < 2)
		cpu_idle();
	ck_assert_int_eq(r->log[0].slot, 2);
	ck_assert_int_eq(r->log[1].slot, 1);
	ck_assert_int_eq(timer_cancel(&r->timers[1]), -ENOENT); /* already fired */
}
END_TEST

static void rearm_self(struct timer *t, void *arg)
{
	atomic_int *count = arg;

	if (atomic_fetch_add(count, 1) + 1 < 5)
		ck_assert_int_eq(timer_arm(t, hal_now_ns() + 100000), 0);
}

START_TEST(test_timer_may_rearm_itself_from_its_callback)
{
	static atomic_int count;
	struct timer t;

	timer_init(&t, rearm_self, &count);
	ck_assert_int_eq(timer_arm(&t, hal_now_ns()), 0);
	while (atomic_load(&count) < 5)
		cpu_idle();
	ck_assert_int_eq(timer_cancel(&t), -ENOENT);
}
END_TEST

START_TEST(test_timer_bad_arguments)
{
	struct timer t;

	ck_assert_int_eq(timer_arm(NULL, 0), -EINVAL);
	timer_init(&t, NULL, NULL);
	ck_assert_int_eq(timer_arm(&t, 0), -EINVAL);
	ck_assert_int_eq(timer_cancel(NULL), -EINVAL);
	ck_assert_int_eq(timer_cancel(&t), -ENOENT);
	cpu_exit_this();
	timer_init(&t, on_fire, &runs[0]);
	ck_assert_int_eq(timer_arm(&t, 0), -ENODEV); /* pCPU not brought up */
}
END_TEST

/* Every pCPU calls a function on every pCPU (itself included); each (from, to) pair
 * must run exactly once, on `to`. */
#define IPI_CPUS 8
static atomic_uint calls[IPI_CPUS][IPI_CPUS];
static atomic_uint calls_seen[IPI_CPUS];
static atomic_uint up_count;

struct call_arg {
	unsigned from, to;
};

static void record_call(void *arg)
{
	struct call_arg *a = arg;

	ck_assert_uint_eq(hal_pcpu_id(), a->to);
	atomic_fetch_add(&calls[a->from][a->to], 1);
	atomic_fetch_add(&calls_seen[a->to], 1);
}

static void call_everyone(void *arg)
{
	(void)arg;
	bring_up();
	unsigned me = hal_pcpu_id();
	struct ipi_msg msgs[IPI_CPUS] = { 0 };
	struct call_arg args[IPI_CPUS];

	atomic_fetch_add(&up_count, 1);
	while (atomic_load(&up_count) < IPI_CPUS)
		hal_cpu_relax();
	for (unsigned to = 0; to < IPI_CPUS; to++) {
		args[to] = (struct call_arg){ me, to };
		ck_assert_int_eq(ipi_call(to, &msgs[to], record_call, &args[to]), 0);
	}
	/* Completion of our messages raises no IRQ here, so poll for it while still
	 * serving the calls others send us. */
	bool all_done = false;
	while (!all_done || atomic_load(&calls_seen[me]) < IPI_CPUS) {
		cpu_handle_irqs();
		hal_cpu_relax();
		all_done = true;
		for (unsigned to = 0; to < IPI_CPUS; to++)
			all_done = all_done && ipi_msg_done(&msgs[to]);
	}
	take_down();
}

START_TEST(test_ipi_call_from_every_pcpu_to_every_pcpu_runs_once)
{
	test_on_pcpus(IPI_CPUS, call_everyone, NULL);
	for (unsigned f = 0; f < IPI_CPUS; f++)
		for (unsigned t = 0; t < IPI_CPUS; t++)
			ck_assert_uint_eq(atomic_load(&calls[f][t]), 1);
}
END_TEST

static void nothing(void *arg)
{
	(void)arg;
}

START_TEST(test_ipi_call_refuses_bad_targets_and_busy_messages)
{
	struct ipi_msg m = { 0 };

	ck_assert_int_eq(ipi_call(8, &m, nothing, NULL), -EINVAL);
	ck_assert_int_eq(ipi_call(0, NULL, nothing, NULL), -EINVAL);
	ck_assert_int_eq(ipi_call(0, &m, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ipi_call(3, &m, nothing, NULL), -ENODEV); /* never brought up */
	ck_assert_int_eq(ipi_call(0, &m, nothing, NULL), 0);
	ck_assert_int_eq(ipi_call(0, &m, nothing, NULL), -EBUSY);
	while (!ipi_msg_done(&m))
		cpu_idle();
	ck_assert_int_eq(ipi_call(0, &m, nothing, NULL), 0); /* reusable once done */
	while (!ipi_msg_done(&m))
		cpu_idle();
}
END_TEST

START_TEST(test_pcpu_cannot_be_brought_up_twice)
{
	ck_assert_int_eq(cpu_init_this(), -EBUSY);
	ck_assert_ptr_eq(this_cpu(), cpu_get(0));
	ck_assert_ptr_null(cpu_get(8));
	ck_assert(cpu_is_up(cpu_get(0)));
	ck_assert(!cpu_is_up(cpu_get(1)));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("cpu");
	TCase *tc = tcase_create("cpu");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_timers_fire_on_the_arming_pcpu_in_deadline_order);
	tcase_add_test(tc, test_cancelled_timer_never_fires_and_rearm_moves_it);
	tcase_add_test(tc, test_timer_may_rearm_itself_from_its_callback);
	tcase_add_test(tc, test_timer_bad_arguments);
	tcase_add_test(tc, test_ipi_call_from_every_pcpu_to_every_pcpu_runs_once);
	tcase_add_test(tc, test_ipi_call_refuses_bad_targets_and_busy_messages);
	tcase_add_test(tc, test_pcpu_cannot_be_brought_up_twice);
	suite_add_tcase(s, tc);
	return s;
}
