/* riscv64 exits through the whole path (decode by scause, core's dispatcher,
 * completion), driven with raw trap state as an H-extension hart would hand it over:
 * scause, stval, htval, htinst. Encodings are worked out by hand from the unprivileged
 * spec's instruction formats and the privileged spec's section 8.6.3 (transformed
 * instructions); the injected state from its sections 4.1 and 8.6.4. */
#include <check.h>
#include <string.h>

#include "arch/riscv64/arch.h"
#include "arch/riscv64/sbi.h"
#include "core/frame.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM 0x80000000ull
#define LAZY 0x80010000ull
#define ROM 0x80020000ull
#define DEV 0x10000000ull
#define HOLE 0x20000000ull
#define VSTVEC 0x80000800ull
#define PC0 0x80000100ull

struct test_dev {
	unsigned reads, writes;
	uint64_t off, value, read_value;
	unsigned width;
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
	return 0;
}

static int dev_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct test_dev *d = ctx;
	d->writes++;
	d->off = off;
	d->width = width;
	d->value = value;
	return 0;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, NULL };

static void setup(void)
{
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
	memset(&dev, 0, sizeof(dev));
	struct vm_config cfg = {
		.name = "rvexits", .nvcpus = 2, .entry = { PC0 },
		.nmem = 3,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, 64 * 1024, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } },
			 { { ROM }, 4096, PT_R | PT_X, AS_ALLOC_EAGER, { 0 } } },
		.ndevices = 1,
		.devices = { { { DEV }, 0x1000, &dev_ops, &dev } },
	};
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	v0 = vm_vcpu(vm, 0);
	ck_assert_int_eq(vcpu_bind(v0), 0);
	v0->arch.ctx.csr[RV_VSTVEC] = VSTVEC;
	v0->arch.ctx.pc = PC0;
}

static void teardown(void)
{
	if (v0->pcpu != VCPU_NO_PCPU)
		vcpu_put(v0);
	ck_assert_int_eq(vm_destroy(vm), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	test_machine_down();
}

static struct vm_exit feed(uint64_t scause, uint64_t stval, uint64_t htval, uint64_t htinst)
{
	struct guest_exit t = { .scause = scause, .stval = stval, .htval = htval,
				.htinst = htinst, .hstatus = HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA };
	struct vm_exit e;

	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	return e;
}

/* A guest-page fault of an access at guest-physical gpa (the guest's MMU off: the
 * guest-virtual address is the same). */
static struct vm_exit gpf(uint64_t cause, uint64_t gpa, uint64_t htinst)
{
	return feed(cause, gpa, gpa >> 2, htinst);
}

/* The exception the guest was given: taken in VS-mode at vstvec's base with vsepc at the
 * trapping instruction, vscause and vstval, vsstatus.SPP = 1 (it came from VS-mode),
 * SPIE = the SIE it had, SIE clear (privileged spec 4.1.1, 4.1.2). */
static void expect_injected(uint64_t cause, uint64_t tval, bool sie_before)
{
	uint64_t vsstatus = v0->arch.ctx.csr[RV_VSSTATUS];

	ck_assert_uint_eq(v0->arch.ctx.csr[RV_VSCAUSE], cause);
	ck_assert_uint_eq(v0->arch.ctx.csr[RV_VSTVAL], tval);
	ck_assert_uint_eq(v0->arch.ctx.csr[RV_VSEPC], PC0);
	ck_assert_uint_eq(v0->arch.ctx.pc, VSTVEC & ~3ull);
	ck_assert(vsstatus & SSTATUS_SPP);
	ck_assert(!(vsstatus & SSTATUS_SIE));
	ck_assert_int_eq(!!(vsstatus & SSTATUS_SPIE), sie_before);
	ck_assert(v0->arch.ctx.sstatus & SSTATUS_SPP); /* the handler runs in VS-mode */
}

/* LW a5, 0(x0) transformed (8.6.3: rs1 holds the address offset, 0 here; imm 0):
 * imm[11:0]=0 rs1=0 funct3=2 rd=15 opcode=0x03. */
#define T_LW_A5 ((15u << 7) | (2u << 12) | 0x03u)
/* C.LW s0 (x8) transformed: its 32-bit LW with bit 1 clear. */
#define T_CLW_S0 (((8u << 7) | (2u << 12) | 0x03u) & ~2u)
/* SW a0 transformed: imm 0 rs2=10 rs1=0 funct3=2 opcode=0x23. */
#define T_SW_A0 ((10u << 20) | (2u << 12) | 0x23u)
/* LBU a1: funct3=4. */
#define T_LBU_A1 ((11u << 7) | (4u << 12) | 0x03u)

START_TEST(test_load_from_a_device_sign_extends_and_steps_four)
{
	dev.read_value = 0x1122334480000001ull;
	struct vm_exit e = gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, DEV + 8, T_LW_A5);

	ck_assert_int_eq(e.kind, EXIT_MMIO_READ);
	ck_assert_uint_eq(dev.reads, 1);
	ck_assert_uint_eq(dev.off, 8);
	ck_assert_uint_eq(dev.width, 4);
	ck_assert_uint_eq(v0->arch.ctx.x[15], 0xFFFFFFFF80000001ull);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
}
END_TEST

