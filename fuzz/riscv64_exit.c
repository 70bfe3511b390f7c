/* fuzz/riscv64_exit: arbitrary raw trap state (scause, stval, htval, htinst, hstatus)
 * and register values through the whole riscv64 exit path (decode by scause, core's
 * dispatcher, completion) of a two-vCPU VM with eager, lazy and read-only RAM, an MMIO
 * device and the PLIC. Any crash, sanitizer report, leak (frames not back after the VM
 * is destroyed) or poisoned vCPU is a finding, and so is every exit that leaves the
 * vCPU where the RISC-V privileged spec (20211203, H extension) and SBI v2.0 do not let
 * it go. The oracle below is worked out from the specs alone, never from Tandem. After
 * an exit the PC
 *   - stays (retry; an interrupt, which is the host's),
 *   - steps over the trapping instruction by its length, known from the instruction
 *     the exit came from: an ECALL (4), a transformed htinst (bit 1: 4, else 2), the
 *     word at the PC (low bits 11: 4, else 2), a virtual-instruction trap's stval, or
 *   - is at vstvec's BASE (MODE bits cleared) with a trap taken in VS-mode (4.1.1,
 *     4.1.2, 8.6.4): vsepc = the old PC, vscause a cause a VS-mode trap can have
 *     (0-8, 12, 13, 15) that fits the trap, vstval as 4.1.9 says for it,
 *     vsstatus.SPP = the privilege trapped from (sstatus.SPP), SPIE = the old SIE,
 *     SIE = 0, sstatus.SPP = 1;
 *   or the vCPU restarts at an SBI HSM entry (its own non-retentive hart_suspend, or
 *   the hart_start another vCPU made for it): pc = the address, a0 = hartid, a1 =
 *   opaque, vsatp = 0, vsstatus.SIE = 0 (SBI v2.0 9.1/9.4).
 * Only the registers the exit may write change: a0/a1 for SBI (a0 alone for the legacy
 * extensions; a0 a legal SBI error), rd of an emulated load (zero- or sign-extended as
 * its width says), nothing else; x0 stays 0. hgatp, hedeleg, hideleg, hcounteren,
 * henvcfg, vsie, vstvec, vsscratch, vstimecmp, htimedelta, scounteren, senvcfg and the
 * FP state never change; hvip only in its VS bits; hstatus only in SPV/SPVP/GVA/VTW.
 * The vCPU's state must be one the exit leads to (blocked only after WFI or
 * hart_suspend, off only after hart_stop, the VM stopped only after SRST). An exit
 * the early handler (arch_exit_early) answers goes through core instead, and the
 * registers, PC and CSRs must come out as the early answer had them.
 *
 * Input: byte 0: bit 0 MMIO to no device reads as zero. Then 32-byte records, one trap
 * each (a short trailing record is ignored):
 *   [0]      bits 4:0 n: n < 24 scause = exception code n; 24-26 an interrupt (S soft,
 *            timer, external); 27 an interrupt with code [4..11]; 28-31 scause raw
 *            from [24..31]. bits 6:5 where the PC is: RAM, RAM, read-only RAM, a hole.
 *            bit 7: the trap is vCPU 1's, if hart_start started it
 *   [1]      n % 6: the faulting GPA in RAM, lazy RAM, read-only RAM, the device, the
 *            PLIC, or raw (htval = [4..11] >> 2); for the first five stval is that
 *            address too (the guest's vsatp is Bare); bit 6: the device register there
 *            holds [24..31] (what a load reads); bit 7: a virtual-instruction trap's
 *            stval is 0 (else [20..23])
 *   [2..3]   page within that area
 *   [4..11]  stval (its low 12 bits the page offset); a2 (hart_start's opaque)
 *   [12]     bits 1:0 htinst: 0 zero, 1 a pseudoinstruction (bits 3:2 pick 0x2000,
 *            0x2020, 0x3000, 0x3020), 2 [20..23] with bit 0 set (transformed), 3 raw
 *            [20..23]; bit 6: hstatus.SPVP; bit 7: hstatus.GVA (SPV always set)
 *   [13]     a7: n % 16 < 11 an extension (BASE, TIME, IPI, RFENCE, HSM, SRST, DBCN,
 *            legacy set_timer, legacy putchar, legacy 0x0F, PMU), else [20..23]
 *   [14]     bits 2:0 a6 (FID); bits 4:3 a0 (a hart id 0-3); bit 5: a0 = [24..31];
 *            bit 6: a0 = 0x80000000 (non-retentive suspend); bit 7: a1 = [24..31],
 *            else a1 = RAM + [19] * 64 (an entry point)
 *   [15]     register that gets [24..31] (after a0/a1)
 *   [16]     bit 0 sstatus.SPP (VS, else VU), bit 1 vsstatus.SIE, bit 2 vsstatus.SPIE,
 *            bit 3 vsstatus.SPP; bits 5:4 vstvec's MODE bits
 *   [17]     n % 4: the word written at the PC (if in RAM): none, compressed [20..21],
 *            32-bit [20..23] | 3, raw [20..23]
 *   [18..19] the PC's halfword in its area
 *   [20..23] instruction bits
 *   [24..31] a register value */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "arch/riscv64/arch.h"
