/* The simulation host's side of the HAL contract: machine setup, memory translation,
 * pCPU threads and per-CPU data, IRQ delivery, IPIs and the one-shot timer. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "hal-sim/sim.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/debug.h"
#include "hal/err.h"
#include "hal/guest.h"
#include "hal/irq.h"
#include "hal/mm.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

static void setup(void)
{
	test_machine_up(8, false);
}

static void teardown(void)
{
	test_machine_down();
}

START_TEST(test_ranges_are_reported_as_configured)
{
	struct hal_mem_range r[HAL_MAX_MEM_RANGES];
	size_t n;

	ck_assert_int_eq(hal_mem_ranges(r, HAL_MAX_MEM_RANGES, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(pa_bits(r[0].base), TEST_RAM0_BASE);
	ck_assert_uint_eq(r[0].size, TEST_RAM0_SIZE);
	ck_assert_uint_eq(pa_bits(r[1].base), TEST_RAM1_BASE);
	ck_assert_uint_eq(r[1].size, TEST_RAM1_SIZE);
	ck_assert_int_eq(hal_mem_ranges(r, 1, &n), -ENOSPC);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(hal_mem_ranges(NULL, 1, &n), -EINVAL);
	ck_assert_int_eq(hal_mem_ranges(r, 1, NULL), -EINVAL);
}
END_TEST

START_TEST(test_phys_virt_round_trip_in_both_ranges)
{
	const paddr_t samples[] = {
		{ TEST_RAM0_BASE }, { TEST_RAM0_BASE + 0x1234 }, { TEST_RAM0_BASE + TEST_RAM0_SIZE - 1 },
		{ TEST_RAM1_BASE }, { TEST_RAM1_BASE + 0x7777 }, { TEST_RAM1_BASE + TEST_RAM1_SIZE - 1 },
	};

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		void *va;
		paddr_t back;
		ck_assert_int_eq(hal_phys_to_virt(samples[i], 1, &va), 0);
		ck_assert_int_eq(hal_virt_to_phys(va, &back), 0);
		ck_assert_uint_eq(pa_bits(back), pa_bits(samples[i]));
		*(volatile char *)va = 'x'; /* really RAM: ASan would object otherwise */
	}
	void *a, *b;
	ck_assert_int_eq(hal_phys_to_virt(pa_make(TEST_RAM0_BASE), 1, &a), 0);
	ck_assert_int_eq(hal_phys_to_virt(pa_make(TEST_RAM1_BASE), 1, &b), 0);
	ck_assert_ptr_ne(a, b);
}
END_TEST

START_TEST(test_foreign_addresses_are_rejected)
{
	void *va = (void *)0x1;
	paddr_t pa;
	int local;

	ck_assert_int_eq(hal_phys_to_virt(pa_make(0), 1, &va), -EFAULT);
	ck_assert_int_eq(hal_phys_to_virt(pa_make(TEST_RAM0_BASE - 1), 1, &va), -EFAULT);
	ck_assert_int_eq(hal_phys_to_virt(pa_make(TEST_RAM0_BASE + TEST_RAM0_SIZE), 1, &va),
			 -EFAULT);
	/* A range that starts inside RAM but runs past its end, or across the hole. */
	ck_assert_int_eq(hal_phys_to_virt(pa_make(TEST_RAM0_BASE + TEST_RAM0_SIZE - 8), 16, &va),
			 -EFAULT);
	ck_assert_int_eq(hal_phys_to_virt(pa_make(TEST_RAM0_BASE),
					  TEST_RAM1_BASE - TEST_RAM0_BASE + 1, &va), -EFAULT);
	ck_assert_int_eq(hal_phys_to_virt(pa_make(~0ull), 2, &va), -EFAULT);
	ck_assert_ptr_eq(va, (void *)0x1); /* untouched on error */
	ck_assert_int_eq(hal_phys_to_virt(pa_make(TEST_RAM0_BASE), 0, &va), -EINVAL);
	ck_assert_int_eq(hal_phys_to_virt(pa_make(TEST_RAM0_BASE), 1, NULL), -EINVAL);
	ck_assert_int_eq(hal_virt_to_phys(&local, &pa), -EFAULT);
	ck_assert_int_eq(hal_virt_to_phys(&pa, &pa), -EFAULT);
	ck_assert_int_eq(hal_virt_to_phys(NULL, &pa), -EINVAL);
	ck_assert_int_eq(hal_virt_to_phys(&local, NULL), -EINVAL);
}
END_TEST

