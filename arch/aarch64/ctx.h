/* The aarch64 vCPU context and the raw trap state of one exit. The world-switch code
 * (hal-baremetal assembly, or the simulation host's guest engine) saves and restores
 * exactly this; everything above reads and writes it through arch/aarch64. */
#ifndef ARCH_AARCH64_CTX_H
#define ARCH_AARCH64_CTX_H

#include <stdint.h>

#include "arch/aarch64/gicv3.h"

struct exit_early; /* arch/exit.h */

/* The EL1 system registers a guest owns; switched with the vCPU. */
enum el1_sysreg {
	SCTLR_EL1, ACTLR_EL1, CPACR_EL1, TTBR0_EL1, TTBR1_EL1, TCR_EL1, ESR_EL1, AFSR0_EL1,
	AFSR1_EL1, FAR_EL1, MAIR_EL1, AMAIR_EL1, VBAR_EL1, CONTEXTIDR_EL1, TPIDR_EL0,
	TPIDRRO_EL0, TPIDR_EL1, PAR_EL1, CNTKCTL_EL1, CSSELR_EL1, MDSCR_EL1, ELR_EL1,
	SPSR_EL1, SP_EL0, SP_EL1, CNTV_CTL_EL0, CNTV_CVAL_EL0,
	EL1_SYSREG_COUNT
};

struct guest_ctx {
	uint64_t x[31];  /* X0-X30 */
	uint64_t pc;     /* ELR_EL2: where the guest resumes */
	uint64_t pstate; /* SPSR_EL2: the guest's PSTATE */
	uint64_t el1[EL1_SYSREG_COUNT];
	struct {
		uint64_t v[32][2]; /* V0-V31, low and high halves */
		uint32_t fpcr, fpsr;
	} fp;
	/* EL2 controls that belong to this vCPU. */
	uint64_t hcr_el2;
	uint64_t vmpidr_el2;
	uint64_t vpidr_el2;
	uint64_t vttbr_el2;
	uint64_t vtcr_el2;
	uint64_t cntvoff_el2;
	/* MDCR_EL2's trap controls (PMU and debug registers); HPMN is left to the host,
	 * which fills in its pCPU's own counter count on entry. */
	uint64_t mdcr_el2;
	/* The virtual CPU interface (GICv3 ICH_*_EL2): filled by the vGIC before entry,
	 * moved to and from the hardware by the world switch (or used by the guest
	 * engine), read back by the vGIC after the exit. */
	uint64_t ich_lr[GICV3_NR_LRS];
	uint64_t ich_hcr;
	uint64_t ich_vmcr;
	uint32_t ich_ap0r[4]; /* ICH_AP0R<n>_EL2: at most four (with 7 priority bits) */
	uint32_t ich_ap1r[4];
	/* What keeps the early handler (arch_exit_early) from answering an exit, read as
	 * one halfword (no_early) on its path:
	 * - vtimer_written: set by a guest engine that keeps no live timer (the
	 *   simulation host's) when the guest writes CNTV_CTL/CVAL/TVAL, cleared when
	 *   arch_vtimer looks: then a timer reprogrammed between exits is seen. Hardware
	 *   fires the real timer instead and never sets it;
	 * - stepping: a debugger single-steps the vCPU (arch_vcpu_debug_step): an exit
	 *   the early handler answered would re-enter with the step still active
	 *   (SPSR_EL2.SS as the trap left it) and run a second instruction; core
	 *   completes it instead, clearing PSTATE.SS. */
	union {
		struct {
			uint8_t vtimer_written;
			uint8_t stepping;
		};
		uint16_t no_early;
	};
	/* Exits answered where they are taken (arch_exit_early): the VM's shadowed
	 * registers (NULL: none), and how many exits were answered so, by kind (firmware
	 * calls, device-register loads), which core adds to its own counts. */
	const struct exit_early *early;
	uint64_t early_calls, early_reads;
};

/* Why control came back to EL2 (the vector that was taken). */
enum trap_type { TRAP_SYNC, TRAP_IRQ, TRAP_FIQ, TRAP_SERROR };

struct guest_exit {
	enum trap_type type;
	uint64_t esr;   /* ESR_EL2 */
	uint64_t far;   /* FAR_EL2 */
	uint64_t hpfar; /* HPFAR_EL2 */
};

#endif
