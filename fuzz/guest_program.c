/* fuzz/guest_program: arbitrary guest programs (hal-sim/engine.h actions) run by the
 * guest engine on a two-vCPU VM with eager, lazy and read-only memory and a PL011,
 * through the real scheduler on a two-pCPU simulation host: both vCPUs on pCPU 0, or
 * (header bit 5) vCPU 1 on pCPU 1, the two pCPUs taking turns in an order the input
 * chooses, so that a finding reproduces. Every action the engine can run is reachable
 * with fuzzer-chosen fields (made valid only where the engine requires it). Any
 * crash, sanitizer report, poisoned (UNUSABLE) vCPU, vCPU left on a pCPU, failed
 * vm_destroy or leak (frames not back after the VM is destroyed) is a finding, and so
 * is every exit the architecture does not allow (fuzz/exit_oracle.h: each entry of a
 * vCPU is checked against the context and trap it left with): a PC that neither
 * stayed, stepped nor went to its vector, a register the exit may not write, a PSCI
 * result that function cannot return, a vCPU entered while not RUNNING on this pCPU
 * or in an illegal mode, or started anywhere but at the reset vector or the entry
 * point of a CPU_ON for it. Failed expectations of the program itself are not.
 *
 * Input: a 4-byte header, then 24-byte records, one action each, then the schedule:
 *   header[0] bit 0: MMIO to no device reads as zero / ignores writes (mmio raz-wi)
 *             bit 1: time-shared scheduling (else static partitioning)
 *             bit 2: the PL011's interrupt is wired to vCPU 0 (else it has none)
 *             bit 3: vCPU 1 has a program (else it only waits when started)
 *             bit 4: vCPU 0's affinity is pCPU 0 (else "any pCPU"; it homes on 0)
 *             bit 5: vCPU 1's home is pCPU 1, which runs the scheduler too (else
 *                    pCPU 0 runs both)
 *   header[1] records for vCPU 0: n % 65; the next (at most 64) go to vCPU 1
 *   header[2] the PL011's interrupt (an INTID), n % 128
 *   header[3] time-shared slice: 20 + 4 * n microseconds
 *   the schedule: every byte after the records the programs take (the short
 *   trailing record, records beyond vCPU 1's 64). With two pCPUs only one runs at a
 *   time; it passes the turn at a yield point (each guest step, and each vCPU leaving
 *   its pCPU) once it has let the number of yield points the next schedule byte
 *   gives go by (the bytes are used in turn, round and round; none: 64 each), and
 *   when it idles. Only wall-clock events (the slice, the virtual timer, the end of
 *   the run) are not chosen by the input.
 *   record [0]       action kind, n % 17 = enum act_kind (ACT_END too: ends early)
 *          [1]       load/store: bits 1:0 size, 2 sign-extend, 3 Xt, 4 LDAR/STLR;
 *                    HVC/SMC: the function id, n % 28 into calls[] below (the
 *                    last 3: raw [16..19], raw [16..23], raw [16..19] | 0xC4000000)
 *          [2]       rt (loads, stores, MSR/MRS) or reg (set, expect): n % 32
 *          [3]       load/store: rn, n % 32, moved to rt + 1 if equal to rt;
 *                    HVC/SMC: X1, n % 8 of 0, 1, 2, 0x100, 0xFF00000001, the
 *                    function id of PSCI_CPU_ON_64, raw [16..23], value [8..15];
 *                    MSR/MRS: the register, n % 8 into sysregs[] (the last: raw)
 *          [4]       the area an address (load/store address, X2 of a call) is in,
 *                    n % 8: eager RAM (where the programs are), lazy RAM, the
 *                    read-only page, a PL011 register, a hole, the top of a 40-, 44-,
 *                    48- or 52-bit IPA space, a program slot (a 4-aligned address
 *                    near the entry, for CPU_ON), raw [16..23]
 *          [5..6]    offset within the area (little-endian); spin steps (% 1000)
 *          [7]       load/store: imm12 (not for LDAR/STLR); HVC/SMC: bit 7 set
 *                    gives imm16 = bits 6:0; expect irq: an INTID, n % 128
 *          [8..15]   value: store data, set/expect/MSR value, X3 of a call; wait64:
 *                    the doubleword awaited if [1] bit 5 is set, else 0 (what fresh
 *                    RAM holds, so that most waits end); [1] bit 6: it waits in WFE
 *          [16..23]  raw: address, function id, X1, or system register
 *                    (op0 = 2 + bit 0, op1 = bits 3:1, CRn 7:4, CRm 11:8, op2 14:12)
 * Every program is terminated with ACT_END. A run ends when every vCPU is off,
 * blocked or past its program's end, the VM stopped itself, 20000 scheduler rounds
 * went by, or after 50 ms of wall-clock time (a timer on pCPU 0 stops the VM).
 *
 * The guest's PL011 output goes to stdout, which this target sends to /dev/null unless
 * GUEST_PROGRAM_STDOUT is set in the environment; GUEST_PROGRAM_DEBUG prints how each
 * run ended (per vCPU: started, finished, steps, traps, failed expectations) on stderr,
 * e.g. GUEST_PROGRAM_DEBUG=1 build/fuzz/fuzz/fuzz_guest_program crash-... */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/exit_oracle.h"
