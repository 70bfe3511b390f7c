/* A bounded printf-style formatter for a hypervisor that has no libc. */
#ifndef CORE_FMT_H
#define CORE_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Format into buf (size bytes, always NUL-terminated when size > 0) and return the
 * length the whole output would have, as C's vsnprintf does; the output is the same
 * as C's for what is supported: flags "-0+ ", width and precision (numbers or *),
 * length hh h l ll z j t, conversions d i u x X c s p %. %p prints 0x and lower-case
 * hex, and a NULL %s prints "(null)". An unsupported conversion is copied as is. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The value of one hexadecimal digit (either case), or -1 if c is none: the one
 * reader of hex text (gdb packets, boot arguments). */
static inline int fmt_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
