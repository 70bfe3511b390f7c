/* Hostile guests against the PMU and the self-hosted debug registers (issue 11, item
 * 3): a guest must never reach the physical PMU, breakpoints or watchpoints, which are
 * shared by everything that runs on the pCPU. MDCR_EL2 traps every access; Tandem
 * answers PMU accesses with UNDEF (it virtualises no PMU) and keeps each vCPU's debug
 * registers in the vCPU. ESR values are assembled by hand from the Arm ARM's ISS for
 * EC 0x18 (Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Dir[0]); the
 * register encodings are the Arm ARM's. */
#include <check.h>

#include "arch/aarch64/sysreg.h"
#include "core/frame.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/engine.h"
#include "hal-sim/sim.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM 0x40000000ull
#define VBAR 0x40000800ull
#define PC0 0x40000100ull
#define EL1H_MASKED 0x3C5ull
#define UNDEF_ESR 0x02000000ull /* EC 0x00, IL */

static size_t baseline;

static void setup(void)
{
	test_machine_up(1, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
}

static void teardown(void)
{
	ck_assert_uint_eq(frame_outstanding(), baseline);
	test_machine_down();
}

static struct vm *make_vm(const char *name, unsigned nvcpus)
{
	struct vm_config cfg = { .name = name, .nvcpus = nvcpus, .entry = { PC0 }, .nmem = 1,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } } };
	struct vm *vm;

	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	for (unsigned i = 0; i < nvcpus; i++) {
		if (i > 0) /* as PSCI CPU_ON would */
			ck_assert_int_eq(vcpu_power_on(vm_vcpu(vm, i), gpa_make(PC0), 0), 0);
		vm_vcpu(vm, i)->arch.ctx.el1[VBAR_EL1] = VBAR;
	}
	return vm;
}

/* One trapped MSR/MRS on vCPU v (bound for the access), with x[rt] = value before it:
 * x[rt] afterwards. */
static uint64_t trapped(struct vcpu *v, uint64_t esr, uint64_t value)
{
	unsigned rt = (unsigned)(esr >> 5) & 0x1F;
	struct guest_exit t = { .type = TRAP_SYNC, .esr = esr };

	v->arch.ctx.pc = PC0;
	v->arch.ctx.x[rt] = value;
	ck_assert_int_eq(vcpu_bind(v), 0);
	ck_assert_int_eq(vm_feed_trap(v, &t, NULL), 0);
	ck_assert_int_ge(vcpu_put(v), 0);
	return v->arch.ctx.x[rt];
}

/* The access completed: no exception, the PC past the instruction. */
static void expect_done(struct vcpu *v)
{
	ck_assert_uint_eq(v->arch.ctx.pc, PC0 + 4);
}

/* The access took an UNDEF at the guest's VBAR_EL1 (+off: by the EL it came from). */
static void expect_undef(struct vcpu *v, uint64_t off)
{
	ck_assert_uint_eq(v->arch.ctx.el1[ESR_EL1], UNDEF_ESR);
	ck_assert_uint_eq(v->arch.ctx.el1[ELR_EL1], PC0);
	ck_assert_uint_eq(v->arch.ctx.pc, VBAR + off);
	v->arch.ctx.pstate = EL1H_MASKED;
	v->arch.ctx.el1[ESR_EL1] = 0;
}

/* MSR <reg>, X1 and MRS X2, <reg>. */
#define W1(iss) (0x62000000ull | (iss) | (1u << 5))
#define R2(iss) (0x62000000ull | (iss) | (2u << 5) | 1u)
#define DBGBVR0 0x280000ull  /* Op0 2, Op2 4, CRn 0, CRm 0 */
#define DBGBCR0 0x2A0000ull  /* Op2 5 */
#define DBGWVR0 0x2C0000ull  /* Op2 6 */
#define DBGWCR0 0x2E0000ull  /* Op2 7 */
#define CRM(n) ((uint64_t)(n) << 1)
#define MDSCR 0x240004ull    /* Op0 2, Op2 2, CRm 2 */
#define OSLAR 0x280400ull    /* Op0 2, Op2 4, CRn 1, CRm 0 */
#define OSLSR 0x280402ull    /* CRm 1 */
#define OSDLR 0x280406ull    /* CRm 3 */
#define DBGPRCR 0x280408ull  /* CRm 4 */
#define MDRAR 0x200400ull    /* Op0 2, Op2 0, CRn 1, CRm 0 */
#define DBGCLAIMSET 0x2C1C10ull  /* Op0 2, Op2 6, CRn 7, CRm 8 */
#define DBGCLAIMCLR 0x2C1C12ull  /* CRm 9 */
#define DBGAUTHSTATUS 0x2C1C1Cull /* CRm 14 */
#define MDCCSR_EL0 0x20C002ull   /* Op0 2, Op1 3, CRn 0, CRm 1 */

