/* VMs: creation from a config, the VM table, stop and destroy, interrupt injection and
 * residency. Exit handling lives in vm_exit.c. */
#include <stdarg.h>
#include <stddef.h>

#include "core/cpu.h"
#include "core/fmt.h"
#include "core/frame.h"
#include "core/hostmem.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/irq.h"
#include "hal/mm.h"
#include "hal/time.h"

static struct spinlock table_lock = SPINLOCK_INIT;
static struct vm *vms[VM_MAX];

/* A sentence into why; returns err. */
static int refuse(struct vm_refusal *why, int mem, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int refuse(struct vm_refusal *why, int mem, int err, const char *fmt, ...)
{
	va_list ap;

	why->mem = mem;
	va_start(ap, fmt);
	fmt_vsnprintf(why->why, sizeof(why->why), fmt, ap);
	va_end(ap);
	return err;
}

static int check_config(const struct vm_config *cfg, struct vm_refusal *why)
{
	unsigned pcpus = hal_pcpu_count();
	uint64_t machine = pcpus >= 64 ? ~0ull : (1ull << pcpus) - 1;

	if (!cfg)
		return refuse(why, -1, -EINVAL, "has no configuration");
	if (cfg->nvcpus == 0 || cfg->nvcpus > VM_MAX_VCPUS)
		return refuse(why, -1, -EINVAL, "has %u vCPUs (1 to %d)", cfg->nvcpus, VM_MAX_VCPUS);
	if (cfg->nmem > VM_MAX_MEM)
		return refuse(why, -1, -EINVAL, "has %u memory regions (at most %d)", cfg->nmem,
			      VM_MAX_MEM);
	if (cfg->ndevices > MMIO_MAX_DEVICES)
		return refuse(why, -1, -EINVAL, "has %u devices (at most %d)", cfg->ndevices,
			      MMIO_MAX_DEVICES);
	for (unsigned i = 0; i < cfg->nvcpus; i++)
		if (cfg->affinity[i] & ~machine)
			return refuse(why, -1, -EINVAL,
				      "vCPU %u's affinity names a pCPU this machine does not have "
				      "(it has %u)", i, pcpus);
	return 0;
}

static paddr_t host_base(const struct vm_mem_config *m)
{
	return m->backend == AS_IDENTITY ? pa_of_identity(m->gpa) : m->hpa;
}

static bool maps_host(const struct vm_mem_config *m)
{
	return m->backend == AS_LINEAR || m->backend == AS_IDENTITY;
}

/* What the frame count needs to be meaningful: whole pages inside the IPA size, and a
 * host range that does not wrap. The address space checks the rest when it maps. */
static int check_memory(const struct vm_config *cfg, const struct pt_format *fmt,
			struct vm_refusal *why)
{
	uint64_t top = fmt->va_bits < 64 ? 1ull << fmt->va_bits : ~0ull;

	for (unsigned i = 0; i < cfg->nmem; i++) {
		const struct vm_mem_config *m = &cfg->mem[i];
		unsigned long long gpa = gpa_bits(m->gpa);
		uint64_t hpa = pa_bits(host_base(m));
		if (((gpa | m->size) & PAGE_MASK) || !m->size ||
		    (maps_host(m) && (hpa & PAGE_MASK)))
			return refuse(why, (int)i, -EINVAL,
				      "memory at 0x%08llx: not a whole number of pages", gpa);
		if (gpa + m->size < gpa || gpa + m->size > top)
			return refuse(why, (int)i, -ERANGE,
				      "memory at 0x%08llx: beyond the guest-physical address size "
				      "(%u bits)", gpa, fmt->va_bits);
		if (maps_host(m) && hpa + m->size < hpa)
			return refuse(why, (int)i, -ERANGE,
				      "memory at 0x%08llx: its host range wraps around", gpa);
	}
	return 0;
}

static size_t struct_pages(void)
{
	return (sizeof(struct vm) + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* vm_frames_needed over a checked config. */
static size_t frames_needed(const struct vm_config *cfg, const struct pt_format *fmt)
{
	struct pt_range r[VM_MAX_MEM];
	size_t n = 0, frames = struct_pages() + pt_root_pages(fmt);

	for (unsigned i = 0; i < cfg->nmem; i++) {
		const struct vm_mem_config *m = &cfg->mem[i];
		size_t k = n++;
		/* sorted by base */
		for (; k > 0 && gpa_bits(r[k - 1].base) > gpa_bits(m->gpa); k--)
			r[k] = r[k - 1];
		r[k] = (struct pt_range){ m->gpa, m->size };
		if (maps_host(m))
			frames += hostmem_frames(host_base(m), m->size);
		else
			frames += (size_t)(m->size >> PAGE_SHIFT);
	}
	return frames + pt_max_tables(fmt, r, n);
}

int vm_frames_needed(const struct vm_config *cfg, size_t *frames)
{
	struct vm_refusal why;
	struct pt_format fmt;
	uint64_t vtcr;
	int err = check_config(cfg, &why);

	if (err || !frames || (err = arch_vm_s2_setup(&fmt, &vtcr)) ||
	    (err = check_memory(cfg, &fmt, &why)))
		return err ? err : -EINVAL;
	*frames = frames_needed(cfg, &fmt);
	return 0;
}

static int table_insert(struct vm *vm)
{
	int err = -ENOSPC;

	spin_lock(&table_lock);
	for (unsigned i = 0; i < VM_MAX; i++) {
		if (!vms[i]) {
			vms[i] = vm;
			vm->id = i;
			err = 0;
			break;
		}
	}
	spin_unlock(&table_lock);
	return err;
}

static void table_remove(struct vm *vm)
{
	spin_lock(&table_lock);
	if (vm->id < VM_MAX && vms[vm->id] == vm)
		vms[vm->id] = NULL;
	spin_unlock(&table_lock);
}

/* The stage-2 TLB of this VM's VMID, after the engine changed or removed an entry. */
static void s2_flush(void *ctx, gpa_t gpa, uint64_t size)
{
	struct vm *vm = ctx;
	(void)gpa;
	(void)size;
	arch_vm_s2_flush(vm->as.pt.root, vm_vmid(vm));
}

/* The interrupt controller's register windows on the VM's MMIO bus. */
static int irqchip_read(struct vm *vm, unsigned w, uint64_t off, unsigned width, uint64_t *value)
{
	spin_lock(&vm->irq_lock);
	int err = arch_irqchip_read(&vm->arch, w, off, width, value);
	spin_unlock(&vm->irq_lock);
	return err;
}

static int irqchip_write(struct vm *vm, unsigned w, uint64_t off, unsigned width, uint64_t value)
{
	uint64_t kick = 0;

	spin_lock(&vm->irq_lock);
	int err = arch_irqchip_write(&vm->arch, w, off, width, value, &kick);
	spin_unlock(&vm->irq_lock);
	vm_kick_vcpus(vm, kick);
	return err;
}

static int chip0_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	return irqchip_read(ctx, 0, off, width, value);
}

static int chip0_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	return irqchip_write(ctx, 0, off, width, value);
}

static int chip1_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	return irqchip_read(ctx, 1, off, width, value);
}

