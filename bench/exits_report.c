/* bench_exits' instruction counting and report, shared by both ISAs' programs (see
 * exits_report.h; the method at the top of bench/exits.c). */
#include "bench/exits_report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static _Noreturn void fail(const char *what, long long detail)
{
	fprintf(stderr, "bench/exits: %s (%lld)\n", what, detail);
	exit(1);
}

/* The callgrind output file: *ir from its "totals:" (or "summary:") line, and
 * *ir_memset, the self cost of every function whose name contains "memset" (cost
 * lines are "position cost"; the line after "calls=" is a call's inclusive cost and
 * is skipped; names are compressed to "(id)" after their first use). 0, or -1 after a
 * message. */
#define CG_MAX_IDS 65536
static int callgrind_parse(const char *path, unsigned long long *ir, unsigned long long *ir_memset)
{
	static bool is_memset[CG_MAX_IDS];
	FILE *f = fopen(path, "r");
	char line[1024];
	bool total_found = false, summary_found = false, skip_next = false, cur_memset = false;
	unsigned long long summary = 0;

	if (!f) {
		fprintf(stderr, "bench/exits: cannot open callgrind output %s\n", path);
		return -1;
	}
	memset(is_memset, 0, sizeof(is_memset));
	*ir_memset = 0;
	while (fgets(line, sizeof(line), f)) {
		bool fn = strncmp(line, "fn=", 3) == 0, cfn = strncmp(line, "cfn=", 4) == 0;
		if (fn || cfn) {
			const char *p = line + (fn ? 3 : 4);
			unsigned id = 0;
			bool named = strstr(p, "memset") != NULL;
			if (*p == '(' && sscanf(p, "(%u)", &id) == 1 && id < CG_MAX_IDS) {
				if (strchr(p, ' ')) /* first use: "(id) name" */
					is_memset[id] = named;
				else
					named = is_memset[id];
			}
			if (fn)
				cur_memset = named;
		} else if (strncmp(line, "calls=", 6) == 0) {
			skip_next = true;
		} else if ((line[0] >= '0' && line[0] <= '9') || line[0] == '+' || line[0] == '-' ||
			   line[0] == '*') {
			if (!skip_next && cur_memset) {
				const char *last = strrchr(line, ' ');
				*ir_memset += strtoull(last ? last + 1 : line, NULL, 10);
			}
			skip_next = false;
		} else if (sscanf(line, "totals: %llu", ir) == 1) {
			total_found = true;
		} else if (sscanf(line, "summary: %llu", &summary) == 1) {
			summary_found = true;
		}
	}
	fclose(f);
	if (!total_found && summary_found)
		*ir = summary;
	if (!total_found && !summary_found) {
		fprintf(stderr, "bench/exits: no totals/summary line in callgrind output %s\n", path);
		return -1;
	}
	return 0;
}

/* Ir of one `--only ONLY --iterations n` run under callgrind, and how much of it was in
 * memset: 0 and *ir, *ir_memset; 1 if valgrind could not be started, -1 (after a
 * message) if the run or its output went wrong. */
static int callgrind_ir(const char *self, const char *only, unsigned n, unsigned long long *ir,
			unsigned long long *ir_memset)
{
	char out[] = "/tmp/bench-exits-cg-XXXXXX", log[] = "/tmp/bench-exits-log-XXXXXX";
	char outarg[64], iters[16];
	int ofd = mkstemp(out), lfd = mkstemp(log), status, ret = -1;

	if (ofd < 0 || lfd < 0) {
		fprintf(stderr, "bench/exits: mkstemp: %s\n", strerror(errno));
		return -1;
	}
	close(ofd);
	snprintf(outarg, sizeof(outarg), "--callgrind-out-file=%s", out);
	snprintf(iters, sizeof(iters), "%u", n);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench/exits: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		dup2(lfd, STDERR_FILENO);
		execlp("valgrind", "valgrind", "--tool=callgrind", outarg, "--collect-atstart=no",
		       "--toggle-collect=bench_exits_measured", self, "--only", only,
		       "--iterations", iters, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "bench/exits: waitpid: %s\n", strerror(errno));
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		ret = 1; /* no valgrind */
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench/exits: callgrind run of %s x%u failed (status 0x%x); its log:\n",
			only, n, status);
		FILE *lf = fopen(log, "r");
		char line[512];
		while (lf && fgets(line, sizeof(line), lf))
			fputs(line, stderr);
		if (lf)
			fclose(lf);
		goto out;
	}
	if (callgrind_parse(out, ir, ir_memset) == 0)
		ret = 0;
