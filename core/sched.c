/* Run queues and what each pCPU runs next. A vCPU is on at most one queue (its home
 * pCPU's), tracked by vcpu->queued under that queue's lock. The loop that enters a
 * vCPU and handles its exits is core/run.c's; it asks here whether its slice is over
 * and whether others wait (then its WFE traps). Lock order: core/lockorder.h. */
#include <stddef.h>

#include "core/cpu.h"
#include "core/ipi.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/vm.h"
#include "hal/cpu.h"
#include "hal/irq.h"
#include "hal/time.h"

struct runq {
	struct spinlock lock;
	struct vcpu *head, *tail;
	uint32_t len; /* written under the lock, read without it (atomic) */
};

struct sched_cpu {
	struct runq rq;
	struct rand_state rng;
	struct vcpu *current;
	struct timer slice;
	uint32_t slice_over;
};

static struct sched_cpu cpus[HAL_MAX_PCPUS];
static enum sched_mode mode;
static uint64_t slice_ns;
static uint64_t preemptions;
static bool jitter;

/* The vCPU this pCPU runs now leaves its fast path: it runs here, so it cannot be
 * put (and c->current cleared) while this runs on the same pCPU. */
static void attend_current(struct sched_cpu *c)
{
	struct vcpu *cur = __atomic_load_n(&c->current, __ATOMIC_ACQUIRE);

	if (cur)
		vcpu_attend(cur);
}

static void slice_end(struct timer *t, void *arg)
{
	struct sched_cpu *c = arg;
	(void)t;
	__atomic_store_n(&c->slice_over, 1, __ATOMIC_RELEASE);
	attend_current(c);
	__atomic_fetch_add(&preemptions, 1, __ATOMIC_RELAXED);
}

void sched_init(enum sched_mode m, uint64_t slice)
{
	mode = m;
	slice_ns = slice ? slice : SCHED_DEFAULT_SLICE_NS;
	preemptions = 0;
	jitter = false;
	for (unsigned i = 0; i < HAL_MAX_PCPUS; i++) {
		cpus[i] = (struct sched_cpu){ .rq.lock = SPINLOCK_INIT };
		timer_init(&cpus[i].slice, slice_end, &cpus[i]);
	}
}

void sched_set_seed(uint64_t seed)
{
	jitter = seed != 0;
	for (unsigned i = 0; i < HAL_MAX_PCPUS; i++)
		rand_seed(&cpus[i].rng, seed * 0x9E3779B97F4A7C15ull + i);
}

static uint64_t slice_length(struct sched_cpu *c)
{
	if (!jitter)
		return slice_ns;
	return slice_ns / 2 + rand_next(&c->rng) % (slice_ns + 1);
}

enum sched_mode sched_mode(void)
{
	return mode;
}

uint64_t sched_preemptions(void)
{
	return __atomic_load_n(&preemptions, __ATOMIC_RELAXED);
}

struct vcpu *sched_current(void)
{
	struct pcpu *p = this_cpu();

	return p ? __atomic_load_n(&cpus[p->id].current, __ATOMIC_ACQUIRE) : NULL;
}

