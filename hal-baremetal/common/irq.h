/* The handler table every board shares (common/irq.c): hal_irq_register and
 * hal_irq_unregister are there; a board's hal_irq_dispatch calls the handler with
 * bm_irq_call, then acknowledges the interrupt. */
#ifndef HAL_BM_COMMON_IRQ_H
#define HAL_BM_COMMON_IRQ_H

#include <stdbool.h>

#include "hal/irq.h"

/* irq's handler, if one is registered (irq < HAL_IRQ_COUNT): whether one ran. */
bool bm_irq_call(unsigned irq);

#endif
