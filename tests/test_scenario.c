/* The scenario parser: what a well-formed file becomes, and the exact "file:line:
 * message" every kind of malformed file gets. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/aarch64/psci_ids.h"
#include "tools/scenario/scenario.h"
#include "tests/check_main.h"

static struct scenario scn;
static char err[SCN_ERR_MAX];

static int parse(const char *text)
{
	return scn_parse("t.scn", text, strlen(text), &scn, err);
}

static void teardown(void)
{
	scn_free(&scn);
}

START_TEST(test_a_full_vm_is_parsed)
{
	ck_assert_int_eq(parse("# comment\n"
			       "mode timeshared slice_us 250\n"
			       "pcpus 3\n"
			       "vm a {\n"
			       "  vcpus 2\n"
			       "  affinity 1 2 0\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "  memory 0x40100000 1M rw lazy   # trailing comment\n"
			       "  memory 0x50000000 4K r-dev linear 0x90000000\n"
			       "  pl011 0x09000000 40\n"
			       "  entry 0x40001000\n"
			       "  mmio raz-wi\n"
			       "  program 1 {\n"
			       "    load16s x3 0x40100000\n"
			       "    store8 0x09000000 0x41 w5\n"
			       "    psci cpu_on 1 0x40000000 -1\n"
			       "    expect w3 == -2\n"
			       "    print \"a\\n\"\n"
			       "  }\n"
			       "}\n"),
			 0);
	ck_assert_uint_eq(scn.mode, SCHED_TIMESHARED);
	ck_assert_uint_eq(scn.slice_ns, 250000);
	ck_assert_uint_eq(scn.pcpus, 3);
	ck_assert_uint_eq(scn.nvms, 1);
	struct scn_vm *v = &scn.vms[0];
	ck_assert_str_eq(v->name, "a");
	ck_assert_uint_eq(v->cfg.nvcpus, 2);
	ck_assert_uint_eq(v->cfg.affinity[1], 0x5);
	ck_assert_uint_eq(v->cfg.nmem, 3);
	ck_assert_uint_eq(v->cfg.mem[1].size, 1u << 20);
	ck_assert_uint_eq(v->cfg.mem[1].backend, AS_ALLOC_LAZY);
	ck_assert_uint_eq(v->cfg.mem[2].flags, PT_R | PT_DEVICE);
	ck_assert_uint_eq(pa_bits(v->cfg.mem[2].hpa), 0x90000000);
	ck_assert_uint_eq(gpa_bits(v->cfg.entry), 0x40001000);
	ck_assert(v->cfg.mmio_raz_wi);
	ck_assert(v->has_pl011);
	ck_assert_uint_eq(v->pl011_irq, 40);
	ck_assert_ptr_null(v->acts[0]);
	const struct engine_program *p = &v->programs[1];
	ck_assert_uint_eq(p->n, 7); /* 4 actions, 2 print bytes, END */
	ck_assert_uint_eq(p->acts[0].kind, ACT_LOAD);
	ck_assert(p->acts[0].ldst.sign_extend && p->acts[0].ldst.reg64);
	ck_assert_uint_eq(p->acts[0].ldst.size, 1);
	ck_assert_uint_eq(p->acts[0].ldst.rt, 3);
	ck_assert_uint_eq(p->acts[0].line, 14);
	ck_assert_uint_eq(p->acts[1].ldst.rt, 5);
	ck_assert(!p->acts[1].ldst.reg64);
	ck_assert_uint_eq(p->acts[2].kind, ACT_HVC);
	ck_assert_uint_eq(p->acts[2].args[0], PSCI_CPU_ON_64);
	ck_assert_uint_eq(p->acts[2].args[3], ~0ull);
	ck_assert_uint_eq(p->acts[3].value, 0xFFFFFFFEull); /* a W register: low half */
	ck_assert_uint_eq(p->acts[5].value, '\n');
	ck_assert_uint_eq(p->acts[5].addr, 0x09000000);
	ck_assert_uint_eq(p->acts[6].kind, ACT_END);
}
END_TEST

