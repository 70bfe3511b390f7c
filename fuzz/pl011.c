/* fuzz/pl011: the emulated PL011 UART through its MMIO callbacks and its console-input
 * entry, against a model of its receive and transmit FIFOs, with a host console that
 * takes lines or refuses them as the input says, and with its invariants checked after
 * every step. Every input starts from a freshly reset UART and ends with pl011_fini.
 *
 * Input: a sequence of 6-byte records [op, off_lo, off_hi, width, v0, v1]:
 *   op % 5 == 0  read at offset, width
 *   op % 5 == 1  write value at offset, width
 *   op % 5 == 2  pl011_receive(v0), a byte of console input
 *   op % 5 == 3  the console takes guests' lines from now on (v0 odd) or refuses them
 *   op % 5 == 4  console_pump(): the console's retry, serving the waiting UART
 * offset = (off_hi % 0x11) << 8 | off_lo, 0 .. 0x10FF: the 4 KiB window with its
 * unaligned offsets and the page past it; width = width % 9, 0 .. 8: the valid 1, 2
 * and 4, the refused 8 and invalid ones; value = v0 | v1 << 8, with v1 also in bits
 * 63:56 so that truncation to the width is exercised.
 * Checked: an access fails exactly when the offset is unaligned or past the window or
 * the width is not 1, 2 or 4, or (-EAGAIN) when it is a DR write and the model's
 * transmit FIFO is full (one byte with LCR_H.FEN clear, else 16); a read's value fits
 * its width; a DR read returns the model's oldest received byte (0 when empty);
 * pl011_receive refuses exactly at a full FIFO; FR.RXFE/RXFF/TXFE/TXFF/BUSY and
 * RIS.TXRIS are the model's (TXRIS: set by a DR write that leaves the FIFO at or below
 * the IFLS trigger and by a line going out that drains it there, cleared by one that
 * leaves it above, and by ICR); the FIFOs never exceed their depth; MIS == RIS & IMSC;
 * the interrupt callback's last level == (MIS != 0) and it never reports the same
 * level twice in a row; FR's shadow (what early exits read) is FR, or MMIO_SHADOW_ASK
 * exactly while the transmit FIFO is full. Every line the console gets is "[fz] " and at most
 * PL011_LINE_MAX characters of printable ASCII, tabs and whole escapes, and what the
 * lines decode to is, in order, exactly the bytes DR writes were accepted with, less
 * CR and LF: nothing lost, nothing added. Any difference aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/console.h"
#include "core/pl011.h"
#include "fuzz/fuzz_util.h"
#include "hal-sim/sim.h"
#include "hal/err.h"

#define STREAM_MAX 8192

static struct pl011 uart;
static bool irq_level;
static uint8_t model[PL011_FIFO_DEPTH];
static unsigned model_head, model_count;

/* The transmit side as the model sees it: the FIFO's bytes, the characters of the line
 * being built, whether it is complete, and TXRIS. */
static uint8_t tx[PL011_FIFO_DEPTH];
static unsigned tx_count, line_chars;
static bool line_ready, txris, accepting;

/* Bytes accepted by DR writes (less CR and LF), and what the console's lines decode to. */
static uint8_t sent[STREAM_MAX], shown[STREAM_MAX];
static size_t nsent, nshown;

static void on_irq(void *ctx, bool level)
{
	CHECK(ctx == &uart);
	CHECK(level != irq_level);
	irq_level = level;
}