#include "core/aspace.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/engine.h"
#include "hal-sim/sim.h"
#include "hal/guest.h"

#define RAM 0x80000000ull
#define LAZY 0x80100000ull
#define ROM 0x80200000ull
#define DEV 0x10000000ull
#define HOLE 0x20000000ull
#define RAM_PAGES 16u
#define ROM_PAGES 4u
#define REC 32
#define MSG 256

static uint64_t regs[16];

static int dev_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	(void)ctx, (void)width;
	*value = regs[(off / 8) % 16];
	return off >= 0x100; /* the top of the device is a bus error */
}

static int dev_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	(void)ctx, (void)width;
	regs[(off / 8) % 16] = value;
	return off >= 0x100;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, NULL };

static const uint64_t areas[5] = { RAM, LAZY, ROM, DEV, PLIC_BASE };
static const uint64_t area_pages[5] = { RAM_PAGES, 256, ROM_PAGES, 1, PLIC_SIZE / 4096 };
static const uint64_t exts[11] = { SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE,
				   SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_LEGACY_SET_TIMER,
				   SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_LEGACY_LAST, SBI_EXT_PMU };
static const uint64_t pseudos[4] = { HTINST_PSEUDO_READ32, HTINST_PSEUDO_WRITE32,
				     HTINST_PSEUDO_READ64, HTINST_PSEUDO_WRITE64 };

/* The context hal_guest_fetch_insn reads through (the simulation host's "last context
 * this pCPU ran"): a copy of the trapping vCPU's, made before every trap. */
static struct guest_ctx fetch_ctx;

static void machine_once(void)
{
	static bool up;
	if (up)
		return;
	CHECK(hal_sim_init(NULL) == 0);
	engine_install();
	CHECK(frame_init() == 0);
	CHECK(cpu_boot_init() == 0);
	CHECK(cpu_init_this() == 0);
	sched_init(SCHED_STATIC, 0);
	log_set_level(LOG_ERROR);
	/* One entry of the engine with a context of its own makes it the one fetches go
	 * through: with VTW set and nothing pending its WFI traps at once. */
	struct guest_exit x;
	fetch_ctx.csr[RV_HSTATUS] = HSTATUS_VTW;
	fetch_ctx.x[10] = 63;
	CHECK(hal_guest_enter(&fetch_ctx, &x) == 0);
	up = true;
}

/* ---- The instruction an exit came from (the unprivileged spec's encodings) ---------- */
struct insn {
	bool known;
	unsigned len;     /* 2 or 4 */
	bool load, store; /* an integer load or store */
	bool amo;         /* the AMO major opcode (AMOs, LR, SC): Tandem may give a load's
			   * guest-page fault of one the store/AMO access fault, as an AMO's
			   * should have been reported (QEMU 7.2 on one hart reports a load) */
	unsigned rd, bytes;
	bool sign;
};

/* A 32-bit load or store (opcode 0x03 / 0x23, bit 1 ignored for a transformed one). */
static void decode32(uint32_t w, struct insn *in)
{
	unsigned f3 = (w >> 12) & 7;

	if ((w & 0x7D) == 0x01 && f3 != 7) { /* LOAD: LB LH LW LD LBU LHU LWU */
		in->load = true;
		in->rd = (w >> 7) & 31;
		in->bytes = 1u << (f3 & 3);
		in->sign = f3 < 4;
	} else if ((w & 0x7D) == 0x21 && f3 < 4) { /* STORE: SB SH SW SD */
		in->store = true;
		in->bytes = 1u << f3;
	} else if ((w & 0x7D) == 0x2D) { /* AMO */
		in->amo = true;
	}
}

static struct insn insn_of_word(uint32_t w)
{
	struct insn in = { .known = true, .len = (w & 3) == 3 ? 4 : 2 };
	unsigned op = w & 3, f3 = (w >> 13) & 7;

