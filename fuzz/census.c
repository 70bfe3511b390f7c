/* fuzz/census: what a corpus reaches of Tandem's dispatch tables, for the coverage
 * report of scripts/fuzz --coverage. Linked into the fuzz targets only when
 * -Dfuzz_census=true, with the linker's --wrap around the entry points of the three
 * tables: arch_vcpu_decode (the exception-class table, by ESR_EL2.EC), psci_decode
 * (PSCI and SMCCC calls, by function ID in W0 and the HVC/SMC immediate) and the vGIC's
 * distributor and redistributor accessors (by register offset, width and direction).
 * Each call is counted and passed on unchanged; at exit the counts are appended to the
 * file named by TANDEM_CENSUS, one line each:
 *   trap sync|irq|fiq|serror|other COUNT
 *   ec 0xEC COUNT
 *   psci 0xIMM 0xFID COUNT
 *   gicd|gicr r|w 0xOFFSET WIDTH COUNT   (gicr offsets within one vCPU's 128 KiB)
 * scripts/fuzz names the entries from the architecture's tables. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/aarch64/psci.h"
#include "arch/aarch64/sysreg.h"
#include "arch/aarch64/vgic.h"

void census_quiet(bool quiet);

void __real_arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap,
			     struct vm_exit *exit);
void __wrap_arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap,
			     struct vm_exit *exit);
void __real_psci_decode(struct arch_vcpu *v, uint16_t imm, struct vm_exit *exit);
void __wrap_psci_decode(struct arch_vcpu *v, uint16_t imm, struct vm_exit *exit);
int __real_vgic_dist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value);
int __wrap_vgic_dist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value);
int __real_vgic_dist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
			   uint64_t *kick);
int __wrap_vgic_dist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
			   uint64_t *kick);
int __real_vgic_redist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value);
int __wrap_vgic_redist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value);
int __real_vgic_redist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
			     uint64_t *kick);
int __wrap_vgic_redist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
			     uint64_t *kick);

enum { TRAP_KINDS = 5, PSCI_SLOTS = 512, WIDTHS = 4 };

static uint64_t traps[TRAP_KINDS];
static uint64_t ecs[EC_MAX + 1];
static struct {
	uint32_t fid;
	uint16_t imm;
	uint64_t count;
} calls[PSCI_SLOTS];
static uint64_t calls_dropped;
/* [read 0 / write 1][byte offset][log2 width, widths above 4 bytes in the last slot];
 * an offset past the distributor's window is counted at its last byte. */
static uint64_t gicd[2][VGIC_DIST_SIZE][WIDTHS];
static uint64_t gicr[2][VGIC_REDIST_STRIDE][WIDTHS];
static bool quiet;
static bool registered;

static const char *const trap_names[TRAP_KINDS] = { "sync", "irq", "fiq", "serror", "other" };

/* A target's own invariant checks read registers too; they are not what the input
 * reached. */
void census_quiet(bool q)
{
	quiet = q;
}

static void write_gic(FILE *f, const char *name, unsigned dir, uint64_t size,
		      const uint64_t (*counts)[WIDTHS])
{
	for (uint64_t off = 0; off < size; off++)
		for (unsigned w = 0; w < WIDTHS; w++)
			if (counts[off][w])
				fprintf(f, "%s %c 0x%05llx %u %llu\n", name, dir ? 'w' : 'r',
					(unsigned long long)off, 1u << w,
					(unsigned long long)counts[off][w]);
}

static void census_write(void)
{
	const char *path = getenv("TANDEM_CENSUS");
	if (!path)
		return;
	FILE *f = fopen(path, "a");
	if (!f) {
		perror(path);
		return;
	}
	for (unsigned i = 0; i < TRAP_KINDS; i++)
		if (traps[i])
			fprintf(f, "trap %s %llu\n", trap_names[i], (unsigned long long)traps[i]);
	for (unsigned i = 0; i <= EC_MAX; i++)
		if (ecs[i])
			fprintf(f, "ec 0x%02x %llu\n", i, (unsigned long long)ecs[i]);
	for (unsigned i = 0; i < PSCI_SLOTS; i++)
		if (calls[i].count)
			fprintf(f, "psci 0x%x 0x%08x %llu\n", calls[i].imm, calls[i].fid,
				(unsigned long long)calls[i].count);
	if (calls_dropped)
		fprintf(f, "psci-dropped %llu\n", (unsigned long long)calls_dropped);
	for (unsigned dir = 0; dir < 2; dir++) {
		write_gic(f, "gicd", dir, VGIC_DIST_SIZE, gicd[dir]);
		write_gic(f, "gicr", dir, VGIC_REDIST_STRIDE, gicr[dir]);
	}
	fclose(f);
}

static void census_register(void)
{
	if (!registered) {
		registered = true;
		atexit(census_write);
	}
}

void __wrap_arch_vcpu_decode(struct arch_vcpu *v, const struct guest_exit *trap,
			     struct vm_exit *exit)
{
	census_register();
	switch (trap->type) {
	case TRAP_SYNC:
		traps[0]++;
		ecs[ESR_EC(trap->esr)]++;
		break;
	case TRAP_IRQ: traps[1]++; break;
	case TRAP_FIQ: traps[2]++; break;
	case TRAP_SERROR: traps[3]++; break;
	default: traps[4]++; break;
	}
	__real_arch_vcpu_decode(v, trap, exit);
}

/* The slot counting (imm, fid), or a free one; NULL when all are taken. */
static uint64_t *call_slot(uint16_t imm, uint32_t fid)
{
	for (unsigned i = 0; i < PSCI_SLOTS; i++) {
		if (calls[i].count && (calls[i].fid != fid || calls[i].imm != imm))
			continue;
		calls[i].fid = fid;
		calls[i].imm = imm;
		return &calls[i].count;
	}
	return NULL;
}

void __wrap_psci_decode(struct arch_vcpu *v, uint16_t imm, struct vm_exit *exit)
{
	uint64_t *count = call_slot(imm, (uint32_t)v->ctx.x[0]);

	census_register();
	(*(count ? count : &calls_dropped))++;
	__real_psci_decode(v, imm, exit);
}

static unsigned width_slot(unsigned width)
{
	return width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : 3;
}

static void count_gic(uint64_t (*counts)[WIDTHS], uint64_t size, uint64_t off, unsigned width)
{
	census_register();
	if (!quiet)
		counts[off < size ? off : size - 1][width_slot(width)]++;
}

int __wrap_vgic_dist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value)
{
	count_gic(gicd[0], VGIC_DIST_SIZE, off, width);
	return __real_vgic_dist_read(g, off, width, value);
}

int __wrap_vgic_dist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
			   uint64_t *kick)
{
	count_gic(gicd[1], VGIC_DIST_SIZE, off, width);
	return __real_vgic_dist_write(g, off, width, value, kick);
}

int __wrap_vgic_redist_read(struct vgic *g, uint64_t off, unsigned width, uint64_t *value)
{
	count_gic(gicr[0], VGIC_REDIST_STRIDE, off % VGIC_REDIST_STRIDE, width);
	return __real_vgic_redist_read(g, off, width, value);
}

int __wrap_vgic_redist_write(struct vgic *g, uint64_t off, unsigned width, uint64_t value,
			     uint64_t *kick)
{
	count_gic(gicr[1], VGIC_REDIST_STRIDE, off % VGIC_REDIST_STRIDE, width);
	return __real_vgic_redist_write(g, off, width, value, kick);
}