START_TEST(test_compressed_load_steps_two)
{
	dev.read_value = 0x7FFFFFFF;
	struct vm_exit e = gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, DEV, T_CLW_S0);

	ck_assert_int_eq(e.kind, EXIT_MMIO_READ);
	ck_assert_uint_eq(v0->arch.ctx.x[8], 0x7FFFFFFF);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 2);
}
END_TEST

START_TEST(test_unsigned_byte_load_zero_extends)
{
	dev.read_value = 0xFFFF;
	gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, DEV + 3, T_LBU_A1);
	ck_assert_uint_eq(dev.width, 1);
	ck_assert_uint_eq(dev.off, 3);
	ck_assert_uint_eq(v0->arch.ctx.x[11], 0xFF);
}
END_TEST

START_TEST(test_store_to_a_device_writes_the_low_word)
{
	v0->arch.ctx.x[10] = 0xAABBCCDD11223344ull;
	struct vm_exit e = gpf(CAUSE_STORE_GUEST_PAGE_FAULT, DEV + 0x10, T_SW_A0);

	ck_assert_int_eq(e.kind, EXIT_MMIO_WRITE);
	ck_assert_uint_eq(dev.writes, 1);
	ck_assert_uint_eq(dev.value, 0x11223344);
	ck_assert_uint_eq(dev.width, 4);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
}
END_TEST

/* htval holds GPA >> 2; stval's low two bits complete it (8.2.11). */
START_TEST(test_fault_address_takes_the_low_bits_from_stval)
{
	gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, DEV + 0x23, T_LBU_A1);
	ck_assert_uint_eq(dev.off, 0x23);
}
END_TEST

START_TEST(test_load_from_no_device_is_a_load_access_fault)
{
	v0->arch.ctx.csr[RV_VSSTATUS] |= SSTATUS_SIE;
	struct vm_exit e = gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, HOLE + 8, T_LW_A5);

	ck_assert_int_eq(e.outcome, EXIT_INJECT_ABORT);
	expect_injected(CAUSE_LOAD_ACCESS, HOLE + 8, true);
}
END_TEST

START_TEST(test_store_to_no_device_is_a_store_access_fault)
{
	gpf(CAUSE_STORE_GUEST_PAGE_FAULT, HOLE, T_SW_A0);
	expect_injected(CAUSE_STORE_ACCESS, HOLE, false);
}
END_TEST

START_TEST(test_fetch_from_no_ram_is_a_fetch_access_fault)
{
	gpf(CAUSE_FETCH_GUEST_PAGE_FAULT, HOLE, 0);
	expect_injected(CAUSE_FETCH_ACCESS, HOLE, false);
}
END_TEST

/* The vectored mode bit of vstvec does not move an exception (4.1.2). */
START_TEST(test_exceptions_go_to_the_base_of_a_vectored_vstvec)
{
	v0->arch.ctx.csr[RV_VSTVEC] = VSTVEC | 1;
	gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, HOLE, T_LW_A5);
	ck_assert_uint_eq(v0->arch.ctx.pc, VSTVEC);
}
END_TEST

/* An AMO to a device is no access Tandem emulates: the access fault. AMOADD.W a0, a1,
 * (x0) transformed: funct5=0 aq=rl=0 rs2=11 rs1=0 funct3=2 rd=10 opcode=0x2F. */
START_TEST(test_amo_to_a_device_is_refused)
{
	uint32_t amo = (11u << 20) | (2u << 12) | (10u << 7) | 0x2Fu;

	gpf(CAUSE_STORE_GUEST_PAGE_FAULT, DEV, amo);
	ck_assert_uint_eq(dev.writes + dev.reads, 0);
	expect_injected(CAUSE_STORE_ACCESS, DEV, false);
}
END_TEST

