/* Guests on bare metal riscv64: the H extension's VS-mode (privileged spec, chapter 8).
 * A vCPU's CSRs (its VS CSRs, the HS controls that are its own: hstatus, hgatp,
 * hedeleg, hideleg, hvip, htimedelta, hcounteren, henvcfg; and scounteren, senvcfg,
 * which the H extension does not bank) move into the hardware when it is loaded on this
 * pCPU (hal_guest_load) and out when it is put (hal_guest_put); its FP registers with
 * them, saved only if the guest dirtied them (sstatus.FS). Between the two an exit
 * moves only what world.S does (general-purpose registers, sepc, sstatus) and hands the
 * raw trap state (scause, stval, htval, htinst, hstatus) to the same arch/riscv64
 * decoder the simulation host's guest engine feeds. Stage-2 TLB entries are tagged with
 * the VM's VMID (hgatp); fences reach the other harts through SBI RFENCE. */
#include <stddef.h>

#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "hal-baremetal/riscv64/qemu-virt/bm.h"
#include "hal-baremetal/riscv64/qemu-virt/world.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/guest.h"

_Static_assert(offsetof(struct bm_cpu, guest) == BM_CPU_GUEST, "world.h: BM_CPU_GUEST");
_Static_assert(offsetof(struct bm_cpu, exit) == BM_CPU_EXIT, "world.h: BM_CPU_EXIT");
_Static_assert(offsetof(struct bm_cpu, host_sp) == BM_CPU_HOST_SP, "world.h: BM_CPU_HOST_SP");
_Static_assert(offsetof(struct bm_cpu, scratch) == BM_CPU_SCRATCH, "world.h: BM_CPU_SCRATCH");
_Static_assert(offsetof(struct guest_ctx, x) == CTX_X, "world.h: CTX_X");
_Static_assert(offsetof(struct guest_ctx, pc) == CTX_PC, "world.h: CTX_PC");
_Static_assert(offsetof(struct guest_ctx, sstatus) == CTX_SSTATUS, "world.h: CTX_SSTATUS");
_Static_assert(offsetof(struct guest_ctx, fp.f) == CTX_FP, "world.h: CTX_FP");
_Static_assert(offsetof(struct guest_ctx, fp.fcsr) == CTX_FCSR, "world.h: CTX_FCSR");
_Static_assert(offsetof(struct guest_exit, scause) == EXIT_SCAUSE, "world.h: EXIT_SCAUSE");
_Static_assert(offsetof(struct guest_exit, stval) == EXIT_STVAL, "world.h: EXIT_STVAL");
_Static_assert(offsetof(struct guest_exit, htval) == EXIT_HTVAL, "world.h: EXIT_HTVAL");
_Static_assert(offsetof(struct guest_exit, htinst) == EXIT_HTINST, "world.h: EXIT_HTINST");
_Static_assert(offsetof(struct guest_exit, hstatus) == EXIT_HSTATUS, "world.h: EXIT_HSTATUS");
_Static_assert(HAL_EARLY_NO == HAL_EARLY_NO_ID, "world.h: HAL_EARLY_NO_ID");
_Static_assert(HSTATUS_SPV == 1ull << HSTATUS_SPV_BIT, "world.h: HSTATUS_SPV_BIT");

void bm_guest_run(struct guest_ctx *ctx);
int bm_hlvx_hu(uint64_t va, uint64_t *out);
void bm_fp_load(const struct guest_ctx *ctx);
void bm_fp_save(struct guest_ctx *ctx);
extern hal_guest_early_fn bm_early_fn; /* common/early.c */

/* Each slot's CSR, in the order a load writes them: hideleg before vsie (which shows
 * only delegated bits), henvcfg (Sstc's STCE) and htimedelta before vstimecmp, which
 * the hardware compares with time + htimedelta as soon as it is written. An X-macro,
 * so that the load, the put and the accessors cannot list different registers. */
#define RV_CSRS(X)                                                                       \
	X(RV_HSTATUS, 0x600) X(RV_HEDELEG, 0x602) X(RV_HIDELEG, 0x603)                   \
	X(RV_HCOUNTEREN, 0x606) X(RV_HENVCFG, 0x60A) X(RV_HTIMEDELTA, 0x605)             \
	X(RV_HVIP, 0x645) X(RV_HGATP, 0x680) X(RV_SCOUNTEREN, 0x106)                     \
	X(RV_SENVCFG, 0x10A) X(RV_VSSTATUS, 0x200) X(RV_VSIE, 0x204)                      \
	X(RV_VSTVEC, 0x205) X(RV_VSSCRATCH, 0x240) X(RV_VSEPC, 0x241)                     \
	X(RV_VSCAUSE, 0x242) X(RV_VSTVAL, 0x243) X(RV_VSATP, 0x280)                      \
	X(RV_VSTIMECMP, 0x24D)

