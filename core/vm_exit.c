/* The exit dispatcher: one handler per generic exit kind, found through a table. Every
 * handler turns what a guest did into an outcome for the ISA code (resume, retry,
 * inject a fault); nothing a guest does can stop the host. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/fmt.h"
#include "core/gdb.h"
#include "core/hypercall.h"
#include "core/log.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal/err.h"
#include "hal/guest.h"
#include "hal/mem.h"
#include "hal/mm.h"

typedef void (*exit_handler_t)(struct vcpu *v, struct vm_exit *e);

/* A breakpoint or a single step: the attached debugger's, or the guest's own back to it
 * (with no debugger attached none comes here; one that did goes back too). */
static void on_debug(struct vcpu *v, struct vm_exit *e)
{
	struct gdb_stub *s = __atomic_load_n(&v->vm->debugger, __ATOMIC_ACQUIRE);

	e->outcome = s ? gdb_debug_exit(s, v, e) : EXIT_REINJECT;
}

static bool trace;

static const char *const kind_names[EXIT_KIND_COUNT] = {
	[EXIT_NOTHING] = "nothing",	   [EXIT_HYPERCALL] = "hypercall",
	[EXIT_MMIO_READ] = "mmio-read",	   [EXIT_MMIO_WRITE] = "mmio-write",
	[EXIT_SYSREG_READ] = "sysreg-read", [EXIT_SYSREG_WRITE] = "sysreg-write",
	[EXIT_EXT_IRQ] = "irq",		   [EXIT_STAGE2_FAULT] = "stage2-fault",
	[EXIT_HALT] = "halt",		   [EXIT_YIELD] = "yield",
	[EXIT_CPU_UP] = "cpu-up",
	[EXIT_CPU_DOWN] = "cpu-down",	   [EXIT_CPU_STATE] = "cpu-state",
	[EXIT_SYSTEM_DOWN] = "system-off",  [EXIT_SYSTEM_RESET] = "system-reset",
	[EXIT_IPI] = "ipi",		   [EXIT_ENTRY_FAILED] = "entry-failed",
	[EXIT_DEBUG] = "debug",		   [EXIT_CONSOLE] = "console",
};

static const char *const outcome_names[] = { "resume", "retry", "abort", "undef",
					      "reinject" };

static bool no_early;
static bool early = true; /* !trace && !no_early */

/* The HAL offers exits to the early handler unless a trace is to show every exit or
 * early answers are off. */
static void install_early(void)
{
	early = !trace && !no_early;
	hal_guest_set_early(early ? arch_exit_early : NULL);
}

void vm_set_trace(bool on)
{
	trace = on;
	install_early();
}

void vm_set_early_exits(bool on)
{
	no_early = !on;
	install_early();
}

bool vm_early_exits(void)
{
	return early;
}

static vm_trace_decorator_fn decorator;

void vm_set_trace_decorator(vm_trace_decorator_fn fn)
{
	__atomic_store_n(&decorator, fn, __ATOMIC_RELEASE); /* pCPUs may be tracing */
}

/* Guest memory for a trace, read through the VM's stage 2 without touching anything:
 * no lazy page populated (as_read would), nothing but RAM read (hal_phys_to_virt
 * refuses the rest), and within one page, as the walk's descriptors and a word of
 * code are. Aligned words are read single-copy atomically, as the guest engine and a
 * debugger write them. */
static int peek_guest(void *as, gpa_t gpa, void *buf, size_t len)
{
	paddr_t hpa;
	unsigned flags;
	void *p;
	uint64_t off = gpa_bits(gpa) & PAGE_MASK;

	if (len > PAGE_SIZE - off || as_translate(as, gpa, &hpa, &flags) ||
	    hal_phys_to_virt(hpa, len, &p))
		return -EFAULT;
	if (len == 8 && !(off & 7)) {
		uint64_t w = __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
		memcpy(buf, &w, 8);
	} else if (len == 4 && !(off & 3)) {
		uint32_t w = __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
		memcpy(buf, &w, 4);
	} else {
		memcpy(buf, p, len);
	}
	return 0;
}

