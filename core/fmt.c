/* The formatter behind every log line and panic. It never writes past the buffer and
 * never reads an argument the format does not name; fuzz/fmt compares it with the
 * host's vsnprintf. */
#include <stdbool.h>
#include <stdint.h>

#include "core/fmt.h"

struct out {
	char *buf;
	size_t size;
	size_t pos;
};

struct spec {
	bool left, zero, plus, space;
	int width;
	int prec; /* -1: none */
	char len; /* 'H' hh, 'h', 'l', 'L' ll, 'z', 'j', 't', 0 */
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

/* Print magnitude v with an optional sign/prefix, honouring width and precision. */
static void put_num(struct out *o, const struct spec *sp, uint64_t v, unsigned base,
		    bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0, np = 0;

	while (prefix[np])
		np++;
	if (!(v == 0 && sp->prec == 0)) {
		do {
			tmp[nd++] = digits[v % base];
			v /= base;
		} while (v);
	}
	int zeros = sp->prec > nd ? sp->prec - nd : 0;
	int body = np + zeros + nd;
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > body) {
		zeros += sp->width - body;
		body = sp->width;
	}
	if (!sp->left)
		pad(o, ' ', sp->width - body);
	for (int i = 0; i < np; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (nd)
		put(o, tmp[--nd]);
	if (sp->left)
		pad(o, ' ', sp->width - body);
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (int64_t)va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, intmax_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 'j': return va_arg(*ap, uintmax_t);
	case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

static const char *parse_flags(const char *f, struct spec *sp)
{
	for (;; f++) {
		switch (*f) {
		case '-': sp->left = true; break;
		case '0': sp->zero = true; break;
		case '+': sp->plus = true; break;
		case ' ': sp->space = true; break;
		default: return f;
		}
	}
}

static const char *parse_int(const char *f, int *v)
{
	int n = 0;

	while (*f >= '0' && *f <= '9') {
		if (n < 100000000)
			n = n * 10 + (*f - '0');
		f++;
	}
	*v = n;
	return f;
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	f = parse_flags(f, sp);
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = sp->width == INT32_MIN ? 0 : -sp->width;
		}
		f++;
	} else {
		f = parse_int(f, &sp->width);
	}
	if (*f == '.') {
		f++;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else {
			f = parse_int(f, &sp->prec);
		}
	}
	if (f[0] == 'h' || f[0] == 'l') {
		bool twice = f[1] == f[0];
		sp->len = twice ? (f[0] == 'h' ? 'H' : 'L') : f[0];
		f += twice ? 2 : 1;
	} else if (*f == 'z' || *f == 'j' || *f == 't') {
		sp->len = *f++;
	}
	return f;
}

/* One conversion; returns false if c is not one the formatter knows. */
static bool convert(struct out *o, struct spec *sp, char c, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(sp, ap);
		const char *sign = v < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "";
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		put_num(o, sp, mag, 10, false, sign);
		return true;
	}
	case 'u': put_num(o, sp, arg_unsigned(sp, ap), 10, false, ""); return true;
	case 'x': put_num(o, sp, arg_unsigned(sp, ap), 16, false, ""); return true;
	case 'X': put_num(o, sp, arg_unsigned(sp, ap), 16, true, ""); return true;
	case 'p':
		sp->zero = false;
		put_num(o, sp, (uintptr_t)va_arg(*ap, void *), 16, false, "0x");
		return true;
	case 's': put_str(o, sp, va_arg(*ap, const char *)); return true;
	case 'c': {
		char ch[2] = { (char)va_arg(*ap, int), 0 };
		sp->prec = -1;
		if (!sp->left)
			pad(o, ' ', sp->width - 1);
		put(o, ch[0]);
		if (sp->left)
			pad(o, ' ', sp->width - 1);
		return true;
	}
	case '%': put(o, '%'); return true;
	default: return false;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		const char *start = fmt++;
		struct spec sp;
		fmt = parse_spec(fmt, &sp, &args);
		if (*fmt && convert(&o, &sp, *fmt, &args)) {
			fmt++;
			continue;
		}
		while (start < fmt)
			put(&o, *start++);
	}
	va_end(args);
	if (o.size)
		o.buf[o.pos < o.size ? o.pos : o.size - 1] = '\0';
	return o.pos > INT32_MAX ? INT32_MAX : (int)o.pos;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
