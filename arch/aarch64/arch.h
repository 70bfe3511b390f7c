/* arch/aarch64's public interface: what core/ calls to run an aarch64 vCPU. core/
 * reaches the ISA only through this header (DESIGN rule 3). */
#ifndef ARCH_AARCH64_ARCH_H
#define ARCH_AARCH64_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/aarch64/ctx.h"
#include "arch/aarch64/s1walk.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/vgic.h"
#include "arch/exit.h"
#include "arch/pt_format.h"
#include "hal/err.h"
#include "hal/guest.h"

/* The self-hosted debug registers as the vCPU's guest sees them (debug.c): MDCR_EL2
 * traps every access, and they never reach the hardware. The architecture allows 16
 * breakpoints and 16 watchpoints; how many a guest uses is its ID_AA64DFR0_EL1's say. */
#define ARCH_DBG_BRPS 16
#define ARCH_DBG_WRPS 16
struct arch_debug {
	uint64_t bvr[ARCH_DBG_BRPS], wvr[ARCH_DBG_WRPS];
	uint32_t bcr[ARCH_DBG_BRPS], wcr[ARCH_DBG_WRPS];
	uint32_t mdccint, osdlr, dbgprcr;
	uint8_t claim; /* claim tags */
	bool oslk;     /* the OS lock: locked at reset */
	bool attached; /* a debugger is: mdscr is the guest's MDSCR_EL1, the hardware's
			* steps for the debugger only (gdb.c) */
	bool step;     /* the debugger single-steps the vCPU */
	uint64_t mdscr;
};

/* The EL1 physical timer's registers (timer.c): CNTP_CTL_EL0's ENABLE and IMASK, and
 * CNTP_CVAL_EL0. */
struct arch_ptimer {
	uint64_t ctl, cval;
};

/* Per-vCPU arch state: the saved context and what the last exit needs to finish. */
struct arch_vcpu {
	struct guest_ctx ctx;
	struct arch_debug dbg;
	struct arch_ptimer ptimer;
	struct guest_exit trap; /* the raw state of the last exit */
	unsigned index;
	uint32_t psci_fid; /* the PSCI/SMCCC function of the last exit, or 0 */
	bool pc_advance;   /* complete by stepping over the trapping instruction */
};

/* Per-VM arch state: the virtual interrupt controller. */
struct arch_vm {
	struct vgic vgic;
};

/* ---- The VM's interrupt controller (aarch64: the vGICv3) ---------------------------
 * core serialises every call on one VM with the VM's interrupt lock. A call that can
 * make an interrupt deliverable sets a bit per vCPU in *kick: core wakes that vCPU or
 * makes it exit so that it sees the interrupt. Interrupt numbers are GIC INTIDs. */

/* Reset for nvcpus vCPUs. -EINVAL for a bad count. */
static inline int arch_vm_init(struct arch_vm *a, unsigned nvcpus)
{
	return vgic_init(&a->vgic, nvcpus);
}

/* The interrupt controller's MMIO windows, numbered 0 .. ARCH_IRQCHIP_WINDOWS - 1. */
#define ARCH_IRQCHIP_WINDOWS 2
static inline void arch_irqchip_window(const struct arch_vm *a, unsigned i, gpa_t *base,
				       uint64_t *size)
{
	*base = gpa_make(i == 0 ? VGIC_DIST_BASE : VGIC_REDIST_BASE);
	*size = i == 0 ? VGIC_DIST_SIZE : vgic_redist_size(&a->vgic);
}

/* Window i's registers answered from memory by the early exit handler (its constant
 * ones), at offsets from the window's base: up to max into out, their count. */
static inline unsigned arch_irqchip_shadows(const struct arch_vm *a, unsigned i,
					    struct mmio_shadow *out, unsigned max)
{
	(void)a;
	return i == 0 ? vgic_dist_shadows(out, max) : 0;
}

static inline int arch_irqchip_read(struct arch_vm *a, unsigned i, uint64_t off, unsigned width,
				    uint64_t *value)
{
	return i == 0 ? vgic_dist_read(&a->vgic, off, width, value)
		      : vgic_redist_read(&a->vgic, off, width, value);
}

static inline int arch_irqchip_write(struct arch_vm *a, unsigned i, uint64_t off, unsigned width,
				     uint64_t value, uint64_t *kick)
{
	return i == 0 ? vgic_dist_write(&a->vgic, off, width, value, kick)
		      : vgic_redist_write(&a->vgic, off, width, value, kick);
}

