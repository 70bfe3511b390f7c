/* The vCPU-program half of the scenario parser for a riscv64 VM ("isa riscv64"): one
 * function per statement, each checking its operands and appending the engine actions
 * hal-sim/rv_engine.c runs (struct rv_op says which RV64 instruction each stands for).
 * The language is documented in scenarios/README.md ("riscv64 programs"); program.c
 * dispatches here, repeat blocks and the closing "}" stay program.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv64/csr.h"
#include "tools/scenario/parser.h"

#define RV_T0 5
#define RV_T1 6
#define RV_T2 7
#define RV_T3 28
#define RV_T4 29
#define RV_T5 30
#define RV_T6 31
#define RV_S0 8
#define RV_S1 9
#define NS16550_LSR 5          /* line status register (16550 data sheet), reg-shift 0 */
#define NS16550_LSR_THRE 0x20u /* transmitter holding register empty */

/* The RISC-V integer registers' ABI names (psABI, "Integer Register Convention"). */
static const char *const abi_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1",	"a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6",	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const struct {
	const char *name;
	uint64_t eid;
	bool legacy; /* a legacy extension: no FID */
} sbi_exts[] = {
	{ "base", 0x10, false },      { "time", 0x54494D45, false },   { "ipi", 0x735049, false },
	{ "rfence", 0x52464E43, false }, { "hsm", 0x48534D, false },  { "srst", 0x53525354, false },
	{ "dbcn", 0x4442434E, false },   { "putchar", 0x01, true },   { "getchar", 0x02, true },
};

static const struct {
	const char *name;
	uint16_t csr;
} csr_names[] = {
	{ "sstatus", CSR_SSTATUS },	    { "sie", CSR_SIE },		  { "stvec", CSR_STVEC },
	{ "scounteren", CSR_SCOUNTEREN }, { "senvcfg", CSR_SENVCFG }, { "sscratch", CSR_SSCRATCH },
	{ "sepc", CSR_SEPC },		    { "scause", CSR_SCAUSE },	  { "stval", CSR_STVAL },
	{ "sip", CSR_SIP },		    { "stimecmp", CSR_STIMECMP }, { "satp", CSR_SATP },
	{ "cycle", CSR_CYCLE },		    { "time", CSR_TIME },	  { "instret", CSR_INSTRET },
	{ "fflags", CSR_FFLAGS },	    { "frm", CSR_FRM },		  { "fcsr", CSR_FCSR },
	/* What VS-mode may not touch: hypervisor, VS and M-level CSRs. */
	{ "vsstatus", CSR_VSSTATUS },	    { "vsie", CSR_VSIE },	  { "vstvec", CSR_VSTVEC },
	{ "vsscratch", CSR_VSSCRATCH },	    { "vsepc", CSR_VSEPC },	  { "vscause", CSR_VSCAUSE },
	{ "vstval", CSR_VSTVAL },	    { "vsip", CSR_VSIP },	  { "vstimecmp", CSR_VSTIMECMP },
	{ "vsatp", CSR_VSATP },		    { "hstatus", CSR_HSTATUS },	  { "hedeleg", CSR_HEDELEG },
	{ "hideleg", CSR_HIDELEG },	    { "hie", CSR_HIE },		  { "htimedelta", CSR_HTIMEDELTA },
	{ "hcounteren", CSR_HCOUNTEREN },  { "hgeie", CSR_HGEIE },	  { "henvcfg", CSR_HENVCFG },
	{ "htval", CSR_HTVAL },		    { "hip", CSR_HIP },		  { "hvip", CSR_HVIP },
	{ "htinst", CSR_HTINST },	    { "hgatp", CSR_HGATP },	  { "hgeip", CSR_HGEIP },
	{ "mstatus", 0x300 },		    { "misa", 0x301 },		  { "medeleg", 0x302 },
	{ "mideleg", 0x303 },		    { "mie", 0x304 },		  { "mtvec", 0x305 },
	{ "mscratch", 0x340 },		    { "mepc", 0x341 },		  { "mcause", 0x342 },
	{ "mip", 0x344 },		    { "mhartid", 0xF14 },
};

