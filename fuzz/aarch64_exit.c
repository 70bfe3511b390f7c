/* fuzz/aarch64_exit: arbitrary trap state and register values through the whole exit
 * path (decode by ESR_EL2.EC, core's dispatcher, completion) of a VM with eager, lazy
 * and linear memory and an MMIO device (three of its registers shadowed). Any crash,
 * sanitizer report, leak (frames not back after the VM is destroyed) or poisoned vCPU
 * is a finding, and so is every exit
 * that leaves the vCPU where the architecture does not let it go (fuzz/exit_oracle.h):
 * the PC not stayed, stepped by the instruction's length or at the right vector, a
 * register written that the exit may not write, a PSCI result that function cannot
 * return, a vCPU state the exit cannot lead to (blocked without a WFx or CPU_SUSPEND,
 * off without CPU_OFF, the VM stopped without SYSTEM_OFF/RESET), or a vCPU started by
 * CPU_ON or reset anywhere but where the call said. An exit the early handler
 * (arch_exit_early) answers goes through core instead, and the registers, PC and PSTATE
 * must come out as the early answer had them; the early answer must not depend on
 * X19-X29 (stale in the context on bare metal) and must say when it writes one.
 *
 * Input: byte 0 holds VM options (bit 0: MMIO to no device reads as zero), then
 * 32-byte records, one trap each:
 *   [0]      trap type: n % 8 below 5 is SYNC, then IRQ, FIQ, SERROR; bit 7: the trap
 *            is vCPU 1's, if a CPU_ON has started it (both run on pCPU 0, one bound at
 *            a time)
 *   [1..4]   ESR_EL2, little-endian (bits 31:26 EC, 25 IL, 24:0 ISS); IL is forced
 *            to 1 as the hardware reports it, except for a WFx or data abort from
 *            AArch32 (a 16-bit T32 instruction has IL clear)
 *   [5..12]  FAR_EL2
 *   [13]     where the faulting IPA points: n % 8 of RAM, lazy RAM, linear RAM, the
 *            device, a hole, the vGIC distributor, its redistributors, or raw (HPFAR
 *            from [5..12] shifted); for the first seven FAR_EL2 becomes that IPA too
 *            (the guest's MMU is off), which is where a stage-2 permission fault,
 *            whose HPFAR is UNKNOWN, finds it
 *   [14..15] page offset within that area, in 4 KiB pages (little-endian)
 *   [16]     X0: n % 16 < 12 picks a PSCI/SMCCC/Tandem function, else raw from [24..31]
 *   [17]     register number (0-31) that gets [24..31]
 *   [18]     PSTATE mode: n % 4 of EL1h, EL1t, EL0t, AArch32
 *   [19..23] X1 low bits (a target vCPU / function id for the calls)
 *   [24..31] a register value
 * A SYNC record whose [0] / 8 % 4 is 0 replaces the ESR with a write of ICC_SGI1R_EL1
 * from register [17] % 31 (the guest's IPI, [24..31] its value): every target list,
 * affinity, RS and IRM reaches the vGIC's SGI decoder.
 * A short trailing record is ignored. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/exit_oracle.h"
#include "fuzz/fuzz_util.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/vgic.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/hypercall.h"
#include "core/log.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"

#define RAM 0x40000000ull
#define LAZY 0x40100000ull
#define LINEAR 0x40200000ull
#define DEV 0x09000000ull
#define HOLE 0x20000000ull
#define LINEAR_HPA 0x83000000ull /* high in the default RAM: the VM claims it */
#define REC 32

static uint64_t regs[16];

static int dev_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	(void)ctx;
	(void)width;
	*value = regs[(off / 8) % 16];
	return off >= 0x100; /* the top of the device is a bus error */
}

static int dev_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	(void)ctx;
	(void)width;
	regs[(off / 8) % 16] = value;
	return off >= 0x100;
}

/* Registers 0, 2 and 3 (offsets 0x00, 0x10, 0x18) are shadowed at every width: a read
 * has no side effect here, and regs[] is what both the device and the shadow read (a
 * value with bit 63 set asks the device). */
