/* The memory functions the compiler may call and core/mem.h declares (the simulation
 * host takes them from libc), for every bare-metal board. Whole aligned doublewords
 * where both ends allow it, bytes elsewhere: never an unaligned access, which aarch64's
 * -mstrict-align demands while the MMU is off (all memory is Device memory then) and
 * which on riscv64 may trap to OpenSBI, which emulates it slowly. Loading a guest's
 * kernel and zeroing its frames go through here, so the doubleword path is what a Linux
 * guest's start costs: byte loops made Tandem's start take a third of a second of QEMU's
 * virtual time. */
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