/* Breakpoint and watchpoint values a guest writes read back on its own vCPU, and on no
 * other: not on its sibling, not on another VM's vCPU, whatever order they run in. */
START_TEST(test_debug_registers_read_back_per_vcpu_and_never_across_vms)
{
	struct vm *a = make_vm("a", 2), *b = make_vm("b", 1);
	struct vcpu *a0 = vm_vcpu(a, 0), *a1 = vm_vcpu(a, 1), *b0 = vm_vcpu(b, 0);

	trapped(a0, W1(DBGBVR0), 0x40001000);
	expect_done(a0);
	trapped(a0, W1(DBGWVR0 | CRM(3)), 0x4000f000);
	trapped(b0, W1(DBGBVR0), 0xbbbb0000);
	trapped(a1, W1(DBGBCR0 | CRM(15)), 0x1e5);
	ck_assert_uint_eq(trapped(a0, R2(DBGBVR0), 0), 0x40001000);
	expect_done(a0);
	ck_assert_uint_eq(trapped(a0, R2(DBGWVR0 | CRM(3)), 0), 0x4000f000);
	ck_assert_uint_eq(trapped(b0, R2(DBGBVR0), 0), 0xbbbb0000);
	ck_assert_uint_eq(trapped(a1, R2(DBGBVR0), 7), 0);
	ck_assert_uint_eq(trapped(b0, R2(DBGWVR0 | CRM(3)), 7), 0);
	ck_assert_uint_eq(trapped(a1, R2(DBGBCR0 | CRM(15)), 0), 0x1e5);
	ck_assert_uint_eq(trapped(a0, R2(DBGBCR0 | CRM(15)), 7), 0);
	/* Control registers keep their fields only (DBGBCR: BT, LBN, SSC, HMC, BAS, PMC, E;
	 * DBGWCR: MASK, WT, LBN, SSC, HMC, BAS, LSC, PAC, E); the rest is RES0. */
	trapped(b0, W1(DBGBCR0 | CRM(1)), ~0ull);
	ck_assert_uint_eq(trapped(b0, R2(DBGBCR0 | CRM(1)), 0), 0x00FFE1E7);
	trapped(b0, W1(DBGWCR0 | CRM(1)), ~0ull);
	ck_assert_uint_eq(trapped(b0, R2(DBGWCR0 | CRM(1)), 0), 0x1F1FFFFF);
	/* MDSCR_EL1 is the vCPU's too: its MDE, KDE, TDCC and SS bits, nothing else. */
	trapped(a0, W1(MDSCR), ~0ull);
	ck_assert_uint_eq(trapped(a0, R2(MDSCR), 0), 0xB001);
	ck_assert_uint_eq(a0->arch.ctx.el1[MDSCR_EL1], 0xB001);
	ck_assert_uint_eq(trapped(b0, R2(MDSCR), 7), 0);
	/* A guest's EL0 reaches none of the EL1 debug registers: UNDEF, to EL1 (+0x400). */
	a0->arch.ctx.pstate = 0;
	trapped(a0, R2(DBGBVR0), 7);
	expect_undef(a0, 0x400);
	ck_assert_int_eq(vm_destroy(a), 0);
	ck_assert_int_eq(vm_destroy(b), 0);
}
END_TEST

/* A fresh vCPU's OS lock is locked (as after a cold reset) and its own to unlock; the
 * debug ROM, the claim tags, the authentication status and the DCC read as a PE with
 * no external debugger; write-only and read-only registers refuse the other direction. */
