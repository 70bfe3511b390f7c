/* Boot argument "s1check": the software stage-1 walk that the gdb stub reads guest
 * memory through (arch_vcpu_translate) against the hardware's own walk (AT S1E1R,
 * hal_guest_translate) on live guests, unmodified Linux above all. The hardware holds
 * a vCPU's EL1&0 regime (its translation registers, VTTBR_EL2, HCR_EL2) only while the
 * vCPU is loaded on a pCPU, so each pCPU checks the vCPU loaded on it, from a timer of
 * its own, every S1CHECK_PERIOD_NS: with the guest's MMU on it translates a set of VAs
 * both ways, where the guest's state says its mappings are (the PC, the stacks, the
 * vector base and a sweep of the image around it, the linear map, a user program's
 * usual base) and any the boot arguments add, and counts: the same IPA, a fault both
 * ways, or a difference, which is logged with both answers. A pCPU stops after
 * S1CHECK_ROUNDS such rounds, and logs its totals as it leaves the VMs (however short
 * their run was). A VA whose page the guest changes between
 * the two walks could differ without a bug; the sweep never writes, so that is rare. */
#include <stddef.h>

#include "arch/aarch64/arch.h"
#include "arch/aarch64/s1walk.h"
#include "core/aspace.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/timer.h"
#include "core/vmset.h"
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal/cpu.h"
#include "hal/guest.h"
#include "hal/time.h"
#include "tools/tandem/s1check.h"

#define S1CHECK_PERIOD_NS 100000000ull
#define S1CHECK_ROUNDS 100 /* 10 s with the MMU on: a Linux boot to its init */
#define S1CHECK_EXTRA 8
#define SZ_64K 0x10000ull
#define SZ_1M 0x100000ull
#define SZ_2M 0x200000ull

struct s1check_cpu {
	struct timer timer;
	struct vmset *set;
	const char *vm; /* the last one checked */
	unsigned rounds;
	uint64_t alike, faults, differ;
};

static bool enabled;
static uint64_t extra[S1CHECK_EXTRA];
static unsigned nextra;
static struct s1check_cpu cpus[BM_MAX_PCPUS];

/* "HEX,HEX,..." (0x optional) up to a space: the VAs into extra[]. */
static void parse_extra(const char *p)
{
	while (*p && *p != ' ' && nextra < S1CHECK_EXTRA) {
		uint64_t v = 0;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		while (fmt_hex_digit(*p) >= 0)
			v = v << 4 | (uint64_t)fmt_hex_digit(*p++);
		extra[nextra++] = v;
		if (*p != ',')
			break;
		p++;
	}
}

bool s1check_init(const char *bootargs)
{
	for (const char *p = bootargs; *p;) {
		while (*p == ' ')
			p++;
		size_t len = 0;
		while (p[len] && p[len] != ' ')
			len++;
		if (len == 7 && td_strncmp(p, "s1check", 7) == 0)
			enabled = true;
		else if (len > 11 && td_strncmp(p, "s1check-va=", 11) == 0)
			parse_extra(p + 11);
		p += len;
	}
	return enabled;
}

/* The vCPU (of the set) whose system registers this pCPU's hardware holds, if any. */
static struct vcpu *loaded_vcpu(struct vmset *set)
{
	const struct guest_ctx *ctx = bm_self()->loaded;

	for (unsigned i = 0; ctx && i < set->n; i++)
		for (unsigned k = 0; k < set->vms[i]->nvcpus; k++)
			if (&set->vms[i]->vcpus[k].arch.ctx == ctx)
				return &set->vms[i]->vcpus[k];
	return NULL;
}

static int read_ipa(void *ctx, gpa_t ipa, void *buf, size_t len)
{
	return as_read(&((struct vm *)ctx)->as, ipa, buf, len);
}

