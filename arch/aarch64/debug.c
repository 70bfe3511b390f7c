/* The system registers a vCPU owns behind a trap: the feature ID registers (HCR_EL2
 * TID3, their values in idregs.c) and the self-hosted debug registers
 * (Arm ARM D2 "AArch64 Self-hosted Debug" and the debug register descriptions).
 * MDCR_EL2.TDA, TDOSA and TDRA trap every access to them, and they are emulated here,
 * one table entry a register: what a guest writes is kept in its vCPU and never reaches
 * the hardware, so no VM's breakpoint or watchpoint can fire while another runs (nor,
 * so far, in the VM itself: this is isolation, not a debugger). MDSCR_EL1 is an EL1
 * register of the vCPU's context that the world switch moves: its software-step and
 * enable bits act for the guest alone. Every other trapped register, the whole PMU
 * among them (MDCR_EL2.TPM: Tandem virtualises no PMU), is refused and becomes an
 * UNDEF. */
#include <stddef.h>

#include "arch/aarch64/arch.h"
#include "arch/aarch64/sysreg.h"
#include "hal/err.h"

#define DBGBCR_MASK 0x00FFE1E7u /* BT, LBN, SSC, HMC, BAS, PMC, E; the rest RES0 */
#define DBGWCR_MASK 0x1F1FFFFFu /* MASK, WT, LBN, SSC, HMC, BAS, LSC, PAC, E */
#define MDSCR_MASK 0xB001u      /* MDE[15], KDE[13], TDCC[12], SS[0] */
#define MDCCINT_MASK 0x60000000u /* RX[30], TX[29] */
#define OSLSR_OSLM_IMPL 0x8u    /* OSLM 0b10 (bits 3 and 0): the OS lock is implemented */
#define OSLSR_OSLK 0x2u
#define CLAIM_TAGS 0xFFu        /* eight claim tags */
/* Non-secure invasive and non-invasive debug implemented and enabled (0b11), secure
 * debug implemented and disabled (0b10): what a non-secure guest can tell. */
#define DBGAUTHSTATUS_NS 0xAFu

#define RD 1u
#define WR 2u
#define RW (RD | WR)

typedef void (*dbg_access_t)(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value);

struct dbg_reg {
	uint32_t id;     /* SYSREG_ISS encoding; CRm 0 for the numbered ones */
	uint8_t dirs;    /* RD, WR or both: the other direction is UNDEFINED */
	bool numbered;   /* <n> in CRm (DBGBVR<n>_EL1 ...) */
	bool el0;        /* accessible from EL0 (the DCC registers) */
	dbg_access_t fn;
};

static void raz_wi(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)v;
	(void)n;
	if (read)
		*value = 0;
}

/* A register kept in the vCPU, with its defined bits only. */
static void keep(uint64_t *reg, uint64_t mask, bool read, uint64_t *value)
{
	if (read)
		*value = *reg;
	else
		*reg = *value & mask;
}

static void keep32(uint32_t *reg, uint32_t mask, bool read, uint64_t *value)
{
	if (read)
		*value = *reg;
	else
		*reg = (uint32_t)*value & mask;
}

static void bvr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	keep(&v->dbg.bvr[n], ~0ull, read, value);
}

static void bcr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	keep32(&v->dbg.bcr[n], DBGBCR_MASK, read, value);
}

static void wvr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	keep(&v->dbg.wvr[n], ~3ull, read, value); /* bits [1:0] RES0 */
}

static void wcr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	keep32(&v->dbg.wcr[n], DBGWCR_MASK, read, value);
}

static void mdscr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)n;
	if (v->dbg.attached) { /* the hardware's is the debugger's (gdb.c) */
		keep(&v->dbg.mdscr, MDSCR_MASK, read, value);
		return;
	}
	uint64_t mdscr = arch_vcpu_el1(v, MDSCR_EL1);

	keep(&mdscr, MDSCR_MASK, read, value);
	if (!read)
		arch_vcpu_set_el1(v, MDSCR_EL1, mdscr);
}

static void mdccint(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)n;
	keep32(&v->dbg.mdccint, MDCCINT_MASK, read, value);
}

static void oslar(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)n;
	(void)read;
	v->dbg.oslk = *value & 1;
}

static void oslsr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)n;
	(void)read;
	*value = OSLSR_OSLM_IMPL | (v->dbg.oslk ? OSLSR_OSLK : 0);
}

static void osdlr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)n;
	keep32(&v->dbg.osdlr, 1, read, value); /* DLK */
}

static void dbgprcr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)n;
	keep32(&v->dbg.dbgprcr, 1, read, value); /* CORENPDRQ */
}

static void claimset(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)n;
	if (read)
		*value = CLAIM_TAGS; /* reads show which tags are implemented */
	else
		v->dbg.claim |= (uint8_t)(*value & CLAIM_TAGS);
}

