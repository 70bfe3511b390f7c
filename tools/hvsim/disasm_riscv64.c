/* hvsim --trace in the riscv64 build: the exit lines carry the raw scause, stval,
 * htval and htinst and the instruction word; no disassembly is added, because Debian
 * 12's capstone (4.0) has no RISC-V. (The aarch64 build's disasm.c adds capstone's.) */
#include "tools/hvsim/hvsim.h"

void hvsim_disasm_install(void)
{
}
