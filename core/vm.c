/* VMs: creation from a config, the VM table, stop and destroy, interrupt injection and
 * residency. Exit handling lives in vm_exit.c. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/frame.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/sched.h"
#include "core/vm.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/irq.h"
#include "hal/mm.h"

static struct spinlock table_lock = SPINLOCK_INIT;
static struct vm *vms[VM_MAX];

static int check_config(const struct vm_config *cfg)
{
	uint64_t machine = hal_pcpu_count() >= 64 ? ~0ull : (1ull << hal_pcpu_count()) - 1;

	if (!cfg || cfg->nvcpus == 0 || cfg->nvcpus > VM_MAX_VCPUS || cfg->nmem > VM_MAX_MEM ||
	    cfg->ndevices > MMIO_MAX_DEVICES)
		return -EINVAL;
	for (unsigned i = 0; i < cfg->nvcpus; i++)
		if (cfg->affinity[i] & ~machine)
			return -EINVAL;
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

static const struct mmio_ops irqchip_ops[ARCH_IRQCHIP_WINDOWS] = {
	{ chip0_read, chip0_write },
	{ chip1_read, chip1_write },
};

static int add_irqchip(struct vm *vm, unsigned nvcpus)
{
	int err = arch_vm_init(&vm->arch, nvcpus);

	for (unsigned i = 0; i < ARCH_IRQCHIP_WINDOWS && !err; i++) {
		uint64_t base, size;
		arch_irqchip_window(&vm->arch, i, &base, &size);
		err = mmio_bus_add(&vm->bus, base, size, &irqchip_ops[i], vm);
	}
	return err;
}

static int build(struct vm *vm, const struct vm_config *cfg)
{
	uint64_t machine = hal_pcpu_count() >= 64 ? ~0ull : (1ull << hal_pcpu_count()) - 1;
	int err;

	for (unsigned i = 0; i < cfg->nmem; i++) {
		const struct vm_mem_config *m = &cfg->mem[i];
		if ((err = as_add_region(&vm->as, m->gpa, m->size, m->flags, m->backend, m->hpa)))
			return err;
	}
	for (unsigned i = 0; i < cfg->ndevices; i++) {
		const struct vm_device_config *d = &cfg->devices[i];
		if ((err = mmio_bus_add(&vm->bus, d->base, d->size, d->ops, d->ctx)))
			return err;
	}
	if ((err = add_irqchip(vm, cfg->nvcpus)))
		return err;
	for (unsigned i = 0; i < cfg->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		uint64_t aff = cfg->affinity[i] ? cfg->affinity[i] : machine;
		if ((err = vcpu_init(v, vm, i, aff)) ||
		    (err = vcpu_set_entry(v, i == 0 ? cfg->entry : 0, i == 0 ? cfg->entry_arg : 0)) ||
		    (err = vcpu_set_s2(v, vm->as.pt.root, vm_vmid(vm), vm->vtcr)) ||
		    (err = vcpu_setup(v)))
			return err;
		if (i > 0 && (err = vcpu_power_off(v)))
			return err;
	}
	vm->nvcpus = cfg->nvcpus;
	return 0;
}

int vm_create(const struct vm_config *cfg, struct vm **out)
{
	int err = check_config(cfg);

	if (err || !out)
		return err ? err : -EINVAL;
	size_t pages = (sizeof(struct vm) + PAGE_SIZE - 1) / PAGE_SIZE;
	paddr_t pa;
	void *va;
	if (frame_alloc_contig(pages, 1, &pa))
		return -ENOMEM;
	if (hal_phys_to_virt(pa, pages * PAGE_SIZE, &va))
		panic("VM frames at 0x%llx are not RAM", (unsigned long long)pa);
	struct vm *vm = va;
	memset(vm, 0, sizeof(*vm));
	vm->struct_pages = pages;
	vm->mmio_raz_wi = cfg->mmio_raz_wi;
	vm->state = VM_CREATED;
	mmio_bus_init(&vm->bus);
	size_t n = cfg->name ? td_strnlen(cfg->name, VM_NAME_MAX - 1) : 0;
	memcpy(vm->name, cfg->name ? cfg->name : "", n);
	if ((err = table_insert(vm)) == 0 && (err = arch_vm_s2_setup(&vm->s2_format, &vm->vtcr)) == 0 &&
	    (err = as_init(&vm->as, &vm->s2_format, s2_flush, vm)) == 0) {
		err = build(vm, cfg);
		if (err)
			as_destroy(&vm->as);
	}
	if (err) {
		table_remove(vm);
		frame_free_contig(pa, pages);
		return err;
	}
	*out = vm;
	return 0;
}

int vm_start(struct vm *vm)
{
	if (!vm)
		return -EINVAL;
	uint32_t expected = VM_CREATED;
	if (!__atomic_compare_exchange_n(&vm->state, &expected, VM_RUNNING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return -EPERM;
	log_info("vm %u (%s): start, %u vCPUs", vm->id, vm->name, vm->nvcpus);
	sched_enqueue(&vm->vcpus[0]);
	return 0;
}

void vm_stop(struct vm *vm, enum vm_stop_reason reason)
{
	uint32_t old = __atomic_exchange_n(&vm->state, VM_STOPPED, __ATOMIC_ACQ_REL);

	if (old != VM_STOPPED)
		__atomic_store_n(&vm->stop_reason, reason, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		spin_lock(&v->lock);
		unsigned where = v->pcpu;
		if (v->state == VCPU_FREE || v->state == VCPU_BLOCKED)
			v->state = v->pcpu == VCPU_NO_PCPU ? VCPU_OFF : v->state;
		spin_unlock(&v->lock);
		if (where != VCPU_NO_PCPU)
			hal_ipi_send(where, IPI_KICK); /* its pCPU notices the stop */
	}
}

