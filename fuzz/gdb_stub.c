/* fuzz/gdb_stub: arbitrary bytes from a gdb client into the stub (core/gdb.c) attached to
 * a live VM: two vCPUs running guest-engine programs (stores, spins, a CPU_ON, a loop
 * that waits on memory the client may write) time-shared on one pCPU, which runs the
 * scheduler between the input's chunks, as a host's housekeeping polls between its
 * rounds. A second VM runs beside it, never debugged. Any crash, sanitizer report or
 * leak (frames not back after both VMs are destroyed) is a finding, and so is:
 *   - a reply that is not framed right ('+', '-', or "$...#xx" with the right
 *     checksum) or is longer than the PacketSize offered;
 *   - any change to the other VM's memory (the stub reaches one VM only);
 *   - after the client hangs up, the stub still attached, the VM still pointing at it,
 *     a vCPU still held, trapping its debug exceptions (MDCR_EL2.TDE) or stepping, or a
 *     vCPU poisoned or left on the pCPU;
 *   - a planted breakpoint left in guest memory after the detach.
 *
 * Input: chunks, each a command byte and a length byte n, then (for the first two) n
 * bytes:
 *   cmd % 4 == 0: raw bytes to the stub, as they come (acks, 0x03, noise, packets
 *                 the input frames itself)
 *   cmd % 4 == 1: a packet: '$', the n bytes, '#', their checksum (the target frames
 *                 it, so that the fuzzer explores what packets say)
 *   cmd % 4 == 2: run the scheduler for n + 1 rounds, then let the stub poll
 *   cmd % 4 == 3: the client hangs up (a new one may come with the next bytes)
 * A chunk cut short by the end of the input is given as far as it goes. */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "core/cpu.h"
#include "core/frame.h"
#include "core/gdb.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/vm.h"
#include "fuzz/fuzz_util.h"
#include "hal-sim/engine.h"
#include "hal-sim/sim.h"
#include "hal/time.h"

#define RAM 0x40000000ull
#define RAM_SIZE 0x10000ull
#define LAZY 0x40100000ull
/* The other VM's RAM the check covers: the same IPAs as the debugged VM's, other
 * frames, past its program's words (which its engine places at its entry). */
#define OTHER_DATA 0x40004000ull
#define OTHER_DATA_SIZE 0xC000ull
#define TICK_NS 200000ull
#define ROUND_DEADLINE_NS 2000000ull
#define FLAG 0x40008000ull /* vCPU 0 waits until this doubleword is 1 */

static struct {
	struct vm *vm, *other;
	struct gdb_stub stub;
	atomic_uint rounds;
	unsigned round_limit;
	uint64_t deadline;
	struct timer tick;
	uint64_t other_sum;
	/* The reply parser: a packet being checked. */
	int st; /* 0: between packets; 1: in one; 2, 3: its checksum digits */
	size_t len;
	uint8_t sum, got;
} F;

static const struct action prog0[] = {
	{ .kind = ACT_SET_REG, .reg = 5, .value = 0x1111 },
	{ .kind = ACT_HVC, .args = { PSCI_CPU_ON_64, 1, RAM + 0x1000, 0 } },
	{ .kind = ACT_STORE, .ldst = { .store = true, .size = 3, .reg64 = true, .rt = 1, .rn = 2 },
	  .addr = RAM + 0x8008, .value = 0xabcd },
	{ .kind = ACT_SPIN, .value = 40 },
	{ .kind = ACT_LOAD, .ldst = { .size = 3, .reg64 = true, .rt = 7, .rn = 2 }, .addr = LAZY },
	{ .kind = ACT_WAIT64, .ldst = { .size = 3, .reg64 = true, .rt = 1, .rn = 28 },
	  .addr = FLAG, .value = 1 },
	{ .kind = ACT_SET_REG, .reg = 6, .value = 0x2222 },
	{ .kind = ACT_END },
};

