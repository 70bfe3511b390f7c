/* HAL contract: the host console (PL011 on bare metal, stdout/stdin in the simulation
 * host). Callers: core/log.c for output, the console-input path of virtual UARTs. */
#ifndef HAL_CONSOLE_H
#define HAL_CONSOLE_H

#include <stddef.h>

/* Write len bytes; a call's bytes are not interleaved with another pCPU's. */
void hal_console_write(const char *buf, size_t len);

/* Wait until everything written has reached the console. */
void hal_console_flush(void);

/* Read one byte without waiting: 0 and *c, -EAGAIN if nothing has arrived, -EIO when
 * the input has ended, -EINVAL on NULL. */
int hal_console_getc(char *c);

#endif
