/* Stress: interrupts injected from every pCPU at once arrive exactly once, and reach
 * their vCPU wherever it is. One VM of NV vCPUs, each pinned to its own worker pCPU
 * (1 .. NV; pCPU 0 is the test, which only watches). Every SGI is sent either by a
 * trapped MSR ICC_SGI1R_EL1 (core's EXIT_IPI path) or by vm_inject_irq called from the
 * guest, i.e. from the sender's pCPU, alternately. Bounded in sends, never in time; a
 * wait that runs past WAIT_NS prints who waits for what and fails.
 *
 * All to all: every vCPU v sends SGI v to each other vCPU SENDS times. A sender sends
 * to t only once t has taken its previous SGI (outstanding[v][t]), so every SGI taken
 * must find its flag set: a clear one is a duplicate, a count short at the end is a
 * loss. A vCPU with nothing to send waits in WFI, so targets are running, blocked or
 * between entries at random. An acknowledgement is not an interrupt and would not end
 * that WFI, so the guests play a doorbell as a real one would: a sender says it is
 * going to sleep (sleeping[v]) before it looks a last time, and a receiver that clears
 * the flag of a sleeping sender rings INTID DOORBELL on it.
 *
 * There, an interrupt whose wake-up or kick went missing is still taken at the target's
 * next exit, which some other interrupt soon causes. Ping-pong closes that gap: in
 * pairs, one SGI in flight per pair, the waiting partner spinning (it must be kicked
 * out of the guest) or in WFI (it must be woken); nobody else ever interrupts it, so a
 * lost kick or wake-up stops the pair for good. */
#include <check.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/vgic.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/spinlock.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM TEST_RAM
#define VCPU_OF TEST_VCPU_OF
#define WAIT_NS 60000000000ull

#define NV 8          /* vCPUs, and worker pCPUs 1 .. NV */
#define SENDS 2500    /* all to all: SGIs from each vCPU to each other one */
#define WINDOW 2      /* all to all: SGIs a sender has in flight at most (next_target) */
#define ROUNDS 4000   /* ping-pong: SGIs each vCPU sends its partner */
#define DOORBELL 15   /* an SGI no sender uses (they send INTID = their index) */
#define PRIORITY 0x80
#define RT 5          /* the register MSR ICC_SGI1R_EL1 writes */

