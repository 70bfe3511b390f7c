/* The riscv64 guest engine (hal-sim/rv_engine*.c) against the RISC-V privileged spec
 * 20211203 with the H extension: the exact trap CSRs of every kind of exit, worked out
 * by hand from the spec's encodings (not by running the engine), the two walks and
 * their faults, delegation, interrupts through hvip, and the TLB that only fences
 * empty. The engine is driven directly through the simulation host's guest hook, with
 * a context and tables this file builds (core's page-table writer only where the walk is
 * compared with it). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "arch/riscv64/gstage.h"
#include "arch/riscv64/rvinsn.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/pt.h"
#include "hal-sim/rv_engine.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/guest.h"
#include "hal/mm.h"
#include "hal/time.h"
#include "tests/check_main.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (32ull << 20)
#define HOST_GUEST 0x80400000ull /* backs guest RAM */
#define GUEST_RAM 0x40000000ull  /* 1 MiB of guest-physical RAM */
#define GUEST_RAM_SIZE (1ull << 20)
#define ENTRY GUEST_RAM
#define DATA (GUEST_RAM + 0x80000)
#define MMIO 0x10000000ull
#define VMID 1u
#define PLIC_CLAIM0 0x0C201004ull /* 0x0C000000 + 0x200004 + 0x1000 * (2 * 0 + 1) */

#define LEAF (RV_PTE_V | RV_PTE_A | RV_PTE_D)
#define G_RWX (LEAF | RV_PTE_U | RV_PTE_R | RV_PTE_W | RV_PTE_X)

/* Registers (the ABI's names). */
#define T0 5
#define T1 6
#define S0 8
#define S1 9
#define A0 10
#define A1 11
#define A2 12
#define A3 13
#define A4 14
#define A5 15
#define A6 16
#define A7 17
#define T6 31

static struct guest_ctx c;
static struct guest_exit x;
static uint64_t next_table; /* host-physical bump allocator for G-stage tables */
static uint64_t g_root;
static struct engine_program prog;

static void *host(uint64_t pa)
{
	void *p;

	ck_assert_int_eq(hal_phys_to_virt(pa_make(pa), 8, &p), 0);
	return p;
}

static uint64_t rd64(uint64_t pa)
{
	return *(uint64_t *)host(pa);
}

static void wr64(uint64_t pa, uint64_t v)
{
	*(uint64_t *)host(pa) = v;
}

static uint32_t rd32(uint64_t pa)
{
	return *(uint32_t *)host(pa);
}

static uint64_t table_alloc(uint64_t size)
{
	uint64_t t = (next_table + size - 1) & ~(size - 1);

	next_table = t + size;
	memset(host(t), 0, size);
	return t;
}

static uint64_t pte_to(uint64_t pa, uint64_t flags)
{
	return ((pa >> 12) << RV_PTE_PPN_SHIFT) | flags;
}

/* A 4 KiB G-stage mapping in the Sv39x4 tables at root (root index: GPA bits 40:30). */
static uint64_t *g_pte(uint64_t root, uint64_t gpa)
{
	uint64_t t = root;
	unsigned idx[3] = { (unsigned)((gpa >> 30) & 0x7FF), (unsigned)((gpa >> 21) & 0x1FF),
			    (unsigned)((gpa >> 12) & 0x1FF) };

	for (unsigned l = 0; l < 2; l++) {
		uint64_t e = rd64(t + 8 * idx[l]);
		if (!(e & RV_PTE_V)) {
			e = pte_to(table_alloc(4096), RV_PTE_V);
			wr64(t + 8 * idx[l], e);
		}
		t = ((e & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << 12;
	}
	return host(t + 8 * idx[2]);
}

static void g_map(uint64_t gpa, uint64_t hpa, uint64_t flags)
{
	*g_pte(g_root, gpa) = pte_to(hpa, flags);
}

static uint64_t hgatp_of(uint64_t root, unsigned vmid)
{
	return (HGATP_MODE_SV39X4 << 60) | ((uint64_t)vmid << 44) | (root >> 12);
}

/* Guest-physical RAM to host-physical (the G-stage mapping the fixture makes). */
static uint64_t gpa_host(uint64_t gpa)
{
	return gpa - GUEST_RAM + HOST_GUEST;
}

static void setup(void)
{
	struct hal_sim_config cfg = { .pcpus = 2, .nranges = 1,
				      .ranges = { { { RAM_BASE }, RAM_SIZE } } };

	ck_assert_int_eq(hal_sim_init(&cfg), 0);
	engine_install();
	next_table = RAM_BASE;
	g_root = table_alloc(16384);
	for (uint64_t off = 0; off < GUEST_RAM_SIZE; off += 4096)
		g_map(GUEST_RAM + off, HOST_GUEST + off, G_RWX);
	memset(host(HOST_GUEST), 0, 8);
	memset(&c, 0, sizeof(c));
	memset(&x, 0, sizeof(x));
	c.pc = ENTRY;
	c.csr[RV_HGATP] = hgatp_of(g_root, VMID);
	c.csr[RV_HSTATUS] = HSTATUS_VSXL_64;
	c.csr[RV_VSSTATUS] = SSTATUS_UXL_64;
}

static void teardown(void)
{
	hal_sim_set_guest(NULL, NULL);
	hal_sim_fini();
}

static void load(const struct action *acts, unsigned n)
{
	prog = (struct engine_program){ acts, n };
	ck_assert_int_eq(engine_load(VMID, 0, &prog), 0);
}

/* Steps of the engine until it exits to HS (1) or max steps pass (0). */
static int run(unsigned max)
{
	void *arg;
	hal_sim_guest_fn fn = hal_sim_get_guest(&arg);

	for (unsigned i = 0; i < max; i++)
		if (fn(&c, &x, arg))
			return 1;
	return 0;
}

static struct engine_result result(void)
{
	struct engine_result r;

	ck_assert_int_eq(engine_result(VMID, 0, &r), 0);
	return r;
}

/* The exit is a trap to HS from VS with these CSRs. */
static void assert_trap(uint64_t scause, uint64_t stval, uint64_t htval, uint64_t htinst, bool gva)
{
	ck_assert_uint_eq(x.scause, scause);
	ck_assert_uint_eq(x.stval, stval);
	ck_assert_uint_eq(x.htval, htval);
	ck_assert_uint_eq(x.htinst, htinst);
	ck_assert_uint_eq(x.hstatus & (HSTATUS_VSXL | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA),
			  HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP | (gva ? HSTATUS_GVA : 0));
	ck_assert_uint_eq(c.csr[RV_HSTATUS], x.hstatus);
	ck_assert(c.sstatus & SSTATUS_SPP);
}

#define ACT(k, ...) { .kind = (k), .line = __LINE__, __VA_ARGS__ }
#define LD(rd_, size_, sign_, a) ACT(ACT_LOAD, .rv = { .rd = (rd_), .rs1 = T6, .size = (size_), .sign = (sign_) }, .addr = (a))
#define ST(rs2_, size_, a, v) ACT(ACT_STORE, .rv = { .rs2 = (rs2_), .rs1 = T6, .size = (size_) }, .addr = (a), .value = (v))
#define AMO(op, rd_, size_, a, v) ACT(ACT_RV_AMO, .rv = { .amo = (op), .rd = (rd_), .rs1 = T6, .rs2 = A1, .size = (size_) }, .addr = (a), .value = (v))
#define CSRR(rd_, n) ACT(ACT_RV_CSR, .rv = { .rd = (rd_), .csr = (n) })
#define CSRW(n, v) ACT(ACT_RV_CSR, .rv = { .rs1 = T6, .csr = (n), .write = true }, .value = (v))
#define EXPECT(r, v) ACT(ACT_EXPECT_REG, .reg = (r), .value = (v))
#define FAULT(cause) ACT(ACT_RV_EXPECT_FAULT, .value = (cause))
#define END ACT(ACT_END)
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- The G-stage walk ------------------------------------------------------------- */

START_TEST(test_g_walk_translates_and_faults_as_the_spec_says)
{
	uint64_t hgatp = hgatp_of(g_root, VMID), hpa = 0;

	ck_assert_int_eq(rv_engine_g_walk(hgatp, GUEST_RAM + 0x123, false, false, &hpa), 0);
	ck_assert_uint_eq(hpa, HOST_GUEST + 0x123);
	/* Nothing mapped at 0x40200000 (a level-1 entry invalid); past 41 bits of GPA. */
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 0x40200000, false, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 1ull << 41, false, false, &hpa), 1);
	/* A leaf without U; read-only; A clear; D clear; not executable. */
	uint64_t p = GUEST_RAM + GUEST_RAM_SIZE;
	g_map(p, 0x80500000, LEAF | RV_PTE_R | RV_PTE_W);
	g_map(p + 0x1000, 0x80501000, LEAF | RV_PTE_U | RV_PTE_R);
	g_map(p + 0x2000, 0x80502000, RV_PTE_V | RV_PTE_D | RV_PTE_U | RV_PTE_R | RV_PTE_W);
	g_map(p + 0x3000, 0x80503000, RV_PTE_V | RV_PTE_A | RV_PTE_U | RV_PTE_R | RV_PTE_W);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p, false, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p + 0x1000, false, false, &hpa), 0);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p + 0x1000, true, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p + 0x1000, false, true, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p + 0x2000, false, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p + 0x3000, false, false, &hpa), 0);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p + 0x3000, true, false, &hpa), 1);
	/* W without R is reserved; so are bits 60:54. */
	g_map(p + 0x4000, 0x80504000, LEAF | RV_PTE_U | RV_PTE_W);
	g_map(p + 0x5000, 0x80505000, G_RWX | (1ull << 55));
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p + 0x4000, false, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, p + 0x5000, false, false, &hpa), 1);
	/* A 2 MiB leaf at level 1: misaligned PPN faults, an aligned one maps the offset. */
	uint64_t l1 = ((rd64(g_root + 8) & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << 12;
	wr64(l1 + 8 * 2, pte_to(0x80601000, G_RWX)); /* GPA 0x40400000 */
	wr64(l1 + 8 * 3, pte_to(0x80800000, G_RWX)); /* GPA 0x40600000 */
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 0x40400000, false, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 0x40612345, false, false, &hpa), 0);
	ck_assert_uint_eq(hpa, 0x80812345);
	/* A table outside RAM: an access fault. */
	wr64(g_root + 8 * 2, pte_to(0x10000000, RV_PTE_V)); /* GPA 0x80000000.. */
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 0x80000000, false, false, &hpa), 2);
	/* A non-leaf with U set is reserved. */
	wr64(g_root + 8 * 3, pte_to(table_alloc(4096), RV_PTE_V | RV_PTE_U));
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 0xC0000000, false, false, &hpa), 1);
	/* Bare: GPA = HPA; an unknown MODE: nothing translates. */
	ck_assert_int_eq(rv_engine_g_walk(0, 0x1234, true, false, &hpa), 0);
	ck_assert_uint_eq(hpa, 0x1234);
	ck_assert_int_eq(rv_engine_g_walk(10ull << 60, 0x1234, false, false, &hpa), 1);
}
END_TEST

