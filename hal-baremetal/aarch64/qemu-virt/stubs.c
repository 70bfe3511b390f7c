/* The parts of the HAL contract bare metal does not provide yet, each failing cleanly:
 * the debugger transport (a second UART, with the gdb stub) and guest entry (the EL2
 * world switch, next in the bare-metal work). */
#include <stddef.h>

#include "hal/debug.h"
#include "hal/err.h"
#include "hal/guest.h"

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

int hal_guest_enter(struct guest_ctx *ctx, struct guest_exit *exit)
{
	if (!ctx || !exit)
		return -EINVAL;
	return -ENOSYS;
}
