/* The emulated NS16550A, seen as a guest, the firmware console and the host see it:
 * through its MMIO callbacks, uart16550_console_write/read, the console input entry, a
 * host console sink that takes or refuses lines, and its interrupt callback. Register
 * offsets, reset values and bit meanings come from the 16550 data sheet; the expected
 * values below are worked out from it by hand (each test says how). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/console.h"
#include "core/mmio.h"
#include "core/uart16550.h"
#include "hal/err.h"
#include "hal-sim/sim.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

static struct uart16550 uart;
static bool levels[256];
static unsigned nlevels;

static void record_irq(void *ctx, bool level)
{
	ck_assert_ptr_eq(ctx, &uart);
	ck_assert_uint_lt(nlevels, 256);
	if (nlevels) /* a change is reported only as a change */
		ck_assert(levels[nlevels - 1] != level);
	levels[nlevels++] = level;
}

static bool irq_now(void)
{
	return nlevels && levels[nlevels - 1];
}

/* ---- the host console: takes Tandem's writes always, a guest's queued line only while
 * lines_allowed says so (-1: all) ---------------------------------------------------- */

static char sunk[16384];
static size_t nsunk;
static int lines_allowed;

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

static void console_takes(int n)
{
	lines_allowed = n;
	console_pump();
}

static void setup(void)
{
	test_machine_up(1, false);
	nlevels = 0;
	nsunk = 0;
	sunk[0] = '\0';
	lines_allowed = -1;
	hal_sim_console_sink(sink, NULL);
	uart16550_init(&uart, "vmname", record_irq, &uart);
}

static void teardown(void)
{
	uart16550_fini(&uart);
	test_machine_down();
}

static uint8_t rd(uint64_t off)
{
	uint64_t v = 0xDEAD;

	ck_assert_int_eq(uart16550_ops.read(&uart, off, 1, &v), 0);
	ck_assert_uint_le(v, 0xFF);
	return (uint8_t)v;
}

static void wr(uint64_t off, uint8_t v)
{
	ck_assert_int_eq(uart16550_ops.write(&uart, off, 1, v), 0);
}

static int try_put(uint8_t c)
{
	return uart16550_ops.write(&uart, UART16550_THR, 1, c);
}

static void put(const char *s)
{
	for (; *s; s++)
		wr(UART16550_THR, (uint8_t)*s);
}

static void dlab(bool on)
{
	wr(UART16550_LCR, on ? 0x83 : 0x03); /* 8N1, as drivers set it */
}

/* ---- registers ---------------------------------------------------------------------- */

/* Data sheet reset table: IER 0, IIR 0x01 (none pending), FCR 0 (FIFOs off: IIR bits 7:6
 * clear), LCR 0, MCR 0, LSR 0x60 (THRE | TEMT), MSR bits 7:4 the inputs (here CTS, DSR,
 * DCD: 0xB0) and no deltas; SCR, DLL and DLM (undefined there) 0. */
START_TEST(test_reset_values)
{
	ck_assert_uint_eq(rd(UART16550_IER), 0x00);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	ck_assert_uint_eq(rd(UART16550_LCR), 0x00);
	ck_assert_uint_eq(rd(UART16550_MCR), 0x00);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	ck_assert_uint_eq(rd(UART16550_MSR), 0xB0);
	ck_assert_uint_eq(rd(UART16550_SCR), 0x00);
	ck_assert_uint_eq(rd(UART16550_RBR), 0x00); /* empty */
	wr(UART16550_LCR, 0x80);
	ck_assert_uint_eq(rd(UART16550_DLL), 0x00);
	ck_assert_uint_eq(rd(UART16550_DLM), 0x00);
	ck_assert_uint_eq(nlevels, 0);
}
END_TEST

/* LCR.DLAB (bit 7) turns offsets 0 and 1 into DLL and DLM, and nothing else. */
START_TEST(test_dlab_banks_offsets_0_and_1_only)
{
	wr(UART16550_IER, 0x05);
	ck_assert_int_eq(uart16550_receive(&uart, 'r'), 0);
	dlab(true);
	wr(UART16550_DLL, 0x12); /* 115200 baud at 1.8432 MHz would be 1; any value */
	wr(UART16550_DLM, 0x34);
	wr(UART16550_SCR, 0x5A);
	ck_assert_uint_eq(rd(UART16550_DLL), 0x12);
	ck_assert_uint_eq(rd(UART16550_DLM), 0x34);
	ck_assert_uint_eq(rd(UART16550_LCR), 0x83);
	ck_assert_uint_eq(rd(UART16550_SCR), 0x5A);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x61); /* the byte is still there: DR */
	ck_assert_str_eq(sunk, "");                  /* the DLL write sent nothing */
	dlab(false);
	ck_assert_uint_eq(rd(UART16550_IER), 0x05); /* not touched by the DLM write */
	ck_assert_uint_eq(rd(UART16550_RBR), 'r');
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	dlab(true);
	ck_assert_uint_eq(rd(UART16550_DLL), 0x12); /* kept across */
	ck_assert_uint_eq(rd(UART16550_DLM), 0x34);
}
END_TEST

