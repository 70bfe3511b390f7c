/* The gdb stub (core/gdb.c) against a real VM of the simulation host, its client played
 * by the test: packets framed and checksummed here, replies parsed and their checksums
 * checked. The VM is built but its vCPUs are run by no pCPU, so a stop completes at
 * once and each test decides when a vCPU "hits" something (gdb_debug_exit, or a trap
 * fed through vm_feed_trap). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "arch/aarch64/arch.h"
#include "arch/aarch64/sysreg.h"
#include "core/frame.h"
#include "core/gdb.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM 0x40000000ull
#define LAZY 0x40100000ull
#define DEV 0x09000000ull
#define NVCPUS 3

static struct vm *vm;
static struct gdb_stub stub;
static size_t baseline;
static char out[1 << 16];
static size_t out_len;
static bool client_gone;

static int fake_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (client_gone)
		return -EPIPE;
	ck_assert_uint_lt(out_len + len, sizeof(out));
	memcpy(out + out_len, buf, len);
	out_len += len;
	out[out_len] = 0;
	return 0;
}

static int dev_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	(void)ctx;
	(void)off;
	(void)width;
	ck_abort_msg("the stub read a device register");
	*value = 0;
	return 0;
}

static int dev_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	(void)ctx;
	(void)off;
	(void)width;
	(void)value;
	ck_abort_msg("the stub wrote a device register");
	return 0;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, NULL };

static void setup(void)
{
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
	struct vm_config cfg = {
		.name = "gdb", .nvcpus = NVCPUS, .entry = { RAM }, .nmem = 2,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { LAZY }, 64 * 1024, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } } },
		.ndevices = 1,
		.devices = { { { DEV }, 0x1000, &dev_ops, NULL } },
	};
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	gdb_init(&stub, vm, fake_write, NULL);
	out_len = 0;
	client_gone = false;
}

static void teardown(void)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].pcpu != VCPU_NO_PCPU)
			vcpu_put(&vm->vcpus[i]);
	ck_assert_int_eq(vm_destroy(vm), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	test_machine_down();
}

/* ---- The client's side ------------------------------------------------------------- */

/* As a transport does: what the stub does not take now is given again. */
static void feed(const void *bytes, size_t n)
{
	const uint8_t *p = bytes;

	while (n) {
		size_t took = gdb_receive(&stub, p, n);
		ck_assert_uint_gt(took, 0);
		p += took;
		n -= took;
	}
}

/* Send "$data#cs" (data may hold NULs: len given). */
static void send_raw(const char *data, size_t len)
{
	static char buf[2 * GDB_PACKET_MAX + 16];
	uint8_t sum = 0;

	ck_assert_uint_lt(len, sizeof(buf) - 4);
	buf[0] = '$';
	memcpy(buf + 1, data, len);
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + (uint8_t)data[i]);
	snprintf(buf + 1 + len, 4, "#%02x", sum);
	feed(buf, len + 4);
}

/* The payload of the last packet the stub sent, its checksum checked; "" if none. */
static char reply_buf[2 * GDB_PACKET_MAX + 8];
static const char *last_reply(void)
{
	char *start = NULL;

	for (size_t i = 0; i < out_len; i++)
		if (out[i] == '$')
			start = out + i + 1;
	if (!start)
		return NULL;
	char *hash = memchr(start, '#', out_len - (size_t)(start - out));
	ck_assert_ptr_nonnull(hash);
	ck_assert_uint_ge(out_len - (size_t)(hash - out), 3);
	uint8_t sum = 0;
	for (char *p = start; p < hash; p++)
		sum = (uint8_t)(sum + (uint8_t)*p);
	unsigned got;
	ck_assert_int_eq(sscanf(hash + 1, "%2x", &got), 1);
	ck_assert_uint_eq(got, sum);
	size_t n = (size_t)(hash - start);
	memcpy(reply_buf, start, n);
	reply_buf[n] = 0;
	return reply_buf;
}

/* Send a packet, expect its ack and return the reply. */
static const char *ask(const char *packet)
{
	out_len = 0;
	send_raw(packet, strlen(packet));
	if (!stub.no_ack)
		ck_assert_msg(out_len >= 1 && out[0] == '+', "no ack for %s", packet);
	const char *r = last_reply();
	ck_assert_msg(r != NULL, "no reply to %s", packet);
	return r;
}

static void ask_eq(const char *packet, const char *want)
{
	const char *r = ask(packet);
	ck_assert_msg(strcmp(r, want) == 0, "%s: got \"%s\", want \"%s\"", packet, r, want);
}

static void attach(void)
{
	ck_assert(!gdb_attached(&stub));
	ask("qSupported:multiprocess+;swbreak+;hwbreak+");
	ck_assert(gdb_attached(&stub));
	ask_eq("QStartNoAckMode", "OK");
}

static void hex_of(const void *p, size_t n, char *dst)
{
	for (size_t i = 0; i < n; i++)
		sprintf(dst + 2 * i, "%02x", ((const uint8_t *)p)[i]);
}

