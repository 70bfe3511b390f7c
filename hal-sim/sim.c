/* The simulation host's machine: pCPUs as POSIX threads with a thread-local id and
 * per-CPU pointer. Owns thread creation and teardown; memory lives in mem.c and the
 * interrupt wiring in irq.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "hal-sim/internal.h"
#include "hal-sim/sim.h"
#include "hal/err.h"

struct sim_machine sim;

static _Thread_local unsigned tls_pcpu_id;
static _Thread_local void *tls_percpu;

static int sim_check_config(const struct hal_sim_config *cfg)
{
	if (cfg->pcpus > HAL_MAX_PCPUS || cfg->nranges > HAL_MAX_MEM_RANGES || cfg->pa_bits > 64 ||
	    cfg->counter_hz > HAL_SIM_MAX_COUNTER_HZ)
		return -EINVAL;
	for (size_t i = 0; i < cfg->nranges; i++) {
		const struct hal_mem_range *r = &cfg->ranges[i];
		uint64_t base = pa_bits(r->base);
		if (base == 0 || r->size == 0 || (base & PAGE_MASK) || (r->size & PAGE_MASK))
			return -EINVAL;
		if (base + r->size < base)
			return -EINVAL;
		if (i > 0 && base < pa_bits(cfg->ranges[i - 1].base) + cfg->ranges[i - 1].size)
			return -EINVAL;
	}
	return 0;
}

/* hal_sim_set_id_reg's values, and which are set. */
static uint64_t id_override[64], id_overridden;

int hal_sim_init(const struct hal_sim_config *cfg)
{
	struct hal_sim_config def = { 0 };
	struct hal_mem_range one = { pa_make(HAL_SIM_DEFAULT_BASE), HAL_SIM_DEFAULT_SIZE };

	if (sim.up)
		return -EBUSY;
	if (!cfg)
		cfg = &def;
	int err = sim_check_config(cfg);
	if (err)
		return err;

	memset(&sim, 0, sizeof(sim));
	sim.npcpus = cfg->pcpus ? cfg->pcpus : HAL_SIM_DEFAULT_PCPUS;
	sim.pa_bits = cfg->pa_bits ? cfg->pa_bits : HAL_SIM_DEFAULT_PA_BITS;
	sim.counter_hz = cfg->counter_hz ? (uint32_t)cfg->counter_hz : HAL_SIM_DEFAULT_COUNTER_HZ;
	err = cfg->nranges ? sim_mem_init(cfg->ranges, cfg->nranges, cfg->populate)
			    : sim_mem_init(&one, 1, cfg->populate);
	if (err)
		return err;
	if ((err = sim_console_init())) {
		sim_mem_fini();
		return err;
	}
	pthread_mutex_init(&sim.start_lock, NULL);
	for (unsigned i = 0; i < sim.npcpus; i++)
		sim_pcpu_wire_init(&sim.pcpus[i]);
	sim_irq_init();
	sim.pcpus[0].state = SIM_PCPU_RUNNING;
	sim.pcpus[0].thread = pthread_self();
	tls_pcpu_id = 0;
	tls_percpu = NULL;
	sim.up = true;
	return 0;
}

void hal_sim_fini(void)
{
	if (!sim.up)
		return;
	for (unsigned i = 1; i < sim.npcpus; i++)
		hal_sim_join(i);
	for (unsigned i = 0; i < sim.npcpus; i++)
		sim_pcpu_wire_fini(&sim.pcpus[i]);
	sim_irq_fini();
	sim_console_fini();
	sim_mem_fini();
	pthread_mutex_destroy(&sim.start_lock);
	tls_percpu = NULL;
	id_overridden = 0;
	sim.up = false;
}

static void *sim_pcpu_main(void *arg)
{
	struct sim_pcpu *p = arg;

	tls_pcpu_id = (unsigned)(p - sim.pcpus);
	tls_percpu = NULL;
	p->entry(p->arg);
	pthread_mutex_lock(&sim.start_lock);
	p->state = SIM_PCPU_DONE;
	pthread_mutex_unlock(&sim.start_lock);
	return NULL;
}

int hal_pcpu_start(unsigned cpu, hal_pcpu_entry_t entry, void *arg)
{
	if (!sim.up || cpu >= sim.npcpus || !entry)
		return -EINVAL;
	pthread_mutex_lock(&sim.start_lock);
	struct sim_pcpu *p = &sim.pcpus[cpu];
	int err = 0;
	if (cpu == 0 || p->state == SIM_PCPU_RUNNING) {
		err = -EBUSY;
	} else {
		if (p->state == SIM_PCPU_DONE)
			pthread_join(p->thread, NULL);
		p->entry = entry;
		p->arg = arg;
		p->state = SIM_PCPU_RUNNING;
		if (pthread_create(&p->thread, NULL, sim_pcpu_main, p) != 0) {
			p->state = SIM_PCPU_OFF;
			err = -EIO;
		}
	}
	pthread_mutex_unlock(&sim.start_lock);
	return err;
}

