/* The vCPU-program half of the scenario parser: one function per action, each
 * checking its operands and appending engine actions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/psci_ids.h"
#include "core/hypercall.h"
#include "core/pl011.h"
#include "tools/scenario/parser.h"

static const struct {
	const char *name;
	uint32_t fid;
	unsigned nargs;
} psci_calls[] = {
	{ "version", PSCI_VERSION, 0 },	       { "cpu_suspend", PSCI_CPU_SUSPEND_64, 3 },
	{ "cpu_off", PSCI_CPU_OFF, 0 },	       { "cpu_on", PSCI_CPU_ON_64, 3 },
	{ "affinity_info", PSCI_AFFINITY_INFO_64, 2 },
	{ "migrate", PSCI_MIGRATE_64, 1 },     { "migrate_info_type", PSCI_MIGRATE_INFO_TYPE, 0 },
	{ "migrate_info_up_cpu", PSCI_MIGRATE_INFO_UP_CPU_64, 0 },
	{ "system_off", PSCI_SYSTEM_OFF, 0 },  { "system_reset", PSCI_SYSTEM_RESET, 0 },
	{ "features", PSCI_FEATURES, 1 },      { "smccc_version", SMCCC_VERSION, 0 },
	{ "smccc_arch_features", SMCCC_ARCH_FEATURES, 1 },
};

static const struct {
	const char *name;
	struct a64_sysreg r;
} sysreg_names[] = {
	{ "sctlr_el1", { 3, 0, 1, 0, 0, 0 } },	  { "actlr_el1", { 3, 0, 1, 0, 1, 0 } },
	{ "vbar_el1", { 3, 0, 12, 0, 0, 0 } },	  { "tpidr_el1", { 3, 0, 13, 0, 4, 0 } },
	/* The GIC CPU interface (the virtual one, without a trap, apart from SGI1R). */
	{ "icc_pmr_el1", { 3, 0, 4, 6, 0, 0 } },	  { "icc_igrpen1_el1", { 3, 0, 12, 12, 7, 0 } },
	{ "icc_ctlr_el1", { 3, 0, 12, 12, 4, 0 } },	  { "icc_sre_el1", { 3, 0, 12, 12, 5, 0 } },
	{ "icc_iar1_el1", { 3, 0, 12, 12, 0, 0 } },	  { "icc_eoir1_el1", { 3, 0, 12, 12, 1, 0 } },
	{ "icc_dir_el1", { 3, 0, 12, 11, 1, 0 } },	  { "icc_sgi1r_el1", { 3, 0, 12, 11, 5, 0 } },
	/* Feature ID registers (HCR_EL2.TID3); the rest by s3_0_c0_c<m>_<op2>. */
	{ "id_dfr0_el1", { 3, 0, 0, 1, 2, 0 } },	  { "id_aa64pfr0_el1", { 3, 0, 0, 4, 0, 0 } },
	{ "id_aa64pfr1_el1", { 3, 0, 0, 4, 1, 0 } },	  { "id_aa64zfr0_el1", { 3, 0, 0, 4, 4, 0 } },
	{ "id_aa64dfr0_el1", { 3, 0, 0, 5, 0, 0 } },	  { "id_aa64isar0_el1", { 3, 0, 0, 6, 0, 0 } },
	{ "id_aa64mmfr0_el1", { 3, 0, 0, 7, 0, 0 } },
	/* The virtual timer. */
	{ "cntfrq_el0", { 3, 3, 14, 0, 0, 0 } },	  { "cntvct_el0", { 3, 3, 14, 0, 2, 0 } },
	{ "cntv_ctl_el0", { 3, 3, 14, 3, 1, 0 } },	  { "cntv_cval_el0", { 3, 3, 14, 3, 2, 0 } },
	{ "cntv_tval_el0", { 3, 3, 14, 3, 0, 0 } },
	/* The physical counter (read without a trap) and the EL1 physical timer (trapped,
	 * emulated). */
	{ "cntpct_el0", { 3, 3, 14, 0, 1, 0 } },	  { "cntp_ctl_el0", { 3, 3, 14, 2, 1, 0 } },
	{ "cntp_cval_el0", { 3, 3, 14, 2, 2, 0 } },	  { "cntp_tval_el0", { 3, 3, 14, 2, 0, 0 } },
	/* Self-hosted debug (MDCR_EL2.TDA, TDOSA, TDRA); dbg[bw][vc]r<n>_el1 below. */
	{ "mdscr_el1", { 2, 0, 0, 2, 2, 0 } },	  { "mdccint_el1", { 2, 0, 0, 2, 0, 0 } },
	{ "oseccr_el1", { 2, 0, 0, 6, 2, 0 } },	  { "mdrar_el1", { 2, 0, 1, 0, 0, 0 } },
	{ "oslar_el1", { 2, 0, 1, 0, 4, 0 } },	  { "oslsr_el1", { 2, 0, 1, 1, 4, 0 } },
	{ "osdlr_el1", { 2, 0, 1, 3, 4, 0 } },	  { "dbgprcr_el1", { 2, 0, 1, 4, 4, 0 } },
	{ "dbgclaimset_el1", { 2, 0, 7, 8, 6, 0 } }, { "dbgclaimclr_el1", { 2, 0, 7, 9, 6, 0 } },
	{ "dbgauthstatus_el1", { 2, 0, 7, 14, 6, 0 } }, { "mdccsr_el0", { 2, 3, 0, 1, 0, 0 } },
	{ "dbgdtr_el0", { 2, 3, 0, 4, 0, 0 } },	  { "dbgdtrrx_el0", { 2, 3, 0, 5, 0, 0 } },
	/* The PMU (MDCR_EL2.TPM, TPMCR); pmevcntr<n>_el0 and pmevtyper<n>_el0 below. */
	{ "pmcr_el0", { 3, 3, 9, 12, 0, 0 } },	  { "pmcntenset_el0", { 3, 3, 9, 12, 1, 0 } },
	{ "pmcntenclr_el0", { 3, 3, 9, 12, 2, 0 } }, { "pmovsclr_el0", { 3, 3, 9, 12, 3, 0 } },
	{ "pmswinc_el0", { 3, 3, 9, 12, 4, 0 } },	  { "pmselr_el0", { 3, 3, 9, 12, 5, 0 } },
	{ "pmceid0_el0", { 3, 3, 9, 12, 6, 0 } },	  { "pmceid1_el0", { 3, 3, 9, 12, 7, 0 } },
	{ "pmccntr_el0", { 3, 3, 9, 13, 0, 0 } },	  { "pmxevtyper_el0", { 3, 3, 9, 13, 1, 0 } },
	{ "pmxevcntr_el0", { 3, 3, 9, 13, 2, 0 } },	  { "pmuserenr_el0", { 3, 3, 9, 14, 0, 0 } },
	{ "pmovsset_el0", { 3, 3, 9, 14, 3, 0 } },	  { "pmintenset_el1", { 3, 0, 9, 14, 1, 0 } },
	{ "pmintenclr_el1", { 3, 0, 9, 14, 2, 0 } },	  { "pmccfiltr_el0", { 3, 3, 14, 15, 7, 0 } },
};