static uint64_t guest64(uint64_t gpa)
{
	uint64_t v;

	ck_assert_int_eq(as_read(&vm->as, gpa_make(gpa), &v, 8), 0);
	return v;
}

static void set_guest64(uint64_t gpa, uint64_t v)
{
	ck_assert_int_eq(as_write(&vm->as, gpa_make(gpa), &v, 8), 0);
}

/* ---- Framing ----------------------------------------------------------------------- */

START_TEST(test_packets_are_acked_and_bad_checksums_nacked)
{
	out_len = 0;
	feed("$qC#00", 6);
	ck_assert_uint_eq(out_len, 1);
	ck_assert_int_eq(out[0], '-');
	ck_assert_uint_eq(stub.bad_packets, 1);
	/* Not a hex digit in the checksum: dropped, and what follows still parses. */
	out_len = 0;
	feed("$qC#zz", 6);
	ck_assert_uint_eq(stub.bad_packets, 2);
	/* Before a session opens (qSupported, '?', '!'), a packet is answered empty and
	 * stops nothing: on a shared line a person may type one by chance. */
	ask_eq("qC", "");
	ask_eq("g", "");
	ck_assert(!gdb_attached(&stub));
	ck_assert(!vcpu_held(vm_vcpu(vm, 0)));
	ask_eq("?", "T02thread:1;");
	ck_assert(gdb_attached(&stub));
	ask_eq("qC", "QC1");
	/* Noise between packets, a packet restarted by '$', acks from the client. */
	out_len = 0;
	feed("++-xyz$qAtt$qAttached#8f", 24);
	ck_assert_str_eq(last_reply(), "1");
	/* A packet longer than the stub takes: refused whole, never cut. */
	static char big[GDB_PACKET_MAX + 100];
	memset(big, 'm', sizeof(big));
	out_len = 0;
	send_raw(big, sizeof(big));
	ck_assert_int_eq(out[0], '-');
	ask_eq("qAttached", "1");
}
END_TEST

START_TEST(test_no_ack_mode_sends_no_acks)
{
	attach();
	out_len = 0;
	send_raw("qC", 2);
	ck_assert_int_eq(out[0], '$'); /* no '+' first */
	out_len = 0;
	feed("$qC#00", 6);
	ck_assert_uint_eq(out_len, 0); /* and no '-' either */
}
END_TEST

START_TEST(test_reply_escapes_and_checksums)
{
	/* qXfer carries raw text: whatever it holds is escaped by the framing. Read the
	 * whole target description back and compare. */
	static char xml[1 << 16];
	size_t n = 0;
	char q[96];

	attach();
	for (;;) {
		snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,%x", n, 0x200);
		const char *r = ask(q);
		ck_assert(r[0] == 'm' || r[0] == 'l');
		/* unescape */
		for (const char *p = r + 1; *p; p++) {
			char c = *p;
			if (c == '}')
				c = (char)(*++p ^ 0x20);
			xml[n++] = c;
		}
		if (r[0] == 'l')
			break;
	}
	xml[n] = 0;
	ck_assert_str_eq(xml, arch_gdb_target_xml);
	ck_assert_ptr_nonnull(strstr(xml, "org.gnu.gdb.aarch64.core"));
	ck_assert_ptr_nonnull(strstr(xml, "org.gnu.gdb.aarch64.fpu"));
	snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,10", n + 100);
	ask_eq(q, "l");
	ask_eq("qXfer:features:read:other.xml:0,10", "E00");
	ask_eq("qXfer:features:read:target.xml:zz,10", "E16");
}
END_TEST

/* ---- Queries and threads ------------------------------------------------------------ */

START_TEST(test_queries_and_threads)
{
	attach();
	const char *r = ask("qSupported");
	ck_assert_ptr_nonnull(strstr(r, "PacketSize=1000"));
	ck_assert_ptr_nonnull(strstr(r, "qXfer:features:read+"));
	ck_assert_ptr_nonnull(strstr(r, "QStartNoAckMode+"));
	ask_eq("qfThreadInfo", "m1,2,3");
	ask_eq("qsThreadInfo", "l");
	ask_eq("qC", "QC1");
	ask_eq("T1", "OK");
	ask_eq("T3", "OK");
	ask_eq("T4", "E03");
	ask_eq("T0", "E03");
	ask_eq("Hg2", "OK");
	ask_eq("Hc-1", "OK");
	ask_eq("Hg4", "E16");
	ask_eq("Hx1", "E16");
	ask_eq("Hg", "E16");
	ask_eq("vCont?", "vCont;c;C;s;S");
	ask_eq("vMustReplyEmpty", "");
	ask_eq("qTStatus", "");
	ask_eq("Z1,40000000,4", ""); /* hardware breakpoints: not offered */
	ask_eq("!", "");
	ask_eq("?", "T02thread:1;");
	/* Extra info names the vCPU: hex of "vCPU 1, off" */
	char want[64];
	hex_of("vCPU 1, off", 11, want);
	ask_eq("qThreadExtraInfo,2", want);
}
END_TEST

