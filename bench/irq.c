/* bench/irq: how long an interrupt injected on one pCPU takes to reach a vCPU running
 * or waiting on another, in the simulation host. One VM with one vCPU pinned to pCPU
 * 1, where a worker runs the scheduler; pCPU 0 (this thread) injects SPI INTID with
 * vm_inject_irq and waits until the guest has taken it: one injection outstanding at
 * a time. The guest is scripted: on every step it looks for a pending list register
 * and, if there is one, acknowledges and completes it and notes hal_now_ns(). The
 * latency of one injection is that time minus hal_now_ns() just before vm_inject_irq.
 * Two cases:
 *   running  the guest spins (never traps): the injection must kick pCPU 1 out of the
 *            guest (an IPI, which the simulation host checks between guest steps),
 *            whose exit takes the LRs back and refills them with the SPI;
 *   wfi      the guest waits in WFI: the vCPU is blocked and, with nothing else to
 *            run there, stays loaded on pCPU 1, which idles (a condition variable); the
 *            injection wakes it (BLOCKED -> BOUND) and kicks that pCPU, which enters it
 *            again with the SPI in an LR, without a put and a load (core/sched.c
 *            wait_loaded). Before each injection pCPU 0 waits until the vCPU is
 *            blocked, then SETTLE_NS more so that pCPU 1 has gone idle.
 * WARMUP untimed injections first, then INJECTIONS timed ones per case; p50 and p99
 * (nearest rank), max and mean in ns. The numbers are the simulation host's (POSIX
 * threads, a mutex and a condition variable per pCPU), not a hardware's, and move with
 * the host's load. Never asserted.
 *
 * Checks: every injection's return code, that each one is taken exactly once and is
 * INTID, and frame_outstanding() back at its starting value after the VM is destroyed;
 * any failure prints a message and exits non-zero.
 *
 * Usage: bench_irq [--json] */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/vgic.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/time.h"
#include "tests/guest_cpu.h"

#define RAM 0x40000000ull
#define INTID 40 /* an SPI: reset routes it to vCPU 0 */
#define PRIORITY 0x80
#define INJECTIONS 100000u
#define WARMUP 1000u
#define SETTLE_NS 20000ull
#define WAIT_NS 10000000000ull /* a lost interrupt: give up after 10 s */

enum target_mode { MODE_RUNNING, MODE_WFI, NMODES };

static const char *const mode_names[NMODES] = { "running", "wfi" };

/* The JSON's latency histogram: quarter-octave bins, edges 2^(k/4) ns rounded, from the
 * bin holding the fastest sample to the one holding the slowest (a few tens of bins for
 * 100000 samples, enough to draw the distribution and its CDF). */
#define HIST_PER_OCTAVE 4
#define HIST_FIRST 12 /* edge 8 ns: below it the rounded edges repeat */
#define HIST_MAX_BINS (60 * HIST_PER_OCTAVE) /* edges up to 2^60 ns */

struct result {
	uint64_t p50, p99, max, min;
	double mean;
	unsigned first_bin, nbins;
	uint32_t counts[HIST_MAX_BINS];
};

static struct vm *vm;
static atomic_int mode;
static atomic_int stop_workers;
static atomic_uint_fast64_t taken;    /* interrupts the guest took */
static atomic_uint_fast64_t taken_at; /* hal_now_ns() when it took the last one */
static atomic_uint wrong;             /* ones that were not INTID */
static uint64_t lat[INJECTIONS];

static _Noreturn void fail(const char *what, long long detail)
{
	fprintf(stderr, "bench/irq: %s (%lld)\n", what, detail);
	exit(1);
}

static int bench_guest(struct guest_ctx *ctx, struct guest_exit *exit, void *arg)
{
	int got = test_guest_take_irq(ctx);
	(void)arg;

	if (got >= 0) {
		uint64_t now = hal_now_ns();
		if (got != INTID)
			atomic_fetch_add(&wrong, 1);
		atomic_store(&taken_at, now);
		atomic_fetch_add(&taken, 1); /* after the time it publishes */
	}
	if (atomic_load(&mode) == MODE_RUNNING)
		return 0; /* spin: only a host interrupt ends the entry */
	*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = 0x06000000ull }; /* WFI */
	return 1;
}

static bool workers_done(void *arg)
{
	(void)arg;
	return atomic_load(&stop_workers);
}

static void worker(void *arg)
{
	(void)arg;
	if (cpu_init_this())
		fail("cpu_init_this on pCPU 1", 0);
	sched_run(workers_done, NULL);
	cpu_exit_this();
}

/* What a guest does to receive INTID: Group 1 on in GICD_CTLR, the SPI enabled
 * (GICD_ISENABLER<n>) and given a priority (GICD_IPRIORITYR<n>), through the MMIO bus. */