out:
	close(lfd);
	unlink(out);
	unlink(log);
	return ret;
}

void exits_count(const char *self, const char *only, unsigned n1, unsigned n2,
		 struct exits_row *row)
{
	unsigned long long a, b, am, bm;
	int err;

	row->instr = row->instr_memset = -1;
	if ((err = callgrind_ir(self, only, n1, &a, &am)) == 1) {
		snprintf(row->method, sizeof(row->method), "not counted: valgrind not found");
		return;
	}
	if (err || (err = callgrind_ir(self, only, n2, &b, &bm)))
		fail("counting instructions with callgrind", err);
	if (b < a)
		fail("callgrind counted fewer instructions for more exits", (long long)(a - b));
	if (bm < am || bm > b)
		fail("callgrind's memset share does not add up", (long long)bm);
	row->instr = (double)(b - a) / (n2 - n1);
	row->instr_memset = (double)(bm - am) / (n2 - n1);
	snprintf(row->method, sizeof(row->method), "callgrind Ir (%u - %u exits) / %u", n2, n1,
		 n2 - n1);
}

void exits_self(char *buf, unsigned len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	if (n <= 0)
		fail("readlink /proc/self/exe", errno);
	buf[n] = '\0';
}

void exits_print(const struct exits_row *rows, unsigned n, bool json, const char *isa,
		 unsigned reps)
{
	if (json) {
		printf("{\"bench\": \"exits\", ");
		if (isa)
			printf("\"isa\": \"%s\", ", isa);
		printf("\"reps\": %u, \"results\": [", reps);
		for (unsigned k = 0; k < n; k++) {
			const struct exits_row *r = &rows[k];
			printf("%s{\"exit\": \"%s\", \"iterations\": %u, \"ns_per_exit\": %.1f, ",
			       k ? ", " : "", r->name, r->iters, r->ns);
			if (r->instr >= 0)
				printf("\"instructions_per_exit\": %.1f, "
				       "\"instructions_in_memset_per_exit\": %.1f, "
				       "\"instructions_beside_memset_per_exit\": %.1f, ",
				       r->instr, r->instr_memset, r->instr - r->instr_memset);
			else
				printf("\"instructions_per_exit\": null, "
				       "\"instructions_in_memset_per_exit\": null, "
				       "\"instructions_beside_memset_per_exit\": null, ");
			printf("\"method\": \"%s\"}", r->method);
		}
		printf("]}\n");
		return;
	}
	printf("%s%sper exit dispatched by vm_feed_trap; ns: best of %u runs; instructions: "
	       "callgrind, see bench/exits.c\n", isa ? isa : "", isa ? ": " : "", reps);
	printf("%-18s %9s %18s %10s %14s   %s\n", "exit kind", "ns/exit", "instructions/exit",
	       "in memset", "beside memset", "method");
	for (unsigned k = 0; k < n; k++) {
		const struct exits_row *r = &rows[k];
		char instr[32] = "n/a", in_memset[32] = "n/a", beside[32] = "n/a";
		if (r->instr >= 0) {
			snprintf(instr, sizeof(instr), "%.1f", r->instr);
			snprintf(in_memset, sizeof(in_memset), "%.1f", r->instr_memset);
			snprintf(beside, sizeof(beside), "%.1f", r->instr - r->instr_memset);
		}
		printf("%-18s %9.1f %18s %10s %14s   %s\n", r->name, r->ns, instr, in_memset,
		       beside, r->method);
	}
	if (n && rows[0].instr >= 0)
		printf("(\"in memset\" is part of instructions/exit; callgrind counts each byte "
		       "of a rep stosb\n as one instruction, the CPU retires it as one. Target "
		       "for lazy-first-touch beside memset: <= 1000)\n");
}