/* A decimal number of at most two digits followed by exactly suffix, or ~0u. */
static unsigned number_then(const char *t, const char *suffix)
{
	unsigned n = 0, digits = 0;

	for (; *t >= '0' && *t <= '9' && digits < 3; t++, digits++)
		n = n * 10 + (unsigned)(*t - '0');
	return digits && digits < 3 && !strcmp(t, suffix) ? n : ~0u;
}

/* The numbered ones: dbgbvr<n>_el1, dbgbcr, dbgwvr, dbgwcr (n 0-15: op2 4-7, CRm n) and
 * pmevcntr<n>_el0, pmevtyper<n>_el0 (n 0-30: CRm 0b10:n[4:3] / 0b11:n[4:3], op2 n[2:0]). */
static bool numbered_sysreg(const char *t, struct a64_sysreg *r)
{
	static const char *const dbg[] = { "dbgbvr", "dbgbcr", "dbgwvr", "dbgwcr" };
	static const char *const pmu[] = { "pmevcntr", "pmevtyper" };

	for (unsigned i = 0; i < 4; i++)
		if (!strncmp(t, dbg[i], 6)) {
			unsigned n = number_then(t + 6, "_el1");
			if (n < 16)
				*r = (struct a64_sysreg){ 2, 0, 0, n, 4 + i, 0 };
			return n < 16;
		}
	for (unsigned i = 0; i < 2; i++)
		if (!strncmp(t, pmu[i], strlen(pmu[i]))) {
			unsigned n = number_then(t + strlen(pmu[i]), "_el0");
			if (n < 31)
				*r = (struct a64_sysreg){ 3, 3, 14, 8 + 4 * i + n / 8, n % 8, 0 };
			return n < 31;
		}
	return false;
}

