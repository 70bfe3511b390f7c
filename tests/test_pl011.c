/* The emulated PL011 UART, seen as a guest and the host see it: through its MMIO
 * callbacks, the console input entry, the host console (stdout, captured into a file
 * around each call) and its interrupt callback. Register offsets, reset values and the
 * ID bytes come from the PL011 TRM (ARM DDI 0183) and QEMU's pl011. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mmio.h"
#include "core/pl011.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "tests/check_main.h"
#include "hal-sim/sim.h"
#include "tests/testlib.h"

static struct pl011 uart;
static bool levels[64];
static unsigned nlevels;

static void record_irq(void *ctx, bool level)
{
	ck_assert_ptr_eq(ctx, &uart);
	ck_assert_uint_lt(nlevels, 64);
	levels[nlevels++] = level;
}

static void setup(void)
{
	test_machine_up(1, false);
	nlevels = 0;
	pl011_init(&uart, "vmname", record_irq, &uart);
}

static void teardown(void)
{
	pl011_fini(&uart);
	test_machine_down();
}

static uint64_t rd(uint64_t off, unsigned width)
{
	uint64_t v = 0xDEAD;

	ck_assert_int_eq(pl011_ops.read(&uart, off, width, &v), 0);
	return v;
}

static uint64_t rd32(uint64_t off)
{
	return rd(off, 4);
}

static void wr(uint64_t off, unsigned width, uint64_t v)
{
	ck_assert_int_eq(pl011_ops.write(&uart, off, width, v), 0);
}

static void wr32(uint64_t off, uint64_t v)
{
	wr(off, 4, v);
}

static void put(const char *s)
{
	for (; *s; s++)
		wr32(PL011_DR, (uint8_t)*s);
}

/* ---- capturing the host console ----------------------------------------------------- */

static char out[4096];
static void capture_begin(void)
{
	test_capture_begin();
}

/* Everything written to stdout since capture_begin. */
static const char *capture_end(void)
{
	test_capture_end(out, sizeof(out));
	return out;
}

/* ---- registers ---------------------------------------------------------------------- */