/* An edge on irq (private ones of vCPU vcpu; shared ones go where the guest routed
 * them), and the level of a level-sensitive line. -EINVAL for a bad number. */
static inline int arch_irq_inject(struct arch_vm *a, unsigned vcpu, unsigned irq, uint64_t *kick)
{
	return vgic_inject(&a->vgic, vcpu, irq, kick);
}

static inline int arch_irq_set_level(struct arch_vm *a, unsigned vcpu, unsigned irq, bool level,
				     uint64_t *kick)
{
	return vgic_set_level(&a->vgic, vcpu, irq, level, kick);
}

/* A guest IPI (EXIT_IPI: the ICC_SGI1R_EL1 value it wrote) from vCPU from. */
static inline int arch_irq_send_ipi(struct arch_vm *a, unsigned from, uint64_t value,
				    uint64_t *kick)
{
	return vgic_send_sgi(&a->vgic, from, value, kick);
}

/* A physical interrupt forwarded to the vCPU that ran when it arrived (hal_irq_forward),
 * and the vCPU leaving its pCPU with such interrupts still linked. */
static inline int arch_irq_forward(struct arch_vm *a, unsigned vcpu, unsigned irq, uint64_t *kick)
{
	return vgic_forward(&a->vgic, vcpu, irq, kick);
}

static inline void arch_irq_put(struct arch_vm *a, unsigned vcpu)
{
	vgic_put(&a->vgic, vcpu);
}

/* Whether the vCPU's interrupt state needs neither arch_irq_sync nor arch_irq_flush
 * between two of its exits (vgic_quiet). Without the VM's interrupt lock, by the
 * vCPU's own pCPU. */
static inline bool arch_irq_quiet(const struct arch_vm *a, unsigned vcpu)
{
	return vgic_quiet(&a->vgic, vcpu);
}

/* Whether the vCPU's list registers hold interrupts the interrupt controller's
 * registers would not show until arch_irq_sync (vgic_lrs_in_use). By its own pCPU. */
static inline bool arch_irq_held(const struct arch_vm *a, unsigned vcpu)
{
	return vgic_lrs_in_use(&a->vgic, vcpu);
}

/* Whether vCPU vcpu has an interrupt that ends a WFI. */
static inline bool arch_irq_pending(const struct arch_vm *a, unsigned vcpu)
{
	return vgic_has_pending(&a->vgic, vcpu);
}

/* Hand the vCPU its interrupts before an entry, and take them back after the exit.
 * Both report in *kick the other vCPUs that must now look at an interrupt (one this
 * vCPU held that was rerouted to them meanwhile). */
static inline void arch_irq_flush(struct arch_vm *a, struct arch_vcpu *v, uint64_t *kick)
{
	vgic_flush(&a->vgic, v->index, &v->ctx, kick);
	if (v->dbg.step) /* a stepped vCPU takes no interrupt: the interface stays off */
		v->ctx.ich_hcr &= ~(uint64_t)ICH_HCR_EN;
	hal_guest_irq_load(&v->ctx);
}

static inline void arch_irq_sync(struct arch_vm *a, struct arch_vcpu *v, uint64_t *kick)
{
	hal_guest_irq_save(&v->ctx);
	vgic_sync(&a->vgic, v->index, &v->ctx, kick);
}

/* The vCPU's virtual timer (the generic timer's EL1 virtual timer, CNTV_*), a
 * level-sensitive private interrupt. */
#define ARCH_VTIMER_IRQ VGIC_PPI_VTIMER
/* The device tree a guest gets describes QEMU's Arm virt board (core/guest_dtb.h). */
#define ARCH_DT_RISCV 0
#define ARCH_NAME "aarch64"
#define ARCH_INSN_ALIGN 4 /* A64: every instruction a 4-byte-aligned word */
#define ARCH_DT_IRQ_SOURCES VGIC_NR_IRQS
#define ARCH_DT_SSTC false
/* The architected timer's PPIs as a device tree lists them (arm,armv8-timer: secure
 * physical, non-secure physical, virtual, hypervisor; INTID - 16), as on QEMU virt. */
#define ARCH_DT_TIMER_PPIS { 13, 14, 11, 10 }

/* The interrupt controller's maintenance interrupt (the list registers drained while
 * more interrupts wait): its only job is to make the guest exit, so that the next
 * entry refills them. */
#define ARCH_IRQCHIP_MAINTENANCE_IRQ VGIC_PPI_MAINTENANCE

/* The virtual timer's interrupt is a physical one (its PPI) that comes to EL2 while the
 * vCPU is loaded and is forwarded to it (vtimer_forwarded_irq). */