#include "fuzz/fuzz_util.h"
#include "arch/aarch64/vgic.h"
#include "arch/aarch64/a64.h"
#include "arch/aarch64/psci.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/hypercall.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/pl011.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/vm.h"
#include "hal-sim/engine.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/irq.h"
#include "hal/time.h"

#define RAM 0x40000000ull
#define RAM_SIZE 0x10000ull
#define LAZY 0x40100000ull
#define LAZY_SIZE 0x100000ull
#define RO 0x40200000ull
#define RO_SIZE 0x1000ull
#define UART 0x09000000ull
#define HEADER 4
#define REC 24
#define MAX_ACTS 64
#define DEADLINE_NS 50000000ull
#define TICK_NS 1000000ull
#define MAX_ROUNDS 20000u

static const uint64_t calls[25] = {
	PSCI_VERSION, PSCI_CPU_SUSPEND_32, PSCI_CPU_SUSPEND_64, PSCI_CPU_OFF, PSCI_CPU_ON_32,
	PSCI_CPU_ON_64, PSCI_CPU_ON_64, PSCI_CPU_ON_64, PSCI_AFFINITY_INFO_32,
	PSCI_AFFINITY_INFO_64, PSCI_MIGRATE_32, PSCI_MIGRATE_64, PSCI_MIGRATE_INFO_TYPE,
	PSCI_MIGRATE_INFO_UP_CPU_32, PSCI_MIGRATE_INFO_UP_CPU_64, PSCI_SYSTEM_OFF,
	PSCI_SYSTEM_RESET, PSCI_FEATURES, SMCCC_VERSION, SMCCC_ARCH_FEATURES, HC_RANGE_BASE + 1,
	HC_RANGE_BASE, 0x86000002u /* an unknown Tandem call */, 0x80008000u /* SMCCC_ARCH_WORKAROUND_1 */,
	0xC2000001u /* SiP service */,
};

static const struct a64_sysreg sysregs[7] = {
	{ 3, 0, 1, 0, 0, 0 },  /* SCTLR_EL1 */
	{ 3, 0, 1, 0, 1, 0 },  /* ACTLR_EL1: trapped (HCR_EL2.TACR) */
	{ 3, 0, 12, 0, 0, 0 }, /* VBAR_EL1 */
	{ 3, 0, 13, 0, 4, 0 }, /* TPIDR_EL1 */
	{ 3, 0, 15, 0, 0, 0 }, /* implementation defined: trapped (TIDCP) */
	{ 3, 1, 11, 2, 3, 0 }, /* implementation defined: trapped (TIDCP) */
	{ 3, 3, 13, 0, 2, 0 }, /* TPIDR_EL0: not kept by the engine, UNDEFINED */
};

static struct fuzz_state {
	struct vm *vm;
	struct pl011 uart;
	bool uart_level;
	unsigned uart_line;
	bool has_prog[2];
	struct action acts[2][MAX_ACTS + 1];
	struct timer tick;
	uint64_t deadline;
	atomic_uint rounds;
	atomic_int stop;
	bool two_pcpus;
} F;

