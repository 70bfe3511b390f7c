/* Hostile guests against the host's console. A guest's UART output may only ever show
 * as its own lines: prefixed with its VM's name, every byte that could move the
 * terminal's cursor, erase or colour text, or read as one of Tandem's escapes shown
 * escaped. A guest that floods its UART is throttled by the UART's own back-pressure
 * (UARTFR.TXFF; a careless one waits on the bus) while the console drains at its own
 * pace, so that the vCPUs it shares a pCPU with keep running, the other guests' lines
 * still come out, and no byte of anyone's is lost.
 *
 * The forged-line case runs hvsim (HVSIM, built beside this test) on
 * hostile-console-forge.scn; the flood case runs hostile-console-flood.scn in this
 * process, with the simulation host's console stopped, then slow. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/frame.h"
#include "core/pl011.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vmset.h"
#include "hal-sim/engine.h"
#include "hal-sim/sim.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/time.h"
#include "tests/check_main.h"
#include "tests/testlib.h"
#include "tools/scenario/scenario.h"

#define OUT_MAX (256 * 1024)

static char out[OUT_MAX];

/* ---- reading what reached the console ------------------------------------------------ */

static void capture_begin(void)
{
	test_capture_begin();
}

/* Everything the console wrote since capture_begin, once it has all been written. */
static size_t capture_end(void)
{
	return test_capture_end(out, sizeof(out));
}

/* The bytes a terminal acts on: C0 controls other than newline and tab, DEL, and
 * everything from 0x80 (C1 controls, and UTF-8, which can reorder a line). */
static void assert_no_raw_control_bytes(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
			ck_abort_msg("raw byte 0x%02x at offset %zu reached the console: \"%.*s\"", c,
				     i, (int)(len - i < 60 ? len - i : 60), text + i);
	}
}

/* The lines of text that start with prefix, copied into lines[] (NUL-terminated, the
 * prefix cut off); how many there were. */
static unsigned lines_with(const char *text, const char *prefix, char lines[][256], unsigned max)
{
	unsigned n = 0;
	size_t plen = strlen(prefix);

	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len >= plen && !strncmp(p, prefix, plen)) {
			ck_assert_uint_lt(n, max);
			ck_assert_uint_lt(len - plen, 256);
			memcpy(lines[n], p + plen, len - plen);
			lines[n][len - plen] = '\0';
			n++;
		}
		p += end ? len + 1 : len;
	}
	return n;
}

/* ---- a guest forging host lines, through hvsim ---------------------------------------- */

static size_t run_hvsim(const char *scenario, int *status)
{
	int fd = test_scratch_fd();

	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		execl(HVSIM, HVSIM, scenario, "--timeout", "60", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, status, 0), pid);
	size_t n = test_read_fd(fd, out, sizeof(out));
	close(fd);
	return n;
}

START_TEST(test_forged_host_lines_show_escaped_and_the_real_result_line_is_last)
{
	static char lines[16][256];
	int status;
	size_t n = run_hvsim(HOSTILE_DIR "/hostile-console-forge.scn", &status);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "hvsim failed:\n%s", out);
	assert_no_raw_control_bytes(out, n);
	/* What the guest wrote, byte for byte, escaped: ESC, BS, DEL and everything from
	 * 0x80 as \xNN, the backslash doubled, CR dropped, a tab kept. */
	static const char *const want[] = {
		"\\x1b[2Khvsim: passed (0 failures)",
		"\\x08\\x08\\x08\\x08\\x08\\x08\\x08\\x08hvsim: passed (0 failures)",
		"\\\\x1b[31m",
		"del\\x7f\\x9b\\xe2\\x80\\xae\tend",
		("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxx"), /* 240: a full buffer */
		"hvsim: passed (0 failures)", /* the long line's tail: a line of its own, prefixed */
		"hvsim: passed (0 failures)", /* the partial line, written out at the end */
	};
	unsigned nwant = sizeof(want) / sizeof(want[0]);
	ck_assert_uint_eq(lines_with(out, "[evil] ", lines, 16), nwant);
	for (unsigned i = 0; i < nwant; i++)
		ck_assert_str_eq(lines[i], want[i]);
	/* hvsim's own result line: exactly one, the last line, as hvsim wrote it. */
	ck_assert_uint_eq(lines_with(out, "hvsim: passed", lines, 16), 1);
	ck_assert_str_eq(lines[0], " (0 failures)");
	ck_assert_uint_ge(n, 28);
	ck_assert_str_eq(out + n - 28, "\nhvsim: passed (0 failures)\n");
}
END_TEST

