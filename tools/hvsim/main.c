/* hvsim: the simulation host's command. Runs a scenario of VMs on pCPU threads
 * (scenarios/README.md), or with --demo the foundation demo. */
#include <getopt.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "hal-sim/sim.h"
#include "hal/cpu.h"
#include "tools/hvsim/hvsim.h"

static int usage(void)
{
	fprintf(stderr, "usage: hvsim SCENARIO [--pcpus N] [--trace] [--seed S] [--timeout SECONDS]\n"
			"                       [--ram SIZE] [--counter-hz HZ]\n"
			"                       [--console-ns-per-byte NS] [--console-queue BYTES]\n"
			"                       [--gdb PORT[:VM] [--gdb-wait]]\n"
			"       hvsim --demo [--pcpus N] [--rounds R] [--seed S]\n");
	return 2;
}

static bool parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || *s == '-' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* A size in bytes: a number with an optional K, M or G, whole 2 MiB, 4 MiB to 64 GiB. */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;

	if (!*s || *s == '-' || (shift && *++end) || *end || v > (64ull << 30) >> shift)
		return false;
	v <<= shift;
	if (v < (4ull << 20) || (v & ((2ull << 20) - 1)))
		return false;
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcpus", required_argument, NULL, 'p' },   { "rounds", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },    { "trace", no_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' }, { "demo", no_argument, NULL, 'd' },
		{ "ram", required_argument, NULL, 'R' },     { "help", no_argument, NULL, 'h' },
		{ "counter-hz", required_argument, NULL, 'c' },
		{ "console-ns-per-byte", required_argument, NULL, 'C' },
		{ "console-queue", required_argument, NULL, 'q' },
		{ "gdb", required_argument, NULL, 'g' },
		{ "gdb-wait", no_argument, NULL, 'w' },
		{ 0 },
	};
	struct hvsim_options o = { .seed = 1, .timeout_s = 60 };
	unsigned long v, rounds = 5;
	bool demo = false;
	int c;

	while ((c = getopt_long(argc, argv, "p:r:s:tT:R:dhc:C:q:g:w", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_uint(optarg, 1, HAL_MAX_PCPUS, &v))
				return usage();
			o.pcpus = (unsigned)v;
			break;
		case 'r':
			if (!parse_uint(optarg, 1, 1000, &rounds))
				return usage();
			break;
		case 's':
			if (!parse_uint(optarg, 0, ~0ul, &v))
				return usage();
			o.seed = v;
			break;
		case 'T':
			if (!parse_uint(optarg, 1, 3600, &v))
				return usage();
			o.timeout_s = (unsigned)v;
			break;
		case 'R':
			if (!parse_size(optarg, &o.ram))
				return usage();
			break;
		case 'c':
			if (!parse_uint(optarg, 1, HAL_SIM_MAX_COUNTER_HZ, &v))
				return usage();
			o.counter_hz = v;
			break;
		case 'C':
			if (!parse_uint(optarg, 0, 1000000000, &v))
				return usage();
			o.console_ns_per_byte = v;
			break;
		case 'q':
			if (!parse_uint(optarg, 512, 1u << 20, &v))
				return usage();
			o.console_queue = (unsigned)v;
			break;
		case 'g': {
			/* PORT, or PORT:VM (the VM's name; the first VM by default) */
			char *colon = strchr(optarg, ':');
			if (colon)
				*colon = 0;
			if (!parse_uint(optarg, 0, 65535, &v))
				return usage();
			o.gdb = true;
			o.gdb_port = (unsigned)v;
			o.gdb_vm = colon ? colon + 1 : NULL;
			break;
		}
		case 'w': o.gdb_wait = true; break;
		case 't': o.trace = true; break;
		case 'd': demo = true; break;
		default: return usage();
		}
	}
	if (demo)
		return optind == argc ? demo_main(o.pcpus ? o.pcpus : 4, (unsigned)rounds, o.seed) : usage();
	if (optind != argc - 1 || (o.gdb_wait && !o.gdb))
		return usage();
	o.scenario = argv[optind];
	return run_scenario(&o);
}
