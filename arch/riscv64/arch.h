/* arch/riscv64's public interface: what core/ calls to run a riscv64 vCPU in V=1 under
 * an HS-mode Tandem (RISC-V privileged spec 20211203, "Hypervisor Extension"). The
 * same functions as arch/aarch64/arch.h, so core/ cannot tell them apart (DESIGN rule
 * 3); where the two ISAs differ the comment says how riscv64 reads the contract. */
#ifndef ARCH_RISCV64_ARCH_H
#define ARCH_RISCV64_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/exit.h"
#include "arch/pt_format.h"
#include "arch/riscv64/csr.h"
#include "arch/riscv64/ctx.h"
#include "arch/riscv64/plic.h"
#include "arch/riscv64/sbi.h"
#include "hal/err.h"
#include "hal/guest.h"

/* Interrupt numbers core passes to arch_irq_*: PLIC sources 1 .. PLIC_NDEV, and past
 * them the vCPU's local lines, one per VS-level interrupt the H extension signals
 * through hip/hvip: the timer's two sources (Sstc's vstimecmp, the SBI timer) and the
 * software interrupt (SBI IPI). */
#define RV_VIRQ_LOCAL 0x10000u
#define RV_VIRQ_VSTIMECMP (RV_VIRQ_LOCAL + 0)
#define RV_VIRQ_SBI_TIMER (RV_VIRQ_LOCAL + 1)

/* Per-vCPU arch state: the saved context and what the last exit needs to finish. */
struct arch_vcpu {
	struct guest_ctx ctx;
	struct guest_exit trap;  /* the raw state of the last exit */
	unsigned index;
	unsigned nharts;        /* the VM's vCPUs: SBI hart ids 0 .. nharts - 1 (its
				 * interrupt flush, before every entry, says) */
	unsigned last_pcpu;     /* where it last ran: arriving elsewhere fences (vcpu.c) */
	uint32_t insn;          /* the instruction of the last exit (0: none known) */
	uint8_t insn_len;       /* its length in bytes, 2 or 4: the PC advance */
	bool pc_advance;        /* complete by stepping over the trapping instruction */
	bool amo_store;         /* the faulting access is an AMO or SC by its word, whatever
				 * the trap's cause says (QEMU 7.2 reports an AMO's guest-page
				 * fault as a load's): its access fault is a store/AMO one */
	bool sbi;               /* the last exit is an SBI call: sbi says what is left */
	struct sbi_call call;
	uint64_t sbi_timer;     /* the SBI timer's deadline (time), ~0: none */
	bool debug;             /* a debugger is attached: EBREAK comes to Tandem */
};

/* One vCPU's interrupt lines as Tandem drives them (all under core's VM interrupt lock):
 * the levels of its two timers, IPIs sent and not yet handed to hvip, and its hvip and
 * vsie as its last exit left them (what arch_irq_pending judges a WFI by). */
struct rv_lines {
	bool vstimecmp, sbi_timer;
	bool ipi;
	/* hvip as the last flush left it still what a flush would write now: set by the
	 * flush, cleared (under the VM's interrupt lock) by anything that may change
	 * this vCPU's VSSIP, VSTIP or VSEIP; read without the lock (arch_irq_quiet). */
	uint8_t quiet;
	uint64_t hvip, vsie;
};

/* Per-VM arch state: the PLIC and the vCPUs' lines. */
struct arch_vm {
	struct plic plic;
	unsigned nvcpus;
	struct rv_lines lines[PLIC_MAX_HARTS];
};

/* ---- The VM's interrupt controller (riscv64: the PLIC, plus the local lines) -------- */

int arch_vm_init(struct arch_vm *a, unsigned nvcpus);

#define ARCH_IRQCHIP_WINDOWS 1
void arch_irqchip_window(const struct arch_vm *a, unsigned i, gpa_t *base, uint64_t *size);
static inline unsigned arch_irqchip_shadows(const struct arch_vm *a, unsigned i,
					    struct mmio_shadow *out, unsigned max)
{
	(void)a, (void)i, (void)out, (void)max;
	return 0; /* every PLIC register a guest reads is claim, pending or cheap */
}
int arch_irqchip_read(struct arch_vm *a, unsigned i, uint64_t off, unsigned width,
		      uint64_t *value);
