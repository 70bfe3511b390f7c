/* fuzz/scenario: arbitrary bytes through the scenario parser (tools/scenario), the text
 * every hvsim user hands in. Any crash, sanitizer report or leak (every path calls
 * scn_free) is a finding, and so is a result that breaks the parser's promises:
 *
 * Input: the bytes are the scenario text itself, exactly as scn_parse(file, text, len)
 * gets it (not NUL-terminated; NUL bytes, long lines and non-ASCII included), parsed
 * under the name "fuzz.scn".
 *
 * Checked on failure: the return is -EINVAL and the message is NUL-terminated and
 * starts with "fuzz.scn:<line>: " with <line> at most the number of lines of the
 * input. Checked on success: 1 <= nvms <= SCN_MAX_VMS; a known mode, a non-zero
 * slice, at most 64 pCPUs; for every VM a unique non-empty NUL-terminated name that
 * cfg.name points at, 1 <= nvcpus <= VM_MAX_VCPUS, 1 <= nmem <= VM_MAX_MEM, no
 * devices (the instantiator adds them), a PL011 interrupt line below VCPU_VIRQS, an
 * image (if any) with a non-empty NUL-terminated path and an address inside one of the
 * VM's memory regions; every program of vCPUs 0 .. nvcpus-1 is non-empty, ends with
 * ACT_END (and has no other ACT_END), holds actions the engine can run (loads, stores
 * and wait64s encodable by a64_enc_ldst with rn != rt, system registers encodable by
 * a64_enc_sysreg, registers 0-30 for set/expect, spins of at most 10^8 steps), and
 * every action's line is between 1 and the number of lines of the input.
 *
 * Dictionary: fuzz/scenario.dict holds the keywords, register and PSCI names; give it
 * with -dict=, e.g.
 *   build/fuzz/fuzz/fuzz_scenario -dict=fuzz/scenario.dict fuzz-out/scenario fuzz/corpus/scenario
 * (the fuzz-smoke suite runs without it). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/a64.h"
#include "fuzz/fuzz_util.h"
#include "hal-sim/sim.h"
#include "tools/scenario/scenario.h"

#define FILE_NAME "fuzz.scn"

/* Lines as the parser counts them: one per '\n', plus an unterminated last one. */
static unsigned count_lines(const uint8_t *data, size_t size)
{
	unsigned n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

static void check_error(const char *err, unsigned lines)
{
	const size_t plen = sizeof(FILE_NAME ":") - 1;

	CHECK(memchr(err, '\0', SCN_ERR_MAX) != NULL);
	if (strncmp(err, FILE_NAME ":", plen) != 0 || err[plen] < '0' || err[plen] > '9') {
		fprintf(stderr, "scenario: bad error message \"%s\"\n", err);
		abort();
	}
	char *end;
	unsigned long line = strtoul(err + plen, &end, 10);
	if (end[0] != ':' || end[1] != ' ' || line > lines) {
		fprintf(stderr, "scenario: bad error message \"%s\" (input has %u lines)\n", err, lines);
		abort();
	}
}

static void check_action(const struct action *a, unsigned lines, bool last)
{
	CHECK((unsigned)a->kind <= ACT_END || a->kind == ACT_EXPECT_EXITS);
	CHECK((a->kind == ACT_END) == last);
	CHECK(a->line >= 1 && a->line <= lines);
	switch (a->kind) {
	case ACT_LOAD:
	case ACT_STORE:
		CHECK(a->ldst.store == (a->kind == ACT_STORE));
		CHECK(a64_enc_ldst(&a->ldst) >= 0);
		CHECK(a->ldst.rn != a->ldst.rt);
		break;
	case ACT_WAIT64:
		/* wait64: LDR X1; print.wait: LDR W11 of UARTFR, TXFF's bit alone compared. */
		CHECK(!a->ldst.store && !a->ldst.sign_extend &&
		      ((a->ldst.size == 3 && a->ldst.reg64 && !a->ignore) ||
		       (a->ldst.size == 2 && !a->ldst.reg64 && a->ignore)));
		CHECK(a64_enc_ldst(&a->ldst) >= 0);
		CHECK(a->ldst.rn != a->ldst.rt);
		break;
	case ACT_MSR:
	case ACT_MRS:
		CHECK(a64_enc_sysreg(&a->sys, a->kind == ACT_MRS) >= 0);
		break;
	case ACT_SET_REG:
	case ACT_EXPECT_REG:
		CHECK(a->reg <= 30);
		break;
	case ACT_SPIN:
		CHECK(a->value <= 100000000);
		break;
	default:
		break;
	}
}

/* A riscv64 VM's action (tools/scenario/program_rv.c): registers x0-x31, the base of an
 * access neither its destination nor its source, a compressed form's registers x8-x15,
 * no other END. */
static void check_rv_action(const struct action *a, unsigned lines, bool last)
{
	const struct rv_op *o = &a->rv;

	CHECK((unsigned)a->kind <= ACT_RV_EXPECT_FAULT && a->kind != ACT_HVC && a->kind != ACT_SMC &&
	      a->kind != ACT_MSR && a->kind != ACT_MRS && a->kind != ACT_WFE);
	CHECK((a->kind == ACT_END) == last);
	CHECK(a->line >= 1 && a->line <= lines);
	CHECK(o->rd < 32 && o->rs1 < 32 && o->rs2 < 32 && o->size <= 3 && a->reg < 32);
	switch (a->kind) {
	case ACT_LOAD:
	case ACT_STORE:
	case ACT_WAIT64:
	case ACT_RV_AMO:
		CHECK(o->rs1 != 0 && o->rs1 != o->rd && (o->rs2 == 0 || o->rs1 != o->rs2));
		CHECK(!o->compressed || (o->rs1 >= 8 && o->rs1 <= 15 && o->size >= 2));
		CHECK(a->kind != ACT_RV_AMO || o->size >= 2);
		break;
	case ACT_SPIN:
		CHECK(a->value <= 100000000);
		break;
	case ACT_RV_CSR:
		CHECK(o->csr <= 0xFFF);
		break;
	default:
		break;
	}
}

static void check_image(const struct scn_vm *vm)
{
	const struct vm_config *c = &vm->cfg;
	bool inside = false;

	CHECK(memchr(vm->image_path, '\0', SCN_PATH_MAX) != NULL);
	CHECK(vm->image_path[0] != '\0');
	for (unsigned i = 0; i < c->nmem; i++)
		inside |= vm->image_addr >= gpa_bits(c->mem[i].gpa) &&
			  vm->image_addr - gpa_bits(c->mem[i].gpa) < c->mem[i].size;
	CHECK(inside);
}

static void check_scenario(const struct scenario *s, unsigned lines)
{
	CHECK(s->nvms >= 1 && s->nvms <= SCN_MAX_VMS);
	CHECK(s->mode == SCHED_STATIC || s->mode == SCHED_TIMESHARED);
	CHECK(s->slice_ns > 0);
	CHECK(s->pcpus <= 64);
	CHECK(s->counter_hz <= HAL_SIM_MAX_COUNTER_HZ); /* 0: not given */
	for (unsigned v = 0; v < s->nvms; v++) {
		const struct scn_vm *vm = &s->vms[v];
		const struct vm_config *c = &vm->cfg;
		CHECK(memchr(vm->name, '\0', VM_NAME_MAX) != NULL);
		CHECK(vm->name[0] != '\0');
		CHECK(c->name == vm->name);
		for (unsigned w = 0; w < v; w++)
			CHECK(strcmp(s->vms[w].name, vm->name) != 0);
		CHECK(c->nvcpus >= 1 && c->nvcpus <= VM_MAX_VCPUS);
		CHECK(c->nmem >= 1 && c->nmem <= VM_MAX_MEM);
		CHECK(c->ndevices == 0);
		if (vm->has_pl011)
			CHECK(vm->pl011_irq >= VGIC_NR_PRIVATE && vm->pl011_irq < VGIC_NR_IRQS);
		if (vm->has_image)
			check_image(vm);
		CHECK(vm->line >= 1);
		for (unsigned i = 0; i < c->nmem; i++) {
			CHECK(c->mem[i].backend == AS_ALLOC_EAGER || c->mem[i].backend == AS_ALLOC_LAZY ||
			      c->mem[i].backend == AS_IDENTITY || c->mem[i].backend == AS_LINEAR);
			/* Messages point at the statement: inside the VM's block, in order. */
			CHECK(vm->mem_line[i] > (i ? vm->mem_line[i - 1] : vm->line));
		}
		for (unsigned p = 0; p < c->nvcpus; p++) {
			const struct engine_program *prog = &vm->programs[p];
			if (!vm->acts[p]) {
				CHECK(prog->n == 0);
				continue;
			}
			CHECK(prog->acts == vm->acts[p]);
			CHECK(prog->n >= 1 && prog->n < SCN_MAX_ACTIONS);
			for (unsigned i = 0; i < prog->n; i++)
				if (vm->isa == SCN_ISA_RISCV64)
					check_rv_action(&prog->acts[i], lines, i == prog->n - 1);
				else
					check_action(&prog->acts[i], lines, i == prog->n - 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scenario scn; /* large: keep it off the stack */
	char err[SCN_ERR_MAX];
	unsigned lines = count_lines(data, size);

	memset(err, 'X', sizeof(err));
	int rc = scn_parse(FILE_NAME, (const char *)data, size, &scn, err);
	if (rc) {
		CHECK(rc == -EINVAL);
		check_error(err, lines);
	} else {
		CHECK(err[0] == '\0');
		check_scenario(&scn, lines);
	}
	scn_free(&scn);
	for (unsigned v = 0; v < SCN_MAX_VMS; v++)
		for (unsigned c = 0; c < VM_MAX_VCPUS; c++)
			CHECK(scn.vms[v].acts[c] == NULL);
	return 0;
}