START_TEST(test_wait64_is_load64_of_x1_in_a_loop)
{
	ck_assert_int_eq(parse("vm a {\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "  program 0 {\n"
			       "    wait64 0x40000100 -1\n"
			       "  }\n"
			       "}\n"),
			 0);
	const struct action *a = &scn.vms[0].programs[0].acts[0];
	ck_assert_uint_eq(scn.vms[0].programs[0].n, 2);
	ck_assert_uint_eq(a->kind, ACT_WAIT64);
	ck_assert_uint_eq(a->line, 4);
	ck_assert_uint_eq(a->addr, 0x40000100);
	ck_assert_uint_eq(a->value, ~0ull);
	/* LDR X1, [X28]: the encoding and trap of load64 x1. */
	ck_assert(!a->ldst.store && !a->ldst.sign_extend && a->ldst.reg64);
	ck_assert_uint_eq(a->ldst.size, 3);
	ck_assert_uint_eq(a->ldst.rt, 1);
	ck_assert_uint_eq(a->ldst.rn, 28);
	ck_assert_int_eq(a64_enc_ldst(&a->ldst), 0xF9400381); /* LDR (imm), 64-bit, imm12 0 */
}
END_TEST

/* Debug and PMU registers by name, the numbered ones included, with the Arm ARM's
 * encodings; a number past the architecture's last register is no name. */
START_TEST(test_debug_and_pmu_register_names)
{
	static const struct {
		const char *name;
		unsigned op0, op1, crn, crm, op2;
	} regs[] = {
		{ "dbgbvr0_el1", 2, 0, 0, 0, 4 },  { "dbgbcr15_el1", 2, 0, 0, 15, 5 },
		{ "dbgwvr3_el1", 2, 0, 0, 3, 6 },  { "dbgwcr9_el1", 2, 0, 0, 9, 7 },
		{ "mdscr_el1", 2, 0, 0, 2, 2 },    { "oslar_el1", 2, 0, 1, 0, 4 },
		{ "oslsr_el1", 2, 0, 1, 1, 4 },    { "mdrar_el1", 2, 0, 1, 0, 0 },
		{ "dbgauthstatus_el1", 2, 0, 7, 14, 6 }, { "mdccsr_el0", 2, 3, 0, 1, 0 },
		{ "pmcr_el0", 3, 3, 9, 12, 0 },    { "pmccntr_el0", 3, 3, 9, 13, 0 },
		{ "pmuserenr_el0", 3, 3, 9, 14, 0 }, { "pmintenset_el1", 3, 0, 9, 14, 1 },
		{ "pmevcntr0_el0", 3, 3, 14, 8, 0 }, { "pmevcntr30_el0", 3, 3, 14, 11, 6 },
		{ "pmevtyper13_el0", 3, 3, 14, 13, 5 }, { "pmccfiltr_el0", 3, 3, 14, 15, 7 },
	};
	char text[128];

	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		snprintf(text, sizeof(text), "vm a {\n memory 0x40000000 4K rwx eager\n program 0 {\n"
			 " mrs x3 %s\n }\n}\n", regs[i].name);
		ck_assert_msg(parse(text) == 0, "%s: %s", regs[i].name, err);
		const struct a64_sysreg *r = &scn.vms[0].programs[0].acts[0].sys;
		ck_assert_msg(r->op0 == regs[i].op0 && r->op1 == regs[i].op1 && r->crn == regs[i].crn &&
				      r->crm == regs[i].crm && r->op2 == regs[i].op2 && r->rt == 3,
			      "%s: s%u_%u_c%u_c%u_%u", regs[i].name, r->op0, r->op1, r->crn, r->crm, r->op2);
		scn_free(&scn);
	}
	static const char *const bad[] = { "dbgbvr16_el1", "dbgbvr_el1", "dbgbvr1_el0",
					   "dbgwcr001_el1", "pmevcntr31_el0", "pmevtyper3_el1" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "vm a {\n memory 0x40000000 4K rwx eager\n program 0 {\n"
			 " msr %s 1\n", bad[i]);
		ck_assert_int_ne(parse(text), 0);
		ck_assert_msg(strstr(err, "t.scn:4: unknown system register") == err, "%s", err);
		scn_free(&scn);
	}
}
END_TEST

