/* What a VS-mode CSR access does (privileged spec 8.2 "Hypervisor and Virtual Supervisor
 * CSRs", 8.6.1 "Virtual-Instruction Exceptions"; Sstc): the S CSRs are the VS ones in
 * the context (the H extension's substitution), sip/sie are views of hvip/hideleg,
 * counters obey hcounteren, hypervisor and VS CSRs raise a virtual instruction
 * exception, M-level ones and unknown ones an illegal instruction. The interrupt
 * helpers (what is pending for VS, what VS takes) live here too: sip is their view. */
#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "hal-sim/rv_engine_internal.h"
#include "hal/time.h"

enum csr_kind { K_PLAIN, K_STATUS, K_SIE, K_SIP, K_STIMECMP, K_SATP };

/* The S CSRs VS-mode reaches, and the slot each means while V=1. */
static const struct {
	uint16_t csr;
	uint8_t kind;
	uint8_t slot;
} s_csrs[] = {
	{ CSR_SSTATUS, K_STATUS, RV_VSSTATUS },	   { CSR_SIE, K_SIE, RV_VSIE },
	{ CSR_STVEC, K_PLAIN, RV_VSTVEC },	   { CSR_SCOUNTEREN, K_PLAIN, RV_SCOUNTEREN },
	{ CSR_SENVCFG, K_PLAIN, RV_SENVCFG },	   { CSR_SSCRATCH, K_PLAIN, RV_VSSCRATCH },
	{ CSR_SEPC, K_PLAIN, RV_VSEPC },	   { CSR_SCAUSE, K_PLAIN, RV_VSCAUSE },
	{ CSR_STVAL, K_PLAIN, RV_VSTVAL },	   { CSR_SIP, K_SIP, 0 },
	{ CSR_STIMECMP, K_STIMECMP, RV_VSTIMECMP }, { CSR_SATP, K_SATP, RV_VSATP },
};

/* The hypervisor and VS CSRs the hart implements (csr.h): from VS-mode, a virtual
 * instruction exception where HS-mode could make the access. */
static const uint16_t h_csrs[] = {
	CSR_VSSTATUS, CSR_VSIE,	   CSR_VSTVEC,	   CSR_VSSCRATCH, CSR_VSEPC,   CSR_VSCAUSE,
	CSR_VSTVAL,   CSR_VSIP,	   CSR_VSTIMECMP, CSR_VSATP,	  CSR_HSTATUS, CSR_HEDELEG,
	CSR_HIDELEG,  CSR_HIE,	   CSR_HTIMEDELTA, CSR_HCOUNTEREN, CSR_HGEIE,  CSR_HENVCFG,
	CSR_HTVAL,    CSR_HIP,	   CSR_HVIP,	   CSR_HTINST,	  CSR_HGATP,   CSR_HGEIP,
};

#define SSTATUS_WRITABLE                                                                     \
	(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_UBE | SSTATUS_SPP | SSTATUS_VS | SSTATUS_FS |    \
	 SSTATUS_SUM | SSTATUS_MXR)

uint64_t rv_guest_time(const struct guest_ctx *c)
{
	return hal_counter() + c->csr[RV_HTIMEDELTA];
}

uint64_t rv_vsip(const struct guest_ctx *c)
{
	uint64_t pending = c->csr[RV_HVIP];

	if ((c->csr[RV_HENVCFG] & ENVCFG_STCE) && rv_guest_time(c) >= c->csr[RV_VSTIMECMP])
		pending |= MIP_VSTIP;
	return (pending & c->csr[RV_HIDELEG] & MIP_VS_MASK) >> 1;
}

/* vsie's implemented bits: those whose VS interrupt hideleg delegates. */
static uint64_t vsie_mask(const struct guest_ctx *c)
{
	return (c->csr[RV_HIDELEG] & MIP_VS_MASK) >> 1;
}

int rv_pending_irq(const struct guest_ctx *c, bool with_sie)
{
	static const int priority[] = { IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER }; /* 4.1.3 */

	if (with_sie && !(c->csr[RV_VSSTATUS] & SSTATUS_SIE))
		return -1;
	uint64_t ready = rv_vsip(c) & c->csr[RV_VSIE] & vsie_mask(c);
	for (unsigned i = 0; i < 3; i++)
		if (ready & (1ull << priority[i]))
			return priority[i];
	return -1;
}

static bool is_h_csr(unsigned csr)
{
	for (unsigned i = 0; i < sizeof(h_csrs) / sizeof(h_csrs[0]); i++)
		if (h_csrs[i] == csr)
			return true;
	return false;
}

/* cycle, time, instret: hcounteren (mcounteren assumed all set, as the firmware
 * leaves it). */
