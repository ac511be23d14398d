// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A small snprintf for the integer and string conversions ptboot uses.
 * pt-early is static: libc's printf brings floating point, wide characters
 * and locale code (11 KiB of a 48 KiB budget) that an early-boot binder
 * never needs. Semantics are C99's for what it supports: %d %i %u %x %X %s
 * %c %%, flags '0' and '-', width and precision (numbers or *), length
 * modifiers l, ll and z. Anything else is copied through verbatim.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "ptboot.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put_c(o, c);
}

/* One loop over the format with one switch per conversion, as printf itself is written: its
 * state (flags, width, precision, length) lives across the cases, so it stays one function. */
int pt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (const char *p = fmt; *p; p++) {
		int width = 0, prec = -1, lng = 0, left = 0, zero = 0;
		char tmp[24], *t;
		uintmax_t u;
		int neg = 0, n;

		if (*p != '%') {
			put_c(&o, *p);
			continue;
		}
		const char *start = p++;

		for (;; p++) {
			if (*p == '-')
				left = 1;
			else if (*p == '0')
				zero = 1;
			else
				break;
		}
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					prec = prec * 10 + (*p++ - '0');
			}
		}
		while (*p == 'l' || *p == 'z') {
			lng += *p == 'z' ? 2 : 1;
			p++;
		}
		switch (*p) {
		case '%': put_c(&o, '%'); continue;
		case 'c':
			put_pad(&o, ' ', left ? 0 : width - 1);
			put_c(&o, (char)va_arg(ap, int));
			put_pad(&o, ' ', left ? width - 1 : 0);
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;

			if (!s)
				s = "(null)";
			while ((prec < 0 || len < prec) && s[len]) /* C99: no NUL needed within prec */
				len++;
			put_pad(&o, ' ', left ? 0 : width - len);
			for (int i = 0; i < len; i++)
				put_c(&o, s[i]);
			put_pad(&o, ' ', left ? width - len : 0);
			continue;
		}
		case 'd':
		case 'i': {
			intmax_t v = lng >= 2 ? (intmax_t)va_arg(ap, long long)
				     : lng    ? (intmax_t)va_arg(ap, long)
					      : (intmax_t)va_arg(ap, int);

			neg = v < 0;
			u = neg ? -(uintmax_t)v : (uintmax_t)v;
			n = 10;
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			u = lng >= 2 ? (uintmax_t)va_arg(ap, unsigned long long)
			    : lng    ? (uintmax_t)va_arg(ap, unsigned long)
				     : (uintmax_t)va_arg(ap, unsigned);
			n = *p == 'u' ? 10 : 16;
			break;
		default: /* unsupported: copy the directive through */
			for (const char *q = start; q <= p && *q; q++)
				put_c(&o, *q);
			if (!*p)
				p--;
			continue;
		}
		t = tmp + sizeof(tmp);
		do {
			unsigned d = (unsigned)(u % (unsigned)n);

			*--t = (char)(d < 10 ? '0' + d : (*p == 'X' ? 'A' : 'a') + d - 10);
			u /= (unsigned)n;
		} while (u);
		{
			int len = (int)(tmp + sizeof(tmp) - t) + neg;

			if (!left && !zero)
				put_pad(&o, ' ', width - len);
			if (neg)
				put_c(&o, '-');
			if (!left && zero)
				put_pad(&o, '0', width - len);
			while (t < tmp + sizeof(tmp))
				put_c(&o, *t++);
			if (left)
				put_pad(&o, ' ', width - len);
		}
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return o.len > INT32_MAX ? -1 : (int)o.len;
}

int pt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = pt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
