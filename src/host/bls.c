// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Boot Loader Specification Type #1 entries (loader/entries/NAME.conf), as read by systemd-boot
 * and Fedora's GRUB (blscfg): parse one, and derive ptboot's host+passthrough entry from a
 * kernel's own entry without changing anything but the title and the options.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

void pt_bls_free(struct pt_bls *e)
{
	free(e->v);
	free(e->mem);
	*e = (struct pt_bls){ 0 };
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int pt_bls_parse(const char *text, size_t len, struct pt_bls *ret)
{
	struct pt_bls e = { 0 };
	size_t lines = 1;
	char *p;

	if (len > PT_BLS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		/* text only: a NUL or other control byte means this is not an entry */
		if (c == '\n')
			lines++;
		else if (c < 0x20 && c != '\t' && c != '\r')
			return -EINVAL;
	}
	e.mem = malloc(len + 1);
	e.v = calloc(lines, sizeof(*e.v));
	if (!e.mem || !e.v) {
		pt_bls_free(&e);
		return -ENOMEM;
	}
	memcpy(e.mem, text, len);
	e.mem[len] = '\0';
	e.ours = strncmp(e.mem, PT_ENTRY_MARKER, strlen(PT_ENTRY_MARKER)) == 0;
	p = e.mem;
	while (*p || p == e.mem) {
		char *nl = strchr(p, '\n'), *end, *k;

		if (nl)
			*nl = '\0';
		end = p + strlen(p);
		while (end > p && (end[-1] == '\r' || is_blank(end[-1])))
			*--end = '\0';
		k = p;
		while (is_blank(*k))
			k++;
		if (*k == '\0' || *k == '#') {
			if (nl || *p)
				e.v[e.n++] = (struct pt_bls_line){ NULL, p };
		} else {
			char *v = k;

			while (*v && !is_blank(*v))
				v++;
			if (*v)
				*v++ = '\0';
			while (is_blank(*v))
				v++;
			e.v[e.n++] = (struct pt_bls_line){ k, v };
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	*ret = e;
	return 0;
}

const char *pt_bls_get(const struct pt_bls *e, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].key && strcmp(e->v[i].key, key) == 0)
			v = e->v[i].value;
	return v;
}

int pt_bls_kver(const struct pt_bls *e, char *buf, size_t size)
{
	const char *v = pt_bls_get(e, "version"), *l = pt_bls_get(e, "linux"), *b;
	size_t n;

	if (v && *v && !strchr(v, ' ')) {
		pt_snprintf(buf, size, "%s", v);
		return 1;
	}
	if (!l)
		return 0;
	b = strrchr(l, '/');
	b = b ? b + 1 : l;
	if (strncmp(b, "vmlinuz-", 8) == 0 && b[8]) {
		pt_snprintf(buf, size, "%s", b + 8);
		return 1;
	}
	/* systemd's layout: /ENTRY-TOKEN/KVER/linux */
	if (strcmp(b, "linux") == 0 && b > l + 1) {
		const char *e2 = b - 1, *s = e2;

		while (s > l && s[-1] != '/')
			s--;
		n = (size_t)(e2 - s);
		if (n && n < size) {
			memcpy(buf, s, n);
			buf[n] = '\0';
			return 1;
		}
	}
	return 0;
}

/* The length of the word at s: up to a blank outside double quotes (the kernel's rule). */
static size_t word_len(const char *s)
{
	bool quoted = false;
	size_t k = 0;

	for (; s[k] && (quoted || !is_blank(s[k])); k++)
		if (s[k] == '"')
			quoted = !quoted;
	return k;
}

/* Where init's arguments start in s: at its "--" word (the kernel stops there), else its end. */
static size_t kernel_len(const char *s)
{
	size_t i = 0;

	while (s[i]) {
		size_t k;

		while (is_blank(s[i]))
			i++;
		k = word_len(s + i);
		if (k == 2 && s[i] == '-' && s[i + 1] == '-')
			return i;
		i += k;
	}
	return i;
}

/* Is the word [t, t+n) one of the words of [s, s+len)? */
static bool has_token(const char *s, size_t len, const char *t, size_t n)
{
	size_t i = 0;

	while (i < len) {
		size_t k;

		while (i < len && is_blank(s[i]))
			i++;
		k = word_len(s + i);
		if (k == n && memcmp(s + i, t, n) == 0)
			return true;
		i += k;
	}
	return false;
}

int pt_args_merge(const char *options, const char *args, struct pt_buf *out)
{
	size_t klen = kernel_len(options), end = klen;
	struct pt_buf kpart = { 0 }, kept = { 0 }; /* the kernel's part, without leftovers */
	const char *a = args, *k0;
	int r;

	/* ours go to the kernel: before a "--", whose words are init's */
	while (end && is_blank(options[end - 1]))
		end--;
	pt_buf_printf(&kpart, "%.*s", (int)end, options);
	r = kpart.err ? kpart.err : pt_kargs_strip(kpart.data ? kpart.data : "", args, &kept, NULL);
	pt_buf_free(&kpart);
	if (r < 0) {
		pt_buf_free(&kept);
		return r;
	}
	k0 = kept.data ? kept.data : "";
	pt_buf_puts(out, k0);
	while (*a) {
		size_t k;

		while (is_blank(*a))
			a++;
		k = word_len(a);
		if (k && !has_token(k0, strlen(k0), a, k))
			pt_buf_printf(out, "%s%.*s", out->len ? " " : "", (int)k, a);
		a += k;
	}
	if (options[klen])
		pt_buf_printf(out, "%s%s", out->len ? " " : "", options + klen);
	pt_buf_free(&kept);
	if (!out->data)
		pt_buf_puts(out, "");
	return out->err;
}

int pt_bls_derive(const struct pt_bls *orig, const char *src, const char *title, const char *args,
		  const char *fallback_options, struct pt_buf *out)
{
	bool done_title = false, done_opts = false;
	char kver[64] = "";
	int last_opts = -1;

	if ((!pt_bls_get(orig, "linux") && !pt_bls_get(orig, "efi")) || orig->ours)
		return -EINVAL;
	pt_bls_kver(orig, kver, sizeof(kver));
	for (size_t i = 0; i < orig->n; i++)
		if (orig->v[i].key && strcmp(orig->v[i].key, "options") == 0)
			last_opts = (int)i;
	pt_buf_printf(out, "%s host+passthrough entry for %s, made by \"ptctl entry add\" from %s,\n",
		      PT_ENTRY_MARKER, kver[0] ? kver : "this kernel", src);
	pt_buf_puts(out, "# which it never changes; \"ptctl entry remove\" deletes this file.\n");
	for (size_t i = 0; i < orig->n; i++) {
		const struct pt_bls_line *l = &orig->v[i];

		if (!l->key)
			continue; /* the original's comments describe the original */
		if (strcmp(l->key, "title") == 0) {
			if (!done_title)
				pt_buf_printf(out, "title %s (%s)\n", l->value, title);
			done_title = true;
		} else if (strcmp(l->key, "options") == 0) {
			/* several options lines are concatenated; ours go after the last one */
			if ((int)i == last_opts) {
				struct pt_buf m = { 0 };

				pt_args_merge(l->value, args, &m);
				if (m.err)
					return m.err;
				pt_buf_printf(out, "options %s\n", m.data);
				pt_buf_free(&m);
				done_opts = true;
			} else {
				pt_buf_printf(out, "options %s\n", l->value);
			}
		} else {
			pt_buf_printf(out, "%s %s\n", l->key, l->value);
		}
	}
	if (!done_title && kver[0]) {
		pt_buf_printf(out, "title %s (%s)\n", kver, title);
	} else if (!done_title) {
		const char *dot = strrchr(src, '.'); /* the file's name without .conf or .efi */

		pt_buf_printf(out, "title %.*s (%s)\n", dot ? (int)(dot - src) : (int)strlen(src), src,
			      title);
	}
	if (!done_opts) {
		struct pt_buf m = { 0 };

		pt_args_merge(fallback_options ? fallback_options : "", args, &m);
		if (m.err)
			return m.err;
		pt_buf_printf(out, "options %s\n", m.data);
		pt_buf_free(&m);
	}
	return out->err;
}

int pt_extra_args_check(const char *args, char *bad, size_t size)
{
	const char *s = args;

	while (*s) {
		const char *w, *why = NULL, *key;
		size_t k, klen;
		bool quoted = false;

		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		w = s;
		k = word_len(w);
		s += k;
		for (size_t i = 0; i < k; i++)
			quoted ^= w[i] == '"';
		key = w + (w[0] == '"');
		klen = strcspn(key, "= \t\"");
		if (klen > (size_t)(w + k - key))
			klen = (size_t)(w + k - key);
		if (quoted)
			why = "a double quote is not closed";
		else if (k == 2 && w[0] == '-' && w[1] == '-')
			why = "\"--\" ends the kernel's arguments (what follows is init's)";
		else if (klen == 0)
			why = "no parameter name";
		else if (klen >= 3 && strncmp(key, "pt.", 3) == 0)
			why = "pt.* keys come from the selection (ptctl entry add SEL...)";
		for (size_t i = 0; !why && i < k; i++)
			if ((unsigned char)w[i] < 0x20 || w[i] == 0x7f || strchr("'\\$`", w[i]))
				why = "quotes ('), '\\', '$', '`' and control characters can't be saved";
		if (why) {
			pt_snprintf(bad, size, "%.*s: %s", (int)k, w, why);
			return -EINVAL;
		}
	}
	return 0;
}

int pt_bls_edits(const struct pt_bls *file, const struct pt_bls *want, struct pt_buf *diff,
		 struct pt_buf *added)
{
	static const char *const keys[] = { "title", "options" };
	int edited = 0;

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const char *have = pt_bls_get(file, keys[k]), *exp = pt_bls_get(want, keys[k]);

		have = have ? have : "";
		exp = exp ? exp : "";
		if (strcmp(have, exp) == 0)
			continue;
		edited = 1;
		pt_buf_printf(diff, "-%s %s\n+%s %s\n", keys[k], exp, keys[k], have);
		if (strcmp(keys[k], "options"))
			continue;
		/* the kernel's words only: what follows "--" is init's */
		for (const char *a = have, *end = have + kernel_len(have); a < end;) {
			size_t n;

			while (is_blank(*a))
				a++;
			n = word_len(a);
			if (n && !has_token(exp, strlen(exp), a, n) &&
			    !has_token(added->data ? added->data : "", added->len, a, n))
				pt_buf_printf(added, "%s%.*s", added->len ? " " : "", (int)n, a);
			a += n;
		}
	}
	if (diff->err || added->err)
		return -ENOMEM;
	return edited;
}
