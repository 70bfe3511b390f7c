/* Tandem's own string helpers (see core/mem.h for why they are prefixed). */
#include "core/mem.h"

size_t td_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int td_strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[i];
		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (!ca)
			return 0;
	}
	return 0;
}

int td_strcmp(const char *a, const char *b)
{
	return td_strncmp(a, b, (size_t)-1);
}
