/* The console's line shared with gdb (gdb_line_byte, core/gdb.c): what a person types
 * reaches the console unchanged and in order, '$' and Ctrl-C included; gdb's packets,
 * its acks and its break reach the stub. The stub serves a real VM of the simulation
 * host (its vCPUs run by no pCPU, so a stop completes at once), since a packet attaches
 * it and the stub then holds the VM's vCPUs. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/aspace.h"
#include "core/frame.h"
#include "core/gdb.h"
#include "core/sched.h"
#include "core/vm.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM 0x40000000ull

static struct vm *vm;
static struct gdb_stub stub;
static struct gdb_line line;
static size_t baseline;
static char replies[1 << 16]; /* what the stub sent */
static size_t replies_len;
static uint8_t console[1 << 18]; /* what the line gave the console */
static size_t console_len;

static int fake_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	ck_assert_uint_lt(replies_len + len, sizeof(replies));
	memcpy(replies + replies_len, buf, len);
	replies_len += len;
	replies[replies_len] = 0;
	return 0;
}

static void setup(void)
{
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
	struct vm_config cfg = {
		.name = "line", .nvcpus = 2, .entry = { RAM }, .nmem = 1,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } } },
	};
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	gdb_init(&stub, vm, fake_write, NULL);
	memset(&line, 0, sizeof(line));
	replies_len = console_len = 0;
	replies[0] = 0;
}

static void teardown(void)
{
	ck_assert_int_eq(vm_destroy(vm), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	test_machine_down();
}

/* Each byte through the line, as the bare-metal housekeeping feeds it. */
static void type(const void *bytes, size_t n)
{
	static uint8_t out[sizeof(line.held) + 1];
	const uint8_t *p = bytes;

	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_ge(gdb_rx_room(&stub), sizeof(line.held));
		size_t k = gdb_line_byte(&line, &stub, p[i], out);
		ck_assert_uint_le(k, sizeof(line.held) + 1);
		ck_assert_uint_lt(console_len + k, sizeof(console));
		memcpy(console + console_len, out, k);
		console_len += k;
	}
}

static void type_str(const char *s)
{
	type(s, strlen(s));
}

/* "$data#cs" as gdb frames it (data may hold any byte: len given). */
static void type_packet(const void *data, size_t len)
{
	static uint8_t buf[GDB_PACKET_MAX + 8];
	uint8_t sum = 0;

	ck_assert_uint_lt(len, sizeof(buf) - 4);
	buf[0] = '$';
	memcpy(buf + 1, data, len);
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + ((const uint8_t *)data)[i]);
	char cs[4];
	snprintf(cs, sizeof(cs), "#%02x", sum);
	memcpy(buf + 1 + len, cs, 3);
	type(buf, len + 4);
}

static void console_is(const void *want, size_t len)
{
	ck_assert_uint_eq(console_len, len);
	ck_assert_mem_eq(console, want, len);
}

#define CONSOLE_IS(lit) console_is(lit, sizeof(lit) - 1)

/* A valid packet attaches the stub: every vCPU held, the VM stopped for gdb. */
static void attach(void)
{
	type_packet("?", 1);
	ck_assert(gdb_attached(&stub));
	gdb_poll(&stub);
	ck_assert(gdb_holds_vm(&stub));
	replies_len = 0;
}

START_TEST(test_plain_text_reaches_the_console_byte_for_byte)
{
	type_str("ls -l /tmp\r");
	CONSOLE_IS("ls -l /tmp\r");
	ck_assert(!gdb_attached(&stub));
	ck_assert_uint_eq(replies_len, 0);
}
END_TEST

START_TEST(test_a_dollar_a_person_typed_comes_back_at_return)
{
	type_str("echo $HOME");
	CONSOLE_IS("echo "); /* "$HOME" may yet be a packet */
	type_str("\r");
	CONSOLE_IS("echo $HOME\r");
	type_str("$");
	type_str("\n");
	CONSOLE_IS("echo $HOME\r$\n");
	ck_assert(!gdb_attached(&stub));
}
END_TEST

START_TEST(test_ctrl_c_and_escapes_after_a_dollar_go_to_the_console_in_order)
{
	type_str("$x\x03");
	CONSOLE_IS("$x\x03");
	type_str("$\x1b[A"); /* an arrow key */
	CONSOLE_IS("$x\x03$\x1b[A");
	type_str("$\x7f"); /* DEL */
	CONSOLE_IS("$x\x03$\x1b[A$\x7f");
	ck_assert(!gdb_attached(&stub));
}
END_TEST

