/* fuzz/uart16550: the emulated NS16550A through its MMIO callbacks, its console-input
 * entry and the firmware console's two calls, against a model of all its state kept
 * here (registers, FIFOs, the line being built, the THRE latch, OE, the MSR deltas),
 * with a host console that takes lines or refuses them as the input says, and with its
 * invariants checked after every step. Every input starts from a fresh UART and ends
 * with uart16550_fini.
 *
 * Input: a sequence of 4-byte records [op, a, b, c]:
 *   op % 8 == 0  read at offset a, width b
 *   op % 8 == 1  write c (and b in bits 63:56) at offset a, width b
 *   op % 8 == 2  uart16550_receive(c), a byte of console input
 *   op % 8 == 3  the console takes guests' lines from now on (c odd) or refuses them
 *   op % 8 == 4  console_pump(): the console's retry
 *   op % 8 == 5  uart16550_console_write of the next c % 32 input bytes (consumed)
 *   op % 8 == 6  uart16550_console_read of up to c % 20 bytes
 *   op % 8 == 7  uart16550_reset
 * offset: a < 0xE0 gives a % 8, a register; else (a - 0xE0) * 9, 0 .. 279: the rest of
 * the 0x100 window and past it. width: b < 0xF0 gives 1, else b % 9 (0 .. 8).
 * Checked: an access fails exactly when the offset is past 7 or the width is not 1, or
 * (-EAGAIN) for a THR write (DLAB clear, no loopback) to a full transmit FIFO (16 bytes
 * with FCR.FIFOE, else 1); every register reads the model's value, with the model's side
 * effects (RBR pops, IIR acknowledges THRE, LSR clears OE, MSR clears its deltas);
 * receive and console_write/read take what the model says; the device's state equals
 * the model's after every step; the FIFOs never exceed 16 bytes; the interrupt level ==
 * !(IIR & 1) (IIR read from the device whenever that read has no side effect, and from
 * the model always), and the callback never reports the same level twice; LSR's shadow
 * is LSR, or MMIO_SHADOW_ASK exactly while OE is set or the transmit FIFO is full.
 * Every console line is "[fz] " and at most UART16550_LINE_MAX characters of printable
 * ASCII, tabs and whole escapes, and the lines decode to exactly the bytes THR and
 * console_write were accepted with (less CR and LF, and less the bytes an FCR transmit
 * reset threw away): nothing lost, nothing added. Any difference aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/console.h"
#include "core/uart16550.h"
#include "fuzz/fuzz_util.h"
#include "hal-sim/sim.h"
#include "hal/err.h"

#define INPUT_MAX  16384 /* the rest of a longer input is not used */
#define STREAM_MAX INPUT_MAX
#define DEPTH      UART16550_FIFO_DEPTH

static struct uart16550 uart;
static bool irq_level;

/* The model. */
static struct {
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm, oe, msr_delta;
	bool thre;
	uint8_t rx[DEPTH];
	unsigned rx_count;
	uint8_t tx[DEPTH];
	unsigned tx_count, line_chars;
	bool line_ready;
} m;
static bool accepting;

/* Bytes accepted for the console (less CR and LF), and what its lines decode to. */
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

