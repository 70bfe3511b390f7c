/* The part of the HAL contract bare metal does not provide yet, failing cleanly: the
 * debugger transport (a second UART, with the gdb stub). */
#include <stddef.h>

#include "hal/debug.h"
#include "hal/err.h"

int hal_debug_open(void)
{
	return -ENOSYS;
}

int hal_debug_read(void *buf, size_t len, size_t *got)
{
	(void)buf;
	(void)len;
	if (got)
		*got = 0;
	return -ENOSYS;
}

int hal_debug_write(const void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return -ENOSYS;
}

void hal_debug_close(void)
{
}

