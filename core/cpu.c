/* pCPU bring-up and the interrupt loop shared by idle and, later, the vCPU run loop. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "core/vtimer.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/guest.h"
#include "hal/irq.h"

static struct pcpu pcpus[HAL_MAX_PCPUS];

static void ipi_kick_irq(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
}

/* The exit it caused is all it is for: the next entry refills the list registers. (On
 * the GICv3 the exit turns the virtual interface off, which lowers the line, so this
 * handler may never even run.) */
__attribute__((unused)) static void maintenance_irq(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
}

int cpu_boot_init(void)
{
	for (unsigned i = 0; i < HAL_MAX_PCPUS; i++) {
		pcpus[i] = (struct pcpu){ .id = i };
		timer_queue_init(&pcpus[i].timers);
		ipi_queue_init(&pcpus[i].ipis);
	}
	int err = hal_irq_register(hal_timer_irq(), timer_irq, NULL);
	if (!err)
		err = hal_irq_register(IPI_CALL, ipi_call_irq, NULL);
	if (!err)
		err = hal_irq_register(IPI_KICK, ipi_kick_irq, NULL);
#if ARCH_VTIMER_FORWARDED
	/* The virtual timer's physical interrupt goes to the guest that ran, linked. */
	if (!err)
		err = hal_irq_register(ARCH_VTIMER_IRQ, vtimer_forwarded_irq, NULL);
	if (!err)
		err = hal_irq_forward(ARCH_VTIMER_IRQ, true);
#endif
#ifdef ARCH_IRQCHIP_MAINTENANCE_IRQ
	if (!err)
		err = hal_irq_register(ARCH_IRQCHIP_MAINTENANCE_IRQ, maintenance_irq, NULL);
#endif
	hal_guest_set_early(vm_early_exits() ? arch_exit_early : NULL); /* as vm_set_trace */
	return err;
}

int cpu_init_this(void)
{
	struct pcpu *cpu = &pcpus[hal_pcpu_id()];

	if (__atomic_load_n(&cpu->up, __ATOMIC_ACQUIRE))
		return -EBUSY;
	hal_percpu_set(cpu);
	hal_irq_enable(hal_timer_irq());
	hal_irq_enable(IPI_CALL);
	hal_irq_enable(IPI_KICK);
#if ARCH_VTIMER_FORWARDED
	hal_irq_enable(ARCH_VTIMER_IRQ);
#endif
#ifdef ARCH_IRQCHIP_MAINTENANCE_IRQ
	hal_irq_enable(ARCH_IRQCHIP_MAINTENANCE_IRQ);
#endif
	__atomic_store_n(&cpu->up, 1, __ATOMIC_RELEASE);
	return 0;
}

void cpu_exit_this(void)
{
	struct pcpu *cpu = this_cpu();

	if (!cpu)
		return;
	/* Going down under the IPI queue lock means every message accepted before is
	 * in the queue now; run them so no sender waits forever. */
	spin_lock(&cpu->ipis.lock);
	__atomic_store_n(&cpu->up, 0, __ATOMIC_RELEASE);
	spin_unlock(&cpu->ipis.lock);
	ipi_call_irq(IPI_CALL, NULL);
	cpu_handle_irqs();
	hal_percpu_set(NULL);
}

struct pcpu *this_cpu(void)
{
	return hal_percpu_get();
}

struct pcpu *cpu_get(unsigned id)
{
	return id < hal_pcpu_count() && id < HAL_MAX_PCPUS ? &pcpus[id] : NULL;
}

bool cpu_is_up(const struct pcpu *cpu)
{
	return __atomic_load_n(&cpu->up, __ATOMIC_ACQUIRE);
}

unsigned cpu_handle_irqs(void)
{
	struct pcpu *cpu = this_cpu();
	unsigned irq, n = 0;

	while (hal_irq_fetch(&irq) == 0) {
		n++;
		if (hal_irq_dispatch(irq) == 0) {
			if (cpu)
				cpu->irqs_handled++;
		} else {
			if (cpu)
				cpu->irqs_unhandled++;
			log_warn("IRQ %u has no handler", irq);
		}
	}
	return n;
}

void cpu_idle(void)
{
	hal_cpu_idle();
	cpu_handle_irqs();
}
