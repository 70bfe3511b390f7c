/* Running a scenario: build the machine, the VMs (with a PL011 each where declared)
 * and their guest programs, run every pCPU's scheduler until all programs are done
 * (or a VM powered itself off, or the timeout), then report each failed expectation
 * and give everything back. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/cpu.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/vm.h"
#include "core/vmset.h"
#include "hal-sim/engine.h"
#include "hal-sim/sim.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/time.h"
#include "tools/hvsim/hvsim.h"
#include "tools/scenario/scenario.h"

#define HOUSEKEEPING_NS 2000000ull

struct run {
	struct scenario scn;
	struct vm_spec specs[SCN_MAX_VMS];
	struct vmset set;
	struct vm **vms; /* set.vms */
	atomic_int done;
	atomic_int timed_out;
	uint64_t deadline;
	struct timer housekeeping;
};

static struct run R;

static bool program_done(unsigned v, unsigned c)
{
	if (!R.scn.vms[v].acts[c])
		return true;
	if (engine_finished(vm_vmid(R.vms[v]), c))
		return true;
	/* A VM that powered itself off (or reset) ends its programs; hvsim's own stop
	 * at the end of a run does not count. */
	uint32_t why = __atomic_load_n(&R.vms[v]->stop_reason, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&R.vms[v]->state, __ATOMIC_ACQUIRE) == VM_STOPPED &&
	       (why == VM_STOP_SYSTEM_OFF || why == VM_STOP_SYSTEM_RESET);
}

static bool everything_done(void)
{
	for (unsigned v = 0; v < R.scn.nvms; v++)
		for (unsigned c = 0; c < R.vms[v]->nvcpus; c++)
			if (!program_done(v, c))
				return false;
	return true;
}

/* Every few milliseconds on pCPU 0: console input to the first VM's UART, and the
 * check for the end of the run. */
static void housekeeping(struct timer *t, void *arg)
{
	char ch;
	(void)arg;

	while (hal_console_getc(&ch) == 0)
		vmset_console_input(&R.set, (uint8_t)ch);
	if (hal_now_ns() > R.deadline)
		atomic_store(&R.timed_out, 1);
	if (atomic_load(&R.timed_out) || everything_done()) {
		atomic_store(&R.done, 1);
		/* A vCPU that never blocks keeps its pCPU in static mode: stopping the VMs
		 * is what makes every pCPU's loop look at the done flag. */
		vmset_stop(&R.set, VM_STOP_REQUESTED);
		sched_kick_all();
		return;
	}
	timer_arm(t, hal_now_ns() + HOUSEKEEPING_NS);
}

static bool run_done(void *arg)
{
	(void)arg;
	return atomic_load(&R.done);
}

static void pcpu_main(void *arg)
{
	(void)arg;
	if (cpu_init_this() == 0) {
		sched_run(run_done, NULL);
		cpu_exit_this();
	}
}

static uint64_t ram_needed(const struct scenario *s)
{
	uint64_t need = 32ull << 20; /* tables, VM structures */
	for (unsigned v = 0; v < s->nvms; v++)
		for (unsigned m = 0; m < s->vms[v].cfg.nmem; m++)
			if (s->vms[v].cfg.mem[m].backend != AS_LINEAR && s->vms[v].cfg.mem[m].backend != AS_IDENTITY)
				need += s->vms[v].cfg.mem[m].size;
	need = (need + (1u << 21) - 1) & ~((1ull << 21) - 1);
	return need > (4ull << 30) ? 4ull << 30 : need;
}

/* The scenario's VMs through the same vmset the bare-metal image uses; hvsim runs the
 * programs, not guest images. */
static int build_vms(void)
{
	unsigned failed = 0;

	for (unsigned v = 0; v < R.scn.nvms; v++) {
		const struct scn_vm *sv = &R.scn.vms[v];
		R.specs[v] = (struct vm_spec){ .cfg = sv->cfg, .has_pl011 = sv->has_pl011,
					       .pl011_base = sv->pl011_base,
					       .pl011_irq = sv->pl011_irq };
	}
	R.vms = R.set.vms;
	int err = vmset_build(&R.set, R.specs, R.scn.nvms, &failed);
	if (err) {
		fprintf(stderr, "hvsim: vm %s: cannot be created (%d): check its memory, vCPUs "
				"and affinity against the machine\n", R.scn.vms[failed].name, err);
		return err;
	}
	for (unsigned v = 0; v < R.scn.nvms; v++)
		for (unsigned c = 0; c < R.scn.vms[v].cfg.nvcpus; c++)
			if (R.scn.vms[v].acts[c])
				engine_load(vm_vmid(R.vms[v]), c, &R.scn.vms[v].programs[c]);
	return 0;
}

