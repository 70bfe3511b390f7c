/* The bare-metal image's program, the twin of tools/hvsim for the simulation host:
 * read the board from the DTB (core/fdt.c), carve the RAM the frame allocator may use,
 * turn on the EL2 MMU and the GIC, and bring every pCPU up through PSCI (the HAL in
 * hal-baremetal/aarch64/qemu-virt does each step). Then run the VMs of the
 * configuration compiled into the image (tandem_plan, from a scenario by tools/scn2c)
 * on every pCPU until all of them are off, give everything back, and power off (QEMU
 * exits with status 0). Boot arguments (QEMU -append): "trace" prints every exit in
 * hvsim --trace's format; "selftest" first proves the HAL on real (emulated) hardware
 * with the same core code the simulation host tests: cross-pCPU calls over SGIs,
 * software timers over the EL2 physical timer, frames from every pCPU. "gdb" (the
 * first VM) or "gdb=NAME" serves gdb's remote protocol for that VM on the console's
 * UART, shared with the console (see "gdb on the console's line" below); "gdb-wait"
 * holds the VM until a client attaches. "s1check" checks the software stage-1 walk
 * against the hardware's on the running guests (s1check.c). */
#include <stddef.h>

#include "core/cpu.h"
#include "core/fdt.h"
#include "core/frame.h"
#include "core/gdb.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/place.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/vmset.h"
#include "hal-baremetal/bm.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/debug.h"
#include "hal/time.h"
#include "tools/tandem/s1check.h"

struct bm_board bm_board;

extern char __image_start[], __image_end[];

void bm_primary_main(uint64_t dtb);
void bm_exception(uint64_t index, uint64_t esr, uint64_t elr, uint64_t far);

static const char *const vector_names[4] = { "synchronous", "IRQ", "FIQ", "SError" };
static const char *const origin_names[4] = { "EL2 with SP_EL0", "EL2", "a lower EL (AArch64)",
					     "a lower EL (AArch32)" };

void bm_exception(uint64_t index, uint64_t esr, uint64_t elr, uint64_t far)
{
	panic("unexpected %s exception from %s: ESR_EL2 0x%llx ELR_EL2 0x%llx FAR_EL2 0x%llx",
	      vector_names[index % 4], origin_names[(index / 4) % 4], (unsigned long long)esr,
	      (unsigned long long)elr, (unsigned long long)far);
}

/* Add [base, base + size) minus every hole to the usable RAM list, page-aligned. */
static void add_usable(uint64_t base, uint64_t size, const struct hal_mem_range *holes,
		       size_t nholes)
{
	uint64_t lo = (base + PAGE_SIZE - 1) & ~PAGE_MASK, hi = (base + size) & ~PAGE_MASK;

	for (size_t i = 0; i < nholes && lo < hi; i++) {
		uint64_t h0 = pa_bits(holes[i].base) & ~PAGE_MASK;
		uint64_t h1 = (pa_bits(holes[i].base) + holes[i].size + PAGE_SIZE - 1) & ~PAGE_MASK;
		if (h1 <= lo || h0 >= hi)
			continue;
		if (h0 > lo)
			add_usable(lo, h0 - lo, holes + i + 1, nholes - i - 1);
		lo = h1;
	}
	if (lo < hi && bm_board.nram < HAL_MAX_MEM_RANGES)
		bm_board.ram[bm_board.nram++] = (struct hal_mem_range){ pa_make(lo), hi - lo };
}

#include BM_BOARD_INC

/* The space-separated word of s (the boot arguments) that is w, or starts with w if w
 * ends in '=' (then *len is the length of what follows it): NULL if there is none. */
static const char *find_word(const char *s, const char *w, size_t *len)
{
	size_t n = td_strnlen(w, 64);
	bool prefix = n && w[n - 1] == '=';

	for (const char *p = s; *p;) {
		while (*p == ' ')
			p++;
		size_t k = 0;
		while (p[k] && p[k] != ' ')
			k++;
		if ((prefix ? k >= n : k == n) && td_strncmp(p, w, n) == 0) {
			if (len)
				*len = k - n;
			return p + n;
		}
		p += k;
	}
	return NULL;
}

