/* The RV64 decoders and encoders (arch/riscv64/rvinsn.h) as text, for
 * tests/rvinsn_oracle.sh to hold against the cross binutils:
 *   rvinsn_dump dec          hex words on stdin -> one line each: the instruction in
 *                            objdump's "-M no-aliases,numeric" syntax (CSRs as 0x<hex>),
 *                            or "-" if neither decoder takes it
 *   rvinsn_dump enc          instructions in that syntax on stdin -> the encoder's word
 *                            in hex, or "error"
 *   rvinsn_dump rand SEED N  N words (hex) in the opcode spaces the decoders read, with
 *                            the fields that decide validity biased toward the edges
 * The mnemonic tables below are the tool's own, written from the ISA listings. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv64/rvinsn.h"

struct ldst_name {
	const char *name;
	unsigned width, len;
	bool store, sign, fp, sp;
};

static const struct ldst_name ldst_names[] = {
    {"lb", 1, 4, false, true, false, false},     {"lh", 2, 4, false, true, false, false},
    {"lw", 4, 4, false, true, false, false},     {"ld", 8, 4, false, false, false, false},
    {"lbu", 1, 4, false, false, false, false},   {"lhu", 2, 4, false, false, false, false},
    {"lwu", 4, 4, false, false, false, false},   {"sb", 1, 4, true, false, false, false},
    {"sh", 2, 4, true, false, false, false},     {"sw", 4, 4, true, false, false, false},
    {"sd", 8, 4, true, false, false, false},     {"flw", 4, 4, false, false, true, false},
    {"fld", 8, 4, false, false, true, false},    {"fsw", 4, 4, true, false, true, false},
    {"fsd", 8, 4, true, false, true, false},     {"c.lw", 4, 2, false, true, false, false},
    {"c.ld", 8, 2, false, false, false, false},  {"c.sw", 4, 2, true, false, false, false},
    {"c.sd", 8, 2, true, false, false, false},   {"c.fld", 8, 2, false, false, true, false},
    {"c.fsd", 8, 2, true, false, true, false},   {"c.lwsp", 4, 2, false, true, false, true},
    {"c.ldsp", 8, 2, false, false, false, true}, {"c.swsp", 4, 2, true, false, false, true},
    {"c.sdsp", 8, 2, true, false, false, true},  {"c.fldsp", 8, 2, false, false, true, true},
    {"c.fsdsp", 8, 2, true, false, true, true},
};

static const struct {
	const char *name;
	unsigned f5;
} amo_names[] = {{"amoadd", RV_AMOADD},   {"amoswap", RV_AMOSWAP}, {"lr", RV_LR},
                 {"sc", RV_SC},           {"amoxor", RV_AMOXOR},   {"amoor", RV_AMOOR},
                 {"amoand", RV_AMOAND},   {"amomin", RV_AMOMIN},   {"amomax", RV_AMOMAX},
                 {"amominu", RV_AMOMINU}, {"amomaxu", RV_AMOMAXU}};

static const char *const csr_names[] = {
    [RV_SYS_CSRRW] = "csrrw", [RV_SYS_CSRRS] = "csrrs", [RV_SYS_CSRRC] = "csrrc"};
static const char *const fence_names[] = {[RV_SYS_SFENCE_VMA] = "sfence.vma",
                                          [RV_SYS_HFENCE_VVMA] = "hfence.vvma",
                                          [RV_SYS_HFENCE_GVMA] = "hfence.gvma"};

static const char *width_letter(unsigned width)
{
	return width == 1 ? "b" : width == 2 ? "h" : width == 4 ? "w" : "d";
}

static void print_ldst(const struct rv_ldst *o)
{
	char r = o->fp ? 'f' : 'x';

	if (o->amo) {
		const char *n = "?";
		for (size_t i = 0; i < sizeof(amo_names) / sizeof(amo_names[0]); i++)
			if (amo_names[i].f5 == o->amo_op)
				n = amo_names[i].name;
		printf("%s.%s%s%s ", n, o->width == 4 ? "w" : "d", o->aq ? ".aq" : "",
		       o->aq && o->rl ? "rl"
		       : o->rl        ? ".rl"
		                      : "");
		if (o->amo_op == RV_LR)
			printf("x%u,(x%u)\n", o->reg, o->base);
		else
			printf("x%u,x%u,(x%u)\n", o->reg, o->rs2, o->base);
		return;
	}
	for (size_t i = 0; i < sizeof(ldst_names) / sizeof(ldst_names[0]); i++) {
		const struct ldst_name *n = &ldst_names[i];

		if (n->width == o->width && n->len == o->len && n->store == o->store &&
		    n->sign == o->sign_extend && n->fp == o->fp &&
		    (o->len == 4 || n->sp == (o->base == 2))) {
			printf("%s %c%u,%d(x%u)\n", n->name, r, o->reg, o->imm, o->base);
			return;
		}
	}
	printf("?ldst\n");
}

static void print_system(const struct rv_system *s)
{
	switch (s->op) {
	case RV_SYS_CSRRW:
	case RV_SYS_CSRRS:
	case RV_SYS_CSRRC:
		if (s->imm)
			printf("%si x%u,0x%x,%u\n", csr_names[s->op], s->rd, s->csr, s->rs1);
		else
			printf("%s x%u,0x%x,x%u\n", csr_names[s->op], s->rd, s->csr, s->rs1);
		break;
	case RV_SYS_WFI: printf("wfi\n"); break;
	case RV_SYS_SRET: printf("sret\n"); break;
	case RV_SYS_SFENCE_VMA:
	case RV_SYS_HFENCE_VVMA:
	case RV_SYS_HFENCE_GVMA: printf("%s x%u,x%u\n", fence_names[s->op], s->rs1, s->rs2); break;
	case RV_SYS_HLV:
		printf("hlv.%s%s x%u,(x%u)\n", width_letter(s->width),
		       s->sign_extend || s->width == 8 ? "" : "u", s->rd, s->rs1);
		break;
	case RV_SYS_HLVX:
		printf("hlvx.%su x%u,(x%u)\n", width_letter(s->width), s->rd, s->rs1);
		break;
	case RV_SYS_HSV:
		printf("hsv.%s x%u,(x%u)\n", width_letter(s->width), s->rs2, s->rs1);
		break;
	}
}

static int dec(void)
{
	char line[64];

	while (fgets(line, sizeof(line), stdin)) {
		uint32_t w = (uint32_t)strtoul(line, NULL, 16);
		struct rv_ldst o;
		struct rv_system s;

		if (!rv_decode_ldst(w, &o))
			print_ldst(&o);
		else if (!rv_decode_system(w, &s))
			print_system(&s);
		else
			printf("-\n");
	}
	return 0;
}

/* "x5" / "f5" -> 5; -1 otherwise. */
static int reg_of(const char *t)
{
	if ((t[0] != 'x' && t[0] != 'f') || t[1] < '0' || t[1] > '9')
		return -1;
	return atoi(t + 1);
}