static int sysreg(struct parser *p, const char *t, struct a64_sysreg *r)
{
	for (unsigned i = 0; i < sizeof(sysreg_names) / sizeof(sysreg_names[0]); i++)
		if (!strcmp(t, sysreg_names[i].name)) {
			*r = sysreg_names[i].r;
			return 0;
		}
	if (numbered_sysreg(t, r))
		return 0;
	unsigned op0, op1, crn, crm, op2;
	char tail;
	if (sscanf(t, "s%u_%u_c%u_c%u_%u%c", &op0, &op1, &crn, &crm, &op2, &tail) != 5 ||
	    op0 < 2 || op0 > 3 || op1 > 7 || crn > 15 || crm > 15 || op2 > 7)
		return error(p, "unknown system register \"%s\" (use a name or s<op0>_<op1>_c<n>_c<m>_<op2>)", t);
	*r = (struct a64_sysreg){ op0, op1, crn, crm, op2, 0 };
	return 0;
}

/* The base register of a load/store: x28, or x27 if the data register is x28. */
static unsigned base_reg(unsigned rt)
{
	return rt == 28 ? 27 : 28;
}

static int ldst(struct parser *p, bool store)
{
	const char *k = p->tok[0] + (store ? 5 : 4); /* "8", "16s", ... */
	char *end;
	unsigned long bits = strtoul(k, &end, 10);
	bool sign = !store && *end == 's';
	if ((*end && !sign) || (sign && end[1]))
		return error(p, "unknown instruction \"%s\"", p->tok[0]);
	unsigned size = bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : bits == 64 ? 3 : 9;
	if (size == 9)
		return error(p, "access size is 8, 16, 32 or 64, not \"%s\"", k);
	struct action *a;
	unsigned rt = 1;
	bool is64 = size == 3;
	int err = store ? need(p, 3, 4, "storeN ADDR VALUE [REG]") : need(p, 3, 3, "loadN[s] REG ADDR");
	if (err)
		return err;
	if (store && p->ntok == 4 && (err = reg(p, p->tok[3], true, &rt, &is64)))
		return err;
	if (!store && (err = reg(p, p->tok[1], true, &rt, &is64)))
		return err;
	if (!(a = new_action(p, store ? ACT_STORE : ACT_LOAD)))
		return -EINVAL;
	a->ldst = (struct a64_ldst){ .store = store, .size = size, .sign_extend = sign, .reg64 = is64,
				     .rt = rt, .rn = base_reg(rt) };
	if (a64_enc_ldst(&a->ldst) < 0)
		return error(p, "there is no %s with a %s register", p->tok[0], is64 ? "64-bit" : "32-bit");
	if ((err = number(p, p->tok[store ? 1 : 2], &a->addr)))
		return err;
	if (!store)
		return 0;
	if ((err = number(p, p->tok[2], &a->value)))
		return err;
	if (rt == 31 && a->value != 0)
		return error(p, "%s stores 0, not %s", p->tok[3], p->tok[2]);
	return 0;
}