START_TEST(test_g_walk_sv48x4_takes_50_bits_and_an_11_bit_root_index)
{
	uint64_t root = table_alloc(16384), l2 = table_alloc(4096), l1 = table_alloc(4096),
		 l0 = table_alloc(4096), hpa = 0;
	uint64_t gpa = (0x401ull << 39) | 0x40001234; /* root index 0x401 (bits 49:39) */
	uint64_t hgatp = (HGATP_MODE_SV48X4 << 60) | (root >> 12);

	wr64(root + 8 * 0x401, pte_to(l2, RV_PTE_V));
	wr64(l2 + 8 * 1, pte_to(l1, RV_PTE_V)); /* bits 38:30 = 1 */
	wr64(l1 + 8 * 0, pte_to(l0, RV_PTE_V));
	wr64(l0 + 8 * 1, pte_to(0x80700000, G_RWX)); /* bits 20:12 = 1 */
	ck_assert_int_eq(rv_engine_g_walk(hgatp, gpa, true, false, &hpa), 0);
	ck_assert_uint_eq(hpa, 0x80700234);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 1ull << 50, false, false, &hpa), 1);
}
END_TEST

/* ---- Explicit accesses: data, and their faults ------------------------------------- */

START_TEST(test_loads_and_stores_of_every_width_extend_as_the_isa_says)
{
	static const struct action p[] = {
		ST(A1, 3, DATA, 0x8000000080008080ull),
		LD(A0, 0, true, DATA), EXPECT(A0, 0xFFFFFFFFFFFFFF80ull),
		LD(A0, 0, false, DATA), EXPECT(A0, 0x80),
		LD(A0, 1, true, DATA), EXPECT(A0, 0xFFFFFFFFFFFF8080ull),
		LD(A0, 1, false, DATA), EXPECT(A0, 0x8080),
		LD(A0, 2, true, DATA + 4), EXPECT(A0, 0xFFFFFFFF80000000ull),
		LD(A0, 2, false, DATA + 4), EXPECT(A0, 0x80000000ull),
		LD(A0, 3, false, DATA), EXPECT(A0, 0x8000000080008080ull),
		ST(A1, 0, DATA + 16, 0x1FF), ST(A1, 1, DATA + 18, 0x12345), ST(A1, 2, DATA + 20, 0xAABBCCDD),
		ACT(ACT_LOAD, .rv = { .rd = S0, .rs1 = S1, .size = 3, .compressed = true }, .addr = DATA + 16),
		EXPECT(S0, 0xAABBCCDD234500FFull),
		ACT(ACT_STORE, .rv = { .rs2 = S0, .rs1 = S1, .size = 2, .compressed = true }, .addr = DATA + 24, .value = 7),
		LD(A0, 3, false, DATA + 24), EXPECT(A0, 7),
		END,
	};
	load(p, N(p));
	ck_assert_int_eq(run(200), 0);
	struct engine_result r = result();
	ck_assert_str_eq(r.first_failure, "");
	ck_assert(r.finished);
	ck_assert_uint_eq(r.traps, 0);
	/* The words in guest memory: LB a0, 0(t6) = 0x000F8503; C.LD s0, 0(s1) = 0x6080 with
	 * C.NOP above it; SD a1, 0(t6) = 0x00BFB023. */
	ck_assert_uint_eq(rd32(gpa_host(ENTRY)), 0x00BFB023);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY + 4)), 0x000F8503);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY + 4 * 18)), 0x00016080);
}
END_TEST

START_TEST(test_amos_and_lr_sc_on_ram)
{
	static const struct action p[] = {
		ST(A1, 3, DATA, 40),
		AMO(RV_AMO_ADD, A0, 3, DATA, 2), EXPECT(A0, 40),
		AMO(RV_AMO_SWAP, A0, 2, DATA, 0x90000000), EXPECT(A0, 42),
		LD(A0, 3, false, DATA), EXPECT(A0, 0x90000000),
		AMO(RV_AMO_LR, A0, 2, DATA, 0), EXPECT(A0, 0xFFFFFFFF90000000ull),
		AMO(RV_AMO_SC, A2, 2, DATA, 5), EXPECT(A2, 0),
		AMO(RV_AMO_SC, A2, 2, DATA, 6), EXPECT(A2, 1), /* no reservation left */
		LD(A0, 2, false, DATA), EXPECT(A0, 5),
		END,
	};
	load(p, N(p));
	ck_assert_int_eq(run(200), 0);
	ck_assert_str_eq(result().first_failure, "");
	ck_assert(result().finished);
}
END_TEST

START_TEST(test_mmio_load_is_a_load_guest_page_fault_with_htinst_0)
{
	static const struct action p[] = { LD(A0, 2, true, MMIO + 4), EXPECT(A0, 0xFFFFFFFF80000000ull), END };

	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	/* scause 21, stval the GVA (vsatp Bare: = GPA), htval GPA >> 2, htinst 0 (QEMU's
	 * choice, the default); the PC on the LW a0, 0(t6) = 0x000FA503. */
	assert_trap(CAUSE_LOAD_GUEST_PAGE_FAULT, MMIO + 4, (MMIO + 4) >> 2, 0, true);
	ck_assert_uint_eq(c.pc, ENTRY);
	ck_assert_uint_eq(c.x[T6], MMIO + 4);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY)), 0x000FA503);
	uint32_t insn = 0;
	ck_assert_int_eq(hal_guest_fetch_insn(gva_make(c.pc), &insn), 0);
	ck_assert_uint_eq(insn, 0x000FA503);
	/* HS emulates it. */
	c.x[A0] = 0xFFFFFFFF80000000ull;
	c.pc += 4;
	ck_assert_int_eq(run(10), 0);
	ck_assert_str_eq(result().first_failure, "");
	ck_assert(result().finished);
	ck_assert_uint_eq(result().traps, 1);
}
END_TEST

/* htinst with the transformed instruction (8.6.3): rs1 and the offset zeroed, a
 * compressed instruction expanded and bit 1 cleared. */
START_TEST(test_transformed_htinst_of_each_access_kind)
{
	static const struct action p[] = {
		ST(A1, 3, MMIO + 8, 0x1122334455667788ull),
		LD(A2, 1, false, MMIO + 16),
		ACT(ACT_LOAD, .rv = { .rd = S0, .rs1 = S1, .size = 2, .sign = true, .compressed = true }, .addr = MMIO + 24),
		AMO(RV_AMO_ADD, A0, 2, MMIO + 32, 1),
		AMO(RV_AMO_SWAP, A0, 3, MMIO + 40, 1),
		AMO(RV_AMO_LR, A0, 2, MMIO + 48, 0),
		AMO(RV_AMO_SC, A0, 3, MMIO + 56, 1),
		END,
	};
	static const struct { uint64_t cause, addr, htinst; } want[] = {
		{ 23, MMIO + 8, 0x00B03023 },  /* SD a1, 0(x0) */
		{ 21, MMIO + 16, 0x00005603 }, /* LHU a2 */
		{ 21, MMIO + 24, 0x00002401 }, /* C.LW s0 -> LW s0, bit 1 clear */
		{ 23, MMIO + 32, 0x00B0252F }, /* AMOADD.W a0, a1 */
		{ 23, MMIO + 40, 0x08B0352F }, /* AMOSWAP.D */
		{ 21, MMIO + 48, 0x1000252F }, /* LR.W */
		{ 23, MMIO + 56, 0x18B0352F }, /* SC.D */
	};

	rv_engine_set_htinst(RV_HTINST_TRANSFORMED);
	load(p, N(p));
	for (unsigned i = 0; i < N(want); i++) {
		ck_assert_int_eq(run(10), 1);
		assert_trap(want[i].cause, want[i].addr, want[i].addr >> 2, want[i].htinst, true);
		ck_assert_uint_eq(c.pc, ENTRY + 4 * i);
		c.pc += i == 2 ? 2 : 4; /* HS steps over the C.LW only */
	}
	ck_assert_uint_eq(c.x[A1], 1);
	ck_assert_int_eq(run(10), 0);
	ck_assert(result().finished);
}
END_TEST

START_TEST(test_misaligned_access_and_access_fault)
{
	static const struct action p[] = { LD(A0, 2, true, DATA + 2), ST(A1, 3, 0x7FFFF000, 1), END };

	g_map(0x7FFFF000, 0x10000000, G_RWX); /* G-mapped to no RAM */
	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_MISALIGNED_LOAD, DATA + 2, 0, 0, true);
	c.pc += 4;
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_STORE_ACCESS, 0x7FFFF000, 0, 0, true);
}
END_TEST

/* ---- ECALL, WFI, CSRs ------------------------------------------------------------ */

