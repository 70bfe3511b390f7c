/* The riscv64 guest engine: plays a RISC-V hart in V=1 (VS-mode) in the simulation host,
 * the riscv64 build's counterpart of the aarch64 engine (engine.h: the same public
 * surface, engine_install, engine_load, engine_result, engine_finished, and the same
 * struct action; one engine is linked per ISA build). It produces the trap state the
 * hardware would (RISC-V privileged spec 20211203, "Hypervisor Extension"): scause,
 * stval, htval, htinst and hstatus's SPV/SPVP/GVA.
 *
 * Program. Each action sits at its own 4-byte slot from where the program is entered,
 * as the real RV64 word it stands for (a compressed form in the low half and C.NOP in
 * the high half; pseudo-actions are NOP). The loader writes the words into guest memory
 * where VS and G stage map them; each step fetches the word at the PC through the
 * translation (a fault there is the fetch's own: 12, 20 or 1). An EBREAK found there is
 * executed instead (cause 3). The vCPU a program belongs to is (the VMID of hgatp, the
 * hart index): the index is what rv_engine_bind says, else a0 at the program's first
 * entry (the boot and SBI HSM protocols put the hartid in a0), remembered for that
 * context.
 *
 * Guest handler. A guest trap handler is modelled at vstvec: when the program is entered
 * afresh and vstvec is 0, the program's (unwritten) prologue points it at the next
 * 256-byte boundary past the program's final WFI. Exceptions delegated by hedeleg are
 * taken there, and so are those HS-mode injects (the PC left at vstvec's base with an
 * exception in vscause); the handler records the cause (expect fault) and returns past
 * the instruction (sret to vsepc + 4). Interrupts: timer, clear vsie.STIE (Sstc on:
 * vstimecmp = ~0); software, clear sip.SSIP (hvip.VSSIP); external, claim from the PLIC
 * (lw t0, 0(t1) at vstvec + 0x40, t1 = 0x0C000000 + 0x200004 + 0x1000 (2n + 1)), note
 * the source, complete it (sw at + 0x44), sret at + 0x48: real MMIO exits. The handler
 * keeps t0/t1 as it found them. SRET is never trapped (hstatus.VTSR is not modelled).
 *
 * Translation. VS stage from vsatp (Bare, Sv39, Sv48; other modes act as Bare), A/D
 * clear fault (no Svadu), SUM/MXR from vsstatus; G stage from hgatp (Bare, Sv39x4,
 * Sv48x4), U required on leaves; both walks are the engine's own reading of the tables.
 * A per-pCPU TLB, tagged with VMID and ASID, caches the combined translation of each
 * 4 KiB page; entries go only on the guest's SFENCE.VMA (this pCPU), HFENCE.GVMA
 * (hal_guest_tlb_flush) and HFENCE.VVMA
 * (hal_guest_tlb_flush_vs), so that a fence Tandem forgets shows as a stale
 * translation. An entry whose permissions no longer allow an access is walked afresh.
 *
 * htinst. For an explicit access's fault trapping to HS the engine writes 0 (as QEMU
 * 7.2 does; Tandem then reads the instruction at sepc) or, with
 * rv_engine_set_htinst(RV_HTINST_TRANSFORMED), the transformed instruction (8.6.3). A
 * guest-page fault of the VS walk's own PTE read always gets the pseudoinstruction
 * 0x3000 (a 64-bit read), as the spec requires, with htval = the PTE's GPA >> 2.
 *
 * Where this follows the spec and QEMU (7.2) does not, as the trap-CSR probe measured
 * it (tests/riscv64/probe: the same words on QEMU and here, deviations.txt):
 *  - a guest-page fault of an AMO or SC is 23 (store/AMO), of an LR 21; QEMU reports
 *    an AMO to an unmapped guest-physical address as 21 (to a read-only one as 23);
 *  - a guest-page fault of the VS walk's implicit PTE read is raised for the original
 *    access, a store's as 23; QEMU reports 21 for a store (htval and htinst 0x3000
 *    agree);
 *  - an SC without a reservation checks its access and faults here; QEMU's fails
 *    without an access (the spec allows both: "a failed SC may be treated like a
 *    store" for memory protection);
 *  - a guest-page fault of the VS walk during a fetch is 20 with htinst 0x3000 and
 *    htval the PTE's address (the probe has no fetch cases: QEMU's answer there is
 *    not measured);
 *  - the TLB is flushed only by fences (QEMU flushes on every V change);
 *  - WFI with hstatus.VTW clear stalls in the guest until an interrupt is pending and
 *    locally enabled (vsie), as the spec says; with VTW set and none pending it traps
 *    at once (cause 22, stval the word).
 *
 * Not modelled: VU-mode (the guest always runs in VS: SPVP and SPP are 1), non-delegated
 * VS interrupts trapping to HS (hideleg clear), hgeip/VGEIN, FP state, misaligned
 * accesses done by hardware (they raise 4/6). */
#ifndef HAL_SIM_RV_ENGINE_H
#define HAL_SIM_RV_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "hal-sim/engine.h"

struct guest_ctx;

/* What htinst gets for an explicit access's fault that traps to HS. */
enum rv_htinst_mode { RV_HTINST_ZERO, RV_HTINST_TRANSFORMED };
void rv_engine_set_htinst(enum rv_htinst_mode mode);

/* Say that ctx is vCPU vcpu of the VM with VMID vmid (instead of a0 at entry), until
 * the next engine_load of that vCPU (which forgets the context it had: a VM created
 * again under the same VMID). -EINVAL for ids out of range or NULL. */
int rv_engine_bind(const struct guest_ctx *ctx, unsigned vmid, unsigned vcpu);

/* The engine's G-stage walk, exposed for tests: gpa for a read, write or fetch
 * (store, fetch) through hgatp's tables. 0 and *hpa; 1: a guest-page fault; 2: an
 * access fault (a table outside RAM). */
int rv_engine_g_walk(uint64_t hgatp, uint64_t gpa, bool store, bool fetch, uint64_t *hpa);

/* HFENCE.GVMA for hgatp's VMID on every pCPU: hal_guest_tlb_flush calls it (through
 * sim_engine_tlb_flush, which the engine defines, as it does hal_guest_tlb_flush_vs,
 * HFENCE.VVMA, and hal_guest_fetch_insn, HLVX). */
void rv_engine_tlb_flush_gvma(uint64_t hgatp);

/* TLB statistics since engine_install: lookups that hit, entries filled. */
void rv_engine_tlb_stats(uint64_t *hits, uint64_t *fills);

/* The last interrupt the guest's handler took: its S-level cause (1, 5, 9; -1 none)
 * and, for an external one, the source claimed. -EINVAL for ids out of range. */
int rv_engine_last_irq(unsigned vmid, unsigned vcpu, int *cause, uint64_t *source);

#endif
