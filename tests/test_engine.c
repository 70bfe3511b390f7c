/* The guest engine: its stage-2 walk against core's page tables (two independent
 * readings of the same descriptors must agree), and the trap state it produces for an
 * action, against values worked out by hand from the Arm ARM. */
#include <check.h>
#include <string.h>

#include "arch/aarch64/ctx.h"
#include "arch/aarch64/gicv3.h"
#include "arch/aarch64/stage2.h"
#include "arch/aarch64/sysreg.h"
#include "core/frame.h"
#include "core/pt.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/vm.h"
#include "hal-sim/engine.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

static void setup(void)
{
	test_machine_up(1, true);
}

static void teardown(void)
{
	test_machine_down();
}

static void walk_agrees_with_core(unsigned ipa_bits, unsigned parange)
{
	struct pt_format f;
	struct pt pt;
	uint64_t vtcr;
	paddr_t pa;

	ck_assert_int_eq(aarch64_s2_format(ipa_bits, 44, &f), 0);
	ck_assert_int_eq(aarch64_vtcr(&f, parange, &vtcr), 0);
	ck_assert_int_eq(pt_init(&pt, &f, NULL, NULL), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(GiB), pa_make(5 * GiB), GiB, PT_R | PT_W | PT_X,
				PT_MAP_BLOCKS), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(2 * MiB), pa_make(0x7400000), 2 * MiB, PT_R,
				PT_MAP_BLOCKS), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x9000), 0x1000, PT_R | PT_W, 0), 0);
	uint64_t vttbr = (5ull << 48) | pa_bits(pt.root);
	/* Every mapped sample: the same output address as core's translate. */
	const uint64_t samples[] = { GiB, GiB + 0x12345678, 2 * GiB - 8, 2 * MiB + 0x1234, 0x1008 };
	for (unsigned i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		paddr_t want;
		ck_assert_int_eq(pt_translate(&pt, gpa_make(samples[i]), &want, NULL, NULL), 0);
		ck_assert_int_eq(engine_s2_walk(vttbr, vtcr, gpa_make(samples[i]), PT_R, &pa), 0);
		ck_assert_uint_eq(pa_bits(pa), pa_bits(want));
	}
	/* Faults: translation in a hole (level of the first invalid entry), permission
	 * for a write to read-only memory and a fetch from non-executable memory. */
	int fsc = engine_s2_walk(vttbr, vtcr, gpa_make(3 * GiB), PT_R, &pa);
	ck_assert_int_ge(fsc, 0x04);
	ck_assert_int_le(fsc, 0x07);
	ck_assert_int_eq(engine_s2_walk(vttbr, vtcr, gpa_make(0x2000), PT_R, &pa),
			 0x07); /* level 3 */
	ck_assert_int_eq(engine_s2_walk(vttbr, vtcr, gpa_make(2 * MiB), PT_W, &pa),
			 0x0E); /* level 2 */
	ck_assert_int_eq(engine_s2_walk(vttbr, vtcr, gpa_make(0x1000), PT_X, &pa), 0x0F);
	ck_assert_int_eq(engine_s2_walk(vttbr, vtcr, gpa_make(1ull << ipa_bits), PT_R, &pa) & ~3,
			 0x04);
	/* After core unmaps, the walk faults too. */
	ck_assert_int_eq(pt_unmap(&pt, gpa_make(GiB + 4 * MiB), 4096), 0);
	ck_assert_int_eq(engine_s2_walk(vttbr, vtcr, gpa_make(GiB + 4 * MiB), PT_R, &pa), 0x07);
	ck_assert_int_eq(engine_s2_walk(vttbr, vtcr, gpa_make(GiB + 4 * MiB + 4096), PT_R, &pa), 0);
	ck_assert_uint_eq(pa_bits(pa), 5 * GiB + 4 * MiB + 4096);
	pt_destroy(&pt);
}

START_TEST(test_walk_agrees_with_core_40_bit_ipa)
{
	walk_agrees_with_core(40, 4);
}
END_TEST

START_TEST(test_walk_agrees_with_core_44_bit_ipa)
{
	walk_agrees_with_core(44, 4);
}
END_TEST

/* One action run by the engine on a real vCPU: the raw trap state it hands over. */
/* A VM of one vCPU that runs program p through the engine, with the scheduler and the
 * engine installed: its vCPU 0, not bound yet. */
static struct vcpu *program_vm(const struct vm_config *cfg, const struct engine_program *p,
			       struct vm **vm)
{
	sched_init(SCHED_STATIC, 0);
	engine_install();
	ck_assert_int_eq(vm_create(cfg, vm), 0);
	ck_assert_int_eq(engine_load(vm_vmid(*vm), 0, p), 0);
	return vm_vcpu(*vm, 0);
}

/* Its end: vCPU v put, the VM destroyed, the engine uninstalled. */
static void program_vm_end(struct vm *vm, struct vcpu *v)
{
	ck_assert_int_eq(vcpu_put(v) >= 0, 1);
	ck_assert_int_eq(vm_destroy(vm), 0);
	hal_sim_set_guest(NULL, NULL);
}

START_TEST(test_store_to_a_hole_produces_the_hardware_data_abort)
{
	static const struct action prog[] = {
		{ .kind = ACT_STORE, .line = 1, .ldst = { .store = true, .size = 2, .rt = 1, .rn = 28 },
		  .addr = 0x0a000010, .value = 0x11223344 },
		{ .kind = ACT_END },
	};
	struct engine_program p = { prog, 2 };
	struct vm_config cfg = { .name = "e", .nvcpus = 1, .entry = { 0x40000000 }, .nmem = 1,
		.mem = { { { 0x40000000 }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } } };
	struct vm *vm;
	struct vm_exit e;

	struct vcpu *v = program_vm(&cfg, &p, &vm);
	v->arch.ctx.el1[VBAR_EL1] = 0x40000800;
	ck_assert_int_eq(vcpu_bind(v), 0);
	ck_assert_int_eq(vcpu_run(v, &e), 0);
	/* STR W1, [X28]: EC 0x24, IL, ISV, SAS=0b10, SRT=1, WnR, DFSC translation. */
	ck_assert_uint_eq(v->arch.trap.esr & ~0x3Full, 0x93810040ull);
	ck_assert_uint_ge(v->arch.trap.esr & 0x3F, 0x04);
	ck_assert_uint_le(v->arch.trap.esr & 0x3F, 0x07);
	ck_assert_uint_eq(v->arch.trap.far, 0x0a000010);
	ck_assert_uint_eq(v->arch.trap.hpfar, 0x0a000ull << 4);
	ck_assert_uint_eq(e.kind, EXIT_STAGE2_FAULT);
	ck_assert(e.mmio_valid);
	ck_assert_uint_eq(e.mmio.value, 0x11223344);
	ck_assert_uint_eq(v->arch.ctx.x[28], 0x0a000010); /* the base register */
	vm_handle_exit(v, &e); /* no device there: an abort is injected */
	ck_assert_uint_eq(v->arch.ctx.pc, 0x40000800 + 0x200);
	ck_assert_int_eq(vcpu_run(v, &e), 0); /* the engine takes it, finds no expect */
	struct engine_result r;
	ck_assert_int_eq(engine_result(vm_vmid(vm), 0, &r), 0);
	ck_assert_uint_eq(r.failures, 1);
	ck_assert_str_eq(r.first_failure, "line 1: unexpected exception (ESR_EL1 0x96000010)");
	ck_assert(r.finished && engine_finished(vm_vmid(vm), 0)); /* then ran into its END */
	vm_handle_exit(v, &e);
	program_vm_end(vm, v);
	ck_assert_int_eq(engine_load(ENGINE_MAX_VMS, 0, &p), -EINVAL);
	ck_assert_int_eq(engine_result(0, ENGINE_MAX_VCPUS, &r), -EINVAL);
	ck_assert(!engine_finished(ENGINE_MAX_VMS, 0));
}
END_TEST