	if (in.len == 4) {
		decode32(w, &in);
		return in;
	}
	w &= 0xFFFF;
	if (op == 0 && (f3 == 2 || f3 == 3)) { /* C.LW, C.LD: rd' */
		in.load = true, in.rd = 8 + ((w >> 2) & 7), in.bytes = f3 == 2 ? 4 : 8, in.sign = true;
	} else if (op == 2 && (f3 == 2 || f3 == 3) && ((w >> 7) & 31)) { /* C.LWSP, C.LDSP */
		in.load = true, in.rd = (w >> 7) & 31, in.bytes = f3 == 2 ? 4 : 8, in.sign = true;
	} else if ((op == 0 || op == 2) && (f3 == 6 || f3 == 7)) { /* C.SW(SP), C.SD(SP) */
		in.store = true, in.bytes = f3 == 6 ? 4 : 8;
	}
	return in;
}

/* 8.6.3: a transformed load or store has bit 0 set and bit 1 clear if the original was
 * compressed. */
static struct insn insn_of_htinst(uint64_t h)
{
	struct insn in = { .known = true, .len = (h & 2) ? 4 : 2 };

	decode32((uint32_t)h | 2u, &in);
	return in;
}

static bool is_pseudo(uint64_t h)
{
	return h == HTINST_PSEUDO_READ32 || h == HTINST_PSEUDO_WRITE32 ||
	       h == HTINST_PSEUDO_READ64 || h == HTINST_PSEUDO_WRITE64;
}

/* ---- The oracle ----------------------------------------------------------------------- */
struct trapcase {
	struct guest_exit t;
	struct guest_ctx b;   /* before */
	struct insn in;       /* the instruction the exit came from, if known */
	uint64_t word;        /* its bits (for vstval), 0 if not known */
	bool ram_word;        /* the word at the PC could be read */
	bool fetched;         /* hal_guest_fetch_insn read fetch_word at the PC, as Tandem
			       * will for a virtual-instruction trap (whose word it trusts
			       * over stval: QEMU 7.2 leaves stval stale for HLV/HSV) */
	uint32_t fetch_word;
	unsigned hartid;
};

enum { STAY = 1, STEP = 2, INJECT = 4 };

static int fail(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, MSG, fmt, ap);
	va_end(ap);
	return -1;
}

static bool vs_cause_legal(uint64_t c)
{
	return c <= 8 || c == 12 || c == 13 || c == 15;
}

static bool is_sbi(const struct trapcase *k)
{
	return k->t.scause == CAUSE_VIRTUAL_SUPERVISOR_ECALL;
}

static uint64_t a7(const struct trapcase *k) { return k->b.x[17]; }
static uint64_t a6(const struct trapcase *k) { return k->b.x[16]; }

/* The outcomes and, for a step, the registers the exit may write. */
static unsigned outcomes(const struct trapcase *k, uint32_t *gpr_may, int *load_rd)
{
	uint64_t c = k->t.scause;

	*gpr_may = 0;
	*load_rd = -1;
	if (c & SCAUSE_INTERRUPT)
		return STAY;
	switch (c) {
	case CAUSE_VIRTUAL_SUPERVISOR_ECALL:
		*gpr_may = a7(k) <= SBI_EXT_LEGACY_LAST ? 1u << 10 : 3u << 10;
		return STAY | STEP; /* a blocking console write is retried */
	case CAUSE_FETCH_GUEST_PAGE_FAULT:
		return STAY | INJECT;
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
	case CAUSE_STORE_GUEST_PAGE_FAULT:
		if (is_pseudo(k->t.htinst) || !k->in.known || !(k->in.load || k->in.store))
			return STAY | INJECT;
		if (k->in.load && k->in.rd) {
			*load_rd = (int)k->in.rd;
			*gpr_may = 1u << k->in.rd;
		}
		return STAY | STEP | INJECT;
	case CAUSE_VIRTUAL_INSTRUCTION:
		return STAY | (k->in.known ? STEP : 0) | INJECT;
	default:
		return INJECT;
	}
}

