/* The generic exit record: what a vCPU exit means once the ISA's trap decoder has read
 * the architectural trap state (ESR_EL2 / scause / the VMX exit reason). arch/<isa>
 * fills it, core/ handles it by kind and writes the outcome back into it, and the ISA
 * code applies that outcome to the vCPU (register results, PC advance, faults). */
#ifndef ARCH_EXIT_H
#define ARCH_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/addr.h"

enum exit_kind {
	EXIT_NOTHING,      /* handled inside the ISA code (or spurious): just resume */
	EXIT_HYPERCALL,    /* not a standard firmware call: nr and args */
	EXIT_MMIO_READ,    /* a load from a guest-physical address with no RAM */
	EXIT_MMIO_WRITE,
	EXIT_SYSREG_READ,  /* a trapped system-register access */
	EXIT_SYSREG_WRITE,
	EXIT_EXT_IRQ,      /* a physical interrupt arrived while the guest ran */
	EXIT_STAGE2_FAULT, /* a fault that is not (yet) MMIO: lazy memory, or a bad access */
	EXIT_HALT,         /* WFI, CPU_SUSPEND: block until an interrupt */
	EXIT_YIELD,        /* WFE: let another runnable vCPU have the pCPU, else resume */
	EXIT_CPU_UP,       /* start a sibling vCPU (PSCI CPU_ON) */
	EXIT_CPU_DOWN,     /* this vCPU stops (PSCI CPU_OFF) */
	EXIT_CPU_STATE,    /* query a sibling's power state (PSCI AFFINITY_INFO) */
	EXIT_SYSTEM_DOWN,  /* the whole VM powers off */
	EXIT_SYSTEM_RESET,
	EXIT_IPI,          /* a guest IPI to deliver (vGIC SGIs) */
	EXIT_ENTRY_FAILED, /* the guest could not be entered at all */
	EXIT_KIND_COUNT
};

/* What core decided, for the ISA code to apply. */
enum exit_outcome {
	EXIT_RESUME,       /* complete the instruction (results, PC advance) and resume */
	EXIT_RETRY,        /* resume at the same instruction (e.g. a lazy page was mapped) */
	EXIT_INJECT_ABORT, /* inject an external abort for the access */
	EXIT_INJECT_UNDEF, /* inject an undefined-instruction exception */
};

struct exit_mmio {
	gpa_t addr;
	uint8_t width;     /* bytes: 1, 2, 4, 8 */
	uint8_t reg;       /* the register loaded or stored (ISA numbering) */
	bool sign_extend;
	bool reg64;        /* the register is 64 bits wide (else 32) */
	bool acq_rel;
	uint64_t value;    /* write: the value stored; read: filled by the device */
};

struct exit_sysreg {
	uint32_t id;       /* ISA encoding of the register */
	uint8_t reg;
	uint64_t value;    /* write: the value; read: filled by the handler */
};

struct vm_exit {
	enum exit_kind kind;
	enum exit_outcome outcome;
	/* MMIO exits, and a stage-2 fault whose access the hardware fully described
	 * (aarch64 ISV=1), so that core can treat it as MMIO when no RAM is there. */
	bool mmio_valid;
	struct exit_mmio mmio;
	union {
		struct {
			uint64_t nr;
			uint64_t args[6];
		} hcall;
		struct exit_sysreg sysreg;
		struct {
			uint16_t port;
			uint8_t width;
			uint32_t value;
		} port;
		struct {
			uint64_t hwid;  /* the target's ISA id (MPIDR affinity, hart id) */
			gpa_t entry;    /* CPU_UP: where it starts */
			uint64_t arg;   /* CPU_UP: its first argument (context id) */
		} cpu;
		struct {
			gpa_t gpa;
			unsigned access; /* PT_R, PT_W or PT_X */
			gva_t va;        /* the guest-virtual address, if known */
			/* The hardware reported no guest-physical address and could not
			 * translate va (the simulation host has no translation instruction):
			 * core finds gpa from va through the guest's first-stage tables
			 * (arch_vcpu_translate), and retries the access if they no longer
			 * map it. */
			bool gpa_unknown;
		} fault;
		unsigned irq;
	} u;
	int64_t ret; /* hypercall / CPU_UP / CPU_STATE result, in project error codes or
		      * (CPU_STATE) a state */
};

/* EXIT_CPU_STATE results. */
enum { CPU_STATE_ON = 0, CPU_STATE_OFF = 1, CPU_STATE_ON_PENDING = 2 };

#endif