/* The same AMO reported as a load's guest-page fault (QEMU 7.2 reports AMOs so, its
 * deviation in tests/riscv64/probe/deviations.txt): still an AMO by its word, so the
 * guest gets the store/AMO access fault the hardware should have raised, not a load's. */
START_TEST(test_amo_reported_as_a_load_fault_is_a_store_access_fault)
{
	uint32_t amo = (11u << 20) | (2u << 12) | (10u << 7) | 0x2Fu;

	gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, DEV, amo);
	ck_assert_uint_eq(dev.writes + dev.reads, 0);
	expect_injected(CAUSE_STORE_ACCESS, DEV, false);
}
END_TEST

/* A guest-page fault of the guest's own VS-stage walk (htinst a pseudoinstruction):
 * into lazy RAM it maps the page and retries; elsewhere it is the access fault of the
 * access that walked, never an MMIO emulation. */
START_TEST(test_walk_fault_into_lazy_ram_maps_and_retries)
{
	size_t before = frame_outstanding();
	struct vm_exit e = feed(CAUSE_LOAD_GUEST_PAGE_FAULT, 0x1000, (LAZY + 0x18) >> 2,
				HTINST_PSEUDO_READ64);

	ck_assert_int_eq(e.outcome, EXIT_RETRY);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0);
	ck_assert_uint_gt(frame_outstanding(), before);
}
END_TEST

START_TEST(test_walk_fault_into_a_device_is_not_emulated)
{
	struct vm_exit e = feed(CAUSE_STORE_GUEST_PAGE_FAULT, 0x2000, DEV >> 2,
				HTINST_PSEUDO_WRITE64);

	ck_assert(!e.mmio_valid);
	ck_assert_uint_eq(dev.writes + dev.reads, 0);
	expect_injected(CAUSE_STORE_ACCESS, 0x2000, false);
}
END_TEST

START_TEST(test_lazy_ram_is_mapped_and_the_access_retried)
{
	struct vm_exit e = gpf(CAUSE_STORE_GUEST_PAGE_FAULT, LAZY + 0x40, T_SW_A0);

	ck_assert_int_eq(e.kind, EXIT_STAGE2_FAULT);
	ck_assert_int_eq(e.outcome, EXIT_RETRY);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0);
}
END_TEST

/* A store to read-only RAM: no MMIO, the access fault. */
START_TEST(test_store_to_read_only_ram_is_a_store_access_fault)
{
	gpf(CAUSE_STORE_GUEST_PAGE_FAULT, ROM + 8, T_SW_A0);
	expect_injected(CAUSE_STORE_ACCESS, ROM + 8, false);
}
END_TEST

/* Virtual instruction (22): the counters Tandem hides are refused with the illegal
 * instruction the guest would take, vstval the instruction. CSRRS a0, cycle, x0:
 * csr=0xC00 rs1=0 funct3=2 rd=10 opcode=0x73. */
START_TEST(test_hidden_counter_read_is_an_illegal_instruction)
{
	uint32_t rdcycle = (0xC00u << 20) | (2u << 12) | (10u << 7) | 0x73u;
	struct vm_exit e = feed(CAUSE_VIRTUAL_INSTRUCTION, rdcycle, 0, 0);

	ck_assert_int_eq(e.outcome, EXIT_INJECT_UNDEF);
	expect_injected(CAUSE_ILLEGAL_INSN, rdcycle, false);
}
END_TEST

START_TEST(test_wfi_decodes_as_halt_and_steps_over_it)
{
	struct guest_exit t = { .scause = CAUSE_VIRTUAL_INSTRUCTION, .stval = 0x10500073u };
	struct vm_exit e;

	arch_vcpu_decode(&v0->arch, &t, &e);
	ck_assert_int_eq(e.kind, EXIT_HALT);
	arch_vcpu_complete(&v0->arch, &e);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
}
END_TEST

START_TEST(test_an_interrupt_is_the_hosts_and_leaves_the_guest_alone)
{
	struct vm_exit e = feed(SCAUSE_INTERRUPT | IRQ_S_TIMER, 0, 0, 0);

	ck_assert_int_eq(e.kind, EXIT_EXT_IRQ);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0);
	ck_assert_uint_eq(v0->arch.ctx.csr[RV_VSCAUSE], 0);
}
END_TEST