START_TEST(test_ecall_traps_with_cause_10_even_when_hedeleg_says_otherwise)
{
	static const struct action p[] = {
		ACT(ACT_RV_ECALL, .args = { 7, 8, 0, 0, 0, 0, 3, 0x10 }), EXPECT(A1, 0x2000000), END,
	};

	c.csr[RV_HEDELEG] = ~0ull;
	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_VIRTUAL_SUPERVISOR_ECALL, 0, 0, 0, false);
	ck_assert_uint_eq(c.pc, ENTRY);
	ck_assert_uint_eq(c.x[A0], 7);
	ck_assert_uint_eq(c.x[A1], 8);
	ck_assert_uint_eq(c.x[A6], 3);
	ck_assert_uint_eq(c.x[A7], 0x10);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY)), 0x00000073);
	c.x[A1] = 0x2000000;
	c.pc += 4;
	ck_assert_int_eq(run(10), 0);
	ck_assert_str_eq(result().first_failure, "");
}
END_TEST

START_TEST(test_wfi_with_vtw_is_a_virtual_instruction_exception)
{
	static const struct action p[] = { ACT(ACT_WFI), END };

	c.csr[RV_HSTATUS] |= HSTATUS_VTW;
	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(x.scause, CAUSE_VIRTUAL_INSTRUCTION);
	ck_assert_uint_eq(x.stval, 0x10500073);
	ck_assert_uint_eq(x.htval, 0);
	ck_assert_uint_eq(x.hstatus & (HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP),
			  HSTATUS_SPV | HSTATUS_SPVP);
	ck_assert_uint_eq(c.pc, ENTRY);
}
END_TEST

START_TEST(test_wfi_without_vtw_waits_for_a_locally_enabled_interrupt)
{
	static const struct action p[] = { ACT(ACT_WFI), ACT(ACT_SET_REG, .reg = A0, .value = 1), END };

	load(p, N(p));
	ck_assert_int_eq(run(100), 0);
	ck_assert_uint_eq(c.pc, ENTRY);
	ck_assert_uint_eq(c.x[A0], 0);
	/* Pending but not enabled in vsie: still waiting. */
	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_HVIP] = MIP_VSTIP;
	ck_assert_int_eq(run(100), 0);
	ck_assert_uint_eq(c.pc, ENTRY);
	/* Enabled (SIE still clear): the WFI completes, no interrupt is taken. */
	c.csr[RV_VSIE] = MIP_STIP;
	ck_assert_int_eq(run(100), 0);
	ck_assert_uint_eq(c.x[A0], 1);
	ck_assert_uint_eq(result().irqs_taken, 0);
	ck_assert(result().finished);
}
END_TEST

START_TEST(test_vs_csr_accesses_reach_the_vs_registers_without_a_trap)
{
	static const struct action p[] = {
		CSRW(CSR_SSCRATCH, 0x1234), CSRW(CSR_SEPC, 0x40001000), CSRR(A0, CSR_SSTATUS),
		CSRW(CSR_SIE, 0x222), CSRR(A1, CSR_SIE), CSRW(CSR_SIP, 2), CSRR(A2, CSR_SIP), END,
	};

	c.csr[RV_HIDELEG] = MIP_VSSIP | MIP_VSTIP; /* not VSEIP: vsie bit 9 reads 0 */
	load(p, N(p));
	ck_assert_int_eq(run(50), 0);
	ck_assert_uint_eq(c.csr[RV_VSSCRATCH], 0x1234);
	ck_assert_uint_eq(c.csr[RV_VSEPC], 0x40001000);
	ck_assert_uint_eq(c.x[A0], SSTATUS_UXL_64);
	ck_assert_uint_eq(c.x[A1], 0x22);
	ck_assert_uint_eq(c.csr[RV_HVIP], MIP_VSSIP); /* sip.SSIP is hvip.VSSIP */
	ck_assert_uint_eq(c.x[A2], 2);
	ck_assert_uint_eq(result().traps, 0);
}
END_TEST

/* From VS-mode: an HS or VS CSR is a virtual instruction (22), an M-level CSR or a
 * write to a read-only one an illegal instruction (2); stval is the instruction. */
START_TEST(test_csr_accesses_that_trap)
{
	static const struct action p[] = {
		CSRR(A0, CSR_HSTATUS), CSRR(A0, CSR_VSSTATUS), CSRR(A0, 0x300), CSRW(CSR_TIME, 1),
		CSRR(A0, CSR_TIME), CSRR(A0, CSR_STIMECMP), CSRW(CSR_SATP, 0), CSRR(A0, 0x5C0),
		END,
	};
	static const struct { uint64_t cause, stval; } want[] = {
		{ 22, 0x60002573 }, /* csrrs a0, hstatus, x0 */
		{ 22, 0x20002573 }, /* csrrs a0, vsstatus, x0 */
		{ 2, 0x30002573 },  /* csrrs a0, mstatus, x0 */
		{ 2, 0xC01F9073 },  /* csrrw x0, time, t6 */
		{ 22, 0xC0102573 }, /* time with hcounteren.TM clear */
		{ 22, 0x14D02573 }, /* stimecmp with henvcfg.STCE clear */
		{ 22, 0x180F9073 }, /* csrrw x0, satp, t6 with VTVM */
		{ 2, 0x5C002573 },  /* an S-level CSR that does not exist */
	};

	c.csr[RV_HSTATUS] |= HSTATUS_VTVM;
	load(p, N(p));
	for (unsigned i = 0; i < N(want); i++) {
		ck_assert_int_eq(run(10), 1);
		assert_trap(want[i].cause, want[i].stval, 0, 0, false);
		ck_assert_uint_eq(c.pc, ENTRY + 4 * i);
		c.pc += 4;
	}
}
END_TEST

START_TEST(test_time_is_the_counter_plus_htimedelta_and_stimecmp_is_vstimecmp)
{
	static const struct action p[] = { CSRR(A0, CSR_TIME), CSRW(CSR_STIMECMP, 0x777), END };

	c.csr[RV_HCOUNTEREN] = HCOUNTEREN_TM;
	c.csr[RV_HTIMEDELTA] = 1ull << 40;
	c.csr[RV_HENVCFG] = ENVCFG_STCE;
	load(p, N(p));
	uint64_t before = hal_counter();
	ck_assert_int_eq(run(10), 0);
	uint64_t after = hal_counter();
	ck_assert_uint_ge(c.x[A0], before + (1ull << 40));
	ck_assert_uint_le(c.x[A0], after + (1ull << 40));
	ck_assert_uint_eq(c.csr[RV_VSTIMECMP], 0x777);
	ck_assert_uint_eq(c.vtimer_written, 1);
}
END_TEST

/* hedeleg gives the guest what it may (an illegal instruction here); the guest's
 * handler takes it at vstvec with vscause/vstval/vsepc and returns past it. */
START_TEST(test_a_delegated_exception_is_taken_by_the_guest)
{
	static const struct action p[] = {
		CSRR(A0, 0x300), FAULT(2), ACT(ACT_SET_REG, .reg = A0, .value = 5), END,
	};

	c.csr[RV_HEDELEG] = 1ull << CAUSE_ILLEGAL_INSN;
	load(p, N(p));
	ck_assert_int_eq(run(20), 0);
	struct engine_result r = result();
	ck_assert_str_eq(r.first_failure, "");
	ck_assert_uint_eq(r.exceptions_taken, 1);
	ck_assert_uint_eq(r.traps, 0);
	ck_assert(r.finished);
	ck_assert_uint_eq(c.x[A0], 5);
	ck_assert_uint_eq(c.csr[RV_VSCAUSE], CAUSE_ILLEGAL_INSN);
	ck_assert_uint_eq(c.csr[RV_VSTVAL], 0x30002573);
	ck_assert_uint_eq(c.csr[RV_VSEPC], ENTRY + 4); /* the handler's sepc += 4 */
	/* The default handler: the 256-byte boundary past the program's 4 slots. */
	ck_assert_uint_eq(c.csr[RV_VSTVEC], ENTRY + 0x100);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY + 0x100 + 0x48)), 0x10200073); /* sret */
}
END_TEST

START_TEST(test_an_unexpected_guest_exception_fails_the_program)
{
	static const struct action p[] = { CSRR(A0, 0x300), CSRR(A0, 0x300), FAULT(2), END };

	c.csr[RV_HEDELEG] = 1ull << CAUSE_ILLEGAL_INSN;
	c.csr[RV_VSSTATUS] |= SSTATUS_SIE;
	load(p, N(p));
	ck_assert_int_eq(run(20), 0);
	struct engine_result r = result();
	ck_assert_uint_eq(r.exceptions_taken, 2);
	ck_assert_uint_eq(r.failures, 1);
	char want[ENGINE_MSG_MAX];
	snprintf(want, sizeof(want), "line %u: unexpected exception (scause 2, stval 0x30002573)",
		 p[1].line);
	ck_assert_str_eq(r.first_failure, want);
	ck_assert_uint_eq(c.csr[RV_VSEPC], ENTRY + 4 + 4); /* the second one's, + 4 */
	ck_assert(c.csr[RV_VSSTATUS] & SSTATUS_SIE);       /* sret: SIE from SPIE */
	ck_assert(c.csr[RV_VSSTATUS] & SSTATUS_SPIE);
	ck_assert(!(c.csr[RV_VSSTATUS] & SSTATUS_SPP));
	ck_assert_uint_eq(r.traps, 0);
}
END_TEST


/* ---- The VS stage ----------------------------------------------------------------- */

#define VS_ROOT (GUEST_RAM + 0x10000)
#define VA_DATA 0x2000000000ull /* Sv39 VPN[2] 0x80 */
#define VA_CODE 0x2000001000ull
static uint64_t vs_next;

