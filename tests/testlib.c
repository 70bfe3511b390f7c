#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "arch/aarch64/vgic_map.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "tests/testlib.h"

int test_scratch_fd(void)
{
	char path[] = "/tmp/tandem-test-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	return fd;
}

size_t test_read_fd(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return (size_t)n;
}

static int capture_fd = -1, saved_stdout = -1;

void test_capture_begin(void)
{
	capture_fd = test_scratch_fd();
	fflush(stdout);
	saved_stdout = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved_stdout, 0);
	ck_assert_int_ge(dup2(capture_fd, STDOUT_FILENO), 0);
}

size_t test_capture_end(char *buf, size_t size)
{
	hal_console_flush(); /* the console writes on a thread of its own */
	fflush(stdout);
	ck_assert_int_ge(dup2(saved_stdout, STDOUT_FILENO), 0);
	close(saved_stdout);
	size_t n = test_read_fd(capture_fd, buf, size);
	close(capture_fd);
	return n;
}

void test_machine_up(unsigned pcpus, bool core)
{
	struct hal_sim_config cfg = {
		.pcpus = pcpus,
		.nranges = 2,
		.ranges = { { { TEST_RAM0_BASE }, TEST_RAM0_SIZE },
			    { { TEST_RAM1_BASE }, TEST_RAM1_SIZE } },
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

	ck_assert_int_eq(mmio_bus_read(&vm->bus, gpa_make(VGIC_DIST_BASE), 4, &ctlr), 0);
	ck_assert_int_eq(mmio_bus_write(&vm->bus, gpa_make(VGIC_DIST_BASE), 4, ctlr | 2),
			 0); /* EnableGrp1 */
	ck_assert_int_eq(mmio_bus_write(&vm->bus, gpa_make(frame + 0x100 + (intid / 32) * 4), 4,
					1u << (intid % 32)), 0); /* ISENABLER */
	ck_assert_int_eq(mmio_bus_write(&vm->bus, gpa_make(frame + 0x400 + intid), 1, priority), 0);
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
	struct vm_config cfg = { .name = name, .nvcpus = nvcpus, .entry = { TEST_RAM }, .nmem = 1,
		.mem = { { { TEST_RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } } };
	struct vm *vm;

	for (unsigned i = 0; i < nvcpus; i++)
		cfg.affinity[i] = affinity[i];
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	return vm;
}

