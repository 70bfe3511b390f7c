/* An A64 instruction word as the text a trace shows after it: capstone's "mnemonic
 * operands". One definition for hvsim --trace and tools/trace-disasm, so that both
 * hosts' traces read alike. */
#ifndef TOOLS_TRACE_DISASM_A64TEXT_H
#define TOOLS_TRACE_DISASM_A64TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The text of word into buf (NUL-ended, at most size bytes): true, or false (buf
 * untouched) if capstone does not decode it or cannot be opened. Not thread-safe: one
 * caller at a time. */
bool a64_text(uint32_t word, char *buf, size_t size);

/* Give back capstone's handle (a later a64_text opens it again). */
void a64_text_close(void);

#endif
