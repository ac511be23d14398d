// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * data/reset-quirks (/usr/share/ptboot/reset-quirks): what resets a PCI function well enough
 * to give it to a VM again, by ID or ID range, for ptctl check's reset advice.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

static const char *const methods[] = { "flr", "bus", "vendor-reset", "shutdown" };

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "1002" from s: exactly four hex digits; the characters used, 0 when not. */
static size_t hex16(const char *s, uint16_t *ret)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + (unsigned)((c | 0x20) - 'a' + 10);
		else
			return 0;
	}
	*ret = (uint16_t)v;
	return 4;
}

/* One line: VENDOR:DEVICE[-DEVICE] METHOD NOTE */
static int parse_line(const char *l, size_t n, struct pt_reset_quirk *q)
{
	const char *e = l + n, *m;
	size_t k;

	*q = (struct pt_reset_quirk){ 0 };
	if (n < 9 || !hex16(l, &q->vendor) || l[4] != ':' || !hex16(l + 5, &q->first))
		return -EINVAL;
	l += 9;
	q->last = q->first;
	if (*l == '-') {
		if (e - l < 5 || !hex16(l + 1, &q->last) || q->last < q->first)
			return -EINVAL;
		l += 5;
	}
	if (l == e || !blank(*l))
		return -EINVAL;
	while (l < e && blank(*l))
		l++;
	for (m = l; m < e && !blank(*m); m++)
		;
	k = (size_t)(m - l);
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (strlen(methods[i]) == k && memcmp(methods[i], l, k) == 0)
			q->method = (enum pt_reset_method)i;
	if (k == 0 || strlen(methods[q->method]) != k || memcmp(methods[q->method], l, k))
		return -EINVAL;
	while (m < e && blank(*m))
		m++;
	while (e > m && (blank(e[-1]) || e[-1] == '\r'))
		e--;
	if (m == e || (size_t)(e - m) >= sizeof(q->note))
		return -EINVAL;
	memcpy(q->note, m, (size_t)(e - m));
	for (char *p = q->note; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	return 0;
}

int pt_reset_quirks_parse(const char *text, size_t len, struct pt_reset_quirks *ret, unsigned *ret_line)
{
	struct pt_reset_quirks q = { 0 };
	unsigned line = 0;
	size_t i = 0, cap = 0;

	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;

		i += n + 1;
		line++;
		while (n && blank(*l)) {
			l++;
			n--;
		}
		while (n && (blank(l[n - 1]) || l[n - 1] == '\r'))
			n--;
		if (n == 0 || *l == '#')
			continue;
		if (q.n == cap) {
			struct pt_reset_quirk *v = realloc(q.v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!v) {
				pt_reset_quirks_free(&q);
				return -ENOMEM;
			}
			q.v = v;
		}
		if (memchr(l, '\0', n) || parse_line(l, n, &q.v[q.n]) < 0) {
			pt_reset_quirks_free(&q);
			if (ret_line)
				*ret_line = line;
			return -EINVAL;
		}
		q.n++;
	}
	*ret = q;
	return 0;
}

const struct pt_reset_quirk *pt_reset_quirks_find(const struct pt_reset_quirks *q, uint16_t vendor,
						  uint16_t device)
{
	for (size_t i = 0; q && i < q->n; i++)
		if (q->v[i].vendor == vendor && device >= q->v[i].first && device <= q->v[i].last)
			return &q->v[i];
	return NULL;
}

const char *pt_reset_method_name(enum pt_reset_method m)
{
	return (size_t)m < ARRAY_SIZE(methods) ? methods[m] : "?";
}

void pt_reset_quirks_free(struct pt_reset_quirks *q)
{
	free(q->v);
	*q = (struct pt_reset_quirks){ 0 };
}