START_TEST(test_print_wait_polls_uartfr_txff_before_each_byte)
{
	ck_assert_int_eq(parse("vm a {\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "  pl011 0x09000000\n"
			       "  program 0 {\n"
			       "    print.wait \"ok\"\n"
			       "  }\n"
			       "}\n"),
			 0);
	const struct action *a = scn.vms[0].programs[0].acts;
	ck_assert_uint_eq(scn.vms[0].programs[0].n, 5); /* two bytes, two actions each, END */
	for (unsigned i = 0; i < 2; i++, a += 2) {
		/* LDR W11, [X12] of UARTFR until bit 5 (TXFF) reads 0, then STRB W9, [X10]. */
		ck_assert_uint_eq(a[0].kind, ACT_WAIT64);
		ck_assert_uint_eq(a[0].addr, 0x09000018);
		ck_assert_uint_eq(a[0].value, 0);
		ck_assert_uint_eq(~a[0].ignore, 0x20);
		ck_assert_int_eq(a64_enc_ldst(&a[0].ldst), 0xB940018B); /* LDR (imm), 32-bit */
		ck_assert_uint_eq(a[1].kind, ACT_STORE);
		ck_assert_uint_eq(a[1].addr, 0x09000000);
		ck_assert_uint_eq(a[1].value, "ok"[i]);
		ck_assert_int_eq(a64_enc_ldst(&a[1].ldst), 0x39000149); /* STRB W9, [X10] */
	}
	scn_free(&scn);
	ck_assert_int_eq(parse("vm a {\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "  program 0 {\n"
			       "    print.wait \"x\"\n"
			       "  }\n"
			       "}\n"),
			 -EINVAL);
}
END_TEST

START_TEST(test_wait64_wfe_waits_in_wfe_and_exits_are_bounded)
{
	ck_assert_int_eq(parse("vm a {\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "  program 0 {\n"
			       "    wait64 0x40000100 0 wfe\n"
			       "    wait64 0x40000100 1\n"
			       "    expect exits <= 3\n"
			       "  }\n"
			       "}\n"),
			 0);
	const struct action *a = scn.vms[0].programs[0].acts;
	ck_assert_uint_eq(scn.vms[0].programs[0].n, 4);
	ck_assert_uint_eq(a[0].kind, ACT_WAIT64);
	ck_assert(a[0].wfe);
	ck_assert_int_eq(a64_enc_ldst(&a[0].ldst), 0xF9400381); /* the same LDR X1, [X28] */
	ck_assert(!a[1].wfe);
	ck_assert_uint_eq(a[2].kind, ACT_EXPECT_EXITS);
	ck_assert_uint_eq(a[2].value, 3);
	ck_assert_uint_eq(a[2].line, 6);
}
END_TEST

/* Static mode: one pCPU per vCPU, default affinities spread, pinned ones kept. */
START_TEST(test_static_scenarios_get_a_pcpu_per_vcpu)
{
	ck_assert_int_eq(parse("mode static\n"
			       "vm a {\n"
			       "  vcpus 2\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "}\n"
			       "vm b {\n"
			       "  vcpus 2\n"
			       "  affinity 1 0\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "}\n"),
			 0);
	ck_assert_int_eq(scn_check_placement(&scn, "t.scn", 4, err), 0);
	ck_assert_uint_eq(scn.vms[0].cfg.affinity[0], 0); /* a check changes nothing */
	ck_assert_int_eq(scn_place(&scn, "t.scn", 4, err), 0);
	ck_assert_uint_eq(scn.vms[1].cfg.affinity[1], 1u << 0); /* pinned */
	ck_assert_uint_eq(scn.vms[0].cfg.affinity[0], 1u << 1);
	ck_assert_uint_eq(scn.vms[0].cfg.affinity[1], 1u << 2);
	ck_assert_uint_eq(scn.vms[1].cfg.affinity[0], 1u << 3);
	/* On three pCPUs they do not fit: the fourth vCPU declared is named, at its
	 * affinity line, and nothing is changed. */
	scn_free(&scn);
	ck_assert_int_eq(parse("mode static\n"
			       "vm a {\n"
			       "  vcpus 2\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "}\n"
			       "vm b {\n"
			       "  vcpus 2\n"
			       "  affinity 1 0\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "}\n"),
			 0);
	ck_assert_int_eq(scn_place(&scn, "t.scn", 3, err), -ENOSPC);
	ck_assert_str_eq(err, "t.scn:8: vm b vcpu 1: static mode runs one vCPU per pCPU, and 4 "
			      "vCPUs do not fit in 3 pCPUs");
	ck_assert_uint_eq(scn.vms[0].cfg.affinity[0], 0);
	ck_assert_uint_eq(scn.vms[1].cfg.affinity[1], 1u << 0);
	/* Time-shared scenarios share pCPUs as they say. */
	scn.mode = SCHED_TIMESHARED;
	ck_assert_int_eq(scn_place(&scn, "t.scn", 1, err), 0);
	ck_assert_uint_eq(scn.vms[0].cfg.affinity[1], 0);
}
END_TEST

START_TEST(test_images_are_parsed_with_their_address_defaults)
{
	ck_assert_int_eq(parse("vm a {\n"
			       "  memory 0x40000000 64K rwx eager\n"
			       "  image guests/a.bin\n"
			       "}\n"
			       "vm b {\n"
			       "  image \"my guest.bin\" 0x48100000\n"
			       "  memory 0x48000000 2M rwx eager\n"
			       "}\n"
			       "vm c {\n"
			       "  image /abs/c.bin\n"
			       "  memory 0x60000000 64K rwx eager\n"
			       "  entry 0x60000800\n"
			       "}\n"
			       "vm d {\n"
			       "  memory 0x70000000 64K rwx eager\n"
			       "}\n"),
			 0);
	ck_assert(scn.vms[0].has_image);
	ck_assert_str_eq(scn.vms[0].image_path, "guests/a.bin");
	ck_assert_uint_eq(scn.vms[0].image_addr, 0x40000000); /* the first region */
	ck_assert_str_eq(scn.vms[1].image_path, "my guest.bin");
	ck_assert_uint_eq(scn.vms[1].image_addr, 0x48100000);
	ck_assert_str_eq(scn.vms[2].image_path, "/abs/c.bin");
	ck_assert_uint_eq(scn.vms[2].image_addr, 0x60000800); /* the entry, given after */
	ck_assert(!scn.vms[3].has_image);
}
END_TEST

