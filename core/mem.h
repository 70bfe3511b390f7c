/* Memory and string functions for core/ and arch/: the four the compiler may emit
 * calls to, as the HAL provides them (hal/mem.h), and Tandem's own string functions,
 * which carry the td_ prefix. */
#ifndef CORE_MEM_H
#define CORE_MEM_H

#include <stddef.h>

#include "hal/mem.h"

size_t td_strnlen(const char *s, size_t max);
int td_strcmp(const char *a, const char *b);
int td_strncmp(const char *a, const char *b, size_t n);

#endif
