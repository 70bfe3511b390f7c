/* Exact a * num / den for converting between a counter's ticks and nanoseconds, where
 * a is a 64-bit count and num, den are a frequency in Hz and MULDIV_NS_PER_S. The
 * product can need 96 bits, so it is split: a = q * den + r, and
 * a * num / den = q * num + r * num / den, where r * num < den * num < 2^64. Results
 * that do not fit saturate at UINT64_MAX instead of wrapping (a deadline too far to
 * represent is "never", never "soon"). Pure arithmetic: usable by core/ and both HALs. */
#ifndef HAL_MULDIV_H
#define HAL_MULDIV_H

#include <stdbool.h>
#include <stdint.h>

#define MULDIV_NS_PER_S 1000000000u

/* floor (up = false) or ceil (up = true) of a * num / den, saturating; den != 0. A
 * generic-timer frequency fits num and den: CNTFRQ_EL0's ClockFreq is bits [31:0]. */
static inline uint64_t muldiv(uint64_t a, uint32_t num, uint32_t den, bool up)
{
	uint64_t q = a / den, part = (a % den) * num, whole;

	if (__builtin_mul_overflow(q, (uint64_t)num, &whole))
		return UINT64_MAX;
	uint64_t frac = part / den + (up && part % den ? 1 : 0);
	uint64_t sum;
	if (__builtin_add_overflow(whole, frac, &sum))
		return UINT64_MAX;
	return sum;
}

static inline uint64_t muldiv_floor(uint64_t a, uint32_t num, uint32_t den)
{
	return muldiv(a, num, den, false);
}

static inline uint64_t muldiv_ceil(uint64_t a, uint32_t num, uint32_t den)
{
	return muldiv(a, num, den, true);
}

/* a + b, or UINT64_MAX if that does not fit. */
static inline uint64_t add_sat(uint64_t a, uint64_t b)
{
	uint64_t sum;
	return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

#endif
