/* Instantiating VM specifications (vmset.h): the same steps on both hosts. */
#include "core/vmset.h"

#include "core/fdt.h"
#include "core/fmt.h"
#include "core/frame.h"
#include "core/guest_dtb.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "hal/time.h"

#define DTB_PAGES (VMSET_DTB_RESERVE / PAGE_SIZE)

/* A UART's interrupt output, a level-sensitive line of the VM's interrupt controller. */
static void uart_irq(void *ctx, bool level)
{
	struct vmset_uart *u = ctx;

	if (u->vm && level != u->level)
		vm_set_irq_level(u->vm, 0, u->line, level);
	u->level = level;
}

/* The NS16550A as the VM's firmware console (SBI DBCN, the legacy putchar). */
static int ns16550_console_write(void *ctx, const uint8_t *buf, size_t n)
{
	return uart16550_console_write(ctx, buf, n);
}

static int ns16550_console_read(void *ctx, uint8_t *buf, size_t n)
{
	return uart16550_console_read(ctx, buf, n);
}

static const struct vm_console_ops ns16550_console = { ns16550_console_write,
							ns16550_console_read };

/* Write out what the UART holds and take it off the console. */
static void uart_fini(struct vmset_uart *u)
{
	if (u->ns16550)
		uart16550_fini(&u->ns);
	else
		pl011_fini(&u->uart);
}

/* The machine the VM's guest is told about, in the tree Tandem writes for it. */
static void describe(const struct vmset_boot *b, const struct vm *vm, struct guest_dtb *d)
{
	const struct vm_spec *spec = b->spec;
	static const uint32_t timer_ppi[4] = ARCH_DT_TIMER_PPIS;

	*d = (struct guest_dtb){ .ncpus = vm->nvcpus, .psci_smc = spec->boot.psci_smc };
	for (unsigned i = 0; i < spec->cfg.nmem && d->nmem < GUEST_DTB_MAX_MEM; i++) {
		const struct vm_mem_config *m = &spec->cfg.mem[i];
		if (!(m->flags & PT_DEVICE))
			d->mem[d->nmem++] = (struct guest_dtb_mem){ m->gpa, m->size };
	}
	for (unsigned i = 0; i < vm->nvcpus && i < GUEST_DTB_MAX_CPUS; i++)
		d->mpidr[i] = vm->vcpus[i].hwid;
	arch_irqchip_window(&vm->arch, 0, &d->gicd, &d->gicd_size);
	arch_irqchip_window(&vm->arch, ARCH_IRQCHIP_WINDOWS - 1, &d->gicr, &d->gicr_size);
	for (unsigned i = 0; i < 4; i++)
		d->timer_ppi[i] = timer_ppi[i];
	if (ARCH_DT_RISCV) {
		d->board = GUEST_DTB_RISCV_VIRT;
		d->rv = (struct guest_dtb_riscv){
			.timebase_hz = (uint32_t)hal_counter_hz(), .sstc = ARCH_DT_SSTC,
			.sv48 = true, .plic = d->gicd, .plic_size = d->gicd_size,
			.plic_ndev = ARCH_DT_IRQ_SOURCES, .uart_irq = spec->ns16550_irq,
		};
		d->has_uart = spec->has_ns16550;
		d->uart = spec->ns16550_base;
	}
	if (!ARCH_DT_RISCV && spec->has_pl011 && spec->pl011_irq >= 32) {
		d->has_uart = true;
		d->uart = spec->pl011_base;
		d->uart_spi = spec->pl011_irq - 32;
	}
	d->bootargs = spec->boot.bootargs;
	if (spec->boot.initrd) {
		d->has_initrd = true;
		d->initrd_start = b->layout.initrd;
		d->initrd_end = gpa_add(b->layout.initrd, b->layout.initrd_size);
	}
	d->has_kaslr_seed = spec->boot.has_kaslr_seed;
	d->kaslr_seed = spec->boot.kaslr_seed;
	d->has_rng_seed = spec->boot.has_rng_seed;
	d->boot_count = b->boots;
	uint64_t x = spec->boot.rng_seed; /* splitmix64, to spread one number over 32 bytes */
	for (unsigned i = 0; i < sizeof(d->rng_seed); i++) {
		if (i % 8 == 0) {
			x += 0x9E3779B97F4A7C15ull;
			uint64_t z = x;
			z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
			z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
			x = z ^ (z >> 31);
		}
		d->rng_seed[i] = (uint8_t)(x >> (8 * (i % 8)));
	}
}