static void expect_error(const char *text, const char *message)
{
	ck_assert_int_ne(parse(text), 0);
	ck_assert_str_eq(err, message);
	scn_free(&scn);
}

START_TEST(test_counter_hz_sets_the_simulation_hosts_counter)
{
	ck_assert_int_eq(parse("counter_hz 19200000\nvm a {\n memory 0x40000000 4K rw eager\n}\n"), 0);
	ck_assert_uint_eq(scn.counter_hz, 19200000);
	scn_free(&scn);
	ck_assert_int_eq(parse("vm a {\n memory 0x40000000 4K rw eager\n}\n"), 0);
	ck_assert_uint_eq(scn.counter_hz, 0); /* not given: the host's default */
}
END_TEST

START_TEST(test_malformed_files_get_file_line_messages)
{
	expect_error("", "t.scn:0: no VM declared");
	expect_error("vm a {\n", "t.scn:1: missing \"}\" at the end of the file");
	expect_error("bogus\n", "t.scn:1: unknown statement \"bogus\"");
	/* Each block has its own keyword table: a keyword of another block is unknown. */
	expect_error("vcpus 2\n", "t.scn:1: unknown statement \"vcpus\"");
	expect_error("vm a {\n mode static\n}\n", "t.scn:2: unknown VM statement \"mode\"");
	expect_error("vm a {\n program 0 {\n  vcpus 2\n }\n}\n",
		     "t.scn:3: unknown action \"vcpus\"");
	expect_error("vm a {\n program 0 {\n  wai irq\n }\n}\n",
		     "t.scn:3: unknown action \"wai\"");
	expect_error("vm a {\n program 0 {\n  mask fiq\n }\n}\n", "t.scn:3: usage: mask irq");
	expect_error("vm a {\n program 0 {\n  wfi now\n }\n}\n", "t.scn:3: usage: wfi");
	expect_error("vm a {\n program 0 {\n  store32 0x9000038 5 wzr\n }\n}\n",
		     "t.scn:3: wzr stores 0, not 5");
	expect_error("vm a {\n vcpus 0\n}\n", "t.scn:2: a VM needs at least one vCPU");
	expect_error("mode fast\n", "t.scn:1: mode is static or timeshared");
	expect_error("counter_hz 0\n", "t.scn:1: counter_hz is 1 to 1000000000 (Hz)");
	expect_error("counter_hz 1000000001\n", "t.scn:1: counter_hz is 1 to 1000000000 (Hz)");
	expect_error("counter_hz\n", "t.scn:1: usage: counter_hz HZ");
	expect_error("vm a {\n memory 0x40000000 64K rwq eager\n}\n",
		     "t.scn:2: unknown permissions \"rwq\"");
	expect_error("vm a {\n memory 0x40000000 64Q rw eager\n}\n", "t.scn:2: bad number \"64Q\"");
	expect_error("vm a {\n memory 0x40000000 64K rw linear\n}\n",
		     "t.scn:2: linear needs a host address");
	expect_error("vm a {\n vcpus 17\n}\n", "t.scn:2: \"17\" is out of range (at most 16)");
	expect_error("vm a {\n vcpus 0\n}\n", "t.scn:2: a VM needs at least one vCPU");
	expect_error("vm a {\n}\n", "t.scn:2: VM \"a\" has no memory");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 1 {\n",
		     "t.scn:3: \"1\" is out of range (at most 0)");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n print \"x\"\n",
		     "t.scn:4: print needs a pl011 in this VM, declared before the program");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n load32s w1 0\n",
		     "t.scn:4: there is no load32s with a 32-bit register");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n load8 x31 0\n",
		     "t.scn:4: expected a register (x0-x30, w0-w30), got \"x31\"");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n psci cpu_on 1\n",
		     "t.scn:4: cpu_on takes 3 arguments");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n mrs x1 s5_0_c0_c0_0\n",
		     "t.scn:4: unknown system register \"s5_0_c0_c0_0\" (use a name or "
		     "s<op0>_<op1>_c<n>_c<m>_<op2>)");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n print \"x\n",
		     "t.scn:4: unterminated string");
	expect_error("vm aaaaaaaaaaaaaaaa {\n", "t.scn:1: VM name \"aaaaaaaaaaaaaaaa\" is too long "
		     "(at most 15 characters)");
	/* A VM's name prefixes its lines on the host console: no bytes a terminal acts on,
	 * and nothing that reads as Tandem's own "[cpuN]". */
	expect_error("vm \"a\x1b[2K\" {\n}\n",
		     "t.scn:1: VM name \"a\x1b[2K\": printable characters only, no spaces");
	expect_error("vm \"a b\" {\n}\n",
		     "t.scn:1: VM name \"a b\": printable characters only, no spaces");
	expect_error("vm \"\" {\n}\n", "t.scn:1: a VM needs a name");
	expect_error("vm cpu0 {\n}\n",
		     "t.scn:1: VM name \"cpu0\" is Tandem's: its own lines start with \"[cpu0]\"");
	expect_error("vm cpu17 {\n}\n",
		     "t.scn:1: VM name \"cpu17\" is Tandem's: its own lines start with \"[cpu17]\"");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n}\nvm a {\n",
		     "t.scn:4: a VM named \"a\" already exists");
	expect_error("vm a {\n memory 1 99999999999999999999 rw eager\n}\n",
		     "t.scn:2: expected a number, got \"99999999999999999999\"");
	expect_error("vm a {\n memory 1 0xFFFFFFFFFFFG rw eager\n}\n",
		     "t.scn:2: number \"0xFFFFFFFFFFFG\" is too large");
	expect_error("vm a {\n vcpus 4\n memory 0x40000000 4K rw eager\n program 3 {\n }\n vcpus 2\n",
		     "t.scn:6: vCPU 3 already has a program or an affinity: \"vcpus\" comes first");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n wait64 0x40000000\n",
		     "t.scn:4: usage: wait64 ADDR VALUE [wfe]");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n wait64 0x40000000 1 wfi\n",
		     "t.scn:4: usage: wait64 ADDR VALUE [wfe]");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n expect exits < 3\n",
		     "t.scn:4: usage: expect REG == VALUE | expect abort | expect undef | "
		     "expect irq N | expect exits <= N");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n wait64 0x4000000z 1\n",
		     "t.scn:4: bad number \"0x4000000z\"");
}
END_TEST

