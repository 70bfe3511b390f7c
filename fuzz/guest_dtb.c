/* Fuzz target: the guest device-tree writer (core/guest_dtb.c over core/fdt_write.c),
 * driven with arbitrary VM descriptions, read back with the project's reader.
 *
 * Input format (missing bytes read as zero):
 *   [0..1]   buffer capacity in bytes, little-endian (0..65535)
 *   [2]      nmem (0..15: up to GUEST_DTB_MAX_MEM + 7, so too many is reachable)
 *   [3]      ncpus (0..31)
 *   [4]      flags: bit 0 psci_smc, 1 has_uart, 2 has_initrd, 3 has_kaslr_seed,
 *            4 has_rng_seed, 5 bootargs present, 6 a boot count follows, 7 the riscv
 *            virt board (the gicd base and size are then the PLIC's)
 *   [5]      uart_spi
 *   then     per memory region 16 bytes: base (8, LE), size (8, LE)
 *   then     per CPU 8 bytes: MPIDR
 *   then     gicd base, gicd size, gicr base, gicr size, uart base, initrd start,
 *            initrd end, kaslr seed: 8 bytes each; timer PPIs: 4 bytes (one each);
 *            with flag 6, the boot count: 4 bytes (LE; 0 leaves it out); with flag 7,
 *            the timebase (4), riscv,ndev (2), the UART's PLIC source (2) and a byte
 *            whose bits 0 and 1 are Sstc and Sv48
 *   rest     bootargs (used up to its first NUL or the end; may be longer than
 *            GUEST_DTB_ARGS_MAX)
 * Oracle: the writer's result is 0 exactly when the description is valid (the rules of
 * guest_dtb.h, restated here) and the buffer holds the tree (else -EINVAL or -ENOSPC
 * respectively, the size the writer needs taken from a write into a large buffer);
 * on success fdt_check accepts the tree and the reader finds every configured value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/fdt.h"
#include "core/guest_dtb.h"
#include "fuzz/fuzz_util.h"
#include "hal/err.h"

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned len)
{
	uint8_t b[8] = { 0 };
	size_t k = in->n < len ? in->n : len;

	memcpy(b, in->p, k);
	in->p += k;
	in->n -= k;
	return le(b, len);
}

static bool valid(const struct guest_dtb *d)
{
	if (d->nmem == 0 || d->nmem > GUEST_DTB_MAX_MEM || d->ncpus == 0 ||
	    d->ncpus > GUEST_DTB_MAX_CPUS)
		return false;
	for (unsigned i = 0; i < d->nmem; i++)
		if (!d->mem[i].size || gpa_bits(d->mem[i].base) + d->mem[i].size <= gpa_bits(d->mem[i].base))
			return false;
	if (d->board == GUEST_DTB_RISCV_VIRT) {
		const struct guest_dtb_riscv *r = &d->rv;
		if (!r->plic_size || gpa_bits(r->plic) + r->plic_size <= gpa_bits(r->plic) ||
		    !r->timebase_hz || !r->plic_ndev || r->uart_irq > r->plic_ndev)
			return false;
		for (unsigned i = 0; i < d->ncpus; i++)
			if (d->mpidr[i] > UINT32_MAX)
				return false;
	} else {
		if (!d->gicd_size || gpa_bits(d->gicd) + d->gicd_size <= gpa_bits(d->gicd))
			return false;
		if (!d->gicr_size || gpa_bits(d->gicr) + d->gicr_size <= gpa_bits(d->gicr))
			return false;
	}
	if (d->has_initrd && gpa_bits(d->initrd_end) < gpa_bits(d->initrd_start))
		return false;
	return !d->bootargs || strlen(d->bootargs) < GUEST_DTB_ARGS_MAX;
}

static void check_reg(const uint8_t *b, int node, size_t i, uint64_t base, uint64_t size)
{
	uint64_t a, s;

	CHECK(fdt_reg(b, node, i, &a, &s) == 0);
	CHECK(a == base && s == size);
}

static uint64_t be64_at(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void check_chosen(const struct guest_dtb *d, const uint8_t *b);

/* The riscv board's nodes: the ISA string (no h; sstc only where said), the timebase,
 * each hart's local interrupt controller, the PLIC with an M (-1) and an S (9) context
 * per hart, the NS16550A on its source, and no Arm node. */