/* The operands of one line: registers, and an "imm(xN)" or "(xN)" memory operand. */
struct operands {
	int n;
	char tok[4][32];
	long imm;
	int base;
};

static void split(char *ops, struct operands *p)
{
	p->n = 0;
	p->base = -1;
	p->imm = 0;
	for (char *t = strtok(ops, ","); t && p->n < 4; t = strtok(NULL, ",")) {
		char *paren = strchr(t, '(');

		if (paren) {
			p->imm = paren == t ? 0 : strtol(t, NULL, 0);
			p->base = reg_of(paren + 1);
		}
		snprintf(p->tok[p->n++], sizeof(p->tok[0]), "%s", t);
	}
}

static int64_t enc_ldst_line(const char *mn, struct operands *p)
{
	char name[32];
	const char *suffix;
	struct rv_ldst o = {0};

	for (size_t i = 0; i < sizeof(ldst_names) / sizeof(ldst_names[0]); i++) {
		const struct ldst_name *n = &ldst_names[i];

		if (strcmp(n->name, mn))
			continue;
		o = (struct rv_ldst){.width = n->width,
		                     .len = n->len,
		                     .store = n->store,
		                     .sign_extend = n->sign,
		                     .fp = n->fp,
		                     .reg = (unsigned)reg_of(p->tok[0]),
		                     .base = (unsigned)p->base,
		                     .imm = (int32_t)p->imm};
		return rv_enc_ldst(&o);
	}
	/* AMO: name.w|d[.aq|.rl|.aqrl] */
	snprintf(name, sizeof(name), "%s", mn);
	char *dot = strchr(name, '.');
	if (!dot)
		return -1;
	*dot = 0;
	suffix = dot + 1;
	for (size_t i = 0; i < sizeof(amo_names) / sizeof(amo_names[0]); i++) {
		if (strcmp(amo_names[i].name, name))
			continue;
		o.amo = true;
		o.amo_op = amo_names[i].f5;
		o.width = suffix[0] == 'w' ? 4 : suffix[0] == 'd' ? 8 : 0;
		o.aq = strstr(suffix, ".aq") != NULL;
		o.rl = strstr(suffix, "rl") != NULL;
		o.store = o.amo_op != RV_LR;
		o.sign_extend = o.width == 4 && o.amo_op != RV_SC;
		o.reg = (unsigned)reg_of(p->tok[0]);
		o.rs2 = o.amo_op == RV_LR ? 0 : (unsigned)reg_of(p->tok[1]);
		o.base = (unsigned)p->base;
		o.len = 4;
		return rv_enc_ldst(&o);
	}
	return -1;
}