static void machine_once(void)
{
	static bool up;
	if (up)
		return;
	if (!getenv("GUEST_PROGRAM_STDOUT")) {
		int fd = open("/dev/null", O_WRONLY);
		CHECK(fd >= 0 && dup2(fd, STDOUT_FILENO) == STDOUT_FILENO);
		close(fd);
	}
	setvbuf(stdout, NULL, _IONBF, 0); /* no buffer allocated mid-run: no false leak alarm */
	struct hal_sim_config cfg = { .pcpus = 2 };
	CHECK(hal_sim_init(&cfg) == 0);
	CHECK(frame_init() == 0);
	CHECK(cpu_boot_init() == 0);
	CHECK(cpu_init_this() == 0);
	sched_init(SCHED_STATIC, 0);
	engine_install();
	log_set_level(LOG_ERROR);
	up = true;
}

/* The UART's interrupt output, a level-sensitive line of the vGIC (as hvsim wires it;
 * here any INTID, SGIs refused). */
static void uart_irq(void *ctx, bool level)
{
	(void)ctx;
	if (F.vm && level != F.uart_level)
		vm_set_irq_level(F.vm, 0, F.uart_line, level);
	F.uart_level = level;
}

static uint64_t address(const uint8_t *r)
{
	static const uint64_t holes[4] = { 0, 0x0A000000ull, RAM + RAM_SIZE, RO + RO_SIZE };
	uint64_t off = le(r + 5, 2);

	switch (r[4] % 8) {
	case 0: return RAM + off % RAM_SIZE;
	case 1: return LAZY + (off * 16) % LAZY_SIZE + (off >> 12);
	case 2: return RO + off % RO_SIZE;
	case 3: return UART + (off % 0x440) * 4 % 0x1100 + (off >> 15); /* a few past the window */
	case 4: return holes[off % 4] + (off >> 2);
	case 5: return (1ull << (40 + 4 * (off % 4))) - 0x2000 + (off >> 2);
	case 6: return RAM + (off % 128) * 4;
	default: return le(r + 16, 8);
	}
}

static void make_ldst(struct action *a, const uint8_t *r)
{
	struct a64_ldst *l = &a->ldst;

	l->store = a->kind == ACT_STORE;
	l->size = r[1] & 3;
	l->sign_extend = !l->store && (r[1] & 4) && l->size < 3;
	l->acq_rel = r[1] & 0x10;
	if (l->acq_rel)
		l->sign_extend = false;
	l->reg64 = l->sign_extend ? (l->size == 2 || (r[1] & 8)) : l->size == 3;
	l->rt = r[2] % 32;
	l->rn = r[3] % 32;
	if (l->rn == l->rt)
		l->rn = (l->rt + 1) % 32;
	l->imm12 = l->acq_rel ? 0 : r[7];
	CHECK(a64_enc_ldst(l) >= 0);
	a->addr = address(r);
	a->value = le(r + 8, 8);
}

/* wait64 as the parser builds it (LDR X1, [X28]); only the address and the value
 * awaited vary. */
static void make_wait64(struct action *a, const uint8_t *r)
{
	a->ldst = (struct a64_ldst){ .size = 3, .reg64 = true, .rt = 1, .rn = 28 };
	a->addr = address(r);
	a->value = r[1] & 0x20 ? le(r + 8, 8) : 0;
	a->wfe = r[1] & 0x40;
}

static void make_call(struct action *a, const uint8_t *r)
{
	uint64_t raw = le(r + 16, 8), value = le(r + 8, 8);
	unsigned f = r[1] % 28;
	const uint64_t x1[8] = { 0, 1, 2, 0x100, 0xFF00000001ull, PSCI_CPU_ON_64, raw, value };

	a->args[0] = f < 25 ? calls[f] : f == 25 ? (uint32_t)raw : f == 26 ? raw : ((uint32_t)raw | 0xC4000000u);
	a->args[1] = x1[r[3] % 8];
	a->args[2] = address(r);
	a->args[3] = value;
	a->imm = r[7] & 0x80 ? r[7] & 0x7F : 0;
}

static void make_sysreg(struct action *a, const uint8_t *r)
{
	unsigned k = r[3] % 8;
	uint64_t raw = le(r + 16, 8);

	if (k < 7)
		a->sys = sysregs[k];
	else
		a->sys = (struct a64_sysreg){ 2 + (raw & 1), (raw >> 1) & 7, (raw >> 4) & 15,
					      (raw >> 8) & 15, (raw >> 12) & 7, 0 };
	a->sys.rt = r[2] % 32;
	CHECK(a64_enc_sysreg(&a->sys, a->kind == ACT_MRS) >= 0);
	a->value = le(r + 8, 8);
}

