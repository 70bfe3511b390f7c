/* The emulated PL011 UART (ARM DDI 0183, the PrimeCell UART TRM). It owns one UART's
 * register state, its 16-byte receive and transmit FIFOs and its output line buffer;
 * its lines go to the host console through core/console.c, and it reports its combined
 * interrupt line through the owner's callback. It must never call into the VM (the
 * owner wires the callback to vm_inject_irq) and nothing a guest does here may panic:
 * a bad access is a bus error returned to the bus.
 *
 * Transmit is as on the hardware, with the host console as the wire: a DR write goes
 * into the transmit FIFO, and the FIFO empties only as fast as the console takes the
 * UART's lines. While the console keeps up the FIFO is empty again at once; while it
 * does not, the FIFO fills, FR.TXFF is set and TXRIS drops, and TXRIS comes back when
 * the console has taken a line and the FIFO is down to the IFLS trigger level, so a
 * driver that waits for TXFF or for the transmit interrupt is throttled at the
 * console's pace, and loses nothing. Nothing on the vCPU's path waits for the console.
 *
 * Simplified relative to the TRM, because a virtual UART has no wire and no baud rate:
 * - The line is the unit of transmission: bytes leave the FIFO into the line buffer at
 *   once, and a complete line (a newline, or a full buffer) waits there for the
 *   console, holding the FIFO up behind it. FR.BUSY is set while the FIFO holds data or
 *   a complete line waits; a partial line does not keep it set.
 * - TXRIS (TRM 3.4, UARTTXINTR) is set by a DR write that leaves the FIFO at or below
 *   the trigger level and cleared by one that leaves it above, set when the console
 *   takes a line and the FIFO drains to the trigger level or below, and cleared by ICR.
 *   It is also set at reset (the FIFO is empty). Changing IFLS or LCR_H.FEN takes effect
 *   at the next of those events. With LCR_H.FEN clear the FIFO is one byte deep and
 *   the trigger is "empty"; the reserved TXIFLSEL values act as 1/2.
 * - A DR write to a full FIFO is not lost, as it would be on the hardware: the access
 *   is refused with -EAGAIN and the guest's store runs again (it waits on the bus).
 *   Like QEMU, DR writes are transmitted whatever CR.UARTEN and CR.TXE say.
 * - RXRIS is set exactly while the receive FIFO holds data (a trigger level of one byte,
 *   as in QEMU); the RX part of IFLS is not used, and ICR cannot clear RXRIS. RTRIS (the
 *   receive timeout) and the modem, error and overrun interrupts are never raised;
 *   their IMSC bits are stored.
 * - The receive FIFO is 16 bytes deep even when LCR_H.FEN is clear (hardware: a
 *   one-byte holding register), and input is accepted whatever CR.UARTEN and CR.RXE say.
 *   A byte arriving at a full FIFO is refused (the caller keeps or drops it) instead of
 *   setting the overrun error: DR bits 11:8 and RSR always read zero.
 * - Loopback (CR.LBE), IrDA, break, parity, modem lines and DMA are not emulated; the
 *   baud-rate, line-control and DMA registers only keep what was written.
 * - Accesses must be 32-bit aligned and 1, 2 or 4 bytes wide; a narrow read returns the
 *   low bits of the register, a narrow write writes the register with the value's low
 *   bits (APB has no byte lanes).
 * - Output is line-buffered and prefixed with the UART's name, so that lines of
 *   different VMs stay whole on the shared host console, and every byte is shown as
 *   console_escape says, so that a guest can neither act on the host's terminal nor
 *   write a line that is not prefixed as its own; '\r' is dropped because every line
 *   already ends with '\n'. A line longer than PL011_LINE_MAX characters is split
 *   before the escape that would not fit.
 * The irq callback runs under the device's lock, so that level changes come out in the
 * order the accesses happened. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/console.h"
#include "core/mem.h"
#include "core/pl011.h"
#include "hal/console.h"
#include "hal/err.h"

/* PeriphID0..3 and PCellID0..3 as QEMU's pl011 reports them: part 0x011, designer 0x41
 * (Arm), revision 1 (TRM 3.3). */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

/* Writable bits of the plain storage registers (TRM 3.3). */
#define ILPR_MASK  0xFFu
#define IBRD_MASK  0xFFFFu
#define FBRD_MASK  0x3Fu
#define LCR_H_MASK 0xFFu
#define CR_MASK    0xFFFFu
#define IFLS_MASK  0x3Fu
#define DMACR_MASK 0x7u

static uint32_t pl011_ris(const struct pl011 *u)
{
	return u->ris_latched | (u->rx_count ? PL011_RXIM : 0);
}

