/* The riscv64 engine's "hardware" translation: the VS-stage walk (vsatp: Sv39, Sv48),
 * the G-stage walk (hgatp: Sv39x4, Sv48x4), each an independent reading of the tables
 * (privileged spec 4.3.2 "Virtual Address Translation Process", 4.4, 4.5, 8.5 "Two-Stage
 * Address Translation"), and the per-pCPU TLB of combined translations, which only
 * fences empty. Never writes a PTE (no Svadu: a clear A, or D for a store, faults). */
#include <pthread.h>
#include <string.h>

#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "arch/riscv64/gstage.h"
#include "hal-sim/internal.h"
#include "hal-sim/rv_engine.h"
#include "hal-sim/rv_engine_internal.h"
#include "hal/cpu.h"
#include "hal/guest.h"
#include "hal/mm.h"


#define PTE_RESERVED (0x7Full << 54) /* bits 60:54; 63 is Svnapot's N, not implemented */
#define PTE_N (1ull << 63)

enum walk { WALK_OK, WALK_PAGE_FAULT, WALK_ACCESS_FAULT };

/* A PTE through the arena; false where the address is no RAM (an access fault). */
static bool read_pte(uint64_t pa, uint64_t *pte)
{
	void *host;

	if ((pa & 7) || hal_phys_to_virt(pa_make(pa), 8, &host))
		return false;
	*pte = __atomic_load_n((const uint64_t *)host, __ATOMIC_ACQUIRE);
	return true;
}

/* The checks every PTE of either stage gets (4.3.2 steps 3 and 5): V, the reserved W
 * without R, reserved bits, PBMT 3 (reserved) or any PBMT without pbmte, and on a
 * pointer to the next level the bits reserved there (D, A, U, PBMT). */
static bool pte_malformed(uint64_t pte, bool pbmte)
{
	uint64_t pbmt = pte & RV_PTE_PBMT_MASK;

	if (!(pte & RV_PTE_V) || ((pte & RV_PTE_W) && !(pte & RV_PTE_R)))
		return true;
	if ((pte & (PTE_RESERVED | PTE_N)) || pbmt == RV_PTE_PBMT_MASK || (pbmt && !pbmte))
		return true;
	bool leaf = pte & (RV_PTE_R | RV_PTE_X);
	return !leaf && ((pte & (RV_PTE_D | RV_PTE_A | RV_PTE_U)) || pbmt);
}

/* A leaf's permission and A/D checks for acc; the U and SUM rules are the caller's. */
static bool leaf_allows(uint64_t pte, enum rv_acc acc, bool mxr)
{
	if (!(pte & RV_PTE_A))
		return false;
	switch (acc) {
	case RV_ACC_FETCH: return pte & RV_PTE_X;
	case RV_ACC_LOAD: return (pte & RV_PTE_R) || (mxr && (pte & RV_PTE_X));
	default: return (pte & RV_PTE_W) && (pte & RV_PTE_D);
	}
}