int arch_irqchip_write(struct arch_vm *a, unsigned i, uint64_t off, unsigned width,
		       uint64_t value, uint64_t *kick);

/* A PLIC source's edge (a pulse) or level; a local line's level (the timers). */
int arch_irq_inject(struct arch_vm *a, unsigned vcpu, unsigned irq, uint64_t *kick);
int arch_irq_set_level(struct arch_vm *a, unsigned vcpu, unsigned irq, bool level,
		       uint64_t *kick);
/* A guest IPI (EXIT_IPI: the validated mask of target vCPUs, bit n vCPU n). */
int arch_irq_send_ipi(struct arch_vm *a, unsigned from, uint64_t value, uint64_t *kick);
/* No physical interrupt is ever forwarded to a riscv64 vCPU: -EINVAL. */
int arch_irq_forward(struct arch_vm *a, unsigned vcpu, unsigned irq, uint64_t *kick);
static inline void arch_irq_put(struct arch_vm *a, unsigned vcpu)
{
	(void)a, (void)vcpu;
}
/* Whether the vCPU's hvip needs no flush (and its lines no sync) between two of its
 * exits: nothing changed its interrupts since the last flush. Without the VM's
 * interrupt lock, by the vCPU's own pCPU: whoever changes them after this look kicks
 * the vCPU, which exits again at once. */
static inline bool arch_irq_quiet(const struct arch_vm *a, unsigned vcpu)
{
	return vcpu < a->nvcpus && __atomic_load_n(&a->lines[vcpu].quiet, __ATOMIC_ACQUIRE);
}
static inline bool arch_irq_held(const struct arch_vm *a, unsigned vcpu)
{
	(void)a, (void)vcpu;
	return false;
}
bool arch_irq_pending(const struct arch_vm *a, unsigned vcpu);
/* hvip's VSEIP (the PLIC's S context 2n+1, a level), VSTIP (the SBI timer) and VSSIP
 * (IPIs) into the context before an entry; after the exit, hvip and vsie read back
 * (the guest clears VSSIP through sip). */
void arch_irq_flush(struct arch_vm *a, struct arch_vcpu *v, uint64_t *kick);
void arch_irq_sync(struct arch_vm *a, struct arch_vcpu *v, uint64_t *kick);

/* The timers. The "virtual timer" is Sstc's vstimecmp, which the hardware compares
 * with time + htimedelta and signals to the guest itself (never through hvip.VSTIP);
 * its line here only wakes a waiting vCPU and keeps its deadline while it is put. The
 * "physical timer" is the SBI TIME call, emulated: its deadline raises hvip.VSTIP. */
#define ARCH_VTIMER_IRQ RV_VIRQ_VSTIMECMP
#define ARCH_PTIMER_IRQ RV_VIRQ_SBI_TIMER
/* No physical interrupt of the vtimer comes to HS-mode (Sstc signals the guest
 * directly), and the PLIC has no maintenance interrupt: core registers neither. */
#define ARCH_VTIMER_FORWARDED 0
bool arch_vtimer(struct arch_vcpu *v, uint64_t now, uint64_t *deadline);
static inline bool arch_vtimer_changed(const struct arch_vcpu *v)
{
	return v->ctx.vtimer_written;
}
/* The SBI timer's "register" as core's ptimer_access sees it: EXIT_SYSREG_WRITE of
 * RV_SYSREG_SBI_TIMER (set_timer's value). */
#define RV_SYSREG_SBI_TIMER 0x54494D45u
int arch_ptimer_access(struct arch_vcpu *v, struct exit_sysreg *s, bool read, uint64_t now);
bool arch_ptimer(const struct arch_vcpu *v, uint64_t now, uint64_t *deadline);