bool vm_quiescent(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		spin_lock(&v->lock);
		bool on_cpu = v->pcpu != VCPU_NO_PCPU;
		spin_unlock(&v->lock);
		if (on_cpu || __atomic_load_n(&v->sched_refs, __ATOMIC_ACQUIRE))
			return false;
	}
	return true;
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
		vcpu_vtimer_stop(&vm->vcpus[i]);
	/* Before the VMID can go to another VM, none of this one's translations may
	 * survive in a TLB. */
	arch_vm_s2_flush(vm->as.pt.root, vm_vmid(vm));
	as_destroy(&vm->as);
	table_remove(vm);
	paddr_t pa;
	if (hal_virt_to_phys(vm, &pa))
		panic("VM struct is not in RAM");
	frame_free_contig(pa, vm->struct_pages);
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

int vm_vcpu_resides_on(struct vm *vm, unsigned vcpu_id, unsigned *pcpu)
{
	struct vcpu *v = vm_vcpu(vm, vcpu_id);

	if (!v || !pcpu)
		return -ENOENT;
	spin_lock(&v->lock);
	unsigned where = v->pcpu;
	spin_unlock(&v->lock);
	if (where == VCPU_NO_PCPU)
		return -EAGAIN;
	*pcpu = where;
	return 0;
}

/* Make v see a new interrupt: wake it if it waits, make it exit if it runs elsewhere;
 * a vCPU that is queued or bound here picks it up at its next entry. */
static void kick_vcpu(struct vcpu *v)
{
	if (vcpu_wake(v) == 1) {
		sched_enqueue(v); /* was blocked off-CPU: queue it (and kick its pCPU) */
		return;
	}
	spin_lock(&v->lock);
	unsigned where = v->pcpu;
	bool running = v->state == VCPU_RUNNING || v->state == VCPU_BOUND;
	spin_unlock(&v->lock);
	if (running && where != VCPU_NO_PCPU && where != hal_pcpu_id())
		hal_ipi_send(where, IPI_KICK); /* exit the guest so the interrupt is seen */
}

void vm_kick_vcpus(struct vm *vm, uint64_t mask)
{
	for (unsigned i = 0; i < vm->nvcpus && i < 64; i++)
		if (mask & (1ull << i))
			kick_vcpu(&vm->vcpus[i]);
}

int vm_inject_irq(struct vm *vm, unsigned vcpu_id, unsigned irq)
{
	uint64_t kick = 0;

	if (!vm_vcpu(vm, vcpu_id))
		return -ENOENT;
	spin_lock(&vm->irq_lock);
	int err = arch_irq_inject(&vm->arch, vcpu_id, irq, &kick);
	spin_unlock(&vm->irq_lock);
	vm_kick_vcpus(vm, kick);
	return err;
}

int vm_set_irq_level(struct vm *vm, unsigned vcpu_id, unsigned irq, bool level)
{
	uint64_t kick = 0;

	if (!vm_vcpu(vm, vcpu_id))
		return -ENOENT;
	spin_lock(&vm->irq_lock);
	int err = arch_irq_set_level(&vm->arch, vcpu_id, irq, level, &kick);
	spin_unlock(&vm->irq_lock);
	vm_kick_vcpus(vm, kick);
	return err;
}