static int chip1_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	return irqchip_write(ctx, 1, off, width, value);
}

static unsigned chip0_shadows(void *ctx, struct mmio_shadow *out, unsigned max)
{
	struct vm *vm = ctx;
	return arch_irqchip_shadows(&vm->arch, 0, out, max);
}

static unsigned chip1_shadows(void *ctx, struct mmio_shadow *out, unsigned max)
{
	struct vm *vm = ctx;
	return arch_irqchip_shadows(&vm->arch, 1, out, max);
}

_Static_assert(ARCH_IRQCHIP_WINDOWS >= 1 && ARCH_IRQCHIP_WINDOWS <= 2,
	       "an interrupt controller of one or two MMIO windows");
static const struct mmio_ops irqchip_ops[2] = {
	{ chip0_read, chip0_write, chip0_shadows },
	{ chip1_read, chip1_write, chip1_shadows },
};

/* The devices' shadowed registers (mmio_ops.shadows) into vm->early, at their
 * guest-physical addresses. A shadow outside its device, of no width it can be read
 * with, or twice for one address is a device's bug: -EINVAL; more than the table
 * holds, -ENOSPC. */
static int collect_shadows(struct vm *vm, struct vm_refusal *why)
{
	vm->early = (struct exit_early){ 0 };
	for (unsigned i = 0; i < vm->bus.n; i++) {
		const struct mmio_device *d = &vm->bus.devs[i];
		struct mmio_shadow got[MMIO_MAX_SHADOWS];
		unsigned n = d->ops->shadows ? d->ops->shadows(d->ctx, got, MMIO_MAX_SHADOWS) : 0;
		for (unsigned k = 0; k < n && k < MMIO_MAX_SHADOWS; k++) {
			struct mmio_shadow *s = &got[k];
			uint64_t off = gpa_bits(s->addr);
			unsigned widest = s->widths ? 1u << (31 - __builtin_clz(s->widths)) : 0;
			int err = -EINVAL;
			if (s->value && widest && s->widths <= 0xF && off < d->size &&
			    widest <= d->size - off) {
				s->addr = gpa_make(gpa_bits(d->base) + off);
				err = exit_early_add(&vm->early, s);
			}
			if (err == -ENOSPC)
				return refuse(why, -1, err, "more than %u shadowed registers",
					      MMIO_MAX_SHADOWS);
			if (err)
				return refuse(why, -1, -EINVAL,
					      "device at 0x%08llx: a bad shadowed register",
					      (unsigned long long)gpa_bits(d->base));
		}
	}
	return 0;
}

