/* bench/exits in the riscv64 build: what one dispatched riscv64 guest exit costs the
 * hypervisor, the riscv rows of bench/exits.c (read its top comment: the same method).
 *   sbi-base-version  ECALL from VS-mode (scause 10) with a7 = BASE, a6 = 0: answered in
 *                     a0/a1 (the early handler's kind of call, dispatched here through
 *                     vm_feed_trap);
 *   mmio-store        SB to a device register: a store guest-page fault (scause 23,
 *                     htval the GPA >> 2) with a transformed SB in htinst, emulated;
 *   plic-claim        LW from the PLIC's claim register of hart 0's S context: a load
 *                     guest-page fault with a transformed LW, the claim (nothing pending:
 *                     0) through the PLIC model;
 *   lazy-first-touch  SD to a page of a lazy region nobody touched: mapped, retried.
 * One VM, vCPU 0 bound on pCPU 0, raw trap state fed with vm_feed_trap in a loop; time
 * from hal_now_ns around each batch, best of REPS after a warm-up; instructions with
 * callgrind around bench_exits_measured, the program re-run as its own child for two
 * exit counts (bench/exits_report.c; without valgrind the columns say n/a). Every
 * return code, kind, outcome and answer is checked, and every frame is back at the end;
 * a failure exits non-zero.
 * Usage: bench_exits [--json]
 *        bench_exits --only sbi|mmio|plic|lazy --iterations N   (the callgrind child) */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv64/arch.h"
#include "bench/exits_report.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "hal/time.h"

#define RAM 0x80000000ull
#define LAZY 0x88000000ull
#define LAZY_PAGES 4096u
#define LAZY_SIZE ((uint64_t)LAZY_PAGES * PAGE_SIZE)
#define DEV 0x10000000ull
#define PLIC_CLAIM_S0 (PLIC_BASE + 0x200000ull + 0x1000ull * 1 + 4)
#define REPS 3
#define HOST_RAM (128ull << 20)

/* Transformed instructions (privileged spec 8.6.3: the offset fields are 0): SB t0
 * (x5), LW a5 (x15). */
#define T_SB_T0 ((5u << 20) | (0u << 12) | 0x23u)
#define T_LW_A5 ((15u << 7) | (2u << 12) | 0x03u)
#define T_SD_T0 ((5u << 20) | (3u << 12) | 0x23u)

enum kind { K_SBI, K_MMIO, K_PLIC, K_LAZY, NKINDS };

/* n1 and n2, the two callgrind runs, are multiples of 512 so that the lazy touches
 * between them include their share of table pages (as on aarch64). */
static const struct {
	const char *arg;  /* --only */
	const char *name; /* table and JSON */
	unsigned iters;   /* timed exits per rep */
	unsigned n1, n2;  /* callgrind runs */
} kinds[NKINDS] = {
	[K_SBI] = { "sbi", "sbi-base-version", 1000000, 5120, 10240 },
	[K_MMIO] = { "mmio", "mmio-store", 1000000, 5120, 10240 },
	[K_PLIC] = { "plic", "plic-claim", 1000000, 5120, 10240 },
	[K_LAZY] = { "lazy", "lazy-first-touch", 4 * LAZY_PAGES, 1024, 3072 },
};

static struct vm *vm;
static struct vcpu *v0;
static uint64_t dev_writes;

static _Noreturn void fail(const char *what, long long detail)
{
	fprintf(stderr, "bench/exits: %s (%lld)\n", what, detail);
	exit(1);
}

static int dev_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	(void)ctx, (void)off, (void)width;
	*value = 0;
	return 0;
}

static int dev_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	(void)ctx, (void)off, (void)width, (void)value;
	dev_writes++;
	return 0;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, NULL };

static struct guest_exit gpf(uint64_t cause, uint64_t gpa, uint64_t htinst)
{
	return (struct guest_exit){ .scause = cause, .stval = gpa, .htval = gpa >> 2,
				    .htinst = htinst,
				    .hstatus = HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA };
}

/* The measured part: n exits of kind k. Not inlined, so that callgrind can count
 * exactly this function with --toggle-collect. */
__attribute__((noinline)) unsigned bench_exits_measured(enum kind k, unsigned n);
__attribute__((noinline)) unsigned bench_exits_measured(enum kind k, unsigned n)
{
	struct guest_exit t;
	struct vm_exit e;
	unsigned bad = 0;

	for (unsigned i = 0; i < n; i++) {
		v0->arch.ctx.pc = RAM + 0x100;
		switch (k) {
		case K_SBI:
			t = (struct guest_exit){ .scause = CAUSE_VIRTUAL_SUPERVISOR_ECALL };
			v0->arch.ctx.x[17] = SBI_EXT_BASE;
			v0->arch.ctx.x[16] = 0;
			bad += vm_feed_trap(v0, &t, &e) || v0->arch.ctx.x[10] != 0 ||
			       v0->arch.ctx.x[11] != SBI_SPEC_VERSION;
			break;
		case K_MMIO:
			t = gpf(CAUSE_STORE_GUEST_PAGE_FAULT, DEV, T_SB_T0);
			v0->arch.ctx.x[5] = 'a' + i % 26;
			bad += vm_feed_trap(v0, &t, &e) || e.kind != EXIT_MMIO_WRITE ||
			       e.outcome != EXIT_RESUME;
			break;
		case K_PLIC:
			t = gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, PLIC_CLAIM_S0, T_LW_A5);
			v0->arch.ctx.x[15] = 0x55;
			bad += vm_feed_trap(v0, &t, &e) || e.kind != EXIT_MMIO_READ ||
			       v0->arch.ctx.x[15] != 0;
			break;
		case K_LAZY:
			t = gpf(CAUSE_STORE_GUEST_PAGE_FAULT,
				LAZY + (uint64_t)i * PAGE_SIZE + 0x10, T_SD_T0);
			bad += vm_feed_trap(v0, &t, &e) || e.kind != EXIT_STAGE2_FAULT ||
			       e.outcome != EXIT_RETRY;
			break;
		default:
			bad++;
		}
	}
	return bad;
}