/* Is (vscause, vstval) what this trap can give the guest (4.1.9, 8.6.4)? */
static bool injection_fits(const struct trapcase *k, uint64_t cause, uint64_t tval)
{
	uint64_t c = k->t.scause, st = k->t.stval;
	/* A guest-page fault's stval is the guest-virtual address only with hstatus.GVA
	 * (8.2.1); without it the access fault the guest gets may only say 0. */
	uint64_t va = (k->t.hstatus & HSTATUS_GVA) ? st : 0;

	if (!vs_cause_legal(cause))
		return false;
	switch (c) {
	case CAUSE_FETCH_GUEST_PAGE_FAULT:
		return cause == CAUSE_FETCH_ACCESS && tval == va;
	case CAUSE_LOAD_GUEST_PAGE_FAULT:
	case CAUSE_STORE_GUEST_PAGE_FAULT:
		if (is_pseudo(k->t.htinst)) /* the walk's own access: the original access's fault */
			return (cause == CAUSE_LOAD_ACCESS || cause == CAUSE_STORE_ACCESS) && tval == va;
		if (c == CAUSE_LOAD_GUEST_PAGE_FAULT)
			return (cause == CAUSE_LOAD_ACCESS || cause == CAUSE_MISALIGNED_LOAD ||
				(cause == CAUSE_STORE_ACCESS && k->in.amo)) &&
			       tval == va;
		return (cause == CAUSE_STORE_ACCESS || cause == CAUSE_MISALIGNED_STORE) && tval == va;
	case CAUSE_VIRTUAL_INSTRUCTION:
		if (k->fetched)
			return cause == CAUSE_ILLEGAL_INSN && tval == k->fetch_word;
		return cause == CAUSE_ILLEGAL_INSN && (tval == 0 || tval == k->word || tval == st);
	case CAUSE_BREAKPOINT:
		return cause == CAUSE_BREAKPOINT && (tval == 0 || tval == k->b.pc || tval == st);
	default:
		if (vs_cause_legal(c))
			return cause == c && tval == st; /* the trap given back as it came */
		/* A cause no trap from V=1 has: the guest's illegal instruction. */
		return cause == CAUSE_ILLEGAL_INSN && (tval == 0 || tval == k->word || tval == st);
	}
}

/* CSRs an exit may never change, and the masks of those it may change in part. */
static int csrs_unchanged(const struct trapcase *k, const struct guest_ctx *a, bool inject,
			  bool restart, char *why)
{
	static const char *const names[RV_CSR_SLOT_COUNT] = {
		"vsstatus", "vsie", "vstvec", "vsscratch", "vsepc", "vscause", "vstval", "vsatp",
		"vstimecmp", "hstatus", "hgatp", "hedeleg", "hideleg", "hvip", "htimedelta",
		"hcounteren", "henvcfg", "scounteren", "senvcfg",
	};
	const struct guest_ctx *b = &k->b;

	for (unsigned i = 0; i < RV_CSR_SLOT_COUNT; i++) {
		uint64_t may = 0;
		switch (i) {
		case RV_VSSTATUS:
			may = inject ? SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE : restart ? SSTATUS_SIE : 0;
			break;
		case RV_VSEPC: case RV_VSCAUSE: case RV_VSTVAL: may = inject ? ~0ull : 0; break;
		case RV_VSATP: may = restart ? ~0ull : 0; break;
		case RV_HVIP: may = MIP_VS_MASK; break;
		case RV_HSTATUS: may = HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA | HSTATUS_VTW; break;
		default: break;
		}
		if ((a->csr[i] ^ b->csr[i]) & ~may)
			return fail(why, "%s changed 0x%llx -> 0x%llx", names[i],
				    (unsigned long long)b->csr[i], (unsigned long long)a->csr[i]);
	}
	if (restart && (a->csr[RV_VSATP] || (a->csr[RV_VSSTATUS] & SSTATUS_SIE)))
		return fail(why, "HSM start with vsatp 0x%llx, vsstatus 0x%llx",
			    (unsigned long long)a->csr[RV_VSATP], (unsigned long long)a->csr[RV_VSSTATUS]);
	if (memcmp(&a->fp, &b->fp, sizeof(a->fp)))
		return fail(why, "FP registers changed");
	return 0;
}

static bool load_value_legal(const struct insn *in, uint64_t v)
{
	if (in->bytes >= 8)
		return true;
	unsigned bits = 8 * in->bytes;
	uint64_t high = v & (~0ull << bits);
	if (in->sign && ((v >> (bits - 1)) & 1))
		return high == ~0ull << bits;
	return high == 0;
}

/* One reading of where the PC went (0 restart, 1 stay, 2 step, 3 injection: a guest
 * at its own vstvec can look as if it stayed): 1 if the PC does not fit it, else 0 if
 * the rest holds, -1 and why if not. */
