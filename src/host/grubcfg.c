// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The menu entries of a generated grub.cfg: titles, ids, the grub.d script that made each
 * and its first linux command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"


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