/* Write the doubleword at gpa of vm as another party would: through RAM, no exit. */
static void guest_write64(struct vm *vm, uint64_t gpa, uint64_t value)
{
	paddr_t pa;
	void *va;

	ck_assert_int_eq(as_translate(&vm->as, gpa_make(gpa), &pa, NULL), 0);
	ck_assert_int_eq(hal_phys_to_virt(pa, 8, &va), 0);
	memcpy(va, &value, 8);
}

static void count_fired(struct timer *t, void *arg)
{
	(void)t;
	++*(unsigned *)arg;
}

/* wait64 on a lazily allocated page: its first load traps as LDR X1, [X28] does; then it
 * loops without exits (only a host interrupt ends the entry) while the word differs,
 * even in its upper half only, and completes once the test writes the value. */
START_TEST(test_wait64_loads_until_the_word_is_written)
{
	static const struct action prog[] = {
		{ .kind = ACT_WAIT64, .line = 1,
		  .ldst = { .size = 3, .reg64 = true, .rt = 1, .rn = 28 },
		  .addr = 0x40100008, .value = 0x1122334455667788ull },
		{ .kind = ACT_END, .line = 2 },
	};
	struct engine_program p = { prog, 2 };
	struct vm_config cfg = { .name = "w", .nvcpus = 1, .entry = { 0x40000000 }, .nmem = 2,
		.mem = { { { 0x40000000 }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { 0x40100000 }, 64 * 1024, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } } } };
	struct vm *vm;
	struct vm_exit e;
	struct engine_result r;
	struct timer t;
	unsigned fired = 0;

	struct vcpu *v = program_vm(&cfg, &p, &vm);
	ck_assert_int_eq(vcpu_bind(v), 0);

	/* LDR X1, [X28]: EC 0x24, IL, ISV, SAS=0b11, SRT=1, SF, DFSC translation. */
	ck_assert_int_eq(vcpu_run(v, &e), 0);
	ck_assert_uint_eq(e.kind, EXIT_STAGE2_FAULT);
	ck_assert_uint_eq(v->arch.trap.esr & ~0x3Full, 0x93C18000ull);
	ck_assert_uint_ge(v->arch.trap.esr & 0x3F, 0x04);
	ck_assert_uint_le(v->arch.trap.esr & 0x3F, 0x07);
	ck_assert_uint_eq(v->arch.trap.far, 0x40100008);
	ck_assert_uint_eq(v->arch.trap.hpfar, 0x40100ull << 4);
	ck_assert_uint_eq(v->arch.ctx.x[28], 0x40100008);
	vm_handle_exit(v, &e); /* the lazy page is allocated: retry */
	ck_assert_uint_eq(v->arch.ctx.pc, 0x40000000);

	/* The low half matches, the whole does not: it loops until the timer's IRQ. */
	guest_write64(vm, 0x40100008, 0x55667788);
	timer_init(&t, count_fired, &fired);
	/* 50 ms: long enough that a loaded machine (TSan, a parallel build) still runs
	 * several loads first; at 2 ms the timer sometimes won before the first. */
	ck_assert_int_eq(timer_arm(&t, hal_now_ns() + 50000000), 0);
	ck_assert_int_eq(vcpu_run(v, &e), 0);
	ck_assert_uint_eq(e.kind, EXIT_EXT_IRQ);
	ck_assert_uint_eq(v->arch.ctx.pc, 0x40000000);
	ck_assert_uint_eq(v->arch.ctx.x[1], 0x55667788);
	ck_assert_int_eq(engine_result(vm_vmid(vm), 0, &r), 0);
	ck_assert_uint_gt(r.steps, 3); /* loaded again and again, no exit */
	ck_assert_uint_eq(r.traps, 1);
	ck_assert(!r.finished);
	vm_handle_exit(v, &e);
	ck_assert_uint_eq(fired, 1);

	/* Another party writes the value: the next load sees it and the program ends. */
	guest_write64(vm, 0x40100008, 0x1122334455667788ull);
	ck_assert_int_eq(vcpu_run(v, &e), 0);
	ck_assert_uint_eq(e.kind, EXIT_HALT); /* the final WFI */
	ck_assert_uint_eq(v->arch.ctx.x[1], 0x1122334455667788ull);
	ck_assert_int_eq(engine_result(vm_vmid(vm), 0, &r), 0);
	ck_assert(r.finished);
	ck_assert_uint_eq(r.failures, 0);
	vm_handle_exit(v, &e);
	program_vm_end(vm, v);
}
END_TEST

/* An emulated load (MMIO, here read-as-zero) completes the LDR; the loop's compare then
 * fails and the wait loads, and traps, again. */
START_TEST(test_wait64_on_mmio_loads_again_after_an_emulated_read)
{
	static const struct action prog[] = {
		{ .kind = ACT_WAIT64, .line = 1,
		  .ldst = { .size = 3, .reg64 = true, .rt = 1, .rn = 28 },
		  .addr = 0x0a000000, .value = 7 },
		{ .kind = ACT_END, .line = 2 },
	};
	struct engine_program p = { prog, 2 };
	struct vm_config cfg = { .name = "m", .nvcpus = 1, .entry = { 0x40000000 }, .nmem = 1,
		.mem = { { { 0x40000000 }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } },
		.mmio_raz_wi = true };
	struct vm *vm;
	struct vm_exit e;
	struct engine_result r;

	struct vcpu *v = program_vm(&cfg, &p, &vm);
	ck_assert_int_eq(vcpu_bind(v), 0);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(vcpu_run(v, &e), 0);
		ck_assert_uint_eq(e.kind, EXIT_STAGE2_FAULT); /* no RAM there: MMIO */
		ck_assert(e.mmio_valid);
		ck_assert_uint_eq(v->arch.trap.esr & ~0x3Full, 0x93C18000ull);
		ck_assert_uint_eq(v->arch.ctx.pc, 0x40000000);
		vm_handle_exit(v, &e); /* reads as zero: X1 = 0, PC past the LDR */
		ck_assert_uint_eq(v->arch.ctx.x[1], 0);
	}
	ck_assert_int_eq(engine_result(vm_vmid(vm), 0, &r), 0);
	ck_assert_uint_eq(r.traps, 3);
	ck_assert(!r.finished);
	ck_assert_uint_eq(r.failures, 0);
	program_vm_end(vm, v);
}
END_TEST

