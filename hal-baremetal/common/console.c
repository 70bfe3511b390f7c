/* The host console on the board's UART (aarch64: a PL011; riscv64: an NS16550A; each
 * board's uart.c drives it, hal-baremetal/common/uart.h), which Tandem and every VM
 * share: output goes through a ring that is moved into the UART's FIFO whenever
 * someone uses the console and its FIFO has room, never by waiting for it on the path
 * of a guest's line. The ring holds the bytes as they go on the wire:
 * a line's "\n" is put there as "\r\n", and a gdb packet (bm_console_write_raw) as it
 * is, since its checksum covers every byte. hal_console_write (the log, panic) then
 * waits, outside the lock, until its own bytes are out; the lock is only ever held for
 * as many UART writes as the FIFO takes at once. Receive is polled, through the FIFO.
 *
 * While a debugger shares the line (tools/tandem: gdb attached), console output must
 * not reach the UART as text, which would break into gdb's packets: it is diverted
 * into a second ring that pCPU 0 empties into 'O' packets (bm_console_take). Writers
 * there never wait, since the one pCPU that empties it may be the one writing. */
#include <stdbool.h>
#include <stddef.h>

#include "hal-baremetal/bm.h"
#include "hal-baremetal/common/uart.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/spinlock.h"
#include "hal/time.h"

#define RING 16384u
#define RING_GUESTS (RING - RING / 4) /* hal_console_queue's share */
#define DIVERT 8192u
#define DIVERT_GUESTS (DIVERT - DIVERT / 4)

static struct spinlock lock = SPINLOCK_INIT;
static char ring[RING];
static size_t ring_head, ring_len;
static uint64_t bytes_in, bytes_out; /* ever queued, ever written to the UART */

static bool diverted;
static char divert[DIVERT];
static size_t divert_head, divert_len;
static uint64_t divert_dropped; /* Tandem's bytes that found the diverted ring full */

/* The UART, its FIFOs on: without them it holds one received byte, and a gdb packet
 * would come in one byte per housekeeping tick. */
void bm_console_init(uint64_t base)
{
	bm_uart_init(base);
}

/* Into the UART while its FIFO has room. Lock held. */
static void drain_locked(void)
{
	unsigned room;

	while (ring_len && (room = bm_uart_tx_room()) != 0) {
		for (; room && ring_len; room--) {
			bm_uart_tx((uint8_t)ring[ring_head]);
			ring_head = (ring_head + 1) % RING;
			ring_len--;
			bytes_out++;
		}
	}
}

/* The room text takes in the ring: a "\n" goes out as "\r\n". */
static size_t wire_len(const char *buf, size_t len)
{
	size_t n = len;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\n';
	return n;
}

static void put_byte_locked(char c)
{
	ring[(ring_head + ring_len) % RING] = c;
	ring_len++;
	bytes_in++;
}

/* Into the ring, which has room for wire_len(buf, len) (raw: len). Lock held. */
static void put_locked(const char *buf, size_t len, bool raw)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' && !raw)
			put_byte_locked('\r');
		put_byte_locked(buf[i]);
	}
}

/* Into the diverted ring, as far as it has room below limit: how many bytes. Lock
 * held. */
