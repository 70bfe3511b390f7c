/* The riscv64 side of the simulation host's guest entry: a host interrupt's exit (an
 * HS-level interrupt taken while V=1: scause's interrupt bit with the supervisor
 * external cause, as a PLIC-delivered host interrupt arrives on hardware), the CSR
 * slots of a context (always the truth: the engine runs the guest on the context
 * itself). The engine's TLB behind the fences and the instruction fetch are
 * rv_engine*.c's. */
#include <stddef.h>

#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "hal-sim/internal.h"
#include "hal/err.h"
#include "hal/guest.h"

void sim_irq_exit(struct guest_exit *exit)
{
	*exit = (struct guest_exit){ .scause = SCAUSE_INTERRUPT | IRQ_S_EXT };
}

uint64_t hal_guest_sysreg_read(const struct guest_ctx *ctx, unsigned slot)
{
	return ctx && slot < RV_CSR_SLOT_COUNT ? ctx->csr[slot] : 0;
}

void hal_guest_sysreg_write(struct guest_ctx *ctx, unsigned slot, uint64_t value)
{
	if (ctx && slot < RV_CSR_SLOT_COUNT)
		ctx->csr[slot] = value;
}
