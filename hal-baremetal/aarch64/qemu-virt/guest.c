/* Guests on bare metal. A vCPU's EL2 controls (HCR, MDCR, VTTBR, VTCR, VMPIDR, VPIDR,
 * CNTVOFF) and EL1 system registers move into the hardware when it is loaded on this
 * pCPU (hal_guest_load; HCR and MDCR again at an entry that finds them changed) and
 * out when it is put (hal_guest_put); FP/SIMD moves on the
 * guest's first use after the load; the virtual CPU interface when the vGIC fills or
 * reads it (hal_guest_irq_load / _save). Between them an exit moves only what world.S
 * does (general-purpose registers, PC, PSTATE), and hands the
 * raw trap state (ESR_EL2, FAR_EL2, HPFAR_EL2) to the same arch/aarch64 decoder the
 * simulation host's guest engine feeds. */
#include <stddef.h>

#include "arch/aarch64/ctx.h"
#include "arch/aarch64/sysreg.h"
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal-baremetal/aarch64/qemu-virt/world.h"
#include "hal/err.h"
#include "hal/guest.h"

_Static_assert(offsetof(struct bm_cpu, guest) == BM_CPU_GUEST, "world.h: BM_CPU_GUEST");
_Static_assert(offsetof(struct bm_cpu, exit) == BM_CPU_EXIT, "world.h: BM_CPU_EXIT");
_Static_assert(offsetof(struct guest_exit, type) == EXIT_TYPE && sizeof(enum trap_type) == 4,
	       "world.h: EXIT_TYPE");
_Static_assert(offsetof(struct guest_exit, esr) == EXIT_ESR, "world.h: EXIT_ESR");
_Static_assert(offsetof(struct guest_exit, far) == EXIT_FAR &&
		       offsetof(struct guest_exit, hpfar) == EXIT_FAR + 8,
	       "world.h: EXIT_FAR, then HPFAR");
_Static_assert(offsetof(struct guest_exit, hpfar) == EXIT_HPFAR, "world.h: EXIT_HPFAR");
_Static_assert(EC_FP_ID == EC_FP_ASIMD && EC_DABT_LOW_ID == EC_DABT_LOW, "world.h: EC_*_ID");
_Static_assert(HAL_EARLY_NO == 0 && HAL_EARLY_ANSWERED == HAL_EARLY_ANSWERED_ID,
	       "world.h: HAL_EARLY_ANSWERED_ID");
_Static_assert(offsetof(struct guest_ctx, x) == CTX_X, "world.h: CTX_X");
_Static_assert(offsetof(struct guest_ctx, pc) == CTX_PC, "world.h: CTX_PC");
_Static_assert(offsetof(struct guest_ctx, pstate) == CTX_PSTATE, "world.h: CTX_PSTATE");
_Static_assert(CTX_PSTATE == CTX_PC + 8, "world.S stores the PC and PSTATE as a pair");
_Static_assert(offsetof(struct guest_ctx, fp.v) == CTX_FP, "world.h: CTX_FP");
_Static_assert(offsetof(struct guest_ctx, fp.fpcr) == CTX_FPCR, "world.h: CTX_FPCR");
_Static_assert(offsetof(struct guest_ctx, fp.fpsr) == CTX_FPCR + 4, "world.h: FPSR after FPCR");
_Static_assert(TRAP_SYNC == TRAP_SYNC_ID && TRAP_IRQ == TRAP_IRQ_ID && TRAP_FIQ == TRAP_FIQ_ID &&
		       TRAP_SERROR == TRAP_SERROR_ID,
	       "world.h: trap types");

_Static_assert(GICV3_NR_LRS == 4, "ICH_REGS below moves four list registers");

void bm_guest_run(struct guest_ctx *ctx);
bool bm_fp_first(struct guest_ctx *ctx);
extern hal_guest_early_fn bm_early_fn; /* common/early.c */
void bm_fp_load(const struct guest_ctx *ctx);
void bm_fp_save(struct guest_ctx *ctx);

/* Each EL1 register by its enum el1_sysreg slot, written as an X-macro so that the
 * load and the save cannot list different registers. */
