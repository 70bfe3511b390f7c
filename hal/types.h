/* Scalar types shared by every layer: the address kinds (hal/addr.h) and page
 * geometry. */
#ifndef HAL_TYPES_H
#define HAL_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "hal/addr.h"

#define PAGE_SHIFT 12u
#define PAGE_SIZE ((size_t)1 << PAGE_SHIFT)
#define PAGE_MASK ((uint64_t)PAGE_SIZE - 1)

#endif