static int counter(const struct guest_ctx *c, unsigned csr, uint64_t *old)
{
	unsigned bit = csr - CSR_CYCLE;

	if (bit > 2)
		return CAUSE_ILLEGAL_INSN; /* hpmcounters: none implemented */
	if (!(c->csr[RV_HCOUNTEREN] & (1ull << bit)))
		return CAUSE_VIRTUAL_INSTRUCTION;
	*old = bit == 1 ? rv_guest_time(c) : hal_counter();
	return 0;
}

static int s_csr(struct guest_ctx *c, unsigned i, bool write, uint64_t val, uint64_t *old)
{
	uint64_t *slot = &c->csr[s_csrs[i].slot];

	switch (s_csrs[i].kind) {
	case K_STATUS:
		*old = *slot;
		if (write)
			*slot = (*slot & ~SSTATUS_WRITABLE) | (val & SSTATUS_WRITABLE);
		return 0;
	case K_SIE:
		*old = *slot & vsie_mask(c);
		if (write)
			*slot = val & vsie_mask(c);
		return 0;
	case K_SIP: /* only SSIP is writable: it is hvip.VSSIP */
		*old = rv_vsip(c);
		if (write && (c->csr[RV_HIDELEG] & MIP_VSSIP))
			c->csr[RV_HVIP] = (c->csr[RV_HVIP] & ~MIP_VSSIP) | ((val & MIP_SSIP) << 1);
		return 0;
	case K_STIMECMP:
		if (!(c->csr[RV_HENVCFG] & ENVCFG_STCE))
			return CAUSE_VIRTUAL_INSTRUCTION;
		*old = *slot;
		if (write) {
			*slot = val;
			c->vtimer_written = 1;
		}
		return 0;
	case K_SATP:
		if (c->csr[RV_HSTATUS] & HSTATUS_VTVM)
			return CAUSE_VIRTUAL_INSTRUCTION;
		*old = *slot;
		/* A MODE the hart lacks: the write has no effect (4.1.11). */
		if (write && (val >> SATP_MODE_SHIFT == SATP_MODE_BARE ||
			      val >> SATP_MODE_SHIFT == SATP_MODE_SV39 ||
			      val >> SATP_MODE_SHIFT == SATP_MODE_SV48))
			*slot = val;
		return 0;
	default:
		*old = *slot;
		if (write)
			*slot = val;
		return 0;
	}
}

/* fflags, frm, fcsr: an illegal instruction while vsstatus.FS is Off. */
static int fp_csr(struct guest_ctx *c, unsigned csr, bool write, uint64_t val, uint64_t *old)
{
	if (!(c->csr[RV_VSSTATUS] & SSTATUS_FS) || !(c->sstatus & SSTATUS_FS))
		return CAUSE_ILLEGAL_INSN;
	uint32_t fcsr = c->fp.fcsr;
	unsigned shift = csr == CSR_FRM ? 5 : 0;
	uint32_t mask = csr == CSR_FFLAGS ? 0x1F : csr == CSR_FRM ? 0x7 : 0xFF;
	*old = (fcsr >> shift) & mask;
	if (write) {
		c->fp.fcsr = (fcsr & ~(mask << shift)) | (((uint32_t)val & mask) << shift);
		c->csr[RV_VSSTATUS] |= SSTATUS_FS_DIRTY;
	}
	return 0;
}

int rv_csr_access(struct guest_ctx *c, unsigned csr, bool read, bool write, uint64_t val,
		  uint64_t *old)
{
	unsigned level = (csr >> 8) & 3;
	uint64_t dummy;

	(void)read; /* every CSR here reads without side effects */
	if (!old)
		old = &dummy;
	if (csr > 0xFFF || level == 3 || (write && (csr >> 10) == 3))
		return CAUSE_ILLEGAL_INSN; /* M-level, or a write to a read-only CSR */
	if (level == 2)
		return is_h_csr(csr) ? CAUSE_VIRTUAL_INSTRUCTION : CAUSE_ILLEGAL_INSN;
	if (level == 1) {
		for (unsigned i = 0; i < sizeof(s_csrs) / sizeof(s_csrs[0]); i++)
			if (s_csrs[i].csr == csr)
				return s_csr(c, i, write, val, old);
		return CAUSE_ILLEGAL_INSN;
	}
	if (csr >= CSR_FFLAGS && csr <= CSR_FCSR)
		return fp_csr(c, csr, write, val, old);
	if (csr >= CSR_CYCLE && csr <= 0xC1F)
		return counter(c, csr, old);
	return CAUSE_ILLEGAL_INSN;
}