/* The transmit FIFO's depth: a one-byte holding register with the FIFOs off. */
static unsigned pl011_tx_depth(const struct pl011 *u)
{
	return (u->lcr_h & PL011_LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* The level at or below which TXRIS is set: UARTIFLS.TXIFLSEL (TRM 3.3.11) gives 1/8,
 * 1/4, 1/2, 3/4 or 7/8 of the FIFO; the reserved encodings act as 1/2. With the FIFOs
 * off, when the holding register is empty. */
static unsigned pl011_tx_trigger(const struct pl011 *u)
{
	static const uint8_t eighths[8] = { 1, 2, 4, 6, 7, 4, 4, 4 };

	if (!(u->lcr_h & PL011_LCR_H_FEN))
		return 0;
	return eighths[u->ifls & 7] * PL011_FIFO_DEPTH / 8;
}

static bool pl011_tx_full(const struct pl011 *u)
{
	return u->tx_count >= pl011_tx_depth(u);
}

static uint32_t pl011_fr(const struct pl011 *u)
{
	uint32_t fr = 0;

	if (u->rx_count == 0)
		fr |= PL011_FR_RXFE;
	if (u->rx_count == PL011_FIFO_DEPTH)
		fr |= PL011_FR_RXFF;
	if (u->tx_count == 0)
		fr |= PL011_FR_TXFE;
	if (pl011_tx_full(u))
		fr |= PL011_FR_TXFF;
	if (u->tx_count || u->line_ready)
		fr |= PL011_FR_BUSY;
	return fr;
}

/* FR as the early exits read it (mmio_ops.shadows): its value, or MMIO_SHADOW_ASK while
 * the transmit FIFO is full, when a read is counted (tx_full_reads). Stored after
 * every change of the FIFOs or the line; the direct DR write changes neither. Lock
 * held, or u owned alone. */
static void pl011_publish(struct pl011 *u)
{
	__atomic_store_n(&u->fr_shadow, pl011_tx_full(u) ? MMIO_SHADOW_ASK : pl011_fr(u),
			 __ATOMIC_RELEASE);
}

/* Report the combined interrupt if its level changed. Lock held. */
static void pl011_update_irq(struct pl011 *u)
{
	bool level = (pl011_ris(u) & u->imsc) != 0;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->irq)
		u->irq(u->irq_ctx, level);
}

/* "[name] line\n" into out; its length. Lock held. */
static size_t pl011_format_line(const struct pl011 *u, char out[PL011_OUT_MAX])
{
	return console_line_format(out, u->prefix, u->prefix_len, u->line, u->line_len);
}

/* Move bytes from the transmit FIFO into the line buffer until the FIFO is empty or a
 * line is complete: a newline, or a character whose escaped form does not fit (it
 * stays in the FIFO and starts the next line, so that a line of exactly
 * PL011_LINE_MAX characters stays one line). How many bytes left the FIFO. Lock held. */
static unsigned pl011_tx_drain(struct pl011 *u)
{
	unsigned moved = 0;

	while (u->tx_count && !u->line_ready) {
		uint8_t c = u->tx_fifo[u->tx_head];
		if (!console_line_put(u->line, &u->line_len, PL011_LINE_MAX, c, &u->line_ready)) {
			u->line_ready = true;
			break;
		}
		u->tx_head = (u->tx_head + 1) % PL011_FIFO_DEPTH;
		u->tx_count--;
		moved++;
	}
	return moved;
}

/* The line went to the console: the next one starts from the FIFO, and the FIFO
 * draining to the trigger level raises TXRIS. Lock held. */
static void pl011_line_sent(struct pl011 *u)
{
	u->line_len = 0;
	u->line_ready = false;
	u->tx_lines++;
	if (pl011_tx_drain(u) && u->tx_count <= pl011_tx_trigger(u))
		u->ris_latched |= PL011_TXIM;
	pl011_update_irq(u);
}

/* The console's call (console.h): hand over the complete line, if the queue has room. */
static enum console_send pl011_send(struct console_src *src)
{
	struct pl011 *u = (struct pl011 *)((char *)src - offsetof(struct pl011, src));
	enum console_send r = CONSOLE_SENT;
	char out[PL011_OUT_MAX];

	spin_lock(&u->lock);
	if (u->line_ready) {
		if (hal_console_queue(out, pl011_format_line(u, out))) {
			r = CONSOLE_FULL;
		} else {
			pl011_line_sent(u);
			pl011_publish(u);
			r = u->line_ready ? CONSOLE_SENT_MORE : CONSOLE_SENT;
		}
	}
	spin_unlock(&u->lock);
	return r;
}

/* The common case of a byte written to DR, as the FIFO and pl011_tx_drain would have
 * it: an empty FIFO, a line with room, a byte that shows as itself (console_escape).
 * false if it is not that case and nothing changed. Lock held. */
static inline bool pl011_tx_direct(struct pl011 *u, uint8_t c)
{
	if (u->tx_count != 0 || u->line_ready || u->line_len >= PL011_LINE_MAX || c < 0x20 ||
	    c >= 0x7F || c == '\\')
		return false;
	u->line[u->line_len++] = (char)c;
	u->ris_latched |= PL011_TXIM; /* the FIFO stays empty: at or below the trigger */
	return true;
}

/* A byte written to DR: into the FIFO, and on towards a line. -EAGAIN with the FIFO
 * full; *offer when a line has just become complete. Lock held. */
static int pl011_tx(struct pl011 *u, uint8_t c, bool *offer)
{
	bool was_ready = u->line_ready;

	if (pl011_tx_direct(u, c)) {
		*offer = false;
		return 0;
	}
	if (pl011_tx_full(u)) {
		u->tx_stalls++;
		return -EAGAIN;
	}
	u->tx_fifo[(u->tx_head + u->tx_count) % PL011_FIFO_DEPTH] = c;
	u->tx_count++;
	pl011_tx_drain(u);
	if (u->tx_count <= pl011_tx_trigger(u))
		u->ris_latched |= PL011_TXIM;
	else
		u->ris_latched &= ~PL011_TXIM;
	*offer = u->line_ready && !was_ready;
	return 0;
}

/* A DR read: the oldest received byte, or 0 with the FIFO empty. Lock held. */
static uint32_t pl011_rx_pop(struct pl011 *u)
{
	if (u->rx_count == 0)
		return 0;
	uint8_t c = u->rx_fifo[u->rx_head];
	u->rx_head = (u->rx_head + 1) % PL011_FIFO_DEPTH;
	u->rx_count--;
	return c;
}

static uint32_t pl011_reg_read(struct pl011 *u, uint64_t off)
{
	if (off >= PL011_PERIPHID0)
		return pl011_id[(off - PL011_PERIPHID0) / 4];
	switch (off) {
	case PL011_DR: return pl011_rx_pop(u);
	case PL011_FR:
		if (pl011_tx_full(u))
			u->tx_full_reads++;
		return pl011_fr(u);
	case PL011_ILPR: return u->ilpr;
	case PL011_IBRD: return u->ibrd;
	case PL011_FBRD: return u->fbrd;
	case PL011_LCR_H: return u->lcr_h;
	case PL011_CR: return u->cr;
	case PL011_IFLS: return u->ifls;
	case PL011_IMSC: return u->imsc;
	case PL011_RIS: return pl011_ris(u);
	case PL011_MIS: return pl011_ris(u) & u->imsc;
	case PL011_DMACR: return u->dmacr;
	default: return 0; /* RSR (no errors), write-only ICR, reserved: RAZ */
	}
}

/* 0, or -EAGAIN for a DR write to a full FIFO. Lock held. */
static int pl011_reg_write(struct pl011 *u, uint64_t off, uint32_t v, bool *offer)
{
	switch (off) {
	case PL011_DR: return pl011_tx(u, (uint8_t)v, offer);
	case PL011_ILPR: u->ilpr = v & ILPR_MASK; break;
	case PL011_IBRD: u->ibrd = v & IBRD_MASK; break;
	case PL011_FBRD: u->fbrd = v & FBRD_MASK; break;
	case PL011_LCR_H: u->lcr_h = v & LCR_H_MASK; break;
	case PL011_CR: u->cr = v & CR_MASK; break;
	case PL011_IFLS: u->ifls = v & IFLS_MASK; break;
	case PL011_IMSC: u->imsc = v & PL011_INT_MASK; break;
	case PL011_ICR: u->ris_latched &= ~v; break;
	case PL011_DMACR: u->dmacr = v & DMACR_MASK; break;
	default: break; /* ECR (no errors to clear), FR, RIS, MIS, IDs, reserved: WI */
	}
	return 0;
}

static bool pl011_access_ok(uint64_t off, unsigned width)
{
	return off < PL011_SIZE && off % 4 == 0 && (width == 1 || width == 2 || width == 4);
}

static uint32_t pl011_width_mask(unsigned width)
{
	return width == 4 ? 0xFFFFFFFFu : (1u << (8 * width)) - 1;
}

static int pl011_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	struct pl011 *u = ctx;

	*value = 0;
	if (!pl011_access_ok(off, width))
		return -EINVAL;
	spin_lock(&u->lock);
	uint32_t v = pl011_reg_read(u, off);
	if (off == PL011_DR) { /* it may have emptied the FIFO; no other read changes it */
		pl011_update_irq(u);
		pl011_publish(u);
	}
	spin_unlock(&u->lock);
	*value = v & pl011_width_mask(width);
	return 0;
}