static void claimclr(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)n;
	if (read)
		*value = v->dbg.claim;
	else
		v->dbg.claim &= (uint8_t)~(*value & CLAIM_TAGS);
}

static void authstatus(struct arch_vcpu *v, unsigned n, bool read, uint64_t *value)
{
	(void)v;
	(void)n;
	(void)read;
	*value = DBGAUTHSTATUS_NS;
}

/* Op0 2: every register MDCR_EL2.TDA, TDOSA and TDRA trap. The DCC registers talk to
 * an external debugger there is none of: they read as zero, writes are ignored. */
static const struct dbg_reg dbg_regs[] = {
	{ SYSREG_ISS(2, 0, 0, 0, 4), RW, true, false, bvr },	  /* DBGBVR<n>_EL1 */
	{ SYSREG_ISS(2, 0, 0, 0, 5), RW, true, false, bcr },	  /* DBGBCR<n>_EL1 */
	{ SYSREG_ISS(2, 0, 0, 0, 6), RW, true, false, wvr },	  /* DBGWVR<n>_EL1 */
	{ SYSREG_ISS(2, 0, 0, 0, 7), RW, true, false, wcr },	  /* DBGWCR<n>_EL1 */
	{ SYSREG_ISS(2, 0, 0, 0, 2), RW, false, false, raz_wi },  /* OSDTRRX_EL1 */
	{ SYSREG_ISS(2, 0, 0, 2, 0), RW, false, false, mdccint }, /* MDCCINT_EL1 */
	{ SYSREG_ISS(2, 0, 0, 2, 2), RW, false, false, mdscr },	  /* MDSCR_EL1 */
	{ SYSREG_ISS(2, 0, 0, 3, 2), RW, false, false, raz_wi },  /* OSDTRTX_EL1 */
	{ SYSREG_ISS(2, 0, 0, 6, 2), RW, false, false, raz_wi },  /* OSECCR_EL1 */
	{ SYSREG_ISS(2, 0, 1, 0, 0), RD, false, false, raz_wi },  /* MDRAR_EL1: no ROM table */
	{ SYSREG_ISS(2, 0, 1, 0, 4), WR, false, false, oslar },	  /* OSLAR_EL1 */
	{ SYSREG_ISS(2, 0, 1, 1, 4), RD, false, false, oslsr },	  /* OSLSR_EL1 */
	{ SYSREG_ISS(2, 0, 1, 3, 4), RW, false, false, osdlr },	  /* OSDLR_EL1 */
	{ SYSREG_ISS(2, 0, 1, 4, 4), RW, false, false, dbgprcr }, /* DBGPRCR_EL1 */
	{ SYSREG_ISS(2, 0, 7, 8, 6), RW, false, false, claimset }, /* DBGCLAIMSET_EL1 */
	{ SYSREG_ISS(2, 0, 7, 9, 6), RW, false, false, claimclr }, /* DBGCLAIMCLR_EL1 */
	{ SYSREG_ISS(2, 0, 7, 14, 6), RD, false, false, authstatus }, /* DBGAUTHSTATUS_EL1 */
	{ SYSREG_ISS(2, 3, 0, 1, 0), RD, false, true, raz_wi },	  /* MDCCSR_EL0 */
	{ SYSREG_ISS(2, 3, 0, 4, 0), RW, false, true, raz_wi },	  /* DBGDTR_EL0 */
	{ SYSREG_ISS(2, 3, 0, 5, 0), RW, false, true, raz_wi },	  /* DBGDTRRX_EL0 / DBGDTRTX_EL0 */
};

#define ISS_SYS_CRM_MASK (0xFull << 1)

_Static_assert(ARCH_DBG_BRPS == 16 && ARCH_DBG_WRPS == 16, "<n> is CRm: 0-15");

int arch_vcpu_sysreg(struct arch_vcpu *v, struct exit_sysreg *s, bool read)
{
	bool el0 = (v->ctx.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
	unsigned crm, op2;

	if (arch_id_reg(s->id, &crm, &op2)) { /* HCR_EL2.TID3 */
		if (!read || el0)
			return -EPERM; /* read-only, and EL1's */
		s->value = arch_id_reg_value(crm, op2);
		return 0;
	}

	for (size_t i = 0; i < sizeof(dbg_regs) / sizeof(dbg_regs[0]); i++) {
		const struct dbg_reg *r = &dbg_regs[i];
		uint32_t id = r->numbered ? s->id & (uint32_t)~ISS_SYS_CRM_MASK : s->id;
		if (id != r->id)
			continue;
		if (!(r->dirs & (read ? RD : WR)) || (el0 && !r->el0))
			return -EPERM;
		r->fn(v, (unsigned)(s->id & ISS_SYS_CRM_MASK) >> 1, read, &s->value);
		return 0;
	}
	return -ENOENT;
}