_Static_assert(RV_CSR_SLOT_COUNT == 19, "a new slot must be added to RV_CSRS");

/* vstimecmp and henvcfg.STCE exist only with Sstc: without it (-cpu rv64,sstc=off)
 * the slot stays in ctx, and the guest's timer is the SBI one. */
#define ENVCFG_STCE_BIT (1ull << 63)

static bool slot_in_hw(unsigned slot)
{
	return slot != RV_VSTIMECMP || bm_time_sstc();
}

static uint64_t hw_value(unsigned slot, uint64_t v)
{
	return slot == RV_HENVCFG && !bm_time_sstc() ? v & ~ENVCFG_STCE_BIT : v;
}

/* The slots only Tandem changes (delegation, counters, envcfg, the time offset, the
 * G-stage): neither the hardware nor the guest writes them, so ctx holds the truth
 * while the vCPU is loaded too, and another pCPU may change them (a debugger attaching
 * clears hedeleg's breakpoint bit, and marks ctx ctrl_stale): hal_guest_enter then
 * writes any that differ from what this pCPU's hardware holds (ctrl_hw), as the aarch64
 * HAL does HCR_EL2 and MDCR_EL2; an entry with nothing stale pays one load.
 * The others the guest or a trap changes (the VS CSRs, hstatus, hvip, scounteren,
 * senvcfg): read from the hardware while loaded, saved at the put. */
static bool tandem_owned(unsigned slot)
{
	return slot == RV_HEDELEG || slot == RV_HIDELEG || slot == RV_HCOUNTEREN ||
	       slot == RV_HENVCFG || slot == RV_HTIMEDELTA || slot == RV_HGATP;
}

static uint64_t ctrl_hw[BM_MAX_PCPUS][RV_CSR_SLOT_COUNT];

#define LOAD(slot, num)                                          \
	if (slot_in_hw(slot)) {                                  \
		csr_write(num, hw_value(slot, ctx->csr[slot]));  \
		ctrl_hw[cpu][slot] = ctx->csr[slot];             \
	}
#define SAVE(slot, num)                                          \
	if (slot_in_hw(slot) && !tandem_owned(slot))             \
		ctx->csr[slot] = csr_read(num);
#define SYNC(slot, num)                                                  \
	if (tandem_owned(slot) && ctx->csr[slot] != ctrl_hw[cpu][slot]) { \
		csr_write(num, hw_value(slot, ctx->csr[slot]));          \
		ctrl_hw[cpu][slot] = ctx->csr[slot];                     \
	}
#define READ_CASE(slot, num) \
	case slot:           \
		return slot_in_hw(slot) && !tandem_owned(slot) ? csr_read(num) : ctx->csr[slot];
#define WRITE_CASE(slot, num)                                    \
	case slot:                                               \
		if (slot_in_hw(slot)) {                          \
			csr_write(num, hw_value(slot, value));   \
			ctrl_hw[bm_self()->id][slot] = value;    \
		}                                                \
		break;

/* The VMID bits this hart keeps in hgatp (privileged spec 8.2.10: VMIDLEN is found by
 * writing ones and reading back), probed at the first load; a VMID wider than that
 * would alias another VM's, so each switch to it then fences the whole G-stage TLB. */
static unsigned vmid_bits[BM_MAX_PCPUS];
static bool vmid_probed[BM_MAX_PCPUS];
static uint64_t last_hgatp[BM_MAX_PCPUS];
static bool fp_loaded[BM_MAX_PCPUS];

#define HGATP_VMID_FIELD (0x3FFFull << 44)

static void hfence_gvma_all(void)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory");
}

static void hfence_gvma_vmid(uint64_t vmid)
{
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, %0" ::"r"(vmid) : "memory");
}

static void hfence_vvma(uint64_t va, uint64_t asid, bool all_va, bool all_asids)
{
	if (all_va && all_asids)
		__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory");
	else if (all_va)
		__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, %0" ::"r"(asid) : "memory");
	else if (all_asids)
		__asm__ volatile(".insn r 0x73, 0, 0x11, x0, %0, x0" ::"r"(va) : "memory");
	else
		__asm__ volatile(".insn r 0x73, 0, 0x11, x0, %0, %1" ::"r"(va), "r"(asid)
				 : "memory");
}