START_TEST(test_os_lock_claim_tags_and_status_registers_are_the_vcpus)
{
	struct vm *a = make_vm("a", 2);
	struct vcpu *a0 = vm_vcpu(a, 0), *a1 = vm_vcpu(a, 1);

	/* OSLSR_EL1: OSLM 0b10 (bit 3), OSLK (bit 1). */
	ck_assert_uint_eq(trapped(a0, R2(OSLSR), 7), 0xA);
	expect_done(a0);
	trapped(a0, W1(OSLAR), 0);
	ck_assert_uint_eq(trapped(a0, R2(OSLSR), 7), 0x8);
	ck_assert_uint_eq(trapped(a1, R2(OSLSR), 7), 0xA);
	trapped(a0, W1(OSLAR), 1);
	ck_assert_uint_eq(trapped(a0, R2(OSLSR), 7), 0xA);
	trapped(a0, W1(OSDLR), 0xFF);
	ck_assert_uint_eq(trapped(a0, R2(OSDLR), 7), 1);
	trapped(a0, W1(DBGPRCR), 0xFF);
	ck_assert_uint_eq(trapped(a0, R2(DBGPRCR), 7), 1);
	ck_assert_uint_eq(trapped(a0, R2(MDRAR), 7), 0); /* no valid ROM table address */
	/* DBGAUTHSTATUS_EL1: non-secure invasive and non-invasive debug implemented and
	 * enabled (0b11), secure ones implemented and disabled (0b10). */
	ck_assert_uint_eq(trapped(a0, R2(DBGAUTHSTATUS), 7), 0xAF);
	/* Claim tags: set and clear by bit; CLAIMSET reads the implemented bits. */
	trapped(a0, W1(DBGCLAIMSET), 0x1A5);
	ck_assert_uint_eq(trapped(a0, R2(DBGCLAIMCLR), 7), 0xA5);
	ck_assert_uint_eq(trapped(a0, R2(DBGCLAIMSET), 7), 0xFF);
	trapped(a0, W1(DBGCLAIMCLR), 0x05);
	ck_assert_uint_eq(trapped(a0, R2(DBGCLAIMCLR), 7), 0xA0);
	ck_assert_uint_eq(trapped(a1, R2(DBGCLAIMCLR), 7), 0);
	ck_assert_uint_eq(trapped(a0, R2(MDCCSR_EL0), 7), 0);
	trapped(a0, R2(OSLAR), 7);
	expect_undef(a0, 0x200);
	trapped(a0, W1(OSLSR), 0);
	expect_undef(a0, 0x200);
	trapped(a0, W1(DBGAUTHSTATUS), 0);
	expect_undef(a0, 0x200);
	ck_assert_int_eq(vm_destroy(a), 0);
}
END_TEST

/* Every vCPU runs with MDCR_EL2 trapping the PMU (TPM, TPMCR), the debug registers
 * (TDA), the OS lock and power-down registers (TDOSA) and the ROM address (TDRA), and
 * with debug exceptions left to the guest's EL1 (TDE clear). */
/* The feature ID registers (HCR_EL2.TID3): a guest sees the pCPU's values without
 * what Tandem does not virtualise. The simulated CPU is made a rich one first, with
 * every hidden feature present, so that each field is seen hidden. Values by hand from
 * the Arm ARM's field positions. */