START_TEST(test_monitor_lists_vcpus_and_switches_the_trace)
{
	char q[128] = "qRcmd,";

	attach();
	hex_of("vcpus", 5, q + 6);
	out_len = 0;
	send_raw(q, strlen(q));
	ck_assert_str_eq(last_reply(), "OK");
	/* The O packets before it: decode them all. */
	char text[4096] = "";
	size_t tn = 0;
	for (char *p = out; (p = strstr(p, "$O")) != NULL; p++) {
		for (char *h = p + 2; *h != '#' && tn < sizeof(text) - 1; h += 2) {
			unsigned b;
			sscanf(h, "%2x", &b);
			text[tn++] = (char)b;
		}
	}
	text[tn] = 0;
	ck_assert_ptr_nonnull(strstr(text, "thread 1: vCPU 0 stopped, on no pCPU"));
	ck_assert_ptr_nonnull(strstr(text, "thread 3: vCPU 2 off, on no pCPU"));
	hex_of("bogus", 5, q + 6);
	ask_eq(q, "E16");
	hex_of("trace on", 8, q + 6);
	ask_eq(q, "OK");
	hex_of("trace off", 9, q + 6);
	ask_eq(q, "OK");
	ask_eq("qRcmd,7", "E16"); /* odd hex */
}
END_TEST

/* ---- Registers ---------------------------------------------------------------------- */

START_TEST(test_registers_read_and_write)
{
	struct vcpu *v = vm_vcpu(vm, 1);
	char hex[2 * 800 + 1];

	for (unsigned i = 0; i < 31; i++)
		v->arch.ctx.x[i] = 0x1000 + i;
	v->arch.ctx.pc = 0x40000040;
	v->arch.ctx.pstate = PSR_MODE_EL1h | PSR_I;
	arch_vcpu_set_el1(&v->arch, SP_EL1, 0x4000f000);
	arch_vcpu_set_el1(&v->arch, SP_EL0, 0x1234);
	v->arch.ctx.fp.v[3][0] = 0x0123456789abcdefull;
	v->arch.ctx.fp.v[3][1] = 0xfedcba9876543210ull;
	v->arch.ctx.fp.fpcr = 0x03000000;
	attach();
	ask_eq("Hg2", "OK");
	const char *r = ask("g");
	ck_assert_uint_eq(strlen(r), 2 * (33 * 8 + 4 + 32 * 16 + 4 + 4));
	uint64_t x2 = 0x1002;
	hex_of(&x2, 8, hex);
	ck_assert_int_eq(strncmp(r + 2 * 8 * 2, hex, 16), 0);
	ask_eq("p1f", "00f0004000000000"); /* sp is SP_EL1 at EL1h */
	ask_eq("p20", "4000004000000000");
	ask_eq("p21", "85000000");
	ask_eq("p25", "efcdab89674523011032547698badcfe"); /* v3 */
	ask_eq("p43", "00000003");			      /* fpcr */
	ask_eq("p44", "E16");
	ask_eq("pzz", "E16");
	/* Writes. */
	ask_eq("P3=efbeadde00000000", "OK");
	ck_assert_uint_eq(v->arch.ctx.x[3], 0xdeadbeef);
	ask_eq("P20=0800004000000000", "OK");
	ck_assert_uint_eq(v->arch.ctx.pc, 0x40000008);
	ask_eq("P3=efbe", "E16"); /* short */
	ask_eq("P3=zzbeadde00000000", "E16");
	/* PSTATE: never a mode the guest cannot be in. */
	ask_eq("P21=09000000", "E16"); /* EL2h */
	ck_assert_uint_eq(v->arch.ctx.pstate, PSR_MODE_EL1h | PSR_I);
	ask_eq("P21=c4030000", "OK"); /* EL1t: SP is SP_EL0 now */
	ask_eq("p1f", "3412000000000000");
	/* G: every register; a short one sets the first ones only. */
	memset(hex, '0', 2 * 8 * 2);
	hex[2 * 8 * 2] = 0;
	char g[2 * 8 * 2 + 2] = "G";
	strcat(g, hex);
	ask_eq(g, "OK");
	ck_assert_uint_eq(v->arch.ctx.x[0], 0);
	ck_assert_uint_eq(v->arch.ctx.x[1], 0);
	ck_assert_uint_eq(v->arch.ctx.x[2], 0x1002);
	ask_eq("G0", "E16");
	ask_eq("Hg1", "OK");
	ck_assert_uint_eq(vm_vcpu(vm, 0)->arch.ctx.x[3], 0);
}
END_TEST

/* ---- Memory ------------------------------------------------------------------------- */

