/* The SBI (RISC-V Supervisor Binary Interface, v2.0) Tandem offers riscv64 guests, as a
 * pure decoder and its completion: a guest's ECALL from VS-mode (a7 = EID, a6 = FID,
 * a0-a5 arguments) is either answered here (BASE, probes, every error the arguments
 * alone show) or becomes what is left for the VM to do (an op), with its arguments
 * checked as far as they can be without the VM. sbi_finish turns core's result into
 * a0 (error) and a1 (value). Extensions: BASE, TIME, IPI, RFENCE (the guest's fences;
 * the hypervisor fences are NOT_SUPPORTED), HSM, SRST, DBCN, and the legacy console
 * putchar. Everything else is SBI_ERR_NOT_SUPPORTED. */
#ifndef ARCH_RISCV64_SBI_H
#define ARCH_RISCV64_SBI_H

#include <stdbool.h>
#include <stdint.h>

/* SBI v2.0, chapter 3 (Binary Encoding), Table 1: standard errors. */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)
#define SBI_ERR_ALREADY_STARTED (-7)
#define SBI_ERR_ALREADY_STOPPED (-8)

/* Extension IDs (chapters 4-12). */
#define SBI_EXT_LEGACY_SET_TIMER 0x00u
#define SBI_EXT_LEGACY_PUTCHAR 0x01u
#define SBI_EXT_LEGACY_GETCHAR 0x02u
#define SBI_EXT_LEGACY_LAST 0x0Fu
#define SBI_EXT_BASE 0x10u
#define SBI_EXT_TIME 0x54494D45u
#define SBI_EXT_IPI 0x735049u
#define SBI_EXT_RFENCE 0x52464E43u
#define SBI_EXT_HSM 0x48534Du
#define SBI_EXT_SRST 0x53525354u
#define SBI_EXT_PMU 0x504D55u
#define SBI_EXT_DBCN 0x4442434Eu
#define SBI_EXT_SUSP 0x53555350u

/* BASE: spec version 2.0 (major in bits 30:24, minor in 23:0). Tandem has no
 * implementation ID assigned by the SBI spec (0-11 are BBL, OpenSBI, Xvisor, KVM,
 * RustSBI, Diosix, Coffer, Xen, PolarFire HSS, coreboot, oreboot, bhyve): it reports
 * 0x54414E44, "TAND" in ASCII, far from the assigned range; its version is the
 * project's 0.1.0 as major << 16 | minor << 8 | patch. */
#define SBI_SPEC_VERSION 0x02000000u
#define SBI_IMPL_ID_TANDEM 0x54414E44u
#define SBI_IMPL_VERSION 0x000100u

/* HSM hart states (chapter 9, HSM Hart States). */
#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2

/* HSM suspend types (Table 25) and SRST types and reasons (Tables 27, 28). */
#define SBI_SUSPEND_RETENTIVE 0x00000000u
#define SBI_SUSPEND_NON_RETENTIVE 0x80000000u
#define SBI_RESET_SHUTDOWN 0u
#define SBI_RESET_COLD 1u
#define SBI_RESET_WARM 2u
#define SBI_RESET_REASON_NONE 0u
#define SBI_RESET_REASON_FAILURE 1u

#define SBI_MAX_HARTS 64u /* the masks below are 64 bits */

enum sbi_op {
	SBI_OP_DONE,          /* error and value are final */
	SBI_OP_SET_TIMER,     /* stime */
	SBI_OP_SEND_IPI,      /* harts */
	SBI_OP_RFENCE,        /* harts, fence, start, size, asid */
	SBI_OP_HART_START,    /* hart, addr, opaque */
	SBI_OP_HART_STOP,
	SBI_OP_HART_STATUS,   /* hart */
	SBI_OP_HART_SUSPEND,  /* retentive, or addr and opaque */
	SBI_OP_SYSTEM_RESET,  /* type (shutdown, cold or warm reboot), reason */
	SBI_OP_CONSOLE_WRITE, /* gpa, len */
	SBI_OP_CONSOLE_READ,  /* gpa, len */
	SBI_OP_CONSOLE_BYTE,  /* byte (DBCN write_byte, the legacy putchar) */
	SBI_OP_CONSOLE_GETCHAR, /* the legacy console_getchar: a byte of input, or -1 */
};