START_TEST(test_id_registers_read_the_primecell_values)
{
	static const uint8_t want[8] = { 0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

	for (unsigned i = 0; i < 8; i++)
		ck_assert_uint_eq(rd32(PL011_PERIPHID0 + 4 * i), want[i]);
	ck_assert_uint_eq(rd32(PL011_PCELLID0), 0x0D);
	ck_assert_uint_eq(rd32(0xFFC), 0xB1);
}
END_TEST

START_TEST(test_reset_values)
{
	ck_assert_uint_eq(rd32(PL011_FR), 0x90);
	ck_assert_uint_eq(rd32(PL011_CR), 0x300);
	ck_assert_uint_eq(rd32(PL011_LCR_H), 0);
	ck_assert_uint_eq(rd32(PL011_IMSC), 0);
	ck_assert_uint_eq(rd32(PL011_IFLS), 0x12);
	ck_assert_uint_eq(rd32(PL011_RSR), 0);
	ck_assert_uint_eq(rd32(PL011_ILPR), 0);
	ck_assert_uint_eq(rd32(PL011_IBRD), 0);
	ck_assert_uint_eq(rd32(PL011_FBRD), 0);
	ck_assert_uint_eq(rd32(PL011_DMACR), 0);
	ck_assert_uint_eq(rd32(PL011_RIS), 0x20); /* TXRIS: the transmitter is empty */
	ck_assert_uint_eq(rd32(PL011_MIS), 0);
	ck_assert_uint_eq(nlevels, 0);
}
END_TEST

START_TEST(test_registers_keep_only_their_defined_bits)
{
	wr32(PL011_ILPR, 0xFFFFFFFF);
	wr32(PL011_IBRD, 0xFFFFFFFF);
	wr32(PL011_FBRD, 0xFFFFFFFF);
	wr32(PL011_LCR_H, 0xFFFFFFFF);
	wr32(PL011_IFLS, 0xFFFFFFFF);
	wr32(PL011_DMACR, 0xFFFFFFFF);
	wr32(PL011_CR, 0xFFFFFFFF);
	ck_assert_uint_eq(rd32(PL011_ILPR), 0xFF);
	ck_assert_uint_eq(rd32(PL011_IBRD), 0xFFFF);
	ck_assert_uint_eq(rd32(PL011_FBRD), 0x3F);
	ck_assert_uint_eq(rd32(PL011_LCR_H), 0xFF);
	ck_assert_uint_eq(rd32(PL011_IFLS), 0x3F);
	ck_assert_uint_eq(rd32(PL011_DMACR), 0x7);
	ck_assert_uint_eq(rd32(PL011_CR), 0xFFFF);
	wr32(PL011_IMSC, 0xFFFFFFFF);
	ck_assert_uint_eq(rd32(PL011_IMSC), 0x7FF);
}
END_TEST

START_TEST(test_narrow_accesses_truncate_reads_and_write_low_bits)
{
	ck_assert_uint_eq(rd(PL011_CR, 1), 0x00); /* CR is 0x300 */
	ck_assert_uint_eq(rd(PL011_CR, 2), 0x300);
	ck_assert_uint_eq(rd(PL011_PCELLID0 + 12, 1), 0xB1);
	wr(PL011_IBRD, 1, 0x1234);
	ck_assert_uint_eq(rd32(PL011_IBRD), 0x34);
	wr(PL011_IBRD, 2, 0xABCD1234);
	ck_assert_uint_eq(rd32(PL011_IBRD), 0x1234);
	wr(PL011_CR, 1, 0x301); /* the whole register is written: TXE and RXE go */
	ck_assert_uint_eq(rd32(PL011_CR), 0x01);
}
END_TEST

START_TEST(test_bad_widths_and_offsets_are_bus_errors)
{
	static const unsigned bad_widths[] = { 0, 3, 5, 8, 16 };
	static const uint64_t bad_offsets[] = { 1, 2, 3, 0x19, 0x3E, 0xFFD, 0x1000, 0x1004,
						0x2000, ~0ull - 3 };
	uint64_t v;

	for (unsigned i = 0; i < sizeof(bad_widths) / sizeof(bad_widths[0]); i++) {
		ck_assert_int_ne(pl011_ops.read(&uart, PL011_CR, bad_widths[i], &v), 0);
		ck_assert_int_ne(pl011_ops.write(&uart, PL011_CR, bad_widths[i], 0), 0);
	}
	for (unsigned i = 0; i < sizeof(bad_offsets) / sizeof(bad_offsets[0]); i++)
		for (unsigned w = 1; w <= 4; w *= 2) {
			ck_assert_int_ne(pl011_ops.read(&uart, bad_offsets[i], w, &v), 0);
			ck_assert_int_ne(pl011_ops.write(&uart, bad_offsets[i], w, 0), 0);
		}
	/* A refused DR write transmits nothing and a refused write changes nothing. */
	ck_assert_int_ne(pl011_ops.write(&uart, PL011_CR, 8, 0), 0);
	ck_assert_uint_eq(rd32(PL011_CR), 0x300);
	capture_begin();
	ck_assert_int_ne(pl011_ops.write(&uart, PL011_DR, 8, 'x'), 0);
	pl011_flush(&uart);
	ck_assert_str_eq(capture_end(), "");
}
END_TEST

START_TEST(test_writes_to_read_only_registers_are_ignored)
{
	wr32(PL011_FR, 0);
	wr32(PL011_RIS, 0);
	wr32(PL011_MIS, 0xFFFFFFFF);
	for (unsigned i = 0; i < 8; i++)
		wr32(PL011_PERIPHID0 + 4 * i, 0xFF);
	ck_assert_uint_eq(rd32(PL011_FR), 0x90);
	ck_assert_uint_eq(rd32(PL011_RIS), 0x20);
	ck_assert_uint_eq(rd32(PL011_MIS), 0);
	ck_assert_uint_eq(rd32(PL011_PERIPHID0), 0x11);
	ck_assert_uint_eq(rd32(PL011_PCELLID0 + 12), 0xB1);
	ck_assert_uint_eq(nlevels, 0);
}
END_TEST

START_TEST(test_holes_read_as_zero_and_ignore_writes)
{
	static const uint64_t holes[] = { 0x008, 0x00C, 0x010, 0x014, 0x01C, 0x04C,
					  0x080, 0x400, 0xFC0, 0xFDC };

	for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		wr32(holes[i], 0xFFFFFFFF);
		ck_assert_uint_eq(rd32(holes[i]), 0);
	}
	wr32(PL011_ICR, 0);
	ck_assert_uint_eq(rd32(PL011_ICR), 0); /* write-only */
	ck_assert_uint_eq(rd32(PL011_FR), 0x90);
	ck_assert_uint_eq(rd32(PL011_CR), 0x300);
}
END_TEST

/* ---- transmit --------------------------------------------------------------------- */

START_TEST(test_tx_of_a_line_writes_it_with_the_vm_prefix)
{
	capture_begin();
	put("hi\n");
	ck_assert_str_eq(capture_end(), "[vmname] hi\n");
}
END_TEST