START_TEST(test_bad_images_get_file_line_messages)
{
	char text[600], path[SCN_PATH_MAX + 1];

	expect_error("vm a {\n memory 0x40000000 4K rw eager\n image\n}\n",
		     "t.scn:3: usage: image PATH [ADDR]");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n image a.bin 0x40000000 x\n}\n",
		     "t.scn:3: usage: image PATH [ADDR]");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n image \"\"\n}\n",
		     "t.scn:3: an image needs a path");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n image a.bin\n image b.bin\n}\n",
		     "t.scn:4: VM \"a\" already has an image");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n image a.bin 0x4000000q\n}\n",
		     "t.scn:3: bad number \"0x4000000q\"");
	/* The address is checked at the "}", against every region, reported at the image. */
	expect_error("vm a {\n image a.bin 0x40001000\n memory 0x40000000 4K rw eager\n"
		     " memory 0x40002000 4K rw eager\n}\n",
		     "t.scn:2: image address 0x40001000 is in none of VM \"a\"'s memory regions");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n image a.bin\n entry 0x50000000\n}\n",
		     "t.scn:3: image address 0x50000000 (the entry) is in none of VM \"a\"'s memory "
		     "regions");
	/* 255 characters are accepted, 256 are not. */
	memset(path, 'p', SCN_PATH_MAX - 1);
	path[SCN_PATH_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "vm a {\n memory 0x40000000 4K rw eager\n image %s\n}\n", path);
	ck_assert_int_eq(parse(text), 0);
	ck_assert_str_eq(scn.vms[0].image_path, path);
	scn_free(&scn);
	strcat(path, "p");
	snprintf(text, sizeof(text), "vm a {\n memory 0x40000000 4K rw eager\n image %s\n}\n", path);
	expect_error(text, "t.scn:3: image path too long (at most 255 characters)");
}
END_TEST

START_TEST(test_hostile_bytes_never_crash)
{
	static const char bin[] = "vm \x01\xff {\n\0\0memory";
	ck_assert_int_ne(scn_parse("b.scn", bin, sizeof(bin) - 1, &scn, err), 0);
	ck_assert_int_eq(strncmp(err, "b.scn:", 6), 0);
	scn_free(&scn);
	char line[2000];
	memset(line, 'a', sizeof(line));
	ck_assert_int_ne(scn_parse("l.scn", line, sizeof(line), &scn, err), 0);
	ck_assert_str_eq(err, "l.scn:1: line too long (at most 1023 characters)");
	scn_free(&scn);
	/* A file name longer than the message buffer: cut, never overrun. */
	char name[400];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(scn_parse(name, "bogus\n", 6, &scn, err), -EINVAL);
	ck_assert_uint_eq(strlen(err), SCN_ERR_MAX - 1);
}
END_TEST

/* A riscv64 VM's program: each statement the RV64 instruction (struct rv_op) the
 * engine runs, with the registers scenarios/README.md promises. */