static bool has_word(const char *s, const char *w)
{
	return find_word(s, w, NULL) != NULL;
}

/* ---- The self-test every pCPU runs when the boot arguments ask ---------------------- */

static bool selftest; /* "selftest" in the boot arguments; set before any secondary starts */
static uint32_t online, tested, finished, calls_seen[BM_MAX_PCPUS], timer_fired[BM_MAX_PCPUS];
static uint32_t frames_ok;

static void count_call(void *arg)
{
	uint32_t *slot = arg;
	__atomic_fetch_add(slot, 1, __ATOMIC_RELAXED);
}

static void timer_done(struct timer *t, void *arg)
{
	(void)t;
	__atomic_store_n((uint32_t *)arg, 1, __ATOMIC_RELEASE);
}

static void self_test(void)
{
	unsigned me = hal_pcpu_id(), n = hal_pcpu_count();
	struct ipi_msg msgs[BM_MAX_PCPUS] = { 0 };
	struct timer t;

	__atomic_fetch_add(&online, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&online, __ATOMIC_ACQUIRE) < n)
		hal_cpu_relax();
	/* A cross-pCPU call to every pCPU, itself included, over SGIs. */
	for (unsigned to = 0; to < n; to++)
		ipi_call(to, &msgs[to], count_call, &calls_seen[to]);
	/* A 2 ms software timer on the EL2 physical timer, waited for in WFI. */
	timer_init(&t, timer_done, &timer_fired[me]);
	uint64_t start = hal_now_ns();
	timer_arm(&t, start + 2000000);
	while (!__atomic_load_n(&timer_fired[me], __ATOMIC_ACQUIRE))
		cpu_idle();
	bool late_enough = hal_now_ns() >= start + 2000000;
	/* Frames: take, fill, check, give back. */
	struct phys_frame f[16];
	bool ok = late_enough;
	for (unsigned i = 0; i < 16; i++)
		ok = ok && phys_frame_alloc(&f[i]) == 0 && phys_frame_fill(&f[i], (uint8_t)(me + i)) == 0;
	for (unsigned i = 0; i < 16; i++)
		ok = ok && ((uint8_t *)phys_frame_ptr(&f[i]))[4095] == (uint8_t)(me + i) &&
		     phys_frame_free(&f[i]) == 0;
	if (ok)
		__atomic_fetch_add(&frames_ok, 1, __ATOMIC_RELAXED);
	/* Serve calls until every pCPU's arrived and ours were run. */
	for (;;) {
		bool done = __atomic_load_n(&calls_seen[me], __ATOMIC_ACQUIRE) == n;
		for (unsigned to = 0; to < n; to++)
			done = done && ipi_msg_done(&msgs[to]);
		if (done)
			break;
		cpu_handle_irqs();
		hal_cpu_relax();
	}
	log_info("pCPU %u: online, %u calls received, timer after %llu us%s", me,
		 __atomic_load_n(&calls_seen[me], __ATOMIC_ACQUIRE),
		 (unsigned long long)((hal_now_ns() - start) / 1000), ok ? "" : ", FRAME CHECK FAILED");
	__atomic_fetch_add(&tested, 1, __ATOMIC_ACQ_REL);
}

/* pCPU 0: its own self-test, then every pCPU's verdict. */
static void run_self_test(unsigned n)
{
	self_test();
	while (__atomic_load_n(&tested, __ATOMIC_ACQUIRE) < n)
		hal_cpu_relax();
	bool pass = __atomic_load_n(&frames_ok, __ATOMIC_ACQUIRE) == n && frame_outstanding() == 0;
	for (unsigned i = 0; i < n; i++)
		pass = pass && calls_seen[i] == n && timer_fired[i];
	log_info("Tandem: bare-metal self-test %s: %u pCPUs, cross-pCPU calls, host timers, frames",
		 pass ? "passed" : "FAILED", n);
	if (!pass)
		panic("self-test failed");
}

