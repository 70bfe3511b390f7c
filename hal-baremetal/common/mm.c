/* Physical memory on bare metal, for every board: the RAM the DTB reports, less the
 * image, the DTB and reserved ranges (computed at boot into bm_board.ram), at its
 * physical address (aarch64: EL2's MMU maps it so; riscv64: HS-mode runs with satp
 * Bare), so translation is a range check. What a VM may be given by pass-through is
 * what the DTB describes as a device, less what Tandem uses: its image, the DTB, the
 * console's UART and the interrupt controller (the board's BM_OWN_IRQCHIP). The caches
 * are each board's (its mm.c). */
#include <stddef.h>

#include "hal-baremetal/bm.h"
#include "hal/err.h"
#include "hal/mm.h"

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
	*va = (void *)(uintptr_t)pa_bits(pa); /* RAM is at its physical address */
	return 0;
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
		BM_OWN_IRQCHIP
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