static unsigned report(void)
{
	unsigned failures = 0;

	for (unsigned v = 0; v < R.scn.nvms; v++) {
		for (unsigned c = 0; c < R.vms[v]->nvcpus; c++) {
			struct engine_result r;
			if (!R.scn.vms[v].acts[c])
				continue;
			engine_result(vm_vmid(R.vms[v]), c, &r);
			if (r.failures) {
				printf("hvsim: FAIL vm %s vcpu %u: %s (%u failed expectations)\n",
				       R.scn.vms[v].name, c, r.first_failure, r.failures);
				failures += r.failures;
			} else if (!program_done(v, c) || !r.started) {
				printf("hvsim: FAIL vm %s vcpu %u: program %s\n", R.scn.vms[v].name, c,
				       r.started ? "did not finish" : "never ran");
				failures++;
			}
		}
	}
	return failures;
}

static void teardown(void)
{
	vmset_destroy(&R.set);
	cpu_exit_this();
	size_t left = frame_outstanding();
	hal_sim_fini();
	scn_free(&R.scn);
	if (left)
		printf("hvsim: %zu frames were not given back\n", left);
}

int run_scenario(const struct hvsim_options *o)
{
	char err[SCN_ERR_MAX];

	memset(&R, 0, sizeof(R));
	if (scn_load(o->scenario, &R.scn, err)) {
		fprintf(stderr, "%s\n", err);
		scn_free(&R.scn);
		return 2;
	}
	unsigned pcpus = o->pcpus ? o->pcpus : R.scn.pcpus ? R.scn.pcpus : 2;
	if (scn_place(&R.scn, o->scenario, pcpus, err)) {
		fprintf(stderr, "%s\n", err); /* static mode: not one pCPU for each vCPU */
		scn_free(&R.scn);
		return 2;
	}
	struct hal_sim_config cfg = { .pcpus = pcpus, .nranges = 1,
				      .ranges = { { HAL_SIM_DEFAULT_BASE, ram_needed(&R.scn) } } };
	if (hal_sim_init(&cfg) || frame_init() || cpu_boot_init() || cpu_init_this()) {
		fprintf(stderr, "hvsim: cannot build a machine of %u pCPUs\n", pcpus);
		hal_sim_fini();
		scn_free(&R.scn);
		return 2;
	}
	sched_init(R.scn.mode, R.scn.slice_ns);
	sched_set_seed(o->seed);
	engine_install();
	vm_set_trace(o->trace);
	printf("hvsim: %s: %u VMs on %u pCPUs, %s scheduling, seed %llu\n", o->scenario, R.scn.nvms,
	       pcpus, R.scn.mode == SCHED_STATIC ? "static" : "time-shared",
	       (unsigned long long)o->seed);
	int rc = 1;
	if (build_vms() == 0) {
		vmset_start(&R.set);
		R.deadline = hal_now_ns() + (uint64_t)o->timeout_s * 1000000000ull;
		timer_init(&R.housekeeping, housekeeping, NULL);
		timer_arm(&R.housekeeping, hal_now_ns() + HOUSEKEEPING_NS);
		for (unsigned i = 1; i < pcpus; i++)
			hal_pcpu_start(i, pcpu_main, NULL);
		sched_run(run_done, NULL);
		for (unsigned i = 1; i < pcpus; i++)
			hal_sim_join(i);
		timer_cancel(&R.housekeeping);
		unsigned failures = report();
		if (atomic_load(&R.timed_out))
			printf("hvsim: timed out after %u s\n", o->timeout_s);
		printf("hvsim: %s (%u failure%s)\n", failures ? "FAILED" : "passed", failures,
		       failures == 1 ? "" : "s");
		rc = failures ? 1 : 0;
	}
	teardown();
	return rc;
}