/* wait64 ADDR VALUE [wfe]: "1: ldr x1, [x28]; cmp x1, VALUE; b.ne 1b", one action whose
 * load is exactly load64's (same encoding, same traps); with wfe the loop waits in a WFE
 * between two loads ("b.eq 2f; wfe; b 1b; 2:"), as a spinlock's waiter does. */
static int wait64(struct parser *p)
{
	struct action *a;
	int err = need(p, 3, 4, "wait64 ADDR VALUE [wfe]");

	if (err)
		return err;
	if (p->ntok == 4 && strcmp(p->tok[3], "wfe"))
		return error(p, "usage: wait64 ADDR VALUE [wfe]");
	if (!(a = new_action(p, ACT_WAIT64)))
		return -EINVAL;
	a->ldst = (struct a64_ldst){ .size = 3, .reg64 = true, .rt = 1, .rn = base_reg(1) };
	a->wfe = p->ntok == 4;
	if ((err = number(p, p->tok[1], &a->addr)))
		return err;
	return number(p, p->tok[2], &a->value);
}

static int call(struct parser *p, enum act_kind kind, unsigned first, uint32_t fid, unsigned nargs)
{
	struct action *a = new_action(p, kind);
	if (!a)
		return -EINVAL;
	a->args[0] = fid;
	if (p->ntok - first != nargs)
		return error(p, "%s takes %u argument%s", p->tok[first - 1], nargs, nargs == 1 ? "" : "s");
	for (unsigned i = 0; i < nargs; i++) {
		int err = number(p, p->tok[first + i], &a->args[i + 1]);
		if (err)
			return err;
	}
	return 0;
}

/* hvc|smc [imm=N] FID [A1 [A2 [A3]]] */
static int raw_call(struct parser *p, enum act_kind kind)
{
	unsigned i = 1, imm = 0;
	int err;

	if (p->ntok > 1 && !strncmp(p->tok[1], "imm=", 4)) {
		if ((err = small(p, p->tok[1] + 4, 0xFFFF, &imm)))
			return err;
		i++;
	}
	if (p->ntok <= i || p->ntok > i + 4)
		return error(p, "usage: %s [imm=N] FID [A1 [A2 [A3]]]", p->tok[0]);
	struct action *a = new_action(p, kind);
	if (!a)
		return -EINVAL;
	a->imm = (uint16_t)imm;
	for (unsigned k = 0; i < p->ntok; i++, k++)
		if ((err = number(p, p->tok[i], &a->args[k])))
			return err;
	return 0;
}

static int psci(struct parser *p)
{
	enum act_kind kind = !strcmp(p->tok[0], "psci.smc") ? ACT_SMC : ACT_HVC;
	if (p->ntok < 2)
		return error(p, "usage: psci NAME [ARGS]");
	for (unsigned i = 0; i < sizeof(psci_calls) / sizeof(psci_calls[0]); i++)
		if (!strcmp(p->tok[1], psci_calls[i].name))
			return call(p, kind, 2, psci_calls[i].fid, psci_calls[i].nargs);
	return error(p, "unknown PSCI call \"%s\"", p->tok[1]);
}

/* print "TEXT": STRB W9, [X10] to UARTDR per byte. print.wait "TEXT" first waits for
 * room as a polling driver does, "1: LDR W11, [X12]; TBNZ W11, #5, 1b" on UARTFR.TXFF. */