/* The engine's PMU and debug registers are the pCPU's, as the hardware's are: with
 * MDCR_EL2 clear, what one VM writes to DBGBVR0_EL1 another VM reads there, and the PMU
 * answers; with MDCR_EL2.TDA or TPM set, the same accesses trap with EC 0x18. */
START_TEST(test_untrapped_debug_registers_are_shared_by_the_pcpu)
{
	static const struct action writer[] = {
		{ .kind = ACT_MSR, .line = 1, .sys = { 2, 0, 0, 0, 4, 1 }, .value = 0xd00d },
		{ .kind = ACT_MSR, .line = 2, .sys = { 3, 3, 9, 12, 0, 2 }, .value = 1 },
		{ .kind = ACT_END, .line = 3 },
	};
	static const struct action reader[] = {
		{ .kind = ACT_MRS, .line = 1, .sys = { 2, 0, 0, 0, 4, 2 } },
		{ .kind = ACT_EXPECT_REG, .line = 2, .reg = 2, .value = 0xd00d },
		{ .kind = ACT_MRS, .line = 3, .sys = { 3, 3, 9, 12, 0, 3 } },
		{ .kind = ACT_EXPECT_REG, .line = 4, .reg = 3, .value = 1 },
		{ .kind = ACT_END, .line = 5 },
	};
	struct engine_program pw = { writer, 3 }, pr = { reader, 5 };
	struct vm_config cfg = { .name = "w", .nvcpus = 1, .entry = { 0x40000000 }, .nmem = 1,
		.mem = { { { 0x40000000 }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } } };
	struct vm *vw, *vr;
	struct vm_exit e;
	struct engine_result r;

	sched_init(SCHED_STATIC, 0);
	engine_install();
	ck_assert_int_eq(vm_create(&cfg, &vw), 0);
	cfg.name = "r";
	ck_assert_int_eq(vm_create(&cfg, &vr), 0);
	ck_assert_int_eq(engine_load(vm_vmid(vw), 0, &pw), 0);
	ck_assert_int_eq(engine_load(vm_vmid(vr), 0, &pr), 0);
	struct vcpu *w = vm_vcpu(vw, 0), *rd = vm_vcpu(vr, 0);
	w->arch.ctx.mdcr_el2 = 0;
	rd->arch.ctx.mdcr_el2 = 0;
	ck_assert_int_eq(vcpu_bind(w), 0);
	ck_assert_int_eq(vcpu_run(w, &e), 0);
	ck_assert_uint_eq(e.kind, EXIT_HALT); /* both MSRs went to the hardware: the END */
	ck_assert_int_eq(vcpu_put(w) >= 0, 1);
	ck_assert_int_eq(vcpu_bind(rd), 0);
	ck_assert_int_eq(vcpu_run(rd, &e), 0);
	ck_assert_uint_eq(e.kind, EXIT_HALT);
	ck_assert_int_eq(engine_result(vm_vmid(vr), 0, &r), 0);
	ck_assert_msg(r.failures == 0, "%s", r.first_failure);
	ck_assert_int_eq(vcpu_put(rd) >= 0, 1);
	/* Trapped: MSR DBGBVR0_EL1, X1 (Op0 2, Op2 4, Rt 1) and MSR PMCR_EL0, X2 (Op0 3,
	 * Op1 3, CRn 9, CRm 12, Rt 2). */
	ck_assert_int_eq(engine_load(vm_vmid(vw), 0, &pw), 0);
	w->arch.ctx.pc = 0x40000000;
	w->arch.ctx.mdcr_el2 = MDCR_TDA | MDCR_TPM;
	ck_assert_int_eq(vcpu_bind(w), 0);
	ck_assert_int_eq(vcpu_run(w, &e), 0);
	ck_assert_uint_eq(w->arch.trap.esr, 0x62280020ull);
	w->arch.ctx.pc += 4;
	ck_assert_int_eq(vcpu_run(w, &e), 0);
	ck_assert_uint_eq(w->arch.trap.esr, 0x6230E458ull);
	ck_assert_int_eq(vcpu_put(w) >= 0, 1);
	ck_assert_int_eq(vm_destroy(vw), 0);
	ck_assert_int_eq(vm_destroy(vr), 0);
	hal_sim_set_guest(NULL, NULL);
}
END_TEST

/* A store to read-only memory is a stage-2 permission fault, for which the hardware
 * leaves HPFAR_EL2 UNKNOWN (Arm ARM D24.2.76): the engine hands over garbage there, as
 * hardware may, and Tandem still finds the IPA (the guest's MMU is off, so FAR is it)
 * and injects the abort the program expects. An HVC leaves HPFAR UNKNOWN as well. */
START_TEST(test_permission_fault_hands_over_garbage_hpfar_and_still_aborts)
{
	static const struct action prog[] = {
		{ .kind = ACT_STORE, .line = 1, .ldst = { .store = true, .size = 2, .rt = 1, .rn = 28 },
		  .addr = 0x40200010, .value = 0x55 },
		{ .kind = ACT_EXPECT_ABORT, .line = 2 },
		/* A call core answers (not PSCI_VERSION, which never leaves the exit path). */
		{ .kind = ACT_HVC, .line = 3, .imm = 0, .args = { 0xC6000001 } },
		{ .kind = ACT_END, .line = 4 },
	};
	struct engine_program p = { prog, 4 };
	struct vm_config cfg = { .name = "p", .nvcpus = 1, .entry = { 0x40000000 }, .nmem = 2,
		.mem = { { { 0x40000000 }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { 0x40200000 }, 4096, PT_R, AS_ALLOC_EAGER, { 0 } } } };
	struct vm *vm;
	struct vm_exit e;
	struct engine_result r;

	struct vcpu *v = program_vm(&cfg, &p, &vm);
	v->arch.ctx.el1[VBAR_EL1] = 0x40000800;
	ck_assert_int_eq(vcpu_bind(v), 0);
	/* STR W1, [X28]: EC 0x24, IL, ISV, SAS=0b10, SRT=1, WnR, DFSC 0x0F (permission,
	 * level 3: the region is mapped in 4 KiB pages). */
	ck_assert_int_eq(vcpu_run(v, &e), 0);
	ck_assert_uint_eq(v->arch.trap.esr, 0x9381004Full);
	ck_assert_uint_eq(v->arch.trap.far, 0x40200010);
	ck_assert_uint_ne(v->arch.trap.hpfar, 0x40200ull << 4);
	vm_handle_exit(v, &e);
	ck_assert_uint_eq(e.kind, EXIT_STAGE2_FAULT);
	ck_assert_uint_eq(gpa_bits(e.u.fault.gpa), 0x40200010);
	ck_assert_uint_eq(e.outcome, EXIT_INJECT_ABORT);
	ck_assert_uint_eq(v->arch.ctx.pc, 0x40000800 + 0x200);
	ck_assert_int_eq(vcpu_run(v, &e), 0); /* the abort taken and expected, then the HVC */
	ck_assert_uint_eq(v->arch.trap.esr, 0x5A000000ull);
	ck_assert_uint_ne(v->arch.trap.hpfar, 0);
	vm_handle_exit(v, &e);
	ck_assert_int_eq(vcpu_run(v, &e), 0); /* the final WFI */
	vm_handle_exit(v, &e);
	ck_assert_int_eq(engine_result(vm_vmid(vm), 0, &r), 0);
	ck_assert(r.finished);
	ck_assert_uint_eq(r.failures, 0);
	program_vm_end(vm, v);
}
END_TEST

