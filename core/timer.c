/* Per-pCPU timer queues: a sorted list under a spinlock, because a pCPU rarely has more
 * than a handful of timers (its time slice, the virtual timers of its vCPUs). Callbacks
 * run without the lock held, so they may re-arm themselves. */
#include <stddef.h>

#include "core/cpu.h"
#include "hal/cpu.h"
#include "core/timer.h"
#include "hal/err.h"
#include "hal/time.h"

void timer_queue_init(struct timer_queue *q)
{
	q->lock = (struct spinlock)SPINLOCK_INIT;
	q->head = NULL;
	q->running = NULL;
}

void timer_init(struct timer *t, timer_fn_t fn, void *arg)
{
	*t = (struct timer){ .fn = fn, .arg = arg };
}

/* Caller holds q->lock; true if t was in q. */
static bool unlink_locked(struct timer_queue *q, struct timer *t)
{
	for (struct timer **pp = &q->head; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			__atomic_store_n(&t->queue, NULL, __ATOMIC_RELEASE);
			return true;
		}
	}
	return false;
}

/* Program the HAL one-shot for q's earliest deadline. Caller holds q->lock and runs on
 * q's pCPU. */
static void reprogram_locked(struct timer_queue *q)
{
	if (q->head)
		hal_timer_arm(q->head->deadline);
	else
		hal_timer_disarm();
}

/* Lock the queue t is armed on, stable against a concurrent move; NULL if unarmed. */
static struct timer_queue *lock_queue_of(struct timer *t)
{
	for (;;) {
		struct timer_queue *q = __atomic_load_n(&t->queue, __ATOMIC_ACQUIRE);
		if (!q)
			return NULL;
		spin_lock(&q->lock);
		if (__atomic_load_n(&t->queue, __ATOMIC_ACQUIRE) == q)
			return q;
		spin_unlock(&q->lock);
	}
}

int timer_cancel(struct timer *t)
{
	if (!t)
		return -EINVAL;
	struct timer_queue *q = lock_queue_of(t);
	if (!q)
		return -ENOENT;
	unlink_locked(q, t);
	spin_unlock(&q->lock);
	return 0;
}

int timer_cancel_sync(struct timer *t)
{
	int err = timer_cancel(t);

	if (!t)
		return err;
	struct timer_queue *q = __atomic_load_n(&t->fired_on, __ATOMIC_ACQUIRE);
	while (q && __atomic_load_n(&q->running, __ATOMIC_ACQUIRE) == t)
		hal_cpu_relax();
	return err;
}

int timer_arm(struct timer *t, uint64_t deadline_ns)
{
	struct pcpu *cpu = this_cpu();

	if (!t || !t->fn)
		return -EINVAL;
	if (!cpu)
		return -ENODEV;
	timer_cancel(t);
	struct timer_queue *q = &cpu->timers;
	spin_lock(&q->lock);
	struct timer **pp = &q->head;
	while (*pp && (*pp)->deadline <= deadline_ns)
		pp = &(*pp)->next;
	t->deadline = deadline_ns;
	t->next = *pp;
	*pp = t;
	__atomic_store_n(&t->queue, q, __ATOMIC_RELEASE);
	reprogram_locked(q);
	spin_unlock(&q->lock);
	return 0;
}

void timer_irq(unsigned irq, void *arg)
{
	struct pcpu *cpu = this_cpu();
	(void)irq;
	(void)arg;

	if (!cpu)
		return;
	struct timer_queue *q = &cpu->timers;
	spin_lock(&q->lock);
	while (q->head && q->head->deadline <= hal_now_ns()) {
		struct timer *t = q->head;
		/* Marked running before it looks unarmed, so that timer_cancel_sync, which
		 * sees it unarmed, also sees it running. */
		__atomic_store_n(&t->fired_on, q, __ATOMIC_RELEASE);
		__atomic_store_n(&q->running, t, __ATOMIC_RELEASE);
		unlink_locked(q, t);
		spin_unlock(&q->lock);
		t->fn(t, t->arg);
		spin_lock(&q->lock);
		__atomic_store_n(&q->running, NULL, __ATOMIC_RELEASE);
	}
	reprogram_locked(q);
	spin_unlock(&q->lock);
}
