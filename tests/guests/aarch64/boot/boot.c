/* The boot-protocol test guest: what an unmodified kernel relies on, checked from the
 * inside. It reads the device tree Tandem hands it in x0 with a small reader of its own
 * (not the project's: it must not share the writer's mistakes), checks it against the
 * values its VM was configured with, which the configuration also writes into its
 * bootargs ("t.mem=... t.memsize=... t.cpus=... t.psci=hvc|smc t.gicd=... t.gicr=...
 * t.initrd=BYTES"), starts every other CPU the tree lists by its MPIDR over the PSCI
 * conduit the tree names, and reports one line. Then it asks for PSCI SYSTEM_RESET:
 * the configuration's "reboots 1" makes the first reboot the VM and the second stop it,
 * so a run prints the verdict twice, the second after a reset reloaded everything.
 * It also reads the feature ID registers a kernel probes first. Every check that fails
 * prints "FAIL: what". */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART 0x09000000ul
#define MAX_CPUS 16

#define PSCI_VERSION      0x84000000u
#define PSCI_CPU_OFF      0x84000002u
#define PSCI_CPU_ON       0xC4000003u
#define PSCI_SYSTEM_RESET 0x84000009u

void boot_main(uint64_t dtb, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t el, uint64_t daif,
	       uint64_t sctlr);
void secondary_main(uint64_t index);
void unexpected_exception(uint64_t esr, uint64_t elr);
extern char secondary_entry[], _start[], _end[];

static bool use_smc;
static unsigned failures;
/* Zero at every boot: a reset loads the images into zeroed RAM again. */
static volatile uint32_t booted_before;
static volatile uint8_t up[MAX_CPUS]; /* set by each secondary: no atomics needed */

/* ---- output -------------------------------------------------------------------- */

static void putc_(char c)
{
	*(volatile uint32_t *)UART = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void puthex(uint64_t v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4) {
		unsigned d = (v >> i) & 0xF;
		if (d || i == 0 || (v >> i))
			putc_((char)(d < 10 ? '0' + d : 'a' + d - 10));
	}
}

static void check(bool ok, const char *what, uint64_t got)
{
	if (ok)
		return;
	failures++;
	puts_("FAIL: ");
	puts_(what);
	puts_(" (got ");
	puthex(got);
	puts_(")\n");
}

void unexpected_exception(uint64_t esr, uint64_t elr)
{
	puts_("FAIL: unexpected exception, ESR ");
	puthex(esr);
	puts_(" at ");
	puthex(elr);
	puts_("\n");
	for (;;)
		__asm__ volatile("wfi");
}

/* ---- PSCI over the conduit the tree names ----------------------------------------- */

static int64_t psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (use_smc)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

/* ---- strings ---------------------------------------------------------------------- */

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static bool seq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static bool prefix(const char *s, const char *p)
{
	while (*p && *s == *p)
		s++, p++;
	return !*p;
}

/* ---- a small device-tree reader (Devicetree Specification v0.4, chapter 5) ---------- */

#define TOK_BEGIN 1u
#define TOK_END   2u
#define TOK_PROP  3u
#define TOK_NOP   4u
#define TOK_DONE  9u

static const uint8_t *blob;
static uint32_t off_struct, off_strings, size_struct;

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint32_t tok_at(uint32_t off)
{
	return be32(blob + off_struct + off);
}

/* The offset after the token at off (of any kind), 4-byte aligned. */
static uint32_t skip(uint32_t off)
{
	uint32_t t = tok_at(off);

	if (t == TOK_BEGIN) {
		const char *name = (const char *)blob + off_struct + off + 4;
		return (off + 4 + (uint32_t)slen(name) + 1 + 3) & ~3u;
	}
	if (t == TOK_PROP)
		return (off + 12 + be32(blob + off_struct + off + 4) + 3) & ~3u;
	return off + 4;
}

/* Nodes are named by the offset of their BEGIN token. The next node at the same depth
 * as node, or 0. */
static uint32_t end_of(uint32_t node)
{
	uint32_t off = skip(node);
	int depth = 1;

	while (off < size_struct && depth > 0) {
		uint32_t t = tok_at(off);
		if (t == TOK_BEGIN)
			depth++;
		else if (t == TOK_END)
			depth--;
		else if (t == TOK_DONE)
			return size_struct;
		off = skip(off);
	}
	return off;
}

static const char *node_name(uint32_t node)
{
	return (const char *)blob + off_struct + node + 4;
}

/* The first child of node, or 0. */
static uint32_t first_child(uint32_t node)
{
	uint32_t off = skip(node);

	while (tok_at(off) == TOK_PROP || tok_at(off) == TOK_NOP)
		off = skip(off);
	return tok_at(off) == TOK_BEGIN ? off : 0;
}

