/* fuzz/fmt: the formatter against the host's vsnprintf, one conversion at a time.
 *
 * Input: a sequence of 15-byte records, each one conversion:
 *   [0] flags: bit0 '-', bit1 '0', bit2 '+', bit3 ' '
 *   [1] width: 0-40 literal, 41-254 -> (n % 41) literal, 255 -> '*' with width from [2]
 *       as a signed byte
 *   [3] precision: 255 none, 254 '*' with precision from [2] as a signed byte,
 *       otherwise n % 41
 *   [4] conversion: n % 9 of d i u x X c s p %
 *   [5] length: n % 8 of none hh h l ll z j t (integer conversions only)
 *   [6..13] the argument, little-endian (a %s takes its text from the bytes after the
 *       record, up to 24 of them, cut at the first NUL)
 *   [14] the output buffer size (n % 128).
 * A short trailing record is ignored. Combinations C leaves undefined (a length on %c,
 * '0' with %s, a precision on %p, ...) are dropped from the format before both run.
 * Any difference in output or return value aborts. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fmt.h"

static const char convs[] = "diuxXcsp%";
static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };

static void compare(size_t size, const char *fmt, ...)
{
	char mine[128], theirs[128];
	va_list a, b;

	memset(mine, 0x5A, sizeof(mine));
	memset(theirs, 0x5A, sizeof(theirs));
	va_start(a, fmt);
	va_copy(b, a);
	int n1 = fmt_vsnprintf(mine, size, fmt, a);
	int n2 = vsnprintf(theirs, size, fmt, b);
	va_end(b);
	va_end(a);
	if (n1 != n2 || memcmp(mine, theirs, sizeof(mine)) != 0) {
		fprintf(stderr, "fmt mismatch for \"%s\" size %zu: %d \"%.*s\" vs %d \"%.*s\"\n", fmt,
			size, n1, (int)(size ? size : 1), mine, n2, (int)(size ? size : 1), theirs);
		abort();
	}
}

static void build_format(char *f, const uint8_t *r, char conv, const char *len, int *star_w,
			 int *star_p)
{
	bool num = strchr("diuxX", conv) != NULL;
	int flags = r[0];

	*f++ = '%';
	if (conv != '%') {
		if (flags & 1)
			*f++ = '-';
		if ((flags & 2) && num)
			*f++ = '0';
		if ((flags & 4) && (num || conv == 'c' || conv == 's') && conv != 'p')
			*f++ = '+';
		if ((flags & 8) && (num || conv == 'c' || conv == 's') && conv != 'p')
			*f++ = ' ';
		if (r[1] == 255) {
			*f++ = '*';
			*star_w = (int8_t)r[2];
		} else if (r[1] % 41) {
			f += sprintf(f, "%d", r[1] % 41);
		}
		if (r[3] != 255 && conv != 'p' && conv != 'c') {
			if (r[3] == 254) {
				*f++ = '.';
				*f++ = '*';
				*star_p = (int8_t)r[2];
			} else {
				f += sprintf(f, ".%d", r[3] % 41);
			}
		}
		if (num)
			f += sprintf(f, "%s", len);
	}
	*f++ = conv;
	*f = '\0';
}

/* Calls compare with the argument list the format asks for. */
static void run_one(size_t size, const char *f, char conv, int len, int *star, int nstar,
		    uint64_t v, const char *s)
{
#define CALL(arg)                                                                    \
	do {                                                                         \
		if (nstar == 2)                                                      \
			compare(size, f, star[0], star[1], arg);                     \
		else if (nstar == 1)                                                 \
			compare(size, f, star[0], arg);                              \
		else                                                                 \
			compare(size, f, arg);                                       \
	} while (0)
	bool is_signed = conv == 'd' || conv == 'i';

	switch (conv) {
	case 'c': CALL((int)(uint8_t)(v | 1)); return;
	case 's': CALL(s); return;
	case 'p': CALL((void *)(uintptr_t)(v | 1)); return;
	case '%': compare(size, f); return;
	}
	switch (len) {
	case 3: if (is_signed) CALL((long)v); else CALL((unsigned long)v); return;
	case 4: if (is_signed) CALL((long long)v); else CALL((unsigned long long)v); return;
	case 5: if (is_signed) CALL((ptrdiff_t)v); else CALL((size_t)v); return;
	case 6: if (is_signed) CALL((intmax_t)v); else CALL((uintmax_t)v); return;
	case 7: if (is_signed) CALL((ptrdiff_t)v); else CALL((size_t)v); return;
	default: if (is_signed) CALL((int)v); else CALL((unsigned)v); return;
	}
#undef CALL
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	while (size >= 15) {
		const uint8_t *r = data;
		char conv = convs[r[4] % 9];
		int len = r[5] % 8;
		uint64_t v;
		char f[64], s[25];
		int star[2], nstar = 0, sw = INT32_MIN, sp = INT32_MIN;

		memcpy(&v, r + 6, 8);
		size_t slen = 0;
		while (slen < 24 && slen + 15 < size && data[15 + slen])
			slen++;
		memcpy(s, data + 15, slen);
		s[slen] = '\0';
		build_format(f, r, conv, lens[len], &sw, &sp);
		if (sw != INT32_MIN)
			star[nstar++] = sw;
		if (sp != INT32_MIN)
			star[nstar++] = sp;
		run_one(r[14] % 128, f, conv, len, star, nstar, v, s);
		data += 15;
		size -= 15;
	}
	return 0;
}
