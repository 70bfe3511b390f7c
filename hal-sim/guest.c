/* hal_guest_enter in the simulation host: the installed guest function plays the guest.
 * Before each step the pCPU's interrupt "wire" is checked, because on hardware a host
 * interrupt taken while the guest runs (HCR_EL2.IMO) ends the entry with an IRQ exit:
 * that is how the scheduler's slice timer and IPI kicks reach a running vCPU. */
#include <stdatomic.h>
#include <stddef.h>

#include "hal-sim/internal.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "hal/guest.h"

static _Atomic(hal_sim_guest_fn) guest_fn;
static void *_Atomic guest_arg;
static _Atomic uint64_t tlb_flushes;
static _Atomic uint64_t last_flushed;
static atomic_bool vtimer_live;
static _Atomic(hal_sim_unload_fn) unload_hook;
static _Atomic(hal_guest_early_fn) early_fn;
static void *_Atomic unload_arg;

void hal_sim_set_guest(hal_sim_guest_fn fn, void *arg)
{
	atomic_store(&guest_arg, arg);
	atomic_store(&guest_fn, fn);
}

hal_sim_guest_fn hal_sim_get_guest(void **arg)
{
	if (arg)
		*arg = atomic_load(&guest_arg);
	return atomic_load(&guest_fn);
}

int hal_guest_enter(struct guest_ctx *ctx, struct guest_exit *exit)
{
	if (!ctx || !exit)
		return -EINVAL;
	hal_sim_guest_fn fn = atomic_load(&guest_fn);
	if (!fn)
		return -ENOSYS;
	for (;;) {
		if (sim_irq_deliverable()) {
			sim_irq_exit(exit);
			return 0;
		}
		if (!fn(ctx, exit, atomic_load(&guest_arg)))
			continue;
		hal_guest_early_fn early = atomic_load_explicit(&early_fn, memory_order_relaxed);
		if (!early || early(ctx, exit) == HAL_EARLY_NO)
			return 0;
	}
}

void hal_guest_set_early(hal_guest_early_fn fn)
{
	atomic_store(&early_fn, fn);
}

/* No translation instruction here: the engine's guests keep their stage-1 state in the
 * context, and core walks it in software (arch_vcpu_translate). */
int hal_guest_translate(gva_t va, gpa_t *gpa)
{
	(void)va;
	(void)gpa;
	return -ENOSYS;
}

/* The engine runs no timer: core's host timer raises the line, unless a test has the
 * host behave as bare metal does (hal_sim_set_vtimer_live). */
bool hal_guest_vtimer_live(void)
{
	return atomic_load(&vtimer_live);
}

void hal_sim_set_vtimer_live(bool live)
{
	atomic_store(&vtimer_live, live);
}

/* The flushes are counted so that tests can see that core asks for them where the
 * hardware needs them; the engine drops what its TLB holds (an engine without one,
 * aarch64's, walks the tables at every access). */
void hal_guest_tlb_flush(uint64_t s2root)
{
	atomic_store(&last_flushed, s2root);
	atomic_fetch_add(&tlb_flushes, 1);
	sim_engine_tlb_flush(s2root);
}

uint64_t hal_sim_tlb_flushes(uint64_t *last_s2root)
{
	if (last_s2root)
		*last_s2root = atomic_load(&last_flushed);
	return atomic_load(&tlb_flushes);
}

void hal_sim_set_unload_hook(hal_sim_unload_fn fn, void *arg)
{
	atomic_store(&unload_arg, arg);
	atomic_store(&unload_hook, fn);
}

/* The engine runs a guest on its context itself: the context is always the truth, and
 * loading and putting only mark the moments. The put hook lets a test hold this pCPU
 * at the moment its vCPU leaves. */
void hal_guest_load(struct guest_ctx *ctx)
{
	(void)ctx;
}

void hal_guest_put(struct guest_ctx *ctx)
{
	hal_sim_unload_fn fn = atomic_load(&unload_hook);

	if (ctx && fn)
		fn(atomic_load(&unload_arg));
}

void hal_guest_irq_load(struct guest_ctx *ctx)
{
	(void)ctx;
}

void hal_guest_irq_save(struct guest_ctx *ctx)
{
	(void)ctx;
}