static int print(struct parser *p, bool wait)
{
	if (p->ntok != 2 || !p->quoted[1])
		return error(p, "usage: %s \"TEXT\"", p->tok[0]);
	if (!p->vm->has_pl011)
		return error(p, "%s needs a pl011 in this VM, declared before the program", p->tok[0]);
	for (const char *c = p->tok[1]; *c; c++) {
		struct action *a;
		if (wait) {
			if (!(a = new_action(p, ACT_WAIT64)))
				return -EINVAL;
			a->ldst = (struct a64_ldst){ .size = 2, .rt = PRINT_WAIT_REG,
						     .rn = PRINT_WAIT_REG + 1 };
			a->addr = p->vm->pl011_base + PL011_FR;
			a->ignore = ~(uint64_t)PL011_FR_TXFF; /* wait until TXFF reads 0 */
		}
		if (!(a = new_action(p, ACT_STORE)))
			return -EINVAL;
		a->ldst = (struct a64_ldst){ .store = true, .size = 0, .rt = PRINT_DATA_REG,
					     .rn = PRINT_ADDR_REG };
		a->addr = p->vm->pl011_base; /* UARTDR */
		a->value = (uint8_t)*c;
	}
	return 0;
}

static int expect(struct parser *p)
{
	struct action *a;
	bool is64;
	int err;

	if (p->ntok == 2 && (!strcmp(p->tok[1], "abort") || !strcmp(p->tok[1], "undef")))
		return new_action(p, p->tok[1][0] == 'a' ? ACT_EXPECT_ABORT : ACT_EXPECT_UNDEF) ? 0 : -EINVAL;
	if (p->ntok == 3 && !strcmp(p->tok[1], "irq")) {
		if (!(a = new_action(p, ACT_EXPECT_IRQ)))
			return -EINVAL;
		return number(p, p->tok[2], &a->value);
	}
	if (p->ntok == 4 && !strcmp(p->tok[1], "exits") && !strcmp(p->tok[2], "<=")) {
		if (!(a = new_action(p, ACT_EXPECT_EXITS)))
			return -EINVAL;
		return number(p, p->tok[3], &a->value);
	}
	if (p->ntok != 4 || strcmp(p->tok[2], "=="))
		return error(p, "usage: expect REG == VALUE | expect abort | expect undef | "
				"expect irq N | expect exits <= N");
	if (!(a = new_action(p, ACT_EXPECT_REG)))
		return -EINVAL;
	if ((err = reg(p, p->tok[1], false, &a->reg, &is64)) || (err = number(p, p->tok[3], &a->value)))
		return err;
	if (!is64)
		a->value = (uint32_t)a->value; /* a W register compares its low half */
	return 0;
}

static int sys_access(struct parser *p, bool read)
{
	struct action *a;
	bool is64;
	int err = need(p, 3, 3, read ? "mrs REG SYSREG" : "msr SYSREG REG|VALUE");

	if (err || !(a = new_action(p, read ? ACT_MRS : ACT_MSR)))
		return err ? err : -EINVAL;
	if ((err = sysreg(p, p->tok[read ? 2 : 1], &a->sys)))
		return err;
	const char *r = p->tok[read ? 1 : 2];
	if (read || r[0] == 'x' || r[0] == 'w')
		return reg(p, r, true, &a->sys.rt, &is64);
	a->sys.rt = PRINT_DATA_REG; /* a literal goes through x9 */
	return number(p, r, &a->value);
}

static int kw_ldst(struct parser *p, int store)
{
	return ldst(p, store);
}

static int kw_raw_call(struct parser *p, int kind)
{
	return raw_call(p, (enum act_kind)kind);
}

static int kw_psci(struct parser *p, int arg)
{
	(void)arg;
	return psci(p);
}

static int kw_print(struct parser *p, int wait)
{
	return print(p, wait);
}

static int kw_expect(struct parser *p, int arg)
{
	(void)arg;
	return expect(p);
}

static int kw_sys_access(struct parser *p, int read)
{
	return sys_access(p, read);
}

static int kw_wait64(struct parser *p, int arg)
{
	(void)arg;
	return wait64(p);
}

