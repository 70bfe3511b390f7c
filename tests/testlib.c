#include <check.h>

#include "core/cpu.h"
#include "core/frame.h"
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