/* MSR ICC_SGI1R_EL1, X<RT>: EC 0x18, Direction 0 (a write). */
#define ESR_MSR_SGI1R \
	(((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL | SYSREG_ICC_SGI1R | ((uint64_t)RT << 5))

static size_t baseline;
static struct vm *vm;
static atomic_uint errors; /* a PSCI call or an injection that failed */

/* vCPU 0's PSCI CPU_ON calls, and how many results it has looked at. */
static unsigned on_issued, on_checked;

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

/* ---- What every guest does ----------------------------------------------------------- */

/* vCPU 0 powers the others on first, one PSCI CPU_ON per entry; X0 holds the result of
 * the previous one when it comes back. True while it still has one to make. */
static bool bring_up_next(struct guest_ctx *ctx, struct guest_exit *exit)
{
	if (on_issued > on_checked) {
		if (ctx->x[0] != 0) /* PSCI SUCCESS */
			atomic_fetch_add(&errors, 1);
		on_checked++;
	}
	if (on_issued >= NV - 1)
		return false;
	on_issued++;
	test_trap_hvc(ctx, exit, PSCI_CPU_ON_64, on_issued, RAM); /* MPIDR of vCPU i is i */
	return true;
}

/* SGI me to vCPU t: through a trapped ICC_SGI1R_EL1 write (returns 1, the exit), or
 * with vm_inject_irq from this pCPU (returns 0: the guest goes on). */
static int send_sgi(struct guest_ctx *ctx, struct guest_exit *exit, unsigned me, unsigned t,
		    bool trapped)
{
	if (trapped) {
		/* INTID[27:24], Aff1[23:16], TargetList[15:0] (IHI 0069 12.2.22) */
		ctx->x[RT] = ((uint64_t)me << 24) | ((uint64_t)(t / 16) << 16) | (1ull << (t % 16));
		*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = ESR_MSR_SGI1R };
		return 1;
	}
	if (vm_inject_irq(vm, t, me))
		atomic_fetch_add(&errors, 1);
	return 0;
}

/* The underflow maintenance interrupt, as the guest engine raises it: the vGIC asked
 * for it (more waited than the LRs hold) and at most one LR is still valid. */
static bool maintenance_due(const struct guest_ctx *ctx)
{
	unsigned valid = 0;

	if (!(ctx->ich_hcr & ICH_HCR_UIE))
		return false;
	for (unsigned i = 0; i < VGIC_NR_LRS; i++)
		valid += (ctx->ich_lr[i] & ICH_LR_STATE_MASK) != 0;
	return valid <= 1;
}

/* ---- The watcher on pCPU 0 ----------------------------------------------------------- */

/* Every vCPU in WFI with nothing pending, seen at one instant: under the interrupt
 * lock, which every injection and every block takes. Once the guests have nothing left
 * to send, nothing changes after that. */
static bool vm_quiet(void)
{
	bool quiet = true;

	spin_lock(&vm->irq_lock);
	for (unsigned v = 0; v < NV && quiet; v++)
		quiet = vcpu_state(&vm->vcpus[v]) == VCPU_BLOCKED &&
			!vgic_has_pending(&vm->arch.vgic, v);
	spin_unlock(&vm->irq_lock);
	return quiet;
}

static void report_vcpus(void)
{
	spin_lock(&vm->irq_lock);
	for (unsigned v = 0; v < NV; v++) {
		unsigned where = VCPU_NO_PCPU;
		vm_vcpu_resides_on(vm, v, &where);
		fprintf(stderr, "  vCPU %u: %s on pCPU %d, interrupt pending %d\n", v,
			vcpu_state_name(vcpu_state(&vm->vcpus[v])),
			where == VCPU_NO_PCPU ? -1 : (int)where, vgic_has_pending(&vm->arch.vgic, v));
	}
	spin_unlock(&vm->irq_lock);
}

/* Until done() and the VM is quiet; past WAIT_NS, report() and fail. */
static void wait_quiet(bool (*done)(void), void (*report)(void))
{
	uint64_t until = hal_now_ns() + WAIT_NS;
	struct timespec pause = { 0, 200000 };

	while (!done() || !vm_quiet()) {
		if (hal_now_ns() > until) {
			fprintf(stderr, "irq-stress: not done after %llu s\n", WAIT_NS / 1000000000ull);
			report();
			report_vcpus();
			ck_abort_msg("an interrupt was lost or a vCPU never woke (see the log)");
		}
		nanosleep(&pause, NULL);
	}
}

/* NV vCPUs, vCPU v on pCPU v + 1, each with SGIs 0 .. NV - 1 and DOORBELL enabled, the
 * guest running. */
static void start_vm(const char *name, hal_sim_guest_fn guest)
{
	uint64_t aff[NV];

	for (unsigned v = 0; v < NV; v++)
		aff[v] = 1ull << (v + 1);
	setup_n(NV + 1, SCHED_STATIC);
	log_set_level(LOG_WARN); /* no "vm start" line in the TAP output */
	atomic_store(&errors, 0);
	on_issued = on_checked = 0;
	vm = test_make_vm(name, NV, aff);
	for (unsigned t = 0; t < NV; t++) {
		for (unsigned s = 0; s < NV; s++)
			test_gic_enable(vm, t, s, PRIORITY);
		test_gic_enable(vm, t, DOORBELL, PRIORITY);
	}
	hal_sim_set_guest(guest, NULL);
	ck_assert_int_eq(vm_start(vm), 0);
	test_workers_start(1, NV);
}

static void stop_and_join(void)
{
	vm_stop(vm, VM_STOP_REQUESTED);
	test_workers_stop(1, NV);
	hal_sim_set_guest(NULL, NULL);
	ck_assert_uint_eq(atomic_load(&errors), 0);
	for (unsigned v = 0; v < NV; v++)
		ck_assert(!vgic_has_pending(&vm->arch.vgic, v));
}

static void destroy_vm(void)
{
	ck_assert_int_eq(vm_destroy(vm), 0);
	vm = NULL;
	ck_assert_uint_eq(frame_outstanding(), baseline);
}

static uint64_t exits_of(enum exit_kind kind)
{
	uint64_t n = 0;

	for (unsigned v = 0; v < NV; v++)
		n += vm->vcpus[v].exits[kind];
	return n;
}

/* ---- All to all ---------------------------------------------------------------------- */

/* What one vCPU's guest keeps; only ever touched on that vCPU's pCPU. */
struct sender {
	unsigned sent[NV];
	unsigned next; /* round-robin position over the targets */
};

struct all_to_all {
	atomic_int outstanding[NV][NV]; /* [sender][target]: sent, not taken yet */
	atomic_uint received[NV][NV];   /* [sender][target] */
	atomic_int sleeping[NV];        /* about to wait in WFI: ring the doorbell */
	atomic_uint duplicates, strays, doorbells;
	struct sender g[NV];
};

static struct all_to_all st;

/* Take every pending list register: each SGI must be one its sender still waits for. */
static void take_all(struct guest_ctx *ctx, unsigned me)
{
	int s;

	while ((s = test_guest_take_irq(ctx)) >= 0) {
		if (s == DOORBELL) {
			atomic_fetch_add(&st.doorbells, 1);
			continue;
		}
		if (s >= NV || (unsigned)s == me) {
			atomic_fetch_add(&st.strays, 1);
			continue;
		}
		if (atomic_exchange(&st.outstanding[s][me], 0) != 1) {
			atomic_fetch_add(&st.duplicates, 1);
			continue;
		}
		atomic_fetch_add(&st.received[s][me], 1);
		if (atomic_load(&st.sleeping[s]) && vm_inject_irq(vm, (unsigned)s, DOORBELL))
			atomic_fetch_add(&errors, 1);
	}
}

/* The next target that took our last SGI and still has sends to come, or -1. At most
 * WINDOW SGIs in flight per sender: with all NV - 1 allowed, a vCPU nearly always has
 * something to send or take and fewer than 1 exit in 1000 is a WFI; with 2, about a
 * third of the SGIs find their target blocked. */
static int next_target(unsigned me)
{
	struct sender *g = &st.g[me];
	unsigned busy = 0;

	for (unsigned t = 0; t < NV; t++)
		busy += (unsigned)atomic_load(&st.outstanding[me][t]);
	if (busy >= WINDOW)
		return -1;
	for (unsigned i = 0; i < NV; i++) {
		unsigned t = (g->next + i) % NV;
		if (t != me && g->sent[t] < SENDS && !atomic_load(&st.outstanding[me][t])) {
			g->next = t + 1;
			return (int)t;
		}
	}
	return -1;
}

static int all_to_all_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	unsigned me = VCPU_OF(ctx)->id;
	(void)arg;

	atomic_store(&st.sleeping[me], 0);
	if (me == 0 && bring_up_next(ctx, exit))
		return 1;
	take_all(ctx, me);
	if (maintenance_due(ctx)) {
		*exit = (struct guest_exit){ .type = TRAP_IRQ }; /* the host refills the LRs */
		return 1;
	}
	int t = next_target(me);
	if (t < 0) {
		/* Say so before the last look: a receiver that clears one of our flags
		 * after it either is seen here or rings the doorbell. */
		atomic_store(&st.sleeping[me], 1);
		t = next_target(me);
		if (t < 0) {
			test_trap_wfi(exit);
			return 1;
		}
		atomic_store(&st.sleeping[me], 0);
	}
	struct sender *g = &st.g[me];
	bool trapped = g->sent[t] % 2 == 0;
	g->sent[t]++;
	atomic_store(&st.outstanding[me][t], 1);
	return send_sgi(ctx, exit, me, (unsigned)t, trapped);
}

