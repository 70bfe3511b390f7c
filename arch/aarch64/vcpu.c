/* The aarch64 vCPU: its reset state, register access and the run step that enters the
 * guest through the HAL and decodes the trap it comes back with. */
#include <stddef.h>

#include "arch/aarch64/arch.h"
#include "arch/aarch64/stage2.h"
#include "arch/aarch64/sysreg.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/guest.h"

/* What every guest of Tandem runs with: stage 2 on, physical interrupts and aborts
 * routed to EL2, WFI/WFE and SMC trapped (an SMC must never reach the firmware),
 * implementation-defined registers trapped so that they can be refused, and the feature
 * ID registers trapped so that a guest sees only what Tandem virtualises (idregs.c). WFE's trap is
 * the scheduler's to turn off (arch_vcpu_trap_wfe) while nobody else wants the pCPU. */
#define GUEST_HCR (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_INNER | \
		   HCR_TWI | HCR_TWE | HCR_TSC | HCR_TID3 | HCR_TIDCP | HCR_TACR | HCR_RW)

/* MDCR_EL2: every PMU register traps (TPM, and TPMCR for PMCR_EL0), and so does every
 * debug register (TDA, TDOSA, TDRA): a guest reaches neither the pCPU's counters nor
 * its breakpoints and watchpoints, which whatever runs next would inherit. TDE stays
 * clear: a guest's own debug exceptions (BRK, software step) go to its EL1. HPMN is
 * the host's to fill (the pCPU's PMCR_EL0.N). */
#define GUEST_MDCR (MDCR_TPMCR | MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA)

/* The MIDR the guest sees: a Cortex-A72 r0p3, the CPU QEMU's virt board is run with. */
#define GUEST_MIDR 0x410FD083ull

int arch_vm_s2_setup(struct pt_format *fmt, uint64_t *vtcr)
{
	static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned pa_bits = hal_cpu_pa_bits();

	for (unsigned parange = 0; parange < sizeof(bits) / sizeof(bits[0]); parange++)
		if (bits[parange] == pa_bits)
			return aarch64_s2_setup(parange, fmt, vtcr);
	return -EINVAL;
}

uint64_t arch_vcpu_hwid(unsigned index)
{
	return mpidr_of_vcpu_index(index);
}

void arch_vcpu_init(struct arch_vcpu *v, unsigned index)
{
	*v = (struct arch_vcpu){ .index = index };
	v->ctx.pstate = PSR_MODE_EL1h | PSR_D | PSR_A | PSR_I | PSR_F;
	v->ctx.hcr_el2 = GUEST_HCR;
	v->ctx.mdcr_el2 = GUEST_MDCR;
	v->dbg.oslk = true; /* as after a cold reset */
	v->ctx.vmpidr_el2 = MPIDR_RES1 | arch_vcpu_hwid(index);
	v->ctx.vpidr_el2 = GUEST_MIDR;
	v->ctx.el1[SCTLR_EL1] = SCTLR_EL1_RESET;
}

void arch_vcpu_set_entry(struct arch_vcpu *v, gpa_t entry, uint64_t arg)
{
	for (unsigned i = 0; i < 31; i++)
		v->ctx.x[i] = 0;
	v->ctx.x[0] = arg;
	v->ctx.pc = gpa_bits(entry); /* the MMU is off at entry: VA == IPA */
	v->ctx.pstate = PSR_MODE_EL1h | PSR_D | PSR_A | PSR_I | PSR_F;
}

void arch_vcpu_trap_wfe(struct arch_vcpu *v, bool trap)
{
	v->ctx.hcr_el2 = trap ? v->ctx.hcr_el2 | HCR_TWE : v->ctx.hcr_el2 & ~HCR_TWE;
}

/* VTTBR_EL2 (D24.2.204): the VMID in bits 63:48 over the root table's address. */
static uint64_t vttbr(paddr_t root, uint16_t vmid)
{
	return ((uint64_t)vmid << 48) | (pa_bits(root) & S2_OA_MASK);
}

void arch_vcpu_set_s2(struct arch_vcpu *v, paddr_t root, uint16_t vmid, uint64_t vtcr)
{
	v->ctx.vttbr_el2 = vttbr(root, vmid);
	v->ctx.vtcr_el2 = vtcr;
}

void arch_vm_s2_flush(paddr_t root, uint16_t vmid)
{
	hal_guest_tlb_flush(vttbr(root, vmid));
}

int arch_vcpu_translate(const struct arch_vcpu *v, gva_t va, arch_guest_read_fn read,
			void *ctx, gpa_t *gpa)
{
	const struct s1_regs regs = {
		.sctlr = arch_vcpu_el1(v, SCTLR_EL1), .tcr = arch_vcpu_el1(v, TCR_EL1),
		.ttbr0 = arch_vcpu_el1(v, TTBR0_EL1), .ttbr1 = arch_vcpu_el1(v, TTBR1_EL1),
		.pa_bits = hal_cpu_pa_bits(), /* the guest sees the PE's PARange */
	};
	struct s1_result r;
	int err = s1_translate(&regs, va, read, ctx, &r);

	if (!err)
		*gpa = r.ipa;
	return err;
}

void arch_vcpu_set_return(struct arch_vcpu *v, uint64_t value)
{
	v->ctx.x[0] = value;
}

void arch_vcpu_load(struct arch_vcpu *v)
{
	hal_guest_load(&v->ctx);
}

void arch_vcpu_put(struct arch_vcpu *v)
{
	hal_guest_put(&v->ctx);
}

unsigned arch_vcpu_trap_words(const struct arch_vcpu *v, const char **names, uint64_t *values,
			      unsigned max)
{
	static const char *const n[3] = { "esr", "far", "hpfar" };
	const uint64_t w[3] = { v->trap.esr, v->trap.far, v->trap.hpfar };
	unsigned k = max < 3 ? max : 3;

	for (unsigned i = 0; i < k; i++) {
		names[i] = n[i];
		values[i] = w[i];
	}
	return k;
}

int arch_vcpu_trap_pc(const struct arch_vcpu *v, gva_t *pc)
{
	unsigned ec = (unsigned)ESR_EC(v->trap.esr);

	/* An AArch32 EL0's instruction may be a 16-bit T32 one: not an A64 word to show. */
	if (v->trap.type != TRAP_SYNC || ec == EC_SSTEP_LOW || ec == EC_SSTEP_CUR ||
	    (v->ctx.pstate & PSR_MODE_AARCH32))
		return -ENOENT;
	*pc = gva_make(ec == EC_HVC64 ? v->ctx.pc - 4 : v->ctx.pc);
	return 0;
}
