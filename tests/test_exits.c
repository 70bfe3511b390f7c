/* aarch64 exits through the whole path (decode by exception class, core's dispatcher,
 * completion), driven with raw trap state as the hardware would hand it over. ESR
 * values are assembled by hand from the Arm ARM's ISS layouts; expected results come
 * from the Arm ARM (injection) and PSCI 1.1 (return codes). */
#include <check.h>
#include <string.h>

#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/vgic.h"
#include "core/frame.h"
#include "core/hypercall.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM 0x40000000ull
#define LAZY 0x40010000ull
#define ROM 0x40020000ull
#define DEV 0x09000000ull
#define VBAR 0x40000800ull
#define PC0 0x40000100ull
#define EL1H_MASKED 0x3C5ull

struct test_dev {
	unsigned reads, writes;
	uint64_t off, value, read_value;
	unsigned width;
	int fail;
};

static struct test_dev dev;
static struct vm *vm;
static struct vcpu *v0;
static size_t baseline;

static int dev_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	struct test_dev *d = ctx;
	d->reads++;
	d->off = off;
	d->width = width;
	*value = d->read_value;
	return d->fail;
}

static int dev_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct test_dev *d = ctx;
	d->writes++;
	d->off = off;
	d->width = width;
	d->value = value;
	return d->fail;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, NULL };

/* A device with two shadowed registers: 0x8 at every width, 0x10 at 4 bytes only. Its
 * read returns the same values, and counts. */
#define SDEV 0x09010000ull
static uint64_t sreg8, sreg10;
static unsigned sdev_reads, sdev_writes;

static int sdev_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	(void)ctx;
	(void)width;
	sdev_reads++;
	*value = off == 0x8 ? sreg8 & ~MMIO_SHADOW_ASK : off == 0x10 ? sreg10 : 0;
	return 0;
}

static int sdev_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	(void)ctx;
	(void)off;
	(void)width;
	(void)value;
	sdev_writes++;
	return 0;
}

static unsigned sdev_shadows(void *ctx, struct mmio_shadow *out, unsigned max)
{
	(void)ctx;
	if (max < 2)
		return 0;
	out[0] = (struct mmio_shadow){ gpa_make(0x8), 0xF, &sreg8 };
	out[1] = (struct mmio_shadow){ gpa_make(0x10), 1u << 2, &sreg10 };
	return 2;
}

static const struct mmio_ops sdev_ops = { sdev_read, sdev_write, sdev_shadows };

static void make_vm(bool raz_wi)
{
	struct vm_config cfg = {
		.name = "exits", .nvcpus = 3, .entry = { PC0 }, .mmio_raz_wi = raz_wi,
		.nmem = 3,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, 64 * 1024, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } },
			 { { ROM }, 4096, PT_R | PT_X, AS_ALLOC_EAGER, { 0 } } },
		.ndevices = 2,
		.devices = { { { DEV }, 0x1000, &dev_ops, &dev },
			     { { SDEV }, 0x1000, &sdev_ops, NULL } },
	};
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	v0 = vm_vcpu(vm, 0);
	ck_assert_int_eq(vcpu_bind(v0), 0);
	v0->arch.ctx.el1[VBAR_EL1] = VBAR;
}

static void setup(void)
{
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
	memset(&dev, 0, sizeof(dev));
	sreg8 = sreg10 = 0;
	sdev_reads = sdev_writes = 0;
	make_vm(false);
}

static void teardown(void)
{
	struct vcpu *v = vm_vcpu(vm, 0);
	if (v->pcpu != VCPU_NO_PCPU)
		vcpu_put(v);
	ck_assert_int_eq(vm_destroy(vm), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	test_machine_down();
}

static struct vm_exit feed(uint64_t esr, uint64_t far, uint64_t gpa)
{
	struct guest_exit t = { .type = TRAP_SYNC, .esr = esr, .far = far, .hpfar = (gpa >> 12) << 4 };
	struct vm_exit e;

	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	return e;
}

static uint64_t call(uint64_t esr, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	v0->arch.ctx.x[0] = fid;
	v0->arch.ctx.x[1] = a1;
	v0->arch.ctx.x[2] = a2;
	v0->arch.ctx.x[3] = a3;
	feed(esr, 0, 0);
	return v0->arch.ctx.x[0];
}

#define HVC0 0x5A000000ull /* EC 0x16, IL, imm16 0 */
#define SMC0 0x5E000000ull /* EC 0x17, IL, imm16 0 */
#define hvc(fid, a1, a2, a3) ((int64_t)call(HVC0, fid, a1, a2, a3))

/* Sets up PC and PSTATE, feeds the trap and checks an exception was injected at
 * vector `offset` with ESR_EL1 `esr1`. */
static void expect_injected(uint64_t esr1, uint64_t offset, uint64_t pc, uint64_t pstate)
{
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], esr1);
	ck_assert_uint_eq(v0->arch.ctx.el1[ELR_EL1], pc);
	ck_assert_uint_eq(v0->arch.ctx.el1[SPSR_EL1], pstate);
	ck_assert_uint_eq(v0->arch.ctx.pc, VBAR + offset);
	ck_assert_uint_eq(v0->arch.ctx.pstate, EL1H_MASKED);
}

/* ---- PSCI and SMCCC ---------------------------------------------------------------- */

START_TEST(test_psci_version_over_hvc_leaves_pc_over_smc_advances_it)
{
	v0->arch.ctx.pc = PC0;
	ck_assert_int_eq(hvc(PSCI_VERSION, 0, 0, 0), 0x10001);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0); /* ELR_EL2 is already past an HVC */
	ck_assert_int_eq((int64_t)call(SMC0, PSCI_VERSION, 0, 0, 0), 0x10001);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4); /* a trapped SMC is stepped over */
}
END_TEST