/* ---- Running the configured VMs ---------------------------------------------------- */

#define HOUSEKEEPING_NS 5000000ull
#define HOUSEKEEPING_GDB_NS 250000ull /* while gdb talks: 16 bytes of FIFO per tick */
#define CONSOLE_INPUT_MAX 4096        /* bytes read per tick: input cannot hold pCPU 0 */

extern const struct vm_plan tandem_plan;

static struct vmset vms;
static struct vm_spec placed[VMSET_MAX]; /* the plan's VMs, placed on this machine */
static struct placement placement;
static uint32_t vms_ready; /* 1: run them, 2: none to run */
static struct timer housekeeping;

static bool all_off(void *arg)
{
	(void)arg;
	return vmset_all_stopped(&vms);
}

/* ---- gdb on the console's line -------------------------------------------------------
 * QEMU's virt board has one UART, the console's, so gdb shares it (boot argument
 * "gdb[=NAME]"): console input goes through gdb_line_byte, which gives gdb's packets
 * (and, while it is attached, its acks and Ctrl-C) to the stub and every other byte to
 * the VM that owns the console, as without gdb, so a person typing "$" or Ctrl-C at a
 * guest keeps the line. The stub's packets go to the UART byte for byte
 * (bm_console_write_raw). While a client is attached every other output (Tandem's log,
 * the guests' lines) is diverted (bm_console_divert) and, while the VM runs, sent to
 * the client as 'O' packets, which gdb prints; while gdb holds the VM stopped it
 * waits, and at detach what is left goes to the UART as text. Everything that talks
 * to the stub runs here, on pCPU 0's housekeeping: a log line from inside the stub
 * only lands in the diverted ring, so nothing recurses. */

static struct gdb_stub stub;
static struct gdb_line line;
static bool gdb_on, gdb_wait;

static int gdb_out(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	return bm_console_write_raw(buf, len, HAL_DEBUG_WRITE_WAIT_NS);
}

/* pCPU 0, with the VMs built and not started: the stub, if the boot arguments ask. */
static void gdb_start(void)
{
	size_t len = 0;
	const char *name = find_word(bm_board.bootargs, "gdb=", &len);
	struct vm *vm = NULL;

	if (!name && !has_word(bm_board.bootargs, "gdb"))
		return;
	for (unsigned i = 0; i < vms.n && !vm; i++)
		if (!name || (td_strnlen(vms.vms[i]->name, 64) == len &&
			      td_strncmp(vms.vms[i]->name, name, len) == 0))
			vm = vms.vms[i];
	if (!vm) {
		log_err("Tandem: gdb: no VM named %.*s", (int)len, name);
		return;
	}
	gdb_init(&stub, vm, gdb_out, NULL);
	gdb_on = true;
	gdb_wait = has_word(bm_board.bootargs, "gdb-wait");
	for (unsigned i = 0; gdb_wait && i < vm->nvcpus; i++)
		vm_vcpu_stop(vm, i); /* held from the start: the client's attach finds it so */
	log_info("Tandem: gdb: vm %s on the console's UART%s (gdb-multiarch -ex 'target "
		 "remote ...')", vm->name, gdb_wait ? ", waiting for a client" : "");
}

/* Console input through the line filter: gdb's to the stub, the rest to the console.
 * A packet is only read once the stub has room for a whole one (the bytes wait in the
 * UART, and QEMU's socket behind it, meanwhile). */
static void console_input(void)
{
	static uint8_t out[sizeof(line.held) + 1];
	char ch;

	for (unsigned i = 0; i < CONSOLE_INPUT_MAX; i++) {
		if (gdb_on && gdb_rx_room(&stub) < sizeof(line.held))
			break;
		if (!gdb_on && vmset_console_room(&vms) == 0)
			break; /* the guest's UART is full: the bytes wait in QEMU's */
		if (hal_console_getc(&ch))
			break;
		if (!gdb_on) {
			vmset_console_input(&vms, (uint8_t)ch);
			continue;
		}
		size_t n = gdb_line_byte(&line, &stub, (uint8_t)ch, out);
		for (size_t k = 0; k < n; k++)
			vmset_console_input(&vms, out[k]);
		/* A client's first packet: from its reply on, no text on the line. */
		if (gdb_attached(&stub) && !bm_console_diverted())
			bm_console_divert(true);
	}
}