/* The memory region of cfg that [base, base + size) overlaps, or -1. A device window
 * must not: a stage-2 fault the hardware fully described goes to the device that holds
 * the address before the address space is asked about RAM (core/vm_exit.c). */
static int overlapping_memory(const struct vm_config *cfg, gpa_t base, uint64_t size)
{
	for (unsigned i = 0; i < cfg->nmem; i++) {
		uint64_t mb = gpa_bits(cfg->mem[i].gpa), b = gpa_bits(base);
		if (b < mb + cfg->mem[i].size && mb < b + size)
			return (int)i;
	}
	return -1;
}

static int add_irqchip(struct vm *vm, const struct vm_config *cfg, struct vm_refusal *why)
{
	int err = arch_vm_init(&vm->arch, cfg->nvcpus);

	if (err)
		return refuse(why, -1, err, "its interrupt controller cannot be set up (%d)", err);
	for (unsigned i = 0; i < ARCH_IRQCHIP_WINDOWS; i++) {
		gpa_t base;
		uint64_t size;
		arch_irqchip_window(&vm->arch, i, &base, &size);
		int m = overlapping_memory(cfg, base, size);
		if (m >= 0)
			return refuse(why, m, -EEXIST,
				      "memory at 0x%08llx: overlaps the interrupt controller at 0x%08llx",
				      (unsigned long long)gpa_bits(cfg->mem[m].gpa),
				      (unsigned long long)gpa_bits(base));
		if ((err = mmio_bus_add(&vm->bus, base, size, &irqchip_ops[i], vm)))
			return refuse(why, -1, err, "its interrupt controller cannot be set up (%d)",
				      err);
	}
	return 0;
}

static int region_error(struct vm_refusal *why, unsigned i, const struct vm_mem_config *m,
			int err)
{
	return refuse(why, (int)i, err, "memory at 0x%08llx: %s",
		      (unsigned long long)gpa_bits(m->gpa),
		      err == -EEXIST   ? "overlaps another of its memory regions"
		      : err == -ENOMEM ? "needs more page tables than it reserved"
		      : err == -ERANGE ? "is beyond what its stage-2 tables can map"
				       : "has permissions its backend does not allow");
}

static int build(struct vm *vm, const struct vm_config *cfg, struct vm_refusal *why)
{
	uint64_t machine = hal_pcpu_count() >= 64 ? ~0ull : (1ull << hal_pcpu_count()) - 1;
	int err;

	for (unsigned i = 0; i < cfg->nmem; i++) {
		const struct vm_mem_config *m = &cfg->mem[i];
		if ((err = as_add_region(&vm->as, m->gpa, m->size, m->flags, m->backend, m->hpa)))
			return region_error(why, i, m, err);
	}
	for (unsigned i = 0; i < cfg->ndevices; i++) {
		const struct vm_device_config *d = &cfg->devices[i];
		int m = overlapping_memory(cfg, d->base, d->size);
		if (m >= 0)
			return refuse(why, m, -EEXIST,
				      "memory at 0x%08llx: overlaps the device at 0x%08llx",
				      (unsigned long long)gpa_bits(cfg->mem[m].gpa),
				      (unsigned long long)gpa_bits(d->base));
		if ((err = mmio_bus_add(&vm->bus, d->base, d->size, d->ops, d->ctx)))
			return refuse(why, -1, err, "device at 0x%08llx: cannot be added (%d)",
				      (unsigned long long)gpa_bits(d->base), err);
	}
	if ((err = add_irqchip(vm, cfg, why)) || (err = collect_shadows(vm, why)))
		return err;
	for (unsigned i = 0; i < cfg->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		uint64_t aff = cfg->affinity[i] ? cfg->affinity[i] : machine;
		if ((err = vcpu_init(v, vm, i, aff)) ||
		    (err = vcpu_set_entry(v, i == 0 ? cfg->entry : gpa_make(0),
					  i == 0 ? cfg->entry_arg : 0)) ||
		    (err = vcpu_set_s2(v, vm->as.pt.root, vm_vmid(vm), vm->vtcr)) ||
		    (err = vcpu_setup(v)) || (i > 0 && (err = vcpu_power_off(v))))
			return refuse(why, -1, err, "vCPU %u cannot be set up (%d)", i, err);
	}
	vm->nvcpus = cfg->nvcpus;
	return 0;
}

