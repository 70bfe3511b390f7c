/* bench/exits: what one dispatched guest exit costs the hypervisor, for three exits:
 *   hvc-psci-version  HVC #0 with X0 = PSCI_VERSION (ESR 0x5A000000), answered in X0;
 *   pl011-dr-write    STRB W9 to the emulated PL011's data register: a stage-2 data
 *                     abort with ISV=1 (SAS=0, SRT=9, WnR, DFSC 7, ESR from
 *                     a64_trap_esr) that core turns into an MMIO write to the device;
 *   lazy-first-touch  STR X1 to a page of a lazy region nobody touched yet: a stage-2
 *                     translation fault that the address space handles by allocating,
 *                     zeroing and mapping a frame; the outcome is a retry.
 * One VM (eager RAM, a lazy region of LAZY_PAGES pages, a PL011 at UART), vCPU 0 bound
 * on pCPU 0, and the raw trap state fed with vm_feed_trap in a loop: decode, dispatch,
 * handler, completion, as the hypervisor pays for it after the hardware has trapped
 * (the world switch itself is not in it; there is none in the simulation host).
 *
 * Fairness. Every DR write is a byte other than '\n', and after each batch of
 * PL011_LINE_MAX writes (exactly a full line buffer, which the PL011 only writes out
 * when one more byte arrives) the buffered line is discarded outside the timed part,
 * so nothing is ever printed and every write takes the ordinary buffering path. The
 * lazy region is removed and added again (as_remove_region / as_add_region) between
 * batches of LAZY_PAGES touches, outside the timed part, so that every touch really is
 * a first touch; a first touch into a fresh 2 MiB also allocates its last-level table,
 * one in 512 touches, as a guest touching fresh memory does. The simulation host's RAM
 * is an anonymous mapping that Linux backs on first use, so before timing every frame
 * is allocated, written and freed once: otherwise the lazy exits would also pay the
 * host's page faults, which bare metal does not have.
 *
 * Time: hal_now_ns around each batch, summed over the kind's iters exits, best of
 * REPS, after one untimed warm-up run. Never asserted.
 *
 * Instructions: `perf stat -e instructions` reports "not supported" on the machine
 * this was written on (no hardware counter available), so they are counted with
 * valgrind's callgrind, which counts executed instructions (Ir) deterministically.
 * The benchmark re-executes itself as
 *     valgrind --tool=callgrind --callgrind-out-file=TMP --collect-atstart=no
 *              --toggle-collect=bench_exits_measured SELF --only KIND --iterations N
 * so that only instructions executed inside bench_exits_measured (the loop of
 * vm_feed_trap calls, with everything it calls) are counted, not set-up, resets or
 * checks; it does so for N1 and N2 exits and reports (Ir(N2) - Ir(N1)) / (N2 - N1),
 * read from the "totals:" (or "summary:") line of the callgrind output file. The
 * difference removes the constant cost of calling the loop (the PL011 loop is called
 * once per PL011_LINE_MAX exits, so its call adds about 0.3 instructions per exit); N1
 * and N2 are multiples of 512 so that the lazy touches between them include their
 * share of table pages. perf was tried first and is not used: it has no counter here.
 * Caveat, memset: glibc zeroes the lazy exit's 4 KiB frame with `rep stosb`, which
 * the CPU retires as one instruction but callgrind counts once per byte (4096), so
 * the self cost of functions named *memset* is also reported ("in memset", part of
 * the total, parsed from the output file's per-function cost lines): subtract it and
 * add a few dozen for the native count. Callgrind's synthetic CPU may also make glibc
 * pick another memset variant than natively. Without valgrind the columns say n/a.
 *
 * Checks: every vm_feed_trap return code and each exit's kind and outcome, the answer
 * in X0, the lazy page mappings and fault counter, and frame_outstanding() back at its
 * starting value after each lazy reset and after the VM is destroyed; any failure
 * prints a message and exits non-zero.
 *
 * Usage: bench_exits [--json]            table (or JSON) of all three
 *        bench_exits --only KIND --iterations N   run N exits of KIND (hvc, pl011, lazy)
 *                                         and print nothing: the callgrind child */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/a64.h"