static void decode(struct action *a, const uint8_t *r, unsigned line)
{
	*a = (struct action){ .kind = (enum act_kind)(r[0] % (ACT_END + 1)), .line = line };
	switch (a->kind) {
	case ACT_LOAD:
	case ACT_STORE: make_ldst(a, r); break;
	case ACT_HVC:
	case ACT_SMC: make_call(a, r); break;
	case ACT_MSR:
	case ACT_MRS: make_sysreg(a, r); break;
	case ACT_SET_REG:
	case ACT_EXPECT_REG:
		a->reg = r[2] % 32;
		a->value = le(r + 8, 8);
		break;
	case ACT_EXPECT_IRQ: a->value = r[7] % VGIC_NR_IRQS; break;
	case ACT_SPIN: a->value = le(r + 5, 2) % 1000; break;
	case ACT_WAIT64: make_wait64(a, r); break;
	default: break;
	}
}

/* Off, blocked, poisoned or past the end of its program: nothing more will happen
 * on this vCPU by itself. */
static bool vcpu_done(unsigned c)
{
	struct vcpu *v = vm_vcpu(F.vm, c);
	enum vcpu_state s = vcpu_state(v);

	if (s == VCPU_OFF || s == VCPU_BLOCKED || s == VCPU_UNUSABLE)
		return true;
	return F.has_prog[c] && engine_finished(vm_vmid(F.vm), c);
}

static bool everything_done(void)
{
	if (__atomic_load_n(&F.vm->state, __ATOMIC_ACQUIRE) == VM_STOPPED)
		return true;
	for (unsigned c = 0; c < F.vm->nvcpus; c++)
		if (!vcpu_done(c))
			return false;
	return true;
}

/* Every millisecond on pCPU 0: the end of the run, also while a vCPU holds the pCPU
 * (static partitioning never takes it away). */
static void tick(struct timer *t, void *arg)
{
	(void)arg;
	if (hal_now_ns() > F.deadline || everything_done()) {
		atomic_store(&F.stop, 1);
		vm_stop(F.vm, VM_STOP_REQUESTED);
		sched_kick_all();
		return;
	}
	timer_arm(t, hal_now_ns() + TICK_NS);
}

static bool run_done(void *arg)
{
	(void)arg;
	return atomic_load(&F.stop) || atomic_fetch_add(&F.rounds, 1) >= MAX_ROUNDS || everything_done();
}

/* ---- The exit oracle: each entry of a vCPU against how it last left -------------- */

#define VCPU_OF(ctx) ((struct vcpu *)((char *)(ctx) - offsetof(struct vcpu, arch.ctx)))
#define MAX_ON 8

struct cpu_on { /* a CPU_ON the target may start from: issued, not known to have failed */
	uint64_t entry, ctx_id;
};

static struct watch {
	bool entered;         /* has run since the VM was made */
	bool trapped;         /* its last step trapped; else the host may have taken an IRQ exit */
	struct guest_ctx last; /* its registers when it last left the guest */
	struct guest_exit trap;
	int pending_on;       /* its last trap: a CPU_ON for target pending_on / 8, slot % 8 */
	struct cpu_on on[MAX_ON]; /* CPU_ONs for this vCPU */
	bool on_live[MAX_ON];
} W[2];

static hal_sim_guest_fn engine_fn;
static void *engine_arg;

static void oracle_finding(unsigned c, const char *why)
{
	struct watch *w = &W[c];

	fprintf(stderr, "guest_program: oracle: vCPU %u after trap type %d ESR_EL2 0x%llx FAR 0x%llx at PC 0x%llx: %s\n",
		c, (int)w->trap.type, (unsigned long long)w->trap.esr, (unsigned long long)w->trap.far,
		(unsigned long long)w->last.pc, why);
	abort();
}

/* Its trap was an SMCCC call: a CPU_ON for a vCPU of this VM is remembered as a place
 * that vCPU may start from. */
