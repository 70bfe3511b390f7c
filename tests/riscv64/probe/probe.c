/* The trap-CSR probe: runs single guest instructions in VS-mode on QEMU's riscv virt
 * board (H extension) and prints, for each, the trap state HS-mode receives: scause,
 * stval, htval, htinst and hstatus.GVA. probe.sh runs the same cases through Tandem's
 * riscv guest engine in hvsim (probe.scn: the same instruction words at the same guest
 * addresses) and compares the two, case by case, against the deviations QEMU is known
 * to have from the privileged specification (deviations.txt).
 *
 * The machine: M-mode (start.S) hands every guest exception to HS-mode; here hedeleg
 * is 0, so that every one stops in HS. The G stage (Sv39x4, VMID 0) maps guest RAM
 * 0x80000000-0x8000FFFF (RWX) and 0x80100000 (R only) as probe.scn's VM has them;
 * every other guest-physical address is a hole. hstatus has VTW set and hcounteren TM
 * only, as Tandem runs its guests. Each case's word is written at GPA 0x80000100 and
 * entered with t6 = s1 = s0 = the case's address (the base register of every access
 * form the engine uses), t5 = t0 = a0 = 1 (the values), vsatp as the case says. */
#include <stdint.h>

#define UART 0x10000000ul
#define TEST_FINISHER 0x100000ul /* QEMU virt's sifive_test: 0x5555 passes */

#define GUEST_RAM_GPA 0x80000000ul
#define GUEST_RO_GPA 0x80100000ul
#define CODE_OFF 0x100
#define VS_ROOT_OFF 0x8000
#define SV39 (8ul << 60)

struct probe_case {
	const char *name;
	uint32_t insn;  /* a compressed one in the low half, C.NOP (0x0001) above */
	uint64_t addr;
	uint64_t vsatp;
};

#define VS_ON (SV39 | ((GUEST_RAM_GPA + VS_ROOT_OFF) >> 12))

/* Words as the engine encodes probe.scn's actions (hvsim --trace prints them). */
static const struct probe_case cases[] = {
	{ "lb-hole", 0x000f8283, 0x90000001, 0 },
	{ "lh-hole", 0x000f9283, 0x90000002, 0 },
	{ "lw-hole", 0x000fa283, 0x90000004, 0 },
	{ "ld-hole", 0x000fb283, 0x90000008, 0 },
	{ "lbu-hole", 0x000fc283, 0x90000011, 0 },
	{ "lhu-hole", 0x000fd283, 0x90000012, 0 },
	{ "lwu-hole", 0x000fe283, 0x90000014, 0 },
	{ "sb-hole", 0x005f8023, 0x90000021, 0 },
	{ "sh-hole", 0x005f9023, 0x90000022, 0 },
	{ "sw-hole", 0x005fa023, 0x90000024, 0 },
	{ "sd-hole", 0x005fb023, 0x90000028, 0 },
	{ "c.lw-hole", 0x00014088, 0x90000030, 0 },
	{ "c.ld-hole", 0x00016088, 0x90000038, 0 },
	{ "c.sw-hole", 0x0001c088, 0x90000040, 0 },
	{ "c.sd-hole", 0x0001e088, 0x90000048, 0 },
	{ "amoadd.w-hole", 0x01efa2af, 0x90000050, 0 },
	{ "amoadd.d-hole", 0x01efb2af, 0x90000058, 0 },
	{ "amoswap.w-hole", 0x09efa2af, 0x90000060, 0 },
	{ "lr.w-hole", 0x100fa2af, 0x90000068, 0 },
	{ "sc.d-hole", 0x19efb2af, 0x90000070, 0 },
	{ "sw-readonly", 0x005fa023, 0x80100000, 0 },
	{ "amoswap.d-readonly", 0x09efb2af, 0x80100008, 0 },
	{ "sc.w-readonly", 0x19efa2af, 0x80100010, 0 },
	{ "csrr-hgatp", 0x680022f3, 0, 0 },
	{ "csrr-cycle", 0xc00022f3, 0, 0 },
	{ "csrw-hstatus", 0x600f9073, 0, 0 },
	{ "lw-vs-hole", 0x000fa283, 0x40000008, VS_ON },
	{ "sw-vs-hole", 0x005fa023, 0x40000010, VS_ON },
	{ "ld-vs-walk", 0x000fb283, 0x100000018, VS_ON },
	{ "sd-vs-walk", 0x005fb023, 0x100000020, VS_ON },
};

/* The guest's memory and the G-stage tables (Sv39x4: a 16 KiB root). */
static uint64_t guest_ram[0x10000 / 8] __attribute__((aligned(4096)));
static uint64_t guest_ro[4096 / 8] __attribute__((aligned(4096)));
static uint64_t g_root[2048] __attribute__((aligned(16384)));
static uint64_t g_l1[512] __attribute__((aligned(4096)));
static uint64_t g_l0_ram[512] __attribute__((aligned(4096)));
static uint64_t g_l0_ro[512] __attribute__((aligned(4096)));

/* start.S */
void probe_hs_trap(void);
uint64_t probe_enter(const uint64_t regs[7]);
uint64_t probe_host[6];
uint64_t probe_trap[6]; /* scause, stval, htval, htinst, hstatus, sepc */
void probe_main(void);
void probe_m_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval);

