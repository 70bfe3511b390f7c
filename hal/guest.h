/* HAL contract: entering a guest. The register context and the trap state are defined
 * by arch/<isa>; this layer only moves them between the CPU and memory (bare metal:
 * the EL2 world-switch assembly; simulation host: the guest engine). */
#ifndef HAL_GUEST_H
#define HAL_GUEST_H

#include <stdint.h>

#include "hal/addr.h"

struct guest_ctx;  /* vCPU registers, arch/<isa> */
struct guest_exit; /* the trap state of one exit, arch/<isa> */

/* Run the guest described by ctx on this pCPU until it traps, then save its registers
 * into ctx and the trap state into *exit. Called by the arch vCPU run loop.
 * -EINVAL on NULL, -ENOSYS where the host cannot run guests yet. */
int hal_guest_enter(struct guest_ctx *ctx, struct guest_exit *exit);

/* Where the guest that the last hal_guest_enter on this pCPU ran would find the virtual
 * address va now, reading it at EL1: its first-stage translation done by the hardware
 * (aarch64: AT S1E1R, the result from PAR_EL1, which is put back as it was). Only valid
 * while the guest's translation registers are still in the hardware: after that
 * hal_guest_enter returned and before this pCPU's next hal_guest_enter or
 * hal_guest_unload. 0 and *gpa (page offset included); -EFAULT if the translation
 * faults; -ENOSYS where the host has no translation instruction (the simulation host):
 * the caller walks the guest's tables in software. */
int hal_guest_translate(gva_t va, gpa_t *gpa);

/* The vCPU whose registers the last hal_guest_enter on this pCPU loaded leaves it:
 * silence what of it the hardware keeps running (aarch64: its virtual timer, masked
 * until its next entry reloads it), so that it cannot interrupt the host or another
 * vCPU. No-op in the simulation host. */
void hal_guest_unload(void);

/* Forget, on every pCPU, the TLB entries of the guest whose stage-2 root register
 * value (aarch64: VTTBR_EL2, so its VMID) is s2root: after a stage-2 entry is removed
 * or changed, and before a VMID is given to another VM. The simulation host's engine
 * walks the tables on every access and keeps no TLB. */
void hal_guest_tlb_flush(uint64_t s2root);

#endif