/* The instruction at pc as the guest would fetch it, read parcel by parcel where the ISA
 * has 16-bit ones (ARCH_INSN_ALIGN 2: riscv's C extension), each parcel translated on
 * its own (a 32-bit one may straddle a page): 0 and its length in bytes, or -EFAULT. */
static int read_insn(const struct vcpu *v, gva_t pc, uint32_t *w, unsigned *len)
{
	gpa_t gpa;

	if (gva_bits(pc) & (ARCH_INSN_ALIGN - 1) ||
	    arch_vcpu_translate(&v->arch, pc, peek_guest, &v->vm->as, &gpa))
		return -EFAULT;
	if (ARCH_INSN_ALIGN == 4) {
		*len = 4;
		return peek_guest(&v->vm->as, gpa, w, 4);
	}
	uint16_t lo, hi;
	gva_t next = gva_make(gva_bits(pc) + 2);
	if (peek_guest(&v->vm->as, gpa, &lo, 2))
		return -EFAULT;
	*w = lo;
	*len = 2;
	if ((lo & 3) != 3)
		return 0;
	if (arch_vcpu_translate(&v->arch, next, peek_guest, &v->vm->as, &gpa) ||
	    peek_guest(&v->vm->as, gpa, &hi, 2))
		return -EFAULT;
	*w |= (uint32_t)hi << 16;
	*len = 4;
	return 0;
}

/* " insn=0x%08x (DISASSEMBLY)" for the instruction that made the exit (" insn=0x%04x"
 * for a 16-bit one), " insn=?" where its address does not translate to RAM the VM has
 * touched, nothing for an exit no instruction made. The word is read from guest memory
 * at trace time, so it is the word there now (a guest that rewrote its code since
 * shows the new one). */
static void trace_insn(const struct vcpu *v, char *buf, size_t size)
{
	gva_t pc;
	uint32_t w;
	unsigned len;

	buf[0] = 0;
	if (arch_vcpu_trap_pc(&v->arch, &pc))
		return;
	if (read_insn(v, pc, &w, &len)) {
		fmt_snprintf(buf, size, " insn=?");
		return;
	}
	if (len == 2) {
		fmt_snprintf(buf, size, " insn=0x%04x", w);
		return;
	}
	char text[TRACE_DISASM_MAX] = "";
	vm_trace_decorator_fn fn = __atomic_load_n(&decorator, __ATOMIC_ACQUIRE);
	if (fn)
		fn(w, text, sizeof(text));
	fmt_snprintf(buf, size, text[0] ? " insn=0x%08x (%s)" : " insn=0x%08x", w, text);
}

/* "[cpuP] vm V vcpu C esr=.. far=.. hpfar=.. KIND addr=.. width=.. value=.. -> OUTCOME
 * insn=0x........ (DISASSEMBLY)" */
__attribute__((noinline, cold)) static void trace_exit(const struct vcpu *v,
							const struct vm_exit *e)
{
	const char *names[4];
	uint64_t w[4];
	unsigned n = arch_vcpu_trap_words(&v->arch, names, w, 4);
	char raw[96];
	size_t used = 0;
	for (unsigned i = 0; i < n && used < sizeof(raw); i++)
		used += (size_t)fmt_snprintf(raw + used, sizeof(raw) - used, "%s=0x%llx ", names[i],
					     (unsigned long long)w[i]);
	const char *kind = (unsigned)e->kind < EXIT_KIND_COUNT ? kind_names[e->kind] : "?";
	bool sysreg = e->kind == EXIT_SYSREG_READ || e->kind == EXIT_SYSREG_WRITE || e->kind == EXIT_IPI;
	uint64_t addr = e->mmio_valid || e->kind == EXIT_MMIO_READ || e->kind == EXIT_MMIO_WRITE
				? gpa_bits(e->mmio.addr)
				: e->kind == EXIT_STAGE2_FAULT ? gpa_bits(e->u.fault.gpa)
				: e->kind == EXIT_HYPERCALL ? e->u.hcall.nr
				: sysreg ? e->u.sysreg.id
				: e->kind == EXIT_EXT_IRQ || e->kind == EXIT_HALT || e->kind == EXIT_YIELD ||
						  e->kind == EXIT_NOTHING
					  ? 0
				: e->u.cpu.hwid;
	uint64_t value = e->mmio_valid ? e->mmio.value : sysreg ? e->u.sysreg.value : (uint64_t)e->ret;
	char insn[32 + TRACE_DISASM_MAX];
	trace_insn(v, insn, sizeof(insn));
	log_info("vm %u vcpu %u %s%s addr=0x%llx width=%u value=0x%llx -> %s%s", v->vm->id, v->id,
		 raw, kind, (unsigned long long)addr, e->mmio_valid ? e->mmio.width : 0,
		 (unsigned long long)value,
		 outcome_names[e->outcome <= EXIT_REINJECT ? e->outcome : 0], insn);
}

