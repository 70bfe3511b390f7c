/* Internal to the guest engine (engine.c, engine_cpuif.c). */
#ifndef HAL_SIM_ENGINE_INTERNAL_H
#define HAL_SIM_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/aarch64/a64.h"

struct guest_ctx;

/* The generic timer the engine's guests see: the HAL's system counter. */
uint64_t engine_counter(void);

/* The virtual CPU interface: the LR a read of ICC_IAR1_EL1 would acknowledge, or -1;
 * that read (pending -> active; the INTID, or 1023); ICC_EOIR1_EL1 / ICC_DIR_EL1 on
 * intid; whether the underflow maintenance interrupt is due (ICH_HCR_EL2.UIE). */
int engine_highest_pending_lr(const struct guest_ctx *c);
uint64_t engine_icc_iar1(struct guest_ctx *c);
void engine_icc_deactivate(struct guest_ctx *c, uint64_t intid);
/* Which maintenance interrupt the virtual interface asserts now: 0 (none), or the
 * first of EOI and underflow. */
#define ENGINE_MAINTENANCE_EOI 1
#define ENGINE_MAINTENANCE_UNDERFLOW 2
int engine_maintenance_due(const struct guest_ctx *c);

/* A system register the hardware gives the guest without a trap (the GIC CPU
 * interface, the virtual timer): 0 and the access done, or -1 if s is none of them. */
int engine_untrapped_sysreg(struct guest_ctx *c, const struct a64_sysreg *s, bool read,
			    uint64_t *value);

#endif