/* A 4 KiB Sv39 mapping in guest memory, tables from GUEST_RAM + 0x11000 on. */
static uint64_t *vs_pte(uint64_t va)
{
	uint64_t t = VS_ROOT;
	unsigned idx[3] = { (unsigned)((va >> 30) & 0x1FF), (unsigned)((va >> 21) & 0x1FF),
			    (unsigned)((va >> 12) & 0x1FF) };

	if (!vs_next) {
		vs_next = GUEST_RAM + 0x11000;
		memset(host(gpa_host(VS_ROOT)), 0, 4096);
	}
	for (unsigned l = 0; l < 2; l++) {
		uint64_t e = rd64(gpa_host(t + 8 * idx[l]));
		if (!(e & RV_PTE_V)) {
			memset(host(gpa_host(vs_next)), 0, 4096);
			e = pte_to(vs_next, RV_PTE_V);
			vs_next += 4096;
			wr64(gpa_host(t + 8 * idx[l]), e);
		}
		t = ((e & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << 12;
	}
	return host(gpa_host(t + 8 * idx[2]));
}

static void vs_map(uint64_t va, uint64_t gpa, uint64_t flags)
{
	*vs_pte(va) = pte_to(gpa, flags);
}

static void vs_on(unsigned asid)
{
	vs_next = 0;
	c.csr[RV_VSATP] = (SATP_MODE_SV39 << 60) | ((uint64_t)asid << 44) | (VS_ROOT >> 12);
	vs_map(VA_CODE, ENTRY, LEAF | RV_PTE_R | RV_PTE_X);
	vs_map(VA_DATA, DATA, LEAF | RV_PTE_R | RV_PTE_W);
	vs_map(VA_CODE + 0x1000, ENTRY + 0x1000, LEAF | RV_PTE_R | RV_PTE_X); /* the handler */
	c.pc = VA_CODE;
}

START_TEST(test_vs_walk_translates_and_raises_each_fault)
{
	static const struct action p[] = {
		LD(A0, 3, false, VA_DATA + 8), EXPECT(A0, 0x1122334455667788ull),
		LD(A1, 3, false, VA_DATA + 0x9000),  /* 2: no VS leaf */
		ST(A1, 3, VA_DATA + 0x3000, 1),      /* 3: read-only */
		LD(A1, 3, false, VA_DATA + 0x4000),  /* 4: a U page, SUM clear */
		LD(A1, 3, false, VA_DATA + 0x5000),  /* 5: A clear */
		LD(A1, 3, false, 0x4000000000ull),   /* 6: not canonical */
		LD(A1, 3, false, VA_DATA + 0x6000),  /* 7: the GPA not G-mapped */
		LD(A1, 3, false, 0x2040000000ull),   /* 8: a PTE's GPA not G-mapped */
		END,
	};
	static const struct { uint64_t cause, stval, htval, htinst; } want[] = {
		{ 13, VA_DATA + 0x9000, 0, 0 },
		{ 15, VA_DATA + 0x3000, 0, 0 },
		{ 13, VA_DATA + 0x4000, 0, 0 },
		{ 13, VA_DATA + 0x5000, 0, 0 },
		{ 13, 0x4000000000ull, 0, 0 },
		{ 21, VA_DATA + 0x6000, 0x48000000 >> 2, 0 },
		{ 21, 0x2040000000ull, 0x50000000 >> 2, 0x3000 }, /* the pseudoinstruction */
	};

	vs_on(5);
	wr64(gpa_host(DATA + 8), 0x1122334455667788ull);
	vs_map(VA_DATA + 0x3000, DATA, LEAF | RV_PTE_R);
	vs_map(VA_DATA + 0x4000, DATA, LEAF | RV_PTE_R | RV_PTE_U);
	vs_map(VA_DATA + 0x5000, DATA, RV_PTE_V | RV_PTE_R);
	vs_map(VA_DATA + 0x6000, 0x48000000, LEAF | RV_PTE_R);
	wr64(gpa_host(VS_ROOT + 8 * 0x81), pte_to(0x50000000, RV_PTE_V));
	load(p, N(p));
	for (unsigned i = 0; i < N(want); i++) {
		ck_assert_int_eq(run(10), 1);
		assert_trap(want[i].cause, want[i].stval, want[i].htval, want[i].htinst, true);
		ck_assert_uint_eq(c.pc, VA_CODE + 8 + 4 * i);
		c.pc += 4;
	}
	ck_assert_int_eq(run(10), 0);
	ck_assert_str_eq(result().first_failure, "");
	/* The program's words are where VS and G stage put VA_CODE. */
	ck_assert_uint_eq(rd32(gpa_host(ENTRY)), 0x000FB503); /* LD a0, 0(t6) */
}
END_TEST

START_TEST(test_sum_and_mxr_open_u_and_execute_only_pages)
{
	static const struct action p[] = {
		LD(A0, 3, false, VA_DATA + 0x4000), LD(A1, 3, false, VA_DATA + 0x5000), END,
	};

	vs_on(5);
	wr64(gpa_host(DATA), 42);
	vs_map(VA_DATA + 0x4000, DATA, LEAF | RV_PTE_R | RV_PTE_U);
	vs_map(VA_DATA + 0x5000, DATA, LEAF | RV_PTE_X);
	c.csr[RV_VSSTATUS] |= SSTATUS_SUM | SSTATUS_MXR;
	load(p, N(p));
	ck_assert_int_eq(run(10), 0);
	ck_assert_uint_eq(c.x[A0], 42);
	ck_assert_uint_eq(c.x[A1], 42);
}
END_TEST

/* A fetch: the VS walk's own PTE read faulting in the G stage is an instruction
 * guest-page fault with the pseudoinstruction (QEMU 7.2 writes 0 there). */
START_TEST(test_fetch_faults_in_each_stage)
{
	static const struct action p[] = { END };

	vs_on(5);
	load(p, N(p));
	wr64(gpa_host(VS_ROOT + 8 * 0x82), pte_to(0x50001000, RV_PTE_V));
	c.pc = 0x2080000000ull;
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_FETCH_GUEST_PAGE_FAULT, 0x2080000000ull, 0x50001000 >> 2, 0x3000, true);
	c.pc = VA_DATA + 0x7000; /* no VS leaf */
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_FETCH_PAGE_FAULT, VA_DATA + 0x7000, 0, 0, true);
	vs_map(VA_DATA + 0x8000, 0x48001000, LEAF | RV_PTE_X);
	c.pc = VA_DATA + 0x8000;
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_FETCH_GUEST_PAGE_FAULT, VA_DATA + 0x8000, 0x48001000 >> 2, 0, true);
	c.pc = VA_DATA; /* not executable */
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_FETCH_PAGE_FAULT, VA_DATA, 0, 0, true);
}
END_TEST

/* hedeleg: page faults to the guest; guest-page faults, virtual instructions and VS
 * ecalls never (their bits are read-only 0). */
START_TEST(test_delegation_gives_the_guest_only_what_hedeleg_may)
{
	static const struct action p[] = {
		LD(A1, 3, false, VA_DATA + 0x9000), FAULT(13),
		LD(A1, 3, false, VA_DATA + 0x6000),
		CSRR(A0, CSR_HSTATUS),
		END,
	};

	vs_on(5);
	vs_map(VA_DATA + 0x6000, 0x48000000, LEAF | RV_PTE_R);
	c.csr[RV_HEDELEG] = ~0ull;
	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_LOAD_GUEST_PAGE_FAULT, VA_DATA + 0x6000, 0x48000000 >> 2, 0, true);
	ck_assert_uint_eq(c.csr[RV_VSCAUSE], CAUSE_LOAD_PAGE_FAULT);
	ck_assert_uint_eq(c.csr[RV_VSTVAL], VA_DATA + 0x9000);
	c.pc += 4;
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(x.scause, CAUSE_VIRTUAL_INSTRUCTION);
	ck_assert_str_eq(result().first_failure, "");
	ck_assert_uint_eq(result().exceptions_taken, 1);
}
END_TEST

/* ---- Interrupts through hvip ---------------------------------------------------- */

#define IRQ(cause_, src) ACT(ACT_EXPECT_IRQ, .rv = { .cause = (cause_) }, .value = (src))

START_TEST(test_vstip_reaches_the_guest_as_its_timer_interrupt)
{
	static const struct action p[] = { ACT(ACT_WAIT_IRQ), IRQ(5, 0), END };

	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_HVIP] = MIP_VSTIP;
	c.csr[RV_VSIE] = MIP_STIP;
	load(p, N(p));
	ck_assert_int_eq(run(20), 0);
	struct engine_result r = result();
	ck_assert_str_eq(r.first_failure, "");
	ck_assert(r.finished);
	ck_assert_uint_eq(r.irqs_taken, 1);
	ck_assert_uint_eq(c.csr[RV_VSCAUSE], SCAUSE_INTERRUPT | 5);
	ck_assert_uint_eq(c.csr[RV_VSEPC], ENTRY);
	ck_assert_uint_eq(c.csr[RV_VSIE], 0);         /* the handler cleared STIE */
	ck_assert_uint_eq(c.csr[RV_HVIP], MIP_VSTIP); /* Tandem's to lower */
	ck_assert(c.csr[RV_VSSTATUS] & SSTATUS_SIE);
}
END_TEST

START_TEST(test_vssip_is_cleared_by_the_guest_through_sip)
{
	static const struct action p[] = { ACT(ACT_UNMASK_IRQ), ACT(ACT_SPIN, .value = 2), IRQ(1, 0), END };

	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_HVIP] = MIP_VSSIP;
	c.csr[RV_VSIE] = MIP_SSIP;
	load(p, N(p));
	ck_assert_int_eq(run(20), 0);
	ck_assert_str_eq(result().first_failure, "");
	ck_assert_uint_eq(c.csr[RV_VSCAUSE], SCAUSE_INTERRUPT | 1);
	ck_assert_uint_eq(c.csr[RV_HVIP], 0);
}
END_TEST

/* An external interrupt: the handler claims (lw from the PLIC: an MMIO exit), completes
 * (sw: another), and returns with t0/t1 as they were. */
