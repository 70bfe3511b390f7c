/* The device tree a VM's guest boots with, written by Tandem from the VM's
 * configuration as a board's firmware would (the arm64 boot protocol hands it over in
 * x0). One function from a plain description to a DTB, so that tests and the fuzz
 * target can drive it with any description and read the result back (core/fdt.h).
 * What it describes: memory, the CPUs with their MPIDRs and PSCI as enable method, the
 * PSCI node, the interrupt controller (GICv3: a distributor and one redistributor
 * region, no maintenance interrupt since the guest has no EL2), the architected timer,
 * the UART and /chosen (bootargs, stdout-path, the initrd, the boot count, and seeds
 * only if asked). For riscv64 (the riscv boot protocol hands it over in a1): the harts
 * with their ISA string and local interrupt controllers, the timebase, the PLIC and an
 * NS16550A in place of the Arm nodes. */
#ifndef CORE_GUEST_DTB_H
#define CORE_GUEST_DTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/addr.h"

#define GUEST_DTB_MAX_MEM  8
#define GUEST_DTB_MAX_CPUS 16
#define GUEST_DTB_ARGS_MAX 1024 /* bootargs bytes, NUL included */

struct guest_dtb_mem {
	gpa_t base;
	uint64_t size;
};

/* The board the tree describes: QEMU's virt board for aarch64 (GICv3, architected
 * timer, PSCI, PL011) or for riscv64 (harts with their local interrupt controllers, a
 * PLIC, an NS16550A; SBI needs no node). */
enum guest_dtb_board { GUEST_DTB_ARM_VIRT, GUEST_DTB_RISCV_VIRT };

struct guest_dtb_riscv {
	uint32_t timebase_hz; /* /cpus/timebase-frequency: the guest's time CSR */
	bool sstc;            /* the harts have Sstc (listed in riscv,isa) */
	bool sv48;            /* mmu-type riscv,sv48, else riscv,sv39 */
	gpa_t plic;
	uint64_t plic_size;
	uint32_t plic_ndev;   /* riscv,ndev: sources 1 .. ndev */
	uint32_t uart_irq;    /* the NS16550A's PLIC source */
};

struct guest_dtb {
	enum guest_dtb_board board;
	unsigned nmem;
	struct guest_dtb_mem mem[GUEST_DTB_MAX_MEM];
	unsigned ncpus;
	uint64_t mpidr[GUEST_DTB_MAX_CPUS];
	bool psci_smc; /* the conduit: "smc", else "hvc" */
	gpa_t gicd;
	uint64_t gicd_size;
	gpa_t gicr;
	uint64_t gicr_size;
	/* The timer's PPIs, as interrupt numbers (INTID - 16) in the binding's order:
	 * secure physical, non-secure physical, virtual, hypervisor. */
	uint32_t timer_ppi[4];
	bool has_uart;
	gpa_t uart;
	uint32_t uart_spi;    /* INTID - 32 */
	struct guest_dtb_riscv rv; /* GUEST_DTB_RISCV_VIRT: what replaces the Arm nodes; the
				    * hart ids are mpidr[] */
	const char *bootargs; /* NULL: none */
	bool has_initrd;
	gpa_t initrd_start, initrd_end; /* [start, end) */
	bool has_kaslr_seed, has_rng_seed;
	uint64_t kaslr_seed;
	uint8_t rng_seed[32];
	/* /chosen/tandem,boot-count: 1 at the VM's first boot, one more at every reset,
	 * so that a guest can tell a reboot from a first boot; 0 leaves it out. */
	uint32_t boot_count;
};

/* Write d's tree into buf[0, cap) (8-byte aligned): 0 and *size, -EINVAL for a
 * description that cannot be written (no memory or CPUs, too many, an empty or wrapping
 * range, bootargs longer than GUEST_DTB_ARGS_MAX), -ENOSPC if buf is too small. */
int guest_dtb_write(const struct guest_dtb *d, void *buf, size_t cap, size_t *size);

/* The phandle of the interrupt controller in every tree guest_dtb_write makes. */
#define GUEST_DTB_GIC_PHANDLE   1u
#define GUEST_DTB_CLOCK_PHANDLE 2u
/* riscv: the PLIC, and hart n's local interrupt controller. */
#define GUEST_DTB_PLIC_PHANDLE   1u
#define GUEST_DTB_INTC_PHANDLE(n) (16u + (n))

#endif
