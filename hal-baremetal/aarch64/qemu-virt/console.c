/* The host console on the board's PL011 (ARM DDI 0183), which Tandem and every VM
 * share: output goes through a ring that is moved into the UART's FIFO whenever
 * someone uses the console and its FIFO has room (FR.TXFF clear), never by waiting for
 * it on the path of a guest's line; "\n" goes out as "\r\n". hal_console_write (the
 * log, panic) then waits, outside the lock, until its own bytes are out; the lock is
 * only ever held for as many UART writes as the FIFO takes at once. Receive is polled. */
#include <stddef.h>

#include "hal-baremetal/aarch64/qemu-virt/bm.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/spinlock.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)

#define RING 16384u
#define RING_GUESTS (RING - RING / 4) /* hal_console_queue's share */

static uint64_t uart = 0x09000000;
static struct spinlock lock = SPINLOCK_INIT;
static char ring[RING];
static size_t ring_head, ring_len;
static uint64_t bytes_in, bytes_out; /* ever queued, ever written to the UART */
static bool cr_sent;                 /* the '\r' of the '\n' at ring_head is out */

void bm_console_init(uint64_t base)
{
	if (base)
		uart = base;
}

/* Into the UART while its FIFO has room. Lock held. */
static void drain_locked(void)
{
	while (ring_len && !(mmio_read32(uart + UARTFR) & FR_TXFF)) {
		char c = ring[ring_head];
		if (c == '\n' && !cr_sent) {
			mmio_write32(uart + UARTDR, '\r');
			cr_sent = true;
			continue;
		}
		mmio_write32(uart + UARTDR, (uint8_t)c);
		cr_sent = false;
		ring_head = (ring_head + 1) % RING;
		ring_len--;
		bytes_out++;
	}
}

/* Into the ring, which has room. Lock held. */
static void put_locked(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		ring[(ring_head + ring_len + i) % RING] = buf[i];
	ring_len += len;
	bytes_in += len;
}

/* Move output on until byte `end` (a bytes_in value) has been written. */
static void wait_out(uint64_t end)
{
	for (;;) {
		spin_lock(&lock);
		drain_locked();
		bool out = bytes_out >= end;
		spin_unlock(&lock);
		if (out)
			return;
		hal_cpu_relax();
	}
}

void hal_console_write(const char *buf, size_t len)
{
	if (!buf)
		return;
	while (len) {
		size_t n = len < RING ? len : RING;
		for (;;) {
			spin_lock(&lock);
			drain_locked();
			if (RING - ring_len >= n)
				break;
			spin_unlock(&lock);
			hal_cpu_relax();
		}
		put_locked(buf, n);
		drain_locked();
		uint64_t end = bytes_in;
		spin_unlock(&lock);
		wait_out(end);
		buf += n;
		len -= n;
	}
}

int hal_console_queue(const char *buf, size_t len)
{
	int err = 0;

	if (!buf || len > HAL_CONSOLE_LINE_MAX)
		return -EINVAL;
	spin_lock(&lock);
	drain_locked();
	if (ring_len + len > RING_GUESTS) {
		err = -EAGAIN;
	} else {
		put_locked(buf, len);
		drain_locked();
	}
	spin_unlock(&lock);
	return err;
}

bool hal_console_poll(void)
{
	spin_lock(&lock);
	drain_locked();
	bool left = ring_len != 0;
	spin_unlock(&lock);
	return left;
}

void hal_console_flush(void)
{
	spin_lock(&lock);
	uint64_t end = bytes_in;
	spin_unlock(&lock);
	wait_out(end);
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