static bool all_received(void)
{
	for (unsigned s = 0; s < NV; s++)
		for (unsigned t = 0; t < NV; t++)
			if (s != t && atomic_load(&st.received[s][t]) < SENDS)
				return false;
	return true;
}

static void report_all_to_all(void)
{
	for (unsigned s = 0; s < NV; s++)
		for (unsigned t = 0; t < NV; t++)
			if (s != t && (atomic_load(&st.received[s][t]) != SENDS ||
				       atomic_load(&st.outstanding[s][t])))
				fprintf(stderr, "  SGI %u -> vCPU %u: received %u of %u, outstanding %d\n",
					s, t, atomic_load(&st.received[s][t]), SENDS,
					atomic_load(&st.outstanding[s][t]));
	for (unsigned v = 0; v < NV; v++)
		fprintf(stderr, "  vCPU %u: sleeping %d\n", v, atomic_load(&st.sleeping[v]));
}

START_TEST(test_sgis_from_every_pcpu_arrive_exactly_once)
{
	memset(&st, 0, sizeof(st));
	start_vm("all-to-all", all_to_all_guest);
	wait_quiet(all_received, report_all_to_all);
	stop_and_join();

	ck_assert_uint_eq(atomic_load(&st.duplicates), 0);
	ck_assert_uint_eq(atomic_load(&st.strays), 0);
	for (unsigned s = 0; s < NV; s++)
		for (unsigned t = 0; t < NV; t++)
			if (s != t)
				ck_assert_uint_eq(atomic_load(&st.received[s][t]), SENDS);
	/* Half of the sends went through core's EXIT_IPI path. */
	ck_assert_uint_eq(vm->ipis_sent, NV * (NV - 1) * (SENDS / 2));
	ck_assert_uint_gt(exits_of(EXIT_HALT), 0); /* targets were found blocked */
	fprintf(stderr, "all-to-all: %u SGIs, %llu WFI exits, %llu IRQ exits, %u doorbells, "
			"%llu LR overflows\n",
		NV * (NV - 1) * SENDS, (unsigned long long)exits_of(EXIT_HALT),
		(unsigned long long)exits_of(EXIT_EXT_IRQ), atomic_load(&st.doorbells),
		(unsigned long long)vm->arch.vgic.lr_overflows);
	destroy_vm();
}
END_TEST

