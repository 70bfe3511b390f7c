/* The guest engine's PMU and self-hosted debug registers, as the Cortex-A72 QEMU runs
 * has them (PMUv3 without PMMIR_EL1; 6 breakpoints, 4 watchpoints): which MDCR_EL2
 * control traps an access to each (Arm ARM, MDCR_EL2.TPM/TPMCR/TDA/TDOSA/TDRA), and,
 * for an access that is not trapped, the physical register it reaches. Those are one
 * bank per pCPU, shared by every vCPU that runs there, as on the hardware: what one VM
 * writes there another reads, which is what trapping them is for. Each bank is only
 * touched by its own pCPU's thread. */
#include <string.h>

#include "arch/aarch64/sysreg.h"
#include "hal-sim/engine.h"
#include "hal/cpu.h"

#define ENGINE_BRPS 6
#define ENGINE_WRPS 4
#define BANK_REGS 48

/* The PMU registers (op0 3): PMCR_EL0 .. PMCEID1_EL0 (CRm 12), PMCCNTR_EL0,
 * PMXEVTYPER_EL0, PMXEVCNTR_EL0 (CRm 13), PMUSERENR_EL0, PMOVSSET_EL0 (CRm 14),
 * PMEVCNTR<n>_EL0 / PMEVTYPER<n>_EL0 for n = 0 .. 30 and PMCCFILTR_EL0 (CRn 14),
 * PMINTENSET_EL1 / PMINTENCLR_EL1. */
static bool pmu_reg(const struct a64_sysreg *s)
{
	if (s->op0 != 3)
		return false;
	if (s->op1 == 0)
		return s->crn == 9 && s->crm == 14 && (s->op2 == 1 || s->op2 == 2);
	if (s->op1 != 3)
		return false;
	if (s->crn == 9)
		return s->crm == 12 || (s->crm == 13 && s->op2 <= 2) ||
		       (s->crm == 14 && (s->op2 == 0 || s->op2 == 3));
	/* CRn 14, CRm 0b10:n[4:3] / 0b11:n[4:3], op2 n[2:0]: n = 31 is only PMCCFILTR_EL0. */
	return s->crn == 14 && s->crm >= 8 && !(s->crm == 11 && s->op2 == 7);
}

/* The debug registers (op0 2) and the MDCR_EL2 control that traps each, 0 for none. */
static uint64_t debug_reg(const struct a64_sysreg *s)
{
	unsigned crm_op2 = s->crm << 3 | s->op2;

	if (s->op0 != 2)
		return 0;
	if (s->op1 == 0 && s->crn == 0) {
		if (s->op2 >= 4) /* DBGBVR/DBGBCR<n> (op2 4, 5), DBGWVR/DBGWCR<n> (6, 7) */
			return s->crm < (s->op2 < 6 ? ENGINE_BRPS : ENGINE_WRPS) ? MDCR_TDA : 0;
		/* OSDTRRX_EL1, MDCCINT_EL1, MDSCR_EL1, OSDTRTX_EL1, OSECCR_EL1 */
		return crm_op2 == 002 || crm_op2 == 020 || crm_op2 == 022 || crm_op2 == 032 ||
				       crm_op2 == 062
			       ? MDCR_TDA
			       : 0;
	}
	if (s->op1 == 0 && s->crn == 1) {
		if (crm_op2 == 000) /* MDRAR_EL1 */
			return MDCR_TDRA;
		/* OSLAR_EL1, OSLSR_EL1, OSDLR_EL1, DBGPRCR_EL1 */
		return s->op2 == 4 && (s->crm == 0 || s->crm == 1 || s->crm == 3 || s->crm == 4)
			       ? MDCR_TDOSA
			       : 0;
	}
	/* DBGCLAIMSET_EL1, DBGCLAIMCLR_EL1, DBGAUTHSTATUS_EL1 */
	if (s->op1 == 0 && s->crn == 7)
		return s->op2 == 6 && (s->crm == 8 || s->crm == 9 || s->crm == 14) ? MDCR_TDA : 0;
	/* MDCCSR_EL0, DBGDTR_EL0, DBGDTRRX_EL0 / DBGDTRTX_EL0 */
	if (s->op1 == 3 && s->crn == 0)
		return s->op2 == 0 && (s->crm == 1 || s->crm == 4 || s->crm == 5) ? MDCR_TDA : 0;
	return 0;
}

uint64_t engine_mdcr_traps(const struct a64_sysreg *s)
{
	if (pmu_reg(s)) /* PMCR_EL0 also traps with TPMCR */
		return s->crn == 9 && s->crm == 12 && s->op2 == 0 ? MDCR_TPM | MDCR_TPMCR : MDCR_TPM;
	return debug_reg(s);
}

bool engine_mdcr_trapped(uint64_t mdcr_el2, const struct a64_sysreg *s)
{
	/* With TDE set, TDA, TDOSA and TDRA act as 1 whatever they hold. */
	if (mdcr_el2 & MDCR_TDE)
		mdcr_el2 |= MDCR_TDA | MDCR_TDOSA | MDCR_TDRA;
	return (engine_mdcr_traps(s) & mdcr_el2) != 0;
}

struct phys_reg {
	uint32_t id; /* 0: free */
	uint64_t value;
};

static struct phys_reg banks[HAL_MAX_PCPUS][BANK_REGS];

void engine_phys_regs_reset(void)
{
	memset(banks, 0, sizeof(banks));
}

static uint32_t reg_id(const struct a64_sysreg *s)
{
	return (uint32_t)(s->op0 << 16 | s->op1 << 12 | s->crn << 8 | s->crm << 4 | s->op2);
}

uint64_t engine_phys_reg(unsigned pcpu, const struct a64_sysreg *s, bool read, uint64_t value)
{
	struct phys_reg *bank = banks[pcpu % HAL_MAX_PCPUS];
	uint32_t id = reg_id(s);

	for (unsigned i = 0; i < BANK_REGS; i++) {
		if (bank[i].id != id && bank[i].id != 0)
			continue;
		if (read)
			return bank[i].id ? bank[i].value : 0;
		bank[i] = (struct phys_reg){ .id = id, .value = value };
		return value;
	}
	return 0; /* a full bank: the write is lost, as to a register not modelled */
}
