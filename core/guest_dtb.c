/* A VM's device tree (guest_dtb.h). Bindings followed for the Arm board (Linux's
 * Documentation/devicetree/bindings): arm/cpus.yaml, arm/psci.yaml,
 * interrupt-controller/arm,gic-v3.yaml, timer/arm,arch_timer.yaml, serial/pl011.yaml,
 * chosen.yaml; the root with #address-cells = #size-cells = 2. */
#include "core/guest_dtb.h"

#include "core/fdt_write.h"
#include "core/fmt.h"
#include "hal/err.h"

/* Interrupt specifier cells (arm,gic-v3): type, number, flags. */
#define GIC_SPI            0u
#define GIC_PPI            1u
#define IRQ_LEVEL_HIGH     4u
#define PL011_CLOCK_HZ     24000000u /* the fixed clock QEMU's virt gives its PL011 */

static bool range_ok(gpa_t base, uint64_t size)
{
	return size && gpa_bits(base) + size > gpa_bits(base);
}

static int check(const struct guest_dtb *d)
{
	if (!d || d->nmem == 0 || d->nmem > GUEST_DTB_MAX_MEM || d->ncpus == 0 ||
	    d->ncpus > GUEST_DTB_MAX_CPUS)
		return -EINVAL;
	for (unsigned i = 0; i < d->nmem; i++)
		if (!range_ok(d->mem[i].base, d->mem[i].size))
			return -EINVAL;
	if (d->board == GUEST_DTB_RISCV_VIRT) {
		if (!range_ok(d->rv.plic, d->rv.plic_size) || d->rv.timebase_hz == 0 ||
		    d->rv.plic_ndev == 0 || d->rv.uart_irq > d->rv.plic_ndev)
			return -EINVAL;
		for (unsigned i = 0; i < d->ncpus; i++)
			if (d->mpidr[i] > UINT32_MAX)
				return -EINVAL;
	} else if (d->board != GUEST_DTB_ARM_VIRT || !range_ok(d->gicd, d->gicd_size) ||
		   !range_ok(d->gicr, d->gicr_size)) {
		return -EINVAL;
	}
	if (d->has_initrd && gpa_bits(d->initrd_end) < gpa_bits(d->initrd_start))
		return -EINVAL;
	if (d->bootargs) {
		size_t n = 0;
		while (n < GUEST_DTB_ARGS_MAX && d->bootargs[n])
			n++;
		if (n == GUEST_DTB_ARGS_MAX)
			return -EINVAL;
	}
	return 0;
}

/* "name@hex", into out. */
static void unit_name(char *out, size_t len, const char *name, uint64_t addr)
{
	fmt_snprintf(out, len, "%s@%llx", name, (unsigned long long)addr);
}

static void reg(struct fdt_writer *w, gpa_t base, uint64_t size)
{
	uint32_t cells[4] = { (uint32_t)(gpa_bits(base) >> 32), (uint32_t)gpa_bits(base),
			      (uint32_t)(size >> 32), (uint32_t)size };

	fdt_write_prop_cells(w, "reg", cells, 4);
}

static void write_memory(struct fdt_writer *w, const struct guest_dtb *d)
{
	char name[32];

	for (unsigned i = 0; i < d->nmem; i++) {
		unit_name(name, sizeof(name), "memory", gpa_bits(d->mem[i].base));
		fdt_write_begin_node(w, name);
		fdt_write_prop_string(w, "device_type", "memory");
		reg(w, d->mem[i].base, d->mem[i].size);
		fdt_write_end_node(w);
	}
}