#include "arch/aarch64/psci.h"
#include "bench/exits_report.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/pl011.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "hal/time.h"

#define RAM 0x40000000ull
#define RAM_SIZE (64ull * 1024)
#define LAZY 0x48000000ull /* 2 MiB aligned */
#define LAZY_PAGES 4096u   /* 16 MiB: one batch of first touches */
#define LAZY_SIZE ((uint64_t)LAZY_PAGES * PAGE_SIZE)
#define UART 0x09000000ull
#define PC0 (RAM + 0x100)

#define REPS 3
#define HOST_RAM (128ull << 20)

enum kind { K_HVC, K_PL011, K_LAZY, NKINDS };

static const struct {
	const char *arg;  /* --only */
	const char *name; /* table and JSON */
	unsigned iters;   /* timed exits per rep */
	unsigned n1, n2;  /* callgrind runs */
} kinds[NKINDS] = {
	[K_HVC] = { "hvc", "hvc-psci-version", 1000000, 5120, 10240 },
	[K_PL011] = { "pl011", "pl011-dr-write", 1000000, 5120, 10240 },
	[K_LAZY] = { "lazy", "lazy-first-touch", 4 * LAZY_PAGES, 1024, 3072 },
};

static struct vm *vm;
static struct vcpu *v0;
static struct pl011 uart;
static size_t lazy_base; /* frame_outstanding() with the lazy region fresh */
static uint64_t lazy_faults_seen;
static uint64_t esr_hvc, esr_strb, esr_str;

static _Noreturn void fail(const char *what, long long detail)
{
	fprintf(stderr, "bench/exits: %s (%lld)\n", what, detail);
	exit(1);
}

/* The measured part: n exits of kind k, the lazy ones at pages 0, 1, ... of the lazy
 * region. Returns how many went wrong (bad return code, kind or outcome). Not inlined,
 * so that callgrind can count exactly this function with --toggle-collect. */
__attribute__((noinline)) unsigned bench_exits_measured(enum kind k, unsigned n);
__attribute__((noinline)) unsigned bench_exits_measured(enum kind k, unsigned n)
{
	struct guest_exit t = { .type = TRAP_SYNC };
	struct vm_exit e;
	unsigned bad = 0;

	switch (k) {
	case K_HVC:
		t.esr = esr_hvc;
		for (unsigned i = 0; i < n; i++) {
			v0->arch.ctx.x[0] = PSCI_VERSION;
			if (vm_feed_trap(v0, &t, &e) || e.outcome != EXIT_RESUME ||
			    v0->arch.ctx.x[0] != PSCI_VERSION_1_1)
				bad++;
		}
		break;
	case K_PL011:
		t.esr = esr_strb;
		t.far = UART + PL011_DR;
		t.hpfar = ((UART + PL011_DR) >> 12) << 4;
		for (unsigned i = 0; i < n; i++) {
			v0->arch.ctx.x[9] = 'a' + i % 26;
			if (vm_feed_trap(v0, &t, &e) || e.kind != EXIT_MMIO_WRITE ||
			    e.outcome != EXIT_RESUME)
				bad++;
		}
		break;
	case K_LAZY:
		t.esr = esr_str;
		for (unsigned i = 0; i < n; i++) {
			uint64_t ipa = LAZY + (uint64_t)i * PAGE_SIZE + 0x10;
			t.far = ipa;
			t.hpfar = (ipa >> 12) << 4;
			if (vm_feed_trap(v0, &t, &e) || e.kind != EXIT_STAGE2_FAULT ||
			    e.outcome != EXIT_RETRY)
				bad++;
		}
		break;
	default:
		bad = n;
	}
	return bad;
}