/* The stub's progress, and the console's output to the client while it is attached. */
static void gdb_housekeep(void)
{
	static char text[512];

	gdb_poll(&stub);
	if (gdb_attached(&stub)) {
		gdb_wait = false;
		if (!bm_console_diverted())
			bm_console_divert(true);
		/* Held stopped, gdb prints no output: it waits for the next resume. */
		for (unsigned i = 0; i < 16 && !gdb_holds_vm(&stub); i++) {
			size_t n = bm_console_take(text, sizeof(text));
			if (!n)
				break;
			gdb_console_output(&stub, text, n);
		}
	} else if (bm_console_diverted()) {
		bm_console_divert(false); /* detached: the console's again */
	}
}

/* Whether gdb is talking: the housekeeping comes round often then. */
static bool gdb_busy(void)
{
	return gdb_on && (gdb_attached(&stub) || gdb_wait || line.state != 0);
}

/* On pCPU 0: console input to the first VM's UART (and gdb's); once every VM is off,
 * wake every pCPU so that each leaves its scheduler loop. */
static void housekeep(struct timer *t, void *arg)
{
	(void)arg;

	/* Output the UART could not take when it was written (an NS16550A behind a busy
	 * socket keeps THRE clear until QEMU has sent its FIFO): a gdb reply waits in the
	 * console's ring for this, as the guests' lines wait for core's console pump. */
	(void)hal_console_poll();
	console_input();
	if (gdb_on)
		gdb_housekeep();
	if (vmset_all_stopped(&vms)) {
		sched_kick_all();
		return;
	}
	timer_arm(t, hal_now_ns() + (gdb_busy() ? HOUSEKEEPING_GDB_NS : HOUSEKEEPING_NS));
}

_Static_assert(VMSET_MAX <= PLACE_MAX_VMS, "every VM of a plan must be placeable");

/* Static partitioning: one pCPU of this machine for each vCPU of the plan, or false
 * with the reason logged. Time-shared plans keep their affinities. */
static bool place_vms(const struct vm_plan *p)
{
	unsigned n = p->nvms < VMSET_MAX ? p->nvms : VMSET_MAX;

	for (unsigned i = 0; i < n; i++)
		placed[i] = p->vms[i];
	if (p->mode != SCHED_STATIC)
		return true;
	placement = (struct placement){ .nvms = n };
	for (unsigned i = 0; i < n; i++) {
		placement.name[i] = placed[i].cfg.name;
		placement.nvcpus[i] = placed[i].cfg.nvcpus;
		memcpy(placement.affinity[i], placed[i].cfg.affinity, sizeof(placement.affinity[i]));
	}
	if (place_static(&placement, hal_pcpu_count())) {
		log_err("Tandem: %s: not running the VM configuration", placement.msg);
		return false;
	}
	for (unsigned i = 0; i < n; i++)
		memcpy(placed[i].cfg.affinity, placement.affinity[i], sizeof(placement.affinity[i]));
	return true;
}

/* pCPU 0, after the self-test: build the VMs, or say why there are none to run. A VM
 * Tandem refuses (host memory it may not have, a maximum that does not fit) is left
 * out with the reason; the others run. */