static void write_cpus(struct fdt_writer *w, const struct guest_dtb *d)
{
	char name[32];

	fdt_write_begin_node(w, "cpus");
	fdt_write_prop_u32(w, "#address-cells", 2);
	fdt_write_prop_u32(w, "#size-cells", 0);
	for (unsigned i = 0; i < d->ncpus; i++) {
		unit_name(name, sizeof(name), "cpu", d->mpidr[i]);
		fdt_write_begin_node(w, name);
		fdt_write_prop_string(w, "device_type", "cpu");
		fdt_write_prop_string(w, "compatible", "arm,armv8");
		fdt_write_prop_u64(w, "reg", d->mpidr[i]);
		fdt_write_prop_string(w, "enable-method", "psci");
		fdt_write_end_node(w);
	}
	fdt_write_end_node(w);
}

static void write_psci(struct fdt_writer *w, const struct guest_dtb *d)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

	fdt_write_begin_node(w, "psci");
	fdt_write_prop(w, "compatible", compat, sizeof(compat));
	fdt_write_prop_string(w, "method", d->psci_smc ? "smc" : "hvc");
	fdt_write_end_node(w);
}

static void write_gic(struct fdt_writer *w, const struct guest_dtb *d)
{
	char name[48];
	uint32_t regs[8] = {
		(uint32_t)(gpa_bits(d->gicd) >> 32), (uint32_t)gpa_bits(d->gicd),
		(uint32_t)(d->gicd_size >> 32),      (uint32_t)d->gicd_size,
		(uint32_t)(gpa_bits(d->gicr) >> 32), (uint32_t)gpa_bits(d->gicr),
		(uint32_t)(d->gicr_size >> 32),      (uint32_t)d->gicr_size,
	};

	unit_name(name, sizeof(name), "interrupt-controller", gpa_bits(d->gicd));
	fdt_write_begin_node(w, name);
	fdt_write_prop_string(w, "compatible", "arm,gic-v3");
	fdt_write_prop_u32(w, "#interrupt-cells", 3);
	fdt_write_prop_u32(w, "#address-cells", 0); /* no children, no interrupt-map */
	fdt_write_prop_empty(w, "interrupt-controller");
	fdt_write_prop_u32(w, "#redistributor-regions", 1);
	fdt_write_prop_cells(w, "reg", regs, 8);
	fdt_write_prop_u32(w, "phandle", GUEST_DTB_GIC_PHANDLE);
	fdt_write_end_node(w);
}

static void write_timer(struct fdt_writer *w, const struct guest_dtb *d)
{
	uint32_t irqs[12];

	for (unsigned i = 0; i < 4; i++) {
		irqs[3 * i] = GIC_PPI;
		irqs[3 * i + 1] = d->timer_ppi[i];
		irqs[3 * i + 2] = IRQ_LEVEL_HIGH;
	}
	fdt_write_begin_node(w, "timer");
	fdt_write_prop_string(w, "compatible", "arm,armv8-timer");
	fdt_write_prop_cells(w, "interrupts", irqs, 12);
	fdt_write_prop_empty(w, "always-on");
	fdt_write_end_node(w);
}

static void write_uart(struct fdt_writer *w, const struct guest_dtb *d, char *path, size_t len)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	uint32_t clocks[2] = { GUEST_DTB_CLOCK_PHANDLE, GUEST_DTB_CLOCK_PHANDLE };
	uint32_t irq[3] = { GIC_SPI, d->uart_spi, IRQ_LEVEL_HIGH };
	char name[32];

	fdt_write_begin_node(w, "apb-pclk");
	fdt_write_prop_string(w, "compatible", "fixed-clock");
	fdt_write_prop_u32(w, "#clock-cells", 0);
	fdt_write_prop_u32(w, "clock-frequency", PL011_CLOCK_HZ);
	fdt_write_prop_string(w, "clock-output-names", "clk24mhz");
	fdt_write_prop_u32(w, "phandle", GUEST_DTB_CLOCK_PHANDLE);
	fdt_write_end_node(w);

	unit_name(name, sizeof(name), "pl011", gpa_bits(d->uart));
	fmt_snprintf(path, len, "/%s", name);
	fdt_write_begin_node(w, name);
	fdt_write_prop(w, "compatible", compat, sizeof(compat));
	reg(w, d->uart, 0x1000);
	fdt_write_prop_cells(w, "interrupts", irq, 3);
	fdt_write_prop_cells(w, "clocks", clocks, 2);
	fdt_write_prop(w, "clock-names", clock_names, sizeof(clock_names));
	fdt_write_end_node(w);
}