START_TEST(test_a_valid_packet_goes_to_the_stub_and_attaches_it)
{
	type_str("a");
	type_packet("qSupported:multiprocess+", 24);
	type_str("b");
	CONSOLE_IS("ab");
	ck_assert(gdb_attached(&stub));
	ck_assert_ptr_nonnull(strstr(replies, "PacketSize="));
}
END_TEST

START_TEST(test_a_bad_checksum_is_the_consoles_until_gdb_is_attached)
{
	type_str("$?#00");
	CONSOLE_IS("$?#00");
	ck_assert(!gdb_attached(&stub));
	ck_assert_uint_eq(replies_len, 0);
	attach();
	type_str("$?#00");
	CONSOLE_IS("$?#00");            /* nothing more */
	ck_assert_str_eq(replies, "-"); /* the stub asks for it again */
}
END_TEST

START_TEST(test_a_checksum_that_is_no_hex_ends_the_packet)
{
	type_str("$?#z");
	CONSOLE_IS("$?#z");
	type_str("$?#3z");
	CONSOLE_IS("$?#z$?#3z");
	type_str("$?#$?#3f"); /* the second '$' starts over: that one is a packet */
	CONSOLE_IS("$?#z$?#3z$?#");
	ck_assert(gdb_attached(&stub));
}
END_TEST

START_TEST(test_gdbs_plus_on_connecting_is_dropped_a_persons_kept)
{
	type_str("a+b+");
	CONSOLE_IS("a+b"); /* the last '+' waits for what comes next */
	type_str("+");
	CONSOLE_IS("a+b+");
	type_str("\r");
	CONSOLE_IS("a+b++\r");
	/* gdb connecting: '+', then its first packet. */
	type_str("+");
	type_packet("qSupported", 10);
	CONSOLE_IS("a+b++\r");
	ck_assert(gdb_attached(&stub));
}
END_TEST

START_TEST(test_a_second_dollar_starts_the_packet_over)
{
	type_str("$ab$");
	CONSOLE_IS("$ab");
	type_str("?#3f");
	CONSOLE_IS("$ab");
	ck_assert(gdb_attached(&stub));
}
END_TEST

START_TEST(test_break_and_acks_are_the_consoles_until_attached)
{
	type_str("\x03+-");
	CONSOLE_IS("\x03+-");
	attach();
	type_str("+-");
	CONSOLE_IS("\x03+-");
	/* Running, a break stops the VM. */
	type_packet("c", 1);
	gdb_poll(&stub);
	ck_assert(!gdb_holds_vm(&stub));
	type_str("\x03");
	gdb_poll(&stub);
	ck_assert(gdb_holds_vm(&stub));
	CONSOLE_IS("\x03+-");
	ck_assert_ptr_nonnull(strstr(replies, "$T02"));
}
END_TEST

/* gdb's X packet: raw bytes, '#', '$', '}' (and '*') escaped as '}' then the byte ^
 * 0x20; a newline, a Ctrl-C and a NUL in the data are data. */
START_TEST(test_binary_write_with_control_bytes_reaches_guest_memory)
{
	static const uint8_t want[] = { '\n', 0x03, '\r', 0, '#', '$', '}', 0x1b, 0xff, '*' };
	char pkt[64];
	int n = snprintf(pkt, sizeof(pkt), "X%llx,%zx:", RAM + 0x100, sizeof(want));
	size_t len = (size_t)n;

	attach();
	for (size_t i = 0; i < sizeof(want); i++) {
		uint8_t c = want[i];
		if (c == '#' || c == '$' || c == '}' || c == '*') {
			pkt[len++] = '}';
			c ^= 0x20;
		}
		pkt[len++] = (char)c;
	}
	type_packet(pkt, len);
	CONSOLE_IS("");
	ck_assert_str_eq(replies, "+$OK#9a");
	uint8_t got[sizeof(want)];
	ck_assert_int_eq(as_read(&vm->as, gpa_make(RAM + 0x100), got, sizeof(got)), 0);
	ck_assert_mem_eq(got, want, sizeof(want));
}
END_TEST

