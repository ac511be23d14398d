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

#define MAX_BLOCKS 64 /* nesting depth tracked; deeper blocks are counted, not told apart */

struct gparse {
	struct pt_menu m;
	size_t cap;
	char script[64];	     /* the ### BEGIN /etc/grub.d/NAME ### section we are in */
	int depth, cur;		     /* brace depth; the entry being read (-1: none) */
	int menu_level;		     /* submenus open */
	int entry_depth[MAX_BLOCKS]; /* per open block: its entry, -1 a submenu, -2 a function */
	bool block_is_submenu[MAX_BLOCKS];
};

/* "### BEGIN /etc/grub.d/NAME ###" and "### END ..." comments: the section that follows */
static void parse_comment(struct gparse *g, const char *p, const char *end)
{
	static const char b[] = "### BEGIN /etc/grub.d/";
	size_t k = 0;

	if ((size_t)(end - p) > sizeof(b) - 1 && memcmp(p, b, sizeof(b) - 1) == 0) {
		p += sizeof(b) - 1;
		while (p + k < end && p[k] != ' ' && k + 1 < sizeof(g->script))
			k++;
		memcpy(g->script, p, k);
		g->script[k] = '\0';
	} else if ((size_t)(end - p) > 10 && memcmp(p, "### END ", 8) == 0) {
		g->script[0] = '\0';
	}
}

static void open_block(struct gparse *g, int entry, bool sub)
{
	if (g->depth < MAX_BLOCKS) {
		g->entry_depth[g->depth] = entry;
		g->block_is_submenu[g->depth] = sub;
	}
	g->depth++;
}

/* "menuentry 'TITLE' [--id ID | $menuentry_id_option ID] ... {" or "submenu ..." */
static int parse_entry(struct gparse *g, const char *l, const char *p, const char *end, bool sub, char *w,
		       size_t wsize)
{
	struct pt_menuentry *e;
	bool want_id = false;
	int r;

	if ((r = menu_add(&g->m, &g->cap)) < 0)
		return r;
	e = &g->m.v[g->m.n];
	e->submenu = sub;
	e->depth = g->menu_level;
	pt_snprintf(e->script, sizeof(e->script), "%s", g->script);
	if (word(&p, end, w, wsize))
		pt_snprintf(e->title, sizeof(e->title), "%s", w);
	while (word(&p, end, w, wsize)) {
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
	g->m.n++;
	if (end > l && memchr(l, '{', (size_t)(end - l))) {
		open_block(g, sub ? -1 : (int)(g->m.n - 1), sub);
		if (sub)
			g->menu_level++;
		else
			g->cur = (int)(g->m.n - 1);
	}
	return 0;
}

static void close_block(struct gparse *g)
{
	if (g->depth <= 0)
		return;
	g->depth--;
	if (g->depth < MAX_BLOCKS && g->block_is_submenu[g->depth] && g->menu_level > 0)
		g->menu_level--;
	if (g->depth < MAX_BLOCKS && g->entry_depth[g->depth] == g->cur)
		g->cur = -1;
}

/* The first linux command of the entry being read: its path and arguments */
static void parse_linux(struct gparse *g, const char *p, const char *end, char *w, size_t wsize)
{
	struct pt_menuentry *e = &g->m.v[g->cur];

	if (word(&p, end, w, wsize))
		pt_snprintf(e->linux_path, sizeof(e->linux_path), "%s", w);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	pt_snprintf(e->linux_args, sizeof(e->linux_args), "%.*s", (int)(end - p), p);
}

int pt_grubcfg_parse(const char *text, size_t len, struct pt_menu *ret)
{
	struct gparse g = { .cur = -1 };
	char w[2048];
	size_t i = 0;
	int r;

	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i), *end, *p;

		end = nl ? nl : text + len;
		i = (size_t)(end - text) + 1;
		p = l;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == '#') {
			parse_comment(&g, p, end);
			continue;
		}
		if (!word(&p, end, w, sizeof(w)))
			continue;
		if (strcmp(w, "menuentry") == 0 || strcmp(w, "submenu") == 0) {
			r = parse_entry(&g, l, p, end, w[0] == 's', w, sizeof(w));
			if (r < 0) {
				pt_menu_free(&g.m);
				return r;
			}
		} else if (strcmp(w, "}") == 0) {
			close_block(&g);
		} else if (strcmp(w, "function") == 0 && memchr(l, '{', (size_t)(end - l))) {
			/* other blocks opened on this line, closed by "}" */
			open_block(&g, -2, false);
		} else if (g.cur >= 0 &&
			   (strcmp(w, "linux") == 0 || strcmp(w, "linuxefi") == 0 ||
			    strcmp(w, "linux16") == 0) &&
			   !g.m.v[g.cur].linux_path[0]) {
			parse_linux(&g, p, end, w, sizeof(w));
		}
	}
	*ret = g.m;
	return 0;
}