START_TEST(test_partial_line_is_written_only_by_flush)
{
	capture_begin();
	put("ab");
	wr(PL011_DR, 1, 'c');
	ck_assert_str_eq(capture_end(), "");
	capture_begin();
	pl011_flush(&uart);
	pl011_flush(&uart); /* nothing left: no empty line */
	ck_assert_str_eq(capture_end(), "[vmname] abc\n");
}
END_TEST

START_TEST(test_long_line_is_split_at_the_buffer_size)
{
	char line[PL011_LINE_MAX + 6], want[512];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	capture_begin();
	put(line); /* 125 bytes */
	put("\n");
	snprintf(want, sizeof(want), "[vmname] %.*s\n[vmname] xxxxx\n", PL011_LINE_MAX, line);
	ck_assert_str_eq(capture_end(), want);

	line[PL011_LINE_MAX] = '\0'; /* exactly a full buffer: still one line */
	capture_begin();
	put(line);
	put("\n");
	snprintf(want, sizeof(want), "[vmname] %s\n", line);
	ck_assert_str_eq(capture_end(), want);
}
END_TEST

START_TEST(test_carriage_returns_are_dropped_and_empty_lines_kept)
{
	capture_begin();
	put("a\r\n\r\nb\n");
	ck_assert_str_eq(capture_end(), "[vmname] a\n[vmname] \n[vmname] b\n");
}
END_TEST

START_TEST(test_tx_ignores_uarten_and_txe_and_keeps_fr_empty)
{
	wr32(PL011_CR, 0);
	capture_begin();
	put("off\n");
	ck_assert_str_eq(capture_end(), "[vmname] off\n");
	ck_assert_uint_eq(rd32(PL011_FR) & (PL011_FR_TXFE | PL011_FR_TXFF | PL011_FR_BUSY),
			  PL011_FR_TXFE);
}
END_TEST

START_TEST(test_name_is_cut_and_may_be_absent)
{
	pl011_init(&uart, "a-very-long-vm-name", NULL, NULL);
	capture_begin();
	put("x\n");
	pl011_init(&uart, NULL, NULL, NULL);
	put("y\n");
	ck_assert_str_eq(capture_end(), "[a-very-long-vm-] x\n[] y\n");
}
END_TEST

/* ---- receive ------------------------------------------------------------------------ */

START_TEST(test_rx_fifo_fills_overflows_and_drains_in_order)
{
	ck_assert_uint_eq(rd32(PL011_DR), 0); /* empty: reads zero */
	ck_assert_uint_eq(rd32(PL011_FR) & (PL011_FR_RXFE | PL011_FR_RXFF), PL011_FR_RXFE);
	for (unsigned i = 0; i < PL011_FIFO_DEPTH; i++) {
		ck_assert_int_eq(pl011_receive(&uart, (uint8_t)('A' + i)), 0);
		ck_assert_uint_eq(rd32(PL011_FR) & PL011_FR_RXFE, 0);
		bool full = i == PL011_FIFO_DEPTH - 1;
		ck_assert_uint_eq(rd32(PL011_FR) & PL011_FR_RXFF, full ? PL011_FR_RXFF : 0);
	}
	ck_assert_int_eq(pl011_receive(&uart, '!'), -ENOSPC);
	ck_assert_int_eq(pl011_receive(&uart, '?'), -ENOSPC);
	ck_assert_uint_eq(uart.rx_dropped, 2);
	for (unsigned i = 0; i < PL011_FIFO_DEPTH; i++) {
		ck_assert_uint_eq(rd32(PL011_DR), 'A' + i);
		ck_assert_uint_eq(rd32(PL011_FR) & PL011_FR_RXFF, 0);
	}
	ck_assert_uint_eq(rd32(PL011_FR), 0x90);
	ck_assert_uint_eq(rd32(PL011_DR), 0);
	ck_assert_uint_eq(rd32(PL011_RSR), 0);
	/* The FIFO wraps around. */
	for (unsigned i = 0; i < 3 * PL011_FIFO_DEPTH; i++) {
		ck_assert_int_eq(pl011_receive(&uart, (uint8_t)i), 0);
		ck_assert_int_eq(pl011_receive(&uart, (uint8_t)(i + 100)), 0);
		ck_assert_uint_eq(rd(PL011_DR, 1), i);
		ck_assert_uint_eq(rd(PL011_DR, 2), i + 100);
	}
	ck_assert_uint_eq(rd32(PL011_FR), 0x90);
}
END_TEST

