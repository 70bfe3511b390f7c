/* Running a scenario: build the machine, the VMs (with a PL011 each where declared)
 * and their guest programs, run every pCPU's scheduler until all programs are done
 * (or a VM powered itself off, or the timeout), then report each failed expectation
 * and give everything back. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/frame.h"
#include "core/gdb.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/vm.h"
#include "core/vmset.h"
#include "hal-sim/engine.h"
#include "hal-sim/sim.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/debug.h"
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
	uint8_t *files[SCN_MAX_VMS][3]; /* each VM's kernel, initrd and dtb, as read */
	bool gdb;            /* a stub serves R.gdb_stub.vm */
	bool gdb_wait;       /* and the VM waits for its first client */
	unsigned timeout_s;
	struct gdb_stub gdb_stub;
};

#define BOOT_FILE_MAX (512ull << 20)

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
	/* (A VM stopped on request before the end of the run: a debugger's kill.) */
	return __atomic_load_n(&R.vms[v]->state, __ATOMIC_ACQUIRE) == VM_STOPPED &&
	       (why == VM_STOP_SYSTEM_OFF || why == VM_STOP_SYSTEM_RESET ||
		(why == VM_STOP_REQUESTED && R.gdb && R.vms[v] == R.gdb_stub.vm));
}

static bool everything_done(void)
{
	if (R.gdb && (gdb_attached(&R.gdb_stub) || R.gdb_wait))
		return false; /* the client says when: detach, or kill */
	for (unsigned v = 0; v < R.scn.nvms; v++)
		for (unsigned c = 0; c < R.vms[v]->nvcpus; c++)
			if (!program_done(v, c))
				return false;
	return true;
}

static int gdb_out(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	return hal_debug_write(buf, len);
}

/* The client's bytes into the stub as far as it takes them (the rest wait in the
 * socket), and the stub's progress. A client gone makes the stub let the VM go. */
static void gdb_housekeeping(void)
{
	uint8_t buf[512];

	for (;;) {
		size_t room = gdb_rx_room(&R.gdb_stub);
		long n = room ? hal_debug_read(buf, room < sizeof(buf) ? room : sizeof(buf)) : 0;
		if (n == -EPIPE || (n == -ENOTCONN && gdb_attached(&R.gdb_stub)))
			gdb_hangup(&R.gdb_stub);
		if (n <= 0)
			break;
		gdb_receive(&R.gdb_stub, buf, (size_t)n);
	}
	gdb_poll(&R.gdb_stub);
	if (gdb_attached(&R.gdb_stub))
		R.gdb_wait = false;
	if (gdb_attached(&R.gdb_stub) || R.gdb_wait) /* a person at a breakpoint is no hang */
		R.deadline = hal_now_ns() + (uint64_t)R.timeout_s * 1000000000ull;
}

/* Every few milliseconds on pCPU 0 (more often while a debugger is attached): console
 * input to the first VM's UART, the gdb stub, and the check for the end of the run. */
static void housekeeping(struct timer *t, void *arg)
{
	char ch;
	(void)arg;

	/* Only while the UART has room: the rest waits in the pipe or terminal. */
	while (vmset_console_room(&R.set) != 0 && hal_console_getc(&ch) == 0)
		vmset_console_input(&R.set, (uint8_t)ch);
	if (R.gdb)
		gdb_housekeeping();
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
	timer_arm(t, hal_now_ns() + (R.gdb && gdb_attached(&R.gdb_stub) ? HOUSEKEEPING_NS / 8
								       : HOUSEKEEPING_NS));
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

/* hvsim's RAM starts at HAL_SIM_DEFAULT_BASE: enough for the VMs' eager and lazy
 * memory and Tandem's own (tables, VM structures), and reaching far enough that the
 * host RAM of every linear or identity region above its base is RAM too. Tandem
 * allocates from the bottom, so a linear region placed high (at 0x90000000, say)
 * finds its frames free. */
static uint64_t ram_needed(const struct scenario *s)
{
	uint64_t need = 32ull << 20, top = 0;

	for (unsigned v = 0; v < s->nvms; v++)
		for (unsigned m = 0; m < s->vms[v].cfg.nmem; m++) {
			const struct vm_mem_config *r = &s->vms[v].cfg.mem[m];
			paddr_t host = r->backend == AS_IDENTITY ? pa_of_identity(r->gpa) : r->hpa;
			uint64_t hpa = pa_bits(host);
			if (r->backend == AS_ALLOC_EAGER || r->backend == AS_ALLOC_LAZY)
				need += r->size;
			else if (hpa >= HAL_SIM_DEFAULT_BASE && hpa - HAL_SIM_DEFAULT_BASE < (4ull << 30) &&
				 r->size <= (4ull << 30) && hpa + r->size - HAL_SIM_DEFAULT_BASE > top)
				top = hpa + r->size - HAL_SIM_DEFAULT_BASE;
		}
	need = need > top ? need : top + (16ull << 20);
	need = (need + (1u << 21) - 1) & ~((1ull << 21) - 1);
	return need > (4ull << 30) ? 4ull << 30 : need;
}

/* Read path (relative paths are the scenario file's directory's) into *buf. */
static int read_boot_file(const char *scenario, const char *path, uint8_t **buf, size_t *size)
{
	char full[2 * SCN_PATH_MAX];
	const char *slash = strrchr(scenario, '/');

	if (path[0] == '/' || !slash)
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - scenario), scenario, path);
	FILE *f = fopen(full, "rb");
	if (!f) {
		fprintf(stderr, "hvsim: cannot read %s: %s\n", full, strerror(errno));
		return -1;
	}
	long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	if (n <= 0 || (uint64_t)n > BOOT_FILE_MAX || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "hvsim: %s: empty, unreadable or over 512 MiB\n", full);
		fclose(f);
		return -1;
	}
	*buf = malloc((size_t)n);
	*size = (size_t)n;
	bool ok = *buf && fread(*buf, 1, *size, f) == *size;
	fclose(f);
	if (!ok)
		fprintf(stderr, "hvsim: cannot read %s\n", full);
	return ok ? 0 : -1;
}

