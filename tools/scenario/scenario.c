/* The scenario parser: line-oriented, one statement a line, blocks opened by "{" at
 * the end of a line and closed by "}" alone. Everything it reads is untrusted: every
 * number, register, name and limit is checked, and the first problem stops the parse
 * with "file:line: message". */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/psci_ids.h"
#include "arch/aarch64/vgic_map.h"
#include "core/hypercall.h"
#include "core/place.h"
#include "hal-sim/sim.h"
#include "tools/scenario/parser.h"
#include "tools/scenario/scenario.h"

int error(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, SCN_ERR_MAX, "%s:%u: ", p->file, p->line);

	if (n < 0 || n >= SCN_ERR_MAX - 1)
		return -EINVAL; /* a file name that long leaves no room for the message */
	va_start(ap, fmt);
	vsnprintf(p->err + n, SCN_ERR_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char unescape(char c)
{
	return c == 'n' ? '\n' : c == 't' ? '\t' : c;
}

/* Split p->buf into tokens in place; a quoted string is one token with \n \t \" \\. */
static int tokenize(struct parser *p)
{
	char *c = p->buf;

	for (p->ntok = 0;;) {
		while (*c == ' ' || *c == '\t' || *c == '\r')
			c++;
		if (!*c || *c == '#')
			return 0;
		if (p->ntok == MAX_TOKENS)
			return error(p, "too many words on one line (at most %d)", MAX_TOKENS);
		bool q = *c == '"';
		char *start = q ? ++c : c, *out = start;
		bool last = false;
		if (q) {
			while (*c && *c != '"') {
				if (*c == '\\' && c[1])
					c++, *out++ = unescape(*c++);
				else
					*out++ = *c++;
			}
			if (*c != '"')
				return error(p, "unterminated string");
			c++;
		} else {
			while (*c && *c != ' ' && *c != '\t' && *c != '\r' && *c != '#')
				c++;
			out = c;
			last = *c == '\0' || *c == '#';
			if (!last)
				c++;
		}
		*out = '\0';
		p->quoted[p->ntok] = q;
		p->tok[p->ntok++] = start;
		if (last)
			return 0;
	}
}

int number(struct parser *p, const char *t, uint64_t *v)
{
	char *end;
	bool neg = t[0] == '-';

	if (!*t || (neg && !t[1]))
		return error(p, "expected a number, got \"%s\"", t);
	errno = 0;
	unsigned long long x = strtoull(neg ? t + 1 : t, &end, 0);
	if (errno || end == (neg ? t + 1 : t) || (neg ? t[1] : t[0]) == '-' || (neg ? t[1] : t[0]) == '+')
		return error(p, "expected a number, got \"%s\"", t);
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end)
		return error(p, "bad number \"%s\"", t);
	if (shift && (x >> (64 - shift)))
		return error(p, "number \"%s\" is too large", t);
	x <<= shift;
	*v = neg ? (uint64_t)0 - x : x;
	return 0;
}

/* An address token, as the kind of address the statement takes. */
static int number_gpa(struct parser *p, const char *t, gpa_t *a)
{
	uint64_t v = 0;
	int err = number(p, t, &v);

	if (!err)
		*a = gpa_make(v);
	return err;
}

static int number_pa(struct parser *p, const char *t, paddr_t *a)
{
	uint64_t v = 0;
	int err = number(p, t, &v);

	if (!err)
		*a = pa_make(v);
	return err;
}

int small(struct parser *p, const char *t, uint64_t max, unsigned *v)
{
	uint64_t x = 0;
	int err = number(p, t, &x);

	if (err)
		return err;
	if (x > max)
		return error(p, "\"%s\" is out of range (at most %llu)", t, (unsigned long long)max);
	*v = (unsigned)x;
	return 0;
}