START_TEST(test_rxris_is_set_exactly_while_data_is_present)
{
	wr32(PL011_ICR, PL011_INT_MASK);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
	pl011_receive(&uart, 'a');
	pl011_receive(&uart, 'b');
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_RXIM);
	wr32(PL011_ICR, PL011_RXIM); /* data still there: stays set */
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_RXIM);
	rd32(PL011_DR);
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_RXIM);
	rd32(PL011_DR);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
}
END_TEST

/* ---- interrupts --------------------------------------------------------------------- */

START_TEST(test_txris_is_cleared_by_icr_until_the_next_dr_write)
{
	capture_begin();
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_TXIM);
	wr32(PL011_ICR, PL011_TXIM);
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
	wr32(PL011_CR, 0x301); /* other writes do not set it */
	ck_assert_uint_eq(rd32(PL011_RIS), 0);
	put("z");
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_TXIM);
	wr32(PL011_ICR, PL011_RXIM); /* other bits leave it */
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_TXIM);
	pl011_flush(&uart);
	capture_end();
}
END_TEST

START_TEST(test_mis_is_ris_masked_by_imsc)
{
	pl011_receive(&uart, 'a');
	ck_assert_uint_eq(rd32(PL011_RIS), PL011_RXIM | PL011_TXIM);
	ck_assert_uint_eq(rd32(PL011_MIS), 0);
	wr32(PL011_IMSC, PL011_RXIM | PL011_RTIM);
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_RXIM);
	wr32(PL011_IMSC, PL011_TXIM);
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_TXIM);
	wr32(PL011_IMSC, PL011_INT_MASK);
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_RXIM | PL011_TXIM);
	wr32(PL011_ICR, PL011_INT_MASK);
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_RXIM);
	rd32(PL011_DR);
	ck_assert_uint_eq(rd32(PL011_MIS), 0);
}
END_TEST

START_TEST(test_irq_callback_follows_mis_edges_only)
{
	wr32(PL011_ICR, PL011_TXIM);
	wr32(PL011_IMSC, PL011_RXIM);
	ck_assert_uint_eq(nlevels, 0);
	pl011_receive(&uart, 'a'); /* MIS goes non-zero */
	ck_assert_uint_eq(nlevels, 1);
	ck_assert(levels[0]);
	pl011_receive(&uart, 'b'); /* still non-zero: no call */
	rd32(PL011_DR);
	ck_assert_uint_eq(nlevels, 1);
	rd32(PL011_DR); /* empty: MIS goes zero */
	ck_assert_uint_eq(nlevels, 2);
	ck_assert(!levels[1]);

	capture_begin();
	put("q"); /* TXRIS set, but masked */
	ck_assert_uint_eq(nlevels, 2);
	wr32(PL011_IMSC, PL011_RXIM | PL011_TXIM); /* unmasking a pending bit raises */
	ck_assert_uint_eq(nlevels, 3);
	ck_assert(levels[2]);
	wr32(PL011_ICR, PL011_TXIM);
	ck_assert_uint_eq(nlevels, 4);
	ck_assert(!levels[3]);
	put("r");
	ck_assert_uint_eq(nlevels, 5);
	ck_assert(levels[4]);
	wr32(PL011_IMSC, 0); /* masking lowers */
	ck_assert_uint_eq(nlevels, 6);
	ck_assert(!levels[5]);
	pl011_flush(&uart);
	capture_end();
}
END_TEST

/* A DR write that goes straight to the line with TXRIS already set changes no
 * interrupt state and does not recompute the line: it stays high, with no callback,
 * until something that does change it (ICR, IMSC, a received byte). */
START_TEST(test_tx_with_txris_set_keeps_the_line_where_it_is)
{
	capture_begin();
	wr32(PL011_IMSC, PL011_TXIM); /* TXRIS is set at reset: the line rises */
	ck_assert_uint_eq(nlevels, 1);
	ck_assert(levels[0]);
	put("abc"); /* printable, empty FIFO: straight to the line */
	put("\t"); /* shown escaped: through the FIFO */
	ck_assert_uint_eq(nlevels, 1);
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_TXIM);
	wr32(PL011_ICR, PL011_TXIM); /* lowers */
	ck_assert_uint_eq(nlevels, 2);
	ck_assert(!levels[1]);
	put("d"); /* TXRIS clear: the write sets it and the line rises again */
	ck_assert_uint_eq(nlevels, 3);
	ck_assert(levels[2]);
	wr32(PL011_IMSC, PL011_RXIM); /* TX masked, RX unmasked and empty: lowers */
	ck_assert_uint_eq(nlevels, 4);
	ck_assert(!levels[3]);
	pl011_receive(&uart, 'x');
	put("e"); /* RXRIS stays: the line stays high */
	ck_assert_uint_eq(nlevels, 5);
	ck_assert(levels[4]);
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_RXIM);
	pl011_flush(&uart);
	capture_end();
}
END_TEST