/* Write the tree Tandem makes for the VM at the layout's address, through frames
 * borrowed for the purpose. */
static int write_dtb(const struct vmset_boot *b, struct vm *vm)
{
	struct guest_dtb d;
	paddr_t pa;
	void *va;
	size_t size;

	describe(b, vm, &d);
	if (frame_alloc_contig(DTB_PAGES, 1, &pa))
		return -ENOMEM;
	int err = hal_phys_to_virt(pa, VMSET_DTB_RESERVE, &va);
	if (!err)
		err = guest_dtb_write(&d, va, VMSET_DTB_RESERVE, &size);
	if (!err)
		err = as_write(&vm->as, b->layout.dtb, va, size);
	frame_free_contig(pa, DTB_PAGES);
	return err;
}

/* Everything the VM boots from, into its memory: at creation and at every reset. */
static int load_images(struct vmset_boot *b, struct vm *vm)
{
	const struct vm_spec *spec = b->spec;
	const struct vm_boot_spec *boot = &spec->boot;
	int err = 0;

	b->boots++;
	if (spec->image)
		err = as_write(&vm->as, spec->image_addr, spec->image, spec->image_size);
	if (!err && boot->kernel)
		err = as_write(&vm->as, b->layout.kernel, boot->kernel, boot->kernel_size);
	if (!err && boot->kernel && boot->initrd)
		err = as_write(&vm->as, b->layout.initrd, boot->initrd, boot->initrd_size);
	if (!err && boot->kernel && boot->dtb)
		err = as_write(&vm->as, b->layout.dtb, boot->dtb, boot->dtb_size);
	else if (!err && (boot->kernel || boot->has_dtb_at))
		err = write_dtb(b, vm);
	return err;
}

/* The VM's reload hook (vm.h): RAM as a reset leaves it, the UART reset, the images
 * loaded again. */
static int reload(struct vm *vm, void *ctx)
{
	struct vmset_boot *b = ctx;
	int err = as_reset_ram(&vm->as);

	if (b->uart && b->uart->ns16550)
		uart16550_reset(&b->uart->ns);
	else if (b->uart)
		pl011_reset(&b->uart->uart);
	return err ? err : load_images(b, vm);
}

/* Whether VMSET_DTB_RESERVE bytes from at lie in one writable RAM region of cfg. */
static bool dtb_room(const struct vm_config *cfg, gpa_t at)
{
	for (unsigned i = 0; i < cfg->nmem; i++) {
		const struct vm_mem_config *m = &cfg->mem[i];
		uint64_t off = gpa_bits(at) - gpa_bits(m->gpa);
		if (gpa_bits(at) >= gpa_bits(m->gpa) && off < m->size &&
		    m->size - off >= VMSET_DTB_RESERVE && (m->flags & PT_W) &&
		    !(m->flags & PT_DEVICE))
			return true;
	}
	return false;
}

