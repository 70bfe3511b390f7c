/* The riscv64 vCPU context and the raw trap state of one exit. The world-switch code
 * (hal-baremetal assembly, or the simulation host's guest engine) saves and restores
 * exactly this; everything above reads and writes it through arch/riscv64. */
#ifndef ARCH_RISCV64_CTX_H
#define ARCH_RISCV64_CTX_H

#include <stdint.h>

struct exit_early; /* arch/exit.h */

/* The CSRs a vCPU owns, switched with it (hal_guest_sysreg_read/_write's slots): the
 * VS CSRs (the guest's supervisor state while V=1), the HS controls that are this
 * vCPU's, and the two S CSRs the H extension does not bank for V=1. vsip is no state of
 * its own: a view of hip/hvip. */
enum rv_csr_slot {
	RV_VSSTATUS, RV_VSIE, RV_VSTVEC, RV_VSSCRATCH, RV_VSEPC, RV_VSCAUSE, RV_VSTVAL,
	RV_VSATP, RV_VSTIMECMP,
	RV_HSTATUS, RV_HGATP, RV_HEDELEG, RV_HIDELEG, RV_HVIP, RV_HTIMEDELTA, RV_HCOUNTEREN,
	RV_HENVCFG,
	RV_SCOUNTEREN, RV_SENVCFG,
	RV_CSR_SLOT_COUNT
};

struct guest_ctx {
	uint64_t x[32];   /* x0-x31; x[0] is kept 0 */
	uint64_t pc;      /* sepc: where the guest resumes */
	/* sstatus as the trap left it and the entry (sret) uses it: SPP is the guest's
	 * privilege (1 VS, 0 VU), FS the state of the FP registers below. */
	uint64_t sstatus;
	uint64_t csr[RV_CSR_SLOT_COUNT];
	struct {
		uint64_t f[32];
		uint32_t fcsr;
	} fp;
	/* What keeps the early handler from answering an exit, read as one halfword
	 * (no_early), as on aarch64: a timer reprogrammed by a guest engine that keeps no
	 * live timer (vstimecmp written), a debugger's single step. */
	union {
		struct {
			uint8_t vtimer_written;
			uint8_t stepping;
		};
		uint16_t no_early;
	};
	/* A CSR only Tandem changes (hedeleg, hideleg, ...) was written while the vCPU was
	 * not loaded on the writing pCPU: a bare-metal entry re-writes those (its HAL). */
	uint8_t ctrl_stale;
	const struct exit_early *early;
	uint64_t early_calls, early_reads;
};

/* The trap state of one exit from V=1, as HS-mode reads it (privileged spec 4.1.9,
 * 4.1.10, 8.2.11, 8.2.12): scause (bit 63: an interrupt), stval, htval (a guest-page
 * fault's guest-physical address shifted right by 2) and htinst (a transformed
 * instruction, a pseudoinstruction for an implicit access, or 0). hstatus's SPV, SPVP
 * and GVA at the trap are in hstatus. */
struct guest_exit {
	uint64_t scause;
	uint64_t stval;
	uint64_t htval;
	uint64_t htinst;
	uint64_t hstatus;
};

#endif
