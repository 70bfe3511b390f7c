/* The memory functions the compiler may call and core/mem.h declares (the simulation
 * host takes them from libc). Whole aligned doublewords where both ends allow it, bytes
 * elsewhere: a misaligned access may trap to OpenSBI, which emulates it slowly (the
 * privileged spec lets a hart leave misaligned accesses to M-mode software). The same
 * code as the aarch64 HAL's lib.c. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/mem.h"

/* A doubleword that may alias whatever the caller's bytes are. */
typedef uint64_t __attribute__((may_alias)) word;

static int aligned8(const void *p)
{
	return ((uintptr_t)p & 7) == 0;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (aligned8(d) && aligned8(s)) {
		word *dw = (word *)(void *)d;
		const word *sw = (const word *)(const void *)s;
		for (; n >= 32; n -= 32, dw += 4, sw += 4) {
			uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
			dw[0] = a;
			dw[1] = b;
			dw[2] = c;
			dw[3] = e;
		}
		for (; n >= 8; n -= 8)
			*dw++ = *sw++;
		d = (uint8_t *)dw;
		s = (const uint8_t *)sw;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d < s || d >= s + n)
		return memcpy(dst, src, n); /* forward copying is safe */
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n && !aligned8(d)) {
		*d++ = (uint8_t)c;
		n--;
	}
	uint64_t w = (uint8_t)c * 0x0101010101010101ull;
	word *dw = (word *)(void *)d;
	for (; n >= 32; n -= 32, dw += 4) {
		dw[0] = w;
		dw[1] = w;
		dw[2] = w;
		dw[3] = w;
	}
	for (; n >= 8; n -= 8)
		*dw++ = w;
	d = (uint8_t *)dw;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* The byte compare-and-swap gcc 12 calls out of line for RV64 (it has no -minline-atomics,
 * and the A extension's LR/SC and AMOs work on words): a word CAS on the aligned word
 * that holds the byte, retried while only the other three bytes changed. Its memory
 * orders are the word CAS's, the strongest the callers use (core/frame.c). */
bool __atomic_compare_exchange_1(volatile void *ptr, void *expected, uint8_t desired, bool weak,
				 int success, int failure);

bool __atomic_compare_exchange_1(volatile void *ptr, void *expected, uint8_t desired, bool weak,
				 int success, int failure)
{
	volatile uint32_t *w = (volatile uint32_t *)((uintptr_t)ptr & ~(uintptr_t)3);
	unsigned shift = (unsigned)((uintptr_t)ptr & 3) * 8; /* little-endian */
	uint32_t mask = 0xFFu << shift;
	uint8_t want = *(uint8_t *)expected;

	(void)weak;
	(void)success;
	(void)failure;
	for (;;) {
		uint32_t old = __atomic_load_n(w, __ATOMIC_RELAXED);
		uint8_t cur = (uint8_t)((old & mask) >> shift);
		if (cur != want) {
			*(uint8_t *)expected = cur;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			return false;
		}
		uint32_t new = (old & ~mask) | (uint32_t)desired << shift;
		if (__atomic_compare_exchange_n(w, &old, new, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	}
}

/* Count leading / trailing zeros of a non-zero 64-bit word (what __builtin_clzll and
 * __builtin_ctzll compile to without Zbb). Debian's libgcc is built for lp64d, which the
 * linker refuses to mix with this soft-float lp64 image, so the image links no libgcc
 * and these two are the only helpers it needed. Binary search: 6 steps. */
int __clzdi2(uint64_t x);
int __ctzdi2(uint64_t x);

int __clzdi2(uint64_t x)
{
	int n = 0;

	for (unsigned s = 32; s; s >>= 1) {
		if (!(x >> (64 - s))) {
			n += (int)s;
			x <<= s;
		}
	}
	return n;
}

int __ctzdi2(uint64_t x)
{
	int n = 0;

	for (unsigned s = 32; s; s >>= 1) {
		if (!(x << (64 - s))) {
			n += (int)s;
			x >>= s;
		}
	}
	return n;
}
