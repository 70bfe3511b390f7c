/* The simulated board's devices: the part of QEMU virt's map (hw/arm/virt.c) that
 * matters to pass-through, so that a configuration is judged in hvsim as on the board
 * it is written for. Nothing answers at these addresses in the simulation host: a
 * guest's access to a device passed through is a stage-2 fault like any other MMIO. */
#include <stdbool.h>
#include <stddef.h>

#include "hal/err.h"
#include "hal/mm.h"

struct sim_device {
	paddr_t base;
	uint64_t size;
	const char *tandems; /* what Tandem uses it as; NULL: free for pass-through */
};

static const struct sim_device board[] = {
	{ { 0x08000000 }, 0x10000, "the GIC distributor" },
	{ { 0x08080000 }, 0x20000, "the GIC ITS" },
	{ { 0x080A0000 }, 0xF60000, "the GIC redistributors" },
	{ { 0x09000000 }, 0x1000, "the console UART" },
	{ { 0x09010000 }, 0x1000, NULL }, /* PL031 real-time clock */
	{ { 0x09030000 }, 0x1000, NULL }, /* PL061 GPIO */
};

static bool overlaps(paddr_t a, uint64_t as, paddr_t b, uint64_t bs)
{
	return pa_bits(a) < pa_bits(b) + bs && pa_bits(b) < pa_bits(a) + as;
}

int hal_passthrough_check(paddr_t base, uint64_t size, const char **what)
{
	const struct sim_device *inside = NULL;

	uint64_t lo = pa_bits(base);

	if (!size || lo + size < lo)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(board) / sizeof(board[0]); i++) {
		const struct sim_device *d = &board[i];
		if (d->tandems && overlaps(base, size, d->base, d->size)) {
			if (what)
				*what = d->tandems;
			return -EBUSY;
		}
		if (lo >= pa_bits(d->base) && lo + size <= pa_bits(d->base) + d->size)
			inside = d;
	}
	return inside ? 0 : -ENOENT;
}

const void *hal_board_dtb(size_t *size)
{
	if (size)
		*size = 0;
	return NULL; /* the board is the table above */
}
