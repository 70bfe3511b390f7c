/* The emulated NS16550A UART (the 16550 data sheet; QEMU's riscv `virt` console). It owns
 * one UART's registers, its receive and transmit FIFOs and its output line buffer; its
 * lines go to the host console through core/console.c and its interrupt output to the
 * owner's callback. It never calls into the VM, and nothing a guest does here panics: a
 * bad access is an error returned to the bus, which injects an access fault.
 *
 * Transmit is the PL011's (core/pl011.c), with the host console as the wire: THR bytes
 * go into the transmit FIFO, which drains into the line buffer at once unless a
 * complete line is waiting for the console; then the FIFO fills, LSR.THRE drops, and a
 * THR write to a full FIFO is refused with -EAGAIN (the guest's store runs again), so
 * that a guest that ignores LSR.THRE loses nothing either.
 *
 * Interrupts (data sheet, interrupt control functions), computed from the state, highest
 * priority first: line status (LSR.OE with IER.ELSI), received data (IER.ERBFI; FIFO
 * count at the FCR trigger level, or any byte with the FIFOs off), character timeout,
 * THR empty (its latch with IER.ETBEI), modem status (MSR bits 3:0 with IER.EDSSI).
 * The output is IIR bit 0 clear, as in QEMU, which does not gate it with MCR.OUT2 (on a
 * PC OUT2 gates the pin to the interrupt controller; `virt` wires the UART straight to
 * the PLIC, and drivers for it do not all set OUT2).
 *
 * Simplified relative to the data sheet, because a virtual UART has no wire and no time:
 * - Character timeout: no time passes between a byte arriving and the guest looking, so
 *   the four character times are taken as elapsed at once: with the FIFOs on, a receive
 *   FIFO that holds data below the trigger level reports IIR 0xC, at or above it 0x4.
 *   So data never sits unannounced below a high trigger level (what the timeout is
 *   for), and IIR tells the two apart as the data sheet does; reading RBR clears it
 *   only when it empties the FIFO (the timer would run out again).
 * - The THR-empty latch is set when the transmit FIFO becomes empty (a line going out
 *   drains it, or a THR write that passes straight into the line), when IER.ETBEI is
 *   set with it empty, and by a transmit-FIFO reset (as QEMU); it is cleared by a THR
 *   write and by an IIR read that reports it.
 * - A byte arriving at a full receiver is lost and sets LSR.OE in both modes (with the
 *   FIFOs off the data sheet overwrites the holding register instead; here the older
 *   byte is kept, as in FIFO mode). RBR reads 0 when the receiver is empty.
 * - Loopback (MCR.LOOP): a THR write goes straight into the receiver (ahead of bytes
 *   still queued in the transmit FIFO for the console, which still go there); console
 *   input is refused; MSR bits 7:4 follow MCR (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2).
 *   Outside loopback they read CTS, DSR and DCD asserted. MSR bits 3:0 record every
 *   change of those inputs (TERI: RI going off) until MSR is read.
 * - FCR bits other than FIFOE are taken only with FIFOE set in the same write (data
 *   sheet); changing FIFOE clears both FIFOs. A transmit-FIFO reset throws away the
 *   bytes not yet in the line buffer (the shift register); they are counted.
 * - LSR.TEMT is clear while the FIFO holds bytes or a complete line waits for the
 *   console; a partial line does not keep it clear. Writes to LSR and MSR (factory
 *   test on the part) are ignored; DLL, DLM, LCR and SCR only keep what was written.
 * - Only 1-byte accesses at offsets 0-7 are registers; any other width, and any offset
 *   from 8 to the end of the window, is an error. QEMU maps only the 8 bytes at reg
 *   shift 0, so the rest of its 0x100 window is unassigned and faults there too; QEMU
 *   does take wider accesses at 0-7 as one access to the byte register at their
 *   address. Refusing them here shows a driver bug (the device tree says byte
 *   registers) at its first access instead of giving it half-meant register writes.
 * The irq callback runs under the device's lock, so that level changes come out in the
 * order the accesses happened. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/console.h"
#include "core/mem.h"
#include "core/uart16550.h"
#include "hal/console.h"
#include "hal/err.h"

/* The most bytes one console call takes or gives: its count fits an int. */
#define CONSOLE_CALL_MAX ((size_t)INT32_MAX)