START_TEST(test_memory_by_guest_virtual_address_mmu_off)
{
	set_guest64(RAM + 0x100, 0x1122334455667788ull);
	attach();
	ask_eq("m40000100,8", "8877665544332211");
	ask_eq("M40000104,2:abcd", "OK");
	ck_assert_uint_eq(guest64(RAM + 0x100), 0x1122cdab55667788ull);
	/* X: binary, with '}' escapes: 0x23 '#', 0x7d '}' */
	char x[32] = "X40000100,3:";
	size_t n = strlen(x);
	x[n++] = '}';
	x[n++] = 0x23 ^ 0x20;
	x[n++] = '}';
	x[n++] = 0x7d ^ 0x20;
	x[n++] = 0;
	out_len = 0;
	send_raw(x, n);
	ck_assert_str_eq(last_reply(), "OK");
	ck_assert_uint_eq(guest64(RAM + 0x100) & 0xFFFFFF, 0x007d23);
	ask_eq("X40000100,0:", "OK");
	/* Across the end of RAM, at a device, nowhere, wrapping: errors, nothing read. */
	ask_eq("m4000fffc,8", "E0e");
	ask_eq("m9000000,4", "E0e");
	ask_eq("m0,4", "E0e");
	ask_eq("mfffffffffffffffc,8", "E16");
	ask_eq("M4000fffc,8:0000000000000000", "E0e");
	ask_eq("M40000100,2:abcdef", "E16");
	ask_eq("m40000100,fff", "E16"); /* more than a reply carries */
	ask_eq("m40000100", "E16");
	ask_eq("m1ffffffffffffffff,4", "E16");
	/* Lazy RAM: read as the guest would find it (zero), populated. */
	ask_eq("m40100000,4", "00000000");
}
END_TEST

/* A stage-1 table in guest RAM: VA 0x80000000 -> IPA RAM + 0x2000, VA 0x80001000 none. */
static void mmu_on(struct vcpu *v)
{
	uint64_t l1 = RAM + 0x8000, l2 = RAM + 0x9000, l3 = RAM + 0xA000;

	set_guest64(l1 + 2 * 8, l2 | 3);
	set_guest64(l2, l3 | 3);
	set_guest64(l3, (RAM + 0x2000) | S1_DESC_AF | 3);
	arch_vcpu_set_el1(&v->arch, TTBR0_EL1, l1);
	arch_vcpu_set_el1(&v->arch, TCR_EL1, 25 | (2ull << TCR_IPS_SHIFT) | TCR_EPD1);
	arch_vcpu_set_el1(&v->arch, SCTLR_EL1, SCTLR_EL1_M);
}

START_TEST(test_memory_through_the_guests_stage1)
{
	set_guest64(RAM + 0x2008, 0xcafef00dull);
	mmu_on(vm_vcpu(vm, 0));
	attach();
	ask_eq("m80000008,4", "0df0feca");
	ask_eq("m80001000,4", "E0e"); /* unmapped at stage 1 */
	ask_eq("M80000010,1:5a", "OK");
	ck_assert_uint_eq(guest64(RAM + 0x2010) & 0xFF, 0x5a);
	/* Another vCPU has its MMU off: the same address is no RAM there. */
	ask_eq("Hg2", "OK");
	ask_eq("m80000008,4", "E0e");
	ask_eq("m40002008,4", "0df0feca");
	/* A page across the mapped and the unmapped: refused whole. */
	ask_eq("Hg1", "OK");
	ask_eq("m80000ffc,8", "E0e");
	/* Tables pointing outside RAM: a fault, not a host read. */
	set_guest64(RAM + 0xA000, 0x09000000 | S1_DESC_AF | 3);
	ask_eq("m80000000,4", "E0e");
}
END_TEST

/* ---- Breakpoints --------------------------------------------------------------------- */

START_TEST(test_breakpoints_plant_brk_and_restore)
{
	set_guest64(RAM + 0x10, 0xd503201fd503201full); /* two NOPs */
	attach();
	ask_eq("Z0,40000010,4", "OK");
	ck_assert_uint_eq(guest64(RAM + 0x10), 0xd503201fd4200000ull);
	ask_eq("Z0,40000010,4", "OK"); /* twice: once */
	ask_eq("m40000010,8", "1f2003d51f2003d5"); /* gdb sees what it replaced */
	ask_eq("z0,40000010,4", "OK");
	ck_assert_uint_eq(guest64(RAM + 0x10), 0xd503201fd503201full);
	ask_eq("z0,40000010,4", "OK"); /* not there: done */
	ask_eq("Z0,40000010,2", "E16");
	ask_eq("Z0,40000012,4", "E0e"); /* not an instruction's address */
	ask_eq("Z0,9000000,4", "E0e");
	ask_eq("Z0,40000010", "E16");
	ask_eq("Z0,zz,4", "E16");
	ask_eq("Z3,40000010,8", "");
	/* The table fills; then there is no room. */
	char z[48];
	for (unsigned i = 0; i < GDB_MAX_BREAKPOINTS; i++) {
		snprintf(z, sizeof(z), "Z0,%x,4", (unsigned)(RAM + 0x1000 + 4 * i));
		ask_eq(z, "OK");
	}
	ask_eq("Z0,40000010,4", "E1c");
	/* Detach restores every one. */
	ask_eq("D", "OK");
	for (unsigned i = 0; i < GDB_MAX_BREAKPOINTS; i++)
		ck_assert_uint_eq(guest64(RAM + 0x1000 + 4 * i) & 0xFFFFFFFF, 0);
	ck_assert(!gdb_attached(&stub));
	ck_assert_ptr_null(vm->debugger);
}
END_TEST

