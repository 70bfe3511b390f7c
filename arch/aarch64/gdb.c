/* What a debugger attached to an aarch64 vCPU needs of the ISA: exceptions routed to
 * Tandem (MDCR_EL2.TDE), single step (MDSCR_EL1.SS with PSTATE.SS, Arm ARM D2.12), the
 * re-injection of a debug exception the debugger did not cause, and the registers as
 * gdb numbers them (gdb's features/aarch64-core.xml and aarch64-fpu.xml: x0-x30, sp,
 * pc, cpsr, then v0-v31, fpsr, fpcr). */
#include "arch/aarch64/arch.h"
#include "arch/aarch64/sysreg.h"

const char arch_gdb_target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>aarch64</architecture>\n"
	"<feature name=\"org.gnu.gdb.aarch64.core\">\n"
	"<reg name=\"x0\" bitsize=\"64\"/><reg name=\"x1\" bitsize=\"64\"/>\n"
	"<reg name=\"x2\" bitsize=\"64\"/><reg name=\"x3\" bitsize=\"64\"/>\n"
	"<reg name=\"x4\" bitsize=\"64\"/><reg name=\"x5\" bitsize=\"64\"/>\n"
	"<reg name=\"x6\" bitsize=\"64\"/><reg name=\"x7\" bitsize=\"64\"/>\n"
	"<reg name=\"x8\" bitsize=\"64\"/><reg name=\"x9\" bitsize=\"64\"/>\n"
	"<reg name=\"x10\" bitsize=\"64\"/><reg name=\"x11\" bitsize=\"64\"/>\n"
	"<reg name=\"x12\" bitsize=\"64\"/><reg name=\"x13\" bitsize=\"64\"/>\n"
	"<reg name=\"x14\" bitsize=\"64\"/><reg name=\"x15\" bitsize=\"64\"/>\n"
	"<reg name=\"x16\" bitsize=\"64\"/><reg name=\"x17\" bitsize=\"64\"/>\n"
	"<reg name=\"x18\" bitsize=\"64\"/><reg name=\"x19\" bitsize=\"64\"/>\n"
	"<reg name=\"x20\" bitsize=\"64\"/><reg name=\"x21\" bitsize=\"64\"/>\n"
	"<reg name=\"x22\" bitsize=\"64\"/><reg name=\"x23\" bitsize=\"64\"/>\n"
	"<reg name=\"x24\" bitsize=\"64\"/><reg name=\"x25\" bitsize=\"64\"/>\n"
	"<reg name=\"x26\" bitsize=\"64\"/><reg name=\"x27\" bitsize=\"64\"/>\n"
	"<reg name=\"x28\" bitsize=\"64\"/><reg name=\"x29\" bitsize=\"64\"/>\n"
	"<reg name=\"x30\" bitsize=\"64\"/>\n"
	"<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"cpsr\" bitsize=\"32\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n"
	"<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n"
	"<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n"
	"<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
	"</union>\n"
	"<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
	"</union>\n"
	"<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/></union>\n"
	"<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/></union>\n"
	"<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
	"<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/>"
	"<field name=\"q\" type=\"uint128\"/></union>\n"
	"<reg name=\"v0\" bitsize=\"128\" type=\"aarch64v\" regnum=\"34\"/>\n"
	"<reg name=\"v1\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v2\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v3\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v4\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v5\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v6\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v7\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v8\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v9\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v10\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v11\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v12\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v13\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v14\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v15\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v16\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v17\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v18\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v19\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v20\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v21\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v22\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v23\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v24\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v25\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v26\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v27\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v28\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v29\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v30\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"v31\" bitsize=\"128\" type=\"aarch64v\"/>\n"
	"<reg name=\"fpsr\" bitsize=\"32\"/>\n"
	"<reg name=\"fpcr\" bitsize=\"32\"/>\n"
	"</feature>\n"
	"</target>\n";

/* gdb's numbers. */
#define REG_X30 30
#define REG_SP 31
#define REG_PC 32
#define REG_CPSR 33
#define REG_V0 34
#define REG_V31 65
#define REG_FPSR 66
#define REG_FPCR 67

const uint8_t arch_gdb_brk[ARCH_GDB_BRK_SIZE] = { 0x00, 0x00, 0x20, 0xD4 }; /* BRK #0 */

bool arch_gdb_is_brk(const uint8_t *insn)
{
	uint32_t w = (uint32_t)insn[0] | (uint32_t)insn[1] << 8 | (uint32_t)insn[2] << 16 |
		     (uint32_t)insn[3] << 24;
	return (w & A64_BRK_MASK) == A64_BRK;
}

void arch_vcpu_debug_attach(struct arch_vcpu *v, bool on)
{
	if (on == v->dbg.attached)
		return;
	if (on) {
		v->dbg.mdscr = arch_vcpu_el1(v, MDSCR_EL1);
		/* The guest's own stepping and breakpoints are its view only now: the
		 * hardware's MDSCR_EL1 steps for the debugger (the vCPU's debug registers
		 * never reach the hardware anyway). */
		arch_vcpu_set_el1(v, MDSCR_EL1, 0);
		v->ctx.mdcr_el2 |= MDCR_TDE;
		v->dbg.attached = true;
		return;
	}
	arch_vcpu_debug_step(v, false);
	v->dbg.attached = false;
	v->ctx.mdcr_el2 &= ~MDCR_TDE;
	arch_vcpu_set_el1(v, MDSCR_EL1, v->dbg.mdscr);
}

