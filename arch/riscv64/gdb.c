/* What a debugger attached to a riscv64 vCPU needs of the ISA: EBREAK routed to Tandem
 * (hedeleg bit 3 clear while attached, vcpu.c), the breakpoint instruction, and the
 * registers as gdb numbers them (gdb's features/riscv/64bit-cpu.xml: x0-x31 by their
 * ABI names, then pc). No single step: HS-mode cannot step a VS-mode guest, and gdb
 * steps riscv by planting breakpoints itself. */
#include "arch/riscv64/arch.h"

const char arch_gdb_target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>riscv:rv64</architecture>\n"
	"<feature name=\"org.gnu.gdb.riscv.cpu\">\n"
	"<reg name=\"zero\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"ra\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"gp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"tp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"t0\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"t1\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"t2\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"fp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"s1\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"a0\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"a1\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"a2\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"a3\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"a4\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"a5\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"a6\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"a7\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s2\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s3\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s4\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s5\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s6\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s7\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s8\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s9\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s10\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"s11\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"t3\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"t4\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"t5\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"t6\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"</feature>\n"
	"</target>\n";

/* EBREAK (0x00100073), little-endian. */
const uint8_t arch_gdb_brk[ARCH_GDB_BRK_SIZE] = { 0x73, 0x00, 0x10, 0x00 };

bool arch_gdb_is_brk(const uint8_t *insn)
{
	uint32_t w = (uint32_t)insn[0] | (uint32_t)insn[1] << 8 | (uint32_t)insn[2] << 16 |
		     (uint32_t)insn[3] << 24;
	return w == 0x00100073u || (w & 0xFFFFu) == 0x9002u; /* EBREAK, C.EBREAK */
}

int arch_gdb_reg_size(unsigned regno)
{
	return regno < ARCH_GDB_NREGS ? 8 : -EINVAL;
}

static uint64_t *reg_slot(struct arch_vcpu *v, unsigned regno)
{
	return regno == 32 ? &v->ctx.pc : &v->ctx.x[regno];
}

int arch_gdb_reg_read(struct arch_vcpu *v, unsigned regno, uint8_t *buf)
{
	if (regno >= ARCH_GDB_NREGS)
		return -EINVAL;
	uint64_t value = regno == 0 ? 0 : *reg_slot(v, regno);
	for (unsigned i = 0; i < 8; i++)
		buf[i] = (uint8_t)(value >> (8 * i));
	return 8;
}

/* x0 stays zero; a PC must be 2-byte aligned (IALIGN 16 with C). */
int arch_gdb_reg_write(struct arch_vcpu *v, unsigned regno, const uint8_t *buf)
{
	uint64_t value = 0;

	if (regno >= ARCH_GDB_NREGS)
		return -EINVAL;
	for (unsigned i = 0; i < 8; i++)
		value |= (uint64_t)buf[i] << (8 * i);
	if (regno == 0)
		return 8;
	if (regno == 32 && (value & 1))
		return -EINVAL;
	*reg_slot(v, regno) = value;
	return 8;
}

int arch_gdb_brk_insn(unsigned kind, uint8_t *out)
{
	if (kind == 2) {
		out[0] = 0x02; /* C.EBREAK, 0x9002 */
		out[1] = 0x90;
		return 2;
	}
	if (kind != ARCH_GDB_BRK_SIZE)
		return -EINVAL;
	for (unsigned i = 0; i < ARCH_GDB_BRK_SIZE; i++)
		out[i] = arch_gdb_brk[i];
	return ARCH_GDB_BRK_SIZE;
}
