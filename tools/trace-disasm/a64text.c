/* capstone's text of an A64 word (a64text.h): one handle, opened on first use. */
#include "tools/trace-disasm/a64text.h"

#include <capstone/capstone.h>
#include <stdio.h>

static csh handle;
static bool opened;

bool a64_text(uint32_t word, char *buf, size_t size)
{
	/* A64 code is little-endian whatever the data endianness (Arm ARM B2.6.2). */
	const uint8_t code[4] = {(uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
	                         (uint8_t)(word >> 24)};
	cs_insn *insn;

	if (!opened && cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle) != CS_ERR_OK)
		return false;
	opened = true;
	if (cs_disasm(handle, code, sizeof(code), 0, 1, &insn) != 1)
		return false;
	snprintf(buf, size, insn->op_str[0] ? "%s %s" : "%s", insn->mnemonic, insn->op_str);
	cs_free(insn, 1);
	return true;
}

void a64_text_close(void)
{
	if (opened)
		cs_close(&handle);
	opened = false;
}
