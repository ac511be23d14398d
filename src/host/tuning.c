// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Per-vendor and per-framebuffer kernel arguments, read from the readable
 * table kernel-cmdline/tuning.conf ("when | arguments | why" lines).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

static void cell(const char *s, size_t len, char *out, size_t size)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

int pt_tuning_parse(const char *text, struct pt_tuning *ret, unsigned *ret_line)
{
	struct pt_tuning t = { 0 };
	const char *line = text;
	unsigned no = 0;

	while (*line) {
		const char *e = strchr(line, '\n'), *b1, *b2, *p = line;
		struct pt_tuning_rule rule;

		if (!e)
			e = line + strlen(line);
		no++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p < e && *p != '#') {
			b1 = memchr(p, '|', (size_t)(e - p));
			b2 = b1 ? memchr(b1 + 1, '|', (size_t)(e - b1 - 1)) : NULL;
			if (!b2) {
				pt_tuning_free(&t);
				*ret_line = no;
				return -EINVAL;
			}
			cell(p, (size_t)(b1 - p), rule.when, sizeof(rule.when));
			cell(b1 + 1, (size_t)(b2 - b1 - 1), rule.args, sizeof(rule.args));
			cell(b2 + 1, (size_t)(e - b2 - 1), rule.why, sizeof(rule.why));
			if (strcmp(rule.args, "-") == 0)
				rule.args[0] = '\0';
			if (!rule.when[0]) {
				pt_tuning_free(&t);
				*ret_line = no;
				return -EINVAL;
			}
			struct pt_tuning_rule *v = realloc(t.v, (t.n + 1) * sizeof(*v));

			if (!v) {
				pt_tuning_free(&t);
				return -ENOMEM;
			}
			t.v = v;
			t.v[t.n++] = rule;
		}
		line = *e ? e + 1 : e;
	}
	*ret = t;
	return 0;
}

void pt_tuning_free(struct pt_tuning *t)
{
	free(t->v);
	*t = (struct pt_tuning){ 0 };
}

const struct pt_tuning_rule *pt_tuning_find(const struct pt_tuning *t, const char *when)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (strcmp(t->v[i].when, when) == 0)
			return &t->v[i];
	return NULL;
}
