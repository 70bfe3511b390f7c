/* Every board's table of interrupt handlers (hal/irq.h's register and unregister), and
 * the call of one for the board's hal_irq_dispatch, which acknowledges the interrupt
 * its own way (aarch64: ICC_EOIR1/ICC_DIR; riscv64: the PLIC's completion). */
#include <stddef.h>

#include "hal-baremetal/common/irq.h"
#include "hal/err.h"
#include "hal/spinlock.h"

struct handler {
	hal_irq_handler_t fn;
	void *arg;
};

static struct spinlock handler_lock = SPINLOCK_INIT;
static struct handler handlers[HAL_IRQ_COUNT];

int hal_irq_register(unsigned irq, hal_irq_handler_t fn, void *arg)
{
	if (irq >= HAL_IRQ_COUNT || !fn)
		return -EINVAL;
	int err = 0;
	spin_lock(&handler_lock);
	if (handlers[irq].fn) {
		err = -EBUSY;
	} else {
		/* Published for bm_irq_call, which reads without the lock: the argument
		 * first, then the function that uses it. */
		__atomic_store_n(&handlers[irq].arg, arg, __ATOMIC_RELAXED);
		__atomic_store_n(&handlers[irq].fn, fn, __ATOMIC_RELEASE);
	}
	spin_unlock(&handler_lock);
	return err;
}

int hal_irq_unregister(unsigned irq)
{
	if (irq >= HAL_IRQ_COUNT)
		return -EINVAL;
	spin_lock(&handler_lock);
	int err = handlers[irq].fn ? 0 : -ENOENT;
	__atomic_store_n(&handlers[irq].fn, NULL, __ATOMIC_RELEASE); /* its arg stays: harmless */
	spin_unlock(&handler_lock);
	return err;
}

/* No lock on the interrupt path: a handler is published whole (register), and core
 * installs each once at bring-up; replacing one while it can fire elsewhere could pair
 * the old function with the new argument, so nothing does. */
bool bm_irq_call(unsigned irq)
{
	hal_irq_handler_t fn = __atomic_load_n(&handlers[irq].fn, __ATOMIC_ACQUIRE);

	if (fn)
		fn(irq, __atomic_load_n(&handlers[irq].arg, __ATOMIC_RELAXED));
	return fn != NULL;
}