static bool uart_fifos_on(const struct uart16550 *u)
{
	return (u->fcr & UART16550_FCR_FIFOE) != 0;
}

static unsigned uart_depth(const struct uart16550 *u)
{
	return uart_fifos_on(u) ? UART16550_FIFO_DEPTH : 1;
}

/* The receive trigger level, FCR bits 7:6: 1, 4, 8 or 14 bytes. */
static unsigned uart_rx_trigger(const struct uart16550 *u)
{
	static const uint8_t levels[4] = { 1, 4, 8, 14 };

	return levels[u->fcr >> 6];
}

static bool uart_tx_full(const struct uart16550 *u)
{
	return u->tx_count >= uart_depth(u);
}

static bool uart_loopback(const struct uart16550 *u)
{
	return (u->mcr & UART16550_MCR_LOOP) != 0;
}

static uint8_t uart_lsr(const struct uart16550 *u)
{
	unsigned lsr = u->lsr_oe;

	if (u->rx_count)
		lsr |= UART16550_LSR_DR;
	if (u->tx_count == 0)
		lsr |= UART16550_LSR_THRE;
	if (u->tx_count == 0 && !u->line_ready)
		lsr |= UART16550_LSR_TEMT;
	return (uint8_t)lsr;
}

/* MSR bits 7:4: the modem inputs, or in loopback MCR's outputs looped back. */
static uint8_t uart_msr_inputs(const struct uart16550 *u)
{
	unsigned m = u->mcr, in = 0;

	if (!uart_loopback(u))
		return UART16550_MSR_IDLE;
	if (m & UART16550_MCR_RTS)
		in |= UART16550_MSR_CTS;
	if (m & UART16550_MCR_DTR)
		in |= UART16550_MSR_DSR;
	if (m & UART16550_MCR_OUT1)
		in |= UART16550_MSR_RI;
	if (m & UART16550_MCR_OUT2)
		in |= UART16550_MSR_DCD;
	return (uint8_t)in;
}

/* IIR: the highest-priority pending interrupt, and the FIFO bits. */
static uint8_t uart_iir(const struct uart16550 *u)
{
	unsigned id = UART16550_IIR_NONE;

	if ((u->ier & UART16550_IER_ELSI) && u->lsr_oe)
		id = UART16550_IIR_RLS;
	else if ((u->ier & UART16550_IER_ERBFI) && u->rx_count)
		id = !uart_fifos_on(u) || u->rx_count >= uart_rx_trigger(u) ? UART16550_IIR_RDA
									    : UART16550_IIR_CTI;
	else if ((u->ier & UART16550_IER_ETBEI) && u->thre_ipending)
		id = UART16550_IIR_THRI;
	else if ((u->ier & UART16550_IER_EDSSI) && u->msr_delta)
		id = UART16550_IIR_MSI;
	return (uint8_t)(id | (uart_fifos_on(u) ? UART16550_IIR_FIFOS : 0));
}

/* LSR as the early exits read it (mmio_ops.shadows), or MMIO_SHADOW_ASK while a read
 * has a side effect: it clears OE, or it is counted (transmit FIFO full). Lock held,
 * or u owned alone. */
static void uart_publish(struct uart16550 *u)
{
	uint64_t v = u->lsr_oe || uart_tx_full(u) ? MMIO_SHADOW_ASK : uart_lsr(u);

	__atomic_store_n(&u->lsr_shadow, v, __ATOMIC_RELEASE);
}

