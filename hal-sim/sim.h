/* The simulation host: what a program (hvsim, a test, a fuzzer, a benchmark) calls to
 * become a machine before it uses the hal/ contract. The calling thread becomes pCPU
 * 0; hal_pcpu_start creates one thread per further pCPU. Not part of hal/: nothing
 * in core/ or arch/ may call these. */
#ifndef HAL_SIM_H
#define HAL_SIM_H

#include <stdbool.h>

#include "hal/mm.h"

#define HAL_SIM_DEFAULT_BASE 0x80000000ull
#define HAL_SIM_DEFAULT_SIZE (64ull << 20)
#define HAL_SIM_DEFAULT_PCPUS 4u

#define HAL_SIM_DEFAULT_PA_BITS 44u /* QEMU's cortex-a72 */

struct hal_sim_config {
	unsigned pcpus; /* 1 .. HAL_MAX_PCPUS; 0 means the default */
	unsigned pa_bits; /* physical-address size the CPUs report; 0 means the default */
	size_t nranges; /* 0 means one default range */
	struct hal_mem_range ranges[HAL_MAX_MEM_RANGES];
};

/* Build the machine: map each RAM range as its own arena, set up the pCPUs, make the
 * caller pCPU 0. NULL takes the defaults. -EBUSY if a machine exists, -EINVAL for a
 * bad config (unaligned, zero-sized, overlapping or unordered ranges, physical base
 * 0, too many pCPUs), -ENOMEM if the host cannot map the memory. */
int hal_sim_init(const struct hal_sim_config *cfg);

/* Wait until pCPU cpu's entry has returned. -EINVAL for a bad id or pCPU 0, -ENOENT
 * if it was never started. */
int hal_sim_join(unsigned cpu);

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

/* The guest function installed now and its argument (to wrap it). */
hal_sim_guest_fn hal_sim_get_guest(void **arg);

/* Called from hal_guest_unload, on the pCPU a vCPU is leaving (core's vcpu_unbind,
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

/* How many times hal_guest_tlb_flush was called, and with which stage-2 root last. */
uint64_t hal_sim_tlb_flushes(uint64_t *last_s2root);

#endif
