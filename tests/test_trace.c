/* The exit trace (core/vm_exit.c): each line carries the word of the instruction that
 * made the exit, read from guest memory where the arch layer says it is, through the
 * vCPU's stage 1 and without populating anything; a host's decorator adds its text.
 * Words and ESRs are worked out by hand from the Arm ARM (C6.2 encodings, D17.2.37
 * ISS layouts). */
#include <check.h>
#include <string.h>

#include "arch/aarch64/sysreg.h"
#include "core/frame.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM  0x40000000ull
#define LAZY 0x40010000ull
#define DEV  0x09000000ull
#define PC0  0x40000100ull

#define LDR_X1_X1            0xF9400021u /* LDR X1, [X1]: size 11, opc 01, imm12 0, Rn 1, Rt 1 */
#define HVC_0                0xD4000002u /* HVC #0 */
#define MSR_S3_0_C15_C0_0_X5 0xD518F005u /* MSR (register), o0 1, CRn 15, Rt 5 */

#define ESR_LDR_X1 0x93C18007ull /* DABT_LOW, IL, ISV, SAS 8 bytes, SRT 1, SF, DFSC L3 */
#define ESR_HVC0   0x5A000000ull /* EC 0x16, IL, imm16 0 */
#define ESR_MSR_X5 0x62303CA0ull /* EC 0x18, IL, Op0 3, CRn 15, Rt 5, Dir 0 (write) */

static struct vm *vm;
static struct vcpu *v0;
static size_t baseline;

static int dev_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	(void)ctx;
	(void)off;
	(void)width;
	*value = 0x5A;
	return 0;
}

static int dev_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	(void)ctx;
	(void)off;
	(void)width;
	(void)value;
	return 0;
}

static const struct mmio_ops dev_ops = {dev_read, dev_write, NULL};

static void setup(void)
{
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
	struct vm_config cfg = {
	    .name = "trace",
	    .nvcpus = 1,
	    .entry = {PC0},
	    .nmem = 2,
	    .mem = {{{RAM}, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, {0}},
	            {{LAZY}, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_LAZY, {0}}},
	    .ndevices = 1,
	    .devices = {{{DEV}, 0x1000, &dev_ops, NULL}},
	};
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	v0 = vm_vcpu(vm, 0);
	ck_assert_int_eq(vcpu_bind(v0), 0);
	vm_set_trace(true);
}