/* "xN" / "wN" (N 0-30), or "xzr"/"wzr" (31) when allowed. */
int reg(struct parser *p, const char *t, bool zr_ok, unsigned *r, bool *is64)
{
	if ((t[0] != 'x' && t[0] != 'w') || !t[1])
		return error(p, "expected a register (x0-x30, w0-w30), got \"%s\"", t);
	*is64 = t[0] == 'x';
	if (!strcmp(t + 1, "zr")) {
		if (!zr_ok)
			return error(p, "%s is not allowed here", t);
		*r = 31;
		return 0;
	}
	char *end;
	unsigned long n = strtoul(t + 1, &end, 10);
	if (*end || n > 30 || t[1] == '-' || t[1] == '+')
		return error(p, "expected a register (x0-x30, w0-w30), got \"%s\"", t);
	*r = (unsigned)n;
	return 0;
}

int need(struct parser *p, unsigned lo, unsigned hi, const char *usage)
{
	if (p->ntok < lo || p->ntok > hi)
		return error(p, "usage: %s", usage);
	return 0;
}

struct action *new_action(struct parser *p, enum act_kind kind)
{
	struct engine_program *prog = &p->vm->programs[p->prog_vcpu];
	struct action **acts = &p->vm->acts[p->prog_vcpu];

	if (prog->n >= SCN_MAX_ACTIONS - 1) {
		error(p, "program too long (at most %d actions)", SCN_MAX_ACTIONS - 1);
		return NULL;
	}
	if (prog->n == p->prog_cap) {
		size_t cap = p->prog_cap ? p->prog_cap * 2 : 64;
		struct action *a = realloc(*acts, cap * sizeof(*a));
		if (!a) {
			error(p, "out of memory");
			return NULL;
		}
		*acts = a;
		prog->acts = a;
		p->prog_cap = cap;
	}
	struct action *a = &(*acts)[prog->n++];
	*a = (struct action){ .kind = kind, .line = p->line };
	return a;
}

static int vm_memory(struct parser *p)
{
	static const struct { const char *name; unsigned flags; } perms[] = {
		{ "r", PT_R }, { "rw", PT_R | PT_W }, { "rx", PT_R | PT_X }, { "rwx", PT_R | PT_W | PT_X },
		{ "x", PT_X }, { "rw-dev", PT_R | PT_W | PT_DEVICE }, { "r-dev", PT_R | PT_DEVICE },
	};
	struct vm_config *c = &p->vm->cfg;
	int err = need(p, 5, 6, "memory GPA SIZE r|rw|rx|rwx|x|rw-dev|r-dev eager|lazy|identity|linear HPA");
	if (err)
		return err;
	if (c->nmem == VM_MAX_MEM)
		return error(p, "too many memory regions (at most %d)", VM_MAX_MEM);
	struct vm_mem_config *m = &c->mem[c->nmem];
	if ((err = number_gpa(p, p->tok[1], &m->gpa)) || (err = number(p, p->tok[2], &m->size)))
		return err;
	unsigned i;
	for (i = 0; i < sizeof(perms) / sizeof(perms[0]) && strcmp(perms[i].name, p->tok[3]); i++)
		;
	if (i == sizeof(perms) / sizeof(perms[0]))
		return error(p, "unknown permissions \"%s\"", p->tok[3]);
	m->flags = perms[i].flags;
	const char *b = p->tok[4];
	bool linear = !strcmp(b, "linear");
	if (linear != (p->ntok == 6))
		return error(p, linear ? "linear needs a host address" : "only linear takes a host address");
	if (!strcmp(b, "eager"))
		m->backend = AS_ALLOC_EAGER;
	else if (!strcmp(b, "lazy"))
		m->backend = AS_ALLOC_LAZY;
	else if (!strcmp(b, "identity"))
		m->backend = AS_IDENTITY;
	else if (linear)
		m->backend = AS_LINEAR;
	else
		return error(p, "unknown backend \"%s\"", b);
	if (linear && (err = number_pa(p, p->tok[5], &m->hpa)))
		return err;
	if (!p->entry_set && c->nmem == 0) {
		c->entry = m->gpa; /* the first region's start, unless "entry" says otherwise */
	}
	p->vm->mem_line[c->nmem++] = p->line;
	return 0;
}

