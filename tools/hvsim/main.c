/* hvsim: the simulation host's command. Runs a scenario of VMs on pCPU threads
 * (scenarios/README.md), or with --demo the foundation demo. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "hal/cpu.h"
#include "tools/hvsim/hvsim.h"

static int usage(void)
{
	fprintf(stderr, "usage: hvsim SCENARIO [--pcpus N] [--trace] [--seed S] [--timeout SECONDS]\n"
			"                [--console-ns-per-byte NS] [--console-queue BYTES]\n"
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcpus", required_argument, NULL, 'p' },   { "rounds", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },    { "trace", no_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' }, { "demo", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "console-ns-per-byte", required_argument, NULL, 'c' },
		{ "console-queue", required_argument, NULL, 'q' },
		{ 0 },
	};
	struct hvsim_options o = { .seed = 1, .timeout_s = 60 };
	unsigned long v, rounds = 5;
	bool demo = false;
	int c;

	while ((c = getopt_long(argc, argv, "p:r:s:tT:dhc:q:", opts, NULL)) != -1) {
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
		case 'c':
			if (!parse_uint(optarg, 0, 1000000000, &v))
				return usage();
			o.console_ns_per_byte = v;
			break;
		case 'q':
			if (!parse_uint(optarg, 256, 1u << 20, &v))
				return usage();
			o.console_queue = (unsigned)v;
			break;
		case 't': o.trace = true; break;
		case 'd': demo = true; break;
		default: return usage();
		}
	}
	if (demo)
		return optind == argc ? demo_main(o.pcpus ? o.pcpus : 4, (unsigned)rounds, o.seed) : usage();
	if (optind != argc - 1)
		return usage();
	o.scenario = argv[optind];
	return run_scenario(&o);
}