#define ARCH_VTIMER_FORWARDED 1

/* Its output as the saved registers leave it, with the system counter at now: true if
 * asserted (enabled, unmasked, CVAL reached). Otherwise *deadline is the
 * system-counter value at which it will be (enabled and unmasked; UINT64_MAX if that
 * is past the counter's range), or 0 (never). */
bool arch_vtimer(struct arch_vcpu *v, uint64_t now, uint64_t *deadline);

/* Whether the virtual timer needs looking at although no interrupt came: the guest
 * wrote its registers since arch_vtimer last looked, on a host whose guest engine runs
 * no live timer (guest_ctx.vtimer_written). Always false on hardware, where the timer
 * interrupts by itself (forwarded to the vCPU) when its condition comes true. */
static inline bool arch_vtimer_changed(const struct arch_vcpu *v)
{
	return v->ctx.vtimer_written;
}

/* The EL1 physical timer (CNTP_*), which traps: emulated on the vCPU's state with its
 * own level-sensitive private interrupt, as KVM does. */
#define ARCH_PTIMER_IRQ VGIC_PPI_PTIMER

/* A trapped access to it, the physical count at now: 0, or -ENOENT if s is not one of
 * its registers. After a write the caller looks at arch_ptimer again. */
int arch_ptimer_access(struct arch_vcpu *v, struct exit_sysreg *s, bool read, uint64_t now);

/* Its output as arch_vtimer's, against the physical count. */
bool arch_ptimer(const struct arch_vcpu *v, uint64_t now, uint64_t *deadline);

/* Whether the ISS encoding id names a feature ID register (op0 3, op1 0, CRn 0, CRm
 * 1-7, idregs.c), with its CRm and op2; and the value a guest reads there: the pCPU's
 * with what Tandem does not virtualise hidden. */
bool arch_id_reg(uint32_t id, unsigned *crm, unsigned *op2);
uint64_t arch_id_reg_value(unsigned crm, unsigned op2);

/* The stage-2 format and VTCR_EL2 for this machine's physical-address size. */
int arch_vm_s2_setup(struct pt_format *fmt, uint64_t *vtcr);

/* Reset v as vCPU number index of a VM: registers zero, EL1h with DAIF masked, the
 * MPIDR and HCR_EL2 a guest of Tandem runs with. */
void arch_vcpu_init(struct arch_vcpu *v, unsigned index);

/* The MPIDR affinity vCPU index reports (Aff0 = index % 16, Aff1 = index / 16). */
uint64_t arch_vcpu_hwid(unsigned index);

/* Where the vCPU starts and its first argument (X0): boot entry or PSCI CPU_ON. */
void arch_vcpu_set_entry(struct arch_vcpu *v, gpa_t entry, uint64_t arg);

/* Whether the vCPU's WFE traps (HCR_EL2.TWE) from its next entry. Without the trap a
 * WFE is the guest's own and waits in the hardware for an event; with it, a WFE that
 * would wait exits (EXIT_YIELD). */
void arch_vcpu_trap_wfe(struct arch_vcpu *v, bool trap);

/* The stage-2 table the vCPU translates through: VTTBR_EL2 (root, VMID) and VTCR_EL2. */
void arch_vcpu_set_s2(struct arch_vcpu *v, paddr_t root, uint16_t vmid, uint64_t vtcr);

/* Invalidate the TLB entries of the VM with this stage-2 root and VMID everywhere. */
void arch_vm_s2_flush(paddr_t root, uint16_t vmid);

/* General-purpose registers 0-30; 31 is XZR: reads as 0, writes ignored. -EINVAL for
 * a number above 31. */
static inline int arch_vcpu_set_gpr(struct arch_vcpu *v, unsigned reg, uint64_t value)
{
	if (reg > 31)
		return -EINVAL;
	if (reg < 31)
		v->ctx.x[reg] = value;
	return 0;
}

static inline uint64_t arch_vcpu_get_gpr(const struct arch_vcpu *v, unsigned reg)
{
	return reg < 31 ? v->ctx.x[reg] : 0;
}

/* Reads guest memory at a guest-physical address: 0, or a negative error code. */
typedef s1_read_fn arch_guest_read_fn;

/* Where the vCPU's first-stage translation (aarch64: the EL1&0 stage 1 its SCTLR_EL1,
 * TCR_EL1 and TTBRn_EL1 define, walked in software) takes the guest-virtual address
 * va, reading the guest's tables with read(ctx, ...): 0 and *gpa, or -EFAULT if it
 * does not map va (or a table is not in readable guest memory). No permission is
 * checked: the address an EL1 read would reach. */