START_TEST(test_device_works_behind_the_mmio_bus)
{
	struct mmio_bus bus;
	uint64_t v;

	mmio_bus_init(&bus);
	ck_assert_int_eq(mmio_bus_add(&bus, gpa_make(0x9000000), PL011_SIZE, &pl011_ops, &uart), 0);
	ck_assert_int_eq(mmio_bus_read(&bus, gpa_make(0x9000000 + PL011_FR), 4, &v), 0);
	ck_assert_uint_eq(v, 0x90);
	ck_assert_int_eq(mmio_bus_read(&bus, gpa_make(0x9000000 + PL011_FR), 8, &v), -EIO);
	ck_assert_int_eq(mmio_bus_read(&bus, gpa_make(0x9000000 + PL011_FR + 1), 1, &v), -EIO);
	capture_begin();
	ck_assert_int_eq(mmio_bus_write(&bus, gpa_make(0x9000000 + PL011_DR), 1, '\n'), 0);
	ck_assert_str_eq(capture_end(), "[vmname] \n");
}
END_TEST

/* ---- transmit back-pressure: a console that does not take every line ----------------- */

static char sunk[8192];
static size_t nsunk;
static int lines_allowed; /* queued lines the console still takes; -1: all */

/* The host console, as the simulation host's sink: takes Tandem's writes always and a
 * guest's queued line only while lines_allowed says so. */
static int sink(void *arg, const char *buf, size_t len, bool queued)
{
	(void)arg;
	if (queued && lines_allowed == 0)
		return -EAGAIN;
	if (queued && lines_allowed > 0)
		lines_allowed--;
	ck_assert_uint_lt(nsunk + len, sizeof(sunk));
	memcpy(sunk + nsunk, buf, len);
	nsunk += len;
	sunk[nsunk] = '\0';
	return 0;
}

static void sink_setup(void)
{
	setup();
	nsunk = 0;
	sunk[0] = '\0';
	lines_allowed = 0;
	hal_sim_console_sink(sink, NULL);
}

/* The console takes n more lines, and the UARTs waiting for it are served. */
static void console_takes(int n)
{
	lines_allowed = n;
	console_pump();
}

static int try_put(uint8_t c)
{
	return pl011_ops.write(&uart, PL011_DR, 1, c);
}

#define TX_FLAGS (PL011_FR_TXFE | PL011_FR_TXFF | PL011_FR_BUSY)

START_TEST(test_tx_fifo_fills_while_the_console_waits_and_loses_nothing)
{
	wr32(PL011_LCR_H, PL011_LCR_H_FEN);
	put("first\n"); /* complete: waits for the console, the FIFO stays empty */
	ck_assert_uint_eq(rd32(PL011_FR) & TX_FLAGS, PL011_FR_TXFE | PL011_FR_BUSY);
	for (unsigned i = 0; i < PL011_FIFO_DEPTH; i++) {
		ck_assert_uint_eq(rd32(PL011_FR) & PL011_FR_TXFF, 0);
		ck_assert_int_eq(try_put((uint8_t)('a' + i)), 0);
	}
	ck_assert_uint_eq(rd32(PL011_FR) & TX_FLAGS, PL011_FR_TXFF | PL011_FR_BUSY);
	ck_assert_uint_eq(uart.tx_full_reads, 1);
	/* A store to a full FIFO is refused, to be run again: the byte is not taken. */
	ck_assert_int_eq(try_put('!'), -EAGAIN);
	ck_assert_int_eq(try_put('!'), -EAGAIN);
	ck_assert_uint_eq(uart.tx_stalls, 2);
	ck_assert_str_eq(sunk, "");
	console_takes(1);
	ck_assert_str_eq(sunk, "[vmname] first\n");
	/* The FIFO's 16 bytes moved into the next line: room again. */
	ck_assert_uint_eq(rd32(PL011_FR) & TX_FLAGS, PL011_FR_TXFE);
	put("q\n");
	console_takes(-1);
	ck_assert_str_eq(sunk, "[vmname] first\n[vmname] abcdefghijklmnopq\n");
	ck_assert_uint_eq(rd32(PL011_FR) & TX_FLAGS, PL011_FR_TXFE);
	ck_assert_uint_eq(uart.tx_lines, 2);
}
END_TEST