START_TEST(test_smccc_and_psci_features)
{
	ck_assert_int_eq(hvc(SMCCC_VERSION, 0, 0, 0), 0x10001);
	ck_assert_int_eq(hvc(SMCCC_ARCH_FEATURES, 0x80008000u, 0, 0), -1); /* WORKAROUND_1 */
	ck_assert_int_eq(hvc(SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0), 0);
	ck_assert_int_eq(hvc(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0), 0);
	ck_assert_int_eq(hvc(PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0), 0);
	ck_assert_int_eq(hvc(PSCI_FEATURES, PSCI_SYSTEM_RESET, 0, 0), 0);
	ck_assert_int_eq(hvc(PSCI_FEATURES, PSCI_MIGRATE_64, 0, 0), -1);
	ck_assert_int_eq(hvc(PSCI_FEATURES, 0xC400001Fu, 0, 0), -1);
	ck_assert_int_eq(hvc(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
	ck_assert_int_eq(hvc(PSCI_MIGRATE_64, 1, 0, 0), -1);
	ck_assert_int_eq(hvc(PSCI_MIGRATE_INFO_UP_CPU_64, 0, 0, 0), -1);
	ck_assert_int_eq(hvc(0x8400001Eu, 0, 0, 0), -1); /* unassigned PSCI function */
}
END_TEST

/* The calls the ISA code answers alone never reach core: answered where the exit is
 * taken, counted apart (and together by vcpu_exit_count). With early exits off (as
 * while tracing) the same call goes through core, with the same answer. A call core
 * must see is never answered early. */
START_TEST(test_firmware_calls_are_answered_early_and_counted)
{
	vgic_flush(&vm->arch.vgic, 0, &v0->arch.ctx, NULL); /* entered: the harness's fast path */
	v0->arch.ctx.pc = PC0;
	ck_assert_int_eq(hvc(PSCI_VERSION, 0, 0, 0), 0x10001);
	ck_assert_int_eq((int64_t)call(SMC0, SMCCC_VERSION, 0, 0, 0), 0x10001);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
	ck_assert_int_eq(hvc(PSCI_FEATURES, PSCI_CPU_ON_64, 0, 0), 0);
	ck_assert_uint_eq(v0->arch.ctx.early_calls, 3);
	ck_assert_uint_eq(v0->exits[EXIT_NOTHING], 0);
	ck_assert_uint_eq(vcpu_exit_count(v0, EXIT_NOTHING), 3);

	vm_set_early_exits(false);
	ck_assert(!vm_early_exits());
	ck_assert_int_eq(hvc(PSCI_VERSION, 0, 0, 0), 0x10001);
	ck_assert_int_eq((int64_t)call(SMC0, SMCCC_VERSION, 0, 0, 0), 0x10001);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 8);
	ck_assert_uint_eq(v0->arch.ctx.early_calls, 3);
	ck_assert_uint_eq(v0->exits[EXIT_NOTHING], 2);
	vm_set_early_exits(true);

	ck_assert_int_eq(hvc(PSCI_AFFINITY_INFO_64, vm_vcpu(vm, 1)->hwid, 0, 0), 1); /* OFF */
	ck_assert_uint_eq(v0->exits[EXIT_CPU_STATE], 1);
	ck_assert_uint_eq(v0->arch.ctx.early_calls, 3);
}
END_TEST

/* A load of a shadowed register is answered from the shadow, sign or zero extended as
 * the syndrome says, and the device is not called; a width the shadow does not take, a
 * shadow that asks for the device, and any store go to the device. The vGIC's
 * constant registers are shadowed too. */
START_TEST(test_shadowed_register_loads_are_answered_early)
{
	struct guest_ctx *c = &v0->arch.ctx;

	vgic_flush(&vm->arch.vgic, 0, c, NULL); /* entered: the harness's fast path */
	c->pc = PC0;
	sreg8 = 0x80;
	feed(0x93278007ull, 0x8, SDEV + 0x8); /* LDRSB X7: SAS=0, SSE, SRT=7, SF=1 */
	ck_assert_uint_eq(c->x[7], 0xFFFFFFFFFFFFFF80ull);
	ck_assert_uint_eq(c->pc, PC0 + 4);
	feed(0x93070007ull, 0x8, SDEV + 0x8); /* LDRB W7 */
	ck_assert_uint_eq(c->x[7], 0x80);
	sreg8 = 0x1122334455667788ull;
	feed(0x93C28007ull, 0x8, SDEV + 0x8); /* LDR X2 */
	ck_assert_uint_eq(c->x[2], 0x1122334455667788ull);
	feed(0x93DF8007ull, 0x8, SDEV + 0x8); /* LDR XZR: performed, discarded */
	ck_assert_uint_eq(c->pc, PC0 + 16);
	ck_assert_uint_eq(sdev_reads, 0);
	ck_assert_uint_eq(c->early_reads, 4);
	ck_assert_uint_eq(vcpu_exit_count(v0, EXIT_MMIO_READ), 4);

	sreg10 = 0xABCD;
	feed(0x93810007ull, 0x10, SDEV + 0x10); /* LDR W1: shadowed at 4 bytes */
	ck_assert_uint_eq(c->x[1], 0xABCD);
	ck_assert_uint_eq(sdev_reads, 0);
	feed(0x93410007ull, 0x10, SDEV + 0x10); /* LDRH W1: not at 2 bytes: the device */
	ck_assert_uint_eq(sdev_reads, 1);
	sreg8 = MMIO_SHADOW_ASK | 5; /* a read would have a side effect now */
	feed(0x93810007ull, 0x8, SDEV + 0x8);
	ck_assert_uint_eq(sdev_reads, 2);
	ck_assert_uint_eq(c->x[1], 5);
	feed(0x93810047ull, 0x8, SDEV + 0x8); /* STR W1: never early */
	ck_assert_uint_eq(sdev_writes, 1);
	ck_assert_uint_eq(c->early_reads, 5);

	feed(0x93810007ull, 0x8, VGIC_DIST_BASE + 0x8); /* LDR W1 from GICD_IIDR */
	ck_assert_uint_eq(c->x[1], 0x43B);
	ck_assert_uint_eq(c->early_reads, 6);
	ck_assert_uint_eq(v0->exits[EXIT_MMIO_READ], 2);
}
END_TEST

START_TEST(test_cpu_on_and_affinity_info_states)
{
	struct vcpu *v1 = vm_vcpu(vm, 1);

	ck_assert_int_eq(hvc(PSCI_AFFINITY_INFO_64, 1, 0, 0), 1); /* OFF */
	ck_assert_int_eq(hvc(PSCI_AFFINITY_INFO_64, 0, 0, 0), 0); /* ON: the caller */
	/* Target MPIDR with RES1 (bit 31) and U (bit 30) set: masked before matching. */
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 0xC0000001ull, RAM + 0x200, 0xABCD), 0);
	ck_assert_uint_eq(vcpu_state(v1), VCPU_FREE);
	ck_assert_uint_eq(v1->arch.ctx.pc, RAM + 0x200);
	ck_assert_uint_eq(v1->arch.ctx.x[0], 0xABCD); /* context id */
	ck_assert_int_eq(hvc(PSCI_AFFINITY_INFO_64, 1, 0, 0), 2); /* ON_PENDING */
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 1, RAM, 0), PSCI_RET_ON_PENDING);
	/* Once it has run it is ON, and a second CPU_ON is ALREADY_ON. */
	sched_remove(v1);
	ck_assert_int_eq(vcpu_bind(v1), 0);
	struct guest_exit irq = { .type = TRAP_IRQ };
	ck_assert_int_eq(vm_feed_trap(v1, &irq, NULL), 0);
	ck_assert_int_eq(hvc(PSCI_AFFINITY_INFO_64, 1, 0, 0), 0);
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 1, RAM, 0), PSCI_RET_ALREADY_ON);
	ck_assert_int_eq(vcpu_put(v1), 1);
	sched_remove(v1);
}
END_TEST

START_TEST(test_cpu_on_errors)
{
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 7, RAM, 0), PSCI_RET_INVALID_PARAMETERS);
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 0x100000002ull, RAM, 0), PSCI_RET_INVALID_PARAMETERS);
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 1, 0x10000000, 0), PSCI_RET_INVALID_ADDRESS); /* hole */
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 1, DEV, 0), PSCI_RET_INVALID_ADDRESS);
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 1, LAZY, 0), PSCI_RET_INVALID_ADDRESS); /* not X */
	ck_assert_int_eq(hvc(PSCI_CPU_ON_64, 0, RAM, 0), PSCI_RET_ALREADY_ON); /* itself */
	ck_assert_int_eq(hvc(PSCI_AFFINITY_INFO_64, 9, 0, 0), PSCI_RET_INVALID_PARAMETERS);
	ck_assert_int_eq(hvc(PSCI_AFFINITY_INFO_64, 1, 1, 0), PSCI_RET_INVALID_PARAMETERS);
	ck_assert_uint_eq(vcpu_state(vm_vcpu(vm, 1)), VCPU_OFF);
	/* The 32-bit function takes W registers: the upper half of X1 is ignored. */
	ck_assert_int_eq(hvc(PSCI_CPU_ON_32, 0xFFFFFFFF00000002ull, RAM, 0), 0);
	ck_assert_uint_eq(vcpu_state(vm_vcpu(vm, 2)), VCPU_FREE);
	sched_remove(vm_vcpu(vm, 2));
}
END_TEST

START_TEST(test_cpu_off_suspend_and_system_calls)
{
	ck_assert_int_eq(hvc(PSCI_CPU_SUSPEND_64, 0, RAM, 0), 0);
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BLOCKED);
	ck_assert_int_eq(vcpu_wake(v0), 0); /* still on its pCPU: back to BOUND */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BOUND);
	/* With an interrupt pending, CPU_SUSPEND returns at once. */
	test_gic_enable(vm, 0, 3, 0x80);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 3), 0);
	ck_assert_int_eq(hvc(PSCI_CPU_SUSPEND_32, 0, 0, 0), 0);
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BOUND);
	hvc(PSCI_CPU_OFF, 0, 0, 0);
	ck_assert_uint_eq(vcpu_state(v0), VCPU_OFF);
}
END_TEST

START_TEST(test_system_off_and_reset_stop_the_vm)
{
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
	ck_assert_uint_eq(vm->state, VM_STOPPED);
	ck_assert_uint_eq(vm->stop_reason, VM_STOP_SYSTEM_OFF);
	vcpu_put(v0);
	ck_assert_int_eq(vm_destroy(vm), 0);
	make_vm(false);
	hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
	ck_assert_uint_eq(vm->state, VM_STOPPED);
	ck_assert_uint_eq(vm->stop_reason, VM_STOP_SYSTEM_RESET);
}
END_TEST

