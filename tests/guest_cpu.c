/* The guest side of the GIC's virtual CPU interface for scripted guests (guest_cpu.h). */
#include "arch/aarch64/ctx.h"
#include "arch/aarch64/gicv3.h"
#include "tests/guest_cpu.h"

static unsigned lr_priority(uint64_t lr)
{
	return (unsigned)((lr >> ICH_LR_PRIORITY_SHIFT) & ICH_LR_PRIORITY_MASK);
}

int test_guest_take_irq(struct guest_ctx *ctx)
{
	int best = -1;

	if (!(ctx->ich_hcr & ICH_HCR_EN))
		return -1;
	for (unsigned i = 0; i < GICV3_NR_LRS; i++) {
		uint64_t lr = ctx->ich_lr[i];
		if ((lr & ICH_LR_STATE_MASK) != ICH_LR_PENDING)
			continue;
		if (best < 0 || lr_priority(lr) < lr_priority(ctx->ich_lr[best]))
			best = (int)i;
	}
	if (best < 0)
		return -1;
	ctx->ich_lr[best] &= ~ICH_LR_STATE_MASK; /* acknowledged and completed */
	return (int)(ctx->ich_lr[best] & ICH_LR_VINTID_MASK);
}