static void on_nothing(struct vcpu *v, struct vm_exit *e)
{
	(void)v;
	(void)e;
}

static void on_hypercall(struct vcpu *v, struct vm_exit *e)
{
	log_debug("vm %u vcpu %u: unknown hypercall 0x%llx", v->vm->id, v->id,
		  (unsigned long long)e->u.hcall.nr);
	e->ret = -ENOSYS;
}

/* An access that reached no device: an external abort, or RAZ/WI if the VM asked. */
static void mmio_unhandled(struct vcpu *v, struct vm_exit *e)
{
	__atomic_fetch_add(&v->vm->mmio_unhandled, 1, __ATOMIC_RELAXED);
	log_debug("vm %u vcpu %u: %s of %u bytes at 0x%llx: no device", v->vm->id, v->id,
		  e->kind == EXIT_MMIO_READ ? "read" : "write", e->mmio.width,
		  (unsigned long long)gpa_bits(e->mmio.addr));
	if (v->vm->mmio_raz_wi)
		e->mmio.value = 0;
	else
		e->outcome = EXIT_INJECT_ABORT;
}

/* The device that holds [addr, addr + width) on v's VM's bus, or NULL: the one v's last
 * access reached if it holds this one too (a guest talks to one device many times in a
 * row), else the bus's search. The bus does not change once the VM is built (vm.c),
 * so the pointer stays good for the VM's life. */
static inline const struct mmio_device *find_device(struct vcpu *v, gpa_t addr, unsigned width)
{
	const struct mmio_device *d = v->mmio_last;

	if (d && gpa_bits(addr) >= gpa_bits(d->base) && gpa_sub(addr, d->base) < d->size &&
	    width <= d->size - gpa_sub(addr, d->base))
		return d;
	d = mmio_bus_find(&v->vm->bus, addr, width);
	if (d)
		v->mmio_last = d;
	return d;
}

/* The access to device d (as mmio_bus_find found it for the access; NULL: none). */
static inline void mmio_access(struct vcpu *v, struct vm_exit *e,
			       const struct mmio_device *d)
{
	struct exit_mmio *m = &e->mmio;
	int err;

	if (e->kind == EXIT_MMIO_READ)
		err = mmio_device_read(d, m->addr, m->width, &m->value);
	else
		err = mmio_device_write(d, m->addr, m->width, m->value);
	if (err == -ENOENT)
		mmio_unhandled(v, e);
	else if (err == -EAGAIN)
		e->outcome = EXIT_RETRY; /* the device is busy: the guest waits on the bus */
	else if (err)
		e->outcome = EXIT_INJECT_ABORT; /* the device refused the access */
}

static void on_mmio(struct vcpu *v, struct vm_exit *e)
{
	mmio_access(v, e, find_device(v, e->mmio.addr, e->mmio.width));
}

static int read_guest(void *as, gpa_t gpa, void *buf, size_t len)
{
	return as_read(as, gpa, buf, len);
}

