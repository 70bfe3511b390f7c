/* Memory and string functions for core/ and arch/. The four the compiler may emit
 * calls to keep their standard names: the simulation host links the host libc's (so
 * ASan checks every call) and the bare-metal image supplies its own. Everything else
 * is Tandem's own and carries the td_ prefix. */
#ifndef CORE_MEM_H
#define CORE_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t td_strnlen(const char *s, size_t max);
int td_strcmp(const char *a, const char *b);
int td_strncmp(const char *a, const char *b, size_t n);

#endif
