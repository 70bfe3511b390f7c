/* fuzz/aarch64_exit: arbitrary trap state and register values through the whole exit
 * path (decode by ESR_EL2.EC, core's dispatcher, completion) of a VM with eager, lazy
 * and linear memory and an MMIO device. Any crash, sanitizer report, leak (frames not
 * back after the VM is destroyed) or poisoned vCPU is a finding.
 *
 * Input: byte 0 holds VM options (bit 0: MMIO to no device reads as zero), then
 * 32-byte records, one trap each:
 *   [0]      trap type: n % 8 below 5 is SYNC, then IRQ, FIQ, SERROR
 *   [1..4]   ESR_EL2, little-endian (bits 31:26 EC, 25 IL, 24:0 ISS)
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

#include "fuzz/fuzz_util.h"
#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/vgic.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/hypercall.h"
#include "core/log.h"
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

static const struct mmio_ops dev_ops = { dev_read, dev_write };

static const uint32_t calls[12] = {
	PSCI_VERSION, PSCI_CPU_SUSPEND_64, PSCI_CPU_OFF, PSCI_CPU_ON_64, PSCI_AFFINITY_INFO_64,
	PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES, SMCCC_VERSION, SMCCC_ARCH_FEATURES,
	PSCI_MIGRATE_INFO_TYPE, HC_RANGE_BASE + 1,
};

static const uint64_t areas[7] = { RAM, LAZY, LINEAR, DEV, HOLE, VGIC_DIST_BASE, VGIC_REDIST_BASE };
static const uint64_t area_pages[7] = { 16, 256, 16, 1, 4096, 16, 64 };
static const uint64_t modes[4] = { 0x3C5, 0x3C4, 0x0, 0x10 };

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "aarch64_exit: %s failed (line %d)\n", #cond, \
				__LINE__);                                            \
			abort();                                                      \
		}                                                                     \
	} while (0)

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

/* Keep vCPU 0 runnable on this pCPU whatever the last exit did to it. */
static bool revive(struct vcpu *v)
{
	switch (vcpu_state(v)) {
	case VCPU_BOUND:
		return true;
	case VCPU_BLOCKED:
		vcpu_wake(v);
		return vcpu_state(v) == VCPU_BOUND;
	case VCPU_OFF:
		CHECK(vcpu_unbind(v) == 0);
		CHECK(vcpu_power_on(v, RAM, 0) == 0);
		CHECK(vcpu_bind(v) == 0);
		return true;
	default:
		CHECK(!"vCPU left in an impossible state");
		return false;
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
	struct vm_exit e;
	CHECK(vm_feed_trap(v, &t, &e) == 0);
	CHECK((unsigned)e.kind < EXIT_KIND_COUNT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	machine_once();
	size_t baseline = frame_outstanding();
	struct vm_config cfg = {
		.name = "fuzz", .nvcpus = 2, .entry = RAM, .mmio_raz_wi = data[0] & 1, .nmem = 3,
		.mem = { { RAM, 16 * 4096, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, 0 },
			 { LAZY, 256 * 4096, PT_R | PT_W, AS_ALLOC_LAZY, 0 },
			 { LINEAR, 16 * 4096, PT_R | PT_X, AS_LINEAR, LINEAR_HPA } },
		.ndevices = 1,
		.devices = { { DEV, 0x1000, &dev_ops, NULL } },
	};
	struct vm *vm;
	CHECK(vm_create(&cfg, &vm) == 0);
	struct vcpu *v = vm_vcpu(vm, 0);
	CHECK(vcpu_bind(v) == 0);
	for (data++, size--; size >= REC && vm->state != VM_STOPPED; data += REC, size -= REC) {
		one_trap(v, data);
		if (!revive(v))
			break;
	}
	if (v->pcpu != VCPU_NO_PCPU)
		CHECK(vcpu_unbind(v) >= 0);
	CHECK(vm_destroy(vm) == 0);
	CHECK(frame_outstanding() == baseline); /* the linear region's claim too */
	return 0;
}
