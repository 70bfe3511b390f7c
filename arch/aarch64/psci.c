/* PSCI and SMCCC calls. Return values are written into X0 as the PSCI spec encodes them
 * (negative values sign-extended to 64 bits); 32-bit calling-convention functions take
 * their arguments from W registers. */
#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "hal/err.h"

static bool is_64bit_call(uint32_t fid)
{
	return fid & (1u << 30);
}

static uint64_t arg(const struct arch_vcpu *v, uint32_t fid, unsigned n)
{
	uint64_t x = v->ctx.x[n];

	return is_64bit_call(fid) ? x : (uint32_t)x;
}

static void answer(struct arch_vcpu *v, struct vm_exit *exit, int64_t value)
{
	v->ctx.x[0] = (uint64_t)value;
	exit->kind = EXIT_NOTHING;
	v->psci_fid = 0;
}

static void decode_vm_call(struct arch_vcpu *v, uint32_t fid, struct vm_exit *exit)
{
	switch (fid) {
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		/* Every power state is treated as standby: wake on an interrupt, return 0. */
		exit->kind = EXIT_HALT;
		break;
	case PSCI_CPU_OFF:
		exit->kind = EXIT_CPU_DOWN;
		break;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
		exit->kind = EXIT_CPU_UP;
		exit->u.cpu.hwid = arg(v, fid, 1) & MPIDR_AFF_MASK;
		exit->u.cpu.entry = gpa_make(arg(v, fid, 2)); /* runs with its MMU off */
		exit->u.cpu.arg = arg(v, fid, 3);
		break;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
		/* Only level 0 (a single vCPU) is tracked. */
		if (arg(v, fid, 2) != 0) {
			answer(v, exit, PSCI_RET_INVALID_PARAMETERS);
			return;
		}
		exit->kind = EXIT_CPU_STATE;
		exit->u.cpu.hwid = arg(v, fid, 1) & MPIDR_AFF_MASK;
		break;
	case PSCI_SYSTEM_OFF:
		exit->kind = EXIT_SYSTEM_DOWN;
		break;
	case PSCI_SYSTEM_RESET:
		exit->kind = EXIT_SYSTEM_RESET;
		break;
	}
	v->psci_fid = fid;
}

void psci_decode(struct arch_vcpu *v, uint16_t imm, struct vm_exit *exit)
{
	uint32_t fid = (uint32_t)v->ctx.x[0];
	int64_t value;

	exit->kind = EXIT_NOTHING;
	v->psci_fid = 0;
	if (psci_answer(v->ctx.x[0], v->ctx.x[1], imm, &value)) {
		answer(v, exit, value);
	} else if (psci_supported(fid)) {
		decode_vm_call(v, fid, exit);
	} else {
		exit->kind = EXIT_HYPERCALL;
		exit->u.hcall.nr = fid;
		for (unsigned i = 0; i < 6; i++)
			exit->u.hcall.args[i] = v->ctx.x[i + 1];
	}
}

static int64_t cpu_on_result(int64_t ret)
{
	switch (ret) {
	case 0: return PSCI_RET_SUCCESS;
	case -EALREADY: return PSCI_RET_ALREADY_ON;
	case -EBUSY: return PSCI_RET_ON_PENDING;
	case -ENOENT: return PSCI_RET_INVALID_PARAMETERS;
	case -EFAULT: return PSCI_RET_INVALID_ADDRESS;
	default: return PSCI_RET_INTERNAL_FAILURE;
	}
}

void psci_complete(struct arch_vcpu *v, const struct vm_exit *exit)
{
	int64_t r;

	switch (exit->kind) {
	case EXIT_HALT: r = PSCI_RET_SUCCESS; break;
	case EXIT_CPU_UP: r = cpu_on_result(exit->ret); break;
	case EXIT_CPU_STATE: r = exit->ret >= 0 ? exit->ret : PSCI_RET_INVALID_PARAMETERS; break;
	case EXIT_CPU_DOWN: /* only returns if core refused */
	case EXIT_SYSTEM_DOWN:
	case EXIT_SYSTEM_RESET: r = PSCI_RET_DENIED; break;
	default: r = PSCI_RET_NOT_SUPPORTED; break;
	}
	v->ctx.x[0] = (uint64_t)r;
}
