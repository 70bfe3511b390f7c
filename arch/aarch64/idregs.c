/* The feature ID registers a guest reads (op0 3, op1 0, CRn 0, CRm 1-7: ID_PFR0_EL1 to
 * the ID_AA64* registers and the unallocated encodings between them). HCR_EL2.TID3
 * traps every read, and the guest gets the pCPU's value with what Tandem does not give
 * a guest hidden, as KVM does: no EL2 (a guest runs at EL1 and has no hypervisor mode
 * to enter: ID_AA64PFR0.EL2 and ID_PFR1.Virtualization read 0), no PMU (its registers
 * are trapped and refused, MDCR_EL2 TPM), no statistical profiling, trace, branch
 * records, SVE, SME, MTE, MPAM or activity monitors (none of their state is switched between VMs), and nothing of the
 * implementation-defined auxiliary registers. The debug architecture cannot be hidden
 * from an Armv8 guest and stays: Tandem emulates the debug registers (debug.c). Every
 * encoding reads as a value, never an UNDEF; writes are UNDEFINED, as on hardware.
 * Field positions: Arm ARM D19.2 (the ID register descriptions). */
#include <stddef.h>

#include "arch/aarch64/arch.h"
#include "arch/aarch64/sysreg.h"
#include "hal/cpu.h"
#include "hal/err.h"

#define FIELD(lsb) (0xFull << (lsb))
#define ALL ~0ull

struct id_hide {
	uint8_t crm, op2;
	uint64_t hide; /* fields that read as zero */
};

static const struct id_hide hidden[] = {
	{ 1, 1, FIELD(12) },                                  /* ID_PFR1_EL1.Virtualization */
	{ 1, 2, FIELD(24) },                                  /* ID_DFR0_EL1.PerfMon */
	{ 4, 0, FIELD(8) | FIELD(32) | FIELD(40) | FIELD(44) | FIELD(52) },
	/* ID_AA64PFR0: EL2, SVE, MPAM, AMU, RME */
	{ 4, 1, FIELD(8) | FIELD(16) | FIELD(24) },           /* ID_AA64PFR1: MTE,
								 * MPAM_frac, SME */
	{ 4, 4, ALL },                                        /* ID_AA64ZFR0_EL1: SVE */
	{ 4, 5, ALL },                                        /* ID_AA64SMFR0_EL1: SME */
	{ 5, 0, FIELD(4) | FIELD(8) | FIELD(32) | FIELD(40) | FIELD(44) | FIELD(48) | FIELD(52) },
	/* ID_AA64DFR0: TraceVer, PMUVer, PMSVer, TraceFilt, TraceBuffer, MTPMU, BRBE */
	{ 5, 1, ALL },                                        /* ID_AA64DFR1_EL1 */
	{ 5, 4, ALL },                                        /* ID_AA64AFR0_EL1 */
	{ 5, 5, ALL },                                        /* ID_AA64AFR1_EL1 */
};

bool arch_id_reg(uint32_t id, unsigned *crm, unsigned *op2)
{
	unsigned m = (unsigned)(id >> 1) & 0xF, o = (unsigned)(id >> 17) & 7;

	if ((id & ~(uint32_t)(SYSREG_ISS(0, 0, 0, 0xF, 7))) != SYSREG_ISS(3, 0, 0, 0, 0) || m == 0)
		return false;
	*crm = m;
	*op2 = o;
	return true;
}

uint64_t arch_id_reg_value(unsigned crm, unsigned op2)
{
	uint64_t v = hal_cpu_id_reg(crm, op2);

	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (hidden[i].crm == crm && hidden[i].op2 == op2)
			v &= ~hidden[i].hide;
	return v;
}