/* The hardware named no guest-physical address for the fault (aarch64: HPFAR_EL2 is
 * UNKNOWN for a stage-2 permission fault) and had no instruction to ask: walk the
 * guest's own first-stage tables in its memory. -EFAULT if they no longer map the
 * address: the guest changed them since the access. */
static int resolve_fault_gpa(struct vcpu *v, struct vm_exit *e)
{
	gpa_t gpa;
	int err = arch_vcpu_translate(&v->arch, e->u.fault.va, read_guest, &v->vm->as, &gpa);

	if (err)
		return err;
	e->u.fault.gpa = gpa;
	e->u.fault.gpa_unknown = false;
	if (e->mmio_valid)
		e->mmio.addr = gpa;
	return 0;
}

static void on_stage2_fault(struct vcpu *v, struct vm_exit *e)
{
	if (e->u.fault.gpa_unknown && resolve_fault_gpa(v, e)) {
		/* Nothing to act on and nothing the guest did wrong: run the access again,
		 * and let the hardware report what it meets then. */
		log_debug("vm %u vcpu %u: stage-2 fault at va 0x%llx no longer mapped: retry",
			  v->vm->id, v->id, (unsigned long long)gva_bits(e->u.fault.va));
		e->outcome = EXIT_RETRY;
		return;
	}
	/* A device window never overlaps the VM's memory (vm.c refuses it): an access the
	 * hardware fully described that a device holds is MMIO, without asking the
	 * address space (and taking its lock) about RAM first. */
	const struct mmio_device *d =
		e->mmio_valid ? find_device(v, e->mmio.addr, e->mmio.width) : NULL;
	if (d) {
		e->kind = e->u.fault.access == PT_W ? EXIT_MMIO_WRITE : EXIT_MMIO_READ;
		mmio_access(v, e, d);
		return;
	}
	int err = as_handle_fault(&v->vm->as, e->u.fault.gpa, e->u.fault.access);

	if (err == 0) {
		e->outcome = EXIT_RETRY; /* a lazy page is there now: run the access again */
		return;
	}
	if (err == -ENOENT && e->mmio_valid) {
		e->kind = e->u.fault.access == PT_W ? EXIT_MMIO_WRITE : EXIT_MMIO_READ;
		on_mmio(v, e);
		return;
	}
	/* No RAM and no decodable access, a permission the region denies, or no memory
	 * left: the guest gets an abort, never a guess. */
	log_debug("vm %u vcpu %u: stage-2 fault at 0x%llx (access %u): %d", v->vm->id, v->id,
		  (unsigned long long)gpa_bits(e->u.fault.gpa), e->u.fault.access, err);
	if (err == -ENOENT)
		__atomic_fetch_add(&v->vm->mmio_unhandled, 1, __ATOMIC_RELAXED);
	e->outcome = EXIT_INJECT_ABORT;
}

static void on_undef(struct vcpu *v, struct vm_exit *e)
{
	log_debug("vm %u vcpu %u: exit %d refused: undefined instruction", v->vm->id, v->id,
		  (int)e->kind);
	e->outcome = EXIT_INJECT_UNDEF;
}

/* A trapped system-register access: the ISA emulates the registers a vCPU owns
 * (aarch64: the ID and debug registers), core the physical timer; any other, the PMU
 * included, is UNDEFINED for the guest. */
static void on_sysreg(struct vcpu *v, struct vm_exit *e)
{
	bool read = e->kind == EXIT_SYSREG_READ;

	if (arch_vcpu_sysreg(&v->arch, &e->u.sysreg, read) &&
	    ptimer_access(v, &e->u.sysreg, read))
		on_undef(v, e);
}

static void on_ext_irq(struct vcpu *v, struct vm_exit *e)
{
	(void)v;
	cpu_handle_irqs();
	e->outcome = EXIT_RETRY;
}

