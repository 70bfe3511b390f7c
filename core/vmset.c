/* Instantiating VM specifications (vmset.h): the same steps on both hosts. */
#include "core/vmset.h"

#include "core/fmt.h"
#include "hal/err.h"

/* A UART's interrupt output, a level-sensitive line of the VM's interrupt controller. */
static void uart_irq(void *ctx, bool level)
{
	struct vmset_uart *u = ctx;

	if (u->vm && level != u->level)
		vm_set_irq_level(u->vm, 0, u->line, level);
	u->level = level;
}

void vmset_init(struct vmset *s)
{
	*s = (struct vmset){ 0 };
}

int vmset_add(struct vmset *s, const struct vm_spec *spec, struct vm_refusal *why)
{
	struct vm_refusal ignored;
	why = why ? why : &ignored;
	*why = (struct vm_refusal){ .mem = -1 };
	if (!s || !spec || s->n >= VMSET_MAX) {
		fmt_snprintf(why->why, sizeof(why->why), "is one VM too many (at most %d)",
			     VMSET_MAX);
		return -EINVAL;
	}
	struct vmset_uart *u = &s->uarts[s->n];
	struct vm_config cfg = spec->cfg;
	*u = (struct vmset_uart){ 0 };
	if (spec->has_pl011) {
		if (cfg.ndevices >= MMIO_MAX_DEVICES) {
			fmt_snprintf(why->why, sizeof(why->why), "has no room for its PL011");
			return -EINVAL;
		}
		pl011_init(&u->uart, cfg.name, uart_irq, u);
		u->line = spec->pl011_irq;
		cfg.devices[cfg.ndevices++] =
			(struct vm_device_config){ spec->pl011_base, PL011_SIZE, &pl011_ops, &u->uart };
	}
	struct vm *vm;
	int err = vm_create_reason(&cfg, &vm, why);
	if (err)
		return err;
	if (spec->image && (err = as_write(&vm->as, spec->image_addr, spec->image, spec->image_size))) {
		vm_destroy(vm);
		fmt_snprintf(why->why, sizeof(why->why), "its image does not fit its memory at 0x%llx",
			     (unsigned long long)gpa_bits(spec->image_addr));
		return err == -EFAULT ? -EINVAL : err;
	}
	s->vms[s->n++] = vm;
	if (spec->has_pl011)
		u->vm = vm;
	return 0;
}

int vmset_build(struct vmset *s, const struct vm_spec *specs, unsigned n, unsigned *failed,
		struct vm_refusal *why)
{
	if (!s || (!specs && n))
		return -EINVAL;
	vmset_init(s);
	for (unsigned i = 0; i < n; i++) {
		int err = vmset_add(s, &specs[i], why);
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