START_TEST(test_unknown_hypercalls_return_not_supported)
{
	ck_assert_int_eq(hvc(0x12345678u, 0, 0, 0), -1);
	ck_assert_int_eq((int64_t)call(0x5A000001ull, PSCI_VERSION, 0, 0, 0), -1); /* HVC #1 */
	ck_assert_int_eq(hvc(0x100000000ull | PSCI_VERSION, 0, 0, 0), -1);        /* 64-bit FID */
	ck_assert_uint_eq(v0->exits[EXIT_HYPERCALL], 1);
}
END_TEST

/* LR contents of a context: INTID and state of list register i. */
static unsigned lr_intid(const struct guest_ctx *c, unsigned i)
{
	return (unsigned)(c->ich_lr[i] & ICH_LR_VINTID_MASK);
}

static uint64_t lr_state(const struct guest_ctx *c, unsigned i)
{
	return c->ich_lr[i] & ICH_LR_STATE_MASK;
}

/* Pending interrupts reach the list registers by priority; an acknowledged one comes
 * back active and goes first; a completed one is gone; a disabled one never goes. */
START_TEST(test_interrupts_reach_the_list_registers_by_priority)
{
	struct guest_ctx *c = &v0->arch.ctx;
	struct vgic *g = &vm->arch.vgic;

	test_gic_enable(vm, 0, 7, 0x80);
	test_gic_enable(vm, 0, 2, 0x40);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 7), 0);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 2), 0);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 7), 0); /* an edge on a pending one: coalesced */
	ck_assert_int_eq(vm_inject_irq(vm, 0, 9), 0); /* not enabled: stays in the distributor */
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(c->ich_hcr, ICH_HCR_EN);
	ck_assert_uint_eq(lr_intid(c, 0), 2);
	ck_assert_uint_eq(lr_state(c, 0), ICH_LR_PENDING);
	ck_assert_uint_eq((c->ich_lr[0] >> ICH_LR_PRIORITY_SHIFT) & 0xFF, 0x40);
	ck_assert_uint_eq(c->ich_lr[0] & ICH_LR_GROUP1, ICH_LR_GROUP1);
	ck_assert_uint_eq(lr_intid(c, 1), 7);
	ck_assert_uint_eq(c->ich_lr[2] | c->ich_lr[3], 0);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 2)->flags & VGIC_IN_LR, VGIC_IN_LR);
	/* The guest acknowledges 2 (pending -> active) and exits. */
	c->ich_lr[0] = (c->ich_lr[0] & ~ICH_LR_STATE_MASK) | ICH_LR_ACTIVE;
	vgic_sync(g, 0, c, NULL);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 2)->flags & (VGIC_ACTIVE | VGIC_IN_LR), VGIC_ACTIVE);
	ck_assert_uint_eq(c->ich_lr[0] | c->ich_lr[1], 0);
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(lr_intid(c, 0), 2);
	ck_assert_uint_eq(lr_state(c, 0), ICH_LR_ACTIVE);
	ck_assert_uint_eq(lr_intid(c, 1), 7);
	/* It completes 2 and takes 7. */
	ck_assert_int_eq(test_guest_take_irq(c), 7);
	c->ich_lr[0] &= ~ICH_LR_STATE_MASK;
	vgic_sync(g, 0, c, NULL);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 2)->flags & (VGIC_ACTIVE | VGIC_PENDING), 0);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 7)->flags & (VGIC_ACTIVE | VGIC_PENDING), 0);
	ck_assert(!vgic_has_pending(g, 0)); /* 9 is pending but disabled */
	ck_assert_uint_eq(vgic_irq_state(g, 0, 9)->flags & VGIC_PENDING, VGIC_PENDING);
	ck_assert_int_eq(vm_inject_irq(vm, 0, VGIC_NR_IRQS), -EINVAL);
	ck_assert_int_eq(vm_inject_irq(vm, 4, 1), -ENOENT);
}
END_TEST

/* More pending than list registers: the four most urgent go, an underflow maintenance
 * interrupt is asked for, and the rest follow once the guest completes those. */
START_TEST(test_more_interrupts_than_list_registers)
{
	struct guest_ctx *c = &v0->arch.ctx;
	struct vgic *g = &vm->arch.vgic;
	unsigned seen = 0;

	for (unsigned i = 0; i < 6; i++) {
		test_gic_enable(vm, 0, i, 0xA0 - 0x10 * i); /* SGI 5 most urgent */
		ck_assert_int_eq(vm_inject_irq(vm, 0, i), 0);
	}
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(c->ich_hcr, ICH_HCR_EN | ICH_HCR_UIE);
	ck_assert_uint_eq(g->lr_overflows, 1);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(lr_intid(c, i), 5 - i);
	for (int got; (got = test_guest_take_irq(c)) >= 0;)
		seen |= 1u << got;
	vgic_sync(g, 0, c, NULL);
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(c->ich_hcr, ICH_HCR_EN); /* the last two fit */
	for (int got; (got = test_guest_take_irq(c)) >= 0;)
		seen |= 1u << got;
	vgic_sync(g, 0, c, NULL);
	ck_assert_uint_eq(seen, 0x3F);
	ck_assert(!vgic_has_pending(g, 0));
}
END_TEST

/* A level-sensitive interrupt made pending by an injection stays pending across an
 * exit the guest did not use to take it (the fuzzer's first vGIC finding). */
START_TEST(test_a_latched_level_interrupt_survives_an_exit)
{
	struct guest_ctx *c = &v0->arch.ctx;
	struct vgic *g = &vm->arch.vgic;

	test_gic_enable(vm, 0, 40, 0x80); /* SPIs reset level-sensitive */
	ck_assert_int_eq(vm_inject_irq(vm, 0, 40), 0);
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(lr_state(c, 0), ICH_LR_PENDING);
	vgic_sync(g, 0, c, NULL); /* exited before acknowledging */
	ck_assert(vgic_has_pending(g, 0));
	vgic_flush(g, 0, c, NULL);
	ck_assert_int_eq(test_guest_take_irq(c), 40);
	vgic_sync(g, 0, c, NULL);
	ck_assert(!vgic_has_pending(g, 0));
}
END_TEST

/* A vCPU's list registers stay in the hardware across the exits the fast path takes:
 * an acknowledged interrupt is still in its LR after an HVC and an access to a device,
 * with nothing synced. An access to the interrupt controller's own registers is not
 * one of those: the vCPU is synced first and reads its interrupt as active. */
START_TEST(test_list_registers_stay_loaded_across_local_exits)
{
	struct guest_ctx *c = &v0->arch.ctx;
	struct vgic *g = &vm->arch.vgic;
	uint64_t isactiver0 = VGIC_REDIST_BASE + VGIC_SGI_FRAME + 0x300;

	test_gic_enable(vm, 0, 7, 0x80);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 7), 0);
	vgic_flush(g, 0, c, NULL); /* entered with 7 in LR 0 */
	ck_assert_uint_eq(lr_intid(c, 0), 7);
	c->ich_lr[0] = (c->ich_lr[0] & ~ICH_LR_STATE_MASK) | ICH_LR_ACTIVE; /* acknowledged */
	uint64_t lr0 = c->ich_lr[0];
	ck_assert(vm_may_reenter(v0));

	ck_assert_int_eq(hvc(PSCI_VERSION, 0, 0, 0), PSCI_VERSION_1_1);
	feed(0x93810007ull, 0x8, DEV + 0x8); /* LDR W1 from the device */
	ck_assert_uint_eq(dev.reads, 1);
	ck_assert_uint_eq(g->cpu[0].lrs_used, 1);
	ck_assert_uint_eq(c->ich_lr[0], lr0);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 7)->flags & (VGIC_IN_LR | VGIC_ACTIVE), VGIC_IN_LR);
	ck_assert(vm_may_reenter(v0));

	/* LDR W1 from GICR_ISACTIVER0 */
	c->x[1] = 0;
	struct vm_exit e = feed(0x93810007ull, 0x300, isactiver0);
	ck_assert_uint_eq(e.kind, EXIT_MMIO_READ);
	ck_assert_uint_eq(c->x[1], 1u << 7);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 7)->flags & VGIC_ACTIVE, VGIC_ACTIVE);
	ck_assert_uint_eq(g->cpu[0].lrs_used, 0);
}
END_TEST

/* A level-sensitive interrupt whose line falls while an LR holds it pending: the LR
 * stays in the hardware across exits, so the fall marks the vCPU's state changed and
 * its next exit syncs, which takes it back (a latch would keep it). */
