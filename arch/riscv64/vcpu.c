/* The riscv64 vCPU: its reset state, the G-stage it translates through, its VS-stage
 * walked in software, register access and the run step that enters the guest through
 * the HAL. */
#include <stddef.h>

#include "arch/riscv64/arch.h"
#include "arch/riscv64/gstage.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/guest.h"

/* What the guest handles itself (hedeleg): misaligned fetch, fetch access fault,
 * illegal instruction, breakpoint (unless a debugger is attached), misaligned and
 * faulting loads and stores, an ecall from VU-mode, and its own page faults (privileged
 * spec 8.2.2: causes 9-11 and the guest-page faults cannot be delegated). */
#define GUEST_HEDELEG                                                                     \
	((1ull << CAUSE_MISALIGNED_FETCH) | (1ull << CAUSE_FETCH_ACCESS) |               \
	 (1ull << CAUSE_ILLEGAL_INSN) | (1ull << CAUSE_BREAKPOINT) |                      \
	 (1ull << CAUSE_MISALIGNED_LOAD) | (1ull << CAUSE_LOAD_ACCESS) |                  \
	 (1ull << CAUSE_MISALIGNED_STORE) | (1ull << CAUSE_STORE_ACCESS) |                \
	 (1ull << CAUSE_USER_ECALL) | (1ull << CAUSE_FETCH_PAGE_FAULT) |                  \
	 (1ull << CAUSE_LOAD_PAGE_FAULT) | (1ull << CAUSE_STORE_PAGE_FAULT))

/* The VS-level interrupts go to the guest as its own S-level ones (8.2.3). */
#define GUEST_HIDELEG MIP_VS_MASK

/* hstatus: VS-mode is 64-bit; VTW (WFI traps) is the scheduler's (arch_vcpu_trap_wfe);
 * VTSR and VTVM stay clear: the guest's SRET and SFENCE.VMA/satp are its own. SPV is
 * set so that the entry's SRET goes to V=1, SPVP so that the guest's HLV/HSV (none
 * expected) would run at VS. */
#define GUEST_HSTATUS (HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW)

int arch_vm_s2_setup(struct pt_format *fmt, uint64_t *vtcr)
{
	bool sv39 = hal_cpu_pa_bits() <= 41;

	*fmt = sv39 ? riscv_sv39x4 : riscv_sv48x4;
	*vtcr = sv39 ? HGATP_MODE_SV39X4 : HGATP_MODE_SV48X4;
	return 0;
}

uint64_t arch_vcpu_hwid(unsigned index)
{
	return index;
}

void arch_vcpu_init(struct arch_vcpu *v, unsigned index)
{
	*v = (struct arch_vcpu){ .index = index, .nharts = index + 1, .sbi_timer = UINT64_MAX,
				 .last_pcpu = UINT32_MAX };
	v->ctx.sstatus = SSTATUS_SPP | SSTATUS_FS_INITIAL | SSTATUS_UXL_64;
	v->ctx.csr[RV_VSSTATUS] = SSTATUS_UXL_64;
	v->ctx.csr[RV_HSTATUS] = GUEST_HSTATUS;
	v->ctx.csr[RV_HEDELEG] = GUEST_HEDELEG;
	v->ctx.csr[RV_HIDELEG] = GUEST_HIDELEG;
	/* time and Sstc's vstimecmp are the guest's own; cycle and instret trap (22) and
	 * are refused, so that no guest learns the host's instruction counts. */
	v->ctx.csr[RV_HCOUNTEREN] = HCOUNTEREN_TM;
	v->ctx.csr[RV_HENVCFG] = ENVCFG_STCE | ENVCFG_PBMTE;
	v->ctx.csr[RV_VSTIMECMP] = UINT64_MAX;
}

void arch_vcpu_set_entry(struct arch_vcpu *v, gpa_t entry, uint64_t arg)
{
	for (unsigned i = 0; i < 32; i++)
		v->ctx.x[i] = 0;
	v->ctx.x[10] = arch_vcpu_hwid(v->index); /* a0 */
	v->ctx.x[11] = arg;                      /* a1 */
	v->ctx.pc = gpa_bits(entry);
	v->ctx.sstatus = (v->ctx.sstatus & ~SSTATUS_FS) | SSTATUS_SPP | SSTATUS_FS_INITIAL;
	/* SBI v2.0 HSM: satp 0, sstatus.SIE 0, the rest unspecified. */
	arch_vcpu_set_csr(v, RV_VSATP, 0);
	arch_vcpu_set_csr(v, RV_VSSTATUS, arch_vcpu_csr(v, RV_VSSTATUS) & ~SSTATUS_SIE);
}

void arch_vcpu_trap_wfe(struct arch_vcpu *v, bool trap)
{
	/* riscv has no WFE; WFI always traps (VTW) so that a waiting vCPU gives its pCPU
	 * back whoever else waits. */
	(void)v;
	(void)trap;
}