#define EL1_REGS(X)                                                                      \
	X(SCTLR_EL1, sctlr_el1) X(ACTLR_EL1, actlr_el1) X(CPACR_EL1, cpacr_el1)          \
	X(TTBR0_EL1, ttbr0_el1) X(TTBR1_EL1, ttbr1_el1) X(TCR_EL1, tcr_el1)              \
	X(ESR_EL1, esr_el1) X(AFSR0_EL1, afsr0_el1) X(AFSR1_EL1, afsr1_el1)              \
	X(FAR_EL1, far_el1) X(MAIR_EL1, mair_el1) X(AMAIR_EL1, amair_el1)                \
	X(VBAR_EL1, vbar_el1) X(CONTEXTIDR_EL1, contextidr_el1) X(TPIDR_EL0, tpidr_el0)  \
	X(TPIDRRO_EL0, tpidrro_el0) X(TPIDR_EL1, tpidr_el1) X(PAR_EL1, par_el1)          \
	X(CNTKCTL_EL1, cntkctl_el1) X(CSSELR_EL1, csselr_el1) X(MDSCR_EL1, mdscr_el1)    \
	X(ELR_EL1, elr_el1) X(SPSR_EL1, spsr_el1) X(SP_EL0, sp_el0) X(SP_EL1, sp_el1)    \
	X(CNTV_CVAL_EL0, cntv_cval_el0) X(CNTV_CTL_EL0, cntv_ctl_el0)

#define SAVE(slot, reg) ctx->el1[slot] = sysreg_read(reg);

/* The translation controls (SCTLR, TTBR0/1, TCR, CONTEXTIDR) are written only when the
 * pCPU holds another value: the value is all the hardware keeps, and QEMU's TCG empties
 * its TLB on every TCR_EL1 write whatever the value, so writing them at each entry made
 * a guest refill its working set after every exit (Linux's boot took 1.3-1.6x the bare
 * kernel's wall time; 1.1-1.25x without). The slot test folds away at compile time. */
#define TRANSLATION(slot)                                                            \
	((slot) == SCTLR_EL1 || (slot) == TTBR0_EL1 || (slot) == TTBR1_EL1 ||        \
	 (slot) == TCR_EL1 || (slot) == CONTEXTIDR_EL1)
#define LOAD_EL1(slot, reg)                                                          \
	if (!TRANSLATION(slot) || sysreg_read(reg) != ctx->el1[slot])                \
		sysreg_write(reg, ctx->el1[slot]);

_Static_assert(EL1_SYSREG_COUNT == 27, "a new EL1 register must be added to EL1_REGS");

/* The GICv3 virtual CPU interface (IHI 0069 12.4): QEMU's has 4 list registers and 5
 * bits of preemption, so one active-priorities register per group. */
#define ICH_REGS(X)                                                                     \
	X(ich_lr[0], S3_4_C12_C12_0) X(ich_lr[1], S3_4_C12_C12_1)                        \
	X(ich_lr[2], S3_4_C12_C12_2) X(ich_lr[3], S3_4_C12_C12_3)                        \
	X(ich_ap0r[0], S3_4_C12_C8_0) X(ich_ap1r[0], S3_4_C12_C9_0)                      \
	X(ich_vmcr, S3_4_C12_C11_7) X(ich_hcr, S3_4_C12_C11_0)

#define ICH_LOAD(field, reg) sysreg_write(reg, ctx->field);
#define ICH_SAVE(field, reg) ctx->field = (__typeof__(ctx->field))sysreg_read(reg);

#define CPTR_TFP (1ull << 10) /* CPTR_EL2.TFP: FP/SIMD traps to EL2 (EC 0x07) */

static void cptr_tfp(bool trap)
{
	uint64_t v = sysreg_read(cptr_el2);

	sysreg_write(cptr_el2, trap ? v | CPTR_TFP : v & ~CPTR_TFP);
	isb();
}

/* The system registers of ctx into this pCPU: the EL2 controls that belong to the
 * vCPU and its EL1 registers (its virtual timer with them, which from now on runs in
 * the hardware). FP/SIMD stays where it is, trapped (CPTR_EL2.TFP) until first use. */
void hal_guest_load(struct guest_ctx *ctx)
{
	struct bm_cpu *self = bm_self();

	if (!ctx || self->loaded == ctx)
		return;
	if (self->loaded)
		hal_guest_put(self->loaded);
	sysreg_write(vttbr_el2, ctx->vttbr_el2);
	sysreg_write(vtcr_el2, ctx->vtcr_el2);
	sysreg_write(vmpidr_el2, ctx->vmpidr_el2);
	sysreg_write(vpidr_el2, ctx->vpidr_el2);
	sysreg_write(cntvoff_el2, ctx->cntvoff_el2);
	/* The vCPU's PMU and debug traps, with this pCPU's own HPMN. */
	sysreg_write(mdcr_el2, (ctx->mdcr_el2 & ~MDCR_HPMN_MASK) | self->hpmn);
	self->mdcr = ctx->mdcr_el2;
	EL1_REGS(LOAD_EL1)
	sysreg_write(hcr_el2, ctx->hcr_el2);
	self->hcr = ctx->hcr_el2;
	cptr_tfp(true);
	self->fp_loaded = false;
	self->loaded = ctx;
}

