/* What both ISAs' bench_exits share (bench/exits.c, bench/exits_riscv64.c): counting a
 * kind's instructions per exit with valgrind's callgrind (the method is described at
 * the top of bench/exits.c), and printing the rows as a table or as JSON. */
#ifndef BENCH_EXITS_REPORT_H
#define BENCH_EXITS_REPORT_H

#include <stdbool.h>

/* One row: an exit kind, what it cost. */
struct exits_row {
	const char *name;     /* table and JSON */
	unsigned iters;       /* timed exits per rep */
	double ns;            /* per exit, best of the reps */
	double instr;         /* per exit; < 0: not counted */
	double instr_memset;  /* of which in memset (rep stosb counted per byte) */
	char method[96];
};

/* Count row's instructions: this program (self) run twice under callgrind as
 * `self --only ONLY --iterations N` for n1 and n2 exits, only bench_exits_measured
 * counted, the difference divided by n2 - n1. Without valgrind the row stays "not
 * counted" (instr < 0) and says so; any other failure exits the program after a
 * message. */
void exits_count(const char *self, const char *only, unsigned n1, unsigned n2,
		 struct exits_row *row);

/* This program's own path, for exits_count (from /proc/self/exe); exits on failure. */
void exits_self(char *buf, unsigned len);

/* The rows as a table (a header line naming isa first) or as one JSON object (with
 * "isa" when isa is not NULL); reps is the best-of count. */
void exits_print(const struct exits_row *rows, unsigned n, bool json, const char *isa,
		 unsigned reps);

#endif