void arch_vcpu_set_s2(struct arch_vcpu *v, paddr_t root, uint16_t vmid, uint64_t vtcr)
{
	uint64_t hgatp = ((vtcr & 0xFull) << SATP_MODE_SHIFT) |
			 ((uint64_t)(vmid & HGATP_VMID_MASK) << HGATP_VMID_SHIFT) |
			 ((pa_bits(root) >> 12) & SATP_PPN_MASK);

	arch_vcpu_set_csr(v, RV_HGATP, hgatp);
}

void arch_vm_s2_flush(paddr_t root, uint16_t vmid)
{
	/* hal_guest_tlb_flush keys by the VMID; the mode field is irrelevant to it. */
	hal_guest_tlb_flush(((uint64_t)(vmid & HGATP_VMID_MASK) << HGATP_VMID_SHIFT) |
			    ((pa_bits(root) >> 12) & SATP_PPN_MASK));
}

/* The VS-stage walk (privileged spec 4.3.2 with 4.4/4.5's Sv39 and Sv48): the address
 * an S-mode read would reach, no permission checked. vsatp's PPN and every table's are
 * guest-physical. */
int arch_vcpu_translate(const struct arch_vcpu *v, gva_t va, arch_guest_read_fn read,
			void *ctx, gpa_t *gpa)
{
	uint64_t satp = arch_vcpu_csr(v, RV_VSATP), addr = gva_bits(va);
	uint64_t mode = satp >> SATP_MODE_SHIFT;
	unsigned levels = mode == SATP_MODE_SV39 ? 3 : mode == SATP_MODE_SV48 ? 4 : 0;

	if (mode == SATP_MODE_BARE) {
		*gpa = gpa_make(addr);
		return 0;
	}
	if (!levels)
		return -EFAULT;
	unsigned vabits = 12 + 9 * levels;
	/* Bits 63..vabits-1 must all equal bit vabits-1. */
	uint64_t top = (uint64_t)((int64_t)(addr << (64 - vabits)) >> (64 - vabits));
	if (top != addr)
		return -EFAULT;
	uint64_t table = (satp & SATP_PPN_MASK) << 12;
	for (int level = (int)levels - 1; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		uint64_t pte;
		if (read(ctx, gpa_make(table + ((addr >> shift) & 0x1FF) * 8), &pte, sizeof(pte)))
			return -EFAULT;
		if (!(pte & RV_PTE_V) || ((pte & RV_PTE_W) && !(pte & RV_PTE_R)))
			return -EFAULT;
		uint64_t ppn = (pte & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT;
		if (pte & (RV_PTE_R | RV_PTE_X)) {
			uint64_t span = 1ull << shift;
			if ((ppn << 12) & (span - 1))
				return -EFAULT; /* a misaligned superpage */
			*gpa = gpa_make((ppn << 12) | (addr & (span - 1)));
			return 0;
		}
		table = ppn << 12;
	}
	return -EFAULT;
}

void arch_vcpu_set_return(struct arch_vcpu *v, uint64_t value)
{
	v->ctx.x[10] = value;
}

/* The guest's SFENCE.VMA reaches only the hart it runs on: a vCPU arriving on another
 * pCPU may find entries there from its VM's earlier stays that its fences since have
 * not reached. HFENCE.VVMA for its VMID before it runs there (as KVM does on riscv). */
void arch_vcpu_load(struct arch_vcpu *v)
{
	unsigned here = hal_pcpu_id();

	if (v->last_pcpu != UINT32_MAX && v->last_pcpu != here)
		hal_guest_tlb_flush_vs(arch_vcpu_csr(v, RV_HGATP), 0, true, gva_make(0), 0);
	v->last_pcpu = here;
	hal_guest_load(&v->ctx);
}

void arch_vcpu_put(struct arch_vcpu *v)
{
	hal_guest_put(&v->ctx);
}

unsigned arch_vcpu_trap_words(const struct arch_vcpu *v, const char **names, uint64_t *values,
			      unsigned max)
{
	static const char *const n[4] = { "scause", "stval", "htval", "htinst" };
	const uint64_t w[4] = { v->trap.scause, v->trap.stval, v->trap.htval, v->trap.htinst };
	unsigned k = max < 4 ? max : 4;

	for (unsigned i = 0; i < k; i++) {
		names[i] = n[i];
		values[i] = w[i];
	}
	return k;
}

/* Every synchronous exit leaves sepc on the instruction that trapped (the ecall's
 * return is sepc + 4, made by the completion). */
int arch_vcpu_trap_pc(const struct arch_vcpu *v, gva_t *pc)
{
	if (v->trap.scause & SCAUSE_INTERRUPT)
		return -ENOENT;
	*pc = gva_make(v->ctx.pc);
	return 0;
}

void arch_vcpu_debug_attach(struct arch_vcpu *v, bool on)
{
	uint64_t hedeleg = arch_vcpu_csr(v, RV_HEDELEG);
	uint64_t bp = 1ull << CAUSE_BREAKPOINT;

	v->debug = on;
	arch_vcpu_set_csr(v, RV_HEDELEG, on ? hedeleg & ~bp : hedeleg | bp);
}

void arch_vcpu_debug_step(struct arch_vcpu *v, bool on)
{
	/* Never asked (ARCH_GDB_STEP is 0): the stub refuses a step first. */
	(void)v;
	(void)on;
}