int arch_vcpu_translate(const struct arch_vcpu *v, gva_t va, arch_guest_read_fn read,
			void *ctx, gpa_t *gpa);

/* The return value of a call the guest made (X0). */
void arch_vcpu_set_return(struct arch_vcpu *v, uint64_t value);

/* The vCPU arrives on this pCPU / leaves it (core's vcpu_load / vcpu_put): its system
 * state moves into the hardware and back (hal_guest_load / hal_guest_put). */
void arch_vcpu_load(struct arch_vcpu *v);
void arch_vcpu_put(struct arch_vcpu *v);

/* An EL1 system register of the vCPU wherever it is now: in the hardware while the
 * vCPU is loaded on this pCPU, in its context otherwise. Everything that reads or
 * writes a vCPU's system state goes through these, never through ctx.el1 directly. */
static inline uint64_t arch_vcpu_el1(const struct arch_vcpu *v, enum el1_sysreg r)
{
	return hal_guest_sysreg_read(&v->ctx, (unsigned)r);
}

static inline void arch_vcpu_set_el1(struct arch_vcpu *v, enum el1_sysreg r, uint64_t value)
{
	hal_guest_sysreg_write(&v->ctx, (unsigned)r, value);
}

/* Enter the guest until it traps, then decode the trap into *exit. -ENOSYS if the host
 * cannot run guests. */
int arch_vcpu_run(struct arch_vcpu *v, struct vm_exit *exit);

/* The early exit handler (arch/exit.h, hal/guest.h), which the HAL calls on every
 * synchronous exit with the guest's registers in ctx (X19-X29 possibly stale: it reads
 * none of them) and the trap state in *trap: whether it answered the exit (ctx
 * updated: the result, the PC past the instruction; HAL_EARLY_ANSWERED_KEPT if the
 * result went to one of X19-X29 or X30), so that the guest may be entered again at
 * once. It answers the firmware calls psci_answer knows, by HVC or SMC, and loads of
 * the shadowed registers in ctx->early, and nothing while a guest engine reports its
 * timer reprogrammed (vtimer_written), which core must see, nor any exit of a vCPU a
 * debugger single-steps (stepping: core completes the step by advancing the PC, which
 * clears PSTATE.SS). Pure: no lock, no state
 * but ctx. (Core installs it in the HAL unless a trace is to show every exit.) */
enum hal_early arch_exit_early(struct guest_ctx *ctx, const struct guest_exit *trap);

/* Its first look, inline so that a caller that is not the HAL (vm_feed_trap) pays
 * little for an exit it will not answer: a synchronous HVC, SMC or fully described
 * load, with no reprogrammed timer to see. */
static inline bool arch_exit_early_candidate(const struct guest_ctx *ctx,
					     const struct guest_exit *trap)
{
	uint64_t esr = trap->esr, ec = ESR_EC(esr);

	if (trap->type != TRAP_SYNC || ctx->no_early)
		return false;
	if ((ec | 1) == EC_SMC64) /* HVC64 (0x16) or SMC64 (0x17) */
		return true;
	/* A data abort whose ISV, WnR and S1PTW bits say: a read the syndrome describes. */
	return ec == EC_DABT_LOW &&
	       (esr & (ISS_DABT_ISV | ISS_DABT_WNR | ISS_DABT_S1PTW)) == ISS_DABT_ISV;
}

/* The shadowed registers the vCPU's early exits read (its VM's; NULL: none), and how
 * many exits of kind it had answered early: EXIT_NOTHING for firmware calls (as
 * psci_decode's answers are counted), EXIT_MMIO_READ for loads. */
static inline void arch_vcpu_set_early(struct arch_vcpu *v, const struct exit_early *early)
{
	v->ctx.early = early;
}

static inline uint64_t arch_vcpu_early_exits(const struct arch_vcpu *v, enum exit_kind kind)
{
	return kind == EXIT_NOTHING	? __atomic_load_n(&v->ctx.early_calls, __ATOMIC_RELAXED)
	       : kind == EXIT_MMIO_READ ? __atomic_load_n(&v->ctx.early_reads, __ATOMIC_RELAXED)
					: 0;
}

/* Decode raw trap state into *exit (also what a test harness or fuzzer drives). Exits
 * the ISA handles alone (PSCI_VERSION, unknown classes -> UNDEF) come back as
 * EXIT_NOTHING with the outcome already applied. */
void arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap, struct vm_exit *exit);

