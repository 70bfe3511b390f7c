/* Internal to the riscv64 guest engine (rv_engine*.c); nothing else includes this. */
#ifndef HAL_SIM_RV_ENGINE_INTERNAL_H
#define HAL_SIM_RV_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/riscv64/ctx.h"

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

/* ---- One vCPU's engine state (rv_engine.c owns the table) --------------------------- */

#include "hal-sim/engine.h"

#define NO_END (~0ull)
#define REG_T0 5
#define REG_T1 6

enum handler { H_NONE, H_CLAIM, H_DONE, H_SRET };

struct rv_vcpu {
	const struct action *acts;
	unsigned n;
	bool loaded;
	unsigned vcpu;      /* the hart index: the PLIC context */
	unsigned idx;       /* the action to run */
	uint64_t act_pc;    /* the address of action idx */
	bool trapped;       /* the last step trapped to HS on action idx */
	int last_cause;     /* of the last exception the guest's handler took; -1 none */
	int last_irq;       /* S-level cause of the last interrupt handled; -1 none */
	uint64_t last_source;
	uint64_t spin_left;
	uint64_t wait_base; /* irqs_taken when a WAIT_IRQ began */
	uint64_t end_pc, entry_pc;
	enum handler h;     /* where the guest's external-interrupt handler is */
	bool h_trapped;     /* its MMIO access trapped to HS */
	int h_cause;
	uint64_t h_t0, h_t1, h_epc; /* what the handler saved; vsepc at its entry */
	bool resv;          /* an LR's reservation */
	uint64_t resv_addr;
	struct engine_result res;
};

static inline void rv_set_x(struct guest_ctx *c, unsigned r, uint64_t v)
{
	if (r && r < 32)
		c->x[r] = v;
}

static inline uint64_t rv_get_x(const struct guest_ctx *c, unsigned r)
{
	return r && r < 32 ? c->x[r] : 0;
}

struct guest_exit;

/* rv_engine.c: a program failure ("line N: ..."); the PC past action idx; a trap to HS
 * with these CSRs (1); an exception raised in VS-mode, the guest's if hedeleg gives it
 * (0, its handler ran), else a trap to HS (1); a translation's fault for an access to
 * va; htinst for an explicit access's fault. */
void rv_fail(struct rv_vcpu *e, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rv_advance(struct guest_ctx *c, struct rv_vcpu *e);
int rv_trap_hs(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x, uint64_t cause,
	       uint64_t stval, bool gva, uint64_t htval, uint64_t htinst);
int rv_raise(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x, unsigned cause,
	     uint64_t tval, bool gva, uint64_t htval, uint64_t htinst);
int rv_xlate_fault(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x,
		   const struct rv_fault *f, uint64_t va, uint64_t explicit);
uint64_t rv_htinst_of(const struct action *a);

/* rv_engine_exec.c: the action at e->idx (1: trapped to HS); a load, store or AMO of a,
 * its address in rs1 (0 done, 1 trapped, -1 the guest took an exception); whether a
 * waiting load has what it waits for; WFI (1: trapped; *done: it completed); the end of
 * a program, "1: wfi; j 1b". */
int rv_run_action(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x);
int rv_mem_access(struct guest_ctx *c, struct rv_vcpu *e, const struct action *a,
		  struct guest_exit *x);
bool rv_wait_satisfied(const struct guest_ctx *c, const struct action *a);
int rv_wfi(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x, bool *done);
int rv_wait_forever(struct guest_ctx *c, struct rv_vcpu *e, struct guest_exit *x);

#endif
