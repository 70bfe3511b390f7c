/* A Tandem trace with each instruction word's disassembly: reads a trace (a bare-metal
 * boot with "trace", as scripts/run --trace prints it) on stdin and writes it to stdout
 * with " (TEXT)" after every "insn=0x" and eight hex digits that has none yet on a line
 * of Tandem's log ("[cpuN] ..."; a guest's console lines are its own), TEXT being what
 * hvsim --trace shows there (a64text.c): both hosts' traces read alike. Every other
 * byte passes through unchanged, a line at a time, as it arrives.
 *   trace-disasm < trace.log */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/trace-disasm/a64text.h"

#define WORD_TAG "insn=0x"

/* Where the word after tag at p ends: past eight hex digits not followed by another, or
 * NULL. */
static const char *word_end(const char *p, uint32_t *word)
{
	char digits[9];

	p += strlen(WORD_TAG);
	for (int i = 0; i < 8; i++) {
		if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
			return NULL;
		digits[i] = p[i];
	}
	digits[8] = 0;
	if (p[8] && strchr("0123456789abcdefABCDEFxX", p[8]))
		return NULL;
	*word = (uint32_t)strtoul(digits, NULL, 16);
	return p + 8;
}

static void annotate(const char *line, FILE *out)
{
	const char *p = line;
	const char *tag;

	while ((tag = strstr(p, WORD_TAG))) {
		uint32_t word;
		const char *end = word_end(tag, &word);
		char text[128];

		if (!end) {
			end = tag + strlen(WORD_TAG);
			fwrite(p, 1, (size_t)(end - p), out);
		} else {
			fwrite(p, 1, (size_t)(end - p), out);
			if (strncmp(end, " (", 2) && a64_text(word, text, sizeof(text)))
				fprintf(out, " (%s)", text);
		}
		p = end;
	}
	fputs(p, out);
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) >= 0) {
		if (!strncmp(line, "[cpu", 4))
			annotate(line, stdout);
		else
			fputs(line, stdout);
		fflush(stdout); /* a live boot's lines as they come */
	}
	free(line);
	a64_text_close();
	return ferror(stdin) || ferror(stdout) ? 1 : 0;
}