START_TEST(test_riscv_programs_are_parsed_into_rv64_actions)
{
	ck_assert_int_eq(parse("vm r {\n"
			       " isa riscv64\n"
			       " memory 0x80000000 1M rwx eager\n"
			       " ns16550 0x10000000\n"
			       " program 0 {\n"
			       "  load8 a0 0x80001000\n"
			       "  loadu32 t6 0x80001000\n"
			       "  c.load64 s1 0x80001000\n"
			       "  store16 x5 0x80001000 0x1234\n"
			       "  c.store32 a5 0x80001000 7\n"
			       "  amoadd.d a0 0x80002000 3\n"
			       "  amoswap.w t6 0x80002000 1\n"
			       "  lr.w a1 0x80002000\n"
			       "  sc.d a2 0x80002000 9\n"
			       "  sbi hsm 0 1 0x80000000 5\n"
			       "  sbi putchar 0x41\n"
			       "  ecall 0x10 3\n"
			       "  csrr a0 sstatus\n"
			       "  csrw stvec 0x80000800\n"
			       "  csrr t0 0x5c0\n"
			       "  sfence.vma 0x80001000 5\n"
			       "  sfence.vma\n"
			       "  wfi\n"
			       "  set sp 0x1000\n"
			       "  expect a0 == -1\n"
			       "  expect fault load-page-fault\n"
			       "  expect fault 23\n"
			       "  expect irq timer\n"
			       "  expect irq ext 10\n"
			       "  wait irq\n"
			       "  mask irq\n"
			       "  unmask\n"
			       "  timer 1000\n"
			       "  spin 3\n"
			       "  wait64 0x80003000 1\n"
			       "  print \"hi\"\n"
			       " }\n"
			       "}\n"),
			 0);
	const struct scn_vm *v = &scn.vms[0];
	const struct action *a = v->acts[0];
	ck_assert_uint_eq(v->isa, SCN_ISA_RISCV64);
	ck_assert_uint_eq(v->programs[0].n, 35);
	/* load8: LB a0, 0(t6); loadu32 into t6: the base moves to t5. */
	ck_assert_uint_eq(a[0].kind, ACT_LOAD);
	ck_assert_uint_eq(a[0].addr, 0x80001000);
	ck_assert(a[0].rv.rd == 10 && a[0].rv.rs1 == 31 && a[0].rv.size == 0 && a[0].rv.sign);
	ck_assert(a[1].rv.rd == 31 && a[1].rv.rs1 == 30 && a[1].rv.size == 2 && !a[1].rv.sign);
	/* C.LD s1, 0(s0): the base is the other of s0/s1. */
	ck_assert(a[2].rv.compressed && a[2].rv.rd == 9 && a[2].rv.rs1 == 8 && a[2].rv.size == 3);
	ck_assert(a[3].kind == ACT_STORE && a[3].rv.rs2 == 5 && a[3].rv.rs1 == 31 && a[3].rv.size == 1);
	ck_assert_uint_eq(a[3].value, 0x1234);
	ck_assert(a[4].rv.compressed && a[4].rv.rs2 == 15 && a[4].rv.rs1 == 9 && a[4].value == 7);
	ck_assert(a[5].kind == ACT_RV_AMO && a[5].rv.amo == RV_AMO_ADD && a[5].rv.size == 3);
	ck_assert(a[5].rv.rd == 10 && a[5].rv.rs1 == 31 && a[5].rv.rs2 == 30 && a[5].value == 3);
	ck_assert(a[6].rv.amo == RV_AMO_SWAP && a[6].rv.rd == 31 && a[6].rv.rs1 == 30 &&
		  a[6].rv.rs2 == 29 && a[6].rv.size == 2);
	ck_assert(a[7].rv.amo == RV_AMO_LR && a[7].rv.rd == 11 && a[7].rv.rs2 == 0);
	ck_assert(a[8].rv.amo == RV_AMO_SC && a[8].rv.rd == 12 && a[8].value == 9);
	/* SBI: a7 = EID, a6 = FID, a0.. = arguments. */
	ck_assert(a[9].kind == ACT_RV_ECALL && a[9].args[7] == 0x48534D && a[9].args[6] == 0);
	ck_assert(a[9].args[0] == 1 && a[9].args[1] == 0x80000000 && a[9].args[2] == 5);
	ck_assert(a[10].args[7] == 1 && a[10].args[0] == 0x41);
	ck_assert(a[11].args[7] == 0x10 && a[11].args[6] == 3 && a[11].args[0] == 0);
	ck_assert(a[12].kind == ACT_RV_CSR && !a[12].rv.write && a[12].rv.csr == 0x100 &&
		  a[12].rv.rd == 10);
	ck_assert(a[13].rv.write && a[13].rv.csr == 0x105 && a[13].rv.rs1 == 31 &&
		  a[13].value == 0x80000800);
	ck_assert(a[14].rv.csr == 0x5C0 && a[14].rv.rd == 5);
	ck_assert(a[15].kind == ACT_RV_SFENCE && a[15].rv.rs1 == 31 && a[15].rv.rs2 == 30);
	ck_assert(a[15].addr == 0x80001000 && a[15].value == 5);
	ck_assert(a[16].rv.rs1 == 0 && a[16].rv.rs2 == 0);
	ck_assert_uint_eq(a[17].kind, ACT_WFI);
	ck_assert(a[18].kind == ACT_SET_REG && a[18].reg == 2 && a[18].value == 0x1000);
	ck_assert(a[19].kind == ACT_EXPECT_REG && a[19].reg == 10 && a[19].value == ~0ull);
	ck_assert(a[20].kind == ACT_RV_EXPECT_FAULT && a[20].value == 13);
	ck_assert_uint_eq(a[21].value, 23);
	ck_assert(a[22].kind == ACT_EXPECT_IRQ && a[22].rv.cause == 5);
	ck_assert(a[23].rv.cause == 9 && a[23].value == 10);
	ck_assert_uint_eq(a[24].kind, ACT_WAIT_IRQ);
	ck_assert_uint_eq(a[25].kind, ACT_MASK_IRQ);
	ck_assert_uint_eq(a[26].kind, ACT_UNMASK_IRQ);
	ck_assert(a[27].kind == ACT_VTIMER && a[27].value == 1000 && a[27].rv.rs1 == 31);
	ck_assert(a[28].kind == ACT_SPIN && a[28].value == 3);
	ck_assert(a[29].kind == ACT_WAIT64 && a[29].rv.rd == 5 && a[29].rv.size == 3);
	/* print: "lbu t0, 0(t1)" on LSR until THRE (bit 5), then "sb t2, 0(t3)" to THR. */
	for (unsigned i = 0; i < 2; i++) {
		const struct action *w = &a[30 + 2 * i], *st = &a[31 + 2 * i];
		ck_assert(w->kind == ACT_WAIT64 && w->addr == 0x10000005 && w->value == 0x20);
		ck_assert(w->ignore == ~0x20ull && w->rv.size == 0 && !w->rv.sign && w->rv.rd == 5);
		ck_assert(st->kind == ACT_STORE && st->addr == 0x10000000 && st->rv.size == 0);
		ck_assert_uint_eq(st->value, (unsigned char)"hi"[i]);
	}
	ck_assert_uint_eq(a[34].kind, ACT_END);
}
END_TEST

