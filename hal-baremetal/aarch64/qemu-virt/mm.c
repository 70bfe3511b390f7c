/* Physical memory on bare metal: the RAM the DTB reports, less the image, the DTB and
 * reserved ranges (computed at boot into bm_board.ram), identity-mapped by the EL2 MMU,
 * so translation is a range check. What a VM may be given by pass-through is what the
 * DTB describes as a device, less what Tandem uses. */
#include <stddef.h>


#include "hal-baremetal/aarch64/qemu-virt/bm.h"
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
	*va = (void *)(uintptr_t)pa_bits(pa); /* EL2 maps RAM at its physical address */
	return 0;
}

/* DC CVAC line by line (Arm ARM D7.4.9), the line size from CTR_EL0.DminLine (log2 of
 * words), then a DSB so that the cleaning completes before anything that follows. */
void hal_cache_clean(const void *va, size_t len)
{
	uint64_t ctr;

	if (!len)
		return;
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	uintptr_t line = (uintptr_t)4 << ((ctr >> 16) & 0xF);
	uintptr_t p = (uintptr_t)va & ~(line - 1), end = (uintptr_t)va + len;
	for (; p < end; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
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
		{ bm_board.gicd_base, bm_board.gicd_size, "the GIC distributor" },
		{ bm_board.gicr_base, bm_board.gicr_size, "the GIC redistributors" },
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

/* IC IALLUIS (Arm ARM D7.4.7): every PE of the inner-shareable domain invalidates its
 * instruction cache to the point of unification; the DSB makes that complete
 * everywhere before the ISB. The data side was cleaned by the write (hal_cache_clean,
 * to the point of coherency, beyond unification). */
void hal_icache_invalidate(void)
{
	__asm__ volatile("dsb ish\n\tic ialluis\n\tdsb ish\n\tisb" ::: "memory");
}