START_TEST(test_a_line_falling_under_a_loaded_lr_is_taken_back_at_the_next_exit)
{
	struct guest_ctx *c = &v0->arch.ctx;
	struct vgic *g = &vm->arch.vgic;

	test_gic_enable(vm, 0, 40, 0x80); /* SPIs reset level-sensitive */
	ck_assert_int_eq(vm_set_irq_level(vm, 0, 40, true), 0);
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(lr_intid(c, 0), 40);
	ck_assert_uint_eq(lr_state(c, 0), ICH_LR_PENDING);
	ck_assert(vm_may_reenter(v0));
	ck_assert_int_eq(vm_set_irq_level(vm, 0, 40, false), 0);
	ck_assert(!vm_may_reenter(v0));
	ck_assert_int_eq(hvc(PSCI_VERSION, 0, 0, 0), PSCI_VERSION_1_1);
	ck_assert_uint_eq(g->cpu[0].lrs_used, 0);
	ck_assert(!vgic_has_pending(g, 0));
	ck_assert_int_eq(test_guest_take_irq(c), -1);
}
END_TEST

/* The virtual timer's physical interrupt, forwarded: linked in the LR (HW, pINTID), the
 * link dropped once the guest completes it, and deactivated by the host when the
 * vCPU leaves its pCPU still holding it. Arriving with no vCPU running, it is
 * deactivated at once. */
START_TEST(test_forwarded_timer_interrupt_is_hardware_linked)
{
	struct guest_ctx *c = &v0->arch.ctx;
	struct vgic *g = &vm->arch.vgic;
	uint64_t deact = hal_sim_irq_deactivations();

	test_gic_enable(vm, 0, 27, 0x80);
	vtimer_forwarded_irq(27, NULL); /* no vCPU runs on this pCPU now */
	ck_assert_uint_eq(hal_sim_irq_deactivations(), deact + 1);
	ck_assert(!vgic_has_pending(g, 0));
	ck_assert_int_eq(vgic_forward(g, 0, 27, NULL), 0);
	ck_assert_int_eq(vgic_forward(g, 0, 5, NULL), -EINVAL); /* SGIs have no twin */
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(c->ich_lr[0] & ICH_LR_HW, ICH_LR_HW);
	ck_assert_uint_eq((c->ich_lr[0] >> ICH_LR_PINTID_SHIFT) & 0x1FFF, 27);
	ck_assert_int_eq(test_guest_take_irq(c), 27); /* completes: the GIC deactivates */
	vgic_sync(g, 0, c, NULL);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 27)->flags & VGIC_HW, 0);
	ck_assert_uint_eq(hal_sim_irq_deactivations(), deact + 1);
	/* Linked again, and the vCPU leaves its pCPU before taking it. */
	ck_assert_int_eq(vgic_forward(g, 0, 27, NULL), 0);
	vgic_flush(g, 0, c, NULL);
	vgic_sync(g, 0, c, NULL);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 27)->flags & VGIC_HW, VGIC_HW);
	ck_assert_int_eq(vcpu_put(v0), 1);
	ck_assert_uint_eq(hal_sim_irq_deactivations(), deact + 2);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 27)->flags & VGIC_HW, 0);
	ck_assert(vgic_has_pending(g, 0)); /* still the guest's, unlinked */
	ck_assert_int_eq(vcpu_bind(v0), 0);
}
END_TEST

/* The virtual timer set to fire at virtual count `ahead` ticks from now (negative: in
 * the past), enabled and unmasked, as the guest would leave it. */
static void set_vtimer(int64_t ahead)
{
	struct guest_ctx *c = &v0->arch.ctx;

	c->el1[CNTV_CVAL_EL0] = hal_counter() - c->cntvoff_el2 + (uint64_t)ahead;
	c->el1[CNTV_CTL_EL0] = CNTV_CTL_ENABLE;
}

/* Where the loaded timer raises its own interrupt (bare metal, hal_guest_vtimer_live),
 * no host timer stands in for it while the vCPU is loaded: an exit arms none, even a
 * WFI that blocks on it; the put arms one for the deadline, the next load takes it
 * away. Without a live timer (the engine) the exit arms it. */
START_TEST(test_a_live_virtual_timer_has_a_host_timer_only_while_put)
{
	test_gic_enable(vm, 0, 27, 0x80);
	set_vtimer(1000000000);
	feed(0x06000000ull, 0, 0); /* WFI: blocks, its timer not due for a long while */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BLOCKED);
	ck_assert_uint_ne(v0->vtimer_deadline, 0); /* the engine's host: armed at the exit */
	vcpu_wake(v0);

	hal_sim_set_vtimer_live(true);
	vcpu_put(v0);
	ck_assert_int_eq(vcpu_load(v0), 0);
	ck_assert_uint_eq(v0->vtimer_deadline, 0); /* loaded: the hardware's timer */
	feed(0x06000000ull, 0, 0);
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BLOCKED);
	ck_assert_uint_eq(v0->vtimer_deadline, 0); /* blocked, still loaded: none either */
	ck_assert_int_eq(vcpu_put(v0), 0);         /* still waiting */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BLOCKED);
	ck_assert_uint_eq(v0->vtimer_deadline, v0->arch.ctx.el1[CNTV_CVAL_EL0] +
						       v0->arch.ctx.cntvoff_el2);
	ck_assert(!vgic_has_pending(&vm->arch.vgic, 0));
	ck_assert_int_eq(vcpu_wake(v0), 1);
	ck_assert_int_eq(vcpu_load(v0), 0);
	ck_assert_uint_eq(v0->vtimer_deadline, 0);
	hal_sim_set_vtimer_live(false);
}
END_TEST

/* A vCPU waiting loaded in WFI whose deadline passes while it is put: the physical
 * interrupt, pending when the put masked the timer, is gone, so the put itself raises
 * the line and wakes it (without it a time-shared guest on QEMU slept for ever). */
START_TEST(test_a_put_wakes_a_waiting_vcpu_whose_live_timer_is_due)
{
	hal_sim_set_vtimer_live(true);
	test_gic_enable(vm, 0, 27, 0x80);
	set_vtimer(1000000000);
	feed(0x06000000ull, 0, 0); /* WFI: blocks, loaded */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BLOCKED);
	set_vtimer(-1); /* due now, as if its deadline had passed meanwhile */
	ck_assert_int_eq(vcpu_put(v0), 1); /* woken: runnable, for the scheduler to queue */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_FREE);
	ck_assert(vgic_has_pending(&vm->arch.vgic, 0));
	ck_assert_uint_eq(v0->vtimer_deadline, 0); /* nothing left to wait for */
	hal_sim_set_vtimer_live(false);
	ck_assert_int_eq(vcpu_bind(v0), 0);
}
END_TEST

/* The fast path's one load of v->attention stands for the VM's state and the hold:
 * a hold makes it refuse, and keeps refusing for as long as it lasts; its release, once
 * looked at, lets it go on; a stopped VM refuses too. */
START_TEST(test_a_hold_or_a_stop_ends_the_fast_path)
{
	vgic_flush(&vm->arch.vgic, 0, &v0->arch.ctx, NULL); /* its interrupts quiet */
	ck_assert(vm_may_reenter(v0));
	ck_assert_int_eq(vm_vcpu_stop(vm, 0), 0);
	ck_assert(!vm_may_reenter(v0));
	ck_assert(!vm_may_reenter(v0)); /* looked at, but the hold is still there */
	ck_assert_int_eq(vm_vcpu_release(vm, 0), 0);
	ck_assert(vm_may_reenter(v0));
	ck_assert(vm_may_reenter(v0));
	vm_stop(vm, VM_STOP_SYSTEM_OFF);
	ck_assert(!vm_may_reenter(v0));
	ck_assert(!vm_may_reenter(v0));
}
END_TEST

/* The timer's line, raised by the host timer that stands in for it, goes into an LR
 * already linked, its physical twin made active first: the still-asserting physical
 * timer cannot make the guest exit again before it completes the interrupt. */
