/* Log lines and panic, observed from outside: the code under test runs in a child
 * process whose stdout is a file the parent reads back. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

static char out[4096];

/* Run fn in a child with stdout captured into out; returns the wait status. */
static int run_captured(void (*fn)(void))
{
	int fd = test_scratch_fd();

	fflush(stdout);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		fn();
		fflush(stdout);
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	test_read_fd(fd, out, sizeof(out));
	close(fd);
	return status;
}

enum { PANIC_LINE = __LINE__ + 3 };
static void do_panic(void)
{
	panic("frame %d lost", 7);
}

START_TEST(test_panic_names_file_and_line_and_stops)
{
	int status = run_captured(do_panic);
	char want[128];

	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGABRT);
	snprintf(want, sizeof(want), "[cpu0] PANIC at %s:%d: frame 7 lost\n", __FILE__, PANIC_LINE);
	ck_assert_str_eq(out, want);
}
END_TEST

static void do_assert(void)
{
	int frames = 3;
	TD_ASSERT(frames == 0);
}

START_TEST(test_failed_assert_panics_with_the_condition)
{
	int status = run_captured(do_assert);

	ck_assert(WIFSIGNALED(status));
	ck_assert_ptr_nonnull(strstr(out, "assertion failed: frames == 0"));
	ck_assert_ptr_nonnull(strstr(out, __FILE__ ":"));
}
END_TEST

static void do_levels(void)
{
	log_set_level(LOG_WARN);
	log_info("hidden %d", 1);
	log_warn("shown %d", 2);
	log_err("shown %d", 3);
	log_set_level(LOG_DEBUG);
	log_debug("detail");
}

START_TEST(test_levels_filter_and_tag_lines)
{
	ck_assert_int_eq(run_captured(do_levels), 0);
	ck_assert_str_eq(out, "[cpu0] warn: shown 2\n[cpu0] error: shown 3\n[cpu0] debug: detail\n");
}
END_TEST

static void do_long_line(void)
{
	char big[1000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
}

START_TEST(test_long_line_is_cut_visibly_within_the_bound)
{
	ck_assert_int_eq(run_captured(do_long_line), 0);
	size_t len = strlen(out);
	ck_assert_uint_eq(len, LOG_LINE_MAX - 1);
	ck_assert_str_eq(out + len - 4, "...\n");
	ck_assert_int_eq(strncmp(out, "[cpu0] aaaa", 11), 0);
}
END_TEST

#ifdef TEST_UBSAN_FATAL
static volatile int big = 2147483647;
static void do_overflow(void)
{
	volatile int r = big + 1; /* signed overflow: UBSan must stop here */
	(void)r;
}

START_TEST(test_ubsan_report_is_fatal)
{
	int status = run_captured(do_overflow);

	ck_assert(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
}
END_TEST
#endif

Suite *test_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_panic_names_file_and_line_and_stops);
	tcase_add_test(tc, test_failed_assert_panics_with_the_condition);
	tcase_add_test(tc, test_levels_filter_and_tag_lines);
	tcase_add_test(tc, test_long_line_is_cut_visibly_within_the_bound);
#ifdef TEST_UBSAN_FATAL
	tcase_add_test(tc, test_ubsan_report_is_fatal);
#endif
	suite_add_tcase(s, tc);
	return s;
}