/* FR's shadow, which early exits read instead of calling the device: FR after every
 * change (input, a byte read, output, the console taking a line), and "ask the
 * device" exactly while the transmit FIFO is full, when reading FR is counted. */
START_TEST(test_fr_shadow_follows_fr_and_asks_while_the_fifo_is_full)
{
	struct mmio_shadow sh;

	ck_assert_uint_eq(pl011_ops.shadows(&uart, &sh, 1), 1);
	ck_assert_uint_eq(gpa_bits(sh.addr), PL011_FR);
	ck_assert_uint_eq(sh.widths, 0x7); /* 1, 2 and 4 bytes, as the UART takes them */
	ck_assert_uint_eq(*sh.value, rd32(PL011_FR));
	ck_assert_int_eq(pl011_receive(&uart, 'x'), 0);
	ck_assert_uint_eq(*sh.value, rd32(PL011_FR));
	ck_assert_uint_eq(*sh.value & PL011_FR_RXFE, 0);
	rd32(PL011_DR);
	ck_assert_uint_eq(*sh.value, rd32(PL011_FR));
	wr32(PL011_LCR_H, PL011_LCR_H_FEN);
	put("first\n");
	ck_assert_uint_eq(*sh.value, rd32(PL011_FR));
	ck_assert_uint_eq(*sh.value & PL011_FR_BUSY, PL011_FR_BUSY);
	for (unsigned i = 0; i < PL011_FIFO_DEPTH - 1; i++)
		ck_assert_int_eq(try_put((uint8_t)('a' + i)), 0);
	ck_assert_uint_eq(*sh.value, rd32(PL011_FR));
	ck_assert_int_eq(try_put('z'), 0); /* full now */
	ck_assert_uint_eq(*sh.value, MMIO_SHADOW_ASK);
	ck_assert_uint_eq(uart.tx_full_reads, 0);
	console_takes(-1);
	ck_assert_uint_eq(*sh.value, rd32(PL011_FR));
	ck_assert_uint_eq(*sh.value & PL011_FR_TXFF, 0);
	ck_assert_uint_eq(pl011_ops.shadows(&uart, &sh, 0), 0);
}
END_TEST

START_TEST(test_with_fifos_off_tx_holds_one_byte)
{
	put("x\n");
	ck_assert_int_eq(try_put('y'), 0);
	ck_assert_uint_eq(rd32(PL011_FR) & TX_FLAGS, PL011_FR_TXFF | PL011_FR_BUSY);
	ck_assert_int_eq(try_put('z'), -EAGAIN);
	console_takes(-1);
	ck_assert_uint_eq(rd32(PL011_FR) & TX_FLAGS, PL011_FR_TXFE); /* 'y' is a partial line */
	put("z\n");
	ck_assert_str_eq(sunk, "[vmname] x\n[vmname] yz\n");
}
END_TEST

/* TXRIS against the trigger level UARTIFLS.TXIFLSEL sets (TRM 3.3.11: 1/8, 1/4, 1/2,
 * 3/4, 7/8 of 16 bytes = 2, 4, 8, 12, 14): a DR write that leaves the FIFO above it
 * clears TXRIS, and the console taking a line that drains the FIFO to it or below sets
 * it and raises the line. */
static void check_tx_trigger(unsigned txiflsel, unsigned trigger)
{
	pl011_fini(&uart);
	pl011_init(&uart, "vmname", record_irq, &uart);
	nlevels = 0;
	lines_allowed = 0;
	wr32(PL011_LCR_H, PL011_LCR_H_FEN);
	wr32(PL011_IFLS, txiflsel);
	wr32(PL011_IMSC, PL011_TXIM);
	ck_assert_uint_eq(nlevels, 1); /* TXRIS is set at reset */
	put("0\n");
	/* Lines of one byte each, so that every line the console takes drains two. */
	for (unsigned i = 0; i < PL011_FIFO_DEPTH; i++) {
		ck_assert_int_eq(try_put(i % 2 ? '\n' : (uint8_t)('a' + i / 2)), 0);
		bool above = i + 1 > trigger;
		ck_assert_uint_eq(rd32(PL011_RIS) & PL011_TXIM, above ? 0 : PL011_TXIM);
	}
	ck_assert_uint_eq(nlevels, 2);
	ck_assert(!levels[1]);
	unsigned level = PL011_FIFO_DEPTH;
	while (level > trigger) {
		ck_assert_uint_eq(rd32(PL011_MIS), 0);
		console_takes(1);
		level = level > 2 ? level - 2 : 0;
	}
	ck_assert_uint_eq(rd32(PL011_MIS), PL011_TXIM);
	ck_assert_uint_eq(nlevels, 3);
	ck_assert(levels[2]);
	wr32(PL011_ICR, PL011_TXIM);
	ck_assert_uint_eq(rd32(PL011_RIS) & PL011_TXIM, 0);
	console_takes(-1);
	ck_assert_uint_eq(rd32(PL011_RIS) & PL011_TXIM, level ? PL011_TXIM : 0);
	ck_assert_uint_eq(rd32(PL011_FR) & TX_FLAGS, PL011_FR_TXFE);
}

