/* The four memory functions a C compiler may emit calls to, under their standard
 * names, for every layer: the simulation host links the host C library's (so ASan
 * checks every call), the bare-metal HAL supplies its own. Part of the HAL contract:
 * whatever runs Tandem provides them. */
#ifndef HAL_MEM_H
#define HAL_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