int hal_sim_join(unsigned cpu)
{
	if (!sim.up || cpu == 0 || cpu >= sim.npcpus)
		return -EINVAL;
	pthread_mutex_lock(&sim.start_lock);
	struct sim_pcpu *p = &sim.pcpus[cpu];
	enum sim_pcpu_state state = p->state;
	pthread_t t = p->thread;
	pthread_mutex_unlock(&sim.start_lock);
	if (state == SIM_PCPU_OFF)
		return -ENOENT;
	/* Join outside the lock so the pCPU may itself start others meanwhile; a pCPU
	 * has one joiner (its starter or hal_sim_fini). */
	pthread_join(t, NULL);
	pthread_mutex_lock(&sim.start_lock);
	p->state = SIM_PCPU_OFF;
	pthread_mutex_unlock(&sim.start_lock);
	return 0;
}

unsigned hal_pcpu_count(void)
{
	return sim.up ? sim.npcpus : 1;
}

unsigned hal_cpu_pa_bits(void)
{
	return sim.up ? sim.pa_bits : HAL_SIM_DEFAULT_PA_BITS;
}

/* The simulated CPU's feature ID registers: a Cortex-A72 r0p3 with a GICv3 CPU interface
 * (Cortex-A72 TRM, "AArch64 identification registers"; QEMU's cortex-a72 reports the
 * same), its PARange the configured physical-address size. Indexed by CRm * 8 + op2;
 * what is not listed is unallocated and reads as zero. */
static const uint64_t a72_id[64] = {
	[1 * 8 + 0] = 0x00000131,         /* ID_PFR0_EL1 */
	[1 * 8 + 1] = 0x10011011,         /* ID_PFR1_EL1: GIC CPU interface */
	[1 * 8 + 2] = 0x03010066,         /* ID_DFR0_EL1: PerfMon v3 */
	[1 * 8 + 4] = 0x10201105,         /* ID_MMFR0_EL1 */
	[1 * 8 + 5] = 0x40000000,         /* ID_MMFR1_EL1 */
	[1 * 8 + 6] = 0x01260000,         /* ID_MMFR2_EL1 */
	[1 * 8 + 7] = 0x02102211,         /* ID_MMFR3_EL1 */
	[2 * 8 + 0] = 0x02101110,         /* ID_ISAR0_EL1 */
	[2 * 8 + 1] = 0x13112111,         /* ID_ISAR1_EL1 */
	[2 * 8 + 2] = 0x21232042,         /* ID_ISAR2_EL1 */
	[2 * 8 + 3] = 0x01112131,         /* ID_ISAR3_EL1 */
	[2 * 8 + 4] = 0x00011142,         /* ID_ISAR4_EL1 */
	[2 * 8 + 5] = 0x00011121,         /* ID_ISAR5_EL1 */
	[3 * 8 + 0] = 0x10110222,         /* MVFR0_EL1 */
	[3 * 8 + 1] = 0x12111111,         /* MVFR1_EL1 */
	[3 * 8 + 2] = 0x00000043,         /* MVFR2_EL1 */
	[4 * 8 + 0] = 0x01002222,         /* ID_AA64PFR0_EL1: EL0-3 AArch64+32, GICv3 */
	[5 * 8 + 0] = 0x10305106,         /* ID_AA64DFR0_EL1: Debug v8, PMUv3, 6 BRPs, 4 WRPs */
	[6 * 8 + 0] = 0x00011120,         /* ID_AA64ISAR0_EL1: AES, SHA1, SHA2, CRC32 */
	[7 * 8 + 0] = 0x00001120,         /* ID_AA64MMFR0_EL1: 4K and 64K granules, 16-bit ASID */
};

void hal_sim_set_id_reg(unsigned crm, unsigned op2, uint64_t value)
{
	if (crm >= 1 && crm <= 7 && op2 <= 7) {
		id_override[crm * 8 + op2] = value;
		id_overridden |= 1ull << (crm * 8 + op2);
	}
}

uint64_t hal_cpu_id_reg(unsigned crm, unsigned op2)
{
	static const unsigned parange[] = { 32, 36, 40, 42, 44, 48, 52 };

	if (crm < 1 || crm > 7 || op2 > 7)
		return 0;
	if (id_overridden & (1ull << (crm * 8 + op2)))
		return id_override[crm * 8 + op2];
	uint64_t v = a72_id[crm * 8 + op2];
	if (crm == 7 && op2 == 0) { /* PARange, from the configured size */
		unsigned pa = hal_cpu_pa_bits(), r = 0;
		while (r + 1 < sizeof(parange) / sizeof(parange[0]) && parange[r + 1] <= pa)
			r++;
		v |= r;
	}
	return v;
}

int hal_sim_act_as_pcpu(unsigned cpu)
{
	if (!sim.up || cpu >= sim.npcpus)
		return -EINVAL;
	tls_pcpu_id = cpu;
	return 0;
}

unsigned hal_pcpu_id(void)
{
	return tls_pcpu_id;
}

void hal_percpu_set(void *data)
{
	tls_percpu = data;
}

void *hal_percpu_get(void)
{
	return tls_percpu;
}

void hal_cpu_relax(void)
{
	sched_yield();
}

_Noreturn void hal_halt(void)
{
	sim_console_drain(); /* the panic's own line is in the queue */
	abort();
}