/* Claim the host memory of every linear and identity region, charged to the VM. */
static int claim_host_memory(struct vm *vm, const struct vm_config *cfg, struct vm_refusal *why)
{
	char reason[VM_WHY_MAX - 32];

	for (unsigned i = 0; i < cfg->nmem; i++) {
		const struct vm_mem_config *m = &cfg->mem[i];
		if (!maps_host(m))
			continue;
		int err = hostmem_claim(vm->id, vm->name, &vm->frames, host_base(m), m->size, reason,
					sizeof(reason));
		if (err)
			return refuse(why, (int)i, err, "memory at 0x%08llx: %s",
				      (unsigned long long)gpa_bits(m->gpa), reason);
	}
	return 0;
}

/* Give back everything a VM that is off every pCPU holds, and its reservation. */
static void release(struct vm *vm)
{
	as_destroy(&vm->as);
	if (vm->id < VM_MAX)
		hostmem_release_all(vm->id, &vm->frames);
	table_remove(vm);
	/* The account lives in the struct it pays for: move it out first. */
	struct frame_account frames = vm->frames;
	size_t pages = vm->struct_pages;
	paddr_t pa;
	if (hal_virt_to_phys(vm, &pa))
		panic("VM struct is not in RAM");
	memset(&vm->frames, 0, sizeof(vm->frames));
	if (frame_free_contig_acct(&frames, pa, pages) || frame_unreserve(&frames))
		panic("a VM's frames do not add up: %zu still charged to it", frames.in_use);
}

/* The VM struct, from a fresh reservation of everything the VM can ever hold. */
static int new_vm(const struct vm_config *cfg, const struct pt_format *fmt, struct vm **out,
		  struct vm_refusal *why)
{
	struct frame_account frames = { 0 };
	size_t need = frames_needed(cfg, fmt), avail = 0, pages = struct_pages();
	paddr_t pa;
	void *va;

	if (frame_reserve(&frames, need, &avail)) {
		if (avail >= need)
			return refuse(why, -1, -ENOMEM, "cannot reserve its %zu frames", need);
		return refuse(why, -1, -ENOMEM,
			      "does not fit: needs %zu frames, %zu are available: %zu frames "
			      "(%zu KiB) short", need, avail, need - avail,
			      (need - avail) * (PAGE_SIZE / 1024));
	}
	if (frame_alloc_contig_acct(&frames, pages, 1, &pa)) {
		frame_unreserve(&frames);
		return refuse(why, -1, -ENOMEM, "has no %zu contiguous frames for its structure",
			      pages);
	}
	if (hal_phys_to_virt(pa, pages * PAGE_SIZE, &va))
		panic("VM frames at 0x%llx are not RAM", (unsigned long long)pa_bits(pa));
	struct vm *vm = va;
	memset(vm, 0, sizeof(*vm));
	vm->id = VM_MAX; /* in no table yet */
	vm->frames = frames;
	vm->struct_pages = pages;
	*out = vm;
	return 0;
}