/* Queue v on its home pCPU and kick that pCPU. */
static void enqueue(struct vcpu *v)
{
	struct runq *q = &cpus[v->home].rq;

	spin_lock(&q->lock);
	if (!v->queued) {
		v->queued = true;
		__atomic_fetch_add(&v->sched_refs, 1, __ATOMIC_ACQ_REL);
		v->rq_next = NULL;
		if (q->tail)
			q->tail->rq_next = v;
		else
			q->head = v;
		q->tail = v;
		__atomic_store_n(&q->len, q->len + 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&q->lock);
	hal_ipi_send(v->home, IPI_KICK);
}

void sched_remove(struct vcpu *v)
{
	struct runq *q = &cpus[v->home].rq;

	spin_lock(&q->lock);
	if (v->queued) {
		struct vcpu **pp = &q->head, *prev = NULL;
		while (*pp && *pp != v) {
			prev = *pp;
			pp = &(*pp)->rq_next;
		}
		if (*pp) {
			*pp = v->rq_next;
			if (q->tail == v)
				q->tail = prev;
			__atomic_store_n(&q->len, q->len - 1, __ATOMIC_RELEASE);
		}
		v->queued = false;
		__atomic_fetch_sub(&v->sched_refs, 1, __ATOMIC_ACQ_REL);
	}
	spin_unlock(&q->lock);
}

static struct vcpu *rq_pop(struct runq *q)
{
	spin_lock(&q->lock);
	struct vcpu *v = q->head;
	if (v) {
		q->head = v->rq_next;
		if (!q->head)
			q->tail = NULL;
		v->queued = false;
		__atomic_store_n(&q->len, q->len - 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&q->lock);
	return v;
}

void sched_kick_all(void)
{
	for (unsigned i = 0; i < hal_pcpu_count(); i++)
		hal_ipi_send(i, IPI_KICK);
}

void sched_make_runnable(struct vcpu *v)
{
	/* Only a FREE vCPU waits in a queue. One that a stop, a wake-up or its VM's stop
	 * moved on in between is dropped again when its turn comes (vcpu_load fails). */
	if (vcpu_state(v) == VCPU_FREE)
		enqueue(v);
}

/* Whether another vCPU waits for this pCPU (the one running here is in no queue). */
static bool others_waiting(struct sched_cpu *c)
{
	return __atomic_load_n(&c->rq.len, __ATOMIC_ACQUIRE) != 0;
}

bool sched_others_waiting(void)
{
	struct pcpu *p = this_cpu();

	return p && others_waiting(&cpus[p->id]);
}

bool sched_slice_over(void)
{
	struct pcpu *p = this_cpu();

	return p && __atomic_load_n(&cpus[p->id].slice_over, __ATOMIC_ACQUIRE);
}

void sched_cede(void)
{
	struct pcpu *p = this_cpu();

	if (p && others_waiting(&cpus[p->id])) {
		__atomic_store_n(&cpus[p->id].slice_over, 1, __ATOMIC_RELEASE);
		attend_current(&cpus[p->id]);
	}
}

static void start_slice(struct sched_cpu *c)
{
	__atomic_store_n(&c->slice_over, 0, __ATOMIC_RELAXED);
	if (mode == SCHED_TIMESHARED)
		timer_arm(&c->slice, hal_now_ns() + slice_length(c));
}

static bool vm_stopped(const struct vcpu *v)
{
	return v->vm && __atomic_load_n(&v->vm->state, __ATOMIC_ACQUIRE) == VM_STOPPED;
}

/* A vCPU that blocked in WFI stays loaded on its pCPU while nothing else wants the
 * pCPU: the pCPU idles with it, and its wake-up (vcpu_wake: BLOCKED -> BOUND, still
 * loaded, then the waker's IPI) runs it again without a put and a load. It is put
 * once another vCPU waits for the pCPU, it is held, its VM stops or the scheduler is
 * done. Returns true if it was woken and runs again here. */
static bool wait_loaded(struct sched_cpu *c, struct vcpu *v, bool (*done)(void *arg), void *arg)
{
	for (;;) {
		if (others_waiting(c) || vcpu_held(v) || vm_stopped(v) || done(arg))
			return false;
		enum vcpu_state s = vcpu_state(v);
		if (s != VCPU_BLOCKED)
			return s == VCPU_BOUND;
		cpu_idle();
	}
}

/* One queue entry: run it if it is still runnable. Decided under the vCPU's lock
 * (vcpu_load, vcpu_put), so a wake-up racing with this is never lost. */
static void schedule_one(struct sched_cpu *c, struct vcpu *v, bool (*done)(void *arg), void *arg)
{
	if (vcpu_load(v) == 0) {
		__atomic_store_n(&c->current, v, __ATOMIC_RELEASE);
		start_slice(c);
		run_vcpu(v);
		while (v->vm && wait_loaded(c, v, done, arg)) {
			start_slice(c);
			run_vcpu(v);
		}
		if (vm_stopped(v))
			vcpu_power_off(v); /* its VM stopped while it waited loaded */
		timer_cancel(&c->slice);
		__atomic_store_n(&c->current, NULL, __ATOMIC_RELEASE);
		if (vcpu_put(v) == 1)
			sched_make_runnable(v);
		vm_reset_if_pending(v->vm); /* the last vCPU out carries out a SYSTEM_RESET */
	}
	/* The last touch: after this the VM may be destroyed under us. */
	__atomic_fetch_sub(&v->sched_refs, 1, __ATOMIC_ACQ_REL);
}

void sched_run(bool (*done)(void *arg), void *arg)
{
	struct pcpu *p = this_cpu();

	if (!p)
		return;
	struct sched_cpu *c = &cpus[p->id];
	while (!done(arg)) {
		struct vcpu *v = rq_pop(&c->rq);
		if (v)
			schedule_one(c, v, done, arg);
		else
			cpu_idle();
	}
}