static void write_chosen(struct fdt_writer *w, const struct guest_dtb *d, const char *stdout_path)
{
	fdt_write_begin_node(w, "chosen");
	if (d->bootargs)
		fdt_write_prop_string(w, "bootargs", d->bootargs);
	if (stdout_path[0])
		fdt_write_prop_string(w, "stdout-path", stdout_path);
	if (d->has_initrd) {
		fdt_write_prop_u64(w, "linux,initrd-start", gpa_bits(d->initrd_start));
		fdt_write_prop_u64(w, "linux,initrd-end", gpa_bits(d->initrd_end));
	}
	if (d->has_kaslr_seed)
		fdt_write_prop_u64(w, "kaslr-seed", d->kaslr_seed);
	if (d->has_rng_seed)
		fdt_write_prop(w, "rng-seed", d->rng_seed, sizeof(d->rng_seed));
	if (d->boot_count)
		fdt_write_prop_u32(w, "tandem,boot-count", d->boot_count);
	fdt_write_end_node(w);
}

/* ---- riscv64 (Linux's bindings riscv/cpus.yaml, interrupt-controller/riscv,cpu-intc,
 * sifive,plic-1.0.0.yaml, serial/8250.yaml) -------------------------------------------- */

/* The ISA string of a hart of Tandem's: no "h" (the guest has no hypervisor
 * extension), sstc only where the guest really has it. */
static void rv_isa_string(const struct guest_dtb *d, char *out, size_t len)
{
	fmt_snprintf(out, len, "rv64imafdc_zicsr_zifencei%s", d->rv.sstc ? "_sstc" : "");
}

static void rv_write_cpus(struct fdt_writer *w, const struct guest_dtb *d)
{
	char name[32], isa[64];

	rv_isa_string(d, isa, sizeof(isa));
	fdt_write_begin_node(w, "cpus");
	fdt_write_prop_u32(w, "#address-cells", 1);
	fdt_write_prop_u32(w, "#size-cells", 0);
	fdt_write_prop_u32(w, "timebase-frequency", d->rv.timebase_hz);
	for (unsigned i = 0; i < d->ncpus; i++) {
		unit_name(name, sizeof(name), "cpu", d->mpidr[i]);
		fdt_write_begin_node(w, name);
		fdt_write_prop_string(w, "device_type", "cpu");
		fdt_write_prop_string(w, "compatible", "riscv");
		fdt_write_prop_u32(w, "reg", (uint32_t)d->mpidr[i]);
		fdt_write_prop_string(w, "status", "okay");
		fdt_write_prop_string(w, "riscv,isa", isa);
		fdt_write_prop_string(w, "mmu-type", d->rv.sv48 ? "riscv,sv48" : "riscv,sv39");
		fdt_write_begin_node(w, "interrupt-controller");
		fdt_write_prop_u32(w, "#interrupt-cells", 1);
		fdt_write_prop_empty(w, "interrupt-controller");
		fdt_write_prop_string(w, "compatible", "riscv,cpu-intc");
		fdt_write_prop_u32(w, "phandle", GUEST_DTB_INTC_PHANDLE(i));
		fdt_write_end_node(w);
		fdt_write_end_node(w);
	}
	fdt_write_end_node(w);
}

/* Two contexts a hart, as on QEMU's board: 2n its M-mode, which a guest has not (-1:
 * "not present", per the binding), 2n + 1 its S-mode, on the hart's supervisor
 * external interrupt (9). */
