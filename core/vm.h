/* Virtual machines (AxVM and AxVMHal's VM side): built from a configuration, started,
 * stopped and destroyed with every resource returned. A VM owns its address space,
 * its vCPUs and its MMIO bus; its struct lives in frames from the frame allocator.
 * Every frame it takes (its struct with the vCPUs and device state, stage-2 tables,
 * RAM, lazily populated pages, host RAM its linear and identity regions claim) is
 * charged to its frame account, which reserves the VM's maximum when it is created.
 * The account and the claims (core/hostmem.h) belong to the VM, not to its address
 * space, so that a VM rebuilt in place (a reset) keeps both. */
#ifndef CORE_VM_H
#define CORE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/aspace.h"
#include "core/frame.h"
#include "core/mmio.h"
#include "core/vcpu.h"

struct gdb_stub;

#define VM_MAX 16
#define VM_MAX_VCPUS 16
#define VM_MAX_MEM 8
#define VM_NAME_MAX 16
#define VM_WHY_MAX 192

struct vm_mem_config {
	gpa_t gpa;
	uint64_t size;
	unsigned flags;         /* PT_R | PT_W | PT_X | PT_DEVICE */
	enum as_backend backend;
	paddr_t hpa;            /* AS_LINEAR only */
};

struct vm_device_config {
	gpa_t base;
	uint64_t size;
	const struct mmio_ops *ops;
	void *ctx;
};

struct vm_config {
	const char *name;
	unsigned nvcpus;                   /* 1 .. VM_MAX_VCPUS */
	uint64_t affinity[VM_MAX_VCPUS];   /* pCPU mask per vCPU; 0 means any pCPU */
	gpa_t entry;                       /* where vCPU 0 starts */
	uint64_t entry_arg;                /* its X0 (the DTB address, for Linux) */
	unsigned nmem;
	struct vm_mem_config mem[VM_MAX_MEM];
	unsigned ndevices;
	struct vm_device_config devices[MMIO_MAX_DEVICES];
	bool mmio_raz_wi; /* accesses to no device read as zero and ignore writes,
			   * instead of an external abort */
	/* How many PSCI SYSTEM_RESETs restart the VM (VM_REBOOT_ALWAYS: every one); once
	 * they are used up a SYSTEM_RESET stops it, as QEMU's -no-reboot does. 0 (the
	 * default of a zeroed config): it stops at the first. */
	uint32_t reboots;
};
#define VM_REBOOT_ALWAYS UINT32_MAX

/* Why vm_create_reason refused a configuration, for a person: the memory region at
 * fault (an index into vm_config.mem) or -1 for the VM as a whole, and a sentence
 * without the VM's name ("memory at 0x09000000: host ... overlaps the console UART,
 * which Tandem uses"; "does not fit: needs N frames, M are available: ..."). */
struct vm_refusal {
	int mem;
	char why[VM_WHY_MAX];
};

enum vm_state { VM_CREATED, VM_RUNNING, VM_STOPPED };
enum vm_stop_reason { VM_STOP_NONE, VM_STOP_REQUESTED, VM_STOP_SYSTEM_OFF,
		      VM_STOP_SYSTEM_RESET, VM_STOP_ERROR };

/* A VM's console as its firmware offers it: write takes up to n bytes of output
 * (how many it took, 0 when it has no room now), read gives up to n bytes of input
 * (how many, 0 when none waits). Neither waits. */
struct vm_console_ops {
	int (*write)(void *ctx, const uint8_t *buf, size_t n);
	int (*read)(void *ctx, uint8_t *buf, size_t n);
};

struct vm {
	unsigned id;
	char name[VM_NAME_MAX];
	size_t struct_pages;
	struct frame_account frames; /* everything the VM holds, against its maximum */
	struct pt_format s2_format;
	uint64_t vtcr;
	struct aspace as;
	struct mmio_bus bus;
	struct exit_early early; /* the bus's shadowed registers, for the early exits */
	bool mmio_raz_wi;
	uint64_t mmio_unhandled; /* accesses that hit no device */
	uint64_t undefs;         /* UNDEFINED instruction exceptions injected */
	uint32_t state;          /* enum vm_state */
	uint32_t stop_reason;    /* enum vm_stop_reason */
	unsigned nvcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
	/* The interrupt controller (arch/<isa>), its state guarded by irq_lock, which is
	 * taken before any vCPU's lock. */
	struct spinlock irq_lock;
	struct arch_vm arch;
	uint64_t ipis_sent; /* guest IPIs (EXIT_IPI) */
	uint64_t irqs_forwarded; /* physical interrupts linked to its vCPUs */
	uint64_t resets;         /* vm_reset calls that rebuilt it */
	uint32_t reboots_left;   /* vm_config.reboots not used yet */
	uint32_t reset_pending;  /* 0, or a SYSTEM_RESET waits for the last vCPU to leave
				  * (1) or is being carried out (2) */
	/* What a reset does besides the vCPUs and the interrupt controller: memory and
	 * devices back to their boot state (vmset: the images loaded again). Called with
	 * every vCPU stopped and off its pCPU; non-zero stops the VM (VM_STOP_ERROR). */
	int (*reload)(struct vm *vm, void *ctx);
	void *reload_ctx;
	/* The gdb stub attached to the VM (core/gdb.h), or NULL: its vCPUs' debug exits
	 * go there. Set and cleared by the stub (atomic). */
	struct gdb_stub *debugger;
	/* The firmware console's bytes (EXIT_CONSOLE), or NULL: set by whoever gives the
	 * VM its UART (vmset), before the VM starts. */
	const struct vm_console_ops *console;
	void *console_ctx;
};