/* The lazy region afresh, so that every touch of the next batch is a first one. */
static void lazy_reset(void)
{
	int err = as_remove_region(&vm->as, gpa_make(LAZY), LAZY_SIZE);

	if (!err)
		err = as_add_region(&vm->as, gpa_make(LAZY), LAZY_SIZE, PT_R | PT_W,
				    AS_ALLOC_LAZY, pa_make(0));
	if (err)
		fail("resetting the lazy region", err);
}

static uint64_t run_kind(enum kind k, unsigned n)
{
	uint64_t ns = 0;

	for (unsigned done = 0; done < n;) {
		unsigned b = k == K_LAZY ? LAZY_PAGES : n - done;
		b = b < n - done ? b : n - done;
		uint64_t t0 = hal_now_ns();
		unsigned bad = bench_exits_measured(k, b);
		ns += hal_now_ns() - t0;
		if (bad)
			fail(kinds[k].name, bad);
		if (k == K_LAZY)
			lazy_reset();
		done += b;
	}
	return ns;
}

static size_t machine_up(void)
{
	struct hal_sim_config cfg = { .pcpus = 1, .nranges = 1,
		.ranges = { { { 0x100000000ull }, HOST_RAM } } };
	int err;

	if ((err = hal_sim_init(&cfg)) || (err = frame_init()) || (err = cpu_boot_init()) ||
	    (err = cpu_init_this()))
		fail("machine setup", err);
	log_set_level(LOG_WARN);
	sched_init(SCHED_STATIC, 0);
	return frame_outstanding();
}

static void vm_up(void)
{
	struct vm_config vc = {
		.name = "bench", .nvcpus = 1, .entry = { RAM + 0x100 }, .nmem = 2,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, LAZY_SIZE, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } } },
		.ndevices = 1, .devices = { { { DEV }, 0x1000, &dev_ops, NULL } },
	};
	int err;

	if ((err = vm_create(&vc, &vm)))
		fail("vm_create", err);
	v0 = vm_vcpu(vm, 0);
	if ((err = vcpu_bind(v0)))
		fail("vcpu_bind", err);
}

/* The VM gone, and with it every frame it held. */
static void vm_down(size_t baseline)
{
	int err;

	if (v0->pcpu != VCPU_NO_PCPU)
		vcpu_put(v0);
	if ((err = vm_destroy(vm)))
		fail("vm_destroy", err);
	if (frame_outstanding() != baseline)
		fail("frames outstanding after the VM went",
		     (long long)frame_outstanding() - (long long)baseline);
	hal_sim_fini();
}

/* The callgrind child: n exits of one kind, nothing printed. */
static int only_mode(const char *kind, const char *iters)
{
	enum kind k = NKINDS;
	char *end;
	unsigned long n = strtoul(iters, &end, 10);

	for (unsigned i = 0; i < NKINDS; i++)
		if (strcmp(kind, kinds[i].arg) == 0)
			k = (enum kind)i;
	if (k == NKINDS || *end || n == 0 || n > 100000000ul) {
		fprintf(stderr, "bench/exits: --only sbi|mmio|plic|lazy --iterations N (N > 0)\n");
		return 2;
	}
	size_t baseline = machine_up();
	vm_up();
	run_kind(k, (unsigned)n);
	vm_down(baseline);
	return 0;
}

int main(int argc, char **argv)
{
	bool json = false;
	const char *only = NULL, *iters = NULL;
	char self[4096];
	struct exits_row res[NKINDS];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
			iters = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--json] | --only sbi|mmio|plic|lazy "
				"--iterations N\n", argv[0]);
			return 2;
		}
	}
	if (only || iters)
		return only_mode(only ? only : "", iters ? iters : "");
	exits_self(self, sizeof(self));

	size_t baseline = machine_up();
	vm_up();
	for (unsigned k = 0; k < NKINDS; k++) {
		run_kind((enum kind)k, kinds[k].iters / 4);
		uint64_t best = UINT64_MAX;
		for (unsigned r = 0; r < REPS; r++) {
			uint64_t t = run_kind((enum kind)k, kinds[k].iters);
			best = t < best ? t : best;
		}
		res[k] = (struct exits_row){ .name = kinds[k].name, .iters = kinds[k].iters,
					     .ns = (double)best / kinds[k].iters };
	}
	if (dev_writes == 0)
		fail("the device saw no write", 0);
	vm_down(baseline);

	for (unsigned k = 0; k < NKINDS; k++)
		exits_count(self, kinds[k].arg, kinds[k].n1, kinds[k].n2, &res[k]);
	exits_print(res, NKINDS, json, "riscv64", REPS);
	return 0;
}