/* A cause hedeleg would have given the guest (a breakpoint with no debugger, an
 * illegal instruction) goes back to it as its own, vstval = stval; one no hart raises
 * from V=1 (an HS or M ecall, a reserved or custom code) becomes an illegal
 * instruction, never a cause the guest's handler cannot have (a fuzz finding). */
START_TEST(test_causes_without_a_handler_go_back_to_the_guest)
{
	static const uint64_t own[] = { CAUSE_BREAKPOINT, CAUSE_ILLEGAL_INSN,
					CAUSE_LOAD_PAGE_FAULT };
	static const uint64_t impossible[] = { CAUSE_SUPERVISOR_ECALL, CAUSE_MACHINE_ECALL, 14,
					       16, 19, 24, 63, 0x12345 };
	for (unsigned i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		v0->arch.ctx.pc = PC0;
		feed(own[i], 0x1234, 0, 0);
		expect_injected(own[i], 0x1234, false);
	}
	for (unsigned i = 0; i < sizeof(impossible) / sizeof(impossible[0]); i++) {
		v0->arch.ctx.pc = PC0;
		feed(impossible[i], 0x1234, 0, 0);
		expect_injected(CAUSE_ILLEGAL_INSN, 0, false);
	}
}
END_TEST

/* A load guest-page fault whose instruction, fetched from the guest, is a store (the
 * guest rewrote its code meanwhile): retried, the register left alone, the device
 * untouched (a fuzz finding). Here the transformed htinst says SW on a load fault. */
START_TEST(test_an_access_of_the_wrong_direction_is_retried)
{
	v0->arch.ctx.x[10] = 0x1111;
	struct vm_exit e = gpf(CAUSE_LOAD_GUEST_PAGE_FAULT, DEV, T_SW_A0);

	ck_assert_int_eq(e.outcome, EXIT_RETRY);
	ck_assert_uint_eq(dev.reads + dev.writes, 0);
	ck_assert_uint_eq(v0->arch.ctx.x[10], 0x1111);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0);
	e = gpf(CAUSE_STORE_GUEST_PAGE_FAULT, DEV, T_LW_A5);
	ck_assert_int_eq(e.outcome, EXIT_RETRY);
	ck_assert_uint_eq(dev.reads + dev.writes, 0);
}
END_TEST

/* stval is a guest-virtual address only with hstatus.GVA (8.2.1): without it the
 * injected access fault's vstval is 0 and the GPA comes from htval alone. */
START_TEST(test_without_gva_stval_is_not_an_address)
{
	struct guest_exit t = { .scause = CAUSE_LOAD_GUEST_PAGE_FAULT, .stval = HOLE + 3,
				.htval = (HOLE + 3) >> 2, .htinst = T_LW_A5,
				.hstatus = HSTATUS_SPV | HSTATUS_SPVP };
	struct vm_exit e;

	ck_assert_int_eq(vm_feed_trap(v0, &t, &e), 0);
	ck_assert_uint_eq(gpa_bits(e.mmio.addr), HOLE);
	expect_injected(CAUSE_LOAD_ACCESS, 0, false);
}
END_TEST

/* ---- the firmware console (SBI DBCN and the legacy calls) through core's hooks ---- */

/* A console the test owns: room bytes of output space, the input in `in`. */
static struct {
	uint8_t out[256];
	size_t nout, room;
	uint8_t in[16];
	size_t nin, taken;
	unsigned writes, reads;
} con;

static int con_write(void *ctx, const uint8_t *buf, size_t n)
{
	(void)ctx;
	con.writes++;
	size_t k = n < con.room ? n : con.room;
	memcpy(con.out + con.nout, buf, k);
	con.nout += k;
	con.room -= k;
	return (int)k;
}

static int con_read(void *ctx, uint8_t *buf, size_t n)
{
	(void)ctx;
	con.reads++;
	size_t k = 0;
	while (k < n && con.taken < con.nin)
		buf[k++] = con.in[con.taken++];
	return (int)k;
}

static const struct vm_console_ops con_ops = { con_write, con_read };

static void with_console(size_t room, const char *input)
{
	memset(&con, 0, sizeof(con));
	con.room = room;
	con.nin = strlen(input);
	memcpy(con.in, input, con.nin);
	vm->console = &con_ops;
	vm->console_ctx = &con;
}

/* An ECALL from VS-mode: a7 = eid, a6 = fid, a0..a2 = the arguments; a1 is preset to a
 * marker so that a call that must leave it alone shows it. */