static void check_riscv(const struct guest_dtb *d, const uint8_t *b)
{
	const char *s;
	uint32_t v;
	size_t len;
	int cpus = fdt_path_offset(b, "/cpus");

	CHECK(fdt_prop_u32(b, cpus, "timebase-frequency", &v) == 0 && v == d->rv.timebase_hz);
	for (int n = fdt_first_child(b, cpus); n >= 0; n = fdt_next_sibling(b, n)) {
		CHECK(fdt_prop_string(b, n, "riscv,isa", &s) == 0);
		CHECK(!strncmp(s, "rv64", 4) && !strchr(s + 4, 'h'));
		CHECK((strstr(s, "_sstc") != NULL) == d->rv.sstc);
		CHECK(fdt_node_compatible(b, fdt_first_child(b, n), "riscv,cpu-intc"));
	}
	int plic = fdt_find_compatible(b, -1, "sifive,plic-1.0.0");
	CHECK(plic >= 0);
	check_reg(b, plic, 0, gpa_bits(d->rv.plic), d->rv.plic_size);
	CHECK(fdt_prop_u32(b, plic, "riscv,ndev", &v) == 0 && v == d->rv.plic_ndev);
	const uint8_t *ext = fdt_get_prop(b, plic, "interrupts-extended", &len);
	CHECK(ext && len == 16u * d->ncpus);
	for (unsigned i = 0; i < d->ncpus; i++) {
		CHECK(be64_at(ext + 16 * i) >> 32 == be64_at(ext + 16 * i + 8) >> 32);
		CHECK((uint32_t)be64_at(ext + 16 * i) == 0xFFFFFFFFu);
		CHECK((uint32_t)be64_at(ext + 16 * i + 8) == 9);
	}
	int uart = fdt_find_compatible(b, -1, "ns16550a");
	CHECK((uart >= 0) == d->has_uart);
	if (uart >= 0) {
		check_reg(b, uart, 0, gpa_bits(d->uart), 0x100);
		CHECK(fdt_prop_u32(b, uart, "interrupts", &v) == 0 && v == d->rv.uart_irq);
	}
	CHECK(fdt_find_compatible(b, -1, "arm,gic-v3") < 0 && fdt_path_offset(b, "/psci") < 0);
}

static void check_tree(const struct guest_dtb *d, const uint8_t *b, size_t size)
{
	CHECK(fdt_check(b, size) == 0);
	CHECK(fdt_totalsize(b) == size);
	/* memory: one node per region, in order */
	unsigned m = 0;
	for (int n = fdt_first_child(b, fdt_root(b)); n >= 0; n = fdt_next_sibling(b, n)) {
		const char *t;
		if (fdt_prop_string(b, n, "device_type", &t) == 0 && !strcmp(t, "memory")) {
			CHECK(m < d->nmem);
			check_reg(b, n, 0, gpa_bits(d->mem[m].base), d->mem[m].size);
			m++;
		}
	}
	CHECK(m == d->nmem);
	unsigned c = 0;
	int cpus = fdt_path_offset(b, "/cpus");
	CHECK(cpus >= 0);
	for (int n = fdt_first_child(b, cpus); n >= 0; n = fdt_next_sibling(b, n), c++) {
		uint64_t a, s;
		CHECK(c < d->ncpus);
		CHECK(fdt_reg(b, n, 0, &a, &s) == 0 && a == d->mpidr[c]);
	}
	CHECK(c == d->ncpus);
	if (d->board == GUEST_DTB_RISCV_VIRT) {
		check_riscv(d, b);
		check_chosen(d, b);
		return;
	}
	const char *s;
	CHECK(fdt_prop_string(b, fdt_path_offset(b, "/psci"), "method", &s) == 0);
	CHECK(!strcmp(s, d->psci_smc ? "smc" : "hvc"));
	int gic = fdt_find_compatible(b, -1, "arm,gic-v3");
	CHECK(gic >= 0);
	check_reg(b, gic, 0, gpa_bits(d->gicd), d->gicd_size);
	check_reg(b, gic, 1, gpa_bits(d->gicr), d->gicr_size);
	int timer = fdt_find_compatible(b, -1, "arm,armv8-timer");
	for (unsigned i = 0; i < 4; i++) {
		struct fdt_irq irq;
		int err = fdt_irq(b, timer, i, &irq);
		/* the reader refuses a PPI number beyond the GIC's range */
		CHECK(err == (d->timer_ppi[i] < 16 ? 0 : -EINVAL));
		CHECK(err || irq.intid == d->timer_ppi[i] + 16);
	}
	int uart = fdt_find_compatible(b, -1, "arm,pl011");
	CHECK((uart >= 0) == d->has_uart);
	if (uart >= 0)
		check_reg(b, uart, 0, gpa_bits(d->uart), 0x1000);
	check_chosen(d, b);
}