/* IER keeps bits 3:0, MCR bits 4:0 (16550: the rest read zero), LCR and SCR all eight;
 * LSR and MSR writes change nothing. MCR 0xFF is loopback with DTR, RTS, OUT1 and OUT2
 * on: MSR reads CTS|DSR|RI|DCD = 0xF0; the inputs were 0xB0, so only RI changed, and it
 * came on (TERI is for going off): no delta bits. */
START_TEST(test_registers_keep_only_their_defined_bits)
{
	wr(UART16550_IER, 0xFF);
	wr(UART16550_LCR, 0x7F);
	wr(UART16550_SCR, 0xFF);
	wr(UART16550_MCR, 0xFF);
	wr(UART16550_LSR, 0x00);
	wr(UART16550_MSR, 0xFF);
	ck_assert_uint_eq(rd(UART16550_IER), 0x0F);
	ck_assert_uint_eq(rd(UART16550_LCR), 0x7F);
	ck_assert_uint_eq(rd(UART16550_SCR), 0xFF);
	ck_assert_uint_eq(rd(UART16550_MCR), 0x1F);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	ck_assert_uint_eq(rd(UART16550_MSR), 0xF0);
}
END_TEST

/* Only single bytes at offsets 0-7: every other width there, and every offset from 8 to
 * the end of the 0x100 window and past it, is refused, with the value read as 0, and the
 * refused access changes nothing (no byte sent, no IIR acknowledged, no OE cleared). */
START_TEST(test_bad_widths_and_offsets_are_errors_and_change_nothing)
{
	static const unsigned bad_widths[] = { 0, 2, 3, 4, 8, 16 };
	static const uint64_t bad_offsets[] = { 8, 9, 0x0F, 0x10, 0x80, 0xFF, 0x100, 0x1000,
						~0ull };
	uint64_t v;

	wr(UART16550_IER, UART16550_IER_ERBFI | UART16550_IER_ETBEI | UART16550_IER_ELSI);
	for (unsigned i = 0; i < UART16550_FIFO_DEPTH + 1; i++)
		uart16550_receive(&uart, 'x'); /* FIFOs off: the second overruns: OE */
	for (uint64_t off = 0; off < 8; off++)
		for (unsigned i = 0; i < sizeof(bad_widths) / sizeof(bad_widths[0]); i++) {
			v = 0xDEAD;
			ck_assert_int_eq(uart16550_ops.read(&uart, off, bad_widths[i], &v), -EINVAL);
			ck_assert_uint_eq(v, 0);
			ck_assert_int_eq(uart16550_ops.write(&uart, off, bad_widths[i], 'y'), -EINVAL);
		}
	for (unsigned i = 0; i < sizeof(bad_offsets) / sizeof(bad_offsets[0]); i++) {
		v = 0xDEAD;
		ck_assert_int_eq(uart16550_ops.read(&uart, bad_offsets[i], 1, &v), -EINVAL);
		ck_assert_uint_eq(v, 0);
		ck_assert_int_eq(uart16550_ops.write(&uart, bad_offsets[i], 1, 0xFF), -EINVAL);
	}
	uart16550_flush(&uart);
	ck_assert_str_eq(sunk, "");
	ck_assert_uint_eq(rd(UART16550_IIR), 0x06); /* OE still there, first in priority */
	ck_assert_uint_eq(rd(UART16550_LSR), 0x63);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x04); /* the byte */
	ck_assert_uint_eq(rd(UART16550_RBR), 'x');
	ck_assert_uint_eq(rd(UART16550_IIR), 0x02); /* THRE never acknowledged */
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	ck_assert_uint_eq(rd(UART16550_IER), 0x07);
	ck_assert_uint_eq(rd(UART16550_SCR), 0x00);
}
END_TEST

START_TEST(test_device_works_behind_the_mmio_bus)
{
	struct mmio_bus bus;
	uint64_t v;
	const uint64_t base = 0x10000000;

	mmio_bus_init(&bus);
	ck_assert_int_eq(mmio_bus_add(&bus, gpa_make(base), UART16550_SIZE, &uart16550_ops, &uart),
			 0);
	ck_assert_int_eq(mmio_bus_read(&bus, gpa_make(base + UART16550_LSR), 1, &v), 0);
	ck_assert_uint_eq(v, 0x60);
	ck_assert_int_eq(mmio_bus_read(&bus, gpa_make(base + UART16550_LSR), 4, &v), -EIO);
	ck_assert_int_eq(mmio_bus_read(&bus, gpa_make(base + 0x40), 1, &v), -EIO);
	ck_assert_int_eq(mmio_bus_read(&bus, gpa_make(base + 0x100), 1, &v), -ENOENT);
	ck_assert_int_eq(mmio_bus_write(&bus, gpa_make(base), 1, '\n'), 0);
	ck_assert_str_eq(sunk, "[vmname] \n");
}
END_TEST