/* G-stage: Sv39x4 where the machine's physical addresses fit 41 bits, else Sv48x4;
 * *vtcr (aarch64's VTCR_EL2) is hgatp's MODE field here. */
int arch_vm_s2_setup(struct pt_format *fmt, uint64_t *vtcr);

/* Reset: registers zero, VS-mode, interrupts off, the H controls every guest of Tandem
 * runs with (hedeleg, hideleg, hcounteren, henvcfg). */
void arch_vcpu_init(struct arch_vcpu *v, unsigned index);
/* The hart id vCPU index reports (mhartid as SBI and the device tree number harts). */
uint64_t arch_vcpu_hwid(unsigned index);
/* Where the vCPU starts (boot, HSM hart_start): a0 = hart id, a1 = arg, satp = 0, SIE
 * clear (SBI v2.0 HSM: the start state). */
void arch_vcpu_set_entry(struct arch_vcpu *v, gpa_t entry, uint64_t arg);
/* hstatus.VTW: WFI traps (as a virtual-instruction exception) from the next entry. */
void arch_vcpu_trap_wfe(struct arch_vcpu *v, bool trap);
void arch_vcpu_set_s2(struct arch_vcpu *v, paddr_t root, uint16_t vmid, uint64_t vtcr);
void arch_vm_s2_flush(paddr_t root, uint16_t vmid);

/* x0-x31 (x0 reads 0, writes ignored); -EINVAL above 31. */
static inline int arch_vcpu_set_gpr(struct arch_vcpu *v, unsigned reg, uint64_t value)
{
	if (reg > 31)
		return -EINVAL;
	if (reg != 0)
		v->ctx.x[reg] = value;
	return 0;
}

static inline uint64_t arch_vcpu_get_gpr(const struct arch_vcpu *v, unsigned reg)
{
	return reg != 0 && reg < 32 ? v->ctx.x[reg] : 0;
}

/* Reads len bytes of guest memory at a guest-physical address: 0, or an error. */
typedef int (*arch_guest_read_fn)(void *ctx, gpa_t gpa, void *buf, size_t len);
/* The VS-stage translation of vsatp (Bare, Sv39, Sv48), walked in software. */
int arch_vcpu_translate(const struct arch_vcpu *v, gva_t va, arch_guest_read_fn read,
			void *ctx, gpa_t *gpa);
/* A call's return value: a0. */
void arch_vcpu_set_return(struct arch_vcpu *v, uint64_t value);
void arch_vcpu_load(struct arch_vcpu *v);
void arch_vcpu_put(struct arch_vcpu *v);

/* A switched CSR (enum rv_csr_slot) wherever it is now. */
static inline uint64_t arch_vcpu_csr(const struct arch_vcpu *v, enum rv_csr_slot r)
{
	return hal_guest_sysreg_read(&v->ctx, (unsigned)r);
}

static inline void arch_vcpu_set_csr(struct arch_vcpu *v, enum rv_csr_slot r, uint64_t value)
{
	hal_guest_sysreg_write(&v->ctx, (unsigned)r, value);
}

int arch_vcpu_run(struct arch_vcpu *v, struct vm_exit *exit);

/* The early exit handler: answers the SBI calls sbi_decode answers alone (BASE, probe,
 * unknown extensions), and nothing else. */
enum hal_early arch_exit_early(struct guest_ctx *ctx, const struct guest_exit *trap);
static inline bool arch_exit_early_candidate(const struct guest_ctx *ctx,
					     const struct guest_exit *trap)
{
	return trap->scause == CAUSE_VIRTUAL_SUPERVISOR_ECALL && !ctx->no_early;
}
static inline void arch_vcpu_set_early(struct arch_vcpu *v, const struct exit_early *early)
{
	v->ctx.early = early;
}
static inline uint64_t arch_vcpu_early_exits(const struct arch_vcpu *v, enum exit_kind kind)
{
	return kind == EXIT_NOTHING ? __atomic_load_n(&v->ctx.early_calls, __ATOMIC_RELAXED) : 0;
}

