/* Instantiating VM specifications (vmset.h): the same steps on both hosts. */
#include "core/vmset.h"

#include "hal/err.h"

/* A UART's interrupt output, a level-sensitive line of the VM's interrupt controller. */
static void uart_irq(void *ctx, bool level)
{
	struct vmset_uart *u = ctx;

	if (u->vm && level != u->level)
		vm_set_irq_level(u->vm, 0, u->line, level);
	u->level = level;
}

static int build_one(struct vmset *s, const struct vm_spec *spec)
{
	struct vmset_uart *u = &s->uarts[s->n];
	struct vm_config cfg = spec->cfg;

	if (spec->has_pl011) {
		if (cfg.ndevices >= MMIO_MAX_DEVICES)
			return -EINVAL;
		pl011_init(&u->uart, cfg.name, uart_irq, u);
		u->line = spec->pl011_irq;
		cfg.devices[cfg.ndevices++] =
			(struct vm_device_config){ spec->pl011_base, PL011_SIZE, &pl011_ops, &u->uart };
	}
	struct vm *vm;
	int err = vm_create(&cfg, &vm);
	if (err)
		return err;
	s->vms[s->n++] = vm;
	if (spec->has_pl011)
		u->vm = vm;
	if (spec->image && (err = as_write(&vm->as, spec->image_addr, spec->image, spec->image_size)))
		return err == -EFAULT ? -EINVAL : err;
	return 0;
}

int vmset_build(struct vmset *s, const struct vm_spec *specs, unsigned n, unsigned *failed)
{
	if (!s || (!specs && n))
		return -EINVAL;
	*s = (struct vmset){ 0 };
	for (unsigned i = 0; i < n; i++) {
		int err = i < VMSET_MAX ? build_one(s, &specs[i]) : -EINVAL;
		if (err) {
			if (failed)
				*failed = i;
			vmset_destroy(s);
			return err;
		}
	}
	return 0;
}

void vmset_start(struct vmset *s)
{
	for (unsigned i = 0; i < s->n; i++)
		vm_start(s->vms[i]);
}

bool vmset_all_stopped(const struct vmset *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (__atomic_load_n(&s->vms[i]->state, __ATOMIC_ACQUIRE) != VM_STOPPED)
			return false;
	return true;
}

int vmset_console_input(struct vmset *s, uint8_t byte)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->uarts[i].vm)
			return pl011_receive(&s->uarts[i].uart, byte);
	return -ENODEV;
}

void vmset_flush(struct vmset *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->uarts[i].vm)
			pl011_flush(&s->uarts[i].uart);
}

void vmset_stop(struct vmset *s, enum vm_stop_reason reason)
{
	for (unsigned i = 0; i < s->n; i++)
		vm_stop(s->vms[i], reason);
}

int vmset_destroy(struct vmset *s)
{
	int busy = 0;

	for (unsigned i = 0; i < s->n; i++) {
		if (!s->vms[i])
			continue;
		/* Off the console before the VM goes: the console may drain the UART, and
		 * raise its interrupt line, from any pCPU until then. */
		if (s->uarts[i].vm)
			pl011_fini(&s->uarts[i].uart);
		if (vm_destroy(s->vms[i]) == -EBUSY) {
			busy = -EBUSY;
			continue;
		}
		s->vms[i] = NULL;
		s->uarts[i].vm = NULL;
	}
	return busy;
}