static void decode_line(const char *p, size_t len)
{
	CHECK(len >= 5 && !memcmp(p, "[fz] ", 5));
	CHECK(len - 5 <= UART16550_LINE_MAX);
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

/* ---- the model's rules, from the data sheet and core/uart16550.h ---------------------- */

static bool fifos(void)
{
	return m.fcr & UART16550_FCR_FIFOE;
}

static unsigned depth(void)
{
	return fifos() ? DEPTH : 1;
}

static bool loopback(void)
{
	return m.mcr & UART16550_MCR_LOOP;
}

static uint8_t model_lsr(void)
{
	return (uint8_t)((m.rx_count ? 0x01 : 0) | m.oe | (m.tx_count == 0 ? 0x20 : 0) |
			 (m.tx_count == 0 && !m.line_ready ? 0x40 : 0));
}

static uint8_t msr_inputs(void)
{
	if (!loopback())
		return 0xB0;
	return (uint8_t)((m.mcr & 0x02 ? 0x10 : 0) | (m.mcr & 0x01 ? 0x20 : 0) |
			 (m.mcr & 0x04 ? 0x40 : 0) | (m.mcr & 0x08 ? 0x80 : 0));
}

static uint8_t model_iir(void)
{
	static const unsigned trigger[4] = { 1, 4, 8, 14 };
	uint8_t id = 0x01;

	if ((m.ier & 0x04) && m.oe)
		id = 0x06;
	else if ((m.ier & 0x01) && m.rx_count)
		id = !fifos() || m.rx_count >= trigger[m.fcr >> 6] ? 0x04 : 0x0C;
	else if ((m.ier & 0x02) && m.thre)
		id = 0x02;
	else if ((m.ier & 0x08) && m.msr_delta)
		id = 0x00;
	return (uint8_t)(id | (fifos() ? 0xC0 : 0));
}

static unsigned shown_width(uint8_t c)
{
	if (c == '\\')
		return 2;
	return c == '\t' || (c >= 0x20 && c < 0x7F) ? 1 : 4;
}

static unsigned model_drain(void)
{
	unsigned moved = 0;

	while (m.tx_count && !m.line_ready) {
		uint8_t c = m.tx[0];
		unsigned w = c == '\r' || c == '\n' ? 0 : shown_width(c);
		if (m.line_chars + w > UART16550_LINE_MAX) {
			m.line_ready = true;
			break;
		}
		memmove(m.tx, m.tx + 1, --m.tx_count);
		moved++;
		m.line_chars += w;
		m.line_ready = c == '\n';
	}
	return moved;
}

static void model_send_lines(void)
{
	while (m.line_ready && accepting) {
		m.line_ready = false;
		m.line_chars = 0;
		if (model_drain() && m.tx_count == 0)
			m.thre = true;
	}
}

/* A byte towards the console; false when the FIFO is full. */
static bool model_tx(uint8_t c)
{
	if (m.tx_count >= depth())
		return false;
	if (c != '\r' && c != '\n') {
		CHECK(nsent < STREAM_MAX);
		sent[nsent++] = c;
	}
	bool was_ready = m.line_ready;
	m.tx[m.tx_count++] = c;
	model_drain();
	m.thre = m.tx_count == 0;
	if (m.line_ready && !was_ready)
		model_send_lines();
	return true;
}

/* A byte at the receiver: 0, or -ENOSPC (an overrun). */
static int model_rx(uint8_t c)
{
	if (m.rx_count >= depth()) {
		m.oe = 0x02;
		return -ENOSPC;
	}
	m.rx[m.rx_count++] = c;
	return 0;
}

static uint8_t model_rx_pop(void)
{
	if (!m.rx_count)
		return 0;
	uint8_t c = m.rx[0];
	memmove(m.rx, m.rx + 1, --m.rx_count);
	return c;
}

/* An FCR transmit reset: the FIFO's bytes were the last accepted; they never show. */
static void model_tx_clear(void)
{
	while (m.tx_count) {
		uint8_t c = m.tx[--m.tx_count];
		if (c != '\r' && c != '\n') {
			CHECK(nsent > 0 && sent[nsent - 1] == c);
			nsent--;
		}
	}
	m.thre = true;
}

static void model_fcr(uint8_t v)
{
	bool on = v & 1;

	if (on != fifos()) {
		m.rx_count = 0;
		model_tx_clear();
	}
	if (!on) {
		m.fcr = 0;
		return;
	}
	if (v & 0x02)
		m.rx_count = 0;
	if (v & 0x04)
		model_tx_clear();
	m.fcr = v & 0xC9;
}

static void model_mcr(uint8_t v)
{
	uint8_t before = msr_inputs();

	m.mcr = v & 0x1F;
	uint8_t after = msr_inputs(), changed = before ^ after;
	m.msr_delta |= (uint8_t)((changed & 0x10 ? 0x01 : 0) | (changed & 0x20 ? 0x02 : 0) |
				 ((before & 0x40) && !(after & 0x40) ? 0x04 : 0) |
				 (changed & 0x80 ? 0x08 : 0));
}

/* ---- operations --------------------------------------------------------------------- */

static bool access_ok(uint64_t off, unsigned width)
{
	return off < 8 && width == 1;
}

static uint8_t model_read(uint64_t off)
{
	bool dlab = m.lcr & 0x80;
	uint8_t v;

	switch (off) {
	case 0: return dlab ? m.dll : model_rx_pop();
	case 1: return dlab ? m.dlm : m.ier;
	case 2:
		v = model_iir();
		if ((v & 0x0F) == 0x02)
			m.thre = false;
		return v;
	case 3: return m.lcr;
	case 4: return m.mcr;
	case 5:
		v = model_lsr();
		m.oe = 0;
		return v;
	case 6:
		v = (uint8_t)(msr_inputs() | m.msr_delta);
		m.msr_delta = 0;
		return v;
	default: return m.scr;
	}
}

static void op_read(uint64_t off, unsigned width)
{
	uint64_t v = 0xDEAD;
	int err = uart16550_ops.read(&uart, off, width, &v);

	CHECK((err == 0) == access_ok(off, width));
	if (err) {
		CHECK(err == -EINVAL && v == 0);
		return;
	}
	CHECK(v == model_read(off));
}

/* What the model says of a write: 0 or -EAGAIN. */
static int model_write(uint64_t off, uint8_t v)
{
	bool dlab = m.lcr & 0x80;

	switch (off) {
	case 0:
		if (dlab) {
			m.dll = v;
		} else if (loopback()) {
			model_rx(v);
			m.thre = m.tx_count == 0;
		} else if (!model_tx(v)) {
			return -EAGAIN;
		}
		break;
	case 1:
		if (dlab) {
			m.dlm = v;
			break;
		}
		if ((v & 0x02) && !(m.ier & 0x02) && m.tx_count == 0)
			m.thre = true;
		m.ier = v & 0x0F;
		break;
	case 2: model_fcr(v); break;
	case 3: m.lcr = v; break;
	case 4: model_mcr(v); break;
	case 7: m.scr = v; break;
	default: break; /* LSR, MSR */
	}
	return 0;
}

/* The model first: the bytes it accepts are in sent before the device shows them. */
static void op_write(uint64_t off, unsigned width, uint64_t value)
{
	int want = access_ok(off, width) ? model_write(off, (uint8_t)value) : -EINVAL;

	CHECK(uart16550_ops.write(&uart, off, width, value) == want);
}

static void op_receive(uint8_t c)
{
	int err = uart16550_receive(&uart, c);

	CHECK(err == (loopback() ? -EBUSY : model_rx(c)));
}

static void op_console_write(const uint8_t *buf, size_t n)
{
	size_t want = 0;

	while (want < n && model_tx(buf[want]))
		want++;
	int took = uart16550_console_write(&uart, buf, n);
	CHECK(took >= 0 && (size_t)took == want);
}

static void op_console_read(size_t n)
{
	uint8_t buf[32];
	int got = uart16550_console_read(&uart, buf, n);
	size_t want = n < m.rx_count ? n : m.rx_count;

	CHECK(got >= 0 && (size_t)got == want);
	for (size_t i = 0; i < want; i++)
		CHECK(buf[i] == model_rx_pop());
}

static void op_reset(void)
{
	uart16550_reset(&uart);
	m.ier = m.fcr = m.lcr = m.mcr = m.scr = m.dll = m.dlm = m.oe = m.msr_delta = 0;
	m.thre = false;
	m.rx_count = 0;
}

static void check_invariants(void)
{
	uint8_t iir = model_iir();

	CHECK(uart.rx_count <= DEPTH && uart.tx_count <= DEPTH);
	CHECK(uart.rx_count == m.rx_count && uart.tx_count == m.tx_count);
	for (unsigned i = 0; i < m.rx_count; i++)
		CHECK(uart.rx_fifo[(uart.rx_head + i) % DEPTH] == m.rx[i]);
	CHECK(uart.line_ready == m.line_ready);
	CHECK(uart.thre_ipending == m.thre);
	CHECK(uart.lsr_oe == m.oe && uart.msr_delta == m.msr_delta);
	CHECK(uart.ier == m.ier && uart.fcr == m.fcr && uart.lcr == m.lcr && uart.mcr == m.mcr);
	CHECK(uart.scr == m.scr && uart.dll == m.dll && uart.dlm == m.dlm);
	CHECK(irq_level == !(iir & 1));
	if ((iir & 0x0F) != 0x02) { /* no side effect: read the device's */
		uint64_t v;
		CHECK(uart16550_ops.read(&uart, UART16550_IIR, 1, &v) == 0);
		CHECK(v == iir);
	}
	struct mmio_shadow sh;
	CHECK(uart16550_ops.shadows(&uart, &sh, 1) == 1);
	CHECK(gpa_bits(sh.addr) == UART16550_LSR && sh.widths == 0x1);
	CHECK(*sh.value == (m.oe || m.tx_count >= depth() ? MMIO_SHADOW_ASK : model_lsr()));
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
	if (size > INPUT_MAX)
		size = INPUT_MAX;
	irq_level = false;
	memset(&m, 0, sizeof(m));
	accepting = true;
	nsent = nshown = 0;
	uart16550_init(&uart, "fz", on_irq, &uart);
	check_invariants();

	while (size >= 4) {
		uint8_t op = data[0], a = data[1], b = data[2], c = data[3];
		data += 4;
		size -= 4;
		uint64_t off = a < 0xE0 ? a % 8u : (uint64_t)(a - 0xE0) * 9;
		unsigned width = b < 0xF0 ? 1 : b % 9u;
		switch (op % 8) {
		case 0: op_read(off, width); break;
		case 1: op_write(off, width, c | (uint64_t)b << 56); break;
		case 2: op_receive(c); break;
		case 3: accepting = c & 1; break;
		case 4:
			console_pump();
			model_send_lines();
			break;
		case 5: {
			size_t n = c % 32u < size ? c % 32u : size;
			op_console_write(data, n);
			data += n;
			size -= n;
			break;
		}
		case 6: op_console_read(c % 20u); break;
		default: op_reset(); break;
		}
		check_invariants();
	}
	uart16550_fini(&uart);
	CHECK(uart.line_len == 0 && uart.tx_count == 0 && !uart.line_ready);
	CHECK(nshown == nsent);
	return 0;
}

void fuzz_on_failure(void)
{
	fprintf(stderr, "sent %zu: %.*s\nshown %zu: %.*s\n", nsent, (int)nsent, (const char *)sent,
		nshown, (int)nshown, (const char *)shown);
	fprintf(stderr, "model: rx %u tx %u line %u ready %d thre %d fcr %02x lcr %02x mcr %02x\n",
		m.rx_count, m.tx_count, m.line_chars, m.line_ready, m.thre, m.fcr, m.lcr, m.mcr);
}