/* Build a VM: -EINVAL for a bad config (no vCPUs, affinity beyond the machine, bad
 * regions or devices), -ENOSPC with VM_MAX VMs alive, -ENOMEM (its maximum does not
 * fit in the frames no other VM was promised), -EBUSY or -ENOENT for a linear or
 * identity region over host memory it cannot claim (core/hostmem.h); nothing is left
 * behind on error. vCPU 0 is set to start at entry; the others are OFF until PSCI
 * CPU_ON. vm_create_reason also says why it refused, in *why (may be NULL). */
int vm_create(const struct vm_config *cfg, struct vm **out);
int vm_create_reason(const struct vm_config *cfg, struct vm **out, struct vm_refusal *why);

/* The frames a VM of cfg reserves when it is created: its struct, its stage-2 root and
 * every table its regions can need, its eager and lazy RAM, and the host RAM its linear
 * and identity regions claim. -EINVAL for a config vm_create would refuse as bad. */
int vm_frames_needed(const struct vm_config *cfg, size_t *frames);

/* Which VM holds frames of [base, base + size) as its eager or lazy RAM: its name in
 * name[0, len), or -ENOENT. For messages about refused claims. */
int vm_frame_holder(paddr_t base, uint64_t size, char *name, size_t len);

/* Make vCPU 0 runnable. -EPERM unless the VM is CREATED. */
int vm_start(struct vm *vm);

/* Power every vCPU off and kick those that run, so that they leave their pCPUs; the VM
 * becomes STOPPED with reason. Safe from any pCPU, also from the VM's own exits. */
void vm_stop(struct vm *vm, enum vm_stop_reason reason);

/* True once no vCPU of the VM is on a pCPU or in a run queue any more. */
bool vm_quiescent(struct vm *vm);

/* Stop the VM if needed and give back everything it holds. -EBUSY (and nothing freed)
 * while a vCPU is still on a pCPU or in a run queue: run the pCPUs, then retry. */
int vm_destroy(struct vm *vm);

struct vm *vm_by_id(unsigned id);
struct vcpu *vm_vcpu(struct vm *vm, unsigned vcpu_id);
struct vcpu *vm_vcpu_by_hwid(struct vm *vm, uint64_t hwid);
unsigned vm_count(void);

/* AxVMHal: the VM, vCPU and pCPU the caller runs for. NULL / VCPU_NO_PCPU outside a
 * vCPU's exit handling. */
struct vcpu *current_vcpu(void);
struct vm *current_vm(void);

/* Which pCPU vCPU vcpu_id runs or waits on. -ENOENT for no such vCPU, -EAGAIN if it
 * is on no pCPU right now (off, or waiting in a run queue). */
int vm_vcpu_resides_on(struct vm *vm, unsigned vcpu_id, unsigned *pcpu);

/* An edge on interrupt irq (a GIC INTID on aarch64) of the VM's interrupt controller:
 * a private one (SGI, PPI) of vCPU vcpu_id, or a shared one, which goes where the guest
 * routed it. The vCPU that gets it receives it wherever it is: running on another pCPU
 * (kicked with an IPI, so that it exits and sees it), blocked (woken), or not
 * scheduled (delivered when it next runs). -ENOENT for no such vCPU, -EINVAL for a bad
 * number. */
int vm_inject_irq(struct vm *vm, unsigned vcpu_id, unsigned irq);

/* The level of a level-sensitive interrupt line (a device's output), delivered the
 * same way while it is high. */
int vm_set_irq_level(struct vm *vm, unsigned vcpu_id, unsigned irq, bool level);

/* Wake or kick every vCPU whose bit is set in mask, so that it sees a new interrupt. */
void vm_kick_vcpus(struct vm *vm, uint64_t mask);

/* Hold vCPU vcpu_id off every pCPU (a debugger's stop): off its run queue at once, out
 * of the guest after its current exit if it runs (its pCPU is kicked). It stays off
 * through wake-ups and CPU_ON until vm_vcpu_release, which makes it runnable again if
 * it would have been. vm_vcpu_stopped: it is held and on no pCPU. -ENOENT for no such
 * vCPU, -EPERM for one never set up. */