/* Exception causes (privileged spec Table 4.2) by name, for "expect fault". */
static const struct {
	const char *name;
	unsigned cause;
} fault_names[] = {
	{ "fetch-misaligned", CAUSE_MISALIGNED_FETCH }, { "fetch-access", CAUSE_FETCH_ACCESS },
	{ "illegal-instruction", CAUSE_ILLEGAL_INSN },	{ "breakpoint", CAUSE_BREAKPOINT },
	{ "load-misaligned", CAUSE_MISALIGNED_LOAD },	{ "load-access", CAUSE_LOAD_ACCESS },
	{ "store-misaligned", CAUSE_MISALIGNED_STORE }, { "store-access", CAUSE_STORE_ACCESS },
	{ "user-ecall", CAUSE_USER_ECALL },		{ "fetch-page-fault", CAUSE_FETCH_PAGE_FAULT },
	{ "load-page-fault", CAUSE_LOAD_PAGE_FAULT },	{ "store-page-fault", CAUSE_STORE_PAGE_FAULT },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int rv_reg(struct parser *p, const char *t, unsigned *r)
{
	for (unsigned i = 0; i < 32; i++)
		if (!strcmp(t, abi_names[i])) {
			*r = i;
			return 0;
		}
	if (!strcmp(t, "fp")) {
		*r = RV_S0;
		return 0;
	}
	char *end;
	if (t[0] == 'x' && t[1] >= '0' && t[1] <= '9' && (t[1] != '0' || !t[2])) {
		unsigned long n = strtoul(t + 1, &end, 10);
		if (!*end && n < 32) {
			*r = (unsigned)n;
			return 0;
		}
	}
	return error(p, "unknown register \"%s\" (x0-x31 or an ABI name: zero, ra, sp, gp, tp, "
			"t0-t6, s0-s11, fp, a0-a7)",
		     t);
}

/* A register the statement's own registers leave free: the first of t6, t5, t4. */
static unsigned scratch(unsigned not1, unsigned not2)
{
	static const unsigned pool[] = { RV_T6, RV_T5, RV_T4 };

	for (unsigned i = 0;; i++)
		if (pool[i] != not1 && pool[i] != not2)
			return pool[i];
}

/* [c.]load8|16|32|64 REG ADDR, loadu8|16|32 REG ADDR, [c.]store8|16|32|64 REG ADDR VALUE. */
static int ldst(struct parser *p, bool store)
{
	const char *k = p->tok[0];
	bool compressed = !strncmp(k, "c.", 2);
	k += (compressed ? 2 : 0) + (store ? 5 : 4);
	bool unsig = !store && *k == 'u';
	k += unsig;
	unsigned size = !strcmp(k, "8") ? 0 : !strcmp(k, "16") ? 1 : !strcmp(k, "32") ? 2 : !strcmp(k, "64") ? 3 : 9;
	int err;

	if (size == 9 || (unsig && size == 3))
		return error(p, "unknown instruction \"%s\"", p->tok[0]);
	if (compressed && (size < 2 || unsig))
		return error(p, "%s has no compressed form (c.load32, c.load64, c.store32, "
				"c.store64 only)", p->tok[0] + 2);
	if ((err = store ? need(p, 4, 4, "storeN REG ADDR VALUE") : need(p, 3, 3, "loadN REG ADDR")))
		return err;
	struct action *a = new_action(p, store ? ACT_STORE : ACT_LOAD);
	unsigned r;
	if (!a || (err = rv_reg(p, p->tok[1], &r)) || (err = number(p, p->tok[2], &a->addr)))
		return a ? err : -EINVAL;
	if (compressed && (r < 8 || r > 15))
		return error(p, "%s needs a register of x8-x15 (s0, s1, a0-a5), not %s", p->tok[0],
			     p->tok[1]);
	a->rv = (struct rv_op){ .size = (uint8_t)size, .sign = !store && !unsig && size < 3,
				.compressed = compressed };
	a->rv.rs1 = (uint8_t)(compressed ? (r == RV_S1 ? RV_S0 : RV_S1) : scratch(r, r));
	if (!store) {
		a->rv.rd = (uint8_t)r;
		return 0;
	}
	a->rv.rs2 = (uint8_t)r;
	if ((err = number(p, p->tok[3], &a->value)))
		return err;
	if (r == 0 && a->value != 0)
		return error(p, "%s stores x0, which is 0, not %s", p->tok[0], p->tok[3]);
	return 0;
}

/* amoadd.w|d, amoswap.w|d REG ADDR VALUE; lr.w|d REG ADDR; sc.w|d REG ADDR VALUE. */
static int amo(struct parser *p, int op)
{
	const char *dot = strchr(p->tok[0], '.');
	bool lr = op == RV_AMO_LR;
	int err;

	if (!dot || (strcmp(dot, ".w") && strcmp(dot, ".d")))
		return error(p, "unknown instruction \"%s\" (.w or .d)", p->tok[0]);
	if ((err = lr ? need(p, 3, 3, "lr.w|d REG ADDR") : need(p, 4, 4, "AMO REG ADDR VALUE")))
		return err;
	struct action *a = new_action(p, ACT_RV_AMO);
	unsigned rd;
	if (!a || (err = rv_reg(p, p->tok[1], &rd)) || (err = number(p, p->tok[2], &a->addr)))
		return a ? err : -EINVAL;
	unsigned rs1 = scratch(rd, rd);
	a->rv = (struct rv_op){ .amo = (uint8_t)op, .rd = (uint8_t)rd, .rs1 = (uint8_t)rs1,
				.rs2 = (uint8_t)(lr ? 0 : scratch(rd, rs1)),
				.size = dot[1] == 'd' ? 3 : 2 };
	return lr ? 0 : number(p, p->tok[3], &a->value);
}

/* Up to n numbers from token first on into out. */
static int numbers(struct parser *p, unsigned first, uint64_t *out, unsigned n)
{
	for (unsigned i = first, k = 0; i < p->ntok && k < n; i++, k++) {
		int err = number(p, p->tok[i], &out[k]);
		if (err)
			return err;
	}
	return 0;
}

/* ecall [EID [FID [A0 .. A5]]]: a7, a6, a0-a5 (unsaid: 0). */
static int ecall(struct parser *p, int arg)
{
	uint64_t v[8] = { 0 };
	int err;

	(void)arg;
	if ((err = need(p, 1, 9, "ecall [EID [FID [A0 .. A5]]]")) || (err = numbers(p, 1, v, 8)))
		return err;
	struct action *a = new_action(p, ACT_RV_ECALL);
	if (!a)
		return -EINVAL;
	a->args[7] = v[0];
	a->args[6] = v[1];
	memcpy(a->args, v + 2, 6 * sizeof(uint64_t));
	return 0;
}

/* sbi EXT FID [ARGS...] (EXT a name or an EID); sbi putchar|getchar [ARG] (legacy). */
static int sbi(struct parser *p, int arg)
{
	const char *ext = p->ntok > 1 ? p->tok[1] : "";
	uint64_t eid = 0;
	bool legacy = false, known = false;
	int err;

	(void)arg;
	for (unsigned i = 0; i < COUNT(sbi_exts); i++)
		if (!strcmp(ext, sbi_exts[i].name)) {
			eid = sbi_exts[i].eid;
			legacy = sbi_exts[i].legacy;
			known = true;
		}
	if (!known && p->ntok > 1 && (err = number(p, ext, &eid)))
		return error(p, "unknown SBI extension \"%s\" (base, time, ipi, rfence, hsm, srst, "
				"dbcn, putchar, getchar, or an EID)", ext);
	if (legacy ? (err = need(p, 2, 3, "sbi putchar|getchar [ARG]"))
		   : (err = need(p, 3, 9, "sbi EXT FID [A0 .. A5]")))
		return err;
	struct action *a = new_action(p, ACT_RV_ECALL);
	if (!a)
		return -EINVAL;
	a->args[7] = eid;
	if (legacy)
		return numbers(p, 2, a->args, 1);
	if ((err = number(p, p->tok[2], &a->args[6])))
		return err;
	return numbers(p, 3, a->args, 6);
}

static int csr_number(struct parser *p, const char *t, uint16_t *csr)
{
	uint64_t v;

	for (unsigned i = 0; i < COUNT(csr_names); i++)
		if (!strcmp(t, csr_names[i].name)) {
			*csr = csr_names[i].csr;
			return 0;
		}
	if ((t[0] < '0' || t[0] > '9') || number(p, t, &v) || v > 0xFFF)
		return error(p, "unknown CSR \"%s\" (a name or a number 0-0xfff)", t);
	*csr = (uint16_t)v;
	return 0;
}

/* csrr REG CSR; csrw CSR VALUE (through t6). */
static int csr(struct parser *p, int write)
{
	int err = write ? need(p, 3, 3, "csrw CSR VALUE") : need(p, 3, 3, "csrr REG CSR");
	struct action *a;
	unsigned rd;

	if (err || !(a = new_action(p, ACT_RV_CSR)))
		return err ? err : -EINVAL;
	a->rv.write = write;
	if ((err = csr_number(p, p->tok[write ? 1 : 2], &a->rv.csr)))
		return err;
	if (write) {
		a->rv.rs1 = RV_T6;
		return number(p, p->tok[2], &a->value);
	}
	if ((err = rv_reg(p, p->tok[1], &rd)))
		return err;
	a->rv.rd = (uint8_t)rd;
	return 0;
}

/* sfence.vma [ADDR [ASID]]: rs1 = t6 holding ADDR, rs2 = t5 holding ASID, x0 unsaid. */
static int sfence(struct parser *p, int arg)
{
	struct action *a;
	int err;

	(void)arg;
	if ((err = need(p, 1, 3, "sfence.vma [ADDR [ASID]]")) || !(a = new_action(p, ACT_RV_SFENCE)))
		return err ? err : -EINVAL;
	if (p->ntok > 1) {
		a->rv.rs1 = RV_T6;
		if ((err = number(p, p->tok[1], &a->addr)))
			return err;
	}
	if (p->ntok > 2) {
		a->rv.rs2 = RV_T5;
		if ((err = number(p, p->tok[2], &a->value)))
			return err;
		if (a->value > SATP_ASID_MASK)
			return error(p, "an ASID is 16 bits, not %s", p->tok[2]);
	}
	return 0;
}

static int set_reg(struct parser *p, int arg)
{
	struct action *a;
	unsigned r;
	int err;

	(void)arg;
	if ((err = need(p, 3, 3, "set REG VALUE")) || !(a = new_action(p, ACT_SET_REG)))
		return err ? err : -EINVAL;
	if ((err = rv_reg(p, p->tok[1], &r)))
		return err;
	a->reg = r;
	return number(p, p->tok[2], &a->value);
}

static int expect_fault(struct parser *p)
{
	struct action *a = new_action(p, ACT_RV_EXPECT_FAULT);

	if (!a)
		return -EINVAL;
	for (unsigned i = 0; i < COUNT(fault_names); i++)
		if (!strcmp(p->tok[2], fault_names[i].name)) {
			a->value = fault_names[i].cause;
			return 0;
		}
	if (number(p, p->tok[2], &a->value) || a->value > 63)
		return error(p, "unknown exception \"%s\" (a cause 0-63 or a name such as "
				"load-page-fault)", p->tok[2]);
	return 0;
}

/* expect irq timer | soft | ext SOURCE */
static int expect_irq(struct parser *p)
{
	struct action *a = new_action(p, ACT_EXPECT_IRQ);
	const char *k = p->tok[2];

	if (!a)
		return -EINVAL;
	a->rv.cause = !strcmp(k, "timer") ? IRQ_S_TIMER : !strcmp(k, "soft") ? IRQ_S_SOFT
		      : !strcmp(k, "ext") ? IRQ_S_EXT : 0;
	if (!a->rv.cause || (a->rv.cause == IRQ_S_EXT) != (p->ntok == 4))
		return error(p, "usage: expect irq timer | expect irq soft | expect irq ext SOURCE");
	if (p->ntok < 4)
		return 0;
	int err = number(p, p->tok[3], &a->value);
	if (!err && (a->value == 0 || a->value > 1023))
		return error(p, "a PLIC source is 1-1023, not %s", p->tok[3]);
	return err;
}

static int expect(struct parser *p, int arg)
{
	struct action *a;
	unsigned r;
	int err;

	(void)arg;
	if (p->ntok == 3 && !strcmp(p->tok[1], "fault"))
		return expect_fault(p);
	if ((p->ntok == 3 || p->ntok == 4) && !strcmp(p->tok[1], "irq"))
		return expect_irq(p);
	if (p->ntok == 4 && !strcmp(p->tok[1], "exits") && !strcmp(p->tok[2], "<=")) {
		if (!(a = new_action(p, ACT_EXPECT_EXITS)))
			return -EINVAL;
		return number(p, p->tok[3], &a->value);
	}
	if (p->ntok != 4 || strcmp(p->tok[2], "=="))
		return error(p, "usage: expect REG == VALUE | expect fault CAUSE | expect irq "
				"timer|soft|ext SOURCE | expect exits <= N");
	if (!(a = new_action(p, ACT_EXPECT_REG)))
		return -EINVAL;
	if ((err = rv_reg(p, p->tok[1], &r)))
		return err;
	a->reg = r;
	return number(p, p->tok[3], &a->value);
}

/* wfi, end: no operand. */
static int bare(struct parser *p, int kind)
{
	int err = need(p, 1, 1, p->tok[0]);

	if (err)
		return err;
	return new_action(p, (enum act_kind)kind) ? 0 : -EINVAL;
}

/* wait irq; mask [irq]; unmask [irq] (sstatus.SIE). */
static int irq_action(struct parser *p, int kind)
{
	bool wait = kind == ACT_WAIT_IRQ;

	if ((p->ntok != 2 && (wait || p->ntok != 1)) || (p->ntok == 2 && strcmp(p->tok[1], "irq")))
		return error(p, "usage: %s irq", p->tok[0]);
	return new_action(p, (enum act_kind)kind) ? 0 : -EINVAL;
}

/* spin STEPS, timer TICKS. */
static int counted(struct parser *p, int kind)
{
	struct action *a;
	int err = need(p, 2, 2, kind == ACT_SPIN ? "spin STEPS" : "timer TICKS");

	if (err || !(a = new_action(p, (enum act_kind)kind)))
		return err ? err : -EINVAL;
	a->rv.rs1 = RV_T6; /* timer: csrw stimecmp, t6 */
	if ((err = number(p, p->tok[1], &a->value)))
		return err;
	return kind == ACT_SPIN && a->value > 100000000 ? error(p, "spin at most 100000000 steps") : 0;
}

/* wait64 ADDR VALUE: "1: ld t0, 0(t6); bne t0, VALUE, 1b". */
static int wait64(struct parser *p, int arg)
{
	struct action *a;
	int err = need(p, 3, 3, "wait64 ADDR VALUE");

	(void)arg;
	if (err || !(a = new_action(p, ACT_WAIT64)))
		return err ? err : -EINVAL;
	a->rv = (struct rv_op){ .rd = RV_T0, .rs1 = RV_T6, .size = 3 };
	if ((err = number(p, p->tok[1], &a->addr)))
		return err;
	return number(p, p->tok[2], &a->value);
}

/* wait8 ADDR VALUE [MASK]: "1: lbu t0, 0(t6); bne t0, VALUE, 1b" with the bits MASK
 * clears left out of the comparison: a polling driver's wait on a byte register (a
 * UART's LSR.DR, say). */
static int wait8(struct parser *p, int arg)
{
	struct action *a;
	uint64_t mask = 0xFF;
	int err = need(p, 3, 4, "wait8 ADDR VALUE [MASK]");

	(void)arg;
	if (err || !(a = new_action(p, ACT_WAIT64)))
		return err ? err : -EINVAL;
	a->rv = (struct rv_op){ .rd = RV_T0, .rs1 = RV_T6, .size = 0 };
	if ((err = number(p, p->tok[1], &a->addr)) || (err = number(p, p->tok[2], &a->value)) ||
	    (p->ntok == 4 && (err = number(p, p->tok[3], &mask))))
		return err;
	if (mask > 0xFF || a->value > 0xFF || (a->value & ~mask))
		return error(p, "wait8: VALUE and MASK are bytes, VALUE inside MASK");
	a->ignore = ~mask;
	return 0;
}

/* print "TEXT": per byte, "1: lbu t0, 0(t1); andi t0, t0, THRE; beqz t0, 1b" on the
 * ns16550's LSR, then "sb t2, 0(t3)" to its THR. */
static int print(struct parser *p, int arg)
{
	(void)arg;
	if (p->ntok != 2 || !p->quoted[1])
		return error(p, "usage: print \"TEXT\"");
	if (!p->vm->has_ns16550)
		return error(p, "print needs an ns16550 in this VM, declared before the program");
	for (const char *ch = p->tok[1]; *ch; ch++) {
		struct action *a = new_action(p, ACT_WAIT64);
		if (!a)
			return -EINVAL;
		a->rv = (struct rv_op){ .rd = RV_T0, .rs1 = RV_T1, .size = 0 };
		a->addr = p->vm->ns16550_base + NS16550_LSR;
		a->value = NS16550_LSR_THRE;
		a->ignore = ~(uint64_t)NS16550_LSR_THRE;
		if (!(a = new_action(p, ACT_STORE)))
			return -EINVAL;
		a->rv = (struct rv_op){ .rs2 = RV_T2, .rs1 = RV_T3, .size = 0 };
		a->addr = p->vm->ns16550_base; /* THR */
		a->value = (uint8_t)*ch;
	}
	return 0;
}

static int kw_ldst(struct parser *p, int store)
{
	return ldst(p, store);
}

static const struct keyword rv_actions[] = {
	{ "c.load", true, kw_ldst, false },   { "c.store", true, kw_ldst, true },
	{ "load", true, kw_ldst, false },     { "store", true, kw_ldst, true },
	{ "amoadd.", true, amo, RV_AMO_ADD }, { "amoswap.", true, amo, RV_AMO_SWAP },
	{ "lr.", true, amo, RV_AMO_LR },      { "sc.", true, amo, RV_AMO_SC },
	{ "ecall", false, ecall, 0 },	      { "sbi", false, sbi, 0 },
	{ "csrr", false, csr, false },	      { "csrw", false, csr, true },
	{ "sfence.vma", false, sfence, 0 },   { "wfi", false, bare, ACT_WFI },
	{ "end", false, bare, ACT_END },      { "set", false, set_reg, 0 },
	{ "expect", false, expect, 0 },	      { "wait", false, irq_action, ACT_WAIT_IRQ },
	{ "mask", false, irq_action, ACT_MASK_IRQ },
	{ "unmask", false, irq_action, ACT_UNMASK_IRQ },
	{ "spin", false, counted, ACT_SPIN }, { "timer", false, counted, ACT_VTIMER },
	{ "wait64", false, wait64, 0 },	      { "wait8", false, wait8, 0 },
	{ "print", false, print, 0 },
};

int program_rv_statement(struct parser *p)
{
	const struct engine_program *prog = &p->vm->programs[p->prog_vcpu];

	if (prog->n && p->vm->acts[p->prog_vcpu][prog->n - 1].kind == ACT_END)
		return error(p, "nothing may follow \"end\" but the program's \"}\"");
	if (!strcmp(p->tok[0], "end") && p->in_repeat)
		return error(p, "\"end\" cannot be repeated");
	return parse_keyword(p, rv_actions, COUNT(rv_actions), "riscv64 action");
}