START_TEST(test_an_x_packet_holds_no_more_than_its_length)
{
	/* A person's "$X1,2:" then more than two bytes: not a packet. */
	type_str("$X1,2:ab");
	CONSOLE_IS("");
	type_str("c");
	CONSOLE_IS("$X1,2:abc");
	/* A header that is none: the usual rule, Return ends it. */
	type_str("$Xzz:\r");
	CONSOLE_IS("$X1,2:abc$Xzz:\r");
	/* gdb's probe of the X packet (no data), once a session is open. */
	type_packet("?", 1);
	ck_assert(gdb_attached(&stub));
	replies_len = 0;
	memset(replies, 0, sizeof(replies));
	type_packet("X40000000,0:", 12);
	ck_assert_str_eq(replies, "+$OK#9a");
}
END_TEST

START_TEST(test_an_endless_packet_goes_to_the_console_whole)
{
	static uint8_t junk[GDB_PACKET_MAX + 100];

	junk[0] = '$';
	for (size_t i = 1; i < sizeof(junk); i++)
		junk[i] = (uint8_t)('a' + i % 26);
	type(junk, sizeof(junk));
	type_str("#00");
	ck_assert_uint_eq(console_len, sizeof(junk) + 3);
	ck_assert_mem_eq(console, junk, sizeof(junk));
	ck_assert(!gdb_attached(&stub));
}
END_TEST

/* Whatever arrives, no byte is lost, invented or reordered: the console has had a
 * prefix of the input, and the rest is held as a packet yet to be decided (until a
 * packet formed by chance goes to the stub). Pseudo-random input, biased towards '$',
 * '#' and hex, without '+' (the one byte the line may drop, tested above). */
START_TEST(test_random_input_loses_nothing)
{
	static const char alphabet[] = "$$##0123456789abcdefX,:}\r\n\x03-qg?";
	static uint8_t input[1 << 17], out[sizeof(line.held) + 1];
	uint64_t seed = 0x9E3779B97F4A7C15ull;
	size_t sent = 0;

	/* libcheck records every assertion: plain tests in the loop, one assertion at the
	 * end. */
	bool ok = true;
	while (ok && sent < sizeof(input) && !gdb_attached(&stub)) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint8_t c = (seed >> 60) < 12 ? (uint8_t)alphabet[(seed >> 32) % (sizeof(alphabet) - 1)]
					       : (uint8_t)(seed >> 40);
		if (c == '+')
			c = '*';
		input[sent++] = c;
		size_t k = gdb_line_byte(&line, &stub, c, out);
		if (gdb_attached(&stub))
			break;
		ok = k <= sizeof(out) && console_len + k <= sizeof(console) &&
		     memcmp(out, input + console_len, k) == 0;
		memcpy(console + console_len, out, k);
		console_len += k;
		ok = ok && console_len + (line.state ? line.n : 0) == sent;
	}
	ck_assert_msg(ok, "after %zu bytes the console had %zu of them, %zu held", sent,
		      console_len, line.n);
	ck_assert_uint_gt(sent, 1000);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("gdb_line");
	TCase *tc = tcase_create("gdb_line");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plain_text_reaches_the_console_byte_for_byte);
	tcase_add_test(tc, test_a_dollar_a_person_typed_comes_back_at_return);
	tcase_add_test(tc, test_ctrl_c_and_escapes_after_a_dollar_go_to_the_console_in_order);
	tcase_add_test(tc, test_a_valid_packet_goes_to_the_stub_and_attaches_it);
	tcase_add_test(tc, test_a_bad_checksum_is_the_consoles_until_gdb_is_attached);
	tcase_add_test(tc, test_a_checksum_that_is_no_hex_ends_the_packet);
	tcase_add_test(tc, test_gdbs_plus_on_connecting_is_dropped_a_persons_kept);
	tcase_add_test(tc, test_a_second_dollar_starts_the_packet_over);
	tcase_add_test(tc, test_break_and_acks_are_the_consoles_until_attached);
	tcase_add_test(tc, test_binary_write_with_control_bytes_reaches_guest_memory);
	tcase_add_test(tc, test_an_x_packet_holds_no_more_than_its_length);
	tcase_add_test(tc, test_an_endless_packet_goes_to_the_console_whole);
	tcase_add_test(tc, test_random_input_loses_nothing);
	suite_add_tcase(s, tc);
	return s;
}