enum sbi_fence { SBI_FENCE_I, SBI_FENCE_VMA, SBI_FENCE_VMA_ASID };

struct sbi_call {
	enum sbi_op op;
	uint32_t eid, fid;
	bool legacy;       /* only a0 is written back */
	int64_t error;     /* DONE */
	uint64_t value;    /* DONE */
	uint64_t harts;    /* SEND_IPI, RFENCE: bit n for hart n, validated */
	enum sbi_fence fence;
	bool all;          /* RFENCE: the whole address space (size ~0, or start and size 0) */
	uint64_t start, size;
	uint16_t asid;
	uint64_t hart;     /* HART_START, HART_STATUS */
	uint64_t addr, opaque;
	bool retentive;    /* HART_SUSPEND */
	uint32_t type, reason;
	uint64_t stime;    /* SET_TIMER */
	uint64_t gpa, len; /* CONSOLE_WRITE/READ */
	uint8_t byte;      /* CONSOLE_BYTE */
};

/* Decode a guest's call: a[0..7] are a0..a7; the VM has harts 0 .. nharts - 1 (at
 * most SBI_MAX_HARTS; hart id == vCPU index). Decisions where the spec leaves room:
 * - a7/a6 that are not a sign-extended 32-bit value name no EID/FID (NOT_SUPPORTED);
 * - uint32_t parameters (suspend_type, reset_type, reset_reason) are the register's
 *   low 32 bits (chapter 3: "only uses 32 bit data"); uint8_t byte its low 8 bits;
 * - an empty hart mask (base not -1) names no hart, so none is invalid: SUCCESS with
 *   no hart (IPI Send Errors: "at least one hartid constructed ... is not valid");
 * - a remote sfence range that wraps past 2^64 is SBI_ERR_INVALID_ADDRESS; an ASID
 *   wider than 16 bits (satp.ASID) SBI_ERR_INVALID_PARAM;
 * - a DBCN buffer with base_addr_hi != 0 or that wraps is SBI_ERR_INVALID_PARAM;
 * - of the legacy extensions only console_putchar (0x01) is present (probe 1); the
 *   others, 0x00 and 0x02-0x0F, probe 0 and answer SBI_ERR_NOT_SUPPORTED in a0. */
void sbi_decode(const uint64_t a[8], unsigned nharts, struct sbi_call *out);

/* The call's result once the VM did its part, core_ret in core's terms (the mapping of
 * each, beside its spec table, is in sbi.c):
 *   HART_START   core's CPU_UP: 0, -EALREADY (on) / -EBUSY (start pending), -ENOENT (no
 *                such vCPU), -EFAULT (entry not executable RAM), else a failure;
 *   HART_STATUS  core's CPU_STATE: 0 on, 1 off, 2 on-pending, or negative (no vCPU);
 *   HART_STOP, SYSTEM_RESET  reached only when core refused (-EOPNOTSUPP: SRST type
 *                it cannot do);
 *   HART_SUSPEND 0, -EFAULT (resume address), -EOPNOTSUPP, or another error;
 *   CONSOLE_*    bytes done, -EAGAIN (nothing taken now: 0 bytes), -EFAULT (buffer not
 *                the VM's RAM), -ENODEV (no console), or an I/O error;
 *   SET_TIMER, SEND_IPI, RFENCE  0 or a negative error (SEND_IPI -EINVAL: a bad hart).
 * For DONE core_ret is unused. a0 is the SBI error (the legacy putchar's result), a1
 * the value, written only where *write_a1 says (never for a legacy extension). */
void sbi_finish(const struct sbi_call *c, int64_t core_ret, uint64_t *a0, uint64_t *a1,
		bool *write_a1);

#endif
