/* Physical memory on bare metal: the RAM the DTB reports, less the image, the DTB and
 * reserved ranges (OpenSBI's among them; computed at boot into bm_board.ram). HS-mode
 * runs with satp Bare, so host-virtual is host-physical and translation is a range
 * check. What a VM may be given by pass-through is what the
 * DTB describes as a device, less what Tandem uses. */
#include <stddef.h>
#include "hal-baremetal/riscv64/qemu-virt/bm.h"
#include "hal/err.h"
#include "hal/mm.h"

#define SBI_EXT_RFENCE 0x52464E43ull
#define SBI_RFENCE_FENCE_I 0

int hal_mem_ranges(struct hal_mem_range *out, size_t max, size_t *count)
{
	if (!out || !count)
		return -EINVAL;
	*count = bm_board.nram;
	if (bm_board.nram > max)
		return -ENOSPC;
	for (size_t i = 0; i < bm_board.nram; i++)
		out[i] = bm_board.ram[i];
	return 0;
}

static bool in_ram(paddr_t pa, uint64_t len)
{
	for (size_t i = 0; i < bm_board.nram; i++) {
		const struct hal_mem_range *r = &bm_board.ram[i];
		uint64_t off = pa_sub(pa, r->base);
		if (pa_bits(pa) >= pa_bits(r->base) && off < r->size && len <= r->size - off)
			return true;
	}
	return false;
}

int hal_phys_to_virt(paddr_t pa, size_t len, void **va)
{
	if (!va || len == 0)
		return -EINVAL;
	if (!in_ram(pa, len))
		return -EFAULT;
	*va = (void *)(uintptr_t)pa_bits(pa); /* satp Bare: RAM is at its physical address */
	return 0;
}

/* Nothing to bound for HS-mode: satp stays Bare (the G-stage is the guests'). */
void bm_mmu_init(void)
{
}

/* QEMU's harts and devices share one coherent view of memory, and the base ISA has no
 * cache-block operations (Zicbom is optional): ordering is all a reader needs. */
void hal_cache_clean(const void *va, size_t len)
{
	(void)va;
	(void)len;
	__asm__ volatile("fence rw, rw" ::: "memory");
}

int hal_virt_to_phys(const void *va, paddr_t *pa)
{
	if (!va || !pa)
		return -EINVAL;
	paddr_t at = pa_make((uintptr_t)va);

	if (!in_ram(at, 1))
		return -EFAULT;
	*pa = at;
	return 0;
}

int hal_passthrough_check(paddr_t base, uint64_t size, const char **what)
{
	const struct {
		uint64_t base, size;
		const char *what;
	} own[] = {
		{ bm_board.image_base, bm_board.image_size, "Tandem's image" },
		{ (uintptr_t)bm_board.dtb, bm_board.dtb_size, "the DTB" },
		{ bm_board.uart_base, bm_board.uart_size, "the console UART" },
		{ bm_board.plic_base, bm_board.plic_size, "the PLIC" },
	};

	uint64_t lo = pa_bits(base);

	if (!size || lo + size < lo)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		if (own[i].size && lo < own[i].base + own[i].size && own[i].base < lo + size) {
			if (what)
				*what = own[i].what;
			return -EBUSY;
		}
	}
	return 0; /* which device it is, if any, the DTB says (hal_board_dtb) */
}

const void *hal_board_dtb(size_t *size)
{
	if (size)
		*size = bm_board.dtb_size;
	return bm_board.dtb;
}

/* FENCE.I orders only this hart's fetches (unprivileged spec, Zifencei): the others
 * through SBI RFENCE remote_fence_i (SBI spec v1.0 ch. 8), hart_mask_base -1 naming
 * every hart. */
void hal_icache_invalidate(void)
{
	__asm__ volatile("fence.i" ::: "memory");
	bm_sbi(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0, (uint64_t)-1, 0);
}
