/* A ticket spinlock: fair, so no pCPU starves under contention. Uses the compiler's
 * __atomic builtins, which need no hosted header. */
#ifndef HAL_SPINLOCK_H
#define HAL_SPINLOCK_H

#include <stdint.h>

#include "hal/cpu.h"

struct spinlock {
	uint32_t next;
	uint32_t owner;
};

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		hal_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#endif
