/* aarch64 trap decoding: one handler per ESR_EL2 exception class, found through a
 * 64-entry table (as Linux KVM's handle_exit.c and Bao do). Every class without a
 * handler, and every guest mistake, becomes an exception injected into the guest,
 * never a host crash. Works on the saved trap state only, so it runs the same under
 * the simulation host's guest engine and at EL2. */
#include "arch/aarch64/arch.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/pt_format.h"
#include "hal/err.h"
#include "hal/guest.h"

typedef void (*ec_handler_t)(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit);

static void ec_undef(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	(void)iss;
	(void)v;
	exit->kind = EXIT_NOTHING;
	exit->outcome = EXIT_INJECT_UNDEF; /* arch_vcpu_complete injects it, core counts it */
}

/* ISS.TI (ESR_EL2 for EC 0x01): bit 0 set for WFE (and WFET), clear for WFI (WFIT). A
 * WFI waits for an interrupt, which Tandem delivers: block until there is one. A WFE
 * waits for an event, which may be a store of another vCPU that no interrupt announces
 * (a lock released): blocking could be for ever, so it yields the pCPU instead. */
static void ec_wfx(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	v->pc_advance = true;
	exit->kind = (iss & ISS_WFX_TI_WFE) ? EXIT_YIELD : EXIT_HALT;
}

static void ec_hvc(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	/* ELR_EL2 already points past an HVC. */
	psci_decode(v, (uint16_t)ISS_IMM16(iss), exit);
}

static void ec_smc(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	/* A trapped SMC (HCR_EL2.TSC) leaves ELR_EL2 at the SMC itself. */
	v->pc_advance = true;
	psci_decode(v, (uint16_t)ISS_IMM16(iss), exit);
}

static void ec_sys64(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	bool read = iss & ISS_SYS_DIR_READ;
	uint8_t rt = (uint8_t)ISS_SYS_RT(iss);

	uint32_t id = (uint32_t)ISS_SYS_ID(iss);

	v->pc_advance = true;
	exit->kind = read ? EXIT_SYSREG_READ : EXIT_SYSREG_WRITE;
	exit->u.sysreg.id = id;
	exit->u.sysreg.reg = rt;
	exit->u.sysreg.value = read ? 0 : arch_vcpu_get_gpr(v, rt);
	if (read)
		return;
	if (id == SYSREG_ICC_SGI1R)
		exit->kind = EXIT_IPI; /* Group 1 SGIs: core sends them through the vGIC */
	else if (id == SYSREG_ICC_SGI0R || id == SYSREG_ICC_ASGI1R)
		exit->kind = EXIT_NOTHING; /* every interrupt is Group 1, non-secure: nothing to send */
}

static bool fsc_is_stage2_fault(uint64_t fsc)
{
	return fsc >= FSC_TRANS_L0 && fsc <= FSC_PERM_L0 + 3;
}

/* HPFAR_EL2 is written for a stage-2 translation, access-flag or address-size fault of
 * the access, and for any stage-2 fault on the translation of a stage-1 table walk
 * (S1PTW); for every other exception, a stage-2 permission fault of the access itself
 * among them, it is UNKNOWN (Arm ARM DDI 0487, D24.2.76 HPFAR_EL2). */
static bool hpfar_valid(uint64_t iss)
{
	uint64_t fsc = ISS_FSC(iss);

	return (iss & ISS_DABT_S1PTW) || fsc < FSC_PERM_L0 || fsc > FSC_PERM_L0 + 3;
}

static uint64_t hpfar_page(const struct arch_vcpu *v)
{
	return (v->trap.hpfar & HPFAR_FIPA_MASK) << 8;
}

/* The faulting guest-physical address, where HPFAR_EL2 holds its page (hpfar_valid). */
static gpa_t hpfar_gpa(const struct arch_vcpu *v)
{
	return gpa_make(hpfar_page(v) | (v->trap.far & 0xFFF));
}

/* The guest-virtual address FAR_EL2 reports for an abort. */
static gva_t far_va(const struct arch_vcpu *v)
{
	return gva_make(v->trap.far);
}

/* The guest-physical address of a stage-2 fault, into exit->u.fault. false if there is
 * none to act on: the hardware could not translate FAR_EL2 either, so the guest changed
 * its tables since the access, and the access must simply run again. */