static int pl011_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct pl011 *u = ctx;
	bool offer = false;
	int err = 0;

	if (!pl011_access_ok(off, width))
		return -EINVAL;
	spin_lock(&u->lock);
	/* DR first, the register written most (its low byte is the same at every width).
	 * With TXIM already raised a byte that goes straight to the line changes no
	 * interrupt state: the line stays where it is. */
	if (off != PL011_DR || !(u->ris_latched & PL011_TXIM) ||
	    !pl011_tx_direct(u, (uint8_t)value)) {
		err = pl011_reg_write(u, off, (uint32_t)value & pl011_width_mask(width), &offer);
		pl011_update_irq(u);
		pl011_publish(u);
	}
	spin_unlock(&u->lock);
	if (offer) /* outside the device's lock: the console's lock comes first */
		console_offer(&u->src);
	return err;
}

static unsigned pl011_shadows(void *ctx, struct mmio_shadow *out, unsigned max)
{
	struct pl011 *u = ctx;

	if (max < 1)
		return 0;
	/* FR at each width the UART takes (pl011_access_ok): 1, 2 and 4 bytes. */
	out[0] = (struct mmio_shadow){ gpa_make(PL011_FR), 0x7, &u->fr_shadow };
	return 1;
}

const struct mmio_ops pl011_ops = { pl011_read, pl011_write, pl011_shadows };