START_TEST(test_timer_line_is_linked_before_entry)
{
	struct guest_ctx *c = &v0->arch.ctx;
	struct vgic *g = &vm->arch.vgic;
	uint64_t act = hal_sim_irq_activations();

	test_gic_enable(vm, 0, 27, 0x80);
	ck_assert_int_eq(vm_set_irq_level(vm, 0, 27, true), 0);
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(hal_sim_irq_activations(), act + 1);
	ck_assert_uint_eq(c->ich_lr[0] & (ICH_LR_HW | ICH_LR_STATE_MASK), ICH_LR_HW | ICH_LR_PENDING);
	/* Acknowledged but the line still high: the LR goes active only, still linked (the
	 * physical GIC holds the pending state), and the twin is not deactivated: that made
	 * it fire again at every entry, and Linux stalled. */
	c->ich_lr[0] = (c->ich_lr[0] & ~ICH_LR_STATE_MASK) | ICH_LR_ACTIVE;
	vgic_sync(g, 0, c, NULL);
	uint64_t deact = hal_sim_irq_deactivations();
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(c->ich_lr[0] & (ICH_LR_HW | ICH_LR_STATE_MASK), ICH_LR_HW | ICH_LR_ACTIVE);
	ck_assert_uint_eq(hal_sim_irq_deactivations(), deact);
	ck_assert_uint_eq(hal_sim_irq_activations(), act + 1);
	/* Completed (the GIC deactivates the twin) with the line still high: pending again,
	 * linked again. */
	c->ich_lr[0] &= ~ICH_LR_STATE_MASK;
	vgic_sync(g, 0, c, NULL);
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(c->ich_lr[0] & (ICH_LR_HW | ICH_LR_STATE_MASK), ICH_LR_HW | ICH_LR_PENDING);
	ck_assert_uint_eq(hal_sim_irq_activations(), act + 2);
	/* Put while active: the twin is deactivated on the way out and made active again
	 * when the vCPU is loaded, the LR active and linked. */
	c->ich_lr[0] = (c->ich_lr[0] & ~ICH_LR_STATE_MASK) | ICH_LR_ACTIVE;
	vgic_sync(g, 0, c, NULL);
	vgic_put(g, 0);
	ck_assert_uint_eq(hal_sim_irq_deactivations(), deact + 1);
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(c->ich_lr[0] & (ICH_LR_HW | ICH_LR_STATE_MASK), ICH_LR_HW | ICH_LR_ACTIVE);
	ck_assert_uint_eq(hal_sim_irq_activations(), act + 3);
	/* The physical timer taken while the virtual one was active and unlinked links it
	 * without making it pending beside its active state. */
	vgic_sync(g, 0, c, NULL);
	vgic_put(g, 0);
	ck_assert_int_eq(vgic_forward(g, 0, 27, NULL), 0);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 27)->flags & (VGIC_HW | VGIC_PENDING), VGIC_HW);
	vgic_flush(g, 0, c, NULL);
	ck_assert_uint_eq(c->ich_lr[0] & (ICH_LR_HW | ICH_LR_STATE_MASK), ICH_LR_HW | ICH_LR_ACTIVE);
	ck_assert_uint_eq(hal_sim_irq_activations(), act + 3);
	vgic_sync(g, 0, c, NULL);
	ck_assert_int_eq(vm_set_irq_level(vm, 0, 27, false), 0);
}
END_TEST

/* A guest's write of ICC_SGI1R_EL1 traps and sends SGIs to the vCPUs it names. */
START_TEST(test_sgi1r_write_sends_sgis)
{
	struct vgic *g = &vm->arch.vgic;

	test_gic_enable(vm, 1, 4, 0x80);
	test_gic_enable(vm, 2, 4, 0x80);
	/* MSR ICC_SGI1R_EL1, X5 = INTID 4, TargetList {1, 2}. */
	v0->arch.ctx.x[5] = (4ull << 24) | 0x6;
	v0->arch.ctx.pc = PC0;
	struct vm_exit e = feed(((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL |
					SYSREG_ICC_SGI1R | (5u << 5), 0, 0);
	ck_assert_uint_eq(e.kind, EXIT_IPI);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
	ck_assert_uint_eq(vm->ipis_sent, 1);
	ck_assert_uint_eq(vgic_irq_state(g, 1, 4)->flags & VGIC_PENDING, VGIC_PENDING);
	ck_assert_uint_eq(vgic_irq_state(g, 2, 4)->flags & VGIC_PENDING, VGIC_PENDING);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 4)->flags & VGIC_PENDING, 0);
	/* IRM: everyone but the sender; Aff1 naming no vCPU: nobody. */
	v0->arch.ctx.x[5] = (1ull << 40) | (9ull << 24);
	feed(((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL | SYSREG_ICC_SGI1R | (5u << 5), 0, 0);
	ck_assert_uint_eq(vgic_irq_state(g, 1, 9)->flags & VGIC_PENDING, VGIC_PENDING);
	ck_assert_uint_eq(vgic_irq_state(g, 0, 9)->flags & VGIC_PENDING, 0);
	v0->arch.ctx.x[5] = (1ull << 16) | (10ull << 24) | 1;
	feed(((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL | SYSREG_ICC_SGI1R | (5u << 5), 0, 0);
	for (unsigned c = 0; c < vm->nvcpus; c++)
		ck_assert_uint_eq(vgic_irq_state(g, c, 10)->flags & VGIC_PENDING, 0);
	/* Reading it is undefined. */
	v0->arch.ctx.pc = PC0;
	e = feed(((uint64_t)EC_SYS64 << ESR_EC_SHIFT) | ESR_IL | SYSREG_ICC_SGI1R | (5u << 5) | 1, 0, 0);
	ck_assert_uint_eq(e.outcome, EXIT_INJECT_UNDEF);
}
END_TEST

/* ---- WFx, system registers, unknown classes -------------------------------------- */

START_TEST(test_wfi_blocks_and_a_wfx_with_an_interrupt_pending_steps_over)
{
	v0->arch.ctx.pc = PC0;
	struct vm_exit e = feed(0x06000000ull, 0, 0); /* EC 0x01, WFI */
	ck_assert_uint_eq(e.kind, EXIT_HALT);
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BLOCKED);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
	vcpu_wake(v0);
	test_gic_enable(vm, 0, 1, 0x80);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 1), 0);
	feed(0x06000001ull, 0, 0); /* WFE, with an interrupt pending: no block */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BOUND);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 8);
}
END_TEST

/* A trapped WFE is a vCPU that spins (a lock's waiter): it must never sleep until an
 * interrupt nobody may send. With nothing else to run it resumes at once, past the
 * WFE (ISS.TI 0b01); a WFI (TI 0b00) still blocks. */
START_TEST(test_trapped_wfe_does_not_block_without_an_interrupt)
{
	v0->arch.ctx.pc = PC0;
	feed(0x07E00001ull, 0, 0); /* EC 0x01, CV, COND AL, TI WFE: as the hardware reports */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BOUND);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
	feed(0x06000001ull, 0, 0); /* without CV/COND */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BOUND);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 8);
	feed(0x07E00000ull, 0, 0); /* WFI */
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BLOCKED);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 12);
}
END_TEST

START_TEST(test_trapped_sysreg_access_injects_undef)
{
	uint64_t pstate = 0x3C5;
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = pstate;
	/* MRS X5, S3_0_C15_C0_0: Op0=3, Op1=0, CRn=15, CRm=0, Op2=0, Rt=5, Dir=1. */
	struct vm_exit e = feed(0x62303CA1ull, 0, 0);
	ck_assert_uint_eq(e.kind, EXIT_SYSREG_READ);
	ck_assert_uint_eq(e.u.sysreg.id, 0x303C00);
	ck_assert_uint_eq(e.u.sysreg.reg, 5);
	expect_injected(0x02000000ull, 0x200, PC0, pstate);
}
END_TEST

/* CNTP_TVAL_EL0 is CVAL - count as a signed 32-bit number: a write sign-extends, a
 * read truncates (D11.2.4), and ISTATUS follows the condition whatever IMASK says. */