static void rv_write_plic(struct fdt_writer *w, const struct guest_dtb *d)
{
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	/* Four cells a hart, more than fdt_write_prop_cells takes: big-endian by hand. */
	uint8_t ext[16 * GUEST_DTB_MAX_CPUS];
	char name[48];

	for (unsigned i = 0; i < d->ncpus; i++) {
		const uint32_t cells[4] = { GUEST_DTB_INTC_PHANDLE(i), 0xFFFFFFFFu,
					    GUEST_DTB_INTC_PHANDLE(i), 9 };
		for (unsigned c = 0; c < 4; c++)
			for (unsigned k = 0; k < 4; k++)
				ext[16 * i + 4 * c + k] = (uint8_t)(cells[c] >> (24 - 8 * k));
	}
	unit_name(name, sizeof(name), "plic", gpa_bits(d->rv.plic));
	fdt_write_begin_node(w, name);
	fdt_write_prop(w, "compatible", compat, sizeof(compat));
	reg(w, d->rv.plic, d->rv.plic_size);
	fdt_write_prop_u32(w, "#interrupt-cells", 1);
	fdt_write_prop_u32(w, "#address-cells", 0);
	fdt_write_prop_empty(w, "interrupt-controller");
	fdt_write_prop_u32(w, "riscv,ndev", d->rv.plic_ndev);
	fdt_write_prop(w, "interrupts-extended", ext, 16u * d->ncpus);
	fdt_write_prop_u32(w, "phandle", GUEST_DTB_PLIC_PHANDLE);
	fdt_write_end_node(w);
}

#define NS16550_CLOCK_HZ 3686400u /* the clock QEMU's riscv virt gives its UART */

static void rv_write_uart(struct fdt_writer *w, const struct guest_dtb *d, char *path,
			  size_t len)
{
	char name[32];

	unit_name(name, sizeof(name), "serial", gpa_bits(d->uart));
	fmt_snprintf(path, len, "/%s", name);
	fdt_write_begin_node(w, name);
	fdt_write_prop_string(w, "compatible", "ns16550a");
	reg(w, d->uart, 0x100);
	fdt_write_prop_u32(w, "interrupts", d->rv.uart_irq);
	fdt_write_prop_u32(w, "interrupt-parent", GUEST_DTB_PLIC_PHANDLE);
	fdt_write_prop_u32(w, "clock-frequency", NS16550_CLOCK_HZ);
	fdt_write_end_node(w);
}

int guest_dtb_write(const struct guest_dtb *d, void *buf, size_t cap, size_t *size)
{
	struct fdt_writer w;
	char stdout_path[48] = "";
	int err = check(d);

	if (err)
		return err;
	fdt_write_init(&w, buf, cap);
	fdt_write_begin_node(&w, "");
	fdt_write_prop_string(&w, "compatible", "tandem,vm");
	fdt_write_prop_string(&w, "model", "Tandem VM");
	fdt_write_prop_u32(&w, "#address-cells", 2);
	fdt_write_prop_u32(&w, "#size-cells", 2);
	fdt_write_prop_u32(&w, "interrupt-parent", d->board == GUEST_DTB_RISCV_VIRT
							    ? GUEST_DTB_PLIC_PHANDLE
							    : GUEST_DTB_GIC_PHANDLE);
	write_memory(&w, d);
	if (d->board == GUEST_DTB_RISCV_VIRT) {
		rv_write_cpus(&w, d);
		rv_write_plic(&w, d);
		if (d->has_uart)
			rv_write_uart(&w, d, stdout_path, sizeof(stdout_path));
	} else {
		write_cpus(&w, d);
		write_psci(&w, d);
		write_gic(&w, d);
		write_timer(&w, d);
		if (d->has_uart)
			write_uart(&w, d, stdout_path, sizeof(stdout_path));
	}
	write_chosen(&w, d, stdout_path);
	fdt_write_end_node(&w);
	return fdt_write_finish(&w, size);
}