/* Report the interrupt output if its level changed, and publish LSR. Lock held. */
static void uart_update(struct uart16550 *u)
{
	bool level = !(uart_iir(u) & UART16550_IIR_NONE);

	uart_publish(u);
	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->irq)
		u->irq(u->irq_ctx, level);
}

/* ---- receive ------------------------------------------------------------------------ */

/* A byte at the receiver: into the FIFO, or an overrun. Lock held. */
static int uart_rx_push(struct uart16550 *u, uint8_t c)
{
	if (u->rx_count >= uart_depth(u)) {
		u->lsr_oe = UART16550_LSR_OE;
		u->rx_dropped++;
		return -ENOSPC;
	}
	u->rx_fifo[(u->rx_head + u->rx_count) % UART16550_FIFO_DEPTH] = c;
	u->rx_count++;
	return 0;
}

/* An RBR read: the oldest byte, or 0 with the receiver empty. Lock held. */
static uint8_t uart_rx_pop(struct uart16550 *u)
{
	if (u->rx_count == 0)
		return 0;
	uint8_t c = u->rx_fifo[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART16550_FIFO_DEPTH;
	u->rx_count--;
	return c;
}

static void uart_rx_clear(struct uart16550 *u)
{
	u->rx_head = u->rx_count = 0;
}

/* ---- transmit ----------------------------------------------------------------------- */

static size_t uart_format_line(const struct uart16550 *u, char out[UART16550_OUT_MAX])
{
	return console_line_format(out, u->prefix, u->prefix_len, u->line, u->line_len);
}

/* Move bytes from the transmit FIFO into the line until the FIFO is empty or the line
 * is complete: a newline, or a character whose escaped form does not fit (it stays in
 * the FIFO and starts the next line). CR is dropped: every line ends with '\n'. How
 * many bytes left the FIFO. Lock held. */
static unsigned uart_tx_drain(struct uart16550 *u)
{
	unsigned moved = 0;

	while (u->tx_count && !u->line_ready) {
		uint8_t c = u->tx_fifo[u->tx_head];
		if (!console_line_put(u->line, &u->line_len, UART16550_LINE_MAX, c, &u->line_ready)) {
			u->line_ready = true;
			break;
		}
		u->tx_head = (u->tx_head + 1) % UART16550_FIFO_DEPTH;
		u->tx_count--;
		moved++;
	}
	return moved;
}

/* The line went to the console: the next starts from the FIFO, and the FIFO becoming
 * empty raises the THR-empty latch. Lock held. */
static void uart_line_sent(struct uart16550 *u)
{
	u->line_len = 0;
	u->line_ready = false;
	u->tx_lines++;
	if (uart_tx_drain(u) && u->tx_count == 0)
		u->thre_ipending = true;
	uart_update(u);
}

/* The console's call (console.h): hand over the complete line, if the queue has room. */
static enum console_send uart_send(struct console_src *src)
{
	struct uart16550 *u = (struct uart16550 *)((char *)src - offsetof(struct uart16550, src));
	enum console_send r = CONSOLE_SENT;
	char out[UART16550_OUT_MAX];

	spin_lock(&u->lock);
	if (u->line_ready) {
		if (hal_console_queue(out, uart_format_line(u, out))) {
			r = CONSOLE_FULL;
		} else {
			uart_line_sent(u);
			r = u->line_ready ? CONSOLE_SENT_MORE : CONSOLE_SENT;
		}
	}
	spin_unlock(&u->lock);
	return r;
}

/* A byte for the console through THR: -EAGAIN with the FIFO full; *offer when a line
 * has just become complete. The write clears the THR-empty latch, and the FIFO
 * emptying again at once sets it. Lock held. */
static int uart_tx(struct uart16550 *u, uint8_t c, bool *offer)
{
	bool was_ready = u->line_ready;

	if (uart_tx_full(u)) {
		u->tx_stalls++;
		return -EAGAIN;
	}
	u->tx_fifo[(u->tx_head + u->tx_count) % UART16550_FIFO_DEPTH] = c;
	u->tx_count++;
	uart_tx_drain(u);
	u->thre_ipending = u->tx_count == 0;
	*offer = u->line_ready && !was_ready;
	return 0;
}

/* FCR's transmit-FIFO reset: the bytes not yet in the line go. Lock held. */
static void uart_tx_clear(struct uart16550 *u)
{
	u->tx_discarded += u->tx_count;
	u->tx_head = u->tx_count = 0;
	u->thre_ipending = true;
}

/* ---- registers: one table, indexed by offset, DLAB-banked at 0 and 1 --------------- */

static uint8_t rd_rbr(struct uart16550 *u)
{
	return uart_rx_pop(u);
}

static uint8_t rd_ier(struct uart16550 *u)
{
	return u->ier;
}

static uint8_t rd_iir(struct uart16550 *u)
{
	uint8_t iir = uart_iir(u);

	if ((iir & 0x0F) == UART16550_IIR_THRI)
		u->thre_ipending = false; /* reading it is how it is acknowledged */
	return iir;
}

static uint8_t rd_lcr(struct uart16550 *u)
{
	return u->lcr;
}

static uint8_t rd_mcr(struct uart16550 *u)
{
	return u->mcr;
}

static uint8_t rd_lsr(struct uart16550 *u)
{
	uint8_t lsr = uart_lsr(u);

	if (uart_tx_full(u))
		u->tx_full_reads++;
	u->lsr_oe = 0;
	return lsr;
}

static uint8_t rd_msr(struct uart16550 *u)
{
	uint8_t msr = (uint8_t)(uart_msr_inputs(u) | u->msr_delta);

	u->msr_delta = 0;
	return msr;
}

static uint8_t rd_scr(struct uart16550 *u)
{
	return u->scr;
}

static uint8_t rd_dll(struct uart16550 *u)
{
	return u->dll;
}

static uint8_t rd_dlm(struct uart16550 *u)
{
	return u->dlm;
}

static int wr_thr(struct uart16550 *u, uint8_t v, bool *offer)
{
	if (!uart_loopback(u))
		return uart_tx(u, v, offer);
	uart_rx_push(u, v); /* an overrun sets OE, as any byte arriving at a full receiver */
	u->thre_ipending = u->tx_count == 0;
	return 0;
}

static int wr_ier(struct uart16550 *u, uint8_t v, bool *offer)
{
	(void)offer;
	if ((v & UART16550_IER_ETBEI) && !(u->ier & UART16550_IER_ETBEI) && u->tx_count == 0)
		u->thre_ipending = true;
	u->ier = (uint8_t)(v & UART16550_IER_MASK);
	return 0;
}

static int wr_fcr(struct uart16550 *u, uint8_t v, bool *offer)
{
	bool on = (v & UART16550_FCR_FIFOE) != 0;

	(void)offer;
	if (on != uart_fifos_on(u)) {
		uart_rx_clear(u);
		uart_tx_clear(u);
	}
	if (!on) {
		u->fcr = 0;
		return 0;
	}
	if (v & UART16550_FCR_RFR)
		uart_rx_clear(u);
	if (v & UART16550_FCR_XFR)
		uart_tx_clear(u);
	u->fcr = (uint8_t)(v & (UART16550_FCR_FIFOE | UART16550_FCR_DMA | UART16550_FCR_TRIGGER));
	return 0;
}

static int wr_lcr(struct uart16550 *u, uint8_t v, bool *offer)
{
	(void)offer;
	u->lcr = v;
	return 0;
}

/* MCR: a change of the looped-back inputs (or of loopback itself) is recorded in MSR
 * bits 3:0; TERI only for RI going off (its trailing edge). */
static int wr_mcr(struct uart16550 *u, uint8_t v, bool *offer)
{
	unsigned before = uart_msr_inputs(u), after, changed, delta = 0;

	(void)offer;
	u->mcr = (uint8_t)(v & UART16550_MCR_MASK);
	after = uart_msr_inputs(u);
	changed = before ^ after;
	if (changed & UART16550_MSR_CTS)
		delta |= UART16550_MSR_DCTS;
	if (changed & UART16550_MSR_DSR)
		delta |= UART16550_MSR_DDSR;
	if ((before & UART16550_MSR_RI) && !(after & UART16550_MSR_RI))
		delta |= UART16550_MSR_TERI;
	if (changed & UART16550_MSR_DCD)
		delta |= UART16550_MSR_DDCD;
	u->msr_delta = (uint8_t)(u->msr_delta | delta);
	return 0;
}

static int wr_ignored(struct uart16550 *u, uint8_t v, bool *offer)
{
	(void)u, (void)v, (void)offer;
	return 0;
}

static int wr_scr(struct uart16550 *u, uint8_t v, bool *offer)
{
	(void)offer;
	u->scr = v;
	return 0;
}

static int wr_dll(struct uart16550 *u, uint8_t v, bool *offer)
{
	(void)offer;
	u->dll = v;
	return 0;
}

static int wr_dlm(struct uart16550 *u, uint8_t v, bool *offer)
{
	(void)offer;
	u->dlm = v;
	return 0;
}

struct uart_reg {
	uint8_t (*read)(struct uart16550 *u);
	int (*write)(struct uart16550 *u, uint8_t v, bool *offer);
};

static const struct uart_reg uart_regs[UART16550_NREGS] = {
	[UART16550_RBR] = { rd_rbr, wr_thr },  [UART16550_IER] = { rd_ier, wr_ier },
	[UART16550_IIR] = { rd_iir, wr_fcr },  [UART16550_LCR] = { rd_lcr, wr_lcr },
	[UART16550_MCR] = { rd_mcr, wr_mcr },  [UART16550_LSR] = { rd_lsr, wr_ignored },
	[UART16550_MSR] = { rd_msr, wr_ignored }, [UART16550_SCR] = { rd_scr, wr_scr },
};

/* Offsets 0 and 1 with LCR.DLAB set: the divisor latch. */
static const struct uart_reg uart_dlab_regs[2] = {
	{ rd_dll, wr_dll },
	{ rd_dlm, wr_dlm },
};

static const struct uart_reg *uart_reg(const struct uart16550 *u, uint64_t off)
{
	if (off < 2 && (u->lcr & UART16550_LCR_DLAB))
		return &uart_dlab_regs[off];
	return &uart_regs[off];
}

static bool uart_access_ok(uint64_t off, unsigned width)
{
	return off < UART16550_NREGS && width == 1;
}

static int uart_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	struct uart16550 *u = ctx;

	*value = 0;
	if (!uart_access_ok(off, width))
		return -EINVAL;
	spin_lock(&u->lock);
	*value = uart_reg(u, off)->read(u);
	uart_update(u);
	spin_unlock(&u->lock);
	return 0;
}

