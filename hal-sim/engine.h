/* The guest engine: plays an aarch64 guest in the simulation host. A guest is a program
 * of actions, each at its own address (4 bytes apart from where the program is entered)
 * as the real A64 instruction it stands for: a load or store, MSR/MRS, HVC, SMC, WFI,
 * WFE, MSR DAIFSet/DAIFClr #2; WFI for END and WAIT_IRQ, NOP for actions that are no one
 * instruction. When the instruction traps, the engine builds the exact trap state the
 * hardware would report for that word (ESR_EL2, FAR_EL2, HPFAR_EL2).
 *
 * The words are in guest memory: when a program is entered afresh, the engine's loader
 * writes them there (the final WFI of a program without END too), and each step fetches
 * the word at the PC, writing the action's word first where another is (a page mapped
 * after the entry). A BRK found there, a debugger's, is executed instead of the action
 * (EC 0x3C, its imm16, the preferred return address the BRK itself): trapped to EL2 with
 * MDCR_EL2.TDE, the PC left on it; else taken by the guest at EL1, whose handler returns
 * past it. Neither the loader nor a fetch ever writes over a BRK.
 *
 * Guest memory accesses walk the VM's real stage-2 tables (VTTBR_EL2/VTCR_EL2 from the
 * vCPU context): a permitted access reads or writes guest memory with no exit; any other
 * is a stage-2 data abort. Exceptions Tandem injects, and virtual interrupts (from the
 * list registers, with PSTATE.I clear), are taken at the guest's VBAR_EL1 offsets; while
 * ICH_HCR_EL2.En is clear the virtual CPU interface signals nothing (no virtual IRQ, no
 * maintenance interrupt, no WFI woken). System registers trap as HCR_EL2 and MDCR_EL2 in
 * the vCPU's context say; PMU and debug registers that do not trap are the pCPU's own
 * (debugregs.c). The guest runs with its MMU off (VA == IPA). Where the architecture
 * leaves HPFAR_EL2 UNKNOWN (a stage-2 permission fault, every exception other than a
 * stage-2 abort) the engine reports garbage, as hardware may.
 *
 * Software step (Arm ARM D2.12) is modelled with debug exceptions routed to EL2:
 * MDSCR_EL1.SS and MDCR_EL2.TDE set. PSTATE.SS clear on entry (active-pending): the step
 * exception (EC 0x32, ISV, EX 0) at once, before anything else. PSTATE.SS set: one step
 * of the engine runs (an action, one round of a spin or a wait loop, one exception
 * handler or interrupt handler, each handler standing for a whole routine), then, SS
 * cleared, the step exception with the PC where the next step begins; a synchronous
 * exception the guest takes at EL1 clears PSTATE.SS as it enters, so that step ends at
 * the vector and the handler is the next one. A step that traps to EL2 takes no step
 * exception: an HVC (complete as it traps) clears SPSR_EL2.SS, every other trap leaves it
 * set, for the hypervisor that completes the instruction to clear. The guest's own
 * stepping (TDE clear, to EL1) is not modelled. */
#ifndef HAL_SIM_ENGINE_H
#define HAL_SIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/aarch64/a64.h"
#include "hal/addr.h"

#define ENGINE_MAX_VMS 64
#define ENGINE_MAX_VCPUS 16
#define ENGINE_MSG_MAX 160

enum act_kind {
	ACT_LOAD,         /* ldst (rt = destination), addr */
	ACT_STORE,        /* ldst (rt = source, loaded with value first), addr, value */
	ACT_HVC,          /* imm, args[0..3] into X0-X3 */
	ACT_SMC,
	ACT_WFI,
	ACT_WFE,
	ACT_MSR,          /* sys, value into sys.rt first */
	ACT_MRS,          /* sys */
	ACT_SET_REG,      /* reg = value (X register) */
	ACT_EXPECT_REG,   /* reg == value, else the scenario fails */
	ACT_EXPECT_ABORT, /* the previous action took a data or instruction abort */
	ACT_EXPECT_UNDEF, /* the previous action took an undefined-instruction exception */
	ACT_EXPECT_IRQ,   /* value = the line of the last interrupt taken */
	ACT_WAIT_IRQ,     /* unmask IRQs and WFI until an interrupt has been taken */
	ACT_SPIN,         /* value = steps of running without trapping */
	ACT_MASK_IRQ,     /* MSR DAIFSet, #2 */
	ACT_UNMASK_IRQ,   /* MSR DAIFClr, #2 */
	ACT_VTIMER,       /* value = ticks: CVAL = CNTVCT + value, CTL = ENABLE (X1 = CVAL) */
	ACT_WAIT64,       /* ldst (an LDR), addr, value, ignore: load until Xt/Wt equals
			   * value in every bit not set in ignore (wait64: ignore 0; print.wait:
			   * UARTFR until TXFF is clear); with wfe: a WFE between two loads */
	ACT_END,
	/* Past ACT_END, so that fuzz_guest_program's record kinds (0 .. ACT_END) keep
	 * their meaning: */
	ACT_EXPECT_EXITS, /* value = the most exits the program may have caused so far */
	/* riscv64 only (hal-sim/rv_engine.c), with the instruction in rv; ACT_LOAD,
	 * ACT_STORE, ACT_WAIT64 take their operands from rv too, ACT_VTIMER is "timer"
	 * (vstimecmp with Sstc, else SBI set_timer), ACT_EXPECT_IRQ compares rv.cause and,
	 * for an external interrupt, value = the PLIC source: */
	ACT_RV_AMO,          /* rv.amo: AMOSWAP, AMOADD, LR, SC; addr, value into rs2 */
	ACT_RV_ECALL,        /* args[0..5] into a0-a5, args[6] into a6 (FID), args[7] a7 (EID) */
	ACT_RV_CSR,          /* rv.csr: CSRRS rd, csr, x0 (rv.write: CSRRW x0, csr, rs1 = value) */
	ACT_RV_SFENCE,       /* SFENCE.VMA rs1, rs2: addr (rv.rs1 != 0), ASID value (rv.rs2 != 0) */
	ACT_RV_EXPECT_FAULT, /* value = the exception cause the guest's handler took last */
};