START_TEST(test_txris_follows_the_ifls_trigger_level)
{
	check_tx_trigger(0, 2);
	check_tx_trigger(1, 4);
	check_tx_trigger(2, 8);
	check_tx_trigger(3, 12);
	check_tx_trigger(4, 14);
	check_tx_trigger(7, 8); /* reserved: as 1/2 */
	ck_assert_str_eq(sunk + nsunk - 11, "[vmname] h\n");
}
END_TEST

START_TEST(test_flush_writes_the_waiting_line_the_fifo_and_the_partial_line)
{
	wr32(PL011_LCR_H, PL011_LCR_H_FEN);
	put("one\ntwo\nthr"); /* "one" waits; "two\nthr" is in the FIFO */
	ck_assert_str_eq(sunk, "");
	pl011_flush(&uart);
	ck_assert_str_eq(sunk, "[vmname] one\n[vmname] two\n[vmname] thr\n");
	ck_assert_uint_eq(rd32(PL011_FR) & TX_FLAGS, PL011_FR_TXFE);
	console_takes(-1); /* the UART no longer waits: nothing more */
	ck_assert_uint_eq(nsunk, strlen("[vmname] one\n[vmname] two\n[vmname] thr\n"));
}
END_TEST

static struct pl011 other;

/* Two UARTs waiting for the console are served in turn, one line each, whichever of
 * them asks more often. */
START_TEST(test_waiting_uarts_are_served_in_turn)
{
	pl011_init(&other, "other", NULL, NULL);
	wr32(PL011_LCR_H, PL011_LCR_H_FEN);
	put("u1\nu2\nu3\nu4\n");
	ck_assert_int_eq(pl011_ops.write(&other, PL011_DR, 1, 'o'), 0);
	ck_assert_int_eq(pl011_ops.write(&other, PL011_DR, 1, '\n'), 0);
	ck_assert_uint_eq(console_waiting(), 2);
	for (unsigned i = 0; i < 3; i++)
		console_takes(1);
	ck_assert_str_eq(sunk, "[vmname] u1\n[other] o\n[vmname] u2\n");
	console_takes(-1);
	ck_assert_str_eq(sunk, "[vmname] u1\n[other] o\n[vmname] u2\n[vmname] u3\n[vmname] u4\n");
	ck_assert_uint_eq(console_waiting(), 0);
	pl011_fini(&other);
}
END_TEST

/* A UART that goes away while it waits is never called again. */
START_TEST(test_fini_takes_a_waiting_uart_off_the_console)
{
	pl011_init(&other, "other", NULL, NULL);
	ck_assert_int_eq(pl011_ops.write(&other, PL011_DR, 1, '\n'), 0);
	ck_assert_uint_eq(console_waiting(), 1);
	pl011_fini(&other);
	ck_assert_uint_eq(console_waiting(), 0);
	ck_assert_str_eq(sunk, "[other] \n"); /* written out by the flush */
	memset(&other, 0xA5, sizeof(other)); /* its memory may go: calling it would crash */
	console_takes(-1);
}
END_TEST

START_TEST(test_name_is_escaped_in_the_prefix)
{
	pl011_fini(&uart);
	pl011_init(&uart, "a\x1b[2Kb\\", NULL, NULL);
	lines_allowed = -1;
	put("x\n");
	ck_assert_str_eq(sunk, "[a\\x1b[2Kb\\\\] x\n");
}
END_TEST

/* ---- two pCPUs ---------------------------------------------------------------------- */

#define STREAM 20000u

static unsigned smp_edges;
static bool smp_level, smp_repeated;

/* Runs under the device's lock, so calls are serialised: levels must alternate. */
static void smp_irq(void *ctx, bool level)
{
	(void)ctx;
	if (level == smp_level)
		smp_repeated = true;
	smp_level = level;
	smp_edges++;
}

