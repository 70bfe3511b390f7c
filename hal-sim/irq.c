/* The simulation host's interrupt wiring: every pCPU has a mailbox of pending IRQ
 * bits guarded by a mutex, and a condition variable that wakes it from idle. The
 * one-shot timer is a deadline in the same mailbox, turned into a pending timer IRQ
 * whenever the pCPU looks (idle, fetch), which is the only time an IRQ can be seen. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "hal-sim/internal.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "hal/muldiv.h"
#include "hal/time.h"

struct sim_handler {
	hal_irq_handler_t fn;
	void *arg;
};

static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_handler handlers[HAL_IRQ_COUNT];

void sim_pcpu_wire_init(struct sim_pcpu *p)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &attr);
	pthread_condattr_destroy(&attr);
}

void sim_pcpu_wire_fini(struct sim_pcpu *p)
{
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
}

void sim_irq_init(void)
{
	pthread_mutex_lock(&handler_lock);
	for (unsigned i = 0; i < HAL_IRQ_COUNT; i++)
		handlers[i] = (struct sim_handler){ 0 };
	pthread_mutex_unlock(&handler_lock);
}

void sim_irq_fini(void)
{
	sim_irq_init();
}

static struct sim_pcpu *this_pcpu(void)
{
	return &sim.pcpus[hal_pcpu_id()];
}

uint64_t hal_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Without a machine (tests of the clock alone) the counter counts nanoseconds. */
uint64_t hal_counter_hz(void)
{
	return sim.counter_hz ? sim.counter_hz : HAL_SIM_DEFAULT_COUNTER_HZ;
}

/* floor(ns * hz / 10^9) of the same clock hal_now_ns reads (sim.h): the counter
 * reaches c exactly when hal_now_ns() reaches ceil(c * 10^9 / hz). */
uint64_t hal_counter(void)
{
	return muldiv_floor(hal_now_ns(), (uint32_t)hal_counter_hz(), MULDIV_NS_PER_S);
}

unsigned hal_timer_irq(void)
{
	return SIM_TIMER_IRQ;
}

static bool irq_enabled_on(const struct sim_pcpu *p, unsigned irq)
{
	if (irq < HAL_IRQ_PRIVATE)
		return p->private_enabled & (1u << irq);
	return atomic_load(&sim.shared_enabled[irq / 64]) & (1ull << (irq % 64));
}

/* Caller holds p->lock. */
static void timer_check_locked(struct sim_pcpu *p)
{
	if (p->timer_armed && hal_now_ns() >= p->timer_deadline) {
		p->timer_armed = false;
		p->pending[SIM_TIMER_IRQ / 64] |= 1ull << (SIM_TIMER_IRQ % 64);
	}
}

/* Lowest-numbered pending enabled IRQ, or HAL_IRQ_COUNT. Caller holds p->lock. */
static unsigned first_deliverable_locked(const struct sim_pcpu *p)
{
	for (unsigned w = 0; w < SIM_IRQ_WORDS; w++) {
		uint64_t bits = p->pending[w];
		while (bits) {
			unsigned irq = w * 64 + (unsigned)__builtin_ctzll(bits);
			if (irq_enabled_on(p, irq))
				return irq;
			bits &= bits - 1;
		}
	}
	return HAL_IRQ_COUNT;
}

bool sim_irq_deliverable(void)
{
	struct sim_pcpu *p = this_pcpu();
	pthread_mutex_lock(&p->lock);
	timer_check_locked(p);
	bool any = first_deliverable_locked(p) < HAL_IRQ_COUNT;
	pthread_mutex_unlock(&p->lock);
	return any;
}

void sim_irq_set_pending(struct sim_pcpu *p, unsigned irq)
{
	pthread_mutex_lock(&p->lock);
	p->pending[irq / 64] |= 1ull << (irq % 64);
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

int hal_irq_register(unsigned irq, hal_irq_handler_t fn, void *arg)
{
	if (irq >= HAL_IRQ_COUNT || !fn)
		return -EINVAL;
	int err = 0;
	pthread_mutex_lock(&handler_lock);
	if (handlers[irq].fn)
		err = -EBUSY;
	else
		handlers[irq] = (struct sim_handler){ fn, arg };
	pthread_mutex_unlock(&handler_lock);
	return err;
}

int hal_irq_unregister(unsigned irq)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	int err = 0;
	pthread_mutex_lock(&handler_lock);
	if (!handlers[irq].fn)
		err = -ENOENT;
	handlers[irq] = (struct sim_handler){ 0 };
	pthread_mutex_unlock(&handler_lock);
	return err;
}