START_TEST(test_riscv_repeat_copies_rv64_actions)
{
	ck_assert_int_eq(parse("vm r {\n isa riscv64\n memory 0x80000000 4K rw eager\n"
			       " program 0 {\n  repeat 3 {\n  amoadd.w a0 0x80000000 1\n  }\n }\n}\n"),
			 0);
	ck_assert_uint_eq(scn.vms[0].programs[0].n, 4);
	for (unsigned i = 0; i < 3; i++) {
		const struct action *a = &scn.vms[0].acts[0][i];
		ck_assert(a->kind == ACT_RV_AMO && a->rv.amo == RV_AMO_ADD && a->rv.rd == 10);
	}
}
END_TEST

START_TEST(test_riscv_end_ends_the_program_once)
{
	ck_assert_int_eq(parse("vm r {\n isa riscv64\n memory 0x80000000 4K rw eager\n"
			       " program 0 {\n  wfi\n  end\n }\n}\n"),
			 0);
	ck_assert_uint_eq(scn.vms[0].programs[0].n, 2);
	ck_assert_uint_eq(scn.vms[0].acts[0][1].kind, ACT_END);
}
END_TEST

#define RV_VM "vm r {\n isa riscv64\n memory 0x80000000 4K rw eager\n program 0 {\n"