/* Decode raw trap state into *exit (also what a fuzzer drives); *v->trap keeps it. The
 * instruction of a guest-page fault comes from htinst or, when that is 0, from the
 * guest (hal_guest_fetch_insn); one that cannot be fetched is retried. */
void arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap, struct vm_exit *exit);
/* riscv64 has no trapped system registers core could emulate: -ENOENT (the SBI timer is
 * arch_ptimer_access's). */
int arch_vcpu_sysreg(struct arch_vcpu *v, struct exit_sysreg *s, bool read);
void arch_vcpu_complete(struct arch_vcpu *v, const struct vm_exit *exit);
/* scause, stval, htval, htinst. */
unsigned arch_vcpu_trap_words(const struct arch_vcpu *v, const char **names, uint64_t *values,
			      unsigned max);
int arch_vcpu_trap_pc(const struct arch_vcpu *v, gva_t *pc);

/* Injection into VS-mode at vstvec's base (exceptions are never vectored): an illegal
 * instruction (vstval = the instruction), an access fault for the access (vstval = the
 * address), the exception a debugger did not cause, any cause with its vstval. */
void arch_inject_undef(struct arch_vcpu *v);
void arch_inject_abort(struct arch_vcpu *v, bool instruction, gva_t far);
void arch_inject_debug(struct arch_vcpu *v);
void rv_inject_exception(struct arch_vcpu *v, uint64_t cause, uint64_t tval);

/* The SBI call of a VS-mode ECALL (sbi_exit.c): answered at once, or the generic exit
 * core handles (CPU_UP for HSM hart_start, ...); its completion writes a0/a1. */
void rv_sbi_exit(struct arch_vcpu *v, struct vm_exit *exit);
void rv_sbi_complete(struct arch_vcpu *v, const struct vm_exit *exit);

/* ---- A debugger attached (core/gdb.c). EBREAK traps to Tandem while attached (hedeleg
 * bit 3 clear). A hypervisor in HS-mode has no single step of a VS-mode guest (that
 * needs the debug mode of Sdext): the stub offers no step, and gdb steps riscv by
 * software breakpoints itself. */
void arch_vcpu_debug_attach(struct arch_vcpu *v, bool on);
void arch_vcpu_debug_step(struct arch_vcpu *v, bool on);
static inline bool arch_vcpu_stepping(const struct arch_vcpu *v)
{
	(void)v;
	return false;
}
#define ARCH_GDB_STEP 0
extern const char arch_gdb_target_xml[];
#define ARCH_GDB_NREGS 33 /* x0-x31, pc (org.gnu.gdb.riscv.cpu) */
#define ARCH_GDB_REG_MAX 8
#define ARCH_GDB_BRK_SIZE 4
int arch_gdb_reg_size(unsigned regno);
int arch_gdb_reg_read(struct arch_vcpu *v, unsigned regno, uint8_t *buf);
int arch_gdb_reg_write(struct arch_vcpu *v, unsigned regno, const uint8_t *buf);
extern const uint8_t arch_gdb_brk[ARCH_GDB_BRK_SIZE]; /* EBREAK */
/* gdb's kinds: 4 (EBREAK) and 2 (C.EBREAK, for a compressed instruction). */
int arch_gdb_brk_insn(unsigned kind, uint8_t *out);
bool arch_gdb_is_brk(const uint8_t *insn);

/* The device tree the guest gets describes QEMU's riscv virt board: its PLIC's
 * sources, and harts with Sstc (henvcfg.STCE is set for every guest) and Sv48. */
#define ARCH_DT_RISCV 1
#define ARCH_NAME "riscv64"
/* Instructions are 16-bit parcels (the C extension): 2-byte aligned, and 32 bits long
 * only where the first parcel's low two bits are 11 (unprivileged spec 1.5). */
#define ARCH_INSN_ALIGN 2
#define ARCH_DT_TIMER_PPIS { 0, 0, 0, 0 } /* no Arm timer */
#define ARCH_DT_IRQ_SOURCES PLIC_NDEV
#define ARCH_DT_SSTC true

#endif
