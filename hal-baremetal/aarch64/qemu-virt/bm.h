/* Shared by the bare-metal HAL files for aarch64 on QEMU's virt board. */
#ifndef HAL_BM_QEMU_VIRT_H
#define HAL_BM_QEMU_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/mm.h"

#define BM_MAX_PCPUS 8 /* boot.S has as many stacks */

#define sysreg_read(name)                                              \
	({                                                             \
		uint64_t v_;                                           \
		__asm__ volatile("mrs %0, " #name : "=r"(v_));        \
		v_;                                                    \
	})
#define sysreg_write(name, v) __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb_sy() __asm__ volatile("dsb sy" ::: "memory")
#define dsb_ish() __asm__ volatile("dsb ish" ::: "memory")

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)addr = v;
}

static inline uint64_t mmio_read64(uint64_t addr)
{
	return *(volatile uint64_t *)(uintptr_t)addr;
}

static inline void mmio_write64(uint64_t addr, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)addr = v;
}

/* What the DTB told us; filled once by the boot pCPU before any other starts. */
struct bm_board {
	uint64_t uart_base, uart_size; /* the console; size 0: none */
	uint64_t gicd_base, gicd_size, gicr_base, gicr_size;
	const void *dtb; /* checked by fdt_platform; stays where the loader put it */
	uint64_t dtb_size;
	uint64_t image_base, image_size;
	unsigned ncpus;
	uint64_t mpidr[BM_MAX_PCPUS];
	size_t nram;
	struct hal_mem_range ram[HAL_MAX_MEM_RANGES]; /* usable, for the frame allocator */
	const char *bootargs; /* /chosen/bootargs (QEMU -append), "" if none */
};

extern struct bm_board bm_board;
/* What hal_passthrough_check (common/mm.c) keeps from VMs besides the image, the DTB
 * and the console: the GIC's frames. */
#define BM_OWN_IRQCHIP                                                           \
	{ bm_board.gicd_base, bm_board.gicd_size, "the GIC distributor" },       \
	{ bm_board.gicr_base, bm_board.gicr_size, "the GIC redistributors" },

/* PSCI through the firmware's conduit (SMC on QEMU virt with virtualization=on). */
int64_t bm_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

void bm_console_init(uint64_t base);
/* The console's line shared with a debugger (console.c, tools/tandem/main.c). A gdb
 * packet, byte for byte into the UART's output ring, behind what is there already:
 * 0, or -EPIPE if the ring had no room for wait_ns (the UART never takes longer than
 * its baud rate allows, so only a UART that is stuck makes it give up). */
int bm_console_write_raw(const void *buf, size_t len, uint64_t wait_ns);
/* On: every other console output (Tandem's log, guests' lines) goes to a ring of its
 * own instead of the UART, for bm_console_take; it never waits (a full ring drops
 * Tandem's bytes, counted, and refuses guests' lines, which wait in core/console.c).
 * Off: what is left there goes to the UART as the console's, with a note if any was
 * dropped. */
void bm_console_divert(bool on);
bool bm_console_diverted(void);
/* Up to len bytes of diverted output, oldest first: how many. */
size_t bm_console_take(char *buf, size_t len);
void bm_mmu_init(void);   /* boot pCPU: build the EL2 tables, then turn the MMU on */
void bm_mmu_enable(void); /* every pCPU */
int bm_gic_init(void);    /* boot pCPU: distributor */
void bm_gic_cpu_init(unsigned cpu); /* every pCPU: its redistributor and CPU interface */
void bm_cpu_init(unsigned id); /* TPIDR_EL2 -> this pCPU's HAL data */

/* The pCPU's identity: TPIDR_EL2 points at one of these. The world switch finds the
 * running guest's context in the first field (world.h: BM_CPU_GUEST). */
struct guest_ctx;
struct bm_cpu {
	struct guest_ctx *guest;
	unsigned id;
	void *percpu;
	void (*entry)(void *arg);
	void *arg;
	uint32_t running;
	uint64_t hpmn; /* MDCR_EL2.HPMN guests run with: this PE's PMCR_EL0.N */
	struct guest_ctx *loaded; /* whose system registers the hardware holds (guest.c) */
	uint64_t hcr;             /* the HCR_EL2 value last written for it */
	bool fp_loaded;           /* its FP/SIMD registers are in the hardware too */
	struct guest_exit *exit;  /* where hal_guest_enter wants the exit recorded */
	uint64_t mdcr;            /* the loaded vCPU's MDCR_EL2 as last written (HPMN aside) */
};

/* This pCPU's (TPIDR_EL2). */
static inline struct bm_cpu *bm_self(void)
{
	return (struct bm_cpu *)(uintptr_t)sysreg_read(tpidr_el2);
}

#endif