/* ---- transmit and console lines ----------------------------------------------------- */

START_TEST(test_fifo_mode_transmits_prefixed_lines_and_iir_shows_fifos)
{
	wr(UART16550_FCR, 0x01);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC1);
	put("hi\n");
	ck_assert_str_eq(sunk, "[vmname] hi\n");
	put("ab");
	ck_assert_str_eq(sunk, "[vmname] hi\n"); /* a partial line waits for its end */
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60); /* ... and is not "transmitting" */
	uart16550_flush(&uart);
	uart16550_flush(&uart); /* nothing left: no empty line */
	ck_assert_str_eq(sunk, "[vmname] hi\n[vmname] ab\n");
}
END_TEST

START_TEST(test_carriage_returns_are_dropped_and_empty_lines_kept)
{
	put("a\r\n\r\nb\n");
	ck_assert_str_eq(sunk, "[vmname] a\n[vmname] \n[vmname] b\n");
}
END_TEST

/* console.h's escapes: printable ASCII and tab as themselves, '\\' doubled, the rest as
 * \xNN; a guest cannot start a line of its own or move the terminal. */
START_TEST(test_bytes_are_escaped_on_the_console)
{
	put("\x1b[2J\t\\");
	wr(UART16550_THR, 0x80);
	wr(UART16550_THR, 0x7F);
	wr(UART16550_THR, 0x00);
	put("\n");
	ck_assert_str_eq(sunk, "[vmname] \\x1b[2J\t\\\\\\x80\\x7f\\x00\n");
}
END_TEST

/* 245 'x' and a newline: a line of UART16550_LINE_MAX (240) and one of 5. 240 exactly
 * is one line. 239 'x' and ESC (4 characters as "\x1b"): 243 > 240, so the escape
 * starts the next line whole. */
START_TEST(test_long_lines_are_split_never_inside_an_escape)
{
	char xs[241], want[1024];

	memset(xs, 'x', 240);
	xs[240] = '\0';
	for (unsigned i = 0; i < 245; i++)
		wr(UART16550_THR, 'x');
	put("\n");
	snprintf(want, sizeof(want), "[vmname] %s\n[vmname] xxxxx\n", xs);
	ck_assert_str_eq(sunk, want);

	nsunk = 0;
	for (unsigned i = 0; i < 240; i++)
		wr(UART16550_THR, 'y');
	put("\n");
	ck_assert_uint_eq(nsunk, 9 + 240 + 1);

	nsunk = 0;
	for (unsigned i = 0; i < 239; i++)
		wr(UART16550_THR, 'z');
	wr(UART16550_THR, 0x1b);
	put("\n");
	ck_assert_uint_eq(nsunk, (9 + 239 + 1) + (9 + 4 + 1));
	ck_assert_str_eq(sunk + 9 + 239, "\n[vmname] \\x1b\n");
}
END_TEST

START_TEST(test_name_is_cut_escaped_and_may_be_absent)
{
	uart16550_fini(&uart);
	uart16550_init(&uart, "a-very-long-vm-name", NULL, NULL);
	put("x\n");
	uart16550_fini(&uart);
	uart16550_init(&uart, "a\x1b[2Kb\\", NULL, NULL);
	put("y\n");
	uart16550_fini(&uart);
	uart16550_init(&uart, NULL, NULL, NULL);
	put("z\n");
	ck_assert_str_eq(sunk, "[a-very-long-vm-] x\n[a\\x1b[2Kb\\\\] y\n[] z\n");
}
END_TEST

/* FIFOs off: one holding register. "x\n" waits for the console (LSR: THRE, no TEMT:
 * 0x20); 'y' is held (LSR 0); 'z' is refused, to run again; the console taking the
 * line lets 'y' on into a partial line (LSR 0x60 again). */
START_TEST(test_without_fifos_thr_holds_one_byte_behind_a_waiting_line)
{
	lines_allowed = 0;
	put("x\n");
	ck_assert_uint_eq(rd(UART16550_LSR), 0x20);
	ck_assert_int_eq(try_put('y'), 0);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x00);
	ck_assert_int_eq(try_put('z'), -EAGAIN);
	ck_assert_int_eq(try_put('z'), -EAGAIN);
	ck_assert_uint_eq(uart.tx_stalls, 2);
	ck_assert_uint_eq(uart.tx_full_reads, 1);
	ck_assert_str_eq(sunk, "");
	console_takes(1);
	ck_assert_str_eq(sunk, "[vmname] x\n");
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	console_takes(-1);
	put("z\n");
	ck_assert_str_eq(sunk, "[vmname] x\n[vmname] yz\n");
}
END_TEST

