/* Internal to the guest engine (engine.c, engine_cpuif.c). */
#ifndef HAL_SIM_ENGINE_INTERNAL_H
#define HAL_SIM_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/aarch64/a64.h"
#include "hal/addr.h"

struct action;
struct guest_ctx;

/* The accesses of engine_s2_walk (PT_R, PT_W, PT_X). */
#define ACC_R 1u
#define ACC_W 2u
#define ACC_X 4u

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

/* The program in guest memory (engine_fetch.c). The A64 word action a stands for; whether
 * a word is a BRK. */
uint32_t engine_action_word(const struct action *a);
bool engine_is_brk(uint32_t word);
/* The loader, at a program's fresh entry at c->pc: the words of its n actions (and of
 * its final WFI, if it has no END) at c->pc + 4 i, wherever the stage-2 tables of c map
 * them for a fetch; words on pages not mapped yet, and BRKs, are left alone. */
void engine_place(const struct guest_ctx *c, const struct action *acts, unsigned n);
/* The word the PE fetches at pa (where the stage-2 walk put the PC), for an action
 * whose word is want: a BRK as found; otherwise want, written there first if another
 * word was there (lazy placement). */
uint32_t engine_fetch(paddr_t pa, uint32_t want);

#endif