START_TEST(test_riscv_programs_get_file_line_messages)
{
	expect_error(RV_VM "  load8 q1 0\n", "t.scn:5: unknown register \"q1\" (x0-x31 or an ABI "
						"name: zero, ra, sp, gp, tp, t0-t6, s0-s11, fp, a0-a7)");
	expect_error(RV_VM "  load8 x32 0\n", "t.scn:5: unknown register \"x32\" (x0-x31 or an ABI "
						 "name: zero, ra, sp, gp, tp, t0-t6, s0-s11, fp, a0-a7)");
	expect_error(RV_VM "  loadu64 a0 0\n", "t.scn:5: unknown instruction \"loadu64\"");
	expect_error(RV_VM "  c.load8 s0 0\n", "t.scn:5: load8 has no compressed form (c.load32, "
						"c.load64, c.store32, c.store64 only)");
	expect_error(RV_VM "  c.load32 a6 0\n",
		     "t.scn:5: c.load32 needs a register of x8-x15 (s0, s1, a0-a5), not a6");
	expect_error(RV_VM "  store32 zero 0 5\n", "t.scn:5: store32 stores x0, which is 0, not 5");
	expect_error(RV_VM "  store32 a0 0\n", "t.scn:5: usage: storeN REG ADDR VALUE");
	expect_error(RV_VM "  amoadd.q a0 0 1\n", "t.scn:5: unknown instruction \"amoadd.q\" (.w or .d)");
	expect_error(RV_VM "  lr.w a0 0 1\n", "t.scn:5: usage: lr.w|d REG ADDR");
	expect_error(RV_VM "  sbi frob 0\n", "t.scn:5: unknown SBI extension \"frob\" (base, time, "
					      "ipi, rfence, hsm, srst, dbcn, putchar, getchar, or an EID)");
	expect_error(RV_VM "  sbi base\n", "t.scn:5: usage: sbi EXT FID [A0 .. A5]");
	expect_error(RV_VM "  sbi base 0 1 2 3 4 5 6 7\n", "t.scn:5: usage: sbi EXT FID [A0 .. A5]");
	expect_error(RV_VM "  csrr a0 bogus\n",
		     "t.scn:5: unknown CSR \"bogus\" (a name or a number 0-0xfff)");
	expect_error(RV_VM "  csrr a0 0x1000\n",
		     "t.scn:5: unknown CSR \"0x1000\" (a name or a number 0-0xfff)");
	expect_error(RV_VM "  csrw stvec a0\n", "t.scn:5: expected a number, got \"a0\"");
	expect_error(RV_VM "  sfence.vma 0 0x10000\n", "t.scn:5: an ASID is 16 bits, not 0x10000");
	expect_error(RV_VM "  expect irq ext\n", "t.scn:5: usage: expect irq timer | expect irq "
						 "soft | expect irq ext SOURCE");
	expect_error(RV_VM "  expect irq timer 3\n", "t.scn:5: usage: expect irq timer | expect irq "
						     "soft | expect irq ext SOURCE");
	expect_error(RV_VM "  expect irq ext 0\n", "t.scn:5: a PLIC source is 1-1023, not 0");
	expect_error(RV_VM "  expect fault 64\n", "t.scn:5: unknown exception \"64\" (a cause 0-63 "
						  "or a name such as load-page-fault)");
	expect_error(RV_VM "  expect a0 = 1\n", "t.scn:5: usage: expect REG == VALUE | expect fault "
						"CAUSE | expect irq timer|soft|ext SOURCE | expect exits <= N");
	expect_error(RV_VM "  print \"x\"\n",
		     "t.scn:5: print needs an ns16550 in this VM, declared before the program");
	expect_error(RV_VM "  wait\n", "t.scn:5: usage: wait irq");
	expect_error(RV_VM "  spin 100000001\n", "t.scn:5: spin at most 100000000 steps");
	expect_error(RV_VM "  end\n  wfi\n", "t.scn:6: nothing may follow \"end\" but the program's \"}\"");
	expect_error(RV_VM "  repeat 2 {\n  end\n", "t.scn:6: \"end\" cannot be repeated");
	expect_error(RV_VM "  hvc 0\n", "t.scn:5: unknown riscv64 action \"hvc\"");
	expect_error("vm a {\n memory 0x40000000 4K rw eager\n program 0 {\n  ecall\n",
		     "t.scn:4: unknown action \"ecall\"");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("scenario");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_a_full_vm_is_parsed);
	tcase_add_test(tc, test_wait64_is_load64_of_x1_in_a_loop);
	tcase_add_test(tc, test_debug_and_pmu_register_names);
	tcase_add_test(tc, test_print_wait_polls_uartfr_txff_before_each_byte);
	tcase_add_test(tc, test_wait64_wfe_waits_in_wfe_and_exits_are_bounded);
	tcase_add_test(tc, test_static_scenarios_get_a_pcpu_per_vcpu);
	tcase_add_test(tc, test_images_are_parsed_with_their_address_defaults);
	tcase_add_test(tc, test_counter_hz_sets_the_simulation_hosts_counter);
	tcase_add_test(tc, test_malformed_files_get_file_line_messages);
	tcase_add_test(tc, test_bad_images_get_file_line_messages);
	tcase_add_test(tc, test_hostile_bytes_never_crash);
	tcase_add_test(tc, test_riscv_programs_are_parsed_into_rv64_actions);
	tcase_add_test(tc, test_riscv_end_ends_the_program_once);
	tcase_add_test(tc, test_riscv_repeat_copies_rv64_actions);
	tcase_add_test(tc, test_riscv_programs_get_file_line_messages);
	suite_add_tcase(s, tc);
	return s;
}