static int uart_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	struct uart16550 *u = ctx;
	bool offer = false;

	if (!uart_access_ok(off, width))
		return -EINVAL;
	spin_lock(&u->lock);
	int err = uart_reg(u, off)->write(u, (uint8_t)value, &offer);
	uart_update(u);
	spin_unlock(&u->lock);
	if (offer) /* outside the device's lock: the console's lock comes first */
		console_offer(&u->src);
	return err;
}

static unsigned uart_shadows(void *ctx, struct mmio_shadow *out, unsigned max)
{
	struct uart16550 *u = ctx;

	if (max < 1)
		return 0;
	out[0] = (struct mmio_shadow){ gpa_make(UART16550_LSR), 0x1, &u->lsr_shadow };
	return 1;
}

const struct mmio_ops uart16550_ops = { uart_read, uart_write, uart_shadows };

/* ---- the owner's side --------------------------------------------------------------- */

/* Registers and receiver as at power-on (data sheet, reset table; DLL, DLM and SCR,
 * which it leaves undefined, as zero). Lock held, or u owned alone. */
static void reset_registers(struct uart16550 *u)
{
	u->ier = u->fcr = u->lcr = u->mcr = u->scr = u->dll = u->dlm = 0;
	u->lsr_oe = u->msr_delta = 0;
	u->thre_ipending = false;
	uart_rx_clear(u);
}

