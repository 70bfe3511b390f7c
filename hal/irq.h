/* HAL contract: host interrupts and IPIs (AxVCpuHal's irq_fetch / irq_handler).
 *
 * Tandem runs with host IRQs masked; they are taken only where a pCPU waits
 * (hal_cpu_idle) or where a guest exits because of one. The owner of the loop then
 * calls hal_irq_fetch and hal_irq_dispatch until nothing is pending.
 *
 * Numbers follow the host interrupt controller: on the GICv3 (and in the simulation
 * host, which copies it) 0-15 are the IPIs (SGIs), 16-31 per-pCPU interrupts (PPIs),
 * 32 and up shared device interrupts (SPIs). IRQs below HAL_IRQ_PRIVATE are enabled
 * per pCPU; the others globally. A lower number is the higher priority. */
#ifndef HAL_IRQ_H
#define HAL_IRQ_H

#include <stdbool.h>

#define HAL_IRQ_COUNT 1024u
#define HAL_IRQ_PRIVATE 32u
#define HAL_IPI_COUNT 16u

typedef void (*hal_irq_handler_t)(unsigned irq, void *arg);

/* Install the handler for irq (one per IRQ, shared by every pCPU). -EINVAL for a bad
 * number or NULL fn, -EBUSY if one is installed. Called by core at boot. */
int hal_irq_register(unsigned irq, hal_irq_handler_t fn, void *arg);

/* Remove the handler of irq; -EINVAL for a bad number, -ENOENT if none. */
int hal_irq_unregister(unsigned irq);

/* Let irq be delivered (private IRQs: on the calling pCPU only) or stop it; a pending
 * disabled IRQ stays pending. -EINVAL for a bad number. */
int hal_irq_enable(unsigned irq);
int hal_irq_disable(unsigned irq);

/* Acknowledge the highest-priority pending enabled IRQ of this pCPU and store its
 * number; -EINVAL on NULL, -ENOENT when none is pending. Called by core/cpu.c. */
int hal_irq_fetch(unsigned *irq);

/* Run irq's handler on this pCPU, then signal end of interrupt. -EINVAL for a bad
 * number, -ENOENT (after EOI) if no handler is installed. Called by core/cpu.c. */
int hal_irq_dispatch(unsigned irq);

/* Forward irq to guests (on) or not: a forwarded interrupt's dispatch only drops its
 * priority and leaves it active, so that it does not fire again until a guest's
 * completion of the virtual interrupt linked to it (a hardware list register)
 * deactivates it, or hal_irq_deactivate does. -EINVAL for a bad number. */
int hal_irq_forward(unsigned irq, bool on);

/* Deactivate a forwarded interrupt left active on this pCPU, or make one active before
 * a guest entry, so that it cannot fire while the guest has its virtual twin (the
 * guest's completion deactivates it). */
void hal_irq_deactivate(unsigned irq);
void hal_irq_activate(unsigned irq);

/* Make IPI `ipi` (0 .. HAL_IPI_COUNT-1) pending on pCPU `cpu`, waking it if it waits.
 * Two sends before delivery coalesce, as on the GIC. -EINVAL for a bad id. */
int hal_ipi_send(unsigned cpu, unsigned ipi);

/* The per-pCPU IRQ raised when this pCPU's one-shot timer (hal/time.h) expires. */
unsigned hal_timer_irq(void);

#endif
