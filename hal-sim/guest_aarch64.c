/* The aarch64 side of the simulation host's guest entry: a host interrupt's exit (the
 * IRQ vector, HCR_EL2.IMO), the EL1 system registers of a context (always the truth:
 * the engine runs the guest on the context itself), and the TLB calls the aarch64
 * engine needs nothing from (it walks the tables at every access). */
#include <stddef.h>

#include "arch/aarch64/ctx.h"
#include "hal-sim/internal.h"
#include "hal/err.h"
#include "hal/guest.h"

void sim_irq_exit(struct guest_exit *exit)
{
	*exit = (struct guest_exit){ .type = TRAP_IRQ };
}

void sim_engine_tlb_flush(uint64_t s2root)
{
	(void)s2root;
}

/* aarch64 guests' TLBIs are broadcast by the hardware (hal/guest.h). */
void hal_guest_tlb_flush_vs(uint64_t s2root, uint16_t asid, bool all_asids, gva_t va,
			    uint64_t size)
{
	(void)s2root, (void)asid, (void)all_asids, (void)va, (void)size;
}

int hal_guest_fetch_insn(gva_t pc, uint32_t *insn)
{
	(void)pc, (void)insn;
	return -ENOSYS;
}

uint64_t hal_guest_sysreg_read(const struct guest_ctx *ctx, unsigned slot)
{
	return ctx && slot < EL1_SYSREG_COUNT ? ctx->el1[slot] : 0;
}

void hal_guest_sysreg_write(struct guest_ctx *ctx, unsigned slot, uint64_t value)
{
	if (ctx && slot < EL1_SYSREG_COUNT)
		ctx->el1[slot] = value;
}
