/* The SBI v2.0 decoder and completion (arch/riscv64/sbi.c), table-driven: every
 * extension's functions and every error the specification lists for them, with the
 * expected results read from the SBI v2.0 text (chapters 3-12), not from the code. A VM
 * of 4 harts unless a row says otherwise. */
#include <check.h>
#include <stdint.h>

#include "arch/riscv64/sbi.h"
#include "hal/err.h"
#include "tests/check_main.h"

#define ALL (~0ull)
#define BASE SBI_EXT_BASE
#define TIME SBI_EXT_TIME
#define IPI SBI_EXT_IPI
#define RF SBI_EXT_RFENCE
#define HSM SBI_EXT_HSM
#define SRST SBI_EXT_SRST
#define DBCN SBI_EXT_DBCN

struct row {
	const char *what;
	uint64_t eid, fid;
	uint64_t a[6];
	enum sbi_op op;
	int64_t error; /* DONE rows */
	uint64_t value;
};

static const struct row rows[] = {
	/* BASE (chapter 4) */
	{ "spec version 2.0", BASE, 0, { 0 }, SBI_OP_DONE, 0, 0x02000000 },
	{ "impl id", BASE, 1, { 0 }, SBI_OP_DONE, 0, 0x54414E44 },
	{ "impl version 0.1.0", BASE, 2, { 0 }, SBI_OP_DONE, 0, 0x100 },
	{ "probe BASE", BASE, 3, { BASE }, SBI_OP_DONE, 0, 1 },
	{ "probe TIME", BASE, 3, { TIME }, SBI_OP_DONE, 0, 1 },
	{ "probe IPI", BASE, 3, { IPI }, SBI_OP_DONE, 0, 1 },
	{ "probe RFENCE", BASE, 3, { RF }, SBI_OP_DONE, 0, 1 },
	{ "probe HSM", BASE, 3, { HSM }, SBI_OP_DONE, 0, 1 },
	{ "probe SRST", BASE, 3, { SRST }, SBI_OP_DONE, 0, 1 },
	{ "probe DBCN", BASE, 3, { DBCN }, SBI_OP_DONE, 0, 1 },
	{ "probe legacy putchar", BASE, 3, { 1 }, SBI_OP_DONE, 0, 1 },
	{ "probe legacy set_timer: absent", BASE, 3, { 0 }, SBI_OP_DONE, 0, 0 },
	{ "probe PMU: absent", BASE, 3, { SBI_EXT_PMU }, SBI_OP_DONE, 0, 0 },
	{ "probe SUSP: absent", BASE, 3, { SBI_EXT_SUSP }, SBI_OP_DONE, 0, 0 },
	{ "probe garbage: absent", BASE, 3, { 0xDEADBEEF12345678ull }, SBI_OP_DONE, 0, 0 },
	{ "mvendorid", BASE, 4, { 0 }, SBI_OP_DONE, 0, 0 },
	{ "marchid", BASE, 5, { 0 }, SBI_OP_DONE, 0, 0 },
	{ "mimpid", BASE, 6, { 0 }, SBI_OP_DONE, 0, 0 },
	{ "BASE fid 7", BASE, 7, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "BASE fid -1", BASE, ALL, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	/* TIME (chapter 6) */
	{ "set_timer", TIME, 0, { 12345 }, SBI_OP_SET_TIMER, 0, 0 },
	{ "TIME fid 1", TIME, 1, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	/* IPI (chapter 7) */
	{ "send_ipi harts 1,2", IPI, 0, { 3, 1 }, SBI_OP_SEND_IPI, 0, 0 },
	{ "send_ipi all", IPI, 0, { 0, ALL }, SBI_OP_SEND_IPI, 0, 0 },
	{ "send_ipi empty mask", IPI, 0, { 0, 0 }, SBI_OP_SEND_IPI, 0, 0 },
	{ "send_ipi hart 4 of 4", IPI, 0, { 1, 4 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "send_ipi mask past the harts", IPI, 0, { 0x10, 0 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "send_ipi base wraps", IPI, 0, { 2, ALL - 1 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "IPI fid 1", IPI, 1, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	/* RFENCE (chapter 8) */
	{ "remote_fence_i", RF, 0, { 1, 0 }, SBI_OP_RFENCE, 0, 0 },
	{ "remote_sfence_vma range", RF, 1, { 1, 0, 0x1000, 0x2000 }, SBI_OP_RFENCE, 0, 0 },
	{ "remote_sfence_vma all (size -1)", RF, 1, { 0, ALL, 5, ALL }, SBI_OP_RFENCE, 0, 0 },
	{ "remote_sfence_vma_asid", RF, 2, { 1, 0, 0, 0, 7 }, SBI_OP_RFENCE, 0, 0 },
	{ "remote_sfence_vma wrapping range", RF, 1, { 1, 0, ALL - 0xFFF, 0x2000 }, SBI_OP_DONE,
	  SBI_ERR_INVALID_ADDRESS, 0 },
	{ "remote_sfence_vma_asid asid > 16 bits", RF, 2, { 1, 0, 0, 0, 0x10000 }, SBI_OP_DONE,
	  SBI_ERR_INVALID_PARAM, 0 },
	{ "remote_fence_i bad hart", RF, 0, { 1, 9 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "hfence_gvma_vmid: a hypervisor's", RF, 3, { 1, 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "hfence_gvma", RF, 4, { 1, 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "hfence_vvma_asid", RF, 5, { 1, 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "hfence_vvma", RF, 6, { 1, 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "RFENCE fid 7", RF, 7, { 1, 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	/* HSM (chapter 9) */
	{ "hart_start", HSM, 0, { 3, 0x80200000, 0x55 }, SBI_OP_HART_START, 0, 0 },
	{ "hart_start hart 4 of 4", HSM, 0, { 4, 0x80200000, 0 }, SBI_OP_DONE,
	  SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_start hart -1", HSM, 0, { ALL, 0x80200000, 0 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_stop", HSM, 1, { 0 }, SBI_OP_HART_STOP, 0, 0 },
	{ "hart_get_status", HSM, 2, { 1 }, SBI_OP_HART_STATUS, 0, 0 },
	{ "hart_get_status hart 4 of 4", HSM, 2, { 4 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_suspend retentive", HSM, 3, { 0 }, SBI_OP_HART_SUSPEND, 0, 0 },
	{ "hart_suspend non-retentive", HSM, 3, { 0x80000000, 0x80000000, 1 }, SBI_OP_HART_SUSPEND,
	  0, 0 },
	{ "hart_suspend reserved 1", HSM, 3, { 1 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_suspend reserved 0x0FFFFFFF", HSM, 3, { 0x0FFFFFFF }, SBI_OP_DONE,
	  SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_suspend platform retentive 0x10000000", HSM, 3, { 0x10000000 }, SBI_OP_DONE,
	  SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_suspend reserved 0x80000001", HSM, 3, { 0x80000001 }, SBI_OP_DONE,
	  SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_suspend platform non-retentive 0x90000000", HSM, 3, { 0x90000000 }, SBI_OP_DONE,
	  SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_suspend past 32 bits", HSM, 3, { 1ull << 32 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "HSM fid 4", HSM, 4, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	/* SRST (chapter 10) */
	{ "shutdown", SRST, 0, { 0, 0 }, SBI_OP_SYSTEM_RESET, 0, 0 },
	{ "cold reboot, system failure", SRST, 0, { 1, 1 }, SBI_OP_SYSTEM_RESET, 0, 0 },
	{ "warm reboot", SRST, 0, { 2, 0 }, SBI_OP_SYSTEM_RESET, 0, 0 },
	{ "reserved type 3", SRST, 0, { 3, 0 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "vendor type 0xF0000000", SRST, 0, { 0xF0000000, 0 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "reserved reason 2", SRST, 0, { 0, 2 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "impl reason 0xE0000000", SRST, 0, { 0, 0xE0000000 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "vendor reason 0xF0000000", SRST, 0, { 0, 0xF0000000 }, SBI_OP_DONE, SBI_ERR_INVALID_PARAM, 0 },
	{ "SRST fid 1", SRST, 1, { 0, 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	/* DBCN (chapter 12) */
	{ "console_write", DBCN, 0, { 16, 0x80001000, 0 }, SBI_OP_CONSOLE_WRITE, 0, 0 },
	{ "console_read", DBCN, 1, { 16, 0x80001000, 0 }, SBI_OP_CONSOLE_READ, 0, 0 },
	{ "console_write, base_addr_hi set", DBCN, 0, { 16, 0x80001000, 1 }, SBI_OP_DONE,
	  SBI_ERR_INVALID_PARAM, 0 },
	{ "console_read wrapping buffer", DBCN, 1, { 0x2000, ALL - 0xFFF, 0 }, SBI_OP_DONE,
	  SBI_ERR_INVALID_PARAM, 0 },
	{ "console_write_byte", DBCN, 2, { 0x141 }, SBI_OP_CONSOLE_BYTE, 0, 0 },
	{ "DBCN fid 3", DBCN, 3, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	/* Legacy (chapter 5) and unknown */
	{ "legacy putchar", 1, 0, { 'x' }, SBI_OP_CONSOLE_BYTE, 0, 0 },
	{ "legacy set_timer", 0, 0, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "legacy getchar", 2, 0, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "legacy shutdown", 8, 0, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "legacy reserved 0x0F", 0xF, 0, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "PMU", SBI_EXT_PMU, 0, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "SUSP", SBI_EXT_SUSP, 0, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
	{ "EID with garbage above 32 bits", BASE | (1ull << 40), 0, { 0 }, SBI_OP_DONE,
	  SBI_ERR_NOT_SUPPORTED, 0 },
	{ "FID with garbage above 32 bits", BASE, 1ull << 33, { 0 }, SBI_OP_DONE,
	  SBI_ERR_NOT_SUPPORTED, 0 },
	{ "EID sign-extended -1", ALL, 0, { 0 }, SBI_OP_DONE, SBI_ERR_NOT_SUPPORTED, 0 },
};

static struct sbi_call decode_row(const struct row *r, unsigned nharts)
{
	uint64_t a[8] = { r->a[0], r->a[1], r->a[2], r->a[3], r->a[4], r->a[5], r->fid, r->eid };
	struct sbi_call c;

	sbi_decode(a, nharts, &c);
	return c;
}

START_TEST(test_every_function_and_its_errors)
{
	const struct row *r = &rows[_i];
	struct sbi_call c = decode_row(r, 4);

	ck_assert_msg(c.op == r->op, "%s: op %d, want %d", r->what, c.op, r->op);
	if (r->op != SBI_OP_DONE)
		return;
	uint64_t a0 = 0xAA, a1 = 0xBB;
	bool w1;
	sbi_finish(&c, 0, &a0, &a1, &w1);
	ck_assert_msg((int64_t)a0 == r->error, "%s: a0 %lld, want %lld", r->what, (long long)a0,
		      (long long)r->error);
	if (c.legacy)
		ck_assert_msg(!w1, "%s: a legacy call writes a0 only", r->what);
	else
		ck_assert_msg(w1 && a1 == r->value, "%s: a1 0x%llx, want 0x%llx", r->what,
			      (unsigned long long)a1, (unsigned long long)r->value);
}
END_TEST

/* The arguments an op carries, as decoded. */
START_TEST(test_decoded_arguments)
{
	struct row ipi = { .eid = IPI, .fid = 0, .a = { 0x5, 1 } };
	ck_assert_uint_eq(decode_row(&ipi, 4).harts, 0xA); /* harts 1 and 3 */
	struct row all = { .eid = IPI, .fid = 0, .a = { 0, ALL } };
	ck_assert_uint_eq(decode_row(&all, 3).harts, 0x7);
	struct row start = { .eid = HSM, .fid = 0, .a = { 2, 0x80200000, 0x55 } };
	struct sbi_call c = decode_row(&start, 4);
	ck_assert_uint_eq(c.hart, 2);
	ck_assert_uint_eq(c.addr, 0x80200000);
	ck_assert_uint_eq(c.opaque, 0x55);
	struct row sfence = { .eid = RF, .fid = 2, .a = { 1, 0, 0x1000, 0x3000, 9 } };
	c = decode_row(&sfence, 4);
	ck_assert_int_eq(c.fence, SBI_FENCE_VMA_ASID);
	ck_assert(!c.all);
	ck_assert_uint_eq(c.start, 0x1000);
	ck_assert_uint_eq(c.size, 0x3000);
	ck_assert_uint_eq(c.asid, 9);
	struct row whole = { .eid = RF, .fid = 1, .a = { 1, 0, 0, 0 } };
	ck_assert(decode_row(&whole, 4).all); /* start and size 0: everything */
	struct row susp = { .eid = HSM, .fid = 3, .a = { 0x80000000, 0x80004000, 0x77 } };
	c = decode_row(&susp, 4);
	ck_assert(!c.retentive);
	ck_assert_uint_eq(c.addr, 0x80004000);
	ck_assert_uint_eq(c.opaque, 0x77);
	struct row reset = { .eid = SRST, .fid = 0, .a = { 2, 1 } };
	c = decode_row(&reset, 4);
	ck_assert_uint_eq(c.type, SBI_RESET_WARM);
	ck_assert_uint_eq(c.reason, SBI_RESET_REASON_FAILURE);
	struct row wr = { .eid = DBCN, .fid = 0, .a = { 5, 0x80001000, 0 } };
	c = decode_row(&wr, 4);
	ck_assert_uint_eq(c.len, 5);
	ck_assert_uint_eq(c.gpa, 0x80001000);
	struct row byte = { .eid = DBCN, .fid = 2, .a = { 0x1FF } };
	ck_assert_uint_eq(decode_row(&byte, 4).byte, 0xFF);
	struct row timer = { .eid = TIME, .fid = 0, .a = { 0xFFFFFFFFFFFFFFFFull } };
	ck_assert_uint_eq(decode_row(&timer, 4).stime, ~0ull);
}
END_TEST

/* A one-hart VM: hart 1 is no hart, for every call that names one. */
START_TEST(test_harts_past_a_small_vm)
{
	struct row ipi = { .eid = IPI, .fid = 0, .a = { 2, 0 } };
	ck_assert_int_eq(decode_row(&ipi, 1).error, SBI_ERR_INVALID_PARAM);
	struct row start = { .eid = HSM, .fid = 0, .a = { 1, 0x80000000, 0 } };
	ck_assert_int_eq(decode_row(&start, 1).error, SBI_ERR_INVALID_PARAM);
	struct row mask64 = { .eid = IPI, .fid = 0, .a = { 1ull << 63, 0 } };
	ck_assert_int_eq(decode_row(&mask64, 64).op, SBI_OP_SEND_IPI);
	ck_assert_uint_eq(decode_row(&mask64, 64).harts, 1ull << 63);
}
END_TEST

struct finish_row {
	enum sbi_op op;
	int64_t ret;
	int64_t a0;
	uint64_t a1;
};

/* Core's results as SBI reports them (chapter 9's hart_start and hart_get_status
 * errors and states; DBCN's byte counts and errors; calls that return only when refused). */
static const struct finish_row finishes[] = {
	{ SBI_OP_HART_START, 0, SBI_SUCCESS, 0 },
	{ SBI_OP_HART_START, -EALREADY, SBI_ERR_ALREADY_AVAILABLE, 0 },
	{ SBI_OP_HART_START, -EBUSY, SBI_ERR_ALREADY_AVAILABLE, 0 },
	{ SBI_OP_HART_START, -ENOENT, SBI_ERR_INVALID_PARAM, 0 },
	{ SBI_OP_HART_START, -EFAULT, SBI_ERR_INVALID_ADDRESS, 0 },
	{ SBI_OP_HART_START, -ENOMEM, SBI_ERR_FAILED, 0 },
	{ SBI_OP_HART_STATUS, 0, SBI_SUCCESS, SBI_HSM_STARTED },
	{ SBI_OP_HART_STATUS, 1, SBI_SUCCESS, SBI_HSM_STOPPED },
	{ SBI_OP_HART_STATUS, 2, SBI_SUCCESS, SBI_HSM_START_PENDING },
	{ SBI_OP_HART_STATUS, -ENOENT, SBI_ERR_INVALID_PARAM, 0 },
	{ SBI_OP_HART_STATUS, 7, SBI_ERR_INVALID_PARAM, 0 },
	{ SBI_OP_HART_STOP, -EBUSY, SBI_ERR_FAILED, 0 },
	{ SBI_OP_SYSTEM_RESET, -EBUSY, SBI_ERR_FAILED, 0 },
	{ SBI_OP_HART_SUSPEND, 0, SBI_SUCCESS, 0 },
	{ SBI_OP_HART_SUSPEND, -EFAULT, SBI_ERR_INVALID_ADDRESS, 0 },
	{ SBI_OP_SET_TIMER, 0, SBI_SUCCESS, 0 },
	{ SBI_OP_SEND_IPI, 0, SBI_SUCCESS, 0 },
	{ SBI_OP_SEND_IPI, -EINVAL, SBI_ERR_INVALID_PARAM, 0 },
	{ SBI_OP_RFENCE, 0, SBI_SUCCESS, 0 },
	{ SBI_OP_CONSOLE_WRITE, 12, SBI_SUCCESS, 12 },
	{ SBI_OP_CONSOLE_WRITE, 0, SBI_SUCCESS, 0 },
	{ SBI_OP_CONSOLE_WRITE, -EFAULT, SBI_ERR_INVALID_PARAM, 0 },
	{ SBI_OP_CONSOLE_WRITE, -ENODEV, SBI_ERR_DENIED, 0 },
	{ SBI_OP_CONSOLE_READ, 3, SBI_SUCCESS, 3 },
	{ SBI_OP_CONSOLE_READ, -EFAULT, SBI_ERR_INVALID_PARAM, 0 },
	{ SBI_OP_CONSOLE_BYTE, 1, SBI_SUCCESS, 0 },
	{ SBI_OP_CONSOLE_BYTE, -ENODEV, SBI_ERR_DENIED, 0 },
};

START_TEST(test_core_results_become_sbi_results)
{
	const struct finish_row *f = &finishes[_i];
	struct sbi_call c = { .op = f->op };
	uint64_t a0, a1 = 0;
	bool w1;

	sbi_finish(&c, f->ret, &a0, &a1, &w1);
	ck_assert_msg((int64_t)a0 == f->a0 && a1 == f->a1, "op %d ret %lld: a0 %lld a1 %llu",
		      f->op, (long long)f->ret, (long long)a0, (unsigned long long)a1);
	ck_assert(w1);
}
END_TEST

START_TEST(test_legacy_putchar_writes_a0_only)
{
	struct row r = { .eid = 1, .fid = 0, .a = { 'A' } };
	struct sbi_call c = decode_row(&r, 4);
	uint64_t a0, a1 = 0x77;
	bool w1 = true;

	ck_assert(c.legacy);
	ck_assert_uint_eq(c.byte, 'A');
	sbi_finish(&c, 1, &a0, &a1, &w1);
	ck_assert_uint_eq(a0, 0);
	ck_assert(!w1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("sbi");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_every_function_and_its_errors, 0,
			    (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, test_decoded_arguments);
	tcase_add_test(tc, test_harts_past_a_small_vm);
	tcase_add_loop_test(tc, test_core_results_become_sbi_results, 0,
			    (int)(sizeof(finishes) / sizeof(finishes[0])));
	tcase_add_test(tc, test_legacy_putchar_writes_a0_only);
	suite_add_tcase(s, tc);
	return s;
}