static int irq_set_enabled(unsigned irq, bool on)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	if (irq < HAL_IRQ_PRIVATE) {
		struct sim_pcpu *p = this_pcpu();
		pthread_mutex_lock(&p->lock);
		if (on)
			p->private_enabled |= 1u << irq;
		else
			p->private_enabled &= ~(1u << irq);
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	uint64_t bit = 1ull << (irq % 64);
	if (on)
		atomic_fetch_or(&sim.shared_enabled[irq / 64], bit);
	else
		atomic_fetch_and(&sim.shared_enabled[irq / 64], ~bit);
	/* A shared IRQ pending somewhere may have become deliverable. */
	for (unsigned i = 0; on && i < sim.npcpus; i++) {
		pthread_mutex_lock(&sim.pcpus[i].lock);
		pthread_cond_signal(&sim.pcpus[i].wake);
		pthread_mutex_unlock(&sim.pcpus[i].lock);
	}
	return 0;
}

int hal_irq_enable(unsigned irq)
{
	return irq_set_enabled(irq, true);
}

int hal_irq_disable(unsigned irq)
{
	return irq_set_enabled(irq, false);
}

int hal_irq_fetch(unsigned *irq)
{
	if (!irq)
		return -EINVAL;
	struct sim_pcpu *p = this_pcpu();
	pthread_mutex_lock(&p->lock);
	timer_check_locked(p);
	unsigned n = first_deliverable_locked(p);
	if (n < HAL_IRQ_COUNT)
		p->pending[n / 64] &= ~(1ull << (n % 64));
	pthread_mutex_unlock(&p->lock);
	if (n == HAL_IRQ_COUNT)
		return -ENOENT;
	*irq = n;
	return 0;
}

int hal_irq_dispatch(unsigned irq)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	pthread_mutex_lock(&handler_lock);
	struct sim_handler h = handlers[irq];
	pthread_mutex_unlock(&handler_lock);
	if (!h.fn)
		return -ENOENT;
	h.fn(irq, h.arg);
	return 0;
}

static bool forwarded[HAL_IRQ_COUNT];
static uint64_t deactivations, activations;

int hal_irq_forward(unsigned irq, bool on)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	__atomic_store_n(&forwarded[irq], on, __ATOMIC_RELEASE);
	return 0;
}

/* The simulation host has no active state to clear: the deactivations are counted so
 * that tests see where core and the vGIC ask for them. */
void hal_irq_deactivate(unsigned irq)
{
	(void)irq;
	__atomic_fetch_add(&deactivations, 1, __ATOMIC_RELAXED);
}

void hal_irq_activate(unsigned irq)
{
	(void)irq;
	__atomic_fetch_add(&activations, 1, __ATOMIC_RELAXED);
}

uint64_t hal_sim_irq_activations(void)
{
	return __atomic_load_n(&activations, __ATOMIC_RELAXED);
}

uint64_t hal_sim_irq_deactivations(void)
{
	return __atomic_load_n(&deactivations, __ATOMIC_RELAXED);
}

int hal_ipi_send(unsigned cpu, unsigned ipi)
{
	if (cpu >= sim.npcpus || ipi >= HAL_IPI_COUNT)
		return -EINVAL;
	sim_irq_set_pending(&sim.pcpus[cpu], ipi);
	return 0;
}

int hal_sim_raise_irq(unsigned cpu, unsigned irq)
{
	if (cpu >= sim.npcpus || irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	sim_irq_set_pending(&sim.pcpus[cpu], irq);
	return 0;
}

void hal_timer_arm(uint64_t deadline_ns)
{
	struct sim_pcpu *p = this_pcpu();
	pthread_mutex_lock(&p->lock);
	p->timer_armed = true;
	p->timer_deadline = deadline_ns;
	pthread_mutex_unlock(&p->lock);
}

void hal_timer_disarm(void)
{
	struct sim_pcpu *p = this_pcpu();
	pthread_mutex_lock(&p->lock);
	p->timer_armed = false;
	pthread_mutex_unlock(&p->lock);
}

static _Atomic(hal_sim_idle_fn) idle_hook;
static void *_Atomic idle_arg;

void hal_sim_set_idle_hook(hal_sim_idle_fn fn, void *arg)
{
	atomic_store(&idle_arg, arg);
	atomic_store(&idle_hook, fn);
}

static void idle_wait(void);

void hal_cpu_idle(void)
{
	hal_sim_idle_fn hook = atomic_load(&idle_hook);
	void *arg = atomic_load(&idle_arg);

	if (hook)
		hook(false, arg);
	idle_wait();
	if (hook)
		hook(true, arg);
}

static void idle_wait(void)
{
	struct sim_pcpu *p = this_pcpu();
	pthread_mutex_lock(&p->lock);
	for (;;) {
		timer_check_locked(p);
		if (first_deliverable_locked(p) < HAL_IRQ_COUNT)
			break;
		if (p->timer_armed) {
			struct timespec ts = {
				.tv_sec = (time_t)(p->timer_deadline / 1000000000ull),
				.tv_nsec = (long)(p->timer_deadline % 1000000000ull),
			};
			pthread_cond_timedwait(&p->wake, &p->lock, &ts);
		} else {
			pthread_cond_wait(&p->wake, &p->lock);
		}
	}
	pthread_mutex_unlock(&p->lock);
}