int copy_path(struct parser *p, const char *noun, char out[SCN_PATH_MAX])
{
	size_t len = strlen(p->tok[1]);

	if (len == 0)
		return error(p, "%s %s needs a path", strchr("aeiou", noun[0]) ? "an" : "a", noun);
	if (len >= SCN_PATH_MAX)
		return error(p, "%s path too long (at most %d characters)", noun, SCN_PATH_MAX - 1);
	memcpy(out, p->tok[1], len + 1);
	return 0;
}

/* image PATH [ADDR]: the VM's guest binary. ADDR defaults to the entry, known only once
 * the block ends (vm_end resolves and checks it). */
static int vm_image(struct parser *p)
{
	struct scn_vm *vm = p->vm;
	int err = need(p, 2, 3, "image PATH [ADDR]");

	if (err)
		return err;
	if (vm->has_image)
		return error(p, "VM \"%s\" already has an image", vm->name);
	if ((err = copy_path(p, "image", vm->image_path)) ||
	    (p->ntok == 3 && (err = number(p, p->tok[2], &vm->image_addr))))
		return err;
	vm->has_image = true;
	p->image_addr_set = p->ntok == 3;
	p->image_line = p->line;
	return 0;
}

static bool in_memory(const struct vm_config *c, uint64_t addr)
{
	for (unsigned i = 0; i < c->nmem; i++)
		if (addr >= gpa_bits(c->mem[i].gpa) && addr - gpa_bits(c->mem[i].gpa) < c->mem[i].size)
			return true;
	return false;
}

/* "}" of a VM block: what needs the whole block is checked here. */
static int vm_end(struct parser *p)
{
	struct scn_vm *vm = p->vm;

	int err;

	if (!vm->cfg.nmem)
		return error(p, "VM \"%s\" has no memory", vm->name);
	if ((err = vm_boot_end(p)))
		return err;
	if (vm->has_image) {
		if (!p->image_addr_set)
			vm->image_addr = gpa_bits(vm->cfg.entry);
		if (!in_memory(&vm->cfg, vm->image_addr)) {
			p->line = p->image_line; /* the statement to fix; the parse ends here */
			return error(p, "image address 0x%llx%s is in none of VM \"%s\"'s memory "
				     "regions", (unsigned long long)vm->image_addr,
				     p->image_addr_set ? "" : " (the entry)", vm->name);
		}
	}
	p->block = TOP;
	return need(p, 1, 1, "}");
}

static int vm_vcpus(struct parser *p, int arg)
{
	struct vm_config *c = &p->vm->cfg;
	unsigned n = 0;
	int err;

	(void)arg;
	if ((err = need(p, 2, 2, "vcpus N")) || (err = small(p, p->tok[1], VM_MAX_VCPUS, &n)))
		return err;
	if (n == 0)
		return error(p, "a VM needs at least one vCPU");
	for (unsigned i = n; i < VM_MAX_VCPUS; i++)
		if (p->vm->acts[i] || c->affinity[i])
			return error(p, "vCPU %u already has a program or an affinity: "
					"\"vcpus\" comes first", i);
	c->nvcpus = n;
	p->vcpus_set = true;
	p->vm->vcpus_line = p->line;
	return 0;
}

static int vm_affinity(struct parser *p, int arg)
{
	struct vm_config *c = &p->vm->cfg;
	unsigned n = 0;
	int err;

	(void)arg;
	if ((err = need(p, 3, MAX_TOKENS, "affinity VCPU PCPU [PCPU...]")) ||
	    (err = small(p, p->tok[1], c->nvcpus - 1, &n)))
		return err;
	c->affinity[n] = 0;
	p->vm->affinity_line[n] = p->line;
	for (unsigned i = 2; i < p->ntok; i++) {
		unsigned cpu = 0;
		if ((err = small(p, p->tok[i], 63, &cpu)))
			return err;
		c->affinity[n] |= 1ull << cpu;
	}
	return 0;
}