/* A VM's kernel, initrd and device tree into its spec, as the bare-metal image has
 * them compiled in. */
static int boot_spec(const char *file, unsigned v)
{
	const struct scn_vm *sv = &R.scn.vms[v];
	struct vm_boot_spec *b = &R.specs[v].boot;

	b->has_dtb_at = sv->has_devicetree;
	b->dtb_at = gpa_make(sv->devicetree_addr);
	if (!sv->kernel_path[0])
		return 0;
	if (read_boot_file(file, sv->kernel_path, &R.files[v][0], &b->kernel_size) ||
	    (sv->initrd_path[0] &&
	     read_boot_file(file, sv->initrd_path, &R.files[v][1], &b->initrd_size)) ||
	    (sv->dtb_path[0] && read_boot_file(file, sv->dtb_path, &R.files[v][2], &b->dtb_size)))
		return -1;
	b->kernel = R.files[v][0];
	b->initrd = R.files[v][1];
	b->dtb = R.files[v][2];
	b->bootargs = sv->has_bootargs ? sv->bootargs : NULL;
	b->psci_smc = sv->psci_smc;
	b->has_kaslr_seed = sv->has_kaslr_seed;
	b->kaslr_seed = sv->kaslr_seed;
	b->has_rng_seed = sv->has_rng_seed;
	b->rng_seed = sv->rng_seed;
	return 0;
}

/* The scenario's VMs through the same vmset the bare-metal image uses; hvsim runs the
 * programs, not guest images. A VM Tandem refuses is a configuration error: its
 * statement and the reason. */
static int build_vms(const char *file)
{
	struct vm_refusal why;
	unsigned failed = 0;

	for (unsigned v = 0; v < R.scn.nvms; v++) {
		const struct scn_vm *sv = &R.scn.vms[v];
		if ((sv->isa == SCN_ISA_RISCV64) != (bool)ARCH_DT_RISCV) {
			fprintf(stderr, "%s:%u: vm %s: is %s; this hvsim runs " ARCH_NAME
				" vCPUs (build with -Disa=%s)\n", file, sv->line, sv->name,
				sv->isa == SCN_ISA_RISCV64 ? "riscv64" : "aarch64",
				sv->isa == SCN_ISA_RISCV64 ? "riscv64" : "aarch64");
			return -EINVAL;
		}
		R.specs[v] = (struct vm_spec){ .cfg = sv->cfg, .has_pl011 = sv->has_pl011,
					       .pl011_base = gpa_make(sv->pl011_base),
					       .pl011_irq = sv->pl011_irq,
					       .has_ns16550 = sv->has_ns16550,
					       .ns16550_base = gpa_make(sv->ns16550_base),
					       .ns16550_irq = sv->ns16550_irq };
		if (boot_spec(file, v))
			return -EINVAL;
	}
	R.vms = R.set.vms;
	int err = vmset_build(&R.set, R.specs, R.scn.nvms, &failed, &why);
	if (err) {
		const struct scn_vm *sv = &R.scn.vms[failed];
		unsigned line = why.mem >= 0 && (unsigned)why.mem < sv->cfg.nmem ? sv->mem_line[why.mem]
										  : sv->line;
		fprintf(stderr, "%s:%u: vm %s: %s\n", file, line, sv->name, why.why);
		return err;
	}
	for (unsigned v = 0; v < R.scn.nvms; v++)
		for (unsigned c = 0; c < R.scn.vms[v].cfg.nvcpus; c++)
			if (R.scn.vms[v].acts[c])
				engine_load(vm_vmid(R.vms[v]), c, &R.scn.vms[v].programs[c]);
	return 0;
}