START_TEST(test_vseip_is_claimed_and_completed_through_the_plic)
{
	static const struct action p[] = { ACT(ACT_WAIT_IRQ), IRQ(9, 33), END };
	uint64_t h = ENTRY + 0x100; /* the 256-byte boundary past 3 slots and the WFI */

	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_HVIP] = MIP_VSEIP;
	c.csr[RV_VSIE] = MIP_SEIP;
	c.x[T0] = 0xAAAA;
	c.x[T1] = 0xBBBB;
	load(p, N(p));
	ck_assert_int_eq(run(20), 1);
	assert_trap(CAUSE_LOAD_GUEST_PAGE_FAULT, PLIC_CLAIM0, PLIC_CLAIM0 >> 2, 0, true);
	ck_assert_uint_eq(c.pc, h + 0x40);
	ck_assert_uint_eq(c.x[T1], PLIC_CLAIM0);
	ck_assert_uint_eq(rd32(gpa_host(h + 0x40)), 0x00032283); /* lw t0, 0(t1) */
	ck_assert_uint_eq(c.csr[RV_VSCAUSE], SCAUSE_INTERRUPT | 9);
	c.x[T0] = 33;
	c.csr[RV_HVIP] = 0; /* the PLIC lowers the line once claimed */
	c.pc += 4;
	ck_assert_int_eq(run(20), 1);
	assert_trap(CAUSE_STORE_GUEST_PAGE_FAULT, PLIC_CLAIM0, PLIC_CLAIM0 >> 2, 0, true);
	ck_assert_uint_eq(c.pc, h + 0x44);
	ck_assert_uint_eq(rd32(gpa_host(h + 0x44)), 0x00532023); /* sw t0, 0(t1) */
	ck_assert_uint_eq(c.x[T0], 33);
	c.pc += 4;
	ck_assert_int_eq(run(20), 0);
	ck_assert_str_eq(result().first_failure, "");
	ck_assert(result().finished);
	ck_assert_uint_eq(c.x[T0], 0xAAAA);
	ck_assert_uint_eq(c.x[T1], 0xBBBB);
	int cause;
	uint64_t src;
	ck_assert_int_eq(rv_engine_last_irq(VMID, 0, &cause, &src), 0);
	ck_assert_int_eq(cause, 9);
	ck_assert_uint_eq(src, 33);
}
END_TEST

START_TEST(test_an_interrupt_hideleg_does_not_delegate_is_not_the_guests)
{
	static const struct action p[] = { ACT(ACT_UNMASK_IRQ), ACT(ACT_SPIN, .value = 5), END };

	c.csr[RV_HVIP] = MIP_VS_MASK;
	c.csr[RV_VSIE] = MIP_SSIP | MIP_STIP | MIP_SEIP;
	load(p, N(p));
	ck_assert_int_eq(run(20), 0);
	ck_assert_uint_eq(result().irqs_taken, 0);
	ck_assert(result().finished);
}
END_TEST

START_TEST(test_sstc_timer_pends_from_vstimecmp_and_the_handler_pushes_it_away)
{
	static const struct action p[] = { ACT(ACT_WAIT_IRQ), IRQ(5, 0), END };

	c.csr[RV_HENVCFG] = ENVCFG_STCE;
	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_VSTIMECMP] = 0; /* due */
	c.csr[RV_VSIE] = MIP_STIP;
	load(p, N(p));
	ck_assert_int_eq(run(20), 0);
	ck_assert_str_eq(result().first_failure, "");
	ck_assert_uint_eq(c.csr[RV_VSTIMECMP], ~0ull);
	ck_assert_uint_eq(c.vtimer_written, 1);
}
END_TEST

START_TEST(test_timer_action_is_sbi_set_timer_without_sstc)
{
	static const struct action p[] = { ACT(ACT_VTIMER, .rv = { .rs1 = T6 }, .value = 1000), END };

	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	load(p, N(p));
	uint64_t before = hal_counter();
	ck_assert_int_eq(run(10), 1);
	uint64_t after = hal_counter();
	assert_trap(CAUSE_VIRTUAL_SUPERVISOR_ECALL, 0, 0, 0, false);
	ck_assert_uint_eq(c.x[A7], 0x54494D45);
	ck_assert_uint_eq(c.x[A6], 0);
	ck_assert_uint_ge(c.x[A0], before + 1000);
	ck_assert_uint_le(c.x[A0], after + 1000);
	ck_assert_uint_eq(c.csr[RV_VSIE], MIP_STIP);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY)), 0x00000073);
}
END_TEST

START_TEST(test_timer_action_writes_vstimecmp_with_sstc)
{
	static const struct action p[] = { ACT(ACT_VTIMER, .rv = { .rs1 = T6 }, .value = 1000), END };

	c.csr[RV_HENVCFG] = ENVCFG_STCE;
	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	load(p, N(p));
	uint64_t before = hal_counter();
	ck_assert_int_eq(run(10), 0);
	ck_assert_uint_ge(c.csr[RV_VSTIMECMP], before + 1000);
	ck_assert_uint_eq(c.x[T6], c.csr[RV_VSTIMECMP]);
	ck_assert_uint_eq(c.vtimer_written, 1);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY)), 0x14DF9073); /* csrw stimecmp, t6 */
}
END_TEST

/* ---- The TLB: stale until a fence ----------------------------------------------- */

#define ECALL ACT(ACT_RV_ECALL) /* a0-a7 are its arguments: loads go to s2-s5 */
#define R0 18
#define R1 19
#define R2 20
#define R3 21
#define HOST_B 0x81000000ull

static void continue_after_ecall(void)
{
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(x.scause, CAUSE_VIRTUAL_SUPERVISOR_ECALL);
	c.pc += 4;
}

START_TEST(test_a_g_stage_change_without_hfence_gvma_is_not_seen)
{
	static const struct action p[] = {
		LD(R0, 3, false, DATA), ECALL, LD(R1, 3, false, DATA), ECALL,
		LD(R2, 3, false, DATA), ECALL, LD(R3, 3, false, DATA), END,
	};

	wr64(gpa_host(DATA), 1);
	wr64(HOST_B, 2);
	load(p, N(p));
	continue_after_ecall();
	g_map(DATA, HOST_B, G_RWX); /* no fence */
	continue_after_ecall();
	ck_assert_uint_eq(c.x[R1], 1); /* stale */
	hal_guest_tlb_flush(hgatp_of(g_root, VMID + 1)); /* another VM's */
	continue_after_ecall();
	ck_assert_uint_eq(c.x[R2], 1);
	hal_guest_tlb_flush(c.csr[RV_HGATP]);
	ck_assert_int_eq(run(10), 0);
	ck_assert_uint_eq(c.x[R3], 2);
	ck_assert_uint_eq(c.x[R0], 1);
}
END_TEST

START_TEST(test_a_vs_stage_change_without_hfence_vvma_is_not_seen)
{
	static const struct action p[] = {
		LD(R0, 3, false, VA_DATA), ECALL, LD(R1, 3, false, VA_DATA), ECALL,
		LD(R2, 3, false, VA_DATA), ECALL, LD(R3, 3, false, VA_DATA), END,
	};

	vs_on(5);
	wr64(gpa_host(DATA), 1);
	wr64(gpa_host(DATA + 0x1000), 2);
	load(p, N(p));
	continue_after_ecall();
	vs_map(VA_DATA, DATA + 0x1000, LEAF | RV_PTE_R | RV_PTE_W);
	continue_after_ecall();
	ck_assert_uint_eq(c.x[R1], 1);
	hal_guest_tlb_flush_vs(c.csr[RV_HGATP], 6, false, gva_make(VA_DATA), 4096); /* ASID 6 */
	continue_after_ecall();
	ck_assert_uint_eq(c.x[R2], 1);
	hal_guest_tlb_flush_vs(c.csr[RV_HGATP], 5, false, gva_make(VA_DATA), 4096);
	ck_assert_int_eq(run(10), 0);
	ck_assert_uint_eq(c.x[R3], 2);
}
END_TEST

/* SFENCE.VMA is the guest's and this hart's: another pCPU keeps its entry. */
START_TEST(test_the_guests_sfence_vma_fences_only_its_pcpu)
{
	static const struct action p[] = {
		LD(R0, 3, false, VA_DATA), ECALL,
		ACT(ACT_RV_SFENCE, .rv = { .rs1 = T6 }, .addr = VA_DATA), LD(R1, 3, false, VA_DATA), ECALL,
		LD(R2, 3, false, VA_DATA), END,
	};

	vs_on(5);
	wr64(gpa_host(DATA), 1);
	wr64(gpa_host(DATA + 0x1000), 2);
	load(p, N(p));
	ck_assert_int_eq(hal_sim_act_as_pcpu(1), 0);
	continue_after_ecall(); /* pCPU 1 caches VA_DATA */
	vs_map(VA_DATA, DATA + 0x1000, LEAF | RV_PTE_R | RV_PTE_W);
	ck_assert_int_eq(hal_sim_act_as_pcpu(0), 0);
	continue_after_ecall(); /* the fence, and the load, on pCPU 0 */
	ck_assert_uint_eq(c.x[R1], 2);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY + 8)), 0x120F8073); /* sfence.vma t6, x0 */
	ck_assert_int_eq(hal_sim_act_as_pcpu(1), 0);
	ck_assert_int_eq(run(10), 0);
	ck_assert_uint_eq(c.x[R2], 1); /* pCPU 1's entry is stale */
	ck_assert_int_eq(hal_sim_act_as_pcpu(0), 0);
}
END_TEST

START_TEST(test_an_asid_change_without_a_fence_uses_the_other_asids_entries)
{
	static const struct action p[] = {
		LD(R0, 3, false, VA_DATA), ECALL, LD(R1, 3, false, VA_DATA), ECALL,
		LD(R2, 3, false, VA_DATA), END,
	};

	vs_on(5);
	wr64(gpa_host(DATA), 1);
	wr64(gpa_host(DATA + 0x1000), 2);
	load(p, N(p));
	continue_after_ecall();
	vs_map(VA_DATA, DATA + 0x1000, LEAF | RV_PTE_R | RV_PTE_W);
	c.csr[RV_VSATP] += 1ull << 44; /* ASID 6: its own entries, none yet */
	continue_after_ecall();
	ck_assert_uint_eq(c.x[R1], 2);
	c.csr[RV_VSATP] -= 1ull << 44; /* back to ASID 5: its stale entry */
	ck_assert_int_eq(run(10), 0);
	ck_assert_uint_eq(c.x[R2], 1);
}
END_TEST

/* ---- Hostile and odd inputs -------------------------------------------------------- */

