/* The virtual timer's deadlines at counter frequencies that do not divide 1 GHz (QEMU's
 * 62.5 MHz, a SoC's 24 and 19.2 MHz) and at 1 GHz: near, far (beyond 2^64 ns) and
 * maximal CVAL values. A deadline fires neither early (the guest never sees the
 * interrupt before its counter reached CVAL) nor never (the host timer stands for the
 * first nanosecond at which it has). Expected instants are worked out in 128-bit
 * arithmetic from the simulation host's counter, floor(ns * hz / 10^9) (hal-sim/sim.h),
 * independently of the code under test. */
#include <check.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/vgic.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/muldiv.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define NS_PER_S 1000000000u
#define HVC0 0x5A000000ull /* EC 0x16, IL, imm16 0 */
#define WAKE_SPI 40u

static const uint64_t freqs[] = { 62500000, 24000000, 19200000, 1000000000 };
#define NFREQS ((int)(sizeof(freqs) / sizeof(freqs[0])))
#define NSLOW 3 /* the first NSLOW of freqs are below 1 GHz */

/* 18446744074 s is the first whole second past 2^64 ns (by 0.290448384 s): a deadline
 * that many seconds away cannot be a hal_now_ns() value. Written as (s / hz) * 10^9, it
 * wraps to 0.29 s from now. */
#define SECONDS_PAST_2_64_NS 18446744074ull

static uint64_t hz;
static struct vm *vm;
static struct vcpu *v0;
static size_t baseline;

/* The first nanosecond at which the counter reads c: ceil(c * 10^9 / hz), or
 * UINT64_MAX if that is past the end of time. */