static void producer_consumer(void *arg)
{
	(void)arg;
	if (hal_pcpu_id() == 1) {
		for (unsigned i = 0; i < STREAM;)
			if (pl011_receive(&uart, (uint8_t)i) == 0)
				i++;
		return;
	}
	for (unsigned i = 0; i < STREAM;) {
		uint64_t fr, c;
		ck_assert_int_eq(pl011_ops.read(&uart, PL011_FR, 4, &fr), 0);
		if (fr & PL011_FR_RXFE)
			continue;
		ck_assert_int_eq(pl011_ops.read(&uart, PL011_DR, 4, &c), 0);
		ck_assert_uint_eq(c, (uint8_t)i); /* nothing lost, reordered or duplicated */
		i++;
	}
}

START_TEST(test_concurrent_input_and_reads_keep_the_byte_stream)
{
	wr32(PL011_ICR, PL011_TXIM);
	wr32(PL011_IMSC, PL011_RXIM);
	test_on_pcpus(2, producer_consumer, NULL);
	ck_assert_uint_eq(rd32(PL011_FR), 0x90);
	ck_assert(!smp_repeated);
	ck_assert_uint_ge(smp_edges, 2);
	ck_assert(!smp_level); /* the FIFO ended empty: the line is low */
}
END_TEST

static void setup2(void)
{
	test_machine_up(2, false);
	smp_edges = 0;
	smp_level = smp_repeated = false;
	pl011_init(&uart, "vmname", smp_irq, NULL);
}

Suite *test_suite(void)
{
	Suite *s = suite_create("pl011");
	TCase *tc = tcase_create("pl011");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_id_registers_read_the_primecell_values);
	tcase_add_test(tc, test_reset_values);
	tcase_add_test(tc, test_registers_keep_only_their_defined_bits);
	tcase_add_test(tc, test_narrow_accesses_truncate_reads_and_write_low_bits);
	tcase_add_test(tc, test_bad_widths_and_offsets_are_bus_errors);
	tcase_add_test(tc, test_writes_to_read_only_registers_are_ignored);
	tcase_add_test(tc, test_holes_read_as_zero_and_ignore_writes);
	tcase_add_test(tc, test_tx_of_a_line_writes_it_with_the_vm_prefix);
	tcase_add_test(tc, test_partial_line_is_written_only_by_flush);
	tcase_add_test(tc, test_long_line_is_split_at_the_buffer_size);
	tcase_add_test(tc, test_carriage_returns_are_dropped_and_empty_lines_kept);
	tcase_add_test(tc, test_tx_ignores_uarten_and_txe_and_keeps_fr_empty);
	tcase_add_test(tc, test_name_is_cut_and_may_be_absent);
	tcase_add_test(tc, test_rx_fifo_fills_overflows_and_drains_in_order);
	tcase_add_test(tc, test_rxris_is_set_exactly_while_data_is_present);
	tcase_add_test(tc, test_txris_is_cleared_by_icr_until_the_next_dr_write);
	tcase_add_test(tc, test_mis_is_ris_masked_by_imsc);
	tcase_add_test(tc, test_irq_callback_follows_mis_edges_only);
	tcase_add_test(tc, test_tx_with_txris_set_keeps_the_line_where_it_is);
	tcase_add_test(tc, test_device_works_behind_the_mmio_bus);
	suite_add_tcase(s, tc);

	TCase *tx = tcase_create("pl011-tx");
	tcase_add_checked_fixture(tx, sink_setup, teardown);
	tcase_add_test(tx, test_tx_fifo_fills_while_the_console_waits_and_loses_nothing);
	tcase_add_test(tx, test_fr_shadow_follows_fr_and_asks_while_the_fifo_is_full);
	tcase_add_test(tx, test_with_fifos_off_tx_holds_one_byte);
	tcase_add_test(tx, test_txris_follows_the_ifls_trigger_level);
	tcase_add_test(tx, test_flush_writes_the_waiting_line_the_fifo_and_the_partial_line);
	tcase_add_test(tx, test_waiting_uarts_are_served_in_turn);
	tcase_add_test(tx, test_fini_takes_a_waiting_uart_off_the_console);
	tcase_add_test(tx, test_name_is_escaped_in_the_prefix);
	suite_add_tcase(s, tx);

	TCase *smp = tcase_create("pl011-smp");
	tcase_add_checked_fixture(smp, setup2, teardown);
	tcase_add_test(smp, test_concurrent_input_and_reads_keep_the_byte_stream);
	suite_add_tcase(s, smp);
	return s;
}