static void enable_intid(void)
{
	uint64_t ctlr = 0;
	int err;

	if ((err = mmio_bus_read(&vm->bus, gpa_make(VGIC_DIST_BASE), 4, &ctlr)) ||
	    (err = mmio_bus_write(&vm->bus, gpa_make(VGIC_DIST_BASE), 4, ctlr | 2)) ||
	    (err = mmio_bus_write(&vm->bus, gpa_make(VGIC_DIST_BASE + 0x100 + (INTID / 32) * 4), 4,
				  1u << (INTID % 32))) ||
	    (err = mmio_bus_write(&vm->bus, gpa_make(VGIC_DIST_BASE + 0x400 + INTID), 1, PRIORITY)))
		fail("enabling the SPI through the distributor", err);
}

static size_t machine_up(void)
{
	struct hal_sim_config cfg = { .pcpus = 2, .nranges = 1,
		.ranges = { { { 0x80000000ull }, 64ull << 20 } } };
	struct vm_config vcfg = { .name = "bench-irq", .nvcpus = 1, .affinity = { 1u << 1 },
		.entry = { RAM }, .nmem = 1,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } } };
	int err;

	if ((err = hal_sim_init(&cfg)) || (err = frame_init()) || (err = cpu_boot_init()) ||
	    (err = cpu_init_this()))
		fail("machine setup", err);
	log_set_level(LOG_WARN);
	sched_init(SCHED_STATIC, 0);
	size_t baseline = frame_outstanding();
	if ((err = vm_create(&vcfg, &vm)))
		fail("vm_create", err);
	enable_intid();
	atomic_store(&mode, MODE_RUNNING);
	hal_sim_set_guest(bench_guest, NULL);
	if ((err = vm_start(vm)))
		fail("vm_start", err);
	if ((err = hal_pcpu_start(1, worker, NULL)))
		fail("hal_pcpu_start", err);
	return baseline;
}

static void machine_down(size_t baseline)
{
	int err;

	vm_stop(vm, VM_STOP_REQUESTED);
	atomic_store(&stop_workers, 1);
	sched_kick_all();
	if ((err = hal_sim_join(1)))
		fail("hal_sim_join", err);
	hal_sim_set_guest(NULL, NULL);
	if ((err = vm_destroy(vm)))
		fail("vm_destroy", err);
	if (frame_outstanding() != baseline)
		fail("frame_outstanding did not return to its starting value",
		     (long long)frame_outstanding() - (long long)baseline);
	cpu_exit_this();
	hal_sim_fini();
}

/* Spin until cond() or WAIT_NS. */
static void wait_until(bool (*cond)(void), const char *what)
{
	uint64_t until = hal_now_ns() + WAIT_NS;

	while (!cond()) {
		if (hal_now_ns() > until)
			fail(what, 0);
		hal_cpu_relax();
	}
}

/* Blocked in WFI; it may stay loaded on its idle pCPU, so where it is is no test. */
static bool vcpu_asleep(void)
{
	return vcpu_state(vm_vcpu(vm, 0)) == VCPU_BLOCKED;
}

static bool vcpu_running(void)
{
	return vcpu_state(vm_vcpu(vm, 0)) == VCPU_RUNNING;
}

