/* Internal to the riscv64 guest engine (rv_engine*.c); nothing else includes this. */
#ifndef HAL_SIM_RV_ENGINE_INTERNAL_H
#define HAL_SIM_RV_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct action;
struct guest_ctx;

/* The kinds of access a translation is for; they pick the fault causes. */
enum rv_acc { RV_ACC_FETCH, RV_ACC_LOAD, RV_ACC_STORE };

/* A failed translation: the cause the access raises (a page fault 12/13/15, a
 * guest-page fault 20/21/23, an access fault 1/5/7), and for a guest-page fault the
 * guest-physical address that faulted and whether it was the VS-stage walk's own
 * (implicit) read of a PTE. */
struct rv_fault {
	unsigned cause;
	uint64_t gpa;
	bool implicit;
};

/* rv_engine_mmu.c: the two-stage translation of va for acc by the vCPU's vsatp,
 * vsstatus (SUM, MXR), henvcfg (PBMTE) and hgatp, through this pCPU's TLB. 0 and *hpa,
 * or -1 and *f. */
int rv_translate(const struct guest_ctx *c, uint64_t va, enum rv_acc acc, uint64_t *hpa,
		 struct rv_fault *f);
/* The same without the TLB (no entry used or filled): the loader's. */
int rv_translate_walk(const struct guest_ctx *c, uint64_t va, enum rv_acc acc, uint64_t *hpa,
		      struct rv_fault *f);
/* SFENCE.VMA in VS-mode: this pCPU's entries of the VMID of hgatp; by ASID unless
 * all_asids (global entries kept then), by page unless all_va. */
void rv_tlb_fence_local(uint64_t hgatp, bool all_asids, uint16_t asid, bool all_va, uint64_t va);
void rv_tlb_reset(void);

/* rv_engine_csr.c. VS-mode's CSR access (privileged spec 8.2, 8.6.1): 0 and the
 * access done (*old what a read returns), or the exception it raises, 2 (illegal
 * instruction) or 22 (virtual instruction). */
int rv_csr_access(struct guest_ctx *c, unsigned csr, bool read, bool write, uint64_t val,
		  uint64_t *old);
/* The time the guest reads: the system counter + htimedelta. */
uint64_t rv_guest_time(const struct guest_ctx *c);
/* vsip as the guest reads it (bits 1, 5, 9). */
uint64_t rv_vsip(const struct guest_ctx *c);
/* The interrupt VS-mode takes now (its S-level cause 9, 1 or 5 in that priority), or
 * -1; with_sie false: whatever vsstatus.SIE says (what wakes a WFI). */
int rv_pending_irq(const struct guest_ctx *c, bool with_sie);

/* rv_engine_fetch.c. The RV64 word action a stands for (a compressed one in the low
 * half, C.NOP in the high half). */
uint32_t rv_action_word(const struct guest_ctx *c, const struct action *a);
/* The transformed instruction of a load, store, AMO, LR or SC (privileged spec 8.6.3):
 * rs1 and the immediate zeroed, a compressed form expanded with bit 1 clear. */
uint32_t rv_transformed(const struct action *a);
/* The loader: the words of n actions at c->pc + 4 i (and the final WFI), and the
 * handler's at handler, wherever VS and G stage map them for a fetch. */
void rv_place(const struct guest_ctx *c, const struct action *acts, unsigned n, uint64_t handler);
/* The word at hpa for an action whose word is want: an EBREAK as found, else want
 * (written there first where another word is). */
uint32_t rv_fetch(uint64_t hpa, uint32_t want);
bool rv_is_ebreak(uint32_t word);
/* Whether there is RAM at hpa to fetch from (else an instruction access fault). */
bool rv_fetchable(uint64_t hpa);

/* The engine's guest handler, at vstvec (direct mode): its words. */
#define RV_H_ENTRY 0x00u  /* csrr t0, scause */
#define RV_H_CLAIM 0x40u  /* lw t0, 0(t1): the PLIC claim */
#define RV_H_DONE 0x44u   /* sw t0, 0(t1): the PLIC completion */
#define RV_H_SRET 0x48u   /* sret */
#define RV_H_SIZE 0x4Cu
uint32_t rv_handler_word(unsigned offset);

/* Encodings (RISC-V unprivileged spec, chapter 24 "RV32/64G Instruction Set Listings";
 * privileged spec for SRET, WFI, SFENCE.VMA). */
#define RV_WFI 0x10500073u
#define RV_SRET 0x10200073u
#define RV_EBREAK 0x00100073u
#define RV_C_EBREAK 0x9002u
#define RV_NOP 0x00000013u
#define RV_C_NOP 0x0001u
#define RV_ECALL 0x00000073u

#endif