void uart16550_init(struct uart16550 *u, const char *name, void (*irq)(void *ctx, bool level),
		    void *irq_ctx)
{
	memset(u, 0, sizeof(*u));
	u->lock = (struct spinlock)SPINLOCK_INIT;
	console_src_init(&u->src, uart_send);
	u->prefix_len = console_prefix(u->prefix, name, UART16550_NAME_MAX);
	u->irq = irq;
	u->irq_ctx = irq_ctx;
	reset_registers(u);
	uart_publish(u);
}

void uart16550_reset(struct uart16550 *u)
{
	spin_lock(&u->lock);
	reset_registers(u);
	uart_update(u); /* nothing is enabled: the output goes low */
	spin_unlock(&u->lock);
}

int uart16550_receive(struct uart16550 *u, uint8_t byte)
{
	int err;

	spin_lock(&u->lock);
	if (uart_loopback(u)) {
		u->rx_dropped++;
		err = -EBUSY;
	} else {
		err = uart_rx_push(u, byte);
	}
	uart_update(u);
	spin_unlock(&u->lock);
	return err;
}

unsigned uart16550_rx_room(struct uart16550 *u)
{
	spin_lock(&u->lock);
	unsigned room = uart_loopback(u) ? 0 : uart_depth(u) - u->rx_count;
	spin_unlock(&u->lock);
	return room;
}