/* Planted through one vCPU's stage 1, removed while gdb names another (MMU off): the
 * instruction goes back where it was taken from, not to the other's translation. */
START_TEST(test_breakpoint_comes_out_where_it_went_in)
{
	set_guest64(RAM + 0x2010, 0xd503201fd503201full);
	set_guest64(RAM + 0x10, 0x1111111122222222ull);
	mmu_on(vm_vcpu(vm, 0));
	attach();
	ask_eq("Hg1", "OK");
	ask_eq("Z0,80000010,4", "OK");
	ck_assert_uint_eq(guest64(RAM + 0x2010), 0xd503201fd4200000ull);
	ask_eq("Hg2", "OK");
	ask_eq("z0,80000010,4", "OK");
	ck_assert_uint_eq(guest64(RAM + 0x2010), 0xd503201fd503201full);
	ck_assert_uint_eq(guest64(RAM + 0x10), 0x1111111122222222ull);
}
END_TEST

/* ---- Stopping, resuming, stepping ------------------------------------------------------- */

static struct vm_exit brk_exit(uint64_t pc)
{
	return (struct vm_exit){ .kind = EXIT_DEBUG, .u.debug = { .step = false, .pc = { pc } } };
}

static struct vm_exit step_exit(uint64_t pc)
{
	return (struct vm_exit){ .kind = EXIT_DEBUG, .u.debug = { .step = true, .pc = { pc } } };
}

START_TEST(test_attach_stops_every_vcpu_and_detach_releases_them)
{
	for (unsigned i = 0; i < NVCPUS; i++)
		ck_assert(!vcpu_held(vm_vcpu(vm, i)));
	attach();
	for (unsigned i = 0; i < NVCPUS; i++) {
		struct vcpu *v = vm_vcpu(vm, i);
		ck_assert(vm_vcpu_stopped(vm, i));
		ck_assert(v->arch.ctx.mdcr_el2 & MDCR_TDE);
		ck_assert(v->arch.dbg.attached);
	}
	ck_assert(gdb_holds_vm(&stub));
	ask_eq("D", "OK");
	for (unsigned i = 0; i < NVCPUS; i++) {
		struct vcpu *v = vm_vcpu(vm, i);
		ck_assert(!vcpu_held(v));
		ck_assert(!(v->arch.ctx.mdcr_el2 & MDCR_TDE));
		ck_assert(!v->arch.dbg.attached);
	}
	ck_assert_uint_eq(vm_vcpu(vm, 0)->state, VCPU_FREE);
	ck_assert_uint_eq(vm_vcpu(vm, 1)->state, VCPU_OFF);
	/* A new client later: a new session. */
	attach();
	ask_eq("?", "T02thread:1;");
}
END_TEST

START_TEST(test_breakpoint_hit_stops_all_and_reports_the_thread)
{
	set_guest64(RAM + 0x20, 0xd503201fd503201full);
	attach();
	ask_eq("Z0,40000020,4", "OK");
	out_len = 0;
	send_raw("vCont;c", 7);
	ck_assert_uint_eq(out_len, 0); /* running: no reply yet */
	ck_assert(!vcpu_held(vm_vcpu(vm, 0)));
	ck_assert(!gdb_holds_vm(&stub));
	struct vm_exit e = brk_exit(RAM + 0x20);
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 0), &e), EXIT_RETRY);
	ck_assert(vcpu_held(vm_vcpu(vm, 0))); /* the vCPU holds itself at once */
	gdb_poll(&stub);
	ck_assert_str_eq(last_reply(), "T05swbreak:;thread:1;");
	for (unsigned i = 0; i < NVCPUS; i++)
		ck_assert(vm_vcpu_stopped(vm, i));
	ask_eq("qC", "QC1");
}
END_TEST

/* gdb takes a stop reply's thread as the one its register packets address next and
 * sends no Hg for it (its remote protocol: the stop's thread becomes the current one),
 * so the stub follows: after Hg1, a stop of thread 2 reads thread 2's registers. */
