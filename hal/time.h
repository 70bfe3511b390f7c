/* HAL contract: monotonic time and one one-shot timer per pCPU. Callers: core/timer.c,
 * which multiplexes many software timers onto the one-shot. */
#ifndef HAL_TIME_H
#define HAL_TIME_H

#include <stdint.h>

/* Nanoseconds since an arbitrary point before boot; never goes backwards. */
uint64_t hal_now_ns(void);

/* The system counter guests' generic timers count from (aarch64: CNTPCT_EL0; a
 * guest's virtual counter is it minus CNTVOFF_EL2), and its frequency in Hz, 1 ..
 * 2^32 - 1 (CNTFRQ_EL0's 32 bits); it need not divide 10^9 (19.2 MHz, 24 MHz). The
 * simulation host's is configurable (hal_sim_config.counter_hz) and by default counts
 * nanoseconds. */
uint64_t hal_counter(void);
uint64_t hal_counter_hz(void);

/* Arm this pCPU's one-shot timer: hal_timer_irq() becomes pending on this pCPU once
 * hal_now_ns() >= deadline (at once if it already is). Replaces an armed deadline.
 * Never fails. */
void hal_timer_arm(uint64_t deadline_ns);

/* Disarm this pCPU's one-shot timer; a timer IRQ already pending stays pending. */
void hal_timer_disarm(void);

#endif
