/* hvsim: the simulation host's command. For now it runs the foundation demo: N pCPU
 * threads each bring themselves up, tick on a software timer, allocate and fill frames
 * on every tick, and hand one frame per tick to the next pCPU in a ring through a
 * cross-pCPU call, where it is checked and freed. At the end every frame must be back.
 * Later issues make it run scenarios of VMs. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/frame.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/timer.h"
#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "hal/mm.h"
#include "hal/time.h"
#include "tools/hvsim/hvsim.h"

#define TICK_NS 2000000ull /* 2 ms */
#define BATCH_MAX 32

struct handoff {
	struct ipi_msg msg;
	paddr_t frame;
	unsigned from;
};

struct demo_cpu {
	struct timer tick;
	struct rand_state rng;
	unsigned rounds_done;
	unsigned handoffs_in;
	uint64_t frames;
	struct handoff *out; /* one per round */
};

static unsigned rounds = 5;
static unsigned npcpus = 4;
static struct demo_cpu demo[HAL_MAX_PCPUS];
static atomic_uint online;
static atomic_uint bad_frames;

static uint8_t pattern(unsigned from)
{
	return (uint8_t)(0xA0 + from);
}

/* Runs on the receiving pCPU: the frame must hold its sender's pattern. */
static void receive_frame(void *arg)
{
	struct handoff *h = arg;
	void *va;

	if (hal_phys_to_virt(h->frame, PAGE_SIZE, &va) != 0 ||
	    ((uint8_t *)va)[PAGE_SIZE - 1] != pattern(h->from))
		atomic_fetch_add(&bad_frames, 1);
	frame_free(h->frame);
	demo[hal_pcpu_id()].handoffs_in++;
}

static void on_tick(struct timer *t, void *arg)
{
	struct demo_cpu *d = arg;
	unsigned me = hal_pcpu_id(), next = (me + 1) % npcpus;
	unsigned batch = 1 + (unsigned)(rand_next(&d->rng) % BATCH_MAX);
	paddr_t got[BATCH_MAX];
	unsigned n = 0;

	while (n < batch && frame_alloc_zeroed(&got[n]) == 0)
		n++;
	d->frames += n;
	struct handoff *h = &d->out[d->rounds_done];
	*h = (struct handoff){ .from = me };
	if (n > 0) {
		struct phys_frame f = { got[0] };
		phys_frame_fill(&f, pattern(me));
		h->frame = got[0];
		ipi_call(next, &h->msg, receive_frame, h);
	}
	for (unsigned i = 1; i < n; i++)
		frame_free(got[i]);
	log_info("round %u: %u frames, frame 0x%llx to cpu%u", d->rounds_done + 1, n,
		 (unsigned long long)pa_bits(h->frame), next);
	if (++d->rounds_done < rounds)
		timer_arm(t, hal_now_ns() + TICK_NS);
}

static bool handoffs_done(const struct demo_cpu *d)
{
	for (unsigned i = 0; i < d->rounds_done; i++)
		if (pa_bits(d->out[i].frame) && !ipi_msg_done(&d->out[i].msg))
			return false;
	return true;
}

static void demo_pcpu(void *arg)
{
	unsigned me = hal_pcpu_id();
	struct demo_cpu *d = &demo[me];
	uint64_t seed = *(uint64_t *)arg;

	if (me != 0 && cpu_init_this() != 0)
		return;
	log_info("online");
	atomic_fetch_add(&online, 1);
	while (atomic_load(&online) < npcpus)
		hal_cpu_relax();
	rand_seed(&d->rng, seed * 1000003u + me);
	timer_init(&d->tick, on_tick, d);
	timer_arm(&d->tick, hal_now_ns() + TICK_NS);
	/* Every pCPU receives exactly `rounds` frames from its predecessor. */
	while (d->rounds_done < rounds || d->handoffs_in < rounds)
		cpu_idle();
	while (!handoffs_done(d)) {
		cpu_handle_irqs();
		hal_cpu_relax();
	}
	log_info("done: %u rounds, %llu frames, %u frames received", d->rounds_done,
		 (unsigned long long)d->frames, d->handoffs_in);
	if (me != 0)
		cpu_exit_this();
}

int demo_main(unsigned pcpus, unsigned nrounds, uint64_t seed)
{
	npcpus = pcpus;
	rounds = nrounds;
	struct hal_sim_config cfg = { .pcpus = npcpus };
	int err = hal_sim_init(&cfg);
	if (err || (err = frame_init()) || (err = cpu_boot_init()) || (err = cpu_init_this())) {
		fprintf(stderr, "hvsim: machine setup failed: %d\n", err);
		return 1;
	}
	printf("hvsim: %u pCPUs, %zu frames of RAM at 0x%llx, %u rounds, seed %llu\n", npcpus,
	       frame_total(), HAL_SIM_DEFAULT_BASE, rounds, (unsigned long long)seed);
	for (unsigned i = 0; i < npcpus; i++)
		demo[i].out = calloc(rounds, sizeof(struct handoff));
	for (unsigned i = 1; i < npcpus; i++)
		hal_pcpu_start(i, demo_pcpu, &seed);
	demo_pcpu(&seed);
	for (unsigned i = 1; i < npcpus; i++)
		hal_sim_join(i);

	uint64_t frames = 0;
	for (unsigned i = 0; i < npcpus; i++) {
		frames += demo[i].frames;
		free(demo[i].out);
	}
	size_t left = frame_outstanding();
	printf("hvsim: %llu frames allocated, %u cross-pCPU hand-offs, %u bad, %zu frames "
	       "outstanding at the end\n",
	       (unsigned long long)frames, npcpus * rounds, atomic_load(&bad_frames), left);
	cpu_exit_this();
	hal_sim_fini();
	return left == 0 && atomic_load(&bad_frames) == 0 ? 0 : 1;
}