/* FIFOs on: 16 bytes wait behind the line, the 17th is refused; the console taking the
 * line drains all 16 into the next one. */
START_TEST(test_fifo_fills_behind_a_waiting_line_and_loses_nothing)
{
	wr(UART16550_FCR, 0x01);
	lines_allowed = 0;
	put("first\n");
	for (unsigned i = 0; i < UART16550_FIFO_DEPTH; i++) {
		ck_assert_uint_eq(rd(UART16550_LSR), i ? 0x00 : 0x20);
		ck_assert_int_eq(try_put((uint8_t)('a' + i)), 0);
	}
	ck_assert_int_eq(try_put('!'), -EAGAIN);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x00);
	console_takes(1);
	ck_assert_str_eq(sunk, "[vmname] first\n");
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	console_takes(-1);
	put("q\n");
	ck_assert_str_eq(sunk, "[vmname] first\n[vmname] abcdefghijklmnopq\n");
	ck_assert_uint_eq(uart.tx_lines, 2);
}
END_TEST

/* A flood with the console refusing: the first 240 'A's fill a line, the 241st does not
 * fit and starts the FIFO with 15 more behind it: 256 taken, 744 refused; afterwards
 * exactly those 256 come out, as a line of 240 and one of 16. */
START_TEST(test_output_flood_takes_what_fits_and_loses_nothing)
{
	unsigned taken = 0;

	wr(UART16550_FCR, 0x01);
	lines_allowed = 0;
	for (unsigned i = 0; i < 1000; i++)
		if (try_put('A') == 0)
			taken++;
	ck_assert_uint_eq(taken, 256);
	ck_assert_uint_eq(uart.tx_stalls, 744);
	console_takes(-1);
	uart16550_flush(&uart);
	ck_assert_uint_eq(nsunk, (9 + 240 + 1) + (9 + 16 + 1));
	ck_assert_str_eq(sunk + 9 + 240, "\n[vmname] AAAAAAAAAAAAAAAA\n");
}
END_TEST

/* ---- receive ------------------------------------------------------------------------ */

/* FIFOs on: 16 bytes in order; the 17th is an overrun: refused, LSR.OE until LSR is read
 * (LSR 0x63 = DR|OE|THRE|TEMT, then 0x61); the FIFO wraps around. */
START_TEST(test_fifo_receive_overrun_and_order)
{
	wr(UART16550_FCR, 0x01);
	for (unsigned i = 0; i < UART16550_FIFO_DEPTH; i++)
		ck_assert_int_eq(uart16550_receive(&uart, (uint8_t)('A' + i)), 0);
	ck_assert_int_eq(uart16550_receive(&uart, '!'), -ENOSPC);
	ck_assert_uint_eq(uart.rx_dropped, 1);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x63);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x61);
	for (unsigned i = 0; i < UART16550_FIFO_DEPTH; i++)
		ck_assert_uint_eq(rd(UART16550_RBR), 'A' + i);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	ck_assert_uint_eq(rd(UART16550_RBR), 0);
	for (unsigned i = 0; i < 40; i++) {
		ck_assert_int_eq(uart16550_receive(&uart, (uint8_t)i), 0);
		ck_assert_int_eq(uart16550_receive(&uart, (uint8_t)(i + 100)), 0);
		ck_assert_uint_eq(rd(UART16550_RBR), i);
		ck_assert_uint_eq(rd(UART16550_RBR), i + 100);
	}
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
}
END_TEST

/* FIFOs off: one holding register; the second byte is the overrun and the first stays. */
START_TEST(test_holding_register_receive_and_overrun)
{
	ck_assert_int_eq(uart16550_receive(&uart, 'a'), 0);
	ck_assert_int_eq(uart16550_receive(&uart, 'b'), -ENOSPC);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x63);
	ck_assert_uint_eq(rd(UART16550_RBR), 'a');
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	ck_assert_uint_eq(rd(UART16550_RBR), 0);
	ck_assert_int_eq(uart16550_receive(&uart, 'c'), 0);
	ck_assert_uint_eq(rd(UART16550_RBR), 'c');
}
END_TEST

/* 1000 bytes of input at once: 16 taken, 984 lost and counted, OE set, nothing else. */
START_TEST(test_input_flood_is_bounded)
{
	unsigned taken = 0;

	wr(UART16550_FCR, 0x01);
	wr(UART16550_IER, UART16550_IER_ERBFI | UART16550_IER_ELSI);
	for (unsigned i = 0; i < 1000; i++)
		if (uart16550_receive(&uart, (uint8_t)i) == 0)
			taken++;
	ck_assert_uint_eq(taken, 16);
	ck_assert_uint_eq(uart.rx_dropped, 984);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC6);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x63);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(UART16550_RBR), i);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC1);
	ck_assert(!irq_now());
}
END_TEST

/* ---- interrupts --------------------------------------------------------------------- */