static unsigned hexval(char c)
{
	CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
	return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

/* One console line, without its '\n': the prefix, then characters to decode. */
static void decode_line(const char *p, size_t len)
{
	CHECK(len >= 5 && !memcmp(p, "[fz] ", 5));
	CHECK(len - 5 <= PL011_LINE_MAX);
	for (size_t i = 5; i < len; i++) {
		uint8_t c = (uint8_t)p[i];
		CHECK(c == '\t' || (c >= 0x20 && c < 0x7F));
		if (c == '\\') {
			CHECK(i + 1 < len);
			if (p[i + 1] == '\\') {
				i++;
			} else {
				CHECK(p[i + 1] == 'x' && i + 3 < len);
				c = (uint8_t)(hexval(p[i + 2]) << 4 | hexval(p[i + 3]));
				i += 3;
			}
		}
		CHECK(nshown < STREAM_MAX);
		shown[nshown++] = c;
	}
	CHECK(nshown <= nsent && !memcmp(shown, sent, nshown));
}

/* The host console: guests' lines only while accepting; Tandem's writes (the flush at
 * the end) always. Every call is whole lines. */
static int console_sink(void *arg, const char *buf, size_t len, bool queued)
{
	(void)arg;
	if (queued && !accepting)
		return -EAGAIN;
	CHECK(len > 0 && buf[len - 1] == '\n');
	for (size_t start = 0, i = 0; i < len; i++)
		if (buf[i] == '\n') {
			decode_line(buf + start, i - start);
			start = i + 1;
		}
	return 0;
}

static uint32_t reg(uint64_t off)
{
	uint64_t v;

	CHECK(pl011_ops.read(&uart, off, 4, &v) == 0);
	CHECK(v <= 0xFFFFFFFFu);
	return (uint32_t)v;
}

static unsigned tx_depth(void)
{
	return (reg(PL011_LCR_H) & PL011_LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

static unsigned tx_trigger(void)
{
	static const unsigned levels[8] = { 2, 4, 8, 12, 14, 8, 8, 8 }; /* TXIFLSEL of 16 */

	return (reg(PL011_LCR_H) & PL011_LCR_H_FEN) ? levels[reg(PL011_IFLS) & 7] : 0;
}

/* Characters byte c takes in a line, worked out from the rule (console.h). */
static unsigned shown_width(uint8_t c)
{
	if (c == '\\')
		return 2;
	return c == '\t' || (c >= 0x20 && c < 0x7F) ? 1 : 4;
}

/* FIFO into the line until empty or the line is complete; bytes moved. */
static unsigned model_drain(void)
{
	unsigned moved = 0;

	while (tx_count && !line_ready) {
		uint8_t c = tx[0];
		unsigned w = c == '\r' || c == '\n' ? 0 : shown_width(c);
		if (line_chars + w > PL011_LINE_MAX) {
			line_ready = true;
			break;
		}
		memmove(tx, tx + 1, --tx_count);
		moved++;
		line_chars += w;
		line_ready = c == '\n';
	}
	return moved;
}

/* The console takes complete lines while it accepts them. */
static void model_send_lines(void)
{
	while (line_ready && accepting) {
		line_ready = false;
		line_chars = 0;
		if (model_drain() && tx_count <= tx_trigger())
			txris = true;
	}
}

static bool access_ok(uint64_t off, unsigned width)
{
	return off < PL011_SIZE && off % 4 == 0 && (width == 1 || width == 2 || width == 4);
}

static void op_read(uint64_t off, unsigned width)
{
	uint64_t v = 0;
	int err = pl011_ops.read(&uart, off, width, &v);

	CHECK((err == 0) == access_ok(off, width));
	if (err)
		return;
	CHECK(width == 8 || v >> (8 * width) == 0);
	if (off == PL011_DR) {
		uint64_t want = 0;
		if (model_count) {
			want = model[model_head];
			model_head = (model_head + 1) % PL011_FIFO_DEPTH;
			model_count--;
		}
		CHECK(v == want);
	}
}

static void op_dr_write(uint8_t c)
{
	bool full = tx_count >= tx_depth();
	int err = pl011_ops.write(&uart, PL011_DR, 1, c);

	if (full) {
		CHECK(err == -EAGAIN);
		return;
	}
	CHECK(err == 0);
	if (c != '\r' && c != '\n') {
		CHECK(nsent < STREAM_MAX);
		sent[nsent++] = c;
	}
	bool was_ready = line_ready;
	tx[tx_count++] = c;
	model_drain();
	txris = tx_count <= tx_trigger();
	if (line_ready && !was_ready) /* offered to the console at once */
		model_send_lines();
}

static void op_write(uint64_t off, unsigned width, uint64_t value)
{
	if (off == PL011_DR && access_ok(off, width)) {
		op_dr_write((uint8_t)value);
		return;
	}
	int err = pl011_ops.write(&uart, off, width, value);

	CHECK((err == 0) == access_ok(off, width));
	if (!err && off == PL011_ICR && (value & PL011_TXIM))
		txris = false;
}

static void op_receive(uint8_t byte)
{
	int err = pl011_receive(&uart, byte);

	if (model_count == PL011_FIFO_DEPTH) {
		CHECK(err == -ENOSPC);
		return;
	}
	CHECK(err == 0);
	model[(model_head + model_count) % PL011_FIFO_DEPTH] = byte;
	model_count++;
}

static void op_pump(void)
{
	console_pump();
	model_send_lines();
}

static void check_invariants(void)
{
	uint32_t fr = reg(PL011_FR), ris = reg(PL011_RIS), mis = reg(PL011_MIS);
	uint32_t imsc = reg(PL011_IMSC);

	CHECK(uart.rx_count <= PL011_FIFO_DEPTH);
	CHECK(uart.rx_count == model_count);
	CHECK(!(fr & PL011_FR_RXFE) == (uart.rx_count != 0));
	CHECK(!(fr & PL011_FR_RXFF) == (uart.rx_count != PL011_FIFO_DEPTH));
	CHECK(uart.tx_count <= PL011_FIFO_DEPTH);
	CHECK(uart.tx_count == tx_count);
	CHECK(uart.line_ready == line_ready);
	CHECK(!(fr & PL011_FR_TXFE) == (tx_count != 0));
	CHECK(!(fr & PL011_FR_TXFF) == (tx_count < tx_depth()));
	CHECK(!(fr & PL011_FR_BUSY) == !(tx_count || line_ready));
	CHECK(!(ris & PL011_TXIM) == !txris);
	CHECK(mis == (ris & imsc));
	CHECK(irq_level == (mis != 0));
	/* The shadow the early exits read FR from: FR itself, or "ask the device" while a
	 * read has a side effect (TXFF: it is counted). */
	struct mmio_shadow sh;
	CHECK(pl011_ops.shadows(&uart, &sh, 1) == 1);
	CHECK(gpa_bits(sh.addr) == PL011_FR && sh.widths == 0x7);
	CHECK(*sh.value == (tx_count >= tx_depth() ? MMIO_SHADOW_ASK : fr));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool machine;
	if (!machine) {
		CHECK(hal_sim_init(NULL) == 0);
		hal_sim_console_sink(console_sink, NULL);
		machine = true;
	}
	irq_level = false;
	model_head = model_count = 0;
	tx_count = line_chars = 0;
	line_ready = false;
	txris = accepting = true; /* TXRIS is set at reset */
	nsent = nshown = 0;
	pl011_init(&uart, "fz", on_irq, &uart);
	check_invariants();

	for (; size >= 6; data += 6, size -= 6) {
		uint64_t off = (uint64_t)(data[2] % 0x11) << 8 | data[1];
		unsigned width = data[3] % 9;
		uint64_t value = data[4] | (uint64_t)data[5] << 8 | (uint64_t)data[5] << 56;
		switch (data[0] % 5) {
		case 0: op_read(off, width); break;
		case 1: op_write(off, width, value); break;
		case 2: op_receive(data[4]); break;
		case 3: accepting = data[4] & 1; break;
		case 4: op_pump(); break;
		}
		check_invariants();
	}
	pl011_fini(&uart);
	CHECK(uart.line_len == 0 && uart.tx_count == 0 && !uart.line_ready);
	CHECK(nshown == nsent); /* everything out, decoded back to what was written */
	return 0;
}