static size_t divert_put_locked(const char *buf, size_t len, size_t limit)
{
	size_t n = limit > divert_len ? limit - divert_len : 0;

	if (n > len)
		n = len;
	for (size_t i = 0; i < n; i++)
		divert[(divert_head + divert_len + i) % DIVERT] = buf[i];
	divert_len += n;
	return n;
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

/* Lock held on return, with room for wire bytes in the ring or the line diverted. */
static void lock_with_room(size_t wire)
{
	for (;;) {
		spin_lock(&lock);
		drain_locked();
		if (diverted || RING - ring_len >= wire)
			return;
		spin_unlock(&lock);
		hal_cpu_relax();
	}
}

void hal_console_write(const char *buf, size_t len)
{
	if (!buf)
		return;
	while (len) {
		size_t n = len < RING / 2 ? len : RING / 2; /* fits even as "\r\n"s */
		size_t wire = wire_len(buf, n);
		lock_with_room(wire);
		if (diverted) {
			/* Nobody may wait here for the pCPU that empties the ring: what
			 * does not fit is counted, and said when the line is the
			 * console's again. */
			divert_dropped += n - divert_put_locked(buf, n, DIVERT);
			spin_unlock(&lock);
		} else {
			put_locked(buf, n, false);
			drain_locked();
			uint64_t end = bytes_in;
			spin_unlock(&lock);
			wait_out(end);
		}
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
	if (diverted) {
		if (divert_len + len > DIVERT_GUESTS)
			err = -EAGAIN;
		else
			divert_put_locked(buf, len, DIVERT_GUESTS);
	} else if (ring_len + wire_len(buf, len) > RING_GUESTS) {
		err = -EAGAIN;
	} else {
		put_locked(buf, len, false);
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

/* Out of the UART's FIFO as well: hal_halt powers off right after, and a byte still in
 * the FIFO would be lost with the machine. */
void hal_console_flush(void)
{
	spin_lock(&lock);
	uint64_t end = bytes_in;
	spin_unlock(&lock);
	wait_out(end);
	while (!bm_uart_tx_idle())
		hal_cpu_relax();
}

int hal_console_getc(char *c)
{
	uint8_t b;

	if (!c)
		return -EINVAL;
	if (!bm_uart_rx(&b))
		return -EAGAIN;
	*c = (char)b;
	return 0;
}

/* ---- The line shared with a debugger ---------------------------------------------- */

int bm_console_write_raw(const void *buf, size_t len, uint64_t wait_ns)
{
	const char *p = buf;
	uint64_t deadline = hal_now_ns() + wait_ns;

	if (!buf && len)
		return -EINVAL;
	while (len) {
		size_t n = len < RING ? len : RING;
		spin_lock(&lock);
		drain_locked();
		if (RING - ring_len >= n) {
			put_locked(p, n, true);
			drain_locked();
			spin_unlock(&lock);
			p += n;
			len -= n;
			continue;
		}
		spin_unlock(&lock);
		if (hal_now_ns() > deadline)
			return -EPIPE;
		hal_cpu_relax();
	}
	return 0;
}

/* The diverted text into the UART's ring, as the console's again. Lock held. */
static void undivert_locked(void)
{
	static const char note[] = "[console] output dropped while gdb held the line\n";

	while (divert_len) {
		size_t n = divert_len < RING / 2 ? divert_len : RING / 2;
		char chunk[256];
		if (n > sizeof(chunk))
			n = sizeof(chunk);
		for (size_t i = 0; i < n; i++)
			chunk[i] = divert[(divert_head + i) % DIVERT];
		/* The UART drains at its own pace, without flow control: bounded. */
		while (RING - ring_len < wire_len(chunk, n))
			drain_locked();
		put_locked(chunk, n, false);
		divert_head = (divert_head + n) % DIVERT;
		divert_len -= n;
	}
	if (divert_dropped) {
		while (RING - ring_len < 2 * sizeof(note))
			drain_locked();
		put_locked(note, sizeof(note) - 1, false);
		divert_dropped = 0;
	}
	drain_locked();
}

void bm_console_divert(bool on)
{
	spin_lock(&lock);
	if (diverted && !on)
		undivert_locked();
	diverted = on;
	spin_unlock(&lock);
}

bool bm_console_diverted(void)
{
	spin_lock(&lock);
	bool on = diverted;
	spin_unlock(&lock);
	return on;
}

size_t bm_console_take(char *buf, size_t len)
{
	spin_lock(&lock);
	size_t n = divert_len < len ? divert_len : len;
	for (size_t i = 0; i < n; i++)
		buf[i] = divert[(divert_head + i) % DIVERT];
	divert_head = (divert_head + n) % DIVERT;
	divert_len -= n;
	spin_unlock(&lock);
	return n;
}