START_TEST(test_bad_machine_configs_are_refused)
{
	struct hal_sim_config cfg = { .pcpus = 2, .nranges = 1, .ranges = { { { 0x40000000 }, 1 << 20 } } };

	ck_assert_int_eq(hal_sim_init(&cfg), -EBUSY); /* one machine at a time */
	test_machine_down();
	struct hal_sim_config bad = cfg;
	bad.ranges[0].base = pa_make(0);
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	bad = cfg;
	bad.ranges[0].base = pa_make(0x40000800);
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	bad = cfg;
	bad.ranges[0].size = 0;
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	bad = cfg;
	bad.nranges = 2;
	bad.ranges[1] = (struct hal_mem_range){ { 0x40080000 }, 1 << 20 }; /* overlaps */
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	bad.ranges[1] = (struct hal_mem_range){ { 0x30000000 }, 1 << 20 }; /* unordered */
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	bad = cfg;
	bad.ranges[0] = (struct hal_mem_range){ { 0xFFFFFFFFFFF00000ull }, 2 << 20 }; /* wraps */
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	bad = cfg;
	bad.pcpus = HAL_MAX_PCPUS + 1;
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	bad = cfg;
	bad.nranges = HAL_MAX_MEM_RANGES + 1;
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	bad = cfg;
	bad.counter_hz = HAL_SIM_MAX_COUNTER_HZ + 1ull; /* faster than the clock it counts */
	ck_assert_int_eq(hal_sim_init(&bad), -EINVAL);
	ck_assert_int_eq(hal_sim_init(&cfg), 0);
	ck_assert_uint_eq(hal_pcpu_count(), 2);
}
END_TEST

static atomic_uint seen_ids;
static void record_identity(void *arg)
{
	int *slots = arg;
	unsigned id = hal_pcpu_id();

	ck_assert_ptr_null(hal_percpu_get());
	hal_percpu_set(&slots[id]);
	sched_yield();
	ck_assert_ptr_eq(hal_percpu_get(), &slots[id]);
	atomic_fetch_or(&seen_ids, 1u << id);
}

START_TEST(test_each_pcpu_has_its_own_id_and_data)
{
	int slots[8];

	test_on_pcpus(8, record_identity, slots);
	ck_assert_uint_eq(atomic_load(&seen_ids), 0xFF);
}
END_TEST

static atomic_int gate;
static void wait_for_gate(void *arg)
{
	(void)arg;
	while (!atomic_load(&gate))
		hal_cpu_relax();
}