START_TEST(test_physical_timer_tval_is_a_signed_32_bit_view_of_cval)
{
	struct arch_vcpu a;
	arch_vcpu_init(&a, 0);
	struct exit_sysreg tval = { .id = SYSREG_ISS(3, 3, 14, 2, 0) };
	struct exit_sysreg ctl = { .id = SYSREG_ISS(3, 3, 14, 2, 1) };
	struct exit_sysreg cval = { .id = SYSREG_ISS(3, 3, 14, 2, 2) };
	uint64_t deadline;

	tval.value = 0xFFFFFFFF00000010ull; /* the upper half is ignored */
	ck_assert_int_eq(arch_ptimer_access(&a, &tval, false, 1000), 0);
	ck_assert_int_eq(arch_ptimer_access(&a, &cval, true, 1000), 0);
	ck_assert_uint_eq(cval.value, 1016);
	tval.value = 0x80000000ull; /* -2^31 */
	ck_assert_int_eq(arch_ptimer_access(&a, &tval, false, 1ull << 40), 0);
	ck_assert_uint_eq(a.ptimer.cval, (1ull << 40) - 0x80000000ull);
	ck_assert_int_eq(arch_ptimer_access(&a, &tval, true, (1ull << 40) + 5), 0);
	ck_assert_uint_eq(tval.value, 0x7FFFFFFBull); /* -(2^31 + 5), truncated */
	/* off: no output, no deadline, no ISTATUS */
	ck_assert(!arch_ptimer(&a, 1ull << 41, &deadline));
	ck_assert_uint_eq(deadline, 0);
	ck_assert_int_eq(arch_ptimer_access(&a, &ctl, true, 1ull << 41), 0);
	ck_assert_uint_eq(ctl.value, 0);
	/* enabled, masked, met: ISTATUS but no output */
	ctl.value = ~0ull; /* ISTATUS and the RES0 bits are not writable */
	ck_assert_int_eq(arch_ptimer_access(&a, &ctl, false, 0), 0);
	ck_assert_uint_eq(a.ptimer.ctl, 3);
	ck_assert_int_eq(arch_ptimer_access(&a, &ctl, true, 1ull << 41), 0);
	ck_assert_uint_eq(ctl.value, 7);
	ck_assert(!arch_ptimer(&a, 1ull << 41, &deadline));
	/* unmasked: output when met, else the deadline is CVAL */
	ctl.value = 1;
	ck_assert_int_eq(arch_ptimer_access(&a, &ctl, false, 0), 0);
	ck_assert(arch_ptimer(&a, 1ull << 41, &deadline));
	ck_assert(!arch_ptimer(&a, 100, &deadline));
	ck_assert_uint_eq(deadline, a.ptimer.cval);
	/* not one of its registers */
	struct exit_sysreg other = { .id = SYSREG_ISS(3, 3, 14, 3, 1) };
	ck_assert_int_eq(arch_ptimer_access(&a, &other, true, 0), -ENOENT);
	/* a reset turns it off */
	arch_vcpu_init(&a, 0);
	ck_assert_uint_eq(a.ptimer.ctl, 0);
	ck_assert_uint_eq(a.ptimer.cval, 0);
}
END_TEST

START_TEST(test_every_unhandled_class_injects_undef)
{
	static const unsigned classes[] = { 0x00, 0x07, 0x0E, 0x15, 0x19, 0x21, 0x22, 0x25,
					    0x26, 0x2C, 0x2F, 0x30, 0x34, 0x3F };
	uint64_t undefs = v0->vm->undefs;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		/* From EL0 the vector is "lower EL, AArch64" (+0x400). */
		uint64_t pstate = i % 2 ? 0x0 : 0x3C5;
		v0->arch.ctx.pc = PC0 + 4 * i;
		v0->arch.ctx.pstate = pstate;
		feed(((uint64_t)classes[i] << 26) | ESR_IL | 0x1234, 0, 0);
		expect_injected(0x02000000ull, i % 2 ? 0x400 : 0x200, PC0 + 4 * i, pstate);
		ck_assert_uint_eq(vcpu_state(v0), VCPU_BOUND);
		ck_assert_uint_eq(v0->vm->undefs, undefs + i + 1); /* each one counted */
	}
	/* EL1 with SP_EL0 (EL1t) takes the current-EL SP0 vector (+0x000). */
	v0->arch.ctx.pstate = 0x3C4;
	feed(0x00000000ull, 0, 0);
	ck_assert_uint_eq(v0->arch.ctx.pc, VBAR + 0x000);
}
END_TEST

START_TEST(test_irq_fiq_and_serror_exits)
{
	struct guest_exit t = { .type = TRAP_IRQ };
	struct vm_exit e;

	v0->arch.ctx.pc = PC0;
	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	ck_assert_uint_eq(e.kind, EXIT_EXT_IRQ);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0);
	t.type = TRAP_FIQ;
	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	ck_assert_uint_eq(e.kind, EXIT_EXT_IRQ);
	t.type = TRAP_SERROR;
	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	ck_assert_uint_eq(v0->arch.ctx.hcr_el2 & HCR_VSE, HCR_VSE); /* a virtual SError */
	t.type = (enum trap_type)77;
	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], 0x02000000ull);
}
END_TEST

/* ---- Data and instruction aborts ------------------------------------------------- */

START_TEST(test_mmio_store_reaches_the_device)
{
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.x[3] = 0xAABBCCDD11223344ull;
	/* STR W3, [..]: ISV, SAS=0b10, SRT=3, SF=0, WnR, DFSC=translation L3. */
	struct vm_exit e = feed(0x93830047ull, 0xFFFF000012345010ull, DEV + 0x10);
	ck_assert_uint_eq(e.kind, EXIT_MMIO_WRITE);
	ck_assert_uint_eq(dev.writes, 1);
	ck_assert_uint_eq(dev.off, 0x10);
	ck_assert_uint_eq(dev.width, 4);
	ck_assert_uint_eq(dev.value, 0x11223344);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
}
END_TEST

START_TEST(test_mmio_loads_sign_and_zero_extend)
{
	dev.read_value = 0x80;
	/* LDRSB X7: SAS=0, SSE, SRT=7, SF=1. */
	feed(0x93278007ull, 0x8, DEV + 0x8);
	ck_assert_uint_eq(v0->arch.ctx.x[7], 0xFFFFFFFFFFFFFF80ull);
	/* LDRSB W7: SF=0: the upper 32 bits are zero. */
	feed(0x93270007ull, 0x8, DEV + 0x8);
	ck_assert_uint_eq(v0->arch.ctx.x[7], 0xFFFFFF80ull);
	/* LDRB W7: no sign extension. */
	v0->arch.ctx.x[7] = ~0ull;
	feed(0x93070007ull, 0x8, DEV + 0x8);
	ck_assert_uint_eq(v0->arch.ctx.x[7], 0x80);
	/* LDR X2, 8 bytes: SAS=0b11, SRT=2, SF=1. */
	dev.read_value = 0x0123456789ABCDEFull;
	feed(0x93C28007ull, 0x0, DEV);
	ck_assert_uint_eq(v0->arch.ctx.x[2], 0x0123456789ABCDEFull);
	ck_assert_uint_eq(dev.width, 8);
	/* A load into XZR (Rt=31) is performed and discarded. */
	feed(0x93DF8007ull, 0x0, DEV);
	ck_assert_uint_eq(dev.reads, 5);
}
END_TEST

/* A vCPU's MMIO exit tries the device its last one reached first, but only for an
 * access that device holds whole: another device still gets its own accesses, and one
 * that runs past the end of the last device's window reaches nothing. */
START_TEST(test_the_last_device_is_tried_first_and_only_for_what_it_holds)
{
	v0->arch.ctx.x[3] = 0x11223344;
	feed(0x93830047ull, 0x10, DEV + 0x10); /* STR W3 */
	ck_assert_uint_eq(dev.writes, 1);
	ck_assert_ptr_nonnull(v0->mmio_last);
	feed(0x93830047ull, 0x0, SDEV); /* another device */
	ck_assert_uint_eq(sdev_writes, 1);
	ck_assert_uint_eq(dev.writes, 1);
	feed(0x93830047ull, 0x10, DEV + 0x10);
	ck_assert_uint_eq(dev.writes, 2);
	ck_assert_uint_eq(vm->mmio_unhandled, 0);
	feed(0x93C38047ull, 0xFFC, DEV + 0xFFC); /* STR X3: 8 bytes, 4 past the window */
	ck_assert_uint_eq(vm->mmio_unhandled, 1);
	feed(0x93830047ull, 0x0, DEV + 0x1000); /* the page after it */
	ck_assert_uint_eq(vm->mmio_unhandled, 2);
	ck_assert_uint_eq(dev.writes, 2);
	ck_assert_uint_eq(sdev_writes, 1);
}
END_TEST