static const struct action prog1[] = {
	{ .kind = ACT_SET_REG, .reg = 9, .value = 0x9999 },
	{ .kind = ACT_SPIN, .value = 100 },
	{ .kind = ACT_STORE, .ldst = { .store = true, .size = 3, .reg64 = true, .rt = 1, .rn = 2 },
	  .addr = RAM + 0x8010, .value = 0x5555 },
	{ .kind = ACT_WFI },
	{ .kind = ACT_END },
};

static const struct action prog_other[] = {
	{ .kind = ACT_SPIN, .value = 1000000000 },
};

/* Every reply byte through a parser of the framing. */
static int check_reply(void *ctx, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	(void)ctx;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];
		switch (F.st) {
		case 0:
			CHECK(c == '+' || c == '-' || c == '$');
			if (c == '$') {
				F.st = 1;
				F.len = 0;
				F.sum = 0;
			}
			break;
		case 1:
			if (c == '#') {
				F.st = 2;
				break;
			}
			CHECK(c != '$');
			F.sum = (uint8_t)(F.sum + c);
			CHECK(++F.len <= 2 * GDB_PACKET_MAX); /* escapes may double it */
			break;
		default: {
			unsigned v = c >= '0' && c <= '9'   ? c - '0'
				     : c >= 'a' && c <= 'f' ? c - 'a' + 10
							    : 99;
			CHECK(v < 16);
			if (F.st == 2) {
				F.got = (uint8_t)(v << 4);
				F.st = 3;
			} else {
				CHECK((uint8_t)(F.got | v) == F.sum);
				F.st = 0;
			}
		}
		}
	}
	return 0;
}

static void machine_once(void)
{
	static bool up;
	if (up)
		return;
	int fd = open("/dev/null", O_WRONLY); /* the guests' and the log's lines */
	CHECK(fd >= 0 && dup2(fd, STDOUT_FILENO) == STDOUT_FILENO);
	close(fd);
	setvbuf(stdout, NULL, _IONBF, 0);
	struct hal_sim_config cfg = { .pcpus = 1 };
	CHECK(hal_sim_init(&cfg) == 0);
	CHECK(frame_init() == 0);
	CHECK(cpu_boot_init() == 0);
	CHECK(cpu_init_this() == 0);
	sched_init(SCHED_TIMESHARED, 50000);
	engine_install();
	log_set_level(LOG_ERROR);
	up = true;
}

