/* The simulation host: what a program (hvsim, a test, a fuzzer, a benchmark) calls to
 * become a machine before it uses the hal/ contract. The calling thread becomes pCPU
 * 0; hal_pcpu_start creates one thread per further pCPU. Not part of hal/: nothing
 * in core/ or arch/ may call these. */
#ifndef HAL_SIM_H
#define HAL_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/mm.h"

#define HAL_SIM_DEFAULT_BASE 0x80000000ull
#define HAL_SIM_DEFAULT_SIZE (64ull << 20)
#define HAL_SIM_DEFAULT_PCPUS 4u

#define HAL_SIM_DEFAULT_PA_BITS 44u /* QEMU's cortex-a72 */

/* The system counter (hal_counter) ticks at counter_hz, derived from the monotonic
 * clock as floor(hal_now_ns() * counter_hz / 10^9): it reaches a value c at the first
 * nanosecond >= c * 10^9 / counter_hz. 1 GHz (the default) counts nanoseconds, as
 * Armv8.6 requires; 62.5 MHz is QEMU's virt board, 24 and 19.2 MHz common SoCs. A
 * counter cannot tick faster than the clock it is derived from. */
#define HAL_SIM_DEFAULT_COUNTER_HZ 1000000000u
#define HAL_SIM_MAX_COUNTER_HZ 1000000000u

struct hal_sim_config {
	unsigned pcpus; /* 1 .. HAL_MAX_PCPUS; 0 means the default */
	unsigned pa_bits; /* physical-address size the CPUs report; 0 means the default */
	uint64_t counter_hz; /* 1 .. HAL_SIM_MAX_COUNTER_HZ; 0 means the default */
	size_t nranges; /* 0 means one default range */
	struct hal_mem_range ranges[HAL_MAX_MEM_RANGES];
	bool populate; /* back all of RAM with host pages now (MAP_POPULATE, then every
			* page written), not on first touch: for benchmarks, whose figures
			* must not hold the host's page faults, which bare metal does not take */
};

/* Build the machine: map each RAM range as its own arena, set up the pCPUs, make the
 * caller pCPU 0. NULL takes the defaults. -EBUSY if a machine exists, -EINVAL for a
 * bad config (unaligned, zero-sized, overlapping or unordered ranges, physical base
 * 0, too many pCPUs, a counter faster than 1 GHz), -ENOMEM if the host cannot map the memory. */
int hal_sim_init(const struct hal_sim_config *cfg);

/* Wait until pCPU cpu's entry has returned. -EINVAL for a bad id or pCPU 0, -ENOENT
 * if it was never started. */
int hal_sim_join(unsigned cpu);

/* For single-threaded tests and fuzzers of per-pCPU state (the frame allocator's
 * caches): the calling thread reports cpu as its hal_pcpu_id from now on. It plays that
 * pCPU's part only where the id is all that is asked; -EINVAL for a bad id. */
int hal_sim_act_as_pcpu(unsigned cpu);

/* Join every started pCPU and unmap the memory; a no-op without a machine. */
void hal_sim_fini(void);

/* Make device IRQ irq pending on pCPU cpu, as a device wired to it would.
 * -EINVAL for a bad pCPU or IRQ number. */
int hal_sim_raise_irq(unsigned cpu, unsigned irq);

/* The guest side of hal_guest_enter: given the vCPU's context, run the guest until it
 * traps and describe the trap in *exit (return 1), or return 0 after running a while
 * without trapping (a spinning guest), so that pending host interrupts can end the
 * entry as they would on hardware. The guest engine installs one; tests install
 * scripted ones. NULL makes hal_guest_enter return -ENOSYS. */
struct guest_ctx;
struct guest_exit;
typedef int (*hal_sim_guest_fn)(struct guest_ctx *ctx, struct guest_exit *exit, void *arg);
void hal_sim_set_guest(hal_sim_guest_fn fn, void *arg);

/* Test hooks for the console's output (stdout, written by a thread of its own): as slow
 * as a serial line that takes ns_per_byte for every byte (0: as fast as stdout takes
 * them), or stopped altogether (a terminal nobody reads, a line held by flow control)
 * until resumed. hal_sim_init resets both. */
void hal_sim_console_set_speed(uint64_t ns_per_byte);
void hal_sim_console_pause(bool paused);

/* Make the console's output queue hold bytes, 512 .. 1 MiB (0: the default, 16 KiB),
 * of which guests' lines (hal_console_queue) may fill three quarters; only on a machine
 * and while the queue is empty. -EINVAL for a bad size, -EBUSY without a machine or
 * while output is queued, -ENOMEM. */
int hal_sim_console_set_queue(size_t bytes);

/* Every byte of console output goes to fn(arg, buf, len, queued) at once instead of
 * through the queue to stdout (what was queued before is written out first): queued
 * is true for hal_console_queue's lines, which fn may refuse with -EAGAIN as a full
 * queue would, false for hal_console_write's, which it must take. fn runs under the
 * console's lock and must not use the console. NULL puts stdout back; hal_sim_fini
 * does too. For tests and fuzzers that must see or refuse output exactly. */
typedef int (*hal_sim_console_sink_fn)(void *arg, const char *buf, size_t len, bool queued);
void hal_sim_console_sink(hal_sim_console_sink_fn fn, void *arg);

/* The guest function installed now and its argument (to wrap it). */
hal_sim_guest_fn hal_sim_get_guest(void **arg);

/* Called from hal_guest_put, on the pCPU a vCPU is leaving (core's vcpu_put,
 * before the vCPU lets go of the pCPU): a test can hold that pCPU there to force an
 * interleaving with the others. NULL removes it. */
typedef void (*hal_sim_unload_fn)(void *arg);
void hal_sim_set_unload_hook(hal_sim_unload_fn fn, void *arg);

/* Called by hal_cpu_idle on the idling pCPU before it waits (waking false) and once it
 * has an interrupt again (waking true): a test or fuzzer that serialises the pCPUs lets
 * the others run meanwhile. NULL removes it. */
typedef void (*hal_sim_idle_fn)(bool waking, void *arg);
void hal_sim_set_idle_hook(hal_sim_idle_fn fn, void *arg);

/* How many times hal_irq_deactivate / hal_irq_activate were called. */
uint64_t hal_sim_irq_deactivations(void);
uint64_t hal_sim_irq_activations(void);

/* Have hal_guest_vtimer_live say true, as on bare metal, so that tests reach core's
 * handling of a loaded timer that raises its own interrupt (no host timer while
 * loaded). The engine still raises none: a test drives the exits itself. */
void hal_sim_set_vtimer_live(bool live);

/* How many times hal_guest_tlb_flush was called, and with which stage-2 root last. */
uint64_t hal_sim_tlb_flushes(uint64_t *last_s2root);

/* Make the simulated CPU report value in the feature ID register at CRm crm, op2 op2
 * (1-7, 0-7) instead of the Cortex-A72's, as a richer CPU would (SVE, MTE, a PMU...), so
 * that tests can check what a guest is shown of it; until hal_sim_fini. */
void hal_sim_set_id_reg(unsigned crm, unsigned op2, uint64_t value);

#endif
