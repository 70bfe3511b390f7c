/* Offsets shared by world.S and guest.c (checked there with _Static_assert): the fields
 * of struct bm_cpu (bm.h), struct guest_ctx and struct guest_exit (arch/riscv64/ctx.h)
 * the world switch reaches from assembly. */
#ifndef HAL_BM_RISCV64_WORLD_H
#define HAL_BM_RISCV64_WORLD_H

#define BM_CPU_GUEST 0   /* struct guest_ctx *: the context being run */
#define BM_CPU_EXIT 8    /* struct guest_exit *: where the exit goes */
#define BM_CPU_HOST_SP 16 /* the host's sp (its saved registers) across a guest's stay */
#define BM_CPU_SCRATCH 24 /* the guest's t0 while the exit path needs a register */

#define CTX_X 0          /* x0..x31 */
#define CTX_PC 256       /* sepc */
#define CTX_SSTATUS 264
#define CTX_FP 424       /* f0..f31 */
#define CTX_FCSR 680

#define EXIT_SCAUSE 0
#define EXIT_STVAL 8
#define EXIT_HTVAL 16
#define EXIT_HTINST 24
#define EXIT_HSTATUS 32

#define HAL_EARLY_NO_ID 0

#define HSTATUS_SPV_BIT 7

#endif