static void note_call(unsigned c, const struct guest_ctx *ctx, const struct guest_exit *t)
{
	uint32_t fid = oracle_smccc_fid(ctx, t);
	bool is64 = fid == PSCI_CPU_ON_64;

	W[c].pending_on = -1;
	if (fid != PSCI_CPU_ON_32 && !is64)
		return;
	uint64_t mpidr = (is64 ? ctx->x[1] : (uint32_t)ctx->x[1]) & MPIDR_AFF_MASK;
	for (unsigned tgt = 0; tgt < 2; tgt++) {
		if (F.vm->vcpus[tgt].hwid != mpidr)
			continue;
		struct watch *w = &W[tgt];
		for (unsigned k = 0; k < MAX_ON; k++) {
			if (w->on_live[k])
				continue;
			w->on[k] = (struct cpu_on){ is64 ? ctx->x[2] : (uint32_t)ctx->x[2],
						    is64 ? ctx->x[3] : (uint32_t)ctx->x[3] };
			w->on_live[k] = true;
			W[c].pending_on = (int)(tgt * MAX_ON + k);
			return;
		}
	}
}

/* The caller sees its CPU_ON's result: a refused one is no place to start from. */
static void note_result(unsigned c, const struct guest_ctx *ctx)
{
	int p = W[c].pending_on;

	W[c].pending_on = -1;
	if (p >= 0 && (int32_t)ctx->x[0] != PSCI_RET_SUCCESS)
		W[p / MAX_ON].on_live[p % MAX_ON] = false;
}

/* A fresh start of vCPU c: at the entry point of a CPU_ON for it (or the reset vector
 * for vCPU 0's first run). 0 if it is one, else -1 and why. */
static int try_start(unsigned c, const struct guest_ctx *ctx, char why[ORACLE_MSG])
{
	struct watch *w = &W[c];

	snprintf(why, ORACLE_MSG, "started with no CPU_ON for it");
	if (c == 0 && !w->entered)
		return oracle_start(ctx, RAM, 0, why);
	for (unsigned k = 0; k < MAX_ON; k++) {
		if (w->on_live[k] && oracle_start(ctx, w->on[k].entry, w->on[k].ctx_id, why) == 0) {
			memset(w->on_live, 0, sizeof(w->on_live)); /* the others were refused */
			return 0;
		}
	}
	return -1;
}

static void check_entry(struct vcpu *v, const struct guest_ctx *ctx)
{
	unsigned c = v->id;
	struct watch *w = &W[c];
	char why[ORACLE_MSG];

	if (oracle_legal(ctx, why))
		oracle_finding(c, why);
	enum vcpu_state s = vcpu_state(v);
	if (s != VCPU_RUNNING || v->pcpu != hal_pcpu_id()) {
		snprintf(why, sizeof(why), "entered while %s on pCPU %d (this is pCPU %u)",
			 vcpu_state_name(s), (int)v->pcpu, hal_pcpu_id());
		oracle_finding(c, why);
	}
	if (!w->entered) {
		if (try_start(c, ctx, why))
			oracle_finding(c, why);
		w->entered = true;
		return;
	}
	if (!w->trapped) {
		struct guest_exit irq = { .type = TRAP_IRQ };
		if (oracle_exit(&w->last, &irq, ctx, why))
			oracle_finding(c, why);
		return;
	}
	note_result(c, ctx);
	/* After CPU_OFF: powered off and on again, or (refused) returned from the call. */
	if (oracle_smccc_fid(&w->last, &w->trap) == PSCI_CPU_OFF && try_start(c, ctx, why) == 0)
		return;
	if (oracle_exit(&w->last, &w->trap, ctx, why))
		oracle_finding(c, why);
}

static void interleave_point(void);

/* The guest function: the engine's step, watched. */
static int watched_step(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	struct vcpu *v = VCPU_OF(ctx);
	(void)arg;

	interleave_point();
	if (v->vm != F.vm || v->id >= 2)
		return engine_fn(ctx, exit, engine_arg);
	check_entry(v, ctx);
	int r = engine_fn(ctx, exit, engine_arg);
	struct watch *w = &W[v->id];
	w->trapped = r != 0;
	w->last = *ctx;
	if (r) {
		w->trap = *exit;
		note_call(v->id, ctx, exit);
	}
	return r;
}

/* ---- Two pCPUs, one at a time, in the order the input says ---------------------- */

enum turn_state { TURN_RUN, TURN_WAIT, TURN_IDLE, TURN_DONE };

static struct interleave {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool on;
	int owner;                 /* the pCPU whose turn it is, or -1 (both idle) */
	enum turn_state st[2];
	const uint8_t *sched;
	size_t n, next;
	unsigned left;             /* yield points before the turn passes */
	uint64_t switches;
} I = { .lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void turn_wait_locked(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&I.cv, &I.lock, ts);
}

