/* arch/aarch64's public interface: what core/ calls to run an aarch64 vCPU. core/
 * reaches the ISA only through this header (DESIGN rule 3). */
#ifndef ARCH_AARCH64_ARCH_H
#define ARCH_AARCH64_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/aarch64/ctx.h"
#include "arch/exit.h"
#include "arch/pt_format.h"

/* Per-vCPU arch state: the saved context and what the last exit needs to finish. */
struct arch_vcpu {
	struct guest_ctx ctx;
	struct guest_exit trap; /* the raw state of the last exit */
	unsigned index;
	uint32_t psci_fid; /* the PSCI/SMCCC function of the last exit, or 0 */
	bool pc_advance;   /* complete by stepping over the trapping instruction */
};

/* The stage-2 format and VTCR_EL2 for this machine's physical-address size. */
int arch_vm_s2_setup(struct pt_format *fmt, uint64_t *vtcr);

/* Reset v as vCPU number index of a VM: registers zero, EL1h with DAIF masked, the
 * MPIDR and HCR_EL2 a guest of Tandem runs with. */
void arch_vcpu_init(struct arch_vcpu *v, unsigned index);

/* The MPIDR affinity vCPU index reports (Aff0 = index % 16, Aff1 = index / 16). */
uint64_t arch_vcpu_hwid(unsigned index);

/* Where the vCPU starts and its first argument (X0): boot entry or PSCI CPU_ON. */
void arch_vcpu_set_entry(struct arch_vcpu *v, uint64_t entry, uint64_t arg);

/* The stage-2 table the vCPU translates through: VTTBR_EL2 (root, VMID) and VTCR_EL2. */
void arch_vcpu_set_s2(struct arch_vcpu *v, uint64_t root, uint16_t vmid, uint64_t vtcr);

/* Invalidate the TLB entries of the VM with this stage-2 root and VMID everywhere. */
void arch_vm_s2_flush(uint64_t root, uint16_t vmid);

/* General-purpose registers 0-30; 31 is XZR: reads as 0, writes ignored. -EINVAL for
 * a number above 31. */
int arch_vcpu_set_gpr(struct arch_vcpu *v, unsigned reg, uint64_t value);
uint64_t arch_vcpu_get_gpr(const struct arch_vcpu *v, unsigned reg);

/* The return value of a call the guest made (X0). */
void arch_vcpu_set_return(struct arch_vcpu *v, uint64_t value);

/* Assert or clear the virtual IRQ line (HCR_EL2.VI) for the next entry. */
void arch_vcpu_set_virq(struct arch_vcpu *v, bool pending);

/* Enter the guest until it traps, then decode the trap into *exit. -ENOSYS if the host
 * cannot run guests. */
int arch_vcpu_run(struct arch_vcpu *v, struct vm_exit *exit);

/* Decode raw trap state into *exit (also what a test harness or fuzzer drives). Exits
 * the ISA handles alone (PSCI_VERSION, unknown classes -> UNDEF) come back as
 * EXIT_NOTHING with the outcome already applied. */
void arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap, struct vm_exit *exit);

/* Apply core's outcome: results into registers, PC advance, or an injected exception. */
void arch_vcpu_complete(struct arch_vcpu *v, const struct vm_exit *exit);

/* The raw trap state of the last exit as named words, for traces: at most max of
 * them; returns how many (aarch64: ESR, FAR, HPFAR). */
unsigned arch_vcpu_trap_words(const struct arch_vcpu *v, const char **names, uint64_t *values,
			      unsigned max);

/* Inject into the guest at EL1 (Arm ARM D1.10): an undefined-instruction exception, or
 * an external abort for the data / instruction access at virtual address far. */
void arch_inject_undef(struct arch_vcpu *v);
void arch_inject_abort(struct arch_vcpu *v, bool instruction, uint64_t far);

#endif