static unsigned dev_shadows(void *ctx, struct mmio_shadow *out, unsigned max)
{
	static const unsigned shadowed[3] = { 0, 2, 3 };
	unsigned n = 0;

	(void)ctx;
	for (; n < max && n < 3; n++)
		out[n] = (struct mmio_shadow){ gpa_make(shadowed[n] * 8ull), 0xF,
					       &regs[shadowed[n]] };
	return n;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, dev_shadows };

static const uint32_t calls[12] = {
	PSCI_VERSION, PSCI_CPU_SUSPEND_64, PSCI_CPU_OFF, PSCI_CPU_ON_64, PSCI_AFFINITY_INFO_64,
	PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES, SMCCC_VERSION, SMCCC_ARCH_FEATURES,
	PSCI_MIGRATE_INFO_TYPE, HC_RANGE_BASE + 1,
};

static const uint64_t areas[7] = { RAM, LAZY, LINEAR, DEV, HOLE, VGIC_DIST_BASE, VGIC_REDIST_BASE };
static const uint64_t area_pages[7] = { 16, 256, 16, 1, 4096, 16, 64 };
static const uint64_t modes[4] = { 0x3C5, 0x3C4, 0x0, 0x10 };

static void machine_once(void)
{
	static bool up;
	if (up)
		return;
	CHECK(hal_sim_init(NULL) == 0);
	CHECK(frame_init() == 0);
	CHECK(cpu_boot_init() == 0);
	CHECK(cpu_init_this() == 0);
	sched_init(SCHED_STATIC, 0);
	log_set_level(LOG_ERROR);
	up = true;
}

/* A finding of the oracle: what was wrong, and the trap that led to it. */
static void oracle_finding(const struct vcpu *v, const struct guest_exit *t, const char *why)
{
	fprintf(stderr, "aarch64_exit: oracle: vCPU %u, trap type %d ESR_EL2 0x%llx FAR 0x%llx: %s\n",
		v->id, (int)t->type, (unsigned long long)t->esr, (unsigned long long)t->far, why);
	abort();
}

/* Where a vCPU must start when it next runs: set by a CPU_ON that succeeded, or by the
 * fuzzer's own reset of vCPU 0. */
static struct start {
	bool pending;
	uint64_t entry, ctx_id;
} starts[2];

static void check_start(struct vcpu *v)
{
	char why[ORACLE_MSG];
	struct start *s = &starts[v->id];
	struct guest_exit none = { .type = TRAP_IRQ };

	if (!s->pending)
		return;
	s->pending = false;
	if (oracle_start(&v->arch.ctx, s->entry, s->ctx_id, why))
		oracle_finding(v, &none, why);
}

/* Is the vCPU's state one this exit can lead to? */
static void check_state(struct vcpu *v, const struct guest_ctx *before, const struct guest_exit *t)
{
	uint32_t fid = oracle_smccc_fid(before, t);
	enum vcpu_state s = vcpu_state(v);
	bool stopped = v->vm->state == VM_STOPPED;
	bool wfx = t->type == TRAP_SYNC && ESR_EC(t->esr) == EC_WFx;
	const char *why = NULL;

	if (stopped && fid != PSCI_SYSTEM_OFF && fid != PSCI_SYSTEM_RESET)
		why = "the VM stopped without SYSTEM_OFF or SYSTEM_RESET";
	else if (s == VCPU_UNUSABLE)
		why = "vCPU poisoned (UNUSABLE)";
	else if (s == VCPU_OFF && fid != PSCI_CPU_OFF && !stopped)
		why = "vCPU OFF without CPU_OFF";
	else if (s == VCPU_BLOCKED && !wfx && fid != PSCI_CPU_SUSPEND_32 && fid != PSCI_CPU_SUSPEND_64)
		why = "vCPU blocked without WFI, WFE or CPU_SUSPEND";
	else if (s != VCPU_BOUND && s != VCPU_BLOCKED && s != VCPU_OFF)
		why = "vCPU left in a state no exit leads to";
	if (why)
		oracle_finding(v, t, why);
}

