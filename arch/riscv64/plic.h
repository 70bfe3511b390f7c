/* The virtual PLIC a riscv64 VM sees: a pure device model of the platform-level
 * interrupt controller (RISC-V PLIC specification 1.0.0) laid out as on QEMU 7.2's
 * riscv `virt` board (its device tree: reg 0x0C00_0000 size 0x60_0000, riscv,ndev 96,
 * priority registers keeping 3 bits, two contexts per hart: 2n M-mode, 2n+1 S-mode).
 *
 * Host-neutral: no locking (the caller serialises every call on one VM), no allocation,
 * no host call. Guest accesses come in as (offset in the window, width, value); a bad
 * one gets -EINVAL and the caller injects an access fault. Devices drive their sources
 * through plic_set_level. Wherever an S-mode context's output (hart n's SEIP, which the
 * caller turns into hvip.VSEIP) may have changed, bit n of *kick is set. */
#ifndef ARCH_RISCV64_PLIC_H
#define ARCH_RISCV64_PLIC_H

#include <stdbool.h>
#include <stdint.h>

/* The window, as QEMU 7.2's virt board places it. */
#define PLIC_BASE 0x0C000000ull
#define PLIC_SIZE 0x600000ull

/* Sources 1 .. PLIC_NDEV (riscv,ndev); source 0 does not exist. */
#define PLIC_NDEV 96u
/* Implemented priority bits: priorities and thresholds are WARL 0 .. PLIC_PRIO_MAX. */
#define PLIC_PRIO_BITS 3u
#define PLIC_PRIO_MAX  ((1u << PLIC_PRIO_BITS) - 1u)

#define PLIC_MAX_HARTS    16u
#define PLIC_MAX_CONTEXTS (2u * PLIC_MAX_HARTS)
#define PLIC_CTX_M(hart)  (2u * (hart))
#define PLIC_CTX_S(hart)  (2u * (hart) + 1u)

/* One bit per source 0 .. PLIC_NDEV, 32 to a word as the pending and enable
 * registers hold them. */
#define PLIC_WORDS ((PLIC_NDEV + 1u + 31u) / 32u)

/* The register map (PLIC spec 1.0.0, "Memory Map"). */
#define PLIC_PRIORITY       0x0u    /* + 4 * source */
#define PLIC_PENDING        0x1000u /* + 4 * word, read-only */
#define PLIC_ENABLE         0x2000u /* + 0x80 * context + 4 * word */
#define PLIC_ENABLE_STRIDE  0x80u
#define PLIC_CONTEXT        0x200000u /* + 0x1000 * context */
#define PLIC_CONTEXT_STRIDE 0x1000u
#define PLIC_THRESHOLD      0x0u /* in a context's page */
#define PLIC_CLAIM          0x4u /* in a context's page: claim (read), complete (write) */

struct plic {
	unsigned nharts;
	unsigned ncontexts;              /* 2 * nharts */
	uint8_t priority[PLIC_NDEV + 1]; /* [0] stays 0 */
	uint8_t threshold[PLIC_MAX_CONTEXTS];
	uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
	uint32_t level[PLIC_WORDS];   /* the device's line, at the gateway */
	uint32_t pending[PLIC_WORDS]; /* IP */
	uint32_t claimed[PLIC_WORDS]; /* claimed, not yet completed */
	/* above[t]: the sources whose priority exceeds t, kept with priority[]. */
	uint32_t above[PLIC_PRIO_MAX + 1][PLIC_WORDS];
};

/* Reset state for nharts harts (contexts 0 .. 2 * nharts - 1): -EINVAL for 0 or more
 * than PLIC_MAX_HARTS. */
int plic_init(struct plic *p, unsigned nharts);

/* A guest's read or write at offset off of the window: aligned 32-bit accesses only.
 * A read of a claim/complete register claims, so reads kick too. */
int plic_read(struct plic *p, uint64_t off, unsigned width, uint64_t *value, uint64_t *kick);
int plic_write(struct plic *p, uint64_t off, unsigned width, uint64_t value, uint64_t *kick);

/* A device's line into source src's gateway (level-sensitive): -EINVAL for a source
 * outside 1 .. PLIC_NDEV. */
int plic_set_level(struct plic *p, unsigned src, bool level, uint64_t *kick);

/* A context's interrupt notification: some pending source enabled for it has a
 * priority above its threshold. false for a context the VM does not have. */
bool plic_context_eip(const struct plic *p, unsigned ctx);

/* Hart n's S-mode context (2n + 1): what drives its vCPU's hvip.VSEIP. */
bool plic_hart_seip(const struct plic *p, unsigned hart);

#endif