START_TEST(test_out_of_range_ids_and_odd_contexts_are_refused_or_idle)
{
	static const struct action p[] = { END };
	struct engine_program pr = { p, 1 };
	struct engine_result r;
	int cause;
	uint64_t src;
	uint32_t insn;

	ck_assert_int_eq(engine_load(ENGINE_MAX_VMS, 0, &pr), -EINVAL);
	ck_assert_int_eq(engine_load(0, ENGINE_MAX_VCPUS, &pr), -EINVAL);
	ck_assert_int_eq(engine_load(0, 0, NULL), -EINVAL);
	ck_assert_int_eq(engine_result(ENGINE_MAX_VMS, 0, &r), -EINVAL);
	ck_assert_int_eq(engine_result(0, 0, NULL), -EINVAL);
	ck_assert(!engine_finished(ENGINE_MAX_VMS, 0));
	ck_assert_int_eq(rv_engine_bind(NULL, 0, 0), -EINVAL);
	ck_assert_int_eq(rv_engine_bind(&c, 0, ENGINE_MAX_VCPUS), -EINVAL);
	ck_assert_int_eq(rv_engine_last_irq(0, ENGINE_MAX_VCPUS, &cause, &src), -EINVAL);
	ck_assert_int_eq(hal_guest_fetch_insn(gva_make(0), NULL), -EINVAL);
	/* No program for this hart (a0 = 1000) or this VMID: a guest that only waits. */
	c.x[A0] = 1000;
	ck_assert_int_eq(run(10), 0);
	c.csr[RV_HSTATUS] |= HSTATUS_VTW;
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(x.scause, CAUSE_VIRTUAL_INSTRUCTION);
	c.x[A0] = 0;
	c.csr[RV_HGATP] |= 0x3FFFull << 44; /* VMID 16383 */
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(x.stval, 0x10500073);
	/* hgatp with a MODE the hart lacks: nothing translates, the fetch faults. */
	load(p, 1);
	c.csr[RV_HGATP] = (10ull << 60) | ((uint64_t)VMID << 44);
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_FETCH_GUEST_PAGE_FAULT, ENTRY, ENTRY >> 2, 0, true);
	ck_assert_int_eq(hal_guest_fetch_insn(gva_make(ENTRY), &insn), -EFAULT);
}
END_TEST

START_TEST(test_a_bound_context_keeps_its_hart_whatever_a0_says)
{
	static const struct action p[] = { ACT(ACT_SET_REG, .reg = A0, .value = 9), ECALL, END };

	load(p, N(p));
	ck_assert_int_eq(rv_engine_bind(&c, VMID, 0), 0);
	c.x[A0] = 7; /* not the hartid */
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(x.scause, CAUSE_VIRTUAL_SUPERVISOR_ECALL);
	ck_assert(result().started);
}
END_TEST

START_TEST(test_an_ebreak_in_guest_memory_is_executed_instead_of_the_action)
{
	static const struct action p[] = { ACT(ACT_SET_REG, .reg = A0, .value = 9), END };

	load(p, N(p));
	*(uint32_t *)host(gpa_host(ENTRY)) = 0x00100073;
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_BREAKPOINT, ENTRY, 0, 0, true);
	ck_assert_uint_eq(c.x[A0], 0);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY)), 0x00100073); /* never overwritten */
}
END_TEST

/* A store's and an AMO's VS walk faulting in the G stage: 23 with the pseudoinstruction
 * (a 64-bit PTE read, whatever the access). */
START_TEST(test_a_store_or_amo_whose_vs_walk_faults_is_23_with_the_pseudoinstruction)
{
	static const struct action p[] = {
		ST(A1, 2, 0x2040000010ull, 1), AMO(RV_AMO_ADD, A0, 3, 0x2040000018ull, 1),
		AMO(RV_AMO_LR, A0, 3, 0x2040000020ull, 0), END,
	};

	vs_on(5);
	wr64(gpa_host(VS_ROOT + 8 * 0x81), pte_to(0x50000000, RV_PTE_V));
	rv_engine_set_htinst(RV_HTINST_TRANSFORMED); /* the pseudoinstruction wins */
	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_STORE_GUEST_PAGE_FAULT, 0x2040000010ull, 0x50000000 >> 2, 0x3000, true);
	c.pc += 4;
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_STORE_GUEST_PAGE_FAULT, 0x2040000018ull, 0x50000000 >> 2, 0x3000, true);
	c.pc += 4;
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_LOAD_GUEST_PAGE_FAULT, 0x2040000020ull, 0x50000000 >> 2, 0x3000, true);
}
END_TEST

/* Access faults: a load G-mapped to no RAM (5); a fetch from one (1). */
START_TEST(test_load_and_fetch_access_faults)
{
	static const struct action p[] = { LD(A0, 3, false, 0x7FFFE000), END };

	g_map(0x7FFFE000, 0x10000000, G_RWX);
	g_map(0x7FFFD000, 0x10001000, G_RWX);
	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_LOAD_ACCESS, 0x7FFFE000, 0, 0, true);
	c.pc = 0x7FFFD000; /* a fresh entry there: the fetch itself */
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(x.scause, CAUSE_FETCH_ACCESS);
}
END_TEST

START_TEST(test_sfence_vma_traps_with_vtvm)
{
	static const struct action p[] = {
		ACT(ACT_RV_SFENCE, .rv = { .rs1 = T6, .rs2 = 30 }, .addr = 0x1000, .value = 3), END,
	};

	c.csr[RV_HSTATUS] |= HSTATUS_VTVM;
	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	/* sfence.vma t6, t5: 0001001 11110 11111 000 00000 1110011 */
	assert_trap(CAUSE_VIRTUAL_INSTRUCTION, 0x13EF8073, 0, 0, false);
}
END_TEST

/* With several pending: software before timer (4.1.3: SEI, SSI, STI). The second is
 * taken as soon as the first one's sret sets SIE again, so the last one taken is the
 * one of lower priority. */
START_TEST(test_interrupts_are_taken_in_the_specs_priority)
{
	static const struct action p[] = { ACT(ACT_WAIT_IRQ), ACT(ACT_SPIN, .value = 2), IRQ(5, 0), END };

	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_HVIP] = MIP_VSSIP | MIP_VSTIP;
	c.csr[RV_VSIE] = MIP_SSIP | MIP_STIP;
	load(p, N(p));
	ck_assert_int_eq(run(30), 0);
	ck_assert_str_eq(result().first_failure, "");
	ck_assert_uint_eq(result().irqs_taken, 2);
	ck_assert(result().finished);
}
END_TEST

/* stvec in vectored mode: an interrupt at base + 4 cause (the PLIC claim then runs at
 * base + 0x40 as in direct mode). */
START_TEST(test_a_vectored_stvec_sends_interrupts_to_base_plus_4_cause)
{
	static const struct action p[] = { ACT(ACT_WAIT_IRQ), IRQ(9, 4), END };

	c.csr[RV_VSTVEC] = ENTRY + 0x801;
	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_HVIP] = MIP_VSEIP;
	c.csr[RV_VSIE] = MIP_SEIP;
	load(p, N(p));
	ck_assert_int_eq(run(20), 1);
	ck_assert_uint_eq(c.pc, ENTRY + 0x840);
	ck_assert_uint_eq(rd32(gpa_host(ENTRY + 0x824)), 0x00000013); /* vector 9: a NOP */
	c.x[T0] = 4;
	c.csr[RV_HVIP] = 0;
	c.pc += 4;
	ck_assert_int_eq(run(20), 1);
	c.pc += 4;
	ck_assert_int_eq(run(20), 0);
	ck_assert_str_eq(result().first_failure, "");
}
END_TEST

/* A claim that returns 0 (nothing pending any more): no completion, straight to sret. */
START_TEST(test_a_spurious_claim_is_not_completed)
{
	static const struct action p[] = { ACT(ACT_WAIT_IRQ), END };

	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_HVIP] = MIP_VSEIP;
	c.csr[RV_VSIE] = MIP_SEIP;
	load(p, N(p));
	ck_assert_int_eq(run(20), 1);
	c.x[T0] = 0;
	c.csr[RV_HVIP] = 0;
	c.pc += 4;
	ck_assert_int_eq(run(20), 0);
	ck_assert_uint_eq(result().traps, 1);
	ck_assert(result().finished);
}
END_TEST

/* wait irq with hstatus.VTW: its WFI traps (22); after HS completes it (sepc + 4) the
 * loop goes round until the interrupt has been taken. */
START_TEST(test_wait_irq_with_vtw_traps_and_loops_until_the_interrupt)
{
	static const struct action p[] = { ACT(ACT_WAIT_IRQ), IRQ(5, 0), END };

	c.csr[RV_HSTATUS] |= HSTATUS_VTW;
	c.csr[RV_HIDELEG] = MIP_VS_MASK;
	c.csr[RV_VSIE] = MIP_STIP;
	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_VIRTUAL_INSTRUCTION, 0x10500073, 0, 0, false);
	c.pc += 4; /* woken without an interrupt: round again */
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(c.pc, ENTRY);
	c.csr[RV_HVIP] = MIP_VSTIP;
	c.pc += 4;
	ck_assert_int_eq(run(10), 1); /* the final WFI, VTW still set */
	ck_assert_uint_eq(c.pc, ENTRY + 8);
	ck_assert_str_eq(result().first_failure, "");
	ck_assert(result().finished);
}
END_TEST

/* wait64 on MMIO: the load traps; after an emulated read of another value it loads
 * again, after the awaited one it goes on. */
START_TEST(test_wait64_on_mmio_loads_again_until_the_value)
{
	static const struct action p[] = {
		ACT(ACT_WAIT64, .rv = { .rd = T0, .rs1 = T6, .size = 3 }, .addr = MMIO, .value = 7), END,
	};

	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	assert_trap(CAUSE_LOAD_GUEST_PAGE_FAULT, MMIO, MMIO >> 2, 0, true);
	c.x[T0] = 6;
	c.pc += 4;
	ck_assert_int_eq(run(10), 1);
	ck_assert_uint_eq(c.pc, ENTRY);
	c.x[T0] = 7;
	c.pc += 4;
	ck_assert_int_eq(run(10), 0);
	ck_assert(result().finished);
	ck_assert_uint_eq(result().wait_loops, 1);
}
END_TEST