/* All four sources pending at once come out by priority, each cleared its own way:
 * line status (read LSR), received data (read RBR), THR empty (read IIR), modem status
 * (read MSR). Set up with FIFOs on (trigger 1) and loopback: MCR 0x10 changes the inputs
 * from CTS|DSR|DCD to none (MSR deltas DCTS|DDSR|DDCD = 0x0B); loopback THR writes fill
 * the receiver, and the 17th overruns; each leaves THR empty: the THRE latch is set. */
START_TEST(test_interrupts_come_out_by_priority_and_clear_their_own_way)
{
	wr(UART16550_FCR, 0x01);
	wr(UART16550_MCR, UART16550_MCR_LOOP);
	for (unsigned i = 0; i < 17; i++)
		wr(UART16550_THR, (uint8_t)('a' + i));
	ck_assert_uint_eq(nlevels, 0); /* nothing enabled */
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC1);
	wr(UART16550_IER, 0x0F);
	ck_assert_uint_eq(nlevels, 1);
	ck_assert(levels[0]);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC6);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC6); /* IIR reads do not clear it */
	ck_assert_uint_eq(rd(UART16550_LSR), 0x63);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC4);
	for (unsigned i = 0; i < 16; i++) {
		ck_assert_uint_eq(rd(UART16550_IIR), 0xC4);
		ck_assert_uint_eq(rd(UART16550_RBR), 'a' + i);
	}
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC2); /* read: acknowledged */
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC0);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC0);
	ck_assert(irq_now());
	ck_assert_uint_eq(rd(UART16550_MSR), 0x0B);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC1);
	ck_assert_uint_eq(nlevels, 2);
	ck_assert(!levels[1]);
	ck_assert_uint_eq(rd(UART16550_MSR), 0x00);
}
END_TEST

/* The enables gate each source: with IER 0 the same state raises nothing; enabling
 * only EDSSI shows only the modem status. */
START_TEST(test_ier_gates_each_source)
{
	wr(UART16550_MCR, UART16550_MCR_LOOP);
	wr(UART16550_THR, 'a');
	wr(UART16550_THR, 'b'); /* overrun of the holding register */
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	wr(UART16550_IER, UART16550_IER_EDSSI);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x00);
	wr(UART16550_IER, UART16550_IER_ERBFI);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x04); /* FIFOs off: any byte is "data" */
	wr(UART16550_IER, UART16550_IER_ELSI);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x06);
	wr(UART16550_IER, 0);
	ck_assert_uint_eq(nlevels, 2);
	ck_assert(!irq_now());
}
END_TEST

/* With FIFOs on the trigger level (FCR bits 7:6 = 1, 4, 8, 14 bytes) splits received
 * data (0x4, at or above it) from the character timeout (0xC, below it: taken as
 * elapsed at once, see core/uart16550.c). */
static void check_trigger(uint8_t fcr, unsigned trigger)
{
	wr(UART16550_FCR, fcr | UART16550_FCR_RFR);
	wr(UART16550_IER, UART16550_IER_ERBFI);
	for (unsigned i = 1; i <= 16; i++) {
		ck_assert_int_eq(uart16550_receive(&uart, (uint8_t)i), 0);
		ck_assert_uint_eq(rd(UART16550_IIR), i >= trigger ? 0xC4 : 0xCC);
	}
	for (unsigned i = 15; i > 0; i--) {
		rd(UART16550_RBR);
		ck_assert_uint_eq(rd(UART16550_IIR), i >= trigger ? 0xC4 : 0xCC);
	}
	rd(UART16550_RBR);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC1);
	ck_assert(!irq_now());
}

START_TEST(test_receive_trigger_levels_and_character_timeout)
{
	check_trigger(0x01, 1);
	check_trigger(0x41, 4);
	check_trigger(0x81, 8);
	check_trigger(0xC1, 14);
	ck_assert_uint_eq(nlevels, 8); /* up and down once per level */
}
END_TEST

/* THRE: raised by ETBEI going 0 -> 1 with THR empty, cleared by reading IIR while it is
 * the source or by writing THR, raised again when THR empties (at once when the byte
 * passes into the line; when the console takes the line in front of it otherwise). */
START_TEST(test_thre_interrupt_clears_and_comes_back_when_thr_empties)
{
	lines_allowed = 0;
	wr(UART16550_IER, UART16550_IER_ETBEI);
	ck_assert_uint_eq(nlevels, 1);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x02);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	ck_assert_uint_eq(nlevels, 2);
	wr(UART16550_IER, UART16550_IER_ETBEI); /* already set: no new edge */
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	wr(UART16550_THR, 'a'); /* into the line: THR empty again */
	ck_assert_uint_eq(nlevels, 3);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x02);
	wr(UART16550_THR, '\n'); /* completes the line, which waits; THR still empties */
	ck_assert_uint_eq(nlevels, 5);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x02);
	ck_assert_uint_eq(nlevels, 6);
	wr(UART16550_THR, 'b'); /* held behind the line: no THRE */
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x00);
	ck_assert_uint_eq(nlevels, 6);
	console_takes(1); /* 'b' moves on: THR empties */
	ck_assert_uint_eq(nlevels, 7);
	ck_assert(levels[6]);
	wr(UART16550_IER, 0); /* masked: down, latch kept */
	ck_assert_uint_eq(nlevels, 8);
	wr(UART16550_IER, UART16550_IER_ETBEI);
	ck_assert_uint_eq(nlevels, 9);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x02);
	ck_assert_str_eq(sunk, "[vmname] a\n");
}
END_TEST