#define CSRW(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(v)) : "memory")
#define CSRR(csr, v) __asm__ volatile("csrr %0, " #csr : "=r"(v))

static void putc_(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)UART;

	while (!(u[5] & 0x20))
		;
	u[0] = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void puthex(uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	puts_(&buf[i]);
}

static void finish(uint32_t code)
{
	*(volatile uint32_t *)TEST_FINISHER = code;
	for (;;)
		;
}

void probe_m_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval)
{
	puts_("probe: M-mode trap mcause=");
	puthex(mcause);
	puts_(" mepc=");
	puthex(mepc);
	puts_(" mtval=");
	puthex(mtval);
	puts_("\n");
	finish(0x3333 | (1u << 16)); /* sifive_test: fail, exit status 1 */
}

/* A leaf (V R W X U A D as flags say) for hpa. */
static uint64_t pte(uint64_t hpa, uint64_t flags)
{
	return (hpa >> 12) << 10 | flags;
}

#define PTE_V 0x01ul
#define PTE_R 0x02ul
#define PTE_W 0x04ul
#define PTE_X 0x08ul
#define PTE_U 0x10ul
#define PTE_A 0x40ul
#define PTE_D 0x80ul

static void g_stage(void)
{
	/* GPA 0x80000000: root index bits 40:30 = 2, L1 index bits 29:21 = 0; 0x80100000
	 * is L1 index 0 too, L0 index 0x100. */
	g_root[2] = pte((uint64_t)g_l1, PTE_V);
	g_l1[0] = pte((uint64_t)g_l0_ram, PTE_V);
	for (unsigned i = 0; i < 16; i++)
		g_l0_ram[i] = pte((uint64_t)guest_ram + i * 4096ul,
				  PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
	g_l1[0] = pte((uint64_t)g_l0_ram, PTE_V);
	g_l0_ram[0x100] = pte((uint64_t)guest_ro, PTE_V | PTE_R | PTE_U | PTE_A);
	(void)g_l0_ro;
	CSRW(0x680, SV39 | ((uint64_t)g_root >> 12)); /* hgatp: Sv39x4 (mode 8), VMID 0 */
	__asm__ volatile(".insn r 0x73, 0, 0x31, x0, x0, x0" ::: "memory"); /* hfence.gvma */
}

/* The guest's own Sv39 tables, as probe.scn stores them: VA 0x80000000 a gigapage onto
 * itself, VA 0x40000000 onto GPA 0xC0000000 (a hole), VA 0x100000000's next level at
 * GPA 0xD0000000 (a hole). */
static void vs_tables(void)
{
	uint64_t *root = &guest_ram[VS_ROOT_OFF / 8];

	root[2] = 0x200000cf;
	root[1] = 0x300000cf;
	root[4] = 0x34000001;
}

void probe_main(void)
{
	uint64_t hstatus;

	CSRW(stvec, (uint64_t)probe_hs_trap);
	g_stage();
	vs_tables();
	CSRW(0x602, 0);     /* hedeleg: every guest exception stops here */
	CSRW(0x603, 0);     /* hideleg */
	CSRW(0x606, 2);     /* hcounteren: TM only, as Tandem's */
	CSRR(0x600, hstatus);
	hstatus &= ~((1ul << 20) | (1ul << 22) | (1ul << 9)); /* VTVM, VTSR, HU clear */
	hstatus |= (1ul << 21) | (1ul << 8) | (1ul << 7);     /* VTW, SPVP, SPV */
	CSRW(0x600, hstatus);
	CSRW(sstatus, (uint64_t)1 << 8); /* SPP = S: the sret goes to VS */
	puts_("probe: start\n");
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct probe_case *c = &cases[i];
		uint32_t *code = (uint32_t *)((uint8_t *)guest_ram + CODE_OFF);
		uint64_t regs[7] = { c->addr, c->addr, c->addr, 1, 1, 1, 1 };

		code[0] = c->insn;
		code[1] = 0x00000073; /* ecall: a case that does not trap shows as 10 */
		__asm__ volatile("fence.i" ::: "memory");
		CSRW(0x280, c->vsatp); /* vsatp */
		__asm__ volatile(".insn r 0x73, 0, 0x11, x0, x0, x0" ::: "memory"); /* hfence.vvma */
		CSRW(sepc, GUEST_RAM_GPA + CODE_OFF);
		CSRR(0x600, hstatus);
		CSRW(0x600, hstatus | (1ul << 7)); /* SPV again: the last trap cleared it? */
		CSRW(sstatus, (uint64_t)1 << 8);
		probe_enter(regs);
		puts_("case ");
		puts_(c->name);
		puts_(" scause=");
		puthex(probe_trap[0]);
		puts_(" stval=");
		puthex(probe_trap[1]);
		puts_(" htval=");
		puthex(probe_trap[2]);
		puts_(" htinst=");
		puthex(probe_trap[3]);
		puts_(" gva=");
		puthex((probe_trap[4] >> 6) & 1);
		puts_(" pc=+");
		puthex(probe_trap[5] - (GUEST_RAM_GPA + CODE_OFF));
		puts_(" insn=");
		puthex(c->insn);
		puts_("\n");
	}
	puts_("probe: done\n");
	finish(0x5555);
}