/* ---- every byte value, straight into a UART ------------------------------------------ */

static struct pl011 uart;

static void uart_setup(void)
{
	test_machine_up(1, true);
	pl011_init(&uart, "evil", NULL, NULL);
}

static void uart_teardown(void)
{
	pl011_fini(&uart);
	test_machine_down();
}

static void put(uint8_t c)
{
	ck_assert_int_eq(pl011_ops.write(&uart, PL011_DR, 1, c), 0);
}

/* The escaped form of byte c as the console must show it (worked out from the rule, not
 * from the code): CR nothing, tab and printable ASCII as they are, a backslash doubled,
 * anything else \xNN in lower-case hex. */
static const char *escaped(uint8_t c, char buf[8])
{
	if (c == '\r')
		return "";
	if (c == '\\')
		return "\\\\";
	if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
		buf[0] = (char)c;
		buf[1] = '\0';
		return buf;
	}
	snprintf(buf, 8, "\\x%02x", c);
	return buf;
}

/* Whether every backslash in line starts a whole escape of it: "\\\\" or "\\xNN". */
static bool whole_escapes(const char *line)
{
	for (const char *p = line; *p; p++) {
		if (*p != '\\')
			continue;
		if (p[1] == '\\') {
			p++;
			continue;
		}
		if (p[1] != 'x' || !p[2] || !p[3] || !strchr("0123456789abcdef", p[2]) ||
		    !strchr("0123456789abcdef", p[3]))
			return false;
		p += 3;
	}
	return true;
}

/* Every byte but the newline, then a newline: the console shows the escaped stream cut
 * into lines of at most PL011_LINE_MAX characters, each prefixed, and no escape is cut
 * in two by a line break (a line never ends in a partial "\xN"). */
START_TEST(test_every_byte_value_is_shown_escaped_in_prefixed_lines)
{
	static char lines[64][256];
	static char want[2048], got[2048];
	char buf[8];

	capture_begin();
	for (unsigned c = 0; c < 256; c++)
		if (c != '\n')
			put((uint8_t)c);
	put('\n');
	pl011_flush(&uart);
	size_t n = capture_end();

	assert_no_raw_control_bytes(out, n);
	want[0] = got[0] = '\0';
	for (unsigned c = 0; c < 256; c++)
		if (c != '\n')
			strcat(want, escaped((uint8_t)c, buf));
	unsigned nl = lines_with(out, "[evil] ", lines, 64);
	size_t total = 0;
	for (unsigned i = 0; i < nl; i++) {
		size_t len = strlen(lines[i]);
		ck_assert_uint_le(len, PL011_LINE_MAX);
		total += len + 1;
		/* Only the last line may be short; the others end where the next character's
		 * escaped form would not fit. */
		if (i + 1 < nl)
			ck_assert_uint_gt(len + 4, PL011_LINE_MAX);
		strcat(got, lines[i]);
	}
	ck_assert_uint_eq(total + nl * strlen("[evil] "), n); /* nothing but these lines */
	ck_assert_str_eq(got, want);
	for (unsigned i = 0; i < nl; i++)
		ck_assert_msg(whole_escapes(lines[i]), "line %u cuts an escape: \"%s\"", i, lines[i]);
}
END_TEST

/* ---- floods against a console that does not keep up ----------------------------------- */