/* Whether a vCPU may start at entry: the VM's RAM, executable, not a device. */
static bool entry_ok(struct vm *vm, gpa_t entry)
{
	struct as_region r;

	return !as_find_region(&vm->as, entry, &r) && !(r.flags & PT_DEVICE) && (r.flags & PT_X);
}

/* A suspend that resumes elsewhere (EXIT_HALT with resume) must name an entry a vCPU
 * could start at (-EFAULT, not blocked). */
static void on_halt(struct vcpu *v, struct vm_exit *e)
{
	if (e->u.cpu.resume && !entry_ok(v->vm, e->u.cpu.entry)) {
		e->ret = -EFAULT;
		return;
	}
	vcpu_block(v);
}

/* WFE: another vCPU waiting for this pCPU runs first (this one goes to the back of the
 * queue once the exit is done), or, with none, the vCPU resumes at once. */
static void on_yield(struct vcpu *v, struct vm_exit *e)
{
	(void)v;
	(void)e;
	sched_cede();
}

/* PSCI CPU_ON: -ENOENT no such vCPU, -EFAULT entry outside the VM's RAM,
 * -EALREADY / -EBUSY from the target's state. */
static void on_cpu_up(struct vcpu *v, struct vm_exit *e)
{
	struct vcpu *t = vm_vcpu_by_hwid(v->vm, e->u.cpu.hwid);

	if (!t) {
		e->ret = -ENOENT;
	} else if (!entry_ok(v->vm, e->u.cpu.entry)) {
		e->ret = -EFAULT;
	} else {
		e->ret = vcpu_power_on(t, e->u.cpu.entry, e->u.cpu.arg);
		if (e->ret == 0)
			sched_make_runnable(t);
	}
}

static void on_cpu_down(struct vcpu *v, struct vm_exit *e)
{
	e->ret = vcpu_power_off(v);
}

static void on_cpu_state(struct vcpu *v, struct vm_exit *e)
{
	struct vcpu *t = vm_vcpu_by_hwid(v->vm, e->u.cpu.hwid);

	e->ret = t ? vcpu_power_state(t) : -ENOENT;
}

static void on_system_down(struct vcpu *v, struct vm_exit *e)
{
	log_info("vm %u (%s): system %s", v->vm->id, v->vm->name,
		 e->kind == EXIT_SYSTEM_RESET ? "reset" : "off");
	if (e->kind == EXIT_SYSTEM_RESET)
		vm_request_reset(v->vm);
	else
		vm_stop(v->vm, VM_STOP_SYSTEM_OFF);
}

static void on_entry_failed(struct vcpu *v, struct vm_exit *e)
{
	(void)e;
	log_err("vm %u vcpu %u: guest entry failed: VM stopped", v->vm->id, v->id);
	vm_stop(v->vm, VM_STOP_ERROR);
}

/* A guest IPI (aarch64: a write of ICC_SGI1R_EL1): to its targets, wherever they are. */
static void on_ipi(struct vcpu *v, struct vm_exit *e)
{
	uint64_t kick = 0;

	spin_lock(&v->vm->irq_lock);
	e->ret = arch_irq_send_ipi(&v->vm->arch, v->id, e->u.sysreg.value, &kick);
	spin_unlock(&v->vm->irq_lock);
	__atomic_fetch_add(&v->vm->ipis_sent, 1, __ATOMIC_RELAXED);
	vm_kick_vcpus(v->vm, kick);
}

/* The firmware console: at most VM_CONSOLE_CHUNK bytes an exit (the guest asks again
 * for the rest, as SBI DBCN lets a call write fewer bytes than asked), through the
 * VM's console hooks (its UART's lines and receive FIFO); a single byte read comes
 * back as ret (-EAGAIN: none waits). A buffer that is not the VM's RAM is -EFAULT; a
 * VM without a console, -ENODEV. */