static void probe_vmid(unsigned cpu)
{
	csr_write(CSR_HGATP, HGATP_VMID_FIELD); /* mode Bare: no translation changes */
	uint64_t got = (csr_read(CSR_HGATP) & HGATP_VMID_FIELD) >> 44;
	unsigned bits = 0;

	while (bits < 14 && (got >> bits) & 1)
		bits++;
	vmid_bits[cpu] = bits;
	vmid_probed[cpu] = true;
	csr_write(CSR_HGATP, 0);
	hfence_gvma_all();
}

static void fs_on(void)
{
	csr_set(CSR_SSTATUS, SSTATUS_FS_CLEAN);
}

/* The CSRs of ctx into this pCPU, and its FP registers unless the guest has them Off. */
void hal_guest_load(struct guest_ctx *ctx)
{
	struct bm_cpu *self = bm_self();
	unsigned cpu = self->id;

	if (!ctx || self->loaded == ctx)
		return;
	if (self->loaded)
		hal_guest_put(self->loaded);
	if (!vmid_probed[cpu])
		probe_vmid(cpu);
	RV_CSRS(LOAD)
	uint64_t hgatp = ctx->csr[RV_HGATP];
	uint64_t vmid = (hgatp & HGATP_VMID_FIELD) >> 44;
	if (hgatp != last_hgatp[cpu] && (vmid >> vmid_bits[cpu]) != 0)
		hfence_gvma_all();
	last_hgatp[cpu] = hgatp;
	fp_loaded[cpu] = (ctx->sstatus & SSTATUS_FS) != SSTATUS_FS_OFF;
	if (fp_loaded[cpu]) {
		fs_on();
		bm_fp_load(ctx);
		ctx->sstatus = (ctx->sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
	}
	self->loaded = ctx;
}

/* Back to ctx: the CSRs, the FP registers if the guest wrote them since the load (FS
 * Dirty), and no VS-level interrupt left asserted for whoever runs next. */
void hal_guest_put(struct guest_ctx *ctx)
{
	struct bm_cpu *self = bm_self();
	unsigned cpu = self->id;

	if (!ctx || self->loaded != ctx)
		return;
	RV_CSRS(SAVE)
	if (fp_loaded[cpu] && (ctx->sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
		fs_on();
		bm_fp_save(ctx);
		ctx->sstatus = (ctx->sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
	}
	csr_clear(CSR_SSTATUS, SSTATUS_FS);
	csr_write(CSR_HVIP, 0);
	if (bm_time_sstc())
		csr_write(CSR_VSTIMECMP, UINT64_MAX);
	self->loaded = NULL;
}

uint64_t hal_guest_sysreg_read(const struct guest_ctx *ctx, unsigned slot)
{
	if (!ctx || slot >= RV_CSR_SLOT_COUNT)
		return 0;
	if (bm_self()->loaded != ctx)
		return ctx->csr[slot];
	switch (slot) {
		RV_CSRS(READ_CASE)
	}
	return 0;
}

void hal_guest_sysreg_write(struct guest_ctx *ctx, unsigned slot, uint64_t value)
{
	if (!ctx || slot >= RV_CSR_SLOT_COUNT)
		return;
	ctx->csr[slot] = value;
	if (bm_self()->loaded != ctx) {
		if (tandem_owned(slot))
			__atomic_store_n(&ctx->ctrl_stale, 1, __ATOMIC_RELEASE);
		return;
	}
	switch (slot) {
		RV_CSRS(WRITE_CASE)
	}
}

/* hvip is one of the CSR slots: the vPLIC's and timers' lines move with it. */
void hal_guest_irq_load(struct guest_ctx *ctx)
{
	(void)ctx;
}

void hal_guest_irq_save(struct guest_ctx *ctx)
{
	(void)ctx;
}

int hal_guest_enter(struct guest_ctx *ctx, struct guest_exit *exit)
{
	struct bm_cpu *self = bm_self();

	if (!ctx || !exit)
		return -EINVAL;
	if (self->loaded != ctx)
		hal_guest_load(ctx); /* core loads it first (vcpu_load): a safety net */
	unsigned cpu = self->id;
	if (__atomic_load_n(&ctx->ctrl_stale, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&ctx->ctrl_stale, 0, __ATOMIC_RELAXED);
		RV_CSRS(SYNC)
	}
	/* An entry point set while loaded (HSM start) may have turned FP on. */
	if (!fp_loaded[cpu] && (ctx->sstatus & SSTATUS_FS) != SSTATUS_FS_OFF) {
		fs_on();
		bm_fp_load(ctx);
		fp_loaded[cpu] = true;
	}
	ctx->x[0] = 0;
	self->exit = exit;
	bm_guest_run(ctx);
	return 0;
}

/* No address-translation instruction: arch/riscv64 walks the VS-stage in software. */
int hal_guest_translate(gva_t va, gpa_t *gpa)
{
	(void)va;
	(void)gpa;
	return -ENOSYS;
}

/* HLVX.HU, once or twice: the guest's own translation and execute permission, as its
 * fetch would have them. */
int hal_guest_fetch_insn(gva_t pc, uint32_t *insn)
{
	uint64_t va = gva_bits(pc), lo, hi;

	if (!insn)
		return -EINVAL;
	if (bm_hlvx_hu(va, &lo))
		return -EFAULT;
	if ((lo & 3) != 3) {
		*insn = (uint32_t)lo;
		return 0;
	}
	if (bm_hlvx_hu(va + 2, &hi))
		return -EFAULT;
	*insn = (uint32_t)lo | (uint32_t)hi << 16;
	return 0;
}

/* SBI RFENCE (SBI spec v1.0, chapter 8), every hart (hart_mask_base -1). */
#define SBI_EXT_RFENCE 0x52464E43ull
#define SBI_RFENCE_HFENCE_GVMA_VMID 3
#define SBI_RFENCE_HFENCE_VVMA_ASID 5
#define SBI_RFENCE_HFENCE_VVMA 6

static long sbi5(uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		 uint64_t a4)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r4 __asm__("a4") = a4;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = SBI_EXT_RFENCE;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
			 : "memory");
	return (long)r0;
}

/* The G-stage entries of the VM whose VMID s2root names, on every hart: this one
 * directly, the others through the firmware (which fences the caller too; the local
 * fence keeps a single-hart machine independent of it). */
void hal_guest_tlb_flush(uint64_t s2root)
{
	uint64_t vmid = (s2root & HGATP_VMID_FIELD) >> 44;
	unsigned cpu = bm_self()->id;

	if (vmid_probed[cpu] && (vmid >> vmid_bits[cpu]) != 0)
		hfence_gvma_all();
	else
		hfence_gvma_vmid(vmid);
	if (hal_pcpu_count() > 1)
		(void)sbi5(SBI_RFENCE_HFENCE_GVMA_VMID, 0, (uint64_t)-1, 0, UINT64_MAX, vmid);
}

/* HFENCE.VVMA and SBI's remote one act on the VMID in this hart's hgatp: the VM's is
 * lent to it for the moment. */
void hal_guest_tlb_flush_vs(uint64_t s2root, uint16_t asid, bool all_asids, gva_t va,
			    uint64_t size)
{
	uint64_t saved = csr_read(CSR_HGATP);
	uint64_t addr = gva_bits(va);
	bool all_va = size == 0 || size == UINT64_MAX;

	csr_write(CSR_HGATP, s2root & HGATP_VMID_FIELD); /* mode Bare, the VM's VMID */
	if (all_va || size > (64ull << 12)) {
		hfence_vvma(0, asid, true, all_asids);
		all_va = true;
	} else {
		for (uint64_t off = 0; off < size; off += 4096)
			hfence_vvma(addr + off, asid, false, all_asids);
	}
	if (hal_pcpu_count() > 1) {
		uint64_t start = all_va ? 0 : addr, len = all_va ? UINT64_MAX : size;
		if (all_asids)
			(void)sbi5(SBI_RFENCE_HFENCE_VVMA, 0, (uint64_t)-1, start, len, 0);
		else
			(void)sbi5(SBI_RFENCE_HFENCE_VVMA_ASID, 0, (uint64_t)-1, start, len, asid);
	}
	csr_write(CSR_HGATP, saved);
}

/* Sstc's vstimecmp raises VSTIP only while the vCPU runs: a vCPU waiting in WFI has
 * exited, so core keeps a host timer for its deadline (arch/riscv64/irq.c). */
bool hal_guest_vtimer_live(void)
{
	return false;
}
