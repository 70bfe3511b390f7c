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
 * from hal_now_ns around each batch, best of REPS after a warm-up. Instructions are not
 * counted for these rows yet (bench/exits.c's callgrind child mode is aarch64's): the
 * columns say n/a. Every return code, kind, outcome and answer is checked, and every
 * frame is back at the end; a failure exits non-zero. Usage: bench_exits [--json] */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv64/arch.h"
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

static const struct {
	const char *name;
	unsigned iters;
} kinds[NKINDS] = {
	[K_SBI] = { "sbi-base-version", 1000000 },
	[K_MMIO] = { "mmio-store", 1000000 },
	[K_PLIC] = { "plic-claim", 1000000 },
	[K_LAZY] = { "lazy-first-touch", 4 * LAZY_PAGES },
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

static unsigned measured(enum kind k, unsigned n, unsigned first)
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
				LAZY + (uint64_t)(first + i) * PAGE_SIZE + 0x10, T_SD_T0);
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
		unsigned bad = measured(k, b, 0);
		ns += hal_now_ns() - t0;
		if (bad)
			fail(kinds[k].name, bad);
		if (k == K_LAZY)
			lazy_reset();
		done += b;
	}
	return ns;
}

int main(int argc, char **argv)
{
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	struct hal_sim_config cfg = { .pcpus = 1, .nranges = 1,
		.ranges = { { { 0x100000000ull }, HOST_RAM } } };
	double ns[NKINDS];
	int err;

	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, "usage: %s [--json]\n", argv[0]);
		return 2;
	}
	if ((err = hal_sim_init(&cfg)) || (err = frame_init()) || (err = cpu_boot_init()) ||
	    (err = cpu_init_this()))
		fail("machine setup", err);
	log_set_level(LOG_WARN);
	sched_init(SCHED_STATIC, 0);
	size_t baseline = frame_outstanding();
	struct vm_config vc = {
		.name = "bench", .nvcpus = 1, .entry = { RAM + 0x100 }, .nmem = 2,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, LAZY_SIZE, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } } },
		.ndevices = 1, .devices = { { { DEV }, 0x1000, &dev_ops, NULL } },
	};
	if ((err = vm_create(&vc, &vm)))
		fail("vm_create", err);
	v0 = vm_vcpu(vm, 0);
	if ((err = vcpu_bind(v0)))
		fail("vcpu_bind", err);
	for (unsigned k = 0; k < NKINDS; k++) {
		run_kind((enum kind)k, kinds[k].iters / 4);
		uint64_t best = UINT64_MAX;
		for (unsigned r = 0; r < REPS; r++) {
			uint64_t t = run_kind((enum kind)k, kinds[k].iters);
			best = t < best ? t : best;
		}
		ns[k] = (double)best / kinds[k].iters;
	}
	if (dev_writes == 0)
		fail("the device saw no write", 0);
	if (v0->pcpu != VCPU_NO_PCPU)
		vcpu_put(v0);
	if ((err = vm_destroy(vm)))
		fail("vm_destroy", err);
	if (frame_outstanding() != baseline)
		fail("frames outstanding after the VM went",
		     (long long)frame_outstanding() - (long long)baseline);
	hal_sim_fini();

	if (json) {
		printf("{\"bench\": \"exits\", \"isa\": \"riscv64\", \"reps\": %d, \"results\": [",
		       REPS);
		for (unsigned k = 0; k < NKINDS; k++)
			printf("%s{\"exit\": \"%s\", \"iterations\": %u, \"ns_per_exit\": %.1f, "
			       "\"instructions_per_exit\": null, "
			       "\"instructions_in_memset_per_exit\": null, "
			       "\"instructions_beside_memset_per_exit\": null, "
			       "\"method\": \"not counted: riscv64 rows time only\"}",
			       k ? ", " : "", kinds[k].name, kinds[k].iters, ns[k]);
		printf("]}\n");
		return 0;
	}
	printf("riscv64: per exit dispatched by vm_feed_trap; ns: best of %d runs\n", REPS);
	printf("%-18s %9s\n", "exit kind", "ns/exit");
	for (unsigned k = 0; k < NKINDS; k++)
		printf("%-18s %9.1f\n", kinds[k].name, ns[k]);
	return 0;
}
