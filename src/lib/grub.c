// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GRUB's side of the boot menu: the environment block (grubenv: next_entry for one boot,
 * saved_entry for the default), the menu entries of a generated grub.cfg, and ptboot's
 * etc/ptboot/entry.conf that its /etc/grub.d/42_ptboot script reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#define GRUBENV_HEADER "# GRUB Environment Block\n"

/* ---- grubenv --------------------------------------------------------------- */

/* Calls cb for each "key=value" line of [text, text+len); lines are bounded by len. */
static int env_each(const char *text, size_t len, int (*cb)(const char *k, size_t kn, const char *v,
							      size_t vn, void *d), void *d)
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
	return 0;	/* the last one wins, as GRUB's load_env does */
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

/* ---- grub.cfg ---------------------------------------------------------------- */

void pt_menu_free(struct pt_menu *m)
{
	free(m->v);
	*m = (struct pt_menu){ 0 };
}

/* One shell-like word of GRUB script at *pp (quotes: '...', "...", backslash); into buf,
 * truncated. Returns false at the end of the line. */
static bool word(const char **pp, const char *end, char *buf, size_t size)
{
	const char *p = *pp;
	size_t n = 0;
	char q = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end)
		return false;
	while (p < end) {
		char c = *p++;

		if (q) {
			if (c == q) {
				q = 0;
				continue;
			}
			if (q == '"' && c == '\\' && p < end)
				c = *p++;
		} else if (c == '\'' || c == '"') {
			q = c;
			continue;
		} else if (c == '\\' && p < end) {
			c = *p++;
		} else if (c == ' ' || c == '\t') {
			break;
		}
		if (n + 1 < size)
			buf[n++] = c;
	}
	if (size)
		buf[n] = '\0';
	*pp = p;
	return true;
}

static int menu_add(struct pt_menu *m, size_t *cap)
{
	if (m->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct pt_menuentry *v;

		if (nc > 65536)
			return -E2BIG;
		v = realloc(m->v, nc * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->v = v;
		*cap = nc;
	}
	m->v[m->n] = (struct pt_menuentry){ 0 };
	return 0;
}

int pt_grubcfg_parse(const char *text, size_t len, struct pt_menu *ret)
{
	struct pt_menu m = { 0 };
	char script[64] = "", w[2048];
	int depth = 0, cur = -1;	/* brace depth; the entry being read */
	int entry_depth[64];		/* depth at which each open block started (bounded) */
	int menu_level = 0;		/* submenus open */
	bool block_is_submenu[64] = { false };
	size_t cap = 0, i = 0;
	int r;

	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i), *end, *p;

		end = nl ? nl : text + len;
		i = (size_t)(end - text) + 1;
		p = l;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == '#') {
			static const char b[] = "### BEGIN /etc/grub.d/";
			size_t k;

			if ((size_t)(end - p) > sizeof(b) - 1 && memcmp(p, b, sizeof(b) - 1) == 0) {
				p += sizeof(b) - 1;
				k = 0;
				while (p + k < end && p[k] != ' ' && k + 1 < sizeof(script))
					k++;
				memcpy(script, p, k);
				script[k] = '\0';
			} else if ((size_t)(end - p) > 10 && memcmp(p, "### END ", 8) == 0) {
				script[0] = '\0';
			}
			continue;
		}
		if (!word(&p, end, w, sizeof(w)))
			continue;
		if (strcmp(w, "menuentry") == 0 || strcmp(w, "submenu") == 0) {
			bool sub = w[0] == 's';
			struct pt_menuentry *e;
			bool want_id = false;

			if ((r = menu_add(&m, &cap)) < 0)
				goto fail;
			e = &m.v[m.n];
			e->submenu = sub;
			e->depth = menu_level;
			pt_snprintf(e->script, sizeof(e->script), "%s", script);
			if (word(&p, end, w, sizeof(w)))
				pt_snprintf(e->title, sizeof(e->title), "%s", w);
			while (word(&p, end, w, sizeof(w))) {
				if (want_id) {
					pt_snprintf(e->id, sizeof(e->id), "%s", w);
					want_id = false;
				} else if (strcmp(w, "--id") == 0 || strcmp(w, "$menuentry_id_option") == 0 ||
					   strcmp(w, "${menuentry_id_option}") == 0) {
					want_id = true;
				} else if (strncmp(w, "--id=", 5) == 0) {
					pt_snprintf(e->id, sizeof(e->id), "%s", w + 5);
				}
			}
			m.n++;
			if (end > l && memchr(l, '{', (size_t)(end - l))) {
				if (depth < 64) {
					entry_depth[depth] = sub ? -1 : (int)(m.n - 1);
					block_is_submenu[depth] = sub;
				}
				depth++;
				if (sub)
					menu_level++;
				else
					cur = (int)(m.n - 1);
			}
			continue;
		}
		if (strcmp(w, "}") == 0) {
			if (depth > 0) {
				depth--;
				if (depth < 64 && block_is_submenu[depth] && menu_level > 0)
					menu_level--;
				if (depth < 64 && entry_depth[depth] == cur)
					cur = -1;
			}
			continue;
		}
		/* other blocks (if/function/...) opened on this line, closed by "fi"/"}" */
		if ((strcmp(w, "function") == 0) && memchr(l, '{', (size_t)(end - l))) {
			if (depth < 64) {
				entry_depth[depth] = -2;
				block_is_submenu[depth] = false;
			}
			depth++;
			continue;
		}
		if (cur >= 0 && (strcmp(w, "linux") == 0 || strcmp(w, "linuxefi") == 0 ||
				 strcmp(w, "linux16") == 0) && !m.v[cur].linux_path[0]) {
			struct pt_menuentry *e = &m.v[cur];

			if (word(&p, end, w, sizeof(w)))
				pt_snprintf(e->linux_path, sizeof(e->linux_path), "%s", w);
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			pt_snprintf(e->linux_args, sizeof(e->linux_args), "%.*s", (int)(end - p), p);
		}
	}
	*ret = m;
	return 0;