START_TEST(test_a_stop_makes_its_thread_the_register_thread)
{
	set_guest64(RAM + 0x20, 0xd503201fd503201full);
	vm_vcpu(vm, 0)->arch.ctx.pc = RAM;
	vm_vcpu(vm, 1)->arch.ctx.pc = RAM + 0x20;
	attach();
	ask_eq("Hg1", "OK");
	ask_eq("p20", "0000004000000000");
	ask_eq("Z0,40000020,4", "OK");
	out_len = 0;
	send_raw("vCont;c", 7);
	struct vm_exit e = brk_exit(RAM + 0x20);
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 1), &e), EXIT_RETRY);
	gdb_poll(&stub);
	ck_assert_str_eq(last_reply(), "T05swbreak:;thread:2;");
	ask_eq("p20", "2000004000000000");
	ask_eq("qC", "QC2");
}
END_TEST

START_TEST(test_simultaneous_stops_are_reported_one_by_one)
{
	set_guest64(RAM + 0x20, 0xd503201fd503201full);
	attach();
	ask_eq("vCont;s:2", "T05thread:2;"); /* vCPU 1 is off: its step is done at once */
	ask_eq("Z0,40000020,4", "OK");
	ask_eq("Z0,40000024,4", "OK");
	out_len = 0;
	send_raw("c", 1);
	struct vm_exit e0 = brk_exit(RAM + 0x20), e2 = brk_exit(RAM + 0x24);
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 2), &e2), EXIT_RETRY);
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 0), &e0), EXIT_RETRY);
	gdb_poll(&stub);
	ck_assert_str_eq(last_reply(), "T05swbreak:;thread:3;");
	/* The next continue reports the other without running anything. */
	ask_eq("c", "T05swbreak:;thread:1;");
	ck_assert(vm_vcpu_stopped(vm, 0));
	/* A queued stop whose breakpoint went meanwhile is dropped. */
	out_len = 0;
	send_raw("c", 1);
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 0), &e0), EXIT_RETRY);
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 2), &e2), EXIT_RETRY);
	gdb_poll(&stub);
	ck_assert_str_eq(last_reply(), "T05swbreak:;thread:1;");
	ask_eq("z0,40000024,4", "OK");
	out_len = 0;
	send_raw("c", 1);
	ck_assert(!vcpu_held(vm_vcpu(vm, 0)));
	ck_assert(!vcpu_held(vm_vcpu(vm, 2)));
	ck_assert_msg(out_len == 0, "sent %s", out); /* nothing sent */
}
END_TEST

START_TEST(test_interrupt_stops_a_running_vm)
{
	attach();
	out_len = 0;
	send_raw("vCont;c", 7);
	ck_assert(!vcpu_held(vm_vcpu(vm, 0)));
	feed("\x03", 1);
	gdb_poll(&stub);
	ck_assert_str_eq(last_reply(), "T02thread:1;");
	ck_assert(vm_vcpu_stopped(vm, 0));
	/* 0x03 while stopped, or before any client: nothing. */
	out_len = 0;
	feed("\x03", 1);
	ck_assert_uint_eq(out_len, 0);
}
END_TEST

START_TEST(test_break_before_attach_is_not_a_stop)
{
	feed("\x03", 1);
	ck_assert(!gdb_attached(&stub));
	ck_assert(!vcpu_held(vm_vcpu(vm, 0)));
}
END_TEST

START_TEST(test_step_sets_the_step_state_and_reports)
{
	struct vcpu *v = vm_vcpu(vm, 0);

	arch_vcpu_set_el1(&v->arch, MDSCR_EL1, MDSCR_KDE); /* the guest's own */
	attach();
	ck_assert_uint_eq(arch_vcpu_el1(&v->arch, MDSCR_EL1), 0);
	ck_assert_uint_eq(v->arch.dbg.mdscr, MDSCR_KDE);
	out_len = 0;
	send_raw("vCont;s:1;c", 11);
	out[out_len] = 0;
	ck_assert_msg(arch_vcpu_stepping(&v->arch), "out: %s target %d", out, stub.target);
	ck_assert_uint_eq(arch_vcpu_el1(&v->arch, MDSCR_EL1), MDSCR_SS);
	ck_assert(v->arch.ctx.pstate & PSR_SS);
	struct vm_exit e = step_exit(RAM + 4);
	/* Another vCPU's step exception is not the debugger's: back to the guest. */
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 2), &e), EXIT_REINJECT);
	ck_assert_int_eq(gdb_debug_exit(&stub, v, &e), EXIT_RETRY);
	ck_assert(!arch_vcpu_stepping(&v->arch));
	gdb_poll(&stub);
	ck_assert_str_eq(last_reply(), "T05thread:1;");
	ck_assert(!(v->arch.ctx.pstate & PSR_SS));
	ask_eq("D", "OK");
	ck_assert_uint_eq(arch_vcpu_el1(&v->arch, MDSCR_EL1), MDSCR_KDE);
}
END_TEST

START_TEST(test_a_brk_not_planted_goes_back_to_the_guest)
{
	set_guest64(RAM + 0x30, 0xd503201fd4210000ull); /* BRK #0x800, as WARN() has */
	attach();
	out_len = 0;
	send_raw("c", 1);
	struct vm_exit e = brk_exit(RAM + 0x30);
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 0), &e), EXIT_REINJECT);
	/* A breakpoint removed after the vCPU hit it: the instruction is run again. */
	e = brk_exit(RAM + 0x34);
	ck_assert_int_eq(gdb_debug_exit(&stub, vm_vcpu(vm, 0), &e), EXIT_RETRY);
	ck_assert(!vcpu_held(vm_vcpu(vm, 0)));
	ck_assert_uint_eq(out_len, 0);
}
END_TEST

