/* PSCI 1.1 (Arm DEN 0022) and the SMCCC 1.1 architecture calls (Arm DEN 0028), over HVC
 * and (trapped) SMC. Calls that need the VM (CPU_ON, AFFINITY_INFO, CPU_OFF,
 * SYSTEM_OFF/RESET, CPU_SUSPEND) become generic exits for core; the rest are answered
 * here. */
#ifndef ARCH_AARCH64_PSCI_H
#define ARCH_AARCH64_PSCI_H

#include <stdbool.h>

#include "arch/aarch64/arch.h"
#include "arch/aarch64/psci_ids.h"

/* Whether Tandem implements fid (what PSCI_FEATURES answers). */
static inline bool psci_supported(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION: case PSCI_CPU_SUSPEND_32: case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF: case PSCI_CPU_ON_32: case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32: case PSCI_AFFINITY_INFO_64: case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES: case SMCCC_VERSION:
		return true;
	default:
		return false;
	}
}

/* PSCI or SMCCC standard-service range that Tandem does not implement. */
static inline bool in_firmware_range(uint32_t fid)
{
	uint32_t base = fid & ~SMCCC_FID_64;

	return (base >= PSCI_FID_FIRST && base <= PSCI_FID_LAST) ||
	       (base >= SMCCC_ARCH_FIRST && base <= SMCCC_ARCH_LAST);
}

/* The calls answered without core, whatever the vCPU: a call made with X0 = x0, X1 =
 * x1 and immediate imm that is one of them sets *value (X0's result) and returns true.
 * Pure, and inline: psci_decode asks it first, and so does the early exit handler. */
static inline bool psci_answer(uint64_t x0, uint64_t x1, uint16_t imm, int64_t *value)
{
	uint32_t fid = (uint32_t)x0;

	if (imm != 0) {
		*value = PSCI_RET_NOT_SUPPORTED; /* SMCCC: imm16 is 0 */
		return true;
	}
	switch (x0) { /* no case matches a value above 32 bits: those are refused below */
	case PSCI_VERSION: *value = PSCI_VERSION_1_1; return true;
	case SMCCC_VERSION: *value = SMCCC_VERSION_1_1; return true;
	case PSCI_MIGRATE_INFO_TYPE: *value = PSCI_MIGRATE_TYPE_NOT_REQUIRED; return true;
	case PSCI_FEATURES:
		/* CPU_SUSPEND's feature flags are 0: original power_state format, no OSI. */
		*value = psci_supported((uint32_t)x1) ? 0 : PSCI_RET_NOT_SUPPORTED;
		return true;
	case SMCCC_ARCH_FEATURES: {
		uint32_t q = (uint32_t)x1;
		bool known = q == SMCCC_VERSION || q == SMCCC_ARCH_FEATURES;
		*value = known ? 0 : PSCI_RET_NOT_SUPPORTED;
		return true;
	}
	default:
		break;
	}
	if ((x0 >> 32) != 0 || (!psci_supported(fid) && in_firmware_range(fid))) {
		*value = PSCI_RET_NOT_SUPPORTED; /* SMCCC: FIDs are 32 bits */
		return true;
	}
	return false;
}


/* Decode the call in X0 made by an HVC or SMC with immediate imm. */
void psci_decode(struct arch_vcpu *v, uint16_t imm, struct vm_exit *exit);

/* Write the call's result into X0 once core has handled the exit. */
void psci_complete(struct arch_vcpu *v, const struct vm_exit *exit);

#endif
