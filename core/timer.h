/* Software timers: any number per pCPU, multiplexed onto the pCPU's one HAL one-shot.
 * A timer fires on the pCPU that armed it, and a pCPU's timers fire in deadline order
 * (equal deadlines in arming order). Used later by the scheduler (time slices) and the
 * virtual timer (waking a blocked vCPU). */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/spinlock.h"

struct timer;
typedef void (*timer_fn_t)(struct timer *t, void *arg);

struct timer_queue {
	struct spinlock lock;
	struct timer *head;    /* sorted by deadline */
	struct timer *running; /* whose callback runs right now (timer_cancel_sync) */
};

struct timer {
	uint64_t deadline;
	timer_fn_t fn;
	void *arg;
	struct timer *next;
	struct timer_queue *queue; /* NULL when not armed */
	struct timer_queue *fired_on; /* where its callback last ran */
};

void timer_queue_init(struct timer_queue *q);
void timer_init(struct timer *t, timer_fn_t fn, void *arg);

/* Arm t on the calling pCPU to run fn(t, arg) once hal_now_ns() >= deadline; a timer
 * already armed (on any pCPU) is moved. -EINVAL for NULL or an uninitialised timer,
 * -ENODEV if the calling pCPU has not been brought up by cpu_init_this. */
int timer_arm(struct timer *t, uint64_t deadline_ns);

/* Disarm t from any pCPU; -ENOENT if it was not armed (or has already fired). Its
 * pCPU may take one spurious timer IRQ afterwards, which is harmless. */
int timer_cancel(struct timer *t);

/* timer_cancel, and then wait until a callback of t that already started on another
 * pCPU has returned: after it, t and its argument may be freed. Not from t's own
 * callback. */
int timer_cancel_sync(struct timer *t);

/* The HAL timer IRQ handler: runs this pCPU's expired timers, re-arms the one-shot. */
void timer_irq(unsigned irq, void *arg);

#endif