int vm_create_reason(const struct vm_config *cfg, struct vm **out, struct vm_refusal *why)
{
	struct vm_refusal ignored;
	struct pt_format fmt;
	uint64_t vtcr;
	struct vm *vm = NULL;

	why = why ? why : &ignored;
	*why = (struct vm_refusal){ .mem = -1 };
	int err = check_config(cfg, why);
	if (err || !out)
		return err ? err : refuse(why, -1, -EINVAL, "has nowhere to go");
	if ((err = arch_vm_s2_setup(&fmt, &vtcr)))
		return refuse(why, -1, err, "has no stage-2 translation on this machine (%d)", err);
	if ((err = check_memory(cfg, &fmt, why)) || (err = new_vm(cfg, &fmt, &vm, why)))
		return err;
	vm->s2_format = fmt;
	vm->vtcr = vtcr;
	vm->mmio_raz_wi = cfg->mmio_raz_wi;
	vm->reboots_left = cfg->reboots;
	vm->state = VM_CREATED;
	mmio_bus_init(&vm->bus);
	size_t n = cfg->name ? td_strnlen(cfg->name, VM_NAME_MAX - 1) : 0;
	memcpy(vm->name, cfg->name ? cfg->name : "", n);
	/* The address space before the table: no one may see the VM half made. */
	if ((err = as_init_acct(&vm->as, &vm->s2_format, s2_flush, vm, &vm->frames)))
		refuse(why, -1, err, "has no frames for its stage-2 root");
	else if ((err = table_insert(vm)))
		refuse(why, -1, err, "is one VM too many (at most %d)", VM_MAX);
	else if (!(err = claim_host_memory(vm, cfg, why)))
		err = build(vm, cfg, why);
	if (err) {
		release(vm);
		return err;
	}
	*out = vm;
	return 0;
}

int vm_create(const struct vm_config *cfg, struct vm **out)
{
	return vm_create_reason(cfg, out, NULL);
}

int vm_frame_holder(paddr_t base, uint64_t size, char *name, size_t len)
{
	int err = -ENOENT;

	spin_lock(&table_lock);
	for (unsigned i = 0; i < VM_MAX && err; i++) {
		if (!vms[i] || !as_holds_frames(&vms[i]->as, base, size))
			continue;
		size_t n = td_strnlen(vms[i]->name, len ? len - 1 : 0);
		memcpy(name, vms[i]->name, n);
		if (len)
			name[n] = '\0';
		err = 0;
	}
	spin_unlock(&table_lock);
	return err;
}

int vm_destroy(struct vm *vm)
{
	if (!vm)
		return -EINVAL;
	vm_stop(vm, VM_STOP_REQUESTED);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		sched_remove(&vm->vcpus[i]);
	if (!vm_quiescent(vm))
		return -EBUSY;
	/* No virtual-timer callback may run on this VM any more. */
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vtimer_stop(&vm->vcpus[i]);
	struct frame_account f = frame_account_read(&vm->frames);
	log_info("vm %u (%s): destroyed, %zu frames in use, peak %zu, %zu reserved", vm->id,
		 vm->name, f.in_use, f.peak, f.reserved);
	/* Before the VMID can go to another VM, none of this one's translations may
	 * survive in a TLB. */
	arch_vm_s2_flush(vm->as.pt.root, vm_vmid(vm));
	release(vm);
	return 0;
}

uint16_t vm_vmid(const struct vm *vm)
{
	return (uint16_t)(vm->id + 1); /* VMID 0 stays unused */
}

struct vm *vm_by_id(unsigned id)
{
	if (id >= VM_MAX)
		return NULL;
	spin_lock(&table_lock);
	struct vm *vm = vms[id];
	spin_unlock(&table_lock);
	return vm;
}

unsigned vm_count(void)
{
	unsigned n = 0;

	spin_lock(&table_lock);
	for (unsigned i = 0; i < VM_MAX; i++)
		n += vms[i] != NULL;
	spin_unlock(&table_lock);
	return n;
}

struct vcpu *vm_vcpu(struct vm *vm, unsigned vcpu_id)
{
	return vm && vcpu_id < vm->nvcpus ? &vm->vcpus[vcpu_id] : NULL;
}

struct vcpu *vm_vcpu_by_hwid(struct vm *vm, uint64_t hwid)
{
	for (unsigned i = 0; vm && i < vm->nvcpus; i++)
		if (vm->vcpus[i].hwid == hwid)
			return &vm->vcpus[i];
	return NULL;
}

struct vcpu *current_vcpu(void)
{
	return sched_current();
}

struct vm *current_vm(void)
{
	struct vcpu *v = sched_current();

	return v ? v->vm : NULL;
}