static void teardown(void)
{
	vm_set_trace(false);
	vm_set_trace_decorator(NULL);
	if (v0->pcpu != VCPU_NO_PCPU)
		vcpu_put(v0);
	ck_assert_int_eq(vm_destroy(vm), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	test_machine_down();
}

static void put32(uint64_t gpa, uint32_t w)
{
	ck_assert_int_eq(as_write(&vm->as, gpa_make(gpa), &w, 4), 0);
}

static void put64(uint64_t gpa, uint64_t w)
{
	ck_assert_int_eq(as_write(&vm->as, gpa_make(gpa), &w, 8), 0);
}

/* The trace line of one exit (the trap fed at PC pc), in line. */
static void trace_of(uint64_t pc, enum trap_type type, uint64_t esr, uint64_t gpa, char *line,
                     size_t size)
{
	struct guest_exit t = {.type = type, .esr = esr, .far = gpa, .hpfar = (gpa >> 12) << 4};
	struct vm_exit e;

	v0->arch.ctx.pc = pc;
	test_capture_begin();
	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	test_capture_end(line, size);
}

START_TEST(test_an_mmio_load_traces_its_ldr)
{
	char line[512];

	put32(PC0, LDR_X1_X1);
	trace_of(PC0, TRAP_SYNC, ESR_LDR_X1, DEV + 0x18, line, sizeof(line));
	ck_assert_msg(strstr(line, " mmio-read addr=0x9000018 width=8 value=0x5a -> resume "
	                           "insn=0xf9400021\n"),
	              "%s", line);
}
END_TEST

START_TEST(test_an_hvc_traces_the_word_before_its_preferred_return)
{
	char line[512];

	put32(PC0, HVC_0);
	put32(PC0 + 4, LDR_X1_X1);      /* where ELR_EL2 points: not the HVC */
	v0->arch.ctx.x[0] = 0x84000000; /* PSCI_VERSION */
	trace_of(PC0 + 4, TRAP_SYNC, ESR_HVC0, 0, line, sizeof(line));
	ck_assert_msg(strstr(line, "-> resume insn=0xd4000002\n"), "%s", line);
}
END_TEST

START_TEST(test_a_trapped_msr_traces_its_word)
{
	char line[512];

	put32(PC0, MSR_S3_0_C15_C0_0_X5);
	trace_of(PC0, TRAP_SYNC, ESR_MSR_X5, 0, line, sizeof(line));
	ck_assert_msg(strstr(line, " sysreg-write addr=0x303c00 width=0 value=0x0 -> undef "
	                           "insn=0xd518f005\n"),
	              "%s", line);
}
END_TEST

/* A PC in a hole of the VM's memory, and one in a lazy page no one touched: "insn=?",
 * and the lazy page is still not there (the trace populated nothing). */
START_TEST(test_a_pc_that_does_not_translate_traces_a_question_mark)
{
	char line[512];

	trace_of(0x50000000, TRAP_SYNC, ESR_MSR_X5, 0, line, sizeof(line));
	ck_assert_msg(strstr(line, "-> undef insn=?\n"), "%s", line);
	trace_of(LAZY + 0x3000, TRAP_SYNC, ESR_MSR_X5, 0, line, sizeof(line));
	ck_assert_msg(strstr(line, "-> undef insn=?\n"), "%s", line);
	ck_assert_int_eq(as_translate(&vm->as, gpa_make(LAZY + 0x3000), NULL, NULL), -ENOENT);
	ck_assert_uint_eq(vm->as.lazy_faults, 0);
}
END_TEST

START_TEST(test_an_interrupt_exit_traces_no_instruction)
{
	char line[512];

	put32(PC0, LDR_X1_X1);
	trace_of(PC0, TRAP_IRQ, 0, 0, line, sizeof(line));
	ck_assert_msg(strstr(line, " irq ") && !strstr(line, "insn="), "%s", line);
}
END_TEST

/* The MMU on: the PC is a VA that the guest's stage 1 (Arm ARM D8.2, 4 KiB granule,
 * T0SZ 25: levels 1 to 3) maps to RAM + 0x1000, which holds the word; the same VA
 * read flat would be no memory at all. */
START_TEST(test_the_pc_goes_through_the_guest_stage1)
{
	char line[512];
	const uint64_t va = 0x6940605000ull; /* indices 0x1A5, 3, 5 */

	put64(RAM + 0x8000 + 0x1A5 * 8, (RAM + 0x9000) | 0x3);
	put64(RAM + 0x9000 + 3 * 8, (RAM + 0xA000) | 0x3);
	put64(RAM + 0xA000 + 5 * 8, (RAM + 0x1000) | (1u << 10) | 0x3); /* page, AF */
	put32(RAM + 0x1000, LDR_X1_X1);
	v0->arch.ctx.el1[TTBR0_EL1] = RAM + 0x8000;
	v0->arch.ctx.el1[TCR_EL1] = 25 | (1ull << 23) | (2ull << 32); /* EPD1, IPS 40 bits */
	v0->arch.ctx.el1[SCTLR_EL1] |= 1;                             /* M */
	trace_of(va, TRAP_SYNC, ESR_LDR_X1, DEV, line, sizeof(line));
	ck_assert_msg(strstr(line, "-> resume insn=0xf9400021\n"), "%s", line);
}
END_TEST

/* An AArch32 EL0 (PSTATE.M[4], Arm ARM D1.4) may trap on a 16-bit T32 WFI: no A64 word
 * to show, so none is read. */
START_TEST(test_an_aarch32_exit_traces_no_word)
{
	char line[512];

	put32(PC0, LDR_X1_X1);
	v0->arch.ctx.pstate = 0x10; /* AArch32 User */
	trace_of(PC0, TRAP_SYNC, 0x04000000ull, 0, line, sizeof(line)); /* WFI, IL 0 */
	ck_assert_msg(strstr(line, " halt ") && !strstr(line, "insn="), "%s", line);
}
END_TEST

static void fake_disasm(uint32_t insn, char *buf, size_t size)
{
	ck_assert_uint_eq(insn, HVC_0);
	strncpy(buf, "hvc #0", size);
}

START_TEST(test_a_host_decorator_adds_its_text_in_parentheses)
{
	char line[512];

	put32(PC0, HVC_0);
	v0->arch.ctx.x[0] = 0x84000000;
	vm_set_trace_decorator(fake_disasm);
	trace_of(PC0 + 4, TRAP_SYNC, ESR_HVC0, 0, line, sizeof(line));
	ck_assert_msg(strstr(line, "-> resume insn=0xd4000002 (hvc #0)\n"), "%s", line);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_an_mmio_load_traces_its_ldr);
	tcase_add_test(tc, test_an_hvc_traces_the_word_before_its_preferred_return);
	tcase_add_test(tc, test_a_trapped_msr_traces_its_word);
	tcase_add_test(tc, test_a_pc_that_does_not_translate_traces_a_question_mark);
	tcase_add_test(tc, test_an_interrupt_exit_traces_no_instruction);
	tcase_add_test(tc, test_the_pc_goes_through_the_guest_stage1);
	tcase_add_test(tc, test_an_aarch32_exit_traces_no_word);
	tcase_add_test(tc, test_a_host_decorator_adds_its_text_in_parentheses);
	suite_add_tcase(s, tc);
	return s;
}