static int check_reading(const struct trapcase *k, const struct guest_ctx *a, int reading, char *why)
{
	const struct guest_ctx *b = &k->b;
	uint32_t gpr_may;
	int load_rd;
	unsigned out = outcomes(k, &gpr_may, &load_rd);
	uint64_t len = is_sbi(k) ? 4 : k->in.len;
	uint64_t base = b->csr[RV_VSTVEC] & ~3ull;
	bool restart = reading == 0, inject = reading == 3;

	switch (reading) {
	case 0: /* the HSM non-retentive suspend of this hart: it resumes as one starts */
		if (!(is_sbi(k) && a7(k) == SBI_EXT_HSM && a6(k) == 3 &&
		      (uint32_t)b->x[10] == SBI_SUSPEND_NON_RETENTIVE && a->pc == b->x[11]))
			return 1;
		if (a->x[10] != k->hartid || a->x[11] != b->x[12])
			return fail(why, "HSM resume with a0 0x%llx a1 0x%llx",
				    (unsigned long long)a->x[10], (unsigned long long)a->x[11]);
		break;
	case 1:
		if (!(out & STAY) || a->pc != b->pc)
			return 1;
		break;
	case 2:
		if (!(out & STEP) || a->pc != b->pc + len)
			return 1;
		break;
	default:
		if (!(out & INJECT) || a->pc != base)
			return 1;
		break;
	}
	if (a->x[0])
		return fail(why, "x0 = 0x%llx", (unsigned long long)a->x[0]);
	if (inject) {
		uint64_t want = b->csr[RV_VSSTATUS] & ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
		if (b->sstatus & SSTATUS_SPP)
			want |= SSTATUS_SPP;
		if (b->csr[RV_VSSTATUS] & SSTATUS_SIE)
			want |= SSTATUS_SPIE;
		if (a->csr[RV_VSEPC] != b->pc)
			return fail(why, "vsepc 0x%llx, the trap was at 0x%llx",
				    (unsigned long long)a->csr[RV_VSEPC], (unsigned long long)b->pc);
		if (!injection_fits(k, a->csr[RV_VSCAUSE], a->csr[RV_VSTVAL]))
			return fail(why, "injected vscause %llu vstval 0x%llx for the trap",
				    (unsigned long long)a->csr[RV_VSCAUSE], (unsigned long long)a->csr[RV_VSTVAL]);
		if (a->csr[RV_VSSTATUS] != want)
			return fail(why, "vsstatus 0x%llx after the trap entry, want 0x%llx",
				    (unsigned long long)a->csr[RV_VSSTATUS], (unsigned long long)want);
		if (a->sstatus != (b->sstatus | SSTATUS_SPP))
			return fail(why, "sstatus 0x%llx -> 0x%llx on a trap into VS-mode",
				    (unsigned long long)b->sstatus, (unsigned long long)a->sstatus);
		gpr_may = 0;
	} else if (restart) {
		gpr_may = ~0u; /* a0/a1 checked above; the rest is unspecified (SBI 9.1) */
		if (!(a->sstatus & SSTATUS_SPP))
			return fail(why, "HSM resume not in VS-mode");
	} else if (reading == 1) {
		gpr_may = 0; /* retried: nothing was done */
	}
	if (!inject && !restart && a->sstatus != b->sstatus) {
		return fail(why, "sstatus 0x%llx -> 0x%llx without a trap",
			    (unsigned long long)b->sstatus, (unsigned long long)a->sstatus);
	}
	for (unsigned i = 1; i < 32; i++)
		if (a->x[i] != b->x[i] && !(gpr_may & (1u << i)))
			return fail(why, "x%u changed 0x%llx -> 0x%llx", i, (unsigned long long)b->x[i],
				    (unsigned long long)a->x[i]);
	if (csrs_unchanged(k, a, inject, restart, why))
		return -1;
	if (inject || restart || a->pc == b->pc)
		return 0;
	if (load_rd >= 0 && !load_value_legal(&k->in, a->x[load_rd]))
		return fail(why, "emulated load of %u bytes (%s) left x%d = 0x%llx", k->in.bytes,
			    k->in.sign ? "signed" : "unsigned", load_rd, (unsigned long long)a->x[load_rd]);
	if (is_sbi(k) && a7(k) > SBI_EXT_LEGACY_LAST) {
		int64_t err = (int64_t)a->x[10];
		if (err > 0 || err < -9)
			return fail(why, "SBI call 0x%llx/%llu returned error %lld", (unsigned long long)a7(k),
				    (unsigned long long)a6(k), (long long)err);
		if (a7(k) == SBI_EXT_HSM && a6(k) == 2 && err == 0 && a->x[11] > 6)
			return fail(why, "hart_get_status gave state %llu", (unsigned long long)a->x[11]);
	}
	return 0;
}