static int64_t enc_system_line(const char *mn, struct operands *p)
{
	struct rv_system s = {0};

	for (int op = RV_SYS_CSRRW; op <= RV_SYS_CSRRC; op++) {
		size_t l = strlen(csr_names[op]);
		if (strncmp(mn, csr_names[op], l) || (mn[l] && strcmp(mn + l, "i")))
			continue;
		s.op = (enum rv_sys_op)op;
		s.imm = mn[l] == 'i';
		s.rd = (unsigned)reg_of(p->tok[0]);
		s.csr = (unsigned)strtoul(p->tok[1], NULL, 0);
		s.rs1 = s.imm ? (unsigned)atoi(p->tok[2]) : (unsigned)reg_of(p->tok[2]);
		return rv_enc_system(&s);
	}
	for (int op = RV_SYS_SFENCE_VMA; op <= RV_SYS_HFENCE_GVMA; op++) {
		if (strcmp(mn, fence_names[op]))
			continue;
		s.op = (enum rv_sys_op)op;
		s.rs1 = (unsigned)reg_of(p->tok[0]);
		s.rs2 = (unsigned)reg_of(p->tok[1]);
		return rv_enc_system(&s);
	}
	if (!strcmp(mn, "wfi") || !strcmp(mn, "sret")) {
		s.op = mn[0] == 'w' ? RV_SYS_WFI : RV_SYS_SRET;
		return rv_enc_system(&s);
	}
	if (!strncmp(mn, "hlv.", 4) || !strncmp(mn, "hlvx.", 5) || !strncmp(mn, "hsv.", 4)) {
		const char *w = strchr(mn, '.') + 1;
		s.op = mn[1] == 's' ? RV_SYS_HSV : mn[3] == 'x' ? RV_SYS_HLVX : RV_SYS_HLV;
		s.width = w[0] == 'b' ? 1 : w[0] == 'h' ? 2 : w[0] == 'w' ? 4 : w[0] == 'd' ? 8 : 0;
		s.sign_extend = s.op == RV_SYS_HLV && w[1] != 'u' && s.width < 8;
		s.rs1 = (unsigned)p->base;
		if (s.op == RV_SYS_HSV)
			s.rs2 = (unsigned)reg_of(p->tok[0]);
		else
			s.rd = (unsigned)reg_of(p->tok[0]);
		return rv_enc_system(&s);
	}
	return -1;
}

