/* HAL contract: entering a guest. The register context and the trap state are defined
 * by arch/<isa>; this layer only moves them between the CPU and memory (bare metal:
 * the EL2 world-switch assembly; simulation host: the guest engine). */
#ifndef HAL_GUEST_H
#define HAL_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/addr.h"

struct guest_ctx;  /* vCPU registers, arch/<isa> */
struct guest_exit; /* the trap state of one exit, arch/<isa> */

/* A vCPU's system state (aarch64: its EL1 system registers, the EL2 controls that are
 * its own, its virtual timer, its FP/SIMD registers) moves into this pCPU's hardware
 * with hal_guest_load and back into ctx with hal_guest_put, once per stay, not per
 * exit: core's vcpu_load / vcpu_put. Loading another context puts the one loaded
 * before. While ctx is loaded the hardware holds the truth and ctx's copy of that
 * state is stale: read and write it through hal_guest_sysreg_read/_write, on the pCPU
 * it is loaded on (another pCPU must have it put first). The simulation host's engine
 * runs the guest on ctx itself, so there the copy is always the truth and these only
 * mark the moments (its put hook: hal_sim_set_unload_hook). NULL is ignored. */
void hal_guest_load(struct guest_ctx *ctx);
void hal_guest_put(struct guest_ctx *ctx);

/* System register number slot of ctx (aarch64: enum el1_sysreg), wherever it is now;
 * reads 0 / ignores a write for a slot that does not exist. */
uint64_t hal_guest_sysreg_read(const struct guest_ctx *ctx, unsigned slot);
void hal_guest_sysreg_write(struct guest_ctx *ctx, unsigned slot, uint64_t value);

/* The interrupt controller's part of ctx (aarch64: the GICv3 virtual CPU interface,
 * ICH_LR<n>, ICH_AP<n>R, ICH_VMCR, ICH_HCR) into the hardware after the vGIC filled it,
 * and back into ctx before the vGIC reads it; the save also turns the virtual
 * interface off, so that its maintenance interrupt cannot reach the host's handlers.
 * Between the two the interface stays enabled and as the guest leaves it, exit after
 * exit (core's fast path): the host runs those exits with interrupts masked, so a
 * maintenance interrupt raised meanwhile stays pending and makes the next entry exit
 * at once, an exit the fast path does not take. The save reads only the list
 * registers the hardware does not report empty (aarch64: ICH_ELRSR_EL2). Only while
 * ctx is loaded on this pCPU; no-ops in the simulation host, whose engine uses ctx. */
void hal_guest_irq_load(struct guest_ctx *ctx);
void hal_guest_irq_save(struct guest_ctx *ctx);

/* Run the guest described by ctx on this pCPU until it traps, then save its
 * general-purpose registers, PC and PSTATE into ctx and the trap state into *exit
 * (loading ctx first if it is not loaded here). Every synchronous exit is first offered
 * to the early handler (hal_guest_set_early), right where it is taken: if it answers, the
 * guest is entered again at once from ctx, and hal_guest_enter returns only with an
 * exit it did not answer. Called by the arch vCPU run loop. -EINVAL on NULL, -ENOSYS
 * where the host cannot run guests yet. */
int hal_guest_enter(struct guest_ctx *ctx, struct guest_exit *exit);

/* The early handler (arch/exit.h: arch_exit_early), installed once at boot; NULL for
 * none. Called on the exit path (bare metal: still in the exception's context,
 * interrupts masked) with the trap state in *exit and the guest's registers in ctx,
 * except that the registers the C calling convention keeps across a call (aarch64:
 * X19-X29) may be stale there: a HAL may leave them in the hardware for the call. So
 * the handler reads none of those; it may write any register, and says so. */
enum hal_early {
	HAL_EARLY_NO,       /* not answered: the exit goes to the run loop */
	HAL_EARLY_ANSWERED, /* answered, ctx updated: enter the guest again */
	HAL_EARLY_ANSWERED_KEPT, /* the same, having written one of the registers the
				  * calling convention keeps, the one the trap names
				  * (aarch64: the load's ESR_EL2.SRT): the HAL reloads
				  * that one from ctx */
};
typedef enum hal_early (*hal_guest_early_fn)(struct guest_ctx *ctx,
					      const struct guest_exit *exit);
void hal_guest_set_early(hal_guest_early_fn fn);

/* Where the guest that the last hal_guest_enter on this pCPU ran would find the virtual
 * address va now, reading it at EL1: its first-stage translation done by the hardware
 * (aarch64: AT S1E1R, the result from PAR_EL1, which is put back as it was). Only valid
 * while the guest's translation registers are still in the hardware: after that
 * hal_guest_enter returned and before this pCPU's next hal_guest_enter or
 * hal_guest_put. 0 and *gpa (page offset included); -EFAULT if the translation
 * faults; -ENOSYS where the host has no translation instruction (the simulation host):
 * the caller walks the guest's tables in software. */
int hal_guest_translate(gva_t va, gpa_t *gpa);

/* Forget, on every pCPU, the TLB entries of the guest whose stage-2 root register
 * value (aarch64: VTTBR_EL2, so its VMID) is s2root: after a stage-2 entry is removed
 * or changed, and before a VMID is given to another VM. The simulation host's engine
 * walks the tables on every access and keeps no TLB. */
void hal_guest_tlb_flush(uint64_t s2root);

/* Forget, on every pCPU, the guest's own first-stage translations (riscv: HFENCE.VVMA)
 * of the guest whose stage-2 root register value is s2root (its VMID): those of address
 * space asid (all of them if all_asids) over [va, va + size) (size 0 or ~0: every
 * address). riscv64 needs it where the guest's own SFENCE.VMA on one hart does not reach
 * another (an SBI remote fence, a vCPU arriving on another pCPU). ISAs whose guests'
 * TLB maintenance the hardware broadcasts (aarch64's TLBI ... IS from EL1) need nothing
 * here: their HALs do nothing. */
void hal_guest_tlb_flush_vs(uint64_t s2root, uint16_t asid, bool all_asids, gva_t va,
			    uint64_t size);

/* The instruction at the guest-virtual address pc of the guest the last
 * hal_guest_enter on this pCPU ran, read as that guest would fetch it (riscv:
 * HLVX.HU, two halfwords for a 32-bit instruction), for an exit whose trap state does
 * not describe the access (riscv: htinst 0). Valid where hal_guest_translate is. 0
 * and the instruction (a 16-bit one in the low half); -EFAULT if the fetch itself
 * faults (the caller retries the guest's instruction, which faults again and is
 * handled as its own fault); -ENOSYS where the ISA's syndromes describe every access
 * Tandem emulates (aarch64). */
int hal_guest_fetch_insn(gva_t pc, uint32_t *insn);

/* Whether a loaded context's virtual timer raises its interrupt (ARCH_VTIMER_IRQ) on
 * this pCPU by itself, also while the vCPU waits loaded in WFI: on bare metal the EL1
 * virtual timer runs in the hardware and its PPI comes to EL2 (core forwards it,
 * vtimer_forwarded_irq). Then core keeps no host timer for it while it is loaded. The
 * simulation host's engine raises none: there a host timer stands in at all times. */
bool hal_guest_vtimer_live(void);

#endif
