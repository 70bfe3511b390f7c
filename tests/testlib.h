/* Helpers shared by the test programs: a simulation-host machine per test, and
 * running one function on several pCPUs at once. */
#ifndef TESTS_TESTLIB_H
#define TESTS_TESTLIB_H

#include <check.h>

#include "hal/types.h"

/* Two RAM ranges with a hole between them, so range edges are always exercised. */
#define TEST_RAM0_BASE 0x80000000ull
#define TEST_RAM0_SIZE (8ull << 20)
#define TEST_RAM1_BASE 0xC0000000ull
#define TEST_RAM1_SIZE (8ull << 20)

/* Build a machine with pcpus pCPUs and the two test ranges; core's frame allocator and
 * per-CPU data are initialised when core is true. Fails the test on any error. */
void test_machine_up(unsigned pcpus, bool core);
void test_machine_down(void);

/* Run fn(arg) on pCPUs 0 .. n-1 at once (pCPU 0 is the calling thread) and wait for
 * all of them to return. */
void test_on_pcpus(unsigned n, void (*fn)(void *arg), void *arg);

struct vm;
struct guest_ctx;

/* What a guest does to receive interrupt intid on vCPU vcpu, through the VM's virtual
 * GIC registers (MMIO, as a guest would): the distributor's Group 1 enable, the
 * interrupt's enable and priority. Fails the test on any error. */
void test_gic_enable(struct vm *vm, unsigned vcpu, unsigned intid, unsigned priority);

/* A scripted guest taking an interrupt the hardware way: acknowledge the most urgent
 * pending list register (ICC_IAR1_EL1) and complete it (ICC_EOIR1_EL1). Its INTID, or
 * -1 if no list register is pending (ICH_HCR_EL2.En clear counts as none). */
int test_guest_take_irq(struct guest_ctx *ctx);

#endif