static int enc(void)
{
	char line[128];

	while (fgets(line, sizeof(line), stdin)) {
		char mn[32] = "", ops[96] = "";
		struct operands p;
		int64_t w = -1;

		if (sscanf(line, "%31s %95s", mn, ops) < 1) {
			printf("error\n");
			continue;
		}
		split(ops, &p);
		if (!strcmp(mn, "ecall"))
			w = rv_enc_ecall();
		else if (!strcmp(mn, "ebreak"))
			w = rv_enc_ebreak();
		else if (!strcmp(mn, "nop"))
			w = rv_enc_nop();
		else if (!strcmp(mn, "c.nop"))
			w = rv_enc_c_nop();
		else if (!strcmp(mn, "c.ebreak"))
			w = rv_enc_c_ebreak();
		else if (!strcmp(mn, "wfi") && p.n == 0)
			w = rv_enc_wfi();
		if (w < 0)
			w = enc_ldst_line(mn, &p);
		if (w < 0)
			w = enc_system_line(mn, &p);
		if (w < 0)
			printf("error\n");
		else if ((w & 3) != 3)
			printf("%04llx\n", (unsigned long long)w);
		else
			printf("%08llx\n", (unsigned long long)w);
	}
	return 0;
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* One word in the decoders' spaces: compressed quadrant 0 or 2, or a 32-bit LOAD,
 * LOAD-FP, STORE, STORE-FP, AMO or SYSTEM word, with funct3/funct5/funct7/rs2/rd drawn
 * so that the valid and the reserved neighbours both come up. */
static uint32_t rand_word(uint32_t *seed)
{
	static const uint8_t opcodes[] = {0x03, 0x07, 0x23, 0x27, 0x2F, 0x73, 0x73, 0x73};
	static const uint8_t priv_f7[] = {0x08, 0x09, 0x11, 0x31, 0x0B, 0x18, 0x00, 0x3D};
	uint32_t r = xorshift(seed), k = xorshift(seed);
	uint32_t w;

	if (k % 3 == 0)
		return (r & 0xFFFCu) | (k & 8 ? 2u : 0u);
	w = (r & ~0x7Fu) | opcodes[(k >> 2) % sizeof(opcodes)];
	if ((w & 0x7F) == 0x2F && k & 0x100)
		w = (w & ~0x7000u) | (k & 0x200 ? 0x2000u : 0x3000u); /* .w / .d */
	if ((w & 0x7F) == 0x73) {
		unsigned f3 = (w >> 12) & 7;
		if (k & 0x400 && f3 == 0)
			w = (w & 0x01FFFFFFu) | (uint32_t)priv_f7[(k >> 11) % 8] << 25;
		if (k & 0x400 && f3 == 4)
			w = (w & 0x01FFFFFFu) | (0x30u | ((k >> 11) & 7)) << 25;
		if (k & 0x4000)
			w &= ~0x00F00000u; /* rs2 0 or 1 .. 15 low */
		if (k & 0x8000)
			w &= ~0x00000F80u; /* rd 0 */
		if (k & 0x10000 && f3 == 0)
			w &= ~0x000F8000u; /* rs1 0 */
	}
	if ((k & 0x20000) && (w & 0x7F) == 0x2F)
		w &= ~0x01F00000u; /* rs2 0: LR */
	return w;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "dec"))
		return dec();
	if (argc == 2 && !strcmp(argv[1], "enc"))
		return enc();
	if (argc == 4 && !strcmp(argv[1], "rand")) {
		uint32_t seed = (uint32_t)strtoul(argv[2], NULL, 0) | 1u;
		long n = strtol(argv[3], NULL, 0);

		for (long i = 0; i < n; i++) {
			uint32_t w = rand_word(&seed);
			printf((w & 3) == 3 ? "%08x\n" : "%04x\n", w);
		}
		return 0;
	}
	fprintf(stderr, "usage: rvinsn_dump dec | enc | rand SEED N\n");
	return 2;
}