static int check_exit(const struct trapcase *k, const struct guest_ctx *a, char *why)
{
	const struct guest_ctx *b = &k->b;
	uint32_t gpr_may;
	int load_rd;
	unsigned out = outcomes(k, &gpr_may, &load_rd);
	bool fits = false;

	for (int reading = 0; reading < 4; reading++) {
		int err = check_reading(k, a, reading, why);
		if (err > 0)
			continue;
		fits = true;
		if (err == 0)
			return 0;
	}
	if (!fits)
		fail(why, "PC 0x%llx -> 0x%llx: neither stay%s, step of %u%s nor vstvec base 0x%llx%s",
		     (unsigned long long)b->pc, (unsigned long long)a->pc, out & STAY ? "" : " (not here)",
		     is_sbi(k) ? 4u : k->in.len, out & STEP ? "" : " (not here)",
		     (unsigned long long)(b->csr[RV_VSTVEC] & ~3ull), out & INJECT ? "" : " (not here)");
	return -1;
}

/* ---- Driving it ----------------------------------------------------------------------- */
static void finding(const struct vcpu *v, const struct trapcase *k, const char *why)
{
	fprintf(stderr, "riscv64_exit: oracle: vCPU %u, scause 0x%llx stval 0x%llx htval 0x%llx "
		"htinst 0x%llx pc 0x%llx word 0x%llx a7 0x%llx a6 %llu: %s\n", v->id,
		(unsigned long long)k->t.scause, (unsigned long long)k->t.stval,
		(unsigned long long)k->t.htval, (unsigned long long)k->t.htinst,
		(unsigned long long)k->b.pc, (unsigned long long)k->word,
		(unsigned long long)k->b.x[17], (unsigned long long)k->b.x[16], why);
	abort();
}

/* Where a vCPU must start when it next runs (a hart_start that succeeded). */
static struct start {
	bool pending;
	uint64_t entry, opaque;
} starts[2];

static void check_start(struct vcpu *v)
{
	struct start *s = &starts[v->id];
	const struct guest_ctx *c = &v->arch.ctx;

	if (!s->pending)
		return;
	s->pending = false;
	if (c->pc != s->entry || c->x[10] != v->id || c->x[11] != s->opaque || c->csr[RV_VSATP] ||
	    (c->csr[RV_VSSTATUS] & SSTATUS_SIE) || !(c->sstatus & SSTATUS_SPP) || c->x[0]) {
		fprintf(stderr, "riscv64_exit: oracle: vCPU %u started at 0x%llx a0 0x%llx a1 0x%llx; "
			"hart_start said 0x%llx, %u, 0x%llx\n", v->id, (unsigned long long)c->pc,
			(unsigned long long)c->x[10], (unsigned long long)c->x[11],
			(unsigned long long)s->entry, v->id, (unsigned long long)s->opaque);
		abort();
	}
}

static void check_state(struct vcpu *v, const struct trapcase *k)
{
	bool hsm = is_sbi(k) && a7(k) == SBI_EXT_HSM;
	bool stopped = v->vm->state == VM_STOPPED;
	enum vcpu_state s = vcpu_state(v);

	if (stopped && !(is_sbi(k) && a7(k) == SBI_EXT_SRST))
		finding(v, k, "the VM stopped without an SRST call");
	if (s == VCPU_UNUSABLE)
		finding(v, k, "vCPU poisoned (UNUSABLE)");
	if (s == VCPU_OFF && !(hsm && a6(k) == 1) && !stopped)
		finding(v, k, "vCPU off without hart_stop");
	if (s == VCPU_BLOCKED && k->t.scause != CAUSE_VIRTUAL_INSTRUCTION && !(hsm && a6(k) == 3))
		finding(v, k, "vCPU blocked without WFI or hart_suspend");
	if (s != VCPU_BOUND && s != VCPU_BLOCKED && s != VCPU_OFF)
		finding(v, k, "vCPU left in a state no exit leads to");
}