static uint32_t next_sibling(uint32_t node)
{
	uint32_t off = end_of(node);

	while (off < size_struct && tok_at(off) == TOK_NOP)
		off = skip(off);
	return off < size_struct && tok_at(off) == TOK_BEGIN ? off : 0;
}

/* A child of node named name, or name@anything. */
static uint32_t child(uint32_t node, const char *name)
{
	for (uint32_t c = first_child(node); c; c = next_sibling(c)) {
		const char *n = node_name(c);
		if (seq(n, name) || (prefix(n, name) && n[slen(name)] == '@'))
			return c;
	}
	return 0;
}

static const uint8_t *prop(uint32_t node, const char *name, uint32_t *len)
{
	for (uint32_t off = skip(node); tok_at(off) == TOK_PROP || tok_at(off) == TOK_NOP;
	     off = skip(off)) {
		if (tok_at(off) != TOK_PROP)
			continue;
		const uint8_t *p = blob + off_struct + off;
		if (seq((const char *)blob + off_strings + be32(p + 8), name)) {
			*len = be32(p + 4);
			return p + 12;
		}
	}
	return NULL;
}

static bool has_string(uint32_t node, const char *name, const char *s)
{
	uint32_t len;
	const char *v = (const char *)prop(node, name, &len);

	for (uint32_t i = 0; v && i < len; i += (uint32_t)slen(v + i) + 1)
		if (seq(v + i, s))
			return true;
	return false;
}

/* The first node anywhere whose compatible lists compat, or 0. */
static uint32_t find_compatible(const char *compat)
{
	for (uint32_t off = 0; off < size_struct && tok_at(off) != TOK_DONE; off = skip(off))
		if (tok_at(off) == TOK_BEGIN && has_string(off, "compatible", compat))
			return off;
	return 0;
}

/* ---- the configured values, from bootargs ------------------------------------------ */

static uint64_t number(const char *s)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && s[1] == 'x')
		base = 16, s += 2;
	for (;; s++) {
		unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0')
			   : *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10) : 99;
		if (d >= base)
			return v;
		v = v * base + d;
	}
}

/* The value of "key=" in the command line, or NULL. */
static const char *arg(const char *cmdline, const char *key)
{
	for (const char *p = cmdline; *p; p++)
		if ((p == cmdline || p[-1] == ' ') && prefix(p, key) && p[slen(key)] == '=')
			return p + slen(key) + 1;
	return NULL;
}

/* ---- the checks -------------------------------------------------------------------- */

static void check_entry(uint64_t dtb, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t el,
			uint64_t daif, uint64_t sctlr)
{
	check(x1 == 0 && x2 == 0 && x3 == 0, "x1-x3 are zero at entry", x1 | x2 | x3);
	check(el == 1u << 2, "entered at EL1", el);
	check((daif & 0x3C0) == 0x3C0, "DAIF masked at entry", daif);
	check((sctlr & 1) == 0, "MMU off at entry", sctlr);
	check((sctlr & 4) == 0, "data cache off at entry", sctlr);
	check(dtb % 8 == 0, "the DTB 8-byte aligned", dtb);
	check(dtb >= (uint64_t)_end, "the DTB past the kernel's image_size", dtb);
}

/* What a kernel probes first: the feature ID registers (trapped by HCR_EL2.TID3) show
 * no PMU, SVE or MTE, the GICv3 system-register interface, and an unallocated encoding
 * reads as zero instead of faulting. */
static void check_id_registers(void)
{
	uint64_t dfr0, pfr0, pfr1, zfr0, unalloc;

	__asm__ volatile("mrs %0, ID_AA64DFR0_EL1" : "=r"(dfr0));
	__asm__ volatile("mrs %0, ID_AA64PFR0_EL1" : "=r"(pfr0));
	__asm__ volatile("mrs %0, ID_AA64PFR1_EL1" : "=r"(pfr1));
	__asm__ volatile("mrs %0, S3_0_C0_C4_4" : "=r"(zfr0)); /* ID_AA64ZFR0_EL1 */
	__asm__ volatile("mrs %0, S3_0_C0_C7_7" : "=r"(unalloc));
	check(((dfr0 >> 8) & 0xF) == 0, "ID_AA64DFR0_EL1.PMUVer: no PMU", dfr0);
	check((dfr0 & 0xF) >= 6, "ID_AA64DFR0_EL1.DebugVer: Armv8 debug", dfr0);
	check(((pfr0 >> 32) & 0xF) == 0, "ID_AA64PFR0_EL1.SVE: none", pfr0);
	check(((pfr0 >> 24) & 0xF) == 1, "ID_AA64PFR0_EL1.GIC: the GICv3 interface", pfr0);
	check(((pfr0 >> 8) & 0xF) == 0, "ID_AA64PFR0_EL1.EL2: none for a guest", pfr0);
	check((pfr0 & 0xF) != 0, "ID_AA64PFR0_EL1.EL0 kept", pfr0);
	check(((pfr1 >> 8) & 0xF) == 0, "ID_AA64PFR1_EL1.MTE: none", pfr1);
	check(zfr0 == 0, "ID_AA64ZFR0_EL1 reads zero", zfr0);
	check(unalloc == 0, "an unallocated ID register reads zero", unalloc);
}