/* The simulation host's hal_guest_enter offers each exit to the early handler and runs
 * the guest on when it answers, as the bare-metal world switch does: a PSCI_VERSION
 * never comes back from vcpu_run, the guest sees its answer, and the next exit that
 * needs core (an unknown call) does. With early exits off, it comes back. */
START_TEST(test_the_entry_answers_early_exits_and_runs_on)
{
	static const struct action prog[] = {
		{ .kind = ACT_HVC, .line = 1, .imm = 0, .args = { 0x84000000 } },
		{ .kind = ACT_EXPECT_REG, .line = 2, .reg = 0, .value = 0x10001 },
		{ .kind = ACT_SMC, .line = 3, .imm = 0, .args = { 0x80000000 } },
		{ .kind = ACT_EXPECT_REG, .line = 4, .reg = 0, .value = 0x10001 },
		{ .kind = ACT_HVC, .line = 5, .imm = 0, .args = { 0xC6000001 } },
		{ .kind = ACT_HVC, .line = 6, .imm = 0, .args = { 0x84000000 } },
		{ .kind = ACT_END, .line = 7 },
	};
	struct engine_program p = { prog, 7 };
	struct vm_config cfg = {
		.name = "early", .nvcpus = 1, .entry = { 0x40000000 }, .nmem = 1,
		.mem = { { { 0x40000000 }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } },
	};
	struct vm *vm;
	struct vm_exit e;
	struct engine_result r;

	struct vcpu *v = program_vm(&cfg, &p, &vm);
	ck_assert_int_eq(vcpu_bind(v), 0);
	ck_assert_int_eq(vcpu_run(v, &e), 0);
	ck_assert_uint_eq(e.kind, EXIT_HYPERCALL);
	ck_assert_uint_eq(e.u.hcall.nr, 0xC6000001);
	ck_assert_uint_eq(v->arch.ctx.early_calls, 2);
	vm_handle_exit(v, &e);
	vm_set_early_exits(false);
	ck_assert_int_eq(vcpu_run(v, &e), 0); /* PSCI_VERSION, through core now */
	vm_set_early_exits(true);
	ck_assert_uint_eq(v->arch.trap.esr, 0x5A000000ull);
	ck_assert_uint_eq(e.kind, EXIT_NOTHING);
	vm_handle_exit(v, &e);
	ck_assert_uint_eq(v->arch.ctx.early_calls, 2);
	ck_assert_int_eq(vcpu_run(v, &e), 0); /* the final WFI */
	vm_handle_exit(v, &e);
	ck_assert_int_eq(engine_result(vm_vmid(vm), 0, &r), 0);
	ck_assert(r.finished);
	ck_assert_uint_eq(r.failures, 0);
	program_vm_end(vm, v);
}
END_TEST

/* ---- The program in guest memory, BRK, software step, ICH_HCR_EL2.En ----------------
 * These drive the engine's guest function on a vCPU's context directly, one step a
 * call, as hal_guest_enter does but with no host interrupt, early exit or core between
 * the steps: what a test sees is the engine's alone. The VM only provides the memory
 * and the context. */

#define ENTRY 0x40000000ull
#define VBAR 0x40000800ull
#define WORD_NOP 0xD503201Fu
#define WORD_WFI 0xD503207Fu
/* ESR_EL2 values worked out from the Arm ARM (D24.2.40, ESR_EL2): EC << 26 | IL. */
#define ESR_WFI 0x07E00000ull   /* EC 0x01, CV, COND 0b1110, TI 0b00 */
#define ESR_SSTEP 0xCB000022ull /* EC 0x32, IL, ISV, EX 0, IFSC 0x22 */

static const struct vm_config one_page_cfg = {
	.name = "dbg", .nvcpus = 1, .entry = { ENTRY }, .nmem = 1,
	.mem = { { { ENTRY }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } },
};

/* One step of the engine on v: 1 and *x if it trapped to EL2. */
static int engine_once(struct vcpu *v, struct guest_exit *x)
{
	void *arg;
	hal_sim_guest_fn fn = hal_sim_get_guest(&arg);

	*x = (struct guest_exit){ .esr = ~0ull };
	return fn(&v->arch.ctx, x, arg);
}

static struct engine_result result_of(struct vm *vm)
{
	struct engine_result r;

	ck_assert_int_eq(engine_result(vm_vmid(vm), 0, &r), 0);
	return r;
}

/* The little-endian word of guest memory at gpa, which must be mapped (read without
 * populating a lazy page, as a fetch would not). */