/* This pCPU wants to run: wait for its turn (or take it, if nobody has it). */
static void turn_take(void)
{
	unsigned me = hal_pcpu_id();
	struct timespec ts;

	pthread_mutex_lock(&I.lock);
	I.st[me] = TURN_WAIT;
	pthread_cond_broadcast(&I.cv);
	while (I.owner != (int)me && I.owner != -1)
		turn_wait_locked(&ts);
	I.owner = (int)me;
	I.st[me] = TURN_RUN;
	pthread_mutex_unlock(&I.lock);
}

/* This pCPU stops running (idle or done): the turn goes to the other if it waits. */
static void turn_give(enum turn_state why)
{
	unsigned me = hal_pcpu_id(), other = 1 - me;

	pthread_mutex_lock(&I.lock);
	I.st[me] = why;
	if (I.owner == (int)me)
		I.owner = I.st[other] == TURN_WAIT ? (int)other : -1;
	pthread_cond_broadcast(&I.cv);
	pthread_mutex_unlock(&I.lock);
}

static void idle_turn(bool waking, void *arg)
{
	(void)arg;
	if (hal_pcpu_id() > 1)
		return;
	if (waking)
		turn_take();
	else
		turn_give(TURN_IDLE);
}

/* A yield point: after the schedule's count of them, the other pCPU runs until it
 * yields back (an idle one is woken first, so the order never depends on timing). */
static void interleave_point(void)
{
	unsigned me = hal_pcpu_id(), other = 1 - me;
	struct timespec ts;

	if (!I.on || me > 1)
		return;
	pthread_mutex_lock(&I.lock);
	if (I.left) {
		I.left--;
		pthread_mutex_unlock(&I.lock);
		return;
	}
	I.left = I.n ? I.sched[I.next++ % I.n] : 64;
	while (I.st[other] == TURN_IDLE) {
		hal_ipi_send(other, IPI_KICK);
		turn_wait_locked(&ts);
	}
	if (I.st[other] == TURN_WAIT) {
		I.owner = (int)other;
		I.st[me] = TURN_WAIT;
		I.switches++;
		pthread_cond_broadcast(&I.cv);
		while (I.owner != (int)me)
			turn_wait_locked(&ts);
		I.st[me] = TURN_RUN;
	}
	pthread_mutex_unlock(&I.lock);
}

static void unload_point(void *arg)
{
	(void)arg;
	interleave_point();
}

static void run_pcpu(void)
{
	if (I.on)
		turn_take();
	sched_run(run_done, NULL);
	if (I.on)
		turn_give(TURN_DONE);
}

static void second_pcpu(void *arg)
{
	(void)arg;
	CHECK(cpu_init_this() == 0);
	run_pcpu();
	cpu_exit_this();
}