static void sbi_call(uint32_t eid, uint32_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t *x = v0->arch.ctx.x;

	x[17] = eid;
	x[16] = fid;
	x[10] = a0;
	x[11] = a1;
	x[12] = a2;
	feed(CAUSE_VIRTUAL_SUPERVISOR_ECALL, 0, 0, 0);
}

#define A0 ((int64_t)v0->arch.ctx.x[10])
#define A1 (v0->arch.ctx.x[11])

START_TEST(test_dbcn_write_takes_the_bytes_from_guest_ram)
{
	static const char text[] = "hello, tandem";
	with_console(sizeof(con.out), "");
	ck_assert_int_eq(as_write(&vm->as, gpa_make(RAM + 0x400), text, 13), 0);

	sbi_call(SBI_EXT_DBCN, 0, 13, RAM + 0x400, 0);
	ck_assert_int_eq(A0, SBI_SUCCESS);
	ck_assert_uint_eq(A1, 13);
	ck_assert_uint_eq(con.nout, 13);
	ck_assert(memcmp(con.out, text, 13) == 0);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
}
END_TEST

/* At most 64 bytes an exit, and what the console has room for: the guest writes the
 * rest with another call (DBCN lets a write take fewer bytes than asked). */
START_TEST(test_dbcn_write_is_partial_when_long_or_the_console_is_full)
{
	with_console(sizeof(con.out), "");
	sbi_call(SBI_EXT_DBCN, 0, 1000, RAM, 0);
	ck_assert_int_eq(A0, SBI_SUCCESS);
	ck_assert_uint_eq(A1, 64);

	with_console(5, "");
	sbi_call(SBI_EXT_DBCN, 0, 20, RAM, 0);
	ck_assert_int_eq(A0, SBI_SUCCESS);
	ck_assert_uint_eq(A1, 5);
	sbi_call(SBI_EXT_DBCN, 0, 20, RAM, 0);
	ck_assert_int_eq(A0, SBI_SUCCESS);
	ck_assert_uint_eq(A1, 0);
}
END_TEST

/* A buffer that is not the VM's RAM (a device, a hole, read-only RAM to read into, one
 * running off the end of its region) is INVALID_PARAM, and the console is not touched. */
START_TEST(test_dbcn_buffers_outside_ram_are_invalid)
{
	with_console(sizeof(con.out), "abc");
	sbi_call(SBI_EXT_DBCN, 0, 4, DEV, 0);
	ck_assert_int_eq(A0, SBI_ERR_INVALID_PARAM);
	sbi_call(SBI_EXT_DBCN, 0, 4, HOLE, 0);
	ck_assert_int_eq(A0, SBI_ERR_INVALID_PARAM);
	sbi_call(SBI_EXT_DBCN, 0, 8, RAM + 64 * 1024 - 4, 0);
	ck_assert_int_eq(A0, SBI_ERR_INVALID_PARAM);
	sbi_call(SBI_EXT_DBCN, 1, 4, ROM, 0);
	ck_assert_int_eq(A0, SBI_ERR_INVALID_PARAM);
	ck_assert_uint_eq(con.writes + con.reads, 0);
	ck_assert_uint_eq(con.taken, 0);
	/* Reading from ROM is fine for a write. */
	sbi_call(SBI_EXT_DBCN, 0, 4, ROM, 0);
	ck_assert_int_eq(A0, SBI_SUCCESS);
	ck_assert_uint_eq(A1, 4);
}
END_TEST

START_TEST(test_dbcn_read_fills_guest_ram_with_what_waits)
{
	uint8_t got[4] = { 0 };
	with_console(0, "ok");

	sbi_call(SBI_EXT_DBCN, 1, 4, RAM + 0x500, 0);
	ck_assert_int_eq(A0, SBI_SUCCESS);
	ck_assert_uint_eq(A1, 2);
	ck_assert_int_eq(as_read(&vm->as, gpa_make(RAM + 0x500), got, 4), 0);
	ck_assert(memcmp(got, "ok\0\0", 4) == 0);
	sbi_call(SBI_EXT_DBCN, 1, 4, RAM + 0x500, 0);
	ck_assert_int_eq(A0, SBI_SUCCESS);
	ck_assert_uint_eq(A1, 0);
}
END_TEST