static int vm_pl011(struct parser *p, int arg)
{
	int err;

	(void)arg;
	if ((err = need(p, 2, 3, "pl011 BASE [IRQ]")) || (err = number(p, p->tok[1], &p->vm->pl011_base)))
		return err;
	if (p->vm->isa != SCN_ISA_AARCH64)
		return error(p, "a pl011 is an aarch64 VM's UART (a riscv64 VM has an ns16550)");
	p->vm->pl011_irq = 33; /* SPI 1 on QEMU's virt board */
	if (p->ntok == 3 && (err = small(p, p->tok[2], VGIC_NR_IRQS - 1, &p->vm->pl011_irq)))
		return err;
	if (p->vm->pl011_irq < VGIC_NR_PRIVATE)
		return error(p, "a pl011's interrupt is a shared one (SPI): %d-%d", VGIC_NR_PRIVATE,
			     VGIC_NR_IRQS - 1);
	p->vm->has_pl011 = true;
	return 0;
}

static int vm_isa(struct parser *p, int arg)
{
	struct scn_vm *vm = p->vm;
	int err;

	(void)arg;
	if ((err = need(p, 2, 2, "isa aarch64|riscv64")))
		return err;
	bool any = vm->has_pl011 || vm->has_ns16550;
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		any = any || vm->acts[i];
	if (any)
		return error(p, "\"isa\" comes before the VM's devices and programs");
	if (!strcmp(p->tok[1], "aarch64"))
		vm->isa = SCN_ISA_AARCH64;
	else if (!strcmp(p->tok[1], "riscv64"))
		vm->isa = SCN_ISA_RISCV64;
	else
		return error(p, "isa takes aarch64 or riscv64");
	return 0;
}

/* An NS16550A (riscv64 VMs): 8 byte registers, its interrupt a PLIC source (10 on QEMU's
 * riscv virt board). */
static int vm_ns16550(struct parser *p, int arg)
{
	struct scn_vm *vm = p->vm;
	int err;

	(void)arg;
	if ((err = need(p, 2, 3, "ns16550 BASE [IRQ]")) ||
	    (err = number(p, p->tok[1], &vm->ns16550_base)))
		return err;
	if (vm->isa != SCN_ISA_RISCV64)
		return error(p, "an ns16550 is a riscv64 VM's UART (\"isa riscv64\" first)");
	if (vm->has_ns16550)
		return error(p, "VM \"%s\" already has an ns16550", vm->name);
	vm->ns16550_irq = 10;
	if (p->ntok == 3 && (err = small(p, p->tok[2], 1023, &vm->ns16550_irq)))
		return err;
	if (vm->ns16550_irq == 0)
		return error(p, "PLIC source 0 does not exist");
	vm->has_ns16550 = true;
	return 0;
}

static int vm_entry(struct parser *p, int arg)
{
	int err;

	(void)arg;
	p->entry_set = true;
	if ((err = need(p, 2, 2, "entry ADDR")))
		return err;
	return number_gpa(p, p->tok[1], &p->vm->cfg.entry);
}

static int vm_mmio(struct parser *p, int arg)
{
	int err;

	(void)arg;
	if ((err = need(p, 2, 2, "mmio raz-wi|abort")))
		return err;
	if (strcmp(p->tok[1], "raz-wi") && strcmp(p->tok[1], "abort"))
		return error(p, "mmio takes raz-wi or abort");
	p->vm->cfg.mmio_raz_wi = !strcmp(p->tok[1], "raz-wi");
	return 0;
}

static int vm_program(struct parser *p, int arg)
{
	unsigned n = 0;
	int err;

	(void)arg;
	if ((err = need(p, 3, 3, "program VCPU {")) ||
	    (err = small(p, p->tok[1], p->vm->cfg.nvcpus - 1, &n)))
		return err;
	if (strcmp(p->tok[2], "{"))
		return error(p, "expected \"{\" after program %u", n);
	if (p->vm->acts[n])
		return error(p, "vCPU %u already has a program", n);
	p->block = IN_PROGRAM;
	p->prog_vcpu = n;
	p->prog_cap = 0;
	return 0;
}

static int vm_memory_kw(struct parser *p, int arg)
{
	(void)arg;
	return vm_memory(p);
}