static uint32_t word_at(struct vm *vm, uint64_t gpa)
{
	paddr_t pa;
	void *va;
	uint8_t b[4];

	ck_assert_int_eq(as_translate(&vm->as, gpa_make(gpa), &pa, NULL), 0);
	ck_assert_int_eq(hal_phys_to_virt(pa, 4, &va), 0);
	memcpy(b, va, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* A debugger's write of a word (a BRK, or the original back), little-endian, through
 * as_write as core's memory access goes: it populates a lazy page. */
static void poke(struct vm *vm, uint64_t gpa, uint32_t w)
{
	uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };

	ck_assert_int_eq(as_write(&vm->as, gpa_make(gpa), b, 4), 0);
}

static void engine_vm_end(struct vm *vm)
{
	ck_assert_int_eq(vm_destroy(vm), 0);
	hal_sim_set_guest(NULL, NULL);
}

/* Software step armed as a debugger with TDE does: MDSCR_EL1.SS, and PSTATE.SS as
 * given (set: active-not-pending). */
static void arm_step(struct vcpu *v, bool ss)
{
	v->arch.ctx.mdcr_el2 |= MDCR_TDE;
	v->arch.ctx.el1[MDSCR_EL1] = MDSCR_SS;
	v->arch.ctx.pstate = ss ? v->arch.ctx.pstate | PSR_SS : v->arch.ctx.pstate & ~PSR_SS;
}

/* At the first step the whole program is in guest memory at its addresses, each action
 * as its instruction (encodings from the Arm ARM C6.2, by hand), past it nothing; a BRK
 * a debugger put at one of them before is left there. */
START_TEST(test_the_loader_places_each_action_word_at_its_address)
{
	static const struct action prog[] = {
		{ .kind = ACT_LOAD, .line = 1, .ldst = { .size = 2, .rt = 1, .rn = 28 },
		  .addr = ENTRY + 0x8000 },
		{ .kind = ACT_STORE, .line = 2,
		  .ldst = { .store = true, .size = 3, .reg64 = true, .rt = 2, .rn = 27 },
		  .addr = ENTRY + 0x8008 },
		{ .kind = ACT_MSR, .line = 3, .sys = { 3, 0, 13, 0, 4, 3 } },
		{ .kind = ACT_MRS, .line = 4, .sys = { 3, 0, 13, 0, 4, 4 } },
		{ .kind = ACT_HVC, .line = 5, .imm = 5 },
		{ .kind = ACT_SMC, .line = 6 },
		{ .kind = ACT_WFI, .line = 7 },
		{ .kind = ACT_WFE, .line = 8 },
		{ .kind = ACT_MASK_IRQ, .line = 9 },
		{ .kind = ACT_UNMASK_IRQ, .line = 10 },
		{ .kind = ACT_SET_REG, .line = 11, .reg = 1, .value = 7 },
		{ .kind = ACT_SET_REG, .line = 12, .reg = 2, .value = 8 },
		{ .kind = ACT_END, .line = 13 },
	};
	static const uint32_t words[] = {
		0xB9400381u, /* LDR W1, [X28] */
		0xF9000362u, /* STR X2, [X27] */
		0xD518D083u, /* MSR TPIDR_EL1, X3 */
		0xD538D084u, /* MRS X4, TPIDR_EL1 */
		0xD40000A2u, /* HVC #5 */
		0xD4000003u, /* SMC #0 */
		0xD503207Fu, /* WFI */
		0xD503205Fu, /* WFE */
		0xD50342DFu, /* MSR DAIFSet, #2 */
		0xD50342FFu, /* MSR DAIFClr, #2 */
		0xD503201Fu, /* NOP: setting a register is no one instruction */
		0xD4200000u, /* BRK #0, the debugger's, instead of the NOP */
		0xD503207Fu, /* END: the final WFI */
	};
	struct engine_program p = { prog, 13 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	ck_assert_uint_eq(word_at(vm, ENTRY), 0); /* eager RAM starts zeroed */
	poke(vm, ENTRY + 4 * 11, 0xD4200000u);
	ck_assert_int_eq(engine_once(v, &x), 0); /* the LDR, from RAM */
	for (unsigned i = 0; i < 13; i++)
		ck_assert_msg(word_at(vm, ENTRY + 4 * i) == words[i], "word %u is 0x%08x", i,
			      word_at(vm, ENTRY + 4 * i));
	ck_assert_uint_eq(word_at(vm, ENTRY + 4 * 13), 0);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 4);
	engine_vm_end(vm);
}
END_TEST

/* A BRK #0x1234 at the next action's address with MDCR_EL2.TDE: EC 0x3C, IL, imm16
 * 0x1234 (ESR_EL2 0xF2001234), FAR 0, the PC on the BRK, and the action there not run,
 * for as long as the BRK is there; the original word back, the action runs. At the
 * final WFI a BRK is honoured too, and taking it does not restart the program. */
START_TEST(test_a_brk_with_tde_traps_on_the_brk_until_the_word_is_restored)
{
	static const struct action prog[] = {
		{ .kind = ACT_SET_REG, .line = 1, .reg = 1, .value = 1 },
		{ .kind = ACT_SET_REG, .line = 2, .reg = 2, .value = 2 },
		{ .kind = ACT_SET_REG, .line = 3, .reg = 3, .value = 3 },
		{ .kind = ACT_END, .line = 4 },
	};
	struct engine_program p = { prog, 4 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	v->arch.ctx.mdcr_el2 |= MDCR_TDE;
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[1], 1);
	uint32_t orig = word_at(vm, ENTRY + 4);
	ck_assert_uint_eq(orig, WORD_NOP);
	poke(vm, ENTRY + 4, 0xD4224680u); /* BRK #0x1234 */
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_int_eq(engine_once(v, &x), 1);
		ck_assert_uint_eq(x.type, TRAP_SYNC);
		ck_assert_uint_eq(x.esr, 0xF2001234ull);
		ck_assert_uint_eq(x.far, 0);
		ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 4);
		ck_assert_uint_eq(v->arch.ctx.x[2], 0);
	}
	poke(vm, ENTRY + 4, orig);
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[2], 2);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 8);
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_int_eq(engine_once(v, &x), 1); /* END: the final WFI */
	ck_assert_uint_eq(x.esr, ESR_WFI);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 12);
	v->arch.ctx.pc += 4; /* the hypervisor completes the WFI */
	poke(vm, ENTRY + 12, 0xD4200020u); /* BRK #1 */
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, 0xF2000001ull);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 12);
	poke(vm, ENTRY + 12, WORD_WFI);
	ck_assert_int_eq(engine_once(v, &x), 1); /* the WFI again, no restart */
	ck_assert_uint_eq(x.esr, ESR_WFI);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 12);
	struct engine_result r = result_of(vm);
	ck_assert(r.finished);
	ck_assert_uint_eq(r.failures, 0);
	engine_vm_end(vm);
}
END_TEST

/* While a debugger is attached (TDE), a PC it moves within the program picks the
 * action there (gdb's "jump", "set $pc"); the entry itself still restarts it, and
 * without TDE any other PC is a fresh entry, as a CPU_ON makes. */
START_TEST(test_a_debugger_moving_the_pc_in_the_program_picks_that_action)
{
	static const struct action prog[] = {
		{ .kind = ACT_SET_REG, .line = 1, .reg = 1, .value = 1 },
		{ .kind = ACT_SET_REG, .line = 2, .reg = 2, .value = 2 },
		{ .kind = ACT_SET_REG, .line = 3, .reg = 3, .value = 3 },
		{ .kind = ACT_SET_REG, .line = 4, .reg = 4, .value = 4 },
		{ .kind = ACT_END, .line = 5 },
	};
	struct engine_program p = { prog, 5 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	v->arch.ctx.mdcr_el2 |= MDCR_TDE;
	ck_assert_int_eq(engine_once(v, &x), 0); /* x1 */
	v->arch.ctx.pc = ENTRY + 12;		 /* over x2 and x3 */
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[4], 4);
	ck_assert_uint_eq(v->arch.ctx.x[2], 0);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 16);
	v->arch.ctx.pc = ENTRY + 4; /* back */
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[2], 2);
	ck_assert_uint_eq(v->arch.ctx.x[3], 0);
	/* Without a debugger the same PC is an entry: the program from its start. */
	v->arch.ctx.mdcr_el2 &= ~MDCR_TDE;
	v->arch.ctx.x[1] = 0;
	v->arch.ctx.pc = ENTRY + 4;
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[1], 1);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 8);
	engine_vm_end(vm);
}
END_TEST