/* ---- loopback and modem status ------------------------------------------------------ */

/* MCR.LOOP: THR goes to the receiver, not the console; console input is refused; MSR
 * bits 7:4 are MCR's (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2) and bits 3:0 their changes.
 * Worked: MCR 0x10: inputs 0xB0 -> 0x00, deltas 0x0B. MCR 0x1A (RTS|OUT2): 0x90, CTS
 * and DCD changed: 0x99 (what Linux's 8250 probe looks for in bits 7:4). MCR 0x14
 * (OUT1): 0x40, CTS and DCD off, RI on: 0x49. MCR 0x10: RI off: TERI, 0x04. MCR 0:
 * back to 0xB0, CTS, DSR, DCD changed: 0xBB. */
START_TEST(test_loopback_and_modem_status)
{
	wr(UART16550_MCR, UART16550_MCR_LOOP);
	wr(UART16550_THR, 'x');
	ck_assert_uint_eq(rd(UART16550_LSR), 0x61);
	ck_assert_int_eq(uart16550_receive(&uart, 'i'), -EBUSY);
	ck_assert_uint_eq(rd(UART16550_RBR), 'x');
	ck_assert_uint_eq(rd(UART16550_RBR), 0);
	ck_assert_uint_eq(rd(UART16550_MSR), 0x0B);
	ck_assert_uint_eq(rd(UART16550_MSR), 0x00);
	wr(UART16550_MCR, 0x1A);
	ck_assert_uint_eq(rd(UART16550_MSR), 0x99);
	ck_assert_uint_eq(rd(UART16550_MSR), 0x90);
	wr(UART16550_MCR, 0x14);
	ck_assert_uint_eq(rd(UART16550_MSR), 0x49);
	wr(UART16550_MCR, 0x10);
	ck_assert_uint_eq(rd(UART16550_MSR), 0x04);
	wr(UART16550_MCR, 0x00);
	ck_assert_uint_eq(rd(UART16550_MSR), 0xBB);
	ck_assert_uint_eq(rd(UART16550_MSR), 0xB0);
	uart16550_flush(&uart);
	ck_assert_str_eq(sunk, "");
	ck_assert_int_eq(uart16550_receive(&uart, 'i'), 0); /* connected again */
	ck_assert_uint_eq(rd(UART16550_RBR), 'i');
	ck_assert_uint_eq(uart.rx_dropped, 1);
}
END_TEST

/* ---- FCR ---------------------------------------------------------------------------- */

/* Resets mid-stream. With the console refusing: "L1\n" waits, "abcdef" sits in the FIFO;
 * FCR 0x05 (FIFOE|XFR) throws the six away (counted), not the waiting line. RFR clears
 * the receiver. With FIFOE clear the other bits are not taken (the holding register
 * keeps its byte); changing FIFOE clears both FIFOs. */
START_TEST(test_fcr_resets_mid_stream)
{
	wr(UART16550_FCR, 0x01);
	lines_allowed = 0;
	put("L1\nabcdef");
	ck_assert_uint_eq(rd(UART16550_LSR), 0x00);
	wr(UART16550_FCR, 0x05);
	ck_assert_uint_eq(uart.tx_discarded, 6);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x20);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC1);
	console_takes(-1);
	put("g\n");
	ck_assert_str_eq(sunk, "[vmname] L1\n[vmname] g\n");

	uart16550_receive(&uart, 'x');
	uart16550_receive(&uart, 'y');
	wr(UART16550_FCR, 0x03);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	uart16550_receive(&uart, 'z');
	wr(UART16550_FCR, 0x00); /* FIFOs off: both cleared */
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	uart16550_receive(&uart, 'q');
	wr(UART16550_FCR, 0x02); /* RFR without FIFOE: not taken */
	ck_assert_uint_eq(rd(UART16550_LSR), 0x61);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	wr(UART16550_FCR, 0xC9); /* FIFOE changes: cleared; trigger 14, DMA mode kept */
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	wr(UART16550_IER, UART16550_IER_ERBFI);
	uart16550_receive(&uart, 'r');
	ck_assert_uint_eq(rd(UART16550_IIR), 0xCC);
}
END_TEST

