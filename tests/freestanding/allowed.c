/* Must compile with core/'s flags: the freestanding headers DESIGN rule 1 allows. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pair {
	int a;
	int c;
};

size_t allowed_probe(int n, ...);
size_t allowed_probe(int n, ...)
{
	va_list ap;
	bool big = n > 1;

	va_start(ap, n);
	va_end(ap);
	return big ? sizeof(uint64_t) : offsetof(struct pair, c);
}