/* Without TDE the guest takes the BRK itself at EL1: ESR_EL1 0xF2001234, ELR_EL1 the
 * BRK's address. The engine's handler finds no expectation for it (a failure of the
 * program) and returns past the BRK: the action there never runs, the next does. */
START_TEST(test_a_brk_without_tde_is_taken_by_the_guest_at_el1)
{
	static const struct action prog[] = {
		{ .kind = ACT_SET_REG, .line = 1, .reg = 1, .value = 1 },
		{ .kind = ACT_SET_REG, .line = 2, .reg = 2, .value = 2 },
		{ .kind = ACT_SET_REG, .line = 3, .reg = 3, .value = 3 },
		{ .kind = ACT_END, .line = 4 },
	};
	struct engine_program p = { prog, 4 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	v->arch.ctx.el1[VBAR_EL1] = VBAR;
	ck_assert_int_eq(engine_once(v, &x), 0);
	poke(vm, ENTRY + 4, 0xD4224680u); /* BRK #0x1234 */
	ck_assert_int_eq(engine_once(v, &x), 0); /* no exit */
	ck_assert_uint_eq(v->arch.ctx.el1[ESR_EL1], 0xF2001234ull);
	ck_assert_uint_eq(v->arch.ctx.el1[ELR_EL1], ENTRY + 4);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 8);
	ck_assert_uint_eq(v->arch.ctx.x[2], 0);
	struct engine_result r = result_of(vm);
	ck_assert_uint_eq(r.exceptions_taken, 1);
	ck_assert_uint_eq(r.failures, 1);
	ck_assert_str_eq(r.first_failure, "line 2: unexpected exception (ESR_EL1 0xf2001234)");
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[3], 3);
	engine_vm_end(vm);
}
END_TEST

/* A program entered 8 bytes before the end of its eager page runs on into a lazy one.
 * The loader leaves that page alone (it is not there); the fetch of its first word is
 * an instruction abort (EC 0x20, translation, FAR the PC); once core maps the page the
 * fetch writes each word as the PC reaches it, and the final WFI of a program without
 * END after its last action. */
START_TEST(test_a_page_mapped_after_entry_gets_its_words_when_fetched)
{
	static const struct action prog[] = {
		{ .kind = ACT_SET_REG, .line = 1, .reg = 1, .value = 1 },
		{ .kind = ACT_SET_REG, .line = 2, .reg = 2, .value = 2 },
		{ .kind = ACT_HVC, .line = 3, .imm = 3 },
		{ .kind = ACT_SET_REG, .line = 4, .reg = 4, .value = 4 },
	};
	struct engine_program p = { prog, 4 };
	const uint64_t lazy = ENTRY + 0x1000;
	struct vm_config cfg = { .name = "lazy", .nvcpus = 1, .entry = { lazy - 8 }, .nmem = 2,
		.mem = { { { ENTRY }, 0x1000, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { lazy }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_LAZY, { 0 } } } };
	struct vm *vm;
	struct guest_exit x;
	paddr_t pa;

	struct vcpu *v = program_vm(&cfg, &p, &vm);
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(word_at(vm, lazy - 8), WORD_NOP);
	ck_assert_uint_eq(word_at(vm, lazy - 4), WORD_NOP);
	ck_assert_int_eq(as_translate(&vm->as, gpa_make(lazy), &pa, NULL), -ENOENT);
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr >> 26, 0x20);
	ck_assert_uint_ge(x.esr & 0x3F, 0x04);
	ck_assert_uint_le(x.esr & 0x3F, 0x07);
	ck_assert_uint_eq(x.far, lazy);
	ck_assert_uint_eq(v->arch.ctx.pc, lazy);
	ck_assert_int_eq(as_handle_fault(&vm->as, gpa_make(lazy), PT_X), 0);
	ck_assert_uint_eq(word_at(vm, lazy), 0);
	ck_assert_int_eq(engine_once(v, &x), 1); /* HVC #3: EC 0x16, IL, imm16 3 */
	ck_assert_uint_eq(x.esr, 0x5A000003ull);
	ck_assert_uint_eq(word_at(vm, lazy), 0xD4000062u); /* HVC #3 */
	ck_assert_uint_eq(word_at(vm, lazy + 4), 0); /* not fetched yet */
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[4], 4);
	ck_assert_uint_eq(word_at(vm, lazy + 4), WORD_NOP);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, ESR_WFI);
	ck_assert_uint_eq(v->arch.ctx.pc, lazy + 8);
	ck_assert_uint_eq(word_at(vm, lazy + 8), WORD_WFI);
	engine_vm_end(vm);
}
END_TEST

/* A debugger plants a BRK on a page the program has not reached (the write populates
 * it): the words before it are placed as the PC reaches them, the BRK stays and traps. */
START_TEST(test_a_brk_on_a_page_not_yet_mapped_survives_lazy_placement)
{
	static const struct action prog[] = {
		{ .kind = ACT_SET_REG, .line = 1, .reg = 1, .value = 1 },
		{ .kind = ACT_SET_REG, .line = 2, .reg = 2, .value = 2 },
		{ .kind = ACT_SET_REG, .line = 3, .reg = 3, .value = 3 },
		{ .kind = ACT_SET_REG, .line = 4, .reg = 4, .value = 4 },
		{ .kind = ACT_END, .line = 5 },
	};
	struct engine_program p = { prog, 5 };
	const uint64_t lazy = ENTRY + 0x1000;
	struct vm_config cfg = { .name = "lazy", .nvcpus = 1, .entry = { lazy - 8 }, .nmem = 2,
		.mem = { { { ENTRY }, 0x1000, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { lazy }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_LAZY, { 0 } } } };
	struct vm *vm;
	struct guest_exit x;
	paddr_t pa;

	struct vcpu *v = program_vm(&cfg, &p, &vm);
	v->arch.ctx.mdcr_el2 |= MDCR_TDE;
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_int_eq(as_translate(&vm->as, gpa_make(lazy), &pa, NULL), -ENOENT);
	poke(vm, lazy + 4, 0xD42000E0u); /* BRK #7 */
	ck_assert_uint_eq(word_at(vm, lazy), 0);
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[3], 3);
	ck_assert_uint_eq(word_at(vm, lazy), WORD_NOP);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, 0xF2000007ull);
	ck_assert_uint_eq(v->arch.ctx.pc, lazy + 4);
	ck_assert_uint_eq(word_at(vm, lazy + 4), 0xD42000E0u);
	ck_assert_uint_eq(v->arch.ctx.x[4], 0);
	engine_vm_end(vm);
}
END_TEST

