#include <check.h>

#include "arch/aarch64/vgic.h"
#include "core/cpu.h"
#include "core/frame.h"
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
