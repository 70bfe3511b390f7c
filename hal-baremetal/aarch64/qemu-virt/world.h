/* Offsets the world-switch assembly (world.S) uses: struct bm_cpu and struct
 * guest_ctx, checked against the C layout by static assertions in guest.c. */
#ifndef HAL_BM_QEMU_VIRT_WORLD_H
#define HAL_BM_QEMU_VIRT_WORLD_H

#define BM_CPU_GUEST 0     /* struct bm_cpu: the context of the guest on this pCPU */

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
