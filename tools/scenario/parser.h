/* Internal to tools/scenario/: the parser's state and the helpers its two halves
 * (scenario.c: files, VMs; program.c: vCPU programs) share. */
#ifndef TOOLS_SCENARIO_PARSER_H
#define TOOLS_SCENARIO_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/scenario/scenario.h"

#define MAX_TOKENS 16
#define LINE_MAX_LEN 1024
#define PRINT_DATA_REG 9
#define PRINT_ADDR_REG 10
#define PRINT_WAIT_REG 11 /* print.wait: UARTFR into W11, its address in X12 */

enum block { TOP, IN_VM, IN_PROGRAM };

struct parser {
	const char *file;
	unsigned line;
	char *err;
	struct scenario *s;
	enum block block;
	struct scn_vm *vm;
	unsigned prog_vcpu;
	size_t prog_cap;
	bool vcpus_set, entry_set;
	bool image_addr_set; /* the VM's image statement gave its address */
	unsigned image_line;
	bool in_repeat;       /* inside "repeat N {" of the current program */
	unsigned repeat_from; /* its first action */
	unsigned repeat_times;
	char buf[LINE_MAX_LEN];
	char *tok[MAX_TOKENS];
	bool quoted[MAX_TOKENS];
	unsigned ntok;
};


/* Record "file:line: message" and return -EINVAL. */
int error(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int number(struct parser *p, const char *t, uint64_t *v);
int small(struct parser *p, const char *t, uint64_t max, unsigned *v);
int reg(struct parser *p, const char *t, bool zr_ok, unsigned *r, bool *is64);
int need(struct parser *p, unsigned lo, unsigned hi, const char *usage);
/* The statement's path (its second token) into out: "a(n) NOUN needs a path" if empty,
 * "NOUN path too long" from SCN_PATH_MAX characters. */
int copy_path(struct parser *p, const char *noun, char out[SCN_PATH_MAX]);

/* tools/scenario/boot.c: a VM's boot-protocol statements (kernel, initrd, dtb,
 * bootargs, psci, kaslr-seed, rng-seed, reboots), and their checks at the VM's "}". */
int vm_boot_statement(struct parser *p, int arg);
int vm_boot_end(struct parser *p);
enum { BOOT_KERNEL, BOOT_INITRD, BOOT_DTB, BOOT_BOOTARGS, BOOT_PSCI, BOOT_KASLR_SEED,
       BOOT_RNG_SEED, BOOT_REBOOTS, BOOT_DEVICETREE };

/* A statement's keyword (its first token), what parses the rest of it, and the argument
 * the parser gets (which variant of a family: hvc or smc, load or store). */
struct keyword {
	const char *name;
	bool prefix; /* matches every first token that starts with name (load8, store64) */
	int (*parse)(struct parser *p, int arg);
	int arg;
};

/* Parse p's statement with the table's entry for its keyword, or fail with
 * "unknown <what> \"keyword\"". */
int parse_keyword(struct parser *p, const struct keyword *table, size_t n, const char *what);
struct action *new_action(struct parser *p, enum act_kind kind);

/* One statement inside "program N { ... }". */
int program_statement(struct parser *p);
/* The same in a riscv64 VM (program_rv.c). */
int program_rv_statement(struct parser *p);

#endif