static bool fault_address(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	gpa_t gpa = gpa_make(0);

	exit->u.fault.va = far_va(v); /* valid for these faults: ISS.FnV is for external aborts */
	if (iss & ISS_DABT_S1PTW) {
		/* A descriptor read by the walk: which one in the page is not reported, and
		 * FAR_EL2's offset is the access's, not the descriptor's. */
		exit->u.fault.gpa = gpa_make(hpfar_page(v));
		return true;
	}
	if (hpfar_valid(iss)) {
		exit->u.fault.gpa = hpfar_gpa(v);
		return true;
	}
	/* Ask the hardware's stage 1 now, with the guest's EL1 registers still loaded
	 * (this runs on the exit path, before the pCPU enters anything else). */
	int err = hal_guest_translate(far_va(v), &gpa);
	if (err == -ENOSYS) {
		exit->u.fault.gpa_unknown = true; /* core walks the tables in software */
		return true;
	}
	exit->u.fault.gpa = gpa;
	return err == 0;
}

/* Stage-2 fault without an address to act on: back to the guest, same instruction. */
static void retry_access(struct vm_exit *exit)
{
	exit->kind = EXIT_NOTHING;
	exit->outcome = EXIT_RETRY;
}

/* What an instruction or data abort leaves to act on: false if it was dealt with here
 * (not a stage-2 fault: the guest's own abort, injected; no address: retried); true
 * with exit->u.fault's addresses set. */
static bool abort_to_act_on(struct arch_vcpu *v, uint64_t iss, bool insn, struct vm_exit *exit)
{
	if (!fsc_is_stage2_fault(ISS_FSC(iss))) {
		arch_inject_abort(v, insn, far_va(v));
		exit->kind = EXIT_NOTHING;
		return false;
	}
	if (!fault_address(v, iss, exit)) {
		retry_access(exit);
		return false;
	}
	return true;
}

static void ec_iabt(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	if (!abort_to_act_on(v, iss, true, exit))
		return;
	exit->kind = EXIT_STAGE2_FAULT;
	exit->u.fault.access = PT_X;
}

/* A data abort's stage-2 fault as an access, described for MMIO emulation if the
 * hardware fully described it; exit->u.fault.gpa is set. */
static inline void dabt_access(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	bool write = (iss & ISS_DABT_WNR) && !(iss & ISS_DABT_S1PTW);
	exit->kind = EXIT_STAGE2_FAULT;
	exit->u.fault.access = write ? PT_W : PT_R;
	/* Only a fully described access (ISV=1, not on a stage-1 walk) may be emulated;
	 * without it, an MMIO access gets an abort, never a guess. */
	if (!(iss & ISS_DABT_ISV) || (iss & ISS_DABT_S1PTW))
		return;
	struct exit_mmio *m = &exit->mmio;
	exit->mmio_valid = true;
	m->addr = exit->u.fault.gpa; /* core fills it in if gpa_unknown */
	m->width = (uint8_t)(1u << ISS_DABT_SAS(iss));
	m->reg = (uint8_t)ISS_DABT_SRT(iss);
	m->sign_extend = iss & ISS_DABT_SSE;
	m->reg64 = iss & ISS_DABT_SF;
	m->acq_rel = iss & ISS_DABT_AR;
	m->value = 0;
	if (write) {
		uint64_t val = arch_vcpu_get_gpr(v, m->reg);
		m->value = m->width == 8 ? val : val & ((1ull << (8 * m->width)) - 1);
	}
	v->pc_advance = true;
}

/* Every data abort but the common one: not a stage-2 fault, on a stage-1 walk, or
 * without HPFAR_EL2. Out of line, so that the common case makes no call. */
__attribute__((noinline)) static void dabt_rare(struct arch_vcpu *v, uint64_t iss,
						struct vm_exit *exit)
{
	if (abort_to_act_on(v, iss, false, exit))
		dabt_access(v, iss, exit);
}

/* The common case inline: a stage-2 fault of the access itself, HPFAR_EL2 valid (as
 * fault_address has it). */
static void ec_dabt(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	if (!fsc_is_stage2_fault(ISS_FSC(iss)) || (iss & ISS_DABT_S1PTW) || !hpfar_valid(iss)) {
		dabt_rare(v, iss, exit);
		return;
	}
	exit->u.fault.va = far_va(v);
	exit->u.fault.gpa = hpfar_gpa(v);
	dabt_access(v, iss, exit);
}

/* A BRK or a software step. They come here only while a debugger is attached
 * (MDCR_EL2.TDE set, arch_vcpu_debug_attach): core's stub decides whether it caused the
 * exception or the guest gets it back (EXIT_REINJECT). The preferred return address of
 * both is the PC left in the context: the BRK itself, the instruction not yet
 * stepped. */
static void ec_debug(struct arch_vcpu *v, uint64_t iss, struct vm_exit *exit)
{
	exit->kind = EXIT_DEBUG;
	exit->u.debug.step = ESR_EC(v->trap.esr) != EC_BRK64;
	exit->u.debug.imm = exit->u.debug.step ? 0 : (uint16_t)ISS_IMM16(iss);
	exit->u.debug.pc = gva_make(v->ctx.pc);
}

