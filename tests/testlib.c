#include <check.h>

#include "arch/aarch64/vgic.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "tests/testlib.h"

void test_machine_up(unsigned pcpus, bool core)
{
	struct hal_sim_config cfg = {
		.pcpus = pcpus,
		.nranges = 2,
		.ranges = { { TEST_RAM0_BASE, TEST_RAM0_SIZE }, { TEST_RAM1_BASE, TEST_RAM1_SIZE } },
	};

	ck_assert_int_eq(hal_sim_init(&cfg), 0);
	if (core) {
		ck_assert_int_eq(frame_init(), 0);
		ck_assert_int_eq(cpu_boot_init(), 0);
		ck_assert_int_eq(cpu_init_this(), 0);
	}
}

void test_machine_down(void)
{
	hal_sim_fini();
}

void test_on_pcpus(unsigned n, void (*fn)(void *arg), void *arg)
{
	ck_assert_uint_le(n, hal_pcpu_count());
	for (unsigned i = 1; i < n; i++)
		ck_assert_int_eq(hal_pcpu_start(i, fn, arg), 0);
	fn(arg);
	for (unsigned i = 1; i < n; i++)
		ck_assert_int_eq(hal_sim_join(i), 0);
}

void test_gic_enable(struct vm *vm, unsigned vcpu, unsigned intid, unsigned priority)
{
	uint64_t frame = intid < VGIC_NR_PRIVATE
				 ? VGIC_REDIST_BASE + vcpu * VGIC_REDIST_STRIDE + VGIC_SGI_FRAME
				 : VGIC_DIST_BASE;
	uint64_t ctlr = 0;

	ck_assert_int_eq(mmio_bus_read(&vm->bus, VGIC_DIST_BASE, 4, &ctlr), 0);
	ck_assert_int_eq(mmio_bus_write(&vm->bus, VGIC_DIST_BASE, 4, ctlr | 2), 0); /* EnableGrp1 */
	ck_assert_int_eq(mmio_bus_write(&vm->bus, frame + 0x100 + (intid / 32) * 4, 4,
					1u << (intid % 32)), 0); /* ISENABLER */
	ck_assert_int_eq(mmio_bus_write(&vm->bus, frame + 0x400 + intid, 1, priority), 0);
}

int test_guest_take_irq(struct guest_ctx *ctx)
{
	int best = -1;

	if (!(ctx->ich_hcr & ICH_HCR_EN))
		return -1;
	for (unsigned i = 0; i < VGIC_NR_LRS; i++) {
		uint64_t lr = ctx->ich_lr[i];
		if ((lr & ICH_LR_STATE_MASK) != ICH_LR_PENDING)
			continue;
		if (best < 0 || (lr >> ICH_LR_PRIORITY_SHIFT & 0xFF) <
					(ctx->ich_lr[best] >> ICH_LR_PRIORITY_SHIFT & 0xFF))
			best = (int)i;
	}
	if (best < 0)
		return -1;
	ctx->ich_lr[best] &= ~ICH_LR_STATE_MASK; /* acknowledged and completed */
	return (int)(ctx->ich_lr[best] & ICH_LR_VINTID_MASK);
}

static int stop_workers;

static bool workers_done(void *arg)
{
	(void)arg;
	return __atomic_load_n(&stop_workers, __ATOMIC_ACQUIRE);
}

static void worker(void *arg)
{
	(void)arg;
	ck_assert_int_eq(cpu_init_this(), 0);
	sched_run(workers_done, NULL);
	cpu_exit_this();
}

void test_workers_start(unsigned from, unsigned to)
{
	__atomic_store_n(&stop_workers, 0, __ATOMIC_RELEASE);
	for (unsigned i = from; i <= to; i++)
		ck_assert_int_eq(hal_pcpu_start(i, worker, NULL), 0);
}

void test_workers_stop(unsigned from, unsigned to)
{
	__atomic_store_n(&stop_workers, 1, __ATOMIC_RELEASE);
	sched_kick_all();
	for (unsigned i = from; i <= to; i++)
		ck_assert_int_eq(hal_sim_join(i), 0);
}

struct vm *test_make_vm(const char *name, unsigned nvcpus, const uint64_t *affinity)
{
	struct vm_config cfg = { .name = name, .nvcpus = nvcpus, .entry = TEST_RAM, .nmem = 1,
		.mem = { { TEST_RAM, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, 0 } } };
	struct vm *vm;

	for (unsigned i = 0; i < nvcpus; i++)
		cfg.affinity[i] = affinity[i];
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	return vm;
}

void test_trap_hvc(struct guest_ctx *ctx, struct guest_exit *exit, uint64_t fid, uint64_t a1,
		   uint64_t a2)
{
	ctx->x[0] = fid;
	ctx->x[1] = a1;
	ctx->x[2] = a2;
	ctx->x[3] = 0;
	*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = 0x5A000000ull }; /* HVC #0 */
}

void test_trap_wfi(struct guest_exit *exit)
{
	*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = 0x06000000ull }; /* WFI */
}