/* Back to ctx: its EL1 registers, FP/SIMD if the guest used it, and its virtual timer
 * masked in the hardware (the guest's CNTV_CTL_EL0 saved first), so that it cannot
 * interrupt the host or whoever runs next. */
void hal_guest_put(struct guest_ctx *ctx)
{
	struct bm_cpu *self = bm_self();

	if (!ctx || self->loaded != ctx)
		return;
	EL1_REGS(SAVE)
	if (self->fp_loaded) {
		bm_fp_save(ctx);
		cptr_tfp(true);
		self->fp_loaded = false;
	}
	sysreg_write(cntv_ctl_el0, ctx->el1[CNTV_CTL_EL0] | CNTV_CTL_IMASK);
	isb();
	self->loaded = NULL;
}

/* The EL1 registers by slot, as the hardware holds them now. */
#define READ_CASE(slot, reg)     \
	case slot:               \
		return sysreg_read(reg);
#define WRITE_CASE(slot, reg)         \
	case slot:                    \
		sysreg_write(reg, value); \
		break;

uint64_t hal_guest_sysreg_read(const struct guest_ctx *ctx, unsigned slot)
{
	if (!ctx || slot >= EL1_SYSREG_COUNT)
		return 0;
	if (bm_self()->loaded != ctx)
		return ctx->el1[slot];
	switch (slot) {
		EL1_REGS(READ_CASE)
	}
	return 0;
}

void hal_guest_sysreg_write(struct guest_ctx *ctx, unsigned slot, uint64_t value)
{
	if (!ctx || slot >= EL1_SYSREG_COUNT)
		return;
	ctx->el1[slot] = value;
	if (bm_self()->loaded != ctx)
		return;
	switch (slot) {
		EL1_REGS(WRITE_CASE)
	}
	isb();
}

void hal_guest_irq_load(struct guest_ctx *ctx)
{
	if (ctx && bm_self()->loaded == ctx) {
		ICH_REGS(ICH_LOAD)
	}
}

/* A list register ICH_ELRSR_EL2 reports empty (no interrupt in it, no EOI maintenance
 * owed) reads as state invalid, which is all vgic_sync looks at: it is not read. */
#define ICH_ELRSR_EL2 S3_4_C12_C11_5
#define LR_SAVE(n, reg) ctx->ich_lr[n] = (empty & (1u << (n))) ? 0 : sysreg_read(reg);

void hal_guest_irq_save(struct guest_ctx *ctx)
{
	if (ctx && bm_self()->loaded == ctx) {
		uint64_t empty = sysreg_read(ICH_ELRSR_EL2);
		LR_SAVE(0, S3_4_C12_C12_0)
		LR_SAVE(1, S3_4_C12_C12_1)
		LR_SAVE(2, S3_4_C12_C12_2)
		LR_SAVE(3, S3_4_C12_C12_3)
		ICH_SAVE(ich_ap0r[0], S3_4_C12_C8_0)
		ICH_SAVE(ich_ap1r[0], S3_4_C12_C9_0)
		ICH_SAVE(ich_vmcr, S3_4_C12_C11_7)
		ICH_SAVE(ich_hcr, S3_4_C12_C11_0)
		/* No virtual interface (nor its maintenance interrupt) while the host
		 * runs with the vGIC's view of it. */
		sysreg_write(S3_4_C12_C11_0, 0);
	}
}

/* From world.S on an FP/SIMD access trapped by CPTR_EL2.TFP: the first since the vCPU
 * was loaded loads its V registers and turns the trap off, invisible above, and the
 * guest is entered again (true); any other goes to the run loop. */
bool bm_fp_first(struct guest_ctx *ctx)
{
	struct bm_cpu *self = bm_self();

	if (self->fp_loaded)
		return false;
	cptr_tfp(false);
	bm_fp_load(ctx);
	self->fp_loaded = true;
	return true;
}