/* Active-not-pending (PSTATE.SS 1): exactly one action, then the software step
 * exception with PSTATE.SS cleared and the PC on the next action; again for the next. */
START_TEST(test_a_step_runs_one_action_then_takes_the_step_exception)
{
	static const struct action prog[] = {
		{ .kind = ACT_SET_REG, .line = 1, .reg = 1, .value = 1 },
		{ .kind = ACT_SET_REG, .line = 2, .reg = 2, .value = 2 },
		{ .kind = ACT_SET_REG, .line = 3, .reg = 3, .value = 3 },
		{ .kind = ACT_END, .line = 4 },
	};
	struct engine_program p = { prog, 4 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	for (unsigned i = 1; i <= 2; i++) {
		arm_step(v, true);
		ck_assert_int_eq(engine_once(v, &x), 1);
		ck_assert_uint_eq(x.type, TRAP_SYNC);
		ck_assert_uint_eq(x.esr, ESR_SSTEP);
		ck_assert_uint_eq(v->arch.ctx.pstate & PSR_SS, 0);
		ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 4 * i);
		ck_assert_uint_eq(v->arch.ctx.x[i], i);
		ck_assert_uint_eq(v->arch.ctx.x[i + 1], 0);
	}
	ck_assert_uint_eq(result_of(vm).steps, 2);
	engine_vm_end(vm);
}
END_TEST

/* Active-pending (PSTATE.SS 0): the step exception before anything runs, even a
 * virtual IRQ that is pending and unmasked; with SS set that IRQ's handler is the
 * step, the PC left where it was. */
START_TEST(test_entering_with_ss_clear_takes_the_step_exception_at_once)
{
	static const struct action prog[] = {
		{ .kind = ACT_SET_REG, .line = 1, .reg = 1, .value = 1 },
		{ .kind = ACT_END, .line = 2 },
	};
	struct engine_program p = { prog, 2 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	struct guest_ctx *c = &v->arch.ctx;
	c->pstate &= ~PSR_I;
	c->ich_hcr = ICH_HCR_EN;
	c->ich_vmcr = ICH_VMCR_ENG1 | (0xFFull << ICH_VMCR_PMR_SHIFT);
	c->ich_lr[0] = ICH_LR_PENDING | ICH_LR_GROUP1 | (0xA0ull << ICH_LR_PRIORITY_SHIFT) | 27;
	arm_step(v, false);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, ESR_SSTEP);
	ck_assert_uint_eq(c->pc, ENTRY);
	ck_assert_uint_eq(c->x[1], 0);
	ck_assert_uint_eq(c->ich_lr[0] & ICH_LR_STATE_MASK, ICH_LR_PENDING);
	struct engine_result r = result_of(vm);
	ck_assert(!r.started);
	ck_assert_uint_eq(r.steps, 0);
	ck_assert_uint_eq(word_at(vm, ENTRY), 0); /* not even the loader ran */
	arm_step(v, true);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, ESR_SSTEP);
	ck_assert_uint_eq(result_of(vm).irqs_taken, 1);
	ck_assert_uint_eq(c->pc, ENTRY);
	ck_assert_uint_eq(c->x[1], 0);
	arm_step(v, true);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, ESR_SSTEP);
	ck_assert_uint_eq(c->pc, ENTRY + 4);
	ck_assert_uint_eq(c->x[1], 1);
	engine_vm_end(vm);
}
END_TEST

/* A stepped HVC traps as an HVC (EC 0x16, ELR_EL2 past it) with SPSR_EL2.SS cleared:
 * the instruction completed, so the entry after the call steps at once. */
START_TEST(test_a_stepped_hvc_traps_with_ss_clear)
{
	static const struct action prog[] = {
		{ .kind = ACT_HVC, .line = 1, .imm = 0, .args = { 0xC6000001 } },
		{ .kind = ACT_SET_REG, .line = 2, .reg = 1, .value = 1 },
		{ .kind = ACT_END, .line = 3 },
	};
	struct engine_program p = { prog, 3 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	arm_step(v, true);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, 0x5A000000ull);
	ck_assert_uint_eq(v->arch.ctx.pstate & PSR_SS, 0);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 4);
	ck_assert_int_eq(engine_once(v, &x), 1); /* back from the call: active-pending */
	ck_assert_uint_eq(x.esr, ESR_SSTEP);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 4);
	ck_assert_uint_eq(v->arch.ctx.x[1], 0);
	engine_vm_end(vm);
}
END_TEST

/* A stepped load from MMIO traps as a data abort with SPSR_EL2.SS still set (it did not
 * complete); once the hypervisor emulates it, advances the PC and clears SS, the next
 * entry takes the step exception at once, past the load. */
START_TEST(test_a_stepped_mmio_load_traps_with_ss_still_set)
{
	static const struct action prog[] = {
		{ .kind = ACT_LOAD, .line = 1, .ldst = { .size = 2, .rt = 1, .rn = 28 },
		  .addr = 0x0a000000 },
		{ .kind = ACT_SET_REG, .line = 2, .reg = 2, .value = 2 },
		{ .kind = ACT_END, .line = 3 },
	};
	struct engine_program p = { prog, 3 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	arm_step(v, true);
	ck_assert_int_eq(engine_once(v, &x), 1);
	/* LDR W1, [X28]: EC 0x24, IL, ISV, SAS 0b10, SRT 1, DFSC translation. */
	ck_assert_uint_eq(x.esr & ~0x3Full, 0x93810000ull);
	ck_assert_uint_eq(v->arch.ctx.pstate & PSR_SS, PSR_SS);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY);
	v->arch.ctx.x[1] = 0x55; /* emulated */
	v->arch.ctx.pc += 4;
	v->arch.ctx.pstate &= ~PSR_SS;
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, ESR_SSTEP);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 4);
	ck_assert_uint_eq(v->arch.ctx.x[2], 0);
	arm_step(v, true);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, ESR_SSTEP);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 8);
	ck_assert_uint_eq(v->arch.ctx.x[2], 2);
	engine_vm_end(vm);
}
END_TEST

/* An exception the guest takes at EL1 by itself (an UNDEFINED MRS) clears PSTATE.SS as
 * it enters: the step ends at the vector, before the handler, which is the next step
 * (returning past the MRS), and the expectation after it the one after. */