/* ---- Ping-pong ----------------------------------------------------------------------- */

/* What one vCPU's guest keeps; only ever touched on that vCPU's pCPU. */
struct player {
	unsigned sent;
	bool holds; /* took the partner's SGI and has not answered yet */
	bool spin;  /* waits for the answer running instead of in WFI */
};

struct pingpong {
	atomic_int ball[NV]; /* an SGI from the partner is on its way to [v] */
	atomic_uint received[NV];
	atomic_uint duplicates, strays;
	struct player g[NV];
};

static struct pingpong pp;

/* vCPU v plays with v ^ 1; the even one serves. Round k's SGI goes through the trapped
 * write when k is even, and its sender waits for the answer spinning when k / 2 is odd,
 * so the four combinations alternate. */
static int pingpong_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	unsigned me = VCPU_OF(ctx)->id, partner = me ^ 1;
	struct player *g = &pp.g[me];
	int s;
	(void)arg;

	if (me == 0 && bring_up_next(ctx, exit))
		return 1;
	while ((s = test_guest_take_irq(ctx)) >= 0) {
		if ((unsigned)s != partner) {
			atomic_fetch_add(&pp.strays, 1);
		} else if (atomic_exchange(&pp.ball[me], 0) != 1) {
			atomic_fetch_add(&pp.duplicates, 1);
		} else {
			atomic_fetch_add(&pp.received[me], 1);
			g->holds = true;
		}
	}
	if (g->holds && g->sent < ROUNDS) {
		unsigned k = g->sent++;
		g->holds = false;
		g->spin = (k / 2) % 2 == 1;
		atomic_store(&pp.ball[partner], 1);
		return send_sgi(ctx, exit, me, partner, k % 2 == 0);
	}
	if (g->spin && atomic_load(&pp.received[me]) < ROUNDS) {
		hal_cpu_relax(); /* a spinning guest: only a kick makes it exit */
		return 0;
	}
	test_trap_wfi(exit);
	return 1;
}

static bool all_played(void)
{
	for (unsigned v = 0; v < NV; v++)
		if (atomic_load(&pp.received[v]) < ROUNDS)
			return false;
	return true;
}

static void report_pingpong(void)
{
	for (unsigned v = 0; v < NV; v++)
		fprintf(stderr, "  vCPU %u: received %u of %u, ball on its way %d\n", v,
			atomic_load(&pp.received[v]), ROUNDS, atomic_load(&pp.ball[v]));
}

START_TEST(test_a_spinning_or_sleeping_vcpu_sees_every_sgi)
{
	memset(&pp, 0, sizeof(pp));
	for (unsigned v = 0; v < NV; v += 2)
		pp.g[v].holds = true;
	start_vm("ping-pong", pingpong_guest);
	wait_quiet(all_played, report_pingpong);
	stop_and_join();

	ck_assert_uint_eq(atomic_load(&pp.duplicates), 0);
	ck_assert_uint_eq(atomic_load(&pp.strays), 0);
	for (unsigned v = 0; v < NV; v++)
		ck_assert_uint_eq(atomic_load(&pp.received[v]), ROUNDS);
	ck_assert_uint_eq(vm->ipis_sent, NV * (ROUNDS / 2));
	fprintf(stderr, "ping-pong: %u SGIs, %llu WFI exits, %llu IRQ exits\n", NV * ROUNDS,
		(unsigned long long)exits_of(EXIT_HALT), (unsigned long long)exits_of(EXIT_EXT_IRQ));
	destroy_vm();
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("irq_stress");
	TCase *tc = tcase_create("irq_stress");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sgis_from_every_pcpu_arrive_exactly_once);
	tcase_add_test(tc, test_a_spinning_or_sleeping_vcpu_sees_every_sgi);
	suite_add_tcase(s, tc);
	return s;
}