struct run {
	struct scenario scn;
	struct vm_spec specs[SCN_MAX_VMS];
	struct vmset set;
};

static struct run R;

static int vm_index(const char *name)
{
	for (unsigned v = 0; v < R.scn.nvms; v++)
		if (!strcmp(R.scn.vms[v].name, name))
			return (int)v;
	ck_abort_msg("no VM %s in the scenario", name);
	return -1;
}

static bool finished(const char *name, unsigned vcpu)
{
	return engine_finished(vm_vmid(R.set.vms[vm_index(name)]), vcpu);
}

static bool all_finished(void)
{
	for (unsigned v = 0; v < R.scn.nvms; v++)
		for (unsigned c = 0; c < R.scn.vms[v].cfg.nvcpus; c++)
			if (R.scn.vms[v].acts[c] && !engine_finished(vm_vmid(R.set.vms[v]), c))
				return false;
	return true;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000 };
	nanosleep(&ts, NULL);
}

/* Poll until cond() or seconds have passed; whether cond() held. */
static bool wait_until(bool (*cond)(void), unsigned seconds)
{
	uint64_t end = hal_now_ns() + seconds * 1000000000ull;

	while (!cond() && hal_now_ns() < end)
		sleep_ms(1);
	return cond();
}

static bool calm_finished(void)
{
	return finished("calm", 0) && finished("calm", 1);
}

static bool chat_finished(void)
{
	return finished("chat", 0);
}

static size_t frames_before;

static void flood_setup(void)
{
	char err[SCN_ERR_MAX];
	unsigned failed = 0;

	memset(&R, 0, sizeof(R));
	ck_assert_msg(scn_load(HOSTILE_DIR "/hostile-console-flood.scn", &R.scn, err) == 0, "%s", err);
	test_machine_up(R.scn.pcpus, true);
	frames_before = frame_outstanding();
	/* A small queue, so that the floods fill it long before they end. */
	ck_assert_int_eq(hal_sim_console_set_queue(512), 0);
	sched_init(R.scn.mode, R.scn.slice_ns);
	engine_install();
	for (unsigned v = 0; v < R.scn.nvms; v++)
		R.specs[v] = (struct vm_spec){ .cfg = R.scn.vms[v].cfg,
					       .has_pl011 = R.scn.vms[v].has_pl011,
					       .pl011_base = { R.scn.vms[v].pl011_base },
					       .pl011_irq = R.scn.vms[v].pl011_irq };
	ck_assert_int_eq(vmset_build(&R.set, R.specs, R.scn.nvms, &failed, NULL), 0);
	for (unsigned v = 0; v < R.scn.nvms; v++)
		for (unsigned c = 0; c < R.scn.vms[v].cfg.nvcpus; c++)
			if (R.scn.vms[v].acts[c])
				engine_load(vm_vmid(R.set.vms[v]), c, &R.scn.vms[v].programs[c]);
}

static void flood_teardown(void)
{
	scn_free(&R.scn);
	test_machine_down();
}

/* The console stops while two guests flood their UARTs. The vCPUs time-shared with the
 * flooders on their pCPUs finish anyway, and the flooders are held back: the polling
 * one sees UARTFR.TXFF, the careless one waits on the bus. Then the console runs again,
 * slowly: the chatty guest's few lines come out among the floods, and every line of
 * every guest arrives whole. */