/* va both ways, counted; a difference logged. */
static void check_va(struct s1check_cpu *c, struct vcpu *v, uint64_t va)
{
	gpa_t sw, hw;
	int sw_err = arch_vcpu_translate(&v->arch, gva_make(va), read_ipa, v->vm, &sw);
	int hw_err = hal_guest_translate(gva_make(va), &hw);

	if (sw_err && hw_err) {
		c->faults++;
	} else if (!sw_err && !hw_err && gpa_bits(sw) == gpa_bits(hw)) {
		c->alike++;
	} else {
		c->differ++;
		log_err("s1check: vm %s vcpu %u VA 0x%llx: software walk %s 0x%llx, AT S1E1R %s "
			"0x%llx", v->vm->name, v->id, (unsigned long long)va,
			sw_err ? "faults" : "gives", sw_err ? 0ull : (unsigned long long)gpa_bits(sw),
			hw_err ? "faults" : "gives", hw_err ? 0ull : (unsigned long long)gpa_bits(hw));
	}
}

/* One round on v, loaded here with its MMU on. */
static void check_vcpu(struct s1check_cpu *c, struct vcpu *v)
{
	const struct arch_vcpu *a = &v->arch;
	uint64_t tcr = arch_vcpu_el1(a, TCR_EL1);
	unsigned t1sz = (unsigned)(tcr >> TCR_T1SZ_SHIFT) & 0x3F;
	const uint64_t regs[] = { a->ctx.pc, arch_vcpu_el1(a, SP_EL1), arch_vcpu_el1(a, SP_EL0),
				  arch_vcpu_el1(a, VBAR_EL1), arch_vcpu_el1(a, ELR_EL1),
				  arch_vcpu_el1(a, FAR_EL1) };

	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		check_va(c, v, regs[i]);
	for (unsigned i = 0; i < nextra; i++)
		check_va(c, v, extra[i]);
	/* The kernel's image: 32 MiB from the 2 MiB block its vectors are in. */
	uint64_t image = arch_vcpu_el1(a, VBAR_EL1) & ~(SZ_2M - 1);
	for (unsigned i = 0; i < 512; i++)
		check_va(c, v, image + i * SZ_64K + (i % 16) * 0x1000);
	/* The bottom of the upper range (Linux's linear map of RAM), 256 MiB of it. */
	uint64_t upper = t1sz ? ~0ull << (64 - t1sz) : 0;
	for (unsigned i = 0; i < 256; i++)
		check_va(c, v, upper + i * SZ_1M + (i % 256) * 0x1000);
	/* A user program's usual base. */
	for (unsigned i = 0; i < 16; i++)
		check_va(c, v, 0x400000 + i * 0x1000ull);
}

static void s1check_tick(struct timer *t, void *arg)
{
	struct s1check_cpu *c = arg;
	struct vcpu *v = loaded_vcpu(c->set);

	if (v && (arch_vcpu_el1(&v->arch, SCTLR_EL1) & SCTLR_EL1_M)) {
		check_vcpu(c, v);
		c->vm = v->vm->name;
		if (++c->rounds == S1CHECK_ROUNDS)
			return;
	}
	timer_arm(t, hal_now_ns() + S1CHECK_PERIOD_NS);
}

void s1check_start_this(struct vmset *set)
{
	struct s1check_cpu *c = &cpus[hal_pcpu_id() % BM_MAX_PCPUS];

	if (!enabled)
		return;
	c->set = set;
	timer_init(&c->timer, s1check_tick, c);
	timer_arm(&c->timer, hal_now_ns() + S1CHECK_PERIOD_NS);
}

void s1check_stop_this(void)
{
	struct s1check_cpu *c = &cpus[hal_pcpu_id() % BM_MAX_PCPUS];

	if (!enabled)
		return;
	timer_cancel_sync(&c->timer);
	log_info("s1check: pCPU %u: %u rounds, vm %s: %llu VAs translate alike, %llu fault "
		 "alike, %llu differ", hal_pcpu_id(), c->rounds, c->vm ? c->vm : "none",
		 (unsigned long long)c->alike, (unsigned long long)c->faults,
		 (unsigned long long)c->differ);
}