/* Where a kernel and what comes with it go, and so vCPU 0's entry and x0. */
static int plan_boot(struct vmset_boot *b, struct vm_config *cfg, struct vm_refusal *why)
{
	const struct vm_boot_spec *boot = &b->spec->boot;
	const struct vm_mem_config *ram = boot_ram(cfg);

	if (!boot->kernel && boot->has_dtb_at) {
		if (!dtb_room(cfg, boot->dtb_at)) {
			fmt_snprintf(why->why, sizeof(why->why), "has no RAM for its device tree "
				     "at 0x%llx (%u KiB)", (unsigned long long)gpa_bits(boot->dtb_at),
				     VMSET_DTB_RESERVE >> 10);
			return -EINVAL;
		}
		b->layout.dtb = boot->dtb_at;
		cfg->entry_arg = gpa_bits(boot->dtb_at);
		return 0;
	}
	if (!boot->kernel)
		return 0;
	if (!ram) {
		fmt_snprintf(why->why, sizeof(why->why), "has a kernel but no read-write RAM");
		return -EINVAL;
	}
	if (boot->dtb && fdt_check(boot->dtb, boot->dtb_size)) {
		fmt_snprintf(why->why, sizeof(why->why), "has a device tree that is not a "
			     "well-formed DTB");
		return -EINVAL;
	}
	size_t dtb_size = boot->dtb ? boot->dtb_size : VMSET_DTB_RESERVE;
	int err = boot_place(boot->kernel, boot->kernel_size, boot->initrd ? boot->initrd_size : 0,
			     dtb_size, ram->gpa, ram->size, &b->layout, why->why, sizeof(why->why));
	if (err)
		return err;
	cfg->entry = b->layout.kernel;
	cfg->entry_arg = gpa_bits(b->layout.dtb);
	return 0;
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
	struct vmset_boot *b = &s->boots[s->n];
	struct vm_config cfg = spec->cfg;
	*u = (struct vmset_uart){ 0 };
	bool has_uart = spec->has_pl011 || spec->has_ns16550;
	*b = (struct vmset_boot){ .spec = spec, .uart = has_uart ? u : NULL };
	int err = plan_boot(b, &cfg, why);
	if (err)
		return err;
	if (spec->has_pl011 && spec->has_ns16550) {
		fmt_snprintf(why->why, sizeof(why->why), "has two UARTs (a PL011 and an NS16550A)");
		return -EINVAL;
	}
	if (has_uart && cfg.ndevices >= MMIO_MAX_DEVICES) {
		fmt_snprintf(why->why, sizeof(why->why), "has no room for its UART");
		return -EINVAL;
	}
	if (spec->has_pl011) {
		pl011_init(&u->uart, cfg.name, uart_irq, u);
		u->line = spec->pl011_irq;
		cfg.devices[cfg.ndevices++] = (struct vm_device_config){
			spec->pl011_base, PL011_SIZE, &pl011_ops, &u->uart };
	} else if (spec->has_ns16550) {
		u->ns16550 = true;
		uart16550_init(&u->ns, cfg.name, uart_irq, u);
		u->line = spec->ns16550_irq;
		cfg.devices[cfg.ndevices++] = (struct vm_device_config){
			spec->ns16550_base, UART16550_SIZE, &uart16550_ops, &u->ns };
	}
	struct vm *vm;
	if ((err = vm_create_reason(&cfg, &vm, why)))
		return err;
	if (u->ns16550) {
		vm->console = &ns16550_console;
		vm->console_ctx = &u->ns;
	}
	if ((err = load_images(b, vm))) {
		vm_destroy(vm);
		if (err == -EFAULT)
			fmt_snprintf(why->why, sizeof(why->why),
				     "its image does not fit its memory at 0x%llx",
				     (unsigned long long)gpa_bits(spec->image_addr));
		else
			fmt_snprintf(why->why, sizeof(why->why), "its images cannot be loaded (%d)",
				     err);
		return err == -EFAULT ? -EINVAL : err;
	}
	vm->reload = reload;
	vm->reload_ctx = b;
	s->vms[s->n++] = vm;
	if (has_uart)
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
	for (unsigned i = 0; i < s->n; i++) {
		struct vmset_uart *u = &s->uarts[i];
		if (u->vm)
			return u->ns16550 ? uart16550_receive(&u->ns, byte)
					  : pl011_receive(&u->uart, byte);
	}
	return -ENODEV;
}

int vmset_console_room(struct vmset *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct vmset_uart *u = &s->uarts[i];
		if (u->vm)
			return (int)(u->ns16550 ? uart16550_rx_room(&u->ns)
						: pl011_rx_room(&u->uart));
	}
	return -ENODEV;
}

void vmset_flush(struct vmset *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct vmset_uart *u = &s->uarts[i];
		if (u->vm && u->ns16550)
			uart16550_flush(&u->ns);
		else if (u->vm)
			pl011_flush(&u->uart);
	}
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
			uart_fini(&s->uarts[i]);
		if (vm_destroy(s->vms[i]) == -EBUSY) {
			busy = -EBUSY;
			continue;
		}
		s->vms[i] = NULL;
		s->uarts[i].vm = NULL;
	}
	return busy;
}
