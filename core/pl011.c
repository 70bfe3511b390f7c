/* The emulated PL011 UART (ARM DDI 0183, the PrimeCell UART TRM). It owns one UART's
 * register state, its 16-byte receive FIFO and its output line buffer; it writes to the
 * host console and reports its combined interrupt line through the owner's callback.
 * It must never call into the VM (the owner wires the callback to vm_inject_irq) and
 * nothing a guest does here may panic: a bad access is a bus error returned to the bus.
 *
 * Simplified relative to the TRM, because a virtual UART has no wire and no baud rate:
 * - Transmit is instantaneous: FR.TXFE is always set, FR.TXFF and FR.BUSY never are.
 *   Like QEMU, DR writes are transmitted whatever CR.UARTEN and CR.TXE say.
 * - TXRIS is set at reset and by every DR write (the FIFO is empty again at once) and
 *   cleared only by ICR, until the next DR write. On hardware it follows the FIFO level
 *   against IFLS and is not set at reset.
 * - RXRIS is set exactly while the receive FIFO holds data (a trigger level of one byte,
 *   as in QEMU); IFLS is stored but not used, and ICR cannot clear RXRIS. RTRIS (the
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
 *   different VMs stay whole on the shared host console; '\r' is dropped because every
 *   line already ends with '\n'.
 * The console write and the irq callback run under the device's lock, so that lines and
 * level changes come out in the order the accesses happened. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

static uint32_t pl011_fr(const struct pl011 *u)
{
	uint32_t fr = PL011_FR_TXFE;

	if (u->rx_count == 0)
		fr |= PL011_FR_RXFE;
	if (u->rx_count == PL011_FIFO_DEPTH)
		fr |= PL011_FR_RXFF;
	return fr;
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

/* One console write of "[name] line\n". Lock held. */
static void pl011_emit_line(struct pl011 *u)
{
	char out[1 + PL011_NAME_MAX + 2 + PL011_LINE_MAX + 1];
	size_t name_len = td_strnlen(u->name, sizeof(u->name));
	size_t n = 0;

	out[n++] = '[';
	memcpy(out + n, u->name, name_len);
	n += name_len;
	out[n++] = ']';
	out[n++] = ' ';
	memcpy(out + n, u->line, u->line_len);
	n += u->line_len;
	out[n++] = '\n';
	hal_console_write(out, n);
	u->line_len = 0;
}

/* A byte written to DR. A full line buffer is written out only when one more byte
 * arrives, so that a line of exactly PL011_LINE_MAX bytes stays one line. Lock held. */
static void pl011_tx(struct pl011 *u, uint8_t c)
{
	u->ris_latched |= PL011_TXIM;
	if (c == '\r')
		return;
	if (c == '\n') {
		pl011_emit_line(u);
		return;
	}
	if (u->line_len == PL011_LINE_MAX)
		pl011_emit_line(u);
	u->line[u->line_len++] = (char)c;
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
	case PL011_FR: return pl011_fr(u);
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

static void pl011_reg_write(struct pl011 *u, uint64_t off, uint32_t v)
{
	switch (off) {
	case PL011_DR: pl011_tx(u, (uint8_t)v); break;
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
	pl011_update_irq(u); /* a DR read may have emptied the FIFO */
	spin_unlock(&u->lock);
	*value = v & pl011_width_mask(width);
	return 0;
}

static int pl011_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct pl011 *u = ctx;

	if (!pl011_access_ok(off, width))
		return -EINVAL;
	spin_lock(&u->lock);
	pl011_reg_write(u, off, (uint32_t)value & pl011_width_mask(width));
	pl011_update_irq(u);
	spin_unlock(&u->lock);
	return 0;
}

const struct mmio_ops pl011_ops = { pl011_read, pl011_write };

void pl011_init(struct pl011 *u, const char *name, void (*irq)(void *ctx, bool level),
		void *irq_ctx)
{
	memset(u, 0, sizeof(*u));
	u->lock = (struct spinlock)SPINLOCK_INIT;
	if (name)
		memcpy(u->name, name, td_strnlen(name, PL011_NAME_MAX - 1));
	u->irq = irq;
	u->irq_ctx = irq_ctx;
	u->cr = PL011_CR_RESET;
	u->ifls = PL011_IFLS_RESET;
	u->ris_latched = PL011_TXIM; /* the transmitter is idle and empty */
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
	}
	spin_unlock(&u->lock);
	return err;
}

void pl011_flush(struct pl011 *u)
{
	spin_lock(&u->lock);
	if (u->line_len)
		pl011_emit_line(u);
	spin_unlock(&u->lock);
}