static void one_trap(struct vm *vm, struct vcpu *v, const uint8_t *r)
{
	struct trapcase k = { .hartid = v->id };
	uint64_t value = le(r + 24, 8), stval = le(r + 4, 8);
	unsigned sel = r[0] & 31, area = r[1] % 6;
	struct guest_ctx *c = &v->arch.ctx;

	/* The PC and the word there. */
	static const uint64_t pc_areas[4] = { RAM, RAM, ROM, HOLE };
	static const uint64_t pc_sizes[4] = { RAM_PAGES * 4096, RAM_PAGES * 4096, ROM_PAGES * 4096, 1 << 20 };
	unsigned pa = (r[0] >> 5) & 3;
	c->pc = pc_areas[pa] + (le(r + 18, 2) * 2) % pc_sizes[pa];
	uint32_t bits = (uint32_t)le(r + 20, 4);
	unsigned plant = r[17] % 4;
	if (plant && pa < 2) {
		uint32_t w = plant == 1 ? bits & 0xFFFF : plant == 2 ? bits | 3 : bits;
		if (plant == 1 && (w & 3) == 3)
			w &= ~1u; /* keep it compressed */
		if (c->pc + 4 > RAM + RAM_PAGES * 4096)
			w &= 0xFFFF, c->pc -= 2;
		uint8_t buf[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
		CHECK(as_write(&vm->as, gpa_make(c->pc), buf, plant == 1 ? 2 : 4) == 0);
	}
	uint8_t got[4] = { 0 };
	if (pa < 3 && as_read(&vm->as, gpa_make(c->pc), got, 2) == 0) {
		uint32_t w = (uint32_t)got[0] | (uint32_t)got[1] << 8;
		bool ok = true;
		if ((w & 3) == 3) {
			ok = as_read(&vm->as, gpa_make(c->pc + 2), got + 2, 2) == 0;
			w |= (uint32_t)got[2] << 16 | (uint32_t)got[3] << 24;
		}
		if (ok) {
			k.ram_word = true;
			k.word = w;
		}
	}

	/* The trap. */
	struct guest_exit *t = &k.t;
	if (sel < 24)
		t->scause = sel;
	else if (sel < 27)
		t->scause = SCAUSE_INTERRUPT | (sel == 24 ? IRQ_S_SOFT : sel == 25 ? IRQ_S_TIMER : IRQ_S_EXT);
	else if (sel == 27)
		t->scause = SCAUSE_INTERRUPT | (stval & 0xFF);
	else
		t->scause = value;
	if (area < 5) {
		uint64_t gpa = areas[area] + (le(r + 2, 2) % area_pages[area]) * 4096 + (stval & 0xFFF);
		t->stval = gpa;
		t->htval = gpa >> 2;
	} else {
		t->stval = stval;
		t->htval = stval >> 2;
	}
	switch (r[12] & 3) {
	case 0: t->htinst = 0; break;
	case 1: t->htinst = pseudos[(r[12] >> 2) & 3]; break;
	case 2: t->htinst = bits | 1u; break;
	default: t->htinst = bits; break;
	}
	t->hstatus = HSTATUS_SPV | ((r[12] & 0x40) ? HSTATUS_SPVP : 0) | ((r[12] & 0x80) ? HSTATUS_GVA : 0);
	if (t->scause == CAUSE_VIRTUAL_INSTRUCTION)
		t->stval = (r[1] & 0x80) ? 0 : bits; /* the instruction, or 0 (then it is fetched) */
	if (r[1] & 0x40)
		regs[(t->stval / 8) % 16] = value;

	/* The registers. */
	c->x[17] = r[13] % 16 < 11 ? exts[r[13] % 16] : bits;
	c->x[16] = r[14] & 7;
	c->x[10] = (r[14] & 0x40) ? SBI_SUSPEND_NON_RETENTIVE : (r[14] & 0x20) ? value : (r[14] >> 3) & 3;
	c->x[11] = (r[14] & 0x80) ? value : RAM + r[19] * 64ull;
	c->x[12] = stval;
	vcpu_set_gpr(v, r[15] % 32, value);
	c->sstatus = (c->sstatus & ~SSTATUS_SPP) | ((r[16] & 1) ? SSTATUS_SPP : 0);
	uint64_t vs = c->csr[RV_VSSTATUS] & ~(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP);
	vs |= ((r[16] & 2) ? SSTATUS_SIE : 0) | ((r[16] & 4) ? SSTATUS_SPIE : 0) | ((r[16] & 8) ? SSTATUS_SPP : 0);
	c->csr[RV_VSSTATUS] = vs;
	c->csr[RV_VSTVEC] = RAM + 0x800 + ((r[16] >> 4) & 3);

	/* Which instruction the exit came from, as the spec has the hardware report it. */
	if (t->scause == CAUSE_LOAD_GUEST_PAGE_FAULT || t->scause == CAUSE_STORE_GUEST_PAGE_FAULT) {
		if (t->htinst & 1)
			k.in = insn_of_htinst(t->htinst), k.word = t->htinst;
		else if (!is_pseudo(t->htinst) && k.ram_word)
			k.in = insn_of_word((uint32_t)k.word);
	}
	k.b = *c;
	fetch_ctx = *c;
	if (t->scause == CAUSE_VIRTUAL_INSTRUCTION) {
		k.fetched = hal_guest_fetch_insn(gva_make(c->pc), &k.fetch_word) == 0;
		if (k.fetched)
			k.in = insn_of_word(k.fetch_word), k.word = k.fetch_word;
		else if (t->stval)
			k.in = insn_of_word((uint32_t)t->stval), k.word = t->stval;
		else if (k.ram_word)
			k.in = insn_of_word((uint32_t)k.word);
	}

	/* What the early handler answers (it is pure); then the exit goes through core
	 * instead, which must leave the vCPU exactly so. */
	struct guest_ctx early = *c;
	bool answered = arch_exit_early(&early, t) != HAL_EARLY_NO;
	struct vm_exit e;
	if (answered)
		vm_set_early_exits(false);
	CHECK(vm_feed_trap(v, t, &e) == 0);
	if (answered) {
		vm_set_early_exits(true);
		/* Core's entry sets hvip's VS bits from the lines; the early path enters none. */
		early.csr[RV_HVIP] = (early.csr[RV_HVIP] & ~MIP_VS_MASK) | (c->csr[RV_HVIP] & MIP_VS_MASK);
		char why[MSG] = "";
		for (unsigned i = 0; i < 32 && !why[0]; i++)
			if (early.x[i] != c->x[i])
				fail(why, "the early answer has x%u 0x%llx, core's 0x%llx", i,
				     (unsigned long long)early.x[i], (unsigned long long)c->x[i]);
		for (unsigned i = 0; i < RV_CSR_SLOT_COUNT && !why[0]; i++)
			if (early.csr[i] != c->csr[i])
				fail(why, "the early answer has CSR slot %u 0x%llx, core's 0x%llx", i,
				     (unsigned long long)early.csr[i], (unsigned long long)c->csr[i]);
		if (!why[0] && (early.pc != c->pc || early.sstatus != c->sstatus))
			fail(why, "the early answer has pc 0x%llx sstatus 0x%llx, core's 0x%llx 0x%llx",
			     (unsigned long long)early.pc, (unsigned long long)early.sstatus,
			     (unsigned long long)c->pc, (unsigned long long)c->sstatus);
		if (why[0])
			finding(v, &k, why);
	}
	CHECK((unsigned)e.kind < EXIT_KIND_COUNT);
	check_state(v, &k);
	char why[MSG];
	if (vm->state != VM_STOPPED && vcpu_state(v) != VCPU_OFF && check_exit(&k, c, why))
		finding(v, &k, why);
	/* A hart_start of the other vCPU that succeeded: it must start where it said. */
	if (is_sbi(&k) && a7(&k) == SBI_EXT_HSM && a6(&k) == 0 && c->x[10] == 0 && c->pc != k.b.pc &&
	    k.b.x[10] < vm->nvcpus && k.b.x[10] != v->id)
		starts[k.b.x[10]] = (struct start){ true, k.b.x[11], k.b.x[12] };
}

/* Leave vCPU `want` (if it runs) or else vCPU 0 bound on this pCPU; vCPU 0 that stopped
 * is started again at RAM. */
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
		sched_remove(w); /* queued by its hart_start; run here instead */
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
		.name = "fuzzrv", .nvcpus = 2, .entry = { RAM }, .mmio_raz_wi = data[0] & 1, .nmem = 3,
		.mem = { { { RAM }, RAM_PAGES * 4096, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, 256 * 4096, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } },
			 { { ROM }, ROM_PAGES * 4096, PT_R | PT_X, AS_ALLOC_EAGER, { 0 } } },
		.ndevices = 1,
		.devices = { { { DEV }, 0x1000, &dev_ops, NULL } },
	};
	struct vm *vm;
	CHECK(vm_create(&cfg, &vm) == 0);
	memset(starts, 0, sizeof(starts));
	memset(regs, 0, sizeof(regs));
	struct vcpu *v = vm_vcpu(vm, 0);
	CHECK(vcpu_bind(v) == 0);
	for (data++, size--; size >= REC && vm->state != VM_STOPPED; data += REC, size -= REC) {
		v = revive(vm, v, data[0] >> 7);
		one_trap(vm, v, data);
	}
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].pcpu != VCPU_NO_PCPU)
			CHECK(vcpu_put(&vm->vcpus[i]) >= 0);
	CHECK(vm_destroy(vm) == 0);
	CHECK(frame_outstanding() == baseline);
	memset(&fetch_ctx, 0, sizeof(fetch_ctx));
	return 0;
}
