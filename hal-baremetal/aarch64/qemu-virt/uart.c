/* The console UART of QEMU's Arm virt board: a PL011 (ARM DDI 0183), for
 * hal-baremetal/common/console.c. */
#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal-baremetal/common/uart.h"
#include "hal/cpu.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTLCR_H 0x02C
#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define LCR_H_FEN (1u << 4) /* the FIFOs on: 16 bytes received between two polls */
#define LCR_H_WLEN8 (3u << 5)

static uint64_t uart = 0x09000000;

/* The FIFOs on, if the firmware left them off. The line control is only changed with
 * nothing being sent (PL011 TRM 3.3.7). */
void bm_uart_init(uint64_t base)
{
	if (base)
		uart = base;
	uint32_t lcr = mmio_read32(uart + UARTLCR_H);
	if (lcr & LCR_H_FEN)
		return;
	while (mmio_read32(uart + UARTFR) & FR_BUSY)
		hal_cpu_relax();
	mmio_write32(uart + UARTLCR_H, lcr | LCR_H_FEN | LCR_H_WLEN8);
}

/* FR.TXFF says only whether the FIFO is full: one byte at a time. */
unsigned bm_uart_tx_room(void)
{
	return (mmio_read32(uart + UARTFR) & FR_TXFF) ? 0 : 1;
}

void bm_uart_tx(uint8_t c)
{
	mmio_write32(uart + UARTDR, c);
}

bool bm_uart_tx_idle(void)
{
	return !(mmio_read32(uart + UARTFR) & FR_BUSY);
}

bool bm_uart_rx(uint8_t *c)
{
	if (mmio_read32(uart + UARTFR) & FR_RXFE)
		return false;
	*c = (uint8_t)(mmio_read32(uart + UARTDR) & 0xFF);
	return true;
}
