/* Scenarios: the text format hvsim runs (documented in scenarios/README.md). The VM
 * part (VMs, memory, vCPUs and their pCPUs, devices, scheduling) is Tandem's one VM
 * configuration format; the programs are the simulation host's guests. Parsing never
 * crashes: a malformed file gets "file:line: message". */
#ifndef TOOLS_SCENARIO_H
#define TOOLS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/guest_dtb.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal-sim/engine.h"

#define SCN_MAX_VMS 8
#define SCN_MAX_ACTIONS 4096
#define SCN_ERR_MAX 256
#define SCN_PATH_MAX 256

/* The ISA a VM's vCPUs are (its "isa" statement; aarch64 when not said). The programs are
 * parsed for it; a host runs only the VMs of the ISA it was built for. */
enum scn_isa { SCN_ISA_AARCH64, SCN_ISA_RISCV64 };

struct scn_vm {
	char name[VM_NAME_MAX];
	enum scn_isa isa;
	unsigned line;                 /* of "vm NAME {", for messages about the VM */
	unsigned mem_line[VM_MAX_MEM]; /* of each memory statement */
	struct vm_config cfg; /* devices are filled in by whoever instantiates them */
	bool has_pl011;
	uint64_t pl011_base;
	unsigned pl011_irq; /* the interrupt line the UART raises */
	bool has_ns16550;   /* riscv64: an NS16550A, its base and PLIC source */
	uint64_t ns16550_base;
	unsigned ns16550_irq;
	/* The guest binary of hosts that run real guests (hvsim runs the programs): the
	 * path as written (relative paths are the scenario file's directory's), and the
	 * guest-physical address it goes to, inside one of the VM's memory regions. */
	bool has_image;
	char image_path[SCN_PATH_MAX];
	uint64_t image_addr;
	/* Or a kernel booted by the arm64 boot protocol (core/boot.h), with an initrd and a
	 * device tree (a file, or else the one Tandem writes, with bootargs, the PSCI
	 * conduit and seeds), paths as for image; "" where not given. The number of
	 * SYSTEM_RESETs that reboot it is in cfg.reboots (default VM_REBOOT_ALWAYS). */
	char kernel_path[SCN_PATH_MAX], initrd_path[SCN_PATH_MAX], dtb_path[SCN_PATH_MAX];
	bool has_bootargs;
	char bootargs[GUEST_DTB_ARGS_MAX];
	bool psci_smc;
	bool has_kaslr_seed, has_rng_seed;
	uint64_t kaslr_seed, rng_seed;
	/* "devicetree ADDR": Tandem's tree at ADDR for a VM without a kernel. */
	bool has_devicetree;
	uint64_t devicetree_addr;
	struct engine_program programs[VM_MAX_VCPUS];
	struct action *acts[VM_MAX_VCPUS]; /* owned */
	/* Where it was said, for messages about the whole configuration (0: not said):
	 * its vcpus statement, each vCPU's affinity statement (the vm statement: line). */
	unsigned vcpus_line, affinity_line[VM_MAX_VCPUS];
};

struct scenario {
	enum sched_mode mode;
	uint64_t slice_ns;
	unsigned pcpus; /* 0: not given */
	uint64_t counter_hz; /* the simulation host's system counter; 0: not given (1 GHz) */
	unsigned nvms;
	struct scn_vm vms[SCN_MAX_VMS];
};

/* Parse text (len bytes, need not be NUL-terminated) named file (for messages). 0, or
 * -EINVAL with "file:line: message" in err. The scenario must be freed either way. */
int scn_parse(const char *file, const char *text, size_t len, struct scenario *out,
	      char err[SCN_ERR_MAX]);

/* Read and parse a file: also -EIO (with a message) if it cannot be read. */
int scn_load(const char *path, struct scenario *out, char err[SCN_ERR_MAX]);

/* Static mode runs one vCPU per pCPU: give each vCPU of every VM a pCPU of its own
 * among pcpus (core/place.h) and make it the vCPU's affinity. 0, and nothing changed
 * in a time-shared scenario; or place_static's error with "file:line: message" in err,
 * the line being what placed the refused vCPU: its affinity statement, else its VM's
 * vcpus statement, else its vm statement; the scenario is then left as it was. */
int scn_place(struct scenario *s, const char *file, unsigned pcpus, char err[SCN_ERR_MAX]);

/* The same check without changing the scenario (scn2c: the image places its vCPUs
 * itself, on the machine it boots on). */
int scn_check_placement(const struct scenario *s, const char *file, unsigned pcpus,
			char err[SCN_ERR_MAX]);

void scn_free(struct scenario *s);

#endif