fail:
	pt_menu_free(&m);
	return r;
}

/* ---- etc/ptboot/entry.conf ----------------------------------------------------- */

static const struct {
	const char *name;
	size_t off, size;
} conf_keys[] = {
#define K(n, f) { n, offsetof(struct pt_entry_conf, f), sizeof(((struct pt_entry_conf *)0)->f) }
	K("PTBOOT_ARGS", args),
	K("PTBOOT_TITLE", title),
	K("PTBOOT_POLICY", policy),
	K("PTBOOT_WINDOWS_UUID", windows_uuid),
	K("PTBOOT_WINDOWS_SLOT", windows_slot),
#undef K
};

int pt_entry_conf_parse(const char *text, size_t len, struct pt_entry_conf *ret)
{
	struct pt_entry_conf c = { 0 };
	size_t i = 0;

	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i), *eq, *v, *e;
		size_t n = nl ? (size_t)(nl - l) : len - i;

		i += n + 1;
		while (n && (l[0] == ' ' || l[0] == '\t')) {
			l++;
			n--;
		}
		if (n == 0 || l[0] == '#')
			continue;
		eq = memchr(l, '=', n);
		if (!eq || eq == l)
			return -EINVAL;
		v = eq + 1;
		e = l + n;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e - v >= 2 && v[0] == '\'' && e[-1] == '\'') {
			v++;
			e--;
			if (memchr(v, '\'', (size_t)(e - v)))
				return -EINVAL;
		} else if (memchr(v, '\'', (size_t)(e - v)) || memchr(v, '"', (size_t)(e - v)) ||
			   memchr(v, '$', (size_t)(e - v)) || memchr(v, ' ', (size_t)(e - v))) {
			return -EINVAL;
		}
		/* what pt_entry_conf_format refuses to write, parse refuses to read
		 * (found by fuzz-entryconf: a NUL byte inside a value) */
		for (const char *p = v; p < e; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
				return -EINVAL;
		for (size_t k = 0; k < sizeof(conf_keys) / sizeof(conf_keys[0]); k++) {
			if (strlen(conf_keys[k].name) != (size_t)(eq - l) ||
			    memcmp(conf_keys[k].name, l, (size_t)(eq - l)))
				continue;
			if ((size_t)(e - v) >= conf_keys[k].size)
				return -E2BIG;
			memcpy((char *)&c + conf_keys[k].off, v, (size_t)(e - v));
			((char *)&c + conf_keys[k].off)[e - v] = '\0';
		}
	}
	*ret = c;
	return 0;
}

static bool conf_value_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\'' || *s == '"' || *s == '\\' || *s == '$' ||
		    *s == '`' || *s == 0x7f)
			return false;
	return true;
}

int pt_entry_conf_format(const struct pt_entry_conf *c, struct pt_buf *out)
{
	pt_buf_puts(out, "# ptboot's host+passthrough boot entry, written by \"ptctl entry add\".\n"
			 "# Read by /etc/grub.d/42_ptboot and the kernel-install plugin; change it with\n"
			 "# ptctl entry add/remove, not by hand.\n");
	for (size_t k = 0; k < sizeof(conf_keys) / sizeof(conf_keys[0]); k++) {
		const char *v = (const char *)c + conf_keys[k].off;

		if (!conf_value_ok(v))
			return -EINVAL;
		if (*v || k < 2)
			pt_buf_printf(out, "%s='%s'\n", conf_keys[k].name, v);
	}
	return out->err;
}