#define VM_CONSOLE_CHUNK 64
static void on_console(struct vcpu *v, struct vm_exit *e)
{
	struct vm *vm = v->vm;
	uint8_t buf[VM_CONSOLE_CHUNK];
	uint64_t n = e->u.console.one ? 1 : e->u.console.len;
	bool read = e->u.console.read;
	struct as_region r;

	n = n < VM_CONSOLE_CHUNK ? n : VM_CONSOLE_CHUNK;
	/* The buffer first: one that is not the VM's RAM (writable, to read into it) is
	 * wrong whatever the console. */
	if (!e->u.console.one && n &&
	    (as_find_region(&vm->as, e->u.console.buf, &r) || (r.flags & PT_DEVICE) ||
	     (read && !(r.flags & PT_W)) ||
	     gpa_sub(e->u.console.buf, r.base) + n > r.size)) {
		e->ret = -EFAULT;
		return;
	}
	if (!vm->console) {
		e->ret = -ENODEV;
	} else if (read && e->u.console.one) {
		int got = vm->console->read(vm->console_ctx, buf, 1);
		e->ret = got == 1 ? buf[0] : got == 0 ? -EAGAIN : got;
	} else if (read) {
		int got = vm->console->read(vm->console_ctx, buf, (size_t)n);
		e->ret = got;
		if (got > 0 && as_write(&vm->as, e->u.console.buf, buf, (size_t)got))
			e->ret = -EFAULT; /* the bytes are lost, as a UART's would be */
	} else if (e->u.console.one) {
		buf[0] = e->u.console.byte;
		e->ret = vm->console->write(vm->console_ctx, buf, 1);
	} else if (n && as_read(&vm->as, e->u.console.buf, buf, (size_t)n)) {
		e->ret = -EFAULT;
	} else {
		e->ret = n ? vm->console->write(vm->console_ctx, buf, (size_t)n) : 0;
	}
}

static const exit_handler_t exit_handlers[EXIT_KIND_COUNT] = {
	[EXIT_NOTHING] = on_nothing,
	[EXIT_HYPERCALL] = on_hypercall,
	[EXIT_MMIO_READ] = on_mmio,
	[EXIT_MMIO_WRITE] = on_mmio,
	[EXIT_SYSREG_READ] = on_sysreg,
	[EXIT_SYSREG_WRITE] = on_sysreg,
	[EXIT_EXT_IRQ] = on_ext_irq,
	[EXIT_STAGE2_FAULT] = on_stage2_fault,
	[EXIT_HALT] = on_halt,
	[EXIT_YIELD] = on_yield,
	[EXIT_CPU_UP] = on_cpu_up,
	[EXIT_CPU_DOWN] = on_cpu_down,
	[EXIT_CPU_STATE] = on_cpu_state,
	[EXIT_SYSTEM_DOWN] = on_system_down,
	[EXIT_SYSTEM_RESET] = on_system_down,
	[EXIT_IPI] = on_ipi,
	[EXIT_ENTRY_FAILED] = on_entry_failed,
	[EXIT_DEBUG] = on_debug,
	[EXIT_CONSOLE] = on_console,
};

void vm_handle_exit(struct vcpu *v, struct vm_exit *e)
{
	exit_handler_t h = (unsigned)e->kind < EXIT_KIND_COUNT ? exit_handlers[e->kind] : NULL;

	if (h)
		h(v, e);
	else
		on_undef(v, e);
	if (e->outcome == EXIT_INJECT_UNDEF)
		__atomic_fetch_add(&v->vm->undefs, 1, __ATOMIC_RELAXED);
	if (trace)
		trace_exit(v, e);
	if (e->kind != EXIT_ENTRY_FAILED)
		arch_vcpu_complete(&v->arch, e);
}

/* Exits whose handlers touch only the vCPU that made them, the VM's memory and its
 * devices: with the vCPU's interrupt state quiet, such an exit needs no sync before it
 * nor a flush after it. Whatever else they change (a device raising its line, a vGIC
 * register write, a stopped VM) vm_may_reenter sees. */