/* The registers and the receive FIFO as at power-on (TRM 3.2); caller holds the lock or
 * owns u alone. */
static void reset_registers(struct pl011 *u)
{
	u->ilpr = u->ibrd = u->fbrd = u->lcr_h = u->imsc = u->dmacr = 0;
	u->cr = PL011_CR_RESET;
	u->ifls = PL011_IFLS_RESET;
	u->ris_latched = PL011_TXIM; /* the transmitter is idle and empty */
	u->rx_head = u->rx_count = 0;
}

void pl011_init(struct pl011 *u, const char *name, void (*irq)(void *ctx, bool level),
		void *irq_ctx)
{
	memset(u, 0, sizeof(*u));
	u->lock = (struct spinlock)SPINLOCK_INIT;
	console_src_init(&u->src, pl011_send);
	u->prefix_len = console_prefix(u->prefix, name, PL011_NAME_MAX);
	u->irq = irq;
	u->irq_ctx = irq_ctx;
	reset_registers(u);
	pl011_publish(u);
}

void pl011_reset(struct pl011 *u)
{
	spin_lock(&u->lock);
	reset_registers(u);
	if (u->irq_level && u->irq)
		u->irq(u->irq_ctx, false);
	u->irq_level = false;
	pl011_publish(u);
	spin_unlock(&u->lock);
}

int pl011_receive(struct pl011 *u, uint8_t byte)
{
	int err = 0;

	spin_lock(&u->lock);
	if (u->rx_count == PL011_FIFO_DEPTH) {
		u->rx_dropped++;
		err = -ENOSPC;
	} else {
		u->rx_fifo[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] = byte;
		u->rx_count++;
		pl011_update_irq(u);
		pl011_publish(u);
	}
	spin_unlock(&u->lock);
	return err;
}

unsigned pl011_rx_room(struct pl011 *u)
{
	spin_lock(&u->lock);
	unsigned room = PL011_FIFO_DEPTH - u->rx_count;
	spin_unlock(&u->lock);
	return room;
}

void pl011_flush(struct pl011 *u)
{
	char out[PL011_OUT_MAX];

	/* The waiting line, the FIFO's (it may hold several short lines), the partial one;
	 * bounded, so that a guest still writing cannot keep it here. */
	for (unsigned i = 0; i < PL011_FIFO_DEPTH + 2; i++) {
		size_t n = 0;
		spin_lock(&u->lock);
		if (u->line_ready || u->line_len) {
			n = pl011_format_line(u, out);
			pl011_line_sent(u);
			pl011_publish(u);
		}
		spin_unlock(&u->lock);
		if (!n)
			return;
		hal_console_write(out, n);
	}
}

void pl011_fini(struct pl011 *u)
{
	console_close(&u->src);
	pl011_flush(u);
}
