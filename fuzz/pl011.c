/* fuzz/pl011: the emulated PL011 UART through its MMIO callbacks and its console-input
 * entry, against a model of its receive FIFO and with its invariants checked after
 * every step. Every input starts from a freshly reset UART and ends with a flush.
 *
 * Input: a sequence of 6-byte records [op, off_lo, off_hi, width, v0, v1]:
 *   op % 3 == 0  read at offset, width
 *   op % 3 == 1  write value at offset, width
 *   op % 3 == 2  pl011_receive(v0), a byte of console input
 * offset = (off_hi % 0x11) << 8 | off_lo, 0 .. 0x10FF: the 4 KiB window with its
 * unaligned offsets and the page past it; width = width % 9, 0 .. 8: the valid 1, 2
 * and 4, the refused 8 and invalid ones; value = v0 | v1 << 8, with v1 also in bits
 * 63:56 so that truncation to the width is exercised.
 * Checked: an access fails exactly when the offset is unaligned or past the window or
 * the width is not 1, 2 or 4; a read's value fits its width; a DR read returns the
 * model's oldest byte (0 when empty); pl011_receive refuses exactly at a full FIFO;
 * FR.RXFE iff the FIFO is empty and FR.RXFF iff it is full; the FIFO never exceeds its
 * depth; MIS == RIS & IMSC; the interrupt callback's last level == (MIS != 0) and it
 * never reports the same level twice in a row. Any difference aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/pl011.h"
#include "hal-sim/sim.h"
#include "hal/err.h"

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "pl011: %s failed at line %d\n", #cond, __LINE__); \
			abort();                                                       \
		}                                                                      \
	} while (0)

static struct pl011 uart;
static bool irq_level;
static uint8_t model[PL011_FIFO_DEPTH];
static unsigned model_head, model_count;

static void on_irq(void *ctx, bool level)
{
	CHECK(ctx == &uart);
	CHECK(level != irq_level);
	irq_level = level;
}

static uint32_t reg(uint64_t off)
{
	uint64_t v;

	CHECK(pl011_ops.read(&uart, off, 4, &v) == 0);
	CHECK(v <= 0xFFFFFFFFu);
	return (uint32_t)v;
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

static void op_write(uint64_t off, unsigned width, uint64_t value)
{
	int err = pl011_ops.write(&uart, off, width, value);

	CHECK((err == 0) == access_ok(off, width));
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

static void check_invariants(void)
{
	uint32_t fr = reg(PL011_FR), ris = reg(PL011_RIS), mis = reg(PL011_MIS);
	uint32_t imsc = reg(PL011_IMSC);

	CHECK(uart.rx_count <= PL011_FIFO_DEPTH);
	CHECK(uart.rx_count == model_count);
	CHECK(!(fr & PL011_FR_RXFE) == (uart.rx_count != 0));
	CHECK(!(fr & PL011_FR_RXFF) == (uart.rx_count != PL011_FIFO_DEPTH));
	CHECK(fr & PL011_FR_TXFE);
	CHECK(mis == (ris & imsc));
	CHECK(irq_level == (mis != 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool machine;
	if (!machine) {
		CHECK(hal_sim_init(NULL) == 0);
		/* The guest's output goes to the host console (stdout): megabytes a minute
		 * that only bury libFuzzer's own report, which is on stderr. */
		CHECK(freopen("/dev/null", "w", stdout) != NULL);
		machine = true;
	}
	irq_level = false;
	model_head = model_count = 0;
	pl011_init(&uart, "fz", on_irq, &uart);
	check_invariants();

	for (; size >= 6; data += 6, size -= 6) {
		uint64_t off = (uint64_t)(data[2] % 0x11) << 8 | data[1];
		unsigned width = data[3] % 9;
		uint64_t value = data[4] | (uint64_t)data[5] << 8 | (uint64_t)data[5] << 56;
		switch (data[0] % 3) {
		case 0: op_read(off, width); break;
		case 1: op_write(off, width, value); break;
		case 2: op_receive(data[4]); break;
		}
		check_invariants();
	}
	pl011_flush(&uart);
	CHECK(uart.line_len == 0);
	return 0;
}