/* The EL1 physical timer, which Tandem emulates: off at every boot (a reset turns it
 * off), CNTP_TVAL_EL0 arms it, and CNTP_CTL_EL0.ISTATUS rises once the physical count
 * reaches CVAL, when TVAL reads negative. */
static void check_physical_timer(void)
{
	uint64_t ctl, cval, before, now, tval, freq;

	__asm__ volatile("mrs %0, CNTP_CTL_EL0" : "=r"(ctl));
	check(ctl == 0, "CNTP_CTL_EL0 off at boot", ctl);
	__asm__ volatile("mrs %0, CNTFRQ_EL0" : "=r"(freq));
	/* The vCPU may be preempted anywhere here (the VMs share the pCPUs), so CVAL is
	 * checked against the count read on either side of the write, not against "now". */
	__asm__ volatile("isb; mrs %0, CNTPCT_EL0" : "=r"(before));
	__asm__ volatile("msr CNTP_TVAL_EL0, %0" : : "r"(freq / 1000)); /* 1 ms */
	__asm__ volatile("isb; mrs %0, CNTPCT_EL0" : "=r"(now));
	__asm__ volatile("msr CNTP_CTL_EL0, %0" : : "r"(3ull)); /* enabled, masked */
	__asm__ volatile("mrs %0, CNTP_CVAL_EL0" : "=r"(cval));
	check(cval >= before + freq / 1000 && cval <= now + freq / 1000,
	      "CNTP_TVAL_EL0 sets CVAL to the count plus TVAL", cval - before);
	uint64_t give_up = now + freq / 10;
	do {
		__asm__ volatile("mrs %0, CNTP_CTL_EL0" : "=r"(ctl));
		__asm__ volatile("isb; mrs %0, CNTPCT_EL0" : "=r"(now));
	} while (!(ctl & 4) && now < give_up);
	check(ctl == 7, "CNTP_CTL_EL0.ISTATUS once CVAL is reached", ctl);
	__asm__ volatile("mrs %0, CNTP_TVAL_EL0" : "=r"(tval));
	check(tval >> 31 == 1, "CNTP_TVAL_EL0 negative past CVAL", tval);
	__asm__ volatile("msr CNTP_CTL_EL0, xzr");
}