#define ID_ISS(crm, op2) (0x300000ull | ((uint64_t)(op2) << 17) | ((uint64_t)(crm) << 1))
START_TEST(test_id_registers_hide_what_tandem_does_not_virtualise)
{
	struct vm *a = make_vm("a", 1);
	struct vcpu *v = vm_vcpu(a, 0);

	/* PFR0: SVE 1, MPAM 1, AMU 1, RME 1 beside EL0-3, GIC and DIT 1; PFR1: MTE 2,
	 * MPAM_frac 1, SME 1 beside BT 1; DFR0: PMSVer 1, TraceFilt 1, TraceBuffer 1,
	 * MTPMU 1, BRBE 1, PMUVer 4, TraceVer 1 beside DebugVer 6, BRPs 5, WRPs 3,
	 * CTX_CMPs 1. */
	hal_sim_set_id_reg(4, 0, 0x0011110101002222ull);
	hal_sim_set_id_reg(4, 1, 0x0000000001010201ull);
	hal_sim_set_id_reg(4, 4, 0x0000000000000001ull); /* ZFR0: SVE2 */
	hal_sim_set_id_reg(5, 0, 0x0011110110305416ull);
	hal_sim_set_id_reg(5, 1, 0x12);
	hal_sim_set_id_reg(1, 2, 0x03010066);            /* ID_DFR0: PerfMon 3 */
	hal_sim_set_id_reg(6, 0, 0x0000100000011120ull); /* ISAR0: passes through */
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(4, 0)), 0), 0x0001000001002022ull); /* no EL2 */
	expect_done(v);
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(4, 1)), 0), 0x0000000000000001ull);
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(4, 4)), 7), 0);
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(5, 0)), 0), 0x0000000010305006ull);
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(5, 1)), 7), 0);
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(1, 2)), 0), 0x00010066);
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(6, 0)), 0), 0x0000100000011120ull);
	/* the simulated A72's ID_PFR1_EL1 without Virtualization */
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(1, 1)), 0), 0x10010011ull);
	/* an unallocated encoding of the ID space reads as zero, never UNDEF */
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(7, 7)), 9), 0);
	expect_done(v);
	/* they are read-only: a write is UNDEFINED, and changes nothing */
	trapped(v, W1(ID_ISS(5, 0)), 0xFFFF);
	expect_undef(v, 0x200);
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(5, 0)), 0), 0x0000000010305006ull);
	/* EL0 reading one through a trap (it never should: its reads UNDEF at EL1 first)
	 * gets an UNDEF too, and learns nothing */
	v->arch.ctx.pstate = 0;
	ck_assert_uint_eq(trapped(v, R2(ID_ISS(5, 0)), 7), 7);
	expect_undef(v, 0x400);
	ck_assert_int_eq(vm_destroy(a), 0);
}
END_TEST

START_TEST(test_every_vcpu_runs_with_pmu_and_debug_traps)
{
	struct vm *a = make_vm("a", 3);

	for (unsigned i = 0; i < 3; i++) {
		uint64_t mdcr = vm_vcpu(a, i)->arch.ctx.mdcr_el2;
		ck_assert_uint_eq(mdcr & 0xFE0, 0xE60); /* TDRA, TDOSA, TDA, TPM, TPMCR */
		ck_assert(vm_vcpu(a, i)->arch.ctx.hcr_el2 & (1ull << 18)); /* TID3 */
	}
	ck_assert_int_eq(vm_destroy(a), 0);
}
END_TEST

/* The guest engine on a real vCPU: each PMU and debug register access traps with the
 * ESR the hardware builds for it, and Tandem answers it (UNDEF for the PMU, the
 * vCPU's own value for the debug registers). */
#define MSR(op0, op1, crn, crm, op2, rt, v)                                                  \
	{ .kind = ACT_MSR, .line = __LINE__, .sys = { op0, op1, crn, crm, op2, rt }, .value = v }
#define MRS(op0, op1, crn, crm, op2, rt)                                                     \
	{ .kind = ACT_MRS, .line = __LINE__, .sys = { op0, op1, crn, crm, op2, rt } }
#define UNDEF { .kind = ACT_EXPECT_UNDEF, .line = __LINE__ }