START_TEST(test_mmio_to_no_device_injects_an_external_abort)
{
	uint64_t far = 0xFFFF800000001000ull;

	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = 0x3C5;
	feed(0x93830047ull, far, 0x0A000000);
	/* EC 0x25 (from EL1), IL, DFSC = synchronous external abort. */
	expect_injected(0x96000010ull, 0x200, PC0, 0x3C5);
	ck_assert_uint_eq(v0->arch.ctx.el1[FAR_EL1], far);
	ck_assert_uint_eq(vm->mmio_unhandled, 1);
	/* From EL0: EC 0x24, vector +0x400. */
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = 0x0;
	feed(0x93830047ull, far, 0x0A000000);
	expect_injected(0x92000010ull, 0x400, PC0, 0x0);
	ck_assert_uint_eq(vm->mmio_unhandled, 2);
	ck_assert_uint_eq(dev.writes, 0);
}
END_TEST

START_TEST(test_mmio_to_no_device_reads_zero_in_raz_wi_mode)
{
	vcpu_put(v0);
	ck_assert_int_eq(vm_destroy(vm), 0);
	make_vm(true);
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.x[2] = 0x5555;
	feed(0x93C28007ull, 0x0, 0x0A000000); /* LDR X2 */
	ck_assert_uint_eq(v0->arch.ctx.x[2], 0);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
	feed(0x93830047ull, 0x0, 0x0A000000); /* STR W3: ignored */
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 8);
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], 0); /* nothing injected */
	ck_assert_uint_eq(vm->mmio_unhandled, 2);
}
END_TEST

START_TEST(test_aborts_without_syndrome_or_on_a_walk_are_never_emulated)
{
	v0->arch.ctx.pc = PC0;
	feed(0x92000047ull, 0x10, DEV + 0x10); /* ISV=0 write to the device: not emulated */
	ck_assert_uint_eq(dev.writes, 0);
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], 0x96000010ull);
	feed(0x93830047ull | ISS_DABT_S1PTW, 0x10, DEV + 0x10); /* stage-1 walk into MMIO */
	ck_assert_uint_eq(dev.writes, 0);
	feed(0x92000010ull, 0x10, 0); /* not a stage-2 fault at all */
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], 0x96000010ull);
	dev.fail = 1;                 /* the device refuses: bus error -> abort */
	v0->arch.ctx.el1[ESR_EL1] = 0;
	feed(0x93830047ull, 0x10, DEV + 0x10);
	ck_assert_uint_eq(dev.writes, 1);
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], 0x96000010ull);
}
END_TEST

START_TEST(test_lazy_fault_is_handled_and_retried)
{
	v0->arch.ctx.pc = PC0;
	struct vm_exit e = feed(0x93830047ull, 0x123, LAZY + 0x2123);
	ck_assert_uint_eq(e.kind, EXIT_STAGE2_FAULT);
	ck_assert_uint_eq(e.outcome, EXIT_RETRY);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0); /* the access runs again */
	ck_assert_int_eq(as_translate(&vm->as, gpa_make(LAZY + 0x2000), NULL, NULL), 0);
	ck_assert_uint_eq(vm->as.lazy_faults, 1);
	/* An instruction fetch from the lazy region: it is not executable -> abort. */
	feed(0x82000007ull, 0x40, LAZY + 0x3040);
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], 0x86000010ull);
}
END_TEST

START_TEST(test_store_to_read_only_memory_and_fetch_from_a_hole_abort)
{
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = 0x3C5;
	/* STR X1 with a permission fault (DFSC 0x0F) on the read-only region; the guest's
	 * MMU is off, so FAR (the VA) is the IPA. */
	feed(0x93C1804Full, ROM + 0x8, ROM + 0x8);
	expect_injected(0x96000010ull, 0x200, PC0, 0x3C5);
	/* Instruction abort (EC 0x20, translation fault) in a hole: a prefetch abort at
	 * EL1, EC 0x21. */
	v0->arch.ctx.pc = 0x50000000;
	v0->arch.ctx.pstate = 0x3C5;
	feed(0x82000007ull, 0x50000000, 0x50000000);
	expect_injected(0x86000010ull, 0x200, 0x50000000, 0x3C5);
	ck_assert_uint_eq(v0->arch.ctx.el1[FAR_EL1], 0x50000000);
}
END_TEST

/* ---- Stage-2 permission faults: HPFAR_EL2 is UNKNOWN ------------------------------
 * Arm ARM (DDI 0487) D24.2.76 HPFAR_EL2: the register is written for translation,
 * access-flag and address-size faults at stage 2, and for any of those or a permission
 * fault on the stage-2 translation of a stage-1 table walk; "for all other exceptions
 * taken to EL2, this register is UNKNOWN". A stage-2 permission fault of the access
 * itself is one of those: the IPA must come from FAR_EL2 through the guest's stage 1.
 * HPFAR here is deliberate garbage that names the MMIO device, so trusting it would
 * turn a store to read-only memory into a device write. */

/* STR X1, [..]: ISV, SAS=0b11, SRT=1, SF, WnR, DFSC 0x0F (permission, level 3). */
#define STR_X1_PERM_L3 0x93C1804Full
#define GARBAGE_HPFAR ((DEV >> 12) << 4)

static struct vm_exit feed_hpfar(uint64_t esr, uint64_t far, uint64_t hpfar)
{
	struct guest_exit t = { .type = TRAP_SYNC, .esr = esr, .far = far, .hpfar = hpfar };
	struct vm_exit e;

	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	return e;
}

static void guest_put64(uint64_t gpa, uint64_t value)
{
	ck_assert_int_eq(as_write(&vm->as, gpa_make(gpa), &value, 8), 0);
}

/* The guest's stage 1, written by hand (Arm ARM D8.2-D8.3, 4 KiB granule): TCR_EL1.T0SZ
 * = 25 gives a 39-bit VA space whose walk starts at level 1 (bits 38:30), then level 2
 * (29:21) and level 3 (20:12). VA 0x69_4060_5008 has indices 0x1A5, 3, 5 and page
 * offset 0x008. Tables in RAM: level 1 at RAM+0x8000, level 2 at +0x9000, level 3 at
 * +0xA000; the level-3 page descriptor maps the VA's page to ROM with AF set. */
#define S1_VA 0x6940605008ull
#define S1_L1 (RAM + 0x8000)
#define S1_L2 (RAM + 0x9000)
#define S1_L3 (RAM + 0xA000)
#define S1_L3_ENTRY (S1_L3 + 5 * 8)

static void guest_stage1_on(void)
{
	guest_put64(S1_L1 + 0x1A5 * 8, S1_L2 | 0x3);	  /* table descriptor */
	guest_put64(S1_L2 + 3 * 8, S1_L3 | 0x3);	  /* table descriptor */
	guest_put64(S1_L3_ENTRY, ROM | (1u << 10) | 0x3); /* page, AF */
	v0->arch.ctx.el1[TTBR0_EL1] = S1_L1;
	/* T0SZ 25, EPD1 (no TTBR1 walks), TG0 4 KiB, IPS 0b010 (40 bits). */
	v0->arch.ctx.el1[TCR_EL1] = 25 | (1ull << 23) | (2ull << 32);
	v0->arch.ctx.el1[SCTLR_EL1] |= 1; /* M */
}

START_TEST(test_permission_fault_ignores_hpfar_and_resolves_the_ipa_through_stage1)
{
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = 0x3C5;
	guest_stage1_on();
	struct vm_exit e = feed_hpfar(STR_X1_PERM_L3, S1_VA, GARBAGE_HPFAR);
	ck_assert_uint_eq(e.kind, EXIT_STAGE2_FAULT);
	ck_assert_uint_eq(gpa_bits(e.u.fault.gpa), ROM + 0x008);
	ck_assert_uint_eq(dev.writes, 0);
	/* ROM is read-only: the store gets an abort, at the VA the guest used. */
	expect_injected(0x96000010ull, 0x200, PC0, 0x3C5);
	ck_assert_uint_eq(v0->arch.ctx.el1[FAR_EL1], S1_VA);
}
END_TEST

START_TEST(test_permission_fault_with_the_mmu_off_takes_the_va_as_the_ipa)
{
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = 0x3C5;
	struct vm_exit e = feed_hpfar(STR_X1_PERM_L3, ROM + 0x10, GARBAGE_HPFAR);
	ck_assert_uint_eq(gpa_bits(e.u.fault.gpa), ROM + 0x10);
	ck_assert_uint_eq(dev.writes, 0);
	expect_injected(0x96000010ull, 0x200, PC0, 0x3C5);
	/* An instruction abort (EC 0x20, IFSC 0x0F permission) from the lazy region, which
	 * is not executable: resolved the same way, and a prefetch abort for it. */
	ck_assert_int_eq(as_handle_fault(&vm->as, gpa_make(LAZY + 0x3000), PT_R), 0);
	v0->arch.ctx.pc = LAZY + 0x3040;
	e = feed_hpfar(0x8200000Full, LAZY + 0x3040, GARBAGE_HPFAR);
	ck_assert_uint_eq(gpa_bits(e.u.fault.gpa), LAZY + 0x3040);
	expect_injected(0x86000010ull, 0x200, LAZY + 0x3040, 0x3C5);
}
END_TEST