static int vm_image_kw(struct parser *p, int arg)
{
	(void)arg;
	return vm_image(p);
}

static int vm_end_kw(struct parser *p, int arg)
{
	(void)arg;
	return vm_end(p);
}

static const struct keyword vm_statements[] = {
	{ "vcpus", false, vm_vcpus, 0 },     { "affinity", false, vm_affinity, 0 },
	{ "memory", false, vm_memory_kw, 0 }, { "pl011", false, vm_pl011, 0 },
	{ "entry", false, vm_entry, 0 },     { "mmio", false, vm_mmio, 0 },
	{ "isa", false, vm_isa, 0 },         { "ns16550", false, vm_ns16550, 0 },
	{ "program", false, vm_program, 0 }, { "image", false, vm_image_kw, 0 },
	{ "kernel", false, vm_boot_statement, BOOT_KERNEL },
	{ "initrd", false, vm_boot_statement, BOOT_INITRD },
	{ "dtb", false, vm_boot_statement, BOOT_DTB },
	{ "bootargs", false, vm_boot_statement, BOOT_BOOTARGS },
	{ "psci", false, vm_boot_statement, BOOT_PSCI },
	{ "kaslr-seed", false, vm_boot_statement, BOOT_KASLR_SEED },
	{ "rng-seed", false, vm_boot_statement, BOOT_RNG_SEED },
	{ "reboots", false, vm_boot_statement, BOOT_REBOOTS },
	{ "devicetree", false, vm_boot_statement, BOOT_DEVICETREE },
	{ "}", false, vm_end_kw, 0 },
};

/* A VM's name prefixes its UART's lines on the host console ("[name] ") and names it
 * in Tandem's log, so it is printable ASCII without spaces, and not "cpu" and a number,
 * which would make its lines look like Tandem's own ("[cpu0] ..."). */