/* Enter ctx with HCR_EL2 as the vCPU has it; world.S records each exit in *exit, answers
 * what it can, and returns here with one it did not answer. */
int hal_guest_enter(struct guest_ctx *ctx, struct guest_exit *exit)
{
	struct bm_cpu *self = bm_self();

	if (!ctx || !exit)
		return -EINVAL;
	if (self->loaded != ctx)
		hal_guest_load(ctx); /* core loads it first (vcpu_load): a safety net */
	if (ctx->hcr_el2 != self->hcr) {
		sysreg_write(hcr_el2, ctx->hcr_el2);
		self->hcr = ctx->hcr_el2;
	}
	/* A debugger attaches to a vCPU that is put (MDCR_EL2.TDE, arch/aarch64/gdb.c),
	 * but one changed while loaded must not wait for the next load either. */
	if (ctx->mdcr_el2 != self->mdcr) {
		sysreg_write(mdcr_el2, (ctx->mdcr_el2 & ~MDCR_HPMN_MASK) | self->hpmn);
		self->mdcr = ctx->mdcr_el2;
	}
	/* Not left to the ERET: with FEAT_ExS and SCTLR_EL2.EOS clear an exception return
	 * does not synchronise the context. */
	isb();
	self->exit = exit;
	bm_guest_run(ctx);
	/* A virtual SError the guest has taken is no longer pending (the hardware clears
	 * HCR_EL2.VSE when it delivers one). */
	if (self->hcr & HCR_VSE) {
		uint64_t hcr = sysreg_read(hcr_el2);
		if (!(hcr & HCR_VSE))
			ctx->hcr_el2 = self->hcr = hcr;
	}
	return 0;
}

/* PAR_EL1 after an address translation instruction (Arm ARM D24.2.142): F[0] set if it
 * faulted; otherwise the output address in PA[51:12] (bits [47:12] without FEAT_LPA). */
#define PAR_F 1ull
#define PAR_PA_MASK 0x000FFFFFFFFFF000ull

/* Decoding runs right after hal_guest_enter returned, and nothing on that path writes an
 * EL1 translation register, VTTBR_EL2 or HCR_EL2: the guest's EL1&0 regime is still the
 * one in the hardware, so AT S1E1R translates as the guest's own EL1 read would. Its
 * stage-1 walk goes through the guest's stage 2 (HCR_EL2.VM), and a fault on it is
 * reported in PAR_EL1, not taken, because the instruction runs at EL2. */
int hal_guest_translate(gva_t gva, gpa_t *gpa)
{
	uint64_t va = gva_bits(gva);

	if (!gpa)
		return -EINVAL;
	uint64_t saved = sysreg_read(par_el1); /* the guest's: it gets it back */
	__asm__ volatile("at s1e1r, %0" ::"r"(va));
	isb();
	uint64_t par = sysreg_read(par_el1);
	sysreg_write(par_el1, saved);
	if (par & PAR_F)
		return -EFAULT;
	*gpa = gpa_make((par & PAR_PA_MASK) | (va & 0xFFF));
	return 0;
}

bool hal_guest_vtimer_live(void)
{
	return true; /* CNTV_* are the guest's while it is loaded; its PPI comes here */
}

void hal_guest_tlb_flush(uint64_t s2root)
{
	uint64_t mine = sysreg_read(vttbr_el2);

	/* TLBI VMALLS12E1IS acts on the current VMID: borrow the VM's for the moment. */
	dsb_ish();
	sysreg_write(vttbr_el2, s2root);
	isb();
	__asm__ volatile("tlbi vmalls12e1is\n dsb ish" ::: "memory");
	sysreg_write(vttbr_el2, mine);
	isb();
}

/* An aarch64 guest's TLBI instructions from EL1 are broadcast in its Inner Shareable
 * domain by the hardware (Arm ARM D8.13): no pCPU keeps first-stage entries the guest
 * has invalidated, wherever its vCPUs ran, and Tandem has nothing to add. */
void hal_guest_tlb_flush_vs(uint64_t s2root, uint16_t asid, bool all_asids, gva_t va,
			    uint64_t size)
{
	(void)s2root, (void)asid, (void)all_asids, (void)va, (void)size;
}

/* ESR_EL2.ISV describes every access Tandem emulates; an access it does not describe
 * gets an abort, never a decoded guess (arch/aarch64/exit.c). */
int hal_guest_fetch_insn(gva_t pc, uint32_t *insn)
{
	(void)pc, (void)insn;
	return -ENOSYS;
}