/* HPFAR is valid for a permission fault on the stage-2 translation of a stage-1 table
 * walk (S1PTW): then it is used, and FAR (the VA of the access) is not the IPA. */
START_TEST(test_permission_fault_on_a_stage1_walk_uses_hpfar)
{
	v0->arch.ctx.pc = PC0;
	struct vm_exit e = feed_hpfar(0x9200008Full /* ISV=0, S1PTW, DFSC 0x0F */, S1_VA,
				      (ROM >> 12) << 4);
	ck_assert_uint_eq(e.kind, EXIT_STAGE2_FAULT);
	ck_assert_uint_eq(gpa_bits(e.u.fault.gpa), ROM);
	ck_assert_uint_eq(e.outcome, EXIT_INJECT_ABORT);
}
END_TEST

/* The guest unmapped the page (or pointed its tables elsewhere) between the access and
 * the walk: there is no IPA to act on, and no abort is due either: the instruction runs
 * again and the hardware reports whatever it then meets. */
START_TEST(test_permission_fault_retries_when_the_guest_changed_its_tables)
{
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = 0x3C5;
	guest_stage1_on();
	guest_put64(S1_L3_ENTRY, 0); /* invalid now */
	struct vm_exit e = feed_hpfar(STR_X1_PERM_L3, S1_VA, GARBAGE_HPFAR);
	ck_assert_uint_eq(e.outcome, EXIT_RETRY);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0);
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], 0); /* nothing injected */
	ck_assert_uint_eq(dev.writes, 0);
	/* A level-2 table moved outside the VM's RAM: the walk cannot read it. */
	guest_put64(S1_L2 + 3 * 8, 0x7000000000ull | 0x3);
	e = feed_hpfar(STR_X1_PERM_L3, S1_VA, GARBAGE_HPFAR);
	ck_assert_uint_eq(e.outcome, EXIT_RETRY);
	/* The access flag cleared: the guest would take an access-flag fault itself. */
	guest_put64(S1_L2 + 3 * 8, S1_L3 | 0x3);
	guest_put64(S1_L3_ENTRY, ROM | 0x3);
	e = feed_hpfar(STR_X1_PERM_L3, S1_VA, GARBAGE_HPFAR);
	ck_assert_uint_eq(e.outcome, EXIT_RETRY);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0);
	ck_assert_uint_eq(v0->arch.ctx.el1[ESR_EL1], 0);
	ck_assert_uint_eq(dev.writes, 0);
	ck_assert_uint_eq(vcpu_state(v0), VCPU_BOUND);
}
END_TEST

/* ---- AArch32 EL0 (HCR_EL2.RW: EL1 is AArch64, EL0 may be AArch32) --------------------- */

START_TEST(test_t32_16bit_wfi_and_load_step_two_bytes)
{
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = 0x10; /* AArch32 User */
	feed(0x04000000ull, 0, 0);  /* WFI, EC 0x01 with IL clear: a 16-bit T32 WFI */
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 2);
	vcpu_wake(v0);
	/* A 16-bit T32 LDR R2 of a word from the device: ISV, SAS 2, SRT 2, IL clear. */
	dev.read_value = 0x1234;
	feed(0x91820007ull, 0x10, DEV + 0x10);
	ck_assert_uint_eq(v0->arch.ctx.x[2], 0x1234);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
	feed(0x06000000ull, 0, 0); /* a 32-bit WFI (IL set) */
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 8);
}
END_TEST

START_TEST(test_aborts_from_aarch32_el0_are_taken_from_a_lower_el)
{
	v0->arch.ctx.pc = PC0;
	v0->arch.ctx.pstate = 0x10;
	feed(0x92000047ull, 0x10, 0x0A000000); /* ISV=0 store to no device */
	/* EC 0x24 (data abort from a lower EL), IL, DFSC 0x10; vector "lower EL, AArch32". */
	expect_injected(0x92000010ull, 0x600, PC0, 0x10);
	v0->arch.ctx.pc = 0x50000000;
	v0->arch.ctx.pstate = 0x10;
	feed(0x82000007ull, 0x50000000, 0x50000000); /* fetch from a hole */
	expect_injected(0x82000010ull, 0x600, 0x50000000, 0x10); /* EC 0x20 */
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("exits");
	TCase *tc = tcase_create("exits");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_psci_version_over_hvc_leaves_pc_over_smc_advances_it);
	tcase_add_test(tc, test_smccc_and_psci_features);
	tcase_add_test(tc, test_firmware_calls_are_answered_early_and_counted);
	tcase_add_test(tc, test_shadowed_register_loads_are_answered_early);
	tcase_add_test(tc, test_cpu_on_and_affinity_info_states);
	tcase_add_test(tc, test_cpu_on_errors);
	tcase_add_test(tc, test_cpu_off_suspend_and_system_calls);
	tcase_add_test(tc, test_system_off_and_reset_stop_the_vm);
	tcase_add_test(tc, test_unknown_hypercalls_return_not_supported);
	tcase_add_test(tc, test_interrupts_reach_the_list_registers_by_priority);
	tcase_add_test(tc, test_more_interrupts_than_list_registers);
	tcase_add_test(tc, test_sgi1r_write_sends_sgis);
	tcase_add_test(tc, test_a_latched_level_interrupt_survives_an_exit);
	tcase_add_test(tc, test_list_registers_stay_loaded_across_local_exits);
	tcase_add_test(tc, test_a_line_falling_under_a_loaded_lr_is_taken_back_at_the_next_exit);
	tcase_add_test(tc, test_forwarded_timer_interrupt_is_hardware_linked);
	tcase_add_test(tc, test_a_live_virtual_timer_has_a_host_timer_only_while_put);
	tcase_add_test(tc, test_a_put_wakes_a_waiting_vcpu_whose_live_timer_is_due);
	tcase_add_test(tc, test_a_hold_or_a_stop_ends_the_fast_path);
	tcase_add_test(tc, test_timer_line_is_linked_before_entry);
	tcase_add_test(tc, test_wfi_blocks_and_a_wfx_with_an_interrupt_pending_steps_over);
	tcase_add_test(tc, test_trapped_wfe_does_not_block_without_an_interrupt);
	tcase_add_test(tc, test_trapped_sysreg_access_injects_undef);
	tcase_add_test(tc, test_physical_timer_tval_is_a_signed_32_bit_view_of_cval);
	tcase_add_test(tc, test_every_unhandled_class_injects_undef);
	tcase_add_test(tc, test_irq_fiq_and_serror_exits);
	tcase_add_test(tc, test_mmio_store_reaches_the_device);
	tcase_add_test(tc, test_mmio_loads_sign_and_zero_extend);
	tcase_add_test(tc, test_the_last_device_is_tried_first_and_only_for_what_it_holds);
	tcase_add_test(tc, test_mmio_to_no_device_injects_an_external_abort);
	tcase_add_test(tc, test_mmio_to_no_device_reads_zero_in_raz_wi_mode);
	tcase_add_test(tc, test_aborts_without_syndrome_or_on_a_walk_are_never_emulated);
	tcase_add_test(tc, test_lazy_fault_is_handled_and_retried);
	tcase_add_test(tc, test_store_to_read_only_memory_and_fetch_from_a_hole_abort);
	tcase_add_test(tc, test_permission_fault_ignores_hpfar_and_resolves_the_ipa_through_stage1);
	tcase_add_test(tc, test_permission_fault_with_the_mmu_off_takes_the_va_as_the_ipa);
	tcase_add_test(tc, test_permission_fault_on_a_stage1_walk_uses_hpfar);
	tcase_add_test(tc, test_permission_fault_retries_when_the_guest_changed_its_tables);
	tcase_add_test(tc, test_t32_16bit_wfi_and_load_step_two_bytes);
	tcase_add_test(tc, test_aborts_from_aarch32_el0_are_taken_from_a_lower_el);
	suite_add_tcase(s, tc);
	return s;
}