/* Through the whole exit path of a vCPU bound here: decode, stub, completion. */
START_TEST(test_debug_exits_through_the_dispatcher)
{
	struct vcpu *v = vm_vcpu(vm, 0);
	struct vm_exit e;
	const uint64_t vbar = RAM + 0x800;

	ck_assert_int_eq(vcpu_bind(v), 0);
	arch_vcpu_set_el1(&v->arch, VBAR_EL1, vbar);
	v->arch.ctx.pc = RAM + 0x40;
	v->arch.ctx.pstate = PSR_MODE_EL1h;
	/* No debugger: a BRK goes back to the guest's EL1 with its syndrome. */
	struct guest_exit t = { .type = TRAP_SYNC,
				.esr = ((uint64_t)EC_BRK64 << ESR_EC_SHIFT) | ESR_IL | 0x800 };
	ck_assert_int_eq(vm_feed_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.kind, EXIT_DEBUG);
	ck_assert_int_eq(e.outcome, EXIT_REINJECT);
	ck_assert_uint_eq(arch_vcpu_el1(&v->arch, ESR_EL1), t.esr);
	ck_assert_uint_eq(arch_vcpu_el1(&v->arch, ELR_EL1), RAM + 0x40);
	ck_assert_uint_eq(v->arch.ctx.pc, vbar + VEC_CUR_SPX);
	/* A guest's own step from EL0, given back: EC 0x32 as its EL1 sees it. */
	v->arch.ctx.pc = RAM + 0x44;
	v->arch.ctx.pstate = PSR_MODE_EL0t;
	t.esr = ((uint64_t)EC_SSTEP_LOW << ESR_EC_SHIFT) | ESR_IL | ISS_SSTEP_ISV | ISS_SSTEP_IFSC;
	ck_assert_int_eq(vm_feed_trap(v, &t, &e), 0);
	ck_assert_uint_eq(ESR_EC(arch_vcpu_el1(&v->arch, ESR_EL1)), EC_SSTEP_LOW);
	ck_assert_uint_eq(v->arch.ctx.pc, vbar + VEC_LOWER_A64);
	/* An emulated instruction completes a step: PSTATE.SS cleared by the advance (a
	 * trapped SMC leaves SS set; core, not the early handler, answers it). */
	v->arch.ctx.pc = RAM + 0x48;
	v->arch.ctx.pstate = PSR_MODE_EL1h;
	v->arch.dbg.attached = true;
	arch_vcpu_debug_step(&v->arch, true);
	ck_assert(v->arch.ctx.pstate & PSR_SS);
	t.esr = ((uint64_t)EC_SMC64 << ESR_EC_SHIFT) | ESR_IL;
	v->arch.ctx.x[0] = 0x84000000; /* PSCI_VERSION */
	ck_assert_int_eq(vm_feed_trap(v, &t, &e), 0);
	ck_assert_uint_eq(v->arch.ctx.x[0], 0x10001);
	ck_assert_uint_eq(v->arch.ctx.pc, RAM + 0x4c);
	ck_assert(!(v->arch.ctx.pstate & PSR_SS));
	arch_vcpu_debug_step(&v->arch, false);
	/* Nor does the early handler answer an exit of a vCPU being stepped. */
	arch_vcpu_debug_step(&v->arch, true);
	ck_assert(!arch_exit_early_candidate(&v->arch.ctx, &t));
	ck_assert_int_eq(arch_exit_early(&v->arch.ctx, &t), HAL_EARLY_NO);
	arch_vcpu_debug_step(&v->arch, false);
	ck_assert(arch_exit_early_candidate(&v->arch.ctx, &t));
}
END_TEST

START_TEST(test_stepped_vcpu_takes_no_interrupt)
{
	struct vcpu *v = vm_vcpu(vm, 0);
	uint64_t kick = 0;

	attach();
	out_len = 0;
	send_raw("vCont;s:1", 9);
	ck_assert_int_eq(vm_inject_irq(vm, 0, 1), 0); /* an SGI pending */
	spin_lock(&vm->irq_lock);
	arch_irq_flush(&vm->arch, &v->arch, &kick);
	spin_unlock(&vm->irq_lock);
	ck_assert(!(v->arch.ctx.ich_hcr & ICH_HCR_EN));
	arch_vcpu_debug_step(&v->arch, false);
	spin_lock(&vm->irq_lock);
	arch_irq_sync(&vm->arch, &v->arch, &kick);
	arch_irq_flush(&vm->arch, &v->arch, &kick);
	spin_unlock(&vm->irq_lock);
	ck_assert(v->arch.ctx.ich_hcr & ICH_HCR_EN);
}
END_TEST