static uint64_t first_ns(uint64_t c)
{
	unsigned __int128 ns = ((unsigned __int128)c * NS_PER_S + hz - 1) / hz;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

static void machine_at(uint64_t freq, unsigned pcpus)
{
	struct hal_sim_config cfg = {
		.pcpus = pcpus, .counter_hz = freq, .nranges = 2,
		.ranges = { { { TEST_RAM0_BASE }, TEST_RAM0_SIZE }, { { TEST_RAM1_BASE }, TEST_RAM1_SIZE } },
	};

	hz = freq;
	ck_assert_int_eq(hal_sim_init(&cfg), 0);
	ck_assert_int_eq(frame_init(), 0);
	ck_assert_int_eq(cpu_boot_init(), 0);
	ck_assert_int_eq(cpu_init_this(), 0);
	ck_assert_uint_eq(hal_counter_hz(), freq);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
}

/* ---- Exact conversions --------------------------------------------------------------- */

static void check_muldiv(uint64_t a, uint32_t num, uint32_t den)
{
	unsigned __int128 p = (unsigned __int128)a * num;
	unsigned __int128 lo = p / den, hi = (p + den - 1) / den;

	ck_assert_uint_eq(muldiv_floor(a, num, den), lo > UINT64_MAX ? UINT64_MAX : (uint64_t)lo);
	ck_assert_uint_eq(muldiv_ceil(a, num, den), hi > UINT64_MAX ? UINT64_MAX : (uint64_t)hi);
}

START_TEST(test_muldiv_is_exact_and_saturates)
{
	static const uint32_t rates[] = { 1, 3, 19200000, 24000000, 62500000, NS_PER_S, UINT32_MAX };
	static const uint64_t edges[] = { 0, 1, 2, NS_PER_S - 1, NS_PER_S, 19200000ull * 7 + 1,
					  UINT64_MAX / NS_PER_S, UINT64_MAX / 19200000,
					  UINT64_MAX - 1, UINT64_MAX };
	uint64_t x = 0x9E3779B97F4A7C15ull;

	for (unsigned n = 0; n < 7; n++)
		for (unsigned d = 0; d < 7; d++) {
			for (unsigned e = 0; e < 10; e++)
				check_muldiv(edges[e], rates[n], rates[d]);
			for (unsigned i = 0; i < 2000; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				check_muldiv(x >> (i % 64), rates[n], rates[d]);
			}
		}
	/* Hand-worked: 1 tick of 19.2 MHz is 52.083... ns; 2^64 ns is not a time. */
	ck_assert_uint_eq(muldiv_ceil(1, NS_PER_S, 19200000), 53);
	ck_assert_uint_eq(muldiv_floor(1, NS_PER_S, 19200000), 52);
	ck_assert_uint_eq(muldiv_ceil(3, NS_PER_S, 19200000), 157); /* 156.25 */
	ck_assert_uint_eq(muldiv_ceil(157, 19200000, NS_PER_S), 4); /* 3.0144 ticks */
	ck_assert_uint_eq(muldiv_ceil(SECONDS_PAST_2_64_NS, NS_PER_S, 1), UINT64_MAX);
	ck_assert_uint_eq(add_sat(UINT64_MAX - 1, 2), UINT64_MAX);
	ck_assert_uint_eq(add_sat(40, 2), 42);
}
END_TEST

/* The bare-metal HAL's conversions (hal-baremetal/.../time.c), which the simulation
 * host does not run: hal_now_ns() is floor(CNTPCT * 10^9 / hz), and hal_timer_arm(D)
 * programs CNTHP_CVAL = ceil(D * hz / 10^9). That is the first counter value at which
 * hal_now_ns() >= D: the timer expires neither before its deadline nor a tick late. */
START_TEST(test_a_host_deadline_in_ticks_is_the_first_tick_at_or_after_it)
{
	static const uint32_t rates[] = { 62500000, 24000000, 19200000, NS_PER_S, 54000000, 1 };
	uint64_t x = 0x2545F4914F6CDD1Dull;

	for (unsigned r = 0; r < 6; r++)
		for (unsigned i = 0; i < 100000; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			uint64_t d = x >> (i % 8 * 4 + 2); /* deadlines up to 2^62 ns */
			uint64_t cval = muldiv_ceil(d, rates[r], NS_PER_S);
			ck_assert_uint_ge(muldiv_floor(cval, NS_PER_S, rates[r]), d);
			if (cval)
				ck_assert_uint_lt(muldiv_floor(cval - 1, NS_PER_S, rates[r]), d);
		}
}
END_TEST

/* ---- One vCPU on pCPU 0, its exits fed by hand -------------------------------------- */

static void setup_vcpu(int i)
{
	static const uint64_t aff[1] = { 1u << 0 };

	machine_at(freqs[i], 2);
	vm = test_make_vm("vtimer", 1, aff);
	v0 = vm_vcpu(vm, 0);
	ck_assert_int_eq(vcpu_bind(v0), 0);
	test_gic_enable(vm, 0, VGIC_PPI_VTIMER, 0x80);
}

static void teardown_vcpu(void)
{
	if (!vm)
		return;
	if (v0->pcpu != VCPU_NO_PCPU)
		vcpu_put(v0);
	ck_assert_int_eq(vm_destroy(vm), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	vm = NULL;
	cpu_exit_this();
	test_machine_down();
}

/* The guest leaves CNTV_CTL_EL0 = ctl and CNTV_CVAL_EL0 = cval, and exits (HVC
 * PSCI_VERSION): Tandem looks at its timer on the way out. */
static void exit_with_timer(uint64_t ctl, uint64_t cval)
{
	struct guest_exit t = { .type = TRAP_SYNC, .esr = HVC0 };

	v0->arch.ctx.el1[CNTV_CTL_EL0] = ctl;
	v0->arch.ctx.el1[CNTV_CVAL_EL0] = cval;
	v0->arch.ctx.vtimer_written = 1; /* as the engine marks a guest's write */
	v0->arch.ctx.x[0] = PSCI_VERSION;
	ck_assert_int_eq(vm_feed_trap(v0, &t, NULL), 0);
	ck_assert_uint_eq(v0->arch.ctx.x[0], PSCI_VERSION_1_1);
}

static bool line_high(void)
{
	return vgic_irq_state(&vm->arch.vgic, 0, VGIC_PPI_VTIMER)->flags & VGIC_LEVEL;
}

static bool host_timer_armed(void)
{
	return __atomic_load_n(&v0->vtimer.queue, __ATOMIC_ACQUIRE) != NULL;
}

/* The host timer stands for virtual count vcval (the guest's CVAL) as early as it may
 * and no later than the conversion's own reading of the clocks allows: the counter
 * read before the ns clock, one tick of rounding, one ns of it. [t0, t1] brackets the
 * exit. */
static void check_armed_for(uint64_t vcval, uint64_t t0, uint64_t t1)
{
	uint64_t want = first_ns(vcval + v0->arch.ctx.cntvoff_el2), tick = NS_PER_S / hz + 1;

	ck_assert(host_timer_armed());
	ck_assert(!line_high());
	ck_assert_uint_ge(v0->vtimer.deadline, want); /* never early */
	if (want < UINT64_MAX - (t1 - t0) - tick - 1)
		ck_assert_uint_le(v0->vtimer.deadline, want + (t1 - t0) + tick + 1); /* nor late */
}

START_TEST(test_near_deadlines_fire_at_the_first_ns_the_counter_reaches_cval)
{
	setup_vcpu(_i);
	for (uint64_t k = 0; k < 300; k++) {
		/* 2 ms ahead, and every alignment of CVAL to the nanosecond clock. */
		uint64_t cval = hal_counter() + hz / 500 + k * 7;
		uint64_t t0 = hal_now_ns();
		exit_with_timer(CNTV_CTL_ENABLE, cval);
		uint64_t t1 = hal_now_ns();
		if (hal_counter() >= cval) /* preempted for 2 ms: then the line is simply up */
			continue;
		check_armed_for(cval, t0, t1);
	}
}
END_TEST

START_TEST(test_far_deadlines_are_exact)
{
	setup_vcpu(_i);
	/* Ten hours and a half-tick-odd number of ticks ahead. */
	uint64_t cval = hal_counter() + 36000 * hz + hz / 3, t0 = hal_now_ns();
	exit_with_timer(CNTV_CTL_ENABLE, cval);
	check_armed_for(cval, t0, hal_now_ns());
}
END_TEST

/* A deadline 584 years away, which (d / hz) * 10^9 wrapped to 0.29 s from now: it must
 * saturate to "never". */
START_TEST(test_a_deadline_past_2_64_ns_saturates_instead_of_wrapping)
{
	setup_vcpu(_i); /* the slow counters: at 1 GHz the counter itself ends at 2^64 ns */
	uint64_t cval = hal_counter() + SECONDS_PAST_2_64_NS * hz, t0 = hal_now_ns();
	exit_with_timer(CNTV_CTL_ENABLE, cval);
	check_armed_for(cval, t0, hal_now_ns());
	ck_assert_uint_eq(v0->vtimer.deadline, UINT64_MAX);
}
END_TEST

START_TEST(test_maximal_cval_never_fires)
{
	setup_vcpu(_i);
	uint64_t t0 = hal_now_ns();
	exit_with_timer(CNTV_CTL_ENABLE, UINT64_MAX);
	check_armed_for(UINT64_MAX, t0, hal_now_ns());
	ck_assert_uint_eq(v0->vtimer.deadline, UINT64_MAX);
}
END_TEST

/* With CNTVOFF_EL2 the physical deadline is CVAL + CNTVOFF, which must not wrap past
 * 2^64 into the past either. */
START_TEST(test_maximal_cval_with_a_virtual_offset_never_fires)
{
	setup_vcpu(_i);
	v0->arch.ctx.cntvoff_el2 = hal_counter() / 2;
	exit_with_timer(CNTV_CTL_ENABLE, UINT64_MAX);
	ck_assert(host_timer_armed());
	ck_assert(!line_high());
	ck_assert_uint_eq(v0->vtimer.deadline, UINT64_MAX);
}
END_TEST

/* The host timer's callback, run now: as if the host timer expired now. */
static void host_timer_expires(void)
{
	timer_cancel(&v0->vtimer);
	v0->vtimer.fn(&v0->vtimer, v0->vtimer.arg);
}

START_TEST(test_a_host_timer_that_expires_early_leaves_the_line_low_and_rearms)
{
	setup_vcpu(_i);
	uint64_t cval = hal_counter() + hz; /* a second ahead */
	exit_with_timer(CNTV_CTL_ENABLE, cval);
	ck_assert(host_timer_armed());
	uint64_t t0 = hal_now_ns();
	host_timer_expires();
	ck_assert(!line_high()); /* no interrupt before CNTVCT >= CVAL */
	check_armed_for(cval, t0, hal_now_ns());
}
END_TEST

START_TEST(test_a_host_timer_for_a_disabled_or_masked_timer_leaves_the_line_low)
{
	static const uint64_t ctls[] = { 0, CNTV_CTL_ENABLE | CNTV_CTL_IMASK };

	setup_vcpu(_i);
	for (unsigned i = 0; i < 2; i++) {
		/* 20 ms: the exit must reach its timer sync before CVAL, under TSan on a
		 * loaded machine too (1 ms was seen to pass before it did). */
		uint64_t cval = hal_counter() + hz / 50;
		exit_with_timer(CNTV_CTL_ENABLE, cval);
		ck_assert(host_timer_armed());
		exit_with_timer(ctls[i], cval); /* the guest turned it off, or masked it */
		while (hal_counter() < cval)
			hal_cpu_relax();
		host_timer_expires(); /* a stale expiry, CVAL reached */
		ck_assert(!line_high());
		ck_assert(!host_timer_armed());
	}
}
END_TEST

START_TEST(test_a_host_timer_at_the_deadline_raises_the_line)
{
	setup_vcpu(_i);
	uint64_t cval = hal_counter() + hz / 1000;
	exit_with_timer(CNTV_CTL_ENABLE, cval);
	while (hal_now_ns() < v0->vtimer.deadline)
		hal_cpu_relax();
	ck_assert_uint_ge(hal_counter(), cval); /* the host timer's instant is CVAL's */
	host_timer_expires();
	ck_assert(line_high());
	ck_assert(!host_timer_armed());
	exit_with_timer(0, cval); /* the guest's handler turns it off: the line falls */
	ck_assert(!line_high());
}
END_TEST

/* pCPU 1 keeps taking early expiries (each re-arms the host timer there) while pCPU 0
 * stops the virtual timer, as vm_destroy does: once stopped it stays disarmed, so that
 * no callback can run on a freed vCPU. */
static atomic_int stopped;

static void early_expiries_against_stop(void *arg)
{
	(void)arg;
	if (hal_pcpu_id() == 0) {
		struct timespec ts = { 0, 20000000 };
		nanosleep(&ts, NULL);
		vtimer_stop(v0);
		atomic_store(&stopped, 1);
		return;
	}
	ck_assert_int_eq(cpu_init_this(), 0);
	while (!atomic_load(&stopped))
		v0->vtimer.fn(&v0->vtimer, v0->vtimer.arg);
	v0->vtimer.fn(&v0->vtimer, v0->vtimer.arg); /* a stale one after the stop */
	cpu_exit_this();
}

START_TEST(test_a_stopped_vtimer_is_never_rearmed_by_an_early_expiry)
{
	setup_vcpu(_i);
	exit_with_timer(CNTV_CTL_ENABLE, hal_counter() + 3600 * hz);
	atomic_store(&stopped, 0);
	test_on_pcpus(2, early_expiries_against_stop, NULL);
	ck_assert(!host_timer_armed());
	ck_assert(!line_high());
}
END_TEST

/* ---- A guest on pCPU 1 under the scheduler ------------------------------------------ */

enum phase { PHASE_NEAR, PHASE_FAR, PHASE_MAX, PHASE_DONE };

#define NEAR_ROUNDS 20

struct guest_state {
	atomic_int phase;
	atomic_int vtimer_irqs; /* taken by the guest */
	atomic_int early;       /* taken before its counter reached CVAL */
	atomic_int wakes;       /* WAKE_SPI taken */
	uint64_t far_ticks;
};

static struct guest_state gs;

static uint64_t vcount(const struct guest_ctx *ctx)
{
	return hal_counter() - ctx->cntvoff_el2;
}

/* Each round: take what is pending; if its timer is off, program the phase's deadline
 * (near: 200 us; far: past 2^64 ns; maximal: CVAL = 2^64 - 1); wait in WFI. The
 * vtimer's handler checks the counter reached CVAL and turns the timer off. */
static int timer_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	(void)arg;
	int got = test_guest_take_irq(ctx);
	int phase = atomic_load(&gs.phase);

	if (got == VGIC_PPI_VTIMER) {
		if (vcount(ctx) < ctx->el1[CNTV_CVAL_EL0])
			atomic_fetch_add(&gs.early, 1);
		ctx->el1[CNTV_CTL_EL0] = 0;
		if (atomic_fetch_add(&gs.vtimer_irqs, 1) + 1 == NEAR_ROUNDS)
			atomic_store(&gs.phase, phase = PHASE_FAR);
	} else if (got == WAKE_SPI) {
		atomic_fetch_add(&gs.wakes, 1);
		ctx->el1[CNTV_CTL_EL0] = 0;
		atomic_store(&gs.phase, ++phase);
	}
	if (!(ctx->el1[CNTV_CTL_EL0] & CNTV_CTL_ENABLE) && phase != PHASE_DONE) {
		uint64_t ticks = phase == PHASE_NEAR ? hz / 5000 + 1 : gs.far_ticks;
		ctx->el1[CNTV_CVAL_EL0] = phase == PHASE_MAX ? UINT64_MAX : vcount(ctx) + ticks;
		ctx->el1[CNTV_CTL_EL0] = CNTV_CTL_ENABLE;
	}
	ctx->vtimer_written = 1; /* it may have written CNTV_CTL/CVAL: as the engine marks */
	test_trap_wfi(exit);
	return 1;
}

static void wait_until(bool (*cond)(void))
{
	uint64_t until = hal_now_ns() + 60 * (uint64_t)NS_PER_S;

	while (!cond()) {
		ck_assert_uint_lt(hal_now_ns(), until);
		hal_cpu_relax();
	}
}

static bool near_rounds_done(void)
{
	return atomic_load(&gs.vtimer_irqs) >= NEAR_ROUNDS;
}

/* Blocked in WFI (alone on its pCPU it waits there loaded: core/sched.c). */
static bool blocked_in_wfi(void)
{
	return vcpu_state(vm_vcpu(vm, 0)) == VCPU_BLOCKED;
}

/* Blocked in WFI with the phase's deadline: nothing may wake it for 400 ms (longer
 * than the 0.29 s a wrapped far deadline came back after). */
static void stays_asleep(void)
{
	wait_until(blocked_in_wfi);
	struct timespec ts = { 0, 400000000 };
	nanosleep(&ts, NULL);
	ck_assert_int_eq(atomic_load(&gs.vtimer_irqs), NEAR_ROUNDS);
	ck_assert(blocked_in_wfi());
}

static int woken;
static bool woke(void)
{
	return atomic_load(&gs.wakes) == woken;
}

START_TEST(test_a_guest_waiting_on_near_far_and_maximal_deadlines)
{
	static const uint64_t aff[1] = { 1u << 1 };

	machine_at(freqs[_i], 2);
	memset(&gs, 0, sizeof(gs));
	/* Far: past 2^64 ns below 1 GHz; at 1 GHz, 2^63 ns (292 years). */
	gs.far_ticks = _i < NSLOW ? SECONDS_PAST_2_64_NS * hz : 1ull << 63;
	vm = test_make_vm("vtimer", 1, aff);
	test_gic_enable(vm, 0, VGIC_PPI_VTIMER, 0x80);
	test_gic_enable(vm, 0, WAKE_SPI, 0x80);
	hal_sim_set_guest(timer_guest, NULL);
	ck_assert_int_eq(vm_start(vm), 0);
	test_workers_start(1, 1);
	wait_until(near_rounds_done);
	for (woken = 1; woken <= 2; woken++) { /* the far deadline, then the maximal one */
		stays_asleep();
		ck_assert_int_eq(vm_inject_irq(vm, 0, WAKE_SPI), 0);
		wait_until(woke);
	}
	ck_assert_int_eq(atomic_load(&gs.early), 0);
	vm_stop(vm, VM_STOP_REQUESTED);
	test_workers_stop(1, 1);
	ck_assert_int_eq(vm_destroy(vm), 0);
	vm = NULL;
	hal_sim_set_guest(NULL, NULL);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	cpu_exit_this();
	test_machine_down();
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("vtimer");
	TCase *math = tcase_create("muldiv");
	TCase *exits = tcase_create("exits");
	TCase *guest = tcase_create("guest");

	tcase_add_test(math, test_muldiv_is_exact_and_saturates);
	tcase_add_test(math, test_a_host_deadline_in_ticks_is_the_first_tick_at_or_after_it);
	suite_add_tcase(s, math);

	tcase_add_checked_fixture(exits, NULL, teardown_vcpu);
	tcase_set_timeout(exits, 60);
	tcase_add_loop_test(exits, test_near_deadlines_fire_at_the_first_ns_the_counter_reaches_cval, 0,
			    NFREQS);
	tcase_add_loop_test(exits, test_far_deadlines_are_exact, 0, NFREQS);
	tcase_add_loop_test(exits, test_a_deadline_past_2_64_ns_saturates_instead_of_wrapping, 0,
			    NSLOW);
	tcase_add_loop_test(exits, test_maximal_cval_never_fires, 0, NFREQS);
	tcase_add_loop_test(exits, test_maximal_cval_with_a_virtual_offset_never_fires, 0, NFREQS);
	tcase_add_loop_test(exits, test_a_host_timer_that_expires_early_leaves_the_line_low_and_rearms,
			    0, NFREQS);
	tcase_add_loop_test(exits, test_a_host_timer_for_a_disabled_or_masked_timer_leaves_the_line_low,
			    0, NFREQS);
	tcase_add_loop_test(exits, test_a_host_timer_at_the_deadline_raises_the_line, 0, NFREQS);
	tcase_add_loop_test(exits, test_a_stopped_vtimer_is_never_rearmed_by_an_early_expiry, 0, 1);
	suite_add_tcase(s, exits);

	tcase_set_timeout(guest, 120);
	tcase_add_loop_test(guest, test_a_guest_waiting_on_near_far_and_maximal_deadlines, 0, NFREQS);
	suite_add_tcase(s, guest);
	return s;
}
