/* Cross-pCPU function calls over the HAL's IPIs. The HAL's IPIs are bits that
 * coalesce; a message queue per pCPU on top of them makes every call run exactly once,
 * on the pCPU it was sent to. Messages are owned by the sender (no allocation). */
#ifndef CORE_IPI_H
#define CORE_IPI_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/spinlock.h"

/* The HAL IPI numbers Tandem uses. */
enum ipi_kind {
	IPI_KICK = 0, /* only wakes the pCPU so it re-checks its state */
	IPI_CALL = 1, /* run the queued messages */
};

struct ipi_msg {
	void (*fn)(void *arg);
	void *arg;
	struct ipi_msg *next;
	uint32_t state; /* IPI_MSG_* */
};

enum { IPI_MSG_IDLE, IPI_MSG_QUEUED, IPI_MSG_DONE };

struct ipi_queue {
	struct spinlock lock;
	struct ipi_msg *head, *tail;
};

void ipi_queue_init(struct ipi_queue *q);

/* Run fn(arg) on pCPU cpu (the caller's own included) from its IPI handler. m must stay
 * valid until ipi_msg_done(m). -EINVAL for a bad pCPU or NULL, -EBUSY if m is still
 * queued, -ENODEV if the pCPU has never been brought up. */
int ipi_call(unsigned cpu, struct ipi_msg *m, void (*fn)(void *arg), void *arg);

/* True once the message's function has returned on the target. */
bool ipi_msg_done(const struct ipi_msg *m);

/* HAL IRQ handler for IPI_CALL. */
void ipi_call_irq(unsigned irq, void *arg);

#endif
