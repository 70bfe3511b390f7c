/* bench/frame: cost of the frame allocator. Single pCPU: alloc+free of one frame,
 * alloc_zeroed, and a 2 MiB aligned contiguous run; then N pCPUs hammering the one
 * lock at once. Prints a table, or JSON with --json. Never asserts a time. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/time.h"

#define OPS 200000u

struct result {
	const char *name;
	unsigned pcpus;
	double ns_per_op;
};

static struct result results[8];
static unsigned nresults;
static atomic_uint ready;
static unsigned contend_cpus;

static void record(const char *name, unsigned pcpus, uint64_t ns, unsigned ops)
{
	results[nresults++] = (struct result){ name, pcpus, (double)ns / ops };
}

static void alloc_free_loop(void *arg)
{
	unsigned ops = *(unsigned *)arg;
	paddr_t pa;

	atomic_fetch_add(&ready, 1);
	while (atomic_load(&ready) < contend_cpus)
		hal_cpu_relax();
	for (unsigned i = 0; i < ops; i++) {
		if (frame_alloc(&pa) == 0)
			frame_free(pa);
	}
}

static uint64_t time_single(int kind, unsigned ops)
{
	paddr_t pa;
	uint64_t t0 = hal_now_ns();

	for (unsigned i = 0; i < ops; i++) {
		if (kind == 0 && frame_alloc(&pa) == 0)
			frame_free(pa);
		if (kind == 1 && frame_alloc_zeroed(&pa) == 0)
			frame_free(pa);
		if (kind == 2 && frame_alloc_contig(512, 512, &pa) == 0)
			frame_free_contig(pa, 512);
	}
	return hal_now_ns() - t0;
}

int main(int argc, char **argv)
{
	bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
	struct hal_sim_config cfg = { .pcpus = 4, .nranges = 1,
		.ranges = { { { 0x80000000ull }, 256ull << 20 } } };
	unsigned ops = OPS;

	if (hal_sim_init(&cfg) || frame_init()) {
		fprintf(stderr, "bench/frame: machine setup failed\n");
		return 1;
	}
	record("alloc+free", 1, time_single(0, ops), ops);
	record("alloc_zeroed+free", 1, time_single(1, ops / 10), ops / 10);
	record("contig 2MiB+free", 1, time_single(2, ops / 100), ops / 100);
	for (contend_cpus = 2; contend_cpus <= 4; contend_cpus *= 2) {
		atomic_store(&ready, 0);
		uint64_t t0 = hal_now_ns();
		for (unsigned i = 1; i < contend_cpus; i++)
			hal_pcpu_start(i, alloc_free_loop, &ops);
		alloc_free_loop(&ops);
		for (unsigned i = 1; i < contend_cpus; i++)
			hal_sim_join(i);
		record("alloc+free contended", contend_cpus, hal_now_ns() - t0, ops * contend_cpus);
	}
	if (json) {
		printf("{\"bench\": \"frame\", \"results\": [");
		for (unsigned i = 0; i < nresults; i++)
			printf("%s{\"op\": \"%s\", \"pcpus\": %u, \"ns_per_op\": %.1f}", i ? ", " : "",
			       results[i].name, results[i].pcpus, results[i].ns_per_op);
		printf("]}\n");
	} else {
		printf("%-24s %6s %12s %14s\n", "operation", "pCPUs", "ns/op", "ops/s (total)");
		for (unsigned i = 0; i < nresults; i++)
			printf("%-24s %6u %12.1f %14.0f\n", results[i].name, results[i].pcpus,
			       results[i].ns_per_op, 1e9 / results[i].ns_per_op);
	}
	hal_sim_fini();
	return 0;
}