/* wfi, wfe: an action with no operand. */
static int kw_bare(struct parser *p, int kind)
{
	int err = need(p, 1, 1, p->tok[0]);

	if (err)
		return err;
	return new_action(p, (enum act_kind)kind) ? 0 : -EINVAL;
}

/* wait irq, mask irq, unmask irq. */
static int kw_irq_action(struct parser *p, int kind)
{
	if (p->ntok != 2 || strcmp(p->tok[1], "irq"))
		return error(p, "usage: %s irq", p->tok[0]);
	return new_action(p, (enum act_kind)kind) ? 0 : -EINVAL;
}

static int kw_repeat(struct parser *p, int arg)
{
	int err;

	(void)arg;
	if (p->ntok != 3 || strcmp(p->tok[2], "{"))
		return error(p, "usage: repeat N {");
	if (p->in_repeat)
		return error(p, "repeat blocks do not nest");
	if ((err = small(p, p->tok[1], 1000, &p->repeat_times)))
		return err;
	if (p->repeat_times == 0)
		return error(p, "repeat at least once");
	p->in_repeat = true;
	p->repeat_from = p->vm->programs[p->prog_vcpu].n;
	return 0;
}

static int kw_vtimer(struct parser *p, int arg)
{
	struct action *a;
	int err;

	(void)arg;
	if ((err = need(p, 2, 2, "vtimer TICKS")) || !(a = new_action(p, ACT_VTIMER)))
		return err ? err : -EINVAL;
	return number(p, p->tok[1], &a->value);
}

static int kw_spin(struct parser *p, int arg)
{
	struct action *a;
	int err;

	(void)arg;
	if ((err = need(p, 2, 2, "spin STEPS")) || !(a = new_action(p, ACT_SPIN)))
		return err ? err : -EINVAL;
	if ((err = number(p, p->tok[1], &a->value)))
		return err;
	return a->value > 100000000 ? error(p, "spin at most 100000000 steps") : 0;
}

static int kw_set(struct parser *p, int arg)
{
	struct action *a;
	bool is64;
	int err;

	(void)arg;
	if ((err = need(p, 3, 3, "set REG VALUE")) || !(a = new_action(p, ACT_SET_REG)))
		return err ? err : -EINVAL;
	if ((err = reg(p, p->tok[1], false, &a->reg, &is64)))
		return err;
	return number(p, p->tok[2], &a->value);
}

static const struct keyword actions[] = {
	{ "load", true, kw_ldst, false },      { "store", true, kw_ldst, true },
	{ "hvc", false, kw_raw_call, ACT_HVC }, { "smc", false, kw_raw_call, ACT_SMC },
	{ "psci", false, kw_psci, 0 },          { "psci.smc", false, kw_psci, 0 },
	{ "print", false, kw_print, false },    { "print.wait", false, kw_print, true },
	{ "expect", false, kw_expect, 0 },
	{ "msr", false, kw_sys_access, false }, { "mrs", false, kw_sys_access, true },
	{ "wfi", false, kw_bare, ACT_WFI },     { "wfe", false, kw_bare, ACT_WFE },
	{ "wait", false, kw_irq_action, ACT_WAIT_IRQ },
	{ "wait64", false, kw_wait64, 0 },
	{ "repeat", false, kw_repeat, 0 },
	{ "mask", false, kw_irq_action, ACT_MASK_IRQ },
	{ "unmask", false, kw_irq_action, ACT_UNMASK_IRQ },
	{ "vtimer", false, kw_vtimer, 0 },
	{ "spin", false, kw_spin, 0 },
	{ "set", false, kw_set, 0 },
};

int program_statement(struct parser *p)
{
	/* A riscv64 VM's programs are RV64 instructions (program_rv.c); repeat is shared. */
	if (p->vm->isa == SCN_ISA_RISCV64 && strcmp(p->tok[0], "repeat"))
		return program_rv_statement(p);
	return parse_keyword(p, actions, sizeof(actions) / sizeof(actions[0]), "action");
}