START_TEST(test_floods_are_throttled_by_txff_while_other_vcpus_run_and_lose_nothing)
{
	static char lines[64][256];
	struct engine_result flood, irqflood, careless;

	capture_begin();
	vmset_start(&R.set);
	hal_sim_console_pause(true);
	test_workers_start(1, R.scn.pcpus - 1);

	bool calm_done = wait_until(calm_finished, 20);
	bool flood_held = !finished("flood", 0) && !finished("irqflood", 0) &&
			  !finished("careless", 0);
	hal_sim_console_set_speed(50000); /* 50 us a byte: about 200 kbit/s */
	hal_sim_console_pause(false);
	bool chat_before_floods = wait_until(chat_finished, 60) && !finished("flood", 0) &&
				  !finished("irqflood", 0) && !finished("careless", 0);
	bool all_done = wait_until(all_finished, 60);
	vmset_stop(&R.set, VM_STOP_REQUESTED);
	test_workers_stop(1, R.scn.pcpus - 1);
	ck_assert_int_eq(engine_result(vm_vmid(R.set.vms[vm_index("flood")]), 0, &flood), 0);
	ck_assert_int_eq(engine_result(vm_vmid(R.set.vms[vm_index("careless")]), 0, &careless), 0);
	ck_assert_int_eq(engine_result(vm_vmid(R.set.vms[vm_index("irqflood")]), 0, &irqflood), 0);
	uint64_t careless_stalls = R.set.uarts[vm_index("careless")].uart.tx_stalls;
	ck_assert_int_eq(vmset_destroy(&R.set), 0);
	ck_assert_uint_eq(frame_outstanding(), frames_before);
	size_t n = capture_end();

	ck_assert_msg(calm_done, "calm's vCPUs, time-shared with the flooders, did not finish "
				 "while the console was stopped");
	ck_assert_msg(flood_held, "a flooder finished although the console wrote nothing");
	ck_assert_msg(all_done, "not every program finished once the console ran again");
	ck_assert_msg(chat_before_floods, "chat's few lines did not get out before the floods ended");
	ck_assert_msg(flood.wait_loops > 0, "the polling flooder never read UARTFR.TXFF set");
	ck_assert_msg(careless_stalls > 0, "the careless flooder's stores never waited on the bus");
	ck_assert_uint_ge(irqflood.irqs_taken, 40); /* one transmit interrupt a burst, at least */
	ck_assert_uint_eq(irqflood.failures, 0);
	ck_assert_uint_eq(flood.failures, 0);
	ck_assert_uint_eq(careless.failures, 0);
	assert_no_raw_control_bytes(out, n);

	/* Every line of every guest, whole and in order. */
	unsigned nl = lines_with(out, "[flood] ", lines, 64);
	ck_assert_uint_eq(nl, 30);
	for (unsigned i = 0; i < nl; i++)
		ck_assert_str_eq(lines[i], "flood: a polling driver that never stops, 0123456789abcdef");
	nl = lines_with(out, "[careless] ", lines, 64);
	ck_assert_uint_eq(nl, 30);
	for (unsigned i = 0; i < nl; i++)
		ck_assert_str_eq(lines[i], "careless: stores to UARTDR and never reads UARTFR, 0123456");
	nl = lines_with(out, "[irqflood] ", lines, 64);
	ck_assert_uint_eq(nl, 40);
	for (unsigned i = 0; i < nl; i++)
		ck_assert_str_eq(lines[i], "txirq 7");
	nl = lines_with(out, "[chat] ", lines, 64);
	ck_assert_uint_eq(nl, 3);
	for (unsigned i = 0; i < nl; i++)
		ck_assert_str_eq(lines[i], "chat: a few words between the floods");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("hostile-console");
	TCase *tc = tcase_create("forge");

	tcase_add_test(tc, test_forged_host_lines_show_escaped_and_the_real_result_line_is_last);
	suite_add_tcase(s, tc);

	TCase *bytes = tcase_create("bytes");
	tcase_add_checked_fixture(bytes, uart_setup, uart_teardown);
	tcase_add_test(bytes, test_every_byte_value_is_shown_escaped_in_prefixed_lines);
	suite_add_tcase(s, bytes);

	TCase *flood = tcase_create("flood");
	tcase_add_checked_fixture(flood, flood_setup, flood_teardown);
	tcase_set_timeout(flood, 150);
	tcase_add_test(flood, test_floods_are_throttled_by_txff_while_other_vcpus_run_and_lose_nothing);
	suite_add_tcase(s, flood);
	return s;
}
