/* Helpers shared by the test programs: a simulation-host machine per test, and
 * running one function on several pCPUs at once. */
#ifndef TESTS_TESTLIB_H
#define TESTS_TESTLIB_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/types.h"
#include "tests/guest_cpu.h"

/* Two RAM ranges with a hole between them, so range edges are always exercised. */
#define TEST_RAM0_BASE 0x80000000ull
#define TEST_RAM0_SIZE (8ull << 20)
#define TEST_RAM1_BASE 0xC0000000ull
#define TEST_RAM1_SIZE (8ull << 20)

/* Build a machine with pcpus pCPUs and the two test ranges; core's frame allocator and
 * per-CPU data are initialised when core is true. Fails the test on any error. */
void test_machine_up(unsigned pcpus, bool core);
void test_machine_down(void);

/* ---- What reached stdout (the host console) ------------------------------------- */

/* An unnamed scratch file, read back with test_read_fd. */
int test_scratch_fd(void);

/* All of fd from its start into buf as a string (at most size - 1 bytes); its length. */
size_t test_read_fd(int fd, char *buf, size_t size);

/* stdout goes to a scratch file until test_capture_end, which gives back everything
 * written since, once the host console has written all it had queued. */
void test_capture_begin(void);
size_t test_capture_end(char *buf, size_t size);

/* Run fn(arg) on pCPUs 0 .. n-1 at once (pCPU 0 is the calling thread) and wait for
 * all of them to return. */
void test_on_pcpus(unsigned n, void (*fn)(void *arg), void *arg);

struct vm;
struct guest_ctx;
struct guest_exit;

/* ---- Running VMs on worker pCPUs (the scheduler tests) ----------------------------- */

/* The vCPU whose context ctx is (inside a scripted guest function). */
#define TEST_VCPU_OF(ctx) ((struct vcpu *)((char *)(ctx) - offsetof(struct vcpu, arch.ctx)))
#define TEST_RAM 0x40000000ull

/* pCPUs from .. to run the scheduler until test_workers_stop; stopping joins them. */
void test_workers_start(unsigned from, unsigned to);
void test_workers_stop(unsigned from, unsigned to);

/* A VM of nvcpus vCPUs with the given pCPU masks and 64 KiB of RAM at TEST_RAM. */
struct vm *test_make_vm(const char *name, unsigned nvcpus, const uint64_t *affinity);

/* A scripted aarch64 guest's traps (testlib_aarch64.c): HVC #0 with X0-X2 (X3 zero), and WFI. */
void test_trap_hvc(struct guest_ctx *ctx, struct guest_exit *exit, uint64_t fid, uint64_t a1,
		   uint64_t a2);
void test_trap_wfi(struct guest_exit *exit);

/* What a guest does to receive interrupt intid on vCPU vcpu, through the VM's virtual
 * GIC registers (MMIO, as a guest would): the distributor's Group 1 enable, the
 * interrupt's enable and priority. Fails the test on any error. */
void test_gic_enable(struct vm *vm, unsigned vcpu, unsigned intid, unsigned priority);


#endif
