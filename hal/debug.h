/* HAL contract: a byte stream to a debugger (gdb remote protocol rides on it): TCP in
 * the simulation host, a second UART on bare metal. Caller: the gdb stub (core). */
#ifndef HAL_DEBUG_H
#define HAL_DEBUG_H

#include <stddef.h>

/* Wait for a debugger to connect. -ENOSYS where the host has no transport yet. */
int hal_debug_open(void);

/* Read up to len bytes, waiting for at least one; stores the count in *got.
 * -EIO once the debugger has gone, -ENOSYS without a transport. */
int hal_debug_read(void *buf, size_t len, size_t *got);

/* Write all len bytes. -EIO once the debugger has gone, -ENOSYS without a transport. */
int hal_debug_write(const void *buf, size_t len);

/* Drop the connection, if any. */
void hal_debug_close(void);

#endif