START_TEST(test_kill_stops_the_vm_and_ends_the_session)
{
	ck_assert_int_eq(vm_start(vm), 0);
	attach();
	out_len = 0;
	send_raw("k", 1);
	ck_assert(!gdb_attached(&stub));
	ck_assert_uint_eq(vm->state, VM_STOPPED);
	ck_assert_ptr_null(vm->debugger);
}
END_TEST

START_TEST(test_hangup_while_running_detaches_once_stopped)
{
	set_guest64(RAM + 0x20, 0xd503201fd503201full);
	attach();
	ask_eq("Z0,40000020,4", "OK");
	out_len = 0;
	send_raw("c", 1);
	client_gone = true;
	gdb_hangup(&stub);
	gdb_poll(&stub);
	ck_assert(!gdb_attached(&stub));
	ck_assert_uint_eq(guest64(RAM + 0x20), 0xd503201fd503201full);
	ck_assert(!vcpu_held(vm_vcpu(vm, 0)));
	ck_assert_ptr_null(vm->debugger);
}
END_TEST

/* A reset under a running client: a breakpoint whose memory was loaded again is
 * forgotten (taking it out would write the old instruction over the new), one still in
 * place is kept; the rebuilt vCPUs trap debug exceptions again from the next stop. */
START_TEST(test_a_reset_forgets_the_breakpoints_it_overwrote)
{
	set_guest64(RAM + 0x20, 0xd503201fd503201full);
	ck_assert_int_eq(vm_start(vm), 0);
	attach();
	ask_eq("Z0,40000020,4", "OK");
	ask_eq("Z0,40000024,4", "OK");
	out_len = 0;
	send_raw("c", 1);
	set_guest64(RAM + 0x20, 0x5555555500000000ull | 0xd4200000); /* 0x24 "reloaded" */
	ck_assert_int_eq(vm_reset(vm), 0);
	ck_assert(!(vm_vcpu(vm, 0)->arch.ctx.mdcr_el2 & MDCR_TDE)); /* rebuilt */
	gdb_poll(&stub);
	feed("\x03", 1);
	gdb_poll(&stub);
	ck_assert_str_eq(last_reply(), "T02thread:1;");
	ck_assert(vm_vcpu(vm, 0)->arch.ctx.mdcr_el2 & MDCR_TDE);
	ask_eq("D", "OK");
	ck_assert_uint_eq(guest64(RAM + 0x20), 0x55555555d503201full);
}
END_TEST

START_TEST(test_bad_resume_packets)
{
	attach();
	ask_eq("vCont;x", "");
	ask_eq("vCont;c:9", "E16");
	ask_eq("vCont;", "E16");
	ask_eq("vCont;Czz", "E16");
	ask_eq("cxyz", "E16");
	ask_eq("C05;zz", "E16");
	ck_assert(gdb_holds_vm(&stub));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("gdb");
	TCase *tc = tcase_create("gdb");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_packets_are_acked_and_bad_checksums_nacked);
	tcase_add_test(tc, test_no_ack_mode_sends_no_acks);
	tcase_add_test(tc, test_reply_escapes_and_checksums);
	tcase_add_test(tc, test_queries_and_threads);
	tcase_add_test(tc, test_monitor_lists_vcpus_and_switches_the_trace);
	tcase_add_test(tc, test_registers_read_and_write);
	tcase_add_test(tc, test_memory_by_guest_virtual_address_mmu_off);
	tcase_add_test(tc, test_memory_through_the_guests_stage1);
	tcase_add_test(tc, test_breakpoints_plant_brk_and_restore);
	tcase_add_test(tc, test_breakpoint_comes_out_where_it_went_in);
	tcase_add_test(tc, test_attach_stops_every_vcpu_and_detach_releases_them);
	tcase_add_test(tc, test_breakpoint_hit_stops_all_and_reports_the_thread);
	tcase_add_test(tc, test_a_stop_makes_its_thread_the_register_thread);
	tcase_add_test(tc, test_simultaneous_stops_are_reported_one_by_one);
	tcase_add_test(tc, test_interrupt_stops_a_running_vm);
	tcase_add_test(tc, test_break_before_attach_is_not_a_stop);
	tcase_add_test(tc, test_step_sets_the_step_state_and_reports);
	tcase_add_test(tc, test_a_brk_not_planted_goes_back_to_the_guest);
	tcase_add_test(tc, test_debug_exits_through_the_dispatcher);
	tcase_add_test(tc, test_stepped_vcpu_takes_no_interrupt);
	tcase_add_test(tc, test_kill_stops_the_vm_and_ends_the_session);
	tcase_add_test(tc, test_hangup_while_running_detaches_once_stopped);
	tcase_add_test(tc, test_bad_resume_packets);
	tcase_add_test(tc, test_a_reset_forgets_the_breakpoints_it_overwrote);
	suite_add_tcase(s, tc);
	return s;
}

