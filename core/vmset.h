/* A set of VMs built from their specifications: the part of Tandem's VM configuration
 * format (scenarios/README.md) that both hosts instantiate. hvsim converts a parsed
 * scenario into specs; the bare-metal image gets them compiled in by tools/scn2c. A
 * set creates each VM, gives it its emulated PL011 (its interrupt wired to vCPU 0),
 * copies its guest image into guest memory, starts them together and gives everything
 * back when they are destroyed. */
#ifndef CORE_VMSET_H
#define CORE_VMSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pl011.h"
#include "core/sched.h"
#include "core/vm.h"

#define VMSET_MAX 8

struct vm_spec {
	struct vm_config cfg; /* ndevices 0: the set adds the PL011 */
	bool has_pl011;
	gpa_t pl011_base;
	unsigned pl011_irq;    /* the line the UART raises on vCPU 0 */
	const uint8_t *image;  /* NULL: no guest image to load */
	size_t image_size;
	gpa_t image_addr;      /* inside one of the VM's memory regions */
};

/* Everything a host needs to run a configuration: how to schedule and which VMs. */
struct vm_plan {
	enum sched_mode mode;
	uint64_t slice_ns; /* 0: the scheduler's default */
	unsigned pcpus;    /* pCPUs the configuration was written for; 0: any */
	unsigned nvms;
	const struct vm_spec *vms;
};

struct vmset_uart {
	struct pl011 uart;
	struct vm *vm;
	unsigned line;
	bool level;
};

struct vmset {
	unsigned n;
	struct vm *vms[VMSET_MAX];
	struct vmset_uart uarts[VMSET_MAX];
};

/* Empty the set, for vmset_add. */
void vmset_init(struct vmset *s);

/* Create the VM of spec, load its image and add it to the set. 0, or an error with
 * nothing added and *why (may be NULL) saying why: -EINVAL (a full set, an image that
 * does not fit the VM's memory), or vm_create_reason's errors. */
int vmset_add(struct vmset *s, const struct vm_spec *spec, struct vm_refusal *why);

/* Create every VM of specs[0..n) (vmset_add in order). 0, or the first error with the
 * VMs made so far destroyed again; *failed is the index of the spec that failed and
 * *why says why (either may be NULL). */
int vmset_build(struct vmset *s, const struct vm_spec *specs, unsigned n, unsigned *failed,
		struct vm_refusal *why);

/* Start every VM (vCPU 0 of each becomes runnable). */
void vmset_start(struct vmset *s);

/* True once every VM of the set has stopped. */
bool vmset_all_stopped(const struct vmset *s);

/* A byte of console input for the first VM with a PL011; -ENODEV if none has one, or
 * pl011_receive's result. */
int vmset_console_input(struct vmset *s, uint8_t byte);

/* Stop every VM and kick the pCPUs that run its vCPUs. */
void vmset_stop(struct vmset *s, enum vm_stop_reason reason);

/* Write out everything the VMs' UARTs hold, partial lines too, waiting for the
 * console: once the VMs have stopped, before a host prints its verdict. */
void vmset_flush(struct vmset *s);

/* Write out partial UART lines, take the UARTs off the console, and destroy every VM. -EBUSY (nothing destroyed for
 * that VM) while one still has a vCPU on a pCPU; call again once the pCPUs are idle. */
int vmset_destroy(struct vmset *s);

#endif