static int vm_name_ok(struct parser *p, const char *name)
{
	size_t i = 0;

	for (; name[i]; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return error(p, "VM name \"%s\": printable characters only, no spaces", name);
	if (!i)
		return error(p, "a VM needs a name");
	if (!strncmp(name, "cpu", 3) && name[3] && strspn(name + 3, "0123456789") == i - 3)
		return error(p, "VM name \"%s\" is Tandem's: its own lines start with \"[%s]\"", name,
			     name);
	return 0;
}

static int top_mode(struct parser *p, int arg)
{
	struct scenario *s = p->s;
	int err;

	(void)arg;
	if ((err = need(p, 2, 4, "mode static|timeshared [slice_us N]")))
		return err;
	if (!strcmp(p->tok[1], "static"))
		s->mode = SCHED_STATIC;
	else if (!strcmp(p->tok[1], "timeshared"))
		s->mode = SCHED_TIMESHARED;
	else
		return error(p, "mode is static or timeshared");
	if (p->ntok > 2) {
		unsigned us = 0;
		if (p->ntok != 4 || strcmp(p->tok[2], "slice_us"))
			return error(p, "usage: mode timeshared slice_us N");
		if ((err = small(p, p->tok[3], 10000000, &us)))
			return err;
		if (us == 0)
			return error(p, "a slice must be at least 1 us");
		s->slice_ns = (uint64_t)us * 1000;
	}
	return 0;
}

static int top_pcpus(struct parser *p, int arg)
{
	int err;

	(void)arg;
	if ((err = need(p, 2, 2, "pcpus N")))
		return err;
	return small(p, p->tok[1], 64, &p->s->pcpus);
}

static int top_counter_hz(struct parser *p, int arg)
{
	struct scenario *s = p->s;
	int err;

	(void)arg;
	if ((err = need(p, 2, 2, "counter_hz HZ")) || (err = number(p, p->tok[1], &s->counter_hz)))
		return err;
	if (s->counter_hz == 0 || s->counter_hz > HAL_SIM_MAX_COUNTER_HZ)
		return error(p, "counter_hz is 1 to %u (Hz)", HAL_SIM_MAX_COUNTER_HZ);
	return 0;
}

static int top_vm(struct parser *p, int arg)
{
	struct scenario *s = p->s;
	int err;

	(void)arg;
	if ((err = need(p, 3, 3, "vm NAME {")))
		return err;
	if (strcmp(p->tok[2], "{"))
		return error(p, "expected \"{\" after vm %s", p->tok[1]);
	if (s->nvms == SCN_MAX_VMS)
		return error(p, "too many VMs (at most %d)", SCN_MAX_VMS);
	if (strlen(p->tok[1]) >= VM_NAME_MAX)
		return error(p, "VM name \"%s\" is too long (at most %d characters)", p->tok[1],
			     VM_NAME_MAX - 1);
	if ((err = vm_name_ok(p, p->tok[1])))
		return err;
	for (unsigned i = 0; i < s->nvms; i++)
		if (!strcmp(s->vms[i].name, p->tok[1]))
			return error(p, "a VM named \"%s\" already exists", p->tok[1]);
	p->vm = &s->vms[s->nvms++];
	p->vm->line = p->line;
	strcpy(p->vm->name, p->tok[1]);
	p->vm->cfg.name = p->vm->name;
	p->vm->cfg.nvcpus = 1;
	p->vm->cfg.reboots = VM_REBOOT_ALWAYS; /* as a board does */
	p->vcpus_set = p->entry_set = p->image_addr_set = false;
	p->block = IN_VM;
	return 0;
}

static const struct keyword top_statements[] = {
	{ "mode", false, top_mode, 0 },
	{ "pcpus", false, top_pcpus, 0 },
	{ "counter_hz", false, top_counter_hz, 0 },
	{ "vm", false, top_vm, 0 },
};

int parse_keyword(struct parser *p, const struct keyword *table, size_t n, const char *what)
{
	const char *k = p->tok[0];

	for (size_t i = 0; i < n; i++) {
		const struct keyword *w = &table[i];
		if (w->prefix ? !strncmp(k, w->name, strlen(w->name)) : !strcmp(k, w->name))
			return w->parse(p, w->arg);
	}
	return error(p, "unknown %s \"%s\"", what, k);
}

/* The "}" of "repeat N {": the actions since its "{" N - 1 times more. */
static int repeat_end(struct parser *p)
{
	struct engine_program *prog = &p->vm->programs[p->prog_vcpu];
	unsigned from = p->repeat_from, to = prog->n;

	p->in_repeat = false;
	for (unsigned t = 1; t < p->repeat_times; t++)
		for (unsigned i = from; i < to; i++) {
			struct action copy = p->vm->acts[p->prog_vcpu][i]; /* new_action may move it */
			struct action *a = new_action(p, copy.kind);
			if (!a)
				return -EINVAL;
			*a = copy;
		}
	return 0;
}

static int statement(struct parser *p)
{
	if (p->block == TOP)
		return parse_keyword(p, top_statements,
				     sizeof(top_statements) / sizeof(top_statements[0]), "statement");
	if (p->block == IN_VM)
		return parse_keyword(p, vm_statements,
				     sizeof(vm_statements) / sizeof(vm_statements[0]), "VM statement");
	if (!strcmp(p->tok[0], "}")) {
		if (need(p, 1, 1, "}"))
			return -EINVAL;
		if (p->in_repeat)
			return repeat_end(p);
		p->block = IN_VM;
		const struct engine_program *prog = &p->vm->programs[p->prog_vcpu];
		if (prog->n && p->vm->acts[p->prog_vcpu][prog->n - 1].kind == ACT_END)
			return 0; /* it said "end" (a riscv64 program) */
		return new_action(p, ACT_END) ? 0 : -EINVAL;
	}
	return program_statement(p);
}

int scn_parse(const char *file, const char *text, size_t len, struct scenario *out,
	      char err[SCN_ERR_MAX])
{
	struct parser p = { .file = file ? file : "<scenario>", .err = err, .s = out };
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	out->mode = SCHED_STATIC;
	out->slice_ns = SCHED_DEFAULT_SLICE_NS;
	err[0] = '\0';
	while (pos < len) {
		size_t eol = pos;
		while (eol < len && text[eol] != '\n')
			eol++;
		p.line++;
		if (eol - pos >= LINE_MAX_LEN)
			return error(&p, "line too long (at most %d characters)", LINE_MAX_LEN - 1);
		memcpy(p.buf, text + pos, eol - pos);
		p.buf[eol - pos] = '\0';
		if (memchr(p.buf, '\0', eol - pos))
			return error(&p, "NUL byte in the text");
		pos = eol + 1;
		int e = tokenize(&p);
		if (e)
			return e;
		if (p.ntok && (e = statement(&p)))
			return e;
	}
	if (p.block != TOP)
		return error(&p, "missing \"}\" at the end of the file");
	if (out->nvms == 0)
		return error(&p, "no VM declared");
	return 0;
}

int scn_load(const char *path, struct scenario *out, char err[SCN_ERR_MAX])
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, SCN_ERR_MAX, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[4096];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n > (1u << 20)) {
			fclose(f);
			free(text);
			snprintf(err, SCN_ERR_MAX, "%s: larger than 1 MiB", path);
			return -EIO;
		}
		if (len + n > cap) {
			cap = (len + n) * 2;
			char *t = realloc(text, cap);
			if (!t) {
				fclose(f);
				free(text);
				snprintf(err, SCN_ERR_MAX, "%s: out of memory", path);
				return -EIO;
			}
			text = t;
		}
		memcpy(text + len, chunk, n);
		len += n;
	}
	fclose(f);
	int e = scn_parse(path, text ? text : "", len, out, err);
	free(text);
	return e;
}