/* The address a leaf at level maps addr to, or false for a misaligned superpage. */
static bool leaf_address(uint64_t pte, unsigned level, uint64_t addr, uint64_t *out)
{
	uint64_t ppn = (pte & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT;
	uint64_t low = (1ull << (9 * level)) - 1;

	if (ppn & low)
		return false;
	uint64_t span = (1ull << (PAGE_SHIFT + 9 * level)) - 1;
	*out = ((ppn << PAGE_SHIFT) & ~span) | (addr & span);
	return true;
}

/* The G stage (8.5.1): hgatp's root is 16 KiB and its index 2 bits wider; the GPA must
 * fit in 41 (Sv39x4) or 50 (Sv48x4) bits; every leaf must have U. Implicit accesses of
 * the VS walk are checked as loads. *leaf gets the leaf's bits (all for Bare). */
static enum walk g_walk(uint64_t hgatp, uint64_t gpa, enum rv_acc acc, uint64_t *hpa,
			uint64_t *leaf)
{
	uint64_t mode = hgatp >> 60;
	unsigned levels = mode == HGATP_MODE_SV39X4 ? 3 : mode == HGATP_MODE_SV48X4 ? 4 : 0;

	if (mode == 0) {
		*hpa = gpa;
		*leaf = ~0ull;
		return WALK_OK;
	}
	if (!levels)
		return WALK_PAGE_FAULT;
	unsigned bits = PAGE_SHIFT + 9 * levels + 2;
	if (gpa >> bits)
		return WALK_PAGE_FAULT;
	uint64_t table = (hgatp & SATP_PPN_MASK & ~3ull) << PAGE_SHIFT;
	for (unsigned level = levels - 1;; level--) {
		unsigned shift = PAGE_SHIFT + 9 * level;
		uint64_t index = (gpa >> shift) & (level == levels - 1 ? 0x7FF : 0x1FF), pte;
		if (!read_pte(table + 8 * index, &pte))
			return WALK_ACCESS_FAULT;
		if (pte_malformed(pte, true))
			return WALK_PAGE_FAULT;
		if (pte & (RV_PTE_R | RV_PTE_X)) {
			if (!(pte & RV_PTE_U) || !leaf_allows(pte, acc, false) ||
			    !leaf_address(pte, level, gpa, hpa))
				return WALK_PAGE_FAULT;
			*leaf = pte;
			return WALK_OK;
		}
		if (level == 0)
			return WALK_PAGE_FAULT;
		table = ((pte & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << PAGE_SHIFT;
	}
}

int rv_engine_g_walk(uint64_t hgatp, uint64_t gpa, bool store, bool fetch, uint64_t *hpa)
{
	uint64_t leaf;
	enum rv_acc acc = fetch ? RV_ACC_FETCH : store ? RV_ACC_STORE : RV_ACC_LOAD;

	return (int)g_walk(hgatp, gpa, acc, hpa, &leaf);
}

static unsigned cause_of(enum rv_acc acc, unsigned fetch, unsigned load, unsigned store)
{
	return acc == RV_ACC_FETCH ? fetch : acc == RV_ACC_LOAD ? load : store;
}

static void guest_page_fault(struct rv_fault *f, enum rv_acc acc, uint64_t gpa, bool implicit)
{
	*f = (struct rv_fault){ .cause = cause_of(acc, CAUSE_FETCH_GUEST_PAGE_FAULT,
						  CAUSE_LOAD_GUEST_PAGE_FAULT,
						  CAUSE_STORE_GUEST_PAGE_FAULT),
				.gpa = gpa, .implicit = implicit };
}

static void access_fault(struct rv_fault *f, enum rv_acc acc)
{
	*f = (struct rv_fault){ .cause = cause_of(acc, CAUSE_FETCH_ACCESS, CAUSE_LOAD_ACCESS,
						  CAUSE_STORE_ACCESS) };
}

static void page_fault(struct rv_fault *f, enum rv_acc acc)
{
	*f = (struct rv_fault){ .cause = cause_of(acc, CAUSE_FETCH_PAGE_FAULT,
						  CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT) };
}

/* A G-stage translation of the access (or of the VS walk's implicit PTE read, checked
 * as a load but faulting as acc). */
static int g_stage(const struct guest_ctx *c, uint64_t gpa, enum rv_acc acc, bool implicit,
		   uint64_t *hpa, uint64_t *leaf, struct rv_fault *f)
{
	switch (g_walk(c->csr[RV_HGATP], gpa, implicit ? RV_ACC_LOAD : acc, hpa, leaf)) {
	case WALK_OK: return 0;
	case WALK_ACCESS_FAULT: access_fault(f, acc); return -1;
	default: guest_page_fault(f, acc, gpa, implicit); return -1;
	}
}

/* The VS stage's leaf checks beyond leaf_allows: a U page is no VS-mode fetch's, and a
 * load or store's only with vsstatus.SUM. */
static bool vs_leaf_ok(const struct guest_ctx *c, uint64_t pte, enum rv_acc acc)
{
	uint64_t vsstatus = c->csr[RV_VSSTATUS];

	if ((pte & RV_PTE_U) && (acc == RV_ACC_FETCH || !(vsstatus & SSTATUS_SUM)))
		return false;
	return leaf_allows(pte, acc, vsstatus & SSTATUS_MXR);
}

/* The VS stage: va to a GPA, each PTE read through the G stage. *leaf gets the leaf's
 * bits (~0 for Bare). */
static int vs_walk(const struct guest_ctx *c, uint64_t va, enum rv_acc acc, uint64_t *gpa,
		   uint64_t *leaf, struct rv_fault *f)
{
	uint64_t vsatp = c->csr[RV_VSATP], mode = vsatp >> SATP_MODE_SHIFT;
	unsigned levels = mode == SATP_MODE_SV39 ? 3 : mode == SATP_MODE_SV48 ? 4 : 0;
	bool pbmte = c->csr[RV_HENVCFG] & ENVCFG_PBMTE;

	if (!levels) {
		*gpa = va;
		*leaf = ~0ull;
		return 0;
	}
	unsigned bits = PAGE_SHIFT + 9 * levels;
	int64_t top = (int64_t)va >> (bits - 1); /* canonical: all copies of bit bits-1 */
	if (top != 0 && top != -1) {
		page_fault(f, acc);
		return -1;
	}
	uint64_t table = (vsatp & SATP_PPN_MASK) << PAGE_SHIFT;
	for (unsigned level = levels - 1;; level--) {
		uint64_t pte_gpa = table + 8 * ((va >> (PAGE_SHIFT + 9 * level)) & 0x1FF);
		uint64_t pte_hpa, g_leaf, pte;
		if (g_stage(c, pte_gpa, acc, true, &pte_hpa, &g_leaf, f))
			return -1;
		if (!read_pte(pte_hpa, &pte)) {
			access_fault(f, acc);
			return -1;
		}
		bool is_leaf = pte & (RV_PTE_R | RV_PTE_X);
		if (pte_malformed(pte, pbmte) || (!is_leaf && level == 0) ||
		    (is_leaf && (!vs_leaf_ok(c, pte, acc) || !leaf_address(pte, level, va, gpa)))) {
			page_fault(f, acc);
			return -1;
		}
		if (is_leaf) {
			*leaf = pte;
			return 0;
		}
		table = ((pte & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << PAGE_SHIFT;
	}
}

/* ---- The TLB ---------------------------------------------------------------------- */

#define TLB_ENTRIES 64

struct tlb_entry {
	bool valid;
	bool global;      /* the VS leaf's G: kept by fences of one ASID */
	uint8_t vs_mode;  /* vsatp.MODE it was walked under */
	uint16_t vmid, asid;
	uint64_t vpage;   /* va >> 12 */
	uint64_t hpage;   /* hpa >> 12 */
	uint64_t vs_leaf, g_leaf;
};

struct tlb {
	pthread_mutex_t lock; /* fences come from other pCPUs */
	unsigned next;        /* round-robin victim */
	struct tlb_entry e[TLB_ENTRIES];
};

static struct tlb tlbs[HAL_MAX_PCPUS];
static uint64_t tlb_hits, tlb_fills;
/* Bit i: tlbs[i] has been filled since the last reset. The remote fences visit only
 * those: a fence that walked all HAL_MAX_PCPUS TLBs, locks included, cost a lazy
 * first touch some 21,000 host instructions in bench_exits, far more than Tandem's own
 * work, though no more than the machine's pCPUs ever hold entries. */
_Static_assert(HAL_MAX_PCPUS <= 64, "tlb_used is one 64-bit mask");
static uint64_t tlb_used;
static pthread_once_t tlb_once = PTHREAD_ONCE_INIT;

static void tlb_init(void)
{
	for (unsigned i = 0; i < HAL_MAX_PCPUS; i++)
		pthread_mutex_init(&tlbs[i].lock, NULL);
}

/* This pCPU's TLB, marked used before any walk that may fill it: a fence that reads
 * the mask before the mark comes before the walk, which then reads the tables as the
 * fence's caller left them. */
static struct tlb *this_tlb(void)
{
	unsigned i = hal_pcpu_id() % HAL_MAX_PCPUS;

	pthread_once(&tlb_once, tlb_init);
	if (!(__atomic_load_n(&tlb_used, __ATOMIC_SEQ_CST) & (1ull << i)))
		__atomic_fetch_or(&tlb_used, 1ull << i, __ATOMIC_SEQ_CST);
	return &tlbs[i];
}

void rv_tlb_reset(void)
{
	pthread_once(&tlb_once, tlb_init);
	for (unsigned i = 0; i < HAL_MAX_PCPUS; i++) {
		pthread_mutex_lock(&tlbs[i].lock);
		memset(tlbs[i].e, 0, sizeof(tlbs[i].e));
		tlbs[i].next = 0;
		pthread_mutex_unlock(&tlbs[i].lock);
	}
	__atomic_store_n(&tlb_hits, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&tlb_fills, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&tlb_used, 0, __ATOMIC_RELAXED);
}

void rv_engine_tlb_stats(uint64_t *hits, uint64_t *fills)
{
	if (hits)
		*hits = __atomic_load_n(&tlb_hits, __ATOMIC_RELAXED);
	if (fills)
		*fills = __atomic_load_n(&tlb_fills, __ATOMIC_RELAXED);
}

static uint16_t vmid_of(uint64_t hgatp)
{
	return (uint16_t)((hgatp >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK);
}

/* An entry of the vCPU's current VMID, ASID and VS mode for va. */
static bool tlb_match(const struct tlb_entry *t, const struct guest_ctx *c, uint64_t va)
{
	uint64_t vsatp = c->csr[RV_VSATP];
	uint16_t asid = (uint16_t)((vsatp >> SATP_ASID_SHIFT) & SATP_ASID_MASK);

	return t->valid && t->vmid == vmid_of(c->csr[RV_HGATP]) && t->vpage == va >> PAGE_SHIFT &&
	       t->vs_mode == (uint8_t)(vsatp >> SATP_MODE_SHIFT) && (t->global || t->asid == asid);
}

static bool tlb_allows(const struct guest_ctx *c, const struct tlb_entry *t, enum rv_acc acc)
{
	return (t->vs_leaf == ~0ull || vs_leaf_ok(c, t->vs_leaf, acc)) &&
	       (t->g_leaf == ~0ull || leaf_allows(t->g_leaf, acc, false));
}

int rv_translate_walk(const struct guest_ctx *c, uint64_t va, enum rv_acc acc, uint64_t *hpa,
		      struct rv_fault *f)
{
	uint64_t gpa, vs_leaf, g_leaf;

	if (vs_walk(c, va, acc, &gpa, &vs_leaf, f))
		return -1;
	return g_stage(c, gpa, acc, false, hpa, &g_leaf, f);
}

static void tlb_fill(struct tlb *t, const struct guest_ctx *c, uint64_t va, uint64_t hpa,
		     uint64_t vs_leaf, uint64_t g_leaf)
{
	uint64_t vsatp = c->csr[RV_VSATP];
	struct tlb_entry *e = &t->e[t->next++ % TLB_ENTRIES];

	*e = (struct tlb_entry){ .valid = true, .vmid = vmid_of(c->csr[RV_HGATP]),
				 .asid = (uint16_t)((vsatp >> SATP_ASID_SHIFT) & SATP_ASID_MASK),
				 .vs_mode = (uint8_t)(vsatp >> SATP_MODE_SHIFT),
				 .global = vs_leaf != ~0ull && (vs_leaf & RV_PTE_G),
				 .vpage = va >> PAGE_SHIFT, .hpage = hpa >> PAGE_SHIFT,
				 .vs_leaf = vs_leaf, .g_leaf = g_leaf };
	__atomic_fetch_add(&tlb_fills, 1, __ATOMIC_RELAXED);
}

int rv_translate(const struct guest_ctx *c, uint64_t va, enum rv_acc acc, uint64_t *hpa,
		 struct rv_fault *f)
{
	struct tlb *t = this_tlb();
	uint64_t off = va & ((1ull << PAGE_SHIFT) - 1);

	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < TLB_ENTRIES; i++) {
		struct tlb_entry *e = &t->e[i];
		if (!tlb_match(e, c, va))
			continue;
		if (tlb_allows(c, e, acc)) {
			*hpa = (e->hpage << PAGE_SHIFT) | off;
			pthread_mutex_unlock(&t->lock);
			__atomic_fetch_add(&tlb_hits, 1, __ATOMIC_RELAXED);
			return 0;
		}
		e->valid = false; /* no longer enough: walked afresh, as hardware may */
	}
	uint64_t gpa, vs_leaf, g_leaf;
	int r = vs_walk(c, va, acc, &gpa, &vs_leaf, f);
	if (!r)
		r = g_stage(c, gpa, acc, false, hpa, &g_leaf, f);
	if (!r)
		tlb_fill(t, c, va, *hpa, vs_leaf, g_leaf);
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* Drop the entries of one pCPU's TLB that a fence names. */
static void tlb_fence(struct tlb *t, uint16_t vmid, bool vs_only, bool all_asids, uint16_t asid,
		      bool all_va, uint64_t va)
{
	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < TLB_ENTRIES; i++) {
		struct tlb_entry *e = &t->e[i];
		if (!e->valid || e->vmid != vmid)
			continue;
		if (vs_only && !all_asids && (e->global || e->asid != asid))
			continue;
		if (vs_only && !all_va && e->vpage != va >> PAGE_SHIFT)
			continue;
		e->valid = false;
	}
	pthread_mutex_unlock(&t->lock);
}

void rv_tlb_fence_local(uint64_t hgatp, bool all_asids, uint16_t asid, bool all_va, uint64_t va)
{
	tlb_fence(this_tlb(), vmid_of(hgatp), true, all_asids, asid, all_va, va);
}

void rv_engine_tlb_flush_gvma(uint64_t hgatp)
{
	pthread_once(&tlb_once, tlb_init);
	for (uint64_t m = __atomic_load_n(&tlb_used, __ATOMIC_SEQ_CST); m; m &= m - 1)
		tlb_fence(&tlbs[__builtin_ctzll(m)], vmid_of(hgatp), false, true, 0, true, 0);
}

void sim_engine_tlb_flush(uint64_t s2root)
{
	rv_engine_tlb_flush_gvma(s2root);
}

/* HFENCE.VVMA for the VM of s2root on every pCPU; a range fences each page of it (at
 * most a TLB's worth of distinct pages matter: a larger range fences every address). */
void hal_guest_tlb_flush_vs(uint64_t s2root, uint16_t asid, bool all_asids, gva_t va,
			    uint64_t size)
{
	uint64_t start = gva_bits(va) & ~((1ull << PAGE_SHIFT) - 1);
	bool all_va = size == 0 || size == ~0ull || size > ((uint64_t)TLB_ENTRIES << PAGE_SHIFT) ||
		      gva_bits(va) + size < gva_bits(va);

	pthread_once(&tlb_once, tlb_init);
	for (uint64_t m = __atomic_load_n(&tlb_used, __ATOMIC_SEQ_CST); m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		if (all_va) {
			tlb_fence(&tlbs[i], vmid_of(s2root), true, all_asids, asid, true, 0);
			continue;
		}
		for (uint64_t p = start; p < gva_bits(va) + size; p += 1ull << PAGE_SHIFT)
			tlb_fence(&tlbs[i], vmid_of(s2root), true, all_asids, asid, false, p);
	}
}