START_TEST(test_engine_traps_pmu_and_debug_accesses_with_the_hardware_esr)
{
	static const struct action prog[] = {
		MSR(2, 0, 0, 0, 4, 1, 0x40002000), /* MSR DBGBVR0_EL1, X1 */
		MRS(2, 0, 0, 5, 5, 2),             /* MRS X2, DBGBCR5_EL1 */
		MSR(2, 0, 0, 3, 7, 3, 0x1e5),      /* MSR DBGWCR3_EL1, X3 */
		MRS(2, 0, 0, 2, 2, 4),             /* MRS X4, MDSCR_EL1 */
		MSR(2, 0, 1, 0, 4, 5, 0),          /* MSR OSLAR_EL1, X5 */
		MRS(2, 0, 1, 0, 0, 6),             /* MRS X6, MDRAR_EL1 */
		MRS(2, 3, 0, 1, 0, 11),            /* MRS X11, MDCCSR_EL0 */
		MRS(3, 3, 9, 12, 0, 7), UNDEF,     /* MRS X7, PMCR_EL0 */
		MSR(3, 3, 9, 13, 0, 8, 1), UNDEF,  /* MSR PMCCNTR_EL0, X8 */
		MRS(3, 3, 14, 8, 0, 9), UNDEF,     /* MRS X9, PMEVCNTR0_EL0 */
		MSR(3, 0, 9, 14, 1, 10, 1), UNDEF, /* MSR PMINTENSET_EL1, X10 */
		MRS(3, 0, 0, 5, 0, 12),            /* MRS X12, ID_AA64DFR0_EL1 (TID3) */
		MRS(3, 0, 0, 7, 7, 13),            /* MRS X13, S3_0_C0_C7_7: unallocated */
		{ .kind = ACT_END },
	};
	/* Worked out by hand: EC 0x18 << 26 | IL (0x62000000) | ISS. */
	static const uint64_t esr[] = {
		0x62280020, /* Op0 2, Op2 4, Rt 1 */
		0x622A004B, /* Op0 2, Op2 5, Rt 2, CRm 5, read */
		0x622E0066, /* Op0 2, Op2 7, Rt 3, CRm 3 */
		0x62240085, /* Op0 2, Op2 2, Rt 4, CRm 2, read */
		0x622804A0, /* Op0 2, Op2 4, CRn 1, Rt 5 */
		0x622004C1, /* Op0 2, CRn 1, Rt 6, read */
		0x6220C163, /* Op0 2, Op1 3, Rt 11, CRm 1, read */
		0x6230E4F9, /* Op0 3, Op1 3, CRn 9, Rt 7, CRm 12, read */
		0x6230E51A, /* Op0 3, Op1 3, CRn 9, Rt 8, CRm 13 */
		0x6230F931, /* Op0 3, Op1 3, CRn 14, Rt 9, CRm 8, read */
		0x6232255C, /* Op0 3, Op2 1, CRn 9, Rt 10, CRm 14 */
		0x6230018B, /* Op0 3, Rt 12, CRm 5, read */
		0x623E01AF, /* Op0 3, Op2 7, Rt 13, CRm 7, read */
	};
	struct engine_program p = { prog, sizeof(prog) / sizeof(prog[0]) };
	struct vm *vm = make_vm("e", 1);
	struct vcpu *v = vm_vcpu(vm, 0);
	struct engine_result r;
	struct vm_exit e;

	engine_install();
	ck_assert_int_eq(engine_load(vm_vmid(vm), 0, &p), 0);
	ck_assert_int_eq(vcpu_bind(v), 0);
	for (unsigned i = 0; i < sizeof(esr) / sizeof(esr[0]); i++) {
		ck_assert_int_eq(vcpu_run(v, &e), 0);
		ck_assert_msg(v->arch.trap.esr == esr[i], "access %u: ESR_EL2 0x%llx, expected 0x%llx", i,
			      (unsigned long long)v->arch.trap.esr, (unsigned long long)esr[i]);
		vm_handle_exit(v, &e);
	}
	ck_assert_uint_eq(v->arch.ctx.x[2], 0);   /* DBGBCR5_EL1 of a fresh vCPU */
	ck_assert_uint_eq(v->arch.ctx.x[6], 0);   /* MDRAR_EL1 */
	ck_assert_uint_eq(v->arch.ctx.x[12], 0x10305006); /* the A72's, without PMUVer */
	ck_assert_uint_eq(v->arch.ctx.x[13], 0);
	ck_assert_int_eq(vcpu_run(v, &e), 0);      /* the END's WFI */
	ck_assert_uint_eq(e.kind, EXIT_HALT);
	ck_assert_int_eq(engine_result(vm_vmid(vm), 0, &r), 0);
	ck_assert_msg(r.failures == 0, "%s", r.first_failure);
	ck_assert_uint_eq(r.exceptions_taken, 4);
	ck_assert_int_ge(vcpu_put(v), 0);
	ck_assert_int_eq(vm_destroy(vm), 0);
	hal_sim_set_guest(NULL, NULL);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hostile_debug");
	TCase *tc = tcase_create("hostile_debug");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_debug_registers_read_back_per_vcpu_and_never_across_vms);
	tcase_add_test(tc, test_os_lock_claim_tags_and_status_registers_are_the_vcpus);
	tcase_add_test(tc, test_every_vcpu_runs_with_pmu_and_debug_traps);
	tcase_add_test(tc, test_id_registers_hide_what_tandem_does_not_virtualise);
	tcase_add_test(tc, test_engine_traps_pmu_and_debug_accesses_with_the_hardware_esr);
	suite_add_tcase(s, tc);
	return s;
}