/* /chosen, the same on both boards. */
static void check_chosen(const struct guest_dtb *d, const uint8_t *b)
{
	const char *s;
	int chosen = fdt_path_offset(b, "/chosen");
	CHECK(chosen >= 0);
	int err = fdt_prop_string(b, chosen, "bootargs", &s);
	CHECK(d->bootargs ? err == 0 && !strcmp(s, d->bootargs) : err == -ENOENT);
	size_t len;
	const uint8_t *p = fdt_get_prop(b, chosen, "linux,initrd-start", &len);
	CHECK((p != NULL) == d->has_initrd);
	CHECK(!p || (len == 8 && be64_at(p) == gpa_bits(d->initrd_start)));
	p = fdt_get_prop(b, chosen, "linux,initrd-end", &len);
	CHECK(!p || (len == 8 && be64_at(p) == gpa_bits(d->initrd_end)));
	p = fdt_get_prop(b, chosen, "kaslr-seed", &len);
	CHECK((p != NULL) == d->has_kaslr_seed);
	CHECK(!p || (len == 8 && be64_at(p) == d->kaslr_seed));
	p = fdt_get_prop(b, chosen, "rng-seed", &len);
	CHECK((p != NULL) == d->has_rng_seed);
	p = fdt_get_prop(b, chosen, "tandem,boot-count", &len);
	CHECK((p != NULL) == (d->boot_count != 0));
	CHECK(!p || (len == 4 && ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
				  (uint32_t)p[2] << 8 | p[3]) == d->boot_count));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct guest_dtb d = { 0 };
	size_t cap = (size_t)take(&in, 2);
	unsigned nmem = (unsigned)take(&in, 1) % 16, ncpus = (unsigned)take(&in, 1) % 32;
	unsigned flags = (unsigned)take(&in, 1);

	d.uart_spi = (uint32_t)take(&in, 1);
	d.nmem = nmem;
	d.ncpus = ncpus;
	d.psci_smc = flags & 1;
	d.has_uart = flags & 2;
	d.has_initrd = flags & 4;
	d.has_kaslr_seed = flags & 8;
	d.has_rng_seed = flags & 16;
	for (unsigned i = 0; i < nmem; i++) {
		uint64_t base = take(&in, 8), len = take(&in, 8);
		if (i < GUEST_DTB_MAX_MEM)
			d.mem[i] = (struct guest_dtb_mem){ gpa_make(base), len };
	}
	for (unsigned i = 0; i < ncpus; i++) {
		uint64_t mpidr = take(&in, 8);
		if (i < GUEST_DTB_MAX_CPUS)
			d.mpidr[i] = mpidr;
	}
	d.gicd = gpa_make(take(&in, 8));
	d.gicd_size = take(&in, 8);
	d.gicr = gpa_make(take(&in, 8));
	d.gicr_size = take(&in, 8);
	d.uart = gpa_make(take(&in, 8));
	d.initrd_start = gpa_make(take(&in, 8));
	d.initrd_end = gpa_make(take(&in, 8));
	d.kaslr_seed = take(&in, 8);
	for (unsigned i = 0; i < 4; i++)
		d.timer_ppi[i] = (uint32_t)take(&in, 1) % 32;
	if (flags & 64)
		d.boot_count = (uint32_t)take(&in, 4);
	if (flags & 128) {
		d.board = GUEST_DTB_RISCV_VIRT;
		d.rv.plic = d.gicd;
		d.rv.plic_size = d.gicd_size;
		d.rv.timebase_hz = (uint32_t)take(&in, 4);
		d.rv.plic_ndev = (uint32_t)take(&in, 2);
		d.rv.uart_irq = (uint32_t)take(&in, 2);
		unsigned bits = (unsigned)take(&in, 1);
		d.rv.sstc = bits & 1;
		d.rv.sv48 = bits & 2;
	}
	memset(d.rng_seed, 0xA5, sizeof(d.rng_seed));
	char *args = NULL;
	if (flags & 32) {
		args = malloc(in.n + 1);
		CHECK(args);
		memcpy(args, in.p, in.n);
		args[in.n] = '\0';
		d.bootargs = args;
	}

	size_t need = 0;
	uint64_t *big = malloc(1 << 17);
	CHECK(big);
	int ref = guest_dtb_write(&d, big, 1 << 17, &need);
	CHECK(ref == (valid(&d) ? 0 : -EINVAL));
	if (ref == 0)
		check_tree(&d, (const uint8_t *)big, need);
	/* The capacity the input asks for: exactly fits, or -ENOSPC, never an overrun
	 * (the buffer is a heap block of exactly cap bytes). */
	uint64_t *buf = malloc(cap ? cap : 1);
	CHECK(buf);
	size_t got = 0;
	int err = guest_dtb_write(&d, buf, cap, &got);
	if (ref != 0)
		CHECK(err == ref);
	else if (cap >= need)
		CHECK(err == 0 && got == need && memcmp(buf, big, need) == 0);
	else
		CHECK(err == -ENOSPC);
	free(buf);
	free(big);
	free(args);
	return 0;
}