/* Hardware breakpoints and watchpoints (0x30, 0x34) never come here: Tandem does not
 * use them and the guest's own stay in its vCPU (debug.c), so one that did would get
 * the UNDEF of any unexpected class. */
static const ec_handler_t ec_handlers[EC_MAX + 1] = {
	[EC_SSTEP_LOW] = ec_debug,
	[EC_SSTEP_CUR] = ec_debug,
	[EC_BRK64] = ec_debug,
	[EC_WFx] = ec_wfx,
	[EC_HVC64] = ec_hvc,
	[EC_SMC64] = ec_smc,
	[EC_SYS64] = ec_sys64,
	[EC_IABT_LOW] = ec_iabt,
	[EC_DABT_LOW] = ec_dabt,
};

void arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap, struct vm_exit *exit)
{
	*exit = (struct vm_exit){ .kind = EXIT_NOTHING, .outcome = EXIT_RESUME };
	if (trap != &v->trap)
		v->trap = *trap;
	v->pc_advance = false;
	v->psci_fid = 0;
	switch (trap->type) {
	case TRAP_IRQ:
	case TRAP_FIQ:
		exit->kind = EXIT_EXT_IRQ;
		return;
	case TRAP_SERROR:
		/* A physical SError while the guest ran is the guest's: hand it a virtual one. */
		v->ctx.hcr_el2 |= HCR_VSE;
		return;
	case TRAP_SYNC:
		break;
	default:
		ec_undef(v, 0, exit);
		return;
	}
	ec_handler_t h = ec_handlers[ESR_EC(trap->esr)];
	(h ? h : ec_undef)(v, ESR_ISS(trap->esr), exit);
}

/* What a load of 1 << sas bytes leaves in its register (the syndrome's SAS, SSE, SF):
 * the value cut to that width, sign-extended if sse, cut to 32 bits unless sf. Inline:
 * the early handler's loads use it too. */
static inline uint64_t load_result(uint64_t value, unsigned sas, bool sse, bool sf)
{
	static const uint64_t width_mask[4] = { 0xFF, 0xFFFF, 0xFFFFFFFF, ~0ull };

	if (sse) {
		unsigned shift = 64 - (8u << sas);
		value = (uint64_t)((int64_t)(value << shift) >> shift);
	} else {
		value &= width_mask[sas];
	}
	if (!sf)
		value = (uint32_t)value;
	return value;
}

static uint64_t mmio_read_result(const struct exit_mmio *m)
{
	return load_result(m->value, (unsigned)__builtin_ctz(m->width), m->sign_extend, m->reg64);
}

/* ---- Exits answered where they are taken (arch/exit.h) ------------------------------ */

/* The load of the register in slot s (found for it), 1 << sas bytes: answered unless
 * the slot takes no such width (an empty one takes none) or the device must be asked.
 * The result as a load through core leaves it (load_result). */
static inline enum hal_early load_from(struct guest_ctx *ctx, const struct exit_early_slot *s,
				       uint64_t esr, unsigned sas)
{
	if (!((s->key >> sas) & 1))
		return HAL_EARLY_NO;
	uint64_t value = __atomic_load_n(s->value, __ATOMIC_ACQUIRE);
	if (value & MMIO_SHADOW_ASK)
		return HAL_EARLY_NO;
	unsigned rt = (unsigned)ISS_DABT_SRT(esr);
	if (rt < 31)
		ctx->x[rt] = load_result(value, sas, esr & ISS_DABT_SSE, esr & ISS_DABT_SF);
	ctx->pc += 2 + ((esr >> 24) & 2); /* ESR_EL2.IL (bit 25): 4 bytes, else 2 */
	ctx->early_reads++;
	return rt >= 19 ? HAL_EARLY_ANSWERED_KEPT : HAL_EARLY_ANSWERED; /* X19-X29 (X30: too) */
}

/* A register not in its home slot: the rest of the probe and the load, out of line
 * (a tail call, so that the common case needs no frame). */
__attribute__((noinline, cold)) static enum hal_early
load_probed(struct guest_ctx *ctx, uint64_t esr, uint64_t gpa, unsigned sas)
{
	const struct exit_early_slot *s = exit_early_find(ctx->early, gpa);

	return s ? load_from(ctx, s, esr, sas) : HAL_EARLY_NO;
}

/* A load of a shadowed register: the common data abort of ec_dabt (ISV set, a read,
 * not on a stage-1 walk; a translation or access-flag fault, whose HPFAR_EL2 is valid:
 * FSC 0x04-0x0B) with a shadow for its address and width that does not ask for the
 * device. */
