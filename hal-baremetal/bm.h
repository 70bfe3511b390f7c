/* The bare-metal HAL's interface to tools/tandem/main.c, for the ISA being built: each
 * ISA's board header declares the same bm_* functions and struct bm_board, plus
 * BM_PRIVILEGE (where Tandem runs, for the banner), BM_IRQCHIP and BM_BOARD_INC (the
 * part of main.c that reads that board's DTB). */
#ifndef HAL_BM_H
#define HAL_BM_H

#if defined(__riscv)
#include "hal-baremetal/riscv64/qemu-virt/bm.h"
#define BM_BOARD_INC "tools/tandem/board_riscv64.inc"
#else
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#define BM_BOARD_INC "tools/tandem/board.inc"
#endif

#ifndef BM_PRIVILEGE
#define BM_PRIVILEGE "EL2"
#endif
#ifndef BM_IRQCHIP
#define BM_IRQCHIP "GICv3"
#endif

#endif
