/* The console UART of QEMU's riscv virt board: an NS16550A (TI PC16550D data sheet),
 * registers one byte apart (reg-shift 0), for hal-baremetal/common/console.c. */
#include "hal-baremetal/common/uart.h"

#define UART_RBR 0 /* read: receive buffer */
#define UART_THR 0 /* write: transmit holding */
#define UART_FCR 2 /* write: FIFO control */
#define UART_LSR 5
#define FCR_FIFO_ENABLE 0x01u
#define FCR_CLEAR_RX_TX 0x06u
#define LSR_DR 0x01u   /* a received byte is waiting */
#define LSR_THRE 0x20u /* the transmit FIFO is empty: 16 bytes may go */
#define LSR_TEMT 0x40u /* and the shift register too: every byte is on the wire */
#define UART_FIFO 16u

static uint64_t uart = 0x10000000;

static uint8_t uart_read(unsigned reg)
{
	return *(volatile uint8_t *)(uintptr_t)(uart + reg);
}

static void uart_write(unsigned reg, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)(uart + reg) = v;
}

/* FCR is write-only, so it is simply set; OpenSBI left the line at its speed and 8N1. */
void bm_uart_init(uint64_t base)
{
	if (base)
		uart = base;
	uart_write(UART_FCR, FCR_FIFO_ENABLE | FCR_CLEAR_RX_TX);
}

/* LSR.THRE says the FIFO is empty, not how full it is: a FIFO's worth, or nothing. */
unsigned bm_uart_tx_room(void)
{
	return (uart_read(UART_LSR) & LSR_THRE) ? UART_FIFO : 0;
}

void bm_uart_tx(uint8_t c)
{
	uart_write(UART_THR, c);
}

bool bm_uart_tx_idle(void)
{
	return uart_read(UART_LSR) & LSR_TEMT;
}

bool bm_uart_rx(uint8_t *c)
{
	if (!(uart_read(UART_LSR) & LSR_DR))
		return false;
	*c = uart_read(UART_RBR);
	return true;
}
