/* hvsim's parts: the scenario runner and the foundation demo. */
#ifndef TOOLS_HVSIM_H
#define TOOLS_HVSIM_H

#include <stdbool.h>
#include <stdint.h>

struct hvsim_options {
	const char *scenario;
	unsigned pcpus; /* 0: from the scenario, else 2 */
	uint64_t counter_hz; /* 0: from the scenario, else 1 GHz */
	bool trace;
	uint64_t seed;
	unsigned timeout_s;
	uint64_t ram; /* bytes of RAM; 0: enough for the scenario */
	uint64_t console_ns_per_byte; /* 0: the console as fast as stdout */
	unsigned console_queue;       /* bytes of the console's queue; 0: the default */
	/* A gdb stub for one VM (gdb_vm by name, else the first) on 127.0.0.1:gdb_port
	 * (0: any free port; the port is printed). */
	bool gdb;
	unsigned gdb_port;
	const char *gdb_vm;
	bool gdb_wait; /* the VM starts stopped: it runs once a client says so */
};

/* Run a scenario: 0 if every expectation held and every program finished, 1 if not,
 * 2 if the scenario could not be read or a VM of it cannot be created (a refused
 * configuration: "file:line: vm NAME: why" on stderr). */
int run_scenario(const struct hvsim_options *o);

/* With --trace: each exit's instruction word followed by its disassembly (capstone). */
void hvsim_disasm_install(void);

int demo_main(unsigned pcpus, unsigned rounds, uint64_t seed);

#endif
