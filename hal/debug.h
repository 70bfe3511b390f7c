/* HAL contract: the byte stream to a debugger; gdb's remote serial protocol rides on it
 * (core/gdb.c). Nothing here waits on the other side: core polls it from its
 * housekeeping, so reads return what has arrived and writes give up on a client that
 * stops reading, rather than stall a pCPU.
 *
 * The simulation host listens on a TCP port of the loopback interface, one client at a
 * time. Bare metal has one UART, shared with the console: there core tells gdb's
 * packets from console input (gdb_line_byte) and writes its replies to the console, so
 * hal_debug_listen answers -EOPNOTSUPP and core uses the console instead. */
#ifndef HAL_DEBUG_H
#define HAL_DEBUG_H

#include <stddef.h>

/* The longest a write waits for the client to take bytes before it gives up on it. */
#define HAL_DEBUG_WRITE_WAIT_NS 2000000000ull

/* Listen for a client on port (0: any free one); *bound (may be NULL) says which.
 * -EADDRINUSE, -EACCES, -EOPNOTSUPP where the host has no listener of its own (bare
 * metal: the console's line), -EBUSY if already listening. */
int hal_debug_listen(unsigned port, unsigned *bound);

/* What has arrived, up to len bytes, without waiting: how many (0: nothing yet),
 * -ENOTCONN while no client is connected (a waiting one is accepted here), -EPIPE once
 * the client has gone (the next read waits for a new one). */
long hal_debug_read(void *buf, size_t len);

/* All len bytes to the client: 0; -ENOTCONN without one; -EPIPE if it went, or took
 * nothing for HAL_DEBUG_WRITE_WAIT_NS (then it is dropped). */
int hal_debug_write(const void *buf, size_t len);

/* Drop the client, if any (listening goes on), or stop listening altogether. */
void hal_debug_hangup(void);
void hal_debug_close(void);

#endif