int uart16550_console_write(struct uart16550 *u, const uint8_t *buf, size_t n)
{
	size_t done = 0;
	int err = 0;

	if (!buf && n)
		return -EINVAL;
	if (n > CONSOLE_CALL_MAX)
		n = CONSOLE_CALL_MAX;
	/* A line at a time: its offer to the console is made outside the lock, and the
	 * console taking it at once makes room for the rest. */
	while (done < n && !err) {
		bool offer = false;
		spin_lock(&u->lock);
		while (done < n && !offer && !err)
			if (!(err = uart_tx(u, buf[done], &offer)))
				done++;
		uart_update(u);
		spin_unlock(&u->lock);
		if (offer)
			console_offer(&u->src);
	}
	return (int)done;
}

int uart16550_console_read(struct uart16550 *u, uint8_t *buf, size_t n)
{
	size_t done = 0;

	if (!buf && n)
		return -EINVAL;
	if (n > CONSOLE_CALL_MAX)
		n = CONSOLE_CALL_MAX;
	spin_lock(&u->lock);
	while (done < n && u->rx_count)
		buf[done++] = uart_rx_pop(u);
	uart_update(u);
	spin_unlock(&u->lock);
	return (int)done;
}

void uart16550_flush(struct uart16550 *u)
{
	char out[UART16550_OUT_MAX];

	/* The waiting line, the FIFO's (it may hold several short lines), the partial one;
	 * bounded, so that a guest still writing cannot keep it here. */
	for (unsigned i = 0; i < UART16550_FIFO_DEPTH + 2; i++) {
		size_t n = 0;
		spin_lock(&u->lock);
		if (u->line_ready || u->line_len) {
			n = uart_format_line(u, out);
			uart_line_sent(u);
		}
		spin_unlock(&u->lock);
		if (!n)
			return;
		hal_console_write(out, n);
	}
}

void uart16550_fini(struct uart16550 *u)
{
	console_close(&u->src);
	uart16550_flush(u);
}