/* What every VM holds, before they are destroyed. */
static void report_frames(void)
{
	for (unsigned v = 0; v < R.set.n; v++) {
		struct frame_account f = frame_account_read(&R.vms[v]->frames);
		printf("hvsim: vm %s: %zu frames in use, peak %zu, %zu reserved\n", R.vms[v]->name,
		       f.in_use, f.peak, f.reserved);
	}
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

/* A stub for the VM o names, listening before the VMs start. */
static int start_gdb(const struct hvsim_options *o)
{
	unsigned port = 0;
	struct vm *vm = NULL;

	for (unsigned v = 0; v < R.scn.nvms && !vm; v++)
		if (!o->gdb_vm || strcmp(R.vms[v]->name, o->gdb_vm) == 0)
			vm = R.vms[v];
	if (!vm) {
		fprintf(stderr, "hvsim: --gdb: no VM named %s\n", o->gdb_vm);
		return -1;
	}
	int err = hal_debug_listen(o->gdb_port, &port);
	if (err) {
		fprintf(stderr, "hvsim: --gdb: cannot listen on port %u: %s\n", o->gdb_port,
			strerror(-err));
		return -1;
	}
	gdb_init(&R.gdb_stub, vm, gdb_out, NULL);
	R.gdb = true;
	R.gdb_wait = o->gdb_wait;
	for (unsigned i = 0; o->gdb_wait && i < vm->nvcpus; i++)
		vm_vcpu_stop(vm, i); /* held from the start: the client's attach finds it so */
	printf("hvsim: gdb: vm %s on 127.0.0.1:%u (gdb-multiarch -ex 'target remote :%u')\n",
	       vm->name, port, port);
	fflush(stdout);
	return 0;
}

/* Destroy everything; the number of frames not given back. */
static size_t teardown(void)
{
	if (R.gdb) { /* the client sees the connection end */
		hal_debug_close();
		R.gdb = false;
	}
	vmset_destroy(&R.set);
	for (unsigned v = 0; v < SCN_MAX_VMS; v++)
		for (unsigned i = 0; i < 3; i++)
			free(R.files[v][i]);
	cpu_exit_this();
	size_t left = frame_outstanding();
	hal_sim_fini();
	scn_free(&R.scn);
	if (left)
		printf("hvsim: %zu frames were not given back\n", left);
	return left;
}

int run_scenario(const struct hvsim_options *o)
{
	char err[SCN_ERR_MAX];

	memset(&R, 0, sizeof(R));
	R.timeout_s = o->timeout_s;
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
	uint64_t ram = o->ram ? o->ram : ram_needed(&R.scn);
	uint64_t hz = o->counter_hz ? o->counter_hz : R.scn.counter_hz;
	struct hal_sim_config cfg = { .pcpus = pcpus, .counter_hz = hz, .nranges = 1,
				      .ranges = { { { HAL_SIM_DEFAULT_BASE }, ram } } };
	if (hal_sim_init(&cfg) || frame_init() || cpu_boot_init() || cpu_init_this()) {
		fprintf(stderr, "hvsim: cannot build a machine of %u pCPUs\n", pcpus);
		hal_sim_fini();
		scn_free(&R.scn);
		return 2;
	}
	hal_sim_console_set_speed(o->console_ns_per_byte);
	if (o->console_queue)
		hal_sim_console_set_queue(o->console_queue); /* empty now: cannot fail */
	sched_init(R.scn.mode, R.scn.slice_ns);
	sched_set_seed(o->seed);
	engine_install();
	vm_set_trace(o->trace);
	if (o->trace)
		hvsim_disasm_install();
	printf("hvsim: %s: %u VMs on %u pCPUs, %s scheduling, seed %llu, %llu MiB of RAM, "
	       "counter %llu Hz\n",
	       o->scenario, R.scn.nvms, pcpus, R.scn.mode == SCHED_STATIC ? "static" : "time-shared",
	       (unsigned long long)o->seed, (unsigned long long)(ram >> 20),
	       (unsigned long long)hal_counter_hz());
	bool built = build_vms(o->scenario) == 0;
	unsigned failures = 0;
	if (built && o->gdb && start_gdb(o))
		built = false;
	if (built) {
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
		/* Every guest line out before the verdict, so that hvsim's own lines come
		 * last and no guest output follows them. */
		vmset_flush(&R.set);
		hal_console_flush();
		failures = report();
		if (atomic_load(&R.timed_out))
			printf("hvsim: timed out after %u s\n", o->timeout_s);
		report_frames();
	}
	/* The VMs' end-of-life lines come from their destruction; the verdict is last. */
	if (teardown())
		failures++;
	if (!built)
		return 2;
	printf("hvsim: %s (%u failure%s)\n", failures ? "FAILED" : "passed", failures,
	       failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