/* After a batch: check what it did, then make the next batch start fresh. */
static void after_batch(enum kind k, unsigned n)
{
	int err;

	if (k == K_PL011) {
		if (uart.line_len != n)
			fail("PL011 line buffer does not hold the batch's bytes", uart.line_len);
		uart.line_len = 0; /* discard the line: nothing is printed */
		return;
	}
	if (k != K_LAZY)
		return;
	if (vm->as.lazy_faults - lazy_faults_seen != n)
		fail("lazy faults counted", (long long)(vm->as.lazy_faults - lazy_faults_seen));
	lazy_faults_seen = vm->as.lazy_faults;
	paddr_t pa;
	unsigned flags;
	if ((err = as_translate(&vm->as, gpa_make(LAZY), &pa, &flags)) ||
	    (err = as_translate(&vm->as, gpa_make(LAZY + (uint64_t)(n - 1) * PAGE_SIZE), &pa,
				&flags)))
		fail("as_translate of a touched lazy page", err);
	if (n < LAZY_PAGES &&
	    as_translate(&vm->as, gpa_make(LAZY + (uint64_t)n * PAGE_SIZE), &pa, &flags) != -ENOENT)
		fail("a lazy page past the batch is mapped", n);
	if ((err = as_remove_region(&vm->as, gpa_make(LAZY), LAZY_SIZE)))
		fail("as_remove_region (lazy)", err);
	if ((err = as_add_region(&vm->as, gpa_make(LAZY), LAZY_SIZE, PT_R | PT_W, AS_ALLOC_LAZY,
				 pa_make(0))))
		fail("as_add_region (lazy)", err);
	if (frame_outstanding() != lazy_base)
		fail("frame_outstanding after the lazy region was reset",
		     (long long)frame_outstanding() - (long long)lazy_base);
}

static unsigned batch_size(enum kind k, unsigned n)
{
	unsigned b = k == K_PL011 ? PL011_LINE_MAX : k == K_LAZY ? LAZY_PAGES : n;
	return b < n ? b : n;
}

/* n exits of kind k in batches; the nanoseconds spent inside the batches. */
static uint64_t run_kind(enum kind k, unsigned n)
{
	uint64_t ns = 0;

	for (unsigned done = 0; done < n;) {
		unsigned b = batch_size(k, n - done);
		uint64_t t0 = hal_now_ns();
		unsigned bad = bench_exits_measured(k, b);
		uint64_t t1 = hal_now_ns();
		if (bad)
			fail(k == K_HVC ? "an HVC exit went wrong"
			     : k == K_PL011 ? "a PL011 exit went wrong" : "a lazy exit went wrong",
			     bad);
		ns += t1 - t0;
		after_batch(k, b);
		done += b;
	}
	return ns;
}

static uint64_t esr_of(const struct a64_insn *insn, unsigned dfsc)
{
	uint64_t esr = a64_trap_esr(insn, dfsc);

	if (!esr)
		fail("a64_trap_esr refused an instruction", insn->kind);
	return esr;
}

static size_t machine_up(void)
{
	struct hal_sim_config cfg = { .pcpus = 1, .nranges = 1,
		.ranges = { { { 0x80000000ull }, HOST_RAM } } };
	int err;

	if ((err = hal_sim_init(&cfg)) || (err = frame_init()) || (err = cpu_boot_init()) ||
	    (err = cpu_init_this()))
		fail("machine setup", err);
	log_set_level(LOG_WARN); /* vm_destroy's info line went to stdout, into the JSON */
	sched_init(SCHED_STATIC, 0);

	struct a64_insn hvc = { .kind = A64_HVC, .imm16 = 0 };
	struct a64_insn strb = { .kind = A64_LDST,
		.ldst = { .store = true, .size = 0, .rt = 9, .rn = 1 } };
	struct a64_insn str = { .kind = A64_LDST,
		.ldst = { .store = true, .size = 3, .reg64 = true, .rt = 1, .rn = 2 } };
	esr_hvc = esr_of(&hvc, 0);
	esr_strb = esr_of(&strb, 0x07); /* translation fault, level 3 */
	esr_str = esr_of(&str, 0x07);
	if (esr_hvc != 0x5A000000ull)
		fail("HVC #0 syndrome is not 0x5A000000", (long long)esr_hvc);
	return frame_outstanding();
}