START_TEST(test_pcpu_start_checks_its_arguments)
{
	ck_assert_int_eq(hal_pcpu_start(8, wait_for_gate, NULL), -EINVAL);
	ck_assert_int_eq(hal_pcpu_start(1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(hal_pcpu_start(0, wait_for_gate, NULL), -EBUSY);
	ck_assert_int_eq(hal_sim_join(1), -ENOENT);
	ck_assert_int_eq(hal_sim_join(0), -EINVAL);
	ck_assert_int_eq(hal_pcpu_start(1, wait_for_gate, NULL), 0);
	ck_assert_int_eq(hal_pcpu_start(1, wait_for_gate, NULL), -EBUSY);
	atomic_store(&gate, 1);
	ck_assert_int_eq(hal_sim_join(1), 0);
	/* An offline pCPU can be started again. */
	ck_assert_int_eq(hal_pcpu_start(1, wait_for_gate, NULL), 0);
	ck_assert_int_eq(hal_sim_join(1), 0);
}
END_TEST

/* Every pCPU sends every other one IPI whose number is its own id, so nothing
 * coalesces and each (sender, receiver) pair must be seen exactly once. */
static atomic_uint received[8][HAL_IPI_COUNT];
static pthread_barrier_t all_enabled;

static void count_ipi(unsigned irq, void *arg)
{
	(void)arg;
	atomic_fetch_add(&received[hal_pcpu_id()][irq], 1);
}

static unsigned total_received(unsigned cpu)
{
	unsigned n = 0;

	for (unsigned i = 0; i < HAL_IPI_COUNT; i++)
		n += atomic_load(&received[cpu][i]);
	return n;
}

static void ipi_all_to_all(void *arg)
{
	unsigned n = *(unsigned *)arg, me = hal_pcpu_id(), irq;

	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(hal_irq_enable(i), 0);
	pthread_barrier_wait(&all_enabled);
	for (unsigned to = 0; to < n; to++)
		if (to != me)
			ck_assert_int_eq(hal_ipi_send(to, me), 0);
	while (total_received(me) < n - 1) {
		hal_cpu_idle();
		while (hal_irq_fetch(&irq) == 0)
			ck_assert_int_eq(hal_irq_dispatch(irq), 0);
	}
}

START_TEST(test_ipi_from_every_pcpu_to_every_other_arrives_once)
{
	unsigned n = 8;

	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(hal_irq_register(i, count_ipi, NULL), 0);
	pthread_barrier_init(&all_enabled, NULL, n);
	test_on_pcpus(n, ipi_all_to_all, &n);
	pthread_barrier_destroy(&all_enabled);
	for (unsigned to = 0; to < n; to++)
		for (unsigned from = 0; from < n; from++)
			ck_assert_uint_eq(atomic_load(&received[to][from]), from == to ? 0 : 1);
}
END_TEST

START_TEST(test_irq_priority_enable_and_pending)
{
	unsigned irq;

	ck_assert_int_eq(hal_sim_raise_irq(0, 50), 0);
	ck_assert_int_eq(hal_sim_raise_irq(0, 40), 0);
	ck_assert_int_eq(hal_irq_fetch(&irq), -ENOENT); /* both disabled, both stay pending */
	ck_assert_int_eq(hal_irq_enable(50), 0);
	ck_assert_int_eq(hal_irq_enable(40), 0);
	hal_cpu_idle(); /* returns at once: something is deliverable */
	ck_assert_int_eq(hal_irq_fetch(&irq), 0);
	ck_assert_uint_eq(irq, 40); /* lower number first */
	ck_assert_int_eq(hal_irq_fetch(&irq), 0);
	ck_assert_uint_eq(irq, 50);
	ck_assert_int_eq(hal_irq_fetch(&irq), -ENOENT);
	/* A private IRQ enabled on pCPU 0 is not enabled on pCPU 1. */
	ck_assert_int_eq(hal_irq_enable(3), 0);
	ck_assert_int_eq(hal_ipi_send(0, 3), 0);
	ck_assert_int_eq(hal_ipi_send(0, 3), 0); /* coalesces, as on the GIC */
	ck_assert_int_eq(hal_irq_fetch(&irq), 0);
	ck_assert_uint_eq(irq, 3);
	ck_assert_int_eq(hal_irq_fetch(&irq), -ENOENT);
	ck_assert_int_eq(hal_irq_disable(40), 0);
	ck_assert_int_eq(hal_sim_raise_irq(0, 40), 0);
	ck_assert_int_eq(hal_irq_fetch(&irq), -ENOENT);
}
END_TEST

static atomic_uint handler_calls;
static void note_call(unsigned irq, void *arg)
{
	ck_assert_uint_eq(irq, 77);
	ck_assert_ptr_eq(arg, &handler_calls);
	atomic_fetch_add(&handler_calls, 1);
}

START_TEST(test_irq_handlers_register_and_dispatch)
{
	ck_assert_int_eq(hal_irq_register(77, note_call, &handler_calls), 0);
	ck_assert_int_eq(hal_irq_register(77, note_call, NULL), -EBUSY);
	ck_assert_int_eq(hal_irq_dispatch(77), 0);
	ck_assert_uint_eq(atomic_load(&handler_calls), 1);
	ck_assert_int_eq(hal_irq_unregister(77), 0);
	ck_assert_int_eq(hal_irq_unregister(77), -ENOENT);
	ck_assert_int_eq(hal_irq_dispatch(77), -ENOENT);
	ck_assert_uint_eq(atomic_load(&handler_calls), 1);
}
END_TEST

START_TEST(test_bad_irq_and_ipi_arguments_get_error_codes)
{
	ck_assert_int_eq(hal_irq_register(HAL_IRQ_COUNT, note_call, NULL), -EINVAL);
	ck_assert_int_eq(hal_irq_register(5, NULL, NULL), -EINVAL);
	ck_assert_int_eq(hal_irq_unregister(HAL_IRQ_COUNT), -EINVAL);
	ck_assert_int_eq(hal_irq_enable(HAL_IRQ_COUNT), -EINVAL);
	ck_assert_int_eq(hal_irq_disable(~0u), -EINVAL);
	ck_assert_int_eq(hal_irq_fetch(NULL), -EINVAL);
	ck_assert_int_eq(hal_irq_dispatch(HAL_IRQ_COUNT), -EINVAL);
	ck_assert_int_eq(hal_ipi_send(8, 0), -EINVAL);
	ck_assert_int_eq(hal_ipi_send(0, HAL_IPI_COUNT), -EINVAL);
	ck_assert_int_eq(hal_sim_raise_irq(8, 40), -EINVAL);
	ck_assert_int_eq(hal_sim_raise_irq(0, HAL_IRQ_COUNT), -EINVAL);
	ck_assert_int_eq(hal_console_getc(NULL), -EINVAL);
}
END_TEST

START_TEST(test_one_shot_timer_raises_its_irq_after_the_deadline)
{
	unsigned irq;
	uint64_t deadline = hal_now_ns() + 2000000;

	ck_assert_int_eq(hal_irq_enable(hal_timer_irq()), 0);
	hal_timer_arm(deadline);
	hal_cpu_idle();
	ck_assert_uint_ge(hal_now_ns(), deadline);
	ck_assert_int_eq(hal_irq_fetch(&irq), 0);
	ck_assert_uint_eq(irq, hal_timer_irq());
	ck_assert_int_eq(hal_irq_fetch(&irq), -ENOENT); /* one-shot: it does not repeat */
	/* A past deadline fires at once; a disarmed timer never does. */
	hal_timer_arm(0);
	ck_assert_int_eq(hal_irq_fetch(&irq), 0);
	hal_timer_arm(hal_now_ns() + 1000);
	hal_timer_disarm();
	uint64_t until = hal_now_ns() + 3000000;
	while (hal_now_ns() < until)
		hal_cpu_relax();
	ck_assert_int_eq(hal_irq_fetch(&irq), -ENOENT);
}
END_TEST

/* pCPU i arms its timer; only pCPU i may see the timer IRQ. */
static atomic_uint timer_seen_on[8];
static void wait_own_timer(void *arg)
{
	(void)arg;
	unsigned irq, me = hal_pcpu_id();
	uint64_t deadline = hal_now_ns() + 1000000 * (me + 1);

	hal_irq_enable(hal_timer_irq());
	hal_timer_arm(deadline);
	hal_cpu_idle();
	ck_assert_int_eq(hal_irq_fetch(&irq), 0);
	ck_assert_uint_eq(irq, hal_timer_irq());
	ck_assert_uint_ge(hal_now_ns(), deadline);
	atomic_fetch_add(&timer_seen_on[me], 1);
}

START_TEST(test_each_pcpus_timer_fires_on_that_pcpu)
{
	test_on_pcpus(8, wait_own_timer, NULL);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(atomic_load(&timer_seen_on[i]), 1);
}
END_TEST

START_TEST(test_guest_entry_without_a_guest_says_enosys)
{
	char buf[4];

	ck_assert_int_eq(hal_guest_enter(NULL, NULL), -EINVAL);
	ck_assert_int_eq(hal_guest_enter((struct guest_ctx *)buf, (struct guest_exit *)buf),
			 -ENOSYS);
}
END_TEST

static int connect_loopback(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Read until n bytes came or a second passed: the transport never waits itself. */
static long read_some(char *buf, size_t n)
{
	size_t got = 0;
	uint64_t deadline = hal_now_ns() + 1000000000ull;

	while (got < n && hal_now_ns() < deadline) {
		long r = hal_debug_read(buf + got, n - got);
		if (r < 0)
			return r;
		got += (size_t)r;
	}
	return (long)got;
}

START_TEST(test_debug_transport_is_a_loopback_tcp_port_that_never_waits)
{
	unsigned port = 0;
	char buf[16];

	ck_assert_int_eq(hal_debug_listen(0, &port), 0);
	ck_assert_uint_ne(port, 0);
	ck_assert_int_eq(hal_debug_listen(0, NULL), -EBUSY);
	/* Nobody there: no wait, and nowhere to write. */
	ck_assert_int_eq(hal_debug_read(buf, sizeof(buf)), -ENOTCONN);
	ck_assert_int_eq(hal_debug_write("x", 1), -ENOTCONN);

	int fd = connect_loopback(port);
	ck_assert_int_eq(read_some(buf, 1), 0); /* connected, nothing sent: 0, at once */
	ck_assert_int_eq(send(fd, "$?#3f", 5, 0), 5);
	ck_assert_int_eq(read_some(buf, 5), 5);
	ck_assert_int_eq(memcmp(buf, "$?#3f", 5), 0);
	ck_assert_int_eq(hal_debug_write("+$OK#9a", 7), 0);
	ck_assert_int_eq(recv(fd, buf, 7, MSG_WAITALL), 7);
	ck_assert_int_eq(memcmp(buf, "+$OK#9a", 7), 0);

	/* The client goes: the next read says so, and a new one is accepted after. */
	close(fd);
	ck_assert_int_eq(read_some(buf, 1), -EPIPE);
	ck_assert_int_eq(hal_debug_read(buf, 1), -ENOTCONN);
	fd = connect_loopback(port);
	ck_assert_int_eq(read_some(buf, 1), 0);
	hal_debug_hangup(); /* dropped by us: the client sees the end */
	ck_assert_int_eq(recv(fd, buf, 1, 0), 0);
	close(fd);
	hal_debug_close();
	ck_assert_int_eq(hal_debug_read(buf, 1), -ENOTCONN);
	ck_assert_int_eq(hal_debug_listen(0, &port), 0); /* and listening again works */
	hal_debug_close();
}
END_TEST

/* A client that takes nothing: the write gives up within its bound and drops it. */
START_TEST(test_debug_write_gives_up_on_a_client_that_does_not_read)
{
	unsigned port = 0;
	static char big[1 << 20];
	char buf[1];

	ck_assert_int_eq(hal_debug_listen(0, &port), 0);
	int fd = connect_loopback(port);
	int small = 4096;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	ck_assert_int_eq(read_some(buf, 1), 0);
	uint64_t t0 = hal_now_ns();
	int err = 0;
	for (int i = 0; i < 64 && !err; i++)
		err = hal_debug_write(big, sizeof(big));
	ck_assert_int_eq(err, -EPIPE);
	ck_assert_uint_lt(hal_now_ns() - t0, 64 * HAL_DEBUG_WRITE_WAIT_NS);
	ck_assert_int_eq(hal_debug_write("x", 1), -ENOTCONN);
	close(fd);
	hal_debug_close();
}
END_TEST

START_TEST(test_time_is_monotonic)
{
	uint64_t prev = hal_now_ns();

	for (int i = 0; i < 10000; i++) {
		uint64_t now = hal_now_ns();
		ck_assert_uint_ge(now, prev);
		prev = now;
	}
}
END_TEST

/* floor(ns * hz / 10^9), the counter sim.h promises, in 128-bit arithmetic. */
static uint64_t counter_at(uint64_t ns, uint64_t hz)
{
	return (uint64_t)((unsigned __int128)ns * hz / 1000000000u);
}

static const uint64_t counter_freqs[] = { 62500000, 24000000, 19200000, 1000000000, 1 };

START_TEST(test_counter_ticks_at_the_configured_frequency)
{
	uint64_t hz = counter_freqs[_i];
	struct hal_sim_config cfg = { .pcpus = 1, .counter_hz = hz };

	test_machine_down();
	ck_assert_int_eq(hal_sim_init(&cfg), 0);
	ck_assert_uint_eq(hal_counter_hz(), hz);
	uint64_t prev = 0, first = hal_counter(), start = hal_now_ns();
	while (hal_now_ns() - start < 20000000) { /* 20 ms of readings */
		uint64_t before = hal_now_ns(), c = hal_counter(), after = hal_now_ns();
		ck_assert_uint_ge(c, counter_at(before, hz));
		ck_assert_uint_le(c, counter_at(after, hz));
		ck_assert_uint_ge(c, prev);
		prev = c;
	}
	/* At least 20 ms later: at least hz / 50 ticks on, but for the one in progress. */
	ck_assert_uint_ge(hal_counter() - first + 1, hz / 50);
}
END_TEST

START_TEST(test_counter_counts_nanoseconds_by_default)
{
	ck_assert_uint_eq(hal_counter_hz(), 1000000000u);
	uint64_t before = hal_now_ns(), c = hal_counter(), after = hal_now_ns();
	ck_assert_uint_ge(c, before);
	ck_assert_uint_le(c, after);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hal_sim");
	TCase *tc = tcase_create("hal_sim");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ranges_are_reported_as_configured);
	tcase_add_test(tc, test_phys_virt_round_trip_in_both_ranges);
	tcase_add_test(tc, test_foreign_addresses_are_rejected);
	tcase_add_test(tc, test_bad_machine_configs_are_refused);
	tcase_add_test(tc, test_each_pcpu_has_its_own_id_and_data);
	tcase_add_test(tc, test_pcpu_start_checks_its_arguments);
	tcase_add_test(tc, test_ipi_from_every_pcpu_to_every_other_arrives_once);
	tcase_add_test(tc, test_irq_priority_enable_and_pending);
	tcase_add_test(tc, test_irq_handlers_register_and_dispatch);
	tcase_add_test(tc, test_bad_irq_and_ipi_arguments_get_error_codes);
	tcase_add_test(tc, test_one_shot_timer_raises_its_irq_after_the_deadline);
	tcase_add_test(tc, test_each_pcpus_timer_fires_on_that_pcpu);
	tcase_add_test(tc, test_guest_entry_without_a_guest_says_enosys);
	tcase_add_test(tc, test_debug_transport_is_a_loopback_tcp_port_that_never_waits);
	tcase_add_test(tc, test_debug_write_gives_up_on_a_client_that_does_not_read);
	tcase_add_test(tc, test_time_is_monotonic);
	tcase_add_loop_test(tc, test_counter_ticks_at_the_configured_frequency, 0,
			    (int)(sizeof(counter_freqs) / sizeof(counter_freqs[0])));
	tcase_add_test(tc, test_counter_counts_nanoseconds_by_default);
	suite_add_tcase(s, tc);
	return s;
}
