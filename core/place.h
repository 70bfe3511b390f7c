/* Static partitioning runs one vCPU per pCPU (core/sched.h): where each vCPU of a whole
 * configuration runs is decided once, before any of its VMs is created, by the same
 * code on every host (hvsim, the bare-metal image at start-up, and scn2c at build time
 * on the build machine, so this file uses nothing but core/fmt.c). A configuration
 * that cannot give every vCPU a pCPU of its own is refused with a sentence that names
 * the vCPU, never run with two vCPUs on one pCPU, where the first one that does not
 * block would starve the other. */
#ifndef CORE_PLACE_H
#define CORE_PLACE_H

#include <stdint.h>

#include "core/vm.h"

#define PLACE_MAX_VMS 8
#define PLACE_MAX_PCPUS 64
#define PLACE_MSG_MAX 160

struct placement {
	unsigned nvms;
	const char *name[PLACE_MAX_VMS];
	unsigned nvcpus[PLACE_MAX_VMS];
	/* In: each vCPU's affinity as configured (a pCPU mask; 0: any pCPU). Out: the one
	 * pCPU it runs on, as a mask of one bit. */
	uint64_t affinity[PLACE_MAX_VMS][VM_MAX_VCPUS];
	/* Out, when refused: the vCPU that found no pCPU, and why. */
	unsigned vm, vcpu;
	char msg[PLACE_MSG_MAX];
};

/* Give every vCPU a pCPU of its own among pcpus (1-PLACE_MAX_PCPUS), within its affinity: vCPUs
 * pinned to one pCPU keep it, the others take the lowest pCPUs left (so that default
 * affinities spread over the machine), and a placement is found whenever one exists.
 * 0; -ENOSPC if there are more vCPUs than pCPUs; -EBUSY if two vCPUs are pinned to
 * one pCPU or a vCPU's affinity leaves it none; -EINVAL if a vCPU's affinity names
 * no pCPU of the machine, or for a malformed request. On error p->vm, p->vcpu and
 * p->msg say which vCPU and why, and the affinities are as they came in. */
int place_static(struct placement *p, unsigned pcpus);

#endif