static uint64_t other_sum(void)
{
	static uint8_t buf[OTHER_DATA_SIZE];
	uint64_t h = 1469598103934665603ull;

	CHECK(as_read(&F.other->as, gpa_make(OTHER_DATA), buf, sizeof(buf)) == 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		h = (h ^ buf[i]) * 1099511628211ull;
	return h;
}

static void tick(struct timer *t, void *arg)
{
	(void)arg;
	if (hal_now_ns() > F.deadline) {
		sched_kick_all(); /* a spinning vCPU leaves: run_done is asked */
		return;
	}
	timer_arm(t, hal_now_ns() + TICK_NS);
}

static bool run_done(void *arg)
{
	(void)arg;
	return atomic_fetch_add(&F.rounds, 1) >= F.round_limit || hal_now_ns() > F.deadline;
}

static void run_rounds(unsigned n)
{
	atomic_store(&F.rounds, 0);
	F.round_limit = n;
	F.deadline = hal_now_ns() + ROUND_DEADLINE_NS;
	timer_arm(&F.tick, hal_now_ns() + TICK_NS);
	sched_run(run_done, NULL);
	timer_cancel(&F.tick);
	gdb_poll(&F.stub);
}

static void give(const uint8_t *p, size_t n)
{
	while (n) {
		size_t took = gdb_receive(&F.stub, p, n);
		if (!took) { /* a packet waits for the VM to stop: let it */
			run_rounds(4);
			took = gdb_receive(&F.stub, p, n);
			if (!took)
				return; /* still waiting: the rest of this chunk is dropped */
		}
		p += took;
		n -= took;
	}
}

static void packet(const uint8_t *p, size_t n)
{
	uint8_t buf[300];
	uint8_t sum = 0;

	buf[0] = '$';
	memcpy(buf + 1, p, n);
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	buf[n + 1] = '#';
	buf[n + 2] = "0123456789abcdef"[sum >> 4];
	buf[n + 3] = "0123456789abcdef"[sum & 15];
	give(buf, n + 4);
}

static struct vm *make_vm(const char *name, const struct action *p0, unsigned n0,
			  const struct action *p1, unsigned n1)
{
	struct vm_config cfg = {
		.name = name, .nvcpus = 2, .entry = { RAM }, .nmem = 2,
		.mem = { { { RAM }, RAM_SIZE, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, 0x10000, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } } },
	};
	struct vm *vm;
	CHECK(vm_create(&cfg, &vm) == 0);
	struct engine_program a = { p0, n0 }, b = { p1, n1 };
	CHECK(engine_load(vm_vmid(vm), 0, &a) == 0);
	if (p1)
		CHECK(engine_load(vm_vmid(vm), 1, &b) == 0);
	return vm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	machine_once();
	size_t baseline = frame_outstanding();
	F.vm = make_vm("dbg", prog0, sizeof(prog0) / sizeof(prog0[0]), prog1,
		       sizeof(prog1) / sizeof(prog1[0]));
	F.other = make_vm("other", prog_other, 1, NULL, 0);
	static uint64_t pattern[OTHER_DATA_SIZE / 8];
	for (size_t k = 0; k < OTHER_DATA_SIZE / 8; k++)
		pattern[k] = (k + 1) * 0x9E3779B97F4A7C15ull;
	CHECK(as_write(&F.other->as, gpa_make(OTHER_DATA), pattern, sizeof(pattern)) == 0);
	F.other_sum = other_sum();
	F.st = 0;
	gdb_init(&F.stub, F.vm, check_reply, NULL);
	timer_init(&F.tick, tick, NULL);
	CHECK(vm_start(F.vm) == 0);
	CHECK(vm_start(F.other) == 0);

	size_t i = 0;
	while (i + 2 <= size) {
		uint8_t cmd = data[i], n = data[i + 1];
		i += 2;
		size_t avail = size - i < n ? size - i : n;
		switch (cmd % 4) {
		case 0: give(data + i, avail); i += avail; break;
		case 1: packet(data + i, avail); i += avail; break;
		case 2: run_rounds((unsigned)n + 1); break;
		default:
			gdb_hangup(&F.stub);
			F.st = 0; /* a new client starts with a clean line */
			break;
		}
	}

	/* The client goes: the stub lets the VM run on, as it found it. */
	gdb_hangup(&F.stub);
	for (unsigned k = 0; k < 200 && gdb_attached(&F.stub); k++)
		run_rounds(4);
	CHECK(!gdb_attached(&F.stub));
	CHECK(F.vm->debugger == NULL);
	for (unsigned c = 0; c < F.vm->nvcpus; c++) {
		struct vcpu *v = vm_vcpu(F.vm, c);
		CHECK(!vcpu_held(v));
		CHECK(!(v->arch.ctx.mdcr_el2 & MDCR_TDE));
		CHECK(!v->arch.dbg.attached && !v->arch.dbg.step);
	}
	for (unsigned k = 0; k < GDB_MAX_BREAKPOINTS; k++)
		CHECK(!F.stub.bp[k].used);
	CHECK(other_sum() == F.other_sum);

	vm_stop(F.vm, VM_STOP_REQUESTED);
	vm_stop(F.other, VM_STOP_REQUESTED);
	run_rounds(4); /* every vCPU off the pCPU */
	for (unsigned c = 0; c < 2; c++) {
		CHECK(vcpu_state(vm_vcpu(F.vm, c)) != VCPU_UNUSABLE);
		CHECK(vm_vcpu(F.vm, c)->pcpu == VCPU_NO_PCPU);
		CHECK(vm_vcpu(F.other, c)->pcpu == VCPU_NO_PCPU);
	}
	CHECK(vm_destroy(F.vm) == 0);
	CHECK(vm_destroy(F.other) == 0);
	F.vm = F.other = NULL;
	CHECK(frame_outstanding() == baseline);
	return 0;
}
