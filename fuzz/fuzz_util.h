/* Small helpers the fuzz targets share: the one CHECK, and decoding their inputs. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A target that has more to say when a check fails (its model, the operation it was
 * on) defines this; it runs after the failed condition is printed. */
void fuzz_on_failure(void) __attribute__((weak));

__attribute__((noreturn)) static inline void fuzz_check_failed(const char *cond, const char *file,
							       int line)
{
	fprintf(stderr, "%s:%d: %s failed\n", file, line, cond);
	if (fuzz_on_failure)
		fuzz_on_failure();
	abort(); /* libFuzzer reports the crash and saves the input */
}

/* An invariant of the code under test: if it does not hold, the input found a bug. */
#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond))                                             \
			fuzz_check_failed(#cond, __FILE__, __LINE__);    \
	} while (0)

/* n bytes at p as a little-endian number (n <= 8). */
static inline uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* fuzz/census.c, linked only into the coverage build (scripts/fuzz --coverage), counts
 * the dispatch-table entries an input reaches. A target's own invariant checks, which
 * read registers too, run quiet so that they are not counted. */
void census_quiet(bool quiet) __attribute__((weak));

static inline void fuzz_census_quiet(bool quiet)
{
	if (census_quiet)
		census_quiet(quiet);
}

#endif
