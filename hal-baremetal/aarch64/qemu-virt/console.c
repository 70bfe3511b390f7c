/* The host console on the board's PL011 (ARM DDI 0183): polled transmit and receive,
 * "\n" sent as "\r\n". One lock so a call's bytes are not interleaved with another
 * pCPU's. */
#include <stddef.h>

#include "core/spinlock.h"
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal/console.h"
#include "hal/err.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)

static uint64_t uart = 0x09000000;
static struct spinlock lock = SPINLOCK_INIT;

void bm_console_init(uint64_t base)
{
	if (base)
		uart = base;
}

static void put(char c)
{
	while (mmio_read32(uart + UARTFR) & FR_TXFF)
		;
	mmio_write32(uart + UARTDR, (uint8_t)c);
}

void hal_console_write(const char *buf, size_t len)
{
	if (!buf)
		return;
	spin_lock(&lock);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			put('\r');
		put(buf[i]);
	}
	spin_unlock(&lock);
}

void hal_console_flush(void)
{
}

int hal_console_getc(char *c)
{
	if (!c)
		return -EINVAL;
	if (mmio_read32(uart + UARTFR) & FR_RXFE)
		return -EAGAIN;
	*c = (char)(mmio_read32(uart + UARTDR) & 0xFF);
	return 0;
}
