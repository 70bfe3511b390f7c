/* Entering guests (hal/guest.h) is the next stage of riscv64 on bare metal: the world
 * switch to VS-mode (hstatus, hgatp, the guest's VS CSRs; sscratch and the first
 * fields of struct bm_cpu are kept for it). Until then the image runs no VM, and these
 * answer so that core links and refuses to run a guest. */
#include <stdbool.h>
#include <stdint.h>

#include "hal/err.h"
#include "hal/guest.h"

void hal_guest_load(struct guest_ctx *ctx)
{
	(void)ctx;
}

void hal_guest_put(struct guest_ctx *ctx)
{
	(void)ctx;
}

uint64_t hal_guest_sysreg_read(const struct guest_ctx *ctx, unsigned slot)
{
	(void)ctx;
	(void)slot;
	return 0;
}

void hal_guest_sysreg_write(struct guest_ctx *ctx, unsigned slot, uint64_t value)
{
	(void)ctx;
	(void)slot;
	(void)value;
}

void hal_guest_irq_load(struct guest_ctx *ctx)
{
	(void)ctx;
}

void hal_guest_irq_save(struct guest_ctx *ctx)
{
	(void)ctx;
}

/* The next step: the world switch into VS-mode. */
int hal_guest_enter(struct guest_ctx *ctx, struct guest_exit *exit)
{
	if (!ctx || !exit)
		return -EINVAL;
	return -ENOSYS;
}

void hal_guest_set_early(hal_guest_early_fn fn)
{
	(void)fn;
}

int hal_guest_translate(gva_t va, gpa_t *gpa)
{
	(void)va;
	(void)gpa;
	return -ENOSYS;
}

int hal_guest_fetch_insn(gva_t pc, uint32_t *insn)
{
	(void)pc;
	(void)insn;
	return -ENOSYS;
}

void hal_guest_tlb_flush(uint64_t s2root)
{
	(void)s2root;
}

void hal_guest_tlb_flush_vs(uint64_t s2root, uint16_t asid, bool all_asids, gva_t va,
			    uint64_t size)
{
	(void)s2root;
	(void)asid;
	(void)all_asids;
	(void)va;
	(void)size;
}

bool hal_guest_vtimer_live(void)
{
	return false;
}
