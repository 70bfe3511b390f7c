/* The bounded formatter: expected strings are written out by hand from C11 7.21.6.1. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "core/fmt.h"
#include "core/mem.h"
#include "tests/check_main.h"

/* Some cases are deliberately odd (short types through varargs, unknown conversions):
 * the formatter must handle them, so the compiler's format check is off here. */
#pragma GCC diagnostic ignored "-Wformat"
#ifdef __clang__
#pragma clang diagnostic ignored "-Wformat-invalid-specifier"
#else
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif

static char buf[128];

#define EXPECT(want, ...)                                                     \
	do {                                                                  \
		int n_ = fmt_snprintf(buf, sizeof(buf), __VA_ARGS__);         \
		ck_assert_str_eq(buf, want);                                  \
		ck_assert_int_eq(n_, (int)strlen(want));                      \
	} while (0)

START_TEST(test_integers)
{
	EXPECT("0", "%d", 0);
	EXPECT("-42", "%d", -42);
	EXPECT("-2147483648", "%d", INT32_MIN);
	EXPECT("4294967295", "%u", 4294967295u);
	EXPECT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT("18446744073709551615", "%llu", 18446744073709551615ull);
	EXPECT("ff FF", "%x %X", 255u, 255u);
	EXPECT("deadbeefcafe", "%lx", 0xdeadbeefcafeul);
	EXPECT("-1 255", "%hhd %hhu", 255, 255);
	EXPECT("-1 65535", "%hd %hu", 65535, 65535);
	EXPECT("123 -5 7", "%zu %td %jd", (size_t)123, (ptrdiff_t)-5, (intmax_t)7);
	EXPECT("12 12", "%i %d", 12, 12);
}
END_TEST

START_TEST(test_width_precision_and_flags)
{
	EXPECT("   42", "%5d", 42);
	EXPECT("42   |", "%-5d|", 42);
	EXPECT("00042", "%05d", 42);
	EXPECT("-0042", "%05d", -42);
	EXPECT("+42 -42", "%+d %+d", 42, -42);
	EXPECT(" 42", "% d", 42);
	EXPECT("+42", "% +d", 42);
	EXPECT("  007", "%5.3d", 7);
	EXPECT("  007", "%05.3d", 7); /* a precision turns the 0 flag off */
	EXPECT("", "%.0d", 0);
	EXPECT("    ", "%4.0x", 0u);
	EXPECT("0000beef", "%08x", 0xbeefu);
	EXPECT("   ab", "%*x", 5, 0xabu);
	EXPECT("ab   |", "%*x|", -5, 0xabu); /* negative width: left-justify */
	EXPECT("00012", "%.*d", 5, 12);
	EXPECT("12", "%.*d", -3, 12); /* negative precision: as if none */
}
END_TEST

START_TEST(test_strings_chars_pointers_and_percent)
{
	EXPECT("hello", "%s", "hello");
	EXPECT("  hi", "%4s", "hi");
	EXPECT("hi  |", "%-4s|", "hi");
	EXPECT("hel", "%.3s", "hello");
	EXPECT("(null)", "%s", (char *)NULL);
	EXPECT("x", "%c", 'x');
	EXPECT("  x", "%3c", 'x');
	EXPECT("0x1000", "%p", (void *)0x1000);
	EXPECT("100%", "%d%%", 100);
	EXPECT("a%qb", "a%qb");    /* unknown conversion: copied as written */
	EXPECT("end%", "end%");    /* dangling % */
}
END_TEST

START_TEST(test_truncation_is_bounded_and_terminated)
{
	char small[8];

	memset(small, 'Z', sizeof(small));
	ck_assert_int_eq(fmt_snprintf(small, 6, "%s-%d", "abcdef", 12345), 12);
	ck_assert_str_eq(small, "abcde");
	ck_assert_int_eq(small[6], 'Z'); /* nothing past the bound */
	ck_assert_int_eq(fmt_snprintf(NULL, 0, "%d", 123456), 6);
	small[0] = 'Q';
	ck_assert_int_eq(fmt_snprintf(small, 0, "abc"), 3);
	ck_assert_int_eq(small[0], 'Q');
	ck_assert_int_eq(fmt_snprintf(small, 1, "abc"), 3);
	ck_assert_int_eq(small[0], '\0');
}
END_TEST

START_TEST(test_string_helpers)
{
	ck_assert_uint_eq(td_strnlen("abc", 10), 3);
	ck_assert_uint_eq(td_strnlen("abcdef", 4), 4);
	ck_assert_int_eq(td_strcmp("abc", "abc"), 0);
	ck_assert_int_lt(td_strcmp("abc", "abd"), 0);
	ck_assert_int_gt(td_strcmp("abc", "ab"), 0);
	ck_assert_int_eq(td_strncmp("abcX", "abcY", 3), 0);
	ck_assert_int_gt(td_strncmp("\xff", "a", 1), 0); /* compares as unsigned char */
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("fmt");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_width_precision_and_flags);
	tcase_add_test(tc, test_strings_chars_pointers_and_percent);
	tcase_add_test(tc, test_truncation_is_bounded_and_terminated);
	tcase_add_test(tc, test_string_helpers);
	suite_add_tcase(s, tc);
	return s;
}
