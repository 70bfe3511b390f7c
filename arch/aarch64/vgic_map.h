/* The virtual GICv3 as a guest finds it (QEMU virt's map) and its interrupt numbers:
 * data only, so that tools (the scenario parser) and tests of every build can name
 * them without the vGIC's state. */
#ifndef ARCH_AARCH64_VGIC_MAP_H
#define ARCH_AARCH64_VGIC_MAP_H

#include <stdint.h>

#include "arch/aarch64/gicv3.h"

#define VGIC_DIST_BASE 0x08000000ull
#define VGIC_DIST_SIZE 0x10000ull
#define VGIC_REDIST_BASE 0x080A0000ull
#define VGIC_REDIST_STRIDE ((uint64_t)GICR_FRAME_STRIDE) /* RD_base, then SGI_base */
#define VGIC_SGI_FRAME ((uint64_t)GICR_SGI_FRAME)

#define VGIC_NR_SGIS GIC_NR_SGIS
#define VGIC_NR_PRIVATE GIC_NR_PRIVATE /* SGIs 0-15, PPIs 16-31: one set per vCPU */
#define VGIC_NR_SPIS 96    /* SPIs 32-127: GICD_TYPER.ITLinesNumber = 3 */
#define VGIC_NR_IRQS (VGIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_MAX_VCPUS 16
#define VGIC_NR_LRS GICV3_NR_LRS
#define VGIC_LR_FREE 0xFFFFu

#define VGIC_PPI_MAINTENANCE 25
#define VGIC_PPI_VTIMER 27
#define VGIC_PPI_PTIMER 30

#endif
