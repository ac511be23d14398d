// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GRUB's environment block (grubenv): next_entry for one boot, saved_entry for the default.
 * 1024 bytes of "key=value" lines after a header, padded with '#'.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#define GRUBENV_HEADER "# GRUB Environment Block\n"

/* Calls cb for each "key=value" line of [text, text+len); lines are bounded by len. */
static int env_each(const char *text, size_t len,
		    int (*cb)(const char *k, size_t kn, const char *v, size_t vn, void *d), void *d)
{
	size_t i = 0;

	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i), *eq;
		size_t n = nl ? (size_t)(nl - l) : len - i;

		i += n + 1;
		if (n == 0 || l[0] == '#')
			continue;
		eq = memchr(l, '=', n);
		if (!eq || eq == l)
			continue;
		if (cb(l, (size_t)(eq - l), eq + 1, n - (size_t)(eq - l) - 1, d))
			return 1;
	}
	return 0;
}

struct env_get {
	const char *key;
	char *buf;
	size_t size;
	int found;
};

static int get_cb(const char *k, size_t kn, const char *v, size_t vn, void *d)
{
	struct env_get *g = d;

	if (kn != strlen(g->key) || memcmp(k, g->key, kn))
		return 0;
	if (vn >= g->size)
		vn = g->size - 1;
	/* GRUB escapes '\\' and '\n' with a backslash; keep the value as written otherwise */
	memcpy(g->buf, v, vn);
	g->buf[vn] = '\0';
	g->buf[strcspn(g->buf, "\r")] = '\0';
	g->found = 1;
	return 0; /* the last one wins, as GRUB's load_env does */
}

int pt_grubenv_get(const char *text, size_t len, const char *key, char *buf, size_t size)
{
	struct env_get g = { key, buf, size, 0 };

	if (!size)
		return -EINVAL;
	env_each(text, len, get_cb, &g);
	return g.found;
}

static bool env_word_ok(const char *s, bool key)
{
	if (key && !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\\' || (key && *s == '='))
			return false;
	return true;
}

struct env_set {
	const char *key;
	struct pt_buf *out;
};

static int copy_cb(const char *k, size_t kn, const char *v, size_t vn, void *d)
{
	struct env_set *s = d;

	if (kn == strlen(s->key) && memcmp(k, s->key, kn) == 0)
		return 0;
	pt_buf_printf(s->out, "%.*s=%.*s\n", (int)kn, k, (int)vn, v);
	return 0;
}

int pt_grubenv_set(const char *text, size_t len, const char *key, const char *value, struct pt_buf *out)
{
	struct env_set s = { key, out };

	if (!env_word_ok(key, true) || (value && !env_word_ok(value, false)))
		return -EINVAL;
	/* what GRUB would not load either: reported, never rewritten into a block of our own */
	if (text && len &&
	    (len < strlen(GRUBENV_HEADER) || memcmp(text, GRUBENV_HEADER, strlen(GRUBENV_HEADER)) ||
	     memchr(text, '\0', len)))
		return -EBADMSG;
	pt_buf_puts(out, GRUBENV_HEADER);
	if (text)
		env_each(text, len, copy_cb, &s);
	if (value)
		pt_buf_printf(out, "%s=%s\n", key, value);
	if (out->err)
		return out->err;
	if (out->len > PT_GRUBENV_SIZE)
		return -ENOSPC;
	while (out->len < PT_GRUBENV_SIZE && !out->err)
		pt_buf_puts(out, "#");
	return out->err;
}