void arch_vcpu_debug_step(struct arch_vcpu *v, bool on)
{
	if (!v->dbg.attached)
		return;
	v->dbg.step = on;
	v->ctx.stepping = on; /* no early answers meanwhile (ctx.h) */
	arch_vcpu_set_el1(v, MDSCR_EL1, on ? MDSCR_SS : 0);
	/* Active-not-pending: the first instruction runs, then the step exception. */
	v->ctx.pstate = on ? v->ctx.pstate | PSR_SS : v->ctx.pstate & ~PSR_SS;
}

/* Software step from the guest's own EL (0x33) or a lower one (0x32), as its EL1 sees
 * it; a BRK keeps its syndrome. */
void arch_inject_debug(struct arch_vcpu *v)
{
	uint64_t esr = v->trap.esr;

	if (ESR_EC(esr) == EC_SSTEP_LOW || ESR_EC(esr) == EC_SSTEP_CUR) {
		bool el0 = (v->ctx.pstate & PSR_MODE_AARCH32) ||
			   (v->ctx.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
		esr = (esr & ~(0x3Full << ESR_EC_SHIFT)) |
		      ((uint64_t)(el0 ? EC_SSTEP_LOW : EC_SSTEP_CUR) << ESR_EC_SHIFT);
	}
	arch_inject_exception(v, esr);
}

int arch_gdb_reg_size(unsigned regno)
{
	if (regno <= REG_PC)
		return 8;
	if (regno == REG_CPSR || regno == REG_FPSR || regno == REG_FPCR)
		return 4;
	return regno <= REG_V31 ? 16 : -EINVAL;
}

static void put_le(uint8_t *buf, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *buf, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)buf[i] << (8 * i);
	return v;
}

/* SP is the one PSTATE.SP selects: SP_EL1 at EL1h, SP_EL0 at EL1t and EL0. */
static enum el1_sysreg sp_of(const struct arch_vcpu *v)
{
	return (v->ctx.pstate & PSR_MODE_MASK) == PSR_MODE_EL1h ? SP_EL1 : SP_EL0;
}

int arch_gdb_reg_read(struct arch_vcpu *v, unsigned regno, uint8_t *buf)
{
	int size = arch_gdb_reg_size(regno);

	if (size < 0)
		return size;
	if (regno <= REG_X30)
		put_le(buf, v->ctx.x[regno], 8);
	else if (regno == REG_SP)
		put_le(buf, arch_vcpu_el1(v, sp_of(v)), 8);
	else if (regno == REG_PC)
		put_le(buf, v->ctx.pc, 8);
	else if (regno == REG_CPSR) /* the step bit is the debugger's, not the guest's */
		put_le(buf, v->ctx.pstate & ~PSR_SS, 4);
	else if (regno == REG_FPSR)
		put_le(buf, v->ctx.fp.fpsr, 4);
	else if (regno == REG_FPCR)
		put_le(buf, v->ctx.fp.fpcr, 4);
	else {
		put_le(buf, v->ctx.fp.v[regno - REG_V0][0], 8);
		put_le(buf + 8, v->ctx.fp.v[regno - REG_V0][1], 8);
	}
	return size;
}

int arch_gdb_reg_write(struct arch_vcpu *v, unsigned regno, const uint8_t *buf)
{
	int size = arch_gdb_reg_size(regno);

	if (size < 0)
		return size;
	if (regno <= REG_X30)
		v->ctx.x[regno] = get_le(buf, 8);
	else if (regno == REG_SP)
		arch_vcpu_set_el1(v, sp_of(v), get_le(buf, 8));
	else if (regno == REG_PC)
		v->ctx.pc = get_le(buf, 8);
	else if (regno == REG_CPSR) {
		/* The guest's PSTATE, but never a mode it could not have reached (AArch64
		 * EL0t, EL1t, EL1h; the debugger cannot send it to EL2) nor the step bit. */
		uint64_t mode = get_le(buf, 4) & PSR_MODE_MASK;
		if (mode != PSR_MODE_EL0t && mode != PSR_MODE_EL1t && mode != PSR_MODE_EL1h)
			return -EINVAL;
		v->ctx.pstate = (get_le(buf, 4) & ~PSR_SS) | (v->ctx.pstate & PSR_SS);
	} else if (regno == REG_FPSR)
		v->ctx.fp.fpsr = (uint32_t)get_le(buf, 4);
	else if (regno == REG_FPCR)
		v->ctx.fp.fpcr = (uint32_t)get_le(buf, 4);
	else {
		v->ctx.fp.v[regno - REG_V0][0] = get_le(buf, 8);
		v->ctx.fp.v[regno - REG_V0][1] = get_le(buf + 8, 8);
	}
	return size;
}

int arch_gdb_brk_insn(unsigned kind, uint8_t *out)
{
	if (kind != ARCH_GDB_BRK_SIZE)
		return -EINVAL;
	for (unsigned i = 0; i < ARCH_GDB_BRK_SIZE; i++)
		out[i] = arch_gdb_brk[i];
	return ARCH_GDB_BRK_SIZE;
}