/* HFENCE.VVMA of one ASID keeps global entries; of all ASIDs (or GVMA) drops them. */
START_TEST(test_global_entries_survive_an_asid_fence_only)
{
	static const struct action p[] = {
		LD(R0, 3, false, VA_DATA), ECALL, LD(R1, 3, false, VA_DATA), ECALL,
		LD(R2, 3, false, VA_DATA), END,
	};

	vs_on(5);
	vs_map(VA_DATA, DATA, LEAF | RV_PTE_R | RV_PTE_G);
	wr64(gpa_host(DATA), 1);
	wr64(gpa_host(DATA + 0x1000), 2);
	load(p, N(p));
	continue_after_ecall();
	vs_map(VA_DATA, DATA + 0x1000, LEAF | RV_PTE_R | RV_PTE_G);
	hal_guest_tlb_flush_vs(c.csr[RV_HGATP], 5, false, gva_make(0), 0);
	continue_after_ecall();
	ck_assert_uint_eq(c.x[R1], 1); /* global: kept */
	hal_guest_tlb_flush_vs(c.csr[RV_HGATP], 0, true, gva_make(0), ~0ull);
	ck_assert_int_eq(run(10), 0);
	ck_assert_uint_eq(c.x[R2], 2);
	uint64_t hits, fills;
	rv_engine_tlb_stats(&hits, &fills);
	ck_assert_uint_gt(hits, 0);
	ck_assert_uint_gt(fills, 0);
}
END_TEST

/* hal_guest_fetch_insn reads a compressed instruction as 16 bits, a 32-bit one whole. */
START_TEST(test_fetch_insn_reads_what_the_guest_fetches)
{
	static const struct action p[] = {
		ACT(ACT_LOAD, .rv = { .rd = S0, .rs1 = S1, .size = 2, .sign = true, .compressed = true }, .addr = MMIO),
		END,
	};
	uint32_t insn = 0;

	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	ck_assert_int_eq(hal_guest_fetch_insn(gva_make(c.pc), &insn), 0);
	ck_assert_uint_eq(insn, 0x4080); /* C.LW s0, 0(s1) */
	ck_assert_int_eq(hal_guest_fetch_insn(gva_make(c.pc + 2), &insn), 0);
	ck_assert_uint_eq(insn, 0x0001); /* C.NOP */
	ck_assert_int_eq(hal_guest_fetch_insn(gva_make(c.pc + 1), &insn), -EFAULT);
}
END_TEST

/* HS-mode injects an exception as arch/riscv64/inject.c does (vsepc, vscause, vstval,
 * the PC at vstvec): the guest's handler takes it and returns past the instruction. */
static void inject(uint64_t cause, uint64_t tval)
{
	c.csr[RV_VSEPC] = c.pc;
	c.csr[RV_VSCAUSE] = cause;
	c.csr[RV_VSTVAL] = tval;
	c.pc = c.csr[RV_VSTVEC] & ~3ull;
}

START_TEST(test_an_exception_hs_injects_is_taken_by_the_guests_handler)
{
	static const struct action p[] = {
		LD(A0, 3, false, MMIO), FAULT(5), LD(A0, 3, false, MMIO), END,
	};

	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	inject(CAUSE_LOAD_ACCESS, MMIO);
	ck_assert_int_eq(run(10), 1); /* the second load, past the first */
	ck_assert_uint_eq(c.pc, ENTRY + 8);
	ck_assert_str_eq(result().first_failure, "");
	inject(CAUSE_LOAD_ACCESS, MMIO); /* not expected */
	ck_assert_int_eq(run(10), 0);
	ck_assert_uint_eq(result().exceptions_taken, 2);
	ck_assert_uint_eq(result().failures, 1);
	ck_assert(result().finished);
}
END_TEST

/* A hostile guest: its VS page tables are random words (roots, pointers and leaves
 * anywhere, reserved bits, misaligned superpages), its accesses random in width,
 * alignment and address. Every exit must be one of the causes an access or a fetch can
 * raise, with GVA set, and the program must get to its end. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t random_pte(void)
{
	uint64_t r = rng(), ppn;

	switch (r & 3) {
	case 0: ppn = rng() >> 20; break;                                   /* anywhere */
	case 1: ppn = (GUEST_RAM + 0x10000 + (rng() % 32) * 4096) >> 12; break; /* a table */
	default: ppn = (GUEST_RAM + (rng() % 256) * 4096) >> 12; break;      /* guest RAM */
	}
	uint64_t flags = (r >> 8) & 0xFF; /* V R W X U G A D at random */
	if ((r >> 16) % 16 == 0)
		flags |= (rng() & 0x7FF) << 53; /* reserved, PBMT, N */
	return ((ppn << RV_PTE_PPN_SHIFT) & RV_PTE_PPN_MASK) | flags;
}

static bool access_cause(uint64_t cause)
{
	static const uint64_t ok[] = { 1, 4, 5, 6, 7, 12, 13, 15, 20, 21, 23 };

	for (unsigned i = 0; i < N(ok); i++)
		if (cause == ok[i])
			return true;
	return false;
}

START_TEST(test_random_guest_page_tables_never_break_the_walk)
{
	static struct action p[301];

	for (unsigned round = 0; round < 20; round++) {
		for (uint64_t t = 0; t < 32; t++)
			for (unsigned i = 0; i < 512; i++)
				wr64(gpa_host(GUEST_RAM + 0x10000 + t * 4096 + 8 * i), random_pte());
		uint64_t root = GUEST_RAM + 0x10000 + (rng() % 32) * 4096;
		bool sv48 = rng() & 1;
		/* The code: VA 0x40000000 onto itself, a 1 GiB leaf (Sv48: through a pointer). */
		if (sv48) {
			wr64(gpa_host(root), pte_to(GUEST_RAM + 0x30000, RV_PTE_V));
			wr64(gpa_host(GUEST_RAM + 0x30000 + 8), pte_to(GUEST_RAM, LEAF | RV_PTE_R | RV_PTE_X | RV_PTE_W));
		} else {
			wr64(gpa_host(root + 8), pte_to(GUEST_RAM, LEAF | RV_PTE_R | RV_PTE_X | RV_PTE_W));
		}
		c.csr[RV_VSATP] = ((sv48 ? SATP_MODE_SV48 : SATP_MODE_SV39) << 60) | (rng() & (0xFFFFull << 44)) |
				  (root >> 12);
		c.csr[RV_HEDELEG] = rng() & 0xB0FF;
		c.csr[RV_VSSTATUS] = SSTATUS_UXL_64 | (rng() & (SSTATUS_SUM | SSTATUS_MXR));
		c.csr[RV_VSTVEC] = 0;
		for (unsigned i = 0; i < 300; i++) {
			uint64_t r = rng(), va = rng();
			if (r & 1)
				va = (uint64_t)((int64_t)(va << 16) >> 16); /* mostly canonical for Sv48 */
			uint8_t size = (uint8_t)((r >> 1) & 3), op = (uint8_t)((r >> 6) & 3);
			switch ((r >> 3) % 3) {
			case 0: p[i] = (struct action)LD(A0, size, r & 32, va); break;
			case 1: p[i] = (struct action)ST(A1, size, va, r); break;
			default: p[i] = (struct action)AMO(op, A0, (uint8_t)(2 + (size & 1)), va, r); break;
			}
		}
		p[300] = (struct action)END;
		ck_assert_int_eq(engine_load(VMID, 0, &(struct engine_program){ p, 301 }), 0);
		c.pc = ENTRY;
		c.x[A0] = 0;
		c.csr[RV_VSEPC] = 0;
		unsigned exits = 0;
		while (!result().finished && exits < 400) {
			if (!run(2000))
				break;
			exits++;
			ck_assert_msg(access_cause(x.scause), "cause %llu", (unsigned long long)x.scause);
			ck_assert(x.hstatus & HSTATUS_GVA);
			c.pc += 4;
		}
		ck_assert(result().finished);
	}
}
END_TEST

/* The engine encodes its words itself and Tandem decodes them with arch/riscv64/rvinsn:
 * the two readings of each word (and of each transformed htinst) must agree. */
static void assert_decodes_as(uint32_t word, const struct action *a, bool transformed)
{
	struct rv_ldst d;
	const struct rv_op *o = &a->rv;
	bool amo = a->kind == ACT_RV_AMO;

	if (transformed)
		ck_assert_int_eq(rv_decode_htinst_ldst(word, &d), 0);
	else
		ck_assert_int_eq(rv_decode_ldst(word, &d), 0);
	ck_assert_uint_eq(d.width, 1u << o->size);
	ck_assert_uint_eq(d.store, a->kind == ACT_STORE || (amo && o->amo != RV_AMO_LR));
	ck_assert_uint_eq(d.len, o->compressed ? 2 : 4);
	ck_assert_int_eq(d.imm, 0);
	ck_assert_uint_eq(d.base, transformed ? 0 : o->rs1);
	ck_assert_uint_eq(d.amo, amo);
	if (a->kind == ACT_STORE)
		ck_assert_uint_eq(d.reg, o->rs2);
	else
		ck_assert_uint_eq(d.reg, o->rd);
	if (a->kind == ACT_LOAD)
		ck_assert_uint_eq(d.sign_extend, o->sign && o->size < 3);
	if (amo) {
		static const unsigned op[] = { RV_AMOSWAP, RV_AMOADD, RV_LR, RV_SC };
		ck_assert_uint_eq(d.amo_op, op[o->amo]);
		ck_assert_uint_eq(d.rs2, o->amo == RV_AMO_LR ? 0 : o->rs2);
	}
}

