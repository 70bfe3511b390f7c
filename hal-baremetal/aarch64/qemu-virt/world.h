/* Offsets the world-switch assembly (world.S) uses: struct bm_cpu and struct
 * guest_ctx, checked against the C layout by static assertions in guest.c. */
#ifndef HAL_BM_QEMU_VIRT_WORLD_H
#define HAL_BM_QEMU_VIRT_WORLD_H

#define BM_CPU_GUEST 0     /* struct bm_cpu: the context of the guest on this pCPU */
#define BM_CPU_EXIT 80     /* struct bm_cpu: where hal_guest_enter wants the exit */

#define EXIT_TYPE 0        /* struct guest_exit */
#define EXIT_ESR 8
#define EXIT_FAR 16
#define EXIT_HPFAR 24

#define ESR_EC_SHIFT_ID 26 /* ESR_EL2.EC: bits 31:26 */
#define EC_FP_ID 0x07      /* FP/SIMD access trapped by CPTR_EL2.TFP */
#define EC_DABT_LOW_ID 0x24 /* a data abort from a lower EL */

#define HAL_EARLY_ANSWERED_ID 1 /* enum hal_early */

#define CTX_X 0            /* struct guest_ctx: X0-X30 */
#define CTX_PC 248
#define CTX_PSTATE 256
#define CTX_FP 480         /* V0-V31, then FPCR and FPSR (32 bits each) */
#define CTX_FPCR (CTX_FP + 512)

#define TRAP_SYNC_ID 0     /* enum trap_type */
#define TRAP_IRQ_ID 1
#define TRAP_FIQ_ID 2
#define TRAP_SERROR_ID 3

#endif