/* A trapped system-register access (EXIT_SYSREG_READ / _WRITE) the vCPU may own: 0 with
 * a read's result in s->value, or -ENOENT for a register Tandem does not emulate (the
 * PMU among them) and -EPERM for a direction or exception level the register refuses;
 * the guest gets an UNDEF for either. */
int arch_vcpu_sysreg(struct arch_vcpu *v, struct exit_sysreg *s, bool read);

/* Apply core's outcome: results into registers, PC advance, or an injected exception. */
void arch_vcpu_complete(struct arch_vcpu *v, const struct vm_exit *exit);

/* The raw trap state of the last exit as named words, for traces: at most max of
 * them; returns how many (aarch64: ESR, FAR, HPFAR). */
unsigned arch_vcpu_trap_words(const struct arch_vcpu *v, const char **names, uint64_t *values,
			      unsigned max);

/* Where the instruction that made the last exit is, for traces: 0 and its guest-virtual
 * address in *pc, or -ENOENT for an exit no instruction made (an interrupt, an SError,
 * a software step, whose PC is the instruction not yet stepped; an AArch32 EL0's, which
 * is no A64 word). Valid until the exit
 * is completed: an HVC's preferred return is past it (Arm ARM D1.10.1), so it is the
 * word before the PC; every other class leaves the PC on the instruction. */
int arch_vcpu_trap_pc(const struct arch_vcpu *v, gva_t *pc);

/* Inject into the guest at EL1 (Arm ARM D1.10): an undefined-instruction exception, or
 * an external abort for the data / instruction access at virtual address far. */
void arch_inject_undef(struct arch_vcpu *v);
void arch_inject_abort(struct arch_vcpu *v, bool instruction, gva_t far);
/* The debug exception of the last exit (a BRK, a software step) as the guest's EL1
 * would have taken it with no debugger attached: EXIT_REINJECT's completion. */
void arch_inject_debug(struct arch_vcpu *v);
/* Any synchronous exception with syndrome esr, taken at EL1 from where the vCPU is. */
void arch_inject_exception(struct arch_vcpu *v, uint64_t esr);

/* ---- A debugger attached to the vCPU (core/gdb.c) ------------------------------------
 * Only while the vCPU is on no pCPU (held and put). */

/* Attach: BRK and software-step exceptions come to Tandem (MDCR_EL2.TDE, which also
 * traps every debug-register access of the guest: they are emulated anyway, debug.c),
 * and the guest's own MDSCR_EL1 is kept aside for its reads and writes while the
 * hardware's steps only for the debugger. Detach: all of it undone, a step ended. */
void arch_vcpu_debug_attach(struct arch_vcpu *v, bool on);
/* Single-step (attached only): the next entry runs one instruction and exits with a
 * software step (EXIT_DEBUG, step); no interrupt is delivered meanwhile (the virtual
 * CPU interface stays off). Off: ends it. */
void arch_vcpu_debug_step(struct arch_vcpu *v, bool on);
static inline bool arch_vcpu_stepping(const struct arch_vcpu *v)
{
	return v->dbg.step;
}

/* gdb's view of the registers (aarch64: org.gnu.gdb.aarch64.core and .fpu): the target
 * description's XML, the number of registers and each one's size in bytes, and a
 * register's value as little-endian bytes. The vCPU must be on no pCPU. -EINVAL for a
 * number out of range. */
extern const char arch_gdb_target_xml[];
#define ARCH_GDB_NREGS 68
#define ARCH_GDB_STEP 1 /* the stub offers single steps (arch_vcpu_debug_step) */
#define ARCH_GDB_REG_MAX 16
#define ARCH_GDB_BRK_SIZE 4
int arch_gdb_reg_size(unsigned regno);
int arch_gdb_reg_read(struct arch_vcpu *v, unsigned regno, uint8_t *buf);
int arch_gdb_reg_write(struct arch_vcpu *v, unsigned regno, const uint8_t *buf);
/* The breakpoint instruction a debugger plants (aarch64: BRK #0, little-endian). */
extern const uint8_t arch_gdb_brk[ARCH_GDB_BRK_SIZE];
/* The breakpoint instruction of gdb's kind (its size in bytes) into out (at least 8
 * bytes): its size, or -EINVAL for a kind the ISA has none of (aarch64: 4 only). */
int arch_gdb_brk_insn(unsigned kind, uint8_t *out);
/* Whether the instruction bytes at a breakpoint exit's PC are a breakpoint instruction
 * still (another one may have been restored there since). */
bool arch_gdb_is_brk(const uint8_t *insn);

#endif
