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

#endif