/* An XMIT reset empties THR: the THRE interrupt comes back, as when it empties. */
START_TEST(test_xmit_reset_raises_thre)
{
	wr(UART16550_FCR, 0x01);
	wr(UART16550_IER, UART16550_IER_ETBEI);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC2);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC1);
	wr(UART16550_FCR, 0x05);
	ck_assert_uint_eq(rd(UART16550_IIR), 0xC2);
}
END_TEST

/* ---- the firmware console ----------------------------------------------------------- */

/* console_write: the bytes as THR writes, whatever DLAB and loopback say; console
 * refusing, FIFOs off: "one\n" waits, 't' is held, 'w' does not fit: 5 taken; then 0. */
START_TEST(test_console_write_takes_what_fits)
{
	static const uint8_t msg[] = "one\ntwo\n";

	ck_assert_int_eq(uart16550_console_write(&uart, (const uint8_t *)"hello\n", 6), 6);
	ck_assert_str_eq(sunk, "[vmname] hello\n");
	dlab(true);
	wr(UART16550_MCR, UART16550_MCR_LOOP);
	ck_assert_int_eq(uart16550_console_write(&uart, (const uint8_t *)"dl\n", 3), 3);
	ck_assert_str_eq(sunk, "[vmname] hello\n[vmname] dl\n");
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60); /* nothing looped back */
	ck_assert_uint_eq(rd(UART16550_DLL), 0);    /* nor written to DLL */
	wr(UART16550_MCR, 0);
	dlab(false);

	lines_allowed = 0;
	nsunk = 0;
	ck_assert_int_eq(uart16550_console_write(&uart, msg, 8), 5);
	ck_assert_int_eq(uart16550_console_write(&uart, msg + 5, 3), 0);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x00);
	console_takes(-1);
	ck_assert_int_eq(uart16550_console_write(&uart, msg + 5, 3), 3);
	ck_assert_str_eq(sunk, "[vmname] one\n[vmname] two\n");
	ck_assert_int_eq(uart16550_console_write(&uart, NULL, 0), 0);
	ck_assert_int_eq(uart16550_console_write(&uart, NULL, 1), -EINVAL);
}
END_TEST

/* FIFOs on: a refusing console takes "a\n" (waiting) plus 16 more: 18 of 40. */
START_TEST(test_console_write_fills_the_fifo)
{
	uint8_t buf[40];

	memset(buf, 'k', sizeof(buf));
	buf[1] = '\n';
	wr(UART16550_FCR, 0x01);
	lines_allowed = 0;
	ck_assert_int_eq(uart16550_console_write(&uart, buf, sizeof(buf)), 18);
	console_takes(-1);
	uart16550_flush(&uart);
	ck_assert_str_eq(sunk, "[vmname] k\n[vmname] kkkkkkkkkkkkkkkk\n");
}
END_TEST

/* console_read: as RBR reads, whatever DLAB says; the received-data interrupt follows. */
START_TEST(test_console_read_takes_from_the_receiver)
{
	uint8_t buf[8] = { 0 };

	wr(UART16550_FCR, 0x01);
	wr(UART16550_IER, UART16550_IER_ERBFI);
	uart16550_receive(&uart, 'a');
	uart16550_receive(&uart, 'b');
	uart16550_receive(&uart, 'c');
	ck_assert(irq_now());
	dlab(true);
	ck_assert_int_eq(uart16550_console_read(&uart, buf, 2), 2);
	ck_assert(!memcmp(buf, "ab", 2));
	ck_assert(irq_now());
	ck_assert_uint_eq(rd(UART16550_LSR), 0x61);
	ck_assert_int_eq(uart16550_console_read(&uart, buf, sizeof(buf)), 1);
	ck_assert_uint_eq(buf[0], 'c');
	ck_assert(!irq_now());
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	ck_assert_int_eq(uart16550_console_read(&uart, buf, sizeof(buf)), 0);
	ck_assert_int_eq(uart16550_console_read(&uart, NULL, 0), 0);
	ck_assert_int_eq(uart16550_console_read(&uart, NULL, 4), -EINVAL);
	ck_assert_uint_eq(nlevels, 2);
}
END_TEST

/* ---- the LSR shadow, reset ---------------------------------------------------------- */

/* LSR for the early exits: the value, or "ask the device" while a read would clear OE
 * or be counted (transmit FIFO full). */
START_TEST(test_lsr_shadow_follows_lsr_and_asks_when_a_read_acts)
{
	struct mmio_shadow sh;

	ck_assert_uint_eq(uart16550_ops.shadows(&uart, &sh, 0), 0);
	ck_assert_uint_eq(uart16550_ops.shadows(&uart, &sh, 1), 1);
	ck_assert_uint_eq(gpa_bits(sh.addr), UART16550_LSR);
	ck_assert_uint_eq(sh.widths, 0x1);
	ck_assert_uint_eq(*sh.value, 0x60);
	uart16550_receive(&uart, 'a');
	ck_assert_uint_eq(*sh.value, 0x61);
	uart16550_receive(&uart, 'b');
	ck_assert_uint_eq(*sh.value, MMIO_SHADOW_ASK);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x63);
	ck_assert_uint_eq(*sh.value, 0x61);
	rd(UART16550_RBR);
	ck_assert_uint_eq(*sh.value, 0x60);
	lines_allowed = 0;
	put("w\n");
	ck_assert_uint_eq(*sh.value, 0x20);
	put("v");
	ck_assert_uint_eq(*sh.value, MMIO_SHADOW_ASK);
	console_takes(-1);
	ck_assert_uint_eq(*sh.value, 0x60);
}
END_TEST