/* One injection: the ns from just before vm_inject_irq until the guest took it. */
static uint64_t inject_once(enum target_mode m)
{
	if (m == MODE_WFI) {
		wait_until(vcpu_asleep, "the vCPU did not go back to WFI");
		for (uint64_t t = hal_now_ns() + SETTLE_NS; hal_now_ns() < t;)
			hal_cpu_relax();
	}
	uint64_t before = atomic_load(&taken), until, t0 = hal_now_ns();
	int err = vm_inject_irq(vm, 0, INTID);
	if (err)
		fail("vm_inject_irq", err);
	for (until = t0 + WAIT_NS; atomic_load(&taken) == before;) {
		if (hal_now_ns() > until)
			fail("an injected interrupt was never taken", (long long)before);
		hal_cpu_relax();
	}
	if (atomic_load(&taken) != before + 1)
		fail("one injection was taken more than once", (long long)(atomic_load(&taken) - before));
	return atomic_load(&taken_at) - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least pct % of them at or below it. */
static uint64_t percentile(const uint64_t *sorted, unsigned n, unsigned pct)
{
	unsigned rank = (unsigned)(((uint64_t)n * pct + 99) / 100);

	return sorted[rank ? rank - 1 : 0];
}

static uint64_t hist_edge(unsigned k)
{
	static const double step[HIST_PER_OCTAVE] = { 1.0, 1.189207115, 1.414213562, 1.681792831 };
	double octave = (double)(1ull << (k / HIST_PER_OCTAVE));

	return (uint64_t)(octave * step[k % HIST_PER_OCTAVE] + 0.5);
}

/* The bin of x: the last k >= HIST_FIRST with hist_edge(k) <= x (HIST_FIRST below it). */
static unsigned hist_bin(uint64_t x)
{
	unsigned k = HIST_FIRST;

	while (k + 1 < HIST_MAX_BINS && hist_edge(k + 1) <= x)
		k++;
	return k;
}

/* Counts per bin of the sorted samples into r. */
static void histogram(const uint64_t *sorted, unsigned n, struct result *r)
{
	r->first_bin = hist_bin(sorted[0]);
	r->nbins = hist_bin(sorted[n - 1]) - r->first_bin + 1;
	memset(r->counts, 0, sizeof(r->counts));
	for (unsigned i = 0; i < n; i++)
		r->counts[hist_bin(sorted[i]) - r->first_bin]++;
}

static struct result run_case(enum target_mode m)
{
	struct result r;
	double sum = 0;

	atomic_store(&mode, m);
	if (m == MODE_RUNNING)
		wait_until(vcpu_running, "the vCPU did not start spinning");
	for (unsigned i = 0; i < WARMUP; i++)
		inject_once(m);
	for (unsigned i = 0; i < INJECTIONS; i++)
		lat[i] = inject_once(m);
	qsort(lat, INJECTIONS, sizeof(lat[0]), cmp_u64);
	for (unsigned i = 0; i < INJECTIONS; i++)
		sum += (double)lat[i];
	r.p50 = percentile(lat, INJECTIONS, 50);
	r.p99 = percentile(lat, INJECTIONS, 99);
	r.max = lat[INJECTIONS - 1];
	r.min = lat[0];
	r.mean = sum / INJECTIONS;
	histogram(lat, INJECTIONS, &r);
	return r;
}

/* One case's figures and, for plots, its histogram: counts[i] samples in
 * [edges_ns[i], edges_ns[i + 1]) (the last edge is past the slowest sample). */
static void print_json_case(const char *sep, const char *name, const struct result *r)
{
	printf("%s{\"target\": \"%s\", \"p50_ns\": %llu, \"p99_ns\": %llu, \"max_ns\": %llu, "
	       "\"mean_ns\": %.1f, \"min_ns\": %llu, \"histogram\": {\"bins_per_octave\": %d, "
	       "\"edges_ns\": [",
	       sep, name, (unsigned long long)r->p50, (unsigned long long)r->p99,
	       (unsigned long long)r->max, r->mean, (unsigned long long)r->min, HIST_PER_OCTAVE);
	for (unsigned i = 0; i <= r->nbins; i++)
		printf("%s%llu", i ? ", " : "", (unsigned long long)hist_edge(r->first_bin + i));
	printf("], \"counts\": [");
	for (unsigned i = 0; i < r->nbins; i++)
		printf("%s%u", i ? ", " : "", r->counts[i]);
	printf("]}}");
}

int main(int argc, char **argv)
{
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
	struct result res[NMODES];

	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, "usage: %s [--json]\n", argv[0]);
		return 2;
	}
	size_t baseline = machine_up();
	for (unsigned m = 0; m < NMODES; m++)
		res[m] = run_case((enum target_mode)m);
	uint64_t total = atomic_load(&taken);
	machine_down(baseline);
	if (atomic_load(&wrong))
		fail("the guest took interrupts that were not INTID", atomic_load(&wrong));
	if (total != (uint64_t)NMODES * (WARMUP + INJECTIONS))
		fail("interrupts taken do not match injections", (long long)total);

	if (json) {
		printf("{\"bench\": \"irq\", \"injections\": %u, \"intid\": %d, \"results\": [",
		       INJECTIONS, INTID);
		for (unsigned m = 0; m < NMODES; m++)
			print_json_case(m ? ", " : "", mode_names[m], &res[m]);
		printf("]}\n");
	} else {
		printf("vm_inject_irq on pCPU 0 -> taken from the LRs on pCPU 1; %u injections "
		       "each, one at a time\n", INJECTIONS);
		printf("%-8s %10s %10s %12s %10s\n", "target", "p50 ns", "p99 ns", "max ns",
		       "mean ns");
		for (unsigned m = 0; m < NMODES; m++)
			printf("%-8s %10llu %10llu %12llu %10.1f\n", mode_names[m],
			       (unsigned long long)res[m].p50, (unsigned long long)res[m].p99,
			       (unsigned long long)res[m].max, res[m].mean);
	}
	return 0;
}
