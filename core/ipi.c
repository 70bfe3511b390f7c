/* Per-pCPU FIFO of cross-pCPU calls. The queue is drained completely on each IPI, so a
 * coalesced IPI loses no message, and a message is unlinked before it runs, so none
 * runs twice. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/ipi.h"
#include "hal/err.h"
#include "hal/irq.h"

void ipi_queue_init(struct ipi_queue *q)
{
	q->lock = (struct spinlock)SPINLOCK_INIT;
	q->head = q->tail = NULL;
}

int ipi_call(unsigned cpu, struct ipi_msg *m, void (*fn)(void *arg), void *arg)
{
	struct pcpu *target = cpu_get(cpu);

	if (!m || !fn || !target)
		return -EINVAL;
	if (__atomic_load_n(&m->state, __ATOMIC_ACQUIRE) == IPI_MSG_QUEUED)
		return -EBUSY;
	m->fn = fn;
	m->arg = arg;
	m->next = NULL;
	__atomic_store_n(&m->state, IPI_MSG_QUEUED, __ATOMIC_RELAXED);
	struct ipi_queue *q = &target->ipis;
	spin_lock(&q->lock);
	/* Checked under the queue lock, which cpu_exit_this also takes to go down, so a
	 * message is either refused or drained by the target. */
	if (!cpu_is_up(target)) {
		spin_unlock(&q->lock);
		__atomic_store_n(&m->state, IPI_MSG_IDLE, __ATOMIC_RELAXED);
		return -ENODEV;
	}
	if (q->tail)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	spin_unlock(&q->lock);
	return hal_ipi_send(cpu, IPI_CALL);
}

bool ipi_msg_done(const struct ipi_msg *m)
{
	return __atomic_load_n(&m->state, __ATOMIC_ACQUIRE) == IPI_MSG_DONE;
}

void ipi_call_irq(unsigned irq, void *arg)
{
	struct pcpu *cpu = this_cpu();
	(void)irq;
	(void)arg;

	if (!cpu)
		return;
	struct ipi_queue *q = &cpu->ipis;
	for (;;) {
		spin_lock(&q->lock);
		struct ipi_msg *m = q->head;
		if (m) {
			q->head = m->next;
			if (!q->head)
				q->tail = NULL;
		}
		spin_unlock(&q->lock);
		if (!m)
			return;
		void (*fn)(void *) = m->fn;
		void *fn_arg = m->arg;
		fn(fn_arg);
		/* After this store the sender may reuse or free m: touch it no more. */
		__atomic_store_n(&m->state, IPI_MSG_DONE, __ATOMIC_RELEASE);
	}
}