_Static_assert(SCN_MAX_VMS <= PLACE_MAX_VMS, "every VM of a scenario must be placeable");

/* place_static over the scenario's VMs, the refusal as "file:line: message". */
static int place(const struct scenario *s, const char *file, unsigned pcpus,
		 struct placement *pl, char err[SCN_ERR_MAX])
{
	*pl = (struct placement){ .nvms = s->nvms };
	for (unsigned v = 0; v < s->nvms; v++) {
		pl->name[v] = s->vms[v].name;
		pl->nvcpus[v] = s->vms[v].cfg.nvcpus;
		memcpy(pl->affinity[v], s->vms[v].cfg.affinity, sizeof(pl->affinity[v]));
	}
	int e = place_static(pl, pcpus);
	if (e) {
		const struct scn_vm *vm = &s->vms[pl->vm < s->nvms ? pl->vm : 0];
		unsigned vcpu = pl->vcpu < VM_MAX_VCPUS ? pl->vcpu : 0;
		unsigned line = vm->affinity_line[vcpu] ? vm->affinity_line[vcpu]
				: vm->vcpus_line ? vm->vcpus_line : vm->line;
		snprintf(err, SCN_ERR_MAX, "%s:%u: %s", file ? file : "<scenario>", line, pl->msg);
	}
	return e;
}

int scn_check_placement(const struct scenario *s, const char *file, unsigned pcpus,
			char err[SCN_ERR_MAX])
{
	struct placement pl;

	err[0] = '\0';
	return s->mode == SCHED_STATIC ? place(s, file, pcpus, &pl, err) : 0;
}

int scn_place(struct scenario *s, const char *file, unsigned pcpus, char err[SCN_ERR_MAX])
{
	struct placement pl;

	err[0] = '\0';
	if (s->mode != SCHED_STATIC)
		return 0;
	int e = place(s, file, pcpus, &pl, err);
	for (unsigned v = 0; v < s->nvms && !e; v++)
		memcpy(s->vms[v].cfg.affinity, pl.affinity[v], sizeof(pl.affinity[v]));
	return e;
}

void scn_free(struct scenario *s)
{
	for (unsigned v = 0; v < SCN_MAX_VMS; v++)
		for (unsigned c = 0; c < VM_MAX_VCPUS; c++) {
			free(s->vms[v].acts[c]);
			s->vms[v].acts[c] = NULL;
			s->vms[v].programs[c] = (struct engine_program){ 0 };
		}
}
