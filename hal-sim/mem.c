/* The simulation host's physical memory: each RAM range is one anonymous mapping, and
 * a physical address is translated, never used as a pointer. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "hal-sim/internal.h"
#include "hal/err.h"

int sim_mem_init(const struct hal_mem_range *ranges, size_t n, bool populate)
{
	for (size_t i = 0; i < n; i++) {
		int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
		void *host = mmap(NULL, ranges[i].size, PROT_READ | PROT_WRITE,
				  flags | (populate ? MAP_POPULATE : 0), -1, 0);
		if (host == MAP_FAILED) {
			sim_mem_fini();
			return -ENOMEM;
		}
		/* A virtual machine under this host may back a page only once it is
		 * written, however the kernel mapped it: write every page. */
		if (populate)
			memset(host, 0, ranges[i].size);
		sim.arenas[i].range = ranges[i];
		sim.arenas[i].host = host;
		sim.nranges = i + 1;
	}
	return 0;
}

void sim_mem_fini(void)
{
	for (size_t i = 0; i < sim.nranges; i++)
		munmap(sim.arenas[i].host, sim.arenas[i].range.size);
	sim.nranges = 0;
}

int hal_mem_ranges(struct hal_mem_range *out, size_t max, size_t *count)
{
	if (!out || !count)
		return -EINVAL;
	*count = sim.nranges;
	if (sim.nranges > max)
		return -ENOSPC;
	for (size_t i = 0; i < sim.nranges; i++)
		out[i] = sim.arenas[i].range;
	return 0;
}

int hal_phys_to_virt(paddr_t pa, size_t len, void **va)
{
	if (!va || len == 0)
		return -EINVAL;
	for (size_t i = 0; i < sim.nranges; i++) {
		const struct hal_mem_range *r = &sim.arenas[i].range;
		uint64_t off = pa_sub(pa, r->base);
		if (pa_bits(pa) >= pa_bits(r->base) && off < r->size && len <= r->size - off) {
			*va = sim.arenas[i].host + off;
			return 0;
		}
	}
	return -EFAULT;
}

/* The guest engine reads guest memory through the same mapping Tandem writes it in. */
void hal_cache_clean(const void *va, size_t len)
{
	(void)va;
	(void)len;
}

/* The engine fetches every instruction from memory: nothing is cached. */
void hal_icache_invalidate(void)
{
}

int hal_virt_to_phys(const void *va, paddr_t *pa)
{
	if (!va || !pa)
		return -EINVAL;
	uintptr_t v = (uintptr_t)va;
	for (size_t i = 0; i < sim.nranges; i++) {
		uintptr_t host = (uintptr_t)sim.arenas[i].host;
		if (v >= host && v - host < sim.arenas[i].range.size) {
			*pa = pa_add(sim.arenas[i].range.base, v - host);
			return 0;
		}
	}
	return -EFAULT;
}