static bool prepare_vms(void)
{
	const struct vm_plan *p = &tandem_plan;
	struct vm_refusal why;

	if (!p->nvms)
		return false;
	if (p->pcpus > hal_pcpu_count()) {
		log_info("Tandem: the VM configuration is for %u pCPUs, this machine has %u: "
			 "not running it", p->pcpus, hal_pcpu_count());
		return false;
	}
	if (!place_vms(p))
		return false;
	sched_init(p->mode, p->slice_ns ? p->slice_ns : SCHED_DEFAULT_SLICE_NS);
	vm_set_trace(has_word(bm_board.bootargs, "trace"));
	vmset_init(&vms);
	for (unsigned i = 0; i < p->nvms && i < VMSET_MAX; i++)
		if (vmset_add(&vms, &placed[i], &why))
			log_err("Tandem: vm %s refused: %s", p->vms[i].cfg.name, why.why);
	if (!vms.n) {
		log_info("Tandem: no VM left to run");
		return false;
	}
	log_info("Tandem: running %u VMs on %u pCPUs, %s scheduling", vms.n, hal_pcpu_count(),
		 p->mode == SCHED_STATIC ? "static" : "time-shared");
	gdb_start();
	return true;
}

static void run_vms(void)
{
	while (!__atomic_load_n(&vms_ready, __ATOMIC_ACQUIRE))
		hal_cpu_relax();
	if (__atomic_load_n(&vms_ready, __ATOMIC_ACQUIRE) == 1) {
		s1check_start_this(&vms);
		sched_run(all_off, NULL);
		s1check_stop_this();
	}
}

static void secondary(void *arg)
{
	(void)arg;
	if (cpu_init_this() == 0) {
		if (selftest)
			self_test();
		run_vms();
		__atomic_fetch_add(&finished, 1, __ATOMIC_ACQ_REL);
		cpu_exit_this();
	}
}

void bm_primary_main(uint64_t dtb)
{
	bm_cpu_init(0);
	board_from_dtb(dtb);
	bm_mmu_init();
	if (bm_gic_init())
		panic("no usable " BM_IRQCHIP " in the DTB");
	bm_gic_cpu_init(0);
	int err = frame_init();
	if (err || (err = cpu_boot_init()) || (err = cpu_init_this()))
		panic("core bring-up failed: %d", err);
	log_info("Tandem at " BM_PRIVILEGE ": %u pCPUs, %zu frames of RAM in %zu ranges, "
		 "PA size %u bits",
		 hal_pcpu_count(), frame_total(), bm_board.nram, hal_cpu_pa_bits());
	selftest = has_word(bm_board.bootargs, "selftest");
	s1check_init(bm_board.bootargs);
	for (unsigned i = 1; i < hal_pcpu_count(); i++)
		if ((err = hal_pcpu_start(i, secondary, NULL)))
			panic("pCPU %u did not start: %d", i, err);
	unsigned n = hal_pcpu_count();
	if (selftest)
		run_self_test(n);
	bool run = prepare_vms();
	if (run) {
		vmset_start(&vms);
		timer_init(&housekeeping, housekeep, NULL);
		timer_arm(&housekeeping, hal_now_ns() + HOUSEKEEPING_NS);
	}
	__atomic_store_n(&vms_ready, run ? 1 : 2, __ATOMIC_RELEASE);
	run_vms();
	/* Every VM is off: wake the pCPUs that idle without a vCPU, so that they see it. */
	sched_kick_all();
	while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) < n - 1) {
		cpu_handle_irqs();
		hal_cpu_relax();
	}
	if (run) {
		timer_cancel(&housekeeping);
		if (gdb_on) { /* the client's last packets ("W00"), and the console back */
			gdb_poll(&stub);
			bm_console_divert(false);
		}
		for (unsigned i = 0; i < vms.n; i++)
			log_info("vm %u (%s): %llu guest IPIs, %llu physical interrupts forwarded, "
				 "%llu UNDEFs injected, %llu accesses to no device",
				 vms.vms[i]->id, vms.vms[i]->name,
				 (unsigned long long)vms.vms[i]->ipis_sent,
				 (unsigned long long)vms.vms[i]->irqs_forwarded,
				 (unsigned long long)vms.vms[i]->undefs,
				 (unsigned long long)vms.vms[i]->mmio_unhandled);
		if (vmset_destroy(&vms))
			panic("a VM still had a vCPU on a pCPU after every pCPU stopped");
		size_t left = frame_outstanding();
		log_info("Tandem: every VM is off, %zu frames not given back; powering off", left);
		if (left)
			panic("frames leaked");
	}
	hal_halt();
}
