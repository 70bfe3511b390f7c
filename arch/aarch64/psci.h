/* PSCI 1.1 (Arm DEN 0022) and the SMCCC 1.1 architecture calls (Arm DEN 0028), over HVC
 * and (trapped) SMC. Calls that need the VM (CPU_ON, AFFINITY_INFO, CPU_OFF,
 * SYSTEM_OFF/RESET, CPU_SUSPEND) become generic exits for core; the rest are answered
 * here. */
#ifndef ARCH_AARCH64_PSCI_H
#define ARCH_AARCH64_PSCI_H

#include <stdbool.h>

#include "arch/aarch64/arch.h"

/* SMCCC function IDs (DEN 0028): bit 31 fast call, bit 30 the SMC64/HVC64 calling
 * convention, bits 29:24 the owning entity, bits 15:0 the function. The ranges
 * Tandem answers for, as 32-bit IDs (SMCCC_FID_64 set in the 64-bit ones): the Arm
 * architecture calls (owner 0) and the PSCI functions (owner 4, standard secure
 * service, functions 0x00-0x1F). */
#define SMCCC_FID_64 (1u << 30)
#define SMCCC_ARCH_FIRST 0x80000000u
#define SMCCC_ARCH_LAST 0x8000FFFFu
#define PSCI_FID_FIRST 0x84000000u
#define PSCI_FID_LAST 0x8400001Fu

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND_32 0x84000001u
#define PSCI_CPU_SUSPEND_64 0xC4000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_CPU_ON_64 0xC4000003u
#define PSCI_AFFINITY_INFO_32 0x84000004u
#define PSCI_AFFINITY_INFO_64 0xC4000004u
#define PSCI_MIGRATE_32 0x84000005u
#define PSCI_MIGRATE_64 0xC4000005u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_MIGRATE_INFO_UP_CPU_32 0x84000007u
#define PSCI_MIGRATE_INFO_UP_CPU_64 0xC4000007u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000Au
#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u

#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_INVALID_ADDRESS (-9)

#define PSCI_VERSION_1_1 0x00010001u
#define SMCCC_VERSION_1_1 0x00010001u
#define PSCI_MIGRATE_TYPE_NOT_REQUIRED 2

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