static const bool local_kind[EXIT_KIND_COUNT] = {
	[EXIT_NOTHING] = true,	   [EXIT_HYPERCALL] = true,	 [EXIT_MMIO_READ] = true,
	[EXIT_MMIO_WRITE] = true,  [EXIT_SYSREG_READ] = true, [EXIT_SYSREG_WRITE] = true,
	[EXIT_STAGE2_FAULT] = true,
};

/* An access (mmio_valid) to the interrupt controller's own registers reads and changes
 * the state of interrupts that v's list registers may hold, which only a sync brings
 * back: with any in use it takes the ordinary path, v synced first, so that v sees
 * its own interrupts as they are. (Another vCPU's LRs it sees as the distributor
 * holds them, vgic_mmio.c.) */
__attribute__((noinline, cold)) static bool irqchip_access(struct vcpu *v, const struct vm_exit *e)
{
	gpa_t addr = e->mmio.addr;

	if (e->kind == EXIT_STAGE2_FAULT) {
		if (e->u.fault.gpa_unknown)
			return true; /* an access whose address is not known yet */
		addr = e->u.fault.gpa;
	}
	for (unsigned i = 0; i < ARCH_IRQCHIP_WINDOWS; i++) {
		gpa_t base;
		uint64_t size;
		arch_irqchip_window(&v->vm->arch, i, &base, &size);
		if (gpa_bits(addr) >= gpa_bits(base) && gpa_sub(addr, base) < size)
			return true;
	}
	return false;
}

__attribute__((always_inline)) static inline bool handle_local(struct vcpu *v, struct vm_exit *e)
{
	if ((unsigned)e->kind >= EXIT_KIND_COUNT || !local_kind[e->kind])
		return false;
	if (e->mmio_valid && arch_irq_held(&v->vm->arch, v->id) && irqchip_access(v, e))
		return false;
	vm_handle_exit(v, e);
	return true;
}

bool vm_handle_local_exit(struct vcpu *v, struct vm_exit *e)
{
	return handle_local(v, e);
}

/* The reasons behind v->attention, looked at again: taken first, and set again if one
 * still holds, so that the next vm_may_reenter does not miss it. */
__attribute__((noinline, cold)) static bool nothing_to_attend(struct vcpu *v)
{
	vcpu_take_attention(v);
	if (__atomic_load_n(&v->vm->state, __ATOMIC_ACQUIRE) != VM_STOPPED && !vcpu_held(v) &&
	    !sched_slice_over())
		return true;
	vcpu_attend(v);
	return false;
}

bool vm_may_reenter(struct vcpu *v)
{
	return v->vm && arch_irq_quiet(&v->vm->arch, v->id) && !arch_vtimer_changed(&v->arch) &&
	       (!__atomic_load_n(&v->attention, __ATOMIC_ACQUIRE) || nothing_to_attend(v));
}

/* As the run loop does it (core/run.c): with v's interrupt state quiet, an exit that
 * concerns only v is handled without a sync and a flush around it; any other goes
 * through vcpu_enter / vcpu_leave first. */
int vm_feed_trap(struct vcpu *v, const struct guest_exit *trap, struct vm_exit *exit)
{
	struct vm_exit mine;
	struct vm_exit *e = exit ? exit : &mine; /* decoded where the caller wants it */
	int err;

	if (!trap)
		return -EINVAL;
	if (vcpu_bound_here(v) && vm_may_reenter(v)) {
		if (early && arch_exit_early_candidate(&v->arch.ctx, trap) &&
		    arch_exit_early(&v->arch.ctx, trap)) { /* as the HAL offers it */
			*e = (struct vm_exit){ .kind = EXIT_NOTHING, .outcome = EXIT_RESUME };
			return 0;
		}
		arch_vcpu_decode(&v->arch, trap, e);
		if (handle_local(v, e)) {
			vcpu_count_exit(v, e);
		} else {
			if ((err = vcpu_enter(v)))
				return err;
			vcpu_leave(v, e);
			vm_handle_exit(v, e);
		}
	} else {
		if ((err = vcpu_run_trap(v, trap, e)))
			return err;
		vm_handle_exit(v, e);
	}
	return 0;
}