/* A CPU_ON that succeeded: its target must start where it said. */
static void note_cpu_on(struct vm *vm, const struct guest_ctx *before, const struct guest_exit *t,
			const struct guest_ctx *after)
{
	uint32_t fid = oracle_smccc_fid(before, t);
	bool is64 = fid == PSCI_CPU_ON_64;

	if ((fid != PSCI_CPU_ON_32 && !is64) || (int32_t)after->x[0] != PSCI_RET_SUCCESS)
		return;
	uint64_t mpidr = is64 ? before->x[1] : (uint32_t)before->x[1];
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		if (vm->vcpus[i].hwid != (mpidr & MPIDR_AFF_MASK))
			continue;
		starts[i] = (struct start){ true, is64 ? before->x[2] : (uint32_t)before->x[2],
					    is64 ? before->x[3] : (uint32_t)before->x[3] };
	}
}

static void one_trap(struct vcpu *v, const uint8_t *r)
{
	static const enum trap_type types[8] = { TRAP_SYNC, TRAP_SYNC, TRAP_SYNC, TRAP_SYNC,
						 TRAP_SYNC, TRAP_IRQ, TRAP_FIQ, TRAP_SERROR };
	struct guest_exit t = { .type = types[r[0] % 8], .esr = le(r + 1, 4), .far = le(r + 5, 8) };
	unsigned area = r[13] % 8;
	uint64_t ipa = area < 7 ? areas[area] + (le(r + 14, 2) % area_pages[area]) * 4096 + (t.far & 0xFFF)
				: t.far << 12;
	uint64_t value = le(r + 24, 8);

	if (t.type == TRAP_SYNC && (r[0] / 8) % 4 == 0)
		t.esr = ((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL | SYSREG_ICC_SGI1R |
			((uint64_t)(r[17] % 31) << 5);

	t.hpfar = ((ipa >> 12) << 4) & 0x00000FFFFFFFFFF0ull;
	if (area < 7)
		t.far = ipa;
	v->arch.ctx.x[0] = r[16] % 16 < 12 ? calls[r[16] % 12] : value;
	v->arch.ctx.x[1] = le(r + 19, 5);
	vcpu_set_gpr(v, r[17] % 32, value);
	v->arch.ctx.pstate = modes[r[18] % 4];
	uint64_t ec = ESR_EC(t.esr);
	if (!(v->arch.ctx.pstate & PSR_MODE_AARCH32) || (ec != EC_WFx && ec != EC_DABT_LOW))
		t.esr |= ESR_IL; /* only a 16-bit T32 WFx or load/store traps with IL clear */
	struct guest_ctx before = v->arch.ctx;
	/* What the early handler would answer (it is pure): then the exit goes through
	 * core instead, which must leave the registers exactly so. */
	struct guest_ctx early = before, blind = before;
	bool answered = arch_exit_early(&early, &t);
	/* On bare metal X19-X29 are stale in the context when the handler runs: it must
	 * read none of them (the same answer with them scrambled), and say when it wrote
	 * one (HAL_EARLY_ANSWERED_KEPT). */
	for (unsigned i = 19; i <= 29; i++)
		blind.x[i] = ~before.x[i] ^ 0x5A5A5A5A5A5A5A5Aull;
	enum hal_early kept = arch_exit_early(&blind, &t);
	bool wrote_kept = false;
	for (unsigned i = 0; i < 31; i++) {
		bool is_kept = i >= 19 && i <= 29;
		wrote_kept |= is_kept && early.x[i] != before.x[i];
		if (is_kept ? early.x[i] != before.x[i] && blind.x[i] != early.x[i]
			    : blind.x[i] != early.x[i])
			oracle_finding(v, &t, "the early handler read one of X19-X29");
	}
	if ((kept != HAL_EARLY_NO) != answered || blind.pc != early.pc)
		oracle_finding(v, &t, "the early handler read one of X19-X29");
	if (wrote_kept && kept != HAL_EARLY_ANSWERED_KEPT)
		oracle_finding(v, &t, "the early handler wrote X19-X29 without saying so");
	struct vm_exit e;
	if (answered)
		vm_set_early_exits(false);
	CHECK(vm_feed_trap(v, &t, &e) == 0);
	if (answered) {
		vm_set_early_exits(true);
		if (memcmp(early.x, v->arch.ctx.x, sizeof(early.x)) || early.pc != v->arch.ctx.pc ||
		    early.pstate != v->arch.ctx.pstate)
			oracle_finding(v, &t, "the early answer differs from core's");
	}
	CHECK((unsigned)e.kind < EXIT_KIND_COUNT);
	check_state(v, &before, &t);
	char why[ORACLE_MSG];
	enum vcpu_state s = vcpu_state(v);
	if (v->vm->state != VM_STOPPED && s != VCPU_OFF && oracle_exit(&before, &t, &v->arch.ctx, why))
		oracle_finding(v, &t, why);
	note_cpu_on(v->vm, &before, &t, &v->arch.ctx);
}

/* Whatever the last exit did to it, leave vCPU `want` (if it is on) or else vCPU 0
 * bound on this pCPU, the other not; returns the bound one. vCPU 0 that powered off is
 * started again at the reset vector. */
static struct vcpu *revive(struct vm *vm, struct vcpu *v, unsigned want)
{
	switch (vcpu_state(v)) {
	case VCPU_BOUND:
		break;
	case VCPU_BLOCKED:
		vcpu_wake(v);
		CHECK(vcpu_state(v) == VCPU_BOUND);
		break;
	case VCPU_OFF:
		CHECK(vcpu_put(v) == 0);
		if (v->id != 0) {
			v = vm_vcpu(vm, 0);
			CHECK(vcpu_bind(v) == 0);
			break;
		}
		CHECK(vcpu_power_on(v, gpa_make(RAM), 0) == 0);
		CHECK(vcpu_bind(v) == 0);
		starts[0] = (struct start){ true, RAM, 0 };
		break;
	default:
		CHECK(!"vCPU left in an impossible state");
	}
	struct vcpu *w = vm_vcpu(vm, want);
	if (w != v && vcpu_state(w) == VCPU_FREE) {
		sched_remove(w); /* queued by its CPU_ON; run here instead */
		CHECK(vcpu_put(v) == 1);
		CHECK(vcpu_bind(w) == 0);
		v = w;
	}
	check_start(v);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	machine_once();
	size_t baseline = frame_outstanding();
	struct vm_config cfg = {
		.name = "fuzz", .nvcpus = 2, .entry = { RAM }, .mmio_raz_wi = data[0] & 1, .nmem = 3,
		.mem = { { { RAM }, 16 * 4096, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, 256 * 4096, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } },
			 { { LINEAR }, 16 * 4096, PT_R | PT_X, AS_LINEAR, { LINEAR_HPA } } },
		.ndevices = 1,
		.devices = { { { DEV }, 0x1000, &dev_ops, NULL } },
	};
	struct vm *vm;
	CHECK(vm_create(&cfg, &vm) == 0);
	memset(starts, 0, sizeof(starts));
	starts[0] = (struct start){ true, RAM, 0 }; /* the boot entry, X0 = entry_arg */
	struct vcpu *v = vm_vcpu(vm, 0);
	CHECK(vcpu_bind(v) == 0);
	check_start(v);
	for (data++, size--; size >= REC && vm->state != VM_STOPPED; data += REC, size -= REC) {
		v = revive(vm, v, data[0] >> 7);
		one_trap(v, data);
	}
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].pcpu != VCPU_NO_PCPU)
			CHECK(vcpu_put(&vm->vcpus[i]) >= 0);
	CHECK(vm_destroy(vm) == 0);
	CHECK(frame_outstanding() == baseline); /* the linear region's claim too */
	return 0;
}
