/* PSCI 1.1 (Arm DEN 0022) and SMCCC 1.1 (Arm DEN 0028) function IDs, return codes and
 * versions: data only, for tools and tests of every build (the scenario parser's psci
 * statements). */
#ifndef ARCH_AARCH64_PSCI_IDS_H
#define ARCH_AARCH64_PSCI_IDS_H

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

#endif
