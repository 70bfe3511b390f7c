/* The generic exit record: what a vCPU exit means once the ISA's trap decoder has read
 * the architectural trap state (ESR_EL2 / scause / the VMX exit reason). arch/<isa>
 * fills it, core/ handles it by kind and writes the outcome back into it, and the ISA
 * code applies that outcome to the vCPU (register results, PC advance, faults). */
#ifndef ARCH_EXIT_H
#define ARCH_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/addr.h"
#include "hal/err.h"

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
	EXIT_DEBUG,        /* a breakpoint instruction or a completed single step, taken by
			    * Tandem while a debugger is attached */
	EXIT_CONSOLE,      /* the firmware's console (riscv: SBI DBCN, the legacy putchar):
			    * bytes from or to guest memory, or one byte */
	EXIT_KIND_COUNT
};

/* What core decided, for the ISA code to apply. */
enum exit_outcome {
	EXIT_RESUME,       /* complete the instruction (results, PC advance) and resume */
	EXIT_RETRY,        /* resume at the same instruction (e.g. a lazy page was mapped) */
	EXIT_INJECT_ABORT, /* inject an external abort for the access */
	EXIT_INJECT_UNDEF, /* inject an undefined-instruction exception */
	EXIT_REINJECT,     /* give the guest the exception it would have taken had Tandem
			    * not trapped it (a debug exception the debugger did not cause) */
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
			bool resume;    /* HALT: the vCPU resumes at entry with arg, not
					 * after the instruction (an SBI non-retentive
					 * suspend): core checks entry as for CPU_UP */
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
		struct {
			bool read;     /* console input into the guest (else output) */
			bool one;      /* the single byte below, not a buffer (a read's
					* byte is ret: -EAGAIN when none waits) */
			uint8_t byte;
			gpa_t buf;     /* the guest's buffer, guest-physical */
			uint64_t len;  /* its length in bytes */
		} console;
		struct {
			bool step;     /* a single step completed (else a breakpoint) */
			uint16_t imm;  /* the breakpoint instruction's immediate */
			gva_t pc;      /* where the vCPU stopped */
		} debug;
	} u;
	int64_t ret; /* hypercall / CPU_UP / CPU_STATE / IPI result, in project error codes
		      * or (CPU_STATE) a state; CONSOLE: the bytes done, or an error */
};

/* ---- Exits answered where they are taken ----------------------------------------------
 * Some exits need nothing of core: a firmware call whose answer the ISA code knows
 * (SMCCC_VERSION, PSCI_VERSION, a feature query), a load from a device register whose
 * read has no side effect and whose value its device keeps current in memory. The HAL
 * offers each exit to the ISA's early handler (arch_exit_early) right where it is
 * taken, before leaving the exception context, and enters the guest again at once if
 * it answered: no return through the run loop, no lock, no change of any state but
 * the vCPU's registers. Anything that needs looking at meanwhile (a kick, the slice
 * timer, a maintenance interrupt) is an interrupt, taken as an exit at that entry. */

/* A device register answered from memory: a load of width w (a bit 1 << log2(w) in
 * widths) at addr reads *value & the width's mask, without the device. The device
 * stores *value atomically whenever the register's value changes, with
 * MMIO_SHADOW_ASK set while a read would have a side effect (then the device is
 * asked). */
struct mmio_shadow {
	gpa_t addr;
	uint8_t widths;
	const uint64_t *value;
};
#define MMIO_SHADOW_ASK (1ull << 63)
#define MMIO_MAX_SHADOWS 16

/* A VM's part: its shadowed registers in an open-addressed table of twice as many
 * slots, found from exit_early_slot(addr) on to the first empty slot (value NULL), so
 * that a lookup takes a probe or two whatever the number of registers. A slot keeps
 * the address and the widths in one word (key: addr << 4 | widths). */
#define EXIT_EARLY_SLOTS (2 * MMIO_MAX_SHADOWS)
struct exit_early_slot {
	uint64_t key;
	const uint64_t *value;
};
struct exit_early {
	unsigned nshadows;
	struct exit_early_slot slot[EXIT_EARLY_SLOTS];
};

/* Registers are words apart: the word index spreads a device's registers over the
 * slots. */
static inline unsigned exit_early_slot(uint64_t addr)
{
	return (unsigned)(addr >> 2) % EXIT_EARLY_SLOTS;
}

/* The slot of the register at addr, or NULL: from its home slot on to the first
 * empty one (an empty home slot means none, even for address 0, whose key an empty
 * slot's would match). */
static inline const struct exit_early_slot *exit_early_find(const struct exit_early *t,
							    uint64_t addr)
{
	unsigned k = exit_early_slot(addr);

	for (unsigned i = 0; i < EXIT_EARLY_SLOTS && t->slot[k].value; i++) {
		if (t->slot[k].key >> 4 == addr)
			return &t->slot[k];
		k = (k + 1) % EXIT_EARLY_SLOTS;
	}
	return NULL;
}

/* Add s (addr guest-physical, below 2^60): -EEXIST if addr has one, -ENOSPC when
 * full. */
static inline int exit_early_add(struct exit_early *t, const struct mmio_shadow *s)
{
	uint64_t addr = gpa_bits(s->addr);

	if (exit_early_find(t, addr))
		return -EEXIST;
	if (t->nshadows >= MMIO_MAX_SHADOWS)
		return -ENOSPC;
	unsigned k = exit_early_slot(addr);
	while (t->slot[k].value)
		k = (k + 1) % EXIT_EARLY_SLOTS;
	t->slot[k] = (struct exit_early_slot){ addr << 4 | (s->widths & 0xFu), s->value };
	t->nshadows++;
	return 0;
}

/* EXIT_CPU_STATE results. */
enum { CPU_STATE_ON = 0, CPU_STATE_OFF = 1, CPU_STATE_ON_PENDING = 2 };

#endif