static enum hal_early early_load(struct guest_ctx *ctx, const struct guest_exit *trap,
				 uint64_t esr)
{
	const struct exit_early *t = ctx->early;

	if (ISS_FSC(esr) - FSC_TRANS_L0 >= FSC_PERM_L0 - FSC_TRANS_L0 || !t)
		return HAL_EARLY_NO; /* (ISV, a read, not on a walk: arch_exit_early) */
	uint64_t gpa = ((trap->hpfar & HPFAR_FIPA_MASK) << 8) | (trap->far & 0xFFF);
	unsigned sas = (unsigned)ISS_DABT_SAS(esr);
	/* The home slot decides almost always (exit_early_find). */
	const struct exit_early_slot *s = &t->slot[exit_early_slot(gpa)];
	if (s->key >> 4 != gpa)
		return load_probed(ctx, esr, gpa, sas);
	return load_from(ctx, s, esr, sas);
}

enum hal_early arch_exit_early(struct guest_ctx *ctx, const struct guest_exit *trap)
{
	uint64_t esr = trap->esr, ec = ESR_EC(esr);
	int64_t value;

	/* The tests of arch_exit_early_candidate, in the order that suits the calls. */
	if (trap->type != TRAP_SYNC || ctx->no_early)
		return HAL_EARLY_NO;
	if ((ec | 1) == EC_SMC64) { /* HVC64 (0x16) or SMC64 (0x17) */
		if (!psci_answer(ctx->x[0], ctx->x[1], (uint16_t)ISS_IMM16(esr), &value))
			return HAL_EARLY_NO;
		ctx->x[0] = (uint64_t)value;
		if (ec == EC_SMC64)
			ctx->pc += 4; /* as ec_smc: ELR_EL2 is at the SMC itself */
		ctx->early_calls++;
		return HAL_EARLY_ANSWERED;
	}
	if (ec != EC_DABT_LOW ||
	    (esr & (ISS_DABT_ISV | ISS_DABT_WNR | ISS_DABT_S1PTW)) != ISS_DABT_ISV)
		return HAL_EARLY_NO;
	return early_load(ctx, trap, esr);
}

/* Here, beside arch_vcpu_decode, so that the compiler can inline it: one call less
 * on every exit. */
int arch_vcpu_run(struct arch_vcpu *v, struct vm_exit *exit)
{
	int err = hal_guest_enter(&v->ctx, &v->trap); /* straight where decoding keeps it */

	if (err) {
		*exit = (struct vm_exit){ .kind = EXIT_ENTRY_FAILED, .outcome = EXIT_RESUME };
		return err;
	}
	arch_vcpu_decode(v, &v->trap, exit);
	return 0;
}

/* Past the instruction that exited, if the exit asked for it. ESR_EL2.IL: a 32-bit
 * instruction (every A64 one), or a 16-bit T32 one of an AArch32 EL0 (a WFI, a load
 * or store) with IL clear. */
static inline void advance_pc(struct arch_vcpu *v)
{
	if (v->pc_advance) {
		v->ctx.pc += (v->trap.esr & ESR_IL) ? 4 : 2;
		/* An instruction Tandem emulates completes a single step: the step
		 * exception is taken at the next entry, before anything runs (D2.12). */
		v->ctx.pstate &= ~PSR_SS;
		v->pc_advance = false;
	}
}

/* The completions that call out, out of line, so that the common ones make no call. */
__attribute__((noinline)) static void complete_rare(struct arch_vcpu *v,
						    const struct vm_exit *exit)
{
	switch (exit->outcome) {
	case EXIT_INJECT_UNDEF:
		arch_inject_undef(v);
		return;
	case EXIT_INJECT_ABORT:
		arch_inject_abort(v, exit->kind == EXIT_STAGE2_FAULT && exit->u.fault.access == PT_X,
				  far_va(v));
		return;
	case EXIT_REINJECT:
		arch_inject_debug(v);
		return;
	case EXIT_RETRY:
		return;
	case EXIT_RESUME:
		break;
	}
	psci_complete(v, exit); /* a PSCI call that went to core (v->psci_fid) */
	advance_pc(v);
}

void arch_vcpu_complete(struct arch_vcpu *v, const struct vm_exit *exit)
{
	if (exit->outcome != EXIT_RESUME || v->psci_fid) {
		complete_rare(v, exit);
		return;
	}
	if (exit->kind == EXIT_HYPERCALL)
		v->ctx.x[0] = (uint64_t)(exit->ret < 0 ? PSCI_RET_NOT_SUPPORTED : exit->ret);
	else if (exit->kind == EXIT_SYSREG_READ)
		arch_vcpu_set_gpr(v, exit->u.sysreg.reg, exit->u.sysreg.value);
	else if (exit->mmio_valid && exit->kind == EXIT_MMIO_READ)
		arch_vcpu_set_gpr(v, exit->mmio.reg, mmio_read_result(&exit->mmio));
	advance_pc(v);
}