/* Touch every frame of the machine once, so that Linux has backed the arena. */
static void prefault(void)
{
	size_t n = frame_free_count(), got = 0;
	paddr_t *pas = malloc(n * sizeof(*pas));
	int err;

	if (!pas)
		fail("malloc", (long long)n);
	while (got < n && frame_alloc(&pas[got]) == 0) {
		void *va;
		if ((err = hal_phys_to_virt(pas[got], PAGE_SIZE, &va)))
			fail("hal_phys_to_virt", err);
		memset(va, 0, PAGE_SIZE);
		got++;
	}
	for (size_t i = 0; i < got; i++)
		if ((err = frame_free(pas[i])))
			fail("frame_free", err);
	free(pas);
}

static void vm_up(void)
{
	struct vm_config cfg = {
		.name = "bench", .nvcpus = 1, .entry = { PC0 }, .nmem = 2,
		.mem = { { { RAM }, RAM_SIZE, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, LAZY_SIZE, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } } },
		.ndevices = 1,
		.devices = { { { UART }, PL011_SIZE, &pl011_ops, &uart } },
	};
	int err;

	pl011_init(&uart, "bench", NULL, NULL);
	if ((err = vm_create(&cfg, &vm)))
		fail("vm_create", err);
	v0 = vm_vcpu(vm, 0);
	if (!v0)
		fail("vm_vcpu 0", 0);
	if ((err = vcpu_bind(v0)))
		fail("vcpu_bind", err);
	lazy_base = frame_outstanding();
	lazy_faults_seen = vm->as.lazy_faults;
}

static void vm_down(size_t baseline)
{
	int err = vcpu_put(v0);

	if (err < 0)
		fail("vcpu_put", err);
	if ((err = vm_destroy(vm)))
		fail("vm_destroy", err);
	if (frame_outstanding() != baseline)
		fail("frame_outstanding did not return to its starting value",
		     (long long)frame_outstanding() - (long long)baseline);
	if (uart.line_len != 0)
		fail("PL011 line buffer not empty at the end", uart.line_len);
	pl011_fini(&uart);
}

/* ---- main --------------------------------------------------------------------------- */

static int only_mode(const char *kind, const char *iters)
{
	enum kind k = NKINDS;
	char *end;
	unsigned long n = strtoul(iters, &end, 10);

	for (unsigned i = 0; i < NKINDS; i++)
		if (strcmp(kind, kinds[i].arg) == 0)
			k = (enum kind)i;
	if (k == NKINDS || *end || n == 0 || n > 100000000ul) {
		fprintf(stderr, "bench/exits: --only hvc|pl011|lazy --iterations N (N > 0)\n");
		return 2;
	}
	size_t baseline = machine_up();
	vm_up();
	run_kind(k, (unsigned)n);
	vm_down(baseline);
	hal_sim_fini();
	return 0;
}

int main(int argc, char **argv)
{
	bool json = false;
	const char *only = NULL, *iters = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
			iters = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--json] | --only hvc|pl011|lazy --iterations N\n",
				argv[0]);
			return 2;
		}
	}
	if (only || iters)
		return only_mode(only ? only : "", iters ? iters : "");

	char self[4096];
	exits_self(self, sizeof(self));

	struct exits_row res[NKINDS];
	size_t baseline = machine_up();
	prefault();
	vm_up();
	for (unsigned k = 0; k < NKINDS; k++) {
		run_kind((enum kind)k, kinds[k].iters / 4); /* warm-up */
		uint64_t best = UINT64_MAX;
		for (unsigned r = 0; r < REPS; r++) {
			uint64_t ns = run_kind((enum kind)k, kinds[k].iters);
			best = ns < best ? ns : best;
		}
		res[k] = (struct exits_row){ .name = kinds[k].name, .iters = kinds[k].iters,
					     .ns = (double)best / kinds[k].iters };
	}
	vm_down(baseline);
	hal_sim_fini();

	for (unsigned k = 0; k < NKINDS; k++)
		exits_count(self, kinds[k].arg, kinds[k].n1, kinds[k].n2, &res[k]);
	exits_print(res, NKINDS, json, NULL, REPS);
	return 0;
}
