/* Scalar types shared by every layer: host-physical addresses and page geometry.
 * Host-virtual addresses are plain pointers, so the two cannot be confused. */
#ifndef HAL_TYPES_H
#define HAL_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t; /* host-physical address */

#define PAGE_SHIFT 12u
#define PAGE_SIZE ((size_t)1 << PAGE_SHIFT)
#define PAGE_MASK ((uint64_t)PAGE_SIZE - 1)

#define PADDR_INVALID ((paddr_t)~0ull)

#endif