/* GUEST_PROGRAM_DEBUG: how each run went, on stderr. */
static void report(const unsigned n[2])
{
	fprintf(stderr, "guest_program: %u+%u actions, %s after %u rounds, vm stop reason %u, "
			"%s, %llu turns passed\n", n[0], n[1],
		atomic_load(&F.stop) && hal_now_ns() > F.deadline ? "timed out" : "ended",
		atomic_load(&F.rounds), F.vm->stop_reason, F.two_pcpus ? "two pCPUs" : "one pCPU",
		(unsigned long long)I.switches);
	for (unsigned c = 0; c < 2; c++) {
		struct engine_result r;
		CHECK(engine_result(vm_vmid(F.vm), c, &r) == 0);
		fprintf(stderr, "  vcpu %u: %s%s, %llu steps, %llu traps, %llu irqs, %llu exceptions, "
				"%u failures%s%s\n", c, r.started ? "started" : "never ran",
			r.finished ? ", finished" : "", (unsigned long long)r.steps,
			(unsigned long long)r.traps, (unsigned long long)r.irqs_taken,
			(unsigned long long)r.exceptions_taken, r.failures, r.failures ? ": " : "",
			r.first_failure);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;
	machine_once();
	static int debug = -1;
	if (debug < 0)
		debug = getenv("GUEST_PROGRAM_DEBUG") != NULL;
	size_t baseline = frame_outstanding();
	const uint8_t *h = data;
	unsigned nrec = (unsigned)((size - HEADER) / REC);
	unsigned n[2];
	n[0] = h[1] % (MAX_ACTS + 1);
	if (n[0] > nrec)
		n[0] = nrec;
	n[1] = nrec - n[0] > MAX_ACTS ? MAX_ACTS : nrec - n[0];

	memset(&F, 0, sizeof(F));
	F.two_pcpus = h[0] & 32;
	F.has_prog[0] = true;
	F.has_prog[1] = h[0] & 8;
	F.uart_line = h[2] % VGIC_NR_IRQS;
	const uint8_t *r = data + HEADER;
	for (unsigned c = 0; c < 2; c++) {
		for (unsigned i = 0; i < n[c]; i++, r += REC)
			decode(&F.acts[c][i], r, i + 1);
		F.acts[c][n[c]] = (struct action){ .kind = ACT_END, .line = n[c] + 1 };
	}

	if (h[0] & 2)
		sched_init(SCHED_TIMESHARED, (20 + 4ull * h[3]) * 1000);
	else
		sched_init(SCHED_STATIC, 0);
	engine_install();
	engine_fn = hal_sim_get_guest(&engine_arg);
	hal_sim_set_guest(watched_step, NULL);
	memset(W, 0, sizeof(W));
	W[0].pending_on = W[1].pending_on = -1;
	pl011_init(&F.uart, "fuzz", h[0] & 4 ? uart_irq : NULL, NULL);
	struct vm_config cfg = {
		.name = "fuzz", .nvcpus = 2, .entry = { RAM }, .mmio_raz_wi = h[0] & 1, .nmem = 3,
		.affinity = { h[0] & 16 ? 1 : 0, F.two_pcpus ? 2 : 0 },
		.mem = { { { RAM }, RAM_SIZE, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, LAZY_SIZE, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } },
			 { { RO }, RO_SIZE, PT_R, AS_ALLOC_EAGER, { 0 } } },
		.ndevices = 1,
		.devices = { { { UART }, PL011_SIZE, &pl011_ops, &F.uart } },
	};
	CHECK(vm_create(&cfg, &F.vm) == 0);
	for (unsigned c = 0; c < 2; c++) {
		struct engine_program prog = { F.acts[c], n[c] + 1 };
		if (F.has_prog[c])
			CHECK(engine_load(vm_vmid(F.vm), c, &prog) == 0);
	}

	F.deadline = hal_now_ns() + DEADLINE_NS;
	timer_init(&F.tick, tick, NULL);
	CHECK(timer_arm(&F.tick, hal_now_ns() + TICK_NS) == 0);
	size_t used = HEADER + (size_t)(n[0] + n[1]) * REC;
	I.on = F.two_pcpus;
	I.sched = data + used;
	I.n = size - used;
	I.next = I.n ? 1 : 0;
	I.left = I.n ? data[used] : 64;
	I.owner = 0;
	I.st[0] = TURN_RUN;
	I.st[1] = TURN_IDLE;
	I.switches = 0;
	if (F.two_pcpus) {
		hal_sim_set_idle_hook(idle_turn, NULL);
		hal_sim_set_unload_hook(unload_point, NULL);
		CHECK(hal_pcpu_start(1, second_pcpu, NULL) == 0);
	}
	CHECK(vm_start(F.vm) == 0);
	run_pcpu();
	timer_cancel(&F.tick);
	if (F.two_pcpus) {
		atomic_store(&F.stop, 1);
		vm_stop(F.vm, VM_STOP_REQUESTED);
		sched_kick_all();
		CHECK(hal_sim_join(1) == 0);
		hal_sim_set_idle_hook(NULL, NULL);
		hal_sim_set_unload_hook(NULL, NULL);
		I.on = false;
	}

	vm_stop(F.vm, VM_STOP_REQUESTED);
	for (unsigned c = 0; c < F.vm->nvcpus; c++) {
		struct vcpu *v = vm_vcpu(F.vm, c);
		if (vcpu_state(v) == VCPU_UNUSABLE || v->pcpu != VCPU_NO_PCPU) {
			fprintf(stderr, "guest_program: vCPU %u is %s on pCPU %d after the run\n", c,
				vcpu_state_name(vcpu_state(v)), (int)v->pcpu);
			abort();
		}
	}
	pl011_fini(&F.uart); /* off the console before the VM (its irq context) goes */
	if (debug)
		report(n);
	CHECK(vm_destroy(F.vm) == 0);
	F.vm = NULL;
	CHECK(frame_outstanding() == baseline);
	return 0;
}
