/* HAL contract: the host console (PL011 on bare metal, stdout/stdin in the simulation
 * host). Callers: core/log.c (Tandem's own lines), core/console.c (guests' lines), the
 * console-input path of virtual UARTs.
 *
 * All output goes through one queue and comes out in the order it went in. The queue
 * drains at the console's own pace, never on the path of whoever queued: a pCPU that
 * queues a guest's line only copies it. A quarter of the queue is kept for
 * hal_console_write, so that guests that fill their share cannot hold Tandem's own
 * lines up. */
#ifndef HAL_CONSOLE_H
#define HAL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/* The longest line hal_console_queue takes. */
#define HAL_CONSOLE_LINE_MAX 512

/* Write len bytes, waiting for room in the queue when there is none (and, where the
 * console is the board's UART, until they are out): for Tandem's own lines, the log
 * and panic. A call's bytes are not interleaved with another pCPU's. */
void hal_console_write(const char *buf, size_t len);

/* Queue len bytes (one whole line of a guest's) without waiting: 0, or -EAGAIN when
 * the guests' share of the queue cannot take all of them now (nothing is queued; try
 * again later), -EINVAL for NULL or more than HAL_CONSOLE_LINE_MAX bytes. */
int hal_console_queue(const char *buf, size_t len);

/* Move queued output on towards the console without waiting. True while some is
 * still queued that only further calls will move (the board's UART, polled); false
 * when there is none, or when the host drains the queue by itself (the simulation
 * host's console thread). */
bool hal_console_poll(void);

/* Wait until everything written or queued has reached the console. */
void hal_console_flush(void);

/* Read one byte without waiting: 0 and *c, -EAGAIN if nothing has arrived, -EIO when
 * the input has ended, -EINVAL on NULL. */
int hal_console_getc(char *c);

#endif