int vm_vcpu_stop(struct vm *vm, unsigned vcpu_id);
int vm_vcpu_release(struct vm *vm, unsigned vcpu_id);
bool vm_vcpu_stopped(struct vm *vm, unsigned vcpu_id);

/* Reset a running VM as a board's reset would: every vCPU stopped and off its pCPU
 * (put), their registers rebuilt, the interrupt controller and the virtual timers back
 * in their reset state, the VM's reload hook run (memory and devices; without one they
 * keep their contents), then vCPU 0 restarted at the VM's entry and the others OFF
 * until a CPU_ON. From a context that runs none of the VM's vCPUs (-EDEADLK otherwise;
 * a vCPU of the VM asks with vm_request_reset); -EPERM unless the VM runs; -ETIMEDOUT
 * (and the vCPUs released as they were) if they have not all left their pCPUs within
 * VM_RESET_WAIT_NS. */
#define VM_RESET_WAIT_NS 5000000000ull
int vm_reset(struct vm *vm);

/* What PSCI SYSTEM_RESET does: if the VM may still reboot (vm_config.reboots), stop
 * every vCPU and leave the reset to the last of them to leave its pCPU
 * (vm_reset_if_pending, from the scheduler after vcpu_put), so that a vCPU of the VM
 * can ask; else stop the VM (VM_STOP_SYSTEM_RESET). 0; -EPERM (and the VM stopped) unless
 * it runs. */
int vm_request_reset(struct vm *vm);

/* Carry out a requested reset once every vCPU of the VM is off its pCPU; called after
 * each vcpu_put. Nothing happens unless one is pending and this is the last put. */
void vm_reset_if_pending(struct vm *vm);

/* Handle one exit of v (the dispatcher, a table by exit kind) and apply the outcome. */
void vm_handle_exit(struct vcpu *v, struct vm_exit *exit);

/* The run loop's fast path (core/run.c), on the vCPU's own pCPU while it is RUNNING
 * and vm_may_reenter said yes (after vcpu_enter, and after each exit handled here):
 * vm_handle_local_exit handles e at once if its kind concerns only v and returns
 * true (not an access to the interrupt controller's registers while v's list
 * registers hold interrupts: those see v synced first); false leaves it to the
 * ordinary path (vcpu_leave, then vm_handle_exit). vm_may_reenter says whether v can
 * go (back) into the guest without its interrupts synced and flushed, its list
 * registers left in the hardware as they are: its interrupt state quiet
 * (arch_irq_quiet: nothing changed since its last flush), its virtual timer not
 * reprogrammed, its VM not stopping, v not held, the slice not over (those three
 * through one load of v->attention, which whoever changes them sets). Anything another
 * pCPU changes for v meanwhile comes with an IPI, which makes the guest exit again at
 * once. */
bool vm_handle_local_exit(struct vcpu *v, struct vm_exit *e);
bool vm_may_reenter(struct vcpu *v);

/* Print one line per handled exit (hvsim --trace): pCPU, VM, vCPU, the raw trap state,
 * then the decoded kind, address, width, value and outcome, and the word of the
 * instruction that made the exit, read from guest memory ("insn=0x........", "insn=?"
 * where its address does not translate; nothing after an interrupt). */
void vm_set_trace(bool on);

/* What a host adds to a trace line's instruction word, in parentheses after it: its
 * disassembly, which core (freestanding) cannot do. Writes a NUL-ended text of at
 * most size bytes to buf, or leaves it empty (nothing is added). Called on any pCPU,
 * at once on several. NULL (the default): the bare word; a tool on the host that
 * reads the trace adds the same text (tools/trace-disasm). */
#define TRACE_DISASM_MAX 64
typedef void (*vm_trace_decorator_fn)(uint32_t insn, char *buf, size_t size);
void vm_set_trace_decorator(vm_trace_decorator_fn fn);

/* Whether exits are offered to the early handler (arch_exit_early, installed in the
 * HAL with hal_guest_set_early): on by default, off while tracing. Turning it off sends
 * every exit through core (a fuzzer compares the two). */
void vm_set_early_exits(bool on);
bool vm_early_exits(void);

/* The stage-2 VMID the VM's vCPUs run with. */
uint16_t vm_vmid(const struct vm *vm);

/* The test-harness and fuzzer entry: take raw trap state as if the guest had just
 * exited with it, decode it, dispatch it and apply the outcome, on a vCPU BOUND to the
 * calling pCPU. The decoded exit is left in *exit (may be NULL; unspecified after an
 * error). -EPERM if the vCPU is not bound here. */
int vm_feed_trap(struct vcpu *v, const struct guest_exit *trap, struct vm_exit *exit);

#endif