/* A reset: registers as at power-on, the receiver emptied, the output low; what was
 * taken for output still comes out. */
START_TEST(test_reset_restores_registers_and_keeps_output)
{
	wr(UART16550_FCR, 0xC1);
	wr(UART16550_IER, 0x0F);
	wr(UART16550_SCR, 0x77);
	wr(UART16550_MCR, 0x1F);
	dlab(true);
	wr(UART16550_DLL, 1);
	dlab(false);
	wr(UART16550_MCR, 0x00);
	put("part");
	uart16550_receive(&uart, 'z');
	ck_assert(irq_now());
	uart16550_reset(&uart);
	ck_assert(!irq_now());
	ck_assert_uint_eq(rd(UART16550_IER), 0);
	ck_assert_uint_eq(rd(UART16550_IIR), 0x01);
	ck_assert_uint_eq(rd(UART16550_LCR), 0);
	ck_assert_uint_eq(rd(UART16550_MCR), 0);
	ck_assert_uint_eq(rd(UART16550_LSR), 0x60);
	ck_assert_uint_eq(rd(UART16550_MSR), 0xB0);
	ck_assert_uint_eq(rd(UART16550_SCR), 0);
	ck_assert_uint_eq(rd(UART16550_RBR), 0);
	dlab(true);
	ck_assert_uint_eq(rd(UART16550_DLL), 0);
	dlab(false);
	put("ial\n");
	ck_assert_str_eq(sunk, "[vmname] partial\n");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("uart16550");
	TCase *regs = tcase_create("uart16550-regs");
	TCase *io = tcase_create("uart16550-io");
	TCase *irq = tcase_create("uart16550-irq");

	tcase_add_checked_fixture(regs, setup, teardown);
	tcase_add_test(regs, test_reset_values);
	tcase_add_test(regs, test_dlab_banks_offsets_0_and_1_only);
	tcase_add_test(regs, test_registers_keep_only_their_defined_bits);
	tcase_add_test(regs, test_bad_widths_and_offsets_are_errors_and_change_nothing);
	tcase_add_test(regs, test_device_works_behind_the_mmio_bus);
	tcase_add_test(regs, test_lsr_shadow_follows_lsr_and_asks_when_a_read_acts);
	tcase_add_test(regs, test_reset_restores_registers_and_keeps_output);
	suite_add_tcase(s, regs);

	tcase_add_checked_fixture(io, setup, teardown);
	tcase_add_test(io, test_fifo_mode_transmits_prefixed_lines_and_iir_shows_fifos);
	tcase_add_test(io, test_carriage_returns_are_dropped_and_empty_lines_kept);
	tcase_add_test(io, test_bytes_are_escaped_on_the_console);
	tcase_add_test(io, test_long_lines_are_split_never_inside_an_escape);
	tcase_add_test(io, test_name_is_cut_escaped_and_may_be_absent);
	tcase_add_test(io, test_without_fifos_thr_holds_one_byte_behind_a_waiting_line);
	tcase_add_test(io, test_fifo_fills_behind_a_waiting_line_and_loses_nothing);
	tcase_add_test(io, test_output_flood_takes_what_fits_and_loses_nothing);
	tcase_add_test(io, test_fifo_receive_overrun_and_order);
	tcase_add_test(io, test_holding_register_receive_and_overrun);
	tcase_add_test(io, test_input_flood_is_bounded);
	tcase_add_test(io, test_fcr_resets_mid_stream);
	tcase_add_test(io, test_console_write_takes_what_fits);
	tcase_add_test(io, test_console_write_fills_the_fifo);
	tcase_add_test(io, test_console_read_takes_from_the_receiver);
	suite_add_tcase(s, io);

	tcase_add_checked_fixture(irq, setup, teardown);
	tcase_add_test(irq, test_interrupts_come_out_by_priority_and_clear_their_own_way);
	tcase_add_test(irq, test_ier_gates_each_source);
	tcase_add_test(irq, test_receive_trigger_levels_and_character_timeout);
	tcase_add_test(irq, test_thre_interrupt_clears_and_comes_back_when_thr_empties);
	tcase_add_test(irq, test_xmit_reset_raises_thre);
	tcase_add_test(irq, test_loopback_and_modem_status);
	suite_add_tcase(s, irq);
	return s;
}
