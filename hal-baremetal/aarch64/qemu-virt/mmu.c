/* The EL2 MMU: an identity map in 1 GiB blocks of the first 512 GiB (4 KiB granule,
 * 39-bit VA, lookup from level 1; Arm ARM D8). RAM is Normal write-back, everything
 * else Device-nGnRE and never executable, so that device accesses are never merged or
 * speculated. One table shared by every pCPU. */
#include "hal-baremetal/aarch64/qemu-virt/bm.h"

#define MAIR_DEVICE_nGnRE 0x04ull
#define MAIR_NORMAL_WB 0xFFull
#define ATTR_DEVICE 0
#define ATTR_NORMAL 1

#define PTE_BLOCK 0x1ull
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_SH_INNER (3ull << 8)
#define PTE_AF (1ull << 10)
#define PTE_XN (1ull << 54)

#define TCR_T0SZ(n) ((uint64_t)(n))
#define TCR_IRGN0_WBWA (1ull << 8)
#define TCR_ORGN0_WBWA (1ull << 10)
#define TCR_SH0_INNER (3ull << 12)
#define TCR_PS_SHIFT 16
#define TCR_EL2_RES1 ((1ull << 31) | (1ull << 23))

#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)
#define SCTLR_I (1ull << 12)
#define SCTLR_EL2_RES1 0x30C50830ull

static uint64_t l1[512] __attribute__((aligned(4096)));

static bool is_ram(uint64_t base, uint64_t size)
{
	for (size_t i = 0; i < bm_board.nram; i++) {
		const struct hal_mem_range *r = &bm_board.ram[i];
		if (base < pa_bits(r->base) + r->size && pa_bits(r->base) < base + size)
			return true;
	}
	return false;
}

void bm_mmu_init(void)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t pa = i << 30;
		if (is_ram(pa, 1ull << 30))
			l1[i] = pa | PTE_BLOCK | PTE_ATTR(ATTR_NORMAL) | PTE_SH_INNER | PTE_AF;
		else
			l1[i] = pa | PTE_BLOCK | PTE_ATTR(ATTR_DEVICE) | PTE_AF | PTE_XN;
	}
	dsb_sy();
	bm_mmu_enable();
}

void bm_mmu_enable(void)
{
	uint64_t parange = sysreg_read(id_aa64mmfr0_el1) & 0xF;

	sysreg_write(mair_el2, MAIR_DEVICE_nGnRE | (MAIR_NORMAL_WB << 8));
	sysreg_write(tcr_el2, TCR_EL2_RES1 | (parange << TCR_PS_SHIFT) | TCR_SH0_INNER |
				      TCR_ORGN0_WBWA | TCR_IRGN0_WBWA | TCR_T0SZ(25));
	sysreg_write(ttbr0_el2, (uint64_t)(uintptr_t)l1);
	isb();
	__asm__ volatile("tlbi alle2\n dsb nsh" ::: "memory");
	isb();
	sysreg_write(sctlr_el2, SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
}