/* riscv64: the RV64 instruction an action stands for (RISC-V unprivileged spec, "RV32I/
 * RV64I", "A", "C"; privileged spec for SFENCE.VMA, WFI, the Zicsr accesses). */
enum rv_amo_op { RV_AMO_SWAP, RV_AMO_ADD, RV_AMO_LR, RV_AMO_SC };

struct rv_op {
	uint8_t rd;         /* loads, AMOs, csrr: the destination */
	uint8_t rs1;        /* the base register (holds addr), CSR write source */
	uint8_t rs2;        /* stores, AMOs, SC: the source (holds value) */
	uint8_t size;       /* log2 of the access size: 0 .. 3 */
	bool sign;          /* loads: LB/LH/LW (sign-extend) rather than LBU/LHU/LWU */
	bool compressed;    /* C.LW/C.LD/C.SW/C.SD, then a C.NOP in the slot's upper half */
	bool write;         /* ACT_RV_CSR: CSRRW x0, csr, rs1 rather than CSRRS rd, csr, x0 */
	uint8_t amo;        /* enum rv_amo_op */
	uint8_t cause;      /* ACT_EXPECT_IRQ: the S-level interrupt, 1 soft, 5 timer, 9 ext */
	uint16_t csr;       /* ACT_RV_CSR: the CSR number */
};

struct action {
	enum act_kind kind;
	unsigned line; /* where it came from, for messages */
	struct a64_ldst ldst;
	struct a64_sysreg sys;
	uint16_t imm;
	unsigned reg;
	uint64_t addr;
	uint64_t value;
	uint64_t ignore; /* ACT_WAIT64: bits the comparison leaves out */
	uint64_t args[8];
	bool wfe;       /* ACT_WAIT64: wait in a WFE between two loads */
	struct rv_op rv; /* riscv64 */
};

struct engine_program {
	const struct action *acts;
	unsigned n;
};

/* Install the engine as the simulation host's guest (hal_sim_set_guest) and forget every
 * program and result. */
void engine_install(void);

/* The program vCPU index of the VM with VMID vmid runs (the caller keeps acts alive).
 * -EINVAL for ids out of range. */
int engine_load(unsigned vmid, unsigned vcpu, const struct engine_program *prog);

/* What happened to a vCPU's program. */
struct engine_result {
	bool started;
	bool finished;          /* ran past its last action */
	unsigned failures;
	char first_failure[ENGINE_MSG_MAX]; /* "line N: ..." */
	uint64_t steps, traps, irqs_taken, exceptions_taken;
	uint64_t wait_loops; /* times a waiting action loaded and had to load again */
};

/* The whole result; only consistent once the vCPU no longer runs (its VM stopped or
 * the pCPUs joined). -EINVAL for ids out of range. */
int engine_result(unsigned vmid, unsigned vcpu, struct engine_result *out);

/* Whether the vCPU's program ran past its last action: safe to ask from any pCPU
 * while the vCPU runs. */
bool engine_finished(unsigned vmid, unsigned vcpu);

/* The stage-2 walk the engine's "hardware" does, exposed for tests: translate ipa for
 * an access (PT_R/PT_W/PT_X) through the tables of vttbr/vtcr. 0 and *pa, or the fault
 * status code (translation 0x04-0x07, access flag 0x08-0x0B, permission 0x0C-0x0F)
 * as a positive number. */
int engine_s2_walk(uint64_t vttbr, uint64_t vtcr, gpa_t ipa, unsigned access, paddr_t *pa);

/* The engine's PMU and debug registers (debugregs.c). The MDCR_EL2 controls that trap
 * an access to s (any one of them suffices), 0 if s is no PMU or debug register of the
 * engine's PE; and whether an MDCR_EL2 value traps it. */
uint64_t engine_mdcr_traps(const struct a64_sysreg *s);
bool engine_mdcr_trapped(uint64_t mdcr_el2, const struct a64_sysreg *s);

/* An access that was not trapped: to pCPU pcpu's physical register s, shared by every
 * vCPU that runs there. A read returns what was last written (0 at first); a write
 * returns value. engine_install resets every bank. */
uint64_t engine_phys_reg(unsigned pcpu, const struct a64_sysreg *s, bool read, uint64_t value);
void engine_phys_regs_reset(void);

#endif
