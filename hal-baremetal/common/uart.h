/* A bare-metal board's console UART as hal-baremetal/common/console.c drives it: each
 * board's uart.c. Called with the console's lock held, bm_uart_init before any other. */
#ifndef HAL_BM_COMMON_UART_H
#define HAL_BM_COMMON_UART_H

#include <stdbool.h>
#include <stdint.h>

void bm_uart_init(uint64_t base);   /* base 0: the board's default; its FIFOs on */
unsigned bm_uart_tx_room(void);     /* bytes the transmitter takes now, 0 if none */
void bm_uart_tx(uint8_t c);         /* one byte, after bm_uart_tx_room said there is room */
bool bm_uart_tx_idle(void);         /* every byte written is on the wire */
bool bm_uart_rx(uint8_t *c);        /* a received byte into *c, or false if none waits */

#endif