START_TEST(test_a_stepped_exception_at_el1_stops_at_its_vector)
{
	static const struct action prog[] = {
		{ .kind = ACT_MRS, .line = 1, .sys = { 3, 3, 13, 0, 2, 5 } }, /* TPIDR_EL0 */
		{ .kind = ACT_EXPECT_UNDEF, .line = 2 },
		{ .kind = ACT_END, .line = 3 },
	};
	struct engine_program p = { prog, 3 };
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = program_vm(&one_page_cfg, &p, &vm);
	v->arch.ctx.el1[VBAR_EL1] = VBAR;
	arm_step(v, true);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, ESR_SSTEP);
	ck_assert_uint_eq(v->arch.ctx.pc, VBAR + 0x200); /* current EL with SP_ELx, sync */
	ck_assert_uint_eq(v->arch.ctx.el1[ESR_EL1], 0x02000000ull);
	ck_assert_uint_eq(result_of(vm).exceptions_taken, 0);
	arm_step(v, true);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.esr, ESR_SSTEP);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 4);
	ck_assert_uint_eq(result_of(vm).exceptions_taken, 1);
	arm_step(v, true);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 8);
	ck_assert_uint_eq(result_of(vm).failures, 0);
	engine_vm_end(vm);
}
END_TEST

/* A pending LR (priority 0xA0 under PMR 0xFF, group 1 enabled) and, for the
 * maintenance interrupt, an LR with EOI that the guest has deactivated and UIE. */
static struct vcpu *lr_program_vm(bool en, struct vm **vm)
{
	static const struct action prog[] = {
		{ .kind = ACT_WFI, .line = 1 },
		{ .kind = ACT_UNMASK_IRQ, .line = 2 },
		{ .kind = ACT_SET_REG, .line = 3, .reg = 1, .value = 1 },
		{ .kind = ACT_END, .line = 4 },
	};
	static const struct engine_program p = { prog, 4 };

	struct vcpu *v = program_vm(&one_page_cfg, &p, vm);
	struct guest_ctx *c = &v->arch.ctx;
	c->ich_vmcr = ICH_VMCR_ENG1 | (0xFFull << ICH_VMCR_PMR_SHIFT);
	c->ich_lr[0] = ICH_LR_PENDING | ICH_LR_GROUP1 | (0xA0ull << ICH_LR_PRIORITY_SHIFT) | 27;
	c->ich_hcr = en ? ICH_HCR_EN : ICH_HCR_UIE;
	if (!en)
		c->ich_lr[1] = ICH_LR_EOI | ICH_LR_GROUP1 | 28;
	return v;
}

/* ICH_HCR_EL2.En clear: the interface signals nothing. The WFI (IRQs masked) waits,
 * trapping, instead of completing on the pending LR; unmasked, the LR is not taken;
 * neither the EOI nor the underflow maintenance interrupt is raised. */
START_TEST(test_with_ich_hcr_en_clear_a_pending_lr_is_neither_taken_nor_wakes_wfi)
{
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = lr_program_vm(false, &vm);
	ck_assert_int_eq(engine_once(v, &x), 1);
	ck_assert_uint_eq(x.type, TRAP_SYNC);
	ck_assert_uint_eq(x.esr, ESR_WFI);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY);
	v->arch.ctx.pc += 4; /* the hypervisor completes the WFI */
	for (unsigned i = 0; i < 2; i++)
		ck_assert_int_eq(engine_once(v, &x), 0); /* no TRAP_IRQ either */
	ck_assert_uint_eq(v->arch.ctx.x[1], 1);
	ck_assert_uint_eq(result_of(vm).irqs_taken, 0);
	ck_assert_uint_eq(v->arch.ctx.ich_lr[0] & ICH_LR_STATE_MASK, ICH_LR_PENDING);
	engine_vm_end(vm);
}
END_TEST

/* ICH_HCR_EL2.En set, as before: the WFI completes at once on the pending LR, and once
 * IRQs are unmasked the interrupt is taken before the next action. */
START_TEST(test_with_ich_hcr_en_set_a_pending_lr_wakes_wfi_and_is_taken)
{
	struct vm *vm;
	struct guest_exit x;

	struct vcpu *v = lr_program_vm(true, &vm);
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.pc, ENTRY + 4);
	ck_assert_int_eq(engine_once(v, &x), 0); /* unmasked */
	ck_assert_int_eq(engine_once(v, &x), 0); /* the IRQ */
	struct engine_result r = result_of(vm);
	ck_assert_uint_eq(r.irqs_taken, 1);
	ck_assert_uint_eq(v->arch.ctx.x[1], 0);
	ck_assert_uint_eq(v->arch.ctx.ich_lr[0] & ICH_LR_STATE_MASK, 0);
	ck_assert_int_eq(engine_once(v, &x), 0);
	ck_assert_uint_eq(v->arch.ctx.x[1], 1);
	engine_vm_end(vm);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk_agrees_with_core_40_bit_ipa);
	tcase_add_test(tc, test_walk_agrees_with_core_44_bit_ipa);
	tcase_add_test(tc, test_store_to_a_hole_produces_the_hardware_data_abort);
	tcase_add_test(tc, test_wait64_loads_until_the_word_is_written);
	tcase_add_test(tc, test_wait64_on_mmio_loads_again_after_an_emulated_read);
	tcase_add_test(tc, test_untrapped_debug_registers_are_shared_by_the_pcpu);
	tcase_add_test(tc, test_permission_fault_hands_over_garbage_hpfar_and_still_aborts);
	tcase_add_test(tc, test_the_entry_answers_early_exits_and_runs_on);
	tcase_add_test(tc, test_the_loader_places_each_action_word_at_its_address);
	tcase_add_test(tc, test_a_brk_with_tde_traps_on_the_brk_until_the_word_is_restored);
	tcase_add_test(tc, test_a_brk_without_tde_is_taken_by_the_guest_at_el1);
	tcase_add_test(tc, test_a_debugger_moving_the_pc_in_the_program_picks_that_action);
	tcase_add_test(tc, test_a_page_mapped_after_entry_gets_its_words_when_fetched);
	tcase_add_test(tc, test_a_brk_on_a_page_not_yet_mapped_survives_lazy_placement);
	tcase_add_test(tc, test_a_step_runs_one_action_then_takes_the_step_exception);
	tcase_add_test(tc, test_entering_with_ss_clear_takes_the_step_exception_at_once);
	tcase_add_test(tc, test_a_stepped_hvc_traps_with_ss_clear);
	tcase_add_test(tc, test_a_stepped_mmio_load_traps_with_ss_still_set);
	tcase_add_test(tc, test_a_stepped_exception_at_el1_stops_at_its_vector);
	tcase_add_test(tc, test_with_ich_hcr_en_clear_a_pending_lr_is_neither_taken_nor_wakes_wfi);
	tcase_add_test(tc, test_with_ich_hcr_en_set_a_pending_lr_wakes_wfi_and_is_taken);
	suite_add_tcase(s, tc);
	return s;
}