START_TEST(test_the_engines_words_decode_as_their_actions_with_rvinsn)
{
	static const struct action p[] = {
		LD(A0, 0, true, MMIO), LD(A0, 1, false, MMIO), LD(A2, 2, true, MMIO), LD(T1, 2, false, MMIO),
		LD(A0, 3, false, MMIO), ST(A1, 0, MMIO, 1), ST(S1, 1, MMIO, 1), ST(A1, 2, MMIO, 1),
		ST(T0, 3, MMIO, 1),
		ACT(ACT_LOAD, .rv = { .rd = S0, .rs1 = S1, .size = 2, .sign = true, .compressed = true }, .addr = MMIO),
		ACT(ACT_LOAD, .rv = { .rd = A5, .rs1 = S0, .size = 3, .compressed = true }, .addr = MMIO),
		ACT(ACT_STORE, .rv = { .rs2 = A4, .rs1 = S1, .size = 2, .compressed = true }, .addr = MMIO),
		ACT(ACT_STORE, .rv = { .rs2 = S1, .rs1 = S0, .size = 3, .compressed = true }, .addr = MMIO),
		AMO(RV_AMO_ADD, A0, 2, MMIO, 1), AMO(RV_AMO_SWAP, A2, 3, MMIO, 1),
		AMO(RV_AMO_LR, A0, 3, MMIO, 0), AMO(RV_AMO_SC, A3, 2, MMIO, 1),
		END,
	};

	rv_engine_set_htinst(RV_HTINST_TRANSFORMED);
	load(p, N(p));
	for (unsigned i = 0; i + 1 < N(p); i++) {
		ck_assert_int_eq(run(10), 1);
		ck_assert_uint_eq(c.pc, ENTRY + 4 * i);
		assert_decodes_as(rd32(gpa_host(c.pc)), &p[i], false);
		assert_decodes_as((uint32_t)x.htinst, &p[i], true);
		c.pc += p[i].rv.compressed ? 2 : 4;
	}
}
END_TEST

/* A VM created again under the same VMID has new contexts: engine_load forgets the old
 * one, and the new context is bound by its a0 at entry. */
START_TEST(test_a_reloaded_program_binds_the_new_context)
{
	static const struct action p[] = { ECALL, END };
	static struct guest_ctx c2; /* the new VM's vCPU, elsewhere in memory */
	void *arg;
	hal_sim_guest_fn fn = hal_sim_get_guest(&arg);

	load(p, N(p));
	ck_assert_int_eq(run(10), 1);
	c2.pc = ENTRY;
	c2.csr[RV_HGATP] = c.csr[RV_HGATP];
	ck_assert_int_eq(fn(&c2, &x, arg), 0); /* hart 0 is c's: c2 only waits */
	load(p, N(p));
	ck_assert_int_eq(fn(&c2, &x, arg) || fn(&c2, &x, arg), 1);
	ck_assert_uint_eq(x.scause, CAUSE_VIRTUAL_SUPERVISOR_ECALL);
	ck_assert_uint_eq(c2.pc, ENTRY);
	ck_assert_uint_eq(result().traps, 1);
}
END_TEST

/* Two independent readings of the same G-stage tables: core's writer (core/pt.c with
 * riscv_sv39x4) and the engine's walk must agree on every mapping and every hole. */
START_TEST(test_g_walk_agrees_with_cores_tables)
{
	struct pt pt;
	uint64_t hgatp, hpa;
	paddr_t want;

	ck_assert_int_eq(frame_init(), 0);
	ck_assert_int_eq(cpu_boot_init(), 0);
	ck_assert_int_eq(cpu_init_this(), 0);
	ck_assert_int_eq(pt_init(&pt, &riscv_sv39x4, NULL, NULL), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(1ull << 30), pa_make(5ull << 30), 1ull << 30,
				PT_R | PT_W | PT_X, PT_MAP_BLOCKS), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x200000), pa_make(0x7400000), 0x200000, PT_R,
				PT_MAP_BLOCKS), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make(0x1000), pa_make(0x9000), 0x1000, PT_R | PT_W, 0), 0);
	ck_assert_int_eq(pt_map(&pt, gpa_make((1ull << 41) - 0x1000), pa_make(0xA000), 0x1000,
				PT_R | PT_X, 0), 0);
	ck_assert_int_eq(riscv_hgatp(&riscv_sv39x4, pa_bits(pt.root), 3, &hgatp), 0);
	const uint64_t samples[] = { 1ull << 30, (1ull << 30) + 0x12345678, (2ull << 30) - 8,
				     0x200000 + 0x1234, 0x1008, (1ull << 41) - 8 };
	for (unsigned i = 0; i < N(samples); i++) {
		ck_assert_int_eq(pt_translate(&pt, gpa_make(samples[i]), &want, NULL, NULL), 0);
		ck_assert_int_eq(rv_engine_g_walk(hgatp, samples[i], false, false, &hpa), 0);
		ck_assert_uint_eq(hpa, pa_bits(want));
	}
	/* Holes, a write to read-only memory, a fetch from non-executable memory. */
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 3ull << 30, false, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 0x2000, false, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 0x200000, true, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, 0x1000, false, true, &hpa), 1);
	/* After core unmaps a page of the 1 GiB leaf (split into 2 MiB and 4 KiB), the walk
	 * faults there and still maps its neighbour. */
	ck_assert_int_eq(pt_unmap(&pt, gpa_make((1ull << 30) + 0x400000), 0x1000), 0);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, (1ull << 30) + 0x400000, false, false, &hpa), 1);
	ck_assert_int_eq(rv_engine_g_walk(hgatp, (1ull << 30) + 0x401000, false, false, &hpa), 0);
	ck_assert_uint_eq(hpa, (5ull << 30) + 0x401000);
	pt_destroy(&pt);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rv_engine");
	TCase *tc = tcase_create("rv_engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_g_walk_translates_and_faults_as_the_spec_says);
	tcase_add_test(tc, test_g_walk_sv48x4_takes_50_bits_and_an_11_bit_root_index);
	tcase_add_test(tc, test_loads_and_stores_of_every_width_extend_as_the_isa_says);
	tcase_add_test(tc, test_amos_and_lr_sc_on_ram);
	tcase_add_test(tc, test_mmio_load_is_a_load_guest_page_fault_with_htinst_0);
	tcase_add_test(tc, test_transformed_htinst_of_each_access_kind);
	tcase_add_test(tc, test_misaligned_access_and_access_fault);
	tcase_add_test(tc, test_ecall_traps_with_cause_10_even_when_hedeleg_says_otherwise);
	tcase_add_test(tc, test_wfi_with_vtw_is_a_virtual_instruction_exception);
	tcase_add_test(tc, test_wfi_without_vtw_waits_for_a_locally_enabled_interrupt);
	tcase_add_test(tc, test_vs_csr_accesses_reach_the_vs_registers_without_a_trap);
	tcase_add_test(tc, test_csr_accesses_that_trap);
	tcase_add_test(tc, test_time_is_the_counter_plus_htimedelta_and_stimecmp_is_vstimecmp);
	tcase_add_test(tc, test_a_delegated_exception_is_taken_by_the_guest);
	tcase_add_test(tc, test_an_unexpected_guest_exception_fails_the_program);
	tcase_add_test(tc, test_vs_walk_translates_and_raises_each_fault);
	tcase_add_test(tc, test_sum_and_mxr_open_u_and_execute_only_pages);
	tcase_add_test(tc, test_fetch_faults_in_each_stage);
	tcase_add_test(tc, test_delegation_gives_the_guest_only_what_hedeleg_may);
	tcase_add_test(tc, test_vstip_reaches_the_guest_as_its_timer_interrupt);
	tcase_add_test(tc, test_vssip_is_cleared_by_the_guest_through_sip);
	tcase_add_test(tc, test_vseip_is_claimed_and_completed_through_the_plic);
	tcase_add_test(tc, test_an_interrupt_hideleg_does_not_delegate_is_not_the_guests);
	tcase_add_test(tc, test_sstc_timer_pends_from_vstimecmp_and_the_handler_pushes_it_away);
	tcase_add_test(tc, test_timer_action_is_sbi_set_timer_without_sstc);
	tcase_add_test(tc, test_timer_action_writes_vstimecmp_with_sstc);
	tcase_add_test(tc, test_a_g_stage_change_without_hfence_gvma_is_not_seen);
	tcase_add_test(tc, test_a_vs_stage_change_without_hfence_vvma_is_not_seen);
	tcase_add_test(tc, test_the_guests_sfence_vma_fences_only_its_pcpu);
	tcase_add_test(tc, test_an_asid_change_without_a_fence_uses_the_other_asids_entries);
	tcase_add_test(tc, test_out_of_range_ids_and_odd_contexts_are_refused_or_idle);
	tcase_add_test(tc, test_a_bound_context_keeps_its_hart_whatever_a0_says);
	tcase_add_test(tc, test_an_ebreak_in_guest_memory_is_executed_instead_of_the_action);
	tcase_add_test(tc, test_a_store_or_amo_whose_vs_walk_faults_is_23_with_the_pseudoinstruction);
	tcase_add_test(tc, test_load_and_fetch_access_faults);
	tcase_add_test(tc, test_sfence_vma_traps_with_vtvm);
	tcase_add_test(tc, test_interrupts_are_taken_in_the_specs_priority);
	tcase_add_test(tc, test_a_vectored_stvec_sends_interrupts_to_base_plus_4_cause);
	tcase_add_test(tc, test_a_spurious_claim_is_not_completed);
	tcase_add_test(tc, test_wait_irq_with_vtw_traps_and_loops_until_the_interrupt);
	tcase_add_test(tc, test_wait64_on_mmio_loads_again_until_the_value);
	tcase_add_test(tc, test_global_entries_survive_an_asid_fence_only);
	tcase_add_test(tc, test_fetch_insn_reads_what_the_guest_fetches);
	tcase_add_test(tc, test_an_exception_hs_injects_is_taken_by_the_guests_handler);
	tcase_add_test(tc, test_random_guest_page_tables_never_break_the_walk);
	tcase_add_test(tc, test_the_engines_words_decode_as_their_actions_with_rvinsn);
	tcase_add_test(tc, test_a_reloaded_program_binds_the_new_context);
	tcase_add_test(tc, test_g_walk_agrees_with_cores_tables);
	suite_add_tcase(s, tc);
	return s;
}
