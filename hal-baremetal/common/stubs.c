/* The debugger transport on bare metal (hal/debug.h): the board's one UART is the
 * console's, and core shares it (gdb_line_byte for input, the console for output), so
 * there is no listener of its own. */
#include <stddef.h>

#include "hal/console.h"
#include "hal/debug.h"
#include "hal/err.h"

int hal_debug_listen(unsigned port, unsigned *bound)
{
	(void)port;
	(void)bound;
	return -EOPNOTSUPP;
}

long hal_debug_read(void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return -ENOTCONN;
}

int hal_debug_write(const void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return -ENOTCONN;
}

void hal_debug_hangup(void)
{
}

void hal_debug_close(void)
{
}