/* write_byte blocks: with no room the ECALL runs again (the PC stays). */
START_TEST(test_write_byte_waits_for_room)
{
	with_console(0, "");
	sbi_call(SBI_EXT_DBCN, 2, 'x', 0, 0);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0);
	con.room = 1;
	sbi_call(SBI_EXT_DBCN, 2, 'x', 0, 0);
	ck_assert_int_eq(A0, SBI_SUCCESS);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 4);
	ck_assert_uint_eq(con.out[0], 'x');
}
END_TEST

/* The legacy console_getchar: the byte, or -1 with none waiting; a0 only. */
START_TEST(test_legacy_getchar_returns_a_byte_or_minus_one)
{
	with_console(0, "k\xff");
	sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0xA1A1, 0);
	ck_assert_int_eq(A0, 'k');
	ck_assert_uint_eq(A1, 0xA1A1);
	sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0xA1A1, 0);
	ck_assert_int_eq(A0, 0xFF);
	sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0xA1A1, 0);
	ck_assert_int_eq(A0, -1);
	ck_assert_uint_eq(A1, 0xA1A1);
	ck_assert_uint_eq(v0->arch.ctx.pc, PC0 + 3 * 4);
}
END_TEST

/* A VM without a console: DBCN is DENIED, putchar throws the byte away (0), getchar
 * has nothing (-1). */
START_TEST(test_no_console_denies_dbcn)
{
	vm->console = NULL;
	sbi_call(SBI_EXT_DBCN, 0, 4, RAM, 0);
	ck_assert_int_eq(A0, SBI_ERR_DENIED);
	sbi_call(SBI_EXT_DBCN, 2, 'x', 0, 0);
	ck_assert_int_eq(A0, SBI_ERR_DENIED);
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, 'x', 0xA1A1, 0);
	ck_assert_int_eq(A0, 0);
	ck_assert_uint_eq(A1, 0xA1A1);
	sbi_call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0);
	ck_assert_int_eq(A0, -1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rv_exits");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load_from_a_device_sign_extends_and_steps_four);
	tcase_add_test(tc, test_compressed_load_steps_two);
	tcase_add_test(tc, test_unsigned_byte_load_zero_extends);
	tcase_add_test(tc, test_store_to_a_device_writes_the_low_word);
	tcase_add_test(tc, test_fault_address_takes_the_low_bits_from_stval);
	tcase_add_test(tc, test_load_from_no_device_is_a_load_access_fault);
	tcase_add_test(tc, test_store_to_no_device_is_a_store_access_fault);
	tcase_add_test(tc, test_fetch_from_no_ram_is_a_fetch_access_fault);
	tcase_add_test(tc, test_exceptions_go_to_the_base_of_a_vectored_vstvec);
	tcase_add_test(tc, test_amo_to_a_device_is_refused);
	tcase_add_test(tc, test_amo_reported_as_a_load_fault_is_a_store_access_fault);
	tcase_add_test(tc, test_walk_fault_into_lazy_ram_maps_and_retries);
	tcase_add_test(tc, test_walk_fault_into_a_device_is_not_emulated);
	tcase_add_test(tc, test_lazy_ram_is_mapped_and_the_access_retried);
	tcase_add_test(tc, test_store_to_read_only_ram_is_a_store_access_fault);
	tcase_add_test(tc, test_hidden_counter_read_is_an_illegal_instruction);
	tcase_add_test(tc, test_wfi_decodes_as_halt_and_steps_over_it);
	tcase_add_test(tc, test_an_interrupt_is_the_hosts_and_leaves_the_guest_alone);
	tcase_add_test(tc, test_causes_without_a_handler_go_back_to_the_guest);
	tcase_add_test(tc, test_without_gva_stval_is_not_an_address);
	tcase_add_test(tc, test_an_access_of_the_wrong_direction_is_retried);
	tcase_add_test(tc, test_dbcn_write_takes_the_bytes_from_guest_ram);
	tcase_add_test(tc, test_dbcn_write_is_partial_when_long_or_the_console_is_full);
	tcase_add_test(tc, test_dbcn_buffers_outside_ram_are_invalid);
	tcase_add_test(tc, test_dbcn_read_fills_guest_ram_with_what_waits);
	tcase_add_test(tc, test_write_byte_waits_for_room);
	tcase_add_test(tc, test_legacy_getchar_returns_a_byte_or_minus_one);
	tcase_add_test(tc, test_no_console_denies_dbcn);
	suite_add_tcase(s, tc);
	return s;
}
