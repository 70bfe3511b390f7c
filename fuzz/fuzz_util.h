/* Small helpers the fuzz targets share for decoding their inputs. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdbool.h>
#include <stdint.h>

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