void boot_main(uint64_t dtb, uint64_t x1, uint64_t x2, uint64_t x3, uint64_t el, uint64_t daif,
	       uint64_t sctlr)
{
	uint32_t len;

	check_entry(dtb, x1, x2, x3, el, daif, sctlr);
	check(booted_before == 0, "RAM as loaded: no trace of an earlier boot", booted_before);
	check_id_registers();
	check_physical_timer();
	booted_before = 1;
	blob = (const uint8_t *)dtb;
	check(be32(blob) == 0xd00dfeed, "x0 points at a DTB (magic)", be32(blob));
	if (failures)
		goto report;
	check(be32(blob + 4) <= (2u << 20), "the DTB at most 2 MiB", be32(blob + 4));
	check((dtb >> 21) == ((dtb + be32(blob + 4) - 1) >> 21), "the DTB inside one 2 MiB block",
	      dtb);
	off_struct = be32(blob + 8);
	off_strings = be32(blob + 12);
	size_struct = be32(blob + 36);
	uint32_t root = 0;
	check(tok_at(root) == TOK_BEGIN, "a root node", tok_at(root));

	uint32_t chosen = child(root, "chosen");
	const char *cmdline = chosen ? (const char *)prop(chosen, "bootargs", &len) : NULL;
	check(cmdline != NULL, "/chosen/bootargs", 0);
	if (!cmdline)
		goto report;
	const char *mem_s = arg(cmdline, "t.mem"), *size_s = arg(cmdline, "t.memsize");
	const char *cpus_s = arg(cmdline, "t.cpus"), *psci_s = arg(cmdline, "t.psci");
	const char *gicd_s = arg(cmdline, "t.gicd"), *gicr_s = arg(cmdline, "t.gicr");
	const char *initrd_s = arg(cmdline, "t.initrd");
	check(mem_s && size_s && cpus_s && psci_s && gicd_s && gicr_s && initrd_s,
	      "bootargs give t.mem, t.memsize, t.cpus, t.psci, t.gicd, t.gicr, t.initrd", 0);
	if (failures)
		goto report;

	/* memory */
	uint32_t mem = child(root, "memory");
	const uint8_t *reg = mem ? prop(mem, "reg", &len) : NULL;
	check(reg && len == 16, "/memory reg of two-cell address and size", len);
	if (reg) {
		check(be64(reg) == number(mem_s), "memory base as configured", be64(reg));
		check(be64(reg + 8) == number(size_s), "memory size as configured", be64(reg + 8));
	}
	check(mem && has_string(mem, "device_type", "memory"), "memory device_type", 0);

	/* PSCI: both compatibles, the configured conduit */
	uint32_t psci_node = child(root, "psci");
	check(psci_node && has_string(psci_node, "compatible", "arm,psci-1.0") &&
		      has_string(psci_node, "compatible", "arm,psci-0.2"),
	      "/psci compatible with 1.0 and 0.2", 0);
	const char *method = psci_node ? (const char *)prop(psci_node, "method", &len) : "";
	check(method && prefix(psci_s, method) && (psci_s[slen(method)] == ' ' ||
						   psci_s[slen(method)] == '\0'),
	      "the PSCI method as configured", 0);
	use_smc = method && seq(method, "smc");
	check(psci(PSCI_VERSION, 0, 0, 0) >= 0x10000, "PSCI_VERSION over that conduit is 1.0+",
	      (uint64_t)psci(PSCI_VERSION, 0, 0, 0));

	/* the GIC */
	uint32_t gic = find_compatible("arm,gic-v3");
	reg = gic ? prop(gic, "reg", &len) : NULL;
	check(reg && len == 32, "GICv3 reg: a distributor and one redistributor region", len);
	if (reg) {
		check(be64(reg) == number(gicd_s), "GICD base as configured", be64(reg));
		check(be64(reg + 16) == number(gicr_s), "GICR base as configured", be64(reg + 16));
	}
	check(gic && prop(gic, "interrupts", &len) == NULL, "no maintenance interrupt", 0);
	uint32_t timer = find_compatible("arm,armv8-timer");
	check(timer && prop(timer, "interrupts", &len) && len == 48, "the timer's four PPIs", len);
	const char *out = chosen ? (const char *)prop(chosen, "stdout-path", &len) : NULL;
	check(out && seq(out, "/pl011@9000000"), "stdout-path names the UART", 0);

	/* the initrd: where the tree says, as long as configured, holding its bytes */
	const uint8_t *s = prop(chosen, "linux,initrd-start", &len);
	const uint8_t *e = prop(chosen, "linux,initrd-end", &len);
	check(s && e, "/chosen names the initrd", 0);
	if (s && e) {
		uint64_t start = be64(s), end = be64(e);
		check(end - start == number(initrd_s), "the initrd's size as configured", end - start);
		check(start >= (uint64_t)_end, "the initrd past the kernel's image_size", start);
		check(prefix((const char *)start, "INITRD01"), "the initrd's content", be64((const uint8_t *)start));
	}

	/* the CPUs: as many as configured, each started over PSCI by its MPIDR */
	uint32_t cpus = child(root, "cpus");
	uint64_t mpidr, self;
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(self));
	self &= 0xFF00FFFFFFull;
	unsigned n = 0, started = 0;
	for (uint32_t c = cpus ? first_child(cpus) : 0; c && n < MAX_CPUS; c = next_sibling(c), n++) {
		reg = prop(c, "reg", &len);
		check(reg && len == 8, "a cpu's reg is its MPIDR (two cells)", len);
		check(has_string(c, "enable-method", "psci"), "enable-method psci", n);
		if (!reg)
			continue;
		mpidr = be64(reg);
		if (mpidr == self)
			continue;
		int64_t r = psci(PSCI_CPU_ON, mpidr, (uint64_t)secondary_entry, n);
		check(r == 0, "CPU_ON of a CPU the tree lists", (uint64_t)r);
		started += r == 0;
	}
	check(n == number(cpus_s), "the CPU count as configured", n);
	unsigned seen = 0;
	for (unsigned long spin = 0; seen < started && spin < 100000000ul; spin++) {
		seen = 0;
		for (unsigned i = 0; i < MAX_CPUS; i++)
			seen += up[i];
	}
	check(seen == started, "every CPU started came up", seen);

report:
	if (failures) {
		puts_("boot protocol: FAILED\n");
		for (;;)
			__asm__ volatile("wfi");
	}
	puts_("boot protocol: all checks passed (psci ");
	puts_(use_smc ? "smc" : "hvc");
	puts_(")\n");
	psci(PSCI_SYSTEM_RESET, 0, 0, 0);
	puts_("FAIL: SYSTEM_RESET returned\n");
}

void secondary_main(uint64_t index)
{
	puts_("cpu ");
	putc_((char)('0' + index % 10));
	puts_(" up\n");
	up[index % MAX_CPUS] = 1;
	psci(PSCI_CPU_OFF, 0, 0, 0);
}
