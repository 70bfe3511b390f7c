/* The helpers gcc 12 calls out of line for this RV64 image, which links no libgcc
 * (scripts/riscv64-baremetal.ini: Debian's is built for lp64d, the image is lp64). The
 * memory functions are every board's (hal-baremetal/common/lib.c). */
#include <stdbool.h>
#include <stdint.h>

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
